/*
 * base64 - RFC 4648 base64, for SASL exchanges and encoded words.
 *
 * Rules: encoding appends to out and cannot fail.  Decoding is strict
 * (RFC 4648 section 3.3): characters outside the alphabet, misplaced or
 * missing padding, and non-zero trailing bits are refused; out is then
 * left as it was.  Whitespace is not skipped: callers strip it if the
 * format allows it.
 */
#ifndef SMTPGATE_BASE64_H
#define SMTPGATE_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

void	base64_encode(const void *data, size_t len, struct str *out);
bool	base64_decode(const char *text, size_t len, struct str *out);

#endif
