/*
 * cfg - the smtpgate configuration: loading, validating, printing.
 *
 * The file format and every key are described in smtpgate.conf(5); the
 * keys are the contract of DESIGN.md and are never renamed.  Loading is
 * driven by one table (cfg_table.c): one row per key with its section
 * kind, type, default, bounds and where the value goes.  Defaults live in
 * that table and nowhere else.
 *
 * Rules:
 * - cfg_load() reports every problem of the file (and its includes) as
 *   "file:line: message" lines in diag, then fails once; a failed load
 *   returns no configuration at all (never a half-loaded one).  Warnings
 *   ("file:line: warning: ...") do not fail the load and are in diag too.
 * - Strings in the structs are NUL-terminated, never contain NUL, CR or
 *   LF (such values are refused), and are NULL when unset and without
 *   default.  Lists are struct strvec.  The struct cfg owns everything;
 *   cfg_free() releases it.
 * - Secrets never appear in diag or in cfg_dump(): password files and
 *   oauth2_client_secret_file are named by path, password_command is shown
 *   as "(set)", and the content of a secret file is read only by
 *   cfg_read_secret(), on demand.  Tokens are never in the configuration.
 */
#ifndef SMTPGATE_CFG_H
#define SMTPGATE_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "str.h"
#include "strvec.h"

#define CFG_DEFAULT_PATH SYSCONFDIR "/smtpgate/smtpgate.conf"
/* The group that may read the relay secrets and the queue (DESIGN.md). */
#define CFG_SECRETS_GROUP "smtpgate"
/* SMTPGATE_OAUTH2_DIR (Makefile.am, from localstatedir, like SYSCONFDIR):
   where a login's OAuth2 tokens live unless oauth2_token_file says
   otherwise, root:smtpgate 2770, one file per login ("relay-NAME",
   "account-ADDRESS"). */

enum {
	CFG_OK = 0,
	CFG_ENOENT,		/* the file does not exist */
	CFG_EIO,		/* it cannot be read */
	CFG_EINVAL		/* errors in the content: see diag */
};

/* cfg_load_buffer() flags */
#define CFG_NO_INCLUDE		0x1u	/* "include" is an error (fuzzing) */
#define CFG_NO_FILE_CHECKS	0x2u	/* do not stat() password_file etc.
					   (the setgid shim reads as its
					   caller, who may not see them) */
/* For a daemon, where a file that sets nothing would silently turn the
   policy off (a truncated or emptied file): */
#define CFG_REQUIRE_SECTION	0x10u	/* a file (with its includes) without
					   any [section] is an error */
/* For a program that never logs in to a relay (the milter: the MTA holds
   the credentials), where an [account] only names a login: */
#define CFG_NO_SECRETS		0x20u	/* an [account] need not say where
					   its secret is */

enum cfg_tls { CFG_TLS_NONE, CFG_TLS_STARTTLS, CFG_TLS_IMPLICIT };
enum cfg_auth {
	CFG_AUTH_NONE, CFG_AUTH_AUTO, CFG_AUTH_PLAIN, CFG_AUTH_LOGIN,
	CFG_AUTH_XOAUTH2, CFG_AUTH_OAUTHBEARER
};
enum cfg_reply_to_mode { CFG_REPLY_TO_IF_MISSING, CFG_REPLY_TO_ALWAYS,
	CFG_REPLY_TO_OFF };
enum cfg_match_login { CFG_MATCH_OFF, CFG_MATCH_REJECT, CFG_MATCH_REWRITE };
enum cfg_queue_mode { CFG_QUEUE_ON_FAILURE, CFG_QUEUE_ALWAYS, CFG_QUEUE_NEVER };
/* Whose login a relay uses: its own keys, or [general]'s. */
enum cfg_credentials { CFG_CREDENTIALS_OWN, CFG_CREDENTIALS_DEFAULT };
enum cfg_bulk_copies { CFG_BULK_EVERY, CFG_BULK_FIRST };

/* Seconds, in the order written. */
struct cfg_durations {
	unsigned *v;
	size_t	n;
};

/*
 * Built-in OAuth2 (RFC 6749 refresh, RFC 8628 device flow) for one login.
 * client_id NULL: none, and every other field is NULL too.  Otherwise
 * token_url, scope and token_file are set (checked at load: from the
 * section, the preset, or for token_file the default); device_url may be
 * NULL (only --oauth2-login needs it).
 */
