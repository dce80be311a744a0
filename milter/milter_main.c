/*
 * smtpgate-milter - the daemon around the callbacks (milter_cb.c).
 *
 * Start-up: options, configuration, the socket (opened while still root,
 * so it can live under /run), then fork into the background unless -f,
 * the pid file, and the switch to [milter] user.  Started as another user
 * (systemd's User=), the milter runs as that user throughout.
 *
 * Who may talk to the milter: anyone who can connect can make it edit
 * and pass mail, and can crash it through libmilter (a macro packet with
 * an odd number of strings makes smfi_getsymval() read past its array,
 * whatever the milter asks for).  So a unix socket is the MTA's alone:
 * mode 0660, owned by the milter's user and group, the MTA's user a
 * member of that group; and the milter runs with no group that can read
 * the relay secrets, which it never needs.
 *
 * Threads and signals: libmilter runs in a thread of its own and starts
 * its signal thread from there, which sigwait()s for SIGTERM, SIGINT and
 * SIGHUP and stops the milter on any of them.  SIGHUP must reload instead,
 * so the main thread keeps SIGHUP unblocked with a handler: the kernel
 * hands a process-directed signal to the main thread whenever that thread
 * does not block it, so libmilter's thread never sees a SIGHUP.  The
 * handler only writes a byte to a pipe; the main thread reads it and
 * reloads outside any signal context.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "milter.h"
#include "str.h"

static const char milter_usage[] =
    "usage: smtpgate-milter [-c config] [-f] [-p socket] [-t] [-V] [-h]\n"
    "  -c  configuration file (default " CFG_DEFAULT_PATH ")\n"
    "  -f  stay in the foreground (no pid file unless [milter] pid_file)\n"
    "  -p  socket (unix:/path or inet:port@host), overrides [milter] socket\n"
    "  -t  check the configuration and exit\n"
    "  -V  print the version\n"
    "  -h, --help  this text\n";

/* Where a daemonising milter writes its pid when [milter] pid_file is
   not set; in the foreground (-f, systemd's Type=simple) it writes none. */
#define MILTER_PID_DAEMON "/run/smtpgate/milter.pid"

/*
 * How the milter loads its configuration, at start, with -t and on every
 * reload alike.  A file that sets nothing is refused: loaded, it would
 * be every default, which for the milter is no policy at all.  The
 * password files are not looked at: the milter never reads them and
 * runs as a user that should not reach them.
 */
#define MILTER_CFG_FLAGS	(CFG_REQUIRE_SECTION | CFG_NO_FILE_CHECKS | \
	CFG_NO_SECRETS)

static int milter_pipe[2] = { -1, -1 };
static const char *milter_config;
static int milter_status = 0;

static void
milter_on_hup(int sig)
{
	int saved = errno;

	(void)sig;
	(void)write(milter_pipe[1], "h", 1);
	errno = saved;
}

static void *
milter_thread(void *arg)
{
	(void)arg;
	milter_status = smfi_main() == MI_SUCCESS ? 0 : EX_SOFTWARE;
	(void)write(milter_pipe[1], "x", 1);
	return NULL;
}

/* cfg_load()'s diagnostics, one "file:line: message" per log line, each
   at its own level. */
static void
milter_log_diag(const struct str *diag)
{
	static const char warn[] = ": warning: ";
	const char *p = diag->data, *end = diag->data + diag->len, *nl;
	size_t len;

	for (; p != NULL && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((len = (size_t)(nl - p)) == 0)
			continue;
		log_msg(memmem(p, len, warn, sizeof(warn) - 1) != NULL ?
		    LOG_LEVEL_WARNING : LOG_LEVEL_ERROR, "%.*s", (int)len, p);
	}
}

/* A good new configuration applies to the next message; a bad one is
   reported and the running one stays. */
static void
milter_reload(void)
{
	struct str diag = STR_INIT;
	struct cfg *cfg;
	unsigned long gen;
	int rc;

	rc = cfg_load_flags(milter_config, MILTER_CFG_FLAGS, &cfg, &diag);
	milter_log_diag(&diag);
	if (rc != CFG_OK) {
		log_error("reload of %s failed; the previous configuration "
		    "stays in force", milter_config);
		str_free(&diag);
		return;
	}
	log_set_level(cfg->log_level);
	gen = cfg_holder_replace(&milter_cfg, cfg);
	log_info("reloaded %s (generation %lu)", milter_config, gen);
	str_free(&diag);
}

