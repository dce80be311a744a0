/*
 * cfg_audit - what the setgid shim's group will meet on disk, for root's
 * --check-config.  See cfg_audit() in cfg.h.
 *
 * The helper that reads the secrets and writes the queue runs as the
 * caller's user id with the group as its effective group (privsep.h), in
 * the directory /.  So the question for every file is the kernel's own:
 * with a user who is not the owner, a file of the group is judged by its
 * group bits and any other file by its "other" bits.  Root passes every
 * test, which is why root's own sending proves nothing and this audit
 * exists.  The process that talks TLS has no group at all: the CA file
 * must be open to everyone who sends.
 *
 * The OAuth2 token files are read and rewritten by that same helper:
 * their directory is the group's to write, each file the group's to
 * read and write, and no one else's, while the owner is whoever
 * refreshed last.
 *
 * Every problem is one line naming the file and the command that fixes
 * it.  An error means mail will fail (a secret the group cannot read, a
 * queue it cannot write); a warning means the install differs from the
 * documented one without breaking it.  A binary that is not installed
 * setgid gives no process the group, so nothing fails for want of it:
 * without strict every problem is a warning.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg_int.h"

struct cfg_audit {
	const struct cfg *cfg;
	const char *group;
	gid_t	gid;
	bool	strict;			/* errors stay errors */
	unsigned errors, warnings;
	struct strvec dirs;		/* directories already reported */
	struct strvec token_dirs;	/* token directories already judged */
	struct str *out;
};

/* One line: "file:line: [warning: ]msg". */
static void
cfg_audit_note(struct cfg_audit *a, bool error, const char *file,
    unsigned line, const struct str *msg)
{
	error = error && a->strict;
	if (line > 0)
		str_appendf(a->out, "%s:%u: ", file, line);
	else
		str_appendf(a->out, "%s: ", file);
	if (!error)
		str_appendz(a->out, "warning: ");
	str_appends(a->out, msg);
	str_appendc(a->out, '\n');
	if (error)
		a->errors++;
	else
		a->warnings++;
}

/* A path as a shell word, so that the fix can be pasted as it is. */
static const char *
cfg_audit_word(const char *path, struct str *buf)
{
	const char *p;

	str_reset(buf);
	for (p = path; *p; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789/._+-@%=:,", *p) == NULL)
			break;
	if (*p == '\0' && *path != '\0')
		str_appendz(buf, path);
	else {
		str_appendc(buf, '\'');
		for (p = path; *p; p++)
			if (*p == '\'')
				str_appendz(buf, "'\\''");
			else
				str_appendc(buf, *p);
		str_appendc(buf, '\'');
	}
	return str_cstr(buf);
}

/* "owner root, group adm, mode 0640" */
static const char *
cfg_audit_stat(const struct stat *st, struct str *buf)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);

	str_reset(buf);
	if (pw != NULL)
		str_appendf(buf, "owner %s", pw->pw_name);
	else
		str_appendf(buf, "owner %lu", (unsigned long)st->st_uid);
	if (gr != NULL)
		str_appendf(buf, ", group %s", gr->gr_name);
	else
		str_appendf(buf, ", group %lu", (unsigned long)st->st_gid);
	str_appendf(buf, ", mode %04o", (unsigned)(st->st_mode & 07777));
	return str_cstr(buf);
}

/*
 * Whether a process that is not the owner, with gid as its group
 * ((gid_t)-1: any user, no group of the file), has bit (S_IROTH, S_IWOTH
 * or S_IXOTH, as for "other") on st.
 */
static bool
cfg_audit_can(const struct stat *st, gid_t gid, mode_t bit)
{
	mode_t m = st->st_mode;

	if (gid != (gid_t)-1 && st->st_gid == gid)
		m >>= 3;
	return (m & bit) != 0;
}

/*
 * Every directory above path must let gid in (search).  Reported once
 * per directory.  The one that holds the file gets group and mode
 * 0750 as the documented install has it; a directory further up only
 * o+x, which lets anyone through and shows no name in it.  false when
 * one is closed.
 */
