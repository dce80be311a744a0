/*
 * Unit tests for milter/milter_edits: the policy's edits replayed through
 * a recording table instead of libmilter.  Each row is a list of edits and
 * the calls they must make, in order, with their arguments (the header
 * index smfi_chgheader gets, NULL to delete); the last rows make a call
 * fail and check that the replay stops there.  One more case replays the
 * edits a real policy run makes.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "milter_edits.h"

/* ---- The recorder: one line per call, "name(arg,arg)" ------------- */

struct recorder {
	struct str calls;	/* "chgfrom(a@x) addrcpt(b@y) ..." */
	size_t	n;
	size_t	fail_at;	/* the call (1-based) that fails; 0: none */
};

static int
record(struct recorder *r, const char *fmt, const char *a, const char *b,
    int index)
{
	if (r->calls.len > 0)
		str_appendc(&r->calls, ' ');
	str_appendz(&r->calls, fmt);
	str_appendc(&r->calls, '(');
	str_appendz(&r->calls, a);
	if (index >= 0)
		str_appendf(&r->calls, ",%d", index);
	if (b != NULL || index >= 0)
		str_appendf(&r->calls, ",%s", b != NULL ? b : "NULL");
	str_appendc(&r->calls, ')');
	return ++r->n == r->fail_at ? -1 : MILTER_EDITS_OK;
}

static int
rec_chgfrom(void *ctx, const char *sender)
{
	return record(ctx, "chgfrom", sender, NULL, -1);
}

static int
rec_addrcpt(void *ctx, const char *rcpt)
{
	return record(ctx, "addrcpt", rcpt, NULL, -1);
}

static int
rec_delrcpt(void *ctx, const char *rcpt)
{
	return record(ctx, "delrcpt", rcpt, NULL, -1);
}

static int
rec_addheader(void *ctx, const char *name, const char *value)
{
	return record(ctx, "addheader", name, value, -1);
}

static int
rec_chgheader(void *ctx, const char *name, int index, const char *value)
{
	return record(ctx, "chgheader", name, value, index);
}

static const struct milter_edit_ops recorder_ops = {
	rec_chgfrom, rec_addrcpt, rec_delrcpt, rec_addheader, rec_chgheader
};

/* ---- The table ----------------------------------------------------- */

struct edit {
	enum policy_op op;
	const char *name, *value;
	size_t	occurrence;
};

/* The end of a list: a CHGFROM always has a value. */
#define END	{ 0, NULL, NULL, 0 }
#define MAXEDITS 6

struct replay_case {
	const char *what;
	struct edit edits[MAXEDITS + 1];	/* up to END */
	size_t	fail_at;
	int	want_rc;
	const char *want;
};

