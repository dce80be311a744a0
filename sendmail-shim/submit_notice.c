/*
 * submit_notice - tell the sender which recipients did not get a message:
 * an RFC 3464 report (lib/dsn) sent like any message, from the null
 * sender so that it cannot loop.  See submit.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dsn.h"
#include "log.h"
#include "policy.h"
#include "smopt.h"
#include "submit.h"

/*
 * Whom the notice is From.  Where From must match the login, the login the
 * notice will be sent with (error_relay's, when set): MAILER-DAEMON@host
 * would be refused by our own policy (reject), rewritten (rewrite), or
 * refused by the relay, which is why the policy is on.  Otherwise a notice
 * to error_address is From error_address: the administrators' own address
 * passes their filters and is one their relay accepts; and any other is
 * from MAILER-DAEMON@host (NULL).
 */
static const char *
submit_notice_from(const struct cfg *cfg, const char *to)
{
	const char *login;

	if (cfg->from_must_match_login != CFG_MATCH_OFF) {
		login = policy_default_login(cfg, "");
		return login != NULL && strchr(login, '@') != NULL ? login :
		    NULL;
	}
	if (cfg->error_address != NULL && strcasecmp(to,
	    cfg->error_address) == 0)
		return cfg->error_address;
	return NULL;
}

/* Build the report and submit it to to, with s's relays and queue. */
static void
submit_notice_send(const struct submit *s, const struct submit_notice *n,
    const char *to, const struct dsn_rcpt *rcpts, size_t nrcpts,
    const char *remote)
{
	struct dsn_report d;
	struct str text = STR_INIT, err = STR_INIT, hdr = STR_INIT;
	struct submit ns;
	FILE *in;
	int rc;

	memset(&d, 0, sizeof(d));
	hdr_write(&s->hdr, &hdr);
	d.host = s->hostname;
	d.from = submit_notice_from(s->cfg, to);
	d.queue_id = n->id;
	d.to = to;
	d.envid = n->envid;
	d.remote = remote;
	d.arrival = (time_t)n->arrival;
	d.now = time(NULL);
	d.given_up = n->given_up;
	d.rcpts = rcpts;
	d.nrcpts = nrcpts;
	d.header = &hdr;
	dsn_build(&d, &text);
	if ((in = fmemopen(text.data, text.len, "r")) == NULL) {
		log_error("%s: cannot build the notice", n->id);
		goto out;
	}
	submit_init(&ns, s->cfg, NULL, NULL, s->hostname, s->user);
	ns.domain = s->domain;
	ns.privsep = s->privsep;	/* the setgid shim queues through it */
	rc = submit_read_envelope(&ns, "", (char *const *)&to, 1, in, &err);
	if (rc == SUBMIT_OK)
		rc = submit_send(&ns, NULL, &err);
	else
		rc = submit_exitcode(rc);
	fclose(in);
	if (rc == 0)
		log_info("%s: notice %s sent to <%s> about %zu recipient(s)",
		    n->id, str_cstr(&ns.queue_id), to, nrcpts);
	else
		log_error("%s: the notice to <%s> failed: %s", n->id, to,
		    str_cstr(&err));
	submit_free(&ns);
out:
	str_free(&text);
	str_free(&err);
	str_free(&hdr);
}

/* Whether to tell to about k failed recipients; says why not in the log. */
static bool
submit_notice_wanted(const struct cfg *cfg, const struct submit_notice *n,
    const char *to, size_t k)
{
	if (to == NULL || *to == '\0') {
		log_warning("%s: %zu recipient(s) failed; the null sender gets "
		    "no notice and no error_address is set", n->id, k);
		return false;
	}
	/* -N: no failure notice asked for (NEVER, or only SUCCESS or DELAY).
	   The administrators' error_address still gets it. */
	if (cfg->error_address == NULL && n->dsn_notify != 0 &&
	    !(n->dsn_notify & SMTP_NOTIFY_FAILURE)) {
		log_info("%s: %zu recipient(s) failed; no notice to <%s>, "
		    "who asked for none (-N)", n->id, k, to);
		return false;
	}
	return true;
}

void
submit_notice(const struct submit *s, const struct submit_result *r,
    const struct submit_notice *n)
{
	const char *to = s->cfg->error_address ? s->cfg->error_address :
	    n->sender;
	struct dsn_rcpt *rc = NULL;
	struct str rs = STR_INIT;
	size_t i, k = 0;

	for (i = 0; i < r->nreplies; i++) {
		const struct smtp_reply *reply = submit_rcpt_reply(r, i);
		enum submit_rcpt_state st = submit_rcpt_state(r, i);

		if (st == SUBMIT_RCPT_SENT || (st == SUBMIT_RCPT_DEFERRED &&
		    !n->given_up))
			continue;
		str_reset(&rs);
		if (reply->code != 0)
			smtp_reply_describe(reply, &rs);
		else
			str_appends(&rs, &r->res.text);
		if (n->given_up && n->why != NULL)
			str_appendf(&rs, " (%s)", n->why);
		rc = xreallocarray(rc, k + 1, sizeof(*rc));
		rc[k].addr = r->env->rcpts.v[i];
		rc[k].reply = reply->code != 0 ? reply : NULL;
		rc[k++].why = str_detach(&rs);
	}
	if (k > 0 && submit_notice_wanted(s->cfg, n, to, k))
		submit_notice_send(s, n, to, rc, k, r->relay ? r->relay->host :
		    NULL);
	for (i = 0; i < k; i++)
		free((char *)rc[i].why);
	free(rc);
	str_free(&rs);
}
