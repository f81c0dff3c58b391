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
	printf("note: article corpus: %zu pages, %zu articles, mean F1 "
	    "%.3f, min F1 %.3f, %zu failures\n", n, nart,
	    nart ? sum / nart : 0, min, bad);
	assert_int_equal(bad, 0);
}

/* --- single pages ---------------------------------------------------- */

/* Enough article text to pass the verdict: n paragraphs of prose. */
static void
prose(struct buf *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "<p>Paragraph %d of the article, with enough "
		    "words in it, and a comma or two, to count as the kind "
		    "of text a reader came for, not a menu or a label.</p>\n",
		    i);
}

static enum article_rc
extract(const char *html, const char *url, struct article *a)
{
	char err[ERRLEN];

	return article_extract(html, strlen(html), url, NULL, a, err,
	    sizeof(err));
}

static void
test_metadata(void **state)
{
	struct buf b = BUF_INIT(0);
	struct article a;

	(void)state;
	/* JSON-LD wins over OpenGraph, which wins over <title> */
	buf_puts(&b, "<html lang=\"de-AT\"><head><title>Plain title | Site"
	    "</title><meta property=\"og:title\" content=\"OG title\">"
	    "<meta property=\"og:image\" content=\"/lead.jpg\">"
	    "<meta property=\"og:site_name\" content=\"The Site\">"
	    "<meta name=\"author\" content=\"Meta Author\">"
	    "<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":"
	    "\"WebSite\",\"name\":\"no\"},{\"@type\":[\"NewsArticle\"],"
	    "\"headline\":\"LD \\u00e9 title\",\"datePublished\":"
	    "\"2026-01-02T03:04:05Z\",\"author\":[{\"name\":\"A One\"},"
	    "\"B Two\"]}]}</script></head><body><article>");
	prose(&b, 6);
	buf_puts(&b, "</article></body></html>");
	assert_int_equal(extract(b.data, "https://x.example/a/b", &a),
	    ARTICLE_OK);
	assert_string_equal(a.title, "LD \xc3\xa9 title");
	assert_string_equal(a.byline, "A One, B Two");
	assert_string_equal(a.published, "2026-01-02T03:04:05Z");
	assert_string_equal(a.image, "https://x.example/lead.jpg");
	assert_string_equal(a.site, "The Site");
	assert_string_equal(a.lang, "de-AT");
	article_free(&a);
	/* no JSON-LD: <title> without the site, a byline element, <time> */
	buf_reset(&b);
	buf_puts(&b, "<head><title>A longer plain title here | Site</title>"
	    "<script type=\"application/ld+json\">{broken</script></head>"
	    "<body><div class=\"post\"><h1>A longer plain title here</h1>"
	    "<p class=\"byline\">By Jo Writer</p><time datetime=\"2025-05-"
	    "06\">May 6</time>");
	prose(&b, 6);
	buf_puts(&b, "</div></body>");
	assert_int_equal(extract(b.data, "https://x.example/", &a),
	    ARTICLE_OK);
	assert_string_equal(a.title, "A longer plain title here");
	assert_string_equal(a.byline, "Jo Writer");
	assert_string_equal(a.published, "2025-05-06");
	assert_null(a.image);
	/* the heading that repeats the title is not in the article */
	assert_null(strstr(a.html.data, "<h1"));
	assert_null(strstr(a.html.data, "Jo Writer"));
	article_free(&a);
	buf_free(&b);
}

static void
test_images_and_urls(void **state)
{
	struct buf b = BUF_INIT(0);
	struct article a;
	const char *h;

	(void)state;
	buf_puts(&b, "<head><base href=\"/base/\"></head><body><article>");
	prose(&b, 3);
	buf_puts(&b, "<img src=\"data:image/gif;base64,R0lGOD\" data-src=\""
	    "real1.jpg\" alt=\"one\">"
	    "<img src=\"/spacer.gif\" data-srcset=\"s.jpg 300w, l.jpg 1200w,"
	    " m.jpg 800w\" alt=\"two\">"
	    "<img class=\"lazy\" alt=\"three\"><noscript><img src=\"ns.jpg\" "
	    "alt=\"three\"></noscript>"
	    "<picture><source srcset=\"p-small.webp 400w, p-big.webp 1600w\">"
	    "<img alt=\"four\"></picture>"
	    "<img alt=\"never loaded\">"
	    "<p><a href=\"../other/\">a relative link</a> and <a href=\""
	    "#fn1\">a note</a> and <a href=\"https://elsewhere.example/x\">"
	    "an absolute one</a> in a paragraph long enough to stay.</p>");
	prose(&b, 3);
	buf_puts(&b, "</article></body>");
	assert_int_equal(extract(b.data, "https://site.example/2026/p.html",
	    &a), ARTICLE_OK);
	h = a.html.data;
	assert_non_null(strstr(h, "src=\"https://site.example/base/real1.jpg"));
	assert_non_null(strstr(h, "src=\"https://site.example/base/l.jpg\""));
	assert_non_null(strstr(h, "src=\"https://site.example/base/ns.jpg\""));
	assert_non_null(strstr(h,
	    "src=\"https://site.example/base/p-big.webp\""));
	assert_null(strstr(h, "never loaded"));
	assert_null(strstr(h, "data:image"));
	assert_null(strstr(h, "spacer"));
	assert_non_null(strstr(h, "href=\"https://site.example/other/\""));
	assert_non_null(strstr(h,
	    "href=\"https://site.example/base/#fn1\""));
	assert_non_null(strstr(h, "href=\"https://elsewhere.example/x\""));
	article_free(&a);
	buf_free(&b);
}

