/*
 * Unit tests for lib/cfg: the file format, every value type, presets,
 * includes, the checks across sections, dump and secrets.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cfg_fixture.h"
#include "check_main.h"
#include "cfg.h"
#include "cfg_holder.h"
#include "cfg_int.h"

START_TEST(relay_defaults)
{
	const struct cfg_relay *r;

	LOADS("[relay main]\nhost = mail.example.org\n");
	ck_assert_uint_eq(cfg->nrelays, 1);
	r = &cfg->relays[0];
	ck_assert_str_eq(r->name, "main");
	ck_assert_str_eq(r->host, "mail.example.org");
	ck_assert(r->enabled);
	ck_assert_uint_eq(r->port, 587);
	ck_assert_int_eq(r->tls, CFG_TLS_STARTTLS);
	ck_assert(r->tls_verify);
	ck_assert_int_eq(r->auth, CFG_AUTH_AUTO);
	ck_assert(!r->allow_plaintext_auth);
	ck_assert_uint_eq(r->timeout, 30);
	ck_assert_uint_eq(r->wait_ms, 0);
	ck_assert(r->fallback);
	ck_assert_ptr_null(r->username);
	ck_assert_str_eq(r->file, "t.conf");
	ck_assert_uint_eq(r->line, 1);
	ck_assert_ptr_eq(cfg_relay_find(cfg, "MAIN"), r);
	ck_assert_ptr_null(cfg_relay_find(cfg, "other"));
}
END_TEST

START_TEST(global_defaults)
{
	LOADS("");
	ck_assert_int_eq(cfg->log_level, LOG_LEVEL_INFO);
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_int_eq(cfg->address_separator, 0);
	ck_assert_int_eq(cfg->reply_to_mode, CFG_REPLY_TO_IF_MISSING);
	ck_assert_int_eq(cfg->from_must_match_login, CFG_MATCH_OFF);
	ck_assert(!cfg->redirect_enabled);
	ck_assert_str_eq(cfg->queue_dir, "/var/spool/smtpgate");
	ck_assert_int_eq(cfg->queue_mode, CFG_QUEUE_ON_FAILURE);
	ck_assert_uint_eq(cfg->max_age, 5 * 86400);
	ck_assert_uint_eq(cfg->retry.n, 5);
	ck_assert_uint_eq(cfg->retry.v[0], 60);
	ck_assert_uint_eq(cfg->retry.v[4], 4 * 3600);
	ck_assert_str_eq(cfg->milter_socket, "unix:/run/smtpgate/milter.sock");
	ck_assert_str_eq(cfg->milter_user, "smtpgate-milter");
	ck_assert_ptr_null(cfg->milter_pid_file);
	ck_assert_uint_eq(cfg->milter_max_recipients, 1000);
}
END_TEST

START_TEST(port_follows_tls)
{
	LOADS("[relay a]\nhost=h\ntls=none\n[relay b]\nhost=h\ntls=implicit\n"
	    "[relay c]\nhost=h\ntls = implicit\nport = 2465\n");
	ck_assert_uint_eq(cfg->relays[0].port, 25);
	ck_assert_uint_eq(cfg->relays[1].port, 465);
	ck_assert_uint_eq(cfg->relays[2].port, 2465);
}
END_TEST

static const struct {
	const char *name, *host;
	unsigned port;
	enum cfg_tls tls;
} presets[] = {
	{ "gmail", "smtp.gmail.com", 587, CFG_TLS_STARTTLS },
	{ "office365", "smtp.office365.com", 587, CFG_TLS_STARTTLS },
	{ "outlook.com", "smtp-mail.outlook.com", 587, CFG_TLS_STARTTLS },
	{ "yahoo", "smtp.mail.yahoo.com", 465, CFG_TLS_IMPLICIT },
	{ "icloud", "smtp.mail.me.com", 587, CFG_TLS_STARTTLS },
	{ "zoho", "smtp.zoho.com", 465, CFG_TLS_IMPLICIT },
	{ "sendgrid", "smtp.sendgrid.net", 587, CFG_TLS_STARTTLS },
	{ "mailgun", "smtp.mailgun.org", 587, CFG_TLS_STARTTLS },
	{ "amazon-ses", "email-smtp.us-east-1.amazonaws.com", 587,
	    CFG_TLS_STARTTLS },
};

START_TEST(preset_each)
{
	char text[256];

	snprintf(text, sizeof(text), "[relay p]\npreset = %s\n",
	    presets[_i].name);
	LOADS(text);
	ck_assert_str_eq(cfg->relays[0].host, presets[_i].host);
	ck_assert_uint_eq(cfg->relays[0].port, presets[_i].port);
	ck_assert_int_eq(cfg->relays[0].tls, presets[_i].tls);
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_AUTO);
}
END_TEST

START_TEST(preset_explicit_wins)
{
	/* Keys before and after the preset line both win over it. */
	LOADS("[relay p]\nhost = relay.example.org\npreset = yahoo\n"
	    "auth = login\n");
	ck_assert_str_eq(cfg->relays[0].host, "relay.example.org");
	ck_assert_uint_eq(cfg->relays[0].port, 465);
	ck_assert_int_eq(cfg->relays[0].tls, CFG_TLS_IMPLICIT);
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_LOGIN);
	/* An explicit tls brings its own default port. */
	LOADS("[relay p]\npreset = yahoo\ntls = starttls\n");
	ck_assert_uint_eq(cfg->relays[0].port, 587);
	LOADS("[relay p]\npreset = sendgrid\n");
	ck_assert_str_eq(cfg->relays[0].username, "apikey");
	LOADS("[relay p]\nusername = me\npreset = sendgrid\n");
	ck_assert_str_eq(cfg->relays[0].username, "me");
}
END_TEST

START_TEST(preset_unknown)
{
	FAILS("[relay p]\npreset = gmial\n",
	    "t.conf:2: preset: unknown preset 'gmial' (did you mean 'gmail'?)");
	FAILS("[relay p]\npreset = exchange-online-xyz\n", "known: gmail");
}
END_TEST

