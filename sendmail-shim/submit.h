/*
 * submit - one message submitted to smtpgate-sendmail (-bm, -t, -bs): read
 * it, decide its envelope, fix its header, send it through the relays, and
 * say what happened the way DESIGN.md "Decisions that fix the edges" says.
 *
 * Reading (submit_read*): the header is parsed and kept in memory for the
 * fixes; the body goes to an unlinked temporary file.  Recipients come from
 * the command line (split on ",", ";" and address_separator) and, with -t,
 * from To, Cc and Bcc; Bcc is removed.  Address fields written with
 * address_separator between their addresses ("To: a@x; b@x") are read as
 * lists and rewritten with commas (addr_comma_list()).  Local names go
 * through the aliases file, then get @domain (struct submit's domain:
 * [general] domain, /etc/mailname or the host name, chosen by
 * ids_domain()).  Addresses without a domain in From, Sender, Reply-To,
 * To, Cc, Bcc and their Resent- forms get @domain in the header too,
 * aliases or not: as Postfix's cleanup does, aliases are for delivery and
 * change the envelope only.  The sender is -f/-r, else the address of
 * [message] from, else user@hostname; but with -t and no -f, a From
 * header of one address that is an [account]'s sender makes that address
 * the sender, so the account's login is used.  Date and Message-ID are
 * added when missing; a missing From is made from -F/-f, [message] from or
 * user@hostname; from_display_name forces the From display name.
 *
 * Sending (submit_send): enabled relays in file order; a temporary failure
 * moves on to the next one when the relay says fallback = yes.  An
 * [account] whose senders include the envelope sender supplies the login
 * on its relay; otherwise the relay's own (or [general]'s, with
 * credentials = default).  Mail from the null sender (notices) goes only
 * through [general] error_relay when it is set.  With [queue] delay
 * nothing is sent at submission: the message is queued, due after the
 * delay.  One syslog line per attempt chain: queue id, sender,
 * recipients, relay, status, delay, reply; and a warning naming both
 * relays and the first one's error when a fallback relay took the
 * message.  A failure ends with a "hint:" line when lib/hint has one.
 * --test-mail (test_mail, only_relay) tries one relay, queues nothing
 * and sends no notice.
 *
 * Errors go to err as one line each, naming the setting, the recipient or
 * the server's reply; secrets never.
 */
#ifndef SMTPGATE_SUBMIT_H
#define SMTPGATE_SUBMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "aliases.h"
#include "cfg.h"
#include "hdr.h"
#include "msgbody.h"
#include "smopt.h"
#include "smtp_client.h"
#include "strvec.h"

/*
 * The login a relay uses for a message: an [account]'s, the relay's own
 * or [general]'s (credentials = default), and where its secret is: the
 * helper's kind and index (privsep.h), or the files themselves.
 */
struct submit_login {
	const char *user;
	const struct cfg_account *acct;	/* NULL: not an account's */
	int	kind;			/* PRIVSEP_RELAY, _ACCOUNT, _DEFAULT */
	size_t	index;
	bool	oauth2;			/* a token from oauth2.h, not a
					   password */
	const char *pfile, *pcmd;
};

/*
 * A connection kept open between messages (the queue runner): the next
 * message for the same relay and login goes over it after an RSET.
 */
struct submit_conn {
	struct smtp_client c;
	struct smtp_params p;
	const struct cfg_relay *relay;
	char   *user;
	struct str secret;		/* a password or an access token */
	bool	open;
	unsigned long long reused;	/* messages sent over a kept connection */
	/* Where the secret comes from; an OAuth2 login's token can be
	   renewed while the connection is open (smtp_params.refresh). */
	struct submit *s;
	struct submit_login login;
};

/* What one delivery attempt did, per recipient (replies[i]). */
struct submit_result {
	enum smtp_status st;
	struct smtp_result res;
	const struct cfg_relay *relay;	/* the last relay tried, or NULL */
	const struct envelope *env;	/* what was sent: the submission's */
	struct smtp_reply *replies;	/* RCPT reply of env->rcpts.v[i] */
	size_t	nreplies;
};

/* Per recipient after an attempt. */
enum submit_rcpt_state { SUBMIT_RCPT_SENT, SUBMIT_RCPT_DEFERRED,
	SUBMIT_RCPT_REFUSED };

struct submit {
	const struct cfg *cfg;
	const struct smopt *opts;
	const struct aliases *aliases;	/* NULL when not configured */
	const char *hostname;		/* EHLO, Message-ID, user@hostname */
	const char *user;		/* the submitting user's login name */
	const char *domain;		/* for local names; NULL: none (by
					   default [general] domain) */
	struct str queue_id;
	struct hdr_block hdr;
	struct msgbody body;
	/*
	 * Sender ("" for the null sender), recipients (bare, each once), and
	 * -N, -R and -V from opts; BODY=8BITMIME and SIZE once
	 * submit_mail_params() has seen the header that is sent.
	 */
	struct envelope env;
	/* The Bcc addresses (bare) taken out of the header: bulk_copies
	   must still know them for copies (lib/policy.h). */
	struct strvec bcc;
	const char *only_relay;		/* try this relay alone, enabled
					   or not: --test-mail */
	bool	test_mail;		/* --test-mail: no queue, no notice */
	struct submit_conn *conn;	/* keep connections open, or NULL */
	smtp_trace_fn trace;		/* -v transcript, or NULL */
	void   *trace_arg;
	/* The setgid shim without its group: secrets, the queue, the
	   wait_ms and bulk_copies files through the helper that kept it
	   (privsep.h). */
	struct privsep *privsep;
};

