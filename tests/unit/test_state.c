/*
 * test_state.c - the SQLite state: validators, health, the journal's
 * pending -> delivered protocol, and that it all survives a reopen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "state.h"
#include "testutil.h"

static char dir[64], path[128];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/rss2mail-state-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/sub/state.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_validators_and_health(void **unused)
{
	struct state *st;
	struct state_feed f;
	char err[256];

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_get(st, "lwn", &f), 0);
	assert_null(f.etag);
	assert_int_equal(f.last_success, 0);
	assert_int_equal(state_feed_poll_ok(st, "lwn", 1000, "\"abc\"",
	    "Wed, 21 Oct 2015 07:28:00 GMT", NULL), 0);
	assert_int_equal(state_feed_poll_failed(st, "lwn", 2000, "HTTP 503"),
	    0);
	assert_int_equal(state_feed_poll_failed(st, "lwn", 3000, "HTTP 503"),
	    0);
	state_close(st);

	/* everything is still there after a reopen */
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_get(st, "lwn", &f), 0);
	assert_string_equal(f.etag, "\"abc\"");
	assert_string_equal(f.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	assert_int_equal(f.last_success, 1000);
	assert_int_equal(f.last_poll, 3000);
	assert_string_equal(f.last_error, "HTTP 503");
	assert_int_equal(f.failures, 2);
	state_feed_clear(&f);
	assert_int_equal(state_feed_poll_ok(st, "lwn", 4000, NULL, NULL,
	    "recovered from bad XML"), 0);
	assert_int_equal(state_feed_get(st, "lwn", &f), 0);
	assert_null(f.last_error);
	assert_null(f.etag);
	assert_int_equal(f.failures, 0);
	assert_string_equal(f.warning, "recovered from bad XML");
	state_feed_clear(&f);
	assert_int_equal(state_feed_set_gone(st, "lwn"), 0);
	state_close(st);
}

static void
test_journal(void **unused)
{
	struct state *st;
	struct state_pending *p;
	struct state_feed f;
	char err[256];
	int64_t r1, r2;
	size_t n;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_get(st, "a", "e1"), STATE_NEW);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "a", "e1", "<m1@x>", "F",
	    "msg1\r\n", 6, 111, &r1), 0);
	assert_int_equal(state_entry_pending(st, "a", "e2", "<m2@x>", "",
	    "msg\0two", 7, 222, &r2), 0);
	/* the same entry twice is refused: one row per (feed, entry) */
	assert_int_equal(state_entry_pending(st, "a", "e1", "<m1@x>", "F",
	    "x", 1, 1, &r1), -1);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_true(r1 > 0 && r2 > r1 - 1);
	assert_int_equal(state_entry_get(st, "a", "e1"), STATE_PENDING);
	state_close(st);

	/* after a "crash": both pending, with their bytes */
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].entry_id, "e1");
	assert_string_equal(p[0].msgid, "<m1@x>");
	assert_string_equal(p[0].folder, "F");
	assert_int_equal(p[0].len, 6);
	assert_memory_equal(p[0].message, "msg1\r\n", 6);
	assert_int_equal(p[0].date, 111);
	assert_int_equal(p[1].len, 7);
	assert_memory_equal(p[1].message, "msg\0two", 7);
	r1 = p[0].rowid;
	state_pending_free(p, n);
	assert_int_equal(state_entry_delivered(st, r1, 42), 0);
	assert_int_equal(state_entry_delivered(st, r1, 42), 0); /* idempotent */
	assert_int_equal(state_entry_get(st, "a", "e1"), STATE_DONE);
	assert_int_equal(state_pending_list(st, "a", &p, &n), 0);
	assert_int_equal(n, 1);
	state_pending_free(p, n);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_int_equal(f.delivered, 1);	/* counted once */
	assert_int_equal(f.pending, 1);
	state_feed_clear(&f);

	/* catchup rows are done without any message */
	assert_int_equal(state_entry_seen(st, "a", "e3"), 0);
	assert_int_equal(state_entry_get(st, "a", "e3"), STATE_DONE);
	assert_int_equal(state_entry_get(st, "b", "e3"), STATE_NEW);
	assert_true(state_entry_rowid(st, "a", "e3") > 0);

	assert_int_equal(state_feed_forget(st, "a"), 0);
	assert_int_equal(state_entry_get(st, "a", "e1"), STATE_NEW);
	state_close(st);
}

