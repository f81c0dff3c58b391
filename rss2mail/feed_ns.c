/*
 * feed_ns.c - the namespaces rss2mail reads and the element table:
 * (namespace, name, context) -> (field, priority).  Data and two lookups;
 * feed_xml.c does the reading.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "feed_xml_int.h"

static const struct {
	const char	*uri;
	enum ns		 ns;
} ns_table[] = {
	{ "http://purl.org/rss/1.0/",				NS_RSS },
	{ "http://backend.userland.com/rss2",			NS_RSS },
	{ "http://blogs.law.harvard.edu/tech/rss",		NS_RSS },
	{ "http://my.netscape.com/rdf/simple/0.9/",		NS_RSS090 },
	{ "http://www.w3.org/2005/Atom",			NS_ATOM },
	{ "http://purl.org/atom/ns#",				NS_ATOM03 },
	{ "http://purl.org/dc/elements/1.1/",			NS_DC },
	{ "http://purl.org/dc/terms/",				NS_DCTERMS },
	{ "http://purl.org/rss/1.0/modules/content/",		NS_CONTENT },
	{ "http://purl.org/rss/1.0/modules/syndication/",	NS_SY },
	{ "http://search.yahoo.com/mrss/",			NS_MEDIA },
	{ "http://search.yahoo.com/mrss",			NS_MEDIA },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#",	NS_RDF },
	{ "http://www.w3.org/1999/xhtml",			NS_XHTML },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd",		NS_ITUNES },
	{ "http://example.com/dtds/podcast-1.0.dtd",		NS_ITUNES },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd#",	NS_ITUNES },
	{ "http://purl.org/atom/ns",				NS_ATOM03 },
	{ "http://www.w3.org/2005/atom/",			NS_ATOM },
	{ "http://purl.org/rss/1.0/modules/content",		NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1",			NS_DC },
	{ "http://purl.org/dc/terms",				NS_DCTERMS },
	{ "http://rssnamespace.org/feedburner/ext/1.0",		NS_FEEDBURNER },
};


#define FE	(C(X_FEED) | C(X_ENTRY))
#define RSSNS	NS_RSS		/* NS_RSS090 is folded into NS_RSS */

/*
 * The element table, matched without regard to case (<pubdate>, <PubDate>
 * are common; feedparser lower-cases everything too).  A field keeps the
 * value of the highest priority seen
 * (content:encoded beats description for the body because they are
 * different fields and feed_entry_body prefers content; within a field,
 * e.g. pubDate beats dc:date).  Elements not listed are skipped with all
 * their children.
 */
