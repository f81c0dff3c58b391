/*
 * util.c - allocation, error text, UTF-8, SHA-256 (FIPS 180-4), paths.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL) {
		fputs("rss2mail: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

/* Cut a string that vsnprintf may have cut inside a UTF-8 character back
 * to the last whole one, so that error text stays valid UTF-8. */
static void
utf8_trim_tail(char *s)
{
	size_t n = strlen(s), start = n, need;
	unsigned char c;

	while (start > 0 && n - start < 4 &&
	    ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	c = (unsigned char)s[start - 1];
	if (c < 0x80)
		return;
	need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	    (c & 0xF8) == 0xF0 ? 4 : 0;
	if (need != n - start + 1)
		s[start - 1] = '\0';
}

void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= errlen)
		utf8_trim_tail(err);
}

void
errprefix(char *err, size_t errlen, const char *fmt, ...)
{
	char pre[256], *old;
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	old = xstrdup(err);
	if ((size_t)snprintf(err, errlen, "%s%s", pre, old) >= errlen)
		utf8_trim_tail(err);
	free(old);
}

size_t
utf8_encode(uint32_t cp, char *o)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The validator behind utf8_valid and utf8_valid_str: eight bytes at a time
 * while they are ASCII (and not NUL, with nonul); a word that is not is
 * walked sequence by sequence, with utf8_decode's rules in place (lead
 * C2..F4, continuation bytes 80..BF, for E0, ED, F0, F4 the second byte's
 * narrower range: no overlongs, no surrogates, nothing above U+10FFFF).
 */
#define U8_ONES		0x0101010101010101ull
#define U8_HIGHS	0x8080808080808080ull

static inline int
utf8_scan(const unsigned char *s, size_t n, int nonul)
{
	const unsigned char *end = s + n, *stop;
	uint64_t w, m;
	unsigned int c;
	size_t k;

	while (s < end) {
		stop = end;
		if (end - s >= 8) {
			memcpy(&w, s, 8);
			m = w & U8_HIGHS;
			if (nonul)	/* the first NUL byte is flagged */
				m |= (w - U8_ONES) & ~w & U8_HIGHS;
			if (m == 0) {
				s += 8;
				continue;
			}
			stop = s + 8;
			s += utf8_first_flagged(m);
		}
		do {
			c = *s;
			if (c < 0x80) {
				if (nonul && c == 0)
					return 0;
				s++;
			} else {
				if ((k = utf8_seq_len(s, (size_t)(end - s))) ==
				    0)
					return 0;
				s += k;
			}
		} while (s < stop);
	}
	return 1;
}

int
utf8_valid(const char *s, size_t n)
{
	return utf8_scan((const unsigned char *)s, n, 0);
}

int
utf8_valid_str(const char *s, size_t n)
{
	return utf8_scan((const unsigned char *)s, n, 1);
}

static int
is_oneline_space(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x85;
}

/*
 * Append a run of bytes that cleaning keeps as they are (valid UTF-8).  At
 * the cap, the whole code points that fit go in, as if appended one by
 * one; then -1.
 */
static int
clean_run(struct buf *out, const char *s, size_t n)
{
	size_t room;

	if (n == 0)
		return 0;
	if (n <= (room = buf_room(out)))
		return buf_append(out, s, n);
	while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
		room--;
	if (room > 0)
		buf_append(out, s, room);
	out->overflow = 1;
	return -1;
}

/*
 * Runs of bytes that need no change (printable ASCII, single spaces in
 * oneline mode, valid sequences outside the removed set) are copied with
 * one append each; only the others are decoded one by one.
 */
