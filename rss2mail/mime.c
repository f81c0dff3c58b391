/*
 * mime.c - the one gate for header text, and the body transfer encodings.
 *
 * Every header rss2mail writes goes through hdr_start/hdr_word/hdr_encoded
 * below.  A value from a feed is first made one line of valid UTF-8
 * (utf8_clean oneline: CR, LF, NUL, C0/C1 controls, DEL, U+2028/U+2029
 * become spaces, runs of spaces collapse), then split into words.  Words
 * that are plain ASCII are written as they are; words that are not (or that
 * look like an encoded-word, or are too long to fold) become RFC 2047
 * encoded-words of at most 75 characters, split on UTF-8 boundaries.  Lines
 * are folded at spaces so they stay under 78 columns (RFC 5322 2.1.1); an
 * unbreakable ASCII word (a long URL) may make a line longer, never 998.
 *
 * After cleaning, the only characters a value can carry are printable
 * ASCII, single spaces and non-ASCII code points, and the only CRLFs in a
 * header are the ones the folder writes, each followed by a space: nothing
 * from a feed can end a header or start another.
 *
 * Deliberately not here: parsing messages, other charsets than UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mime.h"
#include "util.h"
#include "utf8.h"

#define MIME_FOLD	78	/* lines stay under this */
#define MIME_HARD	998	/* and never reach this */
#define MIME_EW_MAX	75	/* one encoded-word, RFC 2047 section 2 */
#define MIME_EW_OVER	12	/* strlen("=?utf-8?q?") + strlen("?=") */
#define MIME_EW_MIN	12	/* encoded text worth starting a word for */
#define MIME_PLAIN_MAX	900	/* longer ASCII words get encoded to fold */
#define MIME_NAME_MAX	64	/* header field names we write */
#define MIME_QP_LINE	76	/* RFC 2045 6.7 (5) */

struct hdr {
	struct buf	*out;
	size_t		 col;	/* columns written on the current line */
	int		 first;	/* no word written yet: never fold here */
	int		 fail;
};

static const char hexdig[] = "0123456789ABCDEF";

/* RFC 5322 atext. */
static int
is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Q-encoding characters safe in any context, phrases included (2047 5). */
static int
is_qsafe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static void
hdr_put(struct hdr *h, const char *s, size_t n)
{
	if (!h->fail && buf_append(h->out, s, n) == -1)
		h->fail = 1;
	h->col += n;
}

static int
name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > MIME_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] >= 0x7F || name[i] == ':')
			return 0;
	return 1;
}

static int
hdr_start(struct hdr *h, struct buf *out, const char *name)
{
	h->out = out;
	h->col = 0;
	h->first = 1;
	h->fail = 0;
	if (!name_ok(name))
		return -1;
	hdr_put(h, name, strlen(name));
	hdr_put(h, ":", 1);
	return 0;
}

/* The whitespace before a word of n columns: a space, or a fold. */
static void
hdr_sep(struct hdr *h, size_t n)
{
	if (!h->first && h->col + 1 + n >= MIME_FOLD) {
		hdr_put(h, "\r\n ", 3);
		h->col = 1;
	} else
		hdr_put(h, " ", 1);
	h->first = 0;
}

static void
hdr_word(struct hdr *h, const char *w, size_t n)
{
	hdr_sep(h, n);
	hdr_put(h, w, n);
	if (h->col >= MIME_HARD)
		h->fail = 1;
}

/* In unstructured text Q may leave more as it is (RFC 2047 5 (1)). */
static int
is_qlit(unsigned char c, int phrase)
{
	if (phrase)
		return is_qsafe(c);
	return c > ' ' && c < 0x7F && c != '=' && c != '?' && c != '_';
}

static size_t
q_len(unsigned char c, int phrase)
{
	return is_qlit(c, phrase) || c == ' ' ? 1 : 3;
}

static size_t
b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Base64 of p[0..n) into q (b64_len(n) bytes); returns the end. */
static char *
b64_write(char *q, const unsigned char *p, size_t n)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	size_t i;

	for (i = 0; i < n; i += 3, q += 4) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = al[v >> 18 & 63];
		q[1] = al[v >> 12 & 63];
		q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
	}
	return q;
}

