/*
 * run.c - one pass over the feeds (see run.h).
 *
 * The order of durable steps is the whole point of this file:
 *
 *   1. settle the journal left by an earlier pass (crash, kill, network
 *      drop): a pending message already in its folder is marked delivered,
 *      one that is not is appended again;
 *   2. fetch every selected feed in parallel; as each arrives, parse it
 *      (the parser child works on it while the feed before is composed),
 *      compose a message for each entry with no journal row, and queue it
 *      in the outbox of its (store, folder);
 *   3. an outbox is flushed when full, when the next message goes elsewhere,
 *      and at the end: journal all its messages as pending (one commit,
 *      which also marks the batch before, if it landed, delivered), then
 *      hand them to the delivery thread, which appends them in one batch
 *      while the main thread goes on; what the store confirmed is marked
 *      delivered in the next commit;
 *   4. a feed's HTTP validators are saved only when all its new entries
 *      were delivered, so a failed feed is fetched whole next time.
 *
 * Nothing is marked delivered that the store did not confirm, and nothing
 * is appended without a pending row on disk first.  Only the main thread
 * touches the journal, the feeds and the log; the delivery thread touches
 * only the store and its batch, and no other store call is made while a
 * batch is in flight (flight_land first).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "images.h"
#include "imgcache.h"
#include "isolate.h"
#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "fetch.h"
#include "html.h"
#include "limits.h"
#include "log.h"
#include "message.h"
#include "notice.h"
#include "plan.h"
#include "run.h"
#include "secret.h"
#include "state.h"
#include "util.h"
#include "sha256.h"

#define RUN_BACKOFF_BASE	300	/* seconds, after the second failure */
#define RUN_BACKOFF_MAX		(12 * 3600)
#define RUN_RETRY_AFTER_MAX	(7 * 86400)
/*
 * A client killed right after it sent a whole APPEND leaves the server to
 * finish that command after the client is gone: a search made at once by
 * the next run can miss messages that are still being saved, and appending
 * them again would duplicate them.  So recovery waits until this long after
 * the last append attempt before it looks (seen: Dovecot saving a batch of
 * 100 a moment after the next run had searched for it).
 */
#define RUN_SETTLE_SECONDS	10

/* One polled feed's progress through the pass. */
struct feed_run {
	const struct config_feed *cf;
	struct state_feed sf;
	int		 polled;	/* fetched and parsed */
	int		 failed;
	int		 source_failed;	/* the feed itself: fetch or parse */
	int		 feed_private;	/* fetched from a private address: its
					   images may be private too */
	char		*error;		/* the first error, for reports */
	char		*etag, *last_modified, *warning;
	char		*folder;
	struct store	*store;
};

struct outitem {
	struct feed_run	*fr;
	char		*entry_id;
	char		**extra_ids;	/* a digest's other entries */
	size_t		 nextra;
	int		 by_msgid;	/* mark every row of its Message-ID */
	char		 hash[33];	/* content hash, "" unknown */
	char		*base_id;	/* a revision: the entry it revises */
	char		*replaces;	/* updates = replace: old Message-ID */
	char		*flags;		/* flags kept from the replaced one */
	char		*title;		/* for -v, or NULL */
	char		 msgid[MSG_ID_LEN];
	char		*msg;
	size_t		 len;
	time_t		 date;
	int64_t		 rowid;		/* 0 until journaled */
};

struct outbox {
	struct store	*store;
	char		*folder;
	struct outitem	 items[LIM_APPEND_BATCH];
	size_t		 n;
	size_t		 bytes;
};

/*
 * A batch being appended by the delivery thread while the main thread
 * composes the next (see outbox_flush).  res[i] says what became of
 * items[i].
 */
enum { FLIGHT_UNKNOWN, FLIGHT_STORED, FLIGHT_REFUSED };

struct flight {
	int		 active;	/* launched, not landed */
	int		 threaded;	/* tid is a thread to join */
	pthread_t	 tid;
	struct store	*store;
	char		*folder;
	struct outitem	 items[LIM_APPEND_BATCH];
	struct deliver_msg *dm;
	size_t		 n;
	signed char	 res[LIM_APPEND_BATCH];
	char		*why[LIM_APPEND_BATCH];	/* a refused one's reason */
	enum deliver_status ds;		/* how the batch ended */
	char		 err[ERRLEN];
};

/* Confirmed by the store, not yet recorded as delivered (landed_write). */
struct landed {
	struct outitem	 items[LIM_APPEND_BATCH];
	uint32_t	 uid[LIM_APPEND_BATCH];
	size_t		 n;
};

/* A feed sent to the parser child, processed when the next one arrives
 * (on_fetched) or at the end of the fetch (parse_flush). */
struct parse_job {
	int		 active;
	int		 failed;	/* could not be sent: err says why */
	struct feed_run	*fr;
	struct fetch_req req;		/* taken over from the fetcher */
	int		 rc;
	struct feed	*f;
	char		 err[ERRLEN];
};

struct run {
	const struct config *cfg;
	struct state	*st;
	const struct run_opts *o;
	struct run_stats *stats;
	time_t		 now;
	struct plan_stores stores;
	struct feed_run	*feeds;
	size_t		 nfeeds;
	struct outbox	 out;
	struct flight	 flight;	/* the batch being appended */
	struct landed	 landed;	/* ... and the one appended before */
	struct arena	*arena;
	struct imgcache	*images;	/* fetched this pass, by URL */
	size_t		 done;		/* feeds finished, for progress */
	int		 state_broken;
	struct isolate	 parser;	/* parse isolation's child */
	struct parse_job pjob;		/* the feed it is parsing */
};

