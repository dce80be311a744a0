#!/bin/sh
# OAuth2 in the setgid install, attacked by a real unprivileged user:
# root's configuration at the compiled-in path names a relay with
# oauth2_client_id and a token file in a directory of the group's (2770).
# Root signs in; a user may not, cannot read the tokens, and still sends
# (the privileged helper refreshes the token: the refresh token never
# reaches the user's process); the user's proxy and key log variables do
# not reach the helper's HTTPS client; a -C copy of root's file gets
# nothing.  Runs in a private mount namespace like privileges.sh.
set -u
if [ -z "${SMTPGATE_IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null ||
	    ! command -v useradd > /dev/null || ! command -v runuser > /dev/null ||
	    ! command -v openssl > /dev/null ||
	    [ ! -d "${SMTPGATE_SYSCONFDIR:-/nonexistent}" ]; then
		echo "SKIP: needs root, unshare, useradd, runuser, openssl and \$SMTPGATE_SYSCONFDIR"
		exit 77
	fi
	SMTPGATE_IN_NS=1 exec unshare --mount --propagation private --fork \
	    sh "$0" "$@"
fi
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
server="${srcdir:-.}/tests/integration/smtpd.py"
oauth="${srcdir:-.}/tests/integration/oauth2_server.py"
mount -t tmpfs -o mode=755 smtpgate-test-etc "$SMTPGATE_SYSCONFDIR" || exit 99
etc=$SMTPGATE_SYSCONFDIR/smtpgate
mkdir -m 755 "$etc"
conf=$etc/smtpgate.conf

grp=sot$$
usr=sou$$
groupadd "$grp" || exit 99
useradd -M -N -g nogroup -s /bin/sh -d /nonexistent "$usr" || { groupdel "$grp"; exit 99; }
trap 'userdel "$usr" 2>/dev/null; groupdel "$grp" 2>/dev/null; cleanup' EXIT
as_user() { runuser -u "$usr" -- "$@"; }

chmod 711 "$tmp"
mkdir -p "$tmp/bin" "$tmp/home"
chown "$usr" "$tmp/home"
cp ./sendmail-shim/smtpgate-sendmail "$tmp/bin/"
chgrp "$grp" "$tmp/bin/smtpgate-sendmail"
chmod 2755 "$tmp/bin/smtpgate-sendmail"
shim=$tmp/bin/smtpgate-sendmail
install -d -m 2770 -g "$grp" "$tmp/q" "$tmp/q/tmp" "$tmp/q/msg" "$tmp/q/env" \
    "$tmp/oauth2"
tok=$tmp/oauth2/relay-o365
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
chmod 755 "$tmp/pki"; chmod 644 "$tmp/pki/ca.pem"

# The token endpoint, and an SMTP server that takes only its tokens.
script() {
	{
		printf 'client_id=smtpgate-test\nuser_code=ZXCV-BNMA\ninterval=1\n'
		for kv in "$@"; do printf '%s\n' "$kv"; done
	} > "$tmp/script.new" && mv "$tmp/script.new" "$tmp/script"
}
script
oport=$(pick_port 8)
tlog=$tmp/token.log issued=$tmp/issued
: > "$tlog"; : > "$issued"
start_server "$oport" "$tmp/oauth.out" python3 "$oauth" --port "$oport" \
    --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" \
    --log "$tlog" --issued "$issued" --script "$tmp/script" ||
    { echo "FAIL: token endpoint did not start"; exit 1; }
serve_base=130
serve smtp --tls starttls --auth XOAUTH2 --require-auth \
    --user alice@example.org --oauth-tokens "$issued"
refreshes() { grep -c '"grant_type": "refresh_token"' "$tlog"; }

cat > "$conf" <<CONF
[general]
hostname = priv.example.org
domain = example.org
[relay o365]
host = 127.0.0.1
port = $port
tls = starttls
tls_ca_file = $tmp/pki/ca.pem
username = alice@example.org
oauth2_client_id = smtpgate-test
oauth2_scope = https://outlook.office.com/SMTP.Send offline_access
oauth2_token_url = https://127.0.0.1:$oport/token
oauth2_device_url = https://127.0.0.1:$oport/devicecode
oauth2_token_file = $tok
timeout = 5
[queue]
dir = $tmp/q
CONF
chmod 644 "$conf"

# ---- Root signs in for everyone -----------------------------------------
script device=pending,ok
"$shim" --oauth2-login --relay o365 < /dev/null > "$tmp/out" 2>&1
expect "root signs in through the setgid binary" 0 $?
expect_grep "the code is shown" "ZXCV-BNMA" "$tmp/out"
expect "the token file belongs to the group" "$grp 660" \
    "$(stat -c '%G %a' "$tok" 2>/dev/null)"
rt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refresh_token"])' "$tok")

# ---- A user may not sign in, nor read the tokens -------------------------
n0=$(wc -l < "$tlog")
as_user "$shim" --oauth2-login --relay o365 < /dev/null > "$tmp/out" 2>&1
expect "a user may not sign in for root's configuration" 77 $?
expect_grep "the refusal says who may" "only root may sign in: sudo smtpgate-sendmail --oauth2-login --relay o365" "$tmp/out"
expect "the refusal asked the endpoint nothing" "$n0" "$(wc -l < "$tlog")"
as_user cat "$tok" > /dev/null 2>&1
expect "the user cannot read the token file" 1 $?

# ---- The user sends; the helper refreshes --------------------------------
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["expires_at"] = 1
open(sys.argv[1], "w").write(json.dumps(d))' "$tok"
r0=$(refreshes)
printf 'Subject: oauth as a user\n\nx\n' | as_user env HOME="$tmp/home" \
    https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    ALL_PROXY=http://127.0.0.1:9 SSLKEYLOGFILE="$tmp/home/keys" \
    "$shim" -v bob@example.org > "$tmp/out" 2>&1
expect "a user sends with an expired token" 0 $?
expect "the helper refreshed once" $((r0 + 1)) "$(refreshes)"
expect "the message arrived" 1 "$(count "$maildir")"
expect_grep "the transcript says the token was refreshed" "^oauth2: refreshed" "$tmp/out"
expect "the caller's proxy variables did not reach the helper" 0 \
    "$(grep -c 'Proxy\|proxy' "$tmp/out")"
[ ! -e "$tmp/home/keys" ]
expect "SSLKEYLOGFILE did not reach the helper" 0 $?
expect "the rewritten token file is still the group's, 0660" "$grp 660" \
    "$(stat -c '%G %a' "$tok" 2>/dev/null)"
at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$tok")
expect_nogrep "no refresh token in the user's output" "$rt" "$tmp/out"
expect_nogrep "no access token in the user's output" "$at" "$tmp/out"
left=$(ls -A "$tmp/oauth2" | grep -v -x -e relay-o365 -e relay-o365.lock)
expect "nothing else left in the token directory" "" "$left"

# ---- A -C copy of root's file gets nothing --------------------------------
cp "$conf" "$tmp/home/mine.conf"
sed -i "s|^dir = .*|dir = $tmp/home/q\nmode = never|" "$tmp/home/mine.conf"
chown "$usr" "$tmp/home/mine.conf"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["expires_at"] = 1
open(sys.argv[1], "w").write(json.dumps(d))' "$tok"
r0=$(refreshes)
printf 'Subject: -C\n\nx\n' | as_user env HOME="$tmp/home" \
    "$shim" -C "$tmp/home/mine.conf" bob@example.org > "$tmp/out" 2>&1
rc=$?
[ "$rc" -ne 0 ]
expect "-C with root's token file: not sent (exit $rc)" 0 $?
expect_grep "-C: the refusal names the token file" "relay-o365: Permission denied" "$tmp/out"
expect "-C: no token request" "$r0" "$(refreshes)"
expect "-C: nothing arrived" 1 "$(count "$maildir")"

# ---- Root and a -C file a user could change --------------------------------
# Its oauth2_token_file could name any file, which a sign-in or a refresh
# replaces: root must not act on it.
printf 'root:x:0:0\n' > "$tmp/victim"
sed -e "s|^oauth2_token_file = .*|oauth2_token_file = $tmp/victim|" \
    -e "s|^dir = .*|dir = $tmp/home/q\nmode = never|" "$conf" > "$tmp/home/aim.conf"
chown "$usr" "$tmp/home/aim.conf"
r0=$(wc -l < "$tlog")
"$shim" -C "$tmp/home/aim.conf" --oauth2-login --relay o365 < /dev/null > "$tmp/out" 2>&1
expect "root will not sign in for a user's -C file" 78 $?
expect_grep "the refusal says why and what to do" "is not root's alone.*use a configuration owned by root" "$tmp/out"
printf 'Subject: aimed\n\nx\n' | "$shim" -C "$tmp/home/aim.conf" bob@example.org > "$tmp/out" 2>&1
[ $? -ne 0 ]
expect "root does not send with a user's -C token file" 0 $?
expect_grep "the send names the refusal" "is not root's alone" "$tmp/out"
expect "the file it named is untouched" "root:x:0:0" "$(cat "$tmp/victim")"
expect "the endpoint was asked nothing" "$r0" "$(wc -l < "$tlog")"

# ---- Root (cron) sends through the same binary ----------------------------
printf 'Subject: from cron\n\nx\n' | "$shim" -FCronDaemon -i -B8BITMIME -oi \
    -oem ops@example.org > "$tmp/out" 2>&1
expect "root sends with the cached token" 0 $?
expect "root's message arrived" 2 "$(count "$maildir")"

[ "$nfail" -eq 0 ]
