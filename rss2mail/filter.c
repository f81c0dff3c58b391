/*
 * filter.c - include/exclude rules on PCRE2, and the link key for
 * cross-feed de-duplication.  Contracts in filter.h.
 *
 * Bounds: a pattern is at most FILTER_PATTERN_MAX bytes; each match runs
 * under FILTER_MATCH_LIMIT (backtracking steps, JIT included) and
 * FILTER_DEPTH_LIMIT; the subject is at most what the parser kept for the
 * field (lib/limits.h).  Compiled JIT code is used when JIT compilation
 * worked, the interpreter otherwise: same results, same limits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "filter.h"
#include "util.h"

#define FILTER_PATTERN_MAX	1024
#define FILTER_MATCH_LIMIT	200000
#define FILTER_DEPTH_LIMIT	2000

struct filter_rule {
	enum filter_field	 field;
	int			 exclude;
	char			*text;		/* "title:^x" as written */
	pcre2_code		*re;
};

struct filter {
	struct filter_rule	*rules;
	size_t			 n, cap;
	size_t			 nincludes;
	pcre2_match_context	*mctx;
};

static const struct {
	const char		*name;
	enum filter_field	 field;
} filter_fields[] = {
	{ "title", FILTER_TITLE },
	{ "author", FILTER_AUTHOR },
	{ "tag", FILTER_TAG },
	{ "content", FILTER_CONTENT },
	{ "link", FILTER_LINK },
};

struct filter *
filter_new(void)
{
	struct filter *f = xcalloc(1, sizeof(*f));

	f->mctx = pcre2_match_context_create(NULL);
	if (f->mctx == NULL)
		abort();
	pcre2_set_match_limit(f->mctx, FILTER_MATCH_LIMIT);
	pcre2_set_depth_limit(f->mctx, FILTER_DEPTH_LIMIT);
	return f;
}

void
filter_free(struct filter *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		pcre2_code_free(f->rules[i].re);
		free(f->rules[i].text);
	}
	free(f->rules);
	pcre2_match_context_free(f->mctx);
	free(f);
}

size_t
filter_count(const struct filter *f)
{
	return f->n;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

int
filter_add(struct filter *f, int exclude, const char *rule, char *err,
    size_t errlen)
{
	const char *colon = strchr(rule, ':'), *pat, *name = rule;
	size_t nlen, plen, i;
	struct filter_rule *r;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	if (colon == NULL) {
		errf(err, errlen, "'%s' is not FIELD:REGEX", rule);
		return -1;
	}
	nlen = (size_t)(colon - rule);
	trim(&name, &nlen);
	for (i = 0; i < sizeof(filter_fields) / sizeof(filter_fields[0]); i++)
		if (strlen(filter_fields[i].name) == nlen &&
		    strncmp(filter_fields[i].name, name, nlen) == 0)
			break;
	if (i == sizeof(filter_fields) / sizeof(filter_fields[0])) {
		errf(err, errlen, "unknown field '%.*s' (title, author, tag, "
		    "content, link)", (int)(nlen > 40 ? 40 : nlen), name);
		return -1;
	}
	pat = colon + 1;
	plen = strlen(pat);
	trim(&pat, &plen);
	if (plen == 0 || plen > FILTER_PATTERN_MAX) {
		errf(err, errlen, "pattern for %s is %s", filter_fields[i].name,
		    plen == 0 ? "empty" : "too long");
		return -1;
	}
	re = pcre2_compile((PCRE2_SPTR)pat, plen, PCRE2_UTF | PCRE2_UCP |
	    PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		errf(err, errlen, "bad pattern at offset %zu: %s", (size_t)off,
		    (const char *)msg);
		return -1;
	}
	/* JIT where it works; the interpreter (same limits) where not */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->rules = xrealloc(f->rules, f->cap * sizeof(*f->rules));
	}
	r = &f->rules[f->n++];
	r->field = filter_fields[i].field;
	r->exclude = exclude;
	r->re = re;
	r->text = xmalloc(nlen + plen + 2);
	snprintf(r->text, nlen + plen + 2, "%.*s:%.*s", (int)nlen, name,
	    (int)plen, pat);
	f->nincludes += !exclude;
	return 0;
}

int
filter_check_rule(int exclude, const char *rule, char *err, size_t errlen)
{
	struct filter *f = filter_new();
	int r;

	r = filter_add(f, exclude, rule, err, errlen);
	filter_free(f);
	return r;
}

