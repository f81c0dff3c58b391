/*
 * test_imap_wire.c - the pure text of IMAP commands (imap_wire.c):
 * quoting and mailbox arguments, Message-IDs fit for a search, dates, UID
 * sets, how far a refused APPEND reaches, tagged-BAD detection and SASL
 * base64.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_wire.h"

int main(void);

static void
test_quoted_and_mailbox(void **state)
{
	static const struct {
		const char	*in;
		const char	*quoted;
		const char	*mailbox;
	} tab[] = {
		{ "", "\"\"", "\"\"" },
		{ "INBOX", "\"INBOX\"", "\"INBOX\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\"" },
		{ "Feeds/B&APw-cher", "\"Feeds/B&APw-cher\"",
		    "\"Feeds/B&APw-cher\"" },
		/* not printable ASCII: a LITERAL+ literal */
		{ "a\tb", "\"a\tb\"", "{3+}\r\na\tb" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"", "{5+}\r\ncaf\xc3\xa9" },
	};
	struct buf b = BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		buf_reset(&b);
		imap_wire_quoted(&b, tab[i].in);
		assert_string_equal(buf_str(&b), tab[i].quoted);
		buf_reset(&b);
		imap_wire_mailbox(&b, tab[i].in);
		assert_string_equal(buf_str(&b), tab[i].mailbox);
	}
	buf_free(&b);
}

static void
test_msgid_ok(void **state)
{
	static const struct {
		const char	*id;
		int		 ok;
	} tab[] = {
		{ "<1@rss2mail>", 1 },
		{ "<a>", 1 },
		{ "<>", 0 },
		{ "", 0 },
		{ NULL, 0 },
		{ "<a b@c>", 0 },
		{ "<a\"b@c>", 1 },
		{ "<a\tb@c>", 0 },
		{ "<\xc3\xa9@c>", 0 },
		{ "<a\x7f@c>", 0 },
	};
	char *long_id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (imap_wire_msgid_ok(tab[i].id) != tab[i].ok)
			fail_msg("\"%s\": expected %d", tab[i].id ?
			    tab[i].id : "NULL", tab[i].ok);
	long_id = malloc(1000);
	assert_non_null(long_id);
	memset(long_id, 'x', 999);
	long_id[998] = '\0';
	assert_true(imap_wire_msgid_ok(long_id));
	long_id[998] = 'x';
	long_id[999] = '\0';
	assert_false(imap_wire_msgid_ok(long_id));
	free(long_id);
}

static void
test_dates(void **state)
{
	static const struct {
		time_t		 t;
		const char	*date, *date_time;
	} tab[] = {
		{ 0, "1-Jan-1970", "01-Jan-1970 00:00:00 +0000" },
		{ 1796281509, "3-Dec-2026", "03-Dec-2026 07:05:09 +0000" },
		{ 951782400, "29-Feb-2000", "29-Feb-2000 00:00:00 +0000" },
		{ 1703980799, "30-Dec-2023", "30-Dec-2023 23:59:59 +0000" },
	};
	char out[IMAP_WIRE_DATE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		imap_wire_date(out, tab[i].t);
		assert_string_equal(out, tab[i].date);
		imap_wire_date_time(out, tab[i].t);
		assert_string_equal(out, tab[i].date_time);
	}
}

static void
test_uids(void **state)
{
	static const struct {
		uint32_t	 u[8];
		size_t		 n;
		const char	*set;	/* after sorting */
	} tab[] = {
		{ { 0 }, 0, "" },
		{ { 7 }, 1, "7" },
		{ { 1, 2, 3 }, 3, "1:3" },
		{ { 3, 1, 2, 7 }, 4, "1:3,7" },
		{ { 5, 5, 5 }, 3, "5" },
		{ { 9, 1, 4, 2, 10, 4, 11, 3 }, 8, "1:4,9:11" },
		{ { 4294967295u, 1, 4294967294u }, 3,
		    "1,4294967294:4294967295" },
		{ { 2, 4, 6 }, 3, "2,4,6" },
	};
	struct buf b = BUF_INIT(0);
	uint32_t u[8];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		memcpy(u, tab[i].u, sizeof(u));
		n = imap_wire_uids_sort(u, tab[i].n);
		buf_reset(&b);
		imap_wire_uid_set(&b, u, n);
		assert_string_equal(buf_str(&b), tab[i].set);
	}
	buf_free(&b);
}

