/*
 * imap_stream.c - the receive cap and DEFLATE layers of an IMAP session's
 * stream (see imap_stream.h), on one filter skeleton.
 *
 * The skeleton is the one mailstream_low_driver here: it forwards close,
 * fd, cancel and the certificate chain to the layer below and calls the
 * layer's own read, write and free.  A layer is a struct filter_ops and
 * its state; it knows nothing of IMAP commands or of the session.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <zlib.h>

#include "imap_stream.h"
#include "util.h"

/* ---- the filter skeleton ---------------------------------------------- */

struct filter_ops {
	ssize_t	(*read)(void *state, mailstream_low *inner, void *buf,
		    size_t n);
	ssize_t	(*write)(void *state, mailstream_low *inner, const void *buf,
		    size_t n);
	void	(*free)(void *state);
};

struct filter {
	mailstream_low		*inner;		/* owned */
	const struct filter_ops	*ops;
	void			*state;		/* owned, freed by ops->free */
};

static ssize_t
filter_read(mailstream_low *s, void *buf, size_t n)
{
	struct filter *f = s->data;

	return f->ops->read(f->state, f->inner, buf, n);
}

static ssize_t
filter_write(mailstream_low *s, const void *buf, size_t n)
{
	struct filter *f = s->data;

	return f->ops->write(f->state, f->inner, buf, n);
}

static int
filter_close(mailstream_low *s)
{
	struct filter *f = s->data;

	return mailstream_low_close(f->inner);
}

static int
filter_get_fd(mailstream_low *s)
{
	struct filter *f = s->data;

	return mailstream_low_get_fd(f->inner);
}

static void
filter_free(mailstream_low *s)
{
	struct filter *f = s->data;

	if (f != NULL) {
		f->ops->free(f->state);
		if (f->inner != NULL)
			mailstream_low_free(f->inner);
		free(f);
	}
	free(s);
}

static void
filter_cancel(mailstream_low *s)
{
	struct filter *f = s->data;

	mailstream_low_cancel(f->inner);
}

static struct mailstream_cancel *
filter_get_cancel(mailstream_low *s)
{
	struct filter *f = s->data;

	return f->inner->driver->mailstream_get_cancel(f->inner);
}

static carray *
filter_get_chain(mailstream_low *s)
{
	struct filter *f = s->data;

	return mailstream_low_get_certificate_chain(f->inner);
}

static int
filter_no_idle(mailstream_low *s)
{
	return -1;	/* we never IDLE */
}

static mailstream_low_driver filter_driver = {
	filter_read, filter_write, filter_close, filter_get_fd, filter_free,
	filter_cancel, filter_get_cancel, filter_get_chain, filter_no_idle,
	filter_no_idle, filter_no_idle,
};

/*
 * A layer over inner with ops and state.  Returns the new layer, or NULL
 * (out of memory) with inner and state still the caller's.
 */
static mailstream_low *
filter_new(mailstream_low *inner, const struct filter_ops *ops, void *state)
{
	struct filter *f = xcalloc(1, sizeof(*f));
	mailstream_low *low;

	f->inner = inner;
	f->ops = ops;
	f->state = state;
	if ((low = mailstream_low_new(f, &filter_driver)) == NULL)
		free(f);
	return low;
}

/* ---- the receive cap -------------------------------------------------- */

struct imap_rxcap {
	struct filter	*filter;	/* the layer this is the state of */
	size_t		 count;
	int		 tripped;
	int		 lstate;	/* in "{N}\r\n"? (rxcap_scan) */
	unsigned long long lnum;
	long long	 spent_ms;	/* waited in reads this operation */
	long long	 limit_ms;	/* ... at most (2 x timeout) */
	int		 slow;		/* the limit was reached */
};

/*
 * libetpan allocates a literal's announced size before reading it: a
 * "{4294967295}" costs 4 GB of address space at once.  Watch the stream
 * for literal announcements and refuse one larger than what is left of
 * the budget before libetpan sees its line end.  Returns -1 to refuse.
 */
static int
rxcap_scan(struct imap_rxcap *k, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (k->lstate) {
		case 1:		/* after '{': digits */
			if (p[i] >= '0' && p[i] <= '9') {
				if (k->lnum < 1ULL << 40)
					k->lnum = k->lnum * 10 + (p[i] - '0');
				continue;
			}
			if (p[i] == '+' || p[i] == '-')
				continue;	/* LITERAL+ / LITERAL- */
			/* libetpan allocates the literal as soon as it has
			 * read "{N}", before it checks for CRLF: judge the
			 * size at the brace (found by fuzz_imap_session) */
			if (p[i] == '}' && k->lnum > IMAP_RX_CAP - k->count)
				return -1;
			k->lstate = p[i] == '}' ? 2 : 0;
			continue;
		case 2:		/* after '}': CR */
			k->lstate = p[i] == '\r' ? 3 : 0;
			continue;
		case 3:		/* after CR: LF ends the announcement */
			if (p[i] == '\n' &&
			    k->lnum > IMAP_RX_CAP - k->count)
				return -1;
			k->lstate = 0;
			continue;
		default:
			if (p[i] == '{') {
				k->lstate = 1;
				k->lnum = 0;
			}
			continue;
		}
	}
	return 0;
}

