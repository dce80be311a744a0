#!/bin/sh
# smtpgate-sendmail --test-mail against scripted servers on 127.0.0.1
# (tests/integration/smtpd.py): it tests one relay and tells the truth (no
# fallback, no queue, the relay named), and each hint comes from a server
# reply or a misconfigured port.  Also: a message that normal sending got
# out through a fallback relay is logged as a warning naming both relays.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
printf 'relay-pw\n' > "$tmp/relay.secret"; chmod 600 "$tmp/relay.secret"
serve_base=60

# relay NAME PORT TLS [KEY=VALUE...]: a [relay] section on stdout.
relay() {
	printf '[relay %s]\nhost = 127.0.0.1\nport = %s\ntls = %s\n' "$1" "$2" "$3"
	printf 'tls_ca_file = %s\ntimeout = 2\n' "$tmp/pki/ca.pem"
	shift 3
	for kv in "$@"; do
		printf '%s\n' "$kv"
	done
	printf '\n'
}
login="username = relay@example.org
password_file = $tmp/relay.secret"
queue() { printf '[queue]\ndir = %s\nmode = on-failure\n' "$tmp/q${1:-}"; }

# testmail CONF [ARGS...]: --test-mail to check@example.org, output in
# $tmp/out, exit status in $rc.
testmail() {
	_conf=$1
	shift
	$shim -C "$_conf" --test-mail check@example.org "$@" > "$tmp/out" 2>&1
	rc=$?
}

# ---- One relay, no fallback, no queue --------------------------------
serve badauth --tls starttls --auth PLAIN --user relay@example.org --password other-pw
bad_port=$port bad_log=$slog
serve good --tls starttls --auth PLAIN --user relay@example.org --password relay-pw
good_port=$port good_log=$slog good_dir=$maildir
{ relay first "$bad_port" starttls "$login"
  relay second "$good_port" starttls "$login"
  queue; } > "$tmp/fallback.conf"

testmail "$tmp/fallback.conf"
expect "--test-mail: AUTH refused by the first relay is not 'sent'" 77 "$rc"
expect_grep "the first line names the relay tried" "^test mail .* through relay first (127.0.0.1 port $bad_port, tls = starttls)" "$tmp/out"
expect_grep "the verdict names the relay" "^result: NOT sent through relay first (exit status 77)" "$tmp/out"
expect_nogrep "never 'result: sent'" "result: sent" "$tmp/out"
expect_grep "the server's reply is shown" "535 5.7.8" "$tmp/out"
expect_grep "535: the hint names password_file" "^hint: wrong or expired password: check username and the password in password_file" "$tmp/out"
expect "the second relay was not tried" 0 "$(wc -l < "$good_log")"
expect "nothing arrived at the second relay" 0 "$(count "$good_dir")"
$shim -C "$tmp/fallback.conf" -bp > "$tmp/q.out" 2>&1
expect_grep "a failed test mail is not queued" "Mail queue is empty" "$tmp/q.out"

: > "$bad_log"
testmail "$tmp/fallback.conf" --relay second
expect "--relay second: sent" 0 "$rc"
expect_grep "--relay second is named first" "through relay second (127.0.0.1 port $good_port" "$tmp/out"
expect_grep "--relay second: verdict" "^result: sent through relay second" "$tmp/out"
expect "--relay second: the first relay was not tried" 0 "$(grep -c '^EHLO' "$bad_log")"

testmail "$tmp/fallback.conf" --relay nosuch
expect "--relay nosuch: EX_USAGE" 64 "$rc"
expect_grep "--relay nosuch lists the relays" "no such relay in .*the relays are: first, second" "$tmp/out"

# A disabled relay can be tested by name; without --relay the first
# enabled one is tried.
sed -i '/^\[relay first\]/a enabled = no' "$tmp/fallback.conf"
testmail "$tmp/fallback.conf"
expect "without --relay: the first enabled relay" 0 "$rc"
expect_grep "without --relay: relay second named" "through relay second" "$tmp/out"
testmail "$tmp/fallback.conf" --relay first
expect "--relay names a disabled relay: tried all the same" 77 "$rc"
expect_grep "the disabled relay is said to be" "tls = starttls, disabled)" "$tmp/out"
sed -i '/^\[relay second\]/a enabled = no' "$tmp/fallback.conf"
testmail "$tmp/fallback.conf"
expect "no relay enabled: EX_CONFIG" 78 "$rc"
expect_grep "no relay enabled: the relays are listed" "no relay is enabled .*the relays are: first (disabled), second (disabled)" "$tmp/out"

# ---- Normal sending through a fallback is a warning ------------------
{ relay first "$bad_port" starttls "$login"
  relay second "$good_port" starttls "$login"
  printf '[queue]\ndir = %s\nmode = never\n' "$tmp/q"; } > "$tmp/send.conf"
printf 'Subject: f\n\nx\n' | $shim -C "$tmp/send.conf" -v bob@example.org > "$tmp/out" 2>&1
expect "normal sending falls back and sends" 0 $?
expect_grep "the fallback is a warning naming both relays and the first error" \
    "warning: .*sent through fallback relay second because relay first failed: .*535 5.7.8" "$tmp/out"

