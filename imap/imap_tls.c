/*
 * imap_tls.c - verify a server certificate chain with GnuTLS's x509 API:
 * trust anchors (system store or a CA file), validity period, host name, or
 * a sha256 pin of the leaf.  No I/O besides reading the trust store.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "imap_tls.h"
#include "util.h"
#include "sha256.h"

/* "sha256:AB:cd..." -> 64 lower-case hex digits; -1 when malformed. */
static int
pin_normalize(const char *pin, char out[2 * SHA256_LEN + 1])
{
	size_t n = 0;

	if (strncasecmp(pin, "sha256:", 7) != 0)
		return -1;
	for (pin += 7; *pin; pin++) {
		if (*pin == ':' || *pin == ' ')
			continue;
		if (!isxdigit((unsigned char)*pin) || n == 2 * SHA256_LEN)
			return -1;
		out[n++] = (char)tolower((unsigned char)*pin);
	}
	out[n] = '\0';
	return n == 2 * SHA256_LEN ? 0 : -1;
}

static int
check_pin(const struct imap_tls_cert *leaf, const char *fingerprint,
    char *err, size_t errlen)
{
	unsigned char md[SHA256_LEN];
	char want[2 * SHA256_LEN + 1], have[2 * SHA256_LEN + 1];

	if (pin_normalize(fingerprint, want) < 0) {
		errf(err, errlen, "bad imap-fingerprint (want sha256:<64 hex "
		    "digits>)");
		return -1;
	}
	sha256(leaf->der, leaf->len, md);
	hex_encode(md, SHA256_LEN, have);
	if (strcmp(want, have) != 0) {
		errf(err, errlen, "certificate fingerprint mismatch (server "
		    "has sha256:%s)", have);
		return -1;
	}
	return 0;
}

/* The reasons in a GnuTLS verification status, in our words. */
static void
status_text(unsigned status, char *err, size_t errlen)
{
	static const struct {
		unsigned	 bit;
		const char	*text;
	} reasons[] = {
		{ GNUTLS_CERT_EXPIRED, "certificate expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid" },
		{ GNUTLS_CERT_UNEXPECTED_OWNER,
		    "certificate is for another host name" },
		{ GNUTLS_CERT_SIGNER_NOT_FOUND,
		    "certificate not signed by a trusted CA (self-signed or "
		    "unknown issuer)" },
		{ GNUTLS_CERT_REVOKED, "certificate revoked" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM,
		    "certificate uses an insecure algorithm" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "certificate issuer is not a CA" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "bad certificate signature" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH,
		    "certificate is not for TLS servers" },
	};
	size_t i, off = 0;
	int w;

	if (errlen == 0)
		return;
	err[0] = '\0';
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (!(status & reasons[i].bit))
			continue;
		w = snprintf(err + off, errlen - off, "%s%s",
		    off ? "; " : "", reasons[i].text);
		if (w < 0 || (size_t)w >= errlen - off)
			return;
		off += (size_t)w;
	}
	if (off == 0)
		snprintf(err, errlen, "certificate not trusted (status 0x%x)",
		    status);
}

int
imap_tls_verify(const struct imap_tls_cert *chain, size_t n,
    const char *host, const char *ca_file, const char *fingerprint,
    char *err, size_t errlen)
{
	gnutls_x509_crt_t crts[IMAP_TLS_MAX_CHAIN];
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vdata[2];
	gnutls_datum_t d;
	size_t i, ncrt = 0;
	unsigned status = 0;
	int r, rc = -1;

	if (n == 0 || chain == NULL) {
		errf(err, errlen, "server sent no certificate");
		return -1;
	}
	if (fingerprint != NULL && *fingerprint != '\0')
		return check_pin(&chain[0], fingerprint, err, errlen);
	if (n > IMAP_TLS_MAX_CHAIN)
		n = IMAP_TLS_MAX_CHAIN;
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_init(&crts[ncrt]) < 0) {
			errf(err, errlen, "out of memory for certificates");
			goto out;
		}
		ncrt++;
		d.data = (unsigned char *)(uintptr_t)chain[i].der;
		d.size = (unsigned)chain[i].len;
		if (gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER)
		    < 0) {
			errf(err, errlen, "server sent an unreadable "
			    "certificate");
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		errf(err, errlen, "cannot set up a trust list");
		goto out;
	}
	if (ca_file != NULL && *ca_file != '\0') {
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			errf(err, errlen, "imap-ca-file %s: no CA certificate "
			    "could be read", ca_file);
			goto out;
		}
	} else {
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (r <= 0) {
			errf(err, errlen, "no system trust store (install "
			    "ca-certificates or set imap-ca-file)");
			goto out;
		}
	}
	memset(vdata, 0, sizeof(vdata));
	vdata[0].type = GNUTLS_DT_DNS_HOSTNAME;
	vdata[0].data = (unsigned char *)(uintptr_t)host;
	vdata[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vdata[1].data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_SERVER;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned)ncrt,
	    vdata, 2, 0, &status, NULL);
	if (r < 0) {
		errf(err, errlen, "certificate check failed: %s",
		    gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		status_text(status, err, errlen);
		goto out;
	}
	rc = 0;
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crts[i]);
	return rc;
}
