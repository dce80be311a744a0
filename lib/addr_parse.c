/*
 * addr_parse - the RFC 5322 address grammar over the tokens of addr_lex.c.
 * See addr.h for what is accepted.
 *
 * The grammar is LL(1) once the words in front of an address are gathered:
 * the token after them decides what they were (':' a group name, '<' a
 * display name, '@' a local part, ',' or the end a bare local name).
 * Nothing recurses: a group cannot hold a group.
 */
#include "config.h"

#include <stdlib.h>

#include "addr_int.h"
#include "rfc2047.h"

enum parse_mode {
	PARSE_LIST,		/* address-list: mailboxes and groups */
	PARSE_ONE,		/* exactly one mailbox */
	PARSE_PATH		/* an SMTP path, no display name */
};

struct parser {
	struct addr_lex lx;
	struct addr_tok tok;	/* the current token */
	struct addr_tok *w;	/* words gathered in front of an address */
	size_t	nw, capw;
	size_t *bare;		/* addr_qualify_list: where each bare local
				   name ends in the input */
	size_t	nbare, capbare;
	size_t *seps;		/* addr_comma_list: where each separator
				   between list elements is */
	size_t	nseps, capseps;
};


static int
advance(struct parser *p)
{
	return addr_lex_next(&p->lx, &p->tok);
}

/* Is the current token the address_separator, between list elements? */
static bool
is_sep(const struct parser *p)
{
	return p->lx.sep != '\0' && p->lx.sep != ',' &&
	    p->tok.type == (unsigned char)p->lx.sep;
}

/* Remember where the separator is, and step over it. */
static int
skip_sep(struct parser *p)
{
	if (p->nseps == p->capseps) {
		p->capseps = p->capseps ? p->capseps * 2 : 8;
		p->seps = xreallocarray(p->seps, p->capseps, sizeof(*p->seps));
	}
	p->seps[p->nseps++] = p->tok.off;
	return advance(p);
}

static int
parse_fail(struct parser *p, const char *what)
{
	return addr_lex_error(p->lx.err, p->tok.off, "%s", what);
}

/* Name the current token for an "unexpected ..." message. */
static int
unexpected(struct parser *p, const char *after)
{
	const char *what;
	char c[4] = "' '";

	switch (p->tok.type) {
	case ADDR_T_END:	what = "end of input"; break;
	case ADDR_T_ATOM:	what = "word"; break;
	case ADDR_T_QSTR:	what = "quoted string"; break;
	case ADDR_T_LIT:	what = "domain literal"; break;
	default:
		c[1] = (char)p->tok.type;
		what = c;
	}
	return addr_lex_error(p->lx.err, p->tok.off, "unexpected %s%s", what,
	    after);
}

/* Collect atoms, quoted strings and dots into p->w. */
static int
gather(struct parser *p)
{
	p->nw = 0;
	while (p->tok.type == ADDR_T_ATOM || p->tok.type == ADDR_T_QSTR ||
	    p->tok.type == '.') {
		if (p->nw == p->capw) {
			p->capw = p->capw ? p->capw * 2 : 16;
			p->w = xreallocarray(p->w, p->capw, sizeof(*p->w));
		}
		p->w[p->nw++] = p->tok;
		if (advance(p) < 0)
			return -1;
	}
	return 0;
}

/*
 * The gathered words as a phrase (display or group name): obs-phrase, so
 * dots may appear anywhere; words separated by CFWS get one space.
 */
static void
words_phrase(struct parser *p, struct str *out)
{
	struct str raw = STR_INIT;
	size_t i;

	for (i = 0; i < p->nw; i++) {
		if (i > 0 && p->w[i].ws)
			str_appendc(&raw, ' ');
		addr_lex_word(&p->lx, &p->w[i], &raw);
	}
	str_reset(out);
	rfc2047_decode(raw.data, raw.len, out);
	str_free(&raw);
}

/* The gathered words as a local part: word *("." word). */
static int
words_local(struct parser *p, struct str *out)
{
	size_t i;

	if (p->nw == 0)
		return parse_fail(p, "missing local part");
	for (i = 0; i < p->nw; i++) {
		if ((i % 2 == 1) != (p->w[i].type == '.')) {
			if (p->w[i].type == '.')
				return addr_lex_error(p->lx.err, p->w[i].off,
				    "invalid '.' in local part");
			return addr_lex_error(p->lx.err, p->w[i].off,
			    "words without '.' in local part");
		}
	}
	if (p->w[p->nw - 1].type == '.')
		return addr_lex_error(p->lx.err, p->w[p->nw - 1].off,
		    "invalid '.' in local part");
	for (i = 0; i < p->nw; i++)
		addr_lex_word(&p->lx, &p->w[i], out);
	return 0;
}

