/*
 * test_ini.c - the INI tokenizer: line kinds, values and inline comments,
 * line numbers, byte-exact round trips, and the edit primitives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini.h"
#include "limits.h"
#include "util.h"

static struct ini *
tok(const char *text)
{
	struct ini *ini = NULL;
	char err[ERRLEN] = "";

	if (ini_parse("f.ini", text, strlen(text), &ini, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return ini;
}

static void
test_values(void **state)
{
	static const struct {
		const char *line, *key, *value;
	} t[] = {
		{ "k = v", "k", "v" },
		{ "k=v", "k", "v" },
		{ "  k\t=\tv w  ", "k", "v w" },
		{ "deliver = imap   ; imap | maildir", "deliver", "imap" },
		{ "k = v # hash comment", "k", "v" },
		{ "k = v;not-a-comment", "k", "v;not-a-comment" },
		{ "url = https://x.example/a#frag", "url",
		    "https://x.example/a#frag" },
		{ "k=;x", "k", ";x" },
		{ "k = ; only a comment", "k", "" },
		{ "k =", "k", "" },
		{ "k = a = b", "k", "a = b" },
		{ "x-y.z_1 = Ünï", "x-y.z_1", "Ünï" },
		{ "k = v\r", "k", "v" },
	};
	struct ini *ini;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ini = tok(t[i].line);
		assert_int_equal(ini->nlines, 1);
		assert_int_equal(ini->lines[0].kind, INI_KEY);
		assert_string_equal(ini->lines[0].name, t[i].key);
		if (strcmp(ini->lines[0].value, t[i].value) != 0)
			fail_msg("'%s': value '%s', want '%s'", t[i].line,
			    ini->lines[0].value, t[i].value);
		assert_memory_equal(ini->lines[0].raw + ini->lines[0].voff,
		    t[i].value, ini->lines[0].vlen);
		ini_free(ini);
	}
}

static void
test_kinds_and_lines(void **state)
{
	static const char text[] =
	    "\xEF\xBB\xBF; top\r\n"
	    "\r\n"
	    "  # indented\r\n"
	    "[ rss2mail ]  ; comment\r\n"
	    "k = v\r\n"
	    "[feed.x]\r\n"
	    "url = /x";
	static const enum ini_kind kinds[] = { INI_COMMENT, INI_BLANK,
	    INI_COMMENT, INI_SECTION, INI_KEY, INI_SECTION, INI_KEY };
	struct ini *ini = tok(text);
	char *back;
	size_t i, len;

	assert_int_equal(ini->nlines, 7);
	for (i = 0; i < ini->nlines; i++) {
		assert_int_equal(ini->lines[i].kind, kinds[i]);
		assert_int_equal(ini->lines[i].lineno, (int)i + 1);
	}
	assert_string_equal(ini->lines[3].name, "rss2mail");
	assert_string_equal(ini->eol, "\r\n");
	back = ini_text(ini, &len);
	assert_int_equal(len, strlen(text));
	assert_string_equal(back, text);
	free(back);
	ini_free(ini);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} t[] = {
		{ "a\nb c\n", "f.ini:1: expected 'key = value', '[section]' or "
		    "a comment" },
		{ "k = v\n= v\n", "f.ini:2: expected 'key = value', "
		    "'[section]' or a comment" },
		{ "k/x = v\n", "f.ini:1: expected 'key = value', '[section]' "
		    "or a comment" },
		{ "[a\n", "f.ini:1: bad section header: expected '[name]'" },
		{ "[a] x\n", "f.ini:1: bad section header: expected '[name]'" },
		{ "\n\n[]\n", "f.ini:3: empty section name" },
		{ "k = \xFF\n", "f.ini:1: not valid UTF-8" },
	};
	struct ini *ini;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(ini_parse("f.ini", t[i].text,
		    strlen(t[i].text), &ini, err, sizeof(err)), -1);
		assert_null(ini);
		assert_string_equal(err, t[i].err);
	}
}

static void
test_edits(void **state)
{
	static const char text[] =
	    "[a]\n"
	    "k = 1   ; keep this comment\n"
	    "\n"
	    "; about b\n"
	    "[b]\n"
	    "x = 1\n"
	    "; trailing note of b\n"
	    "\n"
	    "[c]\n"
	    "y = 2";
	struct ini *ini = tok(text);
	char err[ERRLEN], *out;
	size_t a, b, c, i;

	assert_int_equal(ini_find_section(ini, "a", &a), 0);
	assert_int_equal(ini_find_section(ini, "b", &b), 0);
	assert_int_equal(ini_find_section(ini, "zz", &c), -1);
	assert_int_equal(ini_find_key(ini, a, "k", &i), 0);
	assert_int_equal(i, 1);
	assert_int_equal(ini_find_key(ini, a, "x", &i), -1);

	assert_int_equal(ini_set(ini, a, "k", "22", err, sizeof(err)), 0);
	assert_int_equal(ini_set(ini, b, "z", "new", err, sizeof(err)), 0);
	assert_int_equal(ini_set(ini, b, "w", "a ; b", err, sizeof(err)), -1);
	assert_string_equal(err, "key 'w': value 'a ; b' cannot be written "
	    "in an INI line");
	assert_int_equal(ini_set(ini, b, "w", "a\nb", err, sizeof(err)), -1);
	assert_int_equal(ini_set(ini, b, "w", " lead", err, sizeof(err)), -1);
	assert_int_equal(ini_find_section(ini, "c", &c), 0);
	assert_int_equal(ini_set(ini, c, "q", "3", err, sizeof(err)), 0);
	out = ini_text(ini, NULL);
	assert_string_equal(out,
	    "[a]\n"
	    "k = 22   ; keep this comment\n"
	    "\n"
	    "; about b\n"
	    "[b]\n"
	    "x = 1\n"
	    "z = new\n"
	    "; trailing note of b\n"
	    "\n"
	    "[c]\n"
	    "y = 2\n"
	    "q = 3\n");
	free(out);

	assert_int_equal(ini_delete_key(ini, b, "z"), 1);
	assert_int_equal(ini_delete_key(ini, b, "z"), 0);
	/* [a]: the comment above [b] stays with [b] */
	ini_remove_section(ini, a);
	out = ini_text(ini, NULL);
	assert_string_equal(out,
	    "; about b\n"
	    "[b]\n"
	    "x = 1\n"
	    "; trailing note of b\n"
	    "\n"
	    "[c]\n"
	    "y = 2\n"
	    "q = 3\n");
	free(out);
	/* [b] takes its own comments, trailing ones included */
	assert_int_equal(ini_find_section(ini, "b", &b), 0);
	ini_remove_section(ini, b);
	out = ini_text(ini, NULL);
	assert_string_equal(out, "[c]\ny = 2\nq = 3\n");
	free(out);

	assert_int_equal(ini_append_section(ini, "d.e", &a, err, sizeof(err)),
	    0);
	assert_int_equal(ini_set(ini, a, "u", "v", err, sizeof(err)), 0);
	assert_int_equal(ini_append_section(ini, "x]y", &a, err, sizeof(err)),
	    -1);
	out = ini_text(ini, NULL);
	assert_string_equal(out, "[c]\ny = 2\nq = 3\n\n[d.e]\nu = v\n");
	free(out);
	ini_free(ini);

	/* an empty file gets no leading blank line */
	ini = tok("");
	assert_int_equal(ini_append_section(ini, "s", &a, err, sizeof(err)),
	    0);
	out = ini_text(ini, NULL);
	assert_string_equal(out, "[s]\n");
	free(out);
	ini_free(ini);
}

