/*
 * test_util.c - buf, arena and util: caps, UTF-8 cleaning, SHA-256 test
 * vectors, durations, atomic writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "util.h"
#include "testutil.h"
#include "utf8.h"
#include "sha256.h"
#include "fsutil.h"

static void
test_buf_cap(void **state)
{
	struct buf b = BUF_INIT(8);

	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_putc(&b, '9'), -1);
	assert_true(b.overflow);
	assert_string_equal(buf_str(&b), "12345678");	/* unchanged */
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	buf_free(&b);
	buf_free(NULL);
}

static void
test_buf_printf_grow(void **state)
{
	struct buf b = BUF_INIT(0);
	char *s;
	int i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%04d", i), 0);
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.data + 3996, "0999", 4);
	s = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(strlen(s), 4000);
	free(s);
}

static void
test_arena_cap(void **state)
{
	struct arena *a = arena_new(100000);
	char *p;
	int i;

	p = arena_strdup(a, "hello");
	assert_string_equal(p, "hello");
	assert_null(arena_strdup(a, NULL));
	assert_null(arena_alloc(a, 200000));	/* over the cap */
	for (i = 0; i < 1000; i++)
		if (arena_alloc(a, 128) == NULL)
			break;
	assert_true(i < 1000);			/* the cap holds */
	assert_true(arena_used(a) <= 100000);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	assert_non_null(arena_alloc(a, 90000));	/* large block after reset */
	arena_free(a);
	arena_free(NULL);
}

