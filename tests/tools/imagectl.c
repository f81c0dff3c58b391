/*
 * imagectl - drive image_prepare from the command line for tests and bench.
 *
 *   imagectl [--width W] [--quality Q] [--max-bytes N] [--max-pixels N]
 *            [--repeat K] IN [OUT]
 *
 * Prepares the image in file IN as a message would embed it and prints one
 * line: "ok TYPE WIDTHxHEIGHT BYTES" (and writes the bytes to OUT when
 * given), or "refused|broken|too-large: REASON".  With --repeat K it
 * prepares the same image K times and adds "MS ms each" (CPU per image).
 * Exit status 0 when the image was prepared, 3 when it was refused, broken
 * or too large, 2 on usage errors, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fsutil.h"
#include "image.h"
#include "util.h"

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct image_opts o = { 1280, 80, 0, 0 };
	struct image_out out;
	struct buf in;
	char err[512];
	const char *inp = NULL, *outp = NULL;
	enum image_status st = IMAGE_OK;
	long repeat = 1, i;
	double t0;
	int k;

	for (k = 1; k < argc; k++) {
		if (k + 1 < argc && strcmp(argv[k], "--width") == 0)
			o.max_width = atoi(argv[++k]);
		else if (k + 1 < argc && strcmp(argv[k], "--quality") == 0)
			o.quality = atoi(argv[++k]);
		else if (k + 1 < argc && strcmp(argv[k], "--max-bytes") == 0)
			o.max_bytes = strtoull(argv[++k], NULL, 10);
		else if (k + 1 < argc && strcmp(argv[k], "--max-pixels") == 0)
			o.max_pixels = strtoull(argv[++k], NULL, 10);
		else if (k + 1 < argc && strcmp(argv[k], "--repeat") == 0)
			repeat = atol(argv[++k]);
		else if (inp == NULL)
			inp = argv[k];
		else if (outp == NULL)
			outp = argv[k];
		else
			inp = NULL, k = argc;
	}
	if (inp == NULL || repeat < 1) {
		fprintf(stderr, "usage: imagectl [--width W] [--quality Q] "
		    "[--max-bytes N] [--max-pixels N] [--repeat K] IN [OUT]\n");
		return 2;
	}
	buf_init(&in, (size_t)256 << 20);
	if (fs_read_file(inp, (size_t)256 << 20, &in, err, sizeof(err)) ==
	    -1 || image_init(err, sizeof(err)) == -1) {
		fprintf(stderr, "imagectl: %s\n", err);
		return 1;
	}
	t0 = cpu_ms();
	for (i = 0; i < repeat; i++) {
		if (i > 0)
			image_out_free(&out);
		st = image_prepare(in.data, in.len, &o, &out, err,
		    sizeof(err));
		if (st != IMAGE_OK)
			break;
	}
	if (st != IMAGE_OK) {
		printf("%s: %s\n", st == IMAGE_REFUSED ? "refused" :
		    st == IMAGE_BROKEN ? "broken" : "too-large", err);
		buf_free(&in);
		return 3;
	}
	printf("ok %s %dx%d %zu", out.type, out.width, out.height, out.len);
	if (repeat > 1)
		printf(" %.2f ms each", (cpu_ms() - t0) / (double)repeat);
	printf("\n");
	if (outp != NULL && fs_write_atomic(outp, out.data, out.len, 0644,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "imagectl: %s\n", err);
		return 1;
	}
	image_out_free(&out);
	buf_free(&in);
	return 0;
}
