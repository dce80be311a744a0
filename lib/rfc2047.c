/*
 * rfc2047 - encoded words.  See rfc2047.h.
 *
 * Decoding is one pass.  Scanning for the end of an encoded word stops at
 * the first '?' after the charset and encoding, and encoded text holds no
 * '?', so no byte is scanned as text by two candidate words: the pass is
 * linear even on input made of nothing but "=?".
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "base64.h"
#include "rfc2047.h"

/* Longer charset names ("=?" then 64 bytes without '?') are not words. */
#define RFC2047_CHARSET_MAX 64

enum rfc2047_charset {
	CS_UTF8,
	CS_ASCII,
	CS_LATIN1,
	CS_OTHER
};

bool
rfc2047_needs_encoding(const char *s, size_t len)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f)
			return true;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return true;
	}
	return false;
}

void
rfc2047_encode(const char *s, size_t len, struct str *out)
{
	/* "=?UTF-8?B?" and "?=" leave 63 characters: 15 groups, 45 bytes. */
	const size_t max = (RFC2047_WORD_MAX - 12) / 4 * 3;
	size_t off = 0, n;

	while (off < len) {
		n = len - off < max ? len - off : max;
		/* Back off to the start of a UTF-8 sequence, if there is one. */
		if (off + n < len) {
			size_t k = n;

			while (k > 0 && ((unsigned char)s[off + k] & 0xc0) == 0x80)
				k--;
			if (k > 0 && n - k < 4)
				n = k;
		}
		if (off > 0)
			str_appendc(out, ' ');
		str_appendz(out, "=?UTF-8?B?");
		base64_encode(s + off, n, out);
		str_appendz(out, "?=");
		off += n;
	}
}

static enum rfc2047_charset
rfc2047_charset(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum rfc2047_charset cs;
	} names[] = {
		{ "utf-8", CS_UTF8 }, { "utf8", CS_UTF8 },
		{ "us-ascii", CS_ASCII }, { "ascii", CS_ASCII },
		{ "iso-8859-1", CS_LATIN1 }, { "iso8859-1", CS_LATIN1 },
		{ "latin1", CS_LATIN1 },
	};
	const char *star;
	size_t i;

	/* RFC 2231 section 5: "charset*language". */
	if ((star = memchr(name, '*', len)) != NULL)
		len = (size_t)(star - name);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    strncasecmp(names[i].name, name, len) == 0)
			return names[i].cs;
	return CS_OTHER;
}

static int
rfc2047_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 2047 section 4.2: '_' is a space, "=XX" a byte. */
static bool
rfc2047_q_decode(const char *s, size_t len, struct str *out)
{
	unsigned char c;
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '_') {
			str_appendc(out, ' ');
		} else if (c == '=') {
			if (i + 2 >= len)
				return false;
			if ((hi = rfc2047_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = rfc2047_hex((unsigned char)s[i + 2])) < 0)
				return false;
			str_appendc(out, hi << 4 | lo);
			i += 2;
		} else if (c > 0x20 && c < 0x7f) {
			str_appendc(out, c);
		} else {
			return false;
		}
	}
	return true;
}

static void
rfc2047_latin1(const struct str *in, struct str *out)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < in->len; i++) {
		c = (unsigned char)in->data[i];
		if (c < 0x80) {
			str_appendc(out, c);
		} else {
			str_appendc(out, 0xc0 | c >> 6);
			str_appendc(out, 0x80 | (c & 0x3f));
		}
	}
}

/* Decode text in charset cs, appending UTF-8 to out. */
static bool
rfc2047_text(enum rfc2047_charset cs, char enc, const char *text,
    size_t len, struct str *out)
{
	struct str raw = STR_INIT;
	bool ok;
	size_t i;

	if (enc == 'B' || enc == 'b')
		ok = base64_decode(text, len, &raw);
	else if (enc == 'Q' || enc == 'q')
		ok = rfc2047_q_decode(text, len, &raw);
	else
		ok = false;
	if (ok && cs == CS_ASCII) {
		for (i = 0; i < raw.len; i++)
			if ((unsigned char)raw.data[i] >= 0x80)
				ok = false;
	}
	if (ok && cs == CS_LATIN1)
		rfc2047_latin1(&raw, out);
	else if (ok)
		str_appends(out, &raw);
	str_free(&raw);
	return ok;
}

/*
 * If s starts with an encoded word we can decode, append its text to out
 * and return its length; otherwise return 0.
 */
static size_t
rfc2047_word(const char *s, size_t len, struct str *out)
{
	size_t cs_end, text, end;
	enum rfc2047_charset cs;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	for (cs_end = 2; cs_end < len && s[cs_end] != '?'; cs_end++)
		if (cs_end - 2 >= RFC2047_CHARSET_MAX ||
		    (unsigned char)s[cs_end] <= ' ')
			return 0;
	if (cs_end == 2 || cs_end + 2 >= len || s[cs_end + 2] != '?')
		return 0;
	text = cs_end + 3;
	for (end = text; end < len && s[end] != '?'; end++)
		if ((unsigned char)s[end] <= ' ' || (unsigned char)s[end] >= 0x7f)
			return 0;
	if (end + 1 >= len || s[end + 1] != '=')
		return 0;
	cs = rfc2047_charset(s + 2, cs_end - 2);
	if (cs == CS_OTHER ||
	    !rfc2047_text(cs, s[cs_end + 1], s + text, end - text, out))
		return 0;
	return end + 2;
}

static bool
rfc2047_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A run of adjacent encoded words is kept only as a whole: valid UTF-8
 * (a sequence may be split across words by broken encoders) and no NUL,
 * CR or LF.  Otherwise the words go out as they were written.
 */
static void
rfc2047_flush(const struct str *run, const char *raw, size_t rawlen,
    struct str *out)
{
	if (str_utf8_valid(run->data, run->len) && !str_has_crlfnul(run))
		str_appends(out, run);
	else
		str_append(out, raw, rawlen);
}

void
rfc2047_decode(const char *s, size_t len, struct str *out)
{
	struct str run = STR_INIT;
	size_t i = 0, plain = 0, run_start = 0, n;
	bool in_run = false;

	if (len == 0)		/* s may be NULL, as an empty str's data is */
		return;
	while (i < len) {
		if (s[i] == '=' && (n = rfc2047_word(s + i, len - i, &run)) > 0) {
			if (!in_run) {
				str_append(out, s + plain, i - plain);
				run_start = i;
				in_run = true;
			}
			/* White space since the last word is dropped. */
			i += n;
			plain = i;
			continue;
		}
		if (in_run && rfc2047_lwsp(s[i])) {
			i++;
			continue;
		}
		if (in_run) {
			rfc2047_flush(&run, s + run_start, plain - run_start, out);
			str_reset(&run);
			in_run = false;
		}
		i++;
	}
	if (in_run)
		rfc2047_flush(&run, s + run_start, plain - run_start, out);
	str_append(out, s + plain, len - plain);
	str_free(&run);
}
