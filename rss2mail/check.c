/*
 * check.c - the `check` command (see check.h).  Orchestration only: it uses
 * the same modules, backends and folder templates as run.c, so what check
 * accepts is what a run will use.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "config.h"
#include "deliver.h"
#include "discover.h"
#include "feed.h"
#include "fetch.h"
#include "limits.h"
#include "plan.h"
#include "reader.h"
#include "secret.h"
#include "state.h"
#include "util.h"

#define OK_MARK		"\xe2\x9c\x93"	/* U+2713 */
#define BAD_MARK	"\xe2\x9c\x97"	/* U+2717 */

struct check {
	const struct config *cfg;
	struct state	*st;		/* NULL when it could not be opened */
	struct arena	*arena;
	int		 bad;
};

static void
item(struct check *c, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
item(struct check *c, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? OK_MARK : BAD_MARK);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		c->bad++;
}

static void
report_config(void *ctx, const char *line)
{
	item(ctx, 0, "%s", line);
}

static const char *
password_source(const struct config_settings *s)
{
	return s->password_command ? "password-command" : s->password_file ?
	    "password-file" : s->password ? "password in the config" : NULL;
}

/* Where a feed's mail goes, as check names it. */
static const char *
store_where(const struct config_settings *s)
{
	switch (s->deliver) {
	case CONFIG_DELIVER_IMAP: return s->imap_url;
	case CONFIG_DELIVER_SMTP: return s->smtp_url;
	case CONFIG_DELIVER_LMTP: return s->lmtp_url;
	case CONFIG_DELIVER_SENDMAIL: return s->sendmail;
	default: return s->maildir;
	}
}

/*
 * smtp, lmtp, sendmail: connect, TLS, AUTH, then MAIL FROM / RCPT TO and
 * RSET through the backend's probe: nothing is sent.
 */
static void
check_probe(struct check *c, const struct deliver_ops *ops,
    const struct deliver_cfg *dc, const char *where)
{
	enum deliver_refusal refused = DELIVER_REFUSED_NONE;
	struct buf to = BUF_INIT(0);
	char err[ERRLEN] = "";
	size_t i;

	for (i = 0; i < dc->nrcpt; i++)
		buf_printf(&to, "%s<%s>", i ? ", " : "", dc->rcpt[i]);
	if (ops->probe(dc, &refused, err, sizeof(err)) == DELIVER_OK)
		item(c, 1, "%s %s: %s, envelope <%s> -> %s accepted "
		    "(nothing sent)", ops->name, where,
		    strcmp(ops->name, "sendmail") == 0 ? "can be run" :
		    dc->user ? "connected, TLS verified, authenticated" :
		    "connected", dc->envelope_from, buf_str(&to));
	else
		item(c, 0, "%s %s: %s%s", ops->name, where, refused ==
		    DELIVER_REFUSED_PERM ? "refused: " : refused ==
		    DELIVER_REFUSED_TEMP ? "refused for now: " : "", err);
	buf_free(&to);
}

