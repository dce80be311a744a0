/*
 * hint - one line of plain-language advice for a failed attempt on a
 * relay: the failures users of "SMTP settings" pages meet most, told from
 * the evidence the client has (the stage, the server's reply, how the
 * connection failed) and the relay's settings.
 *
 * Rules: each hint names the configuration key to change ("set tls =
 * implicit", "password_file"), so the user knows where to look; a hint
 * says only what the evidence supports (a silent port is "probably" TLS
 * at once unless the port number says so too); no hint is better than a
 * wrong one.  The text is for a terminal and a log line: no newline, no
 * secret, nothing from the server but what the result already quotes.
 */
#ifndef SMTPGATE_HINT_H
#define SMTPGATE_HINT_H

#include <stdbool.h>

#include "cfg.h"
#include "smtp_client.h"
#include "str.h"

/*
 * Append the hint for res, an attempt on relay r (NULL: none known), to
 * out.  Returns false, out untouched, when there is none.
 */
bool	hint_for(const struct cfg_relay *r, const struct smtp_result *res,
	    struct str *out);

#endif
