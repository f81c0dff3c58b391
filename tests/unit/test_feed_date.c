/*
 * test_feed_date.c - feed_date_parse on the forms feeds write, table-driven.
 * Each row: the string, and the UTC time it means (NULL: "no date").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "feed.h"

static const struct {
	const char	*in;
	const char	*want;
} cases[] = {
	/* RFC 822 / 2822 */
	{ "Sat, 07 Sep 2002 00:00:01 GMT",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 +0000",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 02:00:01 +0200",	"2002-09-07T00:00:01Z" },
	{ "Fri, 06 Sep 2002 19:00:01 -0500",	"2002-09-07T00:00:01Z" },
	{ "Sat, 7 Sep 2002 00:00:01 UT",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00 GMT",		"2002-09-07T00:00:00Z" },
	{ "07 Sep 2002 00:00:01 GMT",		"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 02 00:00:01 GMT",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 99 00:00:01 GMT",	"1999-09-07T00:00:01Z" },
	{ "Mon, 07 Sep 2002 00:00:01 GMT",	"2002-09-07T00:00:01Z" },
	{ "  Sat,  07   Sep 2002\t00:00:01   GMT  ", "2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 EST",	"2002-09-07T05:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 EDT",	"2002-09-07T04:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 PST",	"2002-09-07T08:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 PDT",	"2002-09-07T07:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 CET",	"2002-09-06T23:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 Z",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 A",	"2002-09-07T01:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 N",	"2002-09-06T23:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 M",	"2002-09-07T12:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 Y",	"2002-09-06T12:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01",		"2002-09-07T00:00:01Z" },
	{ "Sat, 07 September 2002 00:00:01 GMT", "2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sept 2002 00:00:01 GMT",	"2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 +01:00",	"2002-09-06T23:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 GMT+0100", "2002-09-06T23:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 +0100 (CET)", "2002-09-06T23:00:01Z" },
	{ "Sat,07 Sep 2002 00:00:01 GMT",	"2002-09-07T00:00:01Z" },
	{ "Thu, 29 Feb 2024 23:59:60 GMT",	"2024-03-01T00:00:00Z" },
	/* ISO 8601 / RFC 3339 / W3CDTF */
	{ "2003-12-13T18:30:02Z",		"2003-12-13T18:30:02Z" },
	{ "2003-12-13T18:30:02.25Z",		"2003-12-13T18:30:02Z" },
	{ "2003-12-13T18:30:02+01:00",		"2003-12-13T17:30:02Z" },
	{ "2003-12-13T18:30:02-0500",		"2003-12-13T23:30:02Z" },
	{ "2003-12-13T18:30Z",			"2003-12-13T18:30:00Z" },
	{ "2003-12-13T18:30:02",		"2003-12-13T18:30:02Z" },
	{ "2003-12-13 18:30:02",		"2003-12-13T18:30:02Z" },
	{ "2003-12-13 18:30:02 -0700",		"2003-12-14T01:30:02Z" },
	{ "2003-12-13 18:30:02 GMT",		"2003-12-13T18:30:02Z" },
	{ "2003-12-13",				"2003-12-13T00:00:00Z" },
	{ "2003-12",				"2003-12-01T00:00:00Z" },
	{ "2003",				"2003-01-01T00:00:00Z" },
	{ "20031213T183002Z",			"2003-12-13T18:30:02Z" },
	{ "20031213",				"2003-12-13T00:00:00Z" },
	{ "2003-12-13t18:30:02z",		"2003-12-13T18:30:02Z" },
	/* other common forms */
	{ "Thu Jul  8 23:56:58 2004",		"2004-07-08T23:56:58Z" },
	{ "July 8, 2004",			"2004-07-08T00:00:00Z" },
	{ "July 8th, 2004 11:00 PM",		"2004-07-08T23:00:00Z" },
	{ "8 July 2004 at 11:00 am",		"2004-07-08T11:00:00Z" },
	{ "08-Jul-2004 12:00 AM",		"2004-07-08T00:00:00Z" },
	{ "2004/07/08 23:56:58",		"2004-07-08T23:56:58Z" },
	{ "Jul 8 2004 23:56:58 -0700",		"2004-07-09T06:56:58Z" },
	{ "Sep. 7, 2002",			"2002-09-07T00:00:00Z" },
	{ "Sun, 16 Dec 2012 1:2:3 +0000",	"2012-12-16T01:02:03Z" },
	{ "Sat, 07 Sep 2002 00:00:01 +0000 GMT", "2002-09-07T00:00:01Z" },
	{ "Sat, 07 Sep 2002 05:00:01 -0500 EST", "2002-09-07T10:00:01Z" },
	{ "Sat, 07 Sep 2002 00:00:01 UTC+2",	"2002-09-06T22:00:01Z" },
	{ "17 Jan 2004 11:00 -8",		"2004-01-17T19:00:00Z" },
	{ "Wed, 01 Sep 2004 07:00:00 GMT-07:00", "2004-09-01T14:00:00Z" },
	{ "Thursday, 08 July 2004 23:56:58 GMT", "2004-07-08T23:56:58Z" },
	{ "Fri Aug 12 2011 16:37:46 GMT+0200 (CEST)", "2011-08-12T14:37:46Z" },
	{ "2011-08-12T16:37:46.123456789+02:00", "2011-08-12T14:37:46Z" },
	{ "Thu, 31 Dec 1969 23:59:59 GMT",	"1969-12-31T23:59:59Z" },
	{ "Fri, 2006/09/15 08:19:53 EDT",	"2006-09-15T12:19:53Z" },
	{ "Sunday, 06-Nov-94 08:49:37 GMT",	"1994-11-06T08:49:37Z" },
	{ "Tue, 10 Jun 2003 09:41:01.123 GMT",	"2003-06-10T09:41:01Z" },
	{ "2004-07-08T23Z",			"2004-07-08T23:00:00Z" },
	/* garbage: no date, never a random one */
	{ "",					NULL },
	{ "   ",				NULL },
	{ "yesterday",				NULL },
	{ "Sat, 32 Sep 2002 00:00:01 GMT",	NULL },
	{ "Sat, 29 Feb 2003 00:00:01 GMT",	NULL },
	{ "Sat, 07 Foo 2002 00:00:01 GMT",	NULL },
	{ "Sat, 07 Sep 2002 25:00:01 GMT",	NULL },
	{ "Sat, 07 Sep 2002 00:61:01 GMT",	NULL },
	{ "Sat, 07 Sep 2002 00:00:01 XYZ",	NULL },
	{ "2003-13-01",				NULL },
	{ "2003-12-13T18:30:02+25:00",		NULL },
	{ "2003-12-13T18:30:02 junk",		NULL },
	{ "07/08/2004",				NULL },
	{ "12345678901234567890",		NULL },
	{ "Sep 2002",				NULL },
	{ "0000-01-01",				NULL },
	{ "Sat, 07 Sep 2002 13:00:01 PM",	NULL },
	{ "12.08.2011",				NULL },
	{ "Sat, 07 Sep 2002 00:00:01 +0000 -0500", NULL },
	{ "2004-07-08T23:56:58+00:00Z",		NULL },
};

static void
test_dates(void **state)
{
	char got[40];
	int64_t t;
	time_t tt;
	struct tm tm;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = feed_date_parse(cases[i].in, &t);
		if (cases[i].want == NULL) {
			if (rc == 0)
				fail_msg("\"%s\" parsed, want no date",
				    cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\": no date, want %s", cases[i].in,
			    cases[i].want);
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(got, sizeof(got), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].in, got,
			    cases[i].want);
	}
}

static void
test_null(void **state)
{
	int64_t t;

	assert_int_equal(feed_date_parse(NULL, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
