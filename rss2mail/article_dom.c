/*
 * article_dom.c - the tree helpers article.c, article_meta.c and
 * article_teaser.c share: sorted-name lookup, element and attribute tests,
 * class and id hints, text of a subtree, words, one clean line.  Below the
 * three in the link order (scripts/check-layers), so none of them reaches
 * back into another.  Nothing here copies unless it says so.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "article_int.h"
#include "buf.h"
#include "limits.h"
#include "utf8.h"
#include "util.h"

/* Elements that make their parent a container rather than a paragraph. */
static const char *const block_tags[] = {
	"address", "article", "aside", "blockquote", "details", "div", "dl",
	"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
	"hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul", NULL
};

long
article_find(const char *const *list, size_t n, const char *s)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(s, list[mid])) == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
article_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/*
 * An attribute's value as the tree holds it (no copy: valid until the
 * attribute changes), "" for a bare attribute, NULL when n has none.
 * The HTML parser writes names in lower case and values as one text
 * node; xmlGetProp would copy each, and every element is asked several
 * times.
 */
const char *
article_attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;
	xmlNodePtr t;

	for (a = n->properties; a != NULL; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		t = a->children;
		if (t == NULL)
			return "";
		return t->type == XML_TEXT_NODE && t->next == NULL &&
		    t->content != NULL ? (const char *)t->content : "";
	}
	return NULL;
}

int
article_attr_eq(xmlNodePtr n, const char *name, const char *v)
{
	const char *a = article_attr(n, name);

	return a != NULL && strcasecmp(a, v) == 0;
}

/* Words in s (runs of non-space). */
size_t
article_words(const char *s, size_t n)
{
	size_t i, w = 0;
	int in = 0;

	for (i = 0; i < n; i++) {
		if (is_space((unsigned char)s[i]))
			in = 0;
		else if (!in) {
			in = 1;
			w++;
		}
	}
	return w;
}

/* The text of a subtree appended to out, capped by out. */
void
article_text(xmlNodePtr n, struct buf *out, int depth)
{
	xmlNodePtr c;

	if (depth > LIM_ARTICLE_DEPTH)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		/* a script's text (JSON-LD) is a CDATA node */
		if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL)
			buf_puts(out, (const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE) {
			if (IN(block_tags, c->name) || article_is(c, "br"))
				buf_putc(out, ' ');
			article_text(c, out, depth + 1);
		}
	}
}

/* s made one clean line: valid UTF-8, collapsed spaces, at most
 * LIM_ONELINE bytes (cut at a code point); NULL when empty. */
char *
article_line(const char *s, size_t n)
{
	struct buf b = BUF_INIT(0);
	size_t len, start = 0;

	utf8_clean(&b, s, n, 1);
	len = b.len;
	while (start < len && b.data[start] == ' ')
		start++;
	while (len > start && b.data[len - 1] == ' ')
		len--;
	if (len - start > LIM_ONELINE) {
		len = start + LIM_ONELINE;
		while (len > start &&
		    ((unsigned char)b.data[len] & 0xC0) == 0x80)
			len--;
	}
	if (len == start) {
		buf_free(&b);
		return NULL;
	}
	s = xstrndup(b.data + start, len - start);
	buf_free(&b);
	return (char *)s;
}

/* 1 when a word of value matches an entry of list. */
int
article_hint_match(const char *value, const char *const *list)
{
	const char *p = value, *w;
	size_t n, i, k;

	while (*p) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		for (w = p; *p && isalnum((unsigned char)*p); p++)
			;
		if ((n = (size_t)(p - w)) == 0)
			continue;
		for (i = 0; list[i] != NULL; i++) {
			for (k = 0; list[i][k] && list[i][k] != '=' && k < n &&
			    lower(w[k]) == list[i][k]; k++)
				;
			if (list[i][k] == '\0' ||
			    (list[i][k] == '=' && k == n))
				return 1;
		}
	}
	return 0;
}

/* 1 when the class or the id matches list. */
int
article_hints(xmlNodePtr n, const char *const *list)
{
	const char *c = article_attr(n, "class"), *id = article_attr(n, "id");
	int r = (c != NULL && article_hint_match(c, list)) ||
	    (id != NULL && article_hint_match(id, list));

	return r;
}

int
article_block(const xmlChar *name)
{
	return IN(block_tags, name);
}
