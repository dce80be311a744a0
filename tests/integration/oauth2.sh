#!/bin/sh
# Built-in OAuth2 (issue #14) end to end: smtpgate-sendmail against a
# scripted HTTPS token and device-code endpoint (oauth2_server.py) and an
# SMTP server that takes only the access tokens that endpoint issued
# (smtpd.py --oauth-tokens).  The device login with pending and
# slow_down; a cached token used without a token request; an expired one
# refreshed exactly once, XOAUTH2 and OAUTHBEARER; a rotated refresh
# token written back; a token the SMTP server refuses refreshed once;
# invalid_grant, 5xx and a hanging endpoint queue the message and lose
# nothing; 8 concurrent senders cause one refresh; --test-mail's
# "oauth2:" line; the token file's mode; no token in any output; the
# configuration errors.
#
# As root with unshare, it runs in a private mount namespace with a
# listener of its own on /dev/log (as privileges.sh does), so syslog is
# checked for the sign-in hint and for tokens; otherwise those checks are
# left out.
set -u
if [ -z "${SMTPGATE_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    command -v unshare > /dev/null && unshare --mount true 2>/dev/null; then
	SMTPGATE_IN_NS=1 exec unshare --mount --propagation private --fork \
	    sh "$0" "$@"
fi
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
oauth="${srcdir:-.}/tests/integration/oauth2_server.py"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }

make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
serve_base=120

# ---- syslog, when we may have our own /dev/log ------------------------
syslog=$tmp/syslog
: > "$syslog"
[ -z "${SMTPGATE_IN_NS:-}" ] || private_syslog "$syslog"

# ---- helpers ----------------------------------------------------------
expect_fgrep() {	# expect_fgrep NAME FIXED-STRING FILE
	if grep -q -F -- "$2" "$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$2' not in:"
		sed 's/^/    /' "$3"
		nfail=$((nfail + 1))
	fi
}
expect_true() {	# expect_true NAME COMMAND...
	_n=$1; shift
	if "$@"; then
		echo "ok: $_n"
	else
		echo "FAIL: $_n"
		nfail=$((nfail + 1))
	fi
}

# Every output of the shim, for the final check that no token leaked.
seen=$tmp/seen
: > "$seen"
# run ARGS...: the shim (bounded: a hang must fail the test, not stall
# it); stdout in $tmp/out, stderr in $tmp/err, both also in $tmp/all
# and $seen; exit status in $rc.
run() {
	timeout 120 "$shim" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" > "$tmp/all"
	cat "$tmp/all" >> "$seen"
}
# send CONF [SUBJECT]: one message from alice to bob.
send() {
	printf 'Subject: %s\n\nbody\n' "${2:-oauth2 test}" |
	    run -C "$1" -f alice@example.org bob@example.org
}

# jget FILE KEY: a value of the token file ("" when absent).
jget() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1])).get(sys.argv[2])
print("" if v is None else v)' "$1" "$2" 2>/dev/null
}
# expire FILE [SECONDS]: make the cached access token expire SECONDS
# from now (default: 10 seconds ago).  The file keeps its mode.
expire() {
	python3 -c 'import json, sys, time
f = sys.argv[1]
d = json.load(open(f))
d["expires_at"] = int(time.time()) + int(sys.argv[2])
open(f, "w").write(json.dumps(d))' "$1" "${2:--10}"
}
fmode() { stat -c %a "$1" 2>/dev/null; }

# Secrets to look for in every output at the end.
secrets=$tmp/secrets
: > "$secrets"
remember() {	# remember TOKEN-FILE: its tokens join the secrets
	for k in access_token refresh_token; do
		v=$(jget "$1" $k)
		[ -z "$v" ] || echo "$v" >> "$secrets"
	done
}

