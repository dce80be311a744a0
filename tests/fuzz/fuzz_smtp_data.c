/*
 * Fuzz target for lib/smtp_data.c.
 *
 * Input: the first byte chooses how many split points (0..7) follow as
 * 16-bit offsets; the rest is the message.  The message is encoded in one
 * chunk and again at the split points; both outputs must be identical and
 * satisfy every wire invariant (smtp_data_wire.h), and the counters must
 * agree with the output.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smtp_data.h"
#include "smtp_data_wire.h"

#define FUZZ_MAX_SPLITS	7

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_data d1, d2;
	struct str one = STR_INIT, many = STR_INIT;
	size_t nsplit = 0, sp[FUZZ_MAX_SPLITS], i, k, from, len;
	const char *msg, *why;

	if (size > 0) {
		nsplit = data[0] % (FUZZ_MAX_SPLITS + 1);
		data++;
		size--;
	}
	if (size < nsplit * 2)
		nsplit = 0;
	for (i = 0; i < nsplit; i++)
		sp[i] = (size_t)data[2 * i] << 8 | data[2 * i + 1];
	msg = (const char *)data + nsplit * 2;
	len = size - nsplit * 2;
	for (i = 0; i < nsplit; i++)
		sp[i] %= len + 1;
	/* insertion sort: split points ascend */
	for (i = 1; i < nsplit; i++) {
		size_t v = sp[i];

		for (k = i; k > 0 && sp[k - 1] > v; k--)
			sp[k] = sp[k - 1];
		sp[k] = v;
	}

	smtp_data_init(&d1);
	smtp_data_feed(&d1, msg, len, &one);
	smtp_data_finish(&d1, &one);

	smtp_data_init(&d2);
	for (i = 0, from = 0; i < nsplit; i++) {
		smtp_data_feed(&d2, msg + from, sp[i] - from, &many);
		from = sp[i];
	}
	smtp_data_feed(&d2, msg + from, len - from, &many);
	smtp_data_finish(&d2, &many);

	if (one.len != many.len || memcmp(one.data, many.data, one.len) != 0)
		abort();	/* chunking changed the output */
	if ((why = smtp_data_wire_check(msg, len, one.data, one.len)) != NULL)
		abort();
	if (d1.in_bytes != len || d1.out_bytes != one.len ||
	    d2.out_bytes != d1.out_bytes || d2.lines != d1.lines ||
	    d2.longest_line != d1.longest_line ||
	    d2.has_8bit != d1.has_8bit || d2.has_nul != d1.has_nul)
		abort();
	if (d1.has_nul != (len > 0 && memchr(msg, '\0', len) != NULL))
		abort();
	str_free(&one);
	str_free(&many);
	return 0;
}
