/*
 * test_run.c - the pass orchestration against a fake fetcher (this file
 * defines fetch.h's functions, so the real fetch.c is never linked) and a
 * fake delivery backend that can fail the Nth append, refuse one message,
 * or store a batch and then lose the connection before saying OK.
 *
 * The property under test: every entry ends up stored exactly once, and
 * nothing is recorded as delivered that the store did not confirm.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "fetch.h"
#include "message.h"
#include "run.h"
#include "state.h"
#include "util.h"

/* ---- the fake fetcher ---- */

#define NFEEDS	4		/* three feeds and a web page */
static struct {
	const char	*url;
	char		*body;		/* NULL: connection refused */
	const char	*etag;
	char		 seen_etag[64];	/* what the last request carried */
	int		 requests;
} fake_http[NFEEDS];

int
fetch_global_init(char *err, size_t errlen)
{
	return 0;
}

void
fetch_global_cleanup(void)
{
}

void
fetch_req_clear(struct fetch_req *r)
{
	buf_free(&r->body);
	free(r->etag_out);
	free(r->last_modified_out);
	free(r->content_type);
	free(r->content_location);
	free(r->effective_url);
	r->etag_out = r->last_modified_out = r->content_type = NULL;
	r->content_location = r->effective_url = NULL;
}

static void
fake_serve(struct fetch_req *r, fetch_done_fn *done, void *ctx)
{
	size_t k;

	for (k = 0; k < NFEEDS; k++)
		if (fake_http[k].url && strcmp(fake_http[k].url, r->url) == 0)
			break;
	buf_init(&r->body, 0);
	if (k == NFEEDS || fake_http[k].body == NULL) {
		r->result = FETCH_ERROR;
		snprintf(r->err, sizeof(r->err), "connect to %s: "
		    "Connection refused", r->url);
	} else {
		fake_http[k].requests++;
		snprintf(fake_http[k].seen_etag,
		    sizeof(fake_http[k].seen_etag), "%s",
		    r->etag ? r->etag : "");
		if (r->etag && strcmp(r->etag, fake_http[k].etag) == 0)
			r->result = FETCH_NOT_MODIFIED;
		else {
			r->result = FETCH_OK;
			r->status = 200;
			buf_puts(&r->body, fake_http[k].body);
			r->etag_out = xstrdup(fake_http[k].etag);
		}
	}
	done(r, ctx);
	buf_free(&r->body);
}

int
fetch_run(struct fetch_req *reqs, size_t n, const struct fetch_opts *o,
    fetch_done_fn *done, void *ctx, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		fake_serve(&reqs[i], done, ctx);
	return 0;
}

/* The loop: requests served in the order added, then ticks until the
 * tick waits for nothing. */
#define FAKE_LOOP	64
struct fetch_loop {
	struct {
		struct fetch_req *r;
		fetch_done_fn	*done;
		void		*ctx;
	} q[FAKE_LOOP];
	size_t	 n, next;
};

struct fetch_loop *
fetch_loop_new(const struct fetch_opts *o, char *err, size_t errlen)
{
	return xcalloc(1, sizeof(struct fetch_loop));
}

void
fetch_loop_add(struct fetch_loop *l, struct fetch_req *r,
    fetch_done_fn *done, void *ctx)
{
	assert_true(l->n < FAKE_LOOP);
	l->q[l->n].r = r;
	l->q[l->n].done = done;
	l->q[l->n++].ctx = ctx;
}

int
fetch_loop_cancel(struct fetch_loop *l, struct fetch_req *r,
    const char *why)
{
	return 0;		/* everything is served at once */
}

int
fetch_loop_run(struct fetch_loop *l, fetch_tick_fn *tick, void *ctx,
    char *err, size_t errlen)
{
	int fds[FETCH_WATCH_MAX];
	size_t nfds, rounds = 0;

	for (;;) {
		while (l->next < l->n) {
			l->next++;
			fake_serve(l->q[l->next - 1].r,
			    l->q[l->next - 1].done, l->q[l->next - 1].ctx);
		}
		if (tick == NULL || tick(ctx, fds, &nfds) < 0 ||
		    ++rounds > 10000)
			if (l->next == l->n)
				break;
	}
	return 0;
}

void
fetch_loop_hold(struct fetch_loop *l, int lane, int hold)
{
}

void
fetch_loop_free(struct fetch_loop *l)
{
	free(l);
}

/* ---- the fake store ---- */

#define FAKE_MAX	256
static struct {
	char	*folder[FAKE_MAX];
	char	*msgid[FAKE_MAX];
	int	 n;
	int	 appends;		/* messages offered */
	int	 fail_after;		/* store this many, then DELIVER_STORE */
	int	 lose_ok;		/* store the batch, then report STORE */
	const char *refuse;		/* Message-ID substring -> DELIVER_MSG */
	int	 refuse_perm;		/* ... refused for good (else: not
					   said how, so it stays pending) */
	size_t	 refuse_over;		/* longer: DELIVER_REFUSED_TOOBIG */
	size_t	 longest;		/* longest message stored */
	int	 searches;
	char	 last_flags[64];	/* flags of the last message appended */
	int	 mismatch;		/* appends whose Message-ID header is
					   not the msgid they were handed with */
	int	 opens;			/* sessions opened */
	int	 open_fail_from;	/* the Nth open and later fail */
	int	 slow;			/* each append takes 200 ms */
	int	 active, max_active;	/* appends at the same time */
} fake;

