/*
 * test_config.c - the key table, validation, overrides and config_check
 * (in-place edits are test_edit.c's).
 *
 * Error cases are one table: config text in, exact error text out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "filter.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"
#include "fsutil.h"

#define HEAD	"[rss2mail]\nfrom = Feeds <feeds@example.org>\n" \
		"to = me@example.org\n"

static struct config *
parse_ok(const char *text)
{
	struct config *cfg = NULL;
	char err[ERRLEN] = "";

	if (config_parse("t.ini", text, strlen(text), &cfg, err,
	    sizeof(err)) == -1)
		fail_msg("unexpected error: %s", err);
	assert_non_null(cfg);
	return cfg;
}

static void
test_minimal_defaults(void **state)
{
	struct config *cfg;

	setenv("HOME", "/home/u", 1);
	unsetenv("XDG_DATA_HOME");
	cfg = parse_ok(HEAD);
	assert_string_equal(cfg->global.from_name, "Feeds");
	assert_string_equal(cfg->global.from_addr, "feeds@example.org");
	assert_string_equal(cfg->global.to, "me@example.org");
	assert_int_equal(cfg->global.deliver, CONFIG_DELIVER_MAILDIR);
	assert_string_equal(cfg->global.maildir, "/home/u/Mail/Feeds");
	assert_string_equal(cfg->state,
	    "/home/u/.local/share/rss2mail/state.db");
	assert_int_equal(cfg->concurrency, 16);
	assert_int_equal(cfg->per_host, 2);
	assert_int_equal(cfg->imap_connections, 4);
	assert_int_equal(cfg->smtp_connections, 1);
	assert_int_equal(cfg->global.html, 1);
	assert_int_equal(cfg->global.allow_private, 0);
	assert_int_equal(cfg->global.imap_tls, CONFIG_TLS_DEFAULT);
	assert_int_equal(cfg->global.interval, 3600);
	assert_int_equal(cfg->global.min_interval, 300);
	assert_int_equal(cfg->global.timeout, LIM_TOTAL_TIMEOUT);
	assert_int_equal(cfg->global.connect_timeout, LIM_CONNECT_TIMEOUT);
	assert_int_equal(cfg->global.max_feed_size, LIM_FEED_SIZE);
	assert_int_equal(cfg->global.max_message_size, LIM_MESSAGE);
	assert_int_equal(cfg->global.image_budget, LIM_IMAGES_TOTAL);
	assert_int_equal(cfg->global.image_timeout, 15);
	assert_int_equal(cfg->image_time_limit, 60);
	assert_string_equal(cfg->global.subject, "{title}");
	assert_string_equal(cfg->global.from_template, "{author} via {feed}");
	assert_int_equal(cfg->global.images, CONFIG_IMAGES_INLINE);
	assert_int_equal(cfg->global.updates, CONFIG_UPDATES_IGNORE);
	assert_int_equal(cfg->global.full_text, CONFIG_FULLTEXT_AUTO);
	assert_int_equal(cfg->global.report_after, 3);
	assert_null(cfg->global.folder);
	assert_null(cfg->global.password);
	assert_int_equal(cfg->nfeeds, 0);
	config_free(cfg);

	/* templates: known placeholders, and braces that are just text */
	cfg = parse_ok(HEAD "subject = [{feed}] {title} {Not one} {} {a\n"
	    "from-name = {author} ({date})\nfolder = F/{category}/{name}\n");
	assert_string_equal(cfg->global.subject,
	    "[{feed}] {title} {Not one} {} {a");
	config_free(cfg);

	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	cfg = parse_ok(HEAD);
	assert_string_equal(cfg->state, "/xdg/data/rss2mail/state.db");
	config_free(cfg);
	unsetenv("XDG_DATA_HOME");
}

