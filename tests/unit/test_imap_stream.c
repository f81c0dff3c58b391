/*
 * test_imap_stream.c - the session stream's layers (imap_stream.c) on an
 * in-memory low stream instead of a socket: the receive cap (byte budget,
 * literal announcements, EOF, the waiting budget, reset), DEFLATE both
 * ways, DEFLATE under the cap, and the filter skeleton's forwarding of
 * close, fd and free to the layer below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "buf.h"
#include "imap_stream.h"

int main(void);

/* ---- an in-memory low stream ------------------------------------------ */

struct mem {
	const unsigned char	*in;
	size_t			 inlen, inpos;
	size_t			 chunk;		/* most bytes per read */
	long			 delay_ms;	/* each read waits this long */
	struct buf		 out;		/* what was written */
	int			 closed, freed;
};

static ssize_t
mem_read(mailstream_low *s, void *buf, size_t n)
{
	struct mem *m = s->data;
	struct timespec ts = { 0, 0 };
	size_t k = m->inlen - m->inpos;

	if (m->delay_ms > 0) {
		ts.tv_nsec = m->delay_ms * 1000000L;
		nanosleep(&ts, NULL);
	}
	if (k > n)
		k = n;
	if (m->chunk && k > m->chunk)
		k = m->chunk;
	memcpy(buf, m->in + m->inpos, k);
	m->inpos += k;
	return (ssize_t)k;
}

static ssize_t
mem_write(mailstream_low *s, const void *buf, size_t n)
{
	struct mem *m = s->data;

	buf_append(&m->out, buf, n);
	return (ssize_t)n;
}

static int
mem_close(mailstream_low *s)
{
	((struct mem *)s->data)->closed = 1;
	return 0;
}

static int
mem_get_fd(mailstream_low *s)
{
	return 42;
}

static void
mem_free(mailstream_low *s)
{
	((struct mem *)s->data)->freed = 1;
	free(s);
}

static void
mem_cancel(mailstream_low *s)
{
}

static struct mailstream_cancel *
mem_get_cancel(mailstream_low *s)
{
	return NULL;
}

static carray *
mem_get_chain(mailstream_low *s)
{
	return NULL;
}

static int
mem_idle(mailstream_low *s)
{
	return 0;
}

static mailstream_low_driver mem_driver = {
	mem_read, mem_write, mem_close, mem_get_fd, mem_free, mem_cancel,
	mem_get_cancel, mem_get_chain, mem_idle, mem_idle, mem_idle,
};

static mailstream *
mem_stream(struct mem *m, const void *in, size_t inlen)
{
	mailstream_low *low;
	mailstream *st;

	memset(m, 0, sizeof(*m));
	m->in = in;
	m->inlen = inlen;
	buf_init(&m->out, 0);
	low = mailstream_low_new(m, &mem_driver);
	assert_non_null(low);
	st = mailstream_new(low, 8192);
	assert_non_null(st);
	return st;
}

/* Read the top layer into got (when not NULL) until it stops; returns
 * the last read's result (0 or -1). */
static ssize_t
read_all(mailstream *st, struct buf *got)
{
	mailstream_low *top = mailstream_get_low(st);
	char tmp[4096];
	ssize_t r;

	while ((r = mailstream_low_read(top, tmp, sizeof(tmp))) > 0)
		if (got != NULL)
			buf_append(got, tmp, (size_t)r);
	return r;
}

/* Read through the cap until it fails; returns the bytes read. */
static size_t
drain(mailstream *st, struct buf *got)
{
	struct buf all = BUF_INIT(0);
	size_t n;

	assert_int_equal(read_all(st, &all), -1);	/* EOF is an error */
	n = all.len;
	if (got != NULL)
		buf_append(got, all.data, all.len);
	buf_free(&all);
	return n;
}

/* Close the stream: the close and the free reach the memory stream
 * through every layer (the filter skeleton forwards both). */
static void
mem_done(mailstream *st, struct mem *m)
{
	mailstream_close(st);
	assert_true(m->closed);
	assert_true(m->freed);
	buf_free(&m->out);
}

