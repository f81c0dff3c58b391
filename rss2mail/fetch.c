/*
 * fetch.c - feed bytes over HTTP(S) with libcurl's multi interface, or from
 * a local file the user configured.
 *
 * One loop drives every transfer, in two lanes: feeds and pages (at most
 * opts->concurrency at once) and images (opts->image_concurrency), and at
 * most opts->per_host per scheme://host:port, both lanes together (counted
 * by the URL the request starts at; CURLMOPT_MAX_HOST_CONNECTIONS bounds
 * the connections a redirect may add).  Requests may be added while the
 * loop runs (a pass adds a feed's images as the feed is parsed); connections
 * are reused, HTTP/2 multiplexed where offered.  Every
 * transfer is bounded: connect and total timeouts, a low-speed limit, a cap
 * on all response headers (header callback) and on the decompressed body
 * (write callback: CURLOPT_MAXFILESIZE cannot stop a body of unknown length,
 * and counting after decompression is what stops gzip bombs).
 *
 * Only http and https are spoken, on redirects too; a local file is read only
 * when the request says the user configured it, never through a redirect.
 * A guard refuses private addresses (loopback, RFC 1918, link-local,
 * unique-local) for requests that come from feed content or that already
 * reached a public address: it is checked when a socket is opened and again
 * before every request is sent (CURLOPT_PREREQFUNCTION), so a reused
 * connection or a redirect cannot slip past it.
 *
 * This file does not parse feeds, decide schedules or store validators: it
 * reports what the server said and leaves policy to run.c.
 * curl is included here and nowhere else.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#include "fetch.h"
#include "limits.h"
#include "util.h"
#include "fsutil.h"

#ifndef RSS2MAIL_VERSION
#define RSS2MAIL_VERSION "unknown"
#endif
#define FETCH_DEFAULT_UA \
	"rss2mail/" RSS2MAIL_VERSION " (+https://example.org/rss2mail)"
#define FETCH_DEFAULT_ACCEPT \
	"application/rss+xml, application/atom+xml, application/feed+json, " \
	"application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, " \
	"application/json;q=0.8, */*;q=0.5"
#define FETCH_CONCURRENCY	16
#define FETCH_PER_HOST		2
#define FETCH_VALIDATOR_MAX	1024	/* longest ETag/date we send back */
#define FETCH_HEADER_MAX	8192	/* longest http-header line */
#define FETCH_RETRY_AFTER_MAX	(366L * 24 * 3600)
#define FETCH_BIG_BODY		(2u << 20)	/* a body past this is "big" */
#define FETCH_BIG_SLOTS		4		/* big bodies growing at once */
#define FETCH_IMAGE_FACTOR	4	/* image lane: x feeds' concurrency */
#define FETCH_IMAGE_MAX		256	/* ... at most */

/*
 * The memory bound of a run: concurrency bodies may each grow to
 * FETCH_BIG_BODY, but only big_max of them beyond it (up to max_size); the
 * others pause (CURL_WRITEFUNC_PAUSE) until a big one finishes.  16 gzip
 * bombs at once would otherwise hold 16 x 16 MiB.  A paused transfer's
 * total timeout keeps running: a big feed behind several slow big ones may
 * time out rather than grow the bound.
 */
struct budget {
	int	big_active;
	int	big_max;
};

enum { ENC_NONE, ENC_ZLIB, ENC_BAD };

/* One transfer in flight: the request plus what the callbacks learn. */
struct xfer {
	struct xfer		*next, *prev;	/* the loop's active list */
	struct fetch_req	*req;
	fetch_done_fn		*done;		/* called once for req */
	void			*ctx;
	int			 lane;		/* FETCH_LANE_* */
	const struct fetch_opts	*opts;
	struct budget		*budget;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*hostkey;	/* scheme://host:port */
	size_t			 max_size;
	size_t			 hdr_bytes;	/* all header lines, all hops */
	long			 cur_status;	/* of the response being read */
	int			 hops;		/* redirects seen in headers */
	int			 all_permanent;
	long			 last_permanent;
	char			*location;	/* of the current response */
	int			 too_large;
	int			 hdr_too_large;
	int			 skip_body;	/* error status: no body */
	int			 big;		/* holds a big-body slot */
	int			 paused;	/* waits for one */
	size_t			 skip;		/* already taken, on replay */
	int			 enc;		/* Content-Encoding: ENC_* */
	char			 enc_name[32];
	z_stream		 z;		/* our gzip/deflate decoder */
	int			 z_init, z_raw, z_end, z_full;
	size_t			 z_fed;		/* input bytes taken so far */
	char			 z_err[128];
	int			 public_seen;	/* reached a public address */
	int			 peer_private;	/* the last request's peer */
	int			 refused;	/* the private-address guard */
	char			 refused_ip[INET6_ADDRSTRLEN];
	char			 errbuf[CURL_ERROR_SIZE];
};

/* A host with transfers in flight, for the per-host cap. */
struct slot {
	char	*hostkey;
	int	 active;
};

