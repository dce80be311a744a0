/*
 * smopt - the sendmail command line.  See smopt.h.
 *
 * Options follow sendmail's getopt string, so bundles such as "-tif addr"
 * and "-oi" work as they do there.  Option processing stops at "--" or at
 * the first recipient; an argument after that which starts with "-" is
 * refused rather than taken for an address or an option, because a caller
 * that builds the command line from user input (the PHPMailer
 * CVE-2016-10033 class) must not be able to smuggle options in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "smopt.h"

/* Letters that take an argument (attached or in the next word). */
static const char smopt_with_arg[] = "ABbCdeFfhLMNOopRrTVX";
/* Letters accepted without an argument. */
static const char smopt_flags[] = "cGIimnqstUv";

void
smopt_init(struct smopt *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = SMOPT_DELIVER;
}

void
smopt_free(struct smopt *o)
{
	strvec_free(&o->recipients);
	strvec_free(&o->ignored);
}

static int
smopt_usage(struct str *err, const char *fmt, const char *what)
{
	str_appendz(err, "usage: ");
	/* The format is ours; the argument is escaped outside text. */
	if (what != NULL) {
		const char *pct = strstr(fmt, "%s");

		str_append(err, fmt, (size_t)(pct - fmt));
		str_append_escaped(err, what, strlen(what));
		str_appendz(err, pct + 2);
	} else {
		str_appendz(err, fmt);
	}
	return SMOPT_EUSAGE;
}

/* -N never | success,failure,delay (RFC 3461 NOTIFY). */
static int
smopt_notify(struct smopt *o, const char *arg, struct str *err)
{
	const char *p = arg, *comma;
	size_t len;

	o->dsn_notify = 0;
	do {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 5 && strncasecmp(p, "never", 5) == 0)
			o->dsn_notify |= SMTP_NOTIFY_NEVER;
		else if (len == 7 && strncasecmp(p, "success", 7) == 0)
			o->dsn_notify |= SMTP_NOTIFY_SUCCESS;
		else if (len == 7 && strncasecmp(p, "failure", 7) == 0)
			o->dsn_notify |= SMTP_NOTIFY_FAILURE;
		else if (len == 5 && strncasecmp(p, "delay", 5) == 0)
			o->dsn_notify |= SMTP_NOTIFY_DELAY;
		else
			return smopt_usage(err, "-N '%s': expected never or a "
			    "list of success, failure, delay", arg);
		if (comma != NULL)
			p = comma + 1;
	} while (comma != NULL);
	if ((o->dsn_notify & SMTP_NOTIFY_NEVER) &&
	    o->dsn_notify != SMTP_NOTIFY_NEVER)
		return smopt_usage(err, "-N '%s': never cannot be combined "
		    "with other values", arg);
	return SMOPT_OK;
}

