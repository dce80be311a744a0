/*
 * smtpgate-sendmail - sendmail-compatible submission through the relays of
 * smtpgate.conf.  The program's main: the command line is smopt.c, the
 * message and its sending submit_*.c, -bs smtpin.c, the queue queue.c,
 * the privileged helper privsep*.c; every decision about mail is lib/'s.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "aliases.h"
#include "cfg.h"
#include "ids.h"
#include "log.h"
#include "oauth2.h"
#include "privsep.h"
#include "queue.h"
#include "smopt.h"
#include "smtpin.h"
#include "str.h"
#include "submit.h"
#include "util.h"

static const char shim_usage[] =
    "usage: smtpgate-sendmail [-t] [-i] [-f sender] [-F name] [-C config] [-v]\n"
    "                         [-N dsn] [-R ret] [-V envid] [-B type] [--] recipient...\n"
    "       smtpgate-sendmail -bs | -bp | -q | --queue-run\n"
    "       smtpgate-sendmail --delete ID... | --delete ALL\n"
    "       smtpgate-sendmail --check-config | --test-mail ADDR [--relay NAME]\n"
    "       smtpgate-sendmail --oauth2-login --relay NAME | --account ADDRESS\n"
    "       smtpgate-sendmail --version | --help\n";

struct shim {
	struct smopt opts;
	struct cfg *cfg;
	struct aliases aliases;
	int	have_aliases;
	struct str hostname;
	struct str user;
	struct str domain;	/* for local names; empty: none */
	enum ids_domain_from domain_from;
	FILE   *transcript;	/* -v: stderr; --test-mail: stdout */
	struct privsep ps;	/* the helper that kept the group, if any */
};

static void
shim_trace(void *arg, const char *dir, const char *line, size_t len)
{
	struct shim *sh = arg;
	struct str s = STR_INIT;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	str_append_escaped(&s, line, len);
	if (sh->transcript != NULL)
		fprintf(sh->transcript, "%s%s\n", dir, str_cstr(&s));
	else
		log_info("transcript: %s%s", dir, str_cstr(&s));	/* -X */
	str_free(&s);
}

/*
 * A failure the caller must hear of: each line of text on stderr, and in
 * syslog (facility mail) as well, because cron and PHP throw stderr away.
 */
static void shim_fail(const char *fmt, ...) UTIL_PRINTF(1, 2);

static void
shim_fail(const char *fmt, ...)
{
	struct str text = STR_INIT;
	const char *p, *nl;
	va_list ap;
	bool was;

	va_start(ap, fmt);
	str_vappendf(&text, fmt, ap);
	va_end(ap);
	was = log_set_stderr(false);
	for (p = str_cstr(&text); *p != '\0'; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl == p)
			continue;
		fprintf(stderr, "smtpgate-sendmail: %.*s\n", (int)(nl - p), p);
		log_error("%.*s", (int)(nl - p), p);
	}
	log_set_stderr(was);
	str_free(&text);
}

#if defined(__SANITIZE_ADDRESS__)
#define SMTPGATE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTPGATE_SANITIZED 1
#endif
#endif

#ifdef SMTPGATE_SANITIZED
/*
 * Sanitizer builds only: a setgid process is not dumpable, so
 * LeakSanitizer cannot stop it to look for leaks and fails the run; the
 * runtime ignores ASAN_OPTIONS then.  Leak checks of the shim run in
 * every test that does not install it setgid.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return getegid() != getgid() ? "detect_leaks=0" : "";
}
#endif

/*
 * Running setgid: the group the binary lends (shim_gid) is more than the
 * caller has.  From the first step the shim works with the caller's own
 * rights and keeps the group only as its saved set-group-ID, for a helper
 * to take back (privsep.h); shim_split() ends that one way or the other
 * before anything reads the message.
 */
static bool shim_privileged;
static gid_t shim_gid;

/*
 * Before anything else: fds 0-2 open, no core dumps (secrets will be in
 * memory), and, with privileges, nothing taken from the caller's
 * environment and no file opened with the group.  Queue files are created
 * readable by the group.
 */
static void
shim_harden(void)
{
	struct rlimit none = { 0, 0 };
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EX_OSERR);
	(void)setrlimit(RLIMIT_CORE, &none);
