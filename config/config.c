/*
 * config.c - the typed key table, loading and validation: per-feed
 * overrides on top of ini.c's lines, and config_check's list of every
 * error.
 *
 * Every key is one row of keys[]: its type says how a value is checked and
 * stored, its scope where it may appear, its default is text parsed like a
 * value from the file (so a default can never be something the file could
 * not say).  A feed starts as a copy of the global settings and applies its
 * own keys on top.  Errors read "PATH:LINE: key 'k': reason"; a missing key
 * is reported at its section's header line (0 when there is no section).
 *
 * Not here: editing the file (edit.c), OPML and rss2email import (import.c),
 * what templates expand to, password resolution, reaching the mailbox:
 * run.c and the backends do that with these values.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "config_int.h"
#include "ini.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"
#include "fsutil.h"

#define FEED_NAME_MAX	128

enum ktype {
	KT_STRING,	/* one line of text */
	KT_TEMPLATE,	/* text with {placeholders} from vars */
	KT_PATH,	/* ~ expanded */
	KT_BOOL,	/* int */
	KT_ENUM,	/* int from choices */
	KT_CHOICE,	/* string from choices */
	KT_DURATION,	/* long long seconds */
	KT_SIZE,	/* long long bytes */
	KT_INT,		/* int */
	KT_FROM,	/* from_name + from_addr */
	KT_ADDR,	/* `to`: an address list, stored as written and as
			   to_addrs (config_parse_to) */
	KT_IMAPURL,	/* imap:// or imaps:// */
	KT_SMTPURL,	/* smtp:// or smtps:// */
	KT_LMTPURL,	/* lmtp:// or a unix socket path */
	KT_BAREADDR,	/* an addr-spec without a display name */
	KT_FEEDURL,	/* http(s)://, file:// or a local path */
	/* lists (struct config_list): the key may be repeated */
	KT_INCLUDE,	/* "FIELD:REGEX" */
	KT_EXCLUDE,
	KT_HEADER,	/* "Name: value" */
	KT_HEADER_CMD,	/* "Name: command" */
};

enum kscope {
	KS_BOTH,	/* struct config_settings: global, feeds override */
	KS_GLOBAL,	/* struct config: [rss2mail] only */
	KS_FEED,	/* struct config_feed: [feed.NAME] only */
};

struct kchoice {
	const char	*name;
	int		 val;
};

struct key {
	const char		*name;
	enum ktype		 type;
	enum kscope		 scope;
	size_t			 off;
	const char		*def;		/* default as text, or NULL */
	const struct kchoice	*choices;	/* KT_ENUM, KT_CHOICE */
	long long		 min, max;	/* KT_INT, _DURATION, _SIZE */
	int			 group;		/* at most one key per group */
	const char		*vars;		/* KT_TEMPLATE: "{a} {b}" */
};

/* What the expanders (message.c, run.c) know; keep in step with them. */
#define MESSAGE_VARS	"{title} {feed} {author} {date}"
#define FOLDER_VARS	"{name} {category}"

static const struct kchoice deliver_choices[] = {
	{ "maildir", CONFIG_DELIVER_MAILDIR }, { "imap", CONFIG_DELIVER_IMAP },
	{ "smtp", CONFIG_DELIVER_SMTP }, { "lmtp", CONFIG_DELIVER_LMTP },
	{ "sendmail", CONFIG_DELIVER_SENDMAIL }, { NULL, 0 }
};
static const struct kchoice tls_choices[] = {
	{ "implicit", CONFIG_TLS_IMPLICIT },
	{ "starttls", CONFIG_TLS_STARTTLS },
	{ "none", CONFIG_TLS_NONE }, { NULL, 0 }
};
static const struct kchoice auth_choices[] = {
	{ "login", 0 }, { "plain", 0 }, { "xoauth2", 0 }, { NULL, 0 }
};
static const struct kchoice images_choices[] = {
	{ "inline", CONFIG_IMAGES_INLINE }, { "remote", CONFIG_IMAGES_REMOTE },
	{ "none", CONFIG_IMAGES_NONE }, { NULL, 0 }
};
static const struct kchoice fulltext_choices[] = {
	{ "auto", CONFIG_FULLTEXT_AUTO }, { "yes", CONFIG_FULLTEXT_YES },
	{ "no", CONFIG_FULLTEXT_NO }, { NULL, 0 }
};
static const struct kchoice dedupe_choices[] = {
	{ "link", CONFIG_DEDUPE_LINK }, { "id", CONFIG_DEDUPE_ID },
	{ "off", CONFIG_DEDUPE_OFF }, { NULL, 0 }
};
static const struct kchoice updates_choices[] = {
	{ "ignore", CONFIG_UPDATES_IGNORE }, { "new", CONFIG_UPDATES_NEW },
	{ "replace", CONFIG_UPDATES_REPLACE }, { NULL, 0 }
};

#define S(f)	offsetof(struct config_settings, f)
#define G(f)	offsetof(struct config, f)
#define F(f)	offsetof(struct config_feed, f)
#define DAY	86400LL
#define BIG	(1LL << 40)
#define PASSWORD_GROUP	1

