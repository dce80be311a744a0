/*
 * tls_ossl - OpenSSL, loaded on first use.  See tls_ossl.h.
 */
#include "config.h"

/* Here the names are OpenSSL's, not redirected through the table. */
#define TLS_OSSL_NO_REDIRECT

#include "tls_ossl.h"

#ifndef SMTPGATE_OPENSSL_DLOPEN

bool
tls_ossl_load(struct str *err)
{
	(void)err;
	return true;		/* linked: the loader did it at exec */
}

#else /* SMTPGATE_OPENSSL_DLOPEN */

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "dynlib.h"

/* The unit tests compile this file again with a library that fails. */
#ifndef TLS_OSSL_SONAME
#define TLS_OSSL_SONAME	SMTPGATE_LIBSSL_SONAME
#endif

struct tls_ossl tls_ossl;

#define TLS_OSSL_SYM(name)	{ #name, offsetof(struct tls_ossl, name) },
static const struct dynlib_sym tls_ossl_syms[] = {
	TLS_OSSL_FUNCS(TLS_OSSL_SYM)
};
#undef TLS_OSSL_SYM

static pthread_mutex_t tls_ossl_lock = PTHREAD_MUTEX_INITIALIZER;
static bool tls_ossl_loaded;

bool
tls_ossl_load(struct str *err)
{
	bool ok;

	pthread_mutex_lock(&tls_ossl_lock);
	if (!(ok = tls_ossl_loaded))
		ok = tls_ossl_loaded = dynlib_load(TLS_OSSL_SONAME,
		    tls_ossl_syms, sizeof(tls_ossl_syms) /
		    sizeof(tls_ossl_syms[0]), &tls_ossl, sizeof(tls_ossl), err);
	pthread_mutex_unlock(&tls_ossl_lock);
	return ok;
}

#endif /* SMTPGATE_OPENSSL_DLOPEN */
