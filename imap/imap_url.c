/*
 * imap_url.c - imap[s]://user;AUTH=x@host:port/mailbox into its parts.
 *
 * Only the subset of RFC 5092 that names a mailbox on a server: no search
 * queries, no UIDs, no sections.  A password in the URL ("user:pw@") is
 * refused, with an error that does not repeat it: secrets come from
 * password-command or password-file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "imap_url.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into a new string.  The result must be valid
 * UTF-8 without control characters (C0, DEL) or NUL.
 */
static char *
pct_decode(const char *s, size_t n, const char *what, char *err,
    size_t errlen)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	size_t i;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0) {
				errf(err, errlen, "imap-url: bad %%-escape in %s",
				    what);
				goto fail;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f) {
			errf(err, errlen, "imap-url: control character in %s",
			    what);
			goto fail;
		}
		if (buf_putc(&b, c) < 0) {
			errf(err, errlen, "imap-url: %s too long", what);
			goto fail;
		}
	}
	if (!utf8_valid(buf_str(&b), b.len)) {
		errf(err, errlen, "imap-url: %s is not valid UTF-8", what);
		goto fail;
	}
	if (b.data == NULL)
		return xstrdup("");
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

static int
host_ok(const char *h, size_t n, int bracketed)
{
	size_t i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (bracketed) {
			if (!isxdigit(c) && c != ':' && c != '.')
				return 0;
		} else if (!isalnum(c) && c != '-' && c != '.' && c != '_') {
			return 0;
		}
	}
	return 1;
}

static int
parse_authority(const char *a, size_t n, struct imap_url *u, char *err,
    size_t errlen)
{
	const char *at = NULL, *hp, *end = a + n, *semi, *colon, *p;
	size_t i, hn;
	unsigned long port;

	/* The last '@' ends the userinfo: an unescaped '@' in a user name
	 * ("me@example.org@host") is forgiven. */
	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	hp = a;
	if (at != NULL) {
		semi = memchr(a, ';', (size_t)(at - a));
		colon = memchr(a, ':', (size_t)(at - a));
		if (colon != NULL && (semi == NULL || colon < semi)) {
			errf(err, errlen, "imap-url: a password in the URL is "
			    "not allowed; use password-command or "
			    "password-file");
			return -1;
		}
		p = semi ? semi : at;
		if (p > a && (u->user = pct_decode(a, (size_t)(p - a),
		    "user", err, errlen)) == NULL)
			return -1;
		if (semi != NULL) {
			if ((size_t)(at - semi) < 6 ||
			    strncasecmp(semi, ";AUTH=", 6) != 0) {
				errf(err, errlen, "imap-url: unknown parameter "
				    "in the user part (only ;AUTH=)");
				return -1;
			}
			if ((u->auth = pct_decode(semi + 6,
			    (size_t)(at - semi - 6), "AUTH", err,
			    errlen)) == NULL)
				return -1;
			if (u->auth[0] == '\0' || strchr(u->auth, ';')) {
				errf(err, errlen, "imap-url: bad ;AUTH= value");
				return -1;
			}
		}
		if (u->user != NULL && u->user[0] == '\0') {
			free(u->user);
			u->user = NULL;
		}
		hp = at + 1;
	}
	if (hp < end && *hp == '[') {
		p = memchr(hp, ']', (size_t)(end - hp));
		if (p == NULL || !host_ok(hp + 1, (size_t)(p - hp - 1), 1)) {
			errf(err, errlen, "imap-url: bad IPv6 address");
			return -1;
		}
		u->host = xstrndup(hp + 1, (size_t)(p - hp - 1));
		p++;
	} else {
		p = memchr(hp, ':', (size_t)(end - hp));
		if (p == NULL)
			p = end;
		hn = (size_t)(p - hp);
		if (!host_ok(hp, hn, 0)) {
			errf(err, errlen, hn ? "imap-url: bad host name" :
			    "imap-url: no host");
			return -1;
		}
		u->host = xstrndup(hp, hn);
	}
	if (p < end) {
		if (*p != ':' || p + 1 == end || end - (p + 1) > 5) {
			errf(err, errlen, "imap-url: bad port");
			return -1;
		}
		port = 0;
		for (p++; p < end; p++) {
			if (!isdigit((unsigned char)*p)) {
				errf(err, errlen, "imap-url: bad port");
				return -1;
			}
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port == 0 || port > 65535) {
			errf(err, errlen, "imap-url: port out of range");
			return -1;
		}
		u->port = (unsigned)port;
	}
	return 0;
}

int
imap_url_parse(const char *s, struct imap_url *u, char *err, size_t errlen)
{
	const char *a, *slash;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (s == NULL || *s == '\0') {
		errf(err, errlen, "imap-url: empty");
		return -1;
	}
	if (strncasecmp(s, "imaps://", 8) == 0) {
		u->implicit_tls = 1;
		a = s + 8;
	} else if (strncasecmp(s, "imap://", 7) == 0) {
		a = s + 7;
	} else {
		errf(err, errlen, "imap-url: must start with imap:// or "
		    "imaps://");
		return -1;
	}
	n = strcspn(a, "/?#");
	if (a[n] == '?' || a[n] == '#' || strpbrk(a + n, "?#") != NULL) {
		errf(err, errlen, "imap-url: queries and fragments are not "
		    "supported");
		goto fail;
	}
	if (parse_authority(a, n, u, err, errlen) < 0)
		goto fail;
	if (u->port == 0)
		u->port = u->implicit_tls ? 993 : 143;
	slash = a + n;
	if (*slash == '/') {
		slash++;
		if (strchr(slash, ';') != NULL) {
			errf(err, errlen, "imap-url: URL parameters (;...) in "
			    "the mailbox are not supported");
			goto fail;
		}
		if ((u->mailbox = pct_decode(slash, strlen(slash), "mailbox",
		    err, errlen)) == NULL)
			goto fail;
		/* "imap://host/Feeds/" names Feeds */
		n = strlen(u->mailbox);
		while (n > 0 && u->mailbox[n - 1] == '/')
			u->mailbox[--n] = '\0';
	} else {
		u->mailbox = xstrdup("");
	}
	return 0;
fail:
	imap_url_free(u);
	return -1;
}

void
imap_url_free(struct imap_url *u)
{
	if (u == NULL)
		return;
	free(u->user);
	free(u->auth);
	free(u->host);
	free(u->mailbox);
	memset(u, 0, sizeof(*u));
}
