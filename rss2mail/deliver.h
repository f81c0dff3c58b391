/*
 * deliver.h - the delivery backend interface.
 *
 * run.c talks to a mailbox only through a struct deliver_ops; it never knows
 * which backend it has.  A backend is one file that exports one const
 * struct deliver_ops (maildir.c: deliver_maildir, imap/imap.c: deliver_imap).
 *
 * Failure reach: each call returns a enum deliver_status saying how far a
 * failure reaches, with one line of text in the caller's err buffer:
 *   DELIVER_MSG     this message was refused (too large, bad): others go on
 *   DELIVER_FOLDER  this folder cannot be used (refused, missing): other
 *                   folders go on
 *   DELIVER_STORE   the store is unusable now (connection lost, auth failed,
 *                   disk full): stop delivering in this run; nothing more
 *                   is known about messages whose append did not complete
 * A refused message (DELIVER_MSG) says how in its struct deliver_msg's
 * refused: DELIVER_REFUSED_TEMP (try again on a later run: SMTP 4xx),
 * DELIVER_REFUSED_PERM (refused for good: SMTP 5xx; err holds the server's
 * text) or DELIVER_REFUSED_TOOBIG (compose it smaller: size_limit is the
 * server's SIZE, 0 when unknown).  Backends that do not say leave it 0,
 * which the caller treats as temporary.
 *
 * Messages are handed over as CRLF-terminated RFC 5322 text; a backend that
 * stores LF (maildir) converts.
 */
#ifndef RSS2MAIL_DELIVER_H
#define RSS2MAIL_DELIVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum deliver_status {
	DELIVER_OK = 0,
	DELIVER_MSG = -1,
	DELIVER_FOLDER = -2,
	DELIVER_STORE = -3,
};

enum deliver_refusal {
	DELIVER_REFUSED_NONE = 0,	/* not refused, or not said how */
	DELIVER_REFUSED_TEMP,
	DELIVER_REFUSED_PERM,
	DELIVER_REFUSED_TOOBIG,
};

#define DELIVER_NOTE_LEN	512

enum deliver_tls { DELIVER_TLS_DEFAULT, DELIVER_TLS_IMPLICIT,
    DELIVER_TLS_STARTTLS, DELIVER_TLS_NONE };

/* Everything a backend may need, as plain values (no config/ types). */
struct deliver_cfg {
	const char	*maildir;	/* maildir: the root Maildir path */
	const char	*imap_url;	/* imap: imap[s]://user@host[:port]/mbox */
	enum deliver_tls tls;
	const char	*user;		/* overrides the URL's user when set */
	const char	*password;	/* resolved secret (run resolves it) */
	const char	*ca_file;	/* extra trust anchors, or NULL */
	const char	*fingerprint;	/* "sha256:..." pin, or NULL */
	const char	*auth;		/* "login", "plain", "xoauth2" or NULL */
	const char	*flags;		/* flags set on append ("" = none) */
	long		 timeout;	/* seconds for any one network wait */
	time_t		 deadline;	/* the pass ends (run-time-limit), 0:
					   none; a backend never waits past
					   it (imap: a throttle's back-off) */
	/* smtp, lmtp, sendmail: the transport and its envelope */
	const char	*url;		/* smtp[s]://host[:port], lmtp://host:port
					   or a unix socket path */
	const char	*sendmail;	/* program; NULL: /usr/sbin/sendmail */
	const char	*envelope_from;	/* MAIL FROM, bare address */
	const char *const *rcpt;	/* RCPT TO, bare addresses */
	size_t		 nrcpt;
};

