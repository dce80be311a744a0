/*
 * oauth2 - the texts of the token life cycle: the token file, the token
 * endpoint's answers and the device authorization answer.  Everything
 * that touches files or the network is in oauth2_flow.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "json.h"
#include "oauth2.h"
#include "util.h"

#define OAUTH2_QUOTE_MAX	300
#define OAUTH2_DEFAULT_LIFE	3600

bool
oauth2_token_ok(const char *s, size_t len)
{
	size_t i = 0;

	/* b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
	   "/" ) *"=" */
	while (i < len && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
	    (s[i] >= '0' && s[i] <= '9') || strchr("-._~+/", s[i]) != NULL) &&
	    s[i] != '\0')
		i++;
	if (i == 0)
		return false;
	while (i < len && s[i] == '=')
		i++;
	return i == len && len <= OAUTH2_MAX_TOKEN;
}

/* A refresh token is opaque: printable ASCII without spaces. */
static bool
oauth2_refresh_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return i > 0 && i <= OAUTH2_MAX_TOKEN;
}

/* What a server says about itself, made safe to show: printable ASCII,
   bounded. */
static void
oauth2_quote(struct str *out, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < OAUTH2_QUOTE_MAX; i++)
		str_appendc(out, (unsigned char)s[i] >= 0x20 &&
		    (unsigned char)s[i] < 0x7f ? s[i] : '?');
	if (s[i] != '\0')
		str_appendz(out, "...");
}

