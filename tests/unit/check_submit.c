/*
 * Unit tests for the decisions of sendmail-shim/submit: one table each for
 * the exit status of an attempt (submit_outcome), of a submission error
 * (submit_exitcode), the state of each recipient after an attempt
 * (submit_rcpt_state, submit_rcpt_reply), the relays an attempt chain
 * tries (submit_next_relay, submit_fallback) and the one relay
 * --test-mail tries (submit_test_relay).  No network: the relay chain is
 * walked with a status per relay standing in for the server.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check_main.h"
#include "submit.h"

static struct cfg *
config(const char *text)
{
	struct str diag = STR_INIT;
	struct cfg *cfg = NULL;

	ck_assert_msg(cfg_load_buffer("t.conf", text, strlen(text),
	    CFG_NO_FILE_CHECKS | CFG_NO_SECRETS, &cfg, &diag) == CFG_OK, "%s",
	    str_cstr(&diag));
	str_free(&diag);
	return cfg;
}

/* A reply as the server sent it ("250 ok\r\n"); NULL leaves code 0. */
static void
reply(struct smtp_reply *r, const char *wire)
{
	struct str err = STR_INIT;

	smtp_reply_init(r);
	if (wire != NULL)
		ck_assert_msg(smtp_reply_feed(r, wire, strlen(wire), &err) ==
		    SMTP_OK, "%s: %s", wire, str_cstr(&err));
	str_free(&err);
}

/* ---- submit_outcome: an attempt chain's end as exit status and -bs reply */

struct outcome_case {
	const char *what;
	enum smtp_status st;
	enum smtp_stage stage;
	const char *reply;	/* the relay's deciding reply, or NULL */
	const char *text;	/* res.text */
	int	want_code;	/* <sysexits.h> */
	int	want_reply;	/* the -bs reply's code */
	const char *want_esc;	/* its enhanced code */
	const char *want_text;	/* a piece of its text */
};

static const struct outcome_case outcome_cases[] = {
	{ "sent", SMTP_SENT, SMTP_STAGE_DOT, "250 2.0.0 ok\r\n", "relay: ok",
	    EX_OK, 250, "2.0.0", "Ok: sent" },
	{ "no answer: temporary", SMTP_TEMP, SMTP_STAGE_CONNECT, NULL,
	    "connection refused", EX_TEMPFAIL, 451, "4.3.0",
	    "Not sent, try again later: connection refused" },
	{ "4xx to MAIL: temporary", SMTP_TEMP, SMTP_STAGE_MAIL,
	    "451 4.3.0 later\r\n", "451 later", EX_TEMPFAIL, 451, "4.3.0",
	    "try again later: 451 later" },
	{ "AUTH refused", SMTP_AUTHFAIL, SMTP_STAGE_AUTH,
	    "535 5.7.8 bad credentials\r\n", "535 bad credentials",
	    EX_NOPERM, 451, "4.3.0", "535 bad credentials" },
	{ "TLS failure: temporary", SMTP_TLSFAIL, SMTP_STAGE_STARTTLS, NULL,
	    "certificate", EX_TEMPFAIL, 451, "4.3.0", "certificate" },
	{ "every recipient refused at RCPT", SMTP_PERM, SMTP_STAGE_RCPT,
	    "550 5.1.1 no such user\r\n", "550 no such user", EX_NOUSER, 554,
	    "5.0.0", "Refused: 550 no such user" },
	{ "5xx to MAIL: other permanent", SMTP_PERM, SMTP_STAGE_MAIL,
	    "553 5.7.1 sender refused\r\n", "553 sender refused",
	    EX_UNAVAILABLE, 554, "5.0.0", "Refused: 553 sender refused" },
	{ "5xx after the data: other permanent", SMTP_PERM, SMTP_STAGE_DOT,
	    "554 5.7.1 spam\r\n", "554 spam", EX_UNAVAILABLE, 554, "5.0.0",
	    "Refused: 554 spam" },
	{ "too big for the relay keeps 552 5.3.4", SMTP_PERM, SMTP_STAGE_DOT,
	    "552 5.3.4 too big\r\n", "552 too big", EX_UNAVAILABLE, 552,
	    "5.3.4", "Refused: 552 too big" },
	{ "a text no reply can carry says less", SMTP_PERM, SMTP_STAGE_MAIL,
	    "550 5.0.0 no\r\n", "two\nlines", EX_UNAVAILABLE, 554, "5.0.0",
	    "Refused by the relay" },
	{ "a temporary one says less too", SMTP_TEMP, SMTP_STAGE_MAIL, NULL,
	    "two\rlines", EX_TEMPFAIL, 451, "4.3.0",
	    "Not sent, try again later" },
};

