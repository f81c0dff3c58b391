/*
 * reader.h - reading one folder of the mailbox: the Subscribe folder
 * (subscribe_pass.c).  A second, small interface beside deliver.h: a
 * delivery backend only ever writes, and most stores (smtp, lmtp,
 * sendmail, maildir) have nothing to read back, so the reading half is
 * not a set of optional deliver_ops members but its own table, which
 * plan.c hands out for stores that have one (imap/imap_read.c:
 * reader_imap).  rss2mail/ never includes an imap/ header.
 *
 * A reader is one logged-in session with one folder open read-write.
 * Failure reach as in deliver.h: DELIVER_MSG (this message: gone, or
 * refused), DELIVER_FOLDER (the folder cannot be used), DELIVER_STORE
 * (the connection or login failed: stop reading for this pass), with one
 * line in err.
 *
 * Ownership: what fetch and search return is malloc'd and the caller's;
 * close frees the session (accepts NULL).
 */
#ifndef RSS2MAIL_READER_H
#define RSS2MAIL_READER_H

#include <stddef.h>
#include <stdint.h>

#include "deliver.h"

/* The header rss2mail's own replies carry: a request never has it, so a
 * reply is never taken for one. */
#define READER_REPLY_HEADER	"X-RSS2Mail-Reply"

struct reader_ops {
	const char *name;
	/*
	 * Connect and log in as cfg says, create folder when missing (and
	 * subscribe to it, so a phone shows it), open it read-write;
	 * *uidvalidity is its UIDVALIDITY.
	 */
	enum deliver_status (*open)(void **ctx, const struct deliver_cfg *,
	    const char *folder, uint32_t *uidvalidity, char *err,
	    size_t errlen);
	/*
	 * The UIDs above after, not \Answered, not \Deleted and without
	 * READER_REPLY_HEADER, ascending (*uids NULL when none).
	 */
	enum deliver_status (*search)(void *ctx, uint32_t after,
	    uint32_t **uids, size_t *n, char *err, size_t errlen);
	/*
	 * At most max bytes of the message from its start (without setting
	 * \Seen) into *data (NUL-terminated, *len bytes); *size is its
	 * whole size.  DELIVER_MSG when the message is gone.
	 */
	enum deliver_status (*fetch)(void *ctx, uint32_t uid, size_t max,
	    char **data, size_t *len, size_t *size, char *err,
	    size_t errlen);
	/* Flag the message \Seen \Answered: it was handled. */
	enum deliver_status (*answered)(void *ctx, uint32_t uid, char *err,
	    size_t errlen);
	/* *found = 1 when a message with this Message-ID is in the folder. */
	enum deliver_status (*has_msgid)(void *ctx, const char *msgid,
	    int *found, char *err, size_t errlen);
	/* Append msg (CRLF) to the folder with no flags: a reply, left
	 * unseen so that it is noticed. */
	enum deliver_status (*append)(void *ctx, const char *msg, size_t len,
	    char *err, size_t errlen);
	void (*close)(void *ctx);
};

extern const struct reader_ops reader_imap;

#endif
