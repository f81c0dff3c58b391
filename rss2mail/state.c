/*
 * state.c - SQLite state: feeds' validators and health, and the delivery
 * journal (see state.h).  The only file that includes sqlite3.h.
 *
 * Durability: WAL with synchronous=FULL, because a 'pending' row must be on
 * disk before its append starts; run.c batches many rows per transaction so
 * that costs one fsync per batch, not per message.
 *
 * The spool: a pending message's bytes are not stored in SQLite (a WAL
 * writes every page twice, and freeing a blob's overflow pages reads them
 * all back) but appended to a segment file next to the database
 * (STATE.spool/NNNNNNNN); the row holds (segment, offset, length).
 * state_commit makes the segment durable (fdatasync, and the directory once
 * for a new segment) before the COMMIT, so a committed row never points at
 * bytes that are not on disk.  A segment is written up to SPOOL_SEGMENT
 * bytes, then a new one starts; a finished segment is unlinked once no
 * pending row points into it.  Rows from older versions that hold the
 * message as a blob are read as they are.
 *
 * One message per commit (smtp, lmtp and sendmail journal one at a time,
 * and an IMAP pass's last small batch): then the spool would cost a
 * second fsync per message for a few kilobytes.  So a transaction's first
 * message (up to STATE_INLINE_MAX) is held in memory: when the commit
 * comes with no other, it goes into its row as a blob (one fsync, the
 * WAL's); when a second message comes, the first is spooled as above.
 * Either way the bytes are durable at the same COMMIT as their row.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"
#include "fsutil.h"

#define SPOOL_SEGMENT	(32u << 20)	/* bytes before a new segment */
#define SPOOL_OLD_MAX	64		/* finished segments tracked */
#define STATE_INLINE_MAX (64u << 10)	/* a commit's only message: in its
					   row */

#define STATE_SCHEMA_VERSION	1

/* entries.state; older versions read any state but 1 as done, which 4
 * and 5 (issue 18) are; a duplicate (5) keeps the key of the story it
 * duplicates in dup_key, so that releasing that claim can find it */
enum { ENTRY_PENDING = 1, ENTRY_DELIVERED = 2, ENTRY_SEEN = 3,
    ENTRY_FILTERED = 4, ENTRY_DUPLICATE = 5, ENTRY_FAILED = 6 };

enum stmt_id {
	ST_ENTRY_GET,
	ST_ENTRY_ROWID,
	ST_ENTRY_PENDING,
	ST_ENTRY_DELIVERED,
	ST_ENTRY_ATTEMPT,
	ST_FEED_COUNT,
	ST_FEED_ENSURE,
	ST_NSTMT
};

static const char *const stmt_sql[ST_NSTMT] = {
	[ST_ENTRY_GET] = "SELECT state FROM entries WHERE feed = ?1 AND "
	    "entry_id = ?2",
	[ST_ENTRY_ROWID] = "SELECT id FROM entries WHERE feed = ?1 AND "
	    "entry_id = ?2",
	[ST_ENTRY_PENDING] = "INSERT INTO entries (feed, entry_id, state, "
	    "msgid, folder, spool_seg, spool_off, spool_len, date, first_seen, "
	    "attempted) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "strftime('%s','now'), strftime('%s','now'))",
	[ST_ENTRY_ATTEMPT] = "UPDATE entries SET attempted = "
	    "strftime('%s','now') WHERE id = ?1",
	[ST_ENTRY_DELIVERED] = "UPDATE entries SET state = 2, message = NULL, "
	    "spool_seg = NULL, spool_off = NULL, spool_len = NULL, uid = ?2 "
	    "WHERE id = ?1 AND state = 1",
	[ST_FEED_COUNT] = "UPDATE feeds SET delivered = delivered + 1 WHERE "
	    "name = (SELECT feed FROM entries WHERE id = ?1)",
	[ST_FEED_ENSURE] = "INSERT OR IGNORE INTO feeds (name) VALUES (?1)",
};

