/*
 * plan.h - what a pass (and `check`) does for each feed before anything is
 * fetched: its request (URL, validators, limits, auth), the parse options
 * of what came back, its folder, and the store it delivers to.
 *
 * run.c and check.c both build their requests here, so what `check` tries
 * is what a run will do.  No I/O except the stores' open (the backend's)
 * and http-password-command / password-command (secret.c).
 */
#ifndef RSS2MAIL_PLAN_H
#define RSS2MAIL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "deliver.h"
#include "fetch.h"
#include "limits.h"

struct config;
struct config_feed;
struct config_settings;
struct feed_parse_opts;
struct state_feed;

#define PLAN_MAX_STORES	8	/* distinct stores in one pass */
#define PLAN_MAX_SESSIONS 16	/* sessions of one store (imap-connections) */

/*
 * A feed's request as a pass makes it: the URL (a stored permanent
 * redirect, else the configured one; a relative path from the config
 * file's directory), validators when sf is given, limits, auth, privacy.
 * *url and *password are the caller's (free, secret_free).  -1 with err
 * when http-password-command fails.
 */
int	plan_request(const struct config *, const struct config_feed *,
	    const struct state_feed *sf, struct fetch_req *, char **url,
	    char **password, char *err, size_t errlen);
/*
 * A feed's extra request headers: http-header lines as written, then each
 * http-header-command's "Name: " with the first line of the command's
 * output (secret.c: bounded in time and size).  *out is a NULL-terminated
 * array (plan_headers_free), NULL when there are none.  -1 with err when
 * a command fails.
 */
int	plan_headers(const struct config_feed *, char ***out, size_t *n,
	    char *err, size_t errlen);
void	plan_headers_free(char **);
/* The fetcher's options from the global settings (zeroed first). */
void	plan_fetch_opts(const struct config *, struct fetch_opts *);

/*
 * The parse options for a fetched feed: its base URL (a remote feed's
 * final URL), Content-Location, and the charset of its Content-Type
 * (copied into cs).  po's strings point into req and cs.
 */
void	plan_parse_opts(const struct fetch_req *, struct feed_parse_opts *po,
	    char *cs, size_t cslen);

/*
 * A batch of feed requests fetched together: plan_fetch_add makes a feed's
 * request (plan_request; user is handed back in req->user), plan_fetch_run
 * runs them all in one fetch_run, plan_fetch_free frees the requests, URLs
 * and passwords.  Holds at most max requests.
 */
struct plan_fetch {
	struct fetch_req *reqs;
	char		**urls, **pws;
	char		***hdrs;	/* each request's headers (plan_headers) */
	size_t		 n, max;
};

void	plan_fetch_init(struct plan_fetch *, size_t max);
int	plan_fetch_add(struct plan_fetch *, const struct config *,
	    const struct config_feed *, const struct state_feed *sf,
	    void *user, char *err, size_t errlen);
int	plan_fetch_run(struct plan_fetch *, const struct config *,
	    const char *public_addrs, fetch_done_fn *, void *ctx, char *err,
	    size_t errlen);
void	plan_fetch_free(struct plan_fetch *);

/* A feed's folder from its template ({name}, {category}); malloc'd; ""
 * means the store's own mailbox. */
char	*plan_folder(const struct config_feed *);

/* The backend for a feed's settings, and its deliver_cfg (the password is
 * left NULL: the caller resolves it). */
const struct deliver_ops *plan_backend(const struct config_settings *,
	    struct deliver_cfg *);

/*
 * The store registry: one open backend per distinct (deliver, maildir or
 * imap-url, user) in a pass, opened on first use.  A store that failed to
 * open, or failed with DELIVER_STORE, is broken for the rest of the pass
 * and err says why.  Only the thread that owns the pass calls these (the
 * delivery thread uses a store's ops, never the registry), except
 * plan_store_open_session.
 *
 * Sessions.  A store may hold up to `sessions` handles on the same
 * mailbox (imap-connections; 1 for every other backend): session 0 is ctx,
 * opened by plan_store; the others are opened on first use by
 * plan_store_open_session, from the delivery thread that will use them.
 * Each handle is used by one thread at a time (deliver.c).
 */
struct store {
	char		*key;		/* deliver|path-or-url|user */
	const struct deliver_ops *ops;
	void		*ctx;		/* session 0 */
	void		*more[PLAN_MAX_SESSIONS - 1]; /* sessions 1.., or NULL */
	size_t		 sessions;	/* at most this many (>= 1) */
	struct deliver_cfg dc;		/* to open more: points into the
					   config, and at password */
	char		*password;	/* resolved secret, or NULL; owned */
	int		 broken;	/* DELIVER_STORE seen: skip for the pass */
	size_t		 size_limit;	/* ops->size_limit after open; 0 none */
	size_t		 size_learned;	/* learned from its refusals (compose.c),
					   0 none; read once (learned_read) */
	int		 learned_read;
	char		 err[ERRLEN];
	char		**folders;	/* ensured this pass */
	size_t		 nfolders;
};

struct plan_stores {
	struct store	 v[PLAN_MAX_STORES];
	size_t		 n;
	const struct deliver_ops *force;	/* tests: this backend */
};

/* The store of a feed, opened on first use; NULL when there would be more
 * than PLAN_MAX_STORES. */
struct store *plan_store(struct plan_stores *, const struct config *,
	    const struct config_feed *);
/* Mark broken with err and close session 0. */
void	plan_store_break(struct store *, const char *err);
/* Session i's handle (0: &ctx), NULL when i >= sessions. */
void	**plan_store_session(struct store *, size_t i);
/*
 * Open a session into slot (plan_store_session's) unless it is open.
 * Safe on a delivery thread while other threads use other sessions: it
 * reads the store's ops and dc and writes only *slot.  DELIVER_STORE with
 * err.
 */
enum deliver_status plan_store_open_slot(struct store *, void **slot,
	    char *err, size_t errlen);
/* Mark broken with err and close session i, which no thread is using. */
void	plan_store_break_session(struct store *, size_t i, const char *err);
/* The folder exists (once per pass per folder); DELIVER_STORE breaks the
 * store. */
enum deliver_status plan_store_ensure(struct store *, const char *folder,
	    char *err, size_t errlen);
/* Close every store (every session) and free the registry's memory. */
void	plan_stores_close(struct plan_stores *);

/*
 * The Subscribe folder's reader (reader.h) on the global settings' store,
 * opened on folder with the store's password (resolved here): *ops and
 * *ctx (ops->close it).  DELIVER_FOLDER with err when the store cannot be
 * read (only deliver = imap can), else what open returned.
 */
struct reader_ops;
enum deliver_status plan_reader(const struct config *, const char *folder,
	    const struct reader_ops **ops, void **ctx, uint32_t *uidvalidity,
	    char *err, size_t errlen);

#endif
