/*
 * r2e.c - rss2email's config and data file (see r2e.h).
 *
 * The INI goes through our own tokenizer in its lenient mode (configparser
 * accepts things we do not, e.g. "key: value" and continuation lines; those
 * lines are skipped, not fatal).  The data file is parsed with jansson: it
 * is the one other JSON document rss2mail reads besides JSON Feed.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"
#include "limits.h"
#include "r2e.h"
#include "util.h"

static int
r2e_bool(const char *v)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		return 1;
	return 0;
}

static void
r2e_skip(void *ctx, int lineno, const char *msg)
{
	/* configparser syntax we do not read: skipped on purpose */
}

int
r2e_parse_config(const char *path, const char *text, size_t len,
    struct r2e **out, char *err, size_t errlen)
{
	struct ini *ini = NULL;
	struct r2e *r;
	struct r2e_feed *f = NULL;
	int in_default = 0;
	size_t i;

	*out = NULL;
	if (ini_parse_report(path, text, len, &ini, r2e_skip, NULL, err,
	    errlen) == -1)
		return -1;
	r = xcalloc(1, sizeof(*r));
	for (i = 0; i < ini->nlines; i++) {
		const struct ini_line *l = &ini->lines[i];

		if (l->kind == INI_SECTION) {
			f = NULL;
			in_default = strcmp(l->name, "DEFAULT") == 0;
			if (strncmp(l->name, "feed.", 5) == 0 && l->name[5]) {
				r->feeds = xrealloc(r->feeds, (r->nfeeds + 1) *
				    sizeof(*r->feeds));
				f = &r->feeds[r->nfeeds++];
				memset(f, 0, sizeof(*f));
				f->name = xstrdup(l->name + 5);
				f->active = 1;
				f->html_mail = f->digest = -1;
			}
			continue;
		}
		if (l->kind != INI_KEY)
			continue;
		if (in_default) {
			if (strcmp(l->name, "from") == 0 && *l->value)
				r->from = xstrdup(l->value);
			else if (strcmp(l->name, "to") == 0 && *l->value)
				r->to = xstrdup(l->value);
		} else if (f != NULL) {
			if (strcmp(l->name, "url") == 0)
				f->url = xstrdup(l->value);
			else if (strcmp(l->name, "to") == 0 && *l->value)
				f->to = xstrdup(l->value);
			else if (strcmp(l->name, "active") == 0)
				f->active = r2e_bool(l->value);
			else if (strcmp(l->name, "html-mail") == 0)
				f->html_mail = r2e_bool(l->value);
			else if (strcmp(l->name, "digest") == 0)
				f->digest = r2e_bool(l->value);
			else if (strcmp(l->name, "user-agent") == 0 &&
			    *l->value)
				f->user_agent = xstrdup(l->value);
		}
	}
	ini_free(ini);
	for (i = 0; i < r->nfeeds; i++)
		if (r->feeds[i].url == NULL || *r->feeds[i].url == '\0') {
			errf(err, errlen, "%s: feed '%s' has no url", path,
			    r->feeds[i].name);
			r2e_free(r);
			return -1;
		}
	*out = r;
	return 0;
}

void
r2e_free(struct r2e *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfeeds; i++) {
		free(r->feeds[i].name);
		free(r->feeds[i].url);
		free(r->feeds[i].to);
		free(r->feeds[i].user_agent);
	}
	free(r->feeds);
	free(r->from);
	free(r->to);
	free(r);
}

int
r2e_parse_data(const char *text, size_t len, r2e_seen_fn *seen, void *ctx,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *feeds, *feed, *name, *ids, *v;
	const char *id;
	size_t i;
	int r = -1;

	if (len > LIM_CONFIG_SIZE * 16) {
		errf(err, errlen, "data file too large");
		return -1;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		errf(err, errlen, "not JSON: line %d: %s", je.line, je.text);
		return -1;
	}
	feeds = json_object_get(root, "feeds");
	if (!json_is_array(feeds)) {
		errf(err, errlen, "not an rss2email data file: no \"feeds\"");
		goto out;
	}
	json_array_foreach(feeds, i, feed) {
		name = json_object_get(feed, "name");
		ids = json_object_get(feed, "seen");
		if (!json_is_string(name) || !json_is_object(ids))
			continue;
		json_object_foreach(ids, id, v) {
			if (seen(ctx, json_string_value(name), id) == -1) {
				errf(err, errlen, "cannot record seen entries");
				goto out;
			}
		}
	}
	r = 0;
out:
	json_decref(root);
	return r;
}
