/*
 * cmd_feeds.c - the commands that change or show the feed list: add,
 * remove, pause, resume, list, import-opml, export-opml and import-r2e.
 *
 * The config file is changed through config/edit.h and config/import.h
 * (locked, validated, atomic).  add and import-opml look at a web
 * address first (probe.h): a site's page leads to its feed, which is what
 * gets recorded.  These commands add what touches the state
 * (remove and resume forget a feed's health, import-r2e records the
 * entries rss2email had sent) and print one line per feed.  Each returns
 * an exit status of cmd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "edit.h"
#include "fetch.h"
#include "import.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "opml.h"
#include "probe.h"
#include "state.h"
#include "util.h"
#include "fsutil.h"

#define ADD_USAGE	"usage: add NAME URL [KEY=VALUE...] [--only-new] " \
			"[--to ADDR]"

/*
 * Without a config file, `add --to ADDR` first writes the one `init --to
 * ADDR` would (a Maildir under the XDG data directory); with one, --to is
 * the feed's own `to`.  0, or an exit status.
 */
static int
add_first_config(const char *path, const char *to, int *wrote)
{
	struct config_new n;
	char *md;
	int rv;

	*wrote = 0;
	if (access(path, F_OK) == 0 || errno != ENOENT)
		return 0;
	if (to == NULL)
		return cmd_config_missing(path) ? CMD_EXIT_USAGE : 0;
	memset(&n, 0, sizeof(n));
	n.to = to;
	n.deliver = "maildir";
	n.where = md = cmd_init_default_maildir();
	if ((rv = cmd_init_write(path, &n, 0)) == 0) {
		printf("wrote a first config %s (mail to %s in the Maildir "
		    "%s; `rss2mail init --force` asks for more)\n", path, to,
		    md);
		*wrote = 1;
	}
	free(md);
	return rv;
}

/* Does kv set key? */
static int
kv_has(const char *const *kv, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; kv[i]; i++)
		if (strncmp(kv[i], key, n) == 0 && (kv[i][n] == '=' ||
		    kv[i][n] == ' '))
			return 1;
	return 0;
}

