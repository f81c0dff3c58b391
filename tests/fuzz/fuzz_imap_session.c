/*
 * fuzz_imap_session.c - the IMAP backend against a server that says
 * whatever the fuzzer wants: a loopback listener in this process sends the
 * input as the server's whole side of the conversation, then hangs up,
 * while deliver_imap runs open, ensure_folder, has_msgid and a batch
 * append.  This drives our response handling (the receive cap and its
 * literal scanner, tagged-reply reading, APPENDUID, capabilities, the
 * MULTIAPPEND reply) and libetpan's parser under it.
 *
 * Invariants: no crash or leak; every failure is a deliver_status with one
 * line of error text (no CR/LF, valid UTF-8); *done never exceeds the
 * batch.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct serve {
	int		 lfd;
	const uint8_t	*data;
	size_t		 len;
};

/* Accept connections (the backend may reconnect) and send the input to
 * each, then stop talking and drain what the client sends. */
static void *
serve(void *arg)
{
	struct serve *sv = arg;
	struct timeval tv = { 0, 200000 };
	char sink[4096];
	int fd, i;

	for (i = 0; i < 3; i++) {
		if ((fd = accept(sv->lfd, NULL, NULL)) == -1)
			break;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (sv->len)
			(void)!write(fd, sv->data, sv->len);
		shutdown(fd, SHUT_WR);
		while (read(fd, sink, sizeof(sink)) > 0)
			;
		close(fd);
	}
	return NULL;
}

static void
check_err(enum deliver_status st, const char *err)
{
	if (st == DELIVER_OK)
		return;
	if (st != DELIVER_MSG && st != DELIVER_FOLDER && st != DELIVER_STORE)
		abort();
	if (strchr(err, '\n') || strchr(err, '\r') ||
	    !utf8_valid(err, strlen(err))) {
		fprintf(stderr, "not one line of UTF-8: \"%s\"\n", err);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char msg[] = "From: a@b.example\r\nSubject: x\r\n"
	    "Message-ID: <1@rss2mail>\r\n\r\nbody\r\n";
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct deliver_cfg cfg;
	struct deliver_msg m[2];
	struct serve sv;
	pthread_t th;
	char url[96], err[512];
	enum deliver_status st;
	void *ctx = NULL;
	size_t done = 0;
	int found = 0;
	static uint32_t serial;

	signal(SIGPIPE, SIG_IGN);
	setenv("RSS2MAIL_TEST_IMAP_NO_BACKOFF", "1", 1);
	if (len > 65536)
		return 0;
	/* a new loopback address each time: tens of thousands of runs would
	 * otherwise use up the ports on one address in TIME_WAIT */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	serial = serial % 0xfffe + 1;
	sa.sin_addr.s_addr = htonl(0x7f000000u | (serial << 8) | 1);
	if ((sv.lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(sv.lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(sv.lfd, 4) == -1 ||
	    getsockname(sv.lfd, (struct sockaddr *)&sa, &sl) == -1)
		abort();
	sv.data = data;
	sv.len = len;
	if (pthread_create(&th, NULL, serve, &sv) != 0)
		abort();
	snprintf(url, sizeof(url), "imap://u@%s:%u/Feeds",
	    inet_ntoa(sa.sin_addr), ntohs(sa.sin_port));
	memset(&cfg, 0, sizeof(cfg));
	cfg.imap_url = url;
	cfg.tls = DELIVER_TLS_NONE;
	cfg.password = "p";
	cfg.flags = "";
	cfg.timeout = 1;
	memset(m, 0, sizeof(m));
	m[0].data = m[1].data = msg;
	m[0].len = m[1].len = sizeof(msg) - 1;
	m[0].msgid = "<1@rss2mail>";
	m[1].msgid = "<2@rss2mail>";
	err[0] = '\0';
	st = deliver_imap.open(&ctx, &cfg, err, sizeof(err));
	check_err(st, err);
	if (st == DELIVER_OK) {
		err[0] = '\0';
		check_err(deliver_imap.ensure_folder(ctx, "Feeds/a", err,
		    sizeof(err)), err);
		err[0] = '\0';
		check_err(deliver_imap.has_msgid(ctx, "Feeds/a",
		    "<1@rss2mail>", &found, err, sizeof(err)), err);
		err[0] = '\0';
		check_err(deliver_imap.append(ctx, "Feeds/a", m, 2, &done,
		    err, sizeof(err)), err);
		if (done > 2)
			abort();
	}
	deliver_imap.close(ctx);
	shutdown(sv.lfd, SHUT_RDWR);
	close(sv.lfd);
	pthread_join(th, NULL);
	return 0;
}
