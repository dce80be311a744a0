/*
 * Unit tests for lib/ids.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

START_TEST(test_queue_ids_unique_and_safe)
{
	struct str id = STR_INIT;
	char **seen = calloc(2000, sizeof(char *));
	size_t i, j;

	for (i = 0; i < 2000; i++) {
		str_reset(&id);
		ids_queue_id(&id);
		ck_assert_uint_ge(id.len, 12);
		ck_assert_uint_le(id.len, 32);
		ck_assert_uint_eq(strspn(str_cstr(&id), "0123456789"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
		    id.len);
		seen[i] = strdup(str_cstr(&id));
	}
	for (i = 0; i < 2000; i++)
		for (j = i + 1; j < 2000; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	for (i = 0; i < 2000; i++)
		free(seen[i]);
	free(seen);
	str_free(&id);
}
END_TEST

START_TEST(test_message_id)
{
	struct str a = STR_INIT, b = STR_INIT;

	ids_message_id("app1.example.org", &a);
	ids_message_id("app1.example.org", &b);
	ck_assert_int_eq(a.data[0], '<');
	ck_assert_int_eq(a.data[a.len - 1], '>');
	ck_assert_ptr_nonnull(strstr(str_cstr(&a), ".smtpgate@app1.example.org>"));
	ck_assert_str_ne(str_cstr(&a), str_cstr(&b));
	str_free(&a);
	str_free(&b);
}
END_TEST

START_TEST(test_date_utc)
{
	struct str d = STR_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	ids_date(1795545675, &d);	/* 2026-11-24 18:41:15 UTC */
	ck_assert_str_eq(str_cstr(&d), "Tue, 24 Nov 2026 18:41:15 +0000");
	str_free(&d);
}
END_TEST

START_TEST(test_date_offsets)
{
	struct str d = STR_INIT;

	setenv("TZ", "EST5", 1);	/* no DST rules: always -0500 */
	tzset();
	ids_date(0, &d);
	ck_assert_str_eq(str_cstr(&d), "Wed, 31 Dec 1969 19:00:00 -0500");
	str_reset(&d);
	setenv("TZ", "IST-5:30", 1);
	tzset();
	ids_date(0, &d);
	ck_assert_str_eq(str_cstr(&d), "Thu, 1 Jan 1970 05:30:00 +0530");
	str_free(&d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ids");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_queue_ids_unique_and_safe);
	tcase_add_test(tc, test_message_id);
	tcase_add_test(tc, test_date_utc);
	tcase_add_test(tc, test_date_offsets);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
