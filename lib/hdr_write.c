/*
 * hdr_write - turn a header block back into bytes.  See hdr.h.
 *
 * Unchanged fields go out as read, so DKIM signatures over them survive;
 * only fields the policy made are folded here.
 */
#include "config.h"

#include <string.h>

#include "hdr.h"
#include "hdr_int.h"

const char *
hdr_eol(const struct hdr_block *hb)
{
	/* A tie (and a block never read) goes to CRLF, the wire form. */
	return hb->n_lf > hb->n_crlf ? "\n" : "\r\n";
}

/* True if a '"' that is not escaped follows v[from..n). */
static bool
hdr_quote_closes(const char *v, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (v[i] == '\\')
			i++;
		else if (v[i] == '"')
			return true;
	}
	return false;
}

/*
 * Write "Name: value" folded.  The value is cut into segments: a run of
 * WSP, then everything up to the next WSP outside a quoted string.  A fold
 * (line ending) goes before a segment that would pass the width, so every
 * continuation line starts with the segment's WSP and holds a word: never a
 * line of only whitespace.  A segment longer than the width stays whole.
 */
static void
hdr_fold(struct str *out, const struct str *name, const struct str *value,
    const char *eol)
{
	const char *v = value->data;
	size_t n = value->len, i = 0, k, col;
	bool inq = false, noclose = false, wsp_only;

	str_appends(out, name);
	str_appendz(out, n > 0 ? ": " : ":");
	col = name->len + 2;
	while (i < n) {
		for (k = i; k < n && hdr_is_wsp(v[k]); k++)
			;
		wsp_only = k == n;
		while (k < n && (inq || !hdr_is_wsp(v[k]))) {
			if (inq && v[k] == '\\' && k + 1 < n) {
				k += 2;
				continue;
			}
			if (v[k] == '"') {
				/*
				 * An opening quote that never closes is not a
				 * quoted string: folding the rest of the value
				 * is better than one endless line.  If none
				 * closes from here, no later quote exists.
				 */
				if (inq)
					inq = false;
				else if (!noclose) {
					if (hdr_quote_closes(v, k + 1, n))
						inq = true;
					else
						noclose = true;
				}
			}
			k++;
		}
		if (i > 0 && !wsp_only && col + (k - i) > HDR_FOLD_WIDTH) {
			str_appendz(out, eol);
			col = 0;
		}
		str_append(out, v + i, k - i);
		col += k - i;
		i = k;
	}
	str_appendz(out, eol);
}

void
hdr_write(const struct hdr_block *hb, struct str *out)
{
	const struct hdr_field *f;
	const char *eol = hdr_eol(hb);
	size_t i;

	for (i = 0; i < hb->n; i++) {
		f = &hb->v[i];
		if (!f->changed && f->raw.len > 0) {
			str_appends(out, &f->raw);
			/*
			 * Cut off by EOF: end it, or the next field joins.
			 * The reader made a CR there a space (hdr.h), so an
			 * LF added here cannot pair with it into a CRLF.
			 */
			if (f->raw.data[f->raw.len - 1] != '\n')
				str_appendz(out, eol);
		} else
			hdr_fold(out, &f->name, &f->value, eol);
	}
}

void
hdr_write_separator(const struct hdr_block *hb, struct str *out)
{
	if (hb->eoh.len > 0)
		str_appends(out, &hb->eoh);
	else
		str_appendz(out, hdr_eol(hb));
}
