/*
 * feed_url.c - URL resolution for the feed readers (RFC 3986 through
 * libxml2's xmlBuildURI, with fast paths for the common "/path" and
 * "a/b"), in attributes and inside HTML bodies.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "limits.h"

/* 1 when ref starts with a scheme ("https:", "mailto:"): absolute. */
static int
has_scheme(const char *ref)
{
	const char *p = ref;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.')
		p++;
	return *p == ':';
}

/*
 * The common case without libxml2: a root-relative "/path" against an
 * absolute base is the base's scheme and authority plus the path (RFC 3986
 * 5.2.2), when the path has no dot segments and nothing to escape.  Each
 * xmlBuildURI parses both URIs; a big feed has hundreds of thousands.
 */
static int
resolve_rooted(const char *base, const char *ref, struct buf *out)
{
	const char *p, *auth;

	if (ref[0] != '/' || ref[1] == '/' || strstr(ref, "/.") != NULL)
		return 0;
	for (p = ref; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F ||
		    strchr("\"<>\\^`{|}", *p))
			return 0;
	if ((auth = strstr(base, "://")) == NULL || !has_scheme(base))
		return 0;
	auth += 3;
	auth += strcspn(auth, "/?#");
	buf_append(out, base, (size_t)(auth - base));
	buf_puts(out, ref);
	return out->overflow ? 0 : 1;
}

/*
 * A path-relative ref ("a/b.html", "À") against a hierarchical base
 * (RFC 3986 5.2.3 merge): the base up to its last '/' plus ref, when ref
 * has no dot segment, query, fragment or scheme.  IRIs (non-ASCII) are
 * kept as written, as feedparser keeps them; xmlBuildURI refuses them.
 */
static int
resolve_relative(const char *base, const char *ref, struct buf *out)
{
	const char *p, *auth, *slash;

	if (ref[0] == '\0' || ref[0] == '/' || ref[0] == '.' ||
	    strstr(ref, "/.") != NULL || strpbrk(ref, "?#:") != NULL)
		return 0;
	for (p = ref; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7F ||
		    strchr("\"<>\\^`{|}", *p))
			return 0;
	if ((auth = strstr(base, "://")) == NULL || !has_scheme(base) ||
	    strpbrk(base, "?#") != NULL)
		return 0;
	auth += 3;
	if ((slash = strrchr(auth, '/')) == NULL)
		return 0;		/* "http://host": the merge adds '/' */
	buf_append(out, base, (size_t)(slash + 1 - base));
	buf_puts(out, ref);
	return out->overflow ? 0 : 1;
}

int
feed_url_resolve_buf(const char *base, const char *ref, struct buf *out)
{
	xmlChar *r;
	int rc;

	if (base == NULL || *base == '\0' || has_scheme(ref))
		return 0;
	if (resolve_rooted(base, ref, out) || resolve_relative(base, ref,
	    out))
		return 1;
	if ((r = xmlBuildURI((const xmlChar *)ref,
	    (const xmlChar *)base)) == NULL)
		return 0;
	rc = buf_puts(out, (const char *)r) == 0 ? 1 : 0;
	xmlFree(r);
	return rc;
}

const char *
feed_url_resolve(struct arena *a, const char *base, const char *ref)
{
	struct buf b = BUF_INIT(LIM_ONELINE * 2);
	const char *s;

	if (ref == NULL)
		return NULL;
	if (feed_url_resolve_buf(base, ref, &b) != 1 ||
	    strcmp(b.data, ref) == 0) {
		buf_free(&b);
		return ref;
	}
	s = feed_str(a, b.data, b.len, 1, LIM_ONELINE);
	buf_free(&b);
	return s;
}

const char *
feed_url_base(struct arena *a, const char *base, const char *ref)
{
	static const char *const unsafe[] = { "javascript:", "vbscript:",
	    "data:" };
	const char *p, *r;
	char *fixed;
	size_t i;

	for (p = ref; *p == ' ' || *p == '\t'; p++)
		;
	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		if (strncasecmp(p, unsafe[i], strlen(unsafe[i])) == 0)
			return base;
	/* "http:///example.com/": one slash too many, as feedparser reads it */
	if ((strncasecmp(ref, "http:///", 8) == 0 ||
	    strncasecmp(ref, "https:///", 9) == 0) && (p = strstr(ref,
	    ":///")) != NULL && p[4] != '/') {
		if ((fixed = arena_strdup(a, ref)) == NULL)
			return NULL;
		memmove(fixed + (p - ref) + 3, fixed + (p - ref) + 4,
		    strlen(p + 4) + 1);
		ref = fixed;
	}
	r = feed_url_resolve(a, base, ref);
	return r;
}

