/*
 * maildir.c - the local Maildir store, the embedded default backend.
 *
 * Layout: the configured root is a Maildir (cur/ new/ tmp/); a folder
 * "News/LWN" is the Maildir++ subfolder ROOT/.News.LWN, which Dovecot,
 * mutt and most clients read.  Each message's file name is derived from its
 * Message-ID ("R<hash>.rss2mail"), so a message can be found again after a
 * crash without reading any file, and storing it twice replaces, never
 * duplicates.  Delivery: write tmp/NAME, fsync, rename into new/, and fsync
 * new/ once per batch before reporting the batch stored.
 *
 * Messages arrive with CRLF line ends; Maildir files use LF.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deliver.h"
#include "util.h"
#include "sha256.h"
#include "fsutil.h"

struct maildir {
	char	*root;
	char	 info[8];	/* the configured flags as Maildir info letters */
};

/* IMAP system flags <-> Maildir info letters, in the order the letters
 * must appear (ASCII). */
static const struct {
	char		 letter;
	const char	*flag;
} md_flags[] = {
	{ 'D', "\\Draft" }, { 'F', "\\Flagged" }, { 'R', "\\Answered" },
	{ 'S', "\\Seen" },
};

/* "\\Seen \\Flagged" -> "FS" */
static void
md_letters(const char *flags, char out[8])
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(md_flags) / sizeof(md_flags[0]); i++)
		if (flags && strcasestr(flags, md_flags[i].flag))
			out[n++] = md_flags[i].letter;
	out[n] = '\0';
}

static const char *const md_subdirs[] = { "tmp", "new", "cur" };

static enum deliver_status
md_make(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	size_t i;

	if (fs_mkdirs(dir, 1, err, errlen) == -1)
		return DELIVER_STORE;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, md_subdirs[i]);
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			errf(err, errlen, "maildir %s: %s", path,
			    strerror(errno));
			return DELIVER_STORE;
		}
	}
	return DELIVER_OK;
}

/* "News/LWN" -> ROOT/.News.LWN; refuses "..", empty parts and dots. */
static int
md_folder_path(const struct maildir *md, const char *folder, struct buf *out,
    char *err, size_t errlen)
{
	const char *p;
	size_t partlen = 0;

	buf_reset(out);
	buf_puts(out, md->root);
	if (folder == NULL || *folder == '\0' || strcmp(folder, "INBOX") == 0)
		return 0;
	buf_puts(out, "/.");
	for (p = folder; ; p++) {
		if (*p == '/' || *p == '\0') {
			if (partlen == 0 || (partlen == 2 &&
			    strncmp(p - 2, "..", 2) == 0))
				goto bad;
			if (*p == '\0')
				break;
			buf_putc(out, '.');
			partlen = 0;
			continue;
		}
		if (*p == '.' || (unsigned char)*p < 0x20)
			goto bad;
		buf_putc(out, *p);
		partlen++;
	}
	return 0;
bad:
	errf(err, errlen, "maildir: bad folder name '%s'", folder);
	return -1;
}

static void
md_name(const char *msgid, char out[64])
{
	unsigned char h[SHA256_LEN];
	char hex[2 * 16 + 1];

	sha256(msgid, strlen(msgid), h);
	hex_encode(h, 16, hex);
	snprintf(out, 64, "R%s.rss2mail", hex);
}

static enum deliver_status
md_open(void **ctx, const struct deliver_cfg *cfg, char *err, size_t errlen)
{
	struct maildir *md;
	enum deliver_status st;

	*ctx = NULL;
	if (cfg->maildir == NULL || *cfg->maildir == '\0') {
		errf(err, errlen, "maildir: no path configured");
		return DELIVER_STORE;
	}
	if ((st = md_make(cfg->maildir, err, errlen)) != DELIVER_OK)
		return st;
	md = xcalloc(1, sizeof(*md));
	md->root = xstrdup(cfg->maildir);
	md_letters(cfg->flags, md->info);
	*ctx = md;
	return DELIVER_OK;
}

static enum deliver_status
md_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	struct maildir *md = ctx;
	struct buf path = BUF_INIT(0);
	enum deliver_status st = DELIVER_FOLDER;

	if (md_folder_path(md, folder, &path, err, errlen) == 0)
		st = md_make(path.data, err, errlen) == DELIVER_OK ?
		    DELIVER_OK : DELIVER_FOLDER;
	buf_free(&path);
	return st;
}

