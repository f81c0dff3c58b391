/*
 * test_fetch.c - fetch.c's own rules, without a network: the
 * private-address table, Retry-After, which validators may be sent back,
 * the per-host key, local paths and file:// URLs, the response-header
 * parser (redirect hops, validators, the header cap); then fetch_run's
 * contract (fetch.h) on local files, refused schemes and URLs, and the
 * private-address guard, which refuses before any connection is made;
 * and fetch_loop's: requests added while it runs, cancelled, its tick.
 *
 * The rules are file-local functions, so this file includes fetch.c
 * itself: it then defines fetch.h's functions and the library's fetch.o
 * is never linked.  HTTP itself is tested against real loopback servers
 * by tests/integration/test_fetch*.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fetch.c"

int main(void);

/* --- the private-address rule ------------------------------------------- */

static const struct {
	const char	*ip;
	int		 private;
} addrs[] = {
	{ "8.8.8.8", 0 },
	{ "0.1.2.3", 1 },		/* "this network" */
	{ "9.255.255.255", 0 },
	{ "10.0.0.1", 1 },
	{ "11.0.0.0", 0 },
	{ "100.63.255.255", 0 },
	{ "100.64.0.1", 1 },		/* CGNAT 100.64/10 */
	{ "100.127.255.255", 1 },
	{ "100.128.0.0", 0 },
	{ "127.0.0.1", 1 },
	{ "127.255.255.254", 1 },
	{ "169.254.169.254", 1 },	/* link-local (cloud metadata) */
	{ "169.255.0.1", 0 },
	{ "172.15.255.255", 0 },
	{ "172.16.0.1", 1 },
	{ "172.31.255.255", 1 },
	{ "172.32.0.0", 0 },
	{ "192.167.255.255", 0 },
	{ "192.168.1.1", 1 },
	{ "192.169.0.1", 0 },
	{ "223.255.255.255", 0 },
	{ "224.0.0.1", 1 },		/* multicast */
	{ "255.255.255.255", 1 },
	{ "::", 1 },
	{ "::1", 1 },
	{ "2001:db8::1", 0 },
	{ "2a00:1450::1", 0 },
	{ "fc00::1", 1 },		/* unique-local fc00::/7 */
	{ "fdff:ffff::1", 1 },
	{ "fe80::1", 1 },		/* link-local fe80::/10 */
	{ "febf::1", 1 },
	{ "fec0::1", 0 },
	{ "ff02::1", 1 },		/* multicast */
	{ "::ffff:10.0.0.1", 1 },	/* IPv4-mapped: by the IPv4 part */
	{ "::ffff:8.8.8.8", 0 },
	{ "64:ff9b::127.0.0.1", 1 },	/* NAT64: by the IPv4 part */
	{ "64:ff9b::8.8.8.8", 0 },
	{ "", 1 },			/* not an address: careful */
	{ "example.org", 1 },
	{ "10.0.0.1.5", 1 },
};

static void
test_ip_private(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		if (ip_private(NULL, addrs[i].ip) != addrs[i].private)
			fail_msg("%s: expected %s", addrs[i].ip,
			    addrs[i].private ? "private" : "public");
}

/* tests may name loopback addresses the guard treats as public */
static void
test_ip_public_list(void **state)
{
	struct fetch_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.public_addrs = "127.0.0.2, 10.0.0.9,::1";
	assert_int_equal(ip_private(&o, "127.0.0.2"), 0);
	assert_int_equal(ip_private(&o, "10.0.0.9"), 0);
	assert_int_equal(ip_private(&o, "::1"), 0);
	assert_int_equal(ip_private(&o, "127.0.0.1"), 1);
	assert_int_equal(ip_private(&o, "127.0.0.20"), 1);	/* no prefix */
	assert_int_equal(ip_private(&o, "10.0.0.90"), 1);
	assert_int_equal(ip_private(&o, "127.0.0"), 1);
	assert_int_equal(ip_private(&o, "8.8.8.8"), 0);
}

/* --- Retry-After -------------------------------------------------------- */

static void
http_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	assert_non_null(gmtime_r(&t, &tm));
	assert_true(strftime(out, outlen, "%a, %d %b %Y %H:%M:%S GMT",
	    &tm) > 0);
}

