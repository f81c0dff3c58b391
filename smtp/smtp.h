/*
 * smtp.h - delivery by SMTP (submission or relay) and LMTP, on libetpan's
 * mailsmtp/mailesmtp client, and by a local sendmail program.
 *
 * One session per pass: smtp_open connects, verifies TLS, says EHLO (LHLO)
 * and authenticates; smtp_send then hands over one message at a time on
 * that connection (MAIL FROM, RCPT TO each recipient, DATA), pipelined
 * (RFC 2920) when the server offers PIPELINING.
 *
 * Envelope.  MAIL FROM is cfg->from, a bare address (the `from` address,
 * or an `envelope-from` in the same domain: smtp_check_envelope says so),
 * so SPF is evaluated against the user's own domain and DMARC aligns with
 * the From header.  RCPT TO is every address of cfg->rcpt, each asked
 * (pipelined with MAIL FROM and DATA when PIPELINING is offered).
 *
 * Several recipients.  A message is sent when the server took it (250
 * after the final dot) for at least one recipient; with LMTP, when at
 * least one recipient's reply after the data is 2xx.  Recipients that
 * refused it, 5xx or 4xx, at RCPT or (LMTP) after the data, do not get it
 * and it is not sent again for them: a retry would send it again to those
 * that took it, and the journal records a message, not a recipient.
 * smtp_note says who refused and why, each address once per session (so
 * a bad address is one line per run, not one per message).  A message no
 * recipient took is refused: SMTP_TEMP when any recipient deferred it
 * (4xx: a later run may find it willing), else SMTP_TOOBIG for a 552,
 * else SMTP_PERM, with that recipient's reply, named.  A refused MAIL
 * FROM refuses the message for everyone.
 *
 * What "exactly once" means here.  SMTP and LMTP cannot be searched, so a
 * caller cannot ask whether a message arrived (the deliver_ops adapter's
 * has_msgid always answers "not found").  What holds: the caller journals
 * the entry pending before smtp_send; smtp_send returns SMTP_OK only on
 * the server's 2xx after the final dot, and does nothing else between
 * writing that dot and reading that reply.  A crash, kill or dropped
 * connection inside that window is the one way to get a duplicate: the
 * entry is still pending and is sent again on the next run, although the
 * server may have taken it.  Anywhere else, an interrupted transaction is
 * discarded by the server and re-sent once (the kill tests place a kill
 * inside and outside the window with RSS2MAIL_TEST_CRASH=smtp-after-dot:N
 * and smtp-before-data:N, see smtp.c).
 *
 * Failure reach (enum smtp_status), always with one line in err:
 *   SMTP_OK      sent (2xx after the final dot; LMTP: for every recipient)
 *   SMTP_TEMP    a 4xx reply: this message only, try again on a later run
 *   SMTP_PERM    a 5xx reply: this message was refused for good; err holds
 *                the server's reply text ("550 5.7.23 ...: SPF fail ...")
 *   SMTP_TOOBIG  larger than the server's SIZE (nothing sent), or refused
 *                with 552 as too large: compose it smaller and try again
 *   SMTP_STORE   the session is unusable: no connection, TLS refused, no
 *                STARTTLS offered, authentication failed, connection lost,
 *                timeout, a reply that is not SMTP.  Stop sending in this
 *                pass.  If it happened after the final dot, the message's
 *                fate is unknown (the window above).
 * Error text never contains the password.  Every network wait is bounded
 * by cfg->timeout.  Writes to a dropped connection raise SIGPIPE: the
 * program must ignore it (main.c does).
 *
 * TLS is the same as IMAP's (imap_tls.h): the peer chain is checked
 * against the system trust store or ca_file, its expiry and the host
 * name, or against a fingerprint pin, before EHLO is repeated and before
 * any credential is sent; SNI is set for host names.  tls = STARTTLS never
 * falls back to plain text; NONE only when written.
 */
#ifndef RSS2MAIL_SMTP_H
#define RSS2MAIL_SMTP_H

#include <stddef.h>

#include "deliver.h"

