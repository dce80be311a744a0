/*
 * submit_send - a submitted message: the policy, the queue, one attempt
 * through the relays (submit_relay.c), and the outcome as an exit status,
 * a -bs reply and lines on stderr.  See submit.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "bulk.h"
#include "hint.h"
#include "log.h"
#include "policy.h"
#include "privsep.h"
#include "spool.h"
#include "submit.h"

/* "hint: ..." on a line of its own, when lib/hint has one. */
static void
submit_hint(const struct cfg_relay *r, const struct smtp_result *res,
    struct str *err)
{
	struct str hint = STR_INIT;

	if (hint_for(r, res, &hint))
		str_appendf(err, "hint: %s\n", str_cstr(&hint));
	str_free(&hint);
}

/* Exit status and the -bs reply for the final outcome. */
int
submit_outcome(const struct smtp_result *res, enum smtp_status st,
    struct smtp_reply *reply)
{
	int code = EX_TEMPFAIL;

	switch (st) {
	case SMTP_SENT:
		code = EX_OK;
		break;
	case SMTP_AUTHFAIL:
		code = EX_NOPERM;
		break;
	case SMTP_PERM:
		code = res->stage == SMTP_STAGE_RCPT ? EX_NOUSER : EX_UNAVAILABLE;
		break;
	default:
		code = EX_TEMPFAIL;
	}
	if (reply == NULL)
		return code;
	if (st == SMTP_SENT)
		smtp_reply_make(reply, 250, "2.0.0", "Ok: sent");
	else if (st == SMTP_PERM && smtp_reply_esc_is(&res->reply, 5, 3, 4))
		/* Too big for the relay: the client may split or shrink it. */
		smtp_reply_make(reply, 552, "5.3.4", "Refused: %.900s",
		    str_cstr(&res->text));
	else if (st == SMTP_PERM)
		smtp_reply_make(reply, 554, "5.0.0", "Refused: %.900s",
		    str_cstr(&res->text));
	else
		smtp_reply_make(reply, 451, "4.3.0", "Not sent, try again "
		    "later: %.900s", str_cstr(&res->text));
	/* The relay's text may carry bytes a reply cannot: say less then. */
	if (reply->code == 0)
		smtp_reply_make(reply, st == SMTP_PERM ? 554 : 451,
		    st == SMTP_PERM ? "5.0.0" : "4.3.0", "%s",
		    st == SMTP_PERM ? "Refused by the relay" :
		    "Not sent, try again later");
	return code;
}

/*
 * bulk_copies = first: the batches in the queue directory's bulk.state,
 * opened by the helper when the shim is setgid, shared by every sender
 * on the host under the file's lock.  A failure is logged and sends.
 */
static bool
submit_bulk_claim(void *arg, const uint64_t *keys, bool *first, size_t n,
    unsigned window_s)
{
	struct submit *s = arg;
	struct str err = STR_INIT;
	int fd, rc;

	if (s->privsep != NULL)
		rc = privsep_bulk(s->privsep, &fd, &err);
	else
		rc = bulk_open(s->cfg->queue_dir, &fd, &err);
	if (rc == BULK_OK)
		rc = bulk_claim_fd(fd, keys, first, n,
		    (long long)window_s * 1000, &err);
	if (rc != BULK_OK)
		log_warning("%s: %s; every copy is sent",
		    str_cstr(&s->queue_id), str_cstr(&err));
	str_free(&err);
	return rc == BULK_OK;
}

/*
 * The message policy, as the milter applies it (lib/policy.h).  The login
 * is the username of the matching [account] or of the first enabled
 * relay.  Returns -1 to go on sending, else the exit status.
 */
static int
submit_policy(struct submit *s, struct smtp_reply *reply, struct str *err)
{
	const struct policy_bulk bulk = { submit_bulk_claim, s };
	struct policy_result res;
	struct policy_msg pm;
	int code = -1;

	memset(&pm, 0, sizeof(pm));
	pm.env = &s->env;
	pm.bcc = &s->bcc;
	pm.bulk = &bulk;
	pm.hdr = &s->hdr;
	pm.login = NULL;
	policy_result_init(&res);
	policy_run(s->cfg, &pm, &res);
	if (res.actions.len > 0)
		log_info("%s: policy: %s", str_cstr(&s->queue_id),
		    str_cstr(&res.actions));
	switch (res.verdict) {
	case POLICY_REJECT:
	case POLICY_TEMPFAIL:
		str_appendz(err, "refused by the message policy: ");
		smtp_reply_describe(&res.reply, err);
		str_appendc(err, '\n');
		code = res.verdict == POLICY_REJECT ? EX_UNAVAILABLE :
		    EX_TEMPFAIL;
		if (reply != NULL) {
			char esc[SMTP_REPLY_ESC_SIZE];

			smtp_reply_make(reply, res.reply.code,
			    smtp_reply_esc(&res.reply, esc) ? esc : NULL, "%s",
			    str_cstr(&res.reply.text));
		}
		break;
	case POLICY_DISCARD:
		log_info("%s: discarded: no recipient left after exclude",
		    str_cstr(&s->queue_id));
		if (reply != NULL)
			smtp_reply_make(reply, 250, "2.0.0", "Ok: discarded by "
			    "policy");
		code = EX_OK;
		break;
	default:
		break;
	}
	policy_result_free(&res);
	return code;
}

