/*
 * util - fatal errors and checked allocation.
 *
 * Rules: die() is for broken invariants and out-of-memory only; recoverable
 * problems are return codes of the module that meets them.  die() logs the
 * message and exits with the status set by util_set_die_status(): 75
 * (EX_TEMPFAIL) by default, so the shim's callers retry, and a partial
 * spool file is never committed (only a commit makes it a message).  The
 * milter never reaches die() from a callback.
 * The x*alloc() functions never return NULL: they die() instead, and they
 * check every size computation for overflow.
 */
#ifndef SMTPGATE_UTIL_H
#define SMTPGATE_UTIL_H

#include <stddef.h>

#define UTIL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Exit status used by die(); 75 (EX_TEMPFAIL) unless changed. */
void	util_set_die_status(int status);

__attribute__((noreturn)) void die(const char *fmt, ...) UTIL_PRINTF(1, 2);

/* Milliseconds: since the epoch (to store, to compare across processes),
   and on a clock that never jumps (for timeouts and waits). */
long long util_now_ms(void);
long long util_mono_ms(void);

void   *xmalloc(size_t size);
void   *xcalloc(size_t count, size_t size);
void   *xrealloc(void *ptr, size_t size);
/* xreallocarray: resize to count * size bytes, dying on overflow. */
void   *xreallocarray(void *ptr, size_t count, size_t size);
char   *xstrdup(const char *s);
/* xstrdup(s), or NULL for NULL. */
char   *xstrdup_null(const char *s);
char   *xstrndup(const char *s, size_t n);

/* Overwrite memory that held a secret; not optimised away. */
void	util_wipe(void *ptr, size_t len);

#endif
