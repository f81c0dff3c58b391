/*
 * health.c - failures, backoff, redirects, 410 and health notices (see
 * health.h).  The decisions are pure functions; the rest records them
 * through state.c's typed setters and queues notices like entries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fetch.h"
#include "health.h"
#include "limits.h"
#include "log.h"
#include "message.h"
#include "notice.h"
#include "pass.h"
#include "run.h"
#include "sha256.h"
#include "state.h"
#include "util.h"

long long
health_delay(const char *name, long failures, long retry_after)
{
	long long delay;
	unsigned char h[SHA256_LEN];

	if (retry_after > 0)
		return retry_after < HEALTH_RETRY_AFTER_MAX ? retry_after :
		    HEALTH_RETRY_AFTER_MAX;
	if (failures < 2)
		return 0;
	delay = (long long)HEALTH_BACKOFF_BASE << (failures - 2 < 8 ?
	    failures - 2 : 8);
	if (delay > HEALTH_BACKOFF_MAX)
		delay = HEALTH_BACKOFF_MAX;
	sha256(name, strlen(name), h);
	delay += delay / 10 * ((long long)(h[0] % 201) - 100) / 100;
	return delay;
}

enum health_redirect
health_redirect_step(const char *candidate, int status, const char *from,
    const char *to)
{
	if ((status != 301 && status != 308) || to == NULL ||
	    strcmp(to, from) == 0)
		return candidate ? HEALTH_REDIRECT_FORGET : HEALTH_REDIRECT_NONE;
	if (candidate && strcmp(candidate, to) == 0)
		return HEALTH_REDIRECT_MOVE;
	return HEALTH_REDIRECT_CANDIDATE;
}

enum health_notice
health_notice_kind(int failing, int failed, int polled, long failures,
    int reported, long report_after)
{
	if (failing)
		return reported || report_after <= 0 ||
		    failures < report_after ? HEALTH_NOTICE_NONE :
		    HEALTH_NOTICE_FAILING;
	return failed || !polled || !reported ? HEALTH_NOTICE_NONE :
	    HEALTH_NOTICE_RECOVERED;
}

void
health_notice_text(enum health_notice kind, const char *name,
    const char *url, const char *error, long failures, time_t start,
    struct buf *subj, struct buf *text)
{
	char since[40];

	util_rfc5322_date(start, since);
	if (kind == HEALTH_NOTICE_FAILING) {
		buf_printf(subj, "rss2mail: feed %s is failing", name);
		buf_printf(text, "The feed %s has failed %ld runs in a row.\n\n"
		    "URL:    %s\nError:  %s\nSince:  %s\n\nWhat to do:\n"
		    "- open the URL in a browser: is the site still there?\n"
		    "- `rss2mail parse %s` shows what rss2mail sees;\n"
		    "- a new address: edit url in the config file;\n"
		    "- `rss2mail pause %s` stops polling it, `rss2mail "
		    "remove %s` drops it.\n\nrss2mail keeps trying; you will "
		    "get one more message when it works again.\n", name,
		    failures, url, error ? error : "?", since, url, name,
		    name);
	} else {
		buf_printf(subj, "rss2mail: feed %s works again", name);
		buf_printf(text, "The feed %s works again; it had been failing "
		    "since %s.\n\nURL: %s\n", name, since, url);
	}
}

static void
state_failed(int rc, const char *name, const char *what)
{
	if (rc == -1)
		log_error("feed %s: state: cannot record %s", name, what);
}

void
health_fail(struct run *r, struct feed_run *fr, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fr->failed)
		return;		/* one line per failing feed */
	fr->failed = 1;
	fr->error = xstrdup(msg);
	r->stats->failed++;
	log_error("feed %s: %s", fr->cf->name, msg);
	state_failed(state_feed_poll_failed(r->st, fr->cf->name, r->now, msg),
	    fr->cf->name, "the failure");
}

/*
 * A feed that failed to fetch or parse is skipped until due (health_delay;
 * run_pass skips it while next_due is ahead).
 */
