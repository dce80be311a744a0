/*
 * submit_read - a submitted message's envelope and header fixes.
 * See submit.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "ids.h"
#include "submit.h"

void
submit_init(struct submit *s, const struct cfg *cfg, const struct smopt *opts,
    const struct aliases *aliases, const char *hostname, const char *user)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->opts = opts;
	s->aliases = aliases;
	s->hostname = hostname;
	s->user = user;
	s->domain = cfg->domain;
	str_init(&s->queue_id);
	ids_queue_id(&s->queue_id);
	hdr_init(&s->hdr);
	envelope_init(&s->env);
	strvec_init(&s->bcc);
	if (opts != NULL)
		envelope_set_dsn(&s->env, opts->dsn_notify, opts->dsn_ret,
		    opts->dsn_envid);
}

void
submit_free(struct submit *s)
{
	envelope_free(&s->env);
	strvec_free(&s->bcc);
	hdr_free(&s->hdr);
	msgbody_close(&s->body);
	str_free(&s->queue_id);
}

void
submit_mail_params(struct submit *s, size_t header_len)
{
	const struct smopt *o = s->opts;

	s->env.eight_bit = s->body.eight_bit ||
	    (s->hdr.flags & HDR_F_8BIT) != 0;
	if (o != NULL && o->body_type != NULL)
		s->env.eight_bit = strcasecmp(o->body_type, "8BITMIME") == 0;
	s->env.size = header_len + s->body.size;
}

/* "local@domain" of a parsed address, quoting the local part if needed. */
static void
submit_bare(const struct addr *a, struct str *out)
{
	struct str path = STR_INIT;

	addr_format_path(a, &path);
	/* addr_format_path gives "<...>": the envelope wants it bare. */
	if (path.len >= 2 && path.data[0] == '<')
		str_append(out, path.data + 1, path.len - 2);
	else
		str_appends(out, &path);
	str_free(&path);
}

static void
submit_push_rcpt(struct submit *s, const char *addr)
{
	if (!strvec_push_unique_case(&s->env.rcpts, addr))
		return;		/* one copy per recipient */
	if (str_has_8bit(addr, strlen(addr)))
		s->env.smtputf8 = true;
}

/*
 * Resolve one address as written (a bare name, an address, or a mailbox
 * with display name) to envelope form, through the aliases and domain.
 * Appends the results to out.
 */
static int
submit_resolve(struct submit *s, const char *text, struct strvec *out,
    int depth, struct str *err)
{
	struct addr a;
	struct str bare = STR_INIT, perr = STR_INIT;
	struct strvec names = STRVEC_INIT;
	size_t i;
	int rc = SUBMIT_OK;

	addr_init(&a);
	if (addr_parse_one(text, strlen(text), &a, &perr) != ADDR_OK) {
		str_appendz(err, "bad address '");
		str_append_escaped(err, text, strlen(text));
		str_appendz(err, "': ");
		str_appends(err, &perr);
		rc = SUBMIT_EUSAGE;
		goto out;
	}
	if (a.domain.len > 0) {
		submit_bare(&a, &bare);
		strvec_push(out, str_detach(&bare));
		goto out;
	}
	/* A local name: aliases, then the domain. */
	if (depth > 0 || aliases_resolve(s->aliases, str_cstr(&a.local),
	    s->domain, &names, err) != ALIASES_OK) {
		if (depth > 0)
			str_appendf(err, "alias target '%s' has no domain",
			    text);
		rc = SUBMIT_ENOUSER;
		goto out;
	}
	for (i = 0; i < names.n && rc == SUBMIT_OK; i++)
		rc = submit_resolve(s, names.v[i], out, depth + 1, err);
out:
	strvec_free(&names);
	addr_free(&a);
	str_free(&bare);
	str_free(&perr);
	return rc;
}

static int
submit_add_rcpt(struct submit *s, const char *text, struct str *err)
{
	struct strvec list = STRVEC_INIT;
	size_t i;
	int rc;

	rc = submit_resolve(s, text, &list, 0, err);
	for (i = 0; i < list.n && rc == SUBMIT_OK; i++)
		submit_push_rcpt(s, list.v[i]);
	strvec_free(&list);
	return rc;
}

