/*
 * Fuzz target for lib/bulk.c's state file reader: whatever the file holds,
 * the table stays within its bound, every entry is live and at most one
 * window ahead, and what is written back reads back the same.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "fuzz.h"

#define NOW	1700000000000LL
#define WINDOW	600000LL

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bulk_table t, u;
	struct str out = STR_INIT;
	size_t i;

	bulk_table_init(&t, 64);
	bulk_table_parse(&t, (const char *)data, size, NOW, WINDOW);
	if (t.n > t.max)
		abort();
	for (i = 0; i < t.n; i++)
		if (t.v[i].expires <= NOW || t.v[i].expires > NOW + WINDOW)
			abort();
	bulk_table_format(&t, &out);
	bulk_table_init(&u, 64);
	bulk_table_parse(&u, out.data, out.len, NOW, WINDOW);
	if (u.n != t.n || (t.n > 0 &&
	    memcmp(u.v, t.v, t.n * sizeof(*t.v)) != 0))
		abort();
	/* Claiming keeps the bound. */
	for (i = 0; i < 100; i++)
		(void)bulk_table_claim(&u, (uint64_t)i * 7919, NOW + 1, WINDOW);
	if (u.n > u.max)
		abort();
	bulk_table_free(&t);
	bulk_table_free(&u);
	str_free(&out);
	return 0;
}
