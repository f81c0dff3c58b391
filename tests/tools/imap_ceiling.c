/*
 * imap_ceiling.c - the server's own APPEND ceiling, for `make bench`.
 *
 *   IMAP_CEILING_PASSWORD=pw imap_ceiling HOST PORT USER FOLDER BATCH SRC
 *
 * SRC is a directory of message files (all regular files in it, in name
 * order; LF or CRLF, sent as CRLF) or "gen:N:SIZE" for N generated
 * messages of about SIZE bytes.  The tool is the most direct client there
 * is: one plain TCP connection, LOGIN, CREATE FOLDER, then MULTIAPPEND
 * commands of BATCH messages with LITERAL+ literals, each written in one
 * go, waiting only for the tagged reply.  No TLS, no libetpan, no parsing
 * beyond finding the tagged line.  Only the APPEND phase is timed.
 *
 * Output, one line:  ceiling messages=N bytes=B seconds=S rate=R
 * Exit 0 on success, 1 on any error (with one line on stderr).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "imap_wire.h"
#include "util.h"

int main(int, char **);

struct msg {
	char	*data;
	size_t	 len;
};

static int sock = -1;
static char rbuf[65536];
static size_t rlen;

static void
die(const char *what)
{
	fprintf(stderr, "imap_ceiling: %s%s%s\n", what, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	exit(1);
}

static void
send_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(sock, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("send");
		p += w;
		n -= (size_t)w;
	}
}

/* Read lines until one starts with "TAG "; returns 1 for OK, else 0. */
static int
wait_tag(const char *tag)
{
	size_t tl = strlen(tag);
	char *nl;
	ssize_t r;
	int ok;

	for (;;) {
		while ((nl = memchr(rbuf, '\n', rlen)) != NULL) {
			size_t ll = (size_t)(nl - rbuf) + 1;

			if (ll > tl && memcmp(rbuf, tag, tl) == 0 &&
			    rbuf[tl] == ' ') {
				ok = ll > tl + 3 && memcmp(rbuf + tl + 1, "OK",
				    2) == 0;
				if (!ok)
					fprintf(stderr, "imap_ceiling: %.*s",
					    (int)ll, rbuf);
				memmove(rbuf, rbuf + ll, rlen - ll);
				rlen -= ll;
				return ok;
			}
			memmove(rbuf, rbuf + ll, rlen - ll);
			rlen -= ll;
		}
		if (rlen == sizeof(rbuf))
			rlen = 0;	/* an overlong line: drop it */
		r = recv(sock, rbuf + rlen, sizeof(rbuf) - rlen, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("connection closed");
		rlen += (size_t)r;
	}
}

static void
tcp_open(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = { 120, 0 };
	int one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		die("cannot resolve host");
	for (ai = res; ai; ai = ai->ai_next) {
		sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (sock >= 0 && connect(sock, ai->ai_addr, ai->ai_addrlen)
		    == 0)
			break;
		if (sock >= 0)
			close(sock);
		sock = -1;
	}
	freeaddrinfo(res);
	if (sock < 0)
		die("connect");
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
add_crlf(struct msg *m, const char *p, size_t n)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			buf_putc(&b, '\r');
		buf_putc(&b, p[i]);
	}
	m->len = b.len;
	m->data = buf_steal(&b);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct msg *
load_dir(const char *dir, size_t *np)
{
	struct buf raw = BUF_INIT(64u << 20), path = BUF_INIT(0);
	struct dirent *de;
	struct msg *m = NULL;
	char **names = NULL, err[256];
	size_t n = 0, i;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		die(dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmpstr);
	m = xcalloc(n ? n : 1, sizeof(*m));
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, names[i]);
		buf_reset(&raw);
		if (fs_read_file(path.data, raw.max, &raw, err,
		    sizeof(err)) < 0) {
			errno = 0;
			die(err);
		}
		add_crlf(&m[i], buf_str(&raw), raw.len);
		free(names[i]);
	}
	free(names);
	buf_free(&raw);
	buf_free(&path);
	*np = n;
	return m;
}

static struct msg *
generate(size_t n, size_t size)
{
	struct buf b = BUF_INIT(0);
	struct msg *m = xcalloc(n ? n : 1, sizeof(*m));
	size_t i;

	for (i = 0; i < n; i++) {
		buf_reset(&b);
		buf_printf(&b, "From: Ceiling <ceiling@example.org>\r\n"
		    "To: me@example.org\r\nSubject: ceiling %zu\r\n"
		    "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
		    "Message-ID: <ceiling.%ld.%zu@example.org>\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n\r\n",
		    i, (long)getpid(), i);
		while (b.len + 60 < size)
			buf_puts(&b, "The quick brown fox jumps over the lazy "
			    "dog, again and again\r\n");
		m[i].len = b.len;
		m[i].data = buf_steal(&b);
	}
	return m;
}

int
main(int argc, char **argv)
{
	struct buf cmd = BUF_INIT(0);
	struct timespec t0, t1;
	const char *pw = getenv("IMAP_CEILING_PASSWORD");
	struct msg *m;
	size_t n, i, j, k, batch, bytes = 0, gn, gsize;
	unsigned tag = 0;
	char tagstr[32];
	double secs;

	if (argc != 7 || pw == NULL || (batch = strtoul(argv[5], NULL, 10))
	    == 0) {
		fprintf(stderr, "usage: IMAP_CEILING_PASSWORD=pw imap_ceiling "
		    "HOST PORT USER FOLDER BATCH DIR|gen:N:SIZE\n");
		return 1;
	}
	if (sscanf(argv[6], "gen:%zu:%zu", &gn, &gsize) == 2)
		m = generate(n = gn, gsize);
	else
		m = load_dir(argv[6], &n);
	tcp_open(argv[1], argv[2]);
	if (!wait_tag("*"))
		die("no greeting");
	buf_puts(&cmd, "L LOGIN ");
	imap_wire_quoted(&cmd, argv[3]);
	buf_putc(&cmd, ' ');
	imap_wire_quoted(&cmd, pw);
	buf_puts(&cmd, "\r\n");
	send_all(cmd.data, cmd.len);
	if (!wait_tag("L"))
		die("login failed");
	buf_reset(&cmd);
	buf_puts(&cmd, "C CREATE ");
	imap_wire_quoted(&cmd, argv[4]);
	buf_puts(&cmd, "\r\n");
	send_all(cmd.data, cmd.len);
	(void)wait_tag("C");		/* it may exist already */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i += k) {
		k = n - i < batch ? n - i : batch;
		snprintf(tagstr, sizeof(tagstr), "A%u", ++tag);
		buf_reset(&cmd);
		buf_printf(&cmd, "%s APPEND ", tagstr);
		imap_wire_quoted(&cmd, argv[4]);
		for (j = i; j < i + k; j++) {
			buf_printf(&cmd, " \"26-Nov-2026 10:00:00 +0000\" "
			    "{%zu+}\r\n", m[j].len);
			buf_append(&cmd, m[j].data, m[j].len);
			bytes += m[j].len;
		}
		buf_puts(&cmd, "\r\n");
		send_all(cmd.data, cmd.len);
		if (!wait_tag(tagstr)) {
			errno = 0;
			die("APPEND refused");
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	send_all("Z LOGOUT\r\n", 10);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("ceiling messages=%zu bytes=%zu seconds=%.3f rate=%.1f\n", n,
	    bytes, secs, secs > 0 ? (double)n / secs : 0.0);
	for (i = 0; i < n; i++)
		free(m[i].data);
	free(m);
	buf_free(&cmd);
	close(sock);
	return 0;
}
