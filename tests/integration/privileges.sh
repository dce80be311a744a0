#!/bin/sh
# The setgid install model with a real unprivileged user: smtpgate-sendmail
# installed setgid to a group that may read the secret and write the
# queue, used by a user who may do neither.  The user can send and queue,
# and cannot read the secret, another user's queued message, or get the
# secret out through -v, -C or a config of their own.  Needs root (to
# create the user and group); skipped otherwise.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
server="${srcdir:-.}/tests/integration/smtpd.py"
if [ "$(id -u)" != 0 ] || ! command -v useradd > /dev/null || ! command -v runuser > /dev/null; then
	echo "SKIP: needs root, useradd and runuser"
	exit 77
fi
grp=sgt$$
usr=sgu$$
groupadd "$grp" || exit 99
useradd -M -N -g nogroup -s /bin/sh -d /nonexistent "$usr" || { groupdel "$grp"; exit 99; }
priv_cleanup() {
	userdel "$usr" 2>/dev/null
	groupdel "$grp" 2>/dev/null
	cleanup
}
trap priv_cleanup EXIT

as_user() { runuser -u "$usr" -- "$@"; }

chmod 711 "$tmp"
mkdir -p "$tmp/bin" "$tmp/etc/secret" "$tmp/mail"
cp ./sendmail-shim/smtpgate-sendmail "$tmp/bin/"
chgrp "$grp" "$tmp/bin/smtpgate-sendmail"
chmod 2755 "$tmp/bin/smtpgate-sendmail"
shim=$tmp/bin/smtpgate-sendmail
printf 'Top-Secret-pw1\n' > "$tmp/etc/secret/relay"
chgrp "$grp" "$tmp/etc/secret/relay"; chmod 640 "$tmp/etc/secret/relay"
chmod 750 "$tmp/etc/secret"; chgrp "$grp" "$tmp/etc/secret"
install -d -m 2770 -g "$grp" "$tmp/q"

port=$(pick_port 81)
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not start"; exit 1; }
srv_pid=$_spid
cat > "$tmp/etc/smtpgate.conf" <<CONF
[general]
hostname = priv.example.org
domain = example.org
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
CONF
chmod 644 "$tmp/etc/smtpgate.conf"
count() { ls "$tmp/mail" | grep -c '^msg-'; }

# The user cannot read the secret directly.
as_user cat "$tmp/etc/secret/relay" > /dev/null 2>&1
expect "the user cannot read the secret file" 1 $?

# 1. The user sends; the shim logs in with the secret it may read.
printf 'Subject: from a user\n\nhello\n' | as_user "$shim" -C "$tmp/etc/smtpgate.conf" ops@example.org > "$tmp/out" 2>&1
expect "an unprivileged user can send" 0 $?
expect "the message arrived" 1 "$(count)"
expect_grep "the relay login was used" "AUTH-DATA" "$tmp/log"
expect "the helper wrote the wait_ms file, the group's" "$grp" \
    "$(stat -c %G "$tmp/q/pace.main" 2>/dev/null)"
expect "the wait_ms file is open to the group (0660) despite the umask" 660 \
    "$(stat -c %a "$tmp/q/pace.main" 2>/dev/null)"

# 1b. While the shim waits for the message on stdin, the process reading
# it has no group privilege left; only its helper (stdin /dev/null) has.
ugid=$(id -g "$usr")
ggid=$(getent group "$grp" | cut -d: -f3)
mkfifo "$tmp/in.fifo"
as_user "$shim" -C "$tmp/etc/smtpgate.conf" ops@example.org < "$tmp/in.fifo" > "$tmp/out" 2>&1 &
shim_job=$!
# Only this shell may hold the writing end, or no end of file comes.
exec 7> "$tmp/in.fifo"
reader= helper= i=0
while [ $i -lt 100 ] && [ -z "$helper" ]; do
	sleep 0.1
	i=$((i + 1))
	for p in $(pgrep -u "$usr" -x smtpgate-sendma); do
		pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
		if [ "$(cat "/proc/$pp/comm" 2>/dev/null)" = smtpgate-sendma ]; then
			helper=$p reader=$pp
		fi
	done
