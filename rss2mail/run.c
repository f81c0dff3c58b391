/*
 * run.c - one pass over the feeds (see run.h): the flow, and nothing else.
 *
 * The order of durable steps is the whole point of a pass:
 *
 *   1. settle the journal left by an earlier pass (crash, kill, network
 *      drop): a pending message already in its folder is marked delivered,
 *      one that is not is appended again (deliver_recover);
 *   2. fetch every selected feed in parallel (plan.c makes the requests);
 *      as each arrives, parse it (isolate.c: the parser child works on it
 *      while the feed before is composed, see on_fetched), compose a
 *      message for each entry with no journal row (message.c, with its
 *      identity; compose.c for revisions, digests and the queueing), and
 *      queue it in the outbox of its (store, folder).  With images =
 *      inline a feed's images join the same fetch loop (images.c) and its
 *      entries are composed when they are in (run_entries), while other
 *      feeds go on;
 *   3. an outbox is flushed when full, when the next message goes elsewhere,
 *      and at the end: journal all its messages as pending (one commit,
 *      which also marks the batch before, if it landed, delivered), then
 *      hand them to the delivery thread, which appends them in one batch
 *      while the main thread goes on; what the store confirmed is marked
 *      delivered in the next commit (deliver.c);
 *   4. a feed's HTTP validators are saved only when all its new entries
 *      were delivered, so a failed feed is fetched whole next time
 *      (run_finish).
 *
 * A feed that fails is health.c's: one line, a backoff, a notice when the
 * failure lasts.  Nothing is marked delivered that the store did not
 * confirm, and nothing is appended without a pending row on disk first.
 * Only the main thread touches the journal, the feeds and the log; the
 * delivery thread touches only the store and its batch, and no other store
 * call is made while a batch is in flight (deliver_land first; deliver.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "feed_pack.h"
#include "fetch.h"
#include "fulltext.h"
#include "health.h"
#include "images.h"
#include "imgcache.h"
#include "isolate.h"
#include "limits.h"
#include "log.h"
#include "message.h"
#include "pass.h"
#include "plan.h"
#include "run.h"
#include "select.h"
#include "state.h"
#include "util.h"

/* A feed's new entries to compose one by one (run_fresh), with what they
 * hold until then. */
struct fresh {
	const struct entry **v;		/* oldest first */
	size_t		 n;
	struct fulltext	*ft;		/* per v[i]: its whole article */
	struct select	*sel;
};

