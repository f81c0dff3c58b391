/*
 * fuzz_ini_edit.c - ini_parse, then edits, then ini_text and a re-parse.
 *
 * The input is INI text, then optionally a NUL byte and an edit script of
 * lines (an INI file cannot hold a NUL, so the split is unambiguous):
 *
 *	s<d> key=value	ini_set in section number d (mod the sections)
 *	d<d> key	ini_delete_key
 *	r<d>		ini_remove_section
 *	a name		ini_append_section
 *	t name		append [name], set "k = v" in it, remove it again:
 *			the text must be what it was
 *
 * Invariants: every line the edits did not touch is byte for byte the
 * line it was, in the same order (the only change allowed is the line
 * ending ini.c adds to a last line that had none, before appending after
 * it: the file's, or "\n" alone after a bare '\r'); each edit that succeeds
 * does what it says, and one that fails changes nothing and says why in one
 * line; the text re-parses into the same lines (kind, name, value).
 * ini_text of an unedited file is the input byte for byte.
 *
 * Nothing is kept out of the script: names and values that are not UTF-8,
 * an in-place set whose kept spacing and comment take the line over
 * LIM_CONFIG_LINE, a full last line without its line ending and a last line
 * ending in a bare '\r' all reach ini.c, which must refuse what it cannot
 * write.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "limits.h"
#include "util.h"

#define PATH	"fuzz.ini"
#define MAXOPS	16

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The index of header number d (mod their count); -1 when none. */
static int
nth_section(const struct ini *ini, unsigned d, size_t *hdr)
{
	size_t i, n = 0;

	for (i = 0; i < ini->nlines; i++)
		if (ini->lines[i].kind == INI_SECTION)
			n++;
	if (n == 0)
		return -1;
	d %= n;
	for (i = 0; i < ini->nlines; i++)
		if (ini->lines[i].kind == INI_SECTION && d-- == 0) {
			*hdr = i;
			return 0;
		}
	return -1;
}

