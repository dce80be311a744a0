/*
 * dynlib - load a shared library on first use and fill a table of its
 * functions, for the libraries a plain message must not pay for: OpenSSL
 * (lib/tls_ossl.c) and libcurl (lib/http.c).
 *
 * Rules: the library is opened RTLD_NOW | RTLD_LOCAL (its symbols stay out
 * of the global namespace) and never closed once its table is filled (the
 * table points into it); on any failure nothing is filled and it is
 * closed again.  err names the library and what failed: "cannot load
 * SONAME: why" or "SONAME: missing symbol NAME (why)".  Callers serialise
 * the first call themselves.
 */
#ifndef SMTPGATE_DYNLIB_H
#define SMTPGATE_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

/* A function by name, and where in the caller's table its address goes. */
struct dynlib_sym {
	const char *name;
	size_t	offset;
};

bool	dynlib_load(const char *soname, const struct dynlib_sym *syms,
	    size_t n, void *table, size_t table_size, struct str *err);

#endif
