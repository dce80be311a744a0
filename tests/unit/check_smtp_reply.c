/*
 * Unit tests for lib/smtp_reply.c and lib/smtp_ehlo.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check_main.h"
#include "smtp_reply.h"

/*
 * Feed s line by line (each piece up to and including an LF; a trailing
 * piece without one is fed too).  Every line but the last must give
 * SMTP_MORE; returns the last line's result and its 1-based number.
 */
static int
feed_all(struct smtp_reply *r, const char *s, size_t len, struct str *err,
    size_t *lineno)
{
	size_t start = 0, end;
	int rc = -1;

	*lineno = 0;
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);

		end = nl ? (size_t)(nl - s) + 1 : len;
		rc = smtp_reply_feed(r, s + start, end - start, err);
		(*lineno)++;
		start = end;
		if (rc != SMTP_MORE)
			break;
	}
	ck_assert_uint_eq(start, len);
	return rc;
}

struct good_case {
	const char *in;
	int code, cls, subj, det;
	const char *text;
	size_t nlines;
};

static const struct good_case good_cases[] = {
	{ "250 OK\r\n", 250, 0, 0, 0, "OK", 1 },
	{ "250\r\n", 250, 0, 0, 0, "", 1 },
	{ "250 \r\n", 250, 0, 0, 0, "", 1 },
	{ "250\n", 250, 0, 0, 0, "", 1 },
	{ "220 mx.example.org ESMTP\n", 220, 0, 0, 0, "mx.example.org ESMTP", 1 },
	{ "250 2.1.0 Ok\r\n", 250, 2, 1, 0, "Ok", 1 },
	{ "550 5.7.1 Relaying denied\r\n", 550, 5, 7, 1, "Relaying denied", 1 },
	{ "451 4.7.1 Try again later\r\n", 451, 4, 7, 1, "Try again later", 1 },
	{ "554 5.7.999 Rejected\r\n", 554, 5, 7, 999, "Rejected", 1 },
	{ "250 2.0.0\r\n", 250, 2, 0, 0, "", 1 },
	/* class mismatch: left in the text */
	{ "250 5.1.1 odd\r\n", 250, 0, 0, 0, "5.1.1 odd", 1 },
	{ "550 2.0.0 odd\r\n", 550, 0, 0, 0, "2.0.0 odd", 1 },
	/* not an enhanced code */
	{ "250 2.1.0.5 x\r\n", 250, 0, 0, 0, "2.1.0.5 x", 1 },
	{ "250 2.1 x\r\n", 250, 0, 0, 0, "2.1 x", 1 },
	{ "250 2.1000.0 x\r\n", 250, 0, 0, 0, "2.1000.0 x", 1 },
	{ "250 2.1.0x\r\n", 250, 0, 0, 0, "2.1.0x", 1 },
	{ "354 End data with <CR><LF>.<CR><LF>\r\n", 354, 0, 0, 0,
	  "End data with <CR><LF>.<CR><LF>", 1 },
	{ "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 last\r\n",
	  550, 5, 7, 1, "first\nsecond\nlast", 3 },
	{ "250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
	  250, 0, 0, 0, "mx.example.org\nPIPELINING\n8BITMIME", 3 },
	/* esc from the first line that has one; each line stripped */
	{ "550-no code here\r\n550-5.1.1 user unknown\r\n550 5.1.2 other\r\n",
	  550, 5, 1, 1, "no code here\nuser unknown\nother", 3 },
	{ "421-\r\n421 4.3.2 bye\n", 421, 4, 3, 2, "\nbye", 2 },
	{ "250 tab\there \x01 \xc3\xa9\r\n", 250, 0, 0, 0,
	  "tab\there \x01 \xc3\xa9", 1 },
};

