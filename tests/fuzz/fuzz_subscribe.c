/*
 * fuzz_subscribe.c - subscribe_parse on arbitrary bytes: a message put
 * into the Subscribe folder by anyone who can reach it.  Beyond "no
 * crash": the request is one of the kinds; a URL is http(s), at most
 * SUBSCRIBE_URL_MAX bytes, without blanks, quotes or angle brackets; a
 * command's NAME is one word; a moved message's feed URL and the subject
 * are one line; an In-Reply-To Message-ID is "<...>" of printable ASCII;
 * an OPML attachment is at most what was read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "subscribe.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
oneline(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subscribe_req r;
	const char *p;
	size_t n;

	subscribe_parse((const char *)data, size, &r);
	switch (r.op) {
	case SUBSCRIBE_URL:
		n = strlen(r.arg);
		if (n > SUBSCRIBE_URL_MAX || (strncasecmp(r.arg, "http://", 7)
		    != 0 && strncasecmp(r.arg, "https://", 8) != 0))
			abort();
		for (p = r.arg; *p; p++)
			if ((unsigned char)*p <= ' ' || strchr("\"'<>", *p))
				abort();
		break;
	case SUBSCRIBE_UNSUBSCRIBE:
	case SUBSCRIBE_PAUSE:
	case SUBSCRIBE_RESUME:
		if (r.arg == NULL || r.arg[0] == '\0' ||
		    strpbrk(r.arg, " \t\r\n") != NULL)
			abort();
		break;
	case SUBSCRIBE_MOVED:
		if (r.feed_url == NULL || r.feed_url[0] == '\0')
			abort();
		oneline(r.feed_url);
		break;
	case SUBSCRIBE_OPML:
		if (r.opml == NULL || r.opml_len > size ||
		    r.opml[r.opml_len] != '\0')
			abort();
		break;
	case SUBSCRIBE_HELP:
	case SUBSCRIBE_IGNORE:
		if (r.arg != NULL)
			abort();
		break;
	default:
		abort();
	}
	oneline(r.subject);
	if (r.msgid != NULL) {
		n = strlen(r.msgid);
		if (n < 3 || r.msgid[0] != '<' || r.msgid[n - 1] != '>')
			abort();
		for (p = r.msgid; *p; p++)
			if ((unsigned char)*p <= ' ' ||
			    (unsigned char)*p >= 0x7F)
				abort();
	}
	subscribe_req_clear(&r);
	return 0;
}
