/*
 * smtp.c - SMTP and LMTP delivery on libetpan's mailsmtp client (smtp.h
 * has the contract: envelope, exactly-once window, failure reach).
 *
 * libetpan does the greeting, EHLO/LHLO and its extension list, STARTTLS,
 * AUTH (Cyrus SASL for PLAIN and LOGIN, its own XOAUTH2), RSET, QUIT and
 * the message transfer (mailstream_send_data: CRLF line ends, dot-stuffing,
 * the final dot).  Two things it cannot do are ours, on its stream:
 *   - PIPELINING (RFC 2920): its calls write one command and wait for the
 *     reply, so the transaction's commands (MAIL FROM, RCPT TO..., and DATA
 *     for a single recipient) are written as one group and their replies
 *     read in order;
 *   - LMTP's replies after the data (one per recipient, RFC 2033), and
 *     keeping the reply text that says why a command was refused.
 * Its own TLS verifies nothing (FACTS.md): the chain goes to
 * imap_tls_verify, as for IMAP, before anything is trusted or sent.
 *
 * Deliberately not here: retries of a refused message (the caller's
 * journal decides), SMTPUTF8 and 8BITMIME (messages are 7-bit), DSN.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "imap_tls.h"
#include "limits.h"
#include "smtp.h"
#include "smtp_stream.h"
#include "util.h"

#define SMTP_ERRLEN		512

_Static_assert(SMTP_MAX_RCPT >= LIM_RCPT && SMTP_MAX_RCPT <= 64,
    "every address `to` may hold fits a transaction (and struct smtp's told)");
#define SMTP_CMD_MAX		(SMTP_MAX_ADDR + 64)
#define SMTP_REPLY_LINES	100	/* lines in one reply */
#define SMTP_LINE_MAX		2048	/* bytes in one reply line */
#define SMTP_IDLE_NOOP		60	/* seconds idle before a NOOP check */
#define SMTP_RX_CAP		(64u << 10)	/* received per exchange */

struct smtp {
	mailsmtp	*s;
	struct smtp_rx	*rx;		/* receive cap (owned by the stream) */
	MMAPString	*line;
	char		*host;		/* NULL for a unix socket */
	char		*path;		/* unix socket path */
	unsigned	 port;
	int		 lmtp;
	enum smtp_tls	 tls;
	char		*ca_file;
	char		*fingerprint;
	char		*user;
	char		*password;
	char		*auth;
	char		*from;
	char		**rcpt;
	size_t		 nrcpt;
	long		 timeout;
	int		 dead;		/* no usable connection */
	int		 garbled;	/* the last reply was not SMTP */
	time_t		 used;		/* last exchange with the server */
	enum smtp_status last;		/* of the last refused append */
	struct txn	*txn;		/* the transaction's replies */
	uint64_t	 told;		/* recipients whose refusal was told */
	char		 note[SMTP_ERRLEN];	/* smtp_note */
};

struct reply {
	int	code;
	char	text[SMTP_ERRLEN];
};

/* -- small helpers ------------------------------------------------------ */

static void
serr(const struct smtp *c, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
serr(const struct smtp *c, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[SMTP_ERRLEN];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* it may quote what a config or a server said: one printable line */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < ' ' || msg[i] == 127)
			msg[i] = '?';
	if (c == NULL)
		errf(err, errlen, "%s", msg);
	else if (c->host != NULL)
		errf(err, errlen, "%s %s: %s", c->lmtp ? "lmtp" : "smtp",
		    c->host, msg);
	else
		errf(err, errlen, "lmtp %s: %s", c->path, msg);
}

/* An address we can put between < and >: printable, no space or <>, with
 * something on both sides of its last '@'. */
static int
addr_ok(const char *a)
{
	const char *at;
	size_t n, i;

	if (a == NULL || (n = strlen(a)) == 0 || n > SMTP_MAX_ADDR)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)a[i] <= ' ' || (unsigned char)a[i] >= 127 ||
		    a[i] == '<' || a[i] == '>')
			return 0;
	at = strrchr(a, '@');
	return at != NULL && at != a && at[1] != '\0';
}

/*
 * Append the server's text to dst as one printable line: line breaks
 * become spaces (libetpan joins a reply's lines with '\n'), other control
 * characters '?', trailing space dropped.
 */
