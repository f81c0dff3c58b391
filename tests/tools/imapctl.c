/*
 * imapctl.c - drive the IMAP backend (deliver_imap) from tests.
 *
 *   imapctl check  URL                       connect, log in, close
 *   imapctl ensure URL FOLDER                ensure_folder
 *   imapctl append URL FOLDER FILE...        ensure_folder, then one
 *                                            append() of all FILEs
 *   imapctl has    URL FOLDER MSGID          prints "found" or "missing"
 *   imapctl remove URL FOLDER MSGID          remove_msgid: prints "removed
 *                                            FLAGS" or "none"
 *   imapctl expire URL FOLDER DAYS           expire seen, unflagged mail
 *                                            older than DAYS: "expired N"
 *   imapctl bench  URL FOLDER N SIZE BATCH   append N generated messages
 *                                            of ~SIZE bytes, BATCH per call
 *   imapctl script URL                       one session, commands on stdin:
 *       ensure FOLDER | has FOLDER MSGID | append FOLDER FILE...
 *       (FOLDER "-" = the default folder); one answer line each:
 *       "ok [found|missing|appended N uids U,U...]" or "err CODE TEXT"
 *
 * FOLDER "" means the default folder.  Settings come from the environment:
 * IMAPCTL_PASSWORD (required), IMAPCTL_USER, IMAPCTL_TLS (implicit |
 * starttls | none), IMAPCTL_CA, IMAPCTL_FINGERPRINT, IMAPCTL_AUTH,
 * IMAPCTL_FLAGS, IMAPCTL_MSGFLAGS (per-message flags of appended files,
 * overriding IMAPCTL_FLAGS), IMAPCTL_TIMEOUT (seconds), IMAPCTL_DATE (epoch seconds,
 * the INTERNALDATE of appended files; else each file's Date is not parsed
 * and the current time is used).
 *
 * Files may use LF or CRLF line ends (sent as CRLF); the Message-ID header
 * is read from each file.  Output: one line per appended message
 * "ok FILE uid=N", then "appended N"; errors go to stderr as one line.
 * Exit status: 0 ok, 1 usage or local error, 2 DELIVER_MSG, 3
 * DELIVER_FOLDER, 4 DELIVER_STORE.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deliver.h"
#include "limits.h"
#include "util.h"
#include "fsutil.h"

int main(int, char **);

static int
status_exit(enum deliver_status st)
{
	switch (st) {
	case DELIVER_OK:
		return 0;
	case DELIVER_MSG:
		return 2;
	case DELIVER_FOLDER:
		return 3;
	default:
		return 4;
	}
}

static void
read_cfg(struct deliver_cfg *cfg, const char *url)
{
	const char *t;

	memset(cfg, 0, sizeof(*cfg));
	cfg->imap_url = url;
	cfg->password = getenv("IMAPCTL_PASSWORD");
	cfg->user = getenv("IMAPCTL_USER");
	cfg->ca_file = getenv("IMAPCTL_CA");
	cfg->fingerprint = getenv("IMAPCTL_FINGERPRINT");
	cfg->auth = getenv("IMAPCTL_AUTH");
	cfg->flags = getenv("IMAPCTL_FLAGS");
	cfg->timeout = getenv("IMAPCTL_TIMEOUT") ?
	    atol(getenv("IMAPCTL_TIMEOUT")) : 30;
	t = getenv("IMAPCTL_TLS");
	if (t == NULL || *t == '\0')
		cfg->tls = DELIVER_TLS_DEFAULT;
	else if (strcmp(t, "implicit") == 0)
		cfg->tls = DELIVER_TLS_IMPLICIT;
	else if (strcmp(t, "starttls") == 0)
		cfg->tls = DELIVER_TLS_STARTTLS;
	else
		cfg->tls = DELIVER_TLS_NONE;
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

/* The Message-ID header value of a message (malloc'd) or NULL. */
static char *
find_msgid(const char *p, size_t n)
{
	const char *e = p + n, *l, *v, *end;

	for (l = p; l < e; l = end + 1) {
		end = memchr(l, '\n', (size_t)(e - l));
		if (end == NULL)
			end = e;
		if (end == l || (end == l + 1 && *l == '\r'))
			break;		/* end of the header */
		if ((size_t)(end - l) > 11 &&
		    strncasecmp(l, "Message-ID:", 11) == 0) {
			v = l + 11;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' '))
				end--;
			return xstrndup(v, (size_t)(end - v));
		}
		if (end == e)
			break;
	}
	return NULL;
}

