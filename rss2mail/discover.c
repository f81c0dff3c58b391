/*
 * discover.c - a web page -> its feeds.
 *
 * First: is the document a feed already?  Its first element (after a BOM,
 * the XML declaration, comments and a doctype) or its JSON says so more
 * reliably than the Content-Type, which many servers get wrong both ways.
 * Otherwise the page is parsed with libxml2's HTML parser and every
 * <link rel="alternate"> with a feed type is kept: rel is a token list
 * ("alternate home"), the type may carry parameters and any case, the
 * href is resolved against <base href> or the page.  Comment feeds (by
 * title or URL) go last, so the first feed is the site's own.  The common
 * feed paths come as fallbacks for a page that links none.
 *
 * Deliberately not here: fetching and following redirects (the caller
 * passes the final URL), and <a href> links (a page that wants its feed
 * found says so in <head>).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "buf.h"
#include "discover.h"
#include "limits.h"
#include "utf8.h"
#include "util.h"

#define HTML_INT_MAX	0x7fffffff	/* htmlReadMemory takes an int */

/* Feed types of <link type=...>; "json" ones need a feed-like href or
 * title (WordPress links its REST API as application/json too). */
static const struct {
	const char	*type;
	int		 json;
} feed_types[] = {
	{ "application/atom+xml", 0 }, { "application/feed+json", 0 },
	{ "application/json", 1 }, { "application/rdf+xml", 0 },
	{ "application/rss+xml", 0 }, { "application/x-atom+xml", 0 },
	{ "application/x-rss+xml", 0 }, { "application/xml", 0 },
	{ "text/atom+xml", 0 }, { "text/rss+xml", 0 }, { "text/xml", 0 },
};

/* Content-Types that are a feed whatever the body's first bytes. */
static const char *const feed_ctypes[] = {
	"application/atom+xml", "application/feed+json",
	"application/rdf+xml", "application/rss+xml",
	"application/x-atom+xml", "application/x-rss+xml", NULL
};

/* Words of a comment feed's title (lower case). */
static const char *const comment_words[] = {
	"comentarios", "commentaires", "comments", "kommentare", "reacties",
	NULL
};

/* The fallback paths, relative to a directory. */
static const char *const fallback_paths[DISCOVER_PATHS] = {
	"feed", "feed/", "rss", "rss.xml", "atom.xml", "index.xml",
	"feed.xml", "?feed=rss2"
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The media type of a Content-Type or type attribute, lower case, no
 * parameters, into out. */
static void
media_type(const char *s, char *out, size_t outlen)
{
	size_t k = 0;

	while (is_space((unsigned char)*s))
		s++;
	for (; *s && *s != ';' && !is_space((unsigned char)*s) &&
	    k < outlen - 1; s++)
		out[k++] = (char)tolower((unsigned char)*s);
	out[k] = '\0';
}

/* Skip a BOM, white space, the XML declaration, comments, processing
 * instructions and a doctype; the rest of the document. */
static const char *
skip_prolog(const char *p, const char *end)
{
	const char *q;

	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (;;) {
		while (p < end && is_space((unsigned char)*p))
			p++;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = memmem(p, (size_t)(end - p), "-->", 3);
			q = q != NULL ? q + 2 : NULL;
		} else if (end - p >= 2 && (memcmp(p, "<?", 2) == 0 ||
		    memcmp(p, "<!", 2) == 0))
			q = memchr(p, '>', (size_t)(end - p));
		else
			return p;
		if (q == NULL)
			return end;
		p = q + 1;
	}
}

/* 1 when p[0..n) starts with the start tag of element name. */
static int
starts_element(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k + 1 && p[0] == '<' && strncmp(p + 1, name, k) == 0 &&
	    (is_space((unsigned char)p[k + 1]) || p[k + 1] == '>' ||
	    p[k + 1] == '/');
}

/* 1 when the document is a feed: its root element or its JSON. */
static int
is_feed(const char *body, size_t len, const char *ctype)
{
	char t[128];
	const char *p, *end = body + len;
	size_t n, i;

	if (ctype != NULL) {
		media_type(ctype, t, sizeof(t));
		for (i = 0; feed_ctypes[i] != NULL; i++)
			if (strcmp(t, feed_ctypes[i]) == 0)
				return 1;
	}
	p = skip_prolog(body, end);
	n = (size_t)(end - p);
	if (starts_element(p, n, "rss") || starts_element(p, n, "feed") ||
	    starts_element(p, n, "rdf:RDF"))
		return 1;
	/* a JSON Feed names its version URL near the top */
	if (n > 0 && *p == '{') {
		n = n < 4096 ? n : 4096;
		return memmem(p, n, "jsonfeed.org/version", 20) != NULL;
	}
	return 0;
}

