/*
 * smtpctl.c - drive the SMTP/LMTP and sendmail backends (smtp/) from tests.
 *
 *   smtpctl send URL FILE...        one session (smtp_open), each FILE sent
 *                                   in order with smtp_send; with
 *                                   SMTPCTL_CONNECTIONS=N, N processes with
 *                                   a session each, process k sending files
 *                                   k, k+N, ... (the rig's ceiling for N
 *                                   parallel clients: make bench-smtp)
 *   smtpctl deliver URL FILE...     the same through struct deliver_ops
 *                                   (smtp_deliver_open, has_msgid, append);
 *                                   URL "sendmail:PROGRAM" uses
 *                                   deliver_sendmail instead
 *   smtpctl probe URL               smtp_probe: no mail is sent
 *   smtpctl sendmail PROGRAM FILE...  sendmail_send for each FILE
 *   smtpctl envelope FROM ENVFROM   smtp_check_envelope
 *
 * Settings come from the environment: SMTPCTL_FROM (envelope sender,
 * required), SMTPCTL_TO (recipients, comma-separated, required),
 * SMTPCTL_USER, SMTPCTL_PASSWORD, SMTPCTL_AUTH, SMTPCTL_TLS (starttls |
 * implicit | none), SMTPCTL_CA, SMTPCTL_FINGERPRINT, SMTPCTL_TIMEOUT
 * (seconds), SMTPCTL_CONNECTIONS (send: sessions at once, default 1).
 *
 * Files may use LF or CRLF line ends (sent as CRLF).  Output, one line per
 * message: "ok FILE" (then "note FILE: TEXT" when some recipients refused
 * it, smtp_note), or "temp|perm|toobig|store FILE: TEXT" (after store
 * nothing more is sent); `send` first prints "open pipelining=0|1 size=N";
 * `deliver` prints "has_msgid found=N" for the first file first.  Errors
 * of open and probe: "store: TEXT" / "perm: TEXT" on stdout.
 * Exit status: 0 all sent, 1 usage or local error, 2 some message refused
 * (temp, perm or toobig), 4 the session failed (store).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "deliver.h"
#include "fsutil.h"
#include "smtp.h"
#include "util.h"

#define CTL_ERRLEN	1024

int main(int, char **);

static const char *
status_name(enum smtp_status st)
{
	switch (st) {
	case SMTP_OK:
		return "ok";
	case SMTP_TEMP:
		return "temp";
	case SMTP_PERM:
		return "perm";
	case SMTP_TOOBIG:
		return "toobig";
	default:
		return "store";
	}
}

/* LF -> CRLF (CRLF kept); returns a malloc'd copy. */
static char *
to_crlf(const char *p, size_t n, size_t *outlen)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			buf_putc(&b, '\r');
		buf_putc(&b, p[i]);
	}
	*outlen = b.len;
	return b.data ? buf_steal(&b) : xstrdup("");
}

static char *
load(const char *path, size_t *len)
{
	struct buf raw = BUF_INIT(64u << 20);
	char err[CTL_ERRLEN], *out;

	if (fs_read_file(path, raw.max, &raw, err, sizeof(err)) < 0) {
		fprintf(stderr, "smtpctl: %s\n", err);
		exit(1);
	}
	out = to_crlf(buf_str(&raw), raw.len, len);
	buf_free(&raw);
	return out;
}

/* SMTPCTL_TO split at commas (the strings live in *store). */
static size_t
recipients(const char **rcpt, size_t max, char **store)
{
	const char *to = getenv("SMTPCTL_TO");
	char *p, *save = NULL;
	size_t n = 0;

	*store = xstrdup(to ? to : "");
	for (p = strtok_r(*store, ",", &save); p != NULL && n < max;
	    p = strtok_r(NULL, ",", &save))
		rcpt[n++] = p;
	return n;
}

