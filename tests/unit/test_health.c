/*
 * test_health.c - the decisions of health.c, table-driven: the backoff
 * delay, what a redirect does to the stored candidate, which notice a
 * feed's pass calls for, and the notice's text.  (The calls that apply
 * them to a pass run in test_run.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "health.h"

static void
test_delay(void **unused)
{
	long long d, prev = 0;
	long f;

	/* Retry-After rules, capped at a week */
	assert_int_equal(health_delay("a", 1, 120), 120);
	assert_int_equal(health_delay("a", 9, 30 * 86400),
	    HEALTH_RETRY_AFTER_MAX);
	/* one failure is not yet a pattern */
	assert_int_equal(health_delay("a", 0, 0), 0);
	assert_int_equal(health_delay("a", 1, 0), 0);
	/* then doubling from the base, within +-10%, up to the cap */
	for (f = 2; f < 20; f++) {
		long long base = (long long)HEALTH_BACKOFF_BASE << (f - 2 < 8 ?
		    f - 2 : 8);

		if (base > HEALTH_BACKOFF_MAX)
			base = HEALTH_BACKOFF_MAX;
		d = health_delay("lwn", f, 0);
		assert_true(d >= base - base / 10 && d <= base + base / 10);
		assert_true(d >= prev);
		prev = d;
		/* the same for the same feed, every time */
		assert_int_equal(health_delay("lwn", f, 0), d);
	}
	assert_true(prev <= HEALTH_BACKOFF_MAX + HEALTH_BACKOFF_MAX / 10);
}

/* Feeds that fail together come back at different times. */
static void
test_delay_jitter(void **unused)
{
	char name[16];
	long long d, first = -1;
	int i, differ = 0;

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "feed%d", i);
		d = health_delay(name, 4, 0);
		if (first == -1)
			first = d;
		else if (d != first)
			differ = 1;
	}
	assert_true(differ);
}

static void
test_redirect(void **unused)
{
	static const struct {
		const char *candidate;
		int status;
		const char *to;
		enum health_redirect want;
	} t[] = {
		{ NULL, 0, NULL, HEALTH_REDIRECT_NONE },
		{ "https://n/", 0, NULL, HEALTH_REDIRECT_FORGET },
		{ NULL, 302, "https://n/", HEALTH_REDIRECT_NONE },
		{ "https://n/", 307, "https://n/", HEALTH_REDIRECT_FORGET },
		{ NULL, 301, "https://n/", HEALTH_REDIRECT_CANDIDATE },
		{ NULL, 308, "https://n/", HEALTH_REDIRECT_CANDIDATE },
		{ "https://n/", 301, "https://n/", HEALTH_REDIRECT_MOVE },
		{ "https://n/", 308, "https://m/", HEALTH_REDIRECT_CANDIDATE },
		{ "https://n/", 301, "https://o/", HEALTH_REDIRECT_FORGET },
	};
	size_t i;

	/* from is "https://o/": a "redirect" to itself is none */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(health_redirect_step(t[i].candidate,
		    t[i].status, "https://o/", t[i].to), t[i].want);
}

static void
test_notice_kind(void **unused)
{
	static const struct {
		int failing, failed, polled;
		long failures;
		int reported;
		long report_after;
		enum health_notice want;
	} t[] = {
		/* failing: once, when the streak reaches report_after */
		{ 1, 1, 0, 2, 0, 3, HEALTH_NOTICE_NONE },
		{ 1, 1, 0, 3, 0, 3, HEALTH_NOTICE_FAILING },
		{ 1, 1, 0, 4, 1, 3, HEALTH_NOTICE_NONE },
		{ 1, 1, 0, 9, 0, 0, HEALTH_NOTICE_NONE },	/* off */
		/* working again after a reported streak: once */
		{ 0, 0, 1, 1, 1, 3, HEALTH_NOTICE_RECOVERED },
		{ 0, 0, 1, 1, 0, 3, HEALTH_NOTICE_NONE },
		{ 0, 0, 0, 1, 1, 3, HEALTH_NOTICE_NONE },	/* 304 path */
		/* failed for another reason (the mailbox): not yet */
		{ 0, 1, 1, 1, 1, 3, HEALTH_NOTICE_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(health_notice_kind(t[i].failing, t[i].failed,
		    t[i].polled, t[i].failures, t[i].reported,
		    t[i].report_after), t[i].want);
}

static void
test_notice_text(void **unused)
{
	struct buf subj = BUF_INIT(0), text = BUF_INIT(0);

	health_notice_text(HEALTH_NOTICE_FAILING, "lwn",
	    "https://lwn.net/rss", "fetch https://lwn.net/rss: HTTP 503", 3,
	    (time_t)1800000000, &subj, &text);
	assert_string_equal(subj.data, "rss2mail: feed lwn is failing");
	assert_non_null(strstr(text.data, "has failed 3 runs in a row"));
	assert_non_null(strstr(text.data, "Error:  fetch https://lwn.net/rss: "
	    "HTTP 503\n"));
	assert_non_null(strstr(text.data, "Since:  Fri, 15 Jan 2027"));
	assert_non_null(strstr(text.data, "`rss2mail pause lwn`"));
	buf_reset(&subj);
	buf_reset(&text);
	health_notice_text(HEALTH_NOTICE_RECOVERED, "lwn",
	    "https://lwn.net/rss", NULL, 1, (time_t)1800000000, &subj, &text);
	assert_string_equal(subj.data, "rss2mail: feed lwn works again");
	assert_non_null(strstr(text.data, "works again; it had been failing "
	    "since Fri, 15 Jan 2027"));
	buf_free(&subj);
	buf_free(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_delay_jitter),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_notice_kind),
		cmocka_unit_test(test_notice_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
