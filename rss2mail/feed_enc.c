/*
 * feed_enc.c - before the XML parser: which encoding a document is in, the
 * repair pass for broken documents, and the pre-scan for tags libxml2
 * would take quadratic time over.  Used by feed_xml.c only.
 *
 * libxml2 appears here for its charset handlers (iconv underneath) and its
 * HTML entity table; nothing here parses XML.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>

#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

/*
 * Encodings.  Order of authority: a byte order mark, then the HTTP charset,
 * then the XML declaration, else UTF-8.  ISO-8859-1 and US-ASCII are read
 * as windows-1252, their superset: feeds that say latin-1 and carry
 * 0x80-0x9F mean curly quotes and dashes (docs/QUIRKS.md).  The label is
 * still what feed->encoding reports (lower case), as feedparser does.
 */
static void
charset_norm(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	while (*in == ' ' || *in == '"' || *in == '\'')
		in++;
	for (; *in && *in != '"' && *in != '\'' && *in != ' ' && *in != ';' &&
	    n + 1 < outlen; in++) {
		if (!isalnum((unsigned char)*in) && !strchr("-_.:()+", *in)) {
			n = 0;	/* not a charset name (iconv would guess) */
			break;
		}
		out[n++] = (char)(*in >= 'A' && *in <= 'Z' ? *in + 32 : *in);
	}
	out[n] = '\0';
	if (strcmp(out, "utf8") == 0)
		snprintf(out, outlen, "utf-8");
}

/* What a (normalized) label is decoded as: every latin-1 and ASCII label
 * as windows-1252, anything else as itself. */
static const char *
charset_decoder(const char *cs)
{
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1",
	    "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
	    "cp819", "ibm819", "iso-ir-100", "csisolatin1", "cp1252",
	    "x-cp1252", "windows-1252", "iso_8859-1:1987", "ansi_x3.4-1968" };
	size_t i;

	for (i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
		if (strcmp(cs, latin1[i]) == 0)
			return "windows-1252";
	return cs;
}

/*
 * 1 when libxml2 (through iconv) can read this charset.  UTF-7 is never
 * honoured (the WHATWG Encoding Standard forbids it): "+ADw-script+AD4-"
 * would turn into markup after every check on the bytes (docs/QUIRKS.md).
 */
static int
charset_known(const char *cs)
{
	xmlCharEncodingHandlerPtr h;

	if (*cs == '\0' || strncasecmp(cs, "utf-7", 5) == 0 ||
	    strncasecmp(cs, "utf7", 4) == 0 ||
	    strncasecmp(cs, "unicode-1-1-utf-7", 17) == 0 ||
	    (h = xmlFindCharEncodingHandler(cs)) == NULL)
		return 0;
	xmlCharEncCloseFunc(h);
	return 1;
}

/*
 * The byte pairs of a legacy CJK encoding: EUC (GB2312, EUC-KR, EUC-JP)
 * writes a character as two bytes 0xA1-0xFE; Big5 allows a second byte
 * 0x40-0x7E too.  *euc: every high byte is in an EUC pair; *big5: in a
 * Big5 pair, and some second byte is below 0xA1.  Counts of first bytes:
 * kana (0xA4, 0xA5), hangul (0xB0-0xC8), and all.
 */
struct cjk {
	int	 euc, big5;
	size_t	 pairs, kana, hangul;
};

static void
cjk_shape(const unsigned char *d, size_t n, struct cjk *k)
{
	size_t i;
	int lowtrail = 0;

	memset(k, 0, sizeof(*k));
	k->euc = k->big5 = 1;
	for (i = 0; i < n; i++) {
		unsigned c = d[i], t = i + 1 < n ? d[i + 1] : 0;

		if (c < 0x80)
			continue;
		if (c < 0xA1 || c == 0xFF || t < 0x40 || (t > 0x7E &&
		    t < 0xA1) || t == 0xFF)
			k->euc = k->big5 = 0;
		else if (t < 0xA1) {
			k->euc = 0;
			lowtrail = 1;
		}
		k->pairs++;
		k->kana += c == 0xA4 || c == 0xA5;
		k->hangul += c >= 0xB0 && c <= 0xC8;
		i++;
	}
	k->big5 = k->big5 && lowtrail;
}

/* 1 when the high bytes are Shift_JIS with some first byte 0x81-0x9F
 * (which EUC and Big5 never use). */
