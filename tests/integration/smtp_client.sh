#!/bin/sh
# lib/smtp_client against a real SMTP server (tests/integration/smtpd.py)
# over TCP and TLS: STARTTLS and implicit TLS with verification, AUTH
# mechanisms, failures at each stage, the clean wire, connection reuse.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
probe=./tests/tools/smtp_probe
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "openssl CLI missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
ca="$tmp/pki/ca.pem"
n=0

# serve NAME ARGS...: start a server, set $port, $maildir, $slog.
serve() {
	n=$((n + 1))
	port=$(pick_port $((n + 10)))
	maildir="$tmp/mail-$1"; slog="$tmp/log-$1"
	mkdir -p "$maildir"
	: > "$slog"
	shift
	start_server "$port" "$tmp/server-$n.out" python3 "$server" --port "$port" \
	    --maildir "$maildir" --log "$slog" --cert "$tmp/pki/server.pem" \
	    --key "$tmp/pki/server.key" "$@" || { echo "FAIL: server did not start"; exit 1; }
}
count() { ls "$1" | grep -c '^msg-' ; }

# A message built to trip every end-of-data trick.
printf 'Subject: wire test\r\nFrom: a@example.org\r\n\r\nline one\n.\nbare-lf-dot above\r\n.\r\nstill body\r.\r\n..two dots\rlast line without newline' > "$tmp/evil.eml"
printf 'Subject: plain\r\n\r\nhello\r\n' > "$tmp/plain.eml"

serve plain --pipelining
$probe 127.0.0.1 "$port" "$tmp/evil.eml" bob@example.org carol@example.org > "$tmp/out" 2>&1
expect "plain SMTP with pipelining: sent" 0 $?
expect "one message stored" 1 "$(count "$maildir")"
f=$(ls "$maildir"/msg-* | head -n 1)
# What the server got, after un-stuffing: the input with CRLF everywhere.
printf 'MAIL FROM:<probe@example.org>\nRCPT TO:<bob@example.org>\nRCPT TO:<carol@example.org>\n\nSubject: wire test\r\nFrom: a@example.org\r\n\r\nline one\r\n.\r\nbare-lf-dot above\r\n.\r\nstill body\r\n.\r\n..two dots\r\nlast line without newline\r\n' > "$tmp/want"
if cmp -s "$f" "$tmp/want"; then echo "ok: no smuggled end of data; every line CRLF, dots intact"
else echo "FAIL: received message differs:"; od -c "$f" | head -30; nfail=$((nfail + 1)); fi
expect_grep "pipelined: RCPT and DATA sent before replies" "RCPT TO:<carol@example.org>" "$slog"

serve nopipe
$probe -m 3 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "three messages over one connection without pipelining" 0 $?
expect "three messages stored" 3 "$(count "$maildir")"
expect "one EHLO: the connection was reused" 1 "$(grep -c '^EHLO' "$slog")"
expect_grep "QUIT at the end" "^QUIT" "$slog"

serve starttls --tls starttls --pipelining
$probe -t starttls -c "$ca" -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "STARTTLS with a verified certificate: sent" 0 $?
expect "EHLO again after STARTTLS" 2 "$(grep -c '^EHLO' "$slog")"

$probe -t starttls -c "$ca" -n wrong.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "STARTTLS to the wrong name: TLS failure" 4 $?
expect_grep "the expected name is named" "expected wrong.test" "$tmp/out"
$probe -t starttls -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "STARTTLS with an unknown CA: TLS failure" 4 $?

serve nostarttls --tls starttls --hide-starttls
$probe -t starttls -c "$ca" -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "STARTTLS not offered: TLS failure, no plain-text fallback" 4 $?
expect_grep "says why" "does not offer STARTTLS" "$tmp/out"
expect "nothing sent in plain text" 0 "$(grep -c '^MAIL' "$slog")"

serve inject --tls starttls --inject
$probe -t starttls -c "$ca" -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "injected replies before TLS are discarded, the mail still goes" 0 $?
expect_grep "discarded bytes reported" "discarded: [1-9]" "$tmp/out"
expect "EHLO asked again over TLS" 2 "$(grep -c '^EHLO' "$slog")"

serve implicit --tls implicit --pipelining
$probe -t implicit -c "$ca" -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "implicit TLS: sent" 0 $?
serve selfsigned --tls implicit
$probe -t implicit -n mail.test 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "implicit TLS, self-signed server: TLS failure" 4 $?

serve auth --tls starttls --auth PLAIN,LOGIN,XOAUTH2,OAUTHBEARER --require-auth --password 's3cret!'
for mech in plain login xoauth2 oauthbearer; do
	$probe -t starttls -c "$ca" -n mail.test -a $mech -u alice@example.org -P 's3cret!' \
	    127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
	expect "AUTH $mech with the right secret: sent" 0 $?