static void
config(struct smtp_cfg *c, const char *url, const char **rcpt, size_t n)
{
	const char *t = getenv("SMTPCTL_TLS");

	memset(c, 0, sizeof(*c));
	c->url = url;
	c->tls = t == NULL ? SMTP_TLS_DEFAULT :
	    strcmp(t, "starttls") == 0 ? SMTP_TLS_STARTTLS :
	    strcmp(t, "implicit") == 0 ? SMTP_TLS_IMPLICIT :
	    strcmp(t, "none") == 0 ? SMTP_TLS_NONE : SMTP_TLS_DEFAULT;
	c->ca_file = getenv("SMTPCTL_CA");
	c->fingerprint = getenv("SMTPCTL_FINGERPRINT");
	c->user = getenv("SMTPCTL_USER");
	c->password = getenv("SMTPCTL_PASSWORD");
	c->auth = getenv("SMTPCTL_AUTH");
	c->from = getenv("SMTPCTL_FROM");
	c->rcpt = rcpt;
	c->nrcpt = n;
	c->timeout = getenv("SMTPCTL_TIMEOUT") ?
	    atol(getenv("SMTPCTL_TIMEOUT")) : 20;
}

static int
cmd_send(const struct smtp_cfg *cfg, char **files, int nfiles)
{
	char err[CTL_ERRLEN], *data;
	enum smtp_status st;
	struct smtp *s;
	size_t len;
	int i, rc = 0;

	if ((st = smtp_open(&s, cfg, err, sizeof(err))) != SMTP_OK) {
		printf("%s: %s\n", status_name(st), err);
		return st == SMTP_STORE ? 4 : 1;
	}
	printf("open pipelining=%d size=%zu\n", smtp_pipelining(s),
	    smtp_max_size(s));
	for (i = 0; i < nfiles; i++) {
		data = load(files[i], &len);
		err[0] = '\0';
		st = smtp_send(s, data, len, err, sizeof(err));
		free(data);
		if (st == SMTP_OK)
			printf("ok %s\n", files[i]);
		else
			printf("%s %s: %s\n", status_name(st), files[i], err);
		if (st == SMTP_OK && smtp_note(s)[0] != '\0')
			printf("note %s: %s\n", files[i], smtp_note(s));
		fflush(stdout);
		if (st == SMTP_STORE) {
			rc = 4;
			break;
		}
		if (st != SMTP_OK)
			rc = 2;
	}
	smtp_close(s);
	return rc;
}

/* send over n sessions at once, one process each; the worst exit wins */
static int
cmd_send_par(const struct smtp_cfg *cfg, char **files, int nfiles, int n)
{
	char **mine;
	pid_t *pid;
	int k, i, m, st, rc = 0;

	pid = xcalloc((size_t)n, sizeof(*pid));
	mine = xcalloc((size_t)nfiles + 1, sizeof(*mine));
	fflush(stdout);
	for (k = 0; k < n; k++) {
		if ((pid[k] = fork()) < 0) {
			perror("smtpctl: fork");
			rc = 1;
			break;
		}
		if (pid[k] == 0) {
			for (i = k, m = 0; i < nfiles; i += n)
				mine[m++] = files[i];
			fflush(stdout);
			_exit(cmd_send(cfg, mine, m));
		}
	}
	for (k = 0; k < n && pid[k] > 0; k++) {
		if (waitpid(pid[k], &st, 0) < 0 || !WIFEXITED(st))
			rc = rc > 1 ? rc : 1;
		else if (WEXITSTATUS(st) > rc)
			rc = WEXITSTATUS(st);
	}
	free(mine);
	free(pid);
	return rc;
}

