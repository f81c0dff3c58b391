/*
 * fetch.h - getting feed (and image) bytes: HTTP(S) through libcurl's multi
 * interface, in parallel, conditional and bounded; or a local file when the
 * user configured one.
 *
 * fetch_run takes an array of requests and calls done() once for each, as
 * soon as it completes, in completion order, from the calling thread.  A
 * fetch_loop does the same for requests added while it runs (see below).  The
 * body belongs to the request and is freed by fetch_run after done()
 * returns; done() must copy what it keeps.  fetch.c is the only file that
 * includes curl.
 *
 * Details callers rely on:
 * - After done() returns, body and the out strings are freed and NULL;
 *   result, status, redirect_status, retry_after and err stay readable.
 *   The out fields are overwritten when a request starts (pass zeroed or
 *   cleared requests).  done() is called exactly once per request, also
 *   when fetch_run returns -1 (those end FETCH_ERROR with its reason).
 * - Validators: etag/last_modified are sent verbatim as If-None-Match /
 *   If-Modified-Since (never one with control characters or over 1 KiB).
 *   A 304 often carries no validators: etag_out/last_modified_out are then
 *   NULL and the caller keeps the ones it sent.
 * - redirect_status is set only for FETCH_OK and FETCH_NOT_MODIFIED, when
 *   at least one redirect was followed and every hop was 301 or 308 (the
 *   last hop's code); effective_url is then the new URL.
 * - retry_after is set only for 429 and 503 (seconds, from delay-seconds or
 *   an HTTP-date; capped at 366 days; a date in the past gives 1).
 * - Bodies: gzip and deflate are decoded here (Accept-Encoding: gzip,
 *   deflate; no brotli/zstd: libcurl 7.88 buffers decoded data without
 *   bound while a transfer is paused), 16 KiB at a time against max_size.
 *   Memory: each transfer's body grows freely to 2 MiB, beyond that only
 *   opts->big_slots (4) at once; the others pause until one ends.  With
 *   the defaults a run holds at most about 16 x 2 + 4 x 16 MiB of bodies.
 * - Local files (a plain path, or file:// on localhost) only with
 *   allow_local; never through a redirect (redirects speak http and https
 *   only).  status 0, no validators, effective_url = url.
 * - Private-address guard (loopback, 0/8, RFC 1918, CGNAT, link-local,
 *   unique-local, multicast; IPv4-mapped and NAT64 by their IPv4 part):
 *   unless allow_private, a request with from_content, or one whose chain
 *   already reached a public address, may not connect to (nor send a
 *   request over a reused connection to) a private address.  A feed the
 *   user configured on a private address may redirect within private
 *   space.  Checked on the resolved address, at every hop.  Off when a
 *   proxy is in use (the address seen is the proxy's).
 * - err texts (one line, no URL: the caller adds "fetch URL: "):
 *     "HTTP 404"  "HTTP 302 without Location"
 *     "feed too large (over N bytes)"     (decompressed body over max_size)
 *     "response headers too large (over N bytes)"
 *     "too many redirects (over 5)"       "redirect to gopher:// refused"
 *     "unsupported URL scheme ftp://"     "invalid URL (...)"
 *     "connect to host:port: Connection refused"
 *     "connect to host:port: timed out after 15 s"
 *     "timed out after 60 s"              (total timeout)
 *     "too slow (under 100 bytes/s for 20 s)"
 *     "refused to connect to private address 10.0.0.1 (allow-private is off)"
 *     "invalid HTTP response (no status line)"
 *     "TLS: ..."  "Could not resolve host: x"  "run time limit reached (N s)"
 *     "invalid compressed body (...)"  "unsupported content encoding br"
 *     "transfer closed with N bytes remaining to read" (and other libcurl
 *     texts, one line, for rarer failures)
 *     "local files are allowed only when configured"  "PATH: ..." (files)
 */
#ifndef RSS2MAIL_FETCH_H
#define RSS2MAIL_FETCH_H

#include <stddef.h>

#include "buf.h"

enum fetch_result {
	FETCH_OK,		/* 2xx with a body */
	FETCH_NOT_MODIFIED,	/* 304 */
	FETCH_GONE,		/* 410 */
	FETCH_ERROR,		/* anything else: err says what */
};

struct fetch_req {
	/* in */
	const char	*url;		/* http(s)://, file:// or a plain path */
	int		 allow_local;	/* the user configured a local path */
	const char	*etag;		/* validators from the last run, or NULL */
	const char	*last_modified;
	const char	*user_agent;	/* NULL: the default */
	size_t		 max_size;	/* 0: LIM_FEED_SIZE */
	long		 connect_timeout; /* seconds; 0: LIM_CONNECT_TIMEOUT */
	long		 timeout;	/* seconds; 0: LIM_TOTAL_TIMEOUT */
	int		 allow_private;	/* may reach private addresses */
	void		*user;		/* for the caller */
	/* in, added for issues 6 and 8 (zero = the default) */
	int		 from_content;	/* URL taken from feed content: treated
					 * as public origin (see below) */
	long		 low_speed_bytes; /* 0: LIM_LOW_SPEED_BYTES */
	long		 low_speed_time;  /* seconds; 0: LIM_LOW_SPEED_TIME */
	const char	*http_user;	/* basic auth; NULL: URL userinfo */
	const char	*http_password;
	const char	*accept;	/* Accept header; NULL: feed types */
	/* in, issue 18: "Name: value" lines sent as given (http-header); one
	 * with a control character is left out; an Accept here replaces
	 * the one above */
	const char *const *headers;
	size_t		 nheaders;
	/* in, issue 15: FETCH_LANE_FEED (0) or FETCH_LANE_IMAGE; each lane
	 * has its own concurrency, the per-host cap counts both */
	int		 lane;

