/*
 * spool_env - the envelope file of a queued message: "key value" lines.
 *
 *   version 1            first line
 *   id ID
 *   sender ADDR          empty for the null sender
 *   rcpt ADDR            once per recipient still due
 *   notify N, ret R, envid E      DSN parameters (optional)
 *   8bit 0|1, smtputf8 0|1
 *   created T, next T    seconds since the epoch
 *   attempts N, hdr_len N, size N
 *   error TEXT           last error, escaped (optional)
 *   relay NAME           last relay tried (optional)
 *   owner UID            who queued it: the real user id of the process
 *                        that committed it (absent in old envelopes: 0,
 *                        root's, so only root and the group act on them)
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"

void
spool_env_init(struct spool_env *e)
{
	memset(e, 0, sizeof(*e));
	envelope_init(&e->env);
}

void
spool_env_free(struct spool_env *e)
{
	envelope_free(&e->env);
	free(e->id);
	free(e->last_error);
	free(e->relay);
	spool_env_init(e);
}

void
spool_env_set_error(struct spool_env *e, const char *text, size_t len)
{
	struct str esc = STR_INIT;

	str_append_escaped(&esc, text, len);
	free(e->last_error);
	e->last_error = str_detach(&esc);
}

static bool
spool_value_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

static int
spool_put(struct str *out, const char *key, const char *value,
    struct str *err)
{
	if (value == NULL)
		return SPOOL_OK;
	if (!spool_value_ok(value)) {
		str_appendf(err, "envelope value for %s holds CR or LF", key);
		return SPOOL_EINVAL;
	}
	str_appendf(out, "%s %s\n", key, value);
	return SPOOL_OK;
}

int
spool_env_format(const struct spool_env *e, struct str *out, struct str *err)
{
	size_t i;
	int rc;

	if (e->id == NULL || e->env.sender == NULL) {
		str_appendz(err, "envelope without id or sender");
		return SPOOL_EINVAL;
	}
	str_appendz(out, "version 1\n");
	if ((rc = spool_put(out, "id", e->id, err)) != SPOOL_OK ||
	    (rc = spool_put(out, "sender", e->env.sender, err)) != SPOOL_OK)
		return rc;
	for (i = 0; i < e->env.rcpts.n; i++)
		if ((rc = spool_put(out, "rcpt", e->env.rcpts.v[i], err)) !=
		    SPOOL_OK)
			return rc;
	if (e->env.dsn_notify != 0)
		str_appendf(out, "notify %u\n", e->env.dsn_notify);
	if ((rc = spool_put(out, "ret", e->env.dsn_ret, err)) != SPOOL_OK ||
	    (rc = spool_put(out, "envid", e->env.dsn_envid, err)) != SPOOL_OK ||
	    (rc = spool_put(out, "relay", e->relay, err)) != SPOOL_OK)
		return rc;
	str_appendf(out, "8bit %d\nsmtputf8 %d\ncreated %lld\nnext %lld\n"
	    "attempts %u\nhdr_len %llu\nsize %llu\nowner %lu\n",
	    e->env.eight_bit ? 1 : 0, e->env.smtputf8 ? 1 : 0, e->created,
	    e->next_try, e->attempts, e->hdr_len, e->env.size,
	    (unsigned long)e->owner);
	return spool_put(out, "error", e->last_error, err);
}

static int
spool_num(const char *v, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;

	if (*v == '\0')
		return -1;
	for (; *v; v++) {
		if (!isdigit((unsigned char)*v))
			return -1;
		if (n > (max - (unsigned long long)(*v - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned long long)(*v - '0');
	}
	*out = n;
	return 0;
}

/* One "key value" line into e; -1 when it is not valid. */
static int
spool_env_line(struct spool_env *e, const char *key, const char *v)
{
	unsigned long long n;
	char **slot = NULL;

	if (strcmp(key, "rcpt") == 0) {
		if (*v == '\0')
			return -1;
		envelope_add_rcpt(&e->env, v);
		return 0;
	}
	if (strcmp(key, "id") == 0)
		slot = &e->id;
	else if (strcmp(key, "sender") == 0)
		slot = &e->env.sender;
	else if (strcmp(key, "ret") == 0)
		slot = &e->env.dsn_ret;
	else if (strcmp(key, "envid") == 0)
		slot = &e->env.dsn_envid;
	else if (strcmp(key, "error") == 0)
		slot = &e->last_error;
	else if (strcmp(key, "relay") == 0)
		slot = &e->relay;
	if (slot != NULL) {
		if (*slot != NULL)
			return -1;	/* twice */
		*slot = xstrdup(v);
		return 0;
	}
	if (spool_num(v, 0x7fffffffffffffffULL, &n) != 0)
		return -1;
	if (strcmp(key, "notify") == 0 && n <= 0xffff)
		e->env.dsn_notify = (unsigned)n;
	else if ((strcmp(key, "8bit") == 0 || strcmp(key, "smtputf8") == 0) &&
	    n <= 1)
		*(key[0] == '8' ? &e->env.eight_bit : &e->env.smtputf8) =
		    n == 1;
	else if (strcmp(key, "created") == 0)
		e->created = (long long)n;
	else if (strcmp(key, "next") == 0)
		e->next_try = (long long)n;
	else if (strcmp(key, "attempts") == 0 && n <= 1000000)
		e->attempts = (unsigned)n;
	else if (strcmp(key, "hdr_len") == 0)
		e->hdr_len = n;
	else if (strcmp(key, "size") == 0)
		e->env.size = n;
	else if (strcmp(key, "owner") == 0 && n <= 0xffffffffULL)
		e->owner = (uid_t)n;
	else
		return -1;
	return 0;
}

int
spool_env_parse(const char *data, size_t len, struct spool_env *e,
    struct str *err)
{
	const char *p = data, *end = data + len, *nl, *sp;
	char *line = NULL;
	unsigned lineno = 0;

	spool_env_init(e);
	if (memchr(data, '\0', len) != NULL) {
		str_appendz(err, "envelope holds a NUL byte");
		return SPOOL_EINVAL;
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			str_appendf(err, "envelope line %u: no line end (file cut "
			    "short)", lineno);
			goto bad;
		}
		line = xstrndup(p, (size_t)(nl - p));
		sp = strchr(line, ' ');
		if (lineno == 1 ? strcmp(line, "version 1") != 0 :
		    sp == NULL || strchr(line, '\r') != NULL) {
			str_appendf(err, "envelope line %u: not understood",
			    lineno);
			goto bad;
		}
		if (lineno > 1) {
			line[sp - line] = '\0';
			if (spool_env_line(e, line, sp + 1) != 0) {
				str_appendf(err, "envelope line %u: bad %s", lineno,
				    line);
				goto bad;
			}
		}
		free(line);
		line = NULL;
		p = nl + 1;
	}
	if (lineno == 0 || e->id == NULL || e->env.sender == NULL) {
		str_appendz(err, "envelope without version, id or sender");
		goto bad;
	}
	return SPOOL_OK;
bad:
	free(line);
	spool_env_free(e);
	return SPOOL_EINVAL;
}