struct deliver_msg {
	const char	*data;		/* CRLF text */
	size_t		 len;
	const char	*msgid;		/* "<...>" as in the Message-ID header */
	time_t		 date;		/* INTERNALDATE */
	uint32_t	 uid;		/* out: UID when the server said (UIDPLUS) */
	const char	*flags;		/* NULL: the configured flags; else these
					   ("\\Seen \\Flagged"), e.g. kept from the
					   message this one replaces */
	int		 stored;	/* out: the store confirmed this one.  A
					   backend that streams (imap) may
					   confirm messages after a refused
					   one; a later call with the same
					   array skips those (zero it for a
					   new message) */
	int		 too_big;	/* out, with DELIVER_MSG: refused for
					   its size (the server's APPENDLIMIT
					   or size refusal): compose it again
					   smaller rather than send it again */
	enum deliver_refusal refused;	/* out: after DELIVER_MSG */
	size_t		 size_limit;	/* out: with DELIVER_REFUSED_TOOBIG */
	char		 note[DELIVER_NOTE_LEN];	/* out: a stored message
					   that some of several recipients
					   refused (smtp, lmtp): one line
					   naming them, for the log; "" */
};

struct deliver_ops {
	const char *name;
	/* Connect/open; *ctx is the backend's handle. */
	enum deliver_status (*open)(void **ctx, const struct deliver_cfg *,
	    char *err, size_t errlen);
	/* Make sure the folder exists ("" or NULL = the default folder). */
	enum deliver_status (*ensure_folder)(void *ctx, const char *folder,
	    char *err, size_t errlen);
	/* *found = 1 when a message with this Message-ID is in the folder. */
	enum deliver_status (*has_msgid)(void *ctx, const char *folder,
	    const char *msgid, int *found, char *err, size_t errlen);
	/*
	 * Append n messages to one folder.  *done is set to how many of them,
	 * from the first, are known to be stored; on DELIVER_OK *done == n.
	 * After DELIVER_STORE the fate of msgs[*done] and later is unknown,
	 * except for those whose ->stored is set.  After DELIVER_MSG,
	 * msgs[*done] was refused; later ones may already be stored
	 * (->stored), and the next call on msgs + *done + 1 skips them.
	 */
	enum deliver_status (*append)(void *ctx, const char *folder,
	    struct deliver_msg *msgs, size_t n, size_t *done,
	    char *err, size_t errlen);
	void (*close)(void *ctx);	/* accepts NULL */
	/*
	 * updates = replace: remove every message with this Message-ID from
	 * the folder; *flags gets the flags the first one had, as a flag list
	 * without parentheses ("\\Seen \\Flagged"; malloc'd, "" for none),
	 * or NULL when there was none.  NULL op: not supported.
	 */
	enum deliver_status (*remove_msgid)(void *ctx, const char *folder,
	    const char *msgid, char **flags, char *err, size_t errlen);
	/*
	 * keep: remove the messages of the folder dated (INTERNALDATE, or the
	 * file's time) before `before` that are seen and not flagged; *n is
	 * how many.  NULL op: not supported.
	 */
	enum deliver_status (*expire)(void *ctx, const char *folder,
	    time_t before, size_t *n, char *err, size_t errlen);
	/*
	 * One line for `rss2mail check`: what the server offers that
	 * matters for delivery and how append will deliver.  NULL op:
	 * nothing to say.
	 */
	void (*describe)(void *ctx, char *out, size_t outlen);
	/*
	 * `check`: connect, verify TLS, authenticate and ask whether the
	 * envelope would be taken (MAIL FROM, RCPT TO, RSET): nothing is
	 * sent.  DELIVER_MSG with refused set when the server refused the
	 * envelope.  NULL op: check opens the store instead.
	 */
	enum deliver_status (*probe)(const struct deliver_cfg *,
	    enum deliver_refusal *refused, char *err, size_t errlen);
	/*
	 * 1 when has_msgid cannot search (smtp, lmtp, sendmail: it never
	 * finds): a pending message is sent again, so deliver.c sends one
	 * message per session and records them before the next ones, and a
	 * crash duplicates at most one per session.
	 */
	int unsearchable;
	/*
	 * The largest message the store takes (SMTP's SIZE), 0 for no
	 * limit; asked once, right after open.  run.c composes to fit (the
	 * images go first, then the body is cut), so a message is never
	 * refused as too big in a loop.  NULL op: no limit.
	 */
	size_t (*size_limit)(void *ctx);
};

