/*
 * feed_out.c - feed_to_json: the model in the Universal Feed Parser's
 * shape, for `rss2mail parse` and the golden files of the tests.
 *
 * Keys come in a fixed order, two-space indentation, absent fields absent
 * (only bozo_exception is written as null, as feedparser users expect).
 * Beyond issue 3's list, title_detail shows a title's type (text/plain or
 * HTML), which decides how it becomes a Subject; subtitle, summary, rights
 * and info have their *_detail too (type, base, language).
 * Like feedparser, an entry without a summary shows its content there.
 * Strings are escaped by json_put_str (lib/json.h), the one escaper.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "feed.h"
#include "json.h"

struct jw {
	struct buf	*b;
	int		 depth;
	int		 first;		/* nothing written yet at this level */
};

static void
jw_str(struct jw *w, const char *s)
{
	json_put_str(w->b, s, strlen(s));
}

static void
jw_nl(struct jw *w)
{
	int i;

	if (!w->first)
		buf_putc(w->b, ',');
	w->first = 0;
	buf_putc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		buf_puts(w->b, "  ");
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_nl(w);
	jw_str(w, key);
	buf_puts(w->b, ": ");
}

static void
jw_open(struct jw *w, int c)
{
	buf_putc(w->b, c);
	w->depth++;
	w->first = 1;
}

static void
jw_close(struct jw *w, int c)
{
	int i;

	w->depth--;
	if (!w->first) {
		buf_putc(w->b, '\n');
		for (i = 0; i < w->depth; i++)
			buf_puts(w->b, "  ");
	}
	buf_putc(w->b, c);
	w->first = 0;
}

static void
jw_kstr(struct jw *w, const char *key, const char *v)
{
	if (v == NULL)
		return;
	jw_key(w, key);
	jw_str(w, v);
}

