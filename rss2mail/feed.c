/*
 * feed.c - feed_parse: sniff the document kind and hand it to the XML or
 * JSON reader (feed_xml.c, feed_json.c), which build the model through
 * feed_build.c.  It does not read any format itself, parse dates
 * (feed_date.c) or print (feed_out.c).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

/* 1 when the document starts like an HTML page (after white space, a BOM
 * and comments). */
static int
sniff_html(const char *p, size_t n)
{
	const char *end = p + n, *c;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
		    *p == '\r'))
			p++;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0 &&
		    (c = memmem(p, (size_t)(end - p), "-->", 3)) != NULL) {
			p = c + 3;
			continue;
		}
		break;
	}
	if (end - p >= 14 && strncasecmp(p, "<!doctype html", 14) == 0)
		return 1;
	return end - p >= 5 && strncasecmp(p, "<html", 5) == 0 &&
	    (end - p == 5 || p[5] == '>' || p[5] == ' ' || p[5] == '\n' ||
	    p[5] == '\r' || p[5] == '\t');
}

/* The error text may quote the document: make it one line of UTF-8. */
static void
err_clean(char *err, size_t errlen)
{
	struct buf b = BUF_INIT(0);

	if (errlen == 0 || utf8_clean(&b, err, strlen(err), 1) == -1)
		goto out;
	snprintf(err, errlen, "%s", buf_str(&b));
	b.len = strlen(err);
	while (b.len > 0 && !utf8_valid(err, b.len))
		err[--b.len] = '\0';
out:
	buf_free(&b);
}

int
feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
    struct arena *a, struct feed **out, char *err, size_t errlen)
{
	static const struct feed_parse_opts noopts;
	struct feed *f;
	const char *p = data, *end = data + len;
	int rc = -1;

	*out = NULL;
	if (opts == NULL)
		opts = &noopts;
	if ((f = arena_alloc(a, sizeof(*f))) == NULL) {
		errf(err, errlen, "feed too large");
		goto out;
	}
	f->version = "";
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	if (p == end) {
		errf(err, errlen, "not a feed: empty document");
		goto out;
	}
	if (*p == '{')
		rc = feed_json_parse(data, len, opts, a, f, err, errlen);
	else if (sniff_html(p, (size_t)(end - p))) {
		errf(err, errlen, "not a feed: HTML document");
		goto out;
	} else if (*p != '<' && (unsigned char)*p < 0x80 && *p != '\0') {
		/* not '<', not a UTF-16/32 or legacy byte: no markup at all */
		errf(err, errlen, "not a feed: neither XML nor JSON");
		goto out;
	} else
		rc = feed_xml_parse(data, len, opts, a, f, err, errlen);
	if (rc == 0)
		*out = f;
out:
	if (rc != 0)
		err_clean(err, errlen);
	return rc;
}
