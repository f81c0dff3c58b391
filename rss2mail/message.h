/*
 * message.h - composing one RFC 5322 / MIME message from one entry.
 *
 * msg_compose writes a complete message with CRLF line ends, 7-bit on the
 * wire (quoted-printable bodies, RFC 2047 headers).  Every header goes
 * through mime.c's one encoding function, so nothing from the feed can add,
 * split or fold a header.  No I/O: images are fetched by the caller and
 * handed in (struct msg_image).  The message is written into the caller's
 * buf; nothing returned points into the entry.
 */
#ifndef RSS2MAIL_MESSAGE_H
#define RSS2MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct entry;
struct feed;

/*
 * An image the caller fetched for inline display (images = inline).  The
 * caller finds the URLs with html_image_urls on the entry's body, fetches
 * them, and hands in what it got.  An image is embedded as a
 * multipart/related part referenced by cid: when the sanitized HTML uses
 * its URL, its type is image/png, jpeg, gif or webp (not SVG), it is at
 * most image_max bytes and fits the images_max budget; otherwise the image
 * stays a remote link.  Over max_size, the images go before the body is
 * cut.
 */
struct msg_image {
	const char	*url;		/* as html_image_urls gave it */
	const char	*cid;		/* Content-ID without "<>", or NULL */
	const char	*type;		/* "image/png" ... */
	const void	*data;
	size_t		 len;
};

struct msg_opts {
	const char	*feed_name;	/* the config section name */
	const char	*feed_url;	/* as configured: X-RSS-Feed */
	const char	*from_addr;	/* the bridge's own address (addr-spec) */
	const char	*from_name;	/* display name from config, or NULL */
	const char	*to;		/* To: value as configured */
	int		 html;		/* 1: multipart/alternative, 0: text */
	time_t		 first_seen;	/* Date when the entry has none */
	time_t		 now;		/* for tests: fixed clock */
	const char	*boundary_seed;	/* tests: fixed boundaries; NULL = random */
	/* issue 4; zero/NULL means the default */
	const char	*from_name_tpl;	/* NULL: "{author} via {feed}" */
	const char	*subject_tpl;	/* NULL: "{title}" */
	int		 reply_to_author; /* author's address into Reply-To */
	const char	*language;	/* Content-Language; NULL: the feed's */
	size_t		 max_size;	/* 0: LIM_MESSAGE */
	const struct msg_image *images;	/* inline images, see above */
	size_t		 nimages;
	size_t		 image_max;	/* 0: LIM_IMAGE */
	size_t		 images_max;	/* 0: LIM_IMAGES_TOTAL */
	int		 no_images;	/* images = none: alt text instead */
	const char	*digest_subject_tpl; /* NULL: "{feed}: {count} new
					   posts" */
	const char	*msgid_key;	/* the id the Message-ID is made from;
					   NULL: the entry's (a changed entry's
					   new revision has its own) */
};

/*
 * Templates know {title} {feed} {author} {date} ({count} in a digest).  {feed} is the feed's
 * title, else feed_name.  Without an author, a template naming {author}
 * falls back to "{feed}".  from_addr may be "addr" or "Name <addr>"; its
 * address is always the From address.  from_name (the configured display
 * name) is used only when the template gives nothing.
 */

/*
 * The stable Message-ID for (feed URL, entry id): "<hex@rss2mail>" written
 * into out (at least MSG_ID_LEN bytes).
 */
#define MSG_ID_LEN	80
void	msg_id(const char *feed_url, const char *entry_id, char *out);

/* The List-Id label of a feed ("lwn.rss2mail"), appended to out: the same
 * for its entries and for rss2mail's notices about it. */
void	msg_list_label(const char *feed_name, struct buf *out);

/* Compose the message; 0, or -1 with err ("message too large"). */
int	msg_compose(const struct feed *, const struct entry *,
	    const struct msg_opts *, struct buf *out, char *err, size_t errlen);

/*
 * One message for n entries of one feed (digest = yes): a section per
 * entry in both parts, in the order given; From names the feed, Date is
 * the latest entry's.  Its Message-ID (msg_digest_id) is stable for the
 * same feed URL and entry ids, so a retried digest is found again.  Over
 * max_size every entry's body is cut by the same fraction.  No images.
 * 0, or -1 with err.
 */
int	msg_compose_digest(const struct feed *, const struct entry *const *,
	    size_t n, const struct msg_opts *, struct buf *out, char *err,
	    size_t errlen);
void	msg_digest_id(const char *feed_url, const char *const *ids, size_t n,
	    char *out);

/*
 * The entry's Date as used in the message: published, else updated, else
 * first_seen; a date more than a day after first_seen (a feed's clock in
 * the future) is replaced by first_seen.
 */
time_t	msg_date(const struct entry *, time_t first_seen);

#endif