static int
milter_pidfile(const char *path, uid_t uid, gid_t gid)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return 0;
	(void)unlink(path);
	if ((f = fopen(path, "wx")) == NULL) {
		if (errno == ENOENT) {
			const char *slash = strrchr(path, '/');
			int dlen = slash != NULL ? (int)(slash - path) : 0;

			log_error("pid file %s: its directory does not exist; "
			    "make it (install -d %.*s), set [milter] pid_file, "
			    "or run in the foreground with -f", path, dlen,
			    path);
		} else
			log_error("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		log_error("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (getuid() == 0 && chown(path, uid, gid) != 0)
		log_warning("pid file %s: chown: %s", path, strerror(errno));
	return 0;
}

/*
 * Root gives up its privileges for good; others run as they are.  No
 * supplementary group is kept (not even the user's own, nor those
 * initgroups() would give): the milter has its user's primary group and
 * nothing else, whatever groups that user is in by mistake.
 */
static int
milter_drop(const struct passwd *pw)
{
	gid_t extra;

	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		log_error("cannot become user %s: %s", pw->pw_name,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || getuid() != pw->pw_uid ||
	    geteuid() != pw->pw_uid || getgid() != pw->pw_gid ||
	    getegid() != pw->pw_gid || getgroups(1, &extra) != 0) {
		log_error("still privileged after becoming user %s",
		    pw->pw_name);
		return -1;
	}
	return 0;
}

/*
 * The groups that may read the relay secrets: smtpgate by name
 * (DESIGN.md), and the group [queue] dir grants access to, which is the
 * one the shim is installed setgid to, whatever a site called it.
 */
static size_t
milter_secret_gids(const struct cfg *cfg, gid_t gids[2])
{
	struct group *gr;
	struct stat st;
	size_t n = 0;

	if ((gr = getgrnam(CFG_SECRETS_GROUP)) != NULL)
		gids[n++] = gr->gr_gid;
	if (cfg->queue_dir != NULL && stat(cfg->queue_dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) && (st.st_mode & S_IRWXG) != 0 &&
	    (n == 0 || st.st_gid != gids[0]))
		gids[n++] = st.st_gid;
	return n;
}

static const char *
milter_group_name(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		return gr->gr_name;
	snprintf(buf, size, "%lu", (unsigned long)gid);
	return buf;
}

/*
 * Refuse to run with a group that can read the secrets.  Started as
 * root, the milter will have its user's primary group only (see
 * milter_drop()); started as another user, it has the groups it was
 * given, which under systemd's User= include that user's supplementary
 * groups.  Returns 0, or EX_CONFIG after saying what to change.
 */
static int
milter_check_groups(const struct cfg *cfg, const struct passwd *pw)
{
	gid_t bad[2], *have;
	size_t nbad, nhave, i, j;
	struct passwd *self;
	char buf[32];
	const char *name;
	int n, rc = 0;

	if ((nbad = milter_secret_gids(cfg, bad)) == 0)
		return 0;
	if (pw != NULL) {
		have = xcalloc(1, sizeof(*have));
		have[0] = pw->pw_gid;
		nhave = 1;
	} else {
		if ((n = getgroups(0, NULL)) < 0)
			n = 0;
		have = xcalloc((size_t)n + 2, sizeof(*have));
		if ((n = getgroups(n, have + 2)) < 0)
			n = 0;
		have[0] = getgid();
		have[1] = getegid();
		nhave = (size_t)n + 2;
	}
	for (i = 0; i < nbad && rc == 0; i++)
		for (j = 0; j < nhave && rc == 0; j++) {
			if (have[j] != bad[i])
				continue;
			name = milter_group_name(bad[i], buf, sizeof(buf));
			if (pw != NULL) {
				log_error("[milter] user %s has the primary group "
				    "%s, which can read the relay secrets and "
				    "the queue; the milter needs neither: give it "
				    "a group of its own (useradd --system "
				    "--user-group --no-create-home "
				    "smtpgate-milter)", pw->pw_name, name);
			} else {
				self = getpwuid(getuid());
				log_error("running with group %s, which can read "
				    "the relay secrets and the queue; the milter "
				    "needs neither: take its user out of that "
				    "group (gpasswd -d %s %s), or give it a "
				    "primary group of its own", name,
				    self ? self->pw_name : "USER", name);
			}
			rc = EX_CONFIG;
		}
	free(have);
	return rc;
}

/*
 * libmilter writes each edit and reply in its own small send(); on TCP,
 * Nagle's algorithm then waits for the MTA's delayed ACK (40 ms) once per
 * message.  libmilter does not hand out its listening socket, so find it
 * (the only listening TCP socket at this point) and set TCP_NODELAY,
 * which the sockets it accepts inherit.  Unix sockets need nothing.
 */
static void
milter_nodelay(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1, listening;

	for (fd = 3; fd < 256; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		milter_tcp = true;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on)) != 0)
			log_warning("TCP_NODELAY on the milter socket: %s",
			    strerror(errno));
	}
}

