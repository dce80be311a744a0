/*
 * Fuzz target for sendmail-shim/privsep_wire.c: the helper's request parser.  A
 * packet that decodes must encode back to the same bytes, and a request
 * the helper accepts has only fields it may act on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "privsep.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str why = STR_INIT, again = STR_INIT;
	struct privsep_msg m;
	size_t i;

	if (privsep_decode(data, size, &m, &why)) {
		if (!privsep_encode(m.type, m.f, m.nfields, &again) ||
		    again.len != size || memcmp(again.data, data, size) != 0)
			abort();
		if (privsep_check(&m, &why)) {
			if (m.type == PRIVSEP_REPLY)
				abort();
			for (i = 0; i < m.nfields; i++)
				if (m.type != PRIVSEP_ENV_PART &&
				    m.type != PRIVSEP_SECRET &&
				    m.type != PRIVSEP_PACE &&
				    (m.f[i].len > 64 || memchr(m.f[i].p, '/',
				    m.f[i].len) != NULL))
					abort();
		} else if (why.len == 0)
			abort();
	} else if (why.len == 0)
		abort();
	str_free(&why);
	str_free(&again);
	return 0;
}
