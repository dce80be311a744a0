/*
 * json - a strict reader of small JSON objects; see json.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

struct json_in {
	const char *p;
	size_t	len, pos;
	struct str *err;
	bool	failed;
};

static bool
json_fail(struct json_in *in, const char *what)
{
	if (!in->failed)
		str_appendf(in->err, "JSON: %s at byte %zu", what, in->pos);
	in->failed = true;
	return false;
}

static void
json_ws(struct json_in *in)
{
	while (in->pos < in->len && (in->p[in->pos] == ' ' ||
	    in->p[in->pos] == '\t' || in->p[in->pos] == '\n' ||
	    in->p[in->pos] == '\r'))
		in->pos++;
}

static int
json_peek(const struct json_in *in)
{
	return in->pos < in->len ? (unsigned char)in->p[in->pos] : -1;
}

static bool
json_literal(struct json_in *in, const char *word)
{
	size_t n = strlen(word);

	if (in->len - in->pos < n || memcmp(in->p + in->pos, word, n) != 0)
		return json_fail(in, "unexpected character");
	in->pos += n;
	return true;
}

static int
json_hex4(struct json_in *in)
{
	int v = 0, i, c;

	if (in->len - in->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)in->p[in->pos + (size_t)i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	in->pos += 4;
	return v;
}

static void
json_put_utf8(struct str *out, unsigned long cp)
{
	if (cp < 0x80)
		str_appendc(out, (int)cp);
	else if (cp < 0x800) {
		str_appendc(out, (int)(0xc0 | (cp >> 6)));
		str_appendc(out, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		str_appendc(out, (int)(0xe0 | (cp >> 12)));
		str_appendc(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		str_appendc(out, (int)(0x80 | (cp & 0x3f)));
	} else {
		str_appendc(out, (int)(0xf0 | (cp >> 18)));
		str_appendc(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
		str_appendc(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		str_appendc(out, (int)(0x80 | (cp & 0x3f)));
	}
}

/* \uXXXX, with a surrogate pair when it is one; the backslash-u read. */
static bool
json_unicode(struct json_in *in, struct str *out)
{
	int hi = json_hex4(in), lo;

	if (hi < 0)
		return json_fail(in, "bad \\u escape");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return json_fail(in, "lone low surrogate");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (in->len - in->pos < 2 || in->p[in->pos] != '\\' ||
		    in->p[in->pos + 1] != 'u')
			return json_fail(in, "lone high surrogate");
		in->pos += 2;
		if ((lo = json_hex4(in)) < 0xdc00 || lo > 0xdfff)
			return json_fail(in, "bad surrogate pair");
		json_put_utf8(out, 0x10000 + (((unsigned long)hi - 0xd800) <<
		    10) + ((unsigned long)lo - 0xdc00));
		return true;
	}
	if (hi == 0)
		return json_fail(in, "\\u0000 in a string");
	json_put_utf8(out, (unsigned long)hi);
	return true;
}

/* A string, the opening quote next; out may be NULL to skip it. */
static bool
json_string(struct json_in *in, struct str *out)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	struct str tmp = STR_INIT, *o = out ? out : &tmp;
	size_t start;
	const char *e;
	int c;

	in->pos++;
	for (;;) {
		start = in->pos;
		while (in->pos < in->len && (c = (unsigned char)in->p[in->pos]) !=
		    '"' && c != '\\' && c >= 0x20)
			in->pos++;
		str_append(o, in->p + start, in->pos - start);
		if ((c = json_peek(in)) == '"')
			break;
		if (c < 0) {
			str_free_secret(&tmp);
			return json_fail(in, "unterminated string");
		}
		if (c != '\\') {
			str_free_secret(&tmp);
			return json_fail(in, "control character in a string");
		}
		in->pos++;
		c = json_peek(in);
		in->pos++;
		if (c == 'u') {
			if (!json_unicode(in, o)) {
				str_free_secret(&tmp);
				return false;
			}
		} else if (c > 0 && (e = strchr(esc_in, c)) != NULL)
			str_appendc(o, esc_out[e - esc_in]);
		else {
			in->pos--;
			str_free_secret(&tmp);
			return json_fail(in, "bad escape");
		}
	}
	in->pos++;
	if (!str_utf8_valid(o->data ? o->data : "", o->len)) {
		str_free_secret(&tmp);
		return json_fail(in, "a string is not valid UTF-8");
	}
	str_free_secret(&tmp);
	return true;
}

static bool
json_digits(struct json_in *in)
{
	size_t start = in->pos;

	while (json_peek(in) >= '0' && json_peek(in) <= '9')
		in->pos++;
	return in->pos > start;
}

static bool
json_number(struct json_in *in)
{
	if (json_peek(in) == '-')
		in->pos++;
	if (json_peek(in) == '0') {
		in->pos++;
		if (json_peek(in) >= '0' && json_peek(in) <= '9')
			return json_fail(in, "leading zero");
	} else if (!json_digits(in))
		return json_fail(in, "bad number");
	if (json_peek(in) == '.') {
		in->pos++;
		if (!json_digits(in))
			return json_fail(in, "bad fraction");
	}
	if (json_peek(in) == 'e' || json_peek(in) == 'E') {
		in->pos++;
		if (json_peek(in) == '+' || json_peek(in) == '-')
			in->pos++;
		if (!json_digits(in))
			return json_fail(in, "bad exponent");
	}
	return true;
}

static bool json_value(struct json_in *, unsigned, enum json_type *,
    struct str *);

