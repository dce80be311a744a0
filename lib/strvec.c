/*
 * strvec - a growable array of C strings.  See strvec.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strvec.h"
#include "util.h"

void
strvec_init(struct strvec *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->cap = 0;
}

void
strvec_clear(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	sv->n = 0;
	if (sv->v != NULL)
		sv->v[0] = NULL;
}

void
strvec_free(struct strvec *sv)
{
	strvec_clear(sv);
	free(sv->v);
	strvec_init(sv);
}

void
strvec_push(struct strvec *sv, char *s)
{
	/* One slot more than n for the NULL terminator. */
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap < 8 ? 8 : sv->cap;

		while (cap < sv->n + 2) {
			if (cap > (size_t)-1 / 2)
				die("strvec: too many strings");
			cap *= 2;
		}
		sv->v = xreallocarray(sv->v, cap, sizeof(*sv->v));
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strvec_push_dup(struct strvec *sv, const char *s)
{
	strvec_push(sv, xstrdup(s));
}

void
strvec_push_mem(struct strvec *sv, const char *s, size_t len)
{
	strvec_push(sv, xstrndup(s, len));
}

bool
strvec_push_unique_case(struct strvec *sv, const char *s)
{
	if (strvec_find_case(sv, s) < sv->n)
		return false;
	strvec_push_dup(sv, s);
	return true;
}

void
strvec_remove(struct strvec *sv, size_t i)
{
	if (i >= sv->n)
		die("strvec_remove: index %zu of %zu", i, sv->n);
	free(sv->v[i]);
	/* The terminator moves down with the rest. */
	memmove(&sv->v[i], &sv->v[i + 1], (sv->n - i) * sizeof(*sv->v));
	sv->n--;
}

void
strvec_copy(struct strvec *dst, const struct strvec *src)
{
	size_t i;

	if (dst == src)
		return;
	strvec_clear(dst);
	for (i = 0; i < src->n; i++)
		strvec_push_dup(dst, src->v[i]);
}

static size_t
strvec_find_by(const struct strvec *sv, const char *s,
    int (*cmp)(const char *, const char *))
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (cmp(sv->v[i], s) == 0)
			break;
	return i;
}

size_t
strvec_find(const struct strvec *sv, const char *s)
{
	return strvec_find_by(sv, s, strcmp);
}

size_t
strvec_find_case(const struct strvec *sv, const char *s)
{
	return strvec_find_by(sv, s, strcasecmp);
}