#ifndef SMTPGATE_SANITIZED	/* LeakSanitizer needs a dumpable process */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	if (geteuid() != getuid()) {
		/* Nothing here is written for a setuid install. */
		fputs("smtpgate-sendmail: installed setuid; install it setgid "
		    "smtpgate instead (chmod u-s,g+s, group smtpgate)\n", stderr);
		_exit(EX_CONFIG);
	}
	shim_privileged = getegid() != getgid();
	if (shim_privileged) {
		shim_gid = getegid();
		(void)clearenv();
		(void)setenv("PATH", "/usr/bin:/bin", 1);
		if (setegid(getgid()) != 0 || getegid() != getgid())
			_exit(EX_OSERR);
	}
	umask(027);
}

static int
shim_load(struct shim *sh)
{
	const char *path = sh->opts.config ? sh->opts.config : CFG_DEFAULT_PATH;
	struct str diag = STR_INIT;
	int rc;

	/* Read as the caller: what they cannot read is not read for them.
	   Whether the secrets exist is the helper's to find out, or root's
	   --check-config's. */
	rc = cfg_load_flags(path, shim_privileged && getuid() != 0 ?
	    CFG_NO_FILE_CHECKS : 0, &sh->cfg, &diag);
	if (rc != CFG_OK)
		shim_fail("%s", str_cstr(&diag));
	else if (diag.len > 0)
		fputs(str_cstr(&diag), stderr);		/* warnings */
	str_free(&diag);
	if (rc == CFG_EIO && shim_privileged && sh->opts.config == NULL)
		shim_fail("%s must be readable by every user who sends mail "
		    "(mode 0644); secrets belong in password_file, readable by "
		    "group smtpgate only", path);
	if (rc != CFG_OK)
		return cfg_exitcode(rc);
	log_set_level(sh->opts.verbose && sh->cfg->log_level < LOG_LEVEL_INFO ?
	    LOG_LEVEL_INFO : sh->cfg->log_level);
	if (sh->cfg->hostname != NULL)
		str_setz(&sh->hostname, sh->cfg->hostname);
	else
		ids_fqdn(&sh->hostname);
	ids_user(&sh->user);
	/* Read as the caller, like the configuration: /etc/mailname is
	   world-readable on Debian, and one that is not is not ours. */
	sh->domain_from = ids_domain(sh->cfg->domain, IDS_MAILNAME,
	    str_cstr(&sh->hostname), &sh->domain, &diag);
	if (diag.len > 0) {
		bool was = log_set_stderr(true);

		str_truncate(&diag, diag.len - 1);	/* the newline */
		log_warning("%s", str_cstr(&diag));
		log_set_stderr(was);
		str_free(&diag);
	}
	if (sh->cfg->aliases != NULL) {
		rc = aliases_load(sh->cfg->aliases, &sh->aliases, &diag);
		if (rc != ALIASES_OK) {
			shim_fail("%scannot use the aliases file set by "
			    "[general] aliases in %s", str_cstr(&diag),
			    sh->cfg->path);
			str_free(&diag);
			return EX_CONFIG;
		}
		if (diag.len > 0)
			fputs(str_cstr(&diag), stderr);
		str_free(&diag);
		sh->have_aliases = 1;
	}
	return 0;
}

/*
 * The end of the group in this process, before anything reads the
 * message or talks to a server.  Only root's own configuration gets a
 * helper that keeps the group for the secrets and the queue (privsep.h);
 * a configuration the caller chose (-C) or one that root does not control
 * runs with the caller's rights alone, as sendmail does with -C.
 */
static int
shim_split(struct shim *sh, bool want_helper)
{
	gid_t rgid = getgid();
	struct str err = STR_INIT;

	if (sh->opts.config == NULL && !sh->cfg->trusted) {
		/* On stderr as well as in syslog: whoever runs it sees why
		   the relay's login fails from now on. */
		bool was = log_set_stderr(true);

		log_warning("%s is not owned by root, or others may write to "
		    "it or to a file it includes: running without the group's "
		    "rights (no relay secrets, no system queue); chown root "
		    "and chmod go-w to fix", sh->cfg->path);
		log_set_stderr(was);
	} else if (sh->opts.config != NULL)
		log_debug("-C %s: running with your own rights only",
		    sh->opts.config);
	if (want_helper && sh->opts.config == NULL && sh->cfg->trusted &&
	    privsep_start(sh->cfg, shim_gid, &sh->ps, &err) != 0) {
		shim_fail("cannot start the queue and secret helper: %s",
		    str_cstr(&err));
		str_free(&err);
		return EX_OSERR;
	}
	str_free(&err);
	if (setresgid(rgid, rgid, rgid) != 0) {
		shim_fail("cannot drop privileges: %s", strerror(errno));
		return EX_OSERR;
	}
	/* And no way back.  Root has every way back whatever we do, and
	   nothing to gain from one. */
	if (getegid() != rgid || (getuid() != 0 && setegid(shim_gid) == 0)) {
		shim_fail("privileges still there after dropping them");
		return EX_OSERR;
	}
	shim_privileged = false;
	return 0;
}

