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

#include "dsn.h"
#include "log.h"
#include "queue.h"
#include "smopt.h"
#include "spool.h"
#include "submit.h"

static bool
queue_contains(const char *hay, const char *needle)
{
	return needle == NULL || strcasestr(hay, needle) != NULL;
}

static bool
queue_selected(const struct spool_env *e, const struct queue_filter *f,
    long long now)
{
	size_t i;
	bool rcpt = f->rcpt == NULL;

	if (f->due_only && e->next_try > now)
		return false;
	if (!queue_contains(e->sender, f->sender))
		return false;
	for (i = 0; i < e->nrcpts && !rcpt; i++)
		rcpt = queue_contains(e->rcpts[i], f->rcpt);
	return rcpt;
}

/* The queued message as a struct submit, reading from the locked file. */
static int
queue_load(const struct queue_env *qe, struct spool_msg *m,
    const struct spool_env *e, struct submit *s, struct submit_conn *conn,
    struct str *err)
{
	size_t i;

	submit_init(s, qe->cfg, NULL, NULL, qe->hostname, qe->user);
	str_setz(&s->queue_id, e->id);
	s->sender = xstrdup(e->sender);
	s->rcpts = xcalloc(e->nrcpts, sizeof(*s->rcpts));
	for (i = 0; i < e->nrcpts; i++)
		s->rcpts[s->nrcpts++] = xstrdup(e->rcpts[i]);
	s->queued_message = true;
	s->conn = conn;
	s->trace = qe->trace;
	s->trace_arg = qe->trace_arg;
	s->smtputf8 = e->smtputf8;
	s->dsn_notify = e->dsn_notify;
	s->dsn_ret = e->dsn_ret;
	s->dsn_envid = e->dsn_envid;
	/* The header is parsed for notices only: the whole file, header
	   included, is sent as it is. */
	if (hdr_read(&s->hdr, m->fp, NULL, err) != HDR_OK &&
	    !(s->hdr.flags & HDR_F_NOTHEADER)) {
		str_appendz(err, " (queued message header)");
		return -1;
	}
	s->body.fp = m->fp;
	s->body.start = 0;
	s->body.size = e->size;
	s->body.eight_bit = e->eight_bit;
	return 0;
}

static void	queue_notify(const struct queue_env *, const struct spool_env *,
		    const char *, const struct dsn_rcpt *, size_t, bool,
		    const struct str *);

/* Notice about the recipients that failed for good. */
static void
queue_bounce(const struct queue_env *qe, const struct spool_env *e,
    const struct submit *s, const struct submit_result *r, bool given_up,
    const char *why)
{
	struct dsn_rcpt *rc = NULL;
	struct str hdr = STR_INIT, rs = STR_INIT;
	size_t i, n = 0;

	for (i = 0; i < r->env.nrcpts; i++) {
		const struct smtp_reply *reply = &r->env.rcpts[i].reply;
		enum submit_rcpt_state st = submit_rcpt_state(r, i);

		if (st == SUBMIT_RCPT_SENT || (st == SUBMIT_RCPT_DEFERRED &&
		    !given_up))
			continue;
		str_reset(&rs);
		if (reply->code != 0)
			smtp_reply_describe(reply, &rs);
		else
			str_appends(&rs, &r->res.text);
		if (given_up)
			str_appendf(&rs, " (%s)", why);
		rc = xreallocarray(rc, n + 1, sizeof(*rc));
		rc[n].addr = r->env.rcpts[i].addr;
		rc[n].reply = reply->code != 0 ? reply : NULL;
		rc[n++].why = str_detach(&rs);
	}
	if (n > 0) {
		hdr_write(&s->hdr, &hdr);
		queue_notify(qe, e, r->relay ? r->relay->host : NULL, rc, n,
		    given_up, &hdr);
	}
	for (i = 0; i < n; i++)
		free((char *)rc[i].why);
	free(rc);
	str_free(&hdr);
	str_free(&rs);
}

