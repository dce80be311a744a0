/*
 * cfg_secret - reading a password file on demand.  The content never goes
 * into an error message, and the buffers that held it are wiped.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cfg_int.h"

#define CFG_MAX_SECRET	65536u

int
cfg_read_secret(const char *path, struct str *out, struct str *err)
{
	struct str data = STR_INIT;
	size_t n;
	int e;

	if ((e = cfg_slurp(path, CFG_MAX_SECRET, &data, NULL)) != 0) {
		str_appendf(err, "password file %s: %s", path, e == EFBIG ?
		    "larger than 64 KiB" : strerror(e));
		str_free_secret(&data);
		return e == ENOENT ? CFG_ENOENT : e == EFBIG ? CFG_EINVAL :
		    CFG_EIO;
	}
	n = data.data ? strcspn(data.data, "\r\n") : 0;
	if (n == 0 || memchr(data.data, '\0', n) != NULL) {
		str_appendf(err, "password file %s: %s", path, n == 0 ?
		    "the first line is empty" : "contains a NUL byte");
		str_free_secret(&data);
		return CFG_EINVAL;
	}
	str_free_secret(out);
	str_set(out, data.data, n);
	str_free_secret(&data);
	return CFG_OK;
}