static void
shim_submit_init(struct shim *sh, struct submit *s)
{
	submit_init(s, sh->cfg, &sh->opts, sh->have_aliases ? &sh->aliases :
	    NULL, str_cstr(&sh->hostname), str_cstr(&sh->user));
	s->domain = sh->domain_from != IDS_DOMAIN_NONE ? str_cstr(&sh->domain) :
	    NULL;
	if (sh->ps.fd != -1)
		s->privsep = &sh->ps;
	if (sh->opts.verbose || sh->opts.traffic_log != NULL ||
	    sh->transcript != NULL) {
		s->trace = shim_trace;
		s->trace_arg = sh;
	}
}

/* -bm: one message on stdin. */
static int
shim_deliver(struct shim *sh)
{
	struct str err = STR_INIT;
	struct submit s;
	int rc;

	shim_submit_init(sh, &s);
	rc = submit_read(&s, stdin, &err);
	if (rc != SUBMIT_OK) {
		shim_fail("%s: not sent: %s", str_cstr(&s.queue_id),
		    str_cstr(&err));
		rc = submit_exitcode(rc);
	} else {
		rc = submit_send(&s, NULL, &err);
		if (err.len > 0) {
			/* One "smtpgate-sendmail: " per line of err. */
			const char *p = str_cstr(&err), *nl;

			while ((nl = strchr(p, '\n')) != NULL) {
				fprintf(stderr, "smtpgate-sendmail: %.*s\n",
				    (int)(nl - p), p);
				p = nl + 1;
			}
		}
	}
	submit_free(&s);
	str_free(&err);
	return rc;
}

/* -bs: each message of the dialogue is one submission. */
static int
shim_bs_deliver(void *arg, struct smtpin_txn *txn, struct smtp_reply *reply)
{
	struct shim *sh = arg;
	struct str err = STR_INIT;
	struct submit s;
	int rc;

	shim_submit_init(sh, &s);
	rc = submit_read_envelope(&s, txn->env.sender, txn->env.rcpts.v,
	    txn->env.rcpts.n, txn->data, &err);
	if (rc != SUBMIT_OK) {
		log_warning("%s: not sent: %s", str_cstr(&s.queue_id),
		    str_cstr(&err));
		if (rc == SUBMIT_ETMP)
			smtp_reply_make(reply, 451, "4.3.0", "Cannot take the "
			    "message now");
		else
			smtp_reply_make(reply, 554, "5.6.0", "Message refused: "
			    "%.400s", str_cstr(&err));
		if (reply->code == 0)
			smtp_reply_make(reply, 554, "5.6.0", "Message refused");
	} else {
		(void)submit_send(&s, reply, &err);
	}
	submit_free(&s);
	str_free(&err);
	return 0;
}

/*
 * --test-mail ADDR [--relay NAME]: a real message through one relay (the
 * one named, else the first enabled), every step shown.  No fallback and
 * no queue: the button on the settings page is how people learn their
 * settings are wrong, and "sent" through another relay would hide that.
 */
