/*
 * feed_markup.c - the XML reader's text helpers, pure functions on
 * strings: HTML escaping of captured markup, base64 (Atom 0.3
 * mode="base64", RFC 4287 non-text types), feedparser's guess whether RSS
 * text is HTML, language tags, the syndication module's period.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "arena.h"
#include "buf.h"
#include "feed_xml_int.h"

void
feed_html_escape(struct buf *b, const char *s, size_t n, int attr)
{
	const char *p, *end = s + n;

	for (p = s; p < end; p++) {
		const char *rep = NULL;

		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		}
		if (rep == NULL)
			continue;
		buf_append(b, s, (size_t)(p - s));
		buf_puts(b, rep);
		s = p + 1;
	}
	buf_append(b, s, (size_t)(end - s));
}

/*
 * An attribute value as libxml2 hands it over (it writes '&' as "&#38;"
 * when it does not substitute entities), escaped once for HTML: "&#38;"
 * must become "&amp;", never "&amp;#38;".
 */
void
feed_attr_escape(struct buf *b, const char *v, size_t n)
{
	const char *e = v + n, *amp;

	while (v < e) {
		if ((amp = memchr(v, '&', (size_t)(e - v))) == NULL) {
			feed_html_escape(b, v, (size_t)(e - v), 1);
			return;
		}
		feed_html_escape(b, v, (size_t)(amp - v), 1);
		buf_puts(b, "&amp;");
		v = amp + (e - amp >= 5 && memcmp(amp, "&#38;", 5) == 0 ? 5 : 1);
	}
}

int
feed_blank(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (!isspace((unsigned char)b->data[i]))
			return 0;
	return 1;
}

int
feed_html_void(const char *name)
{
	static const char *const v[] = { "area", "base", "br", "col",
	    "embed", "hr", "img", "input", "link", "meta", "param", "source",
	    "track", "wbr" };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

size_t
feed_b64_decode(char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;
	const char *p;

	for (i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		if ((p = memchr(tab, s[i], 64)) == NULL || s[i] == '\0')
			continue;
		acc = (acc << 6) | (uint32_t)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	return o;
}

/*
 * feedparser's guess for RSS text that says nothing of its type: HTML when
 * it has a close tag or an entity reference, every tag is an HTML element
 * and every entity an HTML entity ("Tom &amp;amp; Jerry" written twice
 * escaped is HTML; "a < b" is not).
 */
int
feed_looks_like_html(const char *s)
{
	const char *p;
	char name[32];
	size_t n;
	int hint = 0;

	for (p = s; (p = strpbrk(p, "<&")) != NULL; p++) {
		if (*p == '<') {
			const char *q = p + 1 + (p[1] == '/');

			for (n = 0; isalnum((unsigned char)q[n]) &&
			    n < sizeof(name) - 1; n++)
				name[n] = (char)tolower((unsigned char)q[n]);
			name[n] = '\0';
			if (n == 0)
				continue;
			if (htmlTagLookup((const xmlChar *)name) == NULL)
				return 0;
			if (p[1] == '/' && q[n] == '>')
				hint = 1;
		} else {
			const char *q = p + 1;

			if (*q == '#') {
				hint |= isalnum((unsigned char)q[1]) &&
				    strchr(q, ';') != NULL;
				continue;
			}
			for (n = 0; isalnum((unsigned char)q[n]) &&
			    n < sizeof(name) - 1; n++)
				name[n] = q[n];
			name[n] = '\0';
			if (n == 0 || q[n] != ';')
				continue;
			if (htmlEntityLookup((const xmlChar *)name) == NULL)
				return 0;
			hint = 1;
		}
	}
	return hint;
}

/* "en_US" is written for "en-US" (a locale name, not a language tag). */
const char *
feed_lang_norm(struct arena *a, const char *l)
{
	char *s, *p;

	if ((s = arena_strdup(a, l)) == NULL)
		return NULL;
	for (p = s; (p = strchr(p, '_')) != NULL; p++)
		*p = '-';
	return s;
}

/* sy:updatePeriod and sy:updateFrequency as minutes. */
long
feed_sy_ttl(const char *period, const char *freq)
{
	static const struct { const char *p; long min; } tab[] = {
		{ "hourly", 60 }, { "daily", 1440 }, { "weekly", 10080 },
		{ "monthly", 43200 }, { "yearly", 525600 },
	};
	long f = 1;
	size_t i;

	if (freq && (f = strtol(freq, NULL, 10)) < 1)
		f = 1;
	for (i = 0; period && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(period, tab[i].p) == 0)
			return tab[i].min / f > 0 ? tab[i].min / f : 1;
	return 0;
}
