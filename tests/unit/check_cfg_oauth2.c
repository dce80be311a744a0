/*
 * Unit tests for lib/cfg's built-in OAuth2 keys (issue #14): the seven
 * oauth2_* keys, the presets that fill them, the default token file,
 * what an [account] takes from its relay, every check, the dump, and
 * root's audit of the secret and token files.
 */
#include "config.h"

#include <check.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg_fixture.h"
#include "check_main.h"
#include "cfg.h"

#define MS "https://login.microsoftonline.com/"
#define APP "00000000-1111-2222-3333-444444444444"

/* Every key written: every field, nothing from a preset or default. */
START_TEST(keys_written)
{
	const struct cfg_oauth2 *o;

	LOADS_CLEAN("[relay corp]\nhost = smtp.example.org\nusername = u\n"
	    "oauth2_client_id = " APP "\n"
	    "oauth2_client_secret_file = /etc/smtpgate/secret/corp-app\n"
	    "oauth2_scope = smtp offline\n"
	    "oauth2_token_url = https://idp.example.org/token\n"
	    "oauth2_device_url = HTTPS://idp.example.org:8443/device?x=1\n"
	    "oauth2_token_file = /var/lib/tokens/corp\n");
	o = &cfg->relays[0].oauth2;
	ck_assert_str_eq(o->client_id, APP);
	ck_assert_str_eq(o->client_secret_file,
	    "/etc/smtpgate/secret/corp-app");
	ck_assert_ptr_null(o->tenant);
	ck_assert_str_eq(o->scope, "smtp offline");
	ck_assert_str_eq(o->token_url, "https://idp.example.org/token");
	ck_assert_str_eq(o->device_url,
	    "HTTPS://idp.example.org:8443/device?x=1");
	ck_assert_str_eq(o->token_file, "/var/lib/tokens/corp");
	/* auth = auto with a client id: the token goes as XOAUTH2. */
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_XOAUTH2);
}
END_TEST

/* Without oauth2_client_id nothing is filled in, presets or not. */
START_TEST(no_client_id_nothing_filled)
{
	const struct cfg_oauth2 *o;

	LOADS_CLEAN("[relay o365]\npreset = office365\nusername = u@x.org\n"
	    "password_file = /etc/smtpgate/secret/o365\n");
	o = &cfg->relays[0].oauth2;
	ck_assert_ptr_null(o->client_id);
	ck_assert_ptr_null(o->tenant);
	ck_assert_ptr_null(o->scope);
	ck_assert_ptr_null(o->token_url);
	ck_assert_ptr_null(o->device_url);
	ck_assert_ptr_null(o->token_file);
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_AUTO);
}
END_TEST

static const struct {
	const char *preset, *tenant, *token_url, *device_url, *scope;
} presets[] = {
	{ "office365", "common", MS "common/oauth2/v2.0/token",
	    MS "common/oauth2/v2.0/devicecode",
	    "https://outlook.office.com/SMTP.Send offline_access" },
	{ "Office365", "common", MS "common/oauth2/v2.0/token",
	    MS "common/oauth2/v2.0/devicecode",
	    "https://outlook.office.com/SMTP.Send offline_access" },
	{ "outlook.com", "consumers", MS "consumers/oauth2/v2.0/token",
	    MS "consumers/oauth2/v2.0/devicecode",
	    "https://outlook.office.com/SMTP.Send offline_access" },
	{ "gmail", NULL, "https://oauth2.googleapis.com/token",
	    "https://oauth2.googleapis.com/device/code",
	    "https://mail.google.com/" },
};

START_TEST(preset_fills)
{
	const struct cfg_oauth2 *o;
	char text[512];

	snprintf(text, sizeof(text), "[relay r]\npreset = %s\nusername = "
	    "me@example.org\noauth2_client_id = " APP "\n",
	    presets[_i].preset);
	LOADS_CLEAN(text);
	o = &cfg->relays[0].oauth2;
	if (presets[_i].tenant != NULL)
		ck_assert_str_eq(o->tenant, presets[_i].tenant);
	else
		ck_assert_ptr_null(o->tenant);
	ck_assert_str_eq(o->token_url, presets[_i].token_url);
	ck_assert_str_eq(o->device_url, presets[_i].device_url);
	ck_assert_str_eq(o->scope, presets[_i].scope);
	ck_assert_ptr_null(o->client_secret_file);
	ck_assert_str_eq(o->token_file, SMTPGATE_OAUTH2_DIR "/relay-r");
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_XOAUTH2);
}
END_TEST