START_TEST(test_feed_good)
{
	const struct good_case *c = &good_cases[_i];
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	size_t n;

	ck_assert_int_eq(feed_all(&r, c->in, strlen(c->in), &err, &n), SMTP_OK);
	ck_assert_int_eq(r.code, c->code);
	ck_assert_int_eq(r.esc_class, c->cls);
	ck_assert_int_eq(r.esc_subject, c->subj);
	ck_assert_int_eq(r.esc_detail, c->det);
	ck_assert_str_eq(str_cstr(&r.text), c->text);
	ck_assert_uint_eq(r.nlines, c->nlines);
	ck_assert_str_eq(str_cstr(&r.raw), c->in);
	ck_assert_uint_eq(err.len, 0);
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

struct bad_case {
	const char *in;
	size_t bad_line;	/* 1-based line that fails */
	const char *quote;	/* escaped line expected in err */
};

static const struct bad_case bad_cases[] = {
	{ "25 OK\r\n", 1, "\"25 OK\\r\\n\"" },
	{ "abc OK\r\n", 1, "\"abc OK\\r\\n\"" },
	{ "2a0 OK\r\n", 1, "\"2a0 OK\\r\\n\"" },
	{ "2500 x\r\n", 1, "\"2500 x\\r\\n\"" },
	{ "250x\r\n", 1, "\"250x\\r\\n\"" },
	{ "25\r\n", 1, "\"25\\r\\n\"" },
	{ "\r\n", 1, "\"\\r\\n\"" },
	{ "150 old\r\n", 1, "\"150 old\\r\\n\"" },
	{ "650 odd\r\n", 1, "\"650 odd\\r\\n\"" },
	{ " 250 x\r\n", 1, "\" 250 x\\r\\n\"" },
	{ "250-first\r\n251 second\r\n", 2, "\"251 second\\r\\n\"" },
	{ "250-first\r\n550 second\r\n", 2, "\"550 second\\r\\n\"" },
	{ "250 missing ending", 1, "\"250 missing ending\"" },
	{ "250-a\r\n250 b", 2, "\"250 b\"" },
	{ "250 bare\rcr\r\n", 1, "\"250 bare\\rcr\\r\\n\"" },
	{ "250 two\r\r\n", 1, "\"250 two\\r\\r\\n\"" },
};

START_TEST(test_feed_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	size_t n;

	ck_assert_int_eq(feed_all(&r, c->in, strlen(c->in), &err, &n),
	    SMTP_EPROTO);
	ck_assert_uint_eq(n, c->bad_line);
	ck_assert_msg(strstr(str_cstr(&err), c->quote) != NULL,
	    "err \"%s\" lacks %s", str_cstr(&err), c->quote);
	ck_assert_msg(strstr(str_cstr(&err), "malformed SMTP reply") != NULL,
	    "err: %s", str_cstr(&err));
	/* A failed reply does not pass for a complete one. */
	ck_assert_int_eq(r.code, 0);
	ck_assert_uint_eq(r.nlines, 0);
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

START_TEST(test_feed_nul)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	static const char line[] = "250 a\0b\r\n";

	ck_assert_int_eq(smtp_reply_feed(&r, line, sizeof(line) - 1, &err),
	    SMTP_EPROTO);
	ck_assert_str_eq(str_cstr(&err),
	    "malformed SMTP reply line 1: NUL byte: \"250 a\\x00b\\r\\n\"");
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

START_TEST(test_feed_long_line)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT, line = STR_INIT;
	size_t i;

	/* Exactly the limit is fine. */
	str_appendz(&line, "250 ");
	for (i = 4; i < SMTP_REPLY_MAX_LINE - 2; i++)
		str_appendc(&line, 'x');
	str_appendz(&line, "\r\n");
	ck_assert_uint_eq(line.len, SMTP_REPLY_MAX_LINE);
	ck_assert_int_eq(smtp_reply_feed(&r, line.data, line.len, &err),
	    SMTP_OK);
	ck_assert_uint_eq(r.text.len, SMTP_REPLY_MAX_LINE - 6);

	/* 5000 bytes is not; err quotes the start and gives the length. */
	str_reset(&line);
	str_appendz(&line, "250 ");
	for (i = 4; i < 4998; i++)
		str_appendc(&line, 'y');
	str_appendz(&line, "\r\n");
	ck_assert_int_eq(smtp_reply_feed(&r, line.data, line.len, &err),
	    SMTP_EPROTO);
	ck_assert(strstr(str_cstr(&err), "longer than 4096") != NULL);
	ck_assert(strstr(str_cstr(&err), "\"250 yyyyyyyy") != NULL);
	ck_assert(strstr(str_cstr(&err), "(5000 bytes)") != NULL);
	ck_assert_uint_lt(err.len, 400);
	smtp_reply_free(&r);
	str_free(&err);
	str_free(&line);
}
END_TEST

START_TEST(test_feed_too_many_lines)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	size_t i;

	for (i = 0; i < SMTP_REPLY_MAX_LINES - 1; i++)
		ck_assert_int_eq(smtp_reply_feed(&r, "250-x\r\n", 7, &err),
		    SMTP_MORE);
	/* Line 1000 may end the reply ... */
	ck_assert_int_eq(smtp_reply_feed(&r, "250 x\r\n", 7, &err), SMTP_OK);
	ck_assert_uint_eq(r.nlines, 1000);
	/* ... but line 1001 is refused. */
	for (i = 0; i < SMTP_REPLY_MAX_LINES; i++)
		ck_assert_int_eq(smtp_reply_feed(&r, "250-x\r\n", 7, &err),
		    SMTP_MORE);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 last\r\n", 10, &err),
	    SMTP_EPROTO);
	ck_assert_str_eq(str_cstr(&err), "malformed SMTP reply line 1001: "
	    "reply has more than 1000 lines: \"250 last\\r\\n\"");
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