static void
test_retry_after(void **state)
{
	char date[64];
	long s;

	(void)state;
	assert_int_equal(parse_retry_after("120"), 120);
	assert_int_equal(parse_retry_after("0"), 0);
	assert_int_equal(parse_retry_after("12x"), 0);
	assert_int_equal(parse_retry_after("-5"), 0);
	assert_int_equal(parse_retry_after(""), 0);
	assert_int_equal(parse_retry_after("soon"), 0);
	/* capped at 366 days, however many digits */
	assert_int_equal(parse_retry_after("31622400"), 31622400);
	assert_int_equal(parse_retry_after("31622401"), FETCH_RETRY_AFTER_MAX);
	assert_int_equal(parse_retry_after("99999999999999999999999999"),
	    FETCH_RETRY_AFTER_MAX);
	/* an HTTP-date: seconds from now; in the past: 1 */
	assert_int_equal(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
	    1);
	http_date(time(NULL) + 3600, date, sizeof(date));
	s = parse_retry_after(date);
	assert_in_range(s, 3590, 3600);
	http_date(time(NULL) + 400L * 24 * 3600, date, sizeof(date));
	assert_int_equal(parse_retry_after(date), FETCH_RETRY_AFTER_MAX);
}

/* --- what may go out in a header ---------------------------------------- */

static void
test_validator_ok(void **state)
{
	char v[FETCH_VALIDATOR_MAX + 2];

	(void)state;
	assert_true(validator_ok("\"abc\""));
	assert_true(validator_ok("W/\"x-1\""));
	assert_true(validator_ok("Wed, 21 Oct 2015 07:28:00 GMT"));
	assert_true(validator_ok("caf\xc3\xa9"));	/* 8-bit is verbatim */
	assert_false(validator_ok(""));
	assert_false(validator_ok("a\r\nX-Evil: 1"));
	assert_false(validator_ok("a\nb"));
	assert_false(validator_ok("a\tb"));
	assert_false(validator_ok("a\x7f"));
	memset(v, 'e', sizeof(v));
	v[FETCH_VALIDATOR_MAX] = '\0';
	assert_true(validator_ok(v));
	v[FETCH_VALIDATOR_MAX] = 'e';
	v[FETCH_VALIDATOR_MAX + 1] = '\0';
	assert_false(validator_ok(v));
}

/* --- URLs --------------------------------------------------------------- */

static const struct {
	const char	*url;
	const char	*key;		/* NULL: refused */
} hostkeys[] = {
	{ "http://example.org/feed", "http://example.org:80" },
	{ "HTTPS://Example.ORG/x?y", "https://example.org:443" },
	{ "https://h.example:8443/", "https://h.example:8443" },
	{ "http://u:p@h/", "http://h:80" },
	{ "http://[::1]:8080/a", "http://[::1]:8080" },
	{ "http://", NULL },
	{ "http://exa mple.org/", NULL },
	{ "no scheme", NULL },
};

static void
test_url_hostkey(void **state)
{
	char err[ERRLEN], *k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hostkeys) / sizeof(hostkeys[0]); i++) {
		err[0] = '\0';
		k = url_hostkey(hostkeys[i].url, err, sizeof(err));
		if (hostkeys[i].key == NULL) {
			if (k != NULL)
				fail_msg("%s: accepted as %s", hostkeys[i].url,
				    k);
			if (strncmp(err, "invalid URL (", 13) != 0)
				fail_msg("%s: \"%s\"", hostkeys[i].url, err);
		} else if (k == NULL || strcmp(k, hostkeys[i].key) != 0)
			fail_msg("%s: %s, expected %s (%s)", hostkeys[i].url,
			    k ? k : "NULL", hostkeys[i].key, err);
		free(k);
	}
}

static void
test_url_scheme(void **state)
{
	char s[16], tiny[4];

	(void)state;
	assert_true(url_scheme("http://x/", s, sizeof(s)));
	assert_string_equal(s, "http");
	assert_true(url_scheme("FILE:///tmp/x", s, sizeof(s)));
	assert_string_equal(s, "file");
	assert_true(url_scheme("svn+ssh://h/", s, sizeof(s)));
	assert_string_equal(s, "svn+ssh");
	assert_false(url_scheme("/tmp/feed.xml", s, sizeof(s)));
	assert_false(url_scheme("feed.xml", s, sizeof(s)));
	assert_false(url_scheme("~/feeds/x.xml", s, sizeof(s)));
	assert_false(url_scheme("c:/x", s, sizeof(s)));
	assert_false(url_scheme("1http://x/", s, sizeof(s)));
	assert_false(url_scheme("https://x/", tiny, sizeof(tiny)));
}

