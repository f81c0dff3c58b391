/*
 * imap_utf7.h - mailbox names in IMAP's modified UTF-7 (RFC 3501 5.1.3).
 *
 * Printable ASCII stands for itself except '&' ("&-"); everything else is
 * UTF-16 in base64 (with ',' for '/') between '&' and '-'.
 *
 * Pure functions: append to out (whose cap bounds the result) and return 0,
 * or -1 on invalid input (bad UTF-8, control characters, malformed
 * encoding) or when out's cap is reached; out may then hold a prefix.
 */
#ifndef RSS2MAIL_IMAP_UTF7_H
#define RSS2MAIL_IMAP_UTF7_H

#include <stddef.h>

struct buf;

int	imap_utf7_encode(struct buf *out, const char *utf8, size_t n);
int	imap_utf7_decode(struct buf *out, const char *utf7, size_t n);

#endif