enum smtp_status {
	SMTP_OK = 0,
	SMTP_TEMP = -1,
	SMTP_PERM = -2,
	SMTP_TOOBIG = -3,
	SMTP_STORE = -4,
};

enum smtp_tls {
	SMTP_TLS_DEFAULT,	/* smtps:// implicit, smtp:// STARTTLS,
				   lmtp (TCP or unix socket) none */
	SMTP_TLS_STARTTLS,
	SMTP_TLS_IMPLICIT,
	SMTP_TLS_NONE,
};

#define SMTP_MAX_RCPT		32	/* recipients per message (>= the
					   config's LIM_RCPT) */
#define SMTP_MAX_ADDR		254	/* RFC 5321 path limit, less <> */

/*
 * The backend's own configuration, plain values owned by the caller and
 * read only during smtp_open / smtp_probe (the session keeps copies).
 *
 * url:  smtp://host[:port]    port 587 with a user (submission), else 25
 *       smtps://host[:port]   implicit TLS, port 465
 *       lmtp://host[:port]    LMTP over TCP, port 24
 *       /path or lmtp:/path   LMTP over a unix socket
 *       host may be a name, an IPv4 address or [IPv6].
 * auth: "plain", "login", "xoauth2" (password = the access token) or NULL
 *       (PLAIN when offered, else LOGIN).  Without user: no AUTH at all.
 * EHLO names the local address literal ("[127.0.0.1]"), which SPF's
 * HELO check leaves alone; LHLO says "localhost".
 */
struct smtp_cfg {
	const char		*url;
	enum smtp_tls		 tls;
	const char		*ca_file;	/* PEM trust anchors, or NULL */
	const char		*fingerprint;	/* "sha256:HEX" pin, or NULL */
	const char		*user;
	const char		*password;
	const char		*auth;
	const char		*from;		/* envelope sender, bare */
	const char *const	*rcpt;		/* recipients, bare */
	size_t			 nrcpt;		/* 1..SMTP_MAX_RCPT */
	long			 timeout;	/* seconds, any one wait */
};

struct smtp;

/*
 * Connect, TLS, EHLO/LHLO, AUTH.  On SMTP_OK *out is the session (free
 * with smtp_close); otherwise *out is NULL and the status is SMTP_STORE
 * (or SMTP_PERM for a configuration error: bad URL, bad address).
 */
enum smtp_status smtp_open(struct smtp **out, const struct smtp_cfg *cfg,
	    char *err, size_t errlen);

/*
 * Send one message: data[0..len) is RFC 5322 text with CRLF line ends
 * (bare LF is sent as CRLF; lines starting with '.' are dot-stuffed by
 * libetpan).  After SMTP_STORE the session is dead: further sends return
 * SMTP_STORE at once.  After the others the session goes on.
 */
enum smtp_status smtp_send(struct smtp *s, const char *data, size_t len,
	    char *err, size_t errlen);
/*
 * After an smtp_send that returned SMTP_OK: "" when every recipient took
 * the message, else one line naming the recipients that refused it
 * ("<bob@x> refused it: 550 5.1.1 ...; ...") not named before in this
 * session.  Owned by the session, valid until the next smtp_send.
 */
const char *smtp_note(const struct smtp *s);

/* The server's SIZE limit in bytes, 0 when it announced none. */
size_t	smtp_max_size(const struct smtp *s);
/* 1 when the server offered PIPELINING (and it is used). */
int	smtp_pipelining(const struct smtp *s);

/* QUIT and free; accepts NULL. */
void	smtp_close(struct smtp *s);

/*
 * For `check`: connect, verify TLS, authenticate, then MAIL FROM and RCPT
 * TO every recipient and RSET: no mail is sent.  Returns SMTP_OK when the
 * server would take mail from cfg->from for every recipient; else the
 * status of the first refusal with its text.
 */
enum smtp_status smtp_probe(const struct smtp_cfg *cfg, char *err,
	    size_t errlen);

