/*
 * imap.c - the IMAP delivery backend (struct deliver_ops deliver_imap):
 * folders, searches, APPEND (MULTIAPPEND + LITERAL+ where offered),
 * removal and expiry, on one session (imap_session.c: connect, TLS, log
 * in, reconnect; imap_stream.c: the receive cap and DEFLATE under it).
 * libetpan stays inside imap/.
 *
 * One connection for the whole run: CREATE / SUBSCRIBE, EXAMINE + UID
 * SEARCH HEADER Message-ID and APPEND on that one session.  The handle is
 * used by one thread at a time: run.c's delivery thread calls append, and
 * the main thread waits for it to land before its next call.
 *
 * What a caller (run.c) can rely on, beyond deliver.h:
 *   open       parses imap-url, connects and logs in before returning.
 *              tls DEFAULT = implicit for imaps://, STARTTLS for imap://;
 *              STARTTLS is never skipped (no fallback to plaintext).  auth
 *              from cfg->auth, else the URL's ;AUTH=, else LOGIN; user from
 *              cfg->user, else the URL's.  Any failure: DELIVER_STORE.
 *   folders    "" or NULL = the URL's mailbox, else INBOX.  '/' separates
 *              levels as the user writes them; the server's delimiter and
 *              personal namespace prefix are applied, non-ASCII goes out in
 *              modified UTF-7.  Empty, "." and ".." parts, invalid UTF-8 or
 *              a part holding the server's delimiter: DELIVER_FOLDER.
 *   ensure_folder  LIST, then CREATE + SUBSCRIBE when missing; remembered
 *              for the session, so calling it before every append is cheap.
 *   has_msgid  a missing folder holds nothing (*found = 0, DELIVER_OK).
 *   append     does not create folders (call ensure_folder first: a missing
 *              folder is DELIVER_FOLDER).  Batches of LIM_APPEND_BATCH /
 *              LIM_APPEND_BATCH_BYTES per MULTIAPPEND + LITERAL+ command
 *              where offered, else one APPEND each.  *done is exact: a
 *              batch refused as a whole is retried one by one, so the
 *              messages before a refused one are stored and counted.
 *              Refusals: too large / bad message / a tagged BAD ->
 *              DELIVER_MSG with the server's words (skip it, go on with
 *              msgs[*done + 1]); missing folder, no permission, over quota
 *              -> DELIVER_FOLDER; connection lost, timeout, a flooding or
 *              trickling server -> DELIVER_STORE (msgs[*done] may or may
 *              not be stored).
 *              msgs[i].uid is set from APPENDUID (UIDPLUS), else left 0.
 *              INTERNALDATE = msgs[i].date (now when 0); flags =
 *              cfg->flags (system flags \Seen \Flagged \Answered \Draft
 *              \Deleted and keywords), none by default.
 *   remove_msgid  SELECT, UID SEARCH HEADER Message-ID, the first match's
 *              FLAGS (less \Recent and \Deleted) into *flags, UID STORE
 *              +FLAGS.SILENT (\Deleted) on every match and, with UIDPLUS,
 *              UID EXPUNGE of exactly those; without UIDPLUS they stay
 *              marked (a plain EXPUNGE would take the user's deletions).
 *              No match or no folder: *flags = NULL, DELIVER_OK.
 *   expire     UID SEARCH SEEN UNFLAGGED UNDELETED BEFORE <day of before>
 *              (INTERNALDATE, whole days: the cut-off day is kept), then
 *              removed as above; *n = how many.
 *   msgs[i].flags  checked like cfg->flags; bad ones are DELIVER_MSG.
 *   after a drop  the next call reconnects (IMAP_CONNECT_TRIES attempts,
 *              1 s and 2 s apart); ensure_folder and has_msgid also retry
 *              once inside the call.  append never resends: whether the
 *              cut batch landed is for the journal to find out.  A refused
 *              login or certificate is never retried.
 *
 * Connection details (COMPRESS=DEFLATE, time and receive bounds, SIGPIPE)
 * are in imap_session.h.  Error text is one line, "imap HOST: what: why",
 * and never contains the password.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "deliver.h"
#include "imap_name.h"
#include "imap_session.h"
#include "imap_wire.h"
#include "limits.h"
#include "util.h"

#define IMAP_MAX_FOLDERS	4096	/* folders remembered as existing */
#define IMAP_UIDS_PER_COMMAND	500	/* UIDs per STORE / EXPUNGE */

