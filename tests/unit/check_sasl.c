/*
 * Unit tests for lib/base64.c and lib/sasl.c: RFC 4648 vectors, strict
 * decoding, and each mechanism's exchange byte for byte.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "base64.h"
#include "sasl.h"

static const struct {
	const char *plain, *encoded;
} b64_vectors[] = {		/* RFC 4648 section 10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

START_TEST(test_b64_vectors)
{
	struct str out = STR_INIT;

	str_setz(&out, "x");	/* encode and decode append */
	base64_encode(b64_vectors[_i].plain, strlen(b64_vectors[_i].plain), &out);
	ck_assert_str_eq(str_cstr(&out) + 1, b64_vectors[_i].encoded);
	str_setz(&out, "x");
	ck_assert(base64_decode(b64_vectors[_i].encoded,
	    strlen(b64_vectors[_i].encoded), &out));
	ck_assert_str_eq(str_cstr(&out) + 1, b64_vectors[_i].plain);
	str_free(&out);
}
END_TEST

static const char *b64_bad[] = {
	"Zg=", "Zg", "Z===", "=Zg=", "Zg==Zg==", "Zm9v\n", "Zm 9", "Zh==",
	"Zm9=", "Zm!v", "Zg=a",
};

START_TEST(test_b64_strict)
{
	struct str out = STR_INIT;

	str_setz(&out, "keep");
	ck_assert_msg(!base64_decode(b64_bad[_i], strlen(b64_bad[_i]), &out),
	    "accepted '%s'", b64_bad[_i]);
	ck_assert_str_eq(str_cstr(&out), "keep");
	str_free(&out);
}
END_TEST

START_TEST(test_b64_binary)
{
	struct str out = STR_INIT, back = STR_INIT;
	unsigned char all[256];
	int i;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	base64_encode(all, sizeof(all), &out);
	ck_assert(base64_decode(out.data, out.len, &back));
	ck_assert_uint_eq(back.len, 256);
	ck_assert(memcmp(back.data, all, 256) == 0);
	str_free(&out);
	str_free(&back);
}
END_TEST

START_TEST(test_plain)
{
	struct str secret = STR_INIT, resp = STR_INIT;
	struct sasl_client c;

	str_setz(&secret, "tanstaaftanstaaf");
	sasl_start(&c, SASL_PLAIN, "tim", &secret, "h", 25);
	ck_assert(sasl_initial(&c, &resp));
	/* RFC 4616 section 4's example. */
	ck_assert_str_eq(str_cstr(&resp), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	str_free(&secret);
	str_free_secret(&resp);
}
END_TEST

START_TEST(test_login)
{
	struct str secret = STR_INIT, resp = STR_INIT, err = STR_INIT;
	struct sasl_client c;

	str_setz(&secret, "pw");
	sasl_start(&c, SASL_LOGIN, "alice@example.org", &secret, "h", 25);
	ck_assert(!sasl_initial(&c, &resp));
	ck_assert_uint_eq(resp.len, 0);
	ck_assert_int_eq(sasl_next(&c, "VXNlcm5hbWU6", 12, &resp, &err), SASL_OK);
	ck_assert_str_eq(str_cstr(&resp), "YWxpY2VAZXhhbXBsZS5vcmc=");
	str_reset(&resp);
	ck_assert_int_eq(sasl_next(&c, "UGFzc3dvcmQ6", 12, &resp, &err), SASL_OK);
	ck_assert_str_eq(str_cstr(&resp), "cHc=");
	str_reset(&resp);
	/* A third prompt is not part of LOGIN: cancel, say why. */
	ck_assert_int_eq(sasl_next(&c, "SGVsbG8=", 8, &resp, &err), SASL_EFAIL);
	ck_assert_str_eq(str_cstr(&resp), "*");
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "LOGIN step 3: Hello"));
	ck_assert_ptr_null(strstr(str_cstr(&err), "pw"));
	str_free(&secret);
	str_free(&resp);
	str_free(&err);
}
END_TEST

