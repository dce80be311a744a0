/*
 * sasl - client side of PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER.  See sasl.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "base64.h"
#include "sasl.h"

static const struct {
	unsigned bit;
	const char *name;
} sasl_mechs[] = {
	{ SASL_PLAIN, "PLAIN" },
	{ SASL_LOGIN, "LOGIN" },
	{ SASL_XOAUTH2, "XOAUTH2" },
	{ SASL_OAUTHBEARER, "OAUTHBEARER" },
};
#define SASL_NMECHS (sizeof(sasl_mechs) / sizeof(sasl_mechs[0]))

const char *
sasl_mech_name(unsigned mech)
{
	size_t i;

	for (i = 0; i < SASL_NMECHS; i++)
		if (sasl_mechs[i].bit == mech)
			return sasl_mechs[i].name;
	return "?";
}

unsigned
sasl_mech_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < SASL_NMECHS; i++)
		if (strlen(sasl_mechs[i].name) == len &&
		    strncasecmp(sasl_mechs[i].name, name, len) == 0)
			return sasl_mechs[i].bit;
	return 0;
}

unsigned
sasl_choose(unsigned wanted, unsigned offered)
{
	size_t i;

	for (i = 0; i < SASL_NMECHS; i++)
		if ((wanted & offered & sasl_mechs[i].bit) != 0)
			return sasl_mechs[i].bit;
	return 0;
}

void
sasl_start(struct sasl_client *c, unsigned mech, const char *user,
    const struct str *secret, const char *host, unsigned port)
{
	c->mech = mech;
	c->step = 0;
	c->user = user;
	c->secret = secret;
	c->host = host;
	c->port = port;
}

/* Encode plain text (which holds the secret) and wipe the plain copy. */
static void
sasl_encode_wipe(struct str *plain, struct str *response)
{
	base64_encode(plain->data, plain->len, response);
	str_free_secret(plain);
}

/* RFC 5801 saslname: "," and "=" in the authzid become "=2C" and "=3D". */
static void
sasl_gs2_name(struct str *out, const char *name)
{
	for (; *name != '\0'; name++) {
		if (*name == ',')
			str_appendz(out, "=2C");
		else if (*name == '=')
			str_appendz(out, "=3D");
		else
			str_appendc(out, *name);
	}
}

bool
sasl_initial(struct sasl_client *c, struct str *response)
{
	struct str plain = STR_INIT;

	switch (c->mech) {
	case SASL_PLAIN:
		/* authzid empty: act as the authenticated user. */
		str_appendc(&plain, '\0');
		str_appendz(&plain, c->user);
		str_appendc(&plain, '\0');
		str_appends(&plain, c->secret);
		break;
	case SASL_XOAUTH2:
		str_appendf(&plain, "user=%s\001auth=Bearer ", c->user);
		str_appends(&plain, c->secret);
		str_appendz(&plain, "\001\001");
		break;
	case SASL_OAUTHBEARER:
		/* RFC 7628 section 3.1: gs2 header with the authzid. */
		str_appendz(&plain, "n,a=");
		sasl_gs2_name(&plain, c->user);
		str_appendf(&plain, ",\001host=%s\001port=%u\001auth=Bearer ",
		    c->host, c->port);
		str_appends(&plain, c->secret);
		str_appendz(&plain, "\001\001");
		break;
	default:
		return false;	/* LOGIN: the server asks first */
	}
	sasl_encode_wipe(&plain, response);
	return true;
}

/* Quote the server's decoded challenge (an error report) into err. */
static void
sasl_quote_challenge(const char *challenge, size_t len, struct str *err)
{
	struct str text = STR_INIT;

	if (base64_decode(challenge, len, &text))
		str_append_escaped(err, text.data, text.len);
	else
		str_append_escaped(err, challenge, len);
	str_free(&text);
}

int
sasl_next(struct sasl_client *c, const char *challenge, size_t len,
    struct str *response, struct str *err)
{
	struct str plain = STR_INIT;

	c->step++;
	switch (c->mech) {
	case SASL_LOGIN:
		/* Username, then password; the prompts' wording varies. */
		if (c->step == 1) {
			str_appendz(&plain, c->user);
			sasl_encode_wipe(&plain, response);
			return SASL_OK;
		}
		if (c->step == 2) {
			str_appends(&plain, c->secret);
			sasl_encode_wipe(&plain, response);
			return SASL_OK;
		}
		break;
	case SASL_XOAUTH2:
		/* A 334 here carries the error; an empty line ends it. */
		str_appendz(err, "the server refused the OAuth2 token: ");
		sasl_quote_challenge(challenge, len, err);
		return SASL_EFAIL;
	case SASL_OAUTHBEARER:
		/* RFC 7628 section 3.2.3: the client answers with %x01. */
		str_appendz(err, "the server refused the OAuth2 token: ");
		sasl_quote_challenge(challenge, len, err);
		str_appendz(response, "AQ==");
		return SASL_EFAIL;
	default:
		break;
	}
	str_appendf(err, "unexpected challenge in %s step %d: ",
	    sasl_mech_name(c->mech), c->step);
	sasl_quote_challenge(challenge, len, err);
	str_appendc(response, '*');	/* RFC 4954: cancel the exchange */
	return SASL_EFAIL;
}