/* The backend's handle: one session and what the operations remember. */
struct imap {
	struct imap_conf	 conf;
	struct imap_session	*ses;
	char			*flags;		/* cfg->flags, checked */
	char			*flagstr;	/* ... joined, "" = none */
	char			**known;	/* server names that exist */
	size_t			 nknown;
};

/* ---- one operation ----------------------------------------------------- */

/* The folder as the user names it, also in errors ("" or NULL: the
 * default one, the URL's mailbox, else INBOX). */
static const char *
shown_name(const struct imap *c, const char *folder)
{
	if (folder == NULL || *folder == '\0')
		return c->conf.url.mailbox[0] ? c->conf.url.mailbox : "INBOX";
	return folder;
}

/*
 * The server name of a folder as the user writes it: "" = the URL's
 * mailbox (else INBOX); '/' separates levels and becomes the server's
 * delimiter; the personal namespace prefix goes in front (not for INBOX);
 * non-ASCII goes to modified UTF-7.  Names with empty parts, "." or ".."
 * are refused.  Returns a malloc'd string or NULL with err.
 */
static char *
server_name(struct imap *c, const char *folder, char *err, size_t errlen)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	char why[ERRLEN];

	if (imap_name_wire(&b, shown_name(c, folder), c->ses->prefix,
	    c->ses->delim, why, sizeof(why)) < 0) {
		imap_err(c->ses, err, errlen, "%s", why);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/*
 * The start of every operation on a folder: a new receive budget, a live
 * session, the folder's server name into *name (caller frees).
 */
static enum deliver_status
op_begin(struct imap *c, const char *folder, char **name, char *err,
    size_t errlen)
{
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((*name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	return DELIVER_OK;
}

/* ---- folders ----------------------------------------------------------- */

static int
is_known(const struct imap *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nknown; i++)
		if (strcmp(c->known[i], name) == 0)
			return 1;
	return 0;
}

static void
add_known(struct imap *c, const char *name)
{
	if (c->nknown >= IMAP_MAX_FOLDERS || is_known(c, name))
		return;
	c->known = xrealloc(c->known, (c->nknown + 1) * sizeof(*c->known));
	c->known[c->nknown++] = xstrdup(name);
}

/* 1 exists, 0 missing, -1 connection error (err set). */
static int
folder_exists(struct imap_session *ses, const char *name, char *err,
    size_t errlen)
{
	struct mailimap_mailbox_list *mb;
	clistiter *it;
	clist *list = NULL;
	int r, found = 0;

	r = mailimap_list(ses->s, "", name, &list);
	if (r != MAILIMAP_NO_ERROR) {
		if (imap_conn_lost(ses, r)) {
			(void)imap_cmd_failed(ses, r, "LIST", err, errlen);
			return -1;
		}
		return 0;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		mb = clist_content(it);
		if (strcmp(mb->mb_name, name) == 0 ||
		    (strcasecmp(name, "INBOX") == 0 &&
		    strcasecmp(mb->mb_name, "INBOX") == 0))
			found = 1;
	}
	mailimap_list_result_free(list);
	return found;
}

static enum deliver_status
ensure_folder_once(struct imap *c, const char *name, const char *folder,
    char *err, size_t errlen)
{
	struct imap_session *ses = c->ses;
	int r;

	if (imap_session_open(ses, err, errlen) < 0)
		return DELIVER_STORE;
	if (is_known(c, name))
		return DELIVER_OK;
	if ((r = folder_exists(ses, name, err, errlen)) < 0)
		return DELIVER_STORE;
	if (r == 0) {
		r = mailimap_create(ses->s, name);
		if (r != MAILIMAP_NO_ERROR && imap_conn_lost(ses, r))
			return imap_cmd_failed(ses, r, "CREATE", err, errlen);
		/* a racing creator is fine: [ALREADYEXISTS] */
		if (r != MAILIMAP_NO_ERROR &&
		    strcasecmp(imap_resp_atom(ses), "ALREADYEXISTS") != 0) {
			imap_err(ses, err, errlen, "create folder \"%s\": %s",
			    folder, imap_server_text(ses));
			return DELIVER_FOLDER;
		}
		r = mailimap_subscribe(ses->s, name);
		if (r != MAILIMAP_NO_ERROR && imap_conn_lost(ses, r))
			return imap_cmd_failed(ses, r, "SUBSCRIBE", err,
			    errlen);
		/* a refused SUBSCRIBE leaves a usable folder */
	}
	add_known(c, name);
	return DELIVER_OK;
}

/* After a dropped connection, one more try inside the call (not after a
 * refused login). */
static int
retry_once(const struct imap *c, enum deliver_status st)
{
	return st == DELIVER_STORE && c->ses->dead && !c->ses->authfail;
}

static enum deliver_status
imap_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st;
	const char *shown = shown_name(c, folder);
	char *name = NULL;

	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	st = ensure_folder_once(c, name, shown, err, errlen);
	if (retry_once(c, st))
		st = ensure_folder_once(c, name, shown, err, errlen);
	free(name);
	return st;
}

/* ---- searching --------------------------------------------------------- */

/*
 * Open folder name: EXAMINE (read-only, for searching) or SELECT (rw, to
 * change flags), unless it is open already in a mode that will do.
 * A folder that does not exist sets *missing.
 */
static enum deliver_status
open_folder(struct imap_session *ses, const char *name, const char *folder,
    int rw, int *missing, char *err, size_t errlen)
{
	char why[ERRLEN];
	int r;

	*missing = 0;
	if (ses->selected != NULL && strcmp(ses->selected, name) == 0 &&
	    (ses->selected_rw || !rw))
		return DELIVER_OK;
	free(ses->selected);
	ses->selected = NULL;
	r = rw ? mailimap_select(ses->s, name) :
	    mailimap_examine(ses->s, name);
	if (r == MAILIMAP_NO_ERROR) {
		ses->selected = xstrdup(name);
		ses->selected_rw = rw;
		return DELIVER_OK;
	}
	if (imap_conn_lost(ses, r))
		return imap_cmd_failed(ses, r, rw ? "SELECT" : "EXAMINE", err,
		    errlen);
	/* Dovecot says "Mailbox doesn't exist" without a response code */
	snprintf(why, sizeof(why), "%s", imap_server_text(ses));
	r = folder_exists(ses, name, err, errlen);
	if (r < 0)
		return DELIVER_STORE;
	if (r == 0) {
		*missing = 1;
		return DELIVER_OK;
	}
	imap_err(ses, err, errlen, "open folder \"%s\": %s", folder, why);
	return DELIVER_FOLDER;
}

static enum deliver_status
has_msgid_once(struct imap_session *ses, const char *name,
    const char *folder, const char *msgid, int *found, char *err,
    size_t errlen)
{
	struct mailimap_search_key *key;
	enum deliver_status st;
	clist *res = NULL;
	int r, missing;

	if (imap_session_open(ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((st = open_folder(ses, name, folder, 0, &missing, err, errlen))
	    != DELIVER_OK)
		return st;
	if (missing)
		return DELIVER_OK;
	key = mailimap_search_key_new_header(xstrdup("Message-ID"),
	    xstrdup(msgid));
	r = mailimap_uid_search(ses->s, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		if (imap_conn_lost(ses, r))
			return imap_cmd_failed(ses, r, "UID SEARCH", err,
			    errlen);
		imap_err(ses, err, errlen, "search in \"%s\": %s", folder,
		    imap_server_text(ses));
		return DELIVER_FOLDER;
	}
	*found = res != NULL && clist_begin(res) != NULL;
	mailimap_search_result_free(res);
	return DELIVER_OK;
}

static enum deliver_status
imap_has_msgid(void *ctx, const char *folder, const char *msgid, int *found,
    char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st;
	const char *shown = shown_name(c, folder);
	char *name = NULL;

	*found = 0;
	if (!imap_wire_msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID for a search");
		return DELIVER_MSG;
	}
	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	st = has_msgid_once(c->ses, name, shown, msgid, found, err, errlen);
	if (retry_once(c, st))
		st = has_msgid_once(c->ses, name, shown, msgid, found, err,
		    errlen);
	free(name);
	return st;
}

/* ---- flags ------------------------------------------------------------- */

/* The system flags a client may set, both ways (\Recent is the server's). */
static const struct {
	const char	*name;
	int		 type;		/* MAILIMAP_FLAG_* */
} sys_flags[] = {
	{ "\\Seen", MAILIMAP_FLAG_SEEN },
	{ "\\Flagged", MAILIMAP_FLAG_FLAGGED },
	{ "\\Answered", MAILIMAP_FLAG_ANSWERED },
	{ "\\Draft", MAILIMAP_FLAG_DRAFT },
	{ "\\Deleted", MAILIMAP_FLAG_DELETED },
};

/* A checked flag string as libetpan's flag list; NULL when none. */
static struct mailimap_flag_list *
flag_list(const char *flags)
{
	struct mailimap_flag_list *fl;
	struct mailimap_flag *f;
	const char *p, *e;
	size_t i, n;

	if (flags == NULL || flags[0] == '\0')
		return NULL;
	fl = mailimap_flag_list_new_empty();
	for (p = flags; *p; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		f = NULL;
		for (i = 0; i < sizeof(sys_flags) / sizeof(sys_flags[0]); i++)
			if (strlen(sys_flags[i].name) == n &&
			    strncasecmp(p, sys_flags[i].name, n) == 0)
				f = mailimap_flag_new(sys_flags[i].type, NULL,
				    NULL);
		if (f == NULL)
			f = mailimap_flag_new_flag_keyword(xstrndup(p, n));
		mailimap_flag_list_add(fl, f);
	}
	return fl;
}

/* One flag of a FETCH reply as a word for append, or NULL when it is not
 * one to keep (\Deleted, or not a valid flag). */
static const char *
flag_word(const struct mailimap_flag *f)
{
	size_t i;

	if (f->fl_type == MAILIMAP_FLAG_KEYWORD)
		return imap_flags_ok(f->fl_data.fl_keyword) ?
		    f->fl_data.fl_keyword : NULL;
	if (f->fl_type == MAILIMAP_FLAG_DELETED)
		return NULL;	/* it is being removed: not carried over */
	for (i = 0; i < sizeof(sys_flags) / sizeof(sys_flags[0]); i++)
		if (sys_flags[i].type == f->fl_type)
			return sys_flags[i].name;
	return NULL;
}

/*
 * The flags of the first message in the last FETCH response, as a flag
 * string for append ("\Seen $label"); \Recent and \Deleted left out.
 */
static char *
fetched_flags(struct imap_session *ses)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	struct mailimap_msg_att *att;
	struct mailimap_msg_att_item *item;
	struct mailimap_flag_fetch *ff;
	clistiter *it, *jt;
	clist *l = ses->s->imap_response_info ?
	    ses->s->imap_response_info->rsp_fetch_list : NULL;
	const char *w;

	if (l == NULL || clist_begin(l) == NULL)
		return xstrdup("");
	att = clist_content(clist_begin(l));
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_DYNAMIC ||
		    item->att_data.att_dyn == NULL ||
		    item->att_data.att_dyn->att_list == NULL)
			continue;
		for (jt = clist_begin(item->att_data.att_dyn->att_list);
		    jt != NULL; jt = clist_next(jt)) {
			ff = clist_content(jt);
			if (ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER ||
			    ff->fl_flag == NULL ||
			    (w = flag_word(ff->fl_flag)) == NULL)
				continue;
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, w);
		}
	}
	if (b.overflow || b.data == NULL) {
		buf_free(&b);
		return xstrdup("");
	}
	return buf_steal(&b);
}

