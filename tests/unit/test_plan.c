/*
 * test_plan.c - what a pass plans for each feed before it fetches: the
 * request (URL, validators, privacy), the parse options of the answer, the
 * folder template, the backend and the store registry (against a fake
 * backend that counts opens and folders).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "fetch.h"
#include "plan.h"
#include "state.h"
#include "util.h"

static struct config *
parse(const char *text)
{
	struct config *cfg = NULL;
	char err[ERRLEN];

	if (config_parse("/etc/rss2mail/test.ini", text, strlen(text), &cfg,
	    err, sizeof(err)) == -1)
		fail_msg("config: %s", err);
	return cfg;
}

#define HEAD "[rss2mail]\nfrom = Feeds <feeds@example.org>\n" \
	"to = me@example.org\nmaildir = /tmp/plan-Mail\n\n"

static void
test_folder_template(void **unused)
{
	static const struct {
		const char *tpl, *category, *want;
		int maildir;
	} t[] = {
		{ NULL, NULL, "", 1 },
		{ "Feeds/{name}", NULL, "Feeds/lwn_net", 1 },
		{ "Feeds/{name}", NULL, "Feeds/lwn.net", 0 },
		{ "{category}/{name}", "Tech/Linux", "Tech/Linux/lwn.net", 0 },
		{ "{category}/{name}", NULL, "lwn.net", 0 },
		{ "News/{category}", NULL, "News", 0 },
		{ "Plain", "Tech", "Plain", 0 },
	};
	struct config_feed cf;
	char *got;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&cf, 0, sizeof(cf));
		cf.name = "lwn.net";
		cf.category = (char *)(uintptr_t)t[i].category;
		cf.s.folder = (char *)(uintptr_t)t[i].tpl;
		cf.s.deliver = t[i].maildir ? CONFIG_DELIVER_MAILDIR :
		    CONFIG_DELIVER_IMAP;
		got = plan_folder(&cf);
		assert_string_equal(got, t[i].want);
		free(got);
	}
}

static void
test_request(void **unused)
{
	struct config *cfg = parse(HEAD
	    "[feed.remote]\nurl = https://example.org/feed\n\n"
	    "[feed.local]\nurl = feeds/local.xml\n");
	struct state_feed sf;
	struct fetch_req req;
	char *url, *pw, err[ERRLEN];

	/* the configured URL, with the validators of the last poll */
	memset(&sf, 0, sizeof(sf));
	sf.etag = "\"e1\"";
	sf.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
	assert_int_equal(plan_request(cfg, &cfg->feeds[0], &sf, &req, &url,
	    &pw, err, sizeof(err)), 0);
	assert_string_equal(req.url, "https://example.org/feed");
	assert_string_equal(req.etag, "\"e1\"");
	assert_string_equal(req.last_modified, sf.last_modified);
	assert_false(req.allow_local);
	assert_null(pw);
	free(url);

	/* a permanent redirect seen twice wins */
	sf.url = "https://example.net/moved";
	assert_int_equal(plan_request(cfg, &cfg->feeds[0], &sf, &req, &url,
	    &pw, err, sizeof(err)), 0);
	assert_string_equal(req.url, "https://example.net/moved");
	free(url);

	/* a relative path is the config file's directory's; no validators
	 * without a state row */
	assert_int_equal(plan_request(cfg, &cfg->feeds[1], NULL, &req, &url,
	    &pw, err, sizeof(err)), 0);
	assert_string_equal(req.url, "/etc/rss2mail/feeds/local.xml");
	assert_true(req.allow_local);
	assert_null(req.etag);
	free(url);
	config_free(cfg);
}

