#!/bin/sh
# smtpgate-sendmail against a real SMTP server on 127.0.0.1
# (tests/integration/smtpd.py), issue #13: default recipients by context
# ([rule NAME]), address_separator in header fields, the [account] chosen
# by the From header with -t, and an [account] without a secret.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }
serve_base=60
last() { ls "$1"/msg-* | tail -n 1; }
# The header of a stored message: after the envelope lines and the empty
# line, up to the next empty line.
header() { awk 'h == 1 && /^\r?$/ { exit } h == 1 { print } /^\r?$/ { h = 1 }' "$1"; }
# relay NAME-OF-FILE EXTRA: a configuration for the server on $port.
conf() {
	cat > "$tmp/$1.conf" <<CONF
[general]
hostname = app1.example.org
$2

[relay main]
host = 127.0.0.1
port = $port
tls = starttls
tls_ca_file = $tmp/pki/ca.pem
username = relay@example.org
password_file = $tmp/relay.secret
timeout = 5

[queue]
dir = $tmp/q
mode = never
CONF
}
printf 'relay-pw\n' > "$tmp/relay.secret"; chmod 600 "$tmp/relay.secret"
printf 'alice-pw\n' > "$tmp/alice.secret"; chmod 600 "$tmp/alice.secret"

serve main --tls starttls --auth PLAIN --user relay@example.org --password relay-pw
main_dir=$maildir
conf rules '[rule class]
when_header = X-Mail-Context: class
add_cc = teacher@school.example
add_bcc = archive@school.example

[rule school]
when_sender = @school.example
add_cc = office@school.example

[rule term]
when_header = x-mail-context: term-*
when_sender = head@school.example
add_bcc = board@school.example'

# 1. when_header: Cc in the envelope and the header, Bcc in the envelope only.
printf 'From: app@example.org\nTo: parent@example.net\nX-Mail-Context: class\nSubject: homework\n\nx\n' |
    $shim -C "$tmp/rules.conf" -t -f app@example.org > "$tmp/out" 2>&1
expect "a message matching when_header is sent" 0 $?
f=$(last "$main_dir"); header "$f" > "$tmp/hdr"
expect_grep "the To recipient is kept" "^RCPT TO:<parent@example.net>" "$f"
expect_grep "add_cc is an envelope recipient" "^RCPT TO:<teacher@school.example>" "$f"
expect_grep "add_bcc is an envelope recipient" "^RCPT TO:<archive@school.example>" "$f"
expect_grep "add_cc is in the Cc header" "^Cc: teacher@school.example" "$tmp/hdr"
expect_nogrep "add_bcc is not in the header" "archive" "$tmp/hdr"
expect_nogrep "no Bcc header" "^Bcc:" "$tmp/hdr"

# 2. when_sender by domain: the existing Cc gets the address appended.
printf 'From: head@school.example\nTo: parent@example.net\nCc: Deputy <deputy@school.example>\nSubject: trip\n\nx\n' |
    $shim -C "$tmp/rules.conf" -t -f head@school.example > "$tmp/out" 2>&1
expect "a message matching when_sender is sent" 0 $?
f=$(last "$main_dir"); header "$f" > "$tmp/hdr"
expect_grep "when_sender adds its Cc" "^RCPT TO:<office@school.example>" "$f"
expect_grep "the Cc field is extended, not doubled" "^Cc: Deputy <deputy@school.example>, office@school.example" "$tmp/hdr"
expect "one Cc field" 1 "$(grep -c '^Cc:' "$tmp/hdr")"
expect_nogrep "when_header of another rule does not match" "teacher@school.example" "$f"

# 3. Both conditions: only together.
printf 'From: head@school.example\nTo: p@example.net\nX-Mail-Context: term-2\nSubject: t\n\nx\n' |
    $shim -C "$tmp/rules.conf" -t -f head@school.example > "$tmp/out" 2>&1
f=$(last "$main_dir")
expect_grep "when_header and when_sender both match: Bcc added" "^RCPT TO:<board@school.example>" "$f"
printf 'From: app@example.org\nTo: p@example.net\nX-Mail-Context: term-2\nSubject: t\n\nx\n' |
    $shim -C "$tmp/rules.conf" -t -f app@example.org > "$tmp/out" 2>&1
f=$(last "$main_dir")
expect "the header alone is not enough: one recipient" 1 "$(grep -c '^RCPT TO:' "$f")"

# 4. Rules apply before redirect: the added recipients are redirected too.
conf redirect '[rule class]
when_header = X-Mail-Context: class
add_cc = teacher@school.example
add_bcc = archive@school.example

[redirect]
enabled = yes

