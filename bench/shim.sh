#!/bin/sh
# shellcheck shell=sh disable=SC1091,SC2034,SC2154  # srcdir, $tmp, $_spid, $server_pids: tests/integration/lib.sh
# Benchmark (not a test, never run by make check): smtpgate-sendmail against
# msmtp, in one run, to the same local servers on 127.0.0.1.
#
#   plain:  Postfix's smtp-sink (a fresh one per phase with -M COUNT, so a
#           phase only counts when the sink really got every message)
#   tls:    tests/integration/smtpd.py --tls starttls --auth PLAIN (the sink
#           cannot do TLS), with TCP_NODELAY set on its side so the server's
#           own small replies never wait on the client's delayed ACK
#
# For each tool and mode: messages/s sequentially and with 8 concurrent
# senders, CPU (user+sys of the tool's processes) per message, instructions
# per message (valgrind --tool=callgrind over a few messages), and the peak
# RSS while sending a 50 MB message; then a table with smtpgate/msmtp ratios.
#
# Usage, from the source tree after a build:
#   sh bench/shim.sh                     (build directory _b, or BUILD=dir)
#   N=500 N_TLS=500 CONC=8 ROUNDS=5 CG=5 BIG_MB=50 SHIM=path/to/smtpgate-sendmail
#   OUT=dir  keeps the callgrind files and logs there (default: thrown away)
# Needs python3, valgrind, smtp-sink (postfix) and msmtp; when root and a
# Debian package is missing it is installed with apt-get install -y.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
srcdir=$top
cd "$top" || exit 1
. "$top/tests/integration/lib.sh"
PATH="$PATH:/usr/sbin:/sbin"

N=${N:-500}
N_TLS=${N_TLS:-$N}
CONC=${CONC:-8}
ROUNDS=${ROUNDS:-5}
CG=${CG:-5}
BIG_MB=${BIG_MB:-50}
BUILD=${BUILD:-_b}
SHIM=${SHIM:-$top/$BUILD/sendmail-shim/smtpgate-sendmail}
OUT=${OUT:-}
[ -x "$SHIM" ] || { echo "no $SHIM: build first (or set BUILD / SHIM)" >&2; exit 1; }

need() {	# need COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "# installing $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 ||
		    { apt-get update >/dev/null 2>&1 &&
		      DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1; }
	fi
	command -v "$1" >/dev/null 2>&1 || { echo "$1 missing (Debian package $2)" >&2; exit 1; }
}
need msmtp msmtp
need valgrind valgrind
need smtp-sink postfix
need python3 python3
need openssl openssl
MSMTP=$(command -v msmtp)
sink_user=""
[ "$(id -u)" -ne 0 ] || sink_user="-u nobody"

make_certs "$tmp/pki" || { echo "cannot make certificates" >&2; exit 1; }
mkdir -p "$tmp/q"
[ -z "$OUT" ] || mkdir -p "$OUT"

# --- the message: full headers, so neither tool has to generate any -------
python3 - "$tmp/msg" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From: App <app@example.org>\nTo: rcpt@example.net\n"
            "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
            "Message-ID: <bench-1@example.org>\nSubject: benchmark\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n")
    for i in range(30):
        f.write("line %02d of a benchmark message, plain text of typical length\n" % i)
PY
python3 - "$tmp/big" "$BIG_MB" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-=+*/.\n"
with open(path, "wb") as f:
    f.write(b"From: app@example.org\nTo: big@example.net\nSubject: big\n"
            b"Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <big@example.org>\n\n")
    n, i = 0, 0
    while n < mb * 1024 * 1024:
        l = (b"." if i % 97 == 0 else b"") + line[i % 40:]
        f.write(l)
        n += len(l)
        i += 1
PY

