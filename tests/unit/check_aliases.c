/*
 * Unit tests for sendmail-shim/aliases.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "aliases.h"

static const char sample[] =
    "# /etc/aliases\n"
    "postmaster: root\n"
    "ROOT: ops@example.org, \"Night Desk\" <night@example.org>\n"
    "www-data: webteam\n"
    "webteam: dev1@example.org,\n"
    "\tdev2@example.org\r\n"
    "cronlog: /var/log/cron.mail, |/usr/bin/procmail, ops@example.org\n"
    "onlypipe: |/bin/true\n"
    "loop1: loop2\n"
    "loop2: loop3\n"
    "loop3: loop2\n"
    "self: self\n";

static struct aliases al;
static struct str diag = STR_INIT;

static void
setup(void)
{
	str_reset(&diag);
	ck_assert_int_eq(aliases_load_buffer("aliases", sample, strlen(sample),
	    &al, &diag), ALIASES_OK);
}

static void
teardown(void)
{
	aliases_free(&al);
	str_free(&diag);
}

/* Resolve and join the results with spaces. */
static int
resolve(const char *addr, const char *domain, struct str *joined,
    struct str *err)
{
	struct strvec out = STRVEC_INIT;
	size_t i;
	int rc;

	rc = aliases_resolve(&al, addr, domain, &out, err);
	for (i = 0; i < out.n; i++) {
		if (i > 0)
			str_appendc(joined, ' ');
		str_appendz(joined, out.v[i]);
	}
	strvec_free(&out);
	return rc;
}

static const struct {
	const char *addr, *domain, *want;
} rows[] = {
	{ "root", NULL, "ops@example.org \"Night Desk\" <night@example.org>" },
	{ "Postmaster", NULL, "ops@example.org \"Night Desk\" <night@example.org>" },
	{ "www-data", NULL, "dev1@example.org dev2@example.org" },
	{ "cronlog", NULL, "ops@example.org" },
	{ "alice@example.net", NULL, "alice@example.net" },
	{ "bob", "example.org", "bob@example.org" },
	{ "self", "example.org", "self@example.org" },
};

START_TEST(test_resolve)
{
	struct str got = STR_INIT, err = STR_INIT;

	ck_assert_int_eq(resolve(rows[_i].addr, rows[_i].domain, &got, &err),
	    ALIASES_OK);
	ck_assert_str_eq(str_cstr(&got), rows[_i].want);
	str_free(&got);
	str_free(&err);
}
END_TEST

START_TEST(test_warnings)
{
	/* Both the file and the pipe of cronlog, and onlypipe's pipe. */
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag),
	    "aliases:7: warning: alias 'cronlog': pipes, files"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "aliases:8: warning"));
}
END_TEST

START_TEST(test_unknown_names_setting)
{
	struct str got = STR_INIT, err = STR_INIT;

	ck_assert_int_eq(resolve("nobody", NULL, &got, &err), ALIASES_EUNKNOWN);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "local name 'nobody'"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "[general] domain"));
	ck_assert_int_eq(aliases_exitcode(ALIASES_EUNKNOWN), 67);
	str_reset(&err);
	ck_assert_int_eq(resolve("onlypipe", "example.org", &got, &err),
	    ALIASES_EUNKNOWN);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "aliases:8: alias "
	    "'onlypipe' has no usable address"));
	str_free(&got);
	str_free(&err);
}
END_TEST

START_TEST(test_loop)
{
	struct str got = STR_INIT, err = STR_INIT;

	ck_assert_int_eq(resolve("loop1", "example.org", &got, &err),
	    ALIASES_ELOOP);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "deeper than 10"));
	str_free(&got);
	str_free(&err);
}
END_TEST

START_TEST(test_fanout_bounded)
{
	struct str text = STR_INIT, got = STR_INIT, err = STR_INIT;
	struct strvec out = STRVEC_INIT;
	int i;

	/* a0: a1 four times, a1: a2 four times...: 4^10 paths, cut off. */
	for (i = 0; i < 10; i++)
		str_appendf(&text, "a%d: a%d, a%d, a%d, a%d\n", i, i + 1,
		    i + 1, i + 1, i + 1);
	aliases_free(&al);
	ck_assert_int_eq(aliases_load_buffer("fan", text.data, text.len, &al,
	    &diag), ALIASES_OK);
	ck_assert_int_eq(aliases_resolve(&al, "a0", "x.org", &out, &err),
	    ALIASES_ELOOP);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "more than 10000"));
	strvec_free(&out);
	str_free(&text);
	str_free(&got);
	str_free(&err);
}
END_TEST

static const struct {
	const char *text, *error;
} bad_rows[] = {
	{ "root ops@example.org\n", "x:1: expected 'name: address" },
	{ "ok: a@b\nfoo bar: a@b\n", "x:2: 'foo bar' is not a local name" },
	{ "  a@b\n", "x:1: continuation line without an alias" },
	{ "a: b\rc: d\n", "x:1: line is longer" },
	{ ": a@b\n", "x:1: expected" },
};

START_TEST(test_bad_files)
{
	struct aliases a;
	struct str d = STR_INIT;

	ck_assert_int_eq(aliases_load_buffer("x", bad_rows[_i].text,
	    strlen(bad_rows[_i].text), &a, &d), ALIASES_ESYNTAX);
	ck_assert_msg(strstr(str_cstr(&d), bad_rows[_i].error) != NULL,
	    "'%s' not in '%s'", bad_rows[_i].error, str_cstr(&d));
	ck_assert_uint_eq(a.n, 0);
	str_free(&d);
}
END_TEST

START_TEST(test_missing_file)
{
	struct aliases a;
	struct str d = STR_INIT;

	ck_assert_int_eq(aliases_load("/nonexistent/aliases", &a, &d),
	    ALIASES_ENOENT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&d), "/nonexistent/aliases"));
	str_free(&d);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("aliases");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_resolve, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_unknown_names_setting);
	tcase_add_test(tc, test_loop);
	tcase_add_test(tc, test_fanout_bounded);
	tcase_add_loop_test(tc, test_bad_files, 0,
	    sizeof(bad_rows) / sizeof(bad_rows[0]));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