# ---- the token endpoint -----------------------------------------------
oport=$(pick_port 7)
tlog=$tmp/token.log
issued=$tmp/issued
: > "$tlog"; : > "$issued"
o365_scope="https://outlook.office.com/SMTP.Send offline_access"
gmail_scope="https://mail.google.com/"
# script KEY=VALUE...: the endpoint's behaviour from its next request on
# (written whole, then renamed: it never reads half a file).
script() {
	{
		printf 'client_id=smtpgate-test\nuser_code=QWER-TYUI\ninterval=1\n'
		printf 'scope=%s\n' "$o365_scope"
		for kv in "$@"; do printf '%s\n' "$kv"; done
	} > "$tmp/script.new" && mv "$tmp/script.new" "$tmp/script"
}
script
start_server "$oport" "$tmp/oauth.out" python3 "$oauth" --port "$oport" \
    --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" \
    --log "$tlog" --issued "$issued" --script "$tmp/script" ||
    { echo "FAIL: token endpoint did not start"; exit 1; }
url="https://127.0.0.1:$oport"
# Token requests since the last mark.
mark() { tmark=$(wc -l < "$tlog"); }
since() { tail -n "+$((tmark + 1))" "$tlog"; }
refreshes() { since | grep -c '"grant_type": "refresh_token"'; }
requests() { since | wc -l; }

# ---- the SMTP server: only issued tokens, only for alice ---------------
serve smtp --tls starttls --auth XOAUTH2,OAUTHBEARER --require-auth \
    --user alice@example.org --oauth-tokens "$issued"
sport=$port sdir=$maildir smtplog=$slog
delivered() { count "$sdir"; }

q=$tmp/q
queued() { ls "$q/env" 2>/dev/null | wc -l; }
mkdir -m 700 "$tmp/tok"
tok=$tmp/tok/o365.json
btok=$tmp/tok/bearer.json
printf 'gsecret-4711\n' > "$tmp/client.secret"; chmod 600 "$tmp/client.secret"
echo gsecret-4711 >> "$secrets"

# relay NAME AUTH TOKEN-FILE SCOPE [KEY = VALUE...]: a [relay] section.
relay() {
	printf '[relay %s]\nhost = 127.0.0.1\nport = %s\ntls = starttls\n' "$1" "$sport"
	printf 'tls_ca_file = %s\ntimeout = 3\nfallback = no\n' "$tmp/pki/ca.pem"
	[ "$2" = auto ] || printf 'auth = %s\n' "$2"
	printf 'username = alice@example.org\noauth2_client_id = smtpgate-test\n'
	printf 'oauth2_scope = %s\n' "$4"
	printf 'oauth2_token_url = %s/token\noauth2_device_url = %s/devicecode\n' "$url" "$url"
	printf 'oauth2_token_file = %s\n' "$3"
	shift 4
	for kv in "$@"; do printf '%s\n' "$kv"; done
	printf '\n'
}
common() {
	printf '[general]\nhostname = app.example.org\n\n'
	printf '[message]\nfrom = alice@example.org\n\n'
	printf '[queue]\ndir = %s\n' "$q"
}
{ common; relay o365 xoauth2 "$tok" "$o365_scope"; } > "$tmp/o365.conf"
{ common; relay gmail oauthbearer "$btok" "$gmail_scope" \
    "oauth2_client_secret_file = $tmp/client.secret"; } > "$tmp/gmail.conf"
{ common; relay auto auto "$tok" "$o365_scope"; } > "$tmp/auto.conf"
{ common; relay scratch xoauth2 "$tmp/tok/scratch.json" "$o365_scope"; } > "$tmp/scratch.conf"

# ---- 1. Sign in: the device flow with pending and slow_down -----------
script device=pending,slow_down,ok
mark
run -C "$tmp/o365.conf" --oauth2-login --relay o365 < /dev/null
expect "--oauth2-login: signed in" 0 "$rc"
expect_fgrep "--oauth2-login prints the verification URL" "$url/devicelogin" "$tmp/out"
expect_fgrep "--oauth2-login prints the user code" "QWER-TYUI" "$tmp/out"
expect_fgrep "--oauth2-login says where the tokens are" "signed in: tokens stored in $tok" "$tmp/out"
expect "the token file is mode 0600" 600 "$(fmode "$tok")"
rt1=$(jget "$tok" refresh_token)
at1=$(jget "$tok" access_token)
remember "$tok"
expect_true "the token file has the refresh token (rt-...)" \
    sh -c 'case "$1" in rt-*) exit 0;; esac; exit 1' x "$rt1"
