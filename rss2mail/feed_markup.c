/*
 * feed_markup.c - the XML reader's text helpers, pure functions on
 * strings: HTML escaping of captured markup, base64 (Atom 0.3
 * mode="base64", RFC 4287 non-text types), feedparser's guess whether RSS
 * text is HTML, language tags, the syndication module's period.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "arena.h"
#include "buf.h"
#include "feed_int.h"
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

/*
 * One reference at s[0] == '&': the bytes of s it covers; rep is set to
 * its canonical form when that differs ("" when it stays).  "&#146;"
 * (windows-1252 in a numeric reference) is the character meant, "&#X61;"
 * is written "&#x61;", a named reference stays, and an '&' that starts
 * none is "&amp;" (a name HTML knows without its ';', "&copy 2004",
 * stays as browsers read it).
 */
static size_t
tidy_ref(const char *s, size_t n, char rep[16])
{
	char name[32];
	uint32_t v = 0, c1;
	size_t i, k;
	int hex;

	rep[0] = '\0';
	if (n > 1 && s[1] == '#') {
		hex = n > 2 && (s[2] == 'x' || s[2] == 'X');
		for (i = hex ? 3 : 2; i < n && i < 12; i++) {
			int c = (unsigned char)s[i];

			if (c >= '0' && c <= '9')
				v = v * (hex ? 16 : 10) + (uint32_t)(c - '0');
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				v = v * 16 + (uint32_t)((c | 0x20) - 'a' + 10);
			else
				break;
		}
		if (i == (size_t)(hex ? 3 : 2) || i >= n || s[i] != ';') {
			memcpy(rep, "&amp;", 6);
			return 1;
		}
		if ((c1 = feed_cp1252_c1(v)) != 0)
			snprintf(rep, 16, "&#x%x;", (unsigned)c1);
		else if (hex && s[2] == 'X' && i + 1 < 16) {
			memcpy(rep, s, i + 1);
			rep[2] = 'x';
			rep[i + 1] = '\0';
		}
		return i + 1;
	}
	for (k = 1; k < n && k < sizeof(name) && isalnum((unsigned char)s[k]);
	    k++)
		name[k - 1] = s[k];
	if (k > 1 && k < sizeof(name)) {
		name[k - 1] = '\0';
		if ((k < n && s[k] == ';') ||
		    htmlEntityLookup((const xmlChar *)name) != NULL)
			return k;
	}
	memcpy(rep, "&amp;", 6);
	return 1;
}

/*
 * One '<' at s[0]: the bytes of s it covers.  A tag, end tag, comment,
 * declaration or processing instruction stays whole (quoted attribute
 * values included), but "<br/>" is "<br />" (*slash set: write all but
 * the "/>" and then " />"); a '<' that starts none of them is text, rep
 * "&lt;".
 */
static size_t
tidy_lt(const char *s, size_t n, char rep[16], int *slash)
{
	const char *end = s + n, *p, *e;
	char q;

	rep[0] = '\0';
	*slash = 0;
	if (n >= 4 && memcmp(s, "<!--", 4) == 0) {
		e = memmem(s, n, "-->", 3);
		return e ? (size_t)(e + 3 - s) : n;
	}
	if (n < 2 || !(isalpha((unsigned char)s[1]) || (s[1] == '/' &&
	    n > 2 && isalpha((unsigned char)s[2])) || s[1] == '?' ||
	    (s[1] == '!' && n > 2 && (isalpha((unsigned char)s[2]) ||
	    s[2] == '[')))) {
		memcpy(rep, "&lt;", 5);
		return 1;
	}
	for (p = s + 1; p < end && *p != '>'; p++) {
		if (*p != '"' && *p != '\'')
			continue;
		q = *p;
		if ((e = memchr(p + 1, q, (size_t)(end - p - 1))) == NULL)
			break;
		p = e;
	}
	if (p >= end || *p != '>')
		return n;		/* never closed: left as it is */
	*slash = isalpha((unsigned char)s[1]) && p - s >= 3 &&
	    p[-1] == '/' && !isspace((unsigned char)p[-2]);
	return (size_t)(p + 1 - s);
}

int
feed_html_tidy(const char *s, size_t n, struct buf *out)
{
	const char *p = s, *end = s + n, *run = s, *amp, *lt;
	char rep[16];
	size_t k;
	int any = 0, slash;

	amp = memchr(s, '&', n);
	while (p < end) {
		/* each byte is searched once for '&' and once for '<' */
		if (amp != NULL && amp < p)
			amp = memchr(p, '&', (size_t)(end - p));
		lt = memchr(p, '<', (size_t)((amp ? amp : end) - p));
		if ((p = lt ? lt : amp) == NULL)
			break;
		slash = 0;
		if (*p == '&')
			k = tidy_ref(p, (size_t)(end - p), rep);
		else
			k = tidy_lt(p, (size_t)(end - p), rep, &slash);
		if (rep[0] || slash) {	/* copied only once a change is seen */
			buf_append(out, run, (size_t)(p - run));
			if (slash) {
				buf_append(out, p, k - 2);
				buf_puts(out, " />");
			} else
				buf_puts(out, rep);
			run = p + k;
			any = 1;
		}
		p += k;
	}
	if (!any)
		return 0;
	buf_append(out, run, (size_t)(end - run));
	return out->overflow ? -1 : 1;
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
