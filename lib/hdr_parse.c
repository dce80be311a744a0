/*
 * hdr_parse - read the header section from a stream or a buffer, and record
 * fields reported by the MTA.  See hdr.h.
 *
 * Both readers cut the input into lines (a line ends after LF, or at EOF)
 * and hand each to hdr_take_line(), the only place where lines are
 * classified, so the stream and the buffer can never disagree.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "hdr.h"
#include "hdr_int.h"

/* hdr_take_line() result meaning "that was the empty line". */
#define HDR_EOH		(-1)
/* Longest piece of a field name quoted in an error message. */
#define HDR_ERR_NAME	64

const struct hdr_limits hdr_default_limits = {
	HDR_DEF_MAX_FIELD, HDR_DEF_MAX_TOTAL, HDR_DEF_MAX_FIELDS
};

struct hdr_pstate {
	struct hdr_block *hb;
	const struct hdr_limits *lim;
	struct str *err;
	bool	open;		/* the last field may still get continuations */
};

void
hdr_init(struct hdr_block *hb)
{
	memset(hb, 0, sizeof(*hb));
	str_init(&hb->eoh);
	str_init(&hb->body_start);
}

static void
hdr_field_free(struct hdr_field *f)
{
	str_free(&f->name);
	str_free(&f->raw);
	str_free(&f->value);
}

void
hdr_free(struct hdr_block *hb)
{
	size_t i;

	for (i = 0; i < hb->n; i++)
		hdr_field_free(&hb->v[i]);
	free(hb->v);
	str_free(&hb->eoh);
	str_free(&hb->body_start);
	hdr_init(hb);
}

struct hdr_field *
hdr_new_field(struct hdr_block *hb, size_t index)
{
	struct hdr_field *f;

	if (hb->n == hb->cap) {
		hb->cap = hb->cap ? hb->cap * 2 : 16;
		hb->v = xreallocarray(hb->v, hb->cap, sizeof(*hb->v));
	}
	if (index < hb->n)
		memmove(&hb->v[index + 1], &hb->v[index],
		    (hb->n - index) * sizeof(*hb->v));
	hb->n++;
	f = &hb->v[index];
	str_init(&f->name);
	str_init(&f->raw);
	str_init(&f->value);
	f->changed = false;
	f->crlf_fixed = false;
	return f;
}

static void
hdr_perr(struct hdr_pstate *ps, const char *name, size_t nlen,
    const char *fmt, ...) UTIL_PRINTF(4, 5);

/* "line N: field "name": message" into ps->err. */
static void
hdr_perr(struct hdr_pstate *ps, const char *name, size_t nlen,
    const char *fmt, ...)
{
	va_list ap;

	if (ps->err == NULL)
		return;
	str_appendf(ps->err, "header line %zu: ", ps->hb->lines + 1);
	if (name != NULL) {
		str_appendz(ps->err, "field \"");
		str_append_escaped(ps->err, name,
		    nlen > HDR_ERR_NAME ? HDR_ERR_NAME : nlen);
		str_appendz(ps->err, nlen > HDR_ERR_NAME ? "...\": " : "\": ");
	}
	va_start(ap, fmt);
	str_vappendf(ps->err, fmt, ap);
	va_end(ap);
}

/* Length of the field name at the start of a line, 0 if it is not one. */
static size_t
hdr_name_len(const char *line, size_t len, size_t *colon)
{
	size_t i, j;

	for (i = 0; i < len && hdr_is_ftext((unsigned char)line[i]); i++)
		;
	/*
	 * RFC 5322 obs-optional allows WSP between name and colon, and
	 * Postfix takes such lines as header fields: so do we, rather than
	 * push "Subject : x" and everything after it into the body.
	 */
	for (j = i; j < len && hdr_is_wsp(line[j]); j++)
		;
	if (i == 0 || j >= len || line[j] != ':')
		return 0;
	*colon = j;
	return i;
}

/* Note how a line ended (eol bytes: 0 at EOF, 1 LF, 2 CRLF). */
static void
hdr_count_eol(struct hdr_block *hb, size_t eol)
{
	if (eol == 2) {
		hb->flags |= HDR_F_CRLF;
		hb->n_crlf++;
	} else if (eol == 1) {
		hb->flags |= HDR_F_LF;
		hb->n_lf++;
	}
}

/*
 * Classify one line (len bytes, LF included if there was one) and add it
 * to the block.  Returns HDR_OK, HDR_EOH for the empty line, or an error
 * with ps->err filled.  On error the block is not changed.
 */
