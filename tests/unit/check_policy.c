/*
 * Unit tests for lib/policy: every rule, on messages parsed by lib/hdr and
 * configurations loaded by lib/cfg, checking both the edited message and
 * the edit list the milter replays.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bulk.h"
#include "policy.h"

static struct cfg *cfg;
static struct hdr_block hb;
static struct policy_msg m;
static struct envelope env;
static struct policy_result r;
static struct str out = STR_INIT;

static void
setup(void)
{
	hdr_init(&hb);
	policy_result_init(&r);
	memset(&m, 0, sizeof(m));
	envelope_init(&env);
	m.env = &env;
	m.hdr = &hb;
	cfg = NULL;
}

static void
teardown(void)
{
	envelope_free(&env);
	hdr_free(&hb);
	policy_result_free(&r);
	cfg_free(cfg);
	str_free(&out);
}

static void
config(const char *text)
{
	struct str diag = STR_INIT;

	cfg_free(cfg);		/* a test may load another */
	cfg = NULL;
	/* As the milter loads it: an [account] names a login only. */
	ck_assert_msg(cfg_load_buffer("t.conf", text, strlen(text),
	    CFG_NO_FILE_CHECKS | CFG_NO_SECRETS, &cfg, &diag) == CFG_OK, "%s",
	    str_cstr(&diag));
	str_free(&diag);
}

/* message("sender", "header text", rcpt..., NULL) */
static void
message(const char *sender, const char *header, ...)
{
	va_list ap;
	const char *rc;
	size_t consumed;

	envelope_set_sender(&env, sender);
	va_start(ap, header);
	while ((rc = va_arg(ap, const char *)) != NULL)
		envelope_add_rcpt(&env, rc);
	va_end(ap);
	ck_assert_int_eq(hdr_parse_buffer(&hb, header, strlen(header), NULL,
	    &consumed, NULL), HDR_OK);
}

static void
run(void)
{
	policy_run(cfg, &m, &r);
	str_reset(&out);
	hdr_write(&hb, &out);
}

#define HAS(s)	ck_assert_msg(strstr(str_cstr(&out), (s)) != NULL,	\
	"header lacks \"%s\":\n%s", (s), str_cstr(&out))
#define HASNT(s) ck_assert_msg(strstr(str_cstr(&out), (s)) == NULL,	\
	"header has \"%s\":\n%s", (s), str_cstr(&out))

static size_t
count(const char *s)
{
	const char *p = str_cstr(&out);
	size_t n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p++;
	}
	return n;
}

static bool
rcpt_is(size_t i, const char *want)
{
	return i < env.rcpts.n && strcmp(env.rcpts.v[i], want) == 0;
}

static const char *const login_conf =
    "[relay main]\nhost = h\nusername = alice@example.org\n"
    "[account bob@example.org]\nrelay = main\n"
    "senders = bob@example.org, sales@example.org\n"
    "[message]\nfrom_must_match_login = %s\n";

static void
login_config(const char *mode)
{
	char text[512];

	snprintf(text, sizeof(text), login_conf, mode);
	config(text);
}

