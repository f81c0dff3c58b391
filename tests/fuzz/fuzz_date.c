/*
 * fuzz_date.c - feed_date_parse on arbitrary strings: no crash, and a date
 * it accepts lies within the years it claims to read (1000-9999, give or
 * take a zone).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define YEAR1000	(-30610224000LL - 86400)
#define YEAR10000	(253402300800LL + 86400)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t t;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (feed_date_parse(s, &t) == 0 && (t < YEAR1000 || t > YEAR10000))
		abort();
	free(s);
	return 0;
}
