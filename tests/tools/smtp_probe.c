/*
 * smtp_probe - drive lib/smtp_client against a real SMTP server for the
 * integration tests.
 *
 * usage: smtp_probe [-t none|starttls|implicit] [-c cafile] [-k] [-n name]
 *                   [-a plain,login,xoauth2,oauthbearer|auto] [-u user]
 *                   [-P secret] [-A] [-f sender] [-m count] [-8] [-U]
 *                   [-s size] [-v] [-T ms] host port msgfile rcpt...
 * Sends msgfile (header and body as they are) count times over one
 * connection.  Exit: 0 sent, 1 temporary, 2 permanent, 3 AUTH, 4 TLS.
 * Prints "result: STATUS at STAGE: text" and one "rcpt:" line per recipient.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasl.h"
#include "smtp_client.h"

static const char *const probe_status[] = { "SENT", "TEMP", "PERM",
    "AUTHFAIL", "TLSFAIL" };

static int
probe_read(void *arg, char *buf, size_t cap, size_t *got, struct str *err)
{
	FILE *fp = arg;

	*got = fread(buf, 1, cap, fp);
	if (*got == 0 && ferror(fp)) {
		str_appendz(err, "read error");
		return -1;
	}
	return 0;
}

static void
probe_trace(void *arg, const char *dir, const char *line, size_t len)
{
	struct str s = STR_INIT;

	(void)arg;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	str_append_escaped(&s, line, len);
	fprintf(stderr, "%s%s\n", dir, str_cstr(&s));
	str_free(&s);
}

static unsigned
probe_mechs(const char *list)
{
	unsigned m = 0;
	const char *p = list;

	if (strcmp(list, "auto") == 0)
		return SASL_AUTO_PASSWORD;
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		m |= sasl_mech_from_name(p, n);
		p += n + (p[n] == ',');
	}
	return m;
}

int
main(int argc, char **argv)
{
	struct smtp_params p;
	struct smtp_client c;
	struct smtp_result res;
	struct envelope env = ENVELOPE_INIT;
	struct smtp_reply *replies;
	struct str secret = STR_INIT, line = STR_INIT;
	const char *sender = "probe@example.org";
	enum smtp_status st;
	int ch, count = 1, i, verbose = 0;
	size_t r;
	FILE *fp;

	signal(SIGPIPE, SIG_IGN);
	memset(&p, 0, sizeof(p));
	p.tlsp.verify = true;
	p.helo = "probe.test";
	p.timeout_ms = 5000;
	while ((ch = getopt(argc, argv, "t:c:kn:a:u:P:Af:m:8Us:vT:")) != -1) {
		switch (ch) {
		case 't':
			p.tls = strcmp(optarg, "starttls") == 0 ? SMTP_TLS_STARTTLS :
			    strcmp(optarg, "implicit") == 0 ? SMTP_TLS_IMPLICIT :
			    SMTP_TLS_NONE;
			break;
		case 'c': p.tlsp.ca_file = optarg; break;
		case 'k': p.tlsp.verify = false; break;
		case 'n': p.tlsp.servername = optarg; break;
		case 'a': p.auth_wanted = probe_mechs(optarg); break;
		case 'u': p.user = optarg; break;
		case 'P': str_setz(&secret, optarg); p.secret = &secret; break;
		case 'A': p.allow_plaintext_auth = true; break;
		case 'f': sender = optarg; break;
		case 'm': count = atoi(optarg); break;
		case '8': env.eight_bit = true; break;
		case 'U': env.smtputf8 = true; break;
		case 's': env.size = strtoull(optarg, NULL, 10); break;
		case 'v': verbose = 1; break;
		case 'T': p.timeout_ms = (unsigned)atoi(optarg); break;
		default: return 64;
		}
	}
	if (argc - optind < 4)
		return 64;
	p.host = argv[optind];
	p.port = (unsigned)atoi(argv[optind + 1]);
	envelope_set_sender(&env, sender);
	for (i = optind + 3; i < argc; i++)
		envelope_add_rcpt(&env, argv[i]);
	replies = xcalloc(env.rcpts.n, sizeof(*replies));
	for (r = 0; r < env.rcpts.n; r++)
		smtp_reply_init(&replies[r]);
	smtp_client_init(&c);
	if (verbose) {
		c.trace = probe_trace;
		c.trace_arg = NULL;
	}
	smtp_result_init(&res);
	st = smtp_client_open(&c, &p, &res);
	for (i = 0; st == SMTP_SENT && i < count; i++) {
		if ((fp = fopen(argv[optind + 2], "rb")) == NULL) {
			perror(argv[optind + 2]);
			return 66;
		}
		st = smtp_client_send(&c, &env, replies, NULL, probe_read, fp,
		    &res);
		fclose(fp);
	}
	printf("result: %s at %s: %s\n", probe_status[st],
	    smtp_stage_name(res.stage), str_cstr(&res.text));
	for (r = 0; r < env.rcpts.n; r++) {
		str_reset(&line);
		smtp_reply_describe(&replies[r], &line);
		printf("rcpt: %s %s\n", env.rcpts.v[r], str_cstr(&line));
		smtp_reply_free(&replies[r]);
	}
	if (c.discarded > 0)
		printf("discarded: %zu bytes before TLS\n", c.discarded);
	printf("messages: %llu\n", c.messages);
	smtp_client_close(&c);
	smtp_result_free(&res);
	str_free(&line);
	str_free_secret(&secret);
	free(replies);
	envelope_free(&env);
	return (int)st;
}
