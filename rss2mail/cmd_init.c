/*
 * cmd_init.c - `rss2mail init`: the first config file, from flags or, on
 * a terminal, from a few questions with the defaults shown; and the same
 * minimal config for `add --to ADDR` when there is none yet.
 *
 * What the file says and how it is written (validated first, mode 0600,
 * never over an existing file unless --force, which keeps a .bak) is
 * config/edit.h's config_write_new; here are the questions, the defaults
 * (a Maildir under the XDG data directory) and the next steps printed at
 * the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "edit.h"
#include "limits.h"
#include "log.h"
#include "util.h"

#define INIT_USAGE	"usage: init [--to ADDR] [--from ADDR] [--maildir " \
			"DIR | --imap-url URL | --smtp-url URL] [--force] " \
			"[KEY=VALUE...]"

char *
cmd_init_default_maildir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	struct buf b = BUF_INIT(0);

	if (xdg != NULL && xdg[0] == '/')
		buf_printf(&b, "%s/rss2mail/Maildir", xdg);
	else
		buf_puts(&b, "~/.local/share/rss2mail/Maildir");
	return buf_steal(&b);
}

/*
 * Ask on the terminal: "QUESTION [DEFAULT]: ".  An empty answer takes the
 * default.  The answer (malloc'd, trimmed) in *out; -1 at the end of
 * input.
 */
static int
ask(const char *question, const char *def, char **out)
{
	char line[LIM_CONFIG_LINE];
	size_t n;
	char *p;

	if (def && *def)
		printf("%s [%s]: ", question, def);
	else
		printf("%s: ", question);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		putchar('\n');
		return -1;
	}
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' ||
	    p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = '\0';
	*out = xstrdup(n > 0 ? p : def ? def : "");
	return 0;
}

/* The delivery a Maildir path or a URL names: "maildir", "imap", "smtp". */
static const char *
deliver_kind(const char *where)
{
	if (strncmp(where, "imap://", 7) == 0 ||
	    strncmp(where, "imaps://", 8) == 0)
		return "imap";
	if (strncmp(where, "smtp://", 7) == 0 ||
	    strncmp(where, "smtps://", 8) == 0)
		return "smtp";
	return "maildir";
}

struct init_answers {
	char	*to, *from, *where, *password_command;
	const char *deliver;
};

static void
answers_free(struct init_answers *a)
{
	free(a->to);
	free(a->from);
	free(a->where);
	free(a->password_command);
}

/* Ask for what the flags did not give.  -1 at the end of input. */
static int
ask_missing(struct init_answers *a, int have_password)
{
	char *def = NULL, *ans = NULL;
	int r = -1, tries;

	printf("A first rss2mail config: press Enter to take the value in "
	    "brackets.\n");
	for (tries = 0; a->to == NULL || strchr(a->to, '@') == NULL; tries++) {
		free(a->to);
		a->to = NULL;
		if (tries == 3 || ask("Your address (the posts go to it)",
		    NULL, &a->to) == -1)
			goto out;
	}
	if (a->from == NULL) {
		def = config_default_from(a->to);
		printf("From: the bridge's own address (by SMTP: at a domain "
		    "whose SPF covers this host)\n");
		if (ask("From", def, &a->from) == -1)
			goto out;
		free(def);
		def = NULL;
	}
	if (a->where == NULL) {
		def = cmd_init_default_maildir();
		printf("Where the posts go: a Maildir directory, or an IMAP "
		    "mailbox as a URL\n(imaps://you@imap.example.org/Feeds)%s."
		    "\n", config_can_deliver("smtp") ? ", or an SMTP server "
		    "(smtp://mail.example.org)" : "");
		if (ask("Deliver to", def, &a->where) == -1)
			goto out;
		a->deliver = deliver_kind(a->where);
	}
	if (strcmp(a->deliver, "imap") == 0 && !have_password) {
		if (ask("A command that prints the IMAP password (empty: set "
		    "password-command\nor password-file in the file later)",
		    NULL, &ans) == -1)
			goto out;
		if (*ans)
			a->password_command = ans;
		else
			free(ans);
		ans = NULL;
	}
	r = 0;
out:
	free(def);
	free(ans);
	return r;
}

/* Do the KEY=VALUEs set the IMAP password already? */
static int
sets_password(const char *const *kv)
{
	size_t i;

	for (i = 0; kv[i]; i++)
		if (strncmp(kv[i], "password", 8) == 0)
			return 1;
	return 0;
}

/* " -c PATH" when the config is not the default one. */
static void
config_opt(const char *path, struct buf *out)
{
	char *def = config_default_path(), *abs = realpath(path, NULL);

	if (strcmp(path, def) != 0)
		buf_printf(out, " -c %s", abs ? abs : path);
	free(abs);
	free(def);
}