static void
test_full(void **state)
{
	static const char text[] =
	    "\xEF\xBB\xBF; full config\r\n"
	    "[rss2mail]\r\n"
	    "from = \"Feed Bridge\" <bridge@example.org>\r\n"
	    "to = Me <me@example.org>\r\n"
	    "deliver = imap                     ; imap | maildir\r\n"
	    "imap-url = imaps://me@imap.example.org/Feeds\r\n"
	    "imap-tls = starttls\r\n"
	    "imap-auth = PLAIN\r\n"
	    "password-command = pass show mail\r\n"
	    "folder = Feeds/{name}\r\n"
	    "state = ~/state.db\r\n"
	    "html = off\r\n"
	    "max-feed-size = 512k\r\n"
	    "max-message-size = 3M\r\n"
	    "timeout = 2m\r\n"
	    "connect-timeout = 5\r\n"
	    "interval = 30m\r\n"
	    "concurrency = 4\r\n"
	    "images = none\r\n"
	    "updates = replace\r\n"
	    "keep = 30d\r\n"
	    "\r\n"
	    "[feed.lwn]\r\n"
	    "url = https://lwn.net/headlines/rss#frag\r\n"
	    "folder = News/LWN   # inline comment\r\n"
	    "password-file = ~/pw\r\n"
	    "category = Tech/Mail/Security\r\n"
	    "\r\n"
	    "[feed.local-1.x_y]\r\n"
	    "url = ~/feeds/x.xml\r\n"
	    "paused = yes\r\n"
	    "html = yes\r\n"
	    "deliver = maildir\r\n"
	    "full-text = no\r\n";
	struct config *cfg;
	const struct config_feed *f;

	setenv("HOME", "/home/u", 1);
	cfg = parse_ok(text);
	assert_string_equal(cfg->path, "t.ini");
	assert_string_equal(cfg->global.from_name, "Feed Bridge");
	assert_string_equal(cfg->global.from_addr, "bridge@example.org");
	assert_string_equal(cfg->global.to, "Me <me@example.org>");
	assert_int_equal(cfg->global.deliver, CONFIG_DELIVER_IMAP);
	assert_int_equal(cfg->global.imap_tls, CONFIG_TLS_STARTTLS);
	assert_string_equal(cfg->global.imap_auth, "plain");
	assert_string_equal(cfg->global.password_command, "pass show mail");
	assert_string_equal(cfg->state, "/home/u/state.db");
	assert_int_equal(cfg->global.html, 0);
	assert_int_equal(cfg->global.max_feed_size, 512 * 1024);
	assert_int_equal(cfg->global.max_message_size, 3 * 1024 * 1024);
	assert_int_equal(cfg->global.timeout, 120);
	assert_int_equal(cfg->global.connect_timeout, 5);
	assert_int_equal(cfg->global.interval, 1800);
	assert_int_equal(cfg->global.keep, 30 * 86400);
	assert_int_equal(cfg->concurrency, 4);
	assert_int_equal(cfg->global.images, CONFIG_IMAGES_NONE);
	assert_int_equal(cfg->global.updates, CONFIG_UPDATES_REPLACE);
	assert_int_equal(cfg->nfeeds, 2);

	f = config_find_feed(cfg, "lwn");
	assert_non_null(f);
	assert_ptr_equal(f, &cfg->feeds[0]);
	assert_int_equal(f->line, 23);
	assert_string_equal(f->url, "https://lwn.net/headlines/rss#frag");
	assert_string_equal(f->s.folder, "News/LWN");
	assert_string_equal(f->category, "Tech/Mail/Security");
	/* a feed's password source replaces the inherited one */
	assert_string_equal(f->s.password_file, "/home/u/pw");
	assert_null(f->s.password_command);
	assert_string_equal(f->s.imap_url,
	    "imaps://me@imap.example.org/Feeds");
	assert_int_equal(f->s.html, 0);
	assert_int_equal(f->s.full_text, CONFIG_FULLTEXT_AUTO);
	assert_int_equal(f->paused, 0);

	f = config_find_feed(cfg, "local-1.x_y");
	assert_non_null(f);
	assert_string_equal(f->url, "/home/u/feeds/x.xml");
	assert_int_equal(f->paused, 1);
	assert_int_equal(f->s.html, 1);
	assert_int_equal(f->s.deliver, CONFIG_DELIVER_MAILDIR);
	assert_int_equal(f->s.full_text, CONFIG_FULLTEXT_NO);
	assert_string_equal(f->s.folder, "Feeds/{name}");
	assert_string_equal(f->s.from_name, "Feed Bridge");
	assert_string_equal(f->s.password_command, "pass show mail");
	assert_null(config_find_feed(cfg, "nope"));
	config_free(cfg);
}

static void
test_image_keys(void **state)
{
	struct config *cfg = parse_ok(HEAD "image-budget = 512k\n"
	    "image-timeout = 2m\nimage-time-limit = 5m\n"
	    "[feed.a]\nurl = /x\nimage-timeout = 3\nimage-budget = 2M\n");

	assert_int_equal(cfg->global.image_budget, 512 * 1024);
	assert_int_equal(cfg->global.image_timeout, 120);
	assert_int_equal(cfg->image_time_limit, 300);
	assert_int_equal(cfg->feeds[0].s.image_timeout, 3);
	assert_int_equal(cfg->feeds[0].s.image_budget, 2 * 1024 * 1024);
	config_free(cfg);
}