static bool
cfg_audit_dirs(struct cfg_audit *a, const char *file, unsigned line,
    const char *path, gid_t gid, const char *who)
{
	struct str dir = STR_INIT, w = STR_INIT, s = STR_INIT, m = STR_INIT;
	const char *slash, *last = strrchr(path, '/');
	struct stat st;
	bool ok = true;
	size_t i;

	if (path[0] != '/' || last == NULL)
		return true;
	for (slash = path; slash != NULL && slash <= last;
	    slash = strchr(slash + 1, '/')) {
		str_set(&dir, path, slash == path ? 1 : (size_t)(slash - path));
		if (stat(str_cstr(&dir), &st) == -1 || !S_ISDIR(st.st_mode) ||
		    cfg_audit_can(&st, gid, S_IXOTH))
			continue;
		ok = false;
		for (i = 0; i < a->dirs.n; i++)
			if (strcmp(a->dirs.v[i], str_cstr(&dir)) == 0)
				break;
		if (i < a->dirs.n)
			break;
		strvec_push_mem(&a->dirs, dir.data, dir.len);
		str_reset(&m);
		str_appendf(&m, "%s cannot enter %s (%s), so it cannot reach "
		    "%s; fix: ", who, str_cstr(&dir), cfg_audit_stat(&st, &s),
		    path);
		cfg_audit_word(str_cstr(&dir), &w);
		if (gid != (gid_t)-1 && st.st_gid == gid)
			str_appendf(&m, "chmod g+x %s", str_cstr(&w));
		else if (gid != (gid_t)-1 && slash == last)
			str_appendf(&m, "chgrp %s %s && chmod 0750 %s",
			    a->group, str_cstr(&w), str_cstr(&w));
		else
			str_appendf(&m, "chmod o+x %s", str_cstr(&w));
		cfg_audit_note(a, true, file, line, &m);
		break;
	}
	str_free(&m);
	str_free(&dir);
	str_free(&w);
	str_free(&s);
	return ok;
}

/* A password_file or oauth2_client_secret_file (key): the helper reads
   it with the group. */
static void
cfg_audit_secret(struct cfg_audit *a, const char *file, unsigned line,
    const char *what, const char *key, const char *path)
{
	struct str m = STR_INIT, w = STR_INIT, s = STR_INIT, who = STR_INIT;
	struct stat st;

	str_appendf(&who, "group %s", a->group);
	if (path[0] != '/') {
		str_appendf(&m, "%s %s %s is a relative path: the "
		    "helper that reads it works in /; write it in full", what,
		    key, path);
		cfg_audit_note(a, true, file, line, &m);
		goto out;
	}
	/* Missing or not a file: the loader has said so already. */
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		goto out;
	if (!cfg_audit_dirs(a, file, line, path, a->gid, str_cstr(&who)))
		goto out;
	cfg_audit_word(path, &w);
	if (!cfg_audit_can(&st, a->gid, S_IROTH)) {
		str_appendf(&m, "%s %s %s: group %s cannot read it (%s), and "
		    "users' mail cannot log in; fix: ", what, key, path,
		    a->group, cfg_audit_stat(&st, &s));
		if (st.st_uid == 0)
			str_appendf(&m, "chgrp %s %s && chmod 0640 %s", a->group,
			    str_cstr(&w), str_cstr(&w));
		else
			str_appendf(&m, "chown root:%s %s && chmod 0640 %s",
			    a->group, str_cstr(&w), str_cstr(&w));
		cfg_audit_note(a, true, file, line, &m);
	} else if (st.st_uid != 0) {
		/* Its owner may chmod it open, or change the password. */
		str_appendf(&m, "%s %s %s is not owned by root (%s); fix: "
		    "chown root %s", what, key, path,
		    cfg_audit_stat(&st, &s), str_cstr(&w));
		cfg_audit_note(a, false, file, line, &m);
	} else if (st.st_gid == a->gid && (st.st_mode & S_IWGRP)) {
		str_appendf(&m, "%s %s %s is writable by group %s (%s); fix: "
		    "chmod g-w %s", what, key, path, a->group,
		    cfg_audit_stat(&st, &s), str_cstr(&w));
		cfg_audit_note(a, false, file, line, &m);
	}
out:
	str_free(&m);
	str_free(&w);
	str_free(&s);
	str_free(&who);
}

/*
 * The directory of a token file: the helper, as the caller with the
 * group, writes the new file and the lock file there and renames, so
 * the group writes it (2770 root:group: no one else looks in, and the
 * files made there keep the group).  Judged once per directory.  false
 * when the file itself cannot be judged (no directory).
 */
