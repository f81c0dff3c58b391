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
 *
 * Localized dates, as feedparser reads them: month and weekday names in
 * German, French, Spanish, Portuguese, Italian, Dutch, Polish, Russian,
 * Greek and Hungarian (in UTF-8, any case) go through the token reader;
 * Korean (OnBlog "2004년 05월 28일 01:31:15", Nate "2004-05-25 오후
 * 11:23:17", both KST) and Hungarian ISO ("2004-július-13T9:15-05:00")
 * have readers of their own.
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

/* Month names of other languages, lower case UTF-8 (Polish and Russian
 * in the nominative and the genitive dates use). */
static const struct {
	const char	*w;
	int		 mon;
} lmonths[] = {
	/* German */
	{ "januar", 1 }, { "jänner", 1 }, { "jän", 1 }, { "februar", 2 },
	{ "feber", 2 }, { "märz", 3 }, { "maerz", 3 }, { "mär", 3 },
	{ "mrz", 3 }, { "mai", 5 }, { "juni", 6 }, { "juli", 7 },
	{ "oktober", 10 }, { "okt", 10 }, { "dezember", 12 }, { "dez", 12 },
	/* French */
	{ "janvier", 1 }, { "janv", 1 }, { "février", 2 }, { "fevrier", 2 },
	{ "févr", 2 }, { "fevr", 2 }, { "fév", 2 }, { "mars", 3 },
	{ "avril", 4 }, { "avr", 4 }, { "juin", 6 }, { "juillet", 7 },
	{ "juil", 7 }, { "août", 8 }, { "aout", 8 }, { "septembre", 9 },
	{ "octobre", 10 }, { "novembre", 11 }, { "décembre", 12 },
	{ "decembre", 12 }, { "déc", 12 },
	/* Spanish */
	{ "enero", 1 }, { "ene", 1 }, { "febrero", 2 }, { "marzo", 3 },
	{ "abril", 4 }, { "abr", 4 }, { "mayo", 5 }, { "junio", 6 },
	{ "julio", 7 }, { "agosto", 8 }, { "ago", 8 }, { "septiembre", 9 },
	{ "setiembre", 9 }, { "octubre", 10 }, { "noviembre", 11 },
	{ "diciembre", 12 }, { "dic", 12 },
	/* Portuguese */
	{ "janeiro", 1 }, { "fevereiro", 2 }, { "fev", 2 }, { "março", 3 },
	{ "marco", 3 }, { "maio", 5 }, { "junho", 6 }, { "julho", 7 },
	{ "setembro", 9 }, { "set", 9 }, { "outubro", 10 }, { "out", 10 },
	{ "novembro", 11 }, { "dezembro", 12 },
	/* Italian */
	{ "gennaio", 1 }, { "gen", 1 }, { "febbraio", 2 }, { "aprile", 4 },
	{ "maggio", 5 }, { "mag", 5 }, { "giugno", 6 }, { "giu", 6 },
	{ "luglio", 7 }, { "lug", 7 }, { "settembre", 9 }, { "ottobre", 10 },
	{ "ott", 10 }, { "dicembre", 12 },
	/* Dutch */
	{ "januari", 1 }, { "februari", 2 }, { "maart", 3 }, { "mrt", 3 },
	{ "mei", 5 }, { "augustus", 8 },
	/* Polish */
	{ "stycznia", 1 }, { "styczeń", 1 }, { "sty", 1 }, { "lutego", 2 },
	{ "luty", 2 }, { "lut", 2 }, { "marca", 3 }, { "marzec", 3 },
	{ "kwietnia", 4 }, { "kwiecień", 4 }, { "kwi", 4 }, { "maja", 5 },
	{ "maj", 5 }, { "czerwca", 6 }, { "czerwiec", 6 }, { "cze", 6 },
	{ "lipca", 7 }, { "lipiec", 7 }, { "lip", 7 }, { "sierpnia", 8 },
	{ "sierpień", 8 }, { "sie", 8 }, { "września", 9 },
	{ "wrzesień", 9 }, { "wrz", 9 }, { "października", 10 },
	{ "październik", 10 }, { "paź", 10 }, { "listopada", 11 },
	{ "listopad", 11 }, { "lis", 11 }, { "grudnia", 12 },
	{ "grudzień", 12 }, { "gru", 12 },
	/* Russian */
	{ "января", 1 }, { "январь", 1 }, { "янв", 1 }, { "февраля", 2 },
	{ "февраль", 2 }, { "фев", 2 }, { "марта", 3 }, { "март", 3 },
	{ "мар", 3 }, { "апреля", 4 }, { "апрель", 4 }, { "апр", 4 },
	{ "мая", 5 }, { "май", 5 }, { "июня", 6 }, { "июнь", 6 },
	{ "июн", 6 }, { "июля", 7 }, { "июль", 7 }, { "июл", 7 },
	{ "августа", 8 }, { "август", 8 }, { "авг", 8 }, { "сентября", 9 },
	{ "сентябрь", 9 }, { "сен", 9 }, { "сент", 9 }, { "октября", 10 },
	{ "октябрь", 10 }, { "окт", 10 }, { "ноября", 11 }, { "ноябрь", 11 },
	{ "ноя", 11 }, { "декабря", 12 }, { "декабрь", 12 }, { "дек", 12 },
	/* Greek (feedparser's abbreviations, with and without accents) */
	{ "ιαν", 1 }, { "φεβ", 2 }, { "μάώ", 3 }, { "μάρ", 3 }, { "μαρ", 3 },
	{ "απρ", 4 }, { "μάι", 5 }, { "μαϊ", 5 }, { "μαι", 5 }, { "μαΐ", 5 },
	{ "ιούν", 6 }, { "ιον", 6 }, { "ιουν", 6 }, { "ιούλ", 7 },
	{ "ιολ", 7 }, { "ιουλ", 7 }, { "αύγ", 8 }, { "αυγ", 8 },
	{ "σεπ", 9 }, { "οκτ", 10 }, { "νοέ", 11 }, { "νοε", 11 },
	{ "δεκ", 12 },
	/* Hungarian */
	{ "január", 1 }, { "február", 2 }, { "március", 3 },
	{ "márczius", 3 }, { "április", 4 }, { "május", 5 },
	{ "máujus", 5 }, { "június", 6 }, { "július", 7 },
	{ "augusztus", 8 }, { "szeptember", 9 }, { "október", 10 },
};

/* Weekday names of those languages (never trusted, only skipped), and
 * the little words around dates ("8 de julio de 2004", "2004 г."). */
static const char *const lwords[] = {
	"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
	"sonnabend", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	"dimanche", "lun", "mer", "jeu", "ven", "sam", "dim",
	"lunes", "martes", "miércoles", "miercoles", "jueves", "viernes",
	"sábado", "sabado", "domingo", "mié", "jue", "vie", "sáb", "dom",
	"segunda", "terça", "terca", "quarta", "quinta", "sexta", "feira",
	"seg", "ter", "qua", "qui", "sex",
	"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato",
	"domenica", "gio", "sab",
	"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
	"zondag", "ma", "wo", "vr", "za", "zo",
	"poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota",
	"niedziela", "pon", "wt", "śr", "czw", "pt", "sob", "niedz", "nie",
	"понедельник", "вторник", "среда", "четверг", "пятница", "суббота",
	"воскресенье", "пн", "вт", "ср", "чт", "пт", "сб", "вс",
	"κυρ", "δευ", "τρι", "τετ", "πεμ", "παρ", "σαβ",
	"de", "del", "um", "om", "alle", "à", "г",
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

static int
is_letter(int c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	    (unsigned char)c >= 0x80;
}

/* The lower case of code point c for the scripts of lmonths. */
static unsigned
lower_cp(unsigned c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
	    (c >= 0x410 && c <= 0x42F))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c == 0x386)
		return 0x3AC;
	if (c >= 0x388 && c <= 0x38A)
		return c + 37;
	if (c == 0x38C)
		return 0x3CC;
	if (c == 0x38E || c == 0x38F)
		return c + 63;
	/* Latin Extended-A pairs (Polish ą ć ę ł ń ś ź ż) */
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) &&
	    c % 2 == 0)
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) &&
	    c % 2 == 1)
		return c + 1;
	return c;
}

