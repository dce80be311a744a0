/*
 * net - a TCP client connection with timeouts, a bounded line reader and
 * optional TLS (through tls.h) on the same connection.
 *
 * Rules: every wait is a poll() bounded by the connection's timeout; the
 * socket is non-blocking.  Input is buffered in a struct str; a line longer
 * than the caller's maximum is an error, never a truncation.  net_starttls()
 * throws away every byte received before the handshake, so a server (or a
 * man in the middle) cannot inject replies that would be read as if they
 * came over TLS.  Callers must ignore SIGPIPE.  Functions fill err only on
 * failure, with the peer named ("host[address]:port").
 */
#ifndef SMTPGATE_NET_H
#define SMTPGATE_NET_H

#include <stddef.h>

#include "str.h"
#include "tls.h"

enum {
	NET_OK = 0,
	NET_EOF,		/* the peer closed the connection */
	NET_ERESOLVE,		/* host name did not resolve */
	NET_ECONNECT,		/* refused or unreachable */
	NET_ETIMEOUT,		/* connect, a read or a write timed out */
	NET_EIO,
	NET_ETOOLONG,		/* a line longer than the caller allows */
	NET_ETLS,		/* TLS handshake or I/O failure */
	NET_ECERT,		/* TLS certificate refused */
	NET_EPLAIN		/* TLS expected, the server sent plain text
				   first: it is left unread on the connection */
};

struct net_conn {
	int	fd;		/* -1 when closed */
	struct tls_session *tls;	/* NULL until TLS is up */
	struct str in;		/* received, not yet consumed: in.data[pos..] */
	size_t	pos;
	unsigned timeout_ms;	/* for each read, write or handshake */
	struct str peer;	/* "host[address]:port" for messages */
};

void	net_init(struct net_conn *c);
int	net_connect(struct net_conn *c, const char *host, unsigned port,
	    unsigned timeout_ms, struct str *err);
/*
 * Read one line, LF included, into line (replacing its content).  A line
 * that reaches max bytes without LF is NET_ETOOLONG; bytes of an incomplete
 * line when the peer closes are NET_EOF with the bytes named in err.
 */
int	net_read_line(struct net_conn *c, struct str *line, size_t max,
	    struct str *err);
int	net_write(struct net_conn *c, const void *data, size_t len,
	    struct str *err);
/*
 * Start TLS on the connection.  *discarded tells how many buffered bytes
 * were thrown away first (a well-behaved server sends none).
 */
int	net_starttls(struct net_conn *c, const struct tls_params *params,
	    size_t *discarded, struct str *err);
void	net_close(struct net_conn *c);

#endif
