/*
 * test_mime.c - the header gate and the body encodings.
 *
 * Every header written in these tests is checked structurally (one field,
 * CRLF only as folds, lines under 78 unless one unbreakable word, 7-bit,
 * encoded-words <= 75) and decoded back: the text must equal the value as
 * utf8_clean(oneline) makes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "util.h"
#include "testutil.h"
#include "utf8.h"

/* Check one written header; returns the decoded value (caller frees). */
static char *
check_header(const char *h, size_t n, const char *name, int maxline)
{
	struct buf d = BUF_INIT(0);
	size_t i, line = 0, nl = strlen(name), ls = 0;
	const char *p, *colon, *sp;

	assert_true(n >= nl + 3);
	assert_memory_equal(h, name, nl);
	assert_int_equal(h[nl], ':');
	assert_true(h[n - 2] == '\r' && h[n - 1] == '\n');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		assert_true(c < 0x80);
		if (c == '\r') {
			assert_int_equal(h[i + 1], '\n');
			assert_true(line < 998);
			if (line >= (size_t)maxline) {
				/* only one unbreakable word may be longer */
				sp = memchr(h + ls + 1, ' ', line - 1);
				if (ls == 0)
					sp = memchr(h + nl + 2, ' ',
					    line - nl - 2);
				assert_null(sp);
			}
			line = 0;
			ls = i + 1;
			i++;
			/* a fold: the next line starts with a space */
			if (i + 1 < n)
				assert_int_equal(h[i + 1], ' ');
			continue;
		}
		assert_true(c != '\n' && c != '\0');
		assert_true(c >= ' ' || c == '\t');
		line++;
	}
	/* encoded-words at most 75 characters */
	for (p = h; (p = strstr(p, "=?")) != NULL; ) {
		const char *e = strstr(p + 2, "?=");

		/* "=?utf-8?q?" has two '?' before the text */
		e = strchr(p + 2, '?');
		assert_non_null(e);
		e = strchr(e + 1, '?');
		assert_non_null(e);
		e = strstr(e + 1, "?=");
		assert_non_null(e);
		assert_true(e + 2 - p <= 75);
		p = e + 2;
	}
	colon = h + nl + 1;
	assert_int_equal(mime_header_decode(colon, n - 2 - nl - 1, &d), 0);
	return buf_steal(&d);
}

static char *
cleaned(const char *v)
{
	struct buf c = BUF_INIT(0);

	utf8_clean(&c, v, strlen(v), 1);
	return buf_steal(&c);
}

static void
roundtrip(const char *name, const char *value)
{
	struct buf b = BUF_INIT(0);
	char *got, *want;

	assert_int_equal(mime_header(&b, name, value), 0);
	got = check_header(b.data, b.len, name, 78);
	want = cleaned(value);
	assert_string_equal(got, want);
	free(got);
	free(want);
	buf_free(&b);
}

static const char *const values[] = {
	"Hello world",
	"",
	"Caf\xc3\xa9 au lait",
	"evil\r\nBcc: victim@example.org",
	"evil\nX-Injected: yes",
	"evil\rX-Injected: yes",
	"line\xe2\x80\xa8separator\xe2\x80\xa9paragraph",
	"nel\xc2\x85here and \x1b[31mescape\x7f del \x0b\x0c",
	"=?utf-8?q?looks_encoded?= but is not",
	"tabs\tand   runs   of    spaces  ",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xbf\xe3\x82"
	    "\xa4\xe3\x83\x88\xe3\x83\xab\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82"
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xbf\xe3"
	    "\x82\xa4\xe3\x83\x88\xe3\x83\xab\xe3\x81\xa7\xe3\x81\x99\xe3\x80"
	    "\x82 and English",
	"emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80 mixed",
	"invalid \xff\xfe bytes \xc3",
	"under_score and ?question? and =equals=",
	"https://example.org/a/very/long/url/that/goes/on/and/on/and/on/past/"
	    "seventy-eight/columns/for/sure/index.html?x=1&y=2",
	NULL
};

