/*
 * ids - identifiers and stamps smtpgate writes into mail: queue ids,
 * Message-ID values and RFC 5322 dates.
 *
 * Queue ids must be unique across processes and hosts sharing a spool:
 * they combine the time in microseconds, the process id and 64 random bits
 * from getrandom(2), in letters and digits only (safe as a file name and in
 * a log line).  Message-IDs put the same kind of unique left part before
 * "@" and the host name.  Nothing here fails: without getrandom() the
 * randomness falls back to /dev/urandom, and without that to the clock,
 * which still keeps ids unique together with time and pid.
 */
#ifndef SMTPGATE_IDS_H
#define SMTPGATE_IDS_H

#include <time.h>

#include "str.h"

/* Appends e.g. "4XkT9q2M0aB7x3cD1e": about 20 characters [0-9A-Za-z]. */
void	ids_queue_id(struct str *out);
/* Appends "<unique@host>"; host must already be a valid domain. */
void	ids_message_id(const char *host, struct str *out);
/* Appends "Tue, 24 Nov 2026 18:41:15 +0000" for t in local time. */
void	ids_date(time_t t, struct str *out);

/* This host's fully qualified name (gethostname, then the resolver's
   canonical name when it has one). */
void	ids_fqdn(struct str *out);
/* The login name of the real user, or "uid<N>" when it has none. */
void	ids_user(struct str *out);

#endif
