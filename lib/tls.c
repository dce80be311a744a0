/*
 * tls - TLS client sessions over a connected socket.  See tls.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>

#include "tls.h"
#include "tls_ossl.h"

struct tls_session {
	SSL_CTX *ctx;
	SSL	*ssl;
	int	fd;
	X509	*leaf;		/* the server's certificate, seen while verifying */
	bool	verified;
	bool	pinned;
};

/* Append OpenSSL's error queue, emptying it, as "; reason; reason". */
static void
tls_drain_errors(struct str *err)
{
	unsigned long e;
	char buf[256];		/* OpenSSL's own text, bounded by the call */

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		str_appendf(err, "; %s", buf);
	}
}

/* Wait until OpenSSL can make progress, or the deadline passes. */
static int
tls_wait(struct tls_session *s, int ssl_error, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int n;

	pfd.fd = s->fd;
	pfd.events = ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
	for (;;) {
		left = deadline - util_mono_ms();
		if (left <= 0)
			return TLS_ETIMEOUT;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return TLS_OK;
		if (n == 0)
			return TLS_ETIMEOUT;
		if (errno != EINTR)
			return TLS_EIO;
	}
}

/* What the certificate holds: its subject and DNS/IP names. */
static void
tls_describe_cert(X509 *cert, struct str *out)
{
	GENERAL_NAMES *names;
	BIO *bio;
	char *data;
	long len;
	int i;

	if ((bio = BIO_new(BIO_s_mem())) != NULL) {
		X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
		    XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
		len = BIO_get_mem_data(bio, &data);
		str_appendz(out, "subject ");
		str_append_escaped(out, data, len > 0 ? (size_t)len : 0);
		BIO_free(bio);
	}
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return;
	str_appendz(out, ", names");
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const ASN1_STRING *as;
		char ip[INET6_ADDRSTRLEN];

		if (gn->type == GEN_DNS) {
			as = gn->d.dNSName;
			str_appendc(out, ' ');
			str_append_escaped(out, ASN1_STRING_get0_data(as),
			    (size_t)ASN1_STRING_length(as));
		} else if (gn->type == GEN_IPADD) {
			as = gn->d.iPAddress;
			if (ASN1_STRING_length(as) == 4 && inet_ntop(AF_INET,
			    ASN1_STRING_get0_data(as), ip, sizeof(ip)))
				str_appendf(out, " %s", ip);
			else if (ASN1_STRING_length(as) == 16 &&
			    inet_ntop(AF_INET6, ASN1_STRING_get0_data(as), ip,
			    sizeof(ip)))
				str_appendf(out, " %s", ip);
		}
	}
	GENERAL_NAMES_free(names);
}

static void
tls_hex(const unsigned char *md, unsigned n, struct str *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		str_appendc(out, hex[md[i] >> 4]);
		str_appendc(out, hex[md[i] & 0xf]);
	}
}

/* sha256 of the peer's leaf certificate as 64 lowercase hex digits. */
static bool
tls_peer_sha256(const struct tls_session *s, struct str *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	X509 *cert;
	bool ok;

	if ((cert = SSL_get1_peer_certificate(s->ssl)) == NULL)
		return false;
	ok = X509_digest(cert, EVP_sha256(), md, &n) == 1;
	if (ok)
		tls_hex(md, n, out);
	X509_free(cert);
	return ok;
}

/*
 * Keep the leaf certificate while OpenSSL verifies it: after a failed
 * handshake the session no longer hands it out, and the user needs to see
 * what the server presented.  The verdict itself is OpenSSL's.
 */
static int
tls_verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_session *s = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(xs);

	if (s != NULL && cert != NULL && X509_STORE_CTX_get_error_depth(xs) == 0
	    && s->leaf == NULL && X509_up_ref(cert) == 1)
		s->leaf = cert;
	return preverify_ok;
}

