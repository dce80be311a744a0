#!/bin/sh
# --check-config run by root checks what the setgid shim's group will
# meet: secrets it must read, directories it must enter, the queue it
# must write, and the CA file every sender reads.  Root passes each of
# those checks itself, so a wrong mode shows only when a user sends: this
# finds them first, and each message carries the command that fixes it.
# The test applies those very commands and checks again.
#
# The group is the one the binary is installed setgid to: a copy of the
# shim, setgid to a group made for the test.  Needs root and groupadd.
set -u
if [ "$(id -u)" != 0 ] || ! command -v groupadd > /dev/null; then
	echo "SKIP: needs root and groupadd"
	exit 77
fi
. "${srcdir:-.}/tests/integration/lib.sh"
grp=sga$$
groupadd "$grp" || exit 99
audit_cleanup() {
	groupdel "$grp" 2>/dev/null
	cleanup
}
trap audit_cleanup EXIT

chmod 711 "$tmp"
mkdir "$tmp/bin"
cp ./sendmail-shim/smtpgate-sendmail "$tmp/bin/"
chgrp "$grp" "$tmp/bin/smtpgate-sendmail"
chmod 2755 "$tmp/bin/smtpgate-sendmail"
shim=$tmp/bin/smtpgate-sendmail

# A secret behind a directory the group cannot enter; one the group
# cannot read; one a user owns; one as documented.
install -d -m 700 "$tmp/closed"
printf 'pw\n' > "$tmp/closed/relay"; chmod 600 "$tmp/closed/relay"
install -d -m 750 -g "$grp" "$tmp/secret"
printf 'pw\n' > "$tmp/secret/alice"; chmod 600 "$tmp/secret/alice"
printf 'pw\n' > "$tmp/secret/bob"; chown nobody:"$grp" "$tmp/secret/bob"
chmod 640 "$tmp/secret/bob"
printf 'pw\n' > "$tmp/secret/good"; chgrp "$grp" "$tmp/secret/good"
chmod 640 "$tmp/secret/good"
# The queue made by root without the setgid shim: root:root 0755.
install -d -m 755 "$tmp/q"
printf 'not really a CA\n' > "$tmp/ca.pem"; chmod 600 "$tmp/ca.pem"

cat > "$tmp/c.conf" <<CONF
[relay main]
host = 127.0.0.1
password_file = $tmp/closed/relay
tls_ca_file = $tmp/ca.pem
[relay good]
host = 127.0.0.1
password_file = $tmp/secret/good
[account alice@example.org]
relay = main
password_file = $tmp/secret/alice
[account bob@example.org]
relay = main
password_file = $tmp/secret/bob
[queue]
dir = $tmp/q
CONF

# check FILE: --check-config as root, its own lines in $tmp/out.  The
# loader's warning about a secret readable by a group not named
# "smtpgate" is filtered out: the test's group is not named so.
check() {
	$shim -C "$tmp/c.conf" --check-config > "$tmp/dump" 2> "$tmp/all"
	st=$?
	grep -v "or 0640 with group smtpgate$" "$tmp/all" > "$tmp/out"
	return $st
}
check
expect "problems the group would meet are errors: exit 78" 78 $?
expect_grep "the effective settings are still printed" "^\[relay main\]" "$tmp/dump"
expect_grep "the summary names the binary's group" \
    "# files checked for group $grp: 3 errors, 2 warnings" "$tmp/dump"
expect_grep "a closed directory, with the fix" \
    "c.conf:1: group $grp cannot enter $tmp/closed (owner root, group root, mode 0700), so it cannot reach $tmp/closed/relay; fix: chgrp $grp $tmp/closed && chmod 0750 $tmp/closed$" "$tmp/out"
expect_grep "a secret the group cannot read, with the fix" \
    "c.conf:8: \[account alice@example.org\] password_file $tmp/secret/alice: group $grp cannot read it (owner root, group root, mode 0600), and users' mail cannot log in; fix: chgrp $grp $tmp/secret/alice && chmod 0640 $tmp/secret/alice$" "$tmp/out"