/* -t: every address of To, Cc and Bcc (group members included). */
static int
submit_header_rcpts(struct submit *s, struct str *err)
{
	static const char *const names[] = { "To", "Cc", "Bcc" };
	struct addr_list l;
	struct str perr = STR_INIT, bare = STR_INIT;
	ssize_t k;
	size_t i, j;
	int rc = SUBMIT_OK;

	for (i = 0; i < 3 && rc == SUBMIT_OK; i++) {
		for (k = hdr_find(&s->hdr, names[i], 0); k >= 0 &&
		    rc == SUBMIT_OK; k = hdr_find(&s->hdr, names[i], (size_t)k + 1)) {
			const struct str *v = &s->hdr.v[k].value;

			addr_list_init(&l);
			if (addr_parse_list(v->data ? v->data : "", v->len, &l,
			    &perr) != ADDR_OK) {
				str_appendf(err, "%s: header: ", names[i]);
				str_appends(err, &perr);
				rc = SUBMIT_EDATA;
			}
			for (j = 0; j < l.n && rc == SUBMIT_OK; j++) {
				if (l.v[j].local.len == 0)
					continue;	/* an empty group */
				str_reset(&bare);
				if (l.v[j].domain.len > 0) {
					submit_bare(&l.v[j], &bare);
					submit_push_rcpt(s, str_cstr(&bare));
				} else {
					rc = submit_add_rcpt(s,
					    str_cstr(&l.v[j].local), err);
				}
			}
			addr_list_free(&l);
			str_reset(&perr);
		}
	}
	str_free(&perr);
	str_free(&bare);
	return rc;
}

/*
 * address_separator in the header: "To: a@x; b@x" (what users type into
 * an application that passes it on) is read as two addresses, for -t
 * and for the policy, and leaves with commas, as RFC 5322 and every
 * relay want it.  A field valid as it is stays byte for byte (its DKIM
 * signature too), as does one that does not parse either way: the
 * reader that needs it (-t) says why.
 */
static void
submit_separators(struct submit *s)
{
	static const char *const names[] = { "From", "Reply-To", "To", "Cc",
		"Bcc", "Resent-From", "Resent-To", "Resent-Cc", "Resent-Bcc" };
	struct str q = STR_INIT;
	const struct str *v;
	size_t i, n;
	ssize_t k;

	if (s->cfg->address_separator == '\0')
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = hdr_find(&s->hdr, names[i], 0); k >= 0;
		    k = hdr_find(&s->hdr, names[i], (size_t)k + 1)) {
			v = &s->hdr.v[k].value;
			str_reset(&q);
			if (addr_comma_list(v->data ? v->data : "", v->len,
			    s->cfg->address_separator, &q, &n, NULL) !=
			    ADDR_OK || n == 0)
				continue;
			if (hdr_replacen(&s->hdr, (size_t)k, q.data, q.len,
			    NULL) != HDR_OK)
				log_warning("%s: %s: cannot write the address "
				    "separators as commas",
				    str_cstr(&s->queue_id), names[i]);
		}
	}
	str_free(&q);
}

/* Envelope sender: -f/-r, else [message] from, else user@hostname. */
static int
submit_sender(struct submit *s, const char *given, struct str *err)
{
	struct strvec list = STRVEC_INIT;
	int rc = SUBMIT_OK;

	if (given != NULL && (given[0] == '\0' || strcmp(given, "<>") == 0)) {
		/* bounces: the null sender */
		envelope_set_sender(&s->env, "");
		return SUBMIT_OK;
	}
	if (given == NULL)
		given = s->cfg->from;
	if (given == NULL) {
		struct str d = STR_INIT;

		str_appendf(&d, "%s@%s", s->user, s->hostname);
		envelope_set_sender(&s->env, str_cstr(&d));
		str_free(&d);
		return SUBMIT_OK;
	}
	/* "<a@b>" as some callers pass it: take what is inside. */
	if (given[0] == '<' && given[strlen(given) - 1] == '>') {
		char *inner = xstrndup(given + 1, strlen(given) - 2);

		rc = submit_resolve(s, inner, &list, 0, err);
		free(inner);
	} else {
		rc = submit_resolve(s, given, &list, 0, err);
	}
	if (rc == SUBMIT_OK && list.n > 0)
		envelope_set_sender(&s->env, list.v[0]);
	strvec_free(&list);
	if (rc == SUBMIT_OK && s->env.sender != NULL &&
	    str_has_8bit(s->env.sender, strlen(s->env.sender)))
		s->env.smtputf8 = true;
	if (rc != SUBMIT_OK)
		str_appendz(err, " (the envelope sender)");
	return rc;
}

