/*
 * Unit tests for sendmail-shim/msgbody.c: the lone-dot rule, prefixes, statistics.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "msgbody.h"

static const struct {
	const char *prefix, *input;
	int	ignore_dots;
	const char *want;
	int	dot_ended;
} rows[] = {
	{ "", "hello\nworld\n", 0, "hello\nworld\n", 0 },
	{ "", "hello\n.\nnot read\n", 0, "hello\n", 1 },
	{ "", "hello\r\n.\r\nnot read\r\n", 0, "hello\r\n", 1 },
	{ "", ".\nall gone\n", 0, "", 1 },
	{ "", "hello\n.\nkept\n", 1, "hello\n.\nkept\n", 0 },
	{ "", "a\n..\nb\n", 0, "a\n..\nb\n", 0 },
	{ "", "a\n.x\n", 0, "a\n.x\n", 0 },
	{ "", "a\n.\rx\n", 0, "a\n.\rx\n", 0 },
	{ "", "a\n.", 0, "a\n.", 0 },		/* EOF right after the dot */
	{ "", "a\n.\r", 0, "a\n.\r", 0 },
	{ "body ", "line\n.\n", 0, "body line\n", 1 },
	{ "first\n.", "\nafter\n", 0, "first\n", 1 },	/* dot split across */
	{ "first\n.\r", "\nafter\n", 0, "first\n", 1 },
	{ ".\n", "never\n", 0, "", 1 },
	{ "", "", 0, "", 0 },
	{ "", "x.\n.y\n", 0, "x.\n.y\n", 0 },
};

START_TEST(test_rows)
{
	struct str prefix = STR_INIT, err = STR_INIT, got = STR_INIT;
	struct msgbody b;
	size_t len = strlen(rows[_i].input), n, got_n;
	char buf[64];
	FILE *in;

	str_setz(&prefix, rows[_i].prefix);
	in = fmemopen((void *)(len ? rows[_i].input : " "), len ? len : 1, "r");
	if (len == 0)
		(void)fgetc(in);
	ck_assert_int_eq(msgbody_read(&b, &prefix, in, rows[_i].ignore_dots,
	    MSGBODY_NO_MAX, NULL, &err), MSGBODY_OK);
	fclose(in);
	while (msgbody_reader(&b, buf, sizeof(buf), &got_n, &err) == 0 &&
	    got_n > 0)
		str_append(&got, buf, got_n);
	n = strlen(rows[_i].want);
	ck_assert_msg(got.len == n && memcmp(got.data ? got.data : "",
	    rows[_i].want, n) == 0, "row %d: got '%s'", _i, str_cstr(&got));
	ck_assert_uint_eq(b.size, n);
	ck_assert_int_eq(b.dot_ended, rows[_i].dot_ended);
	msgbody_close(&b);
	str_free(&prefix);
	str_free(&err);
	str_free(&got);
}
END_TEST

START_TEST(test_stats_and_rewind)
{
	struct str prefix = STR_INIT, err = STR_INIT;
	static const char data[] = "caf\xc3\xa9\nnul\0here\n";
	struct msgbody b;
	char buf[64];
	size_t got;
	FILE *in = fmemopen((void *)data, sizeof(data) - 1, "r");

	ck_assert_int_eq(msgbody_read(&b, &prefix, in, false, MSGBODY_NO_MAX, NULL,
	    &err),
	    MSGBODY_OK);
	fclose(in);
	ck_assert(b.eight_bit);
	ck_assert(b.has_nul);
	ck_assert_uint_eq(b.size, sizeof(data) - 1);
	/* Read twice: fallback relays send the same bytes again. */
	ck_assert_int_eq(msgbody_reader(&b, buf, sizeof(buf), &got, &err), 0);
	ck_assert_uint_eq(got, sizeof(data) - 1);
	ck_assert_int_eq(msgbody_rewind(&b), 0);
	ck_assert_int_eq(msgbody_reader(&b, buf, sizeof(buf), &got, &err), 0);
	ck_assert_uint_eq(got, sizeof(data) - 1);
	ck_assert(memcmp(buf, data, got) == 0);
	msgbody_close(&b);
	str_free(&err);
}
END_TEST

START_TEST(test_bad_tmpdir)
{
	struct str prefix = STR_INIT, err = STR_INIT;
	struct msgbody b;
	FILE *in = fmemopen((void *)"x\n", 2, "r");

	ck_assert_int_eq(msgbody_read(&b, &prefix, in, false,
	    MSGBODY_NO_MAX, "/nonexistent/dir", &err), MSGBODY_ETMP);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "/nonexistent/dir"));
	ck_assert_ptr_null(b.fp);
	fclose(in);
	str_free(&err);
}
END_TEST

/* max: exactly max bytes pass; one more stops the reading there. */
START_TEST(test_max)
{
	struct str prefix = STR_INIT, err = STR_INIT, big = STR_INIT;
	struct msgbody b;
	FILE *in;
	size_t i;

	str_setz(&prefix, "ab");
	in = fmemopen((void *)"cdef\n", 5, "r");
	ck_assert_int_eq(msgbody_read(&b, &prefix, in, false, 7, NULL, &err),
	    MSGBODY_OK);
	ck_assert_uint_eq(b.size, 7);
	msgbody_close(&b);
	fclose(in);
	in = fmemopen((void *)"cdef\n", 5, "r");
	ck_assert_int_eq(msgbody_read(&b, &prefix, in, false, 6, NULL, &err),
	    MSGBODY_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "over 6 bytes"));
	ck_assert_ptr_null(b.fp);
	fclose(in);
	/* Over the limit in the prefix: nothing of the stream is read. */
	str_reset(&err);
	in = fmemopen((void *)"cdef\n", 5, "r");
	ck_assert_int_eq(msgbody_read(&b, &prefix, in, true, 1, NULL, &err),
	    MSGBODY_ETOOBIG);
	ck_assert_int_eq(ftell(in), 0);
	fclose(in);
	/* A large input is not read to its end. */
	for (i = 0; i < 200000; i++)
		str_appendc(&big, 'x');
	str_reset(&prefix);
	in = fmemopen(big.data, big.len, "r");
	ck_assert_int_eq(msgbody_read(&b, &prefix, in, false, 1000, NULL, &err),
	    MSGBODY_ETOOBIG);
	ck_assert_int_lt(ftell(in), 100000);
	fclose(in);
	str_free(&big);
	str_free(&prefix);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("msgbody");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_rows, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, test_stats_and_rewind);
	tcase_add_test(tc, test_bad_tmpdir);
	tcase_add_test(tc, test_max);
	suite_add_tcase(s, tc);
	return s;
}
