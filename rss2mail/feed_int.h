/*
 * feed_int.h - what the feed*.c files share; no other module includes it.
 *
 * feed_build.c owns the model's invariants (cleaned strings, entry
 * identity, de-duplication, the entry cap); feed_xml.c and feed_json.c
 * read their formats and hand finished entries to feed_build_add; feed.c
 * calls the readers.  The links go one way: feed.c -> readers ->
 * feed_url.c -> feed_build.c.  Every string handed out lives in the arena
 * of the build.
 */
#ifndef RSS2MAIL_FEED_INT_H
#define RSS2MAIL_FEED_INT_H

#include <stddef.h>

#include "feed.h"

struct feed_build {
	struct arena	*a;
	struct feed	*f;
	struct entry	**tail;		/* where the next entry goes */
	struct entry	**ids;		/* open-addressing table of ids */
	size_t		 nids;		/* its size, a power of two */
	int		 full;		/* the arena is exhausted */
};

/* feed_build.c */
int	 feed_build_init(struct feed_build *, struct arena *, struct feed *);
/* Give the entry its identity and keep it unless it is a duplicate or the
 * cap is reached; -1 only when the arena is full. */
int	 feed_build_add(struct feed_build *, struct entry *);
/* 1 when LIM_ENTRIES entries are kept: the reader may skip the rest. */
int	 feed_build_capped(const struct feed_build *);
/* A cleaned copy of s[0..n) in the arena: valid UTF-8, with oneline no
 * controls and collapsed white space, at most cap bytes (cut on a code
 * point).  NULL when the arena is full; "" results become NULL when
 * empty_null. */
const char *feed_str(struct arena *, const char *s, size_t n, int oneline,
	    size_t cap);
/* s[0..n) with its C1 controls read as windows-1252 ("don\xC2\x92t" ->
 * "don't" with U+2019) appended to out: 1, or 0 when there were none
 * (out untouched). */
int	 feed_c1_map(const char *s, size_t n, struct buf *out);
/* What windows-1252 means by C1 control cp (U+0080-U+009F): U+2019 for
 * U+0092; 0 for the five it leaves undefined and for anything else. */
uint32_t feed_cp1252_c1(uint32_t cp);
/* Split "jane@example.org (Jane Doe)", "Jane Doe <jane@...>", "Jane" into
 * a person; -1 when the arena is full. */
int	 feed_person_parse(struct arena *, const char *s,
	    struct feed_person *);

/* feed_url.c */
/* Rewrite href= and src= values of html[0..n) against base into out:
 * 1 when out holds a changed copy, 0 when nothing changed, -1 past the
 * cap of out. */
int	 feed_html_resolve(const char *html, size_t n, const char *base,
	    struct buf *out);
/* ref resolved against base appended to out: 1 done, 0 not resolvable. */
int	 feed_url_resolve_buf(const char *base, const char *ref,
	    struct buf *out);
/* ref resolved against base (RFC 3986); ref itself when base is NULL or
 * either cannot be parsed; NULL only when the arena is full. */
const char *feed_url_resolve(struct arena *, const char *base,
	    const char *ref);

/* An xml:base or Content-Location: ref resolved against base, except
 * that a javascript:, vbscript: or data: ref is ignored (base is
 * returned) and "http:///host/" is read as "http://host/"; NULL only when
 * the arena is full. */
const char *feed_url_base(struct arena *, const char *base,
	    const char *ref);

/* feed_xml.c */
int	 feed_xml_parse(const char *, size_t, const struct feed_parse_opts *,
	    struct arena *, struct feed *, char *err, size_t errlen);

/* feed_enc.c */
/* Pick the encoding (BOM, HTTP charset, XML declaration, else UTF-8):
 * *force is what libxml2 must use (NULL: its own detection; a latin-1
 * label is forced as "windows-1252"), name what feed->encoding says (the
 * label, lower case, or a guess in chardet's spelling, "Big5"); *unknown
 * is 1 when a label was not understood, 2 when there was none and the
 * bytes were not UTF-8: the encoding was guessed. */
void	 feed_choose_encoding(const char *, size_t, const char *http,
	    char *name, size_t namelen, const char **force, int *unknown);
/* The document as UTF-8 with HTML entities as numeric references, bare
 * '&' and '<' escaped, forbidden characters dropped; malloc'd, NULL past
 * the cap. */
char	*feed_normalize(const char *, size_t, const char *charset,
	    size_t *outlen);
/* 1 when a tag holds more than LIM_XML_ATTRS attributes. */
int	 feed_too_many_attrs(const char *, size_t);

/* feed_json.c */
int	 feed_json_parse(const char *, size_t, const struct feed_parse_opts *,
	    struct arena *, struct feed *, char *err, size_t errlen);

#endif
