/*
 * smtpin - the server side of "sendmail -bs".  See smtpin.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpin.h"

struct smtpin {
	FILE   *in, *out;
	const char *hostname;
	struct smtpin_txn txn;
	int	have_mail;
	int	greeted;
	int	truncated;	/* the input ended inside DATA */
	struct str line;
	unsigned long long max_size;	/* 0: none */
	unsigned long long data_size;	/* bytes of this DATA, kept or not */
};

/* Send a reply made here; our texts are constants and always valid. */
static int
smtpin_reply(struct smtpin *s, int code, const char *esc, const char *text)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct str wire = STR_INIT;

	if (smtp_reply_make(&r, code, esc, "%s", text) != SMTP_OK)
		die("smtpin: invalid reply %d %s", code, esc ? esc : "");
	smtp_reply_format(&r, &wire);
	fwrite(wire.data, 1, wire.len, s->out);
	smtp_reply_free(&r);
	str_free(&wire);
	return fflush(s->out) == 0 ? 0 : -1;
}

static int
smtpin_send(struct smtpin *s, const struct smtp_reply *r)
{
	struct str wire = STR_INIT;

	smtp_reply_format(r, &wire);
	fwrite(wire.data, 1, wire.len, s->out);
	str_free(&wire);
	return fflush(s->out) == 0 ? 0 : -1;
}

static void
smtpin_reset(struct smtpin *s)
{
	envelope_free(&s->txn.env);
	if (s->txn.data != NULL)
		fclose(s->txn.data);
	s->txn.data = NULL;
	s->have_mail = 0;
}

/*
 * Read a line into s->line without its line ending.  Returns 1 for a line,
 * 0 at end of input, -1 for a line longer than max (consumed and dropped).
 */
static int
smtpin_getline(struct smtpin *s, size_t max)
{
	int c, toolong = 0;

	str_reset(&s->line);
	while ((c = getc(s->in)) != EOF && c != '\n') {
		if (s->line.len < max)
			str_appendc(&s->line, c);
		else
			toolong = 1;
	}
	if (c == EOF && s->line.len == 0 && !toolong)
		return 0;
	if (s->line.len > 0 && s->line.data[s->line.len - 1] == '\r')
		str_truncate(&s->line, s->line.len - 1);
	return toolong ? -1 : 1;
}

/*
 * "FROM:<path> params" / "TO:<path> params": the path without brackets.
 * Returns NULL on a syntax error.
 */
static char *
smtpin_path(const char *args, const char *prefix, bool *eight_bit)
{
	size_t plen = strlen(prefix), n;
	const char *p, *end;

	if (strncasecmp(args, prefix, plen) != 0)
		return NULL;
	p = args + plen;
	while (*p == ' ')
		p++;
	if (*p != '<') {
		/* Lenient as sendmail is: a bare address up to a space. */
		n = strcspn(p, " ");
		if (n == 0 || memchr(p, '>', n) != NULL)
			return NULL;
		end = p + n;
	} else {
		p++;
		if ((end = strchr(p, '>')) == NULL)
			return NULL;
		n = (size_t)(end - p);
		end++;
	}
	if (*end != '\0' && *end != ' ')
		return NULL;
	if (eight_bit != NULL && strcasestr(end, "BODY=8BITMIME") != NULL)
		*eight_bit = true;
	/* A source route "@a,@b:user@host" is reduced to its mailbox. */
	if (n > 0 && p[0] == '@') {
		const char *colon = memchr(p, ':', n);

		if (colon == NULL)
			return NULL;
		n -= (size_t)(colon + 1 - p);
		p = colon + 1;
	}
	return xstrndup(p, n);
}

/*
 * One byte of data.  Past max_size nothing more is stored, but the
 * dialogue goes on to the end of data so that the client hears the
 * refusal.
 */
static void
smtpin_put(struct smtpin *s, int c)
{
	if (s->max_size == 0 || s->data_size < s->max_size)
		putc(c, s->txn.data);
	s->data_size++;
}

/* The data is complete: rewind it for the deliver callback. */
static int
smtpin_data_done(struct smtpin *s)
{
	return fflush(s->txn.data) == 0 && !ferror(s->txn.data) &&
	    fseek(s->txn.data, 0, SEEK_SET) == 0 ? 0 : -2;
}

