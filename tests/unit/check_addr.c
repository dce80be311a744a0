/*
 * Unit tests for lib/addr_*.c: the syntax accepted, the errors and their
 * offsets, round trips through the formatters, and the comparisons.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check_main.h"
#include "addr.h"

/* Parse a whole header value and format it back; "ERR: ..." on failure. */
static size_t
list_roundtrip(const char *in, struct str *out)
{
	struct addr_list l;
	struct str err = STR_INIT;
	size_t n;

	addr_list_init(&l);
	if (addr_parse_list(in, strlen(in), &l, &err) != ADDR_OK) {
		str_appendz(out, "ERR: ");
		str_appends(out, &err);
	} else {
		addr_format_list(&l, out);
	}
	n = l.n;
	addr_list_free(&l);
	str_free(&err);
	return n;
}

/* Header values: how many mailboxes, and how they format. */
static const struct {
	const char *in;
	size_t n;
	const char *want;
} list_rows[] = {
	{ "ops@example.org", 1, "ops@example.org" },
	{ "<ops@example.org>", 1, "ops@example.org" },
	{ "Ops <ops@example.org>", 1, "Ops <ops@example.org>" },
	{ "\"Ops Team\" <ops@example.org>", 1, "Ops Team <ops@example.org>" },
	{ "a@b.example, c@d.example", 2, "a@b.example, c@d.example" },
	{ "a@b, , ,c@d,", 2, "a@b, c@d" },			/* obs-addr-list */
	{ ",,,", 0, "" },
	{ "", 0, "" },
	{ "   ", 0, "" },
	{ "undisclosed-recipients:;", 0, "" },
	{ "Team: a@b, c@d;", 2, "Team: a@b, c@d;" },
	{ "Team: a@b;, x@y, Other:c@d;", 3, "Team: a@b;, x@y, Other: c@d;" },
	{ "Empty:;, a@b", 1, "a@b" },
	{ "John Q. Public <jqp@example.com>", 1,
	  "\"John Q. Public\" <jqp@example.com>" },			/* obs-phrase */
	{ "\"a\\\"b\\\\c\" <x@y>", 1, "\"a\\\"b\\\\c\" <x@y>" },	/* quoted-pair */
	{ "\"john smith\"@example.org", 1, "\"john smith\"@example.org" },
	{ "\"john\".smith@example.org", 1, "john.smith@example.org" },
	{ "john . smith @ example . org", 1, "john.smith@example.org" },
	{ "ops@example.org (Ops Team)", 1, "Ops Team <ops@example.org>" },
	{ "ops@example.org (Ops (night) Team)", 1,
	  "\"Ops (night) Team\" <ops@example.org>" },
	{ "(lead) Ann <ann@x> (trail)", 1, "Ann <ann@x>" },
	{ "a(1)@(2)b(3).(4)c", 1, "a@b.c" },
	{ "x@[192.0.2.1]", 1, "x@[192.0.2.1]" },		/* domain literal */
	{ "x@[IPv6:2001:db8::1]", 1, "x@[IPv6:2001:db8::1]" },
	{ "x@example.org.", 1, "x@example.org." },
	{ "<@r1.example,@r2.example:a@b.example>", 1,
	  "<@r1.example,@r2.example:a@b.example>" },			/* obs-route */
	{ "Joe <@r1,,@r2:a@b>", 1, "Joe <@r1,@r2:a@b>" },
	{ "root", 1, "root" },				/* bare local name */
	{ "root, \"Ops\" <admin>", 2, "root, Ops <admin>" },
	{ "<>", 1, "<>" },
	{ "j\xc3\xb6rg@example.de", 1, "j\xc3\xb6rg@example.de" },	/* RFC 6532 */
	{ "\"J\xc3\xb6rg B\" <j@x>", 1, "=?UTF-8?B?SsO2cmcgQg==?= <j@x>" },
	{ "=?UTF-8?B?SsO2cmc=?= <j@x>", 1, "=?UTF-8?B?SsO2cmc=?= <j@x>" },
	{ "=?utf-8?q?Ops_Team?= <ops@x>", 1, "Ops Team <ops@x>" },
	{ "\"=?utf-8?q?Ops_Team?=\" <ops@x>", 1, "Ops Team <ops@x>" },
	{ "a@b,\r\n c@d", 2, "a@b, c@d" },			/* folded */
	{ "\"fold\r\n\ted\" <a@b>", 1, "=?UTF-8?B?Zm9sZAllZA==?= <a@b>" },
	{ "\"a@b\"@c", 1, "\"a@b\"@c" },
	{ "\"\"@example.org", 1, "\"\"@example.org" },
	{ "\"=?x?q?y?=\" <a@b>", 1, "=?UTF-8?B?PT94P3E/eT89?= <a@b>" },
	{ "\"a..b\"@c", 1, "\"a..b\"@c" },
	{ "!#$%&'*+-/=?^_`{|}~@example.org", 1,
	  "!#$%&'*+-/=?^_`{|}~@example.org" },
};