/* dot-atom (obs-domain: CFWS around the dots), one trailing dot, literal. */
static int
parse_domain(struct parser *p, struct str *out)
{
	if (p->tok.type == ADDR_T_LIT) {
		str_append(out, p->lx.s + p->tok.off, p->tok.len);
		return advance(p);
	}
	if (p->tok.type == '.')
		return parse_fail(p, "invalid '.' in domain");
	if (p->tok.type != ADDR_T_ATOM)
		return parse_fail(p, "missing domain");
	for (;;) {
		str_append(out, p->lx.s + p->tok.off, p->tok.len);
		if (advance(p) < 0)
			return -1;
		if (p->tok.type != '.')
			return 0;
		str_appendc(out, '.');
		if (advance(p) < 0)
			return -1;
		if (p->tok.type == '.')
			return parse_fail(p, "invalid '.' in domain");
		if (p->tok.type != ADDR_T_ATOM)
			return 0;	/* a trailing dot: absolute name */
	}
}

/* addr-spec after the gathered words: '@' domain, or a bare local name. */
static int
parse_spec(struct parser *p, struct addr *a)
{
	if (words_local(p, &a->local) < 0)
		return -1;
	if (p->tok.type != '@') {
		const struct addr_tok *last = &p->w[p->nw - 1];

		/* "" is no name to qualify: it would become the odd
		   ""@domain, while it means nobody, like "<>". */
		if (a->local.len == 0)
			return 0;
		if (p->nbare == p->capbare) {
			p->capbare = p->capbare ? p->capbare * 2 : 8;
			p->bare = xreallocarray(p->bare, p->capbare,
			    sizeof(*p->bare));
		}
		p->bare[p->nbare++] = last->off + last->len;
		return 0;
	}
	if (advance(p) < 0)
		return -1;
	return parse_domain(p, &a->domain);
}

/* obs-route: "@a,,@b:" kept as "@a,@b"; the current token is '@'. */
static int
parse_route(struct parser *p, struct str *route)
{
	for (;;) {
		if (route->len > 0)
			str_appendc(route, ',');
		str_appendc(route, '@');
		if (advance(p) < 0 || parse_domain(p, route) < 0)
			return -1;
		while (p->tok.type == ',')
			if (advance(p) < 0)
				return -1;
		if (p->tok.type == ':')
			return advance(p);
		if (p->tok.type != '@')
			return parse_fail(p, "missing ':' after route");
	}
}

/* After '<': "<>", or [route] addr-spec '>'. */
static int
parse_angle(struct parser *p, struct addr *a)
{
	if (advance(p) < 0)
		return -1;
	if (p->tok.type == '>')
		return advance(p);
	if (p->tok.type == '@' && parse_route(p, &a->route) < 0)
		return -1;
	if (gather(p) < 0 || parse_spec(p, a) < 0)
		return -1;
	if (p->tok.type != '>')
		return parse_fail(p, "missing '>'");
	return advance(p);
}

/* No display name: use the first comment after the address, if any. */
static void
trailing_comment(struct parser *p, struct addr *a)
{
	struct str raw = STR_INIT;

	if (a->display.len > 0 || !p->tok.comment)
		return;
	addr_lex_unquote(p->lx.s + p->tok.coff, p->tok.clen, &raw);
	rfc2047_decode(raw.data, raw.len, &a->display);
	str_trim(&a->display);
	str_free(&raw);
}

/* A mailbox whose leading words are gathered and are not a group name. */
static int
parse_mailbox(struct parser *p, struct addr *a)
{
	if (p->tok.type == '<') {
		words_phrase(p, &a->display);
		if (parse_angle(p, a) < 0)
			return -1;
	} else if (p->nw == 0 && p->tok.type != '@') {
		return unexpected(p, "");
	} else if (parse_spec(p, a) < 0) {
		return -1;
	} else if (p->tok.type == ADDR_T_ATOM || p->tok.type == ADDR_T_QSTR ||
	    p->tok.type == '<') {
		return unexpected(p, " after an address");
	}
	trailing_comment(p, a);
	return 0;
}

