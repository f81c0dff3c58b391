/*
 * message.c - one RFC 5322 / MIME message from one entry (or a digest).
 *
 * The headers (DESIGN.md "The message"): From is always the bridge's own
 * address with a display name from a template ("{author} via {feed}");
 * Subject from a template ("{title}", an HTML title made plain text);
 * Date, a stable Message-ID, MIME-Version, the rss2email filter headers
 * (X-RSS-Feed, X-RSS-ID, X-RSS-URL, X-RSS-TAGS), List-Id naming the feed,
 * Auto-Submitted, Content-Language when known.  Every one goes through
 * mime.c.  Nothing is claimed that was not checked: no DKIM-Signature,
 * Authentication-Results or Received-SPF.
 *
 * The body: text/plain (a header block, the entry rendered for a small
 * screen, links as numbered references), and with opts->html a sanitized
 * text/html alternative, in multipart/related with the images the caller
 * handed in; quoted-printable (images base64), CRLF, 7-bit.  Over the size
 * cap the images go first, then the entry's body is cut (before a tag for
 * HTML) and a note with the link is added: an ordinary entry never fails
 * as "message too large".  A digest is the same with a section per entry.
 *
 * Boundaries start with "=_", which quoted-printable and base64 never
 * produce, so no body can contain one.
 *
 * Deliberately not here: fetching images (the caller does, see
 * message.h), delivery, deciding what is new.
 */
#include <sys/random.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "feed.h"
#include "html.h"
#include "limits.h"
#include "message.h"
#include "message_html.h"
#include "mime.h"
#include "util.h"
#include "utf8.h"
#include "sha256.h"

#define MSG_WIDTH	72		/* text/plain wrap, display columns */
#define MSG_NAME_MAX	200		/* From display name, code points */
#define MSG_FUTURE	86400		/* entry dates later than first seen */
#define MSG_TRIES	6		/* size-cap attempts */

static const char msg_trunc_text[] =
    "[This post was too long for one message and was cut here. "
    "The whole post: %s]";

struct compose {
	const struct feed	*f;
	const struct entry	*e;
	const struct msg_opts	*o;
	const char		*feed_title;	/* never NULL */
	const char		*author;	/* NULL when none */
	char			 date[40];	/* Date header */
	char			 day[32];	/* "2026-11-27 00:28 UTC" */
	char			 msgid[MSG_ID_LEN];
	char			 boundary[96];
	char			 boundary2[96];	/* multipart/related */
	int			 with_images;	/* this attempt embeds */
	int			*used;		/* per o->images: embedded */
	char			**cids;		/* per o->images */
	size_t			 img_total;	/* bytes embedded so far */
	char			 lang[64];	/* Content-Language, or "" */
	time_t			 when;
	char			 count[24];	/* digest: number of entries */
	struct buf		 subject;	/* the Subject, expanded */
};

/*
 * Message-IDs: the first 128 bits of SHA-256 of the feed URL and the key,
 * one per line (a digest's: "digest", the feed URL and every id), in hex.
 * Changing any of this changes every Message-ID, and recovery could no
 * longer find the messages already delivered.
 */
