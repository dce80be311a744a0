/*
 * oauth2_flow - the token life cycle on disk and on the wire: read and
 * replace the token file, hold its lock, ask the token endpoint.  The
 * rules are in oauth2.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "http.h"
#include "log.h"
#include "oauth2.h"
#include "util.h"

#define OAUTH2_LOCK_EXTRA_MS	10000
#define OAUTH2_SLOW_DOWN	5

bool
oauth2_login_init(struct oauth2_login *l, const struct cfg *cfg,
    const struct cfg_relay *r, const struct cfg_account *a)
{
	const struct cfg_oauth2 *o = a != NULL ? &a->oauth2 : &r->oauth2;
	struct str s = STR_INIT;

	if (o->client_id == NULL)
		return false;
	memset(l, 0, sizeof(*l));
	l->o = o;
	str_appendf(&s, a != NULL ? "account %s" : "relay %s",
	    a != NULL ? a->address : r->name);
	l->name = str_detach(&s);
	str_appendf(&s, a != NULL ? "--account %s" : "--relay %s",
	    a != NULL ? a->address : r->name);
	l->again = str_detach(&s);
	l->ca_file = r->tls_ca_file;
	l->timeout_ms = r->timeout * 1000u;
	l->foreign = cfg->trusted ? NULL : cfg->path;
	return true;
}

void
oauth2_login_free(struct oauth2_login *l)
{
	free(l->name);
	free(l->again);
	l->name = l->again = NULL;
}

static long long
oauth2_now(void)
{
	return util_now_ms() / 1000;
}

static void
oauth2_sleep_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Where path's directory is, split: dir (owned by the caller) and the
   last component. */
static char *
oauth2_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL) {
		*base = path;
		return xstrdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return xstrdup("/");
	dir = xstrdup(path);
	dir[slash - path] = '\0';
	return dir;
}

/* A token file's mode: 0660 in a set-group-ID (shared) directory. */
static mode_t
oauth2_mode(int dfd)
{
	struct stat st;

	return fstat(dfd, &st) == 0 && (st.st_mode & S_ISGID) ? 0660 : 0600;
}

static int
oauth2_read(const char *path, struct oauth2_tokens *t, struct str *err)
{
	struct str text = STR_INIT, why = STR_INIT;
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd, rc = OAUTH2_ECONFIG;

	memset(t, 0, sizeof(*t));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		str_appendf(err, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? OAUTH2_EGRANT : OAUTH2_ECONFIG;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > OAUTH2_MAX_FILE) {
		str_appendf(err, "%s: not a regular file of at most %d bytes",
		    path, OAUTH2_MAX_FILE);
		close(fd);
		return OAUTH2_ECONFIG;
	}
	if (st.st_mode & S_IROTH)
		log_warning("%s is readable by every user: chmod o-rwx %s",
		    path, path);
	while ((n = read(fd, buf, sizeof(buf))) > 0 &&
	    text.len + (size_t)n <= OAUTH2_MAX_FILE)
		str_append(&text, buf, (size_t)n);
	util_wipe(buf, sizeof(buf));
	if (n != 0)
		str_appendf(err, "%s: %s", path, n < 0 ? strerror(errno) :
		    "too large");
	else if ((rc = oauth2_tokens_parse(text.data ? text.data : "",
	    text.len, t, &why)) != OAUTH2_OK)
		str_appendf(err, "%s: %s", path, str_cstr(&why));
	if (n != 0)
		rc = OAUTH2_ECONFIG;
	close(fd);
	str_free_secret(&text);
	str_free(&why);
	return rc;
}

/* Replace the token file: a new file beside it, fsync, rename. */
static int
oauth2_write(const char *path, const struct oauth2_tokens *t,
    struct str *err)
{
	struct str text = STR_INIT, tmp = STR_INIT;
	const char *base;
	char *dir = oauth2_dir(path, &base);
	int dfd, fd = -1, rc = OAUTH2_ECONFIG;
	mode_t mode;
	size_t off = 0;
	ssize_t n;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		str_appendf(err, "%s: %s", dir, strerror(errno));
		free(dir);
		return OAUTH2_ECONFIG;
	}
	mode = oauth2_mode(dfd);
	str_appendf(&tmp, ".%s.%ld.tmp", base, (long)getpid());
	(void)unlinkat(dfd, str_cstr(&tmp), 0);
	oauth2_tokens_format(t, &text);
	fd = openat(dfd, str_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1 || fchmod(fd, mode) != 0) {
		str_appendf(err, "%s/%s: %s", dir, str_cstr(&tmp),
		    strerror(errno));
		goto out;
	}
	while (off < text.len && (n = write(fd, text.data + off,
	    text.len - off)) > 0)
		off += (size_t)n;
	if (off < text.len || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		str_appendf(err, "%s: cannot write: %s", path, strerror(errno));
		(void)unlinkat(dfd, str_cstr(&tmp), 0);
		goto out;
	}
	fd = -1;
	if (renameat(dfd, str_cstr(&tmp), dfd, base) != 0) {
		str_appendf(err, "%s: %s", path, strerror(errno));
		(void)unlinkat(dfd, str_cstr(&tmp), 0);
		goto out;
	}
	(void)fsync(dfd);
	rc = OAUTH2_OK;
