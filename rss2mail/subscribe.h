/*
 * subscribe.h - what a message in the Subscribe folder asks for, and the
 * name a new feed gets: the pure half of the Subscribe folder (issue 18).
 *
 * subscribe_pass.c reads the folder, acts and replies on top of these.
 * No I/O, no logging, no globals.
 *
 * A request is a whole RFC 5322 message as the server returns it (at most
 * SUBSCRIBE_MSG_MAX bytes of it).  A message carrying READER_REPLY_HEADER
 * is one of rss2mail's own replies: IGNORE.  Then its subject decides:
 * "unsubscribe NAME", "pause NAME", "resume NAME" (any case, a "Re:" or
 * "Fwd:" in front ignored); else an X-RSS-Feed header (a feed's message
 * moved into the folder: MOVED, feed_url is that feed's URL); else an
 * OPML attachment (a part typed text/x-opml or application/x-opml, or
 * named *.opml; base64 and quoted-printable undone: OPML, in opml);
 * else the first http(s) URL in the subject or the body's text (the text
 * parts of a MIME message, base64 and quoted-printable undone; a URL ends
 * at a blank, a quote, '<', '>' or the end of a line, and loses a
 * trailing '.', ',', ')' or ';'); else the request is asking for help.
 * Bounds: at most SUBSCRIBE_SCAN bytes of text are searched for a URL, a
 * URL is at most SUBSCRIBE_URL_MAX bytes (a longer one is not a URL),
 * MIME is followed SUBSCRIBE_DEPTH multiparts deep.
 */
#ifndef RSS2MAIL_SUBSCRIBE_H
#define RSS2MAIL_SUBSCRIBE_H

#include <stddef.h>

#define SUBSCRIBE_SCAN		(256 * 1024)
#define SUBSCRIBE_URL_MAX	2048
#define SUBSCRIBE_MSG_MAX	(1024 * 1024)	/* what is fetched of one */
#define SUBSCRIBE_DEPTH		4

enum subscribe_op {
	SUBSCRIBE_HELP = 0,	/* anything else: reply with the commands */
	SUBSCRIBE_URL,		/* arg: the URL (a site or a feed) */
	SUBSCRIBE_UNSUBSCRIBE,	/* arg: the feed name as written */
	SUBSCRIBE_PAUSE,
	SUBSCRIBE_RESUME,
	SUBSCRIBE_MOVED,	/* feed_url: the moved message's feed */
	SUBSCRIBE_OPML,		/* opml: the attachment's bytes */
	SUBSCRIBE_IGNORE,	/* one of our own replies */
};

struct subscribe_req {
	enum subscribe_op op;
	char		*arg;		/* malloc'd, or NULL for HELP */
	char		*feed_url;	/* MOVED: X-RSS-Feed, one line */
	char		*opml;		/* OPML: malloc'd, NUL-terminated */
	size_t		 opml_len;
	char		*msgid;		/* the request's Message-ID "<...>"
					   when it is one we can quote in
					   In-Reply-To, else NULL */
	char		*subject;	/* decoded, one line, or NULL */
};

/* Fill req from the message (never fails: junk is HELP).  Every string
 * in it is malloc'd; subscribe_req_clear frees them. */
void	subscribe_parse(const char *msg, size_t len, struct subscribe_req *);
void	subscribe_req_clear(struct subscribe_req *);	/* frees arg */

/*
 * A feed name from a title (or, when it has no usable character, from the
 * URL's host): lower case ASCII letters and digits, other runs become one
 * '-', at most 40 bytes; made unique by "-2", "-3"... while taken(ctx,
 * name) says 1.  Malloc'd; always a name config_valid_name accepts.
 */
typedef int subscribe_taken_fn(void *ctx, const char *name);
char	*subscribe_name(const char *title, const char *url,
	    subscribe_taken_fn *taken, void *ctx);

#endif
