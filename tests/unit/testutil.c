/*
 * testutil.c - helpers the unit tests share; see testutil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <string.h>

#include "buf.h"
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
