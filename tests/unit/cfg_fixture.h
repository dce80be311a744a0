/*
 * cfg_fixture - what check_cfg and check_cfg_oauth2 share: one loaded
 * configuration (cfg) and its diagnostics (diag), a scratch directory
 * (tmpdir, made by cfg_fixture_start() and removed by unit_done()), and
 * the macros that load a text and say what must come of it.
 */
#ifndef SMTPGATE_CFG_FIXTURE_H
#define SMTPGATE_CFG_FIXTURE_H

#include <check.h>
#include <string.h>
#include <sys/types.h>

#include "cfg.h"
#include "str.h"

extern struct str diag;
extern struct cfg *cfg;
extern char tmpdir[];

/* Load text as "t.conf" into cfg and diag (the old cfg is freed). */
int	load_flags(const char *text, unsigned flags);
/* The same with CFG_NO_FILE_CHECKS. */
int	load(const char *text);
/* Write tmpdir/name with text and mode; the path (a static buffer). */
const char *writefile(const char *name, const char *text, mode_t mode);
/* The checked fixture's teardown: cfg and diag freed. */
void	teardown(void);
/* Make tmpdir; abort()s when it cannot. */
void	cfg_fixture_start(void);

#define DIAG_HAS(want)							\
	ck_assert_msg(strstr(str_cstr(&diag), (want)) != NULL,		\
	    "diag \"%s\" lacks \"%s\"", str_cstr(&diag), (want))

/* The load fails, nothing is returned, and diag holds want. */
#define FAILS(text, want) do {						\
	ck_assert_int_eq(load(text), CFG_EINVAL);			\
	ck_assert_ptr_null(cfg);					\
	DIAG_HAS(want);							\
} while (0)

#define LOADS(text) do {						\
	ck_assert_msg(load(text) == CFG_OK, "load failed: %s",		\
	    str_cstr(&diag));						\
	ck_assert_ptr_nonnull(cfg);					\
} while (0)

/* Loads without a word in diag. */
#define LOADS_CLEAN(text) do {						\
	LOADS(text);							\
	ck_assert_msg(diag.len == 0, "diag: %s", str_cstr(&diag));	\
} while (0)

#endif