/* -V envid: RFC 3461 ENVID is printable ASCII, at most 100 characters. */
static int
smopt_envid(struct smopt *o, const char *arg, struct str *err)
{
	const unsigned char *p;

	if (*arg == '\0' || strlen(arg) > 100)
		return smopt_usage(err, "-V '%s': the envelope id must be 1 to "
		    "100 characters", arg);
	for (p = (const unsigned char *)arg; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return smopt_usage(err, "-V '%s': the envelope id must "
			    "be printable ASCII without spaces", arg);
	o->dsn_envid = arg;
	return SMOPT_OK;
}

static int
smopt_mode_letter(struct smopt *o, const char *arg, struct str *err)
{
	if (strcmp(arg, "m") == 0)
		o->mode = SMOPT_DELIVER;
	else if (strcmp(arg, "s") == 0)
		o->mode = SMOPT_SMTP;
	else if (strcmp(arg, "p") == 0)
		o->mode = SMOPT_LIST_QUEUE;
	else if (strcmp(arg, "i") == 0)
		o->mode = SMOPT_NEWALIASES;
	else
		return smopt_usage(err, "-b%s is not supported (smtpgate "
		    "supports -bm, -bs, -bp and -bi)", arg);
	return SMOPT_OK;
}

/* -q[interval] -qI<id> -qR<rcpt> -qS<sender> -qf. */
static int
smopt_queue(struct smopt *o, const char *arg, char **ignored_word,
    struct str *err)
{
	o->mode = SMOPT_QUEUE_ALL;
	switch (arg[0]) {
	case '\0':
		return SMOPT_OK;
	case 'I':
		o->queue_id = arg + 1;
		break;
	case 'R':
		o->queue_rcpt = arg + 1;
		break;
	case 'S':
		o->queue_sender = arg + 1;
		break;
	case 'f':
		if (arg[1] != '\0')
			return smopt_usage(err, "-q%s: unknown queue option",
			    arg);
		return SMOPT_OK;
	default:
		if (arg[0] >= '0' && arg[0] <= '9') {
			/* A run interval: we run once; cron or a timer repeats. */
			strvec_push_dup(&o->ignored, *ignored_word);
			return SMOPT_OK;
		}
		return smopt_usage(err, "-q%s: unknown queue option", arg);
	}
	if (arg[1] == '\0')
		return smopt_usage(err, "-q%s needs a value", arg);
	return SMOPT_OK;
}

/* One option letter with its argument (NULL for flags). */
static int
smopt_apply(struct smopt *o, int c, const char *arg, char **word,
    struct str *err)
{
	switch (c) {
	case 'B':
		if (strcasecmp(arg, "7BIT") != 0 && strcasecmp(arg, "8BITMIME") != 0)
			return smopt_usage(err, "-B '%s': expected 7BIT or "
			    "8BITMIME", arg);
		o->body_type = arg;
		return SMOPT_OK;
	case 'b':
		return smopt_mode_letter(o, arg, err);
	case 'C':
		o->config = arg;
		return SMOPT_OK;
	case 'F':
		o->fullname = arg;
		return SMOPT_OK;
	case 'f':
	case 'r':
		o->sender = arg;
		return SMOPT_OK;
	case 'I':
		o->mode = SMOPT_NEWALIASES;
		return SMOPT_OK;
	case 'i':
		o->ignore_dots = true;
		return SMOPT_OK;
	case 'N':
		return smopt_notify(o, arg, err);
	case 'o':
		if (strcmp(arg, "i") == 0)
			o->ignore_dots = true;
		else
			strvec_push_dup(&o->ignored, *word);
		return SMOPT_OK;
	case 'R':
		if (strcasecmp(arg, "full") != 0 && strcasecmp(arg, "hdrs") != 0)
			return smopt_usage(err, "-R '%s': expected full or hdrs",
			    arg);
		o->dsn_ret = arg;
		return SMOPT_OK;
	case 'q':
		return smopt_queue(o, arg, word, err);
	case 't':
		o->from_headers = true;
		return SMOPT_OK;
	case 'V':
		return smopt_envid(o, arg, err);
	case 'v':
		o->verbose = true;
		return SMOPT_OK;
	case 'X':
		/* Never a file: see the comment at the top. */
		o->traffic_log = arg;
		return SMOPT_OK;
	default:
		/* A, c, d, e, G, h, L, M, m, n, O, p, s, T, U: compatibility. */
		strvec_push_dup(&o->ignored, *word);
		return SMOPT_OK;
	}
}

/* Long options: --name, --name=value, --name value. */
static int
smopt_long(struct smopt *o, int argc, char **argv, int *i, struct str *err)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const char **target = NULL;

#define SMOPT_IS(s) (len == strlen(s) && strncmp(name, (s), len) == 0)
	if (SMOPT_IS("check-config"))
		o->mode = SMOPT_CHECK_CONFIG;
	else if (SMOPT_IS("queue-run"))
		o->mode = SMOPT_QUEUE_DUE;
	else if (SMOPT_IS("delete"))
		o->mode = SMOPT_DELETE;
	else if (SMOPT_IS("version"))
		o->mode = SMOPT_VERSION;
	else if (SMOPT_IS("help"))
		o->mode = SMOPT_HELP;
	else if (SMOPT_IS("test-mail")) {
		o->mode = SMOPT_TEST_MAIL;
		target = &o->test_rcpt;
	} else if (SMOPT_IS("oauth2-login"))
		o->mode = SMOPT_OAUTH2_LOGIN;
	else if (SMOPT_IS("relay"))
		target = &o->relay;
	else if (SMOPT_IS("account"))
		target = &o->account;
	else
		return smopt_usage(err, "unknown option '%s'", argv[*i]);
#undef SMOPT_IS
	if (target == NULL) {
		if (eq != NULL)
			return smopt_usage(err, "option '%s' takes no value",
			    argv[*i]);
		return SMOPT_OK;
	}
	if (eq != NULL)
		*target = eq + 1;
	else if (*i + 1 < argc)
		*target = argv[++*i];
	else
		return smopt_usage(err, "option '%s' needs a value", argv[*i]);
	if (**target == '\0')
		return smopt_usage(err, "option '%s' needs a value", argv[*i]);
	return SMOPT_OK;
}

/* The mode implied by the name the program was called by. */
static void
smopt_progname(struct smopt *o, const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	if (strcmp(base, "mailq") == 0)
		o->mode = SMOPT_LIST_QUEUE;
	else if (strcmp(base, "newaliases") == 0)
		o->mode = SMOPT_NEWALIASES;
}

