/*
 * milter_cb - the libmilter callbacks: collect the envelope and header of
 * a message, run the policy at end of message, replay its edits
 * (milter_edits.c, through libmilter here).
 *
 * Policy decisions are taken at end of message only: mail from Postfix's
 * own sendmail reaches non_smtpd_milters, where a rejection at RCPT is a
 * configuration error for Postfix.  The one answer at RCPT is about what a
 * message may cost the milter ([milter] max_recipients, the length of a
 * path), not about policy.  Each message takes a reference to the
 * configuration current at MAIL FROM and keeps it to the end, so a reload
 * never changes the rules under a message in flight.
 *
 * bulk_copies = first: the batches live in one table in memory, shared by
 * every thread under a mutex, bounded and expiring (lib/bulk.h).  It
 * survives a reload; a restart forgets it, which sends the next copy
 * of a batch under way again: never one copy too few.
 *
 * Fail-safe: whatever goes wrong (a libmilter call fails, the header is
 * too big to judge) answers tempfail, never continue: on a test system a
 * message that escapes the policy could reach a real person.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk.h"
#include "hdr.h"
#include "log.h"
#include "milter.h"
#include "milter_edits.h"
#include "policy.h"

/*
 * RFC 5321 4.5.3.1.3: a path is at most 256 octets, angle brackets
 * included.  A longer one is no address any relay takes, and keeping it
 * would let a few recipients hold megabytes of the milter.
 */
#define MILTER_MAX_PATH	256

struct cfg_holder milter_cfg;
bool milter_tcp;

static pthread_mutex_t milter_bulk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bulk_table milter_bulk = { NULL, 0, BULK_MAX_ENTRIES };

/* One per MTA connection; several messages may follow each other. */
struct milter_conn {
	unsigned long steps;	/* SMFIP_* agreed at negotiation */
	struct milter_msg *msg;
};

struct milter_msg {
	struct cfg_ref *ref;
	struct envelope env;	/* as the MTA gives it: "<a@b>" */
	char   *login;
	char   *from;		/* for the log: the sender as received */
	size_t	nrcpts_in;	/* for the log: recipients as received */
	size_t	nrcpts_refused;	/* for the log: too many or too long */
	struct hdr_block hdr;
	size_t	hdr_bytes;
	bool	too_big;
};

static struct milter_conn *
milter_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {	/* an MTA that does not negotiate */
		c = xcalloc(1, sizeof(*c));
		smfi_setpriv(ctx, c);
	}
	return c;
}

static void
milter_msg_free(struct milter_conn *c)
{
	struct milter_msg *m = c ? c->msg : NULL;

	if (m == NULL)
		return;
	cfg_holder_put(&milter_cfg, m->ref);
	envelope_free(&m->env);
	free(m->from);
	free(m->login);
	hdr_free(&m->hdr);
	free(m);
	c->msg = NULL;
}

static sfsistat
milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_CHGFROM;
	/* Steps we do not need, and replies we never give before EOM. */
	const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO |
	    SMFIP_NOBODY | SMFIP_NOEOH | SMFIP_NOUNKNOWN | SMFIP_NODATA;
	/* RCPT is answered: max_recipients and the path length are. */
	const unsigned long noreply = SMFIP_NR_MAIL | SMFIP_NR_HDR;

	struct milter_conn *c = milter_conn(ctx);

	(void)f2;
	(void)f3;
	if ((f0 & actions) != actions) {
		log_error("the MTA does not offer the actions the policy needs "
		    "(offered 0x%lx, need 0x%lx)", f0, actions);
		return SMFIS_REJECT;
	}
	*pf0 = actions;
	/*
	 * Ask for the two macros the policy reads, where it reads them,
	 * instead of the MTA's whole lists: the login at MAIL and the queue
	 * id at end of message.  This also gets the login when a site's
	 * milter_mail_macros leaves {auth_authen} out.
	 */
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		if (smfi_setsymlist(ctx, SMFIM_ENVFROM, "{auth_authen}") !=
		    MI_SUCCESS || smfi_setsymlist(ctx, SMFIM_EOM, "i") !=
		    MI_SUCCESS)
			log_warning("cannot ask the MTA for {auth_authen} and "
			    "i: using its macro lists");
	}
	/*
	 * No replies to MAIL and the header saves a round trip per event on
	 * a unix socket (RCPT is answered, to refuse what is beyond the
	 * limits).  Over TCP it costs more than it saves: the MTA then
	 * writes event after event without waiting, and Nagle holds each
	 * small write until our delayed ACK, 40 ms a message (Postfix does
	 * not set TCP_NODELAY).  A reply per event acknowledges at once.
	 * For the same reason the DATA step stays on over TCP: Postfix's
	 * smtpd writes the DATA macros and then hands the connection to
	 * cleanup, whose first header write would wait for the ACK of those
	 * bytes; answering DATA acknowledges them.
	 */
	*pf1 = (milter_tcp ? skip & ~SMFIP_NODATA : skip | noreply) & f1;
	c->steps = *pf1;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* NOREPLY where it was negotiated, CONTINUE where the MTA wants a reply. */
