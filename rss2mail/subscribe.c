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
#include "reader.h"
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

/* Where the header block of [p, end) ends, and its body starts. */
static const char *
body_start(const char *p, const char *end, const char **hend)
{
	const char *a, *b;

	a = memmem(p, (size_t)(end - p), "\n\r\n", 3);
	b = memmem(p, (size_t)(end - p), "\n\n", 2);
	if (a != NULL && (b == NULL || a < b)) {
		*hend = a + 1;
		return a + 3;
	}
	if (b != NULL) {
		*hend = b + 1;
		return b + 2;
	}
	*hend = end;
	return end;
}

/* The value of header name in [p, hend), decoded and lower-cased when
 * lower, into out ("" when absent). */
static void
header_value(const char *p, const char *hend, const char *name, int lower,
    struct buf *out)
{
	const char *v;
	size_t n, i;

	buf_reset(out);
	if ((v = header_find(p, hend, name, &n)) != NULL &&
	    mime_header_decode(v, n, out) == -1)
		buf_reset(out);
	if (lower)
		for (i = 0; i < out->len; i++)
			out->data[i] = (char)tolower(
			    (unsigned char)out->data[i]);
	buf_str(out);
}

/* A parameter (boundary) of a lower-cased Content-Type value into out,
 * from the original (case kept) orig; 0, or -1 when absent. */
static int
param(const char *lower, const char *orig, const char *name,
    struct buf *out)
{
	const char *p = lower, *v;
	size_t nl = strlen(name), n;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == lower || p[-1] == ';' || p[-1] == ' ' ||
		    p[-1] == '\t') && p[nl] == '=')
			break;
		p += nl;
	}
	if (p == NULL)
		return -1;
	v = orig + (p - lower) + nl + 1;
	if (*v == '"')
		n = strcspn(++v, "\"");
	else
		n = strcspn(v, "; \t\r\n");
	if (n == 0 || n > 70)	/* RFC 2046: at most 70 characters */
		return -1;
	buf_reset(out);
	buf_append(out, v, n);
	return 0;
}

static int
b64val(int c)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p;

	return c != '\0' && (p = strchr(a, c)) != NULL ? (int)(p - a) : -1;
}

