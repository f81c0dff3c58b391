/*
 * util.h - small helpers every module may use: allocation that aborts on
 * exhaustion, one-line error text in a caller-owned buffer, durations and
 * RFC 5322 dates.  Pure: no I/O, no globals (file I/O is fsutil.h).
 */
#ifndef RSS2MAIL_UTIL_H
#define RSS2MAIL_UTIL_H

#include <stddef.h>
#include <time.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);			/* NULL-safe */
char	*xstrndup(const char *, size_t);

/* Write one line of error text into a caller-owned buffer. */
void	 errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Prefix existing error text with context: "feed lwn: " + err. */
void	 errprefix(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* "30s" "5m" "1h" "2d" or plain seconds -> seconds; -1 on error. */
long long util_parse_duration(const char *);
/* RFC 5322 date-time in UTC: "Fri, 27 Nov 2026 00:28:23 +0000" (32 bytes). */
void	 util_rfc5322_date(time_t, char out[40]);
/*
 * Walk a comma-separated address list ("A <a@x>, \"Doe, J\" <j@y>, b@z";
 * a comma inside double quotes or <> separates nothing): the next item,
 * malloc'd, without the white space around it ("" for an empty item, so
 * "", "a@x," and ",a@x" hold one), from *off, which starts at 0 and is
 * moved past it (SIZE_MAX after the last item); NULL at the end.
 * config/ and message headers split `to` with this one rule.
 */
char	*util_addr_list_next(const char *list, size_t *off);

#endif