/* Whatever the page holds, the sanitized article has no script, no
 * handler, no hidden text, and no form. */
static void
test_hostile(void **state)
{
	struct buf b = BUF_INIT(0);
	struct article a;
	char *t;

	(void)state;
	buf_puts(&b, "<body><div class=\"entry-content\">"
	    "<script>document.write('SCRIPTTEXT')</script>"
	    "<style>p{color:red} STYLETEXT</style>"
	    "<p onclick=\"alert(1)\" style=\"x\">Click <a href=\"javascript:"
	    "alert(2)\">here</a> <img src=x onerror=alert(3)></p>"
	    "<div style=\"display : NONE\">HIDDENSTYLE</div>"
	    "<span hidden>HIDDENATTR</span><div aria-hidden=\"true\">"
	    "HIDDENARIA</div><form><input value=FORMTEXT>"
	    "<textarea>FORMAREA</textarea></form>"
	    "<iframe src=\"https://evil.example/\">FRAMETEXT</iframe>"
	    "<svg><script>alert(4)</script></svg>"
	    "<noscript><p>NOSCRIPTTEXT</p></noscript><!-- COMMENTTEXT -->");
	prose(&b, 6);
	buf_puts(&b, "</div></body>");
	assert_int_equal(extract(b.data, "https://x.example/", &a),
	    ARTICLE_OK);
	t = reader_text(&a);
	assert_null(strstr(t, "SCRIPTTEXT"));
	assert_null(strstr(t, "STYLETEXT"));
	assert_null(strstr(t, "HIDDEN"));
	assert_null(strstr(t, "FORM"));
	assert_null(strstr(t, "FRAMETEXT"));
	assert_null(strstr(t, "NOSCRIPTTEXT"));
	assert_null(strstr(t, "COMMENTTEXT"));
	assert_null(strstr(a.html.data, "onclick"));
	assert_null(strstr(a.html.data, "onerror"));
	assert_null(strstr(a.html.data, "<script"));
	free(t);
	article_free(&a);
	buf_free(&b);
}

static void
test_verdicts(void **state)
{
	struct buf b = BUF_INIT(0);
	struct article a;
	char err[ERRLEN];
	char *big;

	(void)state;
	/* empty, not HTML, too little, too large */
	assert_int_equal(article_extract("", 0, "https://x.example/", NULL,
	    &a, err, sizeof(err)), ARTICLE_FAIL);
	assert_string_equal(err, "empty page");
	article_free(&a);
	assert_int_equal(extract("<p>Just a line.</p>", "https://x/", &a),
	    ARTICLE_THIN);
	assert_int_equal(a.html.len, 0);
	article_free(&a);
	assert_int_equal(article_extract("<p>short</p>", 12, NULL, NULL, &a,
	    err, sizeof(err)), ARTICLE_THIN);
	assert_non_null(strstr(err, "too little content"));
	article_free(&a);
	big = xcalloc(LIM_ARTICLE_PAGE + 2, 1);
	memset(big, 'a', LIM_ARTICLE_PAGE + 1);
	assert_int_equal(article_extract(big, LIM_ARTICLE_PAGE + 1, NULL,
	    NULL, &a, err, sizeof(err)), ARTICLE_FAIL);
	assert_non_null(strstr(err, "page too large"));
	article_free(&a);
	free(big);
	/* a legacy charset from HTTP, and from <meta> */
	buf_puts(&b, "<meta charset=\"iso-8859-1\"><body><article><p>Caf\xe9"
	    " cr\xe8me</p>");
	prose(&b, 6);
	buf_puts(&b, "</article>");
	assert_int_equal(extract(b.data, "https://x/", &a), ARTICLE_OK);
	assert_non_null(strstr(a.html.data, "Caf\xc3\xa9 cr\xc3\xa8me"));
	article_free(&a);
	assert_int_equal(article_extract(b.data + 29, b.len - 29,
	    "https://x/", "windows-1252", &a, err, sizeof(err)), ARTICLE_OK);
	assert_non_null(strstr(a.html.data, "Caf\xc3\xa9"));
	article_free(&a);
	/* UTF-7 is never decoded: "+ADw-" stays text */
	buf_reset(&b);
	buf_puts(&b, "<article><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-"
	    "</p>");
	prose(&b, 6);
	assert_int_equal(article_extract(b.data, b.len, "https://x/",
	    "UTF-7", &a, err, sizeof(err)), ARTICLE_OK);
	assert_non_null(strstr(a.html.data, "+ADw-script"));
	assert_null(strstr(a.html.data, "<script"));
	article_free(&a);
	/* bytes a legacy charset cannot hold become U+FFFD, quietly */
	assert_int_equal(article_extract(b.data, b.len, "https://x/",
	    "shift_jis", &a, err, sizeof(err)), ARTICLE_OK);
	assert_true(utf8_valid(a.html.data, a.html.len));
	article_free(&a);
	/* invalid UTF-8 comes out valid */
	assert_int_equal(extract("<article><p>bad \xff\xfe bytes</p>"
	    "<p>Paragraph one of the article, with enough words in it, and a "
	    "comma or two, to count as the kind of text a reader came for, "
	    "not a menu. Paragraph two of the article, with enough words in "
	    "it, and a comma or two, to count as the kind of text a reader "
	    "came for, not a menu or a label at all, nothing like it.</p>"
	    "</article>", "https://x/", &a), ARTICLE_OK);
	assert_true(utf8_valid(a.html.data, a.html.len));
	article_free(&a);
	buf_free(&b);
	/* article_free accepts NULL and a freed article */
	article_free(NULL);
	article_free(&a);
}