/*
 * Test hooks for the crash tests (tests/integration/test_crash.py), at the
 * two points where a crash matters most: after the pending rows are
 * committed but before the append ("before-append"), and after the store
 * confirmed but before the delivered rows are committed ("after-ok").
 *   RSS2MAIL_TEST_CRASH=POINT:N   SIGKILL itself the Nth time at POINT
 *   RSS2MAIL_TEST_STALL=POINT:N:S sleep S seconds the Nth time at POINT
 * Unset, they cost one getenv per batch.
 */
static void
test_hook(const char *point)
{
	static long crash_seen, stall_seen;
	const char *spec;
	char name[32];
	long n, secs;

	if ((spec = getenv("RSS2MAIL_TEST_CRASH")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld", name, &n) == 2 &&
	    strcmp(name, point) == 0 && ++crash_seen == n)
		raise(SIGKILL);
	if ((spec = getenv("RSS2MAIL_TEST_STALL")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld:%ld", name, &n, &secs) == 3 &&
	    strcmp(name, point) == 0 && ++stall_seen == n)
		sleep((unsigned)secs);
}

static void
feed_fail(struct run *r, struct feed_run *fr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
feed_fail(struct run *r, struct feed_run *fr, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fr->failed)
		return;		/* one line per failing feed */
	fr->failed = 1;
	fr->error = xstrdup(msg);
	r->stats->failed++;
	log_error("feed %s: %s", fr->cf->name, msg);
	if (state_feed_poll_failed(r->st, fr->cf->name, r->now, msg) == -1)
		log_error("feed %s: state: cannot record the failure",
		    fr->cf->name);
}

/*
 * A feed that failed to fetch or parse is skipped until due: Retry-After
 * when the server said, else after the second failure in a row an
 * exponential delay, capped, with a per-feed jitter so that feeds that
 * failed together do not come back together.
 */
static void
feed_backoff(struct run *r, struct feed_run *fr, long retry_after)
{
	long failures = fr->sf.failures + 1;
	long long delay;
	unsigned char h[SHA256_LEN];

	if (retry_after > 0)
		delay = retry_after < RUN_RETRY_AFTER_MAX ? retry_after :
		    RUN_RETRY_AFTER_MAX;
	else if (failures < 2)
		return;
	else {
		delay = (long long)RUN_BACKOFF_BASE << (failures - 2 < 8 ?
		    failures - 2 : 8);
		if (delay > RUN_BACKOFF_MAX)
			delay = RUN_BACKOFF_MAX;
		sha256(fr->cf->name, strlen(fr->cf->name), h);
		delay += delay / 10 * ((long long)(h[0] % 201) - 100) / 100;
	}
	if (state_feed_set(r->st, fr->cf->name, "next_due", NULL,
	    (long long)r->now + delay) == -1)
		log_error("feed %s: state: cannot record the backoff",
		    fr->cf->name);
	else
		log_info("feed %s: next try in %llds", fr->cf->name, delay);
}

/*
 * A permanent redirect (every hop 301/308) moves the feed only when it is
 * seen on two runs in a row; 302/307 never do.
 */
static void
feed_redirect(struct run *r, struct feed_run *fr, const struct fetch_req *req)
{
	const char *to = req->effective_url;
	const char *name = fr->cf->name;

	if ((req->redirect_status != 301 && req->redirect_status != 308) ||
	    to == NULL || strcmp(to, req->url) == 0) {
		if (fr->sf.redirect_candidate)
			state_feed_set(r->st, name, "redirect_candidate",
			    NULL, 0);
		return;
	}
	if (fr->sf.redirect_candidate &&
	    strcmp(fr->sf.redirect_candidate, to) == 0) {
		state_feed_set(r->st, name, "redirect_url", to, 0);
		state_feed_set(r->st, name, "redirect_candidate", NULL, 0);
		log_warn("feed %s: moved permanently to %s; polling that now "
		    "(`rss2mail list` shows it)", name, to);
	} else
		state_feed_set(r->st, name, "redirect_candidate", to, 0);
}

static void
outitem_clear(struct outitem *it)
{
	size_t i;

	for (i = 0; i < it->nextra; i++)
		free(it->extra_ids[i]);
	free(it->extra_ids);
	free(it->base_id);
	free(it->replaces);
	free(it->flags);
	free(it->entry_id);
	free(it->title);
	free(it->msg);
	memset(it, 0, sizeof(*it));
}

/*
 * updates = replace: the new version is journaled (so a crash from here on
 * still delivers it), then the old one is removed and the new one is
 * appended with the old one's flags (seen, flagged kept).
 */
static void
outbox_replace(struct run *r, struct store *sto, const char *folder,
    struct outitem *it, struct deliver_msg *dm)
{
	char err[ERRLEN];

	if (sto->ops->remove_msgid == NULL) {
		log_warn("feed %s: the %s backend cannot replace messages; "
		    "delivering the new version beside the old",
		    it->fr->cf->name, sto->ops->name);
		return;
	}
	if (sto->ops->remove_msgid(sto->ctx, folder, it->replaces, &it->flags,
	    err, sizeof(err)) != DELIVER_OK) {
		log_warn("feed %s: entry %s: removing the old version: %s",
		    it->fr->cf->name, it->base_id, err);
		return;
	}
	dm->flags = it->flags;
}

/*
 * The delivery thread's half of a flush: append the batch, message by
 * message where the store refuses one, and note what happened to each.
 * It touches the store and the batch only: the journal, the feeds and the
 * log are the main thread's, in flight_land.
 */
static void *
flight_main(void *arg)
{
	struct flight *fl = arg;
	struct store *sto = fl->store;
	enum deliver_status ds = DELIVER_OK;
	size_t i, start = 0, done;

	while (start < fl->n) {
		done = 0;
		fl->err[0] = '\0';
		test_hook("before-append");
		ds = sto->ops->append(sto->ctx, fl->folder, fl->dm + start,
		    fl->n - start, &done, fl->err, sizeof(fl->err));
		if (done > fl->n - start)
			done = fl->n - start;
		if (done > 0)
			test_hook("after-ok");
		for (i = start; i < start + done; i++)
			fl->res[i] = FLIGHT_STORED;
		start += done;
		if (ds == DELIVER_OK)
			break;
		if (ds == DELIVER_MSG && start < fl->n) {
			/* this one message was refused; it stays pending */
			fl->res[start] = FLIGHT_REFUSED;
			fl->why[start] = xstrdup(fl->err);
			start++;
			ds = DELIVER_OK;
			continue;
		}
		break;
	}
	fl->ds = ds;
	return NULL;
}

static void
flight_clear(struct flight *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++) {
		outitem_clear(&fl->items[i]);
		free(fl->why[i]);
		fl->why[i] = NULL;
		fl->res[i] = FLIGHT_UNKNOWN;
	}
	free(fl->dm);
	fl->dm = NULL;
	free(fl->folder);
	fl->folder = NULL;
	fl->store = NULL;
	fl->n = 0;
}

/*
 * What the store confirmed, written as delivered rows into the current
 * transaction.  They ride in the next batch's pending commit (one fsync per
 * batch, not two), or in landed_commit at the end: until then a confirmed
 * message is still pending on disk, which recovery settles by Message-ID,
 * so a crash in between costs a lookup, never a duplicate.
 */
static int
landed_write(struct run *r)
{
	struct landed *ld = &r->landed;
	size_t i;

	for (i = 0; i < ld->n; i++) {
		struct outitem *it = &ld->items[i];

		if (state_entry_delivered(r->st, it->rowid, ld->uid[i]) ==
		    -1 || (it->by_msgid && state_entry_delivered_msgid(r->st,
		    it->msgid) == -1) || (it->base_id &&
		    state_entry_set_revision(r->st, it->fr->cf->name,
		    it->base_id, it->hash, it->msgid) == -1))
			return -1;
	}
	return 0;
}

static void
landed_clear(struct landed *ld)
{
	size_t i;

	for (i = 0; i < ld->n; i++)
		outitem_clear(&ld->items[i]);
	ld->n = 0;
}

/* The transaction that held the landed rows committed (ok) or not. */
static void
landed_done(struct run *r, int ok, const char *err)
{
	struct landed *ld = &r->landed;
	size_t i;

	if (ok)
		r->stats->delivered += ld->n;
	else {
		r->state_broken = 1;
		for (i = 0; i < ld->n; i++)
			feed_fail(r, ld->items[i].fr, "state: %s", err);
	}
	landed_clear(ld);
}

/* Commit the landed rows in a transaction of their own. */
static void
landed_commit(struct run *r)
{
	char err[ERRLEN] = "database error";

	if (r->landed.n == 0)
		return;
	if (r->state_broken) {
		landed_done(r, 0, "database error");
		return;
	}
	if (state_begin(r->st, err, sizeof(err)) == -1) {
		landed_done(r, 0, err);
		return;
	}
	if (landed_write(r) == -1) {
		state_rollback(r->st);
		landed_done(r, 0, "database error");
		return;
	}
	if (state_commit(r->st, err, sizeof(err)) == -1) {
		landed_done(r, 0, err);
		return;
	}
	landed_done(r, 1, NULL);
}

/*
 * Step 3's end, on the main thread: wait for the batch in flight, keep
 * what the store confirmed for the next commit (landed_write), and report
 * the rest.  Called before anything else uses a store, and at the end of
 * the pass (then landed_commit).
 */
static void
flight_land(struct run *r)
{
	struct flight *fl = &r->flight;
	struct landed *ld = &r->landed;
	size_t i;

	if (!fl->active)
		return;
	if (fl->threaded)
		pthread_join(fl->tid, NULL);
	fl->active = fl->threaded = 0;
	landed_commit(r);	/* only one batch waits to be recorded */
	for (i = 0; i < fl->n; i++) {
		if (fl->res[i] == FLIGHT_STORED) {
			log_info("feed %s: delivered \"%s\"%s%s",
			    fl->items[i].fr->cf->name, fl->items[i].title ?
			    fl->items[i].title : fl->items[i].msgid,
			    *fl->folder ? " to " : "", fl->folder);
			ld->uid[ld->n] = fl->dm[i].uid;
			ld->items[ld->n++] = fl->items[i];
			memset(&fl->items[i], 0, sizeof(fl->items[i]));
		} else if (fl->res[i] == FLIGHT_REFUSED)
			feed_fail(r, fl->items[i].fr, "entry %s: %s",
			    fl->items[i].entry_id, fl->why[i]);
		else
			feed_fail(r, fl->items[i].fr, "%s%s", fl->ds ==
			    DELIVER_FOLDER ? "folder: " : "", fl->err);
	}
	if (fl->ds == DELIVER_STORE)
		plan_store_break(fl->store, fl->err);
	flight_clear(fl);
}

/* Hand the outbox's batch (journaled, folder ensured) to the delivery
 * thread; without a thread, deliver it here. */
static void
flight_launch(struct run *r, struct deliver_msg *dm)
{
	struct outbox *ob = &r->out;
	struct flight *fl = &r->flight;
	sigset_t all, old;
	size_t i;

	memcpy(fl->items, ob->items, ob->n * sizeof(ob->items[0]));
	fl->n = ob->n;
	for (i = 0; i < fl->n; i++)	/* it pointed into the outbox */
		dm[i].msgid = fl->items[i].msgid;
	fl->store = ob->store;
	fl->folder = ob->folder;
	fl->dm = dm;
	fl->ds = DELIVER_OK;
	fl->err[0] = '\0';
	memset(ob->items, 0, ob->n * sizeof(ob->items[0]));
	ob->n = 0;
	ob->bytes = 0;
	ob->folder = NULL;
	ob->store = NULL;
	fl->active = 1;
	/* signals stay with the main thread (daemon's SIGTERM, SIGHUP) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	fl->threaded = pthread_create(&fl->tid, NULL, flight_main, fl) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!fl->threaded) {
		flight_main(fl);
		flight_land(r);
	}
}

/*
 * Journal, append, record: step 3 of the pass.  The batch is journaled
 * here (with the rows of the batch that landed before, as delivered) while
 * the previous one may still be in flight; then that one lands before this
 * one uses the store, so at most one batch is being appended while the
 * next is composed.
 */
static void
outbox_flush(struct run *r)
{
	struct outbox *ob = &r->out;
	struct deliver_msg *dm = NULL;
	struct store *sto = ob->store;
	enum deliver_status ds;
	char err[ERRLEN] = "";
	time_t journaled = 0;
	size_t i, j;

	if (ob->n == 0)
		return;
	if (r->state_broken)
		goto out;
	/* 1. pending rows, durable before anything is appended; the batch
	 * that landed before rides along as delivered */
	if (state_begin(r->st, err, sizeof(err)) == -1)
		goto state_failed;
	if (landed_write(r) == -1) {
		state_rollback(r->st);
		errf(err, sizeof(err), "database error");
		landed_done(r, 0, err);
		goto state_failed;
	}
	for (i = 0; i < ob->n; i++) {
		struct outitem *it = &ob->items[i];

		if (it->rowid) {	/* recovered: already journaled */
			if (state_entry_attempt(r->st, it->rowid) == -1) {
				state_rollback(r->st);
				errf(err, sizeof(err), "cannot journal entry "
				    "%s", it->entry_id);
				goto state_failed;
			}
			continue;
		}
		if (state_entry_pending(r->st, it->fr->cf->name, it->entry_id,
		    it->msgid, ob->folder, it->msg, it->len, it->date,
		    &it->rowid) == -1) {
			state_rollback(r->st);
			errf(err, sizeof(err), "cannot journal entry %s",
			    it->entry_id);
			goto state_failed;
		}
		if (it->hash[0] && it->base_id == NULL &&
		    state_entry_set_revision(r->st, it->fr->cf->name,
		    it->entry_id, it->hash, NULL) == -1) {
			state_rollback(r->st);
			errf(err, sizeof(err), "cannot journal entry %s",
			    it->entry_id);
			goto state_failed;
		}
		for (j = 0; j < it->nextra; j++) {
			int64_t ignored;

			if (state_entry_pending(r->st, it->fr->cf->name,
			    it->extra_ids[j], it->msgid, ob->folder, "", 0,
			    it->date, &ignored) == -1) {
				state_rollback(r->st);
				errf(err, sizeof(err), "cannot journal entry "
				    "%s", it->extra_ids[j]);
				goto state_failed;
			}
		}
	}
	if (state_commit(r->st, err, sizeof(err)) == -1) {
		landed_done(r, 0, err);
		goto state_failed;
	}
	landed_done(r, 1, NULL);
	journaled = time(NULL);

	/* 2. the batch before this one lands; then the store is ours */
	flight_land(r);
	if (r->state_broken) {
		errf(err, sizeof(err), "database error");
		goto state_failed;
	}
	if (sto->broken)
		goto store_failed;
	if ((ds = plan_store_ensure(sto, ob->folder, err, sizeof(err))) !=
	    DELIVER_OK) {
		for (i = 0; i < ob->n; i++)
			feed_fail(r, ob->items[i].fr, "folder '%s': %s",
			    ob->folder, err);
		goto out;
	}
	dm = xcalloc(ob->n, sizeof(*dm));
	for (i = 0; i < ob->n; i++) {
		dm[i].data = ob->items[i].msg;
		dm[i].len = ob->items[i].len;
		dm[i].msgid = ob->items[i].msgid;
		dm[i].date = ob->items[i].date;
		if (ob->items[i].replaces)
			outbox_replace(r, sto, ob->folder, &ob->items[i],
			    &dm[i]);
	}
	/*
	 * 3. the append, in the delivery thread; marked delivered when it
	 * lands.  Recovery waits RUN_SETTLE_SECONDS after a row's last append
	 * attempt before it looks for it (the server may still be saving an
	 * append its client was killed in), so when the batch before kept
	 * this one waiting, its rows say when its append really starts.
	 */
	if (time(NULL) > journaled) {
		if (state_begin(r->st, err, sizeof(err)) == -1)
			goto state_failed;
		for (i = 0; i < ob->n; i++)
			if (state_entry_attempt(r->st, ob->items[i].rowid) ==
			    -1) {
				state_rollback(r->st);
				errf(err, sizeof(err), "database error");
				goto state_failed;
			}
		if (state_commit(r->st, err, sizeof(err)) == -1)
			goto state_failed;
	}
	flight_launch(r, dm);
	return;

state_failed:
	r->state_broken = 1;
	for (i = 0; i < ob->n; i++)
		feed_fail(r, ob->items[i].fr, "state: %s", err[0] ? err :
		    "database error");
	goto out;
store_failed:
	for (i = 0; i < ob->n; i++)
		feed_fail(r, ob->items[i].fr, "mailbox: %s", sto->err);
out:
	free(dm);
	for (i = 0; i < ob->n; i++)
		outitem_clear(&ob->items[i]);
	ob->n = 0;
	ob->bytes = 0;
	free(ob->folder);
	ob->folder = NULL;
	ob->store = NULL;
}

/* Flush what is queued, wait until it has landed, record it. */
static void
outbox_drain(struct run *r)
{
	outbox_flush(r);
	flight_land(r);
	landed_commit(r);
}

/* Queue one message; the outbox takes ownership of msg. */
static void
outbox_add(struct run *r, struct feed_run *fr, const char *folder,
    const char *entry_id, const char *title, const char *msgid, char *msg,
    size_t len, time_t date, int64_t rowid)
{
	struct outbox *ob = &r->out;
	struct outitem *it;

	if (ob->n > 0 && (ob->store != fr->store ||
	    strcmp(ob->folder, folder) != 0 || ob->n == LIM_APPEND_BATCH ||
	    ob->bytes + len > LIM_APPEND_BATCH_BYTES))
		outbox_flush(r);
	if (ob->n == 0) {
		ob->store = fr->store;
		ob->folder = xstrdup(folder);
	}
	it = &ob->items[ob->n++];
	it->fr = fr;
	it->entry_id = xstrdup(entry_id);
	it->title = NULL;
	if (title) {
		struct buf line = BUF_INIT(4096);

		/* for -v: an HTML title as the text a reader sees */
		if (html_to_line(title, strlen(title), &line) == 0 && line.len)
			it->title = xstrndup(line.data, strnlen(line.data,
			    200));
		else
			it->title = xstrndup(title, strnlen(title, 200));
		buf_free(&line);
	}
	snprintf(it->msgid, sizeof(it->msgid), "%s", msgid);
	it->msg = msg;
	it->len = len;
	it->date = date;
	it->rowid = rowid;
	ob->bytes += len;
}

static struct feed_run *
feed_run_find(struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfeeds; i++)
		if (strcmp(r->feeds[i].cf->name, name) == 0)
			return &r->feeds[i];
	return NULL;
}

/* Step 1: settle what an earlier pass left pending. */
static void
run_recover(struct run *r)
{
	struct state_pending *p = NULL;
	struct feed_run *fr;
	struct store *sto;
	char err[ERRLEN];
	size_t i, n = 0;
	time_t latest = 0, now;
	int found;

	if (state_pending_list(r->st, NULL, &p, &n) == -1) {
		log_error("state: cannot read the journal");
		r->state_broken = 1;
		return;
	}
	for (i = 0; i < n; i++)
		if (p[i].attempted > latest && feed_run_find(r, p[i].feed))
			latest = p[i].attempted;
	if (latest && !r->o->no_settle &&
	    (now = time(NULL)) < latest + RUN_SETTLE_SECONDS &&
	    now >= latest) {
		log_info("waiting %llds for the mailbox to settle an "
		    "interrupted append", (long long)(latest +
		    RUN_SETTLE_SECONDS - now));
		sleep((unsigned)(latest + RUN_SETTLE_SECONDS - now));
	}
	for (i = 0; i < n; i++) {
		if ((fr = feed_run_find(r, p[i].feed)) == NULL)
			continue;	/* not selected in this pass */
		if (p[i].len == 0 && !p[i].lost)
			continue;	/* a digest's other entry: settled with
					   the row that holds the message */
		if ((sto = fr->store) == NULL || sto->broken) {
			feed_fail(r, fr, "mailbox: %s", sto ? sto->err :
			    "too many stores");
			continue;
		}
		flight_land(r);		/* the store is the main thread's */
		if (plan_store_ensure(sto, p[i].folder, err, sizeof(err)) !=
		    DELIVER_OK) {
			feed_fail(r, fr, "folder '%s': %s", p[i].folder, err);
			continue;
		}
		found = 0;
		if (sto->ops->has_msgid(sto->ctx, p[i].folder, p[i].msgid,
		    &found, err, sizeof(err)) != DELIVER_OK) {
			feed_fail(r, fr, "looking up %s: %s", p[i].msgid, err);
			continue;
		}
		r->stats->recovered++;
		if (found) {
			if (state_entry_delivered(r->st, p[i].rowid, 0) == -1 ||
			    state_entry_delivered_msgid(r->st,
			    p[i].msgid) == -1)
				feed_fail(r, fr, "state: cannot record %s",
				    p[i].msgid);
			continue;
		}
		if (p[i].lost) {
			/* its bytes are gone from the spool (removed by
			 * hand?): forget the row, so the entry counts as new
			 * and is composed again while its feed lists it */
			log_warn("feed %s: entry %s: its journaled message is "
			    "missing from %s.spool; composing it again",
			    fr->cf->name, p[i].entry_id, r->cfg->state);
			if (state_entry_drop(r->st, p[i].rowid) == -1)
				feed_fail(r, fr, "state: cannot drop %s",
				    p[i].entry_id);
			continue;
		}
		/* not stored: append the journaled bytes as they were */
		outbox_add(r, fr, p[i].folder, p[i].entry_id, NULL,
		    p[i].msgid, p[i].message, p[i].len, p[i].date, p[i].rowid);
		r->out.items[r->out.n - 1].by_msgid = 1;
		p[i].message = NULL;
	}
	outbox_drain(r);
	state_pending_free(p, n);
}

/* What `updates` compares: title, link and body. */
static void
entry_hash(const struct entry *e, char out[33])
{
	const struct feed_text *body = feed_entry_body(e);
	struct buf b = BUF_INIT(0);
	unsigned char h[SHA256_LEN];

	buf_printf(&b, "%s\n%s\n", e->title.value ? e->title.value : "",
	    e->link ? e->link : "");
	if (body && body->value)
		buf_puts(&b, body->value);
	sha256(buf_str(&b), b.len, h);
	hex_encode(h, 16, out);
	buf_free(&b);
}

/*
 * A delivered entry whose content changed (updates = new | replace): its
 * new version is delivered under a revision id ("ID#rev-HASH") with its
 * own Message-ID; with replace, the old version is removed from the
 * folder.  An entry delivered before hashes were kept just gets one.
 */
static void
run_revision(struct run *r, struct feed_run *fr, const struct feed *f,
    const struct entry *e, struct msg_opts *mo)
{
	const struct config_feed *cf = fr->cf;
	struct buf msg = BUF_INIT(0), rid = BUF_INIT(0);
	struct outitem *it;
	char h[33], err[ERRLEN], msgid[MSG_ID_LEN], *old = NULL, *cur = NULL;
	size_t len;

	entry_hash(e, h);
	if (state_entry_revision(r->st, cf->name, e->id, &old, &cur) == -1)
		goto out;
	if (old == NULL) {
		state_entry_set_revision(r->st, cf->name, e->id, h, NULL);
		goto out;
	}
	if (strcmp(old, h) == 0)
		goto out;
	buf_printf(&rid, "%s#rev-%s", e->id, h);
	if (state_entry_get(r->st, cf->name, rid.data) != STATE_NEW)
		goto out;
	mo->msgid_key = rid.data;
	if (msg_compose(f, e, mo, &msg, err, sizeof(err)) == -1) {
		mo->msgid_key = NULL;
		feed_fail(r, fr, "entry %s: %s", e->id, err);
		goto out;
	}
	mo->msgid_key = NULL;
	msg_id(cf->url, rid.data, msgid);
	r->stats->new_entries++;
	len = msg.len;
	outbox_add(r, fr, fr->folder, rid.data, e->title.value, msgid,
	    buf_steal(&msg), len, msg_date(e, r->now), 0);
	it = &r->out.items[r->out.n - 1];
	memcpy(it->hash, h, sizeof(it->hash));
	it->base_id = xstrdup(e->id);
	if (cf->s.updates == CONFIG_UPDATES_REPLACE && cur)
		it->replaces = xstrdup(cur);
out:
	free(old);
	free(cur);
	buf_free(&msg);
	buf_free(&rid);
}

/*
 * digest = yes: the new entries of one feed in one message.  Exactly once
 * still holds per entry: each gets its own journal row under the digest's
 * Message-ID (stable for the feed URL and the entry ids).
 */
static void
run_digest(struct run *r, struct feed_run *fr, const struct feed *f,
    const struct entry **fresh, size_t n, const struct msg_opts *mo)
{
	const struct config_feed *cf = fr->cf;
	struct buf msg = BUF_INIT(0);
	struct outitem *it;
	const char **ids;
	char err[ERRLEN], msgid[MSG_ID_LEN], title[64];
	time_t date = 0, d;
	size_t i, len;

	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		ids[i] = fresh[i]->id;
		if ((d = msg_date(fresh[i], r->now)) > date)
			date = d;
	}
	if (msg_compose_digest(f, (const struct entry *const *)fresh, n, mo,
	    &msg, err, sizeof(err)) == -1) {
		feed_fail(r, fr, "digest of %zu entries: %s", n, err);
		goto out;
	}
	msg_digest_id(cf->url, ids, n, msgid);
	snprintf(title, sizeof(title), "digest of %zu new post%s", n,
	    n == 1 ? "" : "s");
	len = msg.len;
	outbox_add(r, fr, fr->folder, ids[0], title, msgid, buf_steal(&msg),
	    len, date, 0);
	it = &r->out.items[r->out.n - 1];
	it->by_msgid = 1;
	it->nextra = n - 1;
	it->extra_ids = xcalloc(n, sizeof(*it->extra_ids));
	for (i = 1; i < n; i++)
		it->extra_ids[i - 1] = xstrdup(ids[i]);
out:
	buf_free(&msg);
	free(ids);
}

