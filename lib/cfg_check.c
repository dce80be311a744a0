/*
 * cfg_check - what can only be checked once the whole file is read:
 * presets and the defaults that follow other keys, references between
 * sections, and the password files on disk.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cfg_int.h"
#include "secret.h"

static const struct cfg_where *
cfg_key_where(const struct cfg_seen *seen, enum cfg_sec sec, const char *name)
{
	const struct cfg_key *k = cfg_key_find(sec, name);

	return &seen->key[cfg_key_index(k)];
}

static bool
cfg_key_set(const struct cfg_seen *seen, enum cfg_sec sec, const char *name)
{
	return cfg_key_where(seen, sec, name)->file != NULL;
}

static unsigned
cfg_port_for(enum cfg_tls tls)
{
	return tls == CFG_TLS_IMPLICIT ? 465 : tls == CFG_TLS_STARTTLS ? 587 :
	    25;
}

/*
 * A secret file (password_file, oauth2_client_secret_file: key) must
 * exist and be a regular file.  Readable by others is a warning;
 * readable by its group too, unless that group is smtpgate (the install
 * model: root:smtpgate 0640 for the setgid shim).
 */
static void
cfg_check_secret_file(struct cfg_parse *p, const struct cfg_where *w,
    const char *key, const char *path)
{
	struct stat st;
	struct group *gr;

	if (p->flags & CFG_NO_FILE_CHECKS)
		return;
	if (stat(path, &st) == -1) {
		cfg_diag(p, w->file, w->line, "%s %s: %s", key, path,
		    strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_diag(p, w->file, w->line, "%s %s: not a regular file", key,
		    path);
		return;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH))
		cfg_warn(p, w->file, w->line, "%s %s is readable or writable by "
		    "others (mode %04o); chmod o-rwx", key, path,
		    (unsigned)(st.st_mode & 07777));
	else if (st.st_mode & (S_IRGRP | S_IWGRP)) {
		gr = getgrgid(st.st_gid);
		if (gr == NULL || strcmp(gr->gr_name, CFG_SECRETS_GROUP) != 0)
			cfg_warn(p, w->file, w->line, "%s %s is readable by group "
			    "%s (mode %04o); use mode 0600, or 0640 with group "
			    "smtpgate", key, path, gr ? gr->gr_name : "?",
			    (unsigned)(st.st_mode & 07777));
	}
}

/*
 * password_command names its program by absolute path: a bare name or a
 * relative path would be looked up from the caller's working directory or
 * PATH, which the caller chooses, while the command runs with the group's
 * rights (or root's, during root's -q).  Whose file may name it at all is
 * the setgid shim's decision (cfg->trusted).
 */
static void
cfg_check_command(struct cfg_parse *p, const struct cfg_where *w,
    const char *cmd)
{
	char **argv;
	size_t argc;

	if (secret_split(cmd, &argv, &argc) != 0)
		cfg_diag(p, w->file, w->line, "password_command: unbalanced "
		    "quotes or no program");
	else {
		if (argv[0][0] != '/')
			cfg_diag(p, w->file, w->line, "password_command: '%s' is "
			    "not an absolute path; name the program by its full "
			    "path (for a shell, say /bin/sh -c '...')", argv[0]);
		secret_free_argv(argv, argc);
	}
}

/*
 * credentials = default: the login is [general]'s, so there must be one,
 * and the relay's own would be silently ignored: two logins for one relay
 * is a mistake to point at.
 */
static void
cfg_check_default_login(struct cfg_parse *p, const struct cfg_relay *r,
    const struct cfg_seen *seen)
{
	static const char *const own[] = { "username", "password_file",
	    "password_command", "oauth2_client_id" };
	const struct cfg_where *w = cfg_key_where(seen, CFG_SEC_RELAY,
	    "credentials");
	size_t i;

	if (p->cfg->username == NULL)
		cfg_diag(p, w->file, w->line, "[relay %s]: credentials = default "
		    "but [general] sets no username (the default login)",
		    r->name);
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (cfg_key_set(seen, CFG_SEC_RELAY, own[i]))
			cfg_diag(p, cfg_key_where(seen, CFG_SEC_RELAY,
			    own[i])->file, cfg_key_where(seen, CFG_SEC_RELAY,
			    own[i])->line, "[relay %s]: %s and credentials = "
			    "default are both set; keep one", r->name, own[i]);
}