expect "the token file has the issued access token" "$(tail -n 1 "$issued")" "$at1"
expect "the token file is version 1" 1 "$(jget "$tok" version)"
expect "the token file names the client" smtpgate-test "$(jget "$tok" client_id)"
expect "the token file names the token URL" "$url/token" "$(jget "$tok" token_url)"
exp=$(jget "$tok" expires_at)
now=$(date +%s)
expect_true "expires_at is about an hour ahead" \
    test "${exp:-0}" -gt $((now + 3000)) -a "${exp:-0}" -le $((now + 3700))
since > "$tmp/login.log"
expect "one device code request" 1 "$(grep -c '"path": "/devicecode"' "$tmp/login.log")"
expect_fgrep "the device request carries the scope" "\"scope\": \"$o365_scope\"" "$tmp/login.log"
expect "three polls: pending, slow_down, ok" 3 \
    "$(grep -c '"grant_type": "urn:ietf:params:oauth:grant-type:device_code"' "$tmp/login.log")"
expect_nogrep "a public client sends no client_secret" '"client_secret": true' "$tmp/login.log"
expect "every request is form-urlencoded" 0 \
    "$(grep -v -c '"content_type": "application/x-www-form-urlencoded' "$tmp/login.log")"
# The polls' spacing: interval 1, then 1 + 5 after slow_down.
python3 - "$tmp/login.log" > "$tmp/gaps" <<'PY'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
print(" ".join("%.1f" % (b - a) for a, b in zip(t, t[1:])))
PY
gaps=$(cat "$tmp/gaps")
expect_true "the first polls wait the interval (gaps: $gaps)" python3 -c '
import sys; g = [float(x) for x in sys.argv[1].split()]
sys.exit(not (len(g) == 3 and g[0] >= 0.9 and g[1] >= 0.9))' "$gaps"
expect_true "slow_down adds 5 seconds to the interval (gaps: $gaps)" python3 -c '
import sys; g = [float(x) for x in sys.argv[1].split()]
sys.exit(not (len(g) == 3 and g[2] >= 5.5))' "$gaps"

# ---- 2. A valid cached token: no token request ------------------------
script
mark
: > "$smtplog"
run_v() { printf 'Subject: v\n\nx\n' | run -C "$1" -v -f alice@example.org bob@example.org; }
run_v "$tmp/o365.conf"
expect "cached token: sent" 0 "$rc"
expect "cached token: delivered" 1 "$(delivered)"
expect "cached token: no token request" 0 "$(requests)"
expect_fgrep "cached token: the XOAUTH2 string has the user and the token" \
    "AUTH-DATA user=alice@example.org^Aauth=Bearer $at1^A^A" "$smtplog"
expect_grep "-v shows AUTH masked" "AUTH XOAUTH2 \*" "$tmp/all"

# ---- 3. An expired access token: exactly one refresh ------------------
expire "$tok"
mark
: > "$smtplog"
send "$tmp/o365.conf" expired
expect "expired token: sent" 0 "$rc"
expect "expired token: delivered" 2 "$(delivered)"
expect "expired token: exactly one refresh" 1 "$(refreshes)"
expect "expired token: one token request in all" 1 "$(requests)"
since > "$tmp/r.log"
expect_fgrep "the refresh uses the stored refresh token" "\"refresh_token\": \"$rt1\"" "$tmp/r.log"
expect_fgrep "the refresh names the client" '"client_id": "smtpgate-test"' "$tmp/r.log"
expect_fgrep "the refresh carries the scope" "\"scope\": \"$o365_scope\"" "$tmp/r.log"
at2=$(tail -n 1 "$issued")
expect_fgrep "expired token: the XOAUTH2 string carries the new token" \
    "AUTH-DATA user=alice@example.org^Aauth=Bearer $at2^A^A" "$smtplog"