static const struct key keys[] = {
	/* name		type		scope	  offset	default */
	{ "from",	KT_FROM,	KS_BOTH,  S(from_addr),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "to",		KT_ADDR,	KS_BOTH,  S(to),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "deliver",	KT_ENUM,	KS_BOTH,  S(deliver),	"maildir",
	    deliver_choices, 0, 0, 0, NULL },
	{ "maildir",	KT_PATH,	KS_BOTH,  S(maildir),	"~/Mail/Feeds",
	    NULL, 0, 0, 0, NULL },
	{ "imap-url",	KT_IMAPURL,	KS_BOTH,  S(imap_url),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "imap-tls",	KT_ENUM,	KS_BOTH,  S(imap_tls),	NULL,
	    tls_choices, 0, 0, 0, NULL },
	{ "imap-user",	KT_STRING,	KS_BOTH,  S(imap_user),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "imap-ca-file", KT_PATH,	KS_BOTH,  S(imap_ca_file), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "imap-fingerprint", KT_STRING, KS_BOTH, S(imap_fingerprint), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "imap-auth",	KT_CHOICE,	KS_BOTH,  S(imap_auth),	NULL,
	    auth_choices, 0, 0, 0, NULL },
	{ "password",	KT_STRING,	KS_BOTH,  S(password),	NULL,
	    NULL, 0, 0, PASSWORD_GROUP, NULL },
	{ "password-file", KT_PATH,	KS_BOTH,  S(password_file), NULL,
	    NULL, 0, 0, PASSWORD_GROUP, NULL },
	{ "password-command", KT_STRING, KS_BOTH, S(password_command), NULL,
	    NULL, 0, 0, PASSWORD_GROUP, NULL },
	{ "smtp-url",	KT_SMTPURL,	KS_BOTH,  S(smtp_url),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "smtp-tls",	KT_ENUM,	KS_BOTH,  S(smtp_tls),	NULL,
	    tls_choices, 0, 0, 0, NULL },
	{ "smtp-user",	KT_STRING,	KS_BOTH,  S(smtp_user),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "smtp-ca-file", KT_PATH,	KS_BOTH,  S(smtp_ca_file), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "smtp-fingerprint", KT_STRING, KS_BOTH, S(smtp_fingerprint), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "smtp-auth",	KT_CHOICE,	KS_BOTH,  S(smtp_auth),	NULL,
	    auth_choices, 0, 0, 0, NULL },
	{ "lmtp-url",	KT_LMTPURL,	KS_BOTH,  S(lmtp_url),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "sendmail",	KT_PATH,	KS_BOTH,  S(sendmail),
	    "/usr/sbin/sendmail", NULL, 0, 0, 0, NULL },
	{ "envelope-from", KT_BAREADDR,	KS_BOTH,  S(envelope_from), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "folder",	KT_TEMPLATE,	KS_BOTH,  S(folder),	NULL,
	    NULL, 0, 0, 0, FOLDER_VARS },
	{ "html",	KT_BOOL,	KS_BOTH,  S(html),	"yes",
	    NULL, 0, 0, 0, NULL },
	{ "user-agent",	KT_STRING,	KS_BOTH,  S(user_agent), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "max-feed-size", KT_SIZE,	KS_BOTH,  S(max_feed_size), NULL,
	    NULL, 1, BIG, 0, NULL },
	{ "timeout",	KT_DURATION,	KS_BOTH,  S(timeout),	NULL,
	    NULL, 1, DAY, 0, NULL },
	{ "connect-timeout", KT_DURATION, KS_BOTH, S(connect_timeout), NULL,
	    NULL, 1, DAY, 0, NULL },
	{ "interval",	KT_DURATION,	KS_BOTH,  S(interval),	"1h",
	    NULL, 1, 366 * DAY, 0, NULL },
	{ "allow-private", KT_BOOL,	KS_BOTH,  S(allow_private), "no",
	    NULL, 0, 0, 0, NULL },
	{ "subject",	KT_TEMPLATE,	KS_BOTH,  S(subject),	"{title}",
	    NULL, 0, 0, 0, MESSAGE_VARS },
	{ "from-name",	KT_TEMPLATE,	KS_BOTH,  S(from_template),
	    "{author} via {feed}", NULL, 0, 0, 0, MESSAGE_VARS },
	{ "reply-to-author", KT_BOOL,	KS_BOTH,  S(reply_to_author), "no",
	    NULL, 0, 0, 0, NULL },
	{ "digest",	KT_BOOL,	KS_BOTH,  S(digest),	"no",
	    NULL, 0, 0, 0, NULL },
	{ "images",	KT_ENUM,	KS_BOTH,  S(images),	"inline",
	    images_choices, 0, 0, 0, NULL },
	{ "full-text",	KT_ENUM,	KS_BOTH,  S(full_text),	"auto",
	    fulltext_choices, 0, 0, 0, NULL },
	{ "image-max-width", KT_INT,	KS_BOTH,  S(image_max_width), "1280",
	    NULL, 0, 100000, 0, NULL },
	{ "image-quality", KT_INT,	KS_BOTH,  S(image_quality), "80",
	    NULL, 1, 100, 0, NULL },
	{ "image-budget", KT_SIZE,	KS_BOTH,  S(image_budget), NULL,
	    NULL, 1024, 64LL << 20, 0, NULL },
	{ "image-timeout", KT_DURATION,	KS_BOTH,  S(image_timeout), "15s",
	    NULL, 1, 3600, 0, NULL },
	{ "image-time-limit", KT_DURATION, KS_GLOBAL, G(image_time_limit),
	    "60s", NULL, 1, DAY, 0, NULL },
	{ "max-message-size", KT_SIZE,	KS_BOTH,  S(max_message_size), NULL,
	    NULL, 1024, BIG, 0, NULL },
	{ "updates",	KT_ENUM,	KS_BOTH,  S(updates),	"ignore",
	    updates_choices, 0, 0, 0, NULL },
	{ "keep",	KT_DURATION,	KS_BOTH,  S(keep),	NULL,
	    NULL, 1, 100 * 366 * DAY, 0, NULL },
	{ "flags",	KT_STRING,	KS_BOTH,  S(flags),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "min-interval", KT_DURATION,	KS_BOTH,  S(min_interval), "5m",
	    NULL, 0, 366 * DAY, 0, NULL },
	{ "report-after", KT_INT,	KS_BOTH,  S(report_after), "3",
	    NULL, 0, 1000000, 0, NULL },
	{ "proxy",	KT_STRING,	KS_BOTH,  S(proxy),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "http-user",	KT_STRING,	KS_BOTH,  S(http_user),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "http-password-command", KT_STRING, KS_BOTH,
	    S(http_password_command), NULL, NULL, 0, 0, 0, NULL },
	{ "include",	KT_INCLUDE,	KS_BOTH,  S(include),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "exclude",	KT_EXCLUDE,	KS_BOTH,  S(exclude),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "max-age",	KT_DURATION,	KS_BOTH,  S(max_age),	NULL,
	    NULL, 1, 100 * 366 * DAY, 0, NULL },
	{ "http-header", KT_HEADER,	KS_BOTH,  S(http_headers), NULL,
	    NULL, 0, 0, 0, NULL },
	{ "http-header-command", KT_HEADER_CMD, KS_BOTH,
	    S(http_header_commands), NULL, NULL, 0, 0, 0, NULL },

	{ "state",	KT_PATH,	KS_GLOBAL, G(state),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "concurrency", KT_INT,	KS_GLOBAL, G(concurrency), "16",
	    NULL, 1, 1024, 0, NULL },
	{ "per-host",	KT_INT,		KS_GLOBAL, G(per_host),	"2",
	    NULL, 1, 64, 0, NULL },
	{ "imap-connections", KT_INT,	KS_GLOBAL, G(imap_connections), "4",
	    NULL, 1, 16, 0, NULL },
	{ "smtp-connections", KT_INT,	KS_GLOBAL, G(smtp_connections), "1",
	    NULL, 1, 16, 0, NULL },
	{ "parse-isolation", KT_BOOL,	KS_GLOBAL, G(parse_isolation), "yes",
	    NULL, 0, 0, 0, NULL },
	{ "run-time-limit", KT_DURATION, KS_GLOBAL, G(run_time_limit), NULL,
	    NULL, 1, DAY, 0, NULL },
	{ "dedupe",	KT_ENUM,	KS_GLOBAL, G(dedupe),	"link",
	    dedupe_choices, 0, 0, 0, NULL },
	{ "subscribe-folder", KT_STRING, KS_GLOBAL, G(subscribe_folder),
	    NULL, NULL, 0, 0, 0, NULL },

	{ "url",	KT_FEEDURL,	KS_FEED,  F(url),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "paused",	KT_BOOL,	KS_FEED,  F(paused),	"no",
	    NULL, 0, 0, 0, NULL },
	{ "title",	KT_STRING,	KS_FEED,  F(title),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "category",	KT_STRING,	KS_FEED,  F(category),	NULL,
	    NULL, 0, 0, 0, NULL },
	{ "html-url",	KT_STRING,	KS_FEED,  F(html_url),	NULL,
	    NULL, 0, 0, 0, NULL },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static int
key_is_string(const struct key *k)
{
	switch (k->type) {
	case KT_BOOL: case KT_ENUM: case KT_INT: case KT_DURATION:
	case KT_SIZE: case KT_INCLUDE: case KT_EXCLUDE: case KT_HEADER:
	case KT_HEADER_CMD:
		return 0;
	default:
		return 1;
	}
}

static int
key_is_list(const struct key *k)
{
	return k->type == KT_INCLUDE || k->type == KT_EXCLUDE ||
	    k->type == KT_HEADER || k->type == KT_HEADER_CMD;
}

static config_rule_check_fn *rule_check;

void
config_set_rule_check(config_rule_check_fn *fn)
{
	rule_check = fn;
}

static void
list_add(struct config_list *l, const char *v, int line)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->line = xrealloc(l->line, (l->n + 1) * sizeof(*l->line));
	l->v[l->n] = xstrdup(v);
	l->line[l->n] = line;
	l->n++;
}

