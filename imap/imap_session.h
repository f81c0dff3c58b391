/*
 * imap_session.h - one logged-in IMAP connection on libetpan, and the
 * wire helpers the delivery operations (imap.c) send commands with.
 * Private to imap/.
 *
 * A session is connected on demand: imap_session_open connects (plain,
 * implicit TLS or STARTTLS), verifies the server certificate
 * (imap_tls.c) before any capability is trusted or any credential sent,
 * logs in (LOGIN, AUTHENTICATE PLAIN with SASL-IR when offered, XOAUTH2),
 * reads the capabilities again, turns COMPRESS=DEFLATE on (imap_stream.c)
 * when a server that is not on this machine offers it, and learns the
 * hierarchy delimiter and personal namespace.  A dropped or broken session
 * is marked dead; the next imap_session_open reconnects
 * (IMAP_CONNECT_TRIES attempts, 1 s and 2 s apart).  A refused login, a
 * refused certificate and a flooding or trickling server are not retried.
 *
 * Ownership: struct imap_conf and everything in it belong to its owner
 * (imap.c), which keeps it alive as long as any session pointing at it;
 * imap_conf_free wipes the password.  A session owns its libetpan handle,
 * stream layers, prefix and selected-folder name; imap_session_free
 * releases them (accepts NULL).  Strings from libetpan are copied here or
 * in imap.c, never handed further out.
 *
 * Failure reach: connection problems are DELIVER_STORE-class and set
 * dead; server refusals leave the session usable.  Error text is one
 * line, "imap HOST: what: why" (imap_err), never holding the password.
 *
 * Threading: none inside.  A session is used by one thread at a time:
 * run.c's delivery thread calls append while the main thread waits for
 * it to land before it makes the next call.
 *
 * Every network wait is bounded by conf->timeout (connect, TLS handshake,
 * each read and write), what the server sends by the receive cap; each
 * public operation of imap.c starts with imap_session_begin, which gives
 * the cap a new budget.  Writes to a dropped connection raise SIGPIPE:
 * the program must ignore it (main.c does).
 */
#ifndef RSS2MAIL_IMAP_SESSION_H
#define RSS2MAIL_IMAP_SESSION_H

#include <stddef.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "deliver.h"
#include "imap_url.h"

/* What every session of one backend connects and logs in with. */
struct imap_conf {
	struct imap_url	 url;
	enum deliver_tls tls;		/* IMPLICIT, STARTTLS or NONE */
	char		*user;		/* NULL: the URL's user */
	char		*password;
	char		*auth;		/* "login", "plain", "xoauth2"; NULL:
					   login */
	char		*ca_file;	/* NULL: the system trust store */
	char		*fingerprint;	/* "sha256:..." pin or NULL */
	long		 timeout;	/* seconds for any one network wait */
};

/*
 * Fill conf from cfg: the URL parsed, tls DEFAULT resolved (implicit for
 * imaps://, STARTTLS for imap://), auth from cfg else the URL's ;AUTH=
 * ("*" = none given), user from cfg else the URL's, timeout defaulted.
 * 0, or -1 with err (bad URL; conf then holds nothing to free).
 */
int	imap_conf_init(struct imap_conf *conf, const struct deliver_cfg *cfg,
	    char *err, size_t errlen);
void	imap_conf_free(struct imap_conf *);

/* Capabilities the delivery operations use (struct imap_session.caps). */
enum {
	IMAP_CAP_LITERALPLUS	= 1 << 0,
	IMAP_CAP_MULTIAPPEND	= 1 << 1,
	IMAP_CAP_UIDPLUS	= 1 << 2,
	IMAP_CAP_NAMESPACE	= 1 << 3,
	IMAP_CAP_SASL_IR	= 1 << 4,
};

struct imap_session {
	const struct imap_conf *conf;
	mailimap	*s;		/* libetpan's session; NULL: none */
	int		 dead;		/* s unusable: reconnect before use */
	int		 authfail;	/* login refused: do not retry */
	unsigned	 caps;		/* IMAP_CAP_* after login */
	int		 loopback;	/* the server is on this machine */
	time_t		 last_op;	/* when the last operation began */
	int		 compressed;	/* COMPRESS=DEFLATE is on */
	struct imap_rxcap *cap;	/* the receive cap (owned by the stream) */
	char		 delim;		/* hierarchy delimiter, 0 = flat */
	char		*prefix;	/* personal namespace prefix, "" */
	char		*selected;	/* server name of the open folder */
	int		 selected_rw;	/* ... with SELECT, not EXAMINE */
	int		 literal_minus;	/* LITERAL- (RFC 7888): {N+} only for
					   N <= IMAP_LITERAL_MINUS_MAX */
	size_t		 appendlimit;	/* APPENDLIMIT=N (RFC 7889); 0: none */
};

