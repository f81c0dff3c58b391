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
/*
 * "Name: mailbox, mailbox" CRLF (To): list is a configured address
 * list, mailboxes as mime_addr_split takes them, separated by commas
 * (util_addr_list_next: a comma inside quotes or <> is not one).  Each
 * display name is encoded or quoted as in mime_header_addr, so one
 * address gives the same bytes as mime_header_addr.  -1 when any item
 * is not an address.
 */
int	mime_header_addr_list(struct buf *out, const char *name,
	    const char *list);
/* "Name: phrase <id>" CRLF (List-Id); id must be a dot-atom. */
int	mime_header_phrase(struct buf *out, const char *name,
	    const char *phrase, const char *id);
/* Header whose value is a fixed token we built (Message-ID, Date): checked
 * to be printable ASCII, no encoding. */
int	mime_header_raw(struct buf *out, const char *name, const char *value);
/*
 * On any failure (a bad name or address, a value that cannot be made safe,
 * the buffer's cap) the header functions return -1 and leave out as it was.
 */

/* 1 when addr is an addr-spec we write: dot-atom local part, host name. */
int	mime_addr_ok(const char *addr);
/*
 * Split a configured address ("Name <a@b>", "\"Name\" <a@b>" or "a@b")
 * into a malloc'd display name (NULL when none) and addr-spec; 0, or -1
 * (both NULL) when the addr-spec is not one mime_addr_ok accepts.
 */
int	mime_addr_split(const char *s, char **display, char **addr);
/* How many mailboxes list holds, or -1 when one is not an address (or an
 * item is empty, or there is none). */
int	mime_addr_list_count(const char *list);

/*
 * The text of a header value as a reader sees it: unfolded, UTF-8 and
 * US-ASCII encoded-words decoded, whitespace between adjacent ones
 * dropped (RFC 2047 6.2).  For tests and diagnostics.
 */
int	mime_header_decode(const char *value, size_t n, struct buf *out);

/* Quoted-printable body, lines <= 76, CRLF line ends. */
int	mime_qp(struct buf *out, const char *s, size_t n);
/* Base64, 76-column lines, CRLF. */
int	mime_base64(struct buf *out, const void *p, size_t n);

#endif
