/*
 * image.h - an image for a phone: resized, re-encoded, metadata stripped.
 *
 * The one file that talks to libvips.  Bytes in, bytes out: no I/O, no
 * logging.  What goes in is untrusted (any host's "image"), so:
 *   - only JPEG, PNG, GIF and WebP are decoded, recognized by their magic
 *     bytes, whatever the server's Content-Type said; SVG (it can carry
 *     script), HTML served as image/jpeg and everything else is refused,
 *     and libvips' loaders other than those four are blocked (no
 *     ImageMagick, PDF, SVG, HEIF);
 *   - the pixel count is read from the header and checked against a limit
 *     before any pixel is decoded (a 30000 x 30000 PNG is a few hundred
 *     bytes on the wire and gigabytes in memory);
 *   - a truncated or corrupt image is an error, not a half-grey picture;
 *   - decoding is meant to run in a child under address-space and time
 *     limits (images.c), so that whatever libvips does with hostile bytes
 *     costs one image, never the pass.
 *
 * What comes out: scaled down (never up) to max_width, EXIF orientation
 * applied, then every metadata block stripped (a photo's GPS position must
 * not travel into a mailbox); JPEG at the given quality for photographs; PNG
 * for images with alpha, and for those without when a JPEG is not at least
 * half its size; an animated GIF kept as it is when it fits the caps, else
 * its first frame; WebP converted (phone mail clients may not show it).
 * Over max_bytes, the image is scaled down further until it fits, down to
 * IMAGE_MIN_WIDTH; then it is refused as too large.
 */
#ifndef RSS2MAIL_IMAGE_H
#define RSS2MAIL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MIN_WIDTH	64	/* no smaller to fit a budget: a link then */

enum image_status {
	IMAGE_OK = 0,
	IMAGE_REFUSED = -1,	/* not an image we embed: SVG, HTML, unknown
				   format, over the pixel limit */
	IMAGE_BROKEN = -2,	/* truncated or corrupt */
	IMAGE_TOO_LARGE = -3,	/* does not fit max_bytes even when small */
};

struct image_opts {
	int		 max_width;	/* pixels; 0: no resizing */
	int		 quality;	/* JPEG quality 1..100; 0: 80 */
	size_t		 max_bytes;	/* the result must fit; 0: LIM_IMAGE */
	uint64_t	 max_pixels;	/* 0: LIM_IMAGE_PIXELS */
};

struct image_out {
	void		*data;		/* malloc'd; image_out_free */
	size_t		 len;
	const char	*type;		/* "image/jpeg" ... (static) */
	int		 width, height;	/* as it will be shown (upright) */
};

/*
 * Start libvips with only the four loaders allowed, one thread, no
 * operation cache.  Call once per process before image_prepare, after any
 * fork (libvips starts threads).  0, or -1 with err.
 */
int	 image_init(char *err, size_t errlen);

/* "image/jpeg", "image/png", "image/gif", "image/webp" from the magic
 * bytes, "image/svg+xml" or "text/html" when it looks like one, else NULL. */
const char *image_sniff(const void *data, size_t len);

/*
 * Prepare one image for a message.  On IMAGE_OK *out holds the new bytes;
 * otherwise *out is empty and err has one line ("SVG is not embedded",
 * "30000x30000 pixels is over the 50 megapixel limit", "truncated JPEG").
 */
enum image_status image_prepare(const void *data, size_t len,
	    const struct image_opts *, struct image_out *out, char *err,
	    size_t errlen);

void	 image_out_free(struct image_out *);

#endif