/* ---- appending --------------------------------------------------------- */

/* DELIVER_MSG with one line in err (when not NULL) for a message that
 * cannot go on the wire as it is; DELIVER_OK when it can. */
static enum deliver_status
msg_check(const struct deliver_msg *m, char *err, size_t errlen)
{
	if (m->data == NULL || m->len == 0) {
		errf(err, errlen, "imap: empty message");
		return DELIVER_MSG;
	}
	if (memchr(m->data, '\0', m->len) != NULL) {
		errf(err, errlen, "imap: message contains NUL bytes");
		return DELIVER_MSG;
	}
	if (m->flags != NULL && !imap_flags_ok(m->flags)) {
		errf(err, errlen, "imap: bad flags \"%s\" for a message",
		    m->flags);
		return DELIVER_MSG;
	}
	return DELIVER_OK;
}

/* Map a refused APPEND onto how far it reaches. */
static enum deliver_status
append_refused(struct imap_session *ses, const char *folder, char *err,
    size_t errlen)
{
	const struct mailimap_response_info *ri = ses->s->imap_response_info;
	enum deliver_status st;
	const char *what;

	st = imap_wire_refusal(imap_resp_atom(ses),
	    ri != NULL && ri->rsp_trycreate, &what);
	imap_err(ses, err, errlen, "append to \"%s\": %s%s", folder, what,
	    imap_server_text(ses));
	return st;
}

