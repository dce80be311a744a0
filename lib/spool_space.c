/*
 * spool_space - room on the queue's file system before a message is
 * written: below [queue] min_free_space a new message is refused with a
 * temporary error up front, rather than filling the disk that other
 * programs (and the queue's own envelope rewrites) need, or failing half
 * way through a write.  See spool.h.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cfg.h"
#include "spool.h"

#define SPOOL_MIB	(1024ULL * 1024)

/* Whole MB, or KB below one MB, for a person to read. */
static void
spool_space_print(unsigned long long v, struct str *out)
{
	if (v >= SPOOL_MIB)
		str_appendf(out, "%llu MB", v / SPOOL_MIB);
	else
		str_appendf(out, "%llu KB", v / 1024);
}

int
spool_space_check(int dirfd, unsigned long long min_free,
    unsigned long long need, struct str *err)
{
	struct statvfs vfs;
	unsigned long long avail, frsize;

	if (min_free == 0)
		return SPOOL_OK;
	if (fstatvfs(dirfd, &vfs) != 0) {
		str_appendf(err, "cannot tell the free space of the queue's file "
		    "system: %s", strerror(errno));
		return SPOOL_EIO;
	}
	/* What an unprivileged writer may use: root's reserve is not ours. */
	frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
	avail = frsize != 0 && vfs.f_bavail > ULLONG_MAX / frsize ?
	    ULLONG_MAX : (unsigned long long)vfs.f_bavail * frsize;
	if (avail >= need && avail - need >= min_free)
		return SPOOL_OK;
	str_appendz(err, "the queue's file system has ");
	spool_space_print(avail, err);
	str_appendz(err, " free");
	if (need > 0 && avail >= min_free) {
		str_appendz(err, "; this message (");
		spool_space_print(need, err);
		str_appendz(err, ") would leave less than");
	} else
		str_appendz(err, ", below");
	str_appendz(err, " [queue] min_free_space = ");
	cfg_size_print(min_free, err);
	return SPOOL_ENOSPC;
}