static int
is_web_url(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/*
 * The feed behind the address the user gave to `add`: the address itself
 * when it serves a feed (or cannot be reached now: it is added as given,
 * with a warning, so adding works offline), else the feed its page leads
 * to (*found, malloc'd, with the page in *page).  0, or -1 when the
 * address serves something that is neither a feed nor a page leading to
 * one (logged, naming what was tried).
 */
static int
add_probe(const char *path, const char *name, const char *url, char **found,
    char **page)
{
	struct config *cfg = NULL;
	struct probe pb;
	char err[2048];
	size_t i;
	int r = 0;

	*found = *page = NULL;
	memset(&pb, 0, sizeof(pb));
	/* a bad or taken name, a config that does not load: config_add_feed
	 * says so, without a fetch first */
	if (!is_web_url(url) || !config_valid_name(name) ||
	    config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    config_find_feed(cfg, name) != NULL)
		goto out;
	if (fetch_global_init(err, sizeof(err)) == -1) {
		log_warn("%s; %s is added unchecked", err, url);
		goto out;
	}
	if (cmd_probe(cfg, url, 0, 0, &pb, err, sizeof(err)) == -1) {
		if (pb.reached) {
			log_error("add %s: %s", name, err);
			r = -1;
		} else
			log_warn("%s; added as given", err);
	} else if (pb.page != NULL) {
		printf("%s is a web page; its feed: %s\n", url, pb.url);
		for (i = 0; i < pb.nothers; i++)
			printf("  it also links %s\n", pb.others[i]);
		*found = xstrdup(pb.url);
		*page = xstrdup(pb.page);
	}
	fetch_global_cleanup();
out:
	probe_free(&pb);
	config_free(cfg);
	return r;
}

int
cmd_add(int argc, char **argv)
{
	char err[ERRLEN], *path = NULL;
	const char **kv, *name = NULL, *url = NULL, *to = NULL;
	struct buf tokv = BUF_INIT(0), html = BUF_INIT(0);
	char *found = NULL, *page = NULL;
	int i, nkv = 0, only_new = 0, wrote, rv = CMD_EXIT_USAGE;

	kv = xcalloc((size_t)argc + 2, sizeof(*kv));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--only-new") == 0)
			only_new = 1;
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strncmp(argv[i], "--to=", 5) == 0)
			to = argv[i] + 5;
		else if (argv[i][0] == '-') {
			rv = cmd_usage_error(ADD_USAGE);
			goto out;
		} else if (name == NULL)
			name = argv[i];
		else if (url == NULL)
			url = argv[i];
		else if (strchr(argv[i], '=') == NULL) {
			rv = cmd_usage_error("add: '%s' is not KEY=VALUE",
			    argv[i]);
			goto out;
		} else
			kv[nkv++] = argv[i];
	}
	if (url == NULL || (to != NULL && *to == '\0')) {
		rv = cmd_usage_error(ADD_USAGE);
		goto out;
	}
	path = cmd_config_path();
	if ((rv = add_first_config(path, to, &wrote)) != 0)
		goto out;
	if (to && !wrote) {
		buf_printf(&tokv, "to=%s", to);
		kv[nkv++] = tokv.data;
	}
	rv = CMD_EXIT_USAGE;
	if (add_probe(path, name, url, &found, &page) == -1)
		goto out;
	if (found) {
		url = found;
		/* the site's address stays known (export-opml's htmlUrl) */
		if (!kv_has(kv, "html-url")) {
			buf_printf(&html, "html-url=%s", page);
			kv[nkv++] = html.data;
		}
	}
	if (config_add_feed(path, name, url, kv, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	printf("added feed %s (%s) to %s\n", name, url, path);
	rv = 0;
	if (only_new) {
		char *cargv[] = { "catchup", (char *)name, NULL };

		rv = cmd_catchup(2, cargv);
	}
out:
	buf_free(&tokv);
	buf_free(&html);
	free(found);
	free(page);
	free(path);
	free(kv);
	return rv;
}

/*
 * The state, when there is one: remove and resume forget a feed's health
 * in it, and a missing (or unusable) state database is no error there.
 * NULL when there is none.
 */
static struct state *
state_if_any(const struct config *cfg)
{
	struct state *st = NULL;
	char err[ERRLEN];

	if (access(cfg->state, F_OK) == -1 ||
	    state_open(cfg->state, &st, err, sizeof(err)) == -1)
		return NULL;
	return st;
}

static int
feed_key_edit(int argc, char **argv, const char *key, const char *value,
    const char *done)
{
	char err[ERRLEN], *path;
	int rv = 0;

	if (argc != 2)
		return cmd_usage_error("usage: %s NAME", argv[0]);
	path = cmd_config_path();
	if (config_set_feed_key(path, argv[1], key, value, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		rv = CMD_EXIT_USAGE;
	} else
		printf("%s %s\n", done, argv[1]);
	free(path);
	return rv;
}

int
cmd_pause(int argc, char **argv)
{
	return feed_key_edit(argc, argv, "paused", "yes", "paused");
}

/* resume also forgets a 410 and any backoff, so the feed is polled next */
int
cmd_resume(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st;
	int rv;

	if ((rv = feed_key_edit(argc, argv, "paused", NULL, "resumed")) != 0)
		return rv;
	if (cmd_load_config(&cfg) == -1)
		return CMD_EXIT_USAGE;
	if ((st = state_if_any(cfg)) != NULL &&
	    state_feed_resume(st, argv[1]) == -1) {
		log_error("feed %s: state: cannot forget its 410 and backoff",
		    argv[1]);
		rv = CMD_EXIT_TEMP;
	}
	state_close(st);
	config_free(cfg);
	return rv;
}

/*
 * retry NAME: the feed's entries a server refused for good (SMTP 5xx) are
 * forgotten, so the next run composes and sends them again while the feed
 * still lists them.
 */
int
cmd_retry(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	long n = 0;
	int rv = CMD_EXIT_USAGE;

	if (argc != 2)
		return cmd_usage_error("usage: retry NAME");
	if (cmd_load_config(&cfg) == -1)
		goto out;
	if (config_find_feed(cfg, argv[1]) == NULL) {
		log_error("no feed named %s", argv[1]);
		goto out;
	}
	if (cmd_open_state(cfg, &st) == -1) {
		rv = CMD_EXIT_TEMP;
		goto out;
	}
	if (state_entry_retry(st, argv[1], &n) == -1) {
		log_error("feed %s: state: cannot put its failed entries back",
		    argv[1]);
		rv = CMD_EXIT_TEMP;
		goto out;
	}
	printf("feed %s: %ld failed entr%s put back for the next run\n",
	    argv[1], n, n == 1 ? "y" : "ies");
	rv = 0;
out:
	state_close(st);
	config_free(cfg);
	return rv;
}

int
cmd_remove(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	char err[ERRLEN], *path;
	int rv = CMD_EXIT_USAGE;

	if (argc != 2)
		return cmd_usage_error("usage: remove NAME");
	path = cmd_config_path();
	if (config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    config_remove_feed(path, argv[1], err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	/* forget its state too, so a feed added later under this name starts
	 * afresh */
	if ((st = state_if_any(cfg)) != NULL)
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

int
cmd_list(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct state_feed sf;
	struct buf j = BUF_INIT(0);
	char last[32], due[32];
	const char *status;
	size_t i;
	int json = 0, rv = CMD_EXIT_USAGE;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if (argc != 1)
		return cmd_usage_error("usage: list [--json]");
	if (cmd_load_config(&cfg) == -1)
		goto out;
	if (cmd_open_state(cfg, &st) == -1) {
		rv = CMD_EXIT_TEMP;
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
			    "%ld, \"filtered\": %ld, \"duplicates\": %ld, "
			    "\"failed\": %ld, \"failed_error\": ",
			    sf.delivered, sf.pending, sf.filtered,
			    sf.duplicates, sf.failed);
			json_put_cstr(&j, sf.failed_error);
			buf_puts(&j, "}");
		} else {
			printf("%-20s %-8s last ok %-20s next %-20s delivered "
			    "%-6ld filtered %-6ld%s%s%s%s\n", cf->name,
			    status, last, due, sf.delivered,
			    sf.filtered + sf.duplicates,
			    sf.last_error ? " error: " : "",
			    sf.last_error ? sf.last_error : "",
			    sf.warning && !sf.last_error ? " warning: " : "",
			    sf.warning && !sf.last_error ? sf.warning : "");
			/* refused for good: until `retry` */
			if (sf.failed > 0)
				printf("%-20s failed   %ld entr%s refused: %s\n",
				    cf->name, sf.failed, sf.failed == 1 ?
				    "y" : "ies", sf.failed_error ?
				    sf.failed_error : "");
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

/*
 * The feeds of the OPML outlines that name only a site (htmlUrl): each
 * site probed (probe.h) and, when its feed is found, added to all (which
 * holds o's feeds first; the new xml_urls are malloc'd, the rest
 * borrowed from o).  Sites without a feed get a "skipped" line; *failed
 * counts them.
 */
static void
import_sites(const char *path, const struct opml *o, struct opml *all,
    size_t *failed)
{
	struct config *cfg = NULL;
	struct probe pb;
	const struct opml_feed *site;
	char err[2048];
	size_t i;

	memset(all, 0, sizeof(*all));
	all->feeds = xcalloc(o->nfeeds + o->nsites + 1, sizeof(*all->feeds));
	if (o->nfeeds)
		memcpy(all->feeds, o->feeds, o->nfeeds * sizeof(*o->feeds));
	all->nfeeds = o->nfeeds;
	*failed = 0;
	if (o->nsites == 0)
		return;
	if (config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    fetch_global_init(err, sizeof(err)) == -1) {
		/* the import itself will say what is wrong with the config */
		config_free(cfg);
		return;
	}
	for (i = 0; i < o->nsites; i++) {
		site = &o->sites[i];
		memset(&pb, 0, sizeof(pb));
		if (!is_web_url(site->html_url))
			snprintf(err, sizeof(err), "not an http:// or https:// "
			    "URL");
		else if (cmd_probe(cfg, site->html_url, 0, 0, &pb, err,
		    sizeof(err)) == 0) {
			all->feeds[all->nfeeds] = *site;
			all->feeds[all->nfeeds++].xml_url = xstrdup(pb.url);
			printf("found    %-24s %s -> %s\n", site->title ?
			    site->title : "", site->html_url, pb.url);
			probe_free(&pb);
			continue;
		}
		printf("skipped  %-24s %s: %s\n", site->title ? site->title :
		    "", site->html_url, err);
		(*failed)++;
		probe_free(&pb);
	}
	fetch_global_cleanup();
	config_free(cfg);
}

int
cmd_import_opml(int argc, char **argv)
{
	struct buf in = BUF_INIT(0);
	struct opml *o = NULL, all;
	struct config_import *imp = NULL;
	char err[ERRLEN], *path = NULL;
	const char *src;
	size_t i, nosite = 0;
	int rv = CMD_EXIT_USAGE;

	memset(&all, 0, sizeof(all));
	if (argc != 2)
		return cmd_usage_error("usage: import-opml FILE|-");
	src = strcmp(argv[1], "-") == 0 ? "standard input" : argv[1];
	if (read_input(argv[1], LIM_CONFIG_SIZE, &in, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	if (opml_parse(buf_str(&in), in.len, &o, err, sizeof(err)) == -1) {
		log_error("%s: %s", src, err);
		goto out;
	}
	path = cmd_config_path();
	if (cmd_config_missing(path))
		goto out;
	import_sites(path, o, &all, &nosite);
	if (config_import_opml(path, &all, &imp, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	print_import(imp);
	printf("%zu added, %zu already present, %zu skipped (%s)\n",
	    imp->added, imp->exists, imp->invalid + nosite, path);
	if (imp->added)
		printf("tip: `rss2mail catchup --all` records the current "
		    "entries as seen, so the first run sends only new posts\n");
	rv = 0;
out:
	for (i = o ? o->nfeeds : 0; i < all.nfeeds; i++)
		free(all.feeds[i].xml_url);
	free(all.feeds);
	config_import_free(imp);
	opml_free(o);
	buf_free(&in);
	free(path);
	return rv;
}

int
cmd_export_opml(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct buf out = BUF_INIT(0);
	char err[ERRLEN];
	int rv = CMD_EXIT_USAGE;

	if (argc != 1)
		return cmd_usage_error("usage: export-opml");
	if (cmd_load_config(&cfg) == -1)
		goto out;
	if (config_export_opml(cfg, &out, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	rv = fflush(stdout) == 0 ? 0 : CMD_EXIT_TEMP;
out:
	buf_free(&out);
	config_free(cfg);
	return rv;
}

static int
record_seen(void *st, const char *feed, const char *id)
{
	return state_entry_seen(st, feed, id);
}

int
cmd_import_r2e(int argc, char **argv)
{
	struct buf in = BUF_INIT(0);
	struct config_import *imp = NULL;
	struct config *cfg = NULL;
	struct state *st = NULL;
	char err[ERRLEN], *path;
	size_t recorded;
	int rv = CMD_EXIT_USAGE;

	if (argc != 2 && argc != 3)
		return cmd_usage_error("usage: import-r2e CONFIG [DATA.json]");
	path = cmd_config_path();
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
