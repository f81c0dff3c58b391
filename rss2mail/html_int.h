/*
 * html_int.h - what html.c (the parse, the tables, the sanitizer) shares
 * with html_text.c (the plain-text renderers), and nothing else includes.
 * It is a header of its own because html.c held both jobs in one file past
 * 1,500 lines: the renderer needs the parsed tree and the same rules for
 * which elements, links and images count, and those stay in one place.
 * Both files are pure: no I/O, no globals.
 */
#ifndef RSS2MAIL_HTML_INT_H
#define RSS2MAIL_HTML_INT_H

#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "limits.h"

struct buf;

/* The parsed fragment behind html.h's struct html_tree. */
struct html_tree {
	htmlDocPtr	 doc;
};

/*
 * The entry of a table sorted by name (strcmp order) whose first member
 * is the name: n entries of size bytes each; NULL when name is not there.
 * A list of names is such a table (each entry is only its name).
 */
const void *html_lookup(const void *table, size_t n, size_t size,
	    const char *name);

/* 1 when an element is dropped with everything inside it (script, svg,
 * form, head, ...): neither walker enters it. */
int	html_dropped(const char *name);

/*
 * How every walker meets a node.  html_node_text: the text of a text or
 * CDATA node, else NULL.  html_enter: 1 for an element a walker goes
 * into (not dropped, at most LIM_XML_DEPTH deep), else 0 (skip it).
 */
static inline const char *
html_node_text(xmlNodePtr n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
		return (const char *)n->content;
	return NULL;
}

static inline int
html_enter(xmlNodePtr n, int depth)
{
	return n->type == XML_ELEMENT_NODE && depth <= LIM_XML_DEPTH &&
	    !html_dropped((const char *)n->name);
}

/*
 * The leading decimal digits of an attribute (blanks before them
 * skipped), at most 100000 or so; -1 when the attribute is missing or
 * does not start with a digit.
 */
int	html_attr_int(xmlNodePtr, const char *attr);

/*
 * The src of an <img> / the href of an <a>, cleaned as a browser reads it,
 * into out (reset first): 1 when it may be shown (a safe scheme; for
 * images, not a tracker or a 1x1 pixel) / followed, else 0.
 */
int	html_img_src(xmlNodePtr, struct buf *out);
int	html_link_href(xmlNodePtr, struct buf *out);

#endif
