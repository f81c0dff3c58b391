/*
 * edit.c - locked, validated, in-place edits of the config file (see
 * edit.h): the session (lock, read, validate, replace) and the three
 * one-feed edits built on it.  The line-level work (keeping comments and
 * spacing) is ini.c's; what a key may hold is config.c's.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_int.h"
#include "edit.h"
#include "ini.h"
#include "limits.h"
#include "util.h"
#include "fsutil.h"

#define EDIT_LOCK_WAIT_MS	10000

void
config_edit_init(struct config_edit *e)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
}

void
config_edit_free(struct config_edit *e)
{
	free(e->real);
	ini_free(e->ini);
	buf_free(&e->orig);
	if (e->fd != -1)
		close(e->fd);	/* releases the lock, after the rename */
	config_edit_init(e);
}

/*
 * Lock the file for a read-modify-write: two edits at once (a script
 * running `rss2mail add` twice) would both read the old text, and the
 * second rename would drop the first one's feed.  A commit renames a new
 * file into place, so a waiter that gets the lock on the old file sees
 * that the name now points elsewhere and starts again on the new one.
 * Readers need no lock: rename is atomic.
 */
static int
edit_lock(struct config_edit *e, char *err, size_t errlen)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct stat fst, pst;
	int tries, waited;

	for (tries = 0; tries < 100; tries++) {
		if (e->fd != -1)
			close(e->fd);
		if (config_check_regular(e->real, err, errlen) == -1)
			return -1;
		if ((e->fd = open(e->real, O_RDONLY | O_CLOEXEC)) == -1) {
			errf(err, errlen, "%s: %s", e->path, strerror(errno));
			return -1;
		}
		for (waited = 0; flock(e->fd, LOCK_EX | LOCK_NB) == -1;
		    waited += 50) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				errf(err, errlen, "lock %s: %s", e->path,
				    strerror(errno));
				return -1;
			}
			if (waited >= EDIT_LOCK_WAIT_MS) {
				errf(err, errlen, "%s: another rss2mail has "
				    "been editing it for over %d s", e->path,
				    EDIT_LOCK_WAIT_MS / 1000);
				return -1;
			}
			nanosleep(&pause, NULL);
		}
		if (fstat(e->fd, &fst) == -1 || stat(e->real, &pst) == -1) {
			errf(err, errlen, "%s: %s", e->path, strerror(errno));
			return -1;
		}
		if (fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino) {
			e->mode = (int)(fst.st_mode & 07777);
			return 0;
		}
	}
	errf(err, errlen, "%s: keeps being replaced while we edit it",
	    e->path);
	return -1;
}

int
config_edit_open(struct config_edit *e, const char *path, char *err,
    size_t errlen)
{
	config_edit_free(e);
	e->path = path;
	/* write through a symlink rather than replace it with a file */
	if ((e->real = realpath(path, NULL)) == NULL)
		e->real = xstrdup(path);
	if (edit_lock(e, err, errlen) == -1 ||
	    fs_read_file(e->real, LIM_CONFIG_SIZE, &e->orig, err,
	    errlen) == -1)
		return -1;
	return ini_parse(path, buf_str(&e->orig), e->orig.len, &e->ini, err,
	    errlen);
}

/* Validate the edited text as a whole, then replace the file with it. */
int
config_edit_commit(struct config_edit *e, char *err, size_t errlen)
{
	struct config *cfg = NULL;
	size_t len;
	char *text = ini_text(e->ini, &len);
	int r = -1;

	if (config_parse(e->path, text, len, &cfg, err, errlen) == -1) {
		/* name the error where it is: in the file as it stands, or
		 * only in the result */
		if (config_parse(e->path, buf_str(&e->orig), e->orig.len, &cfg,
		    err, errlen) == -1)
			errprefix(err, errlen, "nothing changed, fix this "
			    "first: ");
		else
			errprefix(err, errlen, "nothing changed, the result "
			    "would not be valid: ");
		goto out;
	}
	r = fs_write_atomic(e->real, text, len, e->mode, err, errlen);
out:
	config_free(cfg);
	free(text);
	return r;
}

