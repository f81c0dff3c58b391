/*
 * test_discover.c - feeds found from a web page: <link rel="alternate">
 * in its variants (relative, several, comment feeds, type and rel
 * spellings, <base>), documents that are feeds themselves, pages with no
 * feed and their fallback paths.  A redirect chain is the caller's: the
 * final URL it passes is the base, which one case checks.
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
#include "discover.h"
#include "limits.h"
#include "util.h"

#define PAGE(head)	"<!DOCTYPE html><html><head>" head \
			"</head><body><p>Hello</p></body></html>"

static const struct {
	const char	*name;
	const char	*url;
	const char	*ctype;
	const char	*body;
	enum discover_kind kind;
	const char	*feeds;		/* "url|flags url|flags": c comment */
} cases[] = {
	{ "wordpress head", "https://blog.example.org/2026/03/post/",
	    "text/html; charset=UTF-8", PAGE(
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "title=\"Blog &raquo; Feed\" href=\"https://blog.example.org/feed/\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "title=\"Blog &raquo; Comments Feed\" "
	    "href=\"https://blog.example.org/comments/feed/\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "title=\"Blog &raquo; Post Comments Feed\" "
	    "href=\"https://blog.example.org/2026/03/post/feed/\">"
	    "<link rel=\"alternate\" type=\"application/json\" "
	    "href=\"https://blog.example.org/wp-json/wp/v2/posts/12\">"
	    "<link rel=\"alternate\" type=\"application/json+oembed\" "
	    "href=\"https://blog.example.org/wp-json/oembed/1.0/embed?u=x\">"
	    "<link rel=\"https://api.w.org/\" href=\"/wp-json/\">"),
	    DISCOVER_PAGE,
	    "https://blog.example.org/feed/| "
	    "https://blog.example.org/comments/feed/|c "
	    "https://blog.example.org/2026/03/post/feed/|c" },
	{ "comment feed first", "https://news.example.com/a/b.html",
	    "text/html", PAGE(
	    "<link rel=alternate type=application/atom+xml title=\"Comments"
	    " on: B\" href=\"/a/b/comments.atom\">"
	    "<link rel=alternate type=application/atom+xml title=\"News\" "
	    "href=\"/news.atom\">"),
	    DISCOVER_PAGE,
	    "https://news.example.com/news.atom| "
	    "https://news.example.com/a/b/comments.atom|c" },
	{ "relative hrefs", "https://example.org/blog/2026/post.html", NULL,
	    PAGE("<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "href=\"../atom.xml\"><link rel=\"alternate\" "
	    "type=\"application/rss+xml\" href=\"rss.xml\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"//cdn.example.net/feed.rss\">"),
	    DISCOVER_PAGE,
	    "https://example.org/blog/atom.xml| "
	    "https://example.org/blog/2026/rss.xml| "
	    "https://cdn.example.net/feed.rss|" },
	{ "base href", "https://example.org/x/y", "text/html",
	    PAGE("<base href=\"https://static.example.org/site/\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"index.xml\">"),
	    DISCOVER_PAGE, "https://static.example.org/site/index.xml|" },
	{ "type and rel spellings", "http://old.example.org/", "text/html",
	    PAGE("<LINK REL=\"Alternate Home\" TYPE=\"Application/RSS+XML; "
	    "charset=utf-8\" HREF=\" /rss \">"
	    "<link rel=\"alternate\" type=\"text/xml\" href=\"/backend.xml\">"
	    "<link rel=\"alternate\" type=\"application/rdf+xml\" "
	    "href=\"/index.rdf\">"
	    "<link rel=\"feed alternate\" type=\"application/x-atom+xml\" "
	    "href=\"/atom\">"
	    "<link rel=\"alternate\" hreflang=\"de\" type=\"text/html\" "
	    "href=\"/de/\">"
	    "<link rel=\"stylesheet\" type=\"text/css\" href=\"/s.css\">"
	    "<link rel=\"alternative\" type=\"application/rss+xml\" "
	    "href=\"/typo\">"),
	    DISCOVER_PAGE,
	    "http://old.example.org/rss| http://old.example.org/backend.xml| "
	    "http://old.example.org/index.rdf| http://old.example.org/atom|" },
	{ "json feed", "https://j.example/", "text/html",
	    PAGE("<link rel=\"alternate\" type=\"application/feed+json\" "
	    "href=\"/feed.json\"><link rel=\"alternate\" "
	    "type=\"application/json\" title=\"JSON Feed\" href=\"/j\">"
	    "<link rel=\"alternate\" type=\"application/json\" "
	    "href=\"/api/posts\">"),
	    DISCOVER_PAGE, "https://j.example/feed.json| https://j.example/j|" },
	{ "duplicates and bad links", "https://d.example/", "text/html",
	    PAGE("<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"/feed\"><link rel=\"alternate\" type=\"application/rss+xml\""
	    " href=\"https://d.example/feed\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"javascript:alert(1)\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"ftp://d.example/feed\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\">"),
	    DISCOVER_PAGE, "https://d.example/feed|" },
	{ "link in the body", "https://b.example/", "text/html",
	    "<html><body><link rel=\"alternate\" type=\"application/rss+xml\""
	    " href=\"/rss.xml\"><p>text</p></body></html>",
	    DISCOVER_PAGE, "https://b.example/rss.xml|" },
	/* a redirect chain ends at the final URL: the caller passes it */
	{ "after redirects", "https://www.example.org/en/home/", "text/html",
	    PAGE("<link rel=\"alternate\" type=\"application/rss+xml\" "
	    "href=\"feed.xml\">"),
	    DISCOVER_PAGE, "https://www.example.org/en/home/feed.xml|" },
	{ "no feed", "https://plain.example/", "text/html",
	    PAGE("<title>Plain</title>"), DISCOVER_PAGE, "" },
	/* documents that are feeds themselves */
	{ "rss with prolog", "https://f.example/feed", "text/html",
	    "\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"s"
	    "\"?><!-- generator --><!DOCTYPE rss><rss version=\"2.0\">"
	    "<channel/></rss>", DISCOVER_FEED, "" },
	{ "atom as text/plain", "https://f.example/atom", "text/plain",
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>",
	    DISCOVER_FEED, "" },
	{ "rdf", "https://f.example/index.rdf", NULL,
	    "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"x\"></rdf:RDF>",
	    DISCOVER_FEED, "" },
	{ "json feed document", "https://f.example/feed.json",
	    "application/json", "{\"version\": \"https://jsonfeed.org/version/"
	    "1.1\", \"items\": []}", DISCOVER_FEED, "" },
	{ "feed by type", "https://f.example/x", "Application/RSS+XML",
	    "garbage", DISCOVER_FEED, "" },
	{ "other json", "https://f.example/api", "application/json",
	    "{\"items\": []}", DISCOVER_OTHER, "" },
	{ "an image", "https://f.example/a.png", "image/png",
	    "\x89PNG\r\n\x1a\n", DISCOVER_OTHER, "" },
	{ "not rss", "https://f.example/p", NULL,
	    "<rsstory>not a feed</rsstory>", DISCOVER_PAGE, "" },
};

/* "url|flags url|flags" against the feeds found. */
static void
check_feeds(const char *name, const struct discover *d, const char *want)
{
	char *w = xstrdup(want), *tok, *save = NULL, *bar;
	size_t i = 0;

	for (tok = strtok_r(w, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), i++) {
		bar = strchr(tok, '|');
		assert_non_null(bar);
		*bar = '\0';
		if (i >= d->nfeeds)
			fail_msg("%s: feed %zu missing (%s)", name, i, tok);
		if (strcmp(d->feeds[i].url, tok) != 0)
			fail_msg("%s: feed %zu is %s, not %s", name, i,
			    d->feeds[i].url, tok);
		if (d->feeds[i].comments != (strchr(bar + 1, 'c') != NULL))
			fail_msg("%s: feed %zu comments %d", name, i,
			    d->feeds[i].comments);
		assert_non_null(d->feeds[i].type);
	}
	if (i != d->nfeeds)
		fail_msg("%s: %zu feeds, expected %zu (first extra: %s)", name,
		    d->nfeeds, i, d->feeds[i].url);
	free(w);
}

static void
test_cases(void **state)
{
	struct discover d;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (discover_page(cases[i].body, strlen(cases[i].body),
		    cases[i].url, cases[i].ctype, &d, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].name, err);
		if (d.kind != cases[i].kind)
			fail_msg("%s: kind %d", cases[i].name, d.kind);
		check_feeds(cases[i].name, &d, cases[i].feeds);
		if (d.kind == DISCOVER_PAGE)
			assert_true(d.nfallbacks > 0);
		else
			assert_int_equal(d.nfallbacks, 0);
		discover_free(&d);
	}
	discover_free(NULL);
}