/*
 * -t without -f: the caller said who sends in the From header, not on
 * the command line.  When that address is one of an [account]'s senders
 * (an individual login), it becomes the envelope sender, so the account
 * is chosen for it, here and from the queue, and its relay sees a MAIL
 * FROM the login may use.  A From of several mailboxes, or one that is
 * no account's, changes nothing.
 */
static void
submit_sender_from_header(struct submit *s)
{
	const struct cfg *cfg = s->cfg;
	struct addr_list l;
	struct str bare = STR_INIT;
	const struct str *v;
	size_t i, j;
	ssize_t k;

	if ((k = hdr_find(&s->hdr, "From", 0)) < 0 ||
	    hdr_find(&s->hdr, "From", (size_t)k + 1) >= 0)
		return;
	v = &s->hdr.v[k].value;
	addr_list_init(&l);
	if (addr_parse_list(v->data ? v->data : "", v->len, &l, NULL) !=
	    ADDR_OK || l.n != 1 || l.v[0].domain.len == 0 ||
	    addr_is_routed(&l.v[0]))
		goto out;
	for (i = 0; i < cfg->naccounts && bare.len == 0; i++)
		for (j = 0; j < cfg->accounts[i].senders.n; j++)
			if (addr_match(&l.v[0], cfg->accounts[i].senders.v[j])) {
				submit_bare(&l.v[0], &bare);
				log_debug("%s: envelope sender %s from the From "
				    "header: [account %s]",
				    str_cstr(&s->queue_id), str_cstr(&bare),
				    cfg->accounts[i].address);
				break;
			}
	if (bare.len > 0) {
		if (str_has_8bit(bare.data, bare.len))
			s->env.smtputf8 = true;
		envelope_set_sender(&s->env, str_cstr(&bare));
	}
out:
	addr_list_free(&l);
	str_free(&bare);
}

/* The From header for a message that has none. */
static int
submit_make_from(struct submit *s, struct str *err)
{
	const struct smopt *o = s->opts;
	struct str value = STR_INIT, perr = STR_INIT;
	struct addr a;
	int rc = SUBMIT_OK;

	addr_init(&a);
	if ((o != NULL && (o->fullname != NULL || o->sender != NULL)) ||
	    s->cfg->from == NULL) {
		const char *who = s->env.sender && *s->env.sender ?
		    s->env.sender : NULL;
		struct str fallback = STR_INIT;

		if (who == NULL) {
			str_appendf(&fallback, "%s@%s", s->user, s->hostname);
			who = str_cstr(&fallback);
		}
		if (addr_parse_one(who, strlen(who), &a, &perr) == ADDR_OK) {
			if (o != NULL && o->fullname != NULL)
				str_setz(&a.display, o->fullname);
			addr_format(&a, &value);
		} else {
			str_setz(&value, who);
		}
		str_free(&fallback);
	} else {
		str_setz(&value, s->cfg->from);
	}
	if (hdr_append(&s->hdr, "From", str_cstr(&value), &perr) != HDR_OK) {
		str_appendz(err, "cannot add From: ");
		str_appends(err, &perr);
		rc = SUBMIT_EDATA;
	}
	addr_free(&a);
	str_free(&value);
	str_free(&perr);
	return rc;
}