static void
test_header_values(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; values[i] != NULL; i++)
		roundtrip("Subject", values[i]);
}

/* 10,000 characters in several shapes: only one header comes out. */
static void
test_header_huge(void **state)
{
	struct buf v = BUF_INIT(0);
	int shape, i;

	(void)state;
	for (shape = 0; shape < 5; shape++) {
		buf_reset(&v);
		for (i = 0; v.len < 10000; i++) {
			switch (shape) {
			case 0: buf_putc(&v, 'a' + i % 26); break;
			case 1: buf_puts(&v, i % 7 ? "word " : "\r\n"); break;
			case 2: buf_puts(&v, "\xc3\xa9"); break;
			case 3: buf_puts(&v, "\xe6\x97\xa5 "); break;
			case 4: buf_puts(&v, i % 3 ? "x\xe2\x80\xa8" : "\xf0\x9f\x98\x80");
				break;
			}
		}
		roundtrip("Subject", v.data);
	}
	buf_free(&v);
}

static void
test_header_fold(void **state)
{
	struct buf b = BUF_INIT(0);

	(void)state;
	assert_int_equal(mime_header(&b, "Subject", "aaaa bbbb cccc dddd eeee "
	    "ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq"),
	    0);
	/* 78 columns would be one too many */
	assert_string_equal(b.data, "Subject: aaaa bbbb cccc dddd eeee ffff "
	    "gggg hhhh iiii jjjj kkkk llll mmmm\r\n nnnn oooo pppp qqqq\r\n");
	buf_reset(&b);
	/* plain ASCII stays plain; only the word that needs it is encoded */
	assert_int_equal(mime_header(&b, "Subject", "Hello w\xc3\xb6rld"), 0);
	assert_string_equal(b.data,
	    "Subject: Hello =?utf-8?q?w=C3=B6rld?=\r\n");
	buf_free(&b);
}

static void
test_header_bad_name(void **state)
{
	struct buf b = BUF_INIT(0);

	(void)state;
	buf_puts(&b, "X: y\r\n");
	assert_int_equal(mime_header(&b, "Bad Name", "v"), -1);
	assert_int_equal(mime_header(&b, "Bad:Name", "v"), -1);
	assert_int_equal(mime_header(&b, "", "v"), -1);
	assert_int_equal(mime_header(&b, "Bad\r\nName", "v"), -1);
	/* nothing half-written */
	assert_string_equal(b.data, "X: y\r\n");
	buf_free(&b);
}

static const struct {
	const char	*display;
	const char	*addr;
	const char	*want;	/* NULL: refused */
} addrs[] = {
	{ "Jane Doe via Example Blog", "feeds@example.org",
	    "From: Jane Doe via Example Blog <feeds@example.org>\r\n" },
	{ NULL, "feeds@example.org", "From: feeds@example.org\r\n" },
	{ "", "feeds@example.org", "From: feeds@example.org\r\n" },
	{ "Jane (Doe), \"Blog\"", "feeds@example.org",
	    "From: \"Jane (Doe), \\\"Blog\\\"\" <feeds@example.org>\r\n" },
	{ "Caf\xc3\xa9", "feeds@example.org",
	    "From: =?utf-8?q?Caf=C3=A9?= <feeds@example.org>\r\n" },
	{ "x\r\nBcc: a@b.c", "feeds@example.org", "From: \"x Bcc: a@b.c\" "
	    "<feeds@example.org>\r\n" },
	{ "x", "feeds@example.org\r\nBcc: a@b.c", NULL },
	{ "x", "feeds@example.org>, <a@b.c", NULL },
	{ "x", "a b@example.org", NULL },
	{ "x", "@example.org", NULL },
	{ "x", "a@", NULL },
	{ "x", "a..b@example.org", NULL },
	{ "x", "a@-example.org", NULL },
	{ "x", "a@example..org", NULL },
	{ "x", "a@exa_mple.org", NULL },
	{ "x", "", NULL },
	{ "x", NULL, NULL },
};