int
fetch_global_init(char *err, size_t errlen)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_ALL)) != CURLE_OK) {
		errf(err, errlen, "libcurl init: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void
fetch_req_clear(struct fetch_req *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r->etag_out);
	free(r->last_modified_out);
	free(r->content_type);
	free(r->content_location);
	free(r->effective_url);
	r->etag_out = r->last_modified_out = NULL;
	r->content_type = r->content_location = r->effective_url = NULL;
}

/* Reset the out fields before a request starts (they hold nothing yet). */
static void
req_begin(struct fetch_req *r, size_t max)
{
	r->result = FETCH_ERROR;
	r->status = 0;
	buf_init(&r->body, max);
	r->etag_out = r->last_modified_out = NULL;
	r->content_type = r->content_location = r->effective_url = NULL;
	r->redirect_status = 0;
	r->retry_after = 0;
	r->peer_private = 0;
	r->err[0] = '\0';
}

/* --- addresses ---------------------------------------------------------- */

static int
ip4_private(const unsigned char *a)
{
	return a[0] == 0 ||				/* "this network" */
	    a[0] == 10 ||				/* RFC 1918 */
	    a[0] == 127 ||				/* loopback */
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||	/* RFC 6598 CGNAT */
	    (a[0] == 169 && a[1] == 254) ||		/* link-local */
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||	/* RFC 1918 */
	    (a[0] == 192 && a[1] == 168) ||		/* RFC 1918 */
	    a[0] >= 224;			/* multicast, reserved */
}

static int
ip6_private(const unsigned char *a)
{
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] =
	    { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char zero[15];

	/* IPv4-mapped and NAT64 addresses carry an IPv4 address */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return ip4_private(a + 12);
	if (memcmp(a, zero, 15) == 0)		/* :: and ::1 */
		return 1;
	return (a[0] & 0xfe) == 0xfc ||		/* fc00::/7 unique-local */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    a[0] == 0xff;			/* multicast */
}

/* Is this address one that tests asked us to treat as public? */
static int
addr_listed(const char *list, const char *ip)
{
	size_t n = strlen(ip);
	const char *p = list;

	while (p != NULL && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		if (strncmp(p, ip, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

/* 1 when ip (a numeric address) is private, 0 when public. */
static int
ip_private(const struct fetch_opts *o, const char *ip)
{
	unsigned char a[16];

	if (o != NULL && o->public_addrs != NULL &&
	    addr_listed(o->public_addrs, ip))
		return 0;
	if (inet_pton(AF_INET, ip, a) == 1)
		return ip4_private(a);
	if (inet_pton(AF_INET6, ip, a) == 1)
		return ip6_private(a);
	return 1;	/* not an address we understand: be careful */
}

/*
 * May this transfer talk to ip?  Records a refusal for the error text.  With
 * a proxy the address is the proxy's, so the guard cannot apply.  A request
 * reaching a public address (sent is set: it is about to go out) makes the
 * rest of its redirect chain public-origin.
 */
static int
guard_allows(struct xfer *x, const char *ip, int sent)
{
	struct fetch_req *r = x->req;

	if (r->allow_private || x->opts->proxy != NULL || x->opts->proxy_env)
		return 1;
	if (!ip_private(x->opts, ip)) {
		if (sent)
			x->public_seen = 1;
		return 1;
	}
	if (!r->from_content && !x->public_seen)
		return 1;	/* a private feed the user configured */
	x->refused = 1;
	snprintf(x->refused_ip, sizeof(x->refused_ip), "%s", ip);
	return 0;
}

static curl_socket_t
cb_opensocket(void *p, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct xfer *x = p;
	char ip[INET6_ADDRSTRLEN] = "";
	const void *a = NULL;
	const void *sap = &sa->addr;

	(void)purpose;

	if (sa->family == AF_INET)
		a = &((const struct sockaddr_in *)sap)->sin_addr;
	else if (sa->family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sap)->sin6_addr;
	if (a == NULL || inet_ntop(sa->family, a, ip, sizeof(ip)) == NULL)
		return CURL_SOCKET_BAD;
	/* refuse before even connecting; cb_prereq decides on what is sent */
	if (!guard_allows(x, ip, 0))
		return CURL_SOCKET_BAD;
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

static int
cb_prereq(void *p, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct xfer *x = p;

	(void)local_ip, (void)primary_port, (void)local_port;
	/* through a proxy, the peer is the proxy: say nothing */
	x->peer_private = x->opts->proxy == NULL && !x->opts->proxy_env &&
	    ip_private(x->opts, primary_ip);
	return guard_allows(x, primary_ip, 1) ? CURL_PREREQFUNC_OK :
	    CURL_PREREQFUNC_ABORT;
}

/* --- callbacks ---------------------------------------------------------- */

/*
 * How many more body bytes may be stored now: up to FETCH_BIG_BODY freely,
 * beyond it only with a big-body slot (taken here when one is free), never
 * beyond max_size.  0 means pause (no slot) or full (at max_size).
 */
static size_t
body_room(struct xfer *x)
{
	size_t len = x->req->body.len;

	if (!x->big && len >= FETCH_BIG_BODY && FETCH_BIG_BODY < x->max_size) {
		if (x->budget->big_active >= x->budget->big_max)
			return 0;
		x->big = 1;
		x->budget->big_active++;
	}
	if (!x->big && FETCH_BIG_BODY < x->max_size)
		return FETCH_BIG_BODY - len;
	return x->max_size - len;
}

/* body_room said 0: at the cap (an error) or waiting for a slot? */
static int
body_full(struct xfer *x)
{
	if (x->req->body.len >= x->max_size) {
		x->too_large = 1;
		return 1;
	}
	return 0;
}

/* Store plain body bytes; returns how many were taken (fewer: stop). */
static size_t
sink_plain(struct xfer *x, const char *data, size_t n)
{
	size_t done = 0, k;

	while (done < n) {
		if ((k = body_room(x)) == 0)
			break;
		if (k > n - done)
			k = n - done;
		buf_append(&x->req->body, data + done, k);
		done += k;
	}
	return done;
}

static int
z_start(struct xfer *x, int raw)
{
	memset(&x->z, 0, sizeof(x->z));
	if (inflateInit2(&x->z, raw ? -MAX_WBITS : MAX_WBITS + 32) != Z_OK)
		return -1;
	x->z_init = 1;
	return 0;
}

/*
 * Inflate gzip or zlib (or raw deflate, which some servers send as
 * "deflate") into the body, 16 KiB at a time so that the cap and the
 * big-body budget hold at every step: a bomb never expands further than
 * where it is stopped.  Returns the input bytes taken, or (size_t)-1 on
 * a decoding error; *more is set when output may still be pending.
 */
static size_t
sink_inflate(struct xfer *x, const char *data, size_t n, int *more)
{
	unsigned char out[16384];
	size_t room;
	uInt cap;
	int zr;

	*more = 0;
	if (!x->z_init && z_start(x, 0) == -1)
		return (size_t)-1;
	x->z.next_in = (unsigned char *)(uintptr_t)data;
	x->z.avail_in = (uInt)n;
	while (!x->z_end && (x->z.avail_in > 0 || x->z_full)) {
		if ((room = body_room(x)) == 0) {
			*more = 1;
			break;
		}
		cap = room < sizeof(out) ? (uInt)room : (uInt)sizeof(out);
		x->z.next_out = out;
		x->z.avail_out = cap;
		zr = inflate(&x->z, Z_NO_FLUSH);
		if (zr == Z_DATA_ERROR && !x->z_raw && x->z_fed == 0 &&
		    x->z.total_out == 0) {
			/* no zlib header: raw deflate, from the start */
			inflateEnd(&x->z);
			if (z_start(x, 1) == -1)
				return (size_t)-1;
			x->z_raw = 1;
			x->z.next_in = (unsigned char *)(uintptr_t)data;
			x->z.avail_in = (uInt)n;
			continue;
		}
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			snprintf(x->z_err, sizeof(x->z_err), "%s",
			    x->z.msg ? x->z.msg : "inflate failed");
			return (size_t)-1;
		}
		buf_append(&x->req->body, out, cap - x->z.avail_out);
		x->z_full = x->z.avail_out == 0;
		if (zr == Z_STREAM_END) {
			x->z_end = 1;
			/* another gzip member may follow; else ignore rest */
			if (x->z.avail_in >= 2 && x->z.next_in[0] == 0x1f &&
			    x->z.next_in[1] == 0x8b && inflateReset(&x->z) ==
			    Z_OK)
				x->z_end = 0;
			else
				x->z.avail_in = 0;
		} else if (zr == Z_BUF_ERROR && x->z.avail_in == 0)
			x->z_full = 0;	/* needs more input */
	}
	x->z_fed += n - x->z.avail_in;
	return n - x->z.avail_in;
}

static size_t
cb_write(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t n = size * nmemb, off, used;
	int more = 0;

	if (x->cur_status < 200 || x->cur_status > 299) {
		/* an error page: we report the status, not its body */
		x->skip_body = 1;
		return 0;
	}
	if (x->too_large || x->z_err[0] || x->enc == ENC_BAD)
		return 0;
	/* after a pause libcurl replays the same bytes: skip what we took */
	off = x->skip < n ? x->skip : n;
	x->skip -= off;
	if (x->enc == ENC_ZLIB)
		used = sink_inflate(x, data + off, n - off, &more);
	else
		used = sink_plain(x, data + off, n - off);
	if (used == (size_t)-1)
		return 0;
	if (off + used == n && !more)
		return n;
	if (body_full(x))
		return 0;
	/*
	 * Waiting for a big-body slot.  Only raw bytes are held meanwhile:
	 * libcurl decodes nothing (we do), so it keeps this one chunk and
	 * reads no more until unlink_xfer resumes us.
	 */
	x->paused = 1;
	x->skip = off + used;
	return CURL_WRITEFUNC_PAUSE;
}

static char *
hdr_value(const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return xstrndup(v, n);
}

static void
set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* A new response starts: forget what the previous one (a redirect) said. */
static void
hdr_new_response(struct xfer *x, long status)
{
	struct fetch_req *r = x->req;

	if (x->cur_status >= 300 && x->cur_status <= 399 && x->location) {
		x->hops++;
		if (x->cur_status == 301 || x->cur_status == 308)
			x->last_permanent = x->cur_status;
		else
			x->all_permanent = 0;
	}
	x->cur_status = status;
	set_str(&x->location, NULL);
	set_str(&r->etag_out, NULL);
	set_str(&r->last_modified_out, NULL);
	set_str(&r->content_type, NULL);
	set_str(&r->content_location, NULL);
	r->retry_after = 0;
	x->enc = ENC_NONE;
}

/*
 * We decode gzip and deflate ourselves (see sink_inflate) and ask for
 * nothing else: libcurl 7.88 keeps decoding into an unbounded buffer while
 * a transfer is paused, and brotli or zstd expand far more per input byte.
 */
static void
hdr_encoding(struct xfer *x, const char *v, size_t n)
{
	char *e = hdr_value(v, n);

	if (*e == '\0' || strcasecmp(e, "identity") == 0)
		x->enc = ENC_NONE;
	else if (strcasecmp(e, "gzip") == 0 || strcasecmp(e, "x-gzip") == 0 ||
	    strcasecmp(e, "deflate") == 0)
		x->enc = ENC_ZLIB;
	else {
		x->enc = ENC_BAD;
		snprintf(x->enc_name, sizeof(x->enc_name), "%s", e);
	}
	free(e);
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
static long
parse_retry_after(const char *v)
{
	long long s = 0;
	time_t when, now;
	const char *p;

	if (isdigit((unsigned char)*v)) {
		for (p = v; isdigit((unsigned char)*p); p++)
			if ((s = s * 10 + (*p - '0')) > FETCH_RETRY_AFTER_MAX)
				s = FETCH_RETRY_AFTER_MAX;
		return *p == '\0' ? (long)s : 0;
	}
	if ((when = curl_getdate(v, NULL)) == -1)
		return 0;
	now = time(NULL);
	if (when <= now)
		return 1;	/* "now": still a signal to back off a little */
	if (when - now > FETCH_RETRY_AFTER_MAX)
		return FETCH_RETRY_AFTER_MAX;
	return (long)(when - now);
}

static int
hdr_is(const char *line, size_t n, const char *name, const char **val,
    size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return 0;
	*val = line + k + 1;
	*vlen = n - k - 1;
	return 1;
}

static size_t
cb_header(char *line, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	struct fetch_req *r = x->req;
	size_t n = size * nmemb, len = n, vlen;
	const char *v;
	char *s;
	long st;

	if (n > LIM_HTTP_HEADER - x->hdr_bytes) {
		x->hdr_too_large = 1;
		return 0;
	}
	x->hdr_bytes += n;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		v = memchr(line, ' ', len);
		st = 0;
		while (v != NULL && v < line + len && *v == ' ')
			v++;
		while (v != NULL && v < line + len && isdigit((unsigned char)*v)
		    && st < 1000)
			st = st * 10 + (*v++ - '0');
		if (st < 100 || st > 199)	/* 1xx: the real one follows */
			hdr_new_response(x, st);
		return n;
	}
	if (hdr_is(line, len, "etag", &v, &vlen))
		set_str(&r->etag_out, hdr_value(v, vlen));
	else if (hdr_is(line, len, "last-modified", &v, &vlen))
		set_str(&r->last_modified_out, hdr_value(v, vlen));
	else if (hdr_is(line, len, "content-type", &v, &vlen))
		set_str(&r->content_type, hdr_value(v, vlen));
	else if (hdr_is(line, len, "content-encoding", &v, &vlen))
		hdr_encoding(x, v, vlen);
	else if (hdr_is(line, len, "content-location", &v, &vlen))
		set_str(&r->content_location, hdr_value(v, vlen));
	else if (hdr_is(line, len, "location", &v, &vlen))
		set_str(&x->location, hdr_value(v, vlen));
	else if (hdr_is(line, len, "retry-after", &v, &vlen)) {
		s = hdr_value(v, vlen);
		r->retry_after = parse_retry_after(s);
		free(s);
	}
	return n;
}

/* --- setting up a transfer ---------------------------------------------- */

/*
 * A validator (or any header value we are given) goes out verbatim, but
 * never one that could split a header.
 */
static int
validator_ok(const char *v)
{
	size_t n = 0;

	for (; v[n]; n++)
		if ((unsigned char)v[n] < 0x20 || v[n] == 0x7f)
			return 0;
	return n > 0 && n <= FETCH_VALIDATOR_MAX;
}

/* An http-header line: one line, at most FETCH_HEADER_MAX bytes (a cookie
 * may be longer than any validator). */
static int
header_ok(const char *v)
{
	size_t n = 0;

	for (; v[n]; n++)
		if (((unsigned char)v[n] < 0x20 && v[n] != '\t') ||
		    v[n] == 0x7f)
			return 0;
	return n > 0 && n <= FETCH_HEADER_MAX;
}

static void
add_header(struct xfer *x, const char *name, const char *value)
{
	struct curl_slist *l;
	struct buf b = BUF_INIT(0);

	buf_printf(&b, "%s: %s", name, value);
	if ((l = curl_slist_append(x->headers, b.data)) == NULL)
		abort();
	x->headers = l;
	buf_free(&b);
}

/* scheme://host:port of an http(s) URL, or NULL with err set. */
static char *
url_hostkey(const char *url, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *key = NULL, *c;
	struct buf b = BUF_INIT(0);
	CURLUcode uc;

	if ((u = curl_url()) == NULL)
		abort();
	if ((uc = curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) !=
	    CURLUE_OK) {
		errf(err, errlen, "invalid URL (%s)", curl_url_strerror(uc));
		goto out;
	}
	buf_printf(&b, "%s://%s:%s", scheme, host, port);
	for (c = b.data; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	key = buf_steal(&b);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	buf_free(&b);
	return key;
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	if (x->z_init)
		inflateEnd(&x->z);
	free(x->hostkey);
	free(x->location);
	free(x);
}

#define SETOPT(opt, val) do {						\
	if ((rc = curl_easy_setopt(e, opt, val)) != CURLE_OK) {		\
		errf(r->err, sizeof(r->err), "curl option %s: %s", #opt, \
		    curl_easy_strerror(rc));				\
		return -1;						\
	}								\
} while (0)

static int
xfer_setup(struct xfer *x)
{
	struct fetch_req *r = x->req;
	const struct fetch_opts *o = x->opts;
	CURL *e = x->easy;
	struct curl_slist *l;
	CURLcode rc;
	size_t i;
	int own_accept = 0;

	SETOPT(CURLOPT_URL, r->url);
	SETOPT(CURLOPT_PRIVATE, x);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, (long)LIM_REDIRECTS);
	SETOPT(CURLOPT_CONNECTTIMEOUT, r->connect_timeout > 0 ?
	    r->connect_timeout : (long)LIM_CONNECT_TIMEOUT);
	SETOPT(CURLOPT_TIMEOUT, r->timeout > 0 ? r->timeout :
	    (long)LIM_TOTAL_TIMEOUT);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, r->low_speed_bytes > 0 ?
	    r->low_speed_bytes : (long)LIM_LOW_SPEED_BYTES);
	SETOPT(CURLOPT_LOW_SPEED_TIME, r->low_speed_time > 0 ?
	    r->low_speed_time : (long)LIM_LOW_SPEED_TIME);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_size);
	/* decoded in sink_inflate, under the caps; see hdr_encoding */
	SETOPT(CURLOPT_HTTP_CONTENT_DECODING, 0L);
	add_header(x, "Accept-Encoding", "gzip, deflate");
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/*
	 * Wait for a connection that might multiplex only where HTTP/2 can
	 * be negotiated (ALPN): over plain http, libcurl would hold every
	 * other transfer to the host until the first one ends, and one
	 * trickling feed would stall its neighbours.
	 */
	SETOPT(CURLOPT_PIPEWAIT, strncasecmp(r->url, "https:", 6) == 0 ?
	    1L : 0L);
	SETOPT(CURLOPT_USERAGENT, r->user_agent &&
	    validator_ok(r->user_agent) ? r->user_agent : FETCH_DEFAULT_UA);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		SETOPT(CURLOPT_CAINFO, o->ca_file);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_WRITEFUNCTION, cb_write);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_HEADERFUNCTION, cb_header);
	SETOPT(CURLOPT_HEADERDATA, x);
	SETOPT(CURLOPT_OPENSOCKETFUNCTION, cb_opensocket);
	SETOPT(CURLOPT_OPENSOCKETDATA, x);
	SETOPT(CURLOPT_PREREQFUNCTION, cb_prereq);
	SETOPT(CURLOPT_PREREQDATA, x);
	/* "" rather than unset: libcurl would otherwise read http_proxy */
	if (o->proxy != NULL)
		SETOPT(CURLOPT_PROXY, o->proxy);
	else if (!o->proxy_env)
		SETOPT(CURLOPT_PROXY, "");
	if (r->http_user != NULL) {
		SETOPT(CURLOPT_USERNAME, r->http_user);
		SETOPT(CURLOPT_PASSWORD, r->http_password ?
		    r->http_password : "");
		SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	for (i = 0; i < r->nheaders; i++) {
		if (!header_ok(r->headers[i]))
			continue;
		if (strncasecmp(r->headers[i], "Accept:", 7) == 0)
			own_accept = 1;
		if ((l = curl_slist_append(x->headers, r->headers[i])) == NULL)
			abort();
		x->headers = l;
	}
	if (!own_accept)
		add_header(x, "Accept", r->accept && validator_ok(r->accept) ?
		    r->accept : FETCH_DEFAULT_ACCEPT);
	if (r->etag != NULL && validator_ok(r->etag))
		add_header(x, "If-None-Match", r->etag);
	if (r->last_modified != NULL && validator_ok(r->last_modified))
		add_header(x, "If-Modified-Since", r->last_modified);
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	return 0;
}

#undef SETOPT

/* --- local files -------------------------------------------------------- */

/* "scheme" when url starts with scheme://, else NULL (a plain path). */
static int
url_scheme(const char *url, char *out, size_t outlen)
{
	size_t i = 0;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[i]) || url[i] == '+' ||
	    url[i] == '-' || url[i] == '.')
		i++;
	if (strncmp(url + i, "://", 3) != 0 || i >= outlen)
		return 0;
	for (size_t k = 0; k < i; k++)
		out[k] = (char)tolower((unsigned char)url[k]);
	out[i] = '\0';
	return 1;
}

