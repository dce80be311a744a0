/*
 * smtpin - the server side of "sendmail -bs": an SMTP dialogue on stdin and
 * stdout, as Symfony Mailer, SwiftMailer and other PHP libraries speak it.
 *
 * It understands EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, HELP and
 * QUIT, several messages per session, and answers every command in order
 * (so a pipelining client works too).  Each message's data, with the dot
 * stuffing undone and CR LF made LF, is written to a temporary file and
 * handed to the deliver callback with its envelope; the callback's reply
 * (built with smtp_reply_make) is what the client hears after ".".
 * Only CR LF "." CR LF ends the data: a "." after a bare LF or bare CR is
 * data (no SMTP smuggling into -bs), so the dialogue needs CR LF line ends
 * in DATA, as RFC 5321 says.  Command lines may end in LF alone, as
 * Postfix allows.
 * A command line longer than SMTPIN_MAX_CMD is refused (500) and skipped;
 * message lines of any length pass through without being held in memory.
 * With a size limit, EHLO advertises it (SIZE) and a message over it is
 * read to its "." but not stored, and refused with 552 5.3.4 without
 * reaching the callback.
 */
#ifndef SMTPGATE_SMTPIN_H
#define SMTPGATE_SMTPIN_H

#include <stddef.h>
#include <stdio.h>

#include "envelope.h"
#include "smtp_reply.h"

#define SMTPIN_MAX_CMD		4096
#define SMTPIN_MAX_RCPTS	1000

struct smtpin_txn {
	/* sender: the MAIL FROM path without <> ("" for <>); rcpts: the
	   RCPT TO paths without <>; eight_bit: BODY=8BITMIME was given */
	struct envelope env;
	FILE   *data;		/* the message, rewound; CR LF made LF, bare
				   CR and bare LF kept */
};

/*
 * Deliver one message; fill reply (250 when sent or queued, 4xx or 5xx
 * otherwise).  Returning non-zero ends the session after the reply.
 */
typedef int (*smtpin_deliver_fn)(void *arg, struct smtpin_txn *txn,
    struct smtp_reply *reply);

enum {
	SMTPIN_OK = 0,
	SMTPIN_EIO,		/* reading or writing the dialogue failed */
	SMTPIN_ETRUNC		/* the input ended inside DATA: that message
				   was not accepted (nor delivered) */
};

/*
 * Run a session until QUIT or end of input.  The messages accepted before
 * an error were delivered and stay so; SMTPIN_ETRUNC tells the caller
 * that the last one was not, although no reply said so.  max_size: the
 * most bytes of data a message may have (LF line endings, dots
 * unstuffed), 0 for no limit.
 */
int	smtpin_run(FILE *in, FILE *out, const char *hostname,
	    unsigned long long max_size, smtpin_deliver_fn deliver, void *arg);

#endif
