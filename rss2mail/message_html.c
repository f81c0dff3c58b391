/*
 * message_html.c - the HTML document of a message's HTML part.
 *
 * The document is small and self-contained: a charset, a viewport for
 * phones, one inline style sheet (light and dark, no remote fonts or
 * images), then the entry's head and the sanitized body.  Everything from
 * the feed is written through html_escape_line and every link through
 * html_url_clean, so this file adds no markup of its own from the feed.
 *
 * Deliberately not here: sanitizing the body (html.c does, before it
 * comes here) and choosing which images are inline (message.c).
 */
#include <stddef.h>

#include "buf.h"
#include "html.h"
#include "message_html.h"

/*
 * Readable on a phone, in light and dark mode; no remote anything.  Nothing
 * may make the reader scroll sideways at 360 px (tests/integration/
 * test_phone.py renders every test message in Chromium to hold that):
 * words, URLs and identifiers break anywhere when they must, also inside
 * table cells and <pre>; images and videos shrink to the width.  Text is
 * never under 14 px.
 */
static const char msg_html_style[] =
    ":root{color-scheme:light dark}\n"
    "body{margin:0 auto;max-width:40em;padding:0 8px;"
    "font-family:sans-serif;font-size:16px;line-height:1.45;"
    "overflow-wrap:anywhere;word-break:break-word;"
    "-webkit-text-size-adjust:100%}\n"
    "h1{font-size:1.4em;line-height:1.25;margin:.5em 0}\n"
    "h1 a{color:inherit;text-decoration:none}\n"
    "img,video{max-width:100%;height:auto}\n"
    "figure{margin:1em 0}figcaption{font-size:14px;color:#555}\n"
    "pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "font-size:14px}\n"
    "pre{white-space:pre-wrap;background:#f4f4f4;padding:8px}\n"
    "blockquote{margin:0 0 0 4px;padding-left:12px;"
    "border-left:3px solid #ccc}\n"
    "blockquote blockquote{padding-left:6px}\n"
    "table{border-collapse:collapse;max-width:100%}\n"
    "td,th{border:1px solid #ddd;padding:2px 6px}\n"
    ".rss2mail-head{font-size:14px;color:#555}\n"
    "@media (prefers-color-scheme:dark){body{background:#121212;"
    "color:#ddd}a{color:#8ab4f8}pre{background:#222}"
    ".rss2mail-head,figcaption{color:#aaa}}\n";

/* text, linked to href when href is a safe link. */
static void
head_link(struct buf *out, const char *href, const char *text)
{
	struct buf u = BUF_INIT(0);
	int linked = html_url_clean(href, 0, &u);

	if (linked) {
		buf_puts(out, "<a href=\"");
		html_escape_line(out, buf_str(&u));
		buf_puts(out, "\">");
	}
	html_escape_line(out, text);
	if (linked)
		buf_puts(out, "</a>");
	buf_free(&u);
}

/* "feed · author · date", each part only when known. */
static void
head_byline(const struct msg_html_doc *d, struct buf *out)
{
	const char *part[3];
	size_t i, n = 0;

	part[0] = d->feed;
	part[1] = d->author;
	part[2] = d->date;
	buf_puts(out, "<p class=\"rss2mail-head\">");
	for (i = 0; i < 3; i++) {
		if (part[i] == NULL)
			continue;
		if (n++ > 0)
			buf_puts(out, " &middot; ");
		html_escape_line(out, part[i]);
	}
	buf_puts(out, "</p>\n");
}

int
msg_html_entry_head(const struct msg_html_doc *d, int level,
    struct buf *out)
{
	const struct msg_html_link *en;
	size_t i;

	head_byline(d, out);
	for (i = 0; i < d->nenclosures; i++) {
		en = &d->enclosures[i];
		if (en->href == NULL)
			continue;
		buf_puts(out, "<p class=\"rss2mail-head\">Enclosure: ");
		head_link(out, en->href, en->href);
		if (en->note != NULL) {
			buf_puts(out, " (");
			html_escape_line(out, en->note);
			buf_puts(out, ")");
		}
		buf_puts(out, "</p>\n");
	}
	level = level < 1 ? 1 : level > 6 ? 6 : level;
	buf_printf(out, "<h%d>", level);
	head_link(out, d->link, d->title && *d->title ? d->title :
	    "(no title)");
	buf_printf(out, "</h%d>\n", level);
	return out->overflow ? -1 : 0;
}

int
msg_html_document(const struct msg_html_doc *d, const char *frag,
    size_t len, struct buf *out)
{
	buf_puts(out, "<!DOCTYPE html>\n<html");
	if (d->lang != NULL && *d->lang != '\0') {
		buf_puts(out, " lang=\"");
		html_escape_line(out, d->lang);
		buf_putc(out, '"');
	}
	buf_puts(out, ">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_escape_line(out, d->title ? d->title : "");
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    msg_html_style);
	msg_html_entry_head(d, 1, out);
	buf_append(out, frag, len);
	if (len > 0 && frag[len - 1] != '\n')
		buf_putc(out, '\n');
	buf_puts(out, "</body>\n</html>\n");
	return out->overflow ? -1 : 0;
}