/* [general]: the default login, error_relay; [queue] delay. */
static void
cfg_check_general(struct cfg_parse *p)
{
	struct cfg *c = p->cfg;
	const struct cfg_seen *g = &p->single[CFG_SEC_GENERAL];
	const struct cfg_seen *q = &p->single[CFG_SEC_QUEUE];
	const struct cfg_where *w;
	const char *names[64], *near;
	size_t i, n;

	if (c->password_file != NULL && c->password_command != NULL) {
		w = cfg_key_where(g, CFG_SEC_GENERAL, "password_command");
		cfg_diag(p, w->file, w->line, "[general]: password_file and "
		    "password_command are both set; keep one");
	}
	if (c->password_file != NULL)
		cfg_check_secret_file(p, cfg_key_where(g, CFG_SEC_GENERAL,
		    "password_file"), "password_file", c->password_file);
	if (c->password_command != NULL)
		cfg_check_command(p, cfg_key_where(g, CFG_SEC_GENERAL,
		    "password_command"), c->password_command);
	if (c->username == NULL && (c->password_file != NULL ||
	    c->password_command != NULL)) {
		w = cfg_key_where(g, CFG_SEC_GENERAL, c->password_file != NULL ?
		    "password_file" : "password_command");
		cfg_warn(p, w->file, w->line, "[general]: a password without "
		    "username is never used");
	}
	if (c->error_relay != NULL &&
	    (c->error_relay_ptr = cfg_relay_find(c, c->error_relay)) == NULL) {
		for (i = n = 0; i < c->nrelays && n < 64; i++)
			names[n++] = c->relays[i].name;
		near = cfg_suggest(c->error_relay, names, n);
		w = cfg_key_where(g, CFG_SEC_GENERAL, "error_relay");
		cfg_diag(p, w->file, w->line, "error_relay: no [relay %s]%s%s%s",
		    c->error_relay, near ? " (did you mean '" : "",
		    near ? near : "", near ? "'?)" : "");
	}
	/* Waiting means waiting in the queue, which mode = never never
	   writes: one of the two settings is a mistake. */
	if (c->delay > 0 && c->queue_mode == CFG_QUEUE_NEVER) {
		w = cfg_key_where(q, CFG_SEC_QUEUE, "delay");
		cfg_diag(p, w->file, w->line, "delay: messages wait in the "
		    "queue, but mode = never keeps none; set mode = always or "
		    "on-failure, or delay = 0");
	}
}

/* The oauth2_* keys but oauth2_client_id, in the table's order. */
static const char *const cfg_oauth2_keys[] = { "oauth2_client_secret_file",
	"oauth2_tenant", "oauth2_scope", "oauth2_token_url",
	"oauth2_device_url", "oauth2_token_file" };
#define CFG_OAUTH2_NKEYS (sizeof(cfg_oauth2_keys) / sizeof(cfg_oauth2_keys[0]))

/*
 * SMTPGATE_OAUTH2_DIR "/relay-NAME" or "/account-ADDRESS".  A relay name
 * is letters, digits, '.', '-', '_' (the section checks it); an address
 * may hold '/' or bytes a file name should not, so every byte but those
 * and '@' and '+' becomes %XX: a name stays one file in the directory.
 */
static char *
cfg_oauth2_token_default(const char *kind, const char *name)
{
	struct str s = STR_INIT;
	const unsigned char *c;

	str_appendf(&s, "%s/%s-", SMTPGATE_OAUTH2_DIR, kind);
	for (c = (const unsigned char *)name; *c; c++)
		if (isalnum(*c) || strchr(".-_@+", *c) != NULL)
			str_appendc(&s, (char)*c);
		else
			str_appendf(&s, "%%%02X", *c);
	return str_detach(&s);
}

/* Every oauth2_* key written in a section that has no client id to use
   them with (skip: one that is fine without). */
static void
cfg_oauth2_stray(struct cfg_parse *p, const struct cfg_seen *seen,
    enum cfg_sec S, const char *what, const char *skip, const char *why)
{
	const struct cfg_where *w;
	size_t i;

