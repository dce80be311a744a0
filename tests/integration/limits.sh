#!/bin/sh
# [queue] max_message_size and min_free_space, and a relay's SIZE, end to
# end: a message over a limit is refused with the documented exit status
# (or -bs reply), and nothing of it is sent or left in the queue.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"

port=$(pick_port 91)
q=$tmp/q
mkdir -p "$tmp/mail"
conf() {	# conf FILE EXTRA-QUEUE-LINES...
	f=$1; shift
	{
		printf '[general]\nhostname = lim.example.org\n'
		printf '[relay sink]\nhost = 127.0.0.1\nport = %s\ntls = none\nauth = none\ntimeout = 5\n' "$port"
		printf '[queue]\ndir = %s\n' "$q"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$f"
}
count() { ls "$tmp/mail" | grep -c '^msg-'; }
files() { ls "$q/$1" 2>/dev/null | wc -l; }
server_pid=""
up() {
	down
	: > "$tmp/log"
	start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
	    --maildir "$tmp/mail" --log "$tmp/log" "$@" ||
	    { echo "FAIL: server did not start"; exit 1; }
	server_pid=$_spid
}
down() {
	[ -n "$server_pid" ] || return 0
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=""
	while port_in_use "$port"; do sleep 0.1; done
}
# A message of about $1 KB.
message() {
	printf 'Subject: size %s\n\n' "$1"
	awk -v n="$1" 'BEGIN { for (i = 0; i < n * 16; i++) printf "%063d\n", i }'
}
message 20 > "$tmp/20k.eml"
message 5 > "$tmp/5k.eml"

# 1. max_message_size = 10K: a 20K message is refused, a 5K one is sent.
conf "$tmp/max.conf" "max_message_size = 10K"
up
$shim -C "$tmp/max.conf" -f app@example.org to@example.org < "$tmp/20k.eml" > "$tmp/out" 2>&1
expect "a message over max_message_size: EX_UNAVAILABLE" 69 $?
expect_grep "the error names the key and the limit" "larger than \[queue\] max_message_size = 10K" "$tmp/out"
expect "nothing sent" 0 "$(count)"
expect "nothing reached the relay" 0 "$(grep -c '^MAIL' "$tmp/log")"
expect "nothing queued (env/)" 0 "$(files env)"
expect "nothing queued (msg/)" 0 "$(files msg)"
expect "nothing queued (tmp/)" 0 "$(files tmp)"
$shim -C "$tmp/max.conf" -f app@example.org to@example.org < "$tmp/5k.eml" > "$tmp/out" 2>&1
expect "a message under the limit is sent" 0 $?
expect "it arrived" 1 "$(count)"
# The same with the relay down: refused, not queued.
down
$shim -C "$tmp/max.conf" -f app@example.org to@example.org < "$tmp/20k.eml" > "$tmp/out" 2>&1
expect "relay down, over the limit: still EX_UNAVAILABLE, not queued" 69 $?
expect "nothing queued with the relay down" 0 "$(files env)"

# 2. -bs: SIZE advertised, 552 5.3.4 after the data, the session goes on.
up
{
	printf 'EHLO c\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<to@example.org>\r\nDATA\r\n'
	sed 's/$/\r/' "$tmp/20k.eml"
	printf '.\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<to@example.org>\r\nDATA\r\n'
	sed 's/$/\r/' "$tmp/5k.eml"
	printf '.\r\nQUIT\r\n'
} | $shim -C "$tmp/max.conf" -bs > "$tmp/out" 2>&1
expect "-bs session ends well" 0 $?
expect_grep "-bs EHLO advertises the limit" "^250.SIZE 10240" "$tmp/out"
expect_grep "-bs: 552 5.3.4 for the big message" "^552 5.3.4 .*max_message_size" "$tmp/out"
expect_grep "-bs: the small one is sent after it" "^250 2.0.0 Ok: sent" "$tmp/out"
expect "-bs: only the small message arrived" 2 "$(count)"
expect "-bs: nothing queued" 0 "$(files env)"

# 3. The relay's SIZE is smaller than the message: refused for good before
# MAIL, with or without -bs; not queued.
up --size 8000
conf "$tmp/size.conf"
$shim -C "$tmp/size.conf" -f app@example.org to@example.org < "$tmp/20k.eml" > "$tmp/out" 2>&1
expect "over the relay's SIZE: EX_UNAVAILABLE" 69 $?
expect_grep "the error names both sizes" "larger than the server accepts (SIZE 8000)" "$tmp/out"
expect "no MAIL sent to the relay" 0 "$(grep -c '^MAIL' "$tmp/log")"
expect "over the relay's SIZE: not queued" 0 "$(files env)"
{
	printf 'EHLO c\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<to@example.org>\r\nDATA\r\n'
	sed 's/$/\r/' "$tmp/20k.eml"
	printf '.\r\nQUIT\r\n'
} | $shim -C "$tmp/size.conf" -bs > "$tmp/out" 2>&1
expect_grep "-bs over the relay's SIZE: 552 5.3.4" "^552 5.3.4 Refused: .*SIZE 8000" "$tmp/out"
expect "still nothing arrived" 2 "$(count)"

# 4. min_free_space above what the file system has, relay down: a
# temporary refusal that says why, and the queue stays empty.
down
free=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
conf "$tmp/space.conf" "min_free_space = $((free + 1048576))K"
$shim -C "$tmp/space.conf" -f app@example.org to@example.org < "$tmp/5k.eml" > "$tmp/out" 2>&1
expect "below min_free_space with the relay down: EX_TEMPFAIL" 75 $?
expect_grep "the error says how much is free and names the key" \
    "queue's file system has [0-9]* [KM]B free, below \[queue\] min_free_space = " "$tmp/out"
expect "tmp/ stays empty" 0 "$(files tmp)"
expect "msg/ stays empty" 0 "$(files msg)"
expect "env/ stays empty" 0 "$(files env)"
conf "$tmp/always.conf" "min_free_space = $((free + 1048576))K" "mode = always"
$shim -C "$tmp/always.conf" -f app@example.org to@example.org < "$tmp/5k.eml" > "$tmp/out" 2>&1
expect "mode always, below min_free_space: EX_TEMPFAIL" 75 $?
expect "mode always: msg/ stays empty" 0 "$(files msg)"
# With the relay up the message needs no queue space: it is sent.
up
$shim -C "$tmp/space.conf" -f app@example.org to@example.org < "$tmp/5k.eml" > "$tmp/out" 2>&1
expect "below min_free_space, relay up: sent directly" 0 $?
expect "it arrived" 3 "$(count)"
expect "nothing left in the queue" 0 "$(files msg)"

[ "$nfail" -eq 0 ]
