/*
 * subscribe_pass.c - the Subscribe folder's requests, read, acted on and
 * answered exactly once (see subscribe_pass.h for the steps and the one
 * window).  Deciding what a message asks is subscribe.c's, discovering a
 * feed probe.c's, editing the config edit.c's and import.c's, composing
 * the reply notice.c's, reading and writing the folder reader.h's: this
 * file orders the durable steps and words the replies.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "edit.h"
#include "feed.h"
#include "fetch.h"
#include "import.h"
#include "limits.h"
#include "log.h"
#include "message.h"
#include "notice.h"
#include "opml.h"
#include "plan.h"
#include "probe.h"
#include "reader.h"
#include "state.h"
#include "subscribe.h"
#include "subscribe_pass.h"
#include "util.h"

#define FEEDS_LISTED	60	/* feed names a reply lists */
#define OPML_LISTED	300	/* imported feeds a reply lists */

struct sub {
	const struct config *cfg;
	struct state	*st;
	const char	*folder;
	const struct reader_ops *ops;
	void		*ctx;
	uint32_t	 uv;		/* the folder's UIDVALIDITY */
	const char	*public_addrs;
	int		 changed;
	char		 err[ERRLEN];	/* why the folder could not go on */
};

/* A reply being worded: its subject (one line) and text. */
struct reply {
	struct buf	 subject;
	struct buf	 text;
	const char	*in_reply_to;
};

/*
 * Test hook, as deliver.c's: RSS2MAIL_TEST_CRASH=POINT:N kills the
 * process the Nth time it passes POINT ("request-edited": the config is
 * edited, the request still ACTING; "request-acted": the reply
 * journaled, nothing appended or flagged yet; "request-appended": the
 * reply appended, not journaled; "request-replied": the reply appended
 * and journaled, the request not flagged).
 */
static void
test_hook(const char *point)
{
	static long seen;	/* counts the named point only */
	const char *spec;
	char name[32];
	long n;

	if ((spec = getenv("RSS2MAIL_TEST_CRASH")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld", name, &n) == 2 &&
	    strcmp(name, point) == 0 && ++seen == n)
		raise(SIGKILL);
}

/* s as one line: controls become blanks; NULL gives "". */
static char *
clean(const char *s)
{
	char *c = xstrdup(s ? s : "");
	size_t i;

	for (i = 0; c[i]; i++)
		if ((unsigned char)c[i] < ' ' || c[i] == 0x7f)
			c[i] = ' ';
	return c;
}

/*
 * A title as the config file can hold it: a ';' or '#' after a blank
 * would start a comment there, so such blanks go ("A ; B" -> "A; B"), as
 * an OPML import writes titles.  In place.
 */
static void
ini_safe(char *s)
{
	char *start = s, *r = s, *w = s;

	for (; *r == ';' || *r == '#' || *r == ' '; r++)
		;
	for (; *r; r++) {
		if (*r == ';' || *r == '#')
			while (w > start && w[-1] == ' ')
				w--;
		*w++ = *r;
	}
	*w = '\0';
}

static void
say(struct reply *rp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line of the reply's text; the first line said is its subject too. */
static void
say(struct reply *rp, const char *fmt, ...)
{
	va_list ap;
	size_t start = rp->text.len;

	va_start(ap, fmt);
	buf_vprintf(&rp->text, fmt, ap);
	va_end(ap);
	buf_putc(&rp->text, '\n');
	if (rp->subject.len == 0) {
		buf_append(&rp->subject, rp->text.data + start,
		    rp->text.len - start - 1);
		buf_str(&rp->subject);
	}
}

/* The config file as it is now (this pass may have edited it). */
static struct config *
current(struct sub *sb, struct reply *rp)
{
	struct config *c = NULL;
	char err[ERRLEN];

	if (config_load(sb->cfg->path, &c, err, sizeof(err)) == -1) {
		say(rp, "Nothing changed: the config does not load: %s", err);
		return NULL;
	}
	return c;
}

static void
list_feeds(const struct config *c, struct reply *rp)
{
	size_t i;

	if (c == NULL || c->nfeeds == 0) {
		say(rp, "You have no feeds yet.");
		return;
	}
	buf_puts(&rp->text, "Your feeds:");
	for (i = 0; i < c->nfeeds && i < FEEDS_LISTED; i++)
		buf_printf(&rp->text, " %s%s", c->feeds[i].name,
		    c->feeds[i].paused ? " (paused)" : "");
	if (c->nfeeds > FEEDS_LISTED)
		buf_printf(&rp->text, " and %zu more", c->nfeeds -
		    FEEDS_LISTED);
	buf_putc(&rp->text, '\n');
}

static void
help(struct sub *sb, struct reply *rp)
{
	struct config *c = current(sb, rp);

	say(rp, "rss2mail: what this folder understands");
	say(rp, "\nPut a message into %s (save, forward or draft one) "
	    "with:\n"
	    "  a web address (subject or text)  subscribe to its feed (a "
	    "site's address finds it)\n"
	    "  subject \"unsubscribe NAME\"       remove the feed NAME\n"
	    "  subject \"pause NAME\"             stop fetching it for now\n"
	    "  subject \"resume NAME\"            start again\n"
	    "  an OPML file attached            subscribe to every feed in "
	    "it\n"
	    "  a feed's message moved here      pause that feed\n",
	    sb->folder);
	if (c != NULL)
		list_feeds(c, rp);
	config_free(c);
}

/* ---- acting ------------------------------------------------------------ */

static const struct config_feed *
feed_by_url(const struct config *c, const char *url)
{
	size_t i;

	for (i = 0; c != NULL && url != NULL && i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].url, url) == 0)
			return &c->feeds[i];
	return NULL;
}