START_TEST(test_list)
{
	struct str out = STR_INIT;
	size_t n;

	n = list_roundtrip(list_rows[_i].in, &out);
	ck_assert_msg(strcmp(str_cstr(&out), list_rows[_i].want) == 0,
	    "'%s' gave '%s', want '%s'", list_rows[_i].in, str_cstr(&out),
	    list_rows[_i].want);
	ck_assert_uint_eq(n, list_rows[_i].n);
	str_free(&out);
}
END_TEST

/* Round trip: what a row formats to parses back to the same addresses. */
START_TEST(test_list_reparse)
{
	struct addr_list a, b;
	struct str out = STR_INIT;
	const char *in = list_rows[_i].in;
	size_t k;

	addr_list_init(&a);
	addr_list_init(&b);
	ck_assert_int_eq(addr_parse_list(in, strlen(in), &a, NULL), ADDR_OK);
	addr_format_list(&a, &out);
	ck_assert_int_eq(addr_parse_list(out.data, out.len, &b, NULL), ADDR_OK);
	ck_assert_uint_eq(a.n, b.n);
	for (k = 0; k < a.n; k++) {
		ck_assert_str_eq(str_cstr(&a.v[k].display),
		    str_cstr(&b.v[k].display));
		ck_assert_str_eq(str_cstr(&a.v[k].local),
		    str_cstr(&b.v[k].local));
		ck_assert_str_eq(str_cstr(&a.v[k].domain),
		    str_cstr(&b.v[k].domain));
		ck_assert_str_eq(str_cstr(&a.v[k].group),
		    str_cstr(&b.v[k].group));
		ck_assert_str_eq(str_cstr(&a.v[k].route),
		    str_cstr(&b.v[k].route));
	}
	addr_list_free(&a);
	addr_list_free(&b);
	str_free(&out);
}
END_TEST

