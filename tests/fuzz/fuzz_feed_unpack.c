/*
 * fuzz_feed_unpack.c - feed_unpack on arbitrary bytes (what a compromised
 * parser child could send): an error or a model whose strings are valid
 * UTF-8 and whose entries all have ids.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "feed.h"
#include "feed_pack.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f;
	struct entry *e;
	char err[256];

	if (feed_unpack((const char *)data, len, a, &f, err,
	    sizeof(err)) == 0) {
		for (e = f->entries; e; e = e->next) {
			if (e->id == NULL || !utf8_valid(e->id, strlen(e->id)))
				abort();
			if (e->title.value && !utf8_valid(e->title.value,
			    strlen(e->title.value)))
				abort();
		}
	} else if (strchr(err, '\n') != NULL)
		abort();
	arena_free(a);
	return 0;
}
