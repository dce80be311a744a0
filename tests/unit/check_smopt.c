/*
 * Unit tests for sendmail-shim/smopt.c: the sendmail command line.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "smopt.h"

#define MAXARGS 12

static int
parse(struct smopt *o, struct str *err, const char *const *args)
{
	char *argv[MAXARGS + 1];
	int argc = 0;

	while (args[argc] != NULL && argc < MAXARGS) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	smopt_init(o);
	return smopt_parse(o, argc, argv, err);
}

/* Each row: a command line and the part of the error it must produce. */
static const struct {
	const char *args[MAXARGS];
	const char *error;
} usage_rows[] = {
	{ { "sendmail", "-Z", "a@b" }, "unknown option -Z" },
	{ { "sendmail", "-tZ" }, "unknown option -Z" },
	{ { "sendmail", "-f" }, "option -f needs an argument" },
	{ { "sendmail", "a@b", "-X/var/www/shell.php" }, "after the recipients" },
	{ { "sendmail", "a@b", "-f", "x@y" }, "'-f' after the recipients" },
	{ { "sendmail" }, "no recipients given" },
	{ { "sendmail", "-i" }, "no recipients given" },
	{ { "sendmail", "-bd" }, "-bd is not supported" },
	{ { "sendmail", "-bv", "a@b" }, "-bv is not supported" },
	{ { "sendmail", "-N", "sometimes", "a@b" }, "-N 'sometimes'" },
	{ { "sendmail", "-N", "never,success", "a@b" }, "never cannot be combined" },
	{ { "sendmail", "-R", "body", "a@b" }, "expected full or hdrs" },
	{ { "sendmail", "-B", "BINARYMIME", "a@b" }, "expected 7BIT or 8BITMIME" },
	{ { "sendmail", "-V", "has space", "a@b" }, "printable ASCII" },
	{ { "sendmail", "-qX" }, "-qX: unknown queue option" },
	{ { "sendmail", "-qI" }, "-qI needs a value" },
	{ { "sendmail", "--frobnicate" }, "unknown option '--frobnicate'" },
	{ { "sendmail", "--test-mail" }, "'--test-mail' needs a value" },
	{ { "sendmail", "--check-config=yes" }, "takes no value" },
	{ { "sendmail", "--relay", "x", "a@b" }, "--relay goes with --test-mail" },
	{ { "mailq", "a@b" }, "not used in this mode" },
	{ { "sendmail", "-bp", "a@b" }, "not used in this mode" },
	{ { "sendmail", "--delete" }, "--delete needs queue ids" },
	{ { "sendmail", "-N", "never", "-V", "x\001", "a@b" }, "-V 'x\\x01'" },
};

START_TEST(test_usage_errors)
{
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, usage_rows[_i].args), SMOPT_EUSAGE);
	ck_assert_msg(strstr(str_cstr(&err), usage_rows[_i].error) != NULL,
	    "row %d: '%s' not in '%s'", _i, usage_rows[_i].error,
	    str_cstr(&err));
	ck_assert_int_eq(smopt_exitcode(SMOPT_EUSAGE), 64);
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_php_style)
{
	static const char *const args[] = { "/usr/sbin/sendmail", "-t", "-i",
	    "-f", "www-data@example.org", NULL };
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, args), SMOPT_OK);
	ck_assert_int_eq(o.mode, SMOPT_DELIVER);
	ck_assert(o.from_headers);
	ck_assert(o.ignore_dots);
	ck_assert_str_eq(o.sender, "www-data@example.org");
	ck_assert_uint_eq(o.recipients.n, 0);
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_bundles)
{
	static const char *const args[] = { "sendmail", "-tif", "a@b", "-oi",
	    "-odi", "-oem", "-Fname", "-vN", "success,delay", "-Rhdrs",
	    "-V", "env.1", NULL };
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, args), SMOPT_OK);
	ck_assert(o.from_headers && o.ignore_dots && o.verbose);
	ck_assert_str_eq(o.sender, "a@b");
	ck_assert_str_eq(o.fullname, "name");
	ck_assert_uint_eq(o.dsn_notify, SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_DELAY);
	ck_assert_str_eq(o.dsn_ret, "hdrs");
	ck_assert_str_eq(o.dsn_envid, "env.1");
	/* -odi and -oem are accepted and listed for a debug log. */
	ck_assert_uint_eq(o.ignored.n, 2);
	ck_assert_str_eq(o.ignored.v[0], "-odi");
	ck_assert_str_eq(o.ignored.v[1], "-oem");
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_traffic_log_never_a_file)
{
	static const char *const args[] = { "sendmail", "-X", "/var/www/x.php",
	    "-OQueueDirectory=/tmp", "a@b", NULL };
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, args), SMOPT_OK);
	ck_assert_str_eq(o.traffic_log, "/var/www/x.php");
	ck_assert_uint_eq(o.recipients.n, 1);
	ck_assert_str_eq(o.recipients.v[0], "a@b");
	smopt_free(&o);
	str_free(&err);
}
END_TEST