# --- configurations ------------------------------------------------------
printf 'relay-pw\n' > "$tmp/relay.secret"
chmod 600 "$tmp/relay.secret"
shim_conf() {	# MODE PORT
	if [ "$1" = plain ]; then
		tlsauth="tls = none
auth = none"
	else
		tlsauth="tls = starttls
tls_ca_file = $tmp/pki/ca.pem
auth = plain
username = relay@example.org
password_file = $tmp/relay.secret"
	fi
	cat > "$tmp/shim-$1.conf" <<EOF
[general]
hostname = bench.example.org
[relay bench]
host = 127.0.0.1
port = $2
$tlsauth
timeout = 60
[queue]
dir = $tmp/q
max_message_size = $((BIG_MB + 10))M
EOF
}
msmtp_conf() {	# MODE PORT
	if [ "$1" = plain ]; then
		tlsauth="tls off
auth off"
	else
		tlsauth="tls on
tls_starttls on
tls_trust_file $tmp/pki/ca.pem
auth plain
user relay@example.org
password relay-pw"
	fi
	cat > "$tmp/msmtp-$1.conf" <<EOF
account bench
host 127.0.0.1
port $2
domain bench.example.org
from app@example.org
$tlsauth
account default : bench
EOF
	chmod 600 "$tmp/msmtp-$1.conf"
}
# tool_cmd TOOL MODE: the command line (without the message on stdin).
tool_cmd() {
	case $1 in
	smtpgate) echo "$SHIM -C $tmp/shim-$2.conf -i -f app@example.org rcpt@example.net" ;;
	msmtp) echo "$MSMTP -C $tmp/msmtp-$2.conf -i -f app@example.org rcpt@example.net" ;;
	esac
}

# --- servers -------------------------------------------------------------
nport=0
# sink: a fresh smtp-sink (-c: it writes "mesg=COUNT" counters); sets $port.
sink() {
	nport=$((nport + 1))
	port=$(pick_port "$nport")
	# shellcheck disable=SC2086  # $sink_user is "" or "-u nobody"
	start_server "$port" "$tmp/sink-$nport.out" smtp-sink $sink_user -c \
	    -h sink.bench "127.0.0.1:$port" 1000 || { echo "smtp-sink did not start" >&2; exit 1; }
	sink_pid=$_spid
}
# sink_done COUNT: wait (up to 10 s) for the sink to count COUNT messages,
# then stop it.  Prints "ok" or "LOST(got)".
sink_done() {
	i=0
	while [ "$(sink_count)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$sink_pid" 2>/dev/null
	wait "$sink_pid" 2>/dev/null
	if [ "$(sink_count)" -eq "$1" ]; then echo ok; else echo "LOST($(sink_count))"; fi
}
sink_count() {
	tr '\r' '\n' < "$tmp/sink-$nport.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' |
	    tail -n 1 | grep . || echo 0
}
# The TLS server: smtpd.py with TCP_NODELAY on its accepted sockets.
tls_port=$(pick_port 50)
cat > "$tmp/tlsd.py" <<'PY'
import importlib.util, socket, sys
spec = importlib.util.spec_from_file_location("smtpd_it", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
orig = m.Session.setup
def setup(self):
    self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    orig(self)
m.Session.setup = setup
m.Server.request_queue_size = 128
sys.argv = [sys.argv[0]] + sys.argv[2:]
m.main()
PY
start_server "$tls_port" "$tmp/tlsd.out" python3 "$tmp/tlsd.py" \
    "$top/tests/integration/smtpd.py" --port "$tls_port" --tls starttls \
    --cert "$tmp/pki/server.pem" --key "$tmp/pki/server.key" --pipelining \
    --auth PLAIN --user relay@example.org --password relay-pw --name tls.bench ||
    { echo "TLS server did not start" >&2; exit 1; }
msmtp_conf tls "$tls_port"
shim_conf tls "$tls_port"

# --- the driver: run COUNT invocations, CONC at a time -------------------
# Prints: wall_seconds cpu_seconds maxrss_kb failures [first error]
cat > "$tmp/drive.py" <<'PY'
import resource, subprocess, sys, threading, time
count, conc, stdin_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
cmd = sys.argv[4:]
left = [count]
fails = []
lock = threading.Lock()
def worker():
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        with open(stdin_path, "rb") as f:
            p = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        if p.returncode != 0:
            with lock:
                fails.append("exit %d: %s" % (p.returncode,
                             p.stderr.decode(errors="replace").strip()[:200]))
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
ts = [threading.Thread(target=worker) for _ in range(conc)]
for t in ts: t.start()
for t in ts: t.join()
wall = time.monotonic() - t0
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print("%.4f %.4f %d %d %s" % (wall, cpu, r1.ru_maxrss, len(fails),
      fails[0].replace("\n", " | ") if fails else ""))
PY
drive() {	# COUNT CONC STDIN TOOL MODE
	# shellcheck disable=SC2046  # tool_cmd is a word list
	python3 "$tmp/drive.py" "$1" "$2" "$3" $(tool_cmd "$4" "$5")
}

# The peak RSS of one process.  Not from python: ru_maxrss counts the
# high-water mark of the image a child had before exec, and a child of a
# python process starts as a copy of python (~10 MB).  This helper is small
# so its own image is far below what it measures.  Prints: wall_seconds
# cpu_seconds maxrss_kb failures [exit status].
cat > "$tmp/rusage.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
	struct rusage ru; struct timespec a, b; int st, fd; pid_t pid;
	if (argc < 3) return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == 0) {
		if ((fd = open(argv[1], O_RDONLY)) < 0 || dup2(fd, 0) < 0) _exit(126);
		fd = open("/dev/null", O_WRONLY); dup2(fd, 1);
		execv(argv[2], argv + 2); _exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0) return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.4f %.4f %ld %d %s%d\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
	    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	    ru.ru_maxrss, !(WIFEXITED(st) && WEXITSTATUS(st) == 0), "status=", st);
	return 0;
}
C
cc -O2 -o "$tmp/rusage" "$tmp/rusage.c" || { echo "cannot build the rusage helper" >&2; exit 1; }