/* The tenant goes into both of Microsoft's URLs; written keys win over
   the preset wherever they stand in the section. */
START_TEST(preset_tenant_and_order)
{
	const struct cfg_oauth2 *o;

	LOADS_CLEAN("[relay r]\noauth2_tenant = contoso.onmicrosoft.com\n"
	    "oauth2_client_id = " APP "\npreset = office365\n");
	o = &cfg->relays[0].oauth2;
	ck_assert_str_eq(o->tenant, "contoso.onmicrosoft.com");
	ck_assert_str_eq(o->token_url,
	    MS "contoso.onmicrosoft.com/oauth2/v2.0/token");
	ck_assert_str_eq(o->device_url,
	    MS "contoso.onmicrosoft.com/oauth2/v2.0/devicecode");

	/* Before the preset and after it: the written URL and scope win,
	   the rest still comes from the preset. */
	LOADS_CLEAN("[relay r]\noauth2_scope = https://outlook.office.com/"
	    "SMTP.Send\npreset = office365\noauth2_client_id = " APP "\n"
	    "oauth2_token_url = https://proxy.example.org/token\n");
	o = &cfg->relays[0].oauth2;
	ck_assert_str_eq(o->scope, "https://outlook.office.com/SMTP.Send");
	ck_assert_str_eq(o->token_url, "https://proxy.example.org/token");
	ck_assert_str_eq(o->device_url, MS "common/oauth2/v2.0/devicecode");

	/* Written empty: the preset's tenant, never a "{tenant}" left. */
	LOADS_CLEAN("[relay r]\npreset = outlook.com\noauth2_client_id = "
	    APP "\noauth2_tenant =\n");
	ck_assert_str_eq(cfg->relays[0].oauth2.token_url,
	    MS "consumers/oauth2/v2.0/token");

	/* An explicit auth = oauthbearer stays. */
	LOADS_CLEAN("[relay r]\npreset = gmail\nauth = oauthbearer\n"
	    "oauth2_client_id = x.apps.googleusercontent.com\n");
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_OAUTHBEARER);
}
END_TEST

/* A tenant that ends up in no URL changes nothing: a warning. */
START_TEST(tenant_unused_warns)
{
	LOADS("[relay g]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_tenant = contoso.com\n");
	DIAG_HAS("t.conf:4: warning: [relay g]: oauth2_tenant contoso.com is "
	    "not used: only preset = office365 or outlook.com puts it into the "
	    "URLs");
	ck_assert_str_eq(cfg->relays[0].oauth2.token_url,
	    "https://oauth2.googleapis.com/token");

	LOADS("[relay r]\nhost = h\noauth2_client_id = x\noauth2_scope = s\n"
	    "oauth2_token_url = https://idp.example/token\n"
	    "oauth2_tenant = t1\n");
	DIAG_HAS("t.conf:6: warning: [relay r]: oauth2_tenant t1 is not used");

	/* Written into the URLs by hand: used. */
	LOADS_CLEAN("[relay r]\nhost = h\noauth2_client_id = x\n"
	    "oauth2_scope = s\noauth2_token_url = " MS "t1/oauth2/v2.0/token\n"
	    "oauth2_tenant = t1\n");
	/* Both of the preset's URLs replaced: the tenant goes nowhere. */
	LOADS("[relay r]\npreset = office365\noauth2_client_id = x\n"
	    "oauth2_tenant = t1\n"
	    "oauth2_token_url = https://idp.example/token\n"
	    "oauth2_device_url = https://idp.example/device\n");
	DIAG_HAS("t.conf:4: warning: [relay r]: oauth2_tenant t1 is not used");
}
END_TEST

