/*
 * imap_stream.h - the layers we put on an IMAP session's libetpan stream.
 * Private to imap/.
 *
 * Two filters sit between libetpan's buffered mailstream and the socket or
 * TLS stream under it:
 *
 *   receive cap   counts what arrives and fails a read past IMAP_RX_CAP
 *                 bytes per operation, refuses a literal announcement
 *                 ("{N}") larger than what is left of that budget before
 *                 libetpan allocates it, bounds the time spent waiting in
 *                 reads (2 x timeout per operation: a server trickling a
 *                 byte per timeout cannot hold us) and turns EOF into an
 *                 error (libetpan's literal reader spins on a 0).
 *   DEFLATE       COMPRESS=DEFLATE (RFC 4978): raw deflate both ways,
 *                 every write sync-flushed so a command leaves when
 *                 libetpan flushes it.  It goes under the receive cap, so
 *                 the cap counts inflated bytes.
 *
 * Both are one filter skeleton (imap_stream.c) with their own read, write
 * and state; everything else (close, fd, cancel, certificate chain) is
 * forwarded to the layer below, and IDLE is refused (we never IDLE).
 *
 * Ownership: a pushed layer belongs to the stream and owns the layer
 * below it; mailstream_close / mailstream_low_free of the top frees them
 * all.  The struct imap_rxcap handle stays valid exactly as long as its
 * layer: forget it when the layer is freed.
 *
 * Threading: a stream and its layers belong to one session, used by one
 * thread at a time (the delivery thread).
 */
#ifndef RSS2MAIL_IMAP_STREAM_H
#define RSS2MAIL_IMAP_STREAM_H

#include <libetpan/libetpan.h>

#include "limits.h"

/* What one operation may receive (no response we ask for comes near). */
#define IMAP_RX_CAP	(4 * (size_t)LIM_IMAP_LINE)

struct imap_rxcap;

/*
 * Put a receive cap on top of st.  timeout (seconds) sets the waiting
 * budget per operation: 2 x timeout.  Returns the cap's handle, or NULL
 * when out of memory (st unchanged).
 */
struct imap_rxcap *imap_rxcap_push(mailstream *st, long timeout);

/* A new operation: a full byte and time budget again.  Accepts NULL. */
void	imap_rxcap_reset(struct imap_rxcap *);

/* 1 when this operation was cut: too much data (tripped) or too much
 * waiting (slow).  0 for a NULL cap. */
int	imap_rxcap_tripped(const struct imap_rxcap *);
int	imap_rxcap_slow(const struct imap_rxcap *);

/*
 * Put a DEFLATE layer on st: directly under cap when cap is not NULL (cap
 * must be st's top layer), else on top.  Nothing may be left unread in
 * st's buffer (the server compresses from the next byte on).  0, or -1
 * when zlib or memory fails (st unchanged).
 */
int	imap_deflate_push(mailstream *st, struct imap_rxcap *cap);

#endif
