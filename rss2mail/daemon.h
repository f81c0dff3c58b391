/*
 * daemon.h - `rss2mail daemon`: passes on a schedule until SIGTERM.
 *
 * Each feed is due at last poll + max(interval, the feed's own hint (RSS
 * ttl), min-interval), and never before its backoff ends.  SIGTERM or
 * SIGINT: the pass in flight finishes its deliveries, then exit 0.  SIGHUP:
 * reload the config (a bad new config is reported and the old one kept).
 */
#ifndef RSS2MAIL_DAEMON_H
#define RSS2MAIL_DAEMON_H

/* Returns the process exit status. */
int	daemon_main(const char *config_path);

#endif
