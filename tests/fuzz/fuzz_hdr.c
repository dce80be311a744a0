/*
 * fuzz_hdr - the header reader, editor and writer on arbitrary input.
 *
 * Besides "no crash", it checks the promises of hdr.h: the stream and the
 * buffer readers agree, no input byte is lost (raw fields + empty line +
 * body_start + rest of the stream == input, but for each bare CR in the
 * fields, which is a space), no field keeps a bare CR and no value a CR at
 * all, an untouched block is written back byte for byte, and an edited
 * block written out parses again to the same fields and values.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "hdr.h"

/* Small limits so the fuzzer reaches every limit error quickly. */
static const struct hdr_limits fuzz_lim = { 512, 8192, 64 };

static void
fuzz_raws(const struct hdr_block *hb, struct str *out)
{
	size_t i;

	for (i = 0; i < hb->n; i++)
		str_appends(out, &hb->v[i].raw);
}

static void
fuzz_check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_hdr: %s\n", what);
		abort();
	}
}

/*
 * got (n bytes) is the start of the input data as hdr.h promises it: equal,
 * except that within the first fields bytes (the raw fields) every bare CR
 * of the input is a space.
 */
static bool
fuzz_same(const char *got, size_t n, const uint8_t *data, size_t size,
    size_t fields)
{
	size_t i;
	bool bare;

	if (n > size)
		return false;
	for (i = 0; i < n; i++) {
		bare = data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n');
		if (i < fields && bare ? got[i] != ' ' :
		    (unsigned char)got[i] != data[i])
			return false;
	}
	return true;
}

static void
fuzz_no_bare_cr(const struct hdr_block *hb)
{
	const struct str *r;
	size_t i, j;

	for (i = 0; i < hb->n; i++) {
		r = &hb->v[i].raw;
		for (j = 0; j < r->len; j++)
			fuzz_check(r->data[j] != '\r' || (j + 1 < r->len &&
			    r->data[j + 1] == '\n'), "bare CR left in a field");
		fuzz_check(hb->v[i].value.len == 0 ||
		    memchr(hb->v[i].value.data, '\r', hb->v[i].value.len) ==
		    NULL, "CR left in a value");
	}
}

static void
fuzz_stream(const uint8_t *data, size_t size, const struct hdr_block *ref,
    int ref_rc)
{
	struct hdr_block hb;
	struct str all = STR_INIT, err = STR_INIT;
	size_t fields;
	FILE *fp;
	int rc, c;

	if (size == 0 || (fp = fmemopen((void *)(uintptr_t)data, size, "r")) ==
	    NULL)
		return;
	hdr_init(&hb);
	rc = hdr_read(&hb, fp, &fuzz_lim, &err);
	fuzz_check(rc == ref_rc, "stream and buffer disagree on the result");
	fuzz_check(hb.n == ref->n, "stream and buffer disagree on fields");
	fuzz_check((rc == HDR_OK) == (err.len == 0), "err set iff failure");
	fuzz_raws(&hb, &all);
	fields = all.len;
	str_appends(&all, &hb.eoh);
	str_appends(&all, &hb.body_start);
	while ((c = getc(fp)) != EOF)
		str_appendc(&all, c);
	fuzz_check(all.len == size && fuzz_same(all.data, all.len, data, size,
	    fields), "bytes lost or changed by hdr_read");
	fuzz_no_bare_cr(&hb);
	fclose(fp);
	str_free(&all);
	str_free(&err);
	hdr_free(&hb);
}

static void
fuzz_edit(struct hdr_block *hb, const uint8_t *data, size_t size)
{
	struct hdr_block again;
	struct str val = STR_INIT, out = STR_INIT;
	size_t i, used;
	int rc;

	/* A value from the input: no CR, LF, NUL, no leading WSP. */
	for (i = 0; i < size && val.len < 300; i++)
		if (data[i] != '\r' && data[i] != '\n' && data[i] != '\0' &&
		    !(val.len == 0 && (data[i] == ' ' || data[i] == '\t')))
			str_appendc(&val, data[i]);
	if (hb->n > 0)
		fuzz_check(hdr_replace(hb, 0, str_cstr(&val), NULL) ==
		    HDR_OK, "replace refused a clean value");
	hdr_remove_all(hb, "received");
	fuzz_check(hdr_append(hb, "X-Fuzz", str_cstr(&val), NULL) == HDR_OK,
	    "append refused a clean value");
	fuzz_check(hdr_insert(hb, 0, "X-Bad", "a\r\nBcc: x", NULL) ==
	    HDR_EINVAL, "injection accepted");
	hdr_write(hb, &out);
	hdr_write_separator(hb, &out);
	hdr_init(&again);
	rc = hdr_parse_buffer(&again, out.data, out.len, NULL, &used, NULL);
	fuzz_check(rc == HDR_OK && used == out.len,
	    "written header does not parse back");
	fuzz_check(again.n == hb->n, "field count changed by write");
	for (i = 0; i < hb->n; i++) {
		fuzz_check(again.v[i].name.len == hb->v[i].name.len &&
		    memcmp(str_cstr(&again.v[i].name),
		    str_cstr(&hb->v[i].name), hb->v[i].name.len) == 0,
		    "name changed by write");
		fuzz_check(again.v[i].value.len == hb->v[i].value.len &&
		    memcmp(str_cstr(&again.v[i].value),
		    str_cstr(&hb->v[i].value), hb->v[i].value.len) == 0,
		    "value changed by write");
	}
	hdr_free(&again);
	str_free(&val);
	str_free(&out);
}

