/*
 * edit.h - changing the config file in place: `add`, `remove`, `pause`,
 * `resume`, and the one edit of an import.
 *
 * Comments, order and formatting of everything else are preserved byte
 * for byte.  An edit holds an exclusive flock on the file from reading to
 * writing, so two edits at once (a script running `rss2mail add` twice)
 * are serialized instead of one losing the other's change; a waiter gives
 * up after 10 s.  The edited text is validated as a whole (config_parse)
 * before anything is written, then written through a temp file, fsynced
 * and renamed over the file (through a symlink: its target is replaced,
 * the link kept; the file's mode is kept).  On -1 the file is unchanged
 * and err holds one line; "nothing changed, fix this first: ..." when the
 * file was already invalid, "nothing changed, the result would not be
 * valid: ..." when the edit would make it so.
 */
#ifndef RSS2MAIL_EDIT_H
#define RSS2MAIL_EDIT_H

#include <stddef.h>

#include "buf.h"

/* Append a [feed.NAME] section with url and kv, a NULL-terminated list of
 * "key=value"s (blanks around '=' allowed).  A name that is taken, a key
 * given twice or one config_load would refuse is an error. */
int	config_add_feed(const char *path, const char *name, const char *url,
	    const char *const *kv, char *err, size_t errlen);
/* Delete the feed's section (its comments go with it). */
int	config_remove_feed(const char *path, const char *name, char *err,
	    size_t errlen);
/* Set (value != NULL) or delete (value == NULL) one key of a feed;
 * deleting a key that is not there writes nothing and succeeds. */
int	config_set_feed_key(const char *path, const char *name,
	    const char *key, const char *value, char *err, size_t errlen);

/*
 * One edit session, for an edit made of many changes (import.c): open
 * locks and reads the file into ini; the caller changes ini with ini.h's
 * functions; commit validates and writes; free releases the lock (after
 * the rename, so the next editor reads the new text).  Initialize with
 * config_edit_init; config_edit_free may be called on any initialized
 * session, opened or not, and leaves it initialized.
 */
struct config_edit {
	const char	*path;		/* as the user named it (borrowed) */
	char		*real;		/* symlinks resolved: what we replace */
	int		 mode;
	int		 fd;		/* holds the lock; -1 */
	struct buf	 orig;		/* the text as read */
	struct ini	*ini;		/* the lines being edited */
};

void	config_edit_init(struct config_edit *);
int	config_edit_open(struct config_edit *, const char *path, char *err,
	    size_t errlen);
int	config_edit_commit(struct config_edit *, char *err, size_t errlen);
void	config_edit_free(struct config_edit *);

/*
 * A first config file, as `rss2mail init` (and `add --to` without one)
 * writes it: a commented [rss2mail] section.  to is required; from NULL
 * is config_default_from(to); deliver is "maildir" (where: the Maildir,
 * NULL for the key's default), "imap" (where: imap-url) or "smtp"
 * (where: smtp-url; refused with a clear error while config.c does not
 * know `deliver = smtp`); kv is NULL or a NULL-terminated list of more
 * [rss2mail] "key=value"s (password-command=..., imap-tls=...).
 */
struct config_new {
	const char		*to;
	const char		*from;
	const char		*deliver;
	const char		*where;
	const char *const	*kv;
};

/*
 * Validate the text as a whole (config_parse) and write it to path, mode
 * 0600, creating its directory.  An existing path is never replaced
 * (error "PATH exists ...") unless force: then its old text is kept in
 * PATH.bak (written first, mode 0600) and PATH replaced atomically.  On -1
 * nothing was written and err holds one line.
 */
int	config_write_new(const char *path, const struct config_new *,
	    int force, char *err, size_t errlen);
/* "Feeds <feeds@DOMAIN>" for to's domain ("localhost" when to has
 * none).  Malloc'd. */
char	*config_default_from(const char *to);
/* 1 when config.c accepts `deliver = kind` (smtp arrives later). */
int	config_can_deliver(const char *kind);

#endif
