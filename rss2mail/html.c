/*
 * html.c - HTML for mail: the parse every rendering shares, an allow-list
 * sanitizer, the list of a body's images, and plain text made HTML.
 *
 * Input is made valid UTF-8 first, then parsed with HTML_PARSE_NONET and
 * no error output; libxml2 repairs the markup (unclosed and misnested
 * tags) into a tree, and the walkers work on that tree, so what they
 * write is well formed.  The sanitizer writes only elements and
 * attributes from its tables: anything else is unwrapped (its children
 * kept) or, for the dangerous ones, dropped with its content.  Text is
 * always escaped, so the only markup in the output is markup written here.
 *
 * Deliberately not here: CSS (style attributes and elements are dropped),
 * fetching anything, resolving relative URLs (the feed parser did that),
 * rendering to plain text (html_text.c, on the same tree and the same
 * rules, through html_int.h), the document a message's HTML part puts
 * around the sanitized fragment (message_html.c).  This file and
 * html_text.c are the only ones that include libxml2's HTML parser.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "html.h"
#include "html_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define HTML_INT_MAX	0x7fffffff	/* htmlReadMemory takes an int */

/*
 * The element tables are sorted (strcmp order) and searched by halving
 * (html_lookup): every element of every entry is looked up in several of
 * them.
 */

/* Elements dropped together with everything inside them. */
static const char *const html_drop[] = {
	"applet", "audio", "base", "button", "canvas", "dialog", "form",
	"frame", "frameset", "head", "iframe", "input", "link", "math", "meta",
	"noembed", "noframes", "noscript", "object", "option", "param",
	"plaintext", "script", "select", "style", "svg", "template",
	"textarea", "title", "video", "xmp", NULL
};

/*
 * Empty elements of HTML5 that libxml2 2.9's HTML4 parser does not know
 * are empty: it makes the rest of the document their children.  They are
 * dropped, but what it put inside them is kept.
 */
static const char *const html_void_unknown[] = {
	"embed", "keygen", "source", "track", "wbr", NULL
};

/* Elements kept, with the attributes each may carry (besides the common
 * ones below).  Every other element is unwrapped. */
static const struct html_allow {
	const char	*name;
	const char	*attrs[6];
} html_allow[] = {
	{ "a", { "href", NULL } },
	{ "abbr", { NULL } },
	{ "acronym", { NULL } },
	{ "address", { NULL } },
	{ "article", { NULL } },
	{ "aside", { NULL } },
	{ "b", { NULL } },
	{ "bdi", { NULL } },
	{ "bdo", { NULL } },
	{ "big", { NULL } },
	{ "blockquote", { "cite", NULL } },
	{ "br", { NULL } },
	{ "caption", { NULL } },
	{ "center", { NULL } },
	{ "cite", { NULL } },
	{ "code", { NULL } },
	{ "col", { "span", NULL } },
	{ "colgroup", { "span", NULL } },
	{ "dd", { NULL } },
	{ "del", { NULL } },
	{ "details", { NULL } },
	{ "dfn", { NULL } },
	{ "div", { NULL } },
	{ "dl", { NULL } },
	{ "dt", { NULL } },
	{ "em", { NULL } },
	{ "figcaption", { NULL } },
	{ "figure", { NULL } },
	{ "footer", { NULL } },
	{ "h1", { NULL } },
	{ "h2", { NULL } },
	{ "h3", { NULL } },
	{ "h4", { NULL } },
	{ "h5", { NULL } },
	{ "h6", { NULL } },
	{ "header", { NULL } },
	{ "hr", { NULL } },
	{ "i", { NULL } },
	{ "img", { "src", "alt", "width", "height", NULL } },
	{ "ins", { NULL } },
	{ "kbd", { NULL } },
	{ "li", { "value", NULL } },
	{ "main", { NULL } },
	{ "mark", { NULL } },
	{ "ol", { "start", "type", "reversed", NULL } },
	{ "p", { NULL } },
	{ "pre", { NULL } },
	{ "q", { "cite", NULL } },
	{ "rp", { NULL } },
	{ "rt", { NULL } },
	{ "ruby", { NULL } },
	{ "s", { NULL } },
	{ "samp", { NULL } },
	{ "section", { NULL } },
	{ "small", { NULL } },
	{ "span", { NULL } },
	{ "strike", { NULL } },
	{ "strong", { NULL } },
	{ "sub", { NULL } },
	{ "summary", { NULL } },
	{ "sup", { NULL } },
	{ "table", { NULL } },
	{ "tbody", { NULL } },
	{ "td", { "colspan", "rowspan", NULL } },
	{ "tfoot", { NULL } },
	{ "th", { "colspan", "rowspan", "scope", NULL } },
	{ "thead", { NULL } },
	{ "time", { "datetime", NULL } },
	{ "tr", { NULL } },
	{ "tt", { NULL } },
	{ "u", { NULL } },
	{ "ul", { NULL } },
	{ "var", { NULL } },
	{ NULL, { NULL } }
};