/* 1 when the document looks like HTML (by type, or by its start). */
static int
is_html(const char *body, size_t len, const char *ctype)
{
	char t[128];
	const char *p;

	if (ctype != NULL) {
		media_type(ctype, t, sizeof(t));
		if (strcmp(t, "text/html") == 0 ||
		    strcmp(t, "application/xhtml+xml") == 0)
			return 1;
	}
	p = skip_prolog(body, body + len);
	return p < body + len && *p == '<';
}

static const char *
attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strcasecmp((const char *)a->name, name) == 0)
			return a->children != NULL && a->children->type ==
			    XML_TEXT_NODE && a->children->content != NULL ?
			    (const char *)a->children->content : "";
	return NULL;
}

/* 1 when the white-space separated list s holds word (case aside). */
static int
has_token(const char *s, const char *word)
{
	size_t n = strlen(word), k;

	while (s != NULL && *s) {
		while (is_space((unsigned char)*s))
			s++;
		for (k = 0; s[k] && !is_space((unsigned char)s[k]); k++)
			;
		if (k == n && strncasecmp(s, word, n) == 0)
			return 1;
		s += k;
	}
	return 0;
}

static int
contains_ci(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; s != NULL && *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return 1;
	return 0;
}

/* ref (white space around it aside) against base: a malloc'd absolute
 * http(s) URL, or NULL. */
static char *
resolve(const char *base, const char *ref)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	xmlChar *r = NULL;
	char *s = NULL;
	size_t n;

	while (is_space((unsigned char)*ref))
		ref++;
	for (n = strlen(ref); n > 0 && is_space((unsigned char)ref[n - 1]);
	    n--)
		;
	if (buf_append(&b, ref, n) == -1 || (r = xmlBuildURI(
	    (const xmlChar *)buf_str(&b), (const xmlChar *)base)) == NULL)
		goto out;
	buf_reset(&b);
	if ((strncasecmp((char *)r, "http://", 7) == 0 ||
	    strncasecmp((char *)r, "https://", 8) == 0) &&
	    utf8_clean(&b, (char *)r, strlen((char *)r), 1) == 0 &&
	    !b.overflow && strchr(buf_str(&b), ' ') == NULL)
		s = buf_steal(&b);
out:
	buf_free(&b);
	xmlFree(r);
	return s;
}

struct walk {
	struct discover	*d;
	char		*base;		/* <base href> resolved, else url */
	size_t		 cap;
};

static void
feed_add(struct walk *w, xmlNodePtr n)
{
	struct discover *d = w->d;
	struct discover_feed *f;
	const char *rel = attr(n, "rel"), *type = attr(n, "type"),
	    *href = attr(n, "href"), *title = attr(n, "title");
	char t[128];
	struct buf b = BUF_INIT(LIM_ONELINE);
	char *url;
	size_t i;

	if (rel == NULL || type == NULL || href == NULL ||
	    !has_token(rel, "alternate") || d->nfeeds >= LIM_DISCOVER_FEEDS)
		return;
	media_type(type, t, sizeof(t));
	for (i = 0; i < sizeof(feed_types) / sizeof(feed_types[0]); i++)
		if (strcmp(t, feed_types[i].type) == 0)
			break;
	if (i == sizeof(feed_types) / sizeof(feed_types[0]))
		return;
	if (feed_types[i].json && !contains_ci(href, "feed") &&
	    !contains_ci(title, "feed"))
		return;
	if ((url = resolve(w->base, href)) == NULL)
		return;
	for (i = 0; i < d->nfeeds; i++)
		if (strcmp(d->feeds[i].url, url) == 0) {
			free(url);
			return;
		}
	if (d->nfeeds == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 4;
		d->feeds = xrealloc(d->feeds, w->cap * sizeof(*d->feeds));
	}
	f = &d->feeds[d->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->url = url;
	f->type = xstrdup(t);
	if (title != NULL && utf8_clean(&b, title, strlen(title), 1) == 0 &&
	    !b.overflow && b.len > 0 && strspn(b.data, " ") < b.len)
		f->title = buf_steal(&b);
	buf_free(&b);
	for (i = 0; comment_words[i] != NULL; i++)
		if (contains_ci(title, comment_words[i]))
			f->comments = 1;
	if (contains_ci(url, "/comments/") || contains_ci(url, "/comments") ||
	    contains_ci(url, "feed=comments"))
		f->comments = 1;
}

static void
walk(struct walk *w, xmlNodePtr n, int depth)
{
	xmlNodePtr c;
	const char *href;
	char *b;

	if (depth > LIM_ARTICLE_DEPTH)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "link") == 0)
			feed_add(w, c);
		else if (strcmp((const char *)c->name, "base") == 0 &&
		    (href = attr(c, "href")) != NULL &&
		    (b = resolve(w->base, href)) != NULL) {
			free(w->base);
			w->base = b;
		}
		walk(w, c, depth + 1);
	}
}

