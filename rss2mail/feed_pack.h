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
struct feed;

int	feed_pack(const struct feed *, struct buf *out);
/* 0, or -1 with err ("truncated", "malformed", "too large"). */
int	feed_unpack(const char *p, size_t len, struct arena *,
	    struct feed **out, char *err, size_t errlen);

#endif
