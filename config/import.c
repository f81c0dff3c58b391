/*
 * import.c - feeds from elsewhere (see import.h): slugs for their names,
 * OPML import in one edit and OPML export, and the rss2email glue of
 * `import-r2e`.
 *
 * An OPML list may hold tens of thousands of outlines, so names, URLs and
 * the next "-N" per slug live in a small private hash map (strmap) and an
 * import stays linear.  The parsers are opml.c and r2e.c; the edits go
 * through edit.h; what a value may be is config.c's check.  No state here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_int.h"
#include "edit.h"
#include "import.h"
#include "ini.h"
#include "limits.h"
#include "opml.h"
#include "r2e.h"
#include "util.h"
#include "utf8.h"
#include "fsutil.h"

/* Slugs. */

/* ASCII for U+00C0..U+00FF (NULL: not a letter) and U+0100..U+017F. */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};
static const char latin_ext_a_fold[] =
	"aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
	"ii" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "oo" "rrrrrr"
	"ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";

_Static_assert(sizeof(latin_ext_a_fold) == 128 + 1, "U+0100..U+017F");

#define SLUG_MAX	40

/* The slug of s without uniqueness; "" when nothing in s is usable. */
static void
slug_base(struct buf *out, const char *s)
{
	const char *fold;
	char one[2] = { 0, 0 };
	uint32_t cp;
	size_t k, n = s ? strlen(s) : 0;
	int dash = 0;

	for (k = 0; n > 0 && out->len < SLUG_MAX; s += k, n -= k) {
		if ((k = utf8_decode(s, n, &cp)) == 0) {
			k = 1;
			cp = '?';
		}
		fold = one;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			one[0] = (char)cp;
		else if (cp >= 'A' && cp <= 'Z')
			one[0] = (char)(cp - 'A' + 'a');
		else if (cp >= 0x100 && cp <= 0x17F)
			one[0] = latin_ext_a_fold[cp - 0x100];
		else if (cp >= 0xC0 && cp <= 0xFF)
			fold = latin1_fold[cp - 0xC0];
		else if (cp == '\'' || cp == 0x2019)
			continue;	/* "Bob's" -> "bobs" */
		else
			fold = NULL;
		if (fold == NULL) {
			dash = out->len > 0;
			continue;
		}
		if (dash)
			buf_putc(out, '-');
		dash = 0;
		buf_puts(out, fold);
	}
	if (out->len > SLUG_MAX)
		out->len = SLUG_MAX;
	while (out->len > 0 && out->data[out->len - 1] == '-')
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
}

/*
 * A string -> value map (open addressing, FNV-1a), so that importing tens
 * of thousands of outlines stays linear: names and URLs taken, and the
 * next "-N" to try per slug.
 */
struct strmap {
	char		**keys;
	unsigned	 *vals;
	const char	**data;
	size_t		  cap, n;
};

static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;
	size_t i;

	for (p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (i = h & (m->cap - 1); m->keys[i] != NULL &&
	    strcmp(m->keys[i], key) != 0; i = (i + 1) & (m->cap - 1))
		;
	return i;
}

/* The entry for key, added (val 0, data NULL) when absent. */
static size_t
strmap_get(struct strmap *m, const char *key, int *found)
{
	struct strmap old = *m;
	size_t i, j;

	if (2 * (m->n + 1) > m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		m->data = xcalloc(m->cap, sizeof(*m->data));
		for (i = 0; i < old.cap; i++) {
			if (old.keys[i] == NULL)
				continue;
			j = strmap_slot(m, old.keys[i]);
			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
			m->data[j] = old.data[i];
		}
		free(old.keys);
		free(old.vals);
		free(old.data);
	}
	i = strmap_slot(m, key);
	*found = m->keys[i] != NULL;
	if (!*found) {
		m->keys[i] = xstrdup(key);
		m->n++;
	}
	return i;
}

static int
strmap_has(const struct strmap *m, const char *key)
{
	return m->cap > 0 && m->keys[strmap_slot(m, key)] != NULL;
}

