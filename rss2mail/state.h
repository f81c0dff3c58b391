/*
 * state.h - what rss2mail remembers between runs, in SQLite (WAL).
 *
 *  feeds     per feed: HTTP validators, last poll/success/error, counters
 *  entries   per (feed, entry id): the delivery journal
 *            state 'pending' with the composed message, written and committed
 *            before the append; 'delivered' (message dropped) after the
 *            server's OK; 'seen' for entries recorded without delivery
 *            (catchup, --only-new); 'failed' (message dropped, the
 *            server's text kept) when the store refused it for good
 *  stores    per mailbox (plan.h's store key): the size limit its
 *            refusals taught (deliver.c)
 *  STATE.spool/  the pending messages' bytes, in segment files the rows
 *            point into (state.c: synced before the commit that names
 *            them, unlinked when nothing pending points into them)
 *
 * A digest journals one row per entry, all with the digest's Message-ID;
 * the first holds the message, the others hold none (len 0).
 *
 * An entry with no row is new.  A pending row is looked up in its folder by
 * Message-ID before it is appended again (run.c does that).  Nothing is
 * marked delivered that was not.  state.c is the only file that includes
 * sqlite3.h; strings returned are malloc'd copies owned by the caller.
 */
#ifndef RSS2MAIL_STATE_H
#define RSS2MAIL_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct state;

struct state_feed {
	char		*etag;
	char		*last_modified;
	char		*url;		/* a permanent redirect's target (seen on
					   two runs in a row), or NULL */
	time_t		 last_poll;
	time_t		 last_success;
	char		*last_error;	/* NULL when the last poll succeeded */
	char		*warning;	/* bozo reason of the last parse, or NULL */
	long		 failures;	/* in a row */
	long		 delivered;	/* entries delivered, all time */
	long		 pending;	/* entries in the journal, not yet known
					   stored */
	time_t		 next_due;	/* backoff: not before this; 0 = now */
	int		 gone;		/* HTTP 410 */
	char		*redirect_candidate; /* a 301/308 target seen once */
	long		 hint;		/* the feed's own poll hint, seconds */
	time_t		 failing_since;	/* first failure of this streak */
	int		 reported;	/* a failure report was delivered */
	long		 filtered;	/* entries recorded as filtered */
	long		 duplicates;	/* entries another feed delivered */
	long		 failed;	/* entries refused for good */
	char		*failed_error;	/* the latest one's reason, or NULL */
};

struct state_pending {
	int64_t		 rowid;
	char		*feed;
	char		*entry_id;
	char		*msgid;
	char		*folder;
	char		*message;	/* the composed message (CRLF) */
	size_t		 len;
	int		 lost;		/* its bytes should be in the spool and
					   are not (len 0) */
	time_t		 date;
	time_t		 attempted;	/* when its last append started */
};

/* STATE_SKIPPED: recorded without delivery by a filter or as another
 * feed's duplicate (state_entry_skipped): not new, and no revisions. */
enum state_entry { STATE_NEW, STATE_PENDING, STATE_DONE, STATE_SKIPPED };

int	state_open(const char *path, struct state **, char *err, size_t errlen);
void	state_close(struct state *);		/* accepts NULL */

int	state_begin(struct state *, char *err, size_t errlen);
int	state_commit(struct state *, char *err, size_t errlen);
void	state_rollback(struct state *);

/* Feed rows.  state_feed_get fills *out (zeroed when unknown). */
int	state_feed_get(struct state *, const char *feed, struct state_feed *out);
void	state_feed_clear(struct state_feed *);
int	state_feed_poll_ok(struct state *, const char *feed, time_t when,
	    const char *etag, const char *last_modified, const char *warning);
int	state_feed_poll_failed(struct state *, const char *feed, time_t when,
	    const char *error);
