/*
 * smtp_reply - SMTP replies as values (STYLE.md "Every SMTP or milter reply
 * is a struct"), and the EHLO keywords a reply announces.
 *
 * A reply keeps its full code and its enhanced status code (RFC 3463); it is
 * never reduced to code / 100.  Two ways to get one:
 *
 *  - smtp_reply_feed() parses a server's reply a line at a time, as the
 *    client's line reader hands them over (one line, with its CRLF or LF).
 *    The shape is checked strictly, as Postfix's smtp_chat.c does: exactly
 *    three digits, the first 2..5, then space, dash or end of line; the same
 *    code on every line; no NUL, no CR inside a line; a line ending present.
 *    Bounds: SMTP_REPLY_MAX_LINE bytes per line including the line ending
 *    (RFC 5321 says 512, but real servers send longer EHLO and rejection
 *    lines, so 4096 leaves room while still bounding memory), at most
 *    SMTP_REPLY_MAX_LINES lines per reply.  A whole reply thus holds at most
 *    about 4 MB.
 *  - smtp_reply_make() builds the replies smtpgate sends itself (milter
 *    rejections, -bs answers), refusing any that could not be sent.
 *
 * Enhanced status codes: "x.y.z" (class 2, 4 or 5, subject and detail of
 * one to three digits) at the start of a line's text, followed by a space
 * or the end of the line, is recognised and stripped from that line's text
 * when its class equals the reply code's first digit.  A code whose class
 * does not match (a "250 5.1.1 ...") is left in the text: it is not the
 * status of this reply.  The esc_* fields come from the first line that
 * carries one.  Recognition does not depend on esc_offered: servers such as
 * Exchange send enhanced codes without announcing ENHANCEDSTATUSCODES, and
 * the class rule already keeps ordinary text from being misread.
 * esc_offered is recorded for the client's diagnostics.
 *
 * Memory: a struct smtp_reply owns its text and raw strings.  Initialise with
 * SMTP_REPLY_INIT or smtp_reply_init(); smtp_reply_free() releases them.  The
 * err string rule is the one of smtp.h.
 */
#ifndef SMTPGATE_SMTP_REPLY_H
#define SMTPGATE_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp.h"
#include "str.h"
#include "util.h"

#define SMTP_REPLY_MAX_LINE	4096	/* bytes per line, CRLF included */
#define SMTP_REPLY_MAX_LINES	1000	/* lines per reply */

struct smtp_reply {
	int	code;		/* 200..599; 0 before the first line */
	int	esc_class;	/* enhanced status code, 0 when absent */
	int	esc_subject;
	int	esc_detail;
	struct str text;	/* lines' text joined with "\n", esc stripped */
	size_t	nlines;
	struct str raw;		/* the lines as received, CRLF kept; escape
				   before printing */
	bool	esc_offered;	/* set by the caller; kept by reset */
	bool	done;		/* private: the next feed starts a new reply */
};

#define SMTP_REPLY_INIT { 0, 0, 0, 0, STR_INIT, 0, STR_INIT, false, false }

void	smtp_reply_init(struct smtp_reply *r);
/* Forget the content (keeping the buffers and esc_offered). */
void	smtp_reply_reset(struct smtp_reply *r);
void	smtp_reply_free(struct smtp_reply *r);
/* dst becomes a copy of src (code, enhanced code, text, raw lines). */
void	smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src);

/*
 * Feed one line (with its CRLF or LF).  Returns SMTP_MORE after a
 * continuation line ("250-..."), SMTP_OK when the reply is complete ("250
 * ..." or a bare "250"), SMTP_EPROTO (err set, quoting the line escaped) on a
 * malformed line.  After SMTP_OK or SMTP_EPROTO the next call starts a new
 * reply by itself, so pipelined replies are read with one struct in a loop.
 */
int	smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
	    struct str *err);