static int
sjis_shape(const unsigned char *d, size_t n)
{
	size_t i;
	int low = 0;

	for (i = 0; i < n; i++) {
		unsigned c = d[i], t = i + 1 < n ? d[i + 1] : 0;

		if (c < 0x80 || (c >= 0xA1 && c <= 0xDF))
			continue;	/* ASCII, half-width katakana */
		if (!((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) ||
		    t < 0x40 || t == 0x7F || t > 0xFC)
			return 0;
		low |= c <= 0x9F;
		i++;
	}
	return low;
}

/*
 * A document that declares no encoding and is not UTF-8: a guess from the
 * shape of its bytes, as feedparser makes with the chardet package, or
 * NULL to read it as UTF-8 anyway (bad bytes become U+FFFD) when there is
 * too little to go on or most of it is UTF-8 with a few bad bytes.
 * Letters of other scripts come in runs of high bytes; Latin accents one
 * at a time, read as windows-1252 (feedparser's fallback).  Every
 * candidate keeps ASCII as ASCII, so a wrong guess gives wrong letters,
 * never markup.  Linear.
 */
static const char *
charset_guess(const unsigned char *d, size_t n)
{
	size_t i, k, hi = 0, run = 0, bad = 0, koi = 0, heb = 0, rus = 0;
	size_t thai = 0;
	struct cjk c;
	uint32_t cp;

	for (i = 0; i < n; i++) {
		if (d[i] < 0x80)
			continue;
		k = utf8_decode((const char *)d + i, n - i, &cp);
		bad += k == 0;
		hi++;
		run += (i > 0 && d[i - 1] >= 0x80) || (i + 1 < n &&
		    d[i + 1] >= 0x80);
		koi += d[i] >= 0xC0 && d[i] <= 0xDF;
		heb += d[i] >= 0xE0 && d[i] <= 0xFA;
		rus += d[i] >= 0xFB;
		thai += d[i] >= 0xA1 && d[i] <= 0xCF;
		if (k > 1) {
			hi += k - 1;
			run += k - 1;
			i += k - 1;
		}
	}
	if (hi < 16 || bad * 4 < hi)
		return NULL;
	if (run * 4 < hi * 3)
		return "windows-1252";
	if (sjis_shape(d, n))
		return "SHIFT_JIS";
	if (koi * 4 > hi * 3)
		return "KOI8-R";	/* Russian is mostly lower case */
	cjk_shape(d, n, &c);
	if (c.big5)
		return "Big5";
	if (c.euc && c.kana * 10 > c.pairs * 3)
		return "EUC-JP";
	if (c.euc && c.hangul * 20 >= c.pairs * 19)
		return "EUC-KR";
	if (c.euc)
		return "GB2312";
	if (thai * 10 > hi * 4)
		return "TIS-620";
	if (heb * 10 >= hi * 9 && rus == 0)
		return "windows-1255";
	if ((heb + rus) * 2 > hi)
		return "windows-1251";
	return "windows-1252";
}

/* The encoding= of an XML declaration at the start of p, or "". */
static void
decl_encoding(const char *p, size_t n, char *out, size_t outlen)
{
	const char *end, *e;
	char q;

	out[0] = '\0';
	if (n < 6 || memcmp(p, "<?xml", 5) != 0)
		return;
	if ((end = memmem(p, n < 256 ? n : 256, "?>", 2)) == NULL)
		return;
	if ((e = memmem(p, (size_t)(end - p), "encoding", 8)) == NULL)
		return;
	for (e += 8; e < end && (*e == ' ' || *e == '=' || *e == '\t'); e++)
		;
	if (e >= end || (*e != '"' && *e != '\''))
		return;
	q = *e++;
	if ((end = memchr(e, q, (size_t)(end - e))) == NULL ||
	    (size_t)(end - e) >= outlen)
		return;
	memcpy(out, e, (size_t)(end - e));
	out[end - e] = '\0';
	charset_norm(out, out, outlen);
}

/*
 * Pick the encoding.  *force is what we tell libxml2 (NULL: let it read
 * the BOM or the declaration itself; else name or a static string:
 * "windows-1252" for a latin-1 label); name is what feed->encoding says.
 */
void
feed_choose_encoding(const char *d, size_t n, const char *http, char *name,
    size_t namelen, const char **force, int *unknown)
{
	const unsigned char *u = (const unsigned char *)d;
	const char *guess;
	char decl[64], hc[64];

	*force = NULL;
	*unknown = 0;
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
		snprintf(name, namelen, "utf-8");
		decl_encoding(d + 3, n - 3, decl, sizeof(decl));
		if (decl[0] && strcmp(decl, "utf-8") != 0)
			*force = name;	/* the BOM beats the declaration */
		return;
	}
	if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE &&
	    u[1] == 0xFF))) {
		snprintf(name, namelen, u[0] == 0xFF ? "utf-16le" :
		    "utf-16be");
		return;
	}
	decl_encoding(d, n, decl, sizeof(decl));
	hc[0] = '\0';
	if (http)
		charset_norm(http, hc, sizeof(hc));
	/* a UTF-16/32 label on a document that starts in ASCII is wrong */
	if (strncmp(hc, "utf-16", 6) == 0 || strncmp(hc, "utf-32", 6) == 0 ||
	    strcmp(hc, "ucs-2") == 0)
		if (n >= 2 && u[0] == '<' && u[1] != 0)
			hc[0] = '\0';
	if (hc[0] && charset_known(charset_decoder(hc))) {
		snprintf(name, namelen, "%s", hc);
		*force = charset_decoder(name);
	} else if (decl[0] && strcmp(decl, "utf-8") != 0 &&
	    charset_known(charset_decoder(decl))) {
		snprintf(name, namelen, "%s", decl);
		*force = charset_decoder(name);
	} else if (n >= 4 && ((u[0] == '<' && u[1] == 0) ||
	    (u[0] == 0 && u[1] == '<'))) {
		snprintf(name, namelen, u[0] == 0 ? "utf-16be" : "utf-16le");
		*force = name;
	} else {
		snprintf(name, namelen, "utf-8");
		if ((decl[0] && strcmp(decl, "utf-8") != 0) || (hc[0] &&
		    strcmp(hc, "utf-8") != 0)) {
			*force = name;	/* an unknown label: read UTF-8 */
			*unknown = 1;
		} else if (decl[0] == '\0' && hc[0] == '\0' &&
		    (guess = charset_guess(u, n)) != NULL &&
		    charset_known(guess)) {
			snprintf(name, namelen, "%s", guess);
			*force = name;	/* no label, not UTF-8: a guess */
			*unknown = 2;
		}
	}
	if (*force && strcmp(*force, "utf-8") == 0 && decl[0] == '\0')
		*force = NULL;
}

