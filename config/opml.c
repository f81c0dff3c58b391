/*
 * opml.c - OPML in (libxml2, hardened) and out (plain text), see opml.h.
 *
 * libxml2 strings are copied out here and nowhere else.  The parser is
 * driven through a parser context of our own so that the SAX entity
 * declaration callbacks can stop it: an OPML file has no business declaring
 * entities, so refusing them outright is simpler and safer than bounding
 * their expansion (libxml2 2.9.14 has no XML_PARSE_NO_XXE).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "limits.h"
#include "opml.h"
#include "util.h"
#include "utf8.h"

struct walk {
	struct opml	*o;
	size_t		 cap;
	size_t		 site_cap;
	xmlDocPtr	 doc;
	char		*err;
	size_t		 errlen;
};

static xmlParserInputPtr
refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
refuse_entity(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	refuse_entity(ctx);
}

static void
on_unparsed_entity_decl(void *ctx, const xmlChar *name,
    const xmlChar *public_id, const xmlChar *system_id,
    const xmlChar *notation)
{
	refuse_entity(ctx);
}

/* One line of valid UTF-8, at most LIM_ONELINE bytes (truncated; *cut
 * says so), or NULL when empty. */
static char *
clean_line(const char *s, int *cut)
{
	struct buf b = BUF_INIT(LIM_ONELINE);

	if (s == NULL)
		return NULL;
	if (utf8_clean(&b, s, strlen(s), 1) == -1 && cut != NULL)
		*cut = 1;
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/*
 * Append the levels of path to the category path in out, each trimmed,
 * empty ones dropped; *levels counts the levels out holds, and levels past
 * OPML_MAX_LEVELS are left out (opml.h).  -1 when out's cap is reached.
 */
static int
path_add(struct buf *out, const char *path, int *levels)
{
	const char *p = path, *e, *s;

	while (*p && *levels < OPML_MAX_LEVELS) {
		for (e = p; *e && *e != '/'; e++)
			;
		for (s = p; s < e && *s == ' '; s++)
			;
		while (e > s && e[-1] == ' ')
			e--;
		if (e > s) {
			if ((out->len > 0 && buf_putc(out, '/') == -1) ||
			    buf_append(out, s, (size_t)(e - s)) == -1)
				return -1;
			++*levels;
		}
		for (p = e; *p == ' '; p++)
			;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* A category path normalized into the empty out. */
static int
path_join(struct buf *out, const char *path)
{
	int levels = 0;

	return path_add(out, path, &levels);
}

/* The value of attribute name (ASCII case-insensitive), cleaned; *cut is
 * set when it was truncated. */
static char *
attr_cut(xmlDocPtr doc, xmlNodePtr n, const char *name, int *cut)
{
	xmlAttrPtr a;
	xmlChar *v;
	char *r;

	for (a = n->properties; a; a = a->next) {
		if (strcasecmp((const char *)a->name, name) != 0)
			continue;
		v = xmlNodeListGetString(doc, a->children, 1);
		r = clean_line((const char *)v, cut);
		xmlFree(v);
		return r;
	}
	return NULL;
}

static char *
attr(xmlDocPtr doc, xmlNodePtr n, const char *name)
{
	return attr_cut(doc, n, name, NULL);
}

static xmlNodePtr child(xmlNodePtr, const char *);

/* An outline with an xmlUrl goes to feeds; one with only an htmlUrl (url
 * NULL) to sites. */
static int
add_feed(struct walk *w, xmlNodePtr n, char *url, int cut,
    const struct buf *path)
{
	struct opml_feed *f, **list = url ? &w->o->feeds : &w->o->sites;
	size_t *len = url ? &w->o->nfeeds : &w->o->nsites;
	size_t *cap = url ? &w->cap : &w->site_cap;
	struct buf cat = BUF_INIT(LIM_ONELINE);
	char *c;

	/* a truncated URL would be another URL */
	if (cut) {
		errf(w->err, w->errlen, "OPML line %ld: xmlUrl too long",
		    (long)xmlGetLineNo(n));
		free(url);
		return -1;
	}
	if (path->len == 0 && (c = attr(w->doc, n, "category")) != NULL) {
		/* OPML 2.0: comma-separated paths; the first one */
		c[strcspn(c, ",")] = '\0';
		(void)path_join(&cat, c);
		free(c);
	} else
		buf_append(&cat, path->data, path->len);
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*list = xrealloc(*list, *cap * sizeof(*f));
	}
	f = &(*list)[(*len)++];
	f->xml_url = url;
	if ((f->title = attr(w->doc, n, "text")) == NULL)
		f->title = attr(w->doc, n, "title");
	f->html_url = attr(w->doc, n, "htmlUrl");
	f->category = cat.len ? buf_steal(&cat) : NULL;
	buf_free(&cat);
	return 0;
}

static int
walk_outlines(struct walk *w, xmlNodePtr parent, struct buf *path,
    int levels, int depth)
{
	xmlNodePtr n;
	size_t mark;
	char *url, *label;
	int r, cut = 0, sub;

	if (depth > LIM_XML_DEPTH) {
		errf(w->err, w->errlen, "OPML nested too deeply (over %d "
		    "levels)", LIM_XML_DEPTH);
		return -1;
	}
	for (n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "outline") != 0)
			continue;
		if ((url = attr_cut(w->doc, n, "xmlUrl", &cut)) != NULL) {
			if (add_feed(w, n, url, cut, path) == -1)
				return -1;
			continue;
		}
		if (child(n, "outline") == NULL && (url = attr(w->doc, n,
		    "htmlUrl")) != NULL) {
			free(url);
			if (add_feed(w, n, NULL, 0, path) == -1)
				return -1;
			continue;
		}
		if ((label = attr(w->doc, n, "text")) == NULL)
			label = attr(w->doc, n, "title");
		mark = path->len;
		sub = levels;
		r = label ? path_add(path, label, &sub) : 0;
		free(label);
		if (r == -1)
			errf(w->err, w->errlen, "OPML line %ld: category path "
			    "too long", (long)xmlGetLineNo(n));
		else
			r = walk_outlines(w, n, path, sub, depth + 1);
		path->len = mark;
		if (path->data)
			path->data[mark] = '\0';
		if (r == -1)
			return -1;
	}
	return 0;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

static int
read_doc(struct walk *w)
{
	xmlNodePtr root, head, body, t;
	struct buf path = BUF_INIT(LIM_ONELINE);
	xmlChar *s;
	int r;

	if ((root = xmlDocGetRootElement(w->doc)) == NULL ||
	    strcmp((const char *)root->name, "opml") != 0) {
		errf(w->err, w->errlen, "not OPML: the root element is <%s>, "
		    "not <opml>", root ? (const char *)root->name : "");
		return -1;
	}
	if ((body = child(root, "body")) == NULL) {
		errf(w->err, w->errlen, "not OPML: no <body>");
		return -1;
	}
	if ((head = child(root, "head")) != NULL &&
	    (t = child(head, "title")) != NULL) {
		s = xmlNodeGetContent(t);
		w->o->title = clean_line((const char *)s, NULL);
		xmlFree(s);
	}
	r = walk_outlines(w, body, &path, 0, 1);
	buf_free(&path);
	return r;
}

int
opml_parse(const char *bytes, size_t len, struct opml **out, char *err,
    size_t errlen)
{
	xmlExternalEntityLoader old = xmlGetExternalEntityLoader();
	xmlParserCtxtPtr ctxt = NULL;
	struct walk w;
	xmlErrorPtr e;
	char msg[160];
	int entity = 0, r = -1;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	w.o = xcalloc(1, sizeof(*w.o));
	if (len > LIM_CONFIG_SIZE) {
		errf(err, errlen, "OPML too large (over %u bytes)",
		    (unsigned)LIM_CONFIG_SIZE);
		goto out;
	}
	if (len == 0) {
		errf(err, errlen, "not OPML: empty input");
		goto out;
	}
	xmlSetExternalEntityLoader(refuse_loader);
	if ((ctxt = xmlCreateMemoryParserCtxt(bytes, (int)len)) == NULL) {
		errf(err, errlen, "cannot create an XML parser");
		goto out;
	}
	ctxt->sax->entityDecl = on_entity_decl;
	ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
	ctxt->_private = &entity;
	/* no NOENT (substitution), no DTDLOAD, no HUGE */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	(void)xmlParseDocument(ctxt);
	if (entity) {
		errf(err, errlen, "OPML refused: it declares entities (an XXE "
		    "or entity expansion attack?)");
		goto out;
	}
	if (!ctxt->wellFormed || ctxt->myDoc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s", e && e->message ?
		    e->message : "parse error");
		msg[strcspn(msg, "\r\n")] = '\0';
		errf(err, errlen, "not OPML: not well-formed XML at line %d: "
		    "%s", e ? e->line : 0, msg);
		goto out;
	}
	w.doc = ctxt->myDoc;
	if (read_doc(&w) == -1)
		goto out;
	*out = w.o;
	w.o = NULL;
	r = 0;
out:
	if (ctxt != NULL) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	xmlSetExternalEntityLoader(old);
	opml_free(w.o);
	return r;
}