/*
 * Copy the data to a temporary file up to the end of data: 0 ok, -1 when
 * the input ends first, -2 when the temporary file fails.
 *
 * Only CR LF "." CR LF ends the data (RFC 5321 4.1.1.4): a line starts
 * after CR LF and nowhere else.  A bare LF or bare CR is data, so
 * "\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r" and every other SMTP-smuggling
 * variant stay inside the message, and a body cannot end it early and
 * start a second one to recipients of its own choosing.  For the same
 * reason the dot of a stuffed line is removed only at the start of a line
 * (".." is "."; ".x", which no client stuffs, is kept).
 * Stored: CR LF as LF, a bare LF as LF, a bare CR as CR.  The wire encoder
 * (smtp_data.h) makes each of them a CRLF and stuffs a dot after it, so a
 * lone "." after a bare LF or CR arrives as a "." line, never as an end of
 * data at the relay.  A client that ends its lines with bare LF alone is
 * never done: the session ends inside DATA and nothing is accepted.
 */
static int
smtpin_data(struct smtpin *s)
{
	int c, d, bol = 1;

	s->data_size = 0;
	if ((s->txn.data = tmpfile()) == NULL)
		return -2;
	/* Byte by byte: a line may be any length, memory stays flat. */
	while ((c = getc(s->in)) != EOF) {
		if (bol && c == '.') {
			if ((c = getc(s->in)) == EOF)
				break;
			if (c == '\r') {
				if ((d = getc(s->in)) == '\n')
					return smtpin_data_done(s);
				if (d != EOF)
					ungetc(d, s->in);
			}
			smtpin_put(s, '.');
			if (c == '.') {
				bol = 0;
				continue;
			}
		}
		bol = 0;
		if (c == '\r') {
			if ((d = getc(s->in)) == '\n') {
				smtpin_put(s, '\n');
				bol = 1;
				continue;
			}
			if (d != EOF)
				ungetc(d, s->in);
		}
		smtpin_put(s, c);
	}
	return -1;
}

static int
smtpin_ehlo(struct smtpin *s, int extended)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	int rc;

	smtpin_reset(s);
	s->greeted = 1;
	if (!extended)
		return smtpin_reply(s, 250, NULL, s->hostname);
	if (smtp_reply_make(&r, 250, NULL, "%s", s->hostname) != SMTP_OK)
		die("smtpin: bad host name");
	/* Our own keywords: the only text added past the constructor. */
	str_appendz(&r.text, "\nPIPELINING\n8BITMIME\nENHANCEDSTATUSCODES");
	if (s->max_size > 0)
		str_appendf(&r.text, "\nSIZE %llu", s->max_size);
	rc = smtpin_send(s, &r);
	smtp_reply_free(&r);
	return rc;
}

