/*
 * imap_name.c - folder names and flag lists for the IMAP wire (pure).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "imap_name.h"
#include "imap_utf7.h"
#include "util.h"
#include "utf8.h"

char
imap_name_stand_in(char delim)
{
	return delim == '_' ? '-' : '_';
}

static int	name_wire(struct buf *, const char *, const char *, char,
		    int, char *, size_t);

int
imap_name_wire(struct buf *out, const char *folder, const char *prefix,
    char delim, char *err, size_t errlen)
{
	return name_wire(out, folder, prefix, delim, 0, err, errlen);
}

int
imap_name_wire_dotless(struct buf *out, const char *folder,
    const char *prefix, char delim, char *err, size_t errlen)
{
	return name_wire(out, folder, prefix, delim, 1, err, errlen);
}

/* The two above; dotless: '.' inside a level gets the stand-in too. */
static int
name_wire(struct buf *out, const char *folder, const char *prefix,
    char delim, int dotless, char *err, size_t errlen)
{
	struct buf part = BUF_INIT(out->max ? out->max : 0);
	const char *p, *e;
	char *level = NULL;
	size_t n, i;
	int rc = -1;

	if (folder == NULL || *folder == '\0') {
		errf(err, errlen, "empty folder name");
		return -1;
	}
	if (strcasecmp(folder, "INBOX") == 0)
		return buf_puts(out, "INBOX");
	if (!utf8_valid(folder, strlen(folder))) {
		errf(err, errlen, "folder name is not valid UTF-8");
		return -1;
	}
	if (prefix && *prefix && strncasecmp(folder, "INBOX/", 6) != 0 &&
	    buf_puts(out, prefix) < 0)
		goto toolong;
	for (p = folder;; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			errf(err, errlen, "bad folder name \"%s\" (empty, \".\" "
			    "or \"..\" part)", folder);
			goto out;
		}
		/* a level holding the server's delimiter ("lwn.net" where
		 * '.' separates levels) gets the stand-in instead */
		free(level);
		level = xstrndup(p, n);
		for (i = 0; i < n; i++)
			if ((delim != 0 && level[i] == delim) ||
			    (dotless && level[i] == '.'))
				level[i] = imap_name_stand_in(delim);
		buf_reset(&part);
		if (imap_utf7_encode(&part, level, n) < 0) {
			if (part.overflow)
				goto toolong;
			errf(err, errlen, "bad folder name \"%s\" (control "
			    "characters)", folder);
			goto out;
		}
		if (delim && memchr(part.data, delim, part.len)) {
			errf(err, errlen, "bad folder name \"%s\" (contains the "
			    "server's hierarchy delimiter '%c')", folder, delim);
			goto out;
		}
		if (buf_append(out, part.data, part.len) < 0)
			goto toolong;
		if (e == NULL)
			break;
		if (delim == 0) {
			errf(err, errlen, "folder \"%s\": the server has no "
			    "folder hierarchy", folder);
			goto out;
		}
		if (buf_putc(out, delim) < 0)
			goto toolong;
	}
	rc = 0;
	goto out;
toolong:
	errf(err, errlen, "folder name too long");
out:
	free(level);
	buf_free(&part);
	return rc;
}

int
imap_flags_ok(const char *flags)
{
	static const char *const sys[] = { "\\Seen", "\\Flagged",
	    "\\Answered", "\\Draft", "\\Deleted" };
	const char *p, *e;
	size_t i, n;
	int ok;

	for (p = flags ? flags : ""; *p; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)p[i];

			if (ch < 0x21 || ch > 0x7e || strchr("(){%*\"]", ch) ||
			    (ch == '\\' && i > 0))
				return 0;
		}
		if (p[0] != '\\')
			continue;
		ok = 0;
		for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
			if (strlen(sys[i]) == n && strncasecmp(p, sys[i], n)
			    == 0)
				ok = 1;
		if (!ok)
			return 0;
	}
	return 1;
}

char *
imap_flags_join(const char *flags)
{
	struct buf b = BUF_INIT(0);
	const char *p, *e;

	for (p = flags ? flags : ""; *p; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		if (b.len)
			buf_putc(&b, ' ');
		buf_append(&b, p, (size_t)(e - p));
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}
