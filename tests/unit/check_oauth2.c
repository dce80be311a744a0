/*
 * Unit tests for lib/oauth2.c and the file side of lib/oauth2_flow.c: the
 * token endpoint's answers (one row each: what it sent, the class it must
 * get, a piece of the text the user sees), the token file's round trip,
 * the device authorization answer, and oauth2_token() on real files with
 * an endpoint that cannot be reached (the exchanges with a real HTTPS
 * endpoint are tests/integration/oauth2.sh).
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "check_main.h"
#include "oauth2.h"

struct answer_case {
	const char *what;
	long	status;
	const char *body;
	int	want;
	const char *code;	/* the endpoint's error code, or NULL */
	const char *text;	/* a piece of err, or NULL */
};

static const struct answer_case answers[] = {
	{ "a bearer token", 200, "{\"access_token\":\"ya29.a-b_c~d+e/f==\","
	    "\"token_type\":\"Bearer\",\"expires_in\":3599}", OAUTH2_OK, NULL,
	    NULL },
	{ "expires_in as a string", 200, "{\"access_token\":\"t\","
	    "\"expires_in\":\"3600\"}", OAUTH2_OK, NULL, NULL },
	{ "no token_type is taken as bearer", 200, "{\"access_token\":\"t\"}",
	    OAUTH2_OK, NULL, NULL },
	{ "a MAC token is refused", 200, "{\"access_token\":\"t\","
	    "\"token_type\":\"mac\"}", OAUTH2_ECONFIG, NULL, "not a bearer" },
	{ "no access_token", 200, "{\"token_type\":\"Bearer\"}",
	    OAUTH2_ECONFIG, NULL, "no usable access_token" },
	{ "a token with ^A would break the XOAUTH2 string", 200,
	    "{\"access_token\":\"a\\u0001b\"}", OAUTH2_ECONFIG, NULL,
	    "no usable access_token" },
	{ "a token with a space", 200, "{\"access_token\":\"a b\"}",
	    OAUTH2_ECONFIG, NULL, "no usable access_token" },
	{ "a negative expires_in", 200, "{\"access_token\":\"t\","
	    "\"expires_in\":-5}", OAUTH2_ECONFIG, NULL, "expires_in" },
	{ "a refresh token with a newline", 200, "{\"access_token\":\"t\","
	    "\"refresh_token\":\"a\\nb\"}", OAUTH2_ECONFIG, NULL,
	    "refresh_token" },
	{ "invalid_grant: sign in again", 400, "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"AADSTS70000: token revoked\"}",
	    OAUTH2_EGRANT, "invalid_grant", "AADSTS70000: token revoked" },
	{ "invalid_client is the configuration's", 401,
	    "{\"error\":\"invalid_client\"}", OAUTH2_ECONFIG, "invalid_client",
	    "HTTP 401: invalid_client" },
	{ "authorization_pending", 400, "{\"error\":\"authorization_pending\"}",
	    OAUTH2_ETEMP, "authorization_pending", NULL },
	{ "slow_down", 400, "{\"error\":\"slow_down\"}", OAUTH2_ETEMP,
	    "slow_down", NULL },
	{ "access_denied", 400, "{\"error\":\"access_denied\"}", OAUTH2_EDENIED,
	    "access_denied", NULL },
	{ "expired_token", 400, "{\"error\":\"expired_token\"}",
	    OAUTH2_EEXPIRED, "expired_token", NULL },
	{ "503 with an HTML page is temporary", 503, "<html>busy</html>",
	    OAUTH2_ETEMP, NULL, "HTTP 503" },
	{ "429 is temporary", 429, "{\"error\":\"too_many\"}", OAUTH2_ETEMP,
	    "too_many", NULL },
	{ "400 with no JSON", 400, "Bad Request", OAUTH2_ECONFIG, NULL,
	    "no JSON object" },
	{ "200 with an error member is an error", 200,
	    "{\"error\":\"invalid_grant\"}", OAUTH2_EGRANT, "invalid_grant",
	    NULL },
	{ "an error description with control bytes is made safe", 400,
	    "{\"error\":\"invalid_request\",\"error_description\":"
	    "\"a\\u001bb\"}", OAUTH2_ECONFIG, NULL, "a?b" },
};

