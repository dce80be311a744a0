/*
 * Unit tests for lib/smtp_data.c: the DATA-phase encoder.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "smtp_data.h"
#include "../fuzz/smtp_data_wire.h"

#define S(lit)	lit, sizeof(lit) - 1

/* Encode in[0..len) fed at the given split points (ascending). */
static void
encode_split(const char *in, size_t len, const size_t *splits, size_t nsplit,
    struct str *out, struct smtp_data *d)
{
	size_t i, from = 0;

	smtp_data_init(d);
	for (i = 0; i < nsplit; i++) {
		smtp_data_feed(d, in + from, splits[i] - from, out);
		from = splits[i];
	}
	smtp_data_feed(d, in + from, len - from, out);
	smtp_data_finish(d, out);
}

static void
encode(const char *in, size_t len, struct str *out, struct smtp_data *d)
{
	encode_split(in, len, NULL, 0, out, d);
}

static void
assert_wire_ok(const char *in, size_t len, const struct str *out)
{
	const char *why = smtp_data_wire_check(in, len, out->data, out->len);

	ck_assert_msg(why == NULL, "invariant broken: %s", why);
}

struct data_case {
	const char *in;
	size_t inlen;
	const char *wire;
	size_t wirelen;
};

static const struct data_case data_cases[] = {
	/* line endings */
	{ S(""), S(".\r\n") },
	{ S("a"), S("a\r\n.\r\n") },
	{ S("a\r\n"), S("a\r\n.\r\n") },
	{ S("a\n"), S("a\r\n.\r\n") },
	{ S("a\r"), S("a\r\n.\r\n") },
	{ S("a\nb"), S("a\r\nb\r\n.\r\n") },
	{ S("a\rb"), S("a\r\nb\r\n.\r\n") },
	{ S("a\r\rb"), S("a\r\n\r\nb\r\n.\r\n") },
	{ S("a\n\rb"), S("a\r\n\r\nb\r\n.\r\n") },
	{ S("a\n\nb"), S("a\r\n\r\nb\r\n.\r\n") },
	{ S("a\r\n\r\nb"), S("a\r\n\r\nb\r\n.\r\n") },
	{ S("\n"), S("\r\n.\r\n") },
	{ S("\r\n"), S("\r\n.\r\n") },
	/* dot-stuffing */
	{ S("."), S("..\r\n.\r\n") },
	{ S(".\r\n"), S("..\r\n.\r\n") },
	{ S(".a\r\nb.\r\n.c"), S("..a\r\nb.\r\n..c\r\n.\r\n") },
	{ S("..x\n"), S("...x\r\n.\r\n") },
	{ S("a\n.b"), S("a\r\n..b\r\n.\r\n") },
	{ S("a\r.b"), S("a\r\n..b\r\n.\r\n") },
	{ S(" .a"), S(" .a\r\n.\r\n") },
	/* smuggling end-of-data variants in the middle of a message */
	{ S("a\n.\nb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\n.\r\nb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r.\r\nb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r.\rb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r\n.\rb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r\n.\nb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r\n.\r\nb"), S("a\r\n..\r\nb\r\n.\r\n") },
	{ S("a\r\n\x00.\r\nb"), S("a\r\n\x00.\r\nb\r\n.\r\n") },
	{ S("a\r\r\n.\r\r\nb"), S("a\r\n\r\n..\r\n\r\nb\r\n.\r\n") },
	{ S("a\n\r.\n\rb"), S("a\r\n\r\n..\r\n\r\nb\r\n.\r\n") },
	/* ... and at the very end of the input */
	{ S("a\r\n.\r\n"), S("a\r\n..\r\n.\r\n") },
	{ S("a\n.\n"), S("a\r\n..\r\n.\r\n") },
	{ S("a\r\n."), S("a\r\n..\r\n.\r\n") },
	/* 8-bit and NUL pass through */
	{ S("\xc3\xa9t\xc3\xa9\n"), S("\xc3\xa9t\xc3\xa9\r\n.\r\n") },
	{ S("a\x00" "b"), S("a\x00" "b\r\n.\r\n") },
};

START_TEST(test_table)
{
	const struct data_case *c = &data_cases[_i];
	struct smtp_data d;
	struct str out = STR_INIT;

	encode(c->in, c->inlen, &out, &d);
	ck_assert_uint_eq(out.len, c->wirelen);
	ck_assert_msg(memcmp(out.data, c->wire, c->wirelen) == 0,
	    "case %d: wrong wire output", _i);
	ck_assert_uint_eq(d.in_bytes, c->inlen);
	ck_assert_uint_eq(d.out_bytes, c->wirelen);
	assert_wire_ok(c->in, c->inlen, &out);
	str_free(&out);
}
END_TEST

