/*
 * test_imap_utf7.c - mailbox names on the wire: modified UTF-7 (RFC 3501
 * 5.1.3) both ways, round trips and the strict decoder's refusals; folder
 * names with namespace prefix and delimiter (imap_name.c); flag lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_name.h"
#include "imap_utf7.h"
#include "limits.h"

int main(void);

static const struct {
	const char	*utf8;
	const char	*utf7;
} pairs[] = {
	{ "", "" },
	{ "INBOX", "INBOX" },
	{ "A&B", "A&-B" },
	{ "&", "&-" },
	{ "Feeds/B\xc3\xbc" "cher", "Feeds/B&APw-cher" },
	/* RFC 3501's example */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac"
	    "\xe8\xaa\x9e", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "&ZeVnLA-" },
	{ "caf\xc3\xa9 na\xc3\xafve", "caf&AOk- na&AO8-ve" },
	/* a character outside the BMP: a surrogate pair */
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
	{ "\xd0\x9f\xd1\x80\xd0\xb8", "&BB8EQAQ4-" },
};

static void
test_pairs(void **state)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		buf_reset(&b);
		assert_int_equal(imap_utf7_encode(&b, pairs[i].utf8,
		    strlen(pairs[i].utf8)), 0);
		assert_string_equal(buf_str(&b), pairs[i].utf7);
		buf_reset(&b);
		assert_int_equal(imap_utf7_decode(&b, pairs[i].utf7,
		    strlen(pairs[i].utf7)), 0);
		assert_string_equal(buf_str(&b), pairs[i].utf8);
	}
	buf_free(&b);
}

static void
test_long_run(void **state)
{
	struct buf in = BUF_INIT(0), enc = BUF_INIT(0), dec = BUF_INIT(0);
	int i;

	(void)state;
	/* longer than one internal chunk of UTF-16 units */
	for (i = 0; i < 200; i++)
		buf_puts(&in, i % 7 ? "\xc3\xa4" : "\xf0\x9f\x98\x80");
	assert_int_equal(imap_utf7_encode(&enc, in.data, in.len), 0);
	assert_int_equal(imap_utf7_decode(&dec, enc.data, enc.len), 0);
	assert_int_equal(dec.len, in.len);
	assert_memory_equal(dec.data, in.data, in.len);
	buf_free(&in);
	buf_free(&enc);
	buf_free(&dec);
}

static void
test_refused(void **state)
{
	static const char *bad_utf8[] = {
		"\xff", "a\xc3", "\xed\xa0\x80", "tab\there", "nl\n", "\x7f",
	};
	static const char *bad_utf7[] = {
		"&", "&ZeVnLA", "&Zé-", "&AEE-", "&2D0-", "&3gA-", "&ZeVnLB-",
		"&AGE-", "caf\xc3\xa9", "a\tb", "&!-", "&AAk-", "&AOk-&AOk-",
		"&AIA-",
	};
	struct buf b = BUF_INIT(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		buf_reset(&b);
		if (imap_utf7_encode(&b, bad_utf8[i], strlen(bad_utf8[i])) == 0)
			fail_msg("encoded bad UTF-8 #%zu", i);
	}
	for (i = 0; i < sizeof(bad_utf7) / sizeof(bad_utf7[0]); i++) {
		buf_reset(&b);
		if (imap_utf7_decode(&b, bad_utf7[i], strlen(bad_utf7[i])) == 0)
			fail_msg("decoded bad UTF-7 \"%s\"", bad_utf7[i]);
	}
	buf_free(&b);
}

static void
test_cap(void **state)
{
	struct buf b = BUF_INIT(8);

	(void)state;
	assert_int_equal(imap_utf7_encode(&b, "\xe6\x97\xa5\xe6\x9c\xac"
	    "\xe8\xaa\x9e", 9), -1);
	assert_true(b.len <= 8);
	buf_free(&b);
}