static void
fresh_free(struct fresh *fs)
{
	size_t i;

	for (i = 0; fs->ft != NULL && i < fs->n; i++)
		fulltext_free(&fs->ft[i]);
	free(fs->ft);
	select_free(fs->sel);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/*
 * A feed's entries, oldest first: revisions, selection, full text and
 * digests are done here; the new entries to compose one by one come back
 * in *fs (fresh_free).
 */
static void
run_fresh(struct run *r, struct feed_run *fr, struct feed *f,
    struct fresh *fs)
{
	const struct config_feed *cf = fr->cf;
	struct entry **v;
	struct entry *e;
	struct msg_opts mo;
	char err[ERRLEN];
	enum state_entry es;
	size_t i, n = 0;
	int rc;

	memset(fs, 0, sizeof(*fs));
	/* oldest first: feeds list newest first */
	v = xcalloc(f->nentries + 1, sizeof(*v));
	fs->v = xcalloc(f->nentries + 1, sizeof(*fs->v));
	for (e = f->entries; e && n < f->nentries; e = e->next)
		v[n++] = e;
	compose_opts(r, fr, &mo);
	if ((fs->sel = select_new(r->cfg, cf, r->select, err,
	    sizeof(err))) == NULL)
		health_fail(r, fr, "%s", err);
	for (i = n; fs->sel && i-- > 0; ) {
		e = v[i];
		if ((es = state_entry_get(r->st, cf->name, e->id)) !=
		    STATE_NEW) {
			if (es == STATE_DONE && !r->o->catchup &&
			    cf->s.updates != CONFIG_UPDATES_IGNORE &&
			    !cf->s.digest)
				compose_revision(r, fr, f, e, &mo);
			continue;
		}
		r->stats->new_entries++;
		if (r->o->catchup) {
			if (state_entry_seen(r->st, cf->name, e->id) == -1)
				health_fail(r, fr, "state: cannot record %s",
				    e->id);
			continue;
		}
		if ((rc = select_entry(fs->sel, r->st, e, r->now, err,
		    sizeof(err))) != 1) {
			if (rc == -1)
				health_fail(r, fr, "%s", err);
			continue;
		}
		fs->v[fs->n++] = e;	/* composed after the loop */
	}
	/* the whole article for teasers: v[i] becomes ft[i].e */
	fs->ft = xcalloc(fs->n + 1, sizeof(*fs->ft));
	if (fs->n > 0 && cf->s.full_text != CONFIG_FULLTEXT_NO)
		fulltext_fetch(r->cfg, cf, fr->feed_private,
		    r->o->public_addrs, fs->v, fs->n, fs->ft);
	if (fs->n > 0 && cf->s.digest) {
		compose_digest(r, fr, f, fs->v, fs->n, &mo);
		for (i = 0; i < fs->n; i++)
			fulltext_free(&fs->ft[i]);
		fs->n = 0;
	}
	free(v);
}

/*
 * Compose and queue a feed's new entries, with their images (ims, or
 * NULL), and free those.
 */
static void
run_compose(struct run *r, struct feed_run *fr, struct feed *f,
    struct fresh *fs, struct images *ims)
{
	struct msg_opts mo;
	struct entry *e;
	struct msg m;
	char err[ERRLEN];
	size_t i;
	int rc;

	compose_opts(r, fr, &mo);
	for (i = 0; i < fs->n; i++) {
		e = (struct entry *)(uintptr_t)fs->v[i];
		if (ims != NULL) {
			mo.images = ims[i].v;
			mo.nimages = ims[i].n;
		}
		mo.hash_entry = fs->ft[i].orig;
		rc = msg_compose(f, e, &mo, &m, err, sizeof(err));
		mo.hash_entry = NULL;
		if (ims != NULL)
			images_free(&ims[i]);
		if (rc == -1)
			health_fail(r, fr, "entry %s: %s", e->id, err);
		else
			compose_queue(r, fr, &m, e->title.value);
		msg_free(&m);
		fulltext_free(&fs->ft[i]);
	}
}

/* A feed whose new entries wait for their images. */
struct img_wait {
	struct run	*r;
	struct feed_run	*fr;
	struct arena	*arena;		/* holds f; owned */
	struct feed	*f;
	struct fresh	 fs;
	struct images	*ims;
	size_t		 bytes;		/* the arena's */
};

/*
 * What a waiting feed holds: the feed's own fields and its new entries
 * only, packed and unpacked (feed_pack.h) into an arena of their own, so
 * a feed of 20 parsed entries with one new one waits in a few KB, not in
 * its whole parse (hundreds of feeds may wait on one slow image host).
 * Not with full text, whose entries point into the parse.  0, or -1: w
 * keeps the whole parse (the caller's arena).
 */
static int
wait_compact(struct img_wait *w)
{
	struct arena *a;
	struct feed *nf;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < w->fs.n; i++)
		if (w->fs.ft[i].orig != NULL)
			return -1;
	a = arena_new(LIM_FEED_ARENA);
	if (feed_subset(w->f, w->fs.v, w->fs.n, a, &nf, w->fs.v, err,
	    sizeof(err)) == -1) {
		arena_free(a);
		return -1;
	}
	w->f = nf;
	w->arena = a;
	return 0;
}

/*
 * The bound on what waiting feeds hold: past RUN_IMAGE_WAIT feeds or
 * RUN_IMAGE_HOLD bytes the loop starts no more feeds (those in flight
 * still arrive) until images come in or deadlines pass; past twice that,
 * the oldest waiting feed goes at once with what it has.
 */
