/*
 * test_subscribe.c - a Subscribe-folder message -> its request, and new
 * feed names.  One table of messages in, request out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subscribe.h"

static const struct {
	const char		*msg;
	enum subscribe_op	 op;
	const char		*arg;
} cases[] = {
	{ "From: me@x\r\nSubject: unsubscribe lwn\r\n\r\nsent from my phone\r\n",
	    SUBSCRIBE_UNSUBSCRIBE, "lwn" },
	{ "Subject: Re: Fwd:  PAUSE  hn \r\n\r\n", SUBSCRIBE_PAUSE, "hn" },
	{ "Subject: resume\r\n xkcd\r\n\r\n", SUBSCRIBE_RESUME, "xkcd" },
	{ "Subject: pause two words\r\n\r\n", SUBSCRIBE_HELP, NULL },
	{ "Subject: =?UTF-8?Q?unsubscribe_caf=C3=A9?=\r\n\r\n",
	    SUBSCRIBE_UNSUBSCRIBE, "caf\xc3\xa9" },
	{ "Subject: https://lwn.net/\r\n\r\n", SUBSCRIBE_URL,
	    "https://lwn.net/" },
	{ "Subject: look at this\r\n\r\nA good blog (https://blog.example.org/"
	    "feed.xml).\r\n", SUBSCRIBE_URL, "https://blog.example.org/"
	    "feed.xml" },
	{ "Subject: x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<a href=3D\"https://example.org/a-very-long-path-that-is-wrapped=\r\n"
	    "/rss?x=3D1\">feed</a>\r\n", SUBSCRIBE_URL,
	    "https://example.org/a-very-long-path-that-is-wrapped/rss?x=1" },
	{ "Subject: hello\r\n\r\nnothing here, not even ftp://x/\r\n",
	    SUBSCRIBE_HELP, NULL },
	{ "Subject: http:///nohost\r\n\r\n", SUBSCRIBE_HELP, NULL },
	{ "no header block at all", SUBSCRIBE_HELP, NULL },
	{ "", SUBSCRIBE_HELP, NULL },
};

static void
test_requests(void **unused)
{
	struct subscribe_req r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		subscribe_parse(cases[i].msg, strlen(cases[i].msg), &r);
		if (r.op != cases[i].op)
			fail_msg("case %zu: op %d, want %d", i, (int)r.op,
			    (int)cases[i].op);
		if (cases[i].arg == NULL)
			assert_null(r.arg);
		else if (r.arg == NULL || strcmp(r.arg, cases[i].arg) != 0)
			fail_msg("case %zu: arg '%s', want '%s'", i,
			    r.arg ? r.arg : "(null)", cases[i].arg);
		subscribe_req_clear(&r);
	}
}

/* The other kinds: our own reply, a moved feed message, an OPML
 * attachment, a base64 text part, and the Message-ID kept for a reply. */
static void
test_kinds(void **unused)
{
	struct subscribe_req r;
	const char *m;

	m = "Subject: Subscribed: x\r\nX-RSS2Mail-Reply: yes\r\n\r\n"
	    "https://example.org/\r\n";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_IGNORE);
	subscribe_req_clear(&r);

	m = "Message-ID: <a1@phone>\r\nSubject: A post\r\nX-RSS-Feed: "
	    "https://blog.example.org/feed.xml\r\n\r\nsee https://b.example/"
	    "\r\n";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_MOVED);
	assert_string_equal(r.feed_url, "https://blog.example.org/feed.xml");
	assert_string_equal(r.msgid, "<a1@phone>");
	assert_string_equal(r.subject, "A post");
	subscribe_req_clear(&r);

	/* a subject command wins over the header */
	m = "Subject: unsubscribe blog\r\nX-RSS-Feed: https://x.example/\r\n"
	    "\r\n";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_UNSUBSCRIBE);
	subscribe_req_clear(&r);

	m = "Message-ID: <bad id@x>\r\nSubject: my feeds https://x.example/"
	    "\r\nContent-Type: multipart/mixed; boundary=\"=-b\"\r\n\r\n"
	    "preamble\r\n--=-b\r\nContent-Type: text/plain\r\n\r\nhere "
	    "https://text.example/\r\n--=-b\r\nContent-Type: application/"
	    "octet-stream; name=\"feeds.opml\"\r\nContent-Transfer-Encoding:"
	    " base64\r\n\r\nPG9wbWwvPg==\r\n--=-b--\r\n";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_OPML);
	assert_int_equal(r.opml_len, 7);
	assert_string_equal(r.opml, "<opml/>");
	assert_null(r.msgid);
	subscribe_req_clear(&r);

	m = "Subject: hi\r\nContent-Type: multipart/alternative; boundary=b"
	    "\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "aHR0cHM6Ly9zaXRlLmV4YW1wbGUvYmxvZw==\r\n--b--\r\n";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_URL);
	assert_string_equal(r.arg, "https://site.example/blog");
	subscribe_req_clear(&r);

	/* binary junk and an unterminated multipart: help, no crash */
	m = "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n"
	    "Content-Type: image/png\r\n\r\n\x89PNG\x01\x02";
	subscribe_parse(m, strlen(m), &r);
	assert_int_equal(r.op, SUBSCRIBE_HELP);
	subscribe_req_clear(&r);
}

static int
taken(void *ctx, const char *name)
{
	const char *const *v = ctx;

	for (; *v; v++)
		if (strcmp(*v, name) == 0)
			return 1;
	return 0;
}

static void
test_names(void **unused)
{
	const char *used[] = { "lwn-net", "lwn-net-2", NULL };
	char *n;

	n = subscribe_name("LWN.net", NULL, taken, used);
	assert_string_equal(n, "lwn-net-3");
	free(n);
	n = subscribe_name("  Jane's Blog — notes  ", NULL, taken, used);
	assert_string_equal(n, "jane-s-blog-notes");
	free(n);
	n = subscribe_name("\xe6\x97\xa5\xe6\x9c\xac", "https://www.example.org:"
	    "8080/feed", taken, used);
	assert_string_equal(n, "example-org");
	free(n);
	n = subscribe_name(NULL, NULL, NULL, NULL);
	assert_string_equal(n, "feed");
	free(n);
	n = subscribe_name("a very long title that goes on and on and on "
	    "and on", NULL, NULL, NULL);
	assert_true(strlen(n) <= 40);
	free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