/* Each distinct mailbox: password, login, then the folders it will get. */
static void
check_stores(struct check *c)
{
	const struct config *cfg = c->cfg;
	const struct deliver_ops *ops;
	struct deliver_cfg dc;
	char err[ERRLEN], *pw, *folder, **done = NULL;
	void *ctx;
	size_t i, j, k, ndone = 0;

	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_settings *s = &cfg->feeds[i].s;
		const char *where;

		if (cfg->feeds[i].paused)
			continue;
		where = store_where(s);
		for (k = 0; k < ndone; k++)
			if (strcmp(done[k], where) == 0)
				break;
		if (k < ndone)
			continue;
		done = xrealloc(done, (ndone + 1) * sizeof(*done));
		done[ndone++] = xstrdup(where);

		ops = plan_backend(s, &dc);
		pw = NULL;
		if (s->deliver == CONFIG_DELIVER_IMAP || (ops->probe &&
		    dc.user != NULL)) {
			if (secret_resolve(s->password, s->password_file,
			    s->password_command, cfg->path, &pw, err,
			    sizeof(err)) == -1) {
				item(c, 0, "password: %s", err);
				continue;
			}
			if (pw == NULL) {
				item(c, 0, "password: none configured for %s "
				    "(password-command, password-file or "
				    "password)", where);
				continue;
			}
			item(c, 1, "password from %s", password_source(s));
		}
		dc.password = pw;
		if (ops->probe != NULL) {
			check_probe(c, ops, &dc, where);
			secret_free(pw);
			continue;
		}
		if (ops->open(&ctx, &dc, err, sizeof(err)) != DELIVER_OK) {
			item(c, 0, "mailbox %s: %s", where, err);
			secret_free(pw);
			continue;
		}
		secret_free(pw);
		item(c, 1, "mailbox %s: %s", where, s->deliver ==
		    CONFIG_DELIVER_IMAP ? "connected and logged in" :
		    "writable");
		if (ops->describe != NULL) {
			ops->describe(ctx, err, sizeof(err));
			item(c, 1, "%s", err);
		}
		if (s->deliver == CONFIG_DELIVER_IMAP)
			item(c, 1, "sessions: up to %d at once "
			    "(imap-connections), one folder per session",
			    cfg->imap_connections);
		/* the folders of every feed that delivers here */
		for (j = i; j < cfg->nfeeds; j++) {
			const struct config_feed *cf = &cfg->feeds[j];
			const char *w2 = store_where(&cf->s);

			if (cf->paused || strcmp(w2, where) != 0)
				continue;
			folder = plan_folder(cf);
			if (ops->ensure_folder(ctx, folder, err, sizeof(err)) ==
			    DELIVER_OK)
				item(c, 1, "folder %s (feed %s)", *folder ?
				    folder : "(default)", cf->name);
			else
				item(c, 0, "folder %s (feed %s): %s", *folder ?
				    folder : "(default)", cf->name, err);
			free(folder);
		}
		ops->close(ctx);
	}
	for (k = 0; k < ndone; k++)
		free(done[k]);
	free(done);
}

/*
 * A feed's URL that gave something other than a feed: when it is a web
 * page, name the feeds it links (discover.h), so the user can set url to
 * one.  A run does not guess, so this stays a failed item.
 */
static void
check_not_feed(struct check *c, const struct config_feed *cf,
    const struct fetch_req *req, const char *err)
{
	struct discover d;
	char derr[ERRLEN];
	const char *url = req->effective_url ? req->effective_url : req->url;

	if (discover_page(req->body.data ? req->body.data : "",
	    req->body.len, url, req->content_type, &d, derr,
	    sizeof(derr)) == -1 || d.kind != DISCOVER_PAGE)
		item(c, 0, "feed %s: %s: %s", cf->name, req->url, err);
	else if (d.nfeeds == 0)
		item(c, 0, "feed %s: %s: %s; the page links no feed",
		    cf->name, req->url, err);
	else
		item(c, 0, "feed %s: %s: %s; the page's feed is %s%s",
		    cf->name, req->url, err, d.feeds[0].url, d.nfeeds > 1 ?
		    " (it links others too)" : "");
	discover_free(&d);
}

static void
on_feed(struct fetch_req *req, void *vctx)
{
	struct check *c = vctx;
	const struct config_feed *cf = req->user;
	struct feed_parse_opts po;
	struct feed *f = NULL;
	struct entry *e;
	char err[ERRLEN], cs[64];
	size_t fresh = 0;

	if (req->result != FETCH_OK) {
		item(c, 0, "feed %s: %s: %s", cf->name, req->url,
		    req->result == FETCH_GONE ? "HTTP 410 Gone" :
		    req->result == FETCH_NOT_MODIFIED ? "not modified" :
		    req->err);
		return;
	}
	plan_parse_opts(req, &po, cs, sizeof(cs));
	arena_reset(c->arena);
	if (feed_parse(req->body.data ? req->body.data : "", req->body.len,
	    &po, c->arena, &f, err, sizeof(err)) == -1) {
		check_not_feed(c, cf, req, err);
		return;
	}
	for (e = f->entries; e; e = e->next)
		if (c->st == NULL ||
		    state_entry_get(c->st, cf->name, e->id) == STATE_NEW)
			fresh++;
	item(c, 1, "feed %s: %zu entries, %zu not yet delivered%s%s",
	    cf->name, f->nentries, fresh, f->bozo ? "; warning: " : "",
	    f->bozo ? f->bozo_exception : "");
}

