/*
 * notice.h - rss2mail's own messages to the reader: a feed-health report
 * when a feed has failed several runs in a row, and one when it works
 * again.  Plain text, composed through mime.c's header gate like every
 * other message, CRLF, 7-bit.
 */
#ifndef RSS2MAIL_NOTICE_H
#define RSS2MAIL_NOTICE_H

#include <stddef.h>
#include <time.h>

struct buf;

struct notice {
	const char	*from_addr;	/* the bridge's own address */
	const char	*to;
	const char	*msgid;		/* "<...>" */
	time_t		 date;
	const char	*feed_name;
	const char	*subject;
	const char	*text;		/* UTF-8 body, LF line ends */
};

int	notice_compose(const struct notice *, struct buf *out);

#endif