/* Appended 4 characters at a time, as a capped buffer takes or refuses
 * each group. */
static void
b64_chunk(struct buf *o, const unsigned char *p, size_t n)
{
	char q[4];
	size_t i;

	if (n > 0 && n <= (size_t)-1 / 2 && b64_len(n) <= buf_room(o)) {
		b64_write(buf_reserve(o, b64_len(n)), p, n);
		buf_added(o, b64_len(n));
		return;
	}
	for (i = 0; i < n; i += 3) {
		b64_write(q, p + i, n - i < 3 ? n - i : 3);
		buf_append(o, q, 4);
	}
}

/* 76-column base64 lines with CRLF into q. */
static void
b64_lines(char *q, const unsigned char *u, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += 57) {
		k = n - i < 57 ? n - i : 57;
		q = b64_write(q, u + i, k);
		*q++ = '\r';
		*q++ = '\n';
	}
}

/*
 * Write s[0..n) (valid UTF-8, may hold single spaces) as encoded-words,
 * Q unless B is much shorter (Q stays readable), each <= 75
 * characters and fitting the line.
 */
static void
hdr_encoded(struct hdr *h, const char *s, size_t n, int phrase)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf w = BUF_INIT(0);
	size_t i, j, k, ql = 0, lim, enc, cpl, bytes;
	uint32_t cp;
	int useq;

	for (i = 0; i < n; i++)
		ql += q_len(u[i], phrase);
	useq = ql <= b64_len(n) + b64_len(n) / 2;
	for (i = 0; i < n; i = j) {
		/* room for this word on the current line, else a fold */
		lim = h->col + 2 < MIME_FOLD ? MIME_FOLD - 2 - h->col : 0;
		if (lim > MIME_EW_MAX)
			lim = MIME_EW_MAX;
		if (lim < MIME_EW_OVER + MIME_EW_MIN)
			lim = h->first ? MIME_EW_OVER + MIME_EW_MIN : MIME_EW_MAX;
		lim -= MIME_EW_OVER;
		/* as many whole code points as fit */
		for (j = i, enc = 0, bytes = 0; j < n; j += k) {
			if ((k = utf8_decode(s + j, n - j, &cp)) == 0)
				k = 1;
			if (useq) {
				for (cpl = 0; cpl < k; cpl++)
					enc += q_len(u[j + cpl], phrase);
			} else
				enc = b64_len(bytes + k);
			if (enc > lim && j > i)
				break;
			bytes += k;
		}
		buf_reset(&w);
		buf_puts(&w, useq ? "=?utf-8?q?" : "=?utf-8?b?");
		if (useq) {
			for (k = i; k < j; k++) {
				if (u[k] == ' ')
					buf_putc(&w, '_');
				else if (is_qlit(u[k], phrase))
					buf_putc(&w, u[k]);
				else {
					buf_putc(&w, '=');
					buf_putc(&w, hexdig[u[k] >> 4]);
					buf_putc(&w, hexdig[u[k] & 15]);
				}
			}
		} else
			b64_chunk(&w, u + i, j - i);
		buf_puts(&w, "?=");
		hdr_word(h, w.data, w.len);
	}
	buf_free(&w);
}

static int
word_plain(const char *w, size_t n, int phrase)
{
	size_t i;

	if (n > MIME_PLAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)w[i] >= 0x80)
			return 0;
		if (phrase && !is_atext((unsigned char)w[i]))
			return 0;
		if (w[i] == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
	}
	return 1;
}

/*
 * Write a cleaned one-line value as words: plain words as they are, runs of
 * words that need it (with the spaces between them) as encoded-words.  In
 * a phrase (a display name), only atoms are plain.
 */
static void
hdr_words(struct hdr *h, const char *v, size_t n, int phrase)
{
	size_t i = 0, e, run = 0;
	int inrun = 0;

	while (i < n) {
		for (e = i; e < n && v[e] != ' '; e++)
			;
		if (word_plain(v + i, e - i, phrase)) {
			if (inrun)
				hdr_encoded(h, v + run, i - 1 - run, phrase);
			inrun = 0;
			hdr_word(h, v + i, e - i);
		} else if (!inrun) {
			inrun = 1;
			run = i;
		}
		i = e < n ? e + 1 : e;
	}
	if (inrun)
		hdr_encoded(h, v + run, n - run, phrase);
}

