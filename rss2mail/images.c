/*
 * images.c - images = inline: fetching and preparing the images of new
 * entries for the composer (see images.h).  The bytes live in the pass's
 * image cache (imgcache.c); decoding and resizing are image.c's, run in a
 * child by imgproc.c; embedding is message.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "html.h"
#include "image.h"
#include "images.h"
#include "imgcache.h"
#include "imgproc.h"
#include "limits.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* One image request of a batch. */
struct image_req {
	struct imgcache	*cache;
	const struct config_feed *cf;
	unsigned	 policy;
	const struct imgcache_ent *got;
	struct imgproc	 proc;		/* its child, while preparing */
	const char	*url;
};

/* The images being prepared, oldest first: their children work while
 * the batch's other images are still arriving. */
struct preparing {
	struct image_req *v[IMAGES_PREPARING];
	size_t		 n;
};

/* The cache key's policy: the private-address guard's two bits, and the
 * sizing the bytes were prepared with. */
static unsigned
job_policy(const struct images_job *j)
{
	const struct config_feed *cf = j->cf;
	unsigned p = (j->feed_private ? 0u : 1u) |
	    (cf->s.allow_private ? 2u : 0u);

	return p | ((unsigned)cf->s.image_max_width & 0x1ffffu) << 2 |
	    ((unsigned)cf->s.image_quality & 0x7fu) << 19;
}

static void
image_opts_of(const struct config_feed *cf, size_t max_bytes,
    struct image_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_width = cf->s.image_max_width;
	o->quality = cf->s.image_quality;
	o->max_bytes = max_bytes;
}

/* The oldest image being prepared: its result into the cache. */
static void
prepared(struct preparing *pp)
{
	struct image_req *ir = pp->v[0];
	struct image_out out;
	char err[ERRLEN];

	memmove(pp->v, pp->v + 1, --pp->n * sizeof(pp->v[0]));
	if (imgproc_finish(&ir->proc, &out, err, sizeof(err)) != IMAGE_OK) {
		log_warn("feed %s: image %s: %s", ir->cf->name, ir->url, err);
		ir->got = imgcache_put(ir->cache, ir->url, ir->policy, NULL,
		    NULL, 0);
		return;
	}
	ir->got = imgcache_put_sized(ir->cache, ir->url, ir->policy,
	    out.type, out.data, out.len, out.width, out.height);
	image_out_free(&out);
}

static void
on_image(struct fetch_req *req, void *ctx)
{
	struct preparing *pp = ctx;
	struct image_req *ir = req->user;
	struct image_opts o;
	char err[ERRLEN];

	if (req->result != FETCH_OK || req->body.len == 0) {
		/* the fetcher speaks of feeds: "feed too large (...)" */
		log_warn("feed %s: image %s: %s%s", ir->cf->name, req->url,
		    req->result != FETCH_ERROR ? "no image" :
		    strncmp(req->err, "feed ", 5) == 0 ? "image " : "",
		    req->result != FETCH_ERROR ? "" :
		    strncmp(req->err, "feed ", 5) == 0 ? req->err + 5 :
		    req->err);
		/* remembered, so the pass does not try it again */
		ir->got = imgcache_put(ir->cache, req->url, ir->policy, NULL,
		    NULL, 0);
		return;			/* it stays a remote link */
	}
	/* whatever the server called it: image.c goes by the bytes */
	if (pp->n == IMAGES_PREPARING)
		prepared(pp);
	image_opts_of(ir->cf, LIM_IMAGE, &o);
	ir->url = req->url;
	if (imgproc_start(&ir->proc, req->body.data, req->body.len, &o, err,
	    sizeof(err)) == -1) {
		log_warn("feed %s: image %s: %s", ir->cf->name, req->url,
		    err);
		ir->got = imgcache_put(ir->cache, req->url, ir->policy, NULL,
		    NULL, 0);
		return;
	}
	pp->v[pp->n++] = ir;
}

static void
image_set(struct msg_image *m, const struct imgcache_ent *e)
{
	if (e == NULL || e->type == NULL)
		return;			/* failed: stays a link */
	m->type = e->type;
	m->data = e->data;
	m->len = e->len;
	m->width = e->width;
	m->height = e->height;
}

void
images_free(struct images *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		free(im->urls[i]);
		free(im->own[i]);
	}
	memset(im, 0, sizeof(*im));
}

/*
 * The budget: an entry's images together within LIM_IMAGES_TOTAL.  Over
 * it, each image larger than an equal share is scaled down further to fit
 * that share (from its prepared bytes); one that cannot be is left as it
 * is, and the composer leaves it a link when it does not fit.
 */
static void
images_fit(const struct config_feed *cf, struct images *im)
{
	struct image_opts o;
	struct image_out out;
	char err[ERRLEN];
	size_t i, j, total = 0, n = 0, share;

	for (i = 0; i < im->n; i++) {
		if (im->v[i].data == NULL)
			continue;
		for (j = 0; j < i; j++)		/* one URL, one part */
			if (strcmp(im->urls[j], im->urls[i]) == 0)
				break;
		if (j < i)
			continue;
		total += im->v[i].len;
		n++;
	}
	if (total <= LIM_IMAGES_TOTAL || n == 0)
		return;
	share = LIM_IMAGES_TOTAL / n;
	for (i = 0; i < im->n; i++) {
		if (im->v[i].data == NULL || im->v[i].len <= share)
			continue;
		image_opts_of(cf, share, &o);
		if (imgproc_prepare(im->v[i].data, im->v[i].len, &o, &out,
		    err, sizeof(err)) != IMAGE_OK) {
			log_info("feed %s: image %s: %s", cf->name,
			    im->urls[i], err);
			continue;
		}
		im->own[i] = out.data;
		im->v[i].data = out.data;
		im->v[i].len = out.len;
		im->v[i].type = out.type;
		im->v[i].width = out.width;
		im->v[i].height = out.height;
	}
}

