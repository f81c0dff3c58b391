/*
 * run.h - one pass: every active feed through fetch, parse, select new,
 * compose, journal, deliver, record.
 *
 * Exactly once: an entry is journaled 'pending' (with its composed message)
 * and committed before its append, and marked delivered after the store
 * said OK.  A pass starts by settling the journal: each pending message is
 * looked up in its folder by Message-ID and appended only when absent.
 * A failing feed is reported on stderr in one line and never stops the
 * others.  run.c includes module headers only, so tests can run it against
 * a fake backend (run_opts.ops) and a fake fetcher (link-time).
 */
#ifndef RSS2MAIL_RUN_H
#define RSS2MAIL_RUN_H

#include <stddef.h>
#include <time.h>

struct config;
struct deliver_ops;
struct state;

struct run_opts {
	char *const	*names;		/* only these feeds; nnames 0 = all */
	size_t		 nnames;
	int		 catchup;	/* record entries as seen, deliver none */
	int		 progress;	/* one progress line on a terminal */
	time_t		 now;		/* 0: time(NULL) */
	const struct deliver_ops *ops;	/* tests: force this backend */
	const char	*boundary_seed;	/* tests: fixed MIME boundaries */
	const char	*public_addrs;	/* tests: loopback IPs treated as public */
	int		 no_settle;	/* tests with a fake store: recovery need
					   not wait for a server to settle */
};

struct run_stats {
	size_t	feeds;			/* feeds polled */
	size_t	skipped;		/* gone, or backing off */
	size_t	failed;			/* feeds that failed */
	size_t	not_modified;		/* 304s */
	size_t	new_entries;
	size_t	delivered;		/* messages stored this pass */
	size_t	recovered;		/* journal entries settled */
	size_t	mailbox_failed;		/* failed because the mailbox did */
};

/*
 * Returns 0 when every feed was handled, 1 when some feed failed (each
 * reported on stderr), -1 when the pass could not run at all (err).
 */
int	run_pass(const struct config *, struct state *, const struct run_opts *,
	    struct run_stats *, char *err, size_t errlen);

#endif
