/*
 * sendmail.c - delivery through a local sendmail program (smtp.h has the
 * contract of sendmail_send).
 *
 * `PROGRAM -i -f FROM -- TO...` through fork and execv: no shell, so no
 * address is ever parsed by one, and "--" ends the options, so a recipient
 * cannot become one.  -i: a line holding a lone "." is text, not the end.
 * The message goes to its stdin with LF line ends (the local convention
 * of every sendmail); stdout is discarded; stderr is read at the same time
 * as stdin is written (so neither pipe can fill up and stall both sides),
 * and its first line explains a failure.  Exit status 0 means queued.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"
#include "util.h"

#define SENDMAIL_ERR_KEEP	512	/* bytes of stderr kept */
#define SENDMAIL_CHUNK		65536

/* sysexits.h's temporary ones: EX_OSERR, EX_IOERR, EX_TEMPFAIL */
static int
exit_temporary(int code)
{
	return code == 71 || code == 74 || code == 75;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next piece of data with CRLF turned into LF: *n bytes from *p. */
static size_t
next_piece(const char *data, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t n = 0;

	while (*off < len && n < outlen) {
		if (data[*off] == '\r' && *off + 1 < len &&
		    data[*off + 1] == '\n') {
			(*off)++;
			continue;
		}
		out[n++] = data[(*off)++];
	}
	return n;
}

static void
child(const char *program, char **argv, int in, int errfd)
{
	int null;

	(void)signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	if ((null = open("/dev/null", O_WRONLY)) < 0 || dup2(null, 1) < 0)
		_exit(127);
	execv(program, argv);
	_exit(127);
}

enum smtp_status
sendmail_send(const char *program, const char *from,
    const char *const *rcpt, size_t nrcpt, const char *data, size_t len,
    long timeout, char *err, size_t errlen)
{
	char **argv = NULL, *piece = NULL, errtext[SENDMAIL_ERR_KEEP + 1];
	int inp[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0;
	enum smtp_status st = SMTP_STORE;
	size_t i, off = 0, plen = 0, pdone = 0, elen = 0;
	long long deadline;
	struct pollfd pfd[2];
	pid_t pid = -1, w;
	ssize_t r;
	int timed_out = 0;

	errtext[0] = '\0';
	if (program == NULL || access(program, X_OK) != 0) {
		errf(err, errlen, "sendmail %s: cannot run it: %s",
		    program ? program : "(none)", strerror(errno));
		return SMTP_STORE;
	}
	if (from == NULL || *from == '\0' || *from == '-' || nrcpt == 0) {
		errf(err, errlen, "sendmail: no envelope sender or recipient");
		return SMTP_PERM;
	}
	argv = xcalloc(nrcpt + 7, sizeof(*argv));
	argv[0] = (char *)program;
	argv[1] = "-i";
	argv[2] = "-f";
	argv[3] = (char *)from;
	argv[4] = "--";
	for (i = 0; i < nrcpt; i++)
		argv[5 + i] = (char *)rcpt[i];
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		errf(err, errlen, "sendmail: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		errf(err, errlen, "sendmail: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(program, argv, inp[0], errp[1]);
	close(inp[0]);
	close(errp[1]);
	inp[0] = errp[1] = -1;
	(void)fcntl(inp[1], F_SETFL, fcntl(inp[1], F_GETFL) | O_NONBLOCK);
	piece = xmalloc(SENDMAIL_CHUNK);
	deadline = now_ms() + (timeout > 0 ? timeout : 60) * 1000;
	while (errp[0] >= 0 || inp[1] >= 0) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (inp[1] >= 0 && pdone == plen) {
			plen = next_piece(data, len, &off, piece,
			    SENDMAIL_CHUNK);
			pdone = 0;
			if (plen == 0) {
				close(inp[1]);	/* end of the message */
				inp[1] = -1;
			}
		}
		pfd[0].fd = errp[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = inp[1];
		pfd[1].events = POLLOUT;
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (inp[1] >= 0 && (pfd[1].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			r = write(inp[1], piece + pdone, plen - pdone);
			if (r > 0)
				pdone += (size_t)r;
			else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				/* it stopped reading: its status says why */
				close(inp[1]);
				inp[1] = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[4096];

			r = read(errp[0], buf, sizeof(buf));
			if (r <= 0 && !(r < 0 && errno == EINTR)) {
				close(errp[0]);
				errp[0] = -1;
			} else if (r > 0 && elen < SENDMAIL_ERR_KEEP) {
				size_t k = (size_t)r;

				if (k > SENDMAIL_ERR_KEEP - elen)
					k = SENDMAIL_ERR_KEEP - elen;
				memcpy(errtext + elen, buf, k);
				elen += k;
				errtext[elen] = '\0';
			}
		}
	}
	if (timed_out)
		(void)kill(pid, SIGKILL);
	for (;;) {
		w = waitpid(pid, &status, timed_out ? 0 : WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (w == 0 && now_ms() > deadline) {
			timed_out = 1;
			(void)kill(pid, SIGKILL);
			continue;
		}
		if (w == 0)
			(void)poll(NULL, 0, 10);
	}
	errtext[strcspn(errtext, "\r\n")] = '\0';
	for (i = 0; errtext[i]; i++)
		if ((unsigned char)errtext[i] < ' ')
			errtext[i] = '?';
	if (timed_out) {
		errf(err, errlen, "sendmail %s: no exit after %lds; killed",
		    program, timeout);
		st = SMTP_TEMP;
	} else if (w != pid) {
		errf(err, errlen, "sendmail %s: waitpid: %s", program,
		    strerror(errno));
		st = SMTP_STORE;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		st = inp[1] < 0 && off == len ? SMTP_OK : SMTP_TEMP;
		if (st != SMTP_OK)
			errf(err, errlen, "sendmail %s: exited before "
			    "reading the whole message", program);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		errf(err, errlen, "sendmail %s: cannot run it%s%s", program,
		    errtext[0] ? ": " : "", errtext);
		st = SMTP_STORE;
	} else if (WIFEXITED(status)) {
		st = exit_temporary(WEXITSTATUS(status)) ? SMTP_TEMP :
		    SMTP_PERM;
		errf(err, errlen, "sendmail %s: exit %d%s%s", program,
		    WEXITSTATUS(status), errtext[0] ? ": " : "", errtext);
	} else {
		st = SMTP_TEMP;
		errf(err, errlen, "sendmail %s: killed by signal %d%s%s",
		    program, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		    errtext[0] ? ": " : "", errtext);
	}
out:
	for (i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	free(piece);
	free(argv);
	return st;
}

/* -- struct deliver_ops ------------------------------------------------- */

struct sendmail {
	char		*program;
	char		*from;
	char		**rcpt;
	size_t		 nrcpt;
	long		 timeout;
	enum smtp_status last;
};

static void
sm_close(void *ctx)
{
	struct sendmail *m = ctx;
	size_t i;

	if (m == NULL)
		return;
	free(m->program);
	free(m->from);
	for (i = 0; i < m->nrcpt; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	free(m);
}

enum deliver_status
sendmail_deliver_open(void **ctx, const char *program, const char *from,
    const char *const *rcpt, size_t nrcpt, long timeout, char *err,
    size_t errlen)
{
	struct sendmail *m;
	size_t i;

	*ctx = NULL;
	if (program == NULL)
		program = "/usr/sbin/sendmail";
	if (from == NULL || *from == '\0' || nrcpt == 0) {
		errf(err, errlen, "sendmail: no envelope sender or recipient "
		    "configured");
		return DELIVER_STORE;
	}
	if (access(program, X_OK) != 0) {
		errf(err, errlen, "sendmail %s: cannot run it: %s", program,
		    strerror(errno));
		return DELIVER_STORE;
	}
	m = xcalloc(1, sizeof(*m));
	m->program = xstrdup(program);
	m->from = xstrdup(from);
	m->rcpt = xcalloc(nrcpt, sizeof(*m->rcpt));
	for (i = 0; i < nrcpt; i++)
		m->rcpt[m->nrcpt++] = xstrdup(rcpt[i]);
	m->timeout = timeout;
	*ctx = m;
	return DELIVER_OK;
}

static enum deliver_status
sm_open(void **ctx, const struct deliver_cfg *dc, char *err, size_t errlen)
{
	return sendmail_deliver_open(ctx, dc->sendmail, dc->envelope_from,
	    dc->rcpt, dc->nrcpt, dc->timeout, err, errlen);
}

/* check: the program can be run and there is an envelope; nothing sent */
static enum deliver_status
sm_probe(const struct deliver_cfg *dc, enum deliver_refusal *refused,
    char *err, size_t errlen)
{
	enum deliver_status ds;
	void *ctx;

	*refused = DELIVER_REFUSED_NONE;
	ds = sm_open(&ctx, dc, err, errlen);
	sm_close(ctx);
	return ds;
}

static enum deliver_status
sm_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	(void)ctx;
	(void)folder;
	(void)err;
	(void)errlen;
	return DELIVER_OK;
}

static enum deliver_status
sm_has_msgid(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	(void)ctx;
	(void)folder;
	(void)msgid;
	(void)err;
	(void)errlen;
	*found = 0;
	return DELIVER_OK;
}

static enum deliver_status
sm_append(void *ctx, const char *folder, struct deliver_msg *msgs, size_t n,
    size_t *done, char *err, size_t errlen)
{
	struct sendmail *m = ctx;
	enum smtp_status st;

	(void)folder;
	for (*done = 0; *done < n; (*done)++) {
		st = sendmail_send(m->program, m->from,
		    (const char *const *)m->rcpt, m->nrcpt, msgs[*done].data,
		    msgs[*done].len, m->timeout, err, errlen);
		if (st == SMTP_STORE)
			return DELIVER_STORE;
		if (st != SMTP_OK) {
			m->last = st;
			msgs[*done].refused = st == SMTP_PERM ?
			    DELIVER_REFUSED_PERM : DELIVER_REFUSED_TEMP;
			return DELIVER_MSG;
		}
	}
	return DELIVER_OK;
}

enum smtp_status
sendmail_deliver_last(void *ctx)
{
	return ctx != NULL ? ((struct sendmail *)ctx)->last : SMTP_OK;
}

const struct deliver_ops deliver_sendmail = {
	.name = "sendmail",
	.open = sm_open,
	.ensure_folder = sm_ensure_folder,
	.has_msgid = sm_has_msgid,
	.append = sm_append,
	.close = sm_close,
	.remove_msgid = NULL,
	.expire = NULL,
	.probe = sm_probe,
	.unsearchable = 1,
};
