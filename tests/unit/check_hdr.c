/*
 * Unit tests for lib/hdr_*.c.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "check_main.h"
#include "hdr.h"
#include "smtp_data.h"

/* ---- parsing from memory, table-driven ---------------------------------- */

struct parse_case {
	const char *in;
	size_t	inlen;		/* 0: strlen(in) */
	int	rc;
	size_t	consumed;
	unsigned flags;		/* all of these must be set */
	unsigned noflags;	/* none of these may be set */
	size_t	n;
	const char *names[4];
	const char *values[4];
};

#define LEN(s)	(sizeof(s) - 1)

static const struct parse_case parse_cases[] = {
	/* LF, space continuation */
	{ "To: a@x,\n b@y\nSubject: hi\n\nbody\n", 0, HDR_OK, 27,
	    HDR_F_LF, HDR_F_CRLF | HDR_F_NOBODY_SEP | HDR_F_8BIT, 2,
	    { "To", "Subject" }, { "a@x, b@y", "hi" } },
	/* CRLF, tab continuation */
	{ "To: a@x,\r\n\tb@y\r\n\r\nbody", 0, HDR_OK, 18,
	    HDR_F_CRLF, HDR_F_LF, 1, { "To" }, { "a@x,\tb@y" } },
	/* mixed endings inside one field */
	{ "A: 1\r\n 2\n\t3\r\n\n", 0, HDR_OK, 14,
	    HDR_F_CRLF | HDR_F_LF, 0, 1, { "A" }, { "1 2\t3" } },
	/* odd spacing: none after the colon, many, fold right after colon */
	{ "Subject:x\nB:   y \nC:\n   z\n\n", 0, HDR_OK, 27, 0, 0, 3,
	    { "Subject", "B", "C" }, { "x", "y ", "z" } },
	/* obsolete WSP before the colon is a field (as Postfix does) */
	{ "Subject :obs\n\n", 0, HDR_OK, 14, 0, 0, 1,
	    { "Subject" }, { "obs" } },
	/* empty value */
	{ "X-Empty:\r\n\r\n", 0, HDR_OK, 12, 0, 0, 1, { "X-Empty" }, { "" } },
	/* EOF without the empty line */
	{ "A: b\nC: d", 0, HDR_OK, 9, HDR_F_NOBODY_SEP, 0, 2,
	    { "A", "C" }, { "b", "d" } },
	{ "A: b\n", 0, HDR_OK, 5, HDR_F_NOBODY_SEP, 0, 1, { "A" }, { "b" } },
	{ "", 0, HDR_OK, 0, HDR_F_NOBODY_SEP, 0, 0, { NULL }, { NULL } },
	/* no header at all: the empty line comes first */
	{ "\r\nbody\r\n", 0, HDR_OK, 2, HDR_F_CRLF, HDR_F_NOBODY_SEP, 0,
	    { NULL }, { NULL } },
	/* a body line first: header ends before it, nothing consumed */
	{ "Hello world\nA: b\n\n", 0, HDR_ENOTHEADER, 0, HDR_F_NOTHEADER, 0,
	    0, { NULL }, { NULL } },
	/* a continuation before any field */
	{ " folded\nA: b\n\n", 0, HDR_ENOTHEADER, 0, HDR_F_NOTHEADER, 0, 0,
	    { NULL }, { NULL } },
	/* a line without a colon in the middle ends the header */
	{ "A: b\nnot a header\nC: d\n\n", 0, HDR_ENOTHEADER, 5,
	    HDR_F_NOTHEADER, 0, 1, { "A" }, { "b" } },
	/* empty name, space inside a name */
	{ ":x\n\n", 0, HDR_ENOTHEADER, 0, 0, 0, 0, { NULL }, { NULL } },
	{ "A: b\nBad Name: x\n\n", 0, HDR_ENOTHEADER, 5, 0, 0, 1,
	    { "A" }, { "b" } },
	/* 8-bit is no error, only a flag */
	{ "Subject: caf\xc3\xa9\n\n", 0, HDR_OK, 16, HDR_F_8BIT, 0, 1,
	    { "Subject" }, { "caf\xc3\xa9" } },
	/*
	 * A bare CR in a field is a space: the policy must see what the wire
	 * will carry, and the encoder makes a bare CR a line break.
	 */
	{ "A: x\ry\n\n", 0, HDR_OK, 8, HDR_F_BARE_CR, 0, 1, { "A" },
	    { "x y" } },
	{ "Subject: x\rFrom: \"CEO\" <ceo@example.org>\r\n\r\n", 0, HDR_OK,
	    44, HDR_F_BARE_CR | HDR_F_CRLF, HDR_F_LF, 1, { "Subject" },
	    { "x From: \"CEO\" <ceo@example.org>" } },
	/* the CR of a CRLF is no bare CR; one before it is */
	{ "A: x\r\r\nB: y\r\n\r\n", 0, HDR_OK, 15, HDR_F_BARE_CR | HDR_F_CRLF,
	    HDR_F_LF, 2, { "A", "B" }, { "x ", "y" } },
	{ "A: x\r\nB: y\r\n\r\n", 0, HDR_OK, 14, HDR_F_CRLF, HDR_F_BARE_CR, 2,
	    { "A", "B" }, { "x", "y" } },
	/* in a continuation, and several in a row */
	{ "To: a@x,\r\n b@y\rBcc: v@z\r\n\r\n", 0, HDR_OK, 27, HDR_F_BARE_CR,
	    0, 1, { "To" }, { "a@x, b@y Bcc: v@z" } },
	{ "A: 1\r\r\rReply-To: e@x\n\n", 0, HDR_OK, 22, HDR_F_BARE_CR, 0, 1,
	    { "A" }, { "1   Reply-To: e@x" } },
	/* right after the colon: leading whitespace, dropped as such */
	{ "Subject:\rFrom: e@x\n\n", 0, HDR_OK, 20, HDR_F_BARE_CR, 0, 1,
	    { "Subject" }, { "From: e@x" } },
	/* at EOF: a space, so no line ending can be made of it later */
	{ "A: b\r", 0, HDR_OK, 5, HDR_F_BARE_CR | HDR_F_NOBODY_SEP, 0, 1,
	    { "A" }, { "b " } },
	/* a line that is no field stays body, bytes untouched */
	{ "\rFrom: e@x\n\n", 0, HDR_ENOTHEADER, 0, HDR_F_NOTHEADER,
	    HDR_F_BARE_CR, 0, { NULL }, { NULL } },
	{ "A: b\nFrom\r: e@x\n\n", 0, HDR_ENOTHEADER, 5, HDR_F_NOTHEADER,
	    HDR_F_BARE_CR, 1, { "A" }, { "b" } },
	/* NUL: refused at the line that holds it */
	{ "A: b\nSubject: a\0b\n\n", LEN("A: b\nSubject: a\0b\n\n"),
	    HDR_ENUL, 5, 0, 0, 1, { "A" }, { "b" } },
	{ "A: b\n c\0\n\n", LEN("A: b\n c\0\n\n"), HDR_ENUL, 5, 0, 0, 1,
	    { "A" }, { "b" } },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t len = c->inlen ? c->inlen : strlen(c->in), consumed = 999, i;
	int rc;

	hdr_init(&hb);
	rc = hdr_parse_buffer(&hb, c->in, len, NULL, &consumed, &err);
	ck_assert_msg(rc == c->rc, "case %d: rc %d, want %d (%s)", _i, rc,
	    c->rc, str_cstr(&err));
	ck_assert_msg((rc == HDR_OK) == (err.len == 0),
	    "case %d: err must be set exactly on failure", _i);
	ck_assert_uint_eq(consumed, c->consumed);
	ck_assert_uint_eq(hb.n, c->n);
	for (i = 0; i < c->n; i++) {
		ck_assert_str_eq(str_cstr(&hb.v[i].name), c->names[i]);
		ck_assert_str_eq(str_cstr(&hb.v[i].value), c->values[i]);
		ck_assert(!hb.v[i].changed);
	}
	ck_assert_uint_eq(hb.flags & c->flags, c->flags);
	ck_assert_uint_eq(hb.flags & c->noflags, 0);
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

/* ---- reading from a stream ---------------------------------------------- */

struct stream_case {
	const char *in;
	int	rc;
	size_t	n;
	const char *eoh;
	const char *body_start;
	const char *rest;	/* what the stream still holds */
};

static const struct stream_case stream_cases[] = {
	{ "A: b\r\n c\r\n\r\nbody\r\nmore\r\n", HDR_OK, 1, "\r\n", "",
	    "body\r\nmore\r\n" },
	{ "A: b\n\nbody\n", HDR_OK, 1, "\n", "", "body\n" },
	{ "A: b\n", HDR_OK, 1, "", "", "" },
	{ "A: b\nC: d", HDR_OK, 2, "", "", "" },
	{ "\nbody", HDR_OK, 0, "\n", "", "body" },
	{ "A: b\nbody line\nrest\n", HDR_ENOTHEADER, 1, "", "body line\n",
	    "rest\n" },
	{ "first body\nX: y\n\n", HDR_ENOTHEADER, 0, "", "first body\n",
	    "X: y\n\n" },
	{ " cont\nX: y\n\n", HDR_ENOTHEADER, 0, "", " cont\n", "X: y\n\n" },
	{ "A: b\nC: \0\n\nbody", HDR_ENUL, 1, "", "C: ", "\nbody" },
};

START_TEST(test_stream_table)
{
	const struct stream_case *c = &stream_cases[_i];
	struct hdr_block hb;
	struct str err = STR_INIT, rest = STR_INIT, all = STR_INIT;
	size_t len = strlen(c->in), i;
	int rc, ch;
	FILE *fp;

	/* The NUL case: its length runs to the end of "body". */
	if (c->rc == HDR_ENUL)
		len = LEN("A: b\nC: \0\n\nbody");
	fp = fmemopen((void *)(uintptr_t)c->in, len, "r");
	ck_assert_ptr_nonnull(fp);
	hdr_init(&hb);
	rc = hdr_read(&hb, fp, NULL, &err);
	ck_assert_msg(rc == c->rc, "case %d: rc %d (%s)", _i, rc,
	    str_cstr(&err));
	ck_assert_uint_eq(hb.n, c->n);
	ck_assert_str_eq(str_cstr(&hb.eoh), c->eoh);
	if (c->rc == HDR_ENUL) {
		ck_assert_uint_eq(hb.body_start.len, 5);
		ck_assert_mem_eq(hb.body_start.data, "C: \0\n", 5);
	} else
		ck_assert_str_eq(str_cstr(&hb.body_start), c->body_start);
	while ((ch = getc(fp)) != EOF)
		str_appendc(&rest, ch);
	ck_assert_str_eq(str_cstr(&rest), c->rest);
	/* Nothing lost: raw + eoh + body_start + rest is the input. */
	for (i = 0; i < hb.n; i++)
		str_appends(&all, &hb.v[i].raw);
	str_appends(&all, &hb.eoh);
	str_appends(&all, &hb.body_start);
	str_appends(&all, &rest);
	ck_assert_uint_eq(all.len, len);
	ck_assert_mem_eq(all.data, c->in, len);
	fclose(fp);
	hdr_free(&hb);
	str_free(&err);
	str_free(&rest);
	str_free(&all);
}
END_TEST

/* A stream that gives some bytes, then fails. */
struct fail_cookie {
	const char *data;
	size_t	len, pos;
};

static ssize_t
fail_read(void *cookie, char *buf, size_t size)
{
	struct fail_cookie *fc = cookie;
	size_t n = fc->len - fc->pos;

	if (n == 0) {
		errno = EIO;
		return -1;
	}
	if (n > size)
		n = size;
	memcpy(buf, fc->data + fc->pos, n);
	fc->pos += n;
	return (ssize_t)n;
}

START_TEST(test_read_error)
{
	struct fail_cookie fc = { "A: b\nC: d", 9, 0 };
	cookie_io_functions_t io = { fail_read, NULL, NULL, NULL };
	struct hdr_block hb;
	struct str err = STR_INIT;
	FILE *fp;

	fp = fopencookie(&fc, "r", io);
	ck_assert_ptr_nonnull(fp);
	hdr_init(&hb);
	ck_assert_int_eq(hdr_read(&hb, fp, NULL, &err), HDR_EIO);
	ck_assert_str_eq(str_cstr(&err),
	    "header line 2: read error: Input/output error");
	ck_assert_uint_eq(hb.n, 1);
	ck_assert_str_eq(str_cstr(&hb.body_start), "C: d");
	ck_assert_int_eq(hdr_exitcode(HDR_EIO), EX_IOERR);
	fclose(fp);
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

START_TEST(test_raw_preserved)
{
	static const char in[] = "Subject:x\r\nTo:   a@x,  \r\n\t  b@y\r\n"
	    "X-Odd:\tv \r\nDKIM-Signature: v=1;\n b=abc\r\n\r\n";
	struct hdr_block hb;
	struct str out = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), NULL, &consumed,
	    NULL), HDR_OK);
	ck_assert_uint_eq(hb.n, 4);
	ck_assert_str_eq(str_cstr(&hb.v[1].raw), "To:   a@x,  \r\n\t  b@y\r\n");
	ck_assert_str_eq(str_cstr(&hb.v[1].value), "a@x,  \t  b@y");
	ck_assert_str_eq(str_cstr(&hb.v[2].value), "v ");
	hdr_write(&hb, &out);
	hdr_write_separator(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), in);
	hdr_free(&hb);
	str_free(&out);
}
END_TEST

