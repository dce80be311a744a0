/*
 * smtp_client - one SMTP session with one relay.  See smtp_client.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sasl.h"
#include "smtp_client.h"

#define SMTP_FLUSH_AT	65536	/* write the encoded message in pieces of this */

static const char *const smtp_stage_names[] = {
	"connect", "greeting", "EHLO", "STARTTLS", "AUTH", "MAIL FROM",
	"RCPT TO", "DATA", "end of data", "RSET"
};

const char *
smtp_stage_name(enum smtp_stage stage)
{
	return smtp_stage_names[stage];
}

void
smtp_result_init(struct smtp_result *r)
{
	r->status = SMTP_SENT;
	r->stage = SMTP_STAGE_CONNECT;
	r->net = NET_OK;
	smtp_reply_init(&r->reply);
	str_init(&r->text);
}

void
smtp_result_free(struct smtp_result *r)
{
	smtp_reply_free(&r->reply);
	str_free(&r->text);
}

void
smtp_client_init(struct smtp_client *c)
{
	memset(c, 0, sizeof(*c));
	net_init(&c->conn);
	smtp_reply_init(&c->reply);
}

/* Record a failure: class, stage, and "relay: what (reply)". */
static enum smtp_status
smtp_fail(struct smtp_client *c, struct smtp_result *res,
    enum smtp_status status, enum smtp_stage stage, const struct smtp_reply *r,
    const char *what)
{
	res->status = status;
	res->stage = stage;
	res->net = NET_OK;
	str_reset(&res->text);
	str_appendf(&res->text, "%s: %s", c->conn.peer.len ?
	    str_cstr(&c->conn.peer) : c->params->host, what);
	smtp_reply_reset(&res->reply);
	if (r != NULL && r->code != 0) {
		str_appendz(&res->text, ": server said \"");
		smtp_reply_describe(r, &res->text);
		str_appendc(&res->text, '"');
		smtp_reply_copy(&res->reply, r);
	}
	return status;
}

/* A reply's class: 4xx is temporary, 5xx permanent at MAIL/RCPT/DATA. */
static enum smtp_status
smtp_reply_status(const struct smtp_reply *r, enum smtp_stage stage)
{
	if (smtp_reply_is_perm(r) && (stage == SMTP_STAGE_MAIL ||
	    stage == SMTP_STAGE_RCPT || stage == SMTP_STAGE_DATA ||
	    stage == SMTP_STAGE_DOT))
		return SMTP_PERM;
	return SMTP_TEMP;
}

static void
smtp_trace_out(struct smtp_client *c, const char *data, size_t len)
{
	if (c->trace != NULL)
		c->trace(c->trace_arg, ">>> ", data, len);
}

/* Send one command line (without CRLF) now or queue it (pipelining). */
static void
smtp_queue_cmd(struct smtp_client *c, const char *cmd, size_t len,
    const char *masked)
{
	if (masked != NULL)
		smtp_trace_out(c, masked, strlen(masked));
	else
		smtp_trace_out(c, cmd, len);
	str_append(&c->out, cmd, len);
	str_appendz(&c->out, "\r\n");
}

static int
smtp_flush(struct smtp_client *c, struct str *err)
{
	int rc;

	if (c->out.len == 0)
		return NET_OK;
	rc = net_write(&c->conn, c->out.data, c->out.len, err);
	/* The buffer may hold a credential: wipe it, do not just reset. */
	util_wipe(c->out.data, c->out.len);
	str_reset(&c->out);
	return rc;
}

/* Read one complete reply into c->reply.  NET_* or -1 for bad syntax. */
static int
smtp_read_reply(struct smtp_client *c, struct str *err)
{
	int rc;

	smtp_reply_reset(&c->reply);
	for (;;) {
		rc = net_read_line(&c->conn, &c->line, SMTP_REPLY_MAX_LINE, err);
		if (rc != NET_OK)
			return rc;
		if (c->trace != NULL)
			c->trace(c->trace_arg, "<<< ", c->line.data, c->line.len);
		rc = smtp_reply_feed(&c->reply, c->line.data, c->line.len, err);
		if (rc == SMTP_OK)
			return NET_OK;
		if (rc != SMTP_MORE)
			return -1;
	}
}

