/*
 * fuzz_opml.c - opml_parse on arbitrary bytes.  Beyond "no crash": what
 * parses is one-line valid UTF-8 everywhere (every feed with a non-empty
 * xmlUrl of at most LIM_ONELINE bytes), and opml_write of it parses back
 * to the same list: the same feeds with the same xml_url, category, title
 * and html_url (opml_write groups feeds by category, so the order may
 * change and the lists are compared sorted).  An error is one line.
 *
 * Titles and html_url are compared without trailing blanks: a value cut at
 * LIM_ONELINE can end in a space (utf8_clean stops before its trim), which
 * the re-parse then trims.  No category has more than OPML_MAX_LEVELS
 * levels, however it was written (nested outlines, a `category` attribute,
 * '/'s in a title), so that every list opml_write writes parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "opml.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
oneline(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	if (s[0] == '\0' || !utf8_valid(s, strlen(s)))
		abort();
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			abort();
}

static int
levels(const char *category)
{
	int n = 1;

	for (; *category; category++)
		n += *category == '/';
	return n;
}

static void
check(const struct opml *o)
{
	const struct opml_feed *f;
	size_t i;

	oneline(o->title);
	if (o->nfeeds > 0 && o->feeds == NULL)
		abort();
	for (i = 0; i < o->nfeeds; i++) {
		f = &o->feeds[i];
		if (f->xml_url == NULL || strlen(f->xml_url) > LIM_ONELINE)
			abort();
		oneline(f->xml_url);
		oneline(f->title);
		oneline(f->html_url);
		oneline(f->category);
		/* a normalized path: no empty levels, not too many */
		if (f->category != NULL && (f->category[0] == '/' ||
		    f->category[strlen(f->category) - 1] == '/' ||
		    strstr(f->category, "//") != NULL ||
		    levels(f->category) > OPML_MAX_LEVELS))
			abort();
	}
}

static int
cmp_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* cmp_str, but "x " and "x" are the same (and " " is NULL) */
static int
cmp_trimmed(const char *a, const char *b)
{
	size_t m, n;
	int c;

	m = a ? strlen(a) : 0;
	n = b ? strlen(b) : 0;
	while (m > 0 && a[m - 1] == ' ')
		m--;
	while (n > 0 && b[n - 1] == ' ')
		n--;
	if ((c = memcmp(a ? a : "", b ? b : "", m < n ? m : n)) != 0)
		return c;
	return (m > n) - (m < n);
}

static int
cmp_feed(const void *x, const void *y)
{
	const struct opml_feed *a = *(const struct opml_feed *const *)x;
	const struct opml_feed *b = *(const struct opml_feed *const *)y;
	int c;

	if ((c = cmp_str(a->xml_url, b->xml_url)) != 0 ||
	    (c = cmp_str(a->category, b->category)) != 0 ||
	    (c = cmp_trimmed(a->title, b->title)) != 0)
		return c;
	return cmp_trimmed(a->html_url, b->html_url);
}

static const struct opml_feed **
sorted(const struct opml *o)
{
	const struct opml_feed **v;
	size_t i;

	v = xcalloc(o->nfeeds + 1, sizeof(*v));
	for (i = 0; i < o->nfeeds; i++)
		v[i] = &o->feeds[i];
	qsort(v, o->nfeeds, sizeof(*v), cmp_feed);
	return v;
}

static void
roundtrip(const struct opml *o)
{
	struct buf out = BUF_INIT(0);
	struct opml *again = NULL;
	const struct opml_feed **a, **b;
	char err[ERRLEN];
	size_t i;

	if (opml_write(o, &out, err, sizeof(err)) == -1)
		abort();
	if (!utf8_valid(out.data, out.len))
		abort();
	/* escaping may take what was under the input cap over it */
	if (out.len > LIM_CONFIG_SIZE) {
		buf_free(&out);
		return;
	}
	if (opml_parse(out.data, out.len, &again, err, sizeof(err)) == -1 ||
	    again->nfeeds != o->nfeeds || cmp_trimmed(again->title,
	    o->title ? o->title : "rss2mail feeds") != 0)
		abort();
	a = sorted(o);
	b = sorted(again);
	for (i = 0; i < o->nfeeds; i++)
		if (cmp_feed(&a[i], &b[i]) != 0)
			abort();
	free(a);
	free(b);
	opml_free(again);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opml *o = NULL;
	char err[ERRLEN];

	err[0] = '\0';
	if (opml_parse((const char *)data, size, &o, err, sizeof(err)) == 0) {
		if (o == NULL)
			abort();
		check(o);
		roundtrip(o);
	} else if (o != NULL || err[0] == '\0' || strchr(err, '\n') ||
	    strchr(err, '\r'))
		abort();	/* one line of text, always */
	opml_free(o);
	return 0;
}
