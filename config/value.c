/*
 * value.c - the checks and parsers of single config values: header lines,
 * templates, one-line text, addresses and mailboxes, URLs, sizes, booleans.
 * Pure: each takes the value and leaves the reason, without the key, in
 * why; config.c's key table says which check a key gets.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config_int.h"
#include "limits.h"
#include "utf8.h"
#include "util.h"

/*
 * "Name: value" of http-header (and "Name: command"): a token for a name,
 * something after the colon, and none of the headers libcurl or the fetcher
 * own: Host and Content-Length would break the request, the conditional
 * ones would break the stored validators.
 */
int
config_check_header(const char *v, char *why, size_t whylen)
{
	static const char *refused[] = { "host", "content-length",
	    "transfer-encoding", "if-none-match", "if-modified-since",
	    "if-match", "if-unmodified-since", "if-range" };
	size_t n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789!#$%&'*+-.^_`|~"), i;

	if (n == 0 || v[n] != ':' || v[n + 1 + strspn(v + n + 1, " \t")] ==
	    '\0') {
		errf(why, whylen, "'%s' is not a header like 'Name: value'", v);
		return -1;
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strlen(refused[i]) == n && strncasecmp(v, refused[i],
		    n) == 0) {
			errf(why, whylen, "header '%.*s' cannot be set: "
			    "rss2mail sends it itself", (int)n, v);
			return -1;
		}
	return 0;
}

/* Value checks.  Each leaves the reason, without the key, in why. */

/* Every "{word}" in v must be one of vars; other braces are text. */
int
config_check_template(const char *v, const char *vars, char *why,
    size_t whylen)
{
	const char *p, *e, *hit;
	size_t n;

	for (p = v; (p = strchr(p, '{')) != NULL; p++) {
		for (e = p + 1; (*e >= 'a' && *e <= 'z') || *e == '-' ||
		    *e == '_'; e++)
			;
		if (*e != '}' || e == p + 1)
			continue;
		n = (size_t)(e - p) + 1;
		for (hit = vars; (hit = strstr(hit, "{")) != NULL; hit++)
			if (strncmp(hit, p, n) == 0)
				break;
		if (hit == NULL) {
			errf(why, whylen, "unknown placeholder %.*s (use %s)",
			    (int)n, p, vars);
			return -1;
		}
	}
	return 0;
}

/*
 * One line of valid UTF-8 without control characters: C0, DEL, C1 (U+0085
 * is a line break to some readers) and U+2028/U+2029, the characters
 * utf8_clean's oneline mode takes out of a feed's one-line fields.
 */
int
config_check_oneline(const char *v, char *why, size_t whylen)
{
	size_t n = strlen(v), i, k;
	uint32_t cp;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_decode(v + i, n - i, &cp)) == 0) {
			errf(why, whylen, "value is not valid UTF-8");
			return -1;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
		    cp == 0x2028 || cp == 0x2029) {
			errf(why, whylen, "control character in value");
			return -1;
		}
	}
	return 0;
}

int
config_check_addr_spec(const char *a, char *why, size_t whylen)
{
	const char *at = strchr(a, '@'), *p;

	if (at == NULL || strchr(at + 1, '@') != NULL || at == a ||
	    at[1] == '\0') {
		errf(why, whylen, "'%s' is not an address like "
		    "user@example.org", a);
		return -1;
	}
	for (p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>,;:\"()[]\\", *p)) {
			errf(why, whylen, "address '%s' contains '%c'", a,
			    *p);
			return -1;
		}
	if (at[1] == '.' || a[strlen(a) - 1] == '.' || strstr(at, "..")) {
		errf(why, whylen, "address '%s' has a bad domain", a);
		return -1;
	}
	return 0;
}

void
config_addrs_free(char **addrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(addrs[i]);
	free(addrs);
}

