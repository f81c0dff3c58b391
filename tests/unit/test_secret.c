/*
 * test_secret.c - the password sources (rss2mail/secret.c): a command's
 * first line and its failures (exit status, nothing printed, too much, a
 * background child holding the pipe, no stdin), a password file's first
 * line and its mode check, an inline password and the config file's mode,
 * and secret_check_modes, which reads and runs nothing.
 *
 * Not here: the 60 s command timeout (SECRET_CMD_TIMEOUT is a minute).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "secret.h"
#include "testutil.h"

/* A file under tu_tmpdir with text and mode; its path, malloc'd. */
static char *
secret_file(const char *name, const char *text, mode_t mode)
{
	char *p = tu_write_file(tu_tmpdir, name, text, strlen(text));

	assert_int_equal(chmod(p, mode), 0);
	return p;
}

/* secret_resolve of a command alone: the secret, or NULL with err. */
static char *
from_command(const char *cmd, char *err, size_t errlen)
{
	char *s = (char *)1;

	if (secret_resolve(NULL, NULL, cmd, NULL, &s, err, errlen) == -1) {
		assert_null(s);
		return NULL;
	}
	assert_non_null(s);
	return s;
}

static void
test_command(void **state)
{
	static const struct {
		const char *cmd, *secret, *err;
	} t[] = {
		{ "printf 'tok\\nsecond line\\n'", "tok", NULL },
		{ "printf 'no newline'", "no newline", NULL },
		{ "printf 'crlf\\r\\n'", "crlf", NULL },
		{ "exit 3", NULL, "password-command failed (exit status 3)" },
		{ "kill -9 $$", NULL, "password-command failed (exit status "
		    "-1)" },
		{ "true", NULL, "password-command printed nothing" },
		{ "printf '\\n'", NULL, "password-command printed nothing" },
		/* stdin is /dev/null: a command that reads it ends */
		{ "cat", NULL, "password-command printed nothing" },
		{ "head -c 5000 /dev/zero | tr '\\000' x", NULL,
		    "password-command: output over 4096 bytes" },
	};
	char err[ERRLEN], *s;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		s = from_command(t[i].cmd, err, sizeof(err));
		tu_assert_str_or_null(s, t[i].secret);
		if (t[i].err != NULL && strcmp(err, t[i].err) != 0)
			fail_msg("%s: got '%s', want '%s'", t[i].cmd, err,
			    t[i].err);
		secret_free(s);
	}
}

/* The first line is all we take: a background child that keeps the pipe
 * open does not hold us up.  (Its stderr goes away from ours, or the test
 * runner reading our output would wait for it.) */
static void
test_command_background_child(void **state)
{
	char err[ERRLEN], *s;
	double t0 = tu_now();

	s = from_command("echo tok; sleep 3 2>/dev/null &", err, sizeof(err));
	assert_true(tu_now() - t0 < 2.0);
	tu_assert_str_or_null(s, "tok");
	secret_free(s);
}

static void
test_file(void **state)
{
	char err[ERRLEN], want[ERRLEN], *p, *s = NULL;

	p = secret_file("pw", "hunter2\r\nsecond\n", 0600);
	assert_int_equal(secret_resolve(NULL, p, NULL, NULL, &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "hunter2");
	secret_free(s);

	/* readable by the group: refused, with the fix */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(secret_resolve(NULL, p, NULL, NULL, &s, err,
	    sizeof(err)), -1);
	assert_null(s);
	snprintf(want, sizeof(want), "password-file %s holds a secret but "
	    "group or others can read it; fix with: chmod 600 %s", p, p);
	assert_string_equal(err, want);
	free(p);

	assert_int_equal(secret_resolve(NULL, "/nonexistent/pw", NULL, NULL,
	    &s, err, sizeof(err)), -1);
	assert_string_equal(err, "password-file /nonexistent/pw: No such file "
	    "or directory");

	/* an empty file gives an empty secret, not an error */
	p = secret_file("empty", "", 0600);
	assert_int_equal(secret_resolve(NULL, p, NULL, NULL, &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "");
	secret_free(s);
	free(p);
}

static void
test_inline_and_order(void **state)
{
	char err[ERRLEN], want[ERRLEN], *cfg, *pw, *s = NULL;

	/* no source at all */
	s = (char *)1;
	assert_int_equal(secret_resolve(NULL, NULL, NULL, NULL, &s, err,
	    sizeof(err)), 0);
	assert_null(s);

	cfg = secret_file("config.ini", "[rss2mail]\npassword = x\n", 0600);
	assert_int_equal(secret_resolve("inline", NULL, NULL, cfg, &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "inline");
	secret_free(s);
	/* without a config path there is nothing to check */
	assert_int_equal(secret_resolve("inline", NULL, NULL, NULL, &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "inline");
	secret_free(s);

	assert_int_equal(chmod(cfg, 0644), 0);
	assert_int_equal(secret_resolve("inline", NULL, NULL, cfg, &s, err,
	    sizeof(err)), -1);
	assert_null(s);
	snprintf(want, sizeof(want), "config file %s holds a secret but group "
	    "or others can read it; fix with: chmod 600 %s", cfg, cfg);
	assert_string_equal(err, want);

	/* the command comes first, then the file, then the password */
	pw = secret_file("pw2", "from-file\n", 0600);
	assert_int_equal(secret_resolve("inline", pw, "echo from-command",
	    cfg, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "from-command");
	secret_free(s);
	assert_int_equal(secret_resolve("inline", pw, NULL, cfg, &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "from-file");
	secret_free(s);
	secret_free(NULL);
	free(pw);
	free(cfg);
}

/* The modes alone, before anything runs: nothing is read or run. */
static void
test_check_modes(void **state)
{
	char err[ERRLEN], *cfg, *pw;

	cfg = secret_file("c.ini", "x\n", 0600);
	pw = secret_file("p", "x\n", 0600);
	assert_int_equal(secret_check_modes(NULL, pw, cfg, err, sizeof(err)),
	    0);
	assert_int_equal(secret_check_modes("x", NULL, cfg, err, sizeof(err)),
	    0);
	assert_int_equal(secret_check_modes(NULL, NULL, cfg, err,
	    sizeof(err)), 0);

	assert_int_equal(chmod(pw, 0604), 0);
	assert_int_equal(secret_check_modes(NULL, pw, cfg, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "password-file"));
	/* a password file is checked, not the config, even with a password */
	assert_int_equal(chmod(cfg, 0644), 0);
	assert_int_equal(chmod(pw, 0600), 0);
	assert_int_equal(secret_check_modes("x", pw, cfg, err, sizeof(err)),
	    0);
	assert_int_equal(secret_check_modes("x", NULL, cfg, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "config file"));
	/* no password in the config: its mode is the user's business */
	assert_int_equal(secret_check_modes(NULL, NULL, cfg, err,
	    sizeof(err)), 0);
	free(cfg);
	free(pw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_background_child),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_inline_and_order),
		cmocka_unit_test(test_check_modes),
	};

	return cmocka_run_group_tests(tests, tu_tmpdir_setup,
	    tu_tmpdir_teardown);
}
