/*
 * imap.c - the IMAP delivery backend (struct deliver_ops deliver_imap) on
 * libetpan.  The only file that includes libetpan.
 *
 * One connection for the whole run: connect (plain, implicit TLS or
 * STARTTLS), verify the server certificate ourselves (imap_tls.c) before
 * any capability is trusted or any credential sent, log in, then CREATE /
 * SUBSCRIBE, EXAMINE + UID SEARCH HEADER Message-ID and APPEND on that one
 * session.
 *
 * What a caller (run.c) can rely on, beyond deliver.h:
 *   open       parses imap-url, connects and logs in before returning.
 *              tls DEFAULT = implicit for imaps://, STARTTLS for imap://;
 *              STARTTLS is never skipped (no fallback to plaintext).  auth
 *              from cfg->auth, else the URL's ;AUTH=, else LOGIN; user from
 *              cfg->user, else the URL's.  Any failure: DELIVER_STORE.
 *   folders    "" or NULL = the URL's mailbox, else INBOX.  '/' separates
 *              levels as the user writes them; the server's delimiter and
 *              personal namespace prefix are applied, non-ASCII goes out in
 *              modified UTF-7.  Empty, "." and ".." parts, invalid UTF-8 or
 *              a part holding the server's delimiter: DELIVER_FOLDER.
 *   ensure_folder  LIST, then CREATE + SUBSCRIBE when missing; remembered
 *              for the session, so calling it before every append is cheap.
 *   has_msgid  a missing folder holds nothing (*found = 0, DELIVER_OK).
 *   append     does not create folders (call ensure_folder first: a missing
 *              folder is DELIVER_FOLDER).  Batches of LIM_APPEND_BATCH /
 *              LIM_APPEND_BATCH_BYTES per MULTIAPPEND + LITERAL+ command
 *              where offered, else one APPEND each.  *done is exact: a
 *              batch refused as a whole is retried one by one, so the
 *              messages before a refused one are stored and counted.
 *              Refusals: too large / bad message / a tagged BAD ->
 *              DELIVER_MSG with the server's words (skip it, go on with
 *              msgs[*done + 1]); missing folder, no permission, over quota
 *              -> DELIVER_FOLDER; connection lost, timeout, a flooding or
 *              trickling server -> DELIVER_STORE (msgs[*done] may or may
 *              not be stored).
 *              msgs[i].uid is set from APPENDUID (UIDPLUS), else left 0.
 *              INTERNALDATE = msgs[i].date (now when 0); flags =
 *              cfg->flags (system flags \Seen \Flagged \Answered \Draft
 *              \Deleted and keywords), none by default.
 *   remove_msgid  SELECT, UID SEARCH HEADER Message-ID, the first match's
 *              FLAGS (less \Recent and \Deleted) into *flags, UID STORE
 *              +FLAGS.SILENT (\Deleted) on every match and, with UIDPLUS,
 *              UID EXPUNGE of exactly those; without UIDPLUS they stay
 *              marked (a plain EXPUNGE would take the user's deletions).
 *              No match or no folder: *flags = NULL, DELIVER_OK.
 *   expire     UID SEARCH SEEN UNFLAGGED UNDELETED BEFORE <day of before>
 *              (INTERNALDATE, whole days: the cut-off day is kept), then
 *              removed as above; *n = how many.
 *   msgs[i].flags  checked like cfg->flags; bad ones are DELIVER_MSG.
 *   after a drop  the next call reconnects (IMAP_CONNECT_TRIES attempts,
 *              1 s and 2 s apart); ensure_folder and has_msgid also retry
 *              once inside the call.  append never resends: whether the
 *              cut batch landed is for the journal to find out.  A refused
 *              login or certificate is never retried.
 *
 * COMPRESS=DEFLATE is used when offered by a server that is not on this
 * machine.  Every network wait is bounded by cfg->timeout (connect, TLS
 * handshake, each read and write), what the server sends by a receive cap.
 * Writes to a dropped connection raise SIGPIPE: the program must ignore it
 * (main.c does).  Error text is one line, "imap HOST: what: why", and never
 * contains the password.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "deliver.h"
#include "imap_name.h"
#include "imap_stream.h"
#include "imap_tls.h"
#include "imap_url.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define IMAP_DEFAULT_TIMEOUT	60
#define IMAP_CONNECT_TRIES	3	/* connection attempts per (re)connect */
#define IMAP_MAX_FOLDERS	4096	/* folders remembered as existing */
#ifndef IMAP_IDLE_CHECK
#define IMAP_IDLE_CHECK		60	/* s idle before append checks (NOOP) */
#endif

enum {
	CAP_LITERALPLUS	= 1 << 0,
	CAP_MULTIAPPEND	= 1 << 1,
	CAP_UIDPLUS	= 1 << 2,
	CAP_NAMESPACE	= 1 << 3,
	CAP_SASL_IR	= 1 << 4,
};

struct imap {
	mailimap	*s;
	int		 dead;		/* s unusable: reconnect before use */
	int		 authfail;	/* login refused: do not retry */
	struct imap_url	 url;
	enum deliver_tls tls;
	char		*user;
	char		*password;
	char		*auth;		/* "login", "plain", "xoauth2" */
	char		*ca_file;
	char		*fingerprint;
	char		*flags;
	char		*flagstr;	/* flags for our own APPEND, "" = none */
	long		 timeout;
	unsigned	 caps;
	int		 loopback;	/* the server is on this machine */
	time_t		 last_op;	/* when the last call began */
	int		 compressed;	/* COMPRESS=DEFLATE is on */
	struct imap_rxcap *cap;	/* the receive cap (owned by the stream) */
	char		 delim;		/* hierarchy delimiter, 0 = flat */
	char		*prefix;	/* personal namespace prefix ("" none) */
	char		*selected;	/* server name of the open folder */
	int		 selected_rw;	/* ... opened with SELECT, not EXAMINE */
	char		**known;	/* server names known to exist */
	size_t		 nknown;
};

/* ---- error text -------------------------------------------------------- */

/* One line of the server's last response text, cleaned for an error. */
static const char *
server_text(const struct imap *c)
{
	const char *t = c->s ? c->s->imap_response : NULL;

	return (t && *t) ? t : "no reason given";
}

static void
ierr(const struct imap *c, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
ierr(const struct imap *c, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[ERRLEN];
	struct buf line = BUF_INIT(ERRLEN);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* server text may carry control characters and any bytes: one line
	 * of valid UTF-8 (fuzz_imap_session checks it) */
	(void)utf8_clean(&line, msg, strlen(msg), 1);
	errf(err, errlen, "imap %s: %s", c->url.host, buf_str(&line));
	buf_free(&line);
}

/*
 * 1 when the last response was a tagged BAD to our current command.
 * libetpan reports a BAD as MAILIMAP_ERROR_PROTOCOL, like a tag that does
 * not match; a BAD leaves the session in step, a wrong tag does not.
 */
static int
last_was_bad(const struct imap *c)
{
	const MMAPString *b;
	char tag[32];
	size_t tl, i;

	if (c->s == NULL || (b = c->s->imap_stream_buffer) == NULL ||
	    b->str == NULL)
		return 0;
	tl = (size_t)snprintf(tag, sizeof(tag), "%d BAD", c->s->imap_tag);
	for (i = 0; i + tl <= b->len; i++) {
		if ((i == 0 || b->str[i - 1] == '\n') &&
		    strncasecmp(b->str + i, tag, tl) == 0)
			return 1;
	}
	return 0;
}

/* libetpan result codes that mean the connection is gone or unusable. */
static int
is_conn_error(const struct imap *c, int r)
{
	if (r == MAILIMAP_ERROR_PROTOCOL && last_was_bad(c))
		return 0;	/* the server refused the command: BAD */
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_BAD_STATE:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_SSL:
		return 1;
	default:
		return 0;
	}
}

