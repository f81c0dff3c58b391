/*
 * feed_pack.c - serializing struct feed (see feed_pack.h).
 *
 * One walk over the model serves both directions: each c_* function packs
 * a field or unpacks it into the same place, so the two cannot drift apart
 * when the model grows.  Format: strings as a 32-bit length (all ones for
 * NULL) and their bytes; integers as 64 bits; lists as a count and items.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_pack.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define PACK_MAGIC	0x72326d66	/* "r2mf" */
#define PACK_NULL	0xffffffffu

struct codec {
	int			 unpack;
	struct buf		*out;		/* pack */
	const unsigned char	*p, *end;	/* unpack */
	struct arena		*a;
	int			 bad;
	const char		*why;
};

static void
c_fail(struct codec *c, const char *why)
{
	if (!c->bad)
		c->why = why;
	c->bad = 1;
}

static void
c_u64(struct codec *c, uint64_t *v)
{
	unsigned char b[8];
	int i;

	if (c->bad)
		return;
	if (!c->unpack) {
		for (i = 0; i < 8; i++)
			b[i] = (unsigned char)(*v >> (8 * i));
		if (buf_append(c->out, b, 8) == -1)
			c_fail(c, "too large");
		return;
	}
	if (c->end - c->p < 8) {
		c_fail(c, "truncated");
		return;
	}
	for (*v = 0, i = 0; i < 8; i++)
		*v |= (uint64_t)c->p[i] << (8 * i);
	c->p += 8;
}

static void
c_i64(struct codec *c, int64_t *v)
{
	uint64_t u = (uint64_t)*v;

	c_u64(c, &u);
	*v = (int64_t)u;
}

static void
c_int(struct codec *c, int *v)
{
	int64_t x = *v;

	c_i64(c, &x);
	if (x < INT32_MIN || x > INT32_MAX)
		c_fail(c, "malformed");
	*v = (int)x;
}

static void
c_long(struct codec *c, long *v)
{
	int64_t x = *v;

	c_i64(c, &x);
	*v = (long)x;
}

