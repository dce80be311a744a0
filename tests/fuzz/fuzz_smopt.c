/*
 * Fuzz target for sendmail-shim/smopt.c: the input is an argv, words separated by
 * NUL bytes (at most 64 words).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "smopt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str copy = STR_INIT, err = STR_INIT;
	struct strvec l = STRVEC_INIT;
	char *argv[65];
	struct smopt o;
	size_t i;
	int argc = 0;

	str_append(&copy, data, size);
	argv[argc++] = copy.data ? copy.data : (char *)"";
	for (i = 0; i < copy.len && argc < 64; i++) {
		if (copy.data[i] == '\0')
			argv[argc++] = copy.data + i + 1;
	}
	argv[argc] = NULL;
	smopt_init(&o);
	if (smopt_parse(&o, argc, argv, &err) == SMOPT_OK)
		smopt_split_recipients(&o, ';', &l);
	strvec_free(&l);
	smopt_free(&o);
	str_free(&copy);
	str_free(&err);
	return 0;
}
