/*
 * imgproc.h - image_prepare (image.h) in a child process.
 *
 * Whatever an image host sends is decoded by libvips, whose loaders are
 * large C libraries; a hostile image may crash one, loop in it or make it
 * allocate without end.  So each image is prepared by a child forked for
 * it: the child already has the bytes (fork copies them), starts libvips
 * (image_init: libvips starts threads, so never in the parent), prepares
 * the image under an address-space limit (the parent's size plus
 * IMGPROC_AS_EXTRA) and a CPU-time limit (IMGPROC_CPU seconds), writes the
 * result down a pipe and exits.  The parent waits at most IMGPROC_SECONDS
 * for the answer; a child that crashes, hits a limit, answers garbage or
 * takes too long is killed and reaped, and that image gets one line of
 * error.  Nothing here can fail the caller's pass.
 *
 * RSS2MAIL_TEST_IMGPROC=crash makes every child die by SIGKILL (tests).
 */
#ifndef RSS2MAIL_IMGPROC_H
#define RSS2MAIL_IMGPROC_H

#include <stddef.h>
#include <sys/types.h>

#include "image.h"

#define IMGPROC_SECONDS		20	/* wall time for one image */
#define IMGPROC_CPU		10	/* CPU seconds for one image */
#define IMGPROC_AS_EXTRA	(512u << 20)	/* beyond the parent's size */

/* One image being prepared by its child. */
struct imgproc {
	pid_t	pid;		/* 0: none */
	int	fd;		/* the child's answer */
};

/*
 * Start preparing an image in a child, which has its own copy of data
 * (the caller may free it at once).  0, or -1 with err (no child).  Every
 * started child must be finished.
 */
int	imgproc_start(struct imgproc *, const void *data, size_t len,
	    const struct image_opts *, char *err, size_t errlen);
/* Its result (see imgproc_prepare); the wait starts now. */
enum image_status imgproc_finish(struct imgproc *, struct image_out *out,
	    char *err, size_t errlen);

/*
 * As image_prepare, in a child.  IMAGE_OK: *out holds the bytes (malloc'd,
 * image_out_free).  Otherwise *out is empty and err has one line; a child
 * that failed is IMAGE_BROKEN ("the image process was stopped by signal 9
 * (crash or memory limit)").
 */
enum image_status imgproc_prepare(const void *data, size_t len,
	    const struct image_opts *, struct image_out *out, char *err,
	    size_t errlen);

#endif
