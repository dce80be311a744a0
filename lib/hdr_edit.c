/*
 * hdr_edit - find, count and edit header fields.  See hdr.h.
 *
 * Everything the policy engine puts into a header passes the checks here:
 * a name that is not ftext or a value with CR, LF or NUL would let a
 * configured or user-supplied string inject header fields.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "hdr.h"
#include "hdr_int.h"

static bool
hdr_name_eq(const struct hdr_field *f, const char *name, size_t nlen)
{
	return f->name.len == nlen &&
	    (nlen == 0 || strncasecmp(f->name.data, name, nlen) == 0);
}

ssize_t
hdr_find(const struct hdr_block *hb, const char *name, size_t from)
{
	size_t i, nlen = strlen(name);

	for (i = from; i < hb->n; i++)
		if (hdr_name_eq(&hb->v[i], name, nlen))
			return (ssize_t)i;
	return -1;
}

size_t
hdr_count(const struct hdr_block *hb, const char *name)
{
	size_t i, nlen = strlen(name), count = 0;

	for (i = 0; i < hb->n; i++)
		if (hdr_name_eq(&hb->v[i], name, nlen))
			count++;
	return count;
}

size_t
hdr_occurrence(const struct hdr_block *hb, size_t index)
{
	const struct hdr_field *f;
	size_t i, count = 0;

	if (index >= hb->n)
		return 0;
	f = &hb->v[index];
	for (i = 0; i <= index; i++)
		if (hdr_name_eq(&hb->v[i], f->name.data, f->name.len))
			count++;
	return count;
}

static int
hdr_check_name(const char *name, struct str *err)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > HDR_NAME_MAX) {
		if (err != NULL)
			str_appendf(err, "header field name of %zu bytes "
			    "(must be 1 to %d)", n, HDR_NAME_MAX);
		return HDR_EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!hdr_is_ftext((unsigned char)name[i])) {
			if (err != NULL) {
				str_appendz(err, "invalid header field name \"");
				str_append_escaped(err, name, n > 64 ? 64 : n);
				str_appendf(err, "\": byte %zu is not printable"
				    " ASCII other than ':'", i + 1);
			}
			return HDR_EINVAL;
		}
	return HDR_OK;
}

static int
hdr_check_value(const char *name, size_t nlen, const char *value,
    size_t vlen, struct str *err)
{
	size_t i;

	for (i = 0; i < vlen; i++)
		if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0') {
			if (err != NULL) {
				str_appendz(err, "header field \"");
				str_append_escaped(err, name,
				    nlen > 64 ? 64 : nlen);
				str_appendz(err, "\": value holds CR, LF or "
				    "NUL (\"");
				str_append_escaped(err, value,
				    vlen > 64 ? 64 : vlen);
				str_appendz(err, vlen > 64 ? "...\")" : "\")");
			}
			return HDR_EINVAL;
		}
	return HDR_OK;
}

static void
hdr_note_8bit(struct hdr_block *hb, const char *value, size_t vlen)
{
	size_t i;

	for (i = 0; i < vlen; i++)
		if ((unsigned char)value[i] >= 0x80) {
			hb->flags |= HDR_F_8BIT;
			return;
		}
}

int
hdr_insertn(struct hdr_block *hb, size_t index, const char *name,
    const char *value, size_t vlen, struct str *err)
{
	struct hdr_field *f;
	int rc;

	if (index > hb->n) {
		if (err != NULL)
			str_appendf(err, "header insert at %zu of %zu fields",
			    index, hb->n);
		return HDR_EINVAL;
	}
	if ((rc = hdr_check_name(name, err)) != HDR_OK ||
	    (rc = hdr_check_value(name, strlen(name), value, vlen, err)) !=
	    HDR_OK)
		return rc;
	f = hdr_new_field(hb, index);
	str_setz(&f->name, name);
	str_set(&f->value, value, vlen);
	f->changed = true;
	hdr_note_8bit(hb, value, vlen);
	return HDR_OK;
}

int
hdr_insert(struct hdr_block *hb, size_t index, const char *name,
    const char *value, struct str *err)
{
	return hdr_insertn(hb, index, name, value, strlen(value), err);
}

int
hdr_append(struct hdr_block *hb, const char *name, const char *value,
    struct str *err)
{
	return hdr_insertn(hb, hb->n, name, value, strlen(value), err);
}

int
hdr_replacen(struct hdr_block *hb, size_t index, const char *value,
    size_t vlen, struct str *err)
{
	struct hdr_field *f;
	int rc;

	if (index >= hb->n) {
		if (err != NULL)
			str_appendf(err, "header replace at %zu of %zu fields",
			    index, hb->n);
		return HDR_EINVAL;
	}
	f = &hb->v[index];
	if ((rc = hdr_check_value(f->name.data, f->name.len, value, vlen,
	    err)) != HDR_OK)
		return rc;
	str_set(&f->value, value, vlen);
	/* The old bytes no longer describe the field: write it anew. */
	str_free(&f->raw);
	f->changed = true;
	f->crlf_fixed = false;
	hdr_note_8bit(hb, value, vlen);
	return HDR_OK;
}

int
hdr_replace(struct hdr_block *hb, size_t index, const char *value,
    struct str *err)
{
	return hdr_replacen(hb, index, value, strlen(value), err);
}

static void
hdr_drop(struct hdr_field *f)
{
	str_free(&f->name);
	str_free(&f->raw);
	str_free(&f->value);
}

int
hdr_remove(struct hdr_block *hb, size_t index)
{
	if (index >= hb->n)
		return HDR_EINVAL;
	hdr_drop(&hb->v[index]);
	memmove(&hb->v[index], &hb->v[index + 1],
	    (hb->n - index - 1) * sizeof(*hb->v));
	hb->n--;
	return HDR_OK;
}

size_t
hdr_remove_all(struct hdr_block *hb, const char *name)
{
	size_t i, j = 0, nlen = strlen(name);

	/* One pass that compacts, so removing many fields stays linear. */
	for (i = 0; i < hb->n; i++) {
		if (hdr_name_eq(&hb->v[i], name, nlen)) {
			hdr_drop(&hb->v[i]);
			continue;
		}
		if (i != j)
			hb->v[j] = hb->v[i];
		j++;
	}
	i = hb->n - j;
	hb->n = j;
	return i;
}