/* Attributes any kept element may carry. */
static const char *const html_common_attrs[] = {
	"title", "lang", "dir", NULL
};

/* Blocks followed by a line end in the sanitized source. */
static const char *const html_block_ends[] = {
	"article", "aside", "blockquote", "dd", "div", "dl", "dt", "figure",
	"footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main",
	"ol", "p", "pre", "section", "table", "tr", "ul", NULL
};

/* Elements written without an end tag. */
static const char *const html_void[] = {
	"br", "col", "hr", "img", NULL
};

/*
 * Images that only count readers: these hosts (and their subdomains) and
 * these path pieces.  A 1x1 (or 0x0) image is dropped whatever its host.
 */
static const char *const html_tracker_hosts[] = {
	"feeds.feedburner.com", "feedproxy.google.com", "pixel.wp.com",
	"stats.wordpress.com", "google-analytics.com", "doubleclick.net",
	"pixel.quantserve.com", "scorecardresearch.com", "feedsportal.com",
	"pi.feedsportal.com", "b.scorecardresearch.com", "pixel.facebook.com",
	"analytics.twitter.com", "ct.pinterest.com", "bat.bing.com",
	"pixel.mathtag.com", "mf.feeds.reuters.com", "feeds.wordpress.com",
	"assets.feedblitz.com", "www.feedblitz.com", "feeds.feedblitz.com",
	NULL
};
static const char *const html_tracker_paths[] = {
	"/~r/", "/~ff/", "/~a/", "/~n/", "/~f/", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

const void *
html_lookup(const void *table, size_t n, size_t size, const char *name)
{
	const char *base = table, *e;
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		e = base + mid * size;
		if ((c = strcmp(name, *(const char *const *)e)) == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Lookups in the NULL-terminated tables above (the NULL not searched). */
#define NAMES(list)	(sizeof(list) / sizeof(list[0]) - 1)
#define FIND(list, s)	html_lookup(list, NAMES(list), sizeof(list[0]), s)
#define IN_SORTED(list, s)	(FIND(list, s) != NULL)

int
html_dropped(const char *name)
{
	return IN_SORTED(html_drop, name);
}

/* Parse cleaned text c; NULL when empty. */
static htmlDocPtr
parse_clean(const struct buf *c)
{
	if (c->len == 0)
		return NULL;
	return htmlReadMemory(c->data, (int)c->len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_COMPACT);
}

/* Parse s[0..n) (made valid UTF-8 first); NULL when empty or too big. */
static htmlDocPtr
parse(const char *s, size_t n)
{
	struct buf c = BUF_INIT(0);
	htmlDocPtr doc;

	if (n > HTML_INT_MAX / 2)
		return NULL;
	utf8_clean(&c, s, n, 0);
	doc = parse_clean(&c);
	buf_free(&c);
	return doc;
}

/* Bytes that need no escaping, appended at once; at the cap, the bytes
 * that fit (as when they were appended one by one). */
static void
escape_run(struct buf *out, const char *s, size_t n)
{
	size_t room = buf_room(out);

	if (n == 0)
		return;
	if (n <= room) {
		buf_append(out, s, n);
		return;
	}
	if (room > 0)
		buf_append(out, s, room);
	out->overflow = 1;
}

int
html_escape(struct buf *out, const char *s, size_t n)
{
	const char *ent;
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		escape_run(out, s + run, i - run);
		buf_puts(out, ent);
		run = i + 1;
	}
	escape_run(out, s + run, n - run);
	return out->overflow ? -1 : 0;
}

/* Escape s after making it valid UTF-8 (oneline for attribute values);
 * c is scratch space. */
static void
escape_clean_in(struct buf *out, const char *s, int oneline, struct buf *c)
{
	buf_reset(c);
	utf8_clean(c, s, strlen(s), oneline);
	html_escape(out, buf_str(c), c->len);
}

static void
escape_clean(struct buf *out, const char *s, int oneline)
{
	struct buf c = BUF_INIT(0);

	escape_clean_in(out, s, oneline, &c);
	buf_free(&c);
}

int
html_escape_line(struct buf *out, const char *s)
{
	escape_clean(out, s, 1);
	return out->overflow ? -1 : 0;
}

/*
 * The URL as a browser would read it: leading and trailing whitespace and
 * controls stripped, tabs and newlines inside removed (WHATWG URL
 * parsing does that, which is how "jav&#x09;ascript:" works).  The scheme
 * is then compared without case.
 */
static void
url_clean(const char *url, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)url;
	size_t n = strlen(url), i, e;

	for (i = 0; i < n && u[i] <= ' '; i++)
		;
	for (e = n; e > i && u[e - 1] <= ' '; e--)
		;
	for (; i < e; i++)
		if (u[i] >= ' ' && u[i] != 0x7F)
			buf_putc(out, u[i]);
}

static int
url_scheme_ok(const char *url, int img)
{
	static const char *const link[] = { "http", "https", "mailto", NULL };
	static const char *const image[] = { "http", "https", "cid", NULL };
	char scheme[16];
	size_t i;

	for (i = 0; url[i] != '\0' && url[i] != ':' && i < sizeof(scheme) - 1;
	    i++) {
		char ch = url[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		scheme[i] = ch;
	}
	if (url[i] != ':')
		return 0;	/* no scheme (relative), or an odd one */
	scheme[i] = '\0';
	if (!in_list(img ? image : link, scheme))
		return 0;
	/* http(s) must name a host */
	if (strncmp(scheme, "http", 4) == 0 &&
	    strncmp(url + i, "://", 3) != 0)
		return 0;
	return url[i + 1] != '\0';
}

int
html_url_clean(const char *url, int img, struct buf *out)
{
	buf_reset(out);
	if (url == NULL)
		return 0;
	url_clean(url, out);
	return url_scheme_ok(buf_str(out), img);
}

int
html_url_ok(const char *url, int img)
{
	struct buf c = BUF_INIT(0);
	int r = html_url_clean(url, img, &c);

	buf_free(&c);
	return r;
}

/* The host of an http(s) URL, lower case, into out. */
static void
url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://"), *e, *a;
	size_t i = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 3;
	if ((e = strpbrk(p, "/?#")) == NULL)
		e = p + strlen(p);
	/* skip userinfo */
	for (a = p; a < e; a++)
		if (*a == '@')
			p = a + 1;
	for (; p < e && *p != ':' && i + 1 < outlen; p++, i++)
		out[i] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	out[i] = '\0';
}

static int
host_match(const char *host, const char *dom)
{
	size_t h = strlen(host), d = strlen(dom);

	if (h < d || strcmp(host + h - d, dom) != 0)
		return 0;
	return h == d || host[h - d - 1] == '.';
}

int
html_attr_int(xmlNodePtr n, const char *attr)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	int r = -1;

	if (v != NULL) {
		const char *p = (const char *)v;

		while (*p == ' ')
			p++;
		if (*p >= '0' && *p <= '9') {
			r = 0;
			for (; *p >= '0' && *p <= '9' && r < 100000; p++)
				r = r * 10 + (*p - '0');
		}
		xmlFree(v);
	}
	return r;
}

