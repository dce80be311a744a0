/*
 * Unit tests for lib/str.c.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "str.h"

START_TEST(test_empty)
{
	struct str s = STR_INIT;

	ck_assert_str_eq(str_cstr(&s), "");
	ck_assert_uint_eq(s.len, 0);
	ck_assert(str_eq(&s, ""));
	ck_assert(!str_has_nul(&s));
	str_free(&s);
	ck_assert_ptr_null(s.data);
}
END_TEST

START_TEST(test_append_grows)
{
	struct str s = STR_INIT;
	size_t i;

	for (i = 0; i < 100000; i++)
		str_appendc(&s, 'a' + (int)(i % 26));
	ck_assert_uint_eq(s.len, 100000);
	ck_assert_int_eq(s.data[s.len], '\0');
	ck_assert_int_eq(s.data[26], 'a');
	ck_assert_int_eq(s.data[99999], 'a' + 99999 % 26);
	str_free(&s);
}
END_TEST

START_TEST(test_binary_safe)
{
	struct str s = STR_INIT;

	str_append(&s, "a\0b", 3);
	ck_assert_uint_eq(s.len, 3);
	ck_assert(str_has_nul(&s));
	ck_assert(str_has_crlfnul(&s));
	ck_assert(!str_eq(&s, "a"));
	str_free(&s);
}
END_TEST

START_TEST(test_crlf_detection)
{
	struct str s = STR_INIT;

	str_setz(&s, "plain value");
	ck_assert(!str_has_crlfnul(&s));
	str_setz(&s, "evil\r\nBcc: x@y");
	ck_assert(str_has_crlfnul(&s));
	str_setz(&s, "lf\nonly");
	ck_assert(str_has_crlfnul(&s));
	str_free(&s);
}
END_TEST

START_TEST(test_appendf)
{
	struct str s = STR_INIT;
	size_t i;

	str_appendf(&s, "%s:%d", "file", 12);
	ck_assert_str_eq(str_cstr(&s), "file:12");
	/* Longer than any initial capacity. */
	for (i = 0; i < 50; i++)
		str_appendf(&s, "%064d", 0);
	ck_assert_uint_eq(s.len, 7 + 50 * 64);
	str_free(&s);
}
END_TEST

START_TEST(test_escaped)
{
	struct str s = STR_INIT;

	str_append_escaped(&s, "a\r\nb\t\\\x01\xff", 8);
	ck_assert_str_eq(str_cstr(&s), "a\\r\\nb\\t\\\\\\x01\\xff");
	str_free(&s);
}
END_TEST

/*
 * Reserving space, or appending nothing, must still leave a C string: an
 * empty SMTP line traced through str_append_escaped() once reached
 * fprintf("%s") with an unterminated, freshly allocated buffer.
 */
START_TEST(test_reserve_terminated)
{
	struct str s = STR_INIT;

	str_reserve(&s, 10);
	ck_assert_ptr_nonnull(s.data);
	ck_assert_uint_eq(s.len, 0);
	ck_assert_int_eq(s.data[0], '\0');
	ck_assert_str_eq(str_cstr(&s), "");
	str_free(&s);

	str_append_escaped(&s, "", 0);
	ck_assert_str_eq(str_cstr(&s), "");
	str_free(&s);

	str_setz(&s, "abc");
	str_reserve(&s, 1000);
	ck_assert_str_eq(str_cstr(&s), "abc");
	str_free(&s);
}
END_TEST

START_TEST(test_set_self)
{
	struct str s = STR_INIT;

	str_setz(&s, "hello world");
	str_set(&s, s.data + 6, 5);
	ck_assert_str_eq(str_cstr(&s), "world");
	str_free(&s);
}
END_TEST

START_TEST(test_trim_truncate)
{
	struct str s = STR_INIT;

	str_setz(&s, " \t value \t");
	str_trim(&s);
	ck_assert_str_eq(str_cstr(&s), "value");
	str_setz(&s, "   ");
	str_trim(&s);
	ck_assert_str_eq(str_cstr(&s), "");
	ck_assert_uint_eq(s.len, 0);
	str_setz(&s, "abcdef");
	str_truncate(&s, 3);
	ck_assert_str_eq(str_cstr(&s), "abc");
	str_truncate(&s, 10);	/* longer: no change */
	ck_assert_str_eq(str_cstr(&s), "abc");
	str_free(&s);
}
END_TEST

START_TEST(test_eq_nocase_detach)
{
	struct str s = STR_INIT;
	char *p;

	str_setz(&s, "Example.ORG");
	ck_assert(str_eq_nocase(&s, "example.org"));
	ck_assert(!str_eq(&s, "example.org"));
	ck_assert(!str_eq_nocase(&s, "example.or"));
	p = str_detach(&s);
	ck_assert_str_eq(p, "Example.ORG");
	ck_assert_ptr_null(s.data);
	free(p);
}
END_TEST

START_TEST(test_secret_wiped)
{
	struct str s = STR_INIT;

	str_setz(&s, "hunter2");
	str_free_secret(&s);
	ck_assert_ptr_null(s.data);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

/* A size that cannot be represented must die with EX_TEMPFAIL, not wrap. */
START_TEST(test_overflow_dies)
{
	struct str s = STR_INIT;

	str_appendz(&s, "x");
	str_reserve(&s, SIZE_MAX - 1);
}
END_TEST

START_TEST(test_has_8bit)
{
	ck_assert(!str_has_8bit("plain ascii ~\x7f", 14));
	ck_assert(str_has_8bit("j\xc3\xb6rg", 5));
	ck_assert(str_has_8bit("x\0\x80", 3));	/* past a NUL too */
	ck_assert(!str_has_8bit("x\x80", 1));		/* only n bytes */
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("str");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_append_grows);
	tcase_add_test(tc, test_binary_safe);
	tcase_add_test(tc, test_crlf_detection);
	tcase_add_test(tc, test_appendf);
	tcase_add_test(tc, test_escaped);
	tcase_add_test(tc, test_reserve_terminated);
	tcase_add_test(tc, test_set_self);
	tcase_add_test(tc, test_trim_truncate);
	tcase_add_test(tc, test_eq_nocase_detach);
	tcase_add_test(tc, test_secret_wiped);
	tcase_add_test(tc, test_has_8bit);
	tcase_add_exit_test(tc, test_overflow_dies, 75);
	suite_add_tcase(s, tc);
	return s;
}

