/*
 * envelope - a message's sender, recipients and MAIL FROM parameters.
 * See envelope.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "util.h"

void
envelope_init(struct envelope *e)
{
	memset(e, 0, sizeof(*e));
	strvec_init(&e->rcpts);
}

void
envelope_free(struct envelope *e)
{
	free(e->sender);
	strvec_free(&e->rcpts);
	free(e->dsn_ret);
	free(e->dsn_envid);
	envelope_init(e);
}

void
envelope_set_sender(struct envelope *e, const char *sender)
{
	/* sender may point into e->sender's own buffer: copy first. */
	char *copy = xstrdup_null(sender);

	free(e->sender);
	e->sender = copy;
}

void
envelope_add_rcpt(struct envelope *e, const char *rcpt)
{
	strvec_push_dup(&e->rcpts, rcpt);
}

void
envelope_del_rcpt(struct envelope *e, size_t i)
{
	strvec_remove(&e->rcpts, i);
}

void
envelope_set_dsn(struct envelope *e, unsigned notify, const char *ret,
    const char *envid)
{
	char *r = xstrdup_null(ret), *id = xstrdup_null(envid);

	free(e->dsn_ret);
	free(e->dsn_envid);
	e->dsn_notify = notify;
	e->dsn_ret = r;
	e->dsn_envid = id;
}

void
envelope_copy(struct envelope *dst, const struct envelope *src)
{
	if (dst == src)
		return;
	envelope_set_sender(dst, src->sender);
	strvec_copy(&dst->rcpts, &src->rcpts);
	envelope_set_dsn(dst, src->dsn_notify, src->dsn_ret, src->dsn_envid);
	dst->eight_bit = src->eight_bit;
	dst->smtputf8 = src->smtputf8;
	dst->size = src->size;
}
