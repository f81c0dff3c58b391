/*
 * test_feed.c - the feed parser against its golden files, plus the caps.
 *
 * Every tests/data/feeds/NAME.xml (or NAME.jsonfeed) is parsed and printed
 * with feed_to_json; the result must equal NAME.json byte for byte.  A
 * failing parse prints {"error": "..."}.  Optional NAME.opts holds
 * key=value lines: base_url, content_location, http_charset.
 * RSS2MAIL_UPDATE_GOLDEN=1 rewrites the .json files (review the diff!).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "feed_xml_int.h"
#include "limits.h"
#include "util.h"
#include "testutil.h"
#include "utf8.h"
#include "fsutil.h"

#define FEEDS	"tests/data/feeds"

struct fixture {
	char	name[256];	/* file name of the input */
};

static struct fixture *fixtures;
static size_t nfixtures;

static void
check_oneline(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	assert_true(utf8_valid(s, strlen(s)));
	for (p = (const unsigned char *)s; *p; p++)
		assert_false(*p < 0x20 || *p == 0x7F);
}

static void
check_text(const char *s)
{
	if (s)
		assert_true(utf8_valid(s, strlen(s)));
}

/* The model's promises: valid UTF-8, one-line fields without controls,
 * every entry with an id, nentries consistent. */
static void
check_model(const struct feed *f)
{
	const struct entry *e;
	const struct feed_tag *t;
	const struct feed_enclosure *x;
	size_t n = 0;

	check_oneline(f->title.value);
	check_oneline(f->link);
	check_text(f->subtitle.value);
	check_oneline(f->language);
	check_oneline(f->id);
	check_oneline(f->author.name);
	check_oneline(f->author.email);
	for (e = f->entries; e; e = e->next, n++) {
		assert_non_null(e->id);
		check_oneline(e->id);
		check_oneline(e->title.value);
		check_oneline(e->link);
		check_oneline(e->author.name);
		check_oneline(e->author.email);
		check_oneline(e->author.href);
		check_oneline(e->published.raw);
		check_oneline(e->updated.raw);
		check_text(e->summary.value);
		check_text(e->content.value);
		for (t = e->tags; t; t = t->next)
			check_oneline(t->term);
		for (x = e->enclosures; x; x = x->next)
			check_oneline(x->href);
	}
	assert_int_equal(n, f->nentries);
	assert_true(n <= LIM_ENTRIES);
}

static void
read_opts(const char *base, struct feed_parse_opts *o, char store[3][1024])
{
	char path[600], line[1100], *v;
	FILE *fp;

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "%s/%s.opts", FEEDS, base);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((v = strchr(line, '=')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "base_url") == 0) {
			snprintf(store[0], 1024, "%s", v);
			o->base_url = store[0];
		} else if (strcmp(line, "content_location") == 0) {
			snprintf(store[1], 1024, "%s", v);
			o->content_location = store[1];
		} else if (strcmp(line, "http_charset") == 0) {
			snprintf(store[2], 1024, "%s", v);
			o->http_charset = store[2];
		}
	}
	fclose(fp);
}

static void
test_golden(void **state)
{
	const struct fixture *fx = *state;
	struct buf in = BUF_INIT(0), out = BUF_INIT(0), want = BUF_INIT(0);
	struct feed_parse_opts o;
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN], path[600], base[256], store[3][1024];
	char *dot;

	snprintf(base, sizeof(base), "%s", fx->name);
	if ((dot = strrchr(base, '.')) != NULL)
		*dot = '\0';
	read_opts(base, &o, store);
	snprintf(path, sizeof(path), "%s/%s", FEEDS, fx->name);
	assert_int_equal(fs_read_file(path, 64u << 20, &in, err,
	    sizeof(err)), 0);
	if (feed_parse(in.data ? in.data : "", in.len, &o, a, &f, err,
	    sizeof(err)) == 0) {
		check_model(f);
		assert_int_equal(feed_to_json(f, &out), 0);
	} else {
		buf_puts(&out, "{\"error\": \"");
		buf_puts(&out, err);
		buf_puts(&out, "\"}\n");
	}
	snprintf(path, sizeof(path), "%s/%s.json", FEEDS, base);
	if (getenv("RSS2MAIL_UPDATE_GOLDEN"))
		assert_int_equal(fs_write_atomic(path, out.data, out.len,
		    0644, err, sizeof(err)), 0);
	if (fs_read_file(path, 64u << 20, &want, err, sizeof(err)) != 0)
		fail_msg("%s: no golden file (%s)", fx->name, err);
	if (strcmp(buf_str(&want), buf_str(&out)) != 0) {
		fprintf(stderr, "--- %s: got\n%s", fx->name, buf_str(&out));
		fail_msg("%s differs from %s", fx->name, path);
	}
	buf_free(&in);
	buf_free(&out);
	buf_free(&want);
	arena_free(a);
}

