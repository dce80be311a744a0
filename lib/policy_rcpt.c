/*
 * policy_rcpt - envelope recipients: exclude, and redirect to the report
 * addresses for test systems.
 *
 * Redirect keeps a recipient only when it parses as a plain user@domain
 * (no source route, percent hack, bang path or quoted '@') and matches a
 * keep pattern; everything else, including what cannot be parsed, goes to
 * the report addresses.  The last step checks that rule again over the
 * final list, so a mistake above cannot leak.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static bool
policy_matches(const char *rcpt, const struct strvec *patterns)
{
	struct addr a;
	size_t i;
	bool hit = false;

	addr_init(&a);
	if (policy_parse_path(rcpt, &a) && !addr_is_routed(&a))
		for (i = 0; i < patterns->n && !hit; i++)
			hit = addr_match(&a, patterns->v[i]);
	addr_free(&a);
	return hit;
}

void
policy_exclude(struct policy_ctx *c)
{
	struct policy_msg *m = c->m;
	size_t i = 0, n = 0;

	if (c->cfg->exclude.n == 0)
		return;
	while (i < m->env->rcpts.n) {
		if (policy_matches(m->env->rcpts.v[i], &c->cfg->exclude)) {
			policy_del_rcpt(c, i);
			n++;
		} else
			i++;
	}
	if (n > 0)
		policy_note(c, "excluded=%zu", n);
}

bool
policy_redirect_possible(struct policy_ctx *c)
{
	size_t i;

	if (!c->cfg->redirect_enabled)
		return true;
	for (i = 0; i < c->cfg->nreports; i++)
		if (c->cfg->reports[i].enabled)
			return true;
	policy_refuse(c, 451, "4.7.1", "redirect is on but no report address "
	    "is enabled; not delivering");
	return false;
}

/* Is rcpt (as given) the address addr? */
static bool
policy_rcpt_is(const char *rcpt, const char *addr)
{
	struct addr a;
	bool hit;

	addr_init(&a);
	hit = policy_parse_path(rcpt, &a) && !addr_is_routed(&a) &&
	    addr_match(&a, addr);
	addr_free(&a);
	return hit;
}

static bool
policy_is_report(const struct cfg *cfg, const char *rcpt)
{
	size_t i;

	for (i = 0; i < cfg->nreports; i++)
		if (cfg->reports[i].enabled &&
		    policy_rcpt_is(rcpt, cfg->reports[i].address))
			return true;
	return false;
}

/* What cannot be parsed is recorded as given, less the SMTP brackets
   smtpd puts around it ("<localuser>"). */
static void
policy_unbracket(const char *rcpt, struct str *out)
{
	size_t len = strlen(rcpt);

	if (len >= 2 && rcpt[0] == '<' && rcpt[len - 1] == '>')
		str_set(out, rcpt + 1, len - 2);
	else
		str_set(out, rcpt, len);
}

/* Add the prefix once; a reply that already carries it keeps one. */
static void
policy_subject(struct policy_ctx *c)
{
	struct hdr_block *hb = c->m->hdr;
	const char *prefix = c->cfg->subject_prefix;
	struct str value = STR_INIT;
	size_t plen;
	ssize_t k;

	if (prefix == NULL || *prefix == '\0')
		return;
	plen = strlen(prefix);
	if ((k = hdr_find(hb, "Subject", 0)) < 0) {
		policy_hdr_add(c, "Subject", prefix);
		return;
	}
	if (hb->v[k].value.len >= plen && memmem(hb->v[k].value.data,
	    hb->v[k].value.len, prefix, plen) != NULL)
		return;
	str_appendz(&value, prefix);
	if (prefix[plen - 1] != ' ' && hb->v[k].value.len > 0)
		str_appendc(&value, ' ');
	str_appends(&value, &hb->v[k].value);
	policy_hdr_change(c, (size_t)k, str_cstr(&value));
	str_free(&value);
}

void
policy_redirect(struct policy_ctx *c)
{
	const struct cfg *cfg = c->cfg;
	struct policy_msg *m = c->m;
	struct str bare = STR_INIT;
	size_t i, j, moved = 0;
	bool dup;

	if (!cfg->redirect_enabled)
		return;
	for (i = 0; i < m->env->rcpts.n; i++) {
		struct addr a;

		addr_init(&a);
		str_reset(&bare);
		if (policy_parse_path(m->env->rcpts.v[i], &a))
			addr_format_bare(&a, &bare);
		else
			policy_unbracket(m->env->rcpts.v[i], &bare);
		policy_hdr_add(c, "X-Original-To", str_cstr(&bare));
		addr_free(&a);
	}
	i = 0;
	while (i < m->env->rcpts.n) {
		if (policy_matches(m->env->rcpts.v[i], &cfg->keep))
			i++;
		else {
			policy_del_rcpt(c, i);
			moved++;
		}
	}
	for (i = 0; moved > 0 && i < cfg->nreports; i++) {
		if (!cfg->reports[i].enabled)
			continue;
		for (j = 0, dup = false; j < m->env->rcpts.n && !dup; j++)
			dup = policy_rcpt_is(m->env->rcpts.v[j],
			    cfg->reports[i].address);
		if (!dup)
			policy_add_rcpt(c, cfg->reports[i].address);
	}
	policy_subject(c);
	policy_note(c, "redirected=%zu", moved);
	/* The rule again, over what is left. */
	for (i = 0; i < m->env->rcpts.n; i++)
		if (!policy_matches(m->env->rcpts.v[i], &cfg->keep) &&
		    !policy_is_report(cfg, m->env->rcpts.v[i]))
			c->failed = true;	/* tempfail, never deliver */
	str_free(&bare);
}