static const struct replay_case cases[] = {
	{ "nothing to do", { END }, 0, MILTER_EDITS_OK, "" },
	{ "sender changed", { { POLICY_CHGFROM, NULL, "new@example.org", 0 },
	    END }, 0, MILTER_EDITS_OK, "chgfrom(new@example.org)" },
	{ "null sender", { { POLICY_CHGFROM, NULL, "", 0 }, END }, 0,
	    MILTER_EDITS_OK, "chgfrom()" },
	{ "recipient added", { { POLICY_ADDRCPT, NULL, "b@example.net", 0 },
	    END }, 0, MILTER_EDITS_OK, "addrcpt(b@example.net)" },
	{ "recipient removed as given",
	    { { POLICY_DELRCPT, NULL, "<a@example.net>", 0 }, END }, 0,
	    MILTER_EDITS_OK, "delrcpt(<a@example.net>)" },
	{ "routed recipient: removed as given, then as stored",
	    { { POLICY_DELRCPT, NULL, "<@r1,@r2:a@example.net>", 0 }, END }, 0,
	    MILTER_EDITS_OK, "delrcpt(<@r1,@r2:a@example.net>) "
	    "delrcpt(<a@example.net>)" },
	{ "routed recipient without angle brackets",
	    { { POLICY_DELRCPT, NULL, "@r1:a@example.net", 0 }, END }, 0,
	    MILTER_EDITS_OK, "delrcpt(@r1:a@example.net) delrcpt(a@example.net)" },
	{ "an @ without a colon is no route",
	    { { POLICY_DELRCPT, NULL, "<@example.net>", 0 }, END }, 0,
	    MILTER_EDITS_OK, "delrcpt(<@example.net>)" },
	{ "header added", { { POLICY_ADDHDR, "X-Test", "yes", 0 }, END }, 0,
	    MILTER_EDITS_OK, "addheader(X-Test,yes)" },
	{ "header replaced: its index among its name",
	    { { POLICY_CHGHDR, "Subject", "[test] hi", 1 }, END }, 0,
	    MILTER_EDITS_OK, "chgheader(Subject,1,[test] hi)" },
	{ "second of a name replaced",
	    { { POLICY_CHGHDR, "Received", "x", 2 }, END }, 0,
	    MILTER_EDITS_OK, "chgheader(Received,2,x)" },
	{ "header removed: a NULL value",
	    { { POLICY_CHGHDR, "Bcc", NULL, 1 }, END }, 0, MILTER_EDITS_OK,
	    "chgheader(Bcc,1,NULL)" },
	{ "two removed of one name: index 1 twice, as they shift",
	    { { POLICY_CHGHDR, "X-A", NULL, 1 }, { POLICY_CHGHDR, "X-A", NULL,
	    1 }, END }, 0, MILTER_EDITS_OK,
	    "chgheader(X-A,1,NULL) chgheader(X-A,1,NULL)" },
	{ "every kind, in the policy's order",
	    { { POLICY_CHGFROM, NULL, "s@example.org", 0 },
	    { POLICY_DELRCPT, NULL, "<a@example.net>", 0 },
	    { POLICY_ADDRCPT, NULL, "sink@example.org", 0 },
	    { POLICY_CHGHDR, "To", "sink@example.org", 1 },
	    { POLICY_ADDHDR, "X-Original-To", "a@example.net", 0 },
	    { POLICY_CHGHDR, "Cc", NULL, 1 }, END }, 0, MILTER_EDITS_OK,
	    "chgfrom(s@example.org) delrcpt(<a@example.net>) "
	    "addrcpt(sink@example.org) chgheader(To,1,sink@example.org) "
	    "addheader(X-Original-To,a@example.net) chgheader(Cc,1,NULL)" },
	/* A refused call stops the replay: the caller tempfails. */
	{ "the first call fails: nothing more",
	    { { POLICY_CHGFROM, NULL, "s@example.org", 0 },
	    { POLICY_ADDRCPT, NULL, "b@example.net", 0 }, END }, 1, -1,
	    "chgfrom(s@example.org)" },
	{ "a later call fails: the ones before stay, none after",
	    { { POLICY_ADDHDR, "X-A", "1", 0 }, { POLICY_ADDHDR, "X-B", "2", 0 },
	    { POLICY_ADDHDR, "X-C", "3", 0 }, END }, 2, -1,
	    "addheader(X-A,1) addheader(X-B,2)" },
	{ "the routed form's removal fails: no second removal",
	    { { POLICY_DELRCPT, NULL, "<@r:a@example.net>", 0 },
	    { POLICY_ADDRCPT, NULL, "b@example.net", 0 }, END }, 1, -1,
	    "delrcpt(<@r:a@example.net>)" },
	{ "the stored form's removal fails: stops there",
	    { { POLICY_DELRCPT, NULL, "<@r:a@example.net>", 0 },
	    { POLICY_ADDRCPT, NULL, "b@example.net", 0 }, END }, 2, -1,
	    "delrcpt(<@r:a@example.net>) delrcpt(<a@example.net>)" },
};