/* Flush, then read a reply; a transport or syntax failure is recorded. */
static bool
smtp_exchange(struct smtp_client *c, enum smtp_stage stage,
    struct smtp_result *res)
{
	struct str err = STR_INIT;
	int rc;

	rc = smtp_flush(c, &err);
	if (rc == NET_OK)
		rc = smtp_read_reply(c, &err);
	if (rc != NET_OK) {
		str_appendf(&err, " (at %s)", smtp_stage_name(stage));
		smtp_fail(c, res, rc == NET_ECERT ? SMTP_TLSFAIL : SMTP_TEMP,
		    stage, NULL, rc == -1 ? "malformed reply" : "connection "
		    "failed");
		str_appendz(&res->text, ": ");
		str_appends(&res->text, &err);
		res->net = rc == -1 ? NET_OK : rc;
		c->open = false;	/* the session is out of step */
	}
	str_free(&err);
	return rc == NET_OK;
}

static bool
smtp_command(struct smtp_client *c, enum smtp_stage stage, const char *cmd,
    struct smtp_result *res)
{
	smtp_queue_cmd(c, cmd, strlen(cmd), NULL);
	return smtp_exchange(c, stage, res);
}

static enum smtp_status
smtp_ehlo(struct smtp_client *c, struct smtp_result *res)
{
	struct str cmd = STR_INIT, err = STR_INIT;
	enum smtp_status st = SMTP_SENT;

	str_appendf(&cmd, "EHLO %s", c->params->helo);
	if (!smtp_command(c, SMTP_STAGE_EHLO, str_cstr(&cmd), res)) {
		st = res->status;
	} else if (smtp_reply_ok(&c->reply)) {
		smtp_ehlo_parse(&c->reply, &c->ext, &err);
		c->reply.esc_offered =
		    (c->ext.flags & SMTP_EXT_ENHANCEDSTATUSCODES) != 0;
	} else if (smtp_reply_is_perm(&c->reply)) {
		/* An old server: HELO, and no extensions at all. */
		str_reset(&cmd);
		str_appendf(&cmd, "HELO %s", c->params->helo);
		memset(&c->ext, 0, sizeof(c->ext));
		if (!smtp_command(c, SMTP_STAGE_EHLO, str_cstr(&cmd), res))
			st = res->status;
		else if (!smtp_reply_ok(&c->reply))
			st = smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_EHLO,
			    &c->reply, "EHLO and HELO refused");
	} else {
		st = smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_EHLO, &c->reply,
		    "EHLO refused");
	}
	str_free(&cmd);
	str_free(&err);
	return st;
}

static enum smtp_status
smtp_starttls(struct smtp_client *c, struct smtp_result *res)
{
	struct tls_params tp = c->params->tlsp;
	struct str err = STR_INIT;
	enum smtp_status st;
	int rc;

	if ((c->ext.flags & SMTP_EXT_STARTTLS) == 0)
		return smtp_fail(c, res, SMTP_TLSFAIL, SMTP_STAGE_STARTTLS, NULL,
		    "the server does not offer STARTTLS and tls = starttls "
		    "never falls back to plain text");
	if (!smtp_command(c, SMTP_STAGE_STARTTLS, "STARTTLS", res))
		return res->status;
	if (c->reply.code != 220)
		return smtp_fail(c, res, SMTP_TLSFAIL, SMTP_STAGE_STARTTLS,
		    &c->reply, "STARTTLS refused");
	if (tp.servername == NULL)
		tp.servername = c->params->host;
	rc = net_starttls(&c->conn, &tp, &c->discarded, &err);
	if (rc != NET_OK) {
		st = smtp_fail(c, res, SMTP_TLSFAIL, SMTP_STAGE_STARTTLS, NULL,
		    str_cstr(&err));
		res->net = rc;
		c->open = false;
		str_free(&err);
		return st;
	}
	c->tls_up = true;
	str_free(&err);
	/* RFC 3207: forget what the server said before TLS, ask again. */
	memset(&c->ext, 0, sizeof(c->ext));
	return smtp_ehlo(c, res);
}

