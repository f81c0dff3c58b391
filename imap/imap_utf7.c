/*
 * imap_utf7.c - UTF-8 <-> modified UTF-7 for mailbox names.
 *
 * Strict in both directions: the decoder refuses what a conforming encoder
 * never produces (printable ASCII inside a shift, "&" runs that end in
 * unused non-zero bits, lone surrogates, empty "&-" shifts other than the
 * "&" escape, C1 controls, two shifts in a row), so that one name has one
 * spelling: decode then encode gives back the input.  Control characters are
 * refused: they have no business in a folder name.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "imap_utf7.h"
#include "util.h"
#include "utf8.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64val(unsigned char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

/* Base64 state of an open "&..." shift. */
struct shift {
	int		 open;
	uint32_t	 bits;
	int		 nbits;
};

static int
shift_unit(struct buf *out, struct shift *sh, uint16_t u)
{
	if (!sh->open) {
		if (buf_putc(out, '&') < 0)
			return -1;
		sh->open = 1;
		sh->bits = 0;
		sh->nbits = 0;
	}
	sh->bits = sh->bits << 16 | u;
	sh->nbits += 16;
	while (sh->nbits >= 6) {
		sh->nbits -= 6;
		if (buf_putc(out, b64[(sh->bits >> sh->nbits) & 63]) < 0)
			return -1;
	}
	sh->bits &= (1u << sh->nbits) - 1;
	return 0;
}

static int
shift_close(struct buf *out, struct shift *sh)
{
	if (!sh->open)
		return 0;
	sh->open = 0;
	if (sh->nbits > 0 &&
	    buf_putc(out, b64[(sh->bits << (6 - sh->nbits)) & 63]) < 0)
		return -1;
	return buf_putc(out, '-');
}

int
imap_utf7_encode(struct buf *out, const char *s, size_t n)
{
	struct shift sh = { 0, 0, 0 };
	size_t i = 0, k;
	uint32_t cp;
	unsigned char ch;

	while (i < n) {
		ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return -1;
		if (ch < 0x80) {
			if (shift_close(out, &sh) < 0 ||
			    (ch == '&' ? buf_puts(out, "&-") :
			    buf_putc(out, ch)) < 0)
				return -1;
			i++;
			continue;
		}
		/* one shift for a whole run of non-ASCII characters */
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			return -1;
		if (cp < 0xa0 && cp >= 0x80)
			return -1;	/* C1 controls */
		if (cp >= 0x10000) {
			cp -= 0x10000;
			if (shift_unit(out, &sh, (uint16_t)(0xd800 |
			    (cp >> 10))) < 0 || shift_unit(out, &sh,
			    (uint16_t)(0xdc00 | (cp & 0x3ff))) < 0)
				return -1;
		} else if (shift_unit(out, &sh, (uint16_t)cp) < 0) {
			return -1;
		}
		i += k;
	}
	return shift_close(out, &sh);
}

/* Decode one shift s[0..n) (between '&' and '-') into UTF-8. */
static int
get_shift(struct buf *out, const char *s, size_t n)
{
	uint32_t bits = 0, hi = 0, cp;
	int nbits = 0, v;
	size_t i;
	char enc[4];
	uint16_t unit;

	for (i = 0; i < n; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			return -1;
		bits = (bits << 6 | (uint32_t)v) & 0xffffff;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		unit = (uint16_t)(bits >> nbits);
		if (hi != 0) {
			if (unit < 0xdc00 || unit > 0xdfff)
				return -1;
			cp = 0x10000 + ((hi - 0xd800) << 10) + (unit - 0xdc00);
			hi = 0;
		} else if (unit >= 0xd800 && unit <= 0xdbff) {
			hi = unit;
			continue;
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			return -1;
		} else {
			cp = unit;
		}
		/* ASCII that should have been written directly */
		if (cp >= 0x20 && cp <= 0x7e)
			return -1;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return -1;
		if (buf_append(out, enc, utf8_encode(cp, enc)) < 0)
			return -1;
	}
	/* leftover bits must be fewer than 6 and zero; no dangling surrogate */
	if (hi != 0 || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	return 0;
}

int
imap_utf7_decode(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, j;
	unsigned char ch;

	while (i < n) {
		ch = (unsigned char)s[i];
		if (ch < 0x20 || ch > 0x7e)
			return -1;
		if (ch != '&') {
			if (buf_putc(out, ch) < 0)
				return -1;
			i++;
			continue;
		}
		for (j = i + 1; j < n && s[j] != '-'; j++)
			;
		if (j == n)
			return -1;
		if (j == i + 1) {
			if (buf_putc(out, '&') < 0)
				return -1;
		} else if (get_shift(out, s + i + 1, j - i - 1) < 0) {
			return -1;
		} else if (j + 2 < n && s[j + 1] == '&' && s[j + 2] != '-') {
			return -1;	/* two shifts in a row: not canonical */
		}
		i = j + 1;
	}
	return 0;
}
