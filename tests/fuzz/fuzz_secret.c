/*
 * Fuzz target for lib/secret.c's secret_split(): the input is a
 * password_command line.  Whatever it splits into, written back with each
 * word's blanks, quotes and backslashes escaped, splits into the same
 * words: what --check-config prints of a command (cfg_value.c) relies on
 * that, and the words are what runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "secret.h"
#include "str.h"

static void
fuzz_quote(const char *w, struct str *out)
{
	if (*w == '\0') {
		str_appendz(out, "''");
		return;
	}
	for (; *w; w++) {
		if (strchr(" \t\"'\\", *w) != NULL)
			str_appendc(out, '\\');
		str_appendc(out, *w);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = STR_INIT, again = STR_INIT;
	char **argv, **argv2;
	size_t argc, argc2, i;

	if (memchr(data, '\0', size) != NULL)
		return 0;	/* a config value never holds NUL */
	str_append(&in, data, size);
	if (secret_split(str_cstr(&in), &argv, &argc) == 0) {
		if (argc == 0 || argv[argc] != NULL)
			abort();
		for (i = 0; i < argc; i++) {
			if (i > 0)
				str_appendc(&again, ' ');
			fuzz_quote(argv[i], &again);
		}
		if (secret_split(str_cstr(&again), &argv2, &argc2) != 0 ||
		    argc2 != argc)
			abort();
		for (i = 0; i < argc; i++)
			if (strcmp(argv[i], argv2[i]) != 0)
				abort();
		secret_free_argv(argv, argc);
		secret_free_argv(argv2, argc2);
	}
	str_free(&in);
	str_free(&again);
	return 0;
}
