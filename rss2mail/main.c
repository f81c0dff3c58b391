/*
 * main.c - the command line: options, the command table, exit statuses.
 *
 * Only main.c and daemon.c decide to exit.  Exit statuses (sysexits style):
 *   0   every feed was handled
 *   1   some feed failed (one line each on stderr)
 *   2   usage or configuration error
 *   75  temporary failure: the state or mailbox could not be used
 */
#include <sys/file.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "config.h"
#include "daemon.h"
#include "edit.h"
#include "feed.h"
#include "fetch.h"
#include "import.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "opml.h"
#include "run.h"
#include "secret.h"
#include "state.h"
#include "util.h"
#include "fsutil.h"

#define EXIT_FEEDS	1
#define EXIT_USAGE	2
#define EXIT_TEMP	75

struct cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*help;
};

static const char	*opt_config;	/* -c FILE */
static int		 opt_verbose;	/* -v: +1, -q: -1 */

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rss2mail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see rss2mail --help)\n", stderr);
	return EXIT_USAGE;
}

static char *
config_path(void)
{
	return opt_config ? xstrdup(opt_config) : config_default_path();
}

static int
load_config(struct config **cfg)
{
	char err[ERRLEN], *path = config_path();
	int r;

	r = config_load(path, cfg, err, sizeof(err));
	if (r == -1)
		log_error("%s", err);
	free(path);
	return r;
}

