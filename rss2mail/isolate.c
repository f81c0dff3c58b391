/*
 * isolate.c - the parser child (see isolate.h).
 *
 * Parse isolation (parse-isolation = yes, the default): feeds are parsed by
 * a child process forked once per pass (on the first feed), with a limit on
 * its address space.  Each request is a feed's bytes and parse options over
 * a pipe; the answer is the parsed model, packed (feed_pack.h), or one line
 * of error.  A parser bug that crashes, loops or eats memory on a hostile
 * feed ends that child only: the feed gets a one-line error (a loop is cut
 * after PARSE_SECONDS) and the next feed gets a new child.  One child per
 * pass, not one per feed: a fork per feed cost ~2.5 ms each (make bench).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_pack.h"
#include "isolate.h"
#include "limits.h"
#include "util.h"
#define PARSE_SECONDS		30	/* wall time for one feed */
#define PARSE_AS_EXTRA		(768u << 20)	/* beyond the parent's size */
#define PARSE_REPLY_MAX		((size_t)LIM_FEED_ARENA * 2)
#define PARSE_REQUEST_MAX	((uint64_t)1 << 34)

#if defined(__SANITIZE_ADDRESS__)
#define PARSE_SANITIZED	1	/* ASan reserves terabytes: no RLIMIT_AS */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARSE_SANITIZED	1
#endif
#endif

static int
io_all(int fd, void *p, size_t n, int writing)
{
	ssize_t k;

	while (n > 0) {
		k = writing ? write(fd, p, n) : read(fd, p, n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p = (char *)p + k;
		n -= (size_t)k;
	}
	return 0;
}

static void
put_u64(struct buf *b, uint64_t v)
{
	unsigned char x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	buf_append(b, x, 8);
}

static void
set_u64(char *dst, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		dst[i] = (char)(unsigned char)(v >> (8 * i));
}

static uint64_t
get_u64(const unsigned char *x)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)x[i] << (8 * i);
	return v;
}

/* an option: u64 length with its NUL (0 for NULL), then the bytes */
static void
put_opt(struct buf *b, const char *s)
{
	put_u64(b, s ? strlen(s) + 1 : 0);
	if (s)
		buf_append(b, s, strlen(s) + 1);
}

static const char *
get_opt(const unsigned char **p, const unsigned char *end)
{
	uint64_t n;
	const char *s;

	if (end - *p < 8)
		return NULL;
	n = get_u64(*p);
	*p += 8;
	if (n == 0 || n > (uint64_t)(end - *p) || (*p)[n - 1] != '\0')
		return NULL;
	s = (const char *)*p;
	*p += n;
	return s;
}

static void
parser_limits(void)
{
#ifndef PARSE_SANITIZED
	struct rlimit rl;
	long pages = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	if (pages > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)pages *
		    (rlim_t)sysconf(_SC_PAGESIZE) + PARSE_AS_EXTRA;
		setrlimit(RLIMIT_AS, &rl);
	}
#endif
}

/*
 * The child: request = u64 length, then the feed's bytes and the three
 * options (each u64 length+1, 0 for NULL, then its bytes); reply = u64
 * length, then 'F' + packed model or 'E' + error text.
 */
static void __attribute__((noreturn))
parser_child(int in, int out)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct buf rep = BUF_INIT(PARSE_REPLY_MAX);
	struct feed_parse_opts po;
	struct feed *f;
	unsigned char hdr[8], *req = NULL;
	const unsigned char *p, *end, *body;
	char err[ERRLEN];
	uint64_t n, blen;
	size_t cap = 0;

	parser_limits();
	for (;;) {
		if (io_all(in, hdr, 8, 0) == -1)
			_exit(0);		/* the parent is done */
		n = get_u64(hdr);
		if (n < 8 || n > PARSE_REQUEST_MAX)
			_exit(1);
		if (n > cap) {
			req = xrealloc(req, (size_t)n);
			cap = (size_t)n;
		}
		if (io_all(in, req, (size_t)n, 0) == -1)
			_exit(1);
		p = req;
		end = req + n;
		blen = get_u64(p);
		p += 8;
		if (blen > (uint64_t)(end - p))
			_exit(1);
		body = p;
		p += blen;
		memset(&po, 0, sizeof(po));
		po.base_url = get_opt(&p, end);
		po.content_location = get_opt(&p, end);
		po.http_charset = get_opt(&p, end);
		/* test hook (tests/integration/test_isolation.py): a feed
		 * holding the marker crashes or hangs the parser */
		if (getenv("RSS2MAIL_TEST_PARSER") && memmem(body,
		    (size_t)blen, "rss2mail-test-parser", 20) != NULL) {
			/* SIGKILL: no sanitizer's handler can take it, so
			 * every build dies here the same way */
			if (strcmp(getenv("RSS2MAIL_TEST_PARSER"),
			    "crash") == 0)
				raise(SIGKILL);
			for (;;)
				pause();
		}
		arena_reset(a);
		buf_reset(&rep);
		put_u64(&rep, 0);		/* the length, set below */
		if (feed_parse((const char *)body, (size_t)blen, &po, a, &f,
		    err, sizeof(err)) == -1) {
			buf_putc(&rep, 'E');
			buf_puts(&rep, err);
		} else if (buf_putc(&rep, 'F') == -1 ||
		    feed_pack(f, &rep) == -1) {
			buf_reset(&rep);
			put_u64(&rep, 0);
			buf_puts(&rep, "Efeed too large");
		}
		set_u64(rep.data, rep.len - 8);
		if (io_all(out, rep.data, rep.len, 1) == -1)
			_exit(1);
	}
}