expect_grep "a secret a user owns is a warning" \
    "c.conf:11: warning: \[account bob@example.org\] password_file $tmp/secret/bob is not owned by root (owner nobody, group $grp, mode 0640); fix: chown root $tmp/secret/bob$" "$tmp/out"
expect_nogrep "the documented secret passes" "secret/good" "$tmp/out"
expect_grep "the queue the group cannot write" \
    "c.conf: \[queue\] dir $tmp/q: group $grp cannot write it (owner root, group root, mode 0755), so users' mail cannot be queued; fix: chgrp $grp $tmp/q && chmod 2770 $tmp/q$" "$tmp/out"
expect_grep "a CA file users cannot read is a warning" \
    "c.conf:1: warning: \[relay main\] tls_ca_file $tmp/ca.pem is not readable by all users (owner root, group root, mode 0600).*fix: chmod 0644 $tmp/ca.pem$" "$tmp/out"
expect "every line is file: message" 0 \
    "$(grep -vc "^$tmp/c.conf:" "$tmp/out")"

# The queue's subdirectories, made by root the same way.
mkdir -m 755 "$tmp/q/msg"
# Do what it says, and ask again.
sed -n 's/.*; fix: //p' "$tmp/out" > "$tmp/fixes"
expect "five fixes" 5 "$(wc -l < "$tmp/fixes")"
while read -r cmd; do
	sh -c "$cmd" || echo "FAIL: $cmd"
done < "$tmp/fixes"
check
st=$?
# Behind the opened directory, its secret; and the queue's msg/, made
# after the first run.
expect "what the first fixes uncovered: exit 78" 78 $st
expect_grep "the secret behind the closed directory" \
    "password_file $tmp/closed/relay: group $grp cannot read it" "$tmp/out"
expect_grep "the queue's subdirectories are checked" \
    "\[queue\] dir $tmp/q/msg: group $grp cannot write it" "$tmp/out"
sed -n 's/.*; fix: //p' "$tmp/out" | sh
check
expect "after the fixes: exit 0" 0 $?
expect "after the fixes: nothing to say" "" "$(cat "$tmp/out")"
expect_grep "after the fixes: the summary" \
    "# files checked for group $grp: 0 errors, 0 warnings" "$tmp/dump"
expect "the fixed secret" "root $grp 640" "$(stat -c '%U %G %a' "$tmp/secret/alice")"
expect "the fixed queue" "root $grp 2770" "$(stat -c '%U %G %a' "$tmp/q")"

# A queue directory not there yet: a warning with the install command.
rm -rf "$tmp/q"
check
expect "a queue still to be made is a warning: exit 0" 0 $?
expect_grep "with the command that makes it right" \
    "warning: \[queue\] dir $tmp/q does not exist yet.*fix: install -d -o root -g $grp -m 2770 $tmp/q$" "$tmp/out"

# The build's own binary is not setgid: it is judged against group
# smtpgate, and nothing is an error, since no process takes the group.
plain=./sendmail-shim/smtpgate-sendmail
$plain -C "$tmp/c.conf" --check-config > "$tmp/dump" 2> "$tmp/out"
expect "not setgid: warnings only, exit 0" 0 $?
expect_grep "not setgid: said, with the fix" \
    "warning: not installed setgid.*fix: chgrp smtpgate .*/smtpgate-sendmail && chmod 2755 .*/smtpgate-sendmail$" "$tmp/out"
expect_nogrep "not setgid: no errors" "c.conf:[0-9]*: [^w]" "$tmp/out"
if ! getent group smtpgate > /dev/null; then
	expect_grep "no group smtpgate: said, with the fix" \
	    "warning: group smtpgate does not exist.*fix: addgroup --system smtpgate$" "$tmp/out"
else
	echo "skip: group smtpgate exists here; its absence is not tested"
fi

# A user learns only that root should run it (through the setgid
# binary, which does not stat secrets the user cannot see).
chmod 644 "$tmp/c.conf"
runuser -u nobody -- "$shim" -C "$tmp/c.conf" --check-config \
    > "$tmp/dump" 2> "$tmp/out"
expect "a user's --check-config: exit 0" 0 $?
expect_grep "a user is told to run it as root" "run as root" "$tmp/dump"

[ "$nfail" -eq 0 ]
