/*
 * smtp_reply - SMTP replies as values: parser, constructor, formatting.
 * See smtp_reply.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "smtp_reply.h"

/* How much of an offending line an error message quotes. */
#define SMTP_REPLY_QUOTE_MAX	200

int
smtp_exitcode(int rc)
{
	switch (rc) {
	case SMTP_OK:
	case SMTP_MORE:
		return EX_OK;
	case SMTP_EPROTO:
	case SMTP_EREPLY:
		return EX_TEMPFAIL;
	case SMTP_EINVAL:
	default:
		return EX_SOFTWARE;
	}
}

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	str_init(&r->text);
	str_init(&r->raw);
}

void
smtp_reply_reset(struct smtp_reply *r)
{
	r->code = 0;
	r->esc_class = r->esc_subject = r->esc_detail = 0;
	str_reset(&r->text);
	r->nlines = 0;
	str_reset(&r->raw);
	r->done = false;
}

void
smtp_reply_free(struct smtp_reply *r)
{
	str_free(&r->text);
	str_free(&r->raw);
	smtp_reply_init(r);
}

/*
 * Recognise "x.y.z" at p: class one of 2, 4, 5, subject and detail 1..3
 * digits, followed by the end or a space (not consumed).  Returns the bytes
 * it spans, 0 when there is none.
 */
static size_t
smtp_esc_scan(const char *p, size_t len, int *cls, int *subj, int *det)
{
	int v[3];
	size_t i = 0, n;
	int part;

	for (part = 0; part < 3; part++) {
		if (part > 0) {
			if (i >= len || p[i] != '.')
				return 0;
			i++;
		}
		v[part] = 0;
		for (n = 0; i < len && p[i] >= '0' && p[i] <= '9'; n++, i++) {
			/* Class is one digit; subject and detail up to three. */
			if (n == (part == 0 ? 1u : 3u))
				return 0;
			v[part] = v[part] * 10 + (p[i] - '0');
		}
		if (n == 0)
			return 0;
	}
	if (v[0] != 2 && v[0] != 4 && v[0] != 5)
		return 0;
	if (i < len && p[i] != ' ')
		return 0;
	*cls = v[0];
	*subj = v[1];
	*det = v[2];
	return i;
}

static void
smtp_reply_quote(struct str *err, const char *line, size_t len)
{
	str_appendz(err, ": \"");
	if (len > SMTP_REPLY_QUOTE_MAX) {
		str_append_escaped(err, line, SMTP_REPLY_QUOTE_MAX);
		str_appendf(err, "\"... (%zu bytes)", len);
	} else {
		str_append_escaped(err, line, len);
		str_appendc(err, '"');
	}
}

static int
smtp_reply_bad(struct smtp_reply *r, struct str *err, const char *line,
    size_t len, const char *fmt, ...) UTIL_PRINTF(5, 6);

static int
smtp_reply_bad(struct smtp_reply *r, struct str *err, const char *line,
    size_t len, const char *fmt, ...)
{
	va_list ap;

	str_reset(err);
	str_appendf(err, "malformed SMTP reply line %zu: ", r->nlines + 1);
	va_start(ap, fmt);
	str_vappendf(err, fmt, ap);
	va_end(ap);
	smtp_reply_quote(err, line, len);
	/*
	 * A half-parsed reply must not pass for a whole one: drop it.  The
	 * connection is unusable anyway; the next feed starts afresh.
	 */
	smtp_reply_reset(r);
	r->done = true;
	return SMTP_EPROTO;
}

bool
smtp_reply_esc(const struct smtp_reply *r, char buf[SMTP_REPLY_ESC_SIZE])
{
	buf[0] = '\0';
	if (r->esc_class == 0)
		return false;
	snprintf(buf, SMTP_REPLY_ESC_SIZE, "%d.%d.%d", r->esc_class,
	    r->esc_subject, r->esc_detail);
	return true;
}

bool
smtp_reply_esc_is(const struct smtp_reply *r, int cls, int subject,
    int detail)
{
	return r->esc_class == cls && r->esc_subject == subject &&
	    r->esc_detail == detail;
}

void
smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	smtp_reply_reset(dst);
	dst->code = src->code;
	dst->esc_class = src->esc_class;
	dst->esc_subject = src->esc_subject;
	dst->esc_detail = src->esc_detail;
	dst->nlines = src->nlines;
	str_set(&dst->text, src->text.data, src->text.len);
	str_set(&dst->raw, src->raw.data, src->raw.len);
}

int
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
    struct str *err)
{
	size_t body, off;
	const char *text;
	size_t tlen;
	int code, cls, subj, det;

