/*
 * article.c - a web page -> its main content and metadata, the way
 * readability-class extractors do it, on libxml2's HTML parser.
 *
 * One attempt: drop what is never content (scripts, styles, forms, hidden
 * elements, comments) and, first, what is unlikely to be (nav, aside,
 * footer, and elements whose class or id says comment, sidebar, share,
 * cookie ...), make lazy images real, then score each paragraph by its
 * length and commas and hand the score to its parent (in full), its
 * grandparent (half) and three more ancestors (less), weighted by the
 * class and id hints and by the share of text inside links.  The best
 * container, with the siblings that score close to it, is the article;
 * inside it, link lists, galleries and blocks with bad hints are cleaned
 * out.  An attempt that keeps too little text is retried on a fresh parse
 * with fewer rules (first keeping the unlikely, then ignoring the hints
 * too), and the attempt with the most text wins.
 *
 * The metadata is read from the first parse before anything is dropped
 * (article_meta.c); the teaser test is article_teaser.c; the tree helpers
 * all three use are article_dom.c.
 *
 * A page in a legacy charset (the HTTP one, else <meta charset>) is
 * converted with iconv first; libxml2 always reads UTF-8.
 *
 * Deliberately not here: fetching, charset sniffing beyond those two,
 * and safety: the output goes through html_sanitize (html.h) like every
 * entry's content.
 * Everything is bounded by LIM_ARTICLE_* (limits.h).
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "article.h"
#include "article_int.h"
#include "buf.h"
#include "html.h"
#include "limits.h"
#include "utf8.h"
#include "util.h"

#define HTML_INT_MAX	0x7fffffff	/* htmlReadMemory takes an int */

/* The rules an attempt applies; later attempts drop them one by one. */
#define F_STRIP		0x1	/* remove unlikely candidates first */
#define F_WEIGHT	0x2	/* class and id hints weigh scores */
#define F_CLEAN		0x4	/* clean link lists and bad blocks out */
#define F_ALL		(F_STRIP | F_WEIGHT | F_CLEAN)

/* Below this many words an attempt is retried with fewer rules (and the
 * attempt with the most words wins): a short article beside a long
 * comment thread must not lose to it. */
#define ARTICLE_RETRY_WORDS	ARTICLE_MIN_WORDS

/* Elements dropped with their content before anything else (sorted). */
static const char *const drop_tags[] = {
	"applet", "audio", "button", "canvas", "dialog", "embed", "fieldset",
	"form", "frame", "frameset", "iframe", "input", "label", "link",
	"map", "math", "meta", "noembed", "noframes", "object", "option",
	"param", "script", "select", "style", "svg", "template", "textarea",
	"title", "video", NULL
};

/* HTML5 empty elements libxml2 2.9 does not know are empty: it makes the
 * rest of their parent their children, which are moved back out. */
static const char *const void_unknown[] = {
	"keygen", "source", "track", "wbr", NULL
};

/* Elements whose text is scored as a paragraph when they hold no
 * blocks (a div of text is a paragraph in a div soup). */
static const char *const para_tags[] = {
	"article", "blockquote", "dd", "div", "p", "pre", "section", "td",
	NULL
};

/* Elements removed when their numbers say "not content" (F_CLEAN). */
static const char *const cond_tags[] = {
	"aside", "div", "dl", "footer", "header", "ol", "section", "table",
	"ul", NULL
};

/* Elements written without an end tag. */
static const char *const void_tags[] = {
	"area", "br", "col", "hr", "img", NULL
};

/* Attributes kept on output; the sanitizer narrows them further. */
static const char *const out_attrs[] = {
	"alt", "cite", "colspan", "datetime", "dir", "height", "href",
	"lang", "rowspan", "span", "src", "start", "title", "width", NULL
};

/*
 * Class and id hints, matched against each word of the value (split at
 * anything not a letter or digit): a word matches an entry it starts
 * with, or equals an entry that ends in '='.
 */
static const char *const hint_pos[] = {
	"article", "blog", "body", "content", "entry", "hentry", "main",
	"markdown", "post", "prose", "story", "text", NULL
};
static const char *const hint_neg[] = {
	"ad=", "addtoany", "ads=", "adsense", "advert", "author", "banner",
	"breadcrumb", "byline", "comment", "consent", "cookie", "cta=",
	"dialog", "discussion", "disqus", "facebook", "follow", "footer", "gdpr", "hidden",
	"links=", "login", "masthead", "menu", "meta", "modal", "more=",
	"nav", "newsletter", "outbrain", "overlay", "pager", "pagination",
	"paywall", "popular", "popup", "print", "promo", "recommend",
	"related", "reply", "respond", "rss", "share", "sharing", "sidebar",
	"signup", "skip", "social", "sponsor", "subscri", "taboola", "tags",
	"toolbar", "trending", "tweet", "twitter", "widget", NULL
};
/* Words that mark the comment section (never the article wrapper). */
static const char *const hint_comment[] = {
	"comment", "discussion", "disqus", "reply", "respond", NULL
};
/* ARIA roles of page furniture. */
static const char *const unlikely_roles[] = {
	"alert", "alertdialog", "banner", "complementary", "contentinfo",
	"dialog", "menu", "menubar", "navigation", "search", NULL
};

