/*
 * imap_wire.c - pure pieces of IMAP commands and replies (see
 * imap_wire.h).  No I/O: the session and the delivery operations write
 * and read; this file only says what the bytes are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "imap_wire.h"

static const char imap_months[12][4] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
imap_wire_quoted(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

void
imap_wire_mailbox(struct buf *out, const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			break;
	if (*p == '\0')
		imap_wire_quoted(out, name);
	else
		buf_printf(out, "{%zu+}\r\n%s", strlen(name), name);
}

int
imap_wire_msgid_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	size_t i;

	if (n < 3 || n > 998)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 ||
		    (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

void
imap_wire_date(char *out, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, IMAP_WIRE_DATE, "%d-%s-%04d", tm.tm_mday,
	    imap_months[tm.tm_mon], tm.tm_year + 1900);
}

void
imap_wire_date_time(char *out, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, IMAP_WIRE_DATE, "%02d-%s-%04d %02d:%02d:%02d +0000",
	    tm.tm_mday, imap_months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t
imap_wire_uids_sort(uint32_t *u, size_t n)
{
	size_t i, j;

	if (n == 0)
		return 0;
	qsort(u, n, sizeof(*u), cmp_u32);
	for (i = j = 0; i < n; i++)
		if (j == 0 || u[i] != u[j - 1])
			u[j++] = u[i];
	return j;
}

void
imap_wire_uid_set(struct buf *out, const uint32_t *u, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && u[j] == u[j - 1] + 1; j++)
			;
		if (i > 0)
			buf_putc(out, ',');
		if (j - i > 1)
			buf_printf(out, "%u:%u", u[i], u[j - 1]);
		else
			buf_printf(out, "%u", u[i]);
	}
}

enum deliver_status
imap_wire_refusal(const char *atom, int trycreate, const char **what)
{
	/* quotas may be per folder (Dovecot quota_rule = Box:...): other
	 * folders may still have room, and each reports its own refusal */
	static const struct {
		const char		*atom;
		enum deliver_status	 reach;
		const char		*what;
	} tab[] = {
		{ "NONEXISTENT", DELIVER_FOLDER, "folder missing: " },
		{ "OVERQUOTA", DELIVER_FOLDER, "over quota: " },
		{ "NOPERM", DELIVER_FOLDER, "" },
	};
	size_t i;

	if (trycreate) {
		*what = tab[0].what;
		return tab[0].reach;
	}
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (atom != NULL && strcasecmp(atom, tab[i].atom) == 0) {
			*what = tab[i].what;
			return tab[i].reach;
		}
	}
	*what = "message refused: ";
	return DELIVER_MSG;
}

/* A case-blind strstr for ASCII. */
static int
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++)
		if (strncasecmp(text, word, n) == 0)
			return 1;
	return 0;
}

int
imap_wire_throttled(const char *atom, const char *text, long *wait_ms)
{
	static const char *const always[] = { "THROTTLED", "UNAVAILABLE",
	    "INUSE" };
	static const char *const rate[] = { "bandwidth", "rate", "too many",
	    "command limit", "command or" };
	static const char backoff[] = "Suggested Backoff Time:";
	const char *p;
	char *end;
	long v;
	size_t i;

	*wait_ms = 0;
	atom = atom ? atom : "";
	text = text ? text : "";
	for (p = text; *p; p++) {
		if (strncasecmp(p, backoff, sizeof(backoff) - 1) != 0)
			continue;
		p += sizeof(backoff) - 1;
		p += strspn(p, " ");
		v = strtol(p, &end, 10);
		if (end != p && v > 0)
			*wait_ms = v;
		return 1;
	}
	if (has_word(text, "throttl"))
		return 1;
	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcasecmp(atom, always[i]) == 0)
			return 1;
	if (strcasecmp(atom, "OVERQUOTA") != 0 && strcasecmp(atom, "LIMIT"))
		return 0;
	for (i = 0; i < sizeof(rate) / sizeof(rate[0]); i++)
		if (has_word(text, rate[i]))
			return 1;
	return 0;
}

int
imap_wire_too_big(const char *atom, const char *text)
{
	text = text ? text : "";
	if (atom != NULL && strcasecmp(atom, "TOOBIG") == 0)
		return 1;
	/* Dovecot's quota_max_mail_size: "[LIMIT] Mail size is larger
	 * than the maximum size allowed by server configuration" */
	return has_word(text, "too large") || has_word(text, "too big") ||
	    (has_word(text, "size") && (has_word(text, "exceed") ||
	    has_word(text, "larger than")));
}

const char *
imap_wire_bye(const char *buf, size_t len, size_t *n)
{
	size_t i, j;

	*n = 0;
	for (i = 0; i + 6 <= len; i++) {
		if ((i > 0 && buf[i - 1] != '\n') ||
		    strncasecmp(buf + i, "* BYE ", 6) != 0)
			continue;
		for (j = i + 6; j < len && buf[j] != '\r' && buf[j] != '\n';
		    j++)
			;
		*n = j - (i + 6);
		return buf + i + 6;
	}
	return NULL;
}

int
imap_wire_tagged_bad(const char *buf, size_t len, int tag)
{
	char t[32];
	size_t tl, i;

	tl = (size_t)snprintf(t, sizeof(t), "%d BAD", tag);
	for (i = 0; i + tl <= len; i++) {
		if ((i == 0 || buf[i - 1] == '\n') &&
		    strncasecmp(buf + i, t, tl) == 0)
			return 1;
	}
	return 0;
}

void
imap_wire_base64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putc(out, tab[v >> 18]);
		buf_putc(out, tab[(v >> 12) & 63]);
		buf_putc(out, tab[(v >> 6) & 63]);
		buf_putc(out, tab[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		buf_printf(out, "%c%c==", tab[v >> 18], tab[(v >> 12) & 63]);
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_printf(out, "%c%c%c=", tab[v >> 18], tab[(v >> 12) & 63],
		    tab[(v >> 6) & 63]);
	}
}
