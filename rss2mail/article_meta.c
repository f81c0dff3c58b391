/*
 * article_meta.c - a web page's metadata: title, byline, published time,
 * lead image, site name and language, from JSON-LD (the Article types of
 * schema.org), OpenGraph and <meta> tags, then <title>, <time> and byline
 * elements.  Each source has a priority; a better one replaces a worse.
 *
 * JSON-LD is read with jansson, a few keys of it and nothing else (the
 * feed's JSON lives in feed_json.c).  Pure, like article.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/uri.h>

#include "article_int.h"
#include "buf.h"
#include "limits.h"
#include "util.h"

static void
meta_set(char **slot, int *prio, int p, const char *s)
{
	char *v;

	if (s == NULL || p <= *prio || (v = article_line(s, strlen(s))) == NULL)
		return;
	free(*slot);
	*slot = v;
	*prio = p;
}

/* A JSON-LD value as a name: "Jane", {"name": "Jane"}, [ ... ]. */
static void
ld_names(json_t *v, struct buf *out, int depth)
{
	size_t i;
	json_t *e;

	if (depth > 4)
		return;
	if (json_is_string(v)) {
		if (out->len > 0)
			buf_puts(out, ", ");
		buf_puts(out, json_string_value(v));
	} else if (json_is_object(v))
		ld_names(json_object_get(v, "name"), out, depth + 1);
	else if (json_is_array(v))
		json_array_foreach(v, i, e)
			ld_names(e, out, depth + 1);
}

/* A JSON-LD image: "url", {"url": ...}, [first]. */
static const char *
ld_url(json_t *v, int depth)
{
	if (depth > 4)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v))
		return ld_url(json_object_get(v, "url"), depth + 1);
	if (json_is_array(v))
		return ld_url(json_array_get(v, 0), depth + 1);
	return NULL;
}

static int
ld_is_article(json_t *type)
{
	static const char *const types[] = {
		"AnalysisNewsArticle", "Article", "BlogPosting",
		"LiveBlogPosting", "NewsArticle", "OpinionNewsArticle",
		"Report", "ReportageNewsArticle", "ReviewNewsArticle",
		"ScholarlyArticle", "SocialMediaPosting", "TechArticle", NULL
	};
	size_t i;
	json_t *e;

	if (json_is_string(type))
		return IN(types, json_string_value(type));
	if (json_is_array(type))
		json_array_foreach(type, i, e)
			if (json_is_string(e) &&
			    IN(types, json_string_value(e)))
				return 1;
	return 0;
}

static void
ld_walk(struct meta *m, json_t *v, int depth)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	json_t *e;
	size_t i;

	if (depth > 6)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			ld_walk(m, e, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	ld_walk(m, json_object_get(v, "@graph"), depth + 1);
	if (!ld_is_article(json_object_get(v, "@type")))
		return;
	e = json_object_get(v, "headline");
	meta_set(&m->title, &m->p_title, 5, json_string_value(
	    e != NULL ? e : json_object_get(v, "name")));
	ld_names(json_object_get(v, "author"), &b, 0);
	meta_set(&m->byline, &m->p_byline, 5, b.data);
	e = json_object_get(v, "datePublished");
	meta_set(&m->published, &m->p_published, 5, json_string_value(
	    e != NULL ? e : json_object_get(v, "dateCreated")));
	meta_set(&m->image, &m->p_image, 3,
	    ld_url(json_object_get(v, "image"), 0));
	buf_reset(&b);
	ld_names(json_object_get(v, "publisher"), &b, 0);
	meta_set(&m->site, &m->p_site, 3, b.data);
	buf_free(&b);
}

static void
ld_json(struct meta *m, xmlNodePtr script)
{
	struct buf b = BUF_INIT(LIM_ARTICLE_JSONLD);
	json_error_t je;
	json_t *v;

	article_text(script, &b, 0);
	if (b.overflow || b.len == 0) {
		buf_free(&b);
		return;
	}
	if ((v = json_loadb(b.data, b.len, 0, &je)) != NULL) {
		ld_walk(m, v, 0);
		json_decref(v);
	}
	buf_free(&b);
}

/* <meta property|name|itemprop=K content=V>: field by K, best first. */
static const struct {
	const char	*key;
	int		 field;		/* 0 title 1 byline 2 published 3
					   image 4 site */
	int		 prio;
} meta_keys[] = {
	{ "og:title", 0, 4 }, { "twitter:title", 0, 3 },
	{ "dc.title", 0, 3 }, { "headline", 0, 3 },
	{ "author", 1, 4 }, { "article:author", 1, 3 },
	{ "dc.creator", 1, 3 }, { "byl", 1, 2 }, { "sailthru.author", 1, 2 },
	{ "article:published_time", 2, 4 }, { "datepublished", 2, 4 },
	{ "date", 2, 3 }, { "pubdate", 2, 3 }, { "dc.date", 2, 3 },
	{ "dc.date.issued", 2, 3 }, { "citation_publication_date", 2, 3 },
	{ "og:image", 3, 4 }, { "og:image:url", 3, 4 },
	{ "og:image:secure_url", 3, 4 }, { "twitter:image", 3, 2 },
	{ "twitter:image:src", 3, 2 }, { "image", 3, 2 },
	{ "og:site_name", 4, 4 }, { "application-name", 4, 1 },
};

