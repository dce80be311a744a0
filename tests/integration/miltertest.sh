#!/bin/sh
# smtpgate-milter driven by a second, independent milter client: Debian's
# miltertest, with the Lua scripts in tests/integration/miltertest/.  Each
# script NAME.lua runs against a milter started with NAME.conf (policy
# sections only; [milter] is added here) and prints one "ok: ..." or
# "FAIL: ..." line per assertion: macro-level cases ({auth_authen} set or
# absent), the reply codes, and the header and recipient change requests.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
command -v miltertest >/dev/null 2>&1 || { echo "SKIP: miltertest not installed"; exit 77; }
milter=./milter/smtpgate-milter
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
dir="${srcdir:-.}/tests/integration/miltertest"
case $dir in /*) ;; *) dir="$(pwd)/$dir" ;; esac
if [ "$(id -u)" -eq 0 ]; then
	getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
	chmod 711 "$tmp"	# the milter reads its config as nobody
	user="user = nobody"
else
	user=""
fi
n=0

for lua in "$dir"/*.lua; do
	name=$(basename "$lua" .lua)
	[ "$name" != common ] || continue
	n=$((n + 1))
	{
		cat "$dir/$name.conf"
		printf '\n[milter]\n%s\npid_file = %s\n' "$user" "$tmp/$name.pid"
	} > "$tmp/$name.conf"
	chmod 644 "$tmp/$name.conf"
	# A port picked free can be taken by some client before the milter
	# binds it (other tests run too): then try another.
	try=0 started=no
	while [ $try -lt 5 ] && [ $started = no ]; do
		try=$((try + 1))
		port=$(pick_port $((n * 10 + try + 60)))
		start_server "$port" "$tmp/$name.log" "$milter" -c \
		    "$tmp/$name.conf" -f -p "inet:$port@127.0.0.1" >/dev/null &&
		    started=yes
	done
	if [ $started = no ]; then
		echo "FAIL: $name: the milter did not start:"
		sed 's/^/    /' "$tmp/$name.log"
		nfail=$((nfail + 1))
		continue
	fi
	pid=$_spid
	miltertest -D port="$port" -D dir="$dir" -D conf="$tmp/$name.conf" \
	    -D pidfile="$tmp/$name.pid" -s "$lua" > "$tmp/out" 2>&1
	st=$?
	# Name the script on its lines; anything else miltertest says is indented.
	sed -e "/^\(ok\|FAIL\): /!s/^/    /" -e "s/^\(ok\|FAIL\): /\1: $name: /" "$tmp/out"
	nfail=$((nfail + $(grep -c '^FAIL' "$tmp/out")))
	if [ $st -ne 0 ] && ! grep -q '^FAIL' "$tmp/out"; then
		echo "FAIL: $name: miltertest exited $st"
		nfail=$((nfail + 1))
	fi
	if kill -0 "$pid" 2>/dev/null; then
		echo "ok: $name: the milter is still running"
	else
		echo "FAIL: $name: the milter died:"
		sed 's/^/    /' "$tmp/$name.log"
		nfail=$((nfail + 1))
	fi
	# Configuration errors from a reload are expected (reload.lua); any
	# other error is not.
	grep -v '\.conf:[0-9]*: \|reload of .* failed' "$tmp/$name.log" > "$tmp/$name.log.other"
	expect_nogrep "$name: the milter logged no internal error" \
	    "error:\|libmilter refused" "$tmp/$name.log.other"
	if [ "$name" = reload ]; then
		expect_grep "reload: the broken file is named with file:line" \
		    "reload.conf:11: enabled: invalid boolean" "$tmp/$name.log"
		expect_grep "reload: the old configuration stays" \
		    "previous configuration stays in force" "$tmp/$name.log"
	fi
done
# The milters stop in cleanup, together: libmilter takes some seconds to
# notice SIGTERM.
[ "$n" -gt 0 ] || { echo "FAIL: no miltertest scripts in $dir"; exit 1; }
[ "$nfail" -eq 0 ]