static const struct {
	const char *in;
	const char *hex;
} sha_vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static void
test_sha256(void **state)
{
	unsigned char h[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	char *big;
	size_t i;

	for (i = 0; i < sizeof(sha_vectors) / sizeof(sha_vectors[0]); i++) {
		sha256(sha_vectors[i].in, strlen(sha_vectors[i].in), h);
		hex_encode(h, SHA256_LEN, hex);
		assert_string_equal(hex, sha_vectors[i].hex);
	}
	/* one million 'a' */
	big = malloc(1000000);
	memset(big, 'a', 1000000);
	sha256(big, 1000000, h);
	hex_encode(h, SHA256_LEN, hex);
	assert_string_equal(hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

static const struct {
	const char *in;
	size_t len;
	int oneline;
	const char *out;
} clean_cases[] = {
	{ "plain", 5, 1, "plain" },
	{ "  a\r\nb\tc  ", 11, 1, "a b c" },
	{ "x\0y", 3, 1, "x y" },
	{ "bad\xff" "byte", 8, 0, "bad\xef\xbf\xbd" "byte" },
	{ "over\xc0\xaflong", 10, 0, "over\xef\xbf\xbd\xef\xbf\xbdlong" },
	{ "sep\xe2\x80\xa8line", 10, 1, "sep line" },
	{ "keep\nlines", 10, 0, "keep\nlines" },
	{ "nul\0gone", 8, 0, "nulgone" },
	{ "caf\xc3\xa9", 5, 1, "caf\xc3\xa9" },
};

static void
test_utf8_clean(void **state)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++) {
		buf_reset(&b);
		assert_int_equal(utf8_clean(&b, clean_cases[i].in,
		    clean_cases[i].len, clean_cases[i].oneline), 0);
		assert_string_equal(buf_str(&b), clean_cases[i].out);
		assert_true(utf8_valid(b.data, b.len));
	}
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	buf_free(&b);
}

/*
 * The code-point-at-a-time utf8_clean that the run-copying one replaced,
 * kept as the reference: the two must agree on every input, at every cap.
 */
static int
ref_oneline_space(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x85;
}

static int
ref_utf8_clean(struct buf *out, const char *s, size_t n, int oneline)
{
	char enc[4];
	uint32_t cp;
	size_t i = 0, k, start = out->len;
	int space = 1;
	int r = 0;

	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (oneline) {
			if (ref_oneline_space(cp) || cp == ' ') {
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
	if (oneline && out->len > start && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return r;
}

/* Pieces random inputs are made of: every class the cleaner treats apart. */
static const char *const clean_pieces[] = {
	"a", "Z", "0", "~", "<", " ", "  ", "\t", "\n", "\r", "\r\n", "\f",
	"\x01", "\x1f", "\x7f", "\0", "\xc2\x80", "\xc2\x85", "\xc2\x9f",
	"\xc2\xa0", "\xc3\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9",
	"\xe2\x82\xac", "\xe3\x81\x82", "\xef\xbf\xbd", "\xef\xbb\xbf",
	"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
	"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",		/* overlongs */
	"\xed\xa0\x80", "\xed\xbf\xbf",			/* surrogates */
	"\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf",		/* > U+10FFFF */
	"\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xf8", "\xfe",
	"\xff",
};

static void
clean_compare(const char *in, size_t n, int oneline, size_t max,
    const char *pre)
{
	struct buf a = BUF_INIT(max), b = BUF_INIT(max);
	int ra, rb;

	if (pre != NULL) {
		buf_puts(&a, pre);
		buf_puts(&b, pre);
	}
	ra = utf8_clean(&a, in, n, oneline);
	rb = ref_utf8_clean(&b, in, n, oneline);
	tu_assert_same_buf(ra, &a, rb, &b);
	buf_free(&a);
	buf_free(&b);
}

static void
test_utf8_clean_reference(void **state)
{
	const size_t np = sizeof(clean_pieces) / sizeof(clean_pieces[0]);
	const struct tu_pieces sp = { clean_pieces, np, 0, 0, 8 };
	char in[512];
	size_t n, i, max;
	unsigned seed = 12345, r;
	int round, oneline;

	/* every piece alone and every pair, both modes, every small cap */
	for (i = 0; i < np * np; i++) {
		const char *p = clean_pieces[i / np], *q = clean_pieces[i % np];
		size_t pl = strlen(p) ? strlen(p) : 1;	/* "\0" is one byte */
		size_t ql = strlen(q) ? strlen(q) : 1;

		memcpy(in, p, pl);
		memcpy(in + pl, q, ql);
		for (oneline = 0; oneline < 2; oneline++)
			for (max = 0; max <= 10; max++)
				clean_compare(in, pl + ql, oneline, max, NULL);
	}
	/* random strings of pieces and random bytes, random caps */
	for (round = 0; round < 20000; round++) {
		n = tu_random_text(in, sizeof(in) - 8, &sp, 60, &seed);
		r = tu_rand(&seed);
		oneline = (r >> 20) & 1;
		max = (r >> 21) % 4 == 0 ? 0 : (r >> 8) % (n * 3 + 4);
		clean_compare(in, n, oneline, max,
		    (r >> 24) % 3 == 0 ? "x " : NULL);
	}
	/* long runs: caps inside a run of multi-byte characters */
	for (n = 0; n + 4 < sizeof(in); n += 3)
		memcpy(in + n, "\xe2\x82\xac", 3);
	for (max = 0; max < n + 4; max++) {
		clean_compare(in, n, 0, max, NULL);
		clean_compare(in, n, 1, max, "ab");
	}
}

/*
 * The one-code-point decoder utf8_decode and utf8_valid were before they
 * were made fast, kept as the reference: the same answer on every input.
 */
static size_t
ref_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2; c &= 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3; c &= 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4; c &= 0x07; min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static int
ref_valid(const char *s, size_t n, int nonul)
{
	uint32_t cp;
	size_t i, k;

	for (i = 0; i < n; i += k)
		if ((k = ref_decode((const unsigned char *)s + i, n - i,
		    &cp)) == 0 || (nonul && cp == 0))
			return 0;
	return 1;
}

/* utf8_decode on s[0..n) against the reference, *cp included. */
static void
decode_compare(const unsigned char *s, size_t n)
{
	uint32_t a = 0xABCDEF, b = 0xABCDEF;
	size_t ka, kb;

	ka = utf8_decode((const char *)s, n, &a);
	kb = ref_decode(s, n, &b);
	if (ka != kb || a != b)
		fail_msg("utf8_decode %02x %02x %02x %02x n=%zu: %zu U+%04X, "
		    "reference %zu U+%04X", s[0], s[1], s[2], s[3], n, ka,
		    (unsigned)a, kb, (unsigned)b);
}

static void
valid_compare(const char *s, size_t n)
{
	if (utf8_valid(s, n) != ref_valid(s, n, 0) ||
	    utf8_valid_str(s, n) != ref_valid(s, n, 1))
		fail_msg("utf8_valid on %zu bytes: %d %d, reference %d %d", n,
		    utf8_valid(s, n), utf8_valid_str(s, n),
		    ref_valid(s, n, 0), ref_valid(s, n, 1));
}

static void
test_utf8_decode_reference(void **state)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7F, 0x80, 0x8F,
	    0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF };
	unsigned char s[4];
	uint32_t v;
	size_t n, i, j;

	/* every sequence of up to three bytes, at every length */
	for (v = 0; v < 1u << 24; v++) {
		s[0] = (unsigned char)(v >> 16);
		s[1] = (unsigned char)(v >> 8);
		s[2] = (unsigned char)v;
		s[3] = 0x80;
		for (n = 0; n <= 3; n++) {
			if (n < 3 && (v & 0xFF) != 0)
				continue;	/* the cut ones once */
			decode_compare(s, n);
		}
		decode_compare(s, 3);
		decode_compare(s, 4);
	}
	/* four bytes: every lead and second byte, edge third and fourth */
	for (v = 0xF0; v <= 0xFF; v++)
		for (i = 0; i < 256; i++)
			for (j = 0; j < sizeof(tails) * sizeof(tails); j++) {
				s[0] = (unsigned char)v;
				s[1] = (unsigned char)i;
				s[2] = tails[j / sizeof(tails)];
				s[3] = tails[j % sizeof(tails)];
				for (n = 0; n <= 4; n++)
					decode_compare(s, n);
			}
}

static void
test_utf8_valid_reference(void **state)
{
	const size_t np = sizeof(clean_pieces) / sizeof(clean_pieces[0]);
	/* the first 29 pieces are the valid ones */
	struct tu_pieces sp = { clean_pieces, np, 29, 0, 64 };
	char in[600];
	size_t n, i, len, pad, off;
	unsigned seed = 4242;
	int round;

	/* every piece and pair at every offset around the eight-byte words,
	 * in ASCII of every length, every prefix */
	for (i = 0; i < np * np; i++) {
		const char *p = clean_pieces[i / np], *q = clean_pieces[i % np];
		size_t pl = strlen(p) ? strlen(p) : 1;
		size_t ql = strlen(q) ? strlen(q) : 1;

		for (off = 0; off < 18; off++)
			for (pad = 0; pad < 12; pad += 1 + (i % np != 0) * 5) {
				memset(in, 'a', sizeof(in));
				memcpy(in + off, p, pl);
				memcpy(in + off + pl, q, ql);
				n = off + pl + ql + pad;
				for (len = off; len <= n; len++)
					valid_compare(in, len);
			}
	}
	/* random strings of pieces and random bytes, mostly valid text */
	for (round = 0; round < 30000; round++) {
		sp.common = round % 4 == 0 ? 0 : 29;	/* 0: all pieces */
		n = tu_random_text(in, sizeof(in) - 8, &sp, 120, &seed);
		valid_compare(in, n);
		valid_compare(in, n ? (tu_rand(&seed) >> 16) % n : 0);
		valid_compare(in + (n > 3), n - (n > 3));
	}
	/* long valid text with one bad byte at every place */
	for (n = 0; n + 10 < sizeof(in); ) {
		static const char *const text[] = { "ab ", "\xc3\xa9",
		    "\xd0\xb6", "\xe6\x97\xa5", "\xf0\x9f\x8e\x89", "cdefghij" };
		const char *t = text[n % 6];

		memcpy(in + n, t, strlen(t));
		n += strlen(t);
	}
	valid_compare(in, n);
	for (i = 0; i < n; i++) {
		char keep = in[i];

		in[i] = (char)0x80;
		valid_compare(in, n);
		in[i] = '\0';
		valid_compare(in, n);
		in[i] = (char)0xED;
		valid_compare(in, n);
		in[i] = keep;
	}
}

static void
test_cut_values_stay_clean(void **state)
{
	struct buf b = BUF_INIT(8);
	char err[8];

	/* the cap cuts "a b c d e f" after "a b c d " : no trailing space */
	assert_int_equal(utf8_clean(&b, "a b c d e f", 11, 1), -1);
	assert_string_equal(buf_str(&b), "a b c d");
	buf_free(&b);
	/* error text cut inside a character stays valid UTF-8 */
	errf(err, sizeof(err), "%s", "ab\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_true(utf8_valid(err, strlen(err)));
	assert_string_equal(err, "ab\xc3\xa9\xc3\xa9");
	errf(err, sizeof(err), "%s", "abcde\xe2\x82\xac");
	assert_string_equal(err, "abcde");
	errf(err, sizeof(err), "%s", "abc\xe2\x82\xac");
	assert_string_equal(err, "abc\xe2\x82\xac");
}

static void
test_duration(void **state)
{
	assert_int_equal(util_parse_duration("30"), 30);
	assert_int_equal(util_parse_duration("30s"), 30);
	assert_int_equal(util_parse_duration("5m"), 300);
	assert_int_equal(util_parse_duration("1h"), 3600);
	assert_int_equal(util_parse_duration("30d"), 30 * 86400);
	assert_int_equal(util_parse_duration(""), -1);
	assert_int_equal(util_parse_duration("5x"), -1);
	assert_int_equal(util_parse_duration("-5"), -1);
	assert_int_equal(util_parse_duration("5mm"), -1);
	assert_int_equal(util_parse_duration("99999999999999999999d"), -1);
}

static void
test_write_atomic(void **state)
{
	char dir[] = "/tmp/rss2mail-test-XXXXXX", path[256], err[256];
	struct buf b = BUF_INIT(0);
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/file", dir);
	assert_int_equal(fs_mkdirs(path, 0, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(path, "one\n", 4, 0640, err,
	    sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(path, "two\n", 4, 0640, err,
	    sizeof(err)), 0);
	assert_int_equal(fs_read_file(path, 100, &b, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&b), "two\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	buf_reset(&b);
	assert_int_equal(fs_read_file(path, 2, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(fs_read_file(path, 100, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	buf_free(&b);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_printf_grow),
		cmocka_unit_test(test_arena_cap),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_utf8_clean_reference),
		cmocka_unit_test(test_utf8_decode_reference),
		cmocka_unit_test(test_utf8_valid_reference),
		cmocka_unit_test(test_cut_values_stay_clean),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
