/*
 * article_int.h - what the article*.c files share; no other module
 * includes it.
 *
 * article.c extracts the content; article_meta.c reads the metadata (JSON-LD,
 * OpenGraph, <meta>) from the same parse before the extraction drops
 * anything; article_teaser.c decides whether an entry is a teaser;
 * article_dom.c has the tree helpers below (libxml2's HTML tree; nothing
 * is copied unless a helper says so).
 */
#ifndef RSS2MAIL_ARTICLE_INT_H
#define RSS2MAIL_ARTICLE_INT_H

#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

struct buf;

static inline int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static inline int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The index of s in a sorted list of n names, or -1. */
long	 article_find(const char *const *list, size_t n, const char *s);
/* list: a sorted, NULL-terminated array (not a pointer) */
#define IN(list, s)	(article_find(list, sizeof(list) / sizeof(list[0]) - 1, \
			    (const char *)(s)) >= 0)

/* 1 when n is the element name (lower case). */
int	 article_is(xmlNodePtr n, const char *name);
/* An attribute's value as the tree holds it (not a copy), "" for a bare
 * attribute, NULL when absent. */
const char *article_attr(xmlNodePtr n, const char *name);
/* The attribute equals v, case aside. */
int	 article_attr_eq(xmlNodePtr n, const char *name, const char *v);
/* 1 when a word of value (a class or id) matches an entry of list, as
 * article_hints says. */
int	 article_hint_match(const char *value, const char *const *list);
/* 1 when a word of the class or id starts with an entry of list (or
 * equals an entry that ends in '='). */
int	 article_hints(xmlNodePtr n, const char *const *list);
/* The text of n's subtree appended to out (blocks as spaces), as far as
 * out's cap allows; depth: the caller's nesting, for LIM_ARTICLE_DEPTH. */
void	 article_text(xmlNodePtr n, struct buf *out, int depth);
/* 1 when the element name makes its parent a container rather than a
 * paragraph (div, p, table, lists, headings ...). */
int	 article_block(const xmlChar *name);
/* Words (runs of non-space) in s[0..n). */
size_t	 article_words(const char *s, size_t n);
/* s[0..n) as one clean line (valid UTF-8, spaces collapsed, at most
 * LIM_ONELINE bytes); malloc'd, NULL when empty. */
char	*article_line(const char *s, size_t n);

/* article_meta.c: the metadata, with the priority of the source that
 * set each field (a better source replaces a worse one). */
struct meta {
	char	*title, *byline, *published, *image, *site, *lang;
	char	*base;			/* <base href> resolved, else the URL */
	int	 p_title, p_byline, p_published, p_image, p_site;
	char	*doc_title;		/* <title> */
};
/* Read the metadata of the whole parsed page into m (zeroed by the
 * caller); every string malloc'd.  url: the page's, for <base> and the
 * lead image. */
void	 article_meta_read(htmlDocPtr doc, const char *url, struct meta *m);

#endif
