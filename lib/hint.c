/*
 * hint - advice for a failed relay attempt.  See hint.h.
 *
 * The order matters: the most specific evidence first (an enhanced status
 * code that names the cause beats the bare 535 it comes with; a port
 * number that explains a silence beats the silence alone).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "hint.h"
#include "net.h"

/* The ports the applications' help pages call safe: others are often
   blocked by hosting providers and company firewalls. */
static bool
hint_usual_port(unsigned port)
{
	return port == 25 || port == 587 || port == 465;
}

/*
 * The TLS mode does not fit the port: what each side of the connection
 * does first gives it away.  Returns true when it said something.
 */
static bool
hint_tls_mode(const struct cfg_relay *r, const struct smtp_result *res,
    struct str *out)
{
	unsigned port = r->port;

	/* tls = implicit, and the port greeted in plain text. */
	if (r->tls == CFG_TLS_IMPLICIT && res->net == NET_EPLAIN) {
		str_appendf(out, "port %u speaks plain SMTP first and expects "
		    "STARTTLS, not TLS at once: set tls = starttls (ports 587 "
		    "and 25 work that way), or port = 465 to keep tls = "
		    "implicit", port);
		return true;
	}
	if (r->tls == CFG_TLS_IMPLICIT || res->stage != SMTP_STAGE_GREETING)
		return false;
	/* A greeting that never came: the server waits for our TLS
	   handshake.  On 465 that is certain enough to say so. */
	if (port == 465 && r->preset != NULL) {
		str_appendf(out, "preset = %s uses STARTTLS on port 587, but "
		    "port 465 speaks TLS at once: add tls = implicit to "
		    "[relay %s], or remove port = 465", r->preset, r->name);
		return true;
	}
	if (port == 465) {
		str_appendz(out, "port 465 speaks TLS at once, so no plain-text "
		    "greeting comes: set tls = implicit (or port = 587 to keep "
		    "tls = starttls)");
		return true;
	}
	if (res->net == NET_ETIMEOUT) {
		str_appendf(out, "no greeting from port %u within timeout = %u "
		    "seconds: if the port speaks TLS at once (as 465 does), set "
		    "tls = implicit; otherwise the server is overloaded or "
		    "timeout is too short", port, r->timeout);
		return true;
	}
	return false;
}

/* Connecting failed: the port, the host or a firewall. */
static bool
hint_connect(const struct cfg_relay *r, const struct smtp_result *res,
    struct str *out)
{
	if (res->stage != SMTP_STAGE_CONNECT)
		return false;
	if (res->net == NET_ETIMEOUT && r != NULL &&
	    !hint_usual_port(r->port)) {
		str_appendf(out, "no answer from port %u within timeout = %u "
		    "seconds: firewalls and hosting providers often block "
		    "ports other than 587 and 465; set port = 587 with tls = "
		    "starttls, or port = 465 with tls = implicit", r->port,
		    r->timeout);
		return true;
	}
	if (res->net == NET_ETIMEOUT) {
		str_appendz(out, "no answer: a firewall probably drops the "
		    "connection, or host is wrong; check host and port (port "
		    "25 is often blocked for clients: use 587 or 465)");
		return true;
	}
	if (res->net == NET_ECONNECT) {
		str_appendz(out, "nothing listens there: check host and port, "
		    "or a firewall blocks the port");
		return true;
	}
	if (res->net == NET_ERESOLVE) {
		str_appendz(out, "the host name does not resolve: check host "
		    "(and this machine's DNS)");
		return true;
	}
	return false;
}

static bool
hint_tls(const struct smtp_result *res, struct str *out)
{
	if (res->status != SMTP_TLSFAIL)
		return false;
	/* Failed at STARTTLS with no reply and no handshake: not offered. */
	if (res->stage == SMTP_STAGE_STARTTLS && res->reply.code == 0 &&
	    res->net == NET_OK) {
		str_appendz(out, "the server has no STARTTLS on this port: check "
		    "host, port and tls (implicit TLS is usually port 465)");
		return true;
	}
#ifdef SMTPGATE_LIBSSL_SONAME
	/* lib/tls_ossl.c names the library it could not load or use. */
	if (strstr(str_cstr(&res->text), SMTPGATE_LIBSSL_SONAME) != NULL) {
		str_appendz(out, "OpenSSL (" SMTPGATE_LIBSSL_SONAME ") is "
		    "missing or broken: reinstall the OpenSSL library package");
		return true;
	}
#endif
	str_appendz(out, "check host (it must match the certificate) and "
	    "tls_ca_file");
	return true;
}