START_TEST(outcome)
{
	const struct outcome_case *c = &outcome_cases[_i];
	struct smtp_result res;
	struct smtp_reply out = SMTP_REPLY_INIT;
	char esc[16];

	smtp_result_init(&res);
	res.status = c->st;
	res.stage = c->stage;
	smtp_reply_free(&res.reply);
	reply(&res.reply, c->reply);
	str_setz(&res.text, c->text);
	/* Without a reply (the command line), the same status. */
	ck_assert_msg(submit_outcome(&res, c->st, NULL) == c->want_code,
	    "%s: exit %d, want %d", c->what, submit_outcome(&res, c->st, NULL),
	    c->want_code);
	ck_assert_msg(submit_outcome(&res, c->st, &out) == c->want_code,
	    "%s: exit with a reply", c->what);
	snprintf(esc, sizeof(esc), "%d.%d.%d", out.esc_class, out.esc_subject,
	    out.esc_detail);
	ck_assert_msg(out.code == c->want_reply, "%s: reply %d, want %d",
	    c->what, out.code, c->want_reply);
	ck_assert_msg(strcmp(esc, c->want_esc) == 0, "%s: esc %s, want %s",
	    c->what, esc, c->want_esc);
	ck_assert_msg(strstr(str_cstr(&out.text), c->want_text) != NULL,
	    "%s: reply text \"%s\" lacks \"%s\"", c->what, str_cstr(&out.text),
	    c->want_text);
	smtp_reply_free(&out);
	smtp_result_free(&res);
}
END_TEST

/* ---- submit_exitcode: errors before any relay ----------------------- */

static const struct {
	int	rc, want;
} exitcode_cases[] = {
	{ SUBMIT_OK, EX_OK },
	{ SUBMIT_EUSAGE, EX_USAGE },
	{ SUBMIT_EDATA, EX_DATAERR },
	{ SUBMIT_ENOUSER, EX_NOUSER },
	{ SUBMIT_ETMP, EX_TEMPFAIL },
	{ SUBMIT_ECONFIG, EX_CONFIG },
	{ SUBMIT_ETOOBIG, EX_UNAVAILABLE },
	{ 12345, EX_TEMPFAIL },		/* anything else: try again, never 1 */
};

START_TEST(exitcode)
{
	ck_assert_int_eq(submit_exitcode(exitcode_cases[_i].rc),
	    exitcode_cases[_i].want);
}
END_TEST

/* ---- submit_rcpt_state: each recipient after an attempt ------------- */

struct rcpt_case {
	const char *what;
	enum smtp_status st;		/* how the attempt ended */
	const char *rcpt_reply;		/* the RCPT's, or NULL: not reached */
	const char *msg_reply;		/* res.reply, or NULL */
	enum submit_rcpt_state want;
	int	want_why;		/* submit_rcpt_reply's code */
};