static int
cmd_append(void *ctx, const char *folder, char **files, int nfiles)
{
	struct deliver_msg *m;
	struct buf raw = BUF_INIT(64u << 20);
	char err[ERRLEN];
	enum deliver_status st;
	time_t date = getenv("IMAPCTL_DATE") ?
	    (time_t)atoll(getenv("IMAPCTL_DATE")) : time(NULL);
	size_t done = 0, len;
	int i, rc;

	m = xcalloc((size_t)nfiles, sizeof(*m));
	for (i = 0; i < nfiles; i++) {
		buf_reset(&raw);
		if (fs_read_file(files[i], raw.max, &raw, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "imapctl: %s\n", err);
			return 1;
		}
		m[i].data = to_crlf(buf_str(&raw), raw.len, &len);
		m[i].len = len;
		m[i].msgid = find_msgid(m[i].data, m[i].len);
		m[i].date = date;
		m[i].flags = getenv("IMAPCTL_MSGFLAGS");
	}
	err[0] = '\0';
	/* as run does: the folder first (IMAPCTL_NOENSURE=1 skips it) */
	if (getenv("IMAPCTL_NOENSURE") == NULL &&
	    (st = deliver_imap.ensure_folder(ctx, folder, err, sizeof(err)))
	    != DELIVER_OK) {
		fprintf(stderr, "%s\n", err);
		return status_exit(st);
	}
	st = deliver_imap.append(ctx, folder, m, (size_t)nfiles, &done, err,
	    sizeof(err));
	for (i = 0; i < (int)done; i++)
		printf("ok %s uid=%u\n", files[i], m[i].uid);
	printf("appended %zu\n", done);
	if (st != DELIVER_OK)
		fprintf(stderr, "%s\n", err);
	rc = status_exit(st);
	for (i = 0; i < nfiles; i++) {
		free((char *)m[i].data);
		free((char *)m[i].msgid);
	}
	free(m);
	buf_free(&raw);
	return rc;
}