START_TEST(durations)
{
	LOADS("[relay a]\nhost=h\ntimeout = 45\n[relay b]\nhost=h\n"
	    "timeout = 2m\n[queue]\nmax_age = 1w\nretry = 30s;5m , 2h,1d\n");
	ck_assert_uint_eq(cfg->relays[0].timeout, 45);
	ck_assert_uint_eq(cfg->relays[1].timeout, 120);
	ck_assert_uint_eq(cfg->max_age, 7 * 86400);
	ck_assert_uint_eq(cfg->retry.n, 4);
	ck_assert_uint_eq(cfg->retry.v[0], 30);
	ck_assert_uint_eq(cfg->retry.v[1], 300);
	ck_assert_uint_eq(cfg->retry.v[2], 7200);
	ck_assert_uint_eq(cfg->retry.v[3], 86400);
	FAILS("[relay a]\nhost=h\ntimeout = 5x\n", "t.conf:3: timeout: "
	    "invalid duration '5x'");
	FAILS("[relay a]\nhost=h\ntimeout = -1\n", "invalid duration '-1'");
	FAILS("[relay a]\nhost=h\ntimeout = 5 m\n", "invalid duration");
	FAILS("[relay a]\nhost=h\ntimeout = 0\n", "out of range (1s to 3600s)");
	FAILS("[relay a]\nhost=h\ntimeout = 2h\n", "out of range");
	/* Paths are absolute: a relative one would follow the caller's
	   working directory. */
	FAILS("[queue]\ndir = spool\n", "t.conf:2: dir: 'spool' is not an absolute path");
	FAILS("[relay a]\nhost=h\npassword_file = secret/relay\n",
	    "not an absolute path");
	FAILS("[queue]\nmax_age = 99999999999999999999d\n", "max_age:");
	FAILS("[queue]\nmax_age = 4294967295d\n", "out of range");
	FAILS("[queue]\nretry = 1m, soon\n", "invalid duration 'soon'");
	FAILS("[queue]\nretry = ,\n", "empty list of durations");
}
END_TEST

START_TEST(numbers)
{
	LOADS("[relay a]\nhost=h\nport = 65535\nwait_ms = 3600000\n");
	ck_assert_uint_eq(cfg->relays[0].port, 65535);
	ck_assert_uint_eq(cfg->relays[0].wait_ms, 3600000);
	FAILS("[relay a]\nhost=h\nport = 65536\n", "port: 65536 out of range "
	    "(1 to 65535)");
	FAILS("[relay a]\nhost=h\nport = 0\n", "out of range");
	FAILS("[relay a]\nhost=h\nport = 25a\n", "port: invalid number '25a'");
	FAILS("[relay a]\nhost=h\nport = +25\n", "invalid number");
	FAILS("[relay a]\nhost=h\nport = 18446744073709551617\n",
	    "out of range");
	FAILS("[relay a]\nhost=h\nport =\n", "port: empty value");
	LOADS("[milter]\nmax_recipients = 1\n");
	ck_assert_uint_eq(cfg->milter_max_recipients, 1);
	LOADS("[milter]\nmax_recipients = 100000\n");
	ck_assert_uint_eq(cfg->milter_max_recipients, 100000);
	FAILS("[milter]\nmax_recipients = 0\n", "t.conf:2: max_recipients: 0 "
	    "out of range (1 to 100000)");
	FAILS("[milter]\nmax_recipients = 100001\n", "out of range");
	FAILS("[milter]\nmax_recipients = 1k\n", "invalid number '1k'");
}
END_TEST

