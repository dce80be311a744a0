/*
 * addr_lex - RFC 5322 tokens for the address parser: atoms, quoted strings,
 * domain literals and specials, with CFWS skipped (and the first comment
 * remembered).  Every byte of the input is checked here, so the parser
 * never sees NUL, a bare CR or LF, a control character or invalid UTF-8.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "addr_int.h"

int
addr_lex_error(struct str *err, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	str_reset(err);
	va_start(ap, fmt);
	str_vappendf(err, fmt, ap);
	va_end(ap);
	str_appendf(err, " at offset %zu", off);
	return -1;
}

bool
addr_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Explain why the byte at off is not allowed where it is. */
static int
lex_bad_byte(struct addr_lex *lx, size_t off)
{
	unsigned char c = (unsigned char)lx->s[off];

	if (c == '\0')
		return addr_lex_error(lx->err, off, "NUL byte");
	if (c == '\r' || c == '\n')
		return addr_lex_error(lx->err, off, "CR or LF outside folding");
	if (c < 0x20 || c == 0x7f)
		return addr_lex_error(lx->err, off, "control character 0x%02x",
		    c);
	if (c >= 0x80)
		return addr_lex_error(lx->err, off, "invalid UTF-8");
	return addr_lex_error(lx->err, off, "unexpected '%c'", c);
}

/*
 * The length of one text character at off (printable ASCII, space, tab or
 * a UTF-8 sequence), or 0 with the error set.
 */
static size_t
lex_char(struct addr_lex *lx, size_t off)
{
	unsigned char c = (unsigned char)lx->s[off];
	size_t n;

	if (c == '\t' || (c >= 0x20 && c < 0x7f))
		return 1;
	if (c >= 0x80 && (n = str_utf8_len(lx->s + off, lx->len - off)) > 0)
		return n;
	lex_bad_byte(lx, off);
	return 0;
}

/* Step over CRLF if it folds a line (a space or tab follows). */
static bool
lex_fold(struct addr_lex *lx)
{
	const char *s = lx->s;
	size_t p = lx->pos;

	if (p + 2 < lx->len && s[p] == '\r' && s[p + 1] == '\n' &&
	    (s[p + 2] == ' ' || s[p + 2] == '\t')) {
		lx->pos += 2;
		return true;
	}
	return false;
}

/*
 * A quoted-pair at lx->pos; false at the end of input (the caller reports
 * its unterminated construct) or with the error set (*bad).
 */
static bool
lex_qpair(struct addr_lex *lx, bool *bad)
{
	size_t n;

	if (lx->pos + 1 >= lx->len)
		return false;
	if ((n = lex_char(lx, lx->pos + 1)) == 0) {
		*bad = true;
		return false;
	}
	lx->pos += 1 + n;
	return true;
}

/*
 * A comment, nested at most ADDR_MAX_COMMENT_DEPTH deep, counted rather
 * than recursed into so that no input can exhaust the stack.
 */
static int
lex_comment(struct addr_lex *lx, struct addr_tok *t)
{
	size_t start = lx->pos, n;
	unsigned depth = 0;
	bool bad = false;

	while (lx->pos < lx->len) {
		switch (lx->s[lx->pos]) {
		case '(':
			if (++depth > ADDR_MAX_COMMENT_DEPTH)
				return addr_lex_error(lx->err, lx->pos,
				    "nested comments deeper than %d",
				    ADDR_MAX_COMMENT_DEPTH);
			lx->pos++;
			continue;
		case ')':
			lx->pos++;
			if (--depth > 0)
				continue;
			if (!t->comment) {
				t->comment = true;
				t->coff = start + 1;
				t->clen = lx->pos - 1 - t->coff;
			}
			return 0;
		case '\\':
			if (lex_qpair(lx, &bad))
				continue;
			if (bad)
				return -1;
			goto unterminated;
		case '\r':
			if (lex_fold(lx))
				continue;
			break;
		}
		if ((n = lex_char(lx, lx->pos)) == 0)
			return -1;
		lx->pos += n;
	}
unterminated:
	return addr_lex_error(lx->err, start, "unterminated comment");
}

/* Skip CFWS; a bare CR is left for the caller to refuse. */
static int
lex_cfws(struct addr_lex *lx, struct addr_tok *t)
{
	while (lx->pos < lx->len) {
		switch (lx->s[lx->pos]) {
		case ' ':
		case '\t':
			lx->pos++;
			break;
		case '\r':
			if (!lex_fold(lx))
				return 0;
			break;
		case '(':
			if (lex_comment(lx, t) < 0)
				return -1;
			break;
		default:
			return 0;
		}
		t->ws = true;
	}
	return 0;
}

