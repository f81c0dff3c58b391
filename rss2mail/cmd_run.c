/*
 * cmd_run.c - the commands that poll feeds: run, catchup (a pass that
 * records entries as seen and delivers nothing), daemon, check and parse.
 *
 * run and catchup take the one-run-at-a-time lock and call run_pass;
 * daemon is daemon_main's; check is check_main's (check.c holds its
 * logic); parse fetches one URL or file (a web page's address leads to
 * its feed: probe.h) and prints feed_to_json.  Each returns an exit
 * status of cmd.h.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "feed.h"
#include "fetch.h"
#include "limits.h"
#include "log.h"
#include "probe.h"
#include "run.h"
#include "secret.h"
#include "state.h"
#include "subscribe_pass.h"
#include "util.h"
#include "fsutil.h"

/*
 * One run at a time: a non-blocking flock on STATE.lock.  A second run
 * exits at once with status 0 and a note; it never waits, never duplicates.
 */
static int
take_lock(const struct config *cfg, int *fd, int wait)
{
	struct buf p = BUF_INIT(0);
	char err[ERRLEN];
	int r = -1;

	buf_printf(&p, "%s.lock", cfg->state);
	if (fs_mkdirs(p.data, 0, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	if ((*fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_error("lock %s: %s", p.data, strerror(errno));
		goto out;
	}
	/* catchup waits: it must not be skipped, and it is run by hand */
	if (flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == -1) {
		if (errno == EWOULDBLOCK) {
			log_warn("another run holds %s; nothing to do",
			    p.data);
			r = 1;
		} else
			log_error("lock %s: %s", p.data, strerror(errno));
		close(*fd);
		*fd = -1;
		goto out;
	}
	r = 0;
out:
	buf_free(&p);
	return r;
}

/*
 * A secret that others can read is a configuration error, found before
 * anything runs: one line naming the file, exit 2 (not one line per feed
 * when the mailbox is opened).
 */
static int
check_secrets(const struct config *cfg)
{
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_settings *s = &cfg->feeds[i].s;

		if (cfg->feeds[i].paused || s->deliver != CONFIG_DELIVER_IMAP ||
		    s->password_command)
			continue;
		if (secret_check_modes(s->password, s->password_file,
		    cfg->path, err, sizeof(err)) == -1) {
			log_error("%s", err);
			return -1;
		}
	}
	return 0;
}

static int
run_or_catchup(int argc, char **argv, int catchup)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct run_opts o;
	struct run_stats s;
	char err[ERRLEN], fe[ERRLEN];
	int rv = CMD_EXIT_USAGE, lockfd = -1, lr, i;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		if (catchup && strcmp(argv[i], "--all") == 0 && argc == 2)
			continue;
		if (argv[i][0] == '-')
			return cmd_usage_error("%s: %s %s", argv[0],
			    strcmp(argv[i], "--all") == 0 ? "name feeds or use "
			    "--all alone, not both:" : "unknown option", argv[i]);
	}
	o.names = argv + 1;
	o.nnames = (size_t)(argc - 1);
	if (catchup && o.nnames == 1 && strcmp(argv[1], "--all") == 0)
		o.nnames = 0;
	else if (catchup && o.nnames == 0)
		return cmd_usage_error("catchup: name a feed, or --all");
	o.catchup = catchup;
	o.progress = isatty(2) && log_get_level() < LOG_LVL_INFO;
	/* test hooks, documented in tests/integration/rig.py */
	o.boundary_seed = getenv("RSS2MAIL_TEST_BOUNDARY_SEED");
	o.public_addrs = getenv("RSS2MAIL_TEST_PUBLIC_ADDRS");
	if (cmd_load_config(&cfg) == -1 || (!catchup && check_secrets(cfg) == -1))
		goto out;
	if ((lr = take_lock(cfg, &lockfd, catchup)) != 0) {
		rv = lr == 1 ? 0 : CMD_EXIT_TEMP;
		goto out;
	}
	if (cmd_open_state(cfg, &st) == -1) {
		rv = CMD_EXIT_TEMP;
		goto out;
	}
	if (fetch_global_init(fe, sizeof(fe)) == -1) {
		log_error("%s", fe);
		rv = CMD_EXIT_TEMP;
		goto out;
	}
	if (!catchup)	/* the pass then runs on the edited config */
		subscribe_requests(&cfg, st, o.public_addrs);
	switch (run_pass(cfg, st, &o, &s, err, sizeof(err))) {
	case 0:
		rv = 0;
		break;
	case 1:
		/* every failure was the mailbox's: try again later */
		rv = s.mailbox_failed == s.failed ? CMD_EXIT_TEMP : CMD_EXIT_FEEDS;
		break;
	default:
		log_error("%s", err);
		rv = CMD_EXIT_USAGE;
		goto out;
	}
	log_info("%zu feeds, %zu unchanged, %zu new entries, %zu delivered, "
	    "%zu recovered, %zu failed", s.feeds, s.not_modified,
	    s.new_entries, s.delivered, s.recovered, s.failed);
	fetch_global_cleanup();
out:
	state_close(st);
	if (lockfd != -1)
		close(lockfd);
	config_free(cfg);
	return rv;
}

