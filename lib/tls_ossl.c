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

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* The unit tests compile this file again with a library that fails. */
#ifndef TLS_OSSL_SONAME
#define TLS_OSSL_SONAME	SMTPGATE_LIBSSL_SONAME
#endif

struct tls_ossl tls_ossl;

/* Where each symbol goes in the table. */
struct tls_ossl_sym {
	const char *name;
	size_t	offset;
};

#define TLS_OSSL_SYM(name)	{ #name, offsetof(struct tls_ossl, name) },
static const struct tls_ossl_sym tls_ossl_syms[] = {
	TLS_OSSL_FUNCS(TLS_OSSL_SYM)
};
#undef TLS_OSSL_SYM

/*
 * dlsym() returns a void *, which ISO C does not let us convert to a
 * function pointer; POSIX guarantees the representations are the same, so
 * the bytes are copied instead of cast.
 */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "function pointers and void * differ in size");

static pthread_mutex_t tls_ossl_lock = PTHREAD_MUTEX_INITIALIZER;
static bool tls_ossl_loaded;

/* Resolve every function into t; on failure name the missing one. */
static bool
tls_ossl_resolve(void *handle, struct tls_ossl *t, struct str *err)
{
	const struct tls_ossl_sym *sym;
	const char *why;
	void *addr;
	size_t i;

	for (i = 0; i < sizeof(tls_ossl_syms) / sizeof(tls_ossl_syms[0]);
	    i++) {
		sym = &tls_ossl_syms[i];
		(void)dlerror();
		if ((addr = dlsym(handle, sym->name)) == NULL) {
			why = dlerror();
			str_appendf(err, "%s: missing symbol %s",
			    TLS_OSSL_SONAME, sym->name);
			if (why != NULL)
				str_appendf(err, " (%s)", why);
			return false;
		}
		memcpy((char *)t + sym->offset, &addr, sizeof(addr));
	}
	return true;
}

static bool
tls_ossl_open(struct str *err)
{
	struct tls_ossl t;
	const char *why;
	void *handle;

	/*
	 * RTLD_LOCAL: OpenSSL's symbols stay out of the global namespace,
	 * and are found through the handle (libcrypto's too, as a
	 * dependency of libssl).  The handle is never closed: the table
	 * points into the library for the rest of the process.
	 */
	if ((handle = dlopen(TLS_OSSL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		str_appendf(err, "cannot load %s: %s", TLS_OSSL_SONAME,
		    why != NULL ? why : "unknown error");
		return false;
	}
	memset(&t, 0, sizeof(t));
	if (!tls_ossl_resolve(handle, &t, err)) {
		(void)dlclose(handle);
		return false;
	}
	tls_ossl = t;
	return true;
}

bool
tls_ossl_load(struct str *err)
{
	bool ok;

	pthread_mutex_lock(&tls_ossl_lock);
	if (!(ok = tls_ossl_loaded))
		ok = tls_ossl_loaded = tls_ossl_open(err);
	pthread_mutex_unlock(&tls_ossl_lock);
	return ok;
}

#endif /* SMTPGATE_OPENSSL_DLOPEN */