/*
 * The smuggling case end to end: the fields hdr_read() hands the policy are
 * the fields the relay gets after the wire encoder.  Before, the policy saw
 * one Subject and the relay a Subject and a second From, because the
 * encoder makes a bare CR a line break.
 */
START_TEST(test_bare_cr_wire)
{
	static const char in[] = "From: app@example.org\r\n"
	    "Subject: x\rFrom: \"CEO\" <ceo@example.org>\r\n"
	    "\r\nbody\rline\r\n";
	struct hdr_block hb, back;
	struct smtp_data enc;
	struct str out = STR_INIT, wire = STR_INIT, rest = STR_INIT;
	size_t consumed, i;
	FILE *fp;
	int ch;

	fp = fmemopen((void *)(uintptr_t)in, LEN(in), "r");
	ck_assert_ptr_nonnull(fp);
	hdr_init(&hb);
	ck_assert_int_eq(hdr_read(&hb, fp, NULL, NULL), HDR_OK);
	hdr_write(&hb, &out);
	hdr_write_separator(&hb, &out);
	smtp_data_init(&enc);
	smtp_data_feed(&enc, out.data, out.len, &wire);
	hdr_init(&back);
	ck_assert_int_eq(hdr_parse_buffer(&back, wire.data, wire.len, NULL,
	    &consumed, NULL), HDR_OK);
	ck_assert_uint_eq(consumed, wire.len);
	/* What the relay reads is what the policy read. */
	ck_assert_uint_eq(hdr_count(&back, "From"), 1);
	ck_assert_uint_eq(back.n, hb.n);
	for (i = 0; i < hb.n; i++) {
		ck_assert_str_eq(str_cstr(&back.v[i].name),
		    str_cstr(&hb.v[i].name));
		ck_assert_str_eq(str_cstr(&back.v[i].value),
		    str_cstr(&hb.v[i].value));
	}
	/* The encoder had nothing to change in the header. */
	ck_assert_uint_eq(wire.len, out.len);
	ck_assert_mem_eq(wire.data, out.data, out.len);
	ck_assert_uint_eq(hb.n, 2);
	ck_assert_str_eq(str_cstr(&hb.v[1].raw),
	    "Subject: x From: \"CEO\" <ceo@example.org>\r\n");
	ck_assert(hb.flags & HDR_F_BARE_CR);
	/* The body is left as it is: the encoder cleans it (smtp_data.h). */
	while ((ch = getc(fp)) != EOF)
		str_appendc(&rest, ch);
	ck_assert_str_eq(str_cstr(&rest), "body\rline\r\n");
	fclose(fp);
	hdr_free(&hb);
	hdr_free(&back);
	str_free(&out);
	str_free(&wire);
	str_free(&rest);
}
END_TEST

