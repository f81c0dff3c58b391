/*
 * images.c - images = inline: fetching and preparing the images of new
 * entries for the composer, inside the pass's fetch loop (see images.h).
 * The bytes live in the pass's image cache (imgcache.c); decoding and
 * resizing are image.c's, run in a child by imgproc.c; embedding is
 * message.c's.  This file does not compose, queue or deliver: ready() is
 * the caller's.
 *
 * A fetch (struct img_fetch) is one URL under one policy: FETCHING in the
 * loop, QUEUED with its bytes for a child, PREPARING in a child, then its
 * result goes into the cache and into every waiting job's slots, and it is
 * GONE (freed by the next tick: fetch.c clears a request after its done()
 * returns, so it may not be freed inside one).  A job
 * (struct img_job) is one feed's new entries, with a slot per image still
 * missing; it is ready when none is left or at its deadline.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
#include "util.h"

/* GONE: answered; kept until the next tick, as the loop may still touch
 * its request when a done() ended it */
enum { FETCHING, QUEUED, PREPARING, GONE };

struct img_fetch {
	struct img_fetch *next, *prev;	/* the pass's list, oldest first */
	struct images_pass *ip;
	struct fetch_req req;		/* in the loop while FETCHING */
	char		*url;
	unsigned	 policy;
	const struct config_feed *cf;	/* the first feed that asked */
	int		 state;
	struct buf	 body;		/* QUEUED: the bytes as sent */
	struct imgproc	 proc;		/* PREPARING: its child */
	long long	 started;	/* ms, the child's start */
	size_t		 nwait;		/* slots waiting for it */
};

/* One image of one entry, waiting for its fetch. */
struct img_slot {
	struct img_fetch *f;		/* NULL: answered or given up */
	size_t		 entry, k;
};

struct img_job {
	struct img_job	*next;
	const struct config_feed *cf;
	struct images	*ims;
	size_t		 n;
	struct img_slot	*slots;
	size_t		 nslots, missing;
	long long	 deadline;	/* ms */
	images_ready_fn	*ready;
	void		*ctx;
};