/* The text of ini parses into the same lines (kind, name, value). */
static void
assert_reparses(const struct ini *ini)
{
	struct ini *again = NULL;
	char err[ERRLEN], *text;
	size_t len, i;

	text = ini_text(ini, &len);
	if (ini_parse("f.ini", text, len, &again, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(again->nlines, ini->nlines);
	for (i = 0; i < ini->nlines; i++) {
		assert_int_equal(again->lines[i].kind, ini->lines[i].kind);
		if (ini->lines[i].name)
			assert_string_equal(again->lines[i].name,
			    ini->lines[i].name);
		if (ini->lines[i].value)
			assert_string_equal(again->lines[i].value,
			    ini->lines[i].value);
	}
	ini_free(again);
	free(text);
}

static void
assert_text(const struct ini *ini, const char *want, size_t wantlen)
{
	char *out;
	size_t len;

	out = ini_text(ini, &len);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, len);
	free(out);
}

/* What would not read back as written is refused, and nothing changes. */
static void
test_edit_refusals(void **state)
{
	static const char utf[] = "[a]\nk = v\n";
	struct buf b = BUF_INIT(0);
	struct ini *ini;
	char err[ERRLEN], value[64];
	size_t hdr, i, n;

	/* not UTF-8: the file would not parse */
	ini = tok(utf);
	assert_int_equal(ini_set(ini, 0, "k", "\xA9", err, sizeof(err)), -1);
	assert_string_equal(err, "key 'k': value '\\xA9' cannot be written in "
	    "an INI line");
	assert_int_equal(ini_set(ini, 0, "j", "\xC3", err, sizeof(err)), -1);
	assert_int_equal(ini_set(ini, 0, "\xFF", "v", err, sizeof(err)), -1);
	assert_int_equal(ini_append_section(ini, "\xFF", &hdr, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "section name '\\xFF' cannot be written in an "
	    "INI line");
	assert_int_equal(ini_append_section(ini, "a\xE2\x82", &hdr, err,
	    sizeof(err)), -1);
	assert_text(ini, utf, strlen(utf));
	ini_free(ini);

	/* the kept spacing and comment count against the line cap */
	buf_puts(&b, "[a]\nk = v ; ");
	for (i = 0; i < LIM_CONFIG_LINE - 12; i++)
		buf_putc(&b, 'c');
	buf_putc(&b, '\n');
	ini = tok(b.data);
	memset(value, 'x', 36);
	value[36] = '\0';
	assert_int_equal(ini_set(ini, 0, "k", value, err, sizeof(err)), -1);
	assert_string_equal(err, "key 'k': value too long");
	assert_text(ini, b.data, b.len);
	/* "k = " + value + " ; " + comment + "\n": exactly the cap */
	value[4] = '\0';
	assert_int_equal(ini_set(ini, 0, "k", value, err, sizeof(err)), 0);
	assert_int_equal(ini->lines[1].rawlen, LIM_CONFIG_LINE);
	assert_reparses(ini);
	ini_free(ini);

	/* a full last line without its line ending cannot get one */
	for (n = LIM_CONFIG_LINE - 4; n >= LIM_CONFIG_LINE - 5; n--) {
		buf_reset(&b);
		buf_puts(&b, "[a]\nk = ");
		for (i = 0; i < n; i++)
			buf_putc(&b, 'v');
		ini = tok(b.data);
		if (n == LIM_CONFIG_LINE - 4) {
			assert_int_equal(ini_append_section(ini, "b", &hdr, err,
			    sizeof(err)), -1);
			assert_int_equal(ini_set(ini, 0, "j", "1", err,
			    sizeof(err)), -1);
			assert_text(ini, b.data, b.len);
		} else {
			assert_int_equal(ini_append_section(ini, "b", &hdr, err,
			    sizeof(err)), 0);
			assert_int_equal(ini_set(ini, 0, "j", "1", err,
			    sizeof(err)), 0);
			assert_reparses(ini);
		}
		ini_free(ini);
	}
	buf_free(&b);
}

/* A last line ending in a bare '\r' reads the same after a line follows. */
static void
test_edit_bare_cr(void **state)
{
	static const char want[] = "[a]\r\nk = v\r\nj = 1\r\n";
	static const char want_lf[] = "[a]\nk = v\r\n\n[b]\n";
	struct ini *ini;
	char err[ERRLEN];
	size_t hdr;

	ini = tok("[a]\r\nk = v\r");
	assert_int_equal(ini_set(ini, 0, "j", "1", err, sizeof(err)), 0);
	assert_text(ini, want, strlen(want));
	assert_string_equal(ini->lines[1].value, "v");
	assert_reparses(ini);
	ini_free(ini);

	ini = tok("[a]\nk = v\r");
	assert_int_equal(ini_append_section(ini, "b", &hdr, err, sizeof(err)),
	    0);
	assert_text(ini, want_lf, strlen(want_lf));
	assert_reparses(ini);
	ini_free(ini);
}

/* Names in error text: one line, control characters escaped. */
static void
test_shown(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "plain", "plain" },
		{ "Ünï", "Ünï" },
		{ "a\rb", "a\\x0Db" },
		{ "a\nb\x1B[0m\x7F", "a\\x0Ab\\x1B[0m\\x7F" },
		{ "\xC2\x85 \xE2\x80\xA8", "\\u0085 \\u2028" },
		{ "\xFF\xC3", "\\xFF\\xC3" },
	};
	char *s, long_in[1000];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = ini_shown(t[i].in);
		assert_string_equal(s, t[i].out);
		free(s);
	}
	memset(long_in, 'x', sizeof(long_in) - 1);
	long_in[sizeof(long_in) - 1] = '\0';
	s = ini_shown(long_in);
	assert_true(strlen(s) < 200);
	assert_string_equal(s + strlen(s) - 3, "...");
	free(s);
}

/* Round trip: the text is its lines, whatever they hold. */
static void
test_round_trip(void **state)
{
	static const char *const t[] = {
		"",
		"\n",
		"\n\n\n",
		"; only a comment",
		"[a]\r\nk = v\r\n",
		"[a]\nk = v\n\n\n; end",
		"\t[ spaced ]\t\n  key   =   value   ;  c  \n",
	};
	struct ini *ini;
	char *out;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ini = tok(t[i]);
		out = ini_text(ini, &len);
		assert_int_equal(len, strlen(t[i]));
		assert_string_equal(out, t[i]);
		free(out);
		ini_free(ini);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_kinds_and_lines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_edit_refusals),
		cmocka_unit_test(test_edit_bare_cr),
		cmocka_unit_test(test_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
