/*
 * check_main - main() of every unit test program.  See check_main.h.
 */
#include "config.h"

#include <stdlib.h>

#include "check_main.h"

bool unit_nofork;

int
main(void)
{
	Suite *s = unit_suite();
	SRunner *sr;
	int failed;

	if (s == NULL)
		return 77;
	sr = srunner_create(s);
	if (unit_nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (unit_done != NULL && unit_done() != 0)
		failed++;
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