/* An object or an array whose insides we check and drop. */
static bool
json_container(struct json_in *in, unsigned depth, bool object)
{
	enum json_type t;
	int close = object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return json_fail(in, "nested too deep");
	in->pos++;
	json_ws(in);
	if (json_peek(in) == close) {
		in->pos++;
		return true;
	}
	for (;;) {
		if (object) {
			if (json_peek(in) != '"')
				return json_fail(in, "expected a member name");
			if (!json_string(in, NULL))
				return false;
			json_ws(in);
			if (json_peek(in) != ':')
				return json_fail(in, "expected ':'");
			in->pos++;
		}
		if (!json_value(in, depth + 1, &t, NULL))
			return false;
		json_ws(in);
		if (json_peek(in) == close) {
			in->pos++;
			return true;
		}
		if (json_peek(in) != ',')
			return json_fail(in, object ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		in->pos++;
		json_ws(in);
	}
}

/* One value; a string's or a number's text into text (may be NULL). */
static bool
json_value(struct json_in *in, unsigned depth, enum json_type *type,
    struct str *text)
{
	size_t start;

	json_ws(in);
	switch (json_peek(in)) {
	case '"':
		*type = JSON_STRING;
		return json_string(in, text);
	case '{':
		*type = JSON_OBJECT;
		return json_container(in, depth, true);
	case '[':
		*type = JSON_ARRAY;
		return json_container(in, depth, false);
	case 't':
		*type = JSON_TRUE;
		return json_literal(in, "true");
	case 'f':
		*type = JSON_FALSE;
		return json_literal(in, "false");
	case 'n':
		*type = JSON_NULL;
		return json_literal(in, "null");
	default:
		*type = JSON_NUMBER;
		start = in->pos;
		if (!json_number(in))
			return false;
		if (text != NULL)
			str_append(text, in->p + start, in->pos - start);
		return true;
	}
}

static const struct json_member *
json_find(const struct json_object *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i].name, name) == 0)
			return &o->v[i];
	return NULL;
}

/* One member of the top-level object, the name's quote next. */
static bool
json_member(struct json_in *in, struct json_object *o)
{
	struct str name = STR_INIT, text = STR_INIT;
	struct json_member *m;
	enum json_type type;

	if (!json_string(in, &name))
		goto fail;
	/* A name holds no NUL (json_unicode refuses \u0000). */
	if (json_find(o, str_cstr(&name)) != NULL) {
		json_fail(in, "duplicate member name");
		goto fail;
	}
	json_ws(in);
	if (json_peek(in) != ':') {
		json_fail(in, "expected ':'");
		goto fail;
	}
	in->pos++;
	if (!json_value(in, 1, &type, &text))
		goto fail;
	if (o->n >= JSON_MAX_MEMBERS) {
		json_fail(in, "too many members");
		goto fail;
	}
	o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
	m = &o->v[o->n++];
	m->name = str_detach(&name);
	m->type = type;
	m->value = type == JSON_STRING || type == JSON_NUMBER ?
	    str_detach(&text) : NULL;
	str_free_secret(&text);
	return true;
fail:
	str_free(&name);
	str_free_secret(&text);
	return false;
}

int
json_object_parse(const char *buf, size_t len, struct json_object *out,
    struct str *err)
{
	struct json_in in = { buf, len, 0, err, false };

	out->v = NULL;
	out->n = 0;
	json_ws(&in);
	if (json_peek(&in) != '{') {
		json_fail(&in, "not an object");
		return JSON_EINVAL;
	}
	in.pos++;
	json_ws(&in);
	if (json_peek(&in) == '}')
		in.pos++;
	else
		for (;;) {
			if (json_peek(&in) != '"') {
				json_fail(&in, "expected a member name");
				goto fail;
			}
			if (!json_member(&in, out))
				goto fail;
			json_ws(&in);
			if (json_peek(&in) == '}') {
				in.pos++;
				break;
			}
			if (json_peek(&in) != ',') {
				json_fail(&in, "expected ',' or '}'");
				goto fail;
			}
			in.pos++;
			json_ws(&in);
		}
	json_ws(&in);
	if (in.pos == len)
		return JSON_OK;
	json_fail(&in, "text after the object");
fail:
	json_object_free(out);
	return JSON_EINVAL;
}

void
json_object_free(struct json_object *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].name);
		if (o->v[i].value != NULL) {
			util_wipe(o->v[i].value, strlen(o->v[i].value));
			free(o->v[i].value);
		}
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

bool
json_has(const struct json_object *o, const char *name)
{
	return json_find(o, name) != NULL;
}

const char *
json_get_string(const struct json_object *o, const char *name)
{
	const struct json_member *m = json_find(o, name);

	return m != NULL && m->type == JSON_STRING ? m->value : NULL;
}

bool
json_get_uint(const struct json_object *o, const char *name,
    unsigned long long *out)
{
	const struct json_member *m = json_find(o, name);
	unsigned long long v = 0;
	size_t i, n;

	if (m == NULL || (m->type != JSON_NUMBER && m->type != JSON_STRING))
		return false;
	n = strlen(m->value);
	if (n == 0 || n > 18)
		return false;
	for (i = 0; i < n; i++) {
		if (m->value[i] < '0' || m->value[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(m->value[i] - '0');
	}
	*out = v;
	return true;
}

void
json_append_string(struct str *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	str_appendc(out, '"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			str_appendc(out, '\\');
			str_appendc(out, c);
		} else if (c < 0x20 || c == 0x7f) {
			str_appendz(out, "\\u00");
			str_appendc(out, hex[c >> 4]);
			str_appendc(out, hex[c & 15]);
		} else
			str_appendc(out, c);
	}
	str_appendc(out, '"');
}