out:
	if (fd != -1)
		close(fd);
	close(dfd);
	free(dir);
	str_free_secret(&text);
	str_free(&tmp);
	return rc;
}

/* "<file>.lock", held: refreshes one at a time. */
static int
oauth2_lock(const char *path, unsigned wait_ms, int *fdp, struct str *err)
{
	struct str lk = STR_INIT;
	const char *base;
	char *dir = oauth2_dir(path, &base);
	long long deadline = util_mono_ms() + wait_ms + OAUTH2_LOCK_EXTRA_MS;
	mode_t mode = 0600;
	int fd, dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		mode = oauth2_mode(dfd);
		close(dfd);
	}
	free(dir);
	str_appendf(&lk, "%s.lock", path);
	fd = open(str_cstr(&lk), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		str_appendf(err, "%s: %s", str_cstr(&lk), strerror(errno));
		str_free(&lk);
		return OAUTH2_ECONFIG;
	}
	(void)fchmod(fd, mode);		/* a umask of the caller's */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    util_mono_ms() >= deadline) {
			str_appendf(err, "%s: %s", str_cstr(&lk),
			    errno == EWOULDBLOCK ? "another sender holds it "
			    "too long" : strerror(errno));
			close(fd);
			str_free(&lk);
			return OAUTH2_ETEMP;
		}
		oauth2_sleep_ms(50);
	}
	str_free(&lk);
	*fdp = fd;
	return OAUTH2_OK;
}

static bool
oauth2_usable(const struct oauth2_tokens *t, long long now,
    const char *refused)
{
	return t->access != NULL && t->expires_at - now > OAUTH2_MARGIN &&
	    (refused == NULL || strcmp(t->access, refused) != 0);
}

/* The file's tokens belong to the configured client and endpoint. */
static int
oauth2_same_client(const struct oauth2_login *l,
    const struct oauth2_tokens *t, struct str *err)
{
	if (strcmp(t->client_id, l->o->client_id) == 0 &&
	    strcmp(t->token_url, l->o->token_url) == 0)
		return OAUTH2_OK;
	str_appendf(err, "%s: the tokens were issued for another "
	    "oauth2_client_id or oauth2_token_url", l->o->token_file);
	return OAUTH2_EGRANT;
}

/* Read the tokens and check they are this login's. */
static int
oauth2_load(const struct oauth2_login *l, struct oauth2_tokens *t,
    struct str *err)
{
	int rc;

	if ((rc = oauth2_read(l->o->token_file, t, err)) == OAUTH2_OK &&
	    (rc = oauth2_same_client(l, t, err)) != OAUTH2_OK)
		oauth2_tokens_free(t);
	return rc;
}

/* One POST to the token or device endpoint. */
static int
oauth2_post(const struct oauth2_login *l, const char *url,
    const struct str *body, struct http_response *rs, struct str *err)
{
	struct http_request rq;
	int rc;

	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	rq.body = body->data ? body->data : "";
	rq.body_len = body->len;
	rq.ca_file = l->ca_file;
	rq.timeout_ms = l->timeout_ms;
	rc = http_post_form(&rq, rs, err);
	return rc == HTTP_OK ? OAUTH2_OK : rc == HTTP_EUNAVAIL ?
	    OAUTH2_ECONFIG : OAUTH2_ETEMP;
}

/* client_id and, for a confidential client, client_secret. */
static int
oauth2_client(const struct oauth2_login *l, struct str *body,
    struct str *err)
{
	struct str secret = STR_INIT, why = STR_INIT;

	http_form_append(body, "client_id", l->o->client_id);
	if (l->o->client_secret_file == NULL)
		return OAUTH2_OK;
	if (cfg_read_secret(l->o->client_secret_file, &secret, &why) !=
	    CFG_OK) {
		str_appendf(err, "oauth2_client_secret_file %s: %s",
		    l->o->client_secret_file, str_cstr(&why));
		str_free(&why);
		return OAUTH2_ECONFIG;
	}
	http_form_append(body, "client_secret", str_cstr(&secret));
	str_free_secret(&secret);
	str_free(&why);
	return OAUTH2_OK;
}

