/*
 * Unit tests for lib/strvec.c.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "strvec.h"
#include "util.h"

START_TEST(test_empty)
{
	struct strvec sv = STRVEC_INIT;

	ck_assert_uint_eq(sv.n, 0);
	ck_assert_ptr_null(sv.v);
	ck_assert_uint_eq(strvec_find(&sv, "a"), 0);
	strvec_clear(&sv);
	strvec_free(&sv);
	ck_assert_ptr_null(sv.v);
}
END_TEST

START_TEST(test_push_grows_terminated)
{
	struct strvec sv = STRVEC_INIT;
	char buf[32];
	size_t i;

	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "s%zu", i);
		strvec_push_dup(&sv, buf);
		ck_assert_ptr_null(sv.v[sv.n]);
	}
	ck_assert_uint_eq(sv.n, 1000);
	ck_assert_uint_gt(sv.cap, sv.n);
	ck_assert_str_eq(sv.v[0], "s0");
	ck_assert_str_eq(sv.v[999], "s999");
	ck_assert_uint_eq(strvec_find(&sv, "s512"), 512);
	strvec_free(&sv);
	ck_assert_uint_eq(sv.n, 0);
	ck_assert_uint_eq(sv.cap, 0);
}
END_TEST

START_TEST(test_push_owns_and_copies)
{
	struct strvec sv = STRVEC_INIT;
	char local[] = "copied";

	strvec_push(&sv, xstrdup("taken"));
	strvec_push_dup(&sv, local);
	strvec_push_mem(&sv, "abcdef", 3);
	local[0] = 'X';			/* the copy does not follow */
	ck_assert_str_eq(sv.v[0], "taken");
	ck_assert_str_eq(sv.v[1], "copied");
	ck_assert_str_eq(sv.v[2], "abc");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_find)
{
	struct strvec sv = STRVEC_INIT;

	strvec_push_dup(&sv, "Alice@Example.org");
	strvec_push_dup(&sv, "bob@example.org");
	ck_assert_uint_eq(strvec_find(&sv, "bob@example.org"), 1);
	ck_assert_uint_eq(strvec_find(&sv, "alice@example.org"), 2);
	ck_assert_uint_eq(strvec_find_case(&sv, "alice@example.org"), 0);
	ck_assert_uint_eq(strvec_find_case(&sv, "BOB@EXAMPLE.ORG"), 1);
	ck_assert_uint_eq(strvec_find_case(&sv, "carol@example.org"), 2);
	strvec_free(&sv);
}
END_TEST

START_TEST(test_push_unique_case)
{
	struct strvec sv = STRVEC_INIT;

	ck_assert(strvec_push_unique_case(&sv, "a@x"));
	ck_assert(!strvec_push_unique_case(&sv, "A@X"));
	ck_assert(strvec_push_unique_case(&sv, "b@x"));
	ck_assert_uint_eq(sv.n, 2);
	ck_assert_str_eq(sv.v[0], "a@x");	/* the first spelling stays */
	strvec_free(&sv);
}
END_TEST

START_TEST(test_remove_keeps_order)
{
	struct strvec sv = STRVEC_INIT;

	strvec_push_dup(&sv, "a");
	strvec_push_dup(&sv, "b");
	strvec_push_dup(&sv, "c");
	strvec_push_dup(&sv, "d");
	strvec_remove(&sv, 1);
	ck_assert_uint_eq(sv.n, 3);
	ck_assert_str_eq(sv.v[0], "a");
	ck_assert_str_eq(sv.v[1], "c");
	ck_assert_str_eq(sv.v[2], "d");
	ck_assert_ptr_null(sv.v[3]);
	strvec_remove(&sv, 2);		/* the last */
	ck_assert_uint_eq(sv.n, 2);
	ck_assert_ptr_null(sv.v[2]);
	strvec_remove(&sv, 0);
	strvec_remove(&sv, 0);
	ck_assert_uint_eq(sv.n, 0);
	ck_assert_ptr_null(sv.v[0]);
	strvec_push_dup(&sv, "again");	/* still usable */
	ck_assert_str_eq(sv.v[0], "again");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_clear_reuses)
{
	struct strvec sv = STRVEC_INIT;
	char **v;

	strvec_push_dup(&sv, "a");
	strvec_push_dup(&sv, "b");
	v = sv.v;
	strvec_clear(&sv);
	ck_assert_uint_eq(sv.n, 0);
	ck_assert_ptr_null(sv.v[0]);
	strvec_push_dup(&sv, "c");
	ck_assert_ptr_eq(sv.v, v);	/* the array is kept */
	ck_assert_str_eq(sv.v[0], "c");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_copy)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;

	strvec_push_dup(&a, "x");
	strvec_push_dup(&a, "y");
	strvec_push_dup(&b, "old");
	strvec_copy(&b, &a);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_str_eq(b.v[0], "x");
	ck_assert_str_eq(b.v[1], "y");
	ck_assert_ptr_ne(b.v[0], a.v[0]);	/* copies, not shared */
	strvec_copy(&a, &a);			/* itself: unchanged */
	ck_assert_uint_eq(a.n, 2);
	strvec_free(&a);
	ck_assert_str_eq(b.v[1], "y");
	strvec_free(&b);
}
END_TEST

START_TEST(test_remove_out_of_range_dies)
{
	struct strvec sv = STRVEC_INIT;

	strvec_push_dup(&sv, "a");
	strvec_remove(&sv, 1);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("strvec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_push_grows_terminated);
	tcase_add_test(tc, test_push_owns_and_copies);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_push_unique_case);
	tcase_add_test(tc, test_remove_keeps_order);
	tcase_add_test(tc, test_clear_reuses);
	tcase_add_test(tc, test_copy);
	tcase_add_exit_test(tc, test_remove_out_of_range_dies, 75);
	suite_add_tcase(s, tc);
	return s;
}