/* What the server said, by its enhanced status code and its words. */
static bool
hint_reply(const struct smtp_reply *r, enum smtp_stage stage,
    struct str *out)
{
	const char *t = str_cstr(&r->text);

	if (r->code == 0)
		return false;
	/* Office 365: SMTP AUTH off for the tenant or mailbox (5.7.139),
	   basic authentication retired (5.7.30).  Its 535 5.7.3 is no
	   evidence of that: it answers a plain wrong password so too, and
	   the 535 hint below names both causes. */
	if (smtp_reply_esc_is(r, 5, 7, 139) ||
	    smtp_reply_esc_is(r, 5, 7, 30)) {
		str_appendz(out, "the server has password (basic) "
		    "authentication turned off for this account: sign in with "
		    "OAuth2 instead (auth = xoauth2 and oauth2_client_id, then "
		    "smtpgate-sendmail --oauth2-login), or have SMTP AUTH "
		    "enabled for the mailbox");
		return true;
	}
	/* Google: the account must be unlocked in a browser first. */
	if (smtp_reply_esc_is(r, 5, 7, 14)) {
		str_appendz(out, "Google wants a web browser login for this "
		    "account first: sign in at https://accounts.google.com as "
		    "username, then try again; lasting fix: an app password in "
		    "password_file, or auth = xoauth2");
		return true;
	}
	/* Office 365 connectors and Postfix's smtpd_client_restrictions:
	   mail only from known IP addresses. */
	if (smtp_reply_esc_is(r, 5, 7, 54) || smtp_reply_esc_is(r, 5, 7, 64) ||
	    strcasestr(t, "client host rejected") != NULL) {
		str_appendz(out, "the server takes mail only from authorised IP "
		    "ranges: have this host's public address added (an Office "
		    "365 connector, the relay's allowed networks), or set "
		    "username and password_file so the relay logs in");
		return true;
	}
	if (strstr(t, "SendAsDenied") != NULL ||
	    smtp_reply_esc_is(r, 5, 2, 252)) {
		str_appendz(out, "the login may not send as this From address: "
		    "use the address of username as the sender ([message] "
		    "from), or grant Send As");
		return true;
	}
	if (r->code == 534 || smtp_reply_esc_is(r, 5, 7, 9)) {
		str_appendz(out, "the provider wants an app password or OAuth2 "
		    "for this account: put an app password in password_file, "
		    "or set auth = xoauth2");
		return true;
	}
	if (r->code == 535) {
		str_appendz(out, "wrong or expired password: check username and "
		    "the password in password_file (or password_command); "
		    "Gmail, Yahoo and iCloud want an app password when 2-step "
		    "verification is on");
		if (smtp_reply_esc_is(r, 5, 7, 3))
			str_appendz(out, "; Office 365 also answers so when SMTP "
			    "AUTH is off for the mailbox (then: auth = xoauth2)");
		return true;
	}
	if (r->code == 530) {
		str_appendz(out, "the server requires STARTTLS or AUTH first: "
		    "set tls and username");
		return true;
	}
	/* At DATA or after the data, 5.7.1 is about the content. */
	if (r->code == 554 && smtp_reply_esc_is(r, 5, 7, 1) &&
	    stage != SMTP_STAGE_DATA && stage != SMTP_STAGE_DOT) {
		str_appendz(out, "relaying denied: this relay does not accept "
		    "mail for that recipient from this login or host; check "
		    "username");
		return true;
	}
	return false;
}

bool
hint_for(const struct cfg_relay *r, const struct smtp_result *res,
    struct str *out)
{
	if (r != NULL && hint_tls_mode(r, res, out))
		return true;
	/* An OAuth2 login: the token was refused even after a refresh (a
	   failed refresh says what to do itself). */
	if (r != NULL && r->oauth2.client_id != NULL &&
	    res->stage == SMTP_STAGE_AUTH && res->reply.code == 535 &&
	    strstr(str_cstr(&res->text), "OAuth2") == NULL) {
		str_appendz(out, "the server refused a fresh OAuth2 token: check "
		    "that username is the mailbox that signed in, that SMTP "
		    "AUTH is enabled for it (Office 365: Authenticated SMTP) "
		    "and that oauth2_scope allows sending");
		return true;
	}
	if (hint_connect(r, res, out))
		return true;
	/* A reply names its cause better than "TLS failed" does. */
	if (res->stage != SMTP_STAGE_CONNECT && hint_reply(&res->reply, res->stage,
	    out))
		return true;
	return hint_tls(res, out);
}