/* The path of a file:// URL (decoded), or NULL for another host. */
static char *
file_url_path(const char *url)
{
	CURLU *u;
	char *host = NULL, *path = NULL, *res = NULL;

	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    host[0] != '\0' && strcasecmp(host, "localhost") != 0)
		goto out;
	if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) !=
	    CURLUE_OK || strlen(path) == 0)
		goto out;
	res = xstrdup(path);
out:
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	return res;
}

static void
fetch_local(struct fetch_req *r, size_t max)
{
	char scheme[16], *path;
	int is_url = url_scheme(r->url, scheme, sizeof(scheme));

	if (!r->allow_local) {
		errf(r->err, sizeof(r->err),
		    "local files are allowed only when configured");
		return;
	}
	if (is_url) {
		if ((path = file_url_path(r->url)) == NULL) {
			errf(r->err, sizeof(r->err), "invalid file:// URL");
			return;
		}
	} else
		path = fs_expand_path(r->url);
	if (fs_read_file(path, max, &r->body, r->err, sizeof(r->err)) == 0) {
		r->result = FETCH_OK;
		r->effective_url = xstrdup(r->url);
	} else
		buf_free(&r->body);
	free(path);
}

/* --- completion --------------------------------------------------------- */

static void
err_connect(struct xfer *x, const char *what)
{
	struct fetch_req *r = x->req;
	char *url = NULL, *key;
	const char *hp;
	long oserr = 0;

	char host[256], pbuf[300];
	unsigned port;

	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
	key = url_hostkey(url ? url : r->url, NULL, 0);
	/* "http://host:port" -> "host:port" */
	hp = key ? strstr(key, "://") + 3 : "server";
	/* libcurl names what it tried to reach: through a proxy, the proxy */
	if (sscanf(x->errbuf, "Failed to connect to %255s port %u", host,
	    &port) == 2) {
		snprintf(pbuf, sizeof(pbuf), strchr(host, ':') ? "[%s]:%u" :
		    "%s:%u", host, port);
		hp = pbuf;
	}
	if (what != NULL)
		errf(r->err, sizeof(r->err), "connect to %s: %s", hp, what);
	else if (oserr != 0)
		errf(r->err, sizeof(r->err), "connect to %s: %s", hp,
		    strerror((int)oserr));
	else
		errf(r->err, sizeof(r->err), "connect to %s: %s", hp,
		    x->errbuf[0] ? x->errbuf : "failed");
	free(key);
}

