/*
 * main.c - the command line: options, the command table, help.
 *
 * The commands' bodies are in cmd_run.c and cmd_feeds.c (cmd.h says which
 * is where and lists the exit statuses).  Only main.c and daemon.c decide
 * to exit.  Exit statuses (sysexits style):
 *   0   every feed was handled
 *   1   some feed failed (one line each on stderr)
 *   2   usage or configuration error
 *   75  temporary failure: the state or mailbox could not be used
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "filter.h"
#include "log.h"

struct cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*help;
};

static int cmd_help(int, char **);

static const struct cmd cmds[] = {
	{ "init", cmd_init, "init [--to ADDR] [--from ADDR] [--maildir DIR | "
	    "--imap-url URL | --smtp-url URL] [--force] [KEY=VALUE...]",
	    "write a first config file (asks on a terminal)" },
	{ "run", cmd_run, "run [NAME...]",
	    "poll (all or the named) active feeds once, deliver, exit" },
	{ "daemon", cmd_daemon, "daemon [-s]",
	    "poll on a schedule until SIGTERM; SIGHUP reloads the config; "
	    "-s logs to syslog" },
	{ "add", cmd_add, "add NAME URL [KEY=VALUE...] [--only-new] "
	    "[--to ADDR]",
	    "add a feed section to the config file" },
	{ "remove", cmd_remove, "remove NAME",
	    "remove a feed from the config file and forget its state" },
	{ "pause", cmd_pause, "pause NAME", "stop polling a feed" },
	{ "resume", cmd_resume, "resume NAME", "poll a paused feed again" },
	{ "retry", cmd_retry, "retry NAME",
	    "send again the entries a server refused for good (SMTP 5xx)" },
	{ "catchup", cmd_catchup, "catchup NAME...|--all|--refilter [NAME...]",
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
	int ch, lvl, verbose = 0;	/* -v: +1, -q: -1 */

	/* include/exclude patterns are compiled when a config is read */
	config_set_rule_check(filter_check_rule);
	while ((ch = getopt(argc, argv, "+c:vqhV-:")) != -1) {
		switch (ch) {
		case 'c':
			cmd_set_config_path(optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			verbose--;
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
			return cmd_usage_error("unknown option --%s", optarg);
		default:
			return cmd_usage_error("bad option");
		}
	}
	/* a peer that closes a connection must be an error on that
	 * connection (EPIPE), never the death of the whole process */
	signal(SIGPIPE, SIG_IGN);
	lvl = LOG_LVL_WARN + verbose;
	log_init(lvl < LOG_LVL_ERROR ? LOG_LVL_ERROR : lvl > LOG_LVL_DEBUG ?
	    LOG_LVL_DEBUG : (enum log_level)lvl, 0);
	if (optind >= argc) {
		print_usage(stderr);
		return CMD_EXIT_USAGE;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			c = &cmds[i];
	if (c == NULL)
		return cmd_usage_error("unknown command '%s'", argv[optind]);
	if (argc - optind >= 2 && (strcmp(argv[optind + 1], "--help") == 0 ||
	    strcmp(argv[optind + 1], "-h") == 0)) {
		printf("usage: rss2mail %s\n%s\n", c->usage, c->help);
		return 0;
	}
	return c->fn(argc - optind, argv + optind);
}
