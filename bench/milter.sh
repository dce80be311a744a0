#!/bin/sh
# shellcheck shell=sh disable=SC1091,SC2034,SC2154  # srcdir, $tmp, $_spid, $server_pids: tests/integration/lib.sh
# Benchmark (not a test, never run by make check): a private Postfix
# accepting and relaying mail end to end, from Postfix's smtp-source to
# Postfix's smtp-sink, until the sink has counted every message:
#
#   none            Postfix alone
#   noop-unix/inet  + bench/noop_milter.c (every callback, every step and
#                   reply kept), on a unix socket / on inet:PORT@127.0.0.1
#   smtpgate-unix/inet  + smtpgate-milter with every policy on
#                   (from_must_match_login = rewrite, reply_to always,
#                   exclude, redirect with keep and two report addresses,
#                   subject_prefix)
#
# each in three client modes:
#   conn   smtp-source -s 10 -m N       a new connection per message
#   reuse  smtp-source -s 10 -m N -d    many messages per connection
#   seq    smtp-source -s 1 -m N1       one session at a time (latency)
#   seqd   smtp-source -s 1 -m N1 -d    one session, message after message
#
# Usage, as root, from the source tree after a build:
#   sh bench/milter.sh         (BUILD=_b; N=1000 N1=200 SESS=10 ROUNDS=1
#                               CONFIGS="none noop-unix ..." MODES="conn reuse seq seqd"
#                               POLICY=off: smtpgate-milter with no policy
#                               OUT=dir keeps logs, configs and the results)
# Needs postfix (smtp-source, smtp-sink), libmilter-dev, a C compiler and
# python3; Debian packages are installed with apt-get install -y if missing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
srcdir=$top
cd "$top" || exit 1
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/postfix.sh"