/*
 * subscribe NAME URL (detail: "TITLE\nNEWEST\nPAGE").  Idempotent: the
 * name already holding this URL is the edit done before a crash.
 */
static void
act_subscribe(struct sub *sb, const char *name, const char *url,
    const char *detail, struct reply *rp)
{
	struct config *c = current(sb, rp);
	const struct config_feed *cf;
	struct buf title = BUF_INIT(0), html = BUF_INIT(0);
	const char *kv[3] = { NULL, NULL, NULL };
	const char *newest = NULL, *page = NULL;
	char *d = xstrdup(detail ? detail : ""), *p, err[ERRLEN];
	size_t k = 0;
	int r;

	if (c == NULL)
		goto out;
	if ((p = strchr(d, '\n')) != NULL) {
		*p++ = '\0';
		newest = p;
		if ((p = strchr(p, '\n')) != NULL) {
			*p++ = '\0';
			page = p;
		}
	}
	if ((cf = config_find_feed(c, name)) == NULL ||
	    strcmp(cf->url, url) != 0) {
		ini_safe(d);
		if (*d) {
			buf_printf(&title, "title=%s", d);
			kv[k++] = title.data;
		}
		if (page && *page) {
			buf_printf(&html, "html-url=%s", page);
			kv[k++] = html.data;
		}
		r = config_add_feed(sb->cfg->path, name, url, kv, err,
		    sizeof(err));
		if (r == -1 && k > 0) {
			/* title and html-url are informational: a value the
			 * config refuses goes, the feed stays */
			kv[0] = NULL;
			r = config_add_feed(sb->cfg->path, name, url, kv, err,
			    sizeof(err));
		}
		if (r == -1) {
			say(rp, "Not subscribed to %s: %s", url, err);
			log_error("subscribe-folder: %s: %s", url, err);
			goto out;
		}
		sb->changed = 1;
	}
	say(rp, "Subscribed: %s \xe2\x80\x94 %s", name, url);
	if (newest && *newest)
		say(rp, "Newest: %s", newest);
	log_warn("subscribe-folder: subscribed %s (%s)", name, url);
out:
	buf_free(&title);
	buf_free(&html);
	free(d);
	config_free(c);
}

/* unsubscribe, pause, resume NAME: each idempotent. */
static void
act_feed(struct sub *sb, const char *op, const char *name,
    struct reply *rp)
{
	struct config *c = current(sb, rp);
	char err[ERRLEN];
	int r;

