/*
 * submit_relay - one attempt chain through the configured relays: which
 * relays, in which order, with which login, paced, over a kept connection
 * when there is one, and the log lines that say what happened.  See
 * submit.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "oauth2.h"
#include "pace.h"
#include "privsep.h"
#include "sasl.h"
#include "secret.h"
#include "submit.h"

/* The login for a relay: an [account] whose senders include the sender. */
static const struct cfg_account *
submit_account(const struct submit *s, const struct cfg_relay *r)
{
	size_t i, j;

	if (s->env.sender == NULL || *s->env.sender == '\0')
		return NULL;
	for (i = 0; i < s->cfg->naccounts; i++) {
		const struct cfg_account *a = &s->cfg->accounts[i];

		if (a->relay_ptr != r)
			continue;
		for (j = 0; j < a->senders.n; j++)
			if (strcasecmp(a->senders.v[j], s->env.sender) == 0)
				return a;
	}
	return NULL;
}

static unsigned
submit_mechs(enum cfg_auth auth, const char *user)
{
	switch (auth) {
	case CFG_AUTH_NONE: return 0;
	case CFG_AUTH_AUTO: return user != NULL ? SASL_AUTO_PASSWORD : 0;
	case CFG_AUTH_PLAIN: return SASL_PLAIN;
	case CFG_AUTH_LOGIN: return SASL_LOGIN;
	case CFG_AUTH_XOAUTH2: return SASL_XOAUTH2;
	case CFG_AUTH_OAUTHBEARER: return SASL_OAUTHBEARER;
	}
	return 0;
}

void
submit_conn_close(struct submit_conn *c)
{
	if (c == NULL || !c->open)
		return;
	smtp_client_close(&c->c);
	str_free_secret(&c->secret);
	free(c->user);
	c->user = NULL;
	c->relay = NULL;
	c->open = false;
}

/* Can the kept connection carry a message for relay r as user? */
static bool
submit_conn_fits(const struct submit_conn *c, const struct cfg_relay *r,
    const char *user)
{
	return c != NULL && c->open && c->relay == r &&
	    ((c->user == NULL && user == NULL) || (c->user != NULL &&
	    user != NULL && strcmp(c->user, user) == 0));
}

/* wait_ms: the relay's pace file, opened by the helper if there is one. */
static int
submit_pace(struct submit *s, const struct cfg_relay *r, long long *started,
    struct str *err)
{
	int fd;

	if (s->privsep == NULL)
		return pace_wait(s->cfg->queue_dir, r->name, r->wait_ms,
		    started, err);
	*started = 0;
	if (privsep_pace(s->privsep, (size_t)(r - s->cfg->relays), &fd, err) !=
	    PACE_OK)
		return PACE_EIO;
	return pace_wait_fd(fd, r->wait_ms, started, err);
}

/* A line of the transcript (-v, --test-mail) that is ours, not the
   server's. */
static void
submit_note(const struct submit *s, const char *what, const struct str *text)
{
	struct str line = STR_INIT;

	if (s->trace == NULL)
		return;
	str_appendf(&line, "%s%s", what, str_cstr(text));
	s->trace(s->trace_arg, "", line.data, line.len);
	str_free(&line);
}

/*
 * The secret for AUTH into c->secret: a password, or for an OAuth2 login
 * an access token (refused: the one the server just refused, or NULL).
 * Through the helper when there is one, which serves them by what holds
 * them, never by path.
 */
static int
submit_secret(struct submit *s, struct submit_conn *c, const char *refused,
    struct str *err)
{
	const struct submit_login *lg = &c->login;
	struct str step = STR_INIT, why = STR_INIT;
	struct oauth2_login l;
	int rc;

	if (!lg->oauth2)
		return (s->privsep != NULL ? privsep_secret(s->privsep,
		    lg->kind, lg->index, &c->secret, err) :
		    secret_get(lg->pfile, lg->pcmd, &c->secret, err)) ==
		    SECRET_OK ? 0 : -1;
	str_free_secret(&c->secret);
	if (s->privsep != NULL)
		rc = privsep_oauth2(s->privsep, lg->kind, lg->index, refused,
		    &c->secret, &step, &why);
	else if (oauth2_login_init(&l, s->cfg, c->relay, lg->acct)) {
		rc = oauth2_token(&l, refused, &c->secret, &step, &why);
		oauth2_login_free(&l);
	} else {
		str_appendz(&why, "no oauth2_client_id");
		rc = OAUTH2_ECONFIG;
	}
	submit_note(s, rc == OAUTH2_OK ? "oauth2: " : "oauth2: failed: ",
	    rc == OAUTH2_OK ? &step : &why);
	str_appends(err, &why);
	str_free(&step);
	str_free(&why);
	return rc == OAUTH2_OK ? 0 : -1;
}