START_TEST(test_answer)
{
	const struct answer_case *c = &answers[_i];
	struct oauth2_tokens t;
	struct str code = STR_INIT, err = STR_INIT;
	int rc;

	memset(&t, 0, sizeof(t));
	t.refresh = strdup("rt-old");
	rc = oauth2_answer(c->status, c->body, strlen(c->body), 1000, &t,
	    &code, &err);
	ck_assert_msg(rc == c->want, "%s: got %d (%s), want %d", c->what, rc,
	    str_cstr(&err), c->want);
	if (c->code != NULL)
		ck_assert_msg(str_eq(&code, c->code), "%s: code '%s'", c->what,
		    str_cstr(&code));
	if (c->text != NULL)
		ck_assert_msg(strstr(str_cstr(&err), c->text) != NULL,
		    "%s: '%s' lacks '%s'", c->what, str_cstr(&err), c->text);
	if (rc == OAUTH2_OK) {
		ck_assert_ptr_nonnull(t.access);
		ck_assert_int_gt(t.expires_at, 1000);
		ck_assert_int_eq(t.refreshed_at, 1000);
		ck_assert_str_eq(t.refresh, "rt-old");	/* not rotated */
	} else
		ck_assert_ptr_null(t.access);
	oauth2_tokens_free(&t);
	str_free(&code);
	str_free(&err);
}
END_TEST

START_TEST(test_answer_expiry_and_rotation)
{
	static const char body[] = "{\"access_token\":\"at-2\",\"expires_in\":"
	    "120,\"refresh_token\":\"rt-new\"}";
	struct oauth2_tokens t;
	struct str code = STR_INIT, err = STR_INIT;

	memset(&t, 0, sizeof(t));
	t.refresh = strdup("rt-old");
	t.access = strdup("at-1");
	ck_assert_int_eq(oauth2_answer(200, body, strlen(body), 5000, &t, &code,
	    &err), OAUTH2_OK);
	ck_assert_str_eq(t.access, "at-2");
	ck_assert_str_eq(t.refresh, "rt-new");
	ck_assert_int_eq(t.expires_at, 5120);
	oauth2_tokens_free(&t);
	str_free(&code);
	str_free(&err);
}
END_TEST

START_TEST(test_tokens_round_trip)
{
	struct oauth2_tokens t, u;
	struct str text = STR_INIT, err = STR_INIT;

	memset(&t, 0, sizeof(t));
	t.client_id = strdup("c-1");
	t.token_url = strdup("https://login.example/t?a=\"b\"");
	t.refresh = strdup("M.R3_BAY.-CR*!$x");
	t.access = strdup("eyJ0.eyJ1.sig");
	t.expires_at = 1800000000;
	t.refreshed_at = 1799996400;
	t.forced_at = 1799990000;
	oauth2_tokens_format(&t, &text);
	ck_assert_int_eq(oauth2_tokens_parse(text.data, text.len, &u, &err),
	    OAUTH2_OK);
	ck_assert_str_eq(u.client_id, t.client_id);
	ck_assert_str_eq(u.token_url, t.token_url);
	ck_assert_str_eq(u.refresh, t.refresh);
	ck_assert_str_eq(u.access, t.access);
	ck_assert_int_eq(u.expires_at, t.expires_at);
	ck_assert_int_eq(u.refreshed_at, t.refreshed_at);
	ck_assert_int_eq(u.forced_at, t.forced_at);
	oauth2_tokens_free(&t);
	oauth2_tokens_free(&u);
	str_free(&text);
	str_free(&err);
}
END_TEST

static const char *const bad_files[] = {
	"",
	"[]",
	"{\"version\":2,\"client_id\":\"c\",\"token_url\":\"u\","
	    "\"refresh_token\":\"r\"}",
	"{\"version\":1,\"client_id\":\"c\",\"token_url\":\"u\"}",
	"{\"version\":1,\"client_id\":\"c\",\"token_url\":\"u\","
	    "\"refresh_token\":\"sek ret\"}",
	"{\"version\":1,\"client_id\":\"c\",\"token_url\":\"u\","
	    "\"refresh_token\":\"r\",\"access_token\":\"a\\u0001\"}",
	"{\"version\":1,\"client_id\":\"c\",\"token_url\":\"u\","
	    "\"refresh_token\":\"r\",\"expires_at\":\"soon\"}",
	"{\"version\":1,\"client_id\":\"c\",\"token_url\":\"u\","
	    "\"refresh_token\":\"r\",\"expires_at\":-1}",
};

