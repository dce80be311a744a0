/*
 * cfg_dump - the effective settings in the file's own format, defaults
 * and presets filled in, secrets masked: what --check-config prints.
 */
#include "config.h"

#include <string.h>

#include "cfg_int.h"

static void
cfg_dump_section(enum cfg_sec sec, const void *base, struct str *out)
{
	struct str v = STR_INIT;
	size_t i;

	for (i = 0; i < cfg_nkeys; i++) {
		if (cfg_keys[i].sec != sec)
			continue;
		str_reset(&v);
		cfg_value_print(&cfg_keys[i], base, &v);
		if (v.len > 0)
			str_appendf(out, "%s = %s\n", cfg_keys[i].name,
			    str_cstr(&v));
	}
	str_free(&v);
}

void
cfg_dump(const struct cfg *c, struct str *out)
{
	size_t i;

	str_appendf(out, "# effective settings of %s\n", c->path);
	str_appendz(out, "[general]\n");
	cfg_dump_section(CFG_SEC_GENERAL, c, out);
	for (i = 0; i < c->nrelays; i++) {
		str_appendf(out, "\n[relay %s]\n", c->relays[i].name);
		cfg_dump_section(CFG_SEC_RELAY, &c->relays[i], out);
	}
	for (i = 0; i < c->naccounts; i++) {
		str_appendf(out, "\n[account %s]\n", c->accounts[i].address);
		cfg_dump_section(CFG_SEC_ACCOUNT, &c->accounts[i], out);
	}
	str_appendz(out, "\n[message]\n");
	cfg_dump_section(CFG_SEC_MESSAGE, c, out);
	for (i = 0; i < c->nrules; i++) {
		str_appendf(out, "\n[rule %s]\n", c->rules[i].name);
		cfg_dump_section(CFG_SEC_RULE, &c->rules[i], out);
	}
	str_appendz(out, "\n[redirect]\n");
	cfg_dump_section(CFG_SEC_REDIRECT, c, out);
	for (i = 0; i < c->nreports; i++) {
		str_appendf(out, "\n[report %s]\n", c->reports[i].address);
		cfg_dump_section(CFG_SEC_REPORT, &c->reports[i], out);
	}
	str_appendz(out, "\n[queue]\n");
	cfg_dump_section(CFG_SEC_QUEUE, c, out);
	str_appendz(out, "\n[milter]\n");
	cfg_dump_section(CFG_SEC_MILTER, c, out);
}

const char *
cfg_tls_name(enum cfg_tls tls)
{
	static const char *const names[] = { "none", "starttls", "implicit" };

	return (unsigned)tls < 3 ? names[tls] : "?";
}

const char *
cfg_auth_name(enum cfg_auth auth)
{
	static const char *const names[] = { "none", "auto", "plain", "login",
		"xoauth2", "oauthbearer" };

	return (unsigned)auth < 6 ? names[auth] : "?";
}
