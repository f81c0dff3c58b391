/*
 * import.h - feeds from elsewhere into the config file, and out again:
 * OPML import and export (config/opml.h has the parser and writer), the
 * rss2email glue of `import-r2e` (config/r2e.h has its parsers), and the
 * feed names both make from titles.
 *
 * Imports only add [feed.NAME] sections through edit.h, so everything
 * edit.h says (locking, validation, nothing written on failure) holds.
 * No state here: the entries rss2email had sent are handed to a callback
 * (config_import_r2e_seen), and the caller records them.
 */
#ifndef RSS2MAIL_IMPORT_H
#define RSS2MAIL_IMPORT_H

#include <stddef.h>

struct buf;
struct config;
struct opml;

/*
 * A readable feed name from a title: lower-case ASCII letters and digits
 * (common Latin accents folded: "Café Ünïcode" -> "cafe-unicode"), other
 * runs become one '-', at most 40 bytes; "-2", "-3"... are appended until
 * it is none of taken[0..ntaken).  An empty result falls back to "feed".
 * Malloc'd; always config_valid_name.
 */
char	*config_slug(const char *title, const char *const *taken,
	    size_t ntaken);

enum config_import_status {
	CONFIG_IMPORT_ADDED,	/* a new [feed.NAME] section */
	CONFIG_IMPORT_EXISTS,	/* a feed with this URL is configured */
	CONFIG_IMPORT_INVALID,	/* the URL is not usable; see reason */
};

struct config_import_item {
	enum config_import_status status;
	char		*name;		/* ADDED: new name; EXISTS: the
					   configured feed's name; else NULL */
	char		*url;
	char		*title;		/* or NULL */
	char		*reason;	/* INVALID: one line */
	char		*source_name;	/* import-r2e: rss2email's name for
					   the feed; OPML: NULL */
};

struct config_import {
	struct config_import_item *items;	/* in source order */
	size_t		 nitems;
	size_t		 added, exists, invalid;
};

/*
 * Add every feed of o to the config file at path in one edit: one
 * [feed.NAME] section each with url, title, category and html-url (NAME
 * from config_slug of the title, else of the URL's host).  Feeds whose URL
 * is already configured (or appears earlier in o) are skipped as EXISTS;
 * feeds whose URL is not http(s) (a list from elsewhere may not point the
 * bridge at local files) or that the config would refuse are skipped as
 * INVALID.  The file is written once, atomically, only when something was
 * added; on -1 nothing changed.  *out (also on success with nothing
 * added) is freed with config_import_free.
 */
int	config_import_opml(const char *path, const struct opml *o,
	    struct config_import **out, char *err, size_t errlen);

/*
 * Take over the feeds of the rss2email config file at r2e_path.  When
 * path does not exist, a config is first written there (mode 0600) from
 * rss2email's [DEFAULT] from and to (an error when it has no `to`).  Each
 * feed keeps rss2email's name when that is a usable, free one, else gets
 * config_slug's; to, active, html-mail, digest and user-agent become
 * to, paused, html, digest and user-agent.  A feed whose URL is
 * configured already is EXISTS (named as configured); one the config
 * refuses is INVALID with the edit's error as reason; each added feed is
 * its own edit (config_add_feed).  Every item has source_name.  -1 (err
 * set, *out NULL, no feed added) when r2e_path cannot be read or parsed,
 * or the config at path cannot be written (a first one) or loaded; *out
 * is freed with config_import_free.
 */
int	config_import_r2e(const char *path, const char *r2e_path,
	    struct config_import **out, char *err, size_t errlen);

/*
 * Walk rss2email's data file (text, len: JSON, version 2) and call
 * seen(ctx, feed, id) for each entry it had sent of a feed imp took over
 * (ADDED or EXISTS), with feed our name for it; entries of other feeds are
 * passed over.  *recorded counts the calls.  0, or -1 with err (a parse
 * error, or seen's -1, which stops the walk).
 */
typedef int config_seen_fn(void *ctx, const char *feed, const char *id);
int	config_import_r2e_seen(const struct config_import *imp,
	    const char *text, size_t len, config_seen_fn *seen, void *ctx,
	    size_t *recorded, char *err, size_t errlen);

void	config_import_free(struct config_import *);	/* accepts NULL */

/* Append OPML 2.0 of cfg's feeds (title, else name; category; html-url)
 * to out. */
int	config_export_opml(const struct config *cfg, struct buf *out,
	    char *err, size_t errlen);

#endif
