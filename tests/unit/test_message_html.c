/*
 * test_message_html.c - the document around a message's HTML part.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "message_html.h"

static void
test_document(void **state)
{
	struct buf b = BUF_INIT(0);
	struct msg_html_doc d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.title = "<T>";
	d.feed = "F & G";
	d.link = "javascript:alert(1)";
	msg_html_document(&d, "<p>x</p>", 8, &b);
	assert_non_null(strstr(b.data, "<html>"));
	assert_non_null(strstr(b.data, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(b.data, "&lt;T&gt;"));
	assert_non_null(strstr(b.data, "F &amp; G"));
	assert_null(strstr(b.data, "javascript"));
	assert_non_null(strstr(b.data, "<p>x</p>\n</body>\n</html>\n"));
	buf_reset(&b);
	d.link = "https://example.org/p?a=1&b=2";
	msg_html_document(&d, "", 0, &b);
	assert_non_null(strstr(b.data,
	    "<a href=\"https://example.org/p?a=1&amp;b=2\">"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
