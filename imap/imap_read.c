/*
 * imap_read.c - reading the Subscribe folder over IMAP (reader.h:
 * reader_imap): SELECT and UIDVALIDITY, UID SEARCH for the requests not
 * handled yet, UID FETCH BODY.PEEK[]<0.max> (never sets \Seen), UID STORE
 * +FLAGS (\Seen \Answered), and one APPEND without flags for a reply.
 *
 * A session of its own (imap_session.c), not the delivery backend's:
 * imap.c's handle is the delivery thread's during a pass, and the
 * Subscribe folder is read before the pass starts.  It connects, verifies
 * and logs in exactly as delivery does (the same imap_conf from the same
 * deliver_cfg).  Folder names are mapped as imap.c maps them
 * (imap_name.h), without imap.c's dotless fallback: a Subscribe folder
 * the server refuses to create is an error the user fixes by naming it
 * differently.  Does not retry inside a call; a dropped session is
 * DELIVER_STORE and the next pass reconnects.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "deliver.h"
#include "imap_name.h"
#include "imap_session.h"
#include "imap_wire.h"
#include "limits.h"
#include "reader.h"
#include "util.h"

struct imap_reader {
	struct imap_conf	 conf;
	struct imap_session	*ses;
	char			*name;		/* the folder's server name */
	char			*shown;		/* ... as the user wrote it */
};

/*
 * A failed command: DELIVER_STORE when the connection went (lost), else
 * the folder's (the server refused).  etpan_failed is for libetpan's
 * result codes, wire_failed for imap_command's tagged states.
 */
static enum deliver_status
cmd_failed(struct imap_reader *c, int lost, int r, const char *what,
    char *err, size_t errlen)
{
	if (lost) {
		c->ses->dead = 1;
		imap_err(c->ses, err, errlen, "%s \"%s\": %s", what, c->shown,
		    imap_conn_error_text(c->ses, r));
		return DELIVER_STORE;
	}
	imap_err(c->ses, err, errlen, "%s \"%s\": %s", what, c->shown,
	    imap_server_text(c->ses));
	return DELIVER_FOLDER;
}

static enum deliver_status
etpan_failed(struct imap_reader *c, int r, const char *what, char *err,
    size_t errlen)
{
	return cmd_failed(c, imap_conn_lost(c->ses, r), r, what, err,
	    errlen);
}

static enum deliver_status
wire_failed(struct imap_reader *c, int r, const char *what, char *err,
    size_t errlen)
{
	return cmd_failed(c, r < 0, MAILIMAP_ERROR_STREAM, what, err,
	    errlen);
}

/* A new operation on a live session with the folder selected. */
static enum deliver_status
begin(struct imap_reader *c, char *err, size_t errlen)
{
	imap_session_begin(c->ses);
	if (c->ses->dead || c->ses->s == NULL) {
		errf(err, errlen, "imap: the session to \"%s\" was lost",
		    c->shown);
		return DELIVER_STORE;
	}
	return DELIVER_OK;
}

/* SELECT the folder: libetpan's result code. */
static int
select_folder(struct imap_reader *c, uint32_t *uidvalidity)
{
	int r;

	free(c->ses->selected);
	c->ses->selected = NULL;
	if ((r = mailimap_select(c->ses->s, c->name)) != MAILIMAP_NO_ERROR)
		return r;
	c->ses->selected = xstrdup(c->name);
	c->ses->selected_rw = 1;
	*uidvalidity = c->ses->s->imap_selection_info ?
	    c->ses->s->imap_selection_info->sel_uidvalidity : 0;
	return MAILIMAP_NO_ERROR;
}

static void
read_close(void *ctx)
{
	struct imap_reader *c = ctx;

	if (c == NULL)
		return;
	imap_session_free(c->ses);
	imap_conf_free(&c->conf);
	free(c->name);
	free(c->shown);
	free(c);
}

