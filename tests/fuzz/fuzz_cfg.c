/*
 * Fuzz target for lib/cfg: load the input as smtpgate.conf (no includes,
 * no file checks).  A file that loads must print (cfg_dump) as a file that
 * loads again and prints the same: the dump is the --check-config output
 * users paste back as their configuration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned flags = CFG_NO_INCLUDE | CFG_NO_FILE_CHECKS;
	struct str diag = STR_INIT, d1 = STR_INIT, d2 = STR_INIT;
	struct cfg *c = NULL, *c2 = NULL;

	if (cfg_load_buffer("fuzz", (const char *)data, size, flags, &c,
	    &diag) == CFG_OK) {
		cfg_dump(c, &d1);
		str_reset(&diag);
		if (cfg_load_buffer("fuzz", d1.data, d1.len, flags, &c2,
		    &diag) != CFG_OK)
			abort();
		cfg_dump(c2, &d2);
		if (d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0)
			abort();
		cfg_free(c2);
		cfg_free(c);
	}
	str_free(&diag);
	str_free(&d1);
	str_free(&d2);
	return 0;
}
