/*
 * feed_build.c - what the readers (feed_xml.c, feed_json.c) share to build
 * the model and keep its invariants in one place: cleaned UTF-8 strings,
 * entry identity, one entry per identity, at most LIM_ENTRIES; people
 * ("Jane Doe <jane@example.org>") and C1 controls read as windows-1252.
 * It calls no reader, so the readers link against it without a cycle.
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
#include "sha256.h"

#define IDS_INITIAL	64

int
feed_build_init(struct feed_build *b, struct arena *a, struct feed *f)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
	b->f = f;
	b->tail = &f->entries;
	b->nids = IDS_INITIAL;
	b->ids = arena_alloc(a, b->nids * sizeof(*b->ids));
	return b->ids ? 0 : -1;
}

int
feed_build_capped(const struct feed_build *b)
{
	return b->f->nentries >= LIM_ENTRIES;
}

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* 1 when an entry with this id is kept already, else remember it. */
static int
ids_seen(struct feed_build *b, struct entry *e)
{
	struct entry **ids;
	size_t i, j, n;

	if (b->f->nentries * 2 >= b->nids) {
		n = b->nids * 2;
		if ((ids = arena_alloc(b->a, n * sizeof(*ids))) == NULL) {
			b->full = 1;
			return -1;
		}
		for (i = 0; i < b->nids; i++) {
			if (b->ids[i] == NULL)
				continue;
			j = str_hash(b->ids[i]->id) & (n - 1);
			while (ids[j])
				j = (j + 1) & (n - 1);
			ids[j] = b->ids[i];
		}
		b->ids = ids;
		b->nids = n;
	}
	j = str_hash(e->id) & (b->nids - 1);
	for (; b->ids[j]; j = (j + 1) & (b->nids - 1))
		if (strcmp(b->ids[j]->id, e->id) == 0)
			return 1;
	b->ids[j] = e;
	return 0;
}

const struct feed_text *
feed_entry_body(const struct entry *e)
{
	if (e == NULL)
		return NULL;
	if (e->content.value)
		return &e->content;
	if (e->summary.value)
		return &e->summary;
	return NULL;
}