static int
smtpin_command(struct smtpin *s, smtpin_deliver_fn deliver, void *arg,
    int *quit)
{
	char *verb = s->line.data ? s->line.data : (char *)"", *args, *path;
	struct smtp_reply r = SMTP_REPLY_INIT;
	size_t vlen = strcspn(verb, " ");
	int rc;

	args = verb + vlen;
	while (*args == ' ')
		args++;
#define VERB(v) (vlen == strlen(v) && strncasecmp(verb, (v), vlen) == 0)
	if (VERB("EHLO") || VERB("HELO")) {
		if (*args == '\0')
			return smtpin_reply(s, 501, "5.5.4", "Syntax: EHLO hostname");
		return smtpin_ehlo(s, VERB("EHLO"));
	}
	if (VERB("NOOP"))
		return smtpin_reply(s, 250, "2.0.0", "Ok");
	if (VERB("RSET")) {
		smtpin_reset(s);
		return smtpin_reply(s, 250, "2.0.0", "Ok");
	}
	if (VERB("QUIT")) {
		*quit = 1;
		return smtpin_reply(s, 221, "2.0.0", "Bye");
	}
	if (VERB("VRFY"))
		return smtpin_reply(s, 252, "2.5.2", "Cannot VRFY; send some mail");
	if (VERB("HELP"))
		return smtpin_reply(s, 214, "2.0.0", "See smtpgate-sendmail(8)");
	if (VERB("MAIL")) {
		if (s->have_mail)
			return smtpin_reply(s, 503, "5.5.1", "Nested MAIL command");
		if ((path = smtpin_path(args, "FROM:", &s->txn.env.eight_bit)) ==
		    NULL)
			return smtpin_reply(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		envelope_set_sender(&s->txn.env, path);
		free(path);
		s->have_mail = 1;
		return smtpin_reply(s, 250, "2.1.0", "Ok");
	}
	if (VERB("RCPT")) {
		if (!s->have_mail)
			return smtpin_reply(s, 503, "5.5.1", "Need MAIL before RCPT");
		if ((path = smtpin_path(args, "TO:", NULL)) == NULL || *path == '\0') {
			free(path);
			return smtpin_reply(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		}
		if (s->txn.env.rcpts.n >= SMTPIN_MAX_RCPTS) {
			free(path);
			return smtpin_reply(s, 452, "4.5.3", "Too many recipients");
		}
		strvec_push(&s->txn.env.rcpts, path);
		return smtpin_reply(s, 250, "2.1.5", "Ok");
	}
	if (VERB("DATA")) {
		if (!s->have_mail || s->txn.env.rcpts.n == 0)
			return smtpin_reply(s, 503, "5.5.1", s->have_mail ?
			    "Need RCPT before DATA" : "Need MAIL before DATA");
		if (smtpin_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>") != 0)
			return -1;
		rc = smtpin_data(s);
		if (rc == -1) {
			/*
			 * End of input inside DATA: nothing was accepted, and
			 * no reply can reach a client that has gone.  The
			 * caller must hear of it, or a client whose lines end
			 * in LF alone loses its message without a word.
			 */
			*quit = 1;
			s->truncated = 1;
			smtpin_reset(s);
			return 0;
		}
		if (rc == -2) {
			smtpin_reset(s);
			return smtpin_reply(s, 451, "4.3.0", "Cannot store the "
			    "message: temporary file failed");
		}
		if (s->max_size > 0 && s->data_size > s->max_size) {
			smtpin_reset(s);
			if (smtp_reply_make(&r, 552, "5.3.4", "Message too big: "
			    "over %llu bytes ([queue] max_message_size); not "
			    "sent or queued", s->max_size) != SMTP_OK)
				die("smtpin: invalid reply");
			rc = smtpin_send(s, &r);
			smtp_reply_free(&r);
			return rc;
		}
		if (deliver(arg, &s->txn, &r) != 0)
			*quit = 1;
		rc = smtpin_send(s, &r);
		smtp_reply_free(&r);
		smtpin_reset(s);
		return rc;
	}
#undef VERB
	return smtpin_reply(s, 502, "5.5.2", "Command not implemented");
}

int
smtpin_run(FILE *in, FILE *out, const char *hostname,
    unsigned long long max_size, smtpin_deliver_fn deliver, void *arg)
{
	struct smtpin s;
	int quit = 0, rc = SMTPIN_OK, n;

	memset(&s, 0, sizeof(s));
	s.in = in;
	s.out = out;
	s.hostname = hostname;
	s.max_size = max_size;
	str_init(&s.line);
	str_appendf(&s.line, "%s ESMTP smtpgate", hostname);
	if (smtpin_reply(&s, 220, NULL, str_cstr(&s.line)) != 0)
		rc = SMTPIN_EIO;
	while (rc == SMTPIN_OK && !quit) {
		n = smtpin_getline(&s, SMTPIN_MAX_CMD);
		if (n == 0)
			break;
		if (n < 0) {
			if (smtpin_reply(&s, 500, "5.5.2", "Line too long") != 0)
				rc = SMTPIN_EIO;
			continue;
		}
		if (memchr(s.line.data ? s.line.data : "", '\0', s.line.len)) {
			if (smtpin_reply(&s, 500, "5.5.2", "NUL in command") != 0)
				rc = SMTPIN_EIO;
			continue;
		}
		if (smtpin_command(&s, deliver, arg, &quit) != 0)
			rc = SMTPIN_EIO;
	}
	smtpin_reset(&s);
	str_free(&s.line);
	if (rc == SMTPIN_OK && s.truncated)
		rc = SMTPIN_ETRUNC;
	return rc;
}
