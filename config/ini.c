/*
 * ini.c - tokenize an INI file into lines and edit it in place (ini.h).
 *
 * Each line is tokenized on its own, so an edit re-tokenizes only the line
 * it builds and proves it reads back as intended.  What keys mean, and
 * which sections exist, is config.c's business, not this file's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_keychar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static void
line_clear(struct ini_line *l)
{
	free(l->name);
	free(l->value);
	l->name = l->value = NULL;
	l->voff = l->vlen = 0;
}

/* Length of the line's content, without its "\n" or "\r\n". */
static size_t
content_len(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

/* 1 when only blanks and maybe a comment remain in s[i..n). */
static int
rest_is_comment(const char *s, size_t i, size_t n)
{
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	return i == n || s[i] == ';' || s[i] == '#';
}

/*
 * Tokenize l->raw (the first skip bytes are a byte order mark).  On error,
 * why gets the reason without position.
 */
static int
line_tokenize(struct ini_line *l, size_t skip, char *why, size_t whylen)
{
	const char *s = l->raw;
	size_t n = content_len(s, l->rawlen), i = skip, k0, k1, v0, v1;

	line_clear(l);
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (i == n) {
		l->kind = INI_BLANK;
		return 0;
	}
	if (s[i] == ';' || s[i] == '#') {
		l->kind = INI_COMMENT;
		return 0;
	}
	if (s[i] == '[') {
		for (k0 = ++i; i < n && s[i] != ']'; i++)
			;
		if (i == n || !rest_is_comment(s, i + 1, n)) {
			errf(why, whylen, "bad section header: expected "
			    "'[name]'");
			return -1;
		}
		for (k1 = i; k1 > k0 && is_blank((unsigned char)s[k1 - 1]);
		    k1--)
			;
		while (k0 < k1 && is_blank((unsigned char)s[k0]))
			k0++;
		if (k0 == k1) {
			errf(why, whylen, "empty section name");
			return -1;
		}
		l->kind = INI_SECTION;
		l->name = xstrndup(s + k0, k1 - k0);
		return 0;
	}
	for (k0 = i; i < n && is_keychar((unsigned char)s[i]); i++)
		;
	k1 = i;
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (k1 == k0 || i == n || s[i] != '=') {
		errf(why, whylen, "expected 'key = value', '[section]' or a "
		    "comment");
		return -1;
	}
	for (i++; i < n && is_blank((unsigned char)s[i]); i++)
		;
	/* the value ends where a blank-preceded ';' or '#' starts a comment */
	for (v0 = v1 = i; i < n; i++) {
		/* s[i - 1] exists: it is at least the '=' ("k=;x" is ";x") */
		if ((s[i] == ';' || s[i] == '#') &&
		    is_blank((unsigned char)s[i - 1]))
			break;
		if (!is_blank((unsigned char)s[i]))
			v1 = i + 1;
	}
	l->kind = INI_KEY;
	l->name = xstrndup(s + k0, k1 - k0);
	l->value = xstrndup(s + v0, v1 - v0);
	l->voff = v0;
	l->vlen = v1 - v0;
	return 0;
}

static struct ini_line *
ini_insert(struct ini *ini, size_t at)
{
	if (ini->nlines == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 32;
		ini->lines = xrealloc(ini->lines, ini->cap *
		    sizeof(*ini->lines));
	}
	memmove(ini->lines + at + 1, ini->lines + at,
	    (ini->nlines - at) * sizeof(*ini->lines));
	ini->nlines++;
	memset(&ini->lines[at], 0, sizeof(ini->lines[at]));
	return &ini->lines[at];
}

static int
parse_lines(const char *path, const char *text, size_t len, struct ini **out,
    ini_report_fn *report, void *ctx, char *err, size_t errlen)
{
	struct ini *ini = xcalloc(1, sizeof(*ini));
	struct ini_line *l;
	char why[256];
	const char *p = text, *end = text + len, *nl;
	size_t n, skip;
	int lineno = 0, r = -1;

	*out = NULL;
	ini->eol = "\n";
	if (len > LIM_CONFIG_SIZE) {
		errf(err, errlen, "%s: file too large (over %u bytes)", path,
		    (unsigned)LIM_CONFIG_SIZE);
		goto out;
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		why[0] = '\0';
		if (n > LIM_CONFIG_LINE)
			snprintf(why, sizeof(why), "line too long (over %u "
			    "bytes)", (unsigned)LIM_CONFIG_LINE);
		else if (memchr(p, '\0', n) != NULL)
			snprintf(why, sizeof(why), "NUL byte");
		else if (!utf8_valid(p, n))
			snprintf(why, sizeof(why), "not valid UTF-8");
		if (lineno == 1 && n >= 2 && p[n - 1] == '\n' &&
		    p[n - 2] == '\r')
			ini->eol = "\r\n";
		skip = lineno == 1 && n >= 3 &&
		    memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		l = ini_insert(ini, ini->nlines);
		l->raw = xstrndup(p, n);
		l->rawlen = n;
		l->lineno = lineno;
		p += n;
		if (why[0] == '\0' &&
		    line_tokenize(l, skip, why, sizeof(why)) == 0)
			continue;
		errf(err, errlen, "%s:%d: %s", path, lineno, why);
		if (report == NULL)
			goto out;
		line_clear(l);
		l->kind = INI_BAD;
		report(ctx, lineno, err);
	}
	*out = ini;
	ini = NULL;
	r = 0;
out:
	ini_free(ini);
	return r;
}

int
ini_parse(const char *path, const char *text, size_t len, struct ini **out,
    char *err, size_t errlen)
{
	return parse_lines(path, text, len, out, NULL, NULL, err, errlen);
}

int
ini_parse_report(const char *path, const char *text, size_t len,
    struct ini **out, ini_report_fn *report, void *ctx, char *err,
    size_t errlen)
{
	return parse_lines(path, text, len, out, report, ctx, err, errlen);
}

void
ini_free(struct ini *ini)
{
	size_t i;

	if (ini == NULL)
		return;
	for (i = 0; i < ini->nlines; i++) {
		line_clear(&ini->lines[i]);
		free(ini->lines[i].raw);
	}
	free(ini->lines);
	free(ini);
}

char *
ini_text(const struct ini *ini, size_t *len)
{
	struct buf b = BUF_INIT(0);
	size_t i;

	for (i = 0; i < ini->nlines; i++)
		buf_append(&b, ini->lines[i].raw, ini->lines[i].rawlen);
	if (len)
		*len = b.len;
	if (b.data == NULL)
		return xstrdup("");
	return buf_steal(&b);
}

int
ini_find_section(const struct ini *ini, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < ini->nlines; i++)
		if (ini->lines[i].kind == INI_SECTION &&
		    strcmp(ini->lines[i].name, name) == 0) {
			*idx = i;
			return 0;
		}
	return -1;
}

