/*
 * feed_xml_int.h - what feed_xml.c (the SAX reader) and feed_ns.c (the
 * namespaces and the element table) share; nothing else includes it.
 */
#ifndef RSS2MAIL_FEED_XML_INT_H
#define RSS2MAIL_FEED_XML_INT_H

/* Namespaces we read, by URI. */
enum ns {
	NS_OTHER, NS_RSS, NS_RSS090, NS_ATOM, NS_ATOM03, NS_DC, NS_DCTERMS,
	NS_CONTENT, NS_SY, NS_MEDIA, NS_RDF, NS_XHTML, NS_ITUNES, NS_FEEDBURNER
};

/* Where we are: the context decides what a child element means. */
enum ctx {
	X_DOC, X_RSS, X_RDF, X_FEED, X_ENTRY, X_IMAGE, X_AUTHOR, X_GROUP,
	X_MCONTENT
};
#define C(x)	(1u << (x))

/* The fields of one object (the feed or the current entry). */
enum field {
	F_NONE, F_TITLE, F_LINK, F_SUBTITLE, F_SUMMARY, F_CONTENT, F_AUTHOR,
	F_ANAME, F_AEMAIL, F_AURI, F_PUBLISHED, F_UPDATED, F_ID, F_COMMENTS,
	F_LANGUAGE, F_RIGHTS, F_GENERATOR, F_TTL, F_SYPERIOD, F_SYFREQ,
	F_IMGURL, F_IMGTITLE, F_IMGLINK, F_TAG, F_SELF, F_INFO, F_CREATED,
	F_KEYWORDS, F_MAX
};

enum kind {
	K_OPEN,		/* a container: children read in context .field */
	K_TEXT,		/* the element's text goes to .field */
	K_LINK,		/* atom:link: rel/href/type/length attributes */
	K_ENCL,		/* RSS enclosure: url/length/type */
	K_MEDIA,	/* media:content/thumbnail: url/fileSize/type */
	K_CAT,		/* atom:category: term/scheme/label */
	K_ICAT,		/* itunes:category text=, nested */
	K_IMAGE		/* itunes:image href= */
};

/* flags on K_TEXT */
#define R_HTML		0x01	/* text/html (RSS description) */
#define R_ATOM		0x02	/* an Atom text construct: type= decides */
#define R_XHTML		0x04	/* inline XHTML (xhtml:body) */
#define R_GUID		0x08	/* RSS guid: isPermaLink */
#define R_DOMAIN	0x10	/* RSS category: domain= is the scheme */
#define R_MEDIA		0x20	/* media:category: scheme=, label= */
#define R_ALINK		0x40	/* atom:link without href: its text */
#define R_SWAP		0x80	/* RSS description and summary: of the
				   two, the second is the content */

struct rule {
	unsigned	 ctx;		/* contexts where it applies */
	enum ns		 ns;
	const char	*name;
	enum kind	 kind;
	unsigned char	 field;		/* or the new context for K_OPEN */
	unsigned char	 prio;		/* higher beats lower; ties: first */
	unsigned char	 flags;
};

/* The namespace of a URI, compared without regard to case (feedparser
 * lower-cases them; "http://www.itunes.com/DTDs/PodCast-1.0.dtd" is
 * common).  NULL or "": NS_RSS (RSS 0.9x and 2.0 have none). */
enum ns	 feed_ns_of(const char *uri);
/* The module a well-known prefix names when it was not declared
 * ("content", "dc", "itunes" ...), else NS_OTHER. */
enum ns	 feed_ns_of_prefix(const char *prefix);
/* The rule for an element in context ctx, or NULL: skip it. */
const struct rule *feed_rule_find(unsigned ctx, enum ns, const char *name);

/* feed_markup.c: the reader's text helpers */
struct arena;
struct buf;

/* s[0..n) appended to b with & < > (and " when attr) escaped. */
void	 feed_html_escape(struct buf *b, const char *s, size_t n, int attr);
/* An attribute value as libxml2 hands it over ('&' as "&#38;") appended
 * to b escaped once for HTML. */
void	 feed_attr_escape(struct buf *b, const char *v, size_t n);
/* 1 when b holds only white space. */
int	 feed_blank(const struct buf *b);
/* 1 for an HTML void element (br, img ...): no end tag is written. */
int	 feed_html_void(const char *name);
/* Decode base64 in place (junk characters skipped); the decoded length. */
size_t	 feed_b64_decode(char *s, size_t n);
/*
 * HTML text s[0..n) appended to out in the form feedparser's serializer
 * writes (same meaning to an HTML reader): a '&' that starts no reference
 * as "&amp;", a '<' that starts no tag as "&lt;", "<br/>" as "<br />",
 * "&#X61;" as "&#x61;", "&#146;" as "&#x2019;".  Tags are otherwise
 * copied as written.  1 when out holds a changed copy, 0 when s is already
 * in that form (out as it was), -1 past the cap of out.
 */
int	 feed_html_tidy(const char *s, size_t n, struct buf *out);
/* feedparser's guess: 1 when RSS text without a type looks like HTML. */
int	 feed_looks_like_html(const char *s);
/* "en_US" as "en-US" in the arena; NULL when it is full. */
const char *feed_lang_norm(struct arena *a, const char *l);
/* sy:updatePeriod and sy:updateFrequency as minutes; 0 when unknown. */
long	 feed_sy_ttl(const char *period, const char *freq);

#endif
