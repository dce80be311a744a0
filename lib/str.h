/*
 * str - the one growable, binary-safe string type.
 *
 * Every byte that comes from outside (a file, argv, the message, the network)
 * is held in a struct str.  The buffer is always NUL-terminated after len
 * bytes so that str_cstr() is free, but the content may itself contain NUL:
 * code that hands a str to a C-string API must check str_has_nul() first.
 *
 * Memory: a struct str owns its buffer.  STR_INIT / str_init() give an empty
 * string that allocates nothing until the first append; str_free() releases
 * the buffer and leaves an empty, reusable string.  Allocation failure and
 * size overflow die() (see util.h); no function here returns an error.
 */
#ifndef SMTPGATE_STR_H
#define SMTPGATE_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct str {
	char   *data;		/* NULL until the first append */
	size_t	len;		/* bytes in use, excluding the terminator */
	size_t	cap;		/* bytes allocated */
};

#define STR_INIT { NULL, 0, 0 }

void	str_init(struct str *s);
void	str_free(struct str *s);
/* str_free() after overwriting the bytes: for passwords and tokens. */
void	str_free_secret(struct str *s);

/* Make room for at least extra more bytes (plus the terminator). */
void	str_reserve(struct str *s, size_t extra);

void	str_append(struct str *s, const void *data, size_t len);
void	str_appendz(struct str *s, const char *cstr);
void	str_appendc(struct str *s, int c);
void	str_appends(struct str *s, const struct str *other);
void	str_appendf(struct str *s, const char *fmt, ...) UTIL_PRINTF(2, 3);
void	str_vappendf(struct str *s, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/*
 * Append bytes with everything that is not printable ASCII escaped
 * (\r, \n, \t, \\, \xNN): for log lines and error messages quoting input.
 */
void	str_append_escaped(struct str *s, const void *data, size_t len);

/* Replace the content. */
void	str_set(struct str *s, const void *data, size_t len);
void	str_setz(struct str *s, const char *cstr);

void	str_truncate(struct str *s, size_t len);
#define str_reset(s)	str_truncate((s), 0)

/* Always a valid C string ("" for a fresh string). */
const char *str_cstr(const struct str *s);
/* Hand the buffer to the caller (who must free() it); s becomes empty. */
char   *str_detach(struct str *s);

bool	str_has_nul(const struct str *s);
/* True if the content holds CR, LF or NUL: unfit for a header or log line. */
bool	str_has_crlfnul(const struct str *s);
bool	str_eq(const struct str *s, const char *cstr);
bool	str_eq_nocase(const struct str *s, const char *cstr);

/* Remove leading and trailing space and tab. */
void	str_trim(struct str *s);

/*
 * UTF-8 (RFC 3629): the length (1-4) of the well-formed sequence that
 * starts at p, or 0 if there is none (stray continuation byte, overlong
 * form, surrogate, beyond U+10FFFF, or cut short by n).
 */
size_t	str_utf8_len(const void *p, size_t n);
bool	str_utf8_valid(const void *p, size_t n);
/* True when any of the n bytes at p is above 0x7f (not ASCII). */
bool	str_has_8bit(const void *p, size_t n);

#endif