/* Single mailboxes, field by field. */
static const struct {
	const char *in, *display, *local, *domain, *route;
} one_rows[] = {
	{ "\"Ops\" <ops@example.org>", "Ops", "ops", "example.org", "" },
	{ "ops@example.org", "", "ops", "example.org", "" },
	{ "=?ISO-8859-1?Q?J=F6rg?= <j@x>", "J\xc3\xb6rg", "j", "x", "" },
	{ "=?iso-8859-1?b?SvZyZw==?= <j@x>", "J\xc3\xb6rg", "j", "x", "" },
	{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?= <j@x>", "ab", "j", "x", "" },
	{ "=?KOI8-R?Q?=F0?= <j@x>", "=?KOI8-R?Q?=F0?=", "j", "x", "" },
	{ "\"a\\\\b\" <\"q\\\"t\"@x>", "a\\b", "q\"t", "x", "" },
	{ "<@a,@b:c@d>", "", "c", "d", "@a,@b" },
	{ "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a",
	  "", "\xe7\x94\xa8\xe6\x88\xb7",
	  "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", "" },
	{ "x@y ( =?utf-8?q?Caf=C3=A9?= )", "Caf\xc3\xa9", "x", "y", "" },
	{ "<root> (Cron Daemon)", "Cron Daemon", "root", "", "" },
};

START_TEST(test_one)
{
	struct addr a;
	struct str err = STR_INIT;
	const char *in = one_rows[_i].in;

	addr_init(&a);
	ck_assert_msg(addr_parse_one(in, strlen(in), &a, &err) == ADDR_OK,
	    "'%s': %s", in, str_cstr(&err));
	ck_assert_str_eq(str_cstr(&a.display), one_rows[_i].display);
	ck_assert_str_eq(str_cstr(&a.local), one_rows[_i].local);
	ck_assert_str_eq(str_cstr(&a.domain), one_rows[_i].domain);
	ck_assert_str_eq(str_cstr(&a.route), one_rows[_i].route);
	ck_assert_uint_eq(a.group.len, 0);
	addr_free(&a);
	str_free(&err);
}
END_TEST

START_TEST(test_group_fields)
{
	static const char in[] = "Team (the team): a@b, \"C\" <c@d>;";
	struct addr_list l;

	addr_list_init(&l);
	ck_assert_int_eq(addr_parse_list(in, strlen(in), &l, NULL), ADDR_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(str_cstr(&l.v[0].group), "Team");
	ck_assert_str_eq(str_cstr(&l.v[1].group), "Team");
	ck_assert_str_eq(str_cstr(&l.v[1].display), "C");
	addr_list_free(&l);
}
END_TEST

START_TEST(test_list_appends)
{
	struct addr_list l;

	addr_list_init(&l);
	ck_assert_int_eq(addr_parse_list("a@b", 3, &l, NULL), ADDR_OK);
	ck_assert_int_eq(addr_parse_list("c@d, e@f", 8, &l, NULL), ADDR_OK);
	ck_assert_uint_eq(l.n, 3);
	/* A failure leaves what was there. */
	ck_assert_int_eq(addr_parse_list("g@h, <", 6, &l, NULL), ADDR_EINVAL);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(str_cstr(&l.v[2].local), "e");
	ck_assert_int_eq(addr_exitcode(ADDR_OK), EX_OK);
	addr_list_free(&l);
}
END_TEST

START_TEST(test_failure_keeps_out)
{
	struct addr a;
	struct str err = STR_INIT;

	addr_init(&a);
	ck_assert_int_eq(addr_parse_one("Ops <ops@x>", 11, &a, &err), ADDR_OK);
	ck_assert_uint_eq(err.len, 0);
	ck_assert_int_eq(addr_parse_one("Dev <dev@x", 10, &a, &err),
	    ADDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err), "missing '>' at offset 10");
	ck_assert_str_eq(str_cstr(&a.display), "Ops");
	ck_assert_str_eq(str_cstr(&a.local), "ops");
	ck_assert_int_eq(addr_parse_path("<a@b", 4, &a, NULL), ADDR_EINVAL);
	ck_assert_str_eq(str_cstr(&a.local), "ops");
	/* A success replaces everything, the display name included. */
	ck_assert_int_eq(addr_parse_path("<a@b>", 5, &a, NULL), ADDR_OK);
	ck_assert_uint_eq(a.display.len, 0);
	addr_free(&a);
	str_free(&err);
}
END_TEST

START_TEST(test_many)
{
	struct addr_list l;
	struct str in = STR_INIT;
	int i;

	for (i = 0; i < 1000; i++)
		str_appendf(&in, "u%d@example.org, ", i);
	addr_list_init(&l);
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, NULL), ADDR_OK);
	ck_assert_uint_eq(l.n, 1000);
	ck_assert_str_eq(str_cstr(&l.v[999].local), "u999");
	addr_list_free(&l);
	str_free(&in);
}
END_TEST

/* Paths: SMTP and command-line addresses. */
static const struct {
	const char *in, *local, *domain, *route, *path;
} path_rows[] = {
	{ "<a@b.example>", "a", "b.example", "", "<a@b.example>" },
	{ "a@b.example", "a", "b.example", "", "<a@b.example>" },
	{ "<>", "", "", "", "<>" },
	{ "root", "root", "", "", "<root>" },
	{ "<@r1,@r2:a@b>", "a", "b", "@r1,@r2", "<@r1,@r2:a@b>" },
	{ "<\"x y\"@b>", "x y", "b", "", "<\"x y\"@b>" },
	{ "\"a\\\"b\"@c", "a\"b", "c", "", "<\"a\\\"b\"@c>" },
	{ " <a@b> ", "a", "b", "", "<a@b>" },
};