static void
parser_stop(struct isolate *ps, int kill_it)
{
	if (ps->pid == 0)
		return;
	close(ps->to);
	close(ps->from);
	if (kill_it)
		kill(ps->pid, SIGKILL);
	while (waitpid(ps->pid, NULL, 0) == -1 && errno == EINTR)
		;
	ps->pid = 0;
}

static int
parser_start(struct isolate *ps, char *err, size_t errlen)
{
	int req[2], rep[2];

	if (pipe2(req, O_CLOEXEC) == -1) {
		errf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(rep, O_CLOEXEC) == -1) {
		errf(err, errlen, "pipe: %s", strerror(errno));
		close(req[0]);
		close(req[1]);
		return -1;
	}
	if ((ps->pid = fork()) == -1) {
		errf(err, errlen, "fork: %s", strerror(errno));
		close(req[0]); close(req[1]); close(rep[0]); close(rep[1]);
		ps->pid = 0;
		return -1;
	}
	if (ps->pid == 0) {
		close(req[1]);
		close(rep[0]);
		parser_child(req[0], rep[1]);
	}
	close(req[0]);
	close(rep[1]);
	ps->to = req[1];
	ps->from = rep[0];
	return 0;
}

/* The child closed its pipe: it crashed or hit its memory limit and is
 * exiting; reap it (a SIGKILL cannot change how it ended). */
static void
parser_reap(struct isolate *ps, int *status)
{
	close(ps->to);
	close(ps->from);
	kill(ps->pid, SIGKILL);
	while (waitpid(ps->pid, status, 0) == -1 && errno == EINTR)
		;
	ps->pid = 0;
}

static void
parser_died(int status, char *err, size_t errlen)
{
	if (WIFSIGNALED(status))
		errf(err, errlen, "the parser process was stopped by signal "
		    "%d (%s)", WTERMSIG(status), WTERMSIG(status) == SIGSEGV ?
		    "crash" : "crash or memory limit");
	else
		errf(err, errlen, "the parser process exited (status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Wait for readable data on fd until deadline; 0 ready, -1 timed out. */
static int
wait_readable(int fd, time_t deadline)
{
	struct pollfd pfd;
	long left;
	int rc;

	for (;;) {
		left = (long)(deadline - time(NULL));
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)(left * 1000));
		if (rc == -1 && errno == EINTR)
			continue;
		return rc > 0 ? 0 : -1;
	}
}

/* Send one feed to the parser child; the answer is read by
 * isolate_receive.
 * -1: the child could not take it (err says why; it was reaped). */
int
isolate_send(struct isolate *ps, const char *data, size_t len,
    const struct feed_parse_opts *po, char *err, size_t errlen)
{
	struct buf req = BUF_INIT(0);
	int status;

	if (ps->pid == 0 && parser_start(ps, err, errlen) == -1)
		return -1;
	put_u64(&req, 0);
	put_u64(&req, len);
	buf_append(&req, data, len);
	put_opt(&req, po->base_url);
	put_opt(&req, po->content_location);
	put_opt(&req, po->http_charset);
	set_u64(req.data, req.len - 8);
	ps->limit = getenv("RSS2MAIL_TEST_PARSE_SECONDS") ?
	    atoi(getenv("RSS2MAIL_TEST_PARSE_SECONDS")) : PARSE_SECONDS;
	ps->deadline = time(NULL) + ps->limit;
	if (io_all(ps->to, req.data, req.len, 1) == 0) {
		buf_free(&req);
		return 0;
	}
	buf_free(&req);
	parser_reap(ps, &status);
	parser_died(status, err, errlen);
	return -1;
}

/* The child's answer to the last isolate_send, unpacked into a. */
int
isolate_receive(struct isolate *ps, struct arena *a, struct feed **out,
    char *err, size_t errlen)
{
	struct buf rep = BUF_INIT(0);
	unsigned char hdr[8];
	uint64_t n;
	int status, r = -1;

	if (wait_readable(ps->from, ps->deadline) == -1) {
		errf(err, errlen, "the parser took longer than %d s",
		    ps->limit);
		parser_stop(ps, 1);
		goto out;
	}
	if (io_all(ps->from, hdr, 8, 0) == -1)
		goto died;
	n = get_u64(hdr);
	if (n == 0 || n > PARSE_REPLY_MAX) {
		errf(err, errlen, "the parser process answered %llu bytes",
		    (unsigned long long)n);
		parser_stop(ps, 1);
		goto out;
	}
	rep.data = xmalloc((size_t)n + 1);
	rep.cap = (size_t)n + 1;
	if (io_all(ps->from, rep.data, (size_t)n, 0) == -1)
		goto died;
	rep.len = (size_t)n;
	rep.data[rep.len] = '\0';
	if (rep.data[0] == 'E') {
		errf(err, errlen, "%s", rep.data + 1);
		goto out;
	}
	r = feed_unpack(rep.data + 1, rep.len - 1, a, out, err, errlen);
	goto out;
died:
	parser_reap(ps, &status);
	parser_died(status, err, errlen);
out:
	buf_free(&rep);
	return r;
}

void
isolate_stop(struct isolate *ps)
{
	parser_stop(ps, 0);
}