	/* A section without any oauth2_* key (nearly all) costs nothing. */
	if (!seen->any_oauth2)
		return;
	for (i = 0; i < CFG_OAUTH2_NKEYS; i++) {
		if (skip != NULL && strcmp(cfg_oauth2_keys[i], skip) == 0)
			continue;
		w = cfg_key_where(seen, S, cfg_oauth2_keys[i]);
		if (w->file != NULL)
			cfg_diag(p, w->file, w->line, "%s: %s is set but %s; set "
			    "oauth2_client_id (the app's id) or remove %s", what,
			    cfg_oauth2_keys[i], why, cfg_oauth2_keys[i]);
	}
}

/*
 * A login with its own oauth2_client_id (o, keys in seen of section S):
 * what the section did not write comes from the preset pr (may be NULL;
 * for an account its relay's), the tenant first since the URLs hold it;
 * then what must be there.  token_file gets its default.
 */
static void
cfg_oauth2_own(struct cfg_parse *p, struct cfg_oauth2 *o,
    const struct cfg_seen *seen, enum cfg_sec S, const struct cfg_preset *pr,
    const char *what, const char *preset_where, const char *kind,
    const char *name)
{
	const struct cfg_where *id = cfg_key_where(seen, S, "oauth2_client_id");
	const struct cfg_where *w;

	if (pr != NULL && pr->oauth2_token_url != NULL) {
		/* Written empty: the default, never "{tenant}" in a URL. */
		if (o->tenant == NULL && pr->oauth2_tenant != NULL)
			o->tenant = xstrdup(pr->oauth2_tenant);
		if (!cfg_key_set(seen, S, "oauth2_token_url"))
			o->token_url = cfg_preset_url(pr->oauth2_token_url,
			    o->tenant);
		if (!cfg_key_set(seen, S, "oauth2_device_url"))
			o->device_url = cfg_preset_url(pr->oauth2_device_url,
			    o->tenant);
		if (!cfg_key_set(seen, S, "oauth2_scope"))
			o->scope = xstrdup(pr->oauth2_scope);
	}
	if (o->token_url == NULL)
		cfg_diag(p, id->file, id->line, "%s: oauth2_client_id but no "
		    "oauth2_token_url; set oauth2_token_url, or preset = "
		    "office365, outlook.com or gmail%s", what, preset_where);
	if (o->scope == NULL)
		cfg_diag(p, id->file, id->line, "%s: oauth2_client_id but no "
		    "oauth2_scope; set oauth2_scope (what the token may do, "
		    "e.g. the provider's SMTP scope and offline_access)", what);
	/* Only Microsoft's URLs hold a tenant: written for another service,
	   or beside URLs written without it, it changes nothing. */
	w = cfg_key_where(seen, S, "oauth2_tenant");
	if (o->tenant != NULL && w->file != NULL &&
	    (o->token_url == NULL || strstr(o->token_url, o->tenant) == NULL) &&
	    (o->device_url == NULL || strstr(o->device_url, o->tenant) == NULL))
		cfg_warn(p, w->file, w->line, "%s: oauth2_tenant %s is not used: "
		    "only preset = office365 or outlook.com puts it into the "
		    "URLs, and oauth2_token_url does not contain it", what,
		    o->tenant);
	if (o->token_file == NULL)
		o->token_file = cfg_oauth2_token_default(kind, name);
	if (o->client_secret_file != NULL)
		cfg_check_secret_file(p, cfg_key_where(seen, S,
		    "oauth2_client_secret_file"), "oauth2_client_secret_file",
		    o->client_secret_file);
}

/* The AUTH mechanisms that carry a token. */
static bool
cfg_auth_takes_token(enum cfg_auth a)
{
	return a == CFG_AUTH_AUTO || a == CFG_AUTH_XOAUTH2 ||
	    a == CFG_AUTH_OAUTHBEARER;
}

/*
 * A relay's own OAuth2 login.  auth = auto becomes xoauth2 (both
 * Microsoft and Google take it; oauthbearer is the user's to choose).
 */
