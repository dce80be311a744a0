/*
 * addr - RFC 5322 mail addresses: parse header values, SMTP paths and
 * configuration values into struct addr, format them back, compare them.
 *
 * Syntax accepted (RFC 5322 section 3.4, with RFC 6532 UTF-8 and the
 * obsolete forms of section 4.4):
 *   - mailboxes, name-addr and addr-spec, and groups ("name: a, b;");
 *     an empty group such as "undisclosed-recipients:;" gives no entry;
 *   - CFWS wherever the grammar allows it, comments nested up to
 *     ADDR_MAX_COMMENT_DEPTH, parsed without recursion;
 *   - atoms, quoted strings and domain literals ("[192.0.2.1]"), with
 *     quoted-pairs and folding (CRLF followed by a space or tab); bytes of
 *     0x80 and above must form valid UTF-8;
 *   - obs-phrase ("John Q. Public"), obs-local-part ("a"."b"), obs-domain
 *     with CFWS around the dots, obs-route ("<@r1,@r2:a@b>") and empty list
 *     elements (",,");
 *   - a domain with one trailing dot ("example.org."), and "<>";
 *   - a bare local name without '@' ("root", as cron writes "To: root"),
 *     also inside angle brackets: its domain is empty.
 * Refused: NUL, CR or LF outside folding, other control characters, invalid
 * UTF-8, leading, trailing or double dots in an unquoted local part, a
 * phrase without an address, and input longer than ADDR_MAX_INPUT bytes.
 *
 * Display names are the phrase with its words joined by one space and RFC
 * 2047 encoded words decoded (see rfc2047.h), inside quoted strings too,
 * where many mailers wrongly put them.  When a mailbox has no display
 * name, the first comment after it becomes one: "ops@example.org (Ops
 * Team)" gives display "Ops Team", which addr_format() writes as
 * "Ops Team <ops@example.org>".  Comments are dropped everywhere else.
 *
 * Memory: struct addr owns its strings; addr_init() before first use,
 * addr_free() after.  A struct addr_list owns its entries.
 *
 * Errors: the parse functions return ADDR_OK, or ADDR_EINVAL with err set
 * (when err is not NULL) to "problem at offset N", N counting bytes from
 * the start of the input.  On failure the output is left as it was.
 */
#ifndef SMTPGATE_ADDR_H
#define SMTPGATE_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

#define ADDR_MAX_INPUT		(1024 * 1024)
#define ADDR_MAX_COMMENT_DEPTH	50

struct addr {
	struct str display;	/* decoded display name (UTF-8), may be empty */
	struct str local;	/* local part, quotes and escapes removed */
	struct str domain;	/* as written, literals with brackets;
				 * empty for "<>" and a bare local name */
	struct str group;	/* the group it was listed in, or empty */
	struct str route;	/* obsolete source route "@a,@b", or empty */
};

struct addr_list {
	struct addr *v;
	size_t	n;
};

enum {
	ADDR_OK = 0,
	ADDR_EINVAL
};

/* The sysexits.h status for a return code: EX_DATAERR for ADDR_EINVAL. */
int	addr_exitcode(int rc);

void	addr_init(struct addr *a);
void	addr_free(struct addr *a);
/* Replace dst (initialised, maybe holding an address) with a copy of src. */
void	addr_copy(struct addr *dst, const struct addr *src);
void	addr_list_init(struct addr_list *l);
void	addr_list_free(struct addr_list *l);

/* A To/Cc/From/Reply-To value, folded or not: append its mailboxes. */
int	addr_parse_list(const char *s, size_t len, struct addr_list *out,
	    struct str *err);
/* Exactly one mailbox: a single From, or a config value. */
int	addr_parse_one(const char *s, size_t len, struct addr *out,
	    struct str *err);
/*
 * An SMTP path or command-line address: "<a@b>", "a@b", "<>", "root",
 * "<@r1,@r2:a@b>", "\"x y\"@b".  A display name is refused.
 */
int	addr_parse_path(const char *s, size_t len, struct addr *out,
	    struct str *err);

/*
 * Qualify an address-list header value as Postfix's append_at_myorigin
 * does: every mailbox whose address is a bare local name ("root",
 * "<root>", a group member) gets "@domain" right after its local part;
 * display names, comments, group names, spacing and folding stay as they
 * were ("root (Cron Daemon)" -> "root@example.org (Cron Daemon)").  The
 * result is appended to out and *count says how many were qualified (0:
 * out got the input unchanged).  ADDR_EINVAL with err when the value does
 * not parse; out is then untouched.  domain must be a valid domain.
 */
int	addr_qualify_list(const char *s, size_t len, const char *domain,
	    struct str *out, size_t *count, struct str *err);

/*
 * A header value written with sep ([general] address_separator, such as
 * ';') between addresses where RFC 5322 wants ',': "a@x; b@y".  A value
 * that parses without sep is left as it is, so the separator never
 * changes what a valid field means ("undisclosed-recipients:;" stays a
 * group, "a|b@x" one address).  Otherwise it is parsed with sep accepted
 * between list elements (outside groups when sep is ';', which ends a
 * group), and out gets it with each such separator replaced by ','
 * and nothing else touched; *count says how many (0: out got the input
 * unchanged).  ADDR_EINVAL with err when it does not parse either way;
 * out is then untouched.
 */
int	addr_comma_list(const char *s, size_t len, char sep, struct str *out,
	    size_t *count, struct str *err);

/*
 * Formatting appends to out.  Local parts that are not a dot-atom are
 * quoted; display and group names are written as atoms, quoted, or RFC 2047
 * encoded when they hold non-ASCII or control bytes.  A source route is
 * kept by addr_format() and addr_format_path() and dropped by
 * addr_format_bare().  Whatever addr_parse_list() produced, formatted by
 * addr_format_list(), parses back to the same addresses.  Local parts and
 * domains are written byte for byte: an address built by hand rather than
 * parsed must be checked for NUL, CR and LF before it becomes a header.
 * Output is one line; folding is the header writer's job.
 */
/* "Name <local@domain>", or the bare addr-spec without a display name. */
void	addr_format(const struct addr *a, struct str *out);
/* "<local@domain>", "<>" for the null address. */
void	addr_format_path(const struct addr *a, struct str *out);
/* "local@domain", "local" without domain, "" for the null address. */
void	addr_format_bare(const struct addr *a, struct str *out);
/* ", " between entries; consecutive members of a group as "G: a, b;". */
void	addr_format_list(const struct addr_list *l, struct str *out);

/*
 * Comparisons for the policy engine.  addr_same() compares local parts
 * byte for byte except that ASCII letters match without regard to case:
 * RFC 5321 lets the receiving host tell User@x from user@x, but mail admins
 * expect them to be the same mailbox, and a policy that could be dodged by
 * changing case would be worthless.  Domains match without regard to ASCII
 * case and a trailing dot.  An address with a source route is never the
 * same as anything, itself included.
 */
bool	addr_same(const struct addr *a, const struct addr *b);
/* The domain is exactly domain (case, trailing dot ignored); no subdomains. */
bool	addr_in_domain(const struct addr *a, const char *domain);
/* pattern "user@dom" (addr_same) or "@dom" (addr_in_domain). */
bool	addr_match(const struct addr *a, const char *pattern);
/* A source route, or '%', '!' or '@' in the local part: suspicious. */
bool	addr_is_routed(const struct addr *a);

#endif
