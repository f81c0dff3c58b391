/*
 * test_json.c - the JSON string escaper: a table of inputs and the exact
 * bytes they become, NULL as null, embedded NUL bytes, and a cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "json.h"

static void
test_escape_table(void **state)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "\"\"" },
		{ "plain text", "\"plain text\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "C:\\path", "\"C:\\\\path\"" },
		{ "a\nb\rc\td", "\"a\\nb\\rc\\td\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "\x1b[2J", "\"\\u001b[2J\"" },
		/* DEL and UTF-8 pass through: the input is valid UTF-8 */
		{ "\x7f", "\"\x7f\"" },
		{ "caf\xc3\xa9 \xe2\x80\xa8", "\"caf\xc3\xa9 \xe2\x80\xa8\"" },
		{ "</script>", "\"</script>\"" },
	};
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		json_put_cstr(&b, t[i].in);
		if (strcmp(buf_str(&b), t[i].want) != 0)
			fail_msg("case %zu: got %s want %s", i, buf_str(&b),
			    t[i].want);
	}
	buf_free(&b);
}

static void
test_null_and_nul(void **state)
{
	struct buf b = BUF_INIT(0);

	json_put_cstr(&b, NULL);
	assert_string_equal(buf_str(&b), "null");
	buf_reset(&b);
	json_put_str(&b, "a\0b", 3);
	assert_string_equal(buf_str(&b), "\"a\\u0000b\"");
	buf_reset(&b);
	/* n bounds the input: no terminator is needed */
	json_put_str(&b, "abcdef", 2);
	assert_string_equal(buf_str(&b), "\"ab\"");
	buf_free(&b);
}

static void
test_cap(void **state)
{
	struct buf b = BUF_INIT(8);

	json_put_cstr(&b, "a long string");
	assert_true(b.overflow);
	assert_true(b.len <= 8);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_null_and_nul),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
