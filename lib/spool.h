/*
 * spool - the durable queue on disk: a message is safe once spool_commit()
 * has returned SPOOL_OK, and not before.
 *
 * Layout under [queue] dir:
 *   tmp/<id>.msg, tmp/<id>.env   being written
 *   msg/<id>                     the message as it will be sent (header,
 *                                empty line, body); never changed
 *   env/<id>                     its envelope; replaced atomically
 * A message exists when env/<id> exists.  Commit writes and fsyncs the
 * message, renames it into msg/, writes and fsyncs the envelope, renames it
 * into env/, then fsyncs both directories.  Removal unlinks env/<id> first,
 * so a crash never leaves an envelope without its message; a msg/ file
 * without an envelope is an orphan that spool_list() cleans up once it is
 * old.
 *
 * Locking: flock() on msg/<id> (and on the temporary file before the
 * rename: the lock follows the inode).  Whoever holds it may send the
 * message and rewrite its envelope; spool_lock() never waits.
 *
 * The envelope is a text file of "key value" lines (see spool_env.c);
 * values never contain CR, LF or NUL.  It records the owner, the real
 * user id of whoever queued the message, stamped at commit by the process
 * that writes the file and never taken from the caller.
 *
 * Back ends.  A struct spool reaches the queue one of two ways, each a
 * table of operations (struct spool_ops) behind the same calls:
 * - direct (spool_open(), this file's spool_fs.c): the process itself
 *   opens the files; a process with the rights to the directory (root,
 *   the group, a shim that is not installed setgid) sees every message;
 * - through the setgid shim's helper (privsep_spool_open(), privsep.h):
 *   every operation is a request that the helper checks against the
 *   caller's real user id, so a local user lists, locks, rewrites and
 *   removes only their own messages and never holds the group.
 */
#ifndef SMTPGATE_SPOOL_H
#define SMTPGATE_SPOOL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "envelope.h"
#include "str.h"

enum {
	SPOOL_OK = 0,
	SPOOL_ENOENT,		/* no such message (gone meanwhile) */
	SPOOL_EBUSY,		/* locked by another process */
	SPOOL_ENOSPC,		/* disk full or quota: EX_TEMPFAIL */
	SPOOL_EPERM,		/* cannot create there: EX_CANTCREAT */
	SPOOL_EIO,		/* other I/O error: EX_TEMPFAIL */
	SPOOL_EINVAL		/* a damaged envelope: EX_DATAERR */
};

struct spool_env {
	char   *id;
	/* sender ("" for the null sender), the recipients still due, DSN,
	   8bit, smtputf8, and size: the bytes of the message file */
	struct envelope env;
	long long created;	/* seconds since the epoch */
	long long next_try;
	unsigned attempts;
	unsigned long long hdr_len;	/* bytes of header + empty line */
	char   *last_error;	/* one line, or NULL */
	char   *relay;		/* the relay last tried, or NULL */
	uid_t	owner;		/* set by spool_commit(), kept by rewrites */
};

/* One message being written or sent: the locked message file. */
struct spool_msg {
	char   *id;
	FILE   *fp;		/* write (new) or read (locked) */
	int	fd;		/* holds the lock */
	bool	committed;
};

struct spool;

/*
 * A back end.  The public calls below check their arguments (queue ids)
 * and then call these; each returns SPOOL_* and fills err on failure.
 */
struct spool_ops {
	int	(*create)(struct spool *, const char *, struct spool_msg *,
		    struct str *);
	int	(*commit)(struct spool *, struct spool_msg *,
		    const struct spool_env *, struct str *);
	void	(*abandon)(struct spool *, struct spool_msg *);
	int	(*lock)(struct spool *, const char *, struct spool_msg *,
		    struct str *);
	int	(*env_read)(struct spool *, const char *, struct spool_env *,
		    struct str *);
	int	(*env_write)(struct spool *, const struct spool_env *,
		    struct str *);
	int	(*remove)(struct spool *, const char *, struct str *);
	int	(*list)(struct spool *, struct strvec *, size_t *, struct str *);
	void	(*close)(struct spool *);
};

