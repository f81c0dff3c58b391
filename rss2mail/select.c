/*
 * select.c - include/exclude, max-age and cross-feed duplicates for one
 * feed's new entries (see select.h).  The regexes are filter.c's; the
 * journal is state.c's; this file only puts an entry's fields in front of
 * them and logs the outcome.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "feed.h"
#include "filter.h"
#include "html.h"
#include "limits.h"
#include "log.h"
#include "select.h"
#include "state.h"
#include "util.h"

/* tags looked at per entry */
#define SELECT_MAX_TAGS	64

struct select {
	const struct config_feed *cf;
	enum config_dedupe	 dedupe;
	struct filter		*filter;
	long long		 max_age;
};

static int
add_rules(struct filter *f, const struct config *cfg,
    const struct config_list *l, int exclude, char *err, size_t errlen)
{
	char why[ERRLEN];
	size_t i;

	for (i = 0; i < l->n; i++)
		if (filter_add(f, exclude, l->v[i], why, sizeof(why)) == -1) {
			errf(err, errlen, "%s:%d: key '%s': %s", cfg->path ?
			    cfg->path : "config", l->line[i], exclude ?
			    "exclude" : "include", why);
			return -1;
		}
	return 0;
}

struct select *
select_new(const struct config *cfg, const struct config_feed *cf,
    char *err, size_t errlen)
{
	struct select *sel = xcalloc(1, sizeof(*sel));

	sel->cf = cf;
	sel->dedupe = cfg->dedupe;
	sel->max_age = cf->s.max_age;
	sel->filter = filter_new();
	if (add_rules(sel->filter, cfg, &cf->s.include, 0, err, errlen) ==
	    -1 || add_rules(sel->filter, cfg, &cf->s.exclude, 1, err,
	    errlen) == -1) {
		select_free(sel);
		return NULL;
	}
	return sel;
}

void
select_free(struct select *sel)
{
	if (sel == NULL)
		return;
	filter_free(sel->filter);
	free(sel);
}

/* A feed_text as plain text (HTML rendered to one line). */
static const char *
plain(const struct feed_text *t, struct buf *tmp)
{
	if (t->value == NULL)
		return NULL;
	if (t->type == NULL || strcmp(t->type, "text/html") != 0)
		return t->value;
	buf_reset(tmp);
	if (html_to_line(t->value, strlen(t->value), tmp) == -1)
		return t->value;
	return buf_str(tmp);
}

/* The filter's verdict; why gets the rule.  1 deliver, 0 filtered. */
static int
select_rules(struct select *sel, const struct entry *e, char *why,
    size_t whylen)
{
	struct filter_entry fe;
	const char *tags[SELECT_MAX_TAGS];
	const struct feed_tag *t;
	struct buf title = BUF_INIT(0), content = BUF_INIT(0);
	enum filter_verdict v;
	int r = 1;

	if (filter_count(sel->filter) == 0)
		return 1;
	memset(&fe, 0, sizeof(fe));
	fe.title = plain(&e->title, &title);
	fe.author = e->author.name;
	fe.content = plain(e->content.value ? &e->content : &e->summary,
	    &content);
	fe.link = e->link;
	for (t = e->tags; t && fe.ntags < SELECT_MAX_TAGS; t = t->next)
		if (t->term || t->label)
			tags[fe.ntags++] = t->term ? t->term : t->label;
	fe.tags = tags;
	v = filter_match(sel->filter, &fe, why, whylen);
	switch (v) {
	case FILTER_PASS:
		break;
	case FILTER_LIMIT:
		log_warn("feed %s: entry %s: filter gave up (%s): delivered",
		    sel->cf->name, e->id, why);
		break;
	case FILTER_EXCLUDED:
	case FILTER_NOT_INCLUDED:
		r = 0;
		if (v == FILTER_NOT_INCLUDED)
			snprintf(why, whylen, "no include rule matched");
		break;
	}
	buf_free(&title);
	buf_free(&content);
	return r;
}

/* The entry's own date (published, updated, created), or 0. */
static time_t
entry_date(const struct entry *e)
{
	if (e->published.ok)
		return (time_t)e->published.t;
	if (e->updated.ok)
		return (time_t)e->updated.t;
	if (e->created.ok)
		return (time_t)e->created.t;
	return 0;
}

/* The story's key for dedupe into key (empty: none). */
static void
dedupe_key(const struct select *sel, const struct entry *e, struct buf *key)
{
	struct buf link = BUF_INIT(0);

	if (sel->dedupe == CONFIG_DEDUPE_ID)
		buf_printf(key, "id:%s", e->id);
	else if (sel->dedupe == CONFIG_DEDUPE_LINK && e->link != NULL &&
	    filter_link_key(e->link, &link) == 0)
		buf_printf(key, "link:%s", buf_str(&link));
	buf_free(&link);
}

int
select_entry(struct select *sel, struct state *st, const struct entry *e,
    time_t now, char *err, size_t errlen)
{
	const char *name = sel->cf->name;
	struct buf key = BUF_INIT(0);
	char why[ERRLEN];
	time_t d;
	int dup = 0, r = -1;

	why[0] = '\0';
	if (select_rules(sel, e, why, sizeof(why)) == 0)
		goto skip;
	d = entry_date(e);
	if (sel->max_age > 0 && d != 0 && d < now - sel->max_age) {
		snprintf(why, sizeof(why), "older than max-age");
		goto skip;
	}
	dedupe_key(sel, e, &key);
	if (key.len == 0) {
		r = 1;
		goto out;
	}
	if ((dup = state_dedupe_claim(st, buf_str(&key), name, e->id)) ==
	    -1) {
		errf(err, errlen, "state: cannot record the story of %s",
		    e->id);
		goto out;
	}
	if (!dup) {
		r = 1;
		goto out;
	}
	snprintf(why, sizeof(why), "another feed delivered %s",
	    buf_str(&key));
skip:
	if (state_entry_skipped(st, name, e->id, dup) == -1) {
		errf(err, errlen, "state: cannot record %s", e->id);
		goto out;
	}
	log_info("feed %s: entry %s: %s (%s)", name, e->id, dup ?
	    "duplicate" : "filtered", why);
	r = 0;
out:
	buf_free(&key);
	return r;
}
