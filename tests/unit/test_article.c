/*
 * test_article.c - the article extractor and the teaser test.
 *
 * The corpus test runs every page of tests/data/articles (see its
 * README): the extracted article, sanitized by html.c and flattened to
 * text, must match the hand-marked text with a token-level F1 of at least
 * ARTICLE_F1_MIN, no boilerplate marker may leak into it, and a page that
 * is no article must come back "too little content".  The mean and the
 * minimum F1 are printed.  The other cases are tables: metadata, lazy
 * images, URLs, hidden elements, hostile markup, caps, teasers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "buf.h"
#include "fsutil.h"
#include "html.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define CORPUS		"tests/data/articles"
#define CORPUS_URL	"https://blog.example.org/2026/03/a-post/"
#define ARTICLE_F1_MIN	0.9

/* --- tokens ---------------------------------------------------------- */

struct toks {
	char	**t;
	size_t	 n, cap;
};

static void
toks_add(struct toks *k, const char *s, size_t n)
{
	char *w = xstrndup(s, n), *p;

	for (p = w; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->t = xrealloc(k->t, k->cap * sizeof(*k->t));
	}
	k->t[k->n++] = w;
}

/* Words: runs of letters, digits and non-ASCII bytes. */
static void
toks_split(struct toks *k, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *w;

	while (*p) {
		while (*p && !(*p >= 0x80 || (*p >= '0' && *p <= '9') ||
		    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			p++;
		for (w = p; *p && (*p >= 0x80 || (*p >= '0' && *p <= '9') ||
		    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')); p++)
			;
		if (p > w)
			toks_add(k, (const char *)w, (size_t)(p - w));
	}
}

static void
toks_free(struct toks *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->t[i]);
	free(k->t);
	memset(k, 0, sizeof(*k));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Token-level F1 of got against want (bags of words). */
static double
f1(const struct toks *got, const struct toks *want)
{
	char **a = xmalloc((got->n + 1) * sizeof(*a));
	char **b = xmalloc((want->n + 1) * sizeof(*b));
	size_t i = 0, j = 0, common = 0;
	double p, r;
	int c;

	memcpy(a, got->t, got->n * sizeof(*a));
	memcpy(b, want->t, want->n * sizeof(*b));
	qsort(a, got->n, sizeof(*a), cmp_str);
	qsort(b, want->n, sizeof(*b), cmp_str);
	while (i < got->n && j < want->n) {
		if ((c = strcmp(a[i], b[j])) == 0) {
			common++;
			i++;
			j++;
		} else if (c < 0)
			i++;
		else
			j++;
	}
	free(a);
	free(b);
	if (common == 0)
		return 0;
	p = (double)common / got->n;
	r = (double)common / want->n;
	return 2 * p * r / (p + r);
}

/* 1 when the words of marker appear in a row in got: all of them for a
 * short marker, any six in a row of a longer one. */
static int
leaks(const struct toks *got, const char *marker)
{
	struct toks m = { 0 };
	size_t win, i, j, k;
	int r = 0;

	toks_split(&m, marker);
	win = m.n < 6 ? m.n : 6;
	for (i = 0; win > 0 && i + win <= m.n && !r; i++)
		for (j = 0; j + win <= got->n && !r; j++) {
			for (k = 0; k < win && strcmp(got->t[j + k],
			    m.t[i + k]) == 0; k++)
				;
			r = k == win;
		}
	toks_free(&m);
	return r;
}

/* The article as a reader sees it: sanitized, then flattened. */
static char *
reader_text(const struct article *a)
{
	struct buf san = BUF_INIT(0), line = BUF_INIT(0);
	char err[ERRLEN];

	if (a->html.len == 0)
		return xstrdup("");
	if (html_sanitize(a->html.data, a->html.len, &san, err,
	    sizeof(err)) == -1)
		fail_msg("html_sanitize: %s", err);
	assert_true(utf8_valid(buf_str(&san), san.len));
	assert_null(strstr(buf_str(&san), "<script"));
	html_to_line(buf_str(&san), san.len, &line);
	buf_free(&san);
	return buf_steal(&line);
}

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT(0);
	char err[ERRLEN];

	if (fs_read_file(path, 1u << 24, &b, err, sizeof(err)) == -1)
		return NULL;
	return buf_steal(&b);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	char *names[256], path[512], err[ERRLEN], *page, *want, *junk,
	    *text, *line, *nl;
	size_t n = 0, i, nart = 0, bad = 0;
	struct toks got, exp;
	struct article a;
	enum article_rc rc;
	double score, sum = 0, min = 1;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".html") == 0)
			names[n++] = xstrndup(e->d_name, l - 5);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	assert_true(n >= 40);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), CORPUS "/%s.html", names[i]);
		assert_non_null(page = slurp(path));
		snprintf(path, sizeof(path), CORPUS "/%s.txt", names[i]);
		assert_non_null(want = slurp(path));
		snprintf(path, sizeof(path), CORPUS "/%s.junk", names[i]);
		assert_non_null(junk = slurp(path));
		rc = article_extract(page, strlen(page), CORPUS_URL, NULL, &a,
		    err, sizeof(err));
		text = reader_text(&a);
		memset(&got, 0, sizeof(got));
		memset(&exp, 0, sizeof(exp));
		toks_split(&got, text);
		toks_split(&exp, want);
		if (exp.n == 0) {
			/* not an article: the verdict is what counts */
			if (rc != ARTICLE_THIN) {
				printf("article %-28s expected too little "
				    "content, got %d (%zu words)\n", names[i],
				    rc, a.words);
				bad++;
			} else
				printf("article %-28s too little: %s\n",
				    names[i], err);
		} else {
			score = rc == ARTICLE_OK ? f1(&got, &exp) : 0;
			sum += score;
			nart++;
			if (score < min)
				min = score;
			printf("article %-28s F1 %.3f%s%s\n", names[i], score,
			    rc == ARTICLE_OK ? "" : " ",
			    rc == ARTICLE_OK ? "" : err);
			if (score < ARTICLE_F1_MIN)
				bad++;
		}
		for (line = junk; *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			else
				nl = line + strlen(line);
			if (*line && leaks(&got, line)) {
				printf("article %-28s leaks \"%.60s\"\n",
				    names[i], line);
				bad++;
			}
		}
		toks_free(&got);
		toks_free(&exp);
		free(text);
		article_free(&a);
		free(page);
		free(want);
		free(junk);
		free(names[i]);
	}
	printf("article corpus: %zu pages, %zu articles, mean F1 %.3f, "
	    "min F1 %.3f, %zu failures\n", n, nart, nart ? sum / nart : 0,
	    min, bad);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
