/*
 * util.c - allocation that aborts on exhaustion, one-line error text,
 * durations and dates.  Pure: no I/O.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

/* Cut a string that vsnprintf may have cut inside a UTF-8 character back
 * to the last whole one, so that error text stays valid UTF-8. */
static void
utf8_trim_tail(char *s)
{
	size_t n = strlen(s), start = n, need;
	unsigned char c;

	while (start > 0 && n - start < 4 &&
	    ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	c = (unsigned char)s[start - 1];
	if (c < 0x80)
		return;
	need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	    (c & 0xF8) == 0xF0 ? 4 : 0;
	if (need != n - start + 1)
		s[start - 1] = '\0';
}

void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= errlen)
		utf8_trim_tail(err);
}

void
errprefix(char *err, size_t errlen, const char *fmt, ...)
{
	char pre[256], *old;
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	old = xstrdup(err);
	if ((size_t)snprintf(err, errlen, "%s%s", pre, old) >= errlen)
		utf8_trim_tail(err);
	free(old);
}

long long
util_parse_duration(const char *s)
{
	long long v = 0, mul = 1;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > LLONG_MAX / 10 - 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (*p && p[1] != '\0')
		return -1;
	if (v > LLONG_MAX / mul)
		return -1;
	return v * mul;
}

void
util_rfc5322_date(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

char *
util_addr_list_next(const char *list, size_t *off)
{
	const char *s, *e;
	int quoted = 0, angle = 0;

	if (*off == SIZE_MAX)
		return NULL;
	s = list + *off;
	for (e = s; *e != '\0'; e++) {
		if (quoted && *e == '\\' && e[1] != '\0')
			e++;
		else if (*e == '"')
			quoted = !quoted;
		else if (!quoted && *e == '<')
			angle = 1;
		else if (!quoted && *e == '>')
			angle = 0;
		else if (!quoted && !angle && *e == ',')
			break;
	}
	*off = *e == ',' ? (size_t)(e - list) + 1 : SIZE_MAX;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}