/*
 * Typed changes of one feed row (the row is created when missing); 0, or
 * -1 on a database error.
 *   next_due            backoff: not polled before `when` unless named
 *   gone                HTTP 410: not polled until resumed
 *   resume              `rss2mail resume`: gone and next_due cleared
 *   redirect_candidate  a 301/308 target seen once (NULL: none)
 *   moved               the target seen twice: polled from now on, and
 *                       the candidate cleared
 *   hint                the feed's own poll interval (ttl), seconds
 *   reported            a failure notice was delivered for this streak
 *   refetch             an entry of the feed was left new, or is new
 *                       again: the validators are dropped, and the poll
 *                       that ends a pass in progress does not save new
 *                       ones, so the next pass to start gets the whole
 *                       feed and evaluates that entry
 */
int	state_feed_set_next_due(struct state *, const char *feed, time_t when);
int	state_feed_set_gone(struct state *, const char *feed);
int	state_feed_resume(struct state *, const char *feed);
int	state_feed_set_redirect_candidate(struct state *, const char *feed,
	    const char *url);
int	state_feed_set_moved(struct state *, const char *feed,
	    const char *url);
int	state_feed_set_hint(struct state *, const char *feed, long seconds);
int	state_feed_set_reported(struct state *, const char *feed,
	    int reported);
int	state_feed_refetch(struct state *, const char *feed);

/* The journal. */
enum state_entry state_entry_get(struct state *, const char *feed,
	    const char *entry_id);		/* -1 impossible: NEW on error */
/* Journal the intent; *rowid identifies the row for _delivered. */
int	state_entry_pending(struct state *, const char *feed,
	    const char *entry_id, const char *msgid, const char *folder,
	    const char *message, size_t len, time_t date, int64_t *rowid);
int	state_entry_delivered(struct state *, int64_t rowid, uint32_t uid);
/* This process holds the run lock: it may remove spool segments nothing
 * pending points into (see state.c).  Writing a pending row claims too. */
void	state_spool_claim(struct state *);
/* Forget a pending row (its message is lost): the entry is new again,
 * and its claims are released (see state_dedupe_owner). */
int	state_entry_drop(struct state *, int64_t rowid);
/*
 * The store refused a pending entry for good (SMTP 5xx): state 'failed'
 * with why (the server's text), with the other entries of its digest
 * (same Message-ID), and their claims released (see state_dedupe_owner);
 * it is not sent again.  state_entry_retry
 * (`rss2mail retry`) forgets a feed's failed rows and, when there were
 * any, the feed's HTTP validators, so those entries count as new and are
 * composed again while the feed lists them; *n is how many.
 */
int	state_entry_failed(struct state *, int64_t rowid, const char *why);
int	state_entry_retry(struct state *, const char *feed, long *n);
/*
 * The store refused a pending entry for its size: forget the row (with
 * the other entries of its digest) and its feed's HTTP validators, so the
 * entry counts as new and the next pass, fetching the whole feed,
 * composes it again (smaller: state_store_limit).
 */
int	state_entry_recompose(struct state *, int64_t rowid);
/*
 * A mailbox's size limit learned from its refusals (compose.c), by the
 * store's key (plan.h): *limit 0 when none was learned.  0, or -1 on a
 * database error.
 */
int	state_store_limit(struct state *, const char *key, size_t *limit);
int	state_store_set_limit(struct state *, const char *key, size_t limit);
/* Every pending row with this Message-ID delivered (a digest's entries). */
int	state_entry_delivered_msgid(struct state *, const char *msgid);
/*
 * updates = new | replace: an entry's content hash (of the version last
 * delivered) and the Message-ID that version has in the mailbox.  *hash
 * NULL: not known yet.  set_revision with cur_msgid NULL keeps the old.
 */
int	state_entry_revision(struct state *, const char *feed, const char *id,
	    char **hash, char **cur_msgid);
int	state_entry_set_revision(struct state *, const char *feed,
	    const char *id, const char *hash, const char *cur_msgid);
/* A journaled entry is about to be appended again: note when. */
int	state_entry_attempt(struct state *, int64_t rowid);
int	state_entry_seen(struct state *, const char *feed,
	    const char *entry_id);		/* catchup: no delivery */
