/*
 * select.h - the "select" step of a pass: which of a feed's new entries
 * are delivered.  filter.c decides on include/exclude rules and makes the
 * link key; this file adds max-age and the cross-feed duplicate check,
 * and records what it left out in the journal (state.c) so that it is not
 * evaluated again.
 *
 * Order: exclude/include, then max-age, then de-duplication (only an
 * entry that would be delivered claims its story's key).  A rule that hits
 * its match limit lets the entry through with one warning line.  The
 * entry's own identity within its feed is untouched: this only decides
 * about entries that have no journal row yet.
 */
#ifndef RSS2MAIL_SELECT_H
#define RSS2MAIL_SELECT_H

#include <stddef.h>
#include <time.h>

struct config;
struct config_feed;
struct entry;
struct state;
struct select;
struct select_pass;

/*
 * What one pass decided, written in one transaction at its end
 * (select_pass_record): the entries left out and the stories claimed.
 * Until then a claim lives here, so the same story in two feeds of one
 * pass is delivered once.  Not written when the pass dies first: the
 * entries are evaluated again next time (a story delivered just before
 * such a crash may then come once more from another feed).
 */
struct select_pass *select_pass_new(void);
void	select_pass_free(struct select_pass *);	/* accepts NULL */
/* Inside the caller's transaction; 0, or -1 with err. */
int	select_pass_record(struct select_pass *, struct state *, char *err,
	    size_t errlen);

/* The selection for one feed's settings; NULL with err when a rule does
 * not compile (config_load has checked them: not expected). */
struct select *select_new(const struct config *, const struct config_feed *,
	    struct select_pass *, char *err, size_t errlen);
void	select_free(struct select *);	/* accepts NULL */

/*
 * 1: deliver e.  0: left out (filtered or duplicate; logged, and noted
 * for select_pass_record).  -1: the journal could not be read (err): the
 * entry stays new.
 */
int	select_entry(struct select *, struct state *, const struct entry *e,
	    time_t now, char *err, size_t errlen);

#endif
