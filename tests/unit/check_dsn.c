/*
 * Unit tests for lib/dsn.c: the RFC 3464 notice the queue sends.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "dsn.h"

static struct str out = STR_INIT, hdr = STR_INIT;
static struct smtp_reply reply;

static void
setup(void)
{
	setenv("TZ", "UTC", 1);
	str_reset(&out);
	str_setz(&hdr, "From: app@example.org\r\nTo: gone@example.org\r\n"
	    "Subject: doomed\r\n");
	smtp_reply_init(&reply);
}

static void
teardown(void)
{
	str_free(&out);
	str_free(&hdr);
	smtp_reply_free(&reply);
}

static void
feed(const char *line)
{
	struct str err = STR_INIT, l = STR_INIT;

	str_appendf(&l, "%s\r\n", line);
	(void)smtp_reply_feed(&reply, l.data, l.len, &err);
	ck_assert_msg(err.len == 0, "%s", str_cstr(&err));
	str_free(&err);
	str_free(&l);
}

static void
report(struct dsn_report *r, struct dsn_rcpt *rc, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->host = "app1.example.org";
	r->queue_id = "8E3FMvbxp1jp62s";
	r->to = "app@example.org";
	r->remote = "relay.example.net";
	r->arrival = 1795545675;	/* Tue, 24 Nov 2026 18:41:15 +0000 */
	r->now = 1795549275;
	r->rcpts = rc;
	r->nrcpts = n;
	r->header = &hdr;
}

