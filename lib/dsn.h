/*
 * dsn - delivery status notifications (RFC 3464) for the queue's notices.
 *
 * dsn_build() writes a whole notice message, header and body, with LF line
 * ends, ready for submission from the null sender: a multipart/report of
 * report-type delivery-status whose parts are a text for people, the
 * machine-readable message/delivery-status, and the original message's
 * header as text/rfc822-headers.  Server replies and addresses come from
 * outside: control characters in them are replaced, and the boundary is
 * chosen so that no part contains it.
 */
#ifndef SMTPGATE_DSN_H
#define SMTPGATE_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "smtp_reply.h"
#include "str.h"

struct dsn_rcpt {
	const char *addr;		/* the recipient that failed */
	const struct smtp_reply *reply;	/* the server's answer, or NULL */
	const char *why;		/* for people; with or without a reply */
};

struct dsn_report {
	const char *host;		/* Reporting-MTA */
	const char *from;		/* From's address; NULL: MAILER-DAEMON@host */
	const char *queue_id;
	const char *to;			/* who gets the notice */
	const char *envid;		/* -V's ENVID, or NULL */
	const char *remote;		/* the relay's host name, or NULL */
	time_t	arrival;		/* when the message was queued */
	time_t	now;
	bool	given_up;		/* max_age: status 4.4.7 without a reply */
	const struct dsn_rcpt *rcpts;
	size_t	nrcpts;
	const struct str *header;	/* the original header, CRLF or LF */
};

void	dsn_build(const struct dsn_report *r, struct str *out);

/* The Status field for one recipient, e.g. "5.1.1" (exposed for tests). */
void	dsn_status(const struct dsn_rcpt *rc, bool given_up, struct str *out);

#endif