static sfsistat
milter_go_on(const struct milter_conn *c, unsigned long nr_step)
{
	return c != NULL && (c->steps & nr_step) ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

static sfsistat
milter_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = milter_conn(ctx);
	struct milter_msg *m;
	const char *login;

	milter_msg_free(c);
	m = xcalloc(1, sizeof(*m));
	hdr_init(&m->hdr);
	envelope_init(&m->env);
	m->ref = cfg_holder_get(&milter_cfg);
	envelope_set_sender(&m->env, argv[0] ? argv[0] : "");
	m->from = xstrdup(m->env.sender);
	login = smfi_getsymval(ctx, "{auth_authen}");
	m->login = login && *login ? xstrdup(login) : NULL;
	c->msg = m;
	return milter_go_on(c, SMFIP_NR_MAIL);
}

/* smfi_setreply() reads the text as a format: '%' must be doubled. */
static void
milter_reply(SMFICTX *ctx, const struct smtp_reply *r)
{
	struct str text = STR_INIT;
	char code[8], esc[SMTP_REPLY_ESC_SIZE];
	size_t i;

	for (i = 0; i < r->text.len; i++) {
		char ch = r->text.data[i];

		if (ch == '%')
			str_appendc(&text, '%');
		str_appendc(&text, ch == '\n' || ch == '\r' ? ' ' : ch);
	}
	snprintf(code, sizeof(code), "%d", r->code);
	(void)smfi_setreply(ctx, code, smtp_reply_esc(r, esc) ? esc : NULL,
	    (char *)str_cstr(&text));
	str_free(&text);
}

/* The path as the MTA gave it, without its angle brackets. */
static size_t
milter_path_len(const char *rcpt)
{
	size_t len = strlen(rcpt);

	if (len >= 2 && rcpt[0] == '<' && rcpt[len - 1] == '>')
		len -= 2;
	return len;
}

/*
 * Refuse this recipient only: the MTA takes the others.  The reply is
 * built like every other, through smtp_reply_make(), which cannot fail
 * on these constants; if it did, the MTA would send its own text for
 * the same temporary or permanent refusal.
 */
static sfsistat
milter_refuse_rcpt(SMFICTX *ctx, struct milter_msg *m, int code,
    const char *esc, const char *text)
{
	struct smtp_reply r = SMTP_REPLY_INIT;

	if (smtp_reply_make(&r, code, esc, "%s", text) == SMTP_OK)
		milter_reply(ctx, &r);
	smtp_reply_free(&r);
	m->nrcpts_refused++;
	return code >= 500 ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static sfsistat
milter_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m = c ? c->msg : NULL;

	if (m == NULL || argv[0] == NULL)
		return milter_go_on(c, SMFIP_NR_RCPT);
	if (milter_path_len(argv[0]) > MILTER_MAX_PATH - 2)
		return milter_refuse_rcpt(ctx, m, 501, "5.1.3",
		    "Recipient address too long");
	/* 452 4.5.3 is RFC 5321's answer: the client delivers to the
	   recipients taken so far and sends to the rest later. */
	if (m->env.rcpts.n >= m->ref->cfg->milter_max_recipients)
		return milter_refuse_rcpt(ctx, m, 452, "4.5.3",
		    "Too many recipients");
	envelope_add_rcpt(&m->env, argv[0]);
	m->nrcpts_in++;
	return milter_go_on(c, SMFIP_NR_RCPT);
}

static sfsistat
milter_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m = c ? c->msg : NULL;
	size_t n;

	if (m == NULL || m->too_big)
		return milter_go_on(c, SMFIP_NR_HDR);
	n = strlen(name) + strlen(value) + 3;
	if (m->hdr_bytes + n > HDR_DEF_MAX_TOTAL ||
	    m->hdr.n >= HDR_DEF_MAX_FIELDS)
		m->too_big = true;
	else {
		m->hdr_bytes += n;
		hdr_add_parsed(&m->hdr, name, value);
	}
	return milter_go_on(c, SMFIP_NR_HDR);
}

/*
 * libmilter behind the table milter_edits.c replays the policy through
 * (the casts: libmilter's prototypes predate const).
 */
_Static_assert(MI_SUCCESS == MILTER_EDITS_OK, "MI_SUCCESS is not 0");

static int
milter_smfi_chgfrom(void *ctx, const char *sender)
{
	return smfi_chgfrom(ctx, (char *)sender, NULL);
}

static int
milter_smfi_addrcpt(void *ctx, const char *rcpt)
{
	return smfi_addrcpt(ctx, (char *)rcpt);
}

static int
milter_smfi_delrcpt(void *ctx, const char *rcpt)
{
	return smfi_delrcpt(ctx, (char *)rcpt);
}

static int
milter_smfi_addheader(void *ctx, const char *name, const char *value)
{
	return smfi_addheader(ctx, (char *)name, (char *)value);
}

static int
milter_smfi_chgheader(void *ctx, const char *name, int index, const char *value)
{
	return smfi_chgheader(ctx, (char *)name, index, (char *)value);
}