/*
 * "To: root" leaves as "To: root@domain", as Postfix's cleanup writes it
 * (append_at_myorigin): a relay or the recipient's MUA would otherwise
 * qualify it with its own domain, or refuse it.  Aliases are not applied:
 * they say where the mail goes, not what the header says, and Postfix
 * keeps them out of headers too.  A value that does not parse stays as it
 * is; the policy and the relay judge it as before.
 */
static void
submit_qualify_header(struct submit *s)
{
	static const char *const names[] = { "From", "Sender", "Reply-To",
		"To", "Cc", "Bcc", "Resent-From", "Resent-Sender", "Resent-To",
		"Resent-Cc", "Resent-Bcc" };
	struct str q = STR_INIT, perr = STR_INIT;
	const struct str *v;
	size_t i, n;
	ssize_t k;

	if (s->domain == NULL)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = hdr_find(&s->hdr, names[i], 0); k >= 0;
		    k = hdr_find(&s->hdr, names[i], (size_t)k + 1)) {
			v = &s->hdr.v[k].value;
			str_reset(&q);
			str_reset(&perr);
			if (addr_qualify_list(v->data ? v->data : "", v->len,
			    s->domain, &q, &n, &perr) != ADDR_OK) {
				log_debug("%s: %s: header left as it is: %s",
				    str_cstr(&s->queue_id), names[i],
				    str_cstr(&perr));
				continue;
			}
			if (n > 0 && hdr_replacen(&s->hdr, (size_t)k, q.data,
			    q.len, &perr) != HDR_OK)
				log_warning("%s: %s: cannot qualify: %s",
				    str_cstr(&s->queue_id), names[i],
				    str_cstr(&perr));
		}
	}
	str_free(&q);
	str_free(&perr);
}

/*
 * The Bcc addresses, before the field goes: bulk_copies = first counts
 * them as copies like the Cc ones.  What does not parse is left out (it
 * is then no copy, and is sent).  Qualified already, as in the field.
 */
static void
submit_keep_bcc(struct submit *s)
{
	struct addr_list l;
	struct str bare = STR_INIT;
	ssize_t k;
	size_t j;

	for (k = hdr_find(&s->hdr, "Bcc", 0); k >= 0;
	    k = hdr_find(&s->hdr, "Bcc", (size_t)k + 1)) {
		const struct str *v = &s->hdr.v[k].value;

		addr_list_init(&l);
		if (addr_parse_list(v->data ? v->data : "", v->len, &l,
		    NULL) == ADDR_OK)
			for (j = 0; j < l.n; j++) {
				if (l.v[j].local.len == 0 ||
				    l.v[j].domain.len == 0)
					continue;
				str_reset(&bare);
				submit_bare(&l.v[j], &bare);
				strvec_push(&s->bcc, str_detach(&bare));
			}
		addr_list_free(&l);
	}
	str_free(&bare);
}

/* Date, Message-ID and From when missing; local names qualified; Bcc
   out.  The display name is policy (lib/policy.h), applied when
   sending. */
static int
submit_fix_header(struct submit *s, struct str *err)
{
	struct str v = STR_INIT;
	int rc = SUBMIT_OK;

	submit_qualify_header(s);
	if (hdr_find(&s->hdr, "From", 0) < 0)
		rc = submit_make_from(s, err);
	if (hdr_find(&s->hdr, "Date", 0) < 0) {
		ids_date(time(NULL), &v);
		(void)hdr_append(&s->hdr, "Date", str_cstr(&v), NULL);
	}
	if (hdr_find(&s->hdr, "Message-ID", 0) < 0) {
		str_reset(&v);
		ids_message_id(s->hostname, &v);
		(void)hdr_append(&s->hdr, "Message-ID", str_cstr(&v), NULL);
	}
	/* Bcc recipients are in the envelope; the header must not tell. */
	submit_keep_bcc(s);
	hdr_remove_all(&s->hdr, "Bcc");
	str_free(&v);
	return rc;
}

/* Over [queue] max_message_size: one message for -bm, -t and -bs. */
static int
submit_too_big(const struct submit *s, struct str *err)
{
	str_appendz(err, "the message is larger than [queue] max_message_size "
	    "= ");
	cfg_size_print(s->cfg->max_message_size, err);
	str_appendz(err, "; it was not sent or queued");
	return SUBMIT_ETOOBIG;
}

