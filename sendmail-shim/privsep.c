/*
 * privsep - the privileged helper of the setgid smtpgate-sendmail and the
 * calls the main process makes to it.  See privsep.h; the packets are in
 * privsep_wire.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "bulk.h"
#include "cfg.h"
#include "log.h"
#include "oauth2.h"
#include "pace.h"
#include "privsep.h"
#include "secret.h"
#include "spool.h"

/* ---- Both ends ---------------------------------------------------------- */

static int
privsep_send(int fd, uint32_t type, const struct privsep_field *f, size_t n,
    int pass_fd)
{
	union {
		struct cmsghdr hdr;
		char	buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct str pkt = STR_INIT;
	struct msghdr mh;
	struct iovec iov;
	ssize_t r;

	if (!privsep_encode(type, f, n, &pkt))
		return -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = pkt.data;
	iov.iov_len = pkt.len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (pass_fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), &pass_fd, sizeof(int));
	}
	while ((r = sendmsg(fd, &mh, MSG_NOSIGNAL)) == -1 && errno == EINTR)
		;
	/* The packet may hold a secret. */
	util_wipe(pkt.data, pkt.len);
	str_free(&pkt);
	return r == (ssize_t)iov.iov_len ? 0 : -1;
}

/*
 * One packet into buf, decoded into m; a descriptor that came with it
 * into *got (or closed when got is NULL).  0 on success, 1 at the end of
 * the stream, -1 on error (why says which).
 */
static int
privsep_recv(int fd, struct str *buf, struct privsep_msg *m, int *got,
    struct str *why)
{
	union {
		struct cmsghdr hdr;
		char	buf[CMSG_SPACE(sizeof(int) * 4)];
	} cm;
	struct cmsghdr *c;
	struct msghdr mh;
	struct iovec iov;
	ssize_t r;
	int rc = 0;

	if (got != NULL)
		*got = -1;
	str_reset(buf);
	str_reserve(buf, PRIVSEP_MAX_PACKET + 1);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf->data;
	iov.iov_len = PRIVSEP_MAX_PACKET + 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	while ((r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return 1;
	if (r < 0) {
		str_appendf(why, "receive: %s", strerror(errno));
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int dfd;

			memcpy(&dfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got != NULL && *got == -1)
				*got = dfd;
			else
				close(dfd);	/* not asked for */
		}
	}
	buf->len = (size_t)r;
	buf->data[r] = '\0';
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		str_appendz(why, "packet or descriptors cut short");
		rc = -1;
	} else if (!privsep_decode(buf->data, buf->len, m, why))
		rc = -1;
	if (rc != 0 && got != NULL && *got != -1) {
		close(*got);
		*got = -1;
	}
	return rc;
}

/* ---- The helper --------------------------------------------------------- */

enum privsep_state { HELD_OPEN, HELD_QUEUED, HELD_GONE };

/* A message this helper created (OPEN until committed) or locked for its
   caller (QUEUED): env is the envelope as last written. */
struct privsep_held {
	char   *id;
	struct spool_msg m;	/* open until committed */
	struct spool_env env;
	enum privsep_state state;
};

struct privsep_server {
	const struct cfg *cfg;
	int	fd;
	struct spool sp;
	bool	sp_open;
	uid_t	uid;			/* the caller's real user id */
	bool	all;			/* root or the group: every message */
	struct privsep_held *held;
	size_t	nheld;
	struct str env;			/* ENV_PARTs so far */
	bool	env_over;
};

/* Root, or a member of the group this helper holds. */
static bool
privsep_caller_all(void)
{
	gid_t g = getegid(), *groups;
	int n, i;
	bool in = getuid() == 0 || getgid() == g;

	if (in || (n = getgroups(0, NULL)) <= 0)
		return in;
	groups = xcalloc((size_t)n, sizeof(*groups));
	n = getgroups(n, groups);
	for (i = 0; i < n && !in; i++)
		in = groups[i] == g;
	free(groups);
	return in;
}

