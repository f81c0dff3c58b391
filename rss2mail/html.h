/*
 * html.h - HTML for mail: an allow-list sanitizer and a plain-text renderer,
 * both on libxml2's HTML parser.  Pure: bytes in, bytes out, no I/O.
 */
#ifndef RSS2MAIL_HTML_H
#define RSS2MAIL_HTML_H

#include <stddef.h>

struct buf;

/*
 * Sanitize an HTML fragment: keep semantic markup, drop script/style (with
 * content), iframes, forms, objects, on* attributes, non-http(s)/mailto
 * links, remote CSS, tracking pixels.  Output is a UTF-8 fragment (no
 * <html>/<body>); 0 or -1 with err.
 */
int	html_sanitize(const char *html, size_t len, struct buf *out,
	    char *err, size_t errlen);

/*
 * Render HTML to plain text wrapped at width columns (display width):
 * paragraphs, lists, "> " quotes, pre verbatim, links as "text [1]" with
 * the numbered references appended.  0 or -1 with err.
 */
int	html_to_text(const char *html, size_t len, int width, struct buf *out,
	    char *err, size_t errlen);

/* Markup to one line of plain text, entities decoded (for HTML titles). */
int	html_to_line(const char *html, size_t len, struct buf *out);

#endif