static void
run_entries(struct run *r, struct feed_run *fr, struct feed *f)
{
	const struct config_feed *cf = fr->cf;
	struct entry **v;
	struct entry *e;
	struct msg_opts mo;
	struct buf msg = BUF_INIT(0);
	char err[ERRLEN], msgid[MSG_ID_LEN];
	struct images *ims;
	const struct entry **fresh;
	enum state_entry es;
	size_t i, len, n = 0, nfresh = 0;
	int want_images, rc;

	/* oldest first: feeds list newest first */
	v = xcalloc(f->nentries + 1, sizeof(*v));
	fresh = xcalloc(f->nentries + 1, sizeof(*fresh));
	for (e = f->entries; e && n < f->nentries; e = e->next)
		v[n++] = e;
	memset(&mo, 0, sizeof(mo));
	mo.feed_name = cf->name;
	mo.feed_url = cf->url;
	mo.from_addr = cf->s.from_addr;
	mo.from_name = cf->s.from_name;
	mo.to = cf->s.to;
	mo.html = cf->s.html;
	mo.first_seen = r->now;
	mo.now = r->now;
	mo.boundary_seed = r->o->boundary_seed;
	mo.from_name_tpl = cf->s.from_template;
	mo.subject_tpl = cf->s.subject;
	mo.reply_to_author = cf->s.reply_to_author;
	mo.max_size = cf->s.max_message_size > 0 ?
	    (size_t)cf->s.max_message_size : 0;
	mo.no_images = cf->s.images == CONFIG_IMAGES_NONE;
	want_images = cf->s.images == CONFIG_IMAGES_INLINE && cf->s.html;
	for (i = n; i-- > 0; ) {
		e = v[i];
		if ((es = state_entry_get(r->st, cf->name, e->id)) !=
		    STATE_NEW) {
			if (es == STATE_DONE && !r->o->catchup &&
			    cf->s.updates != CONFIG_UPDATES_IGNORE &&
			    !cf->s.digest)
				run_revision(r, fr, f, e, &mo);
			continue;
		}
		r->stats->new_entries++;
		if (r->o->catchup) {
			if (state_entry_seen(r->st, cf->name, e->id) == -1)
				feed_fail(r, fr, "state: cannot record %s",
				    e->id);
			continue;
		}
		fresh[nfresh++] = e;	/* composed after the loop */
	}
	if (nfresh > 0 && cf->s.digest) {
		run_digest(r, fr, f, fresh, nfresh, &mo);
		nfresh = 0;
	}
	ims = xcalloc(nfresh + 1, sizeof(*ims));
	if (nfresh > 0 && want_images)
		images_fetch(r->images, r->cfg, cf, fr->feed_private,
		    r->o->public_addrs, fresh, nfresh, ims);
	for (i = 0; i < nfresh; i++) {
		e = (struct entry *)(uintptr_t)fresh[i];
		buf_reset(&msg);
		mo.images = ims[i].v;
		mo.nimages = ims[i].n;
		rc = msg_compose(f, e, &mo, &msg, err, sizeof(err));
		images_free(&ims[i]);
		if (rc == -1) {
			feed_fail(r, fr, "entry %s: %s", e->id, err);
			continue;
		}
		msg_id(cf->url, e->id, msgid);
		len = msg.len;
		outbox_add(r, fr, fr->folder, e->id, e->title.value, msgid,
		    buf_steal(&msg), len, msg_date(e, r->now), 0);
		entry_hash(e, r->out.items[r->out.n - 1].hash);
	}
	buf_free(&msg);
	free(ims);
	free(fresh);
	free(v);
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
		feed_fail(r, fr, "parse %s: %s", req->url, err);
		fr->source_failed = 1;
		feed_backoff(r, fr, 0);
		return;
	}
	fr->polled = 1;
	fr->feed_private = req->peer_private;
	feed_redirect(r, fr, req);
	if (f->ttl > 0 && f->ttl * 60 != fr->sf.hint)
		state_feed_set(r->st, fr->cf->name, "hint", NULL,
		    (long long)f->ttl * 60);
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
		feed_redirect(r, fr, req);
		fr->etag = xstrdup(req->etag_out ? req->etag_out : fr->sf.etag);
		fr->last_modified = xstrdup(req->last_modified_out ?
		    req->last_modified_out : fr->sf.last_modified);
		goto out;
	case FETCH_GONE:
		feed_fail(r, fr, "fetch %s: HTTP 410 Gone; the feed is paused "
		    "(`rss2mail resume %s` polls it again)", req->url,
		    fr->cf->name);
		fr->source_failed = 1;
		state_feed_set(r->st, fr->cf->name, "gone", NULL, 1);
		goto out;
	case FETCH_ERROR:
		feed_fail(r, fr, "fetch %s: %s", req->url, req->err);
		fr->source_failed = 1;
		feed_backoff(r, fr, req->retry_after);
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
 * Feed health: a feed that failed report-after runs in a row gets one
 * notice in its folder, and one more when it works again; never a mail per
 * run.  Notices go through the journal like entries, under an id that
 * names the failure streak, so each is delivered exactly once too.
 */