static void
list_free(struct config_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

static void
list_copy(struct config_list *dst, const struct config_list *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		list_add(dst, src->v[i], src->line[i]);
}


static const struct key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Edit distance, for "did you mean"; names are short. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[64], diag, up;

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

static void
unknown_key(char *why, size_t whylen, const char *name)
{
	size_t i, d, best = 3;
	const char *guess = NULL;

	for (i = 0; i < NKEYS; i++)
		if ((d = distance(name, keys[i].name)) < best) {
			best = d;
			guess = keys[i].name;
		}
	if (guess)
		errf(why, whylen, "unknown key, did you mean '%s'?", guess);
	else
		errf(why, whylen, "unknown key");
}

static const char *
scope_error(const struct key *k, enum kscope where)
{
	if (k->scope == KS_GLOBAL && where != KS_GLOBAL)
		return "only allowed in [rss2mail]";
	if (k->scope == KS_FEED && where != KS_FEED)
		return "only allowed in a [feed.NAME] section";
	return NULL;
}


static void
choices_error(const struct key *k, const char *v, char *why, size_t whylen)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; k->choices[i].name; i++)
		buf_printf(&b, "%s%s", i ? " | " : "", k->choices[i].name);
	errf(why, whylen, "'%s' is not one of %s", v, buf_str(&b));
	buf_free(&b);
}

static void
set_string(void *base, size_t off, char *v)
{
	char **p = (char **)((char *)base + off);

	free(*p);
	*p = v;
}

/* `to` as written (v, taken over) and its addresses (taken over). */
static void
set_to(void *base, char *v, char **addrs, size_t n)
{
	struct config_settings *s = base;

	free(s->to);
	s->to = v;
	config_addrs_free(s->to_addrs, s->nto);
	s->to_addrs = addrs;
	s->nto = n;
}

/*
 * Check v for key k and store it into base (the settings, config or feed
 * the key's scope names).  On error, nothing is stored.
 */
