/*
 * Fuzz target for sendmail-shim/aliases.c: load the input as an aliases file, then
 * resolve every name it defines.
 */
#include "config.h"

#include <stdlib.h>

#include "aliases.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str diag = STR_INIT, err = STR_INIT;
	struct aliases a;
	size_t i;

	if (aliases_load_buffer("fuzz", (const char *)data, size, &a,
	    &diag) == ALIASES_OK) {
		for (i = 0; i < a.n && i < 50; i++) {
			struct strvec out = STRVEC_INIT;

			aliases_resolve(&a, a.v[i].name, "example.org", &out,
			    &err);
			strvec_free(&out);
			str_reset(&err);
		}
		aliases_free(&a);
	}
	str_free(&diag);
	str_free(&err);
	return 0;
}