static void
cfg_check_relay_oauth2(struct cfg_parse *p, struct cfg_relay *r,
    const struct cfg_seen *seen, const struct cfg_preset *pr)
{
	const enum cfg_sec S = CFG_SEC_RELAY;
	const struct cfg_where *w;
	struct str what = STR_INIT;

	str_appendf(&what, "[relay %s]", r->name);
	if (r->oauth2.client_id == NULL) {
		cfg_oauth2_stray(p, seen, S, str_cstr(&what),
		    NULL, "oauth2_client_id is not");
		str_free(&what);
		return;
	}
	w = cfg_key_where(seen, S, "oauth2_client_id");
	if (r->password_file != NULL || r->password_command != NULL)
		cfg_diag(p, w->file, w->line, "%s: oauth2_client_id and %s are "
		    "both set; keep one (with OAuth2 smtpgate gets the token "
		    "itself)", str_cstr(&what), r->password_file != NULL ?
		    "password_file" : "password_command");
	if (r->auth == CFG_AUTH_AUTO)
		r->auth = CFG_AUTH_XOAUTH2;
	else if (!cfg_auth_takes_token(r->auth)) {
		w = cfg_key_where(seen, S, "auth");
		cfg_diag(p, w->file ? w->file : r->file, w->file ? w->line :
		    r->line, "%s: oauth2_client_id with auth = %s, which sends "
		    "a password; set auth = xoauth2, oauthbearer or auto",
		    str_cstr(&what), cfg_auth_name(r->auth));
	}
	cfg_oauth2_own(p, &r->oauth2, seen, S, pr, str_cstr(&what), "",
	    "relay", r->name);
	str_free(&what);
}

static void
cfg_check_relay(struct cfg_parse *p, struct cfg_relay *r,
    const struct cfg_seen *seen)
{
	const struct cfg_preset *pr = r->preset ? cfg_preset_find(r->preset) :
	    NULL;
	const enum cfg_sec S = CFG_SEC_RELAY;

	if (pr != NULL) {
		if (!cfg_key_set(seen, S, "host")) {
			free(r->host);
			r->host = xstrdup(pr->host);
		}
		if (!cfg_key_set(seen, S, "tls"))
			r->tls = pr->tls;
		if (!cfg_key_set(seen, S, "auth"))
			r->auth = pr->auth;
		/* credentials = default: [general] supplies the login. */
		if (!cfg_key_set(seen, S, "username") && pr->username != NULL &&
		    r->credentials != CFG_CREDENTIALS_DEFAULT)
			r->username = xstrdup(pr->username);
	}
	if (!cfg_key_set(seen, S, "port"))
		r->port = pr != NULL && !cfg_key_set(seen, S, "tls") ? pr->port :
		    cfg_port_for(r->tls);
	if (r->enabled && r->host == NULL)
		cfg_diag(p, r->file, r->line, "[relay %s]: no host (set host = "
		    "or preset =)", r->name);
	if (r->password_file != NULL && r->password_command != NULL)
		cfg_diag(p, r->file, r->line, "[relay %s]: password_file and "
		    "password_command are both set; keep one", r->name);
	if (r->credentials == CFG_CREDENTIALS_DEFAULT)
		cfg_check_default_login(p, r, seen);
	if (r->tls_fingerprint != NULL && r->tls == CFG_TLS_NONE)
		cfg_warn(p, r->file, r->line, "[relay %s]: tls_fingerprint has "
		    "no effect with tls = none", r->name);
	if (r->password_file != NULL)
		cfg_check_secret_file(p, cfg_key_where(seen, S, "password_file"),
		    "password_file", r->password_file);
	if (r->password_command != NULL)
		cfg_check_command(p, cfg_key_where(seen, S, "password_command"),
		    r->password_command);
	cfg_check_relay_oauth2(p, r, seen, pr);
}

/* *dst becomes a copy of src (may be NULL), whatever it held. */
static void
cfg_replace(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup_null(src);
}

/*
 * An account's OAuth2 login: its own app (oauth2_client_id here), or,
 * when it has no password either, its relay's app with a token file of
 * its own: the relay's client id, secret, tenant, scope and URLs, never
 * its tokens.  Runs once the relay is resolved and checked.
 */