	if (c == NULL)
		return;
	if (strcmp(op, "unsubscribe") == 0) {
		r = config_find_feed(c, name) == NULL ? 0 :
		    config_remove_feed(sb->cfg->path, name, err, sizeof(err));
		if (r == 0 && state_feed_forget(sb->st, name) == -1)
			log_error("subscribe-folder: state: cannot forget %s",
			    name);
	} else if (strcmp(op, "pause") == 0)
		r = config_set_feed_key(sb->cfg->path, name, "paused", "yes",
		    err, sizeof(err));
	else {
		r = config_set_feed_key(sb->cfg->path, name, "paused", NULL,
		    err, sizeof(err));
		if (r == 0 && state_feed_resume(sb->st, name) == -1)
			log_error("subscribe-folder: state: cannot resume %s",
			    name);
	}
	if (r == -1) {
		say(rp, "Could not %s %s: %s", op, name, err);
		log_error("subscribe-folder: %s %s: %s", op, name, err);
	} else {
		sb->changed = 1;
		say(rp, "%s: %s", strcmp(op, "unsubscribe") == 0 ?
		    "Unsubscribed" : strcmp(op, "pause") == 0 ? "Paused" :
		    "Resumed", name);
		if (strcmp(op, "pause") == 0)
			say(rp, "Send \"resume %s\" to start it again, or "
			    "\"unsubscribe %s\" to remove it.", name, name);
		log_warn("subscribe-folder: %s %s", op, name);
	}
	config_free(c);
}

/* An OPML attachment: imported in one edit (import.h). */
static void
act_opml(struct sub *sb, const char *bytes, size_t len, struct reply *rp)
{
	struct opml *o = NULL;
	struct config_import *imp = NULL;
	const struct config_import_item *it;
	char err[ERRLEN];
	size_t i;

	if (opml_parse(bytes, len, &o, err, sizeof(err)) == -1) {
		say(rp, "Nothing imported: the attachment is not OPML: %s",
		    err);
		log_error("subscribe-folder: OPML: %s", err);
		goto out;
	}
	if (config_import_opml(sb->cfg->path, o, &imp, err,
	    sizeof(err)) == -1) {
		say(rp, "Nothing imported: %s", err);
		log_error("subscribe-folder: OPML: %s", err);
		goto out;
	}
	if (imp->added > 0)
		sb->changed = 1;
	say(rp, "Imported: %zu added, %zu skipped", imp->added,
	    imp->exists + imp->invalid + o->nsites);
	for (i = 0; i < imp->nitems && i < OPML_LISTED; i++) {
		it = &imp->items[i];
		if (it->status == CONFIG_IMPORT_ADDED)
			say(rp, "added    %s \xe2\x80\x94 %s", it->name,
			    it->url);
		else if (it->status == CONFIG_IMPORT_EXISTS)
			say(rp, "skipped  %s: already there as %s", it->url,
			    it->name ? it->name : "?");
		else
			say(rp, "skipped  %s: %s", it->url, it->reason ?
			    it->reason : "not usable");
	}
	if (imp->nitems > OPML_LISTED)
		say(rp, "and %zu more", imp->nitems - OPML_LISTED);
	for (i = 0; i < o->nsites && i < OPML_LISTED; i++)
		say(rp, "skipped  %s: a site without a feed address",
		    o->sites[i].html_url ? o->sites[i].html_url : "?");
	log_warn("subscribe-folder: OPML: %zu added, %zu skipped",
	    imp->added, imp->exists + imp->invalid + o->nsites);
out:
	config_import_free(imp);
	opml_free(o);
}

/* ---- deciding ---------------------------------------------------------- */

/* The title of the feed's newest entry (by date, else its first). */
static const char *
newest_title(const struct feed *f)
{
	const struct entry *e, *best = f->entries;
	int64_t bt = INT64_MIN, t;

	for (e = f->entries; e != NULL; e = e->next) {
		t = e->published.ok ? e->published.t : e->updated.ok ?
		    e->updated.t : INT64_MIN;
		if (t > bt) {
			bt = t;
			best = e;
		}
	}
	return best ? best->title.value : NULL;
}

static int
name_taken(void *ctx, const char *name)
{
	return config_find_feed(ctx, name) != NULL;
}

/*
 * A URL: its feed found and parsed, a name made.  0 with *name, *url and
 * *detail (malloc'd) to act on; 1 when the reply is already said (a
 * failure, or a feed that is configured).
 */
