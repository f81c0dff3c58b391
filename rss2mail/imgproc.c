/*
 * imgproc.c - image_prepare in a child process (see imgproc.h).
 *
 * One child per image, not one per pass like the parser's: the child needs
 * no request (fork hands it the bytes), a crash costs exactly the image
 * that caused it, and images are few next to feeds.  The answer is one
 * message: u64 length, then a 16-byte head (status + 8, width, height,
 * type index; little-endian u32 each) and the image's bytes, or the error
 * text.
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
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "image.h"
#include "imgproc.h"
#include "limits.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define IMGPROC_SANITIZED 1	/* ASan reserves terabytes: no RLIMIT_AS */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IMGPROC_SANITIZED 1
#endif
#endif

#define HEAD		16
#define REPLY_MAX	((uint64_t)LIM_IMAGE_CACHE + HEAD)

static const char *const types[] = {
	"image/jpeg", "image/png", "image/gif", "image/webp", NULL
};

static int
write_all(int fd, const void *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p = (const char *)p + k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read n bytes before deadline (a monotonic time in ms): 0; -1 at end of
 * file or on an error; -2 when the deadline passed. */
static int
read_all(int fd, void *p, size_t n, long long deadline)
{
	struct pollfd pfd;
	struct timespec ts;
	long long left;
	ssize_t k;
	int rc;

	while (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = deadline - ((long long)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000);
		if (left <= 0)
			return -2;
		pfd.fd = fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)left);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == 0)
			return -2;
		if (rc == -1)
			return -1;
		k = read(fd, p, n);
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
put32(unsigned char *d, uint32_t v)
{
	d[0] = (unsigned char)v;
	d[1] = (unsigned char)(v >> 8);
	d[2] = (unsigned char)(v >> 16);
	d[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *d)
{
	return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
	    (uint32_t)d[3] << 24;
}

static void
child_limits(void)
{
	struct rlimit rl;
#ifndef IMGPROC_SANITIZED
	long pages = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	if (pages > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)pages *
		    (rlim_t)sysconf(_SC_PAGESIZE) + IMGPROC_AS_EXTRA;
		setrlimit(RLIMIT_AS, &rl);
	}
#endif
	rl.rlim_cur = IMGPROC_CPU;
	rl.rlim_max = IMGPROC_CPU + 1;
	setrlimit(RLIMIT_CPU, &rl);
}

static void __attribute__((noreturn))
child(int fd, const void *data, size_t len, const struct image_opts *o)
{
	struct image_out out;
	unsigned char head[8 + HEAD];
	enum image_status st;
	char err[ERRLEN];
	const void *body;
	size_t blen, t;

	child_limits();
	if (getenv("RSS2MAIL_TEST_IMGPROC") &&
	    strcmp(getenv("RSS2MAIL_TEST_IMGPROC"), "crash") == 0)
		raise(SIGKILL);
	memset(&out, 0, sizeof(out));
	if (image_init(err, sizeof(err)) == -1)
		st = IMAGE_BROKEN;
	else
		st = image_prepare(data, len, o, &out, err, sizeof(err));
	memset(head, 0, sizeof(head));
	head[8] = (unsigned char)(st + 8);
	if (st == IMAGE_OK) {
		for (t = 0; types[t] && strcmp(types[t], out.type) != 0; t++)
			;
		if (types[t] == NULL)
			_exit(1);
		put32(head + 12, (uint32_t)out.width);
		put32(head + 16, (uint32_t)out.height);
		put32(head + 20, (uint32_t)t);
		body = out.data;
		blen = out.len;
	} else {
		body = err;
		blen = strlen(err);
	}
	put32(head, (uint32_t)(HEAD + blen));
	put32(head + 4, (uint32_t)((uint64_t)(HEAD + blen) >> 32));
	if (write_all(fd, head, sizeof(head)) == -1 ||
	    write_all(fd, body, blen) == -1)
		_exit(1);
	_exit(0);
}

