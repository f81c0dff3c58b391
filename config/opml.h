/*
 * opml.h - OPML subscription lists in and out (a pure parser: bytes in,
 * structs out; no I/O, no logging).
 *
 * opml_parse reads OPML 1.0/2.0 as readers export it: every <outline> with
 * an xmlUrl attribute (any letter case) is a feed (one with only an htmlUrl
 * is a site, listed apart); the text (else title) of
 * the outlines around it makes its category path, "Tech/Mail/Security", at
 * any depth (a '/' inside one title reads as a deeper level).  An outline
 * without enclosing outlines may name its category with the OPML 2.0
 * `category` attribute ("/Tech/Mail,/Other": the first path is used).
 *
 * Untrusted input: libxml2 without network, without DTD loading and without
 * entity substitution; any entity declaration stops the parse (XXE and
 * billion laughs are refused before anything expands), an external entity
 * loader refuses everything (XML_PARSE_NONET alone lets file:// through in
 * libxml2 2.9), XML_PARSE_HUGE is never set, input is capped at
 * LIM_CONFIG_SIZE bytes and nesting at LIM_XML_DEPTH.  Titles are cleaned
 * to one line of valid UTF-8 of at most LIM_ONELINE bytes; a URL longer
 * than that is an error.  Errors are one line: "not OPML: ...",
 * "OPML line 3: ...".
 *
 * opml_write emits OPML 2.0 in UTF-8, feeds nested by category in the order
 * their categories first appear.  Parsing what it wrote gives back the same
 * list (category paths normalized: no empty levels).
 *
 * A written list nests one <outline> per category level inside <opml> and
 * <body>, around the feed's own <outline>, and a parser reads at most
 * LIM_XML_DEPTH levels of elements.  So a category path has at most
 * OPML_MAX_LEVELS levels, in both directions: opml_parse and opml_write
 * keep the first OPML_MAX_LEVELS and drop deeper ones (their feeds are
 * filed at that depth), whether the levels come from nested outlines, '/'s
 * in a title, the category attribute or a caller's struct
 * (config_export_opml).
 */
#ifndef RSS2MAIL_OPML_H
#define RSS2MAIL_OPML_H

#include <stddef.h>

#include "limits.h"

#define OPML_MAX_LEVELS	(LIM_XML_DEPTH - 3)	/* <opml>, <body>, the feed */

struct buf;

struct opml_feed {
	char	*title;		/* text, else title attribute; or NULL */
	char	*xml_url;	/* never NULL */
	char	*html_url;	/* or NULL */
	char	*category;	/* "Tech/Mail/Security", or NULL at top level */
};

struct opml {
	char		*title;		/* <head><title>, or NULL */
	struct opml_feed *feeds;	/* in document order */
	size_t		 nfeeds;
	/* outlines with an htmlUrl, no xmlUrl and no outlines inside: sites
	 * whose feed the caller may find (xml_url NULL); opml_write ignores
	 * them */
	struct opml_feed *sites;
	size_t		 nsites;
};

/* Parse len bytes; *out is the caller's, freed with opml_free. */
int	opml_parse(const char *bytes, size_t len, struct opml **out,
	    char *err, size_t errlen);
void	opml_free(struct opml *);		/* accepts NULL */

/* Append OPML 2.0 text for o to out; -1 (with err) when out's cap is
 * reached. */
int	opml_write(const struct opml *o, struct buf *out, char *err,
	    size_t errlen);

#endif
