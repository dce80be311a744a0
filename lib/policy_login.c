/*
 * policy_login - from_must_match_login: the envelope sender and the From
 * and Sender header addresses must be the login or one of the senders of
 * the [account] that logs in with it.
 *
 * reject: 550 5.7.1 naming the address and the login.
 * rewrite: the addresses become the login; From keeps its display name
 * (or gets from_display_name), the original From goes to Reply-To when
 * the message has none and to X-Original-From always.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

/* The login as an address: itself, or login@[general] domain. */
static bool
policy_login_addr(const struct policy_ctx *c, const char *login,
    struct addr *out)
{
	struct str tmp = STR_INIT;
	bool ok;

	if (strchr(login, '@') != NULL)
		return policy_parse_path(login, out);
	if (c->cfg->domain == NULL)
		return false;
	str_appendf(&tmp, "%s@%s", login, c->cfg->domain);
	ok = policy_parse_path(str_cstr(&tmp), out);
	str_free(&tmp);
	return ok;
}

static bool
policy_allowed(const struct policy_ctx *c, const char *login,
    const struct addr *login_addr, bool have_login_addr,
    const struct addr *a)
{
	const struct cfg *cfg = c->cfg;
	size_t i, j;

	if (addr_is_routed(a))
		return false;
	if (have_login_addr && addr_same(a, login_addr))
		return true;
	for (i = 0; i < cfg->naccounts; i++) {
		if (strcasecmp(cfg->accounts[i].username, login) != 0)
			continue;
		for (j = 0; j < cfg->accounts[i].senders.n; j++)
			if (addr_match(a, cfg->accounts[i].senders.v[j]))
				return true;
	}
	return false;
}

struct policy_login_state {
	const char *login;
	struct addr login_addr;
	bool	have_login_addr;
	bool	rewrite;
};

/* A mismatch: refuse, unless rewriting is both asked for and possible. */
static bool
policy_mismatch(struct policy_ctx *c, struct policy_login_state *st,
    const char *what, const char *shown)
{
	if (st->rewrite && st->have_login_addr)
		return true;
	policy_refuse(c, 550, "5.7.1", "<%s>: %s does not match login <%s>",
	    shown, what, st->login);
	return false;
}

static void
policy_login_envelope(struct policy_ctx *c, struct policy_login_state *st)
{
	struct addr a;
	struct str bare = STR_INIT;

	if (policy_is_null_sender(c->m->env->sender))
		return;		/* bounces have no sender to check */
	addr_init(&a);
	if (!policy_parse_path(c->m->env->sender, &a)) {
		policy_refuse(c, 550, "5.7.1", "<%s>: cannot check the sender "
		    "against login <%s>", c->m->env->sender, st->login);
	} else if (!policy_allowed(c, st->login, &st->login_addr,
	    st->have_login_addr, &a)) {
		addr_format_bare(&a, &bare);
		if (policy_mismatch(c, st, "sender", str_cstr(&bare))) {
			str_reset(&bare);
			addr_format_bare(&st->login_addr, &bare);
			policy_set_sender(c, str_cstr(&bare));
			policy_note(c, "sender=rewritten");
		}
	}
	addr_free(&a);
	str_free(&bare);
}

/* Rewrite the first From to the login; drop any further From fields. */
static void
policy_rewrite_from(struct policy_ctx *c, struct policy_login_state *st,
    size_t index, const struct addr_list *l)
{
	struct hdr_block *hb = c->m->hdr;
	struct addr nf;
	struct str value = STR_INIT, orig = STR_INIT;
	ssize_t k;

	str_set(&orig, hb->v[index].value.data, hb->v[index].value.len);
	addr_init(&nf);
	addr_copy(&nf, &st->login_addr);
	str_reset(&nf.display);
	if (c->cfg->from_display_name != NULL)
		str_setz(&nf.display, c->cfg->from_display_name);
	else if (l->n > 0)
		str_appends(&nf.display, &l->v[0].display);
	addr_format(&nf, &value);
	policy_hdr_change(c, index, str_cstr(&value));
	while ((k = hdr_find(hb, "From", index + 1)) >= 0)
		policy_hdr_delete(c, (size_t)k);
	if (hdr_find(hb, "Reply-To", 0) < 0)
		policy_hdr_add(c, "Reply-To", str_cstr(&orig));
	policy_hdr_add(c, "X-Original-From", str_cstr(&orig));
	policy_note(c, "from=rewritten");
	addr_free(&nf);
	str_free(&value);
	str_free(&orig);
}

/* Check every mailbox of the header field at index. */
static void
policy_login_field(struct policy_ctx *c, struct policy_login_state *st,
    size_t index, bool is_from)
{
	struct hdr_block *hb = c->m->hdr;
	struct addr_list l;
	struct str err = STR_INIT, bare = STR_INIT;
	const char *what = is_from ? "From" : "Sender";
	size_t i;
	bool bad = false;

	addr_list_init(&l);
	if (addr_parse_list(hb->v[index].value.data ? hb->v[index].value.data :
	    "", hb->v[index].value.len, &l, &err) != ADDR_OK || l.n == 0) {
		policy_refuse(c, 550, "5.7.1", "cannot check the %s header "
		    "against login <%s>: %s", what, st->login, l.n == 0 &&
		    err.len == 0 ? "no address" : str_cstr(&err));
		goto out;
	}
	for (i = 0; i < l.n && !bad; i++)
		if (!policy_allowed(c, st->login, &st->login_addr,
		    st->have_login_addr, &l.v[i])) {
			addr_format_bare(&l.v[i], &bare);
			bad = true;
		}
	if (!bad || !policy_mismatch(c, st, is_from ? "From" : "Sender",
	    str_cstr(&bare)))
		goto out;
	if (is_from)
		policy_rewrite_from(c, st, index, &l);
	else {
		str_reset(&bare);
		addr_format_bare(&st->login_addr, &bare);
		policy_hdr_change(c, index, str_cstr(&bare));
		policy_note(c, "sender-header=rewritten");
	}
out:
	addr_list_free(&l);
	str_free(&err);
	str_free(&bare);
}

void
policy_login(struct policy_ctx *c)
{
	struct policy_login_state st;
	struct hdr_block *hb = c->m->hdr;
	ssize_t k;

	if (c->cfg->from_must_match_login == CFG_MATCH_OFF)
		return;
	st.login = c->m->login ? c->m->login :
	    policy_default_login(c->cfg, c->m->env->sender);
	if (st.login == NULL || *st.login == '\0') {
		policy_note(c, "from-match=skipped(no-login)");
		return;
	}
	addr_init(&st.login_addr);
	st.have_login_addr = policy_login_addr(c, st.login, &st.login_addr);
	st.rewrite = c->cfg->from_must_match_login == CFG_MATCH_REWRITE;
	policy_login_envelope(c, &st);
	/* Every From and Sender field: a second one must not slip past. */
	for (k = hdr_find(hb, "From", 0); k >= 0 && c->r->verdict ==
	    POLICY_ACCEPT && !c->failed; k = hdr_find(hb, "From", (size_t)k + 1))
		policy_login_field(c, &st, (size_t)k, true);
	for (k = hdr_find(hb, "Sender", 0); k >= 0 && c->r->verdict ==
	    POLICY_ACCEPT && !c->failed; k = hdr_find(hb, "Sender",
	    (size_t)k + 1))
		policy_login_field(c, &st, (size_t)k, false);
	addr_free(&st.login_addr);
}
