/*
 * Unit tests for lib/ids.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
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

START_TEST(test_domain_ok)
{
	static const struct { const char *s; bool ok; } t[] = {
		{ "example.org", true }, { "mail.example.co.uk", true },
		{ "a-b.example", true }, { "x1.y2", true },
		{ "localhost", false }, { "vm", false }, { "", false },
		{ ".example.org", false }, { "example..org", false },
		{ "example.org.", false }, { "-a.example", false },
		{ "a-.example", false }, { "example.org-", false },
		{ "exa mple.org", false }, { "ex_ample.org", false },
		{ "root@example.org", false }, { "example.org\n", false },
		{ "<html>", false },
	};
	char label[70], longname[300];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(ids_domain_ok(t[i].s, strlen(t[i].s)) == t[i].ok,
		    "%s", t[i].s);
	memset(label, 'a', 63);
	strcpy(label + 63, ".org");
	ck_assert(ids_domain_ok(label, strlen(label)));
	memset(label, 'a', 64);
	strcpy(label + 64, ".org");
	ck_assert(!ids_domain_ok(label, strlen(label)));
	for (i = 0; i < 254; i++)
		longname[i] = i % 2 ? '.' : 'a';
	longname[253] = 'a';
	longname[254] = '\0';
	ck_assert(!ids_domain_ok(longname, 254));
	ck_assert(ids_domain_ok(longname, 253));
}
END_TEST

/* Writes data to a temporary file; returns its name (static buffer). */
static const char *
mailname_file(const char *data)
{
	static char path[] = "/tmp/check_ids_mailname.XXXXXX";
	int fd;

	strcpy(path, "/tmp/check_ids_mailname.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (int)strlen(data));
	close(fd);
	return path;
}

START_TEST(test_domain_choice)
{
	struct str d = STR_INIT, w = STR_INIT;
	const char *f;

	/* [general] domain wins; the mailname file is not even read. */
	ck_assert_int_eq(ids_domain("conf.example", "/nonexistent/mailname",
	    "host.example", &d, &w), IDS_DOMAIN_CONFIG);
	ck_assert_str_eq(str_cstr(&d), "conf.example");
	ck_assert_uint_eq(w.len, 0);

	/* The first line, trimmed, CRLF and a trailing dot taken off. */
	f = mailname_file("  mail.example.org.\r\nsecond.example\n");
	str_reset(&d);
	ck_assert_int_eq(ids_domain(NULL, f, "host.example", &d, &w),
	    IDS_DOMAIN_MAILNAME);
	ck_assert_str_eq(str_cstr(&d), "mail.example.org");
	ck_assert_uint_eq(w.len, 0);
	unlink(f);
	/* No newline at all is a line too; an empty configured value is
	   not a domain. */
	f = mailname_file("example.net");
	str_reset(&d);
	ck_assert_int_eq(ids_domain("", f, NULL, &d, &w), IDS_DOMAIN_MAILNAME);
	ck_assert_str_eq(str_cstr(&d), "example.net");
	unlink(f);

	/* No file: the host name, quietly. */
	str_reset(&d);
	ck_assert_int_eq(ids_domain(NULL, "/nonexistent/mailname",
	    "host.example", &d, &w), IDS_DOMAIN_HOSTNAME);
	ck_assert_str_eq(str_cstr(&d), "host.example");
	ck_assert_uint_eq(w.len, 0);

	/* Garbage: a warning naming the file, then the host name. */
	f = mailname_file("<?php system($_GET['c']); ?>\n");
	str_reset(&d);
	ck_assert_int_eq(ids_domain(NULL, f, "host.example", &d, &w),
	    IDS_DOMAIN_HOSTNAME);
	ck_assert_str_eq(str_cstr(&d), "host.example");
	ck_assert_ptr_nonnull(strstr(str_cstr(&w), f));
	ck_assert_ptr_nonnull(strstr(str_cstr(&w), "not a domain name"));
	unlink(f);
	/* Empty file, and a single-label name: warned about too. */
	f = mailname_file("\n");
	str_reset(&d);
	str_reset(&w);
	ck_assert_int_eq(ids_domain(NULL, f, "host.example", &d, &w),
	    IDS_DOMAIN_HOSTNAME);
	ck_assert_uint_gt(w.len, 0);
	unlink(f);
	f = mailname_file("localhost\n");
	str_reset(&d);
	str_reset(&w);
	ck_assert_int_eq(ids_domain(NULL, f, "host.example", &d, &w),
	    IDS_DOMAIN_HOSTNAME);
	ck_assert_uint_gt(w.len, 0);
	unlink(f);
	/* A directory cannot be read as a file: warned, passed over. */
	str_reset(&d);
	str_reset(&w);
	ck_assert_int_eq(ids_domain(NULL, "/tmp", "host.example", &d, &w),
	    IDS_DOMAIN_HOSTNAME);
	ck_assert_uint_gt(w.len, 0);

	/* A host name without a dot is no mail domain: nothing. */
	str_reset(&d);
	ck_assert_int_eq(ids_domain(NULL, "/nonexistent/mailname", "vm", &d,
	    &w), IDS_DOMAIN_NONE);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_int_eq(ids_domain(NULL, NULL, NULL, &d, &w),
	    IDS_DOMAIN_NONE);

	/* A very long first line is not read in full, and not used. */
	{
		char big[5000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		f = mailname_file(big);
		str_reset(&d);
		ck_assert_int_eq(ids_domain(NULL, f, "host.example", &d, &w),
		    IDS_DOMAIN_HOSTNAME);
		unlink(f);
	}
	str_free(&d);
	str_free(&w);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ids");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_queue_ids_unique_and_safe);
	tcase_add_test(tc, test_message_id);
	tcase_add_test(tc, test_date_utc);
	tcase_add_test(tc, test_date_offsets);
	tcase_add_test(tc, test_domain_ok);
	tcase_add_test(tc, test_domain_choice);
	suite_add_tcase(s, tc);
	return s;
}
