/*
 * feed_date.c - dates as feeds write them, to seconds since the epoch (UTC).
 *
 * Two readers: ISO 8601 / RFC 3339 / W3CDTF (with the partial forms
 * "2003", "2003-12", "2003-12-31", compact "20031231T101455", a space for
 * the T, any zone form), and a token reader for RFC 822/2822 and its
 * relatives ("Sat, 07 Sep 02 00:00 EST", "Thu Jul  8 23:56:58 2004",
 * "8-Jul-2004 11:00 PM +0100", "July 8th, 2004").  The weekday is never
 * trusted.  Every token must mean something: anything unknown is "no date",
 * never a guess.  No locale, no libc time zone, no allocation.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "feed.h"

#define DATE_MAX	128	/* longer strings are not dates */

struct tmv {
	int	 year, mon, day, hour, min, sec;
	int	 off;		/* zone offset in seconds east of UTC */
	int	 have_date_mon, have_day, have_year, have_time, have_zone;
	int	 pm, am;
};

static const char *const months[12][2] = {
	{ "jan", "january" }, { "feb", "february" }, { "mar", "march" },
	{ "apr", "april" }, { "may", "may" }, { "jun", "june" },
	{ "jul", "july" }, { "aug", "august" }, { "sep", "september" },
	{ "oct", "october" }, { "nov", "november" }, { "dec", "december" },
};

static const char *const wdays[] = {
	"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu",
	"thur", "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun",
	"sunday",
};