static bool
cfg_audit_token_dir(struct cfg_audit *a, const char *file, unsigned line,
    const char *what, const char *path, const char *dir)
{
	struct str m = STR_INIT, w = STR_INIT, s = STR_INIT, who = STR_INIT;
	struct stat st;
	bool ok = true;
	size_t i;

	for (i = 0; i < a->token_dirs.n; i++)
		if (strcmp(a->token_dirs.v[i], dir) == 0)
			return true;
	strvec_push_mem(&a->token_dirs, dir, strlen(dir));
	str_appendf(&who, "group %s", a->group);
	cfg_audit_word(dir, &w);
	/* Its parents first: the directory counts as the file here. */
	if (!cfg_audit_dirs(a, file, line, dir, a->gid, str_cstr(&who)))
		ok = false;
	else if (stat(dir, &st) == -1) {
		if (errno == ENOENT)
			str_appendf(&m, "%s oauth2_token_file %s: its directory %s "
			    "does not exist yet; fix: install -d -o root -g %s -m "
			    "2770 %s", what, path, dir, a->group, str_cstr(&w));
		else
			str_appendf(&m, "%s oauth2_token_file %s: its directory "
			    "%s: %s", what, path, dir, strerror(errno));
		cfg_audit_note(a, errno != ENOENT, file, line, &m);
		ok = false;
	} else if (!S_ISDIR(st.st_mode)) {
		str_appendf(&m, "%s oauth2_token_file %s: %s is not a "
		    "directory", what, path, dir);
		cfg_audit_note(a, true, file, line, &m);
		ok = false;
	} else if (st.st_gid != a->gid || (st.st_mode & 0070) != 0070) {
		str_appendf(&m, "%s oauth2_token_file %s: group %s cannot write "
		    "its directory %s (%s), so users' mail cannot refresh the "
		    "token; fix: chgrp %s %s && chmod 2770 %s", what, path,
		    a->group, dir, cfg_audit_stat(&st, &s), a->group,
		    str_cstr(&w), str_cstr(&w));
		cfg_audit_note(a, true, file, line, &m);
	} else if ((st.st_mode & 0007) != 0 || !(st.st_mode & S_ISGID)) {
		str_appendf(&m, "%s oauth2_token_file %s: its directory %s is "
		    "%s, not mode 2770 (tokens are for root and the group only, "
		    "and new files keep the group); fix: chmod 2770 %s", what,
		    path, dir, cfg_audit_stat(&st, &s), str_cstr(&w));
		cfg_audit_note(a, false, file, line, &m);
	}
	str_free(&m);
	str_free(&w);
	str_free(&s);
	str_free(&who);
	return ok;
}

/*
 * A login's token file (kind "relay" or "account", name: for the
 * sign-in command).  Its owner is whoever refreshed last, so only the
 * group and the mode count: 0660, the group's, no one else's.
 */
static void
cfg_audit_token(struct cfg_audit *a, const char *file, unsigned line,
    const char *what, const char *kind, const char *name, const char *path)
{
	struct str m = STR_INIT, w = STR_INIT, s = STR_INIT, dir = STR_INIT,
	    c = STR_INIT;
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (path[0] != '/' || slash == NULL)
		goto out;		/* the loader refuses it */
	str_set(&dir, path, slash == path ? 1 : (size_t)(slash - path));
	if (!cfg_audit_token_dir(a, file, line, what, path, str_cstr(&dir)))
		goto out;
	cfg_audit_word(path, &w);
	if (stat(path, &st) == -1) {
		if (errno == ENOENT) {
			str_appendz(&m, what);
			str_appendf(&m, " oauth2_token_file %s does not exist: no "
			    "one has signed in yet; fix: smtpgate-sendmail ",
			    path);
			if (strcmp(a->cfg->path, CFG_DEFAULT_PATH) != 0)
				str_appendf(&m, "-C %s ", cfg_audit_word(
				    a->cfg->path, &c));
			str_appendf(&m, "--oauth2-login --%s %s", kind,
			    cfg_audit_word(name, &c));
		} else
			str_appendf(&m, "%s oauth2_token_file %s: %s", what, path,
			    strerror(errno));
		cfg_audit_note(a, errno != ENOENT, file, line, &m);
	} else if (!S_ISREG(st.st_mode)) {
		str_appendf(&m, "%s oauth2_token_file %s is not a regular file",
		    what, path);
		cfg_audit_note(a, true, file, line, &m);
	} else if (st.st_gid != a->gid || (st.st_mode & 0060) != 0060) {
		str_appendf(&m, "%s oauth2_token_file %s: group %s cannot read "
		    "and rewrite it (%s), and users' mail cannot log in; fix: "
		    "chgrp %s %s && chmod 0660 %s", what, path, a->group,
		    cfg_audit_stat(&st, &s), a->group, str_cstr(&w),
		    str_cstr(&w));
		cfg_audit_note(a, true, file, line, &m);
	} else if ((st.st_mode & 0007) != 0) {
		str_appendf(&m, "%s oauth2_token_file %s is readable by others "
		    "(%s): its refresh token sends mail as the account; fix: "
		    "chmod 0660 %s", what, path, cfg_audit_stat(&st, &s),
		    str_cstr(&w));
		cfg_audit_note(a, false, file, line, &m);
	}
out:
	str_free(&m);
	str_free(&w);
	str_free(&s);
	str_free(&dir);
	str_free(&c);
}

