/*
 * images.h - images = inline: the images of new entries, fetched in the
 * pass's own fetch loop while other feeds are fetched, parsed, composed
 * and delivered, and prepared for a phone, for the composer to embed.
 *
 * images_want takes a feed's new entries, finds each entry's image URLs
 * (html_image_urls on its body), takes what the pass's cache (imgcache.h)
 * already has under the same privacy policy and sizing, and adds a fetch
 * for each of the rest to the pass's fetch loop (fetch.h: the image lane,
 * the same per-host cap, private-address rule and run deadline as the
 * feeds).  One URL is fetched once however many entries and feeds show
 * it, and a failure is remembered for the pass.  Each image fetched is
 * prepared (image.h: resized to image-max-width, re-encoded, metadata
 * stripped) in a child process (imgproc.h), up to IMAGES_PREPARING at
 * once; images_tick, called from the loop, collects their answers.
 *
 * A feed's entries wait only for their own images: when the last one is
 * in, or at the feed's deadline (image-timeout after images_want), or when
 * the pass has spent its image-time-limit (counted from its first image
 * request; then the pass fetches no more images), ready() is called with
 * what arrived; an image still missing stays a remote link.  Before that,
 * each entry's images are fitted to its budget (image-budget): when their
 * sum is over it, the larger ones are scaled down further to share it.  A
 * fetch that no waiting feed wants any more is cancelled.
 *
 * Bounded: IMAGES_PER_ENTRY per entry, IMAGES_PER_FEED fetches per feed,
 * IMAGES_PER_PASS fetches waiting or in flight at once (more stay links),
 * IMAGES_RAW_MAX bytes each as sent, IMAGES_QUEUED bytes of fetched images
 * waiting for a child, the image-budget (and at most LIM_IMAGE) each as
 * embedded.  A failed image stays a remote link and costs one line of
 * log; nothing here fails an entry.
 */
#ifndef RSS2MAIL_IMAGES_H
#define RSS2MAIL_IMAGES_H

#include <stddef.h>

#include "message.h"

#define IMAGES_PER_ENTRY	12
#define IMAGES_PER_FEED		64	/* fetches per feed */
#define IMAGES_PER_PASS		1024	/* fetches waiting or in flight */
#define IMAGES_CONNECT		5
#define IMAGES_PREPARING	4	/* image children at once */
#define IMAGES_QUEUED		(64u << 20)	/* fetched, waiting for one */
#define IMAGES_RAW_MAX		(16u << 20)	/* an image as sent */
#define IMAGES_TIMEOUT		15	/* image-timeout's default, seconds */
#define IMAGES_TIME_LIMIT	60	/* image-time-limit's default */

struct config;
struct config_feed;
struct entry;
struct fetch_loop;
struct imgcache;
struct imgcache_ent;
struct images_pass;

/* An entry's images for msg_opts.images; v[i].data points into the
 * cache (pinned until images_free) or into own[], urls are owned here. */
struct images {
	struct msg_image v[IMAGES_PER_ENTRY];
	char		*urls[IMAGES_PER_ENTRY];
	void		*own[IMAGES_PER_ENTRY];	/* rescaled to the budget */
	const struct imgcache_ent *held[IMAGES_PER_ENTRY];
	struct imgcache	*cache;
	size_t		 n;
};

/*
 * One feed's new entries es[0..n) of feed cf, whose images go into
 * ims[0..n) (zeroed by the caller, which owns them).  feed_private: the
 * feed itself came from a private address, so its images may point into
 * private space too.
 */
struct images_job {
	const struct config_feed *cf;
	int			 feed_private;
	const struct entry *const *es;
	size_t			 n;
	struct images		*ims;
};

/* The job's images are in (ims as given to images_want, complete), or the
 * pass is being torn down (ims NULL: compose nothing). */
typedef void images_ready_fn(void *ctx, struct images *ims);

/* The pass's images: fetched in loop, kept in cache (both the caller's,
 * outliving this). */
struct images_pass *images_pass_new(const struct config *,
	    struct fetch_loop *loop, struct imgcache *cache);
/*
 * Ask for job's images.  0: they are all known now (ims filled, ready is
 * never called); 1: ready(ctx, job->ims) is called once later, from the
 * fetch loop (a fetch's done, images_tick) or images_finish; job->es and
 * job->ims must stay valid until then.
 */
int	images_want(struct images_pass *, const struct images_job *job,
	    images_ready_fn *ready, void *ctx);
/* A fetch_tick_fn's share: collects prepared images, applies deadlines;
 * watches the children's answers in fds (at most IMAGES_PREPARING). */
long	images_tick(struct images_pass *, int *fds, size_t *nfds);
/* The loop has ended: every job still waiting is made ready with what it
 * has, the image children are collected. */
void	images_finish(struct images_pass *);
/* The oldest waiting job is made ready now, with what it has (the
 * caller's bound on what waiting feeds hold). */
void	images_hurry(struct images_pass *);
/* Free; a job still waiting gets ready(ctx, NULL) and composes nothing.
 * Call it before freeing the loop.  Accepts NULL. */
void	images_pass_free(struct images_pass *);
/* Free one entry's URLs, buffers and pins, and zero it. */
void	images_free(struct images *);

#endif