/* Named zones: RFC 822's and the ones common in feeds.  Minutes east. */
static const struct {
	const char	*name;
	int		 min;
} zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "ast", -240 }, { "adt", -180 }, { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "et", -300 }, { "ct", -360 }, { "mt", -420 },
	{ "pt", -480 }, { "at", -240 }, { "nst", -210 }, { "ndt", -150 },
	{ "bst", 60 }, { "west", 60 }, { "cet", 60 }, { "met", 60 },
	{ "cest", 120 }, { "mest", 120 }, { "eet", 120 }, { "eest", 180 },
	{ "msk", 180 }, { "sgt", 480 }, { "hkt", 480 }, { "awst", 480 },
	{ "jst", 540 }, { "kst", 540 }, { "acst", 570 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
};

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
mdays(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

static int
tm_finish(struct tmv *v, int64_t *t)
{
	if (v->year < 100 && v->have_year == 2)
		v->year += v->year < 50 ? 2000 : 1900;
	else if (v->have_year == 3)
		v->year += 1900;	/* RFC 2822's obsolete 3-digit years */
	if (v->pm || v->am) {
		if (v->hour < 1 || v->hour > 12)
			return -1;
		if (v->pm && v->hour != 12)
			v->hour += 12;
		else if (v->am && v->hour == 12)
			v->hour = 0;
	}
	if (v->year < 1000 || v->year > 9999 || v->mon < 1 || v->mon > 12 ||
	    v->day < 1 || v->day > mdays(v->year, v->mon) || v->hour < 0 ||
	    v->min < 0 || v->min > 59 || v->sec < 0 || v->sec > 60)
		return -1;
	if (v->hour > 23 && !(v->hour == 24 && v->min == 0 && v->sec == 0))
		return -1;
	*t = days_from_civil(v->year, v->mon, v->day) * 86400 +
	    v->hour * 3600 + v->min * 60 + v->sec - v->off;
	return 0;
}

/* n digits at *p as a number; advances *p.  -1 when not n digits. */
static int
digits(const char **p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* "+hh:mm", "+hhmm", "+hh", "Z": seconds east into *off; advances *p. */
static int
num_zone(const char **p, int *off)
{
	const char *s = *p;
	int sign, h, m = 0;

	if (*s == 'Z' || *s == 'z') {
		*off = 0;
		*p = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (isdig(s[0]) && !isdig(s[1]))
		h = *s++ - '0';		/* "UTC+2", "-8" */
	else if ((h = digits(&s, 2)) < 0)
		return -1;
	if (*s == ':')
		s++;
	if (isdig(*s) && (m = digits(&s, 2)) < 0)
		return -1;
	if (isdig(*s) || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*p = s;
	return 0;
}

static int
named_zone(const char *w, size_t n, int *off)
{
	size_t i;
	char c;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].name) == n &&
		    strncasecmp(zones[i].name, w, n) == 0) {
			*off = zones[i].min * 60;
			return 0;
		}
	if (n == 1) {
		/* RFC 822 military zones: A-I -1..-9, K-M -10..-12,
		 * N-Y +1..+12 (Z above); J is not a zone */
		c = (char)(w[0] | 0x20);
		if (c >= 'a' && c <= 'i')
			*off = -(c - 'a' + 1) * 3600;
		else if (c >= 'k' && c <= 'm')
			*off = -(c - 'k' + 10) * 3600;
		else if (c >= 'n' && c <= 'y')
			*off = (c - 'n' + 1) * 3600;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* hh:mm[:ss[.frac]] at *p. */
static int
clock_time(const char **p, struct tmv *v)
{
	const char *s = *p;

	if (isdig(s[0]) && s[1] == ':') {
		v->hour = s[0] - '0';
		s += 2;
	} else if ((v->hour = digits(&s, 2)) < 0 || *s++ != ':')
		return -1;
	/* one-digit minutes and seconds ("1:2:3") are seen too */
	if ((v->min = digits(&s, isdig(s[0]) && isdig(s[1]) ? 2 : 1)) < 0)
		return -1;
	v->sec = 0;
	if (*s == ':') {
		s++;
		if ((v->sec = digits(&s, isdig(s[0]) && isdig(s[1]) ? 2 :
		    1)) < 0)
			return -1;
		if (*s == '.' || *s == ',') {
			s++;
			if (!isdig(*s))
				return -1;
			while (isdig(*s))
				s++;
		}
	}
	v->have_time = 1;
	*p = s;
	return 0;
}

static void
skip_space(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* The zone after an ISO time: "Z", "+01:00", " +0100", " GMT", or none. */
static int
iso_zone(const char *s, struct tmv *v)
{
	const char *w;

	skip_space(&s);
	if (*s == '\0')
		return 0;
	if (num_zone(&s, &v->off) == 0) {
		skip_space(&s);
		return *s == '\0' ? 0 : -1;
	}
	for (w = s; (*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'; s++)
		;
	if (s == w || named_zone(w, (size_t)(s - w), &v->off) == -1)
		return -1;
	if ((*s == '+' || *s == '-') && num_zone(&s, &v->off) == -1)
		return -1;	/* "GMT+01:00" */
	skip_space(&s);
	return *s == '\0' ? 0 : -1;
}

/* ISO 8601 / RFC 3339 / W3CDTF, partial forms allowed. */
static int
parse_iso(const char *s, int64_t *t)
{
	struct tmv v;
	int compact;

	memset(&v, 0, sizeof(v));
	v.mon = v.day = 1;
	if ((v.year = digits(&s, 4)) < 0)
		return -1;
	if (*s == '\0')
		goto done;
	compact = isdig(*s);
	if (!compact && *s++ != '-')
		return -1;
	if ((v.mon = digits(&s, 2)) < 0)
		return -1;
	if (*s == '\0' && !compact)
		goto done;
	if (!compact && *s++ != '-')
		return -1;
	if ((v.day = digits(&s, 2)) < 0)
		return -1;
	if (*s == '\0')
		goto done;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	skip_space(&s);
	if (compact && isdig(s[0]) && isdig(s[1]) && isdig(s[2])) {
		if ((v.hour = digits(&s, 2)) < 0 ||
		    (v.min = digits(&s, 2)) < 0)
			return -1;
		if (isdig(*s) && (v.sec = digits(&s, 2)) < 0)
			return -1;
	} else if (clock_time(&s, &v) == -1) {
		/* "2003-12-31T10Z": hours only */
		if ((v.hour = digits(&s, 2)) < 0)
			return -1;
	}
	if (*s == '.' || *s == ',') {
		s++;
		while (isdig(*s))
			s++;
	}
	if (iso_zone(s, &v) == -1)
		return -1;
done:
	v.have_year = 4;
	return tm_finish(&v, t);
}

static int
word_in(const char *w, size_t n, const char *const *list, size_t nlist)
{
	size_t i;

	for (i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], w, n) == 0)
			return 1;
	return 0;
}

static int
month_of(const char *w, size_t n)
{
	int i;

	for (i = 0; i < 12; i++)
		if ((strlen(months[i][0]) == n &&
		    strncasecmp(months[i][0], w, n) == 0) ||
		    (strlen(months[i][1]) == n &&
		    strncasecmp(months[i][1], w, n) == 0) ||
		    (i == 8 && n == 4 && strncasecmp(w, "sept", 4) == 0))
			return i + 1;
	return 0;
}

/* A word token: weekday, month, zone, AM/PM or a filler. */
static int
token_word(const char **p, struct tmv *v)
{
	const char *w = *p, *s = *p;
	size_t n;
	int m;

	while ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')
		s++;
	n = (size_t)(s - w);
	if (*s == '.')
		s++;		/* "Sep." "Thu." */
	*p = s;
	if (word_in(w, n, wdays, sizeof(wdays) / sizeof(wdays[0])))
		return 0;
	if ((m = month_of(w, n)) != 0 && !v->have_date_mon) {
		v->mon = m;
		v->have_date_mon = 1;
		return 0;
	}
	if ((n == 2 && strncasecmp(w, "pm", 2) == 0) ||
	    (n == 4 && strncasecmp(w, "p.m.", 4) == 0)) {
		v->pm = v->have_time;
		return v->have_time ? 0 : -1;
	}
	if (n == 2 && strncasecmp(w, "am", 2) == 0) {
		v->am = v->have_time;
		return v->have_time ? 0 : -1;
	}
	if ((n == 2 && strncasecmp(w, "at", 2) == 0 && !v->have_time) ||
	    (n == 2 && strncasecmp(w, "of", 2) == 0))
		return 0;	/* "8 July 2004 at 11:00" */
	if (!v->have_zone && (v->have_time || n > 1) &&
	    named_zone(w, n, &v->off) == 0) {
		v->have_zone = 1;
		if ((*s == '+' || *s == '-') && num_zone(p, &v->off) == -1)
			return -1;	/* "GMT+0100" */
		return 0;
	}
	if (v->have_zone && n > 1 && named_zone(w, n, &m) == 0)
		return 0;	/* "+0000 GMT": the number wins */
	return -1;
}

/* A number token: a year, a day (1st, 2nd ...), a time, or y/m/d. */
static int
token_number(const char **p, struct tmv *v)
{
	const char *s = *p, *start = *p;
	int n = 0, nd;

	if (isdig(s[0]) && (s[1] == ':' || (isdig(s[1]) && s[2] == ':')))
		return v->have_time ? -1 : clock_time(p, v);
	while (isdig(*s) && s - start < 5)
		n = n * 10 + (*s++ - '0');
	nd = (int)(s - start);
	if (isdig(*s))
		return -1;
	if (nd == 4 && (*s == '/' || *s == '-') && isdig(s[1]) &&
	    !v->have_year) {
		/* "2004/07/08" (year first: never ambiguous) */
		v->year = n;
		v->have_year = 4;
		s++;
		if ((v->mon = digits(&s, isdig(s[1]) ? 2 : 1)) < 0 ||
		    (*s != '/' && *s != '-'))
			return -1;
		s++;
		if ((v->day = digits(&s, isdig(s[0]) && isdig(s[1]) ? 2 :
		    1)) < 0)
			return -1;
		v->have_date_mon = v->have_day = 1;
		*p = s;
		return 0;
	}
	if ((s[0] == 's' && s[1] == 't') || (s[0] == 'n' && s[1] == 'd') ||
	    (s[0] == 'r' && s[1] == 'd') || (s[0] == 't' && s[1] == 'h')) {
		if (nd > 2 || v->have_day)
			return -1;
		s += 2;		/* "8th" */
		v->day = n;
		v->have_day = 1;
		*p = s;
		return 0;
	}
	*p = s;
	if (nd <= 2 && !v->have_day && n >= 1 && n <= 31 && !v->have_year) {
		v->day = n;
		v->have_day = 1;
		return 0;
	}
	if (!v->have_year && nd >= 2 && nd <= 4) {
		v->year = n;
		v->have_year = nd;
		return 0;
	}
	return -1;
}

/* RFC 822/2822 and friends, token by token. */
static int
parse_tokens(const char *s, int64_t *t)
{
	struct tmv v;
	const char *e;

	memset(&v, 0, sizeof(v));
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',' || *s == '/')
			s++;
		if (*s == '\0')
			break;
		if (*s == '(') {	/* "+0100 (CET)" */
			if ((e = strchr(s, ')')) == NULL)
				return -1;
			s = e + 1;
			continue;
		}
		if ((s[0] == '+' || s[0] == '-') && v.have_time &&
		    !v.have_zone && isdig(s[1])) {
			/* "-0700" after the time is a zone ... */
			if (num_zone(&s, &v.off) == -1)
				return -1;
			v.have_zone = 1;
			continue;
		}
		if (*s == '-') {	/* ... elsewhere a separator */
			s++;
			continue;
		}
		if (isdig(*s)) {
			if (token_number(&s, &v) == -1)
				return -1;
			continue;
		}
		if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') {
			if (token_word(&s, &v) == -1)
				return -1;
			continue;
		}
		return -1;
	}
	if (!v.have_date_mon || !v.have_day || !v.have_year)
		return -1;
	return tm_finish(&v, t);
}

int
feed_date_parse(const char *in, int64_t *t)
{
	char s[DATE_MAX + 1], *p;
	size_t n;
	int64_t r;

	if (in == NULL)
		return -1;
	while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
		in++;
	if ((n = strlen(in)) == 0 || n > DATE_MAX)
		return -1;
	memcpy(s, in, n + 1);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	for (p = s; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
		else if ((unsigned char)*p >= 0x80 || *p < 0x20)
			return -1;
	if (n >= 4 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) &&
	    isdig(s[3]) && (s[4] == '\0' || s[4] == '-' || isdig(s[4])) &&
	    parse_iso(s, &r) == 0)
		goto ok;
	if (parse_tokens(s, &r) == -1)
		return -1;
ok:
	*t = r;
	return 0;
}