/* A document that would expand to gigabytes ends at once. */
static void
test_billion_laughs_fast(void **state)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n"
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    "]>\n<rss version=\"2.0\"><channel><title>&d;&d;&d;&d;</title>"
	    "</channel></rss>\n";
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];
	clock_t t0 = clock();

	assert_int_equal(feed_parse(doc, sizeof(doc) - 1, NULL, a, &f, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "XML: entity declarations refused");
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
	arena_free(a);
}

static void
gen_feed(struct buf *b, int items, int dup)
{
	int i;

	buf_puts(b, "<rss version=\"2.0\"><channel><title>t</title>");
	for (i = 0; i < items; i++)
		buf_printf(b, "<item><title>n%d</title><guid>id-%d</guid>"
		    "<description>body %d</description></item>", i,
		    dup ? i % 10 : i, i);
	buf_puts(b, "</channel></rss>");
}

static void
test_entry_cap(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];

	gen_feed(&b, LIM_ENTRIES + 50, 0);
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f->nentries, LIM_ENTRIES);
	check_model(f);
	buf_free(&b);
	arena_free(a);
}

static void
test_duplicates(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];

	gen_feed(&b, 100, 1);
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f->nentries, 10);
	assert_string_equal(f->entries->title.value, "n0");	/* first wins */
	buf_free(&b);
	arena_free(a);
}

static void
test_arena_cap(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(16u << 10);
	struct feed *f;
	char err[ERRLEN];

	gen_feed(&b, 2000, 0);
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "feed too large");
	buf_free(&b);
	arena_free(a);
}

static void
test_depth_cap(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];
	int i;

	buf_puts(&b, "<rss version=\"2.0\"><channel>");
	for (i = 0; i < LIM_XML_DEPTH + 10; i++)
		buf_puts(&b, "<x>");
	for (i = 0; i < LIM_XML_DEPTH + 10; i++)
		buf_puts(&b, "</x>");
	buf_puts(&b, "</channel></rss>");
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper"));
	buf_free(&b);
	arena_free(a);
}

static void
test_body_fallback(void **state)
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	assert_null(feed_entry_body(NULL));
	assert_null(feed_entry_body(&e));
	e.summary.value = "s";
	assert_string_equal(feed_entry_body(&e)->value, "s");
	e.content.value = "c";
	assert_string_equal(feed_entry_body(&e)->value, "c");
}

/* Parse a document from a string (NUL-terminated) into a fresh arena. */
static struct feed *
parse_str(struct arena *a, const char *doc)
{
	struct feed *f = NULL;
	char err[ERRLEN];

	if (feed_parse(doc, strlen(doc), NULL, a, &f, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	check_model(f);
	return f;
}

/* A latin-1 label is decoded as windows-1252 but reported as written. */
static void
test_latin1_label_reported(void **state)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = parse_str(a, "<?xml version=\"1.0\" encoding="
	    "\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item><guid>g"
	    "</guid><title>it\x92s</title></item></channel></rss>");

	assert_string_equal(f->encoding, "iso-8859-1");
	assert_string_equal(f->entries->title.value, "it\xe2\x80\x99s");
	arena_free(a);
}

/* An item's language and dc:language; the feed's is not copied down. */
static void
test_entry_language(void **state)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = parse_str(a, "<rss version=\"2.0\" xmlns:dc=\""
	    "http://purl.org/dc/elements/1.1/\"><channel><language>en"
	    "</language><item><guid>1</guid><dc:language>de</dc:language>"
	    "</item><item><guid>2</guid></item></channel></rss>");

	assert_string_equal(f->language, "en");
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries->language, "de");
	assert_null(f->entries->next->language);
	arena_free(a);
}