START_TEST(test_xoauth2)
{
	struct str token = STR_INIT, resp = STR_INIT, err = STR_INIT;
	const char *challenge = "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==";
	struct sasl_client c;

	str_setz(&token, "ya29.token");
	sasl_start(&c, SASL_XOAUTH2, "someuser@example.com", &token, "h", 587);
	ck_assert(sasl_initial(&c, &resp));
	ck_assert_str_eq(str_cstr(&resp),
	    "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnRva2VuAQE=");
	str_reset(&resp);
	/* The error arrives as a 334 challenge; the answer is an empty line. */
	ck_assert_int_eq(sasl_next(&c, challenge, strlen(challenge), &resp, &err),
	    SASL_EFAIL);
	ck_assert_uint_eq(resp.len, 0);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "\"status\":\"400\""));
	ck_assert_ptr_null(strstr(str_cstr(&err), "ya29"));
	str_free(&token);
	str_free(&resp);
	str_free(&err);
}
END_TEST

START_TEST(test_oauthbearer)
{
	struct str token = STR_INIT, resp = STR_INIT, err = STR_INIT;
	struct sasl_client c;

	str_setz(&token, "tok");
	/* "," and "=" in the authzid are escaped (RFC 5801). */
	sasl_start(&c, SASL_OAUTHBEARER, "a=b,c@x", &token, "smtp.example.org", 587);
	ck_assert(sasl_initial(&c, &resp));
	ck_assert_str_eq(str_cstr(&resp),
	    "bixhPWE9M0RiPTJDY0B4LAFob3N0PXNtdHAuZXhhbXBsZS5vcmcBcG9ydD01ODcBYXV0aD1CZWFyZXIgdG9rAQE=");
	str_reset(&resp);
	ck_assert_int_eq(sasl_next(&c, "e30=", 4, &resp, &err), SASL_EFAIL);
	ck_assert_str_eq(str_cstr(&resp), "AQ==");
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "{}"));
	str_free(&token);
	str_free(&resp);
	str_free(&err);
}
END_TEST

START_TEST(test_choose)
{
	unsigned all = SASL_PLAIN | SASL_LOGIN | SASL_XOAUTH2 | SASL_OAUTHBEARER;

	ck_assert_uint_eq(sasl_choose(SASL_AUTO_PASSWORD, all), SASL_PLAIN);
	ck_assert_uint_eq(sasl_choose(SASL_AUTO_PASSWORD, SASL_LOGIN), SASL_LOGIN);
	/* auto never hands a password to a token mechanism. */
	ck_assert_uint_eq(sasl_choose(SASL_AUTO_PASSWORD, SASL_XOAUTH2), 0);
	ck_assert_uint_eq(sasl_choose(SASL_XOAUTH2, all), SASL_XOAUTH2);
	ck_assert_uint_eq(sasl_choose(SASL_OAUTHBEARER, SASL_PLAIN), 0);
	ck_assert_uint_eq(sasl_mech_from_name("xoauth2", 7), SASL_XOAUTH2);
	ck_assert_uint_eq(sasl_mech_from_name("PLAINX", 6), 0);
	ck_assert_uint_eq(sasl_mech_from_name("CRAM-MD5", 8), 0);
	ck_assert_str_eq(sasl_mech_name(SASL_OAUTHBEARER), "OAUTHBEARER");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("sasl");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_b64_vectors, 0,
	    sizeof(b64_vectors) / sizeof(b64_vectors[0]));
	tcase_add_loop_test(tc, test_b64_strict, 0,
	    sizeof(b64_bad) / sizeof(b64_bad[0]));
	tcase_add_test(tc, test_b64_binary);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_login);
	tcase_add_test(tc, test_xoauth2);
	tcase_add_test(tc, test_oauthbearer);
	tcase_add_test(tc, test_choose);
	suite_add_tcase(s, tc);
	return s;
}
