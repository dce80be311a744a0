/*
 * Unit tests for lib/bulk: the hash, the bounded and expiring table, the
 * state file's lines (damaged ones read as forgotten), and the file store
 * under its lock.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "bulk.h"

START_TEST(test_hash_fnv1a)
{
	/* The published FNV-1a 64 test vectors. */
	ck_assert_uint_eq(bulk_hash(BULK_HASH_INIT, "", 0),
	    0xcbf29ce484222325ULL);
	ck_assert_uint_eq(bulk_hash(BULK_HASH_INIT, "a", 1),
	    0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(bulk_hash(BULK_HASH_INIT, "foobar", 6),
	    0x85944171f73967e8ULL);
	/* Continuing is the same as hashing the whole. */
	ck_assert_uint_eq(bulk_hash(bulk_hash(BULK_HASH_INIT, "foo", 3),
	    "bar", 3), 0x85944171f73967e8ULL);
}
END_TEST

START_TEST(test_claim_first_then_not)
{
	struct bulk_table t;

	bulk_table_init(&t, 10);
	ck_assert(bulk_table_claim(&t, 1, 1000, 500));
	ck_assert(!bulk_table_claim(&t, 1, 1100, 500));
	ck_assert(bulk_table_claim(&t, 2, 1100, 500));
	ck_assert_uint_eq(t.n, 2);
	bulk_table_free(&t);
}
END_TEST

START_TEST(test_claim_expiry_slides)
{
	struct bulk_table t;

	bulk_table_init(&t, 10);
	ck_assert(bulk_table_claim(&t, 7, 1000, 500));
	/* Each message of the batch extends it: 1400 + 500 = 1900. */
	ck_assert(!bulk_table_claim(&t, 7, 1400, 500));
	ck_assert(!bulk_table_claim(&t, 7, 1899, 500));
	/* A gap of a whole window: a new batch, a new first copy. */
	ck_assert(bulk_table_claim(&t, 7, 1899 + 500, 500));
	bulk_table_free(&t);
}
END_TEST

START_TEST(test_claim_bound_evicts_soonest)
{
	struct bulk_table t;
	uint64_t k;

	bulk_table_init(&t, 3);
	ck_assert(bulk_table_claim(&t, 1, 1000, 500));	/* expires 1500 */
	ck_assert(bulk_table_claim(&t, 2, 1100, 500));	/* 1600 */
	ck_assert(bulk_table_claim(&t, 3, 1050, 500));	/* 1550 */
	ck_assert(bulk_table_claim(&t, 4, 1200, 500));	/* full: 1 goes */
	ck_assert_uint_eq(t.n, 3);
	ck_assert(!bulk_table_claim(&t, 2, 1200, 500));
	ck_assert(!bulk_table_claim(&t, 3, 1200, 500));
	ck_assert(!bulk_table_claim(&t, 4, 1200, 500));
	/* The evicted one is forgotten: it errs towards sending. */
	ck_assert(bulk_table_claim(&t, 1, 1200, 500));
	ck_assert_uint_eq(t.n, 3);
	/* Expired entries go before any live one. */
	bulk_table_free(&t);
	bulk_table_init(&t, 3);
	ck_assert(bulk_table_claim(&t, 1, 1000, 100));	/* 1100 */
	ck_assert(bulk_table_claim(&t, 2, 1000, 100));	/* 1100 */
	ck_assert(bulk_table_claim(&t, 3, 1000, 5000));	/* 6000 */
	ck_assert(bulk_table_claim(&t, 4, 2000, 5000));
	ck_assert_uint_eq(t.n, 2);
	ck_assert(!bulk_table_claim(&t, 3, 2000, 5000));
	bulk_table_free(&t);
	/* Many more keys than room: never over the bound. */
	bulk_table_init(&t, 100);
	for (k = 0; k < 1000; k++)
		ck_assert(bulk_table_claim(&t, k, 1000 + (long long)k, 10000));
	ck_assert_uint_eq(t.n, 100);
	ck_assert(!bulk_table_claim(&t, 999, 3000, 10000));
	ck_assert(bulk_table_claim(&t, 0, 3000, 10000));
	bulk_table_free(&t);
}
END_TEST

START_TEST(test_format_parse_round_trip)
{
	struct bulk_table t, u;
	struct str s = STR_INIT;

	bulk_table_init(&t, 10);
	bulk_table_claim(&t, 0xfedcba9876543210ULL, 1000, 500);
	bulk_table_claim(&t, 1, 1000, 900);
	bulk_table_format(&t, &s);
	ck_assert_str_eq(str_cstr(&s), "fedcba9876543210 1500\n"
	    "0000000000000001 1900\n");
	bulk_table_init(&u, 10);
	bulk_table_parse(&u, s.data, s.len, 1200, 1000);
	ck_assert_uint_eq(u.n, 2);
	ck_assert(!bulk_table_claim(&u, 0xfedcba9876543210ULL, 1200, 500));
	ck_assert(!bulk_table_claim(&u, 1, 1200, 500));
	bulk_table_free(&t);
	bulk_table_free(&u);
	str_free(&s);
}
END_TEST

