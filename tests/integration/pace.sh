#!/bin/sh
# wait_ms across processes: five started together leave at least wait_ms
# apart (a lower bound only: a slow machine can only make the gaps longer).
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
probe=./tests/tools/pace_probe

for i in 1 2 3 4 5; do
	$probe "$tmp" "relay/one" 150 > "$tmp/t$i" 2> "$tmp/e$i" &
done
wait
cat "$tmp"/t? | sort -n > "$tmp/times"
expect "five processes all passed the pacing lock" 5 "$(wc -l < "$tmp/times")"
gaps=$(awk 'NR > 1 { print $1 - prev } { prev = $1 }' "$tmp/times" | sort -n | head -n 1)
if [ -n "$gaps" ] && [ "$gaps" -ge 150 ]; then
	echo "ok: smallest gap between starts is ${gaps} ms (>= 150)"
else
	echo "FAIL: smallest gap ${gaps:-none} ms is below wait_ms 150"; nfail=$((nfail + 1))
fi
expect_grep "relay name made safe as a file name" "" "$tmp/pace.relay_one"

$probe "$tmp" zero 0 > "$tmp/o1"
expect "wait_ms 0 succeeds" 0 $?
expect "wait_ms 0 never creates a lock file" no "$([ -e "$tmp/pace.zero" ] && echo yes || echo no)"

$probe /nonexistent/dir r 100 > "$tmp/out" 2>&1
expect "an unusable state directory is an error" 1 $?
expect_grep "error names the file" "/nonexistent/dir/pace.r" "$tmp/out"

# The file is 0660 whatever the creator's umask, or pacing would be off
# for every other user; a symbolic link or a FIFO in its place is refused.
(umask 077; $probe "$tmp" umask 10 > /dev/null)
expect "created under umask 077" 0 $?
expect "the pace file is mode 0660 all the same" 660 "$(stat -c %a "$tmp/pace.umask")"
: > "$tmp/target"
ln -s "$tmp/target" "$tmp/pace.link"
$probe "$tmp" link 10 > "$tmp/out" 2>&1
expect "a symbolic link is not followed" 1 $?
expect "its target is untouched" 0 "$(wc -c < "$tmp/target")"
mkfifo "$tmp/pace.fifo"
timeout 20 $probe "$tmp" fifo 10 > "$tmp/out" 2>&1
expect "a FIFO in its place is refused, without hanging" 1 $?
expect_grep "the refusal says why" "not a regular file" "$tmp/out"

# A holder that never lets go (a stopped shim): the next sender waits
# wait_ms + 30 s at most, then sends unpaced and logs it with the relay.
# timeout(1) is only a safety bound; the outcome is what is checked (-v
# puts the log on stderr).
skip_long=${SMTPGATE_DISTCHECK:-0}
if [ "$skip_long" != 1 ]; then
	server="${srcdir:-.}/tests/integration/smtpd.py"
	port=$(pick_port 95)
	mkdir -p "$tmp/mail" "$tmp/q"
	start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
	    --maildir "$tmp/mail" --log "$tmp/log" ||
	    { echo "FAIL: server did not start"; exit 1; }
	printf '[relay sink]\nhost = 127.0.0.1\nport = %s\ntls = none\nauth = none\nwait_ms = 100\n[queue]\ndir = %s\nmode = never\n' \
	    "$port" "$tmp/q" > "$tmp/pace.conf"
	sh -c 'exec 8>> "$1"; flock 8; exec sleep 120' sh "$tmp/q/pace.sink" &
	holder=$!
	server_pids="$server_pids $holder"
	sleep 0.5
	kill -STOP "$holder"
	printf 'Subject: paced\n\nx\n' | timeout 60 ./sendmail-shim/smtpgate-sendmail -v \
	    -C "$tmp/pace.conf" -f a@example.org b@example.org > "$tmp/out" 2>&1
	expect "the sender goes on past a stuck lock holder" 0 $?
	expect "its message arrived" 1 "$(ls "$tmp/mail" | grep -c '^msg-')"
	expect_grep "the warning names the relay and the bound" \
	    "relay sink: wait_ms: the pace lock was held longer than 30100 ms (wait_ms 100 + 30 s)" "$tmp/out"
	expect "the holder was still there, stopped" yes \
	    "$(kill -0 "$holder" 2>/dev/null && echo yes)"
	kill -KILL "$holder"
fi

[ "$nfail" -eq 0 ]