/* A login's OAuth2 files: the client secret (an account's only when it
   is not its relay's, judged there already) and the token file. */
static void
cfg_audit_oauth2(struct cfg_audit *a, const char *file, unsigned line,
    const char *kind, const char *name, const struct cfg_oauth2 *o,
    const struct cfg_oauth2 *relay)
{
	struct str what = STR_INIT;

	if (o->client_id == NULL)
		return;
	str_appendf(&what, "[%s %s]", kind, name);
	if (o->client_secret_file != NULL && (relay == NULL ||
	    relay->client_secret_file == NULL ||
	    strcmp(relay->client_secret_file, o->client_secret_file) != 0))
		cfg_audit_secret(a, file, line, str_cstr(&what),
		    "oauth2_client_secret_file", o->client_secret_file);
	if (o->token_file != NULL)
		cfg_audit_token(a, file, line, str_cstr(&what), kind, name,
		    o->token_file);
	str_free(&what);
}

/* A tls_ca_file: read by the process that talks TLS, as the caller. */
static void
cfg_audit_ca(struct cfg_audit *a, const struct cfg_relay *r)
{
	struct str m = STR_INIT, w = STR_INIT, s = STR_INIT;
	struct stat st;

	if (stat(r->tls_ca_file, &st) == -1) {
		str_appendf(&m, "[relay %s] tls_ca_file %s: %s", r->name,
		    r->tls_ca_file, strerror(errno));
		cfg_audit_note(a, true, r->file, r->line, &m);
	} else if (cfg_audit_dirs(a, r->file, r->line, r->tls_ca_file,
	    (gid_t)-1, "a user who sends") && !cfg_audit_can(&st, (gid_t)-1,
	    S_IROTH)) {
		/* A warning: root may be the only one who sends. */
		str_appendf(&m, "[relay %s] tls_ca_file %s is not readable by "
		    "all users (%s): it is read with the rights of whoever sends, "
		    "and a user's mail will fail the certificate check; fix: "
		    "chmod 0644 %s", r->name, r->tls_ca_file,
		    cfg_audit_stat(&st, &s), cfg_audit_word(r->tls_ca_file,
		    &w));
		cfg_audit_note(a, false, r->file, r->line, &m);
	}
	str_free(&m);
	str_free(&w);
	str_free(&s);
}

/* One directory of the queue: the group writes there. */
static void
cfg_audit_queue_dir(struct cfg_audit *a, const char *dir, bool top)
{
	const char *file = a->cfg->path;
	struct str m = STR_INIT, w = STR_INIT, s = STR_INIT;
	struct stat st;

	cfg_audit_word(dir, &w);
	if (stat(dir, &st) == -1) {
		if (errno == ENOENT && top)
			str_appendf(&m, "[queue] dir %s does not exist yet: the "
			    "first message root sends creates it right, a "
			    "user's cannot; fix: install -d -o root -g %s -m "
			    "2770 %s", dir, a->group, str_cstr(&w));
		else if (errno != ENOENT)
			str_appendf(&m, "[queue] dir %s: %s", dir,
			    strerror(errno));
		if (m.len > 0)
			cfg_audit_note(a, errno != ENOENT, file, 0, &m);
	} else if (!S_ISDIR(st.st_mode)) {
		str_appendf(&m, "[queue] dir %s is not a directory", dir);
		cfg_audit_note(a, true, file, 0, &m);
	} else if (st.st_gid != a->gid || (st.st_mode & 0070) != 0070) {
		str_appendf(&m, "[queue] dir %s: group %s cannot write it (%s), "
		    "so users' mail cannot be queued; fix: chgrp %s %s && "
		    "chmod 2770 %s", dir, a->group, cfg_audit_stat(&st, &s),
		    a->group, str_cstr(&w), str_cstr(&w));
		cfg_audit_note(a, true, file, 0, &m);
	} else if ((st.st_mode & 0007) != 0 || !(st.st_mode & S_ISGID)) {
		str_appendf(&m, "[queue] dir %s is %s, not mode 2770 (others "
		    "may not look in, and new files keep the group); fix: "
		    "chmod 2770 %s", dir, cfg_audit_stat(&st, &s), str_cstr(&w));
		cfg_audit_note(a, false, file, 0, &m);
	}
	str_free(&m);
	str_free(&w);
	str_free(&s);
}

