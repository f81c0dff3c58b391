/*
 * fulltext.c - full-text = auto | yes: fetching the pages of a feed's
 * teasers and putting the extracted article in their place (see
 * fulltext.h).  Fetching is fetch.c's, extraction article.c's,
 * sanitizing (later, in the composer) html.c's.
 *
 * Extraction runs here, in the pass's process, and not in the parser
 * child (isolate.c): that child is busy with the next feed while this
 * one is composed, and its protocol answers one feed into the pass's
 * arena, so pages would wait behind feeds and need a second kind of
 * request and answer.  article_extract is bounded instead (page, element,
 * depth and output caps in limits.h, ARTICLE_FAIL past one), fuzzed
 * (fuzz_article), and parses with the same libxml2 HTML parser that the
 * sanitizer already runs on feed content in this process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "buf.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "fulltext.h"
#include "html.h"
#include "limits.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* One page of a feed's batch. */
struct page {
	const struct config_feed *cf;
	const struct entry *e;
	int		 extracted;	/* art was filled by article_extract */
	int		 ok;		/* ... and holds an article */
	struct article	 art;
	char		*base;		/* the page's final URL */
	char		 why[ERRLEN];	/* !ok: the reason for the note */
};

static int
web_url(const char *u)
{
	return u != NULL && (strncasecmp(u, "http://", 7) == 0 ||
	    strncasecmp(u, "https://", 8) == 0);
}

/* Does the entry want its page under cf's full-text setting? */
static int
wants_page(const struct config_feed *cf, const struct entry *e)
{
	const struct feed_text *b = feed_entry_body(e);
	const char *body = b != NULL ? b->value : NULL;

	if (!web_url(e->link))
		return 0;
	if (cf->s.full_text == CONFIG_FULLTEXT_YES)
		return 1;
	return article_is_teaser(body, body ? strlen(body) : 0, e->link);
}

/* 1 when a Content-Type names something other than HTML. */
static int
not_html(const char *ct)
{
	return ct != NULL && *ct != '\0' && strcasestr(ct, "html") == NULL;
}

/* Called as each page arrives: extract it now, keep only the article. */
static void
on_page(struct fetch_req *req, void *ctx)
{
	struct page *pg = req->user;
	struct feed_parse_opts po;
	enum article_rc rc;
	char cs[64];
	size_t tl;

	(void)ctx;
	if (req->result != FETCH_OK) {
		snprintf(pg->why, sizeof(pg->why), "%s",
		    req->result == FETCH_ERROR ? req->err :
		    req->result == FETCH_GONE ? "HTTP 410" : "HTTP 304");
		return;
	}
	if (not_html(req->content_type)) {
		tl = strcspn(req->content_type, "; \t");
		snprintf(pg->why, sizeof(pg->why), "not a web page (%.*s)",
		    (int)(tl < 64 ? tl : 64), req->content_type);
		return;
	}
	plan_parse_opts(req, &po, cs, sizeof(cs));
	pg->base = xstrdup(po.base_url ? po.base_url : req->url);
	rc = article_extract(req->body.data ? req->body.data : "",
	    req->body.len, pg->base, po.http_charset, &pg->art, pg->why,
	    sizeof(pg->why));
	pg->extracted = 1;
	pg->ok = rc == ARTICLE_OK && pg->art.html.len > 0;
	if (!pg->ok && pg->why[0] == '\0')
		snprintf(pg->why, sizeof(pg->why), "no article found");
	log_debug("feed %s: %s: %s (%zu words)", pg->cf->name, req->url,
	    pg->ok ? "article" : pg->why, pg->art.words);
}

/* The article (with its lead image when it shows none) as ft's body. */
static void
put_article(struct fulltext *ft, struct page *pg)
{
	struct article *a = &pg->art;
	struct buf imgs = BUF_INIT(0);

	if (a->image != NULL && html_url_ok(a->image, 1) &&
	    html_image_urls(a->html.data, a->html.len, 1, &imgs) == 0 &&
	    imgs.len == 0) {
		buf_puts(&ft->body, "<figure><img src=\"");
		html_escape_line(&ft->body, a->image);
		buf_puts(&ft->body, "\" alt=\"\"></figure>\n");
	}
	buf_append(&ft->body, a->html.data, a->html.len);
	buf_free(&imgs);
	ft->base = pg->base;
	pg->base = NULL;
	ft->e.content.value = buf_str(&ft->body);
	ft->e.content.type = "text/html";
	ft->e.content.base = ft->base;
	if (a->lang != NULL) {
		ft->lang = xstrdup(a->lang);
		ft->e.content.language = ft->lang;
	}
}

