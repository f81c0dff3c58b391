/*
 * test_message_html.c - the document around a message's HTML part.
 *
 * Two tables: entry heads (the byline, enclosures and linked title, whole
 * output compared) and documents (the wrapper around a fragment: its
 * start up to <style>, and everything after </head>).  Strings from a
 * feed must come out escaped and on one line; links only when safe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "message_html.h"

#define HEAD	"<p class=\"rss2mail-head\">"
#define DATE	"2026-11-27 00:28 UTC"

static const struct msg_html_link encl[] = {
	{ "https://e.example/ep1.mp3", "audio/mpeg, 4.2 MB" },
	{ NULL, "no href: not shown" },
	{ "javascript:alert(1)", NULL },
	{ " https://e.example/a b\t.ogg\n", NULL },
};

static const struct {
	const char		*what;
	struct msg_html_doc	 d;
	int			 level;
	const char		*want;
} heads[] = {
	{ "everything, at level 2",
	    { "A <post>", "Blog", "Jane", DATE, "https://e.example/p?a=1&b=2",
	    "en", NULL, 0 }, 2,
	    HEAD "Blog &middot; Jane &middot; " DATE "</p>\n"
	    "<h2><a href=\"https://e.example/p?a=1&amp;b=2\">A &lt;post&gt;"
	    "</a></h2>\n" },
	{ "nothing at all",
	    { NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }, 1,
	    HEAD "</p>\n<h1>(no title)</h1>\n" },
	{ "an empty title reads (no title)",
	    { "", "Blog", NULL, NULL, NULL, NULL, NULL, 0 }, 1,
	    HEAD "Blog</p>\n<h1>(no title)</h1>\n" },
	{ "a digest's entry: no feed, author and date",
	    { "T", NULL, "Jane", DATE, NULL, NULL, NULL, 0 }, 2,
	    HEAD "Jane &middot; " DATE "</p>\n<h2>T</h2>\n" },
	{ "feed and date, no author",
	    { "T", "Blog", NULL, DATE, NULL, NULL, NULL, 0 }, 1,
	    HEAD "Blog &middot; " DATE "</p>\n<h1>T</h1>\n" },
	{ "only the date",
	    { "T", NULL, NULL, DATE, NULL, NULL, NULL, 0 }, 1,
	    HEAD DATE "</p>\n<h1>T</h1>\n" },
	{ "level below 1 is 1",
	    { "T", NULL, NULL, NULL, NULL, NULL, NULL, 0 }, 0,
	    HEAD "</p>\n<h1>T</h1>\n" },
	{ "level above 6 is 6",
	    { "T", NULL, NULL, NULL, NULL, NULL, NULL, 0 }, 9,
	    HEAD "</p>\n<h6>T</h6>\n" },
	{ "an unsafe link is only text",
	    { "T", NULL, NULL, NULL, "javascript:alert(1)", NULL, NULL, 0 },
	    1, HEAD "</p>\n<h1>T</h1>\n" },
	{ "a relative link is only text",
	    { "T", NULL, NULL, NULL, "/2026/post", NULL, NULL, 0 }, 1,
	    HEAD "</p>\n<h1>T</h1>\n" },
	{ "a link as a browser reads it",
	    { "T", NULL, NULL, NULL, " \thttps://e.example/a\tb\n ", NULL,
	    NULL, 0 }, 1,
	    HEAD "</p>\n<h1><a href=\"https://e.example/ab\">T</a></h1>\n" },
	{ "a link's quotes escaped",
	    { "T", NULL, NULL, NULL, "https://e.example/\"><script>", NULL,
	    NULL, 0 }, 1,
	    HEAD "</p>\n<h1><a href=\"https://e.example/&quot;&gt;&lt;script"
	    "&gt;\">T</a></h1>\n" },
	{ "text made one line of valid UTF-8",
	    { "Two\nlines", "Caf\xc3\xa9\r\nBlog", "Bad \xff byte", NULL, NULL,
	    NULL, NULL, 0 }, 1,
	    HEAD "Caf\xc3\xa9 Blog &middot; Bad \xef\xbf\xbd byte</p>\n"
	    "<h1>Two lines</h1>\n" },
	{ "markup in a byline is text",
	    { "T", "<b>Blog</b> & Co", "O'Brien", "\"now\"", NULL, NULL, NULL,
	    0 }, 1,
	    HEAD "&lt;b&gt;Blog&lt;/b&gt; &amp; Co &middot; O&#39;Brien "
	    "&middot; &quot;now&quot;</p>\n<h1>T</h1>\n" },
	{ "enclosures: linked when safe, with their note",
	    { "T", NULL, NULL, NULL, NULL, NULL, encl, 4 }, 1,
	    HEAD "</p>\n"
	    HEAD "Enclosure: <a href=\"https://e.example/ep1.mp3\">"
	    "https://e.example/ep1.mp3</a> (audio/mpeg, 4.2 MB)</p>\n"
	    HEAD "Enclosure: javascript:alert(1)</p>\n"
	    HEAD "Enclosure: <a href=\"https://e.example/a b.ogg\">"
	    "https://e.example/a b .ogg</a></p>\n"
	    "<h1>T</h1>\n" },
};

static void
test_entry_head(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		struct buf b = BUF_INIT(0);

		assert_int_equal(msg_html_entry_head(&heads[i].d,
		    heads[i].level, &b), 0);
		if (strcmp(buf_str(&b), heads[i].want) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", heads[i].what,
			    buf_str(&b), heads[i].want);
		buf_free(&b);
	}
}

#define TOP	"<!DOCTYPE html>\n"
#define META	">\n<head>\n<meta charset=\"utf-8\">\n" \
		"<meta name=\"viewport\" " \
		"content=\"width=device-width, initial-scale=1\">\n<title>"
#define BODY	"</style>\n</head>\n<body>\n"
#define END	"</body>\n</html>\n"

static const struct {
	const char		*what;
	struct msg_html_doc	 d;
	const char		*frag;
	const char		*top;	/* the document up to <style> */
	const char		*body;	/* from </style> to the end */
} docs[] = {
	{ "a fragment ending in a line end is kept as it is",
	    { "A <post>", "Blog", NULL, DATE, NULL, "en-US", NULL, 0 },
	    "<p>x</p>\n",
	    TOP "<html lang=\"en-US\"" META "A &lt;post&gt;</title>\n",
	    BODY HEAD "Blog &middot; " DATE "</p>\n<h1>A &lt;post&gt;</h1>\n"
	    "<p>x</p>\n" END },
	{ "a line end after a fragment without one",
	    { "T", NULL, NULL, NULL, NULL, NULL, NULL, 0 }, "<p>x</p>",
	    TOP "<html" META "T</title>\n",
	    BODY HEAD "</p>\n<h1>T</h1>\n<p>x</p>\n" END },
	{ "an empty fragment adds nothing",
	    { NULL, NULL, NULL, NULL, NULL, "", NULL, 0 }, "",
	    TOP "<html" META "</title>\n",
	    BODY HEAD "</p>\n<h1>(no title)</h1>\n" END },
	{ "lang and title escaped",
	    { "T\"&", NULL, NULL, NULL, NULL, "x\"><script>", NULL, 0 }, "",
	    TOP "<html lang=\"x&quot;&gt;&lt;script&gt;\"" META
	    "T&quot;&amp;</title>\n",
	    BODY HEAD "</p>\n<h1>T&quot;&amp;</h1>\n" END },
};

