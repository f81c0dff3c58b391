/*
 * imap.c - the IMAP delivery backend (struct deliver_ops deliver_imap):
 * folders, searches, APPEND (MULTIAPPEND + LITERAL+ where offered, else
 * pipelined APPENDs),
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
 *              modified UTF-7, a delimiter inside a level becomes '_'
 *              (imap_name.h).  Empty, "." and ".." parts or invalid UTF-8:
 *              DELIVER_FOLDER.
 *   ensure_folder  LIST, then CREATE + SUBSCRIBE when missing; remembered
 *              for the session, so calling it before every append is cheap.
 *   has_msgid  a missing folder holds nothing (*found = 0, DELIVER_OK).
 *   append     does not create folders (call ensure_folder first: a missing
 *              folder is DELIVER_FOLDER).  Where the server offers
 *              MULTIAPPEND and LITERAL+: batches of LIM_APPEND_BATCH /
 *              LIM_APPEND_BATCH_BYTES per command (a batch refused as a
 *              whole is retried one by one).  Elsewhere the pipeline: one
 *              APPEND per message, sent without waiting for the replies
 *              before it (IMAP_PIPE_MSGS / IMAP_PIPE_BYTES in flight);
 *              "{N+}" literals with LITERAL+, and with LITERAL- for N <=
 *              4096; else "{N}", the next command right after the
 *              literal, so one round trip per message.  Each tagged reply
 *              is matched to its message; a message is stored only on its
 *              own OK (msgs[i].stored).  *done counts the stored ones from
 *              the first.
 *              Refusals: too large / bad message / a tagged BAD (also one
 *              before the "+") -> DELIVER_MSG with the server's words for
 *              msgs[*done] (later ones may be stored already: ->stored;
 *              ->too_big and ->refused = DELIVER_REFUSED_TOOBIG when
 *              over APPENDLIMIT, [TOOBIG] or a size refusal, ->size_limit
 *              = APPENDLIMIT or 0); missing folder, no permission, over
 *              quota -> DELIVER_FOLDER; connection lost, timeout, a
 *              flooding or trickling server -> DELIVER_STORE (msgs[*done]
 *              may or may not be stored).
 *              Throttling ([THROTTLED], [UNAVAILABLE], [INUSE], a
 *              bandwidth [OVERQUOTA] or [LIMIT], Outlook's "Suggested
 *              Backoff Time", a BYE in mid-batch): wait what the server
 *              suggests (1 s when it says nothing) when that fits in what
 *              is left of cfg->deadline (IMAP_BACKOFF_MAX without one),
 *              reconnect, look for every unconfirmed message already sent
 *              by its Message-ID (a refusal or a cut does not prove it
 *              absent), resume with the rest; after IMAP_THROTTLE_TRIES,
 *              or at once when the pause asked for does not fit:
 *              DELIVER_STORE with "mailbox throttled: ..." saying how
 *              long, and the rest stays pending for the next run.
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
 *   size_limit the server's APPENDLIMIT (RFC 7889) after login, 0 when
 *              it names none; a per-folder limit is not asked for (its
 *              refusal is a size refusal like any other).
 *   msgs[i].flags  checked like cfg->flags; bad ones are DELIVER_MSG.
 *   after a drop  the next call reconnects (IMAP_CONNECT_TRIES attempts,
 *              1 s and 2 s apart); ensure_folder and has_msgid also retry
 *              once inside the call.  append never resends after a plain
 *              cut: whether the cut batch landed is for the journal to
 *              find out (after a throttle it searches first).  A refused
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
	char			**alias;	/* folder, server name: pairs
						   created dotless */
	size_t			 nalias;
	time_t			 deadline;	/* 0 none */
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
	const char *shown = shown_name(c, folder);
	char why[ERRLEN];
	size_t i;

	for (i = 0; i < c->nalias; i++)
		if (strcmp(c->alias[2 * i], shown) == 0)
			return xstrdup(c->alias[2 * i + 1]);
	if (imap_name_wire(&b, shown, c->ses->prefix,
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

/*
 * A server that refused to create a name with a '.' in a level (Dovecot
 * on Maildir++ storage, whatever its separator) gets it with '_' for each
 * such '.' (imap_name_wire_dotless), remembered for the handle's life so
 * that every operation on the folder uses that name.  DELIVER_FOLDER with
 * the first refusal's text when there is no such '.', or that fails too.
 */
static enum deliver_status
ensure_dotless(struct imap *c, const char *shown, const char *name,
    char *err, size_t errlen)
{
	struct buf b = BUF_INIT(LIM_ONELINE);
	enum deliver_status st = DELIVER_FOLDER;
	char why[ERRLEN];

	if (imap_name_wire_dotless(&b, shown, c->ses->prefix, c->ses->delim,
	    why, sizeof(why)) < 0 || b.data == NULL ||
	    strcmp(b.data, name) == 0)
		goto out;
	if (ensure_folder_once(c, b.data, shown, why, sizeof(why)) !=
	    DELIVER_OK)
		goto out;
	c->alias = xrealloc(c->alias, (c->nalias + 1) * 2 *
	    sizeof(*c->alias));
	c->alias[2 * c->nalias] = xstrdup(shown);
	c->alias[2 * c->nalias + 1] = xstrdup(b.data);
	c->nalias++;
	st = DELIVER_OK;
out:
	buf_free(&b);
	return st;
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
	if (st == DELIVER_FOLDER)
		st = ensure_dotless(c, shown, name, err, errlen);
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

static uint32_t *search_uids(struct imap_session *, size_t *);

/*
 * A message marked \Deleted does not count as found: it is on its way
 * out (append_reorder expunges in two commands, and a client killed
 * between them leaves the message so marked).
 */
static enum deliver_status
has_msgid_once(struct imap_session *ses, const char *name,
    const char *folder, const char *msgid, int *found, char *err,
    size_t errlen)
{
	struct buf cmd = BUF_INIT(0);
	enum deliver_status st;
	uint32_t *u;
	size_t n;
	int r, missing;

	if (imap_session_open(ses, err, errlen) < 0)
		return DELIVER_STORE;
	if ((st = open_folder(ses, name, folder, 0, &missing, err, errlen))
	    != DELIVER_OK)
		return st;
	if (missing)
		return DELIVER_OK;
	buf_puts(&cmd, "UID SEARCH UNDELETED HEADER Message-ID ");
	imap_wire_quoted(&cmd, msgid);
	r = imap_command(ses, cmd.data);
	buf_free(&cmd);
	if (r < 0) {
		ses->dead = 1;
		imap_err(ses, err, errlen, "search in \"%s\": %s", folder,
		    imap_conn_error_text(ses, MAILIMAP_ERROR_STREAM));
		return DELIVER_STORE;
	}
	if (r != MAILIMAP_RESP_COND_STATE_OK) {
		imap_err(ses, err, errlen, "search in \"%s\": %s", folder,
		    imap_server_text(ses));
		return DELIVER_FOLDER;
	}
	u = search_uids(ses, &n);
	*found = n > 0;
	free(u);
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

/*
 * Internal to this file: the server asked us to slow down (a throttle
 * reply, or a BYE in the middle of a batch).  imap_append backs off,
 * reconnects and resumes; it never reaches the caller.
 */
#define APPEND_THROTTLED	((enum deliver_status)-100)

/* The pipeline's window: commands and literal bytes sent but not yet
 * answered.  64 messages cover a 100 ms round trip at 640 msg/s; the
 * replies to them (~60 bytes each) never fill a socket buffer while we
 * write. */
#define IMAP_PIPE_MSGS		64
#define IMAP_PIPE_BYTES		((size_t)4 << 20)

/* Throttle recoveries inside one append call, and the longest back-off
 * we wait for when the pass has no deadline (seconds; with one, what is
 * left of it).  A longer suggestion ends the pass for this mailbox at
 * once: the rest stays pending for the next run. */
#define IMAP_THROTTLE_TRIES	3
#define IMAP_BACKOFF_MAX	30
/* After a BYE or a cut, the server's side of the dying session may still
 * be finishing what it read: wait this long before searching for it. */
#define IMAP_SETTLE_MS		1000

/* DELIVER_MSG with one line in err (when not NULL) for a message that
 * cannot go on the wire as it is; DELIVER_OK when it can. */
static enum deliver_status
msg_check(const struct imap_session *ses, struct deliver_msg *m, char *err,
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
	if (ses->appendlimit > 0 && m->len > ses->appendlimit) {
		if (err != NULL)
			m->too_big = 1;
		errf(err, errlen, "imap: message of %zu bytes is over the "
		    "server's APPENDLIMIT of %zu", m->len, ses->appendlimit);
		return DELIVER_MSG;
	}
	return DELIVER_OK;
}

/*
 * Map a refused APPEND onto how far it reaches: APPEND_THROTTLED (with
 * *wait_ms) when the server asks us to slow down, else imap_wire_refusal's
 * reach; m->too_big when the refusal is about its size (m may be NULL: a
 * MULTIAPPEND batch).
 */
static enum deliver_status
append_refused(struct imap_session *ses, const char *folder,
    struct deliver_msg *m, long *wait_ms, char *err, size_t errlen)
{
	const struct mailimap_response_info *ri = ses->s->imap_response_info;
	enum deliver_status st;
	const char *what, *atom = imap_resp_atom(ses);
	const char *text = imap_server_text(ses);

	if (imap_wire_throttled(atom, text, wait_ms)) {
		imap_err(ses, err, errlen, "mailbox throttled: %s", text);
		return APPEND_THROTTLED;
	}
	st = imap_wire_refusal(atom, ri != NULL && ri->rsp_trycreate, &what);
	if (st == DELIVER_MSG && m != NULL && imap_wire_too_big(atom, text))
		m->too_big = 1;
	imap_err(ses, err, errlen, "append to \"%s\": %s%s", folder, what,
	    text);
	return st;
}

/*
 * A lost connection in the middle of an APPEND: nothing more is known.
 * A BYE that came first is the server sending us away (Yahoo's
 * [UNAVAILABLE], a provider shedding load): APPEND_THROTTLED.
 */
static enum deliver_status
append_cut(struct imap_session *ses, const char *folder, int r, char *err,
    size_t errlen)
{
	const MMAPString *b = ses->s != NULL ? ses->s->imap_stream_buffer :
	    NULL;
	const char *bye = NULL;
	size_t n = 0;

	ses->dead = 1;
	if (b != NULL && b->str != NULL)
		bye = imap_wire_bye(b->str, b->len, &n);
	if (bye != NULL) {
		imap_err(ses, err, errlen, "mailbox throttled: the server "
		    "closed the session: %.*s", (int)(n > 200 ? 200 : n), bye);
		return APPEND_THROTTLED;
	}
	imap_err(ses, err, errlen, "append to \"%s\": %s", folder,
	    imap_conn_error_text(ses, r));
	return DELIVER_STORE;
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

/* Whether msg m goes out as a synchronizing literal "{N}" (the server
 * must say "+" first) rather than "{N+}". */
static int
literal_sync(const struct imap_session *ses, const struct deliver_msg *m)
{
	if (ses->caps & IMAP_CAP_LITERALPLUS)
		return 0;
	return !(ses->literal_minus && m->len <= IMAP_LITERAL_MINUS_MAX);
}

/*
 * One message's part of an APPEND: " (flags)" (its own, else the
 * configured ones; nothing for none), " \"INTERNALDATE\"" and the literal
 * announcement, "{N+}\r\n" or "{N}\r\n" when sync; the message follows.
 */
static void
append_head(struct buf *b, const struct deliver_msg *m, const char *flagstr,
    int sync)
{
	char date[IMAP_WIRE_DATE];
	char *own = m->flags != NULL ? imap_flags_join(m->flags) : NULL;
	const char *flags = own != NULL ? own : flagstr;

	if (flags[0] != '\0')
		buf_printf(b, " (%s)", flags);
	imap_wire_date_time(date, m->date > 0 ? m->date : time(NULL));
	buf_printf(b, " \"%s\" {%zu%s}\r\n", date, m->len, sync ? "" : "+");
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
    struct deliver_msg *msgs, size_t n, long *wait_ms, char *err,
    size_t errlen)
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
		append_head(&b, &msgs[i], c->flagstr, 0);
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
		return append_refused(ses, folder, n == 1 ? msgs : NULL,
		    wait_ms, err, errlen);
	take_appenduid(ses, msgs, n);
	for (i = 0; i < n; i++)
		msgs[i].stored = 1;
	return DELIVER_OK;
conn:
	buf_free(&b);
	return append_cut(ses, folder, MAILIMAP_ERROR_STREAM, err, errlen);
}

/* How many messages from msgs[0] go into one MULTIAPPEND (at least 1):
 * not past a stored one or one that cannot go on the wire. */
static size_t
batch_size(const struct imap_session *ses, struct deliver_msg *msgs,
    size_t n)
{
	size_t k, bytes = msgs[0].len;

	for (k = 1; k < n && k < LIM_APPEND_BATCH; k++) {
		if (bytes + msgs[k].len > LIM_APPEND_BATCH_BYTES ||
		    msgs[k].stored ||
		    msg_check(ses, &msgs[k], NULL, 0) != DELIVER_OK)
			break;
		bytes += msgs[k].len;
	}
	return k;
}

/*
 * msgs[0..k) as one MULTIAPPEND, or one by one when the server refuses
 * the batch: MULTIAPPEND is all or nothing, so store what the server
 * takes up to the culprit (a too large message, the one that went over
 * quota).  A throttled batch is not retried here (imap_append is).
 */
static enum deliver_status
append_some(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t k, long *wait_ms, char *err,
    size_t errlen)
{
	enum deliver_status st;
	size_t j;

	imap_session_begin(c->ses);
	st = append_batch(c, name, folder, msgs, k, wait_ms, err, errlen);
	if (st == DELIVER_OK || st == DELIVER_STORE ||
	    st == APPEND_THROTTLED || k == 1)
		return st;
	for (j = 0; j < k; j++) {
		imap_session_begin(c->ses);
		st = append_batch(c, name, folder, msgs + j, 1, wait_ms, err,
		    errlen);
		if (st != DELIVER_OK)
			return st;
	}
	return DELIVER_OK;
}

/*
 * The pipeline: one APPEND per message, sent without waiting for the
 * replies to the ones before (a bounded window of IMAP_PIPE_MSGS commands
 * and IMAP_PIPE_BYTES literal bytes in flight).  A "{N+}" literal goes out
 * with its command; a synchronizing "{N}" waits for the server's "+",
 * reading the replies to earlier commands meanwhile, so each message
 * costs one round trip at most.  Each tagged reply is matched to its
 * message by tag (the server answers in order: a reply out of order puts
 * the session out of step, DELIVER_STORE); a message is stored only on
 * its own tagged OK.
 */
struct pipe {
	struct imap		*c;
	const char		*name, *folder;
	struct deliver_msg	*msgs;
	size_t			 n;
	size_t			*order;		/* command k -> message index */
	size_t			 ncmd, nack;	/* commands sent, answered */
	size_t			 next;		/* next message to consider */
	size_t			 bytes;		/* literal bytes in flight */
	int			 tag0;		/* libetpan's tag of command 0 */
	int			 stop;		/* send nothing more */
	enum deliver_status	 st;		/* what decides (pipe_fail) */
	size_t			 fail_at;	/* ... for which message */
	long			*wait_ms;
	char			*err;
	size_t			 errlen;
};

/*
 * Note a failure; the one that decides the call's status and text is, in
 * this order: a throttle (imap_append recovers from it), a lost
 * connection (nothing more is known), else the refusal of the earliest
 * message (idx), which the caller skips.  Nothing more is sent after it.
 */
static void
pipe_fail(struct pipe *p, enum deliver_status st, size_t idx,
    const char *why)
{
	int take;

	p->stop = 1;
	if (p->st == APPEND_THROTTLED)
		take = 0;
	else if (st == APPEND_THROTTLED || st == DELIVER_STORE)
		take = p->st != DELIVER_STORE;
	else
		take = p->st == DELIVER_OK ||
		    (p->st != DELIVER_STORE && idx < p->fail_at);
	if (!take)
		return;
	p->st = st;
	p->fail_at = idx;
	if (why != p->err)
		snprintf(p->err, p->errlen, "%s", why);
}

/*
 * Read the server's next answer.  Returns 1 for a continuation request,
 * 0 after the tagged reply to command p->nack was handled, -1 when the
 * connection failed (p->st set: nothing more can be read).
 */
static int
pipe_read(struct pipe *p)
{
	struct imap_session *ses = p->c->ses;
	struct mailimap_response *rp = NULL;
	struct deliver_msg *m;
	enum deliver_status st;
	char why[ERRLEN];
	int r;

	/* libetpan checks the tag of the reply against its "current" one:
	 * make that the command this reply must answer */
	imap_session_begin(ses);
	ses->s->imap_tag = p->tag0 + (int)p->nack;
	r = imap_read_tagged(ses, &rp);
	ses->s->imap_tag = p->tag0 + (int)p->ncmd - 1;
	if (rp != NULL)
		mailimap_response_free(rp);
	if (r == IMAP_RESP_CONTINUE)
		return 1;
	if (r < 0 || p->nack >= p->ncmd) {
		st = append_cut(ses, p->folder, MAILIMAP_ERROR_STREAM, why,
		    sizeof(why));
		pipe_fail(p, st, p->n, why);
		return -1;
	}
	m = &p->msgs[p->order[p->nack++]];
	p->bytes -= m->len < p->bytes ? m->len : p->bytes;
	if (r == MAILIMAP_RESP_COND_STATE_OK) {
		m->stored = 1;
		if (ses->caps & IMAP_CAP_UIDPLUS)	/* as advertised */
			take_appenduid(ses, m, 1);
		return 0;
	}
	st = append_refused(ses, p->folder, m, p->wait_ms, why, sizeof(why));
	pipe_fail(p, st, p->order[p->nack - 1], why);
	return 0;
}

/* Send command and literal for message i: 0, or -1 (connection failed). */
static int
pipe_send(struct pipe *p, size_t i)
{
	struct imap_session *ses = p->c->ses;
	struct deliver_msg *m = &p->msgs[i];
	struct buf b = BUF_INIT(0);
	int sync = literal_sync(ses, m), r;
	size_t k = p->ncmd;
	char why[ERRLEN];

	buf_puts(&b, "APPEND ");
	imap_wire_mailbox(&b, p->name);
	append_head(&b, m, p->c->flagstr, sync);
	if (mailimap_send_current_tag(ses->s) != MAILIMAP_NO_ERROR ||
	    imap_write(ses, b.data, b.len) < 0)
		goto conn;
	buf_free(&b);
	if (p->ncmd == 0)
		p->tag0 = ses->s->imap_tag;
	p->order[p->ncmd++] = i;
	if (sync) {
		if (mailstream_flush(ses->s->imap_stream) < 0)
			goto conn;
		/* replies to earlier commands may come first; a tagged
		 * reply to this one is its refusal before the "+" */
		while (p->nack <= k) {
			if ((r = pipe_read(p)) < 0)
				return -1;
			if (r == 1)
				break;
		}
		if (p->nack > k)
			return 0;
	}
	if (imap_write(ses, m->data, m->len) < 0 ||
	    imap_write(ses, "\r\n", 2) < 0)
		goto conn;
	p->bytes += m->len;
	return 0;
conn:
	buf_free(&b);
	r = append_cut(ses, p->folder, MAILIMAP_ERROR_STREAM, why,
	    sizeof(why));
	pipe_fail(p, (enum deliver_status)r, p->n, why);
	return -1;
}

static enum deliver_status
append_pipelined(struct pipe *p)
{
	struct imap_session *ses = p->c->ses;
	struct deliver_msg *m;
	char why[ERRLEN];

	while (p->next < p->n || p->nack < p->ncmd) {
		while (!p->stop && p->next < p->n &&
		    p->ncmd - p->nack < IMAP_PIPE_MSGS &&
		    (p->ncmd == p->nack ||
		    p->bytes + p->msgs[p->next].len <= IMAP_PIPE_BYTES)) {
			m = &p->msgs[p->next];
			if (m->stored) {
				p->next++;
				continue;
			}
			if (msg_check(ses, m, why, sizeof(why)) != DELIVER_OK) {
				pipe_fail(p, DELIVER_MSG, p->next, why);
				break;
			}
			if (pipe_send(p, p->next++) < 0)
				return p->st;
		}
		if (p->nack == p->ncmd) {
			if (p->stop)
				break;
			continue;
		}
		if (mailstream_flush(ses->s->imap_stream) < 0) {
			pipe_fail(p, append_cut(ses, p->folder,
			    MAILIMAP_ERROR_STREAM, why, sizeof(why)), p->n, why);
			return p->st;
		}
		if (pipe_read(p) < 0)
			return p->st;
	}
	return p->st;
}

/*
 * One pass over msgs[0..n): everything not yet stored goes out, by
 * MULTIAPPEND where the server offers it with LITERAL+, else through the
 * pipeline.  *sent gets one past the last message put on the wire.
 */
static enum deliver_status
append_pass(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t n, size_t *sent, long *wait_ms,
    char *err, size_t errlen)
{
	const unsigned both = IMAP_CAP_LITERALPLUS | IMAP_CAP_MULTIAPPEND;
	struct imap_session *ses = c->ses;
	enum deliver_status st = DELIVER_OK;
	struct pipe p;
	size_t i, k;

	if ((ses->caps & both) == both) {
		for (i = 0; i < n && st == DELIVER_OK; i += k) {
			k = 1;
			if (msgs[i].stored)
				continue;
			if ((st = msg_check(ses, &msgs[i], err, errlen)) !=
			    DELIVER_OK)
				break;
			k = batch_size(ses, msgs + i, n - i);
			if (i + k > *sent)
				*sent = i + k;
			st = append_some(c, name, folder, msgs + i, k,
			    wait_ms, err, errlen);
		}
		return st;
	}
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = name;
	p.folder = folder;
	p.msgs = msgs;
	p.n = n;
	p.order = xcalloc(n, sizeof(*p.order));
	p.wait_ms = wait_ms;
	p.err = err;
	p.errlen = errlen;
	p.st = DELIVER_OK;
	st = append_pipelined(&p);
	for (k = 0; k < p.ncmd; k++)
		if (p.order[k] + 1 > *sent)
			*sent = p.order[k] + 1;
	free(p.order);
	return st;
}

static int find_uids(struct imap_session *, const char *, const char *,
    const char *, uint32_t **, size_t *, enum deliver_status *, char *,
    size_t);
static int delete_uids(struct imap_session *, const uint32_t *, size_t);
static enum deliver_status change_failed(struct imap_session *, int,
    const char *, const char *, char *, size_t);

/*
 * Order within a folder after a throttle: the server may have stored the
 * APPENDs pipelined behind one it refused, and the refused one, sent
 * again, would land after them.  So each message of msgs[0..sent) stored
 * after the first one that is not is removed again (found by Message-ID,
 * UID STORE \Deleted, UID EXPUNGE of exactly those UIDs) and marked not
 * stored: it goes again, in order.  Needs UIDPLUS (a plain EXPUNGE would
 * take the user's deletions too); without it they keep their place.
 * Exactly once still holds: an unconfirmed message stays pending in the
 * journal, and one left \Deleted by a kill is not "found" (has_msgid).
 */
static enum deliver_status
append_reorder(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t sent, char *err, size_t errlen)
{
	struct imap_session *ses = c->ses;
	struct buf cmd = BUF_INIT(0);
	enum deliver_status st = DELIVER_OK;
	uint32_t *u = NULL;
	size_t first, i, n;
	int r;

	for (first = 0; first < sent && msgs[first].stored; first++)
		;
	if (!(ses->caps & IMAP_CAP_UIDPLUS))
		return DELIVER_OK;
	for (i = first + 1; i < sent && st == DELIVER_OK; i++) {
		if (!msgs[i].stored || !imap_wire_msgid_ok(msgs[i].msgid))
			continue;
		imap_session_begin(ses);
		buf_reset(&cmd);
		buf_puts(&cmd, "UID SEARCH HEADER Message-ID ");
		imap_wire_quoted(&cmd, msgs[i].msgid);
		r = find_uids(ses, name, folder, cmd.data, &u, &n, &st, err,
		    errlen);
		if (r == MAILIMAP_RESP_COND_STATE_OK && st == DELIVER_OK &&
		    u != NULL)
			r = delete_uids(ses, u, n);
		free(u);
		u = NULL;
		if (r != MAILIMAP_RESP_COND_STATE_OK)
			st = change_failed(ses, r, "put in order", folder, err,
			    errlen);
		else if (st == DELIVER_OK) {
			msgs[i].stored = 0;
			msgs[i].uid = 0;
		}
	}
	buf_free(&cmd);
	return st;
}

/*
 * After a throttle: wait (the server's suggestion, else a second;
 * IMAP_SETTLE_MS at least, so that a dying session has finished), connect
 * again and look for each unconfirmed message of msgs[0..sent) by its
 * Message-ID: a refusal or a cut does not prove it was not stored.  Those
 * found are stored.  DELIVER_OK, or why it cannot go on.
 */
static enum deliver_status
append_recover(struct imap *c, const char *name, const char *folder,
    struct deliver_msg *msgs, size_t sent, long wait_ms, char *err,
    size_t errlen)
{
	struct timespec ts;
	enum deliver_status st;
	size_t i;
	int found;

	if (wait_ms < IMAP_SETTLE_MS)
		wait_ms = IMAP_SETTLE_MS;
	ts.tv_sec = wait_ms / 1000;
	ts.tv_nsec = (wait_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0)
		;
	imap_session_drop(c->ses);
	imap_session_begin(c->ses);
	if (imap_session_open(c->ses, err, errlen) < 0)
		return DELIVER_STORE;
	for (i = 0; i < sent; i++) {
		if (msgs[i].stored || !imap_wire_msgid_ok(msgs[i].msgid))
			continue;
		imap_session_begin(c->ses);
		found = 0;
		st = has_msgid_once(c->ses, name, folder, msgs[i].msgid,
		    &found, err, errlen);
		if (st != DELIVER_OK)
			return st;
		msgs[i].stored = found;
	}
	return append_reorder(c, name, folder, msgs, sent, err, errlen);
}

/*
 * Whether a back-off of wait_ms (what the server suggested; 0: it said
 * nothing, a second) fits in what is left of the pass (IMAP_BACKOFF_MAX
 * without a deadline); *left gets those seconds.
 */
static int
backoff_fits(const struct imap *c, long wait_ms, long *left)
{
	time_t now = time(NULL);

	*left = IMAP_BACKOFF_MAX;
	if (c->deadline > 0)
		*left = c->deadline > now ? (long)(c->deadline - now) : 0;
	if (wait_ms < IMAP_SETTLE_MS)
		wait_ms = IMAP_SETTLE_MS;
	return wait_ms <= *left * 1000L;
}

static enum deliver_status
imap_append(void *ctx, const char *folder, struct deliver_msg *msgs,
    size_t n, size_t *done, char *err, size_t errlen)
{
	struct imap *c = ctx;
	enum deliver_status st = DELIVER_OK;
	const char *shown = shown_name(c, folder);
	char *name = NULL, why[ERRLEN];
	size_t sent = 0;
	long wait_ms, left;
	int tries;

	*done = 0;
	if (n == 0)
		return DELIVER_OK;
	imap_session_check_idle(c->ses);
	if ((st = op_begin(c, folder, &name, err, errlen)) != DELIVER_OK)
		return st;
	for (tries = 0;; tries++) {
		wait_ms = 0;
		st = append_pass(c, name, shown, msgs, n, &sent, &wait_ms,
		    err, errlen);
		if (st != APPEND_THROTTLED)
			break;
		st = DELIVER_STORE;
		if (tries == IMAP_THROTTLE_TRIES ||
		    !backoff_fits(c, wait_ms, &left)) {
			/* the rest stays pending for the next run */
			c->ses->dead = 1;
			snprintf(why, sizeof(why), "%s", err);
			if (tries == IMAP_THROTTLE_TRIES)
				errf(err, errlen, "%s (still throttled after "
				    "backing off %d times; the rest waits for "
				    "the next run)", why, tries);
			else
				errf(err, errlen, "%s (a pause of %ld s asked "
				    "for, more than the %ld s %s; the rest "
				    "waits for the next run)", why,
				    (wait_ms + 999) / 1000, left, c->deadline ?
				    "left of run-time-limit" : "waited for "
				    "without a run-time-limit");
			break;
		}
		snprintf(why, sizeof(why), "%s", err);
		if (append_recover(c, name, shown, msgs, sent, wait_ms, err,
		    errlen) != DELIVER_OK) {
			snprintf(err, errlen, "%s", why);
			break;
		}
	}
	while (*done < n && msgs[*done].stored)
		(*done)++;
	if (st == DELIVER_OK && *done < n) {
		/* every message was answered, yet one is not stored: a
		 * refusal noted above is what the caller must see */
		imap_err(c->ses, err, errlen, "append to \"%s\": not stored",
		    shown);
		st = DELIVER_MSG;
	}
	if (st == DELIVER_MSG && *done < n && msgs[*done].too_big) {
		/* deliver.h: composed again smaller, never sent again as is */
		msgs[*done].refused = DELIVER_REFUSED_TOOBIG;
		msgs[*done].size_limit = c->ses->appendlimit;
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

/* ---- check ------------------------------------------------------------- */

static void
imap_describe(void *ctx, char *out, size_t outlen)
{
	static const char *const names[] = { "MULTIAPPEND", "LITERAL+",
	    "LITERAL-", "UIDPLUS", "COMPRESS=DEFLATE", "NAMESPACE" };
	const struct imap *c = ctx;
	const struct imap_session *ses = c->ses;
	const unsigned both = IMAP_CAP_LITERALPLUS | IMAP_CAP_MULTIAPPEND;
	struct buf b = BUF_INIT(0);
	const char *mode;
	size_t i;

	buf_puts(&b, "server offers");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (imap_session_has(ses, names[i]))
			buf_printf(&b, " %s", names[i]);
	if (ses->appendlimit > 0)
		buf_printf(&b, " APPENDLIMIT=%zu", ses->appendlimit);
	if (ses->delim)
		buf_printf(&b, "; separator '%c'", ses->delim);
	else
		buf_puts(&b, "; no folder hierarchy");
	buf_printf(&b, ", personal namespace \"%s\"", ses->prefix ?
	    ses->prefix : "");
	if (ses->compressed)
		buf_puts(&b, "; compression on");
	if ((ses->caps & both) == both)
		mode = "MULTIAPPEND batches with LITERAL+";
	else if (ses->caps & IMAP_CAP_LITERALPLUS)
		mode = "pipelined APPEND with LITERAL+";
	else if (ses->literal_minus)
		mode = "pipelined APPEND, LITERAL- up to 4096 bytes, a round "
		    "trip for each larger message";
	else
		mode = "pipelined APPEND, a round trip per message "
		    "(synchronizing literals)";
	buf_printf(&b, "; delivery: %s", mode);
	snprintf(out, outlen, "%s", b.data ? b.data : "");
	buf_free(&b);
}

/*
 * The server's APPENDLIMIT (RFC 7889) as advertised after login, 0 when
 * it names none.  A limit per folder (a bare APPENDLIMIT, the number in
 * STATUS) is not asked for: such a server's refusal says [TOOBIG], which
 * append reports as DELIVER_REFUSED_TOOBIG like any size refusal.
 */
static size_t
imap_size_limit(void *ctx)
{
	const struct imap *c = ctx;

	return c->ses->appendlimit;
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
	for (i = 0; i < 2 * c->nalias; i++)
		free(c->alias[i]);
	free(c->alias);
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
	c->deadline = cfg->deadline;
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
	.describe = imap_describe,
	.size_limit = imap_size_limit,
};
