/*
 * Unit tests for lib/json.c: one row per document, accepted or refused,
 * and the values a caller reads back.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json.h"

struct json_case {
	const char *what;
	const char *text;
	size_t	len;		/* 0: strlen(text) */
	bool	ok;
};

static const struct json_case cases[] = {
	{ "empty object", "{}", 0, true },
	{ "white space around", " \t\r\n{ } \n", 0, true },
	{ "members of every type", "{\"s\":\"x\",\"n\":-1.5e+3,\"t\":true,"
	    "\"f\":false,\"z\":null,\"o\":{\"a\":[1,{\"b\":[]}]},\"a\":[]}",
	    0, true },
	{ "escapes", "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}",
	    0, true },
	{ "not an object", "[1]", 0, false },
	{ "a bare string", "\"x\"", 0, false },
	{ "nothing", "", 0, false },
	{ "text after", "{} x", 0, false },
	{ "two objects", "{}{}", 0, false },
	{ "trailing comma", "{\"a\":1,}", 0, false },
	{ "missing colon", "{\"a\" 1}", 0, false },
	{ "unquoted name", "{a:1}", 0, false },
	{ "single quotes", "{'a':1}", 0, false },
	{ "duplicate names", "{\"a\":1,\"a\":2}", 0, false },
	{ "leading zero", "{\"a\":01}", 0, false },
	{ "bare minus", "{\"a\":-}", 0, false },
	{ "fraction without digits", "{\"a\":1.}", 0, false },
	{ "exponent without digits", "{\"a\":1e}", 0, false },
	{ "plus sign", "{\"a\":+1}", 0, false },
	{ "a bare word", "{\"a\":yes}", 0, false },
	{ "truncated true", "{\"a\":tru}", 0, false },
	{ "raw newline in a string", "{\"a\":\"x\ny\"}", 0, false },
	{ "unterminated string", "{\"a\":\"x}", 0, false },
	{ "bad escape", "{\"a\":\"\\x\"}", 0, false },
	{ "short \\u", "{\"a\":\"\\u12\"}", 0, false },
	{ "\\u0000", "{\"a\":\"\\u0000\"}", 0, false },
	{ "lone high surrogate", "{\"a\":\"\\ud83d\"}", 0, false },
	{ "lone low surrogate", "{\"a\":\"\\ude00\"}", 0, false },
	{ "high then not low", "{\"a\":\"\\ud83d\\u0041\"}", 0, false },
	{ "invalid UTF-8", "{\"a\":\"\xc3\x28\"}", 0, false },
	{ "overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", 0, false },
	{ "NUL byte inside", "{\"a\":\"x\0y\"}", 9, false },
	{ "unclosed array", "{\"a\":[1,2}", 0, false },
	{ "unclosed object", "{\"a\":1", 0, false },
};

