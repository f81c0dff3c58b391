/*
 * cmd.c - what the commands share (see cmd.h): the config path of -c,
 * loading the config and opening the state with the error logged, and
 * the usage error line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "fetch.h"
#include "limits.h"
#include "log.h"
#include "plan.h"
#include "probe.h"
#include "state.h"
#include "util.h"

static const char	*config_path_opt;	/* -c FILE */

void
cmd_set_config_path(const char *path)
{
	config_path_opt = path;
}

char *
cmd_config_path(void)
{
	return config_path_opt ? xstrdup(config_path_opt) :
	    config_default_path();
}

int
cmd_load_config(struct config **cfg)
{
	char err[ERRLEN], *path = cmd_config_path();
	int r;

	r = config_load(path, cfg, err, sizeof(err));
	if (r == -1)
		log_error("%s", err);
	free(path);
	return r;
}

int
cmd_open_state(const struct config *cfg, struct state **st)
{
	char err[ERRLEN];

	if (state_open(cfg->state, st, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int
cmd_config_missing(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 || errno != ENOENT)
		return 0;
	log_error("no config file %s yet: run `rss2mail init` first", path);
	return 1;
}

int
cmd_probe(const struct config *cfg, const char *url, int allow_local,
    int allow_private, struct probe *out, char *err, size_t errlen)
{
	const struct config_settings *s = cfg ? &cfg->global : NULL;
	struct probe_req pr;
	struct fetch_opts fo;

	memset(&pr, 0, sizeof(pr));
	memset(&fo, 0, sizeof(fo));
	pr.url = url;
	pr.allow_local = allow_local;
	pr.allow_private = allow_private || (s && s->allow_private);
	pr.fo = &fo;
	if (s) {
		pr.user_agent = s->user_agent;
		pr.max_size = s->max_feed_size > 0 ?
		    (size_t)s->max_feed_size : 0;
		pr.timeout = (long)s->timeout;
		pr.connect_timeout = (long)s->connect_timeout;
		plan_fetch_opts(cfg, &fo);	/* as a pass's: proxy, limits */
	}
	/* test hook, documented in tests/integration/rig.py */
	fo.public_addrs = getenv("RSS2MAIL_TEST_PUBLIC_ADDRS");
	return probe_url(&pr, out, err, errlen);
}

int
cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rss2mail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see rss2mail --help)\n", stderr);
	return CMD_EXIT_USAGE;
}