START_TEST(test_tokens_bad)
{
	struct oauth2_tokens t;
	struct str err = STR_INIT;

	ck_assert_int_eq(oauth2_tokens_parse(bad_files[_i],
	    strlen(bad_files[_i]), &t, &err), OAUTH2_ECONFIG);
	ck_assert_int_gt((int)err.len, 0);
	ck_assert_ptr_null(t.refresh);
	/* The text never quotes a token. */
	ck_assert_ptr_null(strstr(str_cstr(&err), "sek ret"));
	oauth2_tokens_free(&t);
	str_free(&err);
}
END_TEST

START_TEST(test_device_answers)
{
	static const char ms[] = "{\"device_code\":\"DC-1\",\"user_code\":"
	    "\"ABCD-EFGH\",\"verification_uri\":\"https://microsoft.com/"
	    "devicelogin\",\"expires_in\":900,\"interval\":5,\"message\":"
	    "\"To sign in...\"}";
	static const char google[] = "{\"device_code\":\"DC-2\",\"user_code\":"
	    "\"GQVQ-JKEC\",\"verification_url\":\"https://www.google.com/"
	    "device\",\"expires_in\":\"1800\",\"interval\":0}";
	static const char http[] = "{\"device_code\":\"d\",\"user_code\":\"u\","
	    "\"verification_uri\":\"http://evil.example/\"}";
	struct oauth2_device d;
	struct str err = STR_INIT;

	ck_assert_int_eq(oauth2_device_parse(200, ms, strlen(ms), &d, &err),
	    OAUTH2_OK);
	ck_assert_str_eq(d.user_code, "ABCD-EFGH");
	ck_assert_str_eq(d.uri, "https://microsoft.com/devicelogin");
	ck_assert_uint_eq(d.interval, 5);
	oauth2_device_free(&d);
	ck_assert_int_eq(oauth2_device_parse(200, google, strlen(google), &d,
	    &err), OAUTH2_OK);
	ck_assert_str_eq(d.uri, "https://www.google.com/device");
	ck_assert_uint_eq(d.expires_in, 1800);
	ck_assert_uint_eq(d.interval, 1);	/* 0 would poll in a loop */
	oauth2_device_free(&d);
	ck_assert_int_eq(oauth2_device_parse(200, http, strlen(http), &d,
	    &err), OAUTH2_ECONFIG);
	oauth2_device_free(&d);
	str_reset(&err);
	ck_assert_int_eq(oauth2_device_parse(400, "{\"error\":"
	    "\"invalid_client\"}", 26, &d, &err), OAUTH2_ECONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "invalid_client"));
	oauth2_device_free(&d);
	str_free(&err);
}
END_TEST

START_TEST(test_token_ok)
{
	ck_assert(oauth2_token_ok("ya29.A0-_~+/x==", 15));
	ck_assert(!oauth2_token_ok("", 0));
	ck_assert(!oauth2_token_ok("=abc", 4));
	ck_assert(!oauth2_token_ok("a=b", 3));
	ck_assert(!oauth2_token_ok("a\001b", 3));
	ck_assert(!oauth2_token_ok("a b", 3));
	ck_assert(!oauth2_token_ok("a\0b", 3));
}
END_TEST

/* ---- oauth2_token() on real files ------------------------------------ */

static char dir[] = "/tmp/check_oauth2.XXXXXX";
static char path[128];