START_TEST(test_feed_pipelined)
{
	/* Replies read back to back with one struct, as with PIPELINING. */
	static const char *lines[] = { "250 2.1.0 Ok\r\n", "550-5.1.1 no\r\n",
	    "550 5.1.1 such user\r\n", "250 2.1.5 Ok\r\n", "354 go\r\n" };
	static const int rcs[] = { SMTP_OK, SMTP_MORE, SMTP_OK, SMTP_OK,
	    SMTP_OK };
	static const int codes[] = { 250, 550, 550, 250, 354 };
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	size_t i;

	r.esc_offered = true;
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(smtp_reply_feed(&r, lines[i],
		    strlen(lines[i]), &err), rcs[i]);
		ck_assert_int_eq(r.code, codes[i]);
	}
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert_int_eq(r.esc_class, 0);
	ck_assert(r.esc_offered);
	ck_assert(smtp_reply_is_intermediate(&r));
	/* After an error the next line starts a new reply. */
	ck_assert_int_eq(smtp_reply_feed(&r, "bad\r\n", 5, &err), SMTP_EPROTO);
	ck_assert_int_eq(smtp_reply_feed(&r, "221 bye\r\n", 9, &err), SMTP_OK);
	ck_assert_str_eq(str_cstr(&r.text), "bye");
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

START_TEST(test_classes)
{
	static const struct { int code; bool ok, inter, temp, perm; } t[] = {
		{ 250, true, false, false, false },
		{ 354, false, true, false, false },
		{ 421, false, false, true, false },
		{ 554, false, false, false, true },
	};
	struct smtp_reply r = SMTP_REPLY_INIT;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(smtp_reply_make(&r, t[i].code, NULL, "x"),
		    SMTP_OK);
		ck_assert(smtp_reply_ok(&r) == t[i].ok);
		ck_assert(smtp_reply_is_intermediate(&r) == t[i].inter);
		ck_assert(smtp_reply_is_temp(&r) == t[i].temp);
		ck_assert(smtp_reply_is_perm(&r) == t[i].perm);
	}
	smtp_reply_free(&r);
	ck_assert_int_eq(smtp_exitcode(SMTP_OK), EX_OK);
	ck_assert_int_eq(smtp_exitcode(SMTP_EPROTO), EX_TEMPFAIL);
	ck_assert_int_eq(smtp_exitcode(SMTP_EREPLY), EX_TEMPFAIL);
	ck_assert_int_eq(smtp_exitcode(SMTP_EINVAL), EX_SOFTWARE);
}
END_TEST

struct make_case {
	int code;
	const char *esc;
	const char *text;
	int rc;
	const char *wire;
};

