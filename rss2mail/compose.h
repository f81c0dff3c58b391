/*
 * compose.h - the pass's messages, between message.c and the outbox: a
 * feed's message options (with the store's SIZE), a changed entry's
 * revision, a digest, and the queueing of a composed message under the
 * identity message.c gave it.  Private to the pass (run.c); the types are
 * pass.h's.  Main thread only, like everything that touches the journal.
 */
#ifndef RSS2MAIL_COMPOSE_H
#define RSS2MAIL_COMPOSE_H

#include <stddef.h>

struct entry;
struct feed;
struct feed_run;
struct msg;
struct msg_opts;
struct outitem;
struct run;

/* mo for fr's entries: the feed's settings, the server's SIZE. */
void	 compose_opts(const struct run *, const struct feed_run *,
	    struct msg_opts *mo);
/* m into fr's outbox under its own journal key and Message-ID; the outbox
 * takes m's bytes over.  Returns the queued item. */
struct outitem *compose_queue(struct run *, struct feed_run *, struct msg *m,
	    const char *title);
/* updates = new | replace: a delivered entry whose content changed is
 * delivered again under its revision's identity. */
void	 compose_revision(struct run *, struct feed_run *, const struct feed *,
	    const struct entry *, struct msg_opts *);
/* digest = yes: n new entries of one feed in one message, one journal row
 * each under the digest's Message-ID. */
void	 compose_digest(struct run *, struct feed_run *, const struct feed *,
	    const struct entry **fresh, size_t n, const struct msg_opts *);

#endif
