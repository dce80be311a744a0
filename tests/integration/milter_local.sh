#!/bin/sh
# smtpgate-milter against the local users of its host, with real users
# and a real Postfix on a unix socket:
#   - the socket is 0660 and its directory 0750, the milter's user's and
#     group's; a user outside that group cannot connect (not even to send
#     the odd macro list that crashes libmilter), Postfix's user in the
#     group can, and Postfix delivers through it;
#   - the milter runs with its user's primary group and no other, and
#     refuses to run with a group that can read the secrets (started as
#     root with such a primary group, or started as a user in it);
#   - [milter] max_recipients: the RCPTs beyond it get 452 4.5.3 and the
#     message goes to the others; a path over 256 octets gets 501 5.1.3;
#     sent straight to the socket, 30 MB of recipients leave the milter's
#     peak memory where it was;
#   - an empty configuration is refused at start, and on reload the old
#     policy stays in force.
# Needs root (users, groups, Postfix); skipped otherwise.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
. "${srcdir:-.}/tests/integration/postfix.sh"
pf_require
for c in useradd userdel groupadd groupdel gpasswd runuser; do
	command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c missing"; exit 77; }
done
milter=./milter/smtpgate-milter
client="${srcdir:-.}/tests/integration/milter_client.py"
case $client in /*) ;; *) client="$(pwd)/$client" ;; esac
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
t0=$(date +%s)

# Users and groups, all named after this process:
#   smg$$  the milter's group; smu$$ its user, also (by mistake) in sgs$$
#   sgs$$  the group that can read the secrets: [queue] dir is its
#   sss$$  a user whose primary group is sgs$$
#   smx$$  a local user with no business with the milter
# Postfix's user joins smg$$, as smtpgate-milter(8) says.
mgrp=smg$$ musr=smu$$ sgrp=sgs$$ susr=sss$$ xusr=smx$$
local_cleanup() {
	gpasswd -d postfix "$mgrp" >/dev/null 2>&1
	for u in "$musr" "$susr" "$xusr"; do userdel "$u" 2>/dev/null; done
	for g in "$mgrp" "$sgrp"; do groupdel "$g" 2>/dev/null; done
	postfix_cleanup
}
trap local_cleanup EXIT
groupadd "$mgrp" && groupadd "$sgrp" &&
    useradd -M -g "$mgrp" -G "$sgrp" -s /bin/sh -d /nonexistent "$musr" &&
    useradd -M -g "$sgrp" -s /bin/sh -d /nonexistent "$susr" &&
    useradd -M -N -g nogroup -s /bin/sh -d /nonexistent "$xusr" &&
    gpasswd -a postfix "$mgrp" >/dev/null || { echo "FAIL: cannot create the test users"; exit 99; }

chmod 711 "$tmp"	# the milter's user reads its configuration below
# The other users run the client from here: the source tree may sit in a
# directory only its owner can enter (a mktemp -d, a 0700 home).
cp "$client" "$tmp/milter_client.py" && chmod 755 "$tmp/milter_client.py"
client=$tmp/milter_client.py
install -d -m 2770 -g "$sgrp" "$tmp/q"
SOCK="$tmp/run/milter.sock"
MCONF="$tmp/milter.conf"
MLOG="$tmp/milter.log"

# write_conf [USER] [POLICY]: the configuration, readable by every user.
write_conf() {
	cat > "$MCONF.new" <<EOF
[general]
hostname = gate.test

[relay main]
host = 127.0.0.1
port = 25
tls = none

[queue]
dir = $tmp/q

[milter]
user = ${1:-$musr}
socket = unix:$SOCK
pid_file = $tmp/run/milter.pid
max_recipients = 5

${2:-}
EOF
	chmod 644 "$MCONF.new" && mv "$MCONF.new" "$MCONF"
}

wait_log() {	# PATTERN COUNT: until PATTERN is on COUNT lines of $MLOG
	_i=0
	while [ "$(grep -c -- "$1" "$MLOG")" -lt "$2" ]; do
		[ $_i -lt 100 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# reload: SIGHUP, wait for the verdict; its log lines are in $tmp/reload.
reload() {
	_n=$(grep -c "reloaded $MCONF\|reload of $MCONF" "$MLOG")
	_l=$(wc -l < "$MLOG")
	kill -HUP "$MPID"
	wait_log "reloaded $MCONF\|reload of $MCONF" $((_n + 1))
	sed "1,${_l}d" "$MLOG" > "$tmp/reload"
}

# wait_tag TAG: the captured message whose Subject holds TAG, split into
# $tmp/env (envelope) and $tmp/hdr (header); 1 if none came in 20 s.
wait_tag() {
	_end=$(($(date +%s) + 20))
	while :; do
		_f=$(grep -l -a -- "^Subject:.*$1" "$CAPTURE_DIR"/msg-* 2>/dev/null | tail -n 1)
		[ -z "$_f" ] || break
		if [ "$(date +%s)" -ge "$_end" ]; then
			: > "$tmp/env"
			: > "$tmp/hdr"
			return 1
		fi
		pf_flush
		sleep 0.2
	done
	sed '/^$/q' "$_f" | tr -d '\r' > "$tmp/env"
	sed '1,/^$/d' "$_f" | tr -d '\r' | sed '/^$/q' > "$tmp/hdr"
}

# rcpts NAME ADDR...: the last captured envelope has exactly these.
rcpts() {
	_name=$1
	shift
	grep '^RCPT TO:' "$tmp/env" | sed 's/> .*/>/' | sort > "$tmp/rc.got"
	for _a in "$@"; do echo "RCPT TO:<$_a>"; done | sort > "$tmp/rc.want"
	if cmp -s "$tmp/rc.got" "$tmp/rc.want"; then
		echo "ok: $_name"
	else
		echo "FAIL: $_name: recipients differ (got, then wanted):"
		sed 's/^/    /' "$tmp/rc.got"
		echo "    --"
		sed 's/^/    /' "$tmp/rc.want"
		nfail=$((nfail + 1))
	fi
}