static const struct make_case make_cases[] = {
	{ 451, "4.7.1", "Try later", SMTP_OK, "451 4.7.1 Try later\r\n" },
	{ 451, "5.7.1", "Try later", SMTP_EINVAL, NULL },
	{ 550, "4.7.1", "No", SMTP_EINVAL, NULL },
	{ 250, "5.0.0", "Ok", SMTP_EINVAL, NULL },
	{ 250, "2.0.0", "Ok", SMTP_OK, "250 2.0.0 Ok\r\n" },
	{ 354, "2.0.0", "go", SMTP_EINVAL, NULL },
	{ 354, NULL, "go ahead", SMTP_OK, "354 go ahead\r\n" },
	{ 550, "5.7.1", "Relaying denied", SMTP_OK,
	  "550 5.7.1 Relaying denied\r\n" },
	{ 550, NULL, "", SMTP_OK, "550\r\n" },
	{ 550, "5.7.1", "", SMTP_OK, "550 5.7.1\r\n" },
	{ 199, NULL, "x", SMTP_EINVAL, NULL },
	{ 600, NULL, "x", SMTP_EINVAL, NULL },
	{ 0, NULL, "x", SMTP_EINVAL, NULL },
	{ 550, "5.7", "x", SMTP_EINVAL, NULL },
	{ 550, "5.7.1.", "x", SMTP_EINVAL, NULL },
	{ 550, "5.7.1 ", "x", SMTP_EINVAL, NULL },
	{ 550, "5.7.1000", "x", SMTP_EINVAL, NULL },
	{ 550, "3.7.1", "x", SMTP_EINVAL, NULL },
	{ 550, "", "x", SMTP_EINVAL, NULL },
	{ 550, "a.b.c", "x", SMTP_EINVAL, NULL },
	{ 550, "5.7.1", "evil\r\n250 ok", SMTP_EINVAL, NULL },
	{ 550, "5.7.1", "two\nlines", SMTP_EINVAL, NULL },
	{ 550, "5.7.1", "cr\ronly", SMTP_EINVAL, NULL },
};

/* A copy is the reply, whatever its destination held before. */
START_TEST(test_copy)
{
	static const char in[] = "550-5.7.1 first line\r\n550 5.7.1 second\r\n";
	struct smtp_reply r, c;
	struct str err = STR_INIT;
	size_t n;

	smtp_reply_init(&r);
	smtp_reply_init(&c);
	ck_assert_int_eq(feed_all(&r, in, sizeof(in) - 1, &err, &n), SMTP_OK);
	ck_assert_int_eq(smtp_reply_make(&c, 250, "2.0.0", "old %s", "text"),
	    SMTP_OK);
	smtp_reply_copy(&c, &r);
	ck_assert_int_eq(c.code, 550);
	ck_assert_int_eq(c.esc_class, 5);
	ck_assert_int_eq(c.esc_subject, 7);
	ck_assert_int_eq(c.esc_detail, 1);
	ck_assert_uint_eq(c.nlines, 2);
	ck_assert_str_eq(str_cstr(&c.text), str_cstr(&r.text));
	ck_assert_str_eq(str_cstr(&c.raw), str_cstr(&r.raw));
	smtp_reply_free(&r);
	/* The copy owns its text. */
	ck_assert_ptr_nonnull(strstr(str_cstr(&c.text), "second"));
	smtp_reply_free(&c);
	str_free(&err);
}
END_TEST

START_TEST(test_esc_text)
{
	static const char in[] = "550 5.7.139 Authentication unsuccessful\r\n";
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT, out = STR_INIT;
	char esc[SMTP_REPLY_ESC_SIZE];
	size_t n;

	/* None: "" and false, whatever the buffer held. */
	memcpy(esc, "junk", 5);
	ck_assert(!smtp_reply_esc(&r, esc));
	ck_assert_str_eq(esc, "");
	ck_assert_int_eq(smtp_reply_make(&r, 250, NULL, "Ok"), SMTP_OK);
	ck_assert(!smtp_reply_esc(&r, esc));
	/* From the server, three-digit detail included. */
	ck_assert_int_eq(feed_all(&r, in, sizeof(in) - 1, &err, &n), SMTP_OK);
	ck_assert(smtp_reply_esc(&r, esc));
	ck_assert_str_eq(esc, "5.7.139");
	ck_assert(smtp_reply_esc_is(&r, 5, 7, 139));
	ck_assert(!smtp_reply_esc_is(&r, 5, 7, 13));
	ck_assert(!smtp_reply_esc_is(&r, 4, 7, 139));
	/* What it gives is what smtp_reply_make() takes back. */
	ck_assert_int_eq(smtp_reply_make(&r, 451, "4.3.0", "x"), SMTP_OK);
	ck_assert(smtp_reply_esc(&r, esc));
	ck_assert_str_eq(esc, "4.3.0");
	smtp_reply_format(&r, &out);
	ck_assert_str_eq(str_cstr(&out), "451 4.3.0 x\r\n");
	smtp_reply_free(&r);
	str_free(&out);
	str_free(&err);
}
END_TEST