static void
test_titles(void **state)
{
	const char *page = PAGE("<link rel=\"alternate\" type=\"application/"
	    "rss+xml\" title=\"  Caf\xc3\xa9 \n &amp; Co  \" href=\"/f\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"\" "
	    "href=\"/g\"><link rel=\"alternate\" type=\"application/atom+xml\""
	    " title=\"Kommentare\" href=\"/k\">");
	struct discover d;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(discover_page(page, strlen(page), "https://t/",
	    "text/html", &d, err, sizeof(err)), 0);
	assert_int_equal(d.nfeeds, 3);
	assert_non_null(strstr(d.feeds[0].title, "Caf\xc3\xa9 & Co"));
	assert_null(strchr(d.feeds[0].title, '\n'));
	assert_string_equal(d.feeds[0].type, "application/rss+xml");
	assert_null(d.feeds[1].title);
	assert_string_equal(d.feeds[2].url, "https://t/k");
	assert_int_equal(d.feeds[2].comments, 1);
	discover_free(&d);
}

static void
test_fallbacks(void **state)
{
	static const char *const root[] = {
		"https://blog.example.org/feed", "https://blog.example.org/feed/",
		"https://blog.example.org/rss", "https://blog.example.org/rss.xml",
		"https://blog.example.org/atom.xml",
		"https://blog.example.org/index.xml",
		"https://blog.example.org/feed.xml",
		"https://blog.example.org/?feed=rss2",
	};
	const char *none = PAGE("<title>x</title>");
	const char *one = PAGE("<link rel=\"alternate\" type=\"application/"
	    "rss+xml\" href=\"/feed/\">");
	struct discover d;
	char err[ERRLEN];
	size_t i;

	(void)state;
	assert_int_equal(discover_page(none, strlen(none),
	    "https://blog.example.org/", "text/html", &d, err, sizeof(err)),
	    0);
	assert_int_equal(d.nfeeds, 0);
	assert_int_equal(d.nfallbacks, DISCOVER_PATHS);
	for (i = 0; i < DISCOVER_PATHS; i++)
		assert_string_equal(d.fallbacks[i], root[i]);
	discover_free(&d);
	/* a page below the root: its directory first, then the root */
	assert_int_equal(discover_page(none, strlen(none),
	    "https://blog.example.org/sub/page.html?q=1#x", "text/html", &d,
	    err, sizeof(err)), 0);
	assert_int_equal(d.nfallbacks, 2 * DISCOVER_PATHS);
	assert_string_equal(d.fallbacks[0], "https://blog.example.org/sub/feed");
	assert_string_equal(d.fallbacks[7],
	    "https://blog.example.org/sub/?feed=rss2");
	for (i = 0; i < DISCOVER_PATHS; i++)
		assert_string_equal(d.fallbacks[DISCOVER_PATHS + i], root[i]);
	discover_free(&d);
	/* a feed the page links is not repeated as a fallback */
	assert_int_equal(discover_page(one, strlen(one),
	    "https://blog.example.org/", "text/html", &d, err, sizeof(err)),
	    0);
	assert_int_equal(d.nfeeds, 1);
	assert_int_equal(d.nfallbacks, DISCOVER_PATHS - 1);
	for (i = 0; i < d.nfallbacks; i++)
		assert_string_not_equal(d.fallbacks[i],
		    "https://blog.example.org/feed/");
	discover_free(&d);
}

