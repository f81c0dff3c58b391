/*
 * test_imap_session.c - the parts of imap_session.c that need no server:
 * capability lookup and bits from libetpan's list (also a list libetpan
 * kept only in part), which libetpan codes mean a lost connection, the
 * settings built from deliver_cfg, and the one-line error text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_session.h"
#include "utf8.h"
#include "util.h"

int main(void);

/* A capability list as libetpan keeps it, from words; "-" stands for an
 * entry libetpan left empty. */
static struct mailimap_capability_data *
caps_from(const char *words)
{
	struct mailimap_capability *cap;
	char *copy = xstrdup(words), *w, *save = NULL;
	clist *l = clist_new();

	assert_non_null(l);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "-") == 0)
			cap = NULL;
		else if (strncmp(w, "AUTH=", 5) == 0)
			cap = mailimap_capability_new(
			    MAILIMAP_CAPABILITY_AUTH_TYPE, xstrdup(w + 5),
			    NULL);
		else
			cap = mailimap_capability_new(
			    MAILIMAP_CAPABILITY_NAME, NULL, xstrdup(w));
		assert_int_equal(clist_append(l, cap), 0);
	}
	free(copy);
	return mailimap_capability_data_new(l);
}

static void
caps_free(struct mailimap_capability_data *d)
{
	clistiter *it;

	/* entries left empty are not libetpan's to free */
	for (it = clist_begin(d->cap_list); it != NULL; ) {
		clistiter *next = clist_next(it);

		if (clist_content(it) == NULL)
			clist_delete(d->cap_list, it);
		it = next;
	}
	mailimap_capability_data_free(d);
}

static void
test_caps(void **state)
{
	static const struct {
		const char	*list;
		unsigned	 bits;
		const char	*has, *hasnt;
	} tab[] = {
		{ "IMAP4rev1", 0, "imap4REV1", "LITERAL+" },
		{ "IMAP4rev1 LITERAL+ MULTIAPPEND UIDPLUS NAMESPACE SASL-IR",
		    IMAP_CAP_LITERALPLUS | IMAP_CAP_MULTIAPPEND |
		    IMAP_CAP_UIDPLUS | IMAP_CAP_NAMESPACE | IMAP_CAP_SASL_IR,
		    "sasl-ir", "STARTTLS" },
		{ "literal+ uidplus", IMAP_CAP_LITERALPLUS | IMAP_CAP_UIDPLUS,
		    "LITERAL+", "LITERAL-" },
		{ "LITERAL- MULTIAPPEND", IMAP_CAP_MULTIAPPEND, "LITERAL-",
		    "LITERAL+" },
		{ "STARTTLS AUTH=PLAIN AUTH=XOAUTH2 LOGINDISABLED", 0,
		    "auth=xoauth2", "AUTH=LOGIN" },
		{ "AUTH=PLAIN", 0, "AUTH=PLAIN", "PLAIN" },
		{ "- UIDPLUS -", IMAP_CAP_UIDPLUS, "UIDPLUS", "NAMESPACE" },
		{ "", 0, NULL, "IMAP4rev1" },
	};
	struct mailimap_capability_data *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		d = caps_from(tab[i].list);
		if (imap_caps_bits(d) != tab[i].bits)
			fail_msg("\"%s\": bits %#x, expected %#x", tab[i].list,
			    imap_caps_bits(d), tab[i].bits);
		if (tab[i].has != NULL && !imap_caps_has(d, tab[i].has))
			fail_msg("\"%s\" lacks %s", tab[i].list, tab[i].has);
		if (imap_caps_has(d, tab[i].hasnt))
			fail_msg("\"%s\" has %s", tab[i].list, tab[i].hasnt);
		caps_free(d);
	}
	/* no list, or a list without entries: nothing */
	assert_int_equal(imap_caps_bits(NULL), 0);
	assert_false(imap_caps_has(NULL, "IMAP4rev1"));
	d = mailimap_capability_data_new(NULL);
	assert_non_null(d);
	assert_false(imap_caps_has(d, "IMAP4rev1"));
	free(d);
}