void
msg_identity(const char *feed_url, enum msg_kind kind,
    const char *const *ids, size_t n, const char *hash,
    struct msg_ident *out)
{
	struct buf b = BUF_INIT(0), key = BUF_INIT(0);
	unsigned char h[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	size_t i;

	buf_puts(&key, n > 0 && ids[0] ? ids[0] : "");
	if (kind == MSG_REVISION)
		buf_printf(&key, "#rev-%s", hash ? hash : "");
	if (kind == MSG_DIGEST) {
		buf_puts(&b, "digest\n");
		buf_puts(&b, feed_url ? feed_url : "");
		for (i = 0; i < n; i++) {
			buf_putc(&b, '\n');
			buf_puts(&b, ids[i] ? ids[i] : "");
		}
	} else {
		buf_puts(&b, feed_url ? feed_url : "");
		buf_putc(&b, '\n');
		buf_puts(&b, buf_str(&key));
	}
	sha256(buf_str(&b), b.len, h);
	hex_encode(h, SHA256_LEN, hex);
	hex[32] = '\0';
	snprintf(out->msgid, MSG_ID_LEN, kind == MSG_DIGEST ?
	    "<%.32s.digest@rss2mail>" : "<%.32s@rss2mail>", hex);
	out->key = buf_steal(&key);
	buf_free(&b);
}

void
msg_ident_clear(struct msg_ident *id)
{
	free(id->key);
	memset(id, 0, sizeof(*id));
}

void
msg_content_hash(const struct entry *e, char out[MSG_HASH_LEN])
{
	const struct feed_text *body = feed_entry_body(e);
	struct buf b = BUF_INIT(0);
	unsigned char h[SHA256_LEN];

	buf_printf(&b, "%s\n%s\n", e->title.value ? e->title.value : "",
	    e->link ? e->link : "");
	if (body && body->value)
		buf_puts(&b, body->value);
	sha256(buf_str(&b), b.len, h);
	hex_encode(h, 16, out);
	buf_free(&b);
}

void
msg_free(struct msg *m)
{
	free(m->data);
	msg_ident_clear(&m->id);
	memset(m, 0, sizeof(*m));
}

time_t
msg_date(const struct entry *e, time_t first_seen)
{
	time_t d;

	if (e != NULL && e->published.ok && e->published.t > 0)
		d = (time_t)e->published.t;
	else if (e != NULL && e->updated.ok && e->updated.t > 0)
		d = (time_t)e->updated.t;
	else
		return first_seen;
	/* a date in the future is a feed's mistake: use when we saw it */
	if (first_seen > 0 && d > first_seen + MSG_FUTURE)
		return first_seen;
	return d;
}

/* content, else summary (the same rule as feed_entry_body) */
static const struct feed_text *
entry_body(const struct entry *e)
{
	if (e->content.value != NULL)
		return &e->content;
	if (e->summary.value != NULL)
		return &e->summary;
	return NULL;
}

static int
is_html_type(const char *type)
{
	return type != NULL && (strstr(type, "html") != NULL);
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Append s as one cleaned line, at most max code points ("…" when cut). */
static void
put_line(struct buf *out, const char *s, size_t max)
{
	struct buf c = BUF_INIT(0);
	uint32_t cp;
	size_t i = 0, k, n = 0;

	utf8_clean(&c, s, strlen(s), 1);
	while (i < c.len && n < max) {
		if ((k = utf8_decode(c.data + i, c.len - i, &cp)) == 0)
			k = 1;
		i += k;
		n++;
	}
	buf_append(out, c.data, i);
	if (i < c.len)
		buf_puts(out, "\xe2\x80\xa6");
	buf_free(&c);
}

/* The entry's title as one line of plain text, "" when none. */
static void
title_text(const struct entry *e, struct buf *out)
{
	const char *t = e->title.value;

	if (t == NULL)
		return;
	if (is_html_type(e->title.type))
		html_to_line(t, strlen(t), out);
	else
		utf8_clean(out, t, strlen(t), 1);
}

/*
 * Expand {title} {feed} {author} {date} (and {count} in a digest) in tpl.
 * With noauthor set and no author, a template that names {author} falls
 * back to noauthor, so the default From name "{author} via {feed}" reads
 * "Example Blog" rather than " via Example Blog".
 */
static void
tpl_expand(const struct compose *c, const char *tpl, const char *noauthor,
    const char *title, struct buf *out)
{
	const char *p, *v;
	size_t n;

	if (noauthor != NULL && c->author == NULL &&
	    strstr(tpl, "{author}") != NULL)
		tpl = noauthor;
	for (p = tpl; *p != '\0'; p += n) {
		v = NULL;
		n = 1;
		if (strncmp(p, "{title}", 7) == 0)
			v = title, n = 7;
		else if (strncmp(p, "{feed}", 6) == 0)
			v = c->feed_title, n = 6;
		else if (strncmp(p, "{author}", 8) == 0)
			v = c->author, n = 8;
		else if (strncmp(p, "{date}", 6) == 0)
			v = c->day, n = 6;
		else if (strncmp(p, "{count}", 7) == 0)
			v = c->count, n = 7;
		if (n > 1)
			buf_puts(out, v ? v : "");
		else
			buf_putc(out, *p);
	}
}

/* A language tag as in RFC 5646, roughly; "en_US" becomes "en-US". */
static int
lang_tag(const char *s, char *out, size_t outlen)
{
	size_t i, run = 0;

	if (s == NULL || *s == '\0' || strlen(s) >= outlen)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i] == '_' ? '-' : s[i];

		if (ch == '-') {
			if (run == 0)
				return -1;
			run = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' &&
		    ch <= 'Z') || (ch >= '0' && ch <= '9')) {
			if (++run > 8)
				return -1;
		} else
			return -1;
		out[i] = ch;
	}
	out[i] = '\0';
	return run == 0 ? -1 : 0;
}

/* Content-Language: the configured one, else the body's, else the feed's. */
static void
content_language(struct compose *c)
{
	const char *l = c->o->language;

	if (l == NULL && c->e != NULL && entry_body(c->e) != NULL)
		l = entry_body(c->e)->language;
	if (l == NULL && c->f != NULL)
		l = c->f->language;
	if (lang_tag(l, c->lang, sizeof(c->lang)) == -1)
		c->lang[0] = '\0';
}

/* The List-Id label: the feed's section name as a dot-atom. */
void
msg_list_label(const char *name, struct buf *out)
{
	const char *p;

	for (p = name ? name : ""; *p != '\0' && out->len < 60; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')
			buf_putc(out, *p);
		else if (*p >= 'A' && *p <= 'Z')
			buf_putc(out, *p - 'A' + 'a');
		else if (out->len > 0 && out->data[out->len - 1] != '-')
			buf_putc(out, '-');
	}
	while (out->len > 0 && out->data[out->len - 1] == '-')
		out->data[--out->len] = '\0';
	if (out->len == 0)
		buf_puts(out, "feed");
	buf_puts(out, ".rss2mail");
}

