/*
 * sha256.h - SHA-256 (FIPS 180-4) and hex encoding.  Pure.
 */
#ifndef RSS2MAIL_SHA256_H
#define RSS2MAIL_SHA256_H

#include <stddef.h>

#define SHA256_LEN	32
void	 sha256(const void *, size_t, unsigned char out[SHA256_LEN]);
/* Lower-case hex of p[0..n) into out (2n+1 bytes). */
void	 hex_encode(const unsigned char *p, size_t n, char *out);

#endif