/* 1 when an <img> is a tracking pixel or from a tracker. */
static int
is_tracker(xmlNodePtr n, const char *src)
{
	char host[256];
	int w = html_attr_int(n, "width"), h = html_attr_int(n, "height");
	size_t i;

	if ((w >= 0 && w <= 1) && (h >= 0 && h <= 1))
		return 1;
	if (w == 0 || h == 0)
		return 1;
	url_host(src, host, sizeof(host));
	for (i = 0; html_tracker_hosts[i] != NULL; i++)
		if (host_match(host, html_tracker_hosts[i]))
			return 1;
	for (i = 0; html_tracker_paths[i] != NULL; i++)
		if (strstr(src, html_tracker_paths[i]) != NULL)
			return 1;
	return 0;
}

/* A URL attribute of n, cleaned, into out: 1 when safe as html_url_ok. */
static int
url_attr(xmlNodePtr n, const char *attr, int img, struct buf *out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	int r = html_url_clean((const char *)v, img, out);

	if (v != NULL)
		xmlFree(v);
	return r;
}

int
html_img_src(xmlNodePtr n, struct buf *out)
{
	return url_attr(n, "src", 1, out) && !is_tracker(n, buf_str(out));
}

int
html_link_href(xmlNodePtr n, struct buf *out)
{
	return url_attr(n, "href", 0, out);
}

