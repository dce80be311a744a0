/*
 * Unit tests for lib/spool: the envelope format and the queue's files.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "spool.h"

static char dir[] = "/tmp/check_spool.XXXXXX";
static struct str err = STR_INIT;

static void
sample(struct spool_env *e, const char *id)
{
	spool_env_init(e);
	e->id = xstrdup(id);
	e->env.sender = xstrdup("app@example.org");
	envelope_add_rcpt(&e->env, "a@example.org");
	envelope_add_rcpt(&e->env, "b@example.org");
	e->created = 1796180000;
	e->next_try = 1796180060;
	e->attempts = 1;
	e->hdr_len = 20;
	e->env.size = 30;
	e->env.eight_bit = true;
	e->env.dsn_ret = xstrdup("hdrs");
}

static bool
exists(const char *sub, const char *id)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, id);
	return access(p, F_OK) == 0;
}

START_TEST(env_round_trip)
{
	struct spool_env e, f;
	struct str t = STR_INIT, t2 = STR_INIT;

	sample(&e, "ABC123");
	spool_env_set_error(&e, "451 4.3.0 try\r\nlater\x01", 21);
	ck_assert_int_eq(spool_env_format(&e, &t, &err), SPOOL_OK);
	ck_assert_ptr_nonnull(strstr(str_cstr(&t), "error 451 4.3.0 "
	    "try\\r\\nlater\\x01\n"));
	ck_assert_int_eq(spool_env_parse(t.data, t.len, &f, &err), SPOOL_OK);
	ck_assert_str_eq(f.id, "ABC123");
	ck_assert_str_eq(f.env.sender, "app@example.org");
	ck_assert_uint_eq(f.env.rcpts.n, 2);
	ck_assert_str_eq(f.env.rcpts.v[1], "b@example.org");
	ck_assert(f.env.eight_bit);
	ck_assert(!f.env.smtputf8);
	ck_assert_int_eq(f.created, 1796180000);
	ck_assert_uint_eq(f.attempts, 1);
	ck_assert_str_eq(f.env.dsn_ret, "hdrs");
	ck_assert_int_eq(spool_env_format(&f, &t2, &err), SPOOL_OK);
	ck_assert_str_eq(str_cstr(&t), str_cstr(&t2));
	spool_env_free(&e);
	spool_env_free(&f);
	str_free(&t);
	str_free(&t2);
}
END_TEST

START_TEST(env_bad)
{
	static const char *const bad[] = {
		"", "version 2\nid A\nsender x\n", "version 1\nsender x\n",
		"version 1\nid A\nsender x", "version 1\nid A\nid B\nsender x\n",
		"version 1\nid A\nsender x\nattempts -1\n",
		"version 1\nid A\nsender x\ncreated 99999999999999999999999\n",
		"version 1\nid A\nsender x\nrcpt \n",
		"version 1\nid A\nsender x\nbogus 1\n",
		"version 1\nid A\nsender x\n8bit 2\n",
		"version 1\nid A\nsender x\r\n",
	};
	struct spool_env e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		str_reset(&err);
		ck_assert_msg(spool_env_parse(bad[i], strlen(bad[i]), &e, &err) ==
		    SPOOL_EINVAL, "accepted: %s", bad[i]);
		ck_assert_uint_gt(err.len, 0);
		ck_assert_ptr_null(e.id);
	}
	/* A value with LF cannot be written. */
	sample(&e, "A");
	envelope_add_rcpt(&e.env, "x@example.org\nrcpt evil@example.org");
	str_reset(&err);
	{
		struct str t = STR_INIT;

		ck_assert_int_eq(spool_env_format(&e, &t, &err), SPOOL_EINVAL);
		str_free(&t);
	}
	spool_env_free(&e);
}
END_TEST

