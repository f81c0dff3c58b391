/*
 * test_import.c - feeds from elsewhere into the config (config/import.c):
 * slugs, OPML import (names, duplicates, refused URLs, thousands of
 * outlines) and export, and the rss2email glue of import-r2e (a first
 * config, names, per-feed keys, and the seen entries mapped to our names).
 * The OPML parser and writer themselves are test_opml.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "import.h"
#include "limits.h"
#include "opml.h"
#include "testutil.h"
#include "util.h"

#define DATA	"tests/data/opml/"
#define HEAD	"[rss2mail]\nfrom = Feeds <feeds@example.org>\n" \
		"to = me@example.org\n"
#define NESTED_N	6	/* outlines with an xmlUrl in nested.opml */

/* nested.opml: six feeds in nested categories (test_opml.c reads it
 * too). */
static struct opml *
nested_opml(void)
{
	struct buf b = BUF_INIT(0);
	struct opml *o = NULL;
	char err[ERRLEN];

	tu_slurp(DATA "nested.opml", &b);
	if (opml_parse(buf_str(&b), b.len, &o, err, sizeof(err)) == -1)
		fail_msg("nested.opml: %s", err);
	buf_free(&b);
	return o;
}

static void
test_slug(void **state)
{
	static const char *const taken[] = { "lwn-net", "lwn-net-2", "feed" };
	static const struct {
		const char *title, *want;
		size_t ntaken;
	} t[] = {
		{ "Krebs on Security", "krebs-on-security", 0 },
		{ "Café Ünïcödé", "cafe-unicode", 0 },
		{ "Straße nach Łódź", "strasse-nach-lodz", 0 },
		{ "Bob's Blog", "bobs-blog", 0 },
		{ "  --Hello,   World!--  ", "hello-world", 0 },
		{ "LWN.net", "lwn-net", 0 },
		{ "LWN.net", "lwn-net-3", 3 },
		{ "日本語", "feed", 0 },
		{ "日本語", "feed-2", 3 },
		{ "", "feed", 0 },
		{ NULL, "feed", 0 },
		{ "A very long title that goes on and on beyond forty bytes",
		    "a-very-long-title-that-goes-on-and-on-be", 0 },
		{ "Forty characters exactly ending in dash - x",
		    "forty-characters-exactly-ending-in-dash", 0 },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = config_slug(t[i].title, taken, t[i].ntaken);
		if (strcmp(s, t[i].want) != 0)
			fail_msg("slug(%s) = %s, want %s", t[i].title, s,
			    t[i].want);
		assert_true(config_valid_name(s));
		free(s);
	}
}

static char *
write_config(const char *name, const char *text)
{
	return tu_write_file(tu_tmpdir, name, text, strlen(text));
}

static struct config *
load(const char *path)
{
	struct config *cfg = NULL;
	char err[ERRLEN];

	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	return cfg;
}

