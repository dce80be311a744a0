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

#include "policy.h"

static struct cfg *cfg;
static struct hdr_block hb;
static struct policy_msg m;
static struct policy_result r;
static struct str out = STR_INIT;

static void
setup(void)
{
	hdr_init(&hb);
	policy_result_init(&r);
	memset(&m, 0, sizeof(m));
	m.hdr = &hb;
	cfg = NULL;
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < m.nrcpts; i++)
		free(m.rcpts[i]);
	free(m.rcpts);
	free(m.sender);
	hdr_free(&hb);
	policy_result_free(&r);
	cfg_free(cfg);
	str_free(&out);
}

static void
config(const char *text)
{
	struct str diag = STR_INIT;

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

	m.sender = xstrdup(sender);
	va_start(ap, header);
	while ((rc = va_arg(ap, const char *)) != NULL) {
		m.rcpts = xreallocarray(m.rcpts, m.nrcpts + 1, sizeof(char *));
		m.rcpts[m.nrcpts++] = xstrdup(rc);
	}
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
	return i < m.nrcpts && strcmp(m.rcpts[i], want) == 0;
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

START_TEST(reject_header_from_and_sender)
{
	login_config("reject");
	message("<alice@example.org>", "From: \"Eve\" <eve@evil.example>\n\n",
	    "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	ck_assert_str_eq(str_cstr(&r.reply.text), "<eve@evil.example>: From "
	    "does not match login <alice@example.org>");
	teardown();
	setup();
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

START_TEST(second_from_checked)
{
	login_config("reject");
	message("alice@example.org", "From: alice@example.org\n"
	    "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	teardown();
	setup();
	login_config("reject");
	message("alice@example.org", "From: alice@example.org, "
	    "eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(allowed_forms_pass)
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
	teardown();
	setup();
	login_config("reject");
	message("sales@example.org", "From: Sales <sales@example.org>\n\n",
	    "x@a.b", NULL);
	m.login = "bob@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	/* But not another login's senders. */
	teardown();
	setup();
	login_config("reject");
	message("sales@example.org", "From: sales@example.org\n\n", "x@a.b",
	    NULL);
	m.login = "alice@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
}
END_TEST

START_TEST(routed_and_unparsable_rejected)
{
	login_config("reject");
	message("alice%evil.example@example.org", "From: alice@example.org\n\n",
	    "x@a.b", NULL);
	m.login = "alice%evil.example@example.org";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	teardown();
	setup();
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
	ck_assert_str_eq(m.sender, "alice@example.org");
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

START_TEST(rewrite_needs_address_login)
{
	login_config("rewrite");
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice";
	run();
	ck_assert_int_eq(r.verdict, POLICY_REJECT);
	teardown();
	setup();
	config("[general]\ndomain = example.org\n[message]\n"
	    "from_must_match_login = rewrite\n");
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	m.login = "alice";
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_str_eq(m.sender, "alice@example.org");
}
END_TEST

START_TEST(default_login)
{
	login_config("off");
	ck_assert_str_eq(policy_default_login(cfg, "sales@example.org"),
	    "bob@example.org");
	ck_assert_str_eq(policy_default_login(cfg, "<bob@EXAMPLE.org>"),
	    "bob@example.org");
	ck_assert_str_eq(policy_default_login(cfg, "other@example.org"),
	    "alice@example.org");
	teardown();
	setup();
	config("[message]\nfrom_must_match_login = reject\n");
	ck_assert_ptr_null(policy_default_login(cfg, "a@b.c"));
	message("eve@evil.example", "From: eve@evil.example\n\n", "x@a.b", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&r.actions), "no-login"));
}
END_TEST

START_TEST(display_name_forced)
{
	config("[message]\nfrom_display_name = \"Example Org\"\n");
	message("a@example.org", "From: Someone <a@example.org>\n\n", "x@a.b",
	    NULL);
	run();
	HAS("From: Example Org <a@example.org>\n");
	teardown();
	setup();
	config("[message]\nfrom_display_name = Jörg\n");
	message("a@example.org", "From: a@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("From: =?UTF-8?");
}
END_TEST

START_TEST(reply_to_modes)
{
	config("[message]\nreply_to = \"Help\" <help@example.org>\n");
	message("a@example.org", "From: a@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("Reply-To: \"Help\" <help@example.org>\n");
	teardown();
	setup();
	config("[message]\nreply_to = help@example.org\n");
	message("a@example.org", "Reply-To: me@example.org\n"
	    "Reply-To: me2@example.org\n\n", "x@a.b", NULL);
	run();
	HAS("Reply-To: me@example.org\n");
	ck_assert_uint_eq(count("Reply-To:"), 1);
	teardown();
	setup();
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
	teardown();
	setup();
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
	ck_assert_uint_eq(m.nrcpts, 1);
	ck_assert(rcpt_is(0, "real@example.org"));
	ck_assert_int_eq(r.v[0].op, POLICY_DELRCPT);
	ck_assert_str_eq(r.v[0].value, "<ROBOT@example.org>");
	teardown();
	setup();
	config("[message]\nexclude = robot@example.org\n");
	message("a@example.org", "Subject: s\n\n", "robot@example.org", NULL);
	run();
	ck_assert_int_eq(r.verdict, POLICY_DISCARD);
	ck_assert_uint_eq(m.nrcpts, 0);
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
	ck_assert_uint_eq(m.nrcpts, 3);
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
	m.sender = xstrdup("app@example.org");
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		m.rcpts = xreallocarray(m.rcpts, m.nrcpts + 1, sizeof(char *));
		m.rcpts[m.nrcpts++] = xstrdup(evil[i]);
	}
	m.rcpts = xreallocarray(m.rcpts, m.nrcpts + 3, sizeof(char *));
	m.rcpts[m.nrcpts++] = xstrdup("BOSS@Example.COM");
	m.rcpts[m.nrcpts++] = xstrdup("<jörg@keep.example>");
	m.rcpts[m.nrcpts++] = xstrdup("qa@example.org");
	ck_assert_int_eq(hdr_parse_buffer(&hb, "Subject: Re: [TEST] x\n\n", 23,
	    NULL, &j, NULL), HDR_OK);
	run();
	ck_assert_int_eq(r.verdict, POLICY_ACCEPT);
	for (i = 0; i < m.nrcpts; i++)
		ck_assert_msg(strcmp(m.rcpts[i], "BOSS@Example.COM") == 0 ||
		    strcmp(m.rcpts[i], "<jörg@keep.example>") == 0 ||
		    strcmp(m.rcpts[i], "qa@example.org") == 0 ||
		    strcmp(m.rcpts[i], "dev@example.org") == 0,
		    "%s survived redirect", m.rcpts[i]);
	ck_assert_uint_eq(m.nrcpts, 4);	/* qa not added twice */
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
	m.sender = xstrdup("<alice@example.org>");
	m.rcpts = xcalloc(1, sizeof(char *));
	m.rcpts[m.nrcpts++] = xstrdup("<x@example.net>");
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
	ck_assert_uint_eq(m.nrcpts, 3);
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
		ck_assert_msg(m.nrcpts == 1, "%s: %zu recipients", headers[i],
		    m.nrcpts);
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
	ck_assert_uint_eq(m.nrcpts, 4);
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
		ck_assert_msg(m.nrcpts == 1, "sender %s matched", senders[i]);
		teardown();
		setup();
	}
	config("[rule both]\nwhen_header = X-Ctx: term-*\n"
	    "when_sender = head@school.example\n"
	    "add_bcc = board@school.example\n");
	message("head@school.example", "X-Ctx: term-1\n\n", "<p@example.net>",
	    NULL);
	run();
	ck_assert_uint_eq(m.nrcpts, 2);
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
	ck_assert_uint_eq(m.nrcpts, 1);
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
	ck_assert_uint_eq(m.nrcpts, 2);
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
	m.sender = xstrdup("<x@school.example>");
	m.rcpts = xcalloc(1, sizeof(char *));
	m.rcpts[m.nrcpts++] = xstrdup("<p@example.net>");
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
	teardown();
	setup();
	config("[message]\nfrom = noreply@example.org\n");
	message("<app@example.org>", "from: app@example.org\n\n",
	    "<p@example.net>", NULL);
	run();
	ck_assert_uint_eq(r.n, 0);
	HASNT("noreply");
	teardown();
	setup();
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

START_TEST(everything_together)
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
	ck_assert_uint_eq(m.nrcpts, 1);
	ck_assert(rcpt_is(0, "qa@example.org"));
	HAS("From: alice@example.org\n");
	HAS("Reply-To: help@example.org\n");
	ck_assert_uint_eq(count("Reply-To:"), 1);
	HAS("X-Original-To: cust@real.example\n");
	HASNT("X-Original-To: robot");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, off_changes_nothing);
	tcase_add_test(tc, reject_envelope);
	tcase_add_test(tc, reject_header_from_and_sender);
	tcase_add_test(tc, second_from_checked);
	tcase_add_test(tc, allowed_forms_pass);
	tcase_add_test(tc, routed_and_unparsable_rejected);
	tcase_add_test(tc, null_sender_and_no_from);
	tcase_add_test(tc, rewrite_all);
	tcase_add_test(tc, rewrite_keeps_reply_to_and_forces_name);
	tcase_add_test(tc, rewrite_needs_address_login);
	tcase_add_test(tc, default_login);
	tcase_add_test(tc, display_name_forced);
	tcase_add_test(tc, reply_to_modes);
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
	tcase_add_test(tc, default_from_then_login);
	tcase_add_test(tc, everything_together);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
