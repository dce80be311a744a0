/*
 * smtp_data_wire - an independent checker of smtp_data's output, shared by
 * tests/unit/check_smtp_data.c and tests/fuzz/fuzz_smtp_data.c.
 *
 * It does not reuse the encoder's logic: it normalises the input by its own
 * simple rules and undoes the stuffing of the output, then compares.
 */
#ifndef SMTPGATE_SMTP_DATA_WIRE_H
#define SMTPGATE_SMTP_DATA_WIRE_H

#include <stddef.h>
#include <string.h>

#include "str.h"

/* Input with CRLF, bare CR and bare LF each turned into CRLF, and a CRLF
   added to a non-empty input that does not end in a line break. */
static inline void
smtp_data_wire_normalise(const char *in, size_t len, struct str *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (in[i] == '\r') {
			str_append(out, "\r\n", 2);
			if (i + 1 < len && in[i + 1] == '\n')
				i++;
		} else if (in[i] == '\n') {
			str_append(out, "\r\n", 2);
		} else {
			str_appendc(out, in[i]);
		}
	}
	if (len > 0 && in[len - 1] != '\r' && in[len - 1] != '\n')
		str_append(out, "\r\n", 2);
}

/*
 * Check the invariants of wire w (the whole output for input in): only CRLF
 * line endings; every body line starting with "." starts with ".."; the
 * output ends with ".\r\n" after a CRLF (or is ".\r\n" for an empty body);
 * "\r\n.\r\n" occurs exactly once; unstuffed body == normalised input.
 * Returns NULL when all hold, else what failed.
 */
static inline const char *
smtp_data_wire_check(const char *in, size_t inlen, const char *w, size_t wlen)
{
	struct str norm = STR_INIT, body = STR_INIT;
	const char *why = NULL;
	size_t i, blen, count = 0, ls;

	for (i = 0; i < wlen; i++) {
		if (w[i] == '\r' && (i + 1 >= wlen || w[i + 1] != '\n'))
			return "bare CR in output";
		if (w[i] == '\n' && (i == 0 || w[i - 1] != '\r'))
			return "bare LF in output";
	}
	for (i = 0; i + 5 <= wlen; i++)
		if (memcmp(w + i, "\r\n.\r\n", 5) == 0)
			count++;
	if (wlen == 3) {
		if (memcmp(w, ".\r\n", 3) != 0)
			return "short output is not \".\\r\\n\"";
		if (count != 0)
			return "terminator inside output";
		blen = 0;
	} else {
		if (wlen < 5 || memcmp(w + wlen - 5, "\r\n.\r\n", 5) != 0)
			return "output does not end in CRLF.CRLF";
		if (count != 1)
			return "CRLF.CRLF occurs more than once";
		blen = wlen - 3;
	}
	/* Unstuff line by line. */
	for (ls = 0; ls < blen; ) {
		const char *nl = memchr(w + ls, '\n', blen - ls);
		size_t end = nl ? (size_t)(nl - w) + 1 : blen;

		if (w[ls] == '.') {
			if (end - ls < 2 || w[ls + 1] != '.') {
				why = "body line starts with a single dot";
				goto out;
			}
			ls++;
		}
		str_append(&body, w + ls, end - ls);
		ls = end;
	}
	smtp_data_wire_normalise(in, inlen, &norm);
	if (norm.len != body.len ||
	    (norm.len > 0 && memcmp(norm.data, body.data, norm.len) != 0))
		why = "unstuffed output differs from normalised input";
out:
	str_free(&norm);
	str_free(&body);
	return why;
}

#endif
