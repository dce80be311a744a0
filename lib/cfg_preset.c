/*
 * cfg_preset - the well-known submission services: host, port, TLS mode
 * and AUTH mechanism for "preset = name", and for the services with
 * built-in OAuth2 their token and device endpoints and scope.  Keys
 * written in the section win over the preset, whatever their order
 * (cfg_check.c).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"

/* Microsoft's identity platform: the tenant is part of the path.
   "common" takes work and personal accounts, "consumers" personal ones
   only (outlook.com, hotmail.com), which is what smtp-mail.outlook.com
   serves. */
#define MS_LOGIN	"https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
#define MS_SCOPE	"https://outlook.office.com/SMTP.Send offline_access"
#define MS_OAUTH2(tenant) MS_LOGIN "/token", MS_LOGIN "/devicecode", \
	MS_SCOPE, tenant
#define NO_OAUTH2	NULL, NULL, NULL, NULL
#define GOOGLE_OAUTH2	"https://oauth2.googleapis.com/token", \
	"https://oauth2.googleapis.com/device/code", \
	"https://mail.google.com/", NULL

static const struct cfg_preset presets[] = {
	{ "gmail", "smtp.gmail.com", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL, GOOGLE_OAUTH2 },
	{ "office365", "smtp.office365.com", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, NULL, MS_OAUTH2("common") },
	{ "outlook.com", "smtp-mail.outlook.com", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, NULL, MS_OAUTH2("consumers") },
	{ "yahoo", "smtp.mail.yahoo.com", 465, CFG_TLS_IMPLICIT,
	    CFG_AUTH_AUTO, NULL, NO_OAUTH2 },
	{ "icloud", "smtp.mail.me.com", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL, NO_OAUTH2 },
	{ "zoho", "smtp.zoho.com", 465, CFG_TLS_IMPLICIT, CFG_AUTH_AUTO,
	    NULL, NO_OAUTH2 },
	{ "sendgrid", "smtp.sendgrid.net", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, "apikey", NO_OAUTH2 },
	{ "mailgun", "smtp.mailgun.org", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL, NO_OAUTH2 },
	{ "amazon-ses", "email-smtp.us-east-1.amazonaws.com", 587,
	    CFG_TLS_STARTTLS, CFG_AUTH_AUTO, NULL, NO_OAUTH2 },
};

const char *const cfg_preset_names[] = {
	"gmail", "office365", "outlook.com", "yahoo", "icloud", "zoho",
	"sendgrid", "mailgun", "amazon-ses", NULL
};

char *
cfg_preset_url(const char *tmpl, const char *tenant)
{
	static const char mark[] = "{tenant}";
	const char *at;
	struct str out = STR_INIT;

	if (tmpl == NULL)
		return NULL;
	if (tenant == NULL || (at = strstr(tmpl, mark)) == NULL)
		return xstrdup(tmpl);
	str_set(&out, tmpl, (size_t)(at - tmpl));
	str_appendz(&out, tenant);
	str_appendz(&out, at + sizeof(mark) - 1);
	return str_detach(&out);
}

const struct cfg_preset *
cfg_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcasecmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}