static enum deliver_status
md_has_msgid(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	struct maildir *md = ctx;
	struct buf path = BUF_INIT(0);
	struct dirent *de;
	struct stat sb;
	char name[64];
	size_t nl;
	DIR *d = NULL;
	enum deliver_status st = DELIVER_FOLDER;

	*found = 0;
	md_name(msgid, name);
	nl = strlen(name);
	if (md_folder_path(md, folder, &path, err, errlen) == -1)
		goto out;
	buf_printf(&path, "/new/%s", name);
	if (stat(path.data, &sb) == 0) {
		*found = 1;
		st = DELIVER_OK;
		goto out;
	}
	/* a client may have moved it to cur/ as NAME:2,FLAGS */
	path.len -= strlen("/new/") + nl;
	path.data[path.len] = '\0';
	buf_puts(&path, "/cur");
	if ((d = opendir(path.data)) == NULL) {
		if (errno == ENOENT) {
			st = DELIVER_OK;
			goto out;
		}
		errf(err, errlen, "maildir %s: %s", path.data, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, name, nl) == 0 &&
		    (de->d_name[nl] == '\0' || de->d_name[nl] == ':')) {
			*found = 1;
			break;
		}
	st = DELIVER_OK;
out:
	if (d)
		closedir(d);
	buf_free(&path);
	return st;
}

