/*
 * cfg_int - what the cfg_*.c files share and nobody else sees.
 *
 * The key table (cfg_table.c) drives everything: the parser looks a key up
 * in it, cfg_value.c turns the text into the typed field at the row's
 * offset, defaults are the same text parsed the same way, and cfg_dump()
 * walks the table to print the effective settings.
 */
#ifndef SMTPGATE_CFG_INT_H
#define SMTPGATE_CFG_INT_H


#include <sys/stat.h>

#include "cfg.h"

enum cfg_sec {
	CFG_SEC_GENERAL, CFG_SEC_RELAY, CFG_SEC_ACCOUNT, CFG_SEC_MESSAGE,
	CFG_SEC_REDIRECT, CFG_SEC_REPORT, CFG_SEC_QUEUE, CFG_SEC_MILTER,
	CFG_SEC_RULE, CFG_SEC_COUNT
};

enum cfg_type {
	CFG_T_STR,		/* any text; empty means unset */
	CFG_T_PATH,		/* text, absolute path or relative name */
	CFG_T_MAILBOX,		/* one mailbox, display name allowed */
	CFG_T_EMAIL,		/* user@domain */
	CFG_T_EMAILS,		/* list of user@domain */
	CFG_T_KEEP,		/* list of user@domain or @domain */
	CFG_T_BOOL,
	CFG_T_UINT,		/* min..max */
	CFG_T_DURATION,		/* seconds, min..max */
	CFG_T_DURATIONS,	/* list of durations (retry) */
	CFG_T_SIZE,		/* bytes (unsigned long long), K/M/G/T
				   suffixes of 1024, min..max */
	CFG_T_ENUM,		/* one of names[] */
	CFG_T_LOGLEVEL,
	CFG_T_SEPARATOR,	/* one punctuation character */
	CFG_T_FINGERPRINT,	/* sha256:64 hex digits */
	CFG_T_PRESET,		/* a name from the preset table */
	CFG_T_HOST,		/* host name or address literal */
	CFG_T_DISPLAY,		/* display name text; empty means unset */
	CFG_T_HDRNAME,		/* a header field name (RFC 5322 ftext) */
	CFG_T_HDRMATCH,		/* "Field-Name: value or glob" */
	CFG_T_HTTPS,		/* an https:// URL: what carries a client
				   secret or a refresh token is never sent
				   in the clear */
	CFG_T_TENANT		/* a directory (tenant) name or id: it goes
				   into a URL's path, so letters, digits,
				   '.', '-' only */
};

struct cfg_key {
	const char *name;
	enum cfg_sec sec;
	enum cfg_type type;
	size_t	off;		/* in struct cfg, cfg_relay, cfg_account,
				   cfg_report or cfg_rule, by section */
	const char *def;	/* the default as it would be written; NULL
				   for none */
	unsigned long long min, max;
	const char *const *names;	/* CFG_T_ENUM */
	bool	secret;		/* masked by cfg_dump() */
};

/* [relay NAME], [account ADDRESS], [report ADDRESS] and [rule NAME]: one
   instance per name, kept in an array. */
#define cfg_sec_named(sec)	((sec) == CFG_SEC_RELAY || \
	(sec) == CFG_SEC_ACCOUNT || (sec) == CFG_SEC_REPORT || \
	(sec) == CFG_SEC_RULE)

extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;
extern const char *const cfg_sec_names[CFG_SEC_COUNT];

/* The key by name in a section kind; NULL if there is none. */
const struct cfg_key *cfg_key_find(enum cfg_sec sec, const char *name);
/* Index of k in cfg_keys (for the "set explicitly" masks). */
size_t	cfg_key_index(const struct cfg_key *k);
/* A near miss for an unknown name ("did you mean"), or NULL. */
const char *cfg_suggest(const char *name, const char *const *cands,
	    size_t n);
const char *cfg_key_suggest(enum cfg_sec sec, const char *name);

