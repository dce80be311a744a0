/*
 * addr - the lifetime of struct addr and struct addr_list.  See addr.h.
 */
#include "config.h"

#include <stdlib.h>
#include <sysexits.h>

#include "addr_int.h"

int
addr_exitcode(int rc)
{
	return rc == ADDR_OK ? EX_OK : EX_DATAERR;
}

void
addr_init(struct addr *a)
{
	str_init(&a->display);
	str_init(&a->local);
	str_init(&a->domain);
	str_init(&a->group);
	str_init(&a->route);
}

void
addr_free(struct addr *a)
{
	str_free(&a->display);
	str_free(&a->local);
	str_free(&a->domain);
	str_free(&a->group);
	str_free(&a->route);
}

void
addr_copy(struct addr *dst, const struct addr *src)
{
	if (dst == src)
		return;
	str_set(&dst->display, src->display.data, src->display.len);
	str_set(&dst->local, src->local.data, src->local.len);
	str_set(&dst->domain, src->domain.data, src->domain.len);
	str_set(&dst->group, src->group.data, src->group.len);
	str_set(&dst->route, src->route.data, src->route.len);
}

void
addr_list_init(struct addr_list *l)
{
	l->v = NULL;
	l->n = 0;
}

void
addr_list_free(struct addr_list *l)
{
	addr_list_truncate(l, 0);
	free(l->v);
	addr_list_init(l);
}

/*
 * struct addr_list has no capacity field (it is part of the API), so the
 * capacity is implied by n: the next power of two, at least 8.
 */
static size_t
addr_list_cap(size_t n)
{
	size_t cap = 8;

	if (n == 0)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

void
addr_list_push(struct addr_list *l, struct addr *a)
{
	if (addr_list_cap(l->n + 1) > addr_list_cap(l->n))
		l->v = xreallocarray(l->v, addr_list_cap(l->n + 1),
		    sizeof(*l->v));
	l->v[l->n++] = *a;
	addr_init(a);
}

void
addr_list_truncate(struct addr_list *l, size_t n)
{
	while (l->n > n)
		addr_free(&l->v[--l->n]);
}