/* Filtered and duplicate entries: skipped, counted, refiltered; the
 * dedupe key belongs to the first feed that claims it. */
static void
test_skipped_and_dedupe(void **unused)
{
	struct state *st;
	struct state_feed f;
	char err[256], *owner = NULL;
	int64_t rowid;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_poll_ok(st, "a", 100, "\"e\"", NULL,
	    NULL), 0);
	assert_int_equal(state_entry_skipped(st, "a", "f1", NULL), 0);
	assert_int_equal(state_entry_skipped(st, "a", "d1", "link:d"), 0);
	assert_int_equal(state_entry_get(st, "a", "f1"), STATE_SKIPPED);
	assert_int_equal(state_entry_get(st, "a", "d1"), STATE_SKIPPED);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_int_equal(f.filtered, 1);
	assert_int_equal(f.duplicates, 1);
	assert_int_equal(f.delivered, 0);
	state_feed_clear(&f);
	assert_int_equal(state_entry_refilter(st, "a"), 0);
	assert_int_equal(state_entry_get(st, "a", "f1"), STATE_NEW);
	assert_int_equal(state_entry_get(st, "a", "d1"), STATE_SKIPPED);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_null(f.etag);		/* the next pass gets the whole feed */
	state_feed_clear(&f);

	assert_int_equal(state_dedupe_owner(st, "link:x", &owner), 0);
	assert_null(owner);
	assert_int_equal(state_entry_pending(st, "a", "1", "<m1@x>", "", "m",
	    1, 0, &rowid), 0);
	assert_int_equal(state_dedupe_claim(st, "link:x", "a", "1"), 0);
	assert_int_equal(state_dedupe_claim(st, "link:x", "b", "9"), 0);
	assert_int_equal(state_dedupe_owner(st, "link:x", &owner), 0);
	assert_string_equal(owner, "a");	/* the first claim stays */
	free(owner);
	assert_int_equal(state_feed_forget(st, "a"), 0);
	assert_int_equal(state_dedupe_owner(st, "link:x", &owner), 0);
	assert_null(owner);
	state_close(st);
}

/* The Subscribe folder's journal: each request's steps, its reply kept
 * until done, and the last done UID per (folder, UIDVALIDITY). */
static void
test_requests(void **unused)
{
	struct state *st;
	struct state_request r;
	char err[256];
	uint32_t last;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_request_get(st, "S", 7, 3, &r), 0);
	assert_int_equal(r.step, STATE_REQ_NONE);
	assert_int_equal(state_request_acting(st, "S", 7, 3, "subscribe",
	    "blog", "https://b.example/feed", "Blog\nPost\n"), 0);
	assert_int_equal(state_request_get(st, "S", 7, 3, &r), 0);
	assert_int_equal(r.step, STATE_REQ_ACTING);
	assert_string_equal(r.op, "subscribe");
	assert_string_equal(r.name, "blog");
	assert_string_equal(r.detail, "Blog\nPost\n");
	state_request_clear(&r);
	assert_int_equal(state_request_acted(st, "S", 7, 3, "<m@x>",
	    "a\0b", 3), 0);
	/* a help reply has no ACTING row before it */
	assert_int_equal(state_request_acted(st, "S", 7, 4, "<n@x>", "r",
	    1), 0);
	assert_int_equal(state_request_get(st, "S", 7, 3, &r), 0);
	assert_int_equal(r.step, STATE_REQ_ACTED);
	assert_string_equal(r.op, "subscribe");	/* kept */
	assert_string_equal(r.msgid, "<m@x>");
	assert_int_equal(r.len, 3);
	assert_memory_equal(r.reply, "a\0b", 3);
	state_request_clear(&r);
	assert_int_equal(state_request_last(st, "S", 7, &last), 0);
	assert_int_equal(last, 0);
	assert_int_equal(state_request_set_step(st, "S", 7, 4,
	    STATE_REQ_DONE), 0);
	assert_int_equal(state_request_set_step(st, "S", 7, 3,
	    STATE_REQ_REPLIED), 0);
	assert_int_equal(state_request_last(st, "S", 7, &last), 0);
	assert_int_equal(last, 4);
	assert_int_equal(state_request_get(st, "S", 7, 4, &r), 0);
	assert_int_equal(r.step, STATE_REQ_DONE);
	assert_null(r.reply);		/* appended: not kept */
	state_request_clear(&r);
	/* another UIDVALIDITY or folder starts from nothing */
	assert_int_equal(state_request_last(st, "S", 8, &last), 0);
	assert_int_equal(last, 0);
	assert_int_equal(state_request_last(st, "T", 7, &last), 0);
	assert_int_equal(last, 0);
	state_close(st);
}

