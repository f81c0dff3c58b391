/*
 * probe.c - the feed at an address the user gave (see probe.h): fetch,
 * parse, and for a web page the discovery loop over its feeds and the
 * common paths.  The fetching is fetch.c's, the reading of the page
 * discover.c's, the parsing feed.c's; here is only the order of tries and
 * the account of what was tried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "discover.h"
#include "feed.h"
#include "fetch.h"
#include "limits.h"
#include "probe.h"
#include "util.h"

/* What one fetch gave back, copied out of its done() call. */
struct probe_got {
	int		 ok;		/* FETCH_OK */
	char		 why[256];	/* else the reason, one line */
	struct buf	 body;
	char		*effective_url;
	char		*content_type;
	char		*content_location;
	int		 peer_private;
	int		 late;		/* not tried: LIM_PROBE_TIME spent */
};

static void
got_free(struct probe_got *g)
{
	buf_free(&g->body);
	free(g->effective_url);
	free(g->content_type);
	free(g->content_location);
	memset(g, 0, sizeof(*g));
}

static void
on_fetched(struct fetch_req *req, void *ctx)
{
	struct probe_got *g = ctx;

	g->peer_private = req->peer_private;
	if (req->result != FETCH_OK) {
		snprintf(g->why, sizeof(g->why), "%s",
		    req->result == FETCH_NOT_MODIFIED ? "not modified" :
		    req->result == FETCH_GONE ? "HTTP 410 Gone" : req->err);
		return;
	}
	g->ok = 1;
	if (req->body.len > 0)
		buf_append(&g->body, req->body.data, req->body.len);
	g->effective_url = xstrdup(req->effective_url ? req->effective_url :
	    req->url);
	if (req->content_type)
		g->content_type = xstrdup(req->content_type);
	if (req->content_location)
		g->content_location = xstrdup(req->content_location);
}

static long
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* Fetch url once; 0 with g filled (g->ok says whether it came), -1 when
 * the fetcher itself could not run (err).  All the fetches of one probe
 * share LIM_PROBE_TIME from start: a site whose every path answers slowly
 * cannot hold `add` for each path's timeout in turn. */
static int
fetch_one(const struct probe_req *pr, const char *url, int from_content,
    long start, struct probe_got *g, char *err, size_t errlen)
{
	struct fetch_req req;
	struct fetch_opts fo;
	long left = LIM_PROBE_TIME - (now_s() - start);
	int r;

	if (left <= 0) {
		snprintf(g->why, sizeof(g->why), "not tried: over %d s spent "
		    "looking", LIM_PROBE_TIME);
		g->late = 1;
		return 0;
	}
	memset(&req, 0, sizeof(req));
	memset(&fo, 0, sizeof(fo));
	if (pr->fo)
		fo = *pr->fo;
	if (fo.deadline == 0 || fo.deadline > left)
		fo.deadline = left;
	req.url = url;
	req.allow_local = pr->allow_local && !from_content;
	req.allow_private = pr->allow_private;
	req.from_content = from_content;
	req.user_agent = pr->user_agent;
	req.max_size = pr->max_size;
	req.timeout = pr->timeout;
	req.connect_timeout = pr->connect_timeout;
	r = fetch_run(&req, 1, &fo, on_fetched, g, err, errlen);
	fetch_req_clear(&req);
	return r;
}

/* Does g's body parse as a feed?  why gets the parser's reason if not. */
static int
parses(const struct probe_got *g, char *why, size_t whylen)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed_parse_opts po;
	struct feed *f = NULL;
	int r;

	memset(&po, 0, sizeof(po));
	po.base_url = g->effective_url;
	po.content_location = g->content_location;
	r = feed_parse(g->body.data ? g->body.data : "", g->body.len, &po, a,
	    &f, why, whylen) == 0;
	arena_free(a);
	return r;
}

static void
take_feed(struct probe *out, const char *url, struct probe_got *g)
{
	out->url = xstrdup(url);
	out->body = g->body;
	memset(&g->body, 0, sizeof(g->body));
	out->effective_url = g->effective_url;
	out->content_location = g->content_location;
	g->effective_url = g->content_location = NULL;
}

