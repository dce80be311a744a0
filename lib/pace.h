/*
 * pace - "wait_ms": a minimum gap between the starts of two messages on one
 * relay, honoured by every process on the host.
 *
 * A file per relay in the state directory holds the time (milliseconds
 * since the epoch) of the last start.  pace_wait() takes an exclusive
 * flock on it, sleeps until last + wait_ms, writes the new time and lets go,
 * so concurrent senders queue on the lock and leave it wait_ms apart.  A
 * clock that went backwards never makes anyone wait longer than wait_ms.
 * The wait for the lock is bounded by wait_ms + PACE_LOCK_MARGIN_MS: a
 * holder that is stopped (^Z, SIGSTOP) or hung must not hold up every
 * other sender, root's queue run included; past the bound the sender goes
 * on unpaced (PACE_ETIMEDOUT).
 *
 * The file is created mode 0660 whatever the umask (the setgid shim's
 * helper creates it with the group, and every other user's helper must be
 * able to open it too), never through a symbolic link, and only a regular
 * file is used.  err is filled only on failure; the caller decides
 * whether a pacing failure is worth more than a log line (it is not worth
 * losing mail).
 */
#ifndef SMTPGATE_PACE_H
#define SMTPGATE_PACE_H

#include "str.h"

enum { PACE_OK = 0, PACE_EIO, PACE_ETIMEDOUT };

/* How much longer than wait_ms a sender waits for the lock (ms). */
#define PACE_LOCK_MARGIN_MS	30000

/* *started_ms gets the start time recorded (0 when wait_ms is 0). */
int	pace_wait(const char *statedir, const char *relay, unsigned wait_ms,
	    long long *started_ms, struct str *err);
/* The same in two steps: open (or create) the relay's file, then wait on
   it; pace_wait_fd() closes fd.  The setgid shim's helper opens. */
int	pace_open(const char *statedir, const char *relay, int *fd,
	    struct str *err);
int	pace_wait_fd(int fd, unsigned wait_ms, long long *started_ms,
	    struct str *err);
/* Open (or create) any such state file by its path, with the rules
   above; what names the setting in err ("wait_ms", "bulk_copies").
   lib/bulk.c keeps its batches in one. */
int	pace_open_path(const char *path, const char *what, int *fd,
	    struct str *err);

#endif