START_TEST(test_path)
{
	struct addr a, b;
	struct str out = STR_INIT, err = STR_INIT;
	const char *in = path_rows[_i].in;

	addr_init(&a);
	addr_init(&b);
	ck_assert_msg(addr_parse_path(in, strlen(in), &a, &err) == ADDR_OK,
	    "'%s': %s", in, str_cstr(&err));
	ck_assert_str_eq(str_cstr(&a.local), path_rows[_i].local);
	ck_assert_str_eq(str_cstr(&a.domain), path_rows[_i].domain);
	ck_assert_str_eq(str_cstr(&a.route), path_rows[_i].route);
	addr_format_path(&a, &out);
	ck_assert_str_eq(str_cstr(&out), path_rows[_i].path);
	ck_assert_int_eq(addr_parse_path(out.data, out.len, &b, NULL),
	    ADDR_OK);
	ck_assert_str_eq(str_cstr(&b.local), str_cstr(&a.local));
	ck_assert_str_eq(str_cstr(&b.domain), str_cstr(&a.domain));
	addr_free(&a);
	addr_free(&b);
	str_free(&out);
	str_free(&err);
}
END_TEST

START_TEST(test_format_forms)
{
	struct addr a;
	struct str out = STR_INIT;

	addr_init(&a);
	str_setz(&a.local, "john smith");
	str_setz(&a.domain, "x.org");
	addr_format_bare(&a, &out);
	ck_assert_str_eq(str_cstr(&out), "\"john smith\"@x.org");
	str_reset(&out);
	str_setz(&a.display, "Smith, John");
	addr_format(&a, &out);
	ck_assert_str_eq(str_cstr(&out), "\"Smith, John\" <\"john smith\"@x.org>");
	str_reset(&out);
	str_setz(&a.route, "@r");
	addr_format_bare(&a, &out);	/* the route is dropped */
	ck_assert_str_eq(str_cstr(&out), "\"john smith\"@x.org");
	str_reset(&a.local);
	str_reset(&a.domain);
	str_reset(&a.route);
	str_reset(&out);
	addr_format_bare(&a, &out);
	ck_assert_str_eq(str_cstr(&out), "");
	addr_format_path(&a, &out);
	ck_assert_str_eq(str_cstr(&out), "<>");
	addr_free(&a);
	str_free(&out);
}
END_TEST

START_TEST(test_copy)
{
	struct addr a, b;

	addr_init(&a);
	addr_init(&b);
	ck_assert_int_eq(addr_parse_one("Ops <ops@x>", 11, &a, NULL), ADDR_OK);
	str_setz(&b.route, "@old");
	addr_copy(&b, &a);
	ck_assert_str_eq(str_cstr(&b.display), "Ops");
	ck_assert_str_eq(str_cstr(&b.local), "ops");
	ck_assert_str_eq(str_cstr(&b.route), "");
	ck_assert(addr_same(&a, &b));
	addr_free(&a);
	addr_free(&b);
}
END_TEST

/* Errors: which function, input, message, offset. */
enum { F_LIST, F_ONE, F_PATH };