/* imap-connections: several delivery threads call the fake at once */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

/* The Message-ID header of a CRLF message into out ("" when none). */
static void
header_msgid(const char *m, char *out)
{
	const char *p = strstr(m, "\r\nMessage-ID: "), *e;

	out[0] = '\0';
	if (p == NULL || (e = strstr(p + 14, "\r\n")) == NULL)
		return;
	snprintf(out, MSG_ID_LEN, "%.*s", (int)(e - p - 14), p + 14);
}

/* The Message-ID msg_identity gives an entry of a feed. */
static void
entry_msgid(const char *feed_url, const char *entry_id, char *out)
{
	struct msg_ident mi;

	msg_identity(feed_url, MSG_ENTRY, &entry_id, 1, NULL, &mi);
	snprintf(out, MSG_ID_LEN, "%s", mi.msgid);
	msg_ident_clear(&mi);
}

static void
fake_reset(void)
{
	int i;

	for (i = 0; i < fake.n; i++) {
		free(fake.folder[i]);
		free(fake.msgid[i]);
	}
	memset(&fake, 0, sizeof(fake));
	fake.fail_after = -1;
}

static enum deliver_status
fk_open(void **ctx, const struct deliver_cfg *c, char *err, size_t errlen)
{
	int refuse;

	pthread_mutex_lock(&fake_lock);
	fake.opens++;
	refuse = fake.open_fail_from && fake.opens >= fake.open_fail_from;
	pthread_mutex_unlock(&fake_lock);
	if (refuse) {
		snprintf(err, errlen, "imap test: too many connections");
		return DELIVER_STORE;
	}
	*ctx = &fake;
	return DELIVER_OK;
}

static enum deliver_status
fk_ensure(void *ctx, const char *folder, char *err, size_t errlen)
{
	return DELIVER_OK;
}

static int
fk_count(const char *folder, const char *msgid)
{
	int i, c = 0;

	for (i = 0; i < fake.n; i++)
		if (strcmp(fake.folder[i], folder) == 0 &&
		    strcmp(fake.msgid[i], msgid) == 0)
			c++;
	return c;
}

static enum deliver_status
fk_has(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	fake.searches++;
	*found = fk_count(folder, msgid) > 0;
	return DELIVER_OK;
}

static enum deliver_status fk_append_locked(void *, const char *,
    struct deliver_msg *, size_t, size_t *, char *, size_t);

static enum deliver_status
fk_append(void *ctx, const char *folder, struct deliver_msg *m, size_t n,
    size_t *done, char *err, size_t errlen)
{
	enum deliver_status ds;

	pthread_mutex_lock(&fake_lock);
	if (++fake.active > fake.max_active)
		fake.max_active = fake.active;
	pthread_mutex_unlock(&fake_lock);
	if (fake.slow)
		usleep(200000);
	pthread_mutex_lock(&fake_lock);
	ds = fk_append_locked(ctx, folder, m, n, done, err, errlen);
	fake.active--;
	pthread_mutex_unlock(&fake_lock);
	return ds;
}

static enum deliver_status
fk_append_locked(void *ctx, const char *folder, struct deliver_msg *m,
    size_t n, size_t *done, char *err, size_t errlen)
{
	size_t i;

	*done = 0;
	for (i = 0; i < n; i++) {
		if (fake.fail_after == 0) {
			snprintf(err, errlen, "imap test: connection lost");
			return DELIVER_STORE;
		}
		if (fake.refuse && strstr(m[i].msgid, fake.refuse)) {
			snprintf(err, errlen, "APPEND refused: too large");
			if (fake.refuse_perm)
				m[i].refused = DELIVER_REFUSED_PERM;
			return DELIVER_MSG;
		}
		if (fake.refuse_over && m[i].len > fake.refuse_over) {
			snprintf(err, errlen, "NO [TOOBIG] message too big");
			m[i].refused = DELIVER_REFUSED_TOOBIG;
			return DELIVER_MSG;
		}
		if (m[i].len > fake.longest)
			fake.longest = m[i].len;
		assert_true(fake.n < FAKE_MAX);
		assert_non_null(strstr(m[i].data, "\r\n\r\n"));
		{
			char hdr[MSG_ID_LEN];

			header_msgid(m[i].data, hdr);
			if (strcmp(hdr, m[i].msgid) != 0)
				fake.mismatch++;
		}
		fake.folder[fake.n] = xstrdup(folder);
		fake.msgid[fake.n++] = xstrdup(m[i].msgid);
		snprintf(fake.last_flags, sizeof(fake.last_flags), "%s",
		    m[i].flags ? m[i].flags : "");
		fake.appends++;
		if (fake.fail_after > 0)
			fake.fail_after--;
		if (!fake.lose_ok)
			(*done)++;
	}
	if (fake.lose_ok) {
		snprintf(err, errlen, "imap test: connection lost before OK");
		return DELIVER_STORE;
	}
	return DELIVER_OK;
}

static void
fk_close(void *ctx)
{
}