static int
md_write_lf(int fd, const char *p, size_t n)
{
	char chunk[65536];
	size_t i, k = 0;
	ssize_t w;
	size_t off;

	for (i = 0; i <= n; i++) {
		if (i < n && !(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			chunk[k++] = p[i];
		if (k == sizeof(chunk) || (i == n && k > 0)) {
			for (off = 0; off < k; off += (size_t)w)
				if ((w = write(fd, chunk + off, k - off)) == -1) {
					if (errno == EINTR) {
						w = 0;
						continue;
					}
					return -1;
				}
			k = 0;
		}
	}
	return 0;
}

static enum deliver_status
md_store_one(const struct maildir *md, const char *dir,
    const struct deliver_msg *m, char *err, size_t errlen)
{
	struct timespec times[2];
	char name[64], tmp[4200], dst[4200], info[8];
	int fd;

	md_name(m->msgid, name);
	if (m->flags)
		md_letters(m->flags, info);
	else
		memcpy(info, md->info, sizeof(info));
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%ld", dir, name, (long)getpid());
	/* a message with flags is not new: it goes to cur/ with its info */
	if (info[0])
		snprintf(dst, sizeof(dst), "%s/cur/%s:2,%s", dir, name, info);
	else
		snprintf(dst, sizeof(dst), "%s/new/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		errf(err, errlen, "maildir %s: %s", tmp, strerror(errno));
		return DELIVER_STORE;
	}
	/* fsync before rename: new/ must never name a partial message */
	/* the file's time is the message's date: readers sort by it, and
	 * keep = expires by it */
	times[0].tv_sec = times[1].tv_sec = m->date ? m->date : time(NULL);
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (md_write_lf(fd, m->data, m->len) == -1 ||
	    futimens(fd, times) == -1 || fsync(fd) == -1) {
		errf(err, errlen, "maildir %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return DELIVER_STORE;
	}
	if (close(fd) == -1 || rename(tmp, dst) == -1) {
		errf(err, errlen, "maildir %s: %s", dst, strerror(errno));
		unlink(tmp);
		return DELIVER_STORE;
	}
	return DELIVER_OK;
}

static int
md_sync_dir(const char *dir, const char *sub, char *err, size_t errlen)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		errf(err, errlen, "maildir %s: fsync: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static enum deliver_status
md_append(void *ctx, const char *folder, struct deliver_msg *msgs, size_t n,
    size_t *done, char *err, size_t errlen)
{
	struct maildir *md = ctx;
	struct buf dir = BUF_INIT(0);
	enum deliver_status st = DELIVER_FOLDER;
	size_t i;

	*done = 0;
	if (md_folder_path(md, folder, &dir, err, errlen) == -1)
		goto out;
	st = DELIVER_OK;
	for (i = 0; i < n; i++)
		if ((st = md_store_one(md, dir.data, &msgs[i], err, errlen)) !=
		    DELIVER_OK)
			break;
	/* the renames are durable only once new/ and cur/ are synced */
	if (md_sync_dir(dir.data, "new", err, errlen) == -1 ||
	    md_sync_dir(dir.data, "cur", err, errlen) == -1) {
		st = DELIVER_STORE;
		goto out;
	}
	*done = i;
out:
	buf_free(&dir);
	return st;
}

/* The Maildir info letters of a file name ("NAME:2,FS" -> "FS"). */
static const char *
md_info(const char *fname)
{
	const char *p = strstr(fname, ":2,");

	return p ? p + 3 : "";
}

static enum deliver_status
md_remove_msgid(void *ctx, const char *folder, const char *msgid,
    char **flags, char *err, size_t errlen)
{
	struct maildir *md = ctx;
	struct buf dir = BUF_INIT(0), fl = BUF_INIT(0), path = BUF_INIT(0);
	static const char *const subs[] = { "new", "cur" };
	enum deliver_status st = DELIVER_FOLDER;
	struct dirent *de;
	char name[64];
	size_t i, k, nl;
	DIR *d;

	*flags = NULL;
	md_name(msgid, name);
	nl = strlen(name);
	if (md_folder_path(md, folder, &dir, err, errlen) == -1)
		goto out;
	for (i = 0; i < 2; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir.data, subs[i]);
		if ((d = opendir(path.data)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, name, nl) != 0 ||
			    (de->d_name[nl] != '\0' && de->d_name[nl] != ':'))
				continue;
			if (*flags == NULL) {
				const char *info = md_info(de->d_name);

				for (k = 0; k < sizeof(md_flags) /
				    sizeof(md_flags[0]); k++)
					if (strchr(info, md_flags[k].letter))
						buf_printf(&fl, "%s%s", fl.len ?
						    " " : "", md_flags[k].flag);
				*flags = buf_steal(&fl);
			}
			buf_reset(&path);
			buf_printf(&path, "%s/%s/%s", dir.data, subs[i],
			    de->d_name);
			if (unlink(path.data) == -1 && errno != ENOENT) {
				errf(err, errlen, "maildir %s: %s", path.data,
				    strerror(errno));
				closedir(d);
				goto out;
			}
			buf_reset(&path);
			buf_printf(&path, "%s/%s", dir.data, subs[i]);
		}
		closedir(d);
	}
	st = md_sync_dir(dir.data, "new", err, errlen) == -1 ||
	    md_sync_dir(dir.data, "cur", err, errlen) == -1 ? DELIVER_STORE :
	    DELIVER_OK;
out:
	buf_free(&dir);
	buf_free(&fl);
	buf_free(&path);
	return st;
}

/* keep: seen, not flagged, older than before: only cur/ can hold those */
static enum deliver_status
md_expire(void *ctx, const char *folder, time_t before, size_t *n, char *err,
    size_t errlen)
{
	struct maildir *md = ctx;
	struct buf dir = BUF_INIT(0), path = BUF_INIT(0);
	enum deliver_status st = DELIVER_FOLDER;
	struct dirent *de;
	struct stat sb;
	const char *info;
	DIR *d;

	*n = 0;
	if (md_folder_path(md, folder, &dir, err, errlen) == -1)
		goto out;
	buf_printf(&path, "%s/cur", dir.data);
	if ((d = opendir(path.data)) == NULL) {
		st = errno == ENOENT ? DELIVER_OK : DELIVER_FOLDER;
		if (st != DELIVER_OK)
			errf(err, errlen, "maildir %s: %s", path.data,
			    strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		info = md_info(de->d_name);
		if (de->d_name[0] == '.' || strchr(info, 'S') == NULL ||
		    strchr(info, 'F') != NULL)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/cur/%s", dir.data, de->d_name);
		if (stat(path.data, &sb) == 0 && sb.st_mtime < before &&
		    unlink(path.data) == 0)
			(*n)++;
	}
	closedir(d);
	st = md_sync_dir(dir.data, "cur", err, errlen) == -1 ? DELIVER_STORE :
	    DELIVER_OK;
out:
	buf_free(&dir);
	buf_free(&path);
	return st;
}

static void
md_close(void *ctx)
{
	struct maildir *md = ctx;

	if (md == NULL)
		return;
	free(md->root);
	free(md);
}

const struct deliver_ops deliver_maildir = {
	.name = "maildir",
	.open = md_open,
	.ensure_folder = md_ensure_folder,
	.has_msgid = md_has_msgid,
	.append = md_append,
	.close = md_close,
	.remove_msgid = md_remove_msgid,
	.expire = md_expire,
};