/* Find (or add) the request for url under policy; -1: over a cap. */
static long
request_for(struct fetch_req *reqs, struct image_req *irs, size_t *nreq,
    size_t cap, const char *url, unsigned policy, size_t *job_reqs)
{
	size_t j;

	for (j = 0; j < *nreq; j++)
		if (irs[j].policy == policy && strcmp(reqs[j].url, url) == 0)
			return (long)j;
	if (*nreq == cap || *job_reqs == IMAGES_PER_FEED)
		return -1;
	(*job_reqs)++;
	return (long)(*nreq)++;
}

/*
 * Fetch the images of every job's entries in one batch: one fetch_run, so
 * all image hosts are asked at once (under the fetcher's caps) and a slow
 * host costs its own time once, not once per feed.  URLs come from feed
 * content, so the fetcher's private-address guard treats them as
 * public-origin (unless the feed itself came from a private address, or
 * allow-private is set).
 */
void
images_fetch(struct imgcache *cache, const struct config *cfg,
    const char *public_addrs, struct images_job *jobs, size_t njobs,
    long deadline)
{
	const struct feed_text *body;
	const struct imgcache_ent *hit;
	struct fetch_req *reqs;
	struct image_req *irs;
	struct fetch_opts fo;
	struct preparing pp;
	struct images *ims;
	struct buf urls = BUF_INIT(0);
	char err[ERRLEN], *p, *nl;
	size_t i, k, b, nreq = 0, job_reqs,
	    cap = njobs * IMAGES_PER_FEED < IMAGES_PER_BATCH ?
	    njobs * IMAGES_PER_FEED : IMAGES_PER_BATCH;
	size_t **which;		/* per (entry, image): its request + 1, or 0 */
	unsigned policy;
	long j;

	imgcache_begin(cache);
	memset(&pp, 0, sizeof(pp));
	reqs = xcalloc(cap + 1, sizeof(*reqs));
	irs = xcalloc(cap + 1, sizeof(*irs));
	which = xcalloc(njobs + 1, sizeof(*which));
	for (b = 0; b < njobs; b++) {
		policy = job_policy(&jobs[b]);
		which[b] = xcalloc(jobs[b].n * IMAGES_PER_ENTRY + 1,
		    sizeof(**which));
		job_reqs = 0;
		for (i = 0; i < jobs[b].n; i++) {
			ims = &jobs[b].ims[i];
			body = feed_entry_body(jobs[b].es[i]);
			buf_reset(&urls);
			if (body == NULL || body->value == NULL ||
			    html_image_urls(body->value, strlen(body->value),
			    IMAGES_PER_ENTRY, &urls) == -1 || urls.len == 0)
				continue;
			for (p = urls.data; *p && ims->n < IMAGES_PER_ENTRY;
			    p = nl + 1) {
				if ((nl = strchr(p, '\n')) == NULL)
					break;
				*nl = '\0';
				j = -1;
				if ((hit = imgcache_get(cache, p, policy)) ==
				    NULL && (j = request_for(reqs, irs, &nreq,
				    cap, p, policy, &job_reqs)) == -1)
					continue;	/* stays a link */
				k = ims->n++;
				ims->urls[k] = xstrdup(p);
				ims->v[k].url = ims->urls[k];
				if (hit) {
					image_set(&ims->v[k], hit);
					continue;
				}
				which[b][i * IMAGES_PER_ENTRY + k] =
				    (size_t)j + 1;
				if (reqs[j].url != NULL)
					continue;	/* already asked for */
				irs[j].cache = cache;
				irs[j].cf = jobs[b].cf;
				irs[j].policy = policy;
				reqs[j].url = ims->urls[k];
				reqs[j].from_content = !jobs[b].feed_private;
				reqs[j].allow_private =
				    jobs[b].cf->s.allow_private;
				reqs[j].max_size = IMAGES_RAW_MAX;
				reqs[j].timeout = IMAGES_TIMEOUT;
				reqs[j].connect_timeout = IMAGES_CONNECT;
				reqs[j].user_agent = jobs[b].cf->s.user_agent;
				reqs[j].accept = "image/png, image/jpeg, "
				    "image/gif, image/webp";
				reqs[j].user = &irs[j];
			}
		}
	}
	plan_fetch_opts(cfg, &fo);
	/* images are small and their hosts many: more in flight than feeds
	 * (the per-host cap still holds); one slow host per feed must not
	 * queue the others behind it */
	fo.concurrency = (fo.concurrency > 0 ? fo.concurrency : 16) *
	    IMAGES_CONCURRENCY;
	if (fo.concurrency > 256)
		fo.concurrency = 256;
	fo.public_addrs = public_addrs;
	fo.deadline = deadline > 0 ? deadline : IMAGES_TIMEOUT;
	if (nreq && fetch_run(reqs, nreq, &fo, on_image, &pp, err,
	    sizeof(err)) == -1)
		log_warn("images: %s", err);
	while (pp.n > 0)
		prepared(&pp);
	for (b = 0; b < njobs; b++) {
		for (i = 0; i < jobs[b].n; i++) {
			ims = &jobs[b].ims[i];
			for (k = 0; k < ims->n; k++)
				if ((j = (long)which[b][i * IMAGES_PER_ENTRY +
				    k]) > 0)
					image_set(&ims->v[k], irs[j - 1].got);
			images_fit(jobs[b].cf, ims);
		}
		free(which[b]);
	}
	for (i = 0; i < nreq; i++)
		fetch_req_clear(&reqs[i]);
	free(which);
	free(irs);
	free(reqs);
	buf_free(&urls);
}