extern const struct deliver_ops deliver_maildir;
extern const struct deliver_ops deliver_imap;
/* smtp/: SMTP (submission or relay), LMTP, a local sendmail program */
extern const struct deliver_ops deliver_smtp;
extern const struct deliver_ops deliver_lmtp;
extern const struct deliver_ops deliver_sendmail;

/*
 * deliver.c: the backend-agnostic half, on a pass (pass.h).
 *
 * Threads.  The pass's main thread queues, journals and records; delivery
 * threads append.  deliver_queue collects messages in the outbox of one
 * (store, folder); when it is full (LIM_APPEND_BATCH messages or
 * LIM_APPEND_BATCH_BYTES), goes elsewhere, or is drained, the batch is
 * journaled as pending in one commit (which also records the batches
 * that landed before as delivered: one fsync per batch), then handed to
 * a session of its store, each session with its own delivery thread and
 * backend handle.  A store has up to `imap-connections` sessions (IMAP;
 * one for every other backend), each opened by its delivery thread when
 * it first carries a batch, so a pass with one folder opens one.  One
 * folder per session at a time: a folder's next batch waits for the one
 * in flight, so each folder's messages reach the server in order; the
 * others go out on an idle session, or the store's oldest flight lands
 * and its session is taken.  Before the main thread makes any other call
 * on a store it lands that store's flights (deliver_land lands them
 * all), which joins their threads.  Without a thread (pthread_create
 * failed) a batch is appended on the main thread.  A store that cannot
 * be searched (unsearchable) gets one message per batch and per session
 * (smtp-connections; sendmail one): a group of up to that many messages
 * is journaled in one commit, sent at once (in no particular order), and
 * landed before the next group is journaled, so their delivered rows are
 * in that same commit: a crash leaves at most one sent message per
 * session unrecorded.
 *
 * Ownership.  A delivery thread touches only its session's handle and its
 * batch (struct flight); the journal, the feeds, the stats and the log
 * are the main thread's.  A queued message's bytes belong to the outbox,
 * then to the flight, then to the landed list until recorded.
 *
 * Failure reach.  A refused message (DELIVER_MSG) fails its feed and stays
 * pending; DELIVER_FOLDER fails the batch's feeds; DELIVER_STORE on any
 * session breaks the store for the rest of the pass: what that session
 * did not confirm stays pending (recovery finds what did land), the other
 * sessions' batches in flight land and are recorded, and no new batch
 * goes out (a throttled or failing account is left alone until the next
 * pass).  A session the server will not open (one connection too many)
 * lowers the store's count for the pass and its batch goes out on one of
 * the others.  A journal error stops delivery for the pass (nothing is
 * appended without its pending row on disk).
 */
struct run;
struct feed_run;
struct store;

/* Queue one message (msg is taken over) for fr's store and folder; rowid
 * is its journal row when it is already journaled (recovery), else 0.
 * Returns the queued item, valid until the next deliver_* call. */
struct outitem *deliver_queue(struct run *, struct feed_run *fr,
	    const char *folder, const char *entry_id, const char *title,
	    const char *msgid, char *msg, size_t len, time_t date,
	    int64_t rowid);
/* Wait for every batch in flight and keep what landed for the next
 * commit. */
void	deliver_land(struct run *);
/* Record what landed as delivered, in a transaction of its own. */
void	deliver_commit(struct run *);
/* Flush the outbox, land it, record it: nothing is left in flight. */
void	deliver_drain(struct run *);
/* Step 1 of a pass: settle the journal an earlier pass left (a pending
 * message found in its folder is marked delivered, one that is not is
 * appended again), waiting DELIVER_SETTLE_SECONDS after an interrupted
 * append first. */
void	deliver_recover(struct run *);
/* The largest message sto takes, 0 for no limit: the smaller of its
 * size_limit and what its size refusals taught (kept in the state). */
size_t	deliver_fit(const struct run *, struct store *sto);
/* keep = DURATION: once per folder per pass, expire old seen unflagged
 * mail (backends without expire are skipped with a warning). */
void	deliver_keep(struct run *);

#endif
