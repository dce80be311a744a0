#!/bin/sh
# smtpgate-milter started by hand, as an administrator tries it first:
# `smtpgate-milter -f -c FILE` as root on a fresh machine runs, with no pid
# file and a socket directory it makes itself; --help answers; daemonised
# with no pid file directory, the error names the command that makes it.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
milter=./milter/smtpgate-milter
if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1; then
	echo "SKIP: needs root and the user nobody"
	exit 77
fi
"$milter" --help > "$tmp/out" 2>&1
expect "--help exits 0" 0 $?
expect_grep "--help prints the usage" "^usage: smtpgate-milter" "$tmp/out"
"$milter" -h > "$tmp/out" 2>&1
expect "-h exits 0" 0 $?

chmod 711 "$tmp"
cat > "$tmp/m.conf" <<CONF
[relay main]
host = 127.0.0.1
[milter]
user = nobody
socket = unix:$tmp/sock/milter.sock
CONF
chmod 644 "$tmp/m.conf"
run_before=$([ -e /run/smtpgate/milter.pid ] && echo yes || echo no)
"$milter" -f -c "$tmp/m.conf" > "$tmp/milter.log" 2>&1 &
mpid=$!
server_pids="$server_pids $mpid"
i=0
while [ ! -S "$tmp/sock/milter.sock" ] && [ $i -lt 100 ] && kill -0 "$mpid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
expect "-f -c FILE as root: it runs and listens" yes \
    "$([ -S "$tmp/sock/milter.sock" ] && kill -0 "$mpid" 2>/dev/null && echo yes)"
expect "the missing socket directory was made, 0750" 750 "$(stat -c %a "$tmp/sock" 2>/dev/null)"
expect "no pid file in the foreground" "$run_before" \
    "$([ -e /run/smtpgate/milter.pid ] && echo yes || echo no)"
kill "$mpid"
wait "$mpid"
expect "it stops on SIGTERM with 0" 0 $?
sed 's/^/# milter: /' "$tmp/milter.log"

# Daemonised, the pid file's directory missing: refused with the fix.
printf 'pid_file = %s/nodir/milter.pid\n' "$tmp" >> "$tmp/m.conf"
rm -rf "$tmp/sock"
"$milter" -c "$tmp/m.conf" -f > "$tmp/out" 2>&1 &
mpid=$!
server_pids="$server_pids $mpid"
wait "$mpid"
expect "a pid file without its directory: EX_CANTCREAT" 73 $?
expect_grep "the error names the command" "install -d $tmp/nodir" "$tmp/out"
[ "$nfail" -eq 0 ]