/* The page's feeds but the one taken, for "the page also links". */
static void
note_others(struct probe *out, const struct discover *d, size_t taken)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	out->others = xcalloc(d->nfeeds + 1, sizeof(*out->others));
	for (i = 0; i < d->nfeeds; i++) {
		if (i == taken)
			continue;
		buf_reset(&b);
		buf_puts(&b, d->feeds[i].url);
		if (d->feeds[i].title)
			buf_printf(&b, " (%s)", d->feeds[i].title);
		out->others[out->nothers++] = xstrdup(buf_str(&b));
	}
	buf_free(&b);
}

/*
 * Try the page's feeds, then its fallbacks, one at a time.  1 when one
 * parsed (out filled), 0 when none did (tried lists them), -1 when the
 * fetcher could not run.
 */
static int
try_candidates(const struct probe_req *pr, const struct discover *d,
    int from_content, long start, struct probe *out, struct buf *tried,
    char *err, size_t errlen)
{
	struct probe_got g;
	char why[ERRLEN];
	const char *url;
	size_t i, n = d->nfeeds + d->nfallbacks;
	int r = 0;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < n && r == 0; i++) {
		url = i < d->nfeeds ? d->feeds[i].url :
		    d->fallbacks[i - d->nfeeds];
		got_free(&g);
		if (fetch_one(pr, url, from_content, start, &g, err,
		    errlen) == -1) {
			r = -1;
			break;
		}
		if (g.late) {
			buf_printf(tried, "%s%zu more not tried (over %d s "
			    "spent)", tried->len ? ", and " : "", n - i,
			    LIM_PROBE_TIME);
			break;
		}
		if (g.ok && parses(&g, why, sizeof(why))) {
			take_feed(out, url, &g);
			note_others(out, d, i < d->nfeeds ? i : d->nfeeds);
			r = 1;
			break;
		}
		buf_printf(tried, "%s%s (%s)", tried->len ? ", " : "", url,
		    g.ok ? why : g.why);
	}
	got_free(&g);
	return r;
}

int
probe_url(const struct probe_req *pr, struct probe *out, char *err,
    size_t errlen)
{
	struct probe_got g;
	struct discover d;
	struct buf tried = BUF_INIT(0);
	char why[ERRLEN];
	long start = now_s();
	int r = -1, found;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	memset(&d, 0, sizeof(d));
	if (fetch_one(pr, pr->url, pr->from_content, start, &g, err,
	    errlen) == -1)
		goto out;
	if (!g.ok) {
		errf(err, errlen, "fetch %s: %s", pr->url, g.why);
		goto out;
	}
	out->reached = 1;
	if (parses(&g, why, sizeof(why))) {
		take_feed(out, pr->url, &g);
		r = 0;
		goto out;
	}
	/* not a feed: a web page?  (a local file is never one to follow) */
	if (pr->allow_local || discover_page(g.body.data ? g.body.data : "",
	    g.body.len, g.effective_url, g.content_type, &d, err,
	    errlen) == -1 || d.kind != DISCOVER_PAGE) {
		errf(err, errlen, "%s: %s", pr->url, why);
		goto out;
	}
	out->page = xstrdup(g.effective_url);
	/* feeds a public page links are content: they may not lead into
	 * private space; a page in private space may link feeds there */
	found = try_candidates(pr, &d, !g.peer_private, start, out, &tried,
	    err, errlen);
	if (found == 1)
		r = 0;
	else if (found == 0)
		errf(err, errlen, "no feed found at %s: %s%s%s", pr->url,
		    d.nfeeds ? "" : "the page links none; ",
		    tried.len ? "tried " : "nothing to try",
		    buf_str(&tried));
out:
	discover_free(&d);
	got_free(&g);
	buf_free(&tried);
	return r;
}

void
probe_free(struct probe *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->url);
	free(p->page);
	for (i = 0; i < p->nothers; i++)
		free(p->others[i]);
	free(p->others);
	buf_free(&p->body);
	free(p->effective_url);
	free(p->content_location);
	memset(p, 0, sizeof(*p));
}
