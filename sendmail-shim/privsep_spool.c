/*
 * privsep_spool - the queue through the setgid shim's helper: the second
 * back end of spool.h.  Every operation is one request (privsep.h); the
 * helper decides what this caller may do and answers with descriptors,
 * so this process opens no queue file itself and never holds the group.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep.h"
#include "spool.h"

#define PS(sp)	((struct privsep *)(sp)->arg)

static int
privsep_spool_fdopen(struct spool_msg *m, const char *id, const char *mode,
    struct str *err)
{
	if ((m->fp = fdopen(m->fd, mode)) == NULL) {
		str_appendf(err, "queue file %s: %s", id, strerror(errno));
		close(m->fd);
		m->fd = -1;
		return SPOOL_EIO;
	}
	m->id = xstrdup(id);
	return SPOOL_OK;
}

static int
privsep_spool_create(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	int rc;

	if ((rc = privsep_create(PS(sp), id, sp->need, &m->fd, err)) != SPOOL_OK)
		return rc;
	if ((rc = privsep_spool_fdopen(m, id, "w+", err)) != SPOOL_OK)
		privsep_abandon(PS(sp), id);
	return rc;
}

/* The helper fsyncs, renames and writes the envelope. */
static int
privsep_spool_commit(struct spool *sp, struct spool_msg *m,
    const struct spool_env *e, struct str *err)
{
	struct str text = STR_INIT;
	int rc;

	if (fflush(m->fp) != 0) {
		str_appendf(err, "queue file %s: %s", m->id, strerror(errno));
		rc = errno == ENOSPC || errno == EDQUOT ? SPOOL_ENOSPC :
		    SPOOL_EIO;
	} else if ((rc = spool_env_format(e, &text, err)) == SPOOL_OK &&
	    (rc = privsep_commit(PS(sp), m->id, &text, err)) == SPOOL_OK) {
		m->committed = true;
		rewind(m->fp);
	}
	str_free(&text);
	return rc;
}

static void
privsep_spool_abandon(struct spool *sp, struct spool_msg *m)
{
	privsep_abandon(PS(sp), m->id);
}

static int
privsep_spool_lock(struct spool *sp, const char *id, struct spool_msg *m,
    struct str *err)
{
	int rc;

	if ((rc = privsep_lock(PS(sp), id, &m->fd, err)) != SPOOL_OK)
		return rc;
	if ((rc = privsep_spool_fdopen(m, id, "r", err)) == SPOOL_OK)
		m->committed = true;
	return rc;
}

static int
privsep_spool_env_read(struct spool *sp, const char *id, struct spool_env *e,
    struct str *err)
{
	int fd, rc;

	if ((rc = privsep_env_read(PS(sp), id, &fd, err)) != SPOOL_OK)
		return rc;
	rc = spool_env_read_fd(fd, id, e, err);
	close(fd);
	return rc;
}

static int
privsep_spool_env_write(struct spool *sp, const struct spool_env *e,
    struct str *err)
{
	struct str text = STR_INIT;
	int rc;

	if ((rc = spool_env_format(e, &text, err)) == SPOOL_OK)
		rc = privsep_env_write(PS(sp), e->id, &text, err);
	str_free(&text);
	return rc;
}

static int
privsep_spool_remove(struct spool *sp, const char *id, struct str *err)
{
	return privsep_remove(PS(sp), id, err);
}

/* The helper's list: one id a line, each checked again here. */
static int
privsep_spool_list(struct spool *sp, struct strvec *ids, size_t *hidden,
    struct str *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;
	int fd, rc;

	if ((rc = privsep_list(PS(sp), &fd, hidden, err)) != SPOOL_OK)
		return rc;
	if ((fp = fdopen(fd, "r")) == NULL) {
		str_appendf(err, "queue list: %s", strerror(errno));
		close(fd);
		return SPOOL_EIO;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (spool_id_ok(line, NULL) && ids->n < 1000000)
			strvec_push_dup(ids, line);
	}
	free(line);
	fclose(fp);
	return SPOOL_OK;
}

static void
privsep_spool_close(struct spool *sp)
{
	free(sp->dir);
	sp->dir = NULL;
	sp->arg = NULL;
}

static const struct spool_ops privsep_spool_ops = {
	privsep_spool_create, privsep_spool_commit, privsep_spool_abandon,
	privsep_spool_lock, privsep_spool_env_read, privsep_spool_env_write,
	privsep_spool_remove, privsep_spool_list, privsep_spool_close
};

void
privsep_spool_open(struct spool *sp, struct privsep *ps, const char *dir)
{
	memset(sp, 0, sizeof(*sp));
	sp->ops = &privsep_spool_ops;
	sp->dfd = -1;
	sp->arg = ps;
	sp->dir = xstrdup(dir);
}
