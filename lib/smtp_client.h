/*
 * smtp_client - one SMTP session with one relay: connect, TLS, EHLO,
 * AUTH, then any number of messages over the same connection (the queue
 * runner sends many, with RSET between them), PIPELINING when offered.
 *
 * Every step ends in a struct smtp_result: a status class that follows
 * DESIGN.md "Temporary or permanent", the stage it happened at, the reply
 * that decided it (if the server said something) and one line of text for
 * the user that names the relay and quotes the reply.  Per-recipient replies
 * go to an array the caller keeps beside the envelope (lib/envelope.h), so
 * a partly accepted message can be reported recipient by recipient.
 *
 * The wire is clean: the message goes through smtp_data (CRLF only, dots
 * stuffed, no smuggled end of data); NUL bytes are dropped on the way and
 * counted.  Memory does not grow with the message: it is read through a
 * callback in chunks and written as it is encoded.
 *
 * Secrets: AUTH lines never reach the transcript callback unmasked, and no
 * error text carries a credential.
 */
#ifndef SMTPGATE_SMTP_CLIENT_H
#define SMTPGATE_SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "envelope.h"
#include "net.h"
#include "smtp_data.h"
#include "smtp_reply.h"
#include "str.h"

enum smtp_tls_mode { SMTP_TLS_NONE, SMTP_TLS_STARTTLS, SMTP_TLS_IMPLICIT };

/* Outcome classes. */
enum smtp_status {
	SMTP_SENT = 0,		/* done (see per-recipient results) */
	SMTP_TEMP,		/* temporary: next relay, queue, or EX_TEMPFAIL */
	SMTP_PERM,		/* refused for good: no fallback, no queue */
	SMTP_AUTHFAIL,		/* temporary, but the settings need fixing */
	SMTP_TLSFAIL		/* temporary, but the settings need fixing */
};

enum smtp_stage {
	SMTP_STAGE_CONNECT, SMTP_STAGE_GREETING, SMTP_STAGE_EHLO,
	SMTP_STAGE_STARTTLS, SMTP_STAGE_AUTH, SMTP_STAGE_MAIL,
	SMTP_STAGE_RCPT, SMTP_STAGE_DATA, SMTP_STAGE_DOT, SMTP_STAGE_RSET
};

struct smtp_result {
	enum smtp_status status;
	enum smtp_stage stage;
	struct smtp_reply reply;	/* code 0 when no reply decided */
	int	net;			/* NET_* when the connection failed
					   (what the hints go by), else NET_OK;
					   at SMTP_STAGE_CONNECT a timeout is
					   connect()'s, a failed TLS handshake
					   NET_ETLS, NET_ECERT or NET_EPLAIN */
	struct str text;		/* for the user and the log */
};

struct smtp_params {
	const char *host;
	unsigned port;
	enum smtp_tls_mode tls;
	struct tls_params tlsp;		/* servername defaults to host */
	const char *helo;		/* our EHLO name */
	unsigned timeout_ms;
	unsigned auth_wanted;		/* SASL_* mask; 0: no AUTH */
	const char *user;
	const struct str *secret;	/* borrowed; NULL without AUTH */
	bool allow_plaintext_auth;
	/*
	 * OAuth2: when the server refuses the access token, put a new one
	 * into *secret and return 0; AUTH is then tried once more on the
	 * same connection.  why gets the reason it could not.  NULL: no
	 * second try.
	 */
	int	(*refresh)(void *arg, struct str *why);
	void   *refresh_arg;
};

/* The message's reader: fill buf, *got = 0 at the end. */
typedef int (*smtp_read_fn)(void *arg, char *buf, size_t cap, size_t *got,
    struct str *err);

typedef void (*smtp_trace_fn)(void *arg, const char *dir, const char *line,
    size_t len);

struct smtp_client {
	struct net_conn conn;
	const struct smtp_params *params;
	struct smtp_ext ext;
	struct smtp_reply reply;	/* scratch for the last reply read */
	struct str line;
	struct str out;			/* pending output */
	bool	tls_up;
	bool	open;
	unsigned long long messages;	/* sent on this connection */
	smtp_trace_fn trace;
	void   *trace_arg;
	size_t	discarded;		/* bytes thrown away at STARTTLS */
	unsigned long long nul_dropped;
	bool	auth_refused;		/* the server said no to a token */
};

void	smtp_result_init(struct smtp_result *r);
void	smtp_result_free(struct smtp_result *r);
void	smtp_client_init(struct smtp_client *c);
/* Connect and negotiate: greeting, EHLO, STARTTLS, EHLO, AUTH. */
enum smtp_status smtp_client_open(struct smtp_client *c,
	    const struct smtp_params *p, struct smtp_result *res);
/*
 * Send one message with env: addresses bare, sender "" for the null
 * sender; eight_bit, smtputf8, size and the DSN fields become MAIL and
 * RCPT parameters where the server offers them.  replies has one
 * initialised reply per env->rcpts.v[i] and gets its RCPT reply (code 0:
 * not sent).  SMTP_SENT when the server took the message for at least
 * one recipient; look at each replies[i] for the others.
 */
enum smtp_status smtp_client_send(struct smtp_client *c,
	    const struct envelope *env, struct smtp_reply *replies,
	    const struct str *header, smtp_read_fn body, void *body_arg,
	    struct smtp_result *res);
/* RSET between messages when a send failed part way. */
enum smtp_status smtp_client_rset(struct smtp_client *c,
	    struct smtp_result *res);
/* QUIT (when the connection is still usable) and close. */
void	smtp_client_close(struct smtp_client *c);
const char *smtp_stage_name(enum smtp_stage stage);

#endif