static int
hdr_finish(struct hdr *h, size_t start)
{
	hdr_put(h, "\r\n", 2);
	if (h->fail) {
		/* leave nothing half-written */
		if (h->out->len > start) {
			h->out->len = start;
			if (h->out->data)
				h->out->data[start] = '\0';
		}
		return -1;
	}
	return 0;
}

static int
clean(struct buf *c, const char *value)
{
	if (value == NULL)
		value = "";
	return utf8_clean(c, value, strlen(value), 1);
}

int
mime_header(struct buf *out, const char *name, const char *value)
{
	struct buf c = BUF_INIT(0);
	struct hdr h;
	size_t start = out->len;

	if (hdr_start(&h, out, name) == -1 || clean(&c, value) == -1)
		h.fail = 1;
	else
		hdr_words(&h, c.data ? c.data : "", c.len, 0);
	buf_free(&c);
	return hdr_finish(&h, start);
}

/* A quoted-string for an ASCII display name with specials in it. */
static void
hdr_quoted(struct hdr *h, const char *v, size_t n)
{
	struct buf w = BUF_INIT(0);
	size_t i = 0, e, k;

	while (i < n) {
		for (e = i; e < n && v[e] != ' '; e++)
			;
		buf_reset(&w);
		if (i == 0)
			buf_putc(&w, '"');
		for (k = i; k < e; k++) {
			if (v[k] == '"' || v[k] == '\\')
				buf_putc(&w, '\\');
			buf_putc(&w, v[k]);
		}
		if (e >= n)
			buf_putc(&w, '"');
		/* folding inside a quoted-string unfolds to the one space */
		hdr_word(h, w.data, w.len);
		i = e < n ? e + 1 : e;
	}
	buf_free(&w);
}

static int
all_ascii_noew(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] >= 0x80)
			return 0;
		if (v[i] == '=' && i + 1 < n && v[i + 1] == '?')
			return 0;
	}
	return 1;
}

static int
atoms_only(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != ' ' && !is_atext((unsigned char)v[i]))
			return 0;
	return n <= MIME_PLAIN_MAX;
}

/* dot-atom-text: atoms joined by single dots. */
static int
dot_atom_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
mime_addr_ok(const char *addr)
{
	const char *at;
	size_t i, dl, lbl = 0;

	if (addr == NULL || strlen(addr) > 254 ||
	    (at = strrchr(addr, '@')) == NULL)
		return 0;
	if (at - addr > 64 || !dot_atom_ok(addr, (size_t)(at - addr)))
		return 0;
	dl = strlen(at + 1);
	if (dl == 0 || dl > 253 || at[1] == '.' || at[1] == '-')
		return 0;
	for (i = 0; i < dl; i++) {
		char c = at[1 + i];

		if (c == '.') {
			if (lbl == 0 || at[i] == '-')
				return 0;
			lbl = 0;
		} else if (c == '-' && lbl == 0) {
			return 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-') {
			if (++lbl > 63)
				return 0;
		} else
			return 0;
	}
	return lbl > 0 && at[dl] != '-';
}

/*
 * One display name and its <angle> part into an open header; comma: a ","
 * after it (one mailbox of an address list, RFC 5322 3.4).
 */
static void
hdr_mailbox(struct hdr *h, const char *display, const char *angle,
    int comma)
{
	struct buf c = BUF_INIT(0), a = BUF_INIT(0);

	if (clean(&c, display) == -1) {
		h->fail = 1;
		goto out;
	}
	if (c.len == 0)
		;
	else if (atoms_only(c.data, c.len))
		hdr_words(h, c.data, c.len, 1);
	else if (all_ascii_noew(c.data, c.len) && c.len <= MIME_PLAIN_MAX)
		hdr_quoted(h, c.data, c.len);
	else
		hdr_words(h, c.data, c.len, 1);
	if (c.len == 0 && strchr(angle, '@') != NULL)
		buf_puts(&a, angle);		/* a bare addr-spec */
	else
		buf_printf(&a, "<%s>", angle);
	if (comma)
		buf_putc(&a, ',');
	hdr_word(h, a.data, a.len);
out:
	buf_free(&c);
	buf_free(&a);
}