static void
text_put(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(dst);

	if (n > 0 && n + 1 < dstlen && *src != '\0')
		dst[n++] = ' ';
	for (; *src && n + 1 < dstlen; src++)
		dst[n++] = *src == '\n' || *src == '\r' ? ' ' :
		    (unsigned char)*src < ' ' || (unsigned char)*src == 127 ?
		    '?' : *src;
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/* What libetpan kept of the last reply (greeting, EHLO, AUTH, STARTTLS). */
static const char *
lib_text(const struct smtp *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (c->s != NULL && c->s->response != NULL) {
		snprintf(buf, len, "%d", c->s->response_code);
		text_put(buf, len, c->s->response);
	}
	return buf[0] ? buf : "no reply";
}

static enum smtp_status
code_status(int code)
{
	if (code >= 200 && code < 400)
		return SMTP_OK;
	if (code >= 400 && code < 500)
		return SMTP_TEMP;
	if (code >= 500 && code < 600)
		return SMTP_PERM;
	return SMTP_STORE;
}

/* A new exchange with the server: a new receive budget. */
static void
begin(struct smtp *c)
{
	smtp_rx_reset(c->rx);
	c->garbled = 0;
}

/* Why the last read failed, for "...: %s". */
static const char *
lost(const struct smtp *c)
{
	if (c->garbled)
		return "the server's reply is not SMTP; giving up";
	switch (smtp_rx_tripped(c->rx)) {
	case SMTP_RX_FLOOD:
		return "server sent more than 64 KB in one reply; giving up";
	case SMTP_RX_SLOW:
		return "server too slow (trickling its reply); giving up";
	default:
		return "connection lost";
	}
}

/* Put the receive cap on st; -1 when out of memory. */
static int
rx_push(struct smtp *c, mailstream *st)
{
	c->rx = smtp_rx_push(st, SMTP_RX_CAP, 2000LL * c->timeout);
	return c->rx != NULL ? 0 : -1;
}

/*
 * Test hooks for the kill tests, as run.c's: RSS2MAIL_TEST_CRASH=POINT:N
 * SIGKILLs the process the Nth time it reaches POINT.  "smtp-before-data":
 * the server said 354, nothing of the message is sent (a kill here leaves
 * no message); "smtp-after-dot": the final dot is sent, its reply not read
 * (the window of smtp.h: the server may keep the message).  Unset, they
 * cost one getenv per message.
 */
static void
test_hook(const char *point)
{
	static long seen;
	const char *spec;
	char name[32];
	long n;

	if ((spec = getenv("RSS2MAIL_TEST_CRASH")) != NULL &&
	    sscanf(spec, "%31[a-z-]:%ld", name, &n) == 2 &&
	    strcmp(name, point) == 0 &&
	    __atomic_add_fetch(&seen, 1, __ATOMIC_SEQ_CST) == n)	/* threads */
		raise(SIGKILL);
}

/* -- URL ---------------------------------------------------------------- */

static int
parse_url(struct smtp *c, const char *url, char *err, size_t errlen)
{
	const char *p, *hs, *he, *colon;
	char *end;
	unsigned long port = 0;
	int implicit = 0;

	if (url == NULL || *url == '\0') {
		serr(NULL, err, errlen, "no SMTP/LMTP URL configured");
		return -1;
	}
	if (url[0] == '/' || (strncasecmp(url, "lmtp:/", 6) == 0 &&
	    url[6] != '/')) {
		p = url[0] == '/' ? url : url + 5;
		if (
		    strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			serr(NULL, err, errlen, "bad LMTP socket path '%s'",
			    url);
			return -1;
		}
		c->lmtp = 1;
		c->path = xstrdup(p);
		return 0;
	}
	if (strncasecmp(url, "smtp://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "smtps://", 8) == 0) {
		p = url + 8;
		implicit = 1;
	} else if (strncasecmp(url, "lmtp://", 7) == 0) {
		p = url + 7;
		c->lmtp = 1;
	} else {
		serr(NULL, err, errlen, "URL '%s' is not smtp://, smtps://, "
		    "lmtp:// or a socket path", url);
		return -1;
	}
	if (*p == '[') {
		hs = p + 1;
		if ((he = strchr(hs, ']')) == NULL)
			goto bad;
		colon = he[1] == ':' ? he + 1 : NULL;
		if (he[1] != ':' && he[1] != '\0' && he[1] != '/')
			goto bad;
	} else {
		hs = p;
		he = hs + strcspn(hs, ":/");
		colon = *he == ':' ? he : NULL;
	}
	if (he == hs || (size_t)(he - hs) > 253)
		goto bad;
	if (colon != NULL) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || port == 0 || port > 65535 ||
		    (*end != '\0' && strcmp(end, "/") != 0))
			goto bad;
	} else if ((he[0] == ']' ? he[1] : he[0]) != '\0' &&
	    strcmp(he[0] == ']' ? he + 1 : he, "/") != 0)
		goto bad;
	c->host = xstrndup(hs, (size_t)(he - hs));
	if (strpbrk(c->host, "@ ") != NULL)
		goto bad;
	if (port == 0)
		port = c->lmtp ? 24 : implicit ? 465 : c->user ? 587 : 25;
	c->port = (unsigned)port;
	if (c->tls == SMTP_TLS_DEFAULT)
		c->tls = c->lmtp ? SMTP_TLS_NONE : implicit ?
		    SMTP_TLS_IMPLICIT : SMTP_TLS_STARTTLS;
	return 0;
bad:
	serr(NULL, err, errlen, "bad URL '%s' (smtp://host[:port])", url);
	return -1;
}

/* -- connecting --------------------------------------------------------- */

static int
wait_connect(int fd, long timeout)
{
	struct pollfd pfd;
	socklen_t sl;
	int r, soerr = 0;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, (int)(timeout * 1000));
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return ETIMEDOUT;
	if (r < 0)
		return errno;
	sl = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

