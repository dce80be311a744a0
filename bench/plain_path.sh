#!/bin/sh
# What a message costs the shim in instructions (callgrind), and which
# libraries it loads, on three paths:
#   plain     no AUTH, no TLS (Postfix's smtp-sink)
#   password  AUTH PLAIN with a password_file (tests/integration/smtpd.py)
#   oauth2    AUTH XOAUTH2 with a cached, valid access token (same server)
# The point (issue #14): OAuth2 costs a message nothing until a token must
# be fetched; libcurl is loaded only then, so none of these three loads it.
#
#   sh bench/plain_path.sh [SHIM]    (from a build directory; run by hand)
#   SHIM defaults to ./sendmail-shim/smtpgate-sendmail; RUNS=3.
set -u
shim=${1:-./sendmail-shim/smtpgate-sendmail}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
for t in valgrind smtp-sink python3; do
	command -v $t > /dev/null || { echo "needs $t" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
port=$((24000 + $$ % 1000))
sport=$((port + 1))

# smtp-sink will not run as root without a user to become.
asroot=""
[ "$(id -u)" -ne 0 ] || asroot="-u nobody"
smtp-sink $asroot -c "127.0.0.1:$port" 100 > /dev/null 2>&1 &
pids="$pids $!"
printf 'at-bench-token\n' > "$tmp/issued"
python3 "$here/tests/integration/smtpd.py" --port "$sport" --maildir "$tmp/mail" \
    --auth PLAIN,XOAUTH2 --auth-plaintext --user bench@example.org \
    --password pw --oauth-tokens "$tmp/issued" > /dev/null 2>&1 &
pids="$pids $!"
mkdir -p "$tmp/mail"
sleep 1

printf 'pw\n' > "$tmp/pw"
chmod 600 "$tmp/pw"
now=$(date +%s)
printf '{"version":1,"client_id":"bench","token_url":"https://127.0.0.1:1/token","refresh_token":"rt-bench","access_token":"at-bench-token","expires_at":%s,"refreshed_at":%s}\n' \
    $((now + 86400)) "$now" > "$tmp/token"
chmod 600 "$tmp/token"
common="[general]
hostname = bench.example.org
[queue]
dir = $tmp/q
mode = never"
printf '%s\n[relay r]\nhost = 127.0.0.1\nport = %s\ntls = none\n' "$common" "$port" > "$tmp/plain.conf"
printf '%s\n[relay r]\nhost = 127.0.0.1\nport = %s\ntls = none\nallow_plaintext_auth = yes\nauth = plain\nusername = bench@example.org\npassword_file = %s/pw\n' \
    "$common" "$sport" "$tmp" > "$tmp/password.conf"
printf '%s\n[relay r]\nhost = 127.0.0.1\nport = %s\ntls = none\nallow_plaintext_auth = yes\nauth = xoauth2\nusername = bench@example.org\noauth2_client_id = bench\noauth2_scope = s\noauth2_token_url = https://127.0.0.1:1/token\noauth2_token_file = %s/token\n' \
    "$common" "$sport" "$tmp" > "$tmp/oauth2.conf"
msg='From: app@example.org
To: rcpt@example.net
Subject: bench
Date: Fri, 4 Dec 2026 10:00:00 +0000
Message-ID: <bench@example.org>

a line of body text'

for mode in plain password oauth2; do
	total=0
	for k in $(seq "$runs"); do
		printf '%s\n' "$msg" | valgrind --tool=callgrind \
		    --callgrind-out-file="$tmp/cg.$mode.$k" "$shim" -C "$tmp/$mode.conf" \
		    -i -f app@example.org rcpt@example.net 2> "$tmp/vg.log" ||
		    { echo "$mode: the shim failed" >&2; cat "$tmp/vg.log" >&2; exit 1; }
		ir=$(sed -n 's/^summary: //p' "$tmp/cg.$mode.$k")
		total=$((total + ir))
	done
	printf '%s\n' "$msg" | LD_DEBUG=libs "$shim" -C "$tmp/$mode.conf" -i \
	    -f app@example.org rcpt@example.net 2> "$tmp/ld.log"
	libs=$(grep -c 'calling init' "$tmp/ld.log")
	curl=$(grep -c 'libcurl' "$tmp/ld.log")
	printf '%-8s instructions per message (mean of %d): %d; libraries initialised: %d; libcurl: %s\n' \
	    "$mode" "$runs" $((total / runs)) "$libs" "$([ "$curl" -eq 0 ] && echo "not loaded" || echo LOADED)"
done