static void
died(int status, char *err, size_t errlen)
{
	if (WIFSIGNALED(status))
		errf(err, errlen, "the image process was stopped by signal "
		    "%d (%s)", WTERMSIG(status), WTERMSIG(status) == SIGXCPU ?
		    "CPU time limit" : WTERMSIG(status) == SIGSEGV ? "crash" :
		    "crash or memory limit");
	else
		errf(err, errlen, "the image process exited (status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int
imgproc_start(struct imgproc *ip, const void *data, size_t len,
    const struct image_opts *o, char *err, size_t errlen)
{
	int fds[2];

	memset(ip, 0, sizeof(*ip));
	if (pipe2(fds, O_CLOEXEC) == -1) {
		errf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((ip->pid = fork()) == -1) {
		errf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		ip->pid = 0;
		return -1;
	}
	if (ip->pid == 0) {
		close(fds[0]);
		child(fds[1], data, len, o);
	}
	close(fds[1]);
	ip->fd = fds[0];
	return 0;
}

enum image_status
imgproc_finish(struct imgproc *ip, struct image_out *out, char *err,
    size_t errlen)
{
	unsigned char head[8 + HEAD];
	struct timespec ts;
	enum image_status st = IMAGE_BROKEN;
	long long deadline;
	uint64_t n;
	uint32_t t;
	char *body = NULL;
	int status, ok = 0, late = 0;

	memset(out, 0, sizeof(*out));
	if (ip->pid == 0) {
		errf(err, errlen, "no image process");
		return IMAGE_BROKEN;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
	    IMGPROC_SECONDS * 1000LL;
	if ((late = read_all(ip->fd, head, sizeof(head), deadline)) < 0)
		goto reap;
	n = (uint64_t)get32(head) | (uint64_t)get32(head + 4) << 32;
	if (n < HEAD || n > REPLY_MAX || head[8] < 5 || head[8] > 8)
		goto garbage;
	body = xmalloc((size_t)(n - HEAD) + 1);
	if ((late = read_all(ip->fd, body, (size_t)(n - HEAD),
	    deadline)) < 0)
		goto reap;
	body[n - HEAD] = '\0';
	st = (enum image_status)((int)head[8] - 8);
	if (st != IMAGE_OK) {
		errf(err, errlen, "%s", body);
		ok = 1;
		goto reap;
	}
	t = get32(head + 20);
	if (t >= sizeof(types) / sizeof(types[0]) - 1 ||
	    get32(head + 12) > 1000000 || get32(head + 16) > 1000000)
		goto garbage;
	out->data = body;
	out->len = (size_t)(n - HEAD);
	out->type = types[t];
	out->width = (int)get32(head + 12);
	out->height = (int)get32(head + 16);
	body = NULL;
	ok = 1;
	goto reap;
garbage:
	errf(err, errlen, "the image process answered garbage");
	st = IMAGE_BROKEN;
	ok = 1;
reap:
	close(ip->fd);
	if (!ok || st == IMAGE_OK)
		kill(ip->pid, SIGKILL);	/* late, or done: it may not linger */
	while (waitpid(ip->pid, &status, 0) == -1 && errno == EINTR)
		;
	ip->pid = 0;
	if (!ok) {
		st = IMAGE_BROKEN;
		if (late == -2)
			errf(err, errlen, "the image took longer than %d s "
			    "to prepare", IMGPROC_SECONDS);
		else
			died(status, err, errlen);
	}
	free(body);
	return st;
}

enum image_status
imgproc_prepare(const void *data, size_t len, const struct image_opts *o,
    struct image_out *out, char *err, size_t errlen)
{
	struct imgproc ip;

	memset(out, 0, sizeof(*out));
	if (imgproc_start(&ip, data, len, o, err, errlen) == -1)
		return IMAGE_BROKEN;
	return imgproc_finish(&ip, out, err, errlen);
}
