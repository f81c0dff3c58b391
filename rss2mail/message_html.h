/*
 * message_html.h - the HTML document of a message's HTML part: the wrapper
 * around a sanitized fragment, the style sheet for phones, the head of an
 * entry (feed, author, date, enclosures, linked title).  Private to the
 * message module (message.c and its tests); html.h is the sanitizer and
 * renderer it builds on.  Pure: no I/O.
 */
#ifndef RSS2MAIL_MESSAGE_HTML_H
#define RSS2MAIL_MESSAGE_HTML_H

#include <stddef.h>

struct buf;

/* An enclosure under the entry's head. */
struct msg_html_link {
	const char	*href;		/* shown only when html_url_ok */
	const char	*note;		/* after it: "audio/mpeg, 4 MB" */
};

/*
 * What the head shows.  Strings are plain text from the feed (made one
 * line of valid UTF-8 and escaped here); any may be NULL.  The caller
 * owns them; nothing written points into them.
 */
struct msg_html_doc {
	const char	*title;		/* "(no title)" in the head when none */
	const char	*feed;
	const char	*author;
	const char	*date;
	const char	*link;		/* the title's link, when html_url_ok */
	const char	*lang;		/* <html lang>, written when not "" */
	const struct msg_html_link *enclosures;
	size_t		 nenclosures;
};

/*
 * The whole document around frag[0..len) (a sanitized fragment, copied as
 * it is): <html>, <head> with charset, viewport, title and the style for
 * phones (light and dark, nothing remote), the entry's head as <h1>, the
 * fragment, and a line end at the end of the fragment.  0, or -1 when out
 * hit its cap (out then holds what fitted).
 */
int	msg_html_document(const struct msg_html_doc *, const char *frag,
	    size_t len, struct buf *out);

/*
 * Just the head of an entry: the feed/author/date line, one line per
 * enclosure with an href, and the linked title as <hN>, level clamped to
 * 1..6 (a digest writes one per entry, at level 2).  0, or -1 when out hit
 * its cap.
 */
int	msg_html_entry_head(const struct msg_html_doc *, int level,
	    struct buf *out);

#endif
