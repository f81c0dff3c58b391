/*
 * smtp_stream.c - the receive cap of smtp_stream.h: a mailstream_low
 * driver that counts and times what it reads from the layer below.
 */
#include <stdlib.h>
#include <time.h>

#include "smtp_stream.h"
#include "util.h"

struct smtp_rx {
	mailstream_low	*inner;
	size_t		 count;
	size_t		 max_bytes;
	long long	 spent_ms;
	long long	 max_ms;
	enum smtp_rx_trip trip;
};

static long long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

static ssize_t
rx_read(mailstream_low *s, void *buf, size_t n)
{
	struct smtp_rx *k = s->data;
	struct timespec t0, t1;
	ssize_t r;

	if (k->count >= k->max_bytes) {
		k->trip = SMTP_RX_FLOOD;
		return -1;
	}
	if (k->spent_ms > k->max_ms) {
		k->trip = SMTP_RX_SLOW;
		return -1;
	}
	if (n > k->max_bytes - k->count)
		n = k->max_bytes - k->count;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = mailstream_low_read(k->inner, buf, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	k->spent_ms += ms_between(&t0, &t1);
	/* EOF is an error: a reader that takes 0 as "nothing yet" would
	 * spin on a closed socket */
	if (r <= 0)
		return -1;
	k->count += (size_t)r;
	return r;
}

static ssize_t
rx_write(mailstream_low *s, const void *buf, size_t n)
{
	struct smtp_rx *k = s->data;

	return mailstream_low_write(k->inner, buf, n);
}

static int
rx_close(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	return mailstream_low_close(k->inner);
}

static int
rx_get_fd(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	return mailstream_low_get_fd(k->inner);
}

static void
rx_free(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	if (k != NULL) {
		if (k->inner != NULL)
			mailstream_low_free(k->inner);
		free(k);
	}
	free(s);
}

static void
rx_cancel(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	mailstream_low_cancel(k->inner);
}

static struct mailstream_cancel *
rx_get_cancel(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	return k->inner->driver->mailstream_get_cancel(k->inner);
}

static carray *
rx_get_chain(mailstream_low *s)
{
	struct smtp_rx *k = s->data;

	return mailstream_low_get_certificate_chain(k->inner);
}

static int
rx_no_idle(mailstream_low *s)
{
	(void)s;
	return -1;	/* SMTP has no IDLE */
}

static mailstream_low_driver rx_driver = {
	rx_read, rx_write, rx_close, rx_get_fd, rx_free, rx_cancel,
	rx_get_cancel, rx_get_chain, rx_no_idle, rx_no_idle, rx_no_idle,
};

struct smtp_rx *
smtp_rx_push(mailstream *st, size_t max_bytes, long long max_ms)
{
	struct smtp_rx *k = xcalloc(1, sizeof(*k));
	mailstream_low *low;

	k->inner = mailstream_get_low(st);
	k->max_bytes = max_bytes;
	k->max_ms = max_ms;
	if ((low = mailstream_low_new(k, &rx_driver)) == NULL) {
		free(k);
		return NULL;
	}
	mailstream_set_low(st, low);
	return k;
}

void
smtp_rx_reset(struct smtp_rx *k)
{
	if (k != NULL) {
		k->count = 0;
		k->spent_ms = 0;
		k->trip = SMTP_RX_OK;
	}
}

enum smtp_rx_trip
smtp_rx_tripped(const struct smtp_rx *k)
{
	return k != NULL ? k->trip : SMTP_RX_OK;
}
