/*
 * article.h - a web page -> its main content and metadata (a
 * readability-class extractor on libxml2's HTML parser), and the test for
 * a feed entry that is only a teaser of its page.
 *
 * Pure: bytes and the page's URL in, a struct out; no I/O, no globals, no
 * logging.  The article's HTML is NOT safe for a message: the caller runs
 * it through html_sanitize (html.h) like any entry's content.  Scripts,
 * styles, forms, hidden elements and boilerplate are left out here, lazy
 * images made real and every href and src made absolute, but the
 * sanitizer remains the one place that decides what is safe.
 */
#ifndef RSS2MAIL_ARTICLE_H
#define RSS2MAIL_ARTICLE_H

#include <stddef.h>

#include "buf.h"

/*
 * What article_extract found.  Every string is malloc'd, valid UTF-8, one
 * line, at most LIM_ONELINE bytes, or NULL when the page did not say;
 * article_free frees them and the HTML.  URLs are absolute.
 */
struct article {
	struct buf	 html;		/* the article: an HTML fragment */
	size_t		 words;		/* words of text in it */
	char		*title;		/* JSON-LD headline, og:title, <title> */
	char		*byline;	/* the author(s) */
	char		*published;	/* as the page wrote it (ISO 8601 mostly) */
	char		*image;		/* the lead image */
	char		*site;		/* og:site_name */
	char		*lang;		/* <html lang> */
};

/* Below this many words of text an extraction is "too little content". */
#define ARTICLE_MIN_WORDS	60

enum article_rc {
	ARTICLE_FAIL = -1,	/* unusable: too large, not HTML (err says) */
	ARTICLE_OK = 0,		/* html holds the article */
	ARTICLE_THIN = 1	/* too little content (err says why); the
				   metadata may still be set, html is empty */
};

/*
 * Extract the main content of page[0..len) fetched from url (the base of
 * relative URLs; a <base href> in the page wins).  charset is the HTTP
 * Content-Type's charset or NULL (then <meta charset>, else UTF-8).
 * out is initialised here and must be released with article_free
 * whatever the result.  Bounds: LIM_ARTICLE_PAGE bytes of page,
 * LIM_ARTICLE_NODES elements, LIM_ARTICLE_HTML bytes of output; past one,
 * ARTICLE_FAIL with "page too large" and the like.
 */
enum article_rc article_extract(const char *page, size_t len,
	    const char *url, const char *charset, struct article *out,
	    char *err, size_t errlen);
void	article_free(struct article *);		/* accepts NULL */

/* Entries shorter than this many words may be teasers. */
#define ARTICLE_TEASER_WORDS	80

/*
 * 1 when an entry's content (HTML or text, body[0..len)) is a teaser of
 * the page at link: no body at all (blank, or markup without text), or
 * fewer than ARTICLE_TEASER_WORDS words that end in an ellipsis ("...",
 * U+2026, "[…]") or carry a "read more" / "continue reading" link (in
 * English, German, French, Spanish, Italian, Dutch or Portuguese) to the
 * entry's own link.  0 otherwise, and always 0 without a link.
 */
int	article_is_teaser(const char *body, size_t len, const char *link);

#endif
