/*
 * fuzz_config.c - config_parse on arbitrary bytes (as "fuzz.ini").  Beyond
 * "no crash": a config that parses keeps the promises of config.h (every
 * string valid UTF-8 on one line without control characters, from has
 * exactly one '@', the required keys are there, feed names are usable and
 * unique, numbers in their ranges); a config that does not gives one
 * non-empty line of error text that names the file.  "Control characters"
 * are C0, DEL, C1 and U+2028/U+2029, in values and in error text alike (a
 * section name is shown escaped).  config_free always runs, so
 * LeakSanitizer (make fuzz) sees every error path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "limits.h"
#include "util.h"
#include "utf8.h"

#define PATH	"fuzz.ini"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	    cp == 0x2028 || cp == 0x2029;
}

/* 1 when s has a control character; bytes that are not UTF-8 are skipped
 * (error text may be cut inside a character). */
static int
has_control(const char *s)
{
	size_t n = strlen(s), i, k;
	uint32_t cp;

	for (i = 0; i < n; i += k)
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			k = 1;
		else if (is_control(cp))
			return 1;
	return 0;
}

static void
oneline(const char *s)
{
	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)) || has_control(s))
		abort();
}

static void
one_at(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strchr(addr, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		abort();
}

static void
settings(const struct config_settings *s)
{
	oneline(s->from_name);
	oneline(s->from_addr);
	one_at(s->from_addr);
	if (s->to == NULL)
		abort();
	oneline(s->to);
	oneline(s->maildir);
	oneline(s->imap_url);
	if (s->deliver == CONFIG_DELIVER_IMAP && s->imap_url == NULL)
		abort();
	oneline(s->imap_user);
	oneline(s->imap_ca_file);
	oneline(s->imap_fingerprint);
	oneline(s->imap_auth);
	oneline(s->password);
	oneline(s->password_file);
	oneline(s->password_command);
	/* at most one password source, also after a feed's override */
	if ((s->password != NULL) + (s->password_file != NULL) +
	    (s->password_command != NULL) > 1)
		abort();
	oneline(s->folder);
	oneline(s->user_agent);
	oneline(s->subject);
	oneline(s->from_template);
	oneline(s->flags);
	oneline(s->proxy);
	oneline(s->http_user);
	oneline(s->http_password_command);
	if (s->max_feed_size < 1 || s->timeout < 1 ||
	    s->connect_timeout < 1 || s->interval < 1 ||
	    s->max_message_size < 1024 || s->min_interval < 0 ||
	    s->keep < 0 || s->report_after < 0)
		abort();
}

static void
check(const struct config *cfg)
{
	const struct config_feed *f;
	size_t i;

	if (cfg->path == NULL || strcmp(cfg->path, PATH) != 0)
		abort();
	oneline(cfg->state);
	if (cfg->concurrency < 1 || cfg->concurrency > 1024 ||
	    cfg->per_host < 1 || cfg->per_host > 64)
		abort();
	settings(&cfg->global);
	for (i = 0; i < cfg->nfeeds; i++) {
		f = &cfg->feeds[i];
		if (f->name == NULL || !config_valid_name(f->name) ||
		    f->url == NULL || f->line < 1 ||
		    (i > 0 && f->line <= cfg->feeds[i - 1].line))
			abort();
		/* names are unique: the first with this name is this one */
		if (config_find_feed(cfg, f->name) != f)
			abort();
		oneline(f->name);
		oneline(f->url);
		oneline(f->title);
		oneline(f->category);
		oneline(f->html_url);
		settings(&f->s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	char err[ERRLEN];

	err[0] = '\0';
	if (config_parse(PATH, (const char *)data, size, &cfg, err,
	    sizeof(err)) == 0) {
		if (cfg == NULL)
			abort();
		check(cfg);
	} else if (cfg != NULL || err[0] == '\0' || has_control(err) ||
	    strncmp(err, PATH, strlen(PATH)) != 0)
		abort();	/* one line of text naming the file, always */
	config_free(cfg);
	return 0;
}
