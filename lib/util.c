/*
 * util - fatal errors and checked allocation.  See util.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "log.h"
#include "util.h"

static int util_die_status = EX_TEMPFAIL;

void
util_set_die_status(int status)
{
	util_die_status = status;
}

void
die(const char *fmt, ...)
{
	static int dying;
	va_list ap;
	char msg[512];		/* our own text only; truncation is harmless */

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A logger that dies again must not recurse. */
	if (!dying) {
		dying = 1;
		log_msg(LOG_LEVEL_ERROR, "fatal: %s", msg);
	}
	exit(util_die_status);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		die("out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory allocating %zu x %zu bytes", count, size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		die("out of memory reallocating to %zu bytes", size);
	return p;
}

void *
xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		die("size overflow: %zu x %zu bytes", count, size);
	return xrealloc(ptr, count * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrdup_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (len == SIZE_MAX)
		die("size overflow duplicating a string");
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
util_wipe(void *ptr, size_t len)
{
	volatile unsigned char *p = ptr;

	while (len-- > 0)
		*p++ = 0;
}

static long long
util_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
util_now_ms(void)
{
	return util_ms(CLOCK_REALTIME);
}

long long
util_mono_ms(void)
{
	return util_ms(CLOCK_MONOTONIC);
}