static enum deliver_status
fk_remove(void *ctx, const char *folder, const char *msgid, char **flags,
    char *err, size_t errlen)
{
	int i, j;

	*flags = NULL;
	for (i = 0; i < fake.n; i++)
		if (strcmp(fake.folder[i], folder) == 0 &&
		    strcmp(fake.msgid[i], msgid) == 0) {
			*flags = xstrdup("\\Seen");	/* the reader read it */
			free(fake.folder[i]);
			free(fake.msgid[i]);
			for (j = i; j + 1 < fake.n; j++) {
				fake.folder[j] = fake.folder[j + 1];
				fake.msgid[j] = fake.msgid[j + 1];
			}
			fake.n--;
			i--;
		}
	return DELIVER_OK;
}

static const struct deliver_ops fake_ops = {
	.name = "fake",
	.open = fk_open,
	.ensure_folder = fk_ensure,
	.has_msgid = fk_has,
	.append = fk_append,
	.close = fk_close,
	.remove_msgid = fk_remove,
};

/* ---- fixtures ---- */

static char dir[64];
static struct config *cfg;
static struct state *st;

static char *
make_rss(const char *name, int n)
{
	struct buf b = BUF_INIT(0);
	int i;

	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>Feed %s</title>"
	    "<link>http://%s.test/</link><description>d</description>\n",
	    name, name);
	for (i = 0; i < n; i++)
		buf_printf(&b, "<item><title>%s post %d — ünïcode</title>"
		    "<link>http://%s.test/%d</link><guid>%s-%d</guid>"
		    "<pubDate>Thu, 26 Nov 2026 07:%02d:00 +0000</pubDate>"
		    "<description>&lt;p&gt;Body %d&lt;/p&gt;</description>"
		    "</item>\n", name, i, name, i, name, i, i % 60, i);
	buf_puts(&b, "</channel></rss>\n");
	return buf_steal(&b);
}

static int
setup(void **unused)
{
	struct buf text = BUF_INIT(0);
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/rss2mail-run-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	buf_printf(&text, "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
	    "to = me@example.org\nmaildir = %s/Mail\nstate = %s/state.db\n\n"
	    "[feed.a]\nurl = http://a.test/feed\n\n"
	    "[feed.b]\nurl = http://b.test/feed\n\n"
	    "[feed.c]\nurl = http://c.test/feed\nfolder = Other\n", dir, dir);
	if (config_parse("test.ini", text.data, text.len, &cfg, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	buf_free(&text);
	if (state_open(cfg->state, &st, err, sizeof(err)) == -1)
		return -1;
	fake_reset();
	memset(fake_http, 0, sizeof(fake_http));
	fake_http[0].url = "http://a.test/feed";
	fake_http[0].body = make_rss("a", 5);
	fake_http[0].etag = "\"a1\"";
	fake_http[1].url = "http://b.test/feed";
	fake_http[1].body = make_rss("b", 3);
	fake_http[1].etag = "\"b1\"";
	fake_http[2].url = "http://c.test/feed";
	fake_http[2].body = make_rss("c", 2);
	fake_http[2].etag = "\"c1\"";
	return 0;
}

static int
teardown(void **unused)
{
	char cmd[128];
	int i;

	for (i = 0; i < NFEEDS; i++)
		free(fake_http[i].body);
	fake_reset();
	state_close(st);
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#define T0	1800000000

static int
pass_at(struct run_stats *s, time_t now)
{
	struct run_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.ops = &fake_ops;
	o.no_settle = 1;	/* the fake store has no append in flight */
	o.now = now;
	return run_pass(cfg, st, &o, s, err, sizeof(err));
}

static int
pass(struct run_stats *s)
{
	return pass_at(s, T0);
}

/* every entry stored exactly once, in its folder */
static void
assert_exactly_once(void)
{
	int i, j;

	assert_int_equal(fake.n, 10);
	for (i = 0; i < fake.n; i++)
		for (j = i + 1; j < fake.n; j++)
			assert_false(strcmp(fake.msgid[i], fake.msgid[j]) == 0
			    && strcmp(fake.folder[i], fake.folder[j]) == 0);
}

static long
pending_count(void)
{
	struct state_pending *p;
	size_t n;

	assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
	state_pending_free(p, n);
	return (long)n;
}

static void
test_delivers_once(void **unused)
{
	struct run_stats s;
	struct state_feed f;

	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 10);
	assert_int_equal(s.failed, 0);
	assert_exactly_once();
	assert_int_equal(fk_count("Other", fake.msgid[9]), 1);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_string_equal(f.etag, "\"a1\"");
	assert_int_equal(f.delivered, 5);
	state_feed_clear(&f);

	/* second pass: conditional requests, nothing delivered */
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 0);
	assert_int_equal(s.not_modified, 3);
	assert_string_equal(fake_http[0].seen_etag, "\"a1\"");
	assert_exactly_once();

	/* the feed changes (new etag): only the new entry is delivered */
	free(fake_http[0].body);
	fake_http[0].body = make_rss("a", 6);
	fake_http[0].etag = "\"a2\"";
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 1);
	assert_int_equal(fake.n, 11);
}

