/*
 * secret.c - the password sources (see secret.h).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "secret.h"
#include "util.h"
#include "fsutil.h"

static int
secret_check_mode(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		errf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		errf(err, errlen, "%s %s holds a secret but group or others "
		    "can read it; fix with: chmod 600 %s", what, path, path);
		return -1;
	}
	return 0;
}

/* First line, without CR/LF. */
static char *
secret_first_line(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] != '\n' && p[i] != '\r'; i++)
		;
	return xstrndup(p, i);
}

static int
secret_command(const char *cmd, char **out, char *err, size_t errlen)
{
	struct buf b = BUF_INIT(SECRET_MAX);
	char chunk[512];
	struct pollfd pfd;
	time_t deadline = time(NULL) + SECRET_CMD_TIMEOUT;
	pid_t pid;
	ssize_t n;
	int fds[2], status, r = -1, timed_out = 0;

	if (pipe(fds) == -1) {
		errf(err, errlen, "password-command: pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		errf(err, errlen, "password-command: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull != -1)
			dup2(devnull, 0);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		int left = (int)(deadline - time(NULL));

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, left * 1000) <= 0) {
			if (errno == EINTR)
				continue;
			timed_out = 1;
			break;
		}
		n = read(fds[0], chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) == -1) {
			errf(err, errlen, "password-command: output over %d "
			    "bytes", SECRET_MAX);
			kill(pid, SIGKILL);
			break;
		}
		/* the first line is all we take: a background child of the
		 * command that keeps the pipe open must not hold us up */
		if (memchr(b.data, '\n', b.len) != NULL)
			break;
	}
	close(fds[0]);
	if (timed_out) {
		kill(pid, SIGKILL);
		errf(err, errlen, "password-command: no answer within %d s",
		    SECRET_CMD_TIMEOUT);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (timed_out || b.overflow)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errf(err, errlen, "password-command failed (exit status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	*out = secret_first_line(buf_str(&b), b.len);
	if (**out == '\0') {
		errf(err, errlen, "password-command printed nothing");
		secret_free(*out);
		*out = NULL;
		goto out;
	}
	r = 0;
out:
	if (b.data)
		memset(b.data, 0, b.cap);
	buf_free(&b);
	return r;
}

int
secret_resolve(const char *password, const char *password_file,
    const char *password_command, const char *config_path, char **out,
    char *err, size_t errlen)
{
	struct buf b = BUF_INIT(SECRET_MAX);
	int r = -1;

	*out = NULL;
	if (password_command)
		return secret_command(password_command, out, err, errlen);
	if (password_file) {
		if (secret_check_mode("password-file", password_file, err,
		    errlen) == -1 || fs_read_file(password_file, SECRET_MAX,
		    &b, err, errlen) == -1)
			goto out;
		*out = secret_first_line(buf_str(&b), b.len);
		r = 0;
		goto out;
	}
	if (password) {
		if (config_path && secret_check_mode("config file",
		    config_path, err, errlen) == -1)
			return -1;
		*out = xstrdup(password);
	}
	return 0;
out:
	if (b.data)
		memset(b.data, 0, b.cap);
	buf_free(&b);
	return r;
}

int
secret_check_modes(const char *password, const char *password_file,
    const char *config_path, char *err, size_t errlen)
{
	if (password_file)
		return secret_check_mode("password-file", password_file, err,
		    errlen);
	if (password && config_path)
		return secret_check_mode("config file", config_path, err,
		    errlen);
	return 0;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	memset(s, 0, strlen(s));
	free(s);
}