START_TEST(values_refused)
{
	FAILS("[relay r]\nhost = h\noauth2_client_id = x\noauth2_scope = s\n"
	    "oauth2_token_url = http://idp.example/token\n",
	    "t.conf:5: oauth2_token_url: 'http://idp.example/token' is not an "
	    "https:// URL");
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_device_url = idp.example/device\n",
	    "t.conf:4: oauth2_device_url: 'idp.example/device' is not an "
	    "https:// URL");
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_token_url = https:///token\n", "names no host");
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_token_url = https://idp.example/a b\n",
	    "a URL holds no spaces");
	FAILS("[relay r]\npreset = office365\noauth2_client_id = x\n"
	    "oauth2_tenant = ../common\n", "t.conf:4: oauth2_tenant: invalid "
	    "tenant '../common'");
	FAILS("[relay r]\npreset = office365\noauth2_client_id = x\n"
	    "oauth2_tenant = ..\n", "invalid tenant '..'");
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_token_file = tokens/r\n", "t.conf:4: oauth2_token_file: "
	    "'tokens/r' is not an absolute path");
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_client_secret_file = secret.json\n",
	    "t.conf:4: oauth2_client_secret_file: 'secret.json' is not an "
	    "absolute path");
	FAILS("[account a@b.example]\noauth2_token_url = ftp://x/\n",
	    "oauth2_token_url: 'ftp://x/' is not an https:// URL");
}
END_TEST

