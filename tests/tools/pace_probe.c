/*
 * pace_probe - call pace_wait() once and print the start time it recorded,
 * in milliseconds since the epoch: the integration test starts several.
 * usage: pace_probe statedir relay wait_ms
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pace.h"

int
main(int argc, char **argv)
{
	struct str err = STR_INIT;
	long long started;

	if (argc != 4)
		return 2;
	if (pace_wait(argv[1], argv[2], (unsigned)strtoul(argv[3], NULL, 10),
	    &started, &err) != PACE_OK) {
		fprintf(stderr, "%s\n", str_cstr(&err));
		return 1;
	}
	printf("%lld\n", started);
	str_free(&err);
	return 0;
}
