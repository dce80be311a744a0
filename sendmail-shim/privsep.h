/*
 * privsep - the setgid smtpgate-sendmail split in two, in the manner of
 * OpenSMTPD's smtpctl and Postfix's postdrop: a small helper keeps the
 * group (it may read the secrets and write the queue), the main process
 * drops it for good before it reads a byte of the message or talks to a
 * server.
 *
 * Who gets a helper.  The shim runs as its caller with the group set
 * aside (setegid to the real gid) from its first step, so the
 * configuration, its includes and the aliases are read with the caller's
 * own rights.  Only a configuration that root controls (cfg->trusted: no
 * -C, every file owned by root and writable by no one else, as fstat()
 * says of the opened descriptor) gets a helper, forked with the group
 * back; otherwise the group is dropped for good and the shim works
 * directly with what its caller may touch, as sendmail does with -C.
 *
 * What the helper does for whom.  It acts only on what its own copy of
 * the configuration names: a secret is asked for by relay or account
 * index, never by path; the queue is the [queue] dir it loaded.  It checks
 * every queue operation against the caller's real user id and the owner
 * the envelope records (spool.h):
 *   - root, and a caller in the group (the queue timer), act on every
 *     message;
 *   - anyone else lists, reads, locks, rewrites and removes only the
 *     messages they queued; mailq shows them a count of the others
 *     ([queue] mailq_shows_all = yes shows the others too, read-only);
 *   - a message may be committed only if this helper created it, and a
 *     rewrite may drop recipients and update the retry state, but never
 *     add a recipient, change the sender or the owner.
 * The delivering process (TLS, AUTH, server replies) never holds the
 * group: it gets descriptors (the locked message file, an envelope's
 * text, the pace and bulk_copies files) and nothing else.
 *
 * Wire format, one packet per message, host byte order (both ends are the
 * same program on the same host):
 *   u32 type, u32 nfields, then nfields times { u32 len, len bytes }
 * A packet is at most PRIVSEP_MAX_PACKET bytes, has at most
 * PRIVSEP_MAX_FIELDS fields, and its fields fill it exactly.  Each request
 * type has a fixed field count and per-field limits (privsep_check()).
 * Every request gets exactly one reply, except PRIVSEP_ENV_PART, which
 * appends envelope text for the next COMMIT or ENV_WRITE:
 *   PRIVSEP_REPLY: u32 rc (SPOOL_* or SECRET_*), bytes (the secret, a
 *   count, or the error text); a file descriptor may ride along
 *   (SCM_RIGHTS).
 *
 * Requests:
 *   SECRET    u32 kind (PRIVSEP_RELAY/ACCOUNT/DEFAULT), u32 index (0
 *             for DEFAULT: [general]'s login, credentials = default)
 *   CREATE    id, u64 need -> the new tmp/<id>.msg, locked, as an fd,
 *                         if need bytes leave [queue] min_free_space
 *   ENV_PART  bytes       envelope text, no reply
 *   COMMIT    id          the message is written: make it durable with
 *                         the envelope sent in ENV_PARTs, if it is within
 *                         [queue] max_message_size
 *   ENV_WRITE id          replace the envelope (the caller holds the lock)
 *   REMOVE    id          every recipient is done (the caller holds it)
 *   ABANDON   id          throw the uncommitted message away
 *   PACE      u32 index   the relay's wait_ms file, as an fd
 *   BULK                  the bulk_copies state file, as an fd
 *   LIST                  -> the ids the caller may see, one a line, as
 *                         an fd; the reply's bytes: u32 count of others
 *   LOCK      id          -> msg/<id>, locked, as an fd (the caller's own)
 *   ENV_READ  id          -> its envelope's text, as an fd
 *   OAUTH2    u32 kind (RELAY/ACCOUNT), u32 index, bytes refused (the
 *             access token the server just refused, or empty)
 *                         -> "STEP\nTOKEN": an access token for that
 *                         login (oauth2.h); the helper reads, refreshes
 *                         and rewrites the token file, so the refresh
 *                         token and the client secret never leave it
 */
#ifndef SMTPGATE_PRIVSEP_H
#define SMTPGATE_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "str.h"

