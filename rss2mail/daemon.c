/*
 * daemon.c - the polling loop (see daemon.h).
 *
 * The termination signals stay blocked all the time and are taken with
 * sigtimedwait between passes: a pass is never interrupted half-way, and
 * the sleep until the next feed is due ends at once on a signal.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "fetch.h"
#include "limits.h"
#include "log.h"
#include "run.h"
#include "state.h"
#include "subscribe_pass.h"
#include "util.h"

#define DAEMON_MAX_SLEEP	3600
#define DAEMON_SUBSCRIBE_SLEEP	300	/* with subscribe-folder: read it
					   at least this often */

/* When the feed is next due. */
static time_t
feed_due(const struct config_feed *cf, const struct state_feed *sf)
{
	long long iv = cf->s.interval > 0 ? cf->s.interval : 3600;
	time_t due;

	if (sf->hint > iv)
		iv = sf->hint;
	if (cf->s.min_interval > iv)
		iv = cf->s.min_interval;
	due = sf->last_poll ? sf->last_poll + (time_t)iv : 0;
	if (sf->next_due > due)
		due = sf->next_due;
	return due;
}

static int
daemon_lock(const struct config *cfg)
{
	struct buf p = BUF_INIT(0);
	int fd;

	buf_printf(&p, "%s.lock", cfg->state);
	fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd != -1 && flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		fd = -1;
	}
	buf_free(&p);
	return fd;
}

/* One pass over the due feeds; returns seconds until the next is due. */
static long
daemon_pass(const struct config *cfg, struct state *st)
{
	struct state_feed sf;
	struct run_opts o;
	struct run_stats s;
	char **names, err[ERRLEN];
	time_t now = time(NULL), next = now + DAEMON_MAX_SLEEP, due;
	size_t i, n = 0;
	int lockfd;

	names = xcalloc(cfg->nfeeds + 1, sizeof(*names));
	for (i = 0; i < cfg->nfeeds; i++) {
		const struct config_feed *cf = &cfg->feeds[i];

		if (cf->paused)
			continue;
		if (state_feed_get(st, cf->name, &sf) == -1)
			continue;
		if (!sf.gone) {
			due = feed_due(cf, &sf);
			if (due <= now)
				names[n++] = cf->name;
			else if (due < next)
				next = due;
		}
		state_feed_clear(&sf);
	}
	if (n > 0) {
		if ((lockfd = daemon_lock(cfg)) == -1) {
			/* a `run` from cron holds the lock: try again soon */
			log_info("daemon: another run is in progress");
			free(names);
			return 30;
		}
		memset(&o, 0, sizeof(o));
		o.names = names;
		o.nnames = n;
		if (run_pass(cfg, st, &o, &s, err, sizeof(err)) == -1)
			log_error("%s", err);
		else
			log_info("daemon: %zu feeds, %zu delivered, %zu failed",
			    s.feeds, s.delivered, s.failed);
		close(lockfd);
		/* the polled feeds are due again one interval after this
		 * poll; a pass that took longer than that leaves them due at
		 * once (the return below waits at least a second), never an
		 * hour */
		for (i = 0; i < n; i++) {
			const struct config_feed *cf =
			    config_find_feed(cfg, names[i]);

			if (cf && state_feed_get(st, cf->name, &sf) == 0) {
				due = feed_due(cf, &sf);
				if (due < next)
					next = due;
				state_feed_clear(&sf);
			}
		}
	}
	free(names);
	now = time(NULL);
	return next > now ? (long)(next - now) : 1;
}

/* The Subscribe folder's requests, under the run lock; *cfg is loaded
 * again when they changed it, so new feeds are due at once. */
static void
daemon_requests(struct config **cfg, struct state *st)
{
	int lockfd;

	if ((*cfg)->subscribe_folder == NULL)
		return;
	if ((lockfd = daemon_lock(*cfg)) == -1) {
		log_info("daemon: another run is in progress");
		return;
	}
	/* test hook, documented in tests/integration/rig.py */
	subscribe_requests(cfg, st, getenv("RSS2MAIL_TEST_PUBLIC_ADDRS"));
	close(lockfd);
}

int
daemon_main(const char *config_path)
{
	struct config *cfg = NULL, *ncfg;
	struct state *st = NULL;
	struct timespec ts;
	sigset_t set;
	char err[ERRLEN];
	long wait;
	int sig, rv = 2;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		log_error("daemon: sigprocmask: %s", strerror(errno));
		return 75;
	}
	if (config_load(config_path, &cfg, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return 2;
	}
	if (state_open(cfg->state, &st, err, sizeof(err)) == -1 ||
	    fetch_global_init(err, sizeof(err)) == -1) {
		log_error("%s", err);
		rv = 75;
		goto out;
	}
	log_info("daemon: started with %zu feeds from %s", cfg->nfeeds,
	    config_path);
	for (;;) {
		daemon_requests(&cfg, st);
		wait = daemon_pass(cfg, st);
		if (cfg->subscribe_folder != NULL &&
		    wait > DAEMON_SUBSCRIBE_SLEEP)
			wait = DAEMON_SUBSCRIBE_SLEEP;
		ts.tv_sec = wait;
		ts.tv_nsec = 0;
		log_debug("daemon: sleeping %lds", wait);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == -1)
			continue;	/* EAGAIN: time for the next pass */
		if (sig == SIGHUP) {
			if (config_load(config_path, &ncfg, err,
			    sizeof(err)) == -1) {
				log_error("daemon: reload failed, keeping the "
				    "old config: %s", err);
				continue;
			}
			if (strcmp(ncfg->state, cfg->state) != 0) {
				struct state *nst;

				if (state_open(ncfg->state, &nst, err,
				    sizeof(err)) == -1) {
					log_error("daemon: reload failed, keeping "
					    "the old config: %s", err);
					config_free(ncfg);
					continue;
				}
				state_close(st);
				st = nst;
			}
			config_free(cfg);
			cfg = ncfg;
			log_warn("daemon: reloaded %s (%zu feeds)", config_path,
			    cfg->nfeeds);
			continue;
		}
		log_warn("daemon: %s, exiting", sig == SIGTERM ? "SIGTERM" :
		    "SIGINT");
		rv = 0;
		break;
	}
	fetch_global_cleanup();
out:
	state_close(st);
	config_free(cfg);
	return rv;
}
