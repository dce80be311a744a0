#!/bin/sh
# smtpgate-sendmail end to end against real SMTP servers on 127.0.0.1
# (tests/integration/smtpd.py): the sendmail command line, envelope and
# header fixes, relays with fallback, accounts, secrets, -bs, exit codes.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
serve_base=40
last() { ls "$1"/msg-* | tail -n 1; }

printf 'alice-pw\n' > "$tmp/alice.secret"; chmod 600 "$tmp/alice.secret"
printf 'relay-pw\n' > "$tmp/relay.secret"; chmod 600 "$tmp/relay.secret"
printf 'root: ops@example.org\npostmaster: root\nwww-data: web@example.org, \\\n  "Web Two" <web2@example.org>\n' > "$tmp/aliases"

serve main --pipelining --tls starttls --auth PLAIN,LOGIN --user relay@example.org --password relay-pw
main_port=$port main_dir=$maildir main_log=$slog
cat > "$tmp/basic.conf" <<CONF
[general]
hostname = app1.example.org
aliases = $tmp/aliases
address_separator = |

[relay main]
host = 127.0.0.1
port = $main_port
tls = starttls
tls_ca_file = $tmp/pki/ca.pem
username = relay@example.org
password_file = $tmp/relay.secret
timeout = 5

[message]
from = "Example App" <noreply@example.org>
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
# The certificate is for mail.test and 127.0.0.1: the IP SAN matches host.

printf 'Subject: hello\n\nfirst message\n' | $shim -C "$tmp/basic.conf" bob@example.org > "$tmp/out" 2>&1
expect "a message to one recipient is sent" 0 $?
f=$(last "$main_dir")
expect_grep "envelope sender from [message] from" "MAIL FROM:<noreply@example.org>" "$f"
expect_grep "Date added" "^Date: " "$f"
expect_grep "Message-ID added with the host name" "^Message-ID: <.*@app1.example.org>" "$f"
expect_grep "From added from [message] from" '^From: "Example App" <noreply@example.org>' "$f"
expect_grep "relay login used" "AUTH-DATA \\\\0relay@example.org\\\\0relay-pw" "$main_log"
expect_grep "lines leave as CRLF" "$(printf 'first message\r')" "$f"

printf 'To: To One <to1@example.org>\nCc: cc1@example.org, "Doe, J" <cc2@example.org>\nBcc: hidden@example.org\nSubject: t\n\nbody\n' |
    $shim -C "$tmp/basic.conf" -t -f sender@example.org > "$tmp/out" 2>&1
expect "-t sends" 0 $?
f=$(last "$main_dir")
for r in to1 cc1 cc2 hidden; do
	expect_grep "-t recipient $r in the envelope" "RCPT TO:<$r@example.org>" "$f"
done
expect_nogrep "Bcc header removed" "^Bcc:" "$f"
expect_grep "-f sets the envelope sender" "MAIL FROM:<sender@example.org>" "$f"

printf 'Subject: t\n\nx\n' | $shim -C "$tmp/basic.conf" -F "Cron Daemon" -f root root 'a@example.org;b@example.org|c@example.org' > "$tmp/out" 2>&1
expect "aliases, separators, -F" 0 $?
f=$(last "$main_dir")
expect_grep "root goes through the aliases" "RCPT TO:<ops@example.org>" "$f"
expect_grep "';' separates recipients" "RCPT TO:<b@example.org>" "$f"
expect_grep "address_separator separates recipients" "RCPT TO:<c@example.org>" "$f"
expect_grep "the sender root is aliased too" "MAIL FROM:<ops@example.org>" "$f"
expect_grep "-F names the generated From" '^From: "\{0,1\}Cron Daemon"\{0,1\} <ops@example.org>' "$f"

# A local name with no alias now gets the domain of /etc/mailname or the
# host name, which are the system's: mailname.sh tests that in its own
# namespaces, and the error when neither has a domain.

printf 'Subject: dots\n\nbefore\n.\nafter\n' | $shim -C "$tmp/basic.conf" bob@example.org > "$tmp/out" 2>&1
f=$(last "$main_dir")
expect_nogrep "without -i a lone dot ends the message" "after" "$f"
printf 'Subject: dots\n\nbefore\n.\nafter\n' | $shim -C "$tmp/basic.conf" -oi bob@example.org > "$tmp/out" 2>&1
f=$(last "$main_dir")
expect_grep "with -oi the lone dot is data" "after" "$f"

printf 'Subject: v\n\nx\n' | $shim -C "$tmp/basic.conf" -v bob@example.org > "$tmp/out" 2>&1
expect "-v sends" 0 $?
expect_grep "-v shows the transcript" "<<< 250 2.0.0 Ok: queued" "$tmp/out"
expect_grep "-v masks AUTH" "AUTH PLAIN \*\*\*\*\*\*\*\*" "$tmp/out"
expect_nogrep "-v never shows the password" "relay-pw" "$tmp/out"