static void
test_limits(void **state)
{
	struct buf b = BUF_INIT(0);
	struct discover d;
	char err[ERRLEN];
	char *big;
	int i;

	(void)state;
	/* the URL must be an absolute http(s) one */
	assert_int_equal(discover_page("<p>", 3, "feed.xml", NULL, &d, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not an http(s) URL"));
	discover_free(&d);
	assert_int_equal(discover_page("<p>", 3, "file:///etc/passwd", NULL,
	    &d, err, sizeof(err)), -1);
	discover_free(&d);
	assert_int_equal(discover_page("<p>", 3, NULL, NULL, &d, err,
	    sizeof(err)), -1);
	discover_free(&d);
	/* too many feeds: the first LIM_DISCOVER_FEEDS */
	buf_puts(&b, "<head>");
	for (i = 0; i < 3 * LIM_DISCOVER_FEEDS; i++)
		buf_printf(&b, "<link rel=alternate type=application/rss+xml "
		    "href=/f%d>", i);
	assert_int_equal(discover_page(b.data, b.len, "https://m/", NULL, &d,
	    err, sizeof(err)), 0);
	assert_int_equal(d.nfeeds, LIM_DISCOVER_FEEDS);
	assert_string_equal(d.feeds[0].url, "https://m/f0");
	discover_free(&d);
	buf_free(&b);
	/* too large */
	big = xcalloc(LIM_ARTICLE_PAGE + 2, 1);
	memset(big, ' ', LIM_ARTICLE_PAGE + 1);
	assert_int_equal(discover_page(big, LIM_ARTICLE_PAGE + 1, "https://m/",
	    NULL, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	discover_free(&d);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
