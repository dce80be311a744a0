/*
 * queue - what smtpgate-sendmail does with the spool: run it (-q,
 * --queue-run, -qI/-qR/-qS), list it (-bp, mailq), and tell senders about
 * messages that were refused or given up on.
 *
 * A run takes each message it can lock, sends it through the relays like
 * a fresh one (several messages share one connection per relay and login,
 * with RSET between them), drops the recipients that are done from the
 * envelope, and either reschedules the rest ([queue] retry) or, past
 * max_age, gives up on them with a notice to the envelope sender (or
 * [general] error_address).  No run, not even -q, takes a message still
 * within its [queue] delay (never tried, next try not come).  Mail from the null sender never gets a
 * notice, so notices cannot loop.
 *
 * In the setgid shim the queue, the secrets and the pace files are reached
 * through the helper (privsep), which lets a local user run, list and
 * remove only their own messages; mailq shows them a count of the rest.
 */
#ifndef SMTPGATE_QUEUE_H
#define SMTPGATE_QUEUE_H

#include <stdbool.h>

#include "cfg.h"
#include "smtp_client.h"
#include "str.h"

struct queue_filter {
	const char *id;		/* -qI: this id only */
	const char *rcpt;	/* -qR: a recipient containing this */
	const char *sender;	/* -qS: a sender containing this */
	bool	due_only;	/* --queue-run: only what is due now */
};

struct queue_stats {
	unsigned long tried, sent, deferred, bounced, busy, damaged;
	unsigned long long connections_reused;
};

struct privsep;

struct queue_env {
	const struct cfg *cfg;
	struct privsep *privsep;	/* the setgid shim's helper, or NULL */
	const char *hostname;
	const char *user;
	smtp_trace_fn trace;
	void   *trace_arg;
};

struct spool_env;

/*
 * Does a run with filter f take the message whose envelope is e, at time
 * now?  Its sender must contain f->sender and one of its recipients
 * f->rcpt (case-insensitive; NULL matches anything); with f->due_only its
 * next try must have come; and no run takes a message within its [queue]
 * delay (never tried, next try to come).  f->id is not looked at here:
 * queue_run() matches it before it locks the message.
 */
bool	queue_selected(const struct spool_env *e, const struct queue_filter *f,
	    long long now);

/* EX_OK when the run itself worked, whatever each message's outcome. */
int	queue_run(const struct queue_env *qe, const struct queue_filter *f,
	    struct queue_stats *st, struct str *err);
/*
 * --delete: remove the queued messages named (or "ALL" those this caller
 * may act on), one line each into out.  EX_OK when every one named went;
 * else the code of the first that did not: EX_NOINPUT (not queued),
 * EX_NOPERM (another user's), EX_TEMPFAIL (being sent right now),
 * EX_USAGE (not a queue id).
 */
int	queue_delete(const struct cfg *cfg, struct privsep *ps,
	    const char *const *ids, size_t n, struct str *out, struct str *err);
/* The queue as mailq shows it to this caller. */
int	queue_list(const struct cfg *cfg, struct privsep *ps, struct str *out,
	    struct str *err);

#endif