static const char *
conn_error_text(const struct imap *c, int r)
{
	if (imap_rxcap_tripped(c->cap))
		return "server response too large";
	if (imap_rxcap_slow(c->cap))
		return "server too slow (trickling data)";
	switch (r) {
	case MAILIMAP_ERROR_PARSE:
		return "unreadable server response";
	case MAILIMAP_ERROR_FATAL:
		return "server closed the session (BYE)";
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	default:
		return "connection failed";
	}
}

/* A failed command: mark the session dead when the connection is gone. */
static enum deliver_status
cmd_failed(struct imap *c, int r, const char *what, char *err, size_t errlen)
{
	if (is_conn_error(c, r)) {
		c->dead = 1;
		ierr(c, err, errlen, "%s: %s", what, conn_error_text(c, r));
		return DELIVER_STORE;
	}
	ierr(c, err, errlen, "%s: %s", what, server_text(c));
	return DELIVER_FOLDER;
}

/* The response code atom of the last tagged response ("OVERQUOTA"). */
static const char *
resp_atom(const struct imap *c)
{
	if (c->s == NULL || c->s->imap_response_info == NULL ||
	    c->s->imap_response_info->rsp_atom == NULL)
		return "";
	return c->s->imap_response_info->rsp_atom;
}

/* Put the receive cap on top of stream st; remembers it in c->cap. */
static int
cap_push(struct imap *c, mailstream *st)
{
	if ((c->cap = imap_rxcap_push(st, c->timeout)) == NULL)
		return -1;
	return 0;
}

/* A new operation: a new receive budget. */
static void
cap_reset(struct imap *c)
{
	c->last_op = time(NULL);
	imap_rxcap_reset(c->cap);
}

/* ---- connecting -------------------------------------------------------- */

/* 1 when the address is on this machine (127/8, ::1, v4-mapped 127/8). */
static int
is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6;
	const unsigned char *b;

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = s6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && b[12] == 127;
}

/* TCP connect to host:port with a bounded wait; returns the fd or -1. */
static int
tcp_connect(struct imap *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	struct pollfd pfd;
	socklen_t sl;
	int fd = -1, r, soerr = 0, fl, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->url.port);
	if ((r = getaddrinfo(c->url.host, port, &hints, &res)) != 0) {
		ierr(c, err, errlen, "cannot resolve host: %s",
		    gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			soerr = errno;
			continue;
		}
		fl = fcntl(fd, F_GETFL);
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r < 0 && errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			do
				r = poll(&pfd, 1, (int)(c->timeout * 1000));
			while (r < 0 && errno == EINTR);
			if (r == 0) {
				soerr = ETIMEDOUT;
				r = -1;
			} else if (r > 0) {
				sl = sizeof(soerr);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl) < 0)
					soerr = errno;
				r = soerr ? -1 : 0;
			} else {
				soerr = errno;
			}
		} else if (r < 0) {
			soerr = errno;
		}
		if (r == 0) {
			(void)fcntl(fd, F_SETFL, fl);
			/* commands end in small writes; do not wait on ACKs */
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
			c->loopback = is_loopback(ai->ai_addr);
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		ierr(c, err, errlen, "connect to port %u: %s", c->url.port,
		    strerror(soerr ? soerr : ECONNREFUSED));
	return fd;
}

/* Called by libetpan before the TLS handshake: set SNI (not for IPs). */
static void
tls_setup_cb(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;
	int numeric = strspn(host, "0123456789.") == strlen(host) ||
	    strchr(host, ':') != NULL;

	if (!numeric)
		(void)mailstream_ssl_set_server_name(ctx, (char *)host);
}

/* Check the peer certificate chain of the session's TLS stream. */
static int
tls_verify(struct imap *c, mailstream *st, char *err, size_t errlen)
{
	struct imap_tls_cert certs[IMAP_TLS_MAX_CHAIN];
	carray *chain;
	MMAPString *der;
	char why[ERRLEN];
	unsigned i, n;
	int r;

	chain = mailstream_get_certificate_chain(st);
	if (chain == NULL) {
		ierr(c, err, errlen, "TLS: server sent no certificate");
		return -1;
	}
	n = carray_count(chain);
	if (n > IMAP_TLS_MAX_CHAIN)
		n = IMAP_TLS_MAX_CHAIN;
	for (i = 0; i < n; i++) {
		der = carray_get(chain, i);
		certs[i].der = (const unsigned char *)der->str;
		certs[i].len = der->len;
	}
	r = imap_tls_verify(certs, n, c->url.host, c->ca_file,
	    c->fingerprint, why, sizeof(why));
	mailstream_certificate_chain_free(chain);
	if (r < 0)
		ierr(c, err, errlen, "TLS: %s; not logging in", why);
	return r;
}

static int	has_cap(const struct imap *, const char *);
static int	ask_caps(struct imap *);

/*
 * STARTTLS on a connected, not yet authenticated session.  Anything the
 * server sent before the handshake is discarded: buffered bytes after the
 * tagged OK are an injection attempt, and the capabilities are asked again.
 */
static int
starttls(struct imap *c, char *err, size_t errlen)
{
	mailstream_low *low, *tlow;
	int r, fd;

	if (!has_cap(c, "STARTTLS")) {
		if ((r = ask_caps(c)) != MAILIMAP_NO_ERROR)
			goto failed;
	}
	if (!has_cap(c, "STARTTLS")) {
		ierr(c, err, errlen, "server does not offer STARTTLS; refusing "
		    "to log in without TLS (imap-tls = none allows it)");
		return -1;
	}
	/* libetpan >= 1.9.4 itself fails when data follows the OK
	 * (CVE-2020-15953); check either way */
	r = mailimap_starttls(c->s);
	if (c->s->imap_stream != NULL &&
	    c->s->imap_stream->read_buffer_len != 0) {
		ierr(c, err, errlen, "STARTTLS: server sent data before the "
		    "TLS handshake; refusing the connection");
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR)
		goto failed;
	low = mailstream_get_low(c->s->imap_stream);
	if ((fd = mailstream_low_get_fd(low)) < 0) {
		ierr(c, err, errlen, "STARTTLS: no socket");
		return -1;
	}
	tlow = mailstream_low_tls_open_with_callback_timeout(fd,
	    (time_t)c->timeout, tls_setup_cb, c->url.host);
	if (tlow == NULL) {
		ierr(c, err, errlen, "STARTTLS: TLS handshake failed");
		return -1;
	}
	c->cap = NULL;			/* freed with the plain layer */
	mailstream_low_free(low);
	mailstream_set_low(c->s->imap_stream, tlow);
	if (cap_push(c, c->s->imap_stream) < 0) {
		ierr(c, err, errlen, "out of memory");
		return -1;
	}
	if (tls_verify(c, c->s->imap_stream, err, errlen) < 0)
		return -1;
	/* forget the capabilities learnt in plaintext */
	if (c->s->imap_connection_info->imap_capability != NULL) {
		mailimap_capability_data_free(
		    c->s->imap_connection_info->imap_capability);
		c->s->imap_connection_info->imap_capability = NULL;
	}
	return 0;
failed:
	ierr(c, err, errlen, "STARTTLS: %s", is_conn_error(c, r) ?
	    conn_error_text(c, r) : server_text(c));
	return -1;
}