static void
err_timeout(struct xfer *x)
{
	struct fetch_req *r = x->req;
	long connect_to, total_to, conn = 0;
	double t = 0;

	connect_to = r->connect_timeout > 0 ? r->connect_timeout :
	    LIM_CONNECT_TIMEOUT;
	total_to = r->timeout > 0 ? r->timeout : LIM_TOTAL_TIMEOUT;
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &t);
	curl_easy_getinfo(x->easy, CURLINFO_HTTP_CONNECTCODE, &conn);
	if (strncmp(x->errbuf, "Operation too slow", 18) == 0)
		errf(r->err, sizeof(r->err),
		    "too slow (under %ld bytes/s for %ld s)",
		    r->low_speed_bytes > 0 ? r->low_speed_bytes :
		    (long)LIM_LOW_SPEED_BYTES,
		    r->low_speed_time > 0 ? r->low_speed_time :
		    (long)LIM_LOW_SPEED_TIME);
	else if (strncmp(x->errbuf, "Connection timed out", 20) == 0 ||
	    strncmp(x->errbuf, "Failed to connect", 17) == 0) {
		char what[64];

		snprintf(what, sizeof(what), "timed out after %ld s",
		    connect_to);
		err_connect(x, what);
	} else
		errf(r->err, sizeof(r->err), "timed out after %ld s",
		    total_to);
}

