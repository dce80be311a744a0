/*
 * addr_format - write addresses back in the syntax addr_parse.c reads.
 * See addr.h.  Only what must be quoted is quoted, so the common address
 * comes out as it went in.
 */
#include "config.h"

#include <string.h>

#include "addr_int.h"
#include "rfc2047.h"

/* Atoms (atext or UTF-8) separated by single dots: no quotes needed. */
static bool
fmt_is_dot_atom(const char *s, size_t len)
{
	bool in_atom = false;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] == '.') {
			if (!in_atom)
				return false;
			in_atom = false;
			i++;
			continue;
		}
		if (addr_atext((unsigned char)s[i]))
			n = 1;
		else if ((unsigned char)s[i] < 0x80 ||
		    (n = str_utf8_len(s + i, len - i)) == 0)
			return false;
		in_atom = true;
		i += n;
	}
	return in_atom;
}

/* ASCII atoms separated by single spaces: a phrase without quotes. */
static bool
fmt_is_atom_phrase(const char *s, size_t len)
{
	bool in_atom = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (!in_atom)
				return false;
			in_atom = false;
		} else if (addr_atext((unsigned char)s[i])) {
			in_atom = true;
		} else {
			return false;
		}
	}
	return in_atom;
}

static void
fmt_quoted(const char *s, size_t len, struct str *out)
{
	size_t i;

	str_reserve(out, len + 2);
	str_appendc(out, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			str_appendc(out, '\\');
		str_appendc(out, s[i]);
	}
	str_appendc(out, '"');
}

/* A display or group name. */
static void
fmt_phrase(const struct str *name, struct str *out)
{
	if (rfc2047_needs_encoding(name->data, name->len))
		rfc2047_encode(name->data, name->len, out);
	else if (fmt_is_atom_phrase(name->data, name->len))
		str_appends(out, name);
	else
		fmt_quoted(name->data, name->len, out);
}

void
addr_format_bare(const struct addr *a, struct str *out)
{
	if (a->local.len == 0 && a->domain.len == 0)
		return;
	if (fmt_is_dot_atom(a->local.data, a->local.len))
		str_appends(out, &a->local);
	else
		fmt_quoted(a->local.data, a->local.len, out);
	if (a->domain.len > 0) {
		str_appendc(out, '@');
		str_appends(out, &a->domain);
	}
}

void
addr_format_path(const struct addr *a, struct str *out)
{
	str_appendc(out, '<');
	if (a->route.len > 0) {
		str_appends(out, &a->route);
		str_appendc(out, ':');
	}
	addr_format_bare(a, out);
	str_appendc(out, '>');
}

void
addr_format(const struct addr *a, struct str *out)
{
	if (a->display.len > 0) {
		fmt_phrase(&a->display, out);
		str_appendc(out, ' ');
		addr_format_path(a, out);
	} else if (a->route.len > 0 ||
	    (a->local.len == 0 && a->domain.len == 0)) {
		addr_format_path(a, out);
	} else {
		addr_format_bare(a, out);
	}
}

static bool
fmt_same_group(const struct str *a, const struct str *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

void
addr_format_list(const struct addr_list *l, struct str *out)
{
	const struct str *group;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			str_appendz(out, ", ");
		group = &l->v[i].group;
		if (group->len > 0 && (i == 0 ||
		    !fmt_same_group(group, &l->v[i - 1].group))) {
			fmt_phrase(group, out);
			str_appendz(out, ": ");
		}
		addr_format(&l->v[i], out);
		if (group->len > 0 && (i + 1 == l->n ||
		    !fmt_same_group(group, &l->v[i + 1].group)))
			str_appendc(out, ';');
	}
}
