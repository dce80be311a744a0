/*
 * dynlib - a library's functions into a table, loaded on first use; see
 * dynlib.h.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "util.h"

/*
 * dlsym() returns a void *, which ISO C does not let us convert to a
 * function pointer; POSIX guarantees the representations are the same, so
 * the bytes are copied instead of cast.
 */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "function pointers and void * differ in size");

bool
dynlib_load(const char *soname, const struct dynlib_sym *syms, size_t n,
    void *table, size_t table_size, struct str *err)
{
	unsigned char *t = xcalloc(1, table_size);
	const char *why;
	void *handle, *addr;
	size_t i;

	if ((handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		str_appendf(err, "cannot load %s: %s", soname, why != NULL ? why :
		    "unknown error");
		free(t);
		return false;
	}
	for (i = 0; i < n; i++) {
		(void)dlerror();
		if ((addr = dlsym(handle, syms[i].name)) == NULL) {
			why = dlerror();
			str_appendf(err, "%s: missing symbol %s", soname,
			    syms[i].name);
			if (why != NULL)
				str_appendf(err, " (%s)", why);
			(void)dlclose(handle);
			free(t);
			return false;
		}
		memcpy(t + syms[i].offset, &addr, sizeof(addr));
	}
	memcpy(table, t, table_size);
	free(t);
	return true;
}