int
utf8_clean(struct buf *out, const char *s, size_t n, int oneline)
{
	const unsigned char *u = (const unsigned char *)s;
	char enc[4];
	uint32_t cp;
	size_t i = 0, k, run, start = out->len;
	int space = 1;	/* suppress leading space in oneline mode */
	int r = 0;

	while (i < n) {
		for (run = i; i < n; i += k) {
			if (u[i] >= 0x80) {
				if ((k = utf8_decode(s + i, n - i, &cp)) == 0 ||
				    (oneline && (cp < 0xA0 || cp == 0x2028 ||
				    cp == 0x2029)))
					break;
				space = 0;
			} else if (!oneline) {
				if (u[i] == 0x7F || (u[i] < 0x20 &&
				    u[i] != '\t' && u[i] != '\n' &&
				    u[i] != '\r'))
					break;
				k = 1;
			} else if (u[i] > ' ' && u[i] != 0x7F) {
				space = 0;
				k = 1;
			} else if (u[i] == ' ' && !space) {
				space = 1;
				k = 1;
			} else
				break;
		}
		if (clean_run(out, s + run, i - run) == -1) {
			r = -1;
			break;
		}
		if (i >= n)
			break;
		/* one code point that is replaced, dropped or a space */
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (oneline) {
			if (is_oneline_space(cp) || cp == ' ') {
				if (!space && buf_putc(out, ' ') == -1) {
					r = -1;
					break;
				}
				space = 1;
				continue;
			}
			space = 0;
		} else if (cp == 0 || (cp < 0x20 && cp != '\t' &&
		    cp != '\n' && cp != '\r') || cp == 0x7F)
			continue;
		if (buf_append(out, enc, utf8_encode(cp, enc)) == -1) {
			r = -1;
			break;
		}
	}
	/* also when the cap cut it short: a one-line value never ends in a
	 * space (found by fuzz_opml: a capped title did) */
	if (oneline && out->len > start && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return r;
}

/* SHA-256 as FIPS 180-4 describes it. */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10)) +
		    w[i - 7] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 16];
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void
sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128];
	uint64_t bits = (uint64_t)n * 8;
	size_t rest, tl, i;

	for (; n >= 64; n -= 64, p += 64)
		sha256_block(h, p);
	rest = n;
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tl = rest + 1 + 8 <= 64 ? 64 : 128;
	memset(tail + rest + 1, 0, tl - rest - 1);
	for (i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tl == 128)
		sha256_block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

char *
util_expand_path(const char *p)
{
	const char *home;
	struct buf b = BUF_INIT(0);

	if (p == NULL)
		return NULL;
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') &&
	    (home = getenv("HOME")) != NULL) {
		buf_puts(&b, home);
		buf_puts(&b, p + 1);
		return buf_steal(&b);
	}
	return xstrdup(p);
}

int
util_mkdirs(const char *path, int dir, char *err, size_t errlen)
{
	char *p = xstrdup(path), *s;
	int r = -1;

	if (!dir) {
		if ((s = strrchr(p, '/')) == NULL) {
			r = 0;
			goto out;
		}
		*s = '\0';
	}
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (*p && mkdir(p, 0700) == -1 && errno != EEXIST) {
				errf(err, errlen, "mkdir %s: %s", p,
				    strerror(errno));
				goto out;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	r = 0;
out:
	free(p);
	return r;
}

static int
fsync_dir_of(const char *path, char *err, size_t errlen)
{
	char *d = xstrdup(path), *s;
	int fd, r = 0;

	if ((s = strrchr(d, '/')) != NULL)
		*(s == d ? s + 1 : s) = '\0';
	else
		strcpy(d, ".");
	if ((fd = open(d, O_RDONLY | O_DIRECTORY)) == -1 || fsync(fd) == -1) {
		errf(err, errlen, "fsync %s: %s", d, strerror(errno));
		r = -1;
	}
	if (fd != -1)
		close(fd);
	free(d);
	return r;
}

int
util_write_atomic(const char *path, const void *data, size_t n, int mode,
    char *err, size_t errlen)
{
	struct buf tmp = BUF_INIT(0);
	const char *p = data;
	ssize_t w;
	int fd = -1, r = -1;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1) {
		errf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "write %s: %s", tmp.data,
			    strerror(errno));
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	/* fsync before rename: the new name must never point at lost data */
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		errf(err, errlen, "fsync %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) == -1) {
		errf(err, errlen, "rename %s: %s", path, strerror(errno));
		goto out;
	}
	r = fsync_dir_of(path, err, errlen);
out:
	if (fd != -1)
		close(fd);
	if (r == -1 && tmp.data)
		unlink(tmp.data);
	buf_free(&tmp);
	return r;
}

int
util_read_file(const char *path, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max ||
		    buf_append(out, chunk, (size_t)n) == -1) {
			errf(err, errlen, "%s: file too large (over %zu bytes)",
			    path, max);
			goto out;
		}
	}
	r = 0;
out:
	close(fd);
	return r;
}

long long
util_parse_duration(const char *s)
{
	long long v = 0, mul = 1;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > LLONG_MAX / 10 - 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (*p && p[1] != '\0')
		return -1;
	if (v > LLONG_MAX / mul)
		return -1;
	return v * mul;
}

void
util_rfc5322_date(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}
