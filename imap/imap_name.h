/*
 * imap_name.h - names and flags as they go on the IMAP wire: folder names
 * as the user writes them -> the server's mailbox name, and flag lists.
 *
 * Pure functions (no I/O, no globals); the server facts (namespace prefix,
 * hierarchy delimiter) are passed in.  The results are what imap.c sends,
 * so they are unit tested and fuzzed here rather than through a server.
 */
#ifndef RSS2MAIL_IMAP_NAME_H
#define RSS2MAIL_IMAP_NAME_H

#include <stddef.h>

struct buf;

/*
 * folder: a non-empty UTF-8 name with '/' between levels ("Feeds/LWN").
 * "INBOX" (any case) stays "INBOX"; otherwise prefix (the personal
 * namespace, e.g. "INBOX.") goes in front unless the name already starts
 * at INBOX ("INBOX/x"), each level is encoded in modified UTF-7 and the
 * levels are joined with delim (0: the server has no hierarchy, so a '/'
 * is an error).
 *
 * The delimiter inside a level: a level cannot hold the server's
 * delimiter (it would split the level in two), so each occurrence is
 * replaced by imap_name_stand_in(delim): '_', or '-' where the delimiter
 * is '_' itself.  "Feeds/lwn.net" is "INBOX.Feeds.lwn_net" on a server
 * with '.' (Cyrus, Courier) and "Feeds/lwn.net" on one with '/', the same
 * rule Maildir++ folders follow.  Two names that differ only there ("a.b"
 * and "a_b") land in one folder.
 *
 * Some servers refuse a '.' in a name whatever their delimiter (Dovecot
 * on Maildir++ storage: "Character not allowed in mailbox name"):
 * imap_name_wire_dotless gives the name with each '.' inside a level
 * replaced by the stand-in too ("Feeds/lwn_net"), which imap.c falls back
 * to when the server refuses to create the name as it is.
 *
 * Refused with one line in err: invalid UTF-8 or control characters,
 * empty / "." / ".." levels, a level whose modified UTF-7 form still
 * holds delim (a delimiter of '&', '-', '+' or ','), a result longer than
 * out's cap.  Appends to out; 0 or -1.
 */
int	imap_name_wire_dotless(struct buf *out, const char *folder,
	    const char *prefix, char delim, char *err, size_t errlen);

/* What stands in for the delimiter inside a level: '_' ('-' for '_'). */
char	imap_name_stand_in(char delim);

int	imap_name_wire(struct buf *out, const char *folder, const char *prefix,
	    char delim, char *err, size_t errlen);

/*
 * 1 when flags ("\Seen $label", space separated, may be NULL or "") holds
 * only keywords (IMAP atoms) and the system flags a client may set on
 * APPEND: \Seen \Flagged \Answered \Draft \Deleted (any case).
 */
int	imap_flags_ok(const char *flags);

/* "  a   b " -> "a b" (malloc'd, "" for none; NULL flags give ""). */
char	*imap_flags_join(const char *flags);

#endif