struct cfg_oauth2 {
	char   *client_id;		/* NULL: no built-in OAuth2 for this
					   login */
	char   *client_secret_file;	/* NULL: a public client */
	char   *tenant;			/* preset office365: default "common" */
	char   *scope;			/* from the preset, else required */
	char   *token_url;		/* from the preset, else required */
	char   *device_url;		/* from the preset; needed only by
					   --oauth2-login */
	char   *token_file;		/* default SMTPGATE_OAUTH2_DIR
					   "/relay-NAME" or "/account-ADDRESS" */
};

struct cfg_relay {
	char   *name;			/* from [relay NAME] */
	const char *file;		/* where the section starts */
	unsigned line;
	bool	enabled;		/* yes */
	char   *preset;			/* NULL */
	char   *host;			/* required when enabled (or preset) */
	unsigned port;			/* by tls: 25, 587, 465 */
	enum cfg_tls tls;		/* starttls */
	bool	tls_verify;		/* yes */
	char   *tls_ca_file;		/* NULL: the system store */
	char   *tls_fingerprint;	/* 64 lowercase hex digits or NULL */
	enum cfg_auth auth;		/* auto; xoauth2 when
					   oauth2.client_id is set */
	char   *username;		/* NULL */
	char   *password_file;		/* NULL */
	char   *password_command;	/* NULL */
	bool	allow_plaintext_auth;	/* no */
	unsigned wait_ms;		/* 0 */
	unsigned timeout;		/* seconds, 30 */
	bool	fallback;		/* yes */
	enum cfg_credentials credentials;	/* own; default: [general]
					   username and its secret instead
					   of the relay's own (which are
					   then unset: checked) */
	struct cfg_oauth2 oauth2;	/* instead of password_file or
					   password_command */
};

struct cfg_account {
	char   *address;		/* from [account ADDRESS] */
	const char *file;
	unsigned line;
	char   *relay;			/* a relay name, checked to exist;
					   default: the first relay */
	const struct cfg_relay *relay_ptr;	/* resolved */
	char   *username;		/* default: address */
	char   *password_file;
	char   *password_command;
	struct strvec senders;	/* default: address */
	struct cfg_oauth2 oauth2;	/* without a client_id of its own
					   (and without a password) the
					   relay's, but for token_file,
					   which is always the account's */
};

struct cfg_report {
	char   *address;		/* from [report ADDRESS] */
	const char *file;
	unsigned line;
	bool	enabled;		/* yes */
};

/*
 * Default recipients by context: a message that matches every when_* set
 * gets add_cc (also written into its Cc header) and add_bcc (envelope
 * only).  At least one when_* is set (checked at load).
 */
struct cfg_rule {
	char   *name;			/* from [rule NAME] */
	const char *file;
	unsigned line;
	char   *when_header;		/* "Field-Name: value", the value
					   exact or an fnmatch(3) glob;
					   NULL: any message */
	struct strvec when_sender;	/* user@domain or @domain; empty:
					   any sender */
	struct strvec add_cc;		/* user@domain */
	struct strvec add_bcc;	/* user@domain */
};

struct cfg {
	char   *path;			/* the main file */
	bool	trusted;		/* every file read is owned by root and
					   writable by no one else (fstat of
					   the descriptor read): the setgid
					   shim lends its group only then */
	struct strvec files;		/* every file read (owns the names
					   that file pointers refer to) */
	/* [general] */
	char   *hostname;		/* NULL: the FQDN at run time */
	enum log_level log_level;	/* info */
	char	address_separator;	/* 0: none */
	char   *error_address;
	char   *aliases;
	char   *domain;
	char   *username;		/* the default login, for relays with
					   credentials = default */
	char   *password_file;
	char   *password_command;
	char   *error_relay;		/* notices go only through it */
	const struct cfg_relay *error_relay_ptr;	/* resolved, or NULL */
	/* [relay NAME]... in file order */
	struct cfg_relay *relays;
	size_t	nrelays;
	/* [account ADDRESS]... */
	struct cfg_account *accounts;
	size_t	naccounts;
	/* [message] */
	char   *from;			/* one mailbox, display name allowed */
	char   *from_display_name;	/* NULL (empty): keep the sender's */
	char   *reply_to;
	enum cfg_reply_to_mode reply_to_mode;	/* if-missing */
	enum cfg_match_login from_must_match_login;	/* off */
	struct strvec exclude;
	enum cfg_bulk_copies bulk_copies;	/* every */
	char   *bulk_batch_header;	/* X-Batch-ID: a field name */
	bool	bulk_match_subject;	/* no */
	unsigned bulk_window;		/* seconds, 10m */
	/* [redirect] */
	bool	redirect_enabled;	/* no */
	char   *subject_prefix;		/* NULL: none */
	struct strvec keep;		/* "user@domain" or "@domain" */
	/* [report ADDRESS]... */
	struct cfg_report *reports;
	size_t	nreports;
	/* [rule NAME]... in file order */
	struct cfg_rule *rules;
	size_t	nrules;
	/* [queue] */
	char   *queue_dir;		/* /var/spool/smtpgate */
	enum cfg_queue_mode queue_mode;	/* on-failure */
	unsigned max_age;		/* seconds, 5d */
	struct cfg_durations retry;	/* 1m, 5m, 15m, 1h, 4h */
	unsigned delay;			/* seconds, 0: a message waits this
					   long in the queue before its
					   first attempt */
	bool	mailq_shows_all;	/* no: a user sees their own */
	unsigned long long max_message_size;	/* bytes, 50M; 0: no limit */
	unsigned long long min_free_space;	/* bytes, 100M; 0: no check */
	/* [milter] */
	char   *milter_socket;		/* unix:/run/smtpgate/milter.sock */
	char   *milter_user;		/* smtpgate-milter */
	char   *milter_pid_file;	/* NULL: none with -f, else
					   /run/smtpgate/milter.pid */
	unsigned milter_max_recipients;	/* 1000; beyond it 452 4.5.3 */
};

