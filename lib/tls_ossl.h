/*
 * tls_ossl - OpenSSL, loaded on first use.  Included by tls.c only.
 *
 * Linking libssl makes the dynamic loader relocate libssl and libcrypto on
 * every exec: Debian's libcrypto is linked with BIND_NOW, and that alone
 * cost 3.25 M of the 3.65 M instructions of sending a plain-text message.
 * So, unless configure was told --disable-openssl-dlopen, the programs do
 * not link OpenSSL at all: tls_ossl_load() dlopen()s libssl by the SONAME
 * configure found and fills a table of function pointers, and the macros at
 * the end of this header send tls.c's calls through that table.  OpenSSL 3
 * initialises itself on its first call, so nothing of it runs before TLS is
 * wanted.
 *
 * The library is opened by SONAME only, never by a path from the
 * environment or the configuration; for the setgid shim the loader then
 * ignores LD_LIBRARY_PATH as well (AT_SECURE).
 *
 * Rules: tls_ossl_load() must succeed before any OpenSSL call.  It loads
 * once per process, is safe to call again (from any thread), and after a
 * failure it tries again and fails again.  It fills err only on failure.
 * When OpenSSL is linked it always succeeds.
 *
 * TLS_OSSL_FUNCS lists every OpenSSL function tls.c calls, including those
 * it reaches through OpenSSL's macros (SSL_CTX_set_min_proto_version is
 * SSL_CTX_ctrl, sk_X509_num is OPENSSL_sk_num).  The #define list below it
 * must name the same functions: a define without an entry fails to
 * compile, and an entry without a define leaves tls.o with an undefined
 * OpenSSL symbol, which fails to link.  A file that defines
 * TLS_OSSL_NO_REDIRECT before including this header sees OpenSSL's own
 * names (tls_ossl.c, which fills the table, and its unit test).
 */
#ifndef SMTPGATE_TLS_OSSL_H
#define SMTPGATE_TLS_OSSL_H

#include <stdbool.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "str.h"

#define TLS_OSSL_FUNCS(X) \
	X(ASN1_STRING_get0_data) \
	X(ASN1_STRING_length) \
	X(BIO_ctrl) \
	X(BIO_free) \
	X(BIO_new) \
	X(BIO_s_mem) \
	X(ERR_clear_error) \
	X(ERR_error_string_n) \
	X(ERR_get_error) \
	X(ERR_peek_error) \
	X(EVP_sha256) \
	X(GENERAL_NAMES_free) \
	X(OPENSSL_sk_num) \
	X(OPENSSL_sk_value) \
	X(SSL_CIPHER_get_name) \
	X(SSL_CTX_ctrl) \
	X(SSL_CTX_free) \
	X(SSL_CTX_load_verify_dir) \
	X(SSL_CTX_load_verify_locations) \
	X(SSL_CTX_new) \
	X(SSL_CTX_set_default_verify_paths) \
	X(SSL_CTX_set_verify) \
	X(SSL_connect) \
	X(SSL_ctrl) \
	X(SSL_free) \
	X(SSL_get0_param) \
	X(SSL_get_current_cipher) \
	X(SSL_get1_peer_certificate) \
	X(SSL_get_error) \
	X(SSL_get_ex_data) \
	X(SSL_get_ex_data_X509_STORE_CTX_idx) \
	X(SSL_get_peer_cert_chain) \
	X(SSL_get_verify_result) \
	X(SSL_get_version) \
	X(SSL_new) \
	X(SSL_read) \
	X(SSL_set1_host) \
	X(SSL_set_ex_data) \
	X(SSL_set0_rbio) \
	X(SSL_set_fd) \
	X(SSL_set_rfd) \
	X(SSL_shutdown) \
	X(SSL_write) \
	X(TLS_client_method) \
	X(X509_NAME_print_ex) \
	X(X509_STORE_CTX_get_current_cert) \
	X(X509_STORE_CTX_get_error_depth) \
	X(X509_STORE_CTX_get_ex_data) \
	X(X509_VERIFY_PARAM_set1_ip_asc) \
	X(X509_digest) \
	X(X509_free) \
	X(X509_get_default_cert_dir) \
	X(X509_get_default_cert_dir_env) \
	X(X509_get_ext_d2i) \
	X(X509_get_subject_name) \
	X(X509_up_ref) \
	X(X509_verify_cert_error_string)

/* Each member has the type of OpenSSL's own prototype. */
#define TLS_OSSL_MEMBER(name)	__typeof__(name) *name;
struct tls_ossl {
	TLS_OSSL_FUNCS(TLS_OSSL_MEMBER)
};
#undef TLS_OSSL_MEMBER

extern struct tls_ossl tls_ossl;

bool	tls_ossl_load(struct str *err);