/* RSS description and summary in one item: the second is the content. */
static void
test_description_summary_swap(void **state)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = parse_str(a, "<rss version=\"2.0\"><channel>"
	    "<item><guid>1</guid><description>d</description><summary>s"
	    "</summary></item><item><guid>2</guid><summary>s</summary>"
	    "<description>d</description></item><item><guid>3</guid>"
	    "<description>d</description><description>e</description>"
	    "</item></channel></rss>");
	const struct entry *e = f->entries;

	assert_string_equal(e->summary.value, "d");
	assert_string_equal(e->content.value, "s");
	e = e->next;
	assert_string_equal(e->summary.value, "s");
	assert_string_equal(e->content.value, "d");
	e = e->next;
	assert_string_equal(e->summary.value, "d");
	assert_null(e->content.value);
	arena_free(a);
}

/* HTML values as feedparser's serializer writes them, same meaning. */
static void
test_html_tidy(void **state)
{
	static const struct {
		const char *in, *out;	/* out NULL: unchanged */
	} t[] = {
		{ "plain text", NULL },
		{ "<p>a<br />b</p> &amp; &#x61; &eacute;", NULL },
		{ "a<br/>b", "a<br />b" },
		{ "<img src=\"a\"/>", "<img src=\"a\" />" },
		{ "<p title=\"/>\">x</p>", NULL },
		{ "Q&A", "Q&amp;A" },
		{ "&copy 2004", NULL },
		{ "&#X61;", "&#x61;" },
		{ "don&#146;t &#x92;", "don&#x2019;t &#x2019;" },
		{ "&#129; &#; &#x;", "&#129; &amp;#; &amp;#x;" },
		{ "x < y", "x &lt; y" },
		{ "<!' <a href=\"foo\">", "&lt;!' <a href=\"foo\">" },
		{ "<!-- c --> <!DOCTYPE x> <?pi?> </b>", NULL },
		{ "<a href=\"never closed", NULL },
		{ "&", "&amp;" },
		{ "<", "&lt;" },
	};
	struct buf b = BUF_INIT(0);
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		rc = feed_html_tidy(t[i].in, strlen(t[i].in), &b);
		if (t[i].out == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(b.len, 0);
		} else {
			assert_int_equal(rc, 1);
			assert_string_equal(buf_str(&b), t[i].out);
		}
	}
	buf_free(&b);
}

/* An entry known by its hash keeps it: the body is hashed as written. */
static void
test_tidy_keeps_identity(void **state)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = parse_str(a, "<rss version=\"2.0\"><channel><item>"
	    "<title>T</title><description><![CDATA[Tom & Jerry<br/>]]>"
	    "</description></item></channel></rss>");

	assert_string_equal(f->entries->summary.value,
	    "Tom &amp; Jerry<br />");
	/* sha256 of "T\nTom & Jerry<br/>" */
	assert_string_equal(f->entries->id, "sha256:"
	    "ae2257b5f152aadace327717e5f465f74e12ec467920f3e631eb2b231bbd1d83");
	arena_free(a);
}

