/*
 * cfg_preset - the well-known submission services: host, port, TLS mode
 * and AUTH mechanism for "preset = name".  Keys written in the section
 * win over the preset, whatever their order (cfg_check.c).
 */
#include "config.h"

#include <stddef.h>
#include <strings.h>

#include "cfg_int.h"

static const struct cfg_preset presets[] = {
	{ "gmail", "smtp.gmail.com", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL },
	{ "office365", "smtp.office365.com", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, NULL },
	{ "outlook.com", "smtp-mail.outlook.com", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, NULL },
	{ "yahoo", "smtp.mail.yahoo.com", 465, CFG_TLS_IMPLICIT,
	    CFG_AUTH_AUTO, NULL },
	{ "icloud", "smtp.mail.me.com", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL },
	{ "zoho", "smtp.zoho.com", 465, CFG_TLS_IMPLICIT, CFG_AUTH_AUTO,
	    NULL },
	{ "sendgrid", "smtp.sendgrid.net", 587, CFG_TLS_STARTTLS,
	    CFG_AUTH_AUTO, "apikey" },
	{ "mailgun", "smtp.mailgun.org", 587, CFG_TLS_STARTTLS, CFG_AUTH_AUTO,
	    NULL },
	{ "amazon-ses", "email-smtp.us-east-1.amazonaws.com", 587,
	    CFG_TLS_STARTTLS, CFG_AUTH_AUTO, NULL },
};

const char *const cfg_preset_names[] = {
	"gmail", "office365", "outlook.com", "yahoo", "icloud", "zoho",
	"sendgrid", "mailgun", "amazon-ses", NULL
};

const struct cfg_preset *
cfg_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcasecmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}
