/*
 * aliases - local names to addresses, in the /etc/aliases format, so that
 * cron's "root" and PHP's "www-data" reach a real mailbox.
 *
 * Format: "name: address, address" with continuation lines that start with
 * white space, "#" comments and blank lines.  Names are matched without
 * regard to case.  Pipes ("|cmd"), files ("/path") and ":include:" cannot
 * be honoured by a relay client: such targets are skipped with a warning
 * naming file:line.  Errors and warnings go to diag as "file:line: ...",
 * one per line; aliases_load fails (ALIASES_ESYNTAX) only on lines that
 * cannot be read at all, after reporting every one of them.
 */
#ifndef SMTPGATE_ALIASES_H
#define SMTPGATE_ALIASES_H

#include <stddef.h>

#include "str.h"
#include "strvec.h"

enum {
	ALIASES_OK = 0,
	ALIASES_ENOENT,		/* the file does not exist */
	ALIASES_EIO,
	ALIASES_ESYNTAX,
	ALIASES_EUNKNOWN,	/* a local name with no alias and no domain */
	ALIASES_ELOOP		/* aliases refer to each other too deeply */
};

struct aliases_entry {
	char   *name;
	struct strvec targets;
	unsigned line;
};

struct aliases {
	char   *file;
	struct aliases_entry *v;
	size_t	n;
};

int	aliases_load(const char *path, struct aliases *a, struct str *diag);
int	aliases_load_buffer(const char *name, const char *data, size_t len,
	    struct aliases *a, struct str *diag);
void	aliases_free(struct aliases *a);

/*
 * Resolve one address for sending.  An address with "@" is appended as it
 * is.  A local name is expanded through the aliases (recursively, at most
 * ALIASES_MAX_DEPTH levels), and a name that has no alias gets "@domain"
 * when domain is set.  Results are appended to out, each once (ASCII
 * case ignored).  On ALIASES_EUNKNOWN err says which setting to fix.
 * a may be NULL (no aliases file configured).
 */
#define ALIASES_MAX_DEPTH 10
int	aliases_resolve(const struct aliases *a, const char *addr,
	    const char *domain, struct strvec *out, struct str *err);
int	aliases_exitcode(int rc);

#endif