/* Base64 of p[0..n) into a buf (for SASL). */
static void
b64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putc(out, tab[v >> 18]);
		buf_putc(out, tab[(v >> 12) & 63]);
		buf_putc(out, tab[(v >> 6) & 63]);
		buf_putc(out, tab[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		buf_printf(out, "%c%c==", tab[v >> 18], tab[(v >> 12) & 63]);
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_printf(out, "%c%c%c=", tab[v >> 18], tab[(v >> 12) & 63],
		    tab[(v >> 6) & 63]);
	}
}

/* Write raw bytes on the session stream (private: never logged). */
static int
stream_write(struct imap *c, const void *p, size_t n)
{
	if (mailstream_write(c->s->imap_stream, p, n) != (ssize_t)n)
		return -1;
	return 0;
}

/*
 * Read responses until the tagged one; return its state
 * (MAILIMAP_RESP_COND_STATE_OK/NO/BAD), or -1 when the connection failed
 * (a BAD comes with no parsed response: *resp stays NULL).
 * A continuation request ("+ ...") returns 100.  resp, when not NULL,
 * receives the parsed tagged response (caller frees).
 */
#define RESP_CONTINUE	100
static int
read_tagged(struct imap *c, struct mailimap_response **resp)
{
	struct mailimap_response *rp = NULL;
	struct mailimap_response_done *done;
	char *line;
	int r, state;

	if (resp)
		*resp = NULL;
	if ((line = mailimap_read_line(c->s)) == NULL)
		return -1;
	if (line[0] == '+')
		return RESP_CONTINUE;
	r = mailimap_parse_response(c->s, &rp);
	if (r == MAILIMAP_ERROR_PROTOCOL && last_was_bad(c))
		return MAILIMAP_RESP_COND_STATE_BAD;
	if (r != MAILIMAP_NO_ERROR)
		return -1;
	done = rp->rsp_resp_done;
	if (done->rsp_type != MAILIMAP_RESP_DONE_TYPE_TAGGED) {
		mailimap_response_free(rp);
		return -1;	/* BYE */
	}
	state = done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	if (resp)
		*resp = rp;
	else
		mailimap_response_free(rp);
	return state;
}

/*
 * CAPABILITY through our own tagged exchange; libetpan's parser stores the
 * list in the session as it reads the untagged reply.  Not
 * mailimap_capability: it copies the session's list without checking it
 * exists, and a server that answers OK without sending one crashed it
 * (found by fuzz_imap_session).  Returns a libetpan-style code.
 */
static int
ask_caps(struct imap *c)
{
	struct mailimap_response *rp = NULL;
	int r, state;

	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR ||
	    stream_write(c, "CAPABILITY\r\n", 12) < 0 ||
	    mailstream_flush(c->s->imap_stream) < 0 ||
	    mailimap_read_line(c->s) == NULL)
		return MAILIMAP_ERROR_STREAM;
	if ((r = mailimap_parse_response(c->s, &rp)) != MAILIMAP_NO_ERROR)
		return r;	/* libetpan's own code: parse, protocol... */
	if (rp->rsp_resp_done->rsp_type != MAILIMAP_RESP_DONE_TYPE_TAGGED) {
		mailimap_response_free(rp);
		return MAILIMAP_ERROR_FATAL;	/* BYE */
	}
	state = rp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(rp);
	return state == MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR :
	    MAILIMAP_ERROR_CAPABILITY;
}

/* AUTHENTICATE PLAIN, with SASL-IR when offered. */
static int
auth_plain(struct imap *c, const char *user, char *err, size_t errlen)
{
	struct buf raw = BUF_INIT(0), enc = BUF_INIT(0);
	int r, rc = -1;

	buf_putc(&raw, '\0');
	buf_puts(&raw, user);
	buf_putc(&raw, '\0');
	buf_puts(&raw, c->password);
	b64(&enc, (const unsigned char *)raw.data, raw.len);
	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR)
		goto conn;
	if (c->caps & CAP_SASL_IR) {
		if (stream_write(c, "AUTHENTICATE PLAIN ", 19) < 0 ||
		    stream_write(c, enc.data, enc.len) < 0 ||
		    stream_write(c, "\r\n", 2) < 0 ||
		    mailstream_flush(c->s->imap_stream) < 0)
			goto conn;
		r = read_tagged(c, NULL);
	} else {
		if (stream_write(c, "AUTHENTICATE PLAIN\r\n", 20) < 0 ||
		    mailstream_flush(c->s->imap_stream) < 0)
			goto conn;
		if ((r = read_tagged(c, NULL)) == RESP_CONTINUE) {
			if (stream_write(c, enc.data, enc.len) < 0 ||
			    stream_write(c, "\r\n", 2) < 0 ||
			    mailstream_flush(c->s->imap_stream) < 0)
				goto conn;
			r = read_tagged(c, NULL);
		}
	}
	if (r < 0 || r == RESP_CONTINUE)
		goto conn;
	if (r != MAILIMAP_RESP_COND_STATE_OK) {
		ierr(c, err, errlen, "login failed: %s", server_text(c));
		c->authfail = 1;
		goto out;
	}
	/* libetpan did not see the exchange: tell it we are logged in */
	c->s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	rc = 0;
	goto out;
conn:
	c->dead = 1;
	ierr(c, err, errlen, "login failed: connection lost");
out:
	/* the buffers held the password */
	if (raw.data)
		memset(raw.data, 0, raw.len);
	if (enc.data)
		memset(enc.data, 0, enc.len);
	buf_free(&raw);
	buf_free(&enc);
	return rc;
}

/*
 * Whether the server announced a capability.  Our own walk of libetpan's
 * list instead of mailimap_has_extension, which dereferences a missing
 * list or entry: a server can send a CAPABILITY reply libetpan keeps only
 * in part (found by fuzz_imap_session).
 */
static int
has_cap(const struct imap *c, const char *name)
{
	const struct mailimap_capability_data *d;
	const struct mailimap_capability *cap;
	clistiter *it;

	if (c->s == NULL || c->s->imap_connection_info == NULL ||
	    (d = c->s->imap_connection_info->imap_capability) == NULL ||
	    d->cap_list == NULL)
		return 0;
	for (it = clist_begin(d->cap_list); it; it = clist_next(it)) {
		if ((cap = clist_content(it)) == NULL)
			continue;
		if (cap->cap_type == MAILIMAP_CAPABILITY_NAME &&
		    cap->cap_data.cap_name != NULL &&
		    strcasecmp(cap->cap_data.cap_name, name) == 0)
			return 1;
		if (cap->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE &&
		    cap->cap_data.cap_auth_type != NULL &&
		    strncasecmp(name, "AUTH=", 5) == 0 &&
		    strcasecmp(cap->cap_data.cap_auth_type, name + 5) == 0)
			return 1;
	}
	return 0;
}

static void
read_caps(struct imap *c)
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} tab[] = {
		{ "LITERAL+", CAP_LITERALPLUS },
		{ "MULTIAPPEND", CAP_MULTIAPPEND },
		{ "UIDPLUS", CAP_UIDPLUS },
		{ "NAMESPACE", CAP_NAMESPACE },
		{ "SASL-IR", CAP_SASL_IR },
	};
	size_t i;

	c->caps = 0;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (has_cap(c, tab[i].name))
			c->caps |= tab[i].bit;
}