static int
shim_test_mail(struct shim *sh)
{
	struct str msg = STR_INIT, err = STR_INIT;
	char *rcpt = (char *)sh->opts.test_rcpt;
	const struct cfg_relay *relay;
	struct submit s;
	FILE *in;
	int rc;

	rc = submit_test_relay(sh->cfg, sh->opts.relay, &relay, &err);
	if (rc != SUBMIT_OK) {
		shim_fail("%s", str_cstr(&err));
		str_free(&err);
		return submit_exitcode(rc);
	}
	sh->transcript = stdout;
	str_appendf(&msg, "Subject: smtpgate test mail from %s\n"
	    "To: %s\n\nThis is a test message sent by smtpgate-sendmail "
	    "--test-mail on %s through relay %s.\n", str_cstr(&sh->hostname),
	    rcpt, str_cstr(&sh->hostname), relay->name);
	if ((in = fmemopen(msg.data, msg.len, "r")) == NULL)
		die("fmemopen failed");
	shim_submit_init(sh, &s);
	s.only_relay = relay->name;
	s.test_mail = true;
	rc = submit_read_envelope(&s, sh->opts.sender, &rcpt, 1, in, &err);
	fclose(in);
	if (rc != SUBMIT_OK) {
		printf("test mail: %s\n", str_cstr(&err));
		rc = submit_exitcode(rc);
	} else {
		printf("test mail %s through relay %s (%s port %u, tls = %s%s) "
		    "from <%s> to <%s>\n", str_cstr(&s.queue_id), relay->name,
		    relay->host ? relay->host : "(no host)", relay->port,
		    cfg_tls_name(relay->tls), relay->enabled ? "" :
		    ", disabled", s.env.sender, s.env.rcpts.v[0]);
		rc = submit_send(&s, NULL, &err);
		fputs(str_cstr(&err), stdout);
		printf("result: %s through relay %s (exit status %d)\n", rc == 0 ?
		    "sent" : "NOT sent", relay->name, rc);
	}
	submit_free(&s);
	str_free(&msg);
	str_free(&err);
	return rc;
}

/*
 * --oauth2-login --relay NAME | --account ADDRESS: the device flow, as the
 * caller.  The tokens of root's configuration are every user's way out, so
 * only root may sign in for it; with -C the caller signs in for a file of
 * their own.
 */
static int
shim_oauth2_login(struct shim *sh)
{
	const struct cfg_relay *r = NULL;
	const struct cfg_account *a = NULL;
	struct oauth2_login l;
	struct str err = STR_INIT;
	size_t i;
	int rc;

	if (sh->opts.account != NULL) {
		for (i = 0; i < sh->cfg->naccounts; i++)
			if (strcasecmp(sh->cfg->accounts[i].address,
			    sh->opts.account) == 0)
				a = &sh->cfg->accounts[i];
		r = a != NULL ? a->relay_ptr : NULL;
	} else
		r = cfg_relay_find(sh->cfg, sh->opts.relay);
	if (r == NULL) {
		shim_fail("--oauth2-login: %s has no [%s %s] section", sh->cfg->path,
		    sh->opts.account ? "account" : "relay",
		    sh->opts.account ? sh->opts.account : sh->opts.relay);
		return EX_USAGE;
	}
	if (!oauth2_login_init(&l, sh->cfg, r, a)) {
		shim_fail("--oauth2-login: [%s %s] in %s has no oauth2_client_id: "
		    "set it to the application (client) id you registered "
		    "(smtpgate.conf(5))", a ? "account" : "relay",
		    a ? a->address : r->name, sh->cfg->path);
		return EX_CONFIG;
	}
	if (sh->opts.config == NULL && sh->cfg->trusted && getuid() != 0) {
		shim_fail("--oauth2-login: the tokens of %s send every user's "
		    "mail, so only root may sign in: sudo smtpgate-sendmail "
		    "--oauth2-login %s", sh->cfg->path, l.again);
		oauth2_login_free(&l);
		return EX_NOPERM;
	}
	rc = oauth2_device_login(&l, stdout, &err);
	if (rc != OAUTH2_OK)
		shim_fail("%s", str_cstr(&err));
	oauth2_login_free(&l);
	str_free(&err);
	/* The endpoint cannot be reached: EX_UNAVAILABLE, as for a relay. */
	return rc == OAUTH2_ETEMP ? EX_UNAVAILABLE : rc == OAUTH2_EGRANT ?
	    EX_NOPERM : oauth2_exitcode(rc);
}

/* --check-config: the domain local names get, and where it is from. */
static void
shim_print_domain(const struct shim *sh)
{
	switch (sh->domain_from) {
	case IDS_DOMAIN_CONFIG:
		break;		/* the dump shows it */
	case IDS_DOMAIN_MAILNAME:
		printf("# local names get @%s (from %s)\n",
		    str_cstr(&sh->domain), IDS_MAILNAME);
		break;
	case IDS_DOMAIN_HOSTNAME:
		printf("# local names get @%s (the host name; %s has none)\n",
		    str_cstr(&sh->domain), IDS_MAILNAME);
		break;
	default:
		printf("# local names need an alias: no [general] domain, no "
		    "domain in %s, and the host name %s has no dot\n",
		    IDS_MAILNAME, str_cstr(&sh->hostname));
		break;
	}
}