/* Feed c: two entries of its own ids, c-0 and c-1, with these links. */
static void
c_links(const char *link0, const char *link1)
{
	struct buf b = BUF_INIT(0);

	buf_printf(&b, "<rss version=\"2.0\"><channel><title>C</title>"
	    "<link>http://c.test/</link><item><title>x</title><link>%s"
	    "</link><guid>c-0</guid></item><item><title>y</title><link>%s"
	    "</link><guid>c-1</guid></item></channel></rss>", link0, link1);
	free(fake_http[2].body);
	fake_http[2].body = buf_steal(&b);
}

/* Feed c carries two of a's stories under its own ids, with tracking
 * parameters: they are duplicates in the very pass a delivers them. */
static void
test_dedupe_in_one_pass(void **unused)
{
	struct run_stats s;
	struct state_feed f;

	c_links("http://A.test:80/0?utm_source=c#x",
	    "http://a.test/1/?fbclid=1");
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 8);
	assert_int_equal(state_feed_get(st, "c", &f), 0);
	assert_int_equal(f.duplicates, 2);
	assert_int_equal(f.delivered, 0);
	state_feed_clear(&f);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_SKIPPED);
	fake_http[2].etag = "\"c2\"";	/* fetched whole again: still once */
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 0);
	assert_int_equal(fake.n, 8);
}

/* Feed c: a's story a-0 under its own id c-0, and a story of its own;
 * the store refuses a-0.  a0 and c0: their Message-IDs. */
static void
c_carries_a0(char *a0, char *c0)
{
	c_links("http://a.test/0?utm_source=c", "http://c.test/own");
	entry_msgid("http://a.test/feed", "a-0", a0);
	entry_msgid("http://c.test/feed", "c-0", c0);
	fake.refuse = a0;
}

/* The store takes everything from now: c's copy of a-0 arrives, once,
 * and a's stays refused. */
static void
assert_c_copy_delivered(time_t now, const char *a0, const char *c0)
{
	struct run_stats s;

	fake.refuse = NULL;
	assert_int_equal(pass_at(&s, now), 0);
	assert_int_equal(fk_count("Other", c0), 1);
	assert_int_equal(fk_count("", a0), 0);
	assert_int_equal(pass_at(&s, now + 86400), 0);
	assert_int_equal(fake.n, 9);
}

/* a's copy is refused for good in the pass that found c's duplicate:
 * a claim that does not count holds nothing back, and c's copy (left
 * new, c fetched whole) is delivered on the next pass. */
static void
test_dedupe_refused_copy_gives_way(void **unused)
{
	struct run_stats s;
	struct state_feed f;
	char a0[MSG_ID_LEN], c0[MSG_ID_LEN];

	c_carries_a0(a0, c0);
	fake.refuse_perm = 1;
	assert_int_equal(pass(&s), 1);
	assert_int_equal(fk_count("", a0), 0);
	assert_int_equal(fk_count("Other", c0), 0);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_NEW);
	assert_int_equal(state_feed_get(st, "c", &f), 0);
	assert_int_equal(f.duplicates, 0);
	assert_null(f.etag);
	state_feed_clear(&f);
	assert_c_copy_delivered(T0, a0, c0);
}

/* a's copy stays pending (refused, not said how) while c's is recorded
 * as its duplicate; a later pass refuses a's for good: that releases
 * the story, and c's copy is delivered after all, once. */
static void
test_dedupe_claim_released_later(void **unused)
{
	struct run_stats s;
	struct state_feed f;
	char a0[MSG_ID_LEN], c0[MSG_ID_LEN];

	c_carries_a0(a0, c0);
	assert_int_equal(pass(&s), 1);
	assert_int_equal(state_entry_get(st, "a", "a-0"), STATE_PENDING);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_SKIPPED);
	assert_int_equal(state_feed_get(st, "c", &f), 0);
	assert_int_equal(f.duplicates, 1);
	assert_string_equal(f.etag, "\"c1\"");
	state_feed_clear(&f);

	fake.refuse_perm = 1;
	assert_int_equal(pass_at(&s, T0 + 86400), 1);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_NEW);
	assert_c_copy_delivered(T0 + 2 * 86400, a0, c0);
	assert_int_equal(state_feed_get(st, "c", &f), 0);
	assert_int_equal(f.duplicates, 0);
	assert_int_equal(f.delivered, 2);
	state_feed_clear(&f);
}

static void
test_store_fails_midway(void **unused)
{
	struct run_stats s;
	struct state_feed f;

	fake.fail_after = 3;
	assert_int_equal(pass(&s), 1);
	assert_int_equal(fake.n, 3);
	assert_true(s.failed >= 1);
	/* validators are not saved for a feed whose entries did not all land */
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_null(f.etag);
	assert_non_null(f.last_error);
	state_feed_clear(&f);

	fake.fail_after = -1;
	assert_int_equal(pass(&s), 0);
	assert_exactly_once();
	assert_int_equal(pending_count(), 0);
}

static void
test_lost_ok_is_found_not_resent(void **unused)
{
	struct run_stats s;

	/* the server stored everything but the OK never arrived */
	fake.lose_ok = 1;
	assert_int_equal(pass(&s), 1);
	assert_true(fake.n > 0);
	assert_true(pending_count() > 0);

	fake.lose_ok = 0;
	assert_int_equal(pass(&s), 0);
	assert_true(s.recovered > 0);
	assert_true(fake.searches > 0);
	assert_exactly_once();
	assert_int_equal(pending_count(), 0);
}