START_TEST(replay)
{
	const struct replay_case *c = &cases[_i];
	struct policy_result res;
	struct recorder rec;
	size_t i;
	int rc;

	policy_result_init(&res);
	for (i = 0; c->edits[i].op != 0 || c->edits[i].value != NULL; i++) {
		struct policy_edit *e;

		res.v = xreallocarray(res.v, res.n + 1, sizeof(*res.v));
		e = &res.v[res.n++];
		e->op = c->edits[i].op;
		e->name = c->edits[i].name ? xstrdup(c->edits[i].name) : NULL;
		e->value = c->edits[i].value ? xstrdup(c->edits[i].value) : NULL;
		e->occurrence = c->edits[i].occurrence;
	}
	memset(&rec, 0, sizeof(rec));
	str_init(&rec.calls);
	rec.fail_at = c->fail_at;
	rc = milter_edits_apply(&recorder_ops, &rec, &res);
	ck_assert_msg(rc == c->want_rc, "%s: rc %d, want %d", c->what, rc,
	    c->want_rc);
	ck_assert_msg(strcmp(str_cstr(&rec.calls), c->want) == 0,
	    "%s:\n  got  %s\n  want %s", c->what, str_cstr(&rec.calls), c->want);
	str_free(&rec.calls);
	policy_result_free(&res);
}
END_TEST

/*
 * What a real policy run gives the milter to replay, as the MTA hands the
 * envelope over ("<addr>"): [redirect] with a subject prefix, one
 * recipient with a source route.
 */
START_TEST(replay_policy_run)
{
	static const char conf[] = "[redirect]\nenabled = yes\n"
	    "subject_prefix = [TEST]\n[report qa@example.org]\n";
	static const char header[] = "From: s@example.org\n"
	    "To: cust@real.example\nSubject: hi\n\n";
	struct str diag = STR_INIT;
	struct hdr_block hb;
	struct policy_msg m;
	struct envelope env = ENVELOPE_INIT;
	struct policy_result res;
	struct recorder rec;
	struct cfg *cfg = NULL;
	size_t consumed;

	ck_assert_msg(cfg_load_buffer("t.conf", conf, strlen(conf),
	    CFG_NO_FILE_CHECKS | CFG_NO_SECRETS, &cfg, &diag) == CFG_OK, "%s",
	    str_cstr(&diag));
	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, header, strlen(header), NULL,
	    &consumed, NULL), HDR_OK);
	memset(&m, 0, sizeof(m));
	envelope_set_sender(&env, "<s@example.org>");
	envelope_add_rcpt(&env, "<cust@real.example>");
	envelope_add_rcpt(&env, "<@relay.example:v@real.example>");
	m.env = &env;
	m.hdr = &hb;
	policy_result_init(&res);
	policy_run(cfg, &m, &res);
	ck_assert_int_eq(res.verdict, POLICY_ACCEPT);
	memset(&rec, 0, sizeof(rec));
	str_init(&rec.calls);
	ck_assert_int_eq(milter_edits_apply(&recorder_ops, &rec, &res),
	    MILTER_EDITS_OK);
	/* X-Original-To recorded first, then the envelope, then the
	   Subject: the order the policy made them in. */
	ck_assert_str_eq(str_cstr(&rec.calls),
	    "addheader(X-Original-To,cust@real.example) "
	    "addheader(X-Original-To,v@real.example) "
	    "delrcpt(<cust@real.example>) "
	    "delrcpt(<@relay.example:v@real.example>) delrcpt(<v@real.example>) "
	    "addrcpt(qa@example.org) chgheader(Subject,1,[TEST] hi)");
	str_free(&rec.calls);
	policy_result_free(&res);
	envelope_free(&env);
	hdr_free(&hb);
	cfg_free(cfg);
	str_free(&diag);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("milter_edits");
	TCase *tc = tcase_create("replay");

	tcase_add_loop_test(tc, replay, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, replay_policy_run);
	suite_add_tcase(s, tc);
	return s;
}
