/*
 * smtp_ehlo - the extensions an EHLO reply announces.  See smtp_reply.h.
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "smtp_reply.h"

struct smtp_ehlo_word {
	const char *name;
	unsigned bit;
};

static const struct smtp_ehlo_word smtp_ehlo_keywords[] = {
	{ "PIPELINING", SMTP_EXT_PIPELINING },
	{ "8BITMIME", SMTP_EXT_8BITMIME },
	{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
	{ "DSN", SMTP_EXT_DSN },
	{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCEDSTATUSCODES },
	{ "STARTTLS", SMTP_EXT_STARTTLS },
	{ "CHUNKING", SMTP_EXT_CHUNKING },
	{ "SIZE", SMTP_EXT_SIZE },
	{ "AUTH", SMTP_EXT_AUTH },
	{ NULL, 0 }
};

static const struct smtp_ehlo_word smtp_ehlo_mechs[] = {
	{ "PLAIN", SMTP_AUTH_PLAIN },
	{ "LOGIN", SMTP_AUTH_LOGIN },
	{ "XOAUTH2", SMTP_AUTH_XOAUTH2 },
	{ "OAUTHBEARER", SMTP_AUTH_OAUTHBEARER },
	{ "CRAM-MD5", SMTP_AUTH_CRAM_MD5 },
	{ "SCRAM-SHA-1", SMTP_AUTH_SCRAM_SHA_1 },
	{ "SCRAM-SHA-256", SMTP_AUTH_SCRAM_SHA_256 },
	{ "GSSAPI", SMTP_AUTH_GSSAPI },
	{ "NTLM", SMTP_AUTH_NTLM },
	{ NULL, 0 }
};

/* The bit of the word p[0..len) in table, 0 if unknown. */
static unsigned
smtp_ehlo_lookup(const struct smtp_ehlo_word *table, const char *p,
    size_t len)
{
	for (; table->name != NULL; table++)
		if (strlen(table->name) == len &&
		    strncasecmp(table->name, p, len) == 0)
			return table->bit;
	return 0;
}

static bool
smtp_ehlo_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * SIZE's argument: decimal digits only, checked for overflow.  Anything
 * else leaves *out unchanged (no limit known).
 */
static void
smtp_ehlo_size(const char *p, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (len == 0)
		return;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return;
		if (v > (ULLONG_MAX - (unsigned)(p[i] - '0')) / 10)
			return;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
}

/* One keyword line of the reply: "KEYWORD[ params]" or "AUTH=params". */
static void
smtp_ehlo_line(const char *p, size_t len, struct smtp_ext *ext)
{
	size_t i = 0, kw, start;
	unsigned bit;

	while (i < len && smtp_ehlo_is_space(p[i]))
		i++;
	p += i;
	len -= i;
	for (kw = 0; kw < len && !smtp_ehlo_is_space(p[kw]) && p[kw] != '=';
	    kw++)
		;
	if ((bit = smtp_ehlo_lookup(smtp_ehlo_keywords, p, kw)) == 0)
		return;
	/* Only AUTH has the old "AUTH=" form; "SIZE=1" is not a keyword. */
	if (kw < len && p[kw] == '=' && bit != SMTP_EXT_AUTH)
		return;
	ext->flags |= bit;
	i = kw < len ? kw + 1 : kw;
	if (bit == SMTP_EXT_SIZE) {
		while (i < len && smtp_ehlo_is_space(p[i]))
			i++;
		start = i;
		while (i < len && !smtp_ehlo_is_space(p[i]))
			i++;
		smtp_ehlo_size(p + start, i - start, &ext->size_max);
		return;
	}
	if (bit != SMTP_EXT_AUTH)
		return;
	while (i < len) {
		while (i < len && smtp_ehlo_is_space(p[i]))
			i++;
		start = i;
		while (i < len && !smtp_ehlo_is_space(p[i]))
			i++;
		ext->auth |= smtp_ehlo_lookup(smtp_ehlo_mechs, p + start,
		    i - start);
	}
}

int
smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ext *ext,
    struct str *err)
{
	const char *p, *end, *nl;
	bool first = true;

	memset(ext, 0, sizeof(*ext));
	if (r->nlines == 0 || !r->done || r->code == 0) {
		str_reset(err);
		str_appendz(err, "EHLO: no complete reply to parse");
		return SMTP_EINVAL;
	}
	if (r->code != 250) {
		str_reset(err);
		str_appendz(err, "EHLO refused: ");
		smtp_reply_describe(r, err);
		return SMTP_EREPLY;
	}
	p = r->text.data != NULL ? r->text.data : "";
	end = p + r->text.len;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		/* The first line is the server's name and greeting. */
		if (!first)
			smtp_ehlo_line(p, (size_t)((nl ? nl : end) - p), ext);
		first = false;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return SMTP_OK;
}
