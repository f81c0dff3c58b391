/*
 * plan.c - each feed's request, folder and store (see plan.h).  Shared by
 * run.c and check.c; it decides, it does not fetch or deliver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "fetch.h"
#include "limits.h"
#include "plan.h"
#include "reader.h"
#include "secret.h"
#include "state.h"
#include "util.h"

static int
is_remote_url(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* The URL to fetch: a stored permanent redirect, else the configured one,
 * with a relative local path taken from the config file's directory. */
static char *
feed_url(const struct config *cfg, const struct config_feed *cf,
    const struct state_feed *sf)
{
	const char *u = cf->url, *slash;
	struct buf b = BUF_INIT(0);

	if (sf && sf->url && *sf->url)
		return xstrdup(sf->url);
	if (strncmp(u, "file://", 7) == 0 || is_remote_url(u) || u[0] == '/' ||
	    cfg->path == NULL || (slash = strrchr(cfg->path, '/')) == NULL)
		return xstrdup(u);
	buf_append(&b, cfg->path, (size_t)(slash - cfg->path) + 1);
	buf_puts(&b, u);
	return buf_steal(&b);
}

int
plan_request(const struct config *cfg, const struct config_feed *cf,
    const struct state_feed *sf, struct fetch_req *req, char **url,
    char **password, char *err, size_t errlen)
{
	const struct config_settings *s = &cf->s;

	memset(req, 0, sizeof(*req));
	*url = NULL;
	*password = NULL;
	if (s->http_password_command && secret_resolve(NULL, NULL,
	    s->http_password_command, NULL, password, err, errlen) == -1) {
		errprefix(err, errlen, "http-password-command: ");
		return -1;
	}
	*url = feed_url(cfg, cf, sf);
	req->url = *url;
	req->allow_local = !is_remote_url(cf->url);
	if (sf) {
		req->etag = sf->etag;
		req->last_modified = sf->last_modified;
	}
	req->user_agent = s->user_agent;
	req->max_size = s->max_feed_size > 0 ? (size_t)s->max_feed_size : 0;
	req->timeout = (long)s->timeout;
	req->connect_timeout = (long)s->connect_timeout;
	/* a feed the user configured on a private address may stay in private
	 * space; public -> private needs allow-private */
	req->allow_private = s->allow_private;
	req->http_user = s->http_user;
	req->http_password = *password;
	return 0;
}

void
plan_fetch_opts(const struct config *cfg, struct fetch_opts *fo)
{
	memset(fo, 0, sizeof(*fo));
	fo->concurrency = cfg->concurrency;
	fo->per_host = cfg->per_host;
	/* a proxy only when configured: a URL, or "env" for the environment */
	if (cfg->global.proxy && strcmp(cfg->global.proxy, "env") == 0)
		fo->proxy_env = 1;
	else
		fo->proxy = cfg->global.proxy;
	fo->deadline = (long)cfg->run_time_limit;
}

/* charset=... of a Content-Type, copied into out. */
static const char *
content_charset(const char *ct, char *out, size_t outlen)
{
	const char *p;
	size_t n = 0;

	if (ct == NULL || (p = strcasestr(ct, "charset=")) == NULL)
		return NULL;
	p += 8;
	if (*p == '"')
		p++;
	while (p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' &&
	    n + 1 < outlen) {
		out[n] = p[n];
		n++;
	}
	out[n] = '\0';
	return n ? out : NULL;
}

void
plan_parse_opts(const struct fetch_req *req, struct feed_parse_opts *po,
    char *cs, size_t cslen)
{
	memset(po, 0, sizeof(*po));
	po->base_url = is_remote_url(req->url) ? (req->effective_url ?
	    req->effective_url : req->url) : NULL;
	po->content_location = req->content_location;
	po->http_charset = content_charset(req->content_type, cs, cslen);
}

int
plan_headers(const struct config_feed *cf, char ***out, size_t *n,
    char *err, size_t errlen)
{
	const struct config_list *h = &cf->s.http_headers;
	const struct config_list *c = &cf->s.http_header_commands;
	struct buf b = BUF_INIT(0);
	char **v, *val = NULL;
	const char *colon, *cmd;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (h->n + c->n == 0)
		return 0;
	v = xcalloc(h->n + c->n + 1, sizeof(*v));
	for (i = 0; i < h->n; i++)
		v[k++] = xstrdup(h->v[i]);
	for (i = 0; i < c->n; i++) {
		/* config.c checked "Name: command" */
		colon = strchr(c->v[i], ':');
		cmd = colon + 1 + strspn(colon + 1, " \t");
		if (secret_resolve(NULL, NULL, cmd, NULL, &val, err,
		    errlen) == -1) {
			errprefix(err, errlen, "http-header-command: ");
			plan_headers_free(v);
			return -1;
		}
		buf_reset(&b);
		buf_printf(&b, "%.*s: %s", (int)(colon - c->v[i]), c->v[i],
		    val ? val : "");
		secret_free(val);
		val = NULL;
		v[k++] = buf_steal(&b);
	}
	buf_free(&b);
	*out = v;
	*n = k;
	return 0;
}