/* The refresh grant; t is updated on success. */
static int
oauth2_refresh(const struct oauth2_login *l, struct oauth2_tokens *t,
    struct str *err)
{
	struct str body = STR_INIT, code = STR_INIT;
	struct http_response rs;
	int rc;

	memset(&rs, 0, sizeof(rs));
	str_init(&rs.body);
	http_form_append(&body, "grant_type", "refresh_token");
	http_form_append(&body, "refresh_token", t->refresh);
	if ((rc = oauth2_client(l, &body, err)) == OAUTH2_OK) {
		if (l->o->scope != NULL)
			http_form_append(&body, "scope", l->o->scope);
		if ((rc = oauth2_post(l, l->o->token_url, &body, &rs, err)) ==
		    OAUTH2_OK)
			rc = oauth2_answer(rs.status, rs.body.data ?
			    rs.body.data : "", rs.body.len, oauth2_now(), t,
			    &code, err);
	}
	if (rc == OAUTH2_OK)
		rc = oauth2_write(l->o->token_file, t, err);
	http_response_free(&rs);
	str_free_secret(&body);
	str_free(&code);
	return rc;
}

/*
 * Root and a configuration root does not control: its oauth2_token_file
 * could name any file, which a refresh would replace as root.
 */
static bool
oauth2_root_refuses(const struct oauth2_login *l, struct str *err)
{
	if (l->foreign == NULL || geteuid() != 0)
		return false;
	str_appendf(err, "%s is not root's alone (owned by another user, or "
	    "writable by others), so root does not touch its token file %s: "
	    "use a configuration owned by root and writable by no one else, "
	    "or run this as the user who owns it", l->foreign,
	    l->o->token_file);
	return true;
}

/* The text that ends every "sign in again". */
static void
oauth2_again(const struct oauth2_login *l, int rc, struct str *err)
{
	if (rc == OAUTH2_EGRANT)
		str_appendf(err, "; sign in again: run smtpgate-sendmail "
		    "--oauth2-login %s", l->again);
}

static void
oauth2_step(struct str *step, const char *what, const struct oauth2_tokens *t,
    long long now)
{
	if (step != NULL)
		str_appendf(step, "%s, %lld s left", what, t->expires_at - now);
}

int
oauth2_token(const struct oauth2_login *l, const char *refused,
    struct str *access, struct str *step, struct str *err)
{
	struct oauth2_tokens t;
	struct str why = STR_INIT;
	long long now = oauth2_now();
	int rc, lfd = -1;

	memset(&t, 0, sizeof(t));
	if (oauth2_root_refuses(l, &why)) {
		rc = OAUTH2_ECONFIG;
		goto done;
	}
	if ((rc = oauth2_load(l, &t, &why)) == OAUTH2_OK &&
	    oauth2_usable(&t, now, refused)) {
		oauth2_step(step, "cached", &t, now);
		goto done;
	}
	if (rc != OAUTH2_OK)
		goto done;	/* no tokens, or not this client's */
	oauth2_tokens_free(&t);
	if ((rc = oauth2_lock(l->o->token_file, l->timeout_ms, &lfd, &why)) !=
	    OAUTH2_OK || (rc = oauth2_load(l, &t, &why)) != OAUTH2_OK)
		goto done;
	now = oauth2_now();
	if (oauth2_usable(&t, now, refused)) {
		oauth2_step(step, "refreshed by another sender", &t, now);
		goto done;
	}
	if (refused != NULL && t.access != NULL &&
	    strcmp(t.access, refused) == 0) {
		if (now - t.forced_at < OAUTH2_MIN_FORCED) {
			str_appendf(&why, "the server refused the access token, "
			    "and one was renewed for that %lld s ago: check "
			    "that the mailbox may use SMTP AUTH and that "
			    "oauth2_scope allows sending", now - t.forced_at);
			rc = OAUTH2_ECONFIG;
			goto done;
		}
		t.forced_at = now;
	}
	if ((rc = oauth2_refresh(l, &t, &why)) == OAUTH2_OK)
		oauth2_step(step, "refreshed", &t, oauth2_now());
done:
	if (rc == OAUTH2_OK)
		str_setz(access, t.access);
	else {
		str_appendf(err, "%s: OAuth2: ", l->name);
		str_appends(err, &why);
		oauth2_again(l, rc, err);
	}
	if (lfd != -1)
		close(lfd);
	oauth2_tokens_free(&t);
	str_free(&why);
	return rc;
}

/* One poll of the device grant: OAUTH2_OK with t, or the endpoint's code. */
static int
oauth2_poll(const struct oauth2_login *l, const struct oauth2_device *d,
    struct oauth2_tokens *t, struct str *code, struct str *err)
{
	struct str body = STR_INIT;
	struct http_response rs;
	int rc;