static void
run_report(struct run *r, struct feed_run *fr)
{
	const struct config_feed *cf = fr->cf;
	struct buf text = BUF_INIT(0), subj = BUF_INIT(0), msg = BUF_INIT(0);
	struct notice nt;
	char id[96], msgid[MSG_ID_LEN], since[40];
	long failures = fr->sf.failures + 1;
	time_t start = fr->sf.failing_since ? fr->sf.failing_since : r->now;
	int failing = fr->failed && fr->source_failed;
	size_t len;

	if (failing && (fr->sf.reported || cf->s.report_after <= 0 ||
	    failures < cf->s.report_after))
		return;
	if (!failing && (fr->failed || !fr->polled || !fr->sf.reported))
		return;
	util_rfc5322_date(start, since);
	snprintf(id, sizeof(id), "rss2mail:health:%s:%lld", failing ?
	    "failing" : "recovered", (long long)start);
	if (state_entry_get(r->st, cf->name, id) != STATE_NEW)
		return;
	if (failing) {
		buf_printf(&subj, "rss2mail: feed %s is failing", cf->name);
		buf_printf(&text, "The feed %s has failed %ld runs in a row.\n\n"
		    "URL:    %s\nError:  %s\nSince:  %s\n\nWhat to do:\n"
		    "- open the URL in a browser: is the site still there?\n"
		    "- `rss2mail parse %s` shows what rss2mail sees;\n"
		    "- a new address: edit url in the config file;\n"
		    "- `rss2mail pause %s` stops polling it, `rss2mail "
		    "remove %s` drops it.\n\nrss2mail keeps trying; you will "
		    "get one more message when it works again.\n", cf->name,
		    failures, cf->url, fr->error ? fr->error : "?", since,
		    cf->url, cf->name, cf->name);
	} else {
		buf_printf(&subj, "rss2mail: feed %s works again", cf->name);
		buf_printf(&text, "The feed %s works again; it had been failing "
		    "since %s.\n\nURL: %s\n", cf->name, since, cf->url);
	}
	memset(&nt, 0, sizeof(nt));
	nt.from_addr = cf->s.from_addr;
	nt.to = cf->s.to;
	msg_id(cf->url, id, msgid);
	nt.msgid = msgid;
	nt.date = r->now;
	nt.feed_name = cf->name;
	nt.subject = subj.data;
	nt.text = text.data;
	if (notice_compose(&nt, &msg) == 0 && fr->store) {
		len = msg.len;
		outbox_add(r, fr, fr->folder, id, subj.data, msgid,
		    buf_steal(&msg), len, r->now, 0);
		state_feed_set(r->st, cf->name, "reported", NULL, failing);
	}
	buf_free(&msg);
	buf_free(&subj);
	buf_free(&text);
}

