/*
 * subscribe.h - what a message in the Subscribe folder asks for, and the
 * name a new feed gets: the pure half of the Subscribe folder (issue 18).
 *
 * Not wired into a pass yet: reading the folder (an IMAP read operation),
 * discovering the feed, editing the config and replying are still to be
 * built on top of these.  No I/O, no logging, no globals.
 *
 * A request is a whole RFC 5322 message as the server returns it.  Its
 * subject decides first: "unsubscribe NAME", "pause NAME", "resume NAME"
 * (any case, a "Re:" or "Fwd:" in front ignored); else the first http(s)
 * URL in the subject or the body (quoted-printable soft breaks and =XX
 * undone, a URL ends at a blank, a quote, '<', '>' or the end of a line,
 * and loses a trailing '.', ',', ')' or ';'); else the request is asking
 * for help.  Bounds: at most SUBSCRIBE_SCAN bytes of the message are read,
 * a URL is at most SUBSCRIBE_URL_MAX bytes (a longer one is not a URL).
 */
#ifndef RSS2MAIL_SUBSCRIBE_H
#define RSS2MAIL_SUBSCRIBE_H

#include <stddef.h>

#define SUBSCRIBE_SCAN		(256 * 1024)
#define SUBSCRIBE_URL_MAX	2048

enum subscribe_op {
	SUBSCRIBE_HELP = 0,	/* anything else: reply with the commands */
	SUBSCRIBE_URL,		/* arg: the URL (a site or a feed) */
	SUBSCRIBE_UNSUBSCRIBE,	/* arg: the feed name as written */
	SUBSCRIBE_PAUSE,
	SUBSCRIBE_RESUME,
};

struct subscribe_req {
	enum subscribe_op op;
	char		*arg;		/* malloc'd, or NULL for HELP */
};

/* Fill req from the message (never fails: junk is HELP). */
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