struct images_pass {
	const struct config *cfg;
	struct fetch_loop *loop;
	struct imgcache	*cache;
	struct img_fetch *first, *last;
	size_t		 nfetches;
	size_t		 npreparing;
	size_t		 queued;	/* bytes of QUEUED fetches */
	struct img_job	*jobs, **tail;	/* waiting, oldest first */
	long long	 start;		/* ms of the first request; 0: none */
	int		 spent;		/* image-time-limit reached */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* An image's cap as embedded: the per-image cap, within the budget. */
static size_t
image_cap(const struct config_feed *cf)
{
	size_t budget = cf->s.image_budget > 0 ?
	    (size_t)cf->s.image_budget : LIM_IMAGES_TOTAL;

	return budget < LIM_IMAGE ? budget : LIM_IMAGE;
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

/* Image k of ims takes cache entry e (and its pin). */
static void
image_set(struct images *ims, size_t k, const struct imgcache_ent *e)
{
	struct msg_image *m = &ims->v[k];

	ims->held[k] = e;
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
		if (im->held[i] != NULL)
			imgcache_unpin(im->cache, im->held[i]);
	}
	memset(im, 0, sizeof(*im));
}

/*
 * The budget: an entry's images together within image-budget.  Over it,
 * each image larger than an equal share is scaled down further to fit
 * that share (from its prepared bytes); one that cannot be is left as it
 * is, and the composer leaves it a link when it does not fit.
 */
static void
images_fit(const struct config_feed *cf, struct images *im)
{
	struct image_opts o;
	struct image_out out;
	char err[ERRLEN];
	size_t i, j, total = 0, n = 0, share, budget =
	    cf->s.image_budget > 0 ? (size_t)cf->s.image_budget :
	    LIM_IMAGES_TOTAL;

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
	if (total <= budget || n == 0)
		return;
	share = budget / n;
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

/* Job j is ready: fitted, handed over, freed. */
static void
job_ready(struct images_pass *ip, struct img_job *j)
{
	struct img_job **pp;
	size_t i;

	for (pp = &ip->jobs; *pp != j; pp = &(*pp)->next)
		;
	if ((*pp = j->next) == NULL)
		ip->tail = pp;
	for (i = 0; i < j->n; i++)
		images_fit(j->cf, &j->ims[i]);
	j->ready(j->ctx, j->ims);
	free(j->slots);
	free(j);
}

/* Every job with nothing missing, oldest first. */
static void
jobs_ready(struct images_pass *ip)
{
	struct img_job *j;

	for (j = ip->jobs; j != NULL; ) {
		if (j->missing > 0) {
			j = j->next;
			continue;
		}
		job_ready(ip, j);
		j = ip->jobs;		/* ready() may not add jobs, but
					 * the list changed */
	}
}

static void
fetch_unlink(struct images_pass *ip, struct img_fetch *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		ip->first = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		ip->last = f->prev;
	ip->nfetches--;
	fetch_req_clear(&f->req);
	buf_free(&f->body);
	free(f->url);
	free(f);
}

/* Free the fetches that are GONE. */
static void
reclaim(struct images_pass *ip)
{
	struct img_fetch *f, *next;

	for (f = ip->first; f != NULL; f = next) {
		next = f->next;
		if (f->state == GONE)
			fetch_unlink(ip, f);
	}
}

/*
 * Fetch f's outcome (e from the cache, pinned once; NULL type: failed)
 * into every slot waiting for it; then f is GONE.  Jobs that became
 * ready are handed over by the caller (jobs_ready).
 */
static void
fetch_answer(struct images_pass *ip, struct img_fetch *f,
    const struct imgcache_ent *e)
{
	struct img_job *j;
	size_t i, used = 0;

	for (j = ip->jobs; j != NULL && f->nwait > 0; j = j->next)
		for (i = 0; i < j->nslots; i++) {
			if (j->slots[i].f != f)
				continue;
			j->slots[i].f = NULL;
			f->nwait--;
			j->missing--;
			/* each slot holds its own pin */
			image_set(&j->ims[j->slots[i].entry], j->slots[i].k,
			    used++ == 0 ? e : imgcache_get(ip->cache, f->url,
			    f->policy));
		}
	if (used == 0)
		imgcache_unpin(ip->cache, e);
	if (f->state == QUEUED)
		ip->queued -= f->body.len;
	buf_free(&f->body);
	f->state = GONE;
}

static void
fetch_failed(struct images_pass *ip, struct img_fetch *f)
{
	/* remembered, so the pass does not try it again */
	fetch_answer(ip, f, imgcache_put(ip->cache, f->url, f->policy, NULL,
	    NULL, 0));
}

/* The child of f has answered (or must have by now). */
static void
prepared(struct images_pass *ip, struct img_fetch *f)
{
	struct image_out out;
	char err[ERRLEN];

	ip->npreparing--;
	if (imgproc_finish(&f->proc, &out, err, sizeof(err)) != IMAGE_OK) {
		log_warn("feed %s: image %s: %s", f->cf->name, f->url, err);
		fetch_failed(ip, f);
		return;
	}
	fetch_answer(ip, f, imgcache_put_sized(ip->cache, f->url, f->policy,
	    out.type, out.data, out.len, out.width, out.height));
	image_out_free(&out);
}

/* Start children for queued images while there is room; over the queued
 * bytes' bound, wait for the oldest child instead. */
static void
pump(struct images_pass *ip)
{
	struct img_fetch *f, *next;
	struct image_opts o;
	char err[ERRLEN];

	while (ip->queued > IMAGES_QUEUED && ip->npreparing > 0) {
		for (f = ip->first; f && f->state != PREPARING; f = f->next)
			;
		prepared(ip, f);
	}
	for (f = ip->first; f && ip->npreparing < IMAGES_PREPARING;
	    f = next) {
		next = f->next;
		if (f->state != QUEUED)
			continue;
		image_opts_of(f->cf, image_cap(f->cf), &o);
		if (imgproc_start(&f->proc, f->body.data, f->body.len, &o,
		    err, sizeof(err)) == -1) {
			log_warn("feed %s: image %s: %s", f->cf->name, f->url,
			    err);
			fetch_failed(ip, f);
			continue;
		}
		ip->queued -= f->body.len;
		buf_free(&f->body);	/* the child has its copy */
		f->state = PREPARING;
		f->started = now_ms();
		ip->npreparing++;
	}
}

/* The loop's done() for an image. */
static void
on_image(struct fetch_req *req, void *ctx)
{
	struct img_fetch *f = ctx;
	struct images_pass *ip = f->ip;

	if (req->result != FETCH_OK || req->body.len == 0) {
		/* the fetcher speaks of feeds: "feed too large (...)" */
		log_warn("feed %s: image %s: %s%s", f->cf->name, f->url,
		    req->result != FETCH_ERROR ? "no image" :
		    strncmp(req->err, "feed ", 5) == 0 ? "image " : "",
		    req->result != FETCH_ERROR ? "" :
		    strncmp(req->err, "feed ", 5) == 0 ? req->err + 5 :
		    req->err);
		fetch_failed(ip, f);
		jobs_ready(ip);
		return;			/* it stays a remote link */
	}
	/* whatever the server called it: image.c goes by the bytes */
	f->body = req->body;
	buf_init(&req->body, 0);
	f->state = QUEUED;
	ip->queued += f->body.len;
	pump(ip);
	jobs_ready(ip);
}

struct images_pass *
images_pass_new(const struct config *cfg, struct fetch_loop *loop,
    struct imgcache *cache)
{
	struct images_pass *ip = xcalloc(1, sizeof(*ip));

	ip->cfg = cfg;
	ip->loop = loop;
	ip->cache = cache;
	ip->tail = &ip->jobs;
	return ip;
}

/* The fetch of url under policy: one in flight, or a new one (NULL: over
 * a cap, or the pass spent its image time). */
static struct img_fetch *
fetch_for(struct images_pass *ip, const struct images_job *job,
    const char *url, unsigned policy, size_t *job_fetches)
{
	const struct config_feed *cf = job->cf;
	struct img_fetch *f;
	long t;

	for (f = ip->first; f != NULL; f = f->next)
		if (f->state != GONE && f->policy == policy &&
		    strcmp(f->url, url) == 0)
			return f;
	if (ip->spent || ip->loop == NULL ||
	    *job_fetches == IMAGES_PER_FEED ||
	    ip->nfetches == IMAGES_PER_PASS)
		return NULL;
	(*job_fetches)++;
	f = xcalloc(1, sizeof(*f));
	f->ip = ip;
	f->url = xstrdup(url);
	f->policy = policy;
	f->cf = cf;
	f->state = FETCHING;
	t = cf->s.image_timeout > 0 ? (long)cf->s.image_timeout :
	    IMAGES_TIMEOUT;
	f->req.url = f->url;
	/* URLs come from feed content: the guard treats them as
	 * public-origin unless the feed itself came from a private address
	 * (or allow-private is set) */
	f->req.from_content = !job->feed_private;
	f->req.allow_private = cf->s.allow_private;
	f->req.max_size = IMAGES_RAW_MAX;
	/* a second more than the feed's deadline: the deadline decides,
	 * and says so in the log */
	f->req.timeout = t + 1;
	f->req.connect_timeout = IMAGES_CONNECT < t ? IMAGES_CONNECT : t;
	f->req.user_agent = cf->s.user_agent;
	f->req.accept = "image/png, image/jpeg, image/gif, image/webp";
	f->req.lane = FETCH_LANE_IMAGE;
	f->prev = ip->last;
	if (ip->last)
		ip->last->next = f;
	else
		ip->first = f;
	ip->last = f;
	ip->nfetches++;
	fetch_loop_add(ip->loop, &f->req, on_image, f);
	if (ip->start == 0)
		ip->start = now_ms();
	return f;
}

/* Entry i of job: its image URLs, from the cache or asked for. */
static void
want_entry(struct images_pass *ip, const struct images_job *job,
    struct img_job *j, size_t i, struct buf *urls, size_t *job_fetches)
{
	const struct feed_text *body = feed_entry_body(job->es[i]);
	const struct imgcache_ent *hit;
	struct images *ims = &job->ims[i];
	struct img_fetch *f = NULL;
	unsigned policy = job_policy(job);
	char *p, *nl;
	size_t k;

	ims->cache = ip->cache;
	buf_reset(urls);
	if (body == NULL || body->value == NULL ||
	    html_image_urls(body->value, strlen(body->value),
	    IMAGES_PER_ENTRY, urls) == -1 || urls->len == 0)
		return;
	for (p = urls->data; *p && ims->n < IMAGES_PER_ENTRY; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((hit = imgcache_get(ip->cache, p, policy)) == NULL &&
		    (f = fetch_for(ip, job, p, policy, job_fetches)) == NULL)
			continue;	/* stays a link */
		k = ims->n++;
		ims->urls[k] = xstrdup(p);
		ims->v[k].url = ims->urls[k];
		if (hit) {
			image_set(ims, k, hit);
			continue;
		}
		j->slots = xrealloc(j->slots, (j->nslots + 1) *
		    sizeof(*j->slots));
		j->slots[j->nslots].f = f;
		j->slots[j->nslots].entry = i;
		j->slots[j->nslots++].k = k;
		j->missing++;
		f->nwait++;
	}
}

int
images_want(struct images_pass *ip, const struct images_job *job,
    images_ready_fn *ready, void *ctx)
{
	struct buf urls = BUF_INIT(0);
	struct img_job *j;
	size_t i, job_fetches = 0;
	long t = job->cf->s.image_timeout > 0 ?
	    (long)job->cf->s.image_timeout : IMAGES_TIMEOUT;

	j = xcalloc(1, sizeof(*j));
	j->cf = job->cf;
	j->ims = job->ims;
	j->n = job->n;
	j->ready = ready;
	j->ctx = ctx;
	for (i = 0; i < job->n; i++)
		want_entry(ip, job, j, i, &urls, &job_fetches);
	buf_free(&urls);
	if (j->missing == 0) {
		for (i = 0; i < job->n; i++)
			images_fit(job->cf, &job->ims[i]);
		free(j->slots);
		free(j);
		return 0;
	}
	j->deadline = now_ms() + t * 1000LL;
	*ip->tail = j;
	ip->tail = &j->next;
	return 1;
}

/*
 * Job j goes now with what it has: its slots give up their fetches, and a
 * fetch nobody waits for any more is cancelled (its done() remembers the
 * failure and logs it).
 */
static void
job_expire(struct images_pass *ip, struct img_job *j, const char *why)
{
	struct img_fetch *f;
	size_t i;

	for (i = 0; i < j->nslots; i++) {
		if ((f = j->slots[i].f) == NULL)
			continue;
		j->slots[i].f = NULL;
		j->missing--;
		f->nwait--;
	}
	job_ready(ip, j);
	for (f = ip->first; f != NULL; ) {
		if (f->state != FETCHING || f->nwait > 0) {
			f = f->next;
			continue;
		}
		if (!fetch_loop_cancel(ip->loop, &f->req, why)) {
			log_warn("feed %s: image %s: %s", f->cf->name, f->url,
			    why);
			fetch_failed(ip, f);
		}
		f = ip->first;		/* the list changed */
	}
}

/* Children that answered (or overran their time), without waiting. */
static void
collect(struct images_pass *ip, long long now)
{
	struct pollfd pfd;
	struct img_fetch *f, *next;

	for (f = ip->first; f != NULL; f = next) {
		next = f->next;
		if (f->state != PREPARING)
			continue;
		pfd.fd = f->proc.fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 ||
		    now - f->started >= IMGPROC_SECONDS * 1000LL) {
			prepared(ip, f);
			next = ip->first;	/* the list changed */
		}
	}
}

long
images_tick(struct images_pass *ip, int *fds, size_t *nfds)
{
	struct img_job *j;
	struct img_fetch *f;
	long long now = now_ms(), next = -1;
	long limit = ip->cfg->image_time_limit > 0 ?
	    (long)ip->cfg->image_time_limit : IMAGES_TIME_LIMIT;
	char why[64];

	reclaim(ip);
	collect(ip, now);
	pump(ip);
	jobs_ready(ip);
	if (!ip->spent && ip->start > 0 && now - ip->start >= limit * 1000LL) {
		ip->spent = 1;
		log_warn("images: the pass spent its %ld s on images "
		    "(image-time-limit): the rest stay links", limit);
		snprintf(why, sizeof(why), "image-time-limit reached (%ld s)",
		    limit);
		while (ip->jobs != NULL)
			job_expire(ip, ip->jobs, why);
	}
	for (j = ip->jobs; j != NULL; ) {
		if (now < j->deadline) {
			if (next == -1 || j->deadline - now < next)
				next = j->deadline - now;
			j = j->next;
			continue;
		}
		snprintf(why, sizeof(why), "no answer within %lld s "
		    "(image-timeout)", (long long)(j->cf->s.image_timeout > 0 ?
		    j->cf->s.image_timeout : IMAGES_TIMEOUT));
		job_expire(ip, j, why);
		j = ip->jobs;
	}
	*nfds = 0;
	for (f = ip->first; f != NULL; f = f->next) {
		if (f->state == PREPARING && *nfds < IMAGES_PREPARING)
			fds[(*nfds)++] = f->proc.fd;
		if (f->state != GONE && next == -1)
			next = 250;	/* in the loop, a child or queued */
	}
	return next > 250 ? 250 : next;
}

void
images_finish(struct images_pass *ip)
{
	struct img_fetch *f;

	if (ip == NULL)
		return;
	while (ip->jobs != NULL)
		job_expire(ip, ip->jobs, "the pass ended");
	for (f = ip->first; f != NULL; f = f->next) {
		if (f->state == PREPARING)
			prepared(ip, f);
		else if (f->state == FETCHING && ip->loop != NULL &&
		    fetch_loop_cancel(ip->loop, &f->req, "the pass ended"))
			;		/* its done() made it GONE */
		else if (f->state != GONE)
			fetch_failed(ip, f);
	}
	reclaim(ip);
}

void
images_hurry(struct images_pass *ip)
{
	if (ip->jobs != NULL)
		job_expire(ip, ip->jobs, "too many feeds waiting for images");
}

void
images_pass_free(struct images_pass *ip)
{
	struct img_job *j;
	struct img_fetch *f;
	struct image_out out;
	char err[ERRLEN];
	size_t i;

	if (ip == NULL)
		return;
	while ((j = ip->jobs) != NULL) {
		ip->jobs = j->next;
		for (i = 0; i < j->n; i++)
			images_free(&j->ims[i]);
		j->ready(j->ctx, NULL);
		free(j->slots);
		free(j);
	}
	ip->tail = &ip->jobs;
	for (f = ip->first; f != NULL; f = f->next) {
		/* one in the loop ends there: its done() makes it GONE */
		if (f->state == FETCHING && ip->loop != NULL &&
		    fetch_loop_cancel(ip->loop, &f->req, "the pass ended"))
			continue;
		if (f->state == PREPARING) {
			imgproc_finish(&f->proc, &out, err, sizeof(err));
			image_out_free(&out);
		}
		f->state = GONE;
	}
	reclaim(ip);
	free(ip);
}
