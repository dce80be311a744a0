/*
 * aliases - local names to addresses.  See aliases.h.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "aliases.h"

/* The same bound as configuration lines: a longer line is an error. */
#define ALIASES_MAX_LINE (64 * 1024)

/* Split one entry's value on commas outside quotes and angle brackets. */
static void
aliases_split(const char *file, struct aliases_entry *e, const char *v,
    size_t len, struct str *diag)
{
	size_t i, start = 0;
	int quoted = 0, angle = 0;

	for (i = 0; i <= len; i++) {
		char c = i < len ? v[i] : ',';

		if (c == '"' && (i == 0 || v[i - 1] != '\\'))
			quoted = !quoted;
		else if (!quoted && c == '<')
			angle = 1;
		else if (!quoted && c == '>')
			angle = 0;
		if (c != ',' || quoted || angle)
			continue;
		while (start < i && (v[start] == ' ' || v[start] == '\t'))
			start++;
		size_t end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end > start) {
			if (v[start] == '|' || v[start] == '/' ||
			    (end - start >= 9 &&
			    strncasecmp(v + start, ":include:", 9) == 0)) {
				str_appendf(diag, "%s:%u: warning: alias '%s': "
				    "pipes, files and :include: cannot be used "
				    "by a relay client; target ignored\n",
				    file, e->line, e->name);
			} else {
				strvec_push_mem(&e->targets, v + start,
				    end - start);
			}
		}
		start = i + 1;
	}
}

/* Finish the entry collected in name/value (if any). */
static int
aliases_flush(struct aliases *a, struct str *name, struct str *value,
    unsigned line, struct str *diag)
{
	struct aliases_entry e;

	if (name->len == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.name = xstrndup(name->data, name->len);
	e.line = line;
	aliases_split(a->file, &e, value->data ? value->data : "", value->len,
	    diag);
	a->v = xreallocarray(a->v, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = e;
	str_reset(name);
	str_reset(value);
	return 0;
}

int
aliases_load_buffer(const char *file, const char *data, size_t len,
    struct aliases *a, struct str *diag)
{
	struct str name = STR_INIT, value = STR_INIT;
	unsigned lineno = 0, entry_line = 0, errors = 0;
	size_t pos = 0;

	memset(a, 0, sizeof(*a));
	a->file = xstrdup(file);
	while (pos < len) {
		const char *line = data + pos, *nl, *colon;
		size_t n;

		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl != NULL);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > ALIASES_MAX_LINE || memchr(line, '\0', n) != NULL ||
		    memchr(line, '\r', n) != NULL) {
			str_appendf(diag, "%s:%u: line is longer than %d bytes "
			    "or holds a NUL or CR byte\n", file, lineno,
			    ALIASES_MAX_LINE);
			errors++;
			continue;
		}
		if (n == 0 || line[0] == '#') {
			aliases_flush(a, &name, &value, entry_line, diag);
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (name.len == 0) {
				/* Blank-looking lines are fine; text is not. */
				size_t k = 0;
				while (k < n && (line[k] == ' ' || line[k] == '\t'))
					k++;
				if (k < n) {
					str_appendf(diag, "%s:%u: continuation "
					    "line without an alias before it\n",
					    file, lineno);
					errors++;
				}
				continue;
			}
			str_appendc(&value, ' ');
			str_append(&value, line, n);
			continue;
		}
		aliases_flush(a, &name, &value, entry_line, diag);
		colon = memchr(line, ':', n);
		if (colon == NULL || colon == line) {
			str_appendf(diag, "%s:%u: expected 'name: address, ...'\n",
			    file, lineno);
			errors++;
			continue;
		}
		str_set(&name, line, (size_t)(colon - line));
		str_trim(&name);
		if (name.len == 0 || strpbrk(str_cstr(&name), " \t@\"") != NULL) {
			str_appendf(diag, "%s:%u: '", file, lineno);
			str_append_escaped(diag, name.data, name.len);
			str_appendz(diag, "' is not a local name\n");
			str_reset(&name);
			errors++;
			continue;
		}
		str_set(&value, colon + 1, n - (size_t)(colon + 1 - line));
		entry_line = lineno;
	}
	aliases_flush(a, &name, &value, entry_line, diag);
	str_free(&name);
	str_free(&value);
	if (errors > 0) {
		aliases_free(a);
		return ALIASES_ESYNTAX;
	}
	return ALIASES_OK;
}