static bool
privsep_may_see(const struct privsep_server *sv, const struct spool_env *e)
{
	return sv->all || e->owner == sv->uid || sv->cfg->mailq_shows_all;
}

static struct privsep_held *
privsep_held_find(struct privsep_server *sv, const struct privsep_field *f,
    enum privsep_state want, struct str *err)
{
	size_t i;

	for (i = 0; i < sv->nheld; i++)
		if (strlen(sv->held[i].id) == f->len &&
		    memcmp(sv->held[i].id, f->p, f->len) == 0 &&
		    sv->held[i].state == want)
			return &sv->held[i];
	str_appendf(err, "queue id %.*s: not a message this process %s",
	    (int)f->len, (const char *)f->p, want == HELD_OPEN ?
	    "is writing" : "has queued or locked");
	return NULL;
}

static struct privsep_held *
privsep_held_add(struct privsep_server *sv, const char *id, struct str *err)
{
	struct privsep_held *h;

	if (sv->nheld >= PRIVSEP_MAX_IDS) {
		str_appendz(err, "too many messages for one process");
		return NULL;
	}
	sv->held = xreallocarray(sv->held, sv->nheld + 1, sizeof(*sv->held));
	h = &sv->held[sv->nheld++];
	memset(h, 0, sizeof(*h));
	h->m.fd = -1;
	h->id = xstrdup(id);
	spool_env_init(&h->env);
	return h;
}

/* The envelope of ENV_PARTs for id: parsed, and naming id. */
static int
privsep_env_take(struct privsep_server *sv, const char *id,
    struct spool_env *e, struct str *err)
{
	int rc;

	spool_env_init(e);
	if (sv->env_over || sv->env.len == 0) {
		str_appendz(err, sv->env_over ? "envelope too large" :
		    "no envelope");
		rc = SPOOL_EINVAL;
	} else if ((rc = spool_env_parse(sv->env.data, sv->env.len, e, err)) ==
	    SPOOL_OK && strcmp(e->id, id) != 0) {
		str_appendf(err, "envelope names message %s, not %s", e->id,
		    id);
		spool_env_free(e);
		rc = SPOOL_EINVAL;
	}
	str_free(&sv->env);
	sv->env_over = false;
	return rc;
}

/*
 * A rewrite after an attempt: what was done leaves, nothing comes in.
 * The sender stays, every recipient was there before, and what the
 * message is (owner, arrival, size, body type, DSN) is kept from the old
 * envelope; only the retry state is the caller's to set.
 */
static int
privsep_env_update(const struct spool_env *old, struct spool_env *e,
    struct str *err)
{
	size_t i;

	if (strcmp(old->env.sender, e->env.sender) != 0) {
		str_appendz(err, "a rewrite may not change the sender");
		return SPOOL_EINVAL;
	}
	for (i = 0; i < e->env.rcpts.n; i++) {
		if (strvec_find(&old->env.rcpts, e->env.rcpts.v[i]) ==
		    old->env.rcpts.n) {
			str_appendz(err, "a rewrite may not add a recipient");
			return SPOOL_EINVAL;
		}
	}
	e->owner = old->owner;
	e->created = old->created;
	e->hdr_len = old->hdr_len;
	e->env.size = old->env.size;
	e->env.eight_bit = old->env.eight_bit;
	e->env.smtputf8 = old->env.smtputf8;
	envelope_set_dsn(&e->env, old->env.dsn_notify, old->env.dsn_ret,
	    old->env.dsn_envid);
	return SPOOL_OK;
}

/*
 * What the caller wrote into a new message is within [queue]
 * max_message_size: the reader refuses more, and so does the helper, on
 * the file itself.
 */
static int
privsep_size_ok(const struct privsep_server *sv, const struct spool_msg *m,
    struct str *err)
{
	struct stat st;

	if (fstat(m->fd, &st) != 0) {
		str_appendf(err, "queue file: %s", strerror(errno));
		return SPOOL_EIO;
	}
	if (sv->cfg->max_message_size != 0 &&
	    (unsigned long long)st.st_size > sv->cfg->max_message_size) {
		str_appendf(err, "message of %lld bytes: over [queue] "
		    "max_message_size", (long long)st.st_size);
		return SPOOL_EINVAL;
	}
	return SPOOL_OK;
}