void
submit_result_free(struct submit_result *r)
{
	size_t i;

	for (i = 0; i < r->nreplies; i++)
		smtp_reply_free(&r->replies[i]);
	free(r->replies);
	smtp_result_free(&r->res);
	memset(r, 0, sizeof(*r));
}

enum submit_rcpt_state
submit_rcpt_state(const struct submit_result *r, size_t i)
{
	const struct smtp_reply *rr = &r->replies[i];

	if (r->st == SMTP_SENT && smtp_reply_ok(rr))
		return SUBMIT_RCPT_SENT;
	if (smtp_reply_is_perm(rr))
		return SUBMIT_RCPT_REFUSED;
	/* Refused with the whole message (5xx to MAIL or DATA). */
	if (r->st == SMTP_PERM && !smtp_reply_is_temp(rr))
		return SUBMIT_RCPT_REFUSED;
	return SUBMIT_RCPT_DEFERRED;
}

const struct smtp_reply *
submit_rcpt_reply(const struct submit_result *r, size_t i)
{
	const struct smtp_reply *rr = &r->replies[i];

	/* Accepted at RCPT, then refused with the whole message at DATA
	   or after the data: that reply is why, not the RCPT's 250. */
	if (smtp_reply_ok(rr) && submit_rcpt_state(r, i) != SUBMIT_RCPT_SENT &&
	    r->res.reply.code != 0)
		return &r->res.reply;
	return rr;
}

void
submit_keep_deferred(const struct submit_result *r, struct envelope *env)
{
	size_t i;

	strvec_clear(&env->rcpts);
	for (i = 0; i < r->nreplies; i++)
		if (submit_rcpt_state(r, i) == SUBMIT_RCPT_DEFERRED)
			envelope_add_rcpt(env, r->env->rcpts.v[i]);
}

/* Name each recipient that did not get the message, with the reply. */
static void
submit_name_rcpts(const struct submit_result *r, bool queued, struct str *err)
{
	size_t i;

	for (i = 0; i < r->nreplies; i++) {
		const struct smtp_reply *rr = submit_rcpt_reply(r, i);
		enum submit_rcpt_state state = submit_rcpt_state(r, i);

		if (state == SUBMIT_RCPT_SENT || rr->code == 0)
			continue;
		str_appendf(err, "recipient <%s> %s: ", r->env->rcpts.v[i],
		    state == SUBMIT_RCPT_REFUSED ? "refused" : queued ?
		    "deferred (queued, will be retried)" :
		    "deferred (not sent)");
		smtp_reply_describe(rr, err);
		str_appendc(err, '\n');
	}
}

/*
 * Sent, but some recipients refused: as sendmail does, the sender (or
 * error_address) is told in a notice as well as on stderr.
 */
static void
submit_notice_refused(const struct submit *s, const struct submit_result *r)
{
	struct submit_notice n;

	memset(&n, 0, sizeof(n));
	n.id = str_cstr(&s->queue_id);
	n.sender = s->env.sender;
	n.envid = s->env.dsn_envid;
	n.dsn_notify = s->env.dsn_notify;
	n.arrival = (long long)time(NULL);
	submit_notice(s, r, &n);
}

/* The whole message (header, then body) into the queue, committed; m
   stays locked. */
static int
submit_spool(struct submit *s, const struct str *header, struct spool *sp,
    struct spool_msg *m, struct spool_env *e, struct str *err)
{
	char buf[65536];
	size_t n;
	int rc;

