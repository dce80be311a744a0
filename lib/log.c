/*
 * log - syslog (facility mail) with the program name, plus stderr.  See log.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "str.h"

static const char *log_names[] = { "error", "warning", "info", "debug" };
static const int log_priorities[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/* Set once at start-up; the level may change on reload, hence the lock. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *log_progname = "smtpgate";
static int log_flags = LOG_TO_STDERR;
static enum log_level log_level = LOG_LEVEL_INFO;
static void (*log_sink)(enum log_level, const char *);

void
log_init(const char *progname, int flags)
{
	pthread_mutex_lock(&log_lock);
	log_progname = progname;
	log_flags = flags;
	if (flags & LOG_TO_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
	pthread_mutex_unlock(&log_lock);
}

void
log_set_level(enum log_level level)
{
	pthread_mutex_lock(&log_lock);
	log_level = level;
	pthread_mutex_unlock(&log_lock);
}

bool
log_level_parse(const char *name, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(name, log_names[i]) == 0) {
			*level = (enum log_level)i;
			return true;
		}
	}
	return false;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(log_names) / sizeof(log_names[0]))
		return "unknown";
	return log_names[level];
}

bool
log_set_stderr(bool on)
{
	bool was;

	pthread_mutex_lock(&log_lock);
	was = (log_flags & LOG_TO_STDERR) != 0;
	if (on)
		log_flags |= LOG_TO_STDERR;
	else
		log_flags &= ~LOG_TO_STDERR;
	pthread_mutex_unlock(&log_lock);
	return was;
}

void
log_set_sink(void (*sink)(enum log_level, const char *))
{
	pthread_mutex_lock(&log_lock);
	log_sink = sink;
	pthread_mutex_unlock(&log_lock);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	struct str raw = STR_INIT, line = STR_INIT;
	va_list ap;
	int flags;
	void (*sink)(enum log_level, const char *);

	pthread_mutex_lock(&log_lock);
	flags = log_flags;
	sink = log_sink;
	if (level > log_level) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	pthread_mutex_unlock(&log_lock);

	va_start(ap, fmt);
	str_vappendf(&raw, fmt, ap);
	va_end(ap);
	str_append_escaped(&line, raw.data, raw.len);

	if (flags & LOG_TO_SYSLOG)
		syslog(log_priorities[level], "%s", str_cstr(&line));
	if (flags & LOG_TO_STDERR) {
		if (level == LOG_LEVEL_INFO)
			fprintf(stderr, "%s: %s\n", log_progname,
			    str_cstr(&line));
		else
			fprintf(stderr, "%s: %s: %s\n", log_progname,
			    log_names[level], str_cstr(&line));
	}
	if (sink != NULL)
		sink(level, str_cstr(&line));
	str_free(&raw);
	str_free(&line);
}