static void
test_failing_feed_is_isolated(void **unused)
{
	struct run_stats s;
	char *saved = fake_http[1].body;

	fake_http[1].body = NULL;		/* b: connection refused */
	assert_int_equal(pass(&s), 1);
	assert_int_equal(s.failed, 1);
	assert_int_equal(fake.n, 7);		/* a and c delivered */
	assert_int_equal(state_entry_get(st, "b", "b-0"), STATE_NEW);

	fake_http[1].body = saved;
	assert_int_equal(pass(&s), 0);
	assert_exactly_once();
}

static void
test_refused_message_others_go_on(void **unused)
{
	struct run_stats s;
	char id[MSG_ID_LEN];

	entry_msgid("http://a.test/feed", "a-2", id);
	fake.refuse = id;
	assert_int_equal(pass(&s), 1);
	assert_int_equal(fake.n, 9);
	assert_int_equal(state_entry_get(st, "a", "a-2"), STATE_PENDING);
	assert_int_equal(state_entry_get(st, "a", "a-3"), STATE_DONE);

	fake.refuse = NULL;
	assert_int_equal(pass(&s), 0);
	assert_exactly_once();
	assert_int_equal(state_entry_get(st, "a", "a-2"), STATE_DONE);
}

/*
 * A store that refuses messages over 30000 bytes for their size without
 * saying so: the big entry is composed again, smaller each pass, until it
 * fits, and stored once; one refused at its smallest is failed.
 */
static void
test_size_refusal_composed_again(void **unused)
{
	struct state_pending *p;
	struct run_stats s;
	struct buf b = BUF_INIT(0);
	size_t n;
	int i, k;

	buf_printf(&b, "<rss version=\"2.0\"><channel><title>A</title>"
	    "<link>http://a.test/</link><item><title>Big</title>"
	    "<link>http://a.test/big</link><guid>a-big</guid><description>");
	for (i = 0; i < 600; i++)
		buf_puts(&b, "&lt;p&gt;A paragraph of a long post, long "
		    "enough.&lt;/p&gt;");
	buf_puts(&b, "</description></item></channel></rss>\n");
	free(fake_http[0].body);
	fake_http[0].body = buf_steal(&b);
	fake.refuse_over = 30000;
	for (k = 0; k < 6 && pass(&s) != 0; k++) {
		/* refused: forgotten by the journal, composed again */
		assert_int_equal(state_entry_get(st, "a", "a-big"),
		    STATE_NEW);
		assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
		assert_int_equal(n, 0);
		state_pending_free(p, n);
	}
	assert_true(k >= 1 && k < 6);
	assert_int_equal(state_entry_get(st, "a", "a-big"), STATE_DONE);
	assert_int_equal(fake.n, 6);		/* a-big, b's 3, c's 2 */
	assert_true(fake.longest <= 30000);

	/* nothing fits: refused at its smallest, it is failed */
	fake.refuse_over = 100;
	fake_http[1].etag = "\"b2\"";
	free(fake_http[1].body);
	fake_http[1].body = make_rss("b", 4);
	assert_int_equal(pass(&s), 1);
	assert_int_equal(state_entry_get(st, "b", "b-3"), STATE_DONE);
	assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
	assert_int_equal(n, 0);
	state_pending_free(p, n);
	assert_int_equal(fake.n, 6);
}