void
opml_free(struct opml *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nfeeds; i++) {
		free(o->feeds[i].title);
		free(o->feeds[i].xml_url);
		free(o->feeds[i].html_url);
		free(o->feeds[i].category);
	}
	free(o->feeds);
	for (i = 0; i < o->nsites; i++) {
		free(o->sites[i].title);
		free(o->sites[i].html_url);
		free(o->sites[i].category);
	}
	free(o->sites);
	free(o->title);
	free(o);
}

/* Writing: a tree of categories, each holding feeds and subcategories in
 * the order they first appear. */

struct cnode {
	char		*name;
	struct citem	*items;
	size_t		 n, cap;
};

struct citem {
	struct cnode		*sub;	/* a category, or */
	const struct opml_feed	*feed;	/* a feed */
};

static struct citem *
cnode_push(struct cnode *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
	}
	memset(&c->items[c->n], 0, sizeof(c->items[0]));
	return &c->items[c->n++];
}

static struct cnode *
cnode_sub(struct cnode *c, const char *name, size_t len)
{
	struct citem *it;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].sub && strlen(c->items[i].sub->name) == len &&
		    memcmp(c->items[i].sub->name, name, len) == 0)
			return c->items[i].sub;
	it = cnode_push(c);
	it->sub = xcalloc(1, sizeof(*it->sub));
	it->sub->name = xstrndup(name, len);
	return it->sub;
}