static void
test_header_addr(void **state)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		buf_reset(&b);
		if (addrs[i].want == NULL) {
			assert_int_equal(mime_header_addr(&b, "From",
			    addrs[i].display, addrs[i].addr), -1);
			assert_int_equal(b.len, 0);
			continue;
		}
		assert_int_equal(mime_header_addr(&b, "From",
		    addrs[i].display, addrs[i].addr), 0);
		assert_string_equal(b.data, addrs[i].want);
	}
	buf_free(&b);
}

static void
test_header_addr_long(void **state)
{
	struct buf b = BUF_INIT(0), v = BUF_INIT(0);
	char *got;
	int i;

	(void)state;
	for (i = 0; i < 300; i++)
		buf_puts(&v, i % 2 ? "Caf\xc3\xa9 " : "(Blog) ");
	assert_int_equal(mime_header_addr(&b, "From", v.data,
	    "feeds@example.org"), 0);
	got = check_header(b.data, b.len, "From", 78);
	assert_non_null(strstr(got, "<feeds@example.org>"));
	free(got);
	buf_free(&b);
	buf_free(&v);
}

static const struct {
	const char	*list;
	const char	*want;	/* NULL: refused */
} lists[] = {
	{ "Me <me@example.org>", "To: Me <me@example.org>\r\n" },
	{ "  me@example.org ", "To: me@example.org\r\n" },
	{ "Me <me@example.org>, \"Doe, Jane\" <jane@example.org>,"
	    "bob@example.org", "To: Me <me@example.org>, \"Doe, Jane\" "
	    "<jane@example.org>, bob@example.org\r\n" },
	{ "Caf\xc3\xa9 <c@example.org>,<u@example.org>", "To: =?utf-8?q?"
	    "Caf=C3=A9?= <c@example.org>, u@example.org\r\n" },
	{ "a <a@example.org> , b@example.org", "To: a <a@example.org>, "
	    "b@example.org\r\n" },
	{ "me@example.org,", NULL },
	{ ",me@example.org", NULL },
	{ "me@example.org,,b@example.org", NULL },
	{ "me@example.org, not an address", NULL },
	{ "me@example.org\r\nBcc: x@example.org", NULL },
	/* a line break is no header: it stays inside the quoted name */
	{ "x <me@example.org>\r\nBcc: <x@example.org>", "To: \"x "
	    "<me@example.org> Bcc:\" <x@example.org>\r\n" },
	{ "", NULL },
};

/* To with one address or several (RFC 5322 3.4 address-list). */
static void
test_header_addr_list(void **state)
{
	struct buf b = BUF_INIT(0), one = BUF_INIT(0), v = BUF_INIT(0);
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		buf_reset(&b);
		if (lists[i].want == NULL) {
			assert_int_equal(mime_header_addr_list(&b, "To",
			    lists[i].list), -1);
			assert_int_equal(b.len, 0);
			assert_int_equal(mime_addr_list_count(lists[i].list),
			    -1);
			continue;
		}
		assert_int_equal(mime_header_addr_list(&b, "To",
		    lists[i].list), 0);
		assert_string_equal(b.data, lists[i].want);
		assert_true(mime_addr_list_count(lists[i].list) >= 1);
	}
	assert_int_equal(mime_addr_list_count(lists[2].list), 3);
	/* one address: the very bytes of mime_header_addr (golden files) */
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (addrs[i].want == NULL || addrs[i].display == NULL ||
		    strpbrk(addrs[i].display, "\"\r\n,") != NULL)
			continue;
		buf_reset(&b);
		buf_reset(&one);
		buf_reset(&v);
		buf_printf(&v, "%s <%s>", addrs[i].display, addrs[i].addr);
		assert_int_equal(mime_header_addr(&one, "To",
		    addrs[i].display, addrs[i].addr), 0);
		assert_int_equal(mime_header_addr_list(&b, "To", v.data), 0);
		assert_string_equal(b.data, one.data);
	}
	/* 32 recipients with encoded names fold within 78 columns */
	buf_reset(&v);
	for (i = 0; i < 32; i++)
		buf_printf(&v, "%sCaf\xc3\xa9 Reader %zu "
		    "<reader%zu@example.org>", i ? ", " : "", i, i);
	buf_reset(&b);
	assert_int_equal(mime_header_addr_list(&b, "To", v.data), 0);
	got = check_header(b.data, b.len, "To", 78);
	assert_non_null(strstr(got, "Caf\xc3\xa9 Reader 0 "
	    "<reader0@example.org>, Caf\xc3\xa9 Reader 1 "
	    "<reader1@example.org>,"));
	assert_non_null(strstr(got, "<reader31@example.org>"));
	assert_null(strstr(got, "<reader31@example.org>,"));
	free(got);
	buf_free(&b);
	buf_free(&one);
	buf_free(&v);
}