static const struct {
	int fn;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *msg;
} err_rows[] = {
	{ F_LIST, "Joe <joe@example.org", 0, "missing '>' at offset 20" },
	{ F_LIST, "\"Joe <joe@example.org>", 0,
	  "unterminated quoted string at offset 0" },
	{ F_LIST, "a@b, \"open", 0, "unterminated quoted string at offset 5" },
	{ F_LIST, "a@b (never closed", 0, "unterminated comment at offset 4" },
	{ F_LIST, "a@[1.2.3.4", 0, "unterminated domain literal at offset 2" },
	{ F_LIST, "a@[1.2 .3]", 0,
	  "invalid character in domain literal at offset 6" },
	{ F_LIST, "a@b)", 0, "unbalanced ')' at offset 3" },
	{ F_LIST, "a\\b@c", 0, "backslash outside quotes at offset 1" },
	{ F_LIST, "a@b\0c", 5, "NUL byte at offset 3" },
	{ F_LIST, "a@b\r\nc@d", 0, "CR or LF outside folding at offset 3" },
	{ F_LIST, "a@b\nc", 0, "CR or LF outside folding at offset 3" },
	{ F_LIST, "\"a\rb\"@c", 0, "CR or LF outside folding at offset 2" },
	{ F_LIST, "a\x01@b", 0, "control character 0x01 at offset 1" },
	{ F_LIST, "j\xc3@x", 0, "invalid UTF-8 at offset 1" },
	{ F_LIST, "\"\xff\" <a@b>", 0, "invalid UTF-8 at offset 1" },
	{ F_LIST, "a@b (\xc0\xaf)", 0, "invalid UTF-8 at offset 5" },	/* overlong */
	{ F_LIST, ".a@b", 0, "invalid '.' in local part at offset 0" },
	{ F_LIST, "a.@b", 0, "invalid '.' in local part at offset 1" },
	{ F_LIST, "a..b@c", 0, "invalid '.' in local part at offset 2" },
	{ F_LIST, "a b@c", 0, "words without '.' in local part at offset 2" },
	{ F_LIST, "a@b..c", 0, "invalid '.' in domain at offset 4" },
	{ F_LIST, "a@.b", 0, "invalid '.' in domain at offset 2" },
	{ F_LIST, "a@", 0, "missing domain at offset 2" },
	{ F_LIST, "a@\"b\"", 0, "missing domain at offset 2" },
	{ F_LIST, "@b", 0, "missing local part at offset 0" },
	{ F_LIST, "John Smith", 0,
	  "display name without an address at offset 10" },
	{ F_LIST, "a@b c@d", 0, "unexpected word after an address at offset 4" },
	{ F_LIST, "a@b; c", 0, "unexpected ';', expected ',' at offset 3" },
	{ F_LIST, ": a@b;", 0, "missing group name at offset 0" },
	{ F_LIST, "G: a@b", 0, "missing ';' at the end of group at offset 6" },
	{ F_LIST, "G: H: a@b;;", 0, "nested group at offset 4" },
	{ F_LIST, "<@r1 a@b>", 0, "missing ':' after route at offset 5" },
	{ F_LIST, "<a@b>>", 0, "unexpected '>', expected ',' at offset 5" },
	{ F_ONE, "", 0, "no address at offset 0" },
	{ F_ONE, "a@b, c@d", 0, "more than one address at offset 3" },
	{ F_ONE, "G: a@b;", 0, "group not allowed here at offset 1" },
	{ F_ONE, "  ", 0, "no address at offset 2" },
	{ F_PATH, "Joe <a@b>", 0,
	  "display name not allowed in a path at offset 4" },
	{ F_PATH, "<a@b", 0, "missing '>' at offset 4" },
	{ F_PATH, "<a@b> x", 0, "unexpected word after the address at offset 6" },
	{ F_PATH, "", 0, "no address at offset 0" },
};

START_TEST(test_errors)
{
	struct addr_list l;
	struct addr a;
	struct str err = STR_INIT;
	const char *in = err_rows[_i].in;
	size_t len = err_rows[_i].len ? err_rows[_i].len : strlen(in);
	int rc;

	addr_list_init(&l);
	addr_init(&a);
	switch (err_rows[_i].fn) {
	case F_LIST:
		rc = addr_parse_list(in, len, &l, &err);
		break;
	case F_ONE:
		rc = addr_parse_one(in, len, &a, &err);
		break;
	default:
		rc = addr_parse_path(in, len, &a, &err);
	}
	ck_assert_int_eq(rc, ADDR_EINVAL);
	ck_assert_msg(strstr(str_cstr(&err), err_rows[_i].msg) != NULL,
	    "'%s' not in '%s'", err_rows[_i].msg, str_cstr(&err));
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(a.local.len, 0);
	ck_assert_int_eq(addr_exitcode(rc), EX_DATAERR);
	addr_list_free(&l);
	addr_free(&a);
	str_free(&err);
}
END_TEST

START_TEST(test_comment_depth)
{
	struct str in = STR_INIT, err = STR_INIT;
	struct addr_list l;
	int i;

	addr_list_init(&l);
	/* 50 deep is allowed... */
	str_setz(&in, "a@b ");
	for (i = 0; i < 50; i++)
		str_appendc(&in, '(');
	for (i = 0; i < 50; i++)
		str_appendc(&in, ')');
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, &err), ADDR_OK);
	/* ...51 is not, and the offset is that of the 51st '('. */
	str_setz(&in, "a@b ");
	for (i = 0; i < 51; i++)
		str_appendc(&in, '(');
	for (i = 0; i < 51; i++)
		str_appendc(&in, ')');
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, &err),
	    ADDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err),
	    "nested comments deeper than 50 at offset 54");
	/* A megabyte of '(' is refused quickly and without recursion. */
	str_reset(&in);
	for (i = 0; i < ADDR_MAX_INPUT; i++)
		str_appendc(&in, '(');
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, &err),
	    ADDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err),
	    "nested comments deeper than 50 at offset 50");
	addr_list_free(&l);
	str_free(&in);
	str_free(&err);
}
END_TEST

