/*
 * test_opml.c - OPML parse and write, hostile OPML, slugs, and import /
 * export through the config file (import, export, import again, compare).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "import.h"
#include "limits.h"
#include "opml.h"
#include "util.h"
#include "fsutil.h"

#define DATA	"tests/data/opml/"
#define HEAD	"[rss2mail]\nfrom = Feeds <feeds@example.org>\n" \
		"to = me@example.org\n"

static char tmpdir[64];

static void
slurp(const char *path, struct buf *b)
{
	char err[ERRLEN];

	buf_reset(b);
	if (fs_read_file(path, LIM_CONFIG_SIZE, b, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

static struct opml *
parse_file(const char *name)
{
	struct buf b = BUF_INIT(0), path = BUF_INIT(0);
	struct opml *o = NULL;
	char err[ERRLEN];

	buf_printf(&path, DATA "%s", name);
	slurp(path.data, &b);
	if (opml_parse(buf_str(&b), b.len, &o, err, sizeof(err)) == -1)
		fail_msg("%s: %s", name, err);
	buf_free(&b);
	buf_free(&path);
	return o;
}

static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static const struct opml_feed nested_want[] = {
	{ "Top Level & Loose", "https://loose.example/feed.xml", NULL, NULL },
	{ "Krebs ; on Security", "https://krebsonsecurity.example/feed/",
	    "https://krebsonsecurity.example/", "Tech/Mail/Security" },
	{ "Ärger mit Ümläuten", "https://umlaut.example/atom.xml", NULL,
	    "Tech/Mail/Security" },
	{ "日本語のブログ", "https://nihongo.example/rss", NULL, "Tech/Mail" },
	{ "LWN.net", "https://lwn.net/headlines/rss", "https://lwn.net/",
	    "Tech" },
	{ "Crème brûlée", "https://creme.example/index.xml", NULL,
	    "Café <Noir>" },
};
#define NESTED_N	(sizeof(nested_want) / sizeof(nested_want[0]))

static void
assert_feeds_equal(const struct opml *o, const struct opml_feed *want,
    size_t n)
{
	size_t i;

	assert_int_equal(o->nfeeds, n);
	for (i = 0; i < n; i++) {
		assert_str_or_null(o->feeds[i].title, want[i].title);
		assert_str_or_null(o->feeds[i].xml_url, want[i].xml_url);
		assert_str_or_null(o->feeds[i].html_url, want[i].html_url);
		assert_str_or_null(o->feeds[i].category, want[i].category);
	}
}

static void
test_parse_nested(void **state)
{
	struct opml *o = parse_file("nested.opml");

	assert_string_equal(o->title, "Mes abonnements — Ünïcödé");
	assert_feeds_equal(o, nested_want, NESTED_N);
	opml_free(o);
}

static void
test_write_round_trip(void **state)
{
	struct opml *o = parse_file("nested.opml"), *back = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];

	assert_int_equal(opml_write(o, &out, err, sizeof(err)), 0);
	/* categories nest: one "Tech", one "Mail" inside it */
	assert_non_null(strstr(out.data, "<opml version=\"2.0\">"));
	assert_non_null(strstr(out.data,
	    "    <outline text=\"Tech\" title=\"Tech\">\n"
	    "      <outline text=\"Mail\" title=\"Mail\">\n"
	    "        <outline text=\"Security\" title=\"Security\">\n"));
	assert_null(strstr(strstr(out.data, "text=\"Tech\"") + 1,
	    "text=\"Tech\""));
	if (opml_parse(out.data, out.len, &back, err, sizeof(err)) == -1)
		fail_msg("%s\n%s", err, out.data);
	assert_string_equal(back->title, o->title);
	assert_feeds_equal(back, o->feeds, o->nfeeds);
	opml_free(back);
	opml_free(o);
	buf_free(&out);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_hostile(void **state)
{
	static const struct {
		const char *file, *err;
	} t[] = {
		{ "xxe.opml", "OPML refused: it declares entities (an XXE or "
		    "entity expansion attack?)" },
		{ "xxe-param.opml", "OPML refused: it declares entities (an "
		    "XXE or entity expansion attack?)" },
		{ "laughs.opml", "OPML refused: it declares entities (an XXE "
		    "or entity expansion attack?)" },
		{ "rss.xml", "not OPML: the root element is <rss>, not "
		    "<opml>" },
		{ "nobody.opml", "not OPML: no <body>" },
		{ "page.html", "not OPML: not well-formed XML at line 1: " },
	};
	struct buf b = BUF_INIT(0), path = BUF_INIT(0);
	struct opml *o;
	char err[ERRLEN];
	double t0;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&path);
		buf_printf(&path, DATA "%s", t[i].file);
		slurp(path.data, &b);
		t0 = now();
		o = (struct opml *)1;
		assert_int_equal(opml_parse(buf_str(&b), b.len, &o, err,
		    sizeof(err)), -1);
		assert_null(o);
		if (strncmp(err, t[i].err, strlen(t[i].err)) != 0)
			fail_msg("%s:\n got  %s\n want %s", t[i].file, err,
			    t[i].err);
		assert_true(now() - t0 < 1.0);
	}
	/* an external DTD is never loaded: the document reads as if it had
	 * none */
	o = parse_file("xxe-external-dtd.opml");
	assert_int_equal(o->nfeeds, 1);
	opml_free(o);

	assert_int_equal(opml_parse("", 0, &o, err, sizeof(err)), -1);
	assert_string_equal(err, "not OPML: empty input");

	/* deep nesting stops at a cap, quickly */
	buf_reset(&b);
	buf_puts(&b, "<opml><body>");
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "<outline text=\"x\">");
	t0 = now();
	assert_int_equal(opml_parse(b.data, b.len, &o, err, sizeof(err)), -1);
	assert_true(now() - t0 < 1.0);

	/* a URL over the cap is an error, not a truncated other URL */
	buf_reset(&b);
	buf_puts(&b, "<opml><body><outline text=\"x\" xmlUrl=\"https://xy/");
	for (i = 0; i < LIM_ONELINE; i++)
		buf_puts(&b, "\xC3\xA9");
	buf_puts(&b, "\"/></body></opml>");
	assert_int_equal(opml_parse(b.data, b.len, &o, err, sizeof(err)), -1);
	assert_string_equal(err, "OPML line 1: xmlUrl too long");

	buf_reset(&b);
	while (b.len <= LIM_CONFIG_SIZE)
		buf_puts(&b, "<!-- padding padding padding padding -->\n");
	assert_int_equal(opml_parse(b.data, b.len, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "OPML too large"));
	buf_free(&b);
	buf_free(&path);
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
	struct buf path = BUF_INIT(0);
	char err[ERRLEN];

	buf_printf(&path, "%s/%s", tmpdir, name);
	if (fs_write_atomic(path.data, text, strlen(text), 0600, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return buf_steal(&path);
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
	struct opml *o = parse_file("nested.opml");
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
	slurp(p, &before);
	if (config_import_opml(p, o, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(imp->added, 0);
	assert_int_equal(imp->exists, NESTED_N);
	config_import_free(imp);
	slurp(p, &after);
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
	struct opml *o = parse_file("nested.opml"), *o2 = NULL;
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
		assert_str_or_null(b->feeds[i].title, a->feeds[i].title);
		assert_str_or_null(b->feeds[i].category, a->feeds[i].category);
		assert_str_or_null(b->feeds[i].html_url, a->feeds[i].html_url);
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
	t0 = now();
	if (config_import_opml(p, o, &imp, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_true(now() - t0 < 2.0);
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

static int
setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_opml.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmp(void **state)
{
	struct buf cmd = BUF_INIT(0);
	int r;

	buf_printf(&cmd, "rm -rf '%s'", tmpdir);
	r = system(cmd.data);
	buf_free(&cmd);
	return r == 0 ? 0 : -1;
}

/* "a/a/.../a": n levels */
static void
levels(struct buf *b, const char *level, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? "/" : "", level);
}

/* A category deeper than a written list can nest is cut at
 * OPML_MAX_LEVELS levels, the same way in parse and in write, so that
 * write -> parse gives the same list. */
static void
test_deep_categories(void **state)
{
	struct buf in = BUF_INIT(0), want = BUF_INIT(0), out = BUF_INIT(0);
	struct opml *o = NULL, *back = NULL;
	struct config *cfg;
	char err[ERRLEN], *p;
	int i;

	levels(&want, "a", OPML_MAX_LEVELS);
	for (i = 0; i < 3; i++) {
		buf_reset(&in);
		buf_puts(&in, "<opml><body>");
		if (i == 0) {
			/* the OPML 2.0 category attribute */
			buf_puts(&in, "<outline text=\"f\" xmlUrl=\"https://x."
			    "example/f\" category=\"/");
			levels(&in, "a", LIM_XML_DEPTH + 10);
			buf_puts(&in, "\"/>");
		} else if (i == 1) {
			/* '/'s in one title */
			buf_puts(&in, "<outline text=\"");
			levels(&in, "a", LIM_XML_DEPTH + 10);
			buf_puts(&in, "\"><outline text=\"f\" xmlUrl=\"https://"
			    "x.example/f\"/></outline>");
		} else {
			/* the cap reached across outlines */
			buf_puts(&in, "<outline text=\"");
			levels(&in, "a", OPML_MAX_LEVELS - 1);
			buf_puts(&in, "\"><outline text=\"a/b\"><outline "
			    "text=\"c\"><outline text=\"f\" xmlUrl=\"https://"
			    "x.example/f\"/></outline></outline></outline>");
		}
		buf_puts(&in, "</body></opml>");
		if (opml_parse(in.data, in.len, &o, err, sizeof(err)) == -1)
			fail_msg("case %d: %s", i, err);
		assert_int_equal(o->nfeeds, 1);
		assert_string_equal(o->feeds[0].category, want.data);
		buf_reset(&out);
		assert_int_equal(opml_write(o, &out, err, sizeof(err)), 0);
		if (opml_parse(out.data, out.len, &back, err, sizeof(err)) == -1)
			fail_msg("case %d: %s", i, err);
		assert_feeds_equal(back, o->feeds, o->nfeeds);
		opml_free(back);
		opml_free(o);
	}

	/* a config's category key can be as deep: the export is cut too */
	buf_reset(&in);
	buf_puts(&in, HEAD "[feed.f]\nurl = https://x.example/f\ncategory = ");
	levels(&in, "a", LIM_XML_DEPTH + 10);
	buf_puts(&in, "\n");
	p = write_config("deep.ini", in.data);
	cfg = load(p);
	buf_reset(&out);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nested),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_export_import),
		cmocka_unit_test(test_import_bad_urls),
		cmocka_unit_test(test_import_many),
		cmocka_unit_test(test_deep_categories),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
