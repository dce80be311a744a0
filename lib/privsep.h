/*
 * privsep - the setgid smtpgate-sendmail split in two, in the manner of
 * OpenSMTPD's smtpctl and Postfix's postdrop: a small helper keeps the
 * group (it may read the secrets and write the queue), the main process
 * drops it for good before it reads a byte of the message.
 *
 * The helper is forked after the configuration is loaded and answers
 * requests on an AF_UNIX SOCK_SEQPACKET socket until the main process
 * closes it.  It only acts on what its own copy of the configuration
 * names: a secret is asked for by relay or account index, never by path;
 * the queue is the [queue] dir it loaded; a message may be committed,
 * rewritten or removed only if this helper created it.
 *
 * Wire format, one packet per message, host byte order (both ends are the
 * same program on the same host):
 *   u32 type, u32 nfields, then nfields times { u32 len, len bytes }
 * A packet is at most PRIVSEP_MAX_PACKET bytes, has at most
 * PRIVSEP_MAX_FIELDS fields, and its fields fill it exactly.  Each request
 * type has a fixed field count and per-field limits (privsep_check()).
 * Every request gets exactly one reply, except PRIVSEP_ENV_PART, which
 * appends envelope text for the next COMMIT or ENV_WRITE:
 *   PRIVSEP_REPLY: u32 rc (SPOOL_* or SECRET_*), bytes (the secret, or the
 *   error text); a file descriptor may ride along (SCM_RIGHTS).
 *
 * Requests:
 *   SECRET    u32 kind (PRIVSEP_RELAY/ACCOUNT), u32 index
 *   CREATE    id          -> the new tmp/<id>.msg, locked, as an fd
 *   ENV_PART  bytes       envelope text, no reply
 *   COMMIT    id          the message is written: make it durable with
 *                         the envelope sent in ENV_PARTs
 *   ENV_WRITE id          replace the envelope (after a first attempt)
 *   REMOVE    id          every recipient is done
 *   ABANDON   id          throw the uncommitted message away
 *   PACE      u32 index   the relay's wait_ms file, as an fd
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
	PRIVSEP_REPLY
};

enum { PRIVSEP_RELAY = 0, PRIVSEP_ACCOUNT = 1 };

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
 * Fork the helper (the caller still has its privileges).  The child
 * closes every other descriptor, points 0 and 1 at /dev/null, serves and
 * _exit()s; the parent gets ps.  -1 with err on failure.
 */
int	privsep_start(const struct cfg *cfg, struct privsep *ps,
	    struct str *err);
/* Close the socket and reap the helper. */
void	privsep_stop(struct privsep *ps);
/* The helper's loop on fd, for tests: returns when fd closes. */
void	privsep_serve(const struct cfg *cfg, int fd);

/* The calls of the main process; SPOOL_* or SECRET_* codes. */
int	privsep_secret(struct privsep *ps, int kind, size_t index,
	    struct str *out, struct str *err);
int	privsep_create(struct privsep *ps, const char *id, int *fd,
	    struct str *err);
int	privsep_commit(struct privsep *ps, const char *id,
	    const struct str *env, struct str *err);
int	privsep_env_write(struct privsep *ps, const char *id,
	    const struct str *env, struct str *err);
int	privsep_remove(struct privsep *ps, const char *id, struct str *err);
void	privsep_abandon(struct privsep *ps, const char *id);
int	privsep_pace(struct privsep *ps, size_t relay, int *fd,
	    struct str *err);

#endif
