/*
 * policy_rule - default recipients by context ([rule NAME]): a message
 * that matches a rule gets its add_cc and add_bcc as envelope recipients,
 * and add_cc in its Cc header too, so those who read it see who else got
 * it.  Bcc never reaches the header.
 *
 * A rule matches when each of its conditions does: when_header, a field
 * of that name (any case) whose value, trimmed, is the configured value
 * or matches it as an fnmatch(3) glob; when_sender, the envelope sender
 * against user@domain or @domain patterns, judged like exclude and keep
 * (a routed or unparsable sender matches nothing).  Every matching rule
 * applies, in file order; an address is added once however many rules
 * name it, and an excluded address ([message] exclude) never.  The step
 * runs before redirect, so on a test system the added recipients are
 * redirected and recorded like the others.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

/* Trim spaces and tabs at both ends of s[0..*len). */
static const char *
policy_rule_trim(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* when_header: "Name: pattern" (checked at load). */
static bool
policy_rule_header(const struct policy_ctx *c, const char *when)
{
	const struct hdr_block *hb = c->m->hdr;
	const char *colon = strchr(when, ':'), *pat, *v;
	char *name, *value, *pattern;
	size_t plen, vlen;
	ssize_t k;
	bool hit = false;

	if (colon == NULL)
		return false;
	name = xstrndup(when, (size_t)(colon - when));
	plen = strlen(colon + 1);
	pat = policy_rule_trim(colon + 1, &plen);
	pattern = xstrndup(pat, plen);
	for (k = hdr_find(hb, name, 0); k >= 0 && !hit;
	    k = hdr_find(hb, name, (size_t)k + 1)) {
		vlen = hb->v[k].value.len;
		v = policy_rule_trim(hb->v[k].value.data ?
		    hb->v[k].value.data : "", &vlen);
		/* fnmatch() reads up to a NUL: a value holding one is not
		   the text the rule names, and is never judged cut short. */
		if (memchr(v, '\0', vlen) != NULL)
			continue;
		value = xstrndup(v, vlen);
		hit = fnmatch(pattern, value, 0) == 0;
		free(value);
	}
	free(name);
	free(pattern);
	return hit;
}

static bool
policy_rule_sender(const struct policy_ctx *c, const struct strvec *pats)
{
	struct addr a;
	size_t i;
	bool hit = false;

	if (policy_is_null_sender(c->m->env->sender))
		return false;
	addr_init(&a);
	if (policy_parse_path(c->m->env->sender, &a) && !addr_is_routed(&a))
		for (i = 0; i < pats->n && !hit; i++)
			hit = addr_match(&a, pats->v[i]);
	addr_free(&a);
	return hit;
}

static bool
policy_rule_matches(const struct policy_ctx *c, const struct cfg_rule *r)
{
	/* Loading refuses a rule without conditions; here too it is none. */
	if (r->when_header == NULL && r->when_sender.n == 0)
		return false;
	if (r->when_header != NULL && !policy_rule_header(c, r->when_header))
		return false;
	if (r->when_sender.n > 0 && !policy_rule_sender(c, &r->when_sender))
		return false;
	return true;
}

/* Is addr (user@domain) already an envelope recipient? */
static bool
policy_rule_has_rcpt(const struct policy_ctx *c, const char *addr)
{
	struct addr a;
	size_t i;
	bool hit = false;

	for (i = 0; i < c->m->env->rcpts.n && !hit; i++) {
		addr_init(&a);
		hit = policy_parse_path(c->m->env->rcpts.v[i], &a) &&
		    !addr_is_routed(&a) && addr_match(&a, addr);
		addr_free(&a);
	}
	return hit;
}

/* exclude wins: an excluded address is never added, not even to Cc. */
static bool
policy_rule_excluded(const struct policy_ctx *c, const char *addr)
{
	const struct strvec *ex = &c->cfg->exclude;
	struct addr a;
	size_t i;
	bool hit = false;

	addr_init(&a);
	if (policy_parse_path(addr, &a))
		for (i = 0; i < ex->n && !hit; i++)
			hit = addr_match(&a, ex->v[i]);
	addr_free(&a);
	return hit;
}

/* Is addr named in a To or Cc field already? */
static bool
policy_rule_in_header(const struct policy_ctx *c, const char *addr)
{
	static const char *const names[] = { "To", "Cc" };
	const struct hdr_block *hb = c->m->hdr;
	struct addr_list l;
	size_t i, j;
	ssize_t k;
	bool hit = false;

	for (i = 0; i < 2 && !hit; i++)
		for (k = hdr_find(hb, names[i], 0); k >= 0 && !hit;
		    k = hdr_find(hb, names[i], (size_t)k + 1)) {
			addr_list_init(&l);
			if (addr_parse_list(hb->v[k].value.data ?
			    hb->v[k].value.data : "", hb->v[k].value.len, &l,
			    NULL) == ADDR_OK)
				for (j = 0; j < l.n && !hit; j++)
					hit = addr_match(&l.v[j], addr);
			addr_list_free(&l);
		}
	return hit;
}

/*
 * The Cc header gets what it does not name yet: appended to the first Cc
 * field (RFC 5322 allows one), or a new field.
 */
static void
policy_rule_cc_header(struct policy_ctx *c, const struct strvec *cc)
{
	struct hdr_block *hb = c->m->hdr;
	struct str value = STR_INIT;
	size_t i, n = 0, vlen;
	ssize_t k = hdr_find(hb, "Cc", 0);

	if (k >= 0) {
		vlen = hb->v[k].value.len;
		(void)policy_rule_trim(hb->v[k].value.data ?
		    hb->v[k].value.data : "", &vlen);
		str_append(&value, hb->v[k].value.data, vlen);
	}
	for (i = 0; i < cc->n; i++) {
		if (policy_rule_excluded(c, cc->v[i]) ||
		    policy_rule_in_header(c, cc->v[i]))
			continue;
		if (value.len > 0)
			str_appendz(&value, ", ");
		str_appendz(&value, cc->v[i]);
		n++;
	}
	if (n > 0 && k >= 0)
		policy_hdr_change(c, (size_t)k, str_cstr(&value));
	else if (n > 0)
		policy_hdr_add(c, "Cc", str_cstr(&value));
	str_free(&value);
}

static size_t
policy_rule_rcpts(struct policy_ctx *c, const struct strvec *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (!policy_rule_excluded(c, l->v[i]) &&
		    !policy_rule_has_rcpt(c, l->v[i])) {
			policy_add_rcpt(c, l->v[i]);
			n++;
		}
	return n;
}

void
policy_rules(struct policy_ctx *c)
{
	const struct cfg *cfg = c->cfg;
	const struct cfg_rule *r;
	size_t i, cc, bcc;

	for (i = 0; i < cfg->nrules && !c->failed; i++) {
		r = &cfg->rules[i];
		if (!policy_rule_matches(c, r))
			continue;
		policy_rule_cc_header(c, &r->add_cc);
		cc = policy_rule_rcpts(c, &r->add_cc);
		bcc = policy_rule_rcpts(c, &r->add_bcc);
		policy_note(c, "rule=%s(cc=%zu,bcc=%zu)", r->name, cc, bcc);
	}
}