void
health_backoff(struct run *r, struct feed_run *fr, long retry_after)
{
	long long delay = health_delay(fr->cf->name, fr->sf.failures + 1,
	    retry_after);

	if (delay == 0)
		return;
	if (state_feed_set_next_due(r->st, fr->cf->name,
	    r->now + (time_t)delay) == -1)
		log_error("feed %s: state: cannot record the backoff",
		    fr->cf->name);
	else
		log_info("feed %s: next try in %llds", fr->cf->name, delay);
}

void
health_redirect(struct run *r, struct feed_run *fr,
    const struct fetch_req *req)
{
	const char *to = req->effective_url;
	const char *name = fr->cf->name;

	switch (health_redirect_step(fr->sf.redirect_candidate,
	    req->redirect_status, req->url, to)) {
	case HEALTH_REDIRECT_NONE:
		break;
	case HEALTH_REDIRECT_FORGET:
		state_failed(state_feed_set_redirect_candidate(r->st, name,
		    NULL), name, "the redirect");
		break;
	case HEALTH_REDIRECT_MOVE:
		state_failed(state_feed_set_moved(r->st, name, to), name,
		    "the redirect");
		log_warn("feed %s: moved permanently to %s; polling that now "
		    "(`rss2mail list` shows it)", name, to);
		break;
	case HEALTH_REDIRECT_CANDIDATE:
		state_failed(state_feed_set_redirect_candidate(r->st, name,
		    to), name, "the redirect");
		break;
	}
}

void
health_gone(struct run *r, struct feed_run *fr, const struct fetch_req *req)
{
	health_fail(r, fr, "fetch %s: HTTP 410 Gone; the feed is paused "
	    "(`rss2mail resume %s` polls it again)", req->url, fr->cf->name);
	fr->source_failed = 1;
	state_failed(state_feed_set_gone(r->st, fr->cf->name), fr->cf->name,
	    "that it is gone");
}

/*
 * Feed health: a feed that failed report-after runs in a row gets one
 * notice in its folder, and one more when it works again; never a mail per
 * run.  Notices go through the journal like entries, under an id that
 * names the failure streak, so each is delivered exactly once too.
 */
int
health_notice(struct run *r, struct feed_run *fr, struct msg *out,
    struct buf *subject)
{
	const struct config_feed *cf = fr->cf;
	struct buf text = BUF_INIT(0), msg = BUF_INIT(0);
	struct notice nt;
	const char *key;
	char id[96];
	long failures = fr->sf.failures + 1;
	time_t start = fr->sf.failing_since ? fr->sf.failing_since : r->now;
	int failing = fr->failed && fr->source_failed, rv = 0;
	enum health_notice kind;

	memset(out, 0, sizeof(*out));
	kind = health_notice_kind(failing, fr->failed, fr->polled, failures,
	    fr->sf.reported, cf->s.report_after);
	if (kind == HEALTH_NOTICE_NONE)
		return 0;
	snprintf(id, sizeof(id), "rss2mail:health:%s:%lld", failing ?
	    "failing" : "recovered", (long long)start);
	key = id;
	msg_identity(cf->url, MSG_ENTRY, &key, 1, NULL, &out->id);
	if (state_entry_get(r->st, cf->name, out->id.key) != STATE_NEW)
		goto out;
	health_notice_text(kind, cf->name, cf->url, fr->error, failures, start,
	    subject, &text);
	memset(&nt, 0, sizeof(nt));
	nt.from_addr = cf->s.from_addr;
	nt.to = cf->s.to;
	nt.msgid = out->id.msgid;
	nt.date = r->now;
	nt.feed_name = cf->name;
	nt.subject = buf_str(subject);
	nt.text = text.data;
	if (notice_compose(&nt, &msg) == -1) {
		rv = -1;
		goto out;
	}
	out->len = msg.len;
	out->data = buf_steal(&msg);
	out->date = r->now;
	state_failed(state_feed_set_reported(r->st, cf->name, failing),
	    cf->name, "the notice");
	rv = 1;
out:
	if (rv != 1)
		msg_free(out);
	buf_free(&msg);
	buf_free(&text);
	return rv;
}