int
smopt_parse(struct smopt *o, int argc, char **argv, struct str *err)
{
	const char *arg;
	char *word, opt[3];
	int i, rc;

	if (argc > 0 && argv[0] != NULL)
		smopt_progname(o, argv[0]);
	for (i = 1; i < argc; i++) {
		word = argv[i];
		if (word[0] != '-' || word[1] == '\0')
			break;			/* the first recipient */
		if (strcmp(word, "--") == 0) {
			i++;
			break;
		}
		if (word[1] == '-') {
			if ((rc = smopt_long(o, argc, argv, &i, err)) != SMOPT_OK)
				return rc;
			continue;
		}
		/* A bundle of letters; one that takes an argument ends it. */
		for (const char *p = word + 1; *p != '\0'; p++) {
			opt[0] = '-';
			opt[1] = *p;
			opt[2] = '\0';
			if (*p == 'q') {
				/* -q takes only an attached value. */
				rc = smopt_apply(o, 'q', p + 1, &word, err);
				if (rc != SMOPT_OK)
					return rc;
				break;
			}
			if (strchr(smopt_with_arg, *p) != NULL) {
				if (p[1] != '\0')
					arg = p + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return smopt_usage(err, "option %s needs "
					    "an argument", opt);
				if ((rc = smopt_apply(o, *p, arg, &word, err)) !=
				    SMOPT_OK)
					return rc;
				break;
			}
			if (strchr(smopt_flags, *p) == NULL)
				return smopt_usage(err, "unknown option %s "
				    "(see smtpgate-sendmail(8))", opt);
			if ((rc = smopt_apply(o, *p, NULL, &word, err)) !=
			    SMOPT_OK)
				return rc;
		}
	}
	for (; i < argc; i++) {
		if (argv[i][0] == '-')
			return smopt_usage(err, "'%s' after the recipients: "
			    "options must come first", argv[i]);
		strvec_push_dup(&o->recipients, argv[i]);
	}
	if (o->mode == SMOPT_DELIVER && o->recipients.n == 0 &&
	    !o->from_headers)
		return smopt_usage(err, "no recipients given (use -t to take "
		    "them from the To, Cc and Bcc headers)", NULL);
	if (o->mode == SMOPT_DELETE && o->recipients.n == 0)
		return smopt_usage(err, "--delete needs queue ids (as mailq "
		    "shows them) or ALL", NULL);
	if (o->mode != SMOPT_DELIVER && o->mode != SMOPT_TEST_MAIL &&
	    o->mode != SMOPT_DELETE && o->recipients.n > 0)
		return smopt_usage(err, "recipients '%s' are not used in this "
		    "mode", o->recipients.v[0]);
	if (o->relay != NULL && o->mode != SMOPT_TEST_MAIL &&
	    o->mode != SMOPT_OAUTH2_LOGIN)
		return smopt_usage(err, "--relay goes with --test-mail or "
		    "--oauth2-login", NULL);
	if (o->account != NULL && o->mode != SMOPT_OAUTH2_LOGIN)
		return smopt_usage(err, "--account goes with --oauth2-login",
		    NULL);
	if (o->mode == SMOPT_OAUTH2_LOGIN && (o->relay == NULL) ==
	    (o->account == NULL))
		return smopt_usage(err, "--oauth2-login needs --relay NAME or "
		    "--account ADDRESS (one of them)", NULL);
	return SMOPT_OK;
}

void
smopt_split_recipients(const struct smopt *o, int separator,
    struct strvec *out)
{
	struct str item = STR_INIT;
	size_t i;

	for (i = 0; i < o->recipients.n; i++) {
		const char *p = o->recipients.v[i];
		int quoted = 0, angle = 0, paren = 0;

		for (;; p++) {
			int c = (unsigned char)*p;
			int split = c == '\0' || (!quoted && !angle && !paren &&
			    (c == ',' || c == ';' || (separator && c == separator)));

			if (split) {
				str_trim(&item);
				if (item.len > 0)
					strvec_push(out, str_detach(&item));
				str_reset(&item);
				if (c == '\0')
					break;
				continue;
			}
			if (c == '\\' && quoted && p[1] != '\0') {
				str_appendc(&item, c);
				c = (unsigned char)*++p;
			} else if (c == '"') {
				quoted = !quoted;
			} else if (!quoted) {
				if (c == '<')
					angle++;
				else if (c == '>' && angle > 0)
					angle--;
				else if (c == '(')
					paren++;
				else if (c == ')' && paren > 0)
					paren--;
			}
			str_appendc(&item, c);
		}
	}
	str_free(&item);
}

int
smopt_exitcode(int rc)
{
	return rc == SMOPT_OK ? EX_OK : EX_USAGE;
}
