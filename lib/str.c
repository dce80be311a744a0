/*
 * str - the one growable, binary-safe string type.  See str.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "str.h"

static const char str_empty[1] = "";

void
str_init(struct str *s)
{
	s->data = NULL;
	s->len = 0;
	s->cap = 0;
}

void
str_free(struct str *s)
{
	free(s->data);
	str_init(s);
}

void
str_free_secret(struct str *s)
{
	if (s->data != NULL)
		util_wipe(s->data, s->cap);
	str_free(s);
}

void
str_reserve(struct str *s, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - s->len - 1)
		die("string size overflow (%zu + %zu bytes)", s->len, extra);
	need = s->len + extra + 1;
	if (need <= s->cap)
		return;
	cap = s->cap ? s->cap : 32;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	s->data = xrealloc(s->data, cap);
	s->cap = cap;
	/*
	 * Keep the invariant that data[len] is NUL: a fresh buffer is
	 * uninitialised, and a caller may reserve and then append nothing
	 * (an empty input) before handing str_cstr() to printf.
	 */
	s->data[s->len] = '\0';
}

void
str_append(struct str *s, const void *data, size_t len)
{
	str_reserve(s, len);
	if (len > 0)
		memcpy(s->data + s->len, data, len);
	s->len += len;
	s->data[s->len] = '\0';
}

void
str_appendz(struct str *s, const char *cstr)
{
	str_append(s, cstr, strlen(cstr));
}

void
str_appendc(struct str *s, int c)
{
	char ch = (char)c;

	str_append(s, &ch, 1);
}

void
str_appends(struct str *s, const struct str *other)
{
	str_append(s, other->data, other->len);
}

void
str_vappendf(struct str *s, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		die("bad format string \"%s\"", fmt);
	str_reserve(s, (size_t)n);
	vsnprintf(s->data + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

void
str_appendf(struct str *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	str_vappendf(s, fmt, ap);
	va_end(ap);
}

void
str_append_escaped(struct str *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	str_reserve(s, len);
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\r': str_appendz(s, "\\r"); break;
		case '\n': str_appendz(s, "\\n"); break;
		case '\t': str_appendz(s, "\\t"); break;
		case '\\': str_appendz(s, "\\\\"); break;
		default:
			if (p[i] < 0x20 || p[i] >= 0x7f)
				str_appendf(s, "\\x%02x", p[i]);
			else
				str_appendc(s, p[i]);
		}
	}
}

void
str_set(struct str *s, const void *data, size_t len)
{
	/* data may point into s itself: copy before truncating. */
	if (s->data != NULL && data >= (const void *)s->data &&
	    data < (const void *)(s->data + s->cap)) {
		memmove(s->data, data, len);
		s->len = len;
		s->data[len] = '\0';
		return;
	}
	str_truncate(s, 0);
	str_append(s, data, len);
}

void
str_setz(struct str *s, const char *cstr)
{
	str_set(s, cstr, strlen(cstr));
}

void
str_truncate(struct str *s, size_t len)
{
	if (len >= s->len)
		return;
	s->len = len;
	s->data[len] = '\0';
}

const char *
str_cstr(const struct str *s)
{
	return s->data ? s->data : str_empty;
}

char *
str_detach(struct str *s)
{
	char *p;

	if (s->data == NULL)
		return xstrdup("");
	p = s->data;
	str_init(s);
	return p;
}

bool
str_has_nul(const struct str *s)
{
	return s->len > 0 && memchr(s->data, '\0', s->len) != NULL;
}

bool
str_has_crlfnul(const struct str *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\r' || s->data[i] == '\n' ||
		    s->data[i] == '\0')
			return true;
	return false;
}

bool
str_eq(const struct str *s, const char *cstr)
{
	size_t n = strlen(cstr);

	return s->len == n && (n == 0 || memcmp(s->data, cstr, n) == 0);
}

bool
str_eq_nocase(const struct str *s, const char *cstr)
{
	size_t n = strlen(cstr);

	return s->len == n && (n == 0 || strncasecmp(s->data, cstr, n) == 0);
}

void
str_trim(struct str *s)
{
	size_t start = 0, end = s->len;

	while (start < end && (s->data[start] == ' ' || s->data[start] == '\t'))
		start++;
	while (end > start && (s->data[end - 1] == ' ' ||
	    s->data[end - 1] == '\t'))
		end--;
	if (start > 0)
		memmove(s->data, s->data + start, end - start);
	if (s->data != NULL) {
		s->len = end - start;
		s->data[s->len] = '\0';
	}
}

size_t
str_utf8_len(const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t need, i;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] < 0xc2)	/* continuation byte, or overlong 2-byte form */
		return 0;
	need = u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : u[0] < 0xf5 ? 4 : 0;
	if (need == 0 || n < need)
		return 0;
	for (i = 1; i < need; i++)
		if ((u[i] & 0xc0) != 0x80)
			return 0;
	if ((u[0] == 0xe0 && u[1] < 0xa0) ||	/* overlong 3-byte */
	    (u[0] == 0xed && u[1] >= 0xa0) ||	/* UTF-16 surrogates */
	    (u[0] == 0xf0 && u[1] < 0x90) ||	/* overlong 4-byte */
	    (u[0] == 0xf4 && u[1] >= 0x90))	/* beyond U+10FFFF */
		return 0;
	return need;
}

bool
str_utf8_valid(const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t i = 0, k;

	while (i < n) {
		if ((k = str_utf8_len(u + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

bool
str_has_8bit(const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (u[i] >= 0x80)
			return true;
	return false;
}