static int
edit_find_feed(struct config_edit *e, const char *name, size_t *hdr,
    char *err, size_t errlen)
{
	struct buf sect = BUF_INIT(0);
	char *shown;
	int r;

	buf_printf(&sect, "%s%s", CONFIG_FEED_PREFIX, name);
	r = ini_find_section(e->ini, sect.data, hdr);
	buf_free(&sect);
	if (r == -1) {
		shown = ini_shown(name);
		errf(err, errlen, "no feed '%s' in %s", shown, e->path);
		free(shown);
	}
	return r;
}

int
config_add_feed(const char *path, const char *name, const char *url,
    const char *const *kv, char *err, size_t errlen)
{
	struct config_edit e;
	struct buf sect = BUF_INIT(0);
	char *key = NULL, *shown = NULL;
	const char *eq, *value;
	size_t hdr, i, j;
	int r = -1;

	config_edit_init(&e);
	if (!config_valid_name(name)) {
		shown = ini_shown(name);
		errf(err, errlen, "bad feed name '%s': " CONFIG_NAME_RULE,
		    shown);
		goto out;
	}
	if (config_edit_open(&e, path, err, errlen) == -1)
		goto out;
	buf_printf(&sect, "%s%s", CONFIG_FEED_PREFIX, name);
	if (ini_find_section(e.ini, sect.data, &hdr) == 0) {
		errf(err, errlen, "feed '%s' already exists", name);
		goto out;
	}
	if (config_check_feed_key("url", url, err, errlen) == -1 ||
	    ini_append_section(e.ini, sect.data, &hdr, err, errlen) == -1 ||
	    ini_set(e.ini, hdr, "url", url, err, errlen) == -1)
		goto out;
	for (i = 0; kv && kv[i]; i++) {
		if ((eq = strchr(kv[i], '=')) == NULL || eq == kv[i]) {
			shown = ini_shown(kv[i]);
			errf(err, errlen, "'%s': expected KEY=VALUE", shown);
			goto out;
		}
		free(key);
		for (j = (size_t)(eq - kv[i]); j > 0 && kv[i][j - 1] == ' ';
		    j--)
			;
		key = xstrndup(kv[i], j);
		for (value = eq + 1; *value == ' '; value++)
			;
		if (ini_find_key(e.ini, hdr, key, &j) == 0) {
			errf(err, errlen, "key '%s': given twice%s", key,
			    strcmp(key, "url") == 0 ? " (the URL is the "
			    "second argument)" : "");
			goto out;
		}
		if (config_check_feed_key(key, value, err, errlen) == -1 ||
		    ini_set(e.ini, hdr, key, value, err, errlen) == -1)
			goto out;
	}
	r = config_edit_commit(&e, err, errlen);
out:
	free(shown);
	free(key);
	buf_free(&sect);
	config_edit_free(&e);
	return r;
}

int
config_remove_feed(const char *path, const char *name, char *err,
    size_t errlen)
{
	struct config_edit e;
	size_t hdr;
	int r = -1;

	config_edit_init(&e);
	if (config_edit_open(&e, path, err, errlen) == -1 ||
	    edit_find_feed(&e, name, &hdr, err, errlen) == -1)
		goto out;
	ini_remove_section(e.ini, hdr);
	r = config_edit_commit(&e, err, errlen);
out:
	config_edit_free(&e);
	return r;
}

int
config_set_feed_key(const char *path, const char *name, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_edit e;
	size_t hdr;
	int r = -1;

	config_edit_init(&e);
	if (config_edit_open(&e, path, err, errlen) == -1 ||
	    edit_find_feed(&e, name, &hdr, err, errlen) == -1 ||
	    config_check_feed_key(key, value, err, errlen) == -1)
		goto out;
	if (value == NULL) {
		if (ini_delete_key(e.ini, hdr, key) == 0) {
			r = 0;	/* nothing to delete: nothing to write */
			goto out;
		}
	} else if (ini_set(e.ini, hdr, key, value, err, errlen) == -1)
		goto out;
	r = config_edit_commit(&e, err, errlen);
out:
	config_edit_free(&e);
	return r;
}