/* ---- the receive cap --------------------------------------------------- */

static void
test_cap_passes_and_eof(void **state)
{
	static const char in[] = "* OK hi\r\n"
	    "* 1 FETCH (BODY[] {5}\r\nhello)\r\n1 OK done\r\n";
	struct buf got = BUF_INIT(0);
	struct imap_rxcap *cap;
	struct mem m;
	mailstream *st;

	(void)state;
	st = mem_stream(&m, in, sizeof(in) - 1);
	assert_non_null(cap = imap_rxcap_push(st, 60));
	assert_int_equal(drain(st, &got), sizeof(in) - 1);
	assert_memory_equal(got.data, in, sizeof(in) - 1);
	assert_false(imap_rxcap_tripped(cap));
	assert_false(imap_rxcap_slow(cap));
	/* the skeleton forwards the fd */
	assert_int_equal(mailstream_low_get_fd(mailstream_get_low(st)), 42);
	mem_done(st, &m);
	buf_free(&got);
}

/* Literal announcements: refused when larger than what is left, however
 * the bytes are split across reads. */
static void
test_cap_literals(void **state)
{
	static const struct {
		const char	*in;
		int		 refused;
	} tab[] = {
		{ "* 1 FETCH (BODY[] {5}\r\nhello)\r\n", 0 },
		{ "* 1 FETCH (BODY[] {99999999999}\r\n", 1 },
		{ "* 1 FETCH (BODY[] {4294967295}", 1 },
		{ "* 1 FETCH (BODY[] {99999999999+}\r\n", 1 },
		{ "* 1 FETCH (BODY[] {99999999999-}\r\n", 1 },
		{ "* 1 FETCH (BODY[] {999999999999999999999999}\r\n", 1 },
		{ "* OK {99999999999 is not a literal\r\n", 0 },
		{ "* OK {1x}{2}\r\nab\r\n", 0 },
	};
	static const size_t chunks[] = { 0, 1, 3 };
	struct imap_rxcap *cap;
	struct mem m;
	mailstream *st;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			st = mem_stream(&m, tab[i].in, strlen(tab[i].in));
			m.chunk = chunks[j];
			assert_non_null(cap = imap_rxcap_push(st, 60));
			(void)drain(st, NULL);
			if (imap_rxcap_tripped(cap) != tab[i].refused)
				fail_msg("\"%s\" in chunks of %zu: expected "
				    "%s", tab[i].in, chunks[j], tab[i].refused ?
				    "a refusal" : "no refusal");
			mem_done(st, &m);
		}
	}
}

static void
test_cap_budget_and_reset(void **state)
{
	size_t len = IMAP_RX_CAP + 1000;
	char *in = malloc(len);
	struct imap_rxcap *cap;
	struct mem m;
	mailstream *st;

	(void)state;
	assert_non_null(in);
	memset(in, 'a', len);
	st = mem_stream(&m, in, len);
	assert_non_null(cap = imap_rxcap_push(st, 60));
	assert_int_equal(drain(st, NULL), IMAP_RX_CAP);
	assert_true(imap_rxcap_tripped(cap));
	/* a new operation gets a new budget: the rest comes through */
	imap_rxcap_reset(cap);
	assert_false(imap_rxcap_tripped(cap));
	assert_int_equal(drain(st, NULL), 1000);
	assert_false(imap_rxcap_tripped(cap));
	mem_done(st, &m);
	free(in);
	/* NULL caps are fine to ask */
	imap_rxcap_reset(NULL);
	assert_false(imap_rxcap_tripped(NULL));
	assert_false(imap_rxcap_slow(NULL));
}

/* A server that trickles: reads that each wait are cut once the waiting
 * budget (2 x timeout; 0 here) is spent. */
static void
test_cap_slow(void **state)
{
	static const char in[] = "* OK slowly\r\n";
	struct imap_rxcap *cap;
	struct mem m;
	mailstream *st;

	(void)state;
	st = mem_stream(&m, in, sizeof(in) - 1);
	m.chunk = 1;
	m.delay_ms = 5;
	assert_non_null(cap = imap_rxcap_push(st, 0));
	assert_int_equal(drain(st, NULL), 1);
	assert_true(imap_rxcap_slow(cap));
	assert_false(imap_rxcap_tripped(cap));
	imap_rxcap_reset(cap);
	assert_false(imap_rxcap_slow(cap));
	assert_int_equal(drain(st, NULL), 1);
	mem_done(st, &m);
}

