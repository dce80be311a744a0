/*
 * Unit tests for sendmail-shim/privsep: the packet framing and what the helper
 * accepts.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cfg.h"
#include "bulk.h"
#include "oauth2.h"
#include "pace.h"
#include "privsep.h"
#include "secret.h"
#include "spool.h"

static struct privsep_field
fz(const char *s)
{
	struct privsep_field f = { (const uint8_t *)s, strlen(s) };

	return f;
}

static struct privsep_field
f32(const uint32_t *v)
{
	struct privsep_field f = { (const uint8_t *)v, sizeof(*v) };

	return f;
}

/* Encode, decode and check one request. */
static bool
req_ok(uint32_t type, const struct privsep_field *f, size_t n)
{
	struct str pkt = STR_INIT, why = STR_INIT;
	struct privsep_msg m;
	bool ok;

	ck_assert(privsep_encode(type, f, n, &pkt));
	ck_assert(privsep_decode(pkt.data, pkt.len, &m, &why));
	ok = privsep_check(&m, &why);
	ck_assert(ok || why.len > 0);
	str_free(&pkt);
	str_free(&why);
	return ok;
}

START_TEST(test_roundtrip)
{
	struct str pkt = STR_INIT, why = STR_INIT;
	struct privsep_field f[3];
	struct privsep_msg m;
	uint32_t v = 7;

	f[0] = fz("abc");
	f[1] = f32(&v);
	f[2].p = NULL;
	f[2].len = 0;
	ck_assert(privsep_encode(PRIVSEP_REPLY, f, 3, &pkt));
	ck_assert_uint_eq(pkt.len, 8 + 4 + 3 + 4 + 4 + 4);
	ck_assert(privsep_decode(pkt.data, pkt.len, &m, &why));
	ck_assert_uint_eq(m.type, PRIVSEP_REPLY);
	ck_assert_uint_eq(m.nfields, 3);
	ck_assert_uint_eq(m.f[0].len, 3);
	ck_assert(memcmp(m.f[0].p, "abc", 3) == 0);
	ck_assert_uint_eq(privsep_u32(&m.f[1]), 7);
	ck_assert_uint_eq(m.f[2].len, 0);
	ck_assert_uint_eq(privsep_u32(&m.f[0]), UINT32_MAX);
	str_free(&pkt);
	str_free(&why);
}
END_TEST

START_TEST(test_framing_refused)
{
	struct str pkt = STR_INIT, why = STR_INIT, big = STR_INIT;
	struct privsep_field f[PRIVSEP_MAX_FIELDS + 1];
	struct privsep_msg m;
	uint32_t hdr[4];
	size_t i;

	f[0] = fz("hello");
	ck_assert(privsep_encode(PRIVSEP_CREATE, f, 1, &pkt));
	/* Cut short anywhere, or with a byte too many. */
	for (i = 0; i < pkt.len; i++)
		ck_assert(!privsep_decode(pkt.data, i, &m, &why));
	str_appendc(&pkt, 'x');
	ck_assert(!privsep_decode(pkt.data, pkt.len, &m, &why));
	/* A field length past the end, and a huge one. */
	hdr[0] = PRIVSEP_CREATE;
	hdr[1] = 1;
	hdr[2] = 5;
	ck_assert(!privsep_decode(hdr, 12, &m, &why));
	hdr[2] = UINT32_MAX;
	ck_assert(!privsep_decode(hdr, 16, &m, &why));
	/* Too many fields. */
	hdr[1] = PRIVSEP_MAX_FIELDS + 1;
	ck_assert(!privsep_decode(hdr, 8, &m, &why));
	for (i = 0; i <= PRIVSEP_MAX_FIELDS; i++)
		f[i] = fz("a");
	ck_assert(!privsep_encode(PRIVSEP_CREATE, f, PRIVSEP_MAX_FIELDS + 1,
	    &pkt));
	/* Over the packet size, both ways. */
	str_reserve(&big, PRIVSEP_MAX_PACKET);
	memset(big.data, 'a', PRIVSEP_MAX_PACKET);
	big.len = PRIVSEP_MAX_PACKET;
	f[0].p = (const uint8_t *)big.data;
	f[0].len = PRIVSEP_MAX_PACKET - 12;
	ck_assert(privsep_encode(PRIVSEP_ENV_PART, f, 1, &pkt));
	f[0].len++;
	ck_assert(!privsep_encode(PRIVSEP_ENV_PART, f, 1, &pkt));
	/* A well-formed packet one byte over the limit. */
	str_setz(&pkt, "");
	hdr[0] = PRIVSEP_ENV_PART;
	hdr[1] = 1;
	hdr[2] = PRIVSEP_MAX_PACKET + 1 - 12;
	str_append(&pkt, hdr, 12);
	str_append(&pkt, big.data, PRIVSEP_MAX_PACKET + 1 - 12);
	ck_assert(!privsep_decode(pkt.data, pkt.len, &m, &why));
	pkt.len--;
	((uint32_t *)(void *)pkt.data)[2]--;
	ck_assert(privsep_decode(pkt.data, pkt.len, &m, &why));
	ck_assert(!privsep_decode(big.data, 4, &m, &why));
	str_free(&big);
	str_free(&pkt);
	str_free(&why);
}
END_TEST

