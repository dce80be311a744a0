/*
 * Fuzz target for sendmail-shim/privsep_wire.c: the helper's request parser.  A
 * packet that decodes must encode back to the same bytes, and a request
 * the helper accepts has only fields it may act on.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "oauth2.h"
#include "privsep.h"

/* Field i of a request of this type is a queue id. */
static bool
privsep_fuzz_is_id(uint32_t type, size_t i)
{
	switch (type) {
	case PRIVSEP_CREATE:
	case PRIVSEP_COMMIT:
	case PRIVSEP_ENV_WRITE:
	case PRIVSEP_REMOVE:
	case PRIVSEP_ABANDON:
	case PRIVSEP_LOCK:
	case PRIVSEP_ENV_READ:
		return i == 0;
	default:
		return false;
	}
}

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
			/* A queue id names a file: no path in it.  OAUTH2's
			   third field is a bearer token or nothing.  The
			   other fields are text (ENV_PART) or fixed-size
			   numbers (indexes, CREATE's size). */
			for (i = 0; i < m.nfields; i++)
				if (privsep_fuzz_is_id(m.type, i)) {
					if (m.f[i].len > 64 || memchr(m.f[i].p,
					    '/', m.f[i].len) != NULL)
						abort();
				} else if (m.type == PRIVSEP_OAUTH2 && i == 2) {
					if (m.f[i].len > 0 && !oauth2_token_ok(
					    (const char *)m.f[i].p, m.f[i].len))
						abort();
				} else if (m.type != PRIVSEP_ENV_PART &&
				    m.f[i].len != 4 && m.f[i].len != 8)
					abort();
		} else if (why.len == 0)
			abort();
	} else if (why.len == 0)
		abort();
	str_free(&why);
	str_free(&again);
	return 0;
}