/* Whole texts of small elements that are labels, not content. */
static const char *const label_texts[] = {
	"advertisement", "continue reading", "like this:", "read more",
	"related", "related articles", "related posts", "share",
	"share this", "share this:", "share this article", "sponsored",
	"you may also like", "you might also like", NULL
};

/* What scoring knows of an element (its _private). */
struct ninfo {
	double		 score;
	unsigned	 chars;		/* text, white space collapsed */
	unsigned	 link_chars;	/* of which inside links */
	unsigned	 commas;
	unsigned char	 candidate;	/* has a score */
	unsigned char	 blocks;	/* holds block children */
};

/* Counts of a cleaned subtree (F_CLEAN works bottom-up on these). */
struct counts {
	size_t	 chars, link_chars, commas, p, img, li, input, headings;
};

/* One attempt. */
struct ext {
	htmlDocPtr	 doc;
	xmlNodePtr	 body;
	int		 flags;
	struct ninfo	*info;
	size_t		 ninfo, nused;
	xmlNodePtr	*cand;
	size_t		 ncand;
	const char	*title;		/* for the heading that repeats it */
	int		 title_seen;
};

static int
is_heading(xmlNodePtr n)
{
	const char *s = (const char *)n->name;

	return n->type == XML_ELEMENT_NODE && s[0] == 'h' &&
	    s[1] >= '1' && s[1] <= '6' && s[2] == '\0';
}

static void
drop(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* --- text measures --------------------------------------------------- */

/* Characters (code points, white space runs as one) and commas of s. */
static void
text_measure(const char *s, unsigned *chars, unsigned *commas)
{
	const unsigned char *p = (const unsigned char *)s;
	int sp = 1;

	for (; *p; p++) {
		if (is_space(*p)) {
			if (!sp)
				(*chars)++;
			sp = 1;
			continue;
		}
		sp = 0;
		if ((*p & 0xC0) != 0x80)
			(*chars)++;
		if (*p == ',')
			(*commas)++;
		/* U+FF0C fullwidth comma, U+3001 ideographic comma */
		else if ((p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C) ||
		    (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x81))
			(*commas)++;
	}
}

/* --- class and id hints ---------------------------------------------- */

/* +25 for each of class and id with a good word, -25 with a bad one. */
static int
class_weight(xmlNodePtr n)
{
	const char *const names[] = { "class", "id" };
	const char *v;
	int w = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		if ((v = article_attr(n, names[i])) == NULL)
			continue;
		if (article_hint_match(v, hint_neg))
			w -= 25;
		if (article_hint_match(v, hint_pos))
			w += 25;
	}
	return w;
}

/* 1 when a descendant of n looks like the article itself. */
static int
holds_article(xmlNodePtr n, int depth)
{
	xmlNodePtr c;
	const char *ip;
	int r;

	if (depth > LIM_ARTICLE_DEPTH)
		return 0;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (article_is(c, "h1") || article_is(c, "main"))
			return 1;
		if (article_is(c, "article") && !article_hints(c, hint_comment))
			return 1;
		ip = article_attr(c, "itemprop");
		r = ip != NULL && strcmp(ip, "articleBody") == 0;
		if (r || holds_article(c, depth + 1))
			return 1;
	}
	return 0;
}

/* 1 when n is page furniture rather than content (F_STRIP). */
static int
unlikely(xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	const char *role;
	int r;

	if (strcmp(name, "body") == 0 || strcmp(name, "html") == 0)
		return 0;
	if (strcmp(name, "nav") == 0 || strcmp(name, "aside") == 0)
		return !holds_article(n, 0);
	if ((role = article_attr(n, "role")) != NULL) {
		r = IN(unlikely_roles, role);
		if (r)
			return !holds_article(n, 0);
	}
	if (strcmp(name, "footer") == 0)
		return !holds_article(n, 0);
	if (!article_hints(n, hint_neg))
		return 0;
	if ((strcmp(name, "article") == 0 || strcmp(name, "main") == 0) &&
	    !article_hints(n, hint_comment))
		return 0;
	/* a layout wrapper ("has-sidebar") around the article stays */
	return !holds_article(n, 0);
}

static int
hidden(xmlNodePtr n)
{
	const char *s;
	char flat[64];
	size_t i, k;
	int r = 0;

	if (xmlHasProp(n, (const xmlChar *)"hidden") != NULL ||
	    article_attr_eq(n, "aria-hidden", "true"))
		return 1;
	if ((s = article_attr(n, "style")) == NULL)
		return 0;
	/* "display : none" and "visibility:hidden", spaces and case aside */
	for (i = 0, k = 0; s[i] != '\0'; i++) {
		if (is_space((unsigned char)s[i]))
			continue;
		flat[k++] = (char)lower((unsigned char)s[i]);
		if (k == sizeof(flat) - 1 || s[i] == ';') {
			flat[k] = '\0';
			if (strstr(flat, "display:none") ||
			    strstr(flat, "visibility:hidden"))
				r = 1;
			k = 0;
		}
	}
	flat[k] = '\0';
	if (strstr(flat, "display:none") || strstr(flat, "visibility:hidden"))
		r = 1;
	return r;
}

