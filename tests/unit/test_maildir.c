/*
 * test_maildir.c - the Maildir backend: Maildir++ folders, LF on disk,
 * finding a message by Message-ID in new/ and cur/, idempotent re-append,
 * refused folder names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "deliver.h"
#include "util.h"
#include "testutil.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/rss2mail-md-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_append_and_find(void **unused)
{
	const struct deliver_ops *ops = &deliver_maildir;
	struct deliver_cfg cfg = { 0 };
	struct deliver_msg m[2] = {
		{ "Subject: one\r\n\r\nbody one\r\n", 27, "<one@rss2mail>", 0, 0, NULL, 0, 0, 0, 0, "" },
		{ "Subject: two\r\n\r\nbody\rx\r\n", 24, "<two@rss2mail>", 0, 0, NULL, 0, 0, 0, 0, "" },
	};
	char root[128], path[256], err[256];
	struct buf b = BUF_INIT(0);
	void *ctx;
	size_t done;
	int found;

	snprintf(root, sizeof(root), "%s/Mail", dir);
	cfg.maildir = root;
	assert_int_equal(ops->open(&ctx, &cfg, err, sizeof(err)), DELIVER_OK);
	assert_int_equal(ops->ensure_folder(ctx, "News/LWN", err,
	    sizeof(err)), DELIVER_OK);
	assert_int_equal(ops->has_msgid(ctx, "News/LWN", "<one@rss2mail>",
	    &found, err, sizeof(err)), DELIVER_OK);
	assert_int_equal(found, 0);
	assert_int_equal(ops->append(ctx, "News/LWN", m, 2, &done, err,
	    sizeof(err)), DELIVER_OK);
	assert_int_equal(done, 2);
	snprintf(path, sizeof(path), "%s/.News.LWN/new", root);
	assert_int_equal(tu_count_files(path), 2);
	assert_int_equal(ops->has_msgid(ctx, "News/LWN", "<one@rss2mail>",
	    &found, err, sizeof(err)), DELIVER_OK);
	assert_int_equal(found, 1);
	/* not in another folder */
	assert_int_equal(ops->has_msgid(ctx, "", "<one@rss2mail>", &found,
	    err, sizeof(err)), DELIVER_OK);
	assert_int_equal(found, 0);
	/* appending the same message again replaces, never duplicates */
	assert_int_equal(ops->append(ctx, "News/LWN", m, 1, &done, err,
	    sizeof(err)), DELIVER_OK);
	assert_int_equal(tu_count_files(path), 2);

	/* on disk with LF line ends; a lone CR is kept */
	{
		char cmd[600];
		FILE *p;
		char line[256] = "";

		snprintf(cmd, sizeof(cmd), "cat %s/*", path);
		p = popen(cmd, "r");
		assert_non_null(p);
		while (fgets(line, sizeof(line), p))
			buf_puts(&b, line);
		pclose(p);
	}
	assert_null(strstr(buf_str(&b), "\r\n"));
	assert_non_null(strstr(buf_str(&b), "body one\n"));
	assert_non_null(strstr(buf_str(&b), "body\rx\n"));

	/* a client moved it to cur/ and marked it seen: still found */
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "cd %s/.News.LWN && for f in new/*; "
		    "do mv \"$f\" \"cur/$(basename $f):2,S\"; done", root);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(ops->has_msgid(ctx, "News/LWN", "<two@rss2mail>",
	    &found, err, sizeof(err)), DELIVER_OK);
	assert_int_equal(found, 1);
	ops->close(ctx);
	ops->close(NULL);
	buf_free(&b);
}