/* One locked message: send, then update or remove its envelope. */
static void
queue_one(const struct queue_env *qe, struct spool *sp, struct spool_msg *m,
    struct spool_env *e, struct submit_conn *conn, struct queue_stats *st)
{
	struct submit s;
	struct submit_result r;
	struct str err = STR_INIT;
	long long now = (long long)time(NULL);
	bool expired;
	size_t i;

	st->tried++;
	if (queue_load(qe, m, e, &s, conn, &err) != 0) {
		log_error("%s: %s", e->id, str_cstr(&err));
		st->damaged++;
		s.body.fp = NULL;
		submit_free(&s);
		str_free(&err);
		return;
	}
	submit_deliver(&s, &r);
	expired = now - e->created >= (long long)qe->cfg->max_age;
	for (i = 0; i < e->nrcpts; i++)
		free(e->rcpts[i]);
	e->nrcpts = 0;
	for (i = 0; i < r.env.nrcpts; i++)
		if (submit_rcpt_state(&r, i) == SUBMIT_RCPT_DEFERRED && !expired)
			spool_env_add_rcpt(e, r.env.rcpts[i].addr);
	queue_bounce(qe, e, &s, &r, expired, "given up after the message "
	    "was in the queue longer than [queue] max_age");
	if (e->nrcpts == 0) {
		if (spool_remove(sp, e->id, &err) != SPOOL_OK)
			log_error("%s: %s", e->id, str_cstr(&err));
		if (r.st == SMTP_SENT && !expired)
			st->sent++;
		else
			st->bounced++;
	} else {
		e->attempts++;
		e->next_try = submit_next_try(qe->cfg, e->attempts, now);
		spool_env_set_error(e, r.res.text.data ? r.res.text.data : "",
		    r.res.text.len);
		free(e->relay);
		e->relay = r.relay ? xstrdup(r.relay->name) : NULL;
		if (spool_env_write(sp, e, &err) != SPOOL_OK)
			log_error("%s: %s", e->id, str_cstr(&err));
		st->deferred++;
	}
	submit_result_free(&r);
	s.body.fp = NULL;	/* the spool owns the file */
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
	char **ids;
	size_t n, i;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&conn, 0, sizeof(conn));
	if ((rc = spool_open(&sp, qe->cfg->queue_dir, err)) != SPOOL_OK)
		return spool_exitcode(rc);
	if ((rc = spool_list(&sp, &ids, &n, err)) != SPOOL_OK) {
		spool_close(&sp);
		return spool_exitcode(rc);
	}
	for (i = 0; i < n; i++) {
		if (f->id != NULL && strcmp(f->id, ids[i]) != 0)
			continue;
		str_reset(&lerr);
		rc = spool_lock(&sp, ids[i], &m, &lerr);
		if (rc == SPOOL_EBUSY) {
			st->busy++;
			continue;
		}
		if (rc != SPOOL_OK)
			continue;	/* delivered by someone else meanwhile */
		if (spool_env_read(&sp, ids[i], &e, &lerr) != SPOOL_OK) {
			log_error("%s: damaged queue entry left alone: %s", ids[i],
			    str_cstr(&lerr));
			st->damaged++;
		} else if (queue_selected(&e, f, (long long)time(NULL)))
			queue_one(qe, &sp, &m, &e, &conn, st);
		spool_env_free(&e);
		spool_release(&m);
	}
	st->connections_reused = conn.reused;
	submit_conn_close(&conn);
	spool_list_free(ids, n);
	spool_close(&sp);
	str_free(&lerr);
	return EX_OK;
}