static void
test_catchup_then_nothing(void **unused)
{
	struct run_opts o;
	struct run_stats s;
	char err[256];
	char *names[] = { "a" };

	memset(&o, 0, sizeof(o));
	o.ops = &fake_ops;
	o.catchup = 1;
	o.names = names;
	o.nnames = 1;
	assert_int_equal(run_pass(cfg, st, &o, &s, err, sizeof(err)), 0);
	assert_int_equal(fake.n, 0);
	assert_int_equal(state_entry_get(st, "a", "a-0"), STATE_DONE);
	assert_int_equal(pass(&s), 0);
	assert_int_equal(fake.n, 5);		/* only b and c */

	names[0] = "nosuch";
	assert_int_equal(run_pass(cfg, st, &o, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no feed 'nosuch'"));
}

static void
test_health_report(void **unused)
{
	struct run_stats s;
	char *saved = fake_http[1].body;
	char id[MSG_ID_LEN];
	int i;

	fake_http[1].body = NULL;		/* b fails, day after day */
	for (i = 0; i < 4; i++)
		assert_int_equal(pass_at(&s, T0 + i * 86400), 1);
	/* a and c, plus one notice for b after its third failure */
	assert_int_equal(fake.n, 8);
	entry_msgid("http://b.test/feed", "rss2mail:health:failing:1800000000",
	    id);
	assert_int_equal(fk_count("", id), 1);

	fake_http[1].body = saved;		/* b works again */
	assert_int_equal(pass_at(&s, T0 + 5 * 86400), 0);
	assert_int_equal(fake.n, 12);		/* its 3 entries + a notice */
	entry_msgid("http://b.test/feed",
	    "rss2mail:health:recovered:1800000000", id);
	assert_int_equal(fk_count("", id), 1);
	assert_int_equal(pass_at(&s, T0 + 6 * 86400), 0);
	assert_int_equal(fake.n, 12);
}

static void
test_backoff_skips_until_due(void **unused)
{
	struct run_stats s;
	struct state_feed f;
	char *saved = fake_http[1].body;

	fake_http[1].body = NULL;
	assert_int_equal(pass_at(&s, T0), 1);
	assert_int_equal(pass_at(&s, T0 + 1), 1);	/* 2nd failure */
	assert_int_equal(state_feed_get(st, "b", &f), 0);
	assert_true(f.next_due >= T0 + 1 + 270 && f.next_due <= T0 + 1 + 330);
	state_feed_clear(&f);
	fake_http[1].body = saved;
	fake_http[1].requests = 0;
	assert_int_equal(pass_at(&s, T0 + 2), 0);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(fake_http[1].requests, 0);	/* not asked */
	assert_int_equal(pass_at(&s, T0 + 400), 0);
	assert_int_equal(fake_http[1].requests, 1);
	assert_exactly_once();
}

static void
test_digest_exactly_once(void **unused)
{
	struct run_stats s;
	struct state_feed f;
	int i;

	cfg->feeds[0].s.digest = 1;		/* feed a: 5 entries */
	fake.lose_ok = 1;			/* stored, but no OK heard */
	assert_int_equal(pass(&s), 1);
	/* one batch: a's digest and b's 3; then the store is gone, and c's
	 * 2 (another folder) stay journaled */
	assert_int_equal(fake.n, 1 + 3);
	assert_int_equal(pending_count(), 5 + 3 + 2);
	fake.lose_ok = 0;
	assert_int_equal(pass(&s), 0);
	/* a's and b's found again by Message-ID, c's appended: once each */
	assert_int_equal(fake.n, 1 + 3 + 2);
	assert_int_equal(pending_count(), 0);
	for (i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "a-%d", i);
		assert_int_equal(state_entry_get(st, "a", id), STATE_DONE);
	}
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_int_equal(f.delivered, 5);	/* counted per entry */
	state_feed_clear(&f);

	/* one new post: a digest of one */
	free(fake_http[0].body);
	fake_http[0].body = make_rss("a", 6);
	fake_http[0].etag = "\"a2\"";
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 1);
	assert_int_equal(state_entry_get(st, "a", "a-5"), STATE_DONE);
	cfg->feeds[0].s.digest = 0;
}

/* A digest claims the story of each of its entries, the ones after the
 * first (no message of their own) too; refused for good, it releases
 * them all. */
static void
test_dedupe_digest_claims(void **unused)
{
	static const char *const adigest[] = { "a-4", "a-3", "a-2", "a-1",
	    "a-0" };
	struct msg_ident di;
	struct run_stats s;
	char c0[MSG_ID_LEN];

	cfg->feeds[0].s.digest = 1;		/* feed a: 5 entries */
	msg_identity("http://a.test/feed", MSG_DIGEST, adigest, 5, NULL, &di);
	c_links("http://a.test/3?utm_source=c", "http://c.test/own");
	entry_msgid("http://c.test/feed", "c-0", c0);
	fake.refuse = di.msgid;			/* not said how: pending */
	assert_int_equal(pass(&s), 1);
	assert_int_equal(state_entry_get(st, "a", "a-3"), STATE_PENDING);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_SKIPPED);
	fake.refuse_perm = 1;
	assert_int_equal(pass_at(&s, T0 + 86400), 1);
	assert_int_equal(state_entry_get(st, "a", "a-3"), STATE_DONE);
	assert_int_equal(state_entry_get(st, "c", "c-0"), STATE_NEW);
	fake.refuse = NULL;
	assert_int_equal(pass_at(&s, T0 + 2 * 86400), 0);
	assert_int_equal(fk_count("Other", c0), 1);
	assert_int_equal(fake.n, 3 + 2);	/* b's, and c's two */
	msg_ident_clear(&di);
	cfg->feeds[0].s.digest = 0;
}

static char *
make_rss_edited(const char *name, int n, int edited)
{
	char *x = make_rss(name, n), *p;
	char from[64], to[64];

	/* the publisher fixes a typo in one entry's title */
	snprintf(from, sizeof(from), "%s post %d ", name, edited);
	snprintf(to, sizeof(to), "%s Post %d ", name, edited);
	if ((p = strstr(x, from)) != NULL)
		memcpy(p, to, strlen(to));
	return x;
}

static void
test_updates(void **unused)
{
	struct run_stats s;
	char old_id[MSG_ID_LEN];
	int i;

	for (i = 0; i < 2; i++) {
		/* a fresh start for each mode */
		if (i == 1) {
			teardown(NULL);
			assert_int_equal(setup(NULL), 0);
		}
		cfg->feeds[0].s.updates = i == 0 ? CONFIG_UPDATES_NEW :
		    CONFIG_UPDATES_REPLACE;
		assert_int_equal(pass(&s), 0);
		assert_int_equal(fake.n, 10);
		/* unchanged content, new etag: nothing */
		fake_http[0].etag = "\"a2\"";
		assert_int_equal(pass(&s), 0);
		assert_int_equal(fake.n, 10);
		/* a-1 edited */
		free(fake_http[0].body);
		fake_http[0].body = make_rss_edited("a", 5, 1);
		fake_http[0].etag = "\"a3\"";
		assert_int_equal(pass(&s), 0);
		assert_int_equal(s.delivered, 1);
		entry_msgid("http://a.test/feed", "a-1", old_id);
		if (i == 0) {
			assert_int_equal(fake.n, 11);	/* beside the old */
			assert_int_equal(fk_count("", old_id), 1);
			assert_string_equal(fake.last_flags, "");
		} else {
			assert_int_equal(fake.n, 10);	/* instead of it */
			assert_int_equal(fk_count("", old_id), 0);
			assert_string_equal(fake.last_flags, "\\Seen");
		}
		/* and only once */
		fake_http[0].etag = "\"a4\"";
		assert_int_equal(pass(&s), 0);
		assert_int_equal(s.delivered, 0);
		cfg->feeds[0].s.updates = CONFIG_UPDATES_IGNORE;
	}
}

