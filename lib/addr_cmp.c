/*
 * addr_cmp - the comparisons the policy engine makes.  See addr.h for why
 * local parts ignore ASCII case.
 *
 * Case folding is ASCII only and done here rather than with strcasecmp(),
 * whose result depends on the locale: a UTF-8 byte never equals another.
 */
#include "config.h"

#include <string.h>

#include "addr_int.h"

static int
cmp_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool
cmp_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (cmp_lower((unsigned char)a[i]) !=
		    cmp_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* Domains: ASCII case and one trailing dot do not matter. */
static bool
cmp_domain(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return cmp_nocase(a, alen, b, blen);
}

bool
addr_same(const struct addr *a, const struct addr *b)
{
	if (a->route.len > 0 || b->route.len > 0)
		return false;
	return cmp_nocase(a->local.data, a->local.len, b->local.data,
	    b->local.len) && cmp_domain(a->domain.data, a->domain.len,
	    b->domain.data, b->domain.len);
}

bool
addr_in_domain(const struct addr *a, const char *domain)
{
	size_t len = strlen(domain);

	if (len == 0 || (len == 1 && domain[0] == '.'))
		return false;
	return cmp_domain(a->domain.data, a->domain.len, domain, len);
}

bool
addr_match(const struct addr *a, const char *pattern)
{
	struct addr p;
	bool same;

	if (pattern[0] == '@')
		return addr_in_domain(a, pattern + 1);
	addr_init(&p);
	same = addr_parse_path(pattern, strlen(pattern), &p, NULL) ==
	    ADDR_OK && addr_same(a, &p);
	addr_free(&p);
	return same;
}

bool
addr_is_routed(const struct addr *a)
{
	size_t i;

	if (a->route.len > 0)
		return true;
	for (i = 0; i < a->local.len; i++)
		if (a->local.data[i] == '%' || a->local.data[i] == '!' ||
		    a->local.data[i] == '@')
			return true;
	return false;
}