/* feed's entry id journaled as pending (its message: msgid, one byte, or
 * none for a digest's other entry), claiming key. */
static int64_t
pending_claim(struct state *st, const char *feed, const char *id,
    const char *msgid, int bytes, const char *key)
{
	int64_t rowid;

	assert_int_equal(state_entry_pending(st, feed, id, msgid, "",
	    bytes ? "m" : "", bytes ? 1 : 0, 0, &rowid), 0);
	assert_int_equal(state_dedupe_claim(st, key, feed, id), 0);
	return rowid;
}

static char *
owner_of(struct state *st, const char *key)
{
	char *owner = NULL;

	assert_int_equal(state_dedupe_owner(st, key, &owner), 0);
	return owner;
}

/* A claim counts while its entry is pending or delivered; refused for
 * good or forgotten, it is released with the duplicates recorded
 * against it, so that another feed's copy is delivered. */
static void
test_claims_count_while_pending_or_delivered(void **unused)
{
	struct state *st;
	struct state_feed f;
	char err[256], *owner;
	int64_t a1, a2, b9;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	/* a claim whose entry never got journaled does not count ... */
	assert_int_equal(state_dedupe_claim(st, "link:x", "a", "1"), 0);
	assert_null(owner_of(st, "link:x"));
	/* ... and gives way to one that does */
	b9 = pending_claim(st, "c", "7", "<m7@x>", 1, "link:x");
	assert_string_equal(owner = owner_of(st, "link:x"), "c");
	free(owner);
	assert_int_equal(state_entry_drop(st, b9), 0);	/* forgotten */
	assert_null(owner_of(st, "link:x"));
	/* to be composed again smaller: forgotten too, and b's duplicate
	 * of it with it */
	b9 = pending_claim(st, "c", "7", "<m7@x>", 1, "link:x");
	assert_int_equal(state_entry_skipped(st, "b", "6", "link:x"), 0);
	assert_int_equal(state_entry_recompose(st, b9), 0);
	assert_null(owner_of(st, "link:x"));
	assert_int_equal(state_entry_get(st, "b", "6"), STATE_NEW);

	a1 = pending_claim(st, "a", "1", "<m1@x>", 1, "link:x");
	assert_string_equal(owner = owner_of(st, "link:x"), "a");
	free(owner);
	assert_int_equal(state_dedupe_claim(st, "link:x", "b", "9"), 0);
	assert_string_equal(owner = owner_of(st, "link:x"), "a");
	free(owner);
	/* b's copy recorded as a duplicate; then a's is refused for good */
	assert_int_equal(state_feed_poll_ok(st, "b", 100, "\"e\"", NULL,
	    NULL), 0);
	assert_int_equal(state_entry_skipped(st, "b", "9", "link:x"), 0);
	assert_int_equal(state_entry_skipped(st, "b", "8", NULL), 0);
	assert_int_equal(state_entry_get(st, "b", "9"), STATE_SKIPPED);
	assert_int_equal(state_entry_failed(st, a1, "550 no"), 0);
	assert_null(owner_of(st, "link:x"));
	assert_int_equal(state_entry_get(st, "b", "9"), STATE_NEW);
	assert_int_equal(state_entry_get(st, "b", "8"), STATE_SKIPPED);
	assert_int_equal(state_feed_get(st, "b", &f), 0);
	assert_null(f.etag);		/* b is fetched whole: 9 comes back */
	assert_int_equal(f.duplicates, 0);
	state_feed_clear(&f);
	/* a pass in progress may have fetched b before the release: the
	 * poll that ends it saves no validators either */
	assert_int_equal(state_feed_poll_ok(st, "b", 200, "\"e2\"", NULL,
	    NULL), 0);
	assert_int_equal(state_feed_get(st, "b", &f), 0);
	assert_null(f.etag);
	state_feed_clear(&f);
	assert_int_equal(state_feed_poll_ok(st, "b", 300, "\"e2\"", NULL,
	    NULL), 0);
	assert_int_equal(state_feed_get(st, "b", &f), 0);
	assert_string_equal(f.etag, "\"e2\"");
	state_feed_clear(&f);

	/* a delivered claim counts */
	b9 = pending_claim(st, "b", "9", "<m9@x>", 1, "link:x");
	assert_int_equal(state_entry_delivered(st, b9, 0), 0);
	assert_string_equal(owner = owner_of(st, "link:x"), "b");
	free(owner);
	/* `rss2mail retry`: a's entry is new again, b keeps the story, and
	 * a is fetched whole (a 304 would not offer the entry again) */
	assert_int_equal(state_feed_poll_ok(st, "a", 400, "\"ea\"", NULL,
	    NULL), 0);
	assert_int_equal(state_entry_retry(st, "a", &(long){ 0 }), 0);
	assert_int_equal(state_entry_get(st, "a", "1"), STATE_NEW);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_null(f.etag);
	state_feed_clear(&f);
	assert_string_equal(owner = owner_of(st, "link:x"), "b");
	free(owner);

	/* a digest refused for good releases the claims of all its entries */
	a2 = pending_claim(st, "a", "2", "<d@x>", 1, "link:y");
	pending_claim(st, "a", "3", "<d@x>", 0, "link:z");
	assert_int_equal(state_entry_skipped(st, "c", "z", "link:z"), 0);
	assert_string_equal(owner = owner_of(st, "link:z"), "a");
	free(owner);
	assert_int_equal(state_entry_failed(st, a2, "550 no"), 0);
	assert_null(owner_of(st, "link:y"));
	assert_null(owner_of(st, "link:z"));
	assert_int_equal(state_entry_get(st, "c", "z"), STATE_NEW);
	state_close(st);
}