START_TEST(test_size_limit)
{
	struct str in = STR_INIT, err = STR_INIT;
	struct addr_list l;
	struct addr a;

	addr_list_init(&l);
	addr_init(&a);
	/* Exactly 1 MiB parses: one long local part... */
	while (in.len < ADDR_MAX_INPUT - 2)
		str_appendc(&in, 'x');
	str_appendz(&in, "@y");
	ck_assert_uint_eq(in.len, ADDR_MAX_INPUT);
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, &err), ADDR_OK);
	ck_assert_uint_eq(l.n, 1);
	/* ...one byte more does not. */
	str_appendc(&in, 'z');
	ck_assert_int_eq(addr_parse_list(in.data, in.len, &l, &err),
	    ADDR_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "input longer than 1048576"));
	ck_assert_int_eq(addr_parse_one(in.data, in.len, &a, &err),
	    ADDR_EINVAL);
	ck_assert_int_eq(addr_parse_path(in.data, in.len, &a, &err),
	    ADDR_EINVAL);
	ck_assert_uint_eq(l.n, 1);
	addr_list_free(&l);
	addr_free(&a);
	str_free(&in);
	str_free(&err);
}
END_TEST

/* Comparisons: pattern for addr_match, address, expected. */
static const struct {
	const char *a, *b;
	bool same;
} same_rows[] = {
	{ "user@example.org", "user@example.org", true },
	{ "User@Example.ORG", "user@example.org", true },
	{ "user@example.org.", "USER@example.org", true },
	{ "user@example.org", "user@example.or", false },
	{ "user@example.org", "user2@example.org", false },
	{ "user@example.org", "user@sub.example.org", false },
	{ "\"a@b\"@c", "\"A@B\"@C", true },
	{ "\"john smith\"@x", "john.smith@x", false },
	{ "J\xc3\xb6rg@x", "j\xc3\xb6rg@x", true },
	{ "J\xc3\x96rg@x", "J\xc3\xb6rg@x", false },	/* no Unicode folding */
	{ "<@r:a@b>", "a@b", false },
	{ "<@r:a@b>", "<@r:a@b>", false },
	{ "root", "ROOT", true },
	{ "root", "root@x", false },
	{ "<>", "<>", true },
};

START_TEST(test_same)
{
	struct addr a, b;

	addr_init(&a);
	addr_init(&b);
	ck_assert_int_eq(addr_parse_path(same_rows[_i].a,
	    strlen(same_rows[_i].a), &a, NULL), ADDR_OK);
	ck_assert_int_eq(addr_parse_path(same_rows[_i].b,
	    strlen(same_rows[_i].b), &b, NULL), ADDR_OK);
	ck_assert_msg(addr_same(&a, &b) == same_rows[_i].same,
	    "%s vs %s", same_rows[_i].a, same_rows[_i].b);
	ck_assert(addr_same(&b, &a) == same_rows[_i].same);
	addr_free(&a);
	addr_free(&b);
}
END_TEST

static const struct {
	const char *addr, *pattern;
	bool match;
} match_rows[] = {
	{ "ops@example.org", "@example.org", true },
	{ "ops@EXAMPLE.org.", "@example.org", true },
	{ "ops@example.org", "@EXAMPLE.ORG.", true },
	{ "ops@mail.example.org", "@example.org", false },
	{ "ops@example.org", "@org", false },
	{ "ops@example.org", "@", false },
	{ "ops@example.org", "Ops@Example.Org", true },
	{ "ops@example.org", "<ops@example.org>", true },
	{ "ops@example.org", "dev@example.org", false },
	{ "ops@example.org", "not an address", false },
	{ "root", "root", true },
	{ "\"a b\"@x", "\"A B\"@x", true },
	{ "<@r:ops@example.org>", "ops@example.org", false },
};

START_TEST(test_match)
{
	struct addr a;

	addr_init(&a);
	ck_assert_int_eq(addr_parse_path(match_rows[_i].addr,
	    strlen(match_rows[_i].addr), &a, NULL), ADDR_OK);
	ck_assert_msg(addr_match(&a, match_rows[_i].pattern) ==
	    match_rows[_i].match, "%s vs %s", match_rows[_i].addr,
	    match_rows[_i].pattern);
	addr_free(&a);
}
END_TEST