/* Explain a failed verification: the reason, the name wanted, the cert. */
static void
tls_cert_error(struct tls_session *s, const struct tls_params *p,
    long result, struct str *err)
{
	X509 *cert;

	str_appendf(err, "certificate verification failed: %s",
	    X509_verify_cert_error_string(result));
	if (result == X509_V_ERR_HOSTNAME_MISMATCH ||
	    result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
		str_appendz(err, ": expected ");
		str_append_escaped(err, p->servername, strlen(p->servername));
	}
	cert = s->leaf;
	if (cert == NULL) {
		/* Failed before depth 0 was reached: take the chain's end. */
		STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s->ssl);

		if (chain != NULL && sk_X509_num(chain) > 0)
			cert = sk_X509_value(chain, 0);
	}
	if (cert != NULL) {
		str_appendz(err, "; the certificate holds ");
		tls_describe_cert(cert, err);
	}
	if (p->ca_file != NULL)
		str_appendf(err, "; trusted CAs from %s", p->ca_file);
}

/*
 * The system trust store.  Where the hashed certificate directory exists
 * (Debian's /etc/ssl/certs), look CAs up in it lazily: parsing the whole
 * bundle file, as SSL_CTX_set_default_verify_paths() does, costs more
 * than the rest of sending a message.  Elsewhere fall back to that.
 */
static int
tls_system_store(SSL_CTX *ctx)
{
	/*
	 * SSL_CERT_DIR is honoured as OpenSSL honours it: not in a setgid
	 * process, whose caller must not choose whom the relay password is
	 * sent to.  The setgid shim clears its environment anyway;
	 * secure_getenv() keeps that true for any other caller, even after
	 * the group is dropped.
	 */
	const char *dir = secure_getenv(X509_get_default_cert_dir_env());
	struct stat st;

	if (dir == NULL)
		dir = X509_get_default_cert_dir();
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    SSL_CTX_load_verify_dir(ctx, dir) == 1)
		return 1;
	return SSL_CTX_set_default_verify_paths(ctx);
}

static int
tls_setup(struct tls_session *s, const struct tls_params *p, struct str *err)
{
	unsigned char addr[16];
	bool is_ip;

	if ((s->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		str_appendz(err, "cannot create a TLS context");
		tls_drain_errors(err);
		return TLS_ECONFIG;
	}
	SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
	if (p->verify) {
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, tls_verify_cb);
		if (p->ca_file != NULL) {
			if (SSL_CTX_load_verify_locations(s->ctx, p->ca_file,
			    NULL) != 1) {
				str_appendf(err, "cannot load CA file %s",
				    p->ca_file);
				tls_drain_errors(err);
				return TLS_ECONFIG;
			}
		} else if (tls_system_store(s->ctx) != 1) {
			str_appendz(err, "cannot load the system CA store");
			tls_drain_errors(err);
			return TLS_ECONFIG;
		}
	} else {
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, NULL);
	}
	if ((s->ssl = SSL_new(s->ctx)) == NULL ||
	    SSL_set_fd(s->ssl, s->fd) != 1) {
		str_appendz(err, "cannot create a TLS session");
		tls_drain_errors(err);
		return TLS_ECONFIG;
	}
	SSL_set_app_data(s->ssl, s);
	if (p->servername == NULL)
		return TLS_OK;
	is_ip = inet_pton(AF_INET, p->servername, addr) == 1 ||
	    inet_pton(AF_INET6, p->servername, addr) == 1;
	/* SNI carries host names only (RFC 6066 section 3). */
	if (!is_ip && SSL_set_tlsext_host_name(s->ssl, p->servername) != 1) {
		str_appendz(err, "cannot set the TLS server name");
		tls_drain_errors(err);
		return TLS_ECONFIG;
	}
	if (p->verify) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(s->ssl);
		int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp,
		    p->servername) : SSL_set1_host(s->ssl, p->servername);

		if (ok != 1) {
			str_appendz(err, "cannot set the name to verify");
			tls_drain_errors(err);
			return TLS_ECONFIG;
		}
	}
	return TLS_OK;
}

