/*
 * queue - running and listing the spool; notices.  See queue.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "queue.h"
#include "spool.h"
#include "submit.h"

static bool
queue_contains(const char *hay, const char *needle)
{
	return needle == NULL || strcasestr(hay, needle) != NULL;
}

bool
queue_selected(const struct spool_env *e, const struct queue_filter *f,
    long long now)
{
	size_t i;
	bool rcpt = f->rcpt == NULL;

	if (f->due_only && e->next_try > now)
		return false;
	/* -q too leaves a message alone within its [queue] delay (never
	   tried, not yet due): that window is for --delete, and a -q run
	   by a cron job must not close it. */
	if (e->attempts == 0 && e->next_try > now)
		return false;
	if (!queue_contains(e->env.sender, f->sender))
		return false;
	for (i = 0; i < e->env.rcpts.n && !rcpt; i++)
		rcpt = queue_contains(e->env.rcpts.v[i], f->rcpt);
	return rcpt;
}

/* The queue through the helper, or directly. */
static int
queue_open(const struct cfg *cfg, struct privsep *ps, struct spool *sp,
    struct str *err)
{
	if (ps == NULL)
		return spool_open(sp, cfg->queue_dir, err);
	privsep_spool_open(sp, ps, cfg->queue_dir);
	return SPOOL_OK;
}

/*
 * The queued message as a struct submit: its envelope, and the locked
 * file (header included) as the body, which stays the spool's.
 */
static int
queue_load(const struct queue_env *qe, struct spool_msg *m,
    const struct spool_env *e, struct submit *s, struct submit_conn *conn,
    struct str *err)
{
	submit_init(s, qe->cfg, NULL, NULL, qe->hostname, qe->user);
	str_setz(&s->queue_id, e->id);
	envelope_copy(&s->env, &e->env);
	s->privsep = qe->privsep;
	s->conn = conn;
	s->trace = qe->trace;
	s->trace_arg = qe->trace_arg;
	/* The header is parsed for notices only: the whole file, header
	   included, is sent as it is. */
	if (hdr_read(&s->hdr, m->fp, NULL, err) != HDR_OK &&
	    !(s->hdr.flags & HDR_F_NOTHEADER)) {
		str_appendz(err, " (queued message header)");
		return -1;
	}
	msgbody_borrow(&s->body, m->fp, e->env.size, e->env.eight_bit);
	submit_mail_params(s, 0);
	return 0;
}

/* One locked message: send, then update or remove its envelope. */
static void
queue_one(const struct queue_env *qe, struct spool *sp, struct spool_msg *m,
    struct spool_env *e, struct submit_conn *conn, struct queue_stats *st)
{
	struct submit s;
	struct submit_result r;
	struct submit_notice n;
	struct str err = STR_INIT;
	long long now = (long long)time(NULL);
	bool expired, kept;

	st->tried++;
	if (queue_load(qe, m, e, &s, conn, &err) != 0) {
		log_error("%s: %s", e->id, str_cstr(&err));
		st->damaged++;
		submit_free(&s);
		str_free(&err);
		return;
	}
	submit_deliver(&s, NULL, &r);
	expired = now - e->created >= (long long)qe->cfg->max_age;
	if (expired)
		strvec_clear(&e->env.rcpts);
	else
		submit_keep_deferred(&r, &e->env);
	memset(&n, 0, sizeof(n));
	n.id = e->id;
	n.sender = e->env.sender;
	n.envid = e->env.dsn_envid;
	n.dsn_notify = e->env.dsn_notify;
	n.arrival = e->created;
	n.given_up = expired;
	n.why = "given up after the message was in the queue longer than "
	    "[queue] max_age";
	submit_notice(&s, &r, &n);
	if (spool_reschedule(sp, e, &qe->cfg->retry, now, r.res.text.data,
	    r.res.text.len, r.relay ? r.relay->name : NULL, &kept, &err) !=
	    SPOOL_OK)
		log_error("%s: %s", e->id, str_cstr(&err));
	if (kept)
		st->deferred++;
	else if (r.st == SMTP_SENT && !expired)
		st->sent++;
	else
		st->bounced++;
	submit_result_free(&r);
	submit_free(&s);
	str_free(&err);
}

