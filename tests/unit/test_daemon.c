/*
 * test_daemon.c - the daemon's schedule: when a feed is next due (its
 * interval, its own hint, min-interval, backoff), which feeds a pass
 * polls, and how long the daemon then sleeps: until the next feed is due,
 * at most an hour, at least a second, and at once (one second) when a
 * pass ran longer than a polled feed's interval.
 *
 * The schedule is file-local to daemon.c, so this file includes daemon.c
 * itself (the library's daemon.o is never linked) and defines run_pass
 * (so run.o is not linked either): the fake records which feeds it was
 * asked for and when it says they were polled.  The state is a real
 * SQLite file in a temporary directory; signals and the daemon's loop are
 * tested by tests/integration/test_schedule.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon.c"

int main(void);

/* --- feed_due ----------------------------------------------------------- */

static const struct {
	long long	 interval, min_interval;
	time_t		 last_poll, next_due;
	long		 hint;
	time_t		 due;
} dues[] = {
	/* interval  min  last_poll next_due hint     due */
	{ 600,       0,   0,        0,       0,       0 },	/* never */
	{ 600,       0,   1000,     0,       0,       1600 },
	{ 0,         0,   1000,     0,       0,       4600 },	/* 1h */
	{ 600,       0,   1000,     0,       1200,    2200 },	/* ttl */
	{ 600,       0,   1000,     0,       300,     1600 },
	{ 600,       900, 1000,     0,       0,       1900 },
	{ 600,       900, 1000,     0,       1200,    2200 },
	{ 600,       1800, 1000,    0,       1200,    2800 },
	{ 600,       0,   1000,     5000,    0,       5000 },	/* backoff */
	{ 600,       0,   1000,     1200,    0,       1600 },
	{ 600,       0,   0,        5000,    0,       5000 },
};

static void
test_feed_due(void **state)
{
	struct config_feed cf;
	struct state_feed sf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dues) / sizeof(dues[0]); i++) {
		memset(&cf, 0, sizeof(cf));
		memset(&sf, 0, sizeof(sf));
		cf.s.interval = dues[i].interval;
		cf.s.min_interval = dues[i].min_interval;
		sf.last_poll = dues[i].last_poll;
		sf.next_due = dues[i].next_due;
		sf.hint = dues[i].hint;
		if (feed_due(&cf, &sf) != dues[i].due)
			fail_msg("case %zu: due %lld, expected %lld", i,
			    (long long)feed_due(&cf, &sf),
			    (long long)dues[i].due);
	}
}

/* --- the fake pass ------------------------------------------------------ */

static struct {
	int		 calls;
	char		 names[256];	/* "a b " of the last call */
	long		 ago;		/* "polled" this many seconds ago */
} pass;

int
run_pass(const struct config *cfg, struct state *st,
    const struct run_opts *o, struct run_stats *s, char *err, size_t errlen)
{
	time_t now = time(NULL);
	size_t i;

	pass.calls++;
	pass.names[0] = '\0';
	memset(s, 0, sizeof(*s));
	for (i = 0; i < o->nnames; i++) {
		assert_non_null(config_find_feed(cfg, o->names[i]));
		strncat(pass.names, o->names[i],
		    sizeof(pass.names) - strlen(pass.names) - 2);
		strcat(pass.names, " ");
		assert_int_equal(state_feed_poll_ok(st, o->names[i],
		    now - pass.ago, NULL, NULL, NULL), 0);
		s->feeds++;
	}
	return 0;
}

/* --- daemon_pass -------------------------------------------------------- */

struct rig {
	char		 dir[64];
	struct config	*cfg;
	struct state	*st;
};