START_TEST(client_id_needs_endpoint_and_scope)
{
	FAILS("[relay r]\nhost = h\nusername = u\n\noauth2_client_id = x\n",
	    "t.conf:5: [relay r]: oauth2_client_id but no oauth2_token_url; "
	    "set oauth2_token_url, or preset = office365, outlook.com or "
	    "gmail");
	FAILS("[relay r]\nhost = h\noauth2_client_id = x\n",
	    "t.conf:3: [relay r]: oauth2_client_id but no oauth2_scope; set "
	    "oauth2_scope");
	/* A preset without OAuth2 endpoints fills nothing. */
	FAILS("[relay r]\npreset = yahoo\noauth2_client_id = x\n",
	    "[relay r]: oauth2_client_id but no oauth2_token_url");
	/* Emptied in the section: not the preset's. */
	FAILS("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "oauth2_token_url =\n", "oauth2_client_id but no oauth2_token_url");
	/* device_url is only --oauth2-login's: not required. */
	LOADS_CLEAN("[relay r]\nhost = h\noauth2_client_id = x\n"
	    "oauth2_scope = s\noauth2_token_url = https://idp.example/t\n");
	ck_assert_ptr_null(cfg->relays[0].oauth2.device_url);
}
END_TEST

/* One login, one secret: OAuth2 or a password, never both. */
START_TEST(client_id_and_password)
{
	FAILS("[relay r]\npreset = office365\nusername = u\n"
	    "password_file = /etc/smtpgate/secret/r\noauth2_client_id = x\n",
	    "t.conf:5: [relay r]: oauth2_client_id and password_file are both "
	    "set; keep one");
	FAILS("[relay r]\npreset = office365\noauth2_client_id = x\n"
	    "password_command = /usr/bin/token\n",
	    "t.conf:3: [relay r]: oauth2_client_id and password_command are "
	    "both set; keep one");
	FAILS("[relay r]\npreset = office365\n[account a@example.org]\n"
	    "oauth2_client_id = x\npassword_file = /etc/smtpgate/secret/a\n",
	    "t.conf:4: [account a@example.org]: oauth2_client_id and "
	    "password_file are both set; keep one");
	FAILS("[general]\nusername = u\npassword_file = /etc/smtpgate/secret/g\n"
	    "[relay r]\npreset = office365\ncredentials = default\n"
	    "oauth2_client_id = x\n", "t.conf:7: [relay r]: oauth2_client_id "
	    "and credentials = default are both set; keep one");
}
END_TEST

/* A mechanism that sends a password cannot carry the token. */
START_TEST(client_id_and_auth)
{
	FAILS("[relay r]\npreset = office365\nauth = plain\n"
	    "oauth2_client_id = x\n", "t.conf:3: [relay r]: oauth2_client_id "
	    "with auth = plain, which sends a password; set auth = xoauth2, "
	    "oauthbearer or auto");
	FAILS("[relay r]\npreset = office365\nauth = none\n"
	    "oauth2_client_id = x\n", "with auth = none");
	FAILS("[relay r]\npreset = office365\nauth = login\n"
	    "username = u\npassword_file = /etc/smtpgate/secret/r\n"
	    "[account a@example.org]\noauth2_client_id = x\n",
	    "t.conf:7: [account a@example.org]: oauth2_client_id, but [relay r] "
	    "has auth = login, which sends a password; set auth = xoauth2, "
	    "oauthbearer or auto there");
}
END_TEST

/* oauth2_* keys without a client id to use them with. */
START_TEST(stray_keys)
{
	FAILS("[relay r]\npreset = office365\nusername = u\n"
	    "password_file = /etc/smtpgate/secret/r\noauth2_tenant = contoso\n"
	    "oauth2_token_file = /var/lib/t\n",
	    "t.conf:5: [relay r]: oauth2_tenant is set but oauth2_client_id is "
	    "not; set oauth2_client_id (the app's id) or remove oauth2_tenant");
	DIAG_HAS("t.conf:6: [relay r]: oauth2_token_file is set but "
	    "oauth2_client_id is not");
	FAILS("[relay r]\nhost = h\n[account a@example.org]\n"
	    "password_file = /etc/smtpgate/secret/a\n"
	    "oauth2_scope = x\n", "t.conf:5: [account a@example.org]: "
	    "oauth2_scope is set but oauth2_client_id is not (the account logs "
	    "in with its password)");
	FAILS("[relay r]\nhost = h\n[account a@example.org]\n"
	    "oauth2_client_secret_file = /etc/smtpgate/secret/app\n",
	    "t.conf:4: [account a@example.org]: oauth2_client_secret_file is "
	    "set but oauth2_client_id is not, here or in [relay r]");
	/* The relay's app: the account's own scope would be ignored. */
	FAILS("[relay r]\npreset = office365\noauth2_client_id = x\n"
	    "[account a@example.org]\noauth2_scope = y\n",
	    "t.conf:5: [account a@example.org]: oauth2_scope is set but the "
	    "account uses the OAuth2 app of [relay r] (it has no "
	    "oauth2_client_id of its own)");
}
END_TEST

/* An account without a client id and without a password signs in with
   its relay's app, into a token file of its own. */
START_TEST(account_inherits)
{
	const struct cfg_oauth2 *r, *a;

	LOADS_CLEAN("[relay o365]\npreset = office365\nusername = "
	    "robot@example.org\noauth2_client_id = " APP "\n"
	    "oauth2_client_secret_file = /etc/smtpgate/secret/app\n"
	    "oauth2_tenant = example.org\n"
	    "[account alice@example.org]\n"
	    "[account bob@example.org]\noauth2_token_file = /var/lib/t/bob\n"
	    "[account carol@example.org]\npassword_file = "
	    "/etc/smtpgate/secret/carol\n");
	r = &cfg->relays[0].oauth2;
	a = &cfg->accounts[0].oauth2;
	ck_assert_str_eq(a->client_id, APP);
	ck_assert_str_eq(a->client_secret_file, "/etc/smtpgate/secret/app");
	ck_assert_str_eq(a->tenant, "example.org");
	ck_assert_str_eq(a->scope, r->scope);
	ck_assert_str_eq(a->token_url, MS "example.org/oauth2/v2.0/token");
	ck_assert_str_eq(a->device_url, r->device_url);
	/* Copies, not the relay's pointers: cfg_free() frees each once. */
	ck_assert_ptr_ne(a->client_id, r->client_id);
	ck_assert_str_eq(a->token_file,
	    SMTPGATE_OAUTH2_DIR "/account-alice@example.org");
	ck_assert_str_eq(r->token_file, SMTPGATE_OAUTH2_DIR "/relay-o365");
	ck_assert_str_eq(cfg->accounts[1].oauth2.client_id, APP);
	ck_assert_str_eq(cfg->accounts[1].oauth2.token_file, "/var/lib/t/bob");
	/* A password of its own: no OAuth2 at all. */
	ck_assert_ptr_null(cfg->accounts[2].oauth2.client_id);
	ck_assert_ptr_null(cfg->accounts[2].oauth2.token_file);
}
END_TEST

/* An account's own app: its keys, else its relay's preset with its own
   tenant; nothing of the relay's app (secret, tenant, client id). */
START_TEST(account_own_app)
{
	const struct cfg_oauth2 *a;

	LOADS_CLEAN("[relay o365]\npreset = office365\nusername = u\n"
	    "oauth2_client_id = relay-app\noauth2_tenant = example.org\n"
	    "oauth2_client_secret_file = /etc/smtpgate/secret/app\n"
	    "[account sales@example.org]\nrelay = o365\n"
	    "oauth2_client_id = sales-app\noauth2_tenant = sales.example\n");
	a = &cfg->accounts[0].oauth2;
	ck_assert_str_eq(a->client_id, "sales-app");
	ck_assert_ptr_null(a->client_secret_file);
	ck_assert_str_eq(a->tenant, "sales.example");
	ck_assert_str_eq(a->token_url, MS "sales.example/oauth2/v2.0/token");
	ck_assert_str_eq(a->scope,
	    "https://outlook.office.com/SMTP.Send offline_access");
	ck_assert_str_eq(a->token_file,
	    SMTPGATE_OAUTH2_DIR "/account-sales@example.org");

	/* On a relay without a preset it writes its own endpoint. */
	FAILS("[relay r]\nhost = h\nusername = u\npassword_file = /s/r\n"
	    "[account a@example.org]\noauth2_client_id = x\n",
	    "t.conf:6: [account a@example.org]: oauth2_client_id but no "
	    "oauth2_token_url; set oauth2_token_url, or preset = office365, "
	    "outlook.com or gmail in [relay r]");
}
END_TEST

/* The default file name keeps an address to one file of the directory. */
START_TEST(token_file_default_escaped)
{
	LOADS_CLEAN("[relay r]\npreset = gmail\noauth2_client_id = x\n"
	    "[account a/../../b@example.org]\n");
	ck_assert_str_eq(cfg->accounts[0].oauth2.token_file,
	    SMTPGATE_OAUTH2_DIR "/account-a%2F..%2F..%2Fb@example.org");
}
END_TEST

/* The secret check of an [account] counts OAuth2 as its secret. */
START_TEST(account_secret_source)
{
	static const char milter[] = "[relay r]\nhost = h\n"
	    "[account a@example.org]\n";

	FAILS("[relay r]\nhost = h\n[account a@example.org]\n",
	    "t.conf:3: [account a@example.org]: no password_file or "
	    "password_command, and no oauth2_client_id here or in its relay");
	LOADS_CLEAN("[relay r]\nhost = h\n[account a@example.org]\n"
	    "oauth2_client_id = x\noauth2_scope = s\n"
	    "oauth2_token_url = https://idp.example/token\n");
	ck_assert_int_eq(load_flags(milter, CFG_NO_FILE_CHECKS |
	    CFG_NO_SECRETS), CFG_OK);
}
END_TEST

/* auth = xoauth2 or oauthbearer sends a token: there must be one. */
START_TEST(token_mechanism_needs_source)
{
	static const char milter[] = "[relay r]\nhost = h\nauth = xoauth2\n";

	FAILS("[relay r]\nhost = h\nusername = u\nauth = xoauth2\n",
	    "t.conf:4: [relay r]: auth = xoauth2 but no token to send: set "
	    "oauth2_client_id (smtpgate signs in and refreshes the token) or "
	    "password_command (a program that prints one)");
	FAILS("[relay r]\npreset = gmail\nauth = oauthbearer\n",
	    "t.conf:3: [relay r]: auth = oauthbearer but no token to send");
	/* A token from a program or a file, as before the built-in one. */
	LOADS_CLEAN("[relay r]\nhost = h\nauth = xoauth2\nusername = u\n"
	    "password_command = /usr/bin/token u\n");
	LOADS_CLEAN("[relay r]\nhost = h\nauth = xoauth2\nusername = u\n"
	    "password_file = /run/token\n");
	/* [general]'s login. */
	LOADS_CLEAN("[general]\nusername = u\npassword_command = /usr/bin/t\n"
	    "[relay r]\nhost = h\nauth = xoauth2\ncredentials = default\n");
	/* A disabled relay sends nothing. */
	LOADS_CLEAN("[relay r]\nhost = h\nauth = xoauth2\nenabled = no\n"
	    "[relay s]\nhost = h\n");
	/* Accounts with their own: only mail without an account fails. */
	LOADS("[relay r]\nhost = h\nauth = xoauth2\n"
	    "[account a@example.org]\npassword_command = /usr/bin/token a\n");
	DIAG_HAS("t.conf:3: warning: [relay r]: auth = xoauth2 but no token of "
	    "its own: mail from senders without an [account] will fail at "
	    "AUTH");
	/* The milter never logs in. */
	ck_assert_int_eq(load_flags(milter, CFG_NO_FILE_CHECKS |
	    CFG_NO_SECRETS), CFG_OK);
	ck_assert_uint_eq(diag.len, 0);
}
END_TEST

/* The client secret file is checked like a password file. */
START_TEST(client_secret_file_checks)
{
	const char *secret;
	char text[1024], want[1024];

	secret = writefile("app-secret", "s3cr3t-value\n", 0644);
	snprintf(text, sizeof(text), "[relay r]\npreset = gmail\n"
	    "oauth2_client_id = x\noauth2_client_secret_file = %s\n", secret);
	ck_assert_int_eq(load_flags(text, 0), CFG_OK);
	snprintf(want, sizeof(want), "t.conf:4: warning: "
	    "oauth2_client_secret_file %s is readable or writable by others "
	    "(mode 0644); chmod o-rwx", secret);
	DIAG_HAS(want);
	ck_assert_ptr_null(strstr(str_cstr(&diag), "s3cr3t"));
	ck_assert_int_eq(chmod(secret, 0600), 0);
	ck_assert_int_eq(load_flags(text, 0), CFG_OK);
	ck_assert_uint_eq(diag.len, 0);

	snprintf(text, sizeof(text), "[relay r]\npreset = gmail\n"
	    "oauth2_client_id = x\noauth2_client_secret_file = %s/missing\n",
	    tmpdir);
	ck_assert_int_eq(load_flags(text, 0), CFG_EINVAL);
	snprintf(want, sizeof(want), "t.conf:4: oauth2_client_secret_file "
	    "%s/missing: No such file or directory", tmpdir);
	DIAG_HAS(want);
	/* The setgid shim reads as its caller: not looked at. */
	ck_assert_int_eq(load_flags(text, CFG_NO_FILE_CHECKS), CFG_OK);
}
END_TEST

/* --check-config shows the keys, the secret file by path, and what it
   prints loads again to the same settings. */
START_TEST(dump_and_reload)
{
	struct str d1 = STR_INIT, d2 = STR_INIT;
	struct cfg *first;

	LOADS_CLEAN("[relay o365]\npreset = office365\nusername = u\n"
	    "oauth2_client_id = " APP "\n"
	    "oauth2_client_secret_file = /etc/smtpgate/secret/app\n"
	    "[account a@example.org]\n");
	cfg_dump(cfg, &d1);
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "[relay o365]\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "\nauth = xoauth2\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "\noauth2_client_id = " APP "\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "\noauth2_client_secret_file = /etc/smtpgate/secret/app\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "\noauth2_tenant = common\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "\noauth2_token_url = " MS "common/oauth2/v2.0/token\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "\noauth2_token_file = " SMTPGATE_OAUTH2_DIR "/relay-o365\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "\noauth2_token_file = "
	    SMTPGATE_OAUTH2_DIR "/account-a@example.org\n"));
	first = cfg;
	cfg = NULL;
	ck_assert_msg(load(str_cstr(&d1)) == CFG_OK, "%s", str_cstr(&diag));
	cfg_dump(cfg, &d2);
	/* The first line names the file. */
	ck_assert_str_eq(strchr(str_cstr(&d1), '\n'),
	    strchr(str_cstr(&d2), '\n'));
	cfg_free(first);
	str_free(&d1);
	str_free(&d2);
}
END_TEST

