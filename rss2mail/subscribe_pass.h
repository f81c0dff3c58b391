/*
 * subscribe_pass.h - the Subscribe folder: requests sent from the phone,
 * read and acted on at the start of a pass (`run` and the daemon, under
 * the run lock, before run_pass: the pass then runs on the edited config,
 * so a feed subscribed is fetched in that same pass and one unsubscribed
 * or paused is not).
 *
 * What a request can be is subscribe.h's; reading the folder is
 * reader.h's (plan_reader).  Each request (a message above the last one
 * handled, not \Answered, not one of our replies) is handled once:
 *
 *   decide   fetch it (at most SUBSCRIBE_MSG_MAX bytes, BODY.PEEK), parse
 *            it, and for a URL discover its feed (probe.h: a site's page
 *            leads to its feed; fetch.h's private-address refusal unless
 *            allow-private), name it from its title (made unique)
 *   ACTING   journaled with what it will do (op, name, URL), committed
 *   act      the config edited in place (edit.h: add, remove, paused) or
 *            the OPML imported (import.h); remove and resume also forget
 *            or clear the feed's state as `remove`/`resume` do
 *   ACTED    the reply composed (notice.h: From the bridge, To the user,
 *            In-Reply-To the request, READER_REPLY_HEADER, a Message-ID
 *            of the folder's UIDVALIDITY and the request's UID) and
 *            journaled with its bytes
 *   reply    appended to the folder without flags (unseen: it is to be
 *            noticed), unless a crash left it there already (searched by
 *            its Message-ID); REPLIED journaled
 *   flag     the request flagged \Seen \Answered; DONE journaled
 *
 * The one window: a crash after the config edit and before ACTED.  The
 * next pass finds the request at ACTING and acts again, and every action
 * is idempotent: a feed with that name and URL is already there, a
 * removed feed is gone, paused is paused, an import skips feeds already
 * configured (its reply then lists them as skipped).  Nothing is acted on
 * twice, and at most one reply is appended.  A request is kept in the
 * folder, flagged, rather than moved to a Done folder: the reply threads
 * under it, and a flag change is one command that cannot half-happen.
 *
 * A new UIDVALIDITY starts from scratch: only messages not \Answered are
 * requests.  A malformed or hostile request (huge, binary, bad MIME, a
 * private address, a discovery that fails) gets one log line and a reply
 * saying why, and the next request goes on.  The mailbox login is the
 * authorization: no sender address is checked.
 */
#ifndef RSS2MAIL_SUBSCRIBE_PASS_H
#define RSS2MAIL_SUBSCRIBE_PASS_H

#include <stddef.h>

struct config;
struct state;

#define SUBSCRIBE_PER_PASS	50	/* requests handled in one pass */

/*
 * Handle the new requests in cfg->subscribe_folder (nothing when it is not
 * set).  *changed is set when the config file was edited (the caller
 * reloads it).  0, or -1 with err when the folder could not be read or
 * the state failed (the pass goes on without it).  fetch_global_init
 * must have been called; public_addrs is the test hook of run_opts.
 */
int	subscribe_pass(const struct config *cfg, struct state *st,
	    const char *public_addrs, int *changed, char *err,
	    size_t errlen);

/*
 * subscribe_pass with its errors logged, then *cfg loaded again from its
 * file when the requests changed it (the old one is freed; a config that
 * does not load is logged and the old one kept).  For `run` and the
 * daemon, under the run lock.
 */
void	subscribe_requests(struct config **cfg, struct state *st,
	    const char *public_addrs);

#endif
