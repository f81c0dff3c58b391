/*
 * pass.h - the state of one pass, shared by the files that carry it out:
 * run.c (the flow), deliver.c (outbox, batches, delivery thread,
 * recovery, keep) and health.c (failures, backoff, redirects, notices).
 * Private to those three: everything else goes through run.h.
 *
 * Ownership: struct run and everything in it belong to the pass's main
 * thread, except a struct flight while it is active, which its delivery
 * thread owns until it lands (see deliver.h).
 */
#ifndef RSS2MAIL_PASS_H
#define RSS2MAIL_PASS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deliver.h"
#include "fetch.h"
#include "isolate.h"
#include "limits.h"
#include "message.h"
#include "plan.h"
#include "state.h"

struct arena;
struct config;
struct config_feed;
struct feed;
struct imgcache;
struct images_pass;
struct run_opts;
struct run_stats;

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
	char		 hash[MSG_HASH_LEN]; /* content hash, "" unknown */
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
 * A batch being appended by a delivery thread, on one session of its
 * store, while the main thread composes the next (deliver.c:
 * outbox_flush, flight_go).  res[i] says what became of items[i].
 */
enum { FLIGHT_UNKNOWN, FLIGHT_STORED, FLIGHT_REFUSED };

struct flight {
	int		 active;	/* launched, not landed */
	int		 threaded;	/* tid is a thread to join */
	pthread_t	 tid;
	struct store	*store;
	size_t		 session;	/* the store's session it goes out on */
	void		**ctx;		/* ... its handle (opened if NULL) */
	unsigned long	 seq;		/* launch order: the oldest lands first */
	char		*folder;
	struct outitem	 items[LIM_APPEND_BATCH];
	struct deliver_msg *dm;
	size_t		 n;
	signed char	 res[LIM_APPEND_BATCH];
	char		*why[LIM_APPEND_BATCH];	/* a refused one's reason */
	char		*warn[LIM_APPEND_BATCH]; /* updates = replace: why the
					   old version stayed */
	int		 no_session;	/* its session could not be opened:
					   nothing was sent; it goes out again
					   on another */
	int		 whole_err;	/* err names the folder already */
	enum deliver_status ds;		/* how the batch ended */
	char		 err[ERRLEN];
};

/* The flights of a pass: one slot per store and session. */
#define PASS_FLIGHTS	(PLAN_MAX_STORES * PLAN_MAX_SESSIONS)

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

/* Parsed feeds whose new entries wait for their images (run.c): past
 * either bound no more feeds start; past twice that, the oldest goes at
 * once with what it has. */
#define RUN_IMAGE_WAIT	512		/* feeds waiting at most ... */
#define RUN_IMAGE_HOLD	(16u << 20)	/* ... and their parsed bytes */
#define RUN_DRAIN_SECS	1	/* queued, while feeds wait: delivered */

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
	struct flight	*flights[PASS_FLIGHTS]; /* the batches being
					   appended, by store and session:
					   allocated at launch, freed when
					   landed; NULL for an idle session */
	unsigned long	 launches;	/* flights launched, for their seq */
	struct landed	 landed;	/* what landed, not yet recorded */
	struct arena	*arena;
	struct imgcache	*images;	/* fetched this pass, by URL */
	size_t		 done;		/* feeds finished, for progress */
	int		 state_broken;
	struct isolate	 parser;	/* parse isolation's child */
	struct parse_job pjob;		/* the feed it is parsing */
	struct select_pass *select;	/* filtered, duplicates, claims */
	struct fetch_loop *loop;	/* feeds and images */
	size_t		 nfetch;	/* feeds in it */
	struct images_pass *imgs;	/* images = inline */
	size_t		 nwaiting;	/* feeds waiting for images */
	size_t		 waiting_bytes;	/* their arenas' */
	int		 held;		/* the feed lane is held (run_hold) */
	time_t		 out_since;	/* the outbox holds messages since,
					   while feeds wait (run_tick) */
};

#endif
