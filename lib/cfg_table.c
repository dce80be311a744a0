/*
 * cfg_table - every configuration key: section, type, default, bounds and
 * where the value is stored.  Defaults live here and nowhere else.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cfg_int.h"

const char *const cfg_sec_names[CFG_SEC_COUNT] = {
	"general", "relay", "account", "message", "redirect", "report",
	"queue", "milter", "rule"
};

static const char *const tls_names[] = { "none", "starttls", "implicit",
	NULL };
static const char *const auth_names[] = { "none", "auto", "plain", "login",
	"xoauth2", "oauthbearer", NULL };
static const char *const reply_to_names[] = { "if-missing", "always", "off",
	NULL };
static const char *const match_names[] = { "off", "reject", "rewrite",
	NULL };
/* "explicit" (what many "SMTP settings" pages call STARTTLS) is read as
   starttls by cfg_value.c. */
static const char *const credentials_names[] = { "own", "default", NULL };
static const char *const queue_mode_names[] = { "on-failure", "always",
	"never", NULL };
static const char *const bulk_copies_names[] = { "every", "first", NULL };

#define G(f)	offsetof(struct cfg, f)
#define R(f)	offsetof(struct cfg_relay, f)
#define A(f)	offsetof(struct cfg_account, f)
#define P(f)	offsetof(struct cfg_report, f)
#define U(f)	offsetof(struct cfg_rule, f)
#define DAY	86400UL
#define MIB	(1024ULL * 1024)