START_TEST(sizes)
{
	struct str d = STR_INIT;

	LOADS("[queue]\n");
	ck_assert_uint_eq(cfg->max_message_size, 50ULL * 1024 * 1024);
	ck_assert_uint_eq(cfg->min_free_space, 100ULL * 1024 * 1024);
	LOADS("[queue]\nmax_message_size = 10K\nmin_free_space = 2g\n");
	ck_assert_uint_eq(cfg->max_message_size, 10240);
	ck_assert_uint_eq(cfg->min_free_space, 2ULL * 1024 * 1024 * 1024);
	LOADS("[queue]\nmax_message_size = 1000\nmin_free_space = 0\n");
	ck_assert_uint_eq(cfg->max_message_size, 1000);
	ck_assert_uint_eq(cfg->min_free_space, 0);
	LOADS("[queue]\nmax_message_size = 1T\nmin_free_space = 3072M\n");
	ck_assert_uint_eq(cfg->max_message_size, 1ULL << 40);
	cfg_dump(cfg, &d);
	ck_assert_ptr_nonnull(strstr(str_cstr(&d), "max_message_size = 1T\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d), "min_free_space = 3G\n"));
	str_reset(&d);
	LOADS("[queue]\nmax_message_size = 1536K\nmin_free_space = 1000\n");
	cfg_dump(cfg, &d);
	ck_assert_ptr_nonnull(strstr(str_cstr(&d), "max_message_size = 1536K\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d), "min_free_space = 1000\n"));
	str_free(&d);
	FAILS("[queue]\nmax_message_size = 10X\n", "t.conf:2: "
	    "max_message_size: invalid size '10X'");
	FAILS("[queue]\nmax_message_size = 10KB\n", "invalid size '10KB'");
	FAILS("[queue]\nmax_message_size = -1\n", "invalid size '-1'");
	FAILS("[queue]\nmax_message_size = 1.5M\n", "invalid size '1.5M'");
	FAILS("[queue]\nmax_message_size = 5 M\n", "invalid size");
	FAILS("[queue]\nmax_message_size = K\n", "invalid size 'K'");
	FAILS("[queue]\nmax_message_size =\n", "max_message_size: empty value");
	FAILS("[queue]\nmin_free_space = 1025G\n", "min_free_space: size "
	    "'1025G' out of range (0 to 1T)");
	FAILS("[queue]\nmin_free_space = 18446744073709551615T\n",
	    "out of range");
	FAILS("[queue]\nmin_free_space = 99999999999999999999999\n",
	    "out of range");
}
END_TEST

START_TEST(booleans)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES" };
	static const char *const no[] = { "no", "false", "off", "0", "Off" };
	char text[128];
	size_t i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "[redirect]\nenabled = %s\n"
		    "[report a@b.c]\n", yes[i]);
		LOADS(text);
		ck_assert(cfg->redirect_enabled);
		snprintf(text, sizeof(text), "[redirect]\nenabled = %s\n", no[i]);
		LOADS(text);
		ck_assert(!cfg->redirect_enabled);
	}
	FAILS("[redirect]\nenabled = maybe\n", "t.conf:2: enabled: invalid "
	    "boolean 'maybe' (use yes or no)");
	FAILS("[redirect]\nenabled =\n", "enabled: empty value");
}
END_TEST

START_TEST(enums_and_levels)
{
	LOADS("[general]\nlog_level = debug\n[message]\nreply_to_mode = always\n"
	    "from_must_match_login = Rewrite\n[queue]\nmode = never\n"
	    "[relay r]\nhost = h\nauth = xoauth2\n"
	    "password_command = /usr/bin/token\n");
	ck_assert_int_eq(cfg->log_level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(cfg->reply_to_mode, CFG_REPLY_TO_ALWAYS);
	ck_assert_int_eq(cfg->from_must_match_login, CFG_MATCH_REWRITE);
	ck_assert_int_eq(cfg->queue_mode, CFG_QUEUE_NEVER);
	ck_assert_int_eq(cfg->relays[0].auth, CFG_AUTH_XOAUTH2);
	FAILS("[relay r]\nhost = h\ntls = tls1.2\n", "tls: invalid value "
	    "'tls1.2' (one of: none, starttls, implicit)");
	FAILS("[general]\nlog_level = loud\n", "invalid log level 'loud'");
	FAILS("[message]\nfrom_must_match_login = yes\n",
	    "(one of: off, reject, rewrite)");
}
END_TEST

START_TEST(bulk_keys)
{
	LOADS("");
	ck_assert_int_eq(cfg->bulk_copies, CFG_BULK_EVERY);
	ck_assert_str_eq(cfg->bulk_batch_header, "X-Batch-ID");
	ck_assert(!cfg->bulk_match_subject);
	ck_assert_uint_eq(cfg->bulk_window, 600);
	LOADS("[message]\nbulk_copies = First\nbulk_batch_header = X-Run.Id\n"
	    "bulk_match_subject = yes\nbulk_window = 2s\n");
	ck_assert_int_eq(cfg->bulk_copies, CFG_BULK_FIRST);
	ck_assert_str_eq(cfg->bulk_batch_header, "X-Run.Id");
	ck_assert(cfg->bulk_match_subject);
	ck_assert_uint_eq(cfg->bulk_window, 2);
	/* Empty: back to the default, a header is always named. */
	LOADS("[message]\nbulk_batch_header =\n");
	ck_assert_str_eq(cfg->bulk_batch_header, "X-Batch-ID");
	FAILS("[message]\nbulk_copies = once\n", "t.conf:2: bulk_copies: "
	    "invalid value 'once' (one of: every, first)");
	FAILS("[message]\nbulk_batch_header = X-Batch-ID:\n", "t.conf:2: "
	    "bulk_batch_header: invalid header name 'X-Batch-ID:'");
	FAILS("[message]\nbulk_batch_header = X Batch\n",
	    "invalid header name 'X Batch'");
	FAILS("[message]\nbulk_batch_header = X-B\xc3\xa4tch\n",
	    "invalid header name");
	FAILS("[message]\nbulk_window = 0\n", "t.conf:2: bulk_window: "
	    "duration '0' out of range (1s to 604800s)");
	FAILS("[message]\nbulk_window = 8d\n", "out of range");
	FAILS("[message]\nbulk_match_subject = maybe\n", "invalid boolean");
}
END_TEST

START_TEST(address_lists)
{
	LOADS("[message]\nexclude = a@example.org; b@example.org ,c@example.org,,\n"
	    "[redirect]\nkeep = @example.org, boss@example.com\n");
	ck_assert_uint_eq(cfg->exclude.n, 3);
	ck_assert_str_eq(cfg->exclude.v[0], "a@example.org");
	ck_assert_str_eq(cfg->exclude.v[1], "b@example.org");
	ck_assert_str_eq(cfg->exclude.v[2], "c@example.org");
	ck_assert_uint_eq(cfg->keep.n, 2);
	ck_assert_str_eq(cfg->keep.v[0], "@example.org");
	FAILS("[message]\nexclude = a@example.org, nobody\n",
	    "exclude: 'nobody' is not an address (user@domain)");
	FAILS("[message]\nexclude = @example.org\n", "is not an address");
	FAILS("[redirect]\nkeep = @\n", "user@domain or @domain");
	FAILS("[redirect]\nkeep = a@@b\n", "'a@@b' is not an address");
	LOADS("[message]\nexclude =\n");
	ck_assert_uint_eq(cfg->exclude.n, 0);
}
END_TEST

START_TEST(mailboxes)
{
	LOADS("[message]\nfrom = \"Example Org\" <noreply@example.org>\n"
	    "reply_to = help@example.org\nfrom_display_name = \"Example\"\n"
	    "[general]\nerror_address = ops@example.org\n");
	ck_assert_str_eq(cfg->from, "\"Example Org\" <noreply@example.org>");
	ck_assert_str_eq(cfg->reply_to, "help@example.org");
	ck_assert_str_eq(cfg->from_display_name, "Example");
	ck_assert_str_eq(cfg->error_address, "ops@example.org");
	FAILS("[message]\nfrom = Example <noreply>\n", "from: 'Example "
	    "<noreply>' is not a mailbox");
	FAILS("[message]\nreply_to = a b@example.org\n", "is not a mailbox");
	FAILS("[general]\nerror_address = \"Ops\" <ops@example.org>\n",
	    "is not an address");
	/* Empty display name keeps the sender's. */
	LOADS("[message]\nfrom_display_name =\n");
	ck_assert_ptr_null(cfg->from_display_name);
}
END_TEST

START_TEST(comments_and_quotes)
{
	LOADS("# full line\n; also a comment\n   # indented\n"
	    "[general]   # after a header\n"
	    "hostname = app1.example.org   # inline\n"
	    "address_separator = ;\n"
	    "[redirect]\nsubject_prefix = \"[TEST #1] \"\n"
	    "[relay r]\nhost=h\npassword_command = /usr/bin/pass show a#b\n");
	ck_assert_str_eq(cfg->hostname, "app1.example.org");
	ck_assert_int_eq(cfg->address_separator, ';');
	ck_assert_str_eq(cfg->subject_prefix, "[TEST #1] ");
	ck_assert_str_eq(cfg->relays[0].password_command,
	    "/usr/bin/pass show a#b");
	/* Found by fuzz_cfg: a lone quote would not print back as written. */
	FAILS("[redirect]\nsubject_prefix = \"[TEST] #\n", "t.conf:2: "
	    "subject_prefix: double quotes go only around the whole value");
	FAILS("[message]\nfrom_display_name = Bob \"B\" Smith\n",
	    "double quotes go only");
}
END_TEST

START_TEST(crlf_and_control)
{
	LOADS("[relay r]\r\nhost = h\r\nport = 25\r\n");
	ck_assert_str_eq(cfg->relays[0].host, "h");
	ck_assert_uint_eq(cfg->relays[0].port, 25);
	FAILS("[message]\nreply_to = a@example.org\rBcc: x@evil.example\n",
	    "t.conf:2: carriage return inside a line");
	ck_assert_int_eq(cfg_load_buffer("t.conf", "[general]\nhostname = a\0b\n",
	    24, CFG_NO_FILE_CHECKS, &cfg, &diag), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:2: NUL byte"));
}
END_TEST

START_TEST(long_line)
{
	struct str t = STR_INIT;
	size_t i;

	str_appendz(&t, "[general]\nhostname = ");
	for (i = 0; i < 70000; i++)
		str_appendc(&t, 'a');
	str_appendz(&t, "\n");
	FAILS(str_cstr(&t), "t.conf:2: line longer than 65536 bytes");
	str_free(&t);
}
END_TEST

START_TEST(unknown_names)
{
	FAILS("[relay r]\nhots = mail.example.org\n",
	    "t.conf:2: unknown key 'hots' in [relay] (did you mean 'host'?)");
	FAILS("[general]\nhost = x\n", "'host' belongs in [relay]");
	FAILS("[relay r]\nhost = h\npassword = hunter2\n", "t.conf:3: "
	    "unknown key 'password': secrets are not written in smtpgate.conf");
	ck_assert_ptr_null(strstr(str_cstr(&diag), "hunter2"));
	FAILS("[genral]\nhostname = x\n",
	    "t.conf:1: unknown section [genral] (did you mean [general]?)");
	FAILS("[frobnicate]\n", "unknown section [frobnicate]\n");
	FAILS("hostname = x\n", "t.conf:1: 'hostname' outside any section");
	FAILS("[general]\nHostName = x\n", "invalid key name 'HostName'");
	FAILS("[general]\nhostname x\n", "expected 'key = value'");
	FAILS("[general\n", "missing ']' in section header");
}
END_TEST

START_TEST(sections)
{
	FAILS("[general]\nhostname = a\n[general]\n",
	    "t.conf:3: [general] appears twice (first at t.conf:1)");
	FAILS("[relay a]\nhost = h\n[relay A]\nhost = h\n",
	    "[relay A] appears twice (first at t.conf:1)");
	FAILS("[relay]\n", "[relay] needs a name: [relay NAME]");
	FAILS("[report]\n", "[report ADDRESS]");
	FAILS("[general x]\n", "[general] takes no name");
	FAILS("[relay a b]\n", "invalid relay name 'a b'");
	FAILS("[account alice]\n", "[account alice]: not an address");
	FAILS("[report qa@example.org]\n[report QA@example.org]\n",
	    "appears twice");
	FAILS("[relay r]\nhost = a\nhost = b\n",
	    "t.conf:3: 'host' set twice in this section (first at t.conf:2)");
	/* The keys of a refused section are not reported again. */
	FAILS("[relay]\nhots = 1\n", "needs a name");
	ck_assert_ptr_null(strstr(str_cstr(&diag), "hots"));
}
END_TEST

START_TEST(all_errors_reported)
{
	FAILS("[relay r]\nport = x\ntls = y\n[message]\nexclude = z\n",
	    "t.conf:2:");
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:3:"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:5:"));
	/* host is missing too, but checks across sections wait for a file
	   without syntax errors. */
	ck_assert_ptr_null(strstr(str_cstr(&diag), "no host"));
}
END_TEST

START_TEST(relay_checks)
{
	FAILS("[relay r]\nport = 25\n", "t.conf:1: [relay r]: no host (set "
	    "host = or preset =)");
	LOADS("[relay r]\nenabled = no\n");
	FAILS("[relay r]\nhost=h\npassword_file = /x\npassword_command = /y\n",
	    "password_file and password_command are both set");
	/* A bare name or relative path would run from the caller's cwd. */
	FAILS("[relay r]\nhost=h\npassword_command = tokencmd --x\n",
	    "t.conf:3: password_command: 'tokencmd' is not an absolute path");
	FAILS("[relay r]\nhost=h\npassword_command = ./bin/tok\n",
	    "t.conf:3: password_command: './bin/tok' is not an absolute");
	FAILS("[relay r]\nhost=h\n[account a@b.c]\nrelay = r\n"
	    "password_command = \"tok en\" x\n", "t.conf:5: password_command: "
	    "'tok en' is not an absolute path");
	FAILS("[relay r]\nhost=h\npassword_command = '/bin/tok\n",
	    "t.conf:3: password_command: unbalanced quotes");
	LOADS("[relay r]\nhost=h\npassword_command = /bin/sh -c 'pass x | "
	    "head -n 1'\n");
	LOADS("[relay r]\nhost=h\ntls = none\ntls_fingerprint = sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000\n");
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:1: warning: "
	    "[relay r]: tls_fingerprint has no effect"));
}
END_TEST