static void
test_addr_split(void **state)
{
	char *d, *a;

	(void)state;
	assert_int_equal(mime_addr_split("Feeds <feeds@example.org>", &d, &a),
	    0);
	assert_string_equal(d, "Feeds");
	assert_string_equal(a, "feeds@example.org");
	free(d);
	free(a);
	assert_int_equal(mime_addr_split(" me@example.org ", &d, &a), 0);
	assert_null(d);
	assert_string_equal(a, "me@example.org");
	free(a);
	assert_int_equal(mime_addr_split("\"Doe, Jane\" <j@example.org>", &d,
	    &a), 0);
	assert_string_equal(d, "Doe, Jane");
	free(d);
	free(a);
	assert_int_equal(mime_addr_split("x <not an address>", &d, &a), -1);
	assert_null(d);
	assert_null(a);
}

static void
test_header_raw(void **state)
{
	struct buf b = BUF_INIT(0);

	(void)state;
	assert_int_equal(mime_header_raw(&b, "Message-ID", "<a@rss2mail>"), 0);
	assert_string_equal(b.data, "Message-ID: <a@rss2mail>\r\n");
	buf_reset(&b);
	assert_int_equal(mime_header_raw(&b, "X", "a\r\nB: c"), -1);
	assert_int_equal(mime_header_raw(&b, "X", "caf\xc3\xa9"), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(mime_header_phrase(&b, "List-Id", "Caf\xc3\xa9 Blog",
	    "cafe.rss2mail"), 0);
	assert_string_equal(b.data,
	    "List-Id: =?utf-8?q?Caf=C3=A9?= Blog <cafe.rss2mail>\r\n");
	buf_reset(&b);
	assert_int_equal(mime_header_phrase(&b, "List-Id", "x", "a b"), -1);
	assert_int_equal(mime_header_phrase(&b, "List-Id", "x", "a>"), -1);
	buf_free(&b);
}

/* Decode quoted-printable; checks every '=' starts =XX or a soft break. */
static void
qp_decode(const char *s, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		assert_true(i + 2 < n);
		if (s[i + 1] == '\r') {
			assert_int_equal(s[i + 2], '\n');
			i += 2;
			continue;
		}
		assert_non_null(strchr("0123456789ABCDEF", s[i + 1]));
		assert_non_null(strchr("0123456789ABCDEF", s[i + 2]));
		buf_putc(out, (int)strtol((char[]){ s[i + 1], s[i + 2], 0 },
		    NULL, 16));
		i += 2;
	}
}

