/*
 * Unit tests for lib/log.c: levels, escaping, the test sink.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "log.h"
#include "str.h"

static struct str captured = STR_INIT;
static int ncaptured;

static void
capture(enum log_level level, const char *line)
{
	str_appendf(&captured, "%s|%s\n", log_level_name(level), line);
	ncaptured++;
}

static void
setup(void)
{
	log_init("check_log", 0);	/* neither syslog nor stderr */
	log_set_sink(capture);
	log_set_level(LOG_LEVEL_INFO);
	str_reset(&captured);
	ncaptured = 0;
}

static void
teardown(void)
{
	log_set_sink(NULL);
	str_free(&captured);
}

START_TEST(test_level_filter)
{
	log_debug("hidden %d", 1);
	log_info("shown %d", 2);
	log_error("error %d", 3);
	ck_assert_int_eq(ncaptured, 2);
	ck_assert_str_eq(str_cstr(&captured), "info|shown 2\nerror|error 3\n");
	log_set_level(LOG_LEVEL_ERROR);
	log_warning("not now");
	ck_assert_int_eq(ncaptured, 2);
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("now");
	ck_assert_int_eq(ncaptured, 3);
}
END_TEST

/* Text quoted from a server must not be able to forge a second log line. */
START_TEST(test_escapes_injection)
{
	log_info("reply: %s", "250 ok\r\nsmtpgate: status=sent\x1b[2J");
	ck_assert_int_eq(ncaptured, 1);
	ck_assert_str_eq(str_cstr(&captured),
	    "info|reply: 250 ok\\r\\nsmtpgate: status=sent\\x1b[2J\n");
}
END_TEST

START_TEST(test_level_names)
{
	enum log_level l;

	ck_assert(log_level_parse("debug", &l));
	ck_assert_int_eq(l, LOG_LEVEL_DEBUG);
	ck_assert(log_level_parse("error", &l));
	ck_assert_int_eq(l, LOG_LEVEL_ERROR);
	ck_assert(!log_level_parse("verbose", &l));
	ck_assert(!log_level_parse("", &l));
	ck_assert_str_eq(log_level_name(LOG_LEVEL_WARNING), "warning");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_level_filter);
	tcase_add_test(tc, test_escapes_injection);
	tcase_add_test(tc, test_level_names);
	suite_add_tcase(s, tc);
	return s;
}