static const struct {
	const char	*folder, *prefix;
	char		 delim;
	const char	*wire;		/* NULL: refused, err contains why */
	const char	*why;
} names[] = {
	{ "INBOX", "", '/', "INBOX", NULL },
	{ "inbox", "INBOX.", '.', "INBOX", NULL },
	{ "Feeds", "", '/', "Feeds", NULL },
	{ "Feeds/LWN", "", '/', "Feeds/LWN", NULL },
	{ "Feeds/LWN", "INBOX.", '.', "INBOX.Feeds.LWN", NULL },
	{ "INBOX/Feeds", "INBOX.", '.', "INBOX.Feeds", NULL },
	{ "Feeds/B\xc3\xbc" "cher", "", '/', "Feeds/B&APw-cher", NULL },
	{ "A&B/\xe6\x97\xa5", "", '/', "A&-B/&ZeU-", NULL },
	{ "News", "", 0, "News", NULL },
	{ "a/b", "", 0, NULL, "no folder hierarchy" },
	{ "v1.2", "INBOX.", '.', "INBOX.v1_2", NULL },
	{ "Feeds/lwn.net", "INBOX.", '.', "INBOX.Feeds.lwn_net", NULL },
	{ "Feeds/lwn.net", "", '/', "Feeds/lwn.net", NULL },
	{ "a_b.c", "", '_', "a-b.c", NULL },
	{ "\xc3\xa9t\xc3\xa9", "", '-', NULL, "delimiter '-'" },
	{ "a/../b", "", '/', NULL, "\"..\"" },
	{ "a//b", "", '/', NULL, "empty" },
	{ "/a", "", '/', NULL, "empty" },
	{ "a/", "", '/', NULL, "empty" },
	{ "./a", "", '/', NULL, "empty" },
	{ "", "", '/', NULL, "empty" },
	{ "a\tb", "", '/', NULL, "control" },
	{ "bad\xff", "", '/', NULL, "UTF-8" },
};

static void
test_folder_names(void **state)
{
	struct buf b = BUF_INIT(0);
	char err[ERRLEN];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&b);
		err[0] = '\0';
		r = imap_name_wire(&b, names[i].folder, names[i].prefix,
		    names[i].delim, err, sizeof(err));
		if (names[i].wire != NULL) {
			if (r != 0)
				fail_msg("%s: %s", names[i].folder, err);
			assert_string_equal(buf_str(&b), names[i].wire);
		} else {
			if (r == 0)
				fail_msg("accepted \"%s\"", names[i].folder);
			if (strstr(err, names[i].why) == NULL)
				fail_msg("%s: \"%s\" lacks %s", names[i].folder,
				    err, names[i].why);
		}
	}
	/* the dotless form: each '.' inside a level gets the stand-in */
	buf_reset(&b);
	assert_int_equal(imap_name_wire_dotless(&b, "Feeds/lwn.net", "", '/',
	    err, sizeof(err)), 0);
	assert_string_equal(buf_str(&b), "Feeds/lwn_net");
	buf_reset(&b);
	assert_int_equal(imap_name_wire_dotless(&b, "a.b/c", "INBOX.", '.',
	    err, sizeof(err)), 0);
	assert_string_equal(buf_str(&b), "INBOX.a_b.c");
	/* a cap on the result is an ordinary error */
	buf_free(&b);
	buf_init(&b, 10);
	assert_int_equal(imap_name_wire(&b, "Feeds/LongerThanTen", "", '/',
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	buf_free(&b);
}

static void
test_flags(void **state)
{
	static const char *good[] = { NULL, "", "  ", "\\Seen", "\\seen",
	    "\\Flagged $label Junk", " \\Answered  \\Draft \\Deleted " };
	static const char *bad[] = { "\\Recent", "\\Bogus", "a\\b",
	    "(x)", "a\"b", "k%", "k*", "x]", "\xc3\xa4", "a\tb", "{3}" };
	char *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!imap_flags_ok(good[i]))
			fail_msg("refused \"%s\"", good[i] ? good[i] : "NULL");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (imap_flags_ok(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	j = imap_flags_join("  \\Seen   $a  ");
	assert_string_equal(j, "\\Seen $a");
	free(j);
	j = imap_flags_join(NULL);
	assert_string_equal(j, "");
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_long_run),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_folder_names),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