static int
hdr_take_line(struct hdr_pstate *ps, const char *line, size_t len)
{
	struct hdr_block *hb = ps->hb;
	struct hdr_field *f = NULL;
	struct str clean = STR_INIT;
	const char *name = NULL, *v, *end;
	size_t eol = 0, nlen = 0, colon = 0, i;
	bool cont;

	if (len > 0 && line[len - 1] == '\n')
		eol = len > 1 && line[len - 2] == '\r' ? 2 : 1;
	if (len == eol) {
		str_set(&hb->eoh, line, len);
		hdr_count_eol(hb, eol);
		hb->lines++;
		return HDR_EOH;
	}
	cont = hdr_is_wsp(line[0]);
	if (cont && ps->open) {
		f = &hb->v[hb->n - 1];
		name = f->name.data;
		nlen = f->name.len;
	} else if (!cont) {
		nlen = hdr_name_len(line, len, &colon);
		name = line;
	}
	/* NUL first: a NUL line is refused even where it would be body. */
	if (memchr(line, '\0', len) != NULL) {
		if (nlen == 0) {
			/* Quote what precedes the NUL to say where it is. */
			name = line;
			nlen = (size_t)((const char *)memchr(line, '\0', len) -
			    line);
			hdr_perr(ps, NULL, 0, "NUL byte in header after \"");
			if (ps->err != NULL) {
				str_append_escaped(ps->err, name,
				    nlen > HDR_ERR_NAME ? HDR_ERR_NAME : nlen);
				str_appendz(ps->err, "\"");
			}
		} else
			hdr_perr(ps, name, nlen, "NUL byte in header");
		return HDR_ENUL;
	}
	if (cont && !ps->open) {
		hdr_perr(ps, NULL, 0, "continuation line before any header "
		    "field; header ends here, the line starts the body");
		hb->flags |= HDR_F_NOTHEADER;
		return HDR_ENOTHEADER;
	}
	if (!cont && nlen == 0) {
		hdr_perr(ps, NULL, 0, "not a header field (\"");
		if (ps->err != NULL) {
			str_append_escaped(ps->err, line,
			    len - eol > HDR_ERR_NAME ? HDR_ERR_NAME : len - eol);
			str_appendz(ps->err, len - eol > HDR_ERR_NAME ?
			    "...\"); " : "\"); ");
			str_appendz(ps->err, "header ends here, the line "
			    "starts the body");
		}
		hb->flags |= HDR_F_NOTHEADER;
		return HDR_ENOTHEADER;
	}
	if ((f != NULL && len > ps->lim->max_field - f->raw.len) ||
	    (f == NULL && len > ps->lim->max_field)) {
		hdr_perr(ps, name, nlen, "field longer than %zu bytes",
		    ps->lim->max_field);
		return HDR_ETOOLONG;
	}
	if (len > ps->lim->max_total - hb->size) {
		hdr_perr(ps, name, nlen, "header section longer than %zu "
		    "bytes", ps->lim->max_total);
		return HDR_ETOOBIG;
	}
	if (f == NULL && hb->n >= ps->lim->max_fields) {
		hdr_perr(ps, name, nlen, "more than %zu header fields",
		    ps->lim->max_fields);
		return HDR_ETOOBIG;
	}

	/*
	 * A bare CR inside a field becomes a space, here, before anyone looks
	 * at the field.  Left alone it is a line break for the wire encoder
	 * (smtp_data turns it into CRLF) and for many receivers, but part of
	 * the value for the policy: "Subject: x\rFrom: <ceo@...>" would be a
	 * Subject to the policy and a second From to the relay.  As a space
	 * it means the same to both, in value and raw alike, and the field
	 * stays one field.  Only bytes before the line ending can be bare CRs
	 * (an LF ends the line), so the line ending itself is never touched.
	 */
	if (memchr(line, '\r', len - eol) != NULL) {
		str_set(&clean, line, len);
		for (i = 0; i < len - eol; i++)
			if (clean.data[i] == '\r')
				clean.data[i] = ' ';
		line = clean.data;
		hb->flags |= HDR_F_BARE_CR;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] >= 0x80) {
			hb->flags |= HDR_F_8BIT;
			break;
		}
	hdr_count_eol(hb, eol);
	hb->size += len;
	hb->lines++;

	end = line + len - eol;
	if (f == NULL) {
		f = hdr_new_field(hb, hb->n);
		str_set(&f->name, line, nlen);
		v = line + colon + 1;
		ps->open = true;
	} else
		v = line;
	/* Leading WSP after the colon goes, even across a fold. */
	if (f->value.len == 0)
		while (v < end && hdr_is_wsp(*v))
			v++;
	str_append(&f->raw, line, len);
	str_append(&f->value, v, (size_t)(end - v));
	/* A line cut off by EOF cannot be continued. */
	if (eol == 0)
		ps->open = false;
	str_free(&clean);
	return HDR_OK;
}

