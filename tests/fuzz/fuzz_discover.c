/*
 * fuzz_discover.c - discover_page on arbitrary bytes.  Beyond "no crash,
 * no leak": a feed or a neither has no links; a page has at most
 * LIM_DISCOVER_FEEDS feeds and at most 2 * DISCOVER_PATHS fallbacks, each
 * an absolute http(s) URL of valid UTF-8 without spaces or controls, none
 * twice; titles are one clean line.  The first byte picks the
 * Content-Type and the page URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover.h"
#include "limits.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_url(const char *u)
{
	const char *p;

	if (u == NULL || (strncasecmp(u, "http://", 7) != 0 &&
	    strncasecmp(u, "https://", 8) != 0) || !utf8_valid(u, strlen(u)))
		abort();
	for (p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7F)
			abort();
}

static void
check_line(const char *s)
{
	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)))
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7F)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ctypes[] = {
		NULL, "text/html", "application/rss+xml", "text/plain",
		"application/json; charset=utf-8", "TEXT/HTML;charset=x"
	};
	static const char *const urls[] = {
		"https://fuzz.example/", "http://fuzz.example/a/b/c.html?q#f",
		"https://fuzz.example:8443/blog/"
	};
	struct discover d;
	char err[ERRLEN];
	size_t i, j;
	unsigned k = size > 0 ? data[0] : 0;

	if (discover_page((const char *)data, size, urls[k % 3],
	    ctypes[(k / 3) % 6], &d, err, sizeof(err)) == 0) {
		if (d.kind != DISCOVER_PAGE && (d.nfeeds || d.nfallbacks))
			abort();
		if (d.nfeeds > LIM_DISCOVER_FEEDS ||
		    d.nfallbacks > 2 * DISCOVER_PATHS)
			abort();
		for (i = 0; i < d.nfeeds; i++) {
			check_url(d.feeds[i].url);
			check_line(d.feeds[i].title);
			check_line(d.feeds[i].type);
			for (j = 0; j < i; j++)
				if (!strcmp(d.feeds[i].url, d.feeds[j].url))
					abort();
		}
		for (i = 0; i < d.nfallbacks; i++)
			check_url(d.fallbacks[i]);
	}
	discover_free(&d);
	return 0;
}
