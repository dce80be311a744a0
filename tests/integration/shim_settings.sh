#!/bin/sh
# smtpgate-sendmail against real SMTP servers on 127.0.0.1
# (tests/integration/smtpd.py): the settings users bring from other
# programs' "SMTP settings" pages (issue #13): [queue] delay, the default
# login of [general], error_relay and the notice's From, tls = explicit and
# tls = ssl; and two errors that used to read wrong (the reply to DATA, the
# relay named once).
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
serve_base=60
queued() { ls "$tmp/q/env" 2>/dev/null | wc -l; }

printf 'default-pw\n' > "$tmp/default.secret"; chmod 600 "$tmp/default.secret"

# 1. [queue] delay: nothing leaves before it has waited that long.
serve delay
delay_port=$port delay_dir=$maildir
cat > "$tmp/delay.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $delay_port
tls = none
[queue]
dir = $tmp/q
mode = on-failure
delay = 2s
CONF
start=$(date +%s)
printf 'Subject: runaway\n\nx\n' | $shim -C "$tmp/delay.conf" bob@example.org > "$tmp/out" 2>&1
expect "delay: the message is accepted" 0 $?
expect "delay: queued even with mode = on-failure" 1 "$(queued)"
expect "delay: not at the server" 0 "$(count "$delay_dir")"
$shim -C "$tmp/delay.conf" -bp > "$tmp/out" 2>&1
expect_grep "delay: mailq shows when it will go" "(0 attempts; next " "$tmp/out"
id=$(ls "$tmp/q/env" | head -n 1)
next=$(sed -n 's/^next //p' "$tmp/q/env/$id")
expect "delay: its next try is its arrival plus the delay" yes \
    "$([ "${next:-0}" -ge $((start + 2)) ] && [ "${next:-0}" -le $(($(date +%s) + 2)) ] && echo yes || echo "no ($next, start $start)")"
$shim -C "$tmp/delay.conf" --queue-run > "$tmp/out" 2>&1
expect "delay: --queue-run within the delay sends nothing" 0 "$(count "$delay_dir")"
$shim -C "$tmp/delay.conf" -q > "$tmp/out" 2>&1
expect "delay: -q within the delay sends nothing either" 0 "$(count "$delay_dir")"
sleep 3
$shim -C "$tmp/delay.conf" --queue-run > "$tmp/out" 2>&1
expect "delay: --queue-run after the delay sends it" 1 "$(count "$delay_dir")"
expect "delay: the queue is empty after" 0 "$(queued)"

# --delete within the window: the runaway job's mail never leaves.
printf 'Subject: runaway 2\n\nx\n' | $shim -C "$tmp/delay.conf" bob@example.org > "$tmp/out" 2>&1
id=$(ls "$tmp/q/env" | head -n 1)
$shim -C "$tmp/delay.conf" --delete "${id%.env}" > "$tmp/out" 2>&1
expect "delay: --delete within the window works" 0 $?
expect "delay: the deleted message is gone" 0 "$(queued)"
sleep 3
$shim -C "$tmp/delay.conf" --queue-run > "$tmp/out" 2>&1
expect "delay: the deleted message never reached the server" 1 "$(count "$delay_dir")"

sed 's/^mode = on-failure/mode = never/' "$tmp/delay.conf" > "$tmp/never.conf"
printf 'Subject: x\n\nx\n' | $shim -C "$tmp/never.conf" bob@example.org > "$tmp/out" 2>&1
expect "delay with mode = never is a config error" 78 $?
expect_grep "delay with mode = never names file and line" "never.conf:8: delay: " "$tmp/out"

# 2. The default login: a relay with credentials = default logs in with
# [general]'s username and secret.
serve default --auth PLAIN --auth-plaintext --user app@example.org --password default-pw
cat > "$tmp/default.conf" <<CONF
[general]
username = app@example.org
password_file = $tmp/default.secret
[relay main]
host = 127.0.0.1
port = $port
tls = none
allow_plaintext_auth = yes
credentials = default
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: d\n\nx\n' | $shim -C "$tmp/default.conf" bob@example.org > "$tmp/out" 2>&1
expect "default login: sent" 0 $?
expect_grep "default login: the server saw the default username" \
    'AUTH-DATA \\0app@example.org\\0default-pw' "$slog"
sed 's/^credentials = default/&\nusername = mine/' "$tmp/default.conf" > "$tmp/both.conf"
$shim -C "$tmp/both.conf" --check-config > "$tmp/out" 2>&1
expect "default login and the relay's own: config error" 78 $?
expect_grep "default login and the relay's own: keep one" \
    "both.conf:10: \[relay main\]: username and credentials = default are both set; keep one" "$tmp/out"

