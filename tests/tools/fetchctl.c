/*
 * fetchctl - drive fetch_run from the command line for integration tests.
 *
 *   fetchctl [options] URL...
 *     --etag E --lm L            validators (for every URL)
 *     --max N                    body cap in bytes
 *     --allow-local --allow-private --from-content
 *     --concurrency N --per-host N
 *     --timeout S --connect-timeout S --low-speed-time S --low-speed-bytes N
 *     --ua S --user U --password P --proxy P --proxy-env
 *     --public IP[,IP]           addresses the guard treats as public
 *     --ca-file PEM              trust these CAs instead of the system's
 *     --deadline S               limit for the whole run
 *     --big-slots N              bodies past 2 MiB growing at once
 *     --body                     also print the body (as a JSON string)
 *     --urls FILE                read more URLs, one a line, each
 *                                optionally "URL<TAB>ETAG<TAB>LAST-MODIFIED"
 *                                (its own validators; "" for none)
 *   A URL written "+content:URL" is fetched with from_content set (as an
 *   image URL taken from a feed would be), whatever the options say.
 *
 * Prints one JSON line per request, in completion order: index, url, result,
 * status, bytes, etag, last_modified, content_type, content_location,
 * effective_url, redirect_status, retry_after, peer_private, err, ms, and
 * sha256 of a non-empty body.  Exit status 0 when fetch_run ran (whatever
 * the results), 2 on usage errors, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fetch.h"
#include "limits.h"
#include "util.h"
#include "sha256.h"
#include "fsutil.h"

struct ctl {
	int		 print_body;
	struct timespec	 t0;
};

static const char *const result_names[] = {
	"ok", "not_modified", "gone", "error",
};

static void
json_str(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			printf("\\u%04x", p[i]);	/* bytes, not chars */
		else
			putchar(p[i]);
	}
	putchar('"');
}

static void
json_field(const char *name, const char *s)
{
	printf(", \"%s\": ", name);
	json_str(s, s ? strlen(s) : 0);
}

static void
done(struct fetch_req *r, void *p)
{
	struct ctl *c = p;
	struct timespec t;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (t.tv_sec - c->t0.tv_sec) * 1000 +
	    (t.tv_nsec - c->t0.tv_nsec) / 1000000;
	printf("{\"index\": %zu", (size_t)(uintptr_t)r->user);
	json_field("url", r->url);
	json_field("result", result_names[r->result]);
	printf(", \"status\": %ld, \"bytes\": %zu", r->status, r->body.len);
	json_field("etag", r->etag_out);
	json_field("last_modified", r->last_modified_out);
	json_field("content_type", r->content_type);
	json_field("content_location", r->content_location);
	json_field("effective_url", r->effective_url);
	printf(", \"redirect_status\": %ld, \"retry_after\": %ld, "
	    "\"peer_private\": %s", r->redirect_status, r->retry_after,
	    r->peer_private ? "true" : "false");
	json_field("err", r->result == FETCH_ERROR ? r->err : NULL);
	printf(", \"ms\": %ld", ms);
	if (r->body.len > 0) {
		unsigned char md[SHA256_LEN];
		char hex[2 * SHA256_LEN + 1];

		sha256(r->body.data, r->body.len, md);
		hex_encode(md, sizeof(md), hex);
		printf(", \"sha256\": \"%s\"", hex);
	}
	if (c->print_body) {
		fputs(", \"body\": ", stdout);
		json_str(r->body.data ? r->body.data : "", r->body.len);
	}
	fputs("}\n", stdout);
	fflush(stdout);
}

static void
usage(void)
{
	fputs("usage: fetchctl [--etag E] [--lm L] [--max N] [options] URL...\n",
	    stderr);
	exit(2);
}

struct url {
	char	*url;
	char	*etag;		/* per-URL validators, or NULL */
	char	*lm;
};

static void
add_url(struct url **urls, size_t *n, const char *u)
{
	struct url *x;
	char *t;

	*urls = xrealloc(*urls, (*n + 1) * sizeof(**urls));
	x = &(*urls)[(*n)++];
	x->url = xstrdup(u);
	x->etag = x->lm = NULL;
	if ((t = strchr(x->url, '\t')) == NULL)
		return;
	*t++ = '\0';
	x->etag = t;
	if ((t = strchr(t, '\t')) != NULL) {
		*t++ = '\0';
		x->lm = t;
	}
}