done
gids() { awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$1/status"; }
groups_of() { awk '/^Groups:/ { $1 = ""; print }' "/proc/$1/status"; }
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
printf 'Subject: through a fifo\n\nhello\n' >&7
exec 7>&-
wait "$shim_job"
expect "the message read without the group is sent" 0 $?
expect "it arrived" 2 "$(count)"

# 1c. An [account] login whose password_command (from root's config)
# reads the group's secret: the helper runs it, with the group.
printf 'Subject: account\n\nhello\n' | as_user "$shim" -C "$tmp/etc/smtpgate.conf" -f acct@example.org ops@example.org > "$tmp/out" 2>&1
expect "the account's password_command works through the helper" 0 $?
expect "the account's message arrived" 3 "$(count)"
expect_nogrep "no secret in its output" "Top-Secret" "$tmp/out"

# 2. -v does not show the secret.
printf 'Subject: verbose\n\nhello\n' | as_user "$shim" -C "$tmp/etc/smtpgate.conf" -v ops@example.org > "$tmp/out" 2>&1
expect "-v sends" 0 $?
expect_nogrep "-v never shows the secret" "Top-Secret" "$tmp/out"

# 3. -C on a file the user cannot read is refused, without its content.
as_user "$shim" -C "$tmp/etc/secret/relay" --check-config > "$tmp/out" 2>&1
expect "-C on the secret file is EX_NOPERM" 77 $?
expect_nogrep "no secret in the refusal" "Top-Secret" "$tmp/out"
expect_grep "the refusal says why" "cannot read this file yourself" "$tmp/out"

# 4. A config of the user's own may not include the secret, nor run a
# password_command with the group's rights.
mkdir -p "$tmp/home"; chown "$usr" "$tmp/home"
printf '[relay x]\nhost = 127.0.0.1\ninclude = %s\n' "$tmp/etc/secret/relay" > "$tmp/home/inc.conf"
printf '[relay x]\nhost = 127.0.0.1\nusername = u\npassword_command = /bin/cat %s\n' "$tmp/etc/secret/relay" > "$tmp/home/cmd.conf"
chown "$usr" "$tmp/home"/*.conf
as_user "$shim" -C "$tmp/home/inc.conf" --check-config > "$tmp/out" 2>&1
expect "including the secret from an own config is refused" 78 $?
expect_grep "the include is named" "not readable by you" "$tmp/out"
expect_nogrep "no secret from the include" "Top-Secret" "$tmp/out"
as_user "$shim" -C "$tmp/home/cmd.conf" --check-config > "$tmp/out" 2>&1
expect "password_command in a user-owned config is refused" 78 $?
expect_grep "the refusal names the rule" "owned by root" "$tmp/out"

# 4b. password_command with a bare name would run ./tokencmd from the
# caller's directory, with the group: the config is refused and the
# planted program never runs.  With an absolute path, the command starts
# in / with a fixed environment, whatever the caller's.
printf '#!/bin/sh\ntouch "%s"\n' "$tmp/home/planted-ran" > "$tmp/home/tokencmd"
chmod 755 "$tmp/home/tokencmd"; chown "$usr" "$tmp/home/tokencmd"
sed 's|^password_command = .*|password_command = tokencmd|' "$tmp/etc/smtpgate.conf" > "$tmp/etc/bare.conf"
chmod 644 "$tmp/etc/bare.conf"
(cd "$tmp/home" && as_user "$shim" -C "$tmp/etc/bare.conf" --check-config) > "$tmp/out" 2>&1
expect "a bare password_command name is a config error" 78 $?
expect_grep "the error is file:line: and names the key" \
    "bare.conf:[0-9]*: password_command: 'tokencmd' is not an absolute path" "$tmp/out"
printf 'Subject: bare\n\nx\n' | (cd "$tmp/home" && as_user "$shim" -C "$tmp/etc/bare.conf" \
    -f acct@example.org ops@example.org) > "$tmp/out" 2>&1
expect "sending with it is refused as a config error" 78 $?
(cd "$tmp/home" && "$shim" -C "$tmp/etc/bare.conf" -q) > "$tmp/out" 2>&1
expect "root's -q with it is refused too" 78 $?
expect "the program in the caller's directory never ran" no \
    "$([ -e "$tmp/home/planted-ran" ] && echo yes || echo no)"
# (A shell script: dash drops the group, so it prints the secret itself.)
printf '#!/bin/sh\npwd > "%s"\nenv | sort > "%s"\necho Top-Secret-pw1\n' \
    "$tmp/home/cmd-pwd" "$tmp/home/cmd-env" > "$tmp/etc/tokencmd"
chmod 755 "$tmp/etc/tokencmd"
sed "s|^password_command = .*|password_command = $tmp/etc/tokencmd|" "$tmp/etc/smtpgate.conf" > "$tmp/etc/abs.conf"
chmod 644 "$tmp/etc/abs.conf"
n0=$(count)
printf 'Subject: abs\n\nx\n' | (cd "$tmp/home" && as_user env FOO=bar HOME=/tmp \
    "$shim" -C "$tmp/etc/abs.conf" -f acct@example.org ops@example.org) > "$tmp/out" 2>&1
expect "an absolute password_command works" 0 $?
expect "its message arrived" $((n0 + 1)) "$(count)"
expect "the command ran in /, not the caller's directory" / "$(cat "$tmp/home/cmd-pwd" 2>/dev/null)"
expect "the command's environment is fixed" "HOME=/ LANG=C PATH=/usr/bin:/bin" \
    "$(grep -v '^PWD=\|^SHLVL=\|^_=' "$tmp/home/cmd-env" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"

# 5. The relay is down: the user's message is queued; the queue files are
# the group's, not readable by the user.
kill "$srv_pid"; wait "$srv_pid" 2>/dev/null
printf 'Subject: queued by a user\n\nprivate text\n' | as_user "$shim" -C "$tmp/etc/smtpgate.conf" ops@example.org > "$tmp/out" 2>&1
expect "the user's message is queued (exit 0)" 0 $?
expect "one message in the queue" 1 "$(ls "$tmp/q/env" | wc -l)"
f=$(ls "$tmp"/q/msg/* | head -n 1)
as_user cat "$f" > /dev/null 2>&1
expect "the user cannot read a queued message" 1 $?
expect "queued message belongs to the group" "$grp" "$(stat -c %G "$f")"
expect "queued message is not world-readable" 0 "$(( 0$(stat -c %a "$f") & 7 ))"
expect "the envelope belongs to the group" "$grp" "$(stat -c %G "$tmp/q/env/$(basename "$f")")"
expect "nothing left in tmp/" 0 "$(ls "$tmp/q/tmp" | wc -l)"

# 6. The relay is back: root's queue run sends what the user queued.
n0=$(count)
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not restart"; exit 1; }
"$shim" -C "$tmp/etc/smtpgate.conf" -q > "$tmp/out" 2>&1
expect "root's -q runs the queue" 0 $?
expect "the queued message is delivered" $((n0 + 1)) "$(count)"
expect "the queue is empty" 0 "$(ls "$tmp/q/env" | wc -l)"
cat "$tmp/mail"/msg-* > "$tmp/all-mail"
expect_grep "the queued text arrived" "private text" "$tmp/all-mail"

# 7. -bs by the user: the SMTP dialogue is read without the group too,
# and its message goes out with the login the helper gives.
printf 'HELO x\r\nMAIL FROM:<ops@example.org>\r\nRCPT TO:<bs@example.org>\r\nDATA\r\nSubject: bs\r\n\r\nbs body\r\n.\r\nQUIT\r\n' |
    as_user "$shim" -C "$tmp/etc/smtpgate.conf" -bs > "$tmp/out" 2>&1
expect "-bs by the user works" 0 $?
expect_grep "-bs message accepted" "^250 2.0.0 Ok: sent" "$tmp/out"
expect "the -bs message arrived" $((n0 + 2)) "$(count)"

# 7b. A recipient refused while the user sends: the notice to the sender
# is a second message, sent and queued through the same helper.
fport=$(pick_port 83)
start_server "$fport" "$tmp/fserver.out" python3 "$server" --port "$fport" \
    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
    --password Top-Secret-pw1 --maildir "$tmp/mail" --log "$tmp/flog" \
    --fail 'rcpt=gone@example.org:550 5.1.1 no such user' ||
    { echo "FAIL: server did not start"; exit 1; }
sed "s/^port = $port\$/port = $fport/" "$tmp/etc/smtpgate.conf" > "$tmp/etc/fail.conf"
chmod 644 "$tmp/etc/fail.conf"
n0=$(count)
printf 'Subject: half\n\nx\n' | as_user "$shim" -C "$tmp/etc/fail.conf" -f ops@example.org \
    ok@example.org gone@example.org > "$tmp/out" 2>&1
expect "the user's message with a refused recipient: exit 0" 0 $?
expect "the message and its notice arrived" $((n0 + 2)) "$(count)"
notice=$(grep -l -a '^Final-Recipient: rfc822; gone@example.org' "$tmp/mail"/msg-* | head -n 1)
expect "the notice names the refused recipient" 0 $([ -n "$notice" ]; echo $?)
expect "the notice reached the sender" "RCPT TO:<ops@example.org>" \
    "$(sed -n 2p "${notice:-/dev/null}")"
expect "nothing stayed in the queue" 0 "$(ls "$tmp/q/env" | wc -l)"

# 8. SSL_CERT_DIR: a user's own run may name the CAs it trusts, but the
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
	    "$tmp/etc/smtpgate.conf" > "$tmp/etc/tls.conf"
	chmod 644 "$tmp/etc/tls.conf"
	n0=$(count)
	printf 'Subject: own trust\n\nx\n' | SSL_CERT_DIR="$tmp/cadir" \
	    ./sendmail-shim/smtpgate-sendmail -C "$tmp/etc/tls.conf" ops@example.org > "$tmp/out" 2>&1
	expect "not setgid: SSL_CERT_DIR names a CA the relay is verified with" 0 $?
	expect "not setgid: the message arrived over TLS" $((n0 + 1)) "$(count)"
	: > "$tmp/tlog"
	printf 'Subject: chosen trust\n\nx\n' | as_user env SSL_CERT_DIR="$tmp/cadir" \
	    "$shim" -C "$tmp/etc/tls.conf" ops@example.org > "$tmp/out" 2>&1
	expect "setgid: SSL_CERT_DIR is ignored, the certificate is refused" 75 $?
	expect_grep "setgid: the refusal names the certificate" "certificate" "$tmp/out"
	expect "setgid: nothing arrived" $((n0 + 1)) "$(count)"
	expect_nogrep "setgid: the password was never sent" "AUTH" "$tmp/tlog"
else
	echo "# no openssl CLI: the SSL_CERT_DIR case is left out"
fi

[ "$nfail" -eq 0 ]