# 3. error_relay: a refused recipient's notice to error_address goes
# through the named relay, From error_address.
serve errmain --fail 'rcpt=gone@example.org:550 5.1.1 no such user'
errmain_port=$port errmain_dir=$maildir
serve errnotice
cat > "$tmp/err.conf" <<CONF
[general]
error_address = ops@example.org
error_relay = notices
[relay main]
host = 127.0.0.1
port = $errmain_port
tls = none
[relay notices]
enabled = no
host = 127.0.0.1
port = $port
tls = none
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: r\n\nx\n' | $shim -C "$tmp/err.conf" -f app@example.org bob@example.org gone@example.org > "$tmp/out" 2>&1
expect "error_relay: one recipient refused, exit 0" 0 $?
expect "error_relay: the message went through the main relay" 1 "$(count "$errmain_dir")"
expect "error_relay: the notice went through the notice relay" 1 "$(count "$maildir")"
notice=$(ls "$maildir"/msg-* 2>/dev/null | head -n 1)
expect_grep "error_relay: the notice is to error_address" "RCPT TO:<ops@example.org>" "${notice:-/dev/null}"
expect_grep "error_relay: the notice is From error_address" \
    "^From: Mail Delivery System <ops@example.org>" "${notice:-/dev/null}"
sed 's/^error_relay = notices/error_relay = notice/' "$tmp/err.conf" > "$tmp/err2.conf"
$shim -C "$tmp/err2.conf" --check-config > "$tmp/out" 2>&1
expect "error_relay naming no relay: config error" 78 $?
expect_grep "error_relay naming no relay: file, line and a suggestion" \
    "err2.conf:3: error_relay: no \[relay notice\] (did you mean 'notices'?)" "$tmp/out"

# 4. The words of other programs' settings pages.
serve explicit --tls starttls
cat > "$tmp/explicit.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $port
tls = explicit
tls_ca_file = $tmp/pki/ca.pem
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: e\n\nx\n' | $shim -C "$tmp/explicit.conf" bob@example.org > "$tmp/out" 2>&1
expect "tls = explicit sends" 0 $?
expect_grep "tls = explicit is STARTTLS" "STARTTLS" "$slog"
sed 's/^tls = explicit/tls = ssl/' "$tmp/explicit.conf" > "$tmp/ssl.conf"
printf 'Subject: e\n\nx\n' | $shim -C "$tmp/ssl.conf" bob@example.org > "$tmp/out" 2>&1
expect "tls = ssl is a config error" 78 $?
expect_grep "tls = ssl: file, line and the two choices" \
    "ssl.conf:4: tls: 'ssl' is ambiguous: use starttls (port 587) or implicit (port 465)" "$tmp/out"
sed 's/^host = /server = /' "$tmp/explicit.conf" > "$tmp/server.conf"
$shim -C "$tmp/server.conf" --check-config > "$tmp/out" 2>&1
expect_grep "server = gets 'did you mean host'" \
    "server.conf:2: unknown key 'server' in \[relay\] (did you mean 'host'?)" "$tmp/out"

# 5. A refusal at DATA names the DATA reply, not the RCPT's 250.
serve data --fail 'data:554 5.7.1 message content rejected'
cat > "$tmp/data.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $port
tls = none
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: d\n\nx\n' | $shim -C "$tmp/data.conf" bob@example.org > "$tmp/out" 2>&1
expect "refused at DATA: EX_UNAVAILABLE" 69 $?
expect_grep "refused at DATA: the recipient is named with the DATA reply" \
    "recipient <bob@example.org> refused: 554 5.7.1 message content rejected" "$tmp/out"
expect_nogrep "refused at DATA: not with the RCPT reply" "refused: 250" "$tmp/out"
expect_nogrep "refused at DATA: no hint about relaying" "relaying denied" "$tmp/out"

# 6. A secret that cannot be read: the relay is named once.
cat > "$tmp/nosecret.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $port
tls = none
allow_plaintext_auth = yes
username = app@example.org
password_command = /bin/false
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: s\n\nx\n' | $shim -C "$tmp/nosecret.conf" bob@example.org > "$tmp/out" 2>&1
expect "no secret: EX_NOPERM" 77 $?
expect_grep "no secret: the error names the relay" "relay main: cannot get the secret for app@example.org" "$tmp/out"
expect_nogrep "no secret: ...once" "relay main: relay main:" "$tmp/out"

[ "$nfail" -eq 0 ]
