/*
 * imap_tls.h - check a TLS server's certificate chain ourselves.
 *
 * Debian's libetpan (GnuTLS build) verifies nothing: no trust store, no
 * host name, no expiry (FACTS.md).  imap.c hands the peer chain it got from
 * libetpan to this check, before it reads capabilities or sends any
 * credential.  GnuTLS's x509 API lives here; libetpan does not.
 *
 * chain[0] is the server's own certificate (DER), then its issuers as the
 * server sent them.  With fingerprint ("sha256:HEX", colons and case
 * ignored) the leaf must match the pin and nothing else is checked (for
 * self-signed servers); otherwise the chain must lead to a trust anchor in
 * ca_file (PEM, replacing the system store) or the system trust store, be
 * valid now, and name host (DNS name or IP address).
 *
 * Returns 0 when trusted; -1 with one line of reason in err
 * ("certificate expired", "certificate is for another host name", ...).
 */
#ifndef RSS2MAIL_IMAP_TLS_H
#define RSS2MAIL_IMAP_TLS_H

#include <stddef.h>

#define IMAP_TLS_MAX_CHAIN	16

struct imap_tls_cert {
	const unsigned char	*der;
	size_t			 len;
};

int	imap_tls_verify(const struct imap_tls_cert *chain, size_t n,
	    const char *host, const char *ca_file, const char *fingerprint,
	    char *err, size_t errlen);

#endif
