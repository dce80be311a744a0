/*
 * log - syslog (facility mail) with the program name, plus stderr.
 *
 * Rules: log_init() once at start; before it, messages go to stderr only.
 * The level check is here, not at call sites.  Every message is escaped
 * (CR, LF, control and 8-bit bytes become \r, \n, \xNN) before it reaches
 * syslog or stderr, so text quoted from a message or a server cannot forge
 * log lines.  Secrets must never be passed in: there is no masking here.
 */
#ifndef SMTPGATE_LOG_H
#define SMTPGATE_LOG_H

#include <stdbool.h>

#include "util.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

#define LOG_TO_SYSLOG	0x1	/* openlog(progname, LOG_PID, LOG_MAIL) */
#define LOG_TO_STDERR	0x2	/* "progname: level: message" on stderr */

void	log_init(const char *progname, int flags);
void	log_set_level(enum log_level level);
/* Parse "error", "warning", "info", "debug"; false if not one of them. */
bool	log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);
/* Add or remove stderr output later (-v); returns whether it was on. */
bool	log_set_stderr(bool on);

void	log_msg(enum log_level level, const char *fmt, ...) UTIL_PRINTF(2, 3);
#define log_error(...)		log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)		log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)		log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Test hook: every formatted, escaped line also goes here when set. */
void	log_set_sink(void (*sink)(enum log_level, const char *line));

#endif
