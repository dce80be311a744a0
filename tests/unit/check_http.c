/*
 * Unit tests for lib/http.c without a network: the form encoding, the
 * refusal of anything but https://, and (built a second time as
 * check_http_nolib, with HTTP_SONAME naming a library that is not there)
 * what a missing libcurl says.  The exchanges with a real HTTPS endpoint
 * are tests/integration/oauth2.sh.
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "check_main.h"
#include "http.h"

static const struct {
	const char *name, *value, *want;
} forms[] = {
	{ "grant_type", "refresh_token", "grant_type=refresh_token" },
	{ "scope", "https://outlook.office.com/SMTP.Send offline_access",
	    "scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send+offline_access" },
	{ "refresh_token", "M.R3_BAY.-CR*!$&=+/~",
	    "refresh_token=M.R3_BAY.-CR%2A%21%24%26%3D%2B%2F~" },
	{ "a b", "\xc3\xa9\n", "a+b=%C3%A9%0A" },
	{ "empty", "", "empty=" },
};

START_TEST(test_form)
{
	struct str body = STR_INIT;

	http_form_append(&body, forms[_i].name, forms[_i].value);
	ck_assert_str_eq(str_cstr(&body), forms[_i].want);
	str_free(&body);
}
END_TEST

START_TEST(test_form_joins)
{
	struct str body = STR_INIT;

	http_form_append(&body, "a", "1");
	http_form_append(&body, "b", "2");
	ck_assert_str_eq(str_cstr(&body), "a=1&b=2");
	str_free(&body);
}
END_TEST

START_TEST(test_https_only)
{
	struct http_request rq = { "http://127.0.0.1:1/token", "a=1", 3, NULL,
	    1000 };
	struct http_response rs;
	struct str err = STR_INIT;

	http_response_init(&rs);
	ck_assert_int_eq(http_post_form(&rq, &rs, &err), HTTP_ETEMP);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "not an https:// URL"));
	http_response_free(&rs);
	str_free(&err);
}
END_TEST

#ifdef HTTP_EXPECT_NOLIB
START_TEST(test_no_libcurl)
{
	struct http_request rq = { "https://127.0.0.1:1/token", "a=1", 3, NULL,
	    1000 };
	struct http_response rs;
	struct str err = STR_INIT;

	http_response_init(&rs);
	ck_assert_int_eq(http_post_form(&rq, &rs, &err), HTTP_EUNAVAIL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "cannot load "
	    HTTP_SONAME ": "));
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "install the libcurl4 "
	    "package"));
	http_response_free(&rs);
	str_free(&err);
}
END_TEST
#else
/* Nothing listens on port 1: libcurl is loaded and says so. */
START_TEST(test_refused)
{
	struct http_request rq = { "https://127.0.0.1:1/token", "a=1", 3, NULL,
	    2000 };
	struct http_response rs;
	struct str err = STR_INIT;

	http_response_init(&rs);
	ck_assert_int_eq(http_post_form(&rq, &rs, &err), HTTP_ETEMP);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "https://127.0.0.1:1/"
	    "token: "));
	ck_assert_uint_eq(rs.body.len, 0);
	http_response_free(&rs);
	str_free(&err);
}
END_TEST
#endif

Suite *
unit_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_form, 0,
	    (int)(sizeof(forms) / sizeof(forms[0])));
	tcase_add_test(tc, test_form_joins);
	tcase_add_test(tc, test_https_only);
#ifdef HTTP_EXPECT_NOLIB
	tcase_add_test(tc, test_no_libcurl);
#else
	tcase_add_test(tc, test_refused);
#endif
	suite_add_tcase(s, tc);
	return s;
}
