/*
 * addr_int - what the files of the addr module share and nobody else uses:
 * the lexer (addr_lex.c) under the parser (addr_parse.c), the list helpers
 * (addr.c) and the character classes the formatter (addr_format.c) needs to
 * write what the lexer reads.
 */
#ifndef SMTPGATE_ADDR_INT_H
#define SMTPGATE_ADDR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* Token types: these, or the special character itself ("<>:;@,."). */
enum {
	ADDR_T_END = 256,
	ADDR_T_ATOM,
	ADDR_T_QSTR,		/* raw span includes the quotes */
	ADDR_T_LIT		/* domain literal, raw span includes brackets */
};

struct addr_tok {
	int	type;
	size_t	off, len;	/* raw span in the input */
	bool	ws;		/* CFWS came before the token */
	bool	comment;	/* a comment came before it: coff, clen */
	size_t	coff, clen;	/* the first one, inside its parentheses */
};

struct addr_lex {
	const char *s;
	size_t	len;
	size_t	pos;
	struct str *err;	/* may be NULL */
	char	sep;		/* an address_separator: a token of its own
				   even where it is atext ('|'); 0: none */
};

/* Next token; -1 with lx->err set on a lexical error. */
int	addr_lex_next(struct addr_lex *lx, struct addr_tok *t);
/* Append the text of a word: an atom as is, a quoted string unquoted. */
void	addr_lex_word(const struct addr_lex *lx, const struct addr_tok *t,
	    struct str *out);
/* Append comment or quoted-string content without quoted-pairs and CRLF. */
void	addr_lex_unquote(const char *s, size_t len, struct str *out);
/* "problem at offset N": replaces err (if not NULL); returns -1. */
int	addr_lex_error(struct str *err, size_t off, const char *fmt, ...)
	    UTIL_PRINTF(3, 4);
/* RFC 5322 atext (ASCII only; UTF-8 is checked with str_utf8_len). */
bool	addr_atext(int c);

/* Append a (moved: a is left empty) to l. */
void	addr_list_push(struct addr_list *l, struct addr *a);
/* Free the entries past n and shrink the list to n. */
void	addr_list_truncate(struct addr_list *l, size_t n);

#endif
