/*
 * fsutil.c - the file-system helpers: paths, mkdir -p, atomic writes with
 * fsync, bounded reads.  The only file of lib/ that does I/O.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "util.h"

char *
fs_expand_path(const char *p)
{
	const char *home;
	struct buf b = BUF_INIT(0);

	if (p == NULL)
		return NULL;
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') &&
	    (home = getenv("HOME")) != NULL) {
		buf_puts(&b, home);
		buf_puts(&b, p + 1);
		return buf_steal(&b);
	}
	return xstrdup(p);
}

int
fs_mkdirs(const char *path, int dir, char *err, size_t errlen)
{
	char *p = xstrdup(path), *s;
	int r = -1;

	if (!dir) {
		if ((s = strrchr(p, '/')) == NULL) {
			r = 0;
			goto out;
		}
		*s = '\0';
	}
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (*p && mkdir(p, 0700) == -1 && errno != EEXIST) {
				errf(err, errlen, "mkdir %s: %s", p,
				    strerror(errno));
				goto out;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	r = 0;
out:
	free(p);
	return r;
}

static int
fsync_dir_of(const char *path, char *err, size_t errlen)
{
	char *d = xstrdup(path), *s;
	int fd, r = 0;

	if ((s = strrchr(d, '/')) != NULL)
		*(s == d ? s + 1 : s) = '\0';
	else
		strcpy(d, ".");
	if ((fd = open(d, O_RDONLY | O_DIRECTORY)) == -1 || fsync(fd) == -1) {
		errf(err, errlen, "fsync %s: %s", d, strerror(errno));
		r = -1;
	}
	if (fd != -1)
		close(fd);
	free(d);
	return r;
}

int
fs_write_atomic(const char *path, const void *data, size_t n, int mode,
    char *err, size_t errlen)
{
	struct buf tmp = BUF_INIT(0);
	const char *p = data;
	ssize_t w;
	int fd = -1, r = -1;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1) {
		errf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "write %s: %s", tmp.data,
			    strerror(errno));
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	/* fsync before rename: the new name must never point at lost data */
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		errf(err, errlen, "fsync %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) == -1) {
		errf(err, errlen, "rename %s: %s", path, strerror(errno));
		goto out;
	}
	r = fsync_dir_of(path, err, errlen);
out:
	if (fd != -1)
		close(fd);
	if (r == -1 && tmp.data)
		unlink(tmp.data);
	buf_free(&tmp);
	return r;
}

int
fs_read_file(const char *path, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max ||
		    buf_append(out, chunk, (size_t)n) == -1) {
			errf(err, errlen, "%s: file too large (over %zu bytes)",
			    path, max);
			goto out;
		}
	}
	r = 0;
out:
	close(fd);
	return r;
}
