# Shared helpers for integration tests (sourced).  Servers listen on
# 127.0.0.1 only, on ports picked to avoid clashes, and are killed by PID
# when the test exits, pass or fail.

nfail=0
server_pids=""

# The long tests run in the two main builds; make distcheck's own run of
# the tarball's tests skips them (scripts/test.sh sets this).
skip_in_distcheck() {
	if [ "${SMTPGATE_DISTCHECK:-}" = 1 ]; then
		echo "SKIP: long test; it runs in the main builds, not in make distcheck"
		exit 77
	fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtpgate-it.XXXXXX") || exit 99

# "|| :" because scripts/demo.sh runs with set -e: a server that died of
# our SIGTERM must not become the script's exit status (143).
cleanup() {
	for pid in $server_pids; do
		kill "$pid" 2>/dev/null || :
	done
	for pid in $server_pids; do
		wait "$pid" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# True when something listens on TCP port $1 (IPv4 or IPv6).
port_in_use() {
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 }
	    END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# True when any TCP socket has local port $1, in any state: a client's
# ephemeral port (connected or in TIME_WAIT) also makes bind() fail.
port_taken() {
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" 'substr($2, length($2) - 4) == p { f = 1 }
	    END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# A free port below the kernel's ephemeral range (ip_local_port_range,
# 32768-60999 on Linux), spread by PID so parallel runs rarely meet.  A
# port inside that range can be taken between the pick and the bind by
# any client's outgoing connection, and tests open thousands of those.
pick_port() {
	_eph=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${_eph:-0}" -gt 20000 ] 2>/dev/null || _eph=32768
	p=$((10000 + ($$ * 13 + ${1:-0} * 101) % (_eph - 10000)))
	while port_taken "$p"; do
		p=$((p + 1))
		[ "$p" -lt "$_eph" ] || p=10000
	done
	echo "$p"
}

# start_server PORT LOGFILE COMMAND...: run it in the background and wait
# until the port listens.  Returns non-zero if it died or never listened.
start_server() {
	_sport=$1 _slog=$2
	shift 2
	"$@" > "$_slog" 2>&1 &
	_spid=$!
	server_pids="$server_pids $_spid"
	i=0
	while [ $i -lt 100 ]; do
		port_in_use "$_sport" && return 0
		kill -0 "$_spid" 2>/dev/null || { cat "$_slog"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# serve NAME ARGS...: a scripted SMTP server ($server) of its own, its mail
# in $maildir and its log in $slog; sets $port (from $serve_base, so that
# the scripts that run at once pick apart; $serve_port forces one).  With
# $tmp/pki (make_certs) it
# has a certificate for STARTTLS and implicit TLS.
n=0
serve() {
	n=$((n + 1))
	port=${serve_port:-$(pick_port $((n + ${serve_base:-40})))}
	maildir="$tmp/mail-$1"; slog="$tmp/log-$1"
	mkdir -p "$maildir"; : > "$slog"
	shift
	if [ -f "$tmp/pki/server.pem" ]; then
		set -- --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" "$@"
	fi
	start_server "$port" "$tmp/server-$n.out" python3 "$server" --port "$port" \
	    --maildir "$maildir" --log "$slog" "$@" ||
	    { echo "FAIL: server did not start"; exit 1; }
}
# The messages a server stored in its mail directory.
count() { ls "$1" | grep -c '^msg-'; }

expect() {	# expect NAME WANT-STATUS GOT-STATUS
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: exit status $3, expected $2"
		[ -f "$tmp/out" ] && sed 's/^/    /' "$tmp/out"
		nfail=$((nfail + 1))
	fi
}

expect_grep() {	# expect_grep NAME PATTERN FILE
	if grep -q -- "$2" "$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$2' not in output:"
		sed 's/^/    /' "$3"
		nfail=$((nfail + 1))
	fi
}

expect_nogrep() {
	if grep -q -- "$2" "$3"; then
		echo "FAIL: $1: '$2' must not appear:"
		sed 's/^/    /' "$3"
		nfail=$((nfail + 1))
	else
		echo "ok: $1"
	fi
}

# make_ca DIR: a test CA and a server certificate for mail.test and
# 127.0.0.1, plus a self-signed certificate, made with the openssl CLI.
make_certs() {
	d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=smtpgate test CA" \
	    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=mail.test" \
	    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:mail.test,IP:127.0.0.1\n' > "$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mail.test" \
	    -addext 'subjectAltName=DNS:mail.test' \
	    -keyout "$d/self.key" -out "$d/self.pem" 2>/dev/null || return 1
}

# private_syslog FILE: in a private mount namespace (as root), a listener
# of our own on /dev/log, in an overlay over /dev that only this namespace
# sees, writing each message as a line to FILE.  cron and PHP throw stderr
# away, so tests look for failures in syslog too.  Returns non-zero (and
# have_syslog says no) when /dev cannot be overlaid.
private_syslog() {
	: > "$1"
	mkdir -p "$tmp/dev.up" "$tmp/dev.work"
	mount -t overlay smtpgate-test-dev \
	    -o "lowerdir=/dev,upperdir=$tmp/dev.up,workdir=$tmp/dev.work" /dev \
	    2>/dev/null || return 1
	rm -f /dev/log
	cat > "$tmp/syslogd.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", 0)
while True:
    out.write(s.recv(65536).rstrip(b"\n") + b"\n")
PY
	python3 "$tmp/syslogd.py" "$1" &
	server_pids="$server_pids $!"
	i=0
	while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S /dev/log ]
}
have_syslog() { [ -s "$tmp/syslogd.py" ] && [ -S /dev/log ]; }