# expect_count NAME WANT PATTERN FILE: PATTERN is on exactly WANT lines.
expect_count() {
	_got=$(grep -c -a -- "$3" "$4")
	if [ "$_got" = "$2" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$3' on $_got lines, expected $2:"
		sed 's/^/    /' "$4"
		nfail=$((nfail + 1))
	fi
}

# ---- 1. refusals at start ---------------------------------------------------

: > "$tmp/empty.conf"
chmod 644 "$tmp/empty.conf"
"$milter" -t -c "$tmp/empty.conf" > "$tmp/out" 2>&1
expect "empty file: -t exits 78" 78 $?
expect_grep "empty file: the error names the file" \
    "$tmp/empty.conf: no \[section\] in the file (it is empty or only comments)" "$tmp/out"
printf '# nothing but\n; comments\n\n' > "$tmp/empty.conf"
"$milter" -f -c "$tmp/empty.conf" -p "unix:$tmp/never.sock" > "$tmp/out" 2>&1
expect "only comments: the milter does not start (78)" 78 $?
[ ! -e "$tmp/never.sock" ]
expect "only comments: no socket was made" 0 $?

write_conf "$susr"
"$milter" -f -c "$MCONF" > "$tmp/out" 2>&1
expect "a user whose primary group can read the secrets: exit 78" 78 $?
expect_grep "... and the message says why and what to do" \
    "user $susr has the primary group $sgrp, which can read the relay secrets.*useradd --system --user-group" "$tmp/out"

write_conf
runuser -u "$musr" -- "$milter" -f -c "$MCONF" -p "unix:$tmp/never.sock" > "$tmp/out" 2>&1
expect "started as a user in the secrets' group: exit 78" 78 $?
expect_grep "... naming the group and the fix" \
    "running with group $sgrp, which can read the relay secrets.*gpasswd -d $musr $sgrp" "$tmp/out"

mkdir -m 777 "$tmp/open"
"$milter" -f -c "$MCONF" -p "unix:$tmp/open/m.sock" > "$tmp/out" 2>&1
expect "a socket directory every user may write to: exit 78" 78 $?
expect_grep "... because anyone could replace the socket" \
    "$tmp/open is writable by every user" "$tmp/out"
[ ! -e "$tmp/open/m.sock" ]
expect "... and no socket was made there" 0 $?

# ---- 2. the socket and the process -------------------------------------------

write_conf "" '[redirect]
enabled = yes
subject_prefix = [ONE]
[report qa@example.org]'
"$milter" -f -c "$MCONF" > "$MLOG" 2>&1 &
MPID=$!
server_pids="$server_pids $MPID"
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ] && kill -0 "$MPID" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$SOCK" ]
expect "the milter started on a unix socket" 0 $?
[ -S "$SOCK" ] || { cat "$MLOG"; exit 1; }
expect "socket: mode 0660, the milter's user and group" "660 $musr:$mgrp socket" \
    "$(stat -c '%a %U:%G %F' "$SOCK")"