/*
 * --check-config as root: what the group will see (cfg_audit).  The group
 * is the one this binary is installed setgid to; a build that is not
 * setgid (or a gid without a name) is judged against the documented
 * "smtpgate", with warnings only: no process of it takes the group.  Root
 * alone can see every file the group may; a user's answer would be about
 * the user.
 */
static int
shim_audit(const struct shim *sh)
{
	struct str out = STR_INIT, group = STR_INIT;
	struct group *gr;
	unsigned errors, warnings;

	if (getuid() != 0) {
		printf("# run as root to check what group smtpgate can read "
		    "and write\n");
		return 0;
	}
	/* A copy: getgrgid()'s buffer is the next lookup's too. */
	if (shim_gid != 0 && (gr = getgrgid(shim_gid)) != NULL)
		str_setz(&group, gr->gr_name);
	else
		str_setz(&group, "smtpgate");
	errors = cfg_audit(sh->cfg, str_cstr(&group), shim_gid != 0,
	    &warnings, &out);
	if (shim_gid == 0) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		self[n > 0 ? n : 0] = '\0';
		str_appendf(&out, "%s: warning: not installed setgid, so users' "
		    "mail has no group to read secrets or write the queue with "
		    "(fine when only root sends); the problems above are "
		    "warnings for that; fix: chgrp smtpgate %s && chmod 2755 "
		    "%s\n", n > 0 ? self : "smtpgate-sendmail",
		    n > 0 ? self : "/usr/sbin/smtpgate-sendmail",
		    n > 0 ? self : "/usr/sbin/smtpgate-sendmail");
		warnings++;
	}
	fputs(str_cstr(&out), stderr);
	printf("# files checked for group %s: %u error%s, %u warning%s\n",
	    str_cstr(&group), errors, errors == 1 ? "" : "s", warnings,
	    warnings == 1 ? "" : "s");
	str_free(&out);
	str_free(&group);
	return errors > 0 ? EX_CONFIG : 0;
}