START_TEST(test_make)
{
	const struct make_case *c = &make_cases[_i];
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str out = STR_INIT;

	ck_assert_int_eq(smtp_reply_make(&r, c->code, c->esc, "%s", c->text),
	    c->rc);
	if (c->rc == SMTP_OK) {
		smtp_reply_format(&r, &out);
		ck_assert_str_eq(str_cstr(&out), c->wire);
		ck_assert_str_eq(str_cstr(&r.raw), c->wire);
		ck_assert_str_eq(str_cstr(&r.text), c->text);
		ck_assert_uint_eq(r.nlines, 1);
	} else {
		ck_assert_int_eq(r.code, 0);
		ck_assert_uint_eq(r.text.len, 0);
	}
	smtp_reply_free(&r);
	str_free(&out);
}
END_TEST

START_TEST(test_make_nul_and_long)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str big = STR_INIT;
	size_t i;

	ck_assert_int_eq(smtp_reply_make(&r, 550, NULL, "a%cb", 0),
	    SMTP_EINVAL);
	for (i = 0; i < SMTP_REPLY_MAX_LINE; i++)
		str_appendc(&big, 'x');
	ck_assert_int_eq(smtp_reply_make(&r, 550, NULL, "%s", big.data),
	    SMTP_EINVAL);
	ck_assert_int_eq(smtp_reply_make(&r, 550, "5.7.1", "%d recipients",
	    3), SMTP_OK);
	ck_assert_str_eq(str_cstr(&r.text), "3 recipients");
	smtp_reply_free(&r);
	str_free(&big);
}
END_TEST

START_TEST(test_format_multiline)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT, out = STR_INIT;
	size_t n;
	static const char in[] = "550-5.7.1 first\r\n550-second\n550 5.7.2 last\r\n";

	ck_assert_int_eq(feed_all(&r, in, strlen(in), &err, &n), SMTP_OK);
	smtp_reply_format(&r, &out);
	ck_assert_str_eq(str_cstr(&out),
	    "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 last\r\n");
	str_reset(&out);
	smtp_reply_describe(&r, &out);
	ck_assert_str_eq(str_cstr(&out), "550 5.7.1 first second last");

	ck_assert_int_eq(feed_all(&r, "250-a\r\n250-\r\n250 b\r\n", 20, &err,
	    &n), SMTP_OK);
	str_reset(&out);
	smtp_reply_format(&r, &out);
	ck_assert_str_eq(str_cstr(&out), "250-a\r\n250-\r\n250 b\r\n");

	/* Nothing for an empty reply. */
	smtp_reply_reset(&r);
	str_reset(&out);
	smtp_reply_format(&r, &out);
	ck_assert_uint_eq(out.len, 0);
	smtp_reply_free(&r);
	str_free(&err);
	str_free(&out);
}
END_TEST

START_TEST(test_describe_escapes)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT, out = STR_INIT;

	ck_assert_int_eq(smtp_reply_feed(&r, "550 5.7.1 Relaying denied\r\n",
	    27, &err), SMTP_OK);
	smtp_reply_describe(&r, &out);
	ck_assert_str_eq(str_cstr(&out), "550 5.7.1 Relaying denied");
	str_reset(&out);
	ck_assert_int_eq(smtp_reply_feed(&r, "421 \x1b[31mred\xff\r\n", 15,
	    &err), SMTP_OK);
	smtp_reply_describe(&r, &out);
	ck_assert_str_eq(str_cstr(&out), "421 \\x1b[31mred\\xff");
	smtp_reply_free(&r);
	str_free(&err);
	str_free(&out);
}
END_TEST

/* ---- EHLO ---------------------------------------------------------- */

static void
ehlo(const char *in, struct smtp_ext *ext, int want_rc, struct str *err)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	size_t n;

	ck_assert_int_eq(feed_all(&r, in, strlen(in), err, &n), SMTP_OK);
	ck_assert_int_eq(smtp_ehlo_parse(&r, ext, err), want_rc);
	smtp_reply_free(&r);
}