static void
meta_tag(struct meta *m, xmlNodePtr n)
{
	const char *const keys[] = { "property", "name", "itemprop" };
	const char *k, *v;
	size_t i, j;

	if ((v = article_attr(n, "content")) == NULL)
		return;
	for (i = 0; i < 3; i++) {
		if ((k = article_attr(n, keys[i])) == NULL)
			continue;
		for (j = 0; j < sizeof(meta_keys) / sizeof(meta_keys[0]); j++) {
			if (strcasecmp(k, meta_keys[j].key) != 0)
				continue;
			switch (meta_keys[j].field) {
			case 0:
				meta_set(&m->title, &m->p_title,
				    meta_keys[j].prio, v);
				break;
			case 1:
				/* a profile URL is no name */
				if (strncmp(v, "http", 4) != 0)
					meta_set(&m->byline, &m->p_byline,
					    meta_keys[j].prio, v);
				break;
			case 2:
				meta_set(&m->published, &m->p_published,
				    meta_keys[j].prio, v);
				break;
			case 3:
				meta_set(&m->image, &m->p_image,
				    meta_keys[j].prio, v);
				break;
			default:
				meta_set(&m->site, &m->p_site,
				    meta_keys[j].prio, v);
			}
		}
	}
}

/* The text of a byline element, "By " and the like cut. */
static void
meta_byline(struct meta *m, xmlNodePtr n)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	char *s, *p;

	article_text(n, &b, 0);
	if (b.overflow || (s = article_line(b.data, b.len)) == NULL) {
		buf_free(&b);
		return;
	}
	p = s;
	if (strncasecmp(p, "by ", 3) == 0)
		p += 3;
	else if (strncasecmp(p, "von ", 4) == 0 || strncasecmp(p, "par ", 4)
	    == 0)
		p += 4;
	if (strlen(p) <= 100 && article_words(p, strlen(p)) <= 8)
		meta_set(&m->byline, &m->p_byline, 1, p);
	free(s);
	buf_free(&b);
}

static void
meta_walk(struct meta *m, xmlNodePtr n, int depth)
{
	xmlNodePtr c;
	const char *v;
	struct buf b = BUF_INIT(LIM_ONELINE);

	if (depth > LIM_ARTICLE_DEPTH)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (article_is(c, "meta"))
			meta_tag(m, c);
		else if (article_is(c, "title") && m->doc_title == NULL) {
			buf_reset(&b);
			article_text(c, &b, 0);
			m->doc_title = article_line(buf_str(&b), b.len);
		} else if (article_is(c, "base") && m->base == NULL &&
		    (v = article_attr(c, "href")) != NULL) {
			m->base = xstrdup(v);
		} else if (article_is(c, "script")) {
			if (article_attr_eq(c, "type", "application/ld+json"))
				ld_json(m, c);
			continue;
		} else if (article_is(c, "time") && m->p_published < 1 &&
		    (v = article_attr(c, "datetime")) != NULL) {
			meta_set(&m->published, &m->p_published, 1, v);
		} else if (m->p_byline < 1 && (article_attr_eq(c, "rel", "author") ||
		    article_attr_eq(c, "itemprop", "author") ||
		    (!article_is(c, "body") && article_hints(c, (const char *const[])
		    { "author", "byline", NULL })))) {
			meta_byline(m, c);
			if (m->p_byline >= 1)
				continue;
		} else if (article_is(c, "html") && m->lang == NULL &&
		    (v = article_attr(c, "lang")) != NULL) {
			m->lang = article_line(v, strlen(v));
		}
		meta_walk(m, c, depth + 1);
	}
	buf_free(&b);
}

/* <title> without the site's name after a separator ("Post | Site"). */
static void
meta_title(struct meta *m)
{
	static const char *const seps[] = {
		" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " :: ",
		" \xc2\xbb ", " \xc2\xb7 ", NULL
	};
	char *t = m->doc_title, *cut = NULL, *p;
	size_t i;

	if (t == NULL || m->p_title > 0)
		return;
	for (i = 0; seps[i] != NULL; i++)
		for (p = strstr(t, seps[i]); p != NULL;
		    p = strstr(p + 1, seps[i]))
			if (cut == NULL || p > cut)
				cut = p;
	if (cut != NULL && article_words(t, (size_t)(cut - t)) >= 3)
		*cut = '\0';
	meta_set(&m->title, &m->p_title, 1, t);
}

/* The metadata of the page, read before the first attempt drops
 * anything. */
void
article_meta_read(htmlDocPtr doc, const char *url, struct meta *m)
{
	xmlChar *r;
	char *img;

	meta_walk(m, (xmlNodePtr)doc, 0);
	meta_title(m);
	/* <base href> relative to the page, then the page itself */
	if (m->base != NULL && url != NULL && (r = xmlBuildURI(
	    (const xmlChar *)m->base, (const xmlChar *)url)) != NULL) {
		free(m->base);
		m->base = xstrdup((const char *)r);
		xmlFree(r);
	} else if (m->base == NULL)
		m->base = xstrdup(url);
	if (m->image != NULL && m->base != NULL && (r = xmlBuildURI(
	    (const xmlChar *)m->image, (const xmlChar *)m->base)) != NULL) {
		img = article_line((const char *)r, strlen((const char *)r));
		xmlFree(r);
		free(m->image);
		m->image = img;
	}
}