static void
test_from_forms(void **state)
{
	static const struct {
		const char *from, *name, *addr;
	} t[] = {
		{ "feeds@example.org", NULL, "feeds@example.org" },
		{ "<feeds@example.org>", NULL, "feeds@example.org" },
		{ "Feeds <feeds@example.org>", "Feeds", "feeds@example.org" },
		{ "\"Blog, Feeds\"  <a.b+c@x.example>", "Blog, Feeds",
		    "a.b+c@x.example" },
		{ "Ünïcode Name <u@example.org>", "Ünïcode Name",
		    "u@example.org" },
	};
	struct buf b = BUF_INIT(0);
	struct config *cfg;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		buf_printf(&b, "[rss2mail]\nfrom = %s\nto = x@y.z\n",
		    t[i].from);
		cfg = parse_ok(b.data);
		if (t[i].name)
			assert_string_equal(cfg->global.from_name, t[i].name);
		else
			assert_null(cfg->global.from_name);
		assert_string_equal(cfg->global.from_addr, t[i].addr);
		config_free(cfg);
	}
	buf_free(&b);
}

/* `to`: one address or a comma-separated list; a feed's replaces it */
static void
test_to_list(void **state)
{
	struct buf b = BUF_INIT(0);
	struct config *cfg;
	char err[ERRLEN];
	size_t i;

	cfg = parse_ok("[rss2mail]\nfrom = a@b.c\nto = Me <me@x.org>, "
	    "\"Doe, Jane\" <jane@y.org>,bob@z.org\n[feed.a]\nurl = /x\n"
	    "[feed.b]\nurl = /y\nto = other@x.org\n");
	assert_string_equal(cfg->global.to, "Me <me@x.org>, \"Doe, Jane\" "
	    "<jane@y.org>,bob@z.org");
	assert_int_equal(cfg->global.nto, 3);
	assert_string_equal(cfg->global.to_addrs[0], "me@x.org");
	assert_string_equal(cfg->global.to_addrs[1], "jane@y.org");
	assert_string_equal(cfg->global.to_addrs[2], "bob@z.org");
	assert_int_equal(cfg->feeds[0].s.nto, 3);
	assert_string_equal(cfg->feeds[0].s.to_addrs[2], "bob@z.org");
	assert_int_equal(cfg->feeds[1].s.nto, 1);
	assert_string_equal(cfg->feeds[1].s.to_addrs[0], "other@x.org");
	assert_string_equal(cfg->feeds[1].s.to, "other@x.org");
	config_free(cfg);
	/* LIM_RCPT addresses, and one more */
	for (i = 0; i <= LIM_RCPT; i++) {
		buf_reset(&b);
		buf_puts(&b, "[rss2mail]\nfrom = a@b.c\nto = u0@x.org");
		for (size_t k = 1; k < i + 1; k++)
			buf_printf(&b, ", u%zu@x.org", k);
		buf_puts(&b, "\n");
		if (i + 1 <= LIM_RCPT) {
			if (i + 1 == LIM_RCPT) {
				cfg = parse_ok(b.data);
				assert_int_equal(cfg->global.nto, LIM_RCPT);
				config_free(cfg);
			}
			continue;
		}
		assert_int_equal(config_parse("t.ini", b.data, b.len, &cfg,
		    err, sizeof(err)), -1);
		assert_string_equal(err, "t.ini:3: key 'to': more than 32 "
		    "addresses");
	}
	buf_free(&b);
}