START_TEST(test_ehlo_postfix)
{
	struct smtp_ext ext;
	struct str err = STR_INIT;

	ehlo("250-mail.example.org\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n"
	    "250-VRFY\r\n"
	    "250-ETRN\r\n"
	    "250-STARTTLS\r\n"
	    "250-AUTH PLAIN LOGIN\r\n"
	    "250-AUTH=PLAIN LOGIN\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-8BITMIME\r\n"
	    "250-DSN\r\n"
	    "250-SMTPUTF8\r\n"
	    "250 CHUNKING\r\n", &ext, SMTP_OK, &err);
	ck_assert_uint_eq(ext.flags, SMTP_EXT_PIPELINING | SMTP_EXT_SIZE |
	    SMTP_EXT_STARTTLS | SMTP_EXT_AUTH | SMTP_EXT_ENHANCEDSTATUSCODES |
	    SMTP_EXT_8BITMIME | SMTP_EXT_DSN | SMTP_EXT_SMTPUTF8 |
	    SMTP_EXT_CHUNKING);
	ck_assert_uint_eq(ext.size_max, 10240000ULL);
	ck_assert_uint_eq(ext.auth, SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN);
	ck_assert_uint_eq(err.len, 0);
	str_free(&err);
}
END_TEST

START_TEST(test_ehlo_office365)
{
	struct smtp_ext ext;
	struct str err = STR_INIT;

	/* Before STARTTLS: no AUTH yet. */
	ehlo("250-AM0PR01CA0001.outlook.office365.com Hello [192.0.2.10]\r\n"
	    "250-SIZE 157286400\r\n"
	    "250-PIPELINING\r\n"
	    "250-DSN\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-STARTTLS\r\n"
	    "250-8BITMIME\r\n"
	    "250-BINARYMIME\r\n"
	    "250-CHUNKING\r\n"
	    "250 SMTPUTF8\r\n", &ext, SMTP_OK, &err);
	ck_assert_uint_eq(ext.flags, SMTP_EXT_SIZE | SMTP_EXT_PIPELINING |
	    SMTP_EXT_DSN | SMTP_EXT_ENHANCEDSTATUSCODES | SMTP_EXT_STARTTLS |
	    SMTP_EXT_8BITMIME | SMTP_EXT_CHUNKING | SMTP_EXT_SMTPUTF8);
	ck_assert_uint_eq(ext.size_max, 157286400ULL);
	ck_assert_uint_eq(ext.auth, 0);
	/* After STARTTLS. */
	ehlo("250-AM0PR01CA0001.outlook.office365.com Hello [192.0.2.10]\r\n"
	    "250-SIZE 157286400\r\n"
	    "250-PIPELINING\r\n"
	    "250-DSN\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-AUTH LOGIN XOAUTH2\r\n"
	    "250-8BITMIME\r\n"
	    "250-BINARYMIME\r\n"
	    "250-CHUNKING\r\n"
	    "250 SMTPUTF8\r\n", &ext, SMTP_OK, &err);
	ck_assert(ext.flags & SMTP_EXT_AUTH);
	ck_assert(!(ext.flags & SMTP_EXT_STARTTLS));
	ck_assert_uint_eq(ext.auth, SMTP_AUTH_LOGIN | SMTP_AUTH_XOAUTH2);
	str_free(&err);
}
END_TEST

