/*
 * arena.h - a bounded bump allocator for per-feed work.
 *
 * Everything parsed from one feed lives in one arena, freed (or reset) after
 * the feed.  The arena's cap is the memory bound of that work: past it,
 * arena_alloc returns NULL and the caller fails with "feed too large".  Error
 * paths cannot leak: nothing in an arena is freed one by one.
 */
#ifndef RSS2MAIL_ARENA_H
#define RSS2MAIL_ARENA_H

#include <stddef.h>

struct arena;

struct arena	*arena_new(size_t cap);		/* cap: total bytes; aborts on OOM */
void		*arena_alloc(struct arena *, size_t);	/* zeroed; NULL past cap */
char		*arena_strdup(struct arena *, const char *);	/* NULL-safe */
char		*arena_strndup(struct arena *, const char *, size_t);
void		 arena_reset(struct arena *);	/* frees all but the first block */
void		 arena_free(struct arena *);	/* accepts NULL */
size_t		 arena_used(const struct arena *);

#endif
