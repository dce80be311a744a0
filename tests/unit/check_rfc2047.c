/*
 * Unit tests for lib/rfc2047.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "rfc2047.h"

static const struct {
	const char *in, *want;
} dec_rows[] = {
	{ "plain text", "plain text" },
	{ "", "" },
	{ "=?UTF-8?B?SsO2cmc=?=", "J\xc3\xb6rg" },
	{ "=?utf-8?q?J=C3=B6rg?=", "J\xc3\xb6rg" },
	{ "=?UTF-8?Q?a_b?=", "a b" },
	{ "=?ISO-8859-1?Q?J=F6rg?=", "J\xc3\xb6rg" },
	{ "=?iso-8859-1?B?SvZyZw==?=", "J\xc3\xb6rg" },
	{ "=?US-ASCII?Q?Keith_Moore?=", "Keith Moore" },
	{ "=?UTF-8*en?Q?hi?=", "hi" },				/* RFC 2231 */
	/* RFC 2047 section 8 examples. */
	{ "(=?ISO-8859-1?Q?a?=)", "(a)" },
	{ "(=?ISO-8859-1?Q?a?= b)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)",
	  "(a =?ISO-8859-2?Q?_b?=)" },
	/* Kept as written. */
	{ "=?KOI8-R?B?8A==?=", "=?KOI8-R?B?8A==?=" },
	{ "=?UTF-8?B?not base64?=", "=?UTF-8?B?not base64?=" },
	{ "=?UTF-8?B?SsO2cmc?=", "=?UTF-8?B?SsO2cmc?=" },	/* no padding */
	{ "=?UTF-8?Q?bad=ZZ?=", "=?UTF-8?Q?bad=ZZ?=" },
	{ "=?UTF-8?Q?cut=C?=", "=?UTF-8?Q?cut=C?=" },
	{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
	{ "=?US-ASCII?Q?=E9?=", "=?US-ASCII?Q?=E9?=" },
	{ "=?UTF-8?Q?=FF?=", "=?UTF-8?Q?=FF?=" },		/* not UTF-8 */
	{ "=?UTF-8?Q?a=0D=0Ab?=", "=?UTF-8?Q?a=0D=0Ab?=" },	/* no CR LF */
	{ "=?UTF-8?Q?a=00?=", "=?UTF-8?Q?a=00?=" },
	{ "=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated" },
	{ "=??Q?x?=", "=??Q?x?=" },
	{ "=?=?=?", "=?=?=?" },
	/* A UTF-8 sequence split across two words is put back together. */
	{ "=?UTF-8?Q?J=C3?= =?UTF-8?Q?=B6rg?=", "J\xc3\xb6rg" },
	{ "a =?UTF-8?Q?x?= b", "a x b" },
	{ "=?UTF-8?Q?x?=tail", "xtail" },
	{ "=?UTF-8?Q?x?= =?KOI8-R?Q?y?=", "x =?KOI8-R?Q?y?=" },
	{ "=?UTF-8?Q?" "?=", "" },	/* split: no trigraph */
};

START_TEST(test_decode)
{
	struct str out = STR_INIT;

	rfc2047_decode(dec_rows[_i].in, strlen(dec_rows[_i].in), &out);
	ck_assert_msg(strcmp(str_cstr(&out), dec_rows[_i].want) == 0,
	    "'%s' gave '%s', want '%s'", dec_rows[_i].in, str_cstr(&out),
	    dec_rows[_i].want);
	str_free(&out);
}
END_TEST

START_TEST(test_decode_appends)
{
	struct str out = STR_INIT;

	str_setz(&out, "x: ");
	rfc2047_decode("=?UTF-8?Q?y?=", 13, &out);
	ck_assert_str_eq(str_cstr(&out), "x: y");
	str_free(&out);
}
END_TEST

