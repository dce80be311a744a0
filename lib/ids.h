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

#include <stdbool.h>
#include <stddef.h>
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
/*
 * The domain that unqualified addresses get ("root" -> root@domain), as
 * Debian's MTAs choose it: [general] domain when configured (passed as
 * configured, already checked by the loader), else the first line of
 * mailname (/etc/mailname; read once, trimmed, and used only when it is a
 * domain name with a dot), else hostname (the [general] hostname or the
 * FQDN) when it has a dot.  A mailname file that exists but cannot be read
 * or does not hold a domain appends one line to warn (the caller says it)
 * and is passed over; a missing one is not news.  Appends the domain to
 * out and says where it came from; IDS_DOMAIN_NONE leaves out alone.
 * The file is read with the rights of the process: the setgid shim calls
 * this as its caller (Debian's /etc/mailname is world-readable).
 */
#define IDS_MAILNAME	"/etc/mailname"
enum ids_domain_from {
	IDS_DOMAIN_NONE = 0,	/* nothing fits: local names need aliases */
	IDS_DOMAIN_CONFIG,
	IDS_DOMAIN_MAILNAME,
	IDS_DOMAIN_HOSTNAME
};
enum ids_domain_from ids_domain(const char *configured, const char *mailname,
	    const char *hostname, struct str *out, struct str *warn);
/* A host name fit to qualify mail addresses: LDH labels of 1-63 bytes,
   at least two of them, 253 bytes at most, no trailing dot. */
bool	ids_domain_ok(const char *s, size_t len);

/* The login name of the real user, or "uid<N>" when it has none. */
void	ids_user(struct str *out);

#endif
