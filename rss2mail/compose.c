/*
 * compose.c - the pass's messages, between message.c and the outbox (see
 * compose.h): message options, revisions, digests, queueing.  Moved out of
 * run.c so that run.c stays the flow of a pass and nothing else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "health.h"
#include "limits.h"
#include "log.h"
#include "message.h"
#include "pass.h"
#include "run.h"
#include "state.h"
#include "util.h"

/*
 * A composed message into the outbox, under the identity it came with: the
 * journal key and the Message-ID are msg_identity's, never made here.
 * The outbox takes the bytes over.
 */
struct outitem *
compose_queue(struct run *r, struct feed_run *fr, struct msg *m,
    const char *title)
{
	struct outitem *it;

	it = deliver_queue(r, fr, fr->folder, m->id.key, title, m->id.msgid,
	    m->data, m->len, m->date, 0);
	m->data = NULL;
	memcpy(it->hash, m->hash, sizeof(it->hash));
	return it;
}

/*
 * A delivered entry whose content changed (updates = new | replace): its
 * new version is delivered under a revision id ("ID#rev-HASH") with its
 * own Message-ID; with replace, the old version is removed from the
 * folder.  An entry delivered before hashes were kept just gets one.
 */
void
compose_revision(struct run *r, struct feed_run *fr, const struct feed *f,
    const struct entry *e, struct msg_opts *mo)
{
	const struct config_feed *cf = fr->cf;
	struct msg_ident rev;
	struct msg m;
	struct outitem *it;
	char h[MSG_HASH_LEN], err[ERRLEN], *old = NULL, *cur = NULL;

	memset(&rev, 0, sizeof(rev));
	memset(&m, 0, sizeof(m));
	msg_content_hash(e, h);
	if (state_entry_revision(r->st, cf->name, e->id, &old, &cur) == -1)
		goto out;
	if (old == NULL) {
		if (state_entry_set_revision(r->st, cf->name, e->id, h,
		    NULL) == -1)
			log_error("feed %s: state: cannot record the content "
			    "of %s", cf->name, e->id);
		goto out;
	}
	if (strcmp(old, h) == 0)
		goto out;
	msg_identity(cf->url, MSG_REVISION, &e->id, 1, h, &rev);
	if (state_entry_get(r->st, cf->name, rev.key) != STATE_NEW)
		goto out;
	mo->revision = h;
	if (msg_compose(f, e, mo, &m, err, sizeof(err)) == -1) {
		mo->revision = NULL;
		health_fail(r, fr, "entry %s: %s", e->id, err);
		goto out;
	}
	mo->revision = NULL;
	r->stats->new_entries++;
	it = compose_queue(r, fr, &m, e->title.value);
	it->base_id = xstrdup(e->id);
	if (cf->s.updates == CONFIG_UPDATES_REPLACE && cur)
		it->replaces = xstrdup(cur);
out:
	free(old);
	free(cur);
	msg_free(&m);
	msg_ident_clear(&rev);
}

/*
 * digest = yes: the new entries of one feed in one message.  Exactly once
 * still holds per entry: each gets its own journal row under the digest's
 * Message-ID (stable for the feed URL and the entry ids).
 */
void
compose_digest(struct run *r, struct feed_run *fr, const struct feed *f,
    const struct entry **fresh, size_t n, const struct msg_opts *mo)
{
	struct msg m;
	struct outitem *it;
	char err[ERRLEN], title[64];
	size_t i;

	if (msg_compose_digest(f, (const struct entry *const *)fresh, n, mo,
	    &m, err, sizeof(err)) == -1) {
		health_fail(r, fr, "digest of %zu entries: %s", n, err);
		return;
	}
	snprintf(title, sizeof(title), "digest of %zu new post%s", n,
	    n == 1 ? "" : "s");
	it = compose_queue(r, fr, &m, title);
	it->by_msgid = 1;
	it->nextra = n - 1;
	it->extra_ids = xcalloc(n, sizeof(*it->extra_ids));
	for (i = 1; i < n; i++)
		it->extra_ids[i - 1] = xstrdup(fresh[i]->id);
	msg_free(&m);
}

void
compose_opts(const struct run *r, const struct feed_run *fr,
    struct msg_opts *mo)
{
	const struct config_feed *cf = fr->cf;
	size_t limit;

	memset(mo, 0, sizeof(*mo));
	mo->feed_name = cf->name;
	mo->feed_url = cf->url;
	mo->from_addr = cf->s.from_addr;
	mo->from_name = cf->s.from_name;
	mo->to = cf->s.to;
	mo->html = cf->s.html;
	mo->first_seen = r->now;
	mo->now = r->now;
	mo->boundary_seed = r->o->boundary_seed;
	mo->from_name_tpl = cf->s.from_template;
	mo->subject_tpl = cf->s.subject;
	mo->reply_to_author = cf->s.reply_to_author;
	mo->max_size = cf->s.max_message_size > 0 ?
	    (size_t)cf->s.max_message_size : 0;
	/* the server's SIZE (SMTP) or APPENDLIMIT (IMAP), or what its
	 * refusals taught, less a margin for dot-stuffing: over it, the
	 * message is composed without its images, then cut */
	if (fr->store && (limit = deliver_fit(r, fr->store)) > 0) {
		size_t fit = limit - limit / 50;

		if (fit < (mo->max_size ? mo->max_size : LIM_MESSAGE))
			mo->max_size = fit;
	}
	mo->no_images = cf->s.images == CONFIG_IMAGES_NONE;
	mo->images_max = cf->s.image_budget > 0 ?
	    (size_t)cf->s.image_budget : 0;
}
