/*
 * Unit tests for sendmail-shim/smtpin.c: "sendmail -bs" sessions, scripted.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "smtpin.h"

struct record {
	struct str log;		/* "from|rcpt,rcpt|data" per message */
	int	code;		/* what deliver answers */
};

static int
deliver(void *arg, struct smtpin_txn *txn, struct smtp_reply *reply)
{
	struct record *rec = arg;
	char buf[256];
	size_t i, n;

	str_appendf(&rec->log, "%s|", txn->env.sender);
	for (i = 0; i < txn->env.rcpts.n; i++)
		str_appendf(&rec->log, "%s%s", i ? "," : "", txn->env.rcpts.v[i]);
	str_appendc(&rec->log, '|');
	while ((n = fread(buf, 1, sizeof(buf), txn->data)) > 0)
		str_append(&rec->log, buf, n);
	str_appendz(&rec->log, "#\n");
	if (rec->code == 250)
		smtp_reply_make(reply, 250, "2.0.0", "Ok: queued as X1");
	else
		smtp_reply_make(reply, rec->code, rec->code / 100 == 4 ?
		    "4.4.1" : "5.7.1", "refused by the relay");
	return 0;
}

static unsigned long long session_max;	/* smtpin_run()'s max_size */
static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* Run a session over script; return the transcript of our replies. */
static void
session_rc(const char *script, size_t len, struct record *rec,
    struct str *out, int want)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *in = fmemopen((void *)script, len, "r");
	FILE *o = open_memstream(&buf, &size);

	ck_assert_int_eq(smtpin_run(in, o, "app1.example.org", session_max,
	    deliver, rec), want);
	fclose(in);
	fclose(o);
	str_set(out, buf, size);
	free(buf);
}

static void
session(const char *script, size_t len, struct record *rec, struct str *out)
{
	session_rc(script, len, rec, out, SMTPIN_OK);
}

