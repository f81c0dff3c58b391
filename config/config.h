/*
 * config.h - the INI configuration: reading and validating.  Editing the
 * file in place is edit.h; OPML and rss2email import and export are
 * import.h.
 *
 * config_load reads the file of DESIGN.md ("[rss2mail]" and "[feed.NAME]"
 * sections), checks every key against one typed table and applies each
 * feed's overrides on top of the global values.  Unknown keys, bad values
 * and missing required keys are errors that name the file, the line and the
 * key: "config.ini:12: key 'fomr': unknown key, did you mean 'from'?".  A
 * missing key is reported at its section's header line (0 when the section
 * itself is missing).  Templates (folder, subject, from-name) may name only
 * the placeholders their expander knows: a "{word}" that is not one is an
 * error; other braces are text.  Path values have "~/" expanded; relative
 * paths stay relative to the working directory.  A value ends at a ';' or
 * '#' that follows a blank (an inline comment); see ini.h for the syntax.
 *
 * The struct config and everything it points to is owned by the caller and
 * freed with config_free.  No curl, IMAP or SQL here.
 */
#ifndef RSS2MAIL_CONFIG_H
#define RSS2MAIL_CONFIG_H

#include <stddef.h>

enum config_deliver { CONFIG_DELIVER_MAILDIR, CONFIG_DELIVER_IMAP,
    CONFIG_DELIVER_SMTP, CONFIG_DELIVER_LMTP, CONFIG_DELIVER_SENDMAIL };
enum config_tls { CONFIG_TLS_DEFAULT, CONFIG_TLS_IMPLICIT,
    CONFIG_TLS_STARTTLS, CONFIG_TLS_NONE };
enum config_images { CONFIG_IMAGES_INLINE, CONFIG_IMAGES_REMOTE,
    CONFIG_IMAGES_NONE };
enum config_updates { CONFIG_UPDATES_IGNORE, CONFIG_UPDATES_NEW,
    CONFIG_UPDATES_REPLACE };
enum config_fulltext { CONFIG_FULLTEXT_AUTO, CONFIG_FULLTEXT_YES,
    CONFIG_FULLTEXT_NO };

enum config_dedupe { CONFIG_DEDUPE_LINK, CONFIG_DEDUPE_ID,
    CONFIG_DEDUPE_OFF };

/*
 * A key that may be given several times in a section (include, exclude,
 * http-header, http-header-command): its values in file order, each with
 * its line (0 when it did not come from a file).  A feed's list is the
 * global one followed by the feed's own lines.
 */
struct config_list {
	char		**v;
	int		 *line;
	size_t		  n;
};

/* Keys that [rss2mail] sets and any [feed.NAME] may override. */
struct config_settings {
	char		*from_name;	/* display part of `from`, or NULL */
	char		*from_addr;	/* addr-spec of `from` (required) */
	char		*to;		/* required */
	char		**to_addrs;	/* addr-specs of `to`, in order */
	size_t		 nto;		/* 1..LIM_RCPT once loaded */
	enum config_deliver deliver;	/* default maildir */
	char		*maildir;	/* expanded (~); default ~/Mail/Feeds */
	char		*imap_url;	/* required when deliver = imap */
	enum config_tls	 imap_tls;
	char		*imap_user;
	char		*imap_ca_file;
	char		*imap_fingerprint;
	char		*imap_auth;	/* login | plain | xoauth2 */
	char		*password;
	char		*password_file;	/* expanded */
	char		*password_command;
	/* deliver = smtp | lmtp | sendmail */
	char		*smtp_url;	/* required when deliver = smtp */
	enum config_tls	 smtp_tls;
	char		*smtp_user;	/* NULL: imap-user */
	char		*smtp_ca_file;	/* NULL: imap-ca-file */
	char		*smtp_fingerprint;
	char		*smtp_auth;	/* NULL: imap-auth */
	char		*lmtp_url;	/* required when deliver = lmtp */
	char		*sendmail;	/* default /usr/sbin/sendmail */
	char		*envelope_from;	/* bare, in from's domain, or NULL */
	char		*folder;	/* template: {name} {category};
					   NULL = default */
	int		 html;		/* default 1 */
	char		*user_agent;
	long long	 max_feed_size;	/* bytes; default LIM_FEED_SIZE */
	long long	 timeout;	/* seconds; default LIM_TOTAL_TIMEOUT */
	long long	 connect_timeout;
	long long	 interval;	/* seconds; default 3600 */
	int		 allow_private;	/* default 0 */