expect "the new access token is cached" "$at2" "$(jget "$tok" access_token)"
expect "without a new refresh token the old one is kept" "$rt1" "$(jget "$tok" refresh_token)"
expect "after the refresh the file is still 0600" 600 "$(fmode "$tok")"
remember "$tok"

# Within the 60 s margin counts as expired; under umask 000 the mode holds.
expire "$tok" 30
mark
(umask 000; send "$tmp/o365.conf" margin; echo "$rc" > "$tmp/rc")
expect "30 s before expiry: sent" 0 "$(cat "$tmp/rc")"
expect "30 s before expiry: refreshed (60 s margin)" 1 "$(refreshes)"
expect "umask 000: the token file stays 0600" 600 "$(fmode "$tok")"
remember "$tok"

# ---- 4. A rotated refresh token is written back -----------------------
script refresh=rotate expires_as=string
expire "$tok"
mark
send "$tmp/o365.conf" rotate1
expect "rotation: sent" 0 "$rc"
expect "rotation: one refresh" 1 "$(refreshes)"
rt2=$(jget "$tok" refresh_token)
expect_true "rotation: the new refresh token is stored ($rt2)" \
    sh -c 'case "$1" in rt-*) [ "$1" != "$2" ];; *) exit 1;; esac' x "$rt2" "$rt1"
exp=$(jget "$tok" expires_at)
expect_true "expires_in as a string is understood" test "${exp:-0}" -gt $(($(date +%s) + 3000))
remember "$tok"
expire "$tok"
mark
send "$tmp/o365.conf" rotate2
expect "rotation: the next refresh works (the old token is dead)" 0 "$rc"
since > "$tmp/r.log"
expect_fgrep "rotation: the next refresh uses the new refresh token" \
    "\"refresh_token\": \"$rt2\"" "$tmp/r.log"
expect "rotation: one refresh again" 1 "$(refreshes)"
expect "rotation: both delivered" 5 "$(delivered)"
expect "rotation: the file is still 0600" 600 "$(fmode "$tok")"
remember "$tok"
left=$(ls -A "$tmp/tok" | grep -v -x -e o365.json -e o365.json.lock)
expect "no temporary file left next to the token file" "" "$left"
expect "nothing queued so far" 0 "$(queued)"

# ---- 5. The SMTP server refuses a token the file thinks valid ---------
script
cat "$issued" >> "$secrets"
: > "$issued"
mark
: > "$smtplog"
send "$tmp/o365.conf" refused
expect "refused token: sent after one forced refresh" 0 "$rc"
expect "refused token: exactly one refresh" 1 "$(refreshes)"
expect "refused token: delivered" 6 "$(delivered)"
expect "refused token: AUTH tried twice" 2 "$(grep -c '^AUTH XOAUTH2' "$smtplog")"
expect_fgrep "refused token: the retry carries the new token" \
    "auth=Bearer $(tail -n 1 "$issued")^A^A" "$smtplog"
expect "refused token: nothing queued" 0 "$(queued)"
remember "$tok"

# auth = auto with oauth2_client_id means XOAUTH2.
: > "$smtplog"
send "$tmp/auto.conf" auto
expect "auth = auto with oauth2_client_id: sent" 0 "$rc"
expect_grep "auth = auto with oauth2_client_id: XOAUTH2" "^AUTH XOAUTH2 " "$smtplog"

