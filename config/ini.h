/*
 * ini.h - the INI tokenizer under config.c: the file kept as a list of
 * lines, so that it can be read and also edited in place.
 *
 * Lines are `[section]`, `key = value`, comments (a line whose first
 * non-blank character is ';' or '#') and blank lines.  After a value, a ';'
 * or '#' preceded by a blank starts an inline comment:
 *
 *	deliver = imap   ; imap | maildir
 *
 * so a value cannot contain " ;" or " #" (URL fragments like "x/#top" are
 * fine).  Keys are [A-Za-z0-9._-]+.  Values are trimmed; quotes have no
 * meaning.  A UTF-8 byte order mark at the start is skipped.  Input must be
 * valid UTF-8 without NUL bytes, at most LIM_CONFIG_SIZE bytes, each line at
 * most LIM_CONFIG_LINE bytes; errors read "PATH:LINE: reason".
 *
 * Each line keeps its raw bytes (with its "\n" or "\r\n"), so that the
 * concatenation of the lines is the file byte for byte, and editing one line
 * leaves every other untouched.  Everything here is owned by the struct ini
 * and freed by ini_free.  No I/O.
 */
#ifndef RSS2MAIL_INI_H
#define RSS2MAIL_INI_H

#include <stddef.h>

enum ini_kind { INI_BLANK, INI_COMMENT, INI_SECTION, INI_KEY,
    INI_BAD };	/* INI_BAD: only from ini_parse_report */

struct ini_line {
	char		*raw;		/* the line's bytes, with its EOL */
	size_t		 rawlen;
	enum ini_kind	 kind;
	int		 lineno;	/* 1-based; 0 for added lines */
	char		*name;		/* section name, or key; else NULL */
	char		*value;		/* INI_KEY: trimmed, no comment */
	size_t		 voff;		/* INI_KEY: the value is raw[voff..] */
	size_t		 vlen;
};

struct ini {
	struct ini_line	*lines;
	size_t		 nlines;
	size_t		 cap;
	const char	*eol;		/* "\n" or "\r\n", as the file uses */
};

/* Tokenize text; path is used in error text only. */
int	ini_parse(const char *path, const char *text, size_t len,
	    struct ini **out, char *err, size_t errlen);
/*
 * The same, but a line that does not tokenize is passed to report() with
 * its reason ("PATH:LINE: reason") and kept as INI_BAD, and the rest is
 * read on.  Only errors of the whole input (too large) fail.
 */
typedef void ini_report_fn(void *ctx, int lineno, const char *msg);
int	ini_parse_report(const char *path, const char *text, size_t len,
	    struct ini **out, ini_report_fn *report, void *ctx, char *err,
	    size_t errlen);
void	ini_free(struct ini *);
/* The file as text again (malloc'd, NUL-terminated; *len without NUL). */
char	*ini_text(const struct ini *, size_t *len);

/* Index of the header of [name] in *idx; -1 when there is none. */
int	ini_find_section(const struct ini *, const char *name, size_t *idx);
/* Index just past the section whose header is at hdr (the next header or
 * the end). */
size_t	ini_section_end(const struct ini *, size_t hdr);
/* Index of key inside the section whose header is at hdr; -1 if absent. */
int	ini_find_key(const struct ini *, size_t hdr, const char *key,
	    size_t *idx);

/*
 * Edits.  Lines added use the file's line ending.  ini_set replaces the
 * value of an existing key in place (its spacing and inline comment kept)
 * or adds "key = value" after the section's last key.  What would not read
 * back as itself is refused and changes nothing: a name or value that is
 * not valid UTF-8, a newline, " ;", a leading ';', a line (the kept spacing
 * and comment included) over LIM_CONFIG_LINE.  A last line without a line
 * ending gets one before a line is added after it ("\n" alone after a bare
 * '\r'); when that would take it over LIM_CONFIG_LINE, the edit is refused.
 */
int	ini_set(struct ini *, size_t hdr, const char *key, const char *value,
	    char *err, size_t errlen);
/* Delete key from the section at hdr; returns 1 if it was there, else 0. */
int	ini_delete_key(struct ini *, size_t hdr, const char *key);
/*
 * Remove the section at hdr with the comment lines directly above its
 * header; comments directly above the next header stay with that section.
 * When it is the last section, the blank lines before it go too, so that
 * removing what ini_append_section added restores the file.
 */
void	ini_remove_section(struct ini *, size_t hdr);
/* Append a blank line (unless the file is empty) and "[name]"; the index of
 * the new header goes in *hdr. */
int	ini_append_section(struct ini *, const char *name, size_t *hdr,
	    char *err, size_t errlen);

/*
 * A name or value as error text may show it (malloc'd): control characters
 * (C0, DEL, C1, U+2028, U+2029) and bytes that are not UTF-8 are written as
 * \xNN or \uNNNN, so the text stays one line; cut with "..." after the
 * first 120 bytes of s.  s may be NULL.
 */
char	*ini_shown(const char *s);

#endif
