/*
 * health.h - what becomes of a feed that fails: one line of error, the
 * failure counted in the state, a backoff before the next try, a permanent
 * redirect followed, a 410 pausing it, and one notice in its folder when
 * it has failed report-after runs in a row (and one more when it works
 * again).
 *
 * The pure parts (health_delay, health_redirect_step, health_notice_kind,
 * health_notice_text) decide; the health_* calls on a pass (pass.h) apply
 * the decision to the state through its typed setters.  A setter that
 * fails is logged ("feed NAME: state: cannot record ...") and the pass
 * goes on: the feed is tried again next time.  A notice is composed here
 * and queued by the pass (run.c), so health.c never calls into deliver.c,
 * which reports its failures through health_fail.  Main thread only.
 */
#ifndef RSS2MAIL_HEALTH_H
#define RSS2MAIL_HEALTH_H

#include <stddef.h>
#include <time.h>

struct buf;
struct feed_run;
struct fetch_req;
struct msg;
struct run;

#define HEALTH_BACKOFF_BASE	300		/* seconds, after the second
						   failure */
#define HEALTH_BACKOFF_MAX	(12 * 3600)
#define HEALTH_RETRY_AFTER_MAX	(7 * 86400)

/*
 * Seconds to wait before the next try of feed `name` after its failures-th
 * failure in a row: Retry-After when the server said (capped at a week),
 * else nothing after the first failure, then HEALTH_BACKOFF_BASE doubling
 * per failure up to HEALTH_BACKOFF_MAX, with a jitter of up to +-10% fixed
 * per feed name so that feeds that failed together do not come back
 * together.  0: try at the next pass.
 */
long long health_delay(const char *name, long failures, long retry_after);

/*
 * A fetch's redirect against the candidate stored from the last run:
 * a permanent redirect (every hop 301/308) to a new URL moves the feed
 * when it is seen on two runs in a row; a temporary one never does.
 */
enum health_redirect {
	HEALTH_REDIRECT_NONE,		/* nothing to record */
	HEALTH_REDIRECT_FORGET,		/* drop the stored candidate */
	HEALTH_REDIRECT_CANDIDATE,	/* store `to` as the candidate */
	HEALTH_REDIRECT_MOVE,		/* poll `to` from now on */
};

enum health_redirect health_redirect_step(const char *candidate, int status,
	    const char *from, const char *to);

/* The notice a feed's pass calls for (see health_notice). */
enum health_notice { HEALTH_NOTICE_NONE, HEALTH_NOTICE_FAILING,
    HEALTH_NOTICE_RECOVERED };

/*
 * failing: the feed itself failed this pass (fetch or parse); failures
 * counts this one; reported: a failing notice was delivered for the
 * current streak; polled: fetched and parsed this pass.
 */
enum health_notice health_notice_kind(int failing, int failed, int polled,
	    long failures, int reported, long report_after);

/* The notice's subject and body (UTF-8, LF), appended to subj and text. */
void	health_notice_text(enum health_notice, const char *name,
	    const char *url, const char *error, long failures, time_t since,
	    struct buf *subj, struct buf *text);

/* Calls on a pass. */

/* Fail the feed for this pass: the first call logs one line and counts the
 * failure in the state; later calls for the same feed only return. */
void	health_fail(struct run *, struct feed_run *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Record when the feed is due again (health_delay). */
void	health_backoff(struct run *, struct feed_run *, long retry_after);
/* Record a fetch's redirect (health_redirect_step). */
void	health_redirect(struct run *, struct feed_run *,
	    const struct fetch_req *);
/* HTTP 410: fail the feed and pause it until `rss2mail resume`. */
void	health_gone(struct run *, struct feed_run *, const struct fetch_req *);
/*
 * The feed's health notice, when one is due: composed into *out with its
 * identity (msg_identity, under an id naming the streak, so that queued
 * and journaled like an entry it is delivered exactly once) and its
 * subject appended to subject; the feed is marked reported (or not) for
 * the streak.  1: a notice for the caller to queue; 0: none due (or
 * already journaled); -1: it could not be composed.  *out is zeroed
 * unless 1.
 */
int	health_notice(struct run *, struct feed_run *, struct msg *out,
	    struct buf *subject);

#endif