/* A deep, wide page stays within the caps and returns. */
static void
test_deep(void **state)
{
	struct buf b = BUF_INIT(0);
	struct article a;
	char err[ERRLEN];
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "<div class=\"x\">");
	prose(&b, 8);
	for (i = 0; i < 20000; i++)
		buf_puts(&b, "<span>a</span>");
	(void)article_extract(b.data, b.len, "https://x/", NULL, &a, err,
	    sizeof(err));
	assert_true(utf8_valid(buf_str(&a.html), a.html.len));
	article_free(&a);
	buf_free(&b);
}

static const struct {
	const char	*body;
	const char	*link;
	int		 teaser;
} teasers[] = {
	{ "", "https://b.example/p/1", 1 },
	{ "<p> </p><img src=x>", "https://b.example/p/1", 1 },
	{ "The first lines of a post, cut short\xe2\x80\xa6",
	    "https://b.example/p/1", 1 },
	{ "<p>The first lines of a post, cut short [&hellip;]</p>",
	    "https://b.example/p/1", 1 },
	{ "<p>The first lines of a post, cut short...</p> ",
	    "https://b.example/p/1", 1 },
	{ "<p>A summary of the post.</p><p><a href=\"https://b.example/p/1"
	    "/#more-12\" class=\"more-link\">Continue reading <span>Post"
	    "</span></a></p>", "https://b.example/p/1", 1 },
	{ "<p>A summary.</p><a href='/p/1'>Read more &raquo;</a>",
	    "http://b.example/p/1/", 1 },
	{ "<p>Ein Anriss.</p><a href=\"https://b.example/p/1?utm_source=rss"
	    "\">Weiterlesen</a>", "https://b.example/p/1", 1 },
	{ "<p>Un r\xc3\xa9sum\xc3\xa9.</p><a href=\"https://b.example/p/1\">"
	    "Lire la suite</a>", "https://b.example/p/1", 1 },
	{ "<p>Resumen.</p><A HREF=\"https://b.example/p/1\">Leer m\xc3\xa1s"
	    "</A>", "https://b.example/p/1", 1 },
	/* a read-more link elsewhere is not about this entry */
	{ "<p>A summary.</p><a href=\"https://other.example/x\">Read more"
	    "</a>", "https://b.example/p/1", 0 },
	/* a short but whole post */
	{ "<p>Short note: the server moves on Saturday.</p>",
	    "https://b.example/p/1", 0 },
	/* no link: nothing to fetch */
	{ "", NULL, 0 },
	{ "Cut\xe2\x80\xa6", "", 0 },
};

static void
test_teaser(void **state)
{
	struct buf b = BUF_INIT(0);
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(teasers) / sizeof(teasers[0]); i++) {
		if (article_is_teaser(teasers[i].body, strlen(teasers[i].body),
		    teasers[i].link) != teasers[i].teaser)
			fail_msg("teaser case %zu: %s", i, teasers[i].body);
	}
	assert_int_equal(article_is_teaser(NULL, 0, "https://b/"), 1);
	/* a long text that ends in an ellipsis is a whole post */
	for (k = 0; k < ARTICLE_TEASER_WORDS; k++)
		buf_puts(&b, "word ");
	buf_puts(&b, "and so on...");
	assert_int_equal(article_is_teaser(b.data, b.len, "https://b/"), 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_images_and_urls),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_teaser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
