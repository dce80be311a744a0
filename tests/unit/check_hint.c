/*
 * Unit tests for lib/hint.c: one row per piece of evidence (the relay's
 * port, TLS mode and preset; the stage, how the connection failed, the
 * server's reply), the hint it must give, and the configuration key the
 * hint must name so the user knows what to change.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "hint.h"
#include "net.h"

struct hint_case {
	const char *what;
	unsigned port;
	enum cfg_tls tls;
	const char *preset;
	enum smtp_status status;
	enum smtp_stage stage;
	int	net;
	const char *reply;	/* as the server sent it, or NULL */
	const char *want;	/* a piece of the hint; NULL: no hint */
	const char *key;	/* the key it must name */
};

static const struct hint_case cases[] = {
	{ "STARTTLS on a port that speaks TLS at once, port unknown", 2465,
	    CFG_TLS_STARTTLS, NULL, SMTP_TEMP, SMTP_STAGE_GREETING,
	    NET_ETIMEOUT, NULL, "if the port speaks TLS at once", "tls = implicit" },
	{ "STARTTLS on 465, silence", 465, CFG_TLS_STARTTLS, NULL, SMTP_TEMP,
	    SMTP_STAGE_GREETING, NET_ETIMEOUT, NULL,
	    "port 465 speaks TLS at once", "tls = implicit" },
	{ "no TLS on 465, the server hangs up", 465, CFG_TLS_NONE, NULL,
	    SMTP_TEMP, SMTP_STAGE_GREETING, NET_EOF, NULL,
	    "port 465 speaks TLS at once", "tls = implicit" },
	{ "preset = gmail with port = 465", 465, CFG_TLS_STARTTLS, "gmail",
	    SMTP_TEMP, SMTP_STAGE_GREETING, NET_ETIMEOUT, NULL,
	    "preset = gmail uses STARTTLS on port 587", "tls = implicit" },
	{ "preset = gmail with port = 465 names the port to remove", 465,
	    CFG_TLS_STARTTLS, "gmail", SMTP_TEMP, SMTP_STAGE_GREETING,
	    NET_ETIMEOUT, NULL, "[relay r]", "remove port = 465" },
	{ "implicit TLS on a port that greets in plain text", 587,
	    CFG_TLS_IMPLICIT, NULL, SMTP_TLSFAIL, SMTP_STAGE_CONNECT,
	    NET_EPLAIN, "220 smtp.example.org ESMTP\r\n",
	    "port 587 speaks plain SMTP first", "tls = starttls" },
	{ "implicit TLS on port 25", 25, CFG_TLS_IMPLICIT, NULL, SMTP_TLSFAIL,
	    SMTP_STAGE_CONNECT, NET_EPLAIN, NULL,
	    "port 25 speaks plain SMTP first", "tls = starttls" },
	{ "connect timeout on an unusual port", 2525, CFG_TLS_STARTTLS, NULL,
	    SMTP_TEMP, SMTP_STAGE_CONNECT, NET_ETIMEOUT, NULL,
	    "no answer from port 2525", "port = 587" },
	{ "connect timeout on an unusual port suggests 465 too", 26,
	    CFG_TLS_NONE, NULL, SMTP_TEMP, SMTP_STAGE_CONNECT, NET_ETIMEOUT,
	    NULL, "often block ports other than 587 and 465", "port = 465" },
	{ "connect timeout on 587 is no port advice", 587, CFG_TLS_STARTTLS,
	    NULL, SMTP_TEMP, SMTP_STAGE_CONNECT, NET_ETIMEOUT, NULL,
	    "a firewall probably drops", "host" },
	{ "connection refused", 2525, CFG_TLS_STARTTLS, NULL, SMTP_TEMP,
	    SMTP_STAGE_CONNECT, NET_ECONNECT, NULL, "nothing listens there",
	    "port" },
	{ "535: wrong or expired password", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK,
	    "535 5.7.8 Authentication credentials invalid\r\n",
	    "wrong or expired password", "password_file" },
	{ "535 asks for an app password", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK, "535 5.7.8 no\r\n",
	    "app password", "username" },
	{ "5.7.139: SMTP AUTH disabled", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK,
	    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
	    "is disabled for the Tenant\r\n", "basic) authentication turned "
	    "off", "auth = xoauth2" },
	{ "5.7.30: basic auth not supported", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK,
	    "535 5.7.30 Basic authentication is not supported for Client "
	    "Submission\r\n", "basic) authentication turned off",
	    "--oauth2-login" },
	{ "5.7.14: Google web login", 587, CFG_TLS_STARTTLS, "gmail",
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK,
	    "534-5.7.14 <https://accounts.google.com/signin/continue>\r\n"
	    "534-5.7.14 Please log in via your web browser and\r\n"
	    "534 5.7.14 then try again.\r\n", "web browser login",
	    "password_file" },
	{ "534 5.7.9: app password required", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NET_OK,
	    "534 5.7.9 Application-specific password required\r\n",
	    "app password", "password_file" },
	{ "5.7.54: unable to relay, connector", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_PERM, SMTP_STAGE_RCPT, NET_OK,
	    "550 5.7.54 SMTP; Unable to relay recipient in non-accepted "
	    "domain\r\n", "authorised IP ranges", "username" },
	{ "5.7.64: tenant attribution", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_PERM, SMTP_STAGE_RCPT, NET_OK,
	    "550 5.7.64 TenantAttribution; Relay Access Denied\r\n",
	    "authorised IP ranges", "password_file" },
	{ "Postfix: client host rejected", 25, CFG_TLS_STARTTLS, NULL,
	    SMTP_PERM, SMTP_STAGE_RCPT, NET_OK,
	    "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access "
	    "denied\r\n", "authorised IP ranges", "username" },
	{ "STARTTLS not offered", 587, CFG_TLS_STARTTLS, NULL, SMTP_TLSFAIL,
	    SMTP_STAGE_STARTTLS, NET_OK, NULL, "no STARTTLS on this port",
	    "tls" },
	{ "530: STARTTLS or AUTH first", 587, CFG_TLS_NONE, NULL, SMTP_TEMP,
	    SMTP_STAGE_MAIL, NET_OK, "530 5.7.0 Authentication required\r\n",
	    "requires STARTTLS or AUTH", "username" },
	{ "554 5.7.1 at RCPT: relaying denied", 587, CFG_TLS_STARTTLS, NULL,
	    SMTP_PERM, SMTP_STAGE_RCPT, NET_OK,
	    "554 5.7.1 <x@example.net>: Relay access denied\r\n",
	    "relaying denied", "username" },
	{ "Office 365's 535 5.7.3: a password first, SMTP AUTH second", 587,
	    CFG_TLS_STARTTLS, "office365", SMTP_TEMP, SMTP_STAGE_AUTH, NET_OK,
	    "535 5.7.3 Authentication unsuccessful\r\n",
	    "wrong or expired password", "password_file" },
	/* No evidence, no hint. */
	{ "554 5.7.1 after the data is about the content", 587,
	    CFG_TLS_STARTTLS, NULL, SMTP_PERM, SMTP_STAGE_DOT, NET_OK,
	    "554 5.7.1 Message rejected as spam\r\n", NULL, NULL },
	{ "a 451 at MAIL", 587, CFG_TLS_STARTTLS, NULL, SMTP_TEMP,
	    SMTP_STAGE_MAIL, NET_OK, "451 4.3.0 try later\r\n", NULL, NULL },
	{ "a read timeout after EHLO", 2465, CFG_TLS_STARTTLS, NULL,
	    SMTP_TEMP, SMTP_STAGE_EHLO, NET_ETIMEOUT, NULL, NULL, NULL },
	{ "implicit TLS, a handshake that fails", 2465, CFG_TLS_IMPLICIT,
	    NULL, SMTP_TLSFAIL, SMTP_STAGE_CONNECT, NET_ETLS, NULL,
	    "check host", "tls_ca_file" },
	{ "a greeting that hangs up on port 2465 is no TLS evidence", 2465,
	    CFG_TLS_STARTTLS, NULL, SMTP_TEMP, SMTP_STAGE_GREETING, NET_EOF,
	    NULL, NULL, NULL },
};