/*
 * Root's audit: the directory of the token files root:GROUP 2770, a
 * token file GROUP 0660, the client secret like a password file.  The
 * group is this process's own, so that the test needs no root.
 */
static unsigned
audit(const char *conf, struct str *out, unsigned *warnings)
{
	struct group *gr = getgrgid(getgid());
	char group[256];

	ck_assert_ptr_nonnull(gr);
	snprintf(group, sizeof(group), "%s", gr->gr_name);
	str_reset(out);
	ck_assert_msg(load_flags(conf, CFG_NO_FILE_CHECKS) == CFG_OK, "%s",
	    str_cstr(&diag));
	return cfg_audit(cfg, group, true, warnings, out);
}

#define OUT_HAS(want)							\
	ck_assert_msg(strstr(str_cstr(&out), (want)) != NULL,		\
	    "audit \"%s\" lacks \"%s\"", str_cstr(&out), (want))

START_TEST(audit_token_files)
{
	struct str out = STR_INIT;
	struct group *gr = getgrgid(getgid());
	char text[4096], want[4096], dir[128], tok[192], secret[192];
	unsigned errors, warnings;

	ck_assert_ptr_nonnull(gr);
	snprintf(dir, sizeof(dir), "%s/oauth2", tmpdir);
	snprintf(tok, sizeof(tok), "%s/relay-r", dir);
	snprintf(secret, sizeof(secret), "%s/app", tmpdir);
	snprintf(text, sizeof(text), "[relay r]\npreset = office365\n"
	    "username = u\noauth2_client_id = x\noauth2_token_file = %s\n"
	    "oauth2_client_secret_file = %s\n[queue]\ndir = %s\n", tok,
	    secret, tmpdir);
	writefile("app", "s\n", 0640);
	/* The group enters the test's directory (mkdtemp made it 0700). */
	ck_assert_int_eq(chmod(tmpdir, 0751), 0);

	/* No directory yet: it is made with the right owner and mode. */
	errors = audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "t.conf:1: warning: [relay r] "
	    "oauth2_token_file %s: its directory %s does not exist yet; fix: "
	    "install -d -o root -g %s -m 2770 %s\n", tok, dir, gr->gr_name,
	    dir);
	OUT_HAS(want);

	/* A directory the group cannot write. */
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	errors = audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "t.conf:1: [relay r] oauth2_token_file "
	    "%s: group %s cannot write its directory %s", tok, gr->gr_name,
	    dir);
	OUT_HAS(want);
	snprintf(want, sizeof(want), "; fix: chgrp %s %s && chmod 2770 %s\n",
	    gr->gr_name, dir, dir);
	OUT_HAS(want);
	ck_assert_uint_ge(errors, 1);

	/* Written by the group but open to others, without setgid. */
	ck_assert_int_eq(chmod(dir, 0775), 0);
	audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "warning: [relay r] oauth2_token_file "
	    "%s: its directory %s is", tok, dir);
	OUT_HAS(want);
	snprintf(want, sizeof(want), "not mode 2770 (tokens are for root and "
	    "the group only, and new files keep the group); fix: chmod 2770 "
	    "%s\n", dir);
	OUT_HAS(want);

	/* As documented, no token yet: sign in. */
	ck_assert_int_eq(chmod(dir, 02770), 0);
	errors = audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "t.conf:1: warning: [relay r] "
	    "oauth2_token_file %s does not exist: no one has signed in yet; "
	    "fix: smtpgate-sendmail -C t.conf --oauth2-login --relay r\n", tok);
	OUT_HAS(want);
	ck_assert_ptr_null(strstr(str_cstr(&out), "cannot write its"));

	/* A token file the group cannot rewrite. */
	writefile("oauth2/relay-r", "{}\n", 0600);
	errors = audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "t.conf:1: [relay r] oauth2_token_file "
	    "%s: group %s cannot read and rewrite it", tok, gr->gr_name);
	OUT_HAS(want);
	snprintf(want, sizeof(want), "; fix: chgrp %s %s && chmod 0660 %s\n",
	    gr->gr_name, tok, tok);
	OUT_HAS(want);
	ck_assert_uint_ge(errors, 1);

	/* Readable by others: the refresh token is out. */
	ck_assert_int_eq(chmod(tok, 0664), 0);
	audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "[relay r] oauth2_token_file %s is "
	    "readable by others", tok);
	OUT_HAS(want);
	snprintf(want, sizeof(want), "fix: chmod 0660 %s\n", tok);
	OUT_HAS(want);

	/* As documented: nothing about the token or its directory (nor,
	   as root, about the secret, which a user would own here). */
	ck_assert_int_eq(chmod(tok, 0660), 0);
	audit(text, &out, &warnings);
	ck_assert_msg(strstr(str_cstr(&out), "oauth2_token_file") == NULL,
	    "%s", str_cstr(&out));
	if (getuid() == 0)
		ck_assert_msg(strstr(str_cstr(&out), "oauth2_client_secret_file")
		    == NULL, "%s", str_cstr(&out));

	/* The client secret the group cannot read: as a password file. */
	ck_assert_int_eq(chmod(secret, 0600), 0);
	errors = audit(text, &out, &warnings);
	snprintf(want, sizeof(want), "t.conf:1: [relay r] "
	    "oauth2_client_secret_file %s: group %s cannot read it", secret,
	    gr->gr_name);
	OUT_HAS(want);
	ck_assert_uint_ge(errors, 1);
	str_free(&out);
}
END_TEST