static int
decide_url(struct sub *sb, const char *given, char **name, char **url,
    char **detail, struct reply *rp)
{
	const struct config_settings *s = &sb->cfg->global;
	struct config *c = NULL;
	const struct config_feed *cf;
	struct probe_req pr;
	struct probe pb;
	struct fetch_opts fo;
	struct feed_parse_opts po;
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = NULL;
	char err[2048], *t = NULL, *nt = NULL, *pg = NULL;
	int rv = 1;

	memset(&pr, 0, sizeof(pr));
	memset(&fo, 0, sizeof(fo));
	plan_fetch_opts(sb->cfg, &fo);
	fo.public_addrs = sb->public_addrs;
	pr.url = given;
	pr.allow_private = s->allow_private;
	pr.from_content = 1;
	pr.user_agent = s->user_agent;
	pr.max_size = s->max_feed_size > 0 ? (size_t)s->max_feed_size : 0;
	pr.timeout = (long)s->timeout;
	pr.connect_timeout = (long)s->connect_timeout;
	pr.fo = &fo;
	if (probe_url(&pr, &pb, err, sizeof(err)) == -1) {
		say(rp, "Not subscribed to %s: %s", given, err);
		log_error("subscribe-folder: %s: %s", given, err);
		goto out;
	}
	memset(&po, 0, sizeof(po));
	po.base_url = pb.effective_url;
	po.content_location = pb.content_location;
	if (feed_parse(buf_str(&pb.body), pb.body.len, &po, a, &f, err,
	    sizeof(err)) == -1) {
		say(rp, "Not subscribed to %s: %s", pb.url, err);
		log_error("subscribe-folder: %s: %s", pb.url, err);
		goto out;
	}
	if ((c = current(sb, rp)) == NULL)
		goto out;
	if ((cf = feed_by_url(c, pb.url)) != NULL ||
	    (cf = feed_by_url(c, given)) != NULL) {
		say(rp, "Already subscribed: %s \xe2\x80\x94 %s", cf->name,
		    cf->url);
		goto out;
	}
	t = clean(f->title.value);
	nt = clean(newest_title(f));
	pg = clean(pb.page);
	*name = subscribe_name(f->title.value, pb.url, name_taken, c);
	*url = xstrdup(pb.url);
	*detail = xmalloc(strlen(t) + strlen(nt) + strlen(pg) + 3);
	sprintf(*detail, "%s\n%s\n%s", t, nt, pg);
	rv = 0;
out:
	free(t);
	free(nt);
	free(pg);
	config_free(c);
	probe_free(&pb);
	arena_free(a);
	return rv;
}

/* A feed named in a command, or the feed of a moved message: *name, or
 * 1 when the reply says it is not there. */
static int
decide_feed(struct sub *sb, const struct subscribe_req *req, char **name,
    struct reply *rp)
{
	struct config *c = current(sb, rp);
	const struct config_feed *cf;
	int rv = 1;

	if (c == NULL)
		return 1;
	if (req->op == SUBSCRIBE_MOVED) {
		if ((cf = feed_by_url(c, req->feed_url)) == NULL) {
			say(rp, "No feed with the address %s is configured",
			    req->feed_url);
			list_feeds(c, rp);
			goto out;
		}
	} else if ((cf = config_find_feed(c, req->arg)) == NULL) {
		say(rp, "No feed named %s", req->arg);
		list_feeds(c, rp);
		goto out;
	}
	*name = xstrdup(cf->name);
	rv = 0;
out:
	config_free(c);
	return rv;
}

/* ---- the durable steps ------------------------------------------------- */

/* Flag the request \Seen \Answered, then journal it done. */
static int
finish(struct sub *sb, uint32_t uid)
{
	enum deliver_status ds;

	/* a refusal (a read-only folder) is logged, and the request is done
	 * all the same: it must not hold up the ones after it */
	if ((ds = sb->ops->answered(sb->ctx, uid, sb->err,
	    sizeof(sb->err))) == DELIVER_STORE)
		return -1;
	if (ds != DELIVER_OK)
		log_error("subscribe-folder: request %lu: %s",
		    (unsigned long)uid, sb->err);
	if (state_request_set_step(sb->st, sb->folder, sb->uv, uid,
	    STATE_REQ_DONE) == -1) {
		errf(sb->err, sizeof(sb->err), "state: cannot record request "
		    "%lu", (unsigned long)uid);
		return -1;
	}
	return 0;
}