static void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* base, else base-2, base-3...: the first name not in names (which gets
 * it); next remembers where to start for this base. */
static char *
slug_unique(const char *base, struct strmap *names, struct strmap *next)
{
	struct buf b = BUF_INIT(0);
	unsigned n;
	size_t slot;
	int found;

	if (*base == '\0')
		base = "feed";
	slot = strmap_get(next, base, &found);
	n = found ? next->vals[slot] : 1;
	for (;; n++) {
		buf_reset(&b);
		if (n == 1)
			buf_puts(&b, base);
		else
			buf_printf(&b, "%s-%u", base, n);
		if (!strmap_has(names, b.data))
			break;
	}
	next->vals[strmap_get(next, base, &found)] = n + 1;
	(void)strmap_get(names, b.data, &found);
	return buf_steal(&b);
}

char *
config_slug(const char *title, const char *const *taken, size_t ntaken)
{
	struct strmap names, next;
	struct buf b = BUF_INIT(0);
	size_t i;
	int found;
	char *r;

	memset(&names, 0, sizeof(names));
	memset(&next, 0, sizeof(next));
	for (i = 0; i < ntaken; i++)
		if (taken[i] != NULL)
			(void)strmap_get(&names, taken[i], &found);
	slug_base(&b, title);
	r = slug_unique(buf_str(&b), &names, &next);
	buf_free(&b);
	strmap_free(&names);
	strmap_free(&next);
	return r;
}

/* The host of a URL ("www." dropped), or the file name of a path. */
static void
url_label(struct buf *out, const char *url)
{
	const char *p = strstr(url, "://"), *e, *at;

	if (p != NULL) {
		p += 3;
		e = p + strcspn(p, "/?#");
		if ((at = memchr(p, '@', (size_t)(e - p))) != NULL)
			p = at + 1;
		e = p + strcspn(p, ":/?#");
		if (e - p > 4 && strncasecmp(p, "www.", 4) == 0)
			p += 4;
	} else {
		p = (p = strrchr(url, '/')) ? p + 1 : url;
		e = p + strcspn(p, ".");
	}
	buf_append(out, p, (size_t)(e - p));
}

/* OPML import. */

/*
 * A value as ini.c can write it: a ';' or '#' after a blank would start a
 * comment, so the blanks before it go ("A ; B" -> "A; B"), and a leading
 * one is dropped.
 */
static char *
ini_safe_value(const char *s)
{
	struct buf b = BUF_INIT(0);

	for (; *s == ';' || *s == '#' || *s == ' ' || *s == '\t'; s++)
		;
	for (; *s; s++) {
		if (*s == ';' || *s == '#')
			while (b.len > 0 && (b.data[b.len - 1] == ' ' ||
			    b.data[b.len - 1] == '\t'))
				b.len--;
		buf_putc(&b, *s);
	}
	return b.data ? buf_steal(&b) : NULL;
}

/* Set key to a cleaned value; a value that still cannot be written is
 * left out (these keys are informational). */
static void
set_optional(struct ini *ini, size_t hdr, const char *key, const char *v)
{
	char *safe = v ? ini_safe_value(v) : NULL;
	char ignored[ERRLEN];

	if (safe && *safe && config_check_feed_key(key, safe, ignored,
	    sizeof(ignored)) == 0)
		(void)ini_set(ini, hdr, key, safe, ignored, sizeof(ignored));
	free(safe);
}

struct import_ctx {
	struct config_edit	 e;
	struct config		*cfg;
	struct config_import	*imp;
	struct strmap		 names;	/* configured + added */
	struct strmap		 next;	/* slug -> next suffix */
	struct strmap		 urls;	/* url -> the feed's name */
};

static const char *
import_find_url(struct import_ctx *ic, const char *url)
{
	return strmap_has(&ic->urls, url) ?
	    ic->urls.data[strmap_slot(&ic->urls, url)] : NULL;
}

static void
import_add_url(struct import_ctx *ic, const char *url, const char *name)
{
	int found;
	size_t i = strmap_get(&ic->urls, url, &found);

	if (!found)
		ic->urls.data[i] = name;
}

