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
#include "limits.h"
#include "util.h"

#define IMAP_MAX_FOLDERS	4096	/* folders remembered as existing */

/* The backend's handle: one session and what the operations remember. */
struct imap {
	struct imap_conf	 conf;
	struct imap_session	*ses;
	char			*flags;		/* cfg->flags, checked */
	char			*flagstr;	/* ... joined, "" = none */
	char			**known;	/* server names that exist */
	size_t			 nknown;
};

/* ---- folders ----------------------------------------------------------- */

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

	if (folder == NULL || *folder == '\0')
		folder = c->conf.url.mailbox[0] ? c->conf.url.mailbox : "INBOX";
	if (imap_name_wire(&b, folder, c->ses->prefix, c->ses->delim, why,
	    sizeof(why)) < 0) {
		imap_err(c->ses, err, errlen, "%s", why);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

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
folder_exists(struct imap *c, const char *name, char *err, size_t errlen)
{
	struct mailimap_mailbox_list *mb;
	clistiter *it;
	clist *list = NULL;
	int r, found = 0;

	r = mailimap_list(c->ses->s, "", name, &list);
	if (r != MAILIMAP_NO_ERROR) {
		if (imap_conn_lost(c->ses, r)) {
			(void)imap_cmd_failed(c->ses, r, "LIST", err, errlen);
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
	int r;

	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if (is_known(c, name))
		return DELIVER_OK;
	if ((r = folder_exists(c, name, err, errlen)) < 0)
		return DELIVER_STORE;
	if (r == 0) {
		r = mailimap_create(c->ses->s, name);
		if (r != MAILIMAP_NO_ERROR && imap_conn_lost(c->ses, r))
			return imap_cmd_failed(c->ses, r, "CREATE", err,
			    errlen);
		/* a racing creator is fine: [ALREADYEXISTS] */
		if (r != MAILIMAP_NO_ERROR &&
		    strcasecmp(imap_resp_atom(c->ses), "ALREADYEXISTS") != 0) {
			imap_err(c->ses, err, errlen, "create folder \"%s\": "
			    "%s", folder, imap_server_text(c->ses));
			return DELIVER_FOLDER;
		}
		r = mailimap_subscribe(c->ses->s, name);
		if (r != MAILIMAP_NO_ERROR && imap_conn_lost(c->ses, r))
			return imap_cmd_failed(c->ses, r, "SUBSCRIBE", err,
			    errlen);
		/* a refused SUBSCRIBE leaves a usable folder */
	}
	add_known(c, name);
	return DELIVER_OK;
}

static enum deliver_status
imap_ensure_folder(void *ctx, const char *folder, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st;
	char *name;

	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	st = ensure_folder_once(c, name, folder, err, errlen);
	if (st == DELIVER_STORE && c->ses->dead && !c->ses->authfail)
		st = ensure_folder_once(c, name, folder, err, errlen);
	free(name);
	return st;
}

/* ---- searching --------------------------------------------------------- */

static int
msgid_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	size_t i;

	if (n < 3 || n > 998)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Open folder name: EXAMINE (read-only, for searching) or SELECT (rw, to
 * change flags), unless it is open already in a mode that will do.
 * A folder that does not exist sets *missing.
 */
static enum deliver_status
open_folder(struct imap *c, const char *name, const char *folder, int rw,
    int *missing, char *err, size_t errlen)
{
	char why[ERRLEN];
	int r;

	*missing = 0;
	if (c->ses->selected != NULL && strcmp(c->ses->selected, name) == 0 &&
	    (c->ses->selected_rw || !rw))
		return DELIVER_OK;
	free(c->ses->selected);
	c->ses->selected = NULL;
	r = rw ? mailimap_select(c->ses->s, name) :
	    mailimap_examine(c->ses->s, name);
	if (r == MAILIMAP_NO_ERROR) {
		c->ses->selected = xstrdup(name);
		c->ses->selected_rw = rw;
		return DELIVER_OK;
	}
	if (imap_conn_lost(c->ses, r))
		return imap_cmd_failed(c->ses, r, rw ? "SELECT" : "EXAMINE",
		    err, errlen);
	/* Dovecot says "Mailbox doesn't exist" without a response code */
	snprintf(why, sizeof(why), "%s", imap_server_text(c->ses));
	r = folder_exists(c, name, err, errlen);
	if (r < 0)
		return DELIVER_STORE;
	if (r == 0) {
		*missing = 1;
		return DELIVER_OK;
	}
	imap_err(c->ses, err, errlen, "open folder \"%s\": %s", folder, why);
	return DELIVER_FOLDER;
}

static enum deliver_status
has_msgid_once(struct imap *c, const char *name, const char *folder,
    const char *msgid, int *found, char *err, size_t errlen)
{
	struct mailimap_search_key *key;
	enum deliver_status st;
	clist *res = NULL;
	int r, missing;

	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((st = open_folder(c, name, folder, 0, &missing, err, errlen))
	    != DELIVER_OK)
		return st;
	if (missing)
		return DELIVER_OK;
	key = mailimap_search_key_new_header(xstrdup("Message-ID"),
	    xstrdup(msgid));
	r = mailimap_uid_search(c->ses->s, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		if (imap_conn_lost(c->ses, r))
			return imap_cmd_failed(c->ses, r, "UID SEARCH", err,
			    errlen);
		imap_err(c->ses, err, errlen, "search in \"%s\": %s", folder,
		    imap_server_text(c->ses));
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
	char *name;

	*found = 0;
	if (!msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID for a search");
		return DELIVER_MSG;
	}
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	st = has_msgid_once(c, name, folder, msgid, found, err, errlen);
	if (st == DELIVER_STORE && c->ses->dead && !c->ses->authfail)
		st = has_msgid_once(c, name, folder, msgid, found, err, errlen);
	free(name);
	return st;
}

/* ---- appending --------------------------------------------------------- */

/* The configured flags as an IMAP flag list; NULL when none. */
static struct mailimap_flag_list *
flag_list(const char *flags)
{
	struct mailimap_flag_list *fl;
	struct mailimap_flag *f;
	const char *p, *e;
	char *w;

	if (flags == NULL || flags[0] == '\0')
		return NULL;
	fl = mailimap_flag_list_new_empty();
	for (p = flags; *p; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		w = xstrndup(p, (size_t)(e - p));
		if (strcasecmp(w, "\\Seen") == 0)
			f = mailimap_flag_new_seen();
		else if (strcasecmp(w, "\\Flagged") == 0)
			f = mailimap_flag_new_flagged();
		else if (strcasecmp(w, "\\Answered") == 0)
			f = mailimap_flag_new_answered();
		else if (strcasecmp(w, "\\Draft") == 0)
			f = mailimap_flag_new_draft();
		else if (strcasecmp(w, "\\Deleted") == 0)
			f = mailimap_flag_new_deleted();
		else {
			f = mailimap_flag_new_flag_keyword(w);
			w = NULL;
		}
		free(w);
		mailimap_flag_list_add(fl, f);
	}
	return fl;
}

static struct mailimap_date_time *
date_time(time_t t)
{
	struct tm tm;

	if (t <= 0)
		t = time(NULL);
	gmtime_r(&t, &tm);
	return mailimap_date_time_new(tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, 0);
}

static enum deliver_status
msg_check(const struct imap *c, const struct deliver_msg *m, char *err,
    size_t errlen)
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
append_refused(struct imap *c, const char *folder, char *err, size_t errlen)
{
	const char *a = imap_resp_atom(c->ses);

	if ((c->ses->s->imap_response_info &&
	    c->ses->s->imap_response_info->rsp_trycreate) ||
	    strcasecmp(a, "NONEXISTENT") == 0) {
		imap_err(c->ses, err, errlen, "append to \"%s\": folder missing: %s",
		    folder, imap_server_text(c->ses));
		return DELIVER_FOLDER;
	}
	/* quotas may be per folder (Dovecot quota_rule = Box:...): other
	 * folders may still have room, and each reports its own refusal */
	if (strcasecmp(a, "OVERQUOTA") == 0) {
		imap_err(c->ses, err, errlen, "append to \"%s\": over quota: %s",
		    folder, imap_server_text(c->ses));
		return DELIVER_FOLDER;
	}
	if (strcasecmp(a, "NOPERM") == 0) {
		imap_err(c->ses, err, errlen, "append to \"%s\": %s", folder,
		    imap_server_text(c->ses));
		return DELIVER_FOLDER;
	}
	imap_err(c->ses, err, errlen, "append to \"%s\": message refused: %s", folder,
	    imap_server_text(c->ses));
	return DELIVER_MSG;
}

/* APPEND one message with libetpan's own command (synchronizing literal). */
static enum deliver_status
append_one(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *m, char *err, size_t errlen)
{
	struct mailimap_flag_list *fl;
	struct mailimap_date_time *dt;
	uint32_t uidvalidity = 0, uid = 0;
	int r;

	fl = flag_list(m->flags ? m->flags : c->flags);
	dt = date_time(m->date);
	if (c->ses->caps & IMAP_CAP_UIDPLUS)
		r = mailimap_uidplus_append(c->ses->s, name, fl, dt, m->data,
		    m->len, &uidvalidity, &uid);
	else
		r = mailimap_append(c->ses->s, name, fl, dt, m->data, m->len);
	if (fl != NULL)
		mailimap_flag_list_free(fl);
	mailimap_date_time_free(dt);
	if (r == MAILIMAP_NO_ERROR) {
		m->uid = uid;
		return DELIVER_OK;
	}
	if (imap_conn_lost(c->ses, r)) {
		c->ses->dead = 1;
		imap_err(c->ses, err, errlen, "append to \"%s\": %s", folder,
		    imap_conn_error_text(c->ses, r));
		return DELIVER_STORE;
	}
	return append_refused(c, folder, err, errlen);
}

/*
 * The mailbox argument of our own APPEND: a quoted string when it is
 * printable ASCII (it always is after modified UTF-7, unless a namespace
 * prefix is odd), else a non-synchronizing literal.
 */
static int
write_mailbox(struct imap *c, const char *name)
{
	struct buf b = BUF_INIT(0);
	const char *p;
	int rc, plain = 1;

	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			plain = 0;
	if (plain) {
		buf_putc(&b, '"');
		for (p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '"');
	} else {
		buf_printf(&b, "{%zu+}\r\n%s", strlen(name), name);
	}
	rc = imap_write(c->ses, b.data, b.len);
	buf_free(&b);
	return rc;
}

/* " (a b)" for a checked flag string; nothing for an empty one. */
static int
write_flags(struct imap *c, const char *flags)
{
	char *j = imap_flags_join(flags);
	int rc = 0;

	if (j[0] != '\0' && (imap_write(c->ses, " (", 2) < 0 ||
	    imap_write(c->ses, j, strlen(j)) < 0 || imap_write(c->ses, ")", 1) < 0))
		rc = -1;
	free(j);
	return rc;
}

/* The UIDs of an APPENDUID code in the last response, into msgs[0..n). */
static void
take_appenduid(struct imap *c, struct deliver_msg *msgs, size_t n)
{
	struct mailimap_uidplus_resp_code_apnd *apnd;
	struct mailimap_extension_data *ext;
	struct mailimap_set_item *item;
	clistiter *it, *jt;
	uint32_t uid;
	size_t k = 0;

	if (c->ses->s->imap_response_info == NULL ||
	    c->ses->s->imap_response_info->rsp_extension_list == NULL)
		return;
	for (it = clist_begin(c->ses->s->imap_response_info->rsp_extension_list);
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
 * One APPEND of msgs[0..n) with LITERAL+ literals: the whole command is
 * written without waiting for continuations (RFC 3502 MULTIAPPEND when
 * n > 1, RFC 7888 LITERAL+), then the tagged reply is read with libetpan's
 * own response parser.  MULTIAPPEND is atomic: on NO nothing was stored.
 */
static enum deliver_status
append_batch(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t n, char *err, size_t errlen)
{
	struct mailimap_response *rp = NULL;
	char head[128];
	struct tm tm;
	time_t t;
	size_t i;
	int r, w;

	if (mailimap_send_current_tag(c->ses->s) != MAILIMAP_NO_ERROR ||
	    imap_write(c->ses, "APPEND ", 7) < 0 || write_mailbox(c, name) < 0)
		goto conn;
	for (i = 0; i < n; i++) {
		static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr",
		    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

		t = msgs[i].date > 0 ? msgs[i].date : time(NULL);
		gmtime_r(&t, &tm);
		if (msgs[i].flags != NULL) {
			if (write_flags(c, msgs[i].flags) < 0)
				goto conn;
		} else if (c->flagstr[0] != '\0' &&
		    (imap_write(c->ses, " (", 2) < 0 ||
		    imap_write(c->ses, c->flagstr, strlen(c->flagstr)) < 0 ||
		    imap_write(c->ses, ")", 1) < 0))
			goto conn;
		w = snprintf(head, sizeof(head),
		    " \"%02d-%s-%04d %02d:%02d:%02d +0000\" {%zu+}\r\n",
		    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, msgs[i].len);
		if (w < 0 || (size_t)w >= sizeof(head) ||
		    imap_write(c->ses, head, (size_t)w) < 0 ||
		    imap_write(c->ses, msgs[i].data, msgs[i].len) < 0)
			goto conn;
	}
	if (imap_write(c->ses, "\r\n", 2) < 0 ||
	    mailstream_flush(c->ses->s->imap_stream) < 0)
		goto conn;
	r = imap_read_tagged(c->ses, &rp);
	if (r < 0 || r == IMAP_RESP_CONTINUE)
		goto conn;
	if (rp != NULL)
		mailimap_response_free(rp);
	if (r != MAILIMAP_RESP_COND_STATE_OK)
		return append_refused(c, folder, err, errlen);
	take_appenduid(c, msgs, n);
	return DELIVER_OK;
conn:
	c->ses->dead = 1;
	imap_err(c->ses, err, errlen, "append to \"%s\": %s", folder,
	    imap_conn_error_text(c->ses, MAILIMAP_ERROR_STREAM));
	return DELIVER_STORE;
}

/* How many messages from msgs[0] go into one command (at least 1). */
static size_t
batch_size(const struct imap *c, const struct deliver_msg *msgs, size_t n)
{
	size_t k, bytes = msgs[0].len;

	if (!(c->ses->caps & IMAP_CAP_LITERALPLUS) || !(c->ses->caps & IMAP_CAP_MULTIAPPEND))
		return 1;
	for (k = 1; k < n && k < LIM_APPEND_BATCH; k++) {
		if (bytes + msgs[k].len > LIM_APPEND_BATCH_BYTES ||
		    msgs[k].len == 0 || memchr(msgs[k].data, '\0',
		    msgs[k].len) != NULL ||
		    (msgs[k].flags != NULL && !imap_flags_ok(msgs[k].flags)))
			break;
		bytes += msgs[k].len;
	}
	return k;
}

static enum deliver_status
imap_append(void *ctx, const char *folder, struct deliver_msg *msgs,
    size_t n, size_t *done, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st = DELIVER_OK;
	char *name;
	size_t i, j, k;

	*done = 0;
	if (n == 0)
		return DELIVER_OK;
	imap_session_check_idle(c->ses);
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->conf.url.mailbox[0] ? c->conf.url.mailbox : "INBOX";
	for (i = 0; i < n; i += k) {
		if ((st = msg_check(c, &msgs[i], err, errlen)) != DELIVER_OK)
			break;
		k = batch_size(c, msgs + i, n - i);
		imap_session_begin(c->ses);
		if (c->ses->caps & IMAP_CAP_LITERALPLUS)
			st = append_batch(c, name, folder, msgs + i, k, err,
			    errlen);
		else
			st = append_one(c, name, folder, &msgs[i], err, errlen);
		if (st != DELIVER_OK && st != DELIVER_STORE && k > 1) {
			/* MULTIAPPEND is all or nothing: one by one, store
			 * what the server takes up to the culprit (a too large
			 * message, the message that went over quota) */
			for (j = 0; j < k; j++) {
				st = append_batch(c, name, folder, msgs + i + j,
				    1, err, errlen);
				if (st != DELIVER_OK)
					break;
				(*done)++;
			}
			if (st != DELIVER_OK)
				break;
			continue;
		}
		if (st != DELIVER_OK)
			break;
		*done += k;
	}
	free(name);
	return st;
}

/* ---- removing: updates = replace, keep = 30d ------------------------ */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs of the last SEARCH response, sorted, no duplicates. */
static uint32_t *
search_uids(struct imap *c, size_t *n)
{
	clist *l = c->ses->s->imap_response_info ?
	    c->ses->s->imap_response_info->rsp_search_result : NULL;
	clistiter *it;
	uint32_t *u;
	size_t k = 0, i, j;

	*n = 0;
	if (l == NULL || clist_count(l) == 0)
		return NULL;
	u = xcalloc((size_t)clist_count(l), sizeof(*u));
	for (it = clist_begin(l); it != NULL; it = clist_next(it))
		u[k++] = *(uint32_t *)clist_content(it);
	qsort(u, k, sizeof(*u), cmp_u32);
	for (i = j = 0; i < k; i++)
		if (j == 0 || u[i] != u[j - 1])
			u[j++] = u[i];
	*n = j;
	return u;
}

/* "1:3,7" for the sorted u[0..n) into b. */
static void
uid_set(struct buf *b, const uint32_t *u, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && u[j] == u[j - 1] + 1; j++)
			;
		if (i > 0)
			buf_putc(b, ',');
		if (j - i > 1)
			buf_printf(b, "%u:%u", u[i], u[j - 1]);
		else
			buf_printf(b, "%u", u[i]);
	}
}

/*
 * Mark u[0..n) \Deleted and, with UIDPLUS, UID EXPUNGE exactly those.
 * Without UIDPLUS they stay marked: a plain EXPUNGE would also remove
 * what the user marked deleted.
 */
#define IMAP_UIDS_PER_COMMAND	500
static int
delete_uids(struct imap *c, const uint32_t *u, size_t n)
{
	struct buf cmd = BUF_INIT(0);
	size_t i, k;
	int r = MAILIMAP_RESP_COND_STATE_OK;

	for (i = 0; i < n && r == MAILIMAP_RESP_COND_STATE_OK; i += k) {
		k = n - i < IMAP_UIDS_PER_COMMAND ? n - i :
		    IMAP_UIDS_PER_COMMAND;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID STORE ");
		uid_set(&cmd, u + i, k);
		buf_puts(&cmd, " +FLAGS.SILENT (\\Deleted)");
		r = imap_command(c->ses, cmd.data);
		if (r != MAILIMAP_RESP_COND_STATE_OK ||
		    !(c->ses->caps & IMAP_CAP_UIDPLUS))
			continue;
		buf_reset(&cmd);
		buf_puts(&cmd, "UID EXPUNGE ");
		uid_set(&cmd, u + i, k);
		r = imap_command(c->ses, cmd.data);
	}
	buf_free(&cmd);
	return r;
}

/*
 * The flags of the first message in the last FETCH response, as a flag
 * string for append ("\Seen $label"); \Recent and \Deleted left out.
 */
static char *
fetched_flags(struct imap *c)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	struct mailimap_msg_att *att;
	struct mailimap_msg_att_item *item;
	struct mailimap_flag_fetch *ff;
	clistiter *it, *jt;
	clist *l = c->ses->s->imap_response_info ?
	    c->ses->s->imap_response_info->rsp_fetch_list : NULL;
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
			    ff->fl_flag == NULL)
				continue;
			switch (ff->fl_flag->fl_type) {
			case MAILIMAP_FLAG_ANSWERED:
				w = "\\Answered";
				break;
			case MAILIMAP_FLAG_FLAGGED:
				w = "\\Flagged";
				break;
			case MAILIMAP_FLAG_SEEN:
				w = "\\Seen";
				break;
			case MAILIMAP_FLAG_DRAFT:
				w = "\\Draft";
				break;
			case MAILIMAP_FLAG_KEYWORD:
				w = ff->fl_flag->fl_data.fl_keyword;
				break;
			default:
				w = NULL;
				break;
			}
			if (w == NULL || !imap_flags_ok(w))
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

/* One line for a refused or broken remove/expire command. */
static enum deliver_status
change_failed(struct imap *c, int r, const char *what, const char *folder,
    char *err, size_t errlen)
{
	if (r < 0) {
		c->ses->dead = 1;
		imap_err(c->ses, err, errlen, "%s \"%s\": %s", what, folder,
		    imap_conn_error_text(c->ses, MAILIMAP_ERROR_STREAM));
		return DELIVER_STORE;
	}
	imap_err(c->ses, err, errlen, "%s \"%s\": %s", what, folder, imap_server_text(c->ses));
	return DELIVER_FOLDER;
}

static enum deliver_status
imap_remove_msgid(void *ctx, const char *folder, const char *msgid,
    char **flags, char *err, size_t errlen)
{
	struct imap *c = ctx;
	struct buf cmd = BUF_INIT(0);
	enum deliver_status st;
	uint32_t *u = NULL;
	char *name = NULL;
	const char *p;
	size_t n = 0;
	int r, missing;

	*flags = NULL;
	if (!msgid_ok(msgid)) {
		errf(err, errlen, "imap: bad Message-ID to remove");
		return DELIVER_MSG;
	}
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->conf.url.mailbox[0] ? c->conf.url.mailbox : "INBOX";
	st = open_folder(c, name, folder, 1, &missing, err, errlen);
	if (st != DELIVER_OK || missing)
		goto out;
	buf_puts(&cmd, "UID SEARCH HEADER Message-ID \"");
	for (p = msgid; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&cmd, '\\');
		buf_putc(&cmd, *p);
	}
	buf_putc(&cmd, '"');
	if ((r = imap_command(c->ses, cmd.data)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	if ((u = search_uids(c, &n)) == NULL)
		goto out;		/* nothing to remove */
	buf_reset(&cmd);
	buf_printf(&cmd, "UID FETCH %u (FLAGS)", u[0]);
	if ((r = imap_command(c->ses, cmd.data)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	*flags = fetched_flags(c);
	if ((r = delete_uids(c, u, n)) == MAILIMAP_RESP_COND_STATE_OK)
		goto out;
	free(*flags);
	*flags = NULL;
failed:
	st = change_failed(c, r, "remove an old version from", folder, err,
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
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct imap *c = ctx;
	enum deliver_status st;
	char cmd[128], *name;
	uint32_t *u = NULL;
	struct tm tm;
	size_t n = 0;
	int r, missing;

	*nout = 0;
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((name = server_name(c, folder, err, errlen)) == NULL)
		return DELIVER_FOLDER;
	if (folder == NULL || *folder == '\0')
		folder = c->conf.url.mailbox[0] ? c->conf.url.mailbox : "INBOX";
	st = open_folder(c, name, folder, 1, &missing, err, errlen);
	if (st != DELIVER_OK || missing)
		goto out;
	/* BEFORE compares INTERNALDATE by whole days: mail of the cut-off
	 * day itself is kept, never one message too many removed */
	gmtime_r(&before, &tm);
	snprintf(cmd, sizeof(cmd), "UID SEARCH SEEN UNFLAGGED UNDELETED "
	    "BEFORE %d-%s-%04d", tm.tm_mday, mon[tm.tm_mon],
	    tm.tm_year + 1900);
	if ((r = imap_command(c->ses, cmd)) != MAILIMAP_RESP_COND_STATE_OK)
		goto failed;
	if ((u = search_uids(c, &n)) == NULL)
		goto out;
	if ((r = delete_uids(c, u, n)) == MAILIMAP_RESP_COND_STATE_OK) {
		*nout = n;
		goto out;
	}
failed:
	st = change_failed(c, r, "expire", folder, err, errlen);
out:
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