static int
header_phrase(struct buf *out, const char *name, const char *display,
    const char *angle)
{
	struct hdr h;
	size_t start = out->len;

	if (hdr_start(&h, out, name) == -1)
		h.fail = 1;
	else
		hdr_mailbox(&h, display, angle, 0);
	return hdr_finish(&h, start);
}

int
mime_header_addr(struct buf *out, const char *name, const char *display,
    const char *addr)
{
	if (!mime_addr_ok(addr))
		return -1;
	return header_phrase(out, name, display, addr);
}

int
mime_header_phrase(struct buf *out, const char *name, const char *phrase,
    const char *id)
{
	if (id == NULL || strlen(id) > 255 || !dot_atom_ok(id, strlen(id)))
		return -1;
	return header_phrase(out, name, phrase, id);
}

int
mime_header_raw(struct buf *out, const char *name, const char *value)
{
	struct hdr h;
	size_t start = out->len, i, e, n = strlen(value);

	if (hdr_start(&h, out, name) == -1)
		h.fail = 1;
	for (i = 0; i < n; i++)
		if (value[i] < ' ' || value[i] >= 0x7F)
			h.fail = 1;
	for (i = 0; !h.fail && i < n; ) {
		for (e = i; e < n && value[e] != ' '; e++)
			;
		if (e > i)
			hdr_word(&h, value + i, e - i);
		i = e + 1;
	}
	return hdr_finish(&h, start);
}

int
mime_header_addr_list(struct buf *out, const char *name, const char *list)
{
	char *item, *display, *addr;
	struct hdr h;
	size_t start = out->len, off = 0;

	if (hdr_start(&h, out, name) == -1 || list == NULL || *list == '\0')
		h.fail = 1;
	while (!h.fail && (item = util_addr_list_next(list, &off)) != NULL) {
		if (mime_addr_split(item, &display, &addr) == -1)
			h.fail = 1;
		else
			hdr_mailbox(&h, display, addr, off != SIZE_MAX);
		free(item);
		free(display);
		free(addr);
	}
	return hdr_finish(&h, start);
}

int
mime_addr_list_count(const char *list)
{
	char *item, *display, *addr;
	size_t off = 0;
	int n = 0, bad = 0;

	if (list == NULL)
		return -1;
	while ((item = util_addr_list_next(list, &off)) != NULL) {
		if (mime_addr_split(item, &display, &addr) == -1)
			bad = 1;
		free(item);
		free(display);
		free(addr);
		n++;
	}
	return bad || n == 0 ? -1 : n;
}