/* Append UTF-8 for data in charset cs; undecodable bytes become U+FFFD. */
static int
to_utf8(const char *data, size_t len, const char *cs, struct buf *out)
{
	static const char repl[] = "\xEF\xBF\xBD";
	char chunk[16384], *o, *in = (char *)data;
	size_t inleft = len, oleft, k;
	uint32_t cp;
	iconv_t cd;
	int unit;

	if (cs == NULL || strcmp(cs, "utf-8") == 0 ||
	    (cd = iconv_open("UTF-8", cs)) == (iconv_t)-1) {
		while (inleft > 0) {
			k = utf8_decode(in, inleft, &cp);
			if (k == 0) {
				buf_append(out, repl, 3);
				k = 1;
			} else
				buf_append(out, in, k);
			in += k;
			inleft -= k;
		}
		return out->overflow ? -1 : 0;
	}
	unit = strncmp(cs, "utf-16", 6) == 0 ? 2 : strncmp(cs, "utf-32",
	    6) == 0 ? 4 : 1;
	while (inleft > 0) {
		o = chunk;
		oleft = sizeof(chunk);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
		    errno != E2BIG) {
			buf_append(out, chunk, (size_t)(o - chunk));
			buf_append(out, repl, 3);
			k = inleft < (size_t)unit ? inleft : (size_t)unit;
			in += k;
			inleft -= k;
			continue;
		}
		buf_append(out, chunk, (size_t)(o - chunk));
		if (out->overflow)
			break;
	}
	iconv_close(cd);
	return out->overflow ? -1 : 0;
}

