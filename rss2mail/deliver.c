/*
 * deliver.c - the backend-agnostic half of delivery (see deliver.h): the
 * outbox, batches journaled then handed to the delivery thread, what
 * landed recorded as delivered, the journal's recovery at the start of a
 * pass, and keep.  It talks to a mailbox only through struct deliver_ops
 * (the stores of plan.h), and to the journal through state.h.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "health.h"
#include "html.h"
#include "limits.h"
#include "log.h"
#include "pass.h"
#include "plan.h"
#include "run.h"
#include "select.h"
#include "state.h"
#include "util.h"

/*
 * A client killed right after it sent a whole APPEND leaves the server to
 * finish that command after the client is gone: a search made at once by
 * the next run can miss messages that are still being saved, and appending
 * them again would duplicate them.  So recovery waits until this long after
 * the last append attempt before it looks (seen: Dovecot saving a batch of
 * 100 a moment after the next run had searched for it).
 */
#define DELIVER_SETTLE_SECONDS	10

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

	/* several delivery threads may pass here at once */
	if ((spec = getenv("RSS2MAIL_TEST_CRASH")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld", name, &n) == 2 &&
	    strcmp(name, point) == 0 &&
	    __atomic_add_fetch(&crash_seen, 1, __ATOMIC_SEQ_CST) == n)
		raise(SIGKILL);
	if ((spec = getenv("RSS2MAIL_TEST_STALL")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld:%ld", name, &n, &secs) == 3 &&
	    strcmp(name, point) == 0 &&
	    __atomic_add_fetch(&stall_seen, 1, __ATOMIC_SEQ_CST) == n)
		sleep((unsigned)secs);
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
 * updates = replace, on the delivery thread before the append: the new
 * version is journaled (so a crash from here on still delivers it), then
 * the old one is removed and the new one is appended with the old one's
 * flags (seen, flagged kept).  What went wrong is logged when it lands.
 */
static void
flight_replace(struct flight *fl, void *ctx, size_t i)
{
	const struct deliver_ops *ops = fl->store->ops;
	struct outitem *it = &fl->items[i];
	char err[ERRLEN], line[ERRLEN + 128];

	if (ops->remove_msgid == NULL) {
		snprintf(line, sizeof(line), "the %s backend cannot replace "
		    "messages; delivering the new version beside the old",
		    ops->name);
		fl->warn[i] = xstrdup(line);
		return;
	}
	if (ops->remove_msgid(ctx, fl->folder, it->replaces, &it->flags,
	    err, sizeof(err)) != DELIVER_OK) {
		snprintf(line, sizeof(line), "entry %s: removing the old "
		    "version: %s", it->base_id, err);
		fl->warn[i] = xstrdup(line);
		return;
	}
	fl->dm[i].flags = it->flags;
}

/*
 * The session's half of a batch, before the append: open the session
 * (the first batch it carries), make sure the folder exists on it (each
 * session learns the server's names for itself), replace.  0, or -1 with
 * fl->ds and fl->err set.
 */
static int
flight_prepare(struct flight *fl)
{
	struct store *sto = fl->store;
	char why[ERRLEN];
	size_t i;

	if (*fl->ctx == NULL && plan_store_open_slot(sto, fl->ctx, fl->err,
	    sizeof(fl->err)) != DELIVER_OK) {
		fl->no_session = 1;
		fl->ds = DELIVER_STORE;
		return -1;
	}
	if ((fl->ds = sto->ops->ensure_folder(*fl->ctx, fl->folder, why,
	    sizeof(why))) != DELIVER_OK) {
		errf(fl->err, sizeof(fl->err), "folder '%s': %s",
		    fl->folder, why);
		fl->whole_err = 1;
		return -1;
	}
	for (i = 0; i < fl->n; i++)
		if (fl->items[i].replaces)
			flight_replace(fl, *fl->ctx, i);
	return 0;
}

/*
 * A delivery thread: append the batch on its session, message by message
 * where the store refuses one, and note what happened to each.  It
 * touches its session and its batch only: the journal, the feeds and the
 * log are the main thread's, in flight_land.
 */
static void *
flight_main(void *arg)
{
	struct flight *fl = arg;
	struct store *sto = fl->store;
	enum deliver_status ds = DELIVER_OK;
	size_t i, start = 0, done;

	if (flight_prepare(fl) == -1)
		return NULL;
	while (start < fl->n) {
		done = 0;
		fl->err[0] = '\0';
		test_hook("before-append");
		ds = sto->ops->append(*fl->ctx, fl->folder, fl->dm + start,
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
	/* a streaming backend (imap) may have confirmed messages after the
	 * one it stopped at (deliver.h: ->stored): those are stored too */
	for (i = start; i < fl->n; i++)
		if (fl->dm[i].stored && fl->res[i] == FLIGHT_UNKNOWN)
			fl->res[i] = FLIGHT_STORED;
	fl->ds = ds;
	return NULL;
}

static void
flight_free(struct flight *fl)
{
	size_t i;

	if (fl == NULL)
		return;
	for (i = 0; i < fl->n; i++) {
		outitem_clear(&fl->items[i]);
		free(fl->why[i]);
		free(fl->warn[i]);
	}
	free(fl->dm);
	free(fl->folder);
	free(fl);
}

/* Every message of a flight that could not go out fails its feed. */
static void
flight_fail(struct run *r, struct flight *fl, const char *what,
    const char *why)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		health_fail(r, fl->items[i].fr, "%s: %s", what, why);
	flight_free(fl);
}

/* The slot of a store's session in r->flights. */
static struct flight **
flight_slot(struct run *r, const struct store *sto, size_t session)
{
	return &r->flights[(size_t)(sto - r->stores.v) * PLAN_MAX_SESSIONS +
	    session];
}

/*
 * What the store confirmed, written as delivered rows into the current
 * transaction.  They ride in the next batch's pending commit (one fsync per
 * batch, not two), or in deliver_commit at the end: until then a confirmed
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
			health_fail(r, ld->items[i].fr, "state: %s", err);
	}
	landed_clear(ld);
}

/* Commit the landed rows in a transaction of their own. */
void
deliver_commit(struct run *r)
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
 * A size refusal teaches a store half the refused size as its limit, but
 * never less than this: every message, cut to its title and a link, fits
 * in it, so a message of this size refused is refused for good.
 */
#define DELIVER_FIT_MIN	((size_t)16 << 10)

size_t
deliver_fit(const struct run *r, struct store *sto)
{
	if (!sto->learned_read) {
		sto->learned_read = 1;
		if (state_store_limit(r->st, sto->key, &sto->size_learned) ==
		    -1)
			log_error("state: cannot read a mailbox's size "
			    "limit");
	}
	if (sto->size_learned > 0 && (sto->size_limit == 0 ||
	    sto->size_learned < sto->size_limit))
		return sto->size_learned;
	return sto->size_limit;
}

/*
 * A message the store refused for its size (DELIVER_REFUSED_TOOBIG): its
 * entry is composed again, smaller, on the next pass.  Under the limit the
 * server named when the message was over it (a message journaled before
 * it was known), else under half its size, learned for the store
 * (state_store_limit: its next messages fit too); msg_compose drops the
 * embedded images first (they stay links), then cuts the body at an
 * element boundary.  The journal forgets the entry and its feed's
 * validators (state_entry_recompose), so the next pass fetches the whole
 * feed and finds it new; the feed fails this pass with one line.  0 when
 * it cannot be made smaller (DELIVER_FIT_MIN bytes or less): the caller
 * marks it failed.
 */
static int
refused_size(struct run *r, struct outitem *it, size_t len,
    size_t server_limit, const char *why)
{
	struct feed_run *fr = it->fr;
	struct store *sto = fr->store;
	size_t fit, learned = 0;

	if (sto == NULL)
		return 0;
	fit = deliver_fit(r, sto);
	if (server_limit > 0 && len > server_limit) {
		if (sto->size_limit == 0 || server_limit < sto->size_limit)
			sto->size_limit = server_limit;
	} else if (fit > 0 && len > fit)
		;		/* composed before the limit was learned */
	else if (len <= DELIVER_FIT_MIN)
		return 0;	/* the smallest composition: for good */
	else if ((learned = len / 2) < DELIVER_FIT_MIN)
		learned = DELIVER_FIT_MIN;
	if (learned > 0 && (sto->size_learned == 0 ||
	    learned < sto->size_learned)) {
		sto->size_learned = learned;
		if (state_store_set_limit(r->st, sto->key, learned) == -1)
			log_error("state: cannot record a mailbox's size "
			    "limit");
	}
	if (state_entry_recompose(r->st, it->rowid) == -1) {
		health_fail(r, fr, "entry %s: %s (state: cannot drop it for "
		    "composing again)", it->entry_id, why);
		return 1;
	}
	health_fail(r, fr, "entry %s: %s (%zu bytes): composed again under "
	    "%zu bytes (images as links, then the text cut) on the next run",
	    it->entry_id, why, len, deliver_fit(r, sto));
	return 1;
}

/*
 * A message the store refused.  Temporary (SMTP 4xx, or not said): it
 * stays pending and is sent again on a later run, after the feed's
 * backoff.  Too big: composed again smaller (refused_size).  For good
 * (5xx, or too big even composed at its smallest): the entry is marked
 * failed with the server's text and not sent again until `rss2mail
 * retry`.  Either way the feed fails this pass with one line; its other
 * entries go on.
 */
static void
flight_refused(struct run *r, struct outitem *it,
    const struct deliver_msg *dm, const char *why)
{
	if (dm->refused == DELIVER_REFUSED_TOOBIG &&
	    refused_size(r, it, dm->len, dm->size_limit, why))
		return;
	if (dm->refused != DELIVER_REFUSED_PERM &&
	    dm->refused != DELIVER_REFUSED_TOOBIG) {
		health_fail(r, it->fr, "entry %s: %s", it->entry_id, why);
		if (dm->refused == DELIVER_REFUSED_TEMP)
			health_backoff(r, it->fr, 0);
		return;
	}
	if (state_entry_failed(r->st, it->rowid, why) == -1) {
		health_fail(r, it->fr, "entry %s: %s (state: cannot record the "
		    "failure)", it->entry_id, why);
		return;
	}
	health_fail(r, it->fr, "entry %s: refused for good: %s (`rss2mail "
	    "retry %s` sends it again)", it->entry_id, why, it->fr->cf->name);
}

static void	flight_go(struct run *, struct flight *, time_t journaled);

/*
 * A session that could not be opened (the server refused one more
 * connection, say): the store goes on with the sessions it has, and the
 * batch, of which nothing was sent, goes out on one of them.
 */
static void
flight_reroute(struct run *r, struct flight *fl)
{
	struct store *sto = fl->store;

	if (fl->session < sto->sessions) {
		log_warn("mailbox: connection %zu of %zu: %s; going on with "
		    "%zu", fl->session + 1, sto->sessions, fl->err,
		    fl->session);
		sto->sessions = fl->session;
	}
	fl->no_session = 0;
	fl->ds = DELIVER_OK;
	fl->err[0] = '\0';
	flight_go(r, fl, 0);
}

/*
 * Step 3's end, on the main thread: wait for a batch in flight, keep what
 * the store confirmed for the next commit (landed_write), and report the
 * rest.  A session's DELIVER_STORE breaks its store for the pass: the
 * other sessions' batches in flight still land (what they confirmed is
 * recorded), no new batch goes out, and what this one did not confirm
 * stays pending.  A store that cannot be searched would get a confirmed
 * message again after a crash, so what it confirmed is committed at once
 * (record_now), or by the caller's very next commit.
 */
static void
flight_land(struct run *r, struct flight *fl, int record_now)
{
	struct landed *ld = &r->landed;
	struct store *sto = fl->store;
	size_t i;

	if (fl->threaded)
		pthread_join(fl->tid, NULL);
	fl->active = fl->threaded = 0;
	*flight_slot(r, sto, fl->session) = NULL;
	if (fl->no_session && fl->session > 0) {
		flight_reroute(r, fl);
		return;
	}
	if (ld->n + fl->n > LIM_APPEND_BATCH)
		deliver_commit(r);	/* make room */
	for (i = 0; i < fl->n; i++) {
		if (fl->warn[i])
			log_warn("feed %s: %s", fl->items[i].fr->cf->name,
			    fl->warn[i]);
		if (fl->res[i] == FLIGHT_STORED) {
			log_info("feed %s: delivered \"%s\"%s%s",
			    fl->items[i].fr->cf->name, fl->items[i].title ?
			    fl->items[i].title : fl->items[i].msgid,
			    *fl->folder ? " to " : "", fl->folder);
			if (fl->dm[i].note[0] != '\0')
				log_warn("feed %s: entry %s: %s",
				    fl->items[i].fr->cf->name,
				    fl->items[i].entry_id, fl->dm[i].note);
			ld->uid[ld->n] = fl->dm[i].uid;
			ld->items[ld->n++] = fl->items[i];
			memset(&fl->items[i], 0, sizeof(fl->items[i]));
		} else if (fl->res[i] == FLIGHT_REFUSED)
			flight_refused(r, &fl->items[i], &fl->dm[i],
			    fl->why[i]);
		else
			health_fail(r, fl->items[i].fr, "%s%s", fl->ds ==
			    DELIVER_FOLDER && !fl->whole_err ? "folder: " : "",
			    fl->err);
	}
	if (fl->ds == DELIVER_STORE && !sto->broken)
		plan_store_break_session(sto, fl->session, fl->err);
	else if (fl->ds == DELIVER_STORE) {	/* another session broke it */
		sto->ops->close(*fl->ctx);
		*fl->ctx = NULL;
	}
	flight_free(fl);
	if (sto->ops->unsearchable && record_now)
		deliver_commit(r);
}

/* The oldest flight in the pass (sto NULL) or of one store. */
static struct flight *
flight_oldest(struct run *r, const struct store *sto)
{
	struct flight *fl, *old = NULL;
	size_t i;

	for (i = 0; i < PASS_FLIGHTS; i++)
		if ((fl = r->flights[i]) != NULL && (sto == NULL ||
		    fl->store == sto) && (old == NULL || fl->seq < old->seq))
			old = fl;
	return old;
}

/* Land a store's flights (sto NULL: every store's), oldest first. */
static void
flights_land(struct run *r, const struct store *sto, int record_now)
{
	struct flight *fl;

	while ((fl = flight_oldest(r, sto)) != NULL)
		flight_land(r, fl, record_now);
}

void
deliver_land(struct run *r)
{
	flights_land(r, NULL, 1);
}

/*
 * The session a batch for folder goes out on, landing what must land
 * first: the folder's batch in flight, wherever it is (so the folder's
 * messages reach the server in order); else an idle session, one already
 * open before one to open; else the store's oldest flight lands and its
 * session is taken.  The store may be broken on return (a flight that
 * landed broke it).
 */
static size_t
session_pick(struct run *r, struct store *sto, const char *folder)
{
	struct flight *fl;
	size_t i;

	for (;;) {
		/* a transport (unsearchable) has no order to keep */
		for (i = 0; i < PLAN_MAX_SESSIONS; i++)
			if ((fl = *flight_slot(r, sto, i)) != NULL &&
			    !sto->ops->unsearchable &&
			    strcmp(fl->folder, folder) == 0)
				break;
		if (i < PLAN_MAX_SESSIONS) {
			flight_land(r, fl, 1);
			continue;
		}
		if (sto->broken || r->state_broken)
			return 0;
		for (i = 0; i < sto->sessions; i++)
			if (*flight_slot(r, sto, i) == NULL &&
			    *plan_store_session(sto, i) != NULL)
				return i;
		for (i = 0; i < sto->sessions; i++)
			if (*flight_slot(r, sto, i) == NULL)
				return i;
		flight_land(r, flight_oldest(r, sto), 1);
	}
}

/*
 * Send a journaled batch on to a session of its store and launch its
 * delivery thread; without a thread, deliver it here.  Recovery waits
 * DELIVER_SETTLE_SECONDS after a row's last append attempt before it looks
 * for it (the server may still be saving an append its client was killed
 * in), so when the batches before kept this one waiting since it was
 * journaled (journaled; 0 when unknown), its rows say when its append
 * really starts.  (A session's first batch starts after its thread has
 * opened the session: a connect and a log in, well inside that wait.)
 */
static void
flight_go(struct run *r, struct flight *fl, time_t journaled)
{
	struct store *sto = fl->store;
	char err[ERRLEN] = "database error";
	sigset_t all, old;
	size_t i;

	fl->session = session_pick(r, sto, fl->folder);
	if (r->state_broken) {
		flight_fail(r, fl, "state", "database error");
		return;
	}
	if (sto->broken) {
		flight_fail(r, fl, "mailbox", sto->err);
		return;
	}
	if (time(NULL) > journaled) {
		if (state_begin(r->st, err, sizeof(err)) == -1)
			goto state_failed;
		for (i = 0; i < fl->n; i++)
			if (state_entry_attempt(r->st, fl->items[i].rowid) ==
			    -1) {
				state_rollback(r->st);
				snprintf(err, sizeof(err), "database error");
				goto state_failed;
			}
		if (state_commit(r->st, err, sizeof(err)) == -1)
			goto state_failed;
	}
	fl->ctx = plan_store_session(sto, fl->session);
	fl->seq = ++r->launches;
	fl->active = 1;
	*flight_slot(r, sto, fl->session) = fl;
	/* signals stay with the main thread (daemon's SIGTERM, SIGHUP) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	fl->threaded = pthread_create(&fl->tid, NULL, flight_main, fl) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!fl->threaded) {
		flight_main(fl);
		flight_land(r, fl, 1);
	}
	return;

state_failed:
	r->state_broken = 1;
	flight_fail(r, fl, "state", err);
}

/* The first k of the outbox's journaled messages as a flight; the rest
 * move up (k == ob->n leaves the outbox empty). */
static struct flight *
flight_new(struct outbox *ob, size_t k)
{
	struct flight *fl = xcalloc(1, sizeof(*fl));
	size_t i;

	memcpy(fl->items, ob->items, k * sizeof(ob->items[0]));
	fl->n = k;
	fl->dm = xcalloc(fl->n, sizeof(*fl->dm));
	for (i = 0; i < fl->n; i++) {
		fl->dm[i].data = fl->items[i].msg;
		fl->dm[i].len = fl->items[i].len;
		fl->dm[i].msgid = fl->items[i].msgid;
		fl->dm[i].date = fl->items[i].date;
		ob->bytes -= fl->items[i].len;
	}
	fl->store = ob->store;
	fl->folder = k == ob->n ? ob->folder : xstrdup(ob->folder);
	fl->ds = DELIVER_OK;
	memmove(ob->items, ob->items + k, (ob->n - k) * sizeof(ob->items[0]));
	memset(ob->items + (ob->n - k), 0, k * sizeof(ob->items[0]));
	ob->n -= k;
	if (ob->n == 0) {
		ob->bytes = 0;
		ob->folder = NULL;
		ob->store = NULL;
	}
	return fl;
}

/*
 * Journal, append, record: step 3 of the pass.  The batch is journaled
 * here (with the rows of the batches that landed before, as delivered)
 * while others may still be in flight; then it goes out on a session of
 * its own (flight_go), so up to the store's sessions batches are being
 * appended while the next is composed.
 */
static void
outbox_flush(struct run *r)
{
	struct outbox *ob = &r->out;
	struct store *sto = ob->store;
	char err[ERRLEN] = "";
	time_t journaled;
	size_t i, j;

	if (ob->n == 0)
		return;
	if (r->state_broken)
		goto out;
	/* smtp, lmtp, sendmail: the messages in flight (one per session)
	 * land first, and their delivered rows ride in this commit (one
	 * commit per group, and never more sent messages unrecorded than
	 * the store has sessions) */
	if (sto != NULL && sto->ops->unsearchable) {
		flights_land(r, sto, 0);
		if (r->state_broken)
			goto out;
	}
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
		/* a story's claim is durable with its pending row */
		if (state_entry_pending(r->st, it->fr->cf->name, it->entry_id,
		    it->msgid, ob->folder, it->msg, it->len, it->date,
		    &it->rowid) == -1 || select_pass_journal(r->select, r->st,
		    it->fr->cf->name, it->entry_id) == -1) {
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
			    it->date, &ignored) == -1 ||
			    select_pass_journal(r->select, r->st,
			    it->fr->cf->name, it->extra_ids[j]) == -1) {
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

	/* 2. a session of the store; 3. the append, in its delivery thread;
	 * marked delivered when it lands.  smtp, lmtp: one message per
	 * session (smtp-connections), all recorded in the next commit */
	journaled = time(NULL);
	while (ob->n > 0)
		flight_go(r, flight_new(ob, sto->ops->unsearchable ? 1 :
		    ob->n), journaled);
	return;

state_failed:
	r->state_broken = 1;
	for (i = 0; i < ob->n; i++)
		health_fail(r, ob->items[i].fr, "state: %s", err[0] ? err :
		    "database error");
out:
	for (i = 0; i < ob->n; i++)
		outitem_clear(&ob->items[i]);
	ob->n = 0;
	ob->bytes = 0;
	free(ob->folder);
	ob->folder = NULL;
	ob->store = NULL;
}

/* Flush what is queued, wait until it has landed, record it. */
void
deliver_drain(struct run *r)
{
	outbox_flush(r);
	deliver_land(r);
	deliver_commit(r);
}

/* Queue one message; the outbox takes ownership of msg. */
struct outitem *
deliver_queue(struct run *r, struct feed_run *fr, const char *folder,
    const char *entry_id, const char *title, const char *msgid, char *msg,
    size_t len, time_t date, int64_t rowid)
{
	struct outbox *ob = &r->out;
	struct outitem *it;

	/* a store that cannot be searched takes a group of one message per
	 * session, so a crash duplicates at most those in flight (deliver.h) */
	if (ob->n > 0 && (ob->store != fr->store ||
	    strcmp(ob->folder, folder) != 0 || ob->n == LIM_APPEND_BATCH ||
	    ob->bytes + len > LIM_APPEND_BATCH_BYTES ||
	    (ob->store && ob->store->ops->unsearchable &&
	    ob->n >= ob->store->sessions)))
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
	return it;
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
void
deliver_recover(struct run *r)
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
	    (now = time(NULL)) < latest + DELIVER_SETTLE_SECONDS &&
	    now >= latest) {
		log_info("waiting %llds for the mailbox to settle an "
		    "interrupted append", (long long)(latest +
		    DELIVER_SETTLE_SECONDS - now));
		sleep((unsigned)(latest + DELIVER_SETTLE_SECONDS - now));
	}
	for (i = 0; i < n; i++) {
		if ((fr = feed_run_find(r, p[i].feed)) == NULL)
			continue;	/* not selected in this pass */
		if (p[i].len == 0 && !p[i].lost)
			continue;	/* a digest's other entry: settled with
					   the row that holds the message */
		if ((sto = fr->store) == NULL || sto->broken) {
			health_fail(r, fr, "mailbox: %s", sto ? sto->err :
			    "too many stores");
			continue;
		}
		deliver_land(r);		/* the store is the main thread's */
		if (sto->broken) {	/* ... and landing may have broken it */
			health_fail(r, fr, "mailbox: %s", sto->err);
			continue;
		}
		if (plan_store_ensure(sto, p[i].folder, err, sizeof(err)) !=
		    DELIVER_OK) {
			health_fail(r, fr, "folder '%s': %s", p[i].folder, err);
			continue;
		}
		found = 0;
		if (sto->ops->has_msgid(sto->ctx, p[i].folder, p[i].msgid,
		    &found, err, sizeof(err)) != DELIVER_OK) {
			health_fail(r, fr, "looking up %s: %s", p[i].msgid, err);
			continue;
		}
		r->stats->recovered++;
		if (found) {
			if (state_entry_delivered(r->st, p[i].rowid, 0) == -1 ||
			    state_entry_delivered_msgid(r->st,
			    p[i].msgid) == -1)
				health_fail(r, fr, "state: cannot record %s",
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
				health_fail(r, fr, "state: cannot drop %s",
				    p[i].entry_id);
			continue;
		}
		/* not stored: append the journaled bytes as they were */
		deliver_queue(r, fr, p[i].folder, p[i].entry_id, NULL,
		    p[i].msgid, p[i].message, p[i].len, p[i].date,
		    p[i].rowid)->by_msgid = 1;
		p[i].message = NULL;
	}
	deliver_drain(r);
	state_pending_free(p, n);
}

/* keep = DURATION: once per folder per pass, old seen unflagged mail. */
void
deliver_keep(struct run *r)
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
