/*
 * test_edit.c - in-place edits of the config file (config/edit.c): add,
 * remove, pause/resume (set or delete a key), their refusals, symlinks,
 * files without a final newline, and concurrent editors; and the first
 * config `init` writes (config_write_new, config_default_from).
 *
 * Edits run on a copy of tests/data/config/commented.ini and compare the
 * whole result with an expected file, so everything outside the edited
 * section is checked byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "edit.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"
#include "fsutil.h"

#define HEAD	"[rss2mail]\nfrom = Feeds <feeds@example.org>\n" \
		"to = me@example.org\n"

/* A copy of the commented config (mode 0640: edits must keep it). */
static char *
scratch_copy(const char *name)
{
	struct buf b = BUF_INIT(0), path = BUF_INIT(0);
	char err[ERRLEN];

	tu_slurp("tests/data/config/commented.ini", &b);
	buf_printf(&path, "%s/%s", tu_tmpdir, name);
	if (fs_write_atomic(path.data, buf_str(&b), b.len, 0640, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	buf_free(&b);
	return buf_steal(&path);
}

static void
assert_file_equals(const char *path, const char *expected)
{
	struct buf got = BUF_INIT(0), want = BUF_INIT(0);
	struct buf exp = BUF_INIT(0);

	buf_printf(&exp, "tests/data/config/%s", expected);
	tu_slurp(path, &got);
	tu_slurp(exp.data, &want);
	if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
		fail_msg("%s differs from %s:\n%s", path, exp.data,
		    buf_str(&got));
	buf_free(&got);
	buf_free(&want);
	buf_free(&exp);
}

static void
test_edit_golden(void **state)
{
	static const char *const add_kv[] = { "folder=Other/{name}",
	    "html = no", NULL };
	char err[ERRLEN], *p;
	struct stat st;
	struct config *cfg;

	p = scratch_copy("add.ini");
	if (config_add_feed(p, "new", "https://new.example/feed.xml", add_kv,
	    err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_file_equals(p, "commented.add.ini");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* and removing it again restores the original */
	if (config_remove_feed(p, "new", err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_file_equals(p, "commented.ini");
	free(p);

	p = scratch_copy("rm-blog.ini");
	assert_int_equal(config_remove_feed(p, "blog", err, sizeof(err)), 0);
	assert_file_equals(p, "commented.remove-blog.ini");
	free(p);

	p = scratch_copy("rm-lwn.ini");
	assert_int_equal(config_remove_feed(p, "lwn", err, sizeof(err)), 0);
	assert_file_equals(p, "commented.remove-lwn.ini");
	free(p);

	p = scratch_copy("rm-local.ini");
	assert_int_equal(config_remove_feed(p, "local", err, sizeof(err)), 0);
	assert_file_equals(p, "commented.remove-local.ini");
	free(p);

	p = scratch_copy("pause.ini");
	assert_int_equal(config_set_feed_key(p, "lwn", "paused", "yes", err,
	    sizeof(err)), 0);
	assert_file_equals(p, "commented.pause-lwn.ini");
	assert_int_equal(config_load(p, &cfg, err, sizeof(err)), 0);
	assert_int_equal(config_find_feed(cfg, "lwn")->paused, 1);
	config_free(cfg);
	/* resume */
	assert_int_equal(config_set_feed_key(p, "lwn", "paused", NULL, err,
	    sizeof(err)), 0);
	assert_file_equals(p, "commented.ini");
	free(p);

	p = scratch_copy("resume.ini");
	assert_int_equal(config_set_feed_key(p, "local", "paused", NULL, err,
	    sizeof(err)), 0);
	assert_file_equals(p, "commented.resume-local.ini");
	/* resuming an active feed changes nothing */
	assert_int_equal(config_set_feed_key(p, "local", "paused", NULL, err,
	    sizeof(err)), 0);
	assert_file_equals(p, "commented.resume-local.ini");
	free(p);

	p = scratch_copy("set.ini");
	assert_int_equal(config_set_feed_key(p, "blog", "url",
	    "https://blog.example.net/feed", err, sizeof(err)), 0);
	assert_file_equals(p, "commented.set-url.ini");
	free(p);
}

static void
test_edit_errors(void **state)
{
	static const char *const kv_bad_key[] = { "fodler=x", NULL };
	static const char *const kv_bad_val[] = { "html=perhaps", NULL };
	static const char *const kv_global[] = { "state=/x", NULL };
	static const char *const kv_noeq[] = { "html", NULL };
	static const char *const kv_twice[] = { "html=no", "html=yes", NULL };
	static const char *const kv_url[] = { "url=/x", NULL };
	static const char *const kv_comment[] = { "subject=a ; b", NULL };
	static const char *const kv_nl[] = { "subject=a\nb", NULL };
	static const char *const kv_utf8[] = { "title=\xA9", NULL };
	static const char *const kv_c1[] = { "title=a\xC2\x85" "b", NULL };
	static const char *const kv_esc_key[] = { "x\x1B[2J=1", NULL };
	static const char *const kv_esc_noeq[] = { "a\rb", NULL };
	char err[ERRLEN], want[ERRLEN], *p, *dir;
	struct buf b = BUF_INIT(0);

	p = scratch_copy("errors.ini");
#define ADD_FAILS(name, url, kv, msg) do {				\
	assert_int_equal(config_add_feed(p, name, url, kv, err,		\
	    sizeof(err)), -1);						\
	assert_string_equal(err, msg);					\
	assert_file_equals(p, "commented.ini");				\
} while (0)
	ADD_FAILS("lwn", "https://x.example/", NULL,
	    "feed 'lwn' already exists");
	ADD_FAILS("a b", "https://x.example/", NULL, "bad feed name 'a b': "
	    "use letters, digits, '.', '_' and '-', not starting with '.'");
	ADD_FAILS("x", "gopher://x.example/", NULL, "key 'url': 'gopher:' "
	    "URLs are not supported: use http://, https://, file:// or a "
	    "local path");
	ADD_FAILS("x", "https://x.example/", kv_bad_key,
	    "key 'fodler': unknown key, did you mean 'folder'?");
	ADD_FAILS("x", "https://x.example/", kv_bad_val,
	    "key 'html': 'perhaps' is not yes or no");
	ADD_FAILS("x", "https://x.example/", kv_global,
	    "key 'state': only allowed in [rss2mail]");
	ADD_FAILS("x", "https://x.example/", kv_noeq,
	    "'html': expected KEY=VALUE");
	ADD_FAILS("x", "https://x.example/", kv_twice,
	    "key 'html': given twice");
	ADD_FAILS("x", "https://x.example/", kv_url,
	    "key 'url': given twice (the URL is the second argument)");
	ADD_FAILS("x", "https://x.example/", kv_comment,
	    "key 'subject': value 'a ; b' cannot be written in an INI line");
	ADD_FAILS("x", "https://x.example/", kv_nl,
	    "key 'subject': control character in value");
	ADD_FAILS("x", "https://x.example/", kv_utf8,
	    "key 'title': value is not valid UTF-8");
	ADD_FAILS("x", "https://x.example/", kv_c1,
	    "key 'title': control character in value");
	/* what the user typed is shown without its control characters */
	ADD_FAILS("x", "https://x.example/", kv_esc_key,
	    "key 'x\\x1B[2J': unknown key");
	ADD_FAILS("x", "https://x.example/", kv_esc_noeq,
	    "'a\\x0Db': expected KEY=VALUE");
	ADD_FAILS("a\rb", "https://x.example/", NULL, "bad feed name "
	    "'a\\x0Db': use letters, digits, '.', '_' and '-', not starting "
	    "with '.'");
#undef ADD_FAILS

	assert_int_equal(config_remove_feed(p, "nope", err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "no feed 'nope' in %s", p);
	assert_string_equal(err, want);
	assert_int_equal(config_set_feed_key(p, "nope", "paused", "yes", err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(config_remove_feed(p, "a\x1B", err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "no feed 'a\\x1B' in %s", p);
	assert_string_equal(err, want);
	assert_int_equal(config_set_feed_key(p, "lwn", "url", NULL, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "nothing changed, the result would not "
	    "be valid: %s:16: key 'url': required in [feed.lwn]", p);
	assert_string_equal(err, want);
	assert_file_equals(p, "commented.ini");
	free(p);

	/* a directory, a missing file */
	buf_printf(&b, "%s/missing.ini", tu_tmpdir);
	assert_int_equal(config_add_feed(b.data, "x", "/x", NULL, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", b.data);
	assert_string_equal(err, want);
	dir = tu_tmpdir;
	{
		struct config *cfg;

		assert_int_equal(config_load(dir, &cfg, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: is a directory, not a config "
		    "file", dir);
		assert_string_equal(err, want);
		assert_int_equal(config_load(b.data, &cfg, err, sizeof(err)),
		    -1);
		snprintf(want, sizeof(want), "%s: No such file or directory",
		    b.data);
		assert_string_equal(err, want);
	}
	buf_free(&b);
}

/* Editing through a symlink keeps the link and changes its target. */
static void
test_edit_symlink(void **state)
{
	struct buf link = BUF_INIT(0);
	char err[ERRLEN], *p;
	struct stat st;

	p = scratch_copy("target.ini");
	buf_printf(&link, "%s/link.ini", tu_tmpdir);
	assert_int_equal(symlink(p, link.data), 0);
	assert_int_equal(config_set_feed_key(link.data, "lwn", "paused",
	    "yes", err, sizeof(err)), 0);
	assert_int_equal(lstat(link.data, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_equals(p, "commented.pause-lwn.ini");
	free(p);
	buf_free(&link);
}

/* A file without a final newline, and an empty file. */
static void
test_edit_edges(void **state)
{
	struct buf path = BUF_INIT(0), got = BUF_INIT(0);
	char err[ERRLEN], want[ERRLEN];
	static const char nonl[] = "[rss2mail]\nfrom = a@b.c\nto = d@e.f";

	buf_printf(&path, "%s/nonl.ini", tu_tmpdir);
	assert_int_equal(fs_write_atomic(path.data, nonl, strlen(nonl), 0600,
	    err, sizeof(err)), 0);
	assert_int_equal(config_add_feed(path.data, "x", "/x.xml", NULL, err,
	    sizeof(err)), 0);
	tu_slurp(path.data, &got);
	assert_string_equal(got.data, "[rss2mail]\nfrom = a@b.c\nto = d@e.f\n"
	    "\n[feed.x]\nurl = /x.xml\n");
	assert_int_equal(config_set_feed_key(path.data, "x", "folder", "F",
	    err, sizeof(err)), 0);
	assert_int_equal(config_set_feed_key(path.data, "x", "folder", "G",
	    err, sizeof(err)), 0);
	tu_slurp(path.data, &got);
	assert_string_equal(got.data, "[rss2mail]\nfrom = a@b.c\nto = d@e.f\n"
	    "\n[feed.x]\nurl = /x.xml\nfolder = G\n");

	/* an empty file is not a valid config: nothing is written */
	buf_reset(&path);
	buf_printf(&path, "%s/empty.ini", tu_tmpdir);
	assert_int_equal(fs_write_atomic(path.data, "", 0, 0600, err,
	    sizeof(err)), 0);
	assert_int_equal(config_add_feed(path.data, "x", "/x.xml", NULL, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "nothing changed, fix this first: %s:0: "
	    "key 'from': required in [rss2mail]", path.data);
	assert_string_equal(err, want);
	tu_slurp(path.data, &got);
	assert_int_equal(got.len, 0);

	/* removing the feed that breaks the file is allowed */
	buf_reset(&path);
	buf_printf(&path, "%s/broken.ini", tu_tmpdir);
	assert_int_equal(fs_write_atomic(path.data, HEAD "[feed.bad]\n"
	    "url = ftp://x.example/\n", strlen(HEAD) + 34, 0600, err,
	    sizeof(err)), 0);
	assert_int_equal(config_remove_feed(path.data, "bad", err,
	    sizeof(err)), 0);
	tu_slurp(path.data, &got);
	assert_string_equal(got.data, HEAD);
	buf_free(&path);
	buf_free(&got);
}

/* Edits from several processes at once: none is lost. */
static void
test_edit_concurrent(void **state)
{
	struct config *cfg;
	char err[ERRLEN], name[32], url[64], *p;
	pid_t pids[8];
	int i, status;

	p = scratch_copy("concurrent.ini");
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == 0) {
			snprintf(name, sizeof(name), "c%d", i);
			snprintf(url, sizeof(url), "https://c%d.example/", i);
			_exit(config_add_feed(p, name, url, NULL, err,
			    sizeof(err)) == 0 ? 0 : 1);
		}
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(config_load(p, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->nfeeds, 3 + 8);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		assert_non_null(config_find_feed(cfg, name));
	}
	config_free(cfg);
	free(p);
}

/* config_default_from: feeds@ the domain of `to`, in any of its forms. */
static void
test_default_from(void **state)
{
	static const struct {
		const char	*to, *want;
	} cases[] = {
		{ "me@example.org", "Feeds <feeds@example.org>" },
		{ "Me <me@mail.example.net>", "Feeds <feeds@mail.example.net>" },
		{ "a@b@c.example", "Feeds <feeds@c.example>" },
		{ "nobody", "Feeds <feeds@localhost>" },
		{ "x@", "Feeds <feeds@localhost>" },
		{ NULL, "Feeds <feeds@localhost>" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = config_default_from(cases[i].to);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* A first config: written 0600 in a new directory, loadable, never over
 * a file unless force (which keeps a .bak); refusals write nothing. */
static void
test_write_new(void **state)
{
	static const char *const kv[] = { "imap-tls=none",
	    "password-command=echo pw", NULL };
	static const char *const bad_kv[] = { "colour=blue", NULL };
	static const char *const semi_kv[] = { "password-command=a ; b",
	    NULL };
	struct config_new n;
	struct config *cfg = NULL;
	struct buf path = BUF_INIT(0), bak = BUF_INIT(0), got = BUF_INIT(0);
	struct stat st;
	char err[ERRLEN];

	(void)state;
	buf_printf(&path, "%s/new/dir/config.ini", tu_tmpdir);
	buf_printf(&bak, "%s.bak", path.data);
	memset(&n, 0, sizeof(n));
	n.to = "me@example.org";
	n.deliver = "maildir";
	n.where = "/srv/mail/Feeds";
	assert_int_equal(config_write_new(path.data, &n, 0, err,
	    sizeof(err)), 0);
	assert_int_equal(stat(path.data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(config_load(path.data, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->global.from_addr, "feeds@example.org");
	assert_string_equal(cfg->global.to, "me@example.org");
	assert_int_equal(cfg->global.deliver, CONFIG_DELIVER_MAILDIR);
	assert_string_equal(cfg->global.maildir, "/srv/mail/Feeds");
	config_free(cfg);
	cfg = NULL;

	/* never over an existing file */
	n.to = "other@example.org";
	assert_int_equal(config_write_new(path.data, &n, 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	tu_slurp(path.data, &got);
	assert_non_null(strstr(buf_str(&got), "to = me@example.org"));
	assert_int_equal(access(bak.data, F_OK), -1);

	/* refusals write nothing, not even with force */
	n.deliver = "imap";
	n.where = "imap://me@127.0.0.1/";
	n.kv = bad_kv;
	assert_int_equal(config_write_new(path.data, &n, 1, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "colour"));
	n.kv = semi_kv;
	assert_int_equal(config_write_new(path.data, &n, 1, err,
	    sizeof(err)), -1);
	n.kv = NULL;
	n.to = "";
	assert_int_equal(config_write_new(path.data, &n, 1, err,
	    sizeof(err)), -1);
	if (!config_can_deliver("smtp")) {
		n.to = "other@example.org";
		n.deliver = "smtp";
		n.where = "smtp://127.0.0.1/";
		assert_int_equal(config_write_new(path.data, &n, 1, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "smtp"));
	}
	assert_int_equal(access(bak.data, F_OK), -1);

	/* force: the old text kept in .bak, the new one in place */
	n.to = "other@example.org";
	n.from = "Bridge <bridge@example.net>";
	n.deliver = "imap";
	n.where = "imap://me@127.0.0.1/";
	n.kv = kv;
	assert_int_equal(config_write_new(path.data, &n, 1, err,
	    sizeof(err)), 0);
	buf_reset(&got);
	tu_slurp(bak.data, &got);
	assert_non_null(strstr(buf_str(&got), "to = me@example.org"));
	assert_int_equal(stat(bak.data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(config_load(path.data, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->global.from_addr, "bridge@example.net");
	assert_int_equal(cfg->global.deliver, CONFIG_DELIVER_IMAP);
	assert_string_equal(cfg->global.password_command, "echo pw");
	config_free(cfg);
	buf_free(&got);
	buf_free(&bak);
	buf_free(&path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_golden),
		cmocka_unit_test(test_edit_errors),
		cmocka_unit_test(test_edit_symlink),
		cmocka_unit_test(test_edit_edges),
		cmocka_unit_test(test_edit_concurrent),
		cmocka_unit_test(test_default_from),
		cmocka_unit_test(test_write_new),
	};

	return cmocka_run_group_tests(tests, tu_tmpdir_setup,
	    tu_tmpdir_teardown);
}