/*
 * Header from in, then the body into a temporary file.  The size limit
 * counts what the caller gave, header included, and stops the reading
 * as soon as it is crossed: a 300 MB message is never taken in at all.
 */
static int
submit_take_message(struct submit *s, FILE *in, bool ignore_dots,
    struct str *err)
{
	struct str herr = STR_INIT;
	unsigned long long max = MSGBODY_NO_MAX, hsize;
	int rc;

	rc = hdr_read(&s->hdr, in, NULL, &herr);
	if (rc == HDR_ENOTHEADER) {
		/* As Postfix does: the rest is body, and we say so. */
		log_info("%s: %s", str_cstr(&s->queue_id), str_cstr(&herr));
	} else if (rc != HDR_OK) {
		str_appendz(err, "the message header cannot be read: ");
		str_appends(err, &herr);
		str_free(&herr);
		return rc == HDR_EIO ? SUBMIT_ETMP : SUBMIT_EDATA;
	}
	str_free(&herr);
	if (s->hdr.flags & HDR_F_BARE_CR)
		log_info("%s: a bare CR in the header was read as a space "
		    "(hdr.h)", str_cstr(&s->queue_id));
	if (s->cfg->max_message_size > 0) {
		hsize = (unsigned long long)s->hdr.size + s->hdr.eoh.len;
		if (hsize > s->cfg->max_message_size)
			return submit_too_big(s, err);
		max = s->cfg->max_message_size - hsize;
	}
	rc = msgbody_read(&s->body, &s->hdr.body_start, in, ignore_dots, max,
	    NULL, &herr);
	if (rc == MSGBODY_ETOOBIG)
		rc = submit_too_big(s, err);
	else if (rc != MSGBODY_OK) {
		str_appends(err, &herr);
		rc = SUBMIT_ETMP;
	}
	str_free(&herr);
	return rc;
}

int
submit_read(struct submit *s, FILE *in, struct str *err)
{
	const struct smopt *o = s->opts;
	struct strvec items = STRVEC_INIT;
	size_t i;
	int rc;

	if ((rc = submit_take_message(s, in, o->ignore_dots, err)) != SUBMIT_OK)
		return rc;
	submit_separators(s);
	if ((rc = submit_sender(s, o->sender, err)) != SUBMIT_OK)
		return rc;
	smopt_split_recipients(o, s->cfg->address_separator, &items);
	for (i = 0; i < items.n && rc == SUBMIT_OK; i++)
		rc = submit_add_rcpt(s, items.v[i], err);
	strvec_free(&items);
	if (rc == SUBMIT_OK && o->from_headers)
		rc = submit_header_rcpts(s, err);
	if (rc != SUBMIT_OK)
		return rc;
	if (s->env.rcpts.n == 0) {
		str_appendz(err, o->from_headers ? "no recipients: the To, "
		    "Cc and Bcc headers name nobody" : "no recipients given");
		return SUBMIT_EUSAGE;
	}
	if ((rc = submit_fix_header(s, err)) != SUBMIT_OK)
		return rc;
	/* After the fixes: "From: alice" has its domain by now. */
	if (o->from_headers && o->sender == NULL)
		submit_sender_from_header(s);
	return SUBMIT_OK;
}

int
submit_read_envelope(struct submit *s, const char *sender,
    char *const *rcpts, size_t nrcpts, FILE *in, struct str *err)
{
	size_t i;
	int rc;

	/* -bs data ends at the SMTP "."; a lone dot inside is data. */
	if ((rc = submit_take_message(s, in, true, err)) != SUBMIT_OK)
		return rc;
	submit_separators(s);
	if ((rc = submit_sender(s, sender, err)) != SUBMIT_OK)
		return rc;
	for (i = 0; i < nrcpts && rc == SUBMIT_OK; i++)
		rc = submit_add_rcpt(s, rcpts[i], err);
	if (rc != SUBMIT_OK)
		return rc;
	return submit_fix_header(s, err);
}