static int
tls_check_pin(struct tls_session *s, const char *pin, struct str *err)
{
	struct str got = STR_INIT;
	int rc = TLS_OK;

	if (!tls_peer_sha256(s, &got)) {
		str_appendz(err, "certificate pin: no peer certificate");
		rc = TLS_ECERT;
	} else if (strcasecmp(str_cstr(&got), pin) != 0) {
		str_appendf(err, "certificate pin mismatch: expected sha256:%s, "
		    "server presented sha256:%s", pin, str_cstr(&got));
		rc = TLS_ECERT;
	}
	str_free(&got);
	return rc;
}

/*
 * Before OpenSSL reads the server's first bytes: a TLS server's first
 * record is a handshake (0x16) or an alert (0x15); an SMTP server that
 * greets in plain text starts with the digit of "220 ".  Peeked, not
 * read, so the caller can still read that greeting and show it: implicit
 * TLS on a port that speaks plain SMTP first (587, 25) is a common
 * misconfiguration, and OpenSSL's "wrong version number" says nothing of
 * it.  tls_connect() makes sure OpenSSL has read nothing yet: such a
 * server greets as soon as it accepts, often before our ClientHello.
 */
static bool
tls_plain_text(int fd)
{
	unsigned char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1 && c >= '1' &&
	    c <= '5';
}

int
tls_connect(int fd, const struct tls_params *p, unsigned timeout_ms,
    struct tls_session **out, struct str *err)
{
	long long deadline = util_mono_ms() + timeout_ms;
	struct tls_session *s;
	bool first_read = true;
	BIO *mem;
	long result;
	int rc, n, e;

	*out = NULL;
	/* The first TLS connection of the process loads OpenSSL. */
	if (!tls_ossl_load(err))
		return TLS_ECONFIG;
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	ERR_clear_error();
	if ((rc = tls_setup(s, p, err)) != TLS_OK)
		goto fail;
	/* Until the ClientHello is out, OpenSSL reads from an empty memory
	   BIO: nothing of the server's is consumed before it is peeked at. */
	if ((mem = BIO_new(BIO_s_mem())) == NULL) {
		str_appendz(err, "cannot create a TLS session");
		tls_drain_errors(err);
		rc = TLS_ECONFIG;
		goto fail;
	}
	SSL_set0_rbio(s->ssl, mem);
	for (;;) {
		ERR_clear_error();
		if ((n = SSL_connect(s->ssl)) == 1)
			break;
		e = SSL_get_error(s->ssl, n);
		if (e == SSL_ERROR_WANT_READ && first_read &&
		    SSL_set_rfd(s->ssl, s->fd) != 1) {
			str_appendz(err, "cannot create a TLS session");
			tls_drain_errors(err);
			rc = TLS_ECONFIG;
			goto fail;
		}
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if ((rc = tls_wait(s, e, deadline)) != TLS_OK) {
				str_appendz(err, rc == TLS_ETIMEOUT ?
				    "TLS handshake timed out" :
				    "TLS handshake: poll failed");
				goto fail;
			}
			if (e == SSL_ERROR_WANT_READ && first_read) {
				first_read = false;
				if (tls_plain_text(s->fd)) {
					str_appendz(err, "TLS handshake failed: "
					    "the server answered in plain text");
					rc = TLS_EPLAIN;
					goto fail;
				}
			}
			continue;
		}
		result = SSL_get_verify_result(s->ssl);
		if (p->verify && result != X509_V_OK) {
			tls_cert_error(s, p, result, err);
			ERR_clear_error();
			rc = TLS_ECERT;
		} else {
			str_appendz(err, "TLS handshake failed");
			if (e == SSL_ERROR_SYSCALL && errno != 0)
				str_appendf(err, ": %s", strerror(errno));
			else if (e == SSL_ERROR_SYSCALL ||
			    e == SSL_ERROR_ZERO_RETURN)
				str_appendz(err, ": the server closed the "
				    "connection");
			tls_drain_errors(err);
			rc = TLS_EHANDSHAKE;
		}
		goto fail;
	}
	s->verified = p->verify;
	if (p->pin_sha256 != NULL) {
		if ((rc = tls_check_pin(s, p->pin_sha256, err)) != TLS_OK)
			goto fail;
		s->pinned = true;
	}
	*out = s;
	return TLS_OK;