/* The file of a unix socket as libmilter reads the spec ("unix:/p",
   "local:/p", ":/p" or a bare "/p"), or NULL for an inet one. */
static const char *
milter_socket_path(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL)
		return spec;
	if (colon == spec || (colon - spec == 4 &&
	    strncasecmp(spec, "unix", 4) == 0) || (colon - spec == 5 &&
	    strncasecmp(spec, "local", 5) == 0))
		return colon + 1;
	return NULL;
}

/*
 * The directory of a unix socket.  One the milter makes is 0750, its
 * user's and group's, so only the MTA (in that group) reaches the socket.
 * One that exists is left as it is, unless every user may write to it
 * (without the sticky bit): anyone could then put a socket of their own
 * in the MTA's way, and mail would pass a milter that is not this one.
 */
static int
milter_socket_dir(const char *path, const struct passwd *pw)
{
	char *dir = xstrdup(path), *slash;
	struct stat st;
	int rc = 0;

	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);	/* relative to the working directory */
		return 0;
	}
	if (slash == dir)
		slash[1] = '\0';	/* "/name": the root directory */
	else
		*slash = '\0';
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			log_error("milter socket directory %s: not a directory",
			    dir);
			rc = EX_CANTCREAT;
		} else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
			log_error("milter socket directory %s is writable by "
			    "every user, who could replace the socket: use one "
			    "only root and the milter may write to", dir);
			rc = EX_CONFIG;
		}
	} else if (errno != ENOENT || mkdir(dir, 0750) != 0 ||
	    chmod(dir, 0750) != 0 ||
	    (pw != NULL && chown(dir, pw->pw_uid, pw->pw_gid) != 0)) {
		log_error("milter socket directory %s: %s", dir,
		    strerror(errno));
		rc = EX_CANTCREAT;
	}
	free(dir);
	return rc;
}

static int
milter_socket(const char *spec, const struct passwd *pw)
{
	const char *path = milter_socket_path(spec);
	mode_t old;
	int rc;

	if (smfi_setconn((char *)spec) != MI_SUCCESS ||
	    smfi_register(milter_desc) != MI_SUCCESS) {
		log_error("cannot use milter socket %s", spec);
		return EX_SOFTWARE;
	}
	if (path != NULL && (rc = milter_socket_dir(path, pw)) != 0)
		return rc;
	/*
	 * srw-rw----: the umask is set before libmilter binds, so the socket
	 * never exists with a wider mode.  Made as root, it is root's until
	 * the chown below, which hands it to the milter's user and group.
	 */
	old = umask(0117);
	rc = smfi_opensocket(1);
	umask(old);
	if (rc != MI_SUCCESS) {
		log_error("cannot open milter socket %s", spec);
		return EX_UNAVAILABLE;
	}
	if (path != NULL && pw != NULL &&
	    lchown(path, pw->pw_uid, pw->pw_gid) != 0) {
		log_error("milter socket %s: chown: %s", path, strerror(errno));
		return EX_CANTCREAT;
	}
	milter_nodelay();
	return 0;
}

