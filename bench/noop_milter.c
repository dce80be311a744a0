/*
 * noop_milter - the baseline for bench/milter.sh: a libmilter milter that
 * registers every callback and does nothing in any of them.  It negotiates
 * nothing away (every protocol step, every reply), which is what a milter
 * written without thought for speed costs the MTA.
 *
 *   cc -O2 -o noop_milter bench/noop_milter.c -lmilter -pthread
 *   ./noop_milter unix:/path/sock | inet:PORT@127.0.0.1
 *
 * Runs in the foreground until SIGTERM or SIGINT (libmilter's own handler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <libmilter/mfapi.h>

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)ctx; (void)host; (void)addr;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx; (void)helo;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_envfrom(SMFICTX *ctx, char **argv)
{
	(void)ctx; (void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx; (void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx; (void)name; (void)value;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	(void)ctx; (void)p; (void)len;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_abort(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_close(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx; (void)cmd;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* Take every step and every reply the MTA offers: no SMFIP_NO* flags. */
static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx; (void)f0; (void)f1; (void)f2; (void)f3;
	*pf0 = 0;
	*pf1 = 0;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static struct smfiDesc nm_desc = {
	"noop",			/* filter name */
	SMFI_VERSION,
	0,			/* no modifications */
	nm_connect,
	nm_helo,
	nm_envfrom,
	nm_envrcpt,
	nm_header,
	nm_eoh,
	nm_body,
	nm_eom,
	nm_abort,
	nm_close,
	nm_unknown,
	nm_data,
	nm_negotiate,
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: noop_milter unix:/path | inet:port@host\n");
		return 64;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(nm_desc) != MI_SUCCESS) {
		fprintf(stderr, "noop_milter: cannot use %s\n", argv[1]);
		return 70;
	}
	/* Postfix connects as another user: the socket is 0666. */
	umask(0111);
	if (smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "noop_milter: cannot open %s\n", argv[1]);
		return 69;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 70;
}
