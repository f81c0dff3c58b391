/*
 * images.h - images = inline: the images of new entries, fetched in one
 * batch for many feeds at once and prepared for a phone, for the composer
 * to embed.
 *
 * images_fetch takes jobs (a feed's new entries each), finds each entry's
 * image URLs (html_image_urls on its body), takes what the pass's cache
 * (imgcache.h) already has under the same privacy policy and sizing, and
 * fetches the rest in one fetch_run: every image host is asked at once
 * (IMAGES_CONCURRENCY times the feeds' concurrency, the same per-host cap
 * and private-address rule), one URL is fetched
 * once however many entries show it, and the batch waits at most the
 * deadline it is given.  Each image fetched is prepared (image.h: resized
 * to image-max-width, re-encoded, metadata stripped) in a child process
 * (imgproc.h), up to IMAGES_PREPARING at once while the batch's other
 * images are still arriving.  Then each entry's images are fitted to the
 * message budget (LIM_IMAGES_TOTAL): when their sum is over it, the larger
 * ones are scaled down further to share it.  Bounded: IMAGES_PER_ENTRY
 * per entry, IMAGES_PER_FEED fetches per job, IMAGES_PER_BATCH in all,
 * IMAGES_RAW_MAX bytes each as sent, LIM_IMAGE each as embedded.  A failed
 * image stays a remote link and costs one line of log; nothing here fails
 * an entry.
 */
#ifndef RSS2MAIL_IMAGES_H
#define RSS2MAIL_IMAGES_H

#include <stddef.h>

#include "message.h"

#define IMAGES_PER_ENTRY	12
#define IMAGES_PER_FEED		64	/* per feed and batch */
#define IMAGES_PER_BATCH	1024	/* fetches per batch */
#define IMAGES_TIMEOUT		15	/* seconds, per image and per batch */
#define IMAGES_CONNECT		5
#define IMAGES_PASS_BUDGET	60	/* seconds a pass spends on images */
#define IMAGES_CONCURRENCY	4	/* x the feeds' concurrency, <= 256 */
#define IMAGES_PREPARING	4	/* image children at once */
#define IMAGES_RAW_MAX		(16u << 20)	/* an image as sent */

struct config;
struct config_feed;
struct entry;
struct imgcache;

/* An entry's images for msg_opts.images; v[i].data points into the
 * cache (valid until the next images_fetch) or into own[], urls are owned
 * here. */
struct images {
	struct msg_image v[IMAGES_PER_ENTRY];
	char		*urls[IMAGES_PER_ENTRY];
	void		*own[IMAGES_PER_ENTRY];	/* rescaled to the budget */
	size_t		 n;
};

/*
 * One feed's part of a batch: the entries es[0..n) of feed cf get their
 * images in ims[0..n).  feed_private: the feed itself came from a private
 * address, so its images may point into private space too.
 */
struct images_job {
	const struct config_feed *cf;
	int			 feed_private;
	const struct entry	**es;
	size_t			 n;
	struct images		*ims;
};

/*
 * Fetch and prepare the images of jobs[0..njobs) in one batch that lasts
 * at most deadline seconds (0: IMAGES_TIMEOUT); public_addrs is for tests
 * (fetch.h).
 */
void	images_fetch(struct imgcache *, const struct config *,
	    const char *public_addrs, struct images_job *jobs, size_t njobs,
	    long deadline);
/* Free one entry's URLs and buffers and zero it. */
void	images_free(struct images *);

#endif