fail:
	if (s->leaf != NULL)
		X509_free(s->leaf);
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	if (s->ctx != NULL)
		SSL_CTX_free(s->ctx);
	free(s);
	return rc;
}

int
tls_read(struct tls_session *s, void *buf, size_t len, unsigned timeout_ms,
    size_t *got, struct str *err)
{
	long long deadline = util_mono_ms() + timeout_ms;
	int n, e, rc;

	*got = 0;
	if (len > INT_MAX)
		len = INT_MAX;
	for (;;) {
		ERR_clear_error();
		if ((n = SSL_read(s->ssl, buf, (int)len)) > 0) {
			*got = (size_t)n;
			return TLS_OK;
		}
		e = SSL_get_error(s->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if ((rc = tls_wait(s, e, deadline)) == TLS_OK)
				continue;
			str_appendz(err, rc == TLS_ETIMEOUT ?
			    "timed out reading from the server" :
			    "poll failed reading from the server");
			return rc;
		}
		if (e == SSL_ERROR_ZERO_RETURN)
			return TLS_OK;		/* close_notify: EOF */
		/* EOF without close_notify is still the end of the stream. */
		if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
		    (n == 0 || errno == 0))
			return TLS_OK;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		if (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return TLS_OK;
		}
#endif
		str_appendz(err, "TLS read failed");
		if (e == SSL_ERROR_SYSCALL && errno != 0)
			str_appendf(err, ": %s", strerror(errno));
		tls_drain_errors(err);
		return TLS_EIO;
	}
}

int
tls_write(struct tls_session *s, const void *buf, size_t len,
    unsigned timeout_ms, struct str *err)
{
	long long deadline = util_mono_ms() + timeout_ms;
	const char *p = buf;
	int n, e, rc, chunk;

	while (len > 0) {
		chunk = len > INT_MAX ? INT_MAX : (int)len;
		ERR_clear_error();
		if ((n = SSL_write(s->ssl, p, chunk)) > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		e = SSL_get_error(s->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if ((rc = tls_wait(s, e, deadline)) == TLS_OK)
				continue;
			str_appendz(err, rc == TLS_ETIMEOUT ?
			    "timed out writing to the server" :
			    "poll failed writing to the server");
			return rc;
		}
		str_appendz(err, "TLS write failed");
		if (e == SSL_ERROR_SYSCALL && errno != 0)
			str_appendf(err, ": %s", strerror(errno));
		tls_drain_errors(err);
		return TLS_EIO;
	}
	return TLS_OK;
}

void
tls_close(struct tls_session *s)
{
	if (s == NULL)
		return;
	/* One attempt only: the socket is non-blocking and we do not wait. */
	ERR_clear_error();
	(void)SSL_shutdown(s->ssl);
	ERR_clear_error();
	SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
	if (s->leaf != NULL)
		X509_free(s->leaf);
	free(s);
}

void
tls_describe(const struct tls_session *s, struct str *out)
{
	str_appendf(out, "%s %s", SSL_get_version(s->ssl),
	    SSL_CIPHER_get_name(SSL_get_current_cipher(s->ssl)));
	if (s->verified)
		str_appendz(out, ", certificate verified");
	else
		str_appendz(out, ", certificate not verified");
	if (s->pinned)
		str_appendz(out, ", pin matched");
}