static void
run_hold(struct run *r)
{
	int over = r->nwaiting > RUN_IMAGE_WAIT ||
	    r->waiting_bytes > RUN_IMAGE_HOLD;

	if (over != r->held && r->loop != NULL) {
		fetch_loop_hold(r->loop, FETCH_LANE_FEED, over);
		r->held = over;
		if (over)
			log_info("images: %zu feeds wait for their images: "
			    "no more feeds start until some are in",
			    r->nwaiting);
	}
	while (r->nwaiting > 2 * RUN_IMAGE_WAIT ||
	    r->waiting_bytes > 2 * RUN_IMAGE_HOLD) {
		log_info("images: %zu feeds wait for their images: the "
		    "oldest goes with what it has", r->nwaiting);
		images_hurry(r->imgs);
	}
}

/* images_ready_fn: a waiting feed's images are in (ims NULL: the pass is
 * torn down, the entries are left for the next one). */
static void
images_in(void *ctx, struct images *ims)
{
	struct img_wait *w = ctx;
	struct run *r = w->r;

	r->nwaiting--;
	r->waiting_bytes -= w->bytes;
	if (ims != NULL) {
		run_compose(r, w->fr, w->f, &w->fs, ims);
		run_hold(r);
	}
	free(w->ims);
	fresh_free(&w->fs);
	arena_free(w->arena);
	free(w);
}

/*
 * A parsed feed's entries: composed now, or, when they show images to
 * fetch (images = inline), once those are in (images_in): the feed's
 * images join the pass's fetch loop, and its parsed feed waits in an
 * arena of its own while other feeds go on.  Messages of one feed are
 * queued together, oldest first; feeds sharing a folder are queued in
 * the order they become ready.
 */
static void
run_entries(struct run *r, struct feed_run *fr, struct feed *f)
{
	const struct config_feed *cf = fr->cf;
	struct images_job job;
	struct img_wait *w;
	struct fresh fs;
	struct images *ims = NULL;

	run_fresh(r, fr, f, &fs);
	if (fs.n > 0 && cf->s.images == CONFIG_IMAGES_INLINE &&
	    cf->s.html && r->imgs != NULL) {
		ims = xcalloc(fs.n + 1, sizeof(*ims));
		w = xcalloc(1, sizeof(*w));
		w->r = r;
		w->fr = fr;
		w->f = f;
		w->fs = fs;
		w->ims = ims;
		memset(&job, 0, sizeof(job));
		job.cf = cf;
		job.feed_private = fr->feed_private;
		job.es = w->fs.v;
		job.n = w->fs.n;
		job.ims = ims;
		if (images_want(r->imgs, &job, images_in, w) == 1) {
			if (wait_compact(w) == -1) {
				/* f lives there: keep it */
				w->arena = r->arena;
				r->arena = arena_new(LIM_FEED_ARENA);
			}
			w->bytes = arena_used(w->arena);
			r->nwaiting++;
			r->waiting_bytes += w->bytes;
			run_hold(r);
			return;
		}
		free(w);
	}
	run_compose(r, fr, f, &fs, ims);
	free(ims);
	fresh_free(&fs);
}

static void
run_progress(struct run *r)
{
	if (!r->o->progress)
		return;
	fprintf(stderr, "\rrss2mail: %zu/%zu feeds, %zu delivered",
	    r->done, r->nfeeds, r->stats->delivered);
	fflush(stderr);
}

/* A fetched feed, parsed: the rest of step 2 (rc -1: err says why). */
static void
feed_parsed(struct run *r, struct feed_run *fr, const struct fetch_req *req,
    int rc, struct feed *f, const char *err)
{
	if (rc == -1) {
		health_fail(r, fr, "parse %s: %s", req->url, err);
		fr->source_failed = 1;
		health_backoff(r, fr, 0);
		return;
	}
	fr->polled = 1;
	fr->feed_private = req->peer_private;
	health_redirect(r, fr, req);
	if (f->ttl > 0 && f->ttl * 60 != fr->sf.hint &&
	    state_feed_set_hint(r->st, fr->cf->name, f->ttl * 60) == -1)
		log_error("feed %s: state: cannot record its ttl",
		    fr->cf->name);
	fr->etag = xstrdup(req->etag_out);
	fr->last_modified = xstrdup(req->last_modified_out);
	if (f->bozo && f->bozo_exception) {
		fr->warning = xstrdup(f->bozo_exception);
		log_warn("feed %s: warning: %s", fr->cf->name,
		    f->bozo_exception);
	}
	run_entries(r, fr, f);
}

