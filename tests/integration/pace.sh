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

[ "$nfail" -eq 0 ]