/* ------------------------------------------------------------------ */
/* The sanitizer. */

static int
attr_allowed(const struct html_allow *a, const char *name)
{
	size_t i;

	for (i = 0; i < 6 && a->attrs[i] != NULL; i++)
		if (strcmp(a->attrs[i], name) == 0)
			return 1;
	return in_list(html_common_attrs, name);
}

struct san {
	struct buf		*out;
	const struct html_opts	*o;
	int			 pre;	/* inside pre: whitespace is content */
	struct buf		 text;	/* scratch for text nodes */
};

/*
 * Write the kept attributes of n; URL attributes only when safe.  src,
 * when not NULL, replaces the element's own src (an inline image's cid:).
 */
static void
san_attrs(xmlNodePtr n, const struct html_allow *a, const char *src,
    const int *wh, struct buf *out)
{
	struct buf u = BUF_INIT(0);
	xmlAttrPtr at;
	xmlChar *v;
	const char *name;

	for (at = n->properties; at != NULL; at = at->next) {
		name = (const char *)at->name;
		if (!attr_allowed(a, name) || (wh != NULL &&
		    (strcmp(name, "width") == 0 ||
		    strcmp(name, "height") == 0)))
			continue;
		if ((v = xmlGetProp(n, at->name)) == NULL)
			continue;
		buf_reset(&u);
		if (src != NULL && strcmp(name, "src") == 0)
			buf_puts(&u, src);
		else if (strcmp(name, "href") == 0 ||
		    strcmp(name, "src") == 0 || strcmp(name, "cite") == 0) {
			if (!html_url_clean((const char *)v,
			    strcmp(name, "src") == 0, &u)) {
				xmlFree(v);
				continue;
			}
		} else
			buf_puts(&u, (const char *)v);
		xmlFree(v);
		buf_printf(out, " %s=\"", name);
		escape_clean(out, buf_str(&u), 1);
		buf_putc(out, '"');
	}
	if (wh != NULL)
		buf_printf(out, " width=\"%d\" height=\"%d\"", wh[0], wh[1]);
	buf_free(&u);
}

static void san_children(struct san *, xmlNodePtr, int);

/* images = none: the alt text stands in for the image. */
static void
san_alt(struct san *s, xmlNodePtr n)
{
	xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");

	if (alt == NULL)
		return;
	if (*alt != '\0') {
		buf_puts(s->out, "[");
		escape_clean(s->out, (const char *)alt, 1);
		buf_puts(s->out, "]");
	}
	xmlFree(alt);
}