static void
set_result_from_status(struct xfer *x)
{
	struct fetch_req *r = x->req;

	if (r->status >= 200 && r->status <= 299)
		r->result = FETCH_OK;
	else if (r->status == 304)
		r->result = FETCH_NOT_MODIFIED;
	else if (r->status == 410)
		r->result = FETCH_GONE;
	else {
		r->result = FETCH_ERROR;
		if (r->status >= 300 && r->status <= 399 && x->location == NULL)
			errf(r->err, sizeof(r->err),
			    "HTTP %ld without Location", r->status);
		else
			errf(r->err, sizeof(r->err), "HTTP %ld", r->status);
	}
	if (r->status != 429 && r->status != 503)
		r->retry_after = 0;
	if (r->result != FETCH_OK)
		buf_free(&r->body);
}

/* A redirect libcurl refused for its scheme: name it from our Location. */
static void
err_redirect_scheme(struct xfer *x)
{
	struct fetch_req *r = x->req;
	char scheme[32];
	const char *loc = x->location;

	if (loc != NULL && url_scheme(loc, scheme, sizeof(scheme)))
		errf(r->err, sizeof(r->err), "redirect to %s:// refused",
		    scheme);
	else if (loc != NULL && strchr(loc, ':') != NULL &&
	    strchr(loc, ':') < loc + 20 && strchr(loc, '/') != loc)
		errf(r->err, sizeof(r->err), "redirect to %.*s: refused",
		    (int)(strchr(loc, ':') - loc), loc);
	else
		errf(r->err, sizeof(r->err), "redirect refused: %s",
		    x->errbuf[0] ? x->errbuf : "unsupported protocol");
}

/* Error text is one line, whatever a server or libcurl put in it. */
static void
err_oneline(char *err)
{
	for (; *err; err++)
		if ((unsigned char)*err < 0x20 || *err == 0x7f)
			*err = ' ';
}

static void
xfer_result(struct xfer *x, CURLcode rc);

static void
xfer_finish(struct xfer *x, CURLcode rc)
{
	struct fetch_req *r = x->req;

	xfer_result(x, rc);
	if (r->result == FETCH_ERROR && r->err[0] == '\0')
		errf(r->err, sizeof(r->err), "%s", curl_easy_strerror(rc));
	err_oneline(r->err);
}

