/*
 * cfg_fixture - the configuration tests' shared state; see cfg_fixture.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cfg_fixture.h"
#include "check_main.h"

struct str diag = STR_INIT;
struct cfg *cfg;
char	tmpdir[] = "/tmp/check_cfg.XXXXXX";

int
load_flags(const char *text, unsigned flags)
{
	cfg_free(cfg);
	cfg = NULL;
	str_reset(&diag);
	return cfg_load_buffer("t.conf", text, strlen(text), flags, &cfg,
	    &diag);
}

int
load(const char *text)
{
	return load_flags(text, CFG_NO_FILE_CHECKS);
}

const char *
writefile(const char *name, const char *text, mode_t mode)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

void
teardown(void)
{
	cfg_free(cfg);
	cfg = NULL;
	str_free(&diag);
}

void
cfg_fixture_start(void)
{
	if (mkdtemp(tmpdir) == NULL)
		abort();
}

int
unit_done(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return 0;
}
