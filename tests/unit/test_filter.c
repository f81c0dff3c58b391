/*
 * test_filter.c - include/exclude rules (each field, exclude wins, invalid
 * patterns named), a catastrophic pattern bounded by the match limit, and
 * the link key that makes the same story from three feeds one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "filter.h"

static const char *const tags[] = { "linux", "Kernel" };
static const struct filter_entry entry = {
	"Sponsored: a new laptop", "Jane Doe", "The text mentions Rust twice. "
	"Rust.", "https://example.org/2026/laptop", tags, 2,
};

static struct filter *
make(const char *const *inc, const char *const *exc)
{
	struct filter *f = filter_new();
	char err[200];

	for (; inc && *inc; inc++)
		assert_int_equal(filter_add(f, 0, *inc, err, sizeof(err)), 0);
	for (; exc && *exc; exc++)
		assert_int_equal(filter_add(f, 1, *exc, err, sizeof(err)), 0);
	return f;
}

static void
test_no_rules_pass(void **unused)
{
	struct filter *f = filter_new();

	assert_int_equal(filter_match(f, &entry, NULL, 0), FILTER_PASS);
	assert_int_equal(filter_count(f), 0);
	filter_free(f);
}

static void
test_each_field(void **unused)
{
	static const struct {
		const char	*rule;
		int		 matches;
	} t[] = {
		{ "title:^Sponsored", 1 }, { "title:^sponsored", 0 },
		{ "title:(?i)^sponsored", 1 }, { "author:Doe$", 1 },
		{ "author:Smith", 0 }, { "tag:^kernel$", 0 },
		{ "tag:(?i)^kernel$", 1 }, { "tag:^linux$", 1 },
		{ "content:Rust.*Rust", 1 }, { "content:Python", 0 },
		{ "link:/2026/", 1 }, { "link:^http:", 0 },
		{ " title : laptop$ ", 1 },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *exc[] = { t[i].rule, NULL };
		const char *inc[] = { t[i].rule, NULL };
		struct filter *f = make(NULL, exc);
		struct filter *g = make(inc, NULL);

		assert_int_equal(filter_match(f, &entry, why, sizeof(why)),
		    t[i].matches ? FILTER_EXCLUDED : FILTER_PASS);
		if (t[i].matches)
			assert_non_null(strstr(why, "exclude"));
		assert_int_equal(filter_match(g, &entry, NULL, 0),
		    t[i].matches ? FILTER_PASS : FILTER_NOT_INCLUDED);
		filter_free(f);
		filter_free(g);
	}
}

static void
test_exclude_wins(void **unused)
{
	const char *inc[] = { "content:Rust", "title:nothing", NULL };
	const char *exc[] = { "title:^Sponsored", NULL };
	const char *exc2[] = { "author:nobody", NULL };
	struct filter *f = make(inc, exc), *g = make(inc, exc2);
	char why[200];

	assert_int_equal(filter_match(f, &entry, why, sizeof(why)),
	    FILTER_EXCLUDED);
	assert_string_equal(why, "exclude title:^Sponsored");
	/* any one include is enough */
	assert_int_equal(filter_match(g, &entry, NULL, 0), FILTER_PASS);
	filter_free(f);
	filter_free(g);
}

static void
test_invalid_rules(void **unused)
{
	static const struct {
		const char	*rule;
		const char	*err;
	} t[] = {
		{ "title", "not FIELD:REGEX" },
		{ "summary:x", "unknown field 'summary'" },
		{ "title:(unclosed", "bad pattern at offset" },
		{ "title:", "empty" },
		{ "link:[z-a]", "bad pattern" },
	};
	struct filter *f = filter_new();
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_int_equal(filter_add(f, 0, t[i].rule, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, t[i].err));
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(filter_count(f), 0);
	filter_free(f);
}

static void
test_catastrophic_pattern_is_bounded(void **unused)
{
	const char *exc[] = { "content:^(a+)+$", NULL };
	struct filter *f = make(NULL, exc);
	char text[64], why[200];
	struct filter_entry e = { 0 };
	struct timespec t0, t1;
	double ms;

	memset(text, 'a', 40);
	strcpy(text + 40, "!");
	e.content = text;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(filter_match(f, &e, why, sizeof(why)), FILTER_LIMIT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* 2^40 steps unbounded; the limit stops it within a second even on
	 * a slow, shared machine */
	assert_true(ms < 1000.0);
	assert_non_null(strstr(why, "gave up"));
	filter_free(f);
}

static void
test_invalid_utf8_subject(void **unused)
{
	const char *exc[] = { "title:caf\xc3\xa9", NULL };
	struct filter *f = make(NULL, exc);
	struct filter_entry e = { 0 };

	e.title = "bad \xff\xfe caf\xc3\xa9";

	assert_int_equal(filter_match(f, &e, NULL, 0), FILTER_EXCLUDED);
	filter_free(f);
}

static void
test_link_key(void **unused)
{
	static const struct {
		const char	*in, *key;
	} t[] = {
		{ "https://Example.ORG/a/b/", "https://example.org/a/b" },
		{ "https://example.org:443/a?utm_source=x&id=3&utm_medium=y#top",
		  "https://example.org/a?id=3" },
		{ "http://example.org:80/a?fbclid=1", "http://example.org/a" },
		{ "http://example.org:8080/a", "http://example.org:8080/a" },
		{ "https://example.org/?gclid=z", "https://example.org" },
		{ "HTTPS://example.org/p?q=1&mc_cid=2&r=3",
		  "https://example.org/p?q=1&r=3" },
		{ "https://example.org/A/Path", "https://example.org/A/Path" },
	};
	static const char *const bad[] = { "mailto:a@b", "/relative",
	    "https:///x", "", NULL };
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		assert_int_equal(filter_link_key(t[i].in, &b), 0);
		assert_string_equal(buf_str(&b), t[i].key);
	}
	for (i = 0; bad[i] != NULL; i++) {
		buf_reset(&b);
		assert_int_equal(filter_link_key(bad[i], &b), -1);
	}
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rules_pass),
		cmocka_unit_test(test_each_field),
		cmocka_unit_test(test_exclude_wins),
		cmocka_unit_test(test_invalid_rules),
		cmocka_unit_test(test_catastrophic_pattern_is_bounded),
		cmocka_unit_test(test_invalid_utf8_subject),
		cmocka_unit_test(test_link_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
