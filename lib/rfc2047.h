/*
 * rfc2047 - encoded words (=?charset?B|Q?text?=) in display names and
 * unstructured header fields.
 *
 * Rules: nothing here fails.  Decoding keeps whatever it cannot decode
 * exactly as it was written: an unknown charset, bad base64 or Q text, and
 * also a decoded run that is not valid UTF-8 or that holds NUL, CR or LF
 * (so that decoding can never smuggle a line break into a header).
 * Encoding expects UTF-8 and produces =?UTF-8?B?...?= words.
 */
#ifndef SMTPGATE_RFC2047_H
#define SMTPGATE_RFC2047_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

/* The longest encoded word RFC 2047 section 2 allows. */
#define RFC2047_WORD_MAX 75

/*
 * Append s with every encoded word decoded.  UTF-8 and US-ASCII are decoded
 * natively, ISO-8859-1 is converted to UTF-8 (an RFC 2231 language suffix,
 * "UTF-8*en", is ignored); any other charset is kept as written.  White
 * space between two adjacent encoded words is dropped (RFC 2047 section
 * 6.2).  Encoded words are recognised anywhere, also inside quoted strings
 * and next to other text, as common mail readers do.
 */
void	rfc2047_decode(const char *s, size_t len, struct str *out);

/*
 * Append UTF-8 text as =?UTF-8?B?...?= words of at most RFC2047_WORD_MAX
 * characters, separated by one space, never splitting a UTF-8 sequence.
 * Nothing is appended for empty text.
 */
void	rfc2047_encode(const char *s, size_t len, struct str *out);

/* True if s holds non-ASCII or control bytes, or "=?" (looks encoded). */
bool	rfc2047_needs_encoding(const char *s, size_t len);

#endif