static int
import_one(struct import_ctx *ic, const struct opml_feed *f, char *err,
    size_t errlen)
{
	struct config_import_item *it = &ic->imp->items[ic->imp->nitems++];
	struct buf base = BUF_INIT(0), sect = BUF_INIT(0);
	char why[ERRLEN];
	const char *have;
	size_t hdr;
	int r = -1;

	it->url = xstrdup(f->xml_url);
	it->title = xstrdup(f->title);
	if ((have = import_find_url(ic, f->xml_url)) != NULL) {
		it->status = CONFIG_IMPORT_EXISTS;
		it->name = xstrdup(have);
		ic->imp->exists++;
		r = 0;
		goto out;
	}
	/* a list from elsewhere may not point the bridge at local files */
	config_url_scheme(f->xml_url, why, sizeof(why));
	if (strcmp(why, "http") != 0 && strcmp(why, "https") != 0)
		snprintf(why, sizeof(why), "not an http:// or https:// URL "
		    "(local files are not imported from OPML)");
	else if (config_check_feed_key("url", f->xml_url, why, sizeof(why)) == 0)
		why[0] = '\0';
	if (why[0] != '\0') {
		it->status = CONFIG_IMPORT_INVALID;
		it->reason = xstrdup(why);
		ic->imp->invalid++;
		r = 0;
		goto out;
	}
	slug_base(&base, f->title);
	if (base.len == 0) {
		url_label(&sect, f->xml_url);
		slug_base(&base, buf_str(&sect));
	}
	it->name = slug_unique(buf_str(&base), &ic->names, &ic->next);
	import_add_url(ic, it->url, it->name);
	buf_reset(&sect);
	buf_printf(&sect, "%s%s", CONFIG_FEED_PREFIX, it->name);
	if (ini_append_section(ic->e.ini, sect.data, &hdr, err, errlen) == -1 ||
	    ini_set(ic->e.ini, hdr, "url", f->xml_url, err, errlen) == -1) {
		errprefix(err, errlen, "feed '%s': ", it->name);
		goto out;
	}
	set_optional(ic->e.ini, hdr, "title", f->title);
	set_optional(ic->e.ini, hdr, "category", f->category);
	set_optional(ic->e.ini, hdr, "html-url", f->html_url);
	it->status = CONFIG_IMPORT_ADDED;
	ic->imp->added++;
	r = 0;
out:
	buf_free(&base);
	buf_free(&sect);
	return r;
}

int
config_import_opml(const char *path, const struct opml *o,
    struct config_import **out, char *err, size_t errlen)
{
	struct import_ctx ic;
	size_t i, len;
	char *text = NULL;
	int r = -1, found;

	*out = NULL;
	memset(&ic, 0, sizeof(ic));
	config_edit_init(&ic.e);
	ic.imp = xcalloc(1, sizeof(*ic.imp));
	ic.imp->items = xcalloc(o->nfeeds + 1, sizeof(*ic.imp->items));
	if (config_edit_open(&ic.e, path, err, errlen) == -1)
		goto out;
	text = ini_text(ic.e.ini, &len);
	if (config_parse(path, text, len, &ic.cfg, err, errlen) == -1)
		goto out;
	for (i = 0; i < ic.cfg->nfeeds; i++) {
		(void)strmap_get(&ic.names, ic.cfg->feeds[i].name, &found);
		import_add_url(&ic, ic.cfg->feeds[i].url,
		    ic.cfg->feeds[i].name);
	}
	for (i = 0; i < o->nfeeds; i++)
		if (import_one(&ic, &o->feeds[i], err, errlen) == -1)
			goto out;
	if (ic.imp->added > 0 && config_edit_commit(&ic.e, err, errlen) == -1)
		goto out;
	*out = ic.imp;
	ic.imp = NULL;
	r = 0;
out:
	free(text);
	strmap_free(&ic.names);
	strmap_free(&ic.next);
	strmap_free(&ic.urls);
	config_free(ic.cfg);
	config_edit_free(&ic.e);
	config_import_free(ic.imp);
	return r;
}