static void
test_parse_opts(void **unused)
{
	struct fetch_req req;
	struct feed_parse_opts po;
	char cs[64];

	memset(&req, 0, sizeof(req));
	req.url = "https://example.org/feed";
	req.effective_url = "https://example.org/feed/";
	req.content_type = "application/rss+xml; charset=\"ISO-8859-1\"";
	req.content_location = "https://example.org/feed.rss";
	plan_parse_opts(&req, &po, cs, sizeof(cs));
	assert_string_equal(po.base_url, "https://example.org/feed/");
	assert_string_equal(po.http_charset, "ISO-8859-1");
	assert_string_equal(po.content_location, req.content_location);

	req.effective_url = NULL;
	req.content_type = "text/xml;charset=utf-8";
	plan_parse_opts(&req, &po, cs, sizeof(cs));
	assert_string_equal(po.base_url, "https://example.org/feed");
	assert_string_equal(po.http_charset, "utf-8");

	/* a local file has no base URL; no charset= is no charset */
	req.url = "/srv/feeds/a.xml";
	req.content_type = "text/xml";
	plan_parse_opts(&req, &po, cs, sizeof(cs));
	assert_null(po.base_url);
	assert_null(po.http_charset);
}

static void
test_fetch_batch(void **unused)
{
	struct config *cfg = parse(HEAD
	    "[feed.a]\nurl = https://a.example/feed\n\n"
	    "[feed.b]\nurl = https://b.example/feed\n");
	struct plan_fetch pf;
	char err[ERRLEN];

	plan_fetch_init(&pf, 1);
	assert_int_equal(plan_fetch_add(&pf, cfg, &cfg->feeds[0], NULL,
	    &cfg->feeds[0], err, sizeof(err)), 0);
	assert_ptr_equal(pf.reqs[0].user, &cfg->feeds[0]);
	/* never more than it was made for */
	assert_int_equal(plan_fetch_add(&pf, cfg, &cfg->feeds[1], NULL,
	    NULL, err, sizeof(err)), -1);
	assert_int_equal(pf.n, 1);
	plan_fetch_free(&pf);
	assert_null(pf.reqs);
	config_free(cfg);
}

static void
test_backend(void **unused)
{
	struct config *cfg = parse(HEAD
	    "[feed.m]\nurl = https://a.example/feed\n\n"
	    "[feed.i]\nurl = https://b.example/feed\ndeliver = imap\n"
	    "imap-url = imap://me@mail.example/INBOX\nimap-tls = starttls\n"
	    "password = x\n");
	struct deliver_cfg dc;

	assert_ptr_equal(plan_backend(&cfg->feeds[0].s, &dc),
	    &deliver_maildir);
	assert_string_equal(dc.maildir, "/tmp/plan-Mail");
	assert_string_equal(dc.flags, "");
	assert_true(dc.timeout > 0);
	assert_null(dc.password);
	assert_ptr_equal(plan_backend(&cfg->feeds[1].s, &dc), &deliver_imap);
	assert_string_equal(dc.imap_url, "imap://me@mail.example/INBOX");
	assert_int_equal(dc.tls, DELIVER_TLS_STARTTLS);
	config_free(cfg);
}

/* deliver = smtp | lmtp | sendmail: the URL, the envelope, and the IMAP
 * settings submission shares by default */
static void
test_backend_transports(void **unused)
{
	struct config *cfg = parse("[rss2mail]\n"
	    "from = Feeds <feeds@bridge.example>\nto = Me <me@example.org>\n"
	    "imap-user = me\nimap-auth = plain\n\n"
	    "[feed.s]\nurl = https://a.example/feed\ndeliver = smtp\n"
	    "smtp-url = smtps://mail.example:465\n\n"
	    "[feed.l]\nurl = https://b.example/feed\ndeliver = lmtp\n"
	    "lmtp-url = /run/dovecot/lmtp\n"
	    "envelope-from = bounces@bridge.example\n\n"
	    "[feed.m]\nurl = https://c.example/feed\ndeliver = sendmail\n");
	struct deliver_cfg dc;

	assert_ptr_equal(plan_backend(&cfg->feeds[0].s, &dc), &deliver_smtp);
	assert_string_equal(dc.url, "smtps://mail.example:465");
	assert_string_equal(dc.envelope_from, "feeds@bridge.example");
	assert_int_equal(dc.nrcpt, 1);
	assert_string_equal(dc.rcpt[0], "me@example.org");
	assert_string_equal(dc.user, "me");
	assert_string_equal(dc.auth, "plain");
	assert_true(deliver_smtp.unsearchable);
	assert_ptr_equal(plan_backend(&cfg->feeds[1].s, &dc), &deliver_lmtp);
	assert_string_equal(dc.url, "/run/dovecot/lmtp");
	assert_string_equal(dc.envelope_from, "bounces@bridge.example");
	assert_null(dc.user);		/* LMTP: no AUTH unless smtp-user */
	assert_ptr_equal(plan_backend(&cfg->feeds[2].s, &dc),
	    &deliver_sendmail);
	assert_string_equal(dc.sendmail, "/usr/sbin/sendmail");
	assert_non_null(deliver_sendmail.probe);
	config_free(cfg);
}

