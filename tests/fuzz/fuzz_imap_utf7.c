/*
 * fuzz_imap_utf7.c - the modified UTF-7 codec: decoding never crashes, and
 * whatever decodes re-encodes to exactly the input (one spelling per
 * name); whatever valid UTF-8 encodes decodes back to itself.  Folder
 * names (imap_name_wire) and flag lists on the same bytes: no crash, and
 * an accepted name is printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_name.h"
#include "imap_utf7.h"
#include "limits.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a = BUF_INIT(1u << 16), b = BUF_INIT(1u << 18);
	const char *s = (const char *)data;

	if (imap_utf7_decode(&a, s, size) == 0) {
		if (imap_utf7_encode(&b, a.data ? a.data : "", a.len) != 0 ||
		    b.len != size || (size && memcmp(b.data, s, size) != 0))
			abort();
	}
	buf_reset(&a);
	buf_reset(&b);
	if (imap_utf7_encode(&a, s, size) == 0) {
		if (imap_utf7_decode(&b, a.data ? a.data : "", a.len) != 0 ||
		    b.len != size || (size && memcmp(b.data, s, size) != 0))
			abort();
	}
	buf_reset(&a);
	{
		static const struct {
			const char	*prefix;
			char		 delim;
		} ns[] = { { "", '/' }, { "INBOX.", '.' }, { "", 0 } };
		char err[ERRLEN], *z = xstrndup(s, size), *j;
		size_t i, k;

		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			buf_reset(&a);
			if (imap_name_wire(&a, z, ns[i].prefix, ns[i].delim, err,
			    sizeof(err)) != 0)
				continue;
			for (k = 0; k < a.len; k++)
				if (a.data[k] < 0x20 || a.data[k] > 0x7e)
					abort();
		}
		j = imap_flags_join(z);
		if (imap_flags_ok(z) && !imap_flags_ok(j))
			abort();
		free(j);
		free(z);
	}
	buf_free(&a);
	buf_free(&b);
	return 0;
}