static void
cfg_check_account_oauth2(struct cfg_parse *p, struct cfg_account *a,
    const struct cfg_seen *seen)
{
	const enum cfg_sec S = CFG_SEC_ACCOUNT;
	const struct cfg_relay *r = a->relay_ptr;
	const struct cfg_preset *pr = r != NULL && r->preset != NULL ?
	    cfg_preset_find(r->preset) : NULL;
	const struct cfg_where *w = cfg_key_where(seen, S, "oauth2_client_id");
	struct str what = STR_INIT, why = STR_INIT, where = STR_INIT;
	bool pw = a->password_file != NULL || a->password_command != NULL;

	str_appendf(&what, "[account %s]", a->address);
	if (a->oauth2.client_id != NULL) {
		if (pw)
			cfg_diag(p, w->file, w->line, "%s: oauth2_client_id and %s "
			    "are both set; keep one (with OAuth2 smtpgate gets "
			    "the token itself)", str_cstr(&what),
			    a->password_file != NULL ? "password_file" :
			    "password_command");
		if (r != NULL && !cfg_auth_takes_token(r->auth))
			cfg_diag(p, w->file, w->line, "%s: oauth2_client_id, but "
			    "[relay %s] has auth = %s, which sends a password; set "
			    "auth = xoauth2, oauthbearer or auto there",
			    str_cstr(&what), r->name, cfg_auth_name(r->auth));
		if (r != NULL)
			str_appendf(&where, " in [relay %s]", r->name);
		cfg_oauth2_own(p, &a->oauth2, seen, S, pr, str_cstr(&what),
		    str_cstr(&where), "account", a->address);
	} else if (!pw && r != NULL && r->oauth2.client_id != NULL) {
		/* What the section wrote is an error below, and replaced. */
		cfg_replace(&a->oauth2.client_id, r->oauth2.client_id);
		cfg_replace(&a->oauth2.client_secret_file,
		    r->oauth2.client_secret_file);
		cfg_replace(&a->oauth2.tenant, r->oauth2.tenant);
		cfg_replace(&a->oauth2.scope, r->oauth2.scope);
		cfg_replace(&a->oauth2.token_url, r->oauth2.token_url);
		cfg_replace(&a->oauth2.device_url, r->oauth2.device_url);
		if (a->oauth2.token_file == NULL)
			a->oauth2.token_file = cfg_oauth2_token_default("account",
			    a->address);
		/* Written here they would be silently the relay's. */
		str_appendf(&why, "the account uses the OAuth2 app of [relay %s] "
		    "(it has no oauth2_client_id of its own)", r->name);
		cfg_oauth2_stray(p, seen, S, str_cstr(&what),
		    "oauth2_token_file", str_cstr(&why));
	} else {
		if (pw)
			str_appendz(&why, "oauth2_client_id is not (the account "
			    "logs in with its password)");
		else
			str_appendf(&why, "oauth2_client_id is not, here or in "
			    "[relay %s]", r != NULL ? r->name : "?");
		cfg_oauth2_stray(p, seen, S, str_cstr(&what), NULL,
		    str_cstr(&why));
	}
	str_free(&what);
	str_free(&why);
	str_free(&where);
}

static void
cfg_check_account(struct cfg_parse *p, struct cfg_account *a,
    const struct cfg_seen *seen)
{
	struct cfg *c = p->cfg;
	const char *names[64], *near;
	size_t i, n;

	if (a->relay == NULL) {
		if (c->nrelays == 0)
			cfg_diag(p, a->file, a->line, "[account %s]: there is no "
			    "[relay] to send through", a->address);
		else
			a->relay_ptr = &c->relays[0];
	} else if ((a->relay_ptr = cfg_relay_find(c, a->relay)) == NULL) {
		for (i = n = 0; i < c->nrelays && n < 64; i++)
			names[n++] = c->relays[i].name;
		near = cfg_suggest(a->relay, names, n);
		cfg_diag(p, a->file, a->line, "[account %s]: no [relay %s]%s%s%s",
		    a->address, a->relay, near ? " (did you mean '" : "",
		    near ? near : "", near ? "'?)" : "");
	}
	if (a->username == NULL)
		a->username = xstrdup(a->address);
	if (a->senders.n == 0)
		strvec_push_mem(&a->senders, a->address, strlen(a->address));
	if (a->password_file != NULL && a->password_command != NULL)
		cfg_diag(p, a->file, a->line, "[account %s]: password_file and "
		    "password_command are both set; keep one", a->address);
	cfg_check_account_oauth2(p, a, seen);
	/* An individual login is its secret (or its OAuth2 app, which
	   gets the token): without one the account's mail would fail at
	   AUTH, message after message, into the queue. */
	if (a->password_file == NULL && a->password_command == NULL &&
	    a->oauth2.client_id == NULL && !(p->flags & CFG_NO_SECRETS))
		cfg_diag(p, a->file, a->line, "[account %s]: no password_file "
		    "or password_command, and no oauth2_client_id here or in its "
		    "relay: the login %s needs its secret", a->address,
		    a->username);
	if (a->password_file != NULL)
		cfg_check_secret_file(p, cfg_key_where(seen, CFG_SEC_ACCOUNT,
		    "password_file"), "password_file", a->password_file);
	if (a->password_command != NULL)
		cfg_check_command(p, cfg_key_where(seen, CFG_SEC_ACCOUNT,
		    "password_command"), a->password_command);
}