/* ---- the store registry, on a fake backend ---- */

static int opens, ensures, closes;
static enum deliver_status ensure_answer;

static enum deliver_status
fk_open(void **ctx, const struct deliver_cfg *c, char *err, size_t errlen)
{
	opens++;
	*ctx = &opens;
	return DELIVER_OK;
}

static enum deliver_status
fk_ensure(void *ctx, const char *folder, char *err, size_t errlen)
{
	ensures++;
	if (ensure_answer != DELIVER_OK)
		snprintf(err, errlen, "connection lost");
	return ensure_answer;
}

static void
fk_close(void *ctx)
{
	if (ctx)
		closes++;
}

static const struct deliver_ops fake_ops = {
	.name = "fake",
	.open = fk_open,
	.ensure_folder = fk_ensure,
	.close = fk_close,
};

static void
test_stores(void **unused)
{
	struct buf text = BUF_INIT(0);
	struct plan_stores ps;
	struct config *cfg;
	struct store *a, *b;
	char err[ERRLEN];
	int i;

	buf_puts(&text, HEAD "[feed.a]\nurl = https://a.example/\n\n"
	    "[feed.a2]\nurl = https://a2.example/\n\n");
	for (i = 0; i < PLAN_MAX_STORES; i++)
		buf_printf(&text, "[feed.m%d]\nurl = https://m.example/%d\n"
		    "maildir = /tmp/plan-Mail-%d\n\n", i, i, i);
	cfg = parse(text.data);
	buf_free(&text);
	memset(&ps, 0, sizeof(ps));
	ps.force = &fake_ops;
	opens = ensures = closes = 0;
	ensure_answer = DELIVER_OK;

	/* one store per distinct mailbox, opened once */
	a = plan_store(&ps, cfg, &cfg->feeds[0]);
	assert_non_null(a);
	assert_ptr_equal(plan_store(&ps, cfg, &cfg->feeds[1]), a);
	assert_int_equal(opens, 1);
	/* a folder is ensured once per pass */
	assert_int_equal(plan_store_ensure(a, "News", err, sizeof(err)),
	    DELIVER_OK);
	assert_int_equal(plan_store_ensure(a, "News", err, sizeof(err)),
	    DELIVER_OK);
	assert_int_equal(ensures, 1);
	/* more stores than the registry holds: NULL, the others work */
	for (i = 0; i < PLAN_MAX_STORES - 1; i++)
		assert_non_null(plan_store(&ps, cfg, &cfg->feeds[2 + i]));
	assert_null(plan_store(&ps, cfg, &cfg->feeds[2 + i]));
	/* a store failure breaks the store, with its reason */
	b = plan_store(&ps, cfg, &cfg->feeds[2]);
	ensure_answer = DELIVER_STORE;
	assert_int_equal(plan_store_ensure(b, "Other", err, sizeof(err)),
	    DELIVER_STORE);
	assert_true(b->broken);
	assert_string_equal(b->err, "connection lost");
	assert_null(b->ctx);
	plan_stores_close(&ps);
	assert_int_equal(closes, PLAN_MAX_STORES);	/* b was closed */
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folder_template),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_parse_opts),
		cmocka_unit_test(test_fetch_batch),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_backend_transports),
		cmocka_unit_test(test_stores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
