/*
 * utf8.c - UTF-8 encoding, validation (word at a time) and cleaning.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

size_t
utf8_encode(uint32_t cp, char *o)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The validator behind utf8_valid and utf8_valid_str: eight bytes at a time
 * while they are ASCII (and not NUL, with nonul); a word that is not is
 * walked sequence by sequence, with utf8_decode's rules in place (lead
 * C2..F4, continuation bytes 80..BF, for E0, ED, F0, F4 the second byte's
 * narrower range: no overlongs, no surrogates, nothing above U+10FFFF).
 */
#define U8_ONES		0x0101010101010101ull
#define U8_HIGHS	0x8080808080808080ull

static inline int
utf8_scan(const unsigned char *s, size_t n, int nonul)
{
	const unsigned char *end = s + n, *stop;
	uint64_t w, m;
	unsigned int c;
	size_t k;

	while (s < end) {
		stop = end;
		if (end - s >= 8) {
			memcpy(&w, s, 8);
			m = w & U8_HIGHS;
			if (nonul)	/* the first NUL byte is flagged */
				m |= (w - U8_ONES) & ~w & U8_HIGHS;
			if (m == 0) {
				s += 8;
				continue;
			}
			stop = s + 8;
			s += utf8_first_flagged(m);
		}
		do {
			c = *s;
			if (c < 0x80) {
				if (nonul && c == 0)
					return 0;
				s++;
			} else {
				if ((k = utf8_seq_len(s, (size_t)(end - s))) ==
				    0)
					return 0;
				s += k;
			}
		} while (s < stop);
	}
	return 1;
}

int
utf8_valid(const char *s, size_t n)
{
	return utf8_scan((const unsigned char *)s, n, 0);
}

int
utf8_valid_str(const char *s, size_t n)
{
	return utf8_scan((const unsigned char *)s, n, 1);
}

static int
is_oneline_space(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x85;
}

/*
 * Append a run of bytes that cleaning keeps as they are (valid UTF-8).  At
 * the cap, the whole code points that fit go in, as if appended one by
 * one; then -1.
 */
static int
clean_run(struct buf *out, const char *s, size_t n)
{
	size_t room;

	if (n == 0)
		return 0;
	if (n <= (room = buf_room(out)))
		return buf_append(out, s, n);
	while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
		room--;
	if (room > 0)
		buf_append(out, s, room);
	out->overflow = 1;
	return -1;
}

/*
 * Runs of bytes that need no change (printable ASCII, single spaces in
 * oneline mode, valid sequences outside the removed set) are copied with
 * one append each; only the others are decoded one by one.
 */
int
utf8_clean(struct buf *out, const char *s, size_t n, int oneline)
{
	const unsigned char *u = (const unsigned char *)s;
	char enc[4];
	uint32_t cp;
	size_t i = 0, k, run, start = out->len;
	int space = 1;	/* suppress leading space in oneline mode */
	int r = 0;

	while (i < n) {
		for (run = i; i < n; i += k) {
			if (u[i] >= 0x80) {
				if ((k = utf8_decode(s + i, n - i, &cp)) == 0 ||
				    (oneline && (cp < 0xA0 || cp == 0x2028 ||
				    cp == 0x2029)))
					break;
				space = 0;
			} else if (!oneline) {
				if (u[i] == 0x7F || (u[i] < 0x20 &&
				    u[i] != '\t' && u[i] != '\n' &&
				    u[i] != '\r'))
					break;
				k = 1;
			} else if (u[i] > ' ' && u[i] != 0x7F) {
				space = 0;
				k = 1;
			} else if (u[i] == ' ' && !space) {
				space = 1;
				k = 1;
			} else
				break;
		}
		if (clean_run(out, s + run, i - run) == -1) {
			r = -1;
			break;
		}
		if (i >= n)
			break;
		/* one code point that is replaced, dropped or a space */
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (oneline) {
			if (is_oneline_space(cp) || cp == ' ') {
				if (!space && buf_putc(out, ' ') == -1) {
					r = -1;
					break;
				}
				space = 1;
				continue;
			}
			space = 0;
		} else if (cp == 0 || (cp < 0x20 && cp != '\t' &&
		    cp != '\n' && cp != '\r') || cp == 0x7F)
			continue;
		if (buf_append(out, enc, utf8_encode(cp, enc)) == -1) {
			r = -1;
			break;
		}
	}
	/* also when the cap cut it short: a one-line value never ends in a
	 * space (found by fuzz_opml: a capped title did) */
	if (oneline && out->len > start && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return r;
}