/* "sha256:" + hex of title, NL, body (the enclosure when both are absent). */
static const char *
hash_identity(struct arena *a, const struct entry *e)
{
	const struct feed_text *body = feed_entry_body(e);
	unsigned char md[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	struct buf b = BUF_INIT(0);
	const char *id;

	if (e->title.value)
		buf_puts(&b, e->title.value);
	buf_putc(&b, '\n');
	if (body && body->value)
		buf_puts(&b, body->value);
	else if (e->title.value == NULL && e->enclosures)
		buf_puts(&b, e->enclosures->href);
	sha256(b.data, b.len, md);
	buf_free(&b);
	hex_encode(md, SHA256_LEN, hex);
	if ((id = arena_alloc(a, sizeof("sha256:") + sizeof(hex))) != NULL) {
		memcpy((char *)id, "sha256:", 7);
		memcpy((char *)id + 7, hex, sizeof(hex));
	}
	return id;
}

int
feed_build_add(struct feed_build *b, struct entry *e)
{
	int seen;

	if (feed_build_capped(b))
		return 0;
	if (e->id == NULL)
		e->id = e->link;
	if (e->id == NULL && (e->id = hash_identity(b->a, e)) == NULL) {
		b->full = 1;
		return -1;
	}
	if ((seen = ids_seen(b, e)) == -1)
		return -1;
	if (seen)
		return 0;	/* the first of two entries with one identity */
	e->next = NULL;
	*b->tail = e;
	b->tail = &e->next;
	b->f->nentries++;
	return 0;
}

/*
 * 1 when s[0..n) can be copied as it is: valid UTF-8 without controls
 * (bodies may hold tab and line ends; one-line fields no U+0085, U+2028,
 * U+2029 and no double spaces).
 *
 * Eight bytes at a time while none needs a look: a byte is flagged when it
 * has the high bit, is below 0x20 or is DEL (and, in one-line fields, is a
 * space followed by a space in the word, or the word's last byte is a
 * space).  No byte before the first flagged one needs a look; from it to
 * the word's end (or the sequence reaching past it) they are looked at one
 * by one.  Sequences are checked in place with utf8_decode's
 * rules, plus C1 (C2 80..C2 9F) and, one-line, E2 80 A8/A9.
 */
#define W_ONES	0x0101010101010101ull
#define W_HIGHS	0x8080808080808080ull
#define W_LOW7	0x7F7F7F7F7F7F7F7Full

static inline int
str_plain_scan(const unsigned char *p, const unsigned char *end, int oneline)
{
	const unsigned char *stop;
	uint64_t w, m, x, sp;
	unsigned int c;
	size_t k;

	while (p < end) {
		stop = end;
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			x = w ^ W_LOW7;		/* DEL -> 0 */
			m = (w | ((w - 0x20 * W_ONES) & ~w) |
			    ((x - W_ONES) & ~x)) & W_HIGHS;
			if (oneline) {
				/* exact: 0x80 in each byte that is ' ' */
				x = w ^ (0x20 * W_ONES);
				sp = ~(((x & W_LOW7) + W_LOW7) | x | W_LOW7);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
				m |= (sp & (sp << 8)) | (sp & 0x80);
#else
				m |= (sp & (sp >> 8)) | (sp & (0x80ull << 56));
#endif
			}
			if (m == 0) {
				p += 8;
				continue;
			}
			stop = p + 8;	/* this word one by one */
			p += utf8_first_flagged(m);
		}
		do {
			c = *p;
			if (c < 0x80) {
				if (c >= 0x20 && c < 0x7F) {
					if (oneline && c == ' ' &&
					    p + 1 < end && p[1] == ' ')
						return 0;
				} else if (oneline || !(c == '\n' ||
				    c == '\t' || c == '\r'))
					return 0;
				p++;
			} else {
				if ((k = utf8_seq_len(p, (size_t)(end - p))) ==
				    0 || (c == 0xC2 && p[1] < 0xA0))
					return 0;	/* ... or C1 */
				if (oneline && c == 0xE2 && p[1] == 0x80 &&
				    (p[2] == 0xA8 || p[2] == 0xA9))
					return 0;	/* U+2028, U+2029 */
				p += k;
			}
		} while (p < stop);
	}
	return 1;
}

static int
str_plain(const char *s, size_t n, int oneline)
{
	const unsigned char *p = (const unsigned char *)s;

	/* two copies, each with the mode folded in */
	return oneline ? str_plain_scan(p, p + n, 1) :
	    str_plain_scan(p, p + n, 0);
}

/*
 * C1 controls (U+0080-U+009F) in text are windows-1252 bytes that went
 * through a latin-1 decoder, or "&#146;" written for a quote: read them as
 * windows-1252 meant them (feedparser does the same); the five code points
 * windows-1252 leaves undefined stay controls and are dropped.  0 when s
 * has none (out untouched), 1 when out holds the mapped copy.
 */