/* Append the journaled reply unless a crash left it there already. */
static int
send_reply(struct sub *sb, uint32_t uid, const char *msgid,
    const char *msg, size_t len)
{
	enum deliver_status ds;
	int found = 0;

	if (msg != NULL && len > 0) {
		ds = sb->ops->has_msgid(sb->ctx, msgid, &found, sb->err,
		    sizeof(sb->err));
		if (ds == DELIVER_STORE)
			return -1;
		/* a refused reply (over quota) is logged and lost rather
		 * than holding up the requests after it */
		if (!found && (ds = sb->ops->append(sb->ctx, msg, len,
		    sb->err, sizeof(sb->err))) != DELIVER_OK) {
			if (ds == DELIVER_STORE)
				return -1;
			log_error("subscribe-folder: the reply to request %lu: "
			    "%s", (unsigned long)uid, sb->err);
		}
	}
	test_hook("request-appended");
	if (state_request_set_step(sb->st, sb->folder, sb->uv, uid,
	    STATE_REQ_REPLIED) == -1) {
		errf(sb->err, sizeof(sb->err), "state: cannot record request "
		    "%lu", (unsigned long)uid);
		return -1;
	}
	test_hook("request-replied");
	return finish(sb, uid);
}

/* Compose the reply, journal it (ACTED), then append it and flag. */
static int
answer(struct sub *sb, uint32_t uid, struct reply *rp)
{
	const struct config_settings *s = &sb->cfg->global;
	struct buf msg = BUF_INIT(LIM_MESSAGE), key = BUF_INIT(0),
	    where = BUF_INIT(0);
	struct msg_ident id;
	struct notice nt;
	const char *k;
	int rv = -1;

	/* stable: the same request always gets the same Message-ID, so a
	 * reply a crash left in the folder is found again */
	buf_printf(&key, "subscribe:%lu.%lu", (unsigned long)sb->uv,
	    (unsigned long)uid);
	buf_printf(&where, "rss2mail:subscribe-folder:%s", sb->folder);
	k = key.data;
	msg_identity(where.data, MSG_ENTRY, &k, 1, NULL, &id);
	memset(&nt, 0, sizeof(nt));
	nt.from_addr = s->from_addr;
	nt.to = s->to;
	nt.msgid = id.msgid;
	nt.date = time(NULL);
	nt.feed_name = "subscribe";
	nt.subject = buf_str(&rp->subject);
	nt.text = buf_str(&rp->text);
	nt.in_reply_to = rp->in_reply_to;
	nt.reply_header = READER_REPLY_HEADER;
	if (notice_compose(&nt, &msg) == -1) {
		/* a subject or text that cannot be written: say less */
		buf_reset(&msg);
		nt.subject = "rss2mail: your request was handled";
		nt.text = "The reply could not be composed.\n";
		nt.in_reply_to = NULL;
		if (notice_compose(&nt, &msg) == -1)
			buf_reset(&msg);
	}
	if (state_request_acted(sb->st, sb->folder, sb->uv, uid, id.msgid,
	    msg.data, msg.len) == -1) {
		errf(sb->err, sizeof(sb->err), "state: cannot record request "
		    "%lu", (unsigned long)uid);
		goto out;
	}
	test_hook("request-acted");
	rv = send_reply(sb, uid, id.msgid, msg.data, msg.len);
out:
	msg_ident_clear(&id);
	buf_free(&msg);
	buf_free(&key);
	buf_free(&where);
	return rv;
}

/* Journal what is about to be done (ACTING), then do it. */
static int
acting(struct sub *sb, uint32_t uid, const char *op, const char *name,
    const char *url, const char *detail)
{
	if (state_request_acting(sb->st, sb->folder, sb->uv, uid, op, name,
	    url, detail) == -1) {
		errf(sb->err, sizeof(sb->err), "state: cannot record request "
		    "%lu", (unsigned long)uid);
		return -1;
	}
	return 0;
}