START_TEST(test_nul_error_text)
{
	static const char in[] = "From: a@x\nSubject: a\0b\n\n";
	static const char in2[] = "From: a@x\nSub\0ject: b\n\n";
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), NULL, &consumed,
	    &err), HDR_ENUL);
	ck_assert_str_eq(str_cstr(&err),
	    "header line 2: field \"Subject\": NUL byte in header");
	ck_assert_int_eq(hdr_exitcode(HDR_ENUL), EX_DATAERR);
	str_reset(&err);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in2, LEN(in2), NULL, &consumed,
	    &err), HDR_ENUL);
	ck_assert_str_eq(str_cstr(&err),
	    "header line 2: NUL byte in header after \"Sub\"");
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

START_TEST(test_notheader_error_text)
{
	static const char in[] = "A: b\r\nno colon\there\r\n\r\n";
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), NULL, &consumed,
	    &err), HDR_ENOTHEADER);
	ck_assert_str_eq(str_cstr(&err), "header line 2: not a header field "
	    "(\"no colon\\there\"); header ends here, the line starts the "
	    "body");
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

/* A 1 MB header line: refused after max_field + 1 bytes, not buffered. */
START_TEST(test_huge_line)
{
	const size_t big = 1024 * 1024;
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t i;
	FILE *fp;

	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	fputs("From: a@x\r\nSubject: ", fp);
	for (i = 0; i < big; i++)
		putc('a', fp);
	fputs("\r\n\r\nbody\r\n", fp);
	rewind(fp);
	hdr_init(&hb);
	ck_assert_int_eq(hdr_read(&hb, fp, NULL, &err), HDR_ETOOLONG);
	ck_assert_str_eq(str_cstr(&err), "header line 2: field \"Subject\": "
	    "field longer than 262144 bytes");
	ck_assert_uint_eq(hb.n, 1);
	ck_assert_uint_le(hb.size, HDR_DEF_MAX_FIELD);
	ck_assert_uint_eq(hb.body_start.len, HDR_DEF_MAX_FIELD + 1);
	/* The stream stopped right after what was read. */
	ck_assert_int_eq(ftell(fp), 11 + HDR_DEF_MAX_FIELD + 1);
	ck_assert_int_eq(hdr_exitcode(HDR_ETOOLONG), EX_DATAERR);
	fclose(fp);
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

/* A field made long by its continuation lines. */
START_TEST(test_long_folded_field)
{
	static const struct hdr_limits lim = { 20, 1000, 100 };
	static const char in[] = "A: 1\nB: 123456789\n 123456789\nC: x\n\n";
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), &lim, &consumed,
	    &err), HDR_ETOOLONG);
	ck_assert_str_eq(str_cstr(&err), "header line 3: field \"B\": field "
	    "longer than 20 bytes");
	ck_assert_uint_eq(consumed, 18);
	ck_assert_uint_eq(hb.n, 2);
	ck_assert_str_eq(str_cstr(&hb.v[1].raw), "B: 123456789\n");
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

