/*
 * discover.h - a web page -> its feeds: what `add`, `parse`, `check` and
 * `import-opml` try when a URL gives an HTML page instead of a feed.
 *
 * Pure: the fetched bytes, their URL (after redirects) and Content-Type
 * in, a struct out; no fetching, no I/O, no logging.  The caller fetches
 * the feeds in order (and then the fallbacks) within the usual fetch
 * rules, and takes the first that parses.
 */
#ifndef RSS2MAIL_DISCOVER_H
#define RSS2MAIL_DISCOVER_H

#include <stddef.h>

enum discover_kind {
	DISCOVER_OTHER = 0,	/* neither a feed nor an HTML page */
	DISCOVER_FEED,		/* the document is a feed itself */
	DISCOVER_PAGE		/* an HTML page: see feeds and fallbacks */
};

/* One feed a page links with <link rel="alternate" type="...">. */
struct discover_feed {
	char	*url;		/* absolute http(s) URL */
	char	*title;		/* the link's title, one line, or NULL */
	char	*type;		/* its MIME type, lower case, no parameters */
	int	 comments;	/* a comment feed (by its title or URL) */
};

/* The common places of a site's feed, tried when a page links none. */
#define DISCOVER_PATHS	8

struct discover {
	enum discover_kind	 kind;
	/* the site's main feed first (the first that is no comment feed),
	 * then the others in page order, comment feeds last; at most
	 * LIM_DISCOVER_FEEDS, each URL once */
	struct discover_feed	*feeds;
	size_t			 nfeeds;
	/* /feed, /feed/, /rss, /rss.xml, /atom.xml, /index.xml, /feed.xml
	 * and /?feed=rss2 resolved against the page's directory and, when
	 * that is not the root, against the root too; none repeats a feed */
	char			**fallbacks;
	size_t			 nfallbacks;
};

/*
 * Look at body[0..len) fetched from url (absolute; the base of relative
 * hrefs unless the page has a <base href>) with Content-Type ctype (may
 * be NULL; its parameters are ignored).  A feed is recognised by its
 * type or its first element (<rss>, <feed>, <rdf:RDF>, a JSON Feed
 * object) whatever the type says.  out is initialised here; release it
 * with discover_free whatever the result.  0, or -1 with err when url is
 * not an absolute http(s) URL or the page is over LIM_ARTICLE_PAGE.
 */
int	discover_page(const char *body, size_t len, const char *url,
	    const char *ctype, struct discover *out, char *err,
	    size_t errlen);
void	discover_free(struct discover *);	/* accepts NULL */

#endif