	if (r->done)
		smtp_reply_reset(r);
	if (len > SMTP_REPLY_MAX_LINE)
		return smtp_reply_bad(r, err, line, len,
		    "longer than %d bytes", SMTP_REPLY_MAX_LINE);
	if (r->nlines >= SMTP_REPLY_MAX_LINES)
		return smtp_reply_bad(r, err, line, len,
		    "reply has more than %d lines", SMTP_REPLY_MAX_LINES);
	/* A partial line at EOF: the server closed in mid-reply. */
	if (len == 0 || line[len - 1] != '\n')
		return smtp_reply_bad(r, err, line, len, "no line ending");
	if (memchr(line, '\0', len) != NULL)
		return smtp_reply_bad(r, err, line, len, "NUL byte");
	body = len - 1;
	if (body > 0 && line[body - 1] == '\r')
		body--;
	/* A CR or LF inside would smuggle a line break into text. */
	if (memchr(line, '\r', body) != NULL ||
	    memchr(line, '\n', body) != NULL)
		return smtp_reply_bad(r, err, line, len,
		    "line break inside the line");
	if (body < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (body > 3 && line[3] != ' ' && line[3] != '-'))
		return smtp_reply_bad(r, err, line, len, "expected three "
		    "digits (2xx..5xx), then space, dash or end of line");
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return smtp_reply_bad(r, err, line, len,
		    "code %d differs from %d of the previous lines", code,
		    r->code);
	r->code = code;

	text = body > 3 ? line + 4 : line + body;
	tlen = body > 3 ? body - 4 : 0;
	off = smtp_esc_scan(text, tlen, &cls, &subj, &det);
	if (off > 0 && cls == code / 100) {
		if (r->esc_class == 0) {
			r->esc_class = cls;
			r->esc_subject = subj;
			r->esc_detail = det;
		}
		if (off < tlen)
			off++;		/* the separating space */
		text += off;
		tlen -= off;
	}
	if (r->nlines > 0)
		str_appendc(&r->text, '\n');
	str_append(&r->text, text, tlen);
	str_append(&r->raw, line, len);
	r->nlines++;
	if (body > 3 && line[3] == '-')
		return SMTP_MORE;
	r->done = true;
	return SMTP_OK;
}

int
smtp_reply_make(struct smtp_reply *r, int code, const char *esc,
    const char *fmt, ...)
{
	int cls = 0, subj = 0, det = 0;
	va_list ap;
	size_t n;

	smtp_reply_reset(r);
	if (code < 200 || code > 599)
		return SMTP_EINVAL;
	if (esc != NULL) {
		n = strlen(esc);
		if (smtp_esc_scan(esc, n, &cls, &subj, &det) != n || n == 0)
			return SMTP_EINVAL;
		/* RFC 3463: the class must agree with the reply code. */
		if (cls != code / 100)
			return SMTP_EINVAL;
	}
	va_start(ap, fmt);
	str_vappendf(&r->text, fmt, ap);
	va_end(ap);
	/* Room for "550-5.999.999 " and CRLF within one line. */
	if (str_has_crlfnul(&r->text) ||
	    r->text.len > SMTP_REPLY_MAX_LINE - 16) {
		smtp_reply_reset(r);
		return SMTP_EINVAL;
	}
	r->code = code;
	r->esc_class = cls;
	r->esc_subject = subj;
	r->esc_detail = det;
	r->nlines = 1;
	smtp_reply_format(r, &r->raw);
	r->done = true;
	return SMTP_OK;
}

void
smtp_reply_format(const struct smtp_reply *r, struct str *out)
{
	const char *p, *end, *nl;
	char esc[SMTP_REPLY_ESC_SIZE];

	if (r->code == 0)
		return;
	p = r->text.data != NULL ? r->text.data : "";
	end = p + r->text.len;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		str_appendf(out, "%03d%c", r->code, nl != NULL ? '-' : ' ');
		if (smtp_reply_esc(r, esc))
			str_appendf(out, "%s ", esc);
		str_append(out, p, (size_t)((nl != NULL ? nl : end) - p));
		/* "250 " with nothing after it: end the line at the code. */
		while (out->len > 0 && out->data[out->len - 1] == ' ' &&
		    (nl != NULL ? nl : end) == p)
			str_truncate(out, out->len - 1);
		str_appendz(out, "\r\n");
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
smtp_reply_describe(const struct smtp_reply *r, struct str *out)
{
	const char *p, *end, *nl;
	char esc[SMTP_REPLY_ESC_SIZE];

	str_appendf(out, "%03d", r->code);
	if (smtp_reply_esc(r, esc))
		str_appendf(out, " %s", esc);
	p = r->text.data != NULL ? r->text.data : "";
	end = p + r->text.len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p) {
			str_appendc(out, ' ');
			str_append_escaped(out, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
}

bool
smtp_reply_ok(const struct smtp_reply *r)
{
	return r->code >= 200 && r->code <= 299;
}

bool
smtp_reply_is_intermediate(const struct smtp_reply *r)
{
	return r->code >= 300 && r->code <= 399;
}

bool
smtp_reply_is_temp(const struct smtp_reply *r)
{
	return r->code >= 400 && r->code <= 499;
}

bool
smtp_reply_is_perm(const struct smtp_reply *r)
{
	return r->code >= 500 && r->code <= 599;
}
