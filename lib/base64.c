/*
 * base64 - RFC 4648 base64.  See base64.h.
 */
#include "config.h"

#include "base64.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
base64_encode(const void *data, size_t len, struct str *out)
{
	const unsigned char *p = data;
	unsigned long v;
	size_t i;

	str_reserve(out, (len + 2) / 3 * 4);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		str_appendc(out, base64_alphabet[v >> 18 & 63]);
		str_appendc(out, base64_alphabet[v >> 12 & 63]);
		str_appendc(out, base64_alphabet[v >> 6 & 63]);
		str_appendc(out, base64_alphabet[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned long)p[i] << 16;
		str_appendc(out, base64_alphabet[v >> 18 & 63]);
		str_appendc(out, base64_alphabet[v >> 12 & 63]);
		str_appendz(out, "==");
	} else if (len - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		str_appendc(out, base64_alphabet[v >> 18 & 63]);
		str_appendc(out, base64_alphabet[v >> 12 & 63]);
		str_appendc(out, base64_alphabet[v >> 6 & 63]);
		str_appendc(out, '=');
	}
}

static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
base64_decode(const char *text, size_t len, struct str *out)
{
	size_t start = out->len, i, pad = 0;
	unsigned long v;
	int d[4], k;

	if (len % 4 != 0)
		return false;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)text[i + k];

			/* Padding only in the last group, only at its end. */
			if (c == '=' && i + 4 == len && k >= 2 &&
			    (k == 3 || text[i + 3] == '=')) {
				d[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (d[k] = base64_value(c)) < 0)
				goto bad;
		}
		v = (unsigned long)d[0] << 18 | (unsigned long)d[1] << 12 |
		    (unsigned long)d[2] << 6 | (unsigned long)d[3];
		/* Non-zero bits under the padding: not canonical. */
		if ((pad == 1 && (v & 0xff) != 0) ||
		    (pad == 2 && (v & 0xffff) != 0))
			goto bad;
		str_appendc(out, (int)(v >> 16 & 0xff));
		if (pad < 2)
			str_appendc(out, (int)(v >> 8 & 0xff));
		if (pad < 1)
			str_appendc(out, (int)(v & 0xff));
	}
	return true;
bad:
	str_truncate(out, start);
	return false;
}