static void
qp_check(const char *in)
{
	struct buf q = BUF_INIT(0), d = BUF_INIT(0), want = BUF_INIT(0);
	size_t i, col = 0;

	assert_int_equal(mime_qp(&q, in, strlen(in)), 0);
	for (i = 0; i < q.len; i++) {
		assert_true((unsigned char)q.data[i] < 0x7F);
		if (q.data[i] == '\r') {
			assert_int_equal(q.data[i + 1], '\n');
			/* no whitespace before a line end */
			if (col > 0)
				assert_true(q.data[i - 1] != ' ' &&
				    q.data[i - 1] != '\t');
			assert_true(col <= 76);
			col = 0;
			i++;
			continue;
		}
		assert_true(q.data[i] != '\n');
		col++;
	}
	assert_int_equal(col, 0);
	qp_decode(q.data ? q.data : "", q.len, &d);
	/* the input with LF made CRLF, and a final CRLF */
	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			buf_putc(&want, '\r');
		buf_putc(&want, in[i]);
	}
	if (want.len > 0 && want.data[want.len - 1] != '\n')
		buf_puts(&want, "\r\n");
	assert_int_equal(d.len, want.len);
	if (d.len)
		assert_memory_equal(d.data, want.data, d.len);
	buf_free(&q);
	buf_free(&d);
	buf_free(&want);
}

static void
test_qp(void **state)
{
	struct buf v = BUF_INIT(0);
	int i, j;

	(void)state;
	qp_check("Hello world\n");
	qp_check("trailing space \nand tab\t\nend ");
	qp_check("=====\n.dot\nFrom me\n");
	qp_check("Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\r\nCRLF kept\r\n");
	qp_check("");
	/* every line length around the limit, with =XX at every offset */
	for (i = 60; i < 160; i++) {
		for (j = 0; j < 3; j++) {
			buf_reset(&v);
			while ((int)v.len < i)
				buf_putc(&v, (int)v.len % 7 == j ? '=' : 'x');
			buf_puts(&v, j == 2 ? " \n" : "\n");
			qp_check(v.data);
		}
	}
	buf_reset(&v);
	for (i = 0; i < 3000; i++)
		buf_puts(&v, "\xc3\xa9");
	qp_check(v.data);
	buf_free(&v);
}

static void
test_qp_exact(void **state)
{
	struct buf q = BUF_INIT(0);

	(void)state;
	mime_qp(&q, "a = b \nc\n", 9);
	assert_string_equal(q.data, "a =3D b=20\r\nc\r\n");
	buf_free(&q);
}

static void
test_base64(void **state)
{
	struct buf b = BUF_INIT(0);
	unsigned char big[100];
	size_t i;

	(void)state;
	mime_base64(&b, "foobar", 6);
	assert_string_equal(b.data, "Zm9vYmFy\r\n");
	buf_reset(&b);
	mime_base64(&b, "fooba", 5);
	assert_string_equal(b.data, "Zm9vYmE=\r\n");
	buf_reset(&b);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)i;
	mime_base64(&b, big, sizeof(big));
	/* 57 bytes per 76-column line */
	assert_int_equal(strchr(b.data, '\r') - b.data, 76);
	assert_int_equal(b.len, 76 + 2 + 60 + 2);
	buf_free(&b);
}

static void
test_decode(void **state)
{
	struct buf b = BUF_INIT(0);
	const char *v = " =?utf-8?q?a_b?=\r\n =?UTF-8?B?w6k=?= c =?x?= d";

	(void)state;
	mime_header_decode(v, strlen(v), &b);
	assert_string_equal(b.data, "a b\xc3\xa9 c =?x?= d");
	buf_free(&b);
}

/*
 * The token-at-a-time encoders that the in-place ones replaced, kept as
 * the reference: the same bytes for every input, and under a cap the
 * same cut (each token appended or refused alone).
 */
static void
ref_qp_put(struct buf *o, size_t *col, const char *t, size_t n, int last)
{
	if (*col + n > (last ? 76 : 75)) {
		buf_append(o, "=\r\n", 3);
		*col = 0;
	}
	buf_append(o, t, n);
	*col += n;
}

