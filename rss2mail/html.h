/*
 * html.h - HTML for mail: an allow-list sanitizer and a plain-text renderer,
 * both on libxml2's HTML parser.  Pure: bytes in, bytes out, no I/O.
 * The document a message's HTML part wraps around a sanitized fragment is
 * the message module's (message_html.h).
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
 * The sanitizer's choices for images.  no_images (images = none): each
 * image becomes its alt text.  image_cid (images = inline): called with
 * each image's (safe, cleaned) URL; a non-NULL return is the Content-ID
 * (without "cid:" and "<>") written as its src instead; NULL keeps the URL.
 * image_size (optional, with image_cid): for an image given a Content-ID,
 * its width and height; when both are > 0 they replace the element's own
 * width and height attributes, so the layout does not jump.
 */
struct html_opts {
	int		  no_images;
	const char	*(*image_cid)(void *ctx, const char *url);
	void		(*image_size)(void *ctx, const char *url, int *w,
			    int *h);
	void		 *ctx;
};
int	html_sanitize_opts(const char *html, size_t len,
	    const struct html_opts *, struct buf *out, char *err,
	    size_t errlen);

/*
 * The http(s) URLs of the images html_sanitize would keep (trackers and
 * 1x1 pixels left out), once each, in document order, at most max, each
 * followed by '\n' in out: what a caller fetches for images = inline.
 */
int	html_image_urls(const char *html, size_t len, size_t max,
	    struct buf *out);

/*
 * Render HTML to plain text wrapped at width columns (display width):
 * paragraphs, lists, "> " quotes, pre verbatim, links as "text [1]" with
 * the numbered references appended.  0 or -1 with err.
 */
int	html_to_text(const char *html, size_t len, int width, struct buf *out,
	    char *err, size_t errlen);

/*
 * One parse of an HTML fragment for several renderings: a message's text
 * and HTML parts share it.  html_parse returns NULL when the fragment
 * cannot be parsed (empty after cleaning, too big); the tree functions
 * then fail as html_to_text and html_sanitize_opts do ("HTML: cannot
 * parse").  The tree does not point into html; html_tree_free accepts
 * NULL.  html_to_text(h, n, ...) is html_tree_to_text(html_parse(h, n),
 * ...) for n > 0, and likewise for html_sanitize_opts.
 */
struct html_tree;
struct html_tree *html_parse(const char *html, size_t len);
void	html_tree_free(struct html_tree *);
int	html_tree_to_text(const struct html_tree *, int width,
	    struct buf *out, char *err, size_t errlen);
int	html_tree_sanitize(const struct html_tree *,
	    const struct html_opts *, struct buf *out, char *err,
	    size_t errlen);

/* Markup to one line of plain text, entities decoded (for HTML titles). */
int	html_to_line(const char *html, size_t len, struct buf *out);

/*
 * Plain text wrapped at width columns: line breaks kept, long lines broken
 * at spaces (or between wide characters); unbreakable URLs stay whole.
 */
int	html_wrap(const char *text, size_t len, int width, struct buf *out);

/* Append s[0..n) with & < > " ' escaped.  0, or -1 at out's cap. */
int	html_escape(struct buf *out, const char *s, size_t n);

/* Append s as one line of valid UTF-8 (utf8_clean's oneline), escaped as
 * html_escape does: plain text from a feed for an element or attribute. */
int	html_escape_line(struct buf *out, const char *s);

/* Plain text as an HTML fragment: <p> per paragraph, <br> per line, bare
 * http(s) URLs made links. */
int	html_from_text(const char *text, size_t len, struct buf *out);

/* 1 when url (entities already decoded) is safe as a link: http, https,
 * mailto; with img, http, https, cid. */
int	html_url_ok(const char *url, int img);

/*
 * The URL as a browser reads it (blanks and controls around it dropped,
 * tabs and line breaks in it removed) into out, reset first; 1 when that
 * is safe as html_url_ok says, else 0.  url may be NULL (0, out empty).
 */
int	html_url_clean(const char *url, int img, struct buf *out);

#endif
