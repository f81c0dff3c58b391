/*
 * article_extract.c - run the article extractor on saved pages.
 *
 *   article_extract [-h] [-u URL] FILE...    the article of each page as
 *                                            sanitized text (-h: its HTML)
 *                                            with the metadata above it
 *   article_extract -b N FILE...             time N extractions of each
 *                                            page; print CPU ms per 100 KB
 *
 * A tool for looking at the corpus (tests/data/articles) and for the
 * speed figure in the README; the tests assert on their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "article.h"
#include "buf.h"
#include "fsutil.h"
#include "html.h"
#include "limits.h"

int	main(int, char **);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
show(const char *path, const char *url, int raw)
{
	struct buf page = BUF_INIT(0), san = BUF_INIT(0), txt = BUF_INIT(0);
	struct article a;
	char err[ERRLEN] = "";
	enum article_rc rc;

	if (fs_read_file(path, LIM_ARTICLE_PAGE, &page, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		return;
	}
	rc = article_extract(page.data, page.len, url, NULL, &a, err,
	    sizeof(err));
	printf("== %s: %s%s\n", path, rc == ARTICLE_OK ? "ok" :
	    rc == ARTICLE_THIN ? "thin: " : "failed: ",
	    rc == ARTICLE_OK ? "" : err);
	printf("title: %s\nbyline: %s\npublished: %s\nimage: %s\nsite: %s\n"
	    "lang: %s\nwords: %zu\n\n", a.title ? a.title : "-",
	    a.byline ? a.byline : "-", a.published ? a.published : "-",
	    a.image ? a.image : "-", a.site ? a.site : "-",
	    a.lang ? a.lang : "-", a.words);
	if (raw)
		fwrite(a.html.data, 1, a.html.len, stdout);
	else if (a.html.len > 0 && html_sanitize(a.html.data, a.html.len,
	    &san, err, sizeof(err)) == 0 && html_to_text(san.data, san.len,
	    72, &txt, err, sizeof(err)) == 0)
		fwrite(txt.data, 1, txt.len, stdout);
	printf("\n");
	article_free(&a);
	buf_free(&page);
	buf_free(&san);
	buf_free(&txt);
}

static int
bench(int n, char **files, int nfiles, const char *url)
{
	struct buf page = BUF_INIT(0);
	struct article a;
	char err[ERRLEN];
	double t0, secs = 0, bytes = 0;
	int i, k;

	for (i = 0; i < nfiles; i++) {
		buf_reset(&page);
		if (fs_read_file(files[i], LIM_ARTICLE_PAGE, &page, err,
		    sizeof(err))) {
			fprintf(stderr, "%s: %s\n", files[i], err);
			return 1;
		}
		t0 = now();
		for (k = 0; k < n; k++) {
			article_extract(page.data, page.len, url, NULL, &a,
			    err, sizeof(err));
			article_free(&a);
		}
		secs += now() - t0;
		bytes += (double)page.len * n;
	}
	printf("%d pages x %d: %.0f KB in %.3f s: %.3f ms per 100 KB\n",
	    nfiles, n, bytes / 1024, secs, secs * 1000 / (bytes / 102400));
	buf_free(&page);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *url = "https://blog.example.org/2026/03/a-post/";
	int c, raw = 0, n = 0, i;

	while ((c = getopt(argc, argv, "b:hu:")) != -1) {
		switch (c) {
		case 'b':
			n = atoi(optarg);
			break;
		case 'h':
			raw = 1;
			break;
		case 'u':
			url = optarg;
			break;
		default:
			fprintf(stderr, "usage: article_extract [-h] [-b N] "
			    "[-u URL] FILE...\n");
			return 2;
		}
	}
	if (n > 0)
		return bench(n, argv + optind, argc - optind, url);
	for (i = optind; i < argc; i++)
		show(argv[i], url, raw);
	return 0;
}