START_TEST(test_too_many_fields)
{
	struct hdr_block hb;
	struct str in = STR_INIT, err = STR_INIT;
	size_t i, consumed;

	for (i = 0; i < 20000; i++)
		str_appendf(&in, "X-N: %zu\r\n", i);
	str_appendz(&in, "\r\n");
	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in.data, in.len, NULL,
	    &consumed, &err), HDR_ETOOBIG);
	ck_assert_uint_eq(hb.n, HDR_DEF_MAX_FIELDS);
	ck_assert_str_eq(str_cstr(&err), "header line 10001: field \"X-N\": "
	    "more than 10000 header fields");
	ck_assert_str_eq(str_cstr(&hb.v[9999].value), "9999");
	hdr_free(&hb);
	str_free(&in);
	str_free(&err);
}
END_TEST

START_TEST(test_total_limit)
{
	static const struct hdr_limits lim = { 100, 20, 100 };
	static const char in[] = "A: 1234\nB: 1234\nC: 1234\n\n";
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), &lim, &consumed,
	    &err), HDR_ETOOBIG);
	ck_assert_uint_eq(hb.n, 2);
	ck_assert_uint_eq(hb.size, 16);
	ck_assert_uint_eq(consumed, 16);
	ck_assert_str_eq(str_cstr(&err), "header line 3: field \"C\": header "
	    "section longer than 20 bytes");
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

