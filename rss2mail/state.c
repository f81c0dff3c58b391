/*
 * state.c - SQLite state: feeds' validators and health, and the delivery
 * journal (see state.h).  The only file that includes sqlite3.h.
 *
 * Durability: WAL with synchronous=FULL, because a 'pending' row must be on
 * disk before its append starts; run.c batches many rows per transaction so
 * that costs two fsyncs per batch, not per message.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

#define STATE_SCHEMA_VERSION	1

enum { ENTRY_PENDING = 1, ENTRY_DELIVERED = 2, ENTRY_SEEN = 3 };

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
	    "msgid, folder, message, date, first_seen, attempted) VALUES "
	    "(?1, ?2, 1, ?3, ?4, ?5, ?6, strftime('%s','now'), "
	    "strftime('%s','now'))",
	[ST_ENTRY_ATTEMPT] = "UPDATE entries SET attempted = "
	    "strftime('%s','now') WHERE id = ?1",
	[ST_ENTRY_DELIVERED] = "UPDATE entries SET state = 2, message = NULL, "
	    "uid = ?2 WHERE id = ?1 AND state = 1",
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
	" UNIQUE (feed, entry_id));"
	"CREATE INDEX IF NOT EXISTS entries_pending ON entries (state) "
	" WHERE state = 1;"
	"CREATE INDEX IF NOT EXISTS entries_pending_msgid ON entries (msgid) "
	" WHERE state = 1;";

struct state {
	sqlite3		*db;
	sqlite3_stmt	*stmt[ST_NSTMT];
	char		*path;
};

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
	*out = NULL;
	if (util_mkdirs(path, 0, err, errlen) == -1)
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
	for (i = 0; i < ST_NSTMT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
state_begin(struct state *st, char *err, size_t errlen)
{
	return state_exec(st, "BEGIN IMMEDIATE", err, errlen);
}

int
state_commit(struct state *st, char *err, size_t errlen)
{
	return state_exec(st, "COMMIT", err, errlen);
}

void
state_rollback(struct state *st)
{
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
	    "hint, failing_since, reported FROM feeds WHERE name = ?1", -1,
	    &s, NULL) != SQLITE_OK)
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
	memset(f, 0, sizeof(*f));
}

int
state_feed_poll_ok(struct state *st, const char *feed, time_t when,
    const char *etag, const char *last_modified, const char *warning)
{
	if (state_ensure_feed(st, feed) == -1)
		return -1;
	return state_run(st, "UPDATE feeds SET etag = ?2, last_modified = ?3, "
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

int
state_feed_set(struct state *st, const char *feed, const char *column,
    const char *text, long long num)
{
	static const char *const text_cols[] = { "redirect_url", "warning",
	    "last_error", "etag", "last_modified", "redirect_candidate",
	    NULL };
	static const char *const num_cols[] = { "next_due", "gone",
	    "failures", "reported", "failing_since", "hint", NULL };
	char sql[128];
	int i;

	if (state_ensure_feed(st, feed) == -1)
		return -1;
	for (i = 0; text_cols[i]; i++)
		if (strcmp(column, text_cols[i]) == 0) {
			snprintf(sql, sizeof(sql), "UPDATE feeds SET %s = ?2 "
			    "WHERE name = ?1", column);
			return state_run(st, sql, "tt", feed, text);
		}
	for (i = 0; num_cols[i]; i++)
		if (strcmp(column, num_cols[i]) == 0) {
			snprintf(sql, sizeof(sql), "UPDATE feeds SET %s = ?2 "
			    "WHERE name = ?1", column);
			return state_run(st, sql, "ti", feed, num);
		}
	return -1;
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
		r = sqlite3_column_int(s, 0) == ENTRY_PENDING ?
		    STATE_PENDING : STATE_DONE;
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
	int rc;

	if (state_ensure_feed(st, feed) == -1)
		return -1;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, entry_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, folder ? folder : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 5, message, len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)date);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*rowid = sqlite3_last_insert_rowid(st->db);
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

int
state_entry_delivered_msgid(struct state *st, const char *msgid)
{
	if (state_run(st, "UPDATE feeds SET delivered = delivered + (SELECT "
	    "count(*) FROM entries WHERE msgid = ?1 AND state = 1 AND "
	    "entries.feed = feeds.name) WHERE name IN (SELECT feed FROM "
	    "entries WHERE msgid = ?1 AND state = 1)", "t", msgid) == -1)
		return -1;
	return state_run(st, "UPDATE entries SET state = 2, message = NULL "
	    "WHERE msgid = ?1 AND state = 1", "t", msgid);
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
	    "folder, message, date, attempted FROM entries WHERE state = 1 AND "
	    "(?1 IS NULL OR feed = ?1) ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (feed)
		sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		p = &v[len++];
		p->rowid = sqlite3_column_int64(s, 0);
		p->feed = col_text(s, 1);
		p->entry_id = col_text(s, 2);
		p->msgid = col_text(s, 3);
		p->folder = col_text(s, 4);
		p->len = (size_t)sqlite3_column_bytes(s, 5);
		p->message = xstrndup(sqlite3_column_blob(s, 5) ?
		    sqlite3_column_blob(s, 5) : "", p->len);
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
	    feed) == -1)
		return -1;
	return state_run(st, "DELETE FROM feeds WHERE name = ?1", "t", feed);
}
