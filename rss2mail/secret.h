/*
 * secret.h - resolving the mailbox password (or OAuth token) once per run.
 *
 * Sources, at most one configured: password-command (run with /bin/sh -c,
 * its first output line, bounded in time and size), password-file (its
 * first line), password (in the config file itself).  A file holding a
 * secret that group or others can read is refused, with the command that
 * fixes it.
 */
#ifndef RSS2MAIL_SECRET_H
#define RSS2MAIL_SECRET_H

#include <stddef.h>

#define SECRET_MAX		4096
#define SECRET_CMD_TIMEOUT	60	/* seconds */

/*
 * *out is a malloc'd secret (caller frees, after wiping), or NULL when no
 * source is configured.  config_path is checked when password is given.
 */
int	secret_resolve(const char *password, const char *password_file,
	    const char *password_command, const char *config_path,
	    char **out, char *err, size_t errlen);
/*
 * Check, without reading any secret or running any command, that the files
 * that would hold it are not readable by group or others: password_file,
 * else the config file itself when it holds a password.  For validating a
 * configuration before anything runs.  0, or -1 with err naming the file.
 */
int	secret_check_modes(const char *password, const char *password_file,
	    const char *config_path, char *err, size_t errlen);
/* Zero and free. */
void	secret_free(char *);

#endif
