/*
 * feed_url.c - URL resolution for the feed readers (RFC 3986 through
 * libxml2's xmlBuildURI, with a fast path for the common "/path").
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