	if (s->privsep != NULL)
		privsep_spool_open(sp, s->privsep, s->cfg->queue_dir);
	else if ((rc = spool_open(sp, s->cfg->queue_dir, err)) != SPOOL_OK)
		return rc;
	/* min_free_space: refused before a byte is written. */
	sp->min_free = s->cfg->min_free_space;
	sp->need = header->len + s->body.size;
	if ((rc = spool_create(sp, str_cstr(&s->queue_id), m, err)) !=
	    SPOOL_OK) {
		spool_close(sp);
		return rc;
	}
	spool_env_init(e);
	e->id = xstrdup(str_cstr(&s->queue_id));
	envelope_copy(&e->env, &s->env);
	e->created = (long long)time(NULL);
	/* [queue] delay: the queue runner leaves it alone until then. */
	e->next_try = e->created + (long long)s->cfg->delay;
	e->hdr_len = header->len;
	fwrite(header->data, 1, header->len, m->fp);
	msgbody_rewind(&s->body);
	while ((n = fread(buf, 1, sizeof(buf), s->body.fp)) > 0)
		if (fwrite(buf, 1, n, m->fp) != n)
			break;
	if (ferror(s->body.fp) || ferror(m->fp)) {
		int en = errno ? errno : EIO;

		str_appendf(err, "writing queue file %s in %s: %s", e->id,
		    s->cfg->queue_dir, strerror(en));
		if (en == ENOSPC || en == EDQUOT)
			str_appendz(err, " (the queue's file system is full)");
		rc = en == ENOSPC || en == EDQUOT ? SPOOL_ENOSPC : SPOOL_EIO;
	} else
		rc = spool_commit(sp, m, e, err);
	if (rc != SPOOL_OK) {
		spool_abandon(sp, m);
		spool_env_free(e);
		spool_close(sp);
	}
	return rc;
}

/*
 * After the first attempt of a spooled message: drop the recipients that
 * are done, keep the deferred ones for the queue runner.  Returns true
 * when the message stays queued.
 */
static bool
submit_requeue(struct submit *s, struct spool *sp, struct spool_env *e,
    const struct submit_result *r, struct str *err)
{
	struct str werr = STR_INIT;
	long long now = (long long)time(NULL);
	bool kept;

	/* A permanent refusal is final for every recipient, even one
	   whose RCPT was answered 4xx. */
	if (r->st == SMTP_PERM)
		strvec_clear(&e->env.rcpts);
	else
		submit_keep_deferred(r, &e->env);
	if (spool_reschedule(sp, e, &s->cfg->retry, now, r->res.text.data,
	    r->res.text.len, r->relay ? r->relay->name : NULL, &kept, &werr) !=
	    SPOOL_OK) {
		/* The old envelope (every recipient) stays: a duplicate at
		   worst, never a loss. */
		if (kept)
			str_appendf(err, "queue: %s\n", str_cstr(&werr));
		log_error("%s: %s", e->id, str_cstr(&werr));
	}
	str_free(&werr);
	return kept;
}