/* Name the mechanisms of a mask, for error messages. */
static void
smtp_mech_list(unsigned mask, struct str *out)
{
	unsigned bit;
	int n = 0;

	for (bit = 1; bit <= SASL_OAUTHBEARER; bit <<= 1) {
		if (mask & bit)
			str_appendf(out, "%s%s", n++ ? " " : "",
			    sasl_mech_name(bit));
	}
	if (n == 0)
		str_appendz(out, "none we support");
}

/* SMTP_AUTH_* from the EHLO reply, as SASL_* bits. */
static unsigned
smtp_offered_sasl(const struct smtp_ext *ext)
{
	unsigned m = 0;

	if (ext->auth & SMTP_AUTH_PLAIN)
		m |= SASL_PLAIN;
	if (ext->auth & SMTP_AUTH_LOGIN)
		m |= SASL_LOGIN;
	if (ext->auth & SMTP_AUTH_XOAUTH2)
		m |= SASL_XOAUTH2;
	if (ext->auth & SMTP_AUTH_OAUTHBEARER)
		m |= SASL_OAUTHBEARER;
	return m;
}

static enum smtp_status
smtp_auth(struct smtp_client *c, struct smtp_result *res)
{
	const struct smtp_params *p = c->params;
	struct str cmd = STR_INIT, resp = STR_INIT, err = STR_INIT, why = STR_INIT;
	struct sasl_client sc;
	enum smtp_status st = SMTP_SENT;
	unsigned offered, mech;
	int steps;

	if (!c->tls_up && !p->allow_plaintext_auth)
		return smtp_fail(c, res, SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NULL,
		    "refusing to send credentials over an unencrypted "
		    "connection (set tls = starttls or implicit, or "
		    "allow_plaintext_auth = yes)");
	offered = smtp_offered_sasl(&c->ext);
	mech = sasl_choose(p->auth_wanted, offered);
	if (mech == 0) {
		str_appendz(&why, "no usable AUTH mechanism: the server offers ");
		if (c->ext.flags & SMTP_EXT_AUTH)
			smtp_mech_list(offered, &why);
		else
			str_appendz(&why, "no AUTH at all");
		str_appendz(&why, ", the configuration allows ");
		smtp_mech_list(p->auth_wanted, &why);
		st = smtp_fail(c, res, SMTP_AUTHFAIL, SMTP_STAGE_AUTH, NULL,
		    str_cstr(&why));
		str_free(&why);
		return st;
	}
	sasl_start(&sc, mech, p->user, p->secret, p->host, p->port);
	str_appendf(&cmd, "AUTH %s", sasl_mech_name(mech));
	str_appendf(&why, "AUTH %s", sasl_mech_name(mech));
	if (sasl_initial(&sc, &resp)) {
		str_appendc(&cmd, ' ');
		str_appends(&cmd, &resp);
		str_appendz(&why, " ********");
	}
	smtp_queue_cmd(c, cmd.data, cmd.len, str_cstr(&why));
	str_free_secret(&cmd);
	str_free_secret(&resp);
	for (steps = 0;; steps++) {
		if (!smtp_exchange(c, SMTP_STAGE_AUTH, res)) {
			st = res->status;
			break;
		}
		if (c->reply.code == 235)
			break;
		if (c->reply.code != 334 || steps >= 8) {
			str_reset(&why);
			str_appendf(&why, "authentication as %s with %s failed",
			    p->user, sasl_mech_name(mech));
			if (err.len > 0) {
				str_appendz(&why, " (");
				str_appends(&why, &err);
				str_appendc(&why, ')');
			}
			st = smtp_fail(c, res, SMTP_AUTHFAIL, SMTP_STAGE_AUTH,
			    &c->reply, str_cstr(&why));
			c->auth_refused = (mech & (SASL_XOAUTH2 |
			    SASL_OAUTHBEARER)) != 0 && c->reply.code >= 500;
			break;
		}
		if (err.len > 0) {
			/* We already gave up; the server insists. */
			smtp_queue_cmd(c, "*", 1, NULL);
			continue;
		}
		/* The challenge is the reply text (enhanced code stripped). */
		(void)sasl_next(&sc, c->reply.text.data, c->reply.text.len,
		    &resp, &err);
		smtp_queue_cmd(c, resp.data ? resp.data : "", resp.len,
		    resp.len > 0 ? "********" : "");
		str_free_secret(&resp);
	}
	str_free(&why);
	str_free(&err);
	return st;
}