START_TEST(test_cases)
{
	const struct json_case *c = &cases[_i];
	struct json_object o;
	struct str err = STR_INIT;
	int rc;

	rc = json_object_parse(c->text, c->len ? c->len : strlen(c->text), &o,
	    &err);
	ck_assert_msg((rc == JSON_OK) == c->ok, "%s: got %d (%s)", c->what, rc,
	    str_cstr(&err));
	if (!c->ok) {
		ck_assert_msg(strstr(str_cstr(&err), "at byte") != NULL,
		    "%s: '%s' says not where", c->what, str_cstr(&err));
		ck_assert_uint_eq(o.n, 0);
	}
	json_object_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_values)
{
	static const char text[] = "{\"s\":\"a\\u00e9\\ud83d\\ude00\",\"n\":3600,"
	    "\"ns\":\"3599\",\"neg\":-1,\"f\":1.5,\"e\":1e3,\"big\":"
	    "12345678901234567890,\"t\":true,\"o\":{\"x\":\"y\"},\"q\":\"\\\"\"}";
	struct json_object o;
	struct str err = STR_INIT;
	unsigned long long v = 7;

	ck_assert_int_eq(json_object_parse(text, strlen(text), &o, &err),
	    JSON_OK);
	ck_assert_str_eq(json_get_string(&o, "s"), "a\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_str_eq(json_get_string(&o, "q"), "\"");
	ck_assert_ptr_null(json_get_string(&o, "n"));	/* not a string */
	ck_assert_ptr_null(json_get_string(&o, "o"));
	ck_assert_ptr_null(json_get_string(&o, "x"));	/* nested: not ours */
	ck_assert(json_has(&o, "o"));
	ck_assert(!json_has(&o, "missing"));
	ck_assert(json_get_uint(&o, "n", &v));
	ck_assert_uint_eq(v, 3600);
	ck_assert(json_get_uint(&o, "ns", &v));
	ck_assert_uint_eq(v, 3599);
	v = 7;
	ck_assert(!json_get_uint(&o, "neg", &v));
	ck_assert(!json_get_uint(&o, "f", &v));
	ck_assert(!json_get_uint(&o, "e", &v));
	ck_assert(!json_get_uint(&o, "big", &v));
	ck_assert(!json_get_uint(&o, "t", &v));
	ck_assert(!json_get_uint(&o, "s", &v));
	ck_assert(!json_get_uint(&o, "missing", &v));
	ck_assert_uint_eq(v, 7);
	json_object_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_limits)
{
	struct str text = STR_INIT, err = STR_INIT;
	struct json_object o;
	int i;

	/* Nesting: JSON_MAX_DEPTH levels pass, one more does not. */
	str_appendz(&text, "{\"a\":");
	for (i = 0; i < JSON_MAX_DEPTH - 1; i++)
		str_appendc(&text, '[');
	for (i = 0; i < JSON_MAX_DEPTH - 1; i++)
		str_appendc(&text, ']');
	str_appendc(&text, '}');
	ck_assert_int_eq(json_object_parse(text.data, text.len, &o, &err),
	    JSON_OK);
	json_object_free(&o);
	str_setz(&text, "{\"a\":");
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		str_appendc(&text, '[');
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		str_appendc(&text, ']');
	str_appendc(&text, '}');
	ck_assert_int_eq(json_object_parse(text.data, text.len, &o, &err),
	    JSON_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "nested too deep"));
	/* Members. */
	str_setz(&text, "{");
	for (i = 0; i <= JSON_MAX_MEMBERS; i++)
		str_appendf(&text, "%s\"m%d\":%d", i ? "," : "", i, i);
	str_appendc(&text, '}');
	str_reset(&err);
	ck_assert_int_eq(json_object_parse(text.data, text.len, &o, &err),
	    JSON_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "too many members"));
	str_free(&text);
	str_free(&err);
}
END_TEST

/* An error never quotes a string: they are tokens. */
START_TEST(test_err_quotes_nothing)
{
	static const char text[] = "{\"access_token\":\"sekr1t-value\" x}";
	struct json_object o;
	struct str err = STR_INIT;

	ck_assert_int_eq(json_object_parse(text, strlen(text), &o, &err),
	    JSON_EINVAL);
	ck_assert_ptr_null(strstr(str_cstr(&err), "sekr1t"));
	str_free(&err);
}
END_TEST

START_TEST(test_append_round_trip)
{
	static const char *const values[] = { "", "plain", "a\"b\\c",
	    "\x01\x1f\x7f tab\tnl\n", "\xc3\xa9\xf0\x9f\x98\x80", "/</script>" };
	struct str text = STR_INIT, err = STR_INIT;
	struct json_object o;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		str_setz(&text, "{\"v\":");
		json_append_string(&text, values[i]);
		str_appendc(&text, '}');
		ck_assert_int_eq(json_object_parse(text.data, text.len, &o,
		    &err), JSON_OK);
		ck_assert_str_eq(json_get_string(&o, "v"), values[i]);
		json_object_free(&o);
	}
	str_free(&text);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_cases, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_err_quotes_nothing);
	tcase_add_test(tc, test_append_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