static void
xfer_result(struct xfer *x, CURLcode rc)
{
	struct fetch_req *r = x->req;
	char *url = NULL;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url) ==
	    CURLE_OK && url != NULL)
		r->effective_url = xstrdup(url);
	r->status = status;
	r->peer_private = x->peer_private;
	if (rc == CURLE_WRITE_ERROR && x->skip_body && !x->too_large)
		rc = CURLE_OK;
	if (rc != CURLE_OK)
		buf_free(&r->body);
	if (x->refused) {
		errf(r->err, sizeof(r->err), "refused to connect to private "
		    "address %s (allow-private is off)", x->refused_ip);
		return;
	}
	/* our caps first: libcurl reports them as whatever it saw */
	if (x->hdr_too_large) {
		errf(r->err, sizeof(r->err), "response headers too large "
		    "(over %u bytes)", (unsigned)LIM_HTTP_HEADER);
		return;
	}
	if (x->too_large) {
		errf(r->err, sizeof(r->err), "feed too large (over %zu bytes)",
		    x->max_size);
		return;
	}
	if (x->enc == ENC_BAD && rc == CURLE_WRITE_ERROR) {
		errf(r->err, sizeof(r->err), "unsupported content encoding %s",
		    x->enc_name);
		return;
	}
	if (x->z_err[0]) {
		errf(r->err, sizeof(r->err), "invalid compressed body (%s)",
		    x->z_err);
		return;
	}
	if (rc == CURLE_OK && x->z_init && !x->z_end && status >= 200 &&
	    status <= 299) {
		errf(r->err, sizeof(r->err),
		    "invalid compressed body (truncated)");
		buf_free(&r->body);
		return;
	}
	switch (rc) {
	case CURLE_OK:
		set_result_from_status(x);
		break;
	case CURLE_FILESIZE_EXCEEDED:	/* a Content-Length over the cap */
		errf(r->err, sizeof(r->err), "feed too large (over %zu bytes)",
		    x->max_size);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		errf(r->err, sizeof(r->err), "too many redirects (over %d)",
		    LIM_REDIRECTS);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		if (x->hops > 0 || x->location != NULL)
			err_redirect_scheme(x);
		else if (strstr(x->errbuf, "HTTP/0.9") != NULL)
			errf(r->err, sizeof(r->err),
			    "invalid HTTP response (no status line)");
		else
			errf(r->err, sizeof(r->err), "%s", x->errbuf);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		err_timeout(x);
		break;
	case CURLE_COULDNT_CONNECT:
		err_connect(x, NULL);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		errf(r->err, sizeof(r->err), "%s", x->errbuf[0] ? x->errbuf :
		    "could not resolve host");
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		errf(r->err, sizeof(r->err), "invalid compressed body (%s)",
		    x->errbuf[0] ? x->errbuf : "bad content encoding");
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		errf(r->err, sizeof(r->err), "invalid HTTP response (%s)",
		    x->errbuf[0] ? x->errbuf : "weird server reply");
		break;
	case CURLE_OUT_OF_MEMORY:
		/*
		 * libcurl refuses one header line over 100 KiB with this code
		 * (and no text), before our header callback sees it.
		 */
		if (x->cur_status != 0 || strstr(x->errbuf, "header") != NULL) {
			errf(r->err, sizeof(r->err), "response headers too "
			    "large (over %u bytes)", (unsigned)LIM_HTTP_HEADER);
			break;
		}
		/* FALLTHROUGH */
	default:
		if (rc == CURLE_SSL_CONNECT_ERROR ||
		    rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE) {
			char *c;

			/* GnuTLS appends "CAfile: ... CRLfile: ...": noise */
			if ((c = strstr(x->errbuf, ". CAfile:")) != NULL)
				*c = '\0';
			errf(r->err, sizeof(r->err), "TLS: %s",
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		}
		else
			errf(r->err, sizeof(r->err), "%s", x->errbuf[0] ?
			    x->errbuf : curl_easy_strerror(rc));
		break;
	}
	if ((r->result == FETCH_OK || r->result == FETCH_NOT_MODIFIED) &&
	    x->hops > 0 && x->all_permanent)
		r->redirect_status = x->last_permanent;
}

/* --- the loop ----------------------------------------------------------- */

/* A request added and not yet started. */
struct item {
	struct fetch_req	*req;
	fetch_done_fn		*done;
	void			*ctx;
	char			*key;		/* host key, once known */
};

/* Requests of one lane waiting for room, in the order they were added. */
struct queue {
	struct item		*v;
	size_t			 n, cap;
	int			 active;	/* in flight */
	int			 max;		/* at once */
	int			 held;		/* start none (fetch_loop_hold) */
};

struct fetch_loop {
	CURLM			*multi;
	struct fetch_opts	 opts;
	struct queue		 lane[FETCH_LANES];
	struct xfer		*xfers;		/* active transfers */
	struct budget		 budget;
	struct slot		*hosts;		/* hosts with transfers */
	size_t			 nhosts;
	int			 active;
	int			 per_host;
	int			 filling;	/* inside fill() */
	char			 expired[64];	/* the run deadline passed:
						 * why every request ends */
};

static struct slot *
host_slot(struct fetch_loop *l, const char *key, int create)
{
	size_t i;

	for (i = 0; i < l->nhosts; i++)
		if (strcmp(l->hosts[i].hostkey, key) == 0)
			return &l->hosts[i];
	if (!create)
		return NULL;
	l->hosts = xrealloc(l->hosts, (l->nhosts + 1) * sizeof(*l->hosts));
	l->hosts[l->nhosts].hostkey = xstrdup(key);
	l->hosts[l->nhosts].active = 0;
	return &l->hosts[l->nhosts++];
}

static void
host_release(struct fetch_loop *l, const char *key)
{
	struct slot *s = host_slot(l, key, 0);

	if (s == NULL || --s->active > 0)
		return;
	free(s->hostkey);
	*s = l->hosts[--l->nhosts];
}

static void
complete(fetch_done_fn *done, void *ctx, struct fetch_req *r)
{
	done(r, ctx);
	fetch_req_clear(r);
}

/*
 * Start item it: 1 when it is in flight, 0 when it finished at once
 * (an early error; done() was called).  Takes its key.
 */