/* w[0..n) folded to lower case into out (UTF-8, NUL-terminated); 0 when
 * it does not fit or is not UTF-8 of at most three bytes a character. */
static int
fold(const char *w, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)w, *e = p + n;
	size_t o = 0;
	unsigned c;

	while (p < e) {
		if (*p < 0x80)
			c = *p++;
		else if ((*p & 0xE0) == 0xC0 && p + 1 < e &&
		    (p[1] & 0xC0) == 0x80) {
			c = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			p += 2;
		} else if ((*p & 0xF0) == 0xE0 && p + 2 < e &&
		    (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
			c = ((unsigned)(p[0] & 0x0F) << 12) |
			    ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
			p += 3;
		} else
			return 0;
		c = lower_cp(c);
		if (o + 4 > cap)
			return 0;
		if (c < 0x80)
			out[o++] = (char)c;
		else if (c < 0x800) {
			out[o++] = (char)(0xC0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | (c >> 12));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	return 1;
}

/* A word of another language: its month (1-12), 0 for a weekday or a
 * filler, -1 when unknown. */
static int
local_word(const char *w, size_t n)
{
	char f[64];
	size_t i;

	if (!fold(w, n, f, sizeof(f)))
		return -1;
	for (i = 0; i < sizeof(lmonths) / sizeof(lmonths[0]); i++)
		if (strcmp(f, lmonths[i].w) == 0)
			return lmonths[i].mon;
	for (i = 0; i < sizeof(lwords) / sizeof(lwords[0]); i++)
		if (strcmp(f, lwords[i]) == 0)
			return 0;
	return -1;
}

/* A word token: weekday, month, zone, AM/PM or a filler. */
static int
token_word(const char **p, struct tmv *v)
{
	const char *w = *p, *s = *p;
	size_t n;
	int m;

	while (is_letter(*s))
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
	if ((m = local_word(w, n)) > 0 && !v->have_date_mon) {
		v->mon = m;
		v->have_date_mon = 1;
		return 0;
	}
	if (m == 0)
		return 0;	/* a weekday or a filler */
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
	    (s[0] == 'r' && s[1] == 'd') || (s[0] == 't' && s[1] == 'h') ||
	    (s[0] == 'e' && s[1] == 'r' && n == 1)) {	/* French "1er" */
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
		if (is_letter(*s)) {
			if (token_word(&s, &v) == -1)
				return -1;
			continue;
		}
		if (*s == '.' && (s[1] == ' ' || s[1] == '\0')) {
			s++;		/* "8. Juli 2004" */
			continue;
		}
		return -1;
	}
	if (!v.have_date_mon || !v.have_day || !v.have_year)
		return -1;
	return tm_finish(&v, t);
}

/* s starts with lit: skip it. */
static int
lit(const char **s, const char *l)
{
	size_t n = strlen(l);

	if (strncmp(*s, l, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* 1 or 2 digits at *s. */
static int
digits12(const char **s)
{
	return digits(s, isdig((*s)[0]) && isdig((*s)[1]) ? 2 : 1);
}

/*
 * Korean blogs, in KST (+09:00): OnBlog's "2004년 05월 28일 01:31:15" and
 * Nate's "2004-05-25 오후 11:23:17" (오전 is a.m., 오후 p.m.).
 */
static int
parse_korean(const char *s, int64_t *t)
{
	struct tmv v;

	memset(&v, 0, sizeof(v));
	if ((v.year = digits(&s, 4)) < 0)
		return -1;
	if (lit(&s, "년")) {
		skip_space(&s);
		if ((v.mon = digits12(&s)) < 0 || !lit(&s, "월"))
			return -1;
		skip_space(&s);
		if ((v.day = digits12(&s)) < 0 || !lit(&s, "일"))
			return -1;
	} else {
		if (*s++ != '-' || (v.mon = digits(&s, 2)) < 0 ||
		    *s++ != '-' || (v.day = digits(&s, 2)) < 0)
			return -1;
		skip_space(&s);
		if (lit(&s, "오전"))
			v.am = 1;
		else if (lit(&s, "오후"))
			v.pm = 1;
		else
			return -1;
	}
	skip_space(&s);
	if (clock_time(&s, &v) == -1)
		return -1;
	skip_space(&s);
	if (*s != '\0')
		return -1;
	v.off = 9 * 3600;
	v.have_year = 4;
	return tm_finish(&v, t);
}

/* Hungarian ISO with a month name: "2004-július-13T9:15-05:00". */
static int
parse_hungarian(const char *s, int64_t *t)
{
	struct tmv v;
	const char *w;

	memset(&v, 0, sizeof(v));
	if ((v.year = digits(&s, 4)) < 0 || *s++ != '-')
		return -1;
	for (w = s; is_letter(*s); s++)
		;
	if (s == w || *s++ != '-' || (v.mon = local_word(w,
	    (size_t)(s - 1 - w))) <= 0 || (v.day = digits12(&s)) < 0)
		return -1;
	if (*s == 'T') {
		s++;
		if (clock_time(&s, &v) == -1 || iso_zone(s, &v) == -1)
			return -1;
	} else if (*s != '\0')
		return -1;
	v.have_year = 4;
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
		else if ((unsigned char)*p < 0x20)
			return -1;
	if (n >= 4 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) &&
	    isdig(s[3]) && (s[4] == '\0' || s[4] == '-' || isdig(s[4])) &&
	    parse_iso(s, &r) == 0)
		goto ok;
	if (parse_korean(s, &r) == 0 || parse_hungarian(s, &r) == 0)
		goto ok;
	if (parse_tokens(s, &r) == -1)
		return -1;
ok:
	*t = r;
	return 0;
}
