/*
 * mime.h - the one place where header text is encoded, and body encodings.
 *
 * mime_header is the audited gate: every header rss2mail writes goes through
 * it.  It removes CR, LF, NUL and other controls from the value, encodes
 * non-ASCII as RFC 2047 encoded-words (<= 75 chars, split on UTF-8
 * boundaries) and folds lines under 78 columns.
 */
#ifndef RSS2MAIL_MIME_H
#define RSS2MAIL_MIME_H

#include <stddef.h>

struct buf;

/* "Name: value" CRLF; unstructured value (Subject, X-RSS-*). */
int	mime_header(struct buf *out, const char *name, const char *value);
/* "Name: display <addr>" CRLF; display encoded or quoted as needed. */
int	mime_header_addr(struct buf *out, const char *name,
	    const char *display, const char *addr);
/* Header whose value is a fixed token we built (Message-ID, Date): checked
 * to be printable ASCII, no encoding. */
int	mime_header_raw(struct buf *out, const char *name, const char *value);
/* Quoted-printable body, lines <= 76, CRLF line ends. */
int	mime_qp(struct buf *out, const char *s, size_t n);
/* Base64, 76-column lines, CRLF. */
int	mime_base64(struct buf *out, const void *p, size_t n);

#endif
