/*
 * fuzz_imap_url.c - imap_url_parse on arbitrary bytes: no crash, and a
 * parsed URL has a host, a port in range and a mailbox in valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap_url.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_url u;
	char err[ERRLEN];
	char *s = xstrndup((const char *)data, size);

	if (imap_url_parse(s, &u, err, sizeof(err)) == 0) {
		if (u.host == NULL || u.host[0] == '\0' || u.port == 0 ||
		    u.port > 65535 || u.mailbox == NULL ||
		    !utf8_valid(u.mailbox, strlen(u.mailbox)))
			abort();
		imap_url_free(&u);
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