/* TCP to host:port, or the unix socket; bounded; the fd or -1. */
static int
sock_connect(struct smtp *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_un sun;
	char port[8];
	int fd = -1, r, fl, soerr = 0, one = 1;

	if (c->path != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, c->path, strlen(c->path));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun,
		    sizeof(sun)) < 0) {
			serr(c, err, errlen, "connect: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->port);
	if ((r = getaddrinfo(c->host, port, &hints, &res)) != 0) {
		serr(c, err, errlen, "cannot resolve host: %s",
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
		soerr = r == 0 ? 0 : errno != EINPROGRESS ? errno :
		    wait_connect(fd, c->timeout);
		if (soerr == 0) {
			(void)fcntl(fd, F_SETFL, fl);
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		serr(c, err, errlen, "connect to port %u: %s", c->port,
		    strerror(soerr ? soerr : ECONNREFUSED));
	return fd;
}

/* Called by libetpan before the TLS handshake: SNI for host names. */
static void
tls_setup_cb(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	if (strspn(host, "0123456789.") != strlen(host) &&
	    strchr(host, ':') == NULL)
		(void)mailstream_ssl_set_server_name(ctx, (char *)host);
}

static int
tls_verify(struct smtp *c, mailstream *st, char *err, size_t errlen)
{
	struct imap_tls_cert certs[IMAP_TLS_MAX_CHAIN];
	char why[SMTP_ERRLEN];
	MMAPString *der;
	carray *chain;
	unsigned i, n;
	int r;

	if ((chain = mailstream_get_certificate_chain(st)) == NULL) {
		serr(c, err, errlen, "TLS: server sent no certificate");
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
	r = imap_tls_verify(certs, n, c->host, c->ca_file, c->fingerprint,
	    why, sizeof(why));
	mailstream_certificate_chain_free(chain);
	if (r < 0)
		serr(c, err, errlen, "TLS: %s; not sending anything", why);
	return r;
}

/* EHLO (our address literal, else the host name) or LHLO. */
static int
hello(struct smtp *c, char *err, size_t errlen)
{
	char why[SMTP_ERRLEN];
	int r;

	begin(c);
	if (c->lmtp)
		r = mailesmtp_lhlo(c->s, "localhost");
	else if ((r = mailesmtp_ehlo_with_ip(c->s, 1)) ==
	    MAILSMTP_ERROR_HOSTNAME)
		r = mailesmtp_ehlo(c->s);
	if (r != MAILSMTP_NO_ERROR) {
		serr(c, err, errlen, "%s: %s", c->lmtp ? "LHLO" : "EHLO",
		    r == MAILSMTP_ERROR_STREAM ? lost(c) :
		    lib_text(c, why, sizeof(why)));
		return -1;
	}
	return 0;
}

/*
 * STARTTLS, then the handshake on the same socket and our check of the
 * chain.  Bytes the server sent after its 220 would be read as if they
 * came through TLS (CVE-2020-15953's pattern): refuse the connection.
 */
static int
starttls(struct smtp *c, char *err, size_t errlen)
{
	mailstream_low *low, *tlow;
	char why[SMTP_ERRLEN];
	int r, fd;

	if (!(c->s->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
		serr(c, err, errlen, "server does not offer STARTTLS; "
		    "refusing to send without TLS (tls = none allows it)");
		return -1;
	}
	begin(c);
	r = mailesmtp_starttls(c->s);
	/* libetpan >= 1.9.4 itself fails when data follows the 220
	 * (CVE-2020-15953); say why, and check either way */
	if (c->s->stream != NULL && c->s->stream->read_buffer_len != 0) {
		serr(c, err, errlen, "STARTTLS: server sent data before the "
		    "TLS handshake; refusing the connection");
		return -1;
	}
	if (r != MAILSMTP_NO_ERROR) {
		serr(c, err, errlen, "STARTTLS: %s",
		    r == MAILSMTP_ERROR_STREAM ? lost(c) :
		    lib_text(c, why, sizeof(why)));
		return -1;
	}
	low = mailstream_get_low(c->s->stream);
	if ((fd = mailstream_low_get_fd(low)) < 0) {
		serr(c, err, errlen, "STARTTLS: no socket");
		return -1;
	}
	tlow = mailstream_low_tls_open_with_callback_timeout(fd,
	    (time_t)c->timeout, tls_setup_cb, c->host);
	if (tlow == NULL) {
		serr(c, err, errlen, "STARTTLS: TLS handshake failed");
		return -1;
	}
	mailstream_low_free(low);	/* the cap and the plain layer */
	c->rx = NULL;
	mailstream_set_low(c->s->stream, tlow);
	if (rx_push(c, c->s->stream) < 0) {
		serr(c, err, errlen, "out of memory");
		return -1;
	}
	if (tls_verify(c, c->s->stream, err, errlen) < 0)
		return -1;
	/* forget what was learnt in plain text: ask again */
	return hello(c, err, errlen);
}

static int
authenticate(struct smtp *c, char *err, size_t errlen)
{
	char why[SMTP_ERRLEN], host[256];
	const char *mech;
	int r, flag;

	if (c->user == NULL)
		return 0;
	begin(c);
	mech = c->auth;
	if (mech == NULL)
		mech = c->s->auth & MAILSMTP_AUTH_PLAIN ? "plain" : "login";
	if (strcasecmp(mech, "xoauth2") == 0) {
		r = mailsmtp_oauth2_authenticate(c->s, c->user,
		    c->password ? c->password : "");
		goto done;
	}
	if (strcasecmp(mech, "plain") == 0)
		flag = MAILSMTP_AUTH_PLAIN;
	else if (strcasecmp(mech, "login") == 0)
		flag = MAILSMTP_AUTH_LOGIN;
	else {
		serr(c, err, errlen, "unknown auth '%s' (plain, login, "
		    "xoauth2)", mech);
		return -1;
	}
	if (!(c->s->auth & flag)) {
		serr(c, err, errlen, "server does not offer AUTH %s%s",
		    flag == MAILSMTP_AUTH_PLAIN ? "PLAIN" : "LOGIN",
		    c->s->auth & (MAILSMTP_AUTH_PLAIN | MAILSMTP_AUTH_LOGIN) ?
		    "" : " (no AUTH before TLS?)");
		return -1;
	}
	snprintf(host, sizeof(host), "%s", c->host ? c->host : "localhost");
	r = mailesmtp_auth_sasl(c->s, flag == MAILSMTP_AUTH_PLAIN ? "PLAIN" :
	    "LOGIN", host, NULL, NULL, c->user, c->user,
	    c->password ? c->password : "", NULL);
done:
	if (r == MAILSMTP_NO_ERROR)
		return 0;
	if (r == MAILSMTP_ERROR_STREAM)
		serr(c, err, errlen, "AUTH: %s", lost(c));
	else if (c->s->response_code >= 400)
		serr(c, err, errlen, "authentication failed: %s",
		    lib_text(c, why, sizeof(why)));
	else
		serr(c, err, errlen, "authentication failed: %s",
		    mailsmtp_strerror(r));
	return -1;
}

static void
session_drop(struct smtp *c)
{
	if (c->s == NULL)
		return;
	if (c->s->stream != NULL) {
		if (!c->dead)
			(void)mailsmtp_quit(c->s);	/* closes the stream */
		else {
			mailstream_close(c->s->stream);
			c->s->stream = NULL;
		}
	}
	mailsmtp_free(c->s);
	c->s = NULL;
	c->rx = NULL;			/* freed with the stream */
	c->dead = 1;
}

/* TCP or socket, TLS, greeting, EHLO, STARTTLS, AUTH. */
static int
connect_once(struct smtp *c, char *err, size_t errlen)
{
	char why[SMTP_ERRLEN];
	mailstream *st;
	int fd, r;

	session_drop(c);
	if ((c->s = mailsmtp_new(0, NULL)) == NULL) {
		serr(c, err, errlen, "out of memory");
		return -1;
	}
	mailsmtp_set_timeout(c->s, (time_t)c->timeout);
	if ((fd = sock_connect(c, err, errlen)) < 0)
		return -1;
	if (c->tls == SMTP_TLS_IMPLICIT) {
		st = mailstream_ssl_open_with_callback_timeout(fd,
		    (time_t)c->timeout, tls_setup_cb, c->host);
		if (st == NULL) {
			close(fd);
			serr(c, err, errlen, "TLS handshake failed (is port "
			    "%u an implicit-TLS port?)", c->port);
			return -1;
		}
		if (tls_verify(c, st, err, errlen) < 0) {
			mailstream_close(st);
			return -1;
		}
	} else if ((st = mailstream_socket_open_timeout(fd,
	    (time_t)c->timeout)) == NULL) {
		close(fd);
		serr(c, err, errlen, "out of memory");
		return -1;
	}
	if (rx_push(c, st) < 0) {
		mailstream_close(st);
		serr(c, err, errlen, "out of memory");
		return -1;
	}
	r = mailsmtp_connect(c->s, st);		/* owns st, even on failure */
	if (r != MAILSMTP_NO_ERROR) {
		/* libetpan closed the stream, and the cap with it */
		c->rx = NULL;
		serr(c, err, errlen, "no greeting: %s",
		    r == MAILSMTP_ERROR_STREAM ? "connection lost, or a "
		    "greeting over 64 KB or too slow" :
		    lib_text(c, why, sizeof(why)));
		return -1;
	}
	c->dead = 0;
	if (hello(c, err, errlen) < 0 ||
	    (c->tls == SMTP_TLS_STARTTLS && starttls(c, err, errlen) < 0) ||
	    authenticate(c, err, errlen) < 0) {
		c->dead = 1;
		return -1;
	}
	c->used = time(NULL);
	return 0;
}

/* -- our half of the protocol: command groups and their replies ---------- */

static int
put(struct smtp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
put(struct smtp *c, const char *fmt, ...)
{
	char cmd[SMTP_CMD_MAX + 32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	if (mailstream_write(c->s->stream, cmd, (size_t)n) != n)
		return -1;
	return 0;
}

/*
 * Read one reply (all its lines); -1 when the connection failed or what
 * came is not an SMTP reply.  r->text: the lines joined, one printable
 * line, code first ("550 5.7.23 ...").
 */
static int
get(struct smtp *c, struct reply *r)
{
	const char *line;
	size_t n;
	int i, code;

	if (mailstream_flush(c->s->stream) < 0)
		return -1;
	begin(c);
	r->code = 0;
	r->text[0] = '\0';
	for (i = 0; i < SMTP_REPLY_LINES; i++) {
		line = mailstream_read_line_remove_eol(c->s->stream, c->line);
		if (line == NULL)
			return -1;
		n = strlen(line);
		if (n < 3 || n > SMTP_LINE_MAX || !isdigit((unsigned char)
		    line[0]) || !isdigit((unsigned char)line[1]) ||
		    !isdigit((unsigned char)line[2]) ||
		    (line[3] != ' ' && line[3] != '-' && line[3] != '\0'))
			goto garbled;
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		if (r->code != 0 && code != r->code)
			goto garbled;
		if (r->code == 0) {
			r->code = code;
			snprintf(r->text, sizeof(r->text), "%d", code);
		}
		if (n > 4)
			text_put(r->text, sizeof(r->text), line + 4);
		if (line[3] != '-') {
			c->used = time(NULL);
			return 0;
		}
	}
garbled:
	c->garbled = 1;
	return -1;
}

enum { K_MAIL, K_RCPT, K_DATA };

/*
 * One transaction's replies.  Each recipient has its own fate: its RCPT
 * reply, and for LMTP its reply after the data.  rs[i].text keeps a
 * refusal's reply for the error or the note.
 */
struct rcpt_fate {
	enum smtp_status st;
	int		 after;		/* LMTP: refused after the data */
	char		 text[SMTP_ERRLEN];
};

struct txn {
	struct rcpt_fate rs[SMTP_MAX_RCPT];
	enum smtp_status mail;		/* MAIL FROM's, or DATA's refusal */
	char		 why[SMTP_ERRLEN];	/* its reply */
	int		 data_sent;	/* DATA is in the group */
	int		 data_open;	/* 354 seen */
	int		 kinds[SMTP_MAX_RCPT + 2];
	size_t		 owed;		/* replies not read yet */
	size_t		 next;		/* index of the next reply's kind */
	size_t		 rcpt_i;	/* whose RCPT reply comes next */
};

static size_t
accepted(const struct smtp *c, const struct txn *t)
{
	size_t i, n = 0;

	for (i = 0; i < c->nrcpt; i++)
		n += t->rs[i].st == SMTP_OK;
	return n;
}

/* Read every reply owed; 0, or -1 when the connection failed. */
static int
collect(struct smtp *c, struct txn *t)
{
	struct reply r;
	enum smtp_status st;
	int kind;

	for (; t->owed > 0; t->owed--, t->next++) {
		if (get(c, &r) < 0)
			return -1;
		kind = t->kinds[t->next];
		st = code_status(r.code);
		if (kind == K_RCPT) {
			t->rs[t->rcpt_i].st = st;
			if (st != SMTP_OK)
				snprintf(t->rs[t->rcpt_i].text,
				    sizeof(t->rs[0].text), "%s", r.text);
			t->rcpt_i++;
			continue;
		}
		if (kind == K_DATA && r.code == 354) {
			t->data_open = 1;
			continue;
		}
		if (st == SMTP_OK && kind == K_MAIL)
			continue;
		/* a DATA after every RCPT was refused only echoes them
		 * ("no valid recipients"): the recipients' replies say why */
		if (kind == K_DATA && accepted(c, t) == 0)
			continue;
		if (st == SMTP_OK)
			st = SMTP_STORE;	/* DATA without 354 */
		if (kind == K_MAIL && r.code == 552)
			st = SMTP_TOOBIG;
		/* after a refused MAIL FROM the server only echoes it
		 * ("need MAIL command"): the first refusal says why */
		if (t->mail == SMTP_OK) {
			t->mail = st;
			if (kind == K_MAIL)
				errf(t->why, sizeof(t->why),
				    "MAIL FROM:<%s>: %s", c->from, r.text);
			else
				errf(t->why, sizeof(t->why), "DATA: %s",
				    r.text);
		}
	}
	return 0;
}

static int
owe(struct smtp *c, struct txn *t, int kind)
{
	t->kinds[t->next + t->owed++] = kind;
	if (kind == K_DATA)
		t->data_sent = 1;
	/* without PIPELINING every command waits for its reply */
	if (!(c->s->esmtp & MAILSMTP_ESMTP_PIPELINING))
		return collect(c, t);
	return 0;
}

/*
 * No recipient took the message: what that means for it.  A deferral
 * (4xx) makes it temporary, as a later run may find that recipient
 * willing; else too big (552) before permanent.  The reply told is that
 * recipient's, named.  probe: any refusal counts, a 5xx told first (a
 * recipient the server refuses for good is what `check` must show).
 */
static enum smtp_status
verdict(const struct smtp *c, const struct txn *t, int probe, char *why,
    size_t whylen)
{
	static const enum smtp_status order[] = { SMTP_STORE, SMTP_TEMP,
	    SMTP_TOOBIG, SMTP_PERM };
	static const enum smtp_status probe_order[] = { SMTP_STORE,
	    SMTP_PERM, SMTP_TOOBIG, SMTP_TEMP };
	const enum smtp_status *o = probe ? probe_order : order;
	size_t k, i;

	for (k = 0; k < 4; k++)
		for (i = 0; i < c->nrcpt; i++)
			if (t->rs[i].st == o[k]) {
				errf(why, whylen, "%s<%s>: %s",
				    t->rs[i].after ? "" : "RCPT TO:",
				    c->rcpt[i], t->rs[i].text);
				return o[k];
			}
	errf(why, whylen, "no recipient");
	return SMTP_PERM;
}

/*
 * MAIL FROM, RCPT TO each, and (unless probe) DATA up to its 354.
 * SMTP_OK with the server waiting for data, when at least one recipient
 * took it (t->rs says which); otherwise the transaction was reset (or
 * the session is dead: SMTP_STORE).  probe: SMTP_OK only when every
 * recipient took it.
 */
static enum smtp_status
envelope(struct smtp *c, struct txn *t, size_t size, int probe, char *err,
    size_t errlen)
{
	struct reply r;
	enum smtp_status st;
	char why[SMTP_ERRLEN];
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((c->s->esmtp & MAILSMTP_ESMTP_SIZE) && size > 0) {
		if (put(c, "MAIL FROM:<%s> SIZE=%zu\r\n", c->from, size) < 0)
			goto lost;
	} else if (put(c, "MAIL FROM:<%s>\r\n", c->from) < 0)
		goto lost;
	if (owe(c, t, K_MAIL) < 0)
		goto lost;
	for (i = 0; i < c->nrcpt && t->mail == SMTP_OK; i++)
		if (put(c, "RCPT TO:<%s>\r\n", c->rcpt[i]) < 0 ||
		    owe(c, t, K_RCPT) < 0)
			goto lost;
	/*
	 * DATA rides in the group: a server that refused every RCPT refuses
	 * it too, and one that took any recipient gets the message (the
	 * others are told in the note, smtp.h).  Without PIPELINING it
	 * waits for a recipient that took it.
	 */
	if (!probe && t->mail == SMTP_OK &&
	    (c->s->esmtp & MAILSMTP_ESMTP_PIPELINING || accepted(c, t) > 0)) {
		if (put(c, "DATA\r\n") < 0 || owe(c, t, K_DATA) < 0)
			goto lost;
	}
	if (collect(c, t) < 0)
		goto lost;
	if (t->mail != SMTP_OK) {
		st = t->mail;
		snprintf(why, sizeof(why), "%s", t->why);
	} else if (accepted(c, t) == 0 || (probe && accepted(c, t) <
	    c->nrcpt))
		st = verdict(c, t, probe, why, sizeof(why));
	else if (probe || t->data_open)
		return SMTP_OK;
	else {
		st = SMTP_STORE;	/* cannot happen: DATA was owed */
		snprintf(why, sizeof(why), "no reply to DATA");
	}
	if (t->data_open) {
		/* a 354 after all (a server that ignored a refusal): end an
		 * empty message, which has no recipient left */
		if (put(c, ".\r\n") < 0 || get(c, &r) < 0)
			goto lost;
	}
	if (st == SMTP_STORE) {
		serr(c, err, errlen, "unexpected reply: %s", why);
		c->dead = 1;
		return SMTP_STORE;
	}
	serr(c, err, errlen, "%s", why);
	begin(c);
	if (mailsmtp_reset(c->s) != MAILSMTP_NO_ERROR) {
		c->dead = 1;
		/* the message is refused either way; the next one finds
		 * the session dead */
	}
	return st;
lost:
	c->dead = 1;
	serr(c, err, errlen, "MAIL FROM/RCPT TO/DATA: %s", lost(c));
	return SMTP_STORE;
}

/*
 * The note of a message delivered to some recipients only: each refusal
 * not told before in this session, once (smtp.h).
 */
static void
note_refusals(struct smtp *c, const struct txn *t)
{
	char one[SMTP_ERRLEN + SMTP_MAX_ADDR + 128];
	size_t i, n;

	c->note[0] = '\0';
	for (i = 0; i < c->nrcpt; i++) {
		if (t->rs[i].st == SMTP_OK || (c->told >> i & 1))
			continue;
		c->told |= (uint64_t)1 << i;
		snprintf(one, sizeof(one), "%s<%s> %s it: %s", c->note[0] ?
		    "; " : "", c->rcpt[i], t->rs[i].st == SMTP_TEMP ?
		    "deferred" : "refused", t->rs[i].text);
		n = strlen(c->note);
		snprintf(c->note + n, sizeof(c->note) - n, "%s", one);
	}
	if (c->note[0] != '\0') {
		n = strlen(c->note);
		snprintf(c->note + n, sizeof(c->note) - n, " (delivered to "
		    "the other recipients, not sent again for it: said once "
		    "per run)");
	}
}

/* A connection idle for a while may have been closed by the server. */
static int
revive(struct smtp *c, char *err, size_t errlen)
{
	if (!c->dead && time(NULL) - c->used >= SMTP_IDLE_NOOP) {
		begin(c);
		if (mailsmtp_noop(c->s) != MAILSMTP_NO_ERROR)
			c->dead = 1;
	}
	if (!c->dead)
		return 0;
	return connect_once(c, err, errlen);
}

/* -- public ------------------------------------------------------------- */

static void
smtp_free(struct smtp *c)
{
	size_t i;

	if (c == NULL)
		return;
	session_drop(c);
	if (c->line != NULL)
		mmap_string_free(c->line);
	free(c->host);
	free(c->path);
	free(c->ca_file);
	free(c->fingerprint);
	free(c->user);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->auth);
	free(c->from);
	for (i = 0; i < c->nrcpt; i++)
		free(c->rcpt[i]);
	free(c->rcpt);
	free(c->txn);
	free(c);
}

static enum smtp_status
smtp_new(struct smtp **out, const struct smtp_cfg *cfg, char *err,
    size_t errlen)
{
	struct smtp *c;
	size_t i;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	c->txn = xcalloc(1, sizeof(*c->txn));
	c->dead = 1;
	c->tls = cfg->tls;
	c->timeout = cfg->timeout > 0 ? cfg->timeout : 60;
	c->ca_file = xstrdup(cfg->ca_file);
	c->fingerprint = xstrdup(cfg->fingerprint);
	c->user = cfg->user && *cfg->user ? xstrdup(cfg->user) : NULL;
	c->password = xstrdup(cfg->password);
	c->auth = xstrdup(cfg->auth);
	if ((c->line = mmap_string_new("")) == NULL) {
		smtp_free(c);
		errf(err, errlen, "out of memory");
		return SMTP_STORE;
	}
	if (parse_url(c, cfg->url, err, errlen) < 0)
		goto bad;
	if (!addr_ok(cfg->from)) {
		serr(c, err, errlen, "bad envelope sender '%s'",
		    cfg->from ? cfg->from : "");
		goto bad;
	}
	if (cfg->nrcpt == 0 || cfg->nrcpt > SMTP_MAX_RCPT) {
		serr(c, err, errlen, "%zu recipients (1 to %d)", cfg->nrcpt,
		    SMTP_MAX_RCPT);
		goto bad;
	}
	c->from = xstrdup(cfg->from);
	c->rcpt = xcalloc(cfg->nrcpt, sizeof(*c->rcpt));
	for (i = 0; i < cfg->nrcpt; i++) {
		if (!addr_ok(cfg->rcpt[i])) {
			serr(c, err, errlen, "bad recipient '%s'",
			    cfg->rcpt[i] ? cfg->rcpt[i] : "");
			goto bad;
		}
		c->rcpt[c->nrcpt++] = xstrdup(cfg->rcpt[i]);
	}
	*out = c;
	return SMTP_OK;
bad:
	smtp_free(c);
	return SMTP_PERM;
}

enum smtp_status
smtp_open(struct smtp **out, const struct smtp_cfg *cfg, char *err,
    size_t errlen)
{
	enum smtp_status st;
	struct smtp *c;

	if ((st = smtp_new(&c, cfg, err, errlen)) != SMTP_OK) {
		*out = NULL;
		return st;
	}
	if (connect_once(c, err, errlen) < 0) {
		smtp_free(c);
		*out = NULL;
		return SMTP_STORE;
	}
	*out = c;
	return SMTP_OK;
}

enum smtp_status
smtp_send(struct smtp *c, const char *data, size_t len, char *err,
    size_t errlen)
{
	struct reply r;
	struct txn *t;
	enum smtp_status st;
	char why[SMTP_ERRLEN];
	size_t i, n;

	c->note[0] = '\0';
	if (c->dead) {
		serr(c, err, errlen, "connection lost earlier in this run");
		return SMTP_STORE;
	}
	if (c->s->smtp_max_msg_size > 0 && len > c->s->smtp_max_msg_size) {
		serr(c, err, errlen, "message of %zu bytes is over the "
		    "server's SIZE of %zu", len, c->s->smtp_max_msg_size);
		return SMTP_TOOBIG;
	}
	if (revive(c, err, errlen) < 0)
		return SMTP_STORE;
	t = c->txn;
	if ((st = envelope(c, t, len, 0, err, errlen)) != SMTP_OK)
		return st;
	/*
	 * libetpan ends the data with CRLF "." CRLF itself: a message that
	 * already ends in CRLF would gain an empty line, so the last CRLF
	 * is left to it.  From the final dot to the reply is the window of
	 * smtp.h: nothing else happens in it.
	 */
	n = len;
	if (n >= 2 && data[n - 2] == '\r' && data[n - 1] == '\n')
		n -= 2;
	test_hook("smtp-before-data");
	if (mailstream_send_data(c->s->stream, data, n, 0, NULL) < 0) {
		c->dead = 1;
		serr(c, err, errlen, "connection lost while sending the "
		    "message (not delivered)");
		return SMTP_STORE;
	}
	test_hook("smtp-after-dot");
	/* SMTP: one reply for the message; LMTP: one for each recipient
	 * that took it, in order (RFC 2033 4.2) */
	for (i = 0; i < (c->lmtp ? c->nrcpt : 1); i++) {
		if (c->lmtp && t->rs[i].st != SMTP_OK)
			continue;
		if (get(c, &r) < 0) {
			c->dead = 1;
			serr(c, err, errlen, "no reply after the message (%s): "
			    "it may or may not have been delivered", lost(c));
			return SMTP_STORE;
		}
		st = code_status(r.code);
		if (st == SMTP_OK && r.code >= 300)
			st = SMTP_STORE;
		if (r.code == 552)
			st = SMTP_TOOBIG;
		if (st == SMTP_STORE) {
			c->dead = 1;
			serr(c, err, errlen, "message refused: unexpected "
			    "reply %s", r.text);
			return SMTP_STORE;
		}
		if (!c->lmtp && st != SMTP_OK) {
			serr(c, err, errlen, "message refused: %s", r.text);
			return st;
		}
		if (st != SMTP_OK) {
			t->rs[i].st = st;
			t->rs[i].after = 1;
			snprintf(t->rs[i].text, sizeof(t->rs[i].text), "%s",
			    r.text);
		}
	}
	if (accepted(c, t) == 0) {
		st = verdict(c, t, 0, why, sizeof(why));
		serr(c, err, errlen, "message refused: %s", why);
		return st;
	}
	note_refusals(c, t);
	return SMTP_OK;
}

const char *
smtp_note(const struct smtp *c)
{
	return c->note;
}

size_t
smtp_max_size(const struct smtp *c)
{
	return c->s != NULL ? c->s->smtp_max_msg_size : 0;
}

int
smtp_pipelining(const struct smtp *c)
{
	return c->s != NULL && (c->s->esmtp & MAILSMTP_ESMTP_PIPELINING);
}

void
smtp_close(struct smtp *c)
{
	smtp_free(c);
}

enum smtp_status
smtp_probe(const struct smtp_cfg *cfg, char *err, size_t errlen)
{
	enum smtp_status st;
	struct smtp *c;

	if ((st = smtp_open(&c, cfg, err, errlen)) != SMTP_OK)
		return st;
	st = envelope(c, c->txn, 0, 1, err, errlen);
	if (st == SMTP_OK)
		begin(c);
	if (st == SMTP_OK && mailsmtp_reset(c->s) != MAILSMTP_NO_ERROR) {
		c->dead = 1;
		serr(c, err, errlen, "RSET refused or connection lost");
		st = SMTP_STORE;
	}
	smtp_close(c);
	return st;
}

int
smtp_check_envelope(const char *from, const char *envelope_from,
    char *err, size_t errlen)
{
	const char *a = from ? strrchr(from, '@') : NULL;
	const char *b = envelope_from ? strrchr(envelope_from, '@') : NULL;

	if (a != NULL && b != NULL && strcasecmp(a, b) == 0)
		return 0;
	errf(err, errlen, "envelope-from %s is not in the domain of from "
	    "(%s): SPF and DMARC would not align", envelope_from ?
	    envelope_from : "(none)", a ? a + 1 : from ? from : "(none)");
	return -1;
}

/* -- struct deliver_ops ------------------------------------------------- */

void
smtp_cfg_from_deliver(struct smtp_cfg *sc, const struct deliver_cfg *dc,
    const char *url, const char *from, const char *const *rcpt,
    size_t nrcpt)
{
	static const enum smtp_tls tls[] = {
		[DELIVER_TLS_DEFAULT] = SMTP_TLS_DEFAULT,
		[DELIVER_TLS_IMPLICIT] = SMTP_TLS_IMPLICIT,
		[DELIVER_TLS_STARTTLS] = SMTP_TLS_STARTTLS,
		[DELIVER_TLS_NONE] = SMTP_TLS_NONE,
	};

	memset(sc, 0, sizeof(*sc));
	sc->url = url;
	sc->tls = (unsigned)dc->tls < sizeof(tls) / sizeof(tls[0]) ?
	    tls[dc->tls] : SMTP_TLS_DEFAULT;
	sc->ca_file = dc->ca_file;
	sc->fingerprint = dc->fingerprint;
	sc->user = dc->user;
	sc->password = dc->password;
	sc->auth = dc->auth;
	sc->from = from;
	sc->rcpt = rcpt;
	sc->nrcpt = nrcpt;
	sc->timeout = dc->timeout;
}

enum deliver_status
smtp_deliver_open(void **ctx, const struct smtp_cfg *cfg, char *err,
    size_t errlen)
{
	struct smtp *c;

	*ctx = NULL;
	if (smtp_open(&c, cfg, err, errlen) != SMTP_OK)
		return DELIVER_STORE;
	*ctx = c;
	return DELIVER_OK;
}

static enum deliver_status
ops_open(void **ctx, const struct deliver_cfg *dc, char *err, size_t errlen)
{
	struct smtp_cfg sc;

	smtp_cfg_from_deliver(&sc, dc, dc->url, dc->envelope_from, dc->rcpt,
	    dc->nrcpt);
	return smtp_deliver_open(ctx, &sc, err, errlen);
}

/* smtp_status -> how deliver.h says a message was refused */
static enum deliver_refusal
refusal_of(enum smtp_status st)
{
	switch (st) {
	case SMTP_PERM: return DELIVER_REFUSED_PERM;
	case SMTP_TOOBIG: return DELIVER_REFUSED_TOOBIG;
	case SMTP_OK: return DELIVER_REFUSED_NONE;
	default: return DELIVER_REFUSED_TEMP;
	}
}

static enum deliver_status
ops_probe(const struct deliver_cfg *dc, enum deliver_refusal *refused,
    char *err, size_t errlen)
{
	struct smtp_cfg sc;
	enum smtp_status st;

	smtp_cfg_from_deliver(&sc, dc, dc->url, dc->envelope_from, dc->rcpt,
	    dc->nrcpt);
	st = smtp_probe(&sc, err, errlen);
	*refused = refusal_of(st);
	return st == SMTP_OK ? DELIVER_OK : st == SMTP_STORE ? DELIVER_STORE :
	    DELIVER_MSG;
}

static enum deliver_status
ops_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	(void)ctx;
	(void)folder;
	(void)err;
	(void)errlen;
	return DELIVER_OK;
}

static enum deliver_status
ops_has_msgid(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	(void)ctx;
	(void)folder;
	(void)msgid;
	(void)err;
	(void)errlen;
	*found = 0;
	return DELIVER_OK;
}

static enum deliver_status
ops_append(void *ctx, const char *folder, struct deliver_msg *msgs, size_t n,
    size_t *done, char *err, size_t errlen)
{
	struct smtp *c = ctx;
	enum smtp_status st;

	(void)folder;
	for (*done = 0; *done < n; (*done)++) {
		st = smtp_send(c, msgs[*done].data, msgs[*done].len, err,
		    errlen);
		if (st == SMTP_STORE)
			return DELIVER_STORE;
		if (st != SMTP_OK) {
			c->last = st;
			msgs[*done].refused = refusal_of(st);
			msgs[*done].size_limit = smtp_max_size(c);
			return DELIVER_MSG;
		}
		snprintf(msgs[*done].note, sizeof(msgs[*done].note), "%s",
		    c->note);
	}
	return DELIVER_OK;
}

static void
ops_close(void *ctx)
{
	smtp_close(ctx);
}

static size_t
ops_size_limit(void *ctx)
{
	return smtp_max_size(ctx);
}

enum smtp_status
smtp_deliver_last(void *ctx)
{
	return ctx != NULL ? ((struct smtp *)ctx)->last : SMTP_OK;
}

const struct deliver_ops deliver_smtp = {
	.name = "smtp",
	.open = ops_open,
	.ensure_folder = ops_ensure_folder,
	.has_msgid = ops_has_msgid,
	.append = ops_append,
	.close = ops_close,
	.remove_msgid = NULL,
	.expire = NULL,
	.probe = ops_probe,
	.unsearchable = 1,
	.size_limit = ops_size_limit,
};

/* The same ops; the URL (lmtp://host:port or a socket path) says LMTP. */
const struct deliver_ops deliver_lmtp = {
	.name = "lmtp",
	.open = ops_open,
	.ensure_folder = ops_ensure_folder,
	.has_msgid = ops_has_msgid,
	.append = ops_append,
	.close = ops_close,
	.remove_msgid = NULL,
	.expire = NULL,
	.probe = ops_probe,
	.unsearchable = 1,
	.size_limit = ops_size_limit,
};