/*
 * The server refused an OAuth2 access token: it may have expired early or
 * been revoked.  Ask for a new one once and try AUTH again; if none
 * comes, say why after the server's refusal.
 */
static bool
smtp_auth_again(struct smtp_client *c, struct smtp_result *res)
{
	const struct smtp_params *p = c->params;
	struct str why = STR_INIT;
	bool ok;

	if (!c->auth_refused || p->refresh == NULL || !c->open)
		return false;
	c->auth_refused = false;
	if (p->refresh(p->refresh_arg, &why) != 0) {
		str_appendz(&res->text, "; a new access token: ");
		str_appends(&res->text, &why);
		str_free(&why);
		return false;
	}
	str_free(&why);
	ok = smtp_auth(c, res) == SMTP_SENT;
	c->auth_refused = false;
	return ok;
}

/*
 * tls = implicit, and the server greeted in plain text instead (net left
 * its bytes unread): read that greeting and quote it, so the user sees
 * the port speaks SMTP first and wants STARTTLS.
 */
static enum smtp_status
smtp_plain_greeting(struct smtp_client *c, struct smtp_result *res,
    const struct str *tlserr)
{
	struct str err = STR_INIT;
	bool got;

	got = smtp_read_reply(c, &err) == NET_OK;
	smtp_fail(c, res, SMTP_TLSFAIL, SMTP_STAGE_CONNECT, got ? &c->reply :
	    NULL, got ? "no TLS handshake: the server greeted in plain text" :
	    str_cstr(tlserr));
	res->net = NET_EPLAIN;
	str_free(&err);
	return SMTP_TLSFAIL;
}

enum smtp_status
smtp_client_open(struct smtp_client *c, const struct smtp_params *p,
    struct smtp_result *res)
{
	struct tls_params tp = p->tlsp;
	struct str err = STR_INIT;
	enum smtp_status st;
	int rc, neterr;

	c->params = p;
	rc = neterr = net_connect(&c->conn, p->host, p->port, p->timeout_ms,
	    &err);
	if (rc == NET_OK && p->tls == SMTP_TLS_IMPLICIT) {
		if (tp.servername == NULL)
			tp.servername = p->host;
		rc = net_starttls(&c->conn, &tp, &c->discarded, &err);
		c->tls_up = rc == NET_OK;
		/* Connected: a handshake that times out is no firewall. */
		neterr = rc == NET_ETIMEOUT ? NET_ETLS : rc;
	}
	if (rc == NET_EPLAIN) {
		st = smtp_plain_greeting(c, res, &err);
		str_free(&err);
		net_close(&c->conn);
		return st;
	}
	if (rc != NET_OK) {
		st = smtp_fail(c, res, rc == NET_ECERT || rc == NET_ETLS ?
		    SMTP_TLSFAIL : SMTP_TEMP, SMTP_STAGE_CONNECT, NULL,
		    str_cstr(&err));
		res->net = neterr;
		str_free(&err);
		net_close(&c->conn);
		return st;
	}
	str_free(&err);
	c->open = true;
	if (!smtp_exchange(c, SMTP_STAGE_GREETING, res))
		goto fail;
	if (c->reply.code != 220) {
		smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_GREETING, &c->reply,
		    "the server does not accept mail now");
		goto fail;
	}
	if (smtp_ehlo(c, res) != SMTP_SENT)
		goto fail;
	if (p->tls == SMTP_TLS_STARTTLS && smtp_starttls(c, res) != SMTP_SENT)
		goto fail;
	if (p->auth_wanted != 0 && smtp_auth(c, res) != SMTP_SENT &&
	    !smtp_auth_again(c, res))
		goto fail;
	return SMTP_SENT;
