#!/bin/sh
# Front-end smoke tests against the built programs: configuration errors,
# exit codes, masking of secrets in --check-config.  Run by make check from
# the build directory.
set -u
shim=./sendmail-shim/smtpgate-sendmail
milter=./milter/smtpgate-milter
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtpgate-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
nfail=0

expect() {	# expect NAME WANT-STATUS GOT-STATUS
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: exit status $3, expected $2"
		nfail=$((nfail + 1))
	fi
}
expect_grep() {	# expect_grep NAME PATTERN FILE
	if grep -q -- "$2" "$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$2' not in output:"; sed 's/^/    /' "$3"
		nfail=$((nfail + 1))
	fi
}
expect_nogrep() {
	if grep -q -- "$2" "$3"; then
		echo "FAIL: $1: '$2' must not appear:"; sed 's/^/    /' "$3"
		nfail=$((nfail + 1))
	else
		echo "ok: $1"
	fi
}

printf 's3cr3t-Passw0rd\n' > "$tmp/secret"
chmod 600 "$tmp/secret"
cat > "$tmp/good.conf" <<CONF
[general]
hostname = app1.example.org

[relay main]
host = smtp.example.org
username = noreply@example.org
password_file = $tmp/secret

[relay backup]
preset = office365
username = noreply@example.org
password_command = /usr/local/bin/get-token --client s3cr3t-Passw0rd

[queue]
dir = $tmp/q
CONF

$shim -C "$tmp/good.conf" --check-config > "$tmp/out" 2> "$tmp/err"
expect "shim --check-config on a good file" 0 $?
expect_grep "dump shows the relay host" "smtp.example.org" "$tmp/out"
expect_grep "dump shows the preset's host" "smtp.office365.com" "$tmp/out"
expect_nogrep "dump hides the secret" "s3cr3t" "$tmp/out"
expect_nogrep "stderr hides the secret" "s3cr3t" "$tmp/err"

$milter -c "$tmp/good.conf" -t > "$tmp/out" 2>&1
expect "milter -t on a good file" 0 $?

printf '[general]\nhostname = a\n[relay x]\nhots = smtp.example.org\nport = 99999\n' > "$tmp/bad.conf"
$shim -C "$tmp/bad.conf" --check-config > "$tmp/out" 2> "$tmp/err"
expect "shim --check-config on a bad file exits EX_CONFIG" 78 $?
expect_grep "unknown key named with file:line" "bad.conf:4:" "$tmp/err"
expect_grep "did you mean" "host" "$tmp/err"
expect_grep "second error also reported" "bad.conf:5:" "$tmp/err"

$milter -c "$tmp/bad.conf" -t > "$tmp/out" 2> "$tmp/err"
expect "milter -t on a bad file exits EX_CONFIG" 78 $?

printf '[relay x]\nhost = h\npassword = hunter2-secret\n' > "$tmp/pw.conf"
$shim -C "$tmp/pw.conf" --check-config > "$tmp/out" 2> "$tmp/err"
expect "a password in the config is an error" 78 $?
expect_nogrep "the error does not echo the password" "hunter2" "$tmp/err"

$shim -C "$tmp/missing.conf" --check-config > "$tmp/out" 2> "$tmp/err"
expect "missing config is EX_NOINPUT" 66 $?
expect_grep "missing config is named" "missing.conf" "$tmp/err"

$shim --no-such-flag > "$tmp/out" 2> "$tmp/err"
expect "unknown option is EX_USAGE" 64 $?
expect_grep "unknown option is named" "no-such-flag" "$tmp/err"

$milter -Z > "$tmp/out" 2> "$tmp/err"
expect "milter unknown option is EX_USAGE" 64 $?

# A message with no recipient is a usage error, and nothing is sent.
echo "Subject: x" | $shim -C "$tmp/good.conf" > "$tmp/out" 2> "$tmp/err"
expect "no recipients is EX_USAGE" 64 $?
expect_grep "no recipients is said" "recipient" "$tmp/err"

# A relay that refuses connections is a temporary failure (EX_TEMPFAIL), and
# stderr names the relay.  Port 1 on loopback has no listener.
printf '[relay down]\nhost = 127.0.0.1\nport = 1\ntls = none\nauth = none\n[queue]\ndir = %s/q\nmode = never\n' "$tmp" > "$tmp/down.conf"
printf 'Subject: x\n\nbody\n' | $shim -C "$tmp/down.conf" ops@example.org > "$tmp/out" 2> "$tmp/err"
expect "relay down is EX_TEMPFAIL" 75 $?
expect_grep "the relay is named" "down" "$tmp/err"

[ "$nfail" -eq 0 ]