int
mime_addr_split(const char *s, char **display, char **addr)
{
	const char *lt, *gt, *p, *e;
	struct buf d = BUF_INIT(0);

	*display = *addr = NULL;
	if (s == NULL)
		return -1;
	lt = strrchr(s, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt == NULL || gt == NULL) {
		for (p = s; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p + strlen(p); e > p && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*addr = xstrndup(p, (size_t)(e - p));
	} else {
		*addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		for (p = s; p < lt; p++) {
			if (*p == '\\' && p + 1 < lt)
				buf_putc(&d, *++p);
			else if (*p != '"')
				buf_putc(&d, *p);
		}
		if (d.len > 0) {
			struct buf c = BUF_INIT(0);

			utf8_clean(&c, d.data, d.len, 1);
			if (c.len > 0)
				*display = buf_steal(&c);
			buf_free(&c);
		}
		buf_free(&d);
	}
	if (!mime_addr_ok(*addr)) {
		free(*display);
		free(*addr);
		*display = *addr = NULL;
		return -1;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode one encoded-word w[0..n) into out; -1 when it is not one. */
static int
ew_decode(const char *w, size_t n, struct buf *out)
{
	const char *q1, *q2, *t, *e = w + n - 2;
	uint32_t acc = 0;
	int bits = 0, v, hi, lo;
	char enc;

	if (n < 8 || w[0] != '=' || w[1] != '?' || w[n - 2] != '?' ||
	    w[n - 1] != '=')
		return -1;
	if ((q1 = memchr(w + 2, '?', n - 4)) == NULL || q1 + 3 > e ||
	    q1[2] != '?')
		return -1;
	q2 = q1 + 2;
	if (!((q1 - w - 2 == 5 && strncasecmp(w + 2, "utf-8", 5) == 0) ||
	    (q1 - w - 2 == 8 && strncasecmp(w + 2, "us-ascii", 8) == 0)))
		return -1;
	enc = q1[1];
	for (t = q2 + 1; t < e; t++) {
		if (enc == 'q' || enc == 'Q') {
			if (*t == '_')
				buf_putc(out, ' ');
			else if (*t == '=' && t + 2 < e &&
			    (hi = hexval(t[1])) >= 0 && (lo = hexval(t[2])) >= 0) {
				buf_putc(out, hi << 4 | lo);
				t += 2;
			} else
				buf_putc(out, *t);
		} else if (enc == 'b' || enc == 'B') {
			if (*t == '=')
				break;
			if ((v = b64val((unsigned char)*t)) < 0)
				return -1;
			acc = acc << 6 | (uint32_t)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				buf_putc(out, (int)(acc >> bits & 0xFF));
			}
		} else
			return -1;
	}
	return 0;
}

int
mime_header_decode(const char *v, size_t n, struct buf *out)
{
	struct buf u = BUF_INIT(0), d = BUF_INIT(0);
	size_t i, e, ws = 0;
	int prev_ew = 0, lead = 1;

	/* unfold */
	for (i = 0; i < n; i++)
		if (v[i] != '\r' && v[i] != '\n')
			buf_putc(&u, v[i]);
	for (i = 0; i < u.len; i = e) {
		if (u.data[i] == ' ' || u.data[i] == '\t') {
			for (e = i; e < u.len && (u.data[e] == ' ' ||
			    u.data[e] == '\t'); e++)
				;
			ws = i;
			continue;
		}
		for (e = i; e < u.len && u.data[e] != ' ' &&
		    u.data[e] != '\t'; e++)
			;
		buf_reset(&d);
		if (ew_decode(u.data + i, e - i, &d) == 0) {
			if (!prev_ew && !lead)
				buf_append(out, u.data + ws, i - ws);
			buf_append(out, d.data, d.len);
			prev_ew = 1;
		} else {
			if (!lead)
				buf_append(out, u.data + ws, i - ws);
			buf_append(out, u.data + i, e - i);
			prev_ew = 0;
		}
		lead = 0;
	}
	buf_free(&u);
	buf_free(&d);
	return out->overflow ? -1 : 0;
}

/*
 * Quoted-printable (RFC 2045 6.7).  LF and CRLF in the input are line
 * breaks and become CRLF; a lone CR is data.  Encoded: everything but
 * printable ASCII, '=', whitespace before a break, and (for mbox and SMTP
 * readers downstream) a '.' or "From " at the start of a line.
 */
static void
qp_put(struct buf *o, size_t *col, const char *t, size_t n, int last)
{
	/* a soft break leaves room for its '='; the last token may use it */
	if (*col + n > (last ? MIME_QP_LINE : MIME_QP_LINE - 1)) {
		buf_append(o, "=\r\n", 3);
		*col = 0;
	}
	buf_append(o, t, n);
	*col += n;
}

/* Bytes quoted-printable always encodes: all but printable ASCII, tab
 * and space, and '='. */
static int
qp_always(unsigned char c)
{
	return c == '=' || c >= 0x7F || (c < ' ' && c != '\t');
}

/*
 * The encoder below writing straight into reserved room: the same tokens
 * and breaks as the token-by-token one, which is kept for a buffer whose
 * cap may cut the output (there each token is appended or refused alone).
 * Output is at most 3 bytes per input byte (a line end is 2 for 1 or 2)
 * plus a 3-byte soft break per 73 encoded bytes and the final CRLF.
 */
static size_t
qp_bound(size_t n)
{
	return 3 * n + n / 8 + 8;
}

static size_t
qp_fast(char *o, const unsigned char *u, size_t n)
{
	char *p = o;
	size_t i, col = 0, k;
	int brk, enc;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = u[i];
		/* printable, not space or '=', mid-line with room: as it is,
		 * whatever follows ('.' and "From " matter only at col 0) */
		if (c > ' ' && c < 0x7F && c != '=' && col - 1 <
		    MIME_QP_LINE - 2) {
			*p++ = (char)c;
			col++;
			continue;
		}
		if (c == '\n' || (c == '\r' && i + 1 < n && u[i + 1] == '\n')) {
			if (c == '\r')
				i++;
			*p++ = '\r';
			*p++ = '\n';
			col = 0;
			continue;
		}
		brk = i + 1 == n || u[i + 1] == '\n' || (u[i + 1] == '\r' &&
		    i + 2 < n && u[i + 2] == '\n');
		enc = qp_always(c) || ((c == ' ' || c == '\t') && brk) ||
		    (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 &&
		    memcmp(u + i, "From ", 5) == 0)));
		k = enc ? 3 : 1;
		if (col + k > (brk ? MIME_QP_LINE : MIME_QP_LINE - 1)) {
			*p++ = '=';
			*p++ = '\r';
			*p++ = '\n';
			col = 0;
		}
		if (enc) {
			*p++ = '=';
			*p++ = hexdig[c >> 4];
			*p++ = hexdig[c & 15];
		} else
			*p++ = (char)c;
		col += k;
	}
	if (col > 0) {
		*p++ = '\r';
		*p++ = '\n';
	}
	return (size_t)(p - o);
}