static void
cfg_audit_queue(struct cfg_audit *a)
{
	static const char *const subs[] = { "tmp", "msg", "env" };
	const char *dir = a->cfg->queue_dir;
	struct str who = STR_INIT, sub = STR_INIT, m = STR_INIT;
	size_t i;

	if (dir[0] != '/') {
		str_appendf(&m, "[queue] dir %s is a relative path: the helper "
		    "works in /; write it in full", dir);
		cfg_audit_note(a, true, a->cfg->path, 0, &m);
		goto out;
	}
	str_appendf(&who, "group %s", a->group);
	/* The directory itself counts as a file here: its parents first. */
	if (cfg_audit_dirs(a, a->cfg->path, 0, dir, a->gid, str_cstr(&who))) {
		cfg_audit_queue_dir(a, dir, true);
		for (i = 0; i < 3; i++) {
			str_reset(&sub);
			str_appendf(&sub, "%s/%s", dir, subs[i]);
			cfg_audit_queue_dir(a, str_cstr(&sub), false);
		}
	}
out:
	str_free(&who);
	str_free(&sub);
	str_free(&m);
}

unsigned
cfg_audit(const struct cfg *cfg, const char *group, bool strict,
    unsigned *warnings, struct str *out)
{
	struct cfg_audit a;
	struct group *gr;
	struct str m = STR_INIT, what = STR_INIT;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	a.group = group;
	a.strict = strict;
	a.out = out;
	for (i = 0; i < cfg->nrelays; i++)
		if (cfg->relays[i].tls_ca_file != NULL &&
		    cfg->relays[i].tls != CFG_TLS_NONE)
			cfg_audit_ca(&a, &cfg->relays[i]);
	if ((gr = getgrnam(group)) == NULL) {
		/* Nothing of the group can be judged without it. */
		str_appendf(&m, "group %s does not exist: the setgid "
		    "smtpgate-sendmail, its secrets and its queue need it; fix: "
		    "addgroup --system %s", group, group);
		cfg_audit_note(&a, true, cfg->path, 0, &m);
		goto out;
	}
	a.gid = gr->gr_gid;
	for (i = 0; i < cfg->nrelays; i++) {
		if (cfg->relays[i].password_file == NULL)
			continue;
		str_reset(&what);
		str_appendf(&what, "[relay %s]", cfg->relays[i].name);
		cfg_audit_secret(&a, cfg->relays[i].file, cfg->relays[i].line,
		    str_cstr(&what), "password_file",
		    cfg->relays[i].password_file);
	}
	/* The default login's file: served like a relay's. */
	if (cfg->password_file != NULL)
		cfg_audit_secret(&a, cfg->path, 0, "[general]",
		    "password_file", cfg->password_file);
	for (i = 0; i < cfg->naccounts; i++) {
		if (cfg->accounts[i].password_file == NULL)
			continue;
		str_reset(&what);
		str_appendf(&what, "[account %s]", cfg->accounts[i].address);
		cfg_audit_secret(&a, cfg->accounts[i].file,
		    cfg->accounts[i].line, str_cstr(&what), "password_file",
		    cfg->accounts[i].password_file);
	}
	for (i = 0; i < cfg->nrelays; i++)
		cfg_audit_oauth2(&a, cfg->relays[i].file, cfg->relays[i].line,
		    "relay", cfg->relays[i].name, &cfg->relays[i].oauth2, NULL);
	for (i = 0; i < cfg->naccounts; i++)
		cfg_audit_oauth2(&a, cfg->accounts[i].file,
		    cfg->accounts[i].line, "account", cfg->accounts[i].address,
		    &cfg->accounts[i].oauth2, cfg->accounts[i].relay_ptr ?
		    &cfg->accounts[i].relay_ptr->oauth2 : NULL);
	/* Even with mode = never: wait_ms keeps its files there. */
	cfg_audit_queue(&a);
out:
	strvec_free(&a.dirs);
	strvec_free(&a.token_dirs);
	str_free(&m);
	str_free(&what);
	if (warnings != NULL)
		*warnings = a.warnings;
	return a.errors;
}
