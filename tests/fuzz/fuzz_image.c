/*
 * fuzz_image.c - image_prepare on arbitrary bytes, under the same caps a
 * message uses (and a smaller pixel limit, so a fuzzing run stays within
 * libFuzzer's memory limit as the parser child stays within its own).
 * Beyond "no crash": a prepared image is within max_bytes, no wider than
 * max_width, of a type a phone shows, and starts with that type's magic;
 * a refusal leaves one line of text and nothing allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_opts o = { 320, 70, 64 << 10, 4000000 };
	struct image_out out;
	char err[256];
	enum image_status st;

	err[0] = '\0';
	st = image_prepare(data, size, &o, &out, err, sizeof(err));
	if (st != IMAGE_OK) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL ||
		    out.data != NULL)
			abort();
		return 0;
	}
	if (out.len == 0 || out.len > o.max_bytes || out.width <= 0 ||
	    (out.width > o.max_width && strcmp(out.type, "image/gif") != 0))
		abort();
	if (image_sniff(out.data, out.len) == NULL ||
	    strcmp(image_sniff(out.data, out.len), out.type) != 0)
		abort();
	image_out_free(&out);
	return 0;
}
