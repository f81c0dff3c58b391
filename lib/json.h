/*
 * json.h - the one JSON string escaper, for `rss2mail parse` (feed_out.c)
 * and `rss2mail list --json`.
 *
 * The bytes are taken as they are: callers hand in valid UTF-8 (the feed
 * model and the config are normalized before they get here), so only '"',
 * '\\' and the C0 controls need escapes: \n, \r and \t by their short
 * names, the others as \u00XX (lower-case hex).  DEL and every byte from
 * 0x80 up pass through unchanged.  A cap on b is honoured as buf.h says:
 * an append past it is dropped and b->overflow is set.
 */
#ifndef RSS2MAIL_JSON_H
#define RSS2MAIL_JSON_H

#include <stddef.h>

struct buf;

/* Append s[0..n) as a quoted JSON string (a NUL byte becomes \u0000). */
void	json_put_str(struct buf *b, const char *s, size_t n);
/* Append the NUL-terminated s as a quoted JSON string, or the literal
 * null when s is NULL. */
void	json_put_cstr(struct buf *b, const char *s);

#endif
