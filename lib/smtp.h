/*
 * smtp - the SMTP client's wire layer: overview and shared return codes.
 *
 * The SMTP client (a later module) talks to one relay over one connection
 * and may send many messages over it with PIPELINING.  It is built from
 * small, network-free parts that can each be tested and fuzzed alone:
 *
 *   smtp_reply.h  server replies as values: the incremental reply parser,
 *                 the one constructor for replies smtpgate makes itself,
 *                 formatting, and EHLO keyword parsing (smtp_ehlo.c).
 *   smtp_data.h   the DATA-phase encoder: CRLF line endings, dot-stuffing,
 *                 no SMTP-smuggling end-of-data sequence, O(1) state.
 *
 * Rules for every smtp_* function that takes a `struct str *err`: err is
 * written (replaced) only when the function fails, with a message naming
 * what is wrong and quoting the outside bytes escaped; on success it is left
 * untouched.  Out of memory and broken invariants die() (util.h).
 */
#ifndef SMTPGATE_SMTP_H
#define SMTPGATE_SMTP_H

enum {
	SMTP_OK = 0,		/* done: reply complete, value valid */
	SMTP_MORE,		/* reply parser: continuation line, feed more */
	SMTP_EINVAL,		/* the caller asked for something invalid */
	SMTP_EPROTO,		/* the server broke the protocol */
	SMTP_EREPLY		/* the server refused (see the reply itself) */
};

/*
 * Map a return code to <sysexits.h>.  SMTP_EPROTO and SMTP_EREPLY are
 * EX_TEMPFAIL: a garbled or refusing server is a reason to try the next
 * relay or queue (DESIGN.md "Temporary or permanent"); a permanent 5xx to
 * MAIL, RCPT or DATA is decided by the client from the reply, not here.
 * SMTP_EINVAL is EX_SOFTWARE: smtpgate built a bad request.
 */
int	smtp_exitcode(int rc);

#endif