struct spool {
	const struct spool_ops *ops;
	char   *dir;		/* for messages */
	int	dfd;		/* direct: the queue directory */
	void   *arg;		/* the back end's own (the helper) */
	unsigned long long min_free, need;	/* spool_create(): see below */
};

void	spool_env_init(struct spool_env *e);
void	spool_env_free(struct spool_env *e);
/* Set last_error, escaped to one printable line. */
void	spool_env_set_error(struct spool_env *e, const char *text, size_t len);
/* Text form; refuses (SPOOL_EINVAL) a value with CR, LF or NUL. */
int	spool_env_format(const struct spool_env *e, struct str *out,
	    struct str *err);
/* Parse; on error e is left empty and err names the line. */
int	spool_env_parse(const char *data, size_t len, struct spool_env *e,
	    struct str *err);
/* Read and parse the envelope of message id from fd (at most
   SPOOL_MAX_ENV bytes, from its current offset); it must name id. */
int	spool_env_read_fd(int fd, const char *id, struct spool_env *e,
	    struct str *err);

#define SPOOL_MAX_ENV	(16u * 1024 * 1024)

/* Open the queue directly, creating tmp/, msg/ and env/ (mode 2770) if
   needed. */
int	spool_open(struct spool *sp, const char *dir, struct str *err);
void	spool_close(struct spool *sp);

/*
 * Free space: SPOOL_ENOSPC, with err saying how much is free, when
 * writing need bytes on dirfd's file system would leave less than
 * min_free (0: no check).  spool_create() checks sp->min_free and
 * sp->need (both 0 after spool_open()) this way before it creates.
 */
int	spool_space_check(int dirfd, unsigned long long min_free,
	    unsigned long long need, struct str *err);
/* A new message file under tmp/, locked, mode 0640; id is e->id. */
int	spool_create(struct spool *sp, const char *id, struct spool_msg *m,
	    struct str *err);
/* Make it durable with this envelope, owned by the committing process's
   real user; m stays locked and readable. */
int	spool_commit(struct spool *sp, struct spool_msg *m,
	    const struct spool_env *e, struct str *err);
/* Throw away an uncommitted message (unlink the temporary file). */
void	spool_abandon(struct spool *sp, struct spool_msg *m);

/* Lock a queued message for sending: SPOOL_EBUSY if someone else has it. */
int	spool_lock(struct spool *sp, const char *id, struct spool_msg *m,
	    struct str *err);
int	spool_env_read(struct spool *sp, const char *id, struct spool_env *e,
	    struct str *err);
/* Replace the envelope atomically (the caller holds the lock).  The owner
   is kept as e says: only a commit sets it. */
int	spool_env_write(struct spool *sp, const struct spool_env *e,
	    struct str *err);
/* Remove a message (the caller holds the lock). */
int	spool_remove(struct spool *sp, const char *id, struct str *err);
/* Unlock and close. */
void	spool_release(struct spool_msg *m);

struct cfg_durations;
/*
 * After an attempt on a queued message whose envelope e has been cut to
 * the recipients still due: with none left the message is removed (the
 * caller holds the lock); else it is rescheduled: one more attempt, the
 * next try after the wait that retry (the [queue] retry list) gives for
 * that attempt, the last error (escaped to one line) and relay, and the
 * envelope is rewritten.  *kept says which.  On failure err says why and
 * the old envelope stays: a duplicate at worst, never a loss.
 */
int	spool_reschedule(struct spool *sp, struct spool_env *e,
	    const struct cfg_durations *retry, long long now, const char *error,
	    size_t error_len, const char *relay, bool *kept, struct str *err);
/* When the next attempt is due after attempts tries, by retry. */
long long spool_next_try(const struct cfg_durations *retry, unsigned attempts,
	    long long now);

/*
 * The ids in env/ that this caller may see, sorted, into ids (emptied
 * first; the caller frees it with strvec_free()); *hidden (if not NULL)
 * counts the others.  The direct back end shows all and also removes
 * orphans older than a day.
 */
int	spool_list(struct spool *sp, struct strvec *ids, size_t *hidden,
	    struct str *err);

int	spool_exitcode(int rc);
/* 1 to 64 letters and digits; else false, and err (if not NULL) says so. */
bool	spool_id_ok(const char *id, struct str *err);

#endif