START_TEST(test_parse_damaged_forgets)
{
	static const char text[] =
	    "0000000000000001 5000\n"		/* good */
	    "000000000000002 5000\n"		/* 15 digits */
	    "00000000000000030 5000\n"		/* 17 digits */
	    "000000000000000G 5000\n"		/* not hex */
	    "000000000000000A 5000\n"		/* upper case: not ours */
	    "0000000000000004  5000\n"		/* two spaces */
	    "0000000000000005 -5000\n"		/* a sign */
	    "0000000000000006 1234567890123456789\n"	/* 19 digits */
	    "0000000000000007 500\n"		/* expired */
	    "\n"
	    "garbage\0with a NUL\n"
	    "0000000000000008 99999999\n"	/* far ahead: clamped */
	    "0000000000000009 5000";		/* cut short by a crash */
	struct bulk_table t;
	size_t i;

	bulk_table_init(&t, 100);
	bulk_table_parse(&t, text, sizeof(text) - 1, 1000, 10000);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.v[0].key, 1);
	ck_assert_int_eq(t.v[0].expires, 5000);
	ck_assert_uint_eq(t.v[1].key, 8);
	ck_assert_int_eq(t.v[1].expires, 11000);
	for (i = 2; i <= 7; i++)
		ck_assert(bulk_table_claim(&t, i, 1000, 10000));
	ck_assert(bulk_table_claim(&t, 9, 1000, 10000));
	bulk_table_free(&t);
	/* More lines than the bound: the rest is not read. */
	bulk_table_init(&t, 1);
	bulk_table_parse(&t, text, sizeof(text) - 1, 1000, 10000);
	ck_assert_uint_eq(t.n, 1);
	bulk_table_free(&t);
}
END_TEST

static char dir[] = "/tmp/check_bulk.XXXXXX";

static int
open_state(void)
{
	struct str err = STR_INIT;
	int fd = -1;

	ck_assert_msg(bulk_open(dir, &fd, &err) == BULK_OK, "%s",
	    str_cstr(&err));
	str_free(&err);
	return fd;
}

static void
write_state(const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, BULK_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(test_file_store)
{
	struct str err = STR_INIT;
	uint64_t keys[3] = { 11, 22, 11 };
	bool first[3];
	char path[256];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(bulk_claim_fd(open_state(), keys, first, 2, 60000,
	    &err), BULK_OK);
	ck_assert(first[0] && first[1]);
	/* The same key twice in one message: one copy. */
	ck_assert_int_eq(bulk_claim_fd(open_state(), keys + 1, first, 2, 60000,
	    &err), BULK_OK);
	ck_assert(!first[0] && !first[1]);
	snprintf(path, sizeof(path), "%s/%s", dir, BULK_FILE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0660);
	ck_assert_int_eq(st.st_size, 2 * 31);	/* 13-digit ms times */

	/* A damaged file reads as empty: the copies go out. */
	write_state("\x01\x02garbage\nnot a line\n");
	ck_assert_int_eq(bulk_claim_fd(open_state(), keys, first, 2, 60000,
	    &err), BULK_OK);
	ck_assert(first[0] && first[1]);
	ck_assert_int_eq(bulk_claim_fd(open_state(), keys, first, 1, 60000,
	    &err), BULK_OK);
	ck_assert(!first[0]);
	/* Expired in the file: a new first copy. */
	write_state("000000000000000b 1000\n");
	ck_assert_int_eq(bulk_claim_fd(open_state(), keys, first, 1, 60000,
	    &err), BULK_OK);
	ck_assert(first[0]);
	ck_assert_uint_eq(err.len, 0);
	str_free(&err);
}
END_TEST

/* A holder that never lets go: after the bound, every copy goes out. */
START_TEST(test_file_lock_bounded)
{
	struct str err = STR_INIT;
	uint64_t key = 11;
	bool first = false;
	int hold, pipefd[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		hold = open_state();
		if (flock(hold, LOCK_EX) != 0)
			_exit(1);
		(void)write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ck_assert_int_eq(bulk_claim_fd(open_state(), &key, &first, 1, 60000,
	    &err), BULK_ETIMEDOUT);
	ck_assert(first);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "sending every copy"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("bulk");
	TCase *tc = tcase_create("core");
	TCase *tf = tcase_create("file");

	tcase_add_test(tc, test_hash_fnv1a);
	tcase_add_test(tc, test_claim_first_then_not);
	tcase_add_test(tc, test_claim_expiry_slides);
	tcase_add_test(tc, test_claim_bound_evicts_soonest);
	tcase_add_test(tc, test_format_parse_round_trip);
	tcase_add_test(tc, test_parse_damaged_forgets);
	suite_add_tcase(s, tc);
	/* In order, one process: the lock test reuses the first's dir. */
	tcase_add_test(tf, test_file_store);
	tcase_add_test(tf, test_file_lock_bounded);
	tcase_set_timeout(tf, 30);
	suite_add_tcase(s, tf);
	unit_nofork = true;
	return s;
}
