/*
 * spool_fs - the queue's files: create, commit, lock, rewrite, remove,
 * list, as the direct back end (spool.h), and the public calls that check
 * their arguments and hand them to whichever back end a struct spool has.
 * Every step that makes a message durable is followed by fsync() of the
 * file and of the directory that names it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "spool.h"

#define SPOOL_ORPHAN_AGE (24 * 3600)

static const struct spool_ops spool_fs_ops;

static int
spool_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return SPOOL_ENOSPC;
	case EACCES:
	case EPERM:
	case EROFS:
		return SPOOL_EPERM;
	case ENOENT:
		return SPOOL_ENOENT;
	default:
		return SPOOL_EIO;
	}
}

static int
spool_fail(struct str *err, const char *what, const char *path)
{
	int e = errno;

	str_appendf(err, "%s %s: %s", what, path, strerror(e));
	if (e == ENOSPC || e == EDQUOT)
		str_appendz(err, " (the queue's file system is full)");
	return spool_errno(e);
}

/* Queue ids are letters and digits only: no path can be smuggled in. */
bool
spool_id_ok(const char *id, struct str *err)
{
	const char *p;

	for (p = id; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')))
			break;
	if (*id != '\0' && *p == '\0' && p - id <= 64)
		return true;
	if (err != NULL)
		str_appendz(err, "invalid queue id");
	return false;
}

static void
spool_path(struct str *p, const char *sub, const char *id, const char *ext)
{
	str_reset(p);
	str_appendf(p, "%s/%s%s", sub, id, ext);
}

static int
spool_fsync_dir(struct spool *sp, const char *sub, struct str *err)
{
	int fd, rc = SPOOL_OK;

	fd = openat(sp->dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		rc = spool_fail(err, "sync of queue directory", sub);
	if (fd != -1)
		close(fd);
	return rc;
}

/* The owner and the group of st by name where there is one. */
static void
spool_owner_names(const struct stat *st, struct str *user, struct str *group)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);

	if (pw != NULL)
		str_appendz(user, pw->pw_name);
	else
		str_appendf(user, "%lu", (unsigned long)st->st_uid);
	if (gr != NULL)
		str_appendz(group, gr->gr_name);
	else
		str_appendf(group, "%lu", (unsigned long)st->st_gid);
}

/*
 * One of tmp/, msg/ and env/.  Made when missing only by the owner of the
 * queue directory (or root), and judged on the opened descriptor: the
 * queue directory's owner and group, no writing for others.  A directory of
 * anyone else's would let them rename or remove everyone's queued mail,
 * so it is refused with the command that fixes it.
 */
static int
spool_sub(int dfd, const struct stat *top, const char *dir, const char *sub,
    struct str *err)
{
	struct str user = STR_INIT, group = STR_INIT;
	struct stat st;
	uid_t me = geteuid();
	int fd, rc = SPOOL_OK;

	if ((me == top->st_uid || me == 0) && mkdirat(dfd, sub, 02770) == 0) {
		/* No umask takes the group's write away; root's new
		   directory is the queue owner's, not root's. */
		(void)fchmodat(dfd, sub, 02770, 0);
		if (me == 0)
			(void)fchownat(dfd, sub, top->st_uid, top->st_gid,
			    AT_SYMLINK_NOFOLLOW);
	}
	spool_owner_names(top, &user, &group);
	fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		str_appendf(err, "queue directory %s/%s is missing; make it as "
		    "root: install -d -o %s -g %s -m 2770 %s/%s", dir, sub,
		    str_cstr(&user), str_cstr(&group), dir, sub);
		rc = SPOOL_EPERM;
	} else if (fd == -1 || fstat(fd, &st) == -1) {
		rc = spool_fail(err, "queue directory", sub);
	} else if (st.st_uid != top->st_uid || st.st_gid != top->st_gid ||
	    (st.st_mode & S_IWOTH) != 0) {
		str_appendf(err, "queue directory %s/%s must belong to %s:%s, "
		    "as the queue directory does, and others may not write to it "
		    "(mode %04o now); as root: chown %s:%s %s/%s && chmod 2770 "
		    "%s/%s", dir, sub, str_cstr(&user), str_cstr(&group),
		    (unsigned)(st.st_mode & 07777), str_cstr(&user),
		    str_cstr(&group), dir, sub, dir, sub);
		rc = SPOOL_EPERM;
	}
	if (fd != -1)
		close(fd);
	str_free(&user);
	str_free(&group);
	return rc;
}