/*
 * A phrase with no address is what a bare local name of two words looks
 * like: say what is missing rather than complain about the space.
 */
static int
parse_mailbox_checked(struct parser *p, struct addr *a)
{
	size_t i;

	if (p->tok.type != '<' && p->tok.type != '@') {
		for (i = 1; i < p->nw; i++)
			if (p->w[i].type != '.' && p->w[i - 1].type != '.')
				return parse_fail(p,
				    "display name without an address");
	}
	return parse_mailbox(p, a);
}

static int
parse_one_mailbox(struct parser *p, struct addr_list *out,
    const struct str *group)
{
	struct addr a;
	int rc;

	addr_init(&a);
	if ((rc = parse_mailbox_checked(p, &a)) == 0) {
		str_appends(&a.group, group);
		addr_list_push(out, &a);
	}
	addr_free(&a);
	return rc;
}

/* After "name:": mailboxes up to ';'. */
static int
parse_group(struct parser *p, struct addr_list *out, const struct str *name)
{
	if (advance(p) < 0)
		return -1;
	/* A ';' separator would end the group: RFC 5322's meaning wins. */
	for (;;) {
		while (p->tok.type == ',' || (is_sep(p) && p->tok.type != ';'))
			if ((p->tok.type == ',' ? advance(p) : skip_sep(p)) < 0)
				return -1;
		if (p->tok.type == ';')
			return advance(p);
		if (p->tok.type == ADDR_T_END)
			return parse_fail(p, "missing ';' at the end of group");
		if (gather(p) < 0)
			return -1;
		if (p->tok.type == ':')
			return parse_fail(p, "nested group");
		if (parse_one_mailbox(p, out, name) < 0)
			return -1;
		if (p->tok.type != ',' && p->tok.type != ';' &&
		    p->tok.type != ADDR_T_END && !is_sep(p))
			return unexpected(p, ", expected ',' or ';'");
	}
}

/* address = mailbox / group */
static int
parse_address(struct parser *p, struct addr_list *out)
{
	struct str name = STR_INIT;
	int rc;

	if (gather(p) < 0)
		return -1;
	if (p->tok.type != ':')
		return parse_one_mailbox(p, out, &name);
	if (p->nw == 0)
		return parse_fail(p, "missing group name");
	words_phrase(p, &name);
	rc = parse_group(p, out, &name);
	str_free(&name);
	return rc;
}

static int
parse_list(struct parser *p, struct addr_list *out)
{
	for (;;) {
		while (p->tok.type == ',' || is_sep(p))
			if ((p->tok.type == ',' ? advance(p) : skip_sep(p)) < 0)
				return -1;
		if (p->tok.type == ADDR_T_END)
			return 0;
		if (parse_address(p, out) < 0)
			return -1;
		if (p->tok.type != ',' && p->tok.type != ADDR_T_END &&
		    !is_sep(p))
			return unexpected(p, ", expected ','");
	}
}

static int
parse_single(struct parser *p, struct addr *a)
{
	if (p->tok.type == ADDR_T_END)
		return parse_fail(p, "no address");
	if (gather(p) < 0)
		return -1;
	if (p->tok.type == ':')
		return parse_fail(p, "group not allowed here");
	if (parse_mailbox_checked(p, a) < 0)
		return -1;
	if (p->tok.type == ',')
		return parse_fail(p, "more than one address");
	if (p->tok.type != ADDR_T_END)
		return unexpected(p, " after the address");
	return 0;
}

static int
parse_path(struct parser *p, struct addr *a)
{
	if (p->tok.type == '<') {
		if (parse_angle(p, a) < 0)
			return -1;
	} else {
		if (p->tok.type == ADDR_T_END)
			return parse_fail(p, "no address");
		if (gather(p) < 0)
			return -1;
		if (p->tok.type == '<')
			return parse_fail(p, "display name not allowed in a path");
		if (parse_spec(p, a) < 0)
			return -1;
	}
	if (p->tok.type != ADDR_T_END)
		return unexpected(p, " after the address");
	return 0;
}

