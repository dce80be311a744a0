/*
 * check_main - the main() every unit test shares (check_main.c).  A test
 * file builds its Suite in unit_suite() (NULL: nothing to test here, exit
 * 77 as skipped); main() runs it and exits 0 when every test passed.
 * unit_suite() may set unit_nofork to run the tests in order in this one
 * process (they share state), and a file may define unit_done() to clean
 * up after the run; a non-zero return fails the program.
 */
#ifndef SMTPGATE_CHECK_MAIN_H
#define SMTPGATE_CHECK_MAIN_H

#include <check.h>
#include <stdbool.h>

Suite  *unit_suite(void);
extern bool unit_nofork;
int	unit_done(void) __attribute__((weak));

#endif