static void
san_node(struct san *s, xmlNodePtr n, int depth)
{
	const struct html_allow *a;
	struct buf tmp = BUF_INIT(0), cid = BUF_INIT(0);
	const char *name, *text, *c;
	int img, wh[2] = { 0, 0 };

	if ((text = html_node_text(n)) != NULL) {
		escape_clean_in(s->out, text, 0, &s->text);
		return;
	}
	if (!html_enter(n, depth))
		return;
	name = (const char *)n->name;
	a = IN_SORTED(html_void_unknown, name) ? NULL :
	    FIND(html_allow, name);
	img = a != NULL && strcmp(name, "img") == 0;
	if (img && !html_img_src(n, &tmp))
		goto out;	/* no safe source, or a tracker: no image */
	if (img && s->o != NULL && s->o->no_images) {
		san_alt(s, n);
		goto out;
	}
	if (img && s->o != NULL && s->o->image_cid != NULL &&
	    (c = s->o->image_cid(s->o->ctx, buf_str(&tmp))) != NULL) {
		buf_printf(&cid, "cid:%s", c);
		if (s->o->image_size != NULL)
			s->o->image_size(s->o->ctx, buf_str(&tmp), &wh[0],
			    &wh[1]);
	}
	if (a != NULL && strcmp(name, "a") == 0 && !html_link_href(n, &tmp))
		a = NULL;	/* an unsafe link is only its text */
	if (a == NULL) {
		san_children(s, n, depth + 1);
		goto out;
	}
	buf_printf(s->out, "<%s", name);
	san_attrs(n, a, cid.len ? cid.data : NULL, wh[0] > 0 && wh[1] > 0 ?
	    wh : NULL, s->out);
	buf_putc(s->out, '>');
	if (IN_SORTED(html_void, name))
		goto out;
	if (strcmp(name, "pre") == 0)
		s->pre++;
	san_children(s, n, depth + 1);
	if (strcmp(name, "pre") == 0)
		s->pre--;
	buf_printf(s->out, "</%s>", name);
	/* a line end after a block keeps the source (and its QP) readable */
	if (s->pre == 0 && IN_SORTED(html_block_ends, name) &&
	    !(n->next != NULL && n->next->type == XML_TEXT_NODE &&
	    n->next->content != NULL && n->next->content[0] == '\n'))
		buf_putc(s->out, '\n');
out:
	buf_free(&tmp);
	buf_free(&cid);
}

static void
san_children(struct san *s, xmlNodePtr n, int depth)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		san_node(s, c, depth);
}

struct html_tree *
html_parse(const char *html, size_t len)
{
	struct html_tree *t;
	htmlDocPtr doc;

	if ((doc = parse(html, len)) == NULL)
		return NULL;
	t = xmalloc(sizeof(*t));
	t->doc = doc;
	return t;
}

void
html_tree_free(struct html_tree *t)
{
	if (t == NULL)
		return;
	xmlFreeDoc(t->doc);
	free(t);
}

int
html_tree_sanitize(const struct html_tree *t, const struct html_opts *o,
    struct buf *out, char *err, size_t errlen)
{
	struct san s;
	xmlNodePtr root;

	if (t == NULL) {
		errf(err, errlen, "HTML: cannot parse");
		return -1;
	}
	s.out = out;
	s.o = o;
	s.pre = 0;
	buf_init(&s.text, 0);
	if ((root = xmlDocGetRootElement(t->doc)) != NULL)
		san_node(&s, root, 0);
	buf_free(&s.text);
	if (out->overflow) {
		errf(err, errlen, "HTML: output too large");
		return -1;
	}
	return 0;
}

int
html_sanitize_opts(const char *html, size_t len, const struct html_opts *o,
    struct buf *out, char *err, size_t errlen)
{
	struct html_tree *t;
	int r;

	if (len == 0)
		return 0;
	t = html_parse(html, len);
	r = html_tree_sanitize(t, o, out, err, errlen);
	html_tree_free(t);
	return r;
}

int
html_sanitize(const char *html, size_t len, struct buf *out, char *err,
    size_t errlen)
{
	return html_sanitize_opts(html, len, NULL, out, err, errlen);
}

