/*
 * Fuzz target for lib/addr_*.c: parse the input as an address list; what
 * parses must format and parse back to the very same addresses.  The
 * input also goes through addr_parse_one() and addr_parse_path(), and
 * what they return through the formatters and comparisons.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"

static bool
fuzz_str_eq(const struct str *a, const struct str *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

static bool
fuzz_addr_eq(const struct addr *a, const struct addr *b)
{
	return fuzz_str_eq(&a->display, &b->display) &&
	    fuzz_str_eq(&a->local, &b->local) &&
	    fuzz_str_eq(&a->domain, &b->domain) &&
	    fuzz_str_eq(&a->group, &b->group) &&
	    fuzz_str_eq(&a->route, &b->route);
}

static void
fuzz_list(const char *s, size_t len)
{
	struct addr_list l, again;
	struct str text = STR_INIT, err = STR_INIT;
	size_t i;

	addr_list_init(&l);
	addr_list_init(&again);
	if (addr_parse_list(s, len, &l, &err) != ADDR_OK) {
		if (err.len == 0 || l.n != 0)
			abort();
		goto out;
	}
	addr_format_list(&l, &text);
	if (text.len > ADDR_MAX_INPUT)
		goto out;
	if (addr_parse_list(text.data, text.len, &again, &err) != ADDR_OK ||
	    again.n != l.n)
		abort();
	for (i = 0; i < l.n; i++) {
		if (!fuzz_addr_eq(&l.v[i], &again.v[i]))
			abort();
		if (l.v[i].route.len == 0 && !addr_same(&l.v[i], &again.v[i]))
			abort();
	}
out:
	addr_list_free(&l);
	addr_list_free(&again);
	str_free(&text);
	str_free(&err);
}

/*
 * Qualifying: it fails exactly when parsing fails, and what it makes
 * parses to the same mailboxes, each bare local name now with the domain.
 */
static void
fuzz_qualify(const char *s, size_t len)
{
	struct addr_list l, q;
	struct str text = STR_INIT;
	size_t i, n, bare = 0;
	int rc;

	addr_list_init(&l);
	addr_list_init(&q);
	rc = addr_parse_list(s, len, &l, NULL);
	if (addr_qualify_list(s, len, "example.org", &text, &n, NULL) != rc)
		abort();
	if (rc != ADDR_OK || text.len > ADDR_MAX_INPUT)
		goto out;
	if (addr_parse_list(text.data, text.len, &q, NULL) != ADDR_OK ||
	    q.n != l.n)
		abort();
	for (i = 0; i < l.n; i++) {
		if (!fuzz_str_eq(&l.v[i].local, &q.v[i].local) ||
		    !fuzz_str_eq(&l.v[i].display, &q.v[i].display) ||
		    !fuzz_str_eq(&l.v[i].group, &q.v[i].group))
			abort();
		if (l.v[i].domain.len > 0) {
			if (!fuzz_str_eq(&l.v[i].domain, &q.v[i].domain))
				abort();
		} else if (l.v[i].local.len > 0) {
			if (!str_eq(&q.v[i].domain, "example.org"))
				abort();
			bare++;
		}
	}
	if (bare != n)
		abort();
out:
	addr_list_free(&l);
	addr_list_free(&q);
	str_free(&text);
}

/*
 * address_separator: what addr_comma_list() makes always parses as a
 * list; with no separator replaced it is the input; and a separator is
 * replaced only where the input did not parse as it was.
 */
static void
fuzz_comma(const char *s, size_t len, char sep)
{
	struct str text = STR_INIT;
	struct addr_list l;
	size_t n;
	bool valid;

	addr_list_init(&l);
	valid = addr_parse_list(s, len, &l, NULL) == ADDR_OK;
	addr_list_free(&l);
	addr_list_init(&l);
	if (addr_comma_list(s, len, sep, &text, &n, NULL) != ADDR_OK) {
		if (valid || text.len != 0)
			abort();
		goto out;
	}
	if (text.len != len || (valid && n != 0) || (n == 0 && len > 0 &&
	    memcmp(text.data, s, len) != 0))
		abort();
	if (text.len <= ADDR_MAX_INPUT &&
	    addr_parse_list(text.data, text.len, &l, NULL) != ADDR_OK)
		abort();
out:
	addr_list_free(&l);
	str_free(&text);
}

/* A single mailbox or path must survive its own formatter. */
static void
fuzz_single(const char *s, size_t len, bool path)
{
	int (*parse)(const char *, size_t, struct addr *, struct str *) =
	    path ? addr_parse_path : addr_parse_one;
	struct addr a, b;
	struct str text = STR_INIT;

	addr_init(&a);
	addr_init(&b);
	if (parse(s, len, &a, NULL) == ADDR_OK) {
		if (path)
			addr_format_path(&a, &text);
		else
			addr_format(&a, &text);
		if (parse(text.data, text.len, &b, NULL) != ADDR_OK ||
		    !fuzz_addr_eq(&a, &b))
			abort();
		(void)addr_is_routed(&a);
		(void)addr_in_domain(&a, "example.org");
		str_reset(&text);
		addr_format_bare(&a, &text);
		(void)addr_match(&b, str_cstr(&text));
	}
	addr_free(&a);
	addr_free(&b);
	str_free(&text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	fuzz_list(s, size);
	fuzz_qualify(s, size);
	fuzz_comma(s, size, ';');
	fuzz_comma(s, size, '|');
	fuzz_single(s, size, false);
	fuzz_single(s, size, true);
	return 0;
}
