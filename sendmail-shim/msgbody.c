/*
 * msgbody - a message body in an unlinked temporary file.  See msgbody.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgbody.h"

/*
 * The "lone dot" rule across chunks: a "." at the start of a line is held
 * back (with a CR after it) until the next byte shows whether the line is
 * "." alone; only then is it written or dropped.
 */
struct msgbody_scan {
	int	bol;		/* at the beginning of a line */
	int	held;		/* 0, 1 ("."), or 2 (".\r") bytes held back */
	struct str out;
};

static int
msgbody_put(struct msgbody *b, const char *p, size_t n, struct str *err)
{
	size_t i;

	if (n == 0)
		return MSGBODY_OK;
	if (n > b->max - b->size) {
		str_appendf(err, "the message is over %llu bytes", b->max);
		return MSGBODY_ETOOBIG;
	}
	if (fwrite(p, 1, n, b->fp) != n) {
		str_appendf(err, "cannot write the message to a temporary file: %s",
		    strerror(errno));
		return MSGBODY_ETMP;
	}
	b->size += n;
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			b->eight_bit = true;
		else if (p[i] == '\0')
			b->has_nul = true;
	}
	return MSGBODY_OK;
}

static int
msgbody_feed(struct msgbody *b, struct msgbody_scan *s, const char *p,
    size_t len, bool ignore_dots, struct str *err)
{
	size_t i;
	int rc;

	if (ignore_dots)
		return msgbody_put(b, p, len, err);
	str_reset(&s->out);
	for (i = 0; i < len && !b->dot_ended; i++) {
		char c = p[i];

		if (s->held > 0) {
			if (c == '\n') {
				b->dot_ended = true;	/* the dot line is dropped */
				break;
			}
			if (c == '\r' && s->held == 1) {
				s->held = 2;
				continue;
			}
			str_append(&s->out, ".\r", (size_t)s->held);
			s->held = 0;
			s->bol = 0;
		}
		if (s->bol && c == '.') {
			s->held = 1;
			continue;
		}
		str_appendc(&s->out, c);
		s->bol = c == '\n';
	}
	rc = msgbody_put(b, s->out.data, s->out.len, err);
	return rc;
}

int
msgbody_read(struct msgbody *b, const struct str *prefix, FILE *in,
    bool ignore_dots, unsigned long long max, const char *dir,
    struct str *err)
{
	struct msgbody_scan scan = { 1, 0, STR_INIT };
	struct str path = STR_INIT;
	char buf[16384];		/* a transfer buffer only */
	size_t n;
	int fd, rc;

	memset(b, 0, sizeof(*b));
	b->max = max;
	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	str_appendf(&path, "%s/smtpgate.XXXXXX", dir);
	fd = mkstemp(path.data);
	if (fd < 0 || (b->fp = fdopen(fd, "w+")) == NULL) {
		str_appendf(err, "cannot create a temporary file in %s: %s",
		    dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		str_free(&path);
		return MSGBODY_ETMP;
	}
	unlink(path.data);	/* nothing to clean up, ever */
	str_free(&path);
	rc = msgbody_feed(b, &scan, prefix->data ? prefix->data : "",
	    prefix->len, ignore_dots, err);
	while (rc == MSGBODY_OK && !b->dot_ended &&
	    (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = msgbody_feed(b, &scan, buf, n, ignore_dots, err);
	/* Input ended right after "." or ".\r": those bytes are message. */
	if (rc == MSGBODY_OK && scan.held > 0 && !b->dot_ended)
		rc = msgbody_put(b, ".\r", (size_t)scan.held, err);
	str_free(&scan.out);
	if (rc == MSGBODY_OK && ferror(in)) {
		str_appendf(err, "cannot read the message: %s", strerror(errno));
		rc = MSGBODY_EIO;
	}
	if (rc == MSGBODY_OK && (fflush(b->fp) != 0 || msgbody_rewind(b) != 0)) {
		str_appendf(err, "temporary file: %s", strerror(errno));
		rc = MSGBODY_ETMP;
	}
	if (rc != MSGBODY_OK)
		msgbody_close(b);
	return rc;
}

int
msgbody_reader(void *arg, char *buf, size_t cap, size_t *got, struct str *err)
{
	struct msgbody *b = arg;

	*got = fread(buf, 1, cap, b->fp);
	if (*got == 0 && ferror(b->fp)) {
		str_appendf(err, "reading the message back: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
msgbody_rewind(struct msgbody *b)
{
	return fseeko(b->fp, (off_t)b->start, SEEK_SET);
}

void
msgbody_borrow(struct msgbody *b, FILE *fp, unsigned long long size,
    bool eight_bit)
{
	memset(b, 0, sizeof(*b));
	b->fp = fp;
	b->size = size;
	b->eight_bit = eight_bit;
	b->borrowed = true;
}

void
msgbody_close(struct msgbody *b)
{
	if (b->fp != NULL && !b->borrowed)
		fclose(b->fp);
	b->fp = NULL;
	b->borrowed = false;
}
