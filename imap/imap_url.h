/*
 * imap_url.h - parse the imap-url setting (RFC 5092 style).
 *
 *   imap[s]://[user[;AUTH=mech]@]host[:port][/mailbox]
 *
 * user and mailbox are percent-decoded (so "me%40example.org" is a user
 * with an '@'); the mailbox is the UTF-8 name with '/' as the hierarchy
 * separator, as a user writes it.  host is a name, an IPv4 address or a
 * bracketed IPv6 address ("[::1]", stored without brackets).  Query parts
 * ("?..."), URL parameters (";UIDVALIDITY=...") and fragments are refused:
 * they make no sense for a delivery target.
 *
 * A pure parser: no I/O, no globals.  All strings in struct imap_url are
 * malloc'd and owned by it; imap_url_free releases them (accepts NULL).
 */
#ifndef RSS2MAIL_IMAP_URL_H
#define RSS2MAIL_IMAP_URL_H

#include <stddef.h>

struct imap_url {
	int		 implicit_tls;	/* 1 for imaps:// */
	char		*user;		/* NULL when absent */
	char		*auth;		/* ";AUTH=" value, NULL when absent */
	char		*host;
	unsigned	 port;		/* 993 for imaps, 143 for imap by default */
	char		*mailbox;	/* "" when absent */
};

/* 0 on success; -1 with one line in err (which never repeats a password). */
int	imap_url_parse(const char *s, struct imap_url *out, char *err,
	    size_t errlen);
void	imap_url_free(struct imap_url *);

#endif