/* --- lazy images ----------------------------------------------------- */

/* Attributes lazy loaders keep the real source in, best first. */
static const char *const lazy_src[] = {
	"data-src", "data-lazy-src", "data-original", "data-orig-file",
	"data-hi-res-src", "data-full-src", "data-url", "data-lazy", NULL
};
static const char *const lazy_srcset[] = {
	"data-srcset", "data-lazy-srcset", "srcset", NULL
};

/*
 * 1 when src is no real image: missing, inline data, or a file named like
 * the placeholders lazy loaders show first (blank.gif, spacer.gif,
 * placeholder.svg, lazy.png, 1x1.gif ...).
 */
static int
placeholder(const char *src)
{
	static const char *const names[] = {
		"1x1", "blank", "empty", "gray", "grey", "lazy", "loading",
		"pixel", "placeholder", "spacer", "transparent", NULL
	};
	const char *file, *p;
	size_t i, n;

	if (src == NULL)
		return 1;
	while (is_space((unsigned char)*src))
		src++;
	if (*src == '\0' || strncasecmp(src, "data:", 5) == 0)
		return 1;
	n = strcspn(src, "?#");
	for (file = p = src; p < src + n; p++)
		if (*p == '/')
			file = p + 1;
	for (i = 0; names[i] != NULL; i++)
		if (strncasecmp(file, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

/* The widest candidate of a srcset ("a.jpg 480w, b.jpg 800w") into out;
 * 0 when there is none. */
static int
srcset_best(const char *set, struct buf *out)
{
	const char *p = set, *u, *ue, *d;
	double best = -1, v;

	while (*p) {
		while (is_space((unsigned char)*p) || *p == ',')
			p++;
		for (u = p; *p && !is_space((unsigned char)*p); p++)
			;
		ue = p;
		if (ue > u && ue[-1] == ',')
			ue--;
		for (d = p; *p && *p != ','; p++)
			;
		if (ue == u)
			continue;
		v = strtod(d, NULL);
		if (v >= best && !placeholder(u)) {
			best = v;
			buf_reset(out);
			buf_append(out, u, (size_t)(ue - u));
		}
	}
	return best >= 0 && !out->overflow;
}

/* Give img a real src from its lazy attributes (or from fallback, the
 * <source> of a <picture>); 1 when it has one after. */
static int
img_fix(xmlNodePtr img, xmlNodePtr fallback)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	const char *src = article_attr(img, "src"), *v;
	size_t i;
	int ok = 0;

	for (i = 0; lazy_src[i] != NULL && !ok; i++) {
		if ((v = article_attr(img, lazy_src[i])) != NULL && !placeholder(v) &&
		    buf_puts(&b, v) == 0)
			ok = 1;
	}
	if (!ok && placeholder(src)) {
		for (i = 0; lazy_srcset[i] != NULL && !ok; i++) {
			if ((v = article_attr(img, lazy_srcset[i])) != NULL)
				ok = srcset_best(v, &b);
			if (!ok && fallback != NULL &&
			    (v = article_attr(fallback, lazy_srcset[i])) != NULL) {
				ok = srcset_best(v, &b);
			}
		}
	}
	if (ok)
		xmlSetProp(img, (const xmlChar *)"src",
		    (const xmlChar *)b.data);
	else
		ok = !placeholder(src);
	buf_free(&b);
	return ok;
}

/* The first element named name under n (n included). */
static xmlNodePtr
find_el(xmlNodePtr n, const char *name, int depth)
{
	xmlNodePtr c, r;

	if (article_is(n, name))
		return n;
	if (depth > LIM_ARTICLE_DEPTH)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    (r = find_el(c, name, depth + 1)) != NULL)
			return r;
	return NULL;
}

/*
 * <noscript><img src=real></noscript> after a lazy <img>: the real
 * source goes to the image before it; without one, the image comes out
 * of the noscript.  The noscript itself is dropped by the caller.
 */
static void
noscript_fix(xmlNodePtr ns)
{
	xmlNodePtr img = find_el(ns, "img", 0), prev, pimg;
	const char *src;

	if (img == NULL || !img_fix(img, NULL))
		return;
	for (prev = ns->prev; prev != NULL &&
	    prev->type != XML_ELEMENT_NODE; prev = prev->prev)
		;
	pimg = prev != NULL ? find_el(prev, "img", 0) : NULL;
	if (pimg == NULL) {
		xmlUnlinkNode(img);
		xmlAddPrevSibling(ns, img);
		return;
	}
	src = article_attr(pimg, "src");
	if (placeholder(src)) {
		src = article_attr(img, "src");
		xmlSetProp(pimg, (const xmlChar *)"src", (const xmlChar *)src);
	}
}

/* --- the first pass: what is never content --------------------------- */

static void
prep(struct ext *x, xmlNodePtr n, int depth)
{
	xmlNodePtr c, next, k;

	for (c = n->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE)
			continue;
		if (c->type != XML_ELEMENT_NODE || depth > LIM_ARTICLE_DEPTH) {
			drop(c);
			continue;
		}
		if (IN(void_unknown, c->name)) {
			/* what libxml2 put inside goes back after it */
			while ((k = c->last) != NULL) {
				xmlUnlinkNode(k);
				xmlAddNextSibling(c, k);
			}
			next = c->next;
			if (article_is(n, "picture") && (k = find_el(n, "img", 0)))
				img_fix(k, c);
			drop(c);
			continue;
		}
		if (article_is(c, "noscript")) {
			noscript_fix(c);
			next = c->next;
			drop(c);
			continue;
		}
		if (IN(drop_tags, c->name) || hidden(c) ||
		    ((x->flags & F_STRIP) && unlikely(c))) {
			drop(c);
			continue;
		}
		if (article_is(c, "img")) {
			/* an image without a source goes, unless the
			 * <noscript> after it has one */
			for (k = c->next; k != NULL &&
			    k->type != XML_ELEMENT_NODE; k = k->next)
				;
			if (!img_fix(c, NULL) && !article_is(k, "noscript"))
				drop(c);
			continue;
		}
		prep(x, c, depth + 1);
	}
}

