/*
 * testutil.c - helpers the unit tests share; see testutil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fsutil.h"
#include "limits.h"
#include "testutil.h"

unsigned
tu_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed;
}

size_t
tu_random_text(char *out, size_t room, const struct tu_pieces *p,
    size_t maxpieces, unsigned *seed)
{
	size_t n, i, k, len, range;
	unsigned r;

	len = (tu_rand(seed) >> 16) % maxpieces;
	for (n = 0, i = 0; i < len && n < room; i++) {
		r = tu_rand(seed);
		if (p->raw_one_in != 0 && (r >> 16) % p->raw_one_in == 0) {
			out[n++] = (char)(r >> 8);
			continue;
		}
		range = p->common == 0 || (p->all_one_in != 0 &&
		    (r >> 8) % p->all_one_in == 0) ? p->n : p->common;
		k = (r >> 16) % range;
		if (p->piece[k][0] == '\0')
			out[n++] = '\0';
		else {
			memcpy(out + n, p->piece[k], strlen(p->piece[k]));
			n += strlen(p->piece[k]);
		}
	}
	return n;
}

void
tu_assert_same_buf(int ra, const struct buf *a, int rb, const struct buf *b)
{
	assert_int_equal(ra, rb);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->overflow, b->overflow);
	assert_memory_equal(buf_str(a), buf_str(b), a->len + 1);
}

int
tu_count_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

char	tu_tmpdir[64];

int
tu_tmpdir_setup(void **state)
{
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/rss2mail-test.XXXXXX");
	return mkdtemp(tu_tmpdir) == NULL ? -1 : 0;
}

int
tu_tmpdir_teardown(void **state)
{
	struct buf cmd = BUF_INIT(0);
	int r;

	buf_printf(&cmd, "rm -rf '%s'", tu_tmpdir);
	r = system(cmd.data);
	buf_free(&cmd);
	return r == 0 ? 0 : -1;
}

void
tu_slurp(const char *path, struct buf *b)
{
	char err[ERRLEN];

	buf_reset(b);
	if (fs_read_file(path, 1 << 26, b, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

char *
tu_write_file(const char *dir, const char *name, const char *text,
    size_t len)
{
	struct buf path = BUF_INIT(0);
	char err[ERRLEN];

	buf_printf(&path, "%s/%s", dir, name);
	if (fs_write_atomic(path.data, text, len, 0600, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return buf_steal(&path);
}

double
tu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
tu_assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}