void
plan_headers_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i]; i++) {
		explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

void
plan_fetch_init(struct plan_fetch *pf, size_t max)
{
	pf->reqs = xcalloc(max + 1, sizeof(*pf->reqs));
	pf->urls = xcalloc(max + 1, sizeof(*pf->urls));
	pf->pws = xcalloc(max + 1, sizeof(*pf->pws));
	pf->hdrs = xcalloc(max + 1, sizeof(*pf->hdrs));
	pf->n = 0;
	pf->max = max;
}

int
plan_fetch_add(struct plan_fetch *pf, const struct config *cfg,
    const struct config_feed *cf, const struct state_feed *sf, void *user,
    char *err, size_t errlen)
{
	size_t n = pf->n;

	if (n == pf->max) {
		errf(err, errlen, "too many feeds");
		return -1;
	}
	if (plan_request(cfg, cf, sf, &pf->reqs[n], &pf->urls[n],
	    &pf->pws[n], err, errlen) == -1)
		return -1;
	if (plan_headers(cf, &pf->hdrs[n], &pf->reqs[n].nheaders, err,
	    errlen) == -1) {
		fetch_req_clear(&pf->reqs[n]);
		free(pf->urls[n]);
		secret_free(pf->pws[n]);
		pf->urls[n] = pf->pws[n] = NULL;
		return -1;
	}
	pf->reqs[n].headers = (const char *const *)pf->hdrs[n];
	pf->reqs[n].user = user;
	pf->n++;
	return 0;
}

int
plan_fetch_run(struct plan_fetch *pf, const struct config *cfg,
    const char *public_addrs, fetch_done_fn *done, void *ctx, char *err,
    size_t errlen)
{
	struct fetch_opts fo;

	plan_fetch_opts(cfg, &fo);
	fo.public_addrs = public_addrs;
	if (pf->n > 0 && fetch_run(pf->reqs, pf->n, &fo, done, ctx, err,
	    errlen) == -1)
		return -1;
	return 0;
}

void
plan_fetch_free(struct plan_fetch *pf)
{
	size_t i;

	for (i = 0; i < pf->n; i++) {
		fetch_req_clear(&pf->reqs[i]);
		free(pf->urls[i]);
		secret_free(pf->pws[i]);
		plan_headers_free(pf->hdrs[i]);
	}
	free(pf->hdrs);
	free(pf->reqs);
	free(pf->urls);
	free(pf->pws);
	memset(pf, 0, sizeof(*pf));
}

/*
 * The folder template: {name} is the feed's name, {category} its OPML
 * category path ("Tech/Mail"); a feed without a category drops the
 * "{category}/" part.  NULL -> "" (the store's own mailbox).
 */
char *
plan_folder(const struct config_feed *cf)
{
	struct buf b = BUF_INIT(0);
	const char *p = cf->s.folder, *q;

	if (p == NULL)
		return xstrdup("");
	for (; *p; p++) {
		if (strncmp(p, "{name}", 6) == 0) {
			/* Maildir++ levels cannot hold a '.': "lwn.net" is
			 * filed as "lwn_net" there */
			for (q = cf->name; *q; q++)
				buf_putc(&b, *q == '.' && cf->s.deliver ==
				    CONFIG_DELIVER_MAILDIR ? '_' : *q);
			p += 5;
		} else if (strncmp(p, "{category}", 10) == 0) {
			if (cf->category && *cf->category)
				buf_puts(&b, cf->category);
			else if (p[10] == '/')
				p++;
			p += 9;
		} else
			buf_putc(&b, *p);
	}
	if (b.len > 0 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

static enum deliver_tls
tls_of(enum config_tls t)
{
	switch (t) {
	case CONFIG_TLS_IMPLICIT: return DELIVER_TLS_IMPLICIT;
	case CONFIG_TLS_STARTTLS: return DELIVER_TLS_STARTTLS;
	case CONFIG_TLS_NONE: return DELIVER_TLS_NONE;
	default: return DELIVER_TLS_DEFAULT;
	}
}

const struct deliver_ops *
plan_backend(const struct config_settings *s, struct deliver_cfg *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->maildir = s->maildir;
	dc->imap_url = s->imap_url;
	dc->tls = tls_of(s->imap_tls);
	dc->user = s->imap_user;
	dc->ca_file = s->imap_ca_file;
	dc->fingerprint = s->imap_fingerprint;
	dc->auth = s->imap_auth;
	dc->flags = s->flags ? s->flags : "";
	dc->timeout = s->timeout > 0 ? (long)s->timeout : LIM_TOTAL_TIMEOUT;
	/* the envelope: from's address (or envelope-from, same domain: the
	 * config checked), to's */
	dc->envelope_from = s->envelope_from ? s->envelope_from : s->from_addr;
	dc->rcpt = (const char *const *)s->to_addrs;
	dc->nrcpt = s->nto;
	dc->sendmail = s->sendmail;
	switch (s->deliver) {
	case CONFIG_DELIVER_IMAP:
		return &deliver_imap;
	case CONFIG_DELIVER_SMTP:
	case CONFIG_DELIVER_LMTP:
		/* submission shares the IMAP account's user, auth and trust
		 * anchors unless told otherwise; LMTP authenticates only
		 * when smtp-user says so */
		dc->url = s->deliver == CONFIG_DELIVER_SMTP ? s->smtp_url :
		    s->lmtp_url;
		dc->tls = tls_of(s->smtp_tls);
		dc->user = s->smtp_user ? s->smtp_user :
		    s->deliver == CONFIG_DELIVER_SMTP ? s->imap_user : NULL;
		dc->ca_file = s->smtp_ca_file ? s->smtp_ca_file :
		    s->imap_ca_file;
		dc->fingerprint = s->smtp_fingerprint;
		dc->auth = s->smtp_auth ? s->smtp_auth : s->imap_auth;
		return s->deliver == CONFIG_DELIVER_SMTP ? &deliver_smtp :
		    &deliver_lmtp;
	case CONFIG_DELIVER_SENDMAIL:
		return &deliver_sendmail;
	default:
		return &deliver_maildir;
	}
}

/* deliver_cfg's password is needed: IMAP, or SMTP/LMTP with a user */
static int
needs_password(const struct config_settings *s, const struct deliver_cfg *dc)
{
	return s->deliver == CONFIG_DELIVER_IMAP ||
	    ((s->deliver == CONFIG_DELIVER_SMTP ||
	    s->deliver == CONFIG_DELIVER_LMTP) && dc->user != NULL);
}

/* The store a feed delivers to, opened on first use. */
struct store *
plan_store(struct plan_stores *ps, const struct config *cfg,
    const struct config_feed *cf)
{
	const struct config_settings *s = &cf->s;
	struct deliver_cfg dc;
	struct store *sto;
	struct buf key = BUF_INIT(0);
	char *password = NULL;
	size_t i;

	buf_printf(&key, "%d|%s|%s|%s", (int)s->deliver,
	    s->deliver == CONFIG_DELIVER_MAILDIR ? s->maildir : "",
	    s->deliver == CONFIG_DELIVER_IMAP ? s->imap_url :
	    s->deliver == CONFIG_DELIVER_SMTP ? s->smtp_url :
	    s->deliver == CONFIG_DELIVER_LMTP ? s->lmtp_url :
	    s->deliver == CONFIG_DELIVER_SENDMAIL ? s->sendmail : "",
	    s->imap_user ? s->imap_user : "");
	/* the envelope is the store's too: a feed with another from or to
	 * gets its own session */
	if (s->deliver != CONFIG_DELIVER_MAILDIR &&
	    s->deliver != CONFIG_DELIVER_IMAP) {
		buf_printf(&key, "|%s|%s", s->envelope_from ?
		    s->envelope_from : s->from_addr,
		    s->smtp_user ? s->smtp_user : "");
		for (i = 0; i < s->nto; i++)
			buf_printf(&key, "|%s", s->to_addrs[i]);
	}
	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].key, key.data) == 0) {
			buf_free(&key);
			return &ps->v[i];
		}
	if (ps->n == PLAN_MAX_STORES) {
		buf_free(&key);
		return NULL;
	}
	sto = &ps->v[ps->n++];
	memset(sto, 0, sizeof(*sto));
	sto->key = buf_steal(&key);
	sto->ops = plan_backend(s, &dc);
	if (ps->force)
		sto->ops = ps->force;
	if (needs_password(s, &dc) && secret_resolve(s->password,
	    s->password_file, s->password_command, cfg->path, &password,
	    sto->err, sizeof(sto->err)) == -1) {
		sto->broken = 1;
		return sto;
	}
	dc.password = password;
	/* stores open as the pass starts: what is left of it bounds a
	 * backend's waits */
	dc.deadline = cfg->run_time_limit > 0 ? time(NULL) +
	    (time_t)cfg->run_time_limit : 0;
	/* imap-connections; smtp-connections for the transports that keep
	 * a connection (each one's message in flight widens the duplicate
	 * window by one, deliver.h); one for the rest */
	sto->sessions = 1;
	if (s->deliver == CONFIG_DELIVER_IMAP && cfg->imap_connections > 1)
		sto->sessions = (size_t)cfg->imap_connections;
	else if ((s->deliver == CONFIG_DELIVER_SMTP ||
	    s->deliver == CONFIG_DELIVER_LMTP) && cfg->smtp_connections > 1)
		sto->sessions = (size_t)cfg->smtp_connections;
	if (sto->sessions > PLAN_MAX_SESSIONS)
		sto->sessions = PLAN_MAX_SESSIONS;
	sto->dc = dc;
	sto->password = password;	/* kept to open more sessions */
	if (sto->ops->open(&sto->ctx, &dc, sto->err, sizeof(sto->err)) !=
	    DELIVER_OK) {
		sto->broken = 1;
		sto->ctx = NULL;
	} else if (sto->ops->size_limit != NULL)
		sto->size_limit = sto->ops->size_limit(sto->ctx);
	return sto;
}

