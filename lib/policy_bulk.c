/*
 * policy_bulk - bulk_copies = first: an application that sends one
 * message per recipient with the same Cc/Bcc (a trainer copied on every
 * student's reminder) gets that copy recipient one message per batch.
 *
 * The batch is the value of the bulk_batch_header field; without it, and
 * with bulk_match_subject, the envelope sender and the Subject.  A copy
 * recipient is an envelope recipient whose address is in a Cc or Bcc
 * field (or in the Bcc the front end took out) and not in To: someone in
 * To is the message's addressee, whatever else lists them.  Recipients
 * the headers do not name (envelope-only) are not copies: nothing says
 * they are copied on a series.
 *
 * The decision is made per copy recipient, not per message: the key is
 * batch plus recipient, so a batch whose classes have different trainers
 * gives each trainer one copy, and a Cc that first appears on the fifth
 * message still gets it.  The Cc field itself stays as written.
 *
 * Everything unsure sends: no store, a header that does not parse, a
 * store that fails.  A redirect afterwards sees only what is left.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "policy_int.h"

/* An address as a key: case and a trailing dot do not make another
   mailbox (addr_same). */
static void
policy_bulk_bare(const struct addr *a, struct str *s)
{
	size_t i;

	addr_format_bare(a, s);
	if (s->len > 0 && s->data[s->len - 1] == '.')
		str_truncate(s, s->len - 1);
	for (i = 0; i < s->len; i++)
		s->data[i] = (char)tolower((unsigned char)s->data[i]);
}

/* The batch's part of every key; false: this message is in no batch. */
static bool
policy_bulk_batch(struct policy_ctx *c, uint64_t *h)
{
	const struct cfg *cfg = c->cfg;
	struct hdr_block *hb = c->m->hdr;
	struct str v = STR_INIT, bare = STR_INIT;
	struct addr a;
	ssize_t k;
	bool ok = false;

	if (cfg->bulk_batch_header != NULL &&
	    (k = hdr_find(hb, cfg->bulk_batch_header, 0)) >= 0) {
		str_appends(&v, &hb->v[k].value);
		str_trim(&v);
		if (v.len > 0) {
			*h = bulk_hash(BULK_HASH_INIT, "header", 7);
			*h = bulk_hash(*h, v.data, v.len);
			ok = true;
			goto out;
		}
	}
	if (!cfg->bulk_match_subject || (k = hdr_find(hb, "Subject", 0)) < 0)
		goto out;
	str_appends(&v, &hb->v[k].value);
	str_trim(&v);
	addr_init(&a);
	if (policy_parse_path(c->m->env->sender, &a))
		policy_bulk_bare(&a, &bare);
	else
		str_appendz(&bare, c->m->env->sender ? c->m->env->sender : "");
	addr_free(&a);
	*h = bulk_hash(BULK_HASH_INIT, "subject", 8);
	*h = bulk_hash(*h, bare.data ? bare.data : "", bare.len + 1);
	*h = bulk_hash(*h, v.data ? v.data : "", v.len);
	ok = true;
out:
	str_free(&v);
	str_free(&bare);
	return ok;
}

/* Every mailbox of every field named name; false if one does not parse. */
static bool
policy_bulk_field(struct policy_ctx *c, const char *name,
    struct addr_list *l)
{
	struct hdr_block *hb = c->m->hdr;
	ssize_t k;

	for (k = hdr_find(hb, name, 0); k >= 0;
	    k = hdr_find(hb, name, (size_t)k + 1)) {
		const struct str *v = &hb->v[k].value;

		if (addr_parse_list(v->data ? v->data : "", v->len, l, NULL) !=
		    ADDR_OK)
			return false;
	}
	return true;
}

static bool
policy_bulk_listed(const struct addr *a, const struct addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].local.len > 0 && addr_same(a, &l->v[i]))
			return true;
	return false;
}

/* The Bcc the front end took out, parsed like the fields. */
static void
policy_bulk_taken_bcc(struct policy_ctx *c, struct addr_list *l)
{
	size_t i;

	for (i = 0; c->m->bcc != NULL && i < c->m->bcc->n; i++) {
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		addr_init(&l->v[l->n]);
		if (!policy_parse_path(c->m->bcc->v[i], &l->v[l->n])) {
			addr_free(&l->v[l->n]);
			continue;	/* not an address: copies nobody */
		}
		l->n++;
	}
}

/* The key of copy recipient a in the batch h. */
static uint64_t
policy_bulk_key(uint64_t h, const struct addr *a)
{
	struct str s = STR_INIT;

	policy_bulk_bare(a, &s);
	h = bulk_hash(h, "", 1);
	h = bulk_hash(h, s.data ? s.data : "", s.len);
	str_free(&s);
	return h;
}

void
policy_bulk(struct policy_ctx *c)
{
	struct policy_msg *m = c->m;
	struct addr_list to, copies;
	struct addr a;
	uint64_t batch, *keys = NULL;
	size_t *idx = NULL, n = 0, i, dropped = 0;
	bool *first = NULL;

	if (c->cfg->bulk_copies != CFG_BULK_FIRST || m->bulk == NULL ||
	    !policy_bulk_batch(c, &batch))
		return;
	addr_list_init(&to);
	addr_list_init(&copies);
	if (!policy_bulk_field(c, "To", &to) ||
	    !policy_bulk_field(c, "Cc", &copies) ||
	    !policy_bulk_field(c, "Bcc", &copies)) {
		policy_note(c, "bulk=unparsed-header");
		goto out;
	}
	policy_bulk_taken_bcc(c, &copies);
	for (i = 0; i < m->env->rcpts.n; i++) {
		addr_init(&a);
		if (policy_parse_path(m->env->rcpts.v[i], &a) && !addr_is_routed(&a) &&
		    policy_bulk_listed(&a, &copies) &&
		    !policy_bulk_listed(&a, &to)) {
			keys = xreallocarray(keys, n + 1, sizeof(*keys));
			idx = xreallocarray(idx, n + 1, sizeof(*idx));
			keys[n] = policy_bulk_key(batch, &a);
			idx[n++] = i;
		}
		addr_free(&a);
	}
	if (n == 0)
		goto out;
	first = xreallocarray(NULL, n, sizeof(*first));
	if (!m->bulk->claim(m->bulk->arg, keys, first, n,
	    c->cfg->bulk_window)) {
		policy_note(c, "bulk=store-failed");
		goto out;
	}
	/* From the end: a removal shifts the recipients after it. */
	for (i = n; i-- > 0;)
		if (!first[i]) {
			policy_del_rcpt(c, idx[i]);
			dropped++;
		}
	if (dropped > 0)
		policy_note(c, "bulk_copies_dropped=%zu", dropped);
out:
	addr_list_free(&to);
	addr_list_free(&copies);
	free(keys);
	free(idx);
	free(first);
}