/* ---- DEFLATE ------------------------------------------------------------ */

/* Raw deflate (as RFC 4978 sends it) of p[0..n) when compress, else the
 * inflated p[0..n); sync-flushed, appended to out. */
static void
zraw(struct buf *out, const void *p, size_t n, int compress)
{
	unsigned char tmp[4096];
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	zr = compress ? deflateInit2(&z, 6, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) : inflateInit2(&z, -15);
	assert_int_equal(zr, Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		zr = compress ? deflate(&z, Z_SYNC_FLUSH) :
		    inflate(&z, Z_SYNC_FLUSH);
		assert_true(zr == Z_OK || zr == Z_BUF_ERROR);
		buf_append(out, tmp, sizeof(tmp) - z.avail_out);
	} while (z.avail_in > 0 || z.avail_out == 0);
	if (compress)
		deflateEnd(&z);
	else
		inflateEnd(&z);
}

static void
test_deflate_both_ways(void **state)
{
	static const char reply[] = "* CAPABILITY IMAP4rev1 LITERAL+\r\n"
	    "2 OK done\r\n";
	static const char cmd[] = "3 APPEND \"Feeds\" {5+}\r\nhello\r\n";
	struct buf z = BUF_INIT(0), got = BUF_INIT(0), sent = BUF_INIT(0);
	struct mem m;
	mailstream *st;

	(void)state;
	zraw(&z, reply, sizeof(reply) - 1, 1);
	st = mem_stream(&m, z.data, z.len);
	m.chunk = 7;
	assert_int_equal(imap_deflate_push(st, NULL), 0);
	/* libetpan's own buffered reads and writes, through the layer */
	assert_int_equal(mailstream_write(st, cmd, sizeof(cmd) - 1),
	    (ssize_t)(sizeof(cmd) - 1));
	assert_int_equal(mailstream_flush(st), 0);
	zraw(&sent, m.out.data, m.out.len, 0);
	assert_int_equal(sent.len, sizeof(cmd) - 1);
	assert_memory_equal(sent.data, cmd, sent.len);
	/* without the cap on top, EOF is a plain 0 */
	assert_int_equal(read_all(st, &got), 0);
	assert_int_equal(got.len, sizeof(reply) - 1);
	assert_memory_equal(got.data, reply, got.len);
	mem_done(st, &m);
	buf_free(&z);
	buf_free(&got);
	buf_free(&sent);
}

/* Under the cap, DEFLATE is counted inflated: a small compressed stream
 * that inflates past the budget trips the cap. */
static void
test_deflate_under_cap(void **state)
{
	size_t len = IMAP_RX_CAP + 4096;
	char *plain = malloc(len);
	struct buf z = BUF_INIT(0);
	struct imap_rxcap *cap;
	struct mem m;
	mailstream *st;

	(void)state;
	assert_non_null(plain);
	memset(plain, 'x', len);
	zraw(&z, plain, len, 1);
	assert_true(z.len < IMAP_RX_CAP / 100);
	st = mem_stream(&m, z.data, z.len);
	assert_non_null(cap = imap_rxcap_push(st, 60));
	assert_int_equal(imap_deflate_push(st, cap), 0);
	assert_int_equal(drain(st, NULL), IMAP_RX_CAP);
	assert_true(imap_rxcap_tripped(cap));
	assert_int_equal(mailstream_low_get_fd(mailstream_get_low(st)), 42);
	mem_done(st, &m);
	buf_free(&z);
	free(plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_passes_and_eof),
		cmocka_unit_test(test_cap_literals),
		cmocka_unit_test(test_cap_budget_and_reset),
		cmocka_unit_test(test_cap_slow),
		cmocka_unit_test(test_deflate_both_ways),
		cmocka_unit_test(test_deflate_under_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
