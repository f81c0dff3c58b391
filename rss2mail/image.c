/*
 * image.c - resize and re-encode one image for a phone, on libvips.
 *
 * The contract, and why each refusal is there, is in image.h.  This file
 * does what libvips is asked and nothing else: no fetching, no caching (the
 * caller's imgcache keeps results), no decisions about the message budget
 * beyond the max_bytes it is handed.
 *
 * libvips is kept on a short leash: only the JPEG, PNG, GIF and WebP
 * loaders are allowed (every other loader blocked, the untrusted ones
 * first), one worker thread, no operation cache.  The image is thumbnailed
 * straight from the buffer, so JPEG's shrink-on-load decodes a 4000-pixel
 * photo at a fraction of its size, and orientation is applied on the way.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <vips/vips.h>

#include "image.h"
#include "limits.h"
#include "util.h"

/* the loaders allowed, by libvips class (the buffer loaders are below) */
static const char *const image_loaders[] = {
	"VipsForeignLoadJpeg",
	"VipsForeignLoadPng",
	"VipsForeignLoadNsgif",
	"VipsForeignLoadWebp",
};

static int image_ready;

/* libvips reports problems twice: in its error buffer, which image_prepare
 * turns into the one line it returns, and as GLib warnings on stderr, which
 * would break the one-line-per-failure promise: those are dropped. */
static void
quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer unused)
{
}

static void
vips_err(char *err, size_t errlen, const char *what)
{
	const char *v = vips_error_buffer();
	size_t n = strcspn(v, "\n");

	errf(err, errlen, "%s: %.*s", what, (int)(n > 200 ? 200 : n),
	    n ? v : "libvips failed");
	vips_error_clear();
}

int
image_init(char *err, size_t errlen)
{
	size_t i;

	if (image_ready)
		return 0;
	if (VIPS_INIT("rss2mail") != 0) {
		vips_err(err, errlen, "starting libvips");
		return -1;
	}
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
	    G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, quiet, NULL);
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (i = 0; i < sizeof(image_loaders) / sizeof(image_loaders[0]); i++)
		vips_operation_block_set(image_loaders[i], FALSE);
	vips_cache_set_max(0);
	vips_concurrency_set(1);
	image_ready = 1;
	return 0;
}