rm -f "$tmp/planted.php"
printf 'Subject: x\n\nx\n' | $shim -C "$tmp/basic.conf" -X "$tmp/planted.php" bob@example.org > "$tmp/out" 2>&1
expect "-X is accepted" 0 $?
expect "-X never writes a file" no "$([ -e "$tmp/planted.php" ] && echo yes || echo no)"
printf 'Subject: x\n\nx\n' | $shim -C "$tmp/basic.conf" bob@example.org -X "$tmp/planted.php" > "$tmp/out" 2>&1
expect "an option after the recipients is refused" 64 $?

printf 'Subject: dsn\n\nx\n' | $shim -C "$tmp/basic.conf" -N success,delay -R hdrs -V env42 bob@example.org > "$tmp/out" 2>&1
expect_grep "-N becomes NOTIFY" "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,DELAY" "$main_log"
expect_grep "-R and -V become RET and ENVID" "RET=HDRS ENVID=env42" "$main_log"

# -bs as Symfony Mailer speaks it.
printf 'EHLO [127.0.0.1]\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<bs1@example.org>\r\nDATA\r\nSubject: bs\r\n\r\n..dotted\r\n.\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<bs2@example.org>\r\nDATA\r\nSubject: bs2\r\n\r\nx\r\n.\r\nQUIT\r\n' |
    $shim -C "$tmp/basic.conf" -bs > "$tmp/out" 2>&1
expect "-bs session ends cleanly" 0 $?
expect "-bs: two messages accepted" 2 "$(grep -c '^250 2.0.0 Ok: sent' "$tmp/out")"
expect_grep "-bs: 221 at QUIT" "^221 " "$tmp/out"
f=$(last "$main_dir")
expect_grep "-bs: second message delivered" "RCPT TO:<bs2@example.org>" "$f"

$shim -C "$tmp/basic.conf" --test-mail check@example.org > "$tmp/out" 2>&1
expect "--test-mail sends" 0 $?
expect_grep "--test-mail shows STARTTLS" ">>> STARTTLS" "$tmp/out"
expect_grep "--test-mail says sent" "result: sent" "$tmp/out"

$shim -C "$tmp/basic.conf" -bp > "$tmp/out" 2>&1
expect "-bp lists" 0 $?
mailq_out=$(cat "$tmp/out")
expect "mailq says the queue is empty" "Mail queue is empty" "$mailq_out"

# Accounts: alice's own login when she is the sender.
cat > "$tmp/accounts.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $main_port
tls_ca_file = $tmp/pki/ca.pem
username = relay@example.org
password_file = $tmp/relay.secret

[account alice@example.org]
relay = main
password_file = $tmp/alice.secret
senders = alice@example.org, sales@example.org
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
serve acct --tls starttls --auth PLAIN --user alice@example.org --password alice-pw
sed -i "s/port = $main_port/port = $port/" "$tmp/accounts.conf"
printf 'Subject: a\n\nx\n' | $shim -C "$tmp/accounts.conf" -f sales@example.org bob@example.org > "$tmp/out" 2>&1
expect "an account's senders log in as the account" 0 $?
expect_grep "alice's credentials used" 'AUTH-DATA \\0alice@example.org\\0alice-pw' "$slog"
printf 'Subject: a\n\nx\n' | $shim -C "$tmp/accounts.conf" -f other@example.org bob@example.org > "$tmp/out" 2>&1
expect "another sender uses the relay's login, refused here" 77 $?
expect_grep "AUTH failure quotes the server" "535 5.7.8" "$tmp/out"
expect_grep "AUTH failure gives a hint" "hint: wrong or expired password: check username and the password in password_file" "$tmp/out"

# password_command: an OAuth2 token helper.
printf '#!/bin/sh\necho tok-123\n' > "$tmp/token"; chmod 755 "$tmp/token"
serve oauth --tls implicit --auth XOAUTH2 --user alice@example.org --password tok-123
cat > "$tmp/oauth.conf" <<CONF
[relay o365]
host = 127.0.0.1
port = $port
tls = implicit
tls_ca_file = $tmp/pki/ca.pem
auth = xoauth2
username = alice@example.org
password_command = $tmp/token --scope 'https://outlook.office.com/SMTP.Send'
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: o\n\nx\n' | $shim -C "$tmp/oauth.conf" -f alice@example.org bob@example.org > "$tmp/out" 2>&1
expect "XOAUTH2 with a token from password_command over implicit TLS" 0 $?

# Fallback: the first relay is down, the second takes the mail.
down=$(pick_port 99)
serve backup --pipelining
cat > "$tmp/fallback.conf" <<CONF
[relay first]
host = 127.0.0.1
port = $down
tls = none
timeout = 3

[relay second]
host = 127.0.0.1
port = $port
tls = none
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: f\n\nx\n' | $shim -C "$tmp/fallback.conf" -v bob@example.org > "$tmp/out" 2>&1
expect "fallback to the second relay" 0 $?
expect "the second relay has it" 1 "$(count "$maildir")"
expect_grep "the fallback is logged" "falling back to relay second" "$tmp/out"
expect_grep "sent through a fallback: a warning with both relays and the first error" \
    "warning: .*sent through fallback relay second because relay first failed: .*Connection refused" "$tmp/out"
