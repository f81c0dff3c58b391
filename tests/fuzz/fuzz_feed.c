/*
 * fuzz_feed.c - feed_parse on arbitrary bytes.  Beyond "no crash": the
 * model's promises hold (valid UTF-8 everywhere, no control characters in
 * one-line fields, every entry has an id, at most LIM_ENTRIES entries) and
 * feed_to_json prints it.  The first byte picks the options, so http
 * charsets and bases are fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
oneline(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)))
		abort();
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			abort();
}

static void
text(const struct feed_text *t)
{
	if (t->value && !utf8_valid(t->value, strlen(t->value)))
		abort();
	oneline(t->type);
	oneline(t->base);
	oneline(t->language);
}

static void
person(const struct feed_person *p)
{
	oneline(p->name);
	oneline(p->email);
	oneline(p->href);
}

static void
check(const struct feed *f)
{
	const struct entry *e;
	const struct feed_tag *t;
	const struct feed_enclosure *x;
	const struct feed_link *l;
	size_t n = 0;

	oneline(f->version);
	oneline(f->encoding);
	oneline(f->bozo_exception);
	oneline(f->title.value);
	text(&f->subtitle);
	oneline(f->link);
	oneline(f->language);
	oneline(f->rights.value);
	text(&f->info);
	oneline(f->created.raw);
	oneline(f->generator);
	oneline(f->id);
	oneline(f->updated.raw);
	person(&f->author);
	oneline(f->image.href);
	oneline(f->image.title);
	oneline(f->image.link);
	for (t = f->tags; t; t = t->next)
		oneline(t->term);
	for (e = f->entries; e; e = e->next, n++) {
		if (e->id == NULL)
			abort();
		oneline(e->id);
		oneline(e->title.value);
		oneline(e->link);
		oneline(e->comments);
		oneline(e->published.raw);
		oneline(e->updated.raw);
		oneline(e->created.raw);
		oneline(e->rights.value);
		person(&e->author);
		text(&e->summary);
		text(&e->content);
		for (t = e->tags; t; t = t->next) {
			oneline(t->term);
			oneline(t->scheme);
			oneline(t->label);
		}
		for (l = e->links; l; l = l->next) {
			oneline(l->rel);
			oneline(l->href);
			oneline(l->type);
			oneline(l->title);
		}
		for (x = e->enclosures; x; x = x->next) {
			oneline(x->href);
			oneline(x->type);
		}
	}
	if (n != f->nentries || n > LIM_ENTRIES)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = { NULL, "iso-8859-1",
	    "windows-1252", "utf-8", "koi8-r", "shift_jis", "utf-16",
	    "bogus-charset" };
	struct feed_parse_opts o;
	struct arena *a;
	struct buf out = BUF_INIT(0);
	struct feed *f;
	char err[ERRLEN];
	unsigned sel = size ? data[0] : 0;

	memset(&o, 0, sizeof(o));
	if (size) {
		data++;
		size--;
	}
	o.http_charset = charsets[sel & 7];
	if (sel & 8)
		o.base_url = "http://example.org/dir/feed.xml";
	if (sel & 16)
		o.content_location = "../other/";
	a = arena_new(LIM_FEED_ARENA);
	if (feed_parse((const char *)data, size, &o, a, &f, err,
	    sizeof(err)) == 0) {
		check(f);
		if (feed_to_json(f, &out) != 0 ||
		    !utf8_valid(out.data, out.len))
			abort();
	} else if (err[0] == '\0' || strchr(err, '\n'))
		abort();	/* one line of text, always */
	buf_free(&out);
	arena_free(a);
	return 0;
}
