/*
 * envelope - what a message is sent with, as opposed to what it says: the
 * sender, the recipients, the DSN parameters (RFC 3461) and what MAIL FROM
 * announces (BODY=8BITMIME, SMTPUTF8, SIZE).  One struct that the shim's
 * submission, the spool, the SMTP client, the policy engine, -bs and the
 * milter all embed, instead of each copying the fields into its own.
 *
 * Addresses are kept as their owner was given them: bare ("a@b", "" for
 * the null sender) everywhere but in the milter, which keeps the MTA's
 * "<a@b>" (the policy engine reads both).  The envelope does not judge
 * them; its owner does.
 *
 * Memory: a struct envelope owns its strings.  ENVELOPE_INIT /
 * envelope_init() give an empty one; envelope_free() releases everything
 * and leaves it empty and reusable.  Allocation failure die()s.
 */
#ifndef SMTPGATE_ENVELOPE_H
#define SMTPGATE_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "strvec.h"

/* DSN NOTIFY bits (RFC 3461), as -N gives them. */
#define SMTP_NOTIFY_NEVER	0x1u
#define SMTP_NOTIFY_SUCCESS	0x2u
#define SMTP_NOTIFY_FAILURE	0x4u
#define SMTP_NOTIFY_DELAY	0x8u

struct envelope {
	char   *sender;		/* "" for the null sender; NULL: not set */
	struct strvec rcpts;
	unsigned dsn_notify;	/* SMTP_NOTIFY_* bits, 0: not given */
	char   *dsn_ret;	/* "full" / "hdrs", or NULL */
	char   *dsn_envid;	/* or NULL */
	bool	eight_bit;	/* 8-bit content: BODY=8BITMIME */
	bool	smtputf8;	/* an address or header is UTF-8 */
	unsigned long long size;	/* bytes of the message; 0 unknown */
};

#define ENVELOPE_INIT { NULL, STRVEC_INIT, 0, NULL, NULL, false, false, 0 }

void	envelope_init(struct envelope *e);
void	envelope_free(struct envelope *e);
/* Replace the sender with a copy of sender (NULL: none). */
void	envelope_set_sender(struct envelope *e, const char *sender);
/* Append a copy of rcpt; duplicates are the caller's to avoid. */
void	envelope_add_rcpt(struct envelope *e, const char *rcpt);
/* Remove recipient i, keeping the order of the others. */
void	envelope_del_rcpt(struct envelope *e, size_t i);
/* Replace the DSN parameters with copies (NULL: not given). */
void	envelope_set_dsn(struct envelope *e, unsigned notify, const char *ret,
	    const char *envid);
/* Make dst a deep copy of src. */
void	envelope_copy(struct envelope *dst, const struct envelope *src);

#endif