int
config_parse_to(const char *v, char ***addrs, size_t *n, char *why,
    size_t whylen)
{
	char *item, *name = NULL, *addr = NULL;
	size_t off = 0, i;

	*addrs = NULL;
	*n = 0;
	while ((item = util_addr_list_next(v, &off)) != NULL) {
		if (*item == '\0') {
			errf(why, whylen, "an empty address in the list (one "
			    "comma too many?)");
			goto bad;
		}
		if (*n == LIM_RCPT) {
			errf(why, whylen, "more than %d addresses", LIM_RCPT);
			goto bad;
		}
		if (strchr(item, '@') == NULL && strchr(v, ',') != NULL) {
			errf(why, whylen, "'%s' is not an address (a display "
			    "name with a comma goes in double quotes)", item);
			goto bad;
		}
		if (config_parse_mailbox(item, &name, &addr, why, whylen) ==
		    -1)
			goto bad;
		free(name);
		for (i = 0; i < *n; i++)
			if (strcasecmp((*addrs)[i], addr) == 0) {
				errf(why, whylen, "%s is listed twice", addr);
				free(addr);
				goto bad;
			}
		*addrs = xrealloc(*addrs, (*n + 1) * sizeof(**addrs));
		(*addrs)[(*n)++] = addr;
		free(item);
	}
	if (*n == 0) {
		errf(why, whylen, "no address");
		return -1;
	}
	return 0;
bad:
	free(item);
	config_addrs_free(*addrs, *n);
	*addrs = NULL;
	*n = 0;
	return -1;
}

/* "Display Name <addr@dom>", "\"Name\" <addr>" or "addr@dom". */
int
config_parse_mailbox(const char *v, char **name, char **addr, char *why,
    size_t whylen)
{
	const char *lt, *gt;
	size_t n;
	int r = -1;

	*name = *addr = NULL;
	n = strlen(v);
	if (n > 0 && v[n - 1] == '>') {
		if ((lt = strrchr(v, '<')) == NULL) {
			errf(why, whylen, "'>' without '<'");
			goto out;
		}
		gt = v + n - 1;
		*addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		while (lt > v && (lt[-1] == ' ' || lt[-1] == '\t'))
			lt--;
		if (lt - v >= 2 && v[0] == '"' && lt[-1] == '"')
			*name = xstrndup(v + 1, (size_t)(lt - v - 2));
		else if (lt > v)
			*name = xstrndup(v, (size_t)(lt - v));
		if (*name && (**name == '\0' || strpbrk(*name, "<>\""))) {
			if (**name) {
				errf(why, whylen, "display name '%s' contains "
				    "'<', '>' or '\"'", *name);
				goto out;
			}
			free(*name);
			*name = NULL;
		}
	} else
		*addr = xstrdup(v);
	if (config_check_addr_spec(*addr, why, whylen) == -1)
		goto out;
	r = 0;
out:
	if (r == -1) {
		free(*name);
		free(*addr);
		*name = *addr = NULL;
	}
	return r;
}

void
config_url_scheme(const char *u, char *out, size_t outlen)
{
	size_t i;

	out[0] = '\0';
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return;
	for (i = 1; u[i] && u[i] != ':'; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') ||
		    (u[i] >= 'A' && u[i] <= 'Z') ||
		    (u[i] >= '0' && u[i] <= '9') || strchr("+.-", u[i])))
			return;
	if (u[i] != ':' || i >= outlen)
		return;
	for (size_t j = 0; j < i; j++)
		out[j] = (char)(u[j] >= 'A' && u[j] <= 'Z' ? u[j] + 32 : u[j]);
	out[i] = '\0';
}

int
config_check_net_url(const char *v, const char *scheme, char *why,
    size_t whylen)
{
	const char *host = v + strlen(scheme) + 1;

	if (strncmp(host, "//", 2) != 0 || host[2] == '\0' || host[2] == '/' ||
	    host[2] == '?' || host[2] == '#') {
		errf(why, whylen, "'%s' has no host", v);
		return -1;
	}
	if (strpbrk(v, " \t") != NULL) {
		errf(why, whylen, "a URL cannot contain spaces (write %%20)");
		return -1;
	}
	return 0;
}

int
config_parse_size(const char *v, long long *out)
{
	long long n = 0, mul = 1;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > LLONG_MAX / 10 - 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mul = 1LL << 10; p++; break;
	case 'm': case 'M': mul = 1LL << 20; p++; break;
	case 'g': case 'G': mul = 1LL << 30; p++; break;
	default: return -1;
	}
	if (*p == 'B' && mul > 1)
		p++;
	if (*p != '\0' || n > LLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

int
config_parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