START_TEST(fingerprints)
{
	LOADS("[relay r]\nhost=h\ntls_fingerprint = SHA256:AB:CD:EF:01:23:45:"
	    "67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
	    "23:45:67:89\n");
	ck_assert_str_eq(cfg->relays[0].tls_fingerprint,
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	FAILS("[relay r]\nhost=h\ntls_fingerprint = sha256:abcd\n",
	    "invalid tls_fingerprint");
	FAILS("[relay r]\nhost=h\ntls_fingerprint = md5:ab\n",
	    "invalid tls_fingerprint");
}
END_TEST

START_TEST(queue_delay)
{
	LOADS("[queue]\nmode = on-failure\n");
	ck_assert_uint_eq(cfg->delay, 0);
	LOADS("[queue]\ndelay = 10s\n");
	ck_assert_uint_eq(cfg->delay, 10);
	LOADS("[queue]\nmode = always\ndelay = 2m\n");
	ck_assert_uint_eq(cfg->delay, 120);
	FAILS("[queue]\ndelay = 8d\n", "t.conf:2: delay: duration '8d' out "
	    "of range");
	FAILS("[queue]\ndelay = soon\n", "t.conf:2: delay: invalid duration");
	/* Waiting means the queue, which never never writes. */
	FAILS("[queue]\nmode = never\ndelay = 10s\n", "t.conf:3: delay: "
	    "messages wait in the queue, but mode = never");
	LOADS("[queue]\nmode = never\ndelay = 0\n");
}
END_TEST

START_TEST(default_credentials)
{
	LOADS("[general]\nusername = app@example.org\n"
	    "password_command = /bin/echo pw\n"
	    "[relay a]\nhost = h\ncredentials = default\n"
	    "[relay b]\nhost = h\nusername = own\n");
	{
		struct cfg_login l;

		cfg_relay_login(cfg, &cfg->relays[0], &l);
		ck_assert_str_eq(l.username, "app@example.org");
		ck_assert_ptr_null(l.password_file);
		ck_assert_str_eq(l.password_command, "/bin/echo pw");
		cfg_relay_login(cfg, &cfg->relays[1], &l);
		ck_assert_str_eq(l.username, "own");
		ck_assert_ptr_null(l.password_command);
	}
	ck_assert_int_eq(cfg->relays[0].credentials, CFG_CREDENTIALS_DEFAULT);
	ck_assert_int_eq(cfg->relays[1].credentials, CFG_CREDENTIALS_OWN);
	/* A preset's username does not creep in beside the default. */
	LOADS("[general]\nusername = me@example.org\n"
	    "[relay p]\npreset = sendgrid\ncredentials = default\n");
	ck_assert_ptr_null(cfg->relays[0].username);
	FAILS("[relay a]\nhost = h\ncredentials = default\n",
	    "t.conf:3: [relay a]: credentials = default but [general] sets no "
	    "username");
	FAILS("[general]\nusername = d\n[relay a]\nhost = h\n"
	    "credentials = default\nusername = own\n",
	    "t.conf:6: [relay a]: username and credentials = default are both "
	    "set; keep one");
	FAILS("[general]\nusername = d\n[relay a]\nhost = h\n"
	    "password_file = /etc/x\ncredentials = default\n",
	    "t.conf:5: [relay a]: password_file and credentials = default");
	FAILS("[general]\nusername = d\npassword_file = /etc/x\n"
	    "password_command = /bin/true\n", "t.conf:4: [general]: "
	    "password_file and password_command are both set; keep one");
	FAILS("[general]\npassword_command = true\n", "t.conf:2: "
	    "password_command: 'true' is not an absolute path");
	FAILS("[relay a]\nhost = h\ncredentials = mine\n", "t.conf:3: "
	    "credentials: invalid value 'mine' (one of: own, default)");
}
END_TEST

START_TEST(error_relay)
{
	LOADS("[general]\nerror_relay = Notices\n[relay main]\nhost = h\n"
	    "[relay notices]\nhost = h2\nenabled = no\n");
	ck_assert_ptr_eq(cfg->error_relay_ptr, &cfg->relays[1]);
	LOADS("[relay main]\nhost = h\n");
	ck_assert_ptr_null(cfg->error_relay_ptr);
	FAILS("[general]\nerror_relay = notice\n[relay main]\nhost = h\n"
	    "[relay notices]\nhost = h2\n", "t.conf:2: error_relay: no [relay "
	    "notice] (did you mean 'notices'?)");
	FAILS("[general]\nerror_relay = x\n", "t.conf:2: error_relay: no "
	    "[relay x]");
}
END_TEST

START_TEST(foreign_words)
{
	LOADS("[relay a]\nhost = h\ntls = explicit\n");
	ck_assert_int_eq(cfg->relays[0].tls, CFG_TLS_STARTTLS);
	ck_assert_uint_eq(cfg->relays[0].port, 587);
	LOADS("[relay a]\nhost = h\ntls = Explicit\n");
	ck_assert_int_eq(cfg->relays[0].tls, CFG_TLS_STARTTLS);
	FAILS("[relay a]\nhost = h\ntls = ssl\n", "t.conf:3: tls: 'ssl' is "
	    "ambiguous: use starttls (port 587) or implicit (port 465)");
	/* Only tls knows the words. */
	FAILS("[relay a]\nhost = h\nauth = explicit\n", "invalid value "
	    "'explicit'");
	FAILS("[relay a]\nserver = h\n", "t.conf:2: unknown key 'server' in "
	    "[relay] (did you mean 'host'?)");
	FAILS("[relay a]\nhost = h\nssl = yes\n", "t.conf:3: unknown key 'ssl' "
	    "in [relay] (did you mean 'tls', none, starttls or implicit?)");
	FAILS("[relay a]\nhost = h\nenable_ssl = yes\n", "did you mean 'tls'");
	FAILS("[relay a]\nhost = h\nwait_time = 5\n", "(did you mean "
	    "'wait_ms', in milliseconds?)");
	FAILS("[relay a]\nhost = h\nsmtp_port = 25\n", "(did you mean "
	    "'port'?)");
	FAILS("[relay a]\nhost = h\nuser = u\n", "(did you mean 'username'?)");
	FAILS("[account a@example.org]\nlogin = u\n", "unknown key 'login' in "
	    "[account] (did you mean 'username'?)");
	FAILS("[general]\ndelivery_delay = 10\n", "t.conf:2: unknown key "
	    "'delivery_delay' in [general] (did you mean 'delay' in [queue]?)");
	FAILS("[message]\nserver = h\n", "(did you mean 'host' in [relay "
	    "NAME]?)");
	FAILS("[general]\nreport_emails = a@example.org\n", "t.conf:2: unknown "
	    "key 'report_emails' in [general] (each report address is a "
	    "section of its own: [report ADDRESS]");
	FAILS("[relay a]\nhost = h\npassword = x\n", "use password_file or "
	    "password_command");
}
END_TEST

START_TEST(accounts)
{
	static const char milter[] = "[relay r]\nhost = h\n"
	    "[account a@example.org]\n";
	const struct cfg_account *a;

	LOADS("[relay first]\nhost = h1\n[relay second]\nhost = h2\n"
	    "[account alice@example.org]\npassword_file = /etc/smtpgate/a\n"
	    "[account bob@example.org]\nrelay = second\nusername = bob\n"
	    "senders = bob@example.org; sales@example.org\n"
	    "password_command = /usr/bin/token bob\n");
	ck_assert_uint_eq(cfg->naccounts, 2);
	a = &cfg->accounts[0];
	ck_assert_ptr_eq(a->relay_ptr, &cfg->relays[0]);
	ck_assert_str_eq(a->username, "alice@example.org");
	ck_assert_uint_eq(a->senders.n, 1);
	ck_assert_str_eq(a->senders.v[0], "alice@example.org");
	a = &cfg->accounts[1];
	ck_assert_ptr_eq(a->relay_ptr, &cfg->relays[1]);
	ck_assert_str_eq(a->username, "bob");
	ck_assert_uint_eq(a->senders.n, 2);
	ck_assert_str_eq(a->senders.v[1], "sales@example.org");
	FAILS("[relay office365]\nhost = h\n[account a@example.org]\n"
	    "relay = ofice365\n", "t.conf:3: [account a@example.org]: no "
	    "[relay ofice365] (did you mean 'office365'?)");
	FAILS("[account a@example.org]\n", "there is no [relay]");
	/* An individual login without its secret could never log in. */
	FAILS("[relay r]\nhost = h\n\n[account a@example.org]\n"
	    "username = alogin\n", "t.conf:4: [account a@example.org]: no "
	    "password_file or password_command, and no oauth2_client_id here "
	    "or in its relay: the login alogin needs its secret");
	/* ... unless the program never logs in (the milter). */
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_buffer("t.conf", milter, strlen(milter),
	    CFG_NO_FILE_CHECKS | CFG_NO_SECRETS, &cfg, &diag), CFG_OK);
	ck_assert_uint_eq(cfg->naccounts, 1);
}
END_TEST