/*
 * 0 when envelope_from is in the same domain as from (case-insensitive);
 * -1 with a line in err otherwise ("envelope-from a@x is not in the
 * domain of from (y)").  Both are bare addresses.
 */
int	smtp_check_envelope(const char *from, const char *envelope_from,
	    char *err, size_t errlen);

/*
 * struct deliver_ops over a session, for run.c's delivery loop:
 *   ensure_folder  accepts any folder (SMTP has none): DELIVER_OK
 *   has_msgid      *found = 0 always, DELIVER_OK (cannot be searched: see
 *                  "exactly once" above)
 *   append         smtp_send for each message in order; SMTP_TEMP, PERM
 *                  and TOOBIG are DELIVER_MSG (the caller asks
 *                  smtp_deliver_last for which), SMTP_STORE is
 *                  DELIVER_STORE; *done counts the messages sent; a
 *                  sent message's note is smtp_note.
 *   remove_msgid, expire  NULL (not supported)
 * A refused message's deliver_msg.refused says temporary / permanent /
 * too big (size_limit: the server's SIZE).  probe is smtp_probe.
 * deliver_smtp.open maps struct deliver_cfg (url, envelope_from, rcpt)
 * into a struct smtp_cfg with smtp_cfg_from_deliver; deliver_lmtp is the
 * same ops under its own name (the URL says LMTP).  Callers that have a
 * struct smtp_cfg open with smtp_deliver_open and use the same ops.
 * Layering: smtp/ includes rss2mail/deliver.h, so rss2mail/ cannot include
 * this header (scripts/check-layers refuses the cycle); what run and check
 * need from here (temporary / permanent / too big, the probe) has to reach
 * them through deliver.h, as deliver_imap does.
 */
enum deliver_status smtp_deliver_open(void **ctx, const struct smtp_cfg *cfg,
	    char *err, size_t errlen);
/* The smtp_status of the last append that returned DELIVER_MSG. */
enum smtp_status smtp_deliver_last(void *ctx);

/*
 * The settings shared with IMAP (tls, ca_file, fingerprint, user,
 * password, auth, timeout) from a deliver_cfg, plus what only SMTP has.
 * Nothing is copied: sc points into dc and the arguments.
 */
void	smtp_cfg_from_deliver(struct smtp_cfg *sc,
	    const struct deliver_cfg *dc, const char *url, const char *from,
	    const char *const *rcpt, size_t nrcpt);

/*
 * sendmail.c: run `PROGRAM -i -f FROM -- TO...` (execv, no shell) with the
 * message on its stdin, CRLF turned into LF.  Exit status 0: SMTP_OK.
 * EX_TEMPFAIL (75) and other sysexits temporary failures: SMTP_TEMP; any
 * other non-zero status or a signal: SMTP_PERM; the program cannot be run
 * at all: SMTP_STORE.  err gets the status and the first line of the
 * program's stderr (bounded).  Waits at most timeout seconds (then kills
 * it: SMTP_TEMP).  Messages for several recipients go in one run.
 */
enum smtp_status sendmail_send(const char *program, const char *from,
	    const char *const *rcpt, size_t nrcpt, const char *data,
	    size_t len, long timeout, char *err, size_t errlen);

/*
 * struct deliver_ops over sendmail_send, with the same answers as
 * deliver_smtp (no folders, has_msgid never finds, append in order,
 * SMTP_TEMP/PERM -> DELIVER_MSG, SMTP_STORE -> DELIVER_STORE).  Open it
 * with sendmail_deliver_open (program NULL = /usr/sbin/sendmail; the
 * strings are copied), or through deliver_sendmail.open from deliver_cfg's
 * sendmail, envelope_from and rcpt.  Its probe checks that the program
 * can be run and that there is an envelope (nothing is sent).
 * sendmail_deliver_last: the smtp_status of the last refused append.
 */
enum deliver_status sendmail_deliver_open(void **ctx, const char *program,
	    const char *from, const char *const *rcpt, size_t nrcpt,
	    long timeout, char *err, size_t errlen);
enum smtp_status sendmail_deliver_last(void *ctx);

#endif