static void
test_bad_folders(void **unused)
{
	const struct deliver_ops *ops = &deliver_maildir;
	struct deliver_cfg cfg = { 0 };
	static const char *const bad[] = { "..", "a/../b", "a//b", "/a", "a/",
	    "a.b", "x\ny" };
	char root[128], err[256];
	void *ctx;
	size_t i;

	snprintf(root, sizeof(root), "%s/Mail", dir);
	cfg.maildir = root;
	assert_int_equal(ops->open(&ctx, &cfg, err, sizeof(err)), DELIVER_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ops->ensure_folder(ctx, bad[i], err,
		    sizeof(err)), DELIVER_FOLDER);
		assert_non_null(strstr(err, "bad folder name"));
	}
	ops->close(ctx);
}

static void
test_unwritable_root(void **unused)
{
	const struct deliver_ops *ops = &deliver_maildir;
	struct deliver_cfg cfg = { 0 };
	char root[128], err[256];
	void *ctx;

	snprintf(root, sizeof(root), "%s/file", dir);
	fclose(fopen(root, "w"));
	snprintf(root, sizeof(root), "%s/file/Mail", dir);
	cfg.maildir = root;
	assert_int_equal(ops->open(&ctx, &cfg, err, sizeof(err)),
	    DELIVER_STORE);
	assert_non_null(strstr(err, dir));
	cfg.maildir = NULL;
	assert_int_equal(ops->open(&ctx, &cfg, err, sizeof(err)),
	    DELIVER_STORE);
}

static void
test_flags_remove_expire(void **unused)
{
	const struct deliver_ops *ops = &deliver_maildir;
	struct deliver_cfg cfg = { 0 };
	struct deliver_msg m[3] = {
		{ "Subject: a\r\n\r\na\r\n", 18, "<a@x>", 1000, 0, NULL, 0, 0, 0, 0, "" },
		{ "Subject: b\r\n\r\nb\r\n", 18, "<b@x>", 1000, 0,
		    "\\Seen \\Flagged", 0, 0, 0, 0, "" },
		{ "Subject: c\r\n\r\nc\r\n", 18, "<c@x>", 2000000000, 0,
		    "\\Seen", 0, 0, 0, 0, "" },
	};
	char root[128], path[256], err[256], *flags;
	void *ctx;
	size_t done, n;
	int found;

	snprintf(root, sizeof(root), "%s/Mail", dir);
	cfg.maildir = root;
	assert_int_equal(ops->open(&ctx, &cfg, err, sizeof(err)), DELIVER_OK);
	assert_int_equal(ops->append(ctx, "", m, 3, &done, err, sizeof(err)),
	    DELIVER_OK);
	snprintf(path, sizeof(path), "%s/new", root);
	assert_int_equal(tu_count_files(path), 1);	/* a: no flags */
	snprintf(path, sizeof(path), "%s/cur", root);
	assert_int_equal(tu_count_files(path), 2);	/* b, c: flagged */

	/* the flags of the message replaced come back */
	assert_int_equal(ops->remove_msgid(ctx, "", "<b@x>", &flags, err,
	    sizeof(err)), DELIVER_OK);
	assert_string_equal(flags, "\\Flagged \\Seen");
	free(flags);
	assert_int_equal(ops->has_msgid(ctx, "", "<b@x>", &found, err,
	    sizeof(err)), DELIVER_OK);
	assert_false(found);
	assert_int_equal(ops->remove_msgid(ctx, "", "<nope@x>", &flags, err,
	    sizeof(err)), DELIVER_OK);
	assert_null(flags);

	/* a client reads a (moves it to cur/ seen); keep expires the old
	 * seen ones only: a is dated 1000, c in 2033 */
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "cd %s && for f in new/*; do mv "
		    "\"$f\" \"cur/$(basename $f):2,S\"; done", root);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(ops->expire(ctx, "", 1500000000, &n, err,
	    sizeof(err)), DELIVER_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ops->has_msgid(ctx, "", "<a@x>", &found, err,
	    sizeof(err)), DELIVER_OK);
	assert_false(found);
	assert_int_equal(ops->has_msgid(ctx, "", "<c@x>", &found, err,
	    sizeof(err)), DELIVER_OK);
	assert_true(found);
	ops->close(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_find, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_folders, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_root, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flags_remove_expire, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