static int
milter_run(const struct passwd *pw, const char *pid_file, bool foreground)
{
	struct sigaction sa;
	sigset_t set;
	pthread_t th;
	char ch;
	ssize_t n;

	if (!foreground && daemon(0, 0) != 0) {
		log_error("daemon: %s", strerror(errno));
		return EX_OSERR;
	}
	if (milter_pidfile(pid_file, pw ? pw->pw_uid : 0, pw ? pw->pw_gid :
	    0) != 0)
		return EX_CANTCREAT;
	if (pw != NULL && milter_drop(pw) != 0)
		return EX_NOPERM;
	if (pipe2(milter_pipe, O_CLOEXEC) != 0)
		return EX_OSERR;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = milter_on_hup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* TERM and INT belong to libmilter's signal thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, milter_thread, NULL) != 0)
		return EX_OSERR;
	log_info("started");
	for (;;) {
		n = read(milter_pipe[0], &ch, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1 || ch == 'x')
			break;
		milter_reload();
	}
	pthread_join(th, NULL);
	if (pid_file != NULL)
		(void)unlink(pid_file);
	log_info("stopped");
	return milter_status;
}

int
main(int argc, char **argv)
{
	const char *socket_spec = NULL;
	struct str diag = STR_INIT;
	struct passwd *pw = NULL, *self;
	struct cfg *cfg;
	char *pid_file;
	bool test = false, foreground = false;
	int ch, rc;

	milter_config = CFG_DEFAULT_PATH;
	log_init("smtpgate-milter",
	    LOG_TO_SYSLOG | (isatty(STDERR_FILENO) ? LOG_TO_STDERR : 0));
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(milter_usage, stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "c:fhp:tV")) != -1) {
		switch (ch) {
		case 'c':
			milter_config = optarg;
			break;
		case 'f':
			foreground = true;
			log_set_stderr(true);
			break;
		case 'p':
			socket_spec = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'V':
			printf("smtpgate-milter %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			fputs(milter_usage, stdout);
			return 0;
		default:
			fputs(milter_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "smtpgate-milter: unexpected argument '%s'\n%s",
		    argv[optind], milter_usage);
		return EX_USAGE;
	}
	rc = cfg_load_flags(milter_config, MILTER_CFG_FLAGS, &cfg, &diag);
	fputs(str_cstr(&diag), stderr);
	str_free(&diag);
	if (rc != CFG_OK)
		return cfg_exitcode(rc);
	if (test) {
		printf("smtpgate-milter: %s: configuration OK\n", milter_config);
		cfg_free(cfg);
		return 0;
	}
	log_set_level(cfg->log_level);
	if (socket_spec == NULL)
		socket_spec = cfg->milter_socket;
	if (geteuid() == 0 && (pw = getpwnam(cfg->milter_user)) == NULL) {
		fprintf(stderr, "smtpgate-milter: user '%s' does not exist: "
		    "create it or set [milter] user\n", cfg->milter_user);
		cfg_free(cfg);
		return EX_NOUSER;
	}
	/* Under systemd's User=, say which of the two names counts. */
	if (pw == NULL && (self = getpwuid(getuid())) != NULL &&
	    strcmp(self->pw_name, cfg->milter_user) != 0)
		log_info("not started as root: running as %s, not as [milter] "
		    "user %s", self->pw_name, cfg->milter_user);
	if ((rc = milter_check_groups(cfg, pw)) != 0 ||
	    (rc = milter_socket(socket_spec, pw)) != 0) {
		cfg_free(cfg);
		return rc;
	}
	/* A reload may free this cfg: keep our own copy of the pid path. */
	pid_file = cfg->milter_pid_file ? xstrdup(cfg->milter_pid_file) :
	    foreground ? NULL : xstrdup(MILTER_PID_DAEMON);
	cfg_holder_init(&milter_cfg, cfg);
	rc = milter_run(pw, pid_file, foreground);
	cfg_holder_destroy(&milter_cfg);
	free(pid_file);
	return rc;
}