static void
cnode_free(struct cnode *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		cnode_free(c->items[i].sub);
	free(c->items);
	free(c->name);
	free(c);
}

static void
put_escaped(struct buf *out, const char *s)
{
	struct buf clean = BUF_INIT(0);
	const char *p;

	(void)utf8_clean(&clean, s ? s : "", s ? strlen(s) : 0, 1);
	for (p = buf_str(&clean); *p; p++) {
		switch (*p) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		default: buf_putc(out, *p); break;
		}
	}
	buf_free(&clean);
}

static void
indent(struct buf *out, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		buf_puts(out, "  ");
}

static void
write_node(struct buf *out, const struct cnode *c, int depth)
{
	const struct opml_feed *f;
	size_t i;

	for (i = 0; i < c->n; i++) {
		indent(out, depth);
		if (c->items[i].sub != NULL) {
			buf_puts(out, "<outline text=\"");
			put_escaped(out, c->items[i].sub->name);
			buf_puts(out, "\" title=\"");
			put_escaped(out, c->items[i].sub->name);
			buf_puts(out, "\">\n");
			write_node(out, c->items[i].sub, depth + 1);
			indent(out, depth);
			buf_puts(out, "</outline>\n");
			continue;
		}
		f = c->items[i].feed;
		buf_puts(out, "<outline type=\"rss\" text=\"");
		put_escaped(out, f->title);
		buf_puts(out, "\" title=\"");
		put_escaped(out, f->title);
		buf_puts(out, "\" xmlUrl=\"");
		put_escaped(out, f->xml_url);
		if (f->html_url != NULL) {
			buf_puts(out, "\" htmlUrl=\"");
			put_escaped(out, f->html_url);
		}
		buf_puts(out, "\"/>\n");
	}
}

int
opml_write(const struct opml *o, struct buf *out, char *err, size_t errlen)
{
	struct cnode *root = xcalloc(1, sizeof(*root)), *c;
	struct buf norm = BUF_INIT(0);
	const char *p, *e;
	size_t i;

	for (i = 0; i < o->nfeeds; i++) {
		c = root;
		buf_reset(&norm);
		if (o->feeds[i].category != NULL)
			(void)path_join(&norm, o->feeds[i].category);
		for (p = buf_str(&norm); *p; p = *e ? e + 1 : e) {
			e = p + strcspn(p, "/");
			c = cnode_sub(c, p, (size_t)(e - p));
		}
		cnode_push(c)->feed = &o->feeds[i];
	}
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n  <head>\n    <title>");
	put_escaped(out, o->title ? o->title : "rss2mail feeds");
	buf_puts(out, "</title>\n  </head>\n  <body>\n");
	write_node(out, root, 2);
	buf_puts(out, "  </body>\n</opml>\n");
	buf_free(&norm);
	cnode_free(root);
	if (out->overflow) {
		errf(err, errlen, "OPML output too large");
		return -1;
	}
	return 0;
}