done
expect_grep "PLAIN carried user and password" 'AUTH-DATA \\0alice@example.org\\0s3cret!' "$slog"
expect_grep "XOAUTH2 carried the bearer token" 'AUTH-DATA user=alice@example.org^Aauth=Bearer s3cret!^A^A' "$slog"
$probe -t starttls -c "$ca" -n mail.test -a auto -u alice@example.org -P 's3cret!' \
    127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "auth = auto picks a password mechanism" 0 $?
$probe -v -t starttls -c "$ca" -n mail.test -a plain -u alice@example.org -P 'wrong-Pw9' \
    127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "wrong password: AUTH failure" 3 $?
expect_grep "the server's reply is quoted" '535 5.7.8 Authentication credentials invalid' "$tmp/out"
expect_grep "transcript masks the AUTH line" 'AUTH PLAIN \*\*\*\*\*\*\*\*' "$tmp/out"
expect_nogrep "transcript never shows the password" 'wrong-Pw9' "$tmp/out"
$probe -v -t starttls -c "$ca" -n mail.test -a xoauth2 -u alice@example.org -P 'expired-token' \
    127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "refused OAuth2 token: AUTH failure" 3 $?
expect_grep "the server's JSON error is shown" '"status":"401"' "$tmp/out"
expect_nogrep "the token is not shown" 'expired-token' "$tmp/out"

serve authplain --auth PLAIN --auth-plaintext
$probe -a plain -u alice@example.org -P secret 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "credentials over plain text refused by default" 3 $?
expect_grep "says how to allow it" "allow_plaintext_auth" "$tmp/out"
expect "no AUTH command went out" 0 "$(grep -c '^AUTH' "$slog")"
$probe -A -a plain -u alice@example.org -P secret 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "allow_plaintext_auth lets it through" 0 $?

serve mail451 --pipelining --fail 'mail:451 4.3.0 try again later'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "451 to MAIL is temporary" 1 $?
expect_grep "names the stage and quotes the reply" "at MAIL FROM: .*451 4.3.0 try again later" "$tmp/out"
serve mail550 --fail 'mail:550 5.7.1 sender rejected'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org > "$tmp/out" 2>&1
expect "550 to MAIL is permanent" 2 $?

serve partial --pipelining --fail 'rcpt=nobody@example.org:550 5.1.1 no such user'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" bob@example.org nobody@example.org > "$tmp/out" 2>&1
expect "one recipient refused, the other accepted: sent" 0 $?
expect_grep "the refused recipient is reported" "rcpt: nobody@example.org 550 5.1.1 no such user" "$tmp/out"
expect "delivered to the accepted one" 1 "$(count "$maildir")"
serve allrefused --pipelining --fail 'rcpt:550 5.1.1 no such user'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org b@example.org > "$tmp/out" 2>&1
expect "every recipient refused with 5xx: permanent" 2 $?
expect_grep "says all were refused" "all 2 recipients refused" "$tmp/out"
serve alltemp --fail 'rcpt:450 4.2.0 mailbox busy'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "every recipient refused with 4xx: temporary" 1 $?

serve data554 --fail 'data:554 5.6.0 no thanks'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "554 to DATA is permanent" 2 $?
serve dot452 --fail 'dot:452 4.3.1 insufficient storage'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "452 after the message is temporary" 1 $?
expect_grep "at end of data" "at end of data" "$tmp/out"

serve greet554 --fail 'greeting:554 5.3.2 not now'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "554 greeting is temporary (try the next relay)" 1 $?
serve garbage --fail 'greeting:2x0 hello'
$probe 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "malformed reply is temporary" 1 $?
expect_grep "the raw line is quoted" "2x0 hello" "$tmp/out"

head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70 > "$tmp/big.body"
{ printf 'Subject: big\r\n\r\n'; cat "$tmp/big.body"; } > "$tmp/big.eml"
serve cut --disconnect-in-data 1000
$probe 127.0.0.1 "$port" "$tmp/big.eml" a@example.org > "$tmp/out" 2>&1
expect "disconnect in the middle of DATA is temporary" 1 $?
expect "nothing stored" 0 "$(count "$maildir")"

serve slow --slow 3
$probe -T 500 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "silent server: timeout is temporary" 1 $?
expect_grep "timeout named" "timed out" "$tmp/out"

serve size --size 1000
$probe -s 300000 127.0.0.1 "$port" "$tmp/big.eml" a@example.org > "$tmp/out" 2>&1
expect "message over SIZE refused before sending" 2 $?
expect_grep "sizes named" "300000 bytes.*SIZE 1000" "$tmp/out"
expect "no MAIL command sent" 0 "$(grep -c '^MAIL' "$slog")"

$probe -U 127.0.0.1 "$port" "$tmp/plain.eml" a@example.org > "$tmp/out" 2>&1
expect "UTF-8 message to a server without SMTPUTF8: permanent" 2 $?

[ "$nfail" -eq 0 ]