# ---- 6. OAUTHBEARER, Google's device answer, a confidential client ----
script "scope=$gmail_scope" style=google client_secret=gsecret-4711
mark
run -C "$tmp/gmail.conf" --oauth2-login --relay gmail < /dev/null
expect "Google style: signed in" 0 "$rc"
expect_fgrep "Google style: the verification_url is printed" "$url/devicelogin" "$tmp/out"
expect "Google style: the token file is 0600" 600 "$(fmode "$btok")"
remember "$btok"
bat=$(jget "$btok" access_token)
: > "$smtplog"
send "$tmp/gmail.conf" bearer
expect "OAUTHBEARER: sent" 0 "$rc"
expect_fgrep "OAUTHBEARER: the user is in the GS2 header" "AUTH-DATA n,a=alice@example.org," "$smtplog"
expect_fgrep "OAUTHBEARER: the token" "auth=Bearer $bat^A^A" "$smtplog"
expire "$btok"
since > "$tmp/g.log"
mark
: > "$smtplog"
send "$tmp/gmail.conf" bearer-expired
expect "OAUTHBEARER, expired: sent" 0 "$rc"
expect "OAUTHBEARER, expired: one refresh" 1 "$(refreshes)"
expect_fgrep "OAUTHBEARER, expired: the new token" "auth=Bearer $(tail -n 1 "$issued")^A^A" "$smtplog"
since >> "$tmp/g.log"
expect "a confidential client sends its secret in every request" 0 \
    "$(grep -c '"client_secret": false' "$tmp/g.log")"
expect "OAUTHBEARER: delivered" 9 "$(delivered)"
remember "$btok"

rt_before_acct=$(jget "$tok" refresh_token)

# ---- 6b. An [account]: the relay's client, a token file of its own ----
serve acct --tls starttls --auth XOAUTH2,OAUTHBEARER --require-auth \
    --user carol@example.org --oauth-tokens "$issued"
acct_dir=$maildir acct_log=$slog
ctok=$tmp/tok/carol.json
{ common; relay o365 xoauth2 "$tok" "$o365_scope"
  printf '[account carol@example.org]\nrelay = o365\noauth2_token_file = %s\n' "$ctok"
} | sed "s/^port = $sport\$/port = $port/" > "$tmp/account.conf"
script
run -C "$tmp/account.conf" --oauth2-login --account carol@example.org < /dev/null
expect "--oauth2-login --account: signed in" 0 "$rc"
expect_fgrep "--oauth2-login --account: its own token file" "signed in: tokens stored in $ctok" "$tmp/out"
expect "the account's token file is 0600" 600 "$(fmode "$ctok")"
expect "the account's login left the relay's token file alone" "$(jget "$tok" refresh_token)" "$rt_before_acct"
remember "$ctok"
printf 'Subject: carol\n\nx\n' | run -C "$tmp/account.conf" -f carol@example.org bob@example.org
expect "the account sends with its own token" 0 "$rc"
expect_fgrep "the account's XOAUTH2 string: its user, its token" \
    "AUTH-DATA user=carol@example.org^Aauth=Bearer $(jget "$ctok" access_token)^A^A" "$acct_log"
expect "the account's message arrived" 1 "$(count "$acct_dir")"

# ---- 7. --test-mail shows the token step before AUTH ------------------
script
run -C "$tmp/o365.conf" --test-mail check@example.org
expect "--test-mail, cached token: sent" 0 "$rc"
expect_grep "--test-mail: an oauth2: line (cached)" "^oauth2:.*cached" "$tmp/all"
o=$(grep -n '^oauth2:' "$tmp/all" | head -n 1 | cut -d: -f1)
a=$(grep -n 'AUTH XOAUTH2' "$tmp/all" | head -n 1 | cut -d: -f1)
expect_true "--test-mail: the oauth2: line comes before AUTH" test "${o:-99999}" -lt "${a:-0}"
expire "$tok"
run -C "$tmp/o365.conf" --test-mail check@example.org
expect "--test-mail, expired token: sent" 0 "$rc"
expect_grep "--test-mail: an oauth2: line (refreshed)" "^oauth2:.*refreshed" "$tmp/all"
remember "$tok"

# ---- 8. invalid_grant: queued, the user told to sign in, nothing lost -
script refresh=invalid_grant
expire "$tok"
before=$(delivered)
: > "$syslog"
send "$tmp/o365.conf" revoked
expect "invalid_grant: accepted and queued (exit 0)" 0 "$rc"
expect "invalid_grant: queued" 1 "$(queued)"
expect "invalid_grant: not delivered" "$before" "$(delivered)"
expect_grep "invalid_grant: stderr says to sign in again" \
    "run smtpgate-sendmail .*--oauth2-login --relay o365" "$tmp/err"