START_TEST(rules)
{
	const struct cfg_rule *r;

	LOADS("[rule school]\nwhen_header = X-Mail-Context: class*\n"
	    "when_sender = @school.example, head@school.example\n"
	    "add_cc = office@school.example\n"
	    "add_bcc = archive@school.example; audit@school.example\n"
	    "[rule billing]\nwhen_sender = billing@example.org\n"
	    "add_bcc = books@example.org\n");
	ck_assert_uint_eq(cfg->nrules, 2);
	r = &cfg->rules[0];
	ck_assert_str_eq(r->name, "school");
	ck_assert_uint_eq(r->line, 1);
	ck_assert_str_eq(r->when_header, "X-Mail-Context: class*");
	ck_assert_uint_eq(r->when_sender.n, 2);
	ck_assert_str_eq(r->when_sender.v[0], "@school.example");
	ck_assert_uint_eq(r->add_cc.n, 1);
	ck_assert_uint_eq(r->add_bcc.n, 2);
	ck_assert_str_eq(r->add_bcc.v[1], "audit@school.example");
	r = &cfg->rules[1];
	ck_assert_ptr_null(r->when_header);
	ck_assert_uint_eq(r->add_cc.n, 0);
	/* A rule with no condition would copy every message. */
	FAILS("[general]\n[rule all]\nadd_cc = a@example.org\n",
	    "t.conf:2: [rule all]: no when_header or when_sender");
	FAILS("[rule r]\nwhen_header = X-Mail-Context\n",
	    "t.conf:2: when_header: 'X-Mail-Context' is not 'Field-Name: "
	    "value'");
	FAILS("[rule r]\nwhen_header = X-Mail-Context:\n",
	    "t.conf:2: when_header: 'X-Mail-Context:': no value after");
	FAILS("[rule r]\nwhen_header = X Context: a\n",
	    "'X Context' is not a header field name");
	FAILS("[rule r]\nwhen_sender = school.example\n",
	    "t.conf:2: when_sender: 'school.example' is not an address "
	    "(user@domain or @domain)");
	FAILS("[rule r]\nwhen_sender = @s.example\nadd_cc = @s.example\n",
	    "t.conf:3: add_cc: '@s.example' is not an address");
	FAILS("[rule]\n", "[rule] needs a name: [rule NAME]");
	FAILS("[rule a b]\n", "invalid rule name 'a b'");
	FAILS("[rule r]\nwhen_sender = @a.example\n[rule R]\n",
	    "t.conf:3: [rule R] appears twice (first at t.conf:1)");
	FAILS("[rule r]\nwhen_sender = @a.example\nadd_to = x@a.example\n",
	    "unknown key 'add_to' in [rule]");
	LOADS("[rule r]\nwhen_sender = @a.example\n");
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:1: warning: "
	    "[rule r]: no add_cc or add_bcc"));
}
END_TEST