expect "socket directory made by the milter: 0750, its user and group" \
    "750 $musr:$mgrp directory" "$(stat -c '%a %U:%G %F' "$tmp/run")"

uid=$(id -u "$musr") gid=$(getent group "$mgrp" | cut -d: -f3)
sgid=$(getent group "$sgrp" | cut -d: -f3)
st=/proc/$MPID/status
expect "process: every uid is the milter user's" "$uid $uid $uid $uid" \
    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")"
expect "process: every gid is its own group's" "$gid $gid $gid $gid" \
    "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")"
expect "process: no supplementary group (the user is in $sgrp)" "" \
    "$(awk '/^Groups:/ { $1 = ""; print }' "$st" | tr -d ' ')"
awk '/^(Gid|Groups):/' "$st" | tr -s ' \t' '\n' | grep -qx "$sgid"
expect "process: not in the secrets' group" 1 $?

# ---- 3. who may connect ---------------------------------------------------------

runuser -u "$xusr" -- python3 "$client" odd-macros "$SOCK" > "$tmp/out" 2>&1
expect "a local user cannot connect" 3 $?
expect_grep "... the kernel says no" "Permission denied" "$tmp/out"
runuser -u "$xusr" -- python3 "$client" probe "$SOCK" > "$tmp/out" 2>&1
expect "a local user cannot even negotiate" 3 $?
kill -0 "$MPID" 2>/dev/null
expect "the milter still runs" 0 $?
runuser -u postfix -- python3 "$client" probe "$SOCK" > "$tmp/out" 2>&1
expect "Postfix's user, in the milter's group, can connect" 0 $?
expect_grep "... and negotiate" "^negotiated$" "$tmp/out"

# ---- 4. Postfix through the socket: max_recipients, long paths ----------------

postfix_start "unix:$SOCK"
expect "private Postfix started with the milter on $SOCK" 0 $?
[ -n "$PF_MASTER_PID" ] || exit 1

printf 'From: app@example.org\nTo: x@example.net\nSubject: T1 one\n\nbody\n' |
    pf_send_smtp app@example.org x@example.net > "$tmp/out" 2>&1
expect "Postfix: a message through the unix socket is accepted" 0 $?
wait_tag "T1 one"
expect "Postfix: delivered" 0 $?
expect_grep "Postfix: the policy applied" '^Subject: \[ONE\] T1 one$' "$tmp/hdr"

write_conf "" ""
reload
expect_grep "reload: the policy without redirect is in force" "reloaded $MCONF" "$tmp/reload"
printf 'From: app@example.org\nTo: r1@example.net\nSubject: T2 seven\n\nbody\n' |
    pf_send_smtp app@example.org r1@example.net r2@example.net r3@example.net \
    r4@example.net r5@example.net r6@example.net r7@example.net > "$tmp/out" 2>&1
expect "max_recipients 5: seven recipients: a 4xx for some" 2 $?
expect_count "max_recipients 5: the 6th and 7th get 452 4.5.3" 2 \
    "^RCPT 452 4.5.3 Too many recipients" "$tmp/out"
expect_grep "max_recipients 5: the message itself is queued" "^250 .*queued as" "$tmp/out"
wait_tag "T2 seven"
expect "max_recipients 5: delivered" 0 $?
rcpts "max_recipients 5: to the first five only" r1@example.net r2@example.net \
    r3@example.net r4@example.net r5@example.net
expect_grep "max_recipients 5: the milter logs five taken, two refused" \
    "from=<app@example.org>, nrcpt=5, .*refused_rcpts=2" "$MLOG"

# Postfix's own sendmail: cleanup cannot refuse single recipients, so
# the message waits (and the milter keeps its bound).
printf 'From: app@example.org\nTo: r1@example.net\nSubject: T2s sendmail seven\n\nbody\n' |
    pf_sendmail app@example.org r1@example.net r2@example.net r3@example.net \
    r4@example.net r5@example.net r6@example.net r7@example.net > "$tmp/out" 2>&1
expect "max_recipients 5, sendmail: taken into maildrop" 0 $?
_i=0
while ! grep -q "can't reject recipient in non-smtpd" "$PF_MAILLOG" && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_grep "max_recipients 5, sendmail: Postfix defers it (a milter configuration error)" \
    "can't reject recipient in non-smtpd" "$PF_MAILLOG"
if grep -l -a -q "T2s sendmail seven" "$CAPTURE_DIR"/msg-* 2>/dev/null; then
	echo "FAIL: max_recipients 5, sendmail: the message was delivered"
	nfail=$((nfail + 1))