static void
test_refusal(void **state)
{
	static const struct {
		const char		*atom;
		int			 trycreate;
		enum deliver_status	 reach;
		const char		*what;
	} tab[] = {
		{ "", 1, DELIVER_FOLDER, "folder missing: " },
		{ "OVERQUOTA", 1, DELIVER_FOLDER, "folder missing: " },
		{ "NONEXISTENT", 0, DELIVER_FOLDER, "folder missing: " },
		{ "nonexistent", 0, DELIVER_FOLDER, "folder missing: " },
		{ "OVERQUOTA", 0, DELIVER_FOLDER, "over quota: " },
		{ "NOPERM", 0, DELIVER_FOLDER, "" },
		{ "TOOBIG", 0, DELIVER_MSG, "message refused: " },
		{ "LIMIT", 0, DELIVER_MSG, "message refused: " },
		{ "", 0, DELIVER_MSG, "message refused: " },
		{ NULL, 0, DELIVER_MSG, "message refused: " },
	};
	const char *what;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		what = NULL;
		assert_int_equal(imap_wire_refusal(tab[i].atom,
		    tab[i].trycreate, &what), tab[i].reach);
		assert_non_null(what);
		assert_string_equal(what, tab[i].what);
	}
}

/* Providers' refusals: a pause asked for (with the suggested time), a
 * message too big, or neither. */
static void
test_throttle_and_size(void **state)
{
	static const struct {
		const char	*atom, *text;
		int		 throttled;
		long		 wait_ms;
		int		 too_big;
	} tab[] = {
		{ "THROTTLED", "Too many simultaneous requests", 1, 0, 0 },
		{ "UNAVAILABLE", "Service temporarily not available", 1, 0, 0 },
		{ "INUSE", "Mailbox in use", 1, 0, 0 },
		{ "OVERQUOTA", "Account exceeded command or bandwidth limits",
		    1, 0, 0 },
		{ "OVERQUOTA", "Quota exceeded (mailbox for user is full)",
		    0, 0, 0 },
		{ "", "Request is throttled. Suggested Backoff Time: 299609 "
		    "milliseconds", 1, 299609, 0 },
		{ "LIMIT", "Mail size is larger than the maximum size allowed "
		    "by server configuration (0.002 + 0.000 secs).", 0, 0, 1 },
		{ "TOOBIG", "Message too large", 0, 0, 1 },
		{ "", "Message size exceeds fixed maximum message size", 0, 0,
		    1 },
		{ "", "Invalid message", 0, 0, 0 },
		{ NULL, NULL, 0, 0, 0 },
	};
	size_t i;
	long ms;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		ms = -1;
		assert_int_equal(imap_wire_throttled(tab[i].atom, tab[i].text,
		    &ms), tab[i].throttled);
		assert_int_equal(ms, tab[i].wait_ms);
		assert_int_equal(imap_wire_too_big(tab[i].atom, tab[i].text),
		    tab[i].too_big);
	}
}

static void
test_tagged_bad(void **state)
{
	static const struct {
		const char	*buf;
		int		 tag;
		int		 bad;
	} tab[] = {
		{ "7 BAD unknown command\r\n", 7, 1 },
		{ "7 bad whatever\r\n", 7, 1 },
		{ "* OK hello\r\n7 BAD no\r\n", 7, 1 },
		{ "7 NO no\r\n", 7, 0 },
		{ "17 BAD no\r\n", 7, 0 },
		{ "* 7 BAD no\r\n", 7, 0 },
		{ "6 BAD no\r\n", 7, 0 },
		{ "7 BA", 7, 0 },
		{ "", 7, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (imap_wire_tagged_bad(tab[i].buf, strlen(tab[i].buf),
		    tab[i].tag) != tab[i].bad)
			fail_msg("\"%s\" tag %d: expected %d", tab[i].buf,
			    tab[i].tag, tab[i].bad);
}

static void
test_base64(void **state)
{
	/* RFC 4648's test vectors, and PLAIN's NUL separators */
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} tab[] = {
		{ "", 0, "" },
		{ "f", 1, "Zg==" },
		{ "fo", 2, "Zm8=" },
		{ "foo", 3, "Zm9v" },
		{ "foob", 4, "Zm9vYg==" },
		{ "fooba", 5, "Zm9vYmE=" },
		{ "foobar", 6, "Zm9vYmFy" },
		{ "\0u\0p", 4, "AHUAcA==" },
		{ "\xff\xfe\xfd", 3, "//79" },
	};
	struct buf b = BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		buf_reset(&b);
		imap_wire_base64(&b, (const unsigned char *)tab[i].in,
		    tab[i].len);
		assert_string_equal(buf_str(&b), tab[i].out);
	}
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_and_mailbox),
		cmocka_unit_test(test_msgid_ok),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_uids),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_throttle_and_size),
		cmocka_unit_test(test_tagged_bad),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
