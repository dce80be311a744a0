/*
 * net - TCP client connections with timeouts and a line reader.  See net.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

#define NET_READ_CHUNK	16384

/* Poll one fd for events until the deadline: 1 ready, 0 timeout, -1 error. */
static int
net_poll(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int n;

	pfd.fd = fd;
	pfd.events = events;
	for (;;) {
		left = deadline - util_mono_ms();
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n >= 0)
			return n > 0 ? 1 : 0;
		if (errno != EINTR)
			return -1;
	}
}

void
net_init(struct net_conn *c)
{
	c->fd = -1;
	c->tls = NULL;
	str_init(&c->in);
	c->pos = 0;
	c->timeout_ms = 30000;
	str_init(&c->peer);
}

/* One connect attempt to one address; errno describes a failure. */
static int
net_try_address(const struct addrinfo *ai, long long deadline)
{
	socklen_t len = sizeof(int);
	int fd, soerr = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if ((r = net_poll(fd, POLLOUT, deadline)) <= 0) {
		if (r == 0)
			errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		goto fail;
	if (soerr == 0)
		return fd;
	errno = soerr;
fail:
	r = errno;
	close(fd);
	errno = r;
	return -1;
}

int
net_connect(struct net_conn *c, const char *host, unsigned port,
    unsigned timeout_ms, struct str *err)
{
	struct addrinfo hints, *res, *ai;
	char service[16], addr[INET6_ADDRSTRLEN] = "?";
	long long deadline = util_mono_ms() + timeout_ms;
	int gai, fd = -1, last = 0;

	c->timeout_ms = timeout_ms;
	str_reset(&c->peer);
	str_appendf(&c->peer, "%s:%u", host, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(service, sizeof(service), "%u", port);
	if ((gai = getaddrinfo(host, service, &hints, &res)) != 0) {
		str_appendf(err, "cannot resolve host name %s: %s", host,
		    gai_strerror(gai));
		return NET_ERESOLVE;
	}
	/* Try each address in turn; report the last failure. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		if (inet_ntop(ai->ai_family, a, addr, sizeof(addr)) == NULL)
			strcpy(addr, "?");
		if ((fd = net_try_address(ai, deadline)) >= 0)
			break;
		last = errno;
		str_reset(err);
		str_appendf(err, "cannot connect to %s[%s]:%u: %s", host, addr,
		    port, errno == ETIMEDOUT ? "connection timed out" :
		    strerror(errno));
	}
	freeaddrinfo(res);
	/* A timeout is a firewall that drops, not a closed port: the hints
	   for the two differ. */
	if (fd < 0)
		return last == ETIMEDOUT ? NET_ETIMEOUT : NET_ECONNECT;
	str_reset(err);
	c->fd = fd;
	str_reset(&c->peer);
	str_appendf(&c->peer, "%s[%s]:%u", host, addr, port);
	str_reset(&c->in);
	c->pos = 0;
	return NET_OK;
}

/* Receive more bytes into the buffer; *got = 0 at EOF. */
static int
net_fill(struct net_conn *c, struct str *err)
{
	size_t got = 0;
	ssize_t n;
	int r;

	/* Drop what was consumed before the buffer grows. */
	if (c->pos > 0 && c->pos == c->in.len) {
		str_reset(&c->in);
		c->pos = 0;
	} else if (c->pos > NET_READ_CHUNK) {
		str_set(&c->in, c->in.data + c->pos, c->in.len - c->pos);
		c->pos = 0;
	}
	str_reserve(&c->in, NET_READ_CHUNK);
	if (c->tls != NULL) {
		r = tls_read(c->tls, c->in.data + c->in.len, NET_READ_CHUNK,
		    c->timeout_ms, &got, err);
		if (r != TLS_OK) {
			str_appendf(err, " (%s)", str_cstr(&c->peer));
			return r == TLS_ETIMEOUT ? NET_ETIMEOUT : NET_ETLS;
		}
	} else {
		for (;;) {
			n = recv(c->fd, c->in.data + c->in.len, NET_READ_CHUNK, 0);
			if (n >= 0) {
				got = (size_t)n;
				break;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				str_appendf(err, "read from %s: %s",
				    str_cstr(&c->peer), strerror(errno));
				return NET_EIO;
			}
			r = net_poll(c->fd, POLLIN, util_mono_ms() + c->timeout_ms);
			if (r == 0) {
				str_appendf(err, "timed out after %u ms waiting "
				    "for %s", c->timeout_ms, str_cstr(&c->peer));
				return NET_ETIMEOUT;
			}
			if (r < 0) {
				str_appendf(err, "poll on %s: %s",
				    str_cstr(&c->peer), strerror(errno));
				return NET_EIO;
			}
		}
	}
	if (got == 0)
		return NET_EOF;
	c->in.len += got;
	c->in.data[c->in.len] = '\0';
	return NET_OK;
}

int
net_read_line(struct net_conn *c, struct str *line, size_t max,
    struct str *err)
{
	size_t scanned = 0;
	const char *lf;
	int rc;

	str_reset(line);
	for (;;) {
		size_t avail = c->in.len - c->pos;

		lf = avail > scanned ? memchr(c->in.data + c->pos + scanned,
		    '\n', avail - scanned) : NULL;
		if (lf != NULL) {
			size_t n = (size_t)(lf - (c->in.data + c->pos)) + 1;

			if (n > max)
				break;
			str_set(line, c->in.data + c->pos, n);
			c->pos += n;
			return NET_OK;
		}
		scanned = avail;
		if (avail >= max)
			break;
		if ((rc = net_fill(c, err)) != NET_OK) {
			if (rc == NET_EOF) {
				str_appendf(err, "%s closed the connection",
				    str_cstr(&c->peer));
				if (c->in.len > c->pos) {
					str_appendz(err, " after \"");
					str_append_escaped(err, c->in.data +
					    c->pos, c->in.len - c->pos);
					str_appendc(err, '"');
				}
			}
			return rc;
		}
	}
	str_appendf(err, "line from %s longer than %zu bytes",
	    str_cstr(&c->peer), max);
	return NET_ETOOLONG;
}

int
net_write(struct net_conn *c, const void *data, size_t len, struct str *err)
{
	const char *p = data;
	ssize_t n;
	int r;

	if (c->tls != NULL) {
		r = tls_write(c->tls, data, len, c->timeout_ms, err);
		if (r == TLS_OK)
			return NET_OK;
		str_appendf(err, " (%s)", str_cstr(&c->peer));
		return r == TLS_ETIMEOUT ? NET_ETIMEOUT : NET_ETLS;
	}
	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = net_poll(c->fd, POLLOUT, util_mono_ms() + c->timeout_ms);
			if (r > 0)
				continue;
			if (r == 0) {
				str_appendf(err, "timed out after %u ms writing "
				    "to %s", c->timeout_ms, str_cstr(&c->peer));
				return NET_ETIMEOUT;
			}
		}
		str_appendf(err, "write to %s: %s", str_cstr(&c->peer),
		    strerror(errno));
		return NET_EIO;
	}
	return NET_OK;
}

int
net_starttls(struct net_conn *c, const struct tls_params *params,
    size_t *discarded, struct str *err)
{
	int r;

	/* Response-injection defence: nothing read before TLS counts. */
	*discarded = c->in.len - c->pos;
	str_reset(&c->in);
	c->pos = 0;
	r = tls_connect(c->fd, params, c->timeout_ms, &c->tls, err);
	if (r == TLS_OK)
		return NET_OK;
	str_appendf(err, " (%s)", str_cstr(&c->peer));
	return r == TLS_ECERT ? NET_ECERT : r == TLS_EPLAIN ? NET_EPLAIN :
	    r == TLS_ETIMEOUT ? NET_ETIMEOUT : NET_ETLS;
}

void
net_close(struct net_conn *c)
{
	if (c->tls != NULL) {
		tls_close(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	str_free(&c->in);
	c->pos = 0;
	str_free(&c->peer);
}