static void
feed_reply(struct smtp_reply *r, const char *s)
{
	struct str err = STR_INIT;
	const char *nl;
	int rc = -1;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		rc = smtp_reply_feed(r, s, (size_t)(nl - s) + 1, &err);
		s = nl + 1;
	}
	ck_assert_int_eq(rc, SMTP_OK);
	str_free(&err);
}

START_TEST(test_hint_table)
{
	const struct hint_case *c = &cases[_i];
	struct cfg_relay relay;
	struct smtp_result res;
	struct str out = STR_INIT;
	bool got;

	memset(&relay, 0, sizeof(relay));
	relay.name = (char *)"r";
	relay.host = (char *)"smtp.example.org";
	relay.port = c->port;
	relay.tls = c->tls;
	relay.preset = (char *)c->preset;
	relay.timeout = 30;
	smtp_result_init(&res);
	res.status = c->status;
	res.stage = c->stage;
	res.net = c->net;
	if (c->reply != NULL)
		feed_reply(&res.reply, c->reply);
	str_setz(&res.text, "smtp.example.org: failed");
	got = hint_for(&relay, &res, &out);
	if (c->want == NULL) {
		ck_assert_msg(!got, "%s: unexpected hint \"%s\"", c->what,
		    str_cstr(&out));
		ck_assert_uint_eq(out.len, 0);
	} else {
		ck_assert_msg(got, "%s: no hint", c->what);
		ck_assert_msg(strstr(str_cstr(&out), c->want) != NULL,
		    "%s: \"%s\" not in \"%s\"", c->what, c->want,
		    str_cstr(&out));
		ck_assert_msg(strstr(str_cstr(&out), c->key) != NULL,
		    "%s: the hint does not name %s: \"%s\"", c->what, c->key,
		    str_cstr(&out));
		ck_assert_msg(strchr(str_cstr(&out), '\n') == NULL,
		    "%s: a hint is one line", c->what);
	}
	smtp_result_free(&res);
	str_free(&out);
}
END_TEST