START_TEST(test_in_domain)
{
	struct addr a;

	addr_init(&a);
	ck_assert_int_eq(addr_parse_path("a@Example.Org.", 14, &a, NULL),
	    ADDR_OK);
	ck_assert(addr_in_domain(&a, "example.org"));
	ck_assert(addr_in_domain(&a, "EXAMPLE.ORG."));
	ck_assert(!addr_in_domain(&a, "org"));
	ck_assert(!addr_in_domain(&a, "sub.example.org"));
	ck_assert(!addr_in_domain(&a, ""));
	ck_assert_int_eq(addr_parse_path("root", 4, &a, NULL), ADDR_OK);
	ck_assert(!addr_in_domain(&a, "example.org"));
	addr_free(&a);
}
END_TEST

/* Header values qualified as Postfix's append_at_myorigin does. */
static const struct {
	const char *in, *out;
	size_t count;
} qualify_rows[] = {
	{ "root", "root@example.org", 1 },
	{ "root (Cron Daemon)", "root@example.org (Cron Daemon)", 1 },
	{ "Cron Daemon <root>", "Cron Daemon <root@example.org>", 1 },
	{ "\"Doe, J\" <jd>", "\"Doe, J\" <jd@example.org>", 1 },
	{ "root, ops@example.net, www-data",
	  "root@example.org, ops@example.net, www-data@example.org", 2 },
	/* A group name is no address; its members are. */
	{ "admins: root, bob@example.net;",
	  "admins: root@example.org, bob@example.net;", 1 },
	{ "undisclosed-recipients:;", "undisclosed-recipients:;", 0 },
	/* A quoted local part: the domain goes after the quote. */
	{ "\"john doe\"", "\"john doe\"@example.org", 1 },
	/* Words in comments and quoted display names stay words. */
	{ "\"root\" <a@b.example> (root)", "\"root\" <a@b.example> (root)",
	  0 },
	{ "<>", "<>", 0 },
	{ "\"\"", "\"\"", 0 },
	{ "a@b.example", "a@b.example", 0 },
	/* Folding and comments before the address are kept. */
	{ "(the cron job)\r\n root", "(the cron job)\r\n root@example.org",
	  1 },
	{ "first.last", "first.last@example.org", 1 },
	{ "", "", 0 },
};

START_TEST(test_qualify)
{
	struct str out = STR_INIT, err = STR_INIT;
	const char *in = qualify_rows[_i].in;
	size_t n = 99;

	ck_assert_int_eq(addr_qualify_list(in, strlen(in), "example.org", &out,
	    &n, &err), ADDR_OK);
	ck_assert_str_eq(str_cstr(&out), qualify_rows[_i].out);
	ck_assert_uint_eq(n, qualify_rows[_i].count);
	str_free(&out);
	str_free(&err);
}
END_TEST

START_TEST(test_qualify_refused)
{
	static const char *const bad[] = { "Cron Daemon", "root <", "a@",
		"(open", "x: root" };
	struct str out = STR_INIT, err = STR_INIT;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		str_reset(&err);
		ck_assert_int_eq(addr_qualify_list(bad[i], strlen(bad[i]),
		    "example.org", &out, &n, &err), ADDR_EINVAL);
		ck_assert_uint_eq(out.len, 0);
		ck_assert_uint_eq(n, 0);
		ck_assert_uint_gt(err.len, 0);
	}
	str_free(&out);
	str_free(&err);
}
END_TEST

/* address_separator in header values: only separators between elements
   become commas, and only when the value is not valid as it is. */
static const struct {
	char sep;
	const char *in, *out;
	size_t count;
} comma_rows[] = {
	{ ';', "a@x.example; b@x.example", "a@x.example, b@x.example", 1 },
	{ ';', "a@x.example;b@x.example;c@y.example",
	  "a@x.example,b@x.example,c@y.example", 2 },
	{ ';', "\"Doe; J\" <a@x.example>; B (x;y) <b@x.example>",
	  "\"Doe; J\" <a@x.example>, B (x;y) <b@x.example>", 1 },
	{ ';', "a@x.example; b@x.example;", "a@x.example, b@x.example,", 2 },
	{ ';', "root; b@x.example", "root, b@x.example", 1 },
	/* Valid as it is: the separator changes nothing. */
	{ ';', "undisclosed-recipients:;", "undisclosed-recipients:;", 0 },
	{ ';', "team: a@x.example, b@x.example;, c@y.example",
	  "team: a@x.example, b@x.example;, c@y.example", 0 },
	{ ';', "a@x.example, b@x.example", "a@x.example, b@x.example", 0 },
	/* Another separator: inside a group too; atext otherwise. */
	{ '|', "a@x.example | b@x.example", "a@x.example , b@x.example", 1 },
	{ '|', "team: a@x.example|b@x.example;",
	  "team: a@x.example,b@x.example;", 1 },
	{ '|', "a|b@x.example", "a|b@x.example", 0 },
	{ '\0', "a@x.example", "a@x.example", 0 },
};

