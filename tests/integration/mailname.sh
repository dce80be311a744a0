#!/bin/sh
# Day one on Debian: no [general] domain, and cron's own command line
# delivers to root@ the domain of /etc/mailname, with the From and To
# header addresses qualified the way Postfix's cleanup writes them.
#
# /etc/mailname and the host name are the system's: the test runs in
# private mount and UTS namespaces, writes its own /etc/mailname into an
# overlay on /etc (or a bind mount over the file when there is one) and
# sets its own host name, so nothing outside the namespaces sees either.
# Needs root and unshare; skipped otherwise.
set -u
if [ -z "${SMTPGATE_IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null ||
	    ! command -v python3 > /dev/null ||
	    ! unshare --mount --uts --propagation private true 2> /dev/null; then
		echo "SKIP: needs root, unshare (mount and UTS namespaces) and python3"
		exit 77
	fi
	SMTPGATE_IN_NS=1 exec unshare --mount --uts --propagation private \
	    --fork sh "$0" "$@"
fi
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"

# Our own /etc/mailname, the real one untouched.
if [ -e /etc/mailname ]; then
	: > "$tmp/mailname"
	mount --bind "$tmp/mailname" /etc/mailname || exit 99
else
	mkdir "$tmp/ov" && mount -t tmpfs smtpgate-test-ov "$tmp/ov" &&
	    mkdir "$tmp/ov/up" "$tmp/ov/work" &&
	    mount -t overlay smtpgate-test-etc -o \
	    "lowerdir=/etc,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" /etc ||
	    { echo "SKIP: cannot put an overlay on /etc"; exit 77; }
	# The namespace would drop the mounts anyway, but only after
	# cleanup's rm -rf has met the busy tmpfs.
	mailname_cleanup() {
		umount -l /etc 2>/dev/null
		umount -l "$tmp/ov" 2>/dev/null
		cleanup
	}
	trap mailname_cleanup EXIT
fi
mailname() { printf '%s\n' "$1" > /etc/mailname; }
hostname vm || exit 99

port=$(pick_port 61)
mkdir -p "$tmp/mail"
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not start"; exit 1; }
last() { ls "$tmp"/mail/msg-* | tail -n 1; }
count() { ls "$tmp/mail" | grep -c '^msg-'; }

# No [general] domain, no aliases: only a relay, as the issue says.
cat > "$tmp/c.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $port
tls = none
timeout = 5
[queue]
dir = $tmp/q
CONF
cron_mail() {	# cron_mail CONF: what cron 3.0 (Debian) pipes and runs
	printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@vm> run-parts --report /etc/cron.daily\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\n\n/etc/cron.daily/logrotate: done\n' |
	    $shim -C "$1" -FCronDaemon -i -B8BITMIME -oem root > "$tmp/out" 2>&1
}

mailname mail.example.test
cron_mail "$tmp/c.conf"
expect "cron's command line is delivered" 0 $?
expect "one message arrived" 1 "$(count)"
f=$(last)
expect_grep "root gets the domain of /etc/mailname" \
    "^RCPT TO:<root@mail.example.test>$" "$f"
expect_grep "From: qualified, its comment kept" \
    "^From: root@mail.example.test (Cron Daemon)$(printf '\r')$" "$f"
expect_grep "To: qualified" "^To: root@mail.example.test$(printf '\r')$" "$f"
expect_grep "the other header lines are as cron wrote them" \
    "^Subject: Cron <root@vm> run-parts --report /etc/cron.daily$(printf '\r')$" "$f"
expect_nogrep "no warning" "warning" "$tmp/out"

$shim -C "$tmp/c.conf" --check-config > "$tmp/out" 2>&1
expect "--check-config" 0 $?
expect_grep "--check-config says where the domain comes from" \
    "local names get @mail.example.test (from /etc/mailname)" "$tmp/out"

# Aliases decide where the mail goes; the header still says root@domain,
# as with Postfix, whose aliases never reach the header.
printf 'root: ops@example.org\n' > "$tmp/aliases"
sed "1i [general]\naliases = $tmp/aliases" "$tmp/c.conf" > "$tmp/a.conf"
cron_mail "$tmp/a.conf"
expect "cron's mail with an alias for root" 0 $?
f=$(last)
expect_grep "the alias decides the envelope" "^RCPT TO:<ops@example.org>$" "$f"
expect_nogrep "and only the alias" "^RCPT TO:<root@" "$f"
expect_grep "the header is qualified, not aliased" \
    "^To: root@mail.example.test$(printf '\r')$" "$f"

# -t with a display name, a group, and a qualified address; Bcc leaves.
printf 'From: "Backup job" <backup>\nTo: Admins: root, "Web" <www-data>;, a@example.org\nCc: (night shift) op\nReply-To: <help>\nBcc: audit\nSubject: t\n\nx\n' |
    $shim -C "$tmp/c.conf" -t > "$tmp/out" 2>&1
expect "-t with local names" 0 $?
f=$(last)
for r in root www-data op audit; do
	expect_grep "-t: $r qualified in the envelope" \
	    "^RCPT TO:<$r@mail.example.test>$" "$f"
done
expect_grep "-t: a qualified address as it was" "^RCPT TO:<a@example.org>$" "$f"
expect_grep "display name kept" \
    "^From: \"Backup job\" <backup@mail.example.test>$(printf '\r')$" "$f"
# (The changed field is folded at 78 columns: a@example.org is on the
# next line.)
expect_grep "group syntax kept, members qualified" \
    "^To: Admins: root@mail.example.test, \"Web\" <www-data@mail.example.test>;,$(printf '\r')$" "$f"
expect_grep "a comment before the address kept" \
    "^Cc: (night shift) op@mail.example.test$(printf '\r')$" "$f"
expect_grep "Reply-To qualified" "^Reply-To: <help@mail.example.test>$(printf '\r')$" "$f"
expect_nogrep "Bcc still removed" "^Bcc:" "$f"

# [general] domain wins over /etc/mailname.
sed "1i [general]\ndomain = conf.example.test" "$tmp/c.conf" > "$tmp/d.conf"
cron_mail "$tmp/d.conf"
expect "with [general] domain" 0 $?
f=$(last)
expect_grep "[general] domain wins" "^RCPT TO:<root@conf.example.test>$" "$f"
expect_grep "in the header too" "^To: root@conf.example.test$(printf '\r')$" "$f"

# A mailname that is no domain: a warning, and the host name instead.
mailname 'not a domain; rm -rf /'
hostname host.example.test
cron_mail "$tmp/c.conf"
expect "a garbage /etc/mailname: still delivered" 0 $?
expect_grep "the warning names the file" "/etc/mailname: the first line" "$tmp/out"
f=$(last)
expect_grep "the host name's domain instead" "^RCPT TO:<root@host.example.test>$" "$f"

# And a host name without a dot: no domain to give, the error says
# what to set (this is the old behaviour, now the last resort).
hostname vm
cron_mail "$tmp/c.conf"
expect "no domain anywhere: EX_NOUSER" 67 $?
expect_grep "the error names the setting" "\[general\] domain" "$tmp/out"
rm -f /etc/mailname 2>/dev/null || mailname ''
printf 'Subject: t\n\nx\n' | $shim -C "$tmp/c.conf" nobody-here > "$tmp/out" 2>&1
expect "no /etc/mailname, host name vm: EX_NOUSER" 67 $?

[ "$nfail" -eq 0 ]
