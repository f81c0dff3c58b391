/*
 * test_smtp.c - smtp/ without a server: configurations refused before any
 * connection (URL, addresses, recipients), a refused connection, the
 * envelope-domain rule, and sendmail's exit status rules with /bin/cat and
 * /bin/false.  The protocol itself is tested against Postfix and Dovecot
 * (tests/integration/test_smtp.py).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "smtp.h"

#define ERRLEN 512

static const char *const one_rcpt[] = { "me@example.org" };

static const struct refused {
	const char		*url;
	const char		*from;
	size_t			 nrcpt;
	const char *const	*rcpt;
	enum smtp_status	 st;
	const char		*why;
} refused[] = {
	{ NULL, "a@example.org", 1, one_rcpt, SMTP_PERM, "no SMTP/LMTP URL" },
	{ "", "a@example.org", 1, one_rcpt, SMTP_PERM, "no SMTP/LMTP URL" },
	{ "imap://h", "a@example.org", 1, one_rcpt, SMTP_PERM,
	    "is not smtp://" },
	{ "smtp://", "a@example.org", 1, one_rcpt, SMTP_PERM, "bad URL" },
	{ "smtp://h:0", "a@example.org", 1, one_rcpt, SMTP_PERM, "bad URL" },
	{ "smtp://h:65536", "a@example.org", 1, one_rcpt, SMTP_PERM,
	    "bad URL" },
	{ "smtp://h:25x", "a@example.org", 1, one_rcpt, SMTP_PERM, "bad URL" },
	{ "smtp://h/path", "a@example.org", 1, one_rcpt, SMTP_PERM,
	    "bad URL" },
	{ "smtp://user@h", "a@example.org", 1, one_rcpt, SMTP_PERM,
	    "bad URL" },
	{ "smtp://[::1", "a@example.org", 1, one_rcpt, SMTP_PERM, "bad URL" },
	{ "lmtp:relative", "a@example.org", 1, one_rcpt, SMTP_PERM,
	    "is not smtp://" },
	{ "lmtp://h", NULL, 1, one_rcpt, SMTP_PERM, "bad envelope sender" },
	{ "lmtp://h", "", 1, one_rcpt, SMTP_PERM, "bad envelope sender" },
	{ "lmtp://h", "no-at-sign", 1, one_rcpt, SMTP_PERM,
	    "bad envelope sender" },
	{ "lmtp://h", "a b@example.org", 1, one_rcpt, SMTP_PERM,
	    "bad envelope sender" },
	{ "lmtp://h", "a@example.org>\r\nRCPT TO:<x@y", 1, one_rcpt,
	    SMTP_PERM, "bad envelope sender" },
	{ "lmtp://h", "@example.org", 1, one_rcpt, SMTP_PERM,
	    "bad envelope sender" },
	{ "lmtp://h", "a@", 1, one_rcpt, SMTP_PERM, "bad envelope sender" },
	{ "lmtp://h", "a@example.org", 0, one_rcpt, SMTP_PERM,
	    "0 recipients" },
	{ "lmtp://h", "a@example.org", SMTP_MAX_RCPT + 1, one_rcpt,
	    SMTP_PERM, "recipients (1 to" },
	/* nothing listens on port 1 of loopback */
	{ "smtp://127.0.0.1:1", "a@example.org", 1, one_rcpt, SMTP_STORE,
	    "smtp 127.0.0.1: connect to port 1" },
	{ "lmtp://127.0.0.1:1", "a@example.org", 1, one_rcpt, SMTP_STORE,
	    "lmtp 127.0.0.1: connect to port 1" },
	{ "/nonexistent/lmtp.sock", "a@example.org", 1, one_rcpt, SMTP_STORE,
	    "lmtp /nonexistent/lmtp.sock: connect" },
	{ "lmtp:/nonexistent/s", "a@example.org", 1, one_rcpt, SMTP_STORE,
	    "lmtp /nonexistent/s: connect" },
};

