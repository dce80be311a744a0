/*
 * privsep_wire - the packets between smtpgate-sendmail and its privileged
 * helper: encoding, decoding, and what the helper accepts.  See privsep.h.
 * Everything here is pure, for the unit test and the fuzz target.
 */
#include "config.h"

#include <string.h>

#include "oauth2.h"
#include "privsep.h"
#include "spool.h"

static void
privsep_put32(struct str *out, uint32_t v)
{
	str_append(out, &v, sizeof(v));
}

static uint32_t
privsep_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint32_t
privsep_u32(const struct privsep_field *f)
{
	return f->len == 4 ? privsep_get32(f->p) : UINT32_MAX;
}

bool
privsep_encode(uint32_t type, const struct privsep_field *f, size_t n,
    struct str *out)
{
	size_t i, total = 8;

	str_reset(out);
	if (n > PRIVSEP_MAX_FIELDS)
		return false;
	for (i = 0; i < n; i++) {
		if (f[i].len > PRIVSEP_MAX_PACKET - total - 4)
			return false;
		total += 4 + f[i].len;
	}
	privsep_put32(out, type);
	privsep_put32(out, (uint32_t)n);
	for (i = 0; i < n; i++) {
		privsep_put32(out, (uint32_t)f[i].len);
		if (f[i].len > 0)
			str_append(out, f[i].p, f[i].len);
	}
	return true;
}

bool
privsep_decode(const void *buf, size_t len, struct privsep_msg *m,
    struct str *why)
{
	const uint8_t *p = buf;
	size_t off = 8, i;
	uint32_t n;

	memset(m, 0, sizeof(*m));
	if (len < 8 || len > PRIVSEP_MAX_PACKET) {
		str_appendf(why, "packet of %zu bytes", len);
		return false;
	}
	m->type = privsep_get32(p);
	n = privsep_get32(p + 4);
	if (n > PRIVSEP_MAX_FIELDS) {
		str_appendf(why, "%u fields", (unsigned)n);
		return false;
	}
	for (i = 0; i < n; i++) {
		uint32_t flen;

		if (len - off < 4) {
			str_appendf(why, "field %zu: no length", i);
			return false;
		}
		flen = privsep_get32(p + off);
		off += 4;
		if (flen > len - off) {
			str_appendf(why, "field %zu: %u bytes past the end", i,
			    (unsigned)flen);
			return false;
		}
		m->f[i].p = p + off;
		m->f[i].len = flen;
		off += flen;
	}
	if (off != len) {
		str_appendf(why, "%zu bytes after the last field", len - off);
		return false;
	}
	m->nfields = n;
	return true;
}

/* A queue id field: what spool_id_ok() accepts, without a NUL. */
static bool
privsep_id_field(const struct privsep_field *f, struct str *why)
{
	char id[65];

	if (f->len == 0 || f->len >= sizeof(id) || memchr(f->p, '\0', f->len)) {
		str_appendz(why, "invalid queue id");
		return false;
	}
	memcpy(id, f->p, f->len);
	id[f->len] = '\0';
	return spool_id_ok(id, why);
}

bool
privsep_check(const struct privsep_msg *m, struct str *why)
{
	static const size_t nfields[] = {
		[PRIVSEP_SECRET] = 2, [PRIVSEP_CREATE] = 2,
		[PRIVSEP_ENV_PART] = 1, [PRIVSEP_COMMIT] = 1,
		[PRIVSEP_ENV_WRITE] = 1, [PRIVSEP_REMOVE] = 1,
		[PRIVSEP_ABANDON] = 1, [PRIVSEP_PACE] = 1,
		[PRIVSEP_LIST] = 0, [PRIVSEP_LOCK] = 1,
		[PRIVSEP_ENV_READ] = 1, [PRIVSEP_BULK] = 0,
		[PRIVSEP_OAUTH2] = 3,
	};

	if (m->type < PRIVSEP_SECRET || m->type > PRIVSEP_OAUTH2) {
		str_appendf(why, "unknown request %u", (unsigned)m->type);
		return false;
	}
	if (m->nfields != nfields[m->type]) {
		str_appendf(why, "request %u with %zu fields", (unsigned)m->type,
		    m->nfields);
		return false;
	}
	switch (m->type) {
	case PRIVSEP_SECRET:
		/* There is one default login: its index is 0. */
		if (privsep_u32(&m->f[0]) > PRIVSEP_DEFAULT ||
		    m->f[1].len != 4 || (privsep_u32(&m->f[0]) ==
		    PRIVSEP_DEFAULT && privsep_u32(&m->f[1]) != 0)) {
			str_appendz(why, "secret request: bad kind or index");
			return false;
		}
		return true;
	case PRIVSEP_OAUTH2:
		/* Only relays and accounts have their own OAuth2 login. */
		if ((privsep_u32(&m->f[0]) != PRIVSEP_RELAY &&
		    privsep_u32(&m->f[0]) != PRIVSEP_ACCOUNT) ||
		    m->f[1].len != 4 || m->f[2].len > OAUTH2_MAX_TOKEN ||
		    (m->f[2].len > 0 && !oauth2_token_ok((const char *)
		    m->f[2].p, m->f[2].len))) {
			str_appendz(why, "oauth2 request: bad kind, index or "
			    "token");
			return false;
		}
		return true;
	case PRIVSEP_PACE:
		if (m->f[0].len != 4) {
			str_appendz(why, "pace request: bad index");
			return false;
		}
		return true;
	case PRIVSEP_ENV_PART:
		if (m->f[0].len == 0 || m->f[0].len > PRIVSEP_ENV_CHUNK ||
		    memchr(m->f[0].p, '\0', m->f[0].len) != NULL) {
			str_appendz(why, "envelope part: empty, too long or "
			    "with a NUL");
			return false;
		}
		return true;
	case PRIVSEP_LIST:
	case PRIVSEP_BULK:
		return true;
	case PRIVSEP_CREATE:
		if (m->f[1].len != 8) {
			str_appendz(why, "create request: bad size");
			return false;
		}
		return privsep_id_field(&m->f[0], why);
	default:
		return privsep_id_field(&m->f[0], why);
	}
}