static int
login(struct imap *c, char *err, size_t errlen)
{
	const char *user = c->user ? c->user : c->url.user;
	const char *mech = c->auth ? c->auth : "login";
	int r;

	if (user == NULL || *user == '\0') {
		ierr(c, err, errlen, "no user name (put it in imap-url as "
		    "imaps://USER@host/)");
		return -1;
	}
	if (c->password == NULL) {
		ierr(c, err, errlen, "no password configured");
		return -1;
	}
	if (c->s->imap_connection_info->imap_capability == NULL) {
		r = ask_caps(c);
		if (r != MAILIMAP_NO_ERROR) {
			(void)cmd_failed(c, r, "CAPABILITY", err, errlen);
			return -1;
		}
	}
	read_caps(c);
	if (strcasecmp(mech, "plain") == 0) {
		if (auth_plain(c, user, err, errlen) < 0)
			return -1;
	} else if (strcasecmp(mech, "xoauth2") == 0) {
		r = mailimap_oauth2_authenticate(c->s, user, c->password);
		if (r != MAILIMAP_NO_ERROR)
			goto failed;
	} else if (strcasecmp(mech, "login") == 0) {
		if (has_cap(c, "LOGINDISABLED")) {
			ierr(c, err, errlen, "login failed: server refuses "
			    "LOGIN (LOGINDISABLED)");
			c->authfail = 1;
			return -1;
		}
		r = mailimap_login(c->s, user, c->password);
		if (r != MAILIMAP_NO_ERROR)
			goto failed;
	} else {
		ierr(c, err, errlen, "unknown auth method \"%s\" (login, "
		    "plain, xoauth2)", mech);
		c->authfail = 1;
		return -1;
	}
	/* capabilities change after login: ask again */
	r = ask_caps(c);
	if (r != MAILIMAP_NO_ERROR) {
		(void)cmd_failed(c, r, "CAPABILITY", err, errlen);
		return -1;
	}
	read_caps(c);
	return 0;
failed:
	if (is_conn_error(c, r)) {
		c->dead = 1;
		ierr(c, err, errlen, "login failed: %s", conn_error_text(c, r));
	} else {
		c->authfail = 1;
		ierr(c, err, errlen, "login failed: %s", server_text(c));
	}
	return -1;
}

/* The hierarchy delimiter (LIST "" "") and personal prefix (NAMESPACE). */
static void
learn_hierarchy(struct imap *c)
{
	struct mailimap_namespace_data *ns = NULL;
	struct mailimap_namespace_info *info;
	struct mailimap_mailbox_list *mb;
	clist *list = NULL;

	c->delim = '/';
	free(c->prefix);
	c->prefix = xstrdup("");
	if (mailimap_list(c->s, "", "", &list) == MAILIMAP_NO_ERROR &&
	    list != NULL && clist_begin(list) != NULL) {
		mb = clist_content(clist_begin(list));
		c->delim = mb->mb_delimiter;
	}
	if (list != NULL)
		mailimap_list_result_free(list);
	if (!(c->caps & CAP_NAMESPACE) ||
	    mailimap_namespace(c->s, &ns) != MAILIMAP_NO_ERROR || ns == NULL)
		return;
	if (ns->ns_personal != NULL &&
	    clist_begin(ns->ns_personal->ns_data_list) != NULL) {
		info = clist_content(clist_begin(ns->ns_personal->ns_data_list));
		if (info->ns_prefix != NULL) {
			free(c->prefix);
			c->prefix = xstrdup(info->ns_prefix);
		}
		if (info->ns_delimiter)
			c->delim = info->ns_delimiter;
	}
	mailimap_namespace_data_free(ns);
}

/*
 * COMPRESS DEFLATE when the server offers it and is not on this machine
 * (on loopback it only costs CPU).  A refusal is not an error.
 */
static int
start_compress(struct imap *c, char *err, size_t errlen)
{
	int r;

	c->compressed = 0;
	if (c->loopback || !mailimap_has_compress_deflate(c->s))
		return 0;
	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR ||
	    stream_write(c, "COMPRESS DEFLATE\r\n", 18) < 0 ||
	    mailstream_flush(c->s->imap_stream) < 0 ||
	    (r = read_tagged(c, NULL)) < 0 || r == RESP_CONTINUE)
		goto conn;
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return 0;
	/* the server compresses from the next byte on: nothing may be left
	 * in libetpan's plaintext buffer */
	if (c->s->imap_stream->read_buffer_len != 0 || imap_deflate_push(c->s->imap_stream, c->cap) < 0)
		goto conn;
	c->compressed = 1;
	return 0;
conn:
	c->dead = 1;
	ierr(c, err, errlen, "COMPRESS: connection lost or failed");
	return -1;
}

static void
session_drop(struct imap *c)
{
	if (c->s != NULL) {
		if (!c->dead && c->s->imap_stream != NULL)
			(void)mailimap_logout(c->s);
		/* mailimap_free would LOGOUT on a live stream: on a dead one
		 * that waits a full timeout for nothing, so close it first */
		if (c->s->imap_stream != NULL) {
			mailstream_close(c->s->imap_stream);
			c->s->imap_stream = NULL;
		}
		mailimap_free(c->s);
		c->s = NULL;
	}
	free(c->selected);
	c->selected = NULL;
	c->cap = NULL;
	c->dead = 1;
}

/* One connection attempt: TCP, TLS, greeting, STARTTLS, login. */
static int
connect_once(struct imap *c, char *err, size_t errlen)
{
	mailstream *st = NULL;
	int fd, r, implicit;

	session_drop(c);
	c->s = mailimap_new(0, NULL);
	if (c->s == NULL) {
		ierr(c, err, errlen, "out of memory");
		return -1;
	}
	mailimap_set_timeout(c->s, (time_t)c->timeout);
	if ((fd = tcp_connect(c, err, errlen)) < 0)
		return -1;
	implicit = c->tls == DELIVER_TLS_IMPLICIT;
	if (implicit) {
		st = mailstream_ssl_open_with_callback_timeout(fd,
		    (time_t)c->timeout, tls_setup_cb, c->url.host);
		if (st == NULL) {
			close(fd);
			ierr(c, err, errlen, "TLS handshake failed (is port %u "
			    "an implicit-TLS port?)", c->url.port);
			return -1;
		}
		if (tls_verify(c, st, err, errlen) < 0) {
			mailstream_close(st);
			return -1;
		}
	} else {
		st = mailstream_socket_open_timeout(fd, (time_t)c->timeout);
		if (st == NULL) {
			close(fd);
			ierr(c, err, errlen, "out of memory");
			return -1;
		}
	}
	if (cap_push(c, st) < 0) {
		mailstream_close(st);
		ierr(c, err, errlen, "out of memory");
		return -1;
	}
	r = mailimap_connect(c->s, st);	/* owns st from here */
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		c->dead = 1;
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED)
			ierr(c, err, errlen, "server greeted with PREAUTH; "
			    "refusing an unverified pre-authenticated session");
		else
			ierr(c, err, errlen, "no IMAP greeting: %s",
			    is_conn_error(c, r) ? conn_error_text(c, r) :
			    server_text(c));
		return -1;
	}
	c->dead = 0;
	if (c->tls == DELIVER_TLS_STARTTLS && starttls(c, err, errlen) < 0) {
		c->dead = 1;
		return -1;
	}
	if (login(c, err, errlen) < 0)
		return -1;
	if (start_compress(c, err, errlen) < 0)
		return -1;
	learn_hierarchy(c);
	return 0;
}