START_TEST(empty_values)
{
	/* Found by fuzz_cfg: an empty key with a default keeps the default
	   (a NULL queue directory would have reached the spool). */
	LOADS("[queue]\ndir =\n[milter]\nsocket =\n");
	ck_assert_str_eq(cfg->queue_dir, "/var/spool/smtpgate");
	ck_assert_str_eq(cfg->milter_socket, "unix:/run/smtpgate/milter.sock");
	LOADS("[general]\nhostname =\ndomain =\naddress_separator =\n");
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_ptr_null(cfg->domain);
	ck_assert_int_eq(cfg->address_separator, 0);
	FAILS("[general]\naddress_separator = ab\n", "invalid separator 'ab'");
	FAILS("[general]\naddress_separator = @\n", "invalid separator");
	FAILS("[general]\nhostname = bad host\n", "invalid host name");
}
END_TEST

START_TEST(redirect_without_report)
{
	LOADS("[redirect]\nenabled = yes\n[report qa@example.org]\n"
	    "enabled = no\n");
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "t.conf:1: warning: "
	    "[redirect] is enabled but no [report ADDRESS] is"));
	ck_assert_uint_eq(cfg->nreports, 1);
	ck_assert(!cfg->reports[0].enabled);
	LOADS("[redirect]\nenabled = yes\n[report qa@example.org]\n");
	ck_assert_uint_eq(diag.len, 0);
}
END_TEST

START_TEST(escaped_diag)
{
	FAILS("[general]\nhostname = a\033[2Jb\n", "invalid host name 'a\\x1b");
}
END_TEST

START_TEST(include_files)
{
	const char *main;
	char text[1024];

	writefile("secret.conf", "username = me@example.org\n"
	    "password_command = /bin/echo hunter2\n", 0600);
	writefile("relays.conf", "[relay inc]\nhost = inc.example.org\n", 0644);
	snprintf(text, sizeof(text), "[relay r]\nhost = h\n"
	    "include = secret.conf\nport = 2525\ninclude = %s/relays.conf\n"
	    "[general]\nhostname = a.example.org\n", tmpdir);
	main = writefile("main.conf", text, 0644);
	cfg_free(cfg);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load(main, &cfg, &diag), CFG_OK);
	ck_assert_str_eq(cfg->relays[0].username, "me@example.org");
	ck_assert_uint_eq(cfg->relays[0].port, 2525);
	ck_assert_uint_eq(cfg->nrelays, 2);
	ck_assert_str_eq(cfg->relays[1].host, "inc.example.org");
	ck_assert_ptr_nonnull(strstr(cfg->relays[1].file, "relays.conf"));
	ck_assert_str_eq(cfg->hostname, "a.example.org");
	ck_assert_uint_eq(cfg->files.n, 3);
}
END_TEST

START_TEST(include_errors)
{
	const char *a;
	char text[512];

	writefile("loop1.conf", "include = loop2.conf\n", 0644);
	writefile("loop2.conf", "include = loop1.conf\n", 0644);
	a = writefile("top.conf", "[general]\ninclude = loop1.conf\n"
	    "include = missing.conf\n", 0644);
	cfg_free(cfg);
	cfg = NULL;
	str_reset(&diag);
	ck_assert_int_eq(cfg_load(a, &cfg, &diag), CFG_EINVAL);
	ck_assert_ptr_null(cfg);
	snprintf(text, sizeof(text), "%s/loop2.conf:1: include %s/loop1.conf: "
	    "loop", tmpdir, tmpdir);
	ck_assert_msg(strstr(str_cstr(&diag), text) != NULL, "%s",
	    str_cstr(&diag));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "top.conf:3: include "));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag),
	    "missing.conf: No such file or directory"));
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_buffer("t.conf", "[general]\ninclude = x\n",
	    22, CFG_NO_INCLUDE, &cfg, &diag), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag),
	    "t.conf:2: include is not allowed here"));
}
END_TEST