static int
xml_char_ok(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 &&
	    cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	    (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* One reference at s ("&..."): write its repair to out, return its length. */
static size_t
fix_ref(const char *s, size_t n, struct buf *out)
{
	static const char *const xml5[] = { "amp", "lt", "gt", "quot",
	    "apos" };
	static const int xml5cp[] = { '&', '<', '>', '"', '\'' };
	const htmlEntityDesc *d;
	char name[40];
	size_t i = 1, k;
	unsigned long v = 0;
	int hex;

	if (n > 2 && s[1] == '#') {
		hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
		for (i = hex ? 3 : 2; i < n && i < 12; i++) {
			int c = (unsigned char)s[i], dv;

			if (c >= '0' && c <= '9')
				dv = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				dv = (c | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)dv;
		}
		if (i < n && s[i] == ';' && i > (size_t)(hex ? 3 : 2)) {
			if (xml_char_ok((uint32_t)v) && v <= 0x10FFFF) {
				/* "&#X41;" (HTML's upper case X) as XML's */
				buf_puts(out, hex ? "&#x" : "&#");
				buf_append(out, s + (hex ? 3 : 2),
				    i + 1 - (hex ? 3 : 2));
			}
			return i + 1;	/* an illegal character: dropped */
		}
		buf_puts(out, "&amp;");
		return 1;
	}
	for (; i < n && i < sizeof(name) && (isalnum((unsigned char)s[i]) ||
	    s[i] == '_' || s[i] == '.' || s[i] == '-'); i++)
		;
	if (i > 1 && i < n && s[i] == ';') {
		memcpy(name, s + 1, i - 1);
		name[i - 1] = '\0';
		/* the five XML entities as numeric references too: libxml2's
		 * recover mode drops entity references after the first error,
		 * character references it keeps */
		for (k = 0; k < 5; k++)
			if (strcmp(name, xml5[k]) == 0) {
				buf_printf(out, "&#%d;", xml5cp[k]);
				return i + 1;
			}
		if ((d = htmlEntityLookup((const xmlChar *)name)) != NULL) {
			buf_printf(out, "&#%u;", d->value);
			return i + 1;
		}
	}
	buf_puts(out, "&amp;");		/* a bare or unknown '&' */
	return 1;
}

/*
 * The normalization pass over UTF-8: HTML named entities become numeric
 * references, a bare '&' becomes "&amp;", characters XML forbids are
 * dropped.  CDATA sections and comments are copied as they are.
 */
static int
xml_fix(const char *s, size_t n, struct buf *out)
{
	const char *p = s, *end = s + n, *run = s, *e;
	uint32_t cp;
	size_t k;

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c < 0x80 && c != '&' && c != '<') {
			p++;
			continue;
		}
		buf_append(out, run, (size_t)(p - run));
		if (c == '<') {
			e = NULL;
			if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
				e = memmem(p, (size_t)(end - p), "]]>", 3);
			else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
				e = memmem(p, (size_t)(end - p), "-->", 3);
			k = e ? (size_t)(e + 3 - p) : 1;
			if (e == NULL && (p + 1 == end ||
			    !(isalpha((unsigned char)p[1]) || p[1] == '/' ||
			    p[1] == '!' || p[1] == '?' || p[1] == '_' ||
			    p[1] == ':' || (unsigned char)p[1] >= 0x80)))
				buf_puts(out, "&#60;");	/* "x < y" */
			else
				buf_append(out, p, k);
			p += k;
		} else if (c == '&')
			p += fix_ref(p, (size_t)(end - p), out);
		else if (c < 0x80) {
			if (c == '\t' || c == '\n' || c == '\r')
				buf_putc(out, c);
			p++;
		} else {
			k = utf8_decode(p, (size_t)(end - p), &cp);
			if (k == 0)
				k = 1;
			else if (xml_char_ok(cp))
				buf_append(out, p, k);
			p += k;
		}
		run = p;
	}
	buf_append(out, run, (size_t)(end - run));
	return out->overflow ? -1 : 0;
}

/* The document as UTF-8 with the repairs of xml_fix; NULL past the cap. */
char *
feed_normalize(const char *data, size_t len, const char *cs, size_t *outlen)
{
	struct buf u = BUF_INIT(LIM_FEED_ARENA);
	struct buf fixed = BUF_INIT(LIM_FEED_ARENA);
	const char *p = data;
	size_t n = len;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	if (to_utf8(p, n, cs, &u) == -1 ||
	    xml_fix(buf_str(&u), u.len, &fixed) == -1) {
		buf_free(&u);
		buf_free(&fixed);
		return NULL;
	}
	buf_free(&u);
	*outlen = fixed.len;
	if (fixed.data == NULL)
		return xstrdup("");
	return buf_steal(&fixed);
}

/*
 * libxml2 2.9.14 checks an element's attributes for duplicates pairwise:
 * 60,000 attributes on one element cost a second, a 16 MB tag hours.  A
 * linear byte scan first: more than LIM_XML_ATTRS '=' in one tag (quoted
 * values, comments and CDATA skipped) refuses the document.  Byte-wise on
 * purpose, so UTF-16 cannot hide a tag from it.
 */
int
feed_too_many_attrs(const char *d, size_t n)
{
	const char *p = d, *end = d + n, *e;
	char q;
	int eq;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			e = memmem(p, (size_t)(end - p), "-->", 3);
			p = e ? e + 3 : end;
			continue;
		}
		if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			e = memmem(p, (size_t)(end - p), "]]>", 3);
			p = e ? e + 3 : end;
			continue;
		}
		for (eq = 0, p++; p < end && *p != '>' && *p != '<'; p++) {
			if (*p == '=' && ++eq > LIM_XML_ATTRS)
				return 1;
			if (*p == '"' || *p == '\'') {
				q = *p;
				e = memchr(p + 1, q, (size_t)(end - p - 1));
				if (e == NULL)
					return 0;
				p = e;
			}
		}
		if (p >= end)
			break;
	}
	return 0;
}
