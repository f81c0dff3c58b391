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
 * What one pass decided.  A story claimed by an entry this pass lives
 * here, so the same story in two feeds of one pass is delivered once (the
 * first queued); its claim is written with the entry's pending row, in
 * the transaction that journals it (select_pass_journal: deliver.c), so a
 * pass killed after that message was stored leaves the claim for the
 * next.  The entries left out are written in one transaction at the end
 * (select_pass_record); a pass that dies first leaves them new, evaluated
 * again next time.  A duplicate is only recorded while its story's claim
 * counts (state.h: state_dedupe_owner): when the copy that claimed it was
 * refused for good or never journaled, the duplicate is left new and its
 * feed fetched whole next time, so another copy is delivered.
 */
struct select_pass *select_pass_new(void);
void	select_pass_free(struct select_pass *);	/* accepts NULL */
/* Inside the caller's transaction; 0, or -1 with err. */
int	select_pass_record(struct select_pass *, struct state *, char *err,
	    size_t errlen);
/* The claim entry_id of feed made this pass, if any, into the caller's
 * transaction (the one with its pending row); sp may be NULL.  0, or -1
 * on a database error. */
int	select_pass_journal(struct select_pass *sp, struct state *,
	    const char *feed, const char *entry_id);

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
