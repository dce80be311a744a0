/*
 * bulk - which copy recipients of which batch had their copy.  See bulk.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "bulk.h"
#include "pace.h"
#include "util.h"

uint64_t
bulk_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
bulk_table_init(struct bulk_table *t, size_t max)
{
	t->v = NULL;
	t->n = 0;
	t->max = max > 0 ? max : 1;
}

void
bulk_table_free(struct bulk_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Room for one more: drop what has expired, else the soonest to. */
static void
bulk_table_make_room(struct bulk_table *t, long long now)
{
	size_t i, j, soonest = 0;

	if (t->n < t->max)
		return;
	for (i = j = 0; i < t->n; i++)
		if (t->v[i].expires > now)
			t->v[j++] = t->v[i];
	t->n = j;
	if (t->n < t->max)
		return;
	for (i = 1; i < t->n; i++)
		if (t->v[i].expires < t->v[soonest].expires)
			soonest = i;
	t->v[soonest] = t->v[--t->n];
}

static void
bulk_table_append(struct bulk_table *t, uint64_t key, long long expires)
{
	if (t->v == NULL)
		t->v = xreallocarray(NULL, t->max, sizeof(*t->v));
	t->v[t->n].key = key;
	t->v[t->n].expires = expires;
	t->n++;
}

bool
bulk_table_claim(struct bulk_table *t, uint64_t key, long long now,
    long long window_ms)
{
	size_t i;
	bool first;

	for (i = 0; i < t->n; i++)
		if (t->v[i].key == key) {
			first = t->v[i].expires <= now;
			t->v[i].expires = now + window_ms;
			return first;
		}
	bulk_table_make_room(t, now);
	bulk_table_append(t, key, now + window_ms);
	return true;
}

/* "<16 hex digits> <1 to 18 decimal digits>", nothing else. */
static bool
bulk_parse_line(const char *p, size_t len, uint64_t *key, long long *exp)
{
	uint64_t k = 0;
	long long e = 0;
	size_t i;

	if (len < 18 || len > 16 + 1 + 18 || p[16] != ' ')
		return false;
	for (i = 0; i < 16; i++) {
		char c = p[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		k = k << 4 | d;
	}
	for (i = 17; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		e = e * 10 + (p[i] - '0');	/* 18 digits cannot overflow */
	}
	*key = k;
	*exp = e;
	return true;
}

void
bulk_table_parse(struct bulk_table *t, const char *buf, size_t len,
    long long now, long long window_ms)
{
	const char *p = buf, *end, *nl;
	uint64_t key;
	long long exp;

	if (len == 0)
		return;		/* buf may be NULL: an empty str */
	end = buf + len;

	/*
	 * A line without its newline is one a crash cut short: its number
	 * may be missing digits.  Duplicates are not looked for (a file we
	 * wrote has none, and a damaged one only makes claim() find the
	 * first), so reading stays linear in the bound.
	 */
	for (; p < end && t->n < t->max; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (!bulk_parse_line(p, (size_t)(nl - p), &key, &exp) ||
		    exp <= now)
			continue;
		if (exp > now + window_ms)
			exp = now + window_ms;
		bulk_table_append(t, key, exp);
	}
}

void
bulk_table_format(const struct bulk_table *t, struct str *out)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		str_appendf(out, "%016" PRIx64 " %lld\n", t->v[i].key,
		    t->v[i].expires);
}

int
bulk_open(const char *statedir, int *fd, struct str *err)
{
	struct str path = STR_INIT;
	int rc;

	str_appendf(&path, "%s/%s", statedir, BULK_FILE);
	rc = pace_open_path(str_cstr(&path), "bulk_copies", fd, err) ==
	    PACE_OK ? BULK_OK : BULK_EIO;
	str_free(&path);
	return rc;
}

/* Polled, as pace.c does: a stopped holder must not hold up every
   sender; past the bound the copies go out. */
static int
bulk_lock(int fd, struct str *err)
{
	const struct timespec tick = { 0, 5 * 1000000L };
	long long deadline = util_mono_ms() + BULK_LOCK_WAIT_MS;

	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			str_appendf(err, "bulk_copies: cannot lock %s: %s",
			    BULK_FILE, strerror(errno));
			return BULK_EIO;
		}
		if (util_mono_ms() >= deadline) {
			str_appendf(err, "bulk_copies: %s was locked longer "
			    "than %d ms; sending every copy", BULK_FILE,
			    BULK_LOCK_WAIT_MS);
			return BULK_ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
	}
	return BULK_OK;
}

/* The whole file, up to what BULK_MAX_ENTRIES lines can take. */
static int
bulk_read_all(int fd, struct str *buf, struct str *err)
{
	const size_t max = (size_t)BULK_MAX_ENTRIES * BULK_LINE_MAX;
	ssize_t n;

	str_reserve(buf, max);
	while (buf->len < max) {
		n = pread(fd, buf->data + buf->len, max - buf->len,
		    (off_t)buf->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			str_appendf(err, "bulk_copies: cannot read %s: %s",
			    BULK_FILE, strerror(errno));
			return BULK_EIO;
		}
		if (n == 0)
			break;
		buf->len += (size_t)n;
	}
	return BULK_OK;
}

int
bulk_claim_fd(int fd, const uint64_t *keys, bool *first, size_t n,
    long long window_ms, struct str *err)
{
	struct bulk_table t;
	struct str buf = STR_INIT;
	long long now;
	size_t i;
	ssize_t w;
	int rc;

	for (i = 0; i < n; i++)
		first[i] = true;
	bulk_table_init(&t, BULK_MAX_ENTRIES);
	if ((rc = bulk_lock(fd, err)) != BULK_OK ||
	    (rc = bulk_read_all(fd, &buf, err)) != BULK_OK)
		goto out;
	now = util_now_ms();
	bulk_table_parse(&t, buf.data, buf.len, now, window_ms);
	for (i = 0; i < n; i++)
		first[i] = bulk_table_claim(&t, keys[i], now, window_ms);
	str_reset(&buf);
	bulk_table_format(&t, &buf);
	/* A crash between the two leaves a short file: read as fewer
	   batches, which sends. */
	errno = ENOSPC;		/* what a short write means */
	if (ftruncate(fd, 0) != 0 || (buf.len > 0 &&
	    ((w = pwrite(fd, buf.data, buf.len, 0)) < 0 ||
	    (size_t)w != buf.len))) {
		str_appendf(err, "bulk_copies: cannot write %s: %s", BULK_FILE,
		    strerror(errno));
		for (i = 0; i < n; i++)
			first[i] = true;
		rc = BULK_EIO;
	}
out:
	close(fd);		/* releases the lock */
	bulk_table_free(&t);
	str_free(&buf);
	return rc;
}