static const char state_schema[] =
	"CREATE TABLE IF NOT EXISTS feeds ("
	" name TEXT PRIMARY KEY,"
	" etag TEXT, last_modified TEXT, url TEXT,"
	" last_poll INTEGER NOT NULL DEFAULT 0,"
	" last_success INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, warning TEXT,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" delivered INTEGER NOT NULL DEFAULT 0,"
	" next_due INTEGER NOT NULL DEFAULT 0,"
	" gone INTEGER NOT NULL DEFAULT 0,"
	" failing_since INTEGER NOT NULL DEFAULT 0,"
	" redirect_url TEXT,"
	" redirect_candidate TEXT,"
	" hint INTEGER NOT NULL DEFAULT 0,"
	" reported INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS entries ("
	" id INTEGER PRIMARY KEY,"
	" feed TEXT NOT NULL,"
	" entry_id TEXT NOT NULL,"
	" state INTEGER NOT NULL,"
	" msgid TEXT, folder TEXT, message BLOB,"
	" date INTEGER, uid INTEGER, first_seen INTEGER, attempted INTEGER,"
	" hash TEXT, cur_msgid TEXT,"
	" spool_seg INTEGER, spool_off INTEGER, spool_len INTEGER,"
	" error TEXT,"
	" UNIQUE (feed, entry_id));"
	"CREATE INDEX IF NOT EXISTS entries_pending ON entries (state) "
	" WHERE state = 1;"
	"CREATE INDEX IF NOT EXISTS entries_pending_msgid ON entries (msgid) "
	" WHERE state = 1;"
	/* cross-feed de-duplication: the entry that claimed a story (a
	 * claim counts while that entry is pending or delivered) */
	"CREATE TABLE IF NOT EXISTS dedupe ("
	" key TEXT PRIMARY KEY,"
	" feed TEXT NOT NULL,"
	" entry_id TEXT NOT NULL);"
	/* a mailbox's size limit learned from its refusals (compose.c) */
	"CREATE TABLE IF NOT EXISTS stores ("
	" key TEXT PRIMARY KEY,"
	" size_limit INTEGER NOT NULL);"
	/* the Subscribe folder: how far each request got */
	"CREATE TABLE IF NOT EXISTS requests ("
	" folder TEXT NOT NULL,"
	" uidvalidity INTEGER NOT NULL,"
	" uid INTEGER NOT NULL,"
	" step INTEGER NOT NULL,"
	" op TEXT, name TEXT, url TEXT, detail TEXT,"
	" msgid TEXT, reply BLOB,"
	" PRIMARY KEY (folder, uidvalidity, uid));";

struct state {
	sqlite3		*db;
	sqlite3_stmt	*stmt[ST_NSTMT];
	char		*path;
	/* the spool (see the top of this file) */
	char		*spool;		/* its directory */
	int		 seg_fd;	/* the segment being written, or -1 */
	int64_t		 seg;		/* its number */
	uint64_t	 seg_off;	/* its size */
	int		 seg_dirty;	/* written since the last sync */
	int		 seg_new;	/* created since: sync the directory */
	int64_t		 next_seg;
	int		 scanned;	/* spool_scan ran: this process writes */
	int64_t		 old[SPOOL_OLD_MAX];	/* finished segments */
	size_t		 nold;
	/* the transaction's first message, not spooled yet (see the top) */
	char		*held;
	size_t		 held_len;
	int64_t		 held_row;
	int		 spooled;	/* this transaction spooled one */
};

static void
spool_name(const struct state *st, int64_t seg, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%08lld", st->spool, (long long)seg);
}

/* Unlink the finished segments no pending row points into. */
static void
spool_collect(struct state *st)
{
	sqlite3_stmt *s = NULL;
	char name[4096];
	size_t i, k = 0;
	int used;

	if (st->nold == 0 || sqlite3_prepare_v2(st->db, "SELECT 1 FROM "
	    "entries WHERE state = 1 AND spool_seg = ?1 LIMIT 1", -1, &s,
	    NULL) != SQLITE_OK)
		return;
	for (i = 0; i < st->nold; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, st->old[i]);
		used = sqlite3_step(s);
		if (used == SQLITE_DONE) {
			spool_name(st, st->old[i], name, sizeof(name));
			if (unlink(name) == 0 || errno == ENOENT)
				continue;
		}
		st->old[k++] = st->old[i];	/* in use, or try later */
	}
	st->nold = k;
	sqlite3_finalize(s);
}

static void
spool_retire(struct state *st)
{
	if (st->seg_fd < 0)
		return;
	close(st->seg_fd);
	st->seg_fd = -1;
	if (st->nold < SPOOL_OLD_MAX)
		st->old[st->nold++] = st->seg;
}

/* Find the segments left by earlier runs (they are collected like any
 * finished one) and the next number to use. */
static void
spool_scan(struct state *st)
{
	DIR *d;
	struct dirent *de;
	char *end;
	long long n;

	st->next_seg = 1;
	if ((d = opendir(st->spool)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = strtoll(de->d_name, &end, 10);
		if (*end != '\0' || n <= 0)
			continue;
		if (n >= st->next_seg)
			st->next_seg = n + 1;
		if (st->nold < SPOOL_OLD_MAX)
			st->old[st->nold++] = n;
	}
	closedir(d);
}

static int
fsync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Append a message to the spool; *seg and *off say where it went. */
static int
spool_write(struct state *st, const char *data, size_t len, int64_t *seg,
    uint64_t *off)
{
	char name[4096];
	size_t done = 0;
	ssize_t k;

	if (st->seg_fd >= 0 && st->seg_off + len > SPOOL_SEGMENT &&
	    st->seg_off > 0) {
		if (st->seg_dirty && fdatasync(st->seg_fd) == -1)
			return -1;
		st->seg_dirty = 0;
		spool_retire(st);
	}
	state_spool_claim(st);
	if (st->seg_fd < 0) {
		if (mkdir(st->spool, 0700) == -1 && errno != EEXIST)
			return -1;
		st->seg = st->next_seg++;
		spool_name(st, st->seg, name, sizeof(name));
		if ((st->seg_fd = open(name, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600)) == -1)
			return -1;
		st->seg_off = 0;
		st->seg_new = 1;
	}
	while (done < len) {
		k = pwrite(st->seg_fd, data + done, len - done,
		    (off_t)(st->seg_off + done));
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	*seg = st->seg;
	*off = st->seg_off;
	st->seg_off += len;
	st->seg_dirty = 1;
	return 0;
}

static void
held_drop(struct state *st)
{
	free(st->held);
	st->held = NULL;
	st->held_len = 0;
	st->held_row = 0;
}

/* A second message in the transaction: the held one goes to the spool. */
static int
held_spill(struct state *st)
{
	sqlite3_stmt *s = NULL;
	int64_t seg;
	uint64_t off;
	int rc = SQLITE_ERROR;

	if (st->held == NULL)
		return 0;
	if (spool_write(st, st->held, st->held_len, &seg, &off) == -1 ||
	    sqlite3_prepare_v2(st->db, "UPDATE entries SET spool_seg = ?1, "
	    "spool_off = ?2, spool_len = ?3 WHERE id = ?4", -1, &s, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, seg);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)off);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)st->held_len);
	sqlite3_bind_int64(s, 4, st->held_row);
	rc = sqlite3_step(s);