static int
key_set(const struct key *k, void *base, const char *v, char *why,
    size_t whylen)
{
	char scheme[16], *name, *addr, **addrs;
	long long n;
	int b;
	size_t i, naddrs;

	if (*v == '\0') {
		errf(why, whylen, "empty value");
		return -1;
	}
	if (config_check_oneline(v, why, whylen) == -1)
		return -1;
	switch (k->type) {
	case KT_TEMPLATE:
		if (config_check_template(v, k->vars, why, whylen) == -1)
			return -1;
		/* FALLTHROUGH */
	case KT_STRING:
		set_string(base, k->off, xstrdup(v));
		return 0;
	case KT_PATH:
		set_string(base, k->off, fs_expand_path(v));
		return 0;
	case KT_BOOL:
		if (config_parse_bool(v, &b) == -1) {
			errf(why, whylen, "'%s' is not yes or no", v);
			return -1;
		}
		*(int *)((char *)base + k->off) = b;
		return 0;
	case KT_ENUM:
	case KT_CHOICE:
		for (i = 0; k->choices[i].name; i++)
			if (strcasecmp(v, k->choices[i].name) == 0)
				break;
		if (k->choices[i].name == NULL) {
			choices_error(k, v, why, whylen);
			return -1;
		}
		if (k->type == KT_ENUM)
			*(int *)((char *)base + k->off) = k->choices[i].val;
		else
			set_string(base, k->off, xstrdup(k->choices[i].name));
		return 0;
	case KT_DURATION:
	case KT_SIZE:
	case KT_INT:
		if (k->type == KT_DURATION)
			n = util_parse_duration(v);
		else if (k->type == KT_SIZE) {
			if (config_parse_size(v, &n) == -1)
				n = -1;
		} else
			n = strspn(v, "0123456789") == strlen(v) &&
			    strlen(v) < 12 ? atoll(v) : -1;
		if (n < 0) {
			errf(why, whylen, "'%s' is not %s", v,
			    k->type == KT_DURATION ? "a duration like 30s, "
			    "5m, 1h or 2d" : k->type == KT_SIZE ? "a size "
			    "like 512k or 16M" : "a number");
			return -1;
		}
		if (n < k->min || n > k->max) {
			errf(why, whylen, "%s is out of range (%lld to %lld%s)",
			    v, k->min, k->max,
			    k->type == KT_DURATION ? " seconds" :
			    k->type == KT_SIZE ? " bytes" : "");
			return -1;
		}
		if (k->type == KT_INT)
			*(int *)((char *)base + k->off) = (int)n;
		else
			*(long long *)((char *)base + k->off) = n;
		return 0;
	case KT_FROM:
		if (config_parse_mailbox(v, &name, &addr, why, whylen) == -1)
			return -1;
		set_string(base, offsetof(struct config_settings,
		    from_name), name);
		set_string(base, k->off, addr);
		return 0;
	case KT_ADDR:
		if (config_parse_to(v, &addrs, &naddrs, why, whylen) == -1)
			return -1;
		set_to(base, xstrdup(v), addrs, naddrs);
		return 0;
	case KT_BAREADDR:
		if (config_parse_mailbox(v, &name, &addr, why, whylen) == -1)
			return -1;
		if (name != NULL || strchr(v, '<') != NULL) {
			errf(why, whylen, "write a bare address (a@b.example), "
			    "without a name or <>");
			free(name);
			free(addr);
			return -1;
		}
		set_string(base, k->off, addr);
		return 0;
	case KT_SMTPURL:
	case KT_LMTPURL:
		config_url_scheme(v, scheme, sizeof(scheme));
		if (k->type == KT_LMTPURL && scheme[0] == '\0' && v[0] == '/') {
			set_string(base, k->off, xstrdup(v));
			return 0;
		}
		if (k->type == KT_SMTPURL ? strcmp(scheme, "smtp") != 0 &&
		    strcmp(scheme, "smtps") != 0 :
		    strcmp(scheme, "lmtp") != 0) {
			errf(why, whylen, "'%s' is not %s", v,
			    k->type == KT_SMTPURL ?
			    "an smtp:// or smtps:// URL" :
			    "an lmtp://host:port URL or a socket path");
			return -1;
		}
		if (config_check_net_url(v, scheme, why, whylen) == -1)
			return -1;
		set_string(base, k->off, xstrdup(v));
		return 0;
	case KT_IMAPURL:
		config_url_scheme(v, scheme, sizeof(scheme));
		if (strcmp(scheme, "imap") != 0 &&
		    strcmp(scheme, "imaps") != 0) {
			errf(why, whylen, "'%s' is not an imap:// or imaps:// "
			    "URL", v);
			return -1;
		}
		if (config_check_net_url(v, scheme, why, whylen) == -1)
			return -1;
		set_string(base, k->off, xstrdup(v));
		return 0;
	case KT_INCLUDE:
	case KT_EXCLUDE:
		if (rule_check != NULL && rule_check(k->type == KT_EXCLUDE, v,
		    why, whylen) == -1)
			return -1;
		list_add((struct config_list *)((char *)base + k->off), v, 0);
		return 0;
	case KT_HEADER:
	case KT_HEADER_CMD:
		if (config_check_header(v, why, whylen) == -1)
			return -1;
		list_add((struct config_list *)((char *)base + k->off), v, 0);
		return 0;
	case KT_FEEDURL:
		config_url_scheme(v, scheme, sizeof(scheme));
		if (strcmp(scheme, "http") == 0 ||
		    strcmp(scheme, "https") == 0) {
			if (config_check_net_url(v, scheme, why, whylen) == -1)
				return -1;
		} else if (strcmp(scheme, "file") == 0) {
			if (strncmp(v + 5, "//", 2) != 0) {
				errf(why, whylen, "write a file URL as "
				    "file:///path");
				return -1;
			}
		} else if (scheme[0] != '\0') {
			errf(why, whylen, "'%s:' URLs are not supported: use "
			    "http://, https://, file:// or a local path",
			    scheme);
			return -1;
		} else {
			set_string(base, k->off, fs_expand_path(v));
			return 0;
		}
		set_string(base, k->off, xstrdup(v));
		return 0;
	}
	errf(why, whylen, "internal error: key type");
	return -1;
}

