/*
 * oauth2 - the OAuth2 token life cycle of one login, for a relay or
 * account whose AUTH is XOAUTH2 or OAUTHBEARER and whose section sets
 * oauth2_client_id: the device authorization grant to sign in (RFC 8628),
 * the refresh grant to keep an access token (RFC 6749 section 6).
 *
 * The token file (cfg_oauth2.token_file) is one JSON object:
 *   {"version":1,"client_id":"..","token_url":"..","refresh_token":"..",
 *    "access_token":"..","expires_at":UNIX,"refreshed_at":UNIX,
 *    "forced_at":UNIX}
 * It is replaced atomically (a new file beside it, fsync, rename, fsync of
 * the directory); its mode is 0660 in a set-group-ID directory (the
 * system's, root:smtpgate 2770) and 0600 anywhere else.  Tokens issued for
 * another client_id or token_url are not used: the login must sign in
 * again.  "<file>.lock" (flock) serialises refreshes: N senders that find
 * the access token expired make one request, the others wait for it (at
 * most the timeout and 10 seconds) and take its result.
 *
 * When: an access token is used while it has more than OAUTH2_MARGIN
 * seconds left.  A token the server refused is refreshed once, unless the
 * file already holds another (someone refreshed meanwhile) or the last
 * such forced refresh was less than OAUTH2_MIN_FORCED seconds ago (the
 * file says when: forced_at), so no caller can make the helper hammer
 * the endpoint.
 *
 * Secrets: tokens and the client secret never reach err, the log, argv or
 * a child's environment.  err may quote the endpoint's error code and
 * description (printable ASCII, at most 300 bytes): that is what the user
 * needs to see.  A token with bytes outside RFC 6750's b64token is
 * refused: it goes into the XOAUTH2 string between ^A separators.
 */
#ifndef SMTPGATE_OAUTH2_H
#define SMTPGATE_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "str.h"

/* Codes fit the privileged helper's reply (at most SPOOL_EINVAL). */
enum {
	OAUTH2_OK = 0,
	OAUTH2_ETEMP,		/* endpoint down, slow, 5xx: try later */
	OAUTH2_EGRANT,		/* no tokens, or refused: sign in again */
	OAUTH2_ECONFIG,		/* client refused, bad answer, file trouble */
	OAUTH2_EDENIED,		/* the user said no at sign-in */
	OAUTH2_EEXPIRED		/* the sign-in code expired */
};

#define OAUTH2_MARGIN		60
#define OAUTH2_MIN_FORCED	60
#define OAUTH2_MAX_FILE		(64 * 1024)
#define OAUTH2_MAX_TOKEN	(16 * 1024)

struct cfg;
struct cfg_oauth2;
struct cfg_relay;
struct cfg_account;

struct oauth2_login {
	const struct cfg_oauth2 *o;
	char   *name;		/* "relay NAME" / "account ADDRESS", for text */
	char   *again;		/* the options that sign in again:
				   "--relay NAME" / "--account ADDRESS" */
	const char *ca_file;	/* the relay's tls_ca_file, NULL: system */
	unsigned timeout_ms;	/* one HTTPS exchange: the relay's timeout */
	const char *foreign;	/* the configuration's path when root does
				   not control it (cfg->trusted false):
				   root then neither reads nor writes its
				   token file, which anyone who could
				   change the file could aim anywhere */
};

/*
 * The login of account a on relay r of cfg (a NULL: the relay's own).
 * False, and l untouched, when that login has no oauth2_client_id.
 */
bool	oauth2_login_init(struct oauth2_login *l, const struct cfg *cfg,
	    const struct cfg_relay *r, const struct cfg_account *a);
void	oauth2_login_free(struct oauth2_login *l);

/*
 * An access token for AUTH.  refused: the token the server just refused,
 * or NULL.  step (may be NULL) gets what was done, for --test-mail:
 * "cached, 3412 s left" or "refreshed, 3599 s left".
 */
int	oauth2_token(const struct oauth2_login *l, const char *refused,
	    struct str *access, struct str *step, struct str *err);
/*
 * Sign in with the device flow: say on out where and with which code,
 * poll, store the tokens.  Blocks until the sign-in ends or the code
 * expires.
 */
int	oauth2_device_login(const struct oauth2_login *l, FILE *out,
	    struct str *err);
/* OAUTH2_* as <sysexits.h>: 0, 75, 75, 78, 77, 75. */
int	oauth2_exitcode(int rc);

/* ---- The pieces, for tests and the fuzz target. ---------------------- */

struct oauth2_tokens {
	char   *client_id;
	char   *token_url;
	char   *refresh;
	char   *access;		/* NULL: none cached */
	long long expires_at;
	long long refreshed_at;
	long long forced_at;	/* the last refresh for a refused token */
};

void	oauth2_tokens_free(struct oauth2_tokens *t);
/* The token file's text.  OAUTH2_OK or OAUTH2_ECONFIG (err: what). */
int	oauth2_tokens_parse(const char *buf, size_t len,
	    struct oauth2_tokens *t, struct str *err);
void	oauth2_tokens_format(const struct oauth2_tokens *t, struct str *out);
/*
 * A token endpoint's answer (status, JSON body) at time now: on success
 * t gets the access token, its expiry and a rotated refresh token.
 * Otherwise the class (OAUTH2_ETEMP for 5xx and 429; EGRANT for
 * invalid_grant; EDENIED for access_denied; EEXPIRED for expired_token;
 * ECONFIG for the rest), code gets the endpoint's error code
 * ("authorization_pending", "slow_down"...: empty when it sent none) and
 * err the text.
 */
int	oauth2_answer(long status, const char *body, size_t len,
	    long long now, struct oauth2_tokens *t, struct str *code,
	    struct str *err);

struct oauth2_device {
	char   *device_code;
	char   *user_code;
	char   *uri;		/* verification_uri or Google's _url */
	unsigned long long expires_in;	/* default 900 */
	unsigned long long interval;	/* default 5 */
};

/* The device authorization answer. */
int	oauth2_device_parse(long status, const char *body, size_t len,
	    struct oauth2_device *d, struct str *err);
void	oauth2_device_free(struct oauth2_device *d);
/* RFC 6750's b64token: what a token may hold. */
bool	oauth2_token_ok(const char *s, size_t len);

#endif
