/*
 * cmd.h - the commands of the command line and what they share.
 *
 * main.c is the command table only (options, the table, help); each
 * command's body lives in a file named by what it does:
 *
 *   cmd_init.c   the first config: init
 *   cmd_run.c    polling: run, catchup, daemon, check, parse
 *   cmd_feeds.c  the feed list: add, remove, pause, resume, list,
 *                import-opml, export-opml, import-r2e
 *   cmd.c        what they share: the exit statuses, usage errors, the
 *                config path (-c), opening config and state, and probing
 *                an address for its feed with the config's fetch settings
 *
 * The work is the modules' (run.c, check.c, daemon.c, config/, state.c);
 * a command parses its arguments, calls them, prints, and returns an exit
 * status.  Only main.c and daemon.c decide to exit: a cmd_* returns.
 *
 * Every cmd_* gets argv from the command name on (argv[0] is "run") and
 * returns the process's exit status (sysexits style), one of:
 */
#ifndef RSS2MAIL_CMD_H
#define RSS2MAIL_CMD_H

#define CMD_EXIT_FEEDS	1	/* some feed failed (one line each) */
#define CMD_EXIT_USAGE	2	/* usage or configuration error */
#define CMD_EXIT_TEMP	75	/* state or mailbox unusable: try later */

struct config;
struct state;

/* The -c FILE of the command line (borrowed; NULL: the default). */
void	cmd_set_config_path(const char *path);
/* The config path: -c, else config_default_path().  Malloc'd. */
char	*cmd_config_path(void);
/* Load the config (-1 with the error logged). */
int	cmd_load_config(struct config **cfg);
/* Open cfg's state (-1 with the error logged). */
int	cmd_open_state(const struct config *cfg, struct state **st);
/* 1 when no file is at path: then "no config file PATH yet: run
 * `rss2mail init` first" is logged (the caller returns CMD_EXIT_USAGE). */
int	cmd_config_missing(const char *path);
/* probe_url (probe.h) of url with cfg's fetch settings ([rss2mail]
 * user-agent, timeouts, max-feed-size, allow-private, proxy, concurrency;
 * cfg NULL: the defaults); allow_private 1 overrides cfg's.  After
 * fetch_global_init; out is released with probe_free. */
struct probe;
int	cmd_probe(const struct config *cfg, const char *url, int allow_local,
	    int allow_private, struct probe *out, char *err, size_t errlen);
/* Print "rss2mail: MESSAGE (see rss2mail --help)" on stderr; returns
 * CMD_EXIT_USAGE. */
int	cmd_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* cmd_init.c */
struct config_new;
int	cmd_init(int argc, char **argv);
/* The Maildir init offers: under $XDG_DATA_HOME (~/.local/share).
 * Malloc'd. */
char	*cmd_init_default_maildir(void);
/* config_write_new with the error logged: 0 or CMD_EXIT_USAGE. */
int	cmd_init_write(const char *path, const struct config_new *n,
	    int force);

/* cmd_run.c */
int	cmd_run(int argc, char **argv);
int	cmd_catchup(int argc, char **argv);
int	cmd_daemon(int argc, char **argv);
int	cmd_check(int argc, char **argv);
int	cmd_parse(int argc, char **argv);

/* cmd_feeds.c */
int	cmd_add(int argc, char **argv);
int	cmd_remove(int argc, char **argv);
int	cmd_pause(int argc, char **argv);
int	cmd_resume(int argc, char **argv);
int	cmd_retry(int argc, char **argv);
int	cmd_list(int argc, char **argv);
int	cmd_import_opml(int argc, char **argv);
int	cmd_export_opml(int argc, char **argv);
int	cmd_import_r2e(int argc, char **argv);

#endif