N=${N:-1000}
N1=${N1:-200}
SESS=${SESS:-10}
ROUNDS=${ROUNDS:-1}
BUILD=${BUILD:-_b}
MILTER=${MILTER:-$top/$BUILD/milter/smtpgate-milter}
CONFIGS=${CONFIGS:-none noop-unix noop-inet smtpgate-unix smtpgate-inet}
MODES=${MODES:-conn reuse seq seqd}
OUT=${OUT:-}
[ -x "$MILTER" ] || { echo "no $MILTER: build first (or set BUILD / MILTER)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "a private Postfix needs root" >&2; exit 1; }

need() {	# need FILE DEBIAN-PACKAGE
	[ -e "$1" ] || command -v "$1" >/dev/null 2>&1 ||
	    DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 ||
	    { apt-get update >/dev/null 2>&1 &&
	      DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1; }
	[ -e "$1" ] || command -v "$1" >/dev/null 2>&1 || { echo "$1 missing (Debian package $2)" >&2; exit 1; }
}
need smtp-source postfix
need /usr/include/libmilter/mfapi.h libmilter-dev
need cc gcc
need python3 python3
getent passwd nobody >/dev/null || { echo "no user nobody" >&2; exit 1; }

# Postfix daemons and smtpgate-milter (user postfix) and the noop milter
# (root) reach into $tmp.
chmod 711 "$tmp"
mkdir -p "$tmp/sock" && chmod 755 "$tmp/sock"
[ -z "$OUT" ] || mkdir -p "$OUT"

cc -O2 -o "$tmp/noop_milter" "$top/bench/noop_milter.c" -lmilter -pthread ||
    { echo "cannot build bench/noop_milter.c" >&2; exit 1; }

# ---- the sink: one smtp-sink for the whole run; -c prints "mesg=COUNT" ---
CAPTURE_PORT=$(pick_port 70)
start_server "$CAPTURE_PORT" "$tmp/sink.out" smtp-sink -u nobody -c \
    -h sink.bench "127.0.0.1:$CAPTURE_PORT" 1000 ||
    { echo "smtp-sink did not start" >&2; exit 1; }

# ---- the milters ----------------------------------------------------------
MPORT=$(pick_port 71)
NPORT=$(pick_port 72)
# POLICY=off: the same milter with every policy off (no edits), to tell
# the cost of the milter protocol from the cost of the edits.
if [ "${POLICY:-all}" = off ]; then
	p_login=off p_rt=off p_excl="" p_redir=no
else
	p_login=rewrite p_rt=always p_excl="nobody@example.net, blackhole@example.net" p_redir=yes
fi
cat > "$tmp/milter.conf" <<EOF
[general]
hostname = gate.bench
domain = example.org

# Not used to send: its username is the login for unauthenticated mail.
[relay main]
host = 127.0.0.1
port = 25
tls = none
username = noreply@example.org

[message]
from_must_match_login = $p_login
reply_to = "Help desk" <help@example.org>
reply_to_mode = $p_rt
exclude = $p_excl

[redirect]
enabled = $p_redir
subject_prefix = "[TEST] "
keep = @keep.example, boss@example.org

[report qa@example.org]
[report qa2@example.org]

[milter]
# The unix socket is 0660, the milter user's and group's: running it as
# postfix lets the private Postfix connect without changing any group.
user = postfix
pid_file = $tmp/milter.pid
EOF
chmod 644 "$tmp/milter.conf"
"$MILTER" -c "$tmp/milter.conf" -t > "$tmp/milter-t.out" 2>&1 ||
    { echo "smtpgate-milter -t refused the configuration:" >&2; cat "$tmp/milter-t.out" >&2; exit 1; }

milter_pid=""
# start_milter CONFIG: start the milter of CONFIG; sets $milter_spec.
start_milter() {
	case $1 in
	none) milter_spec=""; return 0 ;;
	noop-unix)
		milter_spec="unix:$tmp/sock/noop.sock"
		"$tmp/noop_milter" "$milter_spec" > "$tmp/noop.log" 2>&1 & ;;
	noop-inet)
		milter_spec="inet:127.0.0.1:$NPORT"
		"$tmp/noop_milter" "inet:$NPORT@127.0.0.1" > "$tmp/noop.log" 2>&1 & ;;
	smtpgate-unix)
		milter_spec="unix:$tmp/sock/smtpgate.sock"
		"$MILTER" -c "$tmp/milter.conf" -f -p "$milter_spec" > "$tmp/smtpgate-milter.log" 2>&1 & ;;
	smtpgate-inet)
		milter_spec="inet:127.0.0.1:$MPORT"
		"$MILTER" -c "$tmp/milter.conf" -f -p "inet:$MPORT@127.0.0.1" > "$tmp/smtpgate-milter.log" 2>&1 & ;;
	esac
	milter_pid=$!
	server_pids="$server_pids $milter_pid"
	i=0
	while [ $i -lt 100 ]; do
		case $milter_spec in
		unix:*) [ -S "${milter_spec#unix:}" ] && return 0 ;;
		inet:*) port_in_use "${milter_spec##*:}" && return 0 ;;
		esac
		kill -0 "$milter_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "milter $1 did not start" >&2
	cat "$tmp"/*.log >&2
	return 1
}
stop_milter() {
	[ -n "$milter_pid" ] || return 0
	kill "$milter_pid" 2>/dev/null
	wait "$milter_pid" 2>/dev/null
	milter_pid=""
	rm -f "$tmp/sock/"*.sock
}

# ---- Postfix: tests/integration/postfix.sh's instance, relaying to the sink
PF_PORT=$(pick_port 73)
PF_SUB_PORT=$(pick_port 74)
# Postfix as the tests run it (compatibility_level 3.6 defaults otherwise);
# PF_MAIN_EXTRA from the environment is appended to main.cf.
pf_up() {	# MILTER-SPEC
	mkdir -p "$PF_CONF/sasl" "$PF_DIR/queue" || return 1
	_pf_main_cf "$1" > "$PF_CONF/main.cf"
	_pf_master_cf > "$PF_CONF/master.cf"
	printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN\n' \
	    "$PF_CONF/sasldb2" > "$PF_CONF/sasl/smtpd.conf"
	if ! postfix -c "$PF_CONF" start > "$PF_DIR/start.out" 2>&1; then
		echo "postfix start failed:" >&2
		cat "$PF_DIR/start.out" "$PF_MAILLOG" >&2 2>/dev/null
		return 1
	fi
	PF_MASTER_PID=""
	i=0
	while [ $i -lt 100 ]; do
		[ -n "$PF_MASTER_PID" ] ||
		    PF_MASTER_PID=$(tr -dc 0-9 < "$PF_DIR/queue/pid/master.pid" 2>/dev/null)
		[ -n "$PF_MASTER_PID" ] && port_in_use "$PF_PORT" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "Postfix did not listen on $PF_PORT" >&2
	return 1
}

# ---- one run: smtp-source until the sink has counted all ------------------
# Prints: total_seconds source_seconds sink_got
cat > "$tmp/run.py" <<'PY'
import re, subprocess, sys, time
sink_out, want, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
cmd = sys.argv[4:]
def count():
    with open(sink_out, "rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 200))
        m = re.findall(rb"mesg=(\d+)", f.read())
    return int(m[-1]) if m else 0
base = count()
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
t_src = None
while True:
    if t_src is None and p.poll() is not None:
        t_src = time.monotonic() - t0
    got = count() - base
    if got >= want or time.monotonic() - t0 > limit:
        break
    time.sleep(0.005)
t = time.monotonic() - t0
if t_src is None:
    p.wait()
    t_src = time.monotonic() - t0
err = p.stderr.read().decode(errors="replace").strip().replace("\n", " | ")[:200]
print("%.3f %.3f %d %d %s" % (t, t_src, got, p.returncode, err))
PY

results="$tmp/results"
: > "$results"
src_args() {	# MODE: smtp-source options and the count
	case $1 in
	conn) echo "$N -s $SESS -m $N" ;;
	reuse) echo "$N -s $SESS -m $N -d" ;;
	seq) echo "$N1 -s 1 -m $N1" ;;
	seqd) echo "$N1 -s 1 -m $N1 -d" ;;
	esac
}
run_mode() {	# CONFIG MODE ROUND
	# shellcheck disable=SC2046  # a word list
	set -- "$1" "$2" "$3" $(src_args "$2")
	want=$4
	shift 4
	r=$(python3 "$tmp/run.py" "$tmp/sink.out" "$want" 300 smtp-source -4 \
	    -M client.bench -f app@example.org -t user@example.net -S "bench" "$@" \
	    "127.0.0.1:$PF_PORT")
	echo "$r" | {
		read -r total src got st err
		printf '%-14s %-5s round %d: %d msgs  %7.3fs end to end (%.2f ms/msg), smtp-source done at %.3fs, sink got %d %s\n' \
		    "$config" "$mode" "$round" "$want" "$total" \
		    "$(echo "$total $want" | awk '{ print $1 * 1000 / $2 }')" "$src" "$got" \
		    "$([ "$st" = 0 ] || echo "smtp-source exit $st: $err")"
		echo "$config $mode $want $total $got" >> "$results"
	}
}

echo "# smtpgate-milter: $MILTER"
echo "# $(postconf -d mail_version 2>/dev/null), N=$N, N1=$N1, SESS=$SESS, ROUNDS=$ROUNDS"
echo "# $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
round=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	for config in $CONFIGS; do
		start_milter "$config" || exit 1
		pf_up "$milter_spec" || exit 1
		# One message first: the processes are forked and warm, and a
		# broken setup shows here instead of as a timeout.
		w=$(python3 "$tmp/run.py" "$tmp/sink.out" 1 30 smtp-source -4 -M client.bench \
		    -f app@example.org -t user@example.net -S warm -m 1 "127.0.0.1:$PF_PORT")
		case $w in
		*" 1 0 "*|*" 1 0") ;;
		*) echo "$config: the warm-up message did not arrive: $w" >&2; pf_maillog 20 >&2; exit 1 ;;
		esac
		for mode in $MODES; do
			run_mode "$config" "$mode" "$round"
		done
		if [ -n "$OUT" ]; then
			cp "$PF_MAILLOG" "$OUT/maillog.$config.$round"
			[ ! -f "$tmp/smtpgate-milter.log" ] || cp "$tmp/smtpgate-milter.log" "$OUT/smtpgate-milter.log.$config.$round"
		fi
		pf_stop
		rm -f "$PF_MAILLOG"
		stop_milter
	done
done
[ -z "$OUT" ] || { cp "$results" "$OUT/results.txt"; cp "$tmp/milter.conf" "$OUT/milter.conf"; }

# ---- the table: sums over rounds, ratios against Postfix alone -------------
echo
python3 - "$results" "$CONFIGS" "$MODES" <<'PY'
import sys
res, configs, modes = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
t, lost = {}, []
for line in open(res):
    c, m, want, total, got = line.split()
    n, s = t.get((c, m), (0, 0.0))
    t[(c, m)] = (n + int(want), s + float(total))
    if int(got) < int(want):
        lost.append("%s %s: sink got %s of %s" % (c, m, got, want))
print("| milter | " + " | ".join("%s: ms/msg (x Postfix alone)" % m for m in modes) + " |")
print("|---|" + "---:|" * len(modes))
for c in configs:
    cells = []
    for m in modes:
        if (c, m) not in t:
            cells.append("-")
            continue
        n, s = t[(c, m)]
        ms = s * 1000 / n
        base = t.get(("none", m))
        ratio = " (%.2fx)" % (ms / (base[1] * 1000 / base[0])) if base else ""
        cells.append("%.2f%s" % (ms, ratio))
    print("| %s | %s |" % (c, " | ".join(cells)))
for l in lost:
    print("WARNING: " + l)
PY