/* Comment feeds after the others, each group in page order. */
static void
feeds_order(struct discover *d)
{
	struct discover_feed *sorted;
	size_t i, k = 0;
	int pass;

	if (d->nfeeds < 2)
		return;
	sorted = xmalloc(d->nfeeds * sizeof(*sorted));
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < d->nfeeds; i++)
			if (d->feeds[i].comments == pass)
				sorted[k++] = d->feeds[i];
	free(d->feeds);
	d->feeds = sorted;
}

static void
fallback_add(struct discover *d, char *url)
{
	size_t i;

	if (url == NULL)
		return;
	for (i = 0; i < d->nfeeds; i++)
		if (strcmp(d->feeds[i].url, url) == 0)
			goto dup;
	for (i = 0; i < d->nfallbacks; i++)
		if (strcmp(d->fallbacks[i], url) == 0)
			goto dup;
	d->fallbacks[d->nfallbacks++] = url;
	return;
dup:
	free(url);
}

static void
fallbacks(struct discover *d, const char *url)
{
	char *dir = resolve(url, "./"), *root = resolve(url, "/");
	size_t i;

	d->fallbacks = xcalloc(2 * DISCOVER_PATHS, sizeof(*d->fallbacks));
	if (dir != NULL)
		for (i = 0; i < DISCOVER_PATHS; i++)
			fallback_add(d, resolve(dir, fallback_paths[i]));
	if (root != NULL)
		for (i = 0; i < DISCOVER_PATHS; i++)
			fallback_add(d, resolve(root, fallback_paths[i]));
	free(dir);
	free(root);
}

int
discover_page(const char *body, size_t len, const char *url,
    const char *ctype, struct discover *out, char *err, size_t errlen)
{
	struct buf clean = BUF_INIT(0);
	struct walk w;
	htmlDocPtr doc;
	char *base;

	memset(out, 0, sizeof(*out));
	if (url == NULL || (base = resolve(url, "")) == NULL) {
		errf(err, errlen, "not an http(s) URL: %s", url ? url : "");
		return -1;
	}
	if (len > LIM_ARTICLE_PAGE) {
		free(base);
		errf(err, errlen, "page too large (%zu bytes)", len);
		return -1;
	}
	if (is_feed(body, len, ctype)) {
		free(base);
		out->kind = DISCOVER_FEED;
		return 0;
	}
	if (!is_html(body, len, ctype)) {
		free(base);
		return 0;
	}
	out->kind = DISCOVER_PAGE;
	memset(&w, 0, sizeof(w));
	w.d = out;
	w.base = base;
	utf8_clean(&clean, body, len, 0);
	if (clean.len > 0 && clean.len <= HTML_INT_MAX &&
	    (doc = htmlReadMemory(clean.data, (int)clean.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_COMPACT)) != NULL) {
		walk(&w, (xmlNodePtr)doc, 0);
		xmlFreeDoc(doc);
	}
	buf_free(&clean);
	free(w.base);
	feeds_order(out);
	fallbacks(out, url);
	return 0;
}

void
discover_free(struct discover *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nfeeds; i++) {
		free(d->feeds[i].url);
		free(d->feeds[i].title);
		free(d->feeds[i].type);
	}
	free(d->feeds);
	for (i = 0; i < d->nfallbacks; i++)
		free(d->fallbacks[i]);
	free(d->fallbacks);
	memset(d, 0, sizeof(*d));
}