START_TEST(test_requests_checked)
{
	struct privsep_field f[2];
	uint32_t zero = 0, one = 1, two = 2, three = 3;
	unsigned long long need = 12345;
	char nul[] = "ab\0cd", long_id[80];

	f[0] = fz("Abc123");
	f[1].p = (const uint8_t *)&need;
	f[1].len = sizeof(need);
	ck_assert(req_ok(PRIVSEP_CREATE, f, 2));
	ck_assert(!req_ok(PRIVSEP_CREATE, f, 1));
	ck_assert(req_ok(PRIVSEP_COMMIT, f, 1));
	ck_assert(req_ok(PRIVSEP_REMOVE, f, 1));
	ck_assert(req_ok(PRIVSEP_LOCK, f, 1));
	ck_assert(req_ok(PRIVSEP_ENV_READ, f, 1));
	ck_assert(req_ok(PRIVSEP_LIST, f, 0));
	ck_assert(!req_ok(PRIVSEP_LIST, f, 1));
	ck_assert(req_ok(PRIVSEP_BULK, f, 0));
	ck_assert(!req_ok(PRIVSEP_BULK, f, 1));
	ck_assert(!req_ok(PRIVSEP_CREATE, f, 0));
	ck_assert(!req_ok(0, f, 1));
	{
		/* OAUTH2: a relay's or an account's, and a refused token
		   that is a bearer token or nothing. */
		struct privsep_field g[3];

		g[0] = f32(&zero);
		g[1] = f32(&zero);
		g[2] = fz("");
		ck_assert(req_ok(PRIVSEP_OAUTH2, g, 3));
		g[2] = fz("ya29.token-1");
		ck_assert(req_ok(PRIVSEP_OAUTH2, g, 3));
		g[0] = f32(&one);
		ck_assert(req_ok(PRIVSEP_OAUTH2, g, 3));
		g[0] = f32(&two);	/* [general]'s has no OAuth2 */
		ck_assert(!req_ok(PRIVSEP_OAUTH2, g, 3));
		g[0] = f32(&zero);
		g[2] = fz("a\001user=evil");
		ck_assert(!req_ok(PRIVSEP_OAUTH2, g, 3));
		g[2] = fz("a b");
		ck_assert(!req_ok(PRIVSEP_OAUTH2, g, 3));
		g[1] = fz("Abc");
		g[2] = fz("");
		ck_assert(!req_ok(PRIVSEP_OAUTH2, g, 3));
		ck_assert(!req_ok(PRIVSEP_OAUTH2, g, 2));
	}
	ck_assert(!req_ok(PRIVSEP_REPLY, f, 1));
	ck_assert(!req_ok(99, f, 1));
	/* Ids: no paths, no NUL, not empty, not too long. */
	f[0] = fz("../env/x");
	ck_assert(!req_ok(PRIVSEP_CREATE, f, 2));
	ck_assert(!req_ok(PRIVSEP_LOCK, f, 1));
	ck_assert(!req_ok(PRIVSEP_ENV_READ, f, 1));
	f[0] = fz("Abc123");
	f[1] = f32(&one);
	ck_assert(!req_ok(PRIVSEP_CREATE, f, 2));
	f[0] = fz("");
	ck_assert(!req_ok(PRIVSEP_REMOVE, f, 1));
	f[0].p = (const uint8_t *)nul;
	f[0].len = 5;
	ck_assert(!req_ok(PRIVSEP_ABANDON, f, 1));
	memset(long_id, 'a', sizeof(long_id));
	f[0].p = (const uint8_t *)long_id;
	f[0].len = 64;
	ck_assert(req_ok(PRIVSEP_ENV_WRITE, f, 1));
	f[0].len = 65;
	ck_assert(!req_ok(PRIVSEP_ENV_WRITE, f, 1));
	/* Secrets by kind and index, never by name. */
	f[0] = f32(&zero);
	f[1] = f32(&two);
	ck_assert(req_ok(PRIVSEP_SECRET, f, 2));
	f[0] = f32(&one);
	ck_assert(req_ok(PRIVSEP_SECRET, f, 2));
	/* The default login is one: index 0 only. */
	f[0] = f32(&two);
	ck_assert(!req_ok(PRIVSEP_SECRET, f, 2));
	f[1] = f32(&zero);
	ck_assert(req_ok(PRIVSEP_SECRET, f, 2));
	f[0] = f32(&three);
	ck_assert(!req_ok(PRIVSEP_SECRET, f, 2));
	f[0] = f32(&zero);
	f[1] = fz("/etc/shadow");
	ck_assert(!req_ok(PRIVSEP_SECRET, f, 2));
	f[0] = fz("relay-main");
	ck_assert(!req_ok(PRIVSEP_PACE, f, 1));
	f[0] = f32(&zero);
	ck_assert(req_ok(PRIVSEP_PACE, f, 1));
	/* Envelope parts: text, bounded. */
	f[0] = fz("version 1\nid x\n");
	ck_assert(req_ok(PRIVSEP_ENV_PART, f, 1));
	f[0].p = (const uint8_t *)nul;
	f[0].len = 5;
	ck_assert(!req_ok(PRIVSEP_ENV_PART, f, 1));
	f[0] = fz("");
	ck_assert(!req_ok(PRIVSEP_ENV_PART, f, 1));
}
END_TEST