/* Make sure there is a live, logged-in session (bounded retries). */
static int
ensure_conn(struct imap *c, char *err, size_t errlen)
{
	int i;

	if (c->s != NULL && !c->dead)
		return 0;
	if (c->authfail) {
		ierr(c, err, errlen, "not retrying after a refused login");
		return -1;
	}
	for (i = 0; i < IMAP_CONNECT_TRIES; i++) {
		/* backoff: 1 s, 2 s (not under the fuzzer, which sets
		 * RSS2MAIL_TEST_IMAP_NO_BACKOFF: it would only wait) */
		if (i > 0 && getenv("RSS2MAIL_TEST_IMAP_NO_BACKOFF") == NULL)
			sleep((unsigned)i);
		if (connect_once(c, err, errlen) == 0)
			return 0;
		if (c->authfail)
			break;
		/* certificate failures, refusals and a server that floods
		 * or trickles will not heal in a few seconds */
		if (strstr(err, "TLS:") || strstr(err, "STARTTLS") ||
		    strstr(err, "too large") || strstr(err, "too slow"))
			break;
	}
	return -1;
}

/* ---- folders ----------------------------------------------------------- */

/*
 * The server name of a folder as the user writes it: "" = the URL's
 * mailbox (else INBOX); '/' separates levels and becomes the server's
 * delimiter; the personal namespace prefix goes in front (not for INBOX);
 * non-ASCII goes to modified UTF-7.  Names with empty parts, "." or ".."
 * are refused.  Returns a malloc'd string or NULL with err.
 */
static char *
server_name(struct imap *c, const char *folder, char *err, size_t errlen)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	char why[ERRLEN];

	if (folder == NULL || *folder == '\0')
		folder = c->url.mailbox[0] ? c->url.mailbox : "INBOX";
	if (imap_name_wire(&b, folder, c->prefix, c->delim, why,
	    sizeof(why)) < 0) {
		ierr(c, err, errlen, "%s", why);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
is_known(const struct imap *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nknown; i++)
		if (strcmp(c->known[i], name) == 0)
			return 1;
	return 0;
}

static void
add_known(struct imap *c, const char *name)
{
	if (c->nknown >= IMAP_MAX_FOLDERS || is_known(c, name))
		return;
	c->known = xrealloc(c->known, (c->nknown + 1) * sizeof(*c->known));
	c->known[c->nknown++] = xstrdup(name);
}

/* 1 exists, 0 missing, -1 connection error (err set). */
static int
folder_exists(struct imap *c, const char *name, char *err, size_t errlen)
{
	struct mailimap_mailbox_list *mb;
	clistiter *it;
	clist *list = NULL;
	int r, found = 0;

	r = mailimap_list(c->s, "", name, &list);
	if (r != MAILIMAP_NO_ERROR) {
		if (is_conn_error(c, r)) {
			(void)cmd_failed(c, r, "LIST", err, errlen);
			return -1;
		}
		return 0;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		mb = clist_content(it);
		if (strcmp(mb->mb_name, name) == 0 ||
		    (strcasecmp(name, "INBOX") == 0 &&
		    strcasecmp(mb->mb_name, "INBOX") == 0))
			found = 1;
	}
	mailimap_list_result_free(list);
	return found;
}

static enum deliver_status
ensure_folder_once(struct imap *c, const char *name, const char *folder,
    char *err, size_t errlen)
{
	int r;

	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if (is_known(c, name))
		return DELIVER_OK;
	if ((r = folder_exists(c, name, err, errlen)) < 0)
		return DELIVER_STORE;
	if (r == 0) {
		r = mailimap_create(c->s, name);
		if (r != MAILIMAP_NO_ERROR && is_conn_error(c, r))
			return cmd_failed(c, r, "CREATE", err, errlen);
		/* a racing creator is fine: [ALREADYEXISTS] */
		if (r != MAILIMAP_NO_ERROR &&
		    strcasecmp(resp_atom(c), "ALREADYEXISTS") != 0) {
			ierr(c, err, errlen, "create folder \"%s\": %s",
			    folder, server_text(c));
			return DELIVER_FOLDER;
		}
		r = mailimap_subscribe(c->s, name);
		if (r != MAILIMAP_NO_ERROR && is_conn_error(c, r))
			return cmd_failed(c, r, "SUBSCRIBE", err, errlen);
		/* a refused SUBSCRIBE leaves a usable folder */
	}
	add_known(c, name);
	return DELIVER_OK;
}

static enum deliver_status
imap_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st;
	char *name;

	cap_reset(c);
	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	st = ensure_folder_once(c, name, folder, err, errlen);
	if (st == DELIVER_STORE && c->dead && !c->authfail)
		st = ensure_folder_once(c, name, folder, err, errlen);
	free(name);
	return st;
}

/* ---- searching --------------------------------------------------------- */

static int
msgid_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	size_t i;

	if (n < 3 || n > 998)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Open folder name: EXAMINE (read-only, for searching) or SELECT (rw, to
 * change flags), unless it is open already in a mode that will do.
 * A folder that does not exist sets *missing.
 */
static enum deliver_status
open_folder(struct imap *c, const char *name, const char *folder, int rw,
    int *missing, char *err, size_t errlen)
{
	char why[ERRLEN];
	int r;

	*missing = 0;
	if (c->selected != NULL && strcmp(c->selected, name) == 0 &&
	    (c->selected_rw || !rw))
		return DELIVER_OK;
	free(c->selected);
	c->selected = NULL;
	r = rw ? mailimap_select(c->s, name) : mailimap_examine(c->s, name);
	if (r == MAILIMAP_NO_ERROR) {
		c->selected = xstrdup(name);
		c->selected_rw = rw;
		return DELIVER_OK;
	}
	if (is_conn_error(c, r))
		return cmd_failed(c, r, rw ? "SELECT" : "EXAMINE", err,
		    errlen);
	/* Dovecot says "Mailbox doesn't exist" without a response code */
	snprintf(why, sizeof(why), "%s", server_text(c));
	r = folder_exists(c, name, err, errlen);
	if (r < 0)
		return DELIVER_STORE;
	if (r == 0) {
		*missing = 1;
		return DELIVER_OK;
	}
	ierr(c, err, errlen, "open folder \"%s\": %s", folder, why);
	return DELIVER_FOLDER;
}

static enum deliver_status
has_msgid_once(struct imap *c, const char *name, const char *folder,
    const char *msgid, int *found, char *err, size_t errlen)
{
	struct mailimap_search_key *key;
	enum deliver_status st;
	clist *res = NULL;
	int r, missing;

	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((st = open_folder(c, name, folder, 0, &missing, err, errlen))
	    != DELIVER_OK)
		return st;
	if (missing)
		return DELIVER_OK;
	key = mailimap_search_key_new_header(xstrdup("Message-ID"),
	    xstrdup(msgid));
	r = mailimap_uid_search(c->s, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		if (is_conn_error(c, r))
			return cmd_failed(c, r, "UID SEARCH", err, errlen);
		ierr(c, err, errlen, "search in \"%s\": %s", folder,
		    server_text(c));
		return DELIVER_FOLDER;
	}
	*found = res != NULL && clist_begin(res) != NULL;
	mailimap_search_result_free(res);
	return DELIVER_OK;
}

static enum deliver_status
imap_has_msgid(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st;
	char *name;

	*found = 0;
	if (!msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID for a search");
		return DELIVER_MSG;
	}
	cap_reset(c);
	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	st = has_msgid_once(c, name, folder, msgid, found, err, errlen);
	if (st == DELIVER_STORE && c->dead && !c->authfail)
		st = has_msgid_once(c, name, folder, msgid, found, err, errlen);
	free(name);
	return st;
}

/* ---- appending --------------------------------------------------------- */

