#!/bin/sh
# smtpgate-sendmail on the wire, against a real SMTP server on 127.0.0.1
# (tests/integration/smtpd.py): every SMTP-smuggling end-of-data variant
# stays data, 8-bit and UTF-8 bodies arrive byte-exact, a large message
# arrives byte-exact, concurrent invocations lose and duplicate nothing,
# and wait_ms spaces concurrent senders host-wide.
#   SMTPGATE_BIG_MB   size of the large message (default 50)
#   SMTPGATE_PARALLEL concurrent invocations (default 50)
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
big_mb=${SMTPGATE_BIG_MB:-50}
parallel=${SMTPGATE_PARALLEL:-50}

port=$(pick_port 61)
mkdir -p "$tmp/mail" "$tmp/q"
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --pipelining --smtputf8 --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not start"; exit 1; }
cat > "$tmp/c.conf" <<CONF
[general]
hostname = wire.example.org
[relay sink]
host = 127.0.0.1
port = $port
tls = none
auth = none
timeout = 60
[queue]
dir = $tmp/q
# The large message is the point here, not the limit (limits.sh).
max_message_size = $((big_mb + 10))M
CONF
count() { ls "$tmp/mail" | grep -c '^msg-'; }
last() { ls "$tmp/mail"/msg-* | tail -n 1; }
# The data part of a stored message: after the envelope's empty line.
data_of() { python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(b.split(b"\n\n", 1)[1])' "$1"; }
# Every LF preceded by CR and every CR followed by LF.
clean_lines() { python3 -c '
import sys, re
b = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
bad = re.search(rb"(?<!\r)\n|\r(?!\n)", b)
sys.exit(1 if bad else 0)' "$1"; }

# 1. Smuggling: a bare-LF or bare-CR end of data followed by a second SMTP
# transaction.  The server must see one message whose data holds it all.
i=0
for variant in '\n.\n' '\n.\r\n' '\r.\r\n' '\r\n.\r' '\r\n.\n' '\r.\n' '\n.\r' '\r.\r'; do
	i=$((i + 1))
	before=$(count)
	printf "Subject: smuggle $i\n\nbefore${variant}MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nsmuggled $i\r\n.\r\nafter $i\n" |
	    $shim -C "$tmp/c.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
	expect "smuggling variant $i ($variant) sent" 0 $?
	f=$(last)
	got=$(( $(count) - before ))
	if [ "$got" -eq 1 ] && grep -q "smuggled $i" "$f" && grep -q "after $i" "$f" &&
	    ! grep -q "evil@attacker" "$tmp/log"; then
		echo "ok: variant $i ($variant) stayed data: one message, nothing smuggled"
	else
		echo "FAIL: variant $i ($variant): $got messages"; nfail=$((nfail + 1))
		sed 's/^/    /' "$f"
	fi
	clean_lines "$f"
	expect "variant $i: no bare CR or LF reached the server" 0 $?
done

# 2. Dot lines: with -i a lone dot is data; leading dots are stuffed.
printf 'Subject: dots\n\n.\n..\n.leading\nend\n' |
    $shim -C "$tmp/c.conf" -i -f app@example.org rcpt@example.org > "$tmp/out" 2>&1
expect "dot lines sent" 0 $?
data_of "$(last)" | tr -d '\r' | sed '1,/^$/d' > "$tmp/dots"
printf '.\n..\n.leading\nend\n' > "$tmp/dots.want"
cmp -s "$tmp/dots" "$tmp/dots.want"
expect "dot lines arrive as written" 0 $?

# 3. 8-bit and UTF-8: bytes arrive unchanged.
printf 'Subject: =?UTF-8?B?R3LDvMOfZQ==?=\nFrom: J\303\266rg <app@example.org>\n\nGr\303\274\303\237e \342\202\254 \346\227\245\346\234\254\n\377\376 raw 8-bit\n' > "$tmp/u8"
$shim -C "$tmp/c.conf" -i -f app@example.org "$(printf 'j\303\266rg@example.org')" < "$tmp/u8" > "$tmp/out" 2>&1
expect "UTF-8 recipient and 8-bit body sent" 0 $?
f=$(last)
expect_grep "SMTPUTF8 used for the UTF-8 address" "SMTPUTF8" "$tmp/log"
data_of "$f" | tr -d '\r' | sed '1,/^$/d' > "$tmp/u8.got"
sed '1,/^$/d' "$tmp/u8" > "$tmp/u8.want"
cmp -s "$tmp/u8.got" "$tmp/u8.want"
expect "8-bit body byte-exact" 0 $?

# 4. A large message, byte-exact, with dot lines and CRLF input lines.
python3 - "$tmp/big" "$big_mb" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-=+*/."
with open(path, "wb") as f:
    f.write(b"Subject: big\n\n")
    n, i = 0, 0
    while n < mb * 1024 * 1024:
        l = (b"." if i % 97 == 0 else b"") + line[i % 40:] + (b"\r\n" if i % 3 == 0 else b"\n")
        f.write(l)
        n += len(l)
        i += 1
PY
before=$(count)
$shim -C "$tmp/c.conf" -i -f app@example.org big@example.org < "$tmp/big" > "$tmp/out" 2>&1
expect "a ${big_mb} MB message is sent" 0 $?
expect "it is stored once" 1 $(( $(count) - before ))
python3 - "$tmp/big" "$(last)" <<'PY'
import sys, hashlib
src = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
want = src.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
got = open(sys.argv[2], "rb").read().split(b"\n\n", 1)[1].split(b"\r\n\r\n", 1)[1]
sys.exit(0 if hashlib.sha256(got).digest() == hashlib.sha256(want).digest() else 1)
PY
expect "the large message arrives byte-exact" 0 $?
rm -f "$tmp/big" "$(last)"

# 5. Concurrent invocations: none lost, none duplicated.
before=$(count)
pids=""
k=0
while [ $k -lt "$parallel" ]; do
	k=$((k + 1))
	printf "Subject: parallel $k\n\nmessage $k\n" |
	    $shim -C "$tmp/c.conf" -f app@example.org "p$k@example.org" > "$tmp/p$k.out" 2>&1 &
	pids="$pids $!"
done
bad=0
for p in $pids; do
	wait "$p" || bad=$((bad + 1))
done
expect "$parallel concurrent invocations all exit 0" 0 "$bad"
# A sendmail that could not reach the relay in time queues the message and
# still exits 0: on a loaded machine a few may.  None may be lost, so what
# is not stored must be in the queue, and -q must then deliver it once.
sent=$(( $(count) - before ))
queued=$(ls "$tmp/q/env" 2>/dev/null | wc -l)
echo "# $sent sent at once, $queued queued"
# Why they were queued: the error mailq shows, counted.
[ "$queued" -eq 0 ] || $shim -C "$tmp/c.conf" -bp | sed -n 's/^ *(\(.*\))$/\1/p' |
    sort | uniq -c | sed 's/^/#   /' | head -n 5
expect "$parallel messages stored or queued" "$parallel" $((sent + queued))
[ "$queued" -eq 0 ] || $shim -C "$tmp/c.conf" -q
expect "$parallel messages stored" "$parallel" $(( $(count) - before ))
expect "the queue is empty" 0 "$(ls "$tmp/q/env" 2>/dev/null | wc -l)"
dups=$(cat "$tmp"/mail/msg-* | grep -a '^Subject: parallel ' | sort | uniq -d | wc -l)
expect "no message stored twice" 0 "$dups"
ids=$(cat "$tmp"/mail/msg-* | grep -a -i '^Message-ID: ' | sort | uniq -d | wc -l)
expect "every Message-ID is unique" 0 "$ids"

# 6. wait_ms: five senders started together reach the relay >= wait_ms apart.
sed 's/^timeout = 60$/timeout = 60\nwait_ms = 300/' "$tmp/c.conf" > "$tmp/w.conf"
: > "$tmp/log"
pids=""
for k in 1 2 3 4 5; do
	printf 'Subject: paced\n\nx\n' | $shim -C "$tmp/w.conf" -f app@example.org "w$k@example.org" > /dev/null 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
python3 - "$tmp/log" <<'PY'
import sys
t = sorted(float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("MAIL-AT "))
gaps = [round((b - a) * 1000) for a, b in zip(t, t[1:])]
print("# MAIL gaps in ms:", gaps)
# wait_ms spaces the starts; MAIL comes after connect and EHLO, whose own
# time varies a little per process, hence the margin on each gap.
sys.exit(0 if len(t) == 5 and min(gaps) >= 250 and t[-1] - t[0] >= 1.15 else 1)
PY
expect "wait_ms = 300 spaces five concurrent senders" 0 $?

[ "$nfail" -eq 0 ]