else
	echo "ok: max_recipients 5, sendmail: not delivered"
fi

long="$(printf '%0250d' 0 | tr 0 a)@example.net"	# 262 octets, 264 with <>
printf 'From: app@example.org\nTo: r1@example.net\nSubject: T3 long\n\nbody\n' |
    pf_send_smtp app@example.org "<$long>" r1@example.net > "$tmp/out" 2>&1
expect "a recipient over 256 octets: refused (5xx)" 1 $?
expect_grep "... with 501 5.1.3" "^RCPT 501 5.1.3 Recipient address too long" "$tmp/out"
wait_tag "T3 long"
expect "... and the message goes to the others" 0 $?
rcpts "... only to them" r1@example.net

# ---- 5. reload of an empty file ---------------------------------------------------

write_conf "" '[redirect]
enabled = yes
subject_prefix = [TWO]
[report qa@example.org]'
reload
expect_grep "reload: redirect with [TWO]" "reloaded $MCONF" "$tmp/reload"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T4a\n\nbody\n' |
    pf_send_smtp app@example.org x@example.net > "$tmp/out" 2>&1
wait_tag "T4a"
expect_grep "reload: [TWO] applies" '^Subject: \[TWO\] T4a$' "$tmp/hdr"

: > "$MCONF"
reload
expect_grep "reload of an empty file: refused" "reload of $MCONF failed" "$tmp/reload"
expect_grep "... saying why" "no \[section\] in the file" "$tmp/reload"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T4b\n\nbody\n' |
    pf_send_smtp app@example.org x@example.net > "$tmp/out" 2>&1
expect "after the empty file: mail accepted" 0 $?
wait_tag "T4b"
expect_grep "after the empty file: the old policy still changes the Subject" \
    '^Subject: \[TWO\] T4b$' "$tmp/hdr"
rcpts "after the empty file: ... and still redirects" qa@example.org

printf '# [redirect]\n# enabled = no\n' > "$MCONF"
reload
expect_grep "reload of a file of comments: refused" "reload of $MCONF failed" "$tmp/reload"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T4c\n\nbody\n' |
    pf_send_smtp app@example.org x@example.net > "$tmp/out" 2>&1
wait_tag "T4c"
expect_grep "after the comments: the old policy stays" '^Subject: \[TWO\] T4c$' "$tmp/hdr"
rcpts "after the comments: ... and still redirects" qa@example.org

# ---- 6. what a message may cost, straight on the socket ---------------------------

# Root stands in for an MTA that sends what Postfix would not (its own
# limits stop at 1000 recipients and short lines): the milter's bound
# must hold by itself.  VmHWM is the peak of the resident set.
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$MPID/status"; }
hwm0=$(hwm)
python3 "$client" rcpts "$SOCK" 3000 250 > "$tmp/out" 2>&1
expect "3000 recipients of 250 octets: answered" 0 $?
expect_grep "... five taken, the rest 452" "^rcpts: 5 taken, 2995 4xx, 0 5xx$" "$tmp/out"
python3 "$client" rcpts "$SOCK" 1000 30000 > "$tmp/out" 2>&1
expect "1000 recipients of 30000 octets: answered" 0 $?
expect_grep "... every one refused with 5xx" "^rcpts: 0 taken, 0 4xx, 1000 5xx$" "$tmp/out"
hwm1=$(hwm)
if grep -q '__asan_init' "$milter" 2>/dev/null; then
	echo "# memory check skipped in the AddressSanitizer build"
elif [ -n "$hwm0" ] && [ -n "$hwm1" ] && [ $((hwm1 - hwm0)) -lt 4096 ]; then
	echo "ok: the milter's peak memory grew by $((hwm1 - hwm0)) kB for 30 MB of recipients"
else
	echo "FAIL: the milter's peak memory went from ${hwm0:-?} kB to ${hwm1:-?} kB"
	nfail=$((nfail + 1))
fi
kill -0 "$MPID" 2>/dev/null
expect "the milter still runs" 0 $?

# ---- end ----------------------------------------------------------------------------

expect_nogrep "maillog: no fatal or panic" "fatal:\|panic:" "$PF_MAILLOG"
kill -TERM "$MPID"
wait "$MPID"
expect "the milter exits 0 on SIGTERM" 0 $?
[ ! -e "$SOCK" ]
expect "the milter removed its socket" 0 $?
expect_nogrep "milter: no sanitizer report" \
    "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$MLOG"
echo "# $(($(date +%s) - t0)) s"
[ "$nfail" -eq 0 ]