	/* accepted and stored for later issues (see rss2mail.conf.5) */
	char		*subject;	/* template: {title} {feed} {author}
					   {date}; default "{title}" */
	char		*from_template;	/* key from-name; default
					   "{author} via {feed}" */
	int		 reply_to_author; /* default 0 */
	int		 digest;	/* default 0 */
	enum config_images images;	/* default inline */
	enum config_fulltext full_text;	/* default auto: teasers only */
	int		 image_max_width; /* pixels; default 1280; 0: as is */
	int		 image_quality;	/* JPEG 1..100; default 80 */
	long long	 image_budget;	/* bytes of images per message; 1M */
	long long	 image_timeout;	/* seconds a message waits for its
					   images; default 15 */
	long long	 max_message_size; /* bytes; default LIM_MESSAGE */
	enum config_updates updates;	/* default ignore */
	long long	 keep;		/* seconds; 0 = keep everything */
	char		*flags;		/* IMAP flags for APPEND, or NULL */
	long long	 min_interval;	/* seconds; default 300 */
	int		 report_after;	/* failed runs; default 3; 0 never */
	char		*proxy;		/* NULL: no proxy */
	char		*http_user;
	char		*http_password_command;

	/* choosing what arrives (issue 18) */
	struct config_list include;	/* "FIELD:REGEX" (filter.h) */
	struct config_list exclude;
	long long	 max_age;	/* seconds; 0 = no limit */
	struct config_list http_headers; /* "Name: value" */
	struct config_list http_header_commands; /* "Name: command" */
};

struct config_feed {
	char		*name;		/* section "feed.NAME" -> "NAME" */
	char		*url;		/* required */
	int		 paused;	/* `paused = yes` */
	int		 line;		/* line of the section header */
	char		*title;		/* from OPML, or NULL */
	char		*category;	/* "Tech/Mail/Security", or NULL */
	char		*html_url;	/* the site, or NULL */
	struct config_settings s;	/* global values + this feed's overrides */
};

struct config {
	char		*path;
	char		*state;		/* expanded; default
					   $XDG_DATA_HOME/rss2mail/state.db */
	int		 concurrency;	/* default 16 */
	int		 per_host;	/* default 2 */
	int		 imap_connections; /* sessions per IMAP store; 1..16,
					   default 4 */
	int		 smtp_connections; /* sessions per SMTP or LMTP store;
					   1..16, default 1 */
	int		 parse_isolation; /* parse in a child with rlimits;
					   default yes */
	long long	 run_time_limit; /* seconds for all fetching of a
					   pass; 0 = none (each request still
					   has its own timeouts) */
	enum config_dedupe dedupe;	/* across feeds; default link */
	char		*subscribe_folder; /* requests by mail (deliver =
					   imap only); NULL: off */
	long long	 image_time_limit; /* seconds a pass spends fetching
					   images; default 60 */
	struct config_settings global;
	struct config_feed *feeds;	/* in file order */
	size_t		 nfeeds;
};

/* The default path: $RSS2MAIL_CONFIG, else $XDG_CONFIG_HOME/rss2mail/
 * config.ini, else ~/.config/rss2mail/config.ini.  Malloc'd. */
char	*config_default_path(void);

int	config_load(const char *path, struct config **out, char *err,
	    size_t errlen);
/* Parse from memory; path is used in error text only. */
int	config_parse(const char *path, const char *text, size_t len,
	    struct config **out, char *err, size_t errlen);
/*
 * Every error of the file at path, not only the first (for `rss2mail
 * check`): report() gets each "PATH:LINE: ..." line, in line order.  A bad
 * section's keys are not checked; a key with a bad value is not also
 * reported missing.  Returns the number of errors (0: config_load would
 * succeed), or -1 with err set when the file cannot be read.
 */
typedef void config_report_fn(void *ctx, const char *line);
int	config_check(const char *path, config_report_fn *report, void *ctx,
	    char *err, size_t errlen);
void	config_free(struct config *);

/*
 * How include and exclude rules are checked at load: filter.c's compile
 * (main.c sets it once, before any config is read; config/ cannot include
 * filter.h, which lives above it).  The function returns 0, or -1 with the
 * reason in why; without one, a rule only has to be non-empty.
 */
typedef int config_rule_check_fn(int exclude, const char *rule, char *why,
	    size_t whylen);
void	config_set_rule_check(config_rule_check_fn *);
const struct config_feed *config_find_feed(const struct config *,
	    const char *name);
/* 1 when name is a usable feed name: [A-Za-z0-9._-]+, not starting with
 * '.', at most 128 bytes (it becomes a section name and maybe a folder). */
int	config_valid_name(const char *name);

#endif