static void
test_file_url_path(void **state)
{
	char *p;

	(void)state;
	p = file_url_path("file:///tmp/a%20b.xml");
	assert_non_null(p);
	assert_string_equal(p, "/tmp/a b.xml");
	free(p);
	p = file_url_path("file://localhost/srv/f.xml");
	assert_non_null(p);
	assert_string_equal(p, "/srv/f.xml");
	free(p);
	p = file_url_path("file://LOCALHOST/srv/f.xml");
	assert_non_null(p);
	free(p);
	assert_null(file_url_path("file://other.example/srv/f.xml"));
	assert_null(file_url_path("file://10.0.0.1/x"));
}

/* --- the response-header parser ----------------------------------------- */

static size_t
header(struct xfer *x, const char *line)
{
	char copy[512];
	size_t n = strlen(line);

	assert_true(n < sizeof(copy));
	memcpy(copy, line, n);		/* libcurl's line is not terminated */
	return cb_header(copy, 1, n, x);
}

static void
xfer_init(struct xfer *x, struct fetch_req *r)
{
	memset(x, 0, sizeof(*x));
	memset(r, 0, sizeof(*r));
	x->req = r;
	x->all_permanent = 1;
}

static void
test_headers_redirects(void **state)
{
	struct fetch_req r;
	struct xfer x;

	(void)state;
	xfer_init(&x, &r);
	header(&x, "HTTP/1.1 301 Moved Permanently\r\n");
	header(&x, "Location: https://b.example/feed\r\n");
	header(&x, "ETag: \"from-the-redirect\"\r\n");
	header(&x, "\r\n");
	header(&x, "HTTP/2 308\r\n");
	header(&x, "location:   /c  \r\n");
	header(&x, "\r\n");
	header(&x, "HTTP/1.1 100 Continue\r\n");	/* not a response */
	header(&x, "\r\n");
	header(&x, "HTTP/1.1 200 OK\r\n");
	header(&x, "ETAG:\t\"v2\"\t\r\n");
	header(&x, "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n");
	header(&x, "Content-Type: application/rss+xml; charset=utf-8\r\n");
	header(&x, "Content-Location: /feed.rss\r\n");
	header(&x, "Content-Encoding: gzip\r\n");
	header(&x, "X-ETag: \"not-this-one\"\r\n");
	header(&x, "\r\n");
	assert_int_equal(x.cur_status, 200);
	assert_int_equal(x.hops, 2);
	assert_true(x.all_permanent);
	assert_int_equal(x.last_permanent, 308);
	assert_null(x.location);
	assert_string_equal(r.etag_out, "\"v2\"");
	assert_string_equal(r.last_modified_out,
	    "Wed, 21 Oct 2015 07:28:00 GMT");
	assert_string_equal(r.content_type,
	    "application/rss+xml; charset=utf-8");
	assert_string_equal(r.content_location, "/feed.rss");
	assert_int_equal(x.enc, ENC_ZLIB);
	assert_false(x.hdr_too_large);
	fetch_req_clear(&r);

	/* a temporary hop makes the chain not permanent */
	xfer_init(&x, &r);
	header(&x, "HTTP/1.1 301 Moved Permanently\r\n");
	header(&x, "Location: /b\r\n");
	header(&x, "HTTP/1.1 302 Found\r\n");
	header(&x, "Location: /c\r\n");
	header(&x, "HTTP/1.1 304 Not Modified\r\n");
	assert_int_equal(x.cur_status, 304);
	assert_int_equal(x.hops, 2);
	assert_false(x.all_permanent);
	assert_null(r.etag_out);	/* a 304 without validators */
	fetch_req_clear(&r);

	/* a 3xx without Location is no hop */
	xfer_init(&x, &r);
	header(&x, "HTTP/1.1 302 Found\r\n");
	header(&x, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(x.hops, 0);
	fetch_req_clear(&r);
}

static void
test_headers_retry_and_encoding(void **state)
{
	struct fetch_req r;
	struct xfer x;

	(void)state;
	xfer_init(&x, &r);
	header(&x, "HTTP/1.1 503 Service Unavailable\r\n");
	header(&x, "Retry-After:  90 \r\n");
	header(&x, "Content-Encoding: br\r\n");
	assert_int_equal(x.cur_status, 503);
	assert_int_equal(r.retry_after, 90);
	assert_int_equal(x.enc, ENC_BAD);
	assert_string_equal(x.enc_name, "br");
	/* a new response forgets what the last one said */
	header(&x, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(r.retry_after, 0);
	assert_int_equal(x.enc, ENC_NONE);
	header(&x, "Content-Encoding: identity\r\n");
	assert_int_equal(x.enc, ENC_NONE);
	header(&x, "content-encoding: X-GZIP\r\n");
	assert_int_equal(x.enc, ENC_ZLIB);
	header(&x, "Content-Encoding: deflate\r\n");
	assert_int_equal(x.enc, ENC_ZLIB);
	fetch_req_clear(&r);
}

/* all header lines of all hops together are capped */
static void
test_headers_cap(void **state)
{
	struct fetch_req r;
	struct xfer x;
	char line[256];
	size_t total = 0, n, i;

	(void)state;
	xfer_init(&x, &r);
	memset(line, 'a', sizeof(line));
	memcpy(line, "X-Pad: ", 7);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	n = strlen(line);
	for (i = 0; total + n <= LIM_HTTP_HEADER; i++) {
		assert_int_equal(header(&x, line), n);
		total += n;
	}
	assert_false(x.hdr_too_large);
	assert_int_equal(header(&x, line), 0);	/* libcurl aborts */
	assert_true(x.hdr_too_large);
	fetch_req_clear(&r);
}

/* --- fetch_run without a network ---------------------------------------- */

struct got {
	int		 calls;
	enum fetch_result result;
	long		 status;
	char		*body;		/* copied out of done() */
	char		*effective_url;
	int		 validators;	/* etag_out or last_modified_out */
	char		 err[256];
};

static void
done(struct fetch_req *r, void *ctx)
{
	struct got *g = &((struct got *)ctx)[(size_t)r->user];

	g->calls++;
	g->result = r->result;
	g->status = r->status;
	g->body = r->body.data ? xstrndup(r->body.data, r->body.len) : NULL;
	g->effective_url = r->effective_url ? xstrdup(r->effective_url) :
	    NULL;
	g->validators = r->etag_out != NULL || r->last_modified_out != NULL;
	snprintf(g->err, sizeof(g->err), "%s", r->err);
}

/* Fetch n requests at once; got[i] says what done() saw for req[i]. */
static void
fetch_all(struct fetch_req *req, size_t n, const struct fetch_opts *o,
    struct got *got)
{
	char err[ERRLEN];
	size_t i;

	memset(got, 0, n * sizeof(*got));
	for (i = 0; i < n; i++)
		req[i].user = (void *)i;
	assert_int_equal(fetch_run(req, n, o, done, got, err, sizeof(err)),
	    0);
	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].calls, 1);
		/* the body and the out strings are gone after done() */
		assert_null(req[i].body.data);
		assert_null(req[i].effective_url);
		assert_null(req[i].etag_out);
	}
}

