/*
 * images.h - images = inline: the images of a feed's new entries, fetched
 * in one batch for the composer to embed.
 *
 * images_fetch finds each entry's image URLs (html_image_urls on its
 * body), takes what the pass's cache (imgcache.h) already has under the
 * same privacy policy, and fetches the rest in one fetch_run: connections
 * and DNS are shared, one URL is fetched once however many entries show
 * it, and the whole batch waits at most IMAGES_TIMEOUT.  Bounded:
 * IMAGES_PER_ENTRY per entry, IMAGES_PER_FEED fetches per feed, LIM_IMAGE
 * each.  A failed image stays a remote link; nothing here fails an entry.
 */
#ifndef RSS2MAIL_IMAGES_H
#define RSS2MAIL_IMAGES_H

#include <stddef.h>

#include "message.h"

#define IMAGES_PER_ENTRY	12
#define IMAGES_PER_FEED		64	/* per feed and pass */
#define IMAGES_TIMEOUT		15	/* seconds, for all of a feed's */
#define IMAGES_CONNECT		5

struct config;
struct config_feed;
struct entry;
struct imgcache;

/* An entry's images for msg_opts.images; v[i].data points into the
 * cache (valid until the next images_fetch), urls are owned here. */
struct images {
	struct msg_image v[IMAGES_PER_ENTRY];
	char		*urls[IMAGES_PER_ENTRY];
	size_t		 n;
};

/*
 * Fill ims[0..n) for the entries es[0..n) of feed cf.  feed_private: the
 * feed itself came from a private address, so its images may point into
 * private space too; public_addrs is for tests (fetch.h).
 */
void	images_fetch(struct imgcache *, const struct config *,
	    const struct config_feed *cf, int feed_private,
	    const char *public_addrs, const struct entry **es, size_t n,
	    struct images *ims);
/* Free one entry's URLs and zero it. */
void	images_free(struct images *);

#endif