static int
parser_start_sep(struct parser *p, const char *s, size_t len, char sep,
    struct str *err)
{
	p->lx.s = s;
	p->lx.len = len;
	p->lx.pos = 0;
	p->lx.err = err;
	p->w = NULL;
	p->nw = p->capw = 0;
	p->bare = NULL;
	p->nbare = p->capbare = 0;
	p->lx.sep = sep;
	p->seps = NULL;
	p->nseps = p->capseps = 0;
	if (len > ADDR_MAX_INPUT)
		return addr_lex_error(err, ADDR_MAX_INPUT,
		    "input longer than %d bytes", ADDR_MAX_INPUT);
	return advance(p);
}

static int
parser_start(struct parser *p, const char *s, size_t len, struct str *err)
{
	return parser_start_sep(p, s, len, '\0', err);
}

int
addr_parse_list(const char *s, size_t len, struct addr_list *out,
    struct str *err)
{
	struct parser p;
	size_t n0 = out->n;
	int rc;

	rc = parser_start(&p, s, len, err);
	if (rc == 0)
		rc = parse_list(&p, out);
	free(p.w);
	free(p.bare);
	free(p.seps);
	if (rc == 0)
		return ADDR_OK;
	addr_list_truncate(out, n0);
	return ADDR_EINVAL;
}

/* Parse into a scratch address; only a success replaces *out. */
static int
parse_into(const char *s, size_t len, struct addr *out, struct str *err,
    enum parse_mode mode)
{
	struct parser p;
	struct addr a;
	int rc;

	addr_init(&a);
	rc = parser_start(&p, s, len, err);
	if (rc == 0)
		rc = mode == PARSE_PATH ? parse_path(&p, &a) :
		    parse_single(&p, &a);
	free(p.w);
	free(p.bare);
	free(p.seps);
	if (rc == 0) {
		addr_free(out);
		*out = a;
		return ADDR_OK;
	}
	addr_free(&a);
	return ADDR_EINVAL;
}

int
addr_parse_one(const char *s, size_t len, struct addr *out, struct str *err)
{
	return parse_into(s, len, out, err, PARSE_ONE);
}

int
addr_parse_path(const char *s, size_t len, struct addr *out, struct str *err)
{
	return parse_into(s, len, out, err, PARSE_PATH);
}

/*
 * The input with "@domain" put right after each bare local name that the
 * grammar found, and nothing else touched: the offsets come from the same
 * parse, so a group name, a display name or a word inside a comment or a
 * quoted string can never be taken for an address.
 */
int
addr_qualify_list(const char *s, size_t len, const char *domain,
    struct str *out, size_t *count, struct str *err)
{
	struct parser p;
	struct addr_list l;
	size_t i, from = 0;
	int rc;

	addr_list_init(&l);
	*count = 0;
	rc = parser_start(&p, s, len, err);
	if (rc == 0)
		rc = parse_list(&p, &l);
	if (rc == 0) {
		for (i = 0; i < p.nbare; i++) {
			str_append(out, s + from, p.bare[i] - from);
			str_appendf(out, "@%s", domain);
			from = p.bare[i];
		}
		str_append(out, s + from, len - from);
		*count = p.nbare;
	}
	free(p.w);
	free(p.bare);
	free(p.seps);
	addr_list_free(&l);
	return rc == 0 ? ADDR_OK : ADDR_EINVAL;
}

/*
 * The separators the grammar found between elements, and nothing else,
 * become commas: a ';' inside a quoted string, a comment or a display
 * name, or the ';' that ends a group, is never one.
 */
int
addr_comma_list(const char *s, size_t len, char sep, struct str *out,
    size_t *count, struct str *err)
{
	struct parser p;
	struct addr_list l;
	size_t i, from = 0;
	int rc;

	*count = 0;
	addr_list_init(&l);
	if (sep == '\0' || sep == ',' || addr_parse_list(s, len, &l, NULL) ==
	    ADDR_OK) {
		addr_list_free(&l);
		str_append(out, s, len);
		return ADDR_OK;
	}
	rc = parser_start_sep(&p, s, len, sep, err);
	if (rc == 0)
		rc = parse_list(&p, &l);
	if (rc == 0) {
		for (i = 0; i < p.nseps; i++) {
			str_append(out, s + from, p.seps[i] - from);
			str_appendc(out, ',');
			from = p.seps[i] + 1;
		}
		str_append(out, s + from, len - from);
		*count = p.nseps;
	}
	free(p.w);
	free(p.bare);
	free(p.seps);
	addr_list_free(&l);
	return rc == 0 ? ADDR_OK : ADDR_EINVAL;
}
