/*
 * notice.c - composing rss2mail's own notices (see notice.h).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "message.h"
#include "mime.h"
#include "notice.h"
#include "util.h"

int
notice_compose(const struct notice *n, struct buf *out)
{
	struct buf body = BUF_INIT(0), listid = BUF_INIT(0);
	char date[40];
	const char *p;
	int r = -1;

	util_rfc5322_date(n->date, date);
	msg_list_label(n->feed_name, &listid);
	/* LF -> CRLF before encoding, so QP sees real line ends */
	for (p = n->text; *p; p++) {
		if (*p == '\n')
			buf_putc(&body, '\r');
		buf_putc(&body, *p);
	}
	if (mime_header_addr(out, "From", "rss2mail", n->from_addr) == -1 ||
	    mime_header_addr_list(out, "To", n->to) == -1 ||
	    mime_header(out, "Subject", n->subject) == -1 ||
	    mime_header_raw(out, "Date", date) == -1 ||
	    mime_header_raw(out, "Message-ID", n->msgid) == -1 ||
	    (n->in_reply_to != NULL && (mime_header_raw(out, "In-Reply-To",
	    n->in_reply_to) == -1 || mime_header_raw(out, "References",
	    n->in_reply_to) == -1)) ||
	    (n->reply_header != NULL && mime_header_raw(out, n->reply_header,
	    "yes") == -1) ||
	    mime_header_raw(out, "MIME-Version", "1.0") == -1 ||
	    mime_header_phrase(out, "List-Id", n->feed_name,
	    listid.data) == -1 ||
	    mime_header_raw(out, "Auto-Submitted", "auto-generated") == -1 ||
	    mime_header_raw(out, "Content-Type",
	    "text/plain; charset=utf-8") == -1 ||
	    mime_header_raw(out, "Content-Transfer-Encoding",
	    "quoted-printable") == -1 ||
	    buf_puts(out, "\r\n") == -1 ||
	    mime_qp(out, buf_str(&body), body.len) == -1)
		goto out;
	r = 0;
out:
	buf_free(&body);
	buf_free(&listid);
	return r;
}