static ssize_t
rxcap_read(void *state, mailstream_low *inner, void *buf, size_t n)
{
	struct imap_rxcap *k = state;
	struct timespec t0, t1;
	ssize_t r;

	if (k->count >= IMAP_RX_CAP) {
		k->tripped = 1;
		return -1;
	}
	if (n > IMAP_RX_CAP - k->count)
		n = IMAP_RX_CAP - k->count;
	/*
	 * Each read waits at most `timeout`, but a server that trickles a
	 * byte inside every window would hold us for ever: the time spent
	 * waiting in reads is also bounded per operation.
	 */
	if (k->spent_ms > k->limit_ms) {
		k->slow = 1;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = mailstream_low_read(inner, buf, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	k->spent_ms += (long long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* EOF is an error here: libetpan's literal reader takes a 0 as
	 * "nothing yet" and would spin on a closed socket for ever */
	if (r <= 0)
		return -1;
	if (rxcap_scan(k, buf, (size_t)r) < 0) {
		k->tripped = 1;
		return -1;
	}
	k->count += (size_t)r;
	return r;
}

static ssize_t
rxcap_write(void *state, mailstream_low *inner, const void *buf, size_t n)
{
	return mailstream_low_write(inner, buf, n);
}

static const struct filter_ops rxcap_ops = { rxcap_read, rxcap_write, free };

struct imap_rxcap *
imap_rxcap_push(mailstream *st, long timeout)
{
	struct imap_rxcap *k = xcalloc(1, sizeof(*k));
	mailstream_low *low;

	k->limit_ms = 2000LL * timeout;
	if ((low = filter_new(mailstream_get_low(st), &rxcap_ops, k))
	    == NULL) {
		free(k);
		return NULL;
	}
	k->filter = low->data;
	mailstream_set_low(st, low);
	return k;
}

void
imap_rxcap_reset(struct imap_rxcap *k)
{
	if (k == NULL)
		return;
	k->count = 0;
	k->tripped = 0;
	k->lstate = 0;
	k->spent_ms = 0;
	k->slow = 0;
}

int
imap_rxcap_tripped(const struct imap_rxcap *k)
{
	return k != NULL && k->tripped;
}

int
imap_rxcap_slow(const struct imap_rxcap *k)
{
	return k != NULL && k->slow;
}

/* ---- DEFLATE ---------------------------------------------------------- */

/*
 * Debian builds libetpan without zlib: its mailimap_compress() sends the
 * command and then cannot switch, which breaks every session with a server
 * that offers COMPRESS (seen against Dovecot with imap_zlib).  zlib is
 * therefore included here as well as in fetch.c: the layer has to sit on
 * libetpan's stream.
 */
struct zlayer {
	z_stream	 in, out;
	unsigned char	 ibuf[16384];
	unsigned char	 obuf[16384];
	int		 in_ok, out_ok;
};

static ssize_t
deflate_read(void *state, mailstream_low *inner, void *buf, size_t count)
{
	struct zlayer *z = state;
	ssize_t r;
	int zr;

	if (count == 0)
		return 0;
	for (;;) {
		z->in.next_out = buf;
		if (count > (uInt)-1)
			count = (uInt)-1;
		z->in.avail_out = (uInt)count;
		zr = inflate(&z->in, Z_SYNC_FLUSH);
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return -1;	/* corrupt stream or its end */
		if (z->in.avail_out < count)
			return (ssize_t)(count - z->in.avail_out);
		if (z->in.avail_in != 0)
			return -1;	/* no progress with input left */
		r = mailstream_low_read(inner, z->ibuf, sizeof(z->ibuf));
		if (r <= 0)
			return r;
		z->in.next_in = z->ibuf;
		z->in.avail_in = (uInt)r;
	}
}

static int
deflate_send(mailstream_low *inner, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = mailstream_low_write(inner, p, n);
		if (w < 0)
			return -1;
		if (w == 0)
			continue;	/* the inner driver waited: try again */
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Everything written is deflated and sync-flushed: the server must see a
 * command as soon as libetpan flushes it. */
static ssize_t
deflate_write(void *state, mailstream_low *inner, const void *buf,
    size_t count)
{
	struct zlayer *z = state;
	int zr;

	if (count > (uInt)-1)
		count = (uInt)-1;	/* a partial write; the caller loops */
	z->out.next_in = (Bytef *)(uintptr_t)buf;
	z->out.avail_in = (uInt)count;
	do {
		z->out.next_out = z->obuf;
		z->out.avail_out = sizeof(z->obuf);
		zr = deflate(&z->out, Z_SYNC_FLUSH);
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return -1;
		if (deflate_send(inner, z->obuf,
		    sizeof(z->obuf) - z->out.avail_out) < 0)
			return -1;
	} while (z->out.avail_out == 0 || z->out.avail_in > 0);
	return (ssize_t)count;
}

static void
deflate_free(void *state)
{
	struct zlayer *z = state;

	if (z == NULL)
		return;
	if (z->in_ok)
		inflateEnd(&z->in);
	if (z->out_ok)
		deflateEnd(&z->out);
	free(z);
}

static const struct filter_ops deflate_ops = {
	deflate_read, deflate_write, deflate_free,
};

int
imap_deflate_push(mailstream *st, struct imap_rxcap *cap)
{
	mailstream_low *inner, *low;
	struct zlayer *z;

	z = xcalloc(1, sizeof(*z));
	if (inflateInit2(&z->in, -15) != Z_OK)
		goto fail;
	z->in_ok = 1;
	if (deflateInit2(&z->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		goto fail;
	z->out_ok = 1;
	inner = cap ? cap->filter->inner : mailstream_get_low(st);
	if ((low = filter_new(inner, &deflate_ops, z)) == NULL)
		goto fail;
	if (cap)
		cap->filter->inner = low;
	else
		mailstream_set_low(st, low);
	return 0;
fail:
	deflate_free(z);
	return -1;
}