/* A config of `feeds` ([feed.NAME] sections) in a fresh directory. */
static void
rig_open(struct rig *r, const char *feeds)
{
	char err[ERRLEN];
	struct buf t = BUF_INIT(0);

	memset(r, 0, sizeof(*r));
	memset(&pass, 0, sizeof(pass));
	snprintf(r->dir, sizeof(r->dir), "/tmp/test_daemon.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	buf_printf(&t, "[rss2mail]\nfrom = f@example.org\n"
	    "to = me@example.org\nmaildir = %s/Mail\nstate = %s/state.db\n"
	    "min-interval = 0\n%s", r->dir, r->dir, feeds);
	if (config_parse("test.ini", t.data, t.len, &r->cfg, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	if (state_open(r->cfg->state, &r->st, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	buf_free(&t);
}

static void
rig_close(struct rig *r)
{
	struct buf p = BUF_INIT(0);

	state_close(r->st);
	config_free(r->cfg);
	buf_printf(&p, "rm -rf '%s'", r->dir);
	assert_int_equal(system(p.data), 0);
	buf_free(&p);
}

static void
polled(struct rig *r, const char *name, long ago)
{
	assert_int_equal(state_feed_poll_ok(r->st, name, time(NULL) - ago,
	    NULL, NULL, NULL), 0);
}

static const char FEEDS[] =
    "[feed.a]\nurl = http://example.org/a.xml\ninterval = 10m\n"
    "[feed.b]\nurl = http://example.org/b.xml\ninterval = 2h\n"
    "[feed.c]\nurl = http://example.org/c.xml\npaused = yes\n";

/* a fresh state: every active feed is due; then sleep until a is */
static void
test_pass_polls_due_feeds(void **state)
{
	struct rig r;
	long wait;

	(void)state;
	rig_open(&r, FEEDS);
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 1);
	assert_string_equal(pass.names, "a b ");	/* never the paused c */
	assert_in_range(wait, 598, 600);
	/* nothing is due now: no pass, the same wait */
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 1);
	assert_in_range(wait, 598, 600);
	rig_close(&r);
}

/* only the due feeds are polled; the sleep is until the next one is due */
static void
test_pass_polls_only_due(void **state)
{
	struct rig r;
	long wait;

	(void)state;
	rig_open(&r, FEEDS);
	polled(&r, "a", 700);		/* due 100 s ago */
	polled(&r, "b", 7200 - 60);	/* due in a minute */
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 1);
	assert_string_equal(pass.names, "a ");
	assert_in_range(wait, 58, 60);
	rig_close(&r);
}

/* however far the next feed is, the daemon wakes within the hour */
static void
test_pass_sleeps_at_most_an_hour(void **state)
{
	struct rig r;
	long wait;

	(void)state;
	rig_open(&r, "[feed.d]\nurl = http://example.org/d.xml\n"
	    "interval = 1d\n");
	polled(&r, "d", 0);
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 0);
	assert_in_range(wait, DAEMON_MAX_SLEEP - 2, DAEMON_MAX_SLEEP);
	rig_close(&r);
}

/*
 * A pass that took longer than a polled feed's interval leaves that feed
 * due at once: the daemon waits the minimum, one second, not until the
 * other feeds are due (nor an hour).
 */
static void
test_pass_longer_than_interval(void **state)
{
	struct rig r;
	long wait;

	(void)state;
	rig_open(&r, "[feed.q]\nurl = http://example.org/q.xml\n"
	    "interval = 1m\n"
	    "[feed.b]\nurl = http://example.org/b.xml\ninterval = 2h\n");
	pass.ago = 65;		/* the poll began 65 s before the pass ended */
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 1);
	assert_int_equal(wait, 1);
	/* a pass shorter than the interval: the rest of the interval */
	pass.ago = 50;
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 2);
	assert_in_range(wait, 8, 10);
	rig_close(&r);
}

/* min-interval stretches a shorter interval (the hint: see feed_due) */
static void
test_pass_min_interval(void **state)
{
	struct rig r;
	long wait;

	(void)state;
	rig_open(&r, "[feed.m]\nurl = http://example.org/m.xml\n"
	    "interval = 1m\nmin-interval = 15m\n");
	polled(&r, "m", 120);
	wait = daemon_pass(r.cfg, r.st);
	assert_int_equal(pass.calls, 0);
	assert_in_range(wait, 778, 780);
	rig_close(&r);
}

/* a `run` from cron holds the lock: no pass, try again in 30 s */
static void
test_pass_waits_for_a_run(void **state)
{
	struct buf p = BUF_INIT(0);
	struct rig r;
	int fd;

	(void)state;
	rig_open(&r, FEEDS);
	buf_printf(&p, "%s.lock", r.cfg->state);
	assert_int_not_equal(fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600), -1);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(daemon_pass(r.cfg, r.st), 30);
	assert_int_equal(pass.calls, 0);
	close(fd);
	assert_in_range(daemon_pass(r.cfg, r.st), 598, 600);
	assert_int_equal(pass.calls, 1);
	buf_free(&p);
	rig_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_due),
		cmocka_unit_test(test_pass_polls_due_feeds),
		cmocka_unit_test(test_pass_polls_only_due),
		cmocka_unit_test(test_pass_sleeps_at_most_an_hour),
		cmocka_unit_test(test_pass_longer_than_interval),
		cmocka_unit_test(test_pass_min_interval),
		cmocka_unit_test(test_pass_waits_for_a_run),
	};

	log_init(LOG_LVL_ERROR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
