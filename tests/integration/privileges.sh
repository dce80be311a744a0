#!/bin/sh
# The setgid install model attacked by a real unprivileged user:
# smtpgate-sendmail installed setgid to a group that may read the secret
# and write the queue, root's configuration at the compiled-in path, and a
# user who may do neither.  The user can send, queue, list and run their
# own messages; no flag, -C file, include, alias file or queue operation
# gets them the secret, another user's message, or the group.  Root and a
# daemon user with a nologin shell send through the same binary.
#
# Root's configuration must sit at the path the binary was built with
# (a -C file never gets the group), so the test runs in a private mount
# namespace with a tmpfs over $SMTPGATE_SYSCONFDIR: nothing outside it
# sees the file.  Needs root, unshare, useradd and runuser; skipped
# otherwise.
set -u
if [ -z "${SMTPGATE_IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null ||
	    ! command -v useradd > /dev/null || ! command -v runuser > /dev/null ||
	    [ ! -d "${SMTPGATE_SYSCONFDIR:-/nonexistent}" ]; then
		echo "SKIP: needs root, unshare, useradd, runuser and \$SMTPGATE_SYSCONFDIR"
		exit 77
	fi
	SMTPGATE_IN_NS=1 exec unshare --mount --propagation private --fork \
	    sh "$0" "$@"
fi
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
server="${srcdir:-.}/tests/integration/smtpd.py"
mount -t tmpfs -o mode=755 smtpgate-test-etc "$SMTPGATE_SYSCONFDIR" || exit 99
etc=$SMTPGATE_SYSCONFDIR/smtpgate
mkdir -m 755 "$etc"
conf=$etc/smtpgate.conf

# Syslog: cron and PHP throw stderr away, so failures must reach syslog.
# A listener of our own on /dev/log, in an overlay over /dev that only
# this namespace sees.
syslog=$tmp/syslog
private_syslog "$syslog"

grp=sgt$$
usr=sgu$$
dmn=sgd$$
groupadd "$grp" || exit 99
useradd -M -N -g nogroup -s /bin/sh -d /nonexistent "$usr" || { groupdel "$grp"; exit 99; }
useradd -r -M -N -g nogroup -s /usr/sbin/nologin -d /nonexistent "$dmn" ||
    { userdel "$usr"; groupdel "$grp"; exit 99; }
priv_cleanup() {
	userdel "$usr" 2>/dev/null
	userdel "$dmn" 2>/dev/null
	groupdel "$grp" 2>/dev/null
	cleanup
}
trap priv_cleanup EXIT

as_user() { runuser -u "$usr" -- "$@"; }

chmod 711 "$tmp"
mkdir -p "$tmp/bin" "$tmp/etc/secret" "$tmp/mail" "$tmp/amail"
cp ./sendmail-shim/smtpgate-sendmail "$tmp/bin/"
chgrp "$grp" "$tmp/bin/smtpgate-sendmail"
chmod 2755 "$tmp/bin/smtpgate-sendmail"
shim=$tmp/bin/smtpgate-sendmail
printf 'Top-Secret-pw1\n' > "$tmp/etc/secret/relay"
chgrp "$grp" "$tmp/etc/secret/relay"; chmod 640 "$tmp/etc/secret/relay"
chmod 750 "$tmp/etc/secret"; chgrp "$grp" "$tmp/etc/secret"
install -d -m 2770 -g "$grp" "$tmp/q" "$tmp/q/tmp" "$tmp/q/msg" "$tmp/q/env"
mkdir -p "$tmp/home"; chown "$usr" "$tmp/home"

port=$(pick_port 81)
relay_up() {
	start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
	    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
	    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/log" ||
	    { echo "FAIL: server did not start"; exit 1; }
	srv_pid=$_spid
}
relay_down() { kill "$srv_pid"; wait "$srv_pid" 2>/dev/null; }
relay_up
# The attacker's own server: whatever reaches it has leaked.
aport=$(pick_port 84)
start_server "$aport" "$tmp/attacker.out" python3 "$server" --port "$aport" \
    --auth PLAIN --auth-plaintext --user relay@example.org \
    --password whatever --maildir "$tmp/amail" --log "$tmp/alog" ||
    { echo "FAIL: attacker's server did not start"; exit 1; }

# write_conf [EXTRA-GENERAL-LINES] [EXTRA-QUEUE-LINES]: root's configuration.
write_conf() {
	cat > "$conf" <<CONF
[general]
hostname = priv.example.org
domain = example.org
${1:-}
[relay main]
host = 127.0.0.1
port = $port
tls = none
auth = plain
allow_plaintext_auth = yes
username = relay@example.org
password_file = $tmp/etc/secret/relay
timeout = 5
wait_ms = 20
[account acct@example.org]
relay = main
username = relay@example.org
password_command = /bin/cat $tmp/etc/secret/relay
[queue]
dir = $tmp/q
${2:-}
CONF
	chmod 644 "$conf"
}
write_conf
count() { ls "$tmp/mail" | grep -c '^msg-'; }
acount() { ls "$tmp/amail" | grep -c '^msg-'; }
leaked() {	# leaked NAME: the secret reached neither the attacker nor the output
	expect_nogrep "$1: nothing reached the attacker's server" "AUTH-DATA\|Top-Secret" "$tmp/alog"
	expect_nogrep "$1: no secret in the output" "Top-Secret" "$tmp/out"
}
: > "$tmp/alog"

# The user cannot read the secret directly.
as_user cat "$tmp/etc/secret/relay" > /dev/null 2>&1
expect "the user cannot read the secret file" 1 $?

# 1. The user sends; the shim logs in with the secret it may read.
printf 'Subject: from a user\n\nhello\n' | as_user "$shim" ops@example.org > "$tmp/out" 2>&1
expect "an unprivileged user can send" 0 $?
expect "the message arrived" 1 "$(count)"
expect_grep "the relay login was used" "AUTH-DATA" "$tmp/log"
expect "the helper wrote the wait_ms file, the group's" "$grp" \
    "$(stat -c %G "$tmp/q/pace.main" 2>/dev/null)"
expect "the wait_ms file is open to the group (0660) despite the umask" 660 \
    "$(stat -c %a "$tmp/q/pace.main" 2>/dev/null)"

# 1a. bulk_copies = first through the helper: the state file in the
# group's queue directory, which the user cannot open alone.
write_conf "" "[message]
bulk_copies = first"
for i in 1 2; do
	printf 'To: s%s@example.org\nCc: trainer@example.org\nX-Batch-ID: b1\nSubject: r\n\nx\n' "$i" |
	    as_user "$shim" -t > "$tmp/out" 2>&1 || cat "$tmp/out"
done
expect "through the helper, the trainer got one copy of the batch" 1 \
    "$(cat "$tmp/mail"/msg-* | grep -c '^RCPT TO:<trainer@example.org>')"
expect "the helper made the bulk_copies state file, the group's, 0660" "660 $grp" \
    "$(stat -c '%a %G' "$tmp/q/bulk.state" 2>/dev/null)"
grep -l '^X-Batch-ID: b1' "$tmp/mail"/msg-* | xargs rm -f	# the counts below
write_conf

# 1b. While the shim waits for the message on stdin, the process reading
# it has no group privilege left; only its helper (stdin /dev/null, in /)
# has.
ugid=$(id -g "$usr")
ggid=$(getent group "$grp" | cut -d: -f3)
gids() { awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$1/status"; }
groups_of() { awk '/^Groups:/ { $1 = ""; print }' "/proc/$1/status"; }
# find_pair USER: the shim of USER that has a helper child -> $reader $helper
find_pair() {
	reader= helper= i=0
	while [ $i -lt 100 ] && [ -z "$helper" ]; do
		sleep 0.1
		i=$((i + 1))
		for p in $(pgrep -u "$1" -x smtpgate-sendma); do
			pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
			if [ "$(cat "/proc/$pp/comm" 2>/dev/null)" = smtpgate-sendma ]; then
				helper=$p reader=$pp
			fi
		done
	done
}
mkfifo "$tmp/in.fifo"
as_user "$shim" ops@example.org < "$tmp/in.fifo" > "$tmp/out" 2>&1 &
shim_job=$!
# Only this shell may hold the writing end, or no end of file comes.
exec 7> "$tmp/in.fifo"
find_pair "$usr"
expect "two shim processes: reader and helper" yes "$([ -n "$helper" ] && echo yes)"
expect "the reader's gids (real, effective, saved, fs) are the user's" \
    "$ugid $ugid $ugid $ugid" "$(gids "$reader")"
expect "the reader has not the group as a supplementary one" "" \
    "$(groups_of "$reader" | tr ' ' '\n' | grep -x "$ggid")"
expect "the reader reads the fifo" "$tmp/in.fifo" "$(readlink "/proc/$reader/fd/0")"
expect "the helper keeps the group (effective gid)" "$ggid" \
    "$(gids "$helper" | cut -d' ' -f2)"
expect "the helper does not hold the message's stdin" /dev/null \
    "$(readlink "/proc/$helper/fd/0")"
expect "the helper works in /, not in the caller's directory" / \
    "$(readlink "/proc/$helper/cwd")"
printf 'Subject: through a fifo\n\nhello\n' >&7
exec 7>&-
wait "$shim_job"
expect "the message read without the group is sent" 0 $?
expect "it arrived" 2 "$(count)"

# 1c. An [account] login whose password_command (from root's config)
# reads the group's secret: the helper runs it, with the group.
printf 'Subject: account\n\nhello\n' | as_user "$shim" -f acct@example.org ops@example.org > "$tmp/out" 2>&1
expect "the account's password_command works through the helper" 0 $?
expect "the account's message arrived" 3 "$(count)"
expect_nogrep "no secret in its output" "Top-Secret" "$tmp/out"

# 1d. Root (cron) and a daemon user with a nologin shell send through the
# same setgid binary.
printf 'Subject: from root\n\nhello\n' | "$shim" -FCronDaemon -i -B8BITMIME -oem ops@example.org > "$tmp/out" 2>&1
expect "root sends through the setgid binary" 0 $?
expect "root's message arrived" 4 "$(count)"
printf 'Subject: from a daemon\n\nhello\n' | runuser -u "$dmn" -- "$shim" ops@example.org > "$tmp/out" 2>&1
expect "a daemon user with a nologin shell sends" 0 $?
expect "the daemon's message arrived" 5 "$(count)"
if have_syslog; then
	sleep 0.2
	expect_grep "root's message is in syslog (mail.info)" "^<22>.*smtpgate-sendmail.*status=sent" "$syslog"
	as_user "$shim" -Z ops@example.org > "$tmp/out" 2>&1
	expect "a bad flag from the user is a usage error" 64 $?
	sleep 0.2
	expect_grep "the usage error is in syslog too (mail.err)" "^<19>.*smtpgate-sendmail.*unknown option -Z" "$syslog"
	printf 'Subject: x\n\nx\n' | runuser -u "$dmn" -- "$shim" -C /nonexistent/smtpgate.conf ops@example.org > "$tmp/out" 2>&1
	expect "the daemon user's missing -C file: exit 66" 66 $?
	sleep 0.2
	expect_grep "the daemon's config failure is in syslog" "^<19>.*smtpgate-sendmail.*/nonexistent/smtpgate.conf" "$syslog"
else
	echo "# no /dev overlay: the syslog checks are left out"
fi

# 1e. The default login of [general] (credentials = default): its secret,
# which the user cannot read either, comes from the helper too.
printf 'Top-Secret-pw1\n' > "$tmp/etc/secret/default"
chgrp "$grp" "$tmp/etc/secret/default"; chmod 640 "$tmp/etc/secret/default"
write_conf "username = relay@example.org
password_file = $tmp/etc/secret/default
[relay dflt]
host = 127.0.0.1
port = $port
tls = none
auth = plain
allow_plaintext_auth = yes
# Not on to [relay main], whose own login would hide a failure here.
fallback = no
credentials = default"
: > "$tmp/log"
printf 'Subject: default login\n\nhello\n' | as_user "$shim" ops@example.org > "$tmp/out" 2>&1
expect "the default login's secret works through the helper" 0 $?
expect "the default login's message arrived" 6 "$(count)"
expect_grep "the server saw the default login" 'AUTH-DATA \\0relay@example.org\\0' "$tmp/log"
leaked "default login"
write_conf

# 2. -v does not show the secret.
printf 'Subject: verbose\n\nhello\n' | as_user "$shim" -v ops@example.org > "$tmp/out" 2>&1
expect "-v sends" 0 $?
expect_nogrep "-v never shows the secret" "Top-Secret" "$tmp/out"

# 3. -C gets no group.  A config of the user's own that sends the relay's
# password file to the user's own server: the secret cannot be read.
cat > "$tmp/home/steal.conf" <<CONF
[relay mine]
host = 127.0.0.1
port = $aport
tls = none
auth = plain
allow_plaintext_auth = yes
username = relay@example.org
password_file = $tmp/etc/secret/relay
[queue]
mode = never
CONF
printf '[relay x]\nhost = 127.0.0.1\ninclude = %s\n' "$tmp/etc/secret/relay" > "$tmp/home/inc.conf"
chown "$usr" "$tmp/home"/*.conf
printf 'Subject: steal\n\nx\n' | as_user "$shim" -C "$tmp/home/steal.conf" ops@example.org > "$tmp/out" 2>&1
rc=$?
expect "-C with the group's password_file: not sent" yes "$([ $rc -ne 0 ] && echo yes)"
expect_grep "the refusal names the password file" "relay" "$tmp/out"
leaked "-C password_file"
as_user "$shim" -C "$tmp/home/inc.conf" --check-config > "$tmp/out" 2>&1
expect "including the secret from an own config is refused" 78 $?
expect_grep "the include is named, with why" "Permission denied" "$tmp/out"
leaked "-C include"
as_user "$shim" -C "$tmp/etc/secret/relay" --check-config > "$tmp/out" 2>&1
expect "-C on the secret file itself cannot be read" 74 $?
leaked "-C secret"
# Even root's own file named with -C runs without the group.
: > "$tmp/log"
printf 'Subject: root file by -C\n\nx\n' | as_user "$shim" -C "$conf" ops@example.org > "$tmp/out" 2>&1
expect "-C on root's own file: not sent with the group's secret" yes "$([ $? -ne 0 ] && echo yes)"
expect_nogrep "-C on root's own file: no login reached the relay" "AUTH-DATA" "$tmp/log"
expect "-C on root's own file: nothing queued in the system queue" 0 "$(ls "$tmp/q/env" | wc -l)"

# 4. Root's file that includes a file the user may change is no longer
# root's: no helper, a warning that says what to fix.
printf '# the user writes here\n' > "$tmp/home/extra.conf"
chown "$usr" "$tmp/home/extra.conf"
write_conf "include = $tmp/home/extra.conf"
: > "$tmp/log"
printf 'Subject: untrusted include\n\nx\n' | as_user "$shim" ops@example.org > "$tmp/out" 2>&1
expect "an include the user owns: not sent with the group" yes "$([ $? -ne 0 ] && echo yes)"
expect_grep "the warning says what to change" "chown root and chmod go-w" "$tmp/out"
expect_nogrep "no login reached the relay" "AUTH-DATA" "$tmp/log"
leaked "user-owned include"
# The aliases file is read as the user: a group-only one is refused
# without quoting it.
printf 'root: hidden-alias@example.org\n' > "$tmp/etc/aliases"
chgrp "$grp" "$tmp/etc/aliases"; chmod 640 "$tmp/etc/aliases"
write_conf "aliases = $tmp/etc/aliases"
printf 'Subject: alias\n\nx\n' | as_user "$shim" root > "$tmp/out" 2>&1
expect "a group-only aliases file is not read for the user" 78 $?
expect_nogrep "its content is not quoted" "hidden-alias" "$tmp/out"
write_conf

# 4b. password_command with a bare name would run ./tokencmd from the
# caller's directory, with the group: root's config is refused and the
# planted program never runs.  With an absolute path, the command starts
# in / with a fixed environment, whatever the caller's.
printf '#!/bin/sh\ntouch "%s"\n' "$tmp/home/planted-ran" > "$tmp/home/tokencmd"
chmod 755 "$tmp/home/tokencmd"; chown "$usr" "$tmp/home/tokencmd"
sed -i 's|^password_command = .*|password_command = tokencmd|' "$conf"
(cd "$tmp/home" && as_user "$shim" --check-config) > "$tmp/out" 2>&1
expect "a bare password_command name is a config error" 78 $?
expect_grep "the error is file:line: and names the key" \
    "smtpgate.conf:[0-9]*: password_command: 'tokencmd' is not an absolute path" "$tmp/out"
printf 'Subject: bare\n\nx\n' | (cd "$tmp/home" && as_user "$shim" \
    -f acct@example.org ops@example.org) > "$tmp/out" 2>&1
expect "sending with it is refused as a config error" 78 $?
(cd "$tmp/home" && "$shim" -q) > "$tmp/out" 2>&1
expect "root's -q with it is refused too" 78 $?
expect "the program in the caller's directory never ran" no \
    "$([ -e "$tmp/home/planted-ran" ] && echo yes || echo no)"
# (A shell script: dash drops the group, so it prints the secret itself.)
printf '#!/bin/sh\npwd > "%s"\nenv | sort > "%s"\necho Top-Secret-pw1\n' \
    "$tmp/home/cmd-pwd" "$tmp/home/cmd-env" > "$tmp/etc/tokencmd"
chmod 755 "$tmp/etc/tokencmd"
write_conf
sed -i "s|^password_command = .*|password_command = $tmp/etc/tokencmd|" "$conf"
n0=$(count)
printf 'Subject: abs\n\nx\n' | (cd "$tmp/home" && as_user env FOO=bar HOME=/tmp \
    "$shim" -f acct@example.org ops@example.org) > "$tmp/out" 2>&1
expect "an absolute password_command works" 0 $?
expect "its message arrived" $((n0 + 1)) "$(count)"
expect "the command ran in /, not the caller's directory" / "$(cat "$tmp/home/cmd-pwd" 2>/dev/null)"
expect "the command's environment is fixed" "HOME=/ LANG=C PATH=/usr/bin:/bin" \
    "$(grep -v '^PWD=\|^SHLVL=\|^_=' "$tmp/home/cmd-env" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
write_conf

# 5. The relay is down: the user's and root's messages are queued; the
# queue files are the group's, not readable by the user.
relay_down
# min_free_space holds through the helper: a 1 MB queue file system.
install -d -m 2770 -g "$grp" "$tmp/smallq"
mount -t tmpfs -o size=1m,mode=2770 smtpgate-test-q "$tmp/smallq" &&
    chgrp "$grp" "$tmp/smallq" &&
    install -d -m 2770 -g "$grp" "$tmp/smallq/tmp" "$tmp/smallq/msg" "$tmp/smallq/env"
sed -i "s|^dir = .*|dir = $tmp/smallq\nmin_free_space = 10M|" "$conf"
printf 'Subject: no room\n\nx\n' | as_user "$shim" user-rcpt@example.org > "$tmp/out" 2>&1
expect "below min_free_space the user's message is refused for now (75)" 75 $?
expect_grep "the refusal names the setting" "min_free_space" "$tmp/out"
expect "no message was written to the small queue" 0 \
    "$(find "$tmp/smallq/tmp" "$tmp/smallq/msg" "$tmp/smallq/env" -type f | wc -l)"
umount "$tmp/smallq"
write_conf
# The queue's tmp/, msg/ and env/ are made by root (or the package), never
# by the first user whose message is queued: whoever owned them could
# rename or remove everyone's mail.
install -d -m 2770 -g "$grp" "$tmp/q2"
sed -i "s|^dir = .*|dir = $tmp/q2|" "$conf"
printf 'Subject: no subdirs\n\nx\n' | as_user "$shim" user-rcpt@example.org > "$tmp/out" 2>&1
expect "a queue without its directories: the user's message is not queued" yes \
    "$([ $? -ne 0 ] && echo yes)"
expect_grep "the refusal gives root's command" "install -d -o root -g $grp -m 2770 $tmp/q2/" "$tmp/out"
expect "the user made no queue directory" "" "$(ls "$tmp/q2" | grep -v '^pace\.')"
"$shim" -bp > "$tmp/out" 2>&1
expect "root's run makes them" "env msg tmp" "$(ls "$tmp/q2" | grep -v '^pace\.' | tr '\n' ' ' | sed 's/ $//')"
expect "root's directories are root's and the group's, 2770" "2770 root $grp" \
    "$(stat -c '%a %U %G' "$tmp/q2/env")"
write_conf
printf 'Subject: queued by a user\n\nprivate text\n' | as_user "$shim" user-rcpt@example.org > "$tmp/out" 2>&1
expect "the user's message is queued (exit 0)" 0 $?
printf 'Subject: queued by root\n\nroot text\n' | "$shim" root-rcpt@example.org > "$tmp/out" 2>&1
expect "root's message is queued (exit 0)" 0 $?
expect "two messages in the queue" 2 "$(ls "$tmp/q/env" | wc -l)"
uid_user=$(id -u "$usr")
uq=$(grep -l "^owner $uid_user\$" "$tmp"/q/env/* | head -n 1); uq=${uq##*/}
rq=$(grep -l '^owner 0$' "$tmp"/q/env/* | head -n 1); rq=${rq##*/}
expect "the envelopes record their owners" yes "$([ -n "$uq" ] && [ -n "$rq" ] && echo yes)"
f=$tmp/q/msg/$uq
as_user cat "$f" > /dev/null 2>&1
expect "the user cannot read a queued message" 1 $?
expect "queued message belongs to the group" "$grp" "$(stat -c %G "$f")"
expect "queued message is not world-readable" 0 "$(( 0$(stat -c %a "$f") & 7 ))"
expect "the envelope belongs to the group" "$grp" "$(stat -c %G "$tmp/q/env/$uq")"
expect "nothing left in tmp/" 0 "$(ls "$tmp/q/tmp" | wc -l)"

# 6. mailq: the user sees their own message and a count of the rest.
as_user "$shim" -bp > "$tmp/out" 2>&1
expect "the user's mailq works" 0 $?
expect_grep "the user sees their own message" "$uq" "$tmp/out"
expect_grep "the user sees their recipient" "user-rcpt@example.org" "$tmp/out"
expect_nogrep "the user does not see root's message" "$rq\|root-rcpt" "$tmp/out"
expect_grep "the user is told of the others" "1 more message of other users" "$tmp/out"
"$shim" -bp > "$tmp/out" 2>&1
expect_grep "root sees every message" "root-rcpt@example.org" "$tmp/out"
expect_grep "root sees the user's too" "user-rcpt@example.org" "$tmp/out"
write_conf "" "mailq_shows_all = yes"
as_user "$shim" -bp > "$tmp/out" 2>&1
expect_grep "mailq_shows_all = yes: the user sees all" "root-rcpt@example.org" "$tmp/out"
write_conf

# 7. The user's -q with a config of their own, against the real queue and
# their own relay: the queue is not theirs to read.
cat > "$tmp/home/q.conf" <<CONF
[relay mine]
host = 127.0.0.1
port = $aport
tls = none
auth = none
[queue]
dir = $tmp/q
CONF
chown "$usr" "$tmp/home/q.conf"
as_user "$shim" -C "$tmp/home/q.conf" -q > "$tmp/out" 2>&1
expect "-C -q on the system queue: nothing reached the attacker" 0 "$(acount)"
expect "-C -q on the system queue: both messages still queued" 2 "$(ls "$tmp/q/env" | wc -l)"
as_user "$shim" -C "$tmp/home/q.conf" -bp > "$tmp/out" 2>&1
expect_nogrep "-C -bp on the system queue shows nothing of root's" "root-rcpt" "$tmp/out"

# 8. The relay is back.  The user's -q runs the user's message only, even
# when named by id; root's -q runs the rest.
relay_up
n0=$(count)
as_user "$shim" -qI"$rq" > "$tmp/out" 2>&1
expect "the user's -qI on root's message: the run works" 0 $?
expect "root's message is not sent by the user" "$n0" "$(count)"
# The user's -q through a relay that takes 3 s to greet: meanwhile the
# process that speaks SMTP has no group, only its helper has.
sport=$(pick_port 85)
start_server "$sport" "$tmp/sserver.out" python3 "$server" --port "$sport" \
    --slow 3 --auth PLAIN --auth-plaintext --require-auth \
    --user relay@example.org --password Top-Secret-pw1 \
    --maildir "$tmp/mail" --log "$tmp/slog" ||
    { echo "FAIL: slow server did not start"; exit 1; }
sed -i "s/^port = $port\$/port = $sport/" "$conf"
as_user "$shim" -q > "$tmp/out" 2>&1 &
q_job=$!
find_pair "$usr"
expect "the user's -q: a runner and a helper" yes "$([ -n "$helper" ] && echo yes)"
expect "the runner that speaks SMTP has only the user's gids" \
    "$ugid $ugid $ugid $ugid" "$(gids "$reader")"
expect "the runner's helper keeps the group" "$ggid" \
    "$(gids "$helper" | cut -d' ' -f2)"
wait "$q_job"
expect "the user's -q runs" 0 $?
write_conf
expect "the user's message is delivered" $((n0 + 1)) "$(count)"
expect "root's message stays" "$rq" "$(ls "$tmp/q/env")"
cat "$tmp/mail"/msg-* > "$tmp/all-mail"
expect_grep "the queued text arrived" "private text" "$tmp/all-mail"
expect_nogrep "root's text did not go yet" "root text" "$tmp/all-mail"
"$shim" -q > "$tmp/out" 2>&1
expect "root's -q runs the queue" 0 $?
expect "root's message is delivered" $((n0 + 2)) "$(count)"
expect "the queue is empty" 0 "$(ls "$tmp/q/env" | wc -l)"

# 8b. --delete: a user removes their own messages, not root's; ALL means
# all of their own; root removes any.
relay_down
for who in user user root; do
	if [ $who = user ]; then
		printf 'Subject: to delete\n\nx\n' | as_user "$shim" del-$who@example.org > "$tmp/out" 2>&1
	else
		printf 'Subject: to delete\n\nx\n' | "$shim" del-$who@example.org > "$tmp/out" 2>&1
	fi
done
expect "three messages queued to delete" 3 "$(ls "$tmp/q/env" | wc -l)"
uq=$(grep -l "^owner $uid_user\$" "$tmp"/q/env/* | head -n 1); uq=${uq##*/}
rq=$(grep -l '^owner 0$' "$tmp"/q/env/* | head -n 1); rq=${rq##*/}
as_user "$shim" -bp > "$tmp/out" 2>&1
expect_grep "mailq shows the attempts and the next try" "(1 attempt; next " "$tmp/out"
as_user "$shim" --delete "$rq" > "$tmp/out" 2>&1
expect "the user cannot delete root's message" 77 $?
expect_grep "the refusal says whose it is" "not a message of yours" "$tmp/out"
expect "root's message is still queued" yes "$([ -e "$tmp/q/env/$rq" ] && echo yes)"
as_user "$shim" --delete "$uq" > "$tmp/out" 2>&1
expect "the user deletes their own message" 0 $?
expect "it is gone" no "$([ -e "$tmp/q/env/$uq" ] || [ -e "$tmp/q/msg/$uq" ] && echo yes || echo no)"
as_user "$shim" --delete "$uq" > "$tmp/out" 2>&1
expect "deleting it again: not in the queue" 66 $?
as_user "$shim" --delete ALL > "$tmp/out" 2>&1
expect "the user's --delete ALL works" 0 $?
expect_grep "it removed one message" "Deleted: 1 message$" "$tmp/out"
expect "only root's message is left" "$rq" "$(ls "$tmp/q/env")"
as_user "$shim" --delete '../env/x' > "$tmp/out" 2>&1
expect "a path for an id is refused" 64 $?
"$shim" --delete "$rq" > "$tmp/out" 2>&1
expect "root deletes root's message" 0 $?
expect "the queue is empty again" 0 "$(ls "$tmp/q/env" | wc -l)"
relay_up

# 9. -bs by the user: the SMTP dialogue is read without the group too,
# and its message goes out with the login the helper gives.
printf 'HELO x\r\nMAIL FROM:<ops@example.org>\r\nRCPT TO:<bs@example.org>\r\nDATA\r\nSubject: bs\r\n\r\nbs body\r\n.\r\nQUIT\r\n' |
    as_user "$shim" -bs > "$tmp/out" 2>&1
expect "-bs by the user works" 0 $?
expect_grep "-bs message accepted" "^250 2.0.0 Ok: sent" "$tmp/out"
expect "the -bs message arrived" $((n0 + 3)) "$(count)"

# 10. A recipient refused while the user sends: the notice to the sender
# is a second message, sent and queued through the same helper.
fport=$(pick_port 83)
start_server "$fport" "$tmp/fserver.out" python3 "$server" --port "$fport" \
    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/flog" \
    --fail 'rcpt=gone@example.org:550 5.1.1 no such user' ||
    { echo "FAIL: server did not start"; exit 1; }
write_conf
sed -i "s/^port = $port\$/port = $fport/" "$conf"
n0=$(count)
printf 'Subject: half\n\nx\n' | as_user "$shim" -f ops@example.org \
    ok@example.org gone@example.org > "$tmp/out" 2>&1
expect "the user's message with a refused recipient: exit 0" 0 $?
expect "the message and its notice arrived" $((n0 + 2)) "$(count)"
notice=$(grep -l -a '^Final-Recipient: rfc822; gone@example.org' "$tmp/mail"/msg-* | head -n 1)
expect "the notice names the refused recipient" 0 $([ -n "$notice" ]; echo $?)
expect "the notice reached the sender" "RCPT TO:<ops@example.org>" \
    "$(sed -n 2p "${notice:-/dev/null}")"
expect "nothing stayed in the queue" 0 "$(ls "$tmp/q/env" | wc -l)"
write_conf

# 11. SSL_CERT_DIR: a user's own run may name the CAs it trusts, but the
# setgid shim ignores it, or the user could choose whom the relay's
# password goes to.  A STARTTLS relay verified against the system store
# (no tls_ca_file), with a CA the system does not know.
if command -v openssl > /dev/null 2>&1 && make_certs "$tmp/pki" > /dev/null 2>&1; then
	mkdir -p "$tmp/cadir" && cp "$tmp/pki/ca.pem" "$tmp/cadir/" &&
	    openssl rehash "$tmp/cadir" 2>/dev/null
	chmod -R a+rX "$tmp/cadir"
	tport=$(pick_port 82)
	start_server "$tport" "$tmp/tserver.out" python3 "$server" --port "$tport" \
	    --tls starttls --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" \
	    --auth PLAIN --require-auth --user relay@example.org \
	    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/tlog" ||
	    { echo "FAIL: TLS server did not start"; exit 1; }
	sed -e "s/^port = $port\$/port = $tport/" -e 's/^tls = none$/tls = starttls/' \
	    -e '/^allow_plaintext_auth/d' -e 's/^\[queue\]$/[queue]\nmode = never/' \
	    "$conf" > "$tmp/etc/tls.conf"
	chmod 644 "$tmp/etc/tls.conf"
	n0=$(count)
	printf 'Subject: own trust\n\nx\n' | SSL_CERT_DIR="$tmp/cadir" \
	    ./sendmail-shim/smtpgate-sendmail -C "$tmp/etc/tls.conf" ops@example.org > "$tmp/out" 2>&1
	expect "not setgid: SSL_CERT_DIR names a CA the relay is verified with" 0 $?
	expect "not setgid: the message arrived over TLS" $((n0 + 1)) "$(count)"
	cp "$tmp/etc/tls.conf" "$conf"
	: > "$tmp/tlog"
	printf 'Subject: chosen trust\n\nx\n' | as_user env SSL_CERT_DIR="$tmp/cadir" \
	    "$shim" ops@example.org > "$tmp/out" 2>&1
	expect "setgid: SSL_CERT_DIR is ignored, the certificate is refused" 75 $?
	expect_grep "setgid: the refusal names the certificate" "certificate" "$tmp/out"
	expect "setgid: nothing arrived" $((n0 + 1)) "$(count)"
	expect_nogrep "setgid: the password was never sent" "AUTH" "$tmp/tlog"
	write_conf
else
	echo "# no openssl CLI: the SSL_CERT_DIR case is left out"
fi

[ "$nfail" -eq 0 ]