START_TEST(test_symfony_session)
{
	static const char script[] =
	    "EHLO [127.0.0.1]\r\n"
	    "MAIL FROM:<app@example.org>\r\n"
	    "RCPT TO:<a@example.org>\r\n"
	    "RCPT TO:<b@example.org>\r\n"
	    "DATA\r\n"
	    "Subject: one\r\n\r\n..leading dot\r\nbody\r\n.\r\n"
	    "RSET\r\n"
	    "MAIL FROM:<> BODY=8BITMIME\r\n"
	    "RCPT TO:c@example.org\r\n"
	    "DATA\r\n"
	    "Subject: two\r\n\r\n...\r\n.\r\n"
	    "QUIT\r\n"
	    "NOOP\r\n";		/* after QUIT: never read */
	struct record rec = { STR_INIT, 250 };
	struct str out = STR_INIT;

	session(script, sizeof(script) - 1, &rec, &out);
	ck_assert_str_eq(str_cstr(&out),
	    "220 app1.example.org ESMTP smtpgate\r\n"
	    "250-app1.example.org\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	    "250 ENHANCEDSTATUSCODES\r\n"
	    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as X1\r\n"
	    "250 2.0.0 Ok\r\n"
	    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as X1\r\n"
	    "221 2.0.0 Bye\r\n");
	ck_assert_str_eq(str_cstr(&rec.log),
	    "app@example.org|a@example.org,b@example.org|"
	    "Subject: one\n\n.leading dot\nbody\n#\n"
	    "|c@example.org|Subject: two\n\n..\n#\n");
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

/*
 * SMTP smuggling into -bs: a body holding an end of data that is not
 * CR LF . CR LF, then a second transaction.  Only one message may come
 * out, holding all of it (CR LF stored as LF, bare CR and LF kept).
 */
#define SMUGGLE_HEAD \
	"EHLO x\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<a@example.org>\r\n" \
	"DATA\r\nSubject: s\r\n\r\nbefore"
#define SMUGGLE_TAIL \
	"MAIL FROM:<evil@attacker.example>\r\n" \
	"RCPT TO:<victim@example.net>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n"
#define SMUGGLE_STORED \
	"MAIL FROM:<evil@attacker.example>\nRCPT TO:<victim@example.net>\n" \
	"DATA\nsmuggled\n#\n"

static const struct {
	const char *variant;	/* what follows "before" */
	const char *stored;	/* how it is stored */
} smuggle[] = {
	{ "\n.\n", "\n.\n" },
	{ "\n.\r\n", "\n.\n" },
	{ "\r\n.\n", "\n.\n" },
	{ "\r.\r", "\r.\r" },
	{ "\r.\r\n", "\r.\n" },
	{ "\r\n.\r", "\n.\r" },
	{ "\r.\n", "\r.\n" },
	{ "\n.\r", "\n.\r" },
	/* a stuffed dot after a bare LF is not a stuffed dot */
	{ "\n..\r\n", "\n..\n" },
	{ "\r\n\n.\r\n", "\n\n.\n" },
};

START_TEST(test_smuggling)
{
	struct record rec = { STR_INIT, 250 };
	struct str script = STR_INIT, out = STR_INIT, want = STR_INIT;

	str_appendz(&script, SMUGGLE_HEAD);
	str_appendz(&script, smuggle[_i].variant);
	str_appendz(&script, SMUGGLE_TAIL);
	session(script.data, script.len, &rec, &out);
	str_appendz(&want, "app@example.org|a@example.org|Subject: s\n\nbefore");
	str_appendz(&want, smuggle[_i].stored);
	str_appendz(&want, SMUGGLE_STORED);
	ck_assert_str_eq(str_cstr(&rec.log), str_cstr(&want));
	ck_assert_str_eq(str_cstr(&out),
	    "220 app1.example.org ESMTP smtpgate\r\n"
	    "250-app1.example.org\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	    "250 ENHANCEDSTATUSCODES\r\n"
	    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as X1\r\n"
	    "221 2.0.0 Bye\r\n");
	str_free(&script);
	str_free(&out);
	str_free(&want);
	str_free(&rec.log);
}
END_TEST

/* The real end of data, in the same script: two messages, as sent. */
START_TEST(test_real_end_of_data)
{
	static const char script[] = SMUGGLE_HEAD "\r\n.\r\n" SMUGGLE_TAIL;
	struct record rec = { STR_INIT, 250 };
	struct str out = STR_INIT;

	session(script, sizeof(script) - 1, &rec, &out);
	ck_assert_str_eq(str_cstr(&rec.log),
	    "app@example.org|a@example.org|Subject: s\n\nbefore\n#\n"
	    "evil@attacker.example|victim@example.net|smuggled\n#\n");
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

static const struct {
	const char *script, *want;
} errors[] = {
	{ "RCPT TO:<a@b>\r\n", "503 5.5.1 Need MAIL before RCPT" },
	{ "DATA\r\n", "503 5.5.1 Need MAIL before DATA" },
	{ "MAIL FROM:<a@b>\r\nDATA\r\n", "503 5.5.1 Need RCPT before DATA" },
	{ "MAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\n", "503 5.5.1 Nested MAIL" },
	{ "MAIL FROM:a@b>\r\n", "501 5.5.4 Syntax: MAIL" },
	{ "MAIL TO:<a@b>\r\n", "501 5.5.4 Syntax: MAIL" },
	{ "MAIL FROM:<a@b>\r\nRCPT TO:<>\r\n", "501 5.5.4 Syntax: RCPT" },
	{ "EHLO\r\n", "501 5.5.4 Syntax: EHLO" },
	{ "TURN\r\n", "502 5.5.2 Command not implemented" },
	{ "VRFY root\r\n", "252 2.5.2" },
	{ "NO\0OP\r\n", "500 5.5.2 NUL in command" },
};

START_TEST(test_errors)
{
	struct record rec = { STR_INIT, 250 };
	struct str out = STR_INIT;
	size_t len = strlen(errors[_i].script);

	if (strcmp(errors[_i].want, "500 5.5.2 NUL in command") == 0)
		len = 8;
	session(errors[_i].script, len, &rec, &out);
	ck_assert_msg(strstr(str_cstr(&out), errors[_i].want) != NULL,
	    "'%s' not in '%s'", errors[_i].want, str_cstr(&out));
	ck_assert_uint_eq(rec.log.len, 0);
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

START_TEST(test_source_route_and_refusal)
{
	static const char script[] =
	    "HELO x\r\nMAIL FROM:<@relay.example:app@example.org>\r\n"
	    "RCPT TO:<a@example.org>\r\nDATA\r\nx\r\n.\r\n";
	struct record rec = { STR_INIT, 451 };
	struct str out = STR_INIT;

	session(script, sizeof(script) - 1, &rec, &out);
	ck_assert_ptr_nonnull(strstr(str_cstr(&out),
	    "451 4.4.1 refused by the relay\r\n"));
	ck_assert_str_eq(str_cstr(&rec.log), "app@example.org|a@example.org|x\n#\n");
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

START_TEST(test_eof_in_data_delivers_nothing)
{
	static const char script[] =
	    "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\ncut here";
	struct record rec = { STR_INIT, 250 };
	struct str out = STR_INIT;

	session_rc(script, sizeof(script) - 1, &rec, &out, SMTPIN_ETRUNC);
	ck_assert_uint_eq(rec.log.len, 0);
	ck_assert_ptr_null(strstr(str_cstr(&out), "queued"));
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

/*
 * A client whose lines end in LF alone: its "." never ends the data, so
 * its message is not accepted, and the caller is told (SMTPIN_ETRUNC).
 * The message before it, with CR LF, was delivered and stays so.
 */
START_TEST(test_lf_only_client)
{
	static const char script[] =
	    "EHLO x\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\n"
	    "Subject: crlf\r\n\r\nfirst\r\n.\r\n"
	    "MAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\n"
	    "Subject: lf\n\nsecond\n.\nQUIT\n";
	struct record rec = { STR_INIT, 250 };
	struct str out = STR_INIT;

	session_rc(script, sizeof(script) - 1, &rec, &out, SMTPIN_ETRUNC);
	ck_assert_str_eq(str_cstr(&rec.log), "a@b|c@d|Subject: crlf\n\nfirst\n#\n");
	/* LF-ended commands are still understood. */
	ck_assert_uint_eq(count_of(str_cstr(&out), "354 "), 2);
	ck_assert_uint_eq(count_of(str_cstr(&out), "queued"), 1);
	ck_assert_ptr_null(strstr(str_cstr(&out), "221 "));
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

START_TEST(test_long_line)
{
	struct record rec = { STR_INIT, 250 };
	struct str script = STR_INIT, out = STR_INIT;
	size_t i;

	str_appendz(&script, "MAIL FROM:<");
	for (i = 0; i < 10000; i++)
		str_appendc(&script, 'a');
	str_appendz(&script, "@b>\r\nNOOP\r\n");
	session(script.data, script.len, &rec, &out);
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "500 5.5.2 Line too long\r\n"
	    "250 2.0.0 Ok\r\n"));
	str_free(&script);
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

/* max_size: advertised, and a message over it refused after its ".". */
START_TEST(test_max_size)
{
	static const char script[] =
	    "EHLO c\r\n"
	    "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
	    "DATA\r\nSubject: big\r\n\r\n0123456789\r\n.\r\n"
	    "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
	    "DATA\r\nSubject: s\r\n\r\n.\r\n"
	    "QUIT\r\n";
	struct record rec;
	struct str out = STR_INIT;

	memset(&rec, 0, sizeof(rec));
	rec.code = 250;
	session_max = 20;
	session(script, sizeof(script) - 1, &rec, &out);
	session_max = 0;
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "250 SIZE 20\r\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "552 5.3.4 Message too "
	    "big: over 20 bytes ([queue] max_message_size)"));
	/* The second, small message was delivered, the big one never. */
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "250 2.0.0 Ok: queued"));
	ck_assert_ptr_null(strstr(str_cstr(&rec.log), "big"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&out), "221 "));
	str_free(&out);
	str_free(&rec.log);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("smtpin");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_symfony_session);
	tcase_add_loop_test(tc, test_smuggling, 0,
	    sizeof(smuggle) / sizeof(smuggle[0]));
	tcase_add_test(tc, test_real_end_of_data);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(errors) / sizeof(errors[0]));
	tcase_add_test(tc, test_source_route_and_refusal);
	tcase_add_test(tc, test_eof_in_data_delivers_nothing);
	tcase_add_test(tc, test_lf_only_client);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_max_size);
	suite_add_tcase(s, tc);
	return s;
}