/* smtp_params.refresh: the server refused the access token. */
static int
submit_refresh(void *arg, struct str *why)
{
	struct submit_conn *c = arg;
	struct str refused = STR_INIT;
	int rc;

	str_set(&refused, c->secret.data, c->secret.len);
	rc = submit_secret(c->s, c, str_cstr(&refused), why);
	str_free_secret(&refused);
	return rc;
}

/* Which login relay r uses for s, and where its secret comes from. */
static void
submit_login(const struct submit *s, const struct cfg_relay *r,
    struct submit_login *l)
{
	const struct cfg_account *acct = submit_account(s, r);
	struct cfg_login own;

	memset(l, 0, sizeof(*l));
	l->acct = acct;
	if (acct != NULL) {
		l->user = acct->username;
		l->pfile = acct->password_file;
		l->pcmd = acct->password_command;
		l->kind = PRIVSEP_ACCOUNT;
		l->index = (size_t)(acct - s->cfg->accounts);
		l->oauth2 = acct->oauth2.client_id != NULL;
		return;
	}
	cfg_relay_login(s->cfg, r, &own);
	l->user = own.username;
	l->pfile = own.password_file;
	l->pcmd = own.password_command;
	l->kind = r->credentials == CFG_CREDENTIALS_DEFAULT ?
	    PRIVSEP_DEFAULT : PRIVSEP_RELAY;
	l->index = l->kind == PRIVSEP_DEFAULT ? 0 :
	    (size_t)(r - s->cfg->relays);
	l->oauth2 = l->kind == PRIVSEP_RELAY && r->oauth2.client_id != NULL;
}

/*
 * One relay, one attempt.  Without a kept connection the secret lives only
 * inside this call; with one, as long as the connection.
 */
static enum smtp_status
submit_try(struct submit *s, const struct cfg_relay *r,
    struct smtp_reply *replies, const struct str *header,
    struct smtp_result *res)
{
	struct submit_conn local, *c = s->conn ? s->conn : &local;
	struct submit_login login;
	struct str err = STR_INIT;
	enum smtp_status st;
	long long started;

	submit_login(s, r, &login);
	if (r->wait_ms > 0 && submit_pace(s, r, &started, &err) != PACE_OK) {
		/* Pacing is a courtesy; losing mail over it is not. */
		log_warning("%s: relay %s: %s", str_cstr(&s->queue_id), r->name,
		    str_cstr(&err));
		str_reset(&err);
	}
	if (submit_conn_fits(s->conn, r, login.user)) {
		c->s = s;
		if (smtp_client_rset(&c->c, res) == SMTP_SENT) {
			c->reused++;
			goto send;
		}
		submit_conn_close(c);	/* the server went away: reconnect */
	} else
		submit_conn_close(s->conn);
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->login = login;
	c->p.user = login.user;
	str_init(&c->secret);
	c->relay = r;
	c->p.host = r->host;
	c->p.port = r->port;
	c->p.tls = r->tls == CFG_TLS_IMPLICIT ? SMTP_TLS_IMPLICIT :
	    r->tls == CFG_TLS_STARTTLS ? SMTP_TLS_STARTTLS : SMTP_TLS_NONE;
	c->p.tlsp.verify = r->tls_verify;
	c->p.tlsp.ca_file = r->tls_ca_file;
	c->p.tlsp.pin_sha256 = r->tls_fingerprint;
	c->p.helo = s->hostname;
	c->p.timeout_ms = r->timeout * 1000u;
	/* An account's own OAuth2 app on a relay with auth = auto. */
	c->p.auth_wanted = c->login.oauth2 && r->auth == CFG_AUTH_AUTO ?
	    SASL_XOAUTH2 : submit_mechs(r->auth, c->p.user);
	c->p.allow_plaintext_auth = r->allow_plaintext_auth;
	if (c->p.auth_wanted != 0) {
		if (submit_secret(s, c, NULL, &err) != 0) {
			res->status = SMTP_AUTHFAIL;
			res->stage = SMTP_STAGE_AUTH;
			smtp_reply_reset(&res->reply);
			str_reset(&res->text);
			/* No relay name: whoever shows the text names the
			   relay (r->relay), as for the server's replies. */
			str_appendf(&res->text, "cannot get the secret for %s: %s",
			    c->p.user, str_cstr(&err));
			str_free(&err);
			str_free_secret(&c->secret);
			return SMTP_AUTHFAIL;
		}
		c->p.secret = &c->secret;
		if (c->login.oauth2) {
			c->p.refresh = submit_refresh;
			c->p.refresh_arg = c;
		}
	}
	smtp_client_init(&c->c);
	c->c.trace = s->trace;
	c->c.trace_arg = s->trace_arg;
	st = smtp_client_open(&c->c, &c->p, res);
	c->open = true;
	c->user = c->p.user ? xstrdup(c->p.user) : NULL;
	if (st != SMTP_SENT)
		goto done;
send:
	c->c.trace = s->trace;
	c->c.trace_arg = s->trace_arg;
	msgbody_rewind(&s->body);
	st = smtp_client_send(&c->c, &s->env, replies, header, msgbody_reader,
	    &s->body, res);
	if (c->c.nul_dropped > 0)
		log_warning("%s: %llu NUL bytes dropped from the message",
		    str_cstr(&s->queue_id), c->c.nul_dropped);
	c->c.nul_dropped = 0;
done:
	/* Keep a healthy connection only when asked to. */
	if (s->conn == NULL || !c->c.open || (st != SMTP_SENT && st !=
	    SMTP_PERM))
		submit_conn_close(c);
	str_free(&err);
	return st;
}