/* ---- The helper, forked as the shim forks it ---- */

static char dir[] = "/tmp/check_privsep.XXXXXX";
static struct cfg *cfg;
static struct privsep ps;

static void
helper_setup(void)
{
	char p[4096];
	struct str diag = STR_INIT;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/pw", dir);
	fp = fopen(p, "w");
	fputs("s3cret-pw\n", fp);
	fclose(fp);
	chmod(p, 0600);
	snprintf(p, sizeof(p), "%s/pw-default", dir);
	fp = fopen(p, "w");
	fputs("default-pw\n", fp);
	fclose(fp);
	chmod(p, 0600);
	snprintf(p, sizeof(p), "%s/c.conf", dir);
	fp = fopen(p, "w");
	fprintf(fp, "[general]\nusername = d\npassword_file = %s/pw-default\n"
	    "[relay main]\nhost = 127.0.0.1\nusername = u\n"
	    "password_file = %s/pw\nwait_ms = 10\n[queue]\ndir = %s/q\n"
	    "max_message_size = 1K\n", dir, dir,
	    dir);
	fclose(fp);
	ck_assert_int_eq(cfg_load(p, &cfg, &diag), CFG_OK);
	str_free(&diag);
	ck_assert_int_eq(privsep_start(cfg, (gid_t)-1, &ps, &diag), 0);
}