/* Base64 (characters outside the alphabet skipped, '=' ends it). */
static void
unbase64(const char *s, size_t n, struct buf *out)
{
	unsigned acc = 0;
	size_t i;
	int bits = 0, v;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

/* A part's body undone from its Content-Transfer-Encoding, appended. */
static void
decode_body(const char *cte, const char *s, size_t n, struct buf *out)
{
	if (strstr(cte, "base64") != NULL)
		unbase64(s, n, out);
	else if (strstr(cte, "quoted-printable") != NULL)
		unqp(s, n, out);
	else
		buf_append(out, s, n);
}

struct walk {
	struct buf	 text;		/* the text parts, decoded */
	struct buf	 opml;		/* the first OPML attachment */
	int		 has_opml;
};

static int
is_opml(const char *ctype, const char *cdisp)
{
	return strstr(ctype, "opml") != NULL || strstr(cdisp, ".opml") !=
	    NULL;
}

static void walk_part(const char *, const char *, int, struct walk *);

/* The parts of a multipart body [p, end) between "--boundary" lines. */
static void
walk_multipart(const char *p, const char *end, const char *boundary,
    int depth, struct walk *w)
{
	struct buf delim = BUF_INIT(0);
	const char *part = NULL, *q, *line;

	buf_printf(&delim, "--%s", boundary);
	for (line = p; line < end; line = q + 1) {
		if ((q = memchr(line, '\n', (size_t)(end - line))) == NULL)
			q = end;
		if ((size_t)(q - line) < delim.len ||
		    memcmp(line, delim.data, delim.len) != 0)
			continue;
		if (part != NULL)	/* the part ends before this line */
			walk_part(part, line > part ? line - 1 : part,
			    depth + 1, w);
		if ((size_t)(q - line) >= delim.len + 2 &&
		    memcmp(line + delim.len, "--", 2) == 0)
			break;		/* the close delimiter */
		part = q < end ? q + 1 : end;
	}
	buf_free(&delim);
}

static void
walk_part(const char *p, const char *end, int depth, struct walk *w)
{
	struct buf ctype = BUF_INIT(0), orig = BUF_INIT(0),
	    cte = BUF_INIT(0), cdisp = BUF_INIT(0), bnd = BUF_INIT(0);
	const char *hend, *body;

	body = body_start(p, end, &hend);
	header_value(p, hend, "Content-Type", 1, &ctype);
	header_value(p, hend, "Content-Type", 0, &orig);
	header_value(p, hend, "Content-Transfer-Encoding", 1, &cte);
	header_value(p, hend, "Content-Disposition", 1, &cdisp);
	if (strncmp(buf_str(&ctype), "multipart/", 10) == 0) {
		if (depth < SUBSCRIBE_DEPTH && param(buf_str(&ctype),
		    buf_str(&orig), "boundary", &bnd) == 0)
			walk_multipart(body, end, buf_str(&bnd), depth, w);
	} else if (is_opml(buf_str(&ctype), buf_str(&cdisp))) {
		if (!w->has_opml) {
			decode_body(buf_str(&cte), body, (size_t)(end - body),
			    &w->opml);
			w->has_opml = 1;
		}
	} else if ((ctype.len == 0 || strncmp(ctype.data, "text/", 5) ==
	    0) && strstr(buf_str(&cdisp), "attachment") == NULL &&
	    w->text.len < SUBSCRIBE_SCAN) {
		decode_body(buf_str(&cte), body, (size_t)(end - body),
		    &w->text);
		buf_putc(&w->text, '\n');
	}
	buf_free(&ctype);
	buf_free(&orig);
	buf_free(&cte);
	buf_free(&cdisp);
	buf_free(&bnd);
}

/* The Message-ID when it is "<...>" of printable ASCII without blanks. */
static char *
quotable_msgid(const char *v, size_t n)
{
	size_t i, a, b;

	for (a = 0; a < n && (v[a] == ' ' || v[a] == '\t' || v[a] == '\r' ||
	    v[a] == '\n'); a++)
		;
	for (b = n; b > a && (v[b - 1] == ' ' || v[b - 1] == '\t' ||
	    v[b - 1] == '\r' || v[b - 1] == '\n'); b--)
		;
	if (b - a < 3 || b - a > 250 || v[a] != '<' || v[b - 1] != '>')
		return NULL;
	for (i = a; i < b; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return NULL;
	return xstrndup(v + a, b - a);
}

/* One line of a header's decoded value: controls (a NUL too) become
 * blanks, blanks around it go. */
static char *
one_line(const struct buf *b)
{
	const char *d = b->data ? b->data : "";
	size_t i, a = 0, e = b->len;
	char *s;

	while (a < e && ((unsigned char)d[a] <= ' ' || d[a] == 0x7f))
		a++;
	while (e > a && ((unsigned char)d[e - 1] <= ' ' || d[e - 1] == 0x7f))
		e--;
	s = xmalloc(e - a + 1);
	for (i = a; i < e; i++)
		s[i - a] = (unsigned char)d[i] < ' ' || d[i] == 0x7f ? ' ' :
		    d[i];
	s[e - a] = '\0';
	return s;
}

void
subscribe_parse(const char *msg, size_t len, struct subscribe_req *req)
{
	struct buf subj = BUF_INIT(0), v = BUF_INIT(0);
	struct walk w = { BUF_INIT(0), BUF_INIT(0), 0 };
	const char *hend, *h;
	size_t n;

	memset(req, 0, sizeof(*req));
	if (len > SUBSCRIBE_MSG_MAX)
		len = SUBSCRIBE_MSG_MAX;
	(void)body_start(msg, msg + len, &hend);
	if ((h = header_find(msg, hend, "Message-ID", &n)) != NULL)
		req->msgid = quotable_msgid(h, n);
	if (header_find(msg, hend, READER_REPLY_HEADER, &n) != NULL) {
		req->op = SUBSCRIBE_IGNORE;
		goto out;
	}
	if ((h = header_find(msg, hend, "Subject", &n)) != NULL &&
	    mime_header_decode(h, n, &subj) == 0) {
		req->subject = one_line(&subj);
		if (parse_command(skip_prefixes(buf_str(&subj)), req))
			goto out;
	}
	header_value(msg, hend, "X-RSS-Feed", 0, &v);
	if (v.len > 0) {
		req->feed_url = one_line(&v);
		if (req->feed_url[0] != '\0') {
			req->op = SUBSCRIBE_MOVED;
			goto out;
		}
		free(req->feed_url);
		req->feed_url = NULL;
	}
	walk_part(msg, msg + len, 0, &w);
	if (w.has_opml) {
		req->op = SUBSCRIBE_OPML;
		req->opml_len = w.opml.len;
		buf_str(&w.opml);
		req->opml = buf_steal(&w.opml);
		if (req->opml == NULL)
			req->opml = xstrdup("");
		goto out;
	}
	if (subj.len > 0 && (req->arg = find_url(subj.data, subj.len)) !=
	    NULL) {
		req->op = SUBSCRIBE_URL;
		goto out;
	}
	if (w.text.len > SUBSCRIBE_SCAN)
		w.text.len = SUBSCRIBE_SCAN;
	if ((req->arg = find_url(w.text.data ? w.text.data : "",
	    w.text.len)) != NULL)
		req->op = SUBSCRIBE_URL;
out:
	buf_free(&subj);
	buf_free(&v);
	buf_free(&w.text);
	buf_free(&w.opml);
}

void
subscribe_req_clear(struct subscribe_req *req)
{
	free(req->arg);
	free(req->feed_url);
	free(req->opml);
	free(req->msgid);
	free(req->subject);
	memset(req, 0, sizeof(*req));
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
