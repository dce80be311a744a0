/*
 * msgbody - take a message body from a stream (the shim's stdin) into a
 * temporary file, so that it can be sent more than once (fallback relays,
 * the queue) while memory stays flat whatever its size.
 *
 * sendmail's rule applies unless ignore_dots (-i, -oi) is set: a line that
 * is a single "." ends the input there, and what follows is not read.  The
 * bytes are kept as they are; the SMTP encoder makes the wire clean later.
 * Statistics tell the sender what to announce (SIZE, BODY=8BITMIME).
 */
#ifndef SMTPGATE_MSGBODY_H
#define SMTPGATE_MSGBODY_H

#include <stdbool.h>
#include <stdio.h>

#include "str.h"

enum { MSGBODY_OK = 0, MSGBODY_EIO, MSGBODY_ETMP,
	MSGBODY_ETOOBIG		/* over max bytes: reading stopped there */
};

struct msgbody {
	FILE   *fp;			/* the body, rewound after reading */
	unsigned long long size;	/* bytes */
	bool	eight_bit;
	bool	has_nul;
	bool	dot_ended;		/* a lone "." ended the input */
	long long start;		/* where the body starts in fp (a queue
					   file holds the header first) */
	unsigned long long max;		/* msgbody_read()'s limit */
	bool	borrowed;		/* fp is the caller's: not closed */
};

/*
 * Read the body: first the bytes in prefix (what the header reader took
 * from the stream that belongs to the body), then the rest of in.  The
 * temporary file is created in dir (NULL: $TMPDIR or /tmp), unlinked at
 * once, so nothing is left behind whatever happens to the process.
 * More than max bytes (MSGBODY_NO_MAX: no limit) is MSGBODY_ETOOBIG, and
 * nothing past the chunk that crossed the limit is read: a caller over
 * its limit is not made to wait until the whole input has been taken.
 */
#define MSGBODY_NO_MAX	(~0ULL)
int	msgbody_read(struct msgbody *b, const struct str *prefix, FILE *in,
	    bool ignore_dots, unsigned long long max, const char *dir,
	    struct str *err);
/* The reader for smtp_client_send(): arg is the struct msgbody. */
int	msgbody_reader(void *arg, char *buf, size_t cap, size_t *got,
	    struct str *err);
int	msgbody_rewind(struct msgbody *b);
/*
 * A body in a file someone else owns and closes (a queued message, whose
 * file holds its lock): read from the start, size bytes.
 */
void	msgbody_borrow(struct msgbody *b, FILE *fp, unsigned long long size,
	    bool eight_bit);
/* Close the temporary file; a borrowed one is only let go. */
void	msgbody_close(struct msgbody *b);

#endif