/* The page's title, author and date where the feed has none. */
static void
put_meta(struct fulltext *ft, const struct article *a)
{
	struct entry *e = &ft->e;
	int64_t t;

	if ((e->title.value == NULL || *e->title.value == '\0') &&
	    a->title != NULL) {
		e->title.value = ft->title = xstrdup(a->title);
		e->title.type = "text/plain";
	}
	if ((e->author.name == NULL || *e->author.name == '\0') &&
	    a->byline != NULL)
		e->author.name = ft->author = xstrdup(a->byline);
	if (!e->published.ok && !e->updated.ok && a->published != NULL &&
	    feed_date_parse(a->published, &t) == 0) {
		e->published.raw = ft->date = xstrdup(a->published);
		e->published.ok = 1;
		e->published.t = t;
	}
}

/* The feed's own body, and one line saying why it is not the article. */
static void
put_note(struct fulltext *ft, const char *why)
{
	const struct feed_text *b = feed_entry_body(ft->orig);
	int html = b == NULL || b->type == NULL ||
	    strstr(b->type, "html") != NULL;

	if (b != NULL && b->value != NULL)
		buf_puts(&ft->body, b->value);
	if (html) {
		buf_puts(&ft->body, "\n<p><em>full text unavailable: ");
		html_escape_line(&ft->body, why);
		buf_puts(&ft->body, "</em></p>");
	} else
		buf_printf(&ft->body, "%sfull text unavailable: %s",
		    ft->body.len > 0 ? "\n\n" : "", why);
	ft->e.content.value = buf_str(&ft->body);
	ft->e.content.type = html ? "text/html" : "text/plain";
	ft->e.content.base = b != NULL ? b->base : NULL;
	ft->e.content.language = b != NULL ? b->language : NULL;
}

void
fulltext_free(struct fulltext *ft)
{
	buf_free(&ft->body);
	free(ft->base);
	free(ft->title);
	free(ft->author);
	free(ft->lang);
	free(ft->date);
	memset(ft, 0, sizeof(*ft));
}

void
fulltext_fetch(const struct config *cfg, const struct config_feed *cf,
    int feed_private, const char *public_addrs, const struct entry **es,
    size_t n, struct fulltext *ft)
{
	struct fetch_req *reqs;
	struct page *pages;
	struct fetch_opts fo;
	char err[ERRLEN];
	size_t i, nreq = 0;
	size_t *which;		/* per entry: its page + 1, or 0 */

	reqs = xcalloc(FULLTEXT_PER_FEED, sizeof(*reqs));
	pages = xcalloc(FULLTEXT_PER_FEED, sizeof(*pages));
	which = xcalloc(n + 1, sizeof(*which));
	for (i = 0; i < n; i++) {
		if (!wants_page(cf, es[i]))
			continue;
		ft[i].orig = es[i];
		ft[i].e = *es[i];
		buf_init(&ft[i].body, 0);	/* article: LIM_ARTICLE_HTML */
		if (nreq == FULLTEXT_PER_FEED)
			continue;		/* gets the note */
		pages[nreq].cf = cf;
		pages[nreq].e = es[i];
		/* links come from feed content, like images */
		reqs[nreq].url = es[i]->link;
		reqs[nreq].from_content = !feed_private;
		reqs[nreq].allow_private = cf->s.allow_private;
		reqs[nreq].max_size = LIM_ARTICLE_PAGE;
		reqs[nreq].timeout = FULLTEXT_TIMEOUT;
		reqs[nreq].connect_timeout = FULLTEXT_CONNECT;
		reqs[nreq].user_agent = cf->s.user_agent;
		reqs[nreq].accept = "text/html, application/xhtml+xml;q=0.9, "
		    "*/*;q=0.1";
		reqs[nreq].user = &pages[nreq];
		which[i] = ++nreq;
	}
	plan_fetch_opts(cfg, &fo);
	fo.public_addrs = public_addrs;
	fo.deadline = FULLTEXT_TIMEOUT;
	if (nreq && fetch_run(reqs, nreq, &fo, on_page, NULL, err,
	    sizeof(err)) == -1)
		log_warn("feed %s: full text: %s", cf->name, err);
	for (i = 0; i < n; i++) {
		struct page *pg = which[i] ? &pages[which[i] - 1] : NULL;

		if (ft[i].orig == NULL)
			continue;
		if (pg != NULL && pg->ok) {
			put_article(&ft[i], pg);
			put_meta(&ft[i], &pg->art);
		} else {
			put_note(&ft[i], pg != NULL ? pg->why :
			    "too many pages for one feed in one pass");
			log_info("feed %s: %s: full text unavailable: %s",
			    cf->name, ft[i].orig->link, pg != NULL ?
			    pg->why : "too many pages");
		}
		es[i] = &ft[i].e;
	}
	for (i = 0; i < nreq; i++) {
		if (pages[i].extracted)
			article_free(&pages[i].art);
		free(pages[i].base);
		fetch_req_clear(&reqs[i]);
	}
	free(which);
	free(pages);
	free(reqs);
}