int
aliases_load(const char *path, struct aliases *a, struct str *diag)
{
	struct str data = STR_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((fp = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT ? ALIASES_ENOENT : ALIASES_EIO;
		str_appendf(diag, "%s: %s\n", path, strerror(errno));
		return rc;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		str_append(&data, chunk, n);
	if (ferror(fp)) {
		str_appendf(diag, "%s: read error\n", path);
		fclose(fp);
		str_free(&data);
		return ALIASES_EIO;
	}
	fclose(fp);
	rc = aliases_load_buffer(path, data.data ? data.data : "", data.len,
	    a, diag);
	str_free(&data);
	return rc;
}

void
aliases_free(struct aliases *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		strvec_free(&a->v[i].targets);
		free(a->v[i].name);
	}
	free(a->v);
	free(a->file);
	memset(a, 0, sizeof(*a));
}

static const struct aliases_entry *
aliases_find(const struct aliases *a, const char *name)
{
	size_t i;

	if (a == NULL)
		return NULL;
	/* The last definition wins, as with newaliases. */
	for (i = a->n; i-- > 0;)
		if (strcasecmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

/* Expansion steps allowed for one address: fan-out cannot explode. */
#define ALIASES_MAX_STEPS 10000

static int
aliases_expand(const struct aliases *a, const char *addr, const char *domain,
    int depth, const char *chain, unsigned *steps, struct strvec *out,
    struct str *err)
{
	const struct aliases_entry *e;
	size_t i;
	int rc;

	if (++*steps > ALIASES_MAX_STEPS) {
		str_appendf(err, "expanding '%s' takes more than %d alias "
		    "steps", chain, ALIASES_MAX_STEPS);
		return ALIASES_ELOOP;
	}
	if (strchr(addr, '@') != NULL || addr[0] == '<' ||
	    strchr(addr, '<') != NULL) {
		/* once: a duplicate after expansion is dropped */
		strvec_push_unique_case(out, addr);
		return ALIASES_OK;
	}
	e = aliases_find(a, addr);
	if (e == NULL || (depth > 0 && strcasecmp(addr, chain) == 0)) {
		/* No alias (or "root: root"): qualify the name. */
		if (domain == NULL || *domain == '\0') {
			str_appendz(err, "local name '");
			str_append_escaped(err, addr, strlen(addr));
			str_appendf(err, "' has no alias%s%s and there is no "
			    "domain to add ([general] domain is not set, "
			    "/etc/mailname holds none and the host name has no "
			    "dot): add '%s: someone@example.org' to the aliases "
			    "file or set [general] domain",
			    a ? " in " : "", a ? a->file : "", addr);
			return ALIASES_EUNKNOWN;
		}
		struct str q = STR_INIT;

		str_appendf(&q, "%s@%s", addr, domain);
		strvec_push_unique_case(out, str_cstr(&q));
		str_free(&q);
		return ALIASES_OK;
	}
	if (depth >= ALIASES_MAX_DEPTH) {
		str_appendf(err, "%s:%u: aliases nest deeper than %d levels "
		    "(a loop?) while expanding '%s'", a->file, e->line,
		    ALIASES_MAX_DEPTH, chain);
		return ALIASES_ELOOP;
	}
	if (e->targets.n == 0) {
		str_appendf(err, "%s:%u: alias '%s' has no usable address",
		    a->file, e->line, e->name);
		return ALIASES_EUNKNOWN;
	}
	for (i = 0; i < e->targets.n; i++) {
		rc = aliases_expand(a, e->targets.v[i], domain, depth + 1,
		    depth == 0 ? addr : chain, steps, out, err);
		if (rc != ALIASES_OK)
			return rc;
	}
	return ALIASES_OK;
}

int
aliases_resolve(const struct aliases *a, const char *addr, const char *domain,
    struct strvec *out, struct str *err)
{
	unsigned steps = 0;

	return aliases_expand(a, addr, domain, 0, addr, &steps, out, err);
}

int
aliases_exitcode(int rc)
{
	switch (rc) {
	case ALIASES_OK: return EX_OK;
	case ALIASES_ENOENT: return EX_CONFIG;
	case ALIASES_EIO: return EX_IOERR;
	case ALIASES_EUNKNOWN: return EX_NOUSER;
	default: return EX_CONFIG;
	}
}