static void
read_urls(struct url **urls, size_t *n, const char *path)
{
	struct buf b = BUF_INIT(0);
	char err[ERRLEN], *line, *save = NULL;

	if (fs_read_file(path, 64u << 20, &b, err, sizeof(err)) == -1) {
		fprintf(stderr, "fetchctl: %s\n", err);
		exit(1);
	}
	for (line = strtok_r(b.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (*line)
			add_url(urls, n, line);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	struct fetch_req proto, *reqs;
	struct fetch_opts opts;
	struct ctl ctl;
	struct url *urls = NULL;
	char err[ERRLEN];
	size_t nurls = 0, i;
	int a, rc = 1;

	memset(&proto, 0, sizeof(proto));
	memset(&opts, 0, sizeof(opts));
	memset(&ctl, 0, sizeof(ctl));
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;
		int takes = 1;

		if (strcmp(o, "--allow-local") == 0)
			proto.allow_local = 1, takes = 0;
		else if (strcmp(o, "--allow-private") == 0)
			proto.allow_private = 1, takes = 0;
		else if (strcmp(o, "--from-content") == 0)
			proto.from_content = 1, takes = 0;
		else if (strcmp(o, "--body") == 0)
			ctl.print_body = 1, takes = 0;
		else if (strcmp(o, "--proxy-env") == 0)
			opts.proxy_env = 1, takes = 0;
		else if (strncmp(o, "--", 2) != 0) {
			add_url(&urls, &nurls, o);
			continue;
		} else if (v == NULL)
			usage();
		else if (strcmp(o, "--etag") == 0)
			proto.etag = v;
		else if (strcmp(o, "--lm") == 0)
			proto.last_modified = v;
		else if (strcmp(o, "--max") == 0)
			proto.max_size = strtoul(v, NULL, 10);
		else if (strcmp(o, "--concurrency") == 0)
			opts.concurrency = atoi(v);
		else if (strcmp(o, "--per-host") == 0)
			opts.per_host = atoi(v);
		else if (strcmp(o, "--timeout") == 0)
			proto.timeout = atol(v);
		else if (strcmp(o, "--connect-timeout") == 0)
			proto.connect_timeout = atol(v);
		else if (strcmp(o, "--low-speed-time") == 0)
			proto.low_speed_time = atol(v);
		else if (strcmp(o, "--low-speed-bytes") == 0)
			proto.low_speed_bytes = atol(v);
		else if (strcmp(o, "--ua") == 0)
			proto.user_agent = v;
		else if (strcmp(o, "--user") == 0)
			proto.http_user = v;
		else if (strcmp(o, "--password") == 0)
			proto.http_password = v;
		else if (strcmp(o, "--proxy") == 0)
			opts.proxy = v;
		else if (strcmp(o, "--big-slots") == 0)
			opts.big_slots = atoi(v);
		else if (strcmp(o, "--deadline") == 0)
			opts.deadline = atol(v);
		else if (strcmp(o, "--ca-file") == 0)
			opts.ca_file = v;
		else if (strcmp(o, "--public") == 0)
			opts.public_addrs = v;
		else if (strcmp(o, "--urls") == 0)
			read_urls(&urls, &nurls, v);
		else
			usage();
		a += takes;
	}
	if (nurls == 0)
		usage();
	if (fetch_global_init(err, sizeof(err)) == -1) {
		fprintf(stderr, "fetchctl: %s\n", err);
		return 1;
	}
	reqs = xcalloc(nurls, sizeof(*reqs));
	for (i = 0; i < nurls; i++) {
		reqs[i] = proto;
		reqs[i].url = urls[i].url;
		if (strncmp(urls[i].url, "+content:", 9) == 0) {
			reqs[i].url = urls[i].url + 9;
			reqs[i].from_content = 1;
		}
		if (urls[i].etag != NULL)
			reqs[i].etag = *urls[i].etag ? urls[i].etag : NULL;
		if (urls[i].lm != NULL)
			reqs[i].last_modified = *urls[i].lm ? urls[i].lm : NULL;
		reqs[i].user = (void *)(uintptr_t)i;
	}
	clock_gettime(CLOCK_MONOTONIC, &ctl.t0);
	if (fetch_run(reqs, nurls, &opts, done, &ctl, err, sizeof(err)) == -1)
		fprintf(stderr, "fetchctl: %s\n", err);
	else
		rc = 0;
	for (i = 0; i < nurls; i++) {
		fetch_req_clear(&reqs[i]);
		free(urls[i].url);
	}
	free(reqs);
	free(urls);
	fetch_global_cleanup();
	return rc;
}
