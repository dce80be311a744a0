/*
 * Unit tests for lib/envelope.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "envelope.h"

START_TEST(test_init_empty)
{
	struct envelope e = ENVELOPE_INIT, f;

	ck_assert_ptr_null(e.sender);
	ck_assert_uint_eq(e.rcpts.n, 0);
	ck_assert_uint_eq(e.dsn_notify, 0);
	ck_assert_ptr_null(e.dsn_ret);
	ck_assert(!e.eight_bit && !e.smtputf8);
	memset(&f, 0xff, sizeof(f));
	envelope_init(&f);
	ck_assert_ptr_null(f.sender);
	ck_assert_ptr_null(f.rcpts.v);
	ck_assert_uint_eq(f.size, 0);
	envelope_free(&e);
	envelope_free(&f);
}
END_TEST

START_TEST(test_sender)
{
	struct envelope e = ENVELOPE_INIT;
	char given[] = "alice@example.org";

	envelope_set_sender(&e, given);
	given[0] = 'X';				/* a copy is kept */
	ck_assert_str_eq(e.sender, "alice@example.org");
	envelope_set_sender(&e, "");		/* the null sender */
	ck_assert_str_eq(e.sender, "");
	envelope_set_sender(&e, "bob@example.org");
	envelope_set_sender(&e, e.sender);	/* its own value */
	ck_assert_str_eq(e.sender, "bob@example.org");
	envelope_set_sender(&e, NULL);
	ck_assert_ptr_null(e.sender);
	envelope_free(&e);
}
END_TEST

START_TEST(test_rcpts_in_order)
{
	struct envelope e = ENVELOPE_INIT;

	envelope_add_rcpt(&e, "a@x");
	envelope_add_rcpt(&e, "b@x");
	envelope_add_rcpt(&e, "c@x");
	ck_assert_uint_eq(e.rcpts.n, 3);
	envelope_del_rcpt(&e, 0);
	ck_assert_uint_eq(e.rcpts.n, 2);
	ck_assert_str_eq(e.rcpts.v[0], "b@x");
	ck_assert_str_eq(e.rcpts.v[1], "c@x");
	envelope_add_rcpt(&e, "d@x");
	ck_assert_str_eq(e.rcpts.v[2], "d@x");
	envelope_free(&e);
	ck_assert_uint_eq(e.rcpts.n, 0);
}
END_TEST

START_TEST(test_dsn)
{
	struct envelope e = ENVELOPE_INIT;

	envelope_set_dsn(&e, SMTP_NOTIFY_FAILURE | SMTP_NOTIFY_DELAY, "hdrs",
	    "ENV-1");
	ck_assert_uint_eq(e.dsn_notify, SMTP_NOTIFY_FAILURE | SMTP_NOTIFY_DELAY);
	ck_assert_str_eq(e.dsn_ret, "hdrs");
	ck_assert_str_eq(e.dsn_envid, "ENV-1");
	envelope_set_dsn(&e, e.dsn_notify, e.dsn_ret, NULL);	/* its own */
	ck_assert_str_eq(e.dsn_ret, "hdrs");
	ck_assert_ptr_null(e.dsn_envid);
	envelope_set_dsn(&e, 0, NULL, NULL);
	ck_assert_uint_eq(e.dsn_notify, 0);
	ck_assert_ptr_null(e.dsn_ret);
	envelope_free(&e);
}
END_TEST

START_TEST(test_copy_is_deep)
{
	struct envelope a = ENVELOPE_INIT, b = ENVELOPE_INIT;

	envelope_set_sender(&a, "alice@example.org");
	envelope_add_rcpt(&a, "x@example.net");
	envelope_add_rcpt(&a, "j\xc3\xb6rg@example.net");
	envelope_set_dsn(&a, SMTP_NOTIFY_NEVER, "full", "id-7");
	a.eight_bit = true;
	a.smtputf8 = true;
	a.size = 12345;
	/* What b held before is replaced, not added to. */
	envelope_set_sender(&b, "old@example.org");
	envelope_add_rcpt(&b, "old@example.org");
	envelope_set_dsn(&b, SMTP_NOTIFY_SUCCESS, NULL, "old");
	envelope_copy(&b, &a);
	envelope_free(&a);
	ck_assert_str_eq(b.sender, "alice@example.org");
	ck_assert_uint_eq(b.rcpts.n, 2);
	ck_assert_str_eq(b.rcpts.v[0], "x@example.net");
	ck_assert_str_eq(b.rcpts.v[1], "j\xc3\xb6rg@example.net");
	ck_assert_uint_eq(b.dsn_notify, SMTP_NOTIFY_NEVER);
	ck_assert_str_eq(b.dsn_ret, "full");
	ck_assert_str_eq(b.dsn_envid, "id-7");
	ck_assert(b.eight_bit && b.smtputf8);
	ck_assert_uint_eq(b.size, 12345);
	envelope_copy(&b, &b);			/* itself: unchanged */
	ck_assert_str_eq(b.sender, "alice@example.org");
	ck_assert_uint_eq(b.rcpts.n, 2);
	envelope_free(&b);
}
END_TEST

START_TEST(test_copy_of_empty)
{
	struct envelope a = ENVELOPE_INIT, b = ENVELOPE_INIT;

	envelope_set_sender(&b, "x@example.org");
	envelope_add_rcpt(&b, "y@example.org");
	b.eight_bit = true;
	envelope_copy(&b, &a);
	ck_assert_ptr_null(b.sender);
	ck_assert_uint_eq(b.rcpts.n, 0);
	ck_assert(!b.eight_bit);
	envelope_free(&b);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_empty);
	tcase_add_test(tc, test_sender);
	tcase_add_test(tc, test_rcpts_in_order);
	tcase_add_test(tc, test_dsn);
	tcase_add_test(tc, test_copy_is_deep);
	tcase_add_test(tc, test_copy_of_empty);
	suite_add_tcase(s, tc);
	return s;
}
