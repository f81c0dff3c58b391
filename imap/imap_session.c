/*
 * imap_session.c - connect, TLS, STARTTLS, log in, capabilities and
 * reconnect for one IMAP session on libetpan, plus the wire helpers
 * (tagged replies, raw commands, error text) the delivery operations use.
 * Contracts in imap_session.h.
 *
 * It knows nothing of folders or messages: those are imap.c's.  The
 * stream layers (receive cap, DEFLATE) are imap_stream.c's, certificate
 * checks imap_tls.c's.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imap_session.h"
#include "imap_stream.h"
#include "imap_tls.h"
#include "imap_wire.h"
#include "util.h"
#include "utf8.h"

#define IMAP_DEFAULT_TIMEOUT	60
#define IMAP_CONNECT_TRIES	3	/* attempts per (re)connect */
#ifndef IMAP_IDLE_CHECK
#define IMAP_IDLE_CHECK		60	/* s idle before append checks (NOOP) */
#endif

/* ---- settings and the session's life ---------------------------------- */

int
imap_conf_init(struct imap_conf *conf, const struct deliver_cfg *cfg,
    char *err, size_t errlen)
{
	memset(conf, 0, sizeof(*conf));
	if (imap_url_parse(cfg->imap_url, &conf->url, err, errlen) < 0)
		return -1;
	conf->tls = cfg->tls;
	if (conf->tls == DELIVER_TLS_DEFAULT)
		conf->tls = conf->url.implicit_tls ? DELIVER_TLS_IMPLICIT :
		    DELIVER_TLS_STARTTLS;
	conf->user = (cfg->user && *cfg->user) ? xstrdup(cfg->user) : NULL;
	conf->password = xstrdup(cfg->password);
	conf->auth = xstrdup((cfg->auth && *cfg->auth) ? cfg->auth :
	    conf->url.auth);
	if (conf->auth != NULL && strcmp(conf->auth, "*") == 0) {
		free(conf->auth);
		conf->auth = NULL;
	}
	conf->ca_file = xstrdup(cfg->ca_file);
	conf->fingerprint = xstrdup(cfg->fingerprint);
	conf->timeout = cfg->timeout > 0 ? cfg->timeout : IMAP_DEFAULT_TIMEOUT;
	return 0;
}

void
imap_conf_free(struct imap_conf *conf)
{
	if (conf == NULL)
		return;
	imap_url_free(&conf->url);
	free(conf->user);
	if (conf->password != NULL) {
		memset(conf->password, 0, strlen(conf->password));
		free(conf->password);
	}
	free(conf->auth);
	free(conf->ca_file);
	free(conf->fingerprint);
	memset(conf, 0, sizeof(*conf));
}

struct imap_session *
imap_session_new(const struct imap_conf *conf)
{
	struct imap_session *c = xcalloc(1, sizeof(*c));

	c->conf = conf;
	c->dead = 1;
	return c;
}

void
imap_session_free(struct imap_session *c)
{
	if (c == NULL)
		return;
	imap_session_drop(c);
	free(c->prefix);
	free(c);
}

void
imap_session_begin(struct imap_session *c)
{
	c->last_op = time(NULL);
	imap_rxcap_reset(c->cap);
}

void
imap_session_check_idle(struct imap_session *c)
{
	if (c->s != NULL && !c->dead && c->last_op != 0 &&
	    time(NULL) - c->last_op > IMAP_IDLE_CHECK) {
		imap_session_begin(c);
		if (mailimap_noop(c->s) != MAILIMAP_NO_ERROR)
			c->dead = 1;	/* reconnect on the next open */
	}
}

/* ---- error text -------------------------------------------------------- */

const char *
imap_server_text(const struct imap_session *c)
{
	const char *t = c->s ? c->s->imap_response : NULL;

	return (t && *t) ? t : "no reason given";
}