int
mime_qp(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, col = 0;
	char t[3], *o;
	int brk, last, enc;

	if (n > 0 && n <= ((size_t)-1 - 8) / 4 &&
	    qp_bound(n) <= buf_room(out)) {
		o = buf_reserve(out, qp_bound(n));
		buf_added(out, qp_fast(o, u, n));
		return out->overflow ? -1 : 0;
	}

	for (i = 0; i < n; i++) {
		if (u[i] == '\n' || (u[i] == '\r' && i + 1 < n &&
		    u[i + 1] == '\n')) {
			if (u[i] == '\r')
				i++;
			buf_append(out, "\r\n", 2);
			col = 0;
			continue;
		}
		brk = i + 1 == n || u[i + 1] == '\n' || (u[i + 1] == '\r' &&
		    i + 2 < n && u[i + 2] == '\n');
		last = brk;
		enc = u[i] == '=' || u[i] >= 0x7F ||
		    (u[i] < ' ' && u[i] != '\t') ||
		    ((u[i] == ' ' || u[i] == '\t') && brk) ||
		    (col == 0 && u[i] == '.') ||
		    (col == 0 && u[i] == 'F' && n - i >= 5 &&
		    memcmp(s + i, "From ", 5) == 0);
		if (enc) {
			t[0] = '=';
			t[1] = hexdig[u[i] >> 4];
			t[2] = hexdig[u[i] & 15];
			qp_put(out, &col, t, 3, last);
		} else
			qp_put(out, &col, s + i, 1, last);
	}
	if (col > 0)
		buf_append(out, "\r\n", 2);
	return out->overflow ? -1 : 0;
}

int
mime_base64(struct buf *out, const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t i, k;

	/* 57 bytes make a 76-column line; room for all: one go */
	k = n <= (size_t)-1 / 2 ? b64_len(n) + (n + 56) / 57 * 2 : 0;
	if (n > 0 && k > 0 && k <= buf_room(out)) {
		b64_lines(buf_reserve(out, k), u, n);
		buf_added(out, k);
		return out->overflow ? -1 : 0;
	}
	for (i = 0; i < n; i += 57) {
		k = n - i < 57 ? n - i : 57;
		b64_chunk(out, u + i, k);
		buf_append(out, "\r\n", 2);
	}
	return out->overflow ? -1 : 0;
}