/*
 * The commented OAuth2 examples of conf/smtpgate.conf load once
 * uncommented: the lines from "#[relay NAME]" to the first line that is
 * not "#key = ...".
 */
static void
example(const char *name, struct str *out)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], head[128];
	const char *p, *nl;
	FILE *f;
	long n;
	char *text;

	snprintf(path, sizeof(path), "%s/conf/smtpgate.conf",
	    srcdir ? srcdir : ".");
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	text = calloc(1, 1 << 16);
	ck_assert_ptr_nonnull(text);
	n = (long)fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	ck_assert_int_gt(n, 0);
	snprintf(head, sizeof(head), "\n#[relay %s]\n", name);
	ck_assert_ptr_nonnull(p = strstr(text, head));
	for (p++; *p == '#' && p[1] != ' ' && p[1] != '\n'; p = nl + 1) {
		ck_assert_ptr_nonnull(nl = strchr(p, '\n'));
		str_append(out, p + 1, (size_t)(nl - p));
	}
	free(text);
}

START_TEST(shipped_examples)
{
	struct str text = STR_INIT;

	example("office365", &text);
	LOADS_CLEAN(str_cstr(&text));
	ck_assert_str_eq(cfg->relays[0].oauth2.token_url,
	    MS "example.org/oauth2/v2.0/token");
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_XOAUTH2);
	str_reset(&text);
	example("gmail", &text);
	LOADS_CLEAN(str_cstr(&text));
	ck_assert_str_eq(cfg->relays[0].oauth2.scope,
	    "https://mail.google.com/");
	ck_assert_str_eq(cfg->relays[0].oauth2.client_secret_file,
	    "/etc/smtpgate/secret/gmail-client");
	str_free(&text);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("cfg_oauth2");
	TCase *tc = tcase_create("cfg_oauth2");

	cfg_fixture_start();
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, keys_written);
	tcase_add_test(tc, no_client_id_nothing_filled);
	tcase_add_loop_test(tc, preset_fills, 0,
	    (int)(sizeof(presets) / sizeof(presets[0])));
	tcase_add_test(tc, preset_tenant_and_order);
	tcase_add_test(tc, tenant_unused_warns);
	tcase_add_test(tc, values_refused);
	tcase_add_test(tc, client_id_needs_endpoint_and_scope);
	tcase_add_test(tc, client_id_and_password);
	tcase_add_test(tc, client_id_and_auth);
	tcase_add_test(tc, stray_keys);
	tcase_add_test(tc, account_inherits);
	tcase_add_test(tc, account_own_app);
	tcase_add_test(tc, token_file_default_escaped);
	tcase_add_test(tc, account_secret_source);
	tcase_add_test(tc, token_mechanism_needs_source);
	tcase_add_test(tc, client_secret_file_checks);
	tcase_add_test(tc, dump_and_reload);
	tcase_add_test(tc, audit_token_files);
	tcase_add_test(tc, shipped_examples);
	suite_add_tcase(s, tc);
	return s;
}