/* Settings: defaults, copies, freeing. */

/* Free the string values of the keys of scope in base (and NULL them). */
static void
strings_free(void *base, enum kscope scope)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].scope == scope && key_is_string(&keys[i]))
			set_string(base, keys[i].off, NULL);
}

static void
settings_free(struct config_settings *s)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].scope == KS_BOTH && key_is_list(&keys[i]))
			list_free((struct config_list *)((char *)s +
			    keys[i].off));
	strings_free(s, KS_BOTH);
	set_string(s, offsetof(struct config_settings, from_name), NULL);
	set_to(s, NULL, NULL, 0);
}

static void
settings_copy(struct config_settings *dst, const struct config_settings *src)
{
	char **p;
	size_t i;

	*dst = *src;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].scope == KS_BOTH && key_is_string(&keys[i])) {
			p = (char **)((char *)dst + keys[i].off);
			*p = xstrdup(*p);
		} else if (keys[i].scope == KS_BOTH && key_is_list(&keys[i]))
			list_copy((struct config_list *)((char *)dst +
			    keys[i].off), (const struct config_list *)
			    ((const char *)src + keys[i].off));
	dst->from_name = xstrdup(src->from_name);
	dst->to_addrs = src->nto ? xcalloc(src->nto, sizeof(char *)) : NULL;
	for (i = 0; i < src->nto; i++)
		dst->to_addrs[i] = xstrdup(src->to_addrs[i]);
}

static void
apply_defaults(void *base, enum kscope scope)
{
	char why[256];
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].scope == scope && keys[i].def != NULL &&
		    key_set(&keys[i], base, keys[i].def, why,
		    sizeof(why)) == -1)
			abort();	/* a bad default is a bug in keys[] */
}

static void
config_defaults(struct config *cfg)
{
	struct config_settings *s = &cfg->global;
	const char *xdg = getenv("XDG_DATA_HOME");
	struct buf b = BUF_INIT(0);

	apply_defaults(s, KS_BOTH);
	apply_defaults(cfg, KS_GLOBAL);
	s->imap_tls = CONFIG_TLS_DEFAULT;
	s->max_feed_size = LIM_FEED_SIZE;
	s->timeout = LIM_TOTAL_TIMEOUT;
	s->connect_timeout = LIM_CONNECT_TIMEOUT;
	s->max_message_size = LIM_MESSAGE;
	s->image_budget = LIM_IMAGES_TOTAL;
	if (xdg != NULL && xdg[0] == '/') {
		buf_printf(&b, "%s/rss2mail/state.db", xdg);
		cfg->state = buf_steal(&b);
	} else
		cfg->state = fs_expand_path("~/.local/share/rss2mail/"
		    "state.db");
}

static void
feed_free(struct config_feed *f)
{
	strings_free(f, KS_FEED);
	free(f->name);
	settings_free(&f->s);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nfeeds; i++)
		feed_free(&cfg->feeds[i]);
	free(cfg->feeds);
	settings_free(&cfg->global);
	strings_free(cfg, KS_GLOBAL);
	free(cfg->path);
	free(cfg);
}

const struct config_feed *
config_find_feed(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return &cfg->feeds[i];
	return NULL;
}

int
config_valid_name(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '.' || strlen(name) > FEED_NAME_MAX)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	return 1;
}