/*
 * One identity: a journal row's key and Message-ID and the Message-ID
 * header of its bytes come from the same msg_identity call, for a plain
 * entry, a digest and a revision.  The store is down at first, so every
 * message stays journaled and its row can be read; when it is back, every
 * append (recovered or new) carries the msgid of its header.
 */
static void
check_pending_identity(int *plain, int *digest, int *revision)
{
	static const char *const bdigest[] = { "b-2", "b-1", "b-0" };
	struct state_pending *p;
	struct msg_ident want;
	const char *key, *url, *h;
	char hdr[MSG_ID_LEN], base[64];
	size_t i, n;

	assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
	for (i = 0; i < n; i++) {
		key = p[i].entry_id;
		url = strcmp(p[i].feed, "a") == 0 ? "http://a.test/feed" :
		    strcmp(p[i].feed, "b") == 0 ? "http://b.test/feed" :
		    "http://c.test/feed";
		if ((h = strstr(key, "#rev-")) != NULL) {
			snprintf(base, sizeof(base), "%.*s", (int)(h - key),
			    key);
			key = base;
			msg_identity(url, MSG_REVISION, &key, 1, h + 5, &want);
			(*revision)++;
		} else if (strcmp(p[i].feed, "b") == 0) {
			msg_identity(url, MSG_DIGEST, bdigest, 3, NULL, &want);
			if (p[i].len > 0)
				(*digest)++;
		} else {
			msg_identity(url, MSG_ENTRY, &key, 1, NULL, &want);
			(*plain)++;
		}
		assert_string_equal(p[i].msgid, want.msgid);
		if (p[i].len > 0) {	/* the row that holds the message */
			assert_string_equal(p[i].entry_id, want.key);
			header_msgid(p[i].message, hdr);
			assert_string_equal(hdr, p[i].msgid);
		}
		msg_ident_clear(&want);
	}
	state_pending_free(p, n);
}

static void
test_one_identity(void **unused)
{
	struct run_stats s;
	int plain = 0, digest = 0, revision = 0;

	cfg->feeds[0].s.updates = CONFIG_UPDATES_NEW;
	cfg->feeds[1].s.digest = 1;		/* b: one digest of 3 */
	fake.fail_after = 0;			/* the store is down */
	assert_int_equal(pass(&s), 1);
	assert_int_equal(pending_count(), 5 + 3 + 2);
	check_pending_identity(&plain, &digest, &revision);
	assert_int_equal(plain, 5 + 2);
	assert_int_equal(digest, 1);
	fake.fail_after = -1;
	assert_int_equal(pass(&s), 0);
	assert_int_equal(fake.n, 5 + 1 + 2);
	assert_int_equal(pending_count(), 0);

	/* a-1 edited: its revision, journaled while the store is down */
	free(fake_http[0].body);
	fake_http[0].body = make_rss_edited("a", 5, 1);
	fake_http[0].etag = "\"a2\"";
	fake.fail_after = 0;
	assert_int_equal(pass(&s), 1);
	plain = digest = 0;
	check_pending_identity(&plain, &digest, &revision);
	assert_int_equal(revision, 1);
	assert_int_equal(plain + digest, 0);
	fake.fail_after = -1;
	assert_int_equal(pass(&s), 0);
	assert_int_equal(fake.n, 5 + 1 + 2 + 1);
	assert_int_equal(fake.mismatch, 0);
	cfg->feeds[0].s.updates = CONFIG_UPDATES_IGNORE;
	cfg->feeds[1].s.digest = 0;
}

/* feed c as teasers: c-0's page is an article, c-1's cannot be fetched */
static char *
make_teasers(void)
{
	return xstrdup("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	    "<title>Feed c</title><link>http://c.test/</link>"
	    "<item><title>c 0</title><link>http://c.test/page</link>"
	    "<guid>c-0</guid><description>&lt;p&gt;It starts&#8230;&lt;/p&gt;"
	    "</description></item>"
	    "<item><title>c 1</title><link>http://c.test/gone</link>"
	    "<guid>c-1</guid></item></channel></rss>\n");
}

static char *
make_page(void)
{
	struct buf b = BUF_INIT(0);
	int i;

	buf_puts(&b, "<html><head><title>c 0</title></head><body>"
	    "<nav><a href=\"/\">Home</a></nav><article>");
	for (i = 0; i < 6; i++)
		buf_printf(&b, "<p>Paragraph %d: the train leaves at nine, "
		    "and the conductor knows every passenger by the book "
		    "they carry, he says, and smiles.</p>", i);
	buf_puts(&b, "</article></body></html>");
	return buf_steal(&b);
}