static int
starts(const unsigned char *p, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

const char *
image_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0, look;

	if (starts(p, len, "\xFF\xD8\xFF", 3))
		return "image/jpeg";
	if (starts(p, len, "\x89PNG\r\n\x1A\n", 8))
		return "image/png";
	if (starts(p, len, "GIF87a", 6) || starts(p, len, "GIF89a", 6))
		return "image/gif";
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	/* markup: SVG if an <svg element comes early, else HTML */
	if (starts(p, len, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	if (i >= len || p[i] != '<')
		return NULL;
	look = len - i < 1024 ? len - i : 1024;
	if (memmem(p + i, look, "<svg", 4) != NULL)
		return "image/svg+xml";
	return "text/html";
}

static const char *
short_type(const char *type)
{
	return strcmp(type, "image/jpeg") == 0 ? "JPEG" :
	    strcmp(type, "image/png") == 0 ? "PNG" :
	    strcmp(type, "image/gif") == 0 ? "GIF" : "WebP";
}

/* Copy a libvips (g_malloc'd) buffer into ours. */
static void
take(struct image_out *out, void *buf, size_t len, const char *type)
{
	out->data = xmalloc(len ? len : 1);
	memcpy(out->data, buf, len);
	out->len = len;
	out->type = type;
	g_free(buf);
}

/*
 * Encode im (in memory, upright, metadata to be stripped) as JPEG or PNG:
 * see image.h for the choice.  0, or -1 with err.
 */
static int
encode(VipsImage *im, const char *in_type, int quality,
    struct image_out *out, char *err, size_t errlen)
{
	void *jpg = NULL, *png = NULL;
	size_t jlen = 0, plen = 0;
	int alpha = vips_image_hasalpha(im);
	int photo = strcmp(in_type, "image/jpeg") == 0 ||
	    strcmp(in_type, "image/webp") == 0;

	if (!alpha && vips_jpegsave_buffer(im, &jpg, &jlen, "Q", quality,
	    "strip", TRUE, "optimize_coding", TRUE, NULL) != 0) {
		vips_err(err, errlen, "encoding JPEG");
		return -1;
	}
	if (!alpha && photo) {
		take(out, jpg, jlen, "image/jpeg");
		return 0;
	}
	if (vips_pngsave_buffer(im, &png, &plen, "strip", TRUE,
	    "compression", 6, NULL) != 0) {
		g_free(jpg);
		vips_err(err, errlen, "encoding PNG");
		return -1;
	}
	if (jpg != NULL && jlen * 2 <= plen) {
		g_free(png);
		take(out, jpg, jlen, "image/jpeg");
	} else {
		g_free(jpg);
		take(out, png, plen, "image/png");
	}
	return 0;
}

/* Thumbnail the buffer to width w (never up), upright, into memory. */
static VipsImage *
thumbnail(const void *data, size_t len, int w, char *err, size_t errlen,
    const char *type)
{
	VipsImage *t = NULL, *m;

	if (vips_thumbnail_buffer((void *)data, len, &t, w, "height",
	    VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, "option_string",
	    "fail_on=error", NULL) != 0) {
		vips_err(err, errlen, short_type(type));
		return NULL;
	}
	/* decode now, once: both encoders read it, and a truncated file
	 * fails here rather than in the middle of an encoder */
	m = vips_image_copy_memory(t);
	g_object_unref(t);
	if (m == NULL)
		vips_err(err, errlen, short_type(type));
	return m;
}

enum image_status
image_prepare(const void *data, size_t len, const struct image_opts *o,
    struct image_out *out, char *err, size_t errlen)
{
	const char *type = image_sniff(data, len);
	size_t max_bytes = o->max_bytes ? o->max_bytes : LIM_IMAGE;
	uint64_t max_px = o->max_pixels ? o->max_pixels : LIM_IMAGE_PIXELS;
	int quality = o->quality > 0 && o->quality <= 100 ? o->quality : 80;
	VipsImage *hdr, *im;
	int w, h, ow, pages, tw;
	size_t got;
	char why[256];

	memset(out, 0, sizeof(*out));
	if (type == NULL) {
		errf(err, errlen, "not an image (unknown format)");
		return IMAGE_REFUSED;
	}
	if (strcmp(type, "image/svg+xml") == 0) {
		errf(err, errlen, "SVG is not embedded (it can carry script)");
		return IMAGE_REFUSED;
	}
	if (strcmp(type, "text/html") == 0) {
		errf(err, errlen, "not an image (an HTML page)");
		return IMAGE_REFUSED;
	}
	if (image_init(err, errlen) == -1)
		return IMAGE_BROKEN;

	/* the header alone: nothing is decoded before the pixel check */
	hdr = vips_image_new_from_buffer(data, len, "", "access",
	    VIPS_ACCESS_SEQUENTIAL, NULL);
	if (hdr == NULL) {
		vips_err(err, errlen, short_type(type));
		return IMAGE_BROKEN;
	}
	w = vips_image_get_width(hdr);
	h = vips_image_get_page_height(hdr);
	pages = vips_image_get_n_pages(hdr);
	ow = vips_image_get_orientation_swap(hdr) ? h : w;
	g_object_unref(hdr);
	if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > max_px ||
	    (uint64_t)w * (uint64_t)h * (uint64_t)pages > 4 * max_px) {
		errf(err, errlen, "%dx%d pixels%s is over the %llu megapixel "
		    "limit", w, h, pages > 1 ? " a frame" : "",
		    (unsigned long long)(max_px / 1000000));
		return IMAGE_REFUSED;
	}

	/* an animation that fits stays as it is */
	if (pages > 1 && strcmp(type, "image/gif") == 0 && len <= max_bytes &&
	    (o->max_width <= 0 || ow <= o->max_width)) {
		out->data = xmalloc(len);
		memcpy(out->data, data, len);
		out->len = len;
		out->type = type;
		out->width = w;
		out->height = h;
		return IMAGE_OK;
	}

	tw = o->max_width > 0 && ow > o->max_width ? o->max_width : ow;
	for (;;) {
		if ((im = thumbnail(data, len, tw, err, errlen, type)) == NULL)
			return IMAGE_BROKEN;
		if (encode(im, type, quality, out, err, errlen) == -1) {
			g_object_unref(im);
			return IMAGE_BROKEN;
		}
		out->width = vips_image_get_width(im);
		out->height = vips_image_get_height(im);
		g_object_unref(im);
		if (out->len <= max_bytes)
			return IMAGE_OK;
		got = out->len;
		snprintf(why, sizeof(why), "%zu bytes at %d pixels wide is over "
		    "the %zu byte cap", got, out->width, max_bytes);
		image_out_free(out);
		if (tw <= IMAGE_MIN_WIDTH)
			break;
		/* bytes go roughly with the area: aim a little under */
		tw = (int)(tw * 0.9 * sqrt((double)max_bytes / (double)got));
		if (tw < IMAGE_MIN_WIDTH)
			tw = IMAGE_MIN_WIDTH;
	}
	errf(err, errlen, "%s", why);
	return IMAGE_TOO_LARGE;
}

void
image_out_free(struct image_out *o)
{
	if (o == NULL)
		return;
	free(o->data);
	memset(o, 0, sizeof(*o));
}