/* An OAuth2 login refused after a fresh token: not "wrong password";
   and a failed refresh, which says what to do itself, gets no hint. */
START_TEST(test_hint_oauth2)
{
	struct cfg_relay relay;
	struct smtp_result res;
	struct str out = STR_INIT;

	memset(&relay, 0, sizeof(relay));
	relay.name = (char *)"o365";
	relay.host = (char *)"smtp.office365.com";
	relay.port = 587;
	relay.tls = CFG_TLS_STARTTLS;
	relay.oauth2.client_id = (char *)"cid";
	smtp_result_init(&res);
	res.status = SMTP_AUTHFAIL;
	res.stage = SMTP_STAGE_AUTH;
	feed_reply(&res.reply, "535 5.7.3 Authentication unsuccessful\r\n");
	str_setz(&res.text, "smtp.office365.com: authentication failed");
	ck_assert(hint_for(&relay, &res, &out));
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "refused a fresh OAuth2 "
	    "token"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "oauth2_scope"));
	ck_assert_ptr_null(strstr(str_cstr(&out), "password_file"));
	str_reset(&out);
	str_appendz(&res.text, "; a new access token: relay o365: OAuth2: "
	    "invalid_grant; sign in again");
	(void)hint_for(&relay, &res, &out);
	ck_assert_ptr_null(strstr(str_cstr(&out), "fresh OAuth2"));
	smtp_result_free(&res);
	str_free(&out);
}
END_TEST

/* Without a relay (none configured) only the reply speaks. */
START_TEST(test_hint_no_relay)
{
	struct smtp_result res;
	struct str out = STR_INIT;

	smtp_result_init(&res);
	res.status = SMTP_AUTHFAIL;
	res.stage = SMTP_STAGE_AUTH;
	feed_reply(&res.reply, "535 5.7.8 bad\r\n");
	ck_assert(hint_for(NULL, &res, &out));
	ck_assert(strstr(str_cstr(&out), "password_file") != NULL);
	smtp_result_free(&res);
	str_free(&out);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("hint");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_hint_table, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_hint_no_relay);
	tcase_add_test(tc, test_hint_oauth2);
	suite_add_tcase(s, tc);
	return s;
}