static enum deliver_status
read_open(void **ctxp, const struct deliver_cfg *cfg, const char *folder,
    uint32_t *uidvalidity, char *err, size_t errlen)
{
	struct imap_reader *c;
	struct buf b = BUF_INIT(LIM_ONELINE);
	enum deliver_status st = DELIVER_STORE;
	char why[ERRLEN];
	int r;

	*ctxp = NULL;
	*uidvalidity = 0;
	c = xcalloc(1, sizeof(*c));
	c->shown = xstrdup(folder);
	if (imap_conf_init(&c->conf, cfg, err, errlen) < 0) {
		free(c->shown);
		free(c);
		return DELIVER_STORE;
	}
	c->ses = imap_session_new(&c->conf);
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		goto out;
	if (imap_name_wire(&b, folder, c->ses->prefix, c->ses->delim, why,
	    sizeof(why)) < 0) {
		imap_err(c->ses, err, errlen, "%s", why);
		st = DELIVER_FOLDER;
		goto out;
	}
	c->name = buf_steal(&b);
	if ((r = select_folder(c, uidvalidity)) !=
	    MAILIMAP_NO_ERROR) {
		if (imap_conn_lost(c->ses, r)) {
			st = etpan_failed(c, r, "SELECT", err, errlen);
			goto out;
		}
		/* missing (most likely): create it, and show it */
		if ((r = mailimap_create(c->ses->s, c->name)) !=
		    MAILIMAP_NO_ERROR) {
			st = etpan_failed(c, r, "CREATE", err, errlen);
			goto out;
		}
		(void)mailimap_subscribe(c->ses->s, c->name);
		if ((r = select_folder(c, uidvalidity)) !=
		    MAILIMAP_NO_ERROR) {
			st = etpan_failed(c, r, "SELECT", err, errlen);
			goto out;
		}
	}
	*ctxp = c;
	c = NULL;
	st = DELIVER_OK;
out:
	buf_free(&b);
	read_close(c);
	return st;
}

static enum deliver_status
read_search(void *ctx, uint32_t after, uint32_t **uids, size_t *n,
    char *err, size_t errlen)
{
	struct imap_reader *c = ctx;
	enum deliver_status st;
	clist *l;
	clistiter *it;
	char cmd[160];
	size_t k = 0;
	int r;

	*uids = NULL;
	*n = 0;
	if ((st = begin(c, err, errlen)) != DELIVER_OK)
		return st;
	/* a UID range "N:*" always holds the highest UID, even when it is
	 * below N: filter again below */
	snprintf(cmd, sizeof(cmd), "UID SEARCH UID %lu:* UNANSWERED "
	    "UNDELETED NOT HEADER " READER_REPLY_HEADER " \"\"",
	    (unsigned long)after + 1);
	if ((r = imap_command(c->ses, cmd)) != MAILIMAP_RESP_COND_STATE_OK)
		return wire_failed(c, r, "UID SEARCH", err, errlen);
	l = c->ses->s->imap_response_info ?
	    c->ses->s->imap_response_info->rsp_search_result : NULL;
	if (l == NULL || clist_count(l) == 0)
		return DELIVER_OK;
	*uids = xcalloc((size_t)clist_count(l), sizeof(**uids));
	for (it = clist_begin(l); it != NULL; it = clist_next(it))
		if (*(uint32_t *)clist_content(it) > after)
			(*uids)[k++] = *(uint32_t *)clist_content(it);
	*n = imap_wire_uids_sort(*uids, k);
	if (*n == 0) {
		free(*uids);
		*uids = NULL;
	}
	return DELIVER_OK;
}

