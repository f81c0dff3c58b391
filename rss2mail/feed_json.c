/*
 * feed_json.c - JSON Feed 1.0 and 1.1 (https://jsonfeed.org) with jansson,
 * the only file that includes it.
 *
 * Field names follow feedparser's JSON Feed reader: home_page_url is the
 * link, description the subtitle, content_html (else content_text) the
 * content, attachments the enclosures, author (1.0) or authors (1.1) the
 * author.  Relative URLs resolve against the document's base; strings are
 * cleaned like the XML reader's.  Invalid UTF-8 is repaired first (U+FFFD)
 * and flagged bozo, because jansson refuses it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "feed.h"
#include "feed_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

struct jp {
	struct arena	*a;
	const char	*base;
	struct buf	 tmp;
	int		 full;
};

/* A string member cleaned into the arena, or NULL. */
static const char *
jstr(struct jp *p, json_t *obj, const char *key, int oneline)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char num[32];

	if (json_is_integer(v)) {
		/* ids written as numbers: "id": 123 */
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return arena_strdup(p->a, num);
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	s = feed_str(p->a, json_string_value(v), json_string_length(v),
	    oneline, oneline ? LIM_ONELINE : LIM_FIELD);
	if (s == NULL)
		p->full = 1;
	else if (*s == '\0')
		s = NULL;
	return s;
}

static const char *
jurl(struct jp *p, json_t *obj, const char *key)
{
	const char *s = jstr(p, obj, key, 1);

	if (s && (s = feed_url_resolve(p->a, p->base, s)) == NULL)
		p->full = 1;
	return s;
}

/* HTML with its href/src resolved against the base. */
static const char *
jhtml(struct jp *p, json_t *obj, const char *key)
{
	const char *s = jstr(p, obj, key, 0);

	if (s && p->base && feed_html_resolve(s, strlen(s), p->base,
	    &p->tmp) == 1 && (s = arena_strndup(p->a, p->tmp.data,
	    p->tmp.len)) == NULL)
		p->full = 1;
	return s;
}

static void
jdate(struct jp *p, json_t *obj, const char *key, struct feed_date *d)
{
	d->raw = jstr(p, obj, key, 1);
	d->ok = d->raw && feed_date_parse(d->raw, &d->t) == 0;
	if (!d->ok)
		d->t = 0;
}

static void
jauthor(struct jp *p, json_t *obj, struct feed_person *a)
{
	json_t *au = json_object_get(obj, "authors");

	if (json_is_array(au) && json_array_size(au) > 0)
		au = json_array_get(au, 0);
	else
		au = json_object_get(obj, "author");
	if (!json_is_object(au))
		return;
	a->name = jstr(p, au, "name", 1);
	a->href = jurl(p, au, "url");
	/* not in the spec, seen in the wild */
	a->email = jstr(p, au, "email", 1);
}

static struct feed_tag *
jtags(struct jp *p, json_t *obj)
{
	json_t *tags = json_object_get(obj, "tags"), *v;
	struct feed_tag *head = NULL, **tail = &head, *t;
	size_t i;

	if (!json_is_array(tags))
		return NULL;
	json_array_foreach(tags, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			continue;
		if ((t = arena_alloc(p->a, sizeof(*t))) == NULL ||
		    (t->term = feed_str(p->a, json_string_value(v),
		    json_string_length(v), 1, LIM_ONELINE)) == NULL) {
			p->full = 1;
			return head;
		}
		*tail = t;
		tail = &t->next;
	}
	return head;
}

static struct feed_enclosure *
jattachments(struct jp *p, json_t *obj)
{
	json_t *att = json_object_get(obj, "attachments"), *v, *sz;
	struct feed_enclosure *head = NULL, **tail = &head, *e;
	size_t i;

	if (!json_is_array(att))
		return NULL;
	json_array_foreach(att, i, v) {
		if (!json_is_object(v))
			continue;
		if ((e = arena_alloc(p->a, sizeof(*e))) == NULL) {
			p->full = 1;
			return head;
		}
		if ((e->href = jurl(p, v, "url")) == NULL)
			continue;
		e->type = jstr(p, v, "mime_type", 1);
		sz = json_object_get(v, "size_in_bytes");
		e->length = json_is_integer(sz) && json_integer_value(sz) >= 0 ?
		    (long long)json_integer_value(sz) : -1;
		*tail = e;
		tail = &e->next;
	}
	return head;
}

static void
jtext(struct feed_text *t, const char *v, const char *type, const char *base,
    const char *lang)
{
	t->value = v;
	if (v == NULL)
		return;
	t->type = type;
	t->base = base;
	t->language = lang;
}

