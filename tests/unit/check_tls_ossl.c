/*
 * Unit tests for lib/tls_ossl.c's failures.  The file is compiled into this
 * program with TLS_OSSL_SONAME naming a library that cannot serve: one that
 * does not exist (TLS_OSSL_EXPECT "cannot load ...") or one without
 * OpenSSL's symbols (TLS_OSSL_EXPECT "...: missing symbol ...").  The
 * successful load is exercised by every TLS integration test.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The table itself is inspected, not OpenSSL called through it. */
#define TLS_OSSL_NO_REDIRECT
#include "check_main.h"
#include "tls_ossl.h"

#ifdef SMTPGATE_OPENSSL_DLOPEN
/* A failure says which library and why, and a second try fails alike. */
START_TEST(test_load_fails_again)
{
	struct str err = STR_INIT, again = STR_INIT;

	ck_assert(!tls_ossl_load(&err));
	ck_assert_msg(strncmp(str_cstr(&err), TLS_OSSL_EXPECT,
	    strlen(TLS_OSSL_EXPECT)) == 0, "got \"%s\"", str_cstr(&err));
	ck_assert_ptr_null(tls_ossl.SSL_new);
	ck_assert(!tls_ossl_load(&again));
	ck_assert_str_eq(str_cstr(&again), str_cstr(&err));
	str_free(&err);
	str_free(&again);
}
END_TEST
#endif

Suite *
unit_suite(void)
{
	Suite *s = suite_create("tls_ossl");
	TCase *tc = tcase_create("core");

#ifndef SMTPGATE_OPENSSL_DLOPEN
	return NULL;	/* OpenSSL is linked: nothing is loaded */
#else
	tcase_add_test(tc, test_load_fails_again);
#endif
	suite_add_tcase(s, tc);
	return s;
}
