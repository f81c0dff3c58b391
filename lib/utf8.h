/*
 * utf8.h - UTF-8: the one set of sequence rules, decoding, validation and
 * cleaning for one-line fields.  Pure.
 */
#ifndef RSS2MAIL_UTF8_H
#define RSS2MAIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF). */
int	 utf8_valid(const char *s, size_t n);
/* The same, and no NUL byte: s[0..n) can be one C string. */
int	 utf8_valid_str(const char *s, size_t n);
/*
 * Append s[0..n) to out as valid UTF-8: invalid sequences become U+FFFD.
 * With oneline, C0/C1 controls, DEL, U+2028/U+2029 become a space and runs of
 * whitespace collapse (for titles, authors, ids, header values).
 */
int	 utf8_clean(struct buf *out, const char *s, size_t n, int oneline);
/* Encode cp into out[4]; returns the length. */
size_t	 utf8_encode(uint32_t cp, char *out);

/*
 * The length of the UTF-8 sequence at s (s[0] >= 0x80, n bytes left) when
 * it is a valid one, else 0: no continuation byte first, no overlongs, no
 * surrogates, nothing past U+10FFFF.  The one set of rules every decoder
 * and scanner here uses.
 */
static inline size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int c = s[0];

	if (c < 0xC2)
		return 0;	/* a continuation byte, or overlong C0/C1 */
	if (c < 0xE0)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0)
		return n >= 3 && (s[1] & 0xC0) == 0x80 &&
		    (s[2] & 0xC0) == 0x80 && !(c == 0xE0 && s[1] < 0xA0) &&
		    !(c == 0xED && s[1] >= 0xA0) ? 3 : 0;
	return c <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 &&
	    !(c == 0xF0 && s[1] < 0x90) && !(c == 0xF4 && s[1] >= 0x90) ?
	    4 : 0;
}

/*
 * Decode one code point at s (n bytes left); returns its length, 0 on error
 * (a stray or truncated sequence, an overlong form, a surrogate, anything
 * above U+10FFFF), and then *cp is left alone.  Inline: the scanners of
 * every text call it once per non-ASCII character.  The lead byte alone
 * rules out C0, C1 and F5..FF; the second byte's range rules out the
 * overlong and out-of-range forms of E0, ED, F0 and F4.
 */
static inline size_t
utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	switch (utf8_seq_len(s, n)) {
	case 2:
		*cp = (c & 0x1F) << 6 | (s[1] & 0x3F);
		return 2;
	case 3:
		*cp = (c & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
		    (s[2] & 0x3F);
		return 3;
	case 4:
		*cp = (c & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
		    (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

/*
 * For word-at-a-time scanners: the index of the first byte in memory order
 * of a 64-bit word loaded with memcpy whose 0x80 bit is set in m (m != 0,
 * m has no other bits).
 */
static inline unsigned int
utf8_first_flagged(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (unsigned int)__builtin_clzll(m) >> 3;
#else
	return (unsigned int)__builtin_ctzll(m) >> 3;
#endif
}

#endif