static void
test_import(void **state)
{
	static const char *const names[] = { "top-level-loose",
	    "krebs-on-security", "arger-mit-umlauten", "nihongo-example",
	    "creme-brulee" };
	struct opml *o = nested_opml();
	struct config_import *imp;
	struct config *cfg;
	const struct config_feed *f;
	struct buf before = BUF_INIT(0), after = BUF_INIT(0);
	char err[ERRLEN], *p;
	size_t i;

	p = write_config("import.ini", HEAD "\n[feed.lwn]\n"
	    "url = https://lwn.net/headlines/rss\n");
	if (config_import_opml(p, o, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->nitems, NESTED_N);
	assert_int_equal(imp->added, 5);
	assert_int_equal(imp->exists, 1);
	assert_int_equal(imp->invalid, 0);
	assert_int_equal(imp->items[4].status, CONFIG_IMPORT_EXISTS);
	assert_string_equal(imp->items[4].name, "lwn");
	config_import_free(imp);

	cfg = load(p);
	assert_int_equal(cfg->nfeeds, 6);
	for (i = 0; i < 5; i++)
		assert_string_equal(cfg->feeds[i + 1].name, names[i]);
	f = config_find_feed(cfg, "krebs-on-security");
	assert_string_equal(f->url, "https://krebsonsecurity.example/feed/");
	/* " ;" would start a comment in the INI file */
	assert_string_equal(f->title, "Krebs; on Security");
	assert_string_equal(f->category, "Tech/Mail/Security");
	assert_string_equal(f->html_url, "https://krebsonsecurity.example/");
	f = config_find_feed(cfg, "nihongo-example");
	assert_string_equal(f->title, "日本語のブログ");
	assert_string_equal(f->category, "Tech/Mail");
	f = config_find_feed(cfg, "creme-brulee");
	assert_string_equal(f->category, "Café <Noir>");
	config_free(cfg);

	/* importing again adds nothing and leaves the file alone */
	tu_slurp(p, &before);
	if (config_import_opml(p, o, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->added, 0);
	assert_int_equal(imp->exists, NESTED_N);
	config_import_free(imp);
	tu_slurp(p, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.data, after.data, before.len);
	free(p);
	opml_free(o);
	buf_free(&before);
	buf_free(&after);
}

/* Import, export, import into a fresh config: the same feeds. */
static void
test_import_export_import(void **state)
{
	struct opml *o = nested_opml(), *o2 = NULL;
	struct config_import *imp;
	struct config *a, *b;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN], *pa, *pb;
	size_t i;

	pa = write_config("a.ini", HEAD);
	pb = write_config("b.ini", HEAD);
	assert_int_equal(config_import_opml(pa, o, &imp, err, sizeof(err)), 0);
	config_import_free(imp);
	a = load(pa);
	assert_int_equal(config_export_opml(a, &out, err, sizeof(err)), 0);
	if (opml_parse(out.data, out.len, &o2, err, sizeof(err)) == -1)
		fail_msg("%s\n%s", err, out.data);
	assert_int_equal(config_import_opml(pb, o2, &imp, err, sizeof(err)),
	    0);
	assert_int_equal(imp->added, NESTED_N);
	config_import_free(imp);
	b = load(pb);
	assert_int_equal(a->nfeeds, NESTED_N);
	assert_int_equal(b->nfeeds, a->nfeeds);
	for (i = 0; i < a->nfeeds; i++) {
		assert_string_equal(a->feeds[i].name, b->feeds[i].name);
		assert_string_equal(a->feeds[i].url, b->feeds[i].url);
		tu_assert_str_or_null(b->feeds[i].title, a->feeds[i].title);
		tu_assert_str_or_null(b->feeds[i].category, a->feeds[i].category);
		tu_assert_str_or_null(b->feeds[i].html_url, a->feeds[i].html_url);
	}
	config_free(a);
	config_free(b);
	opml_free(o);
	opml_free(o2);
	buf_free(&out);
	free(pa);
	free(pb);
}

static void
test_import_bad_urls(void **state)
{
	static const char doc[] =
	    "<opml version=\"2.0\"><body>"
	    "<outline text=\"FTP\" xmlUrl=\"ftp://x.example/feed\"/>"
	    "<outline text=\"Good\" xmlUrl=\"https://good.example/\"/>"
	    "<outline text=\"Good again\" xmlUrl=\"https://good.example/\"/>"
	    "<outline text=\"Good\" xmlUrl=\"https://good2.example/\"/>"
	    "<outline text=\"Spaces\" xmlUrl=\"https://x.example/a b\"/>"
	    "<outline text=\"Local\" xmlUrl=\"/home/u/.ssh/id_rsa\"/>"
	    "<outline text=\"File\" xmlUrl=\"file:///etc/passwd\"/>"
	    "</body></opml>";
	struct opml *o = NULL;
	struct config_import *imp;
	struct config *cfg;
	char err[ERRLEN], *p;

	assert_int_equal(opml_parse(doc, strlen(doc), &o, err, sizeof(err)),
	    0);
	p = write_config("bad.ini", HEAD);
	assert_int_equal(config_import_opml(p, o, &imp, err, sizeof(err)), 0);
	assert_int_equal(imp->added, 2);
	assert_int_equal(imp->exists, 1);
	assert_int_equal(imp->invalid, 4);
	assert_int_equal(imp->items[4].status, CONFIG_IMPORT_INVALID);
	assert_string_equal(imp->items[4].reason, "key 'url': a URL cannot "
	    "contain spaces (write %20)");
	assert_int_equal(imp->items[5].status, CONFIG_IMPORT_INVALID);
	assert_int_equal(imp->items[6].status, CONFIG_IMPORT_INVALID);
	assert_int_equal(imp->items[0].status, CONFIG_IMPORT_INVALID);
	assert_string_equal(imp->items[0].reason, "not an http:// or https:// "
	    "URL (local files are not imported from OPML)");
	assert_int_equal(imp->items[2].status, CONFIG_IMPORT_EXISTS);
	assert_string_equal(imp->items[2].name, "good");
	assert_string_equal(imp->items[3].name, "good-2");
	config_import_free(imp);
	cfg = load(p);
	assert_int_equal(cfg->nfeeds, 2);
	config_free(cfg);
	free(p);

	/* an invalid config: an error, nothing written */
	p = write_config("invalid.ini", "[rss2mail]\nto = x@y.z\n");
	assert_int_equal(config_import_opml(p, o, &imp, err, sizeof(err)), -1);
	assert_null(imp);
	assert_non_null(strstr(err, "key 'from': required"));
	free(p);
	opml_free(o);
}

/* Thousands of outlines with one title: names stay unique, time linear. */
static void
test_import_many(void **state)
{
	struct buf doc = BUF_INIT(0);
	struct opml *o = NULL;
	struct config_import *imp;
	struct config *cfg;
	char err[ERRLEN], last[32], *p;
	size_t i, n = LIM_CONFIG_SIZE / 128 < 8000 ? LIM_CONFIG_SIZE / 128 :
	    8000;
	double t0;

	buf_puts(&doc, "<opml version=\"2.0\"><body>\n");
	for (i = 0; i < n; i++)
		buf_printf(&doc, "<outline text=\"Same\" "
		    "xmlUrl=\"https://h%zu.example/\"/>\n", i);
	buf_puts(&doc, "</body></opml>\n");
	assert_int_equal(opml_parse(doc.data, doc.len, &o, err, sizeof(err)),
	    0);
	p = write_config("many.ini", HEAD);
	t0 = tu_now();
	if (config_import_opml(p, o, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_true(tu_now() - t0 < 2.0);
	assert_int_equal(imp->added, n);
	assert_string_equal(imp->items[0].name, "same");
	assert_string_equal(imp->items[1].name, "same-2");
	snprintf(last, sizeof(last), "same-%zu", n);
	assert_string_equal(imp->items[n - 1].name, last);
	config_import_free(imp);
	cfg = load(p);
	assert_int_equal(cfg->nfeeds, n);
	config_free(cfg);
	opml_free(o);
	buf_free(&doc);
	free(p);
}

/* A config's category key can be deeper than OPML can nest: the export is
 * cut at OPML_MAX_LEVELS levels, as opml_parse would cut it, so the list
 * reads back (test_opml.c's test_deep_categories has the parse and write
 * side). */
static void
test_export_deep_category(void **state)
{
	struct buf in = BUF_INIT(0), want = BUF_INIT(0), out = BUF_INIT(0);
	struct opml *back = NULL;
	struct config *cfg;
	char err[ERRLEN], *p;
	int i;

	for (i = 0; i < OPML_MAX_LEVELS; i++)
		buf_puts(&want, i ? "/a" : "a");
	buf_puts(&in, HEAD "[feed.f]\nurl = https://x.example/f\ncategory = ");
	for (i = 0; i < LIM_XML_DEPTH + 10; i++)
		buf_puts(&in, i ? "/a" : "a");
	buf_puts(&in, "\n");
	p = write_config("deep.ini", in.data);
	cfg = load(p);
	assert_int_equal(config_export_opml(cfg, &out, err, sizeof(err)), 0);
	if (opml_parse(out.data, out.len, &back, err, sizeof(err)) == -1)
		fail_msg("export: %s", err);
	assert_int_equal(back->nfeeds, 1);
	assert_string_equal(back->feeds[0].category, want.data);
	opml_free(back);
	config_free(cfg);
	free(p);
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

#define R2E_CONFIG \
	"[DEFAULT]\nfrom = rss@bridge.example.org\nto = reader@example.org\n" \
	"\n[feed.planet]\nurl = https://planet.example/rss\n" \
	"\n[feed.Work Feed]\nurl = https://work.example/atom\n" \
	"to = work@example.org\nhtml-mail = False\nactive = False\n" \
	"digest = True\nuser-agent = Bot/1\n" \
	"\n[feed.lwn]\nurl = https://lwn.net/headlines/rss\n" \
	"\n[feed.ftp]\nurl = ftp://x.example/feed\n"

static void
assert_item(const struct config_import_item *it,
    enum config_import_status status, const char *name,
    const char *source_name)
{
	assert_int_equal(it->status, status);
	tu_assert_str_or_null(it->name, name);
	tu_assert_str_or_null(it->source_name, source_name);
}

/* A first-time user: the config is written from [DEFAULT], then each feed
 * is added under rss2email's name or a slug of it. */
static void
test_r2e_new_config(void **state)
{
	struct config_import *imp;
	const struct config_feed *f;
	struct config *cfg;
	struct stat st;
	struct buf path = BUF_INIT(0);
	char err[ERRLEN], *r2e;

	r2e = write_config("new.r2e", R2E_CONFIG);
	buf_printf(&path, "%s/sub/new.ini", tu_tmpdir);
	if (config_import_r2e(path.data, r2e, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->nitems, 4);
	assert_int_equal(imp->added, 3);
	assert_int_equal(imp->exists, 0);
	assert_int_equal(imp->invalid, 1);
	assert_item(&imp->items[0], CONFIG_IMPORT_ADDED, "planet", "planet");
	assert_item(&imp->items[1], CONFIG_IMPORT_ADDED, "work-feed",
	    "Work Feed");
	assert_item(&imp->items[2], CONFIG_IMPORT_ADDED, "lwn", "lwn");
	assert_item(&imp->items[3], CONFIG_IMPORT_INVALID, NULL, "ftp");
	assert_string_equal(imp->items[3].url, "ftp://x.example/feed");
	assert_string_equal(imp->items[3].reason, "key 'url': 'ftp:' URLs are "
	    "not supported: use http://, https://, file:// or a local path");
	config_import_free(imp);

	assert_int_equal(stat(path.data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	cfg = load(path.data);
	assert_string_equal(cfg->global.from_addr, "rss@bridge.example.org");
	assert_string_equal(cfg->global.to, "reader@example.org");
	assert_int_equal(cfg->nfeeds, 3);
	f = config_find_feed(cfg, "work-feed");
	assert_non_null(f);
	assert_string_equal(f->url, "https://work.example/atom");
	assert_string_equal(f->s.to, "work@example.org");
	assert_int_equal(f->paused, 1);
	assert_int_equal(f->s.html, 0);
	assert_int_equal(f->s.digest, 1);
	assert_string_equal(f->s.user_agent, "Bot/1");
	f = config_find_feed(cfg, "planet");
	assert_int_equal(f->paused, 0);
	assert_int_equal(f->s.html, 1);
	config_free(cfg);
	buf_free(&path);
	free(r2e);
}

/* Into a config that has feeds: a known URL is EXISTS under our name, a
 * taken name gets a suffix; importing again adds nothing. */
static void
test_r2e_existing_config(void **state)
{
	struct config_import *imp;
	char err[ERRLEN], *r2e, *p;

	r2e = write_config("old.r2e", R2E_CONFIG);
	p = write_config("old.ini", HEAD "[feed.news]\n"
	    "url = https://lwn.net/headlines/rss\n[feed.planet]\n"
	    "url = https://other.example/planet\n");
	if (config_import_r2e(p, r2e, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->added, 2);
	assert_int_equal(imp->exists, 1);
	assert_item(&imp->items[0], CONFIG_IMPORT_ADDED, "planet-2",
	    "planet");
	assert_item(&imp->items[2], CONFIG_IMPORT_EXISTS, "news", "lwn");
	config_import_free(imp);

	if (config_import_r2e(p, r2e, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->added, 0);
	assert_int_equal(imp->exists, 3);
	assert_item(&imp->items[0], CONFIG_IMPORT_EXISTS, "planet-2",
	    "planet");
	config_import_free(imp);

	/* a config without `to` cannot be the first one; a missing file */
	free(r2e);
	r2e = write_config("noto.r2e", "[feed.a]\nurl = https://a.example/\n");
	free(p);
	p = xstrdup("/nonexistent/dir/x.ini");
	assert_int_equal(config_import_r2e(p, r2e, &imp, err, sizeof(err)),
	    -1);
	assert_null(imp);
	assert_string_equal(err, "the rss2email config has no `to`; run "
	    "`rss2mail init` first to write /nonexistent/dir/x.ini");
	assert_int_equal(config_import_r2e(p, "/nonexistent.r2e", &imp, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent.r2e: No such file or "
	    "directory");
	free(p);
	free(r2e);
}

struct seen_log {
	struct buf	 b;
	int		 fail_at;	/* return -1 on this call (1-based) */
	int		 calls;
};

static int
log_seen(void *ctx, const char *feed, const char *id)
{
	struct seen_log *l = ctx;

	if (++l->calls == l->fail_at)
		return -1;
	buf_printf(&l->b, "%s %s\n", feed, id);
	return 0;
}

/* rss2email's data file: entries of the feeds taken over, under our
 * names; others passed over; a failing recorder stops the walk. */
static void
test_r2e_seen(void **state)
{
	static const char data[] = "{\"version\": 2, \"feeds\": ["
	    "{\"name\": \"planet\", \"seen\": {\"p1\": {}, \"p2\": {}}},"
	    "{\"name\": \"unknown\", \"seen\": {\"z\": {}}},"
	    "{\"name\": \"ftp\", \"seen\": {\"f\": {}}},"
	    "{\"name\": \"lwn\", \"seen\": {\"l1\": {}}}]}";
	struct config_import *imp;
	struct seen_log l;
	char err[ERRLEN], *r2e, *p;
	size_t n;

	r2e = write_config("seen.r2e", R2E_CONFIG);
	p = write_config("seen.ini", HEAD "[feed.news]\n"
	    "url = https://lwn.net/headlines/rss\n");
	if (config_import_r2e(p, r2e, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	memset(&l, 0, sizeof(l));
	assert_int_equal(config_import_r2e_seen(imp, data, strlen(data),
	    log_seen, &l, &n, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&l.b), "planet p1\nplanet p2\nnews l1\n");
	assert_int_equal(n, 3);

	buf_reset(&l.b);
	l.calls = 0;
	l.fail_at = 2;
	assert_int_equal(config_import_r2e_seen(imp, data, strlen(data),
	    log_seen, &l, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot record seen entries");
	assert_int_equal(n, 1);
	assert_int_equal(config_import_r2e_seen(imp, "{not json", 9, log_seen,
	    &l, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
	buf_free(&l.b);
	config_import_free(imp);
	free(r2e);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_export_import),
		cmocka_unit_test(test_import_bad_urls),
		cmocka_unit_test(test_import_many),
		cmocka_unit_test(test_export_deep_category),
		cmocka_unit_test(test_r2e_new_config),
		cmocka_unit_test(test_r2e_existing_config),
		cmocka_unit_test(test_r2e_seen),
	};

	return cmocka_run_group_tests(tests, tu_tmpdir_setup,
	    tu_tmpdir_teardown);
}