static const uint16_t cp1252[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

uint32_t
feed_cp1252_c1(uint32_t cp)
{
	return cp >= 0x80 && cp <= 0x9F ? cp1252[cp - 0x80] : 0;
}

int
feed_c1_map(const char *s, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *run;
	char u[4];
	int any = 0;

	for (run = p; p + 1 < e; p++) {
		if ((p = memchr(p, 0xC2, (size_t)(e - p - 1))) == NULL)
			break;
		if (p[1] < 0x80 || p[1] > 0x9F || cp1252[p[1] - 0x80] == 0)
			continue;
		buf_append(out, run, (size_t)(p - run));
		buf_append(out, u, utf8_encode(cp1252[p[1] - 0x80], u));
		run = p + 2;
		p++;
		any = 1;
	}
	if (any)
		buf_append(out, run, (size_t)(e - run));
	return any;
}

const char *
feed_str(struct arena *a, const char *s, size_t n, int oneline, size_t cap)
{
	struct buf b = BUF_INIT(0);
	const char *r;
	size_t k;
	uint32_t cp;

	if (oneline) {
		while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' ||
		    *s == '\r'))
			s++, n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
	}
	if (!str_plain(s, n, oneline)) {
		if (utf8_clean(&b, s, n, oneline) == -1)
			return NULL;
		s = b.data ? b.data : "";
		n = b.len;
	}
	if (n > cap) {
		/* cut on a code point boundary */
		for (k = 0; k < n;) {
			size_t l = utf8_decode(s + k, n - k, &cp);

			if (l == 0)
				l = 1;
			if (k + l > cap)
				break;
			k += l;
		}
		n = k;
	}
	r = arena_strndup(a, s, n);
	buf_free(&b);
	return r;
}

/* An address-looking token: something@something.tld. */
static int
is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	return at && at > s && memchr(at, '.', n - (size_t)(at - s)) &&
	    !memchr(s, ' ', n);
}

/*
 * The first address-looking token of s[0..n): the address is s[*b..*e),
 * the span to cut for the name [*cb..*ce) (with its <> or () around it).
 * 0 when there is none.
 */
static int
email_find(const char *s, size_t n, size_t *b, size_t *e, size_t *cb,
    size_t *ce)
{
	static const char stop[] = " \t<>()[],;\"";
	size_t i, l, r;

	for (i = 0; i < n; i++) {
		if (s[i] != '@')
			continue;
		for (l = i; l > 0 && !strchr(stop, s[l - 1]); l--)
			;
		for (r = i + 1; r < n && !strchr(stop, s[r]); r++)
			;
		if (!is_email(s + l, r - l))
			continue;
		*b = *cb = l;
		*e = *ce = r;
		if (l > 0 && r < n && ((s[l - 1] == '<' && s[r] == '>') ||
		    (s[l - 1] == '(' && s[r] == ')'))) {
			*cb = l - 1;
			*ce = r + 1;
		}
		return 1;
	}
	return 0;
}

/*
 * feedparser's forms: "Jane Doe <jane@example.org>", "jane@example.org
 * (Jane Doe)", "Jane Doe (jane@example.org)", a bare address, a bare name.
 * The address is the first address-looking token; the name is the rest,
 * without the brackets around either.
 */
int
feed_person_parse(struct arena *a, const char *s, struct feed_person *p)
{
	struct buf nm = BUF_INIT(LIM_ONELINE * 2);
	size_t n, b, e, cb, ce, i, j;
	int rc = 0;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (!email_find(s, n, &b, &e, &cb, &ce)) {
		p->name = feed_str(a, s, n, 1, LIM_ONELINE);
		rc = p->name == NULL ? -1 : 0;
		goto out;
	}
	if ((p->email = feed_str(a, s + b, e - b, 1, LIM_ONELINE)) == NULL) {
		rc = -1;
		goto out;
	}
	buf_append(&nm, s, cb);
	buf_putc(&nm, ' ');
	buf_append(&nm, s + ce, n - ce);
	/* trim, then one pair of brackets around the whole name */
	for (i = 0; i < nm.len && isspace((unsigned char)nm.data[i]); i++)
		;
	for (j = nm.len; j > i && isspace((unsigned char)nm.data[j - 1]); j--)
		;
	if (j - i >= 2 && ((nm.data[i] == '(' && nm.data[j - 1] == ')') ||
	    (nm.data[i] == '<' && nm.data[j - 1] == '>'))) {
		i++;
		j--;
	}
	if (j > i && (p->name = feed_str(a, nm.data + i, j - i, 1,
	    LIM_ONELINE)) == NULL)
		rc = -1;
out:
	buf_free(&nm);
	if (p->name && *p->name == '\0')
		p->name = NULL;
	if (p->email && *p->email == '\0')
		p->email = NULL;
	return rc;
}