static void
img_walk(xmlNodePtr n, struct buf *list, size_t *count, size_t max,
    int depth)
{
	struct buf src = BUF_INIT(0);
	xmlNodePtr c;
	const char *p;
	size_t k;

	if (!html_enter(n, depth) || *count >= max)
		return;
	if (strcmp((const char *)n->name, "img") == 0) {
		if (html_img_src(n, &src) &&
		    strncmp(src.data, "cid:", 4) != 0 &&
		    strchr(src.data, '\n') == NULL) {
			/* once each, in document order */
			for (p = buf_str(list); *p != '\0'; p += k + 1) {
				k = strcspn(p, "\n");
				if (k == src.len && memcmp(p, src.data, k) == 0)
					break;
			}
			if (*p == '\0') {
				buf_puts(list, src.data);
				buf_putc(list, '\n');
				(*count)++;
			}
		}
		buf_free(&src);
		return;
	}
	for (c = n->children; c != NULL; c = c->next)
		img_walk(c, list, count, max, depth + 1);
}

/*
 * 1 when cleaned text may hold an <img> element.  libxml2 makes an element
 * only from '<' directly followed by its name, and lower-cases the name,
 * so without "<img" in any case there is none and no tree is needed: the
 * parser returns a document for any non-empty input, one without images.
 */
static int
may_have_img(const char *s, size_t n)
{
	const char *p = s, *e = s + n;

	while (e - p >= 4 && (p = memchr(p, '<', (size_t)(e - p - 3))) !=
	    NULL) {
		if ((p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'm' &&
		    (p[3] | 0x20) == 'g')
			return 1;
		p++;
	}
	return 0;
}

int
html_image_urls(const char *html, size_t len, size_t max, struct buf *out)
{
	struct buf c = BUF_INIT(0);
	htmlDocPtr doc = NULL;
	xmlNodePtr root;
	size_t count = 0;
	int r = -1;

	if (len == 0)
		return 0;
	if (len > HTML_INT_MAX / 2)
		return -1;
	utf8_clean(&c, html, len, 0);
	if (c.len == 0)
		goto out;
	if (!may_have_img(c.data, c.len)) {
		r = out->overflow ? -1 : 0;
		goto out;
	}
	if ((doc = parse_clean(&c)) == NULL)
		goto out;
	if ((root = xmlDocGetRootElement(doc)) != NULL)
		img_walk(root, out, &count, max, 0);
	r = out->overflow ? -1 : 0;
out:
	xmlFreeDoc(doc);
	buf_free(&c);
	return r;
}

/* Length of an http(s) URL starting at s, trailing punctuation left out. */
static size_t
url_len(const char *s, size_t n)
{
	size_t i;

	if (!((n > 7 && strncmp(s, "http://", 7) == 0) ||
	    (n > 8 && strncmp(s, "https://", 8) == 0)))
		return 0;
	for (i = 0; i < n && (unsigned char)s[i] > ' ' && s[i] != '<' &&
	    s[i] != '>' && s[i] != '"' && (unsigned char)s[i] < 0x7F; i++)
		;
	while (i > 0 && strchr(".,;:!?)]'", s[i - 1]) != NULL)
		i--;
	return i > 8 ? i : 0;
}

int
html_from_text(const char *text, size_t len, struct buf *out)
{
	struct buf c = BUF_INIT(0);
	size_t i, k, blank = 0;
	int inp = 0;

	utf8_clean(&c, text, len, 0);
	for (i = 0; i < c.len; i++) {
		char ch = c.data[i];

		if (ch == '\r')
			continue;
		if (ch == '\n') {
			blank++;
			continue;
		}
		if (blank > 0 && inp) {
			buf_puts(out, blank > 1 ? "</p>\n" : "<br>\n");
			if (blank > 1)
				inp = 0;
		}
		blank = 0;
		if (!inp) {
			buf_puts(out, "<p>");
			inp = 1;
		}
		/* a bare URL becomes a link */
		if ((i == 0 || strchr(" \t\n(<[", c.data[i - 1]) != NULL) &&
		    (k = url_len(c.data + i, c.len - i)) > 0) {
			buf_puts(out, "<a href=\"");
			html_escape(out, c.data + i, k);
			buf_puts(out, "\">");
			html_escape(out, c.data + i, k);
			buf_puts(out, "</a>");
			i += k - 1;
			continue;
		}
		html_escape(out, &ch, 1);
	}
	if (inp)
		buf_puts(out, "</p>\n");
	buf_free(&c);
	return out->overflow ? -1 : 0;
}
