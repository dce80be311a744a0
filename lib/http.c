/*
 * http - an HTTPS POST through libcurl, loaded on first use; see http.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "dynlib.h"
#include "http.h"
#include "util.h"

/* The unit tests compile this file again with a library that is not
   there. */
#ifndef HTTP_SONAME
#define HTTP_SONAME	SMTPGATE_LIBCURL_SONAME
#endif

/* The functions we use, resolved from the library by name. */
struct http_curl {
	CURLcode (*global_init)(long);
	CURL   *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void	(*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void	(*slist_free_all)(struct curl_slist *);
};

static const struct dynlib_sym http_syms[] = {
	{ "curl_global_init", offsetof(struct http_curl, global_init) },
	{ "curl_easy_init", offsetof(struct http_curl, easy_init) },
	{ "curl_easy_setopt", offsetof(struct http_curl, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct http_curl, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct http_curl, easy_getinfo) },
	{ "curl_easy_cleanup", offsetof(struct http_curl, easy_cleanup) },
	{ "curl_easy_strerror", offsetof(struct http_curl, easy_strerror) },
	{ "curl_slist_append", offsetof(struct http_curl, slist_append) },
	{ "curl_slist_free_all", offsetof(struct http_curl, slist_free_all) },
};

static struct http_curl http_curl;
static bool http_loaded;
static pthread_mutex_t http_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
http_open(struct str *err)
{
	struct http_curl c;

	if (!dynlib_load(HTTP_SONAME, http_syms,
	    sizeof(http_syms) / sizeof(http_syms[0]), &c, sizeof(c), err)) {
		str_appendz(err, "; install the libcurl4 package");
		return false;
	}
	if (c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		str_appendf(err, "%s: curl_global_init failed", HTTP_SONAME);
		return false;
	}
	http_curl = c;
	return true;
}

static bool
http_load(struct str *err)
{
	bool ok;

	pthread_mutex_lock(&http_lock);
	if (!(ok = http_loaded))
		ok = http_loaded = http_open(err);
	pthread_mutex_unlock(&http_lock);
	return ok;
}

void
http_response_init(struct http_response *rs)
{
	rs->status = 0;
	str_init(&rs->body);
}

void
http_response_free(struct http_response *rs)
{
	str_free_secret(&rs->body);
	rs->status = 0;
}

struct http_sink {
	struct str *body;
	bool	over;
};

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_sink *k = arg;

	if (size != 1 || k->body->len + n > HTTP_MAX_BODY) {
		k->over = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR; its
				   size is always 1 */
	}
	str_append(k->body, p, n);
	return n;
}

/* Every option of every request; false names the one refused. */
static bool
http_setup(CURL *h, const struct http_request *rq, struct curl_slist *hdrs,
    struct http_sink *k, char *errbuf, const char **bad)
{
	const struct http_curl *c = &http_curl;
	long ms = rq->timeout_ms > 0 ? (long)rq->timeout_ms : 30000L;

#define HTTP_SET(opt, val) \
	if (c->easy_setopt(h, opt, val) != CURLE_OK) { *bad = #opt; \
		return false; }
	HTTP_SET(CURLOPT_URL, rq->url);
	HTTP_SET(CURLOPT_PROTOCOLS_STR, "https");
	HTTP_SET(CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_SET(CURLOPT_PROXY, "");
	HTTP_SET(CURLOPT_NOSIGNAL, 1L);
	HTTP_SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	HTTP_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (rq->ca_file != NULL) {
		HTTP_SET(CURLOPT_CAINFO, rq->ca_file);
		HTTP_SET(CURLOPT_CAPATH, (char *)NULL);
	}
	HTTP_SET(CURLOPT_TIMEOUT_MS, ms);
	HTTP_SET(CURLOPT_CONNECTTIMEOUT_MS, ms);
	HTTP_SET(CURLOPT_POST, 1L);
	HTTP_SET(CURLOPT_POSTFIELDS, rq->body);
	HTTP_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	HTTP_SET(CURLOPT_HTTPHEADER, hdrs);
	HTTP_SET(CURLOPT_USERAGENT, "smtpgate/" PACKAGE_VERSION);
	HTTP_SET(CURLOPT_WRITEFUNCTION, http_write);
	HTTP_SET(CURLOPT_WRITEDATA, k);
	HTTP_SET(CURLOPT_ERRORBUFFER, errbuf);
#undef HTTP_SET
	return true;
}

int
http_post_form(const struct http_request *rq, struct http_response *rs,
    struct str *err)
{
	const struct http_curl *c = &http_curl;
	struct curl_slist *hdrs = NULL, *h2;
	struct http_sink k = { &rs->body, false };
	char errbuf[CURL_ERROR_SIZE];
	const char *bad = NULL;
	CURLcode cc;
	CURL *h;
	int rc = HTTP_ETEMP;

	str_reset(&rs->body);
	rs->status = 0;
	if (strncmp(rq->url, "https://", 8) != 0) {
		str_appendf(err, "%s: not an https:// URL", rq->url);
		return HTTP_ETEMP;
	}
	if (!http_load(err))
		return HTTP_EUNAVAIL;
	if ((h = c->easy_init()) == NULL) {
		str_appendz(err, "curl_easy_init failed");
		return HTTP_ETEMP;
	}
	errbuf[0] = '\0';
	if ((h2 = c->slist_append(hdrs, "Content-Type: "
	    "application/x-www-form-urlencoded")) != NULL)
		hdrs = h2;
	if ((h2 = c->slist_append(hdrs, "Accept: application/json")) != NULL)
		hdrs = h2;
	if (!http_setup(h, rq, hdrs, &k, errbuf, &bad))
		str_appendf(err, "%s: libcurl refused option %s", rq->url, bad);
	else if ((cc = c->easy_perform(h)) != CURLE_OK) {
		str_appendf(err, "%s: ", rq->url);
		if (k.over)
			str_appendf(err, "the answer is over %d bytes",
			    HTTP_MAX_BODY);
		else
			str_appendz(err, errbuf[0] != '\0' ? errbuf :
			    c->easy_strerror(cc));
	} else if (c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status) !=
	    CURLE_OK || rs->status < 100)
		str_appendf(err, "%s: no HTTP status", rq->url);
	else
		rc = HTTP_OK;
	c->easy_cleanup(h);
	c->slist_free_all(hdrs);
	if (rc != HTTP_OK)
		str_free_secret(&rs->body);
	return rc;
}

void
http_form_append(struct str *body, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = { name, value };
	unsigned char ch;
	size_t i;

	if (body->len > 0)
		str_appendc(body, '&');
	for (i = 0; i < 2; i++) {
		if (i == 1)
			str_appendc(body, '=');
		for (; (ch = (unsigned char)*parts[i]) != '\0'; parts[i]++) {
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' &&
			    ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			    strchr("-._~", ch) != NULL)
				str_appendc(body, ch);
			else if (ch == ' ')
				str_appendc(body, '+');
			else {
				str_appendc(body, '%');
				str_appendc(body, hex[ch >> 4]);
				str_appendc(body, hex[ch & 15]);
			}
		}
	}
}