/* Every 1-, 2- and 3-way split of every table input gives the same output. */
START_TEST(test_every_split)
{
	const struct data_case *c = &data_cases[_i];
	struct smtp_data d;
	struct str out = STR_INIT;
	size_t sp[3], a, b, k, n = c->inlen;

	for (a = 0; a <= n; a++) {
		for (b = a; b <= n; b++) {
			for (k = b; k <= n; k++) {
				sp[0] = a;
				sp[1] = b;
				sp[2] = k;
				str_reset(&out);
				encode_split(c->in, n, sp, 3, &out, &d);
				ck_assert_uint_eq(out.len, c->wirelen);
				ck_assert_msg(memcmp(out.data, c->wire,
				    c->wirelen) == 0, "case %d split %zu/%zu/%zu",
				    _i, a, b, k);
			}
		}
	}
	str_free(&out);
}
END_TEST

/* Byte by byte: a CR at the end of one chunk, its LF in the next. */
START_TEST(test_cr_lf_across_chunks)
{
	struct smtp_data d;
	struct str out = STR_INIT;

	smtp_data_init(&d);
	smtp_data_feed(&d, "a\r", 2, &out);
	ck_assert_uint_eq(out.len, 3);	/* CRLF sent at once */
	smtp_data_feed(&d, "\n", 1, &out);
	smtp_data_feed(&d, ".b\r", 3, &out);
	smtp_data_feed(&d, "", 0, &out);
	smtp_data_feed(&d, "\n", 1, &out);
	smtp_data_finish(&d, &out);
	ck_assert_str_eq(str_cstr(&out), "a\r\n..b\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 2);
	str_free(&out);
}
END_TEST

/* No smuggling variant, embedded anywhere and chunked anyhow, ends data. */
START_TEST(test_smuggling_fuzzish)
{
	static const char *const pieces[] = { "\r", "\n", ".", "\r\n", "x",
	    "\x00", ".\r\n", "\n.\n" };
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	struct smtp_data d;
	struct str in = STR_INIT, out = STR_INIT, one = STR_INIT;
	unsigned long seed = 12345;
	size_t iter, j, len, sp[4];

	for (iter = 0; iter < 20000; iter++) {
		str_reset(&in);
		len = 1 + (iter % 12);
		for (j = 0; j < len; j++) {
			const char *p;

			seed = seed * 1103515245 + 12345;
			p = pieces[(seed >> 16) % np];
			/* "\x00" is one byte: strlen would see none. */
			str_append(&in, p, p[0] == '\0' ? 1 : strlen(p));
		}
		str_reset(&one);
		encode(in.data, in.len, &one, &d);
		assert_wire_ok(in.data, in.len, &one);
		for (j = 0; j < 4; j++) {
			seed = seed * 1103515245 + 12345;
			sp[j] = (seed >> 16) % (in.len + 1);
		}
		/* sort the split points */
		for (j = 1; j < 4; j++) {
			size_t v = sp[j], k = j;

			for (; k > 0 && sp[k - 1] > v; k--)
				sp[k] = sp[k - 1];
			sp[k] = v;
		}
		str_reset(&out);
		encode_split(in.data, in.len, sp, 4, &out, &d);
		ck_assert_uint_eq(out.len, one.len);
		ck_assert(memcmp(out.data, one.data, out.len) == 0);
	}
	str_free(&in);
	str_free(&out);
	str_free(&one);
}
END_TEST

START_TEST(test_counters)
{
	struct smtp_data d;
	struct str out = STR_INIT;
	static const char in[] = ".ab\ncdef\r\n\r\n\xe9\x00z\rlast";

	encode(in, sizeof(in) - 1, &out, &d);
	/* "..ab" "cdef" "" "\xe9\0z" "last" */
	ck_assert_uint_eq(d.in_bytes, sizeof(in) - 1);
	ck_assert_uint_eq(d.out_bytes, out.len);
	ck_assert_uint_eq(out.len, 4 + 4 + 0 + 3 + 4 + 5 * 2 + 3);
	ck_assert_uint_eq(d.lines, 5);
	ck_assert_uint_eq(d.longest_line, 4);
	ck_assert(d.has_8bit);
	ck_assert(d.has_nul);

	str_reset(&out);
	encode(S("plain\n"), &out, &d);
	ck_assert(!d.has_8bit);
	ck_assert(!d.has_nul);
	ck_assert_uint_eq(d.lines, 1);
	ck_assert_uint_eq(d.longest_line, 5);

	str_reset(&out);
	encode(S(""), &out, &d);
	ck_assert_str_eq(str_cstr(&out), ".\r\n");
	ck_assert_uint_eq(d.lines, 0);
	ck_assert_uint_eq(d.out_bytes, 3);
	str_free(&out);
}
END_TEST

START_TEST(test_long_line_kept)
{
	struct smtp_data d;
	struct str in = STR_INIT, out = STR_INIT;
	size_t i;

	/* A 5000-octet line is counted, not folded. */
	str_appendc(&in, '.');
	for (i = 1; i < 5000; i++)
		str_appendc(&in, 'x');
	str_appendz(&in, "\nshort\n");
	encode(in.data, in.len, &out, &d);
	ck_assert_uint_eq(d.longest_line, 5001);
	ck_assert_uint_eq(d.lines, 2);
	ck_assert_uint_eq(out.len, 5001 + 2 + 5 + 2 + 3);
	assert_wire_ok(in.data, in.len, &out);
	str_free(&in);
	str_free(&out);
}
END_TEST

/*
 * 50 MiB streamed in 64 KiB chunks, out flushed after each: out never holds
 * more than twice a chunk plus the terminator, and the counters are exact.
 */
#define BIG_CHUNK	(64 * 1024)
#define BIG_CHUNKS	800		/* 800 * 64 KiB = 50 MiB */
#define BIG_LINE	64		/* ".234...\n": 63 bytes and LF */

START_TEST(test_big_stream)
{
	struct smtp_data d;
	struct str out = STR_INIT;
	char *chunk = malloc(BIG_CHUNK), *worst = malloc(BIG_CHUNK);
	unsigned long long total_out = 0;
	size_t i, max_len = 0, max_cap = 0;

	ck_assert_ptr_nonnull(chunk);
	ck_assert_ptr_nonnull(worst);
	for (i = 0; i < BIG_CHUNK; i++)
		chunk[i] = (i % BIG_LINE == BIG_LINE - 1) ? '\n' :
		    (i % BIG_LINE == 0) ? '.' : (char)('0' + i % 10);
	/* The worst case for growth: every byte a bare LF. */
	memset(worst, '\n', BIG_CHUNK);
	smtp_data_init(&d);
	for (i = 0; i < BIG_CHUNKS; i++) {
		smtp_data_feed(&d, i == 7 ? worst : chunk, BIG_CHUNK, &out);
		if (out.len > max_len)
			max_len = out.len;
		if (out.cap > max_cap)
			max_cap = out.cap;
		total_out += out.len;
		str_reset(&out);	/* "written to the socket" */
	}
	smtp_data_finish(&d, &out);
	total_out += out.len;
	ck_assert_uint_le(max_len, 2 * BIG_CHUNK + 8);
	ck_assert_uint_eq(max_len, 2 * BIG_CHUNK);	/* the LF chunk */
	/* str grows by doubling: one step above the bound at most. */
	ck_assert_uint_le(max_cap, 4 * BIG_CHUNK);
	ck_assert_uint_eq(d.in_bytes, (unsigned long long)BIG_CHUNK * BIG_CHUNKS);
	/* 799 pattern chunks of 1024 lines of 66 wire bytes; one LF chunk. */
	ck_assert_uint_eq(d.lines, 799ULL * 1024 + BIG_CHUNK);
	ck_assert_uint_eq(d.out_bytes, 799ULL * 1024 * 66 + 2 * BIG_CHUNK + 3);
	ck_assert_uint_eq(total_out, d.out_bytes);
	ck_assert_uint_eq(d.longest_line, 64);	/* "..": 64 octets */
	ck_assert(!d.has_8bit);
	ck_assert(!d.has_nul);
	free(chunk);
	free(worst);
	str_free(&out);
}
END_TEST

START_TEST(test_feed_after_finish_dies)
{
	struct smtp_data d;
	struct str out = STR_INIT;

	smtp_data_init(&d);
	smtp_data_finish(&d, &out);
	smtp_data_feed(&d, "x", 1, &out);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("smtp_data");
	TCase *tc = tcase_create("encode");
	const int n = (int)(sizeof(data_cases) / sizeof(data_cases[0]));

	tcase_add_loop_test(tc, test_table, 0, n);
	tcase_add_loop_test(tc, test_every_split, 0, n);
	tcase_add_test(tc, test_cr_lf_across_chunks);
	tcase_add_test(tc, test_smuggling_fuzzish);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_long_line_kept);
	tcase_add_test(tc, test_big_stream);
	tcase_add_exit_test(tc, test_feed_after_finish_dies, 75);
	suite_add_tcase(s, tc);
	return s;
}

