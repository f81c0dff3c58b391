/*
 * imap_wire.h - the pure text of IMAP commands and replies that imap.c and
 * imap_session.c build and judge: quoting, dates, UID sets, SASL base64,
 * which refusals reach how far.  Private to imap/.
 *
 * No I/O, no globals, no libetpan: each function takes bytes and returns
 * bytes or a verdict, so the unit tests (test_imap_wire.c) cover what goes
 * on the wire without a server.  Output goes to a caller-owned struct buf
 * (appended; a capped buf sets its overflow flag) or a caller's array.
 */
#ifndef RSS2MAIL_IMAP_WIRE_H
#define RSS2MAIL_IMAP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deliver.h"

struct buf;

/* s as an IMAP quoted string: '"' and '\' escaped, in double quotes. */
void	imap_wire_quoted(struct buf *out, const char *s);

/* A mailbox argument: quoted when printable ASCII (it always is after
 * modified UTF-7), else a non-synchronizing literal "{N+}\r\n...". */
void	imap_wire_mailbox(struct buf *out, const char *name);

/* Whether a Message-ID can go into a search: 3 to 998 printable ASCII
 * characters without spaces. */
int	imap_wire_msgid_ok(const char *msgid);

/*
 * Dates in UTC: a search date "3-Dec-2026" (RFC 3501 date), and an
 * INTERNALDATE "03-Dec-2026 08:05:09 +0000" (date-time, without quotes).
 * out holds IMAP_WIRE_DATE bytes at least.
 */
#define IMAP_WIRE_DATE	32
void	imap_wire_date(char *out, time_t t);
void	imap_wire_date_time(char *out, time_t t);

/* Sort u[0..n) and drop repeats; returns the new count. */
size_t	imap_wire_uids_sort(uint32_t *u, size_t n);

/* The sorted u[0..n) as a sequence set: runs become ranges ("1:3,7"). */
void	imap_wire_uid_set(struct buf *out, const uint32_t *u, size_t n);

/*
 * How far a refused APPEND reaches, from the tagged NO's response code
 * atom ("" for none) and whether it carried [TRYCREATE]: a missing
 * folder, a full quota or no permission reach the folder (quotas may be
 * per folder); anything else refuses this message.  *what gets the words
 * to put before the server's text ("over quota: ").
 */
enum deliver_status imap_wire_refusal(const char *atom, int trycreate,
	    const char **what);

/*
 * Whether a refusal (the response code atom, "" for none, and the
 * server's text) means "slow down, come back later" rather than "this
 * message" or "this folder": [THROTTLED], [UNAVAILABLE], [INUSE] (RFC
 * 5530) always; [OVERQUOTA] and [LIMIT] when the text speaks of a rate or
 * bandwidth (Gmail's "Account exceeded command or bandwidth limits", not a
 * full mailbox); any text with "throttl" or Outlook's "Suggested Backoff
 * Time: N milliseconds".  *wait_ms gets the N the server suggested, 0
 * when it named none.  NULL atom or text count as "".
 */
int	imap_wire_throttled(const char *atom, const char *text, long *wait_ms);

/* 1 when a refusal is about the message's size: [TOOBIG] (RFC 7889), or
 * a text saying it is too large/big, or that a size is exceeded or larger
 * than allowed (Dovecot's quota_max_mail_size answers [LIMIT] so). */
int	imap_wire_too_big(const char *atom, const char *text);

/* The text of an untagged BYE in buf[0..len) (after "* BYE "), as a
 * pointer into buf running to the line's end, or NULL when there is
 * none; *n gets its length. */
const char *imap_wire_bye(const char *buf, size_t len, size_t *n);

/* 1 when buf[0..len) holds a line starting "<tag> BAD" (any case). */
int	imap_wire_tagged_bad(const char *buf, size_t len, int tag);

/* SASL base64 (RFC 4648, padded) of p[0..n), appended to out. */
void	imap_wire_base64(struct buf *out, const unsigned char *p, size_t n);

#endif