START_TEST(test_ehlo_forms)
{
	struct smtp_ext ext;
	struct str err = STR_INIT;

	/* Old AUTH= form alone, lower case, extra mechanisms, odd spacing. */
	ehlo("250-smtp.example.com at your service\r\n"
	    "250-auth=login cram-md5 SCRAM-SHA-256 gssapi ntlm\r\n"
	    "250-Auth  OAUTHBEARER   XOAUTH2 SCRAM-SHA-1 UNKNOWN-MECH\r\n"
	    "250-pipelining\r\n"
	    "250-PIPELININGX\r\n"
	    "250-X-UNKNOWN foo\r\n"
	    "250 size\r\n", &ext, SMTP_OK, &err);
	ck_assert_uint_eq(ext.flags, SMTP_EXT_AUTH | SMTP_EXT_PIPELINING |
	    SMTP_EXT_SIZE);
	ck_assert_uint_eq(ext.size_max, 0);
	ck_assert_uint_eq(ext.auth, SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5 |
	    SMTP_AUTH_SCRAM_SHA_256 | SMTP_AUTH_GSSAPI | SMTP_AUTH_NTLM |
	    SMTP_AUTH_OAUTHBEARER | SMTP_AUTH_XOAUTH2 | SMTP_AUTH_SCRAM_SHA_1);
	/* The greeting line is not a keyword. */
	ehlo("250-PIPELINING\r\n250 8BITMIME\r\n", &ext, SMTP_OK, &err);
	ck_assert_uint_eq(ext.flags, SMTP_EXT_8BITMIME);
	ehlo("250 mx.example.org\r\n", &ext, SMTP_OK, &err);
	ck_assert_uint_eq(ext.flags, 0);
	str_free(&err);
}
END_TEST

START_TEST(test_ehlo_size)
{
	static const struct { const char *line; unsigned long long max; } t[] = {
		{ "250 SIZE 0\r\n", 0 },
		{ "250 SIZE 52428800\r\n", 52428800ULL },
		{ "250 SIZE 18446744073709551615\r\n", 18446744073709551615ULL },
		{ "250 SIZE 18446744073709551616\r\n", 0 },
		{ "250 SIZE 99999999999999999999999999\r\n", 0 },
		{ "250 SIZE -1\r\n", 0 },
		{ "250 SIZE 12abc\r\n", 0 },
		{ "250 SIZE 0x100\r\n", 0 },
		{ "250 SIZE 1000 extra\r\n", 1000 },
	};
	struct smtp_ext ext;
	struct str err = STR_INIT, in = STR_INIT;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		str_setz(&in, "250-greeting\r\n");
		str_appendz(&in, t[i].line);
		ehlo(str_cstr(&in), &ext, SMTP_OK, &err);
		ck_assert_uint_eq(ext.flags, SMTP_EXT_SIZE);
		ck_assert_msg(ext.size_max == t[i].max, "%s: %llu", t[i].line,
		    ext.size_max);
	}
	str_free(&err);
	str_free(&in);
}
END_TEST

START_TEST(test_ehlo_refused)
{
	struct smtp_ext ext;
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;

	ehlo("502 5.5.2 Error: command not recognized\r\n", &ext,
	    SMTP_EREPLY, &err);
	ck_assert_str_eq(str_cstr(&err),
	    "EHLO refused: 502 5.5.2 Error: command not recognized");
	ck_assert_uint_eq(ext.flags, 0);
	/* An incomplete reply is the caller's mistake. */
	ck_assert_int_eq(smtp_reply_feed(&r, "250-x\r\n", 7, &err), SMTP_MORE);
	ck_assert_int_eq(smtp_ehlo_parse(&r, &ext, &err), SMTP_EINVAL);
	smtp_reply_free(&r);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("smtp_reply");
	TCase *tc = tcase_create("reply");
	TCase *te = tcase_create("ehlo");

	tcase_add_loop_test(tc, test_feed_good, 0,
	    sizeof(good_cases) / sizeof(good_cases[0]));
	tcase_add_loop_test(tc, test_feed_bad, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_feed_nul);
	tcase_add_test(tc, test_feed_long_line);
	tcase_add_test(tc, test_feed_too_many_lines);
	tcase_add_test(tc, test_feed_pipelined);
	tcase_add_test(tc, test_classes);
	tcase_add_loop_test(tc, test_make, 0,
	    sizeof(make_cases) / sizeof(make_cases[0]));
	tcase_add_test(tc, test_make_nul_and_long);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_esc_text);
	tcase_add_test(tc, test_format_multiline);
	tcase_add_test(tc, test_describe_escapes);
	suite_add_tcase(s, tc);
	tcase_add_test(te, test_ehlo_postfix);
	tcase_add_test(te, test_ehlo_office365);
	tcase_add_test(te, test_ehlo_forms);
	tcase_add_test(te, test_ehlo_size);
	tcase_add_test(te, test_ehlo_refused);
	suite_add_tcase(s, te);
	return s;
}