static double
parse_seconds(size_t nfields)
{
	static const struct hdr_limits lim = { 1000, SIZE_MAX, SIZE_MAX };
	struct hdr_block hb;
	struct str in = STR_INIT;
	size_t i, consumed;
	double best = 1e9, t;
	clock_t c0;
	int run;

	for (i = 0; i < nfields; i++)
		str_appendf(&in, "Received: from host%zu by mx; "
		    "Tue, 24 Nov 2026 18:00:00 +0000\r\n", i);
	str_appendz(&in, "\r\n");
	for (run = 0; run < 3; run++) {
		hdr_init(&hb);
		c0 = clock();
		ck_assert_int_eq(hdr_parse_buffer(&hb, in.data, in.len, &lim,
		    &consumed, NULL), HDR_OK);
		ck_assert_uint_eq(hdr_count(&hb, "received"), nfields);
		ck_assert_uint_eq(hdr_remove_all(&hb, "RECEIVED"), nfields);
		t = (double)(clock() - c0) / CLOCKS_PER_SEC;
		if (t < best)
			best = t;
		hdr_free(&hb);
	}
	str_free(&in);
	return best;
}

/* 5 000 and 40 000 fields: linear is 8 times the work, quadratic 64. */
START_TEST(test_linear_time)
{
	double small = parse_seconds(5000), large = parse_seconds(40000);

	ck_assert_msg(large < 30 * (small + 0.001),
	    "5000 fields %.4fs, 40000 fields %.4fs", small, large);
}
END_TEST

/* ---- lookup ------------------------------------------------------------- */

START_TEST(test_find_count)
{
	static const char in[] = "Received: 1\nFrom: a\nRECEIVED: 2\n"
	    "To: b\nreceived: 3\n\n";
	struct hdr_block hb;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), NULL, &consumed,
	    NULL), HDR_OK);
	ck_assert_int_eq(hdr_find(&hb, "received", 0), 0);
	ck_assert_int_eq(hdr_find(&hb, "Received", 1), 2);
	ck_assert_int_eq(hdr_find(&hb, "RECEIVED", 3), 4);
	ck_assert_int_eq(hdr_find(&hb, "received", 5), -1);
	ck_assert_int_eq(hdr_find(&hb, "received", 99), -1);
	ck_assert_int_eq(hdr_find(&hb, "Cc", 0), -1);
	ck_assert_int_eq(hdr_find(&hb, "Receive", 0), -1);
	ck_assert_uint_eq(hdr_count(&hb, "rEcEiVeD"), 3);
	ck_assert_uint_eq(hdr_count(&hb, "from"), 1);
	ck_assert_uint_eq(hdr_count(&hb, "Bcc"), 0);
	ck_assert_uint_eq(hdr_occurrence(&hb, 0), 1);
	ck_assert_uint_eq(hdr_occurrence(&hb, 1), 1);
	ck_assert_uint_eq(hdr_occurrence(&hb, 2), 2);
	ck_assert_uint_eq(hdr_occurrence(&hb, 4), 3);
	ck_assert_uint_eq(hdr_occurrence(&hb, 5), 0);
	hdr_free(&hb);
}
END_TEST

START_TEST(test_add_parsed)
{
	struct hdr_block hb;
	struct str out = STR_INIT;

	hdr_init(&hb);
	hdr_add_parsed(&hb, "To", "a@x,\r\n\tb@y,\n c@z");
	hdr_add_parsed(&hb, "Subject", "caf\xc3\xa9");
	hdr_add_parsed(&hb, "to", "d@w");
	ck_assert(!(hb.flags & HDR_F_BARE_CR));
	ck_assert(!hb.v[0].crlf_fixed);
	/*
	 * A break that is no fold is a space, as in hdr_read(), and the field
	 * is marked for the policy to replace at the MTA (policy_header.c).
	 */
	hdr_add_parsed(&hb, "X-Odd", "x\r\n\r\n y\r\nz\r");
	ck_assert_str_eq(str_cstr(&hb.v[3].value), "x y  z ");
	ck_assert(hb.v[3].crlf_fixed);
	ck_assert(hb.flags & HDR_F_BARE_CR);
	hdr_add_parsed(&hb, "Subject", "x\rFrom: \"CEO\" <ceo@example.org>");
	ck_assert_str_eq(str_cstr(&hb.v[4].value),
	    "x From: \"CEO\" <ceo@example.org>");
	ck_assert(hb.v[4].crlf_fixed);
	ck_assert_int_eq(hdr_replace(&hb, 4, "clean", NULL), HDR_OK);
	ck_assert(!hb.v[4].crlf_fixed);
	ck_assert_int_eq(hdr_remove(&hb, 4), HDR_OK);
	ck_assert_int_eq(hdr_remove(&hb, 3), HDR_OK);
	ck_assert_uint_eq(hb.n, 3);
	ck_assert_str_eq(str_cstr(&hb.v[0].value), "a@x,\tb@y, c@z");
	ck_assert_uint_eq(hb.v[0].raw.len, 0);
	ck_assert(!hb.v[0].changed);
	ck_assert(hb.flags & HDR_F_8BIT);
	ck_assert_uint_eq(hdr_count(&hb, "TO"), 2);
	ck_assert_uint_eq(hdr_occurrence(&hb, 2), 2);
	hdr_write(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), "To: a@x,\tb@y, c@z\r\n"
	    "Subject: caf\xc3\xa9\r\nto: d@w\r\n");
	hdr_free(&hb);
	str_free(&out);
}
END_TEST