static const struct {
	const char *text, *err;
} bad[] = {
	{ "", "t.ini:0: key 'from': required in [rss2mail]" },
	{ "[rss2mail]\nto = a@b.c\n",
	    "t.ini:1: key 'from': required in [rss2mail]" },
	{ "; hi\n[rss2mail]\nfrom = a@b.c\n",
	    "t.ini:2: key 'to': required in [rss2mail]" },
	{ HEAD "fomr = x@y.z\n",
	    "t.ini:4: key 'fomr': unknown key, did you mean 'from'?" },
	{ HEAD "colour = blue\n", "t.ini:4: key 'colour': unknown key" },
	{ HEAD "deliver = imap\n",
	    "t.ini:1: key 'imap-url': required when deliver = imap in "
	    "[rss2mail]" },
	{ HEAD "deliver = smtp\n",
	    "t.ini:1: key 'smtp-url': required when deliver = smtp in "
	    "[rss2mail]" },
	{ HEAD "deliver = lmtp\n",
	    "t.ini:1: key 'lmtp-url': required when deliver = lmtp in "
	    "[rss2mail]" },
	{ HEAD "smtp-url = imap://mail.example.org\n",
	    "t.ini:4: key 'smtp-url': 'imap://mail.example.org' is not an "
	    "smtp:// or smtps:// URL" },
	{ HEAD "envelope-from = Bounces <b@example.org>\n",
	    "t.ini:4: key 'envelope-from': write a bare address "
	    "(a@b.example), without a name or <>" },
	{ HEAD "deliver = sendmail\nenvelope-from = b@elsewhere.example\n",
	    "t.ini:5: key 'envelope-from': b@elsewhere.example is not in the "
	    "domain of from (example.org): SPF and DMARC would not align" },
	{ HEAD "deliver = pop3\n",
	    "t.ini:4: key 'deliver': 'pop3' is not one of maildir | imap | smtp | "
	    "lmtp | sendmail" },
	{ HEAD "imap-tls = ssl\n", "t.ini:4: key 'imap-tls': 'ssl' is not "
	    "one of implicit | starttls | none" },
	{ HEAD "imap-auth = cram-md5\n", "t.ini:4: key 'imap-auth': "
	    "'cram-md5' is not one of login | plain | xoauth2" },
	{ HEAD "html = maybe\n", "t.ini:4: key 'html': 'maybe' is not yes "
	    "or no" },
	{ HEAD "interval = 5x\n", "t.ini:4: key 'interval': '5x' is not a "
	    "duration like 30s, 5m, 1h or 2d" },
	{ HEAD "timeout = 0\n", "t.ini:4: key 'timeout': 0 is out of range "
	    "(1 to 86400 seconds)" },
	{ HEAD "max-feed-size = 10Q\n", "t.ini:4: key 'max-feed-size': "
	    "'10Q' is not a size like 512k or 16M" },
	{ HEAD "image-budget = 100\n", "t.ini:4: key 'image-budget': 100 is "
	    "out of range (1024 to 67108864 bytes)" },
	{ HEAD "image-budget = 1 MB\n", "t.ini:4: key 'image-budget': '1 MB' "
	    "is not a size like 512k or 16M" },
	{ HEAD "[feed.a]\nurl = /x\nimage-timeout = 2h\n", "t.ini:6: key "
	    "'image-timeout': 2h is out of range (1 to 3600 seconds)" },
	{ HEAD "image-timeout = soon\n", "t.ini:4: key 'image-timeout': "
	    "'soon' is not a duration like 30s, 5m, 1h or 2d" },
	{ HEAD "image-time-limit = 0\n", "t.ini:4: key 'image-time-limit': 0 "
	    "is out of range (1 to 86400 seconds)" },
	{ HEAD "[feed.a]\nurl = /x\nimage-time-limit = 5m\n", "t.ini:6: key "
	    "'image-time-limit': only allowed in [rss2mail]" },
	{ HEAD "concurrency = 0\n", "t.ini:4: key 'concurrency': 0 is out "
	    "of range (1 to 1024)" },
	{ HEAD "concurrency = -3\n", "t.ini:4: key 'concurrency': '-3' is "
	    "not a number" },
	{ HEAD "imap-connections = 0\n", "t.ini:4: key 'imap-connections': "
	    "0 is out of range (1 to 16)" },
	{ HEAD "imap-connections = 17\n", "t.ini:4: key 'imap-connections': "
	    "17 is out of range (1 to 16)" },
	{ HEAD "smtp-connections = 0\n", "t.ini:4: key 'smtp-connections': "
	    "0 is out of range (1 to 16)" },
	{ HEAD "imap-url = https://x.example/\n", "t.ini:4: key 'imap-url': "
	    "'https://x.example/' is not an imap:// or imaps:// URL" },
	{ HEAD "imap-url = imap:///INBOX\n", "t.ini:4: key 'imap-url': "
	    "'imap:///INBOX' has no host" },
	{ "[rss2mail]\nfrom = Feeds <feeds@>\n", "t.ini:2: key 'from': "
	    "'feeds@' is not an address like user@example.org" },
	{ "[rss2mail]\nfrom = a@b@c\n", "t.ini:2: key 'from': 'a@b@c' is not "
	    "an address like user@example.org" },
	{ "[rss2mail]\nfrom = my name@b.c\n", "t.ini:2: key 'from': address "
	    "'my name@b.c' contains ' '" },
	{ "[rss2mail]\nfrom = Feeds feeds@b.c>\n", "t.ini:2: key 'from': "
	    "'>' without '<'" },
	{ "[rss2mail]\nfrom = a@b..c\n", "t.ini:2: key 'from': address "
	    "'a@b..c' has a bad domain" },
	{ HEAD "to = x@y.z\n", "t.ini:4: key 'to': duplicate (first at line "
	    "3): list several addresses in one line, separated by commas" },
	{ "[rss2mail]\nfrom = a@b.c\nto = me@x.org,\n", "t.ini:3: key 'to': "
	    "an empty address in the list (one comma too many?)" },
	{ "[rss2mail]\nfrom = a@b.c\nto = me@x.org, , b@x.org\n", "t.ini:3: "
	    "key 'to': an empty address in the list (one comma too many?)" },
	{ "[rss2mail]\nfrom = a@b.c\nto = me@x.org, Me@X.org\n", "t.ini:3: "
	    "key 'to': Me@X.org is listed twice" },
	{ "[rss2mail]\nfrom = a@b.c\nto = Doe, Jane <j@x.org>\n", "t.ini:3: "
	    "key 'to': 'Doe' is not an address (a display name with a comma "
	    "goes in double quotes)" },
	{ "[rss2mail]\nfrom = a@b.c\nto = me@x.org, bob@\n", "t.ini:3: key "
	    "'to': 'bob@' is not an address like user@example.org" },
	{ HEAD "password = x\npassword-command = y\n", "t.ini:5: key "
	    "'password-command': 'password' is already set (line 4): use "
	    "only one of password, password-file, password-command" },
	{ HEAD "html =\n", "t.ini:4: key 'html': empty value" },
	{ HEAD "html = ; no value\n", "t.ini:4: key 'html': empty value" },
	{ HEAD "url = http://x.example/\n", "t.ini:4: key 'url': only allowed "
	    "in a [feed.NAME] section" },
	{ HEAD "[feed.a]\nurl = /x\nstate = /y\n", "t.ini:6: key 'state': "
	    "only allowed in [rss2mail]" },
	{ HEAD "[feed.a]\nfolder = x\n",
	    "t.ini:4: key 'url': required in [feed.a]" },
	{ HEAD "[feed.a]\nurl = ftp://x.example/f\n", "t.ini:5: key 'url': "
	    "'ftp:' URLs are not supported: use http://, https://, file:// or "
	    "a local path" },
	{ HEAD "[feed.a]\nurl = http://\n", "t.ini:5: key 'url': 'http://' "
	    "has no host" },
	{ HEAD "[feed.a]\nurl = http://x.example/a b\n", "t.ini:5: key "
	    "'url': a URL cannot contain spaces (write %20)" },
	{ HEAD "[feed.a]\nurl = file:/x\n", "t.ini:5: key 'url': write a "
	    "file URL as file:///path" },
	{ HEAD "[feed.a]\nurl = /x\ndeliver = imap\n", "t.ini:4: key "
	    "'imap-url': required when deliver = imap in [feed.a]" },
	{ HEAD "[feed.a]\nurl = /x\n[feed.b]\nurl = /y\n[feed.a]\nurl = /z\n",
	    "t.ini:8: duplicate section [feed.a] (first at line 4)" },
	{ HEAD "[rss2mail]\n",
	    "t.ini:4: duplicate section [rss2mail] (first at line 1)" },
	{ HEAD "[general]\n", "t.ini:4: unknown section [general]: expected "
	    "[rss2mail] or [feed.NAME]" },
	{ HEAD "[feed..hidden]\nurl = /x\n", "t.ini:4: bad feed name "
	    "'.hidden': use letters, digits, '.', '_' and '-', not starting "
	    "with '.'" },
	{ HEAD "[feed.a/b]\nurl = /x\n", "t.ini:4: bad feed name 'a/b': use "
	    "letters, digits, '.', '_' and '-', not starting with '.'" },
	{ HEAD "[feed.]\nurl = /x\n", "t.ini:4: bad feed name '': use "
	    "letters, digits, '.', '_' and '-', not starting with '.'" },
	{ "from = a@b.c\n[rss2mail]\n", "t.ini:1: key 'from': outside a "
	    "section (start with [rss2mail])" },
	{ HEAD "this is not ini\n", "t.ini:4: expected 'key = value', "
	    "'[section]' or a comment" },
	{ HEAD "[feed.a\n", "t.ini:4: bad section header: expected "
	    "'[name]'" },
	{ HEAD "[feed.a] trailing\n", "t.ini:4: bad section header: expected "
	    "'[name]'" },
	{ HEAD "[ ]\n", "t.ini:4: empty section name" },
	{ HEAD "subject = a\x01" "b\n", "t.ini:4: key 'subject': control "
	    "character in value" },
	{ HEAD "subject = \xC3\x28\n", "t.ini:4: not valid UTF-8" },
	/* C1 controls and the Unicode line separators are controls too */
	{ HEAD "subject = a\xC2\x85" "b\n", "t.ini:4: key 'subject': control "
	    "character in value" },
	{ HEAD "subject = a\xC2\x9B" "31m\n", "t.ini:4: key 'subject': "
	    "control character in value" },
	{ HEAD "subject = a\xE2\x80\xA8" "b\n", "t.ini:4: key 'subject': "
	    "control character in value" },
	{ HEAD "[feed.a]\nurl = /x\ntitle = \xE2\x80\xA9\n", "t.ini:6: key "
	    "'title': control character in value" },
	/* a name in error text cannot carry a control character */
	{ HEAD "[a\rb]\n", "t.ini:4: unknown section [a\\x0Db]: expected "
	    "[rss2mail] or [feed.NAME]" },
	{ HEAD "[feed.a\x1B[2J]\nurl = /x\n", "t.ini:4: bad feed name "
	    "'a\\x1B[2J': use letters, digits, '.', '_' and '-', not starting "
	    "with '.'" },
	{ HEAD "[x\xC2\x85]\n[x\xC2\x85]\n", "t.ini:5: duplicate section "
	    "[x\\u0085] (first at line 4)" },
	{ HEAD "subject = {titel}\n", "t.ini:4: key 'subject': unknown "
	    "placeholder {titel} (use {title} {feed} {author} {date})" },
	{ HEAD "[feed.a]\nurl = /x\nfolder = Feeds/{feed}\n", "t.ini:6: key "
	    "'folder': unknown placeholder {feed} (use {name} {category})" },
	{ HEAD "subscribe-folder = Feeds/Subscribe\n", "t.ini:4: key "
	    "'subscribe-folder': only with deliver = imap (the folder is read "
	    "over IMAP)" },
	{ HEAD "deliver = imap\nimap-url = imap://u@h/F\nsubscribe-folder = "
	    "inbox\n", "t.ini:6: key 'subscribe-folder': not INBOX: name a "
	    "folder of its own" },
	{ HEAD "[feed.a]\nurl = /x\nsubscribe-folder = S\n", "t.ini:6: key "
	    "'subscribe-folder': only allowed in [rss2mail]" },
};

