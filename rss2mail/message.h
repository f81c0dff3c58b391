/*
 * message.h - composing one RFC 5322 / MIME message from one entry.
 *
 * msg_compose writes a complete message with CRLF line ends, 7-bit on the
 * wire (quoted-printable bodies, RFC 2047 headers).  Every header goes
 * through mime.c's one encoding function, so nothing from the feed can add,
 * split or fold a header.  No I/O: images are fetched by the caller and
 * handed in (struct msg_image).  The message comes back with its identity
 * (struct msg): the journal key and Message-ID that recovery looks it up
 * by are made in one place, msg_identity, and nowhere else.  Nothing
 * returned points into the entry.
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
	int		 width, height;	/* for <img>; 0: not known */
};

struct msg_opts {
	const char	*feed_name;	/* the config section name */
	const char	*feed_url;	/* as configured: X-RSS-Feed */
	const char	*from_addr;	/* the bridge's own address (addr-spec) */
	const char	*from_name;	/* display name from config, or NULL */
	const char	*to;		/* To: value as configured: one
					   address or a list, comma-separated
					   (mime_header_addr_list) */
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
	const char	*revision;	/* a changed entry's content hash
					   (msg_content_hash): the message is
					   that revision, with its own key and
					   Message-ID; NULL: the entry */
	const struct entry *hash_entry;	/* the entry whose content hash
					   the message carries: the feed's
					   when the one composed is its full
					   text (fulltext.h); NULL: the one
					   composed */
};

/*
 * Templates know {title} {feed} {author} {date} ({count} in a digest).  {feed} is the feed's
 * title, else feed_name.  Without an author, a template naming {author}
 * falls back to "{feed}".  from_addr may be "addr" or "Name <addr>"; its
 * address is always the From address.  from_name (the configured display
 * name) is used only when the template gives nothing.
 */

#define MSG_ID_LEN	80	/* a Message-ID and its NUL */
#define MSG_HASH_LEN	33	/* a content hash: 32 hex digits and NUL */

/*
 * A message's identity: the key its journal row is recorded under (the
 * entry id the state knows it by) and its Message-ID, by which recovery
 * finds it in the mailbox.  Both are stable for the same input, so a
 * retried message is found again.
 *   MSG_ENTRY     key ids[0]; Message-ID "<hex@rss2mail>" of (feed URL, key)
 *   MSG_REVISION  key "ids[0]#rev-HASH" (a changed entry's new version,
 *                 hash = its msg_content_hash); Message-ID as for an entry,
 *                 of that key
 *   MSG_DIGEST    key ids[0]; Message-ID "<hex.digest@rss2mail>" of the
 *                 feed URL and all n ids (each id gets a journal row of its
 *                 own under that Message-ID)
 * rss2mail's own notices are entries with an id of their own.
 */
enum msg_kind { MSG_ENTRY, MSG_REVISION, MSG_DIGEST };

struct msg_ident {
	char	*key;			/* malloc'd */
	char	 msgid[MSG_ID_LEN];	/* "<...>" as in the header */
};

/* The one function that makes journal keys and Message-IDs.  Free with
 * msg_ident_clear. */
void	msg_identity(const char *feed_url, enum msg_kind,
	    const char *const *ids, size_t n, const char *hash,
	    struct msg_ident *out);
void	msg_ident_clear(struct msg_ident *);	/* frees key, zeroes */

/* What updates = new | replace compares of an entry (title, link and
 * body): 32 hex digits of SHA-256. */
void	msg_content_hash(const struct entry *, char out[MSG_HASH_LEN]);

/* A composed message and its identity; all owned by the struct. */
struct msg {
	char		*data;		/* CRLF text, NUL-terminated */
	size_t		 len;
	struct msg_ident id;
	time_t		 date;		/* its Date header (INTERNALDATE) */
	char		 hash[MSG_HASH_LEN]; /* the entry's content hash; ""
					   for a digest */
};

void	msg_free(struct msg *);		/* accepts a zeroed one; zeroes */

/* The List-Id label of a feed ("lwn.rss2mail"), appended to out: the same
 * for its entries and for rss2mail's notices about it. */
void	msg_list_label(const char *feed_name, struct buf *out);

/* Compose the entry's message (o->revision: the revision's) into *out;
 * 0, or -1 with err ("message too large") and *out zeroed. */
int	msg_compose(const struct feed *, const struct entry *,
	    const struct msg_opts *, struct msg *out, char *err, size_t errlen);

/*
 * One message for n entries of one feed (digest = yes): a section per
 * entry in both parts, in the order given; From names the feed, Date is
 * the latest entry's; its identity is MSG_DIGEST's.  Over max_size every
 * entry's body is cut by the same fraction.  No images.  0, or -1 with
 * err and *out zeroed.
 */
int	msg_compose_digest(const struct feed *, const struct entry *const *,
	    size_t n, const struct msg_opts *, struct msg *out, char *err,
	    size_t errlen);

/*
 * The entry's Date as used in the message: published, else updated, else
 * first_seen; a date more than a day after first_seen (a feed's clock in
 * the future) is replaced by first_seen.
 */
time_t	msg_date(const struct entry *, time_t first_seen);

#endif