out:
	sqlite3_finalize(s);
	held_drop(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The commit's only message: into its row. */
static int
held_inline(struct state *st)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_ERROR;

	if (st->held == NULL)
		return 0;
	if (sqlite3_prepare_v2(st->db, "UPDATE entries SET message = ?1 "
	    "WHERE id = ?2", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, st->held, (int)st->held_len,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, st->held_row);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	held_drop(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* What was appended since the last commit, on disk. */
static int
spool_sync(struct state *st)
{
	if (st->seg_dirty && fdatasync(st->seg_fd) == -1)
		return -1;
	st->seg_dirty = 0;
	if (st->seg_new) {
		char *parent = xstrdup(st->spool), *slash;

		if (fsync_dir(st->spool) == -1) {
			free(parent);
			return -1;
		}
		/* the directory's own entry, when it was just made */
		if ((slash = strrchr(parent, '/')) != NULL) {
			*slash = '\0';
			fsync_dir(*parent ? parent : "/");
		} else
			fsync_dir(".");
		free(parent);
		st->seg_new = 0;
	}
	return 0;
}

/* Read a spooled message back (recovery). */
static char *
spool_read(struct state *st, int64_t seg, uint64_t off, size_t len)
{
	char name[4096], *buf;
	size_t done = 0;
	ssize_t k;
	int fd;

	spool_name(st, seg, name, sizeof(name));
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	buf = xmalloc(len + 1);
	while (done < len) {
		k = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		done += (size_t)k;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int
state_exec(struct state *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "state %s: %s", st->path,
		    msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Columns added after the first schema: a database made by an older
 * rss2mail gets them here (CREATE TABLE IF NOT EXISTS leaves old tables as
 * they were).
 */
static const struct {
	const char *table, *column, *decl;
} state_added[] = {
	{ "feeds", "redirect_candidate", "TEXT" },
	{ "feeds", "hint", "INTEGER NOT NULL DEFAULT 0" },
	{ "entries", "attempted", "INTEGER" },
	{ "entries", "hash", "TEXT" },
	{ "entries", "cur_msgid", "TEXT" },
	{ "entries", "spool_seg", "INTEGER" },
	{ "entries", "spool_off", "INTEGER" },
	{ "entries", "spool_len", "INTEGER" },
	{ "entries", "error", "TEXT" },
	{ "entries", "dup_key", "TEXT" },
	{ "feeds", "refetch", "INTEGER NOT NULL DEFAULT 0" },
};

static int
state_has_column(struct state *st, const char *table, const char *column)
{
	sqlite3_stmt *s = NULL;
	char sql[128];
	int found = 0;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 1),
		    column) == 0)
			found = 1;
	sqlite3_finalize(s);
	return found;
}

static int
state_migrate(struct state *st, char *err, size_t errlen)
{
	char sql[256];
	size_t i;

	for (i = 0; i < sizeof(state_added) / sizeof(state_added[0]); i++) {
		if (state_has_column(st, state_added[i].table,
		    state_added[i].column) != 0)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s",
		    state_added[i].table, state_added[i].column,
		    state_added[i].decl);
		if (state_exec(st, sql, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
state_open(const char *path, struct state **out, char *err, size_t errlen)
{
	struct state *st = xcalloc(1, sizeof(*st));
	sqlite3_stmt *s = NULL;
	int i, ver;

	st->path = xstrdup(path);
	st->seg_fd = -1;
	*out = NULL;
	if (fs_mkdirs(path, 0, err, errlen) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		errf(err, errlen, "state %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (state_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
	    err, errlen) == -1 ||
	    state_exec(st, state_schema, err, errlen) == -1)
		goto fail;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		errf(err, errlen, "state %s: %s", path, sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		goto fail;
	}
	ver = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (ver > STATE_SCHEMA_VERSION) {
		errf(err, errlen, "state %s: schema version %d is newer than "
		    "this rss2mail (%d)", path, ver, STATE_SCHEMA_VERSION);
		goto fail;
	}
	if (ver == 0 && state_exec(st, "PRAGMA user_version = 1", err,
	    errlen) == -1)
		goto fail;
	if (state_migrate(st, err, errlen) == -1)
		goto fail;
	for (i = 0; i < ST_NSTMT; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) != SQLITE_OK) {
			errf(err, errlen, "state %s: %s", path,
			    sqlite3_errmsg(st->db));
			goto fail;
		}
	st->spool = xmalloc(strlen(path) + 7);
	snprintf(st->spool, strlen(path) + 7, "%s.spool", path);
	*out = st;
	return 0;
fail:
	state_close(st);
	return -1;
}

void
state_close(struct state *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->spool && st->scanned) {
		spool_retire(st);
		spool_collect(st);
		rmdir(st->spool);	/* when empty */
	}
	for (i = 0; i < ST_NSTMT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	held_drop(st);
	free(st->spool);
	free(st->path);
	free(st);
}

/*
 * Only the holder of the run lock may collect segments: another command
 * (list, status) that opened the state while a pass runs must not unlink
 * a segment the pass is writing.  Pending rows are only written by a pass.
 */
void
state_spool_claim(struct state *st)
{
	if (st->scanned)
		return;
	spool_scan(st);
	st->scanned = 1;
	spool_collect(st);
}

int
state_begin(struct state *st, char *err, size_t errlen)
{
	held_drop(st);
	st->spooled = 0;
	return state_exec(st, "BEGIN IMMEDIATE", err, errlen);
}

int
state_commit(struct state *st, char *err, size_t errlen)
{
	if (held_inline(st) == -1) {
		errf(err, errlen, "state %s: %s", st->path,
		    sqlite3_errmsg(st->db));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	/* the spooled bytes first: a committed row never points at bytes
	 * that are not on disk */
	if (spool_sync(st) == -1) {
		errf(err, errlen, "state %s: spool: %s", st->spool,
		    strerror(errno));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	st->spooled = 0;
	if (state_exec(st, "COMMIT", err, errlen) == -1)
		return -1;
	spool_collect(st);
	return 0;
}

void
state_rollback(struct state *st)
{
	held_drop(st);
	st->spooled = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a one-shot statement with text/int binds: "t" text, "i" int64. */
static int
state_run(struct state *st, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s = NULL;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 't') {
			const char *t = va_arg(ap, const char *);

			if (t)
				sqlite3_bind_text(s, i + 1, t, -1,
				    SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(s, i + 1);
		} else
			sqlite3_bind_int64(s, i + 1, va_arg(ap, long long));
	}
	va_end(ap);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int
state_ensure_feed(struct state *st, const char *feed)
{
	sqlite3_stmt *s = st->stmt[ST_FEED_ENSURE];
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

int
state_feed_get(struct state *st, const char *feed, struct state_feed *f)
{
	sqlite3_stmt *s = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if (sqlite3_prepare_v2(st->db, "SELECT etag, last_modified, "
	    "redirect_url, last_poll, last_success, last_error, warning, "
	    "failures, delivered, next_due, gone, (SELECT count(*) FROM "
	    "entries WHERE feed = ?1 AND state = 1), redirect_candidate, "
	    "hint, failing_since, reported, (SELECT count(*) FROM entries "
	    "WHERE feed = ?1 AND state = 4), (SELECT count(*) FROM entries "
	    "WHERE feed = ?1 AND state = 5), (SELECT count(*) FROM entries "
	    "WHERE feed = ?1 AND state = 6), (SELECT error FROM entries "
	    "WHERE feed = ?1 AND state = 6 ORDER BY id DESC LIMIT 1) FROM "
	    "feeds WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		f->etag = col_text(s, 0);
		f->last_modified = col_text(s, 1);
		f->url = col_text(s, 2);
		f->last_poll = (time_t)sqlite3_column_int64(s, 3);
		f->last_success = (time_t)sqlite3_column_int64(s, 4);
		f->last_error = col_text(s, 5);
		f->warning = col_text(s, 6);
		f->failures = (long)sqlite3_column_int64(s, 7);
		f->delivered = (long)sqlite3_column_int64(s, 8);
		f->next_due = (time_t)sqlite3_column_int64(s, 9);
		f->gone = sqlite3_column_int(s, 10);
		f->pending = (long)sqlite3_column_int64(s, 11);
		f->redirect_candidate = col_text(s, 12);
		f->hint = (long)sqlite3_column_int64(s, 13);
		f->failing_since = (time_t)sqlite3_column_int64(s, 14);
		f->reported = sqlite3_column_int(s, 15);
		f->filtered = (long)sqlite3_column_int64(s, 16);
		f->duplicates = (long)sqlite3_column_int64(s, 17);
		f->failed = (long)sqlite3_column_int64(s, 18);
		f->failed_error = col_text(s, 19);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void
state_feed_clear(struct state_feed *f)
{
	free(f->etag);
	free(f->last_modified);
	free(f->url);
	free(f->last_error);
	free(f->warning);
	free(f->redirect_candidate);
	free(f->failed_error);
	memset(f, 0, sizeof(*f));
}

int
state_feed_poll_ok(struct state *st, const char *feed, time_t when,
    const char *etag, const char *last_modified, const char *warning)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	/* refetch: the validators stay dropped once more (see state.h) */
	return state_run(st, "UPDATE feeds SET etag = CASE WHEN refetch THEN "
	    "NULL ELSE ?2 END, last_modified = CASE WHEN refetch THEN NULL "
	    "ELSE ?3 END, refetch = 0, "
	    "last_poll = ?4, last_success = ?4, last_error = NULL, "
	    "warning = ?5, failures = 0, failing_since = 0, gone = 0, "
	    "next_due = 0 "
	    "WHERE name = ?1", "tttit", feed, etag, last_modified,
	    (long long)when, warning);
}

int
state_feed_poll_failed(struct state *st, const char *feed, time_t when,
    const char *error)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, "UPDATE feeds SET last_poll = ?2, "
	    "last_error = ?3, failures = failures + 1, failing_since = "
	    "CASE WHEN failing_since = 0 THEN ?2 ELSE failing_since END "
	    "WHERE name = ?1", "tit", feed, (long long)when, error);
}

/* One typed column change of a feed row (sql binds ?1 name, ?2 value). */
static int
feed_set_num(struct state *st, const char *feed, const char *sql,
    long long v)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, sql, "ti", feed, v);
}

static int
feed_set_text(struct state *st, const char *feed, const char *sql,
    const char *v)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, sql, "tt", feed, v);
}

int
state_feed_set_next_due(struct state *st, const char *feed, time_t when)
{
	return feed_set_num(st, feed, "UPDATE feeds SET next_due = ?2 "
	    "WHERE name = ?1", (long long)when);
}

int
state_feed_set_gone(struct state *st, const char *feed)
{
	return feed_set_num(st, feed, "UPDATE feeds SET gone = ?2 "
	    "WHERE name = ?1", 1);
}

int
state_feed_resume(struct state *st, const char *feed)
{
	return feed_set_num(st, feed, "UPDATE feeds SET gone = ?2, "
	    "next_due = ?2 WHERE name = ?1", 0);
}

int
state_feed_set_redirect_candidate(struct state *st, const char *feed,
    const char *url)
{
	return feed_set_text(st, feed, "UPDATE feeds SET "
	    "redirect_candidate = ?2 WHERE name = ?1", url);
}

int
state_feed_set_moved(struct state *st, const char *feed, const char *url)
{
	return feed_set_text(st, feed, "UPDATE feeds SET redirect_url = ?2, "
	    "redirect_candidate = NULL WHERE name = ?1", url);
}

int
state_feed_set_hint(struct state *st, const char *feed, long seconds)
{
	return feed_set_num(st, feed, "UPDATE feeds SET hint = ?2 "
	    "WHERE name = ?1", seconds);
}

int
state_feed_set_reported(struct state *st, const char *feed, int reported)
{
	return feed_set_num(st, feed, "UPDATE feeds SET reported = ?2 "
	    "WHERE name = ?1", reported);
}

int
state_feed_refetch(struct state *st, const char *feed)
{
	return feed_set_text(st, feed, "UPDATE feeds SET etag = ?2, "
	    "last_modified = ?2, refetch = 1 WHERE name = ?1", NULL);
}

enum state_entry
state_entry_get(struct state *st, const char *feed, const char *entry_id)
{
	sqlite3_stmt *s = st->stmt[ST_ENTRY_GET];
	enum state_entry r = STATE_NEW;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, entry_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		switch (sqlite3_column_int(s, 0)) {
		case ENTRY_PENDING:
			r = STATE_PENDING;
			break;
		case ENTRY_FILTERED:
		case ENTRY_DUPLICATE:
			r = STATE_SKIPPED;
			break;
		default:
			r = STATE_DONE;
		}
	sqlite3_reset(s);
	return r;
}

int64_t
state_entry_rowid(struct state *st, const char *feed, const char *entry_id)
{
	sqlite3_stmt *s = st->stmt[ST_ENTRY_ROWID];
	int64_t id = 0;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, entry_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

int
state_entry_pending(struct state *st, const char *feed, const char *entry_id,
    const char *msgid, const char *folder, const char *message, size_t len,
    time_t date, int64_t *rowid)
{
	sqlite3_stmt *s = st->stmt[ST_ENTRY_PENDING];
	int64_t seg;
	uint64_t off;
	int rc, hold;

	if (state_ensure_feed(st, feed) == -1)
		return -1;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, entry_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, folder ? folder : "", -1, SQLITE_STATIC);
	/* the transaction's first small message is held (see the top);
	 * a later one spools it and itself */
	hold = len > 0 && len <= STATE_INLINE_MAX && st->held == NULL &&
	    !st->spooled && !sqlite3_get_autocommit(st->db);
	if (len > 0 && !hold) {
		if (held_spill(st) == -1 ||
		    spool_write(st, message, len, &seg, &off) == -1)
			return -1;
		st->spooled = 1;
		sqlite3_bind_int64(s, 5, seg);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)off);
		sqlite3_bind_int64(s, 7, (sqlite3_int64)len);
	} else {
		sqlite3_bind_null(s, 5);
		sqlite3_bind_null(s, 6);
		sqlite3_bind_null(s, 7);
	}
	sqlite3_bind_int64(s, 8, (sqlite3_int64)date);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*rowid = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_DONE && hold) {
		st->held = xmalloc(len);
		memcpy(st->held, message, len);
		st->held_len = len;
		st->held_row = *rowid;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int
state_entry_delivered(struct state *st, int64_t rowid, uint32_t uid)
{
	sqlite3_stmt *s = st->stmt[ST_ENTRY_DELIVERED];
	sqlite3_stmt *c = st->stmt[ST_FEED_COUNT];
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	if (uid)
		sqlite3_bind_int64(s, 2, uid);
	else
		sqlite3_bind_null(s, 2);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0;	/* already delivered: count it once */
	sqlite3_reset(c);
	sqlite3_bind_int64(c, 1, rowid);
	rc = sqlite3_step(c);
	sqlite3_reset(c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The claims that count: their entry is pending or delivered. */
#define DEDUPE_LIVE	"EXISTS (SELECT 1 FROM entries e WHERE e.feed = " \
	"dedupe.feed AND e.entry_id = dedupe.entry_id AND e.state IN (1, 2))"

/* The stories claimed by pending row ?1 (and, when ?2, by the other
 * pending rows of its Message-ID: a digest's entries). */
#define DEDUPE_KEYS_OF	"(SELECT d.key FROM dedupe d JOIN entries e ON " \
	"e.feed = d.feed AND e.entry_id = d.entry_id WHERE e.state = 1 AND " \
	"(e.id = ?1 OR (?2 AND e.msgid = (SELECT msgid FROM entries WHERE " \
	"id = ?1))))"

/*
 * The pending row rowid (with, when digest, the other pending rows of its
 * Message-ID) stops counting, by sql (which binds ?1 rowid, and ?2 when
 * it takes why): the stories its entries claimed are released with it.
 * The other feeds' copies recorded as duplicates of them are forgotten,
 * with those feeds' validators, so that the next pass fetches those feeds
 * whole and one copy is delivered after all.  One savepoint: a claim is
 * never released while its entry still counts.
 */
static int
entry_release(struct state *st, int64_t rowid, int digest, const char *sql,
    const char *why)
{
	long long id = rowid, d = digest;

	if (sqlite3_exec(st->db, "SAVEPOINT release", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	if (state_run(st, "UPDATE feeds SET etag = NULL, last_modified = "
	    "NULL, refetch = 1 WHERE name IN (SELECT feed FROM entries WHERE "
	    "state = 5 "
	    "AND dup_key IN " DEDUPE_KEYS_OF ")", "ii", id, d) == -1 ||
	    state_run(st, "DELETE FROM entries WHERE state = 5 AND dup_key IN "
	    DEDUPE_KEYS_OF, "ii", id, d) == -1 ||
	    state_run(st, "DELETE FROM dedupe WHERE key IN " DEDUPE_KEYS_OF,
	    "ii", id, d) == -1 ||
	    (why ? state_run(st, sql, "it", id, why) :
	    state_run(st, sql, "i", id)) == -1) {
		sqlite3_exec(st->db, "ROLLBACK TO release; RELEASE release",
		    NULL, NULL, NULL);
		return -1;
	}
	return sqlite3_exec(st->db, "RELEASE release", NULL, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

int
state_entry_drop(struct state *st, int64_t rowid)
{
	return entry_release(st, rowid, 0, "DELETE FROM entries WHERE "
	    "id = ?1 AND state = 1", NULL);
}

int
state_entry_failed(struct state *st, int64_t rowid, const char *why)
{
	/* a digest's other entries share its Message-ID: they fail too */
	return entry_release(st, rowid, 1, "UPDATE entries SET state = 6, "
	    "error = ?2, message = NULL, spool_seg = NULL, spool_off = NULL, "
	    "spool_len = NULL WHERE state = 1 AND (id = ?1 OR msgid = (SELECT "
	    "msgid FROM entries WHERE id = ?1))", why);
}

int
state_entry_recompose(struct state *st, int64_t rowid)
{
	/* the validators first: the subquery needs the row */
	if (state_run(st, "UPDATE feeds SET etag = NULL, last_modified = "
	    "NULL WHERE name = (SELECT feed FROM entries WHERE id = ?1 AND "
	    "state = 1)", "i", (long long)rowid) == -1)
		return -1;
	/* a digest's other entries first: the row holds its Message-ID */
	if (state_run(st, "DELETE FROM entries WHERE state = 1 AND id != ?1 "
	    "AND msgid = (SELECT msgid FROM entries WHERE id = ?1)", "i",
	    (long long)rowid) == -1)
		return -1;
	return state_entry_drop(st, rowid);
}

int
state_store_limit(struct state *st, const char *key, size_t *limit)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*limit = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT size_limit FROM stores WHERE "
	    "key = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_int64(s, 0) > 0)
		*limit = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
state_store_set_limit(struct state *st, const char *key, size_t limit)
{
	return state_run(st, "INSERT OR REPLACE INTO stores (key, size_limit) "
	    "VALUES (?1, ?2)", "ti", key, (long long)limit);
}

int
state_entry_retry(struct state *st, const char *feed, long *n)
{
	*n = 0;
	if (state_run(st, "DELETE FROM entries WHERE feed = ?1 AND state = 6",
	    "t", feed) == -1)
		return -1;
	*n = (long)sqlite3_changes(st->db);
	/* a feed that answers 304 would not offer them again */
	if (*n > 0 && feed_set_text(st, feed, "UPDATE feeds SET etag = ?2, "
	    "last_modified = ?2 WHERE name = ?1", NULL) == -1)
		return -1;
	return 0;
}

int
state_entry_delivered_msgid(struct state *st, const char *msgid)
{
	if (state_run(st, "UPDATE feeds SET delivered = delivered + (SELECT "
	    "count(*) FROM entries WHERE msgid = ?1 AND state = 1 AND "
	    "entries.feed = feeds.name) WHERE name IN (SELECT feed FROM "
	    "entries WHERE msgid = ?1 AND state = 1)", "t", msgid) == -1)
		return -1;
	return state_run(st, "UPDATE entries SET state = 2, message = NULL, "
	    "spool_seg = NULL, spool_off = NULL, spool_len = NULL WHERE "
	    "msgid = ?1 AND state = 1", "t", msgid);
}

int
state_entry_revision(struct state *st, const char *feed, const char *id,
    char **hash, char **cur_msgid)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*hash = *cur_msgid = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT hash, coalesce(cur_msgid, "
	    "msgid) FROM entries WHERE feed = ?1 AND entry_id = ?2", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*hash = col_text(s, 0);
		*cur_msgid = col_text(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
state_entry_set_revision(struct state *st, const char *feed, const char *id,
    const char *hash, const char *cur_msgid)
{
	return state_run(st, "UPDATE entries SET hash = ?3, cur_msgid = "
	    "coalesce(?4, cur_msgid) WHERE feed = ?1 AND entry_id = ?2",
	    "tttt", feed, id, hash, cur_msgid);
}

int
state_entry_attempt(struct state *st, int64_t rowid)
{
	sqlite3_stmt *s = st->stmt[ST_ENTRY_ATTEMPT];
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
state_entry_seen(struct state *st, const char *feed, const char *entry_id)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, "INSERT OR IGNORE INTO entries (feed, entry_id, "
	    "state, first_seen) VALUES (?1, ?2, 3, strftime('%s','now'))",
	    "tt", feed, entry_id);
}

int
state_entry_skipped(struct state *st, const char *feed,
    const char *entry_id, const char *dup_key)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, "INSERT OR IGNORE INTO entries (feed, entry_id, "
	    "state, dup_key, first_seen) VALUES (?1, ?2, ?3, ?4, "
	    "strftime('%s','now'))", "ttit", feed, entry_id,
	    (long long)(dup_key ? ENTRY_DUPLICATE : ENTRY_FILTERED), dup_key);
}

int
state_entry_refilter(struct state *st, const char *feed)
{
	/* the validators go too: an unchanged feed would answer 304 and
	 * its entries would never be evaluated again */
	if (state_run(st, "DELETE FROM entries WHERE state = 4 AND "
	    "(?1 IS NULL OR feed = ?1)", "t", feed) == -1)
		return -1;
	return state_run(st, "UPDATE feeds SET etag = NULL, last_modified = "
	    "NULL WHERE ?1 IS NULL OR name = ?1", "t", feed);
}

int
state_dedupe_owner(struct state *st, const char *key, char **feed)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*feed = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT feed FROM dedupe WHERE "
	    "key = ?1 AND " DEDUPE_LIVE, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*feed = col_text(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
state_dedupe_claim(struct state *st, const char *key, const char *feed,
    const char *entry_id)
{
	/* a claim that no longer counts gives way */
	return state_run(st, "INSERT INTO dedupe (key, feed, entry_id) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET feed = "
	    "excluded.feed, entry_id = excluded.entry_id WHERE NOT "
	    DEDUPE_LIVE, "ttt", key, feed, entry_id);
}

int
state_pending_list(struct state *st, const char *feed,
    struct state_pending **out, size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct state_pending *v = NULL, *p;
	size_t cap = 0, len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id, feed, entry_id, msgid, "
	    "folder, message, date, attempted, spool_seg, spool_off, "
	    "spool_len FROM entries WHERE state = 1 AND (?1 IS NULL OR "
	    "feed = ?1) ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (feed)
		sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		p = &v[len++];
		memset(p, 0, sizeof(*p));
		p->rowid = sqlite3_column_int64(s, 0);
		p->feed = col_text(s, 1);
		p->entry_id = col_text(s, 2);
		p->msgid = col_text(s, 3);
		p->folder = col_text(s, 4);
		if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
			p->len = (size_t)sqlite3_column_int64(s, 10);
			p->message = spool_read(st, sqlite3_column_int64(s, 8),
			    (uint64_t)sqlite3_column_int64(s, 9), p->len);
			if (p->message == NULL) {
				/* the spool is gone: nothing to append again;
				 * recovery still looks for it by Message-ID */
				p->message = xstrdup("");
				p->len = 0;
				p->lost = 1;
			}
		} else {
			/* an older rss2mail kept the message in the row */
			p->len = (size_t)sqlite3_column_bytes(s, 5);
			p->message = xstrndup(sqlite3_column_blob(s, 5) ?
			    sqlite3_column_blob(s, 5) : "", p->len);
		}
		p->date = (time_t)sqlite3_column_int64(s, 6);
		p->attempted = (time_t)sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		state_pending_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

void
state_pending_free(struct state_pending *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && v; i++) {
		free(v[i].feed);
		free(v[i].entry_id);
		free(v[i].msgid);
		free(v[i].folder);
		free(v[i].message);
	}
	free(v);
}

int
state_feed_forget(struct state *st, const char *feed)
{
	if (state_run(st, "DELETE FROM entries WHERE feed = ?1", "t",
	    feed) == -1 ||
	    state_run(st, "DELETE FROM dedupe WHERE feed = ?1", "t",
	    feed) == -1)
		return -1;
	return state_run(st, "DELETE FROM feeds WHERE name = ?1", "t", feed);
}

/* ---- the Subscribe folder's requests ------------------------------------ */

int
state_request_get(struct state *st, const char *folder, uint32_t uidvalidity,
    uint32_t uid, struct state_request *out)
{
	sqlite3_stmt *s = NULL;
	const void *b;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db, "SELECT step, op, name, url, detail, "
	    "msgid, reply FROM requests WHERE folder = ?1 AND uidvalidity = "
	    "?2 AND uid = ?3", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->step = (enum state_request_step)sqlite3_column_int(s, 0);
		out->op = col_text(s, 1);
		out->name = col_text(s, 2);
		out->url = col_text(s, 3);
		out->detail = col_text(s, 4);
		out->msgid = col_text(s, 5);
		if ((b = sqlite3_column_blob(s, 6)) != NULL) {
			out->len = (size_t)sqlite3_column_bytes(s, 6);
			out->reply = xmalloc(out->len + 1);
			memcpy(out->reply, b, out->len);
			out->reply[out->len] = '\0';
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void
state_request_clear(struct state_request *r)
{
	free(r->op);
	free(r->name);
	free(r->url);
	free(r->detail);
	free(r->msgid);
	free(r->reply);
	memset(r, 0, sizeof(*r));
}

int
state_request_acting(struct state *st, const char *folder,
    uint32_t uidvalidity, uint32_t uid, const char *op, const char *name,
    const char *url, const char *detail)
{
	return state_run(st, "INSERT OR REPLACE INTO requests (folder, "
	    "uidvalidity, uid, step, op, name, url, detail) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8)", "tiiitttt", folder,
	    (long long)uidvalidity, (long long)uid,
	    (long long)STATE_REQ_ACTING, op, name, url, detail);
}

int
state_request_acted(struct state *st, const char *folder,
    uint32_t uidvalidity, uint32_t uid, const char *msgid,
    const char *reply, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc;

	/* a request that is not acted on (help, an ignored one) has no
	 * acting row yet: the reply makes one */
	if (sqlite3_prepare_v2(st->db, "INSERT INTO requests (folder, "
	    "uidvalidity, uid, step, msgid, reply) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6) ON CONFLICT (folder, uidvalidity, uid) DO UPDATE SET "
	    "step = ?4, msgid = ?5, reply = ?6", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	sqlite3_bind_int(s, 4, STATE_REQ_ACTED);
	sqlite3_bind_text(s, 5, msgid, -1, SQLITE_STATIC);
	if (reply != NULL)
		sqlite3_bind_blob(s, 6, reply, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
state_request_set_step(struct state *st, const char *folder,
    uint32_t uidvalidity, uint32_t uid, enum state_request_step step)
{
	/* a done request keeps no reply: it was appended */
	return state_run(st, "INSERT INTO requests (folder, uidvalidity, "
	    "uid, step) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (folder, "
	    "uidvalidity, uid) DO UPDATE SET step = ?4, reply = CASE WHEN "
	    "?4 >= 4 THEN NULL ELSE reply END", "tiii", folder,
	    (long long)uidvalidity, (long long)uid, (long long)step);
}

int
state_request_last(struct state *st, const char *folder,
    uint32_t uidvalidity, uint32_t *uid)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*uid = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(uid) FROM requests WHERE "
	    "folder = ?1 AND uidvalidity = ?2 AND step = ?3", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int(s, 3, STATE_REQ_DONE);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*uid = (uint32_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
