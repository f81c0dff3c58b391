/*
 * filter.h - which entries to deliver: include/exclude patterns and the
 * cross-feed de-duplication key of a link.
 *
 * The one file that talks to PCRE2.  A rule is "FIELD:REGEX" with FIELD
 * one of title, author, tag, content (the entry's text), link; the regex
 * is PCRE2 in UTF mode, case-sensitive unless it says (?i), compiled with
 * JIT where the machine has it.  Every match runs under a match limit and
 * a depth limit, so a pattern that backtracks catastrophically on some
 * entry gives up on that entry (FILTER_LIMIT) instead of hanging the pass.
 *
 * The verdict: an entry matched by any exclude rule is excluded (exclude
 * wins); else, when there are include rules, it must match one of them;
 * else it passes.  No I/O, no logging; a filter is immutable once built
 * and may be shared.
 */
#ifndef RSS2MAIL_FILTER_H
#define RSS2MAIL_FILTER_H

#include <stddef.h>

struct buf;
struct filter;

enum filter_field {
	FILTER_TITLE,
	FILTER_AUTHOR,
	FILTER_TAG,
	FILTER_CONTENT,
	FILTER_LINK,
};

enum filter_verdict {
	FILTER_PASS = 0,	/* deliver */
	FILTER_EXCLUDED,	/* an exclude rule matched */
	FILTER_NOT_INCLUDED,	/* include rules exist and none matched */
	FILTER_LIMIT,		/* a rule gave up (match or depth limit):
				   the entry is delivered, why says which */
};

/* What the rules look at; NULL fields are empty. */
struct filter_entry {
	const char		*title;
	const char		*author;
	const char		*content;	/* the entry's text */
	const char		*link;
	const char *const	*tags;
	size_t			 ntags;
};

/* An empty filter (everything passes); add rules, then use it. */
struct filter *filter_new(void);
void	 filter_free(struct filter *);

/*
 * Add one rule, "FIELD:REGEX" (leading and trailing blanks ignored).  0, or
 * -1 with err: "unknown field 'x' (title, author, tag, content, link)" or
 * "bad pattern at offset 3: missing closing parenthesis".
 */
int	 filter_add(struct filter *, int exclude, const char *rule, char *err,
	    size_t errlen);
/*
 * Whether rule would be accepted by filter_add (compiled and thrown away):
 * config_set_rule_check's function, so a bad pattern is a config error.
 */
int	 filter_check_rule(int exclude, const char *rule, char *err,
	    size_t errlen);
/* Rules added so far (include + exclude). */
size_t	 filter_count(const struct filter *);

/*
 * The verdict for one entry.  why (may be NULL) gets the rule that decided
 * ("exclude title:^Sponsored") or, for FILTER_LIMIT, the one that gave up.
 */
enum filter_verdict filter_match(const struct filter *,
	    const struct filter_entry *, char *why, size_t whylen);

/*
 * The key under which a link counts as "the same story" across feeds,
 * appended to out: scheme and host lower-cased, the default port dropped,
 * the fragment dropped, tracking parameters (utm_*, fbclid, gclid, dclid,
 * msclkid, yclid, mc_cid, mc_eid, igshid, _hsenc, _hsmi, mkt_tok, wt_mc)
 * dropped from the query, a trailing slash dropped from the path.  0, or
 * -1 when the link is not an absolute http(s) URL (then it has no key).
 */
int	 filter_link_key(const char *link, struct buf *out);

#endif
