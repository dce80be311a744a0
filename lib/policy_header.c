/*
 * policy_header - header policy that needs no login: fields the MTA holds
 * with a line break inside, a missing From, the forced From display name
 * and Reply-To.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/*
 * A field the MTA reported with a CR or LF outside a fold was judged with
 * spaces there (hdr_add_parsed); the MTA still has the break, where the
 * next hop may read a second header line ("Subject: x\rFrom: ...").  So
 * the field is replaced at the MTA by what the policy saw.  First of the
 * steps, so that later edits of the same field come after it.  The shim's
 * reader has made the spaces in the message itself: nothing is marked.
 */
void
policy_header_breaks(struct policy_ctx *c)
{
	struct hdr_block *hb = c->m->hdr;
	size_t i, n = 0;
	char *value;

	for (i = 0; i < hb->n && !c->failed; i++) {
		if (!hb->v[i].crlf_fixed)
			continue;
		/* A copy: the edit replaces the string it would read. */
		value = xstrndup(str_cstr(&hb->v[i].value), hb->v[i].value.len);
		policy_hdr_change(c, i, value);
		free(value);
		n++;
	}
	if (n > 0)
		policy_note(c, "header-line-breaks=%zu", n);
}

/*
 * [message] from on a message without From, as smtpgate.conf(5) says.
 * The shim has made a From before the policy runs (-F, -f, this, or
 * user@hostname: submit.h), so this is the milter's case: mail an MTA
 * took without one.  Before the login check, which then judges it.
 */
void
policy_default_from(struct policy_ctx *c)
{
	if (c->cfg->from == NULL || hdr_find(c->m->hdr, "From", 0) >= 0)
		return;
	policy_hdr_add(c, "From", c->cfg->from);
	policy_note(c, "from=added");
}

/* from_display_name on a From with exactly one mailbox. */
void
policy_display_name(struct policy_ctx *c)
{
	struct hdr_block *hb = c->m->hdr;
	const char *want = c->cfg->from_display_name;
	struct addr_list l;
	struct str err = STR_INIT, value = STR_INIT;
	ssize_t k;

	if (want == NULL || (k = hdr_find(hb, "From", 0)) < 0)
		return;
	addr_list_init(&l);
	if (addr_parse_list(hb->v[k].value.data ? hb->v[k].value.data : "",
	    hb->v[k].value.len, &l, &err) == ADDR_OK && l.n == 1 &&
	    !str_eq(&l.v[0].display, want)) {
		str_setz(&l.v[0].display, want);
		addr_format(&l.v[0], &value);
		policy_hdr_change(c, (size_t)k, str_cstr(&value));
		policy_note(c, "from-display=set");
	}
	addr_list_free(&l);
	str_free(&err);
	str_free(&value);
}

/* reply_to per reply_to_mode; the message ends with one Reply-To. */
void
policy_reply_to(struct policy_ctx *c)
{
	struct hdr_block *hb = c->m->hdr;
	const struct cfg *cfg = c->cfg;
	ssize_t first, k;

	if (cfg->reply_to == NULL || cfg->reply_to_mode == CFG_REPLY_TO_OFF)
		return;
	first = hdr_find(hb, "Reply-To", 0);
	if (first < 0) {
		policy_hdr_add(c, "Reply-To", cfg->reply_to);
		policy_note(c, "reply-to=added");
		return;
	}
	while ((k = hdr_find(hb, "Reply-To", (size_t)first + 1)) >= 0)
		policy_hdr_delete(c, (size_t)k);
	if (cfg->reply_to_mode == CFG_REPLY_TO_ALWAYS) {
		policy_hdr_change(c, (size_t)first, cfg->reply_to);
		policy_note(c, "reply-to=replaced");
	}
}
