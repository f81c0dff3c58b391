/*
 * test_opml.c - the OPML parser and writer (config/opml.c): nested
 * categories, round trips, hostile documents, categories deeper than a
 * list can nest.  Import into and export from the config file are
 * test_import.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "opml.h"
#include "testutil.h"
#include "util.h"

#define DATA	"tests/data/opml/"

static struct opml *
parse_file(const char *name)
{
	struct buf b = BUF_INIT(0), path = BUF_INIT(0);
	struct opml *o = NULL;
	char err[ERRLEN];

	buf_printf(&path, DATA "%s", name);
	tu_slurp(path.data, &b);
	if (opml_parse(buf_str(&b), b.len, &o, err, sizeof(err)) == -1)
		fail_msg("%s: %s", name, err);
	buf_free(&b);
	buf_free(&path);
	return o;
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
		tu_assert_str_or_null(o->feeds[i].title, want[i].title);
		tu_assert_str_or_null(o->feeds[i].xml_url, want[i].xml_url);
		tu_assert_str_or_null(o->feeds[i].html_url, want[i].html_url);
		tu_assert_str_or_null(o->feeds[i].category, want[i].category);
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

/* An outline with only an htmlUrl is a site, listed apart from the feeds
 * (the caller finds its feed); a category outline with an htmlUrl is
 * still a category.  Writing ignores sites. */
static void
test_sites(void **state)
{
	static const char doc[] = "<opml version=\"2.0\"><body>"
	    "<outline text=\"Tech\" htmlUrl=\"https://tech.example/\">"
	    "<outline text=\"Blog\" htmlUrl=\"https://blog.example/\"/>"
	    "<outline text=\"Feed\" xmlUrl=\"https://f.example/rss\"/>"
	    "</outline><outline text=\"Bare\"/></body></opml>";
	struct opml *o = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];

	(void)state;
	assert_int_equal(opml_parse(doc, sizeof(doc) - 1, &o, err,
	    sizeof(err)), 0);
	assert_int_equal(o->nfeeds, 1);
	assert_string_equal(o->feeds[0].category, "Tech");
	assert_int_equal(o->nsites, 1);
	assert_null(o->sites[0].xml_url);
	assert_string_equal(o->sites[0].title, "Blog");
	assert_string_equal(o->sites[0].html_url, "https://blog.example/");
	assert_string_equal(o->sites[0].category, "Tech");
	assert_int_equal(opml_write(o, &out, err, sizeof(err)), 0);
	assert_null(strstr(buf_str(&out), "blog.example"));
	buf_free(&out);
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
		tu_slurp(path.data, &b);
		t0 = tu_now();
		o = (struct opml *)1;
		assert_int_equal(opml_parse(buf_str(&b), b.len, &o, err,
		    sizeof(err)), -1);
		assert_null(o);
		if (strncmp(err, t[i].err, strlen(t[i].err)) != 0)
			fail_msg("%s:\n got  %s\n want %s", t[i].file, err,
			    t[i].err);
		assert_true(tu_now() - t0 < 1.0);
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
	t0 = tu_now();
	assert_int_equal(opml_parse(b.data, b.len, &o, err, sizeof(err)), -1);
	assert_true(tu_now() - t0 < 1.0);

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
	char err[ERRLEN];
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
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nested),
		cmocka_unit_test(test_sites),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_deep_categories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