/* Free a string that may be a secret. */
static void
oauth2_wipe(char **p)
{
	if (*p != NULL) {
		util_wipe(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void
oauth2_tokens_free(struct oauth2_tokens *t)
{
	oauth2_wipe(&t->client_id);
	oauth2_wipe(&t->token_url);
	oauth2_wipe(&t->refresh);
	oauth2_wipe(&t->access);
	t->expires_at = t->refreshed_at = t->forced_at = 0;
}

static bool
oauth2_get_time(const struct json_object *j, const char *name,
    long long *out)
{
	unsigned long long v = 0;

	if (!json_get_uint(j, name, &v) || v > (1ULL << 40))
		return false;
	*out = (long long)v;
	return true;
}

int
oauth2_tokens_parse(const char *buf, size_t len, struct oauth2_tokens *t,
    struct str *err)
{
	struct json_object j;
	unsigned long long version = 0;
	const char *cid, *url, *rt, *at;
	int rc = OAUTH2_ECONFIG;

	memset(t, 0, sizeof(*t));
	if (json_object_parse(buf, len, &j, err) != JSON_OK)
		return OAUTH2_ECONFIG;
	cid = json_get_string(&j, "client_id");
	url = json_get_string(&j, "token_url");
	rt = json_get_string(&j, "refresh_token");
	at = json_get_string(&j, "access_token");
	if (!json_get_uint(&j, "version", &version) || version != 1)
		str_appendz(err, "not a version 1 token file");
	else if (cid == NULL || url == NULL || rt == NULL)
		str_appendz(err, "client_id, token_url or refresh_token is "
		    "missing");
	else if (!oauth2_refresh_ok(rt))
		str_appendz(err, "the refresh token is empty or holds spaces "
		    "or control characters");
	else if (at != NULL && !oauth2_token_ok(at, strlen(at)))
		str_appendz(err, "the access token holds characters a bearer "
		    "token cannot have");
	else if ((json_has(&j, "expires_at") &&
	    !oauth2_get_time(&j, "expires_at", &t->expires_at)) ||
	    (json_has(&j, "refreshed_at") &&
	    !oauth2_get_time(&j, "refreshed_at", &t->refreshed_at)) ||
	    (json_has(&j, "forced_at") &&
	    !oauth2_get_time(&j, "forced_at", &t->forced_at)))
		str_appendz(err, "expires_at, refreshed_at or forced_at is not "
		    "a time");
	else {
		t->client_id = xstrdup(cid);
		t->token_url = xstrdup(url);
		t->refresh = xstrdup(rt);
		t->access = xstrdup_null(at);
		rc = OAUTH2_OK;
	}
	if (rc != OAUTH2_OK)
		t->expires_at = t->refreshed_at = t->forced_at = 0;
	json_object_free(&j);
	return rc;
}

void
oauth2_tokens_format(const struct oauth2_tokens *t, struct str *out)
{
	str_appendz(out, "{\"version\":1,\"client_id\":");
	json_append_string(out, t->client_id ? t->client_id : "");
	str_appendz(out, ",\"token_url\":");
	json_append_string(out, t->token_url ? t->token_url : "");
	str_appendz(out, ",\"refresh_token\":");
	json_append_string(out, t->refresh ? t->refresh : "");
	if (t->access != NULL) {
		str_appendz(out, ",\"access_token\":");
		json_append_string(out, t->access);
	}
	str_appendf(out, ",\"expires_at\":%lld,\"refreshed_at\":%lld,"
	    "\"forced_at\":%lld}\n", t->expires_at, t->refreshed_at,
	    t->forced_at);
}

/* An error answer: its class and text. */
static int
oauth2_refusal(long status, const struct json_object *j, struct str *code,
    struct str *err)
{
	const char *e = json_get_string(j, "error");
	const char *d = json_get_string(j, "error_description");

	str_appendf(err, "the token endpoint answered HTTP %ld", status);
	if (e != NULL) {
		oauth2_quote(code, e);
		str_appendz(err, ": ");
		oauth2_quote(err, e);
	}
	if (d != NULL) {
		str_appendz(err, ": ");
		oauth2_quote(err, d);
	}
	if (status >= 500 || status == 429)
		return OAUTH2_ETEMP;
	if (e == NULL)
		return OAUTH2_ECONFIG;
	if (strcmp(e, "invalid_grant") == 0)
		return OAUTH2_EGRANT;
	if (strcmp(e, "access_denied") == 0 ||
	    strcmp(e, "authorization_declined") == 0)
		return OAUTH2_EDENIED;
	if (strcmp(e, "expired_token") == 0)
		return OAUTH2_EEXPIRED;
	if (strcmp(e, "authorization_pending") == 0 ||
	    strcmp(e, "slow_down") == 0 ||
	    strcmp(e, "temporarily_unavailable") == 0)
		return OAUTH2_ETEMP;
	return OAUTH2_ECONFIG;
}

int
oauth2_answer(long status, const char *body, size_t len, long long now,
    struct oauth2_tokens *t, struct str *code, struct str *err)
{
	struct json_object j;
	struct str why = STR_INIT;
	const char *at, *rt, *type;
	unsigned long long life = OAUTH2_DEFAULT_LIFE;
	int rc = OAUTH2_ECONFIG;

	if (json_object_parse(body, len, &j, &why) != JSON_OK) {
		str_appendf(err, "the token endpoint answered HTTP %ld", status);
		if (status >= 500 || status == 429) {
			str_free(&why);
			return OAUTH2_ETEMP;
		}
		str_appendz(err, " with no JSON object (");
		str_appends(err, &why);
		str_appendc(err, ')');
		str_free(&why);
		return OAUTH2_ECONFIG;
	}
	str_free(&why);
	if (status != 200 || json_has(&j, "error")) {
		rc = oauth2_refusal(status, &j, code, err);
		json_object_free(&j);
		return rc;
	}
	at = json_get_string(&j, "access_token");
	rt = json_get_string(&j, "refresh_token");
	type = json_get_string(&j, "token_type");
	if (at == NULL || !oauth2_token_ok(at, strlen(at)))
		str_appendz(err, "the token endpoint's answer has no usable "
		    "access_token");
	else if (type != NULL && strcasecmp(type, "bearer") != 0)
		str_appendz(err, "the token endpoint issued a token that is not "
		    "a bearer token");
	else if (json_has(&j, "expires_in") &&
	    (!json_get_uint(&j, "expires_in", &life) || life > 366 * 86400ULL))
		str_appendz(err, "the token endpoint's expires_in is not a "
		    "number of seconds");
	else if (rt != NULL && !oauth2_refresh_ok(rt))
		str_appendz(err, "the token endpoint's refresh_token holds "
		    "spaces or control characters");
	else {
		oauth2_wipe(&t->access);
		t->access = xstrdup(at);
		if (rt != NULL) {
			oauth2_wipe(&t->refresh);
			t->refresh = xstrdup(rt);
		}
		t->expires_at = now + (long long)life;
		t->refreshed_at = now;
		rc = OAUTH2_OK;
	}
	json_object_free(&j);
	return rc;
}

void
oauth2_device_free(struct oauth2_device *d)
{
	oauth2_wipe(&d->device_code);
	free(d->user_code);
	free(d->uri);
	memset(d, 0, sizeof(*d));
}

int
oauth2_device_parse(long status, const char *body, size_t len,
    struct oauth2_device *d, struct str *err)
{
	struct json_object j;
	struct str code = STR_INIT;
	const char *dc, *uc, *uri;
	int rc = OAUTH2_ECONFIG;

	memset(d, 0, sizeof(*d));
	if (json_object_parse(body, len, &j, err) != JSON_OK) {
		str_free(&code);
		return status >= 500 ? OAUTH2_ETEMP : OAUTH2_ECONFIG;
	}
	if (status != 200 || json_has(&j, "error")) {
		rc = oauth2_refusal(status, &j, &code, err);
		json_object_free(&j);
		str_free(&code);
		return rc;
	}
	dc = json_get_string(&j, "device_code");
	uc = json_get_string(&j, "user_code");
	if ((uri = json_get_string(&j, "verification_uri")) == NULL)
		uri = json_get_string(&j, "verification_url");
	d->expires_in = 900;
	d->interval = 5;
	if (dc == NULL || uc == NULL || uri == NULL)
		str_appendz(err, "the device authorization answer lacks "
		    "device_code, user_code or verification_uri");
	else if (!oauth2_refresh_ok(dc) || !oauth2_refresh_ok(uc) ||
	    strncmp(uri, "https://", 8) != 0 || !oauth2_refresh_ok(uri))
		str_appendz(err, "the device authorization answer has an odd "
		    "device_code, user_code or verification_uri");
	else if ((json_has(&j, "expires_in") &&
	    (!json_get_uint(&j, "expires_in", &d->expires_in) ||
	    d->expires_in > 86400)) || (json_has(&j, "interval") &&
	    (!json_get_uint(&j, "interval", &d->interval) ||
	    d->interval > 600)))
		str_appendz(err, "the device authorization answer's "
		    "expires_in or interval is not a sane number of seconds");
	else {
		d->device_code = xstrdup(dc);
		d->user_code = xstrdup(uc);
		d->uri = xstrdup(uri);
		if (d->interval == 0)
			d->interval = 1;
		rc = OAUTH2_OK;
	}
	json_object_free(&j);
	str_free(&code);
	return rc;
}

int
oauth2_exitcode(int rc)
{
	switch (rc) {
	case OAUTH2_OK:
		return EX_OK;
	case OAUTH2_ECONFIG:
		return EX_CONFIG;
	case OAUTH2_EDENIED:
		return EX_NOPERM;
	default:
		return EX_TEMPFAIL;
	}
}