fail:
	smtp_client_close(c);
	return res->status;
}

/* " NOTIFY=SUCCESS,FAILURE" from the -N bits. */
static void
smtp_notify_param(unsigned bits, struct str *out)
{
	int n = 0;

	str_appendz(out, " NOTIFY=");
	if (bits & SMTP_NOTIFY_NEVER) {
		str_appendz(out, "NEVER");
		return;
	}
	if (bits & SMTP_NOTIFY_SUCCESS)
		str_appendf(out, "%sSUCCESS", n++ ? "," : "");
	if (bits & SMTP_NOTIFY_FAILURE)
		str_appendf(out, "%sFAILURE", n++ ? "," : "");
	if (bits & SMTP_NOTIFY_DELAY)
		str_appendf(out, "%sDELAY", n++ ? "," : "");
}

static void
smtp_mail_cmd(struct smtp_client *c, const struct envelope *env,
    struct str *cmd)
{
	str_appendf(cmd, "MAIL FROM:<%s>", env->sender);
	if ((c->ext.flags & SMTP_EXT_SIZE) && env->size > 0)
		str_appendf(cmd, " SIZE=%llu", env->size);
	if ((c->ext.flags & SMTP_EXT_8BITMIME) && env->eight_bit)
		str_appendz(cmd, " BODY=8BITMIME");
	if ((c->ext.flags & SMTP_EXT_SMTPUTF8) && env->smtputf8)
		str_appendz(cmd, " SMTPUTF8");
	if (c->ext.flags & SMTP_EXT_DSN) {
		if (env->dsn_ret != NULL)
			str_appendf(cmd, " RET=%s", strcasecmp(env->dsn_ret,
			    "hdrs") == 0 ? "HDRS" : "FULL");
		if (env->dsn_envid != NULL)
			str_appendf(cmd, " ENVID=%s", env->dsn_envid);
	}
}

/* Encode and write the message; the reader's errors end the session. */
static bool
smtp_stream(struct smtp_client *c, const struct str *header, smtp_read_fn body,
    void *body_arg, struct smtp_result *res)
{
	struct smtp_data enc;
	struct str err = STR_INIT;
	char buf[16384];	/* a transfer buffer, not a limit on anything */
	size_t got, i, k;
	int rc = NET_OK;

	smtp_data_init(&enc);
	if (header != NULL)
		smtp_data_feed(&enc, header->data, header->len, &c->out);
	for (;;) {
		if (body(body_arg, buf, sizeof(buf), &got, &err) != 0) {
			smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_DOT, NULL,
			    "reading the message failed");
			str_appendz(&res->text, ": ");
			str_appends(&res->text, &err);
			/* Ending the DATA now would send a cut message. */
			c->open = false;
			str_free(&err);
			return false;
		}
		if (got == 0)
			break;
		/* NUL bytes never reach the wire (see smtp_data.h). */
		for (i = k = 0; i < got; i++) {
			if (buf[i] != '\0')
				buf[k++] = buf[i];
		}
		c->nul_dropped += got - k;
		smtp_data_feed(&enc, buf, k, &c->out);
		if (c->out.len >= SMTP_FLUSH_AT &&
		    (rc = smtp_flush(c, &err)) != NET_OK)
			break;
	}
	if (rc == NET_OK) {
		smtp_data_finish(&enc, &c->out);
		if (c->trace != NULL) {
			char note[96];

			snprintf(note, sizeof(note), "(message: %llu bytes, "
			    "%llu lines)", enc.out_bytes, enc.lines);
			c->trace(c->trace_arg, ">>> ", note, strlen(note));
		}
		rc = smtp_flush(c, &err);
	}
	if (rc != NET_OK) {
		smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_DOT, NULL,
		    "sending the message failed");
		str_appendz(&res->text, ": ");
		str_appends(&res->text, &err);
		c->open = false;
	}
	str_free(&err);
	return rc == NET_OK;
}