static int
jitem(struct jp *p, struct feed_build *b, json_t *it, const char *lang)
{
	struct entry *e;
	const char *html, *text;

	if (!json_is_object(it))
		return 0;
	if ((e = arena_alloc(p->a, sizeof(*e))) == NULL)
		return -1;
	e->id = jstr(p, it, "id", 1);
	/* JSON Feed 1.1: an item's own language, for its texts too */
	if ((e->language = jstr(p, it, "language", 1)) != NULL)
		lang = e->language;
	jtext(&e->title, jstr(p, it, "title", 1), "text/plain", NULL, lang);
	if ((e->link = jurl(p, it, "url")) == NULL)
		e->link = jurl(p, it, "external_url");
	jauthor(p, it, &e->author);
	jtext(&e->summary, jstr(p, it, "summary", 0), "text/plain", p->base,
	    lang);
	html = jhtml(p, it, "content_html");
	text = html ? NULL : jstr(p, it, "content_text", 0);
	if (html)
		jtext(&e->content, html, "text/html", p->base, lang);
	else
		jtext(&e->content, text, "text/plain", p->base, lang);
	jdate(p, it, "date_published", &e->published);
	jdate(p, it, "date_modified", &e->updated);
	e->enclosures = jattachments(p, it);
	e->tags = jtags(p, it);
	if (p->full)
		return -1;
	return feed_build_add(b, e);
}

/*
 * jansson builds the whole tree, some 40 bytes per value: 8 MB of "0,"
 * would take 170 MB.  A linear count of values first (commas, colons and
 * openings outside strings) bounds it; a real feed of LIM_ENTRIES items
 * needs far fewer than LIM_JSON_VALUES.
 */

static int
json_too_big(const char *p, size_t n)
{
	const char *end = p + n;
	size_t values = 0;
	int str = 0;

	for (; p < end; p++) {
		if (str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				str = 0;
		} else if (*p == '"')
			str = 1;
		else if ((*p == ',' || *p == ':' || *p == '[' || *p == '{') &&
		    ++values > LIM_JSON_VALUES)
			return 1;
	}
	return 0;
}

int
feed_json_parse(const char *data, size_t len,
    const struct feed_parse_opts *opts, struct arena *a, struct feed *f,
    char *err, size_t errlen)
{
	struct buf fixed = BUF_INIT(LIM_FEED_ARENA);
	struct feed_build b;
	struct jp p;
	json_error_t je;
	json_t *root = NULL, *items, *it, *ver;
	const char *v;
	size_t i;
	int rc = -1, bozo = 0;

	memset(&p, 0, sizeof(p));
	p.a = a;
	buf_init(&p.tmp, 2 * LIM_FIELD);
	p.base = opts->base_url;
	if (opts->content_location && *opts->content_location)
		p.base = feed_url_base(a, opts->base_url,
		    opts->content_location);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (json_too_big(data, len))
		goto toolarge;
	if (!utf8_valid(data, len)) {
		if (utf8_clean(&fixed, data, len, 0) == -1)
			goto toolarge;
		data = buf_str(&fixed);
		len = fixed.len;
		bozo = 1;
	}
	root = json_loadb(data, len, JSON_ALLOW_NUL, &je);
	if (root == NULL) {
		errf(err, errlen, "not a feed: JSON: line %d: %s", je.line,
		    je.text);
		goto out;
	}
	ver = json_object_get(root, "version");
	v = json_is_string(ver) ? json_string_value(ver) : NULL;
	if (!json_is_object(root) || v == NULL ||
	    strncmp(v, "https://jsonfeed.org/version/", 29) != 0) {
		errf(err, errlen, "not a feed: JSON without a JSON Feed "
		    "version");
		goto out;
	}
	if (strcmp(v + 29, "1") == 0)
		f->version = "json1";
	else if (strcmp(v + 29, "1.1") == 0)
		f->version = "json11";
	else
		f->version = "json";
	f->encoding = "utf-8";
	f->bozo = bozo;
	f->bozo_exception = bozo ? "JSON: invalid UTF-8 replaced" : NULL;
	f->language = jstr(&p, root, "language", 1);
	jtext(&f->title, jstr(&p, root, "title", 1), "text/plain", NULL,
	    f->language);
	f->link = jurl(&p, root, "home_page_url");
	f->self = jurl(&p, root, "feed_url");
	jtext(&f->subtitle, jstr(&p, root, "description", 0), "text/plain",
	    NULL, f->language);
	jauthor(&p, root, &f->author);
	f->image.href = jurl(&p, root, "icon");
	if (p.full || feed_build_init(&b, a, f) == -1)
		goto toolarge;
	items = json_object_get(root, "items");
	if (json_is_array(items))
		json_array_foreach(items, i, it) {
			if (feed_build_capped(&b))
				break;
			if (jitem(&p, &b, it, f->language) == -1)
				goto toolarge;
		}
	rc = 0;
	goto out;
toolarge:
	errf(err, errlen, "feed too large");
out:
	json_decref(root);
	buf_free(&fixed);
	buf_free(&p.tmp);
	return rc;
}
