/*
 * hdr_int - helpers shared by the hdr_*.c files; not for other modules.
 */
#ifndef SMTPGATE_HDR_INT_H
#define SMTPGATE_HDR_INT_H

#include <stdbool.h>

#include "hdr.h"

/* Insert an empty field at index (<= hb->n) and return it. */
struct hdr_field *hdr_new_field(struct hdr_block *hb, size_t index);

static inline bool
hdr_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5322 ftext: printable ASCII except the colon. */
static inline bool
hdr_is_ftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

#endif
