/*
 * limits.h - every hard cap on untrusted input, in one table.
 *
 * A cap is the memory or time bound of the stage that applies it.  Hostile
 * input must reach one of these and get an ordinary error ("feed too large")
 * long before allocation could fail.  Tests may build with tiny caps
 * (-DLIM_TINY) so that the truncation paths run.
 */
#ifndef RSS2MAIL_LIMITS_H
#define RSS2MAIL_LIMITS_H

#ifndef LIM_TINY
/* fetch */
#define LIM_FEED_SIZE		(16u << 20)	/* default max-feed-size, decompressed */
#define LIM_HTTP_HEADER		(64u << 10)	/* all response headers of one request */
#define LIM_REDIRECTS		5
#define LIM_CONNECT_TIMEOUT	15		/* seconds */
#define LIM_TOTAL_TIMEOUT	60		/* seconds per request */
#define LIM_LOW_SPEED_BYTES	100		/* bytes/s ... */
#define LIM_LOW_SPEED_TIME	20		/* ... for this many seconds */
/* feed */
#define LIM_XML_DEPTH		256		/* element nesting */
#define LIM_ENTRIES		5000		/* entries kept per document */
#define LIM_FIELD		(4u << 20)	/* one text field of an entry */
#define LIM_ONELINE		4096		/* title, author, id, link ... */
#define LIM_FEED_ARENA		(128u << 20)	/* all parsed data of one feed */
#define LIM_XML_ATTRS		1024		/* attributes on one element
						   (libxml2's check is quadratic) */
#define LIM_ENCLOSURES		256		/* per entry */
#define LIM_JSON_VALUES		((size_t)LIM_ENTRIES * 100) /* a JSON Feed */
/* article pages and feed discovery */
#define LIM_ARTICLE_PAGE	(4u << 20)	/* one web page, decompressed */
#define LIM_ARTICLE_HTML	(2u << 20)	/* the article extracted from it */
#define LIM_ARTICLE_NODES	200000		/* elements of one page */
#define LIM_ARTICLE_DEPTH	200		/* element nesting walked */
#define LIM_ARTICLE_JSONLD	(256u << 10)	/* one JSON-LD script */
#define LIM_DISCOVER_FEEDS	32		/* feeds listed by one page */
#define LIM_PROBE_TIME		120		/* seconds for finding one
						 * site's feed (add, parse) */
/* message */
#define LIM_MESSAGE		(2u << 20)	/* default max-message-size */
#define LIM_IMAGE		(300u << 10)	/* default per-image cap */
#define LIM_IMAGES_TOTAL	(1u << 20)	/* default per-message image budget */
#define LIM_IMAGE_CACHE		(8u << 20)	/* images kept for a pass's reuse */
#define LIM_IMAGE_CACHE_URLS	4096
#define LIM_IMAGE_PIXELS	50000000ull	/* decoded, read from the header */
/* config, state, imap */
#define LIM_CONFIG_SIZE		(4u << 20)
#define LIM_CONFIG_LINE		8192
#define LIM_IMAP_LINE		(1u << 20)	/* one response line or literal */
#define LIM_APPEND_BATCH	100		/* messages per MULTIAPPEND */
#define LIM_APPEND_BATCH_BYTES	(8u << 20)
#else
#define LIM_FEED_SIZE		(64u << 10)
#define LIM_HTTP_HEADER		(4u << 10)
#define LIM_REDIRECTS		2
#define LIM_CONNECT_TIMEOUT	5
#define LIM_TOTAL_TIMEOUT	10
#define LIM_LOW_SPEED_BYTES	100
#define LIM_LOW_SPEED_TIME	5
#define LIM_XML_DEPTH		16
#define LIM_ENTRIES		8
#define LIM_FIELD		(8u << 10)
#define LIM_ONELINE		256
#define LIM_FEED_ARENA		(1u << 20)
#define LIM_XML_ATTRS		16
#define LIM_ENCLOSURES		4
#define LIM_JSON_VALUES		((size_t)LIM_ENTRIES * 100)
#define LIM_ARTICLE_PAGE	(64u << 10)
#define LIM_ARTICLE_HTML	(32u << 10)
#define LIM_ARTICLE_NODES	2000
#define LIM_ARTICLE_DEPTH	16
#define LIM_ARTICLE_JSONLD	(4u << 10)
#define LIM_DISCOVER_FEEDS	4
#define LIM_PROBE_TIME		30
#define LIM_MESSAGE		(64u << 10)
#define LIM_IMAGE		(4u << 10)
#define LIM_IMAGES_TOTAL	(16u << 10)
#define LIM_IMAGE_CACHE		(16u << 10)
#define LIM_IMAGE_CACHE_URLS	8
#define LIM_IMAGE_PIXELS	1000000ull
#define LIM_CONFIG_SIZE		(16u << 10)
#define LIM_CONFIG_LINE		512
#define LIM_IMAP_LINE		(16u << 10)
#define LIM_APPEND_BATCH	4
#define LIM_APPEND_BATCH_BYTES	(64u << 10)
#endif

#define ERRLEN			512		/* caller-owned error buffers */
#define LIM_RCPT		32		/* addresses in `to`: RCPT TO
						   per message */

#endif
