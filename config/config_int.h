/*
 * config_int.h - private to config/: what edit.c and import.c use of the
 * key table and the file checks in config.c.  Not for callers outside
 * config/ (they have config.h, edit.h and import.h).
 */
#ifndef RSS2MAIL_CONFIG_INT_H
#define RSS2MAIL_CONFIG_INT_H

#include <stddef.h>

/* A feed's section is "[feed.NAME]". */
#define CONFIG_FEED_PREFIX	"feed."
/* What config_valid_name wants, for the error text that names a bad one. */
#define CONFIG_NAME_RULE	"use letters, digits, '.', '_' and '-', not " \
				"starting with '.'"

/*
 * May key = value be written into a [feed.NAME] section?  The key must be
 * known and allowed there, and the value must pass the check config_load
 * would make (value NULL: only the key is checked, for a deletion).  0, or
 * -1 with err "key 'k': reason" (the key shown without control
 * characters).  Touches no file.
 */
int	config_check_feed_key(const char *key, const char *value, char *err,
	    size_t errlen);

/* The scheme of u in lower case into out ("http"), or "" when u has none
 * or it does not fit in outlen. */
void	config_url_scheme(const char *u, char *out, size_t outlen);

/* 0 when path names a regular file (after symlinks), else -1 with err
 * "PATH: reason" (a directory is named as such). */
int	config_check_regular(const char *path, char *err, size_t errlen);

/* value.c: the value checks and parsers, 0 or -1 with the reason in why. */
int	config_check_header(const char *v, char *why, size_t whylen);
int	config_check_template(const char *v, const char *vars, char *why,
	    size_t whylen);
int	config_check_oneline(const char *v, char *why, size_t whylen);
int	config_check_addr_spec(const char *a, char *why, size_t whylen);
/* "Display Name <addr@dom>", "\"Name\" <addr>" or "addr@dom"; *name and
 * *addr malloc'd. */
int	config_parse_mailbox(const char *v, char **name, char **addr,
	    char *why, size_t whylen);
/* `to`: one mailbox or a comma-separated list of them (util.h's
 * util_addr_list_next), at most LIM_RCPT, none twice; *addrs gets the
 * addr-specs in order (free with config_addrs_free). */
int	config_parse_to(const char *v, char ***addrs, size_t *n,
	    char *why, size_t whylen);
void	config_addrs_free(char **addrs, size_t n);
int	config_check_net_url(const char *v, const char *scheme, char *why,
	    size_t whylen);
/* "10M", "512k", "1GB" or bytes. */
int	config_parse_size(const char *v, long long *out);
/* yes/true/on/1, no/false/off/0. */
int	config_parse_bool(const char *v, int *out);

#endif