static void
print_next_steps(const char *path)
{
	struct buf c = BUF_INIT(0);
	char self[4096], *abs;
	ssize_t n;

	config_opt(path, &c);
	printf("\nnext:\n"
	    "  rss2mail%s add NAME URL   a feed (a site's address will do)\n"
	    "  rss2mail%s check          the config, the mailbox, the feeds\n"
	    "  rss2mail%s run            deliver the new posts once\n",
	    buf_str(&c), buf_str(&c), buf_str(&c));
	/* cron's PATH is short: name the binary by its full path */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = '\0';
	/* nor the environment that chose the default config */
	if ((abs = realpath(path, NULL)) == NULL)
		abs = xstrdup(path);
	printf("\nthen, to poll every 30 minutes, add this line with "
	    "`crontab -e`:\n  */30 * * * * %s -c %s -q run\n",
	    n > 0 ? self : "rss2mail", abs);
	free(abs);
	buf_free(&c);
}

int
cmd_init_write(const char *path, const struct config_new *n, int force)
{
	char err[ERRLEN];

	if (config_write_new(path, n, force, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return CMD_EXIT_USAGE;
	}
	return 0;
}

/* --opt VALUE or --opt=VALUE at argv[*i]; NULL when argv[*i] is not
 * --opt.  A missing value is "" (an error for the caller). */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	return *i + 1 < argc ? argv[++*i] : "";
}

int
cmd_init(int argc, char **argv)
{
	static const char *const where_opts[] = { "--maildir", "--imap-url",
	    "--smtp-url" };
	struct init_answers a;
	struct config_new n;
	struct buf pw = BUF_INIT(0);
	const char **kv, *v;
	char *path = NULL;
	int i, j, nkv = 0, force = 0, had_old, nwhere = 0;
	int rv = CMD_EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.deliver = "maildir";
	kv = xcalloc((size_t)argc + 2, sizeof(*kv));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0) {
			force = 1;
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--to")) != NULL) {
			free(a.to);
			a.to = xstrdup(v);
		} else if ((v = opt_value(argc, argv, &i, "--from")) != NULL) {
			free(a.from);
			a.from = xstrdup(v);
		} else {
			for (j = 0; j < 3; j++)
				if ((v = opt_value(argc, argv, &i,
				    where_opts[j])) != NULL)
					break;
			if (j < 3) {
				free(a.where);
				a.where = xstrdup(v);
				a.deliver = j == 0 ? "maildir" : j == 1 ?
				    "imap" : "smtp";
				nwhere++;
			} else if (argv[i][0] != '-' && strchr(argv[i], '=')) {
				kv[nkv++] = argv[i];
				continue;
			} else {
				rv = cmd_usage_error(INIT_USAGE);
				goto out;
			}
		}
		if (*v == '\0') {
			rv = cmd_usage_error("init: %s needs a value",
			    argv[i][0] == '-' ? argv[i] : argv[i - 1]);
			goto out;
		}
	}
	if (nwhere > 1) {
		rv = cmd_usage_error("init: give one of --maildir, --imap-url "
		    "and --smtp-url");
		goto out;
	}
	if (strcmp(a.deliver, "smtp") == 0 && !config_can_deliver("smtp")) {
		log_error("init: --smtp-url: this rss2mail cannot deliver by "
		    "SMTP yet; use --maildir DIR or --imap-url URL");
		goto out;
	}
	path = cmd_config_path();
	had_old = access(path, F_OK) == 0;
	if (!force && had_old) {
		log_error("%s exists; nothing written (--force replaces it, "
		    "keeping a .bak)", path);
		goto out;
	}
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (ask_missing(&a, sets_password(kv)) == -1) {
			log_error("init: no answer; nothing written");
			goto out;
		}
	} else if (a.to == NULL) {
		log_error("init: not on a terminal, so nothing can be asked: "
		    "give --to ADDR (and, if the defaults do not suit, "
		    "--from ADDR and --maildir DIR, --imap-url URL or "
		    "--smtp-url URL)");
		goto out;
	}
	if (a.where == NULL && strcmp(a.deliver, "maildir") == 0)
		a.where = cmd_init_default_maildir();
	if (a.password_command) {
		buf_printf(&pw, "password-command=%s", a.password_command);
		kv[nkv++] = pw.data;
	}
	memset(&n, 0, sizeof(n));
	n.to = a.to;
	n.from = a.from;
	n.deliver = a.deliver;
	n.where = a.where;
	n.kv = kv;
	if ((rv = cmd_init_write(path, &n, force)) != 0)
		goto out;
	printf("wrote %s (mode 0600)%s\n", path, had_old ? "; the old one is "
	    "kept as .bak" : "");
	print_next_steps(path);
out:
	answers_free(&a);
	buf_free(&pw);
	free(kv);
	free(path);
	return rv;
}