/* keep = DURATION: once per folder per pass, old seen unflagged mail. */
static void
run_keep(struct run *r)
{
	struct feed_run *fr;
	char err[ERRLEN], **done = NULL;
	size_t i, k, ndone = 0, n;

	for (i = 0; i < r->nfeeds; i++) {
		fr = &r->feeds[i];
		if (fr->cf->s.keep <= 0 || fr->store == NULL ||
		    fr->store->broken || fr->store->ctx == NULL)
			continue;
		for (k = 0; k < ndone; k++)
			if (strcmp(done[k], fr->folder) == 0)
				break;
		if (k < ndone)
			continue;
		done = xrealloc(done, (ndone + 1) * sizeof(*done));
		done[ndone++] = fr->folder;
		if (fr->store->ops->expire == NULL) {
			log_warn("folder %s: the %s backend cannot expire mail "
			    "(keep)", fr->folder, fr->store->ops->name);
			continue;
		}
		if (fr->store->ops->expire(fr->store->ctx, fr->folder,
		    time(NULL) - (time_t)fr->cf->s.keep, &n, err,
		    sizeof(err)) != DELIVER_OK)
			log_error("folder %s: keep: %s", *fr->folder ?
			    fr->folder : "(default)", err);
		else if (n)
			log_info("folder %s: removed %zu old read message%s",
			    *fr->folder ? fr->folder : "(default)", n,
			    n == 1 ? "" : "s");
	}
	free(done);
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
			feed_fail(&r, fr, "mailbox: more than %d different "
			    "stores in one config", PLAN_MAX_STORES);
	}
	stats->feeds = r.nfeeds;
	if (!o->catchup)
		run_recover(&r);

	plan_fetch_init(&pf, r.nfeeds);
	for (i = 0; i < r.nfeeds; i++) {
		struct feed_run *fr = &r.feeds[i];
		char ferr[ERRLEN];

		if (fr->failed)
			continue;
		if (fr->store && fr->store->broken) {
			/* no mailbox: leave the feed for the next pass */
			feed_fail(&r, fr, "mailbox: %s", fr->store->err);
			continue;
		}
		if (plan_fetch_add(&pf, cfg, fr->cf, &fr->sf, fr, ferr,
		    sizeof(ferr)) == -1)
			feed_fail(&r, fr, "%s", ferr);
	}
	if (plan_fetch_run(&pf, cfg, o->public_addrs, on_fetched, &r, err,
	    errlen) == -1)
		goto out;
	parse_flush(&r);
	flight_land(&r);	/* the feeds' outcomes are known */
	landed_commit(&r);
	if (!o->catchup)
		for (i = 0; i < r.nfeeds; i++)
			run_report(&r, &r.feeds[i]);
	outbox_drain(&r);
	if (!o->catchup)
		run_keep(&r);
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
	flight_land(&r);	/* an error path may leave a batch in flight */
	landed_commit(&r);
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
	return rv;
}
