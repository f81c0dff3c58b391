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

/* An entry left out, or a story claimed, this pass. */
enum note_kind { NOTE_FILTERED, NOTE_DUPLICATE, NOTE_CLAIM };

struct noted {
	enum note_kind	 kind;
	char		*key;		/* the story's key; filtered: NULL */
	const char	*feed;		/* the config's */
	char		*id;
};

/* The claims are found by key (select_entry) and by entry
 * (select_pass_journal): two open-addressing tables of index + 1. */
struct select_pass {
	struct noted	*v;
	size_t		 n, cap;
	size_t		*by_key, *by_entry;	/* 0: free */
	size_t		 nslots, nclaims;
};

struct select {
	struct select_pass	*pass;
	const struct config_feed *cf;
	enum config_dedupe	 dedupe;
	struct filter		*filter;
	long long		 max_age;
};

struct select_pass *
select_pass_new(void)
{
	return xcalloc(1, sizeof(struct select_pass));
}

void
select_pass_free(struct select_pass *sp)
{
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->n; i++) {
		free(sp->v[i].key);
		free(sp->v[i].id);
	}
	free(sp->v);
	free(sp->by_key);
	free(sp->by_entry);
	free(sp);
}

static size_t
key_hash(size_t h, const char *k)
{
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * (1099511628211ULL & SIZE_MAX);
	return h;
}

#define HASH_SEED	(14695981039346656037ULL & SIZE_MAX)

/* The slot of key: where it is, or the free one where it would go. */
static size_t *
claim_slot(struct select_pass *sp, const char *key)
{
	size_t i = key_hash(HASH_SEED, key) & (sp->nslots - 1);

	while (sp->by_key[i] != 0 && strcmp(sp->v[sp->by_key[i] - 1].key,
	    key) != 0)
		i = (i + 1) & (sp->nslots - 1);
	return &sp->by_key[i];
}

/* The slot of the claim of (feed, id), likewise. */
static size_t *
entry_slot(struct select_pass *sp, const char *feed, const char *id)
{
	size_t i = key_hash(key_hash(HASH_SEED, feed) * 31, id) &
	    (sp->nslots - 1);
	const struct noted *n;

	while (sp->by_entry[i] != 0) {
		n = &sp->v[sp->by_entry[i] - 1];
		if (strcmp(n->feed, feed) == 0 && strcmp(n->id, id) == 0)
			break;
		i = (i + 1) & (sp->nslots - 1);
	}
	return &sp->by_entry[i];
}

static void
claims_grow(struct select_pass *sp)
{
	const struct noted *n;
	size_t i, *s;

	sp->nslots = sp->nslots ? sp->nslots * 2 : 64;
	free(sp->by_key);
	free(sp->by_entry);
	sp->by_key = xcalloc(sp->nslots, sizeof(*sp->by_key));
	sp->by_entry = xcalloc(sp->nslots, sizeof(*sp->by_entry));
	for (i = 0; i < sp->n; i++) {
		n = &sp->v[i];
		if (n->kind != NOTE_CLAIM)
			continue;
		*claim_slot(sp, n->key) = i + 1;
		/* an entry claims once: a second claim of it is not
		 * looked up */
		if (*(s = entry_slot(sp, n->feed, n->id)) == 0)
			*s = i + 1;
	}
}

static struct noted *
note(struct select_pass *sp, enum note_kind kind, const char *feed,
    const char *id, const char *key)
{
	struct noted *n;

	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 64;
		sp->v = xrealloc(sp->v, sp->cap * sizeof(*sp->v));
	}
	n = &sp->v[sp->n++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->feed = feed;
	n->id = xstrdup(id);
	n->key = key ? xstrdup(key) : NULL;
	return n;
}

/* The feed that claimed key this pass, or NULL. */
static const char *
claimed_by(struct select_pass *sp, const char *key)
{
	size_t *s;

	if (sp->nslots == 0)
		return NULL;
	s = claim_slot(sp, key);
	return *s ? sp->v[*s - 1].feed : NULL;
}

static void
claim(struct select_pass *sp, const char *key, const char *feed,
    const char *id)
{
	size_t *s;

	if (2 * (sp->nclaims + 1) > sp->nslots)
		claims_grow(sp);
	note(sp, NOTE_CLAIM, feed, id, key);
	*claim_slot(sp, key) = sp->n;
	/* an entry claims once: a second claim of it is not looked up */
	if (*(s = entry_slot(sp, feed, id)) == 0)
		*s = sp->n;
	sp->nclaims++;
}

int
select_pass_journal(struct select_pass *sp, struct state *st,
    const char *feed, const char *entry_id)
{
	const struct noted *n;
	size_t *s;

	if (sp == NULL || sp->nslots == 0)
		return 0;
	if (*(s = entry_slot(sp, feed, entry_id)) == 0)
		return 0;
	n = &sp->v[*s - 1];
	return state_dedupe_claim(st, n->key, n->feed, n->id);
}

/* A duplicate whose story's claim counts is recorded; one whose claim
 * does not (that copy was refused for good, or never journaled) is left
 * new, its feed fetched whole next time, so another copy gets its turn. */
static int
record_duplicate(struct state *st, const struct noted *n)
{
	char *owner = NULL;
	int rc;

	if (state_dedupe_owner(st, n->key, &owner) == -1)
		return -1;
	if (owner != NULL)
		rc = state_entry_skipped(st, n->feed, n->id, n->key);
	else {
		log_info("feed %s: entry %s: left new (the copy it duplicates "
		    "was not delivered)", n->feed, n->id);
		rc = state_feed_refetch(st, n->feed);
	}
	free(owner);
	return rc;
}

int
select_pass_record(struct select_pass *sp, struct state *st, char *err,
    size_t errlen)
{
	const struct noted *n;
	size_t i;
	int rc;

	for (i = 0; i < sp->n; i++) {
		n = &sp->v[i];
		if (n->kind == NOTE_CLAIM)
			continue;	/* journaled with its entry */
		rc = n->kind == NOTE_DUPLICATE ? record_duplicate(st, n) :
		    state_entry_skipped(st, n->feed, n->id, NULL);
		if (rc == -1) {
			errf(err, errlen, "cannot record what feed %s left "
			    "out", n->feed);
			return -1;
		}
	}
	return 0;
}

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
    struct select_pass *sp, char *err, size_t errlen)
{
	struct select *sel = xcalloc(1, sizeof(*sel));

	sel->pass = sp;
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
	const char *name = sel->cf->name, *by;
	struct buf key = BUF_INIT(0);
	char why[ERRLEN], *owner = NULL;
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
	if ((by = claimed_by(sel->pass, buf_str(&key))) == NULL) {
		if (state_dedupe_owner(st, buf_str(&key), &owner) == -1) {
			errf(err, errlen, "state: cannot look up the story of "
			    "%s", e->id);
			goto out;
		}
		by = owner;
	}
	if (by == NULL || strcmp(by, name) == 0) {
		if (by == NULL)
			claim(sel->pass, buf_str(&key), name, e->id);
		r = 1;
		goto out;
	}
	dup = 1;
	snprintf(why, sizeof(why), "feed %s delivered %s", by,
	    buf_str(&key));
skip:
	note(sel->pass, dup ? NOTE_DUPLICATE : NOTE_FILTERED, name, e->id,
	    dup ? buf_str(&key) : NULL);
	log_info("feed %s: entry %s: %s (%s)", name, e->id, dup ?
	    "duplicate" : "filtered", why);
	r = 0;
out:
	free(owner);
	buf_free(&key);
	return r;
}