int
submit_send(struct submit *s, struct smtp_reply *reply, struct str *err)
{
	struct submit_result r;
	struct submit_conn conn;
	struct spool sp;
	struct spool_msg m;
	struct spool_env e;
	struct str serr = STR_INIT, header = STR_INIT;
	bool spooled = false, queued = false;
	int code, src = SPOOL_OK;

	if ((code = submit_policy(s, reply, err)) >= 0)
		return code;
	/* The header is final now: the queue and the relays get this. */
	hdr_write(&s->hdr, &header);
	hdr_write_separator(&s->hdr, &header);
	submit_mail_params(s, header.len);
	/* A test mail says what the relay did, now: nothing is queued. */
	if (s->cfg->queue_mode != CFG_QUEUE_NEVER && !s->test_mail) {
		src = submit_spool(s, &header, &sp, &m, &e, &serr);
		spooled = src == SPOOL_OK;
		if (!spooled)
			log_error("%s: cannot queue: %s", str_cstr(&s->queue_id),
			    str_cstr(&serr));
	}
	/*
	 * With [queue] delay nothing is sent now, whatever the mode: the
	 * message waits in the queue, where --delete can still reach it,
	 * and the queue runner sends it when the delay is over.  A test
	 * mail is never queued: it is the relay's answer that counts.
	 */
	if ((s->cfg->queue_mode == CFG_QUEUE_ALWAYS || s->cfg->delay > 0) &&
	    !s->test_mail) {
		if (!spooled) {
			str_appendf(err, "the message cannot be queued: %s\n",
			    str_cstr(&serr));
			str_free(&serr);
			str_free(&header);
			if (reply != NULL)
				smtp_reply_make(reply, 451, "4.3.0", "cannot queue "
				    "the message");
			return spool_exitcode(src);
		}
		log_info("%s: from=<%s>, nrcpt=%zu, status=queued%s",
		    str_cstr(&s->queue_id), s->env.sender, s->env.rcpts.n,
		    s->cfg->delay > 0 ? " ([queue] delay)" : "");
		if (reply != NULL)
			smtp_reply_make(reply, 250, "2.0.0", "Ok: queued as %s",
			    str_cstr(&s->queue_id));
		spool_env_free(&e);
		spool_release(&m);
		spool_close(&sp);
		str_free(&header);
		return EX_OK;
	}
	/*
	 * A spooled message is re-sent by the queue runner until its envelope
	 * says otherwise, so the envelope is updated as soon as the server's
	 * reply to the data is in, and QUIT waits until after that: a crash
	 * or a kill while a slow server answers QUIT must not send it again.
	 */
	memset(&conn, 0, sizeof(conn));
	if (spooled && s->conn == NULL)
		s->conn = &conn;
	submit_deliver(s, &header, &r);
	code = submit_outcome(&r.res, r.st, reply);
	if (spooled) {
		queued = submit_requeue(s, &sp, &e, &r, err);
		spool_env_free(&e);
		spool_release(&m);
		spool_close(&sp);
	}
	if (s->conn == &conn) {
		submit_conn_close(&conn);
		s->conn = NULL;
	}
	if (r.st == SMTP_SENT) {
		submit_name_rcpts(&r, queued, err);
		if (!s->test_mail)
			submit_notice_refused(s, &r);
	} else if (queued) {
		/* Safe on disk: the caller is done; settings problems are
		   worth a word on stderr all the same. */
		code = EX_OK;
		if (reply != NULL)
			smtp_reply_make(reply, 250, "2.0.0", "Ok: queued as %s",
			    str_cstr(&s->queue_id));
		log_info("%s: status=queued (%s)", str_cstr(&s->queue_id),
		    str_cstr(&r.res.text));
		if (r.st == SMTP_AUTHFAIL || r.st == SMTP_TLSFAIL) {
			str_appendf(err, "warning: queued, but the relay "
			    "settings need fixing: relay %s: %s\n", r.relay ?
			    r.relay->name : "none", str_cstr(&r.res.text));
			submit_hint(r.relay, &r.res, err);
		}
	} else {
		if (r.relay != NULL)
			str_appendf(err, "relay %s: ", r.relay->name);
		str_appends(err, &r.res.text);
		str_appendc(err, '\n');
		submit_hint(r.relay, &r.res, err);
		if (src != SPOOL_OK && r.st != SMTP_PERM)
			str_appendf(err, "the message could not be queued "
			    "either: %s\n", str_cstr(&serr));
		if (r.st == SMTP_PERM)
			submit_name_rcpts(&r, false, err);
	}
	submit_result_free(&r);
	str_free(&serr);
	str_free(&header);
	return code;
}

int
submit_test_relay(const struct cfg *cfg, const char *name,
    const struct cfg_relay **out, struct str *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < cfg->nrelays && *out == NULL; i++)
		if (name != NULL ? strcmp(cfg->relays[i].name, name) == 0 :
		    cfg->relays[i].enabled)
			*out = &cfg->relays[i];
	if (*out != NULL)
		return SUBMIT_OK;
	if (name == NULL)
		str_appendf(err, "no relay is enabled in %s; test one by name "
		    "with --relay NAME; the relays are: ", cfg->path);
	else {
		str_appendz(err, "--relay ");
		str_append_escaped(err, name, strlen(name));
		str_appendf(err, ": no such relay in %s; the relays are: ",
		    cfg->path);
	}
	for (i = 0; i < cfg->nrelays; i++)
		str_appendf(err, "%s%s%s", i ? ", " : "", cfg->relays[i].name,
		    cfg->relays[i].enabled ? "" : " (disabled)");
	if (cfg->nrelays == 0)
		str_appendz(err, "none");
	return name == NULL ? SUBMIT_ECONFIG : SUBMIT_EUSAGE;
}

int
submit_exitcode(int rc)
{
	switch (rc) {
	case SUBMIT_OK: return EX_OK;
	case SUBMIT_EUSAGE: return EX_USAGE;
	case SUBMIT_EDATA: return EX_DATAERR;
	case SUBMIT_ENOUSER: return EX_NOUSER;
	case SUBMIT_ECONFIG: return EX_CONFIG;
	/* A refusal for good, like a relay's 552, not malformed data. */
	case SUBMIT_ETOOBIG: return EX_UNAVAILABLE;
	default: return EX_TEMPFAIL;
	}
}
