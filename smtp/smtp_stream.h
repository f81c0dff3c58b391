/*
 * smtp_stream.h - a receive cap under an SMTP/LMTP session's stream
 * (private to smtp/).
 *
 * libetpan reads a reply line into memory until its line end, however long,
 * and waits `timeout` per read, so a server that floods or trickles could
 * hold any amount of memory or time.  smtp_rx_push puts a layer between
 * the session's mailstream and its socket (or TLS) layer that fails the
 * read once one exchange has received max_bytes, or has waited max_ms in
 * reads; smtp_rx_reset starts a new exchange.  A failed read looks like a
 * lost connection to libetpan; smtp_rx_tripped tells which it was.
 *
 * The layer is owned by the stream: it is freed with it (mailstream_close,
 * or mailstream_low_free of the layer, which frees the layer below too).
 * The certificate chain and the socket are passed through from below.
 */
#ifndef RSS2MAIL_SMTP_STREAM_H
#define RSS2MAIL_SMTP_STREAM_H

#include <stddef.h>

#include <libetpan/libetpan.h>

enum smtp_rx_trip { SMTP_RX_OK, SMTP_RX_FLOOD, SMTP_RX_SLOW };

struct smtp_rx;

/* NULL when out of memory (st is unchanged then). */
struct smtp_rx	*smtp_rx_push(mailstream *st, size_t max_bytes,
		    long long max_ms);
void		 smtp_rx_reset(struct smtp_rx *);		/* NULL ok */
enum smtp_rx_trip smtp_rx_tripped(const struct smtp_rx *);	/* NULL ok */

#endif