static const struct rule rules[] = {
	/* roots and containers */
	{ C(X_DOC),	RSSNS,	"rss",		K_OPEN,	X_RSS,	0, 0 },
	{ C(X_DOC),	NS_RDF,	"RDF",		K_OPEN,	X_RDF,	0, 0 },
	{ C(X_DOC),	NS_ATOM, "feed",	K_OPEN,	X_FEED,	0, 0 },
	{ C(X_DOC),	NS_ATOM03, "feed",	K_OPEN,	X_FEED,	0, 0 },
	{ C(X_RSS) | C(X_RDF), RSSNS, "channel", K_OPEN, X_FEED, 0, 0 },
	/* Microsoft's CDF: <CHANNEL HREF= LASTMOD=> at the root */
	{ C(X_DOC),	RSSNS,	"channel",	K_OPEN,	X_FEED,	0, 0 },
	{ C(X_RSS) | C(X_RDF) | C(X_FEED), RSSNS, "item", K_OPEN, X_ENTRY,
	    0, 0 },
	{ C(X_RDF) | C(X_FEED), RSSNS, "image",	K_OPEN,	X_IMAGE, 0, 0 },
	{ C(X_FEED),	NS_ATOM, "entry",	K_OPEN,	X_ENTRY, 0, 0 },
	{ C(X_FEED),	NS_ATOM03, "entry",	K_OPEN,	X_ENTRY, 0, 0 },
	{ FE,		NS_ATOM, "author",	K_OPEN,	X_AUTHOR, 0, 0 },
	{ FE,		NS_ATOM03, "author",	K_OPEN,	X_AUTHOR, 0, 0 },
	{ C(X_ENTRY),	NS_MEDIA, "group",	K_OPEN,	X_GROUP, 0, 0 },
	/* a bare Atom entry document: the entry is its own feed */
	{ C(X_DOC),	NS_ATOM, "entry",	K_OPEN,	X_ENTRY, 0, 0 },
	{ C(X_DOC),	NS_ATOM03, "entry",	K_OPEN,	X_ENTRY, 0, 0 },

	/* RSS 0.9x/1.0/2.0 */
	{ FE,		RSSNS,	"title",	K_TEXT,	F_TITLE, 3, 0 },
	{ FE,		RSSNS,	"link",		K_TEXT,	F_LINK,	3, 0 },
	{ C(X_FEED),	RSSNS,	"description",	K_TEXT,	F_SUBTITLE, 3, R_HTML },
	{ C(X_ENTRY),	RSSNS,	"description",	K_TEXT,	F_SUMMARY, 3,
	    R_HTML | R_SWAP },
	{ C(X_ENTRY),	RSSNS,	"summary",	K_TEXT,	F_SUMMARY, 3,
	    R_HTML | R_SWAP },
	{ FE,		RSSNS,	"language",	K_TEXT,	F_LANGUAGE, 3, 0 },
	{ C(X_FEED),	RSSNS,	"abstract",	K_TEXT,	F_SUBTITLE, 1, 0 },
	{ C(X_ENTRY),	RSSNS,	"abstract",	K_TEXT,	F_SUMMARY, 1, 0 },
	{ C(X_FEED),	RSSNS,	"copyright",	K_TEXT,	F_RIGHTS, 3, 0 },
	{ C(X_FEED),	RSSNS,	"generator",	K_TEXT,	F_GENERATOR, 3, 0 },
	{ C(X_FEED),	RSSNS,	"lastBuildDate", K_TEXT, F_UPDATED, 3, 0 },
	{ FE,		RSSNS,	"pubDate",	K_TEXT,	F_PUBLISHED, 3, 0 },
	{ C(X_FEED),	RSSNS,	"managingEditor", K_TEXT, F_AUTHOR, 3, 0 },
	{ FE,		RSSNS,	"author",	K_TEXT,	F_AUTHOR, 3, 0 },
	{ C(X_ENTRY),	RSSNS,	"guid",		K_TEXT,	F_ID,	3, R_GUID },
	{ C(X_ENTRY),	RSSNS,	"comments",	K_TEXT,	F_COMMENTS, 3, 0 },
	{ C(X_ENTRY),	RSSNS,	"tags",		K_TEXT,	F_KEYWORDS, 1, 0 },
	{ FE,		RSSNS,	"category",	K_TEXT,	F_TAG,	3, R_DOMAIN },
	{ C(X_FEED),	RSSNS,	"ttl",		K_TEXT,	F_TTL,	3, 0 },
	{ C(X_ENTRY),	RSSNS,	"enclosure",	K_ENCL,	F_NONE,	0, 0 },
	{ C(X_IMAGE),	RSSNS,	"url",		K_TEXT,	F_IMGURL, 3, 0 },
	{ C(X_IMAGE),	RSSNS,	"title",	K_TEXT,	F_IMGTITLE, 3, 0 },
	{ C(X_IMAGE),	RSSNS,	"link",		K_TEXT,	F_IMGLINK, 3, 0 },

	/* modules: Dublin Core, content, syndication, media, XHTML */
	{ FE,		NS_DC,	"title",	K_TEXT,	F_TITLE, 2, 0 },
	{ FE,		NS_DC,	"creator",	K_TEXT,	F_AUTHOR, 2, 0 },
	{ FE,		NS_DC,	"author",	K_TEXT,	F_AUTHOR, 1, 0 },
	{ FE,		NS_DC,	"date",		K_TEXT,	F_UPDATED, 2, 0 },
	{ C(X_FEED),	NS_DC,	"description",	K_TEXT,	F_SUBTITLE, 2, 0 },
	{ C(X_ENTRY),	NS_DC,	"description",	K_TEXT,	F_SUMMARY, 2, 0 },
	{ FE,		NS_DC,	"language",	K_TEXT,	F_LANGUAGE, 2, 0 },
	{ FE,		NS_DC,	"rights",	K_TEXT,	F_RIGHTS, 2, 0 },
	{ FE,		NS_DC,	"subject",	K_TEXT,	F_TAG,	2, 0 },
	{ FE,		NS_DCTERMS, "modified",	K_TEXT,	F_UPDATED, 1, 0 },
	{ FE,		NS_DCTERMS, "issued",	K_TEXT,	F_PUBLISHED, 1, 0 },
	{ FE,		NS_DCTERMS, "created",	K_TEXT,	F_CREATED, 1, 0 },
	{ C(X_ENTRY),	NS_CONTENT, "encoded",	K_TEXT,	F_CONTENT, 3, R_HTML },
	{ C(X_ENTRY),	NS_XHTML, "body",	K_TEXT,	F_CONTENT, 2, R_XHTML },
	{ C(X_ENTRY),	RSSNS,	"fullitem",	K_TEXT,	F_CONTENT, 2, R_HTML },
	{ C(X_ENTRY),	RSSNS,	"body",		K_TEXT,	F_CONTENT, 2, R_HTML },
	{ C(X_FEED),	NS_SY,	"updatePeriod",	K_TEXT,	F_SYPERIOD, 3, 0 },
	{ C(X_FEED),	NS_SY,	"updateFrequency", K_TEXT, F_SYFREQ, 3, 0 },
	{ C(X_ENTRY) | C(X_GROUP), NS_MEDIA, "content", K_MEDIA,
	    X_MCONTENT, 0, 0 },
	{ C(X_ENTRY) | C(X_GROUP) | C(X_MCONTENT), NS_MEDIA, "thumbnail",
	    K_MEDIA, F_NONE, 0, 0 },
	{ C(X_ENTRY),	NS_MEDIA, "title",	K_TEXT,	F_TITLE, 1, 0 },
	{ C(X_ENTRY),	NS_MEDIA, "category",	K_TEXT,	F_TAG,	1, R_MEDIA },
	{ C(X_FEED),	NS_FEEDBURNER, "browserFriendly", K_TEXT, F_INFO, 1,
	    0 },

	/* iTunes podcasts: weaker than RSS and Dublin Core */
	{ FE,		NS_ITUNES, "author",	K_TEXT,	F_AUTHOR, 1, 0 },
	{ C(X_ENTRY),	NS_ITUNES, "summary",	K_TEXT,	F_SUMMARY, 1, 0 },
	{ C(X_FEED),	NS_ITUNES, "summary",	K_TEXT,	F_SUBTITLE, 1, 0 },
	{ C(X_FEED),	NS_ITUNES, "subtitle",	K_TEXT,	F_SUBTITLE, 1, 0 },
	{ FE,		NS_ITUNES, "category",	K_ICAT,	F_NONE,	0, 0 },
	{ FE,		NS_ITUNES, "keywords",	K_TEXT,	F_KEYWORDS, 1, 0 },
	{ C(X_FEED),	NS_ITUNES, "image",	K_IMAGE, F_NONE, 0, 0 },
	{ C(X_FEED),	NS_ITUNES, "link",	K_IMAGE, F_NONE, 0, 0 },

	/* Atom 1.0 and 0.3 (0.3's names: tagline, modified, issued,
	 * copyright, url) */
	{ FE,		NS_ATOM, "title",	K_TEXT,	F_TITLE, 3, R_ATOM },
	{ FE,		NS_ATOM03, "title",	K_TEXT,	F_TITLE, 3, R_ATOM },
	{ FE,		NS_ATOM, "link",	K_LINK,	F_NONE,	0, 0 },
	{ FE,		NS_ATOM03, "link",	K_LINK,	F_NONE,	0, 0 },
	{ FE,		NS_ATOM, "id",		K_TEXT,	F_ID,	3, 0 },
	{ FE,		NS_ATOM03, "id",	K_TEXT,	F_ID,	3, 0 },
	{ FE,		NS_ATOM, "updated",	K_TEXT,	F_UPDATED, 3, 0 },
	{ FE,		NS_ATOM03, "modified",	K_TEXT,	F_UPDATED, 3, 0 },
	{ FE,		NS_ATOM, "published",	K_TEXT,	F_PUBLISHED, 3, 0 },
	{ FE,		NS_ATOM03, "issued",	K_TEXT,	F_PUBLISHED, 3, 0 },
	{ FE,		NS_ATOM03, "published",	K_TEXT,	F_PUBLISHED, 3, 0 },
	{ FE,		NS_ATOM03, "updated",	K_TEXT,	F_UPDATED, 2, 0 },
	{ FE,		NS_ATOM03, "created",	K_TEXT,	F_CREATED, 3, 0 },
	{ C(X_FEED),	NS_ATOM03, "info",	K_TEXT,	F_INFO,	3, R_ATOM },
	{ C(X_FEED),	NS_ATOM, "subtitle",	K_TEXT,	F_SUBTITLE, 3, R_ATOM },
	{ C(X_FEED),	NS_ATOM03, "tagline",	K_TEXT,	F_SUBTITLE, 3, R_ATOM },
	{ FE,		NS_ATOM, "rights",	K_TEXT,	F_RIGHTS, 3, R_ATOM },
	{ FE,		NS_ATOM03, "copyright",	K_TEXT,	F_RIGHTS, 3, R_ATOM },
	{ C(X_FEED),	NS_ATOM, "generator",	K_TEXT,	F_GENERATOR, 3, 0 },
	{ C(X_FEED),	NS_ATOM03, "generator",	K_TEXT,	F_GENERATOR, 3, 0 },
	{ C(X_FEED),	NS_ATOM, "logo",	K_TEXT,	F_IMGURL, 2, 0 },
	{ C(X_ENTRY),	NS_ATOM, "summary",	K_TEXT,	F_SUMMARY, 3, R_ATOM },
	{ C(X_ENTRY),	NS_ATOM03, "summary",	K_TEXT,	F_SUMMARY, 3, R_ATOM },
	{ C(X_ENTRY),	NS_ATOM, "content",	K_TEXT,	F_CONTENT, 3, R_ATOM },
	{ C(X_ENTRY),	NS_ATOM03, "content",	K_TEXT,	F_CONTENT, 3, R_ATOM },
	{ FE,		NS_ATOM, "category",	K_CAT,	F_NONE,	0, 0 },
	{ C(X_AUTHOR),	NS_ATOM, "name",	K_TEXT,	F_ANAME, 3, 0 },
	{ C(X_AUTHOR),	NS_ATOM03, "name",	K_TEXT,	F_ANAME, 3, 0 },
	{ C(X_AUTHOR),	NS_ATOM, "email",	K_TEXT,	F_AEMAIL, 3, 0 },
	{ C(X_AUTHOR),	NS_ATOM03, "email",	K_TEXT,	F_AEMAIL, 3, 0 },
	{ C(X_AUTHOR),	NS_ATOM, "uri",		K_TEXT,	F_AURI,	3, 0 },
	{ C(X_AUTHOR),	NS_ATOM03, "url",	K_TEXT,	F_AURI,	3, 0 },
	{ C(X_AUTHOR),	NS_ATOM03, "uri",	K_TEXT,	F_AURI,	2, 0 },
	{ C(X_AUTHOR),	NS_ATOM03, "homepage",	K_TEXT,	F_AURI,	1, 0 },
	{ C(X_AUTHOR),	NS_ATOM, "url",		K_TEXT,	F_AURI,	2, 0 },
	{ C(X_AUTHOR),	NS_ATOM, "homepage",	K_TEXT,	F_AURI,	1, 0 },
};