static void
helper_teardown(void)
{
	char cmd[4200];

	privsep_stop(&ps);
	cfg_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static bool
exists(const char *sub, const char *id)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/q/%s/%s", dir, sub, id);
	return access(p, F_OK) == 0;
}

static void
sample(struct spool_env *e, const char *id)
{
	spool_env_init(e);
	e->id = xstrdup(id);
	e->env.sender = xstrdup("app@example.org");
	envelope_add_rcpt(&e->env, "a@example.org");
	e->hdr_len = 3;
	e->env.size = 8;
}

START_TEST(test_helper_secret)
{
	struct str out = STR_INIT, err = STR_INIT;

	ck_assert_int_eq(privsep_secret(&ps, PRIVSEP_RELAY, 0, &out, &err),
	    SECRET_OK);
	ck_assert_str_eq(str_cstr(&out), "s3cret-pw");
	str_free_secret(&out);
	ck_assert_int_eq(privsep_secret(&ps, PRIVSEP_RELAY, 1, &out, &err),
	    SECRET_EFAIL);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "no such relay"));
	ck_assert_int_eq(privsep_secret(&ps, PRIVSEP_ACCOUNT, 0, &out, &err),
	    SECRET_EFAIL);
	/* A login without oauth2_client_id has no token to give, and an
	   index out of range is nobody's. */
	ck_assert_int_eq(privsep_oauth2(&ps, PRIVSEP_RELAY, 0, NULL, &out, NULL,
	    &err), OAUTH2_ECONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "no oauth2_client_id"));
	ck_assert_int_eq(privsep_oauth2(&ps, PRIVSEP_RELAY, 7, NULL, &out, NULL,
	    &err), OAUTH2_ECONFIG);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "no such relay"));
	ck_assert_uint_eq(out.len, 0);
	/* [general]'s login, for relays with credentials = default. */
	ck_assert_int_eq(privsep_secret(&ps, PRIVSEP_DEFAULT, 0, &out, &err),
	    SECRET_OK);
	ck_assert_str_eq(str_cstr(&out), "default-pw");
	str_free_secret(&out);
	str_free(&err);
}
END_TEST