/* --- scoring --------------------------------------------------------- */

static struct ninfo *
info(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE ? n->_private : NULL;
}

/* Count the elements under n, to size the info array. */
static size_t
count_elements(xmlNodePtr n)
{
	xmlNodePtr c;
	size_t k = 0;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			k += 1 + count_elements(c);
	return k;
}

/* Give every element its info and text measures (post-order). */
static void
measure(struct ext *x, xmlNodePtr n, int in_link)
{
	struct ninfo *ni = &x->info[x->nused++], *ci;
	xmlNodePtr c;
	unsigned chars, commas;
	const char *href;
	int link = in_link;

	n->_private = ni;
	if (!in_link && article_is(n, "a")) {
		href = article_attr(n, "href");
		/* an in-page anchor counts less (readability's 0.3) */
		link = href != NULL && href[0] == '#' ? 2 : 1;
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content != NULL) {
			chars = commas = 0;
			text_measure((const char *)c->content, &chars, &commas);
			ni->chars += chars;
			ni->commas += commas;
			if (link == 1)
				ni->link_chars += chars;
			else if (link == 2)
				ni->link_chars += chars * 3 / 10;
		} else if (c->type == XML_ELEMENT_NODE) {
			measure(x, c, link);
			ci = c->_private;
			ni->chars += ci->chars;
			ni->commas += ci->commas;
			ni->link_chars += ci->link_chars;
			if (article_block(c->name))
				ni->blocks = 1;
		}
	}
}

static double
link_density(const struct ninfo *ni)
{
	return ni->chars == 0 ? 0 : (double)ni->link_chars / ni->chars;
}

static void
candidate_init(struct ext *x, xmlNodePtr n)
{
	struct ninfo *ni = info(n);
	const char *s = (const char *)n->name;

	if (ni->candidate)
		return;
	ni->candidate = 1;
	x->cand[x->ncand++] = n;
	if (strcmp(s, "div") == 0 || strcmp(s, "article") == 0)
		ni->score = 5;
	else if (strcmp(s, "pre") == 0 || strcmp(s, "td") == 0 ||
	    strcmp(s, "blockquote") == 0)
		ni->score = 3;
	else if (strcmp(s, "address") == 0 || strcmp(s, "ol") == 0 ||
	    strcmp(s, "ul") == 0 || strcmp(s, "dl") == 0 ||
	    strcmp(s, "dd") == 0 || strcmp(s, "dt") == 0 ||
	    strcmp(s, "li") == 0 || strcmp(s, "form") == 0)
		ni->score = -3;
	else if (is_heading(n) || strcmp(s, "th") == 0)
		ni->score = -5;
	if (x->flags & F_WEIGHT)
		ni->score += class_weight(n);
}

/* A paragraph of chars characters and commas commas under parent. */
static void
score_para(struct ext *x, xmlNodePtr parent, unsigned chars, unsigned commas)
{
	xmlNodePtr a;
	double s;
	int level;

	if (chars < 25)
		return;
	s = 1 + commas + (chars / 100 < 3 ? chars / 100 : 3);
	for (a = parent, level = 0; a != NULL && level < 5 &&
	    a->type == XML_ELEMENT_NODE; a = a->parent, level++) {
		candidate_init(x, a);
		info(a)->score += level == 0 ? s : level == 1 ? s / 2 :
		    s / (level * 3);
		if (a == x->body)
			break;
	}
}

/* The text of n outside its block children: a div soup's paragraphs. */
static void
loose_text(xmlNodePtr n, unsigned *chars, unsigned *commas)
{
	xmlNodePtr c;
	struct ninfo *ci;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			text_measure((const char *)c->content, chars, commas);
		else if (c->type == XML_ELEMENT_NODE &&
		    !article_block(c->name) && (ci = c->_private) != NULL) {
			*chars += ci->chars;
			*commas += ci->commas;
		}
	}
}