[report qa@example.org]'
printf 'From: app@example.org\nTo: parent@example.net\nX-Mail-Context: class\nSubject: homework\n\nx\n' |
    $shim -C "$tmp/redirect.conf" -t -f app@example.org > "$tmp/out" 2>&1
expect "a redirected message with a rule is sent" 0 $?
f=$(last "$main_dir"); header "$f" > "$tmp/hdr"
expect "only the report address is a recipient" "RCPT TO:<qa@example.org>" "$(grep '^RCPT TO:' "$f")"
expect_grep "the added Cc is recorded as redirected" "^X-Original-To: teacher@school.example" "$tmp/hdr"
expect_grep "the added Bcc is recorded as redirected" "^X-Original-To: archive@school.example" "$tmp/hdr"

# 5. address_separator in To with -t: two recipients, commas on the wire.
conf sep 'address_separator = ;'
printf 'From: app@example.org\nTo: a@x.example; B <b@x.example>\nSubject: sep\n\nx\n' |
    $shim -C "$tmp/sep.conf" -t -f app@example.org > "$tmp/out" 2>&1
expect "a To written with the separator is sent (was 65)" 0 $?
f=$(last "$main_dir"); header "$f" > "$tmp/hdr"
expect_grep "first address of the To" "^RCPT TO:<a@x.example>" "$f"
expect_grep "second address of the To" "^RCPT TO:<b@x.example>" "$f"
expect_grep "the To leaves with a comma" "^To: a@x.example, B <b@x.example>" "$tmp/hdr"
printf 'From: app@example.org\nTo: undisclosed-recipients:;\nBcc: c@x.example\nSubject: group\n\nx\n' |
    $shim -C "$tmp/sep.conf" -t -f app@example.org > "$tmp/out" 2>&1
expect "group syntax still works with separator ;" 0 $?
f=$(last "$main_dir"); header "$f" > "$tmp/hdr"
expect_grep "the Bcc recipient of the group message" "^RCPT TO:<c@x.example>" "$f"
expect_grep "the empty group is kept as written" "^To: undisclosed-recipients:;" "$tmp/hdr"
printf 'From: app@example.org\nTo: a@x.example; b@x.example\nSubject: sep\n\nx\n' |
    $shim -C "$tmp/rules.conf" -t -f app@example.org > "$tmp/out" 2>&1
expect "without address_separator the To is still an error" 65 $?

# 6. -t without -f: the [account] is chosen by the From header.
serve acct --tls starttls --auth PLAIN --user alice@example.org --password alice-pw
acct_dir=$maildir acct_log=$slog
conf acct '[account alice@example.org]
relay = main
password_file = '"$tmp"'/alice.secret
senders = alice@example.org, sales@example.org

[message]
from = noreply@example.org'
printf 'From: Sales <sales@example.org>\nTo: cust@example.net\nSubject: offer\n\nx\n' |
    $shim -C "$tmp/acct.conf" -t > "$tmp/out" 2>&1
expect "-t with an account's From is sent" 0 $?
expect_grep "the account's login is used" 'AUTH-DATA \\0alice@example.org\\0alice-pw' "$acct_log"
f=$(last "$acct_dir")
expect_grep "the envelope sender is the From address" "^MAIL FROM:<sales@example.org>" "$f"
: > "$acct_log"
printf 'From: other@example.org\nTo: cust@example.net\nSubject: offer\n\nx\n' |
    $shim -C "$tmp/acct.conf" -t > "$tmp/out" 2>&1
expect "a From that is no account's uses the relay's login (refused here)" 77 $?
expect_grep "the relay's login was tried" 'AUTH-DATA \\0relay@example.org' "$acct_log"
: > "$acct_log"
printf 'From: sales@example.org\nTo: cust@example.net\nSubject: offer\n\nx\n' |
    $shim -C "$tmp/acct.conf" -t -f other@example.org > "$tmp/out" 2>&1
expect "-f still decides the sender over the From" 77 $?
expect_nogrep "no account login with -f other" 'alice-pw' "$acct_log"

# 7. An [account] without a password source fails --check-config.
cat > "$tmp/nosecret.conf" <<CONF
[relay main]
host = 127.0.0.1
port = $port

[account bob@example.org]
relay = main
CONF
$shim -C "$tmp/nosecret.conf" --check-config > "$tmp/out" 2>&1
expect "--check-config with an account without a secret" 78 $?
expect_grep "the error names file and line" "nosecret.conf:5: \[account bob@example.org\]: no password_file or password_command" "$tmp/out"
printf 'Subject: x\n\nx\n' | $shim -C "$tmp/nosecret.conf" -f bob@example.org x@example.net > "$tmp/out" 2>&1
expect "sending with that configuration is a config error too" 78 $?

[ "$nfail" -eq 0 ]