/* ---- edits -------------------------------------------------------------- */

START_TEST(test_edits)
{
	static const char in[] = "Received: r1\nFrom: a@x\nBcc: s@x\n"
	    "Subject:  hello\nBCC: t@x\n\nbody\n";
	struct hdr_block hb;
	struct str out = STR_INIT, err = STR_INIT;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, in, LEN(in), NULL, &consumed,
	    NULL), HDR_OK);
	ck_assert_uint_eq(hdr_remove_all(&hb, "bcc"), 2);
	ck_assert_uint_eq(hb.n, 3);
	ck_assert_int_eq(hdr_replace(&hb, 2, "[TEST] hello", &err), HDR_OK);
	ck_assert(hb.v[2].changed);
	ck_assert_uint_eq(hb.v[2].raw.len, 0);
	ck_assert_int_eq(hdr_append(&hb, "Message-ID", "<1@x>", &err),
	    HDR_OK);
	ck_assert_int_eq(hdr_insert(&hb, 0, "X-Original-To", "o@x", &err),
	    HDR_OK);
	ck_assert_int_eq(hdr_insert(&hb, 2, "Date", "Tue, 24 Nov 2026 "
	    "18:00:00 +0000", &err), HDR_OK);
	ck_assert_int_eq(hdr_remove(&hb, 1), HDR_OK);
	ck_assert_int_eq(hdr_remove(&hb, 99), HDR_EINVAL);
	ck_assert_uint_eq(err.len, 0);
	hdr_write(&hb, &out);
	hdr_write_separator(&hb, &out);
	/* LF input: the fields we made end in LF too. */
	ck_assert_str_eq(str_cstr(&out), "X-Original-To: o@x\n"
	    "Date: Tue, 24 Nov 2026 18:00:00 +0000\nFrom: a@x\n"
	    "Subject: [TEST] hello\nMessage-ID: <1@x>\n\n");
	ck_assert_int_eq(hdr_insert(&hb, 99, "A", "b", &err), HDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err), "header insert at 99 of 5 fields");
	str_reset(&err);
	ck_assert_int_eq(hdr_replace(&hb, 5, "b", &err), HDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err), "header replace at 5 of 5 fields");
	hdr_free(&hb);
	str_free(&out);
	str_free(&err);
}
END_TEST

struct inject_case {
	const char *name;
	const char *value;
	size_t	vlen;		/* 0: strlen(value) */
	const char *err;
};

static const struct inject_case inject_cases[] = {
	{ "Subject", "x\r\nBcc: victim@example.org", 0,
	    "header field \"Subject\": value holds CR, LF or NUL "
	    "(\"x\\r\\nBcc: victim@example.org\")" },
	{ "Subject", "x\nBcc: v@x", 0, NULL },
	{ "Subject", "x\rBcc: v@x", 0, NULL },
	{ "Subject", "x\0Bcc: v@x", 10, NULL },
	{ "Subject", "x\n\tfolded", 0, NULL },
	{ "Bad:Name", "v", 0, "invalid header field name \"Bad:Name\": "
	    "byte 4 is not printable ASCII other than ':'" },
	{ "Bad Name", "v", 0, NULL },
	{ "", "v", 0, "header field name of 0 bytes (must be 1 to 998)" },
	{ "Sub\xc3\xa9ject", "v", 0, NULL },
	{ "X\x7f", "v", 0, NULL },
	{ "Tab\tName", "v", 0, NULL },
};

START_TEST(test_injection)
{
	const struct inject_case *c = &inject_cases[_i];
	struct hdr_block hb;
	struct str err = STR_INIT;
	size_t vlen = c->vlen ? c->vlen : strlen(c->value);

	hdr_init(&hb);
	hdr_add_parsed(&hb, "Subject", "old");
	ck_assert_int_eq(hdr_insertn(&hb, 0, c->name, c->value, vlen, &err),
	    HDR_EINVAL);
	ck_assert_uint_gt(err.len, 0);
	if (c->err != NULL)
		ck_assert_str_eq(str_cstr(&err), c->err);
	/* A bad value is refused by replace too; the field stays as it was. */
	if (strcmp(c->name, "Subject") == 0) {
		ck_assert_int_eq(hdr_replacen(&hb, 0, c->value, vlen, NULL),
		    HDR_EINVAL);
		ck_assert_str_eq(str_cstr(&hb.v[0].value), "old");
		ck_assert(!hb.v[0].changed);
	}
	ck_assert_uint_eq(hb.n, 1);
	ck_assert_int_eq(hdr_exitcode(HDR_EINVAL), EX_SOFTWARE);
	hdr_free(&hb);
	str_free(&err);
}
END_TEST

