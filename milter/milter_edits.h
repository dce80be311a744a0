/*
 * milter_edits - the policy's edits (lib/policy.h: sender changed,
 * recipients added and removed, headers added, replaced and removed)
 * replayed, in the policy's order, as milter calls.  The calls go through
 * a table of functions: milter_cb.c fills it with libmilter's smfi_*
 * functions, the unit test with a recorder, so nothing here needs
 * libmilter.
 *
 * Each function of the table returns MILTER_EDITS_OK (libmilter's
 * MI_SUCCESS) or anything else for a failure.  The replay stops at the
 * first failure, logs which edit it was and returns that value: the
 * caller answers tempfail, never a message half edited and let through.
 */
#ifndef SMTPGATE_MILTER_EDITS_H
#define SMTPGATE_MILTER_EDITS_H

#include "policy.h"

#define MILTER_EDITS_OK	0	/* MI_SUCCESS */

struct milter_edit_ops {
	int	(*chgfrom)(void *ctx, const char *sender);
	int	(*addrcpt)(void *ctx, const char *rcpt);
	int	(*delrcpt)(void *ctx, const char *rcpt);
	int	(*addheader)(void *ctx, const char *name, const char *value);
	/* index: 1-based among the fields named name; value NULL deletes */
	int	(*chgheader)(void *ctx, const char *name, int index,
		    const char *value);
};

/*
 * Replay res's edits on ctx.  A recipient removed that has a source route
 * ("<@a,@b:user@dom>") is removed as given and then without its route,
 * as the MTA stored it (see milter_edits.c).
 */
int	milter_edits_apply(const struct milter_edit_ops *ops, void *ctx,
	    const struct policy_result *res);

#endif