static void
test_refused(void **state)
{
	struct smtp_cfg cfg;
	struct smtp *s;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const struct refused *r = &refused[i];

		memset(&cfg, 0, sizeof(cfg));
		cfg.url = r->url;
		cfg.from = r->from;
		cfg.rcpt = r->rcpt;
		cfg.nrcpt = r->nrcpt;
		cfg.password = "secret-pw";
		cfg.timeout = 5;
		err[0] = '\0';
		s = (struct smtp *)&cfg;	/* must be set to NULL */
		if (smtp_open(&s, &cfg, err, sizeof(err)) != r->st)
			fail_msg("%s / %s: status, err \"%s\"",
			    r->url ? r->url : "(null)",
			    r->from ? r->from : "(null)", err);
		assert_null(s);
		if (strstr(err, r->why) == NULL)
			fail_msg("\"%s\" lacks \"%s\"", err, r->why);
		assert_null(strpbrk(err, "\r\n"));
		assert_null(strstr(err, "secret"));
	}
	smtp_close(NULL);
}

static void
test_bad_recipient(void **state)
{
	static const char *const bad[] = { "me@example.org", "x y@z.org" };
	struct smtp_cfg cfg;
	struct smtp *s;
	char err[ERRLEN];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = "smtp://127.0.0.1:1";
	cfg.from = "a@example.org";
	cfg.rcpt = bad;
	cfg.nrcpt = 2;
	assert_int_equal(smtp_open(&s, &cfg, err, sizeof(err)), SMTP_PERM);
	assert_non_null(strstr(err, "bad recipient 'x y@z.org'"));
	assert_int_equal(smtp_probe(&cfg, err, sizeof(err)), SMTP_PERM);
}

static void
test_envelope(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_int_equal(smtp_check_envelope("Feeds@Example.ORG",
	    "bounces@example.org", err, sizeof(err)), 0);
	assert_int_equal(smtp_check_envelope("a@example.org",
	    "a@mail.example.org", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the domain of from "
	    "(example.org)"));
	assert_int_equal(smtp_check_envelope("a@example.org", NULL, err,
	    sizeof(err)), -1);
	assert_int_equal(smtp_check_envelope(NULL, "a@example.org", err,
	    sizeof(err)), -1);
}

static void
test_sendmail_status(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\nbody\r\n.\r\n";
	char err[ERRLEN], prog[] = "/tmp/r2m-test-sendmail-XXXXXX";
	FILE *f;
	int fd;

	(void)state;
	/* a sendmail that takes the whole message and exits 0 */
	assert_true((fd = mkstemp(prog)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("#!/bin/sh\ncat >/dev/null\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(prog, 0700), 0);
	err[0] = '\0';
	assert_int_equal(sendmail_send(prog, "a@example.org", one_rcpt, 1,
	    msg, sizeof(msg) - 1, 10, err, sizeof(err)), SMTP_OK);
	assert_int_equal(unlink(prog), 0);
	assert_int_equal(sendmail_send("/bin/false", "a@example.org",
	    one_rcpt, 1, msg, sizeof(msg) - 1, 10, err, sizeof(err)),
	    SMTP_PERM);
	assert_non_null(strstr(err, "sendmail /bin/false: exit 1"));
	assert_int_equal(sendmail_send("/nonexistent/sendmail",
	    "a@example.org", one_rcpt, 1, msg, sizeof(msg) - 1, 10, err,
	    sizeof(err)), SMTP_STORE);
	assert_non_null(strstr(err, "cannot run it"));
	/* a sender that would read as an option never reaches argv */
	assert_int_equal(sendmail_send("/bin/false", "-oQ/tmp", one_rcpt, 1,
	    msg, sizeof(msg) - 1, 10, err, sizeof(err)), SMTP_PERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_bad_recipient),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_sendmail_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
