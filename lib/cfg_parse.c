/*
 * cfg_parse - reading smtpgate.conf: lines, sections, keys and includes.
 *
 * The whole file (and every include) is read; each problem is reported as
 * "file:line: message" and loading goes on, so the user sees all of them
 * at once.  Only then, if there was any error, the load fails and nothing
 * of the configuration is kept.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cfg_int.h"

#define CFG_MAX_FILE	(16u * 1024 * 1024)
#define CFG_MAX_LINE	65536u
#define CFG_MAX_DEPTH	8
#define CFG_MAX_ERRORS	100

static void cfg_parse_buffer(struct cfg_parse *, const char *, const char *,
	    size_t);
static void cfg_vnote(struct cfg_parse *, const char *, unsigned,
	    const char *, const char *, va_list) UTIL_PRINTF(5, 0);

static void
cfg_vnote(struct cfg_parse *p, const char *file, unsigned line,
    const char *what, const char *fmt, va_list ap)
{
	struct str msg = STR_INIT;

	str_vappendf(&msg, fmt, ap);
	str_appendf(p->diag, "%s:%u: %s", file ? file : "-", line, what);
	str_append_escaped(p->diag, msg.data, msg.len);
	str_appendc(p->diag, '\n');
	str_free(&msg);
}

void
cfg_diag(struct cfg_parse *p, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	if (++p->errors > CFG_MAX_ERRORS) {
		if (p->errors == CFG_MAX_ERRORS + 1)
			str_appendz(p->diag, "too many errors; giving up\n");
		return;
	}
	va_start(ap, fmt);
	cfg_vnote(p, file, line, "", fmt, ap);
	va_end(ap);
}

void
cfg_warn(struct cfg_parse *p, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	p->warnings++;
	va_start(ap, fmt);
	cfg_vnote(p, file, line, "warning: ", fmt, ap);
	va_end(ap);
}

int
cfg_slurp(const char *path, size_t max, struct str *out, struct stat *stp)
{
	struct stat st;
	char buf[8192];
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	}
	if (stp != NULL)
		*stp = st;	/* of what was read, not of a name */
	str_reset(out);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			close(fd);
			return EFBIG;
		}
		str_append(out, buf, (size_t)n);
	}
	close(fd);
	return 0;
}