/* No label and not UTF-8: a guess; UTF-8 with a stray byte stays UTF-8. */
static void
test_charset_guess(void **state)
{
	static const char head[] = "<rss version=\"2.0\"><channel><item>"
	    "<guid>g</guid><title>";
	static const char tail[] = "</title></item></channel></rss>";
	static const struct {
		const char *title, *encoding, *want;
	} t[] = {
		/* KOI8-R: "Privet mir" in Russian, twice */
		{ "\xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2 \xf0\xd2\xc9\xd7"
		  "\xc5\xd4 \xcd\xc9\xd2 \xd3\xcc\xcf\xd7\xcf",
		  "KOI8-R", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
		  "\xd1\x82" },
		/* Shift_JIS: first bytes 0x81-0x9F */
		{ "\x82\xb1\x82\xea\x82\xcd\x83\x65\x83\x58\x83\x67\x82"
		  "\xc5\x82\xb7\x81\x42 \x82\xb1\x82\xea\x82\xcd\x83\x65"
		  "\x83\x58\x83\x67\x82\xc5\x82\xb7\x81\x42", "SHIFT_JIS",
		  "\xe3\x81\x93\xe3\x82\x8c" },
		/* latin accents one at a time (octal: no hex run-on) */
		{ "caf\351 cr\350me br\373l\351e \340 la fran\347aise, tr"
		  "\350s \351l\351gant, d\351j\340 \351t\351 na\357ve "
		  "\351p\351e", "windows-1252", "caf\303\251" },
		/* UTF-8 with one stray byte: U+FFFD, not a guess */
		{ "caf\303\251 cr\303\250me br\303\273l\303\251e \303\240 "
		  "tr\303\250s \303\251l\303\251gant \351", "utf-8",
		  "caf\303\251" },
		/* too few bytes to tell */
		{ "caf\xe9", "utf-8", "caf\xef\xbf\xbd" },
	};
	struct buf b = BUF_INIT(0);
	struct arena *a;
	struct feed *f;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		a = arena_new(LIM_FEED_ARENA);
		buf_reset(&b);
		buf_puts(&b, head);
		buf_puts(&b, t[i].title);
		buf_puts(&b, tail);
		f = parse_str(a, buf_str(&b));
		assert_string_equal(f->encoding, t[i].encoding);
		assert_true(f->bozo);
		assert_non_null(strstr(f->entries->title.value, t[i].want));
		arena_free(a);
	}
	buf_free(&b);
}

/* Over-long fields are cut at a code point, never refused or split. */
static void
test_field_caps(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];
	size_t i;

	buf_puts(&b, "<rss version=\"2.0\"><channel><title>");
	for (i = 0; i < LIM_ONELINE; i++)
		buf_puts(&b, "\xc3\xa9");	/* two bytes each */
	buf_puts(&b, "</title><item><guid>x</guid><description>");
	for (i = 0; i < LIM_FIELD / 2 + 10; i++)
		buf_puts(&b, "\xc3\xa9&amp;");
	buf_puts(&b, "</description></item></channel></rss>");
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), 0);
	assert_true(strlen(f->title.value) <= LIM_ONELINE);
	assert_true(strlen(f->title.value) >= LIM_ONELINE - 1);
	assert_int_equal(f->nentries, 1);
	assert_true(strlen(f->entries->summary.value) <= LIM_FIELD);
	assert_true(strlen(f->entries->summary.value) > LIM_FIELD / 2);
	check_model(f);
	buf_free(&b);
	arena_free(a);
}