if have_syslog; then
	sleep 0.3
	expect_grep "invalid_grant: syslog says to sign in again" \
	    "smtpgate-sendmail.*--oauth2-login --relay o365" "$syslog"
else
	echo "# no /dev/log of our own: syslog checks left out"
fi
run -C "$tmp/o365.conf" -bp
expect_grep "invalid_grant: mailq lists it" "bob@example.org" "$tmp/out"
run -C "$tmp/o365.conf" --test-mail check@example.org
expect_true "--test-mail, invalid_grant: not sent" test "$rc" -ne 0
expect_grep "--test-mail, invalid_grant: an oauth2: line" "^oauth2:" "$tmp/all"
expect_grep "--test-mail, invalid_grant: says to sign in again" "oauth2-login" "$tmp/all"
expect "--test-mail is never queued" 1 "$(queued)"
# The revoked token stays revoked: signing in again is the only way.
script
run -C "$tmp/o365.conf" --oauth2-login --relay o365 < /dev/null
expect "invalid_grant: signed in again" 0 "$rc"
remember "$tok"
run -C "$tmp/o365.conf" -q
expect "after the new sign-in -q exits 0" 0 "$rc"
expect "after the new sign-in the queued message is delivered" $((before + 1)) "$(delivered)"
expect "the queue is empty" 0 "$(queued)"
grep -l -a '^Subject: revoked' "$sdir"/msg-* > /dev/null 2>&1
expect "the revoked-grant message arrived" 0 $?

# ---- 9. The token endpoint down or hanging: temporary, queued ---------
script refresh=5xx
expire "$tok"
before=$(delivered)
send "$tmp/o365.conf" e5xx
expect "5xx: accepted and queued (exit 0)" 0 "$rc"
expect "5xx: queued" 1 "$(queued)"
expect "5xx: not delivered" "$before" "$(delivered)"
expect_nogrep "5xx: no sign-in asked for" "oauth2-login" "$tmp/err"
script refresh=hang
t0=$(date +%s)
send "$tmp/o365.conf" hang
t1=$(date +%s)
expect "hang: accepted and queued (exit 0)" 0 "$rc"
expect "hang: queued" 2 "$(queued)"
expect_true "hang: bounded by the timeout ($((t1 - t0)) s with timeout = 3)" test $((t1 - t0)) -lt 30
expect_nogrep "hang: no sign-in asked for" "oauth2-login" "$tmp/err"
# The token endpoint's certificate is verified: against the relay's
# tls_ca_file, which here knows only another CA.
script refresh=valid
n0=$(wc -l < "$tlog")
sed "s|^tls_ca_file = .*|tls_ca_file = $tmp/pki/self.pem|" "$tmp/o365.conf" > "$tmp/badca.conf"
send "$tmp/badca.conf" badca
expect "unknown CA: accepted and queued (exit 0)" 0 "$rc"
expect "unknown CA: queued" 3 "$(queued)"
expect_grep "unknown CA: the error names the certificate" "OAuth2: https://127.0.0.1:$oport/token: .*[Cc]ertificate" "$tmp/err"
expect "unknown CA: the endpoint never saw a request" "$n0" "$(wc -l < "$tlog")"
run -C "$tmp/o365.conf" -q
expect "endpoint back: -q delivers all three" $((before + 3)) "$(delivered)"
expect "endpoint back: the queue is empty" 0 "$(queued)"
remember "$tok"

# ---- 10. 8 concurrent senders, an expired token: one refresh ----------
script refresh=slow delay=1
expire "$tok"
before=$(delivered)
mark
k=0
pids=""
while [ $k -lt 8 ]; do
	k=$((k + 1))
	( printf 'Subject: concurrent %s\n\nx\n' $k |
	    timeout 120 "$shim" -C "$tmp/o365.conf" -f alice@example.org "c$k@example.org" \
	    > "$tmp/c$k.out" 2>&1; echo $? > "$tmp/c$k.rc" ) &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
