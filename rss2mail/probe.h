/*
 * probe.h - the feed at an address the user gave: the address itself when
 * it serves a feed, else the feed its web page leads to.  Used by `add`,
 * `parse` and `import-opml` (an outline with only an htmlUrl).
 *
 * probe_url fetches the URL (fetch.h, so the usual caps, timeouts and
 * private-address rule apply) and parses what comes back (feed.h).  When
 * that is not a feed but an HTML page, discover.h reads the page (at its
 * URL after redirects) and its feeds are fetched one at a time, in its
 * order (the site's main feed first, comment feeds last), then the common
 * paths (/feed, /rss.xml ...); the first that parses as a feed is the
 * answer.  One at a time and stopping at the first: a site is asked as
 * little as possible, and all of it within LIM_PROBE_TIME (past it, the
 * rest is "not tried").  A feed a public page links is fetched as content
 * (it may not lead into private address space, unless allow_private); a
 * page in private space may link feeds there.
 *
 * Parsing runs in this process, as `parse` always has: the parser is
 * built for hostile bytes (no DTD, no entities, capped input).
 */
#ifndef RSS2MAIL_PROBE_H
#define RSS2MAIL_PROBE_H

#include <stddef.h>

#include "buf.h"

struct fetch_opts;

struct probe_req {
	const char	*url;		/* as the user gave it */
	int		 allow_local;	/* url may be a local file */
	int		 allow_private;	/* as fetch_req's */
	int		 from_content;	/* url came from a message, not from
					   the user's hands (the Subscribe
					   folder): it may not reach private
					   space either, unless allow_private */
	const char	*user_agent;	/* NULL: the default */
	size_t		 max_size;	/* 0: LIM_FEED_SIZE */
	long		 timeout;	/* seconds; 0: LIM_TOTAL_TIMEOUT */
	long		 connect_timeout;
	const struct fetch_opts *fo;	/* NULL: the defaults */
};

/* What probe_url found; everything is owned here, freed by probe_free. */
struct probe {
	char		*url;		/* the feed's URL: req->url itself
					 * when it serves a feed, else the
					 * found one */
	char		*page;		/* the page it was found from (after
					 * redirects), or NULL */
	char		**others;	/* the page's other feeds, "URL" or
					 * "URL (title)", in its order */
	size_t		 nothers;
	struct buf	 body;		/* the feed's bytes */
	char		*effective_url;	/* the feed's URL after redirects */
	char		*content_location; /* its Content-Location, or NULL */
	int		 reached;	/* req->url answered (2xx): a failure
					 * is about what it serves */
};

/*
 * 0 with *out filled, or -1 with one line in err: the fetch's failure
 * ("fetch URL: HTTP 404"), why a document that is not a page is not a
 * feed ("URL: not a feed: ..."), or, for a page, "no feed found at URL:
 * tried A (HTTP 404), B (not a feed: HTML document), ...": every URL
 * tried, in order (err may be cut at errlen; 2 KiB holds the usual list).
 * fetch_global_init must have been called.  *out is initialised here;
 * release it with probe_free whatever the result.
 */
int	probe_url(const struct probe_req *, struct probe *out, char *err,
	    size_t errlen);
void	probe_free(struct probe *);	/* accepts NULL */

#endif