void
config_import_free(struct config_import *imp)
{
	size_t i;

	if (imp == NULL)
		return;
	for (i = 0; i < imp->nitems; i++) {
		free(imp->items[i].name);
		free(imp->items[i].url);
		free(imp->items[i].title);
		free(imp->items[i].reason);
		free(imp->items[i].source_name);
	}
	free(imp->items);
	free(imp);
}

/* rss2email. */

/* A config for a first-time user, from rss2email's [DEFAULT]. */
static int
r2e_new_config(const char *path, const struct r2e *r, char *err,
    size_t errlen)
{
	struct buf b = BUF_INIT(0);
	int rv;

	if (r->to == NULL) {
		errf(err, errlen, "the rss2email config has no `to`; run "
		    "`rss2mail init` first to write %s", path);
		return -1;
	}
	buf_printf(&b, "; written by rss2mail import-r2e\n[rss2mail]\n"
	    "; the bridge's own address: use one whose domain you control\n"
	    "from = %s\nto = %s\n", r->from ? r->from : "rss2mail@localhost",
	    r->to);
	rv = fs_mkdirs(path, 0, err, errlen) == -1 ? -1 :
	    fs_write_atomic(path, b.data, b.len, 0600, err, errlen);
	buf_free(&b);
	return rv;
}

struct r2e_ctx {
	const char		*path;
	const struct config	*cfg;		/* as it was before the import */
	struct config_import	*imp;
	const char		**taken;	/* configured + added (borrowed) */
	size_t			 ntaken;
};

/* rss2email's own name when it is usable and free, else a slug of it. */
static char *
r2e_name(struct r2e_ctx *rc, const char *want)
{
	size_t j;

	for (j = 0; j < rc->ntaken; j++)
		if (strcmp(rc->taken[j], want) == 0)
			break;
	if (config_valid_name(want) && j == rc->ntaken)
		return xstrdup(want);
	return config_slug(want, rc->taken, rc->ntaken);
}

/* The keys of f that have an equivalent here, as "key=value"s into kv
 * (NULL-terminated; at most 5 and the NULL); to and ua hold the built
 * ones. */
static void
r2e_feed_kv(const struct r2e_feed *f, const char *kv[6], struct buf *to,
    struct buf *ua)
{
	int k = 0;

	if (f->to) {
		buf_printf(to, "to=%s", f->to);
		kv[k++] = to->data;
	}
	if (!f->active)
		kv[k++] = "paused=yes";
	if (f->html_mail == 0)
		kv[k++] = "html=no";
	if (f->digest == 1)
		kv[k++] = "digest=yes";
	if (f->user_agent) {
		buf_printf(ua, "user-agent=%s", f->user_agent);
		kv[k++] = ua->data;
	}
	kv[k] = NULL;
}

static void
r2e_import_one(struct r2e_ctx *rc, const struct r2e_feed *f)
{
	struct config_import_item *it = &rc->imp->items[rc->imp->nitems++];
	struct buf to = BUF_INIT(0), ua = BUF_INIT(0);
	const char *kv[6];
	char err[ERRLEN];
	size_t j;

	it->url = xstrdup(f->url);
	it->source_name = xstrdup(f->name);
	for (j = 0; j < rc->cfg->nfeeds; j++)
		if (strcmp(rc->cfg->feeds[j].url, f->url) == 0) {
			it->status = CONFIG_IMPORT_EXISTS;
			it->name = xstrdup(rc->cfg->feeds[j].name);
			rc->imp->exists++;
			return;
		}
	it->name = r2e_name(rc, f->name);
	r2e_feed_kv(f, kv, &to, &ua);
	if (config_add_feed(rc->path, it->name, f->url, kv, err,
	    sizeof(err)) == -1) {
		it->status = CONFIG_IMPORT_INVALID;
		it->reason = xstrdup(err);
		free(it->name);
		it->name = NULL;
		rc->imp->invalid++;
	} else {
		it->status = CONFIG_IMPORT_ADDED;
		rc->taken[rc->ntaken++] = it->name;
		rc->imp->added++;
	}
	buf_free(&to);
	buf_free(&ua);
}

