/*
 * ids - queue ids, Message-IDs and dates.  See ids.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <string.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "ids.h"

static const char ids_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint64_t
ids_random64(void)
{
	uint64_t r = 0;
	struct timeval tv;
	int fd;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, &r, sizeof(r));

		close(fd);
		if (n == (ssize_t)sizeof(r))
			return r;
	}
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_usec * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
}

/* Base-62 digits of v, most significant first, at least one. */
static void
ids_base62(uint64_t v, struct str *out)
{
	char digits[16];	/* 62^11 > 2^64 */
	int n = 0;

	do {
		digits[n++] = ids_alphabet[v % 62];
		v /= 62;
	} while (v != 0);
	while (n > 0)
		str_appendc(out, digits[--n]);
}

static void
ids_unique(struct str *out)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	/* Time first so that ids sort roughly by age in a directory listing. */
	ids_base62((uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec, out);
	ids_base62((uint64_t)getpid(), out);
	ids_base62(ids_random64(), out);
}

void
ids_queue_id(struct str *out)
{
	ids_unique(out);
}

void
ids_message_id(const char *host, struct str *out)
{
	str_appendc(out, '<');
	ids_unique(out);
	str_appendf(out, ".smtpgate@%s>", host);
}

void
ids_date(time_t t, struct str *out)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	/* Names by table, not strftime: the locale must not leak in. */
	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	str_appendf(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

void
ids_fqdn(struct str *out)
{
	struct addrinfo hints, *res = NULL;
	char name[256];		/* HOST_NAME_MAX is 64; checked below */

	if (gethostname(name, sizeof(name)) != 0 ||
	    memchr(name, '\0', sizeof(name)) == NULL || name[0] == '\0') {
		str_appendz(out, "localhost");
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_family = AF_UNSPEC;
	if (strchr(name, '.') == NULL &&
	    getaddrinfo(name, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.') != NULL)
		str_appendz(out, res->ai_canonname);
	else
		str_appendz(out, name);
	if (res != NULL)
		freeaddrinfo(res);
}

bool
ids_domain_ok(const char *s, size_t len)
{
	size_t i, label = 0, dots = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			/* No empty label, none ending in '-'. */
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			dots++;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if ((label == 0 && c == '-') || ++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-' && dots > 0;
}

/*
 * The first line of path, trimmed, when it is a domain.  0: found; 1:
 * none (no file, or warn says why it is not used).  At most a line's
 * worth is read: the file is one line, and nothing longer is a domain.
 */
static int
ids_mailname(const char *path, struct str *out, struct str *warn)
{
	char buf[512];
	struct str line = STR_INIT;
	ssize_t n;
	size_t got = 0;
	int fd, rc = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno != ENOENT)
			str_appendf(warn, "%s: %s; not used for the mail "
			    "domain\n", path, strerror(errno));
		return 1;
	}
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	{
		const char *nl = memchr(buf, '\n', got);

		str_set(&line, buf, nl ? (size_t)(nl - buf) : got);
		if (nl == NULL && got == sizeof(buf))
			str_reset(&line);	/* a first line this long */
	}
	if (line.len > 0 && line.data[line.len - 1] == '\r')
		str_truncate(&line, line.len - 1);
	str_trim(&line);
	/* "example.org." is the same name; addresses do not carry the dot. */
	if (line.len > 1 && line.data[line.len - 1] == '.')
		str_truncate(&line, line.len - 1);
	if (ids_domain_ok(line.data ? line.data : "", line.len)) {
		str_appends(out, &line);
		rc = 0;
	} else {
		str_appendf(warn, "%s: the first line '", path);
		str_append_escaped(warn, line.data, line.len > 80 ? 80 :
		    line.len);
		str_appendz(warn, "' is not a domain name (such as "
		    "example.org); not used for the mail domain\n");
	}
	str_free(&line);
	return rc;
}

enum ids_domain_from
ids_domain(const char *configured, const char *mailname, const char *hostname,
    struct str *out, struct str *warn)
{
	if (configured != NULL && *configured != '\0') {
		str_appendz(out, configured);
		return IDS_DOMAIN_CONFIG;
	}
	if (mailname != NULL && ids_mailname(mailname, out, warn) == 0)
		return IDS_DOMAIN_MAILNAME;
	/* "vm" or "localhost" would make root@vm: no relay takes that. */
	if (hostname != NULL && ids_domain_ok(hostname, strlen(hostname))) {
		str_appendz(out, hostname);
		return IDS_DOMAIN_HOSTNAME;
	}
	return IDS_DOMAIN_NONE;
}

void
ids_user(struct str *out)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		str_appendz(out, pw->pw_name);
	else
		str_appendf(out, "uid%lu", (unsigned long)getuid());
}