int
spool_open(struct spool *sp, const char *dir, struct str *err)
{
	static const char *const subs[] = { "tmp", "msg", "env" };
	struct stat top;
	size_t i;
	int rc = SPOOL_OK;

	memset(sp, 0, sizeof(*sp));
	sp->dfd = -1;
	sp->ops = &spool_fs_ops;
	/* The group (smtpgate) writes here: no umask takes that away. */
	if (mkdir(dir, 02770) == 0)
		(void)chmod(dir, 02770);
	else if (errno != EEXIST)
		return spool_fail(err, "queue directory", dir);
	sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dfd == -1)
		return spool_fail(err, "queue directory", dir);
	if (fstat(sp->dfd, &top) == -1)
		rc = spool_fail(err, "queue directory", dir);
	else if ((top.st_mode & S_IWOTH) != 0) {
		str_appendf(err, "queue directory %s: others may write to it; "
		    "as root: chmod 2770 %s", dir, dir);
		rc = SPOOL_EPERM;
	}
	for (i = 0; i < 3 && rc == SPOOL_OK; i++)
		rc = spool_sub(sp->dfd, &top, dir, subs[i], err);
	if (rc != SPOOL_OK) {
		close(sp->dfd);
		sp->dfd = -1;
		return rc;
	}
	sp->dir = xstrdup(dir);
	return SPOOL_OK;
}

static void
spool_fs_close(struct spool *sp)
{
	if (sp->dfd != -1)
		close(sp->dfd);
	free(sp->dir);
	sp->dir = NULL;
	sp->dfd = -1;
}

static int
spool_fs_create(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	struct str p = STR_INIT;
	int rc;

	if ((rc = spool_space_check(sp->dfd, sp->min_free, sp->need, err)) !=
	    SPOOL_OK)
		return rc;
	spool_path(&p, "tmp", id, ".msg");
	m->fd = openat(sp->dfd, str_cstr(&p), O_RDWR | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0640);
	if (m->fd == -1 || flock(m->fd, LOCK_EX) == -1 ||
	    (m->fp = fdopen(m->fd, "w+")) == NULL) {
		rc = spool_fail(err, "queue file", str_cstr(&p));
		if (m->fd != -1) {
			unlinkat(sp->dfd, str_cstr(&p), 0);
			close(m->fd);
			m->fd = -1;
		}
	} else
		m->id = xstrdup(id);
	str_free(&p);
	return rc;
}

/* Write, fsync and rename an envelope into env/. */
static int
spool_env_put(struct spool *sp, const struct spool_env *e, struct str *err)
{
	struct str text = STR_INIT, tmp = STR_INIT, dst = STR_INIT;
	size_t off = 0;
	ssize_t n;
	int fd, rc;

	if ((rc = spool_env_format(e, &text, err)) != SPOOL_OK)
		goto out;
	spool_path(&tmp, "tmp", e->id, ".env");
	spool_path(&dst, "env", e->id, "");
	fd = openat(sp->dfd, str_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd == -1) {
		rc = spool_fail(err, "queue file", str_cstr(&tmp));
		goto out;
	}
	while (off < text.len) {
		n = write(fd, text.data + off, text.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < text.len || fsync(fd) == -1) {
		if (off < text.len && errno == 0)
			errno = EIO;
		rc = spool_fail(err, "queue file", str_cstr(&tmp));
		close(fd);
		unlinkat(sp->dfd, str_cstr(&tmp), 0);
		goto out;
	}
	if (close(fd) == -1 || renameat(sp->dfd, str_cstr(&tmp), sp->dfd,
	    str_cstr(&dst)) == -1) {
		rc = spool_fail(err, "queue file", str_cstr(&dst));
		unlinkat(sp->dfd, str_cstr(&tmp), 0);
		goto out;
	}
	rc = spool_fsync_dir(sp, "env", err);
out:
	str_free(&text);
	str_free(&tmp);
	str_free(&dst);
	return rc;
}

static int
spool_fs_commit(struct spool *sp, struct spool_msg *m,
    const struct spool_env *e, struct str *err)
{
	struct str tmp = STR_INIT, dst = STR_INIT;
	struct spool_env owned = *e;
	int rc;

	/* Whoever writes the file vouches for the owner: the caller's
	   envelope cannot name someone else. */
	owned.owner = getuid();
	spool_path(&tmp, "tmp", m->id, ".msg");
	spool_path(&dst, "msg", m->id, "");
	if (fflush(m->fp) != 0 || fsync(m->fd) == -1) {
		rc = spool_fail(err, "queue file", str_cstr(&tmp));
		goto out;
	}
	if (renameat(sp->dfd, str_cstr(&tmp), sp->dfd, str_cstr(&dst)) == -1) {
		rc = spool_fail(err, "queue file", str_cstr(&dst));
		goto out;
	}
	if ((rc = spool_fsync_dir(sp, "msg", err)) != SPOOL_OK ||
	    (rc = spool_env_put(sp, &owned, err)) != SPOOL_OK) {
		/* Not committed: no message without its envelope. */
		unlinkat(sp->dfd, str_cstr(&dst), 0);
		goto out;
	}
	m->committed = true;
	rewind(m->fp);
out:
	str_free(&tmp);
	str_free(&dst);
	return rc;
}

static void
spool_fs_abandon(struct spool *sp, struct spool_msg *m)
{
	struct str p = STR_INIT;

	spool_path(&p, "tmp", m->id, ".msg");
	unlinkat(sp->dfd, str_cstr(&p), 0);
	str_free(&p);
}

static int
spool_fs_lock(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	struct str p = STR_INIT, envp = STR_INIT;
	struct stat st;
	int rc = SPOOL_OK;

	spool_path(&p, "msg", id, "");
	spool_path(&envp, "env", id, "");
	m->fd = openat(sp->dfd, str_cstr(&p), O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW);
	if (m->fd == -1)
		rc = spool_fail(err, "queue file", str_cstr(&p));
	else if (flock(m->fd, LOCK_EX | LOCK_NB) == -1)
		rc = errno == EWOULDBLOCK ? SPOOL_EBUSY :
		    spool_fail(err, "lock of", str_cstr(&p));
	else if (fstatat(sp->dfd, str_cstr(&envp), &st, 0) == -1)
		rc = spool_fail(err, "queue file", str_cstr(&envp));
	else if ((m->fp = fdopen(m->fd, "r")) == NULL)
		rc = spool_fail(err, "queue file", str_cstr(&p));
	if (rc != SPOOL_OK && m->fd != -1) {
		close(m->fd);
		m->fd = -1;
	}
	if (rc == SPOOL_OK) {
		m->id = xstrdup(id);
		m->committed = true;
	}
	str_free(&p);
	str_free(&envp);
	return rc;
}

int
spool_env_read_fd(int fd, const char *id, struct spool_env *e,
    struct str *err)
{
	struct str data = STR_INIT;
	char buf[8192];
	ssize_t n;
	int rc = SPOOL_OK;

	spool_env_init(e);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || data.len + (size_t)n > SPOOL_MAX_ENV) {
			if (n != -1)
				errno = EFBIG;
			rc = spool_fail(err, "envelope of", id);
			break;
		}
		str_append(&data, buf, (size_t)n);
	}
	if (rc == SPOOL_OK) {
		rc = spool_env_parse(data.data ? data.data : "", data.len, e,
		    err);
		if (rc == SPOOL_OK && strcmp(e->id, id) != 0) {
			str_appendf(err, "envelope %s names message %s",
			    id, e->id);
			spool_env_free(e);
			rc = SPOOL_EINVAL;
		}
	}
	str_free(&data);
	return rc;
}