int
queue_run(const struct queue_env *qe, const struct queue_filter *f,
    struct queue_stats *st, struct str *err)
{
	struct spool sp;
	struct spool_msg m;
	struct spool_env e;
	struct submit_conn conn;
	struct str lerr = STR_INIT;
	struct strvec ids = STRVEC_INIT;
	size_t i;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&conn, 0, sizeof(conn));
	if ((rc = queue_open(qe->cfg, qe->privsep, &sp, err)) != SPOOL_OK)
		return spool_exitcode(rc);
	if ((rc = spool_list(&sp, &ids, NULL, err)) != SPOOL_OK) {
		strvec_free(&ids);
		spool_close(&sp);
		return spool_exitcode(rc);
	}
	for (i = 0; i < ids.n; i++) {
		if (f->id != NULL && strcmp(f->id, ids.v[i]) != 0)
			continue;
		str_reset(&lerr);
		rc = spool_lock(&sp, ids.v[i], &m, &lerr);
		if (rc == SPOOL_EBUSY) {
			st->busy++;
			continue;
		}
		if (rc != SPOOL_OK)
			continue;	/* delivered by someone else meanwhile,
					   or not this caller's */
		if (spool_env_read(&sp, ids.v[i], &e, &lerr) != SPOOL_OK) {
			log_error("%s: damaged queue entry left alone: %s",
			    ids.v[i], str_cstr(&lerr));
			st->damaged++;
		} else if (queue_selected(&e, f, (long long)time(NULL)))
			queue_one(qe, &sp, &m, &e, &conn, st);
		spool_env_free(&e);
		spool_release(&m);
	}
	st->connections_reused = conn.reused;
	submit_conn_close(&conn);
	strvec_free(&ids);
	spool_close(&sp);
	str_free(&lerr);
	return EX_OK;
}

int
queue_list(const struct cfg *cfg, struct privsep *ps, struct str *out,
    struct str *err)
{
	struct spool sp;
	struct spool_env e;
	struct str lerr = STR_INIT;
	unsigned long long total = 0;
	struct strvec ids = STRVEC_INIT;
	size_t i, k, shown = 0, hidden = 0;
	struct stat stt;
	int rc;

	/* Listing directly creates no queue. */
	if (ps == NULL && stat(cfg->queue_dir, &stt) == -1 && errno == ENOENT) {
		str_appendz(out, "Mail queue is empty\n");
		return EX_OK;
	}
	if ((rc = queue_open(cfg, ps, &sp, err)) != SPOOL_OK)
		return spool_exitcode(rc);
	if ((rc = spool_list(&sp, &ids, &hidden, err)) != SPOOL_OK) {
		strvec_free(&ids);
		spool_close(&sp);
		return spool_exitcode(rc);
	}
	for (i = 0; i < ids.n; i++) {
		char when[64];
		time_t t;

		str_reset(&lerr);
		if (spool_env_read(&sp, ids.v[i], &e, &lerr) != SPOOL_OK)
			continue;	/* gone meanwhile, or damaged */
		if (shown++ == 0)
			str_appendz(out, "-Queue ID-             --Size-- "
			    "----Arrival Time---- -Sender/Recipient-------\n");
		t = (time_t)e.created;
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S",
		    localtime(&t));
		str_appendf(out, "%-22s %8llu %s  %s\n", e.id, e.env.size, when,
		    *e.env.sender ? e.env.sender : "MAILER-DAEMON");
		if (e.last_error != NULL)
			str_appendf(out, "%54s(%s)\n", "", e.last_error);
		t = (time_t)e.next_try;
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S",
		    localtime(&t));
		str_appendf(out, "%54s(%u attempt%s; next %s)\n", "",
		    e.attempts, e.attempts == 1 ? "" : "s", when);
		for (k = 0; k < e.env.rcpts.n; k++)
			str_appendf(out, "%54s%s\n", "", e.env.rcpts.v[k]);
		str_appendc(out, '\n');
		total += e.env.size;
		spool_env_free(&e);
	}
	if (shown == 0)
		str_appendz(out, hidden == 0 ? "Mail queue is empty\n" :
		    "You have no messages in the queue\n");
	else
		str_appendf(out, "-- %llu Kbytes in %zu Request%s.\n",
		    (total + 1023) / 1024, shown, shown == 1 ? "" : "s");
	if (hidden > 0)
		str_appendf(out, "-- %zu more message%s of other users, not "
		    "shown ([queue] mailq_shows_all)\n", hidden, hidden == 1 ?
		    "" : "s");
	strvec_free(&ids);
	spool_close(&sp);
	str_free(&lerr);
	return EX_OK;
}