static int
open_state(const struct config *cfg, struct state **st)
{
	char err[ERRLEN];

	if (state_open(cfg->state, st, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

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
cmd_run_common(int argc, char **argv, int catchup)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct run_opts o;
	struct run_stats s;
	char err[ERRLEN], fe[ERRLEN];
	int rv = EXIT_USAGE, lockfd = -1, lr, i;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		if (catchup && strcmp(argv[i], "--all") == 0 && argc == 2)
			continue;
		if (argv[i][0] == '-')
			return usage_error("%s: %s %s", argv[0],
			    strcmp(argv[i], "--all") == 0 ? "name feeds or use "
			    "--all alone, not both:" : "unknown option", argv[i]);
	}
	o.names = argv + 1;
	o.nnames = (size_t)(argc - 1);
	if (catchup && o.nnames == 1 && strcmp(argv[1], "--all") == 0)
		o.nnames = 0;
	else if (catchup && o.nnames == 0)
		return usage_error("catchup: name a feed, or --all");
	o.catchup = catchup;
	o.progress = isatty(2) && log_get_level() < LOG_LVL_INFO;
	/* test hooks, documented in tests/integration/rig.py */
	o.boundary_seed = getenv("RSS2MAIL_TEST_BOUNDARY_SEED");
	o.public_addrs = getenv("RSS2MAIL_TEST_PUBLIC_ADDRS");
	if (load_config(&cfg) == -1 || (!catchup && check_secrets(cfg) == -1))
		goto out;
	if ((lr = take_lock(cfg, &lockfd, catchup)) != 0) {
		rv = lr == 1 ? 0 : EXIT_TEMP;
		goto out;
	}
	if (open_state(cfg, &st) == -1) {
		rv = EXIT_TEMP;
		goto out;
	}
	if (fetch_global_init(fe, sizeof(fe)) == -1) {
		log_error("%s", fe);
		rv = EXIT_TEMP;
		goto out;
	}
	switch (run_pass(cfg, st, &o, &s, err, sizeof(err))) {
	case 0:
		rv = 0;
		break;
	case 1:
		/* every failure was the mailbox's: try again later */
		rv = s.mailbox_failed == s.failed ? EXIT_TEMP : EXIT_FEEDS;
		break;
	default:
		log_error("%s", err);
		rv = EXIT_USAGE;
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

static int
cmd_run(int argc, char **argv)
{
	return cmd_run_common(argc, argv, 0);
}

static int
cmd_catchup(int argc, char **argv)
{
	return cmd_run_common(argc, argv, 1);
}

static int
cmd_add(int argc, char **argv)
{
	char err[ERRLEN], *path;
	const char **kv;
	int i, nkv = 0, only_new = 0, rv = 0;

	kv = xcalloc((size_t)argc + 1, sizeof(*kv));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--only-new") == 0)
			only_new = 1;
		else if (i >= 3) {
			if (strchr(argv[i], '=') == NULL) {
				free(kv);
				return usage_error("add: '%s' is not "
				    "KEY=VALUE", argv[i]);
			}
			kv[nkv++] = argv[i];
		}
	}
	if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		free(kv);
		return usage_error("usage: add NAME URL [KEY=VALUE...] "
		    "[--only-new]");
	}
	path = config_path();
	if (config_add_feed(path, argv[1], argv[2], kv, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		rv = EXIT_USAGE;
	} else {
		printf("added feed %s (%s) to %s\n", argv[1], argv[2], path);
		if (only_new) {
			char *cargv[] = { "catchup", argv[1], NULL };

			rv = cmd_run_common(2, cargv, 1);
		}
	}
	free(path);
	free(kv);
	return rv;
}

static int
cmd_edit_key(int argc, char **argv, const char *key, const char *value,
    const char *done)
{
	char err[ERRLEN], *path;
	int rv = 0;

	if (argc != 2)
		return usage_error("usage: %s NAME", argv[0]);
	path = config_path();
	if (config_set_feed_key(path, argv[1], key, value, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		rv = EXIT_USAGE;
	} else
		printf("%s %s\n", done, argv[1]);
	free(path);
	return rv;
}

static int
cmd_pause(int argc, char **argv)
{
	return cmd_edit_key(argc, argv, "paused", "yes", "paused");
}

/* resume also forgets a 410 and any backoff, so the feed is polled next */
static int
cmd_resume(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	char err[ERRLEN];
	int rv;

	if ((rv = cmd_edit_key(argc, argv, "paused", NULL, "resumed")) != 0)
		return rv;
	if (load_config(&cfg) == -1)
		return EXIT_USAGE;
	if (access(cfg->state, F_OK) == 0 &&
	    state_open(cfg->state, &st, err, sizeof(err)) == 0) {
		state_feed_set(st, argv[1], "gone", NULL, 0);
		state_feed_set(st, argv[1], "next_due", NULL, 0);
	}
	state_close(st);
	config_free(cfg);
	return 0;
}

static int
cmd_remove(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	char err[ERRLEN], *path;
	int rv = EXIT_USAGE;

	if (argc != 2)
		return usage_error("usage: remove NAME");
	path = config_path();
	if (config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    config_remove_feed(path, argv[1], err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	/* forget its state too, so a feed added later under this name starts
	 * afresh; a missing state database is no error */
	if (access(cfg->state, F_OK) == 0 &&
	    state_open(cfg->state, &st, err, sizeof(err)) == 0)
		state_feed_forget(st, argv[1]);
	printf("removed feed %s\n", argv[1]);
	rv = 0;
out:
	state_close(st);
	config_free(cfg);
	free(path);
	return rv;
}

static void
fmt_time(time_t t, char *out, size_t n)
{
	struct tm tm;

	if (t == 0) {
		snprintf(out, n, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* When `run` polls the feed next: now, after its backoff, or never. */
static void
fmt_due(const struct config_feed *cf, const struct state_feed *sf, char *out,
    size_t n)
{
	if (cf->paused || sf->gone)
		snprintf(out, n, "-");
	else if (sf->next_due > time(NULL))
		fmt_time(sf->next_due, out, n);
	else
		snprintf(out, n, "next run");
}

static int
cmd_list(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct state_feed sf;
	struct buf j = BUF_INIT(0);
	char last[32], due[32];
	const char *status;
	size_t i;
	int json = 0, rv = EXIT_USAGE;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if (argc != 1)
		return usage_error("usage: list [--json]");
	if (load_config(&cfg) == -1)
		goto out;
	if (open_state(cfg, &st) == -1) {
		rv = EXIT_TEMP;
		goto out;
	}
	if (json)
		buf_puts(&j, "[");
	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];

		state_feed_get(st, cf->name, &sf);
		status = cf->paused ? "paused" : sf.gone ? "gone" :
		    sf.last_error ? "failing" : sf.warning ? "warning" :
		    "active";
		fmt_time(sf.last_success, last, sizeof(last));
		fmt_due(cf, &sf, due, sizeof(due));
		if (json) {
			buf_puts(&j, i ? ",\n {" : "\n {");
			buf_puts(&j, "\"name\": ");
			json_put_cstr(&j, cf->name);
			buf_puts(&j, ", \"url\": ");
			json_put_cstr(&j, sf.url ? sf.url : cf->url);
			buf_puts(&j, ", \"state\": ");
			json_put_cstr(&j, status);
			buf_puts(&j, ", \"last_success\": ");
			json_put_cstr(&j, sf.last_success ? last : NULL);
			buf_puts(&j, ", \"last_error\": ");
			json_put_cstr(&j, sf.last_error);
			buf_puts(&j, ", \"warning\": ");
			json_put_cstr(&j, sf.warning);
			buf_puts(&j, ", \"next_due\": ");
			json_put_cstr(&j, due);
			buf_printf(&j, ", \"delivered\": %ld, \"pending\": "
			    "%ld}", sf.delivered, sf.pending);
		} else {
			printf("%-20s %-8s last ok %-20s next %-20s delivered "
			    "%-6ld%s%s%s%s\n", cf->name, status, last, due,
			    sf.delivered,
			    sf.last_error ? " error: " : "",
			    sf.last_error ? sf.last_error : "",
			    sf.warning && !sf.last_error ? " warning: " : "",
			    sf.warning && !sf.last_error ? sf.warning : "");
		}
		state_feed_clear(&sf);
	}
	if (json) {
		buf_puts(&j, "\n]\n");
		fputs(j.data, stdout);
	}
	rv = 0;
out:
	buf_free(&j);
	state_close(st);
	config_free(cfg);
	return rv;
}

struct parse_ctx {
	const char	*base;
	int		 rv;
};

static void
on_parse_fetched(struct fetch_req *req, void *vctx)
{
	struct parse_ctx *pc = vctx;
	struct feed_parse_opts po;
	struct arena *a = arena_new(LIM_FEED_ARENA);
	struct feed *f = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];

	pc->rv = EXIT_FEEDS;
	if (req->result != FETCH_OK) {
		log_error("%s: %s", req->url, req->result == FETCH_NOT_MODIFIED
		    ? "not modified" : req->result == FETCH_GONE ?
		    "HTTP 410 Gone" : req->err);
		goto out;
	}
	memset(&po, 0, sizeof(po));
	po.base_url = pc->base ? pc->base : req->allow_local ? NULL :
	    req->effective_url ? req->effective_url : req->url;
	po.content_location = req->content_location;
	if (feed_parse(req->body.data ? req->body.data : "", req->body.len,
	    &po, a, &f, err, sizeof(err)) == -1) {
		log_error("%s: %s", req->url, err);
		goto out;
	}
	if (feed_to_json(f, &out) == -1) {
		log_error("%s: output too large", req->url);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	if (out.len && out.data[out.len - 1] != '\n')
		putchar('\n');
	pc->rv = 0;
out:
	buf_free(&out);
	arena_free(a);
}

static int
cmd_parse(int argc, char **argv)
{
	struct fetch_req req;
	struct fetch_opts fo;
	struct parse_ctx pc = { NULL, EXIT_FEEDS };
	char err[ERRLEN];
	const char *src = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			pc.base = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("parse: unknown option %s", argv[i]);
		else if (src == NULL)
			src = argv[i];
		else
			return usage_error("usage: parse URL|FILE [--base URL]");
	}
	if (src == NULL)
		return usage_error("usage: parse URL|FILE [--base URL]");
	if (fetch_global_init(err, sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_TEMP;
	}
	memset(&req, 0, sizeof(req));
	memset(&fo, 0, sizeof(fo));
	req.url = src;
	req.allow_local = strncmp(src, "http://", 7) != 0 &&
	    strncmp(src, "https://", 8) != 0;
	req.allow_private = 1;
	if (fetch_run(&req, 1, &fo, on_parse_fetched, &pc, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		pc.rv = EXIT_TEMP;
	}
	fetch_req_clear(&req);
	fetch_global_cleanup();
	return pc.rv;
}

static int
cmd_daemon(int argc, char **argv)
{
	char *path;
	int i, use_syslog = 0, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			use_syslog = 1;
		else
			return usage_error("usage: daemon [-s]");
	}
	if (use_syslog)
		log_init(log_get_level(), 1);
	path = config_path();
	rv = daemon_main(path);
	free(path);
	return rv;
}

/* Read a whole file, or standard input for "-", at most max bytes. */
static int
read_input(const char *path, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	char chunk[65536];
	size_t n;

	if (strcmp(path, "-") != 0)
		return fs_read_file(path, max, out, err, errlen);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (out->len + n > max || buf_append(out, chunk, n) == -1) {
			errf(err, errlen, "standard input: too large (over %zu "
			    "bytes)", max);
			return -1;
		}
	if (ferror(stdin)) {
		errf(err, errlen, "standard input: read error");
		return -1;
	}
	return 0;
}

/* One line per item of an import: what happened to each feed. */
static void
print_import(const struct config_import *imp)
{
	const struct config_import_item *it;
	size_t i;

	for (i = 0; i < imp->nitems; i++) {
		it = &imp->items[i];
		if (it->status == CONFIG_IMPORT_ADDED)
			printf("added    %-24s %s\n", it->name, it->url);
		else if (it->status == CONFIG_IMPORT_EXISTS)
			printf("exists   %-24s %s\n", it->name ? it->name : "",
			    it->url);
		else
			printf("skipped  %-24s %s: %s\n", it->source_name ?
			    it->source_name : "", it->url, it->reason ?
			    it->reason : "unusable URL");
	}
}

static int
cmd_import_opml(int argc, char **argv)
{
	struct buf in = BUF_INIT(0);
	struct opml *o = NULL;
	struct config_import *imp = NULL;
	char err[ERRLEN], *path = NULL;
	const char *src;
	int rv = EXIT_USAGE;

	if (argc != 2)
		return usage_error("usage: import-opml FILE|-");
	src = strcmp(argv[1], "-") == 0 ? "standard input" : argv[1];
	if (read_input(argv[1], LIM_CONFIG_SIZE, &in, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	if (opml_parse(buf_str(&in), in.len, &o, err, sizeof(err)) == -1) {
		log_error("%s: %s", src, err);
		goto out;
	}
	path = config_path();
	if (config_import_opml(path, o, &imp, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	print_import(imp);
	printf("%zu added, %zu already present, %zu skipped (%s)\n",
	    imp->added, imp->exists, imp->invalid, path);
	if (imp->added)
		printf("tip: `rss2mail catchup --all` records the current "
		    "entries as seen, so the first run sends only new posts\n");
	rv = 0;
out:
	config_import_free(imp);
	opml_free(o);
	buf_free(&in);
	free(path);
	return rv;
}

static int
cmd_export_opml(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];
	int rv = EXIT_USAGE;

	if (argc != 1)
		return usage_error("usage: export-opml");
	if (load_config(&cfg) == -1)
		goto out;
	if (config_export_opml(cfg, &out, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	rv = fflush(stdout) == 0 ? 0 : EXIT_TEMP;
out:
	buf_free(&out);
	config_free(cfg);
	return rv;
}

static int
cmd_check(int argc, char **argv)
{
	char *path;
	int rv;

	if (argc != 1)
		return usage_error("usage: check");
	path = config_path();
	rv = check_main(path);
	free(path);
	return rv;
}

static int
record_seen(void *st, const char *feed, const char *id)
{
	return state_entry_seen(st, feed, id);
}

static int
cmd_import_r2e(int argc, char **argv)
{
	struct buf in = BUF_INIT(0);
	struct config_import *imp = NULL;
	struct config *cfg = NULL;
	struct state *st = NULL;
	char err[ERRLEN], *path;
	size_t recorded;
	int rv = EXIT_USAGE;

	if (argc != 2 && argc != 3)
		return usage_error("usage: import-r2e CONFIG [DATA.json]");
	path = config_path();
	if (config_import_r2e(path, argv[1], &imp, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	print_import(imp);
	printf("%zu added, %zu already present (%s)\n", imp->added,
	    imp->exists, path);
	if (argc == 2) {
		printf("tip: give rss2email's data file too (import-r2e CONFIG "
		    "rss2email.json) so old posts are not sent again\n");
		rv = 0;
		goto out;
	}
	if (fs_read_file(argv[2], LIM_CONFIG_SIZE * 16, &in, err,
	    sizeof(err)) == -1 ||
	    config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
	    state_begin(st, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	if (config_import_r2e_seen(imp, buf_str(&in), in.len, record_seen, st,
	    &recorded, err, sizeof(err)) == -1) {
		state_rollback(st);
		log_error("%s: %s", argv[2], err);
		goto out;
	}
	if (state_commit(st, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	printf("%zu entries rss2email had sent are recorded as seen\n",
	    recorded);
	rv = 0;
out:
	state_close(st);
	config_free(cfg);
	config_import_free(imp);
	buf_free(&in);
	free(path);
	return rv;
}

static int cmd_help(int, char **);

static const struct cmd cmds[] = {
	{ "run", cmd_run, "run [NAME...]",
	    "poll (all or the named) active feeds once, deliver, exit" },
	{ "daemon", cmd_daemon, "daemon [-s]",
	    "poll on a schedule until SIGTERM; SIGHUP reloads the config; "
	    "-s logs to syslog" },
	{ "add", cmd_add, "add NAME URL [KEY=VALUE...] [--only-new]",
	    "add a feed section to the config file" },
	{ "remove", cmd_remove, "remove NAME",
	    "remove a feed from the config file and forget its state" },
	{ "pause", cmd_pause, "pause NAME", "stop polling a feed" },
	{ "resume", cmd_resume, "resume NAME", "poll a paused feed again" },
	{ "catchup", cmd_catchup, "catchup NAME...|--all",
	    "record current entries as seen without delivering them" },
	{ "list", cmd_list, "list [--json]",
	    "feeds with status: last poll, last error, entries delivered" },
	{ "import-opml", cmd_import_opml, "import-opml FILE|-",
	    "add every outline with an xmlUrl (categories -> category)" },
	{ "export-opml", cmd_export_opml, "export-opml",
	    "OPML 2.0 of the configured feeds on stdout" },
	{ "import-r2e", cmd_import_r2e, "import-r2e CONFIG [DATA.json]",
	    "take over an rss2email config and its seen entries" },
	{ "check", cmd_check, "check",
	    "validate the config, log in to the mailbox, fetch each feed" },
	{ "parse", cmd_parse, "parse URL|FILE [--base URL]",
	    "print the parsed feed as JSON (for debugging a feed)" },
	{ "help", cmd_help, "help [COMMAND]", "this text" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
print_usage(FILE *f)
{
	size_t i;

	fputs("usage: rss2mail [-c FILE] [-v|-q] COMMAND [ARGS]\n\n"
	    "rss2mail polls RSS, Atom and JSON feeds and puts one mail per new "
	    "post\ninto an IMAP mailbox or a local Maildir.\n\ncommands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-42s %s\n", cmds[i].usage, cmds[i].help);
	fputs("\noptions:\n"
	    "  -c FILE      config file (default $RSS2MAIL_CONFIG, else\n"
	    "               $XDG_CONFIG_HOME/rss2mail/config.ini)\n"
	    "  -v, -q       more or less output\n"
	    "  --version    print the version\n\n"
	    "exit status: 0 ok, 1 some feed failed, 2 usage or config error,\n"
	    "75 temporary failure (state or mailbox unusable)\n", f);
}

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	if (argc > 1)
		for (i = 0; i < NCMDS; i++)
			if (strcmp(argv[1], cmds[i].name) == 0) {
				printf("usage: rss2mail %s\n%s\n",
				    cmds[i].usage, cmds[i].help);
				return 0;
			}
	print_usage(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct cmd *c = NULL;
	size_t i;
	int ch, lvl;

	while ((ch = getopt(argc, argv, "+c:vqhV-:")) != -1) {
		switch (ch) {
		case 'c':
			opt_config = optarg;
			break;
		case 'v':
			opt_verbose++;
			break;
		case 'q':
			opt_verbose--;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			printf("rss2mail %s\n", RSS2MAIL_VERSION);
			return 0;
		case '-':
			if (strcmp(optarg, "help") == 0) {
				print_usage(stdout);
				return 0;
			}
			if (strcmp(optarg, "version") == 0) {
				printf("rss2mail %s\n", RSS2MAIL_VERSION);
				return 0;
			}
			return usage_error("unknown option --%s", optarg);
		default:
			return usage_error("bad option");
		}
	}
	/* a peer that closes a connection must be an error on that
	 * connection (EPIPE), never the death of the whole process */
	signal(SIGPIPE, SIG_IGN);
	lvl = LOG_LVL_WARN + opt_verbose;
	log_init(lvl < LOG_LVL_ERROR ? LOG_LVL_ERROR : lvl > LOG_LVL_DEBUG ?
	    LOG_LVL_DEBUG : (enum log_level)lvl, 0);
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			c = &cmds[i];
	if (c == NULL)
		return usage_error("unknown command '%s'", argv[optind]);
	if (argc - optind >= 2 && (strcmp(argv[optind + 1], "--help") == 0 ||
	    strcmp(argv[optind + 1], "-h") == 0)) {
		printf("usage: rss2mail %s\n%s\n", c->usage, c->help);
		return 0;
	}
	return c->fn(argc - optind, argv + optind);
}
