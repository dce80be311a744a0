/*
 * milter_edits - the policy's edits as milter calls.  See milter_edits.h.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "milter_edits.h"

/*
 * The recipient rcpt ("<@a,@b:user@dom>" or bare) without its source
 * route, or NULL when it has none.  Postfix's smtpd drops the route when
 * it stores the recipient (RFC 5321 lets servers ignore it) but hands the
 * milter the address as the client wrote it, and matches smfi_delrcpt()
 * against what it stored: deleting the routed form alone is a no-op, and
 * the message would still go to user@dom.
 */
static char *
milter_unrouted(const char *rcpt)
{
	const char *p = rcpt, *colon;
	bool angle = *p == '<';
	struct str out = STR_INIT;

	if (angle)
		p++;
	if (*p != '@' || (colon = strchr(p, ':')) == NULL)
		return NULL;
	if (angle)
		str_appendc(&out, '<');
	str_appendz(&out, colon + 1);
	return str_detach(&out);
}

/* Delete the recipient as given and, for a routed one, as stored. */
static int
milter_delrcpt(const struct milter_edit_ops *ops, void *ctx, const char *rcpt)
{
	char *bare;
	int rc;

	rc = ops->delrcpt(ctx, rcpt);
	if (rc == MILTER_EDITS_OK && (bare = milter_unrouted(rcpt)) != NULL) {
		rc = ops->delrcpt(ctx, bare);
		free(bare);
	}
	return rc;
}

int
milter_edits_apply(const struct milter_edit_ops *ops, void *ctx,
    const struct policy_result *res)
{
	const struct policy_edit *e;
	size_t i;
	int rc = MILTER_EDITS_OK;

	for (i = 0; i < res->n && rc == MILTER_EDITS_OK; i++) {
		e = &res->v[i];
		switch (e->op) {
		case POLICY_CHGFROM:
			rc = ops->chgfrom(ctx, e->value);
			break;
		case POLICY_ADDRCPT:
			rc = ops->addrcpt(ctx, e->value);
			break;
		case POLICY_DELRCPT:
			rc = milter_delrcpt(ops, ctx, e->value);
			break;
		case POLICY_ADDHDR:
			rc = ops->addheader(ctx, e->name, e->value);
			break;
		case POLICY_CHGHDR:
			rc = ops->chgheader(ctx, e->name, (int)e->occurrence,
			    e->value);
			break;
		}
		if (rc != MILTER_EDITS_OK)
			log_error("libmilter refused edit %zu of the policy", i);
	}
	return rc;
}