/*
 * full-text: a teaser's page is fetched for its first delivery only.  The
 * store is down on the first pass: the message, article and all, waits in
 * the journal, and recovery appends it without fetching the page again;
 * the feed's next version does not make the entry a revision.
 */
static void
test_full_text_fetched_once(void **unused)
{
	struct run_stats s;
	char want[MSG_ID_LEN];

	free(fake_http[2].body);
	fake_http[2].body = make_teasers();
	fake_http[3].url = "http://c.test/page";
	fake_http[3].body = make_page();
	cfg->feeds[2].s.updates = CONFIG_UPDATES_NEW;
	fake.fail_after = 0;			/* the store is down */
	assert_int_equal(pass(&s), 1);
	assert_int_equal(fake_http[3].requests, 1);
	assert_int_equal(pending_count(), 5 + 3 + 2);
	fake.fail_after = -1;
	assert_int_equal(pass(&s), 0);
	assert_int_equal(fake.n, 10);
	assert_int_equal(pending_count(), 0);
	assert_int_equal(fake_http[3].requests, 1);
	entry_msgid("http://c.test/feed", "c-0", want);
	assert_int_equal(fk_count("Other", want), 1);
	assert_int_equal(fake.mismatch, 0);

	/* the feed again, under a new etag: nothing new, no page */
	fake_http[2].etag = "\"c2\"";
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 0);
	assert_int_equal(fake.n, 10);
	assert_int_equal(fake_http[3].requests, 1);
	cfg->feeds[2].s.updates = CONFIG_UPDATES_IGNORE;
}

/* ---- sessions (imap-connections) ---- */

/* The fixture's feeds over the fake as an IMAP store with three sessions,
 * each feed in a folder of its own. */
static int
setup_sessions(void **unused)
{
	struct buf text = BUF_INIT(0);
	char err[256];

	char pw[128];
	FILE *f;

	if (setup(unused) == -1)
		return -1;
	config_free(cfg);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	if ((f = fopen(pw, "w")) == NULL || fputs("x\n", f) < 0 ||
	    fclose(f) != 0 || chmod(pw, 0600) != 0)
		return -1;
	buf_printf(&text, "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
	    "to = me@example.org\ndeliver = imap\n"
	    "imap-url = imap://me@imap.test/\npassword-file = %s\n"
	    "imap-connections = 3\nfolder = F/{name}\nstate = %s/state.db\n\n"
	    "[feed.a]\nurl = http://a.test/feed\n\n"
	    "[feed.b]\nurl = http://b.test/feed\n\n"
	    "[feed.c]\nurl = http://c.test/feed\n", pw, dir);
	if (config_parse("test.ini", text.data, text.len, &cfg, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	buf_free(&text);
	return 0;
}

static void
test_sessions_in_parallel(void **unused)
{
	struct run_stats s;

	fake.slow = 1;
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 10);
	assert_exactly_once();
	assert_int_equal(fk_count("F/c", fake.msgid[9]), 1);
	/* three folders: more than one session, never more than three */
	assert_true(fake.opens >= 2 && fake.opens <= 3);
	assert_true(fake.max_active >= 2 && fake.max_active <= 3);
	assert_int_equal(pending_count(), 0);
}

static void
test_session_refused_goes_on(void **unused)
{
	struct run_stats s;

	/* the server refuses a second connection: the batch meant for it
	 * goes out on the first, and no third is tried */
	fake.slow = 1;
	fake.open_fail_from = 2;
	assert_int_equal(pass(&s), 0);
	assert_int_equal(s.delivered, 10);
	assert_int_equal(s.failed, 0);
	assert_exactly_once();
	assert_int_equal(fake.opens, 2);
	assert_int_equal(fake.max_active, 1);
	assert_int_equal(pending_count(), 0);
}

static void
test_session_store_failure_stops_the_store(void **unused)
{
	struct run_stats s;

	/* a session's DELIVER_STORE: what it did not confirm stays pending,
	 * nothing is lost, and the next pass delivers the rest once */
	fake.slow = 1;
	fake.fail_after = 4;
	assert_int_equal(pass(&s), 1);
	assert_true(s.delivered <= 4);
	assert_int_equal(pending_count(), 10 - (long)s.delivered);
	fake.fail_after = -1;
	assert_int_equal(pass_at(&s, T0 + 86400), 0);
	assert_exactly_once();
	assert_int_equal(pending_count(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sessions_in_parallel,
		    setup_sessions, teardown),
		cmocka_unit_test_setup_teardown(test_session_refused_goes_on,
		    setup_sessions, teardown),
		cmocka_unit_test_setup_teardown(
		    test_session_store_failure_stops_the_store, setup_sessions,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delivers_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_dedupe_refused_copy_gives_way, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dedupe_claim_released_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_digest_claims,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_in_one_pass, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_fails_midway, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lost_ok_is_found_not_resent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_feed_is_isolated,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_message_others_go_on, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_size_refusal_composed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catchup_then_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_report, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_backoff_skips_until_due,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_exactly_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_identity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_text_fetched_once,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