/* Number of times needle occurs in the output. */
static unsigned
count(const char *needle)
{
	const char *p = str_cstr(&out);
	unsigned n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static bool
has(const char *needle)
{
	return strstr(str_cstr(&out), needle) != NULL;
}

START_TEST(test_refusal_report)
{
	struct dsn_report r;
	struct dsn_rcpt rc = { "gone@example.org", &reply,
	    "550 5.1.1 no such user" };

	feed("550 5.1.1 no such user");
	report(&r, &rc, 1);
	dsn_build(&r, &out);
	ck_assert(has("\nContent-Type: multipart/report; "
	    "report-type=delivery-status;\n\tboundary=\""
	    "=_smtpgate_8E3FMvbxp1jp62s_1795549275_0\"\n"));
	ck_assert(strncmp(str_cstr(&out), "From: Mail Delivery System "
	    "<MAILER-DAEMON@app1.example.org>\nTo: <app@example.org>\n", 76)
	    == 0);
	ck_assert(has("\nAuto-Submitted: auto-replied\n"));
	/* Three parts and the closing delimiter. */
	ck_assert_uint_eq(count("\n--=_smtpgate_8E3FMvbxp1jp62s_1795549275_0"
	    "\n"), 3);
	ck_assert_uint_eq(count("\n--=_smtpgate_8E3FMvbxp1jp62s_1795549275_0"
	    "--\n"), 1);
	ck_assert(has("\nContent-Type: text/plain; charset=utf-8\n\n"
	    "This is smtpgate-sendmail on app1.example.org.\n"));
	ck_assert(has("\n  <gone@example.org>: 550 5.1.1 no such user\n"));
	ck_assert(has("\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; app1.example.org\n"
	    "X-Smtpgate-Queue-ID: 8E3FMvbxp1jp62s\n"
	    "Arrival-Date: Tue, 24 Nov 2026 18:41:15 +0000\n\n"
	    "Final-Recipient: rfc822; gone@example.org\n"
	    "Action: failed\nStatus: 5.1.1\n"
	    "Remote-MTA: dns; relay.example.net\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such user\n"
	    "Last-Attempt-Date: Tue, 24 Nov 2026 19:41:15 +0000\n"));
	/* The original header, CRs gone, in its own part. */
	ck_assert(has("\nContent-Type: text/rfc822-headers\n\n"
	    "From: app@example.org\nTo: gone@example.org\nSubject: doomed\n"));
	ck_assert(!has("\r"));
	ck_assert(!has("Original-Envelope-Id"));
	ck_assert(!has("Content-Transfer-Encoding"));
}
END_TEST

START_TEST(test_status_codes)
{
	struct dsn_rcpt rc = { "x@example.org", NULL, "why" };
	struct str st = STR_INIT;

	dsn_status(&rc, true, &st);
	ck_assert_str_eq(str_cstr(&st), "4.4.7");	/* expired, no reply */
	str_reset(&st);
	dsn_status(&rc, false, &st);
	ck_assert_str_eq(str_cstr(&st), "5.0.0");

	rc.reply = &reply;
	feed("554 transaction failed");
	str_reset(&st);
	dsn_status(&rc, false, &st);
	ck_assert_str_eq(str_cstr(&st), "5.0.0");	/* no enhanced code */

	smtp_reply_reset(&reply);
	feed("451 4.7.1 try later");
	str_reset(&st);
	dsn_status(&rc, true, &st);
	ck_assert_str_eq(str_cstr(&st), "4.7.1");	/* the last reply's */

	smtp_reply_reset(&reply);
	feed("550 4.2.2 mailbox full");		/* class disagrees */
	str_reset(&st);
	dsn_status(&rc, false, &st);
	ck_assert_str_eq(str_cstr(&st), "5.0.0");
	str_free(&st);
}
END_TEST

START_TEST(test_given_up_without_reply)
{
	struct dsn_report r;
	struct dsn_rcpt rc = { "later@example.org", NULL,
	    "connection refused (given up)" };

	report(&r, &rc, 1);
	r.given_up = true;
	r.envid = "QQ314159";
	r.from = "app@example.org";	/* where From must match the login */
	dsn_build(&r, &out);
	ck_assert(strncmp(str_cstr(&out), "From: Mail Delivery System "
	    "<app@example.org>\n", 45) == 0);
	ck_assert(has("\nOriginal-Envelope-Id: QQ314159\n"));
	ck_assert(has("\nFinal-Recipient: rfc822; later@example.org\n"
	    "Action: failed\nStatus: 4.4.7\n"
	    "Last-Attempt-Date: "));
	/* No server answered: no Remote-MTA, no Diagnostic-Code. */
	ck_assert(!has("Remote-MTA"));
	ck_assert(!has("Diagnostic-Code"));
	ck_assert(has("given up on it."));
}
END_TEST

START_TEST(test_hostile_reply_and_header)
{
	struct dsn_report r;
	struct dsn_rcpt rc[2] = {
		{ "a@example.org", &reply, "550 bad\nBcc: victim@example.net" },
		{ "j\xc3\xb6rg@example.org", NULL, "refused" },
	};
	const char *b = "=_smtpgate_8E3FMvbxp1jp62s_1795549275_0";
	struct str line = STR_INIT;

	feed("550-5.7.1 first \xe9 line");
	feed("550 5.7.1 second\x01line");
	/* The original header quotes the boundary we would pick first. */
	str_appendf(&hdr, "X-Trap: --%s\r\nX-Latin: caf\xe9\r\n", b);
	report(&r, rc, 2);
	dsn_build(&r, &out);
	/* The reply's lines become one field line, ASCII only (escaped). */
	ck_assert(has("\nDiagnostic-Code: smtp; 550 5.7.1 first \\xe9 line "
	    "second\\x01line\n"));
	/* No line starts with a header the text tried to smuggle in. */
	ck_assert(!has("\nBcc:"));
	ck_assert(has("550 bad Bcc: victim@example.net"));
	/* A UTF-8 recipient has the utf-8 address type (RFC 6533). */
	ck_assert(has("\nFinal-Recipient: utf-8; j\xc3\xb6rg@example.org\n"));
	/* The boundary moved on: the trap occurs once, in the header part. */
	str_appendf(&line, "boundary=\"%.*s1\"", (int)strlen(b) - 1, b);
	ck_assert(has(str_cstr(&line)));
	ck_assert_uint_eq(count(b), 1);
	ck_assert(has("\nContent-Type: text/rfc822-headers\n"
	    "Content-Transfer-Encoding: 8bit\n\n"));
	str_free(&line);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("dsn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refusal_report);
	tcase_add_test(tc, test_status_codes);
	tcase_add_test(tc, test_given_up_without_reply);
	tcase_add_test(tc, test_hostile_reply_and_header);
	suite_add_tcase(s, tc);
	return s;
}