START_TEST(include_depth)
{
	const char *a;
	char name[32], text[64];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include = d%d.conf\n", i + 1);
		writefile(name, text, 0644);
	}
	writefile("d12.conf", "", 0644);
	a = writefile("d0.conf", "include = d1.conf\n", 0644);
	cfg_free(cfg);
	cfg = NULL;
	str_reset(&diag);
	ck_assert_int_eq(cfg_load(a, &cfg, &diag), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "nested deeper than 8"));
}
END_TEST

START_TEST(password_file_checks)
{
	const char *secret, *conf;
	char text[1024];

	secret = writefile("pw-open", "hunter2\n", 0644);
	snprintf(text, sizeof(text), "[relay r]\nhost = h\nusername = u\n"
	    "password_file = %s\n[relay s]\nhost = h\n"
	    "password_file = %s/pw-missing\n", secret, tmpdir);
	conf = writefile("pw.conf", text, 0644);
	cfg_free(cfg);
	cfg = NULL;
	str_reset(&diag);
	ck_assert_int_eq(cfg_load(conf, &cfg, &diag), CFG_EINVAL);
	snprintf(text, sizeof(text), "pw.conf:4: warning: password_file "
	    "%s/pw-open is readable or writable by others (mode 0644)", tmpdir);
	ck_assert_msg(strstr(str_cstr(&diag), text) != NULL, "%s",
	    str_cstr(&diag));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "pw.conf:7: password_file"
	    ));
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag),
	    "pw-missing: No such file or directory"));
	ck_assert_ptr_null(strstr(str_cstr(&diag), "hunter2"));

	chmod(secret, 0600);
	snprintf(text, sizeof(text), "[relay r]\nhost = h\npassword_file = %s\n",
	    secret);
	conf = writefile("pw2.conf", text, 0644);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load(conf, &cfg, &diag), CFG_OK);
	ck_assert_uint_eq(diag.len, 0);
}
END_TEST

START_TEST(dump_masks_and_reloads)
{
	struct str d1 = STR_INIT, d2 = STR_INIT, reload = STR_INIT;
	struct cfg *again = NULL;

	LOADS("[relay o365]\npreset = office365\nusername = a@example.org\n"
	    "password_command = /usr/bin/token --secret s3cr3t\n"
	    "[account b@example.org]\npassword_file = /etc/smtpgate/b\n"
	    "[message]\nfrom_display_name = Example\n[queue]\nretry = 90s, 2h\n"
	    "[rule r1]\nwhen_header = X-Ctx: a*b\nadd_cc = c@example.org\n"
	    "[milter]\nmax_recipients = 50\n");
	cfg_dump(cfg, &d1);
	ck_assert_ptr_null(strstr(str_cstr(&d1), "s3cr3t"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1),
	    "password_command = /usr/bin/token ...\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "host = smtp.office365.com\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "port = 587\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "retry = 90s, 2h\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "password_file = /etc/smtpgate/b\n"));
	ck_assert_ptr_nonnull(strstr(str_cstr(&d1), "max_recipients = 50\n"));
	/* The masked form loads again and prints the same. */
	str_append(&reload, d1.data, d1.len);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_buffer("t.conf", reload.data, reload.len,
	    CFG_NO_FILE_CHECKS, &again, &diag), CFG_OK);
	cfg_dump(again, &d2);
	ck_assert_str_eq(str_cstr(&d1), str_cstr(&d2));
	cfg_free(again);
	str_free(&d1);
	str_free(&d2);
	str_free(&reload);
}
END_TEST

START_TEST(read_secret)
{
	struct str s = STR_INIT, err = STR_INIT;
	struct str big = STR_INIT;
	const char *p;
	size_t i;

	p = writefile("s1", "hunter2\r\nsecond line\n", 0600);
	ck_assert_int_eq(cfg_read_secret(p, &s, &err), CFG_OK);
	ck_assert_str_eq(str_cstr(&s), "hunter2");
	p = writefile("s2", "\nhunter2\n", 0600);
	ck_assert_int_eq(cfg_read_secret(p, &s, &err), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "the first line is empty"));
	ck_assert_ptr_null(strstr(str_cstr(&err), "hunter2"));
	for (i = 0; i < 70000; i++)
		str_appendc(&big, 'x');
	p = writefile("s3", str_cstr(&big), 0600);
	str_reset(&err);
	ck_assert_int_eq(cfg_read_secret(p, &s, &err), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "larger than 64 KiB"));
	str_reset(&err);
	ck_assert_int_eq(cfg_read_secret("/nonexistent/pw", &s, &err),
	    CFG_ENOENT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "/nonexistent/pw"));
	str_reset(&err);
	ck_assert_int_eq(cfg_read_secret(tmpdir, &s, &err), CFG_EIO);
	str_free(&big);
	str_free_secret(&s);
	str_free(&err);
}
END_TEST

START_TEST(load_missing_and_codes)
{
	ck_assert_int_eq(cfg_load("/nonexistent/smtpgate.conf", &cfg, &diag),
	    CFG_ENOENT);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag),
	    "/nonexistent/smtpgate.conf: No such file or directory"));
	ck_assert_int_eq(cfg_exitcode(CFG_OK), EX_OK);
	ck_assert_int_eq(cfg_exitcode(CFG_ENOENT), EX_NOINPUT);
	ck_assert_int_eq(cfg_exitcode(CFG_EIO), EX_IOERR);
	ck_assert_int_eq(cfg_exitcode(CFG_EINVAL), EX_CONFIG);
	ck_assert_str_eq(cfg_tls_name(CFG_TLS_IMPLICIT), "implicit");
	ck_assert_str_eq(cfg_auth_name(CFG_AUTH_OAUTHBEARER), "oauthbearer");
}
END_TEST

/* A reference taken before a reload keeps the old configuration. */
START_TEST(holder_reload)
{
	struct cfg_holder h;
	struct cfg_ref *old, *cur;
	struct cfg *a = NULL, *b = NULL;

	ck_assert_int_eq(cfg_load_buffer("a", "[general]\nhostname = a\n", 22,
	    0, &a, &diag), CFG_OK);
	ck_assert_int_eq(cfg_load_buffer("b", "[general]\nhostname = b\n", 22,
	    0, &b, &diag), CFG_OK);
	cfg_holder_init(&h, a);
	old = cfg_holder_get(&h);
	ck_assert_uint_eq(old->generation, 1);
	ck_assert_uint_eq(cfg_holder_replace(&h, b), 2);
	cur = cfg_holder_get(&h);
	ck_assert_str_eq(old->cfg->hostname, "a");
	ck_assert_str_eq(cur->cfg->hostname, "b");
	ck_assert_uint_eq(old->refs, 1);	/* only our reference is left */
	cfg_holder_put(&h, old);		/* frees a (ASan checks) */
	cfg_holder_put(&h, cur);
	ck_assert_uint_eq(h.cur->refs, 1);
	cfg_holder_destroy(&h);
}
END_TEST