results="$tmp/results"
: > "$results"
record() { echo "$*" >> "$results"; }	# TOOL MODE KEY VALUE

# run_rate TOOL MODE COUNT CONC KEY: one round of a sequential (CONC 1) or
# concurrent run; the table adds up the rounds.
run_rate() {
	if [ "$2" = plain ]; then
		sink
		shim_conf plain "$port"
		msmtp_conf plain "$port"
	fi
	set -- "$1" "$2" "$3" "$4" "$5" "$(drive "$3" "$4" "$tmp/msg" "$1" "$2")"
	got=ok
	[ "$2" != plain ] || got=$(sink_done "$3")
	echo "$6" | {
		read -r wall cpu _rss fails err
		printf '%-8s %-5s %-4s conc=%d n=%d: %.2fs %s ms/msg wall %s ms CPU/msg, failures %d, sink %s %s\n' \
		    "$1" "$2" "$5" "$4" "$3" "$wall" \
		    "$(echo "$3 $wall" | awk '{ printf "%.2f", $2 * 1000 / $1 }')" \
		    "$(echo "$3 $cpu" | awk '{ printf "%.2f", $2 * 1000 / $1 }')" \
		    "$fails" "$got" "$err"
		record "$1" "$2" "$5-n" "$3"
		record "$1" "$2" "$5-wall" "$wall"
		record "$1" "$2" "$5-cpu" "$cpu"
		if [ "$fails" -ne 0 ] || [ "$got" != ok ]; then record "$1" "$2" "$5-bad" "$fails/$got"; fi
	}
}

# run_cg TOOL MODE: instructions per message over $CG messages.
run_cg() {
	[ "$2" != plain ] || { sink; shim_conf plain "$port"; msmtp_conf plain "$port"; }
	rm -f "$tmp"/cg.out.*
	k=0
	while [ $k -lt "$CG" ]; do
		k=$((k + 1))
		# shellcheck disable=SC2046
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out.$k" \
		    $(tool_cmd "$1" "$2") < "$tmp/msg" > /dev/null 2>> "$tmp/cg.log" ||
		    echo "callgrind run failed: $1 $2" >&2
	done
	[ "$2" != plain ] || sink_done "$CG" > /dev/null
	ir=$(cat "$tmp"/cg.out.* | awk '/^(summary|totals):/ { s += $2; n++ } END { if (n) printf "%d", s / n }')
	printf '%-8s %-5s instructions per message (callgrind, %d runs): %s\n' "$1" "$2" "$CG" "$ir"
	record "$1" "$2" ir "$ir"
	if [ -n "$OUT" ]; then
		cp "$tmp/cg.out.1" "$OUT/callgrind.$1.$2.out"
	fi
	if [ "$1" = smtpgate ]; then
		echo "  top functions (self, inclusive of nothing), one $2 message:"
		callgrind_annotate "$tmp/cg.out.1" 2>/dev/null | awk '/^-+$/ { d++ } d >= 3 && NF' |
		    sed -n '2,16p' | sed 's/^/    /'
	fi
}

# run_rss TOOL MODE: peak RSS sending the big message.
run_rss() {
	[ "$2" != plain ] || { sink; shim_conf plain "$port"; msmtp_conf plain "$port"; }
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$("$tmp/rusage" "$tmp/big" $(tool_cmd "$1" "$2"))"
	got=ok
	[ "$2" != plain ] || got=$(sink_done 1)
	echo "$3" | {
		read -r wall _cpu rss fails err
		printf '%-8s %-5s %d MB message: %.2fs, peak RSS %d kB, failures %d, sink %s %s\n' \
		    "$1" "$2" "$BIG_MB" "$wall" "$rss" "$fails" "$got" "$err"
		record "$1" "$2" rss "$rss"
		record "$1" "$2" big-s "$wall"
	}
}