START_TEST(test_name_limits)
{
	struct hdr_block hb;
	struct str name = STR_INIT, err = STR_INIT;
	size_t i;

	for (i = 0; i < HDR_NAME_MAX; i++)
		str_appendc(&name, 'X');
	hdr_init(&hb);
	ck_assert_int_eq(hdr_append(&hb, str_cstr(&name), "v", &err), HDR_OK);
	str_appendc(&name, 'X');
	ck_assert_int_eq(hdr_append(&hb, str_cstr(&name), "v", &err),
	    HDR_EINVAL);
	ck_assert_str_eq(str_cstr(&err),
	    "header field name of 999 bytes (must be 1 to 998)");
	/* 8-bit values are fine. */
	ck_assert_int_eq(hdr_append(&hb, "Subject", "\xe2\x82\xac 10", NULL),
	    HDR_OK);
	ck_assert(hb.flags & HDR_F_8BIT);
	ck_assert_uint_eq(hb.n, 2);
	hdr_free(&hb);
	str_free(&name);
	str_free(&err);
}
END_TEST

/* ---- writing ------------------------------------------------------------ */

struct write_case {
	const char *name;
	const char *value;
	const char *out;
};

#define A200 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B75 \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
	"bbbbbbbb"

static const struct write_case write_cases[] = {
	{ "Subject", "short", "Subject: short\r\n" },
	{ "X-Empty", "", "X-Empty:\r\n" },
	/* 300-character To: list */
	{ "To", "user01@example.org, user02@example.org, user03@example.org, "
	    "user04@example.org, user05@example.org, user06@example.org, "
	    "user07@example.org, user08@example.org, user09@example.org, "
	    "user10@example.org, user11@example.org, user12@example.org, "
	    "user13@example.org, user14@example.org, user15@example.org, x",
	    "To: user01@example.org, user02@example.org, user03@example.org,\r\n"
	    " user04@example.org, user05@example.org, user06@example.org,\r\n"
	    " user07@example.org, user08@example.org, user09@example.org,\r\n"
	    " user10@example.org, user11@example.org, user12@example.org,\r\n"
	    " user13@example.org, user14@example.org, user15@example.org, x\r\n" },
	/* a 200-character token stays whole, on its own line */
	{ "X-Token", A200, "X-Token: " A200 "\r\n" },
	{ "X-Token", "short " A200 " tail",
	    "X-Token: short\r\n " A200 "\r\n tail\r\n" },
	/* no fold inside a quoted string, even a long one */
	{ "To", "\"A very long display name, with words and more words, "
	    "past the limit\" <a@example.org>",
	    "To: \"A very long display name, with words and more words, "
	    "past the limit\"\r\n <a@example.org>\r\n" },
	/* an escaped quote does not end the quoted string */
	{ "To", "\"x \\\" y zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	    "zzzzzzzzzz\" <b@x>",
	    "To: \"x \\\" y zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	    "zzzzzzzzzzzzzz\"\r\n <b@x>\r\n" },
	/* an unclosed quote is no quoted string: folding goes on */
	{ "X", "\"unclosed " B75 " c", "X: \"unclosed\r\n " B75 " c\r\n" },
	/* trailing whitespace never becomes a line of its own */
	{ "X", B75 "     ", "X: " B75 "     \r\n" },
	/* a run of whitespace moves to the continuation line whole */
	{ "X", B75 "  \tc", "X: " B75 "\r\n  \tc\r\n" },
};

START_TEST(test_write_fold)
{
	const struct write_case *c = &write_cases[_i];
	struct hdr_block hb, again;
	struct str out = STR_INIT;
	const char *p, *nl;
	size_t consumed;

	hdr_init(&hb);
	ck_assert_int_eq(hdr_append(&hb, c->name, c->value, NULL), HDR_OK);
	hdr_write(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), c->out);
	/* Folding is undone by the reader: the value comes back intact. */
	hdr_init(&again);
	ck_assert_int_eq(hdr_parse_buffer(&again, out.data, out.len, NULL,
	    &consumed, NULL), HDR_OK);
	ck_assert_uint_eq(again.n, 1);
	ck_assert_str_eq(str_cstr(&again.v[0].value), c->value);
	/* No line that is only whitespace. */
	for (p = out.data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		ck_assert(strspn(p, " \t\r") < (size_t)(nl - p + 1));
	hdr_free(&hb);
	hdr_free(&again);
	str_free(&out);
}
END_TEST