/* JSON that would make a huge jansson tree is refused before parsing. */
static void
test_json_value_cap(void **state)
{
	struct buf b = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	char err[ERRLEN];
	size_t i;

	buf_puts(&b, "{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"items\": [");
	for (i = 0; i < (size_t)LIM_ENTRIES * 100 + 1; i++)
		buf_puts(&b, "0,");
	buf_puts(&b, "0]}");
	assert_int_equal(feed_parse(b.data, b.len, NULL, a, &f, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "feed too large");
	buf_free(&b);
	arena_free(a);
}

/*
 * feed_str copies a string as it is only when cleaning would not change it:
 * on any input its result is what trimming (one-line) and utf8_clean give.
 * Pieces at every offset around the eight-byte words of its fast path.
 */
static const char *const str_pieces[] = {
	"a", "Z", "~", "<", " ", "  ", "\t", "\n", "\r", "\x01", "\x1f",
	"\x7f", "\0", "\xc2\x80", "\xc2\x85", "\xc2\x9f", "\xc2\xa0",
	"\xc3\xa9", "\xd0\xb6", "\xe2\x80\xa7", "\xe2\x80\xa8", "\xe2\x80\xa9",
	"\xe2\x80\xaa", "\xe3\x81\x82", "\xef\xbf\xbd", "\xf0\x9f\x98\x80",
	"\xf4\x8f\xbf\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf",
	"\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80",
	"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xff",
};

static void
str_compare(struct arena *a, const char *s, size_t n, int oneline)
{
	struct buf b = BUF_INIT(0);
	const char *r;

	if (oneline) {
		while (n > 0 && strchr(" \t\n\r", *s) && *s)
			s++, n--;
		while (n > 0 && strchr(" \t\n\r", s[n - 1]) && s[n - 1])
			n--;
	}
	r = feed_str(a, s, n, oneline, LIM_FIELD);
	assert_non_null(r);
	assert_int_equal(utf8_clean(&b, s, n, oneline), 0);
	if (strcmp(r, buf_str(&b)) != 0)
		fail_msg("feed_str(%d) on %zu bytes: \"%s\", cleaned \"%s\"",
		    oneline, n, r, buf_str(&b));
	buf_free(&b);
}

static void
test_feed_str_clean(void **state)
{
	const size_t np = sizeof(str_pieces) / sizeof(str_pieces[0]);
	/* mostly the first 27 pieces: text feeds carry */
	const struct tu_pieces sp = { str_pieces, np, 27, 8, 0 };
	struct arena *a = arena_new(LIM_FEED_ARENA);
	char in[256];
	size_t i, n, off, len;
	unsigned seed = 777;
	int oneline, round;

	for (i = 0; i < np * np; i++) {
		const char *p = str_pieces[i / np], *q = str_pieces[i % np];
		size_t pl = *p ? strlen(p) : 1, ql = *q ? strlen(q) : 1;

		for (off = 0; off < 12; off++) {
			memset(in, 'x', sizeof(in));
			memcpy(in + off, p, pl);
			memcpy(in + off + pl, q, ql);
			n = off + pl + ql + 9;
			for (len = off; len <= n; len += 1 + (len < off + 6 ?
			    0 : 2))
				for (oneline = 0; oneline < 2; oneline++)
					str_compare(a, in, len, oneline);
		}
		arena_reset(a);
	}
	for (round = 0; round < 20000; round++) {
		n = tu_random_text(in, sizeof(in) - 8, &sp, 80, &seed);
		str_compare(a, in, n, round & 1);
		if (round % 256 == 0)
			arena_reset(a);
	}
	arena_free(a);
}

static int
fixture_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->name,
	    ((const struct fixture *)b)->name);
}

static void
load_fixtures(void)
{
	DIR *d;
	struct dirent *de;
	size_t n;

	if ((d = opendir(FEEDS)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (!((n > 4 && strcmp(de->d_name + n - 4, ".xml") == 0) ||
		    (n > 9 && strcmp(de->d_name + n - 9, ".jsonfeed") == 0)))
			continue;
		fixtures = xrealloc(fixtures, (nfixtures + 1) *
		    sizeof(*fixtures));
		snprintf(fixtures[nfixtures++].name, sizeof(fixtures->name),
		    "%s", de->d_name);
	}
	closedir(d);
	qsort(fixtures, nfixtures, sizeof(*fixtures), fixture_cmp);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_billion_laughs_fast),
		cmocka_unit_test(test_feed_str_clean),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_arena_cap),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_body_fallback),
		cmocka_unit_test(test_field_caps),
		cmocka_unit_test(test_latin1_label_reported),
		cmocka_unit_test(test_entry_language),
		cmocka_unit_test(test_description_summary_swap),
		cmocka_unit_test(test_html_tidy),
		cmocka_unit_test(test_tidy_keeps_identity),
		cmocka_unit_test(test_charset_guess),
		cmocka_unit_test(test_json_value_cap),
	};
	struct CMUnitTest *tests;
	size_t i, n = sizeof(fixed) / sizeof(fixed[0]);
	int rc;

	load_fixtures();
	tests = xcalloc(n + nfixtures, sizeof(*tests));
	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < nfixtures; i++) {
		tests[n + i].name = fixtures[i].name;
		tests[n + i].test_func = test_golden;
		tests[n + i].initial_state = &fixtures[i];
	}
	rc = _cmocka_run_group_tests("feed", tests, n + nfixtures, NULL,
	    NULL);
	free(tests);
	free(fixtures);
	return rc;
}