enum ns
feed_ns_of(const char *uri)
{
	size_t i;

	if (uri == NULL || *uri == '\0')
		return NS_RSS;
	for (i = 0; i < sizeof(ns_table) / sizeof(ns_table[0]); i++)
		if (strcasecmp(uri, ns_table[i].uri) == 0)
			return ns_table[i].ns;
	return NS_OTHER;
}

enum ns
feed_ns_of_prefix(const char *prefix)
{
	static const struct {
		const char	*prefix;
		enum ns		 ns;
	} tab[] = {
		{ "content", NS_CONTENT }, { "dc", NS_DC },
		{ "dcterms", NS_DCTERMS }, { "itunes", NS_ITUNES },
		{ "media", NS_MEDIA }, { "atom", NS_ATOM }, { "sy", NS_SY },
		{ "rdf", NS_RDF }, { "xhtml", NS_XHTML },
		{ "feedburner", NS_FEEDBURNER },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(prefix, tab[i].prefix) == 0)
			return tab[i].ns;
	return NS_OTHER;
}

const struct rule *
feed_rule_find(unsigned ctx, enum ns ns, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if ((rules[i].ctx & C(ctx)) && rules[i].ns == ns &&
		    (rules[i].name[0] | 0x20) == (name[0] | 0x20) &&
		    strcasecmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}
