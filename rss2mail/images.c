/*
 * images.c - images = inline: fetching the images of a feed's new entries
 * for the composer (see images.h).  The bytes live in the pass's image
 * cache (imgcache.c); resizing is image.c's, embedding message.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "html.h"
#include "images.h"
#include "imgcache.h"
#include "limits.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* One image request of a feed's batch. */
struct image_req {
	struct imgcache	*cache;
	unsigned	 policy;
	const struct imgcache_ent *got;
};

static void
on_image(struct fetch_req *req, void *ctx)
{
	struct image_req *ir = req->user;
	const char *ct = req->content_type;
	char *type;
	size_t tl;

	if (req->result != FETCH_OK || req->body.len == 0 || ct == NULL) {
		log_debug("image %s: %s", req->url, req->result == FETCH_ERROR ?
		    req->err : "not stored");
		/* remembered, so the pass does not try it again */
		ir->got = imgcache_put(ir->cache, req->url, ir->policy, NULL,
		    NULL, 0);
		return;			/* it stays a remote link */
	}
	for (tl = 0; ct[tl] && ct[tl] != ';' && ct[tl] != ' '; tl++)
		;
	type = xstrndup(ct, tl);
	ir->got = imgcache_put(ir->cache, req->url, ir->policy, type,
	    req->body.data, req->body.len);
	free(type);
}

static void
image_set(struct msg_image *m, const struct imgcache_ent *e)
{
	if (e == NULL || e->type == NULL)
		return;			/* failed: stays a link */
	m->type = e->type;
	m->data = e->data;
	m->len = e->len;
}

void
images_free(struct images *im)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		free(im->urls[i]);
	memset(im, 0, sizeof(*im));
}

/*
 * Fetch the images of a feed's new entries (images = inline) in one batch:
 * one fetch_run for the feed, so connections and DNS are shared and the
 * feed transfers still in flight wait at most IMAGES_TIMEOUT, however
 * many entries have images.  A URL the pass has already fetched (or failed
 * to fetch) under the same policy comes from the pass's cache, and one URL
 * is fetched once however many entries show it.  Bounded: IMAGES_PER_ENTRY
 * per entry, IMAGES_PER_FEED fetches per feed, LIM_IMAGE each.  URLs come
 * from feed content, so the fetcher's private-address guard treats them as
 * public-origin (unless the feed itself came from a private address, or
 * allow-private is set).  A failed image stays a link; this never fails an
 * entry.
 */
void
images_fetch(struct imgcache *cache, const struct config *cfg,
    const struct config_feed *cf, int feed_private, const char *public_addrs,
    const struct entry **es, size_t n, struct images *ims)
{
	const struct feed_text *body;
	const struct imgcache_ent *hit;
	struct fetch_req *reqs;
	struct image_req *irs;
	struct fetch_opts fo;
	struct buf urls = BUF_INIT(0);
	char err[ERRLEN], *p, *nl;
	size_t i, j, k, nreq = 0;
	/* content of a public feed is public-origin; a feed that came from
	 * private space may point into it */
	int from_content = !feed_private;
	unsigned policy = (from_content ? 1u : 0u) |
	    (cf->s.allow_private ? 2u : 0u);
	size_t *which;		/* per (entry, image): its request + 1, or 0 */

	imgcache_begin(cache);
	reqs = xcalloc(IMAGES_PER_FEED, sizeof(*reqs));
	irs = xcalloc(IMAGES_PER_FEED, sizeof(*irs));
	which = xcalloc(n * IMAGES_PER_ENTRY + 1, sizeof(*which));
	for (i = 0; i < n; i++) {
		body = feed_entry_body(es[i]);
		buf_reset(&urls);
		if (body == NULL || body->value == NULL ||
		    html_image_urls(body->value, strlen(body->value),
		    IMAGES_PER_ENTRY, &urls) == -1 || urls.len == 0)
			continue;
		for (p = urls.data; *p && ims[i].n < IMAGES_PER_ENTRY;
		    p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			*nl = '\0';
			if ((hit = imgcache_get(cache, p, policy)) ==
			    NULL) {
				for (j = 0; j < nreq; j++)
					if (strcmp(reqs[j].url, p) == 0)
						break;
				if (j == nreq && nreq == IMAGES_PER_FEED)
					continue;	/* stays a link */
			}
			k = ims[i].n++;
			ims[i].urls[k] = xstrdup(p);
			ims[i].v[k].url = ims[i].urls[k];
			if (hit) {
				image_set(&ims[i].v[k], hit);
				continue;
			}
			which[i * IMAGES_PER_ENTRY + k] = j + 1;
			if (j < nreq)
				continue;	/* already asked for */
			irs[nreq].cache = cache;
			irs[nreq].policy = policy;
			reqs[nreq].url = ims[i].urls[k];
			reqs[nreq].from_content = from_content;
			reqs[nreq].allow_private = cf->s.allow_private;
			reqs[nreq].max_size = LIM_IMAGE;
			reqs[nreq].timeout = IMAGES_TIMEOUT;
			reqs[nreq].connect_timeout = IMAGES_CONNECT;
			reqs[nreq].user_agent = cf->s.user_agent;
			reqs[nreq].accept = "image/png, image/jpeg, image/gif, "
			    "image/webp";
			reqs[nreq].user = &irs[nreq];
			nreq++;
		}
	}
	plan_fetch_opts(cfg, &fo);
	fo.public_addrs = public_addrs;
	fo.deadline = IMAGES_TIMEOUT;
	if (nreq && fetch_run(reqs, nreq, &fo, on_image, NULL, err,
	    sizeof(err)) == -1)
		log_warn("feed %s: images: %s", cf->name, err);
	for (i = 0; i < n; i++)
		for (k = 0; k < ims[i].n; k++)
			if ((j = which[i * IMAGES_PER_ENTRY + k]) > 0)
				image_set(&ims[i].v[k], irs[j - 1].got);
	for (i = 0; i < nreq; i++)
		fetch_req_clear(&reqs[i]);
	free(which);
	free(irs);
	free(reqs);
	buf_free(&urls);
}