static void
got_free(struct got *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(g[i].body);
		free(g[i].effective_url);
	}
}

static int
setup(void **state)
{
	char err[ERRLEN];

	(void)state;
	return fetch_global_init(err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
	fetch_global_cleanup();
	return 0;
}

static void
test_run_local_files(void **state)
{
	char dir[] = "/tmp/test_fetch.XXXXXX", path[256], url[320];
	char esc[300], err[ERRLEN];
	struct fetch_req req[7];
	struct got got[7];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a feed.xml", dir);
	assert_int_equal(fs_write_atomic(path, "<rss/>", 6, 0600, err,
	    sizeof(err)), 0);
	snprintf(esc, sizeof(esc), "%s/a%%20feed.xml", dir);
	memset(req, 0, sizeof(req));
	req[0].url = path;			/* a plain path */
	req[0].allow_local = 1;
	snprintf(url, sizeof(url), "file://%s", esc);
	req[1].url = url;
	req[1].allow_local = 1;
	req[2].url = path;			/* not configured as local */
	req[3].url = path;
	req[3].allow_local = 1;
	req[3].max_size = 5;
	req[4].url = "file://elsewhere.example/etc/passwd";
	req[4].allow_local = 1;
	req[5].url = "/nonexistent/rss2mail/feed.xml";
	req[5].allow_local = 1;
	req[6].url = NULL;
	fetch_all(req, 7, NULL, got);

	assert_int_equal(got[0].result, FETCH_OK);
	assert_int_equal(got[0].status, 0);
	assert_string_equal(got[0].body, "<rss/>");
	assert_string_equal(got[0].effective_url, path);
	assert_false(got[0].validators);
	assert_int_equal(got[1].result, FETCH_OK);
	assert_string_equal(got[1].body, "<rss/>");
	assert_string_equal(got[1].effective_url, url);
	assert_int_equal(got[2].result, FETCH_ERROR);
	assert_string_equal(got[2].err,
	    "local files are allowed only when configured");
	assert_int_equal(got[3].result, FETCH_ERROR);
	assert_non_null(strstr(got[3].err, "too large (over 5 bytes)"));
	assert_int_equal(got[4].result, FETCH_ERROR);
	assert_string_equal(got[4].err, "invalid file:// URL");
	assert_int_equal(got[5].result, FETCH_ERROR);
	assert_string_equal(got[5].err,
	    "/nonexistent/rss2mail/feed.xml: No such file or directory");
	assert_int_equal(got[6].result, FETCH_ERROR);
	assert_string_equal(got[6].err, "no URL");
	got_free(got, 7);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_run_refused_urls(void **state)
{
	struct fetch_req req[4];
	struct got got[4];

	(void)state;
	memset(req, 0, sizeof(req));
	req[0].url = "ftp://example.org/feed";
	req[1].url = "Gopher://example.org/1";
	req[2].url = "http://exa mple.org/";
	req[3].url = "https://";
	fetch_all(req, 4, NULL, got);
	assert_string_equal(got[0].err, "unsupported URL scheme ftp://");
	assert_string_equal(got[1].err, "unsupported URL scheme gopher://");
	assert_int_equal(strncmp(got[2].err, "invalid URL (", 13), 0);
	assert_int_equal(strncmp(got[3].err, "invalid URL (", 13), 0);
	assert_int_equal(got[0].result, FETCH_ERROR);
	assert_int_equal(got[3].result, FETCH_ERROR);
	got_free(got, 4);
	/* nothing to fetch is no failure */
	assert_int_equal(fetch_run(req, 0, NULL, done, got, NULL, 0), 0);
}

/*
 * The guard decides when the socket is opened, before connecting: a
 * loopback port nobody listens on (bound, never listening, so it stays
 * ours) shows whether the request was refused or merely failed to
 * connect.
 */
static void
test_run_private_guard(void **state)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct fetch_opts listed;
	struct fetch_req req[3];
	struct got got[3];
	char url[64];
	int fd;

	(void)state;
	assert_int_not_equal(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/feed",
	    (unsigned)ntohs(sa.sin_port));

	memset(req, 0, sizeof(req));
	req[0].url = url;		/* from feed content: refused */
	req[0].from_content = 1;
	req[1].url = url;		/* configured by the user: allowed */
	req[2].url = url;		/* from content, but allow-private */
	req[2].from_content = 1;
	req[2].allow_private = 1;
	fetch_all(req, 3, NULL, got);
	assert_string_equal(got[0].err, "refused to connect to private "
	    "address 127.0.0.1 (allow-private is off)");
	assert_non_null(strstr(got[1].err, "Connection refused"));
	assert_null(strstr(got[1].err, "private"));
	assert_non_null(strstr(got[2].err, "Connection refused"));
	got_free(got, 3);

	/* an address the tests list as public is not refused */
	memset(&listed, 0, sizeof(listed));
	listed.public_addrs = "127.0.0.1";
	memset(req, 0, sizeof(req));
	req[0].url = url;
	req[0].from_content = 1;
	fetch_all(req, 1, &listed, got);
	assert_non_null(strstr(got[0].err, "Connection refused"));
	got_free(got, 1);
	close(fd);
}

/*
 * fetch_loop: a held lane starts nothing until released; a request added
 * from a done() runs in the same loop; the tick can cancel one in flight (a server that accepts and never
 * answers), whose done() then sees the reason; the loop ends when nothing
 * is left and the tick waits for nothing.
 */
struct loopt {
	struct fetch_loop *l;
	struct fetch_req  req[3];
	int		   calls[3];
	int		   result[3];
	char		   err[3][256];
	int		   ticks;
};

static void
loop_done(struct fetch_req *r, void *ctx)
{
	struct loopt *t = ctx;
	int i = (int)(r - t->req);

	t->calls[i]++;
	t->result[i] = r->result;
	snprintf(t->err[i], sizeof(t->err[i]), "%s", r->err);
	if (i == 0)		/* the first one adds the second */
		fetch_loop_add(t->l, &t->req[1], loop_done, t);
}

static long
loop_tick(void *ctx, int *fds, size_t *nfds)
{
	struct loopt *t = ctx;

	t->ticks++;
	*nfds = 0;
	if (t->ticks == 3) {	/* held until now: nothing started */
		assert_int_equal(t->calls[0], 0);
		fetch_loop_hold(t->l, FETCH_LANE_FEED, 0);
	}
	if (t->calls[0] && t->calls[1] && !t->calls[2]) {
		assert_int_equal(fetch_loop_cancel(t->l, &t->req[2],
		    "no answer within 1 s (test)"), 1);
		assert_int_equal(fetch_loop_cancel(t->l, &t->req[2], "x"), 0);
	}
	return t->calls[2] ? -1 : 20;
}

static void
test_loop_add_and_cancel(void **state)
{
	char dir[] = "/tmp/test_fetch.XXXXXX", path[256], url[64];
	char err[ERRLEN] = "";
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct loopt t;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.xml", dir);
	assert_int_equal(fs_write_atomic(path, "<rss/>", 6, 0600, err,
	    sizeof(err)), 0);
	/* listens, never accepts: the request stays in flight */
	assert_int_not_equal(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/a.png",
	    (unsigned)ntohs(sa.sin_port));

	memset(&t, 0, sizeof(t));
	assert_non_null(t.l = fetch_loop_new(NULL, err, sizeof(err)));
	t.req[0].url = t.req[1].url = path;
	t.req[0].allow_local = t.req[1].allow_local = 1;
	t.req[2].url = url;
	t.req[2].lane = FETCH_LANE_IMAGE;
	t.req[2].timeout = 60;
	fetch_loop_add(t.l, &t.req[2], loop_done, &t);
	fetch_loop_add(t.l, &t.req[0], loop_done, &t);
	assert_int_equal(t.calls[0], 0);	/* never from add itself */
	fetch_loop_hold(t.l, FETCH_LANE_FEED, 1);	/* until tick 3 */
	assert_int_equal(fetch_loop_run(t.l, loop_tick, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.calls[0], 1);
	assert_int_equal(t.calls[1], 1);
	assert_int_equal(t.calls[2], 1);
	assert_int_equal(t.result[0], FETCH_OK);
	assert_int_equal(t.result[1], FETCH_OK);
	assert_int_equal(t.result[2], FETCH_ERROR);
	assert_string_equal(t.err[2], "no answer within 1 s (test)");
	assert_true(t.ticks > 0);
	fetch_loop_free(t.l);
	fetch_loop_free(NULL);
	close(fd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_private),
		cmocka_unit_test(test_ip_public_list),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_validator_ok),
		cmocka_unit_test(test_url_hostkey),
		cmocka_unit_test(test_url_scheme),
		cmocka_unit_test(test_file_url_path),
		cmocka_unit_test(test_headers_redirects),
		cmocka_unit_test(test_headers_retry_and_encoding),
		cmocka_unit_test(test_headers_cap),
		cmocka_unit_test(test_run_local_files),
		cmocka_unit_test(test_run_refused_urls),
		cmocka_unit_test(test_run_private_guard),
		cmocka_unit_test(test_loop_add_and_cancel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
