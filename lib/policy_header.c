/*
 * policy_header - header policy that needs no login: the forced From
 * display name and Reply-To.
 */
#include "config.h"

#include <string.h>

#include "policy_int.h"

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
