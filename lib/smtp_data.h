/*
 * smtp_data - the DATA-phase encoder: the wire is clean (DESIGN.md).
 *
 * Turns message bytes, in chunks of any size, into what is sent after DATA:
 *   - every line ends in CRLF: CRLF stays, a bare LF becomes CRLF, a bare CR
 *     becomes CRLF (a CR at the end of one chunk and an LF at the start of
 *     the next are one CRLF);
 *   - a line starting with "." gets a second "." (dot-stuffing), the first
 *     line and lines after a converted bare CR or LF included;
 *   - smtp_data_finish() adds the missing final CRLF and ".\r\n".
 * Consequently no chunking of any input can make "\r\n.\r\n" (or any of the
 * SMTP-smuggling end-of-data variants such as "\n.\n" or "\r.\r\n") appear
 * on the wire anywhere but at the very end: every line break in the output
 * is a CRLF produced here, and every line after one that starts with "."
 * is stuffed.
 *
 * Memory: the state is O(1) (a few flags and counters); smtp_data_feed()
 * appends at most twice the input length to out, which the caller flushes
 * (and resets) whenever it likes.  Long lines are not rewritten: the
 * counters let the client refuse a message over SIZE or warn about lines
 * over 998 octets.
 *
 * NUL bytes pass through unchanged and set has_nul: rewriting the message
 * is not this layer's business, and the client decides whether to refuse
 * (a server that silently drops NULs could turn "\r\n\0.\r\n" into an
 * end-of-data, so refusing or stripping NULs before encoding is the safe
 * client policy).  8-bit bytes set has_8bit for 8BITMIME/SMTPUTF8 choices.
 */
#ifndef SMTPGATE_SMTP_DATA_H
#define SMTPGATE_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

struct smtp_data {
	/* state carried between chunks */
	bool	at_bol;		/* next output byte starts a line */
	bool	skip_lf;	/* last input byte was a CR already sent as CRLF */
	bool	finished;
	/* counters */
	unsigned long long in_bytes;	/* input bytes fed */
	unsigned long long out_bytes;	/* wire bytes produced, ".\r\n" incl. */
	unsigned long long lines;	/* body lines, final CRLF added incl. */
	unsigned long long line_len;	/* current line so far */
	unsigned long long longest_line; /* wire octets, CRLF excl., stuffing
					    dot incl. */
	bool	has_8bit;	/* a byte >= 0x80 was seen */
	bool	has_nul;	/* a NUL byte was seen */
};

void	smtp_data_init(struct smtp_data *d);
/* Append the wire form of buf[0..len) to out. */
void	smtp_data_feed(struct smtp_data *d, const char *buf, size_t len,
	    struct str *out);
/* Append the final CRLF if missing, then ".\r\n".  Feeding after finish is
   a bug (die()); smtp_data_init() starts the next message. */
void	smtp_data_finish(struct smtp_data *d, struct str *out);

#endif
