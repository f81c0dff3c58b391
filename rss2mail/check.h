/*
 * check.h - `rss2mail check`: everything a run needs, tried without
 * delivering: the config (every error, file:line:key), the state database,
 * the password source, the mailbox (TLS verified, logged in), each target
 * folder (exists or is created), and each feed (fetched once and parsed).
 * A checklist on stdout, one line per item: a check mark or a cross.
 */
#ifndef RSS2MAIL_CHECK_H
#define RSS2MAIL_CHECK_H

/* Returns the exit status: 0 all good, 2 config errors, 1 anything else. */
int	check_main(const char *config_path);

#endif
