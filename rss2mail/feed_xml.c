/*
 * feed_xml.c - RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 with libxml2's SAX2
 * interface.  The encoding is chosen and broken documents are repaired in
 * feed_enc.c; this file drives libxml2 and maps elements to the model.
 *
 * Streaming, not a tree: the document is read in place (no copy), each
 * element is looked up in one table (namespace, name, context) -> (field,
 * priority), and only the text of mapped elements is kept, so memory grows
 * with what we keep, not with the document.
 *
 * Safety: no DTD is loaded, no entity is substituted, an entity declaration
 * ends the parse ("entity declarations refused": billion laughs and
 * quadratic blowup die at their first line), the external entity loader
 * refuses everything, XML_PARSE_HUGE is never set, nesting is capped at
 * LIM_XML_DEPTH and every kept string at LIM_FIELD/LIM_ONELINE.
 *
 * Malformed input: strict first, then one normalization pass and strict
 * again, then libxml2's recover mode; whatever was recovered sets bozo.
 * See docs/QUIRKS.md.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlIO.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "feed_xml_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

/* Fields whose text may span lines (everything else is one line). */
#define F_IS_BODY(f)	((f) == F_SUMMARY || (f) == F_CONTENT || \
			 (f) == F_SUBTITLE || (f) == F_INFO)
/* Fields holding a URL, resolved against the base in force. */
#define F_IS_URL(f)	((f) == F_LINK || (f) == F_COMMENTS || \
			 (f) == F_IMGURL || (f) == F_IMGLINK || (f) == F_AURI)

struct slot {
	const char	*v;
	const char	*type;
	const char	*base;
	const char	*lang;
	const char	*raw;		/* HTML before feed_html_tidy
					   changed it, else NULL */
	unsigned char	 prio;
};

struct xobj {
	struct slot	 s[F_MAX];
	struct feed_tag	*tags, **tagtail;
	struct feed_enclosure *encl, **encltail;
	int		 guidislink;
	int		 authors;	/* Atom author elements seen */
	int		 nencl;		/* enclosures kept */
	struct feed_link *links, **linktail;
	int		 nlinks;	/* links kept */
	int		 depth;		/* of the entry element */
	const char	*swap;		/* the R_SWAP element that set the
					   summary ("description") */
};

struct xnode {
	const char	*base;		/* xml:base in force */
	const char	*lang;		/* xml:lang in force */
	unsigned char	 ctx;		/* context of the children */
};

enum ttype { T_TEXT, T_HTML, T_XHTML };

struct capture {
	const struct rule *rule;	/* NULL: not capturing */
	int		 depth;		/* of the capturing element */
	int		 markup;	/* child elements are kept as markup */
	int		 strip;		/* depth of an xhtml div wrapper */
	int		 b64;		/* Atom 0.3 mode="base64" */
	const char	*type;		/* MIME type of the value */
	const char	*scheme;	/* category domain */
	const char	*label;		/* media:category label */
	const char	*rel;		/* atom:link without href: rel= */
	const char	*ltype;		/* ... and type= */
	int		 permalink;	/* guid isPermaLink */
	struct buf	 text;
};

struct xp {
	xmlParserCtxtPtr ctxt;
	struct arena	*a;
	struct feed	*f;
	struct feed_build b;
	const char	*doc_base;
	int		 depth;
	int		 skip;		/* depth of a skipped subtree, or 0 */
	struct xnode	 node[LIM_XML_DEPTH + 2];
	struct capture	 cap;
	struct xobj	 fo;		/* the feed's fields */
	struct xobj	 eo;		/* the current entry's */
	int		 in_entry;
	int		 rdf090;	/* RSS 0.90 namespace seen */
	int		 netscape;	/* DOCTYPE of Netscape's RSS 0.91 */
	int		 root;		/* a feed root element was seen */
	const char	*alias;		/* the namespace URI of a <feed> root
					   that is not Atom's: read as Atom */
	int		 alias03;	/* ... as Atom 0.3 (version="0.3") */
	int		 cdf;		/* a CDF document */
	char		 undeclared[80]; /* an undeclared module prefix */
	const xmlChar	*last_uri;	/* the last namespace looked up ... */
	enum ns		 last_ns;	/* ... and what it is */
	const char	*root_lang;	/* its xml:lang */
	int		 fatal;		/* stop: err says why; no fallback */
	char		 err[ERRLEN];
	char		 xmlerr[ERRLEN];	/* the first parser error */
	char		 encoding[64];	/* as libxml2 read it */
	struct buf	 res;		/* a body with its URLs resolved */
	struct buf	 c1;		/* a value with its C1 controls mapped */
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr
refuse_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

static void
xml_init(void)
{
	xmlInitParser();
	/* process-wide: nobody in this program loads external entities */
	xmlSetExternalEntityLoader(refuse_entity_loader);
}

static void
silent(void *ctx, const char *msg, ...)
{
}

static void
fatal(struct xp *x, const char *msg)
{
	if (!x->fatal)
		errf(x->err, sizeof(x->err), "%s", msg);
	x->fatal = 1;
	xmlStopParser(x->ctxt);
}

/* An attribute value (libxml2 keeps '&' as "&#38;" when it does not
 * substitute entities: undo that), cleaned to one line. */
static const char *
attr_get(struct xp *x, const xmlChar **attrs, int nattr, const char *uri,
    const char *name)
{
	struct buf b = BUF_INIT(LIM_ONELINE * 2);
	const char *v, *e, *r;
	int i;

	for (i = 0; i < nattr; i++, attrs += 5) {
		if (strcasecmp((const char *)attrs[0], name) != 0)
			continue;
		if ((uri == NULL) != (attrs[2] == NULL) || (uri && strcmp(uri,
		    (const char *)attrs[2]) != 0))
			continue;
		v = (const char *)attrs[3];
		e = (const char *)attrs[4];
		while (v < e) {
			const char *amp = memchr(v, '&', (size_t)(e - v));

			if (amp == NULL) {
				buf_append(&b, v, (size_t)(e - v));
				break;
			}
			buf_append(&b, v, (size_t)(amp - v));
			if (e - amp >= 5 && memcmp(amp, "&#38;", 5) == 0) {
				buf_putc(&b, '&');
				v = amp + 5;
			} else {
				buf_putc(&b, '&');
				v = amp + 1;
			}
		}
		r = feed_str(x->a, b.data ? b.data : "", b.len, 1,
		    LIM_ONELINE);
		buf_free(&b);
		if (r == NULL)
			fatal(x, "feed too large");
		return r;
	}
	return NULL;
}

#define XML_NS	"http://www.w3.org/XML/1998/namespace"
/* the schemes feedparser gives iTunes and Media RSS categories */
#define ITUNES_SCHEME	"http://www.itunes.com/"
#define MEDIA_SCHEME	"http://search.yahoo.com/mrss/category_schema"

/* Dates: of two at one priority the later wins, as in feedparser (an
 * element written twice is corrected, an Atom 0.3 issued is followed by
 * published). */
#define F_LATER_WINS(f)	((f) == F_PUBLISHED || (f) == F_UPDATED || \
			 (f) == F_CREATED)

