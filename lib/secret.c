/*
 * secret - password files and password commands.  See secret.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "secret.h"
#include "strvec.h"

int
secret_split(const char *cmd, char ***argvp, size_t *argcp)
{
	struct str word = STR_INIT;
	struct strvec argv = STRVEC_INIT;	/* NULL-terminated for execv */
	char quote = 0;
	int inword = 0;
	const char *p;

	for (p = cmd;; p++) {
		char c = *p;

		if (c == '\0' || (!quote && (c == ' ' || c == '\t'))) {
			if (inword) {
				strvec_push(&argv, str_detach(&word));
				inword = 0;
			}
			if (c == '\0')
				break;
			continue;
		}
		inword = 1;
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (c == '\\' && quote == '"' && p[1] != '\0')
				str_appendc(&word, *++p);
			else
				str_appendc(&word, c);
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '\\' && p[1] != '\0') {
			str_appendc(&word, *++p);
		} else {
			str_appendc(&word, c);
		}
	}
	str_free(&word);
	if (quote || argv.n == 0) {
		strvec_free(&argv);
		return -1;
	}
	*argvp = argv.v;
	*argcp = argv.n;
	return 0;
}

void
secret_free_argv(char **argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/*
 * Run the command; collect its stdout (bounded) into out.  Nothing of the
 * caller's context reaches it: the shim runs it with the group (and root
 * runs it during -q) from whatever directory the caller was in, so a bare
 * name or a relative path could pick up a program the caller planted.
 * The program is an absolute path (cfg_check.c refuses anything else, and
 * this checks again for callers that did not load a file), it starts in
 * "/", and its environment is fixed.
 */
static int
secret_run(const char *cmdline, struct str *out, struct str *err)
{
	static char *const env[] = { SECRET_CMD_ENV, NULL };
	char **argv = NULL, buf[4096];	/* a transfer buffer only */
	size_t argc = 0;
	int pipefd[2], status, rc = SECRET_EFAIL, nul;
	time_t deadline;
	pid_t pid;
	ssize_t n;

	if (secret_split(cmdline, &argv, &argc) != 0) {
		str_appendz(err, "password_command: unbalanced quotes or empty");
		return SECRET_EFAIL;
	}
	if (argv[0][0] != '/') {
		str_appendf(err, "password_command %s: not an absolute path",
		    argv[0]);
		secret_free_argv(argv, argc);
		return SECRET_EFAIL;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		str_appendf(err, "password_command: pipe: %s", strerror(errno));
		secret_free_argv(argv, argc);
		return SECRET_EFAIL;
	}
	if ((pid = fork()) < 0) {
		str_appendf(err, "password_command: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		secret_free_argv(argv, argc);
		return SECRET_EFAIL;
	}
	if (pid == 0) {
		nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    chdir("/") != 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(pipefd[1]);
	deadline = time(NULL) + SECRET_CMD_TIMEOUT;
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		int left = (int)(deadline - time(NULL));

		if (left <= 0 || poll(&pfd, 1, left * 1000) == 0) {
			kill(pid, SIGKILL);
			str_appendf(err, "password_command %s: no answer within "
			    "%d seconds", argv[0], SECRET_CMD_TIMEOUT);
			goto reap;
		}
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > SECRET_MAX) {
			kill(pid, SIGKILL);
			str_appendf(err, "password_command %s: output over %d "
			    "bytes", argv[0], SECRET_MAX);
			goto reap;
		}
		str_append(out, buf, (size_t)n);
	}
	rc = SECRET_OK;
reap:
	util_wipe(buf, sizeof(buf));
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == SECRET_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		str_appendf(err, "password_command %s failed (%s %d)", argv[0],
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			str_appendz(err, ": cannot run it");
		rc = SECRET_EFAIL;
	}
	secret_free_argv(argv, argc);
	return rc;
}

int
secret_get(const char *password_file, const char *password_command,
    struct str *out, struct str *err)
{
	size_t nl;

	if (password_file != NULL)
		return cfg_read_secret(password_file, out, err) == CFG_OK ?
		    SECRET_OK : SECRET_EFAIL;
	if (password_command == NULL) {
		str_appendz(err, "no password_file or password_command is set");
		return SECRET_EFAIL;
	}
	if (secret_run(password_command, out, err) != SECRET_OK) {
		str_free_secret(out);
		return SECRET_EFAIL;
	}
	/* The first line is the secret; helpers end it with a newline. */
	nl = strcspn(str_cstr(out), "\r\n");
	str_truncate(out, nl);
	if (out->len == 0 || str_has_nul(out)) {
		str_free_secret(out);
		str_appendz(err, "password_command printed no usable secret");
		return SECRET_EFAIL;
	}
	return SECRET_OK;
}
