/*
 * secret - fetch a relay's or account's secret: the first line of a
 * password file, or the output of password_command (a program run without
 * a shell, whose standard output is the password or an OAuth2 access token,
 * as token helpers for Office 365 and Gmail print it).
 *
 * Rules: the secret goes into out (free it with str_free_secret); err never
 * holds it, nor the command's output.  The command must be an absolute
 * path (no PATH search, no shell unless it names one); it gets /dev/null
 * as input, "/" as its working directory, the environment SECRET_CMD_ENV
 * and nothing else, and 30 seconds; its standard error passes through to
 * ours so the user sees why it failed.
 */
#ifndef SMTPGATE_SECRET_H
#define SMTPGATE_SECRET_H

#include "str.h"

enum { SECRET_OK = 0, SECRET_EFAIL };

#define SECRET_MAX		(64 * 1024)
#define SECRET_CMD_TIMEOUT	30
/* The password command's whole environment (smtpgate.conf(5) says so). */
#define SECRET_CMD_ENV		"PATH=/usr/bin:/bin", "HOME=/", "LANG=C"

int	secret_get(const char *password_file, const char *password_command,
	    struct str *out, struct str *err);
/* Split a command line into words: white space separates, double and
   single quotes group, backslash escapes.  0, or -1 on unbalanced quotes
   or no word at all. */
int	secret_split(const char *cmd, char ***argv, size_t *argc);
void	secret_free_argv(char **argv, size_t argc);

#endif
