/*
 * Fuzz target for lib/oauth2.c: the first byte picks the text, the rest is
 * it.  0: a token file, which once parsed must format and parse back to
 * the same tokens.  1-3: a token endpoint answer with HTTP status 200, 400
 * or 503; a token it accepts must be a bearer token (oauth2_token_ok).
 * Else: a device authorization answer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "oauth2.h"
#include "str.h"

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

static void
fuzz_file(const char *p, size_t n)
{
	struct oauth2_tokens t, u;
	struct str err = STR_INIT, text = STR_INIT;

	if (oauth2_tokens_parse(p, n, &t, &err) == OAUTH2_OK) {
		oauth2_tokens_format(&t, &text);
		if (oauth2_tokens_parse(text.data, text.len, &u, &err) !=
		    OAUTH2_OK || !same(t.client_id, u.client_id) ||
		    !same(t.token_url, u.token_url) ||
		    !same(t.refresh, u.refresh) || !same(t.access, u.access) ||
		    t.expires_at != u.expires_at ||
		    t.refreshed_at != u.refreshed_at ||
		    t.forced_at != u.forced_at)
			abort();
		oauth2_tokens_free(&u);
	}
	oauth2_tokens_free(&t);
	str_free(&err);
	str_free(&text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 400, 503 };
	struct oauth2_tokens t;
	struct oauth2_device d;
	struct str err = STR_INIT, code = STR_INIT;
	const char *p = (const char *)data + 1;

	if (size == 0)
		return 0;
	if (data[0] == 0)
		fuzz_file(p, size - 1);
	else if (data[0] <= 3) {
		memset(&t, 0, sizeof(t));
		if (oauth2_answer(status[data[0] - 1], p, size - 1, 1000, &t,
		    &code, &err) == OAUTH2_OK && (t.access == NULL ||
		    !oauth2_token_ok(t.access, strlen(t.access))))
			abort();
		oauth2_tokens_free(&t);
	} else {
		if (oauth2_device_parse(200, p, size - 1, &d, &err) ==
		    OAUTH2_OK && (d.device_code == NULL || d.uri == NULL ||
		    strncmp(d.uri, "https://", 8) != 0))
			abort();
		oauth2_device_free(&d);
	}
	str_free(&err);
	str_free(&code);
	return 0;
}