static void
write_file(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void
login(struct oauth2_login *l, struct cfg_oauth2 *o)
{
	memset(o, 0, sizeof(*o));
	o->client_id = (char *)"cid";
	o->token_url = (char *)"https://127.0.0.1:1/token";	/* nothing there */
	o->scope = (char *)"s";
	o->token_file = path;
	memset(l, 0, sizeof(*l));
	l->o = o;
	l->name = (char *)"relay r";
	l->again = (char *)"--relay r";
	l->timeout_ms = 2000;
}

START_TEST(test_token_cached)
{
	struct cfg_oauth2 o;
	struct oauth2_login l;
	struct str tok = STR_INIT, step = STR_INIT, err = STR_INIT, text =
	    STR_INIT;

	login(&l, &o);
	str_appendf(&text, "{\"version\":1,\"client_id\":\"cid\",\"token_url\":"
	    "\"https://127.0.0.1:1/token\",\"refresh_token\":\"rt\","
	    "\"access_token\":\"at-cached\",\"expires_at\":%lld}",
	    (long long)time(NULL) + 3600);
	write_file(str_cstr(&text), 0600);
	ck_assert_int_eq(oauth2_token(&l, NULL, &tok, &step, &err), OAUTH2_OK);
	ck_assert(str_eq(&tok, "at-cached"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&step), "cached"));
	/* The server refused it: a refresh, which cannot reach the
	   endpoint: temporary, and the text names no token. */
	str_reset(&step);
	ck_assert_int_eq(oauth2_token(&l, "at-cached", &tok, &step, &err),
	    OAUTH2_ETEMP);
	ck_assert_ptr_null(strstr(str_cstr(&err), "at-cached"));
	ck_assert_ptr_null(strstr(str_cstr(&err), "\"rt\""));
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "relay r: OAuth2"));
	/* One forced refresh a minute: a caller who keeps saying "refused"
	   gets no new request to the endpoint. */
	str_reset(&err);
	str_reset(&text);
	str_appendf(&text, "{\"version\":1,\"client_id\":\"cid\",\"token_url\":"
	    "\"https://127.0.0.1:1/token\",\"refresh_token\":\"rt\","
	    "\"access_token\":\"at-cached\",\"expires_at\":%lld,"
	    "\"forced_at\":%lld}", (long long)time(NULL) + 3600,
	    (long long)time(NULL) - 10);
	write_file(str_cstr(&text), 0600);
	ck_assert_int_eq(oauth2_token(&l, "at-cached", &tok, &step, &err),
	    OAUTH2_ECONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "renewed for that"));
	/* Another token than the file's: someone renewed it already. */
	ck_assert_int_eq(oauth2_token(&l, "at-older", &tok, &step, &err),
	    OAUTH2_OK);
	ck_assert(str_eq(&tok, "at-cached"));
	str_free_secret(&tok);
	str_free(&step);
	str_free(&err);
	str_free(&text);
}
END_TEST

START_TEST(test_token_expired_unreachable)
{
	struct cfg_oauth2 o;
	struct oauth2_login l;
	struct str tok = STR_INIT, err = STR_INIT;

	login(&l, &o);
	write_file("{\"version\":1,\"client_id\":\"cid\",\"token_url\":"
	    "\"https://127.0.0.1:1/token\",\"refresh_token\":\"rt\","
	    "\"access_token\":\"at-old\",\"expires_at\":10}", 0600);
	ck_assert_int_eq(oauth2_token(&l, NULL, &tok, NULL, &err),
	    OAUTH2_ETEMP);
	ck_assert_uint_eq(tok.len, 0);
	str_free(&err);
}
END_TEST

START_TEST(test_token_missing_or_foreign)
{
	struct cfg_oauth2 o;
	struct oauth2_login l;
	struct str tok = STR_INIT, err = STR_INIT;

	login(&l, &o);
	unlink(path);
	ck_assert_int_eq(oauth2_token(&l, NULL, &tok, NULL, &err),
	    OAUTH2_EGRANT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err),
	    "sign in again: run smtpgate-sendmail --oauth2-login --relay r"));
	str_reset(&err);
	write_file("{\"version\":1,\"client_id\":\"other\",\"token_url\":"
	    "\"https://127.0.0.1:1/token\",\"refresh_token\":\"rt\","
	    "\"access_token\":\"at\",\"expires_at\":99999999999}", 0600);
	ck_assert_int_eq(oauth2_token(&l, NULL, &tok, NULL, &err),
	    OAUTH2_EGRANT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "another "
	    "oauth2_client_id"));
	str_reset(&err);
	write_file("not json", 0600);
	ck_assert_int_eq(oauth2_token(&l, NULL, &tok, NULL, &err),
	    OAUTH2_ECONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), path));
	str_free(&err);
}
END_TEST

static void
setup(void)
{
	if (dir[strlen(dir) - 1] == 'X')
		ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/relay-r", dir);
}

int
unit_done(void)
{
	char lock[160];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	unlink(lock);
	unlink(path);
	rmdir(dir);
	return 0;
}

Suite *
unit_suite(void)
{
	Suite *s = suite_create("oauth2");
	TCase *tc = tcase_create("answers");

	tcase_add_loop_test(tc, test_answer, 0,
	    (int)(sizeof(answers) / sizeof(answers[0])));
	tcase_add_test(tc, test_answer_expiry_and_rotation);
	tcase_add_test(tc, test_tokens_round_trip);
	tcase_add_loop_test(tc, test_tokens_bad, 0,
	    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_device_answers);
	tcase_add_test(tc, test_token_ok);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_token_cached);
	tcase_add_test(tc, test_token_expired_unreachable);
	tcase_add_test(tc, test_token_missing_or_foreign);
	suite_add_tcase(s, tc);
	unit_nofork = true;
	return s;
}