static void
jw_date(struct jw *w, const char *key, const struct feed_date *d)
{
	char parsed[40], k[40];
	struct tm tm;
	time_t t;

	if (d->raw == NULL)
		return;
	jw_kstr(w, key, d->raw);
	t = (time_t)d->t;
	if (!d->ok || gmtime_r(&t, &tm) == NULL)
		return;
	strftime(parsed, sizeof(parsed), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(k, sizeof(k), "%s_parsed", key);
	jw_kstr(w, k, parsed);
}

static void
jw_author(struct jw *w, const struct feed_person *p)
{
	struct buf s = BUF_INIT(0);

	if (p->name == NULL && p->email == NULL && p->href == NULL)
		return;
	if (p->name && p->email)
		buf_printf(&s, "%s (%s)", p->name, p->email);
	else if (p->name || p->email)
		buf_puts(&s, p->name ? p->name : p->email);
	if (s.len)
		jw_kstr(w, "author", s.data);
	buf_free(&s);
	jw_key(w, "author_detail");
	jw_open(w, '{');
	jw_kstr(w, "name", p->name);
	jw_kstr(w, "email", p->email);
	jw_kstr(w, "href", p->href);
	jw_close(w, '}');
}

static void
jw_tags(struct jw *w, const struct feed_tag *t)
{
	if (t == NULL)
		return;
	jw_key(w, "tags");
	jw_open(w, '[');
	for (; t; t = t->next) {
		jw_nl(w);
		jw_open(w, '{');
		jw_kstr(w, "term", t->term);
		jw_kstr(w, "scheme", t->scheme);
		jw_kstr(w, "label", t->label);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* feedparser's *_detail for a text construct: type, value, base, lang. */
static void
jw_detail(struct jw *w, const char *key, const struct feed_text *t)
{
	if (t->value == NULL)
		return;
	jw_key(w, key);
	jw_open(w, '{');
	jw_kstr(w, "type", t->type);
	jw_kstr(w, "value", t->value);
	jw_kstr(w, "base", t->base);
	jw_kstr(w, "language", t->language);
	jw_close(w, '}');
}

static void
jw_link(struct jw *w, const char *rel, const char *href)
{
	if (href == NULL)
		return;
	jw_nl(w);
	jw_open(w, '{');
	jw_kstr(w, "rel", rel);
	jw_kstr(w, "href", href);
	jw_close(w, '}');
}

static void
jw_links(struct jw *w, const struct feed_link *l)
{
	char n[32];

	jw_key(w, "links");
	jw_open(w, '[');
	for (; l; l = l->next) {
		jw_nl(w);
		jw_open(w, '{');
		jw_kstr(w, "rel", l->rel);
		jw_kstr(w, "type", l->type);
		jw_kstr(w, "href", l->href);
		jw_kstr(w, "title", l->title);
		if (l->length >= 0) {
			snprintf(n, sizeof(n), "%lld", l->length);
			jw_kstr(w, "length", n);
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
jw_feed(struct jw *w, const struct feed *f)
{
	char n[32];

	jw_key(w, "feed");
	jw_open(w, '{');
	jw_kstr(w, "title", f->title.value);
	jw_detail(w, "title_detail", &f->title);
	jw_kstr(w, "link", f->link);
	if (f->links)
		jw_links(w, f->links);
	else if (f->link || f->self) {
		/* feedparser's links, as far as the model keeps them */
		jw_key(w, "links");
		jw_open(w, '[');
		jw_link(w, "alternate", f->link);
		jw_link(w, "self", f->self);
		jw_close(w, ']');
	}
	jw_kstr(w, "subtitle", f->subtitle.value);
	jw_detail(w, "subtitle_detail", &f->subtitle);
	jw_kstr(w, "info", f->info.value);
	jw_detail(w, "info_detail", &f->info);
	jw_kstr(w, "language", f->language);
	jw_kstr(w, "rights", f->rights.value);
	jw_detail(w, "rights_detail", &f->rights);
	jw_date(w, "published", &f->published);
	jw_date(w, "updated", &f->updated);
	jw_date(w, "created", &f->created);
	jw_author(w, &f->author);
	if (f->image.href || f->image.title || f->image.link) {
		jw_key(w, "image");
		jw_open(w, '{');
		jw_kstr(w, "href", f->image.href);
		jw_kstr(w, "title", f->image.title);
		jw_kstr(w, "link", f->image.link);
		jw_close(w, '}');
	}
	jw_kstr(w, "generator", f->generator);
	jw_kstr(w, "id", f->id);
	jw_tags(w, f->tags);
	if (f->ttl > 0) {
		snprintf(n, sizeof(n), "%ld", f->ttl);
		jw_kstr(w, "ttl", n);
	}
	jw_close(w, '}');
}

static void
jw_entry(struct jw *w, const struct entry *e)
{
	const struct feed_text *sum;
	const struct feed_enclosure *x;
	char n[32];

	jw_nl(w);
	jw_open(w, '{');
	jw_kstr(w, "id", e->id);
	jw_key(w, "guidislink");
	buf_puts(w->b, e->guidislink ? "true" : "false");
	jw_kstr(w, "title", e->title.value);
	jw_detail(w, "title_detail", &e->title);
	jw_kstr(w, "link", e->link);
	if (e->links)
		jw_links(w, e->links);
	jw_author(w, &e->author);
	sum = e->summary.value ? &e->summary : &e->content;
	jw_kstr(w, "summary", sum->value);
	jw_detail(w, "summary_detail", sum);
	if (e->content.value) {
		jw_key(w, "content");
		jw_open(w, '[');
		jw_nl(w);
		jw_open(w, '{');
		jw_kstr(w, "type", e->content.type);
		jw_kstr(w, "value", e->content.value);
		jw_kstr(w, "base", e->content.base);
		jw_kstr(w, "language", e->content.language);
		jw_close(w, '}');
		jw_close(w, ']');
	}
	jw_date(w, "published", &e->published);
	jw_date(w, "updated", &e->updated);
	jw_date(w, "created", &e->created);
	jw_kstr(w, "rights", e->rights.value);
	jw_detail(w, "rights_detail", &e->rights);
	if (e->enclosures) {
		jw_key(w, "enclosures");
		jw_open(w, '[');
		for (x = e->enclosures; x; x = x->next) {
			jw_nl(w);
			jw_open(w, '{');
			jw_kstr(w, "href", x->href);
			if (x->length >= 0) {
				snprintf(n, sizeof(n), "%lld", x->length);
				jw_kstr(w, "length", n);
			}
			jw_kstr(w, "type", x->type);
			jw_close(w, '}');
		}
		jw_close(w, ']');
	}
	jw_tags(w, e->tags);
	jw_kstr(w, "comments", e->comments);
	jw_kstr(w, "language", e->language);
	jw_close(w, '}');
}

int
feed_to_json(const struct feed *f, struct buf *out)
{
	struct jw w = { out, 0, 1 };
	const struct entry *e;

	jw_open(&w, '{');
	jw_key(&w, "bozo");
	buf_puts(out, f->bozo ? "true" : "false");
	jw_key(&w, "bozo_exception");
	if (f->bozo && f->bozo_exception)
		jw_str(&w, f->bozo_exception);
	else
		buf_puts(out, "null");
	jw_kstr(&w, "version", f->version ? f->version : "");
	jw_kstr(&w, "encoding", f->encoding);
	jw_feed(&w, f);
	jw_key(&w, "entries");
	jw_open(&w, '[');
	for (e = f->entries; e; e = e->next)
		jw_entry(&w, e);
	jw_close(&w, ']');
	jw_close(&w, '}');
	buf_putc(out, '\n');
	return out->overflow ? -1 : 0;
}