/*
 * With parse isolation the parser child works on one feed while this
 * process composes the one before: the feed that just arrived is sent,
 * then the previous one's answer is processed (it was read before the
 * send, so the child is never blocked on a full pipe).  parse_flush
 * processes the last one.
 */
static void
parse_flush(struct run *r)
{
	struct parse_job *pj = &r->pjob;
	struct feed *f = NULL;
	char err[ERRLEN];
	int rc;

	if (!pj->active)
		return;
	pj->active = 0;
	if (pj->failed) {
		rc = -1;
		snprintf(err, sizeof(err), "%s", pj->err);
	} else {
		arena_reset(r->arena);
		rc = isolate_receive(&r->parser, r->arena, &f, err,
		    sizeof(err));
	}
	feed_parsed(r, pj->fr, &pj->req, rc, f, err);
	fetch_req_clear(&pj->req);
}

/*
 * The fetch loop's tick: once every feed is in, the parser child's last
 * answer (its entries' images join the loop too); then the images'.  When
 * only feeds waiting for images are left, what has been queued for
 * RUN_DRAIN_SECS goes to its store now rather than at the end: a slow image
 * host delays only the messages that show its images (and messages that
 * become ready one by one still travel in batches).
 */
static long
run_tick(void *ctx, int *fds, size_t *nfds)
{
	struct run *r = ctx;
	long next;

	if (r->pjob.active && (r->done == r->nfetch || r->held))
		parse_flush(r);
	*nfds = 0;
	next = r->imgs != NULL ? images_tick(r->imgs, fds, nfds) : -1;
	if (r->out.n == 0 || r->nwaiting == 0)
		r->out_since = 0;
	else if (r->out_since == 0)
		r->out_since = time(NULL);
	else if (r->done == r->nfetch && !r->pjob.active &&
	    time(NULL) - r->out_since >= RUN_DRAIN_SECS) {
		deliver_drain(r);
		r->out_since = 0;
	}
	return next;
}

/* Take over a finished request's results (the fetcher clears req). */
static void
req_move(struct fetch_req *to, struct fetch_req *from)
{
	*to = *from;
	buf_init(&from->body, 0);
	from->etag_out = from->last_modified_out = NULL;
	from->content_type = from->content_location = NULL;
	from->effective_url = NULL;
}

/* Step 2, called by the fetcher as each feed arrives. */
static void
on_fetched(struct fetch_req *req, void *ctx)
{
	struct run *r = ctx;
	struct feed_run *fr = req->user;
	struct feed_parse_opts po;
	struct parse_job next;
	struct feed *f = NULL;
	char err[ERRLEN], cs[64];
	int rc;

	r->done++;
	switch (req->result) {
	case FETCH_NOT_MODIFIED:
		r->stats->not_modified++;
		fr->polled = 1;
		health_redirect(r, fr, req);
		fr->etag = xstrdup(req->etag_out ? req->etag_out : fr->sf.etag);
		fr->last_modified = xstrdup(req->last_modified_out ?
		    req->last_modified_out : fr->sf.last_modified);
		goto out;
	case FETCH_GONE:
		health_gone(r, fr, req);
		goto out;
	case FETCH_ERROR:
		health_fail(r, fr, "fetch %s: %s", req->url, req->err);
		fr->source_failed = 1;
		health_backoff(r, fr, req->retry_after);
		goto out;
	case FETCH_OK:
		break;
	}
	plan_parse_opts(req, &po, cs, sizeof(cs));
	if (!r->cfg->parse_isolation) {
		arena_reset(r->arena);
		rc = feed_parse(req->body.data ? req->body.data : "",
		    req->body.len, &po, r->arena, &f, err, sizeof(err));
		feed_parsed(r, fr, req, rc, f, err);
		goto out;
	}
	/* the previous feed's answer first: the child is free again */
	memset(&next, 0, sizeof(next));
	if (r->pjob.active && !r->pjob.failed) {
		arena_reset(r->arena);
		r->pjob.rc = isolate_receive(&r->parser, r->arena, &r->pjob.f,
		    r->pjob.err, sizeof(r->pjob.err));
	}
	next.active = 1;
	next.fr = fr;
	if (isolate_send(&r->parser, req->body.data ? req->body.data : "",
	    req->body.len, &po, next.err, sizeof(next.err)) == -1)
		next.failed = 1;
	req_move(&next.req, req);
	buf_free(&next.req.body);	/* the child has it */
	if (r->pjob.active) {
		struct parse_job *pj = &r->pjob;

		pj->active = 0;
		feed_parsed(r, pj->fr, &pj->req, pj->failed ? -1 : pj->rc,
		    pj->f, pj->err);
		fetch_req_clear(&pj->req);
	}
	r->pjob = next;
out:
	run_progress(r);
}

