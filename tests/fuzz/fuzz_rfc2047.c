/*
 * Fuzz target for lib/rfc2047.c: decode the input (which must never fail
 * or put a line break where the input had none), and when it is UTF-8
 * without NUL, CR or LF, encode it and check that the words are short
 * enough and decode back to the input.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rfc2047.h"

static void
fuzz_check_words(const struct str *enc)
{
	size_t start = 0, i;

	for (i = 0; i <= enc->len; i++) {
		if (i < enc->len && enc->data[i] != ' ')
			continue;
		if (i - start > RFC2047_WORD_MAX)
			abort();
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct str in = STR_INIT, dec = STR_INIT, enc = STR_INIT;

	str_set(&in, s, size);
	rfc2047_decode(s, size, &dec);
	if (str_has_crlfnul(&dec) && !str_has_crlfnul(&in))
		abort();
	if (str_utf8_valid(s, size) && !str_has_crlfnul(&in)) {
		rfc2047_encode(s, size, &enc);
		fuzz_check_words(&enc);
		str_reset(&dec);
		rfc2047_decode(enc.data, enc.len, &dec);
		if (dec.len != size || (size > 0 &&
		    memcmp(dec.data, s, size) != 0))
			abort();
		if (size > 0 && !rfc2047_needs_encoding(enc.data, enc.len))
			abort();
	}
	str_free(&in);
	str_free(&dec);
	str_free(&enc);
	return 0;
}