void **
plan_store_session(struct store *sto, size_t i)
{
	if (i >= sto->sessions)
		return NULL;
	return i == 0 ? &sto->ctx : &sto->more[i - 1];
}

enum deliver_status
plan_store_open_slot(struct store *sto, void **slot, char *err,
    size_t errlen)
{
	if (*slot != NULL)
		return DELIVER_OK;
	if (sto->ops->open(slot, &sto->dc, err, errlen) != DELIVER_OK) {
		*slot = NULL;
		return DELIVER_STORE;
	}
	return DELIVER_OK;
}

void
plan_store_break_session(struct store *sto, size_t i, const char *err)
{
	void **slot = plan_store_session(sto, i);

	sto->broken = 1;
	snprintf(sto->err, sizeof(sto->err), "%s", err);
	if (slot != NULL) {
		sto->ops->close(*slot);
		*slot = NULL;
	}
}

void
plan_store_break(struct store *sto, const char *err)
{
	plan_store_break_session(sto, 0, err);
}

enum deliver_status
plan_store_ensure(struct store *sto, const char *folder, char *err,
    size_t errlen)
{
	enum deliver_status ds;
	size_t i;

	for (i = 0; i < sto->nfolders; i++)
		if (strcmp(sto->folders[i], folder) == 0)
			return DELIVER_OK;
	ds = sto->ops->ensure_folder(sto->ctx, folder, err, errlen);
	if (ds == DELIVER_OK) {
		sto->folders = xrealloc(sto->folders,
		    (sto->nfolders + 1) * sizeof(*sto->folders));
		sto->folders[sto->nfolders++] = xstrdup(folder);
	} else if (ds == DELIVER_STORE)
		plan_store_break(sto, err);
	return ds;
}

