/*
 * imgcache.c - the images fetched during one pass (see imgcache.h).
 *
 * A chained hash table over an LRU list: lookups and inserts are O(1);
 * eviction walks from the least recently used end, past pinned entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imgcache.h"
#include "util.h"

#define NBUCKETS	1024u

struct node {
	struct imgcache_ent e;
	unsigned	 policy;
	uint32_t	 hash;
	unsigned	 pins;		/* holders (imgcache_unpin) */
	struct node	*next;		/* bucket chain */
	struct node	*older, *newer;	/* LRU list */
};

struct imgcache {
	struct node	*bucket[NBUCKETS];
	struct node	*oldest, *newest;
	size_t		 count, bytes;
	size_t		 max_bytes, max_entries;
};

static uint32_t
key_hash(const char *url, unsigned policy)
{
	uint32_t h = 2166136261u ^ policy;	/* FNV-1a */

	for (; *url; url++)
		h = (h ^ (unsigned char)*url) * 16777619u;
	return h;
}

struct imgcache *
imgcache_new(size_t max_bytes, size_t max_entries)
{
	struct imgcache *c = xcalloc(1, sizeof(*c));

	c->max_bytes = max_bytes;
	c->max_entries = max_entries ? max_entries : 1;
	return c;
}

static void
lru_unlink(struct imgcache *c, struct node *n)
{
	if (n->older)
		n->older->newer = n->newer;
	else
		c->oldest = n->newer;
	if (n->newer)
		n->newer->older = n->older;
	else
		c->newest = n->older;
	n->older = n->newer = NULL;
}

static void
lru_push(struct imgcache *c, struct node *n)
{
	n->older = c->newest;
	n->newer = NULL;
	if (c->newest)
		c->newest->newer = n;
	else
		c->oldest = n;
	c->newest = n;
}

static void
node_drop(struct imgcache *c, struct node *n)
{
	struct node **pp = &c->bucket[n->hash % NBUCKETS];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	lru_unlink(c, n);
	c->count--;
	c->bytes -= n->e.len;
	free((char *)n->e.url);
	free((char *)n->e.type);
	free((void *)n->e.data);
	free(n);
}

void
imgcache_free(struct imgcache *c)
{
	if (c == NULL)
		return;
	while (c->oldest)
		node_drop(c, c->oldest);
	free(c);
}

void
imgcache_unpin(struct imgcache *c, const struct imgcache_ent *e)
{
	struct node *n = (struct node *)(uintptr_t)e;	/* e is its first
							 * member */

	(void)c;
	if (n != NULL && n->pins > 0)
		n->pins--;
}

static struct node *
find(struct imgcache *c, const char *url, unsigned policy, uint32_t h)
{
	struct node *n;

	for (n = c->bucket[h % NBUCKETS]; n; n = n->next)
		if (n->hash == h && n->policy == policy &&
		    strcmp(n->e.url, url) == 0)
			return n;
	return NULL;
}

const struct imgcache_ent *
imgcache_get(struct imgcache *c, const char *url, unsigned policy)
{
	struct node *n = find(c, url, policy, key_hash(url, policy));

	if (n == NULL)
		return NULL;
	n->pins++;
	lru_unlink(c, n);
	lru_push(c, n);
	return &n->e;
}

/* Make room for add more bytes and one more entry: the least recently
 * used unpinned ones go. */
static void
evict(struct imgcache *c, size_t add)
{
	struct node *n = c->oldest, *next;

	while (n != NULL && (c->count + 1 > c->max_entries ||
	    c->bytes + add > c->max_bytes)) {
		next = n->newer;
		if (n->pins == 0)
			node_drop(c, n);
		n = next;
	}
}

const struct imgcache_ent *
imgcache_put(struct imgcache *c, const char *url, unsigned policy,
    const char *type, const void *data, size_t len)
{
	return imgcache_put_sized(c, url, policy, type, data, len, 0, 0);
}

const struct imgcache_ent *
imgcache_put_sized(struct imgcache *c, const char *url, unsigned policy,
    const char *type, const void *data, size_t len, int width, int height)
{
	uint32_t h = key_hash(url, policy);
	struct node *n;

	if (type == NULL)
		len = 0;
	if ((n = find(c, url, policy, h)) != NULL) {
		if (n->pins > 0) {	/* held: its bytes stay */
			n->pins++;
			return &n->e;
		}
		node_drop(c, n);
	}
	evict(c, len);
	n = xcalloc(1, sizeof(*n));
	n->e.url = xstrdup(url);
	if (type) {
		char *d = xmalloc(len + 1);

		memcpy(d, data, len);
		d[len] = '\0';
		n->e.type = xstrdup(type);
		n->e.data = d;
		n->e.len = len;
		n->e.width = width;
		n->e.height = height;
	}
	n->policy = policy;
	n->hash = h;
	n->pins = 1;
	n->next = c->bucket[h % NBUCKETS];
	c->bucket[h % NBUCKETS] = n;
	lru_push(c, n);
	c->count++;
	c->bytes += n->e.len;
	return &n->e;
}

size_t
imgcache_count(const struct imgcache *c)
{
	return c->count;
}

size_t
imgcache_bytes(const struct imgcache *c)
{
	return c->bytes;
}