/*
 * auth = xoauth2 or oauthbearer sends a token: from the built-in OAuth2
 * (oauth2_client_id) or from a program or file that holds one
 * (password_command, password_file).  With none the relay's own login
 * fails at AUTH every time; when accounts use the relay, only the mail
 * of senders without an account does, which is worth a warning.
 */
static void
cfg_check_token_source(struct cfg_parse *p, const struct cfg_relay *r,
    const struct cfg_seen *seen)
{
	const struct cfg *c = p->cfg;
	const struct cfg_where *w = cfg_key_where(seen, CFG_SEC_RELAY, "auth");
	const struct cfg_where sec = { r->file, r->line };
	struct cfg_login own;
	size_t i, accounts = 0;

	if ((r->auth != CFG_AUTH_XOAUTH2 && r->auth != CFG_AUTH_OAUTHBEARER) ||
	    !r->enabled || (p->flags & CFG_NO_SECRETS))
		return;
	cfg_relay_login(c, r, &own);
	if (own.password_file != NULL || own.password_command != NULL ||
	    r->oauth2.client_id != NULL)
		return;
	for (i = 0; i < c->naccounts; i++)
		accounts += c->accounts[i].relay_ptr == r;
	if (w->file == NULL)
		w = &sec;
	if (accounts == 0)
		cfg_diag(p, w->file, w->line, "[relay %s]: auth = %s but no "
		    "token to send: set oauth2_client_id (smtpgate signs in and "
		    "refreshes the token) or password_command (a program that "
		    "prints one)", r->name, cfg_auth_name(r->auth));
	else
		cfg_warn(p, w->file, w->line, "[relay %s]: auth = %s but no "
		    "token of its own: mail from senders without an [account] "
		    "will fail at AUTH; set oauth2_client_id or password_command",
		    r->name, cfg_auth_name(r->auth));
}

/* A rule with no condition would copy every message to its addresses. */
static void
cfg_check_rule(struct cfg_parse *p, const struct cfg_rule *r)
{
	if (r->when_header == NULL && r->when_sender.n == 0)
		cfg_diag(p, r->file, r->line, "[rule %s]: no when_header or "
		    "when_sender; a rule needs at least one", r->name);
	if (r->add_cc.n == 0 && r->add_bcc.n == 0)
		cfg_warn(p, r->file, r->line, "[rule %s]: no add_cc or add_bcc: "
		    "the rule does nothing", r->name);
}

void
cfg_check(struct cfg_parse *p)
{
	struct cfg *c = p->cfg;
	size_t i, enabled = 0;

	for (i = 0; i < c->nrelays; i++)
		cfg_check_relay(p, &c->relays[i], &p->relay_seen[i]);
	cfg_check_general(p);
	for (i = 0; i < c->naccounts; i++)
		cfg_check_account(p, &c->accounts[i], &p->account_seen[i]);
	for (i = 0; i < c->nrelays; i++)
		cfg_check_token_source(p, &c->relays[i], &p->relay_seen[i]);
	for (i = 0; i < c->nrules; i++)
		cfg_check_rule(p, &c->rules[i]);
	for (i = 0; i < c->nreports; i++)
		enabled += c->reports[i].enabled;
	if (c->redirect_enabled && enabled == 0)
		cfg_warn(p, p->single[CFG_SEC_REDIRECT].sec.file,
		    p->single[CFG_SEC_REDIRECT].sec.line, "[redirect] is enabled "
		    "but no [report ADDRESS] is: all mail will be refused with "
		    "a temporary error");
}

const struct cfg_relay *
cfg_relay_find(const struct cfg *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrelays; i++)
		if (strcasecmp(c->relays[i].name, name) == 0)
			return &c->relays[i];
	return NULL;
}

void
cfg_relay_login(const struct cfg *c, const struct cfg_relay *r,
    struct cfg_login *out)
{
	if (r->credentials == CFG_CREDENTIALS_DEFAULT) {
		out->username = c->username;
		out->password_file = c->password_file;
		out->password_command = c->password_command;
	} else {
		out->username = r->username;
		out->password_file = r->password_file;
		out->password_command = r->password_command;
	}
}