/* The struct a key of sec is stored in, for the current instance. */
void   *cfg_key_base(struct cfg *cfg, enum cfg_sec sec, size_t instance);

/*
 * Store text as the key's value at base.  Returns 0, or -1 with the reason
 * (which never quotes a secret) in err.  Replaces an earlier value.
 */
int	cfg_value_set(const struct cfg_key *k, void *base, const char *text,
	    struct str *err);
/* Release the key's value at base. */
void	cfg_value_free(const struct cfg_key *k, void *base);
/* Append the value as it would be written in the file. */
void	cfg_value_print(const struct cfg_key *k, const void *base,
	    struct str *out);
/* Apply every default of a section kind to base. */
void	cfg_defaults(enum cfg_sec sec, void *base);
/* Simple user@domain check shared with section names. */
bool	cfg_email_ok(const char *s);
bool	cfg_relay_name_ok(const char *s);


/* Presets */
struct cfg_preset {
	const char *name;
	const char *host;
	unsigned port;
	enum cfg_tls tls;
	enum cfg_auth auth;
	const char *username;	/* NULL: the user sets it */
	/* Built-in OAuth2, filled in when the section sets
	   oauth2_client_id; NULL: the service has none (the user writes
	   the URLs).  "{tenant}" in a URL stands for oauth2_tenant. */
	const char *oauth2_token_url;
	const char *oauth2_device_url;
	const char *oauth2_scope;
	const char *oauth2_tenant;	/* the default; NULL: no tenant */
};
const struct cfg_preset *cfg_preset_find(const char *name);
/* A preset's URL with "{tenant}" replaced (tenant NULL: none there);
   NULL for a NULL template.  The caller frees it. */
char   *cfg_preset_url(const char *tmpl, const char *tenant);
/* All preset names, for errors; NULL-terminated. */
extern const char *const cfg_preset_names[];

/*
 * Per-instance record of where the section started and where each key was
 * set (file NULL: not set in the file), indexed by table row.
 */
#define CFG_MAX_KEYS 96
struct cfg_where {
	const char *file;
	unsigned line;
};
struct cfg_seen {
	struct cfg_where sec;
	struct cfg_where key[CFG_MAX_KEYS];
	bool	any_oauth2;		/* an oauth2_* key is written */
};
#define cfg_seen_test(s, idx)	((s)->key[(idx)].file != NULL)

/*
 * Checks that need the whole file: presets, defaults that depend on other
 * keys, references between sections, password files.  Reports through
 * cfg_diag(); seen is per relay.
 */
struct cfg_parse;
void	cfg_check(struct cfg_parse *p);

/* The loader's state, visible to cfg_check.c. */
struct cfg_parse {
	struct cfg *cfg;
	struct str *diag;
	unsigned flags;
	unsigned errors;
	unsigned warnings;
	struct cfg_seen single[CFG_SEC_COUNT];	/* singleton sections */
	struct cfg_seen *relay_seen;
	struct cfg_seen *account_seen;
	struct cfg_seen *report_seen;
	struct cfg_seen *rule_seen;
	/* current position */
	enum cfg_sec sec;
	bool	in_section;
	size_t	inst;
	const char *file;
	unsigned line;
	int	depth;
	struct { unsigned long long dev, ino; } stack[9];
	int	nstack;
	bool	skipping;	/* inside a section that was refused */
	bool	any_section;	/* a section header was read */
};

/* Read a whole regular file of at most max bytes: 0 or an errno value. */
/* A regular file's content, at most max bytes; 0 or an errno value.  st
   (if not NULL) gets fstat() of the descriptor read. */
int	cfg_slurp(const char *path, size_t max, struct str *out,
	    struct stat *st);

void	cfg_diag(struct cfg_parse *p, const char *file, unsigned line,
	    const char *fmt, ...) UTIL_PRINTF(4, 5);
void	cfg_warn(struct cfg_parse *p, const char *file, unsigned line,
	    const char *fmt, ...) UTIL_PRINTF(4, 5);

#endif