static const char *
submit_status_word(enum smtp_status st)
{
	return st == SMTP_SENT ? "sent" : st == SMTP_PERM ? "bounced" :
	    "deferred";
}

static void
submit_log(const struct submit *s, const struct cfg_relay *r,
    const struct smtp_result *res, enum smtp_status st, double delay)
{
	struct str line = STR_INIT;
	size_t i;

	str_appendf(&line, "%s: from=<%s>, nrcpt=%zu, to=<", str_cstr(&s->queue_id),
	    s->env.sender, s->env.rcpts.n);
	for (i = 0; i < s->env.rcpts.n; i++)
		str_appendf(&line, "%s%s", i ? ">,<" : "", s->env.rcpts.v[i]);
	str_appendf(&line, ">, relay=%s, delay=%.2f, status=%s (%s)",
	    r ? r->name : "none", delay, submit_status_word(st),
	    str_cstr(&res->text));
	log_msg(st == SMTP_SENT ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, "%s",
	    str_cstr(&line));
	str_free(&line);
}

static double
submit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const struct cfg_relay *
submit_next_relay(const struct submit *s, const struct cfg_relay *after)
{
	const struct cfg_relay *only = NULL;
	size_t i = after == NULL ? 0 : (size_t)(after - s->cfg->relays) + 1;

	/* Mail from the null sender is our notices (and bounces like
	   them): [general] error_relay, when set, is their only relay,
	   enabled or not, on the first attempt and from the queue alike. */
	if (s->only_relay == NULL && s->env.sender != NULL &&
	    *s->env.sender == '\0' && s->cfg->error_relay_ptr != NULL)
		only = s->cfg->error_relay_ptr;
	for (; i < s->cfg->nrelays; i++) {
		const struct cfg_relay *rl = &s->cfg->relays[i];

		if (only != NULL ? rl != only : s->only_relay != NULL ?
		    strcmp(s->only_relay, rl->name) != 0 : !rl->enabled)
			continue;
		return rl;
	}
	return NULL;
}

bool
submit_fallback(const struct cfg_relay *r, enum smtp_status st)
{
	return st != SMTP_SENT && st != SMTP_PERM && r->fallback;
}

void
submit_deliver(struct submit *s, const struct str *header,
    struct submit_result *r)
{
	struct str first_err = STR_INIT;
	const struct cfg_relay *first = NULL;	/* the first that failed */
	enum smtp_status st = SMTP_TEMP;
	const struct cfg_relay *rl;
	double t0 = submit_now();
	size_t i, k, tried = 0;

	memset(r, 0, sizeof(*r));
	r->env = &s->env;
	r->nreplies = s->env.rcpts.n;
	r->replies = xcalloc(r->nreplies, sizeof(*r->replies));
	for (i = 0; i < r->nreplies; i++)
		smtp_reply_init(&r->replies[i]);
	smtp_result_init(&r->res);
	str_setz(&r->res.text, s->only_relay != NULL ? "no relay of that name "
	    "in the configuration" : "no relay is enabled in the configuration");
	for (rl = submit_next_relay(s, NULL); rl != NULL;
	    rl = submit_next_relay(s, rl)) {
		if (tried > 0) {
			log_info("%s: falling back to relay %s",
			    str_cstr(&s->queue_id), rl->name);
			for (k = 0; k < r->nreplies; k++)
				smtp_reply_reset(&r->replies[k]);
		}
		tried++;
		r->relay = rl;
		st = submit_try(s, rl, r->replies, header, &r->res);
		if (!submit_fallback(rl, st))
			break;
		log_warning("%s: relay %s: %s", str_cstr(&s->queue_id), rl->name,
		    str_cstr(&r->res.text));
		if (first == NULL) {
			first = rl;
			str_set(&first_err, r->res.text.data, r->res.text.len);
		}
	}
	r->st = st;
	submit_log(s, r->relay, &r->res, st, submit_now() - t0);
	/*
	 * The mail went out, so nobody looks: a relay that fails every time
	 * (a wrong password, a closed port) must still be seen in the log,
	 * as a warning that names both relays and the first one's error.
	 */
	if (st == SMTP_SENT && first != NULL)
		log_warning("%s: sent through fallback relay %s because relay %s "
		    "failed: %s", str_cstr(&s->queue_id), r->relay->name,
		    first->name, str_cstr(&first_err));
	str_free(&first_err);
}
