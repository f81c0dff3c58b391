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


/* A first config (config_write_new). */

char *
config_default_from(const char *to)
{
	struct buf b = BUF_INIT(0);
	const char *at = to ? strrchr(to, '@') : NULL;
	size_t n;

	/* "Me <me@example.org>" and "me@example.org" alike */
	n = at ? strcspn(at + 1, "> \t") : 0;
	buf_puts(&b, "Feeds <feeds@");
	if (n > 0)
		buf_append(&b, at + 1, n);
	else
		buf_puts(&b, "localhost");
	buf_puts(&b, ">");
	return buf_steal(&b);
}

int
config_can_deliver(const char *kind)
{
	char ignored[ERRLEN];

	return config_check_feed_key("deliver", kind, ignored,
	    sizeof(ignored)) == 0;
}

/* One line of a value: no control characters, nothing ini.h would read
 * as an inline comment. */
static int
new_value_ok(const char *what, const char *v, char *err, size_t errlen)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    ((*p == ';' || *p == '#') && p > (const unsigned char *)v &&
		    (p[-1] == ' ' || p[-1] == '\t'))) {
			errf(err, errlen, "%s: a value may not hold control "
			    "characters, \" ;\" or \" #\"", what);
			return -1;
		}
	return 0;
}

/* Does kv set the IMAP password already? */
static int
new_has_password(const char *const *kv)
{
	size_t i;

	for (i = 0; kv && kv[i]; i++)
		if (strncmp(kv[i], "password", 8) == 0)
			return 1;
	return 0;
}

static int
new_text(const struct config_new *n, struct buf *b, char *err,
    size_t errlen)
{
	char *from = n->from ? xstrdup(n->from) : config_default_from(n->to);
	const char *eq;
	size_t i;
	int r = -1;

	if (new_value_ok("to", n->to, err, errlen) == -1 ||
	    new_value_ok("from", from, err, errlen) == -1 ||
	    (n->where && new_value_ok(n->deliver, n->where, err,
	    errlen) == -1))
		goto out;
	buf_puts(b, "; rss2mail configuration (see rss2mail.conf(5)), "
	    "written by `rss2mail init`\n\n[rss2mail]\n"
	    "; the bridge's own address, the From of every message: use a "
	    "domain you\n; control (when delivering by SMTP, one whose SPF "
	    "covers this host)\n");
	buf_printf(b, "from = %s\n; where the posts go\nto = %s\n\n", from,
	    n->to);
	if (strcmp(n->deliver, "imap") == 0) {
		buf_printf(b, "; each post is appended to an IMAP mailbox\n"
		    "deliver = imap\nimap-url = %s\n"
		    "; the password: a command that prints it, or a file "
		    "only you can read\n", n->where);
	} else if (strcmp(n->deliver, "smtp") == 0) {
		buf_printf(b, "; each post is sent by SMTP\ndeliver = smtp\n"
		    "smtp-url = %s\n", n->where);
	} else {
		buf_puts(b, "; each post is a file in a local Maildir\n"
		    "deliver = maildir\n");
		if (n->where)
			buf_printf(b, "maildir = %s\n", n->where);
	}
	for (i = 0; n->kv && n->kv[i]; i++) {
		if ((eq = strchr(n->kv[i], '=')) == NULL || eq == n->kv[i]) {
			errf(err, errlen, "'%s': expected KEY=VALUE", n->kv[i]);
			goto out;
		}
		if (new_value_ok(n->kv[i], eq + 1, err, errlen) == -1)
			goto out;
		buf_printf(b, "%.*s = %s\n", (int)(eq - n->kv[i]), n->kv[i],
		    eq + 1);
	}
	if (strcmp(n->deliver, "imap") == 0 && !new_has_password(n->kv))
		buf_puts(b, "; password-command = pass show mail\n"
		    "; password-file = ~/.config/rss2mail/password\n");
	buf_puts(b, "; one folder per feed:\n; folder = Feeds/{name}\n\n"
	    "; the feeds: `rss2mail add NAME URL` appends a [feed.NAME] "
	    "section\n");
	r = 0;
out:
	free(from);
	return r;
}

/* Write text to path only if path does not exist: a temp file linked to
 * the name (link never replaces), so no moment sees a half-written file. */
static int
new_write_exclusive(const char *path, const struct buf *text, char *err,
    size_t errlen)
{
	struct buf tmp = BUF_INIT(0);
	int r = -1;

	buf_printf(&tmp, "%s.init-%ld", path, (long)getpid());
	if (fs_write_atomic(tmp.data, text->data, text->len, 0600, err,
	    errlen) == -1)
		goto out;
	if (link(tmp.data, path) == -1) {
		if (errno == EEXIST)
			errf(err, errlen, "%s exists; nothing written "
			    "(--force replaces it, keeping a .bak)", path);
		else
			errf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (tmp.data)
		(void)unlink(tmp.data);
	buf_free(&tmp);
	return r;
}

int
config_write_new(const char *path, const struct config_new *n, int force,
    char *err, size_t errlen)
{
	struct config *cfg = NULL;
	struct buf text = BUF_INIT(0), old = BUF_INIT(0), bak = BUF_INIT(0);
	int r = -1;

	if (n->to == NULL || *n->to == '\0') {
		errf(err, errlen, "a first config needs `to`, the address the "
		    "posts go to");
		goto out;
	}
	if (strcmp(n->deliver, "maildir") != 0 && !config_can_deliver(
	    n->deliver)) {
		errf(err, errlen, "this rss2mail cannot deliver by %s yet "
		    "(`deliver = %s` is unknown to its config)", n->deliver,
		    n->deliver);
		goto out;
	}
	if (new_text(n, &text, err, errlen) == -1)
		goto out;
	if (config_parse(path, text.data, text.len, &cfg, err, errlen) == -1) {
		errprefix(err, errlen, "nothing written: ");
		goto out;
	}
	if (fs_mkdirs(path, 0, err, errlen) == -1)
		goto out;
	if (!force || access(path, F_OK) == -1) {
		r = new_write_exclusive(path, &text, err, errlen);
		goto out;
	}
	/* --force: the old text first goes to PATH.bak */
	buf_printf(&bak, "%s.bak", path);
	if (fs_read_file(path, LIM_CONFIG_SIZE * 4, &old, err, errlen) == -1 ||
	    fs_write_atomic(bak.data, old.data ? old.data : "", old.len, 0600,
	    err, errlen) == -1)
		goto out;
	r = fs_write_atomic(path, text.data, text.len, 0600, err, errlen);
out:
	config_free(cfg);
	buf_free(&text);
	buf_free(&old);
	buf_free(&bak);
	return r;
}
