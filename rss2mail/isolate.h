/*
 * isolate.h - parse isolation: feeds parsed in a child process.
 *
 * The child is forked on the first isolate_send of a pass and serves one
 * request at a time: a feed's bytes and parse options go down a pipe, the
 * parsed model comes back packed (feed_pack.h) and is unpacked into the
 * caller's arena.  Its address space is limited (RLIMIT_AS: the parent's
 * size plus 768 MiB) and each answer must come within 30 s
 * (RSS2MAIL_TEST_PARSE_SECONDS overrides it for tests).  A child that
 * crashes, hits its limit, answers garbage or takes too long is killed and
 * reaped; that feed gets one line of error and the next send starts a new
 * child.  One request may be outstanding: send, then receive, before the
 * next send (the caller composes the previous feed in between).  Not
 * thread-safe; the pass's main thread owns the struct.
 */
#ifndef RSS2MAIL_ISOLATE_H
#define RSS2MAIL_ISOLATE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct arena;
struct feed;
struct feed_parse_opts;

/* Zeroed: no child yet. */
struct isolate {
	pid_t	pid;		/* 0: none running */
	int	to, from;	/* request and reply pipes */
	time_t	deadline;	/* for the answer to the last request */
	int	limit;		/* seconds it was given */
};

/* Send one feed to the child (started if needed); the answer is read by
 * isolate_receive.  -1: the child could not take it (err says why; it was
 * reaped). */
int	isolate_send(struct isolate *, const char *data, size_t len,
	    const struct feed_parse_opts *, char *err, size_t errlen);
/* The answer to the last isolate_send: *out points into the arena.  -1
 * with err: the feed's parse error, or how the child failed. */
int	isolate_receive(struct isolate *, struct arena *, struct feed **out,
	    char *err, size_t errlen);
/* End the child (it exits when its pipe closes) and reap it. */
void	isolate_stop(struct isolate *);

#endif