START_TEST(test_helper_spool)
{
	struct str err = STR_INIT;
	struct spool sp, direct;
	struct spool_msg m, other;
	struct spool_env e;
	int fd;
	char p[4096];

	privsep_spool_open(&sp, &ps, cfg->queue_dir);
	ck_assert_int_eq(spool_create(&sp, "PsA1", &m, &err), SPOOL_OK);
	ck_assert(exists("tmp", "PsA1.msg"));
	fputs("H\n\nbody\n", m.fp);
	sample(&e, "PsA1");
	ck_assert_msg(spool_commit(&sp, &m, &e, &err) == SPOOL_OK, "%s", str_cstr(&err));
	ck_assert(exists("msg", "PsA1") && exists("env", "PsA1"));
	ck_assert(!exists("tmp", "PsA1.msg"));
	/* Still locked by us, though the helper closed its descriptor. */
	snprintf(p, sizeof(p), "%s/q/msg/PsA1", dir);
	fd = open(p, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	/* Rewrite, then remove. */
	e.attempts = 1;
	ck_assert_int_eq(spool_env_write(&sp, &e, &err), SPOOL_OK);
	ck_assert_int_eq(spool_remove(&sp, "PsA1", &err), SPOOL_OK);
	ck_assert(!exists("env", "PsA1") && !exists("msg", "PsA1"));
	spool_release(&m);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	spool_env_free(&e);
	/* Abandoned: the temporary file goes. */
	ck_assert_int_eq(spool_create(&sp, "PsB2", &m, &err), SPOOL_OK);
	spool_abandon(&sp, &m);
	ck_assert(!exists("tmp", "PsB2.msg"));
	/* Gone is gone, through the helper too. */
	ck_assert_int_eq(spool_lock(&sp, "PsA1", &m, &err), SPOOL_ENOENT);
	/* Someone else's message: the helper will not touch it. */
	ck_assert_int_eq(spool_open(&direct, cfg->queue_dir, &err), SPOOL_OK);
	ck_assert_int_eq(spool_create(&direct, "Other1", &other, &err),
	    SPOOL_OK);
	sample(&e, "Other1");
	ck_assert_int_eq(spool_commit(&direct, &other, &e, &err), SPOOL_OK);
	str_reset(&err);
	ck_assert_int_eq(spool_remove(&sp, "Other1", &err), SPOOL_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "not a message"));
	ck_assert_int_eq(spool_env_write(&sp, &e, &err), SPOOL_EINVAL);
	ck_assert(exists("env", "Other1"));
	ck_assert_int_eq(spool_commit(&sp, &other, &e, &err), SPOOL_EINVAL);
	/* Over max_message_size: the helper measures the file itself. */
	ck_assert_int_eq(spool_create(&sp, "PsBig", &m, &err), SPOOL_OK);
	for (fd = 0; fd < 40; fd++)
		fputs("0123456789012345678901234567890123456789\n", m.fp);
	spool_env_free(&e);
	sample(&e, "PsBig");
	str_reset(&err);
	ck_assert_int_eq(spool_commit(&sp, &m, &e, &err), SPOOL_EINVAL);
	ck_assert_ptr_nonnull(strstr(str_cstr(&err), "max_message_size"));
	ck_assert(!exists("env", "PsBig") && !exists("msg", "PsBig"));
	spool_abandon(&sp, &m);
	ck_assert(!exists("tmp", "PsBig.msg"));
	spool_env_free(&e);
	sample(&e, "Other1");
	/* An envelope naming another message is refused at commit. */
	ck_assert_int_eq(spool_create(&sp, "PsC3", &m, &err), SPOOL_OK);
	ck_assert_int_eq(spool_commit(&sp, &m, &e, &err), SPOOL_EINVAL);
	ck_assert(!exists("env", "PsC3") && !exists("msg", "PsC3"));
	spool_abandon(&sp, &m);
	spool_env_free(&e);
	spool_release(&other);
	spool_close(&direct);
	spool_close(&sp);
	str_free(&err);
}
END_TEST

/* A caller with every right (this test's process: its group is its
   own) locks any message; a rewrite still only takes recipients away. */
