/*
 * feed.h - the feed model and the parser that fills it.
 *
 * feed_parse takes the bytes of one document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0,
 * JSON Feed 1.x) and returns a struct feed whose every string lives in the
 * caller's arena: free the arena and the feed is gone.  It does no I/O, keeps
 * no globals, logs nothing, never loads a DTD or an external entity and never
 * touches the network.
 *
 * Every string in the model is valid UTF-8 and NUL-terminated.  One-line
 * fields (titles, names, ids, links, types, terms) carry no control
 * characters.  An absent field is NULL, never "".
 *
 * Field names follow the Universal Feed Parser (Python feedparser) so that
 * feed_to_json prints what its users know.
 */
#ifndef RSS2MAIL_FEED_H
#define RSS2MAIL_FEED_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

struct feed_date {
	const char	*raw;		/* as written in the feed, or NULL */
	int		 ok;		/* 1 when parsed */
	int64_t		 t;		/* seconds since the epoch, UTC */
};

struct feed_person {
	const char	*name;
	const char	*email;
	const char	*href;
};

struct feed_tag {
	const char	*term;
	const char	*scheme;
	const char	*label;
	struct feed_tag	*next;
};

struct feed_enclosure {
	const char	*href;
	const char	*type;
	long long	 length;	/* -1 when unknown */
	struct feed_enclosure *next;
};

/* feedparser's links: every atom:link, the RSS link, enclosures. */
struct feed_link {
	const char	*rel;		/* "alternate" when not written */
	const char	*href;		/* absolute when a base was known */
	const char	*type;		/* feedparser's defaults: text/html,
					   application/atom+xml for self */
	const char	*title;
	long long	 length;	/* -1 when unknown */
	struct feed_link *next;
};

struct feed_text {
	const char	*value;		/* NULL when absent */
	const char	*type;		/* "text/plain", "text/html" */
	const char	*base;		/* xml:base in force, or NULL */
	const char	*language;
};

struct entry {
	const char	*id;		/* identity; never NULL (see feed_parse) */
	int		 guidislink;
	struct feed_text title;		/* title.value is plain text when
					   title.type is text/plain; RSS
					   titles that look like HTML are
					   text/html (feedparser's guess) */
	const char	*link;		/* absolute when a base was known */
	struct feed_person author;
	struct feed_text summary;
	struct feed_text content;	/* the best body by the priority table */
	struct feed_date published;
	struct feed_date updated;
	struct feed_date created;	/* Atom 0.3 created, dcterms:created */
	struct feed_text rights;	/* Atom rights, dc:rights (added) */
	struct feed_enclosure *enclosures;
	struct feed_link *links;	/* at most LIM_ENCLOSURES (added) */
	struct feed_tag	*tags;
	const char	*comments;
	const char	*language;	/* an item's language or
					   dc:language element (added) */
	struct entry	*next;
};

struct feed {
	const char	*version;	/* feedparser names: "rss20", "atom10",
					   "rss10", "json11" ...; "" unknown */
	const char	*encoding;	/* the document's encoding: its label
					   lower case ("iso-8859-1", read as
					   windows-1252), or a guess in
					   chardet's spelling ("Big5") */
	int		 bozo;		/* 1 when recovered from bad input */
	const char	*bozo_exception; /* why, one line; NULL when !bozo */
	struct feed_text title;
	const char	*link;
	struct feed_text subtitle;
	const char	*language;
	struct feed_text rights;	/* copyright, rights, dc:rights */
	struct feed_text info;		/* Atom 0.3 info (added) */
	const char	*generator;
	const char	*id;
	struct feed_date updated;
	struct feed_person author;
	struct {
		const char *href, *title, *link;
	}		 image;
	struct feed_tag	*tags;
	long		 ttl;		/* minutes, from RSS ttl or sy:*; 0 */
	struct entry	*entries;	/* document order */
	size_t		 nentries;
	struct feed_date published;	/* RSS channel pubDate (added) */
	struct feed_date created;	/* dcterms:created (added) */
	struct feed_link *links;	/* at most LIM_ENCLOSURES (added) */
	const char	*self;		/* link rel="self": the feed's own
					   URL as it says, or NULL (added) */
};

struct feed_parse_opts {
	const char	*base_url;	/* document URL, for relative links */
	const char	*content_location; /* HTTP Content-Location, or NULL */
	const char	*http_charset;	/* charset from Content-Type, or NULL */
};

/*
 * Parse len bytes at data.  On success *out points into the arena and 0 is
 * returned.  On failure -1 is returned with one line of text in err
 * ("not a feed: HTML document", "feed too large", "XML: line 3: ...",
 * "XML: entity declarations refused").  Broken XML that could be read
 * anyway succeeds with bozo set (docs/QUIRKS.md lists what is accepted).
 * The encoding comes from a BOM, else opts->http_charset, else the XML
 * declaration; ISO-8859-1 is read as windows-1252; with none of them, a
 * document that is not UTF-8 is read in a guessed encoding (bozo).
 * Pure: no I/O, no logging; libxml2's process-wide external entity loader
 * is set (once) to one that refuses everything.
 * Entry identity: guid/id; else link; else "sha256:" + hash of title and
 * content as the feed wrote them (before the HTML rewrites).  Two entries with one identity in a document are one entry
 * (the first wins).  At most LIM_ENTRIES entries are kept.
 */
int	feed_parse(const char *data, size_t len, const struct feed_parse_opts *,
	    struct arena *, struct feed **out, char *err, size_t errlen);

/* The entry's body: content if present, else summary; NULL-safe. */
const struct feed_text *feed_entry_body(const struct entry *);

/* The parsed feed as JSON in feedparser's shape (see `rss2mail parse`). */
int	feed_to_json(const struct feed *, struct buf *out);

/*
 * Dates: RFC 822/2822 variants, RFC 3339/ISO 8601/W3CDTF and other common
 * forms.  Returns 0 and the UTC time, or -1 ("no date").
 */
int	feed_date_parse(const char *s, int64_t *t);

#endif
