/*
 * tls - the one module that talks to OpenSSL: TLS client sessions.
 *
 * Rules: verification is on unless the caller turns it off; the chain is
 * checked against the system store or ca_file (which then replaces it), the
 * host name with SSL_set1_host, SNI is always sent for a name, and TLS 1.2 is
 * the minimum.  An optional SHA-256 pin of the leaf certificate is checked
 * after the handshake (in addition to, not instead of, verification unless
 * verify is off).  All I/O waits with poll() on the socket; nothing spins on
 * SSL_ERROR_WANT_*.  On failure the functions fill err with what went wrong,
 * including OpenSSL's error queue and, for certificates, which name was
 * expected and what the certificate holds.
 */
#ifndef SMTPGATE_TLS_H
#define SMTPGATE_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

enum {
	TLS_OK = 0,
	TLS_EHANDSHAKE,		/* protocol failure during the handshake */
	TLS_ECERT,		/* certificate refused (chain, name or pin) */
	TLS_ETIMEOUT,
	TLS_EIO,		/* read/write failure, connection closed */
	TLS_ECONFIG,		/* bad CA file, OpenSSL set-up or load failure */
	TLS_EPLAIN		/* the server's first bytes are plain text (an
				   SMTP reply), not TLS: they are left unread */
};

struct tls_params {
	const char *servername;	/* SNI and name to verify; NULL: none */
	bool	verify;		/* check chain and name */
	const char *ca_file;	/* replaces the system store when set */
	const char *pin_sha256;	/* 64 lowercase hex digits or NULL */
};

struct tls_session;

int	tls_connect(int fd, const struct tls_params *params,
	    unsigned timeout_ms, struct tls_session **out, struct str *err);
/* Read up to len bytes; *got = 0 means the peer closed the connection. */
int	tls_read(struct tls_session *s, void *buf, size_t len,
	    unsigned timeout_ms, size_t *got, struct str *err);
int	tls_write(struct tls_session *s, const void *buf, size_t len,
	    unsigned timeout_ms, struct str *err);
/* Send close_notify (best effort) and free the session; fd stays open. */
void	tls_close(struct tls_session *s);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate verified" and the like. */
void	tls_describe(const struct tls_session *s, struct str *out);

#endif
