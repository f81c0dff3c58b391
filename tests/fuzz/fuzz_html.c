/*
 * fuzz_html.c - html_sanitize, html_to_text and html_to_line on arbitrary
 * bytes.  Beyond "no crash": every output is valid UTF-8; the sanitized
 * fragment has no <script (in any case) and no tag with an on* attribute
 * (tags are read the way a browser would: names, then attributes with
 * quoted or bare values); the line has no control characters.  Plain
 * text goes through html_from_text (same checks) and html_wrap too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '/';
}

/* Abort when a tag in s has an attribute whose name starts with "on". */
static void
check_tags(const char *s, size_t n)
{
	size_t i = 0, k;
	char q;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (n - i >= 7 && lc(s[i + 1]) == 's' && lc(s[i + 2]) == 'c' &&
		    lc(s[i + 3]) == 'r' && lc(s[i + 4]) == 'i' &&
		    lc(s[i + 5]) == 'p' && lc(s[i + 6]) == 't')
			abort();
		/* the tag name */
		for (i++; i < n && !is_space(s[i]) && s[i] != '>'; i++)
			;
		/* attributes */
		while (i < n && s[i] != '>') {
			while (i < n && is_space(s[i]))
				i++;
			if (i >= n || s[i] == '>')
				break;
			if (n - i >= 2 && lc(s[i]) == 'o' && lc(s[i + 1]) == 'n')
				abort();
			for (k = i; k < n && !is_space(s[k]) && s[k] != '=' &&
			    s[k] != '>'; k++)
				;
			i = k;
			if (i < n && s[i] == '=') {
				i++;
				if (i < n && (s[i] == '"' || s[i] == '\'')) {
					q = s[i++];
					while (i < n && s[i] != q)
						i++;
					i++;
				} else
					while (i < n && !is_space(s[i]) &&
					    s[i] != '>')
						i++;
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT(0);
	const char *in = (const char *)data;
	char err[ERRLEN];
	size_t i;

	if (html_sanitize(in, size, &out, err, sizeof(err)) == 0) {
		if (!utf8_valid(buf_str(&out), out.len))
			abort();
		check_tags(buf_str(&out), out.len);
	}
	buf_reset(&out);
	if (html_to_text(in, size, 72, &out, err, sizeof(err)) == 0 &&
	    !utf8_valid(buf_str(&out), out.len))
		abort();
	/* plain text: as a fragment (no markup but ours), and wrapped */
	buf_reset(&out);
	html_from_text(in, size, &out);
	if (!utf8_valid(buf_str(&out), out.len))
		abort();
	check_tags(buf_str(&out), out.len);
	buf_reset(&out);
	html_wrap(in, size, 40, &out);
	if (!utf8_valid(buf_str(&out), out.len))
		abort();
	buf_reset(&out);
	html_to_line(in, size, &out);
	if (!utf8_valid(buf_str(&out), out.len))
		abort();
	for (i = 0; i < out.len; i++)
		if ((unsigned char)out.data[i] < ' ' || out.data[i] == 0x7F)
			abort();
	buf_free(&out);
	return 0;
}