static void
test_rollback_leaves_nothing(void **unused)
{
	struct state *st;
	char err[256];
	int64_t r;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "c", "e1", "<m@x>", "",
	    "m", 1, 1, &r), 0);
	state_rollback(st);
	assert_int_equal(state_entry_get(st, "c", "e1"), STATE_NEW);
	state_close(st);
}

static void
test_open_errors(void **unused)
{
	struct state *st = NULL;
	char err[256], bad[160];

	/* a directory where the database should be */
	snprintf(bad, sizeof(bad), "%s", dir);
	assert_int_equal(state_open(bad, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, dir));
	/* a file where a parent directory should be */
	snprintf(bad, sizeof(bad), "%s/file", dir);
	assert_int_equal(system("true"), 0);
	{
		FILE *f = fopen(bad, "w");

		assert_non_null(f);
		fclose(f);
	}
	snprintf(bad, sizeof(bad), "%s/file/state.db", dir);
	assert_int_equal(state_open(bad, &st, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
}

/* a database from the first schema gains the columns added since */
static void
test_migration(void **unused)
{
	struct state *st;
	struct state_pending *p;
	char err[256], cmd[2048];
	int64_t r;
	size_t n;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sub && sqlite3 %s 2>/dev/null "
	    "'CREATE TABLE entries (id INTEGER PRIMARY KEY, feed TEXT NOT "
	    "NULL, entry_id TEXT NOT NULL, state INTEGER NOT NULL, msgid TEXT, "
	    "folder TEXT, message BLOB, date INTEGER, uid INTEGER, first_seen "
	    "INTEGER, UNIQUE (feed, entry_id)); CREATE TABLE feeds (name TEXT "
	    "PRIMARY KEY, etag TEXT, last_modified TEXT, url TEXT, last_poll "
	    "INTEGER NOT NULL DEFAULT 0, last_success INTEGER NOT NULL DEFAULT "
	    "0, last_error TEXT, warning TEXT, failures INTEGER NOT NULL "
	    "DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0, next_due INTEGER "
	    "NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0, failing_since "
	    "INTEGER NOT NULL DEFAULT 0, redirect_url TEXT, reported INTEGER "
	    "NOT NULL DEFAULT 0); PRAGMA user_version = 1;' || exit 77", dir,
	    path);
	if (system(cmd) != 0)
		skip();		/* no sqlite3 shell to make an old database */
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "a", "e", "<m@x>", "", "m", 1,
	    1, &r), 0);
	assert_int_equal(state_pending_list(st, NULL, &p, &n), 0);
	assert_int_equal(n, 1);
	assert_true(p[0].attempted > 0);
	state_pending_free(p, n);
	assert_int_equal(state_feed_poll_ok(st, "a", 5, NULL, NULL, NULL), 0);
	assert_int_equal(state_feed_set_hint(st, "a", 60), 0);
	state_close(st);
}