static int
lex_qstr(struct addr_lex *lx, struct addr_tok *t)
{
	size_t n;
	bool bad = false;

	lx->pos++;
	while (lx->pos < lx->len) {
		switch (lx->s[lx->pos]) {
		case '"':
			lx->pos++;
			t->type = ADDR_T_QSTR;
			t->len = lx->pos - t->off;
			return 0;
		case '\\':
			if (lex_qpair(lx, &bad))
				continue;
			if (bad)
				return -1;
			goto unterminated;
		case '\r':
			if (lex_fold(lx))
				continue;
			break;
		}
		if ((n = lex_char(lx, lx->pos)) == 0)
			return -1;
		lx->pos += n;
	}
unterminated:
	return addr_lex_error(lx->err, t->off, "unterminated quoted string");
}

/* A domain literal: dtext only, no white space or quoted-pairs. */
static int
lex_literal(struct addr_lex *lx, struct addr_tok *t)
{
	size_t n;
	char c;

	lx->pos++;
	while (lx->pos < lx->len) {
		c = lx->s[lx->pos];
		if (c == ']') {
			lx->pos++;
			t->type = ADDR_T_LIT;
			t->len = lx->pos - t->off;
			return 0;
		}
		if (c == '[' || c == '\\' || c == ' ' || c == '\t')
			return addr_lex_error(lx->err, lx->pos,
			    "invalid character in domain literal");
		if ((n = lex_char(lx, lx->pos)) == 0)
			return -1;
		lx->pos += n;
	}
	return addr_lex_error(lx->err, t->off, "unterminated domain literal");
}

static int
lex_atom(struct addr_lex *lx, struct addr_tok *t)
{
	unsigned char c;
	size_t n;

	while (lx->pos < lx->len) {
		c = (unsigned char)lx->s[lx->pos];
		if (lx->sep != '\0' && c == (unsigned char)lx->sep)
			break;
		if (addr_atext(c))
			n = 1;
		else if (c < 0x80)
			break;
		else if ((n = str_utf8_len(lx->s + lx->pos,
		    lx->len - lx->pos)) == 0)
			return addr_lex_error(lx->err, lx->pos,
			    "invalid UTF-8");
		lx->pos += n;
	}
	t->type = ADDR_T_ATOM;
	t->len = lx->pos - t->off;
	return 0;
}

int
addr_lex_next(struct addr_lex *lx, struct addr_tok *t)
{
	unsigned char c;

	memset(t, 0, sizeof(*t));
	if (lex_cfws(lx, t) < 0)
		return -1;
	t->off = lx->pos;
	if (lx->pos >= lx->len) {
		t->type = ADDR_T_END;
		return 0;
	}
	c = (unsigned char)lx->s[lx->pos];
	if (lx->sep != '\0' && c == (unsigned char)lx->sep) {
		t->type = c;
		t->len = 1;
		lx->pos++;
		return 0;
	}
	switch (c) {
	case '"':
		return lex_qstr(lx, t);
	case '[':
		return lex_literal(lx, t);
	case '<': case '>': case ':': case ';': case '@': case ',': case '.':
		t->type = c;
		t->len = 1;
		lx->pos++;
		return 0;
	case ')':
		return addr_lex_error(lx->err, lx->pos, "unbalanced ')'");
	case ']':
		return addr_lex_error(lx->err, lx->pos, "unbalanced ']'");
	case '\\':
		return addr_lex_error(lx->err, lx->pos,
		    "backslash outside quotes");
	}
	if (addr_atext(c) || c >= 0x80)
		return lex_atom(lx, t);
	return lex_bad_byte(lx, lx->pos);
}

void
addr_lex_unquote(const char *s, size_t len, struct str *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
			i++;	/* folding: the lexer saw a space follow */
			continue;
		}
		str_appendc(out, s[i]);
	}
}

void
addr_lex_word(const struct addr_lex *lx, const struct addr_tok *t,
    struct str *out)
{
	if (t->type == ADDR_T_QSTR)
		addr_lex_unquote(lx->s + t->off + 1, t->len - 2, out);
	else
		str_append(out, lx->s + t->off, t->len);
}