# ---- TLS mode against the port --------------------------------------
serve implicit --tls implicit
{ relay wrongtls "$port" starttls; queue; } > "$tmp/starttls465.conf"
testmail "$tmp/starttls465.conf"
expect "STARTTLS on a port that speaks TLS at once: not sent" 75 "$rc"
expect_grep "STARTTLS on an implicit-TLS port: hint names tls = implicit" \
    "^hint: no greeting from port $port within timeout = 2 seconds: if the port speaks TLS at once (as 465 does), set tls = implicit" "$tmp/out"

serve clear --tls starttls
{ relay wrongtls "$port" implicit; queue; } > "$tmp/implicit587.conf"
testmail "$tmp/implicit587.conf"
expect "implicit TLS on a port that greets in clear: not sent" 75 "$rc"
expect_grep "the plain greeting is quoted" 'server said "220 sink.test ESMTP test server"' "$tmp/out"
expect_grep "implicit TLS on a plain port: hint names tls = starttls" \
    "^hint: port $port speaks plain SMTP first and expects STARTTLS, not TLS at once: set tls = starttls" "$tmp/out"

# preset = gmail keeps tls = starttls; port = 465 speaks TLS at once.
# Needs port 465 itself: as root, and only when it is free.
if [ "$(id -u)" = 0 ] && ! port_taken 465; then
	serve_port=465 serve gmail465 --tls implicit
	printf '[relay gmail]\npreset = gmail\nhost = 127.0.0.1\nport = 465\ntls_ca_file = %s\ntimeout = 2\n\n' \
	    "$tmp/pki/ca.pem" > "$tmp/gmail.conf"
	queue >> "$tmp/gmail.conf"
	testmail "$tmp/gmail.conf"
	expect "preset = gmail, port = 465: not sent" 75 "$rc"
	expect_grep "preset = gmail, port = 465: hint names tls = implicit" \
	    "^hint: preset = gmail uses STARTTLS on port 587, but port 465 speaks TLS at once: add tls = implicit to \[relay gmail\], or remove port = 465" "$tmp/out"
else
	echo "ok: # SKIP preset = gmail with port = 465 (needs root and a free port 465)"
fi

# A firewall that drops the port: connect() times out.
serve blocked --blackhole
{ relay blocked "$port" starttls; queue; } > "$tmp/blocked.conf"
testmail "$tmp/blocked.conf"
expect "a port that drops connections: not sent" 75 "$rc"
expect_grep "connect timeout named" "connection timed out" "$tmp/out"
expect_grep "an unusual port that times out: hint names the port and 587/465" \
    "^hint: no answer from port $port within timeout = 2 seconds: firewalls and hosting providers often block ports other than 587 and 465; set port = 587 with tls = starttls, or port = 465 with tls = implicit" "$tmp/out"

# ---- Replies that name their cause ----------------------------------
# hint_case NAME STAGE REPLY EXPECTED-STATUS PATTERN
hint_case() {
	if [ "$2" = auth ]; then
		serve "$1" --tls starttls --auth PLAIN --user relay@example.org \
		    --password relay-pw --fail "auth:$3"
		{ relay "$1" "$port" starttls "$login"; queue "-$1"; } > "$tmp/$1.conf"
	else
		serve "$1" --fail "$2:$3"
		{ relay "$1" "$port" none; queue "-$1"; } > "$tmp/$1.conf"
	fi
	testmail "$tmp/$1.conf"
	expect "$1: not sent" "$4" "$rc"
	expect_grep "$1: verdict names the relay" "^result: NOT sent through relay $1" "$tmp/out"
	expect_grep "$1: hint" "$5" "$tmp/out"
	$shim -C "$tmp/$1.conf" -bp > "$tmp/q.out" 2>&1
	expect_grep "$1: nothing queued (queue mode on-failure)" "Mail queue is empty" "$tmp/q.out"
}
hint_case o365auth auth '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant' \
    77 "^hint: the server has password (basic) authentication turned off for this account: sign in with OAuth2 instead (auth = xoauth2"
hint_case basicoff auth '535 5.7.30 Basic authentication is not supported for Client Submission' \
    77 "^hint: the server has password (basic) authentication turned off .*--oauth2-login"
hint_case googleweb auth '534 5.7.14 <https://accounts.google.com/signin/continue>\nPlease log in via your web browser and\nthen try again.' \
    77 "^hint: Google wants a web browser login .*password_file"
hint_case connector rcpt '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain' \
    67 "^hint: the server takes mail only from authorised IP ranges: .*set username and password_file"
hint_case tenant rcpt '550 5.7.64 TenantAttribution; Relay Access Denied' \
    67 "^hint: the server takes mail only from authorised IP ranges"
hint_case hostrej rcpt '554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied' \
    67 "^hint: the server takes mail only from authorised IP ranges"

[ "$nfail" -eq 0 ]