static const char *const enc_rows[] = {
	"J\xc3\xb6rg",
	"plain",
	"",
	"=?looks encoded?=",
	/* 40 two-byte characters: 80 bytes, more than one word. */
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	/* Three-byte and four-byte characters across the 45-byte cut. */
	"aa\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xf0\x9f\x93\xa7\xf0\x9f\x93\xa7\xf0\x9f\x93\xa7",
	"tab\there",
};

/* Every word short enough and valid UTF-8 alone; decodes back. */
START_TEST(test_encode)
{
	const char *in = enc_rows[_i];
	struct str enc = STR_INIT, dec = STR_INIT, part = STR_INIT;
	const char *w, *sp;

	rfc2047_encode(in, strlen(in), &enc);
	for (w = str_cstr(&enc); *w != '\0'; w = *sp ? sp + 1 : sp) {
		if ((sp = strchr(w, ' ')) == NULL)
			sp = w + strlen(w);
		ck_assert_int_le(sp - w, RFC2047_WORD_MAX);
		ck_assert(strncmp(w, "=?UTF-8?B?", 10) == 0);
		str_reset(&part);
		rfc2047_decode(w, (size_t)(sp - w), &part);
		ck_assert(str_utf8_valid(part.data, part.len));
		ck_assert(strncmp(str_cstr(&part), "=?", 2) != 0 ||
		    strcmp(in, "=?looks encoded?=") == 0);
	}
	rfc2047_decode(enc.data, enc.len, &dec);
	ck_assert_str_eq(str_cstr(&dec), in);
	if (*in == '\0')
		ck_assert_uint_eq(enc.len, 0);
	str_free(&enc);
	str_free(&dec);
	str_free(&part);
}
END_TEST

START_TEST(test_encode_words)
{
	struct str enc = STR_INIT;

	rfc2047_encode("J\xc3\xb6rg", 5, &enc);
	ck_assert_str_eq(str_cstr(&enc), "=?UTF-8?B?SsO2cmc=?=");
	str_reset(&enc);
	rfc2047_encode(enc_rows[4], strlen(enc_rows[4]), &enc);
	/* 45 bytes would split a character: 44, then 36. */
	ck_assert_ptr_nonnull(strchr(str_cstr(&enc), ' '));
	ck_assert_ptr_null(strchr(strchr(str_cstr(&enc), ' ') + 1, ' '));
	str_free(&enc);
}
END_TEST

static const struct {
	const char *in;
	bool needs;
} needs_rows[] = {
	{ "Ops Team", false },
	{ "Smith, John", false },
	{ "J\xc3\xb6rg", true },
	{ "tab\there", true },
	{ "del\x7f", true },
	{ "a=?b", true },
	{ "a?=b", false },
	{ "=", false },
	{ "", false },
};

START_TEST(test_needs_encoding)
{
	ck_assert(rfc2047_needs_encoding(needs_rows[_i].in,
	    strlen(needs_rows[_i].in)) == needs_rows[_i].needs);
}
END_TEST

START_TEST(test_linear)
{
	struct str in = STR_INIT, out = STR_INIT;

	/* A megabyte of would-be words decodes in one pass. */
	while (in.len < 1024 * 1024)
		str_appendz(&in, "=?a?q?");
	rfc2047_decode(in.data, in.len, &out);
	ck_assert_uint_eq(out.len, in.len);
	str_free(&in);
	str_free(&out);
}
END_TEST

#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

Suite *
unit_suite(void)
{
	Suite *s = suite_create("rfc2047");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_decode, 0, ROWS(dec_rows));
	tcase_add_test(tc, test_decode_appends);
	tcase_add_loop_test(tc, test_encode, 0, ROWS(enc_rows));
	tcase_add_test(tc, test_encode_words);
	tcase_add_loop_test(tc, test_needs_encoding, 0, ROWS(needs_rows));
	tcase_add_test(tc, test_linear);
	suite_add_tcase(s, tc);
	return s;
}