/*
 * An entry not delivered because a filter (include, exclude, max-age) left
 * it out (dup_key NULL), or another feed delivered the same story, whose
 * claim is dup_key: recorded as done, so it is not evaluated again (a
 * duplicate until that claim is released: see state_dedupe_owner).
 * state_entry_refilter forgets the filtered ones (of one feed, or all
 * with NULL): the next pass evaluates them again (`catchup --refilter`;
 * the feeds' HTTP validators are dropped too, so the next pass gets the
 * whole feed).
 */
int	state_entry_skipped(struct state *, const char *feed,
	    const char *entry_id, const char *dup_key);
int	state_entry_refilter(struct state *, const char *feed);
/*
 * Cross-feed de-duplication: the feed whose entry claimed a story's key
 * ("link:..." or "id:...") first, into *feed (malloc'd; NULL: none), and
 * claiming one for (feed, entry_id).  A claim is written in the
 * transaction that journals its entry as pending (select_pass_journal),
 * so it is on disk before the message can be in the mailbox, and it
 * counts only while that entry is pending or delivered: a claim that no
 * longer counts gives way to the next, one that counts keeps its first
 * owner.  When a pending entry is refused for good (state_entry_failed)
 * or forgotten (state_entry_drop, also for state_entry_recompose), its
 * claims are released: the duplicates recorded against them are
 * forgotten (and their feeds' validators), so that another feed's copy
 * is delivered instead, or the entry's own when it comes first.  0, or
 * -1 on a database error.
 */
int	state_dedupe_owner(struct state *, const char *key, char **feed);
int	state_dedupe_claim(struct state *, const char *key, const char *feed,
	    const char *entry_id);
/* rowid of (feed, entry) for state_entry_delivered; 0 when absent. */
int64_t	state_entry_rowid(struct state *, const char *feed,
	    const char *entry_id);

/* Every pending row (all feeds, or one), oldest first. */
int	state_pending_list(struct state *, const char *feed,
	    struct state_pending **out, size_t *n);
void	state_pending_free(struct state_pending *, size_t n);

/* Forget a feed entirely (remove). */
int	state_feed_forget(struct state *, const char *feed);

/*
 * The Subscribe folder's journal (subscribe_pass.c): one row per request,
 * keyed by (folder, UIDVALIDITY, UID), and how far its handling got:
 *   ACTING   about to change the config: op, name, url and detail say
 *            what (written and committed before the edit)
 *   ACTED    the config is changed (or nothing was to change): the reply
 *            (msgid, its bytes) is to be appended
 *   REPLIED  the reply is in the folder: the request is to be flagged
 *   DONE     flagged \Seen \Answered (the reply's bytes are dropped)
 * state_request_get fills *out (step NONE when there is no row; release
 * with state_request_clear).  state_request_last: the highest UID that is
 * DONE under this UIDVALIDITY (0: none).  0, or -1 on a database error.
 */
enum state_request_step { STATE_REQ_NONE = 0, STATE_REQ_ACTING,
    STATE_REQ_ACTED, STATE_REQ_REPLIED, STATE_REQ_DONE };

struct state_request {
	enum state_request_step step;
	char		*op, *name, *url, *detail;	/* or NULL */
	char		*msgid;
	char		*reply;		/* NUL-terminated, len bytes */
	size_t		 len;
};

int	state_request_get(struct state *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid, struct state_request *out);
void	state_request_clear(struct state_request *);
int	state_request_acting(struct state *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid, const char *op,
	    const char *name, const char *url, const char *detail);
int	state_request_acted(struct state *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid, const char *msgid,
	    const char *reply, size_t len);
int	state_request_set_step(struct state *, const char *folder,
	    uint32_t uidvalidity, uint32_t uid, enum state_request_step);
int	state_request_last(struct state *, const char *folder,
	    uint32_t uidvalidity, uint32_t *uid);

#endif