enum {
	SUBMIT_OK = 0,
	SUBMIT_EUSAGE,		/* no recipients, bad -f: EX_USAGE */
	SUBMIT_EDATA,		/* the message cannot be read as mail */
	SUBMIT_ENOUSER,		/* a local name that resolves to nothing */
	SUBMIT_ETMP,		/* temporary file or read failure */
	SUBMIT_ECONFIG,		/* e.g. the aliases file is missing */
	SUBMIT_ETOOBIG		/* over [queue] max_message_size: the
				   rest is not read; EX_UNAVAILABLE */
};

void	submit_init(struct submit *s, const struct cfg *cfg,
	    const struct smopt *opts, const struct aliases *aliases,
	    const char *hostname, const char *user);
void	submit_free(struct submit *s);
/* -bm / -t: the message on in; recipients from argv and -t. */
int	submit_read(struct submit *s, FILE *in, struct str *err);
/* -bs: envelope from the SMTP dialogue, message from a file. */
int	submit_read_envelope(struct submit *s, const char *sender,
	    char *const *rcpts, size_t nrcpts, FILE *in, struct str *err);
/*
 * What MAIL FROM announces, from the message as it is sent: BODY=8BITMIME
 * when the body or the header has 8-bit bytes, unless -B said which; SIZE
 * the header's header_len bytes (0 when the body file holds the header,
 * as a queued one does) and the body's.  Once the header is final: after
 * the policy, or for a message from the queue.
 */
void	submit_mail_params(struct submit *s, size_t header_len);
/*
 * Send.  Returns a <sysexits.h> status: 0 sent (even with some recipients
 * refused, who are named in err), 75 temporary, 77 AUTH refused, 67 every
 * recipient refused, 69 other permanent refusal.  *reply gets a one-line
 * SMTP reply for -bs.
 */
int	submit_send(struct submit *s, struct smtp_reply *reply, struct str *err);
int	submit_exitcode(int rc);
/*
 * The exit status of one attempt chain that ended in st with res, as
 * submit_send() gives it when nothing was queued: EX_OK, EX_NOPERM for
 * SMTP_AUTHFAIL, EX_NOUSER for a permanent refusal at RCPT (every
 * recipient), EX_UNAVAILABLE for another permanent one, EX_TEMPFAIL
 * otherwise.  With reply, also the -bs reply: 250, 552 5.3.4 for the
 * relay's 5.3.4 (too big), 554 for another permanent refusal, 451 else.
 */
int	submit_outcome(const struct smtp_result *res, enum smtp_status st,
	    struct smtp_reply *reply);

/*
 * The one relay --test-mail tries: the one called name, enabled or not,
 * else the first enabled one.  SUBMIT_EUSAGE for a name that is not
 * there, SUBMIT_ECONFIG when none is enabled; err then lists the relays.
 */
int	submit_test_relay(const struct cfg *cfg, const char *name,
	    const struct cfg_relay **out, struct str *err);

/*
 * submit_relay.c: try the relays once with s->env, without policy or
 * queue: what the queue runner does for a queued message.  header is sent
 * before s->body; NULL when the body file holds it (a queued message).
 * Logs one line.  r refers to s->env and must be freed with
 * submit_result_free() before s is.
 */
void	submit_deliver(struct submit *s, const struct str *header,
	    struct submit_result *r);
void	submit_conn_close(struct submit_conn *c);
/*
 * The relays submit_deliver() tries, in file order: the next one for s
 * after `after` (NULL: the first), or NULL when there is none.  That is
 * the relay named only_relay, enabled or not; else for the null sender
 * [general] error_relay when it is set, enabled or not; else the enabled
 * ones.  submit_fallback() says whether an attempt on r that ended in st
 * moves on to the next: a temporary failure (AUTH and TLS failures are
 * temporary) on a relay with fallback = yes; never after SMTP_SENT or a
 * permanent refusal.
 */
const struct cfg_relay *submit_next_relay(const struct submit *s,
	    const struct cfg_relay *after);
bool	submit_fallback(const struct cfg_relay *r, enum smtp_status st);

void	submit_result_free(struct submit_result *r);
enum submit_rcpt_state submit_rcpt_state(const struct submit_result *r,
	    size_t i);
/* The reply that says why recipient i of r did not get the message: its
   own RCPT reply, or the refusal of the whole message after it. */
const struct smtp_reply *submit_rcpt_reply(const struct submit_result *r,
	    size_t i);
/* Make env's recipients those of r that are SUBMIT_RCPT_DEFERRED: what
   stays in the queue after the attempt. */
void	submit_keep_deferred(const struct submit_result *r,
	    struct envelope *env);

/*
 * The message that r is about, for a notice: its queue id, envelope
 * sender, -V and -N, and when it was queued.
 */
struct submit_notice {
	const char *id;
	const char *sender;		/* "" for the null sender: no notice */
	const char *envid;		/* -V, or NULL */
	unsigned dsn_notify;		/* -N bits, 0 when not given */
	long long arrival;
	bool	given_up;		/* max_age: deferred ones count too */
	const char *why;		/* added to each reason when given up */
};

/*
 * Send the envelope sender (or [general] error_address) an RFC 3464
 * notice naming the recipients of r that were refused, and with given_up
 * those still deferred, with the server's replies and s's original header.
 * Nothing when every recipient got it, when the sender is null, or when -N
 * asked for no failure notice (error_address is told all the same).  The
 * notice goes through s's relays and queue like any message.
 */
void	submit_notice(const struct submit *s, const struct submit_result *r,
	    const struct submit_notice *n);

#endif
