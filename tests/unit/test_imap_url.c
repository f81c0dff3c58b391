/*
 * test_imap_url.c - imap[s]:// URLs into their parts, and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "imap_url.h"
#include "limits.h"

int main(void);

struct good {
	const char	*url;
	int		 tls;
	const char	*user, *auth, *host;
	unsigned	 port;
	const char	*mailbox;
};

static const struct good goods[] = {
	{ "imaps://me@imap.example.org/Feeds", 1, "me", NULL,
	    "imap.example.org", 993, "Feeds" },
	{ "imap://me@imap.example.org", 0, "me", NULL, "imap.example.org",
	    143, "" },
	{ "IMAPS://imap.example.org:1993/", 1, NULL, NULL,
	    "imap.example.org", 1993, "" },
	{ "imap://me%40example.org@host:143/INBOX", 0, "me@example.org",
	    NULL, "host", 143, "INBOX" },
	{ "imap://me@example.org@host/x", 0, "me@example.org", NULL, "host",
	    143, "x" },
	{ "imaps://u;AUTH=PLAIN@h/", 1, "u", "PLAIN", "h", 993, "" },
	{ "imaps://u;auth=*@h/", 1, "u", "*", "h", 993, "" },
	{ "imap://[::1]:10143/a/b", 0, NULL, NULL, "::1", 10143, "a/b" },
	{ "imap://127.0.0.1:1/Feeds/B%C3%BCcher/", 0, NULL, NULL,
	    "127.0.0.1", 1, "Feeds/B\xc3\xbc" "cher" },
	{ "imap://h/a%20b%2Fc", 0, NULL, NULL, "h", 143, "a b/c" },
	{ "imaps://@h/x", 1, NULL, NULL, "h", 993, "x" },
};

static const struct bad {
	const char	*url;
	const char	*why;
} bads[] = {
	{ "", "empty" },
	{ "http://h/", "imap://" },
	{ "imap://", "no host" },
	{ "imap:///INBOX", "no host" },
	{ "imap://u:secret@h/", "password" },
	{ "imap://h:0/", "port" },
	{ "imap://h:65536/", "port" },
	{ "imap://h:/", "port" },
	{ "imap://h:12a/", "port" },
	{ "imap://h:123456/", "port" },
	{ "imap://h/x?y", "not supported" },
	{ "imap://h/x#y", "not supported" },
	{ "imap://h/x;UIDVALIDITY=1", "not supported" },
	{ "imap://u;FOO=x@h/", "AUTH" },
	{ "imap://u;AUTH=@h/", "AUTH" },
	{ "imap://h/%zz", "escape" },
	{ "imap://h/%4", "escape" },
	{ "imap://h/a%00b", "control" },
	{ "imap://h/a%0d%0aB", "control" },
	{ "imap://h/%ff", "UTF-8" },
	{ "imap://ho st/", "host" },
	{ "imap://h%41/", "host" },
	{ "imap://[::1/", "IPv6" },
	{ "imap://[zz]/", "IPv6" },
};

static void
test_good(void **state)
{
	struct imap_url u;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];

		err[0] = '\0';
		if (imap_url_parse(g->url, &u, err, sizeof(err)) != 0)
			fail_msg("%s: %s", g->url, err);
		assert_int_equal(u.implicit_tls, g->tls);
		if (g->user)
			assert_string_equal(u.user, g->user);
		else
			assert_null(u.user);
		if (g->auth)
			assert_string_equal(u.auth, g->auth);
		else
			assert_null(u.auth);
		assert_string_equal(u.host, g->host);
		assert_int_equal(u.port, g->port);
		assert_string_equal(u.mailbox, g->mailbox);
		imap_url_free(&u);
	}
}

static void
test_bad(void **state)
{
	struct imap_url u;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		err[0] = '\0';
		if (imap_url_parse(bads[i].url, &u, err, sizeof(err)) == 0)
			fail_msg("accepted %s", bads[i].url);
		if (strstr(err, bads[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bads[i].url, err,
			    bads[i].why);
		assert_null(strstr(err, "secret"));
		assert_null(u.host);
	}
	/* NULL and double free are harmless */
	imap_url_free(NULL);
	imap_url_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
