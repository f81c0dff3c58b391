/*
 * article_teaser.c - is a feed entry only a teaser of its page?  Pure:
 * the entry's content and link in, a yes or no out.
 */
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "article.h"
#include "article_int.h"
#include "buf.h"
#include "html.h"
#include "limits.h"

/* Link texts that lead to the rest of the article (lower case). */
static const char *const read_more[] = {
	"continue reading", "keep reading", "read more", "read on",
	"read the full", "read the rest", "full article", "full story",
	"weiterlesen", "mehr lesen", "lire la suite", "lire plus",
	"leer m\xc3\xa1s", "leer mas", "seguir leyendo", "continuar leyendo",
	"leggi tutto", "continua a leggere", "leggi di pi\xc3\xb9",
	"lees meer", "verder lezen", "leia mais", "continuar lendo",
	"continue lendo", NULL
};

/* Endings of a cut text. */
static const char *const ellipses[] = {
	"...", "\xe2\x80\xa6", "[\xe2\x80\xa6]", "[...]", "(\xe2\x80\xa6)",
	"(...)", "\xe2\x80\xa6]", NULL
};

/*
 * A URL for comparison into out: no scheme (http and https are one), host
 * in lower case, no fragment, no trailing slash.
 */
static void
url_key(const char *u, struct buf *out)
{
	const char *p = strstr(u, "://"), *h;
	size_t n;

	buf_reset(out);
	if (p != NULL)
		u = p + 3;
	for (h = u; *h && *h != '/' && *h != '?' && *h != '#'; h++)
		buf_putc(out, lower((unsigned char)*h));
	n = strcspn(h, "#");
	buf_append(out, h, n);
	while (out->len > 0 && out->data[out->len - 1] == '/')
		out->data[--out->len] = '\0';
}

/* 1 when href (relative to link) leads to link itself. */
static int
same_page(const char *href, const char *link)
{
	struct buf a = BUF_INIT(LIM_ONELINE * 2), b = BUF_INIT(LIM_ONELINE * 2);
	xmlChar *r = xmlBuildURI((const xmlChar *)href, (const xmlChar *)link);
	int same;

	url_key(r != NULL ? (const char *)r : href, &a);
	url_key(link, &b);
	xmlFree(r);
	same = !a.overflow && !b.overflow && b.len > 0 &&
	    strncmp(buf_str(&a), buf_str(&b), b.len) == 0 &&
	    (a.data[b.len] == '\0' || a.data[b.len] == '?' ||
	    (a.data[b.len] == '/' && a.data[b.len + 1] == '\0'));
	buf_free(&a);
	buf_free(&b);
	return same;
}

/* The quoted or bare value of attribute name in the tag at t (up to
 * end) into out; 0 when the tag has none. */
static int
tag_attr(const char *t, const char *end, const char *name, struct buf *out)
{
	size_t n = strlen(name);
	const char *p, *v;
	char q;

	for (p = t; p + n < end; p++) {
		if (strncasecmp(p, name, n) != 0 ||
		    !is_space((unsigned char)p[-1]))
			continue;
		for (v = p + n; v < end && is_space((unsigned char)*v); v++)
			;
		if (v >= end || *v != '=')
			continue;
		for (v++; v < end && is_space((unsigned char)*v); v++)
			;
		q = v < end && (*v == '"' || *v == '\'') ? *v++ : 0;
		for (p = v; p < end && (q ? *p != q :
		    !is_space((unsigned char)*p)); p++)
			;
		buf_reset(out);
		return buf_append(out, v, (size_t)(p - v)) == 0;
	}
	return 0;
}

/* 1 when some <a> of body reads "read more" and leads to link. */
static int
has_more_link(const char *body, size_t len, const char *link)
{
	struct buf href = BUF_INIT(LIM_ONELINE), txt = BUF_INIT(LIM_ONELINE),
	    dec = BUF_INIT(0);
	const char *end = body + len, *p, *te, *close;
	size_t i;
	int r = 0;

	for (p = body; !r && p + 3 < end; p++) {
		if (p[0] != '<' || lower((unsigned char)p[1]) != 'a' ||
		    !is_space((unsigned char)p[2]))
			continue;
		if ((te = memchr(p, '>', (size_t)(end - p))) == NULL)
			break;
		/* the link's text ends at "</a", else at the end */
		for (close = te + 1; close + 3 <= end && !(close[0] == '<' &&
		    close[1] == '/' && lower((unsigned char)close[2]) == 'a');
		    close++)
			;
		if (close + 3 > end)
			close = end;
		if (!tag_attr(p + 2, te, "href", &href)) {
			p = te;
			continue;
		}
		buf_reset(&dec);
		buf_reset(&txt);
		/* entities in both: html_to_line decodes */
		if (html_to_line(href.data, href.len, &dec) == -1 ||
		    html_to_line(te + 1, (size_t)(close - te - 1), &txt) == -1)
			break;
		for (i = 0; i < txt.len; i++)
			txt.data[i] = (char)lower((unsigned char)txt.data[i]);
		for (i = 0; read_more[i] != NULL; i++)
			if (strstr(buf_str(&txt), read_more[i]) != NULL)
				break;
		r = read_more[i] != NULL && same_page(buf_str(&dec), link);
		p = te;
	}
	buf_free(&href);
	buf_free(&txt);
	buf_free(&dec);
	return r;
}

int
article_is_teaser(const char *body, size_t len, const char *link)
{
	struct buf text = BUF_INIT(0);
	size_t words, n, i, k;
	int r = 0;

	if (link == NULL || *link == '\0')
		return 0;
	if (body == NULL || len == 0)
		return 1;
	if (html_to_line(body, len, &text) == -1)
		goto out;
	if ((words = article_words(buf_str(&text), text.len)) == 0) {
		r = 1;
		goto out;
	}
	if (words >= ARTICLE_TEASER_WORDS)
		goto out;
	for (n = text.len; n > 0 && is_space((unsigned char)text.data[n - 1]);
	    n--)
		;
	for (i = 0; ellipses[i] != NULL && !r; i++) {
		k = strlen(ellipses[i]);
		r = n >= k && memcmp(text.data + n - k, ellipses[i], k) == 0;
	}
	if (!r)
		r = has_more_link(body, len, link);
out:
	buf_free(&text);
	return r;
}