/* A feed's health notice (health.c decides and composes), queued like an
 * entry. */
static void
run_report(struct run *r, struct feed_run *fr)
{
	struct buf subject = BUF_INIT(0);
	struct msg m;

	if (fr->store != NULL && health_notice(r, fr, &m, &subject) == 1) {
		compose_queue(r, fr, &m, buf_str(&subject));
		msg_free(&m);
	}
	buf_free(&subject);
}

static int
selected(const struct run_opts *o, const char *name)
{
	size_t i;

	if (o->nnames == 0)
		return 1;
	for (i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Record every polled feed's validators in one transaction: with
 * synchronous=FULL a commit per feed is an fsync per feed, which made a
 * warm pass over 1,000 unchanged feeds take seconds.
 */
static void
run_finish(struct run *r)
{
	struct feed_run *fr;
	char err[ERRLEN];
	size_t i;
	int tx;

	tx = !r->state_broken && state_begin(r->st, err, sizeof(err)) == 0;
	for (i = 0; i < r->nfeeds; i++) {
		fr = &r->feeds[i];
		if (!fr->polled || fr->failed)
			continue;
		if (state_feed_poll_ok(r->st, fr->cf->name, r->now, fr->etag,
		    fr->last_modified, fr->warning) == -1)
			log_error("feed %s: state: cannot record the poll",
			    fr->cf->name);
	}
	if (!r->state_broken && select_pass_record(r->select, r->st, err,
	    sizeof(err)) == -1)
		log_error("state: %s", err);
	if (tx && state_commit(r->st, err, sizeof(err)) == -1) {
		log_error("state: %s", err);
		state_rollback(r->st);
	}
}

int
run_pass(const struct config *cfg, struct state *st,
    const struct run_opts *o, struct run_stats *stats, char *err,
    size_t errlen)
{
	struct run r;
	struct plan_fetch pf;
	struct fetch_opts fo;
	size_t i;
	int rv = -1;

	memset(&r, 0, sizeof(r));
	memset(stats, 0, sizeof(*stats));
	r.cfg = cfg;
	r.st = st;
	r.o = o;
	r.stats = stats;
	r.stores.force = o->ops;
	r.now = o->now ? o->now : time(NULL);
	r.arena = arena_new(LIM_FEED_ARENA);
	r.images = imgcache_new(LIM_IMAGE_CACHE, LIM_IMAGE_CACHE_URLS);
	r.select = select_pass_new();
	state_spool_claim(st);		/* run_pass runs under the run lock */

	memset(&pf, 0, sizeof(pf));
	for (i = 0; i < o->nnames; i++)
		if (config_find_feed(cfg, o->names[i]) == NULL) {
			errf(err, errlen, "no feed '%s' in %s", o->names[i],
			    cfg->path ? cfg->path : "the config");
			goto out;
		}
	r.feeds = xcalloc(cfg->nfeeds + 1, sizeof(*r.feeds));
	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		struct feed_run *fr;

		if (cf->paused || !selected(o, cf->name))
			continue;
		fr = &r.feeds[r.nfeeds];
		fr->cf = cf;
		state_feed_get(st, cf->name, &fr->sf);
		/* gone (410) or backing off: skipped unless named */
		if (o->nnames == 0 && (fr->sf.gone || fr->sf.next_due >
		    r.now)) {
			log_info("feed %s: skipped (%s)", cf->name,
			    fr->sf.gone ? "gone" : "backing off");
			state_feed_clear(&fr->sf);
			stats->skipped++;
			continue;
		}
		r.nfeeds++;
		fr->folder = plan_folder(cf);
		if (!o->catchup && (fr->store = plan_store(&r.stores, cfg,
		    cf)) == NULL)
			health_fail(&r, fr, "mailbox: more than %d different "
			    "stores in one config", PLAN_MAX_STORES);
	}
	stats->feeds = r.nfeeds;
	if (!o->catchup)
		deliver_recover(&r);

	plan_fetch_init(&pf, r.nfeeds);
	for (i = 0; i < r.nfeeds; i++) {
		struct feed_run *fr = &r.feeds[i];
		char ferr[ERRLEN];

		if (fr->failed)
			continue;
		if (fr->store && fr->store->broken) {
			/* no mailbox: leave the feed for the next pass */
			health_fail(&r, fr, "mailbox: %s", fr->store->err);
			continue;
		}
		if (plan_fetch_add(&pf, cfg, fr->cf, &fr->sf, fr, ferr,
		    sizeof(ferr)) == -1)
			health_fail(&r, fr, "%s", ferr);
	}
	/* one loop for the feeds and their images (images.h) */
	plan_fetch_opts(cfg, &fo);
	fo.public_addrs = o->public_addrs;
	if ((r.loop = fetch_loop_new(&fo, err, errlen)) == NULL)
		goto out;
	r.imgs = images_pass_new(cfg, r.loop, r.images);
	for (i = 0; i < pf.n; i++)
		fetch_loop_add(r.loop, &pf.reqs[i], on_fetched, &r);
	r.nfetch = pf.n;
	if (fetch_loop_run(r.loop, run_tick, &r, err, errlen) == -1)
		goto out;
	parse_flush(&r);
	images_finish(r.imgs);
	deliver_land(&r);	/* the feeds' outcomes are known */
	deliver_commit(&r);
	if (!o->catchup)
		for (i = 0; i < r.nfeeds; i++)
			run_report(&r, &r.feeds[i]);
	deliver_drain(&r);
	if (!o->catchup)
		deliver_keep(&r);
	run_finish(&r);
	if (o->progress)
		fputc('\n', stderr);
	for (i = 0; i < r.nfeeds; i++)
		if (r.feeds[i].failed && !r.feeds[i].source_failed &&
		    r.feeds[i].store && r.feeds[i].store->broken)
			stats->mailbox_failed++;
	rv = stats->failed ? 1 : 0;
out:
	if (r.pjob.active)	/* the fetcher failed: left for the next pass */
		fetch_req_clear(&r.pjob.req);
	/* an error path: waiting feeds are left for the next pass */
	images_pass_free(r.imgs);
	fetch_loop_free(r.loop);
	deliver_land(&r);	/* an error path may leave a batch in flight */
	deliver_commit(&r);
	plan_fetch_free(&pf);
	for (i = 0; i < r.nfeeds; i++) {
		state_feed_clear(&r.feeds[i].sf);
		free(r.feeds[i].etag);
		free(r.feeds[i].last_modified);
		free(r.feeds[i].warning);
		free(r.feeds[i].folder);
		free(r.feeds[i].error);
	}
	free(r.feeds);
	plan_stores_close(&r.stores);
	isolate_stop(&r.parser);
	arena_free(r.arena);
	imgcache_free(r.images);
	select_pass_free(r.select);
	return rv;
}