	memset(&rs, 0, sizeof(rs));
	str_init(&rs.body);
	http_form_append(&body, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code");
	http_form_append(&body, "device_code", d->device_code);
	if ((rc = oauth2_client(l, &body, err)) == OAUTH2_OK &&
	    (rc = oauth2_post(l, l->o->token_url, &body, &rs, err)) ==
	    OAUTH2_OK)
		rc = oauth2_answer(rs.status, rs.body.data ? rs.body.data : "",
		    rs.body.len, oauth2_now(), t, code, err);
	http_response_free(&rs);
	str_free_secret(&body);
	return rc;
}

/* Ask for a device code and tell the user where to use it. */
static int
oauth2_device_start(const struct oauth2_login *l, struct oauth2_device *d,
    FILE *out, struct str *err)
{
	struct str body = STR_INIT;
	struct http_response rs;
	int rc;

	memset(d, 0, sizeof(*d));
	memset(&rs, 0, sizeof(rs));
	str_init(&rs.body);
	/* A confidential client authenticates here too (RFC 8628 3.1). */
	if ((rc = oauth2_client(l, &body, err)) != OAUTH2_OK) {
		str_free_secret(&body);
		return rc;
	}
	if (l->o->scope != NULL)
		http_form_append(&body, "scope", l->o->scope);
	if ((rc = oauth2_post(l, l->o->device_url, &body, &rs, err)) ==
	    OAUTH2_OK)
		rc = oauth2_device_parse(rs.status, rs.body.data ?
		    rs.body.data : "", rs.body.len, d, err);
	http_response_free(&rs);
	str_free_secret(&body);
	if (rc != OAUTH2_OK)
		return rc;
	fprintf(out, "To sign in for %s, open this page in a browser:\n"
	    "    %s\n"
	    "and enter the code:\n"
	    "    %s\n"
	    "The code is valid for %llu minutes.  Waiting for the sign-in...\n",
	    l->name, d->uri, d->user_code, (d->expires_in + 59) / 60);
	fflush(out);
	return OAUTH2_OK;
}

int
oauth2_device_login(const struct oauth2_login *l, FILE *out,
    struct str *err)
{
	struct oauth2_device d;
	struct oauth2_tokens t;
	struct str why = STR_INIT, code = STR_INIT;
	long long deadline, interval;
	int rc, lfd = -1;

	memset(&t, 0, sizeof(t));
	if (oauth2_root_refuses(l, err))
		return OAUTH2_ECONFIG;
	if (l->o->device_url == NULL) {
		str_appendf(err, "%s: OAuth2: no oauth2_device_url to sign in "
		    "with: set it, or preset = office365 or gmail", l->name);
		return OAUTH2_ECONFIG;
	}
	if ((rc = oauth2_device_start(l, &d, out, &why)) != OAUTH2_OK)
		goto done;
	deadline = util_mono_ms() + (long long)d.expires_in * 1000;
	interval = (long long)d.interval;
	for (;;) {
		if (util_mono_ms() + interval * 1000 > deadline) {
			str_appendz(&why, "the code expired before the sign-in "
			    "ended; run --oauth2-login again");
			rc = OAUTH2_EEXPIRED;
			goto done;
		}
		oauth2_sleep_ms(interval * 1000);
		str_reset(&code);
		str_reset(&why);
		rc = oauth2_poll(l, &d, &t, &code, &why);
		if (rc == OAUTH2_OK || (!str_eq(&code, "authorization_pending") &&
		    !str_eq(&code, "slow_down")))
			break;
		if (str_eq(&code, "slow_down"))
			interval += OAUTH2_SLOW_DOWN;
	}
	if (rc != OAUTH2_OK)
		goto done;
	if (t.refresh == NULL) {
		str_appendz(&why, "the token endpoint issued no refresh token: "
		    "oauth2_scope needs offline_access (Microsoft)");
		rc = OAUTH2_ECONFIG;
		goto done;
	}
	t.client_id = xstrdup(l->o->client_id);
	t.token_url = xstrdup(l->o->token_url);
	if ((rc = oauth2_lock(l->o->token_file, l->timeout_ms, &lfd, &why)) ==
	    OAUTH2_OK && (rc = oauth2_write(l->o->token_file, &t, &why)) ==
	    OAUTH2_OK) {
		fprintf(out, "signed in: tokens stored in %s\n",
		    l->o->token_file);
		fflush(out);
	}
done:
	if (rc != OAUTH2_OK) {
		str_appendf(err, "%s: OAuth2 sign-in: ", l->name);
		str_appends(err, &why);
	}
	if (lfd != -1)
		close(lfd);
	oauth2_device_free(&d);
	oauth2_tokens_free(&t);
	str_free(&why);
	str_free(&code);
	return rc;
}