/* A daemon refuses a file that sets nothing; other loads take it. */
START_TEST(require_section)
{
	static const char *const empty[] = { "", "\n\n", "# comment\n",
		"; only\n  # comments\n\t\n" };
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		cfg_free(cfg);
		str_reset(&diag);
		ck_assert_int_eq(cfg_load_buffer("t.conf", empty[i],
		    strlen(empty[i]), CFG_REQUIRE_SECTION, &cfg, &diag),
		    CFG_EINVAL);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(str_cstr(&diag), "t.conf: no [section] in "
		    "the file (it is empty or only comments)") != NULL, "%s",
		    str_cstr(&diag));
		LOADS(empty[i]);
	}
	cfg_free(cfg);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_buffer("t.conf", "[milter]\n", 9,
	    CFG_REQUIRE_SECTION, &cfg, &diag), CFG_OK);

	/* Through cfg_load_flags(), on files, and with a section that
	   comes from an include. */
	p = writefile("empty.conf", "", 0644);
	cfg_free(cfg);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_flags(p, CFG_REQUIRE_SECTION, &cfg, &diag),
	    CFG_EINVAL);
	ck_assert_int_eq(cfg_exitcode(CFG_EINVAL), EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "empty.conf: no [section]"));
	writefile("part.conf", "[redirect]\nenabled = no\n", 0644);
	p = writefile("incl.conf", "# all in part.conf\ninclude = part.conf\n",
	    0644);
	str_reset(&diag);
	ck_assert_msg(cfg_load_flags(p, CFG_REQUIRE_SECTION, &cfg, &diag) ==
	    CFG_OK, "%s", str_cstr(&diag));
}
END_TEST

/* A program that never reads the secrets need not reach them. */
START_TEST(load_flags_no_file_checks)
{
	const char *p;

	p = writefile("nocheck.conf", "[relay r]\nhost = h\npassword_file = "
	    "/nonexistent/secret\n", 0644);
	str_reset(&diag);
	ck_assert_int_eq(cfg_load_flags(p, 0, &cfg, &diag), CFG_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&diag), "/nonexistent/secret"));
	str_reset(&diag);
	ck_assert_msg(cfg_load_flags(p, CFG_NO_FILE_CHECKS, &cfg, &diag) ==
	    CFG_OK, "%s", str_cstr(&diag));
	ck_assert_str_eq(cfg->relays[0].password_file, "/nonexistent/secret");
}
END_TEST

/* The example shipped in conf/ loads as it is. */
START_TEST(shipped_example)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];

	snprintf(path, sizeof(path), "%s/conf/smtpgate.conf",
	    srcdir ? srcdir : ".");
	ck_assert_msg(cfg_load(path, &cfg, &diag) == CFG_OK, "%s",
	    str_cstr(&diag));
	ck_assert_uint_eq(diag.len, 0);
	ck_assert_uint_eq(cfg->nrelays, 1);
	ck_assert_str_eq(cfg->relays[0].host, "smtp.example.org");
}
END_TEST

/*
 * Every key of the table has its entry in smtpgate.conf(5), in its own
 * section's part (".SH [relay NAME]" up to the next .SH), written as
 * ".BI key \" = ...\"": a key added without its documentation fails here.
 */
START_TEST(every_key_documented)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], want[256];
	struct str man = STR_INIT, missing = STR_INIT;
	const char *sec, *end;
	size_t i, n;

	snprintf(path, sizeof(path), "%s/man/smtpgate.conf.5",
	    srcdir ? srcdir : ".");
	ck_assert_int_eq(cfg_slurp(path, 1 << 20, &man, NULL), 0);
	for (i = 0; i < cfg_nkeys; i++) {
		snprintf(want, sizeof(want), "\n.SH [%s",
		    cfg_sec_names[cfg_keys[i].sec]);
		sec = strstr(str_cstr(&man), want);
		ck_assert_msg(sec != NULL, "no section %s", want + 1);
		end = strstr(sec + 1, "\n.SH ");
		n = end ? (size_t)(end - sec) : strlen(sec);
		snprintf(want, sizeof(want), "\n.BI %s \"", cfg_keys[i].name);
		if (memmem(sec, n, want, strlen(want)) == NULL)
			str_appendf(&missing, " [%s] %s",
			    cfg_sec_names[cfg_keys[i].sec], cfg_keys[i].name);
	}
	ck_assert_msg(missing.len == 0, "not in smtpgate.conf.5:%s",
	    str_cstr(&missing));
	str_free(&man);
	str_free(&missing);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("cfg");

	cfg_fixture_start();
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, relay_defaults);
	tcase_add_test(tc, global_defaults);
	tcase_add_test(tc, port_follows_tls);
	tcase_add_loop_test(tc, preset_each, 0,
	    (int)(sizeof(presets) / sizeof(presets[0])));
	tcase_add_test(tc, preset_explicit_wins);
	tcase_add_test(tc, preset_unknown);
	tcase_add_test(tc, durations);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, booleans);
	tcase_add_test(tc, enums_and_levels);
	tcase_add_test(tc, bulk_keys);
	tcase_add_test(tc, address_lists);
	tcase_add_test(tc, mailboxes);
	tcase_add_test(tc, comments_and_quotes);
	tcase_add_test(tc, crlf_and_control);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, unknown_names);
	tcase_add_test(tc, sections);
	tcase_add_test(tc, all_errors_reported);
	tcase_add_test(tc, relay_checks);
	tcase_add_test(tc, fingerprints);
	tcase_add_test(tc, accounts);
	tcase_add_test(tc, queue_delay);
	tcase_add_test(tc, default_credentials);
	tcase_add_test(tc, error_relay);
	tcase_add_test(tc, foreign_words);
	tcase_add_test(tc, rules);
	tcase_add_test(tc, empty_values);
	tcase_add_test(tc, redirect_without_report);
	tcase_add_test(tc, escaped_diag);
	tcase_add_test(tc, include_files);
	tcase_add_test(tc, include_errors);
	tcase_add_test(tc, include_depth);
	tcase_add_test(tc, password_file_checks);
	tcase_add_test(tc, dump_masks_and_reloads);
	tcase_add_test(tc, read_secret);
	tcase_add_test(tc, load_missing_and_codes);
	tcase_add_test(tc, shipped_example);
	tcase_add_test(tc, every_key_documented);
	tcase_add_test(tc, require_section);
	tcase_add_test(tc, load_flags_no_file_checks);
	tcase_add_test(tc, holder_reload);
	suite_add_tcase(s, tc);
	return s;
}