static int
cmd_deliver(const struct smtp_cfg *cfg, char **files, int nfiles)
{
	const struct deliver_ops *ops = &deliver_smtp;
	struct deliver_msg *m;
	char err[CTL_ERRLEN];
	enum deliver_status ds;
	enum smtp_status (*last)(void *) = smtp_deliver_last;
	size_t done = 0, start = 0, k;
	void *ctx = NULL;
	int found = -1, rc = 0;

	if (strncmp(cfg->url, "sendmail:", 9) == 0) {
		ops = &deliver_sendmail;
		last = sendmail_deliver_last;
		ds = sendmail_deliver_open(&ctx, cfg->url + 9, cfg->from,
		    cfg->rcpt, cfg->nrcpt, cfg->timeout, err, sizeof(err));
	} else
		ds = smtp_deliver_open(&ctx, cfg, err, sizeof(err));
	if (ds != DELIVER_OK) {
		printf("store: %s\n", err);
		return 4;
	}
	if (ops->ensure_folder(ctx, "", err, sizeof(err)) != DELIVER_OK ||
	    ops->has_msgid(ctx, "", "<x@example.org>", &found, err,
	    sizeof(err)) != DELIVER_OK) {
		printf("store: %s\n", err);
		ops->close(ctx);
		return 4;
	}
	printf("has_msgid found=%d\n", found);
	m = xcalloc((size_t)nfiles, sizeof(*m));
	for (k = 0; k < (size_t)nfiles; k++)
		m[k].data = load(files[k], &m[k].len);
	while (start < (size_t)nfiles) {
		err[0] = '\0';
		ds = ops->append(ctx, "", m + start, (size_t)nfiles - start,
		    &done, err, sizeof(err));
		for (k = start; k < start + done; k++) {
			printf("ok %s\n", files[k]);
			if (m[k].note[0] != '\0')
				printf("note %s: %s\n", files[k], m[k].note);
		}
		start += done;
		if (ds == DELIVER_OK)
			break;
		if (ds == DELIVER_MSG) {
			printf("%s %s: %s\n", status_name(last(ctx)),
			    files[start], err);
			start++;
			rc = 2;
			continue;
		}
		printf("store %s: %s\n", files[start], err);
		rc = 4;
		break;
	}
	ops->close(ctx);
	for (k = 0; k < (size_t)nfiles; k++)
		free((char *)m[k].data);
	free(m);
	return rc;
}

static int
cmd_sendmail(const char *program, const struct smtp_cfg *cfg, char **files,
    int nfiles)
{
	char err[CTL_ERRLEN], *data;
	enum smtp_status st;
	size_t len;
	int i, rc = 0;

	for (i = 0; i < nfiles; i++) {
		data = load(files[i], &len);
		err[0] = '\0';
		st = sendmail_send(program, cfg->from, cfg->rcpt, cfg->nrcpt,
		    data, len, cfg->timeout, err, sizeof(err));
		free(data);
		if (st == SMTP_OK)
			printf("ok %s\n", files[i]);
		else
			printf("%s %s: %s\n", status_name(st), files[i], err);
		fflush(stdout);
		if (st == SMTP_STORE)
			return 4;
		if (st != SMTP_OK)
			rc = 2;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	const char *rcpt[SMTP_MAX_RCPT + 1];
	char err[CTL_ERRLEN], *store = NULL;
	struct smtp_cfg cfg;
	enum smtp_status st;
	size_t n;
	int rc = 1, conns;

	(void)signal(SIGPIPE, SIG_IGN);
	if (argc < 3) {
		fprintf(stderr, "usage: smtpctl send|deliver|probe|sendmail|"
		    "envelope ARG [FILE...]\n");
		return 1;
	}
	n = recipients(rcpt, SMTP_MAX_RCPT + 1, &store);
	config(&cfg, argv[2], rcpt, n);
	conns = getenv("SMTPCTL_CONNECTIONS") ?
	    atoi(getenv("SMTPCTL_CONNECTIONS")) : 1;
	if (strcmp(argv[1], "send") == 0 && conns > 1)
		rc = cmd_send_par(&cfg, argv + 3, argc - 3, conns);
	else if (strcmp(argv[1], "send") == 0)
		rc = cmd_send(&cfg, argv + 3, argc - 3);
	else if (strcmp(argv[1], "deliver") == 0)
		rc = cmd_deliver(&cfg, argv + 3, argc - 3);
	else if (strcmp(argv[1], "sendmail") == 0)
		rc = cmd_sendmail(argv[2], &cfg, argv + 3, argc - 3);
	else if (strcmp(argv[1], "probe") == 0) {
		st = smtp_probe(&cfg, err, sizeof(err));
		if (st == SMTP_OK)
			printf("ok\n");
		else
			printf("%s: %s\n", status_name(st), err);
		rc = st == SMTP_OK ? 0 : st == SMTP_STORE ? 4 : 2;
	} else if (strcmp(argv[1], "envelope") == 0 && argc == 4) {
		rc = smtp_check_envelope(argv[2], argv[3], err,
		    sizeof(err)) == 0 ? 0 : 2;
		printf("%s\n", rc == 0 ? "ok" : err);
	} else
		fprintf(stderr, "smtpctl: unknown command %s\n", argv[1]);
	free(store);
	return rc;
}
