/*
 * r2e.h - reading what an rss2email 3 user has, for `import-r2e`: its
 * configuration (Python configparser INI: [DEFAULT] and [feed.NAME]
 * sections) and its data file (JSON, version 2: each feed's "seen" ids), so
 * that migrating users keep their feeds and are not re-sent old posts.
 *
 * Pure: bytes in, structs out; no I/O.  Only keys that have an equivalent
 * here are read: url, to, from, active, html-mail, digest, user-agent.
 */
#ifndef RSS2MAIL_R2E_H
#define RSS2MAIL_R2E_H

#include <stddef.h>

struct r2e_feed {
	char	*name;		/* the rss2email feed name */
	char	*url;
	char	*to;		/* a per-feed override, or NULL */
	int	 active;	/* 0: `active = False` */
	int	 html_mail;	/* -1 unset, 0 False, 1 True (per feed only) */
	int	 digest;	/* -1 unset, 0, 1 */
	char	*user_agent;
};

struct r2e {
	char		*from;		/* [DEFAULT] from, or NULL */
	char		*to;		/* [DEFAULT] to, or NULL */
	struct r2e_feed	*feeds;
	size_t		 nfeeds;
};

int	r2e_parse_config(const char *path, const char *text, size_t len,
	    struct r2e **out, char *err, size_t errlen);
void	r2e_free(struct r2e *);		/* accepts NULL */

/* Calls seen(ctx, feed name, entry id) for each seen entry of each feed
 * in the data file; 0, or -1 with err. */
typedef int r2e_seen_fn(void *ctx, const char *feed, const char *id);
int	r2e_parse_data(const char *text, size_t len, r2e_seen_fn *seen,
	    void *ctx, char *err, size_t errlen);

#endif
