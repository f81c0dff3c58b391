/*
 * html_text.c - HTML rendered as plain text for the small screen: the
 * display-width word wrapper (html_wrap), the block and inline renderer
 * (html_to_text: paragraphs, lists, "> " quotes, pre, tables, links as
 * numbered references) and the one-line form for titles (html_to_line).
 *
 * It walks the tree html.c parsed (html_int.h), with html.c's rules for
 * which elements are dropped and which links and images count, so the
 * text part never shows what the HTML part left out.  Widths are display
 * columns: East Asian wide characters take two, combining marks none.
 *
 * Deliberately not here: parsing and sanitizing (html.c), the mail around
 * the text (message.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "html_int.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define HTML_PRE_MAX	78		/* pre lines are broken past this */

/* ------------------------------------------------------------------ */
/* Display width and wrapping. */

/* Columns a code point takes on a terminal: 0, 1 or 2 (East Asian wide). */
static int
cp_width(uint32_t c)
{
	if (c < 0x300)
		return 1;
	if ((c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	    (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	    (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x200B && c <= 0x200F) ||
	    c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F))
		return 0;
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
	    (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

/* The code point at s (n > 0 bytes left) into *cp and its length; a
 * byte that starts no valid sequence is one '?' (the text was cleaned,
 * so only a cut at a cap meets one). */
static size_t
next_cp(const char *s, size_t n, uint32_t *cp)
{
	size_t k;

	if ((k = utf8_decode(s, n, cp)) == 0) {
		k = 1;
		*cp = '?';
	}
	return k;
}

static size_t
str_width(const char *s, size_t n)
{
	size_t i, k, w = 0;
	uint32_t cp;

	for (i = 0; i < n; i += k) {
		k = next_cp(s + i, n - i, &cp);
		w += (size_t)cp_width(cp);
	}
	return w;
}

/* Drop the spaces at the end of b: no line ends in one. */
static void
trim_spaces(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

static int
looks_like_url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if (memcmp(s + i, "://", 3) == 0)
			return 1;
	return (n > 7 && memcmp(s, "mailto:", 7) == 0) ||
	    (n > 4 && memcmp(s, "www.", 4) == 0);
}

struct wrap {
	struct buf	*out;
	const char	*first;		/* prefix of the first line */
	const char	*rest;		/* prefix of the others */
	size_t		 width;
	size_t		 col;		/* display columns on this line */
	int		 line;		/* lines written */
	int		 open;		/* a line is started */
};

static void
wrap_newline(struct wrap *w)
{
	trim_spaces(w->out);
	buf_putc(w->out, '\n');
	w->open = 0;
	w->line++;
}

static void
wrap_begin(struct wrap *w)
{
	const char *p = w->line == 0 ? w->first : w->rest;

	buf_puts(w->out, p);
	w->col = str_width(p, strlen(p));
	w->open = 1;
}

/* Place one token (no spaces in it); space: a space came before it. */
static void
wrap_token(struct wrap *w, const char *t, size_t n, int space)
{
	size_t tw = str_width(t, n), i, k, cw;
	uint32_t cp;

	if (!w->open)
		wrap_begin(w);
	else if (w->col + (space ? 1 : 0) + tw > w->width &&
	    w->col > str_width(w->line == 0 ? w->first : w->rest,
	    strlen(w->line == 0 ? w->first : w->rest))) {
		wrap_newline(w);
		wrap_begin(w);
		space = 0;
	}
	if (space && w->col > 0 && w->out->len > 0 &&
	    w->out->data[w->out->len - 1] != ' ') {
		buf_putc(w->out, ' ');
		w->col++;
	}
	if (w->col + tw <= w->width || looks_like_url(t, n)) {
		buf_append(w->out, t, n);
		w->col += tw;
		return;
	}
	/* a word wider than the line: break it between characters */
	for (i = 0; i < n; i += k) {
		k = next_cp(t + i, n - i, &cp);
		cw = (size_t)cp_width(cp);
		if (w->col + cw > w->width && w->col > 0) {
			wrap_newline(w);
			wrap_begin(w);
		}
		buf_append(w->out, t + i, k);
		w->col += cw;
	}
}

/*
 * Wrap one paragraph of text (spaces separate words, '\n' forces a line
 * break) with the given prefixes.  Wide characters may break anywhere.
 */
static void
wrap_para(struct buf *out, const char *s, size_t n, size_t width,
    const char *first, const char *rest)
{
	struct wrap w;
	size_t i = 0, j, k;
	uint32_t cp;
	int space = 0;

	memset(&w, 0, sizeof(w));
	w.out = out;
	w.first = first;
	w.rest = rest;
	w.width = width;
	while (i < n) {
		if (s[i] == '\n') {
			if (!w.open)
				wrap_begin(&w);
			wrap_newline(&w);
			space = 0;
			i++;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			space = 1;
			i++;
			continue;
		}
		/* a wide character is a token of its own */
		k = next_cp(s + i, n - i, &cp);
		if (cp_width(cp) == 2) {
			wrap_token(&w, s + i, k, space);
			space = 0;
			i += k;
			continue;
		}
		for (j = i; j < n && s[j] != ' ' && s[j] != '\t' &&
		    s[j] != '\n'; j += k) {
			k = next_cp(s + j, n - j, &cp);
			if (cp_width(cp) == 2)
				break;
		}
		wrap_token(&w, s + i, j - i, space);
		space = 0;
		i = j;
	}
	if (w.open)
		wrap_newline(&w);
}

int
html_wrap(const char *text, size_t len, int width, struct buf *out)
{
	struct buf c = BUF_INIT(0);
	size_t i = 0, e;

	utf8_clean(&c, text, len, 0);
	while (i < c.len) {
		for (e = i; e < c.len && c.data[e] != '\n'; e++)
			;
		/* CRLF and lone CR end lines too */
		if (e > i && c.data[e - 1] == '\r')
			wrap_para(out, c.data + i, e - i - 1, (size_t)width,
			    "", "");
		else if (e > i)
			wrap_para(out, c.data + i, e - i, (size_t)width,
			    "", "");
		else
			buf_putc(out, '\n');
		i = e + 1;
	}
	buf_free(&c);
	return out->overflow ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The text renderer. */

#define TXT_LISTS	8	/* list nesting that still indents */
#define TXT_QUOTES	8	/* quote nesting that still adds "> " */
#define TXT_INDENT	32	/* indentation stops growing here */

struct txt {
	struct buf	*out;
	struct buf	 para;		/* inline text of the current block */
	struct buf	 refs;		/* "[n] url\n" lines */
	struct buf	 text;		/* scratch for txt_text */
	char		**urls;		/* for numbering repeated links once */
	size_t		 nurls;
	size_t		*slots;		/* hash of urls: index + 1, 0 empty */
	size_t		 nslots;	/* a power of two */
	size_t		 width;
	int		 quote;		/* blockquote depth */
	int		 pre;		/* inside pre */
	int		 cell;		/* inside a table cell: blocks inline */
	int		 blank;		/* a blank line is due before more */
	int		 blank_quote;	/* the quote depth when it was asked */
	size_t		 start;		/* out->len when rendering began */
	int		 space;		/* whitespace since the last word */
	size_t		 indent;	/* list indentation, columns */
	char		 bullet[16];	/* the next line's bullet, or "" */
	struct {
		int	 ordered;
		long	 n;
		size_t	 width;
	}		 lists[TXT_LISTS];
	int		 nlists;
};

static void
txt_prefix(struct txt *t, struct buf *p, int first)
{
	int i;
	size_t k, bl = strlen(t->bullet);

	for (i = 0; i < t->quote && i < TXT_QUOTES; i++)
		buf_puts(p, "> ");
	if (first && bl > 0) {
		for (k = bl; k < t->indent; k++)
			buf_putc(p, ' ');
		buf_puts(p, t->bullet);
	} else
		for (k = 0; k < t->indent; k++)
			buf_putc(p, ' ');
}

/* An empty line between blocks ("> " inside quotes, without the space). */
static void
txt_blank_line(struct txt *t)
{
	int i;

	if (t->out->len == t->start || !t->blank)
		return;
	/* a blank line at a quote's edge belongs outside it */
	for (i = 0; i < t->quote && i < t->blank_quote && i < TXT_QUOTES; i++)
		buf_putc(t->out, '>');
	buf_putc(t->out, '\n');
	t->blank = 0;
}

/* Write out the current block's inline text. */
static void
txt_flush(struct txt *t)
{
	struct buf first = BUF_INIT(0), rest = BUF_INIT(0);
	size_t s = 0, e = t->para.len;

	while (s < e && (t->para.data[s] == ' '))
		s++;
	while (e > s && (t->para.data[e - 1] == ' ' ||
	    t->para.data[e - 1] == '\n'))
		e--;
	if (e > s) {
		txt_blank_line(t);
		txt_prefix(t, &first, 1);
		txt_prefix(t, &rest, 0);
		wrap_para(t->out, t->para.data + s, e - s,
		    t->width > t->indent + 20 ? t->width : t->indent + 20,
		    buf_str(&first), buf_str(&rest));
		t->bullet[0] = '\0';
	}
	buf_reset(&t->para);
	t->space = 0;
	buf_free(&first);
	buf_free(&rest);
}

/* End the current block; blank: an empty line before the next one. */
static void
txt_block(struct txt *t, int blank)
{
	if (t->cell) {
		t->space = 1;
		return;
	}
	txt_flush(t);
	if (blank && t->out->len > t->start && !t->blank) {
		t->blank = 1;
		t->blank_quote = t->quote;
	}
}

/* Inline text, whitespace collapsed (verbatim inside pre). */
static void
txt_text(struct txt *t, const char *s)
{
	struct buf *c = &t->text;
	size_t i;

	buf_reset(c);
	utf8_clean(c, s, strlen(s), 0);
	for (i = 0; i < c->len; i++) {
		char ch = c->data[i];

		if (t->pre) {
			if (ch != '\r')
				buf_putc(&t->para, ch);
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == '\f') {
			t->space = 1;
			continue;
		}
		if (t->space && t->para.len > 0 &&
		    t->para.data[t->para.len - 1] != '\n')
			buf_putc(&t->para, ' ');
		t->space = 0;
		buf_putc(&t->para, ch);
	}
}

/* A preformatted block: each line as it is, broken only when very long. */
static void
txt_pre_flush(struct txt *t)
{
	struct buf p = BUF_INIT(0);
	size_t i = 0, e, k, col, cw, pw;
	uint32_t cp;
	const char *s = buf_str(&t->para);

	/* drop one leading newline, as HTML does, and trailing ones */
	if (t->para.len > 0 && s[0] == '\n')
		i = 1;
	while (t->para.len > i && s[t->para.len - 1] == '\n')
		t->para.data[--t->para.len] = '\0';
	if (t->para.len <= i)
		goto out;
	txt_blank_line(t);
	txt_prefix(t, &p, 0);
	pw = str_width(p.data ? p.data : "", p.len);
	while (i <= t->para.len) {
		for (e = i; e < t->para.len && s[e] != '\n'; e++)
			;
		buf_append(t->out, buf_str(&p), p.len);
		for (col = pw; i < e; i += k) {
			k = next_cp(s + i, e - i, &cp);
			cw = (size_t)(cp == '\t' ? 8 - (col - pw) % 8 :
			    (size_t)cp_width(cp));
			if (col + cw > HTML_PRE_MAX) {
				buf_putc(t->out, '\n');
				buf_append(t->out, buf_str(&p), p.len);
				col = pw;
			}
			buf_append(t->out, s + i, k);
			col += cw;
		}
		trim_spaces(t->out);
		buf_putc(t->out, '\n');
		i = e + 1;
	}
out:
	buf_reset(&t->para);
	buf_free(&p);
}

static uint32_t
txt_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The reference number of url, adding it when new (an open hash table
 * keeps a post with thousands of links linear). */
static size_t
txt_ref(struct txt *t, const char *url)
{
	size_t i, mask, k;

	if (2 * (t->nurls + 1) > t->nslots) {
		size_t n = t->nslots ? 2 * t->nslots : 64;

		free(t->slots);
		t->slots = xcalloc(n, sizeof(*t->slots));
		t->nslots = n;
		for (k = 0; k < t->nurls; k++) {
			for (i = txt_hash(t->urls[k]) & (n - 1);
			    t->slots[i] != 0; i = (i + 1) & (n - 1))
				;
			t->slots[i] = k + 1;
		}
	}
	mask = t->nslots - 1;
	for (i = txt_hash(url) & mask; t->slots[i] != 0; i = (i + 1) & mask)
		if (strcmp(t->urls[t->slots[i] - 1], url) == 0)
			return t->slots[i];
	t->urls = xrealloc(t->urls, (t->nurls + 1) * sizeof(*t->urls));
	t->urls[t->nurls++] = xstrdup(url);
	t->slots[i] = t->nurls;
	buf_printf(&t->refs, "[%zu] %s\n", t->nurls, url);
	return t->nurls;
}

static void txt_children(struct txt *, xmlNodePtr, int);
static void txt_node(struct txt *, xmlNodePtr, int);

/* What the renderer does with an element (txt_node); sorted by name. */
enum txt_kind {
	TXT_INLINE, TXT_BR, TXT_PARA, TXT_HEADING, TXT_QUOTE, TXT_PRE,
	TXT_LIST, TXT_LI, TXT_DD, TXT_TABLE, TXT_HR, TXT_A, TXT_IMG, TXT_Q,
	TXT_BLOCK
};
static const struct txt_elem {
	const char	*name;
	enum txt_kind	 kind;
} txt_elems[] = {
	{ "a", TXT_A }, { "address", TXT_PARA }, { "article", TXT_BLOCK },
	{ "aside", TXT_BLOCK }, { "blockquote", TXT_QUOTE }, { "br", TXT_BR },
	{ "caption", TXT_BLOCK }, { "center", TXT_BLOCK },
	{ "dd", TXT_DD }, { "details", TXT_PARA }, { "div", TXT_BLOCK },
	{ "dl", TXT_PARA }, { "dt", TXT_BLOCK }, { "figcaption", TXT_BLOCK },
	{ "figure", TXT_PARA }, { "footer", TXT_BLOCK },
	{ "h1", TXT_HEADING }, { "h2", TXT_HEADING }, { "h3", TXT_HEADING },
	{ "h4", TXT_HEADING }, { "h5", TXT_HEADING }, { "h6", TXT_HEADING },
	{ "header", TXT_BLOCK }, { "hr", TXT_HR }, { "img", TXT_IMG },
	{ "li", TXT_LI }, { "main", TXT_BLOCK }, { "ol", TXT_LIST },
	{ "p", TXT_PARA }, { "pre", TXT_PRE }, { "q", TXT_Q },
	{ "section", TXT_BLOCK }, { "summary", TXT_BLOCK },
	{ "table", TXT_TABLE }, { "ul", TXT_LIST },
};

static enum txt_kind
txt_kind(const char *name)
{
	const struct txt_elem *e = html_lookup(txt_elems,
	    sizeof(txt_elems) / sizeof(txt_elems[0]), sizeof(txt_elems[0]),
	    name);

	return e != NULL ? e->kind : TXT_INLINE;
}

static void
txt_link(struct txt *t, xmlNodePtr n, int depth)
{
	struct buf href = BUF_INIT(0);
	size_t start = t->para.len, i;
	const char *h;

	txt_children(t, n, depth + 1);
	if (!html_link_href(n, &href))
		goto out;
	h = buf_str(&href);
	/* a link whose text is its URL needs no reference */
	for (i = start; i < t->para.len && t->para.data[i] == ' '; i++)
		;
	if (strncmp(h, "mailto:", 7) == 0 &&
	    t->para.len - i == strlen(h + 7) &&
	    memcmp(t->para.data + i, h + 7, strlen(h + 7)) == 0)
		goto out;
	if (t->para.len - i == strlen(h) &&
	    memcmp(t->para.data + i, h, strlen(h)) == 0)
		goto out;
	if (t->para.len == i) {
		/* no text: show the URL itself */
		txt_text(t, h);
		goto out;
	}
	buf_printf(&t->para, " [%zu]", txt_ref(t, h));
out:
	buf_free(&href);
}

static void
txt_image(struct txt *t, xmlNodePtr n)
{
	struct buf src = BUF_INIT(0), s = BUF_INIT(0);
	xmlChar *alt;

	if (!html_img_src(n, &src))
		goto out;
	alt = xmlGetProp(n, (const xmlChar *)"alt");
	buf_puts(&s, " [image");
	if (alt != NULL) {
		struct buf c = BUF_INIT(0);

		utf8_clean(&c, (const char *)alt, strlen((char *)alt), 1);
		if (c.len > 0)
			buf_printf(&s, ": %s", c.data);
		buf_free(&c);
		xmlFree(alt);
	}
	buf_puts(&s, "] ");
	txt_text(t, s.data);
out:
	buf_free(&src);
	buf_free(&s);
}

static void
txt_list(struct txt *t, xmlNodePtr n, int ordered, int depth)
{
	int i = t->nlists;

	txt_block(t, t->nlists == 0);
	if (i < TXT_LISTS) {
		t->lists[i].ordered = ordered;
		t->lists[i].n = 1;
		if (ordered) {
			int s = html_attr_int(n, "start");

			if (s > 0)
				t->lists[i].n = s;
		}
		t->lists[i].width = ordered ? (t->lists[i].n >= 9 ? 4 : 3) : 2;
		t->indent += t->lists[i].width;
	}
	t->nlists++;
	txt_children(t, n, depth + 1);
	txt_block(t, 0);
	t->nlists--;
	if (i < TXT_LISTS)
		t->indent -= t->lists[i].width;
	if (t->nlists == 0)
		txt_block(t, 1);
}

static void
txt_item(struct txt *t, xmlNodePtr n, int depth)
{
	int i = t->nlists - 1;

	txt_block(t, 0);
	if (i >= 0 && i < TXT_LISTS) {
		if (t->lists[i].ordered)
			snprintf(t->bullet, sizeof(t->bullet), "%ld. ",
			    t->lists[i].n++);
		else
			snprintf(t->bullet, sizeof(t->bullet), "* ");
	}
	txt_children(t, n, depth + 1);
	txt_block(t, 0);
}

struct tcell {
	char	*s;		/* the cell's text, one line */
	size_t	 w;		/* its display width */
	size_t	 row, col;
	int	 th;
};

struct table {
	struct tcell	*cells;
	size_t		 n, cap, rows, cols;
};

/* Render one cell's content as one line of text. */
static void
table_cell(struct txt *t, xmlNodePtr c, int depth, struct table *tb)
{
	struct tcell *x;
	size_t s = 0, e;
	int was = t->cell;

	buf_reset(&t->para);
	t->space = 0;
	t->cell = 1;
	txt_children(t, c, depth + 1);
	t->cell = was;
	e = t->para.len;
	while (s < e && t->para.data[s] == ' ')
		s++;
	while (e > s && t->para.data[e - 1] == ' ')
		e--;
	if (tb->n == tb->cap) {
		tb->cap = tb->cap ? 2 * tb->cap : 16;
		tb->cells = xrealloc(tb->cells, tb->cap * sizeof(*tb->cells));
	}
	x = &tb->cells[tb->n++];
	x->s = xstrndup(buf_str(&t->para) + s, e - s);
	x->w = str_width(x->s, e - s);
	x->row = tb->rows;
	x->th = strcmp((const char *)c->name, "th") == 0;
	buf_reset(&t->para);
	t->space = 0;
}

/* The rows of a table (through thead, tbody, tfoot), cells rendered. */
static void
table_collect(struct txt *t, xmlNodePtr n, int depth, struct table *tb)
{
	xmlNodePtr c, d;
	const char *name;
	size_t col;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || depth > LIM_XML_DEPTH)
			continue;
		name = (const char *)c->name;
		if (strcmp(name, "thead") == 0 || strcmp(name, "tbody") == 0 ||
		    strcmp(name, "tfoot") == 0) {
			table_collect(t, c, depth + 1, tb);
			continue;
		}
		if (strcmp(name, "tr") != 0) {
			txt_node(t, c, depth + 1);	/* caption, strays */
			txt_block(t, 0);
			continue;
		}
		for (col = 0, d = c->children; d != NULL; d = d->next) {
			if (d->type != XML_ELEMENT_NODE ||
			    (strcmp((const char *)d->name, "td") != 0 &&
			    strcmp((const char *)d->name, "th") != 0))
				continue;
			table_cell(t, d, depth + 1, tb);
			tb->cells[tb->n - 1].col = col++;
		}
		if (col > tb->cols)
			tb->cols = col;
		if (col > 0)
			tb->rows++;
	}
}

/*
 * A table: columns aligned when they fit the width (a rule under a
 * header row), else one "a | b | c" paragraph per row.
 */
static void
txt_table(struct txt *t, xmlNodePtr n, int depth)
{
	struct table tb;
	struct buf line = BUF_INIT(0), pre = BUF_INIT(0);
	size_t *w, i, r, k, total, pw, pad;
	int head;

	memset(&tb, 0, sizeof(tb));
	txt_block(t, 1);
	table_collect(t, n, depth, &tb);
	w = xcalloc(tb.cols ? tb.cols : 1, sizeof(*w));
	for (i = 0; i < tb.n; i++)
		if (tb.cells[i].w > w[tb.cells[i].col])
			w[tb.cells[i].col] = tb.cells[i].w;
	txt_prefix(t, &pre, 0);
	pw = str_width(buf_str(&pre), pre.len);
	for (total = pw, k = 0; k < tb.cols; k++)
		total += w[k] + (k > 0 ? 3 : 0);
	for (i = 0, r = 0; r < tb.rows; r++) {
		buf_reset(&line);
		for (head = 1, k = 0; i < tb.n && tb.cells[i].row == r; i++) {
			head &= tb.cells[i].th;
			if (k++ > 0)
				buf_puts(&line, " | ");
			buf_puts(&line, tb.cells[i].s);
			for (pad = tb.cells[i].w; total <= t->width &&
			    pad < w[tb.cells[i].col]; pad++)
				buf_putc(&line, ' ');
		}
		if (total > t->width || tb.cols < 2) {
			buf_append(&t->para, line.data, line.len);
			txt_block(t, 0);
			continue;
		}
		txt_blank_line(t);
		trim_spaces(&line);
		buf_printf(t->out, "%s%s\n", buf_str(&pre), buf_str(&line));
		if (r == 0 && head && tb.rows > 1) {
			buf_puts(t->out, buf_str(&pre));
			for (k = 0; k < tb.cols; k++) {
				size_t j;

				buf_puts(t->out, k > 0 ? "-+-" : "");
				for (j = 0; j < w[k]; j++)
					buf_putc(t->out, '-');
			}
			buf_putc(t->out, '\n');
		}
	}
	for (i = 0; i < tb.n; i++)
		free(tb.cells[i].s);
	free(tb.cells);
	free(w);
	buf_free(&line);
	buf_free(&pre);
	txt_block(t, 1);
}

static void
txt_node(struct txt *t, xmlNodePtr n, int depth)
{
	const char *name, *text;
	size_t oldind;

	if ((text = html_node_text(n)) != NULL) {
		txt_text(t, text);
		return;
	}
	if (!html_enter(n, depth))
		return;
	name = (const char *)n->name;
	switch (txt_kind(name)) {
	case TXT_BR:
		if (t->cell)
			t->space = 1;
		else
			buf_putc(&t->para, '\n');
		t->space = 0;
		break;
	case TXT_PARA:
		txt_block(t, 1);
		txt_children(t, n, depth + 1);
		txt_block(t, 1);
		break;
	case TXT_HEADING:
		txt_block(t, 1);
		if (!t->cell)
			txt_text(t, name[1] <= '2' ? "## " : "### ");
		txt_children(t, n, depth + 1);
		txt_block(t, 1);
		break;
	case TXT_QUOTE:
		txt_block(t, 1);
		if (!t->cell)
			t->quote++;
		txt_children(t, n, depth + 1);
		txt_block(t, 0);
		if (!t->cell)
			t->quote--;
		txt_block(t, 1);
		break;
	case TXT_PRE:
		if (t->cell || t->pre) {
			txt_children(t, n, depth + 1);
			break;
		}
		txt_block(t, 1);
		t->pre = 1;
		txt_children(t, n, depth + 1);
		t->pre = 0;
		txt_pre_flush(t);
		txt_block(t, 1);
		break;
	case TXT_LIST:
		if (t->cell)
			txt_children(t, n, depth + 1);
		else
			txt_list(t, n, name[0] == 'o', depth);
		break;
	case TXT_DD:
		if (t->cell) {
			txt_children(t, n, depth + 1);
			break;
		}
		txt_block(t, 0);
		oldind = t->indent;
		if (t->indent < TXT_INDENT)
			t->indent += 4;
		txt_children(t, n, depth + 1);
		txt_block(t, 0);
		t->indent = oldind;
		break;
	case TXT_TABLE:
		if (t->cell)
			txt_children(t, n, depth + 1);
		else
			txt_table(t, n, depth);
		break;
	case TXT_HR:
		txt_block(t, 1);
		if (!t->cell)
			txt_text(t, "----------");
		txt_block(t, 1);
		break;
	case TXT_A:
		txt_link(t, n, depth);
		break;
	case TXT_IMG:
		txt_image(t, n);
		break;
	case TXT_Q:
		txt_text(t, "\"");
		t->space = 0;
		txt_children(t, n, depth + 1);
		txt_text(t, "\"");
		break;
	case TXT_LI:
		if (!t->cell) {
			txt_item(t, n, depth);
			break;
		}
		/* inside a cell, a block like div */
		/* FALLTHROUGH */
	case TXT_BLOCK:
		txt_block(t, 0);
		txt_children(t, n, depth + 1);
		txt_block(t, 0);
		break;
	default:
		txt_children(t, n, depth + 1);
		break;
	}
}

static void
txt_children(struct txt *t, xmlNodePtr n, int depth)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		txt_node(t, c, depth);
}

int
html_tree_to_text(const struct html_tree *tr, int width, struct buf *out,
    char *err, size_t errlen)
{
	struct txt t;
	xmlNodePtr root;
	size_t i, start = out->len;

	if (tr == NULL) {
		errf(err, errlen, "HTML: cannot parse");
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.start = out->len;
	t.width = width > 20 ? (size_t)width : 20;
	buf_init(&t.para, 0);
	buf_init(&t.refs, 0);
	buf_init(&t.text, 0);
	if ((root = xmlDocGetRootElement(tr->doc)) != NULL)
		txt_node(&t, root, 0);
	txt_flush(&t);
	if (t.refs.len > 0) {
		if (out->len > start)
			buf_putc(out, '\n');
		buf_puts(out, "Links:\n");
		buf_append(out, t.refs.data, t.refs.len);
	}
	for (i = 0; i < t.nurls; i++)
		free(t.urls[i]);
	free(t.urls);
	free(t.slots);
	buf_free(&t.para);
	buf_free(&t.refs);
	buf_free(&t.text);
	if (out->overflow) {
		errf(err, errlen, "HTML: text too large");
		return -1;
	}
	return 0;
}

int
html_to_text(const char *html, size_t len, int width, struct buf *out,
    char *err, size_t errlen)
{
	struct html_tree *t;
	int r;

	if (len == 0)
		return 0;
	t = html_parse(html, len);
	r = html_tree_to_text(t, width, out, err, errlen);
	html_tree_free(t);
	return r;
}

static void
line_walk(xmlNodePtr n, struct buf *out, int depth)
{
	xmlNodePtr c;
	const char *text;

	if ((text = html_node_text(n)) != NULL) {
		buf_putc(out, ' ');
		buf_puts(out, text);
		return;
	}
	if (!html_enter(n, depth))
		return;
	if (strcmp((const char *)n->name, "img") == 0) {
		xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");

		if (alt != NULL) {
			buf_putc(out, ' ');
			buf_puts(out, (const char *)alt);
			xmlFree(alt);
		}
		return;
	}
	for (c = n->children; c != NULL; c = c->next)
		line_walk(c, out, depth + 1);
}

int
html_to_line(const char *html, size_t len, struct buf *out)
{
	struct buf raw = BUF_INIT(0);
	struct html_tree *t;
	xmlNodePtr root;
	int r;

	if (len == 0)
		return 0;
	if ((t = html_parse(html, len)) == NULL) {
		/* not even HTML: the text as it is */
		return utf8_clean(out, html, len, 1);
	}
	if ((root = xmlDocGetRootElement(t->doc)) != NULL)
		line_walk(root, &raw, 0);
	html_tree_free(t);
	r = utf8_clean(out, buf_str(&raw), raw.len, 1);
	buf_free(&raw);
	return r;
}