size_t
ini_section_end(const struct ini *ini, size_t hdr)
{
	size_t i;

	for (i = hdr + 1; i < ini->nlines; i++)
		if (ini->lines[i].kind == INI_SECTION)
			break;
	return i;
}

int
ini_find_key(const struct ini *ini, size_t hdr, const char *key,
    size_t *idx)
{
	size_t i, end = ini_section_end(ini, hdr);

	for (i = hdr + 1; i < end; i++)
		if (ini->lines[i].kind == INI_KEY &&
		    strcmp(ini->lines[i].name, key) == 0) {
			*idx = i;
			return 0;
		}
	return -1;
}

/*
 * The bytes that end the line at i so that a line can follow it: none when
 * it has its "\n"; "\n" alone after a bare '\r' ("k = v\r" reads as "v",
 * and "k = v\r\r\n" would read as "v\r"); else the file's line ending.
 */
static const char *
eol_needed(const struct ini *ini, size_t i)
{
	const struct ini_line *l = &ini->lines[i];

	if (l->rawlen > 0 && l->raw[l->rawlen - 1] == '\n')
		return "";
	if (l->rawlen > 0 && l->raw[l->rawlen - 1] == '\r')
		return "\n";
	return ini->eol;
}

/* -1 when the line at i cannot be given an end of line: it would then be
 * over LIM_CONFIG_LINE and the file would no longer parse. */
