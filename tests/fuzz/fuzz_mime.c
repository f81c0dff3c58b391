/*
 * fuzz_mime.c - the header gate and quoted-printable on arbitrary bytes.
 *
 * For a value from a feed: mime_header and mime_header_addr write exactly
 * one header (every CRLF is a fold followed by a space, no other CR or
 * LF, 7-bit, no line reaching 998) and the value decodes back to what
 * utf8_clean(oneline) makes of it.  mime_qp writes lines of at most 76
 * characters, every '=' starts =XX or a soft break, and it decodes back to
 * the input with its line ends made CRLF.
 *
 * End to end: the input split at NUL bytes gives an entry's title, author,
 * link, id, tag, body and the feed's title; the composed message has only
 * our headers, each once, 7-bit and CRLF, and its Subject decodes back to
 * the cleaned title.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"
#include "message.h"
#include "mime.h"
#include "util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_one_header(const struct buf *h, const char *name)
{
	size_t i, col = 0, nl = strlen(name);

	if (h->len < nl + 3 || memcmp(h->data, name, nl) != 0 ||
	    h->data[nl] != ':' || h->data[h->len - 2] != '\r' ||
	    h->data[h->len - 1] != '\n')
		abort();
	for (i = 0; i < h->len; i++) {
		unsigned char c = (unsigned char)h->data[i];

		if (c >= 0x80 || c == '\0' || c == '\n')
			abort();
		if (c == '\r') {
			if (h->data[i + 1] != '\n')
				abort();
			i++;
			if (i + 1 < h->len && h->data[i + 1] != ' ')
				abort();
			col = 0;
			continue;
		}
		if (++col >= 998)
			abort();
	}
}

static int
hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
check_qp(const char *in, size_t n)
{
	struct buf q = BUF_INIT(0), d = BUF_INIT(0), w = BUF_INIT(0);
	size_t i, col = 0;

	mime_qp(&q, in, n);
	for (i = 0; i < q.len; i++) {
		char c = q.data[i];

		if (c == '\r') {
			if (q.data[i + 1] != '\n' || col > 76)
				abort();
			col = 0;
			i++;
			buf_puts(&d, "\r\n");
			continue;
		}
		if ((unsigned char)c >= 0x7F || c == '\n')
			abort();
		col++;
		if (c != '=') {
			buf_putc(&d, c);
			continue;
		}
		if (i + 2 >= q.len)
			abort();
		if (q.data[i + 1] == '\r' && q.data[i + 2] == '\n') {
			i += 2;
			col = 0;
			continue;
		}
		if (hexv(q.data[i + 1]) < 0 || hexv(q.data[i + 2]) < 0)
			abort();
		buf_putc(&d, hexv(q.data[i + 1]) << 4 | hexv(q.data[i + 2]));
		i += 2;
		col += 2;
	}
	for (i = 0; i < n; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			buf_putc(&w, '\r');
		buf_putc(&w, in[i]);
	}
	if (w.len > 0 && w.data[w.len - 1] != '\n')
		buf_puts(&w, "\r\n");
	if (w.len > 0 && w.data[w.len - 1] == '\n' && w.len >= 2 &&
	    w.data[w.len - 2] != '\r')
		abort();
	if (d.len != w.len || (d.len && memcmp(d.data, w.data, d.len) != 0))
		abort();
	buf_free(&q);
	buf_free(&d);
	buf_free(&w);
}

static const char *const our_headers[] = {
	"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Language", "List-Id", "Auto-Submitted", "X-RSS-Feed",
	"X-RSS-ID", "X-RSS-URL", "X-RSS-TAGS", "Content-Type",
	"Content-Transfer-Encoding", NULL
};

/* 7-bit, CRLF only, and a header block of our headers, each once. */
static void
check_message(const struct buf *m)
{
	const char *p = m->data, *e, *colon;
	int seen[16] = { 0 };
	size_t k, i;

	for (i = 0; i < m->len; i++)
		if ((unsigned char)m->data[i] >= 0x80 || m->data[i] == '\0' ||
		    (m->data[i] == '\n' && (i == 0 || m->data[i - 1] != '\r')) ||
		    (m->data[i] == '\r' && m->data[i + 1] != '\n'))
			abort();
	for (; (e = strstr(p, "\r\n")) != NULL && e != p; p = e + 2) {
		if (*p == ' ')
			continue;	/* a fold */
		if ((colon = memchr(p, ':', (size_t)(e - p))) == NULL)
			abort();
		for (k = 0; our_headers[k] != NULL; k++)
			if (strlen(our_headers[k]) == (size_t)(colon - p) &&
			    memcmp(our_headers[k], p, (size_t)(colon - p)) == 0)
				break;
		if (our_headers[k] == NULL || ++seen[k] > 1)
			abort();
	}
}