/*
 * The milter side: NUL-separated name/value pairs as libmilter would hand
 * them over.  Lookups must agree with each other, values must come out
 * unfolded and without any CR or LF, and removing a name removes exactly
 * its count.
 */
static void
fuzz_milter(const uint8_t *data, size_t size)
{
	struct hdr_block hb;
	struct str buf = STR_INIT, out = STR_INIT;
	const char *p, *end, *name, *value, *q;
	size_t i, j, same, count;

	str_set(&buf, data, size);
	p = str_cstr(&buf);
	end = p + buf.len;
	hdr_init(&hb);
	while (p < end && hb.n < 32) {
		name = p;
		p += strlen(p) + 1;
		if (p >= end)
			break;
		value = p;
		p += strlen(p) + 1;
		hdr_add_parsed(&hb, name, value);
	}
	for (i = 0; i < hb.n; i++) {
		/* Folds are gone, and every other break is a space. */
		q = str_cstr(&hb.v[i].value);
		fuzz_check(strchr(q, '\r') == NULL && strchr(q, '\n') == NULL,
		    "CR or LF left in a value from the MTA");
		for (j = 0, same = 0; j <= i; j++)
			if (strcasecmp(str_cstr(&hb.v[j].name),
			    str_cstr(&hb.v[i].name)) == 0)
				same++;
		fuzz_check(hdr_occurrence(&hb, i) == same,
		    "occurrence disagrees");
		fuzz_check(hdr_find(&hb, str_cstr(&hb.v[i].name), 0) <=
		    (ssize_t)i, "find missed a field");
	}
	hdr_write(&hb, &out);
	if (hb.n > 0) {
		str_setz(&buf, str_cstr(&hb.v[0].name));
		count = hdr_count(&hb, str_cstr(&buf));
		i = hb.n;
		fuzz_check(hdr_remove_all(&hb, str_cstr(&buf)) == count &&
		    hb.n == i - count && hdr_find(&hb, str_cstr(&buf), 0) == -1,
		    "remove_all disagrees with count");
	}
	hdr_free(&hb);
	str_free(&buf);
	str_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr_block hb;
	struct str err = STR_INIT, all = STR_INIT, out = STR_INIT;
	size_t consumed = 0, fields, i;
	int rc;

	hdr_init(&hb);
	rc = hdr_parse_buffer(&hb, (const char *)data, size, &fuzz_lim,
	    &consumed, &err);
	fuzz_check(consumed <= size, "consumed past the end");
	fuzz_check((rc == HDR_OK) == (err.len == 0), "err set iff failure");
	fuzz_check(hb.size <= fuzz_lim.max_total, "over the total limit");
	fuzz_check(hb.n <= fuzz_lim.max_fields, "over the field limit");
	for (i = 0; i < hb.n; i++)
		fuzz_check(hb.v[i].raw.len <= fuzz_lim.max_field,
		    "field over the limit");
	fuzz_raws(&hb, &all);
	fields = all.len;
	str_appends(&all, &hb.eoh);
	fuzz_check(all.len == consumed && fuzz_same(all.data, consumed, data,
	    size, fields), "consumed bytes lost");
	fuzz_no_bare_cr(&hb);
	fuzz_stream(data, size, &hb, rc);

	if (rc == HDR_OK || rc == HDR_ENOTHEADER) {
		hdr_write(&hb, &out);
		/* Untouched: the raw bytes, plus an ending after EOF. */
		str_reset(&all);
		fuzz_raws(&hb, &all);
		if (!(hb.flags & HDR_F_NOBODY_SEP) || hb.n == 0 ||
		    (all.len > 0 && all.data[all.len - 1] == '\n'))
			fuzz_check(out.len == all.len && (all.len == 0 ||
			    memcmp(out.data, all.data, all.len) == 0),
			    "untouched header not written as read");
		fuzz_edit(&hb, data, size);
	}
	hdr_free(&hb);
	str_free(&err);
	str_free(&all);
	str_free(&out);
	fuzz_milter(data, size);
	return 0;
}
