/*
 * cfg_value - typed values: text from the file to the field a key row
 * points at, and back for cfg_dump().  No atoi: every number is checked
 * for its digits and its range.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"
#include "secret.h"

#define FIELD(base, k, type)	((type *)(void *)((char *)(base) + (k)->off))
#define CFIELD(base, k, type)	\
	((const type *)(const void *)((const char *)(base) + (k)->off))

bool
cfg_email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("<>,;\"()[]\\",
		    *p) != NULL)
			return false;
	return at[1] != '.' && p[-1] != '.' && strstr(at, "..") == NULL;
}

static bool
cfg_host_ok(const char *s)
{
	const char *p;

	if (*s == '[')
		return s[strlen(s) - 1] == ']' && strlen(s) > 2 &&
		    strchr(s + 1, '[') == NULL;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-_:", *p) == NULL &&
		    (unsigned char)*p < 0x80)
			return false;
	return *s != '.' && *s != '-';
}

/*
 * "https://" (any case), a host, and no byte a URL never holds: a token
 * endpoint gets a client secret and refresh tokens, never in the clear.
 */
static bool
cfg_https_ok(const char *s, struct str *err)
{
	const char *p;

	if (strncasecmp(s, "https://", 8) != 0) {
		str_appendf(err, "'%s' is not an https:// URL: the token "
		    "endpoint is sent secrets and must be reached over TLS", s);
		return false;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>\\^`{|}", *p) != NULL) {
			str_appendf(err, "'%s': a URL holds no spaces, quotes or "
			    "non-ASCII bytes (percent-encode them)", s);
			return false;
		}
	if (s[8] == '\0' || s[8] == '/' || s[8] == '?' || s[8] == '#') {
		str_appendf(err, "'%s' names no host", s);
		return false;
	}
	return true;
}

/* A tenant goes into a path segment: "common", a GUID, a domain. */
static bool
cfg_tenant_ok(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return false;
	return p - s <= 253 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* RFC 5322 2.2: printable ASCII but ':', at most a line's worth. */
static bool
cfg_hdrname_ok(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 33 || (unsigned char)*p > 126 ||
		    *p == ':')
			return false;
	return p > s && p - s <= 200;
}

bool
cfg_relay_name_ok(const char *s)
{
	const char *p;

	if (*s == '\0')
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-_", *p) == NULL)
			return false;
	return true;
}

/* Digits only, no sign, no overflow past max. */
static int
cfg_number(const char *s, const char **end, unsigned long max,
    unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return -2;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*end = p;
	*out = v;
	return 0;
}

/* "30", "30s", "5m", "2h", "5d", "1w": seconds. */
static int
cfg_duration(const char *s, unsigned long min, unsigned long max,
    unsigned long *out, struct str *err)
{
	unsigned long v, mult = 1;
	const char *end;
	int rc;

	if ((rc = cfg_number(s, &end, 0xffffffffUL, &v)) != 0)
		goto bad;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		goto bad;
	}
	if (*end != '\0' && end[1] != '\0')
		goto bad;
	if (v > max / mult || v * mult < min || v * mult > max) {
		str_appendf(err, "duration '%s' out of range (%lus to %lus)", s,
		    min, max);
		return -1;
	}
	*out = v * mult;
	return 0;
bad:
	str_appendf(err, "invalid duration '%s' (use a number with an optional "
	    "unit s, m, h, d or w, e.g. 30s or 5m)", s);
	return -1;
}

/* A size in the largest suffix that divides it: what cfg_size() reads. */
void
cfg_size_print(unsigned long long v, struct str *out)
{
	static const char units[] = "KMGT";
	size_t u = 0;

	if (v == 0 || v % 1024 != 0) {
		str_appendf(out, "%llu", v);
		return;
	}
	v /= 1024;
	while (u + 1 < sizeof(units) - 1 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	str_appendf(out, "%llu%c", v, units[u]);
}

/*
 * "4096", "512K", "50M", "2G", "1T" (binary: K is 1024 bytes; lower case
 * too): bytes.  Digits only, no sign, no space, checked for overflow
 * before the range.
 */
static int
cfg_size(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out, struct str *err)
{
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (ULLONG_MAX - (unsigned long long)(*p - '0')) / 10)
			goto range;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1024ULL;
		break;
	case 'm': case 'M':
		mult = 1024ULL * 1024;
		break;
	case 'g': case 'G':
		mult = 1024ULL * 1024 * 1024;
		break;
	case 't': case 'T':
		mult = 1024ULL * 1024 * 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*p != '\0' && p[1] != '\0')
		goto bad;
	if (v > ULLONG_MAX / mult)
		goto range;
	v *= mult;
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	str_appendf(err, "size '%s' out of range (", s);
	cfg_size_print(min, err);
	str_appendz(err, " to ");
	cfg_size_print(max, err);
	str_appendc(err, ')');
	return -1;
bad:
	str_appendf(err, "invalid size '%s' (use a number of bytes with an "
	    "optional K, M, G or T for 1024, 1024^2..., e.g. 512K or 50M)", s);
	return -1;
}

static int
cfg_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Split on ',' and ';', trim each item, skip empty items. */
static int
cfg_split(const char *s, struct strvec *out)
{
	const char *p = s, *e, *b;

	while (*p) {
		e = p + strcspn(p, ",;");
		b = p;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b)
			strvec_push_mem(out, b, (size_t)(e - b));
		p += strcspn(p, ",;");
		if (*p)
			p++;
	}
	return 0;
}

/* "Name" <user@domain> or user@domain. */
static bool
cfg_mailbox_ok(const char *s)
{
	const char *lt = strrchr(s, '<');
	char *inner;
	bool ok;
	size_t n;

	if (lt == NULL)
		return cfg_email_ok(s);
	n = strlen(lt);
	if (n < 3 || lt[n - 1] != '>')
		return false;
	inner = xstrndup(lt + 1, n - 2);
	ok = cfg_email_ok(inner);
	free(inner);
	return ok;
}

static int
cfg_fingerprint(const char *s, char **out, struct str *err)
{
	struct str hex = STR_INIT;
	const char *p = s;

	if (strncasecmp(p, "sha256:", 7) == 0)
		p += 7;
	for (; *p; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p))
			break;
		str_appendc(&hex, tolower((unsigned char)*p));
	}
	if (*p != '\0' || hex.len != 64) {
		str_appendf(err, "invalid tls_fingerprint (want sha256: and 64 "
		    "hex digits, as 'openssl x509 -noout -fingerprint -sha256' "
		    "prints)");
		str_free(&hex);
		return -1;
	}
	*out = str_detach(&hex);
	return 0;
}

/*
 * Values in the words of the "SMTP settings" pages users copy from: one
 * that means a value of ours is read as it, one that could mean either of
 * two is refused with the choice spelled out.
 */
static const struct {
	const char *key;
	const char *word;
	const char *means;	/* NULL: refused with why */
	const char *why;
} cfg_value_words[] = {
	{ "tls", "explicit", "starttls", NULL },
	/* Some pages call STARTTLS "SSL", others implicit TLS. */
	{ "tls", "ssl", NULL, "use starttls (port 587) or implicit (port 465)" },
};

/* The value a foreign word stands for, text itself, or NULL (refused). */
static const char *
cfg_value_word(const struct cfg_key *k, const char *text, struct str *err)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_value_words) / sizeof(cfg_value_words[0]);
	    i++) {
		if (strcmp(k->name, cfg_value_words[i].key) != 0 ||
		    strcasecmp(text, cfg_value_words[i].word) != 0)
			continue;
		if (cfg_value_words[i].means != NULL)
			return cfg_value_words[i].means;
		str_appendf(err, "'%s' is ambiguous: %s", text,
		    cfg_value_words[i].why);
		return NULL;
	}
	return text;
}

/*
 * when_header: "Field-Name: value".  The name is what RFC 5322 allows
 * (printable ASCII but ':'); the value is what the field must hold, not
 * empty: a rule that matched any value would be when_header on the
 * name alone, which is easy to write by mistake and mail everyone.
 */
static bool
cfg_hdrmatch_ok(const char *s, struct str *err)
{
	const char *colon = strchr(s, ':'), *p;

	if (colon == NULL || colon == s) {
		str_appendf(err, "'%s' is not 'Field-Name: value'", s);
		return false;
	}
	for (p = s; p < colon; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
			str_appendf(err, "'%.*s' is not a header field name",
			    (int)(colon - s), s);
			return false;
		}
	for (p = colon + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0') {
		str_appendf(err, "'%s': no value after the colon (write the "
		    "value the field must have, or a glob such as *)", s);
		return false;
	}
	return true;
}

/* Remove one pair of surrounding double quotes. */
static char *
cfg_unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return xstrndup(s + 1, n - 2);
	return xstrdup(s);
}

static int
cfg_set_list(const struct cfg_key *k, void *base, const char *text,
    struct str *err)
{
	struct strvec tmp = STRVEC_INIT;
	size_t i;

	cfg_split(text, &tmp);
	for (i = 0; i < tmp.n; i++) {
		const char *v = tmp.v[i];
		bool ok = k->type == CFG_T_KEEP && v[0] == '@' ?
		    v[1] != '\0' && cfg_host_ok(v + 1) && strchr(v + 1, '@') ==
		    NULL : cfg_email_ok(v);

		if (!ok) {
			str_appendf(err, "'%s' is not an address (user@domain%s)",
			    v, k->type == CFG_T_KEEP ? " or @domain" : "");
			strvec_free(&tmp);
			return -1;
		}
	}
	strvec_free(FIELD(base, k, struct strvec));
	*FIELD(base, k, struct strvec) = tmp;
	return 0;
}

static int
cfg_set_durations(const struct cfg_key *k, void *base, const char *text,
    struct str *err)
{
	struct cfg_durations *d = FIELD(base, k, struct cfg_durations);
	struct strvec tmp = STRVEC_INIT;
	unsigned *v;
	unsigned long sec;
	size_t i;

	cfg_split(text, &tmp);
	if (tmp.n == 0) {
		str_appendz(err, "empty list of durations");
		strvec_free(&tmp);
		return -1;
	}
	v = xreallocarray(NULL, tmp.n, sizeof(*v));
	for (i = 0; i < tmp.n; i++) {
		if (cfg_duration(tmp.v[i], k->min, k->max, &sec, err) != 0) {
			free(v);
			strvec_free(&tmp);
			return -1;
		}
		v[i] = (unsigned)sec;
	}
	free(d->v);
	d->v = v;
	d->n = tmp.n;
	strvec_free(&tmp);
	return 0;
}

static int
cfg_set_string(const struct cfg_key *k, void *base, const char *text,
    struct str *err)
{
	char **field = FIELD(base, k, char *);
	const char *inner;
	char *v = NULL;
	size_t n;

	switch (k->type) {
	case CFG_T_PATH:
		/* Relative to what?  The caller's working directory is the
		   caller's choice, and the setgid shim's helper works in /. */
		if (text[0] != '/') {
			str_appendf(err, "'%s' is not an absolute path", text);
			return -1;
		}
		break;
	case CFG_T_HDRNAME:
		if (!cfg_hdrname_ok(text)) {
			str_appendf(err, "invalid header name '%s' (printable "
			    "ASCII without spaces or ':', e.g. X-Batch-ID)",
			    text);
			return -1;
		}
		break;
	case CFG_T_HOST:
		if (!cfg_host_ok(text)) {
			str_appendf(err, "invalid host name '%s'", text);
			return -1;
		}
		break;
	case CFG_T_MAILBOX:
		if (!cfg_mailbox_ok(text)) {
			str_appendf(err, "'%s' is not a mailbox (user@domain or "
			    "\"Name\" <user@domain>)", text);
			return -1;
		}
		break;
	case CFG_T_EMAIL:
		if (!cfg_email_ok(text)) {
			str_appendf(err, "'%s' is not an address (user@domain)",
			    text);
			return -1;
		}
		break;
	case CFG_T_PRESET:
		if (cfg_preset_find(text) == NULL) {
			const char *near;

			for (n = 0; cfg_preset_names[n]; n++)
				;
			near = cfg_suggest(text, cfg_preset_names, n);
			str_appendf(err, "unknown preset '%s'", text);
			if (near)
				str_appendf(err, " (did you mean '%s'?)", near);
			else {
				str_appendz(err, "; known:");
				for (n = 0; cfg_preset_names[n]; n++)
					str_appendf(err, " %s", cfg_preset_names[n]);
			}
			return -1;
		}
		break;
	case CFG_T_FINGERPRINT:
		if (cfg_fingerprint(text, &v, err) != 0)
			return -1;
		break;
	case CFG_T_HDRMATCH:
		if (!cfg_hdrmatch_ok(text, err))
			return -1;
		break;
	case CFG_T_HTTPS:
		if (!cfg_https_ok(text, err))
			return -1;
		break;
	case CFG_T_TENANT:
		if (!cfg_tenant_ok(text)) {
			str_appendf(err, "invalid tenant '%s' (a name such as "
			    "common or contoso.onmicrosoft.com, or the directory "
			    "id: letters, digits, '.' and '-')", text);
			return -1;
		}
		break;
	case CFG_T_DISPLAY:
		/* Quotes around the whole value, or none at all. */
		n = strlen(text);
		if (n >= 2 && text[0] == '"' && text[n - 1] == '"')
			inner = text + 1, n -= 2;
		else
			inner = text;
		if (memchr(inner, '"', n) != NULL) {
			str_appendz(err, "double quotes go only around the whole "
			    "value");
			return -1;
		}
		break;
	default:
		break;
	}
	if (v == NULL)
		v = k->type == CFG_T_DISPLAY ? cfg_unquote(text) : xstrdup(text);
	free(*field);
	*field = v;
	return 0;
}

int
cfg_value_set(const struct cfg_key *k, void *base, const char *text,
    struct str *err)
{
	unsigned long n;
	const char *end;
	bool b;
	size_t i;
	int rc;

	/* Empty: unset for text and lists, an error for the rest. */
	if (*text == '\0') {
		switch (k->type) {
		case CFG_T_EMAILS:
		case CFG_T_KEEP:
			strvec_free(FIELD(base, k, struct strvec));
			return 0;
		case CFG_T_SEPARATOR:
			*FIELD(base, k, char) = '\0';
			return 0;
		case CFG_T_BOOL:
		case CFG_T_UINT:
		case CFG_T_DURATION:
		case CFG_T_DURATIONS:
		case CFG_T_SIZE:
		case CFG_T_ENUM:
		case CFG_T_LOGLEVEL:
			str_appendz(err, "empty value");
			return -1;
		default:
			/* A text key with a default goes back to it: an
			   empty queue directory or socket means nothing. */
			if (k->def != NULL)
				return cfg_value_set(k, base, k->def, err);
			free(*FIELD(base, k, char *));
			*FIELD(base, k, char *) = NULL;
			return 0;
		}
	}
	switch (k->type) {
	case CFG_T_BOOL:
		if (cfg_bool(text, &b) != 0) {
			str_appendf(err, "invalid boolean '%s' (use yes or no)",
			    text);
			return -1;
		}
		*FIELD(base, k, bool) = b;
		return 0;
	case CFG_T_UINT:
		rc = cfg_number(text, &end, k->max, &n);
		if (rc == -1 || (rc == 0 && *end != '\0')) {
			str_appendf(err, "invalid number '%s'", text);
			return -1;
		}
		if (rc == -2 || n < k->min || n > k->max) {
			str_appendf(err, "%s out of range (%llu to %llu)", text,
			    k->min, k->max);
			return -1;
		}
		*FIELD(base, k, unsigned) = (unsigned)n;
		return 0;
	case CFG_T_DURATION:
		if (cfg_duration(text, k->min, k->max, &n, err) != 0)
			return -1;
		*FIELD(base, k, unsigned) = (unsigned)n;
		return 0;
	case CFG_T_DURATIONS:
		return cfg_set_durations(k, base, text, err);
	case CFG_T_SIZE:
		return cfg_size(text, k->min, k->max, FIELD(base, k,
		    unsigned long long), err);
	case CFG_T_ENUM:
		if ((text = cfg_value_word(k, text, err)) == NULL)
			return -1;
		for (i = 0; k->names[i]; i++)
			if (strcasecmp(text, k->names[i]) == 0) {
				*FIELD(base, k, int) = (int)i;
				return 0;
			}
		str_appendf(err, "invalid value '%s' (one of:", text);
		for (i = 0; k->names[i]; i++)
			str_appendf(err, "%s %s", i ? "," : "", k->names[i]);
		str_appendc(err, ')');
		return -1;
	case CFG_T_LOGLEVEL: {
		enum log_level lv;

		if (!log_level_parse(text, &lv)) {
			str_appendf(err, "invalid log level '%s' (one of: error, "
			    "warning, info, debug)", text);
			return -1;
		}
		*FIELD(base, k, enum log_level) = lv;
		return 0;
	}
	case CFG_T_SEPARATOR:
		if (strlen(text) != 1 || isalnum((unsigned char)*text) ||
		    !ispunct((unsigned char)*text) || strchr("@\"<>()[]\\.",
		    *text) != NULL) {
			str_appendf(err, "invalid separator '%s' (one punctuation "
			    "character such as ; or |)", text);
			return -1;
		}
		*FIELD(base, k, char) = *text;
		return 0;
	case CFG_T_EMAILS:
	case CFG_T_KEEP:
		return cfg_set_list(k, base, text, err);
	default:
		return cfg_set_string(k, base, text, err);
	}
}

void
cfg_value_free(const struct cfg_key *k, void *base)
{
	switch (k->type) {
	case CFG_T_EMAILS:
	case CFG_T_KEEP:
		strvec_free(FIELD(base, k, struct strvec));
		break;
	case CFG_T_DURATIONS:
		free(FIELD(base, k, struct cfg_durations)->v);
		FIELD(base, k, struct cfg_durations)->v = NULL;
		FIELD(base, k, struct cfg_durations)->n = 0;
		break;
	case CFG_T_STR:
	case CFG_T_PATH:
	case CFG_T_MAILBOX:
	case CFG_T_EMAIL:
	case CFG_T_FINGERPRINT:
	case CFG_T_PRESET:
	case CFG_T_HOST:
	case CFG_T_DISPLAY:
	case CFG_T_HDRNAME:
	case CFG_T_HDRMATCH:
	case CFG_T_HTTPS:
	case CFG_T_TENANT:
		free(*FIELD(base, k, char *));
		*FIELD(base, k, char *) = NULL;
		break;
	default:
		break;
	}
}

/* A duration in the largest unit that divides it. */
static void
cfg_print_duration(unsigned long v, struct str *out)
{
	if (v != 0 && v % 86400 == 0)
		str_appendf(out, "%lud", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		str_appendf(out, "%luh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		str_appendf(out, "%lum", v / 60);
	else
		str_appendf(out, "%lus", v);
}

/*
 * A password_command as --check-config shows it: the program, which says
 * what runs, and "..." for its arguments, which may hold a client secret.
 * What is printed loads again and prints the same.
 */
static void
cfg_print_masked_command(const char *cmd, struct str *out)
{
	char **argv;
	size_t argc;
	const char *p;

	if (secret_split(cmd, &argv, &argc) != 0) {
		str_appendz(out, "(set)");
		return;
	}
	for (p = argv[0]; *p; p++) {
		if (strchr(" \t\"'\\", *p) != NULL)
			str_appendc(out, '\\');
		str_appendc(out, *p);
	}
	if (argc > 1)
		str_appendz(out, " ...");
	secret_free_argv(argv, argc);
}

void
cfg_value_print(const struct cfg_key *k, const void *base, struct str *out)
{
	const struct strvec *l;
	const struct cfg_durations *d;
	const char *s;
	size_t i;

	switch (k->type) {
	case CFG_T_BOOL:
		str_appendz(out, *CFIELD(base, k, bool) ? "yes" : "no");
		break;
	case CFG_T_UINT:
		str_appendf(out, "%u", *CFIELD(base, k, unsigned));
		break;
	case CFG_T_DURATION:
		cfg_print_duration(*CFIELD(base, k, unsigned), out);
		break;
	case CFG_T_DURATIONS:
		d = CFIELD(base, k, struct cfg_durations);
		for (i = 0; i < d->n; i++) {
			if (i)
				str_appendz(out, ", ");
			cfg_print_duration(d->v[i], out);
		}
		break;
	case CFG_T_SIZE:
		cfg_size_print(*CFIELD(base, k, unsigned long long), out);
		break;
	case CFG_T_ENUM:
		str_appendz(out, k->names[*CFIELD(base, k, int)]);
		break;
	case CFG_T_LOGLEVEL:
		str_appendz(out, log_level_name(*CFIELD(base, k,
		    enum log_level)));
		break;
	case CFG_T_SEPARATOR:
		if (*CFIELD(base, k, char))
			str_appendc(out, *CFIELD(base, k, char));
		break;
	case CFG_T_EMAILS:
	case CFG_T_KEEP:
		l = CFIELD(base, k, struct strvec);
		for (i = 0; i < l->n; i++)
			str_appendf(out, "%s%s", i ? ", " : "", l->v[i]);
		break;
	case CFG_T_FINGERPRINT:
		if ((s = *CFIELD(base, k, char *)) != NULL)
			str_appendf(out, "sha256:%s", s);
		break;
	case CFG_T_DISPLAY:
		if ((s = *CFIELD(base, k, char *)) != NULL)
			str_appendf(out, "\"%s\"", s);
		break;
	default:
		if ((s = *CFIELD(base, k, char *)) == NULL)
			break;
		if (k->secret)
			cfg_print_masked_command(s, out);
		else
			str_appendz(out, s);
		break;
	}
}