START_TEST(off_changes_nothing)
{
	login_config("off");
	message("eve@evil.example", "From: eve@evil.example\nSubject: hi\n\n",
	    "x@example.net", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_str_eq(str_cstr(&out), "From: eve@evil.example\nSubject: hi\n");
}
END_TEST

START_TEST(reject_envelope)
{
	login_config("reject");
	message("eve@evil.example", "From: alice@example.org\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	ck_assert_int_eq(r.reply.code, 550);
	ck_assert_int_eq(r.reply.esc_class, 5);
	ck_assert_int_eq(r.reply.esc_subject, 7);
	ck_assert_int_eq(r.reply.esc_detail, 1);
	ck_assert_str_eq(str_cstr(&r.reply.text), "<eve@evil.example>: sender "
	    "does not match login <alice@example.org>");
}
END_TEST

START_TEST(reject_header_from)
{
	login_config("reject");
	message("<alice@example.org>", "From: \"Eve\" <eve@evil.example>\n\n",
	    "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	ck_assert_str_eq(str_cstr(&r.reply.text), "<eve@evil.example>: From "
	    "does not match login <alice@example.org>");
}
END_TEST

START_TEST(reject_header_sender)
{
	login_config("reject");
	message("alice@example.org", "From: alice@example.org\n"
	    "Sender: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.reply.text), "Sender does "
	    "not match"));
}
END_TEST

START_TEST(second_from_field_checked)
{
	login_config("reject");
	message("alice@example.org", "From: alice@example.org\n"
	    "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(second_from_address_checked)
{
	login_config("reject");
	message("alice@example.org", "From: alice@example.org, "
	    "eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(allowed_case_and_encoded_name)
{
	login_config("reject");
	/* Case, encoded display name, and an account's other sender. */
	message("<Alice@EXAMPLE.ORG>", "From: =?UTF-8?B?QWxpY2Ugw5Y=?= "
	    "<alice@example.org.>\nSender: alice@Example.Org\n\n", "x@a.b",
	    NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(allowed_account_other_sender)
{
	login_config("reject");
	message("sales@example.org", "From: Sales <sales@example.org>\n\n",
	    "x@a.b", NULL);
	m.login = "bob@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
}
END_TEST

START_TEST(other_logins_senders_rejected)
{
	/* But not another login's senders. */
	login_config("reject");
	message("sales@example.org", "From: sales@example.org\n\n", "x@a.b",
	    NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(routed_login_rejected)
{
	login_config("reject");
	message("alice%evil.example@example.org", "From: alice@example.org\n\n",
	    "x@a.b", NULL);
	m.login = "alice%evil.example@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(unparsable_from_rejected)
{
	login_config("reject");
	message("alice@example.org", "From: <<<alice@example.org\n\n", "x@a.b",
	    NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.reply.text), "cannot check "
	    "the From header"));
}
END_TEST

START_TEST(null_sender_and_no_from)
{
	login_config("reject");
	message("<>", "Subject: bounce\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
}
END_TEST

START_TEST(rewrite_all)
{
	login_config("rewrite");
	message("eve@evil.example", "From: \"Eve Doe\" <eve@evil.example>\n"
	    "Subject: x\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_str_eq(env.sender, "alice@example.org");
	HAS("From: Eve Doe <alice@example.org>\n");
	HAS("Reply-To: \"Eve Doe\" <eve@evil.example>\n");
	HAS("X-Original-From: \"Eve Doe\" <eve@evil.example>\n");
	ck_assert_uint_eq(r.n, 4);
	ck_assert_int_eq(r.v[0].op, POLICY_CHGFROM);
	ck_assert_str_eq(r.v[0].value, "alice@example.org");
	ck_assert_int_eq(r.v[1].op, POLICY_CHGHDR);
	ck_assert_str_eq(r.v[1].name, "From");
	ck_assert_uint_eq(r.v[1].occurrence, 1);
	ck_assert_int_eq(r.v[2].op, POLICY_ADDHDR);
	ck_assert_str_eq(r.v[2].name, "Reply-To");
	ck_assert_int_eq(r.v[3].op, POLICY_ADDHDR);
	ck_assert_str_eq(r.v[3].name, "X-Original-From");
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions), "from=rewritten"));
}
END_TEST

START_TEST(rewrite_keeps_reply_to_and_forces_name)
{
	config("[relay main]\nhost = h\nusername = alice@example.org\n"
	    "[message]\nfrom_must_match_login = rewrite\n"
	    "from_display_name = Example Org\n");
	message("alice@example.org", "From: Eve <eve@evil.example>\n"
	    "Reply-To: desk@evil.example\nSender: eve@evil.example\n\n",
	    "x@a.b", NULL);
	run();	/* unauthenticated: the relay's username is the login */
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	HAS("From: Example Org <alice@example.org>\n");
	HAS("Reply-To: desk@evil.example\n");
	ck_assert_uint_eq(count("Reply-To:"), 1);
	HAS("Sender: alice@example.org\n");
	HAS("X-Original-From: Eve <eve@evil.example>\n");
}
END_TEST

START_TEST(rewrite_bare_login_rejected)
{
	login_config("rewrite");
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(rewrite_bare_login_gets_domain)
{
	config("[general]\ndomain = example.org\n[message]\n"
	    "from_must_match_login = rewrite\n");
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_str_eq(env.sender, "alice@example.org");
}
END_TEST

START_TEST(default_login_account_or_relay)
{
	login_config("off");
	ck_assert_str_eq(policy_default_login(cfg, "sales@example.org"),
	    "bob@example.org");
	ck_assert_str_eq(policy_default_login(cfg, "<bob@EXAMPLE.org>"),
	    "bob@example.org");
	ck_assert_str_eq(policy_default_login(cfg, "other@example.org"),
	    "alice@example.org");
}
END_TEST

START_TEST(default_login_none)
{
	config("[message]\nfrom_must_match_login = reject\n");
	ck_assert_ptr_null(policy_default_login(cfg, "a@b.c"));
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions), "no-login"));
}
END_TEST

START_TEST(default_login_credentials_default)
{
	/* credentials = default: [general]'s login; the null sender's mail
	   (notices) is error_relay's. */
	config("[general]\nusername = app@example.org\nerror_relay = notices\n"
	    "[relay main]\nhost = h\ncredentials = default\n"
	    "[relay notices]\nhost = h\nenabled = no\n"
	    "username = bounces@example.org\n");
	ck_assert_str_eq(policy_default_login(cfg, "a@b.c"), "app@example.org");
	ck_assert_str_eq(policy_default_login(cfg, ""), "bounces@example.org");
	ck_assert_str_eq(policy_default_login(cfg, "<>"),
	    "bounces@example.org");
}
END_TEST

START_TEST(display_name_forced)
{
	config("[message]\nfrom_display_name = \"Example Org\"\n");
	message("a@example.org", "From: Someone <a@example.org>\n\n", "x@a.b",
	    NULL);
	run();
	HAS("From: Example Org <a@example.org>\n");
}
END_TEST

START_TEST(display_name_encoded)
{
	config("[message]\nfrom_display_name = Jörg\n");
	message("a@example.org", "From: a@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("From: =?UTF-8?");
}
END_TEST

START_TEST(reply_to_added)
{
	config("[message]\nreply_to = \"Help\" <help@example.org>\n");
	message("a@example.org", "From: a@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("Reply-To: \"Help\" <help@example.org>\n");
}
END_TEST

START_TEST(reply_to_missing_keeps_first)
{
	config("[message]\nreply_to = help@example.org\n");
	message("a@example.org", "Reply-To: me@example.org\n"
	    "Reply-To: me2@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("Reply-To: me@example.org\n");
	ck_assert_uint_eq(count("Reply-To:"), 1);
}
END_TEST

START_TEST(reply_to_always_replaces)
{
	config("[message]\nreply_to = help@example.org\nreply_to_mode = always\n");
	message("a@example.org", "Reply-To: me@example.org\nX: y\n"
	    "Reply-To: me2@example.org\n\n", "x@a.b", NULL);
	run();
	ck_assert_str_eq(str_cstr(&out), "Reply-To: help@example.org\nX: y\n");
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.v[0].op, POLICY_CHGHDR);
	ck_assert_ptr_null(r.v[0].value);
	ck_assert_uint_eq(r.v[0].occurrence, 2);
	ck_assert_uint_eq(r.v[1].occurrence, 1);
}
END_TEST

START_TEST(reply_to_off)
{
	config("[message]\nreply_to = help@example.org\nreply_to_mode = off\n");
	message("a@example.org", "Subject: s\n\n", "x@a.b", NULL);
	run();
	HASNT("Reply-To");
}
END_TEST

START_TEST(exclude_and_discard)
{
	config("[message]\nexclude = robot@example.org, noreply@example.org\n");
	message("a@example.org", "Subject: s\n\n", "<ROBOT@example.org>",
	    "real@example.org", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 1);
	ck_assert(rcpt_is(0, "real@example.org"));
	ck_assert_int_eq(r.v[0].op, POLICY_DELRCPT);
	ck_assert_str_eq(r.v[0].value, "<ROBOT@example.org>");
	teardown();
	setup();
	config("[message]\nexclude = robot@example.org\n");
	message("a@example.org", "Subject: s\n\n", "robot@example.org", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_DISCARD);
	ck_assert_uint_eq(env.rcpts.n, 0);
}
END_TEST

static const char *const redirect_conf =
    "[redirect]\nenabled = yes\nsubject_prefix = [TEST]\n"
    "keep = @keep.example, boss@example.com\n"
    "[report qa@example.org]\n[report dev@example.org]\n"
    "[report off@example.org]\nenabled = no\n";

START_TEST(redirect_basic)
{
	config(redirect_conf);
	message("app@example.org", "Subject: Invoice\n\n", "<cust@real.example>",
	    "staff@keep.example", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 3);
	ck_assert(rcpt_is(0, "staff@keep.example"));
	ck_assert(rcpt_is(1, "qa@example.org"));
	ck_assert(rcpt_is(2, "dev@example.org"));
	HAS("X-Original-To: cust@real.example\n");
	HAS("X-Original-To: staff@keep.example\n");
	HAS("Subject: [TEST] Invoice\n");
	HASNT("off@example.org");
}
END_TEST

/* No recipient outside keep survives, whatever its form. */
START_TEST(redirect_adversarial)
{
	static const char *const evil[] = {
		"BOSS@EXAMPLE.COM.evil.example",
		"<@keep.example:victim@real.example>",
		"victim%real.example@keep.example",
		"\"victim@real.example\"@keep.example",
		"real.example!victim@keep.example",
		"victim@real.example (staff@keep.example)",
		"<victim@real.example",
		"<<<",
		"",
		"victim@keep.example.real.example",
		"victim@sub.keep.example",
		"jörg@real.example",
	};
	size_t i, j;

	config(redirect_conf);
	envelope_set_sender(&env, "app@example.org");
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++)
		envelope_add_rcpt(&env, evil[i]);
	envelope_add_rcpt(&env, "BOSS@Example.COM");
	envelope_add_rcpt(&env, "<jörg@keep.example>");
	envelope_add_rcpt(&env, "qa@example.org");
	ck_assert_int_eq(hdr_parse_buffer(&hb, "Subject: Re: [TEST] x\n\n", 23,
	    NULL, &j, NULL), HDR_OK);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	for (i = 0; i < env.rcpts.n; i++)
		ck_assert_msg(strcmp(env.rcpts.v[i], "BOSS@Example.COM") == 0 ||
		    strcmp(env.rcpts.v[i], "<jörg@keep.example>") == 0 ||
		    strcmp(env.rcpts.v[i], "qa@example.org") == 0 ||
		    strcmp(env.rcpts.v[i], "dev@example.org") == 0,
		    "%s survived redirect", env.rcpts.v[i]);
	ck_assert_uint_eq(env.rcpts.n, 4);	/* qa not added twice */
	ck_assert_uint_eq(count("X-Original-To:"), 15);
	HAS("Subject: Re: [TEST] x\n");
	ck_assert_uint_eq(count("[TEST]"), 1);
}
END_TEST

/* The milter gets recipients as the MTA has them: "<addr>" from smtpd.
   X-Original-To records the address, never the SMTP brackets, also when
   the address cannot be parsed (an unqualified local name). */
START_TEST(redirect_original_to_bare)
{
	config(redirect_conf);
	message("<app@example.org>", "Subject: s\n\n", "<cust@real.example>",
	    "<localuser>", "<postmaster>", "<@relay.example:v@keep.example>",
	    "<\"v\"@real.example>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	HAS("X-Original-To: cust@real.example\n");
	HAS("X-Original-To: localuser\n");
	HAS("X-Original-To: postmaster\n");
	HAS("X-Original-To: v@real.example\n");
	HASNT("X-Original-To: <");
	ck_assert_uint_eq(count("X-Original-To:"), 5);
}
END_TEST

START_TEST(redirect_without_report)
{
	config("[redirect]\nenabled = yes\n[report qa@example.org]\n"
	    "enabled = no\n");
	message("a@example.org", "Subject: s\n\n", "cust@real.example", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_TEMPFAIL);
	ck_assert_int_eq(r.reply.code, 451);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(rcpt_is(0, "cust@real.example"));
}
END_TEST

START_TEST(redirect_subject_added)
{
	config(redirect_conf);
	message("a@example.org", "From: a@example.org\n\n", "c@real.example",
	    NULL);
	run();
	HAS("Subject: [TEST]\n");
}
END_TEST

/*
 * The milter's header comes from the MTA, which may hold a bare CR (or a
 * break not before WSP) inside a value.  The policy judges the value with
 * spaces there and must replace the MTA's copy, or the next hop could read
 * "Subject: x\rFrom: ..." as a second From that reject mode never saw.
 */
START_TEST(milter_header_breaks)
{
	login_config("reject");
	envelope_set_sender(&env, "<alice@example.org>");
	envelope_add_rcpt(&env, "<x@example.net>");
	m.login = "alice@example.org";
	hdr_add_parsed(&hb, "From", "Alice <alice@example.org>");
	hdr_add_parsed(&hb, "X-Folded", "a,\r\n\tb");
	hdr_add_parsed(&hb, "Subject", "x\rFrom: \"CEO\" <ceo@example.org>");
	hdr_add_parsed(&hb, "Subject", "y\nReply-To: e@evil.example\r");
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.v[0].op, POLICY_CHGHDR);
	ck_assert_str_eq(r.v[0].name, "Subject");
	ck_assert_uint_eq(r.v[0].occurrence, 1);
	ck_assert_str_eq(r.v[0].value, "x From: \"CEO\" <ceo@example.org>");
	ck_assert_int_eq(r.v[1].op, POLICY_CHGHDR);
	ck_assert_uint_eq(r.v[1].occurrence, 2);
	ck_assert_str_eq(r.v[1].value, "y Reply-To: e@evil.example ");
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions),
	    "header-line-breaks=2"));
	ck_assert_uint_eq(count("From:"), 2);	/* one inside the Subject */
	ck_assert_uint_eq(count("\nFrom:"), 0);
	HAS("Subject: x From: \"CEO\" <ceo@example.org>\r\n");
	ck_assert(!hb.v[1].crlf_fixed && !hb.v[2].crlf_fixed);
}
END_TEST

/*
 * bulk_copies: a store in memory, as the milter keeps it; "now" is moved
 * by hand.  Each message() of a batch runs on a fresh message.
 */
static struct bulk_table bulk_t;
static long long bulk_clock = 1000000;
static bool bulk_fail;

static bool
bulk_claim(void *arg, const uint64_t *keys, bool *first, size_t n,
    unsigned window_s)
{
	size_t i;

	(void)arg;
	if (bulk_fail)
		return false;
	for (i = 0; i < n; i++)
		first[i] = bulk_table_claim(&bulk_t, keys[i], bulk_clock,
		    (long long)window_s * 1000);
	return true;
}

static const struct policy_bulk bulk_store = { bulk_claim, NULL };

static const char *const bulk_conf =
    "[message]\nbulk_copies = first\nbulk_window = 1m\n%s";

static void
bulk_config(const char *extra)
{
	char text[512];

	snprintf(text, sizeof(text), bulk_conf, extra);
	config(text);
	bulk_table_free(&bulk_t);
	bulk_table_init(&bulk_t, 100);
	bulk_fail = false;
}

/* The next message: the last one's state goes, the config stays. */
static void
next_message(void)
{
	envelope_free(&env);
	hdr_free(&hb);
	policy_result_free(&r);
	policy_result_init(&r);
	memset(&m, 0, sizeof(m));
	m.env = &env;
	m.hdr = &hb;
	m.bulk = &bulk_store;
}

static bool
has_rcpt(const char *want)
{
	size_t i;

	for (i = 0; i < env.rcpts.n; i++)
		if (strcmp(env.rcpts.v[i], want) == 0)
			return true;
	return false;
}

START_TEST(bulk_first_copy_only)
{
	bulk_config("");
	next_message();
	message("<app@school.example>", "X-Batch-ID: 42\nTo: s1@example.net\n"
	    "Cc: Trainer <trainer@example.org>\nSubject: r\n\n",
	    "<s1@example.net>", "<trainer@example.org>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 2);
	ck_assert_uint_eq(r.n, 0);
	next_message();
	message("<app@school.example>", "X-Batch-ID:  42 \nTo: s2@example.net\n"
	    "Cc: Trainer <TRAINER@Example.ORG.>\nSubject: r\n\n",
	    "<s2@example.net>", "<trainer@example.org>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 1);
	ck_assert(rcpt_is(0, "<s2@example.net>"));
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.v[0].op, POLICY_DELRCPT);
	ck_assert_str_eq(r.v[0].value, "<trainer@example.org>");
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions),
	    "bulk_copies_dropped=1"));
	HAS("Cc: Trainer <TRAINER@Example.ORG.>\n");	/* as written */
	/* Another batch: its own first copy. */
	next_message();
	message("<app@school.example>", "X-Batch-ID: 43\nTo: s3@example.net\n"
	    "Cc: trainer@example.org\n\n", "s3@example.net",
	    "trainer@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	/* After a whole window without a message of batch 42: new again. */
	bulk_clock += 60000;
	next_message();
	message("<app@school.example>", "X-Batch-ID: 42\nTo: s4@example.net\n"
	    "Cc: trainer@example.org\n\n", "s4@example.net",
	    "trainer@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
}
END_TEST

/* Per copy recipient: each trainer of a batch gets one; To always wins;
   envelope-only recipients are no copies; Bcc ones are. */
START_TEST(bulk_who_is_a_copy)
{
	static const char *const rc[] = { "s@example.net", "a@example.org",
		"b@example.org", "hidden@example.org", "both@example.org",
		"env@example.org", "taken@example.org" };
	struct strvec bcc = STRVEC_INIT;
	int round;

	bulk_config("");
	strvec_push_dup(&bcc, "Taken@example.org");
	for (round = 0; round < 2; round++) {
		next_message();
		m.bcc = &bcc;
		message("a@x.example", "X-Batch-ID: b\nTo: s@example.net, "
		    "both@example.org\nCc: a@example.org\nCc: b@example.org, "
		    "both@example.org, undisclosed:;\n"
		    "Bcc: hidden@example.org\n\n", rc[0], rc[1], rc[2], rc[3],
		    rc[4], rc[5], rc[6], NULL);
		run();
		ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
		if (round == 0) {
			ck_assert_uint_eq(env.rcpts.n, 7);
			continue;
		}
		ck_assert_uint_eq(env.rcpts.n, 3);
		ck_assert(has_rcpt("s@example.net"));
		ck_assert(has_rcpt("both@example.org"));
		ck_assert(has_rcpt("env@example.org"));
	}
	strvec_free(&bcc);
	/* A new Cc in a batch already under way gets its copy. */
	next_message();
	message("a@x.example", "X-Batch-ID: b\nTo: s@example.net\n"
	    "Cc: a@example.org, new@example.org\n\n", "s@example.net",
	    "a@example.org", "new@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	ck_assert(has_rcpt("new@example.org"));
}
END_TEST

START_TEST(bulk_subject_batches)
{
	const char *hdr_a = "To: s@example.net\nCc: t@example.org\n"
	    "Subject: Reminder\n\n";
	const char *hdr_b = "To: s@example.net\nCc: t@example.org\n"
	    "Subject: Other\n\n";

	/* Without the header and without bulk_match_subject: no batch. */
	bulk_config("");
	next_message();
	message("app@x.example", hdr_a, "s@example.net", "t@example.org", NULL);
	run();
	next_message();
	message("app@x.example", hdr_a, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);

	bulk_config("bulk_match_subject = yes\n");
	next_message();
	message("app@x.example", hdr_a, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	next_message();
	message("<APP@x.example>", hdr_a, "s@example.net", "t@example.org",
	    NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 1);
	/* Another Subject, another sender: other batches. */
	next_message();
	message("app@x.example", hdr_b, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	next_message();
	message("other@x.example", hdr_a, "s@example.net", "t@example.org",
	    NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	/* The batch header, named otherwise, wins over the Subject. */
	bulk_config("bulk_match_subject = yes\nbulk_batch_header = X-Run\n");
	next_message();
	message("app@x.example", "X-Run: 1\nSubject: a\nTo: s@example.net\n"
	    "Cc: t@example.org\n\n", "s@example.net", "t@example.org", NULL);
	run();
	next_message();
	message("app@x.example", "X-Run: 1\nSubject: b\nTo: s@example.net\n"
	    "Cc: t@example.org\n\n", "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 1);
}
END_TEST

/* Unsure: every copy goes out. */
START_TEST(bulk_errs_towards_sending)
{
	const char *hdr = "X-Batch-ID: 1\nTo: s@example.net\n"
	    "Cc: t@example.org\n\n";

	bulk_config("");
	next_message();
	message("a@x.example", hdr, "s@example.net", "t@example.org", NULL);
	run();
	/* The store fails. */
	bulk_fail = true;
	next_message();
	message("a@x.example", hdr, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions),
	    "bulk=store-failed"));
	bulk_fail = false;
	/* A Cc that does not parse: who is a copy cannot be told. */
	next_message();
	message("a@x.example", "X-Batch-ID: 1\nTo: s@example.net\n"
	    "Cc: t@example.org, <broken\n\n", "s@example.net",
	    "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	/* No store given (bulk_copies = first but a front end without
	   one), and bulk_copies = every. */
	next_message();
	m.bulk = NULL;
	message("a@x.example", hdr, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	config("[message]\nbulk_copies = every\n");
	next_message();
	message("a@x.example", hdr, "s@example.net", "t@example.org", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	bulk_table_free(&bulk_t);
}
END_TEST

static const char *const rule_conf =
    "[rule class]\nwhen_header = X-Mail-Context: class\n"
    "add_cc = teacher@school.example\nadd_bcc = archive@school.example\n"
    "[rule school]\nwhen_sender = @school.example\n"
    "add_cc = office@school.example, teacher@school.example\n"
    "[rule both]\nwhen_header = x-mail-context: term-*\n"
    "when_sender = head@school.example\nadd_bcc = board@school.example\n";

/* when_header: name in any case, value exact after trimming; Cc in the
   header (a new field), Bcc in the envelope only. */
START_TEST(rule_header_adds_cc_and_bcc)
{
	config(rule_conf);
	message("<app@example.org>", "From: app@example.org\n"
	    "To: parent@example.net\nX-MAIL-CONTEXT:  class  \n\n",
	    "<parent@example.net>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 3);
	ck_assert(rcpt_is(1, "teacher@school.example"));
	ck_assert(rcpt_is(2, "archive@school.example"));
	HAS("Cc: teacher@school.example\n");
	HASNT("archive");
	/* The milter's edits: the header, then the two recipients. */
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.v[0].op, POLICY_ADDHDR);
	ck_assert_str_eq(r.v[0].name, "Cc");
	ck_assert_int_eq(r.v[1].op, POLICY_ADDRCPT);
	ck_assert_str_eq(r.v[1].value, "teacher@school.example");
	ck_assert_int_eq(r.v[2].op, POLICY_ADDRCPT);
	ck_assert_str_eq(r.v[2].value, "archive@school.example");
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions),
	    "rule=class(cc=1,bcc=1)"));
}
END_TEST

/* Exact means exact; a field of another name or another value does not
   match; nor does a header rule's value turn up in another field. */
START_TEST(rule_header_no_match)
{
	static const char *const headers[] = {
		"X-Mail-Context: classes\n\n",
		"X-Mail-Context: Class\n\n",
		"X-Mail-Context2: class\n\n",
		"Subject: X-Mail-Context: class\n\n",
		"X-Mail-Context: term\n\n",	/* the glob needs "term-" */
	};
	size_t i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		config(rule_conf);
		message("<app@example.org>", headers[i], "<p@example.net>",
		    NULL);
		run();
		ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
		ck_assert_msg(env.rcpts.n == 1, "%s: %zu recipients", headers[i],
		    env.rcpts.n);
		ck_assert_uint_eq(r.n, 0);
		teardown();
		setup();
	}
}
END_TEST

/* when_sender by domain; a Cc field that exists gets the new addresses
   appended, not a second Cc; what To or Cc already names is not
   repeated, and an envelope recipient is not added twice.  Two rules
   matching add the union. */
START_TEST(rule_sender_and_merge)
{
	config(rule_conf);
	message("<Head@School.Example>", "To: teacher@school.example\n"
	    "Cc: Someone <someone@example.net>\n"
	    "X-Mail-Context: term-2\n\n",
	    "<teacher@school.example>", "<someone@example.net>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	HAS("Cc: Someone <someone@example.net>, office@school.example\n");
	ck_assert_uint_eq(count("Cc:"), 1);
	ck_assert_uint_eq(count("teacher"), 1);
	ck_assert_uint_eq(env.rcpts.n, 4);
	ck_assert(rcpt_is(2, "office@school.example"));
	ck_assert(rcpt_is(3, "board@school.example"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions),
	    "rule=school(cc=1,bcc=0) rule=both(cc=0,bcc=1)"));
}
END_TEST

/* Both conditions set: both must hold.  A null, routed or unparsable
   sender matches no when_sender. */
START_TEST(rule_both_conditions)
{
	static const char *const senders[] = {
		"<other@school.example>",	/* header ok, sender not */
		"", "<>", "<@relay.example:head@school.example>",
		"<head@school.example",
	};
	size_t i;

	for (i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		config("[rule both]\nwhen_header = X-Ctx: term-*\n"
		    "when_sender = head@school.example\n"
		    "add_bcc = board@school.example\n");
		message(senders[i], "X-Ctx: term-1\n\n", "<p@example.net>",
		    NULL);
		run();
		ck_assert_msg(env.rcpts.n == 1, "sender %s matched", senders[i]);
		teardown();
		setup();
	}
	config("[rule both]\nwhen_header = X-Ctx: term-*\n"
	    "when_sender = head@school.example\n"
	    "add_bcc = board@school.example\n");
	message("head@school.example", "X-Ctx: term-1\n\n", "<p@example.net>",
	    NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	ck_assert(rcpt_is(1, "board@school.example"));
}
END_TEST

/* Rules come before redirect: on a test system the added recipients
   are redirected and recorded like the others; and before exclude. */
START_TEST(rule_before_redirect_and_exclude)
{
	config("[message]\nexclude = archive@school.example\n"
	    "[rule class]\nwhen_header = X-Mail-Context: class\n"
	    "add_cc = teacher@school.example\n"
	    "add_bcc = archive@school.example, audit@school.example\n"
	    "[redirect]\nenabled = yes\n[report qa@example.org]\n");
	message("<app@example.org>", "X-Mail-Context: class\n\n",
	    "<parent@example.net>", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(env.rcpts.n, 1);
	ck_assert(rcpt_is(0, "qa@example.org"));
	HAS("X-Original-To: teacher@school.example\n");
	HAS("X-Original-To: audit@school.example\n");
	HASNT("X-Original-To: archive");
	HAS("Cc: teacher@school.example\n");
	/* The excluded address was never added: no edit adds and removes
	   it at the MTA. */
	ck_assert_uint_eq(count("archive"), 0);
	for (size_t i = 0; i < r.n; i++)
		ck_assert(r.v[i].value == NULL ||
		    strstr(r.v[i].value, "archive") == NULL);
}
END_TEST

/* exclude keeps an address out of the Cc header a rule writes too. */
START_TEST(rule_excluded_cc)
{
	config("[message]\nexclude = teacher@school.example\n"
	    "[rule class]\nwhen_header = X-Mail-Context: class\n"
	    "add_cc = teacher@school.example, office@school.example\n");
	message("<app@example.org>", "X-Mail-Context: class\n\n",
	    "<parent@example.net>", NULL);
	run();
	ck_assert_uint_eq(env.rcpts.n, 2);
	ck_assert(rcpt_is(1, "office@school.example"));
	HAS("Cc: office@school.example\n");
	HASNT("teacher");
}
END_TEST

/* Through the milter: fields as the MTA reports them; the existing Cc
   is changed at its occurrence. */
START_TEST(rule_milter_edits)
{
	config(rule_conf);
	envelope_set_sender(&env, "<x@school.example>");
	envelope_add_rcpt(&env, "<p@example.net>");
	hdr_add_parsed(&hb, "Cc", "a@example.net,\r\n\tb@example.net");
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.v[0].op, POLICY_CHGHDR);
	ck_assert_str_eq(r.v[0].name, "Cc");
	ck_assert_uint_eq(r.v[0].occurrence, 1);
	ck_assert_str_eq(r.v[0].value, "a@example.net,\tb@example.net, "
	    "office@school.example, teacher@school.example");
	ck_assert_int_eq(r.v[1].op, POLICY_ADDRCPT);
	ck_assert_int_eq(r.v[2].op, POLICY_ADDRCPT);
}
END_TEST

/* [message] from on a message without From (the milter's case); one
   that has a From keeps it. */
START_TEST(default_from_added)
{
	config("[message]\nfrom = \"Example App\" <noreply@example.org>\n");
	message("<app@example.org>", "Subject: no from\n\n", "<p@example.net>",
	    NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	HAS("From: \"Example App\" <noreply@example.org>\n");
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.v[0].op, POLICY_ADDHDR);
	ck_assert_str_eq(r.v[0].name, "From");
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions), "from=added"));
}
END_TEST

START_TEST(default_from_existing_kept)
{
	config("[message]\nfrom = noreply@example.org\n");
	message("<app@example.org>", "from: app@example.org\n\n",
	    "<p@example.net>", NULL);
	run();
	ck_assert_uint_eq(r.n, 0);
	HASNT("noreply");
}
END_TEST

START_TEST(default_from_not_invented)
{
	/* Without [message] from nothing is invented. */
	config("[general]\n");
	message("<app@example.org>", "Subject: x\n\n", "<p@example.net>",
	    NULL);
	run();
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

/* The added From is judged like any other by from_must_match_login. */
START_TEST(default_from_then_login)
{
	config("[relay main]\nhost = h\nusername = alice@example.org\n"
	    "[message]\nfrom = Desk <desk@example.org>\n"
	    "from_must_match_login = rewrite\n");
	message("<alice@example.org>", "Subject: x\n\n", "<p@example.net>",
	    NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	HAS("From: Desk <alice@example.org>\n");
	HAS("X-Original-From: Desk <desk@example.org>\n");
}
END_TEST

/*
 * Every rule on one message: login rewrite, reply_to always, exclude and
 * redirect.  Each case below runs it and checks one rule's part, so a
 * failure names the rule.
 */
static void
everything_together(void)
{
	config("[relay main]\nhost = h\nusername = alice@example.org\n"
	    "[message]\nfrom_must_match_login = rewrite\n"
	    "reply_to = help@example.org\nreply_to_mode = always\n"
	    "exclude = robot@example.org\n"
	    "[redirect]\nenabled = yes\n[report qa@example.org]\n");
	message("eve@evil.example", "From: eve@evil.example\nSubject: s\n\n",
	    "robot@example.org", "cust@real.example", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
}

START_TEST(together_redirected)
{
	everything_together();
	ck_assert_uint_eq(env.rcpts.n, 1);
	ck_assert(rcpt_is(0, "qa@example.org"));
}
END_TEST

START_TEST(together_from_rewritten)
{
	everything_together();
	HAS("From: alice@example.org\n");
}
END_TEST

START_TEST(together_reply_to_always)
{
	everything_together();
	HAS("Reply-To: help@example.org\n");
	ck_assert_uint_eq(count("Reply-To:"), 1);
}
END_TEST

/* Exclude comes first: the excluded address is not recorded. */
START_TEST(together_excluded_before_redirect)
{
	everything_together();
	HAS("X-Original-To: cust@real.example\n");
	HASNT("X-Original-To: robot");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, off_changes_nothing);
	tcase_add_test(tc, reject_envelope);
	tcase_add_test(tc, reject_header_from);
	tcase_add_test(tc, reject_header_sender);
	tcase_add_test(tc, second_from_field_checked);
	tcase_add_test(tc, second_from_address_checked);
	tcase_add_test(tc, allowed_case_and_encoded_name);
	tcase_add_test(tc, allowed_account_other_sender);
	tcase_add_test(tc, other_logins_senders_rejected);
	tcase_add_test(tc, routed_login_rejected);
	tcase_add_test(tc, unparsable_from_rejected);
	tcase_add_test(tc, null_sender_and_no_from);
	tcase_add_test(tc, rewrite_all);
	tcase_add_test(tc, rewrite_keeps_reply_to_and_forces_name);
	tcase_add_test(tc, rewrite_bare_login_rejected);
	tcase_add_test(tc, rewrite_bare_login_gets_domain);
	tcase_add_test(tc, default_login_account_or_relay);
	tcase_add_test(tc, default_login_none);
	tcase_add_test(tc, default_login_credentials_default);
	tcase_add_test(tc, display_name_forced);
	tcase_add_test(tc, display_name_encoded);
	tcase_add_test(tc, reply_to_added);
	tcase_add_test(tc, reply_to_missing_keeps_first);
	tcase_add_test(tc, reply_to_always_replaces);
	tcase_add_test(tc, reply_to_off);
	tcase_add_test(tc, exclude_and_discard);
	tcase_add_test(tc, redirect_basic);
	tcase_add_test(tc, redirect_adversarial);
	tcase_add_test(tc, redirect_original_to_bare);
	tcase_add_test(tc, redirect_without_report);
	tcase_add_test(tc, redirect_subject_added);
	tcase_add_test(tc, milter_header_breaks);
	tcase_add_test(tc, rule_header_adds_cc_and_bcc);
	tcase_add_test(tc, rule_header_no_match);
	tcase_add_test(tc, rule_sender_and_merge);
	tcase_add_test(tc, rule_both_conditions);
	tcase_add_test(tc, rule_before_redirect_and_exclude);
	tcase_add_test(tc, rule_milter_edits);
	tcase_add_test(tc, rule_excluded_cc);
	tcase_add_test(tc, default_from_added);
	tcase_add_test(tc, default_from_existing_kept);
	tcase_add_test(tc, default_from_not_invented);
	tcase_add_test(tc, default_from_then_login);
	tcase_add_test(tc, together_redirected);
	tcase_add_test(tc, together_from_rewritten);
	tcase_add_test(tc, together_reply_to_always);
	tcase_add_test(tc, together_excluded_before_redirect);
	tcase_add_test(tc, bulk_first_copy_only);
	tcase_add_test(tc, bulk_who_is_a_copy);
	tcase_add_test(tc, bulk_subject_batches);
	tcase_add_test(tc, bulk_errs_towards_sending);
	suite_add_tcase(s, tc);
	return s;
}
