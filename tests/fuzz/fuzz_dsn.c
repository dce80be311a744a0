/*
 * Fuzz target for lib/dsn.c: whatever a server replied and whatever the
 * original header held, the notice stays well formed.  Input: recipient,
 * reply lines, original header and reason, separated by NUL bytes.
 * Checked: no CR, NUL or other control byte but LF and TAB; the boundary
 * occurs only where dsn.c put it (its parameter, three delimiters and the
 * close); the delivery-status part is ASCII except a utf-8 Final-Recipient.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "fuzz.h"

/* The next NUL-separated piece of the input, as a C string. */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += nul ? n + 1 : n;
	return s;
}

static size_t
occurs(const struct str *s, const char *needle)
{
	const char *p = str_cstr(s);
	size_t n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void
check(const struct str *out)
{
	struct str d = STR_INIT;
	const char *b, *e, *part, *end, *line;
	size_t i;

	for (i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->data[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			abort();
	}
	if ((b = strstr(str_cstr(out), "boundary=\"")) == NULL)
		abort();
	b += strlen("boundary=\"");
	if ((e = strchr(b, '"')) == NULL || e == b)
		abort();
	str_append(&d, b, (size_t)(e - b));
	if (occurs(out, str_cstr(&d)) != 5)
		abort();
	str_reset(&d);
	str_appendz(&d, "\n--");
	str_append(&d, b, (size_t)(e - b));
	str_appendz(&d, "\nContent-Description: Delivery report\n");
	if ((part = strstr(str_cstr(out), str_cstr(&d))) == NULL)
		abort();
	part += d.len;
	if ((end = strstr(part, "\n--")) == NULL)
		abort();
	for (line = part; line < end; line = strchr(line, '\n') + 1) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, "Final-Recipient: utf-8; ", 24) == 0)
			continue;
		for (; line < nl; line++)
			if ((unsigned char)*line > 0x7f)
				abort();
	}
	str_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct smtp_reply reply;
	struct str out = STR_INIT, hdr = STR_INIT, err = STR_INIT;
	struct dsn_report r;
	struct dsn_rcpt rc;
	char *addr = piece(&p, end), *lines = piece(&p, end);
	char *header = piece(&p, end), *why = piece(&p, end);
	char *l, *next;
	bool ok = true;

	smtp_reply_init(&reply);
	for (l = lines; ok && *l != '\0'; l = next) {
		next = strchr(l, '\n');
		next = next ? next + 1 : l + strlen(l);
		(void)smtp_reply_feed(&reply, l, (size_t)(next - l), &err);
		ok = err.len == 0;
	}
	str_setz(&hdr, header);
	rc.addr = addr;
	rc.reply = ok && reply.code != 0 ? &reply : NULL;
	rc.why = why;
	memset(&r, 0, sizeof(r));
	r.host = "fuzz.example.org";
	r.queue_id = "FUZZ1";
	r.to = "app@example.org";
	r.remote = "relay.example.net";
	r.envid = why;
	r.given_up = size % 2;
	r.rcpts = &rc;
	r.nrcpts = 1;
	r.header = &hdr;
	dsn_build(&r, &out);
	check(&out);

	smtp_reply_free(&reply);
	str_free(&out);
	str_free(&hdr);
	str_free(&err);
	free(addr);
	free(lines);
	free(header);
	free(why);
	return 0;
}
