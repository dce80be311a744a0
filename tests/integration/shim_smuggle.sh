#!/bin/sh
# The two wire-level holes of the security issue, end to end against a real
# SMTP server on 127.0.0.1 (tests/integration/smtpd.py):
#  1. SMTP smuggling into -bs: a body holding "\n.\n", "\n.\r\n", "\r\n.\n",
#     "\r.\r" (...) and then a second transaction gives exactly one message,
#     the smuggled text arriving as body; only CR LF . CR LF ends DATA, so
#     the real one in the same dialogue gives two, and an LF-only dialogue
#     is exit 65 with nothing sent.
#  2. A bare CR in a header ("Subject: x\rFrom: ..."): the server never
#     gets a header line the policy did not see, whatever from_must_match_
#     login (reject, rewrite) and reply_to_mode = always decided.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }

port=$(pick_port 71)
mkdir -p "$tmp/mail"
: > "$tmp/log"
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --pipelining --auth PLAIN --auth-plaintext --user app@example.org \
    --password relay-pw --require-auth --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not start"; exit 1; }
printf 'relay-pw\n' > "$tmp/secret"; chmod 600 "$tmp/secret"
conf() {	# conf NAME MODE: from_must_match_login = MODE
	cat > "$tmp/$1.conf" <<CONF
[general]
hostname = smuggle.example.org
[relay sink]
host = 127.0.0.1
port = $port
tls = none
auth = plain
allow_plaintext_auth = yes
username = app@example.org
password_file = $tmp/secret
timeout = 30
[message]
from_must_match_login = $2
reply_to = "Help desk" <help@example.org>
reply_to_mode = always
[queue]
dir = $tmp/q
mode = never
CONF
}
conf reject reject
conf rewrite rewrite
count() { ls "$tmp/mail" | grep -c '^msg-'; }
last() { ls "$tmp/mail"/msg-* | tail -n 1; }
# hdr FILE NAME: the header lines of a stored message named NAME, one a
# line, the way the strictest reader splits them: at CR LF, bare CR or
# bare LF alike (a bare CR is a line end to many servers).
hdr() { python3 - "$1" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
head = re.split(rb"\r\n\r\n|\n\n|\r\r", data, 1)[0]
name = sys.argv[2].lower().encode()
for line in re.split(rb"\r\n|\r|\n", head):
    if line.lower().startswith(name + b":"):
        sys.stdout.buffer.write(line + b"\n")
PY
}
# Every LF preceded by CR and every CR followed by LF in the data.
clean_lines() { python3 -c '
import sys, re
b = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
sys.exit(1 if re.search(rb"(?<!\r)\n|\r(?!\n)", b) else 0)' "$1"; }

# 1. -bs smuggling.  The second transaction is one the policy would pass
# (the login as sender), to a recipient of the body's choosing.
second='MAIL FROM:<app@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nFrom: app@example.org\r\nSubject: smuggled\r\n\r\nsmuggled %s\r\n.\r\n'
i=0
for variant in '\n.\n' '\n.\r\n' '\r\n.\n' '\r.\r' '\r.\r\n' '\r\n.\r' '\r.\n' '\n.\r'; do
	i=$((i + 1))
	# dash's echo (in expect) would make "\n" a line break: name it so.
	v=$(printf '%s' "$variant" | sed 's/\\r/CR/g; s/\\n/LF/g')
	before=$(count)
	: > "$tmp/log"
	printf "EHLO client.example\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<rcpt@example.org>\r\nDATA\r\nFrom: app@example.org\r\nSubject: bs $i\r\n\r\nbefore${variant}$second""QUIT\r\n" "$i" |
	    $shim -C "$tmp/reject.conf" -bs > "$tmp/out" 2>&1
	expect "-bs variant $i ($v): session ends cleanly" 0 $?
	expect "-bs variant $i: one 250 for one message" 1 \
	    "$(grep -c '^250 2.0.0 Ok: sent' "$tmp/out")"
	expect "-bs variant $i: one message arrived" 1 $(( $(count) - before ))
	f=$(last)
	expect_nogrep "-bs variant $i: nothing went to the smuggled recipient" \
	    "victim@example.net" "$tmp/log"
	expect_grep "-bs variant $i: the smuggled text arrived as body" \
	    "smuggled $i" "$f"
	# Its dot arrived as a line holding a dot: stuffed on the wire.
	python3 - "$f" <<'PY'
import sys
b = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
sys.exit(0 if b"before\r\n.\r\nMAIL FROM:<app@example.org>\r\n" in b else 1)
PY
	expect "-bs variant $i: the lone dot arrived as data, stuffed" 0 $?
	clean_lines "$f"
	expect "-bs variant $i: no bare CR or LF reached the server" 0 $?
done

# The real end of data in the same dialogue: two messages, as sent, which
# shows that the checks above would see a smuggled one.
before=$(count)
: > "$tmp/log"
printf "EHLO client.example\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<rcpt@example.org>\r\nDATA\r\nFrom: app@example.org\r\nSubject: real\r\n\r\nbefore\r\n.\r\n$second""QUIT\r\n" real |
    $shim -C "$tmp/reject.conf" -bs > "$tmp/out" 2>&1
expect "-bs CR LF . CR LF: session ends cleanly" 0 $?
expect "-bs CR LF . CR LF: two messages arrived" 2 $(( $(count) - before ))
expect_grep "-bs CR LF . CR LF: the second went where it said" \
    "RCPT TO:<victim@example.net>" "$tmp/log"

# An LF-only dialogue: its "." never ends the data.  Nothing is sent, and
# the caller hears of it.
before=$(count)
printf 'EHLO client.example\nMAIL FROM:<app@example.org>\nRCPT TO:<rcpt@example.org>\nDATA\nFrom: app@example.org\nSubject: lf\n\nlf only\n.\nQUIT\n' |
    $shim -C "$tmp/reject.conf" -bs > "$tmp/out" 2>&1
expect "-bs with LF line ends: exit 65" 65 $?
expect "-bs with LF line ends: nothing sent" 0 $(( $(count) - before ))
expect_grep "-bs with LF line ends: the reason on stderr" "needs CR LF line ends" "$tmp/out"

# 2. A bare CR in the header.
# a. reject, a real From that matches: the smuggled From stays in Subject.
printf 'From: app@example.org\nSubject: x\rFrom: "CEO" <ceo@example.org>\n\nbody\n' |
    $shim -C "$tmp/reject.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "reject, bare CR in Subject: sent" 0 $?
f=$(last)
expect "reject, bare CR in Subject: one From, the real one" \
    "From: app@example.org" "$(hdr "$f" From)"
expect "reject, bare CR in Subject: the CR is a space" \
    'Subject: x From: "CEO" <ceo@example.org>' "$(hdr "$f" Subject)"
clean_lines "$f"
expect "reject, bare CR in Subject: no bare CR reached the server" 0 $?

# b. no From at all: the one the shim adds is the only one.
printf 'Subject: x\rFrom: "CEO" <ceo@example.org>\n\nbody\n' |
    $shim -C "$tmp/reject.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "reject, no From, bare CR in Subject: sent" 0 $?
f=$(last)
expect "reject, no From: one From, the one added" 1 "$(hdr "$f" From | wc -l)"
hdr "$f" From > "$tmp/from"
expect_nogrep "reject, no From: the From is not the CEO" "ceo@example.org" "$tmp/from"

# c. a mismatching real From behind a Subject with a bare CR is still seen.
before=$(count)
printf 'From: "CEO" <ceo@example.org>\nSubject: x\rFrom: app@example.org\n\nbody\n' |
    $shim -C "$tmp/reject.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "reject, the real From mismatches: refused (69)" 69 $?
expect "reject, the real From mismatches: nothing sent" 0 $(( $(count) - before ))
expect_grep "reject: the policy named the real From" "ceo@example.org" "$tmp/out"

# d. reply_to_mode = always: a smuggled Reply-To is no Reply-To.
printf 'From: app@example.org\nSubject: y\rReply-To: evil@attacker.example\n\nbody\n' |
    $shim -C "$tmp/reject.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "always, bare CR in Subject: sent" 0 $?
f=$(last)
expect "always, bare CR in Subject: one Reply-To, the configured one" \
    'Reply-To: "Help desk" <help@example.org>' "$(hdr "$f" Reply-To)"

# e. rewrite: the real From is rewritten to the login, no second From.
printf 'From: "Boss" <boss@example.org>\nSubject: x\rFrom: "CEO" <ceo@example.org>\n\nbody\n' |
    $shim -C "$tmp/rewrite.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "rewrite, bare CR in Subject: sent" 0 $?
f=$(last)
expect "rewrite, bare CR in Subject: one From, rewritten to the login" \
    'From: Boss <app@example.org>' "$(hdr "$f" From)"

# f. the same through -bs.
printf 'EHLO c\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<rcpt@example.org>\r\nDATA\r\nFrom: app@example.org\r\nSubject: x\rFrom: "CEO" <ceo@example.org>\r\n\r\nbody\r\n.\r\nQUIT\r\n' |
    $shim -C "$tmp/reject.conf" -bs > "$tmp/out" 2>&1
expect "-bs, bare CR in Subject: session ends cleanly" 0 $?
f=$(last)
expect "-bs, bare CR in Subject: one From, the real one" \
    "From: app@example.org" "$(hdr "$f" From)"

[ "$nfail" -eq 0 ]