static const struct rcpt_case rcpt_cases[] = {
	{ "sent, accepted", SMTP_SENT, "250 ok\r\n", "250 queued\r\n",
	    SUBMIT_RCPT_SENT, 250 },
	{ "sent, this one refused at RCPT", SMTP_SENT, "550 5.1.1 no\r\n",
	    "250 queued\r\n", SUBMIT_RCPT_REFUSED, 550 },
	{ "sent, this one deferred at RCPT", SMTP_SENT, "450 4.2.0 later\r\n",
	    "250 queued\r\n", SUBMIT_RCPT_DEFERRED, 450 },
	{ "accepted at RCPT, 4xx after the data", SMTP_TEMP, "250 ok\r\n",
	    "451 4.3.0 later\r\n", SUBMIT_RCPT_DEFERRED, 451 },
	{ "not reached: the connection failed", SMTP_TEMP, NULL, NULL,
	    SUBMIT_RCPT_DEFERRED, 0 },
	{ "accepted at RCPT, 5xx after the data", SMTP_PERM, "250 ok\r\n",
	    "554 5.7.1 spam\r\n", SUBMIT_RCPT_REFUSED, 554 },
	{ "not reached: 5xx to MAIL", SMTP_PERM, NULL, "553 5.7.1 no\r\n",
	    SUBMIT_RCPT_REFUSED, 0 },
	{ "4xx at RCPT, then the message refused", SMTP_PERM,
	    "450 4.2.0 later\r\n", "554 5.0.0 no\r\n", SUBMIT_RCPT_DEFERRED,
	    450 },
	{ "refused at RCPT, the message refused", SMTP_PERM, "550 5.1.1 no\r\n",
	    "554 5.0.0 no\r\n", SUBMIT_RCPT_REFUSED, 550 },
	{ "not reached: AUTH refused", SMTP_AUTHFAIL, NULL, NULL,
	    SUBMIT_RCPT_DEFERRED, 0 },
	{ "accepted at RCPT, TLS failed after", SMTP_TLSFAIL, "250 ok\r\n",
	    NULL, SUBMIT_RCPT_DEFERRED, 250 },
};

START_TEST(rcpt_state)
{
	const struct rcpt_case *c = &rcpt_cases[_i];
	struct submit_result r;
	struct smtp_reply rc;

	memset(&r, 0, sizeof(r));
	smtp_result_init(&r.res);
	smtp_reply_free(&r.res.reply);
	reply(&r.res.reply, c->msg_reply);
	r.st = c->st;
	reply(&rc, c->rcpt_reply);
	r.replies = &rc;
	r.nreplies = 1;
	ck_assert_msg(submit_rcpt_state(&r, 0) == c->want, "%s: state %d, "
	    "want %d", c->what, (int)submit_rcpt_state(&r, 0), (int)c->want);
	ck_assert_msg(submit_rcpt_reply(&r, 0)->code == c->want_why,
	    "%s: why %d, want %d", c->what, submit_rcpt_reply(&r, 0)->code,
	    c->want_why);
	smtp_reply_free(&rc);
	smtp_result_free(&r.res);
}
END_TEST

/* What stays queued after an attempt: the deferred recipients, in order;
   the envelope's other fields stay as they were. */
START_TEST(keep_deferred)
{
	static const char *const wire[] = { "250 ok\r\n", "450 busy\r\n",
		"550 no such user\r\n", "451 later\r\n", NULL };
	static const char *const addr[] = { "a@x", "b@x", "c@x", "d@x",
		"notsent@x" };
	struct envelope sent = ENVELOPE_INIT, queued = ENVELOPE_INIT;
	struct smtp_reply rr[5];
	struct submit_result r;
	size_t i;

	for (i = 0; i < 5; i++) {
		reply(&rr[i], wire[i]);
		envelope_add_rcpt(&sent, addr[i]);
	}
	envelope_copy(&queued, &sent);
	envelope_set_sender(&queued, "s@x");
	queued.dsn_notify = SMTP_NOTIFY_FAILURE;
	memset(&r, 0, sizeof(r));
	smtp_result_init(&r.res);
	r.st = SMTP_SENT;
	r.env = &sent;
	r.replies = rr;
	r.nreplies = 5;
	submit_keep_deferred(&r, &queued);
	/* 450 and 451 stay; the one never sent (code 0) too; 250 and 550
	   are done. */
	ck_assert_uint_eq(queued.rcpts.n, 3);
	ck_assert_str_eq(queued.rcpts.v[0], "b@x");
	ck_assert_str_eq(queued.rcpts.v[1], "d@x");
	ck_assert_str_eq(queued.rcpts.v[2], "notsent@x");
	ck_assert_str_eq(queued.sender, "s@x");
	ck_assert_uint_eq(queued.dsn_notify, SMTP_NOTIFY_FAILURE);
	for (i = 0; i < 5; i++)
		smtp_reply_free(&rr[i]);
	smtp_result_free(&r.res);
	envelope_free(&sent);
	envelope_free(&queued);
}
END_TEST

/* ---- submit_next_relay, submit_fallback: which relays are tried ----- */