const struct cfg_key cfg_keys[] = {
	/* name, section, type, offset, default, min, max, names, secret */
	{ "hostname", CFG_SEC_GENERAL, CFG_T_HOST, G(hostname), NULL, 0, 0,
	    NULL, false },
	{ "log_level", CFG_SEC_GENERAL, CFG_T_LOGLEVEL, G(log_level), "info",
	    0, 0, NULL, false },
	{ "address_separator", CFG_SEC_GENERAL, CFG_T_SEPARATOR,
	    G(address_separator), NULL, 0, 0, NULL, false },
	{ "error_address", CFG_SEC_GENERAL, CFG_T_EMAIL, G(error_address),
	    NULL, 0, 0, NULL, false },
	{ "aliases", CFG_SEC_GENERAL, CFG_T_PATH, G(aliases), NULL, 0, 0,
	    NULL, false },
	{ "domain", CFG_SEC_GENERAL, CFG_T_HOST, G(domain), NULL, 0, 0,
	    NULL, false },
	/* The default login: used by the relays that say credentials =
	   default. */
	{ "username", CFG_SEC_GENERAL, CFG_T_STR, G(username), NULL, 0, 0,
	    NULL, false },
	{ "password_file", CFG_SEC_GENERAL, CFG_T_PATH, G(password_file),
	    NULL, 0, 0, NULL, false },
	{ "password_command", CFG_SEC_GENERAL, CFG_T_STR, G(password_command),
	    NULL, 0, 0, NULL, true },
	/* Checked to name a relay (cfg_check.c). */
	{ "error_relay", CFG_SEC_GENERAL, CFG_T_STR, G(error_relay), NULL, 0,
	    0, NULL, false },

	{ "enabled", CFG_SEC_RELAY, CFG_T_BOOL, R(enabled), "yes", 0, 0,
	    NULL, false },
	{ "preset", CFG_SEC_RELAY, CFG_T_PRESET, R(preset), NULL, 0, 0,
	    NULL, false },
	{ "host", CFG_SEC_RELAY, CFG_T_HOST, R(host), NULL, 0, 0, NULL,
	    false },
	/* No default: it follows tls (cfg_check.c). */
	{ "port", CFG_SEC_RELAY, CFG_T_UINT, R(port), NULL, 1, 65535, NULL,
	    false },
	{ "tls", CFG_SEC_RELAY, CFG_T_ENUM, R(tls), "starttls", 0, 0,
	    tls_names, false },
	{ "tls_verify", CFG_SEC_RELAY, CFG_T_BOOL, R(tls_verify), "yes", 0, 0,
	    NULL, false },
	{ "tls_ca_file", CFG_SEC_RELAY, CFG_T_PATH, R(tls_ca_file), NULL, 0, 0,
	    NULL, false },
	{ "tls_fingerprint", CFG_SEC_RELAY, CFG_T_FINGERPRINT,
	    R(tls_fingerprint), NULL, 0, 0, NULL, false },
	{ "auth", CFG_SEC_RELAY, CFG_T_ENUM, R(auth), "auto", 0, 0,
	    auth_names, false },
	{ "username", CFG_SEC_RELAY, CFG_T_STR, R(username), NULL, 0, 0,
	    NULL, false },
	{ "password_file", CFG_SEC_RELAY, CFG_T_PATH, R(password_file), NULL,
	    0, 0, NULL, false },
	{ "password_command", CFG_SEC_RELAY, CFG_T_STR, R(password_command),
	    NULL, 0, 0, NULL, true },
	{ "allow_plaintext_auth", CFG_SEC_RELAY, CFG_T_BOOL,
	    R(allow_plaintext_auth), "no", 0, 0, NULL, false },
	{ "wait_ms", CFG_SEC_RELAY, CFG_T_UINT, R(wait_ms), "0", 0, 3600000,
	    NULL, false },
	{ "timeout", CFG_SEC_RELAY, CFG_T_DURATION, R(timeout), "30", 1, 3600,
	    NULL, false },
	{ "fallback", CFG_SEC_RELAY, CFG_T_BOOL, R(fallback), "yes", 0, 0,
	    NULL, false },
	{ "credentials", CFG_SEC_RELAY, CFG_T_ENUM, R(credentials), "own", 0,
	    0, credentials_names, false },
	/* Built-in OAuth2 (cfg.h struct cfg_oauth2): presets fill the URLs
	   and scope, token_file has a default per login and accounts take
	   the relay's app (cfg_check.c). */
	{ "oauth2_client_id", CFG_SEC_RELAY, CFG_T_STR, R(oauth2.client_id),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_client_secret_file", CFG_SEC_RELAY, CFG_T_PATH,
	    R(oauth2.client_secret_file), NULL, 0, 0, NULL, false },
	{ "oauth2_tenant", CFG_SEC_RELAY, CFG_T_TENANT, R(oauth2.tenant), NULL, 0,
	    0, NULL, false },
	{ "oauth2_scope", CFG_SEC_RELAY, CFG_T_STR, R(oauth2.scope), NULL, 0, 0,
	    NULL, false },
	{ "oauth2_token_url", CFG_SEC_RELAY, CFG_T_HTTPS, R(oauth2.token_url),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_device_url", CFG_SEC_RELAY, CFG_T_HTTPS, R(oauth2.device_url),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_token_file", CFG_SEC_RELAY, CFG_T_PATH, R(oauth2.token_file),
	    NULL, 0, 0, NULL, false },

	{ "relay", CFG_SEC_ACCOUNT, CFG_T_STR, A(relay), NULL, 0, 0, NULL,
	    false },
	{ "username", CFG_SEC_ACCOUNT, CFG_T_STR, A(username), NULL, 0, 0,
	    NULL, false },
	{ "password_file", CFG_SEC_ACCOUNT, CFG_T_PATH, A(password_file),
	    NULL, 0, 0, NULL, false },
	{ "password_command", CFG_SEC_ACCOUNT, CFG_T_STR,
	    A(password_command), NULL, 0, 0, NULL, true },
	{ "senders", CFG_SEC_ACCOUNT, CFG_T_EMAILS, A(senders), NULL, 0, 0,
	    NULL, false },
	/* The same for one account's login. */
	{ "oauth2_client_id", CFG_SEC_ACCOUNT, CFG_T_STR, A(oauth2.client_id),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_client_secret_file", CFG_SEC_ACCOUNT, CFG_T_PATH,
	    A(oauth2.client_secret_file), NULL, 0, 0, NULL, false },
	{ "oauth2_tenant", CFG_SEC_ACCOUNT, CFG_T_TENANT, A(oauth2.tenant), NULL, 0,
	    0, NULL, false },
	{ "oauth2_scope", CFG_SEC_ACCOUNT, CFG_T_STR, A(oauth2.scope), NULL, 0, 0,
	    NULL, false },
	{ "oauth2_token_url", CFG_SEC_ACCOUNT, CFG_T_HTTPS, A(oauth2.token_url),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_device_url", CFG_SEC_ACCOUNT, CFG_T_HTTPS, A(oauth2.device_url),
	    NULL, 0, 0, NULL, false },
	{ "oauth2_token_file", CFG_SEC_ACCOUNT, CFG_T_PATH, A(oauth2.token_file),
	    NULL, 0, 0, NULL, false },

	{ "from", CFG_SEC_MESSAGE, CFG_T_MAILBOX, G(from), NULL, 0, 0, NULL,
	    false },
	{ "from_display_name", CFG_SEC_MESSAGE, CFG_T_DISPLAY,
	    G(from_display_name), NULL, 0, 0, NULL, false },
	{ "reply_to", CFG_SEC_MESSAGE, CFG_T_MAILBOX, G(reply_to), NULL, 0, 0,
	    NULL, false },
	{ "reply_to_mode", CFG_SEC_MESSAGE, CFG_T_ENUM, G(reply_to_mode),
	    "if-missing", 0, 0, reply_to_names, false },
	{ "from_must_match_login", CFG_SEC_MESSAGE, CFG_T_ENUM,
	    G(from_must_match_login), "off", 0, 0, match_names, false },
	{ "exclude", CFG_SEC_MESSAGE, CFG_T_EMAILS, G(exclude), NULL, 0, 0,
	    NULL, false },
	{ "bulk_copies", CFG_SEC_MESSAGE, CFG_T_ENUM, G(bulk_copies), "every",
	    0, 0, bulk_copies_names, false },
	{ "bulk_batch_header", CFG_SEC_MESSAGE, CFG_T_HDRNAME,
	    G(bulk_batch_header), "X-Batch-ID", 0, 0, NULL, false },
	{ "bulk_match_subject", CFG_SEC_MESSAGE, CFG_T_BOOL,
	    G(bulk_match_subject), "no", 0, 0, NULL, false },
	/* A batch's state is kept this long after its last message; past a
	   week a "batch" is a mailing list, and the state file's bound
	   (lib/bulk.h) would forget it anyway. */
	{ "bulk_window", CFG_SEC_MESSAGE, CFG_T_DURATION, G(bulk_window),
	    "10m", 1, 7 * DAY, NULL, false },

	{ "enabled", CFG_SEC_REDIRECT, CFG_T_BOOL, G(redirect_enabled), "no",
	    0, 0, NULL, false },
	{ "subject_prefix", CFG_SEC_REDIRECT, CFG_T_DISPLAY,
	    G(subject_prefix), NULL, 0, 0, NULL, false },
	{ "keep", CFG_SEC_REDIRECT, CFG_T_KEEP, G(keep), NULL, 0, 0, NULL,
	    false },

	{ "enabled", CFG_SEC_REPORT, CFG_T_BOOL, P(enabled), "yes", 0, 0,
	    NULL, false },

	{ "dir", CFG_SEC_QUEUE, CFG_T_PATH, G(queue_dir), "/var/spool/smtpgate",
	    0, 0, NULL, false },
	{ "mode", CFG_SEC_QUEUE, CFG_T_ENUM, G(queue_mode), "on-failure", 0, 0,
	    queue_mode_names, false },
	{ "max_age", CFG_SEC_QUEUE, CFG_T_DURATION, G(max_age), "5d", 60,
	    365 * DAY, NULL, false },
	{ "retry", CFG_SEC_QUEUE, CFG_T_DURATIONS, G(retry),
	    "1m, 5m, 15m, 1h, 4h", 1, 7 * DAY, NULL, false },
	/* The administrator's window to --delete a runaway job's mail. */
	{ "delay", CFG_SEC_QUEUE, CFG_T_DURATION, G(delay), "0", 0, 7 * DAY,
	    NULL, false },
	{ "mailq_shows_all", CFG_SEC_QUEUE, CFG_T_BOOL, G(mailq_shows_all),
	    "no", 0, 0, NULL, false },
	/* 0: no limit.  Past 1T a limit means nothing. */
	{ "max_message_size", CFG_SEC_QUEUE, CFG_T_SIZE, G(max_message_size),
	    "50M", 0, 1024 * 1024 * MIB, NULL, false },
	/* 0: no check. */
	{ "min_free_space", CFG_SEC_QUEUE, CFG_T_SIZE, G(min_free_space),
	    "100M", 0, 1024 * 1024 * MIB, NULL, false },

	{ "socket", CFG_SEC_MILTER, CFG_T_STR, G(milter_socket),
	    "unix:/run/smtpgate/milter.sock", 0, 0, NULL, false },
	/* Not smtpgate: that group holds the secrets the milter never needs. */
	{ "user", CFG_SEC_MILTER, CFG_T_STR, G(milter_user), "smtpgate-milter",
	    0, 0, NULL, false },
	/* Unset: none in the foreground, /run/smtpgate/milter.pid when the
	   milter daemonises (milter_main.c). */
	{ "pid_file", CFG_SEC_MILTER, CFG_T_PATH, G(milter_pid_file),
	    NULL, 0, 0, NULL, false },
	/* What a message may cost the milter: each recipient is kept until
	   the end of the message. */
	{ "max_recipients", CFG_SEC_MILTER, CFG_T_UINT,
	    G(milter_max_recipients), "1000", 1, 100000, NULL, false },

	{ "when_header", CFG_SEC_RULE, CFG_T_HDRMATCH, U(when_header), NULL,
	    0, 0, NULL, false },
	{ "when_sender", CFG_SEC_RULE, CFG_T_KEEP, U(when_sender), NULL, 0, 0,
	    NULL, false },
	{ "add_cc", CFG_SEC_RULE, CFG_T_EMAILS, U(add_cc), NULL, 0, 0, NULL,
	    false },
	{ "add_bcc", CFG_SEC_RULE, CFG_T_EMAILS, U(add_bcc), NULL, 0, 0, NULL,
	    false },
};