START_TEST(test_comma)
{
	struct str out = STR_INIT, err = STR_INIT;
	const char *in = comma_rows[_i].in;
	size_t n = 99;

	ck_assert_msg(addr_comma_list(in, strlen(in), comma_rows[_i].sep,
	    &out, &n, &err) == ADDR_OK, "%s: %s", in, str_cstr(&err));
	ck_assert_str_eq(str_cstr(&out), comma_rows[_i].out);
	ck_assert_uint_eq(n, comma_rows[_i].count);
	/* What comes out is a list RFC 5322 reads. */
	{
		struct addr_list l;

		addr_list_init(&l);
		ck_assert_int_eq(addr_parse_list(out.data, out.len, &l, NULL),
		    ADDR_OK);
		addr_list_free(&l);
	}
	str_free(&out);
	str_free(&err);
}
END_TEST

START_TEST(test_comma_refused)
{
	/* A ';' separator never splits a group: it ends it, and what
	   follows the group needs its ','. */
	static const char *const bad[] = { "a@x.example; <b", "team: a@x.example",
		"a@x.example; b@x.example c", "team: a@x.example; b@x.example" };
	struct str out = STR_INIT, err = STR_INIT;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		str_reset(&err);
		ck_assert_int_eq(addr_comma_list(bad[i], strlen(bad[i]), ';',
		    &out, &n, &err), ADDR_EINVAL);
		ck_assert_uint_eq(out.len, 0);
		ck_assert_uint_eq(n, 0);
		ck_assert_uint_gt(err.len, 0);
	}
	str_free(&out);
	str_free(&err);
}
END_TEST

static const struct {
	const char *addr;
	bool routed;
} routed_rows[] = {
	{ "a@b", false },
	{ "a.b-c+tag@b", false },
	{ "<@relay.example:a@b>", true },
	{ "a%c@b", true },				/* percent hack */
	{ "c!a@b", true },				/* bang path */
	{ "\"a@c\"@b", true },				/* quoted @ */
	{ "\"a b\"@c", false },
};

START_TEST(test_routed)
{
	struct addr a;

	addr_init(&a);
	ck_assert_int_eq(addr_parse_path(routed_rows[_i].addr,
	    strlen(routed_rows[_i].addr), &a, NULL), ADDR_OK);
	ck_assert_msg(addr_is_routed(&a) == routed_rows[_i].routed, "%s",
	    routed_rows[_i].addr);
	addr_free(&a);
}
END_TEST

#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

Suite *
unit_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_list, 0, ROWS(list_rows));
	tcase_add_loop_test(tc, test_list_reparse, 0, ROWS(list_rows));
	tcase_add_loop_test(tc, test_one, 0, ROWS(one_rows));
	tcase_add_test(tc, test_group_fields);
	tcase_add_test(tc, test_list_appends);
	tcase_add_test(tc, test_failure_keeps_out);
	tcase_add_test(tc, test_many);
	tcase_add_loop_test(tc, test_path, 0, ROWS(path_rows));
	tcase_add_test(tc, test_format_forms);
	tcase_add_test(tc, test_copy);
	tcase_add_loop_test(tc, test_errors, 0, ROWS(err_rows));
	tcase_add_test(tc, test_comment_depth);
	tcase_add_test(tc, test_size_limit);
	tcase_add_loop_test(tc, test_same, 0, ROWS(same_rows));
	tcase_add_loop_test(tc, test_match, 0, ROWS(match_rows));
	tcase_add_test(tc, test_in_domain);
	tcase_add_loop_test(tc, test_qualify, 0,
	    sizeof(qualify_rows) / sizeof(qualify_rows[0]));
	tcase_add_test(tc, test_qualify_refused);
	tcase_add_loop_test(tc, test_comma, 0, ROWS(comma_rows));
	tcase_add_test(tc, test_comma_refused);
	tcase_add_loop_test(tc, test_routed, 0, ROWS(routed_rows));
	suite_add_tcase(s, tc);
	return s;
}