/* 1 match, 0 none, -1 the limit was hit. */
static int
match_one(const struct filter *f, const struct filter_rule *r,
    const char *s)
{
	pcre2_match_data *md;
	int rc;

	if (s == NULL)
		s = "";
	md = pcre2_match_data_create_from_pattern(r->re, NULL);
	if (md == NULL)
		abort();
	rc = pcre2_match(r->re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, f->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;		/* match limit, depth limit, or worse */
}

static int
match_rule(const struct filter *f, const struct filter_rule *r,
    const struct filter_entry *e)
{
	size_t i;
	int m, limit = 0;

	switch (r->field) {
	case FILTER_TITLE:
		return match_one(f, r, e->title);
	case FILTER_AUTHOR:
		return match_one(f, r, e->author);
	case FILTER_CONTENT:
		return match_one(f, r, e->content);
	case FILTER_LINK:
		return match_one(f, r, e->link);
	case FILTER_TAG:
		for (i = 0; i < e->ntags; i++) {
			if ((m = match_one(f, r, e->tags[i])) == 1)
				return 1;
			limit |= m == -1;
		}
		return limit ? -1 : 0;
	}
	return 0;
}

enum filter_verdict
filter_match(const struct filter *f, const struct filter_entry *e,
    char *why, size_t whylen)
{
	const struct filter_rule *gave_up = NULL;
	int included = f->nincludes == 0, m;
	size_t i;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	for (i = 0; i < f->n; i++) {
		const struct filter_rule *r = &f->rules[i];

		if (!r->exclude && included)
			continue;	/* already in: only excludes matter */
		m = match_rule(f, r, e);
		if (m == -1) {
			if (gave_up == NULL)
				gave_up = r;
			continue;
		}
		if (m == 0)
			continue;
		if (r->exclude) {
			errf(why, whylen, "exclude %s", r->text);
			return FILTER_EXCLUDED;
		}
		included = 1;
	}
	if (gave_up != NULL) {
		errf(why, whylen, "%s %s gave up (match limit)",
		    gave_up->exclude ? "exclude" : "include", gave_up->text);
		return FILTER_LIMIT;
	}
	if (!included) {
		errf(why, whylen, "no include rule matched");
		return FILTER_NOT_INCLUDED;
	}
	return FILTER_PASS;
}

/* ------------------------------------------------------------------ */
/* The link key. */

static const char *const filter_tracking[] = {
	"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid",
	"igshid", "_hsenc", "_hsmi", "mkt_tok", "wt_mc", NULL
};

static int
tracking_param(const char *p, size_t n)
{
	size_t k = strcspn(p, "=");
	size_t i;

	if (k > n)
		k = n;
	if (k > 4 && strncmp(p, "utm_", 4) == 0)
		return 1;
	for (i = 0; filter_tracking[i] != NULL; i++)
		if (strlen(filter_tracking[i]) == k &&
		    strncmp(filter_tracking[i], p, k) == 0)
			return 1;
	return 0;
}

int
filter_link_key(const char *link, struct buf *out)
{
	const char *p = link, *host, *hend, *path, *q, *end;
	size_t start = out->len, hlen, plen, n;
	int https, first = 1;

	if (link == NULL)
		return -1;
	if (strncasecmp(p, "https://", 8) == 0)
		https = 1, p += 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		https = 0, p += 7;
	else
		return -1;
	host = p;
	hend = host + strcspn(host, "/?#");
	if (hend == host)
		return -1;
	buf_puts(out, https ? "https://" : "http://");
	/* host[:port], lower-cased, the default port dropped */
	hlen = (size_t)(hend - host);
	if ((https && hlen > 4 && strncmp(hend - 4, ":443", 4) == 0) ||
	    (!https && hlen > 3 && strncmp(hend - 3, ":80", 3) == 0))
		hlen -= https ? 4 : 3;
	for (n = 0; n < hlen; n++)
		buf_putc(out, tolower((unsigned char)host[n]));
	path = hend;
	end = path + strcspn(path, "#");
	q = memchr(path, '?', (size_t)(end - path));
	plen = (size_t)((q ? q : end) - path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	buf_append(out, path, plen);
	if (q != NULL) {
		for (p = q + 1; p < end; ) {
			n = strcspn(p, "&");
			if (p + n > end)
				n = (size_t)(end - p);
			if (n > 0 && !tracking_param(p, n)) {
				buf_putc(out, first ? '?' : '&');
				buf_append(out, p, n);
				first = 0;
			}
			p += n + (p + n < end);
		}
	}
	if (out->overflow) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		return -1;
	}
	return 0;
}