/* A lost connection in the middle of an APPEND: nothing more is known. */
static enum deliver_status
append_cut(struct imap_session *ses, const char *folder, int r, char *err,
    size_t errlen)
{
	ses->dead = 1;
	imap_err(ses, err, errlen, "append to \"%s\": %s", folder,
	    imap_conn_error_text(ses, r));
	return DELIVER_STORE;
}

/* APPEND one message with libetpan's own command (synchronizing literal). */
static enum deliver_status
append_one(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *m, char *err, size_t errlen)
{
	struct imap_session *ses = c->ses;
	struct mailimap_flag_list *fl;
	struct mailimap_date_time *dt;
	uint32_t uidvalidity = 0, uid = 0;
	struct tm tm;
	time_t t = m->date > 0 ? m->date : time(NULL);
	int r;

	fl = flag_list(m->flags ? m->flags : c->flags);
	gmtime_r(&t, &tm);
	dt = mailimap_date_time_new(tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, 0);
	if (ses->caps & IMAP_CAP_UIDPLUS)
		r = mailimap_uidplus_append(ses->s, name, fl, dt, m->data,
		    m->len, &uidvalidity, &uid);
	else
		r = mailimap_append(ses->s, name, fl, dt, m->data, m->len);
	if (fl != NULL)
		mailimap_flag_list_free(fl);
	mailimap_date_time_free(dt);
	if (r == MAILIMAP_NO_ERROR) {
		m->uid = uid;
		return DELIVER_OK;
	}
	if (imap_conn_lost(ses, r))
		return append_cut(ses, folder, r, err, errlen);
	return append_refused(ses, folder, err, errlen);
}