/* Cut an inline comment: '#' after white space, outside double quotes. */
static void
cfg_strip_comment(char *s)
{
	bool quoted = false;
	char *p;

	for (p = s; *p; p++) {
		if (*p == '\\' && quoted && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && (p == s || p[-1] == ' ' ||
		    p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
}

static char *
cfg_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static struct cfg_seen *
cfg_seen_cur(struct cfg_parse *p)
{
	switch (p->sec) {
	case CFG_SEC_RELAY:
		return &p->relay_seen[p->inst];
	case CFG_SEC_ACCOUNT:
		return &p->account_seen[p->inst];
	case CFG_SEC_REPORT:
		return &p->report_seen[p->inst];
	case CFG_SEC_RULE:
		return &p->rule_seen[p->inst];
	default:
		return &p->single[p->sec];
	}
}

/* Is the name already a section of this kind?  Where, if so. */
static const struct cfg_seen *
cfg_named_dup(struct cfg_parse *p, enum cfg_sec sec, const char *name)
{
	struct cfg *c = p->cfg;
	size_t i;

	for (i = 0; sec == CFG_SEC_RELAY && i < c->nrelays; i++)
		if (strcasecmp(c->relays[i].name, name) == 0)
			return &p->relay_seen[i];
	for (i = 0; sec == CFG_SEC_ACCOUNT && i < c->naccounts; i++)
		if (strcasecmp(c->accounts[i].address, name) == 0)
			return &p->account_seen[i];
	for (i = 0; sec == CFG_SEC_REPORT && i < c->nreports; i++)
		if (strcasecmp(c->reports[i].address, name) == 0)
			return &p->report_seen[i];
	for (i = 0; sec == CFG_SEC_RULE && i < c->nrules; i++)
		if (strcasecmp(c->rules[i].name, name) == 0)
			return &p->rule_seen[i];
	return NULL;
}

/* Add a named section instance; returns its index. */
static size_t
cfg_add_instance(struct cfg_parse *p, enum cfg_sec sec, const char *name)
{
	struct cfg *c = p->cfg;
	struct cfg_seen *seen;
	size_t i;

	switch (sec) {
	case CFG_SEC_RELAY:
		i = c->nrelays++;
		c->relays = xreallocarray(c->relays, c->nrelays,
		    sizeof(*c->relays));
		p->relay_seen = xreallocarray(p->relay_seen, c->nrelays,
		    sizeof(*p->relay_seen));
		memset(&c->relays[i], 0, sizeof(c->relays[i]));
		c->relays[i].name = xstrdup(name);
		c->relays[i].file = p->file;
		c->relays[i].line = p->line;
		seen = &p->relay_seen[i];
		break;
	case CFG_SEC_ACCOUNT:
		i = c->naccounts++;
		c->accounts = xreallocarray(c->accounts, c->naccounts,
		    sizeof(*c->accounts));
		p->account_seen = xreallocarray(p->account_seen, c->naccounts,
		    sizeof(*p->account_seen));
		memset(&c->accounts[i], 0, sizeof(c->accounts[i]));
		c->accounts[i].address = xstrdup(name);
		c->accounts[i].file = p->file;
		c->accounts[i].line = p->line;
		seen = &p->account_seen[i];
		break;
	case CFG_SEC_RULE:
		i = c->nrules++;
		c->rules = xreallocarray(c->rules, c->nrules,
		    sizeof(*c->rules));
		p->rule_seen = xreallocarray(p->rule_seen, c->nrules,
		    sizeof(*p->rule_seen));
		memset(&c->rules[i], 0, sizeof(c->rules[i]));
		c->rules[i].name = xstrdup(name);
		c->rules[i].file = p->file;
		c->rules[i].line = p->line;
		seen = &p->rule_seen[i];
		break;
	default:
		i = c->nreports++;
		c->reports = xreallocarray(c->reports, c->nreports,
		    sizeof(*c->reports));
		p->report_seen = xreallocarray(p->report_seen, c->nreports,
		    sizeof(*p->report_seen));
		memset(&c->reports[i], 0, sizeof(c->reports[i]));
		c->reports[i].address = xstrdup(name);
		c->reports[i].file = p->file;
		c->reports[i].line = p->line;
		seen = &p->report_seen[i];
		break;
	}
	memset(seen, 0, sizeof(*seen));
	seen->sec.file = p->file;
	seen->sec.line = p->line;
	cfg_defaults(sec, cfg_key_base(c, sec, i));
	return i;
}

static bool
cfg_section_name_ok(struct cfg_parse *p, enum cfg_sec sec, const char *name)
{
	const struct cfg_seen *dup;

	if ((sec == CFG_SEC_RELAY || sec == CFG_SEC_RULE) &&
	    !cfg_relay_name_ok(name)) {
		cfg_diag(p, p->file, p->line, "invalid %s name '%s' (letters, "
		    "digits, '.', '-' and '_')", cfg_sec_names[sec], name);
		return false;
	}
	if (sec != CFG_SEC_RELAY && sec != CFG_SEC_RULE &&
	    !cfg_email_ok(name)) {
		cfg_diag(p, p->file, p->line, "[%s %s]: not an address "
		    "(user@domain)", cfg_sec_names[sec], name);
		return false;
	}
	if ((dup = cfg_named_dup(p, sec, name)) != NULL) {
		cfg_diag(p, p->file, p->line, "[%s %s] appears twice (first at "
		    "%s:%u)", cfg_sec_names[sec], name, dup->sec.file,
		    dup->sec.line);
		return false;
	}
	return true;
}

static void
cfg_section(struct cfg_parse *p, char *s)
{
	char *inner, *name, *near;
	size_t n, i;
	int sec = -1;

	cfg_strip_comment(s);
	s = cfg_trim(s);
	n = strlen(s);
	p->skipping = true;
	p->in_section = false;
	if (n < 2 || s[n - 1] != ']') {
		cfg_diag(p, p->file, p->line, "missing ']' in section header");
		return;
	}
	s[n - 1] = '\0';
	inner = cfg_trim(s + 1);
	name = inner + strcspn(inner, " \t");
	if (*name != '\0')
		*name++ = '\0';
	name = cfg_trim(name);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name[n - 1] = '\0';
		name++;
	}
	for (i = 0; i < CFG_SEC_COUNT; i++)
		if (strcmp(inner, cfg_sec_names[i]) == 0)
			sec = (int)i;
	if (sec < 0) {
		near = (char *)cfg_suggest(inner, cfg_sec_names, CFG_SEC_COUNT);
		cfg_diag(p, p->file, p->line, "unknown section [%s]%s%s%s", inner,
		    near ? " (did you mean [" : "", near ? near : "",
		    near ? "]?)" : "");
		return;
	}
	if (cfg_sec_named(sec)) {
		if (*name == '\0') {
			cfg_diag(p, p->file, p->line, "[%s] needs a name: [%s %s]",
			    inner, inner, sec == CFG_SEC_RELAY ||
			    sec == CFG_SEC_RULE ? "NAME" : "ADDRESS");
			return;
		}
		if (!cfg_section_name_ok(p, sec, name))
			return;
		p->inst = cfg_add_instance(p, sec, name);
	} else {
		if (*name != '\0') {
			cfg_diag(p, p->file, p->line, "[%s] takes no name", inner);
			return;
		}
		if (p->single[sec].sec.file != NULL) {
			cfg_diag(p, p->file, p->line, "[%s] appears twice (first "
			    "at %s:%u); keep its keys in one section", inner,
			    p->single[sec].sec.file, p->single[sec].sec.line);
			return;
		}
		p->single[sec].sec.file = p->file;
		p->single[sec].sec.line = p->line;
		p->inst = 0;
	}
	p->sec = (enum cfg_sec)sec;
	p->in_section = true;
	p->skipping = false;
	p->any_section = true;
}

static const char *
cfg_dirname_join(const char *from, const char *path, struct str *buf)
{
	const char *slash;

	if (path[0] == '/' || (slash = strrchr(from, '/')) == NULL)
		return path;
	str_set(buf, from, (size_t)(slash - from) + 1);
	str_appendz(buf, path);
	return str_cstr(buf);
}

static const char *
cfg_remember_file(struct cfg_parse *p, const char *name)
{
	strvec_push_mem(&p->cfg->files, name, strlen(name));
	return p->cfg->files.v[p->cfg->files.n - 1];
}

/*
 * A file that root controls: owned by root and writable by no one else
 * (a group write bit only for group root).  Judged on the descriptor the
 * content came from, so no name can be swapped between check and read.
 */
static void
cfg_trust(struct cfg_parse *p, const struct stat *st)
{
	if (st->st_uid != 0 || (st->st_mode & S_IWOTH) != 0 ||
	    ((st->st_mode & S_IWGRP) != 0 && st->st_gid != 0))
		p->cfg->trusted = false;
}

static void
cfg_include(struct cfg_parse *p, const char *value)
{
	struct str full = STR_INIT, data = STR_INIT;
	const char *path, *file = p->file;
	unsigned line = p->line;
	struct stat st;
	enum cfg_sec sec = p->sec;
	bool in = p->in_section, skip = p->skipping;
	size_t inst = p->inst;
	int e, i;

	if (p->flags & CFG_NO_INCLUDE) {
		cfg_diag(p, file, line, "include is not allowed here");
		return;
	}
	if (*value == '\0') {
		cfg_diag(p, file, line, "include: empty path");
		return;
	}
	memset(&st, 0, sizeof(st));
	path = cfg_dirname_join(file, value, &full);
	if (p->depth >= CFG_MAX_DEPTH) {
		cfg_diag(p, file, line, "include %s: nested deeper than %d",
		    path, CFG_MAX_DEPTH);
		goto out;
	}
	if ((e = cfg_slurp(path, CFG_MAX_FILE, &data, &st)) != 0) {
		cfg_diag(p, file, line, "include %s: %s", path,
		    e == EFBIG ? "file too large" : strerror(e));
		goto out;
	}
	for (i = 0; i < p->nstack; i++)
		if (p->stack[i].dev == (unsigned long long)st.st_dev &&
		    p->stack[i].ino == (unsigned long long)st.st_ino) {
			cfg_diag(p, file, line, "include %s: loop (the file is "
			    "already being read)", path);
			goto out;
		}
	cfg_trust(p, &st);
	p->stack[p->nstack].dev = (unsigned long long)st.st_dev;
	p->stack[p->nstack].ino = (unsigned long long)st.st_ino;
	p->nstack++;
	p->depth++;
	cfg_parse_buffer(p, path, data.data ? data.data : "", data.len);
	p->depth--;
	p->nstack--;
	/* The including file goes on in the section it was in. */
	p->file = file;
	p->line = line;
	p->sec = sec;
	p->in_section = in;
	p->skipping = skip;
	p->inst = inst;
out:
	str_free(&full);
	str_free(&data);
}

/*
 * Keys in the words of the "SMTP settings" pages users bring their
 * settings from, which no spelling distance leads to smtpgate's key.
 */
static const struct {
	const char *word;
	const char *key;	/* NULL: note says it all */
	const char *note;	/* NULL or added to the suggestion */
} cfg_foreign[] = {
	{ "server", "host", NULL },
	{ "smtp_server", "host", NULL },
	{ "smtp_host", "host", NULL },
	{ "smtp_port", "port", NULL },
	{ "ssl", "tls", "none, starttls or implicit" },
	{ "enable_ssl", "tls", "none, starttls or implicit" },
	{ "wait_time", "wait_ms", "in milliseconds" },
	{ "delivery_delay", "delay", NULL },
	{ "user", "username", NULL },
	{ "login", "username", NULL },
	{ "report_emails", NULL, "each report address is a section of its "
	    "own: [report ADDRESS] with enabled = yes or no" },
};

/*
 * An unknown key that is a known foreign word: the error names our key,
 * and its section when it lives in another one.  False if key is not one.
 */
static bool
cfg_foreign_key(struct cfg_parse *p, const char *key)
{
	const struct cfg_key *k = NULL;
	struct str hint = STR_INIT;
	size_t i, j;

	for (i = 0; i < sizeof(cfg_foreign) / sizeof(cfg_foreign[0]); i++)
		if (strcmp(cfg_foreign[i].word, key) == 0)
			break;
	if (i == sizeof(cfg_foreign) / sizeof(cfg_foreign[0]))
		return false;
	if (cfg_foreign[i].key == NULL)
		str_appendz(&hint, cfg_foreign[i].note);
	else {
		str_appendf(&hint, "did you mean '%s'", cfg_foreign[i].key);
		if ((k = cfg_key_find(p->sec, cfg_foreign[i].key)) == NULL)
			for (j = 0; j < cfg_nkeys && k == NULL; j++)
				if (strcmp(cfg_keys[j].name,
				    cfg_foreign[i].key) == 0)
					k = &cfg_keys[j];
		if (k != NULL && k->sec != p->sec)
			str_appendf(&hint, " in [%s%s]", cfg_sec_names[k->sec],
			    k->sec == CFG_SEC_RELAY ? " NAME" :
			    k->sec == CFG_SEC_ACCOUNT ? " ADDRESS" : "");
		if (cfg_foreign[i].note != NULL)
			str_appendf(&hint, ", %s", cfg_foreign[i].note);
		str_appendc(&hint, '?');
	}
	cfg_diag(p, p->file, p->line, "unknown key '%s' in [%s] (%s)", key,
	    cfg_sec_names[p->sec], str_cstr(&hint));
	str_free(&hint);
	return true;
}

static void
cfg_keyword(struct cfg_parse *p, char *s)
{
	const struct cfg_key *k;
	struct cfg_seen *seen;
	struct str err = STR_INIT;
	char *eq = strchr(s, '='), *key, *value, *near;
	size_t i, n;

	if (eq == NULL) {
		cfg_diag(p, p->file, p->line, "expected 'key = value', "
		    "'[section]' or a comment");
		return;
	}
	*eq = '\0';
	key = cfg_trim(s);
	value = eq + 1;
	cfg_strip_comment(value);
	value = cfg_trim(value);
	for (i = 0; key[i]; i++)
		if (!(key[i] >= 'a' && key[i] <= 'z') && key[i] != '_' &&
		    !(key[i] >= '0' && key[i] <= '9'))
			break;
	if (i == 0 || key[i] != '\0') {
		cfg_diag(p, p->file, p->line, "invalid key name '%s'", key);
		return;
	}
	if (strcmp(key, "include") == 0) {
		n = strlen(value);
		if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
			value[n - 1] = '\0';
			value++;
		}
		cfg_include(p, value);
		return;
	}
	if (p->skipping)
		return;
	if (!p->in_section) {
		cfg_diag(p, p->file, p->line, "'%s' outside any section (keys "
		    "go under [general], [relay NAME], [message], ...)", key);
		return;
	}
	if ((k = cfg_key_find(p->sec, key)) == NULL &&
	    strncmp(key, "pass", 4) == 0 && strstr(key, "_") == NULL) {
		/* Never a suggestion that leaves the secret in this file. */
		cfg_diag(p, p->file, p->line, "unknown key '%s': secrets are not "
		    "written in smtpgate.conf; use password_file or "
		    "password_command", key);
		return;
	}
	if (k == NULL && cfg_foreign_key(p, key))
		return;
	if (k == NULL) {
		near = (char *)cfg_key_suggest(p->sec, key);
		cfg_diag(p, p->file, p->line, "unknown key '%s' in [%s]%s%s%s",
		    key, cfg_sec_names[p->sec], near ? " (did you mean '" : "",
		    near ? near : "", near ? "'?)" : "");
		for (i = 0; near == NULL && i < cfg_nkeys; i++)
			if (strcmp(cfg_keys[i].name, key) == 0) {
				cfg_diag(p, p->file, p->line, "'%s' belongs in "
				    "[%s]", key, cfg_sec_names[cfg_keys[i].sec]);
				break;
			}
		return;
	}
	seen = cfg_seen_cur(p);
	i = cfg_key_index(k);
	if (cfg_seen_test(seen, i)) {
		cfg_diag(p, p->file, p->line, "'%s' set twice in this section "
		    "(first at %s:%u)", key, seen->key[i].file,
		    seen->key[i].line);
		return;
	}
	seen->key[i].file = p->file;
	seen->key[i].line = p->line;
	if (strncmp(key, "oauth2_", 7) == 0)
		seen->any_oauth2 = true;
	if (cfg_value_set(k, cfg_key_base(p->cfg, p->sec, p->inst), value,
	    &err) != 0)
		cfg_diag(p, p->file, p->line, "%s: %s", key, str_cstr(&err));
	str_free(&err);
}

static void
cfg_line(struct cfg_parse *p, const char *b, size_t len)
{
	char *copy, *s;

	if (len > 0 && b[len - 1] == '\r')
		len--;		/* CRLF files are fine */
	if (memchr(b, '\0', len) != NULL) {
		cfg_diag(p, p->file, p->line, "NUL byte in line");
		return;
	}
	if (memchr(b, '\r', len) != NULL) {
		cfg_diag(p, p->file, p->line, "carriage return inside a line "
		    "(values must not contain CR or LF)");
		return;
	}
	copy = xstrndup(b, len);
	s = cfg_trim(copy);
	if (*s == '\0' || *s == '#' || *s == ';')
		;
	else if (*s == '[')
		cfg_section(p, s);
	else
		cfg_keyword(p, s);
	free(copy);
}

static void
cfg_parse_buffer(struct cfg_parse *p, const char *name, const char *data,
    size_t len)
{
	const char *b = data, *end = data + len, *nl;
	size_t n;

	p->file = cfg_remember_file(p, name);
	p->line = 0;
	while (b < end) {
		p->line++;
		nl = memchr(b, '\n', (size_t)(end - b));
		n = nl ? (size_t)(nl - b) : (size_t)(end - b);
		if (n > CFG_MAX_LINE)
			cfg_diag(p, p->file, p->line, "line longer than %u bytes",
			    CFG_MAX_LINE);
		else
			cfg_line(p, b, n);
		b += n + (nl != NULL);
	}
}

static struct cfg *
cfg_new(void)
{
	struct cfg *c = xcalloc(1, sizeof(*c));
	enum cfg_sec s;

	for (s = 0; s < CFG_SEC_COUNT; s++)
		if (!cfg_sec_named(s))
			cfg_defaults(s, c);
	return c;
}

static void
cfg_parse_init(struct cfg_parse *p, struct str *diag, unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg_new();
	p->diag = diag;
	p->flags = flags;
}

/* Checks, then keep the configuration or throw all of it away. */
static int
cfg_parse_finish(struct cfg_parse *p, struct cfg **out)
{
	/* No line to point at: the whole file is the problem. */
	if ((p->flags & CFG_REQUIRE_SECTION) && !p->any_section &&
	    p->errors == 0) {
		p->errors++;
		str_appendf(p->diag, "%s: no [section] in the file (it is empty "
		    "or only comments): refused, as a file that sets nothing "
		    "would turn the policy off\n", p->cfg->path);
	}
	if (p->errors == 0)
		cfg_check(p);
	free(p->relay_seen);
	free(p->account_seen);
	free(p->report_seen);
	free(p->rule_seen);
	if (p->errors > 0) {
		cfg_free(p->cfg);
		*out = NULL;
		return CFG_EINVAL;
	}
	*out = p->cfg;
	return CFG_OK;
}

int
cfg_load_buffer(const char *name, const char *data, size_t len,
    unsigned flags, struct cfg **out, struct str *diag)
{
	struct cfg_parse p;

	cfg_parse_init(&p, diag, flags);
	p.cfg->path = xstrdup(name);
	cfg_parse_buffer(&p, name, data, len);
	return cfg_parse_finish(&p, out);
}

int
cfg_load(const char *path, struct cfg **out, struct str *diag)
{
	return cfg_load_flags(path, 0, out, diag);
}

int
cfg_load_flags(const char *path, unsigned flags, struct cfg **out,
    struct str *diag)
{
	struct cfg_parse p;
	struct str data = STR_INIT;
	struct stat st;
	int e;

	*out = NULL;
	if ((e = cfg_slurp(path, CFG_MAX_FILE, &data, &st)) != 0) {
		str_appendf(diag, "%s: %s\n", path, e == EFBIG ?
		    "file too large" : strerror(e));
		str_free(&data);
		return e == ENOENT ? CFG_ENOENT : CFG_EIO;
	}
	cfg_parse_init(&p, diag, flags & (CFG_NO_FILE_CHECKS |
	    CFG_REQUIRE_SECTION | CFG_NO_SECRETS));
	p.cfg->path = xstrdup(path);
	p.cfg->trusted = true;
	cfg_trust(&p, &st);
	p.stack[0].dev = (unsigned long long)st.st_dev;
	p.stack[0].ino = (unsigned long long)st.st_ino;
	p.nstack = 1;
	cfg_parse_buffer(&p, path, data.data ? data.data : "", data.len);
	str_free(&data);
	return cfg_parse_finish(&p, out);
}

static void
cfg_free_section(enum cfg_sec sec, void *base)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].sec == sec)
			cfg_value_free(&cfg_keys[i], base);
}