START_TEST(commit_lock_remove)
{
	struct spool sp;
	struct spool_msg m, m2;
	struct spool_env e, r;
	struct strvec ids = STRVEC_INIT;
	pid_t pid;
	int status;

	ck_assert_int_eq(spool_open(&sp, dir, &err), SPOOL_OK);
	sample(&e, "Q1");
	ck_assert_int_eq(spool_create(&sp, "Q1", &m, &err), SPOOL_OK);
	fputs("Subject: x\n\nbody\n", m.fp);
	/* Not a message until committed. */
	ck_assert(!exists("env", "Q1"));
	ck_assert_int_eq(spool_list(&sp, &ids, NULL, &err), SPOOL_OK);
	ck_assert_uint_eq(ids.n, 0);
	/* The owner is whoever commits, whatever the envelope says. */
	e.owner = getuid() + 4242;
	ck_assert_int_eq(spool_commit(&sp, &m, &e, &err), SPOOL_OK);
	ck_assert(exists("env", "Q1"));
	ck_assert(exists("msg", "Q1"));
	ck_assert(!exists("tmp", "Q1.msg"));
	/* The creator still holds the lock: another process cannot take it. */
	pid = fork();
	if (pid == 0) {
		struct spool sp2;

		spool_open(&sp2, dir, &err);
		_exit(spool_lock(&sp2, "Q1", &m2, &err) == SPOOL_EBUSY ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	spool_release(&m);
	ck_assert_int_eq(spool_lock(&sp, "Q1", &m2, &err), SPOOL_OK);
	ck_assert_int_eq(spool_env_read(&sp, "Q1", &r, &err), SPOOL_OK);
	ck_assert_uint_eq(r.env.rcpts.n, 2);
	ck_assert_uint_eq(r.owner, getuid());
	/* Partial delivery: one recipient left, written atomically. */
	envelope_del_rcpt(&r.env, 0);
	r.attempts = 2;
	ck_assert_int_eq(spool_env_write(&sp, &r, &err), SPOOL_OK);
	spool_env_free(&r);
	ck_assert_int_eq(spool_env_read(&sp, "Q1", &r, &err), SPOOL_OK);
	ck_assert_uint_eq(r.env.rcpts.n, 1);
	ck_assert_str_eq(r.env.rcpts.v[0], "b@example.org");
	ck_assert_uint_eq(r.attempts, 2);
	spool_env_free(&r);
	ck_assert_int_eq(spool_list(&sp, &ids, NULL, &err), SPOOL_OK);
	ck_assert_uint_eq(ids.n, 1);
	ck_assert_str_eq(ids.v[0], "Q1");
	strvec_free(&ids);
	ck_assert_int_eq(spool_remove(&sp, "Q1", &err), SPOOL_OK);
	spool_release(&m2);
	ck_assert(!exists("env", "Q1"));
	ck_assert(!exists("msg", "Q1"));
	ck_assert_int_eq(spool_lock(&sp, "Q1", &m2, &err), SPOOL_ENOENT);
	spool_env_free(&e);
	spool_close(&sp);
}
END_TEST

START_TEST(abandon_and_ids)
{
	struct spool sp;
	struct spool_msg m;
	struct spool_env e;

	ck_assert_int_eq(spool_open(&sp, dir, &err), SPOOL_OK);
	ck_assert_int_eq(spool_create(&sp, "Q2", &m, &err), SPOOL_OK);
	ck_assert(exists("tmp", "Q2.msg"));
	spool_abandon(&sp, &m);
	ck_assert(!exists("tmp", "Q2.msg"));
	ck_assert_int_eq(spool_create(&sp, "../etc", &m, &err), SPOOL_EINVAL);
	ck_assert_int_eq(spool_lock(&sp, "a/b", &m, &err), SPOOL_EINVAL);
	ck_assert_int_eq(spool_env_read(&sp, "..", &e, &err), SPOOL_EINVAL);
	/* An envelope for another id is refused. */
	sample(&e, "OTHER");
	free(e.id);
	e.id = xstrdup("Q3");
	ck_assert_int_eq(spool_env_write(&sp, &e, &err), SPOOL_OK);
	spool_env_free(&e);
	{
		char p[4096];
		FILE *f;

		snprintf(p, sizeof(p), "%s/env/Q4", dir);
		f = fopen(p, "w");
		fputs("version 1\nid Q3\nsender x\n", f);
		fclose(f);
	}
	str_reset(&err);
	ck_assert_int_eq(spool_env_read(&sp, "Q4", &e, &err), SPOOL_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "names message Q3"));
	spool_close(&sp);
}
END_TEST

START_TEST(orphans_swept)
{
	struct spool sp;
	char p[4096];
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	struct strvec ids = STRVEC_INIT;
	FILE *f;

	ck_assert_int_eq(spool_open(&sp, dir, &err), SPOOL_OK);
	snprintf(p, sizeof(p), "%s/msg/ORPHAN", dir);
	f = fopen(p, "w");
	fputs("x", f);
	fclose(f);
	utimensat(AT_FDCWD, p, old, 0);
	snprintf(p, sizeof(p), "%s/msg/FRESH", dir);
	f = fopen(p, "w");
	fclose(f);
	ck_assert_int_eq(spool_list(&sp, &ids, NULL, &err), SPOOL_OK);
	strvec_free(&ids);
	ck_assert(!exists("msg", "ORPHAN"));
	ck_assert(exists("msg", "FRESH"));	/* may be mid-commit */
	spool_close(&sp);
}
END_TEST

/* min_free_space: more than the disk has is refused before creating. */
START_TEST(space_check)
{
	struct spool sp;
	struct spool_msg m;
	struct statvfs vfs;
	unsigned long long avail;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstatvfs(fd, &vfs), 0);
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	str_reset(&err);
	ck_assert_int_eq(spool_space_check(fd, 0, 0, &err), SPOOL_OK);
	ck_assert_int_eq(spool_space_check(fd, 0, avail * 2 + 1, &err),
	    SPOOL_OK);	/* 0: no check at all */
	ck_assert_int_eq(spool_space_check(fd, 1, 0, &err), SPOOL_OK);
	ck_assert_uint_eq(err.len, 0);
	ck_assert_int_eq(spool_space_check(fd, avail + (1ULL << 40), 0, &err),
	    SPOOL_ENOSPC);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "the queue's file system "
	    "has "));
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), " free, below [queue] "
	    "min_free_space = "));
	/* Room for the floor but not for the message as well. */
	str_reset(&err);
	ck_assert_int_eq(spool_space_check(fd, 1024, avail, &err),
	    SPOOL_ENOSPC);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "would leave less than "
	    "[queue] min_free_space = 1K"));
	ck_assert_int_eq(spool_space_check(fd, 1024, ~0ULL, &err),
	    SPOOL_ENOSPC);
	close(fd);

	ck_assert_int_eq(spool_open(&sp, dir, &err), SPOOL_OK);
	sp.min_free = avail + (1ULL << 40);
	str_reset(&err);
	ck_assert_int_eq(spool_create(&sp, "QSPACE", &m, &err), SPOOL_ENOSPC);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "min_free_space"));
	ck_assert(!exists("tmp", "QSPACE.msg"));
	sp.min_free = 1;
	ck_assert_int_eq(spool_create(&sp, "QSPACE", &m, &err), SPOOL_OK);
	spool_abandon(&sp, &m);
	spool_close(&sp);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("spool");

	if (mkdtemp(dir) == NULL)
		abort();
	tcase_add_test(tc, env_round_trip);
	tcase_add_test(tc, env_bad);
	tcase_add_test(tc, commit_lock_remove);
	tcase_add_test(tc, abandon_and_ids);
	tcase_add_test(tc, orphans_swept);
	tcase_add_test(tc, space_check);
	suite_add_tcase(s, tc);
	unit_nofork = true;
	return s;
}

int
unit_done(void)
{
	char cmd[256];

	str_free(&err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0;
}