static void
test_document(void **state)
{
	const char *style;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct buf b = BUF_INIT(0);

		assert_int_equal(msg_html_document(&docs[i].d, docs[i].frag,
		    strlen(docs[i].frag), &b), 0);
		n = strlen(docs[i].top);
		if (strncmp(buf_str(&b), docs[i].top, n) != 0 ||
		    strncmp(buf_str(&b) + n, "<style>\n", 8) != 0)
			fail_msg("%s: top:\n%s", docs[i].what, buf_str(&b));
		style = buf_str(&b) + n + 8;
		n = strlen(docs[i].body);
		if (b.len < n || strcmp(b.data + b.len - n, docs[i].body) != 0)
			fail_msg("%s: body:\n got: %s\nwant: %s",
			    docs[i].what, buf_str(&b), docs[i].body);
		/* one style sheet between them, nothing remote in it */
		assert_ptr_equal(strstr(style, BODY), b.data + b.len - n);
		assert_null(strstr(style, "url("));
		assert_null(strstr(style, "@import"));
		assert_non_null(strstr(style, "prefers-color-scheme:dark"));
		buf_free(&b);
	}
}

/* The document's head is the entry head at level 1, unchanged. */
static void
test_document_head(void **state)
{
	struct buf doc = BUF_INIT(0), head = BUF_INIT(0);
	const struct msg_html_doc d = { "T", "Blog", "Jane", DATE,
	    "https://e.example/p", "en", encl, 4 };

	(void)state;
	assert_int_equal(msg_html_entry_head(&d, 1, &head), 0);
	assert_int_equal(msg_html_document(&d, "<p>x</p>", 8, &doc), 0);
	assert_non_null(strstr(buf_str(&doc), buf_str(&head)));
	assert_non_null(strstr(buf_str(&doc), BODY));
	assert_ptr_equal(strstr(buf_str(&doc), buf_str(&head)),
	    strstr(buf_str(&doc), BODY) + strlen(BODY));
	buf_free(&doc);
	buf_free(&head);
}

/* At out's cap both fail, and out stays within it. */
static void
test_cap(void **state)
{
	struct buf whole = BUF_INIT(0);
	const struct msg_html_doc d = { "T", NULL, NULL, NULL,
	    "https://e.example/p", NULL, NULL, 0 };
	size_t max;

	(void)state;
	assert_int_equal(msg_html_document(&d, "<p>x</p>", 8, &whole), 0);
	for (max = 1; max < whole.len; max += 97) {
		struct buf b = BUF_INIT(max);

		assert_int_equal(msg_html_document(&d, "<p>x</p>", 8, &b), -1);
		assert_true(b.len <= max);
		buf_free(&b);
	}
	{
		struct buf b = BUF_INIT(10);

		assert_int_equal(msg_html_entry_head(&d, 1, &b), -1);
		buf_free(&b);
	}
	buf_free(&whole);
}

/* The test moved from test_html.c with the template. */
static void
test_document_escapes(void **state)
{
	struct buf b = BUF_INIT(0);
	struct msg_html_doc d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.title = "<T>";
	d.feed = "F & G";
	d.link = "javascript:alert(1)";
	msg_html_document(&d, "<p>x</p>", 8, &b);
	assert_non_null(strstr(b.data, "<html>"));
	assert_non_null(strstr(b.data, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(b.data, "&lt;T&gt;"));
	assert_non_null(strstr(b.data, "F &amp; G"));
	assert_null(strstr(b.data, "javascript"));
	assert_non_null(strstr(b.data, "<p>x</p>\n</body>\n</html>\n"));
	buf_reset(&b);
	d.link = "https://example.org/p?a=1&b=2";
	msg_html_document(&d, "", 0, &b);
	assert_non_null(strstr(b.data,
	    "<a href=\"https://example.org/p?a=1&amp;b=2\">"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_head),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_document_head),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_document_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