/* Store a finished value into the object's slot, by priority. */
static void
slot_set(struct xobj *o, int field, int prio, const char *v,
    const char *type, const char *base, const char *lang)
{
	struct slot *s = &o->s[field];

	if (v == NULL || (s->v != NULL && (s->prio > prio ||
	    (s->prio == prio && !F_LATER_WINS(field)))))
		return;
	s->v = v;
	s->prio = (unsigned char)prio;
	s->type = type;
	s->base = base;
	s->lang = lang;
}

static struct xobj *
cur_obj(struct xp *x)
{
	return x->in_entry ? &x->eo : &x->fo;
}

static void
tag_add(struct xp *x, const char *term, const char *scheme,
    const char *label)
{
	struct xobj *o = cur_obj(x);
	struct feed_tag *t;

	if (term == NULL || *term == '\0')
		return;
	scheme = scheme && *scheme ? scheme : NULL;
	label = label && *label ? label : NULL;
	for (t = o->tags; t; t = t->next)	/* one of each, as feedparser */
		if (strcmp(t->term, term) == 0 && !strcmp(t->scheme ?
		    t->scheme : "", scheme ? scheme : "") && !strcmp(t->label ?
		    t->label : "", label ? label : ""))
			return;
	if ((t = arena_alloc(x->a, sizeof(*t))) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	t->term = term;
	t->scheme = scheme;
	t->label = label;
	if (o->tagtail == NULL)
		o->tagtail = &o->tags;
	*o->tagtail = t;
	o->tagtail = &t->next;
}

static void
encl_add(struct xp *x, const char *href, const char *type, const char *len)
{
	struct feed_enclosure *e;
	char *end;

	if (href == NULL || *href == '\0' || !x->in_entry)
		return;
	if ((href = feed_url_resolve(x->a, x->node[x->depth].base,
	    href)) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	if (x->eo.nencl >= LIM_ENCLOSURES)
		return;		/* the duplicate check below is quadratic */
	for (e = x->eo.encl; e; e = e->next)
		if (strcmp(e->href, href) == 0)
			return;
	if ((e = arena_alloc(x->a, sizeof(*e))) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	e->href = href;
	e->type = type && *type ? type : NULL;
	e->length = -1;
	if (len && *len) {
		errno = 0;
		e->length = strtoll(len, &end, 10);
		if (errno || *end || e->length < 0)
			e->length = -1;
	}
	if (x->eo.encltail == NULL)
		x->eo.encltail = &x->eo.encl;
	*x->eo.encltail = e;
	x->eo.encltail = &e->next;
	x->eo.nencl++;
}

/* One of feedparser's links (href already resolved). */
static void
link_add(struct xp *x, const char *rel, const char *href, const char *type,
    const char *title, const char *len)
{
	struct xobj *o = cur_obj(x);
	struct feed_link *l;
	char *end;

	if (o->nlinks >= LIM_ENCLOSURES)
		return;
	if ((l = arena_alloc(x->a, sizeof(*l))) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	l->rel = rel;
	l->href = href;
	l->type = type && *type ? type : strcmp(rel, "self") == 0 ?
	    "application/atom+xml" : "text/html";
	l->title = title && *title ? title : NULL;
	l->length = -1;
	if (len && *len) {
		errno = 0;
		l->length = strtoll(len, &end, 10);
		if (errno || *end || l->length < 0)
			l->length = -1;
	}
	if (o->linktail == NULL)
		o->linktail = &o->links;
	*o->linktail = l;
	o->linktail = &l->next;
	o->nlinks++;
}

static void
on_link(struct xp *x, const xmlChar **attrs, int nattr)
{
	const char *rel, *href, *type, *len, *abs;
	struct xobj *o = cur_obj(x);

	rel = attr_get(x, attrs, nattr, NULL, "rel");
	href = attr_get(x, attrs, nattr, NULL, "href");
	type = attr_get(x, attrs, nattr, NULL, "type");
	len = attr_get(x, attrs, nattr, NULL, "length");
	if (href && *href == '\0')
		href = x->node[x->depth].base;	/* "": the base itself */
	if (href == NULL || *href == '\0')
		return;
	if ((abs = feed_url_resolve(x->a, x->node[x->depth].base, href)) ==
	    NULL) {
		fatal(x, "feed too large");
		return;
	}
	link_add(x, rel && *rel ? rel : "alternate", abs, type,
	    attr_get(x, attrs, nattr, NULL, "title"), len);
	if (rel == NULL || *rel == '\0' || strcmp(rel, "alternate") == 0 ||
	    strcmp(rel, "http://www.iana.org/assignments/relation/alternate")
	    == 0)
		/* in RSS, atom:link is weaker than the RSS link */
		slot_set(o, F_LINK, 2, abs, NULL, NULL, NULL);
	else if (strcmp(rel, "enclosure") == 0)
		encl_add(x, href, type, len);
	else if (strcmp(rel, "self") == 0 && !x->in_entry)
		slot_set(o, F_SELF, 1, abs, NULL, NULL, NULL);
}

static void	cap_start(struct xp *, const struct rule *, enum ns,
		    const xmlChar **, int);

/*
 * An atom:link with no href but text ("<link rel=\"alternate\">http://
 * ...</link>", seen in the wild and read by feedparser): capture the text
 * as the link.  1 when capturing.
 */
static int
link_text(struct xp *x, const struct rule *r, enum ns ns,
    const xmlChar **attrs, int nattr)
{
	static const struct rule alink = { 0, NS_ATOM, "link", K_TEXT, F_LINK,
	    2, R_ALINK };
	const char *href = attr_get(x, attrs, nattr, NULL, "href");
	const char *rel = attr_get(x, attrs, nattr, NULL, "rel");
	const char *type = attr_get(x, attrs, nattr, NULL, "type");

	if (x->fatal || href != NULL)
		return 0;
	cap_start(x, &alink, ns, attrs, nattr);
	x->cap.rel = rel && *rel ? rel : "alternate";
	x->cap.ltype = type;
	return 1;
}

static void
on_media(struct xp *x, const xmlChar **attrs, int nattr)
{
	encl_add(x, attr_get(x, attrs, nattr, NULL, "url"),
	    attr_get(x, attrs, nattr, NULL, "type"),
	    attr_get(x, attrs, nattr, NULL, "fileSize"));
}

static void
on_enclosure(struct xp *x, const xmlChar **attrs, int nattr)
{
	const char *url = attr_get(x, attrs, nattr, NULL, "url");
	const char *type = attr_get(x, attrs, nattr, NULL, "type");
	const char *len = attr_get(x, attrs, nattr, NULL, "length");
	const char *abs;

	encl_add(x, url, type, len);
	if (url == NULL || *url == '\0' || x->fatal)
		return;
	if ((abs = feed_url_resolve(x->a, x->node[x->depth].base, url)) ==
	    NULL)
		fatal(x, "feed too large");
	else
		link_add(x, "enclosure", abs, type, NULL, len);
}

static void
on_category(struct xp *x, const xmlChar **attrs, int nattr)
{
	tag_add(x, attr_get(x, attrs, nattr, NULL, "term"),
	    attr_get(x, attrs, nattr, NULL, "scheme"),
	    attr_get(x, attrs, nattr, NULL, "label"));
}

static void
on_itunes_category(struct xp *x, const xmlChar **attrs, int nattr)
{
	tag_add(x, attr_get(x, attrs, nattr, NULL, "text"), ITUNES_SCHEME,
	    NULL);
}

/* itunes:image href= (or url=), itunes:link rel="image": the image. */
static void
on_itunes_image(struct xp *x, const xmlChar **attrs, int nattr)
{
	const char *h = attr_get(x, attrs, nattr, NULL, "href");
	const char *rel = attr_get(x, attrs, nattr, NULL, "rel");

	if (h == NULL)
		h = attr_get(x, attrs, nattr, NULL, "url");
	if (h == NULL || *h == '\0' || (rel && strcmp(rel, "image") != 0))
		return;
	if ((h = feed_url_resolve(x->a, x->node[x->depth].base, h)) == NULL)
		fatal(x, "feed too large");
	else
		slot_set(&x->fo, F_IMGURL, 1, h, NULL, NULL, NULL);
}

/* The type of an Atom text construct from its attributes. */
static void
atom_type(struct xp *x, const xmlChar **attrs, int nattr, int atom03)
{
	const char *t = attr_get(x, attrs, nattr, NULL, "type");
	const char *mode = attr_get(x, attrs, nattr, NULL, "mode");

	x->cap.type = "text/plain";
	if (t == NULL || *t == '\0' || strcmp(t, "text") == 0 ||
	    strcmp(t, "text/plain") == 0)
		;
	else if (strcmp(t, "html") == 0 || strcmp(t, "text/html") == 0)
		x->cap.type = "text/html";
	else if (strcmp(t, "xhtml") == 0 ||
	    strcmp(t, "application/xhtml+xml") == 0) {
		x->cap.type = "application/xhtml+xml";
		x->cap.markup = 1;
		if (atom03)
			x->cap.strip = -1;	/* Atom 1.0's div only */
	} else {
		x->cap.type = t;
		/* RFC 4287 4.1.3.3: neither text nor XML is base64 */
		if (!atom03 && strncasecmp(t, "text/", 5) != 0 &&
		    !strstr(t, "+xml") && !strstr(t, "/xml"))
			x->cap.b64 = 1;
	}
	if (atom03 && mode) {
		if (strcmp(mode, "escaped") == 0)
			x->cap.markup = 0;
		else if (strcmp(mode, "base64") == 0)
			x->cap.b64 = 1;
	}
	if (x->cap.markup && strcmp(x->cap.type, "application/xhtml+xml") &&
	    strcmp(x->cap.type, "text/html"))
		x->cap.markup = 0;
}

static void
cap_start(struct xp *x, const struct rule *r, enum ns ns,
    const xmlChar **attrs, int nattr)
{
	const char *pl;

	x->cap.rule = r;
	x->cap.depth = x->depth;
	x->cap.markup = 0;
	x->cap.strip = 0;
	x->cap.b64 = 0;
	x->cap.scheme = NULL;
	x->cap.permalink = 0;
	x->cap.type = "text/plain";
	buf_reset(&x->cap.text);
	x->cap.text.overflow = 0;
	if (r->flags & R_HTML)
		x->cap.type = "text/html";
	else if (r->flags & R_XHTML) {
		x->cap.type = "application/xhtml+xml";
		x->cap.markup = 1;
		x->cap.strip = -1;
	} else if (r->flags & R_ATOM)
		atom_type(x, attrs, nattr, ns == NS_ATOM03);
	if (r->flags & R_GUID) {
		pl = attr_get(x, attrs, nattr, NULL, "isPermaLink");
		x->cap.permalink = pl == NULL || strcasecmp(pl, "true") == 0;
	}
	if (r->flags & R_DOMAIN)
		x->cap.scheme = attr_get(x, attrs, nattr, NULL, "domain");
	x->cap.label = NULL;
	if (r->flags & R_MEDIA) {
		x->cap.scheme = attr_get(x, attrs, nattr, NULL, "scheme");
		if (x->cap.scheme == NULL)
			x->cap.scheme = MEDIA_SCHEME;
		x->cap.label = attr_get(x, attrs, nattr, NULL, "label");
	}
}





/* A child element inside a captured value. */
static void
cap_child_open(struct xp *x, const xmlChar *local, const xmlChar *uri,
    const xmlChar **attrs, int nattr)
{
	struct capture *c = &x->cap;
	struct buf esc = BUF_INIT(0);
	int i;

	if (!c->markup && (c->rule->flags & R_ATOM) && c->strip == 0 &&
	    x->depth == c->depth + 1 && strcmp(c->type, "text/html") == 0 &&
	    strcmp((const char *)local, "div") == 0 &&
	    feed_ns_of((const char *)uri) == NS_XHTML && feed_blank(&c->text)) {
		c->strip = x->depth;	/* escaped HTML in an xhtml div */
		return;
	}
	if (!c->markup) {
		/* one-line fields keep the text only, but an Atom text
		 * construct keeps its naked markup, as feedparser */
		if (!F_IS_BODY(c->rule->field) && !(c->rule->flags & R_ATOM))
			return;
		/* markup inside an RSS description: keep it as HTML */
		if (c->text.len)
			feed_html_escape(&esc, c->text.data, c->text.len, 0);
		buf_reset(&c->text);
		if (esc.len)
			buf_append(&c->text, esc.data, esc.len);
		buf_free(&esc);
		c->markup = 1;
		if (strcmp(c->type, "application/xhtml+xml") != 0)
			c->type = "text/html";
	}
	if (x->depth == c->depth + 1 && c->strip == 0 &&
	    strcmp(c->type, "application/xhtml+xml") == 0 &&
	    strcmp((const char *)local, "div") == 0 &&
	    feed_ns_of((const char *)uri) == NS_XHTML) {
		c->strip = x->depth;	/* Atom's xhtml wrapper div */
		return;
	}
	buf_putc(&c->text, '<');
	buf_puts(&c->text, (const char *)local);
	for (i = 0; i < nattr; i++, attrs += 5) {
		const char *v = (const char *)attrs[3];
		const char *e = (const char *)attrs[4];

		buf_putc(&c->text, ' ');
		buf_puts(&c->text, (const char *)attrs[0]);
		buf_puts(&c->text, "=\"");
		feed_attr_escape(&c->text, v, (size_t)(e - v));
		buf_putc(&c->text, '"');
	}
	buf_puts(&c->text, feed_html_void((const char *)local) ? " />" : ">");
}

static void
cap_child_close(struct xp *x, const xmlChar *local)
{
	struct capture *c = &x->cap;

	if (!c->markup)
		return;
	if (c->strip == x->depth) {
		c->strip = -1;		/* only the first wrapper */
		return;
	}
	if (feed_html_void((const char *)local))
		return;
	buf_puts(&c->text, "</");
	buf_puts(&c->text, (const char *)local);
	buf_putc(&c->text, '>');
}



/* The language in force: xml:lang (xml:lang="" says none), else the
 * feed's language element. */
static const char *
lang_of(struct xp *x, const struct xnode *nd)
{
	if (nd->lang)
		return *nd->lang ? nd->lang : NULL;
	return x->fo.s[F_LANGUAGE].v;
}

/* itunes:keywords (or <tags>) "a, b,c": each a tag in the scheme. */
static void
keywords_add(struct xp *x, const char *v, const char *scheme)
{
	const char *p = v, *end, *t;
	size_t n;

	while (*p && !x->fatal) {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		if ((t = feed_str(x->a, p, n, 1, LIM_ONELINE)) == NULL)
			fatal(x, "feed too large");
		else if (*t)
			tag_add(x, t, scheme, NULL);
		p = *end ? end + 1 : end;
	}
}

/* The captured element ended: clean its text and store it. */
static void
cap_end(struct xp *x)
{
	struct capture *c = &x->cap;
	const struct rule *r = c->rule;
	struct xobj *o = cur_obj(x);
	struct xnode *nd = &x->node[x->depth];
	const char *v, *raw = NULL, *data = c->text.data ? c->text.data : "";
	size_t n = c->text.len;
	int body = F_IS_BODY(r->field), field = r->field, prio = r->prio;

	c->rule = NULL;
	if (c->b64)
		n = feed_b64_decode(c->text.data ? c->text.data : (char *)"", n);
	if ((body || ((r->flags & R_ATOM) && (strcmp(c->type,
	    "text/html") == 0 || strcmp(c->type, "application/xhtml+xml") ==
	    0))) && strcmp(c->type, "text/plain") != 0 && nd->base &&
	    feed_html_resolve(data, n, nd->base, &x->res) == 1) {
		data = x->res.data;	/* relative href/src resolved */
		n = x->res.len;
	}
	buf_reset(&x->c1);
	if (feed_c1_map(data, n, &x->c1) == 1 && !x->c1.overflow) {
		data = x->c1.data;	/* windows-1252 in C1 clothing */
		n = x->c1.len;
	}
	if (body) {		/* white space around a body: as feedparser */
		while (n > 0 && isspace((unsigned char)*data)) {
			data++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)data[n - 1]))
			n--;
	}
	v = feed_str(x->a, data, n, !body, body ? LIM_FIELD : LIM_ONELINE);
	if (v == NULL) {
		fatal(x, "feed too large");
		return;
	}
	if (*v == '\0')
		return;		/* absent, never "" */
	if (F_IS_URL(r->field) &&
	    (v = feed_url_resolve(x->a, nd->base, v)) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	switch (r->field) {
	case F_TITLE:
		if (!(r->flags & R_ATOM) &&
		    strcmp(c->type, "text/plain") == 0 && feed_looks_like_html(v))
			c->type = "text/html";
		break;
	case F_LINK:
		if (!(r->flags & R_ALINK)) {
			link_add(x, "alternate", v, NULL, NULL, NULL);
			break;
		}
		link_add(x, c->rel, v, c->ltype, NULL, NULL);
		if (strcmp(c->rel, "alternate") != 0)
			return;		/* only the alternate is the link */
		break;
	case F_TAG:
		tag_add(x, v, c->scheme, c->label);
		return;
	case F_KEYWORDS:
		keywords_add(x, v, r->ns == NS_ITUNES ? ITUNES_SCHEME : NULL);
		return;
	case F_ID:
		if (r->flags & R_GUID) {
			if (o->s[F_ID].v == NULL)
				o->guidislink = c->permalink &&
				    o->s[F_LINK].v == NULL;
			if (c->permalink) {
				const char *l = feed_url_resolve(x->a,
				    nd->base, v);

				if (l == NULL) {
					fatal(x, "feed too large");
					return;
				}
				slot_set(o, F_LINK, 1, l, NULL, NULL, NULL);
			}
		}
		break;
	case F_ANAME:
	case F_AEMAIL:
	case F_AURI:
		if (o->authors > 1)
			return;		/* the first author only */
		break;
	case F_SUMMARY:
		/* an RSS item with both description and summary: the
		 * second is the content, as feedparser reads it (weaker
		 * than content:encoded); the first stays the summary */
		if (!(r->flags & R_SWAP))
			break;
		if (o->swap == NULL)
			o->swap = r->name;
		else if (o->swap != r->name && o->s[F_CONTENT].v == NULL) {
			field = F_CONTENT;
			prio = 1;
		}
		break;
	default:
		break;
	}
	if (strcmp(c->type, "text/html") == 0) {
		buf_reset(&x->res);
		x->res.overflow = 0;
		if (feed_html_tidy(v, strlen(v), &x->res) == 1) {
			raw = v;
			if ((v = feed_str(x->a, x->res.data, x->res.len, !body,
			    body ? LIM_FIELD : LIM_ONELINE)) == NULL) {
				fatal(x, "feed too large");
				return;
			}
		}
	}
	slot_set(o, field, prio, v, c->type, nd->base, lang_of(x, nd));
	if (o->s[field].v == v)
		o->s[field].raw = raw;
}

static void
date_set(struct feed_date *d, const char *raw)
{
	d->raw = raw;
	d->ok = raw && feed_date_parse(raw, &d->t) == 0;
	if (!d->ok)
		d->t = 0;
}

static void
text_set(struct xp *x, struct feed_text *t, const struct slot *s)
{
	t->value = s->v;
	if (s->v == NULL)
		return;
	t->type = s->type ? s->type : "text/plain";
	t->base = s->base;
	t->language = s->lang;
}

static void
person_set(struct xp *x, struct feed_person *p, const struct xobj *o)
{
	p->name = o->s[F_ANAME].v;
	p->email = o->s[F_AEMAIL].v;
	p->href = o->s[F_AURI].v;
	if (p->name == NULL && p->email == NULL && p->href == NULL &&
	    feed_person_parse(x->a, o->s[F_AUTHOR].v, p) == -1)
		fatal(x, "feed too large");
}

static void
entry_finish(struct xp *x)
{
	struct xobj *o = &x->eo;
	struct entry *e;

	x->in_entry = 0;
	if ((e = arena_alloc(x->a, sizeof(*e))) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	e->id = o->s[F_ID].v;
	e->guidislink = o->guidislink;
	text_set(x, &e->title, &o->s[F_TITLE]);
	e->link = o->s[F_LINK].v;
	person_set(x, &e->author, o);
	text_set(x, &e->summary, &o->s[F_SUMMARY]);
	text_set(x, &e->content, &o->s[F_CONTENT]);
	date_set(&e->published, o->s[F_PUBLISHED].v);
	date_set(&e->updated, o->s[F_UPDATED].v);
	date_set(&e->created, o->s[F_CREATED].v);
	text_set(x, &e->rights, &o->s[F_RIGHTS]);
	e->enclosures = o->encl;
	e->links = o->links;
	e->tags = o->tags;
	e->comments = o->s[F_COMMENTS].v;
	e->language = o->s[F_LANGUAGE].v;
	/* the identity hash (no guid, no link) is of the title and body as
	 * the feed wrote them, before feed_html_tidy, as it was before that
	 * pass: entries known by their hash are not sent again */
	if (o->s[F_TITLE].raw)
		e->title.value = o->s[F_TITLE].raw;
	if (o->s[F_SUMMARY].raw)
		e->summary.value = o->s[F_SUMMARY].raw;
	if (o->s[F_CONTENT].raw)
		e->content.value = o->s[F_CONTENT].raw;
	if (feed_build_add(&x->b, e) == -1)
		fatal(x, "feed too large");
	e->title.value = o->s[F_TITLE].v;
	e->summary.value = o->s[F_SUMMARY].v;
	e->content.value = o->s[F_CONTENT].v;
}


static void
feed_finish(struct xp *x)
{
	struct xobj *o = &x->fo;
	struct feed *f = x->f;
	const char *t;
	char *end;
	long ttl;

	text_set(x, &f->title, &o->s[F_TITLE]);
	f->link = o->s[F_LINK].v;
	text_set(x, &f->subtitle, &o->s[F_SUBTITLE]);
	f->language = o->s[F_LANGUAGE].v;
	if (f->language == NULL)
		f->language = x->root_lang && *x->root_lang ? x->root_lang :
		    NULL;			/* xml:lang on the root */
	text_set(x, &f->rights, &o->s[F_RIGHTS]);
	text_set(x, &f->info, &o->s[F_INFO]);
	date_set(&f->created, o->s[F_CREATED].v);
	f->generator = o->s[F_GENERATOR].v;
	f->id = o->s[F_ID].v;
	date_set(&f->updated, o->s[F_UPDATED].v);
	date_set(&f->published, o->s[F_PUBLISHED].v);
	person_set(x, &f->author, o);
	f->image.href = o->s[F_IMGURL].v;
	f->image.title = o->s[F_IMGTITLE].v;
	f->image.link = o->s[F_IMGLINK].v;
	f->tags = o->tags;
	f->links = o->links;
	f->self = o->s[F_SELF].v;
	if ((t = o->s[F_TTL].v) != NULL) {
		ttl = strtol(t, &end, 10);
		if (*end == '\0' && ttl > 0)
			f->ttl = ttl;
	}
	if (f->ttl == 0)
		f->ttl = feed_sy_ttl(o->s[F_SYPERIOD].v, o->s[F_SYFREQ].v);
	if (f->ttl == 0 && o->s[F_SYFREQ].v)
		f->ttl = feed_sy_ttl("daily", o->s[F_SYFREQ].v);
}

static void
set_version(struct xp *x, const struct rule *r, enum ns ns,
    const xmlChar **attrs, int nattr)
{
	const char *v;

	if (r->field == X_FEED && ns == NS_RSS) {
		x->f->version = "cdf";
		x->cdf = 1;
	} else if (r->field == X_RSS) {
		v = attr_get(x, attrs, nattr, NULL, "version");
		if (v == NULL)
			x->f->version = "rss";
		else if (strcmp(v, "0.91") == 0)
			x->f->version = x->netscape ? "rss091n" : "rss091u";
		else if (strcmp(v, "0.92") == 0)
			x->f->version = "rss092";
		else if (strcmp(v, "0.93") == 0)
			x->f->version = "rss093";
		else if (strcmp(v, "0.94") == 0)
			x->f->version = "rss094";
		else if (strncmp(v, "2.", 2) == 0 || strcmp(v, "2") == 0)
			x->f->version = "rss20";
		else
			x->f->version = "rss";
	} else if (r->field == X_RDF)
		x->f->version = "rss10";
	else if (ns == NS_ATOM)
		x->f->version = "atom10";
	else {
		v = attr_get(x, attrs, nattr, NULL, "version");
		if (v && strcmp(v, "0.3") == 0)
			x->f->version = "atom03";
		else if (v && strcmp(v, "0.2") == 0)
			x->f->version = "atom02";
		else if (v && strcmp(v, "0.1") == 0)
			x->f->version = "atom01";
		else
			x->f->version = "atom";
	}
}


/* Push xml:base and xml:lang of the element at x->depth. */
static void
node_push(struct xp *x, const xmlChar **attrs, int nattr)
{
	struct xnode *up = &x->node[x->depth - 1], *nd = &x->node[x->depth];
	const char *b, *l;

	nd->base = up->base;
	nd->lang = up->lang;
	nd->ctx = up->ctx;
	if ((b = attr_get(x, attrs, nattr, XML_NS, "base")) != NULL &&
	    (nd->base = feed_url_base(x->a, up->base, b)) == NULL)
		fatal(x, "feed too large");
	if ((l = attr_get(x, attrs, nattr, XML_NS, "lang")) != NULL) {
		nd->lang = l;		/* "" says: no language */
		if (strchr(l, '_') && (nd->lang = feed_lang_norm(x->a, l)) == NULL)
			fatal(x, "feed too large");
	}
}

/* CDF keeps the link and the date of a channel or item in attributes. */
static void
cdf_attrs(struct xp *x, const xmlChar **attrs, int nattr)
{
	const char *h = attr_get(x, attrs, nattr, NULL, "href");
	const char *m = attr_get(x, attrs, nattr, NULL, "lastmod");
	const char *b = attr_get(x, attrs, nattr, NULL, "base");
	struct xobj *o = cur_obj(x);

	if (b && *b && (x->node[x->depth].base = feed_url_base(x->a,
	    x->node[x->depth].base, b)) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	slot_set(o, F_UPDATED, 1, m && *m ? m : NULL, NULL, NULL, NULL);
	if (h == NULL || *h == '\0')
		return;
	if ((h = feed_url_resolve(x->a, x->node[x->depth].base, h)) == NULL) {
		fatal(x, "feed too large");
		return;
	}
	slot_set(o, F_LINK, 1, h, NULL, NULL, NULL);
	link_add(x, "alternate", h, NULL, NULL, NULL);
}

/*
 * The root element: an RSS 0.90 namespace declared on it makes rss090; a
 * <feed> in no namespace or an unknown one is read as Atom (feedparser
 * does: it knows Atom by the element names), 0.3 when version="0.3".
 */
static void
root_scan(struct xp *x, const xmlChar *local, const xmlChar *uri, int nns,
    const xmlChar **nss, const xmlChar **attrs, int nattr)
{
	const char *v;
	enum ns ns = feed_ns_of((const char *)uri);
	int i;

	for (i = 0; i < nns; i++)
		if (feed_ns_of((const char *)nss[2 * i + 1]) == NS_RSS090)
			x->rdf090 = 1;
	if (strcasecmp((const char *)local, "feed") != 0 ||
	    (ns != NS_OTHER && ns != NS_RSS))
		return;
	if ((x->alias = arena_strdup(x->a, uri ? (const char *)uri : ""))
	    == NULL) {
		fatal(x, "feed too large");
		return;
	}
	v = attr_get(x, attrs, nattr, NULL, "version");
	x->alias03 = v && strcmp(v, "0.3") == 0;
}

/* The namespace of an element, the root's alias and RSS 0.90 folded; an
 * undeclared prefix that names a module (content:, dc:, itunes: ...) is
 * that module, as in feedparser's loose parser, and makes the feed bozo. */
static enum ns
ns_in(struct xp *x, const xmlChar *prefix, const xmlChar *uri)
{
	enum ns ns;

	if (uri == NULL && prefix != NULL) {
		ns = feed_ns_of_prefix((const char *)prefix);
		if (ns != NS_OTHER && x->undeclared[0] == '\0')
			snprintf(x->undeclared, sizeof(x->undeclared),
			    "XML: namespace prefix %s is not declared",
			    (const char *)prefix);
		return ns;
	}
	if (x->alias && strcmp(x->alias, uri ? (const char *)uri : "") == 0)
		return x->alias03 ? NS_ATOM03 : NS_ATOM;
	if (uri != NULL && uri == x->last_uri)
		ns = x->last_ns;	/* libxml2 interns namespace names */
	else {
		ns = feed_ns_of((const char *)uri);
		x->last_uri = uri;
		x->last_ns = ns;
	}
	if (ns == NS_RSS090) {
		x->rdf090 = 1;
		ns = NS_RSS;
	}
	return ns;
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct xp *x = ((xmlParserCtxtPtr)ctx)->_private;
	const struct rule *r;
	enum ns ns;
	char msg[160];

	if (x->fatal)
		return;
	if (++x->depth > LIM_XML_DEPTH) {
		snprintf(msg, sizeof(msg), "XML: elements nested deeper "
		    "than %d", LIM_XML_DEPTH);
		fatal(x, msg);
		return;
	}
	if (x->skip)
		return;
	if (x->cap.rule) {
		cap_child_open(x, local, uri, attrs, nattr);
		return;
	}
	node_push(x, attrs, nattr);
	if (x->depth == 1)
		root_scan(x, local, uri, nns, nss, attrs, nattr);
	ns = ns_in(x, prefix, uri);
	r = feed_rule_find(x->node[x->depth - 1].ctx, ns, (const char *)local);
	if (x->depth == 1 && r == NULL) {
		if (strcasecmp((const char *)local, "html") == 0)
			fatal(x, "not a feed: HTML document");
		else {
			snprintf(msg, sizeof(msg), "not a feed: root element "
			    "<%.64s>", (const char *)local);
			fatal(x, msg);
		}
		return;
	}
	if (r == NULL) {
		x->skip = x->depth;
		return;
	}
	switch (r->kind) {
	case K_OPEN:
		if (x->depth == 1) {
			x->root = 1;
			x->root_lang = x->node[1].lang;
			set_version(x, r, ns, attrs, nattr);
		}
		if (r->field == X_ENTRY) {
			if (x->in_entry || feed_build_capped(&x->b)) {
				x->skip = x->depth;
				return;
			}
			memset(&x->eo, 0, sizeof(x->eo));
			x->eo.depth = x->depth;
			x->in_entry = 1;
			/* RSS 1.0 item: rdf:about is its identity */
			slot_set(&x->eo, F_ID, 1, attr_get(x, attrs, nattr,
			    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
			    "about"), NULL, NULL, NULL);
		} else if (r->field == X_AUTHOR)
			cur_obj(x)->authors++;
		if (x->cdf && (r->field == X_FEED || r->field == X_ENTRY))
			cdf_attrs(x, attrs, nattr);
		x->node[x->depth].ctx = r->field;
		return;
	case K_TEXT:
		cap_start(x, r, ns, attrs, nattr);
		return;
	case K_LINK:
		if (link_text(x, r, ns, attrs, nattr))
			return;
		on_link(x, attrs, nattr);
		break;
	case K_ENCL:
		on_enclosure(x, attrs, nattr);
		break;
	case K_MEDIA:
		on_media(x, attrs, nattr);
		if (r->field == X_MCONTENT) {	/* its thumbnails are read */
			x->node[x->depth].ctx = X_MCONTENT;
			return;
		}
		break;
	case K_CAT:
		on_category(x, attrs, nattr);
		break;
	case K_ICAT:
		on_itunes_category(x, attrs, nattr);
		return;		/* nested categories are read too */
	case K_IMAGE:
		on_itunes_image(x, attrs, nattr);
		break;
	}
	x->skip = x->depth;	/* read from attributes; children ignored */
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xp *x = ((xmlParserCtxtPtr)ctx)->_private;

	if (x->fatal)
		return;
	if (x->skip) {
		if (x->skip == x->depth)
			x->skip = 0;
	} else if (x->cap.rule) {
		if (x->depth == x->cap.depth)
			cap_end(x);
		else
			cap_child_close(x, local);
	} else if (x->in_entry && x->depth == x->eo.depth)
		entry_finish(x);
	x->depth--;
}

static void
sax_text(void *ctx, const xmlChar *s, int n)
{
	struct xp *x = ((xmlParserCtxtPtr)ctx)->_private;

	if (x->cap.rule == NULL || x->skip || x->fatal)
		return;
	if (x->cap.markup)
		feed_html_escape(&x->cap.text, (const char *)s, (size_t)n, 0);
	else
		buf_append(&x->cap.text, s, (size_t)n);
}

/* An undeclared entity in a document with an external DTD (RSS 0.91's
 * Netscape DOCTYPE): HTML's named entities are what such feeds mean. */
static void
sax_reference(void *ctx, const xmlChar *name)
{
	struct xp *x = ((xmlParserCtxtPtr)ctx)->_private;
	const htmlEntityDesc *d;
	char u[4];

	if (x->cap.rule == NULL || x->skip || x->fatal)
		return;
	if ((d = htmlEntityLookup(name)) != NULL)
		buf_append(&x->cap.text, u, utf8_encode(d->value, u));
	else {
		buf_puts(&x->cap.text, x->cap.markup ? "&amp;" : "&");
		buf_puts(&x->cap.text, (const char *)name);
		buf_putc(&x->cap.text, ';');
	}
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	return xmlGetPredefinedEntity(name);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *publicId, const xmlChar *systemId, xmlChar *content)
{
	fatal(((xmlParserCtxtPtr)ctx)->_private,
	    "XML: entity declarations refused");
}

static void
sax_unparsed_decl(void *ctx, const xmlChar *name, const xmlChar *publicId,
    const xmlChar *systemId, const xmlChar *notationName)
{
	fatal(((xmlParserCtxtPtr)ctx)->_private,
	    "XML: entity declarations refused");
}

static void
sax_subset(void *ctx, const xmlChar *name, const xmlChar *ExternalID,
    const xmlChar *SystemID)
{
	struct xp *x = ((xmlParserCtxtPtr)ctx)->_private;

	if (ExternalID && strcasestr((const char *)ExternalID, "netscape"))
		x->netscape = 1;
}

static void
sax_nop(void *ctx)
{
}

static void
sax_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xp *x = ctxt->_private;
	struct buf b = BUF_INIT(ERRLEN * 2);
	const char *msg;
	size_t n;

	/* x is NULL for errors raised while the context is being made */
	if (x == NULL || e->level < XML_ERR_ERROR || x->xmlerr[0])
		return;
	/* the message may quote document bytes: one clean line of UTF-8 */
	buf_printf(&b, "XML: line %d: ", e->line);
	msg = e->message ? e->message : "error";
	if (utf8_clean(&b, msg, strlen(msg), 1) == 0)
		snprintf(x->xmlerr, sizeof(x->xmlerr), "%s", buf_str(&b));
	buf_free(&b);
	/* cut on a code point if snprintf truncated */
	n = strlen(x->xmlerr);
	while (n > 0 && !utf8_valid(x->xmlerr, n))
		x->xmlerr[--n] = '\0';
}

static void
sax_init(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = sax_start;
	sax->endElementNs = sax_end;
	sax->characters = sax_text;
	sax->cdataBlock = sax_text;
	sax->ignorableWhitespace = sax_text;
	sax->reference = sax_reference;
	sax->getEntity = sax_get_entity;
	sax->getParameterEntity = sax_get_entity;
	sax->entityDecl = sax_entity_decl;
	sax->unparsedEntityDecl = sax_unparsed_decl;
	sax->internalSubset = sax_subset;
	sax->startDocument = sax_nop;
	sax->endDocument = sax_nop;
	sax->serror = sax_error;
}

/*
 * One pass of libxml2 over data; 0 when well-formed.  The push parser is fed
 * in slices: it keeps only a window of the document, so memory stays the
 * caller's bytes plus what we keep (2.9.14's static input buffers, the
 * no-copy alternative, mis-read documents).
 */
#define XML_SLICE	(256u << 10)

static int
xml_pass(struct xp *x, const char *data, size_t len, const char *enc,
    int recover)
{
	xmlParserCtxtPtr ctxt;
	xmlCharEncodingHandlerPtr h;
	xmlSAXHandler sax;
	int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING, wf;
	size_t off, n;

	sax_init(&sax);
	n = len < 4 ? len : 4;	/* libxml2 sniffs UTF-16/32 from these */
	if ((ctxt = xmlCreatePushParserCtxt(&sax, NULL, data, (int)n,
	    NULL)) == NULL)
		return -1;
	ctxt->_private = x;
	x->ctxt = ctxt;
	if (recover)
		opts |= XML_PARSE_RECOVER;
	if (enc)
		opts |= XML_PARSE_IGNORE_ENC;
	xmlCtxtUseOptions(ctxt, opts);
	if (enc && (h = xmlFindCharEncodingHandler(enc)) != NULL)
		xmlSwitchToEncoding(ctxt, h);
	for (off = n; off < len && !x->fatal; off += n) {
		n = len - off < XML_SLICE ? len - off : XML_SLICE;
		if (xmlParseChunk(ctxt, data + off, (int)n, 0) != 0 &&
		    !recover)
			break;
		if (ctxt->disableSAX && !recover)
			break;
	}
	if (!x->fatal && !x->xmlerr[0] && ctxt->instate != XML_PARSER_EPILOG &&
	    ctxt->instate != XML_PARSER_EOF)
		snprintf(x->xmlerr, sizeof(x->xmlerr), "XML: line %d: "
		    "document ends early (truncated)", ctxt->input ?
		    ctxt->input->line : 0);
	if (!x->fatal)
		xmlParseChunk(ctxt, NULL, 0, 1);
	wf = ctxt->wellFormed;
	if (x->encoding[0] == '\0' && ctxt->encoding)
		snprintf(x->encoding, sizeof(x->encoding), "%s",
		    (const char *)ctxt->encoding);
	x->ctxt = NULL;
	/* libxml2 makes a "SAX compatibility" document for entity
	 * declarations even in pure SAX mode; it is ours to free */
	if (ctxt->myDoc != NULL) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return wf && !x->fatal && x->root ? 0 : -1;
}

/* Reset what a failed pass left behind. */
static void
xp_reset(struct xp *x, struct arena *a, struct feed *f,
    const struct feed_parse_opts *opts)
{
	struct buf keep = x->cap.text, keep2 = x->res, keep3 = x->c1;

	memset(x, 0, sizeof(*x));
	memset(f, 0, sizeof(*f));
	f->version = "";
	x->a = a;
	x->f = f;
	x->cap.text = keep;
	x->res = keep2;
	x->c1 = keep3;
	buf_reset(&x->cap.text);
	x->cap.text.overflow = 0;
	x->doc_base = opts->base_url;
	if (opts->content_location && *opts->content_location)
		x->doc_base = feed_url_base(a, opts->base_url,
		    opts->content_location);
	x->node[0].base = x->doc_base;
	x->node[0].ctx = X_DOC;
	if (feed_build_init(&x->b, a, f) == -1)
		x->fatal = 1;
}

/* One strict or recovering pass; 0 when it produced a feed. */
static int
xml_try(struct xp *x, const char *data, size_t len, const char *enc,
    int recover, const struct feed_parse_opts *opts)
{
	xp_reset(x, x->a, x->f, opts);
	if (x->fatal)
		return -1;
	return xml_pass(x, data, len, enc, recover);
}

int
feed_xml_parse(const char *data, size_t len,
    const struct feed_parse_opts *opts, struct arena *a, struct feed *f,
    char *err, size_t errlen)
{
	xmlGenericErrorFunc old_fn;
	void *old_ctx;
	struct xp *x;
	char encname[64], first[ERRLEN], *norm = NULL;
	const char *force;
	size_t nlen = 0;
	int rc = -1, unknown;

	if (len > INT32_MAX) {
		errf(err, errlen, "feed too large");
		return -1;
	}
	pthread_once(&xml_once, xml_init);
	old_fn = xmlGenericError;
	old_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, silent);
	x = xcalloc(1, sizeof(*x));
	x->a = a;
	x->f = f;
	buf_init(&x->cap.text, LIM_FIELD + 4);
	buf_init(&x->res, 2 * LIM_FIELD);
	buf_init(&x->c1, 2 * LIM_FIELD);
	if (feed_too_many_attrs(data, len)) {
		errf(err, errlen, "XML: more than %d attributes on one element",
		    LIM_XML_ATTRS);
		goto out;
	}
	feed_choose_encoding(data, len, opts->http_charset, encname,
	    sizeof(encname), &force, &unknown);
	/* 1: strict, as the document says */
	if (xml_try(x, data, len, force, 0, opts) == 0)
		goto done;
	if (x->fatal)
		goto fail;
	snprintf(first, sizeof(first), "%s", x->xmlerr[0] ? x->xmlerr :
	    "XML: not well-formed");
	/* 2: one normalization pass, strict again */
	if ((norm = feed_normalize(data, len, force ? force : encname,
	    &nlen)) == NULL) {
		errf(err, errlen, "feed too large");
		goto out;
	}
	if (nlen > INT32_MAX) {
		errf(err, errlen, "feed too large");
		goto out;
	}
	if (xml_try(x, norm, nlen, "utf-8", 0, opts) != 0) {
		if (x->fatal)
			goto fail;
		/* 3: libxml2's recover mode, last */
		if (xml_try(x, norm, nlen, "utf-8", 1, opts) != 0 &&
		    x->fatal)
			goto fail;
		if (!x->root) {
			errf(err, errlen, "not a feed: %s", first);
			goto out;
		}
	}
	f->bozo = 1;
	f->bozo_exception = arena_strdup(a, first);
done:
	if (x->cap.rule && !x->fatal && !x->skip) {
		x->depth = x->cap.depth;
		cap_end(x);		/* the text a truncated document ends in */
	}
	if (x->in_entry && !x->fatal)
		entry_finish(x);	/* a truncated document's last entry */
	if (!x->fatal)
		feed_finish(x);
	if (x->fatal)
		goto fail;
	if (x->rdf090 && strcmp(f->version, "rss10") == 0)
		f->version = "rss090";
	if (x->undeclared[0] && !f->bozo) {
		f->bozo = 1;
		f->bozo_exception = arena_strdup(a, x->undeclared);
	}
	if (unknown && !f->bozo) {
		f->bozo = 1;
		f->bozo_exception = unknown == 1 ? "encoding: unknown label, "
		    "read as UTF-8" : "encoding: none declared and not UTF-8, "
		    "guessed";
	}
	f->encoding = arena_strdup(a, encname);
	if (f->encoding == NULL || (f->bozo && f->bozo_exception == NULL)) {
		errf(err, errlen, "feed too large");
		goto out;
	}
	rc = 0;
	goto out;
fail:
	errf(err, errlen, "%s", x->err);
out:
	free(norm);
	buf_free(&x->cap.text);
	buf_free(&x->res);
	buf_free(&x->c1);
	free(x);
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	return rc;
}