/* The configured flags as an IMAP flag list; NULL when none. */
static struct mailimap_flag_list *
flag_list(const char *flags)
{
	struct mailimap_flag_list *fl;
	struct mailimap_flag *f;
	const char *p, *e;
	char *w;

	if (flags == NULL || flags[0] == '\0')
		return NULL;
	fl = mailimap_flag_list_new_empty();
	for (p = flags; *p; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		w = xstrndup(p, (size_t)(e - p));
		if (strcasecmp(w, "\\Seen") == 0)
			f = mailimap_flag_new_seen();
		else if (strcasecmp(w, "\\Flagged") == 0)
			f = mailimap_flag_new_flagged();
		else if (strcasecmp(w, "\\Answered") == 0)
			f = mailimap_flag_new_answered();
		else if (strcasecmp(w, "\\Draft") == 0)
			f = mailimap_flag_new_draft();
		else if (strcasecmp(w, "\\Deleted") == 0)
			f = mailimap_flag_new_deleted();
		else {
			f = mailimap_flag_new_flag_keyword(w);
			w = NULL;
		}
		free(w);
		mailimap_flag_list_add(fl, f);
	}
	return fl;
}

static struct mailimap_date_time *
date_time(time_t t)
{
	struct tm tm;

	if (t <= 0)
		t = time(NULL);
	gmtime_r(&t, &tm);
	return mailimap_date_time_new(tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, 0);
}

static enum deliver_status
msg_check(const struct imap *c, const struct deliver_msg *m, char *err,
    size_t errlen)
{
	if (m->data == NULL || m->len == 0) {
		errf(err, errlen, "imap: empty message");
		return DELIVER_MSG;
	}
	if (memchr(m->data, '\0', m->len) != NULL) {
		errf(err, errlen, "imap: message contains NUL bytes");
		return DELIVER_MSG;
	}
	if (m->flags != NULL && !imap_flags_ok(m->flags)) {
		errf(err, errlen, "imap: bad flags \"%s\" for a message",
		    m->flags);
		return DELIVER_MSG;
	}
	return DELIVER_OK;
}

/* Map a refused APPEND onto how far it reaches. */
static enum deliver_status
append_refused(struct imap *c, const char *folder, char *err, size_t errlen)
{
	const char *a = resp_atom(c);

	if ((c->s->imap_response_info &&
	    c->s->imap_response_info->rsp_trycreate) ||
	    strcasecmp(a, "NONEXISTENT") == 0) {
		ierr(c, err, errlen, "append to \"%s\": folder missing: %s",
		    folder, server_text(c));
		return DELIVER_FOLDER;
	}
	/* quotas may be per folder (Dovecot quota_rule = Box:...): other
	 * folders may still have room, and each reports its own refusal */
	if (strcasecmp(a, "OVERQUOTA") == 0) {
		ierr(c, err, errlen, "append to \"%s\": over quota: %s",
		    folder, server_text(c));
		return DELIVER_FOLDER;
	}
	if (strcasecmp(a, "NOPERM") == 0) {
		ierr(c, err, errlen, "append to \"%s\": %s", folder,
		    server_text(c));
		return DELIVER_FOLDER;
	}
	ierr(c, err, errlen, "append to \"%s\": message refused: %s", folder,
	    server_text(c));
	return DELIVER_MSG;
}

/* APPEND one message with libetpan's own command (synchronizing literal). */
static enum deliver_status
append_one(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *m, char *err, size_t errlen)
{
	struct mailimap_flag_list *fl;
	struct mailimap_date_time *dt;
	uint32_t uidvalidity = 0, uid = 0;
	int r;

	fl = flag_list(m->flags ? m->flags : c->flags);
	dt = date_time(m->date);
	if (c->caps & CAP_UIDPLUS)
		r = mailimap_uidplus_append(c->s, name, fl, dt, m->data,
		    m->len, &uidvalidity, &uid);
	else
		r = mailimap_append(c->s, name, fl, dt, m->data, m->len);
	if (fl != NULL)
		mailimap_flag_list_free(fl);
	mailimap_date_time_free(dt);
	if (r == MAILIMAP_NO_ERROR) {
		m->uid = uid;
		return DELIVER_OK;
	}
	if (is_conn_error(c, r)) {
		c->dead = 1;
		ierr(c, err, errlen, "append to \"%s\": %s", folder,
		    conn_error_text(c, r));
		return DELIVER_STORE;
	}
	return append_refused(c, folder, err, errlen);
}

/*
 * The mailbox argument of our own APPEND: a quoted string when it is
 * printable ASCII (it always is after modified UTF-7, unless a namespace
 * prefix is odd), else a non-synchronizing literal.
 */
static int
write_mailbox(struct imap *c, const char *name)
{
	struct buf b = BUF_INIT(0);
	const char *p;
	int rc, plain = 1;

	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			plain = 0;
	if (plain) {
		buf_putc(&b, '"');
		for (p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '"');
	} else {
		buf_printf(&b, "{%zu+}\r\n%s", strlen(name), name);
	}
	rc = stream_write(c, b.data, b.len);
	buf_free(&b);
	return rc;
}

/* " (a b)" for a checked flag string; nothing for an empty one. */
static int
write_flags(struct imap *c, const char *flags)
{
	char *j = imap_flags_join(flags);
	int rc = 0;

	if (j[0] != '\0' && (stream_write(c, " (", 2) < 0 ||
	    stream_write(c, j, strlen(j)) < 0 || stream_write(c, ")", 1) < 0))
		rc = -1;
	free(j);
	return rc;
}