#define PRIVSEP_MAX_PACKET	(128u * 1024)
#define PRIVSEP_MAX_FIELDS	4
#define PRIVSEP_ENV_CHUNK	(32u * 1024)	/* bytes per ENV_PART */
#define PRIVSEP_MAX_ENV		(4u * 1024 * 1024)	/* one envelope */
#define PRIVSEP_MAX_IDS		100000	/* messages per helper */

enum privsep_type {
	PRIVSEP_SECRET = 1,
	PRIVSEP_CREATE,
	PRIVSEP_ENV_PART,
	PRIVSEP_COMMIT,
	PRIVSEP_ENV_WRITE,
	PRIVSEP_REMOVE,
	PRIVSEP_ABANDON,
	PRIVSEP_PACE,
	PRIVSEP_LIST,
	PRIVSEP_LOCK,
	PRIVSEP_ENV_READ,
	PRIVSEP_BULK,
	PRIVSEP_OAUTH2,
	PRIVSEP_REPLY
};

enum { PRIVSEP_RELAY = 0, PRIVSEP_ACCOUNT = 1, PRIVSEP_DEFAULT = 2 };

struct privsep_field {
	const uint8_t *p;
	size_t	len;
};

/* A decoded packet; the fields point into the packet's buffer. */
struct privsep_msg {
	uint32_t type;
	size_t	nfields;
	struct privsep_field f[PRIVSEP_MAX_FIELDS];
};

struct cfg;
struct spool;

/* The main process's end. */
struct privsep {
	int	fd;		/* -1: no helper */
	pid_t	pid;
};

/* Encode one packet; false if it would break the limits. */
bool	privsep_encode(uint32_t type, const struct privsep_field *f,
	    size_t n, struct str *out);
/* Decode one packet: the framing only. */
bool	privsep_decode(const void *buf, size_t len, struct privsep_msg *m,
	    struct str *why);
/* A request as the helper accepts it: type, field count, field sizes,
   queue ids.  why says what is wrong. */
bool	privsep_check(const struct privsep_msg *m, struct str *why);
/* A u32 field. */
uint32_t privsep_u32(const struct privsep_field *f);

/*
 * Fork the helper.  The child takes back the effective group gid (the
 * caller set it aside; -1: keep what it has), closes every other
 * descriptor, points 0 and 1 at /dev/null, serves and _exit()s; the
 * parent gets ps.  -1 with err on failure.
 */
int	privsep_start(const struct cfg *cfg, gid_t gid, struct privsep *ps,
	    struct str *err);
/* Close the socket and reap the helper. */
void	privsep_stop(struct privsep *ps);

/* The calls of the main process; SPOOL_* or SECRET_* codes. */
int	privsep_secret(struct privsep *ps, int kind, size_t index,
	    struct str *out, struct str *err);
int	privsep_create(struct privsep *ps, const char *id,
	    unsigned long long need, int *fd, struct str *err);
int	privsep_commit(struct privsep *ps, const char *id,
	    const struct str *env, struct str *err);
int	privsep_env_write(struct privsep *ps, const char *id,
	    const struct str *env, struct str *err);
int	privsep_remove(struct privsep *ps, const char *id, struct str *err);
void	privsep_abandon(struct privsep *ps, const char *id);
int	privsep_pace(struct privsep *ps, size_t relay, int *fd,
	    struct str *err);
/* OAUTH2_* codes; step (may be NULL) gets what the helper did. */
int	privsep_oauth2(struct privsep *ps, int kind, size_t index,
	    const char *refused, struct str *token, struct str *step,
	    struct str *err);
/* BULK_* codes. */
int	privsep_bulk(struct privsep *ps, int *fd, struct str *err);
int	privsep_list(struct privsep *ps, int *fd, size_t *hidden,
	    struct str *err);
int	privsep_lock(struct privsep *ps, const char *id, int *fd,
	    struct str *err);
int	privsep_env_read(struct privsep *ps, const char *id, int *fd,
	    struct str *err);

/* The queue through the helper (spool.h's second back end). */
void	privsep_spool_open(struct spool *sp, struct privsep *ps,
	    const char *dir);

#endif