static int
eol_fits(const struct ini *ini, size_t i, char *err, size_t errlen)
{
	if (ini->lines[i].rawlen + strlen(eol_needed(ini, i)) <=
	    LIM_CONFIG_LINE)
		return 0;
	errf(err, errlen, "the last line has no line ending and is too long "
	    "to get one (over %u bytes): end it, then try again",
	    (unsigned)LIM_CONFIG_LINE);
	return -1;
}

/* Give the line at i an end of line, so that a line can follow it (after
 * eol_fits said it may). */
static void
ensure_eol(struct ini *ini, size_t i)
{
	struct ini_line *l = &ini->lines[i];
	const char *eol = eol_needed(ini, i);
	size_t e = strlen(eol);

	if (e == 0)
		return;
	l->raw = xrealloc(l->raw, l->rawlen + e + 1);
	memcpy(l->raw + l->rawlen, eol, e + 1);
	l->rawlen += e;
}

static void
unwritable(enum ini_kind kind, const char *name, const char *value,
    char *err, size_t errlen)
{
	char *n = ini_shown(name), *v = ini_shown(value);

	if (kind == INI_KEY)
		errf(err, errlen, "key '%s': value '%s' cannot be written in "
		    "an INI line", n, v);
	else
		errf(err, errlen, "section name '%s' cannot be written in an "
		    "INI line", n);
	free(n);
	free(v);
}

/* Set l->raw to text and check that it reads as kind/name/value. */
static int
line_set_raw(struct ini_line *l, char *text, enum ini_kind kind,
    const char *name, const char *value, char *err, size_t errlen)
{
	char why[256];

	free(l->raw);
	l->raw = text;
	l->rawlen = strlen(text);
	if (line_tokenize(l, 0, why, sizeof(why)) == -1 || l->kind != kind ||
	    (name && strcmp(l->name, name) != 0) ||
	    (value && strcmp(l->value, value) != 0)) {
		unwritable(kind, name, value, err, errlen);
		return -1;
	}
	return 0;
}

static int
value_ok(const char *key, const char *value, char *err, size_t errlen)
{
	char *k;

	if (strpbrk(value, "\r\n") != NULL) {
		k = ini_shown(key);
		errf(err, errlen, "key '%s': value contains a line break", k);
		free(k);
		return -1;
	}
	/* the file must stay valid UTF-8 */
	if (!utf8_valid(key, strlen(key)) ||
	    !utf8_valid(value, strlen(value))) {
		unwritable(INI_KEY, key, value, err, errlen);
		return -1;
	}
	return 0;
}

/* The whole line, with what an in-place edit keeps, must fit. */
static int
line_fits(const char *key, size_t len, char *err, size_t errlen)
{
	char *k;

	if (len <= LIM_CONFIG_LINE)
		return 0;
	k = ini_shown(key);
	errf(err, errlen, "key '%s': value too long", k);
	free(k);
	return -1;
}

int
ini_set(struct ini *ini, size_t hdr, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct ini_line tmp, *l;
	struct buf b = BUF_INIT(0);
	size_t i, end, at;

	if (value_ok(key, value, err, errlen) == -1)
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	if (ini_find_key(ini, hdr, key, &i) == 0) {
		/* keep the key's spacing and its inline comment */
		l = &ini->lines[i];
		buf_append(&b, l->raw, l->voff);
		buf_puts(&b, value);
		buf_append(&b, l->raw + l->voff + l->vlen,
		    l->rawlen - l->voff - l->vlen);
		if (line_fits(key, b.len, err, errlen) == -1) {
			buf_free(&b);
			return -1;
		}
		if (line_set_raw(&tmp, buf_steal(&b), INI_KEY, key, value,
		    err, errlen) == -1)
			goto fail;
		line_clear(l);
		free(l->raw);
		*l = tmp;
		l->lineno = 0;
		return 0;
	}
	/* after the section's last key, before its trailing comments */
	end = ini_section_end(ini, hdr);
	for (at = hdr + 1, i = hdr + 1; i < end; i++)
		if (ini->lines[i].kind == INI_KEY)
			at = i + 1;
	buf_printf(&b, "%s = %s%s", key, value, ini->eol);
	if (line_fits(key, b.len, err, errlen) == -1) {
		buf_free(&b);
		return -1;
	}
	if (line_set_raw(&tmp, buf_steal(&b), INI_KEY, key, value, err,
	    errlen) == -1 || eol_fits(ini, at - 1, err, errlen) == -1)
		goto fail;
	ensure_eol(ini, at - 1);
	l = ini_insert(ini, at);
	*l = tmp;
	return 0;
fail:
	line_clear(&tmp);
	free(tmp.raw);
	return -1;
}