static void
c_str(struct codec *c, const char **s)
{
	unsigned char b[4];
	uint32_t n;
	size_t len;

	if (c->bad)
		return;
	if (!c->unpack) {
		len = *s ? strlen(*s) : 0;
		n = *s ? (uint32_t)len : PACK_NULL;
		if (*s && len >= PACK_NULL) {
			c_fail(c, "too large");
			return;
		}
		b[0] = (unsigned char)n;
		b[1] = (unsigned char)(n >> 8);
		b[2] = (unsigned char)(n >> 16);
		b[3] = (unsigned char)(n >> 24);
		if (buf_append(c->out, b, 4) == -1 ||
		    (*s && buf_append(c->out, *s, len) == -1))
			c_fail(c, "too large");
		return;
	}
	if (c->end - c->p < 4) {
		c_fail(c, "truncated");
		return;
	}
	n = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 |
	    (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
	c->p += 4;
	if (n == PACK_NULL) {
		*s = NULL;
		return;
	}
	if ((size_t)(c->end - c->p) < n) {
		c_fail(c, "truncated");
		return;
	}
	/* the parser's promise holds on this side too: valid UTF-8, and no
	 * NUL in it (one pass for both) */
	if (!utf8_valid_str((const char *)c->p, n)) {
		c_fail(c, "malformed");
		return;
	}
	if ((*s = arena_strndup(c->a, (const char *)c->p, n)) == NULL)
		c_fail(c, "too large");
	c->p += n;
}

/* A count of list items, checked against what is left (each item takes at
 * least 4 bytes), so a forged count cannot make us loop for long. */
static void
c_count(struct codec *c, size_t *n)
{
	uint64_t v = *n;

	c_u64(c, &v);
	if (c->unpack && !c->bad && v > (uint64_t)(c->end - c->p) / 4)
		c_fail(c, "malformed");
	*n = (size_t)v;
}

static void *
c_new(struct codec *c, size_t size)
{
	void *p = arena_alloc(c->a, size);

	if (p == NULL)
		c_fail(c, "too large");
	return p;
}

static void
c_text(struct codec *c, struct feed_text *t)
{
	c_str(c, &t->value);
	c_str(c, &t->type);
	c_str(c, &t->base);
	c_str(c, &t->language);
}

static void
c_date(struct codec *c, struct feed_date *d)
{
	c_str(c, &d->raw);
	c_int(c, &d->ok);
	c_i64(c, &d->t);
}

static void
c_person(struct codec *c, struct feed_person *p)
{
	c_str(c, &p->name);
	c_str(c, &p->email);
	c_str(c, &p->href);
}

static void
c_tags(struct codec *c, struct feed_tag **head)
{
	struct feed_tag *t, **tail = head;
	size_t n = 0, i;

	for (t = *head; !c->unpack && t; t = t->next)
		n++;
	c_count(c, &n);
	t = *head;
	for (i = 0; i < n && !c->bad; i++) {
		if (c->unpack) {
			if ((t = c_new(c, sizeof(*t))) == NULL)
				return;
			*tail = t;
			tail = &t->next;
		}
		c_str(c, &t->term);
		c_str(c, &t->scheme);
		c_str(c, &t->label);
		t = t->next;
	}
}

static void
c_enclosures(struct codec *c, struct feed_enclosure **head)
{
	struct feed_enclosure *e, **tail = head;
	size_t n = 0, i;
	int64_t len;

	for (e = *head; !c->unpack && e; e = e->next)
		n++;
	c_count(c, &n);
	e = *head;
	for (i = 0; i < n && !c->bad; i++) {
		if (c->unpack) {
			if ((e = c_new(c, sizeof(*e))) == NULL)
				return;
			*tail = e;
			tail = &e->next;
		}
		c_str(c, &e->href);
		c_str(c, &e->type);
		len = e->length;
		c_i64(c, &len);
		e->length = len;
		e = e->next;
	}
}

static void
c_links(struct codec *c, struct feed_link **head)
{
	struct feed_link *l, **tail = head;
	size_t n = 0, i;
	int64_t len;

	for (l = *head; !c->unpack && l; l = l->next)
		n++;
	c_count(c, &n);
	l = *head;
	for (i = 0; i < n && !c->bad; i++) {
		if (c->unpack) {
			if ((l = c_new(c, sizeof(*l))) == NULL)
				return;
			*tail = l;
			tail = &l->next;
		}
		c_str(c, &l->rel);
		c_str(c, &l->href);
		c_str(c, &l->type);
		c_str(c, &l->title);
		len = l->length;
		c_i64(c, &len);
		l->length = len;
		l = l->next;
	}
}

static void
c_entry(struct codec *c, struct entry *e)
{
	c_str(c, &e->id);
	c_int(c, &e->guidislink);
	c_text(c, &e->title);
	c_str(c, &e->link);
	c_person(c, &e->author);
	c_text(c, &e->summary);
	c_text(c, &e->content);
	c_date(c, &e->published);
	c_date(c, &e->updated);
	c_date(c, &e->created);
	c_text(c, &e->rights);
	c_links(c, &e->links);
	c_enclosures(c, &e->enclosures);
	c_tags(c, &e->tags);
	c_str(c, &e->comments);
	c_str(c, &e->language);
	if (c->unpack && !c->bad && e->id == NULL)
		c_fail(c, "malformed");		/* every entry has an id */
}

static void
c_feed(struct codec *c, struct feed *f)
{
	struct entry *e, **tail = &f->entries;
	uint64_t magic = PACK_MAGIC;
	size_t n = 0, i;

	c_u64(c, &magic);
	if (magic != PACK_MAGIC)
		c_fail(c, "malformed");
	c_str(c, &f->version);
	c_str(c, &f->encoding);
	c_int(c, &f->bozo);
	c_str(c, &f->bozo_exception);
	c_text(c, &f->title);
	c_str(c, &f->link);
	c_text(c, &f->subtitle);
	c_str(c, &f->language);
	c_text(c, &f->rights);
	c_text(c, &f->info);
	c_str(c, &f->generator);
	c_str(c, &f->id);
	c_date(c, &f->updated);
	c_person(c, &f->author);
	c_str(c, &f->image.href);
	c_str(c, &f->image.title);
	c_str(c, &f->image.link);
	c_tags(c, &f->tags);
	c_long(c, &f->ttl);
	c_date(c, &f->published);
	c_str(c, &f->self);
	c_date(c, &f->created);
	c_links(c, &f->links);
	for (e = f->entries; !c->unpack && e; e = e->next)
		n++;
	c_count(c, &n);
	if (c->unpack && n > LIM_ENTRIES)
		c_fail(c, "malformed");
	e = f->entries;
	for (i = 0; i < n && !c->bad; i++) {
		if (c->unpack) {
			if ((e = c_new(c, sizeof(*e))) == NULL)
				return;
			*tail = e;
			tail = &e->next;
		}
		c_entry(c, e);
		e = e->next;
	}
	f->nentries = n;
	if (c->unpack && !c->bad && f->version == NULL)
		f->version = "";
}

int
feed_pack(const struct feed *f, struct buf *out)
{
	struct codec c;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c_feed(&c, (struct feed *)(uintptr_t)f);	/* read only when packing */
	return c.bad ? -1 : 0;
}

int
feed_unpack(const char *p, size_t len, struct arena *a, struct feed **out,
    char *err, size_t errlen)
{
	struct codec c;
	struct feed *f;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.unpack = 1;
	c.p = (const unsigned char *)p;
	c.end = c.p + len;
	c.a = a;
	if ((f = c_new(&c, sizeof(*f))) != NULL)
		c_feed(&c, f);
	if (!c.bad && c.p != c.end)
		c_fail(&c, "malformed");
	if (c.bad) {
		errf(err, errlen, "parsed feed from the parser process: %s",
		    c.why);
		return -1;
	}
	*out = f;
	return 0;
}

int
feed_subset(const struct feed *f, const struct entry *const *es, size_t n,
    struct arena *a, struct feed **out, const struct entry **out_es,
    char *err, size_t errlen)
{
	struct feed tmp = *f, *nf = NULL;
	struct buf b = BUF_INIT(0);
	struct entry *copies, *e;
	size_t i;
	int rv = -1;

	copies = xcalloc(n + 1, sizeof(*copies));
	for (i = 0; i < n; i++) {
		copies[i] = *es[i];
		copies[i].next = i + 1 < n ? &copies[i + 1] : NULL;
	}
	tmp.entries = n > 0 ? copies : NULL;
	tmp.nentries = n;
	if (feed_pack(&tmp, &b) == -1) {
		errf(err, errlen, "cannot pack the feed");
		goto out;
	}
	if (feed_unpack(b.data, b.len, a, &nf, err, errlen) == -1)
		goto out;
	for (i = 0, e = nf->entries; e != NULL; e = e->next)
		i++;
	if (i != n || nf->nentries != n) {
		errf(err, errlen, "malformed");
		goto out;
	}
	for (i = 0, e = nf->entries; e != NULL; e = e->next)
		out_es[i++] = e;	/* es may be out_es: read above */
	*out = nf;
	rv = 0;
out:
	buf_free(&b);
	free(copies);
	return rv;
}
