/*
 * smopt - the sendmail command line, as smtpgate-sendmail understands it.
 *
 * Rules: smopt_parse() fills a struct smopt from argv and the name the
 * program was called by (sendmail, smtpgate-sendmail, mailq, newaliases).
 * It decides everything the command line can decide and nothing else: the
 * configuration (aliases, domain, address_separator) is applied later.
 * Strings point into argv (argv outlives the struct); lists are allocated
 * and freed by smopt_free().  On SMOPT_EUSAGE err names the offending
 * option.  Options accepted only for compatibility are recorded in
 * `ignored` so the caller can log them at debug level.
 */
#ifndef SMTPGATE_SMOPT_H
#define SMTPGATE_SMOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "envelope.h"	/* SMTP_NOTIFY_*, the bits of -N */
#include "str.h"
#include "strvec.h"

enum smopt_mode {
	SMOPT_DELIVER,		/* -bm, the default: read a message, send it */
	SMOPT_SMTP,		/* -bs: SMTP dialogue on stdin/stdout */
	SMOPT_LIST_QUEUE,	/* -bp, mailq */
	SMOPT_NEWALIASES,	/* -bi, newaliases: nothing to do */
	SMOPT_QUEUE_ALL,	/* -q: attempt every queued message now */
	SMOPT_QUEUE_DUE,	/* --queue-run: only those whose time has come */
	SMOPT_CHECK_CONFIG,	/* --check-config */
	SMOPT_TEST_MAIL,	/* --test-mail ADDR [--relay NAME] */
	SMOPT_DELETE,		/* --delete ID... | ALL: remove queued mail */
	SMOPT_OAUTH2_LOGIN,	/* --oauth2-login --relay NAME | --account
				   ADDRESS: sign in, store the tokens */
	SMOPT_VERSION,		/* --version */
	SMOPT_HELP		/* --help */
};

enum { SMOPT_OK = 0, SMOPT_EUSAGE };


struct smopt {
	enum smopt_mode mode;
	bool	from_headers;	/* -t */
	bool	ignore_dots;	/* -i, -oi: a lone "." does not end input */
	bool	verbose;	/* -v */
	const char *config;	/* -C */
	const char *sender;	/* -f, -r */
	const char *fullname;	/* -F */
	unsigned dsn_notify;	/* -N, 0 when not given */
	const char *dsn_ret;	/* -R: "full" or "hdrs" */
	const char *dsn_envid;	/* -V */
	const char *body_type;	/* -B: "7BIT" or "8BITMIME" */
	const char *traffic_log;	/* -X: never opened, see smopt.c */
	const char *test_rcpt;	/* --test-mail */
	const char *relay;	/* --relay */
	const char *account;	/* --account (with --oauth2-login) */
	const char *queue_id;	/* -qI */
	const char *queue_rcpt;	/* -qR */
	const char *queue_sender;	/* -qS */
	struct strvec recipients;	/* operands, not yet split (queue
					   ids with --delete) */
	struct strvec ignored;		/* compatibility options, as given */
};

void	smopt_init(struct smopt *o);
int	smopt_parse(struct smopt *o, int argc, char **argv, struct str *err);
void	smopt_free(struct smopt *o);
/*
 * Split recipient operands on ",", ";" and the configured extra separator
 * (0 for none), outside quotes, angle brackets and comments, into trimmed,
 * non-empty items appended to out.
 */
void	smopt_split_recipients(const struct smopt *o, int separator,
	    struct strvec *out);
int	smopt_exitcode(int rc);

#endif