/* The largest non-synchronizing literal LITERAL- allows (RFC 7888). */
#define IMAP_LITERAL_MINUS_MAX	4096

/* A session that is not connected yet (dead); conf must outlive it. */
struct imap_session *imap_session_new(const struct imap_conf *conf);
void	imap_session_free(struct imap_session *);

/* A live, logged-in session: 0, or -1 with err (reconnects when dead,
 * with bounded retries; never after a refused login). */
int	imap_session_open(struct imap_session *, char *err, size_t errlen);

/* Whether the server announced a capability ("COMPRESS=DEFLATE"). */
int	imap_session_has(const struct imap_session *, const char *name);

/* LOGOUT (when alive) and close; the session is dead afterwards. */
void	imap_session_drop(struct imap_session *);

/* A new operation: a new receive budget; remembers when it began. */
void	imap_session_begin(struct imap_session *);

/*
 * A session idle for a while (a daemon between passes) may have been
 * closed by the server: after IMAP_IDLE_CHECK seconds a NOOP finds out
 * (harmless to repeat, unlike an APPEND whose fate would be unknown) and
 * marks it dead when it fails, so imap_session_open reconnects.
 */
void	imap_session_check_idle(struct imap_session *);

/* ---- the wire ---------------------------------------------------------- */

/* One line of error text: "imap HOST: " + fmt, cleaned to valid UTF-8. */
void	imap_err(const struct imap_session *, char *err, size_t errlen,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The server's text of the last response ("no reason given" if none). */
const char *imap_server_text(const struct imap_session *);

/* The response code atom of the last tagged response ("OVERQUOTA"), ""
 * when none. */
const char *imap_resp_atom(const struct imap_session *);

/* 1 when libetpan result r means the connection is gone or out of step
 * (a tagged BAD to our command is not: the server refused it). */
int	imap_conn_lost(const struct imap_session *, int r);

/* Why the connection failed, for the error line. */
const char *imap_conn_error_text(const struct imap_session *, int r);

/* A failed libetpan command: DELIVER_STORE (and dead) when the connection
 * is gone, else DELIVER_FOLDER with the server's words. */
enum deliver_status imap_cmd_failed(struct imap_session *, int r,
	    const char *what, char *err, size_t errlen);

/* Raw bytes on the session stream (never logged): 0 or -1. */
int	imap_write(struct imap_session *, const void *p, size_t n);

/*
 * Read responses up to the tagged one: its state
 * (MAILIMAP_RESP_COND_STATE_OK / NO / BAD), IMAP_RESP_CONTINUE for a
 * continuation request ("+ ..."), or -1 when the connection failed.
 * resp, when not NULL, receives the parsed tagged response (caller
 * frees; a BAD comes without one).
 */
#define IMAP_RESP_CONTINUE	100
int	imap_read_tagged(struct imap_session *, struct mailimap_response **);

/* "TAG cmd": cmd is ASCII without literals.  The tagged state, or -1 when
 * the connection failed (or the server asked for a continuation). */
int	imap_command(struct imap_session *, const char *cmd);

/* ---- pure parts (unit tested) ----------------------------------------- */

/* The N of APPENDLIMIT=N in a capability list; 0 when none (or no N). */
size_t	imap_caps_appendlimit(const struct mailimap_capability_data *);

/* 1 for libetpan codes that mean a lost or unusable connection. */
int	imap_code_conn_lost(int r);

/*
 * Whether a capability list holds name ("IDLE", "AUTH=PLAIN"; any case),
 * and the IMAP_CAP_* bits it holds.  A NULL list, or one libetpan kept
 * only in part, holds nothing.
 */
int	imap_caps_has(const struct mailimap_capability_data *,
	    const char *name);
unsigned imap_caps_bits(const struct mailimap_capability_data *);

#endif
