/*
 * subscribe.c - a Subscribe-folder message -> the request it makes, and a
 * new feed's name (see subscribe.h).  Header unfolding and RFC 2047 are
 * mime.c's (mime_header_decode); this file only looks for the command.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mime.h"
#include "subscribe.h"
#include "util.h"

#define NAME_MAX_LEN	40

static const struct {
	const char		*word;
	enum subscribe_op	 op;
} commands[] = {
	{ "unsubscribe", SUBSCRIBE_UNSUBSCRIBE },
	{ "pause", SUBSCRIBE_PAUSE },
	{ "resume", SUBSCRIBE_RESUME },
};

/* The raw value of header name (folded lines included) in the header
 * block [msg, end), or NULL; *n its length. */
static const char *
header_find(const char *msg, const char *end, const char *name, size_t *n)
{
	size_t nl = strlen(name);
	const char *p = msg, *v, *e;

	while (p < end) {
		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			v = p + nl + 1;
			for (e = v; e < end; e++)
				if (*e == '\n' && (e + 1 == end ||
				    (e[1] != ' ' && e[1] != '\t')))
					break;
			*n = (size_t)(e - v);
			return v;
		}
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p++;
	}
	return NULL;
}

/* Skip "Re:", "Fwd:", "Fw:", "AW:" prefixes and blanks. */
static const char *
skip_prefixes(const char *s)
{
	static const char *pre[] = { "re:", "fwd:", "fw:", "aw:", "wg:" };
	size_t i;
	int again = 1;

	while (again) {
		again = 0;
		s += strspn(s, " \t");
		for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
			if (strncasecmp(s, pre[i], strlen(pre[i])) == 0) {
				s += strlen(pre[i]);
				again = 1;
			}
	}
	return s;
}

/* "WORD NAME" with nothing after NAME but blanks. */
static int
parse_command(const char *s, struct subscribe_req *req)
{
	const char *a, *e;
	size_t i, wl;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		wl = strlen(commands[i].word);
		if (strncasecmp(s, commands[i].word, wl) != 0 ||
		    (s[wl] != ' ' && s[wl] != '\t'))
			continue;
		a = s + wl + strspn(s + wl, " \t");
		e = a + strcspn(a, " \t\r\n");
		if (e == a || e[strspn(e, " \t\r\n")] != '\0')
			return 0;
		req->op = commands[i].op;
		req->arg = xstrndup(a, (size_t)(e - a));
		return 1;
	}
	return 0;
}

/* Undo quoted-printable (soft breaks, =XX) into out. */
static void
unqp(const char *s, size_t n, struct buf *out)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2]) &&
		    sscanf(s + i + 1, "%2x", &v) == 1) {
			buf_putc(out, (char)v);
			i += 2;
			continue;
		}
		buf_putc(out, s[i]);
	}
}

/* The first http(s) URL in s[0..n), malloc'd, or NULL. */
static char *
find_url(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *e;
	size_t len;

	while (p < end) {
		if ((size_t)(end - p) > 8 && (strncasecmp(p, "http://", 7) ==
		    0 || strncasecmp(p, "https://", 8) == 0) &&
		    (p == s || !isalnum((unsigned char)p[-1]))) {
			for (e = p; e < end && (unsigned char)*e > ' ' &&
			    !strchr("\"'<>", *e); e++)
				;
			while (e > p && strchr(".,);", e[-1]))
				e--;
			len = (size_t)(e - p);
			if (len > 8 && len <= SUBSCRIBE_URL_MAX &&
			    p[strcspn(p, ":") + 3] != '/')
				return xstrndup(p, len);
			p = e;
		}
		p++;
	}
	return NULL;
}

void
subscribe_parse(const char *msg, size_t len, struct subscribe_req *req)
{
	struct buf subj = BUF_INIT(0), body = BUF_INIT(0);
	const char *hend, *v;
	size_t n;

	memset(req, 0, sizeof(*req));
	if (len > SUBSCRIBE_SCAN)
		len = SUBSCRIBE_SCAN;
	if ((hend = memmem(msg, len, "\n\r\n", 3)) == NULL &&
	    (hend = memmem(msg, len, "\n\n", 2)) == NULL)
		hend = msg + len;
	if ((v = header_find(msg, hend, "Subject", &n)) != NULL &&
	    mime_header_decode(v, n, &subj) == 0 &&
	    parse_command(skip_prefixes(buf_str(&subj)), req))
		goto out;
	if (subj.len > 0 && (req->arg = find_url(subj.data, subj.len)) !=
	    NULL) {
		req->op = SUBSCRIBE_URL;
		goto out;
	}
	unqp(hend, (size_t)(msg + len - hend), &body);
	if ((req->arg = find_url(body.data ? body.data : "", body.len)) !=
	    NULL)
		req->op = SUBSCRIBE_URL;
out:
	buf_free(&subj);
	buf_free(&body);
}

void
subscribe_req_clear(struct subscribe_req *req)
{
	free(req->arg);
	req->arg = NULL;
	req->op = SUBSCRIBE_HELP;
}

/* Lower-case letters and digits of s, other runs as one '-'. */
static void
slug(const char *s, struct buf *out)
{
	int dash = 0;

	for (; *s && out->len < NAME_MAX_LEN; s++) {
		if (isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80)) {
			if (dash && out->len > 0)
				buf_putc(out, '-');
			dash = 0;
			buf_putc(out, (char)tolower((unsigned char)*s));
		} else
			dash = 1;
	}
}

char *
subscribe_name(const char *title, const char *url, subscribe_taken_fn *taken,
    void *ctx)
{
	struct buf base = BUF_INIT(0), name = BUF_INIT(0);
	const char *h;
	int i;

	if (title != NULL)
		slug(title, &base);
	if (base.len == 0 && url != NULL && (h = strstr(url, "://")) != NULL) {
		char host[256];

		snprintf(host, sizeof(host), "%.*s", (int)strcspn(h + 3,
		    "/:?#"), h + 3);
		slug(strncmp(host, "www.", 4) == 0 ? host + 4 : host, &base);
	}
	if (base.len == 0)
		buf_puts(&base, "feed");
	buf_puts(&name, buf_str(&base));
	for (i = 2; taken != NULL && taken(ctx, buf_str(&name)); i++) {
		buf_reset(&name);
		buf_printf(&name, "%s-%d", buf_str(&base), i);
	}
	buf_free(&base);
	return buf_steal(&name);
}
