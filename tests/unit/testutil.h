/*
 * testutil.h - helpers the unit tests share (linked into every one of
 * them): a tiny random generator and random text made of pieces, a check
 * of a function's output against its reference implementation's, a
 * count of the files in a directory, and scratch files.
 */
#ifndef RSS2MAIL_TESTUTIL_H
#define RSS2MAIL_TESTUTIL_H

#include <stddef.h>

struct buf;

/* The LCG the tests draw from: advances *seed and returns its new value. */
unsigned tu_rand(unsigned *seed);

/* What random text is made of (see tu_random_text). */
struct tu_pieces {
	const char *const *piece;	/* "" stands for one NUL byte */
	size_t n;			/* how many pieces */
	size_t common;			/* draw from the first `common` only ... */
	unsigned all_one_in;		/* ... but from all n one time in this
					 * many (0: never); common 0: all n */
	unsigned raw_one_in;		/* a random byte instead of a piece one
					 * time in this many (0: never) */
};

/*
 * Fill out with up to (tu_rand(seed) >> 16) % maxpieces pieces and random
 * bytes, stopping early once `room` bytes are written (out must hold room
 * plus the longest piece).  Returns the number of bytes written.
 */
size_t tu_random_text(char *out, size_t room, const struct tu_pieces *p,
    size_t maxpieces, unsigned *seed);

/*
 * Assert a function and its reference implementation agreed: the same
 * return value and the same buffer (length, overflow, bytes).
 */
void tu_assert_same_buf(int ra, const struct buf *a, int rb,
    const struct buf *b);

/* How many files not starting with '.' path holds (-1: no directory). */
int tu_count_files(const char *path);

/* Seconds on the monotonic clock, for "stays linear" checks. */
double tu_now(void);

/* Assert got is NULL when want is, else the same string. */
void tu_assert_str_or_null(const char *got, const char *want);

/*
 * The scratch directory of a test group:
 * cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown)
 * makes /tmp/rss2mail-test.XXXXXX, names it in tu_tmpdir, and removes it
 * with everything in it at the end.
 */
extern char tu_tmpdir[64];
int tu_tmpdir_setup(void **state);
int tu_tmpdir_teardown(void **state);
/* The whole file at path into b (reset first); fails the test when it
 * cannot be read. */
void tu_slurp(const char *path, struct buf *b);
/* Write text[0..len) to dir/name (mode 0600, atomically) and return that
 * path (malloc'd); fails the test on error. */
char *tu_write_file(const char *dir, const char *name, const char *text,
    size_t len);

#endif