#define RELAYS3 \
	"[relay a]\nhost = h\n[relay b]\nhost = h\n[relay c]\nhost = h\n"

struct chain_case {
	const char *what;
	const char *conf;
	const char *sender;
	const char *only_relay;		/* --test-mail --relay, or NULL */
	enum smtp_status st[4];		/* what each relay tried answers */
	const char *want;		/* the relays tried, in order */
};

static const struct chain_case chain_cases[] = {
	{ "sent by the first", RELAYS3, "s@x", NULL, { SMTP_SENT }, "a" },
	{ "temporary failure falls back", RELAYS3, "s@x", NULL,
	    { SMTP_TEMP, SMTP_SENT }, "a b" },
	{ "every one temporary: all tried", RELAYS3, "s@x", NULL,
	    { SMTP_TEMP, SMTP_TEMP, SMTP_TEMP }, "a b c" },
	{ "a permanent refusal stops", RELAYS3, "s@x", NULL,
	    { SMTP_PERM }, "a" },
	{ "a permanent refusal from the fallback stops", RELAYS3, "s@x",
	    NULL, { SMTP_TEMP, SMTP_PERM }, "a b" },
	{ "AUTH refused is temporary: falls back", RELAYS3, "s@x", NULL,
	    { SMTP_AUTHFAIL, SMTP_SENT }, "a b" },
	{ "TLS failure is temporary: falls back", RELAYS3, "s@x", NULL,
	    { SMTP_TLSFAIL, SMTP_SENT }, "a b" },
	{ "fallback = no stops after a temporary failure",
	    "[relay a]\nhost = h\nfallback = no\n[relay b]\nhost = h\n", "s@x",
	    NULL, { SMTP_TEMP }, "a" },
	{ "fallback = no on the second stops there",
	    "[relay a]\nhost = h\n[relay b]\nhost = h\nfallback = no\n"
	    "[relay c]\nhost = h\n", "s@x", NULL, { SMTP_TEMP, SMTP_TEMP },
	    "a b" },
	{ "disabled relays are skipped",
	    "[relay a]\nhost = h\nenabled = no\n[relay b]\nhost = h\n"
	    "[relay c]\nhost = h\nenabled = no\n[relay d]\nhost = h\n", "s@x",
	    NULL, { SMTP_TEMP, SMTP_TEMP }, "b d" },
	{ "none enabled: none tried", "[relay a]\nhost = h\nenabled = no\n",
	    "s@x", NULL, { SMTP_TEMP }, "" },
	{ "no relay at all", "", "s@x", NULL, { SMTP_TEMP }, "" },
	{ "--relay: that one alone, disabled or not",
	    "[relay a]\nhost = h\n[relay b]\nhost = h\nenabled = no\n"
	    "[relay c]\nhost = h\n", "s@x", "b", { SMTP_TEMP }, "b" },
	{ "--relay of no such name: none", RELAYS3, "s@x", "x",
	    { SMTP_TEMP }, "" },
	{ "null sender: error_relay alone, disabled or not",
	    "[general]\nerror_relay = n\n" RELAYS3
	    "[relay n]\nhost = h\nenabled = no\n", "", NULL, { SMTP_TEMP },
	    "n" },
	{ "null sender without error_relay: the enabled ones", RELAYS3, "",
	    NULL, { SMTP_TEMP, SMTP_SENT }, "a b" },
	{ "a sender: error_relay is not for it",
	    "[general]\nerror_relay = n\n" RELAYS3
	    "[relay n]\nhost = h\nenabled = no\n", "s@x", NULL,
	    { SMTP_TEMP, SMTP_SENT }, "a b" },
	{ "--relay wins over error_relay",
	    "[general]\nerror_relay = n\n" RELAYS3 "[relay n]\nhost = h\n", "",
	    "b", { SMTP_TEMP }, "b" },
};