const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

_Static_assert(sizeof(cfg_keys) / sizeof(cfg_keys[0]) <= CFG_MAX_KEYS,
    "struct cfg_seen needs a larger CFG_MAX_KEYS");

const struct cfg_key *
cfg_key_find(enum cfg_sec sec, const char *name)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].sec == sec && strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

size_t
cfg_key_index(const struct cfg_key *k)
{
	return (size_t)(k - cfg_keys);
}

const char *
cfg_key_suggest(enum cfg_sec sec, const char *name)
{
	const char *cands[sizeof(cfg_keys) / sizeof(cfg_keys[0]) + 1];
	size_t i, n = 0;

	for (i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].sec == sec)
			cands[n++] = cfg_keys[i].name;
	cands[n++] = "include";
	return cfg_suggest(name, cands, n);
}

/* Levenshtein distance, capped: names are short. */
static size_t
cfg_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp, best;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
cfg_suggest(const char *name, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		d = cfg_distance(name, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}

void *
cfg_key_base(struct cfg *cfg, enum cfg_sec sec, size_t inst)
{
	switch (sec) {
	case CFG_SEC_RELAY:
		return &cfg->relays[inst];
	case CFG_SEC_ACCOUNT:
		return &cfg->accounts[inst];
	case CFG_SEC_REPORT:
		return &cfg->reports[inst];
	case CFG_SEC_RULE:
		return &cfg->rules[inst];
	default:
		return cfg;
	}
}

void
cfg_defaults(enum cfg_sec sec, void *base)
{
	struct str err = STR_INIT;
	size_t i;

	for (i = 0; i < cfg_nkeys; i++) {
		if (cfg_keys[i].sec != sec || cfg_keys[i].def == NULL)
			continue;
		if (cfg_value_set(&cfg_keys[i], base, cfg_keys[i].def,
		    &err) != 0)
			die("cfg: bad default for %s: %s", cfg_keys[i].name,
			    str_cstr(&err));
	}
	str_free(&err);
}
