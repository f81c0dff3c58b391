/*
 * replay.c - a main() for libFuzzer targets built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once per file named on the command line, so that
 * `make check` replays every corpus with a plain build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int main(int, char **);

int
main(int argc, char **argv)
{
	unsigned char *p;
	long n;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		p = malloc(n > 0 ? (size_t)n : 1);
		if (p == NULL || (n > 0 && fread(p, 1, (size_t)n, f) !=
		    (size_t)n)) {
			fprintf(stderr, "%s: read failed\n", argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(p, (size_t)n);
		free(p);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