sed -i '/timeout = 3/a fallback = no' "$tmp/fallback.conf"
printf 'Subject: f\n\nx\n' | $shim -C "$tmp/fallback.conf" bob@example.org > "$tmp/out" 2>&1
expect "fallback = no: EX_TEMPFAIL" 75 $?
expect_grep "connection refused named" "Connection refused" "$tmp/out"
expect_grep "hint for a closed port" "hint: nothing listens there" "$tmp/out"

serve perm --fail 'mail:550 5.7.1 sender not allowed'
cat > "$tmp/perm.conf" <<CONF
[relay p]
host = 127.0.0.1
port = $port
tls = none

[relay spare]
host = 127.0.0.1
port = $(sed -n 's/^port = //p' "$tmp/fallback.conf" | tail -n 1)
tls = none
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: p\n\nx\n' | $shim -C "$tmp/perm.conf" bob@example.org > "$tmp/out" 2>&1
expect "550 to MAIL is EX_UNAVAILABLE, no fallback" 69 $?
expect_grep "the server's reply is on stderr" "550 5.7.1 sender not allowed" "$tmp/out"

serve rcpts --pipelining --fail 'rcpt=gone@example.org:550 5.1.1 no such user'
cat > "$tmp/rcpt.conf" <<CONF
[relay r]
host = 127.0.0.1
port = $port
tls = none
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: r\n\nx\n' | $shim -C "$tmp/rcpt.conf" -f app@example.org bob@example.org gone@example.org > "$tmp/out" 2>&1
expect "one recipient refused: exit 0, as sendmail" 0 $?
expect_grep "the refused recipient is named with the reply" "recipient <gone@example.org> refused: 550 5.1.1 no such user" "$tmp/out"
# ...and in a notice to the sender, as sendmail does.
expect "the message and a notice arrived" 2 "$(count "$maildir")"
notice=$(grep -l -a '^Final-Recipient: rfc822; gone@example.org' "$maildir"/msg-* 2>/dev/null | head -n 1)
expect "the notice reports the refused recipient" 0 $([ -n "$notice" ]; echo $?)
[ -z "$notice" ] || {
	expect "the notice goes from the null sender" "MAIL FROM:<>" "$(head -n 1 "$notice")"
	expect "the notice goes to the sender" "RCPT TO:<app@example.org>" "$(sed -n 2p "$notice")"
	expect_grep "the notice has the server's status" "^Status: 5\.1\.1" "$notice"
	expect_nogrep "the accepted recipient is not in it" "bob@example.org" "$notice"
}
rm -f "$maildir"/msg-*
printf 'Subject: r\n\nx\n' | $shim -C "$tmp/rcpt.conf" -N never -f app@example.org bob@example.org gone@example.org > "$tmp/out" 2>&1
expect "-N never, one recipient refused: exit 0" 0 $?
expect "-N never: the message arrived, no notice" 1 "$(count "$maildir")"

# Where From must match the login, the notice is From the login: from
# MAILER-DAEMON@host our own policy would refuse it (reject mode), and so
# would a relay that checks From against the login.
serve notice --auth PLAIN --auth-plaintext --user app@example.org --password relay-pw \
    --fail 'rcpt=gone@example.org:550 5.1.1 no such user'
cat > "$tmp/notice.conf" <<CONF
[relay r]
host = 127.0.0.1
port = $port
tls = none
auth = plain
allow_plaintext_auth = yes
username = app@example.org
password_file = $tmp/relay.secret
[message]
from_must_match_login = reject
[queue]
dir = $tmp/q
mode = never
CONF
printf 'From: app@example.org\nSubject: r\n\nx\n' |
    $shim -C "$tmp/notice.conf" -f app@example.org bob@example.org gone@example.org > "$tmp/out" 2>&1
expect "reject mode, one recipient refused: exit 0" 0 $?
expect "reject mode: the message and its notice arrived" 2 "$(count "$maildir")"
notice=$(grep -l -a '^Final-Recipient: rfc822; gone@example.org' "$maildir"/msg-* 2>/dev/null | head -n 1)
expect_grep "reject mode: the notice is From the login" \
    "^From: Mail Delivery System <app@example.org>" "${notice:-/dev/null}"
printf 'Subject: r\n\nx\n' | $shim -C "$tmp/rcpt.conf" gone@example.org > "$tmp/out" 2>&1
expect "every recipient refused: EX_NOUSER" 67 $?

serve notls --tls starttls --hide-starttls
cat > "$tmp/notls.conf" <<CONF
[relay n]
host = 127.0.0.1
port = $port
# These cases are about direct sending: the queue has its own test.
[queue]
dir = $tmp/q
mode = never
CONF
printf 'Subject: n\n\nx\n' | $shim -C "$tmp/notls.conf" bob@example.org > "$tmp/out" 2>&1
expect "tls = starttls (the default) never falls back to plain text" 75 $?
expect "nothing was sent in plain text" 0 "$(count "$maildir")"

[ "$nfail" -eq 0 ]