/* One message: locked (so no one is sending it), then removed. */
static int
queue_delete_one(struct spool *sp, const char *id, bool all,
    struct str *out, size_t *removed)
{
	struct spool_msg m;
	struct str lerr = STR_INIT;
	int rc, code = EX_OK;

	rc = spool_lock(sp, id, &m, &lerr);
	if (rc == SPOOL_OK) {
		if ((rc = spool_remove(sp, id, &lerr)) == SPOOL_OK) {
			str_appendf(out, "%s: removed\n", id);
			(*removed)++;
			log_info("%s: removed from the queue by uid %lu", id,
			    (unsigned long)getuid());
		}
		spool_release(&m);
	}
	switch (rc) {
	case SPOOL_OK:
		break;
	case SPOOL_ENOENT:
		str_appendf(out, "%s: not in the queue\n", id);
		code = EX_NOINPUT;
		break;
	case SPOOL_EPERM:
		/* ALL means all of one's own: the others are no error. */
		if (!all)
			str_appendf(out, "%s: not a message of yours; root or "
			    "group smtpgate may remove it\n", id);
		code = all ? EX_OK : EX_NOPERM;
		break;
	case SPOOL_EBUSY:
		str_appendf(out, "%s: being sent right now; try again\n", id);
		code = EX_TEMPFAIL;
		break;
	case SPOOL_EINVAL:
		str_appendf(out, "%s: %s\n", id, str_cstr(&lerr));
		code = spool_id_ok(id, NULL) ? EX_DATAERR : EX_USAGE;
		break;
	default:
		str_appendf(out, "%s: %s\n", id, str_cstr(&lerr));
		code = spool_exitcode(rc);
		break;
	}
	str_free(&lerr);
	return code;
}

int
queue_delete(const struct cfg *cfg, struct privsep *ps,
    const char *const *ids, size_t n, struct str *out, struct str *err)
{
	struct spool sp;
	struct strvec all = STRVEC_INIT;
	size_t i, removed = 0;
	int rc, code = EX_OK, one;
	bool every = n == 1 && strcmp(ids[0], "ALL") == 0;

	if ((rc = queue_open(cfg, ps, &sp, err)) != SPOOL_OK)
		return spool_exitcode(rc);
	if (every) {
		if ((rc = spool_list(&sp, &all, NULL, err)) != SPOOL_OK) {
			strvec_free(&all);
			spool_close(&sp);
			return spool_exitcode(rc);
		}
		ids = (const char *const *)all.v;
		n = all.n;
	}
	for (i = 0; i < n; i++) {
		one = queue_delete_one(&sp, ids[i], every, out, &removed);
		if (code == EX_OK)
			code = one;
	}
	str_appendf(out, "Deleted: %zu message%s\n", removed, removed == 1 ?
	    "" : "s");
	strvec_free(&all);
	spool_close(&sp);
	return code;
}