int
queue_list(const struct cfg *cfg, struct str *out, struct str *err)
{
	struct spool sp;
	struct spool_env e;
	struct str lerr = STR_INIT;
	unsigned long long total = 0;
	char **ids;
	size_t n, i, k, shown = 0;
	struct stat stt;
	int rc;

	if (stat(cfg->queue_dir, &stt) == -1 && errno == ENOENT) {
		str_appendz(out, "Mail queue is empty\n");
		return EX_OK;
	}
	if ((rc = spool_open(&sp, cfg->queue_dir, err)) != SPOOL_OK)
		return spool_exitcode(rc);
	if ((rc = spool_list(&sp, &ids, &n, err)) != SPOOL_OK) {
		spool_close(&sp);
		return spool_exitcode(rc);
	}
	for (i = 0; i < n; i++) {
		char when[64];
		time_t t;

		str_reset(&lerr);
		if (spool_env_read(&sp, ids[i], &e, &lerr) != SPOOL_OK)
			continue;	/* gone meanwhile, or damaged */
		if (shown++ == 0)
			str_appendz(out, "-Queue ID-             --Size-- "
			    "----Arrival Time---- -Sender/Recipient-------\n");
		t = (time_t)e.created;
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S",
		    localtime(&t));
		str_appendf(out, "%-22s %8llu %s  %s\n", e.id, e.size, when,
		    *e.sender ? e.sender : "MAILER-DAEMON");
		if (e.last_error != NULL)
			str_appendf(out, "%54s(%s)\n", "", e.last_error);
		for (k = 0; k < e.nrcpts; k++)
			str_appendf(out, "%54s%s\n", "", e.rcpts[k]);
		str_appendc(out, '\n');
		total += e.size;
		spool_env_free(&e);
	}
	if (shown == 0)
		str_appendz(out, "Mail queue is empty\n");
	else
		str_appendf(out, "-- %llu Kbytes in %zu Request%s.\n",
		    (total + 1023) / 1024, shown, shown == 1 ? "" : "s");
	spool_list_free(ids, n);
	spool_close(&sp);
	str_free(&lerr);
	return EX_OK;
}

/*
 * Tell whoever should know that rcpts did not get message e, in an RFC 3464
 * report sent like any message, from the null sender so it cannot loop.
 */
static void
queue_notify(const struct queue_env *qe, const struct spool_env *e,
    const char *remote, const struct dsn_rcpt *rcpts, size_t n,
    bool given_up, const struct str *orig_header)
{
	const char *to = qe->cfg->error_address ? qe->cfg->error_address :
	    e->sender;
	struct dsn_report d;
	struct str text = STR_INIT, err = STR_INIT;
	struct submit s;
	const char *id = e->id;
	FILE *in;
	int rc;

	if (to == NULL || *to == '\0') {
		log_warning("%s: %zu recipient(s) failed; the null sender gets "
		    "no notice and no error_address is set", id, n);
		return;
	}
	/* -N: the sender asked for no failure notice (NEVER, or only
	   SUCCESS/DELAY).  The administrators' error_address still gets it. */
	if (qe->cfg->error_address == NULL && e->dsn_notify != 0 &&
	    !(e->dsn_notify & SMOPT_NOTIFY_FAILURE)) {
		log_info("%s: %zu recipient(s) failed; no notice to <%s>, "
		    "who asked for none (-N)", id, n, to);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.host = qe->hostname;
	d.queue_id = id;
	d.to = to;
	d.envid = e->dsn_envid;
	d.remote = remote;
	d.arrival = (time_t)e->created;
	d.now = time(NULL);
	d.given_up = given_up;
	d.rcpts = rcpts;
	d.nrcpts = n;
	d.header = orig_header;
	dsn_build(&d, &text);
	if ((in = fmemopen(text.data, text.len, "r")) == NULL) {
		log_error("%s: cannot build the notice", id);
		str_free(&text);
		return;
	}
	submit_init(&s, qe->cfg, NULL, NULL, qe->hostname, qe->user);
	rc = submit_read_envelope(&s, "", (char *const *)&to, 1, in, &err);
	if (rc == SUBMIT_OK)
		rc = submit_send(&s, NULL, &err);
	else
		rc = submit_exitcode(rc);
	fclose(in);
	if (rc == 0)
		log_info("%s: notice %s sent to <%s> about %zu recipient(s)", id,
		    str_cstr(&s.queue_id), to, n);
	else
		log_error("%s: the notice to <%s> failed: %s", id, to,
		    str_cstr(&err));
	submit_free(&s);
	str_free(&text);
	str_free(&err);
}