static void
test_conn_codes(void **state)
{
	static const struct {
		int	 r;
		int	 lost;
	} tab[] = {
		{ MAILIMAP_NO_ERROR, 0 },
		{ MAILIMAP_ERROR_STREAM, 1 },
		{ MAILIMAP_ERROR_PARSE, 1 },
		{ MAILIMAP_ERROR_FATAL, 1 },
		{ MAILIMAP_ERROR_PROTOCOL, 1 },
		{ MAILIMAP_ERROR_BAD_STATE, 1 },
		{ MAILIMAP_ERROR_CONNECTION_REFUSED, 1 },
		{ MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION, 1 },
		{ MAILIMAP_ERROR_MEMORY, 1 },
		{ MAILIMAP_ERROR_SSL, 1 },
		/* refusals: the session stays usable */
		{ MAILIMAP_ERROR_APPEND, 0 },
		{ MAILIMAP_ERROR_CREATE, 0 },
		{ MAILIMAP_ERROR_SELECT, 0 },
		{ MAILIMAP_ERROR_EXAMINE, 0 },
		{ MAILIMAP_ERROR_LOGIN, 0 },
		{ MAILIMAP_ERROR_CAPABILITY, 0 },
		{ MAILIMAP_ERROR_UID_SEARCH, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (imap_code_conn_lost(tab[i].r) != tab[i].lost)
			fail_msg("code %d: expected %d", tab[i].r, tab[i].lost);
}

static void
test_conf(void **state)
{
	static const struct {
		const char	*url;
		enum deliver_tls tls, want_tls;
		const char	*user, *auth;
		long		 timeout;
		const char	*want_user, *want_auth;
		long		 want_timeout;
	} tab[] = {
		{ "imaps://me@h/Feeds", DELIVER_TLS_DEFAULT,
		    DELIVER_TLS_IMPLICIT, NULL, NULL, 0, NULL, NULL, 60 },
		{ "imap://me@h", DELIVER_TLS_DEFAULT, DELIVER_TLS_STARTTLS,
		    "", "", 5, NULL, NULL, 5 },
		{ "imap://me@h", DELIVER_TLS_NONE, DELIVER_TLS_NONE, "you",
		    "plain", -1, "you", "plain", 60 },
		{ "imaps://me;AUTH=XOAUTH2@h", DELIVER_TLS_DEFAULT,
		    DELIVER_TLS_IMPLICIT, NULL, NULL, 0, NULL, "XOAUTH2", 60 },
		{ "imaps://me;AUTH=XOAUTH2@h", DELIVER_TLS_STARTTLS,
		    DELIVER_TLS_STARTTLS, NULL, "login", 0, NULL, "login",
		    60 },
		{ "imaps://me;AUTH=*@h", DELIVER_TLS_DEFAULT,
		    DELIVER_TLS_IMPLICIT, NULL, NULL, 0, NULL, NULL, 60 },
	};
	struct deliver_cfg cfg;
	struct imap_conf conf;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.imap_url = tab[i].url;
		cfg.tls = tab[i].tls;
		cfg.user = tab[i].user;
		cfg.auth = tab[i].auth;
		cfg.timeout = tab[i].timeout;
		cfg.password = "secret";
		if (imap_conf_init(&conf, &cfg, err, sizeof(err)) < 0)
			fail_msg("%s: %s", tab[i].url, err);
		assert_int_equal(conf.tls, tab[i].want_tls);
		if (tab[i].want_user == NULL)
			assert_null(conf.user);
		else
			assert_string_equal(conf.user, tab[i].want_user);
		if (tab[i].want_auth == NULL)
			assert_null(conf.auth);
		else
			assert_string_equal(conf.auth, tab[i].want_auth);
		assert_int_equal(conf.timeout, tab[i].want_timeout);
		assert_string_equal(conf.password, "secret");
		imap_conf_free(&conf);
		assert_null(conf.password);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.imap_url = "http://h/";
	assert_int_equal(imap_conf_init(&conf, &cfg, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
}

/* Error text is one line of valid UTF-8 naming the host, whatever the
 * server sent; a fresh session is dead and frees without a server. */
static void
test_err_line(void **state)
{
	struct deliver_cfg cfg;
	struct imap_conf conf;
	struct imap_session *ses;
	char err[ERRLEN];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.imap_url = "imaps://me@imap.example.org/Feeds";
	cfg.password = "secret";
	assert_int_equal(imap_conf_init(&conf, &cfg, err, sizeof(err)), 0);
	ses = imap_session_new(&conf);
	assert_non_null(ses);
	assert_true(ses->dead);
	assert_string_equal(imap_server_text(ses), "no reason given");
	assert_string_equal(imap_resp_atom(ses), "");
	imap_err(ses, err, sizeof(err), "append to \"%s\": %s", "F",
	    "bad\r\nX-Injected: 1\xff");
	assert_non_null(strstr(err, "imap imap.example.org: append to \"F\": "
	    "bad"));
	assert_null(strchr(err, '\r'));
	assert_null(strchr(err, '\n'));
	assert_true(utf8_valid(err, strlen(err)));
	imap_session_begin(ses);
	imap_session_check_idle(ses);	/* no session: nothing to check */
	imap_session_free(ses);
	imap_session_free(NULL);
	imap_conf_free(&conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_conn_codes),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_err_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