void
plan_stores_close(struct plan_stores *ps)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++) {
		if (ps->v[i].ctx)
			ps->v[i].ops->close(ps->v[i].ctx);
		for (j = 0; j + 1 < PLAN_MAX_SESSIONS; j++)
			if (ps->v[i].more[j])
				ps->v[i].ops->close(ps->v[i].more[j]);
		secret_free(ps->v[i].password);
		for (j = 0; j < ps->v[i].nfolders; j++)
			free(ps->v[i].folders[j]);
		free(ps->v[i].folders);
		free(ps->v[i].key);
	}
	ps->n = 0;
}

enum deliver_status
plan_reader(const struct config *cfg, const char *folder,
    const struct reader_ops **ops, void **ctx, uint32_t *uidvalidity,
    char *err, size_t errlen)
{
	const struct config_settings *s = &cfg->global;
	struct deliver_cfg dc;
	enum deliver_status ds;
	char *password = NULL;

	*ops = NULL;
	*ctx = NULL;
	if (s->deliver != CONFIG_DELIVER_IMAP) {
		errf(err, errlen, "subscribe-folder: only an IMAP mailbox can "
		    "be read");
		return DELIVER_FOLDER;
	}
	(void)plan_backend(s, &dc);
	if (secret_resolve(s->password, s->password_file,
	    s->password_command, cfg->path, &password, err, errlen) == -1)
		return DELIVER_STORE;
	dc.password = password;
	ds = reader_imap.open(ctx, &dc, folder, uidvalidity, err, errlen);
	secret_free(password);
	if (ds == DELIVER_OK)
		*ops = &reader_imap;
	return ds;
}