static void
score_tree(struct ext *x, xmlNodePtr n)
{
	struct ninfo *ni = info(n);
	xmlNodePtr c;
	unsigned chars = 0, commas = 0;

	if (IN(para_tags, n->name) || article_is(n, "li")) {
		if (!ni->blocks) {
			if (!article_is(n, "li") && n->parent != NULL)
				score_para(x, n->parent, ni->chars,
				    ni->commas);
			return;
		}
		if (!article_is(n, "li")) {
			loose_text(n, &chars, &commas);
			score_para(x, n, chars, commas);
		}
	}
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			score_tree(x, c);
}

/* The best candidate, moved up where its parent holds more of the
 * article (readability's alternative-ancestor and score climbs). */
static xmlNodePtr
top_candidate(struct ext *x)
{
	xmlNodePtr top = NULL, alt[5], p;
	double best = 0, s, ts;
	size_t i, k, nalt = 0, shared;

	for (i = 0; i < x->ncand; i++) {
		s = info(x->cand[i])->score =
		    info(x->cand[i])->score *
		    (1 - link_density(info(x->cand[i])));
		if (top == NULL || s > best) {
			top = x->cand[i];
			best = s;
		}
	}
	if (top == NULL || top == x->body)
		return top;
	/* the other candidates close to the best */
	for (i = 0; i < x->ncand && nalt < 5; i++)
		if (x->cand[i] != top && info(x->cand[i])->score >= best *
		    0.75)
			alt[nalt++] = x->cand[i];
	if (nalt >= 3) {
		for (p = top->parent; p != NULL && p != x->body &&
		    p->type == XML_ELEMENT_NODE; p = p->parent) {
			for (k = 0, shared = 0; k < nalt; k++) {
				xmlNodePtr a;

				for (a = alt[k]; a != NULL && a != p;
				    a = a->parent)
					;
				shared += a == p;
			}
			if (shared >= 3) {
				top = p;
				break;
			}
		}
	}
	/* up while the parent scores better */
	ts = info(top)->score;
	for (p = top->parent, s = ts; p != NULL && p != x->body &&
	    p->type == XML_ELEMENT_NODE; p = p->parent) {
		if (!info(p)->candidate)
			continue;
		if (info(p)->score < ts / 3)
			break;
		if (info(p)->score > s) {
			top = p;
			break;
		}
		s = info(p)->score;
	}
	/* an only child stands for its parent */
	while (top->parent != NULL && top->parent != x->body &&
	    top->parent->type == XML_ELEMENT_NODE &&
	    xmlChildElementCount(top->parent) == 1)
		top = top->parent;
	return top;
}

/* 1 when the text of n ends a sentence somewhere (". " or at its end). */
static int
has_sentence(xmlNodePtr n)
{
	struct buf b = BUF_INIT(1u << 16);
	char *p;
	int r;

	article_text(n, &b, 0);
	p = b.data;
	r = p != NULL && (strstr(p, ". ") != NULL ||
	    (b.len > 0 && strrchr(p, '.') != NULL &&
	    strspn(strrchr(p, '.') + 1, " \t\r\n") ==
	    strlen(strrchr(p, '.') + 1)));
	buf_free(&b);
	return r;
}

/* 1 when all the text of n is inside <small>: the fine print of a
 * page (copyright, credits), not of the article. */
static int
fine_print(xmlNodePtr n, int in_small, int depth)
{
	xmlNodePtr c;
	const unsigned char *p;

	if (depth > LIM_ARTICLE_DEPTH)
		return 1;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && !in_small && c->content) {
			for (p = c->content; is_space(*p); p++)
				;
			if (*p != '\0')
				return 0;
		} else if (c->type == XML_ELEMENT_NODE &&
		    !fine_print(c, in_small || article_is(c, "small"), depth + 1))
			return 0;
	}
	return 1;
}

/* The article: top and the siblings that belong with it. */
static size_t
gather(struct ext *x, xmlNodePtr top, xmlNodePtr *out, size_t max)
{
	struct ninfo *ni;
	xmlNodePtr c;
	const char *tc, *cc;
	double thr, bonus, ld;
	size_t n = 0;

	if (top->parent == NULL || top == x->body) {
		out[n++] = top;
		return n;
	}
	thr = info(top)->score * 0.2;
	if (thr < 10)
		thr = 10;
	tc = article_attr(top, "class");
	for (c = top->parent->children; c != NULL && n < max; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c == top) {
			out[n++] = c;
			continue;
		}
		ni = info(c);
		bonus = 0;
		cc = article_attr(c, "class");
		if (tc != NULL && cc != NULL && *tc && strcmp(tc, cc) == 0)
			bonus = info(top)->score * 0.2;
		if (ni->candidate && ni->score + bonus >= thr) {
			out[n++] = c;
			continue;
		}
		if ((!article_is(c, "p") && !(IN(para_tags, c->name) &&
		    !ni->blocks)) || fine_print(c, 0, 0))
			continue;
		ld = link_density(ni);
		if ((ni->chars > 80 && ld < 0.25) ||
		    (ni->chars > 0 && ni->chars <= 80 && ld == 0 &&
		    has_sentence(c)))
			out[n++] = c;
	}
	return n;
}