static size_t
count_sections(const struct ini *ini)
{
	size_t i, n = 0;

	for (i = 0; i < ini->nlines; i++)
		n += ini->lines[i].kind == INI_SECTION;
	return n;
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Untouched lines (lineno != 0) are the original ones, in order. */
static void
check_kept(const struct ini *ini, const struct ini *orig)
{
	const struct ini_line *l, *o;
	const char *eol;
	size_t i, e;
	int last = 0;

	for (i = 0; i < ini->nlines; i++) {
		l = &ini->lines[i];
		/* every line but the last ends its line */
		if (i + 1 < ini->nlines &&
		    (l->rawlen == 0 || l->raw[l->rawlen - 1] != '\n'))
			abort();
		if (l->lineno == 0)
			continue;
		if (l->lineno <= last || (size_t)l->lineno > orig->nlines)
			abort();
		last = l->lineno;
		o = &orig->lines[l->lineno - 1];
		if (l->rawlen < o->rawlen ||
		    memcmp(l->raw, o->raw, o->rawlen) != 0)
			abort();
		if (l->rawlen == o->rawlen)
			continue;
		/* only an end of line added to a line that had none */
		e = l->rawlen - o->rawlen;
		eol = o->rawlen > 0 && o->raw[o->rawlen - 1] == '\r' ? "\n" :
		    ini->eol;
		if ((o->rawlen > 0 && o->raw[o->rawlen - 1] == '\n') ||
		    e != strlen(eol) || memcmp(l->raw + o->rawlen, eol, e) != 0)
			abort();
	}
}

/* The text re-parses into the same lines. */
static void
check_reparse(const struct ini *ini)
{
	struct ini *again = NULL;
	char err[ERRLEN], *text;
	size_t len, i;

	text = ini_text(ini, &len);
	if (len > LIM_CONFIG_SIZE) {
		free(text);
		return;
	}
	if (ini_parse(PATH, text, len, &again, err, sizeof(err)) == -1 ||
	    again->nlines != ini->nlines)
		abort();
	for (i = 0; i < ini->nlines; i++)
		if (again->lines[i].kind != ini->lines[i].kind ||
		    again->lines[i].rawlen != ini->lines[i].rawlen ||
		    memcmp(again->lines[i].raw, ini->lines[i].raw,
		    ini->lines[i].rawlen) != 0 ||
		    !same_str(again->lines[i].name, ini->lines[i].name) ||
		    !same_str(again->lines[i].value, ini->lines[i].value))
			abort();
	ini_free(again);
	free(text);
}

/* A refused edit changed nothing: the same lines, byte for byte. */
static void
check_same(const struct ini *ini, const char *before, size_t blen)
{
	char *after;
	size_t alen;

	after = ini_text(ini, &alen);
	if (alen != blen || memcmp(before, after, blen) != 0)
		abort();
	free(after);
}

/* A refused edit: one line of error, and the file exactly as before. */
static void
check_refused(const struct ini *ini, const char *err, size_t nlines,
    const char *before, size_t blen)
{
	if (err[0] == '\0' || strchr(err, '\n') || strchr(err, '\r') ||
	    ini->nlines != nlines)
		abort();
	check_same(ini, before, blen);
}

static void
op_set(struct ini *ini, unsigned d, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key, *before, err[ERRLEN];
	size_t hdr, i, blen, n = ini->nlines;

	if (eq == NULL || nth_section(ini, d, &hdr) == -1)
		return;
	key = xstrndup(arg, (size_t)(eq - arg));
	before = ini_text(ini, &blen);
	if (ini_set(ini, hdr, key, eq + 1, err, sizeof(err)) == 0) {
		if (ini_find_key(ini, hdr, key, &i) == -1 ||
		    strcmp(ini->lines[i].value, eq + 1) != 0 ||
		    ini->nlines < n || ini->nlines > n + 1)
			abort();
	} else
		check_refused(ini, err, n, before, blen);
	free(before);
	free(key);
}

static void
op_delete(struct ini *ini, unsigned d, const char *key)
{
	size_t hdr, i, n = ini->nlines;
	int had;

	if (nth_section(ini, d, &hdr) == -1)
		return;
	had = ini_find_key(ini, hdr, key, &i) == 0;
	if (ini_delete_key(ini, hdr, key) != had ||
	    ini->nlines != n - (size_t)had)
		abort();
}

static void
op_remove(struct ini *ini, unsigned d)
{
	size_t hdr, n;

	if (nth_section(ini, d, &hdr) == -1)
		return;
	n = count_sections(ini);
	ini_remove_section(ini, hdr);
	if (count_sections(ini) != n - 1)
		abort();
}

static void
op_append(struct ini *ini, const char *name)
{
	char *before, err[ERRLEN];
	size_t hdr, blen, n = ini->nlines;

	before = ini_text(ini, &blen);
	if (ini_append_section(ini, name, &hdr, err, sizeof(err)) == 0) {
		if (hdr != ini->nlines - 1 ||
		    ini->lines[hdr].kind != INI_SECTION ||
		    strcmp(ini->lines[hdr].name, name) != 0)
			abort();
	} else
		check_refused(ini, err, n, before, blen);
	free(before);
}

/*
 * Append, fill and remove a section: the file is as before.  ini.h promises
 * this for what ini_append_section added; blank lines that ended the file
 * before the append go with it, so only a file that ends in a line that
 * is not blank (or an empty file) is held to it.
 */
static void
op_roundtrip(struct ini *ini, const char *name)
{
	char err[ERRLEN], *before, *after;
	size_t hdr, blen, alen;
	const struct ini_line *l;

	if (ini->nlines > 0) {
		l = &ini->lines[ini->nlines - 1];
		if (l->kind == INI_BLANK || l->rawlen == 0 ||
		    l->raw[l->rawlen - 1] != '\n')
			return;
	}
	before = ini_text(ini, &blen);
	if (ini_append_section(ini, name, &hdr, err, sizeof(err)) == 0) {
		if (ini_set(ini, hdr, "k", "v", err, sizeof(err)) == -1)
			abort();
		ini_remove_section(ini, hdr);
		after = ini_text(ini, &alen);
		if (alen != blen || memcmp(before, after, blen) != 0)
			abort();
		free(after);
	}
	free(before);
}

static void
run_script(struct ini *ini, const char *s, size_t n)
{
	const char *end = s + n, *nl;
	char *line;
	size_t len;
	unsigned d;
	int ops = 0;

	for (; s < end && ops < MAXOPS; s = nl ? nl + 1 : end, ops++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = (size_t)((nl ? nl : end) - s);
		if (len < 2)
			continue;
		line = xstrndup(s, len);	/* a NUL in it ends it */
		d = (unsigned char)line[1] >= '0' ?
		    (unsigned char)line[1] - '0' : 0;
		switch (line[0]) {
		case 's':
			if (len > 3)
				op_set(ini, d, line + 3);
			break;
		case 'd':
			if (len > 3)
				op_delete(ini, d, line + 3);
			break;
		case 'r':
			op_remove(ini, d);
			break;
		case 'a':
			op_append(ini, line + 2);
			break;
		case 't':
			op_roundtrip(ini, line + 2);
			break;
		}
		free(line);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul;
	struct ini *ini = NULL, *orig = NULL;
	char err[ERRLEN], *out;
	size_t tlen = size, olen;

	if ((nul = memchr(text, '\0', size)) != NULL)
		tlen = (size_t)(nul - text);
	if (ini_parse(PATH, text, tlen, &ini, err, sizeof(err)) == -1) {
		if (ini != NULL || err[0] == '\0' || strchr(err, '\n') ||
		    strncmp(err, PATH ":", strlen(PATH) + 1) != 0)
			abort();
		return 0;
	}
	/* unedited, the text is the input byte for byte */
	out = ini_text(ini, &olen);
	if (olen != tlen || memcmp(out, text, tlen) != 0)
		abort();
	free(out);
	if (ini_parse(PATH, text, tlen, &orig, err, sizeof(err)) == -1)
		abort();
	if (nul != NULL)
		run_script(ini, nul + 1, size - tlen - 1);
	check_kept(ini, orig);
	check_reparse(ini);
	ini_free(orig);
	ini_free(ini);
	return 0;
}