void
cfg_free(struct cfg *c)
{
	enum cfg_sec s;
	size_t i;

	if (c == NULL)
		return;
	for (s = 0; s < CFG_SEC_COUNT; s++)
		if (!cfg_sec_named(s))
			cfg_free_section(s, c);
	for (i = 0; i < c->nrelays; i++) {
		cfg_free_section(CFG_SEC_RELAY, &c->relays[i]);
		free(c->relays[i].name);
	}
	for (i = 0; i < c->naccounts; i++) {
		cfg_free_section(CFG_SEC_ACCOUNT, &c->accounts[i]);
		free(c->accounts[i].address);
	}
	for (i = 0; i < c->nreports; i++)
		free(c->reports[i].address);
	for (i = 0; i < c->nrules; i++) {
		cfg_free_section(CFG_SEC_RULE, &c->rules[i]);
		free(c->rules[i].name);
	}
	free(c->relays);
	free(c->accounts);
	free(c->reports);
	free(c->rules);
	strvec_free(&c->files);
	free(c->path);
	free(c);
}

int
cfg_exitcode(int rc)
{
	switch (rc) {
	case CFG_OK:
		return 0;
	case CFG_ENOENT:
		return EX_NOINPUT;
	case CFG_EIO:
		return EX_IOERR;
	default:
		return EX_CONFIG;
	}
}