/* --- cleaning the article -------------------------------------------- */

static int
is_label(xmlNodePtr n, size_t chars)
{
	struct buf b = BUF_INIT(128);
	char *p, *e;
	int r;

	if (chars == 0 || chars > 40)
		return 0;
	article_text(n, &b, 0);
	if (b.data == NULL)
		return 0;
	for (p = b.data; *p; p++)
		*p = (char)lower((unsigned char)*p);
	for (p = b.data; is_space((unsigned char)*p); p++)
		;
	for (e = p + strlen(p); e > p && is_space((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	r = IN(label_texts, p);
	buf_free(&b);
	return r;
}

/* 1 when the heading's text is the title (case and spaces aside). */
static int
repeats_title(xmlNodePtr n, const char *title)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	const char *p, *q;
	int r;

	if (title == NULL)
		return 0;
	article_text(n, &b, 0);
	p = buf_str(&b);
	q = title;
	for (;;) {
		while (is_space((unsigned char)*p))
			p++;
		while (is_space((unsigned char)*q))
			q++;
		if (*p == '\0' || *q == '\0' || lower((unsigned char)*p) !=
		    lower((unsigned char)*q))
			break;
		p++;
		q++;
	}
	r = *p == '\0' && *q == '\0';
	buf_free(&b);
	return r;
}

/* Should the cleaned element n, with counts k, go? (readability's
 * conditional cleaning) */
static int
clean_verdict(struct ext *x, xmlNodePtr n, const struct counts *k)
{
	struct ninfo *ni = info(n);
	int weight = (x->flags & F_WEIGHT) ? class_weight(n) : 0;
	int list = article_is(n, "ul") || article_is(n, "ol") || article_is(n, "dl");
	double ld = k->chars ? (double)k->link_chars / k->chars : 0;
	double score = ni != NULL && ni->candidate ? ni->score : 0;

	if (weight + score < 0)
		return 1;
	if (k->commas >= 10)
		return 0;
	if (k->img > 1 && (double)k->p / k->img < 0.5 && !article_is(n, "figure"))
		return 1;
	if (!list && k->li > k->p + 100)
		return 1;
	if (k->input > k->p / 3)
		return 1;
	if (!list && k->chars < 25 && k->headings == 0 &&
	    (k->img == 0 || k->img > 2))
		return 1;
	if (list)
		return ld > 0.5;
	if (weight < 25 && ld > 0.2)
		return 1;
	return weight >= 25 && ld > 0.5;
}

static void
clean(struct ext *x, xmlNodePtr n, struct counts *k, int in_link, int depth)
{
	struct counts ck;
	xmlNodePtr c, next;
	unsigned chars, commas;
	int link;

	for (c = n->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE && c->content != NULL) {
			chars = commas = 0;
			text_measure((const char *)c->content, &chars, &commas);
			k->chars += chars;
			k->commas += commas;
			if (in_link)
				k->link_chars += chars;
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		memset(&ck, 0, sizeof(ck));
		link = in_link || article_is(c, "a");
		clean(x, c, &ck, link, depth + 1);
		if (is_heading(c) && !x->title_seen &&
		    repeats_title(c, x->title)) {
			x->title_seen = 1;
			drop(c);
			continue;
		}
		if ((x->flags & F_WEIGHT) && is_heading(c) &&
		    class_weight(c) < 0) {
			drop(c);
			continue;
		}
		if (is_label(c, ck.chars) || ((article_is(c, "div") ||
		    article_is(c, "p")) && ck.chars > 0 && ck.img == 0 &&
		    fine_print(c, 0, 0)) || ((x->flags & F_CLEAN) &&
		    IN(cond_tags, c->name) && clean_verdict(x, c, &ck))) {
			drop(c);
			continue;
		}
		if (article_is(c, "p"))
			ck.p++;
		else if (article_is(c, "img"))
			ck.img++;
		else if (article_is(c, "li"))
			ck.li++;
		else if (article_is(c, "input"))
			ck.input++;
		else if (is_heading(c))
			ck.headings++;
		k->chars += ck.chars;
		k->link_chars += ck.link_chars;
		k->commas += ck.commas;
		k->p += ck.p;
		k->img += ck.img;
		k->li += ck.li;
		k->input += ck.input;
		k->headings += ck.headings;
	}
}

/* --- writing the article --------------------------------------------- */

/* uri resolved against base into out (uri itself when it cannot be). */
static void
put_url(struct buf *out, const char *uri, const char *base)
{
	xmlChar *r = NULL;
	const char *s = uri;

	while (is_space((unsigned char)*s))
		s++;
	if (base != NULL)
		r = xmlBuildURI((const xmlChar *)s, (const xmlChar *)base);
	s = r != NULL ? (const char *)r : s;
	html_escape(out, s, strlen(s));
	xmlFree(r);
}

static void
write_node(struct buf *out, xmlNodePtr n, const char *base, int depth)
{
	xmlAttrPtr a;
	xmlNodePtr c;
	const char *v;

	if (n->type == XML_TEXT_NODE && n->content != NULL) {
		html_escape(out, (const char *)n->content,
		    strlen((const char *)n->content));
		return;
	}
	if (n->type != XML_ELEMENT_NODE || depth > LIM_ARTICLE_DEPTH ||
	    out->overflow)
		return;
	buf_printf(out, "<%s", (const char *)n->name);
	for (a = n->properties; a != NULL; a = a->next) {
		if (!IN(out_attrs, a->name) ||
		    (v = article_attr(n, (const char *)a->name)) == NULL)
			continue;
		buf_printf(out, " %s=\"", (const char *)a->name);
		if (strcmp((const char *)a->name, "href") == 0 ||
		    strcmp((const char *)a->name, "src") == 0 ||
		    strcmp((const char *)a->name, "cite") == 0)
			put_url(out, v, base);
		else
			html_escape(out, v, strlen(v));
		buf_putc(out, '"');
	}
	buf_putc(out, '>');
	if (IN(void_tags, n->name))
		return;
	for (c = n->children; c != NULL; c = c->next)
		write_node(out, c, base, depth + 1);
	buf_printf(out, "</%s>", (const char *)n->name);
	if (article_block(n->name))
		buf_putc(out, '\n');
}

/* --- the parse ------------------------------------------------------- */

/* The charset a <meta> near the start names, into name. */
static void
sniff_charset(const char *s, size_t n, char *name, size_t namelen)
{
	const char *p, *end = s + (n < 2048 ? n : 2048);
	size_t k;

	name[0] = '\0';
	for (p = s; p + 8 < end; p++) {
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		while (p < end && (*p == '"' || *p == '\''))
			p++;
		for (k = 0; p < end && k < namelen - 1 &&
		    (isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
		    *p == '.' || *p == ':'); p++)
			name[k++] = *p;
		name[k] = '\0';
		return;
	}
}

/* 1 when name can be handed to iconv: a charset name's characters only,
 * and never UTF-7 (it turns "+ADw-" into "<" past every check on the
 * bytes; the WHATWG Encoding Standard forbids it). */
static int
charset_ok(const char *name)
{
	const char *p;

	if (*name == '\0' || strncasecmp(name, "utf-7", 5) == 0 ||
	    strncasecmp(name, "utf7", 4) == 0 ||
	    strncasecmp(name, "unicode-1-1-utf-7", 17) == 0 ||
	    strncasecmp(name, "csunicode11utf7", 15) == 0)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return 0;
	return 1;
}

/*
 * page[0..len) in charset enc appended to out as UTF-8, a byte iconv
 * cannot convert as U+FFFD; -1 when iconv does not know enc.  Done here
 * rather than by libxml2, whose converter reports bad bytes on stderr
 * and stops.
 */
static int
legacy_to_utf8(const char *page, size_t len, const char *enc,
    struct buf *out)
{
	char tmp[8192], *in = (char *)page, *o;
	size_t inleft = len, oleft;
	iconv_t cd;

	if (!charset_ok(enc) || (cd = iconv_open("UTF-8", enc)) ==
	    (iconv_t)-1)
		return -1;
	while (inleft > 0 && !out->overflow) {
		o = tmp;
		oleft = sizeof(tmp);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
		    errno != E2BIG) {
			buf_append(out, tmp, (size_t)(o - tmp));
			buf_puts(out, "\xef\xbf\xbd");
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		buf_append(out, tmp, (size_t)(o - tmp));
	}
	iconv_close(cd);
	return 0;
}

/* The page as UTF-8, made once for every parse of it. */
struct source {
	struct buf	 clean;
};

static void
source_init(struct source *src, const char *page, size_t len,
    const char *charset)
{
	struct buf conv = BUF_INIT(3 * (size_t)LIM_ARTICLE_PAGE);
	char enc[64];

	buf_init(&src->clean, 0);
	if (charset != NULL && *charset != '\0')
		snprintf(enc, sizeof(enc), "%s", charset);
	else
		sniff_charset(page, len, enc, sizeof(enc));
	if (enc[0] != '\0' && strcasecmp(enc, "utf-8") != 0 &&
	    strcasecmp(enc, "utf8") != 0 &&
	    legacy_to_utf8(page, len, enc, &conv) == 0) {
		/* iconv's UTF-8 is valid; NULs and the like still go */
		utf8_clean(&src->clean, buf_str(&conv), conv.len, 0);
		buf_free(&conv);
		return;
	}
	buf_free(&conv);
	utf8_clean(&src->clean, page, len, 0);
}

static htmlDocPtr
source_parse(const struct source *src)
{
	if (src->clean.len == 0 || src->clean.len > HTML_INT_MAX)
		return NULL;
	return htmlReadMemory(src->clean.data, (int)src->clean.len, NULL,
	    "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
}

static xmlNodePtr
find_body(htmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), c;

	if (root == NULL)
		return NULL;
	for (c = root->children; c != NULL; c = c->next)
		if (article_is(c, "body"))
			return c;
	return root;
}

/*
 * One attempt on a fresh parse (freed here): the article's HTML into html
 * (reset first), its words into *words.  0, or -1 with err.
 */
static int
attempt(htmlDocPtr doc, int flags, const struct meta *m, struct buf *html,
    size_t *words, char *err, size_t errlen)
{
	struct ext x;
	struct counts k;
	xmlNodePtr top, parts[256];
	struct buf text = BUF_INIT(LIM_ARTICLE_HTML);
	size_t i, n, nel;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.flags = flags;
	x.title = m->title;
	buf_reset(html);
	*words = 0;
	x.doc = doc;
	if ((x.body = find_body(x.doc)) == NULL) {
		rc = 0;
		goto out;
	}
	prep(&x, x.body, 0);
	if ((nel = 1 + count_elements(x.body)) > LIM_ARTICLE_NODES) {
		errf(err, errlen, "page too complex (%zu elements)", nel);
		goto out;
	}
	x.info = xcalloc(nel, sizeof(*x.info));
	x.cand = xcalloc(nel, sizeof(*x.cand));
	measure(&x, x.body, 0);
	score_tree(&x, x.body);
	if ((top = top_candidate(&x)) == NULL)
		top = x.body;
	n = gather(&x, top, parts, sizeof(parts) / sizeof(parts[0]));
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		clean(&x, parts[i], &k, 0, 0);
	}
	if (n > 1)
		buf_puts(html, "<div>\n");
	for (i = 0; i < n; i++) {
		write_node(html, parts[i], m->base, 0);
		article_text(parts[i], &text, 0);
		buf_putc(&text, ' ');
	}
	if (n > 1)
		buf_puts(html, "</div>\n");
	if (html->overflow) {
		errf(err, errlen, "article too large");
		goto out;
	}
	*words = article_words(buf_str(&text), text.len);
	rc = 0;
out:
	/* libxml2 must not see our pointers in _private when freeing */
	free(x.info);
	free(x.cand);
	buf_free(&text);
	xmlFreeDoc(x.doc);
	return rc;
}

/* 1 with the reason in err when the extraction is too little or the
 * wrong kind of content. */
static int
thin(const char *html, size_t len, size_t words, char *err, size_t errlen)
{
	size_t links = 0, heads = 0;
	const char *p;

	if (words < ARTICLE_MIN_WORDS) {
		errf(err, errlen, "too little content (%zu words)", words);
		return 1;
	}
	/* a list of teasers: many linked headings, little text each */
	for (p = html; (p = strstr(p, "<h")) != NULL && (size_t)(p - html) <
	    len; p++) {
		if (p[2] < '1' || p[2] > '6')
			continue;
		heads++;
		if (strncmp(p + 4, "<a ", 3) == 0 || strncmp(p + 4, "<a>", 3)
		    == 0)
			links++;
	}
	if (links >= 3 && links * 2 >= heads && words / links < 80) {
		errf(err, errlen, "a list of %zu articles, not one", links);
		return 1;
	}
	return 0;
}

enum article_rc
article_extract(const char *page, size_t len, const char *url,
    const char *charset, struct article *out, char *err, size_t errlen)
{
	static const int tries[] = { F_ALL, F_WEIGHT | F_CLEAN, F_CLEAN };
	struct meta m;
	struct source src;
	struct buf html = BUF_INIT(LIM_ARTICLE_HTML);
	htmlDocPtr doc;
	size_t i, words, best = 0;
	enum article_rc rc = ARTICLE_FAIL;
	int got = 0;

	memset(out, 0, sizeof(*out));
	buf_init(&out->html, LIM_ARTICLE_HTML);
	memset(&m, 0, sizeof(m));
	memset(&src, 0, sizeof(src));
	if (len > LIM_ARTICLE_PAGE) {
		errf(err, errlen, "page too large (%zu bytes)", len);
		goto out;
	}
	if (len == 0) {
		errf(err, errlen, "empty page");
		goto out;
	}
	source_init(&src, page, len, charset);
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if ((doc = source_parse(&src)) == NULL) {
			errf(err, errlen, "not an HTML page");
			goto out;
		}
		if (i == 0)
			article_meta_read(doc, url, &m);
		if (attempt(doc, tries[i], &m, &html, &words, err,
		    errlen) == -1)
			goto out;
		if (!got || words > best) {
			buf_reset(&out->html);
			if (html.len > 0)
				utf8_clean(&out->html, html.data, html.len, 0);
			best = words;
			got = 1;
		}
		/* enough text: no need to relax the rules */
		if (words >= ARTICLE_RETRY_WORDS)
			break;
	}
	out->words = best;
	rc = ARTICLE_OK;
	if (thin(buf_str(&out->html), out->html.len, best, err, errlen)) {
		buf_reset(&out->html);
		rc = ARTICLE_THIN;
	}
out:
	out->title = m.title;
	out->byline = m.byline;
	out->published = m.published;
	out->image = m.image;
	out->site = m.site;
	out->lang = m.lang;
	free(m.base);
	free(m.doc_title);
	buf_free(&src.clean);
	buf_free(&html);
	return rc;
}

void
article_free(struct article *a)
{
	if (a == NULL)
		return;
	buf_free(&a->html);
	free(a->title);
	free(a->byline);
	free(a->published);
	free(a->image);
	free(a->site);
	free(a->lang);
	memset(a, 0, sizeof(*a));
}