/* The UIDs of an APPENDUID code in the last response, into msgs[0..n). */
static void
take_appenduid(struct imap_session *ses, struct deliver_msg *msgs, size_t n)
{
	struct mailimap_uidplus_resp_code_apnd *apnd;
	struct mailimap_extension_data *ext;
	struct mailimap_set_item *item;
	clistiter *it, *jt;
	uint32_t uid;
	size_t k = 0;

	if (ses->s->imap_response_info == NULL ||
	    ses->s->imap_response_info->rsp_extension_list == NULL)
		return;
	for (it = clist_begin(ses->s->imap_response_info->rsp_extension_list);
	    it != NULL; it = clist_next(it)) {
		ext = clist_content(it);
		if (ext->ext_extension->ext_id != MAILIMAP_EXTENSION_UIDPLUS ||
		    ext->ext_type != MAILIMAP_UIDPLUS_RESP_CODE_APND)
			continue;
		apnd = ext->ext_data;
		if (apnd->uid_set == NULL)
			continue;
		/* count first: a set that does not match n is not used */
		for (jt = clist_begin(apnd->uid_set->set_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			if (item->set_last < item->set_first ||
			    item->set_last - item->set_first >= n - k)
				return;
			k += (size_t)(item->set_last - item->set_first) + 1;
		}
		if (k != n)
			return;
		k = 0;
		for (jt = clist_begin(apnd->uid_set->set_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			for (uid = item->set_first;; uid++) {
				msgs[k++].uid = uid;
				if (uid == item->set_last)
					break;
			}
		}
		return;
	}
}

/*
 * One message's part of our APPEND: " (flags)" (its own, else the
 * configured ones; nothing for none), " \"INTERNALDATE\"" and the
 * LITERAL+ announcement "{N+}\r\n"; the message itself follows.
 */
static void
append_head(struct buf *b, const struct deliver_msg *m, const char *flagstr)
{
	char date[IMAP_WIRE_DATE];
	char *own = m->flags != NULL ? imap_flags_join(m->flags) : NULL;
	const char *flags = own != NULL ? own : flagstr;

	if (flags[0] != '\0')
		buf_printf(b, " (%s)", flags);
	imap_wire_date_time(date, m->date > 0 ? m->date : time(NULL));
	buf_printf(b, " \"%s\" {%zu+}\r\n", date, m->len);
	free(own);
}

/*
 * One APPEND of msgs[0..n) with LITERAL+ literals: the whole command is
 * written without waiting for continuations (RFC 3502 MULTIAPPEND when
 * n > 1, RFC 7888 LITERAL+), then the tagged reply is read with libetpan's
 * own response parser.  MULTIAPPEND is atomic: on NO nothing was stored.
 */
static enum deliver_status
append_batch(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t n, char *err, size_t errlen)
{
	struct imap_session *ses = c->ses;
	struct mailimap_response *rp = NULL;
	struct buf b = BUF_INIT(0);
	size_t i;
	int r;

	buf_puts(&b, "APPEND ");
	imap_wire_mailbox(&b, name);
	if (mailimap_send_current_tag(ses->s) != MAILIMAP_NO_ERROR)
		goto conn;
	for (i = 0; i < n; i++) {
		append_head(&b, &msgs[i], c->flagstr);
		if (imap_write(ses, b.data, b.len) < 0 ||
		    imap_write(ses, msgs[i].data, msgs[i].len) < 0)
			goto conn;
		buf_reset(&b);
	}
	if (imap_write(ses, "\r\n", 2) < 0 ||
	    mailstream_flush(ses->s->imap_stream) < 0)
		goto conn;
	buf_free(&b);
	r = imap_read_tagged(ses, &rp);
	if (r < 0 || r == IMAP_RESP_CONTINUE)
		return append_cut(ses, folder, MAILIMAP_ERROR_STREAM, err,
		    errlen);
	if (rp != NULL)
		mailimap_response_free(rp);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return append_refused(ses, folder, err, errlen);
	take_appenduid(ses, msgs, n);
	return DELIVER_OK;
conn:
	buf_free(&b);
	return append_cut(ses, folder, MAILIMAP_ERROR_STREAM, err, errlen);
}

/* How many messages from msgs[0] go into one command (at least 1). */
static size_t
batch_size(const struct imap_session *ses, const struct deliver_msg *msgs,
    size_t n)
{
	const unsigned both = IMAP_CAP_LITERALPLUS | IMAP_CAP_MULTIAPPEND;
	size_t k, bytes = msgs[0].len;

	if ((ses->caps & both) != both)
		return 1;
	for (k = 1; k < n && k < LIM_APPEND_BATCH; k++) {
		if (bytes + msgs[k].len > LIM_APPEND_BATCH_BYTES ||
		    msg_check(&msgs[k], NULL, 0) != DELIVER_OK)
			break;
		bytes += msgs[k].len;
	}
	return k;
}

/*
 * msgs[0..k) as one command, or one by one when the server refuses the
 * batch: MULTIAPPEND is all or nothing, so store what the server takes up
 * to the culprit (a too large message, the one that went over quota).
 * *done counts what is stored.
 */
static enum deliver_status
append_some(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t k, size_t *done, char *err,
    size_t errlen)
{
	enum deliver_status st;
	size_t j;

	imap_session_begin(c->ses);
	if (!(c->ses->caps & IMAP_CAP_LITERALPLUS))
		st = append_one(c, name, folder, &msgs[0], err, errlen);
	else
		st = append_batch(c, name, folder, msgs, k, err, errlen);
	if (st == DELIVER_OK) {
		*done += k;
		return DELIVER_OK;
	}
	if (st == DELIVER_STORE || k == 1)
		return st;
	for (j = 0; j < k; j++) {
		st = append_batch(c, name, folder, msgs + j, 1, err, errlen);
		if (st != DELIVER_OK)
			return st;
		(*done)++;
	}
	return DELIVER_OK;
}

static enum deliver_status
imap_append(void *ctx, const char *folder, struct deliver_msg *msgs,
    size_t n, size_t *done, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st = DELIVER_OK;
	const char *shown = shown_name(c, folder);
	char *name = NULL;
	size_t i, k;

	*done = 0;
	if (n == 0)
		return DELIVER_OK;
	imap_session_check_idle(c->ses);
	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	for (i = 0; i < n && st == DELIVER_OK; i += k) {
		if ((st = msg_check(&msgs[i], err, errlen)) != DELIVER_OK)
			break;
		k = batch_size(c->ses, msgs + i, n - i);
		st = append_some(c, name, shown, msgs + i, k, done, err,
		    errlen);
	}
	free(name);
	return st;
}

/* ---- removing: updates = replace, keep = 30d ------------------------ */

/* The UIDs of the last SEARCH response, sorted, no repeats; NULL: none. */
static uint32_t *
search_uids(struct imap_session *ses, size_t *n)
{
	clist *l = ses->s->imap_response_info ?
	    ses->s->imap_response_info->rsp_search_result : NULL;
	clistiter *it;
	uint32_t *u;
	size_t k = 0;

	*n = 0;
	if (l == NULL || clist_count(l) == 0)
		return NULL;
	u = xcalloc((size_t)clist_count(l), sizeof(*u));
	for (it = clist_begin(l); it != NULL; it = clist_next(it))
		u[k++] = *(uint32_t *)clist_content(it);
	*n = imap_wire_uids_sort(u, k);
	return u;
}

/*
 * Mark u[0..n) \Deleted and, with UIDPLUS, UID EXPUNGE exactly those.
 * Without UIDPLUS they stay marked: a plain EXPUNGE would also remove
 * what the user marked deleted.
 */
static int
delete_uids(struct imap_session *ses, const uint32_t *u, size_t n)
{
	struct buf cmd = BUF_INIT(0);
	size_t i, k;
	int r = MAILIMAP_RESP_COND_STATE_OK;

	for (i = 0; i < n && r == MAILIMAP_RESP_COND_STATE_OK; i += k) {
		k = n - i < IMAP_UIDS_PER_COMMAND ? n - i :
		    IMAP_UIDS_PER_COMMAND;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID STORE ");
		imap_wire_uid_set(&cmd, u + i, k);
		buf_puts(&cmd, " +FLAGS.SILENT (\\Deleted)");
		r = imap_command(ses, cmd.data);
		if (r != MAILIMAP_RESP_COND_STATE_OK ||
		    !(ses->caps & IMAP_CAP_UIDPLUS))
			continue;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID EXPUNGE ");
		imap_wire_uid_set(&cmd, u + i, k);
		r = imap_command(ses, cmd.data);
	}
	buf_free(&cmd);
	return r;
}

/* One line for a refused or broken remove/expire command. */
static enum deliver_status
change_failed(struct imap_session *ses, int r, const char *what,
    const char *folder, char *err, size_t errlen)
{
	if (r < 0) {
		ses->dead = 1;
		imap_err(ses, err, errlen, "%s \"%s\": %s", what, folder,
		    imap_conn_error_text(ses, MAILIMAP_ERROR_STREAM));
		return DELIVER_STORE;
	}
	imap_err(ses, err, errlen, "%s \"%s\": %s", what, folder,
	    imap_server_text(ses));
	return DELIVER_FOLDER;
}

/*
 * Open the folder read-write and run search (a UID SEARCH): *u and *n get
 * the UIDs it found (*u NULL: none, or the folder is missing).  The
 * tagged state of the search, or -1 when the connection failed;
 * DELIVER_OK in *st unless the folder could not be opened.
 */
static int
find_uids(struct imap_session *ses, const char *name, const char *folder,
    const char *search, uint32_t **u, size_t *n, enum deliver_status *st,
    char *err, size_t errlen)
{
	int r, missing;

	*u = NULL;
	*n = 0;
	*st = open_folder(ses, name, folder, 1, &missing, err, errlen);
	if (*st != DELIVER_OK || missing)
		return MAILIMAP_RESP_COND_STATE_OK;
	if ((r = imap_command(ses, search)) == MAILIMAP_RESP_COND_STATE_OK)
		*u = search_uids(ses, n);
	return r;
}

static enum deliver_status
imap_remove_msgid(void *ctx, const char *folder, const char *msgid,
    char **flags, char *err, size_t errlen)
{
	struct imap *c = ctx;
	struct imap_session *ses = c->ses;
	struct buf cmd = BUF_INIT(0);
	const char *shown = shown_name(c, folder);
	enum deliver_status st;
	uint32_t *u = NULL;
	char *name = NULL;
	size_t n = 0;
	int r;

	*flags = NULL;
	if (!imap_wire_msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID to remove");
		return DELIVER_MSG;
	}
	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	buf_puts(&cmd, "UID SEARCH HEADER Message-ID ");
	imap_wire_quoted(&cmd, msgid);
	r = find_uids(ses, name, shown, cmd.data, &u, &n, &st, err, errlen);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	if (u == NULL)
		goto out;		/* nothing to remove */
	buf_reset(&cmd);
	buf_printf(&cmd, "UID FETCH %u (FLAGS)", u[0]);
	if ((r = imap_command(ses, cmd.data)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	*flags = fetched_flags(ses);
	if ((r = delete_uids(ses, u, n)) == MAILIMAP_RESP_COND_STATE_OK)
		goto out;
	free(*flags);
	*flags = NULL;
failed:
	st = change_failed(ses, r, "remove an old version from", shown, err,
	    errlen);
out:
	buf_free(&cmd);
	free(u);
	free(name);
	return st;
}

static enum deliver_status
imap_expire(void *ctx, const char *folder, time_t before, size_t *nout,
    char *err, size_t errlen)
{
	struct imap *c = ctx;
	struct imap_session *ses = c->ses;
	const char *shown = shown_name(c, folder);
	enum deliver_status st;
	char cmd[128], date[IMAP_WIRE_DATE], *name = NULL;
	uint32_t *u = NULL;
	size_t n = 0;
	int r;

	*nout = 0;
	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	/* BEFORE compares INTERNALDATE by whole days: mail of the cut-off
	 * day itself is kept, never one message too many removed */
	imap_wire_date(date, before);
	snprintf(cmd, sizeof(cmd), "UID SEARCH SEEN UNFLAGGED UNDELETED "
	    "BEFORE %s", date);
	r = find_uids(ses, name, shown, cmd, &u, &n, &st, err, errlen);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		st = change_failed(ses, r, "expire", shown, err, errlen);
	else if (u != NULL &&
	    (r = delete_uids(ses, u, n)) != MAILIMAP_RESP_COND_STATE_OK)
		st = change_failed(ses, r, "expire", shown, err, errlen);
	else if (u != NULL)
		*nout = n;
	free(u);
	free(name);
	return st;
}

/* ---- open / close ------------------------------------------------------ */

static void
imap_close(void *ctx)
{
	struct imap *c = ctx;
	size_t i;

	if (c == NULL)
		return;
	imap_session_free(c->ses);
	imap_conf_free(&c->conf);
	free(c->flags);
	free(c->flagstr);
	for (i = 0; i < c->nknown; i++)
		free(c->known[i]);
	free(c->known);
	free(c);
}

static enum deliver_status
imap_open(void **ctxp, const struct deliver_cfg *cfg, char *err,
    size_t errlen)
{
	struct imap *c;

	*ctxp = NULL;
	c = xcalloc(1, sizeof(*c));
	if (imap_conf_init(&c->conf, cfg, err, errlen) < 0) {
		free(c);
		return DELIVER_STORE;
	}
	c->ses = imap_session_new(&c->conf);
	c->flags = xstrdup(cfg->flags);
	if (!imap_flags_ok(c->flags)) {
		imap_err(c->ses, err, errlen, "bad flags \"%s\"", c->flags);
		imap_close(c);
		return DELIVER_STORE;
	}
	c->flagstr = imap_flags_join(c->flags);
	if (imap_session_open(c->ses, err, errlen) < 0) {
		imap_close(c);
		return DELIVER_STORE;
	}
	*ctxp = c;
	return DELIVER_OK;
}

const struct deliver_ops deliver_imap = {
	.name = "imap",
	.open = imap_open,
	.ensure_folder = imap_ensure_folder,
	.has_msgid = imap_has_msgid,
	.append = imap_append,
	.close = imap_close,
	.remove_msgid = imap_remove_msgid,
	.expire = imap_expire,
};
