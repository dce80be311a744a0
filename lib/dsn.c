/*
 * dsn - delivery status notifications (RFC 3464).  See dsn.h.
 */
#include "config.h"

#include <string.h>

#include "dsn.h"
#include "ids.h"

/*
 * Append text meant for people as one line: control characters (CR and LF
 * among them) become spaces; UTF-8 stays.  Fields of the delivery-status
 * part, which are ASCII (RFC 3464 section 2.1.1), go through
 * str_append_escaped() instead.
 */
static void
dsn_clean(struct str *out, const char *p)
{
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		str_appendc(out, c < 0x20 || c == 0x7f ? ' ' : c);
	}
}

static void
dsn_ascii(struct str *out, const char *p)
{
	str_append_escaped(out, p, strlen(p));
}

void
dsn_status(const struct dsn_rcpt *rc, bool given_up, struct str *out)
{
	const struct smtp_reply *r = rc->reply;
	char esc[SMTP_REPLY_ESC_SIZE];

	if (r != NULL && r->code >= 400 && r->code < 600) {
		/* The enhanced code when it agrees with the reply's class. */
		if (r->esc_class == r->code / 100 && smtp_reply_esc(r, esc))
			str_appendz(out, esc);
		else
			str_appendf(out, "%d.0.0", r->code / 100);
	} else
		/* 4.4.7: delivery time expired (RFC 3463). */
		str_appendz(out, given_up ? "4.4.7" : "5.0.0");
}

static void
dsn_people(const struct dsn_report *r, struct str *out)
{
	size_t i;

	str_appendf(out, "This is smtpgate-sendmail on %s.\n\n"
	    "Your message %s could not be delivered to %s:\n\n", r->host,
	    r->queue_id, r->nrcpts == 1 ? "this recipient" :
	    "these recipients");
	for (i = 0; i < r->nrcpts; i++) {
		str_appendz(out, "  <");
		dsn_clean(out, r->rcpts[i].addr);
		str_appendz(out, ">: ");
		dsn_clean(out, r->rcpts[i].why);
		str_appendc(out, '\n');
	}
	str_appendf(out, "\n%s\n", r->given_up ? "It stayed in the queue "
	    "too long and smtpgate has given up on it." : "The server "
	    "refused it for good; it will not be retried.");
}

static void
dsn_fields(const struct dsn_report *r, struct str *out)
{
	struct str date = STR_INIT;
	size_t i;

	str_appendz(out, "Reporting-MTA: dns; ");
	dsn_ascii(out, r->host);
	str_appendz(out, "\nX-Smtpgate-Queue-ID: ");
	dsn_ascii(out, r->queue_id);
	if (r->envid != NULL && *r->envid != '\0') {
		str_appendz(out, "\nOriginal-Envelope-Id: ");
		dsn_ascii(out, r->envid);
	}
	ids_date(r->arrival, &date);
	str_appendf(out, "\nArrival-Date: %s\n", str_cstr(&date));
	str_reset(&date);
	ids_date(r->now, &date);
	for (i = 0; i < r->nrcpts; i++) {
		const struct dsn_rcpt *rc = &r->rcpts[i];

		/* RFC 6533: a UTF-8 address has the utf-8 address type. */
		str_appendf(out, "\nFinal-Recipient: %s; ",
		    str_has_8bit(rc->addr, strlen(rc->addr)) ? "utf-8" :
		    "rfc822");
		dsn_clean(out, rc->addr);
		str_appendz(out, "\nAction: failed\nStatus: ");
		dsn_status(rc, r->given_up, out);
		if (rc->reply != NULL && rc->reply->code != 0) {
			if (r->remote != NULL) {
				str_appendz(out, "\nRemote-MTA: dns; ");
				dsn_ascii(out, r->remote);
			}
			/* One line, escaped: ASCII as the field must be. */
			str_appendz(out, "\nDiagnostic-Code: smtp; ");
			smtp_reply_describe(rc->reply, out);
		}
		str_appendf(out, "\nLast-Attempt-Date: %s\n", str_cstr(&date));
	}
	str_free(&date);
}

/*
 * The original header with LF line ends and no other control characters
 * (a notice is read in terminals too); true when it has 8-bit bytes.
 */
static bool
dsn_header(const struct str *h, struct str *out)
{
	bool eight = false;
	size_t i;

	for (i = 0; h != NULL && i < h->len; i++) {
		unsigned char c = (unsigned char)h->data[i];

		if (c == '\r' || c == '\0')
			continue;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			c = '?';
		eight |= c > 0x7f;
		str_appendc(out, c);
	}
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		str_appendc(out, '\n');
	return eight;
}

static bool
dsn_holds(const struct str *part, const struct str *b)
{
	return part->len > 0 && memmem(part->data, part->len, b->data,
	    b->len) != NULL;
}

void
dsn_build(const struct dsn_report *r, struct str *out)
{
	struct str people = STR_INIT, fields = STR_INIT, header = STR_INIT;
	struct str b = STR_INIT;
	bool eight;
	unsigned n = 0;

	dsn_people(r, &people);
	dsn_fields(r, &fields);
	eight = dsn_header(r->header, &header);
	/* The parts quote other people's text: none may hold the boundary. */
	do {
		str_reset(&b);
		str_appendz(&b, "=_smtpgate_");
		dsn_ascii(&b, r->queue_id);
		str_appendf(&b, "_%lld_%u", (long long)r->now, n++);
	} while (dsn_holds(&header, &b) || dsn_holds(&people, &b) ||
	    dsn_holds(&fields, &b));

	str_appendz(out, "From: Mail Delivery System <");
	if (r->from != NULL)
		dsn_clean(out, r->from);
	else {
		str_appendz(out, "MAILER-DAEMON@");
		dsn_clean(out, r->host);
	}
	str_appendz(out, ">\nTo: <");
	dsn_clean(out, r->to);
	str_appendz(out, ">\n");
	str_appendz(out, "Subject: Undelivered Mail Returned to Sender\n"
	    "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n");
	str_appendf(out, "\tboundary=\"%s\"\n\n", str_cstr(&b));
	str_appendz(out, "This is a MIME-encapsulated message.\n\n");

	str_appendf(out, "--%s\nContent-Description: Notification\n"
	    "Content-Type: text/plain; charset=utf-8\n\n", str_cstr(&b));
	str_appends(out, &people);
	str_appendf(out, "\n--%s\nContent-Description: Delivery report\n"
	    "Content-Type: message/delivery-status\n\n", str_cstr(&b));
	str_appends(out, &fields);
	str_appendf(out, "\n--%s\nContent-Description: Undelivered Message "
	    "Headers\nContent-Type: text/rfc822-headers\n%s\n", str_cstr(&b),
	    eight ? "Content-Transfer-Encoding: 8bit\n" : "");
	str_appends(out, &header);
	str_appendf(out, "\n--%s--\n", str_cstr(&b));

	str_free(&people);
	str_free(&fields);
	str_free(&header);
	str_free(&b);
}