void
imap_err(const struct imap_session *c, char *err, size_t errlen,
    const char *fmt, ...)
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
	errf(err, errlen, "imap %s: %s", c->conf->url.host, buf_str(&line));
	buf_free(&line);
}

/*
 * 1 when the last response was a tagged BAD to our current command.
 * libetpan reports a BAD as MAILIMAP_ERROR_PROTOCOL, like a tag that does
 * not match; a BAD leaves the session in step, a wrong tag does not.
 */
static int
last_was_bad(const struct imap_session *c)
{
	const MMAPString *b;

	if (c->s == NULL || (b = c->s->imap_stream_buffer) == NULL ||
	    b->str == NULL)
		return 0;
	return imap_wire_tagged_bad(b->str, b->len, c->s->imap_tag);
}

int
imap_code_conn_lost(int r)
{
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

int
imap_conn_lost(const struct imap_session *c, int r)
{
	if (r == MAILIMAP_ERROR_PROTOCOL && last_was_bad(c))
		return 0;	/* the server refused the command: BAD */
	return imap_code_conn_lost(r);
}

const char *
imap_conn_error_text(const struct imap_session *c, int r)
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

enum deliver_status
imap_cmd_failed(struct imap_session *c, int r, const char *what, char *err,
    size_t errlen)
{
	if (imap_conn_lost(c, r)) {
		c->dead = 1;
		imap_err(c, err, errlen, "%s: %s", what,
		    imap_conn_error_text(c, r));
		return DELIVER_STORE;
	}
	imap_err(c, err, errlen, "%s: %s", what, imap_server_text(c));
	return DELIVER_FOLDER;
}

const char *
imap_resp_atom(const struct imap_session *c)
{
	if (c->s == NULL || c->s->imap_response_info == NULL ||
	    c->s->imap_response_info->rsp_atom == NULL)
		return "";
	return c->s->imap_response_info->rsp_atom;
}

/* Put the receive cap on top of stream st; remembers it in c->cap. */
static int
cap_push(struct imap_session *c, mailstream *st)
{
	if ((c->cap = imap_rxcap_push(st, c->conf->timeout)) == NULL)
		return -1;
	return 0;
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
tcp_connect(struct imap_session *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	struct pollfd pfd;
	socklen_t sl;
	int fd = -1, r, soerr = 0, fl, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->conf->url.port);
	if ((r = getaddrinfo(c->conf->url.host, port, &hints, &res)) != 0) {
		imap_err(c, err, errlen, "cannot resolve host: %s",
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
				r = poll(&pfd, 1,
				    (int)(c->conf->timeout * 1000));
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
		imap_err(c, err, errlen, "connect to port %u: %s",
		    c->conf->url.port, strerror(soerr ? soerr : ECONNREFUSED));
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
tls_verify(struct imap_session *c, mailstream *st, char *err, size_t errlen)
{
	struct imap_tls_cert certs[IMAP_TLS_MAX_CHAIN];
	carray *chain;
	MMAPString *der;
	char why[ERRLEN];
	unsigned i, n;
	int r;

	chain = mailstream_get_certificate_chain(st);
	if (chain == NULL) {
		imap_err(c, err, errlen, "TLS: server sent no certificate");
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
	r = imap_tls_verify(certs, n, c->conf->url.host, c->conf->ca_file,
	    c->conf->fingerprint, why, sizeof(why));
	mailstream_certificate_chain_free(chain);
	if (r < 0)
		imap_err(c, err, errlen, "TLS: %s; not logging in", why);
	return r;
}

static int	has_cap(const struct imap_session *, const char *);
static int	ask_caps(struct imap_session *);

/*
 * STARTTLS on a connected, not yet authenticated session.  Anything the
 * server sent before the handshake is discarded: buffered bytes after the
 * tagged OK are an injection attempt, and the capabilities are asked again.
 */
static int
starttls(struct imap_session *c, char *err, size_t errlen)
{
	mailstream_low *low, *tlow;
	int r, fd;

	if (!has_cap(c, "STARTTLS")) {
		if ((r = ask_caps(c)) != MAILIMAP_NO_ERROR)
			goto failed;
	}
	if (!has_cap(c, "STARTTLS")) {
		imap_err(c, err, errlen, "server does not offer STARTTLS; "
		    "refusing to log in without TLS (imap-tls = none allows "
		    "it)");
		return -1;
	}
	/* libetpan >= 1.9.4 itself fails when data follows the OK
	 * (CVE-2020-15953); check either way */
	r = mailimap_starttls(c->s);
	if (c->s->imap_stream != NULL &&
	    c->s->imap_stream->read_buffer_len != 0) {
		imap_err(c, err, errlen, "STARTTLS: server sent data before "
		    "the TLS handshake; refusing the connection");
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR)
		goto failed;
	low = mailstream_get_low(c->s->imap_stream);
	if ((fd = mailstream_low_get_fd(low)) < 0) {
		imap_err(c, err, errlen, "STARTTLS: no socket");
		return -1;
	}
	tlow = mailstream_low_tls_open_with_callback_timeout(fd,
	    (time_t)c->conf->timeout, tls_setup_cb, c->conf->url.host);
	if (tlow == NULL) {
		imap_err(c, err, errlen, "STARTTLS: TLS handshake failed");
		return -1;
	}
	c->cap = NULL;			/* freed with the plain layer */
	mailstream_low_free(low);
	mailstream_set_low(c->s->imap_stream, tlow);
	if (cap_push(c, c->s->imap_stream) < 0) {
		imap_err(c, err, errlen, "out of memory");
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
	imap_err(c, err, errlen, "STARTTLS: %s", imap_conn_lost(c, r) ?
	    imap_conn_error_text(c, r) : imap_server_text(c));
	return -1;
}

/* Write raw bytes on the session stream (private: never logged). */
int
imap_write(struct imap_session *c, const void *p, size_t n)
{
	if (mailstream_write(c->s->imap_stream, p, n) != (ssize_t)n)
		return -1;
	return 0;
}

/* p[0..n) and CRLF on the wire, flushed: 0 or -1. */
static int
write_line(struct imap_session *c, const void *p, size_t n)
{
	if (imap_write(c, p, n) < 0 || imap_write(c, "\r\n", 2) < 0 ||
	    mailstream_flush(c->s->imap_stream) < 0)
		return -1;
	return 0;
}

/* "TAG cmd" and CRLF on the wire, flushed: 0 or -1. */
static int
send_command(struct imap_session *c, const char *cmd)
{
	if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR)
		return -1;
	return write_line(c, cmd, strlen(cmd));
}

/*
 * Read responses until the tagged one; return its state
 * (MAILIMAP_RESP_COND_STATE_OK/NO/BAD), or -1 when the connection failed
 * (a BAD comes with no parsed response: *resp stays NULL).
 * A continuation request ("+ ...") returns 100.  resp, when not NULL,
 * receives the parsed tagged response (caller frees).
 */
int
imap_read_tagged(struct imap_session *c, struct mailimap_response **resp)
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
		return IMAP_RESP_CONTINUE;
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
ask_caps(struct imap_session *c)
{
	struct mailimap_response *rp = NULL;
	int r, state;

	if (send_command(c, "CAPABILITY") < 0 ||
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
auth_plain(struct imap_session *c, const char *user, char *err, size_t errlen)
{
	struct buf raw = BUF_INIT(0), enc = BUF_INIT(0);
	int r, rc = -1;

	buf_putc(&raw, '\0');
	buf_puts(&raw, user);
	buf_putc(&raw, '\0');
	buf_puts(&raw, c->conf->password);
	imap_wire_base64(&enc, (const unsigned char *)raw.data, raw.len);
	if (c->caps & IMAP_CAP_SASL_IR) {
		if (mailimap_send_current_tag(c->s) != MAILIMAP_NO_ERROR ||
		    imap_write(c, "AUTHENTICATE PLAIN ", 19) < 0 ||
		    write_line(c, enc.data, enc.len) < 0)
			goto conn;
		r = imap_read_tagged(c, NULL);
	} else {
		if (send_command(c, "AUTHENTICATE PLAIN") < 0)
			goto conn;
		if ((r = imap_read_tagged(c, NULL)) == IMAP_RESP_CONTINUE) {
			if (write_line(c, enc.data, enc.len) < 0)
				goto conn;
			r = imap_read_tagged(c, NULL);
		}
	}
	if (r < 0 || r == IMAP_RESP_CONTINUE)
		goto conn;
	if (r != MAILIMAP_RESP_COND_STATE_OK) {
		imap_err(c, err, errlen, "login failed: %s",
		    imap_server_text(c));
		c->authfail = 1;
		goto out;
	}
	/* libetpan did not see the exchange: tell it we are logged in */
	c->s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	rc = 0;
	goto out;
conn:
	c->dead = 1;
	imap_err(c, err, errlen, "login failed: connection lost");
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
 * Our own walk of libetpan's list instead of mailimap_has_extension, which
 * dereferences a missing list or entry: a server can send a CAPABILITY
 * reply libetpan keeps only in part (found by fuzz_imap_session).
 */
int
imap_caps_has(const struct mailimap_capability_data *d, const char *name)
{
	const struct mailimap_capability *cap;
	clistiter *it;

	if (d == NULL || d->cap_list == NULL)
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

unsigned
imap_caps_bits(const struct mailimap_capability_data *d)
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} tab[] = {
		{ "LITERAL+", IMAP_CAP_LITERALPLUS },
		{ "MULTIAPPEND", IMAP_CAP_MULTIAPPEND },
		{ "UIDPLUS", IMAP_CAP_UIDPLUS },
		{ "NAMESPACE", IMAP_CAP_NAMESPACE },
		{ "SASL-IR", IMAP_CAP_SASL_IR },
	};
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (imap_caps_has(d, tab[i].name))
			bits |= tab[i].bit;
	return bits;
}

size_t
imap_caps_appendlimit(const struct mailimap_capability_data *d)
{
	const struct mailimap_capability *cap;
	unsigned long long v;
	clistiter *it;
	char *end;

	if (d == NULL || d->cap_list == NULL)
		return 0;
	for (it = clist_begin(d->cap_list); it; it = clist_next(it)) {
		if ((cap = clist_content(it)) == NULL ||
		    cap->cap_type != MAILIMAP_CAPABILITY_NAME ||
		    cap->cap_data.cap_name == NULL ||
		    strncasecmp(cap->cap_data.cap_name, "APPENDLIMIT=", 12) != 0)
			continue;
		if (cap->cap_data.cap_name[12] < '0' ||
		    cap->cap_data.cap_name[12] > '9')
			continue;
		v = strtoull(cap->cap_data.cap_name + 12, &end, 10);
		if (*end == '\0' && v > 0 && v <= SIZE_MAX)
			return (size_t)v;
	}
	return 0;
}

/* The session's capability list as libetpan keeps it, or NULL. */
static const struct mailimap_capability_data *
session_caps(const struct imap_session *c)
{
	if (c->s == NULL || c->s->imap_connection_info == NULL)
		return NULL;
	return c->s->imap_connection_info->imap_capability;
}

/* Whether the server announced a capability. */
static int
has_cap(const struct imap_session *c, const char *name)
{
	return imap_caps_has(session_caps(c), name);
}

int
imap_session_has(const struct imap_session *c, const char *name)
{
	return has_cap(c, name);
}

static void
read_caps(struct imap_session *c)
{
	c->caps = imap_caps_bits(session_caps(c));
	c->literal_minus = has_cap(c, "LITERAL-");
	c->appendlimit = imap_caps_appendlimit(session_caps(c));
}

static int
login(struct imap_session *c, char *err, size_t errlen)
{
	const char *user = c->conf->user ? c->conf->user : c->conf->url.user;
	const char *mech = c->conf->auth ? c->conf->auth : "login";
	int r;

	if (user == NULL || *user == '\0') {
		imap_err(c, err, errlen, "no user name (put it in imap-url as "
		    "imaps://USER@host/)");
		return -1;
	}
	if (c->conf->password == NULL) {
		imap_err(c, err, errlen, "no password configured");
		return -1;
	}
	if (c->s->imap_connection_info->imap_capability == NULL) {
		r = ask_caps(c);
		if (r != MAILIMAP_NO_ERROR) {
			(void)imap_cmd_failed(c, r, "CAPABILITY", err, errlen);
			return -1;
		}
	}
	read_caps(c);
	if (strcasecmp(mech, "plain") == 0) {
		if (auth_plain(c, user, err, errlen) < 0)
			return -1;
	} else if (strcasecmp(mech, "xoauth2") == 0) {
		r = mailimap_oauth2_authenticate(c->s, user, c->conf->password);
		if (r != MAILIMAP_NO_ERROR)
			goto failed;
	} else if (strcasecmp(mech, "login") == 0) {
		if (has_cap(c, "LOGINDISABLED")) {
			imap_err(c, err, errlen, "login failed: server refuses "
			    "LOGIN (LOGINDISABLED)");
			c->authfail = 1;
			return -1;
		}
		r = mailimap_login(c->s, user, c->conf->password);
		if (r != MAILIMAP_NO_ERROR)
			goto failed;
	} else {
		imap_err(c, err, errlen, "unknown auth method \"%s\" (login, "
		    "plain, xoauth2)", mech);
		c->authfail = 1;
		return -1;
	}
	/* capabilities change after login: ask again (not trusting a
	 * [CAPABILITY] code with the OK: Dovecot's login process sends its
	 * own list there, not the one the session will have) */
	r = ask_caps(c);
	if (r != MAILIMAP_NO_ERROR) {
		(void)imap_cmd_failed(c, r, "CAPABILITY", err, errlen);
		return -1;
	}
	read_caps(c);
	return 0;
failed:
	if (imap_conn_lost(c, r)) {
		c->dead = 1;
		imap_err(c, err, errlen, "login failed: %s",
		    imap_conn_error_text(c, r));
	} else {
		c->authfail = 1;
		imap_err(c, err, errlen, "login failed: %s",
		    imap_server_text(c));
	}
	return -1;
}

/*
 * The personal prefix and hierarchy delimiter: from NAMESPACE where the
 * server offers it and names a personal namespace, else the delimiter of
 * LIST "" "" (one round trip either way).
 */
static void
learn_hierarchy(struct imap_session *c)
{
	struct mailimap_namespace_data *ns = NULL;
	struct mailimap_namespace_info *info;
	struct mailimap_mailbox_list *mb;
	clist *list = NULL;

	c->delim = '/';
	free(c->prefix);
	c->prefix = xstrdup("");
	if ((c->caps & IMAP_CAP_NAMESPACE) &&
	    mailimap_namespace(c->s, &ns) == MAILIMAP_NO_ERROR && ns != NULL) {
		info = NULL;
		if (ns->ns_personal != NULL &&
		    clist_begin(ns->ns_personal->ns_data_list) != NULL)
			info = clist_content(
			    clist_begin(ns->ns_personal->ns_data_list));
		if (info != NULL && info->ns_prefix != NULL) {
			free(c->prefix);
			c->prefix = xstrdup(info->ns_prefix);
		}
		if (info != NULL && info->ns_delimiter) {
			c->delim = info->ns_delimiter;
			mailimap_namespace_data_free(ns);
			return;
		}
		mailimap_namespace_data_free(ns);
	}
	if (mailimap_list(c->s, "", "", &list) == MAILIMAP_NO_ERROR &&
	    list != NULL && clist_begin(list) != NULL) {
		mb = clist_content(clist_begin(list));
		c->delim = mb->mb_delimiter;
	}
	if (list != NULL)
		mailimap_list_result_free(list);
}

/*
 * COMPRESS DEFLATE when the server offers it and is not on this machine
 * (on loopback it only costs CPU).  A refusal is not an error.
 */
static int
start_compress(struct imap_session *c, char *err, size_t errlen)
{
	int r;

	c->compressed = 0;
	if (c->loopback || !has_cap(c, "COMPRESS=DEFLATE"))
		return 0;
	if ((r = imap_command(c, "COMPRESS DEFLATE")) < 0)
		goto conn;
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return 0;
	/* the server compresses from the next byte on: nothing may be left
	 * in libetpan's plaintext buffer */
	if (c->s->imap_stream->read_buffer_len != 0 ||
	    imap_deflate_push(c->s->imap_stream, c->cap) < 0)
		goto conn;
	c->compressed = 1;
	return 0;
conn:
	c->dead = 1;
	imap_err(c, err, errlen, "COMPRESS: connection lost or failed");
	return -1;
}

void
imap_session_drop(struct imap_session *c)
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
connect_once(struct imap_session *c, char *err, size_t errlen)
{
	mailstream *st = NULL;
	int fd, r, implicit;

	imap_session_drop(c);
	c->s = mailimap_new(0, NULL);
	if (c->s == NULL) {
		imap_err(c, err, errlen, "out of memory");
		return -1;
	}
	mailimap_set_timeout(c->s, (time_t)c->conf->timeout);
	if ((fd = tcp_connect(c, err, errlen)) < 0)
		return -1;
	implicit = c->conf->tls == DELIVER_TLS_IMPLICIT;
	if (implicit) {
		st = mailstream_ssl_open_with_callback_timeout(fd,
		    (time_t)c->conf->timeout, tls_setup_cb, c->conf->url.host);
		if (st == NULL) {
			close(fd);
			imap_err(c, err, errlen, "TLS handshake failed (is "
			    "port %u an implicit-TLS port?)",
			    c->conf->url.port);
			return -1;
		}
		if (tls_verify(c, st, err, errlen) < 0) {
			mailstream_close(st);
			return -1;
		}
	} else {
		st = mailstream_socket_open_timeout(fd,
		    (time_t)c->conf->timeout);
		if (st == NULL) {
			close(fd);
			imap_err(c, err, errlen, "out of memory");
			return -1;
		}
	}
	if (cap_push(c, st) < 0) {
		mailstream_close(st);
		imap_err(c, err, errlen, "out of memory");
		return -1;
	}
	r = mailimap_connect(c->s, st);	/* owns st from here */
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		c->dead = 1;
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED)
			imap_err(c, err, errlen, "server greeted with PREAUTH; "
			    "refusing an unverified pre-authenticated session");
		else
			imap_err(c, err, errlen, "no IMAP greeting: %s",
			    imap_conn_lost(c, r) ? imap_conn_error_text(c, r) :
			    imap_server_text(c));
		return -1;
	}
	c->dead = 0;
	if (c->conf->tls == DELIVER_TLS_STARTTLS &&
	    starttls(c, err, errlen) < 0) {
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
int
imap_session_open(struct imap_session *c, char *err, size_t errlen)
{
	int i;

	if (c->s != NULL && !c->dead)
		return 0;
	if (c->authfail) {
		imap_err(c, err, errlen, "not retrying after a refused login");
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

/* Send "TAG cmd" and read the tagged reply (see imap_session.h). */
int
imap_command(struct imap_session *c, const char *cmd)
{
	int r;

	if (send_command(c, cmd) < 0)
		return -1;
	r = imap_read_tagged(c, NULL);
	return r == IMAP_RESP_CONTINUE ? -1 : r;
}

