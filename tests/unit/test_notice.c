/*
 * test_notice.c - rss2mail's own health notices are proper messages: our
 * From, the configured To, the feed's List-Id (the same label as its
 * entries), 7-bit, CRLF only, and a non-ASCII feed error survives QP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "notice.h"

static void
test_notice(void **unused)
{
	struct notice n;
	struct buf out = BUF_INIT(0);
	size_t i;

	memset(&n, 0, sizeof(n));
	n.from_addr = "feeds@example.org";
	n.to = "Me <me@example.org>";
	n.msgid = "<abc@rss2mail>";
	n.date = 1800000000;
	n.feed_name = "lwn.net";
	n.subject = "rss2mail: feed lwn.net is failing";
	n.text = "The feed failed.\nError: HTTP 503 \xe2\x80\x94 Service "
	    "Unavailable\n";
	assert_int_equal(notice_compose(&n, &out), 0);
	assert_non_null(strstr(out.data, "From: rss2mail <feeds@example.org>"
	    "\r\n"));
	assert_non_null(strstr(out.data, "\r\nTo: Me <me@example.org>\r\n"));
	assert_non_null(strstr(out.data, "\r\nList-Id: \"lwn.net\" "
	    "<lwn-net.rss2mail>\r\n"));
	assert_non_null(strstr(out.data, "\r\nAuto-Submitted: auto-generated"
	    "\r\n"));
	assert_non_null(strstr(out.data, "\r\nMessage-ID: <abc@rss2mail>\r\n"));
	assert_non_null(strstr(out.data, "HTTP 503 =E2=80=94 Service"));
	for (i = 0; i < out.len; i++) {
		assert_true((unsigned char)out.data[i] < 0x80);
		if (out.data[i] == '\n')
			assert_true(i > 0 && out.data[i - 1] == '\r');
	}
	/* a header cannot be injected through the feed name or subject */
	buf_reset(&out);
	n.feed_name = "x\r\nBcc: evil@example.net";
	n.subject = "s\r\nBcc: evil@example.net";
	assert_int_equal(notice_compose(&n, &out), 0);
	assert_null(strstr(out.data, "\r\nBcc:"));
	/* to = a list: the notice goes to every address */
	buf_reset(&out);
	n.to = "Me <me@example.org>, other@example.org";
	assert_int_equal(notice_compose(&n, &out), 0);
	assert_non_null(strstr(out.data, "\r\nTo: Me <me@example.org>, "
	    "other@example.org\r\n"));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