/* How many segment files the spool directory holds (-1: no directory). */
static int
spool_files(void)
{
	char sp[160];

	snprintf(sp, sizeof(sp), "%s.spool", path);
	return tu_count_files(sp);
}

/*
 * The spool: a pending message's bytes live in a segment file, not in the
 * database; they survive a "crash" (no delivery, a reopen), big batches
 * roll over into new segments, and once nothing is pending the segments
 * and the directory are gone.
 */
static void
test_spool(void **unused)
{
	struct state *st;
	struct state_pending *p;
	char err[256], id[32], *big;
	const size_t bigsz = 12u << 20;
	int64_t rowid;
	size_t n, i;

	big = malloc(bigsz);
	assert_non_null(big);
	for (i = 0; i < bigsz; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(spool_files(), -1);	/* made on first use */
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (i = 0; i < 4; i++) {	/* 48 MB: more than one segment */
		snprintf(id, sizeof(id), "big%zu", i);
		big[0] = (char)('0' + i);
		assert_int_equal(state_entry_pending(st, "s", id, id, "",
		    big, bigsz, 1, &rowid), 0);
	}
	assert_int_equal(state_entry_pending(st, "s", "small", "<s@x>", "",
	    "tiny\r\n", 6, 1, &rowid), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_true(spool_files() >= 2);
	state_close(st);		/* a crash: all still pending */
	assert_true(spool_files() >= 2);

	/* a command that is not a pass leaves the segments alone */
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_delivered(st, 1, 0), 0);
	state_close(st);
	assert_true(spool_files() >= 2);

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	state_spool_claim(st);		/* a pass, under the run lock */
	assert_int_equal(state_pending_list(st, "s", &p, &n), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < 3; i++) {
		big[0] = (char)('1' + i);
		assert_int_equal(p[i].len, bigsz);
		assert_memory_equal(p[i].message, big, bigsz);
	}
	assert_memory_equal(p[3].message, "tiny\r\n", 6);
	/* delivering the first ones frees what only they used */
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(state_entry_delivered(st, p[i].rowid, 0), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_true(spool_files() >= 1);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (i = 2; i < 4; i++)
		assert_int_equal(state_entry_delivered(st, p[i].rowid, 0), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_int_equal(spool_files(), 0);
	state_pending_free(p, n);
	state_close(st);
	assert_int_equal(spool_files(), -1);
	free(big);
}

/*
 * A commit's only message (smtp, lmtp, sendmail journal one at a time) is
 * kept in its row: no spool, one fsync; a second message in the same
 * commit sends both to the spool.  Either way the bytes read back.
 */
static void
test_spool_inline(void **unused)
{
	struct state *st;
	struct state_pending *p;
	char err[256];
	int64_t rowid;
	size_t n;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	state_spool_claim(st);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "i", "one", "<1@x>", "",
	    "one\r\n", 5, 1, &rowid), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_int_equal(spool_files(), -1);	/* never made */
	/* rolled back: nothing held over into the next transaction */
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "i", "gone", "<g@x>", "",
	    "gone\r\n", 6, 1, &rowid), 0);
	state_rollback(st);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "i", "two", "<2@x>", "",
	    "two\r\n", 5, 1, &rowid), 0);
	assert_int_equal(state_entry_pending(st, "i", "three", "<3@x>", "",
	    "three\r\n", 7, 1, &rowid), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_int_equal(spool_files(), 1);
	state_close(st);		/* a crash: all pending */

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	state_spool_claim(st);
	assert_int_equal(state_pending_list(st, "i", &p, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].entry_id, "one");
	assert_int_equal(p[0].len, 5);
	assert_memory_equal(p[0].message, "one\r\n", 5);
	assert_string_equal(p[1].entry_id, "two");
	assert_memory_equal(p[1].message, "two\r\n", 5);
	assert_string_equal(p[2].entry_id, "three");
	assert_int_equal(p[2].len, 7);
	assert_memory_equal(p[2].message, "three\r\n", 7);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(state_entry_delivered(st, p[i].rowid, 0), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	state_pending_free(p, n);
	state_close(st);
	assert_int_equal(spool_files(), -1);
}

/* The typed setters change their own column and nothing else. */
static void
test_typed_setters(void **unused)
{
	struct state *st;
	struct state_feed f;
	char err[256];

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_set_next_due(st, "a", 5000), 0);
	assert_int_equal(state_feed_set_hint(st, "a", 3600), 0);
	assert_int_equal(state_feed_set_redirect_candidate(st, "a",
	    "https://new.test/feed"), 0);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_int_equal(f.next_due, 5000);
	assert_int_equal(f.hint, 3600);
	assert_string_equal(f.redirect_candidate, "https://new.test/feed");
	assert_null(f.url);
	assert_int_equal(f.gone, 0);
	state_feed_clear(&f);

	/* seen twice: moved, and the candidate is forgotten */
	assert_int_equal(state_feed_set_moved(st, "a",
	    "https://new.test/feed"), 0);
	assert_int_equal(state_feed_set_gone(st, "a"), 0);
	assert_int_equal(state_feed_set_reported(st, "a", 1), 0);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_string_equal(f.url, "https://new.test/feed");
	assert_null(f.redirect_candidate);
	assert_int_equal(f.gone, 1);
	assert_int_equal(f.reported, 1);
	assert_int_equal(f.next_due, 5000);
	state_feed_clear(&f);

	assert_int_equal(state_feed_resume(st, "a"), 0);
	assert_int_equal(state_feed_set_redirect_candidate(st, "a", NULL), 0);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_int_equal(f.gone, 0);
	assert_int_equal(f.next_due, 0);
	assert_null(f.redirect_candidate);
	assert_int_equal(f.hint, 3600);
	state_feed_clear(&f);
	state_close(st);
}