/* Generated ~size-byte messages, appended batch at a time; prints rate. */
static int
cmd_bench(void *ctx, const char *folder, long n, long size, long batch)
{
	struct deliver_msg *m;
	struct timespec t0, t1;
	char err[ERRLEN], date[40];
	enum deliver_status st;
	size_t done, i, k, sent = 0;
	struct buf b = BUF_INIT(0);
	double secs;

	if (n <= 0 || size < 200 || batch <= 0)
		return 1;
	m = xcalloc((size_t)n, sizeof(*m));
	util_rfc5322_date(time(NULL), date);
	for (i = 0; i < (size_t)n; i++) {
		buf_reset(&b);
		buf_printf(&b, "From: Bench <bench@example.org>\r\n"
		    "To: me@example.org\r\nSubject: bench %zu\r\n"
		    "Date: %s\r\nMessage-ID: <bench.%ld.%ld.%zu@example.org>\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n\r\n",
		    i, date, (long)time(NULL), (long)getpid(), i);
		while (b.len + 78 < (size_t)size)
			buf_puts(&b, "Lorem ipsum dolor sit amet, consectetur "
			    "adipiscing elit, sed do eiusmod tempo\r\n");
		m[i].len = b.len;
		m[i].data = buf_steal(&b);
		m[i].date = time(NULL);
	}
	if ((st = deliver_imap.ensure_folder(ctx, folder, err, sizeof(err)))
	    != DELIVER_OK) {
		fprintf(stderr, "%s\n", err);
		return status_exit(st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < (size_t)n; i += k) {
		k = (size_t)batch;
		if (k > (size_t)n - i)
			k = (size_t)n - i;
		done = 0;
		st = deliver_imap.append(ctx, folder, m + i, k, &done, err,
		    sizeof(err));
		sent += done;
		if (st != DELIVER_OK) {
			fprintf(stderr, "%s\n", err);
			return status_exit(st);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("appended %zu in %.3f s: %.1f messages/s\n", sent, secs,
	    secs > 0 ? (double)sent / secs : 0.0);
	for (i = 0; i < (size_t)n; i++)
		free((char *)m[i].data);
	free(m);
	return 0;
}

/* Answer one script line; returns -1 at a bad command. */
static int
script_line(void *ctx, char *line)
{
	char *av[64], *save = NULL, *tok, err[ERRLEN];
	struct deliver_msg *m;
	struct buf raw = BUF_INIT(64u << 20);
	enum deliver_status st;
	const char *folder;
	size_t done = 0, len, i;
	int ac = 0, found = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok && ac < 64;
	    tok = strtok_r(NULL, " \t\r\n", &save))
		av[ac++] = tok;
	if (ac < 2)
		return -1;
	folder = strcmp(av[1], "-") == 0 ? "" : av[1];
	err[0] = '\0';
	if (strcmp(av[0], "ensure") == 0 && ac == 2) {
		st = deliver_imap.ensure_folder(ctx, folder, err, sizeof(err));
		if (st == DELIVER_OK)
			printf("ok\n");
	} else if (strcmp(av[0], "has") == 0 && ac == 3) {
		st = deliver_imap.has_msgid(ctx, folder, av[2], &found, err,
		    sizeof(err));
		if (st == DELIVER_OK)
			printf("ok %s\n", found ? "found" : "missing");
	} else if (strcmp(av[0], "append") == 0 && ac >= 3) {
		m = xcalloc((size_t)(ac - 2), sizeof(*m));
		for (i = 0; i < (size_t)(ac - 2); i++) {
			buf_reset(&raw);
			if (fs_read_file(av[i + 2], raw.max, &raw, err,
			    sizeof(err)) < 0)
				return -1;
			m[i].data = to_crlf(buf_str(&raw), raw.len, &len);
			m[i].len = len;
			m[i].date = time(NULL);
		}
		st = deliver_imap.append(ctx, folder, m, (size_t)(ac - 2),
		    &done, err, sizeof(err));
		if (st == DELIVER_OK) {
			printf("ok appended %zu uids", done);
			for (i = 0; i < done; i++)
				printf("%c%u", i ? ',' : ' ', m[i].uid);
			printf("\n");
		} else {
			printf("appended %zu\n", done);
		}
		for (i = 0; i < (size_t)(ac - 2); i++)
			free((char *)m[i].data);
		free(m);
	} else {
		buf_free(&raw);
		return -1;
	}
	if (st != DELIVER_OK)
		printf("err %d %s\n", status_exit(st), err);
	fflush(stdout);
	buf_free(&raw);
	return 0;
}

static int
cmd_script(void *ctx)
{
	char line[8192];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (script_line(ctx, line) < 0) {
			printf("err 1 bad command\n");
			fflush(stdout);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct deliver_cfg cfg;
	char err[ERRLEN];
	enum deliver_status st;
	void *ctx = NULL;
	int found = 0, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: imapctl check|ensure|append|has|bench "
		    "URL [FOLDER ...]\n");
		return 1;
	}
	/* as main.c: a write to a dropped connection must not kill us */
	signal(SIGPIPE, SIG_IGN);
	read_cfg(&cfg, argv[2]);
	err[0] = '\0';
	st = deliver_imap.open(&ctx, &cfg, err, sizeof(err));
	if (st != DELIVER_OK) {
		fprintf(stderr, "%s\n", err);
		return status_exit(st);
	}
	if (strcmp(argv[1], "check") == 0) {
		printf("ok\n");
	} else if (strcmp(argv[1], "ensure") == 0 && argc == 4) {
		st = deliver_imap.ensure_folder(ctx, argv[3], err, sizeof(err));
		if (st != DELIVER_OK)
			fprintf(stderr, "%s\n", err);
		rc = status_exit(st);
	} else if (strcmp(argv[1], "append") == 0 && argc >= 5) {
		rc = cmd_append(ctx, argv[3], argv + 4, argc - 4);
	} else if (strcmp(argv[1], "has") == 0 && argc == 5) {
		st = deliver_imap.has_msgid(ctx, argv[3], argv[4], &found, err,
		    sizeof(err));
		if (st != DELIVER_OK)
			fprintf(stderr, "%s\n", err);
		else
			printf("%s\n", found ? "found" : "missing");
		rc = status_exit(st);
	} else if (strcmp(argv[1], "remove") == 0 && argc == 5) {
		char *flags = NULL;

		st = deliver_imap.remove_msgid(ctx, argv[3], argv[4], &flags,
		    err, sizeof(err));
		if (st != DELIVER_OK)
			fprintf(stderr, "%s\n", err);
		else if (flags == NULL)
			printf("none\n");
		else
			printf("removed %s\n", flags);
		free(flags);
		rc = status_exit(st);
	} else if (strcmp(argv[1], "expire") == 0 && argc == 5) {
		size_t n = 0;

		st = deliver_imap.expire(ctx, argv[3], time(NULL) -
		    (time_t)atol(argv[4]) * 86400, &n, err, sizeof(err));
		if (st != DELIVER_OK)
			fprintf(stderr, "%s\n", err);
		else
			printf("expired %zu\n", n);
		rc = status_exit(st);
	} else if (strcmp(argv[1], "script") == 0 && argc == 3) {
		printf("ready\n");
		fflush(stdout);
		rc = cmd_script(ctx);
	} else if (strcmp(argv[1], "bench") == 0 && argc == 7) {
		rc = cmd_bench(ctx, argv[3], atol(argv[4]), atol(argv[5]),
		    atol(argv[6]));
	} else {
		fprintf(stderr, "imapctl: bad command or arguments\n");
		rc = 1;
	}
	deliver_imap.close(ctx);
	return rc;
}