enum smtp_status
smtp_client_send(struct smtp_client *c, const struct envelope *env,
    struct smtp_reply *replies, const struct str *header, smtp_read_fn body,
    void *body_arg, struct smtp_result *res)
{
	bool pipe = (c->ext.flags & SMTP_EXT_PIPELINING) != 0;
	struct str cmd = STR_INIT, note = STR_INIT;
	size_t i, accepted = 0, temp = 0;
	enum smtp_status st = SMTP_SENT;
	bool mail_ok;

	if (!c->open)
		return smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_MAIL, NULL,
		    "the connection is closed");
	if (c->ext.size_max > 0 && env->size > c->ext.size_max) {
		str_appendf(&note, "the message (%llu bytes) is larger than "
		    "the server accepts (SIZE %llu)", env->size, c->ext.size_max);
		st = smtp_fail(c, res, SMTP_PERM, SMTP_STAGE_MAIL, NULL,
		    str_cstr(&note));
		/* No MAIL is sent to hear it: the reply the server would give
		   (RFC 1870), made here so -bs and notices can tell it on. */
		(void)smtp_reply_make(&res->reply, 552, "5.3.4", "Message size "
		    "exceeds the server's limit (SIZE %llu)", c->ext.size_max);
		str_free(&note);
		return st;
	}
	if (env->smtputf8 && !(c->ext.flags & SMTP_EXT_SMTPUTF8))
		return smtp_fail(c, res, SMTP_PERM, SMTP_STAGE_MAIL, NULL,
		    "the message needs SMTPUTF8 (UTF-8 addresses) and the "
		    "server does not offer it");

	/* MAIL, every RCPT and DATA: in one write when pipelining. */
	smtp_mail_cmd(c, env, &cmd);
	smtp_queue_cmd(c, cmd.data, cmd.len, NULL);
	if (!pipe && !smtp_exchange(c, SMTP_STAGE_MAIL, res))
		goto out_status;
	for (i = 0; pipe && i < env->rcpts.n + 1; i++) {
		/* Queue the rest now; replies are read in order below. */
		if (i < env->rcpts.n) {
			str_reset(&cmd);
			str_appendf(&cmd, "RCPT TO:<%s>", env->rcpts.v[i]);
			if ((c->ext.flags & SMTP_EXT_DSN) && env->dsn_notify)
				smtp_notify_param(env->dsn_notify, &cmd);
			smtp_queue_cmd(c, cmd.data, cmd.len, NULL);
		} else {
			smtp_queue_cmd(c, "DATA", 4, NULL);
		}
	}
	if (pipe && !smtp_exchange(c, SMTP_STAGE_MAIL, res))
		goto out_status;
	mail_ok = smtp_reply_ok(&c->reply);
	if (!mail_ok) {
		st = smtp_fail(c, res, smtp_reply_status(&c->reply,
		    SMTP_STAGE_MAIL), SMTP_STAGE_MAIL, &c->reply,
		    "sender refused");
		if (!pipe)
			goto out;
	}
	for (i = 0; i < env->rcpts.n; i++) {
		if (!pipe) {
			str_reset(&cmd);
			str_appendf(&cmd, "RCPT TO:<%s>", env->rcpts.v[i]);
			if ((c->ext.flags & SMTP_EXT_DSN) && env->dsn_notify)
				smtp_notify_param(env->dsn_notify, &cmd);
			smtp_queue_cmd(c, cmd.data, cmd.len, NULL);
			if (!smtp_exchange(c, SMTP_STAGE_RCPT, res))
				goto out_status;
		} else if (!smtp_exchange(c, SMTP_STAGE_RCPT, res)) {
			goto out_status;
		}
		smtp_reply_copy(&replies[i], &c->reply);
		if (smtp_reply_ok(&c->reply))
			accepted++;
		else if (smtp_reply_is_temp(&c->reply))
			temp++;
	}
	if (!pipe && accepted > 0)
		smtp_queue_cmd(c, "DATA", 4, NULL);
	if (pipe || accepted > 0) {
		if (!smtp_exchange(c, SMTP_STAGE_DATA, res))
			goto out_status;
	}
	if (!mail_ok)
		goto reset;
	if (accepted == 0) {
		str_appendf(&note, "all %zu recipients refused", env->rcpts.n);
		/* The last RCPT reply is the one quoted. */
		st = smtp_fail(c, res, temp > 0 ? SMTP_TEMP : SMTP_PERM,
		    SMTP_STAGE_RCPT, &replies[env->rcpts.n - 1],
		    str_cstr(&note));
		if (c->reply.code == 354) {
			/* A server that says 354 anyway gets an empty message. */
			smtp_queue_cmd(c, ".", 1, NULL);
			if (!smtp_exchange(c, SMTP_STAGE_DOT, res))
				goto out_status;
		}
		goto reset;
	}
	if (c->reply.code != 354) {
		st = smtp_fail(c, res, smtp_reply_status(&c->reply,
		    SMTP_STAGE_DATA), SMTP_STAGE_DATA, &c->reply,
		    "DATA refused");
		goto reset;
	}
	if (!smtp_stream(c, header, body, body_arg, res))
		goto out_status;
	/* The final reply may take long: the server checks the message. */
	if (!smtp_exchange(c, SMTP_STAGE_DOT, res))
		goto out_status;
	if (!smtp_reply_ok(&c->reply)) {
		st = smtp_fail(c, res, smtp_reply_status(&c->reply,
		    SMTP_STAGE_DOT), SMTP_STAGE_DOT, &c->reply,
		    "message refused");
		goto out;
	}
	c->messages++;
	res->status = SMTP_SENT;
	res->stage = SMTP_STAGE_DOT;
	smtp_reply_copy(&res->reply, &c->reply);
	str_reset(&res->text);
	str_appendf(&res->text, "%s: accepted", str_cstr(&c->conn.peer));
	goto out;