/* The RFC822.SIZE and BODY[] of one FETCH response item. */
static void
fetched(struct mailimap_msg_att *ma, uint32_t *uid, const char **p,
    size_t *len, size_t *size)
{
	struct mailimap_msg_att_item *it;
	struct mailimap_msg_att_static *sa;
	clistiter *i;

	for (i = clist_begin(ma->att_list); i != NULL; i = clist_next(i)) {
		it = clist_content(i);
		if (it->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    (sa = it->att_data.att_static) == NULL)
			continue;
		if (sa->att_type == MAILIMAP_MSG_ATT_UID)
			*uid = sa->att_data.att_uid;
		else if (sa->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
			*size = sa->att_data.att_rfc822_size;
		else if (sa->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
		    sa->att_data.att_body_section != NULL) {
			*p = sa->att_data.att_body_section->sec_body_part;
			*len = sa->att_data.att_body_section->sec_length;
		}
	}
}

static enum deliver_status
read_fetch(void *ctx, uint32_t uid, size_t max, char **data, size_t *len,
    size_t *size, char *err, size_t errlen)
{
	struct imap_reader *c = ctx;
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	enum deliver_status st;
	clist *res = NULL;
	clistiter *i;
	const char *p = NULL;
	size_t n = 0, sz = 0;
	uint32_t got;
	int r;

	*data = NULL;
	*len = *size = 0;
	if ((st = begin(c, err, errlen)) != DELIVER_OK)
		return st;
	if (max > LIM_IMAP_LINE)
		max = LIM_IMAP_LINE;
	set = mailimap_set_new_single(uid);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new(NULL), 0, (uint32_t)max));
	r = mailimap_uid_fetch(c->ses->s, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_failed(c, r, "UID FETCH", err, errlen);
	/* the server may add FETCH responses of its own (flag changes) */
	for (i = res ? clist_begin(res) : NULL; i != NULL; i = clist_next(i)) {
		got = 0;
		fetched(clist_content(i), &got, &p, &n, &sz);
		if (got == uid && p != NULL)
			break;
		p = NULL;
	}
	if (p == NULL) {
		mailimap_fetch_list_free(res);
		imap_err(c->ses, err, errlen, "message %lu of \"%s\" is gone",
		    (unsigned long)uid, c->shown);
		return DELIVER_MSG;
	}
	if (n > max)
		n = max;
	*data = xmalloc(n + 1);
	memcpy(*data, p, n);
	(*data)[n] = '\0';
	*len = n;
	*size = sz > n ? sz : n;
	mailimap_fetch_list_free(res);
	return DELIVER_OK;
}

static enum deliver_status
read_answered(void *ctx, uint32_t uid, char *err, size_t errlen)
{
	struct imap_reader *c = ctx;
	enum deliver_status st;
	char cmd[96];
	int r;

	if ((st = begin(c, err, errlen)) != DELIVER_OK)
		return st;
	snprintf(cmd, sizeof(cmd), "UID STORE %lu +FLAGS.SILENT (\\Seen "
	    "\\Answered)", (unsigned long)uid);
	if ((r = imap_command(c->ses, cmd)) != MAILIMAP_RESP_COND_STATE_OK)
		return wire_failed(c, r, "UID STORE", err, errlen);
	return DELIVER_OK;
}

static enum deliver_status
read_has_msgid(void *ctx, const char *msgid, int *found, char *err,
    size_t errlen)
{
	struct imap_reader *c = ctx;
	struct buf cmd = BUF_INIT(0);
	enum deliver_status st;
	clist *l;
	int r;

	*found = 0;
	if (!imap_wire_msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID for a search");
		return DELIVER_MSG;
	}
	if ((st = begin(c, err, errlen)) != DELIVER_OK)
		return st;
	buf_puts(&cmd, "UID SEARCH HEADER Message-ID ");
	imap_wire_quoted(&cmd, msgid);
	r = imap_command(c->ses, buf_str(&cmd));
	buf_free(&cmd);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return wire_failed(c, r, "UID SEARCH", err, errlen);
	l = c->ses->s->imap_response_info ?
	    c->ses->s->imap_response_info->rsp_search_result : NULL;
	*found = l != NULL && clist_count(l) > 0;
	return DELIVER_OK;
}

static enum deliver_status
read_append(void *ctx, const char *msg, size_t len, char *err,
    size_t errlen)
{
	struct imap_reader *c = ctx;
	enum deliver_status st;
	int r;

	if ((st = begin(c, err, errlen)) != DELIVER_OK)
		return st;
	if ((r = mailimap_append(c->ses->s, c->name, NULL, NULL, msg, len)) !=
	    MAILIMAP_NO_ERROR)
		return etpan_failed(c, r, "APPEND to", err, errlen);
	return DELIVER_OK;
}

const struct reader_ops reader_imap = {
	.name = "imap",
	.open = read_open,
	.search = read_search,
	.fetch = read_fetch,
	.answered = read_answered,
	.has_msgid = read_has_msgid,
	.append = read_append,
	.close = read_close,
};