static int
start_one(struct fetch_loop *l, struct item *it, int lane)
{
	struct fetch_req *r = it->req;
	struct xfer *x;
	size_t max = r->max_size ? r->max_size : LIM_FEED_SIZE;
	CURLMcode mc;

	x = xcalloc(1, sizeof(*x));
	x->req = r;
	x->done = it->done;
	x->ctx = it->ctx;
	x->lane = lane;
	x->opts = &l->opts;
	x->budget = &l->budget;
	x->max_size = max;
	x->all_permanent = 1;
	x->hostkey = it->key;
	it->key = NULL;
	if ((x->easy = curl_easy_init()) == NULL) {
		errf(r->err, sizeof(r->err), "curl_easy_init failed");
		goto fail;
	}
	if (xfer_setup(x) == -1)
		goto fail;
	if ((mc = curl_multi_add_handle(l->multi, x->easy)) != CURLM_OK) {
		errf(r->err, sizeof(r->err), "curl_multi_add_handle: %s",
		    curl_multi_strerror(mc));
		goto fail;
	}
	host_slot(l, x->hostkey, 1)->active++;
	l->active++;
	l->lane[lane].active++;
	x->next = l->xfers;
	if (l->xfers != NULL)
		l->xfers->prev = x;
	l->xfers = x;
	return 1;
fail:
	complete(x->done, x->ctx, r);
	xfer_free(x);
	return 0;
}

/*
 * Classify item it: start it, finish it at once (local file, bad URL, the
 * run deadline passed), or leave it waiting for its host (0).  The host
 * key is computed once.
 */
static int
try_start(struct fetch_loop *l, struct item *it, int lane)
{
	struct fetch_req *r = it->req;
	struct slot *s;
	char scheme[16];
	size_t max = r->max_size ? r->max_size : LIM_FEED_SIZE;

	if (l->expired[0]) {
		req_begin(r, 0);
		errf(r->err, sizeof(r->err), "%s", l->expired);
		goto done;
	}
	if (it->key == NULL) {
		req_begin(r, max);
		if (r->url == NULL) {
			errf(r->err, sizeof(r->err), "no URL");
			goto done;
		}
		if (!url_scheme(r->url, scheme, sizeof(scheme)) ||
		    strcmp(scheme, "file") == 0) {
			fetch_local(r, max);
			goto done;
		}
		if (strcmp(scheme, "http") != 0 &&
		    strcmp(scheme, "https") != 0) {
			errf(r->err, sizeof(r->err),
			    "unsupported URL scheme %s://", scheme);
			goto done;
		}
		if ((it->key = url_hostkey(r->url, r->err,
		    sizeof(r->err))) == NULL)
			goto done;
	}
	s = host_slot(l, it->key, 0);
	if (s != NULL && s->active >= l->per_host)
		return 0;
	start_one(l, it, lane);
	return 1;
done:
	complete(it->done, it->ctx, r);
	return 1;
}

/*
 * Start waiting requests while their lane has room, keeping their order,
 * in one pass over each queue (a request whose host is busy stays in its
 * place).  A done() called from here may add requests (they follow the
 * pass's) or cancel one still waiting (fetch_loop_cancel leaves a hole
 * while l->filling, dropped here).
 */
static void
fill(struct fetch_loop *l)
{
	struct queue *q;
	struct item it;
	size_t i, n0, keep, lane;

	l->filling++;
	/* images first: a feed waiting for its images holds memory, and an
	 * image shares its host's slots with the feeds there */
	for (lane = FETCH_LANES; lane-- > 0; ) {
		q = &l->lane[lane];
		if (q->held || q->n == 0)
			continue;
		n0 = q->n;
		for (i = keep = 0; i < n0 && q->active < q->max; i++) {
			it = q->v[i];
			if (it.req == NULL)
				continue;		/* cancelled */
			if (!try_start(l, &it, (int)lane))
				q->v[keep++] = it;	/* with its key */
		}
		/* the lane is full: the rest stays as it is */
		if (keep < i)
			memmove(q->v + keep, q->v + i, (q->n - i) *
			    sizeof(*q->v));
		q->n -= i - keep;
	}
	l->filling--;
}

/* Take x out of the loop; the caller completes and frees it. */
static void
unlink_xfer(struct fetch_loop *l, struct xfer *x)
{
	struct xfer *y;

	curl_multi_remove_handle(l->multi, x->easy);
	host_release(l, x->hostkey);
	l->active--;
	l->lane[x->lane].active--;
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		l->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
	if (!x->big)
		return;
	x->big = 0;
	l->budget.big_active--;
	/* hand the slot on: the oldest paused transfer goes first */
	for (y = l->xfers; y != NULL && y->next != NULL; y = y->next)
		;
	for (; y != NULL; y = y->prev) {
		if (!y->paused ||
		    l->budget.big_active >= l->budget.big_max)
			continue;
		y->paused = 0;
		y->big = 1;
		l->budget.big_active++;
		curl_easy_pause(y->easy, CURLPAUSE_CONT);
	}
}

/* End transfer x with why (it is in flight). */
static void
end_xfer(struct fetch_loop *l, struct xfer *x, const char *why)
{
	unlink_xfer(l, x);
	buf_free(&x->req->body);
	x->req->result = FETCH_ERROR;
	errf(x->req->err, sizeof(x->req->err), "%s", why);
	complete(x->done, x->ctx, x->req);
	xfer_free(x);
}

/* End waiting item it with why (it is out of its queue). */
static void
end_item(struct item *it, const char *why)
{
	free(it->key);
	req_begin(it->req, 0);
	errf(it->req->err, sizeof(it->req->err), "%s", why);
	complete(it->done, it->ctx, it->req);
}

/* Every request not yet done ends with why; the ones done() adds too. */
static void
abandon(struct fetch_loop *l, const char *why)
{
	struct queue *q;
	struct item it;
	size_t lane;

	snprintf(l->expired, sizeof(l->expired), "%s", why);
	while (l->xfers != NULL)
		end_xfer(l, l->xfers, why);
	for (lane = 0; lane < FETCH_LANES; lane++) {
		q = &l->lane[lane];
		while (q->n > 0) {
			it = q->v[0];
			memmove(q->v, q->v + 1, --q->n * sizeof(*q->v));
			if (it.req != NULL)	/* else a cancelled one */
				end_item(&it, why);
		}
	}
}

