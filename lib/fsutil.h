/*
 * fsutil.h - the file-system helpers (they do I/O): "~" expansion, mkdir -p,
 * atomic writes (temp file, fsync, rename, fsync the directory), bounded
 * whole-file reads.  Errors are one line in the caller's buffer.
 */
#ifndef RSS2MAIL_FSUTIL_H
#define RSS2MAIL_FSUTIL_H

#include <stddef.h>

struct buf;

/* "~/x" -> "$HOME/x"; returns a malloc'd string. */
char	*fs_expand_path(const char *);
/* mkdir -p for the directory part of a path (or the path with dir=1). */
int	 fs_mkdirs(const char *path, int dir, char *err, size_t errlen);
/* Write a file atomically: temp file in the same directory, fsync, rename,
 * fsync the directory. */
int	 fs_write_atomic(const char *path, const void *, size_t, int mode,
	    char *err, size_t errlen);
/* Read a whole file, at most max bytes (else an error "too large"). */
int	 fs_read_file(const char *path, size_t max, struct buf *out,
	    char *err, size_t errlen);

#endif