static void
test_errors(void **state)
{
	struct config *cfg;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cfg = (struct config *)1;
		if (config_parse("t.ini", bad[i].text, strlen(bad[i].text),
		    &cfg, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed: %s", i, bad[i].text);
		assert_null(cfg);
		if (strcmp(err, bad[i].err) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err,
			    bad[i].err);
	}
}

/* include, exclude, http-header: repeatable, global then per feed, lines
 * kept for errors found later; patterns compiled at load. */
static void
test_lists(void **state)
{
	struct config *cfg;
	const struct config_settings *g, *a, *b;

	config_set_rule_check(filter_check_rule);
	cfg = parse_ok(HEAD "exclude = title:^Ad\nexclude = tag:spam\n"
	    "http-header = X-A: 1\nmax-age = 30d\ndedupe = id\n"
	    "[feed.a]\nurl = /x\ninclude = author:(?i)jane\n"
	    "exclude = link:\\?ref=\nhttp-header-command = Cookie: pass c\n"
	    "[feed.b]\nurl = /y\nmax-age = 1h\n");
	g = &cfg->global;
	a = &cfg->feeds[0].s;
	b = &cfg->feeds[1].s;
	assert_int_equal(cfg->dedupe, CONFIG_DEDUPE_ID);
	assert_int_equal(g->exclude.n, 2);
	assert_string_equal(g->exclude.v[1], "tag:spam");
	assert_int_equal(g->exclude.line[1], 5);
	assert_int_equal(a->exclude.n, 3);
	assert_string_equal(a->exclude.v[0], "title:^Ad");
	assert_string_equal(a->exclude.v[2], "link:\\?ref=");
	assert_int_equal(a->exclude.line[2], 12);
	assert_int_equal(a->include.n, 1);
	assert_int_equal(b->include.n, 0);
	assert_int_equal(b->exclude.n, 2);
	assert_int_equal(a->http_headers.n, 1);
	assert_string_equal(a->http_header_commands.v[0], "Cookie: pass c");
	assert_int_equal(g->max_age, 30 * 86400);
	assert_int_equal(a->max_age, 30 * 86400);
	assert_int_equal(b->max_age, 3600);
	config_free(cfg);
	cfg = parse_ok(HEAD);
	assert_int_equal(cfg->dedupe, CONFIG_DEDUPE_LINK);
	assert_int_equal(cfg->global.max_age, 0);
	assert_int_equal(cfg->global.include.n, 0);
	config_free(cfg);
}

static const struct {
	const char	*text, *err;
} bad_lists[] = {
	{ HEAD "include = title:(a\n", "t.ini:4: key 'include': bad pattern "
	    "at offset 2: missing closing parenthesis" },
	{ HEAD "[feed.a]\nurl = /x\nexclude = colour:red\n", "t.ini:6: key "
	    "'exclude': unknown field 'colour' (title, author, tag, content, "
	    "link)" },
	{ HEAD "http-header = Host: evil\n", "t.ini:4: key 'http-header': "
	    "header 'Host' cannot be set: rss2mail sends it itself" },
	{ HEAD "http-header = if-none-match: x\n", "t.ini:4: key "
	    "'http-header': header 'if-none-match' cannot be set: rss2mail "
	    "sends it itself" },
	{ HEAD "http-header-command = Content-Length: echo 1\n", "t.ini:4: "
	    "key 'http-header-command': header 'Content-Length' cannot be "
	    "set: rss2mail sends it itself" },
	{ HEAD "http-header = X-Empty:\n", "t.ini:4: key 'http-header': "
	    "'X-Empty:' is not a header like 'Name: value'" },
	{ HEAD "http-header = Bad Name: x\n", "t.ini:4: key 'http-header': "
	    "'Bad Name: x' is not a header like 'Name: value'" },
	{ HEAD "dedupe = url\n", "t.ini:4: key 'dedupe': 'url' is not one "
	    "of link | id | off" },
	{ HEAD "[feed.a]\nurl = /x\ndedupe = off\n", "t.ini:6: key "
	    "'dedupe': only allowed in [rss2mail]" },
	{ HEAD "max-age = soon\n", "t.ini:4: key 'max-age': 'soon' is not a "
	    "duration like 30s, 5m, 1h or 2d" },
};

static void
test_list_errors(void **state)
{
	struct config *cfg;
	char err[ERRLEN];
	size_t i;

	config_set_rule_check(filter_check_rule);
	for (i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		err[0] = '\0';
		if (config_parse("t.ini", bad_lists[i].text,
		    strlen(bad_lists[i].text), &cfg, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed: %s", i, bad_lists[i].text);
		if (strcmp(err, bad_lists[i].err) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err,
			    bad_lists[i].err);
	}
}

static void
test_limits(void **state)
{
	struct buf b = BUF_INIT(0);
	struct config *cfg;
	char err[ERRLEN], want[128];
	size_t i;

	buf_puts(&b, HEAD "subject = ");
	for (i = 0; i < LIM_CONFIG_LINE; i++)
		buf_putc(&b, 'x');
	buf_putc(&b, '\n');
	assert_int_equal(config_parse("t.ini", b.data, b.len, &cfg, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "t.ini:4: line too long (over %u bytes)",
	    (unsigned)LIM_CONFIG_LINE);
	assert_string_equal(err, want);

	buf_reset(&b);
	buf_puts(&b, HEAD);
	while (b.len <= LIM_CONFIG_SIZE)
		buf_puts(&b, "; filler filler filler filler filler\n");
	assert_int_equal(config_parse("t.ini", b.data, b.len, &cfg, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "t.ini: file too large (over %u bytes)",
	    (unsigned)LIM_CONFIG_SIZE);
	assert_string_equal(err, want);

	assert_int_equal(config_parse("t.ini", HEAD "a\0b\n",
	    sizeof(HEAD "a\0b\n") - 1, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "t.ini:4: NUL byte");
	buf_free(&b);

	/* imap-connections: 1 and 16 are the bounds (0 and 17 in errors) */
	cfg = parse_ok(HEAD "imap-connections = 1\n");
	assert_int_equal(cfg->imap_connections, 1);
	config_free(cfg);
	cfg = parse_ok(HEAD "imap-connections = 16\n");
	assert_int_equal(cfg->imap_connections, 16);
	config_free(cfg);
	cfg = parse_ok(HEAD "smtp-connections = 16\n");
	assert_int_equal(cfg->smtp_connections, 16);
	config_free(cfg);
}

/* Many feeds: duplicate detection must not be quadratic. */
static void
test_many_feeds(void **state)
{
	struct buf b = BUF_INIT(0);
	struct config *cfg;
	char err[ERRLEN];
	int i;

	buf_puts(&b, HEAD);
	for (i = 0; i < 5000 && b.len < LIM_CONFIG_SIZE - 200; i++)
		buf_printf(&b, "[feed.f%d]\nurl = https://h%d.example/\n", i,
		    i);
	if (config_parse("t.ini", b.data, b.len, &cfg, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(cfg->nfeeds, (size_t)i);
	assert_string_equal(config_find_feed(cfg, "f7")->url,
	    "https://h7.example/");
	config_free(cfg);
	buf_free(&b);
}

static void
test_default_path(void **state)
{
	char *p;

	setenv("HOME", "/home/u", 1);
	setenv("RSS2MAIL_CONFIG", "/etc/r.ini", 1);
	p = config_default_path();
	assert_string_equal(p, "/etc/r.ini");
	free(p);
	unsetenv("RSS2MAIL_CONFIG");
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	p = config_default_path();
	assert_string_equal(p, "/xdg/rss2mail/config.ini");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	assert_string_equal(p, "/home/u/.config/rss2mail/config.ini");
	free(p);
}

static void
collect(void *ctx, const char *line)
{
	struct buf *b = ctx;

	buf_printf(b, "%s\n", line);
}

/* Each strict error is also among config_check's (run over the table). */
static void
test_check_agrees(void **state)
{
	struct buf path = BUF_INIT(0), got = BUF_INIT(0), want = BUF_INIT(0);
	char err[ERRLEN];
	size_t i;

	buf_printf(&path, "%s/t.ini", tu_tmpdir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fs_write_atomic(path.data, bad[i].text,
		    strlen(bad[i].text), 0600, err, sizeof(err)) == -1)
			fail_msg("%s", err);
		buf_reset(&got);
		buf_reset(&want);
		buf_printf(&want, "%s/%s\n", tu_tmpdir, bad[i].err);
		if (config_check(path.data, collect, &got, err,
		    sizeof(err)) < 1 ||
		    strstr(buf_str(&got), want.data) == NULL)
			fail_msg("case %zu: want %s got %s", i, want.data,
			    buf_str(&got));
	}
	buf_free(&path);
	buf_free(&got);
	buf_free(&want);
}

/* config_check: every error, in line order, each reported once. */
static void
test_check_all(void **state)
{
#define MP "tests/data/config/many-errors.ini"
	static const char want[] =
	    MP ":2: key 'from': required in [rss2mail]\n"
	    MP ":3: key 'fomr': unknown key, did you mean 'from'?\n"
	    MP ":5: key 'deliver': 'pop3' is not one of maildir | imap | "
	    "smtp | lmtp | sendmail\n"
	    MP ":6: key 'interval': 'soon' is not a duration like 30s, 5m, "
	    "1h or 2d\n"
	    MP ":7: expected 'key = value', '[section]' or a comment\n"
	    MP ":12: bad feed name 'bad url': use letters, digits, '.', '_' "
	    "and '-', not starting with '.'\n"
	    MP ":17: key 'url': 'gopher:' URLs are not supported: use "
	    "http://, https://, file:// or a local path\n"
	    MP ":18: key 'paused': 'maybe' is not yes or no\n"
	    MP ":20: key 'url': required in [feed.nourl]\n"
	    MP ":22: key 'state': only allowed in [rss2mail]\n"
	    MP ":24: duplicate section [feed.ok] (first at line 9)\n"
	    MP ":27: bad section header: expected '[name]'\n";
	struct buf got = BUF_INIT(0);
	char err[ERRLEN];
	int n;

	n = config_check(MP, collect, &got, err, sizeof(err));
	assert_string_equal(buf_str(&got), want);
	assert_int_equal(n, 12);

	/* a good file: no errors; a missing one: -1 */
	buf_reset(&got);
	assert_int_equal(config_check("tests/data/config/commented.ini",
	    collect, &got, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&got), "");
	assert_int_equal(config_check("tests/data/config/nope.ini", collect,
	    &got, err, sizeof(err)), -1);
	assert_string_equal(err, "tests/data/config/nope.ini: No such file or "
	    "directory");
#undef MP
	buf_free(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_image_keys),
		cmocka_unit_test(test_from_forms),
		cmocka_unit_test(test_to_list),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_many_feeds),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_check_all),
		cmocka_unit_test(test_check_agrees),
	};

	return cmocka_run_group_tests(tests, tu_tmpdir_setup,
	    tu_tmpdir_teardown);
}