/* Text into an anonymous file, rewound: how a reply carries more than a
   packet holds. */
static int
privsep_memfd(const struct str *text, struct str *err)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = memfd_create("smtpgate", MFD_CLOEXEC)) == -1) {
		str_appendf(err, "memfd_create: %s", strerror(errno));
		return -1;
	}
	while (off < text->len) {
		n = write(fd, text->data + off, text->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			str_appendf(err, "memfd: %s", strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* LIST: the ids the caller may see into an fd, the rest counted. */
static int
privsep_do_list(struct privsep_server *sv, int *pass, uint32_t *hidden,
    struct str *err)
{
	struct str text = STR_INIT, lerr = STR_INIT;
	struct spool_env e;
	struct strvec ids = STRVEC_INIT;
	size_t i;
	int rc;

	*hidden = 0;
	if ((rc = spool_list(&sv->sp, &ids, NULL, err)) != SPOOL_OK) {
		strvec_free(&ids);
		return rc;
	}
	for (i = 0; i < ids.n; i++) {
		bool see = sv->all || sv->cfg->mailq_shows_all;

		if (!see && spool_env_read(&sv->sp, ids.v[i], &e, &lerr) ==
		    SPOOL_OK) {
			see = privsep_may_see(sv, &e);
			spool_env_free(&e);
		}
		str_reset(&lerr);
		if (see)
			str_appendf(&text, "%s\n", ids.v[i]);
		else
			(*hidden)++;
	}
	strvec_free(&ids);
	if ((*pass = privsep_memfd(&text, err)) == -1)
		rc = SPOOL_EIO;
	str_free(&text);
	str_free(&lerr);
	return rc;
}

/* LOCK: a queued message of the caller's, locked for it. */
static int
privsep_do_lock(struct privsep_server *sv, const char *id, int *pass,
    struct str *err)
{
	struct privsep_held *h;
	struct spool_msg m;
	struct spool_env e;
	int rc;

	if ((rc = spool_lock(&sv->sp, id, &m, err)) != SPOOL_OK)
		return rc;
	if ((rc = spool_env_read(&sv->sp, id, &e, err)) != SPOOL_OK) {
		spool_release(&m);
		return rc;
	}
	if (!sv->all && e.owner != sv->uid) {
		str_appendf(err, "queue id %s: not a message of yours", id);
		rc = SPOOL_EPERM;
	} else if ((h = privsep_held_add(sv, id, err)) == NULL)
		rc = SPOOL_EIO;
	else {
		h->env = e;
		spool_env_init(&e);
		h->state = HELD_QUEUED;
		/* The caller's copy of the descriptor keeps the lock. */
		*pass = dup(m.fd);
		if (*pass == -1) {
			str_appendf(err, "dup: %s", strerror(errno));
			h->state = HELD_GONE;
			rc = SPOOL_EIO;
		}
	}
	spool_env_free(&e);
	spool_release(&m);
	return rc;
}

/* ENV_READ: an envelope the caller may see, as text in an fd. */
static int
privsep_do_env_read(struct privsep_server *sv, const char *id, int *pass,
    struct str *err)
{
	struct str text = STR_INIT;
	struct spool_env e;
	int rc;

	if ((rc = spool_env_read(&sv->sp, id, &e, err)) != SPOOL_OK)
		return rc;
	if (!privsep_may_see(sv, &e)) {
		str_appendf(err, "queue id %s: not a message of yours", id);
		rc = SPOOL_EPERM;
	} else if ((rc = spool_env_format(&e, &text, err)) == SPOOL_OK &&
	    (*pass = privsep_memfd(&text, err)) == -1)
		rc = SPOOL_EIO;
	spool_env_free(&e);
	str_free(&text);
	return rc;
}

static int
privsep_do_spool(struct privsep_server *sv, const struct privsep_msg *m,
    int *pass, uint32_t *count, struct str *err)
{
	struct privsep_held *h;
	struct spool_env e;
	unsigned long long need;
	char id[65] = "";
	int rc;

	if (m->nfields > 0) {
		memcpy(id, m->f[0].p, m->f[0].len);	/* checked: 1..64 */
		id[m->f[0].len] = '\0';
	}
	if (!sv->sp_open) {
		if ((rc = spool_open(&sv->sp, sv->cfg->queue_dir, err)) !=
		    SPOOL_OK)
			return rc;
		sv->sp_open = true;
	}
	switch (m->type) {
	case PRIVSEP_LIST:
		return privsep_do_list(sv, pass, count, err);
	case PRIVSEP_LOCK:
		return privsep_do_lock(sv, id, pass, err);
	case PRIVSEP_ENV_READ:
		return privsep_do_env_read(sv, id, pass, err);
	case PRIVSEP_CREATE:
		/* The limit is this helper's own; only the size is the
		   caller's. */
		memcpy(&need, m->f[1].p, sizeof(need));
		sv->sp.min_free = sv->cfg->min_free_space;
		sv->sp.need = need;
		if ((h = privsep_held_add(sv, id, err)) == NULL)
			return SPOOL_EIO;
		if ((rc = spool_create(&sv->sp, id, &h->m, err)) != SPOOL_OK) {
			h->state = HELD_GONE;
			return rc;
		}
		h->state = HELD_OPEN;
		*pass = h->m.fd;
		return SPOOL_OK;
	case PRIVSEP_COMMIT:
		if ((h = privsep_held_find(sv, &m->f[0], HELD_OPEN, err)) == NULL)
			return SPOOL_EINVAL;
		if ((rc = privsep_env_take(sv, id, &e, err)) != SPOOL_OK)
			return rc;
		if ((rc = privsep_size_ok(sv, &h->m, err)) != SPOOL_OK) {
			spool_env_free(&e);
			return rc;
		}
		if ((rc = spool_commit(&sv->sp, &h->m, &e, err)) == SPOOL_OK) {
			/* The main process's descriptor keeps the lock. */
			spool_release(&h->m);
			e.owner = getuid();	/* as spool_commit() wrote */
			h->env = e;
			h->state = HELD_QUEUED;
		} else
			spool_env_free(&e);
		return rc;
	case PRIVSEP_ENV_WRITE:
		if ((h = privsep_held_find(sv, &m->f[0], HELD_QUEUED, err)) ==
		    NULL)
			return SPOOL_EINVAL;
		if ((rc = privsep_env_take(sv, id, &e, err)) != SPOOL_OK)
			return rc;
		if ((rc = privsep_env_update(&h->env, &e, err)) == SPOOL_OK &&
		    (rc = spool_env_write(&sv->sp, &e, err)) == SPOOL_OK) {
			spool_env_free(&h->env);
			h->env = e;
		} else
			spool_env_free(&e);
		return rc;
	case PRIVSEP_REMOVE:
		if ((h = privsep_held_find(sv, &m->f[0], HELD_QUEUED, err)) ==
		    NULL)
			return SPOOL_EINVAL;
		if ((rc = spool_remove(&sv->sp, id, err)) == SPOOL_OK)
			h->state = HELD_GONE;
		return rc;
	case PRIVSEP_ABANDON:
		if ((h = privsep_held_find(sv, &m->f[0], HELD_OPEN, err)) == NULL)
			return SPOOL_EINVAL;
		spool_abandon(&sv->sp, &h->m);
		h->state = HELD_GONE;
		return SPOOL_OK;
	}
	return SPOOL_EINVAL;
}

/*
 * An access token for a relay's or an account's OAuth2 login: the helper
 * does the whole refresh, so the refresh token and the client secret stay
 * with the group.  The reply: what was done, a newline, the token.
 */
static int
privsep_do_oauth2(struct privsep_server *sv, const struct privsep_msg *m,
    struct str *out, struct str *err)
{
	const struct cfg *cfg = sv->cfg;
	const struct cfg_account *a = NULL;
	const struct cfg_relay *r;
	struct oauth2_login l;
	struct str refused = STR_INIT, step = STR_INIT, token = STR_INIT;
	uint32_t idx = privsep_u32(&m->f[1]);
	int rc;

	if (privsep_u32(&m->f[0]) == PRIVSEP_ACCOUNT) {
		if (idx >= cfg->naccounts) {
			str_appendz(err, "no such account");
			return OAUTH2_ECONFIG;
		}
		a = &cfg->accounts[idx];
		r = a->relay_ptr;
	} else if (idx >= cfg->nrelays) {
		str_appendz(err, "no such relay");
		return OAUTH2_ECONFIG;
	} else
		r = &cfg->relays[idx];
	if (r == NULL || !oauth2_login_init(&l, cfg, r, a)) {
		str_appendz(err, "that login has no oauth2_client_id");
		return OAUTH2_ECONFIG;
	}
	str_append(&refused, m->f[2].p, m->f[2].len);
	rc = oauth2_token(&l, refused.len > 0 ? str_cstr(&refused) : NULL,
	    &token, &step, err);
	if (rc == OAUTH2_OK) {
		str_appends(out, &step);
		str_appendc(out, '\n');
		str_appends(out, &token);
	}
	oauth2_login_free(&l);
	str_free_secret(&refused);
	str_free_secret(&token);
	str_free(&step);
	return rc;
}

/* One request; false when the main process broke the protocol. */
static bool
privsep_handle(struct privsep_server *sv, const struct privsep_msg *m)
{
	struct str out = STR_INIT, err = STR_INIT;
	struct privsep_field f[2];
	uint32_t rc32, idx, count = 0;
	int rc = SPOOL_OK, pass = -1, pfd = -1;
	bool ok;

	switch (m->type) {
	case PRIVSEP_ENV_PART:
		if (sv->env.len + m->f[0].len > PRIVSEP_MAX_ENV)
			sv->env_over = true;
		else
			str_append(&sv->env, m->f[0].p, m->f[0].len);
		return true;
	case PRIVSEP_SECRET:
		idx = privsep_u32(&m->f[1]);
		if (privsep_u32(&m->f[0]) == PRIVSEP_DEFAULT)
			rc = secret_get(sv->cfg->password_file,
			    sv->cfg->password_command, &out, &err);
		else if (privsep_u32(&m->f[0]) == PRIVSEP_RELAY ?
		    idx >= sv->cfg->nrelays : idx >= sv->cfg->naccounts) {
			str_appendz(&err, "no such relay or account");
			rc = SECRET_EFAIL;
		} else if (privsep_u32(&m->f[0]) == PRIVSEP_RELAY)
			rc = secret_get(sv->cfg->relays[idx].password_file,
			    sv->cfg->relays[idx].password_command, &out, &err);
		else
			rc = secret_get(sv->cfg->accounts[idx].password_file,
			    sv->cfg->accounts[idx].password_command, &out,
			    &err);
		break;
	case PRIVSEP_OAUTH2:
		rc = privsep_do_oauth2(sv, m, &out, &err);
		break;
	case PRIVSEP_PACE:
		idx = privsep_u32(&m->f[0]);
		if (idx >= sv->cfg->nrelays) {
			str_appendz(&err, "no such relay");
			rc = PACE_EIO;
		} else if ((rc = pace_open(sv->cfg->queue_dir,
		    sv->cfg->relays[idx].name, &pfd, &err)) == PACE_OK)
			pass = pfd;
		break;
	case PRIVSEP_BULK:
		/* Its own queue directory's, never a path the caller gave. */
		if ((rc = bulk_open(sv->cfg->queue_dir, &pfd, &err)) ==
		    BULK_OK)
			pass = pfd;
		break;
	default:
		rc = privsep_do_spool(sv, m, &pfd, &count, &err);
		pass = pfd;
		if (m->type == PRIVSEP_LIST && rc == SPOOL_OK)
			str_append(&out, &count, sizeof(count));
		if (m->type == PRIVSEP_CREATE)
			pfd = -1;	/* the held message's own */
		break;
	}
	/* ENV_PARTs belong to the one request that follows them, used or
	   refused. */
	str_free(&sv->env);
	sv->env_over = false;
	rc32 = (uint32_t)rc;
	f[0].p = (const uint8_t *)&rc32;
	f[0].len = sizeof(rc32);
	f[1].p = (const uint8_t *)(rc == 0 ? out.data : err.data);
	f[1].len = rc == 0 ? out.len : err.len;
	if (f[1].len > PRIVSEP_MAX_PACKET - 32)
		f[1].len = PRIVSEP_MAX_PACKET - 32;
	ok = privsep_send(sv->fd, PRIVSEP_REPLY, f, 2, rc == 0 ? pass : -1) ==
	    0;
	if (pfd != -1)
		close(pfd);
	str_free_secret(&out);
	str_free(&err);
	return ok;
}

static void
privsep_serve(const struct cfg *cfg, int fd)
{
	struct privsep_server sv;
	struct str buf = STR_INIT, why = STR_INIT;
	struct privsep_msg m;
	size_t i;
	int r;

	memset(&sv, 0, sizeof(sv));
	sv.cfg = cfg;
	sv.fd = fd;
	sv.uid = getuid();
	sv.all = privsep_caller_all();
	for (;;) {
		r = privsep_recv(fd, &buf, &m, NULL, &why);
		if (r == 1)
			break;
		if (r != 0 || !privsep_check(&m, &why)) {
			log_error("privileged helper: bad request: %s",
			    str_cstr(&why));
			break;
		}
		if (!privsep_handle(&sv, &m))
			break;
		util_wipe(buf.data, buf.len);
	}
	/* Whatever was left half-written is thrown away. */
	for (i = 0; i < sv.nheld; i++) {
		if (sv.held[i].state == HELD_OPEN)
			spool_abandon(&sv.sp, &sv.held[i].m);
		spool_env_free(&sv.held[i].env);
		free(sv.held[i].id);
	}
	free(sv.held);
	if (sv.sp_open)
		spool_close(&sv.sp);
	str_free(&sv.env);
	str_free_secret(&buf);
	str_free(&why);
}

int
privsep_start(const struct cfg *cfg, gid_t gid, struct privsep *ps,
    struct str *err)
{
	int sv[2], nul;
	pid_t pid;

	ps->fd = -1;
	ps->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		str_appendf(err, "socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		str_appendf(err, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* The group back, and nothing of the caller's but stderr
		   (password_command speaks there) and the socket, at fd 3.
		   A working directory of the caller's is no place to run
		   anything from. */
		closelog();
		/* Nothing of the caller's environment reaches the token
		   endpoint's HTTPS client (proxies, key log files) or
		   password_command (which gets its own). */
		(void)clearenv();
		nul = open("/dev/null", O_RDWR);
		if ((gid != (gid_t)-1 && (setegid(gid) != 0 ||
		    getegid() != gid)) || chdir("/") != 0 ||
		    nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(sv[1], 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
			_exit(1);	/* password_command must not get fd 3 */
		closefrom(4);
		privsep_serve(cfg, 3);
		_exit(0);
	}
	close(sv[1]);
	ps->fd = sv[0];
	ps->pid = pid;
	return 0;
}

void
privsep_stop(struct privsep *ps)
{
	int status;

	if (ps->fd != -1)
		close(ps->fd);
	ps->fd = -1;
	if (ps->pid > 0)
		while (waitpid(ps->pid, &status, 0) == -1 && errno == EINTR)
			;
	ps->pid = -1;
}

/* ---- The main process's calls ------------------------------------------ */

/*
 * One request, one reply: the helper's code (-1 if the helper is gone or
 * answered nonsense), its text into out on success, into err otherwise.
 */
static int
privsep_call(struct privsep *ps, uint32_t type, const struct privsep_field *f,
    size_t n, struct str *out, int *fdp, struct str *err)
{
	struct str buf = STR_INIT, why = STR_INIT;
	struct privsep_msg m;
	int rc = -1, fd = -1;

	if (fdp != NULL)
		*fdp = -1;
	if (ps->fd == -1 || privsep_send(ps->fd, type, f, n, -1) != 0)
		str_appendf(&why, "send: %s", strerror(errno));
	else if (privsep_recv(ps->fd, &buf, &m, &fd, &why) != 0)
		;
	else if (m.type != PRIVSEP_REPLY || m.nfields != 2 ||
	    privsep_u32(&m.f[0]) > SPOOL_EINVAL)
		str_appendz(&why, "not a reply");
	else if ((rc = (int)privsep_u32(&m.f[0])) == 0) {
		if (out != NULL)
			str_append(out, m.f[1].p, m.f[1].len);
		if (fdp != NULL) {
			*fdp = fd;
			fd = -1;
		}
	} else
		str_append_escaped(err, m.f[1].p, m.f[1].len);
	if (rc == -1)
		str_appendf(err, "the privileged helper failed (%s)",
		    str_cstr(&why));
	if (fd != -1)
		close(fd);
	str_free_secret(&buf);
	str_free(&why);
	return rc;
}

int
privsep_secret(struct privsep *ps, int kind, size_t index, struct str *out,
    struct str *err)
{
	struct privsep_field f[2];
	uint32_t k = (uint32_t)kind, i = (uint32_t)index;
	int rc;

	f[0].p = (const uint8_t *)&k;
	f[0].len = sizeof(k);
	f[1].p = (const uint8_t *)&i;
	f[1].len = sizeof(i);
	rc = privsep_call(ps, PRIVSEP_SECRET, f, 2, out, NULL, err);
	if (rc != 0) {
		str_free_secret(out);
		return SECRET_EFAIL;
	}
	return SECRET_OK;
}

int
privsep_oauth2(struct privsep *ps, int kind, size_t index,
    const char *refused, struct str *token, struct str *step,
    struct str *err)
{
	struct privsep_field f[3];
	struct str out = STR_INIT;
	uint32_t k = (uint32_t)kind, i = (uint32_t)index;
	const char *nl;
	int rc;

	f[0].p = (const uint8_t *)&k;
	f[0].len = sizeof(k);
	f[1].p = (const uint8_t *)&i;
	f[1].len = sizeof(i);
	f[2].p = (const uint8_t *)(refused ? refused : "");
	f[2].len = refused ? strlen(refused) : 0;
	rc = privsep_call(ps, PRIVSEP_OAUTH2, f, 3, &out, NULL, err);
	if (rc == OAUTH2_OK && (out.data == NULL ||
	    (nl = memchr(out.data, '\n', out.len)) == NULL ||
	    !oauth2_token_ok(nl + 1, out.len - (size_t)(nl + 1 - out.data)))) {
		str_appendz(err, "the privileged helper sent no usable token");
		rc = OAUTH2_ECONFIG;
	}
	if (rc == OAUTH2_OK) {
		if (step != NULL)
			str_append(step, out.data, (size_t)(nl - out.data));
		str_set(token, nl + 1, out.len - (size_t)(nl + 1 - out.data));
	} else if (rc < 0)
		rc = OAUTH2_ETEMP;
	str_free_secret(&out);
	return rc;
}

static int
privsep_id_call(struct privsep *ps, uint32_t type, const char *id, int *fdp,
    struct str *err)
{
	struct privsep_field f;
	int rc;

	f.p = (const uint8_t *)id;
	f.len = strlen(id);
	rc = privsep_call(ps, type, &f, 1, NULL, fdp, err);
	return rc < 0 ? SPOOL_EIO : rc;
}

int
privsep_create(struct privsep *ps, const char *id, unsigned long long need,
    int *fd, struct str *err)
{
	struct privsep_field f[2];
	int rc;

	f[0].p = (const uint8_t *)id;
	f[0].len = strlen(id);
	f[1].p = (const uint8_t *)&need;
	f[1].len = sizeof(need);
	rc = privsep_call(ps, PRIVSEP_CREATE, f, 2, NULL, fd, err);
	if (rc < 0)
		rc = SPOOL_EIO;

	if (rc == SPOOL_OK && *fd == -1) {
		str_appendz(err, "the privileged helper sent no queue file");
		rc = SPOOL_EIO;
	}
	return rc;
}

/* The envelope text in ENV_PARTs, then the request that uses it. */
static int
privsep_env_call(struct privsep *ps, uint32_t type, const char *id,
    const struct str *env, struct str *err)
{
	struct privsep_field f;
	size_t off;

	for (off = 0; off < env->len; off += f.len) {
		f.p = (const uint8_t *)env->data + off;
		f.len = env->len - off < PRIVSEP_ENV_CHUNK ? env->len - off :
		    PRIVSEP_ENV_CHUNK;
		if (privsep_send(ps->fd, PRIVSEP_ENV_PART, &f, 1, -1) != 0) {
			str_appendf(err, "the privileged helper failed (send: "
			    "%s)", strerror(errno));
			return SPOOL_EIO;
		}
	}
	return privsep_id_call(ps, type, id, NULL, err);
}

int
privsep_commit(struct privsep *ps, const char *id, const struct str *env,
    struct str *err)
{
	return privsep_env_call(ps, PRIVSEP_COMMIT, id, env, err);
}

int
privsep_env_write(struct privsep *ps, const char *id, const struct str *env,
    struct str *err)
{
	return privsep_env_call(ps, PRIVSEP_ENV_WRITE, id, env, err);
}

int
privsep_remove(struct privsep *ps, const char *id, struct str *err)
{
	return privsep_id_call(ps, PRIVSEP_REMOVE, id, NULL, err);
}

void
privsep_abandon(struct privsep *ps, const char *id)
{
	struct str err = STR_INIT;

	(void)privsep_id_call(ps, PRIVSEP_ABANDON, id, NULL, &err);
	str_free(&err);
}

int
privsep_pace(struct privsep *ps, size_t relay, int *fd, struct str *err)
{
	struct privsep_field f;
	uint32_t i = (uint32_t)relay;

	f.p = (const uint8_t *)&i;
	f.len = sizeof(i);
	return privsep_call(ps, PRIVSEP_PACE, &f, 1, NULL, fd, err) == 0 &&
	    *fd != -1 ? PACE_OK : PACE_EIO;
}

int
privsep_bulk(struct privsep *ps, int *fd, struct str *err)
{
	return privsep_call(ps, PRIVSEP_BULK, NULL, 0, NULL, fd, err) == 0 &&
	    *fd != -1 ? BULK_OK : BULK_EIO;
}

int
privsep_list(struct privsep *ps, int *fd, size_t *hidden, struct str *err)
{
	struct str out = STR_INIT;
	uint32_t n = 0;
	int rc;

	*hidden = 0;
	rc = privsep_call(ps, PRIVSEP_LIST, NULL, 0, &out, fd, err);
	if (rc == 0 && (out.len != sizeof(n) || *fd == -1)) {
		str_appendz(err, "the privileged helper sent no list");
		if (*fd != -1)
			close(*fd);
		*fd = -1;
		rc = SPOOL_EIO;
	} else if (rc == 0) {
		memcpy(&n, out.data, sizeof(n));
		*hidden = n;
	}
	str_free(&out);
	return rc < 0 ? SPOOL_EIO : rc;
}

int
privsep_lock(struct privsep *ps, const char *id, int *fd, struct str *err)
{
	int rc = privsep_id_call(ps, PRIVSEP_LOCK, id, fd, err);

	if (rc == SPOOL_OK && *fd == -1) {
		str_appendz(err, "the privileged helper sent no queue file");
		rc = SPOOL_EIO;
	}
	return rc;
}

int
privsep_env_read(struct privsep *ps, const char *id, int *fd, struct str *err)
{
	int rc = privsep_id_call(ps, PRIVSEP_ENV_READ, id, fd, err);

	if (rc == SPOOL_OK && *fd == -1) {
		str_appendz(err, "the privileged helper sent no envelope");
		rc = SPOOL_EIO;
	}
	return rc;
}