static void
make_boundary(struct compose *c)
{
	unsigned char r[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	struct buf s = BUF_INIT(0);

	if (c->o->boundary_seed != NULL) {
		buf_printf(&s, "%s\n%s", c->o->boundary_seed, c->msgid);
		sha256(s.data, s.len, r);
	} else if (getrandom(r, 16, 0) != 16) {
		/* no entropy source: still unique enough for a boundary */
		buf_printf(&s, "%s\n%lld\n%p", c->msgid,
		    (long long)time(NULL), (void *)&s);
		sha256(s.data, s.len, r);
	}
	hex_encode(r, 12, hex);
	/* "=_" never occurs in quoted-printable text: no body can hit it */
	snprintf(c->boundary, sizeof(c->boundary), "=_rss2mail_%s", hex);
	/* nor in base64, and the two differ */
	snprintf(c->boundary2, sizeof(c->boundary2), "=_rss2mail_%s_r", hex);
	buf_free(&s);
}

static void
human_size(long long n, char *out, size_t outlen)
{
	if (n < 1024)
		snprintf(out, outlen, "%lld bytes", n);
	else if (n < 1024 * 1024)
		snprintf(out, outlen, "%.1f KB", (double)n / 1024);
	else
		snprintf(out, outlen, "%.1f MB", (double)n / (1024 * 1024));
}

/* "audio/mpeg, 4.2 MB" for an enclosure, "" when nothing is known. */
static void
enclosure_note(const struct feed_enclosure *en, struct buf *out)
{
	char size[32];

	if (nonempty(en->type))
		put_line(out, en->type, 80);
	if (en->length > 0) {
		human_size(en->length, size, sizeof(size));
		buf_printf(out, "%s%s", nonempty(en->type) ? ", " : "", size);
	}
}

/* "Label: value" lines at the top of the text part, wrapped. */
static void
text_header_line(struct buf *t, const char *label, const char *value)
{
	struct buf l = BUF_INIT(0);

	buf_printf(&l, "%s: ", label);
	put_line(&l, value, LIM_ONELINE);
	html_wrap(l.data, l.len, MSG_WIDTH, t);
	buf_free(&l);
}

/* tree: body parsed (html_parse) when bhtml, shared with html_fragment */
static void
text_part(const struct compose *c, const char *body, size_t blen,
    int bhtml, const struct html_tree *tree, const char *title, int digest,
    struct buf *t)
{
	const struct feed_enclosure *en;
	struct buf l = BUF_INIT(0), note = BUF_INIT(0);
	char err[ERRLEN];

	if (title[0] != '\0') {
		html_wrap(title, strlen(title), MSG_WIDTH, t);
		buf_puts(t, "\n");
	}
	if (!digest)
		text_header_line(t, "Feed", c->feed_title);
	if (c->author != NULL)
		text_header_line(t, "Author", c->author);
	text_header_line(t, "Date", c->day);
	if (nonempty(c->e->link))
		text_header_line(t, "Link", c->e->link);
	for (en = c->e->enclosures; en != NULL; en = en->next) {
		if (!nonempty(en->href))
			continue;
		buf_reset(&l);
		put_line(&l, en->href, LIM_ONELINE);
		buf_reset(&note);
		enclosure_note(en, &note);
		if (note.len > 0)
			buf_printf(&l, " (%s)", note.data);
		text_header_line(t, "Enclosure", l.data);
	}
	buf_puts(t, "\n");
	if (blen > 0) {
		if (bhtml) {
			if (html_tree_to_text(tree, MSG_WIDTH, t, err,
			    sizeof(err)) == -1)
				html_wrap(body, blen, MSG_WIDTH, t);
		} else
			html_wrap(body, blen, MSG_WIDTH, t);
	}
	buf_free(&l);
	buf_free(&note);
}

/* Image types a mail client shows inline; SVG can carry script: no. */
static int
image_type_ok(const char *t)
{
	static const char *const ok[] = { "image/png", "image/jpeg",
	    "image/gif", "image/webp", NULL };
	size_t i;

	for (i = 0; t != NULL && ok[i] != NULL; i++)
		if (strcmp(t, ok[i]) == 0)
			return 1;
	return 0;
}

/*
 * html_opts.image_cid: the Content-ID for an image URL when an image for
 * it was handed in, fits the per-image cap and the message's budget.
 */
static const char *
image_cid(void *ctx, const char *url)
{
	struct compose *c = ctx;
	const struct msg_opts *o = c->o;
	const struct msg_image *im;
	size_t i, cap = o->image_max ? o->image_max : LIM_IMAGE,
	    budget = o->images_max ? o->images_max : LIM_IMAGES_TOTAL;

	for (i = 0; i < o->nimages; i++) {
		im = &o->images[i];
		if (im->url == NULL || strcmp(im->url, url) != 0)
			continue;
		if (c->used[i])
			return c->cids[i];
		if (im->data == NULL || im->len == 0 || im->len > cap ||
		    !image_type_ok(im->type) ||
		    im->len > budget - (c->img_total < budget ?
		    c->img_total : budget))
			return NULL;
		c->used[i] = 1;
		c->img_total += im->len;
		return c->cids[i];
	}
	return NULL;
}

/* html_opts.image_size: an embedded image's size as it will be shown. */
static void
image_size(void *ctx, const char *url, int *w, int *h)
{
	struct compose *c = ctx;
	size_t i;

	for (i = 0; i < c->o->nimages; i++)
		if (c->used[i] && c->o->images[i].url != NULL &&
		    strcmp(c->o->images[i].url, url) == 0) {
			*w = c->o->images[i].width;
			*h = c->o->images[i].height;
			return;
		}
}

/* Content-IDs: the caller's when it is a plain id-left@id-right. */
static void
image_cids(struct compose *c)
{
	const struct msg_opts *o = c->o;
	size_t i;

	if (o->nimages == 0)
		return;
	c->used = xcalloc(o->nimages, sizeof(*c->used));
	c->cids = xcalloc(o->nimages, sizeof(*c->cids));
	for (i = 0; i < o->nimages; i++) {
		if (mime_addr_ok(o->images[i].cid))
			c->cids[i] = xstrdup(o->images[i].cid);
		else {
			struct buf b = BUF_INIT(0);

			/* msgid is "<hex@rss2mail>" */
			buf_printf(&b, "img%zu.%.16s@rss2mail", i + 1,
			    c->msgid + 1);
			c->cids[i] = buf_steal(&b);
		}
	}
}

static void
image_parts(struct compose *c, struct buf *m)
{
	const struct msg_image *im;
	struct buf v = BUF_INIT(0);
	const char *ext;
	size_t i;

	for (i = 0; i < c->o->nimages; i++) {
		if (!c->used[i])
			continue;
		im = &c->o->images[i];
		ext = strchr(im->type, '/') + 1;
		if (strcmp(ext, "jpeg") == 0)
			ext = "jpg";
		buf_printf(m, "\r\n--%s\r\n", c->boundary2);
		mime_header_raw(m, "Content-Type", im->type);
		mime_header_raw(m, "Content-Transfer-Encoding", "base64");
		buf_reset(&v);
		buf_printf(&v, "<%s>", c->cids[i]);
		mime_header_raw(m, "Content-ID", v.data);
		buf_reset(&v);
		buf_printf(&v, "inline; filename=\"image%zu.%s\"", i + 1, ext);
		mime_header_raw(m, "Content-Disposition", v.data);
		buf_puts(m, "\r\n");
		mime_base64(m, im->data, im->len);
	}
	buf_free(&v);
}

/* The entry's body as a sanitized HTML fragment. */
static void
html_fragment(struct compose *c, const char *body, size_t blen, int bhtml,
    const struct html_tree *tree, struct buf *frag)
{
	struct html_opts ho;
	char err[ERRLEN];

	if (blen == 0)
		return;
	memset(&ho, 0, sizeof(ho));
	ho.no_images = c->o->no_images;
	if (c->with_images) {
		ho.image_cid = image_cid;
		ho.image_size = image_size;
		ho.ctx = c;
	}
	if (!bhtml)
		html_from_text(body, blen, frag);
	else if (html_tree_sanitize(tree, &ho, frag, err,
	    sizeof(err)) == -1) {
		buf_reset(frag);
		html_from_text(body, blen, frag);
	}
}

/* The top of an entry in HTML (feed, author, date, enclosures, title). */
struct entry_top {
	struct msg_html_doc	 d;
	struct msg_html_link	*links;
	struct buf		*notes;
	size_t			 n;
};

static void
entry_top_init(const struct compose *c, const char *title,
    struct entry_top *t)
{
	const struct feed_enclosure *en;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (en = c->e->enclosures; en != NULL; en = en->next)
		t->n++;
	t->links = xcalloc(t->n ? t->n : 1, sizeof(*t->links));
	t->notes = xcalloc(t->n ? t->n : 1, sizeof(*t->notes));
	for (en = c->e->enclosures, i = 0; en != NULL && i < t->n;
	    en = en->next, i++) {
		buf_init(&t->notes[i], 0);
		enclosure_note(en, &t->notes[i]);
		t->links[i].href = en->href;
		t->links[i].note = t->notes[i].len ? t->notes[i].data : NULL;
	}
	t->d.enclosures = t->links;
	t->d.nenclosures = t->n;
	t->d.lang = c->lang[0] ? c->lang : NULL;
	t->d.title = title;
	t->d.feed = c->feed_title;
	t->d.author = c->author;
	t->d.date = c->day;
	t->d.link = c->e->link;
}

static void
entry_top_free(struct entry_top *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		buf_free(&t->notes[i]);
	free(t->notes);
	free(t->links);
}

static void
html_part(struct compose *c, const char *body, size_t blen, int bhtml,
    const struct html_tree *tree, const char *title, struct buf *h)
{
	struct entry_top top;
	struct buf frag = BUF_INIT(0);

	html_fragment(c, body, blen, bhtml, tree, &frag);
	entry_top_init(c, title, &top);
	msg_html_document(&top.d, buf_str(&frag), frag.len, h);
	entry_top_free(&top);
	buf_free(&frag);
}

/*
 * A plausible author address for Reply-To: well formed, and not one of
 * the no-reply addresses feed software fills in (Blogger writes
 * noreply@blogger.com for every author).
 */
static int
reply_addr_ok(const char *a)
{
	static const char *const no[] = { "noreply@", "no-reply@",
	    "no_reply@", "donotreply@", "do-not-reply@", "nobody@",
	    "invalid@", "unknown@", "mailer-daemon@", "postmaster@", NULL };
	size_t i;

	if (!mime_addr_ok(a))
		return 0;
	for (i = 0; no[i] != NULL; i++)
		if (strncasecmp(a, no[i], strlen(no[i])) == 0)
			return 0;
	i = strlen(a);
	return !(i > 8 && strcasecmp(a + i - 8, ".invalid") == 0) &&
	    !(i > 12 && strcasecmp(a + i - 12, "@example.com") == 0);
}

/* From: the display name is the feed's; the address is always ours. */
/* '@' (and its full-width and small forms) -> " at " */
static void
unat(struct buf *n)
{
	static const char *const ats[] = { "@", "\xef\xbc\xa0",
	    "\xef\xb9\xab" };
	struct buf o = BUF_INIT(0);
	const char *p = buf_str(n);
	size_t i, k;

	while (*p) {
		for (i = 0; i < sizeof(ats) / sizeof(ats[0]); i++) {
			k = strlen(ats[i]);
			if (strncmp(p, ats[i], k) == 0)
				break;
		}
		if (i < sizeof(ats) / sizeof(ats[0])) {
			buf_puts(&o, " at ");
			p += k;
		} else
			buf_putc(&o, *p++);
	}
	buf_reset(n);
	put_line(n, buf_str(&o), MSG_NAME_MAX);
	buf_free(&o);
}

static int
from_header(const struct compose *c, const char *title, struct buf *m)
{
	const struct msg_opts *o = c->o;
	struct buf v = BUF_INIT(0), n = BUF_INIT(0);
	char *cname = NULL, *addr = NULL;
	int r = -1;

	if (mime_addr_split(o->from_addr, &cname, &addr) == -1)
		goto out;
	tpl_expand(c, o->from_name_tpl ? o->from_name_tpl :
	    "{author} via {feed}", "{feed}", title, &v);
	put_line(&n, buf_str(&v), MSG_NAME_MAX);
	if (n.len == 0)
		put_line(&n, o->from_name ? o->from_name : cname ? cname : "",
		    MSG_NAME_MAX);
	/* a display name must not pose as another sender: phones often show
	 * only the name, so "security@bank.example" (from a feed title or an
	 * author) is shown as "security at bank.example" */
	unat(&n);
	r = mime_header_addr(m, "From", buf_str(&n), addr);
out:
	free(cname);
	free(addr);
	buf_free(&v);
	buf_free(&n);
	return r;
}

static int
headers(struct compose *c, const char *title, struct buf *m)
{
	const struct msg_opts *o = c->o;
	const struct feed_tag *tg;
	struct buf v = BUF_INIT(0);
	const char *l;
	int r = -1;

	if (from_header(c, title, m) == -1)
		goto out;
	if (o->reply_to_author && c->e != NULL &&
	    reply_addr_ok(c->e->author.email) &&
	    mime_header_addr(m, "Reply-To", c->e->author.name,
	    c->e->author.email) == -1)
		goto out;
	if (o->to != NULL && mime_header_addr_list(m, "To", o->to) == -1)
		goto out;
	if (mime_header(m, "Subject", buf_str(&c->subject)) == -1 ||
	    mime_header_raw(m, "Date", c->date) == -1 ||
	    mime_header_raw(m, "Message-ID", c->msgid) == -1 ||
	    mime_header_raw(m, "MIME-Version", "1.0") == -1)
		goto out;
	if (c->lang[0] != '\0' &&
	    mime_header_raw(m, "Content-Language", c->lang) == -1)
		goto out;
	buf_reset(&v);
	msg_list_label(o->feed_name, &v);
	if (mime_header_phrase(m, "List-Id", c->feed_title, v.data) == -1 ||
	    mime_header_raw(m, "Auto-Submitted", "auto-generated") == -1)
		goto out;
	if (nonempty(o->feed_url) &&
	    mime_header(m, "X-RSS-Feed", o->feed_url) == -1)
		goto out;
	if (c->e == NULL) {
		/* a digest: the feed's own link, no entry's */
		r = c->f != NULL && nonempty(c->f->link) ?
		    mime_header(m, "X-RSS-URL", c->f->link) : 0;
		goto out;
	}
	if (mime_header(m, "X-RSS-ID", c->e->id) == -1)
		goto out;
	if (nonempty(c->e->link) &&
	    mime_header(m, "X-RSS-URL", c->e->link) == -1)
		goto out;
	buf_reset(&v);
	for (tg = c->e->tags; tg != NULL; tg = tg->next) {
		l = nonempty(tg->term) ? tg->term : tg->label;
		if (!nonempty(l))
			continue;
		if (v.len > 0)
			buf_putc(&v, ',');
		buf_puts(&v, l);
	}
	if (v.len > 0 && mime_header(m, "X-RSS-TAGS", v.data) == -1)
		goto out;
	r = 0;
out:
	buf_free(&v);
	return r;
}

static int
part(struct buf *m, const char *type, const struct buf *body)
{
	if (mime_header_raw(m, "Content-Type", type) == -1 ||
	    mime_header_raw(m, "Content-Transfer-Encoding",
	    "quoted-printable") == -1 || buf_puts(m, "\r\n") == -1)
		return -1;
	return mime_qp(m, buf_str(body), body->len);
}

/* The note after a body cut to fit the size cap. */
static void
truncation_note(const char *link, int bhtml, struct buf *cut)
{
	struct buf note = BUF_INIT(0);

	buf_printf(&note, msg_trunc_text, nonempty(link) ? link : "(no link)");
	if (bhtml) {
		buf_puts(cut, "<p>");
		html_escape(cut, note.data, note.len);
		buf_puts(cut, "</p>");
	} else {
		buf_puts(cut, "\n\n");
		buf_append(cut, note.data, note.len);
	}
	buf_free(&note);
}

/* The body of the message from its text (and HTML) part. */
static int
assemble(struct compose *c, const struct buf *t, const struct buf *h,
    struct buf *m)
{
	struct buf ct = BUF_INIT(0);
	int r = -1;

	if (h == NULL) {
		r = part(m, "text/plain; charset=utf-8", t);
		goto out;
	}
	buf_printf(&ct, "multipart/alternative; boundary=\"%s\"",
	    c->boundary);
	if (mime_header_raw(m, "Content-Type", ct.data) == -1)
		goto out;
	buf_printf(m, "\r\nThis is a message in MIME format.\r\n\r\n--%s\r\n",
	    c->boundary);
	if (part(m, "text/plain; charset=utf-8", t) == -1)
		goto out;
	buf_printf(m, "\r\n--%s\r\n", c->boundary);
	if (c->img_total > 0) {
		/* multipart/related( text/html, images... ) */
		buf_reset(&ct);
		buf_printf(&ct, "multipart/related; boundary=\"%s\"; "
		    "type=\"text/html\"", c->boundary2);
		if (mime_header_raw(m, "Content-Type", ct.data) == -1)
			goto out;
		buf_printf(m, "\r\n--%s\r\n", c->boundary2);
	}
	if (part(m, "text/html; charset=utf-8", h) == -1)
		goto out;
	if (c->img_total > 0) {
		image_parts(c, m);
		buf_printf(m, "\r\n--%s--\r\n", c->boundary2);
	}
	buf_printf(m, "\r\n--%s--\r\n", c->boundary);
	r = m->overflow ? -1 : 0;
out:
	buf_free(&ct);
	return r;
}

/* The body parsed once for both parts; NULL when not HTML (or empty). */
static struct html_tree *
body_tree(const char *body, size_t blen, int bhtml)
{
	return bhtml && blen > 0 ? html_parse(body, blen) : NULL;
}

/* One attempt with the body cut to blen bytes (tree: body_tree's). */
static int
compose_once(struct compose *c, const char *body, size_t blen, int bhtml,
    const struct html_tree *tree, const char *title, struct buf *m)
{
	struct buf t = BUF_INIT(0), h = BUF_INIT(0);
	int r = -1;

	if (headers(c, title, m) == -1)
		goto out;
	text_part(c, body, blen, bhtml, tree, title, 0, &t);
	if (c->o->html) {
		if (c->used != NULL)
			memset(c->used, 0, c->o->nimages * sizeof(*c->used));
		c->img_total = 0;
		html_part(c, body, blen, bhtml, tree, title, &h);
	}
	r = assemble(c, &t, c->o->html ? &h : NULL, m);
out:
	buf_free(&t);
	buf_free(&h);
	return r;
}

static int
addr_usable(const char *s)
{
	char *d, *a;
	int r = mime_addr_split(s, &d, &a);

	free(d);
	free(a);
	return r == 0;
}

/* Where to cut a body to at most max bytes: before a tag, else a space. */
static size_t
cut_at(const char *s, size_t n, size_t max, int bhtml)
{
	size_t i;

	if (n <= max)
		return n;
	for (i = max; i > 0 && i > max / 2; i--)
		if (bhtml ? s[i] == '<' : (s[i] == ' ' || s[i] == '\n'))
			return i;
	/* no boundary near: any UTF-8 boundary */
	for (i = max; i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80; i--)
		;
	return i;
}

/* "2026-11-27 00:28 UTC" and the Date header for c->when. */
static void
set_when(struct compose *c, time_t when)
{
	struct tm tm;

	c->when = when;
	util_rfc5322_date(when, c->date);
	gmtime_r(&when, &tm);
	strftime(c->day, sizeof(c->day), "%Y-%m-%d %H:%M UTC", &tm);
}

static time_t
first_seen(const struct msg_opts *o)
{
	return o->first_seen ? o->first_seen : o->now ? o->now : time(NULL);
}

/* What one entry contributes: its author (else the feed's), its date. */
static void
set_entry(struct compose *c, const struct entry *e)
{
	c->e = e;
	c->author = NULL;
	if (nonempty(e->author.name))
		c->author = e->author.name;
	else if (c->f != NULL && nonempty(c->f->author.name))
		c->author = c->f->author.name;
	set_when(c, msg_date(e, first_seen(c->o)));
}

/* The parts common to one entry and a digest; -1 with err. */
static int
compose_init(struct compose *c, const struct feed *f,
    const struct msg_opts *o, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->o = o;
	buf_init(&c->subject, 0);
	if (!addr_usable(o->from_addr)) {
		errf(err, errlen, "bad from address: %s",
		    o->from_addr ? o->from_addr : "(none)");
		return -1;
	}
	if (o->to != NULL && mime_addr_list_count(o->to) < 1) {
		errf(err, errlen, "bad to address: %s", o->to);
		return -1;
	}
	c->feed_title = f && nonempty(f->title.value) ? f->title.value :
	    nonempty(o->feed_name) ? o->feed_name : "feed";
	return 0;
}

static void
compose_free(struct compose *c)
{
	size_t i;

	if (c->cids != NULL)
		for (i = 0; i < c->o->nimages; i++)
			free(c->cids[i]);
	free(c->cids);
	free(c->used);
	buf_free(&c->subject);
}

/* Hand over the finished message, or say why not. */
static int
deliver_out(const struct compose *c, struct buf *m, size_t max,
    struct msg *out, char *err, size_t errlen)
{
	if (m->len > max) {
		errf(err, errlen, "message too large (%zu bytes)", m->len);
		return -1;
	}
	out->len = m->len;
	out->data = buf_steal(m);
	out->date = c->when;
	return 0;
}

int
msg_compose(const struct feed *f, const struct entry *e,
    const struct msg_opts *o, struct msg *out, char *err, size_t errlen)
{
	struct compose c;
	const struct feed_text *b;
	struct buf m = BUF_INIT(0), title = BUF_INIT(0), cut = BUF_INIT(0);
	struct html_tree *whole = NULL, *part_tree;
	const char *body = "";
	size_t blen = 0, max, keep, k;
	int bhtml = 0, i, r = -1;

	memset(out, 0, sizeof(*out));
	if (compose_init(&c, f, o, err, errlen) == -1)
		goto out;
	if (e == NULL || e->id == NULL) {
		errf(err, errlen, "entry without an id");
		goto out;
	}
	set_entry(&c, e);
	msg_identity(o->feed_url, o->revision ? MSG_REVISION : MSG_ENTRY,
	    &e->id, 1, o->revision, &out->id);
	msg_content_hash(o->hash_entry ? o->hash_entry : e, out->hash);
	snprintf(c.msgid, sizeof(c.msgid), "%s", out->id.msgid);
	make_boundary(&c);
	content_language(&c);
	image_cids(&c);
	c.with_images = o->html && !o->no_images && o->nimages > 0;
	title_text(e, &title);
	tpl_expand(&c, o->subject_tpl ? o->subject_tpl : "{title}", NULL,
	    buf_str(&title), &c.subject);
	if (c.subject.len == 0)
		buf_puts(&c.subject, "(no title)");
	if ((b = entry_body(e)) != NULL) {
		body = b->value;
		blen = strlen(body);
		bhtml = is_html_type(b->type);
	}
	max = o->max_size ? o->max_size : LIM_MESSAGE;
	/* the whole body is parsed once, whatever the attempts */
	whole = body_tree(body, blen, bhtml);
	for (keep = blen, i = 0; i < MSG_TRIES; i++) {
		buf_reset(&m);
		if (keep == blen)
			r = compose_once(&c, body, blen, bhtml, whole,
			    buf_str(&title), &m);
		else {
			k = cut_at(body, blen, keep, bhtml);
			buf_reset(&cut);
			buf_append(&cut, body, k);
			truncation_note(e->link, bhtml, &cut);
			part_tree = body_tree(cut.data, cut.len, bhtml);
			r = compose_once(&c, cut.data, cut.len, bhtml,
			    part_tree, buf_str(&title), &m);
			html_tree_free(part_tree);
		}
		if (r == -1) {
			errf(err, errlen, "cannot write the message headers");
			goto out;
		}
		if (m.len <= max)
			break;
		/* too big: first the images go (they stay links) ... */
		if (c.with_images && c.img_total > 0) {
			c.with_images = 0;
			i--;
			continue;
		}
		/* ... then the body is scaled to what should fit */
		keep = (size_t)((double)(keep < blen ? keep : blen) *
		    ((double)max / (double)m.len) * 0.8);
		if (i == MSG_TRIES - 2)
			keep = 0;
	}
	r = deliver_out(&c, &m, max, out, err, errlen);
out:
	if (r == -1)
		msg_free(out);
	compose_free(&c);
	html_tree_free(whole);
	buf_free(&m);
	buf_free(&title);
	buf_free(&cut);
	return r;
}

/* ------------------------------------------------------------------ */
/* Digests. */

/*
 * One attempt at a digest, each entry's body cut to frac of its length
 * (1: whole).  Sections: the text part separates them with a rule, the
 * HTML part with <hr>; each has the entry's own head.
 */
static int
digest_once(struct compose *c, const struct entry *const *v, size_t n,
    double frac, struct buf *m)
{
	struct compose ce;
	struct entry_top top;
	struct html_tree *tree;
	const struct feed_text *b;
	struct buf t = BUF_INIT(0), h = BUF_INIT(0), frag = BUF_INIT(0),
	    title = BUF_INIT(0), cut = BUF_INIT(0);
	const char *body;
	size_t i, blen;
	int bhtml, r = -1;

	if (headers(c, "", m) == -1)
		goto out;
	text_header_line(&t, "Feed", c->feed_title);
	text_header_line(&t, "Date", c->day);
	if (c->f != NULL && nonempty(c->f->link))
		text_header_line(&t, "Link", c->f->link);
	buf_puts(&t, "\n");
	for (i = 0; i < n; i++) {
		ce = *c;
		set_entry(&ce, v[i]);
		buf_reset(&title);
		title_text(v[i], &title);
		body = "";
		blen = 0;
		bhtml = 0;
		if ((b = entry_body(v[i])) != NULL) {
			body = b->value;
			blen = strlen(body);
			bhtml = is_html_type(b->type);
		}
		if (frac < 1) {
			buf_reset(&cut);
			buf_append(&cut, body, cut_at(body, blen,
			    (size_t)((double)blen * frac), bhtml));
			truncation_note(v[i]->link, bhtml, &cut);
			body = buf_str(&cut);
			blen = cut.len;
		}
		if (i > 0)
			buf_puts(&t, "\n------------------------------------"
			    "------------------------------------\n\n");
		tree = body_tree(body, blen, bhtml);
		text_part(&ce, body, blen, bhtml, tree, title.len ?
		    title.data : "(no title)", 1, &t);
		if (!c->o->html) {
			html_tree_free(tree);
			continue;
		}
		if (i > 0)
			buf_puts(&frag, "<hr>\n");
		entry_top_init(&ce, title.len ? title.data : "(no title)",
		    &top);
		top.d.feed = NULL;
		msg_html_entry_head(&top.d, 2, &frag);
		entry_top_free(&top);
		html_fragment(&ce, body, blen, bhtml, tree, &frag);
		html_tree_free(tree);
	}
	if (c->o->html) {
		struct msg_html_doc d;

		memset(&d, 0, sizeof(d));
		d.title = buf_str(&c->subject);
		d.feed = c->feed_title;
		d.date = c->day;
		d.link = c->f != NULL ? c->f->link : NULL;
		d.lang = c->lang[0] ? c->lang : NULL;
		msg_html_document(&d, buf_str(&frag), frag.len, &h);
	}
	r = assemble(c, &t, c->o->html ? &h : NULL, m);
out:
	buf_free(&t);
	buf_free(&h);
	buf_free(&frag);
	buf_free(&title);
	buf_free(&cut);
	return r;
}

int
msg_compose_digest(const struct feed *f, const struct entry *const *v,
    size_t n, const struct msg_opts *o, struct msg *out, char *err,
    size_t errlen)
{
	struct compose c;
	struct buf m = BUF_INIT(0);
	const char **ids = NULL;
	double frac = 1;
	time_t t, latest = 0;
	size_t i, max;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (compose_init(&c, f, o, err, errlen) == -1)
		goto out;
	if (n == 0) {
		errf(err, errlen, "digest without entries");
		goto out;
	}
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		if (v[i] == NULL || v[i]->id == NULL) {
			errf(err, errlen, "entry without an id");
			goto out;
		}
		ids[i] = v[i]->id;
		if ((t = msg_date(v[i], first_seen(o))) > latest)
			latest = t;
	}
	set_when(&c, latest);
	snprintf(c.count, sizeof(c.count), "%zu", n);
	msg_identity(o->feed_url, MSG_DIGEST, ids, n, NULL, &out->id);
	snprintf(c.msgid, sizeof(c.msgid), "%s", out->id.msgid);
	make_boundary(&c);
	content_language(&c);
	if (o->digest_subject_tpl != NULL)
		tpl_expand(&c, o->digest_subject_tpl, NULL, "", &c.subject);
	else
		buf_printf(&c.subject, "%s: %zu new post%s", c.feed_title, n,
		    n == 1 ? "" : "s");
	max = o->max_size ? o->max_size : LIM_MESSAGE;
	for (i = 0; i < MSG_TRIES; i++) {
		buf_reset(&m);
		if (digest_once(&c, v, n, i + 1 == MSG_TRIES ? 0 : frac,
		    &m) == -1) {
			errf(err, errlen, "cannot write the message headers");
			goto out;
		}
		if (m.len <= max)
			break;
		frac *= (double)max / (double)m.len * 0.8;
	}
	r = deliver_out(&c, &m, max, out, err, errlen);
out:
	if (r == -1)
		msg_free(out);
	compose_free(&c);
	free(ids);
	buf_free(&m);
	return r;
}
