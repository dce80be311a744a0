/*
 * bulk - the memory behind "bulk_copies = first": which copy recipients
 * (Cc/Bcc) of which batch have had their one copy already.
 *
 * A key is a 64-bit FNV-1a hash of the batch (the bulk_batch_header value,
 * or envelope sender and Subject) and one copy recipient; the policy
 * (policy_bulk.c) builds it.  A struct bulk_table holds at most max keys,
 * each with an expiry: bulk_table_claim() says whether a key is new (the
 * copy goes out) and records it, expiring bulk_window after the batch's
 * latest message, so a batch paced over hours by wait_ms stays one batch
 * while its messages keep coming.  When the table is full the entry that
 * expires first goes: forgetting only ever sends one copy more, never one
 * fewer.
 *
 * Stores: the milter keeps one table in memory under a mutex
 * (milter_cb.c); the shim keeps it in the file bulk.state of the queue
 * directory, one "<16 hex digits> <expiry ms>" line per key, read and
 * rewritten under an exclusive flock (bulk_claim_fd).  Whatever goes
 * wrong with the file (cannot open, lock held too long, damaged lines)
 * errs towards sending: a line that does not parse is dropped, a failure
 * claims every key as new.  Times are milliseconds of CLOCK_REALTIME,
 * which every process on the host shares.
 *
 * err is filled only on failure.  Allocation failure die()s.
 */
#ifndef SMTPGATE_BULK_H
#define SMTPGATE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "str.h"

enum { BULK_OK = 0, BULK_EIO, BULK_ETIMEDOUT };

/* Keys kept (per store); a file line is at most BULK_LINE_MAX bytes. */
#define BULK_MAX_ENTRIES	10000
#define BULK_LINE_MAX		40
/* How long a sender waits for the state file's lock, then sends all. */
#define BULK_LOCK_WAIT_MS	5000
#define BULK_FILE		"bulk.state"

#define BULK_HASH_INIT		0xcbf29ce484222325ULL

struct bulk_entry {
	uint64_t key;
	long long expires;	/* ms since the epoch */
};

struct bulk_table {
	struct bulk_entry *v;
	size_t	n, max;
};

/* FNV-1a over len bytes, continuing from h (BULK_HASH_INIT to start). */
uint64_t bulk_hash(uint64_t h, const void *p, size_t len);

void	bulk_table_init(struct bulk_table *t, size_t max);
void	bulk_table_free(struct bulk_table *t);
/*
 * True when key is not in t or has expired by now: the first copy.  Either
 * way key then expires at now + window_ms.
 */
bool	bulk_table_claim(struct bulk_table *t, uint64_t key, long long now,
	    long long window_ms);
/*
 * Add the lines of a state file.  Lines that do not parse and entries
 * expired by now are skipped; an expiry further than window_ms ahead (a
 * clock set back, a shorter window since) is brought back to now +
 * window_ms.  At most t->max entries are kept.
 */
void	bulk_table_parse(struct bulk_table *t, const char *buf, size_t len,
	    long long now, long long window_ms);
/* The lines of a state file, appended to out. */
void	bulk_table_format(const struct bulk_table *t, struct str *out);


/* The shim's state file in statedir (pace_open_path's rules). */
int	bulk_open(const char *statedir, int *fd, struct str *err);
/*
 * Lock fd (BULK_LOCK_WAIT_MS at most), claim each of keys[0..n-1] into
 * first[], write the file back, close fd.  On BULK_EIO or BULK_ETIMEDOUT
 * every first[] is true: the copies go out.
 */
int	bulk_claim_fd(int fd, const uint64_t *keys, bool *first, size_t n,
	    long long window_ms, struct str *err);

#endif
