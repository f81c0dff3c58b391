/*
 * json.c - JSON string escaping (see json.h).  Runs of bytes that need no
 * escape are appended at once; only the bytes that do are looked at one by
 * one.  No JSON parsing here: jansson does that, in feed_json.c.
 */
#include <string.h>

#include "buf.h"
#include "json.h"

void
json_put_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;

	buf_putc(b, '"');
	for (; p < end; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		buf_append(b, run, (size_t)(p - run));
		switch (*p) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_printf(b, "\\u%04x", *p); break;
		}
		run = p + 1;
	}
	buf_append(b, run, (size_t)(p - run));
	buf_putc(b, '"');
}

void
json_put_cstr(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_puts(b, "null");
	else
		json_put_str(b, s, strlen(s));
}