/* The length of "name=" when r starts with an attribute holding a URL
 * (feedparser's list, by attribute name), else 0. */
static size_t
url_attr(const char *r)
{
	static const char *const names[] = { "href=", "src=", "cite=",
	    "poster=", "background=", "longdesc=", "usemap=", "action=",
	    "data=", "codebase=", "classid=", "profile=" };
	size_t i, n;

	switch (*r | 0x20) {	/* most letters start no name */
	case 'a': case 'b': case 'c': case 'd': case 'h': case 'l': case 'p':
	case 's': case 'u':
		break;
	default:
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (strncasecmp(r, names[i], n) == 0)
			return n;
	}
	return 0;
}

/*
 * Resolve the values of URL attributes (href=, src=, cite=, poster= ...)
 * in an HTML fragment.
 * A small scanner, not an HTML parser: it looks at attribute syntax inside
 * tags only, leaves everything else byte for byte, and the sanitizer in
 * html.c still sees every tag later.  out is written only from the first
 * change on: most bodies have none, and then 0 is all they cost.
 */
int
feed_html_resolve(const char *html, size_t n, const char *base,
    struct buf *out)
{
	struct buf ref = BUF_INIT(LIM_ONELINE), res = BUF_INIT(LIM_ONELINE);
	const char *p = html, *t = html, *q, *v, *ve, *vs, *vt, *r, *end;
	const char *stop = html + n;
	char quote;
	int changed = 0;

	/* p: copied to out up to here; t: scanned up to here */
	buf_reset(out);
	if (base == NULL || memchr(html, '<', n) == NULL)
		return 0;
	while ((q = memchr(t, '<', (size_t)(stop - t))) != NULL) {
		if ((end = memchr(q, '>', (size_t)(stop - q))) == NULL)
			break;
		for (r = q + 1; r < end; r++) {
			size_t alen;
			const char *cq;

			if (*r == '"' || *r == '\'') {
				/* another attribute's quoted value: skip it */
				cq = memchr(r + 1, *r, (size_t)(end - r - 1));
				if (cq == NULL)
					break;
				r = cq;
				continue;
			}

			if (!(r[-1] == ' ' || r[-1] == '\t' || r[-1] == '\n') ||
			    (alen = url_attr(r)) == 0)
				continue;
			v = r + alen;
			quote = (*v == '"' || *v == '\'') ? *v++ : 0;
			for (ve = v; ve < end && (quote ? *ve != quote :
			    *ve != ' ' && *ve != '\t' && *ve != '\n'); ve++)
				;
			if (quote && ve >= end)
				break;	/* a quoted '>' in it: leave it */
			/* HTML strips white space around a URL */
			for (vs = v; vs < ve && (*vs == ' ' || *vs == '\t' ||
			    *vs == '\n'); vs++)
				;
			for (vt = ve; vt > vs && (vt[-1] == ' ' ||
			    vt[-1] == '\t' || vt[-1] == '\n'); vt--)
				;
			buf_reset(&ref);
			buf_reset(&res);
			ref.overflow = res.overflow = 0;
			if (buf_append(&ref, vs, (size_t)(vt - vs)) == -1 ||
			    feed_url_resolve_buf(base, buf_str(&ref),
			    &res) != 1 || strpbrk(buf_str(&res), "\"'<> "))
				continue;
			buf_append(out, p, (size_t)(v - p));
			buf_append(out, res.data, res.len);
			p = ve;
			r = ve;
			changed = 1;
		}
		t = end + 1;
	}
	if (changed)
		buf_append(out, p, (size_t)(stop - p));
	buf_free(&ref);
	buf_free(&res);
	if (out->overflow)
		return -1;
	return changed;
}