static const struct milter_edit_ops milter_smfi = {
	milter_smfi_chgfrom, milter_smfi_addrcpt, milter_smfi_delrcpt,
	milter_smfi_addheader, milter_smfi_chgheader
};

/*
 * One line per message, as an MTA logs it: the sender and the recipient
 * count as the MTA gave them (smtpd passes "<a@b>", Postfix's sendmail
 * "a@b": both are logged as from=<a@b>), what the policy did, the reply.
 */
static void
milter_log(SMFICTX *ctx, const struct milter_msg *m,
    const struct policy_result *res, const char *status)
{
	const char *qid = smfi_getsymval(ctx, "i");
	const char *from = m->from;
	size_t len = strlen(from);
	struct str line = STR_INIT;

	if (len >= 2 && from[0] == '<' && from[len - 1] == '>') {
		from++;
		len -= 2;
	}
	str_appendz(&line, qid ? qid : "NOQUEUE");
	str_appendz(&line, ": from=<");
	str_append_escaped(&line, from, len);
	str_appendf(&line, ">, nrcpt=%zu, login=%s, status=%s", m->nrcpts_in,
	    m->login ? "yes" : "no", status);
	if (res->actions.len > 0)
		str_appendf(&line, ", actions=%s", str_cstr(&res->actions));
	if (m->nrcpts_refused > 0)
		str_appendf(&line, ", refused_rcpts=%zu", m->nrcpts_refused);
	if (res->verdict == POLICY_REJECT || res->verdict == POLICY_TEMPFAIL) {
		char esc[SMTP_REPLY_ESC_SIZE];

		str_appendf(&line, ", reply=%d ", res->reply.code);
		if (smtp_reply_esc(&res->reply, esc))
			str_appendf(&line, "%s ", esc);
		str_append_escaped(&line, res->reply.text.data,
		    res->reply.text.len);
	}
	log_info("%s", str_cstr(&line));
	str_free(&line);
}

static bool
milter_bulk_claim(void *arg, const uint64_t *keys, bool *first, size_t n,
    unsigned window_s)
{
	long long now = util_now_ms();
	size_t i;

	(void)arg;
	if (pthread_mutex_lock(&milter_bulk_lock) != 0)
		return false;
	for (i = 0; i < n; i++)
		first[i] = bulk_table_claim(&milter_bulk, keys[i], now,
		    (long long)window_s * 1000);
	pthread_mutex_unlock(&milter_bulk_lock);
	return true;
}

static const struct policy_bulk milter_bulk_store = { milter_bulk_claim,
	NULL };

static sfsistat
milter_eom(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m = c ? c->msg : NULL;
	struct policy_result res;
	struct policy_msg pm;
	sfsistat st;

	if (m == NULL) {
		log_error("end of message without MAIL FROM: tempfail");
		return SMFIS_TEMPFAIL;
	}
	policy_result_init(&res);
	if (m->too_big) {
		(void)smtp_reply_make(&res.reply, 452, "4.3.4", "header too "
		    "large for the policy to check");
		res.verdict = POLICY_TEMPFAIL;
	} else {
		memset(&pm, 0, sizeof(pm));
		pm.bulk = &milter_bulk_store;
		pm.env = &m->env;
		pm.hdr = &m->hdr;
		pm.login = m->login;
		policy_run(m->ref->cfg, &pm, &res);
	}
	switch (res.verdict) {
	case POLICY_REJECT:
		milter_reply(ctx, &res.reply);
		milter_log(ctx, m, &res, "reject");
		st = SMFIS_REJECT;
		break;
	case POLICY_TEMPFAIL:
		milter_reply(ctx, &res.reply);
		milter_log(ctx, m, &res, "tempfail");
		st = SMFIS_TEMPFAIL;
		break;
	case POLICY_DISCARD:
		milter_log(ctx, m, &res, "discard");
		st = SMFIS_DISCARD;
		break;
	default:
		if (milter_edits_apply(&milter_smfi, ctx, &res) !=
		    MI_SUCCESS) {
			milter_log(ctx, m, &res, "tempfail(edit failed)");
			st = SMFIS_TEMPFAIL;
		} else {
			milter_log(ctx, m, &res, "accept");
			st = SMFIS_CONTINUE;
		}
		break;
	}
	policy_result_free(&res);
	milter_msg_free(c);
	return st;
}

static sfsistat
milter_abort(SMFICTX *ctx)
{
	milter_msg_free(smfi_getpriv(ctx));
	return SMFIS_CONTINUE;
}

/* The one place a connection's state goes; priv is NULL afterwards. */
static sfsistat
milter_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	milter_msg_free(c);
	free(c);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_desc = {
	.xxfi_name = "smtpgate",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT |
	    SMFIF_DELRCPT | SMFIF_CHGFROM,
	.xxfi_envfrom = milter_envfrom,
	.xxfi_envrcpt = milter_envrcpt,
	.xxfi_header = milter_header,
	.xxfi_eom = milter_eom,
	.xxfi_abort = milter_abort,
	.xxfi_close = milter_close,
	.xxfi_negotiate = milter_negotiate,
};