bad=0
k=0
while [ $k -lt 8 ]; do
	k=$((k + 1))
	[ "$(cat "$tmp/c$k.rc")" = 0 ] || bad=$((bad + 1))
	cat "$tmp/c$k.out" >> "$seen"
done
expect "8 concurrent senders all exit 0" 0 "$bad"
expect "8 concurrent senders: exactly one refresh request" 1 "$(refreshes)"
expect "8 concurrent senders: 8 messages delivered" $((before + 8)) "$(delivered)"
expect "8 concurrent senders: nothing queued" 0 "$(queued)"
expect "the token file is still 0600" 600 "$(fmode "$tok")"
remember "$tok"

# ---- 11. --oauth2-login's failures -------------------------------------
script device=pending,access_denied
run -C "$tmp/scratch.conf" --oauth2-login --relay scratch < /dev/null
expect "access_denied: exit 77" 77 "$rc"
script device=expired_token
run -C "$tmp/scratch.conf" --oauth2-login --relay scratch < /dev/null
expect "expired_token: exit 75" 75 "$rc"
script devicecode=5xx
run -C "$tmp/scratch.conf" --oauth2-login --relay scratch < /dev/null
expect "device endpoint 5xx: exit 69" 69 "$rc"
expect "a failed sign-in writes no token file" no \
    "$([ -e "$tmp/tok/scratch.json" ] && echo yes || echo no)"
script

# ---- 12. Configuration errors name file:line --------------------------
cat > "$tmp/both.conf" <<CONF
[relay both]
host = 127.0.0.1
port = $sport
auth = xoauth2
username = alice@example.org
oauth2_client_id = smtpgate-test
oauth2_token_url = $url/token
oauth2_scope = $o365_scope
oauth2_token_file = $tmp/tok/both.json
password_file = $tmp/client.secret
CONF
run -C "$tmp/both.conf" --check-config
expect "oauth2_client_id with password_file: EX_CONFIG" 78 "$rc"
expect_grep "oauth2_client_id with password_file: file:line" \
    "both.conf:\(1\|6\|10\): .*oauth2_client_id.*password_file\|both.conf:\(1\|6\|10\): .*password_file.*oauth2_client_id" \
    "$tmp/all"
cat > "$tmp/nosource.conf" <<CONF
[relay bare]
host = 127.0.0.1
port = $sport
auth = xoauth2
username = alice@example.org
CONF
run -C "$tmp/nosource.conf" --check-config
expect "xoauth2 without a token source: EX_CONFIG" 78 "$rc"
expect_grep "xoauth2 without a token source: file:line" \
    "nosource.conf:\(1\|4\): .*xoauth2" "$tmp/all"

# ---- 13. No token, refresh token, device code or secret in any output --
cat "$issued" >> "$secrets"
grep -o '"device_code": "dc-[^"]*"' "$tlog" | sed 's/.*: "//; s/"$//' >> "$secrets"
sort -u "$secrets" | grep -v '^$' > "$tmp/secrets.u"
: > "$tmp/qfiles"
[ -d "$q" ] && find "$q" -type f -exec cat {} + > "$tmp/qfiles" 2>/dev/null
ntok=$(wc -l < "$tmp/secrets.u")
expect_true "secrets collected to look for ($ntok)" test "$ntok" -ge 10
leaks=0
while read -r s; do
	for f in "$seen" "$syslog" "$tmp/qfiles"; do
		if grep -q -F -- "$s" "$f"; then
			echo "# leaked: $s in ${f##*/}"
			leaks=$((leaks + 1))
		fi
	done
done < "$tmp/secrets.u"
expect "no token or secret in stdout, stderr, -v, --test-mail, syslog or the queue" 0 "$leaks"

[ "$nfail" -eq 0 ]