reset:
	/* Leave the session clean for the next message. */
	{
		struct smtp_result tmp;

		smtp_result_init(&tmp);
		(void)smtp_client_rset(c, &tmp);
		smtp_result_free(&tmp);
	}
	goto out;
out_status:
	st = res->status;
out:
	str_free(&cmd);
	str_free(&note);
	return st;
}

enum smtp_status
smtp_client_rset(struct smtp_client *c, struct smtp_result *res)
{
	if (!c->open)
		return smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_RSET, NULL,
		    "the connection is closed");
	if (!smtp_command(c, SMTP_STAGE_RSET, "RSET", res))
		return res->status;
	if (!smtp_reply_ok(&c->reply)) {
		c->open = false;
		return smtp_fail(c, res, SMTP_TEMP, SMTP_STAGE_RSET, &c->reply,
		    "RSET refused");
	}
	return SMTP_SENT;
}

void
smtp_client_close(struct smtp_client *c)
{
	struct str err = STR_INIT;

	if (c->open && c->conn.fd >= 0) {
		/* QUIT's reply is read but does not matter. */
		smtp_queue_cmd(c, "QUIT", 4, NULL);
		if (smtp_flush(c, &err) == NET_OK)
			(void)smtp_read_reply(c, &err);
	}
	c->open = false;
	net_close(&c->conn);
	smtp_reply_free(&c->reply);
	str_free(&c->line);
	str_free_secret(&c->out);
	str_free(&err);
}