	/* out, valid inside done() */
	enum fetch_result result;
	long		 status;	/* HTTP status; 0 for files */
	struct buf	 body;
	char		*etag_out;	/* as the server sent them, or NULL */
	char		*last_modified_out;
	char		*content_type;
	char		*content_location;
	char		*effective_url;	/* after redirects */
	long		 redirect_status; /* 301/308 when every hop was permanent */
	long		 retry_after;	/* seconds, from 429/503, or 0 */
	char		 err[256];	/* one line when result == FETCH_ERROR */
	int		 peer_private;	/* the last request went to a private
					 * address (or through a proxy we cannot
					 * see past: then 0).  A feed fetched
					 * from private space may pass this on as
					 * !from_content for its own images. */
};

struct fetch_opts {
	int	concurrency;		/* 0: 16 */
	int	per_host;		/* 0: 2 */
	const char *proxy;		/* NULL: no proxy (env ignored) */
	int	proxy_env;		/* with proxy NULL: honour http_proxy,
					 * https_proxy, no_proxy from env */
	const char *ca_file;		/* PEM bundle to trust; NULL: system */
	long	deadline;		/* seconds for the whole fetch_run; when
					 * reached, what is left ends FETCH_ERROR
					 * "run time limit reached (N s)"; 0: none */
	int	big_slots;		/* bodies past 2 MiB growing at once
					 * (the others pause); 0: 4 */
	const char *public_addrs;	/* tests: comma-separated IP literals
					 * the private-address guard treats as
					 * public (e.g. "127.0.0.2") */
	int	image_concurrency;	/* the image lane; 0: 4 x concurrency,
					 * at most 256 (images are small and
					 * their hosts many) */
};

enum { FETCH_LANE_FEED, FETCH_LANE_IMAGE, FETCH_LANES };
#define FETCH_WATCH_MAX	16	/* descriptors a tick may watch */

typedef void fetch_done_fn(struct fetch_req *, void *ctx);
/*
 * Called by fetch_loop_run after each wake-up (a transfer moved, a watched
 * descriptor became readable, or 250 ms passed); it may add and cancel
 * requests.  It may put up to FETCH_WATCH_MAX descriptors in fds[0..*nfds)
 * whose readability should wake the loop.  Returns how many milliseconds
 * until it wants to be called again, or -1 when it waits for nothing: the
 * loop ends when no request is left and the tick returns -1.
 */
typedef long fetch_tick_fn(void *ctx, int *fds, size_t *nfds);
struct fetch_loop;

/* Global libcurl setup/teardown, once per process. */
int	fetch_global_init(char *err, size_t errlen);
void	fetch_global_cleanup(void);

/* Fetch all n requests; calls done for each.  Returns 0, or -1 when the
 * fetcher itself could not run (err says why). */
int	fetch_run(struct fetch_req *, size_t n, const struct fetch_opts *,
	    fetch_done_fn *done, void *ctx, char *err, size_t errlen);

/*
 * A loop that takes requests while it runs.  fetch_loop_add queues r (it
 * must stay valid and in place until its done() is called, exactly once,
 * from fetch_loop_run, fetch_loop_cancel or fetch_loop_free, never from
 * fetch_loop_add itself); requests of a lane start in the order added.
 * fetch_loop_cancel ends a request not yet done at once: done() sees
 * FETCH_ERROR with why; 0 when r was not in the loop.  fetch_loop_run
 * runs until nothing is left (see fetch_tick_fn); opts->deadline counts
 * from its start, and a request added after it passed ends at once.  It
 * returns 0, or -1 when the loop itself failed (err; every request then
 * ended FETCH_ERROR).  fetch_loop_free ends what is left and frees.
 */
struct fetch_loop *fetch_loop_new(const struct fetch_opts *, char *err,
	    size_t errlen);
void	fetch_loop_add(struct fetch_loop *, struct fetch_req *r,
	    fetch_done_fn *done, void *ctx);
int	fetch_loop_cancel(struct fetch_loop *, struct fetch_req *r,
	    const char *why);
/* While hold is set, lane starts no request (those in flight go on): the
 * caller's back-pressure.  The caller must release it for its requests
 * to end. */
void	fetch_loop_hold(struct fetch_loop *, int lane, int hold);
int	fetch_loop_run(struct fetch_loop *, fetch_tick_fn *tick, void *ctx,
	    char *err, size_t errlen);
void	fetch_loop_free(struct fetch_loop *);	/* accepts NULL */

/* Free what a request holds (after done, or on error paths). */
void	fetch_req_clear(struct fetch_req *);

#endif
