/*
 * pace - a host-wide minimum gap between messages on one relay.  See pace.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pace.h"

static void
pace_sleep_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The relay name, made safe as a file name. */
static void
pace_path(const char *statedir, const char *relay, struct str *path)
{
	const char *p;

	str_appendf(path, "%s/pace.", statedir);
	for (p = relay; *p != '\0'; p++) {
		char c = *p;
		int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';

		str_appendc(path, safe ? c : '_');
	}
}

int
pace_open_path(const char *path, const char *what, int *fdp, struct str *err)
{
	struct stat st;
	bool created = true;
	int fd;

	/* O_NONBLOCK: a FIFO planted in its place must not hang us. */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0660);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	}
	if (fd < 0) {
		str_appendf(err, "%s: cannot open %s: %s", what, path,
		    strerror(errno));
		return PACE_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		str_appendf(err, "%s: %s is not a regular file", what, path);
		close(fd);
		return PACE_EIO;
	}
	/*
	 * The first sender's umask (027 in the shim, anything in a script)
	 * would leave the file closed to the group and pacing silently off
	 * for everyone else.  Only the creator, who owns it, sets the mode.
	 */
	if (created && st.st_uid == geteuid() && (st.st_mode & 07777) != 0660 &&
	    fchmod(fd, 0660) != 0) {
		str_appendf(err, "%s: cannot chmod %s: %s", what, path,
		    strerror(errno));
		close(fd);
		return PACE_EIO;
	}
	*fdp = fd;
	return PACE_OK;
}

int
pace_open(const char *statedir, const char *relay, int *fdp, struct str *err)
{
	struct str path = STR_INIT;
	int rc;

	pace_path(statedir, relay, &path);
	rc = pace_open_path(str_cstr(&path), "wait_ms", fdp, err);
	str_free(&path);
	return rc;
}

int
pace_wait_fd(int fd, unsigned wait_ms, long long *started_ms, struct str *err)
{
	struct str stamp = STR_INIT;
	char buf[32];		/* a decimal number we wrote ourselves */
	long long last = 0, now, wait, deadline;
	ssize_t n;
	int rc = PACE_EIO;

	*started_ms = 0;
	/* Polled, not a blocking flock(): only that can give up in time. */
	deadline = util_mono_ms() + (long long)wait_ms + PACE_LOCK_MARGIN_MS;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			str_appendf(err, "wait_ms: cannot lock the pace file: %s",
			    strerror(errno));
			goto out;
		}
		if ((wait = deadline - util_mono_ms()) <= 0) {
			str_appendf(err, "wait_ms: the pace lock was held longer "
			    "than %lld ms (wait_ms %u + %d s); sending without "
			    "pacing", (long long)wait_ms + PACE_LOCK_MARGIN_MS,
			    wait_ms, PACE_LOCK_MARGIN_MS / 1000);
			rc = PACE_ETIMEDOUT;
			goto out;
		}
		pace_sleep_ms(wait < 10 ? wait : 10);
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		last = strtoll(buf, NULL, 10);	/* garbage reads as 0: no wait */
	}
	now = util_now_ms();
	if (last > now + (long long)wait_ms)
		last = now - 1;		/* the clock went backwards */
	/* Sleep until the gap is there by our own clock's reading. */
	while ((wait = last + (long long)wait_ms - now) > 0) {
		pace_sleep_ms(wait);
		now = util_now_ms();
	}
	str_appendf(&stamp, "%lld\n", now);
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, stamp.data, stamp.len, 0) != (ssize_t)stamp.len) {
		str_appendf(err, "wait_ms: cannot write the pace file: %s",
		    strerror(errno));
		goto out;
	}
	*started_ms = now;
	rc = PACE_OK;
out:
	close(fd);		/* releases the lock */
	str_free(&stamp);
	return rc;
}

int
pace_wait(const char *statedir, const char *relay, unsigned wait_ms,
    long long *started_ms, struct str *err)
{
	int fd;

	*started_ms = 0;
	if (wait_ms == 0)
		return PACE_OK;
	if (pace_open(statedir, relay, &fd, err) != PACE_OK)
		return PACE_EIO;
	return pace_wait_fd(fd, wait_ms, started_ms, err);
}