static void
delete_lines(struct ini *ini, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		line_clear(&ini->lines[i]);
		free(ini->lines[i].raw);
	}
	memmove(ini->lines + from, ini->lines + to,
	    (ini->nlines - to) * sizeof(*ini->lines));
	ini->nlines -= to - from;
}

int
ini_delete_key(struct ini *ini, size_t hdr, const char *key)
{
	size_t i;

	if (ini_find_key(ini, hdr, key, &i) == -1)
		return 0;
	delete_lines(ini, i, i + 1);
	return 1;
}

void
ini_remove_section(struct ini *ini, size_t hdr)
{
	size_t start = hdr, end = ini_section_end(ini, hdr);

	while (start > 0 && ini->lines[start - 1].kind == INI_COMMENT)
		start--;
	if (end < ini->nlines) {
		/* a comment block touching the next header describes it */
		while (end > hdr + 1 && ini->lines[end - 1].kind == INI_COMMENT)
			end--;
	} else {
		while (start > 0 && ini->lines[start - 1].kind == INI_BLANK)
			start--;
	}
	delete_lines(ini, start, end);
}

int
ini_append_section(struct ini *ini, const char *name, size_t *hdr,
    char *err, size_t errlen)
{
	struct ini_line tmp, *l;
	struct buf b = BUF_INIT(0);

	memset(&tmp, 0, sizeof(tmp));
	if (strpbrk(name, "\r\n]") != NULL || strlen(name) > LIM_ONELINE ||
	    !utf8_valid(name, strlen(name))) {
		unwritable(INI_SECTION, name, NULL, err, errlen);
		return -1;
	}
	buf_printf(&b, "[%s]%s", name, ini->eol);
	if (line_set_raw(&tmp, buf_steal(&b), INI_SECTION, name, NULL, err,
	    errlen) == -1 || (ini->nlines > 0 &&
	    eol_fits(ini, ini->nlines - 1, err, errlen) == -1)) {
		line_clear(&tmp);
		free(tmp.raw);
		return -1;
	}
	if (ini->nlines > 0) {
		ensure_eol(ini, ini->nlines - 1);
		l = ini_insert(ini, ini->nlines);
		l->raw = xstrdup(ini->eol);
		l->rawlen = strlen(ini->eol);
		l->kind = INI_BLANK;
	}
	l = ini_insert(ini, ini->nlines);
	*l = tmp;
	*hdr = ini->nlines - 1;
	return 0;
}

/* Bytes of s that ini_shown copies before it cuts with "...". */
#define SHOWN_MAX	120

char *
ini_shown(const char *s)
{
	struct buf b = BUF_INIT(0);
	uint32_t cp;
	size_t n = s ? strlen(s) : 0, i, k;

	for (i = 0; i < n; i += k) {
		if (i >= SHOWN_MAX) {
			buf_puts(&b, "...");
			break;
		}
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0) {
			buf_printf(&b, "\\x%02X", (unsigned char)s[i]);
			k = 1;
		} else if (cp < 0x20 || cp == 0x7F)
			buf_printf(&b, "\\x%02X", (unsigned)cp);
		else if ((cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
		    cp == 0x2029)
			buf_printf(&b, "\\u%04X", (unsigned)cp);
		else
			buf_append(&b, s + i, k);
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}
