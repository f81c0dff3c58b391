/*
 * fulltext.h - full-text = auto | yes: the whole article, from the entry's
 * web page, in place of a feed's teaser.
 *
 * fulltext_fetch decides which of a feed's new entries want their page
 * (auto: those article_is_teaser calls teasers; yes: every one with an
 * http(s) link), fetches those pages in one fetch_run under the same rules
 * as the feed's images (images.c): one batch per feed, connections and DNS
 * shared, per-host limits, the private-address guard with the links taken
 * as feed content, LIM_ARTICLE_PAGE per page, FULLTEXT_TIMEOUT for all of
 * them.  Each page is extracted (article.h) as it arrives, in this
 * process: see fulltext.c for why not in the parser child.
 *
 * For each such entry the caller gets a copy of the entry to compose
 * instead: the article's HTML as its content (metadata from the page where
 * the feed has none), or, when the page failed or yielded too little, the
 * feed's own body with one line "full text unavailable: REASON".  Nothing
 * here fails an entry, and nothing is fetched for an entry the caller did
 * not hand in: the caller hands in new entries only (no journal row), so
 * a page is fetched for an entry's first delivery and never again.
 *
 * Bounded: FULLTEXT_PER_FEED pages per feed and pass (the rest get the
 * note), LIM_ARTICLE_HTML of article each.
 */
#ifndef RSS2MAIL_FULLTEXT_H
#define RSS2MAIL_FULLTEXT_H

#include <stddef.h>

#include "buf.h"
#include "feed.h"

#define FULLTEXT_PER_FEED	64	/* pages per feed and pass */
#define FULLTEXT_TIMEOUT	30	/* seconds, for all of a feed's pages */
#define FULLTEXT_CONNECT	10

struct config;
struct config_feed;

/*
 * One entry's full text.  When orig is set, e is the entry to compose: a
 * shallow copy of *orig (same id, so the same identity) whose strings
 * live in orig's arena or here.  orig is for msg_opts.hash_entry: the
 * content hash that updates = compares stays the feed's.
 */
struct fulltext {
	const struct entry *orig;	/* NULL: compose the feed's entry */
	struct entry	 e;
	struct buf	 body;		/* e's content */
	char		*base, *title, *author, *lang, *date;
};

/*
 * For the new entries es[0..n) of feed cf: fill ft[0..n) (zeroed by the
 * caller) and point es[i] at ft[i].e for each entry that has one.
 * feed_private and public_addrs as for images_fetch (images.h).
 */
void	fulltext_fetch(const struct config *, const struct config_feed *cf,
	    int feed_private, const char *public_addrs,
	    const struct entry **es, size_t n, struct fulltext *ft);
/* Free one entry's full text and zero it; accepts a zeroed one. */
void	fulltext_free(struct fulltext *);

#endif
