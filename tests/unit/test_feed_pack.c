/*
 * test_feed_pack.c - the parsed model through feed_pack/feed_unpack comes
 * back the same (compared as feedparser JSON) for every fixture feed, and
 * damaged or forged bytes are an error, never a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_pack.h"
#include "limits.h"
#include "util.h"
#include "fsutil.h"

#define FEEDS	"tests/data/feeds"

static int
round_trip(const char *path)
{
	struct buf in = BUF_INIT(0), packed = BUF_INIT(0);
	struct buf j1 = BUF_INIT(0), j2 = BUF_INIT(0);
	struct arena *a = arena_new(LIM_FEED_ARENA), *b = arena_new(
	    LIM_FEED_ARENA);
	struct feed_parse_opts po;
	struct feed *f, *g;
	char err[256];
	int parsed = 0;

	memset(&po, 0, sizeof(po));
	po.base_url = "http://example.org/feed";
	assert_int_equal(fs_read_file(path, 1 << 24, &in, err, sizeof(err)),
	    0);
	if (feed_parse(buf_str(&in), in.len, &po, a, &f, err,
	    sizeof(err)) == 0) {
		parsed = 1;
		assert_int_equal(feed_pack(f, &packed), 0);
		assert_int_equal(feed_unpack(packed.data, packed.len, b, &g,
		    err, sizeof(err)), 0);
		assert_int_equal(feed_to_json(f, &j1), 0);
		assert_int_equal(feed_to_json(g, &j2), 0);
		assert_string_equal(buf_str(&j1), buf_str(&j2));
		assert_int_equal(f->nentries, g->nentries);
		assert_int_equal(f->ttl, g->ttl);
	}
	buf_free(&in);
	buf_free(&packed);
	buf_free(&j1);
	buf_free(&j2);
	arena_free(a);
	arena_free(b);
	return parsed;
}

static void
test_every_fixture(void **unused)
{
	struct dirent *de;
	char path[512];
	DIR *d = opendir(FEEDS);
	int n = 0, tried = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || (l > 5 &&
		    strcmp(de->d_name + l - 5, ".json") == 0) || (l > 5 &&
		    strcmp(de->d_name + l - 5, ".opts") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", FEEDS, de->d_name);
		tried++;
		n += round_trip(path);
	}
	closedir(d);
	assert_true(tried >= 10);
	assert_true(n >= 10);		/* most fixtures are feeds */
}

static void
test_damaged_bytes(void **unused)
{
	const char *rss = "<rss version=\"2.0\"><channel><title>T</title>"
	    "<item><title>a</title><guid>1</guid></item>"
	    "<item><title>b</title><guid>2</guid><category>x</category>"
	    "</item></channel></rss>";
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct buf packed = BUF_INIT(0);
	struct feed *f, *g;
	char err[256], *copy;
	size_t i;

	assert_int_equal(feed_parse(rss, strlen(rss), NULL, a, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(feed_pack(f, &packed), 0);
	/* every truncation fails cleanly */
	for (i = 0; i < packed.len; i++) {
		arena_reset(a);
		assert_int_equal(feed_unpack(packed.data, i, a, &g, err,
		    sizeof(err)), -1);
		assert_null(g);
		assert_non_null(strstr(err, "parser process"));
	}
	/* every single flipped byte: an error or a valid model */
	copy = xmalloc(packed.len);
	for (i = 0; i < packed.len; i++) {
		memcpy(copy, packed.data, packed.len);
		copy[i] ^= 0xA5;
		arena_reset(a);
		if (feed_unpack(copy, packed.len, a, &g, err,
		    sizeof(err)) == 0) {
			struct entry *e;

			for (e = g->entries; e; e = e->next)
				assert_non_null(e->id);
		}
	}
	free(copy);
	buf_free(&packed);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_damaged_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
