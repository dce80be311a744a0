/*
 * json - a strict reader of small JSON texts (RFC 8259) whose top level is
 * an object: the OAuth2 token endpoint's answers and smtpgate's token
 * file.  Its members are kept by name: strings decoded (UTF-8, no NUL),
 * numbers as their text, true/false/null; nested objects and arrays are
 * checked and kept as a type only (nothing we read needs their insides).
 *
 * Why our own: we read flat objects of a handful of members, and the
 * setgid binary should not grow a dependency for that.  It is fuzzed
 * (tests/fuzz/fuzz_json.c).
 *
 * Rules: the whole text must be one object and nothing after it but
 * white space; duplicate member names, invalid UTF-8, lone surrogates,
 * \u0000, raw control characters, leading zeros and bare words are
 * refused.  At most JSON_MAX_DEPTH levels of nesting and JSON_MAX_MEMBERS
 * members.  err says what and at which byte, and never quotes a string
 * (they are tokens).  Strings are wiped when freed.
 */
#ifndef SMTPGATE_JSON_H
#define SMTPGATE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

enum { JSON_OK = 0, JSON_EINVAL };

#define JSON_MAX_DEPTH		32
#define JSON_MAX_MEMBERS	256

enum json_type { JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL,
	JSON_OBJECT, JSON_ARRAY };

struct json_member {
	char   *name;
	enum json_type type;
	char   *value;		/* string: decoded; number: its text; else
				   NULL */
};

struct json_object {
	struct json_member *v;
	size_t	n;
};

int	json_object_parse(const char *buf, size_t len, struct json_object *out,
	    struct str *err);
void	json_object_free(struct json_object *o);
bool	json_has(const struct json_object *o, const char *name);
/* The member's string, NULL when absent or not a string. */
const char *json_get_string(const struct json_object *o, const char *name);
/*
 * A non-negative integer: a number without fraction or exponent, or a
 * string of 1 to 18 digits (older Microsoft answers send expires_in so).
 * False when absent or anything else.
 */
bool	json_get_uint(const struct json_object *o, const char *name,
	    unsigned long long *out);
/* Append s as a JSON string, quoted and escaped. */
void	json_append_string(struct str *out, const char *s);

#endif