int
config_import_r2e(const char *path, const char *r2e_path,
    struct config_import **out, char *err, size_t errlen)
{
	struct buf in = BUF_INIT(0);
	struct r2e *r = NULL;
	struct config *cfg = NULL;
	struct r2e_ctx rc;
	size_t i;
	int rv = -1;

	*out = NULL;
	memset(&rc, 0, sizeof(rc));
	if (fs_read_file(r2e_path, LIM_CONFIG_SIZE, &in, err, errlen) == -1 ||
	    r2e_parse_config(r2e_path, buf_str(&in), in.len, &r, err,
	    errlen) == -1)
		goto out;
	if (access(path, F_OK) == -1 && r2e_new_config(path, r, err,
	    errlen) == -1)
		goto out;
	if (config_load(path, &cfg, err, errlen) == -1)
		goto out;
	rc.path = path;
	rc.cfg = cfg;
	rc.imp = xcalloc(1, sizeof(*rc.imp));
	rc.imp->items = xcalloc(r->nfeeds + 1, sizeof(*rc.imp->items));
	rc.taken = xcalloc(cfg->nfeeds + r->nfeeds + 1, sizeof(*rc.taken));
	for (i = 0; i < cfg->nfeeds; i++)
		rc.taken[rc.ntaken++] = cfg->feeds[i].name;
	for (i = 0; i < r->nfeeds; i++)
		r2e_import_one(&rc, &r->feeds[i]);
	*out = rc.imp;
	rc.imp = NULL;
	rv = 0;
out:
	free(rc.taken);
	config_import_free(rc.imp);
	config_free(cfg);
	r2e_free(r);
	buf_free(&in);
	return rv;
}

struct seen_walk {
	const struct config_import	*imp;
	config_seen_fn			*seen;
	void				*ctx;
	size_t				 recorded;
};

static int
seen_one(void *vctx, const char *feed, const char *id)
{
	struct seen_walk *w = vctx;
	const struct config_import_item *it;
	size_t i;

	for (i = 0; i < w->imp->nitems; i++) {
		it = &w->imp->items[i];
		if (it->status == CONFIG_IMPORT_INVALID ||
		    it->source_name == NULL ||
		    strcmp(it->source_name, feed) != 0)
			continue;
		if (w->seen(w->ctx, it->name, id) == -1)
			return -1;
		w->recorded++;
		return 0;
	}
	return 0;		/* a feed we did not take over */
}

int
config_import_r2e_seen(const struct config_import *imp, const char *text,
    size_t len, config_seen_fn *seen, void *ctx, size_t *recorded,
    char *err, size_t errlen)
{
	struct seen_walk w = { imp, seen, ctx, 0 };
	int r;

	r = r2e_parse_data(text, len, seen_one, &w, err, errlen);
	*recorded = w.recorded;
	return r;
}

/* OPML export. */

int
config_export_opml(const struct config *cfg, struct buf *out, char *err,
    size_t errlen)
{
	struct opml o;
	size_t i;
	int r;

	memset(&o, 0, sizeof(o));
	o.feeds = xcalloc(cfg->nfeeds + 1, sizeof(*o.feeds));
	o.nfeeds = cfg->nfeeds;
	/* borrowed strings: o is not freed with opml_free */
	for (i = 0; i < cfg->nfeeds; i++) {
		o.feeds[i].title = cfg->feeds[i].title ? cfg->feeds[i].title :
		    cfg->feeds[i].name;
		o.feeds[i].xml_url = cfg->feeds[i].url;
		o.feeds[i].html_url = cfg->feeds[i].html_url;
		o.feeds[i].category = cfg->feeds[i].category;
	}
	/* a category key may be deeper than OPML can nest: opml_write cuts
	 * it at OPML_MAX_LEVELS, as opml_parse would, so the list reads back */
	r = opml_write(&o, out, err, errlen);
	free(o.feeds);
	return r;
}