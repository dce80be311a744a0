/*
 * http - one HTTPS POST of a form, for the OAuth2 token endpoint, through
 * libcurl.  libcurl (with its thirty-odd libraries) is loaded with
 * dlopen() on the first request, never before: a message sent with a
 * password pays nothing for it, and the setgid binary links no more than
 * it did.
 *
 * Rules: https:// only; no redirects, no proxy (the environment's proxy
 * variables are not read: the privileged helper has none), no cookies, no
 * netrc; the peer's certificate and name verified against ca_file, else
 * the system store; TLS 1.2 at least; the whole exchange bounded by
 * timeout_ms; an answer over HTTP_MAX_BODY bytes is refused.  err never
 * holds the request or the answer (both carry secrets), only what failed
 * and where.
 */
#ifndef SMTPGATE_HTTP_H
#define SMTPGATE_HTTP_H

#include <stddef.h>

#include "str.h"

enum {
	HTTP_OK = 0,		/* an answer came, whatever its status */
	HTTP_ETEMP,		/* no answer: connect, TLS, timeout, size */
	HTTP_EUNAVAIL		/* libcurl cannot be loaded */
};

#define HTTP_MAX_BODY	(256 * 1024)

struct http_request {
	const char *url;
	const char *body;	/* application/x-www-form-urlencoded */
	size_t	body_len;
	const char *ca_file;	/* NULL: the system store */
	unsigned timeout_ms;
};

struct http_response {
	long	status;
	struct str body;
};

void	http_response_init(struct http_response *rs);
/* Wipes the body: it may hold tokens. */
void	http_response_free(struct http_response *rs);
int	http_post_form(const struct http_request *rq, struct http_response *rs,
	    struct str *err);
/* Append "name=value" (with '&' between pairs), form-encoded. */
void	http_form_append(struct str *body, const char *name, const char *value);

#endif
