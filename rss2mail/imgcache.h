/*
 * imgcache.h - the images fetched during one pass, by URL.
 *
 * Feeds repeat images: an author's avatar or a site's banner in every
 * post, WordPress's emoji in every feed that uses one.  A pass fetches each
 * URL once and embeds the same bytes in every message that shows it; a URL
 * that failed is not tried again in the same pass (a dead image host costs
 * one timeout, not one per entry).
 *
 * The key is the URL plus the fetch policy it was fetched under (the
 * private-address guard's two bits), so bytes fetched for a feed that may
 * reach private space are never served to one that may not.
 *
 * Bounded: at most max_bytes of image data and max_entries URLs.  An entry
 * returned by imgcache_get or imgcache_put is pinned until the caller
 * gives it back with imgcache_unpin (it holds pointers into it until its
 * messages are composed), so the bytes can exceed max_bytes by the images
 * of the messages waiting; the least recently used unpinned entries go
 * first.
 */
#ifndef RSS2MAIL_IMGCACHE_H
#define RSS2MAIL_IMGCACHE_H

#include <stddef.h>

struct imgcache;

struct imgcache_ent {
	const char	*url;
	const char	*type;		/* "image/png"; NULL: the fetch failed */
	const void	*data;
	size_t		 len;
	int		 width, height;	/* as shown; 0 when not known */
};

struct imgcache	*imgcache_new(size_t max_bytes, size_t max_entries);
void		 imgcache_free(struct imgcache *);	/* accepts NULL */
/* Give back one pin of e (from get or put): it may be evicted when none
 * is left. */
void		 imgcache_unpin(struct imgcache *, const struct imgcache_ent *);
/* The entry for url under policy, pinned; NULL when not cached. */
const struct imgcache_ent *imgcache_get(struct imgcache *, const char *url,
		    unsigned policy);
/* Store a result (type NULL: a failure), copied and pinned; replaces an
 * entry with the same key, unless that one is pinned: then it is
 * returned (pinned once more) as it is. */
const struct imgcache_ent *imgcache_put(struct imgcache *, const char *url,
		    unsigned policy, const char *type, const void *data,
		    size_t len);
/* The same, with the image's size as it will be shown. */
const struct imgcache_ent *imgcache_put_sized(struct imgcache *,
		    const char *url, unsigned policy, const char *type,
		    const void *data, size_t len, int width, int height);
/* For tests and -v: entries and bytes held now. */
size_t		 imgcache_count(const struct imgcache *);
size_t		 imgcache_bytes(const struct imgcache *);

#endif
