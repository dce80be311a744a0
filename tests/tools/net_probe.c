/*
 * net_probe - drive lib/net and lib/tls against a real server for the
 * integration tests: connect, optionally start TLS, optionally send a
 * string, read one line, and print what happened.
 *
 * usage: net_probe [-i] [-n name] [-c cafile] [-k] [-p sha256hex]
 *                  [-s string] [-T timeout_ms] host port
 * Exit: 0 line read, 2 resolve/connect, 3 certificate, 4 TLS, 5 timeout,
 * 6 EOF, 1 other.  "\r" and "\n" in -s are turned into CR and LF.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "str.h"

static int
probe_status(int rc)
{
	switch (rc) {
	case NET_OK: return 0;
	case NET_ERESOLVE:
	case NET_ECONNECT: return 2;
	case NET_ECERT: return 3;
	case NET_ETLS:
	case NET_EPLAIN: return 4;
	case NET_ETIMEOUT: return 5;
	case NET_EOF: return 6;
	default: return 1;
	}
}

static void
probe_unescape(const char *s, struct str *out)
{
	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'r') {
			str_appendc(out, '\r');
			s++;
		} else if (s[0] == '\\' && s[1] == 'n') {
			str_appendc(out, '\n');
			s++;
		} else
			str_appendc(out, *s);
	}
}

int
main(int argc, char **argv)
{
	struct tls_params tp = { NULL, true, NULL, NULL };
	struct str err = STR_INIT, line = STR_INIT, send = STR_INIT;
	struct net_conn c;
	unsigned timeout = 5000;
	size_t discarded;
	int ch, implicit = 0, rc;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "ic:kn:p:s:T:")) != -1) {
		switch (ch) {
		case 'i': implicit = 1; break;
		case 'c': tp.ca_file = optarg; break;
		case 'k': tp.verify = false; break;
		case 'n': tp.servername = optarg; break;
		case 'p': tp.pin_sha256 = optarg; break;
		case 's': probe_unescape(optarg, &send); break;
		case 'T': timeout = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return 1;
		}
	}
	if (argc - optind != 2)
		return 1;
	net_init(&c);
	rc = net_connect(&c, argv[optind], (unsigned)atoi(argv[optind + 1]),
	    timeout, &err);
	if (rc == NET_OK && implicit) {
		if (tp.servername == NULL)
			tp.servername = argv[optind];
		rc = net_starttls(&c, &tp, &discarded, &err);
		if (rc == NET_OK) {
			str_reset(&line);
			tls_describe(c.tls, &line);
			printf("tls: %s\n", str_cstr(&line));
		}
	}
	if (rc == NET_OK && send.len > 0)
		rc = net_write(&c, send.data, send.len, &err);
	if (rc == NET_OK)
		rc = net_read_line(&c, &line, 4096, &err);
	if (rc == NET_OK) {
		printf("line: ");
		str_reset(&send);
		str_append_escaped(&send, line.data, line.len);
		printf("%s\n", str_cstr(&send));
	} else {
		printf("error: %s\n", str_cstr(&err));
	}
	net_close(&c);
	str_free(&err);
	str_free(&line);
	str_free(&send);
	return probe_status(rc);
}
