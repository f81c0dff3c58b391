/*
 * feed_pack.h - the feed model as bytes, and back: how a parse done in a
 * short-lived child process (run.c, parse isolation) hands its result to
 * the parent.
 *
 * The bytes are trusted no more than the feed they came from: feed_unpack
 * checks every length against what is left and rebuilds the model in the
 * caller's arena, so a child that went wrong yields an error, never a bad
 * pointer.  No I/O.
 */
#ifndef RSS2MAIL_FEED_PACK_H
#define RSS2MAIL_FEED_PACK_H

#include <stddef.h>

struct arena;
struct buf;
struct entry;
struct feed;

int	feed_pack(const struct feed *, struct buf *out);
/* 0, or -1 with err ("truncated", "malformed", "too large"). */
int	feed_unpack(const char *p, size_t len, struct arena *,
	    struct feed **out, char *err, size_t errlen);

/*
 * A copy of f holding only the entries es[0..n) (in that order), in a:
 * packed and unpacked, so nothing in it points into f; its entries in
 * out_es[0..n).  For a parsed feed that must outlive its parse with a few
 * of its entries (run.c: a feed waiting for its images).  0, or -1 with
 * err.
 */
int	feed_subset(const struct feed *f, const struct entry *const *es,
	    size_t n, struct arena *a, struct feed **out,
	    const struct entry **out_es, char *err, size_t errlen);

#endif