static void
reply_init(struct reply *rp, const char *in_reply_to)
{
	buf_init(&rp->subject, LIM_ONELINE);
	buf_init(&rp->text, LIM_MESSAGE / 2);
	rp->in_reply_to = in_reply_to;
}

static void
reply_free(struct reply *rp)
{
	buf_free(&rp->subject);
	buf_free(&rp->text);
}

/* A request seen for the first time (or an import cut short). */
static int
fresh(struct sub *sb, uint32_t uid)
{
	static const char *const ops[] = {
		[SUBSCRIBE_UNSUBSCRIBE] = "unsubscribe",
		[SUBSCRIBE_PAUSE] = "pause",
		[SUBSCRIBE_RESUME] = "resume",
		[SUBSCRIBE_MOVED] = "pause",
	};
	struct subscribe_req req;
	struct reply rp;
	enum deliver_status ds;
	char *data = NULL, *name = NULL, *url = NULL, *detail = NULL;
	size_t len, size;
	int rv = -1;

	memset(&req, 0, sizeof(req));
	ds = sb->ops->fetch(sb->ctx, uid, SUBSCRIBE_MSG_MAX, &data, &len,
	    &size, sb->err, sizeof(sb->err));
	if (ds == DELIVER_MSG) {	/* gone (deleted meanwhile) */
		log_info("subscribe-folder: %s", sb->err);
		return state_request_set_step(sb->st, sb->folder, sb->uv, uid,
		    STATE_REQ_DONE) == -1 ? -1 : 0;
	}
	if (ds != DELIVER_OK)
		return -1;
	subscribe_parse(data, len, &req);
	reply_init(&rp, req.msgid);
	if (req.op == SUBSCRIBE_IGNORE) {	/* one of ours: left unseen */
		rv = state_request_set_step(sb->st, sb->folder, sb->uv, uid,
		    STATE_REQ_DONE);
		goto out;
	}
	if (size > SUBSCRIBE_MSG_MAX) {
		say(&rp, "Not read: the message is too large (%zu bytes, at "
		    "most %d are read)", size, SUBSCRIBE_MSG_MAX);
		log_error("subscribe-folder: request %lu: too large (%zu "
		    "bytes)", (unsigned long)uid, size);
		help(sb, &rp);
		rv = answer(sb, uid, &rp);
		goto out;
	}
	switch (req.op) {
	case SUBSCRIBE_URL:
		if (decide_url(sb, req.arg, &name, &url, &detail, &rp) == 0) {
			if (acting(sb, uid, "subscribe", name, url, detail) ==
			    -1)
				goto out;
			act_subscribe(sb, name, url, detail, &rp);
		}
		break;
	case SUBSCRIBE_UNSUBSCRIBE:
	case SUBSCRIBE_PAUSE:
	case SUBSCRIBE_RESUME:
	case SUBSCRIBE_MOVED:
		if (decide_feed(sb, &req, &name, &rp) == 0) {
			if (acting(sb, uid, ops[req.op], name, NULL, NULL) ==
			    -1)
				goto out;
			act_feed(sb, ops[req.op], name, &rp);
		}
		break;
	case SUBSCRIBE_OPML:
		if (acting(sb, uid, "opml", NULL, NULL, NULL) == -1)
			goto out;
		act_opml(sb, req.opml, req.opml_len, &rp);
		break;
	default:
		log_warn("subscribe-folder: request %lu: not understood "
		    "(\"%s\"): replied with the commands", (unsigned long)uid,
		    req.subject ? req.subject : "");
		help(sb, &rp);
		break;
	}
	test_hook("request-edited");
	rv = answer(sb, uid, &rp);
out:
	reply_free(&rp);
	subscribe_req_clear(&req);
	free(data);
	free(name);
	free(url);
	free(detail);
	return rv;
}