/* Finish what libcurl says is done; returns how many. */
static int
reap(struct fetch_loop *l)
{
	struct xfer *x;
	CURLMsg *m;
	int left, nd = 0;

	while ((m = curl_multi_info_read(l->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		if (x == NULL)
			continue;
		xfer_finish(x, m->data.result);
		unlink_xfer(l, x);
		complete(x->done, x->ctx, x->req);
		xfer_free(x);
		nd++;
	}
	return nd;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fetch_loop *
fetch_loop_new(const struct fetch_opts *opts, char *err, size_t errlen)
{
	struct fetch_loop *l = xcalloc(1, sizeof(*l));
	int conc, img;

	if (opts != NULL)
		l->opts = *opts;
	conc = l->opts.concurrency > 0 ? l->opts.concurrency :
	    FETCH_CONCURRENCY;
	img = l->opts.image_concurrency > 0 ? l->opts.image_concurrency :
	    conc * FETCH_IMAGE_FACTOR;
	if (img > FETCH_IMAGE_MAX)
		img = FETCH_IMAGE_MAX;
	l->lane[FETCH_LANE_FEED].max = conc;
	l->lane[FETCH_LANE_IMAGE].max = img;
	l->per_host = l->opts.per_host > 0 ? l->opts.per_host :
	    FETCH_PER_HOST;
	l->budget.big_max = l->opts.big_slots > 0 ? l->opts.big_slots :
	    FETCH_BIG_SLOTS;
	if ((l->multi = curl_multi_init()) == NULL) {
		errf(err, errlen, "curl_multi_init failed");
		goto fail;
	}
	if (curl_multi_setopt(l->multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)l->per_host) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)(conc + img)) != CURLM_OK) {
		errf(err, errlen, "curl_multi_setopt failed");
		goto fail;
	}
	return l;
fail:
	fetch_loop_free(l);
	return NULL;
}

void
fetch_loop_add(struct fetch_loop *l, struct fetch_req *r,
    fetch_done_fn *done, void *ctx)
{
	struct queue *q = &l->lane[r->lane == FETCH_LANE_IMAGE ?
	    FETCH_LANE_IMAGE : FETCH_LANE_FEED];

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
	}
	q->v[q->n].req = r;
	q->v[q->n].done = done;
	q->v[q->n].ctx = ctx;
	q->v[q->n].key = NULL;
	q->n++;
}

int
fetch_loop_cancel(struct fetch_loop *l, struct fetch_req *r,
    const char *why)
{
	struct queue *q;
	struct xfer *x;
	struct item it;
	size_t lane, i;

	for (x = l->xfers; x != NULL; x = x->next)
		if (x->req == r) {
			end_xfer(l, x, why);
			return 1;
		}
	for (lane = 0; lane < FETCH_LANES; lane++) {
		q = &l->lane[lane];
		for (i = 0; i < q->n; i++) {
			if (q->v[i].req != r)
				continue;
			it = q->v[i];
			if (l->filling)		/* fill() drops the hole */
				q->v[i].req = NULL;
			else {
				memmove(q->v + i, q->v + i + 1,
				    (q->n - i - 1) * sizeof(*q->v));
				q->n--;
			}
			end_item(&it, why);
			return 1;
		}
	}
	return 0;
}

void
fetch_loop_hold(struct fetch_loop *l, int lane, int hold)
{
	if (lane >= 0 && lane < FETCH_LANES)
		l->lane[lane].held = hold;
}

/* Requests added and not done yet. */
static size_t
pending(const struct fetch_loop *l)
{
	return (size_t)l->active + l->lane[FETCH_LANE_FEED].n +
	    l->lane[FETCH_LANE_IMAGE].n;
}

int
fetch_loop_run(struct fetch_loop *l, fetch_tick_fn *tick, void *ctx,
    char *err, size_t errlen)
{
	struct curl_waitfd wfd[FETCH_WATCH_MAX];
	int fds[FETCH_WATCH_MAX];
	long long start = now_ms();
	size_t i, nfds;
	long want;
	CURLMcode mc;
	int running, wait, r = -1;

	fill(l);
	for (;;) {
		if (l->opts.deadline > 0 && !l->expired[0] &&
		    now_ms() - start >= l->opts.deadline * 1000) {
			char why[64];

			snprintf(why, sizeof(why), "run time limit reached "
			    "(%ld s)", l->opts.deadline);
			abandon(l, why);
		}
		if (l->active > 0 && (mc = curl_multi_perform(l->multi,
		    &running)) != CURLM_OK) {
			errf(err, errlen, "curl_multi_perform: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
		/* a finished transfer makes room (for its host, too) */
		reap(l);
		fill(l);
		nfds = 0;
		want = tick ? tick(ctx, fds, &nfds) : -1;
		if (nfds > FETCH_WATCH_MAX)
			nfds = FETCH_WATCH_MAX;
		fill(l);		/* what tick added */
		if (pending(l) == 0 && want < 0)
			break;
		/* wake at least every 250 ms, for the run deadline */
		wait = want >= 0 && want < 250 ? (int)want : 250;
		for (i = 0; i < nfds; i++) {
			wfd[i].fd = fds[i];
			wfd[i].events = CURL_WAIT_POLLIN;
			wfd[i].revents = 0;
		}
		if ((mc = curl_multi_poll(l->multi, nfds ? wfd : NULL,
		    (unsigned)nfds, wait, NULL)) != CURLM_OK) {
			errf(err, errlen, "curl_multi_poll: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
	}
	r = 0;
out:
	/* on a loop failure, whatever is still in flight ends as an error */
	if (r == -1)
		abandon(l, err != NULL && err[0] ? err : "fetch loop failed");
	return r;
}

void
fetch_loop_free(struct fetch_loop *l)
{
	size_t i, lane;

	if (l == NULL)
		return;
	if (l->xfers != NULL || l->lane[0].n || l->lane[1].n)
		abandon(l, "fetch loop freed");
	for (lane = 0; lane < FETCH_LANES; lane++)
		free(l->lane[lane].v);
	for (i = 0; i < l->nhosts; i++)
		free(l->hosts[i].hostkey);
	free(l->hosts);
	if (l->multi != NULL)
		curl_multi_cleanup(l->multi);
	free(l);
}

int
fetch_run(struct fetch_req *reqs, size_t n, const struct fetch_opts *opts,
    fetch_done_fn *done, void *ctx, char *err, size_t errlen)
{
	struct fetch_loop *l;
	size_t i;
	int r;

	if ((l = fetch_loop_new(opts, err, errlen)) == NULL) {
		for (i = 0; i < n; i++) {
			req_begin(&reqs[i], 0);
			errf(reqs[i].err, sizeof(reqs[i].err), "%s",
			    err != NULL && err[0] ? err : "fetch loop failed");
			complete(done, ctx, &reqs[i]);
		}
		return -1;
	}
	for (i = 0; i < n; i++)
		fetch_loop_add(l, &reqs[i], done, ctx);
	r = fetch_loop_run(l, NULL, NULL, err, errlen);
	fetch_loop_free(l);
	return r;
}