/*
 * Build a reply smtpgate sends.  esc is "x.y.z" or NULL.  Returns
 * SMTP_EINVAL (r reset) for a code outside 200..599, a malformed esc, an esc
 * whose class is not the code's first digit, text with CR, LF or NUL, or
 * text too long for one SMTP_REPLY_MAX_LINE line.
 */
int	smtp_reply_make(struct smtp_reply *r, int code, const char *esc,
	    const char *fmt, ...) UTIL_PRINTF(4, 5);

/*
 * Append the wire form: one line per "\n"-separated piece of text, "550-"
 * on all but the last, the enhanced code (if any) on each, CRLF endings.
 * Nothing is written for a reply without a code.
 */
void	smtp_reply_format(const struct smtp_reply *r, struct str *out);

/* Append one escaped line for logs: "550 5.7.1 Relaying denied", lines
   joined with a space. */
void	smtp_reply_describe(const struct smtp_reply *r, struct str *out);

/*
 * The enhanced status code of r as text, "5.7.1", in buf; "" and false
 * when r has none.  The one place it is formatted: for the wire, logs,
 * DSN Status fields, and smtp_reply_make() or libmilter's esc argument.
 */
#define SMTP_REPLY_ESC_SIZE	36	/* three ints, two dots, NUL */
bool	smtp_reply_esc(const struct smtp_reply *r,
	    char buf[SMTP_REPLY_ESC_SIZE]);
/* Whether r's enhanced status code is cls.subject.detail. */
bool	smtp_reply_esc_is(const struct smtp_reply *r, int cls, int subject,
	    int detail);

bool	smtp_reply_ok(const struct smtp_reply *r);		/* 2xx */
bool	smtp_reply_is_intermediate(const struct smtp_reply *r); /* 3xx */
bool	smtp_reply_is_temp(const struct smtp_reply *r);		/* 4xx */
bool	smtp_reply_is_perm(const struct smtp_reply *r);		/* 5xx */

/* ---- EHLO (smtp_ehlo.c) ---------------------------------------------- */

#define SMTP_EXT_PIPELINING		0x001
#define SMTP_EXT_8BITMIME		0x002
#define SMTP_EXT_SMTPUTF8		0x004
#define SMTP_EXT_DSN			0x008
#define SMTP_EXT_ENHANCEDSTATUSCODES	0x010
#define SMTP_EXT_STARTTLS		0x020
#define SMTP_EXT_CHUNKING		0x040
#define SMTP_EXT_SIZE			0x080
#define SMTP_EXT_AUTH			0x100

#define SMTP_AUTH_PLAIN		0x001
#define SMTP_AUTH_LOGIN		0x002
#define SMTP_AUTH_XOAUTH2	0x004
#define SMTP_AUTH_OAUTHBEARER	0x008
#define SMTP_AUTH_CRAM_MD5	0x010
#define SMTP_AUTH_SCRAM_SHA_1	0x020
#define SMTP_AUTH_SCRAM_SHA_256	0x040
#define SMTP_AUTH_GSSAPI	0x080
#define SMTP_AUTH_NTLM		0x100

struct smtp_ext {
	unsigned flags;			/* SMTP_EXT_* */
	unsigned long long size_max;	/* SIZE n; 0 = no limit given */
	unsigned auth;			/* SMTP_AUTH_* */
};

/*
 * Read the extensions from a complete EHLO reply.  Keywords are matched
 * case-insensitively; the first line (the greeting) is skipped; unknown
 * keywords and mechanisms are ignored; "AUTH=LOGIN PLAIN" (the pre-RFC form)
 * counts like "AUTH".  A SIZE argument that is not a number or overflows is
 * ignored (SIZE flagged, size_max 0): the server will still refuse an
 * oversized message itself.  ext is always cleared first.  Returns
 * SMTP_EREPLY (err set) when the reply is not 250, SMTP_EINVAL when r holds
 * no complete reply.
 */
int	smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ext *ext,
	    struct str *err);

#endif