START_TEST(test_helper_lock_and_rewrite)
{
	struct str err = STR_INIT;
	struct spool sp, direct;
	struct spool_msg m, d;
	struct spool_env e, r;
	struct strvec ids = STRVEC_INIT;
	size_t hidden = 7;
	char buf[16];

	ck_assert_int_eq(spool_open(&direct, cfg->queue_dir, &err), SPOOL_OK);
	ck_assert_int_eq(spool_create(&direct, "Lk1", &d, &err), SPOOL_OK);
	fputs("H\n\nbody\n", d.fp);
	sample(&e, "Lk1");
	envelope_add_rcpt(&e.env, "b@example.org");
	e.created = 1000;
	ck_assert_int_eq(spool_commit(&direct, &d, &e, &err), SPOOL_OK);
	spool_release(&d);
	spool_close(&direct);

	privsep_spool_open(&sp, &ps, cfg->queue_dir);
	ck_assert_int_eq(spool_list(&sp, &ids, &hidden, &err), SPOOL_OK);
	ck_assert_uint_eq(ids.n, 1);
	ck_assert_str_eq(ids.v[0], "Lk1");
	ck_assert_uint_eq(hidden, 0);
	strvec_free(&ids);
	/* A rewrite before the lock is refused. */
	ck_assert_int_eq(spool_env_write(&sp, &e, &err), SPOOL_EINVAL);
	ck_assert_msg(spool_lock(&sp, "Lk1", &m, &err) == SPOOL_OK, "%s",
	    str_cstr(&err));
	ck_assert_uint_eq(fread(buf, 1, 3, m.fp), 3);
	ck_assert(memcmp(buf, "H\n\n", 3) == 0);
	ck_assert_int_eq(spool_env_read(&sp, "Lk1", &r, &err), SPOOL_OK);
	ck_assert_uint_eq(r.env.rcpts.n, 2);
	ck_assert_uint_eq(r.owner, getuid());
	/* Adding a recipient, or changing the sender: refused. */
	envelope_add_rcpt(&r.env, "intruder@example.net");
	str_reset(&err);
	ck_assert_int_eq(spool_env_write(&sp, &r, &err), SPOOL_EINVAL);
	ck_assert_msg(strstr(str_cstr(&err), "add a recipient") != NULL, "%s",
	    str_cstr(&err));
	envelope_del_rcpt(&r.env, r.env.rcpts.n - 1);
	envelope_set_sender(&r.env, "ceo@example.org");
	ck_assert_int_eq(spool_env_write(&sp, &r, &err), SPOOL_EINVAL);
	envelope_set_sender(&r.env, "app@example.org");
	/* Dropping one and moving the arrival: the arrival stays. */
	envelope_del_rcpt(&r.env, r.env.rcpts.n - 1);
	r.created = 99999;
	r.attempts = 3;
	ck_assert_msg(spool_env_write(&sp, &r, &err) == SPOOL_OK, "%s",
	    str_cstr(&err));
	spool_env_free(&r);
	ck_assert_int_eq(spool_env_read(&sp, "Lk1", &r, &err), SPOOL_OK);
	ck_assert_uint_eq(r.env.rcpts.n, 1);
	ck_assert_uint_eq(r.attempts, 3);
	ck_assert_int_eq(r.created, 1000);
	spool_env_free(&r);
	ck_assert_int_eq(spool_remove(&sp, "Lk1", &err), SPOOL_OK);
	ck_assert(!exists("env", "Lk1"));
	spool_release(&m);
	spool_env_free(&e);
	spool_close(&sp);
	str_free(&err);
}
END_TEST

START_TEST(test_helper_pace_and_bad_request)
{
	struct str err = STR_INIT;
	long long started;
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/q", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_msg(privsep_pace(&ps, 0, &fd, &err) == PACE_OK, "%s", str_cstr(&err));
	ck_assert_int_eq(pace_wait_fd(fd, 10, &started, &err), PACE_OK);
	ck_assert(exists(".", "pace.main"));
	ck_assert_int_eq(privsep_pace(&ps, 3, &fd, &err), PACE_EIO);
	/* The bulk_copies state: the helper's own queue directory. */
	ck_assert_msg(privsep_bulk(&ps, &fd, &err) == BULK_OK, "%s",
	    str_cstr(&err));
	ck_assert_int_eq(write(fd, "0000000000000001 1\n", 19), 19);
	close(fd);
	ck_assert(exists(".", BULK_FILE));
	/* A path for an id: the helper stops serving. */
	ck_assert_int_eq(privsep_remove(&ps, "../env/x", &err), SPOOL_EIO);
	ck_assert_int_eq(privsep_secret(&ps, PRIVSEP_RELAY, 0, &err, &err),
	    SECRET_EFAIL);
	str_free(&err);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("wire"), *th = tcase_create("helper");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_framing_refused);
	tcase_add_test(tc, test_requests_checked);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(th, helper_setup, helper_teardown);
	tcase_add_test(th, test_helper_secret);
	tcase_add_test(th, test_helper_spool);
	tcase_add_test(th, test_helper_lock_and_rewrite);
	tcase_add_test(th, test_helper_pace_and_bad_request);
	suite_add_tcase(s, th);
	return s;
}