/* A request where a crash left it (see subscribe_pass.h). */
static int
request(struct sub *sb, uint32_t uid)
{
	struct state_request row;
	struct reply rp;
	int rv;

	if (state_request_get(sb->st, sb->folder, sb->uv, uid, &row) == -1) {
		errf(sb->err, sizeof(sb->err), "state: cannot read request "
		    "%lu", (unsigned long)uid);
		return -1;
	}
	switch (row.step) {
	case STATE_REQ_ACTING:
		if (row.op == NULL || strcmp(row.op, "opml") == 0 ||
		    row.name == NULL) {
			rv = fresh(sb, uid);	/* importing again is safe */
			break;
		}
		log_warn("subscribe-folder: request %lu: finishing what an "
		    "earlier pass began (%s %s)", (unsigned long)uid, row.op,
		    row.name);
		reply_init(&rp, NULL);
		if (strcmp(row.op, "subscribe") == 0)
			act_subscribe(sb, row.name, row.url ? row.url : "",
			    row.detail, &rp);
		else
			act_feed(sb, row.op, row.name, &rp);
		rv = answer(sb, uid, &rp);
		reply_free(&rp);
		break;
	case STATE_REQ_ACTED:
		rv = send_reply(sb, uid, row.msgid ? row.msgid : "",
		    row.reply, row.len);
		break;
	case STATE_REQ_REPLIED:
	case STATE_REQ_DONE:
		rv = finish(sb, uid);
		break;
	default:
		rv = fresh(sb, uid);
		break;
	}
	state_request_clear(&row);
	return rv;
}

/* -1 when a feed delivers into the Subscribe folder: its messages would
 * all be taken for requests to pause it. */
static int
feeds_folder(const struct config *cfg, char *err, size_t errlen)
{
	char *f;
	size_t i;
	int clash;

	for (i = 0; i < cfg->nfeeds; i++) {
		f = plan_folder(&cfg->feeds[i]);
		clash = strcmp(f, cfg->subscribe_folder) == 0;
		free(f);
		if (clash) {
			errf(err, errlen, "it is also the folder of feed %s: "
			    "not read", cfg->feeds[i].name);
			return -1;
		}
	}
	return 0;
}

int
subscribe_pass(const struct config *cfg, struct state *st,
    const char *public_addrs, int *changed, char *err, size_t errlen)
{
	struct sub sb;
	uint32_t *uids = NULL, last = 0;
	size_t i, n = 0;
	int rv = -1;

	*changed = 0;
	if (cfg->subscribe_folder == NULL)
		return 0;
	memset(&sb, 0, sizeof(sb));
	sb.cfg = cfg;
	sb.st = st;
	sb.folder = cfg->subscribe_folder;
	sb.public_addrs = public_addrs;
	if (feeds_folder(cfg, sb.err, sizeof(sb.err)) == -1 ||
	    plan_reader(cfg, sb.folder, &sb.ops, &sb.ctx, &sb.uv, sb.err,
	    sizeof(sb.err)) != DELIVER_OK)
		goto out;
	if (state_request_last(st, sb.folder, sb.uv, &last) == -1) {
		errf(sb.err, sizeof(sb.err), "state: cannot read the requests");
		goto out;
	}
	if (sb.ops->search(sb.ctx, last, &uids, &n, sb.err,
	    sizeof(sb.err)) != DELIVER_OK)
		goto out;
	if (n > 0)
		log_info("subscribe-folder: %zu new request%s in %s", n,
		    n == 1 ? "" : "s", sb.folder);
	for (i = 0; i < n && i < SUBSCRIBE_PER_PASS; i++)
		if (request(&sb, uids[i]) == -1)
			goto out;
	rv = 0;
out:
	if (rv == -1)
		errf(err, errlen, "subscribe-folder %s: %s",
		    cfg->subscribe_folder, sb.err);
	*changed = sb.changed;
	if (sb.ops != NULL)
		sb.ops->close(sb.ctx);
	free(uids);
	return rv;
}

void
subscribe_requests(struct config **cfg, struct state *st,
    const char *public_addrs)
{
	struct config *ncfg = NULL;
	char err[ERRLEN];
	int changed = 0;

	if ((*cfg)->subscribe_folder == NULL)
		return;
	if (subscribe_pass(*cfg, st, public_addrs, &changed, err,
	    sizeof(err)) == -1)
		log_error("%s", err);
	if (!changed)
		return;
	if (config_load((*cfg)->path, &ncfg, err, sizeof(err)) == -1) {
		log_error("subscribe-folder: %s", err);
		return;
	}
	config_free(*cfg);
	*cfg = ncfg;
}
