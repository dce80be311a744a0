/*
 * policy - the driver: steps in order, and the helpers that apply an edit
 * to the message and record it for the milter.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

void
policy_result_init(struct policy_result *r)
{
	memset(r, 0, sizeof(*r));
	smtp_reply_init(&r->reply);
	str_init(&r->actions);
	r->verdict = POLICY_ACCEPT;
}

void
policy_result_free(struct policy_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].value);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
	smtp_reply_free(&r->reply);
	str_free(&r->actions);
}

static void
policy_record(struct policy_ctx *c, enum policy_op op, const char *name,
    const char *value, size_t occurrence)
{
	struct policy_result *r = c->r;
	struct policy_edit *e;

	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	e = &r->v[r->n++];
	e->op = op;
	e->name = name ? xstrdup(name) : NULL;
	e->value = value ? xstrdup(value) : NULL;
	e->occurrence = occurrence;
}

bool
policy_is_null_sender(const char *s)
{
	return s == NULL || *s == '\0' || strcmp(s, "<>") == 0;
}

bool
policy_parse_path(const char *s, struct addr *a)
{
	struct str err = STR_INIT;
	int rc;

	rc = addr_parse_path(s, strlen(s), a, &err);
	str_free(&err);
	return rc == ADDR_OK && a->domain.len > 0;
}

void
policy_set_sender(struct policy_ctx *c, const char *bare)
{
	envelope_set_sender(c->m->env, bare);
	policy_record(c, POLICY_CHGFROM, NULL, bare, 0);
}

void
policy_del_rcpt(struct policy_ctx *c, size_t i)
{
	struct envelope *env = c->m->env;

	policy_record(c, POLICY_DELRCPT, NULL, env->rcpts.v[i], 0);
	envelope_del_rcpt(env, i);
}

void
policy_add_rcpt(struct policy_ctx *c, const char *bare)
{
	envelope_add_rcpt(c->m->env, bare);
	policy_record(c, POLICY_ADDRCPT, NULL, bare, 0);
}

void
policy_hdr_add(struct policy_ctx *c, const char *name, const char *value)
{
	if (hdr_append(c->m->hdr, name, value, NULL) != HDR_OK) {
		c->failed = true;
		return;
	}
	policy_record(c, POLICY_ADDHDR, name, value, 0);
}

void
policy_hdr_change(struct policy_ctx *c, size_t index, const char *value)
{
	struct hdr_block *hb = c->m->hdr;
	size_t occ = hdr_occurrence(hb, index);
	char *name = xstrndup(hb->v[index].name.data, hb->v[index].name.len);

	if (hdr_replace(hb, index, value, NULL) != HDR_OK)
		c->failed = true;
	else
		policy_record(c, POLICY_CHGHDR, name, value, occ);
	free(name);
}

void
policy_hdr_delete(struct policy_ctx *c, size_t index)
{
	struct hdr_block *hb = c->m->hdr;
	size_t occ = hdr_occurrence(hb, index);
	char *name = xstrndup(hb->v[index].name.data, hb->v[index].name.len);

	if (hdr_remove(hb, index) != HDR_OK)
		c->failed = true;
	else
		policy_record(c, POLICY_CHGHDR, name, NULL, occ);
	free(name);
}

void
policy_refuse(struct policy_ctx *c, int code, const char *esc,
    const char *fmt, ...)
{
	struct str text = STR_INIT;
	va_list ap;

	if (c->r->verdict == POLICY_REJECT || c->r->verdict == POLICY_TEMPFAIL)
		return;		/* the first reason stands */
	va_start(ap, fmt);
	str_vappendf(&text, fmt, ap);
	va_end(ap);
	if (smtp_reply_make(&c->r->reply, code, esc, "%s", str_cstr(&text)) !=
	    SMTP_OK)
		die("policy: bad reply %d %s", code, esc);
	c->r->verdict = code >= 500 ? POLICY_REJECT : POLICY_TEMPFAIL;
	policy_note(c, "%s=%d", code >= 500 ? "reject" : "tempfail", code);
	str_free(&text);
}

void
policy_note(struct policy_ctx *c, const char *fmt, ...)
{
	struct str word = STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	str_vappendf(&word, fmt, ap);
	va_end(ap);
	if (c->r->actions.len > 0)
		str_appendc(&c->r->actions, ' ');
	str_append_escaped(&c->r->actions, word.data, word.len);
	str_free(&word);
}

static bool
policy_stopped(const struct policy_ctx *c)
{
	return c->failed || c->r->verdict != POLICY_ACCEPT;
}

void
policy_run(const struct cfg *cfg, struct policy_msg *m,
    struct policy_result *r)
{
	struct policy_ctx c = { cfg, m, r, false };
	/* Rules judge the message as it came, so they go before anything
	   rewrites the sender; before exclude and redirect, which must
	   see every recipient, the added ones too. */
	void (*const steps[])(struct policy_ctx *) = {
		policy_header_breaks, policy_default_from, policy_rules,
		policy_login, policy_display_name, policy_reply_to,
		policy_exclude, policy_bulk, policy_redirect
	};
	size_t i;

	r->verdict = POLICY_ACCEPT;
	/* Checked first: a test system must not send anything then. */
	if (!policy_redirect_possible(&c))
		return;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		steps[i](&c);
		if (policy_stopped(&c))
			break;
	}
	if (c.failed)
		policy_refuse(&c, 451, "4.3.0", "policy could not be applied "
		    "to this message");
	else if (r->verdict == POLICY_ACCEPT && m->env->rcpts.n == 0) {
		r->verdict = POLICY_DISCARD;
		policy_note(&c, "discard=no-recipients-left");
	}
}

const char *
policy_default_login(const struct cfg *cfg, const char *sender)
{
	struct addr s;
	size_t i, j;
	const char *login = NULL;
	struct cfg_login own;
	bool have;

	addr_init(&s);
	have = sender != NULL && policy_parse_path(sender, &s);
	for (i = 0; have && login == NULL && i < cfg->naccounts; i++)
		for (j = 0; j < cfg->accounts[i].senders.n; j++)
			if (addr_match(&s, cfg->accounts[i].senders.v[j])) {
				login = cfg->accounts[i].username;
				break;
			}
	/* The null sender's mail (our notices) goes through error_relay. */
	if (login == NULL && cfg->error_relay_ptr != NULL &&
	    policy_is_null_sender(sender)) {
		cfg_relay_login(cfg, cfg->error_relay_ptr, &own);
		login = own.username;
	}
	for (i = 0; login == NULL && i < cfg->nrelays; i++)
		if (cfg->relays[i].enabled) {
			cfg_relay_login(cfg, &cfg->relays[i], &own);
			login = own.username;
			break;
		}
	addr_free(&s);
	return login;
}
