/*
 * test_imgcache.c - the pass's image cache: hits by URL and policy,
 * remembered failures, the byte and entry bounds, and pinning (what a
 * waiting message holds is never evicted or replaced under it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "imgcache.h"

static void
test_hit_and_policy(void **unused)
{
	struct imgcache *c = imgcache_new(1000, 10);
	const struct imgcache_ent *e;

	assert_null(imgcache_get(c, "http://a/x.png", 1));
	e = imgcache_put(c, "http://a/x.png", 1, "image/png", "PNGDATA", 7);
	assert_non_null(e);
	e = imgcache_get(c, "http://a/x.png", 1);
	assert_non_null(e);
	assert_string_equal(e->type, "image/png");
	assert_int_equal(e->len, 7);
	assert_memory_equal(e->data, "PNGDATA", 7);
	/* the same URL under another private-address policy is not a hit */
	assert_null(imgcache_get(c, "http://a/x.png", 3));
	assert_null(imgcache_get(c, "http://a/x.pn", 1));
	/* a failure is remembered, without bytes */
	imgcache_put(c, "http://dead/y.png", 1, NULL, "ignored", 7);
	e = imgcache_get(c, "http://dead/y.png", 1);
	assert_non_null(e);
	assert_null(e->type);
	assert_int_equal(e->len, 0);
	assert_int_equal(imgcache_count(c), 2);
	assert_int_equal(imgcache_bytes(c), 7);
	/* a put replaces the entry with the same key, once nobody holds it
	 * (put and get pinned it twice) */
	e = imgcache_get(c, "http://a/x.png", 1);
	imgcache_unpin(c, e);
	imgcache_unpin(c, e);
	imgcache_unpin(c, e);
	imgcache_put(c, "http://a/x.png", 1, "image/gif", "GIF", 3);
	assert_int_equal(imgcache_count(c), 2);
	assert_int_equal(imgcache_bytes(c), 3);
	assert_string_equal(imgcache_get(c, "http://a/x.png", 1)->type,
	    "image/gif");
	imgcache_free(c);
	imgcache_free(NULL);
}

static void
test_bounds_and_pinning(void **unused)
{
	struct imgcache *c = imgcache_new(100, 4);
	const struct imgcache_ent *pinned[8], *e;
	char url[32], data[40];
	int i;

	memset(data, 'x', sizeof(data));
	/* 5 x 40 bytes, all held: all kept (over bounds) */
	for (i = 0; i < 5; i++) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		pinned[i] = imgcache_put(c, url, 0, "image/png", data, 40);
	}
	assert_int_equal(imgcache_count(c), 5);
	for (i = 0; i < 5; i++)
		assert_memory_equal(pinned[i]->data, data, 40);
	/* given back, except 3 (and a second holder of 3 by get): the next
	 * put evicts the least recently used unpinned ones, keeps 3 */
	for (i = 0; i < 5; i++)
		if (i != 3)
			imgcache_unpin(c, pinned[i]);
	e = imgcache_get(c, "http://h/3", 0);
	assert_ptr_equal(e, pinned[3]);
	imgcache_unpin(c, e);
	imgcache_unpin(c, imgcache_put(c, "http://h/new", 0, "image/png",
	    data, 40));
	assert_true(imgcache_bytes(c) <= 100);
	assert_true(imgcache_count(c) <= 4);
	assert_memory_equal(pinned[3]->data, data, 40);
	assert_null(imgcache_get(c, "http://h/0", 0));
	/* a put over a held entry keeps the held bytes */
	e = imgcache_put(c, "http://h/3", 0, "image/gif", "GIF", 3);
	assert_ptr_equal(e, pinned[3]);
	assert_string_equal(e->type, "image/png");
	imgcache_unpin(c, e);
	imgcache_unpin(c, pinned[3]);
	/* many URLs, each given back: the entry bound holds */
	for (i = 0; i < 1000; i++) {
		snprintf(url, sizeof(url), "http://many/%d", i);
		imgcache_unpin(c, imgcache_put(c, url, 0, NULL, NULL, 0));
		assert_true(imgcache_count(c) <= 4);
	}
	assert_non_null(imgcache_get(c, "http://many/999", 0));
	assert_null(imgcache_get(c, "http://many/1", 0));
	imgcache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_and_policy),
		cmocka_unit_test(test_bounds_and_pinning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