int
cmd_run(int argc, char **argv)
{
	return run_or_catchup(argc, argv, 0);
}

/*
 * catchup --refilter [NAME...]: forget the entries filters left out (of
 * the named feeds, or all), so the next pass evaluates them again under
 * the current include, exclude and max-age.  Duplicates stay recorded.
 */
static int
refilter(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	int rv = CMD_EXIT_USAGE, i;

	for (i = 2; i < argc; i++)
		if (argv[i][0] == '-')
			return cmd_usage_error("catchup: unknown option %s",
			    argv[i]);
	if (cmd_load_config(&cfg) == -1)
		goto out;
	for (i = 2; i < argc; i++)
		if (config_find_feed(cfg, argv[i]) == NULL) {
			log_error("no feed '%s' in %s", argv[i], cfg->path);
			goto out;
		}
	rv = CMD_EXIT_TEMP;
	if (cmd_open_state(cfg, &st) == -1)
		goto out;
	for (i = 2; i < argc || (argc == 2 && i == 2); i++)
		if (state_entry_refilter(st, argc == 2 ? NULL : argv[i]) ==
		    -1) {
			log_error("state: cannot forget filtered entries");
			goto out;
		}
	rv = 0;
out:
	state_close(st);
	config_free(cfg);
	return rv;
}

int
cmd_catchup(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--refilter") == 0)
		return refilter(argc, argv);
	return run_or_catchup(argc, argv, 1);
}

/* Print the feed in pb as JSON; base: --base, else its URL (none for a
 * local file). */
static int
parse_print(const struct probe *pb, const char *base, int local)
{
	struct feed_parse_opts po;
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];
	int rv = CMD_EXIT_FEEDS;

	memset(&po, 0, sizeof(po));
	po.base_url = base ? base : local ? NULL : pb->effective_url;
	po.content_location = pb->content_location;
	if (feed_parse(buf_str(&pb->body), pb->body.len, &po, a, &f, err,
	    sizeof(err)) == -1) {
		log_error("%s: %s", pb->url, err);
		goto out;
	}
	if (feed_to_json(f, &out) == -1) {
		log_error("%s: output too large", pb->url);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	if (out.len && out.data[out.len - 1] != '\n')
		putchar('\n');
	rv = 0;
out:
	buf_free(&out);
	arena_free(a);
	return rv;
}

/*
 * parse URL|FILE: the feed as JSON.  A web page's address finds its feed
 * (probe.h); the feed's URL goes to stderr, the JSON to stdout.
 */
int
cmd_parse(int argc, char **argv)
{
	struct probe pb;
	char err[2048];
	const char *src = NULL, *base = NULL;
	int i, local, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cmd_usage_error("parse: unknown option %s", argv[i]);
		else if (src == NULL)
			src = argv[i];
		else
			return cmd_usage_error("usage: parse URL|FILE [--base URL]");
	}
	if (src == NULL)
		return cmd_usage_error("usage: parse URL|FILE [--base URL]");
	if (fetch_global_init(err, sizeof(err)) == -1) {
		log_error("%s", err);
		return CMD_EXIT_TEMP;
	}
	local = strncmp(src, "http://", 7) != 0 &&
	    strncmp(src, "https://", 8) != 0;
	memset(&pb, 0, sizeof(pb));
	if (cmd_probe(NULL, src, local, 1, &pb, err, sizeof(err)) == -1) {
		log_error("%s", err);
		rv = CMD_EXIT_FEEDS;
	} else {
		if (pb.page)
			log_warn("%s is a web page; its feed: %s", src, pb.url);
		rv = parse_print(&pb, base, local);
	}
	probe_free(&pb);
	fetch_global_cleanup();
	return rv;
}

int
cmd_daemon(int argc, char **argv)
{
	char *path;
	int i, use_syslog = 0, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			use_syslog = 1;
		else
			return cmd_usage_error("usage: daemon [-s]");
	}
	if (use_syslog)
		log_init(log_get_level(), 1);
	path = cmd_config_path();
	rv = daemon_main(path);
	free(path);
	return rv;
}

int
cmd_check(int argc, char **argv)
{
	char *path;
	int rv;

	if (argc != 1)
		return cmd_usage_error("usage: check");
	path = cmd_config_path();
	rv = check_main(path);
	free(path);
	return rv;
}
