/*
 * Fuzz target for lib/spool_env.c: an envelope that parses must format
 * and parse back to the same text (a queue file read after a crash is
 * read by the same code).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spool.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_env e, e2;
	struct str err = STR_INIT, t1 = STR_INIT, t2 = STR_INIT;

	if (spool_env_parse((const char *)data, size, &e, &err) == SPOOL_OK) {
		if (spool_env_format(&e, &t1, &err) != SPOOL_OK)
			abort();
		if (spool_env_parse(t1.data, t1.len, &e2, &err) != SPOOL_OK)
			abort();
		if (spool_env_format(&e2, &t2, &err) != SPOOL_OK ||
		    t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0)
			abort();
		spool_env_free(&e2);
		spool_env_free(&e);
	}
	str_free(&err);
	str_free(&t1);
	str_free(&t2);
	return 0;
}