START_TEST(relay_chain)
{
	const struct chain_case *c = &chain_cases[_i];
	const struct cfg_relay *rl;
	struct cfg *cfg = config(c->conf);
	struct str tried = STR_INIT;
	struct submit s;
	size_t k = 0;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.env.sender = (char *)c->sender;
	s.only_relay = c->only_relay;
	/* The loop of submit_deliver(), with st[] for the servers. */
	for (rl = submit_next_relay(&s, NULL); rl != NULL;
	    rl = submit_next_relay(&s, rl)) {
		ck_assert_msg(k < sizeof(c->st) / sizeof(c->st[0]),
		    "%s: too many relays tried: %s", c->what, str_cstr(&tried));
		str_appendf(&tried, "%s%s", k ? " " : "", rl->name);
		if (!submit_fallback(rl, c->st[k++]))
			break;
	}
	ck_assert_msg(strcmp(str_cstr(&tried), c->want) == 0,
	    "%s: tried \"%s\", want \"%s\"", c->what, str_cstr(&tried), c->want);
	str_free(&tried);
	cfg_free(cfg);
}
END_TEST

/* ---- submit_test_relay: the one relay --test-mail tries ------------- */

struct test_relay_case {
	const char *what;
	const char *conf;
	const char *name;	/* --relay, or NULL */
	int	want_rc;
	const char *want;	/* the relay chosen, or the error */
};

static const struct test_relay_case test_relay_cases[] = {
	{ "the first enabled one",
	    "[relay a]\nhost = h\nenabled = no\n[relay b]\nhost = h\n"
	    "[relay c]\nhost = h\n", NULL, SUBMIT_OK, "b" },
	{ "by name, disabled or not",
	    "[relay a]\nhost = h\n[relay b]\nhost = h\nenabled = no\n", "b",
	    SUBMIT_OK, "b" },
	{ "no such name: usage, and the relays listed",
	    "[relay a]\nhost = h\n[relay b]\nhost = h\nenabled = no\n", "x",
	    SUBMIT_EUSAGE, "--relay x: no such relay in t.conf; the relays "
	    "are: a, b (disabled)" },
	{ "the name is escaped in the error", "[relay a]\nhost = h\n",
	    "x\ny", SUBMIT_EUSAGE, "--relay x\\ny: no such relay" },
	{ "none enabled: configuration",
	    "[relay a]\nhost = h\nenabled = no\n", NULL, SUBMIT_ECONFIG,
	    "no relay is enabled in t.conf; test one by name with --relay "
	    "NAME; the relays are: a (disabled)" },
	{ "no relay at all", "", NULL, SUBMIT_ECONFIG,
	    "the relays are: none" },
	{ "no relay at all, by name", "", "a", SUBMIT_EUSAGE,
	    "--relay a: no such relay in t.conf; the relays are: none" },
};

START_TEST(test_relay)
{
	const struct test_relay_case *c = &test_relay_cases[_i];
	static const struct cfg_relay stale;
	const struct cfg_relay *out = &stale;	/* must be overwritten */
	struct cfg *cfg = config(c->conf);
	struct str err = STR_INIT;
	int rc;

	rc = submit_test_relay(cfg, c->name, &out, &err);
	ck_assert_msg(rc == c->want_rc, "%s: rc %d, want %d", c->what, rc,
	    c->want_rc);
	if (rc == SUBMIT_OK) {
		ck_assert_ptr_nonnull(out);
		ck_assert_str_eq(out->name, c->want);
		ck_assert_uint_eq(err.len, 0);
	} else {
		ck_assert_ptr_null(out);
		ck_assert_msg(strstr(str_cstr(&err), c->want) != NULL,
		    "%s: \"%s\" lacks \"%s\"", c->what, str_cstr(&err), c->want);
	}
	str_free(&err);
	cfg_free(cfg);
}
END_TEST

#define NCASES(a)	((int)(sizeof(a) / sizeof((a)[0])))

Suite *
unit_suite(void)
{
	Suite *s = suite_create("submit");
	TCase *tc = tcase_create("decisions");

	tcase_add_loop_test(tc, outcome, 0, NCASES(outcome_cases));
	tcase_add_loop_test(tc, exitcode, 0, NCASES(exitcode_cases));
	tcase_add_loop_test(tc, rcpt_state, 0, NCASES(rcpt_cases));
	tcase_add_test(tc, keep_deferred);
	tcase_add_loop_test(tc, relay_chain, 0, NCASES(chain_cases));
	tcase_add_loop_test(tc, test_relay, 0, NCASES(test_relay_cases));
	suite_add_tcase(s, tc);
	return s;
}
