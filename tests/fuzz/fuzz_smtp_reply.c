/*
 * Fuzz target for lib/smtp_reply.c and lib/smtp_ehlo.c.
 *
 * Input: the first byte's low bit sets esc_offered; the rest is a stream of
 * server lines split after each LF (a last piece without one is fed too, as
 * the client does at EOF).  Checked: return codes, the shape of every
 * complete reply, and that formatting a parsed reply and parsing that again
 * gives back the same code, enhanced code and text.  Each complete 250
 * reply also goes through smtp_ehlo_parse(), and each line's text through
 * smtp_reply_make().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smtp_reply.h"

static void
fuzz_roundtrip(const struct smtp_reply *r)
{
	struct smtp_reply back = SMTP_REPLY_INIT;
	struct str wire = STR_INIT, err = STR_INIT;
	size_t start = 0, end;
	int rc = SMTP_MORE;

	smtp_reply_format(r, &wire);
	while (start < wire.len) {
		const char *nl = memchr(wire.data + start, '\n',
		    wire.len - start);

		if (nl == NULL || rc != SMTP_MORE)
			abort();
		end = (size_t)(nl - wire.data) + 1;
		rc = smtp_reply_feed(&back, wire.data + start, end - start,
		    &err);
		start = end;
	}
	/* format adds at most "x.yyy.zzz " to a line: may pass the limit */
	if (rc == SMTP_EPROTO && strstr(str_cstr(&err), "longer than"))
		goto out;
	if (rc != SMTP_OK || back.code != r->code ||
	    back.esc_class != r->esc_class ||
	    back.esc_subject != r->esc_subject ||
	    back.esc_detail != r->esc_detail || back.nlines != r->nlines ||
	    back.text.len != r->text.len ||
	    (r->text.len > 0 &&
	    memcmp(back.text.data, r->text.data, r->text.len) != 0))
		abort();
out:
	smtp_reply_free(&back);
	str_free(&wire);
	str_free(&err);
}

static void
fuzz_complete(const struct smtp_reply *r)
{
	struct smtp_ext ext;
	struct str err = STR_INIT, desc = STR_INIT;
	size_t i;
	int rc;

	if (r->code < 200 || r->code > 599 || r->nlines == 0 ||
	    r->nlines > SMTP_REPLY_MAX_LINES || str_has_nul(&r->text) ||
	    memchr(r->text.data ? r->text.data : "", '\r', r->text.len))
		abort();
	if (r->esc_class != 0 && r->esc_class != r->code / 100)
		abort();
	smtp_reply_describe(r, &desc);
	for (i = 0; i < desc.len; i++)
		if ((unsigned char)desc.data[i] < 0x20 ||
		    (unsigned char)desc.data[i] >= 0x7f)
			abort();	/* describe must escape */
	fuzz_roundtrip(r);
	rc = smtp_ehlo_parse(r, &ext, &err);
	if (rc != (r->code == 250 ? SMTP_OK : SMTP_EREPLY))
		abort();
	if (rc == SMTP_OK && err.len != 0)
		abort();
	str_free(&err);
	str_free(&desc);
}

static void
fuzz_make(const char *text, size_t len)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str t = STR_INIT;
	int rc;

	str_set(&t, text, len);
	rc = smtp_reply_make(&r, 550, "5.7.1", "%s", str_cstr(&t));
	/* %s stops at a NUL; CR or LF before it must be refused */
	t.len = strlen(str_cstr(&t));
	if ((rc == SMTP_OK) != (!str_has_crlfnul(&t) &&
	    t.len <= SMTP_REPLY_MAX_LINE - 16))
		abort();
	smtp_reply_free(&r);
	str_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str err = STR_INIT;
	const char *s = (const char *)data;
	size_t start, end;
	int rc;

	if (size == 0)
		return 0;
	r.esc_offered = data[0] & 1;
	for (start = 1; start < size; start = end) {
		const char *nl = memchr(s + start, '\n', size - start);

		end = nl ? (size_t)(nl - s) + 1 : size;
		str_reset(&err);
		rc = smtp_reply_feed(&r, s + start, end - start, &err);
		switch (rc) {
		case SMTP_OK:
			if (err.len != 0)
				abort();
			fuzz_complete(&r);
			break;
		case SMTP_MORE:
			if (err.len != 0 || r.nlines == 0)
				abort();
			break;
		case SMTP_EPROTO:
			if (err.len == 0 || r.nlines != 0)
				abort();
			break;
		default:
			abort();
		}
		if (end - start > 4)
			fuzz_make(s + start + 4, end - start - 4);
	}
	smtp_reply_free(&r);
	str_free(&err);
	return 0;
}