/* The UIDs of an APPENDUID code in the last response, into msgs[0..n). */
static void
take_appenduid(struct imap *c, struct deliver_msg *msgs, size_t n)
{
	struct mailimap_uidplus_resp_code_apnd *apnd;
	struct mailimap_extension_data *ext;
	struct mailimap_set_item *item;
	clistiter *it, *jt;
	uint32_t uid;
	size_t k = 0;

	if (c->s->imap_response_info == NULL ||
	    c->s->imap_response_info->rsp_extension_list == NULL)
		return;
	for (it = clist_begin(c->s->imap_response_info->rsp_extension_list);
	    it != NULL; it = clist_next(it)) {
		ext = clist_content(it);
		if (ext->ext_extension->ext_id != MAILIMAP_EXTENSION_UIDPLUS ||
		    ext->ext_type != MAILIMAP_UIDPLUS_RESP_CODE_APND)
			continue;
		apnd = ext->ext_data;
		if (apnd->uid_set == NULL)
			continue;
		/* count first: a set that does not match n is not used */
		for (jt = clist_begin(apnd->uid_set->set_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			if (item->set_last < item->set_first ||
			    item->set_last - item->set_first >= n - k)
				return;
			k += (size_t)(item->set_last - item->set_first) + 1;
		}
		if (k != n)
			return;
		k = 0;
		for (jt = clist_begin(apnd->uid_set->set_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			for (uid = item->set_first;; uid++) {
				msgs[k++].uid = uid;
				if (uid == item->set_last)
					break;
			}
		}
		return;
	}
}

/*
 * One APPEND of msgs[0..n) with LITERAL+ literals: the whole command is
 * written without waiting for continuations (RFC 3502 MULTIAPPEND when
 * n > 1, RFC 7888 LITERAL+), then the tagged reply is read with libetpan's
 * own response parser.  MULTIAPPEND is atomic: on NO nothing was stored.
 */
static enum deliver_status
append_batch(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t n, char *err, size_t errlen)
{
	struct mailimap_response *rp = NULL;
	char head[128];
	struct tm tm;
	time_t t;
	size_t i;
	int r, w;

	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR ||
	    stream_write(c, "APPEND ", 7) < 0 || write_mailbox(c, name) < 0)
		goto conn;
	for (i = 0; i < n; i++) {
		static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr",
		    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

		t = msgs[i].date > 0 ? msgs[i].date : time(NULL);
		gmtime_r(&t, &tm);
		if (msgs[i].flags != NULL) {
			if (write_flags(c, msgs[i].flags) < 0)
				goto conn;
		} else if (c->flagstr[0] != '\0' &&
		    (stream_write(c, " (", 2) < 0 ||
		    stream_write(c, c->flagstr, strlen(c->flagstr)) < 0 ||
		    stream_write(c, ")", 1) < 0))
			goto conn;
		w = snprintf(head, sizeof(head),
		    " \"%02d-%s-%04d %02d:%02d:%02d +0000\" {%zu+}\r\n",
		    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, msgs[i].len);
		if (w < 0 || (size_t)w >= sizeof(head) ||
		    stream_write(c, head, (size_t)w) < 0 ||
		    stream_write(c, msgs[i].data, msgs[i].len) < 0)
			goto conn;
	}
	if (stream_write(c, "\r\n", 2) < 0 ||
	    mailstream_flush(c->s->imap_stream) < 0)
		goto conn;
	r = read_tagged(c, &rp);
	if (r < 0 || r == RESP_CONTINUE)
		goto conn;
	if (rp != NULL)
		mailimap_response_free(rp);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return append_refused(c, folder, err, errlen);
	take_appenduid(c, msgs, n);
	return DELIVER_OK;
conn:
	c->dead = 1;
	ierr(c, err, errlen, "append to \"%s\": %s", folder,
	    conn_error_text(c, MAILIMAP_ERROR_STREAM));
	return DELIVER_STORE;
}

/* How many messages from msgs[0] go into one command (at least 1). */
static size_t
batch_size(const struct imap *c, const struct deliver_msg *msgs, size_t n)
{
	size_t k, bytes = msgs[0].len;

	if (!(c->caps & CAP_LITERALPLUS) || !(c->caps & CAP_MULTIAPPEND))
		return 1;
	for (k = 1; k < n && k < LIM_APPEND_BATCH; k++) {
		if (bytes + msgs[k].len > LIM_APPEND_BATCH_BYTES ||
		    msgs[k].len == 0 || memchr(msgs[k].data, '\0',
		    msgs[k].len) != NULL ||
		    (msgs[k].flags != NULL && !imap_flags_ok(msgs[k].flags)))
			break;
		bytes += msgs[k].len;
	}
	return k;
}

static enum deliver_status
imap_append(void *ctx, const char *folder, struct deliver_msg *msgs,
    size_t n, size_t *done, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st = DELIVER_OK;
	char *name;
	size_t i, j, k;

	*done = 0;
	if (n == 0)
		return DELIVER_OK;
	/*
	 * A session idle for a while (a daemon between passes) may have been
	 * closed by the server.  Find out with a NOOP, which is harmless to
	 * repeat, rather than with an APPEND whose fate would be unknown.
	 */
	if (c->s != NULL && !c->dead && c->last_op != 0 &&
	    time(NULL) - c->last_op > IMAP_IDLE_CHECK) {
		cap_reset(c);
		if (mailimap_noop(c->s) != MAILIMAP_NO_ERROR)
			c->dead = 1;	/* reconnect below */
	}
	cap_reset(c);
	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->url.mailbox[0] ? c->url.mailbox : "INBOX";
	for (i = 0; i < n; i += k) {
		if ((st = msg_check(c, &msgs[i], err, errlen)) != DELIVER_OK)
			break;
		k = batch_size(c, msgs + i, n - i);
		cap_reset(c);
		if (c->caps & CAP_LITERALPLUS)
			st = append_batch(c, name, folder, msgs + i, k, err,
			    errlen);
		else
			st = append_one(c, name, folder, &msgs[i], err, errlen);
		if (st != DELIVER_OK && st != DELIVER_STORE && k > 1) {
			/* MULTIAPPEND is all or nothing: one by one, store
			 * what the server takes up to the culprit (a too large
			 * message, the message that went over quota) */
			for (j = 0; j < k; j++) {
				st = append_batch(c, name, folder, msgs + i + j,
				    1, err, errlen);
				if (st != DELIVER_OK)
					break;
				(*done)++;
			}
			if (st != DELIVER_OK)
				break;
			continue;
		}
		if (st != DELIVER_OK)
			break;
		*done += k;
	}
	free(name);
	return st;
}

/* ---- removing: updates = replace, keep = 30d ------------------------ */

/* Send "TAG cmd" and read the tagged reply: its state, or -1 when the
 * connection failed or the server said BAD.  cmd is ASCII, no literals. */
static int
raw_command(struct imap *c, const char *cmd)
{
	int r;

	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR ||
	    stream_write(c, cmd, strlen(cmd)) < 0 ||
	    stream_write(c, "\r\n", 2) < 0 ||
	    mailstream_flush(c->s->imap_stream) < 0)
		return -1;
	r = read_tagged(c, NULL);
	return r == RESP_CONTINUE ? -1 : r;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs of the last SEARCH response, sorted, no duplicates. */
static uint32_t *
search_uids(struct imap *c, size_t *n)
{
	clist *l = c->s->imap_response_info ?
	    c->s->imap_response_info->rsp_search_result : NULL;
	clistiter *it;
	uint32_t *u;
	size_t k = 0, i, j;

	*n = 0;
	if (l == NULL || clist_count(l) == 0)
		return NULL;
	u = xcalloc((size_t)clist_count(l), sizeof(*u));
	for (it = clist_begin(l); it != NULL; it = clist_next(it))
		u[k++] = *(uint32_t *)clist_content(it);
	qsort(u, k, sizeof(*u), cmp_u32);
	for (i = j = 0; i < k; i++)
		if (j == 0 || u[i] != u[j - 1])
			u[j++] = u[i];
	*n = j;
	return u;
}

/* "1:3,7" for the sorted u[0..n) into b. */
static void
uid_set(struct buf *b, const uint32_t *u, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && u[j] == u[j - 1] + 1; j++)
			;
		if (i > 0)
			buf_putc(b, ',');
		if (j - i > 1)
			buf_printf(b, "%u:%u", u[i], u[j - 1]);
		else
			buf_printf(b, "%u", u[i]);
	}
}

/*
 * Mark u[0..n) \Deleted and, with UIDPLUS, UID EXPUNGE exactly those.
 * Without UIDPLUS they stay marked: a plain EXPUNGE would also remove
 * what the user marked deleted.
 */
#define IMAP_UIDS_PER_COMMAND	500
static int
delete_uids(struct imap *c, const uint32_t *u, size_t n)
{
	struct buf cmd = BUF_INIT(0);
	size_t i, k;
	int r = MAILIMAP_RESP_COND_STATE_OK;

	for (i = 0; i < n && r == MAILIMAP_RESP_COND_STATE_OK; i += k) {
		k = n - i < IMAP_UIDS_PER_COMMAND ? n - i :
		    IMAP_UIDS_PER_COMMAND;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID STORE ");
		uid_set(&cmd, u + i, k);
		buf_puts(&cmd, " +FLAGS.SILENT (\\Deleted)");
		r = raw_command(c, cmd.data);
		if (r != MAILIMAP_RESP_COND_STATE_OK ||
		    !(c->caps & CAP_UIDPLUS))
			continue;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID EXPUNGE ");
		uid_set(&cmd, u + i, k);
		r = raw_command(c, cmd.data);
	}
	buf_free(&cmd);
	return r;
}

/*
 * The flags of the first message in the last FETCH response, as a flag
 * string for append ("\Seen $label"); \Recent and \Deleted left out.
 */