/* The Subject header's decoded value. */
static void
subject_of(const struct buf *m, struct buf *out)
{
	const char *p = strstr(m->data, "\r\nSubject:"), *e;

	if (m->len > 8 && strncmp(m->data, "Subject:", 8) == 0)
		p = m->data - 2;
	if (p == NULL)
		abort();
	p += 10;
	for (e = p; (e = strstr(e, "\r\n")) != NULL && e[2] == ' '; e += 2)
		;
	if (e == NULL)
		abort();
	mime_header_decode(p, (size_t)(e - p), out);
}

static void
check_compose(const char *data, size_t size)
{
	const char *field[7] = { "", "", "", "x", "", "", "" };
	struct feed f;
	struct entry en;
	struct feed_tag tag;
	struct msg_opts o;
	struct buf m = BUF_INIT(0), got = BUF_INIT(0), want = BUF_INIT(0);
	struct msg composed;
	char err[512];
	size_t i, k = 0, start = 0;
	char *copy = malloc(size + 1);

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i <= size && k < 7; i++)
		if (i == size || copy[i] == '\0') {
			field[k++] = copy + start;
			start = i + 1;
		}
	memset(&f, 0, sizeof(f));
	memset(&en, 0, sizeof(en));
	memset(&tag, 0, sizeof(tag));
	memset(&o, 0, sizeof(o));
	en.title.value = field[0];
	en.title.type = "text/plain";
	en.author.name = field[1];
	en.link = field[2];
	en.id = field[3];
	tag.term = field[4];
	en.tags = &tag;
	en.content.value = field[5];
	en.content.type = "text/html";
	f.title.value = field[6];
	o.feed_name = field[6];
	o.feed_url = field[2];
	o.from_addr = "Feeds <feeds@example.org>";
	o.to = "me@example.org";
	o.html = 1;
	o.first_seen = 1790000000;
	o.boundary_seed = "fuzz";
	if (msg_compose(&f, &en, &o, &composed, err, sizeof(err)) != 0)
		abort();
	buf_append(&m, composed.data, composed.len);
	msg_free(&composed);
	check_message(&m);
	subject_of(&m, &got);
	utf8_clean(&want, field[0], strlen(field[0]), 1);
	if (want.len == 0)
		buf_puts(&want, "(no title)");
	if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
		abort();
	buf_free(&m);
	buf_free(&got);
	buf_free(&want);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf h = BUF_INIT(0), c = BUF_INIT(0), dec = BUF_INIT(0);
	char *v = malloc(size + 1);

	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	/* the header gate, on the value up to the first NUL */
	if (mime_header(&h, "Subject", v) != 0)
		abort();
	check_one_header(&h, "Subject");
	utf8_clean(&c, v, strlen(v), 1);
	mime_header_decode(h.data + 8, h.len - 10, &dec);
	if (dec.len != c.len || (c.len && memcmp(dec.data, c.data, c.len)))
		abort();
	buf_reset(&h);
	if (mime_header_addr(&h, "From", v, "feeds@example.org") != 0)
		abort();
	check_one_header(&h, "From");
	buf_reset(&h);
	if (mime_header_raw(&h, "X-Raw", v) == 0)
		check_one_header(&h, "X-Raw");
	buf_reset(&h);
	if (mime_header_addr(&h, "To", "x", v) == 0)
		check_one_header(&h, "To");
	/* quoted-printable on all the bytes, NULs included */
	check_qp((const char *)data, size);
	check_compose((const char *)data, size);
	buf_free(&h);
	buf_free(&c);
	buf_free(&dec);
	free(v);
	return 0;
}
