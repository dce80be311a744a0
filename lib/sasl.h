/*
 * sasl - the client side of the SMTP AUTH mechanisms smtpgate speaks:
 * PLAIN (RFC 4616), LOGIN (the de-facto draft), XOAUTH2 (Google and
 * Microsoft) and OAUTHBEARER (RFC 7628).
 *
 * Rules: the exchange is data only; the SMTP client sends the lines.
 * Responses are base64 text that carries the secret: callers never log
 * them and free them with str_free_secret().  The secret is borrowed, not
 * copied.  sasl_next() fills err only when it returns SASL_EFAIL, and never
 * with the secret; for the OAuth mechanisms it includes the server's decoded
 * error report (a small JSON text) escaped, which is what users need to see.
 */
#ifndef SMTPGATE_SASL_H
#define SMTPGATE_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

/* Mechanisms as bits, so a set offered by a server is a mask. */
#define SASL_PLAIN		0x01u
#define SASL_LOGIN		0x02u
#define SASL_XOAUTH2		0x04u
#define SASL_OAUTHBEARER	0x08u
/* What "auth = auto" may pick for a password: the order is preference. */
#define SASL_AUTO_PASSWORD	(SASL_PLAIN | SASL_LOGIN)

enum { SASL_OK = 0, SASL_EFAIL };

struct sasl_client {
	unsigned mech;		/* one SASL_* bit */
	int	step;		/* challenges answered so far */
	const char *user;
	const struct str *secret;	/* password or OAuth2 access token */
	const char *host;	/* for OAUTHBEARER's host= and port= */
	unsigned port;
};

const char *sasl_mech_name(unsigned mech);
/* The SASL_* bit for a mechanism name (case-insensitive), 0 if unknown. */
unsigned sasl_mech_from_name(const char *name, size_t len);
/*
 * Pick the mechanism: the first bit of `wanted` (in the order PLAIN, LOGIN,
 * XOAUTH2, OAUTHBEARER) that the server offered.  0 when none fits.
 */
unsigned sasl_choose(unsigned wanted, unsigned offered);

void	sasl_start(struct sasl_client *c, unsigned mech, const char *user,
	    const struct str *secret, const char *host, unsigned port);
/*
 * The initial response to send with "AUTH <mech> <response>", base64.
 * False when the mechanism has none (LOGIN waits for the server's prompt).
 */
bool	sasl_initial(struct sasl_client *c, struct str *response);
/*
 * Answer a 334 challenge (its base64 text after "334 ").  SASL_OK with the
 * response to send; SASL_EFAIL when the exchange cannot go on (err says why;
 * the response is then the one that ends it: "*" or the mechanism's own).
 */
int	sasl_next(struct sasl_client *c, const char *challenge, size_t len,
	    struct str *response, struct str *err);

#endif