static void
check_feeds(struct check *c)
{
	const struct config *cfg = c->cfg;
	struct plan_fetch pf;
	char err[ERRLEN];
	size_t i;

	plan_fetch_init(&pf, cfg->nfeeds);
	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];
		struct state_feed sf;

		if (cf->paused) {
			printf("- feed %s: paused\n", cf->name);
			continue;
		}
		/* the request a run makes, without validators: a full fetch */
		memset(&sf, 0, sizeof(sf));
		if (c->st)
			state_feed_get(c->st, cf->name, &sf);
		free(sf.etag);
		free(sf.last_modified);
		sf.etag = sf.last_modified = NULL;
		if (plan_fetch_add(&pf, cfg, cf, &sf, (void *)cf, err,
		    sizeof(err)) == -1)
			item(c, 0, "feed %s: %s", cf->name, err);
		state_feed_clear(&sf);
	}
	if (plan_fetch_run(&pf, cfg, NULL, on_feed, c, err, sizeof(err)) == -1)
		item(c, 0, "fetching: %s", err);
	plan_fetch_free(&pf);
}

/* subscribe-folder: the folder opens (created when missing), and how many
 * requests wait in it; nothing is read or changed. */
static void
check_subscribe(struct check *c)
{
	const struct reader_ops *ops;
	void *ctx;
	uint32_t uv, last = 0, *uids = NULL;
	size_t n = 0;
	char err[ERRLEN];

	if (c->cfg->subscribe_folder == NULL)
		return;
	if (plan_reader(c->cfg, c->cfg->subscribe_folder, &ops, &ctx, &uv, err,
	    sizeof(err)) != DELIVER_OK) {
		item(c, 0, "subscribe-folder %s: %s", c->cfg->subscribe_folder,
		    err);
		return;
	}
	if (c->st != NULL)
		(void)state_request_last(c->st, c->cfg->subscribe_folder, uv,
		    &last);
	if (ops->search(ctx, last, &uids, &n, err, sizeof(err)) != DELIVER_OK)
		item(c, 0, "subscribe-folder %s: %s", c->cfg->subscribe_folder,
		    err);
	else
		item(c, 1, "subscribe-folder %s: %zu request%s waiting",
		    c->cfg->subscribe_folder, n, n == 1 ? "" : "s");
	free(uids);
	ops->close(ctx);
}

int
check_main(const char *path)
{
	struct check c;
	struct config *cfg = NULL;
	char err[ERRLEN];
	int nerr;

	memset(&c, 0, sizeof(c));
	nerr = config_check(path, report_config, &c, err, sizeof(err));
	if (nerr == -1) {
		item(&c, 0, "config %s", err);
		return 2;
	}
	if (nerr > 0 || config_load(path, &cfg, err, sizeof(err)) == -1) {
		printf("%d config error%s: fix %s first\n", nerr > 0 ? nerr : 1,
		    nerr == 1 ? "" : "s", path);
		return 2;
	}
	c.cfg = cfg;
	item(&c, 1, "config %s: %zu feed%s", path, cfg->nfeeds,
	    cfg->nfeeds == 1 ? "" : "s");
	if (state_open(cfg->state, &c.st, err, sizeof(err)) == -1)
		item(&c, 0, "%s", err);
	else
		item(&c, 1, "state %s", cfg->state);
	check_stores(&c);
	check_subscribe(&c);
	if (fetch_global_init(err, sizeof(err)) == -1)
		item(&c, 0, "%s", err);
	else {
		c.arena = arena_new(LIM_FEED_ARENA);
		check_feeds(&c);
		arena_free(c.arena);
		fetch_global_cleanup();
	}
	if (c.bad)
		printf("%d problem%s found\n", c.bad, c.bad == 1 ? "" : "s");
	else
		printf("all good\n");
	state_close(c.st);
	config_free(cfg);
	return c.bad ? 1 : 0;
}