static void
hdr_pstate_init(struct hdr_pstate *ps, struct hdr_block *hb,
    const struct hdr_limits *lim, struct str *err)
{
	/* Reading starts a new block: whatever hb held goes. */
	hdr_free(hb);
	ps->hb = hb;
	ps->lim = lim != NULL ? lim : &hdr_default_limits;
	ps->err = err;
	ps->open = false;
}

/*
 * Longest line piece handed to hdr_take_line(): one byte more than a field
 * may hold is enough to know a line is too long, so the rest stays in the
 * stream, never in memory.  The buffer reader cuts lines the same way, so
 * that both report the same error for the same input (a NUL far into an
 * overlong line is not seen by either).
 */
static size_t
hdr_line_limit(const struct hdr_limits *lim)
{
	return lim->max_field < SIZE_MAX ? lim->max_field + 1 : lim->max_field;
}

int
hdr_read(struct hdr_block *hb, FILE *in, const struct hdr_limits *lim,
    struct str *err)
{
	struct hdr_pstate ps;
	struct str line = STR_INIT;
	size_t limit;
	int c, rc;

	hdr_pstate_init(&ps, hb, lim, err);
	limit = hdr_line_limit(ps.lim);
	for (;;) {
		str_reset(&line);
		while (line.len < limit && (c = getc(in)) != EOF) {
			str_appendc(&line, c);
			if (c == '\n')
				break;
		}
		if (ferror(in)) {
			str_set(&hb->body_start, line.data, line.len);
			hdr_perr(&ps, NULL, 0, "read error: %s",
			    strerror(errno));
			rc = HDR_EIO;
			break;
		}
		if (line.len == 0) {
			hb->flags |= HDR_F_NOBODY_SEP;
			rc = HDR_OK;
			break;
		}
		rc = hdr_take_line(&ps, line.data, line.len);
		if (rc == HDR_EOH) {
			rc = HDR_OK;
			break;
		}
		if (rc != HDR_OK) {
			str_set(&hb->body_start, line.data, line.len);
			break;
		}
	}
	str_free(&line);
	return rc;
}

int
hdr_parse_buffer(struct hdr_block *hb, const char *data, size_t len,
    const struct hdr_limits *lim, size_t *consumed, struct str *err)
{
	struct hdr_pstate ps;
	const char *nl;
	size_t pos = 0, llen;
	int rc;

	hdr_pstate_init(&ps, hb, lim, err);
	while (pos < len) {
		nl = memchr(data + pos, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - (data + pos)) + 1 : len - pos;
		if (llen > hdr_line_limit(ps.lim))
			llen = hdr_line_limit(ps.lim);
		rc = hdr_take_line(&ps, data + pos, llen);
		if (rc == HDR_EOH) {
			*consumed = pos + llen;
			return HDR_OK;
		}
		if (rc != HDR_OK) {
			*consumed = pos;
			return rc;
		}
		pos += llen;
	}
	hb->flags |= HDR_F_NOBODY_SEP;
	*consumed = len;
	return HDR_OK;
}

void
hdr_add_parsed(struct hdr_block *hb, const char *name, const char *value)
{
	struct hdr_field *f;
	size_t i, j, n = strlen(value);

	f = hdr_new_field(hb, hb->n);
	str_setz(&f->name, name);
	str_reserve(&f->value, n);
	/*
	 * libmilter hands folded values over: drop each line break before
	 * WSP.  A whole run of CR and LF goes, so that no break before WSP
	 * can be left behind (CR LF CR LF SP would otherwise keep one).
	 * Any other CR or LF (a bare CR the MTA took as data, a break not
	 * followed by WSP) becomes a space, as hdr_read() does it: the next
	 * hop may see a header line start there, so the policy must not judge
	 * a value that holds one.  The MTA still has the old bytes: the field
	 * is marked so that the policy replaces it there (policy_header.c).
	 */
	for (i = 0; i < n; i = j) {
		if ((unsigned char)value[i] >= 0x80)
			hb->flags |= HDR_F_8BIT;
		for (j = i; j < n && (value[j] == '\r' || value[j] == '\n'); j++)
			;
		if (j == i) {
			str_appendc(&f->value, value[j++]);
			continue;
		}
		if (j < n && hdr_is_wsp(value[j]))
			continue;
		for (; i < j; i++)
			str_appendc(&f->value, ' ');
		f->crlf_fixed = true;
		hb->flags |= HDR_F_BARE_CR;
	}
	hb->size += strlen(name) + 1 + n;
}

int
hdr_exitcode(int rc)
{
	switch (rc) {
	case HDR_OK:
		return EX_OK;
	case HDR_EIO:
		return EX_IOERR;
	case HDR_EINVAL:
		return EX_SOFTWARE;
	default:
		return EX_DATAERR;
	}
}
