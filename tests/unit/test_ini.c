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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