/* A size refusal: the entry (and its digest's others) is new again, the
 * feed's validators go, and the store's learned limit is kept. */
static void
test_recompose_and_store_limit(void **unused)
{
	struct state *st;
	struct state_feed f;
	char err[256];
	int64_t r1, r2, r3;
	size_t lim;

	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_feed_poll_ok(st, "a", 1000, "\"v1\"",
	    "Wed, 21 Oct 2015 07:28:00 GMT", NULL), 0);
	assert_int_equal(state_begin(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_pending(st, "a", "e1", "<d@x>", "F",
	    "digest\r\n", 8, 1, &r1), 0);
	assert_int_equal(state_entry_pending(st, "a", "e2", "<d@x>", "F",
	    "", 0, 1, &r2), 0);
	assert_int_equal(state_entry_pending(st, "a", "e3", "<m3@x>", "F",
	    "three\r\n", 7, 1, &r3), 0);
	assert_int_equal(state_commit(st, err, sizeof(err)), 0);
	assert_int_equal(state_entry_recompose(st, r1), 0);
	assert_int_equal(state_entry_get(st, "a", "e1"), STATE_NEW);
	assert_int_equal(state_entry_get(st, "a", "e2"), STATE_NEW);
	assert_int_equal(state_entry_get(st, "a", "e3"), STATE_PENDING);
	assert_int_equal(state_feed_get(st, "a", &f), 0);
	assert_null(f.etag);
	assert_null(f.last_modified);
	state_feed_clear(&f);

	assert_int_equal(state_store_limit(st, "2|imap://x|", &lim), 0);
	assert_int_equal(lim, 0);
	assert_int_equal(state_store_set_limit(st, "2|imap://x|", 50000), 0);
	assert_int_equal(state_store_set_limit(st, "2|imap://x|", 25000), 0);
	state_close(st);
	assert_int_equal(state_open(path, &st, err, sizeof(err)), 0);
	assert_int_equal(state_store_limit(st, "2|imap://x|", &lim), 0);
	assert_int_equal(lim, 25000);
	assert_int_equal(state_store_limit(st, "2|imap://y|", &lim), 0);
	assert_int_equal(lim, 0);
	state_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validators_and_health,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_setters, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recompose_and_store_limit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_inline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_skipped_and_dedupe, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_claims_count_while_pending_or_delivered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