int
config_check_feed_key(const char *key, const char *value, char *err,
    size_t errlen)
{
	struct config_feed f;
	const struct key *k;
	const char *why;
	char buf[256], *shown;
	int r;

	if ((k = key_find(key)) == NULL) {
		unknown_key(buf, sizeof(buf), key);
		shown = ini_shown(key);
		errf(err, errlen, "key '%s': %s", shown, buf);
		free(shown);
		return -1;
	}
	if ((why = scope_error(k, KS_FEED)) != NULL) {
		errf(err, errlen, "key '%s': %s", key, why);
		return -1;
	}
	if (value == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	r = key_set(k, k->scope == KS_BOTH ? (void *)&f.s : (void *)&f, value,
	    buf, sizeof(buf));
	feed_free(&f);
	if (r == -1)
		errf(err, errlen, "key '%s': %s", key, buf);
	return r;
}

/* Parsing. */

struct perror {
	int	 line;
	size_t	 seq;
	char	*msg;
};

struct parse {
	const char	*path;
	struct ini	*ini;
	struct config	*cfg;
	char		*err;
	size_t		 errlen;
	size_t		 nsections;	/* [feed.NAME] sections */
	unsigned char	*skip;		/* per line: ignore, already reported */
	/* config_check: every error, not just the first */
	int		 collect;
	struct perror	*errs;
	size_t		 nerrs, caperrs;
};

static void
collect_error(struct parse *ps, int line, const char *msg)
{
	if (ps->nerrs == ps->caperrs) {
		ps->caperrs = ps->caperrs ? ps->caperrs * 2 : 16;
		ps->errs = xrealloc(ps->errs, ps->caperrs * sizeof(*ps->errs));
	}
	ps->errs[ps->nerrs].line = line;
	ps->errs[ps->nerrs].seq = ps->nerrs;
	ps->errs[ps->nerrs].msg = xstrdup(msg);
	ps->nerrs++;
}

static void
ini_report(void *ctx, int line, const char *msg)
{
	collect_error(ctx, line, msg);
}

/*
 * One error at line: "PATH:LINE: " + fmt.  Returns -1 (stop) when parsing
 * for a config, 0 (go on) when collecting every error for config_check.
 */
static int perr(struct parse *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct parse *ps, int line, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errf(ps->err, ps->errlen, "%s:%d: %s", ps->path, line, msg);
	if (!ps->collect)
		return -1;
	collect_error(ps, line, ps->err);
	return 0;
}

static int
cmp_section(const void *a, const void *b)
{
	const struct ini_line *x = *(const struct ini_line *const *)a;
	const struct ini_line *y = *(const struct ini_line *const *)b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

static int
dup_error(struct parse *ps, const struct ini_line *dup,
    const struct ini_line *first)
{
	char *name = ini_shown(dup->name);
	int r;

	r = perr(ps, dup->lineno, "duplicate section [%s] (first at line %d)",
	    name, first->lineno);
	free(name);
	return r;
}

/* Sorted, not pairwise: a config may hold thousands of feeds.  Every
 * repeat of a section is marked skip; without collect, the first repeat in
 * file order is the error. */
static int
check_duplicate_sections(struct parse *ps)
{
	const struct ini_line **v, *dup = NULL, *first = NULL;
	size_t i, g, n = 0;
	int r = 0;

	v = xcalloc(ps->ini->nlines + 1, sizeof(*v));
	for (i = 0; i < ps->ini->nlines; i++)
		if (ps->ini->lines[i].kind == INI_SECTION)
			v[n++] = &ps->ini->lines[i];
	qsort(v, n, sizeof(*v), cmp_section);
	for (g = 0, i = 1; i < n; i++) {
		if (strcmp(v[i]->name, v[g]->name) != 0) {
			g = i;
			continue;
		}
		ps->skip[v[i] - ps->ini->lines] = 1;
		if (ps->collect)
			dup_error(ps, v[i], v[g]);
		else if (dup == NULL || v[i] < dup) {
			dup = v[i];
			first = v[g];
		}
	}
	free(v);
	if (dup != NULL)
		r = dup_error(ps, dup, first);
	return r;
}

/* The scope of a section header; KS_BOTH when it is an error (reported). */
static int
check_section(struct parse *ps, const struct ini_line *l,
    enum kscope *where)
{
	const char *name = l->name + strlen(CONFIG_FEED_PREFIX);
	char *shown;
	int r = 0;

	*where = KS_BOTH;
	if (strcmp(l->name, "rss2mail") == 0)
		*where = KS_GLOBAL;
	else if (strncmp(l->name, CONFIG_FEED_PREFIX,
	    strlen(CONFIG_FEED_PREFIX)) != 0) {
		shown = ini_shown(l->name);
		r = perr(ps, l->lineno, "unknown section [%s]: expected "
		    "[rss2mail] or [feed.NAME]", shown);
		free(shown);
	} else if (!config_valid_name(name)) {
		shown = ini_shown(name);
		r = perr(ps, l->lineno, "bad feed name '%s': " CONFIG_NAME_RULE,
		    shown);
		free(shown);
	} else
		*where = KS_FEED;
	return r;
}

/* Errors of one key line that do not depend on its value. */
static int
check_key_line(struct parse *ps, size_t hdr, size_t i, enum kscope where)
{
	const struct ini_line *l = &ps->ini->lines[i], *prev;
	const struct key *k;
	const char *why;
	char buf[256];
	size_t j;

	if ((k = key_find(l->name)) == NULL) {
		unknown_key(buf, sizeof(buf), l->name);
		return perr(ps, l->lineno, "key '%s': %s", l->name, buf);
	}
	if ((why = scope_error(k, where)) != NULL)
		return perr(ps, l->lineno, "key '%s': %s", l->name, why);
	for (j = hdr + 1; j < i; j++) {
		prev = &ps->ini->lines[j];
		if (prev->kind != INI_KEY || ps->skip[j])
			continue;
		if (strcmp(prev->name, l->name) == 0 && !key_is_list(k))
			return perr(ps, l->lineno, "key '%s': duplicate (first "
			    "at line %d)%s", l->name, prev->lineno,
			    k->type == KT_ADDR ? ": list several addresses "
			    "in one line, separated by commas" : "");
		if (k->group && key_find(prev->name)->group == k->group)
			return perr(ps, l->lineno, "key '%s': '%s' is already "
			    "set (line %d): use only one of password, "
			    "password-file, password-command", l->name,
			    prev->name, prev->lineno);
	}
	return 1;	/* fine */
}

/*
 * Check section names and keys in file order, before any value.  Lines
 * with an error are marked skip, and so are the keys of a bad section.
 */
static int
check_structure(struct parse *ps, size_t *global_hdr, int *has_global)
{
	struct ini *ini = ps->ini;
	const struct ini_line *l;
	enum kscope where = KS_BOTH;
	size_t i, hdr = 0;
	int insect = 0, bad = 0, r;

	*has_global = 0;
	if (check_duplicate_sections(ps) == -1)
		return -1;
	for (i = 0; i < ini->nlines; i++) {
		l = &ini->lines[i];
		if (l->kind == INI_BAD) {
			/* a broken header: its keys belong to no section */
			if (l->raw[strspn(l->raw, " \t")] == '[')
				insect = bad = 1;
			continue;
		}
		if (l->kind == INI_SECTION) {
			insect = 1;
			hdr = i;
			if ((bad = ps->skip[i]) != 0)
				continue;
			if (check_section(ps, l, &where) == -1)
				return -1;
			if ((bad = where == KS_BOTH) != 0) {
				ps->skip[i] = 1;
				continue;
			}
			if (where == KS_FEED)
				ps->nsections++;
			else if (!*has_global) {
				*global_hdr = i;
				*has_global = 1;
			}
			continue;
		}
		if (l->kind != INI_KEY)
			continue;
		if (bad) {
			ps->skip[i] = 1;
			continue;
		}
		if (!insect)
			r = perr(ps, l->lineno, "key '%s': outside a section "
			    "(start with [rss2mail])", l->name);
		else
			r = check_key_line(ps, hdr, i, where);
		if (r == -1)
			return -1;
		if (r == 0)
			ps->skip[i] = 1;
	}
	return 0;
}

/* Apply the keys of the section at hdr; base per scope. */
static int
apply_section(struct parse *ps, size_t hdr, struct config_settings *s,
    void *scoped)
{
	struct ini *ini = ps->ini;
	const struct ini_line *l;
	const struct key *k, *o;
	size_t i, j, end = ini_section_end(ini, hdr);
	char why[256];

	for (i = hdr + 1; i < end; i++) {
		l = &ini->lines[i];
		if (l->kind != INI_KEY || ps->skip[i])
			continue;
		k = key_find(l->name);
		if (key_set(k, k->scope == KS_BOTH ? (void *)s : scoped,
		    l->value, why, sizeof(why)) == -1) {
			ps->skip[i] = 1;
			if (perr(ps, l->lineno, "key '%s': %s", l->name,
			    why) == -1)
				return -1;
			continue;
		}
		if (key_is_list(k)) {
			struct config_list *cl = (struct config_list *)
			    ((char *)(k->scope == KS_BOTH ? (void *)s :
			    scoped) + k->off);

			cl->line[cl->n - 1] = l->lineno;
		}
		/* a feed's password source replaces the inherited one */
		for (j = 0; k->group && j < NKEYS; j++) {
			o = &keys[j];
			if (o != k && o->group == k->group)
				set_string(s, o->off, NULL);
		}
	}
	return 0;
}

/* 1 when the section at hdr has a line for key (maybe a bad one, then
 * already reported). */
static int
has_key_line(struct parse *ps, int has_hdr, size_t hdr, const char *key)
{
	size_t i;

	return has_hdr && ini_find_key(ps->ini, hdr, key, &i) == 0;
}

/*
 * The transport's own required keys, and the envelope rule: envelope-from
 * must be in from's domain.  Reported at the key's line when this section
 * has it, else at the section's.
 */
static int
check_transport(struct parse *ps, const struct config_settings *s,
    int has_hdr, size_t hdr, const char *where)
{
	int line = has_hdr ? ps->ini->lines[hdr].lineno : 0;
	const char *a, *b;
	size_t i;

	if (s->deliver == CONFIG_DELIVER_SMTP && s->smtp_url == NULL &&
	    !has_key_line(ps, has_hdr, hdr, "smtp-url") &&
	    perr(ps, line, "key 'smtp-url': required when deliver = smtp in "
	    "%s", where) == -1)
		return -1;
	if (s->deliver == CONFIG_DELIVER_LMTP && s->lmtp_url == NULL &&
	    !has_key_line(ps, has_hdr, hdr, "lmtp-url") &&
	    perr(ps, line, "key 'lmtp-url': required when deliver = lmtp in "
	    "%s", where) == -1)
		return -1;
	if (s->envelope_from == NULL || s->from_addr == NULL)
		return 0;
	a = strrchr(s->from_addr, '@');
	b = strrchr(s->envelope_from, '@');
	if (a != NULL && b != NULL && strcasecmp(a, b) == 0)
		return 0;
	if (has_hdr && ini_find_key(ps->ini, hdr, "envelope-from", &i) == 0)
		line = ps->ini->lines[i].lineno;
	else if (has_hdr && ini_find_key(ps->ini, hdr, "from", &i) == 0)
		line = ps->ini->lines[i].lineno;
	return perr(ps, line, "key 'envelope-from': %s is not in the domain "
	    "of from (%s): SPF and DMARC would not align", s->envelope_from,
	    a ? a + 1 : s->from_addr);
}

static int
check_required(struct parse *ps, const struct config_settings *s,
    int has_hdr, size_t hdr, const char *where)
{
	int line = has_hdr ? ps->ini->lines[hdr].lineno : 0;

	if (s->from_addr == NULL && !has_key_line(ps, has_hdr, hdr, "from") &&
	    perr(ps, line, "key 'from': required in %s", where) == -1)
		return -1;
	if (s->to == NULL && !has_key_line(ps, has_hdr, hdr, "to") &&
	    perr(ps, line, "key 'to': required in %s", where) == -1)
		return -1;
	if (s->deliver == CONFIG_DELIVER_IMAP && s->imap_url == NULL &&
	    !has_key_line(ps, has_hdr, hdr, "imap-url") &&
	    perr(ps, line, "key 'imap-url': required when deliver = imap in "
	    "%s", where) == -1)
		return -1;
	return check_transport(ps, s, has_hdr, hdr, where);
}

/* subscribe-folder reads the mailbox: only an IMAP store can be read. */
static int
check_subscribe(struct parse *ps, int has_hdr, size_t hdr)
{
	size_t i;

	int line;

	if (ps->cfg->subscribe_folder == NULL)
		return 0;
	line = has_hdr && ini_find_key(ps->ini, hdr, "subscribe-folder",
	    &i) == 0 ? ps->ini->lines[i].lineno : 0;
	if (ps->cfg->global.deliver != CONFIG_DELIVER_IMAP)
		return perr(ps, line, "key 'subscribe-folder': only with "
		    "deliver = imap (the folder is read over IMAP)");
	/* every message there would be taken for a request */
	if (strcasecmp(ps->cfg->subscribe_folder, "INBOX") == 0)
		return perr(ps, line, "key 'subscribe-folder': not INBOX: "
		    "name a folder of its own");
	return 0;
}

static int
parse_feeds(struct parse *ps)
{
	struct ini *ini = ps->ini;
	struct config *cfg = ps->cfg;
	struct config_feed *f;
	char where[FEED_NAME_MAX + 16];
	size_t i;

	cfg->feeds = xcalloc(ps->nsections + 1, sizeof(*f));
	for (i = 0; i < ini->nlines; i++) {
		if (ini->lines[i].kind != INI_SECTION || ps->skip[i] ||
		    strcmp(ini->lines[i].name, "rss2mail") == 0)
			continue;
		f = &cfg->feeds[cfg->nfeeds++];
		f->name = xstrdup(ini->lines[i].name +
		    strlen(CONFIG_FEED_PREFIX));
		f->line = ini->lines[i].lineno;
		apply_defaults(f, KS_FEED);
		settings_copy(&f->s, &cfg->global);
		if (apply_section(ps, i, &f->s, f) == -1)
			return -1;
		snprintf(where, sizeof(where), "[feed.%s]", f->name);
		if (f->url == NULL && !has_key_line(ps, 1, i, "url") &&
		    perr(ps, f->line, "key 'url': required in %s", where) == -1)
			return -1;
		/* from and to cannot be unset: only imap-url can be missing */
		if (f->s.deliver == CONFIG_DELIVER_IMAP &&
		    f->s.imap_url == NULL && !has_key_line(ps, 1, i,
		    "imap-url") && perr(ps, f->line, "key 'imap-url': required "
		    "when deliver = imap in %s", where) == -1)
			return -1;
		if (check_transport(ps, &f->s, 1, i, where) == -1)
			return -1;
	}
	return 0;
}

static int
parse_text(struct parse *ps, const char *text, size_t len)
{
	size_t ghdr = 0;
	int has_global;

	ps->cfg = xcalloc(1, sizeof(*ps->cfg));
	ps->cfg->path = xstrdup(ps->path);
	config_defaults(ps->cfg);
	if ((ps->collect ? ini_parse_report(ps->path, text, len, &ps->ini,
	    ini_report, ps, ps->err, ps->errlen) : ini_parse(ps->path, text,
	    len, &ps->ini, ps->err, ps->errlen)) == -1)
		return -1;
	ps->skip = xcalloc(ps->ini->nlines + 1, 1);
	if (check_structure(ps, &ghdr, &has_global) == -1 ||
	    (has_global && apply_section(ps, ghdr, &ps->cfg->global,
	    ps->cfg) == -1) ||
	    check_required(ps, &ps->cfg->global, has_global, ghdr,
	    "[rss2mail]") == -1 ||
	    check_subscribe(ps, has_global, ghdr) == -1 ||
	    parse_feeds(ps) == -1)
		return -1;
	return ps->nerrs > 0 ? -1 : 0;
}

static void
parse_free(struct parse *ps)
{
	size_t i;

	for (i = 0; i < ps->nerrs; i++)
		free(ps->errs[i].msg);
	free(ps->errs);
	free(ps->skip);
	ini_free(ps->ini);
	config_free(ps->cfg);
}

int
config_parse(const char *path, const char *text, size_t len,
    struct config **out, char *err, size_t errlen)
{
	struct parse ps;
	int r = -1;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.path = path;
	ps.err = err;
	ps.errlen = errlen;
	if (parse_text(&ps, text, len) == 0) {
		*out = ps.cfg;
		ps.cfg = NULL;
		r = 0;
	}
	parse_free(&ps);
	return r;
}

static int
cmp_perror(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int read_config(const char *, struct buf *, char *, size_t);

int
config_check(const char *path, config_report_fn *report, void *ctx,
    char *err, size_t errlen)
{
	struct buf text = BUF_INIT(0);
	struct parse ps;
	char msg[ERRLEN];
	size_t i;
	int r = -1;

	memset(&ps, 0, sizeof(ps));
	if (read_config(path, &text, err, errlen) == -1)
		goto out;
	ps.path = path;
	ps.err = msg;
	ps.errlen = sizeof(msg);
	ps.collect = 1;
	if (parse_text(&ps, buf_str(&text), text.len) == -1 &&
	    ps.nerrs == 0) {
		/* the whole input failed (too large) */
		errf(err, errlen, "%s", msg);
		goto out;
	}
	if (ps.nerrs > 0)
		qsort(ps.errs, ps.nerrs, sizeof(*ps.errs), cmp_perror);
	for (i = 0; i < ps.nerrs; i++)
		report(ctx, ps.errs[i].msg);
	r = (int)ps.nerrs;
out:
	parse_free(&ps);
	buf_free(&text);
	return r;
}

int
config_check_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		errf(err, errlen, "%s: is a directory, not a config file",
		    path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	return 0;
}

static int
read_config(const char *path, struct buf *text, char *err, size_t errlen)
{
	if (config_check_regular(path, err, errlen) == -1)
		return -1;
	return fs_read_file(path, LIM_CONFIG_SIZE, text, err, errlen);
}

int
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct buf text = BUF_INIT(0);
	int r;

	*out = NULL;
	if (read_config(path, &text, err, errlen) == -1) {
		buf_free(&text);
		return -1;
	}
	r = config_parse(path, buf_str(&text), text.len, out, err, errlen);
	buf_free(&text);
	return r;
}

char *
config_default_path(void)
{
	const char *env = getenv("RSS2MAIL_CONFIG");
	struct buf b = BUF_INIT(0);

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	env = getenv("XDG_CONFIG_HOME");
	if (env != NULL && env[0] == '/') {
		buf_printf(&b, "%s/rss2mail/config.ini", env);
		return buf_steal(&b);
	}
	return fs_expand_path("~/.config/rss2mail/config.ini");
}