/* -q, -qI/-qR/-qS, --queue-run: one pass over the queue. */
static int
shim_queue_run(struct shim *sh)
{
	struct queue_env qe;
	struct queue_filter f;
	struct queue_stats st;
	struct str err = STR_INIT;
	int rc;

	memset(&qe, 0, sizeof(qe));
	qe.cfg = sh->cfg;
	qe.privsep = sh->ps.fd != -1 ? &sh->ps : NULL;
	qe.hostname = str_cstr(&sh->hostname);
	qe.user = str_cstr(&sh->user);
	if (sh->transcript != NULL) {
		qe.trace = shim_trace;
		qe.trace_arg = sh;
	}
	memset(&f, 0, sizeof(f));
	f.id = sh->opts.queue_id;
	f.rcpt = sh->opts.queue_rcpt;
	f.sender = sh->opts.queue_sender;
	f.due_only = sh->opts.mode == SMOPT_QUEUE_DUE;
	rc = queue_run(&qe, &f, &st, &err);
	if (rc != 0)
		shim_fail("queue run: %s", str_cstr(&err));
	/* The timer runs this every minute: an idle run is not news. */
	log_msg(st.tried + st.busy + st.damaged > 0 ? LOG_LEVEL_INFO :
	    LOG_LEVEL_DEBUG, "queue run: %lu tried, %lu sent, %lu deferred, "
	    "%lu bounced, %lu busy, %lu damaged, %llu connection reuses",
	    st.tried, st.sent, st.deferred, st.bounced, st.busy, st.damaged,
	    st.connections_reused);
	if (sh->opts.verbose)
		fprintf(stderr, "queue run: %lu tried, %lu sent, %lu deferred, "
		    "%lu bounced, %lu busy\n", st.tried, st.sent, st.deferred,
		    st.bounced, st.busy);
	str_free(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct shim sh;
	struct str err = STR_INIT, dump = STR_INIT;
	size_t i;
	int rc;

	util_set_die_status(EX_TEMPFAIL);
	signal(SIGPIPE, SIG_IGN);
	shim_harden();
	log_init("smtpgate-sendmail", LOG_TO_SYSLOG |
	    (isatty(STDERR_FILENO) ? LOG_TO_STDERR : 0));
	memset(&sh, 0, sizeof(sh));
	sh.ps.fd = -1;
	sh.ps.pid = -1;
	smopt_init(&sh.opts);
	if (smopt_parse(&sh.opts, argc, argv, &err) != SMOPT_OK) {
		shim_fail("%s", str_cstr(&err));
		fputs(shim_usage, stderr);
		rc = EX_USAGE;
		goto out;
	}
	if (sh.opts.verbose) {
		log_set_stderr(true);
		sh.transcript = stderr;
	}
	switch (sh.opts.mode) {
	case SMOPT_VERSION:
		printf("smtpgate-sendmail %s\n", PACKAGE_VERSION);
		rc = 0;
		goto out;
	case SMOPT_HELP:
		fputs(shim_usage, stdout);
		rc = 0;
		goto out;
	case SMOPT_NEWALIASES:
		rc = 0;		/* the aliases file is read as it is */
		goto out;
	default:
		break;
	}
	if ((rc = shim_load(&sh)) != 0)
		goto out;
	/* Every mode works without the group; all but --check-config
	   through the helper when root's configuration is in force. */
	if (shim_privileged && (rc = shim_split(&sh, sh.opts.mode !=
	    SMOPT_CHECK_CONFIG && sh.opts.mode != SMOPT_OAUTH2_LOGIN)) != 0)
		goto out;
	for (i = 0; i < sh.opts.ignored.n; i++)
		log_debug("option %s accepted and ignored", sh.opts.ignored.v[i]);
	if (sh.opts.traffic_log != NULL)
		log_info("-X %s: no traffic log file is written; the SMTP "
		    "transcript goes to syslog instead", sh.opts.traffic_log);
	switch (sh.opts.mode) {
	case SMOPT_CHECK_CONFIG:
		cfg_dump(sh.cfg, &dump);
		fputs(str_cstr(&dump), stdout);
		shim_print_domain(&sh);
		rc = shim_audit(&sh);
		break;
	case SMOPT_TEST_MAIL:
		rc = shim_test_mail(&sh);
		break;
	case SMOPT_OAUTH2_LOGIN:
		rc = shim_oauth2_login(&sh);
		break;
	case SMOPT_SMTP:
		rc = smtpin_run(stdin, stdout, str_cstr(&sh.hostname),
		    sh.cfg->max_message_size, shim_bs_deliver, &sh);
		if (rc == SMTPIN_ETRUNC) {
			static const char why[] = "-bs: the input ended inside "
			    "DATA, before CR LF . CR LF: that message was not "
			    "sent (-bs needs CR LF line ends)";

			shim_fail("%s", why);
			rc = EX_DATAERR;
		} else
			rc = rc == SMTPIN_OK ? 0 : EX_IOERR;
		break;
	case SMOPT_LIST_QUEUE:
		rc = queue_list(sh.cfg, sh.ps.fd != -1 ? &sh.ps : NULL, &dump,
		    &err);
		fputs(str_cstr(&dump), stdout);
		if (rc != 0)
			shim_fail("%s", str_cstr(&err));
		break;
	case SMOPT_QUEUE_ALL:
	case SMOPT_QUEUE_DUE:
		rc = shim_queue_run(&sh);
		break;
	case SMOPT_DELETE:
		rc = queue_delete(sh.cfg, sh.ps.fd != -1 ? &sh.ps : NULL,
		    (const char *const *)sh.opts.recipients.v,
		    sh.opts.recipients.n, &dump, &err);
		fputs(str_cstr(&dump), stdout);
		if (err.len > 0)
			shim_fail("%s", str_cstr(&err));
		break;
	default:
		rc = shim_deliver(&sh);
		break;
	}
out:
	privsep_stop(&sh.ps);
	if (sh.have_aliases)
		aliases_free(&sh.aliases);
	cfg_free(sh.cfg);
	smopt_free(&sh.opts);
	str_free(&sh.hostname);
	str_free(&sh.user);
	str_free(&sh.domain);
	str_free(&err);
	str_free(&dump);
	return rc;
}