static int
ref_qp(struct buf *out, const char *s, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, col = 0;
	char t[3];
	int brk, enc;

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
		enc = u[i] == '=' || u[i] >= 0x7F ||
		    (u[i] < ' ' && u[i] != '\t') ||
		    ((u[i] == ' ' || u[i] == '\t') && brk) ||
		    (col == 0 && u[i] == '.') ||
		    (col == 0 && u[i] == 'F' && n - i >= 5 &&
		    memcmp(s + i, "From ", 5) == 0);
		if (enc) {
			t[0] = '=';
			t[1] = hx[u[i] >> 4];
			t[2] = hx[u[i] & 15];
			ref_qp_put(out, &col, t, 3, brk);
		} else
			ref_qp_put(out, &col, s + i, 1, brk);
	}
	if (col > 0)
		buf_append(out, "\r\n", 2);
	return out->overflow ? -1 : 0;
}

static int
ref_base64(struct buf *out, const void *p, size_t n)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = p;
	size_t i, j, k;
	uint32_t v;
	char q[4];

	for (i = 0; i < n; i += 57) {
		k = n - i < 57 ? n - i : 57;
		for (j = 0; j < k; j += 3) {
			v = (uint32_t)u[i + j] << 16;
			if (j + 1 < k)
				v |= (uint32_t)u[i + j + 1] << 8;
			if (j + 2 < k)
				v |= u[i + j + 2];
			q[0] = al[v >> 18 & 63];
			q[1] = al[v >> 12 & 63];
			q[2] = j + 1 < k ? al[v >> 6 & 63] : '=';
			q[3] = j + 2 < k ? al[v & 63] : '=';
			buf_append(out, q, 4);
		}
		buf_append(out, "\r\n", 2);
	}
	return out->overflow ? -1 : 0;
}

static void
enc_compare(int qp, const char *in, size_t n, size_t max, int pre)
{
	struct buf a = BUF_INIT(max), b = BUF_INIT(max);
	int ra, rb;

	if (pre) {
		buf_puts(&a, "pre");
		buf_puts(&b, "pre");
	}
	ra = qp ? mime_qp(&a, in, n) : mime_base64(&a, in, n);
	rb = qp ? ref_qp(&b, in, n) : ref_base64(&b, in, n);
	tu_assert_same_buf(ra, &a, rb, &b);
	buf_free(&a);
	buf_free(&b);
}

static void
test_encoders_reference(void **state)
{
	static const char *const pieces[] = {
		"a", "word ", "F", "From ", "From", ".", "..", " ", "\t", "=",
		"\n", "\r\n", "\r", "\r\r\n", " \n", "\t\r\n", "\0", "\x7f",
		"\x80", "\xc3\xa9", "\xe2\x82\xac", "\xff", "~",
		"0123456789012345678901234567890123456789",
	};
	const struct tu_pieces sp = { pieces, sizeof(pieces) /
	    sizeof(pieces[0]), 0, 0, 0 };
	char in[1024];
	size_t n, max;
	unsigned seed = 99, r;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		/* room for the longest piece, 40 bytes, after the last */
		n = tu_random_text(in, sizeof(in) - 48, &sp, 64, &seed);
		r = tu_rand(&seed);
		max = (r >> 21) % 3 == 0 ? 0 : (r >> 8) % (n * 4 + 8);
		enc_compare(1, in, n, max, (r >> 24) & 1);
		enc_compare(0, in, n, max, (r >> 25) & 1);
	}
	/* every cap around a long line of encoded and plain bytes */
	for (n = 0; n < 300; n++)
		in[n] = (char)(n % 3 == 0 ? '=' : 'a' + n % 26);
	for (max = 0; max < 1000; max++) {
		enc_compare(1, in, 300, max, 0);
		enc_compare(0, in, 300, max, 1);
	}
	enc_compare(1, "", 0, 0, 0);
	enc_compare(0, "", 0, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_values),
		cmocka_unit_test(test_header_huge),
		cmocka_unit_test(test_header_fold),
		cmocka_unit_test(test_header_bad_name),
		cmocka_unit_test(test_header_addr),
		cmocka_unit_test(test_header_addr_long),
		cmocka_unit_test(test_header_addr_list),
		cmocka_unit_test(test_addr_split),
		cmocka_unit_test(test_header_raw),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_qp_exact),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_encoders_reference),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
