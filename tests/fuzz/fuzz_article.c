/*
 * fuzz_article.c - article_extract and article_is_teaser on arbitrary
 * bytes.  Beyond "no crash, no leak": the article is valid UTF-8 and
 * within LIM_ARTICLE_HTML; a "too little" or failed one is empty; every
 * metadata string is one clean line; and the article sanitized by html.c,
 * the way the pass will use it, has no <script (in any case) and no tag
 * with an on* attribute, so a hostile page never reaches a message
 * unsanitized.  The first byte picks a charset hint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "buf.h"
#include "html.h"
#include "limits.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
sep(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '/';
}

/* Abort on "<script" or an on* attribute in a tag of s (tags read as a
 * browser would: name, then attributes with quoted or bare values). */
static void
check_markup(const char *s, size_t n)
{
	size_t i = 0;
	char q;

	while (i < n) {
		if (s[i++] != '<')
			continue;
		if (n - i >= 6 && lc(s[i]) == 's' && lc(s[i + 1]) == 'c' &&
		    lc(s[i + 2]) == 'r' && lc(s[i + 3]) == 'i' &&
		    lc(s[i + 4]) == 'p' && lc(s[i + 5]) == 't')
			abort();
		while (i < n && !sep(s[i]) && s[i] != '>')
			i++;
		while (i < n && s[i] != '>') {
			while (i < n && sep(s[i]))
				i++;
			if (i >= n || s[i] == '>')
				break;
			if (n - i >= 2 && lc(s[i]) == 'o' && lc(s[i + 1]) == 'n')
				abort();
			while (i < n && !sep(s[i]) && s[i] != '=' &&
			    s[i] != '>')
				i++;
			if (i >= n || s[i] != '=')
				continue;
			i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				q = s[i++];
				while (i < n && s[i] != q)
					i++;
				i++;
			} else
				while (i < n && !sep(s[i]) && s[i] != '>')
					i++;
		}
	}
}

static void
check_line(const char *s)
{
	if (s == NULL)
		return;
	if (*s == '\0' || strlen(s) > LIM_ONELINE ||
	    !utf8_valid(s, strlen(s)))
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7F)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {
		NULL, "utf-8", "iso-8859-1", "windows-1252", "bogus-charset"
	};
	const char *page = (const char *)data;
	struct buf san = BUF_INIT(0);
	struct article a;
	char err[ERRLEN];
	enum article_rc rc;

	rc = article_extract(page, size, "https://fuzz.example/a/b.html",
	    size > 0 ? charsets[data[0] % 5] : NULL, &a, err, sizeof(err));
	if (!utf8_valid(buf_str(&a.html), a.html.len) ||
	    a.html.len > LIM_ARTICLE_HTML ||
	    (rc != ARTICLE_OK && a.html.len != 0) ||
	    (rc == ARTICLE_OK && a.words < ARTICLE_MIN_WORDS))
		abort();
	check_line(a.title);
	check_line(a.byline);
	check_line(a.published);
	check_line(a.image);
	check_line(a.site);
	check_line(a.lang);
	if (a.html.len > 0 && html_sanitize(a.html.data, a.html.len, &san,
	    err, sizeof(err)) == 0) {
		if (!utf8_valid(buf_str(&san), san.len))
			abort();
		check_markup(buf_str(&san), san.len);
	}
	article_free(&a);
	buf_free(&san);
	(void)article_is_teaser(page, size, "https://fuzz.example/a/b.html");
	return 0;
}