#if defined(SMTPGATE_OPENSSL_DLOPEN) && !defined(TLS_OSSL_NO_REDIRECT)
#define ASN1_STRING_get0_data	(tls_ossl.ASN1_STRING_get0_data)
#define ASN1_STRING_length	(tls_ossl.ASN1_STRING_length)
#define BIO_ctrl		(tls_ossl.BIO_ctrl)
#define BIO_free		(tls_ossl.BIO_free)
#define BIO_new			(tls_ossl.BIO_new)
#define BIO_s_mem		(tls_ossl.BIO_s_mem)
#define ERR_clear_error		(tls_ossl.ERR_clear_error)
#define ERR_error_string_n	(tls_ossl.ERR_error_string_n)
#define ERR_get_error		(tls_ossl.ERR_get_error)
#define ERR_peek_error		(tls_ossl.ERR_peek_error)
#define EVP_sha256		(tls_ossl.EVP_sha256)
#define GENERAL_NAMES_free	(tls_ossl.GENERAL_NAMES_free)
#define OPENSSL_sk_num		(tls_ossl.OPENSSL_sk_num)
#define OPENSSL_sk_value	(tls_ossl.OPENSSL_sk_value)
#define SSL_CIPHER_get_name	(tls_ossl.SSL_CIPHER_get_name)
#define SSL_CTX_ctrl		(tls_ossl.SSL_CTX_ctrl)
#define SSL_CTX_free		(tls_ossl.SSL_CTX_free)
#define SSL_CTX_load_verify_dir	(tls_ossl.SSL_CTX_load_verify_dir)
#define SSL_CTX_load_verify_locations \
				(tls_ossl.SSL_CTX_load_verify_locations)
#define SSL_CTX_new		(tls_ossl.SSL_CTX_new)
#define SSL_CTX_set_default_verify_paths \
				(tls_ossl.SSL_CTX_set_default_verify_paths)
#define SSL_CTX_set_verify	(tls_ossl.SSL_CTX_set_verify)
#define SSL_connect		(tls_ossl.SSL_connect)
#define SSL_ctrl		(tls_ossl.SSL_ctrl)
#define SSL_free		(tls_ossl.SSL_free)
#define SSL_get0_param		(tls_ossl.SSL_get0_param)
#define SSL_get1_peer_certificate \
				(tls_ossl.SSL_get1_peer_certificate)
#define SSL_get_current_cipher	(tls_ossl.SSL_get_current_cipher)
#define SSL_get_error		(tls_ossl.SSL_get_error)
#define SSL_get_ex_data		(tls_ossl.SSL_get_ex_data)
#define SSL_get_ex_data_X509_STORE_CTX_idx \
				(tls_ossl.SSL_get_ex_data_X509_STORE_CTX_idx)
#define SSL_get_peer_cert_chain	(tls_ossl.SSL_get_peer_cert_chain)
#define SSL_get_verify_result	(tls_ossl.SSL_get_verify_result)
#define SSL_get_version		(tls_ossl.SSL_get_version)
#define SSL_new			(tls_ossl.SSL_new)
#define SSL_read		(tls_ossl.SSL_read)
#define SSL_set1_host		(tls_ossl.SSL_set1_host)
#define SSL_set_ex_data		(tls_ossl.SSL_set_ex_data)
#define SSL_set0_rbio		(tls_ossl.SSL_set0_rbio)
#define SSL_set_fd		(tls_ossl.SSL_set_fd)
#define SSL_set_rfd		(tls_ossl.SSL_set_rfd)
#define SSL_shutdown		(tls_ossl.SSL_shutdown)
#define SSL_write		(tls_ossl.SSL_write)
#define TLS_client_method	(tls_ossl.TLS_client_method)
#define X509_NAME_print_ex	(tls_ossl.X509_NAME_print_ex)
#define X509_STORE_CTX_get_current_cert \
				(tls_ossl.X509_STORE_CTX_get_current_cert)
#define X509_STORE_CTX_get_error_depth \
				(tls_ossl.X509_STORE_CTX_get_error_depth)
#define X509_STORE_CTX_get_ex_data \
				(tls_ossl.X509_STORE_CTX_get_ex_data)
#define X509_VERIFY_PARAM_set1_ip_asc \
				(tls_ossl.X509_VERIFY_PARAM_set1_ip_asc)
#define X509_digest		(tls_ossl.X509_digest)
#define X509_free		(tls_ossl.X509_free)
#define X509_get_default_cert_dir \
				(tls_ossl.X509_get_default_cert_dir)
#define X509_get_default_cert_dir_env \
				(tls_ossl.X509_get_default_cert_dir_env)
#define X509_get_ext_d2i	(tls_ossl.X509_get_ext_d2i)
#define X509_get_subject_name	(tls_ossl.X509_get_subject_name)
#define X509_up_ref		(tls_ossl.X509_up_ref)
#define X509_verify_cert_error_string \
				(tls_ossl.X509_verify_cert_error_string)
#endif /* SMTPGATE_OPENSSL_DLOPEN && !TLS_OSSL_NO_REDIRECT */

#endif