echo "# smtpgate-sendmail: $SHIM"
echo "# msmtp: $("$MSMTP" --version | head -n 1)"
echo "# N=$N (plain), N_TLS=$N_TLS (STARTTLS+AUTH PLAIN), CONC=$CONC, ROUNDS=$ROUNDS, CG=$CG, BIG_MB=$BIG_MB"
echo "# $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# What the driver itself costs per invocation (fork, exec, wait of /bin/true).
b=$(python3 "$tmp/drive.py" "$N" 1 "$tmp/msg" /bin/true)
echo "$b" | awk -v n="$N" '{ printf "driver   baseline (/bin/true, n=%d): %.2f ms/msg wall, %.2f ms CPU/msg\n", n, $1 * 1000 / n, $2 * 1000 / n }'
for tool in smtpgate msmtp; do
	# Start-up alone: what running the program costs before any SMTP.
	if [ "$tool" = smtpgate ]; then v="$SHIM -C $tmp/shim-tls.conf --check-config"; else v="$MSMTP --version"; fi
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cgv.out" $v > /dev/null 2>> "$tmp/cg.log"
	printf '%-8s start-up only (%s): %s instructions\n' "$tool" "${v##*/}" \
	    "$(awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cgv.out")"
done
# Rates in ROUNDS rounds that alternate which tool goes first, so a change
# in the machine's load during the run hits both alike.
for mode in plain tls; do
	if [ $mode = plain ]; then n=$N; else n=$N_TLS; fi
	per=$(( (n + ROUNDS - 1) / ROUNDS ))
	for key in seq conc; do
		if [ $key = seq ]; then c=1; else c=$CONC; fi
		r=0
		while [ $r -lt "$ROUNDS" ]; do
			r=$((r + 1))
			if [ $((r % 2)) -eq 1 ]; then order="smtpgate msmtp"; else order="msmtp smtpgate"; fi
			for tool in $order; do
				run_rate "$tool" $mode "$per" "$c" $key
			done
		done
	done
	for tool in smtpgate msmtp; do
		run_cg $tool $mode
	done
	for tool in smtpgate msmtp; do
		run_rss $tool $mode
	done
done
[ -z "$OUT" ] || cp "$results" "$OUT/results.txt"

# --- the table -----------------------------------------------------------
echo
python3 - "$results" "$CONC" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    t, m, k, v = line.split(None, 3)
    v = v.strip()
    if k.endswith(("-n", "-wall", "-cpu")):
        r[(t, m, k)] = r.get((t, m, k), 0.0) + float(v)
    else:
        r[(t, m, k)] = v
for t in ("smtpgate", "msmtp"):
    for m in ("plain", "tls"):
        for k in ("seq", "conc"):
            n, w, c = (r.get((t, m, k + x)) for x in ("-n", "-wall", "-cpu"))
            if n and w:
                r[(t, m, k + "-rate")] = "%.1f" % (n / w)
                r[(t, m, k + "-ms")] = "%.2f" % (w * 1000 / n)
                r[(t, m, k + "-cpu")] = "%.2f" % (c * 1000 / n)
conc = sys.argv[2]
rows = [("seq-rate", "msg/s sequential"), ("seq-ms", "ms/msg sequential"),
        ("conc-rate", "msg/s, %s senders" % conc), ("seq-cpu", "CPU ms/msg (seq)"),
        ("conc-cpu", "CPU ms/msg (%s senders)" % conc), ("ir", "instructions/msg"),
        ("rss", "peak RSS kB, big message"), ("big-s", "big message, s")]
print("| mode | metric | smtpgate | msmtp | smtpgate/msmtp |")
print("|---|---|---:|---:|---:|")
for m in ("plain", "tls"):
    for k, label in rows:
        a, b = r.get(("smtpgate", m, k)), r.get(("msmtp", m, k))
        ratio = "%.3f" % (float(a) / float(b)) if a and b and float(b) else "-"
        print("| %s | %s | %s | %s | %s |" % (m, label, a or "-", b or "-", ratio))
bad = [(t, m, k, v) for (t, m, k), v in r.items() if k.endswith("-bad")]
for t, m, k, v in bad:
    print("WARNING: %s %s %s: failures/sink = %s" % (t, m, k, v))
PY
