/*
 * cfg_check - what can only be checked once the whole file is read:
 * presets and the defaults that follow other keys, references between
 * sections, and the password files on disk.
 */
#include "config.h"

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
 * A secret file must exist and be a regular file.  Readable by others is
 * a warning; readable by its group too, unless that group is smtpgate
 * (the install model: root:smtpgate 0640 for the setgid shim).
 */
static void
cfg_check_secret_file(struct cfg_parse *p, const struct cfg_where *w,
    const char *path)
{
	struct stat st;
	struct group *gr;

	if (p->flags & CFG_NO_FILE_CHECKS)
		return;
	if (stat(path, &st) == -1) {
		cfg_diag(p, w->file, w->line, "password_file %s: %s", path,
		    strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_diag(p, w->file, w->line, "password_file %s: not a regular "
		    "file", path);
		return;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH))
		cfg_warn(p, w->file, w->line, "password_file %s is readable or "
		    "writable by others (mode %04o); chmod o-rwx", path,
		    (unsigned)(st.st_mode & 07777));
	else if (st.st_mode & (S_IRGRP | S_IWGRP)) {
		gr = getgrgid(st.st_gid);
		if (gr == NULL || strcmp(gr->gr_name, CFG_SECRETS_GROUP) != 0)
			cfg_warn(p, w->file, w->line, "password_file %s is "
			    "readable by group %s (mode %04o); use mode 0600, or "
			    "0640 with group smtpgate", path, gr ? gr->gr_name :
			    "?", (unsigned)(st.st_mode & 07777));
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
	    "password_command" };
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
		    "password_file"), c->password_file);
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
		    r->password_file);
	if (r->password_command != NULL)
		cfg_check_command(p, cfg_key_where(seen, S, "password_command"),
		    r->password_command);
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
		cfg_list_add(&a->senders, a->address, strlen(a->address));
	if (a->password_file != NULL && a->password_command != NULL)
		cfg_diag(p, a->file, a->line, "[account %s]: password_file and "
		    "password_command are both set; keep one", a->address);
	/* An individual login is its secret: without one the account's mail
	   would fail at AUTH, message after message, into the queue. */
	if (a->password_file == NULL && a->password_command == NULL &&
	    !(p->flags & CFG_NO_SECRETS))
		cfg_diag(p, a->file, a->line, "[account %s]: no password_file "
		    "or password_command: the login %s needs its secret",
		    a->address, a->username);
	if (a->password_file != NULL)
		cfg_check_secret_file(p, cfg_key_where(seen, CFG_SEC_ACCOUNT,
		    "password_file"), a->password_file);
	if (a->password_command != NULL)
		cfg_check_command(p, cfg_key_where(seen, CFG_SEC_ACCOUNT,
		    "password_command"), a->password_command);
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