START_TEST(test_write_eol)
{
	struct hdr_block hb;
	struct str out = STR_INIT;
	size_t consumed;

	/* Raw field cut off by EOF: it gets an ending before the next one. */
	hdr_init(&hb);
	ck_assert_int_eq(hdr_parse_buffer(&hb, "A: b\nC: d", 9, NULL,
	    &consumed, NULL), HDR_OK);
	ck_assert(hb.flags & HDR_F_NOBODY_SEP);
	ck_assert_int_eq(hdr_append(&hb, "E", "f", NULL), HDR_OK);
	hdr_write(&hb, &out);
	hdr_write_separator(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), "A: b\nC: d\nE: f\n\n");
	ck_assert_str_eq(hdr_eol(&hb), "\n");

	/* More CRLF than LF: CRLF wins; the separator read is kept. */
	ck_assert_int_eq(hdr_parse_buffer(&hb, "A: b\r\nC: d\r\n\n", 14, NULL,
	    &consumed, NULL), HDR_OK);
	ck_assert_int_eq(hdr_replace(&hb, 0, "x", NULL), HDR_OK);
	str_reset(&out);
	hdr_write(&hb, &out);
	hdr_write_separator(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), "A: x\r\nC: d\r\n\n");

	/* An empty block: CRLF. */
	hdr_free(&hb);
	ck_assert_str_eq(hdr_eol(&hb), "\r\n");
	str_reset(&out);
	hdr_write_separator(&hb, &out);
	ck_assert_str_eq(str_cstr(&out), "\r\n");
	hdr_free(&hb);
	str_free(&out);
}
END_TEST

START_TEST(test_exitcodes)
{
	ck_assert_int_eq(hdr_exitcode(HDR_OK), EX_OK);
	ck_assert_int_eq(hdr_exitcode(HDR_ENOTHEADER), EX_DATAERR);
	ck_assert_int_eq(hdr_exitcode(HDR_ETOOBIG), EX_DATAERR);
	ck_assert_int_eq(hdr_exitcode(HDR_EIO), EX_IOERR);
	ck_assert_int_eq(hdr_exitcode(HDR_EINVAL), EX_SOFTWARE);
}
END_TEST

/* The hand-made data files parse as their names say. */
START_TEST(test_data_files)
{
	static const struct { const char *file; int rc; size_t n; } files[] = {
		{ "dkim_crlf.eml", HDR_OK, 5 },
		{ "no_header.eml", HDR_ENOTHEADER, 0 },
	};
	const char *srcdir = getenv("srcdir");
	struct str path = STR_INIT, orig = STR_INIT, out = STR_INIT;
	struct hdr_block hb;
	FILE *fp;
	size_t i;
	int ch;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		str_reset(&path);
		str_appendf(&path, "%s/tests/unit/data/hdr/%s",
		    srcdir ? srcdir : ".", files[i].file);
		fp = fopen(str_cstr(&path), "rb");
		ck_assert_msg(fp != NULL, "%s", str_cstr(&path));
		str_reset(&orig);
		while ((ch = getc(fp)) != EOF)
			str_appendc(&orig, ch);
		rewind(fp);
		hdr_init(&hb);
		ck_assert_int_eq(hdr_read(&hb, fp, NULL, NULL), files[i].rc);
		ck_assert_uint_eq(hb.n, files[i].n);
		/* Write it back untouched, copy the body: same bytes. */
		str_reset(&out);
		hdr_write(&hb, &out);
		str_appends(&out, &hb.eoh);
		str_appends(&out, &hb.body_start);
		while ((ch = getc(fp)) != EOF)
			str_appendc(&out, ch);
		ck_assert_uint_eq(out.len, orig.len);
		ck_assert_mem_eq(out.data, orig.data, orig.len);
		fclose(fp);
		hdr_free(&hb);
	}
	str_free(&path);
	str_free(&orig);
	str_free(&out);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("hdr");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_table, 0,
	    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_loop_test(tc, test_stream_table, 0,
	    sizeof(stream_cases) / sizeof(stream_cases[0]));
	tcase_add_test(tc, test_read_error);
	tcase_add_test(tc, test_raw_preserved);
	tcase_add_test(tc, test_bare_cr_wire);
	tcase_add_test(tc, test_nul_error_text);
	tcase_add_test(tc, test_notheader_error_text);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_long_folded_field);
	tcase_add_test(tc, test_too_many_fields);
	tcase_add_test(tc, test_total_limit);
	tcase_add_test(tc, test_linear_time);
	tcase_add_test(tc, test_data_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("edit");
	tcase_add_test(tc, test_find_count);
	tcase_add_test(tc, test_add_parsed);
	tcase_add_test(tc, test_edits);
	tcase_add_loop_test(tc, test_injection, 0,
	    sizeof(inject_cases) / sizeof(inject_cases[0]));
	tcase_add_test(tc, test_name_limits);
	tcase_add_test(tc, test_exitcodes);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_loop_test(tc, test_write_fold, 0,
	    sizeof(write_cases) / sizeof(write_cases[0]));
	tcase_add_test(tc, test_write_eol);
	suite_add_tcase(s, tc);
	return s;
}