int	cfg_load(const char *path, struct cfg **out, struct str *diag);
/* cfg_load() with CFG_NO_FILE_CHECKS, CFG_REQUIRE_SECTION and
   CFG_NO_SECRETS (the others are ignored). */
int	cfg_load_flags(const char *path, unsigned flags, struct cfg **out,
	    struct str *diag);
int	cfg_load_buffer(const char *name, const char *data, size_t len,
	    unsigned flags, struct cfg **out, struct str *diag);
void	cfg_free(struct cfg *cfg);
/* EX_OK, EX_NOINPUT (ENOENT), EX_IOERR (EIO), EX_CONFIG (EINVAL). */
int	cfg_exitcode(int rc);
/* The effective settings in the file's own format, secrets masked. */
void	cfg_dump(const struct cfg *cfg, struct str *out);
const struct cfg_relay *cfg_relay_find(const struct cfg *cfg,
	    const char *name);
/*
 * The login a relay uses when no [account] applies: its own username and
 * secret, or with credentials = default those of [general].  Any of the
 * three may be NULL.
 */
struct cfg_login {
	const char *username;
	const char *password_file;
	const char *password_command;
};
void	cfg_relay_login(const struct cfg *cfg, const struct cfg_relay *r,
	    struct cfg_login *out);
/*
 * Read a password file: its first line without CR/LF.  Refuses an empty
 * file and one over 64 KiB.  err never contains the secret.  CFG_OK,
 * CFG_ENOENT, CFG_EIO or CFG_EINVAL.
 */
int	cfg_read_secret(const char *path, struct str *out, struct str *err);
/*
 * Root's --check-config: what the setgid shim's group (group, by name)
 * will meet on disk, where root itself passes every test.  Each
 * password_file and oauth2_client_secret_file readable by the group
 * through directories it can enter; each oauth2_token_file's directory
 * written by the group (root:smtpgate 2770) and the file, once there,
 * read and written by it (0660) and by no one else;
 * [queue] dir and its tmp, msg and env written by the group (mode 2770);
 * each tls_ca_file readable by every user who sends (the TLS process has
 * no group); and the group itself.  One line per problem appended to out,
 * "file[:line]: [warning: ]message; fix: command", the command pasteable
 * as it is.  Returns the number of errors (mail will fail); *warnings
 * (may be NULL) gets the number of warnings (an install that differs
 * from the documented one but works).  strict: the binary is installed
 * setgid group; without it no process uses the group yet and every
 * problem is only a warning.  Reads only metadata: stat(2) as
 * the calling process, so run it as root for a true answer.  group must
 * not point into getgrent()'s buffer: the audit looks groups up too.
 */
unsigned cfg_audit(const struct cfg *cfg, const char *group, bool strict,
	    unsigned *warnings, struct str *out);
/* A size in bytes as the file writes it: "10K", "50M", "1000". */
void	cfg_size_print(unsigned long long v, struct str *out);
const char *cfg_tls_name(enum cfg_tls tls);
const char *cfg_auth_name(enum cfg_auth auth);

#endif