static int
spool_fs_env_read(struct spool *sp, const char *id, struct spool_env *e,
    struct str *err)
{
	struct str p = STR_INIT;
	int fd, rc;

	spool_env_init(e);
	spool_path(&p, "env", id, "");
	if ((fd = openat(sp->dfd, str_cstr(&p), O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		rc = spool_fail(err, "queue file", str_cstr(&p));
	else {
		rc = spool_env_read_fd(fd, id, e, err);
		close(fd);
	}
	str_free(&p);
	return rc;
}

static int
spool_fs_env_write(struct spool *sp, const struct spool_env *e,
    struct str *err)
{
	return spool_env_put(sp, e, err);
}

static int
spool_fs_remove(struct spool *sp, const char *id, struct str *err)
{
	struct str p = STR_INIT;
	int rc = SPOOL_OK;

	spool_path(&p, "env", id, "");
	if (unlinkat(sp->dfd, str_cstr(&p), 0) == -1 && errno != ENOENT)
		rc = spool_fail(err, "removing", str_cstr(&p));
	else if ((rc = spool_fsync_dir(sp, "env", err)) == SPOOL_OK) {
		spool_path(&p, "msg", id, "");
		if (unlinkat(sp->dfd, str_cstr(&p), 0) == -1 && errno != ENOENT)
			rc = spool_fail(err, "removing", str_cstr(&p));
	}
	str_free(&p);
	return rc;
}

void
spool_release(struct spool_msg *m)
{
	if (m->fp != NULL)
		fclose(m->fp);
	else if (m->fd != -1)
		close(m->fd);
	m->fp = NULL;
	m->fd = -1;
	free(m->id);
	m->id = NULL;
}

static int
spool_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Old files in sub/ that nobody holds and no envelope names. */
static void
spool_sweep(struct spool *sp, const char *sub)
{
	struct str p = STR_INIT, envp = STR_INIT;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd;

	if ((fd = openat(sp->dfd, sub, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		char id[80];
		size_t n = strcspn(d->d_name, ".");

		if (d->d_name[0] == '.' || n >= sizeof(id))
			continue;
		memcpy(id, d->d_name, n);
		id[n] = '\0';
		spool_path(&p, sub, d->d_name, "");
		spool_path(&envp, "env", id, "");
		if (fstatat(sp->dfd, str_cstr(&p), &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || time(NULL) - st.st_mtime < SPOOL_ORPHAN_AGE ||
		    (strcmp(sub, "msg") == 0 && fstatat(sp->dfd,
		    str_cstr(&envp), &st, 0) == 0))
			continue;
		fd = openat(sp->dfd, str_cstr(&p), O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
		if (fd != -1 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(sp->dfd, str_cstr(&p), 0);
		if (fd != -1)
			close(fd);
	}
	closedir(dir);
	str_free(&p);
	str_free(&envp);
}

static int
spool_fs_list(struct spool *sp, struct strvec *ids, size_t *hidden,
    struct str *err)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	*hidden = 0;
	spool_sweep(sp, "tmp");
	spool_sweep(sp, "msg");
	if ((fd = openat(sp->dfd, "env", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (dir = fdopendir(fd)) == NULL) {
		int rc = spool_fail(err, "queue directory", "env");

		if (fd != -1)
			close(fd);
		return rc;
	}
	while ((d = readdir(dir)) != NULL) {
		if (spool_id_ok(d->d_name, NULL))
			strvec_push_dup(ids, d->d_name);
	}
	closedir(dir);
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(*ids->v), spool_cmp);
	return SPOOL_OK;
}

static const struct spool_ops spool_fs_ops = {
	spool_fs_create, spool_fs_commit, spool_fs_abandon, spool_fs_lock,
	spool_fs_env_read, spool_fs_env_write, spool_fs_remove, spool_fs_list,
	spool_fs_close
};

/* ---- The calls, whatever the back end --------------------------------- */

void
spool_close(struct spool *sp)
{
	if (sp->ops != NULL)
		sp->ops->close(sp);
	sp->ops = NULL;
}

int
spool_create(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!spool_id_ok(id, err))
		return SPOOL_EINVAL;
	return sp->ops->create(sp, id, m, err);
}

int
spool_commit(struct spool *sp, struct spool_msg *m, const struct spool_env *e,
    struct str *err)
{
	return sp->ops->commit(sp, m, e, err);
}

void
spool_abandon(struct spool *sp, struct spool_msg *m)
{
	if (m->id != NULL && !m->committed)
		sp->ops->abandon(sp, m);
	spool_release(m);
}

int
spool_lock(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!spool_id_ok(id, err))
		return SPOOL_EINVAL;
	return sp->ops->lock(sp, id, m, err);
}

int
spool_env_read(struct spool *sp, const char *id, struct spool_env *e,
    struct str *err)
{
	spool_env_init(e);
	if (!spool_id_ok(id, err))
		return SPOOL_EINVAL;
	return sp->ops->env_read(sp, id, e, err);
}

int
spool_env_write(struct spool *sp, const struct spool_env *e, struct str *err)
{
	if (!spool_id_ok(e->id, err))
		return SPOOL_EINVAL;
	return sp->ops->env_write(sp, e, err);
}

int
spool_remove(struct spool *sp, const char *id, struct str *err)
{
	if (!spool_id_ok(id, err))
		return SPOOL_EINVAL;
	return sp->ops->remove(sp, id, err);
}

int
spool_list(struct spool *sp, struct strvec *ids, size_t *hidden,
    struct str *err)
{
	size_t dummy;

	strvec_clear(ids);
	return sp->ops->list(sp, ids, hidden != NULL ? hidden : &dummy, err);
}

long long
spool_next_try(const struct cfg_durations *retry, unsigned attempts,
    long long now)
{
	size_t k;

	if (retry->n == 0)
		return now + 300;
	k = attempts == 0 ? 0 : attempts - 1;
	if (k >= retry->n)
		k = retry->n - 1;
	return now + retry->v[k];
}

int
spool_reschedule(struct spool *sp, struct spool_env *e,
    const struct cfg_durations *retry, long long now, const char *error,
    size_t error_len, const char *relay, bool *kept, struct str *err)
{
	*kept = e->env.rcpts.n > 0;
	if (!*kept)
		return spool_remove(sp, e->id, err);
	e->attempts++;
	e->next_try = spool_next_try(retry, e->attempts, now);
	spool_env_set_error(e, error != NULL ? error : "", error_len);
	free(e->relay);
	e->relay = relay != NULL ? xstrdup(relay) : NULL;
	return spool_env_write(sp, e, err);
}

int
spool_exitcode(int rc)
{
	switch (rc) {
	case SPOOL_OK:
		return EX_OK;
	case SPOOL_EPERM:
		return EX_CANTCREAT;
	case SPOOL_EINVAL:
		return EX_DATAERR;
	default:
		return EX_TEMPFAIL;
	}
}