static char *
fetched_flags(struct imap *c)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	struct mailimap_msg_att *att;
	struct mailimap_msg_att_item *item;
	struct mailimap_flag_fetch *ff;
	clistiter *it, *jt;
	clist *l = c->s->imap_response_info ?
	    c->s->imap_response_info->rsp_fetch_list : NULL;
	const char *w;

	if (l == NULL || clist_begin(l) == NULL)
		return xstrdup("");
	att = clist_content(clist_begin(l));
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_DYNAMIC ||
		    item->att_data.att_dyn == NULL ||
		    item->att_data.att_dyn->att_list == NULL)
			continue;
		for (jt = clist_begin(item->att_data.att_dyn->att_list);
		    jt != NULL; jt = clist_next(jt)) {
			ff = clist_content(jt);
			if (ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER ||
			    ff->fl_flag == NULL)
				continue;
			switch (ff->fl_flag->fl_type) {
			case MAILIMAP_FLAG_ANSWERED:
				w = "\\Answered";
				break;
			case MAILIMAP_FLAG_FLAGGED:
				w = "\\Flagged";
				break;
			case MAILIMAP_FLAG_SEEN:
				w = "\\Seen";
				break;
			case MAILIMAP_FLAG_DRAFT:
				w = "\\Draft";
				break;
			case MAILIMAP_FLAG_KEYWORD:
				w = ff->fl_flag->fl_data.fl_keyword;
				break;
			default:
				w = NULL;
				break;
			}
			if (w == NULL || !imap_flags_ok(w))
				continue;
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, w);
		}
	}
	if (b.overflow || b.data == NULL) {
		buf_free(&b);
		return xstrdup("");
	}
	return buf_steal(&b);
}

/* One line for a refused or broken remove/expire command. */
static enum deliver_status
change_failed(struct imap *c, int r, const char *what, const char *folder,
    char *err, size_t errlen)
{
	if (r < 0) {
		c->dead = 1;
		ierr(c, err, errlen, "%s \"%s\": %s", what, folder,
		    conn_error_text(c, MAILIMAP_ERROR_STREAM));
		return DELIVER_STORE;
	}
	ierr(c, err, errlen, "%s \"%s\": %s", what, folder, server_text(c));
	return DELIVER_FOLDER;
}

static enum deliver_status
imap_remove_msgid(void *ctx, const char *folder, const char *msgid,
    char **flags, char *err, size_t errlen)
{
	struct imap *c = ctx;
	struct buf cmd = BUF_INIT(0);
	enum deliver_status st;
	uint32_t *u = NULL;
	char *name = NULL;
	const char *p;
	size_t n = 0;
	int r, missing;

	*flags = NULL;
	if (!msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID to remove");
		return DELIVER_MSG;
	}
	cap_reset(c);
	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->url.mailbox[0] ? c->url.mailbox : "INBOX";
	st = open_folder(c, name, folder, 1, &missing, err, errlen);
	if (st != DELIVER_OK || missing)
		goto out;
	buf_puts(&cmd, "UID SEARCH HEADER Message-ID \"");
	for (p = msgid; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&cmd, '\\');
		buf_putc(&cmd, *p);
	}
	buf_putc(&cmd, '"');
	if ((r = raw_command(c, cmd.data)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	if ((u = search_uids(c, &n)) == NULL)
		goto out;		/* nothing to remove */
	buf_reset(&cmd);
	buf_printf(&cmd, "UID FETCH %u (FLAGS)", u[0]);
	if ((r = raw_command(c, cmd.data)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	*flags = fetched_flags(c);
	if ((r = delete_uids(c, u, n)) == MAILIMAP_RESP_COND_STATE_OK)
		goto out;
	free(*flags);
	*flags = NULL;
failed:
	st = change_failed(c, r, "remove an old version from", folder, err,
	    errlen);
out:
	buf_free(&cmd);
	free(u);
	free(name);
	return st;
}

static enum deliver_status
imap_expire(void *ctx, const char *folder, time_t before, size_t *nout,
    char *err, size_t errlen)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct imap *c = ctx;
	enum deliver_status st;
	char cmd[128], *name;
	uint32_t *u = NULL;
	struct tm tm;
	size_t n = 0;
	int r, missing;

	*nout = 0;
	cap_reset(c);
	if (ensure_conn(c, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->url.mailbox[0] ? c->url.mailbox : "INBOX";
	st = open_folder(c, name, folder, 1, &missing, err, errlen);
	if (st != DELIVER_OK || missing)
		goto out;
	/* BEFORE compares INTERNALDATE by whole days: mail of the cut-off
	 * day itself is kept, never one message too many removed */
	gmtime_r(&before, &tm);
	snprintf(cmd, sizeof(cmd), "UID SEARCH SEEN UNFLAGGED UNDELETED "
	    "BEFORE %d-%s-%04d", tm.tm_mday, mon[tm.tm_mon],
	    tm.tm_year + 1900);
	if ((r = raw_command(c, cmd)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	if ((u = search_uids(c, &n)) == NULL)
		goto out;
	if ((r = delete_uids(c, u, n)) == MAILIMAP_RESP_COND_STATE_OK) {
		*nout = n;
		goto out;
	}
failed:
	st = change_failed(c, r, "expire", folder, err, errlen);
out:
	free(u);
	free(name);
	return st;
}

/* ---- open / close ------------------------------------------------------ */

static void
imap_close(void *ctx)
{
	struct imap *c = ctx;
	size_t i;

	if (c == NULL)
		return;
	session_drop(c);
	imap_url_free(&c->url);
	free(c->user);
	if (c->password != NULL) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c->auth);
	free(c->ca_file);
	free(c->fingerprint);
	free(c->flags);
	free(c->flagstr);
	free(c->prefix);
	for (i = 0; i < c->nknown; i++)
		free(c->known[i]);
	free(c->known);
	free(c);
}

static enum deliver_status
imap_open(void **ctxp, const struct deliver_cfg *cfg, char *err,
    size_t errlen)
{
	struct imap *c;

	*ctxp = NULL;
	c = xcalloc(1, sizeof(*c));
	if (imap_url_parse(cfg->imap_url, &c->url, err, errlen) < 0) {
		free(c);
		return DELIVER_STORE;
	}
	c->tls = cfg->tls;
	if (c->tls == DELIVER_TLS_DEFAULT)
		c->tls = c->url.implicit_tls ? DELIVER_TLS_IMPLICIT :
		    DELIVER_TLS_STARTTLS;
	c->user = (cfg->user && *cfg->user) ? xstrdup(cfg->user) : NULL;
	c->password = xstrdup(cfg->password);
	c->auth = xstrdup((cfg->auth && *cfg->auth) ? cfg->auth : c->url.auth);
	if (c->auth != NULL && strcmp(c->auth, "*") == 0) {
		free(c->auth);
		c->auth = NULL;
	}
	c->ca_file = xstrdup(cfg->ca_file);
	c->fingerprint = xstrdup(cfg->fingerprint);
	c->flags = xstrdup(cfg->flags);
	c->timeout = cfg->timeout > 0 ? cfg->timeout : IMAP_DEFAULT_TIMEOUT;
	c->dead = 1;
	if (!imap_flags_ok(c->flags)) {
		ierr(c, err, errlen, "bad flags \"%s\"", c->flags);
		imap_close(c);
		return DELIVER_STORE;
	}
	c->flagstr = imap_flags_join(c->flags);
	if (ensure_conn(c, err, errlen) < 0) {
		imap_close(c);
		return DELIVER_STORE;
	}
	*ctxp = c;
	return DELIVER_OK;
}

const struct deliver_ops deliver_imap = {
	.name = "imap",
	.open = imap_open,
	.ensure_folder = imap_ensure_folder,
	.has_msgid = imap_has_msgid,
	.append = imap_append,
	.close = imap_close,
	.remove_msgid = imap_remove_msgid,
	.expire = imap_expire,
};
