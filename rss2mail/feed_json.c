/*
 * feed_json.c - JSON Feed 1.0 and 1.1 (https://jsonfeed.org) with jansson.
 */
#include <stddef.h>

#include "feed.h"
#include "feed_int.h"
#include "util.h"

int
feed_json_parse(const char *data, size_t len,
    const struct feed_parse_opts *opts, struct arena *a, struct feed *f,
    char *err, size_t errlen)
{
	errf(err, errlen, "not a feed: JSON Feed is not read yet");
	return -1;
}