static const struct {
	const char *args[MAXARGS];
	enum smopt_mode mode;
} mode_rows[] = {
	{ { "sendmail", "-bs" }, SMOPT_SMTP },
	{ { "sendmail", "-b", "s" }, SMOPT_SMTP },
	{ { "sendmail", "-bp" }, SMOPT_LIST_QUEUE },
	{ { "/usr/bin/mailq" }, SMOPT_LIST_QUEUE },
	{ { "newaliases" }, SMOPT_NEWALIASES },
	{ { "sendmail", "-bi" }, SMOPT_NEWALIASES },
	{ { "sendmail", "-I" }, SMOPT_NEWALIASES },
	{ { "sendmail", "-q" }, SMOPT_QUEUE_ALL },
	{ { "sendmail", "-q30m" }, SMOPT_QUEUE_ALL },
	{ { "sendmail", "-qf" }, SMOPT_QUEUE_ALL },
	{ { "sendmail", "--queue-run" }, SMOPT_QUEUE_DUE },
	{ { "sendmail", "--check-config" }, SMOPT_CHECK_CONFIG },
	{ { "sendmail", "--version" }, SMOPT_VERSION },
	{ { "sendmail", "--help" }, SMOPT_HELP },
	{ { "sendmail", "--test-mail=a@b", "--relay", "o365" }, SMOPT_TEST_MAIL },
	{ { "smtpgate-sendmail", "-bm", "a@b" }, SMOPT_DELIVER },
	{ { "sendmail", "--delete", "ABC1", "DEF2" }, SMOPT_DELETE },
	{ { "sendmail", "--delete", "ALL" }, SMOPT_DELETE },
};

START_TEST(test_modes)
{
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_msg(parse(&o, &err, mode_rows[_i].args) == SMOPT_OK,
	    "row %d: %s", _i, str_cstr(&err));
	ck_assert_int_eq(o.mode, mode_rows[_i].mode);
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_queue_filters)
{
	static const char *const a1[] = { "sendmail", "-qIabc123", NULL };
	static const char *const a2[] = { "sendmail", "-qRexample.org", NULL };
	static const char *const a3[] = { "sendmail", "-qSalice", NULL };
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, a1), SMOPT_OK);
	ck_assert_str_eq(o.queue_id, "abc123");
	smopt_free(&o);
	ck_assert_int_eq(parse(&o, &err, a2), SMOPT_OK);
	ck_assert_str_eq(o.queue_rcpt, "example.org");
	smopt_free(&o);
	ck_assert_int_eq(parse(&o, &err, a3), SMOPT_OK);
	ck_assert_str_eq(o.queue_sender, "alice");
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_double_dash)
{
	static const char *const args[] = { "sendmail", "-i", "--", "a@b",
	    "c@d", NULL };
	struct str err = STR_INIT;
	struct smopt o;

	ck_assert_int_eq(parse(&o, &err, args), SMOPT_OK);
	ck_assert_uint_eq(o.recipients.n, 2);
	ck_assert_str_eq(o.recipients.v[1], "c@d");
	smopt_free(&o);
	str_free(&err);
}
END_TEST

START_TEST(test_split)
{
	static const char *const args[] = { "sendmail", "a@x, b@y;c@z",
	    "\"Doe, John\" <j@x>", " | d@w |e@v", "(x,y) f@u", ",;", NULL };
	static const char *const want[] = { "a@x", "b@y", "c@z",
	    "\"Doe, John\" <j@x>", "d@w", "e@v", "(x,y) f@u" };
	struct strvec l = STRVEC_INIT;
	struct str err = STR_INIT;
	struct smopt o;
	size_t i;

	ck_assert_int_eq(parse(&o, &err, args), SMOPT_OK);
	smopt_split_recipients(&o, '|', &l);
	ck_assert_uint_eq(l.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < l.n; i++)
		ck_assert_str_eq(l.v[i], want[i]);
	strvec_free(&l);
	/* Without the extra separator "|" stays in the address. */
	smopt_split_recipients(&o, 0, &l);
	ck_assert_str_eq(l.v[4], "| d@w |e@v");
	strvec_free(&l);
	smopt_free(&o);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("smopt");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_usage_errors, 0,
	    sizeof(usage_rows) / sizeof(usage_rows[0]));
	tcase_add_loop_test(tc, test_modes, 0,
	    sizeof(mode_rows) / sizeof(mode_rows[0]));
	tcase_add_test(tc, test_php_style);
	tcase_add_test(tc, test_bundles);
	tcase_add_test(tc, test_traffic_log_never_a_file);
	tcase_add_test(tc, test_queue_filters);
	tcase_add_test(tc, test_double_dash);
	tcase_add_test(tc, test_split);
	suite_add_tcase(s, tc);
	return s;
}
