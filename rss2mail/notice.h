/*
 * notice.h - rss2mail's own messages to the reader: a feed-health report
 * when a feed has failed several runs in a row, and one when it works
 * again, and a reply to a Subscribe-folder request.  Plain text, composed
 * through mime.c's header gate like every other message, CRLF, 7-bit.
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
	/* a reply to a Subscribe-folder request (subscribe_pass.c): NULL
	 * for a feed-health notice */
	const char	*in_reply_to;	/* the request's "<...>", or NULL */
	const char	*reply_header;	/* a header naming it a reply
					   ("X-RSS2Mail-Reply"), or NULL */
};

int	notice_compose(const struct notice *, struct buf *out);

#endif
