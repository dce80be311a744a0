#!/bin/sh
# Crash tests of the durable queue with real processes and a real SMTP
# server on 127.0.0.1: kill -9 of smtpgate-sendmail and of the queue
# runner at random moments, then a clean -q.
#
# A message is acknowledged when its spool commit happened: a watcher
# (inotify) sees its env/<id> renamed into place, or the shim exited 0.
# That is seen apart from what the shim leaves behind, so a committed
# message that vanished counts as lost, not as killed before its commit;
# and whatever is in the queue or at the server after a kill must have had
# its commit seen.  Every recipient of every acknowledged message must be
# at the server or still due right after the kill, and delivered at least
# once after the clean -q (0 lost).  A recipient may get a second copy
# only when the kill fell between the server's 250 and the envelope update:
# the test counts those states after each kill, checks that the duplicates
# are exactly those, and reports how many.  After every kill each
# env/<id> must parse (mailq lists it) and have its msg/<id>, as long as
# the envelope says.
#
# Timings: a shim run is timed (uncounted) and the kill delays are drawn
# from 0 to 1.1 times that (one trial in four from the first 30%), so the
# kills spread over the spool write, the commit, the SMTP dialogue (the
# sink pauses before its greeting, RCPT, end-of-data and QUIT replies),
# the window after the 250 and the removal, whatever the machine's speed.
# The runner is killed likewise over a run of the due messages.  Only
# counts are asserted; the numbers are printed as "# " lines.
#   SMTPGATE_LONG=1          200 shim trials + 100 runner trials
#   SMTPGATE_CRASH_SHIM      shim trials (default 40)
#   SMTPGATE_CRASH_RUNNER    runner trials (default 20)
#   SMTPGATE_CRASH_SEED      random seed (default: the time; printed)
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
if [ "${SMTPGATE_LONG:-0}" = 1 ]; then
	NS=${SMTPGATE_CRASH_SHIM:-200}; NR=${SMTPGATE_CRASH_RUNNER:-100}
else
	NS=${SMTPGATE_CRASH_SHIM:-40}; NR=${SMTPGATE_CRASH_RUNNER:-20}
fi
seed=${SMTPGATE_CRASH_SEED:-$(date +%s)}
echo "# seed $seed (SMTPGATE_CRASH_SEED=$seed to repeat the draws)"

# The trial in flight, killed at exit like the servers.
cur=""
crash_cleanup() {
	[ -z "$cur" ] || { kill -9 "$cur" 2>/dev/null; wait "$cur" 2>/dev/null; }
	cleanup
}
trap crash_cleanup EXIT

q=$tmp/q
mail=$tmp/mail
mkdir -p "$mail" "$tmp/t"
TMPDIR=$tmp/t; export TMPDIR	# the shim's body files

# Two sinks sharing one maildir: "slow" for the trials (slow replies, and
# defer@example.org refused with 451 so that partial deliveries rewrite
# envelopes), "clean" for the final runs.
sport=$(pick_port 81)
start_server "$sport" "$tmp/slow.out" python3 "$server" --port "$sport" \
    --pipelining --maildir "$mail" --slow 0.02 --slow-rcpt 0.02 \
    --slow-data 0.05 --slow-quit 0.03 \
    --fail 'rcpt=defer@example.org:451 4.2.0 try again later' ||
    { echo "FAIL: server did not start"; exit 1; }
cport=$(pick_port 82)
[ "$cport" != "$sport" ] || cport=$(pick_port 83)
start_server "$cport" "$tmp/clean.out" python3 "$server" --port "$cport" \
    --pipelining --maildir "$mail" ||
    { echo "FAIL: server did not start"; exit 1; }
conf() {	# conf FILE PORT EXTRA-QUEUE-LINES...
	f=$1 p=$2; shift 2
	{
		printf '[general]\nhostname = crash.example.org\n'
		printf '[relay sink]\nhost = 127.0.0.1\nport = %s\ntls = none\nauth = none\ntimeout = 10\n' "$p"
		printf '[queue]\ndir = %s\n' "$q"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$f"
}
conf "$tmp/slow.conf" "$sport" "mode = on-failure"
conf "$tmp/clean.conf" "$cport" "mode = on-failure"
conf "$tmp/always.conf" "$sport" "mode = always"

now_ms() { date +%s%3N; }
ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# Random draws, one line per trial: a fraction for the kill delay, the
# body size, the number of recipients, a deferred recipient or not.
K=4	# messages queued each runner round
awk -v seed="$seed" -v n=$((NS + NR * (K + 1) + K + 10)) 'BEGIN { srand(seed)
	for (i = 0; i < n; i++)
		printf "%.4f %.4f %d %d\n", rand(), rand(), 1 + int(rand() * 3), rand() < 0.2
}' > "$tmp/draws"
draw() { sed -n "$1p" "$tmp/draws"; }

# A 3 MB body; each message takes a slice and ends with a line naming it,
# so a cut message shows.
awk 'BEGIN { for (i = 0; i < 42000; i++) printf "crash body line %07d %s\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' > "$tmp/body"

# make_msg SUBJECT LINES: the message into $tmp/m
make_msg() {
	{
		printf 'From: app@example.org\nTo: crash@example.org\nSubject: %s\n' "$1"
		printf 'Message-ID: <%s.%s@crash.test>\n\n' "$1" "$seed"
		head -n "$2" "$tmp/body"
		printf 'end of %s\n' "$1"
	} > "$tmp/m"
}
# rcpts N DEFER: the recipient list
rcpts() {
	r="a@example.org"
	[ "$1" -lt 2 ] || r="$r b@example.org"
	[ "$1" -lt 3 ] || r="$r c@example.org"
	[ "$2" = 0 ] || r="$r defer@example.org"
	echo "$r"
}

# Wait until neither sink holds a connection (a killed client's session
# has ended and whatever the server stores is stored).
settle() {
	_n=0
	while [ $_n -lt 400 ]; do
		awk -v a="$(printf ':%04X' "$sport")" -v b="$(printf ':%04X' "$cport")" '
		    { p = substr($2, length($2) - 4) }
		    (p == a || p == b) && ($4 == "01" || $4 == "03" || $4 == "08") { f = 1 }
		    END { exit !f }' /proc/net/tcp || {
			ls "$mail" | grep -q '\.tmp$' || return 0
		}
		sleep 0.05
		_n=$((_n + 1))
	done
	echo "# warning: the sinks did not go idle"
}

# index ROUND: record each newly stored message as "subject rcpt round"
# lines in $tmp/dlv, check it arrived whole, and drop the file.
: > "$tmp/dlv"
cut=0
index_mail() {
	for _f in "$mail"/msg-*; do
		case $_f in *.tmp) continue ;; esac
		[ -f "$_f" ] || continue
		_s=$(grep -a -m 1 '^Subject: ' "$_f" | tr -d '\r')
		_s=${_s#Subject: }
		_end=$(tail -n 1 "$_f" | tr -d '\r')
		if [ "$_end" != "end of $_s" ]; then
			echo "FAIL: $_s arrived cut ($_f ends with '$_end')"
			cut=$((cut + 1))
		fi
		sed -n '/^$/q; s/^RCPT TO:<\([^>]*\)>.*/\1/p' "$_f" |
		    while read -r _r; do echo "$_s $_r $1"; done >> "$tmp/dlv"
		rm -f "$_f"
	done
}

# snapshot WHEN: the queue as "subject rcpt" lines in $tmp/qsnap; counts
# the entries that are not whole: no msg/<id>, a message file whose size
# is not the envelope's, an envelope that does not parse (mailq skips it).
# A few processes for the whole queue, however long it is.
damaged=0
snapshot() {
	$shim -C "$tmp/clean.conf" -bp > "$tmp/mailq" 2>&1
	(cd "$q/env" && ls) > "$tmp/envs"
	(cd "$q/msg" && ls -l) > "$tmp/msgs"
	(cd "$q/msg" && grep -a -m 1 -H '^Subject: ' -- * 2>/dev/null) > "$tmp/subjects"
	(cd "$q/env" && grep -a -H '' -- * 2>/dev/null) > "$tmp/envtext"
	awk -v when="$1" -v out="$tmp/qsnap" '
	    FILENAME == ARGV[1] { env[$1] = 1; next }
	    FILENAME == ARGV[2] { if (NF >= 9) size[$NF] = $5; next }
	    FILENAME == ARGV[3] { i = index($0, ":Subject: "); s = substr($0, i + 10)
	        sub(/\r$/, "", s); subj[substr($0, 1, i - 1)] = s; next }
	    FILENAME == ARGV[4] { i = index($0, ":"); id = substr($0, 1, i - 1)
	        split(substr($0, i + 1), w, " ")
	        if (w[1] == "size") esize[id] = w[2]
	        if (w[1] == "rcpt") rc[id] = rc[id] " " w[2]; next }
	    { for (k = 1; k <= NF; k++) listed[$k] = 1 }
	    END {
	        printf "" > out
	        for (id in env) {
	            if (!(id in size)) { print "FAIL: env/" id " has no msg/" id " (" when ")"; bad++; continue }
	            if (!(id in esize) || !(id in listed)) { print "FAIL: env/" id " does not parse: mailq does not list it (" when ")"; bad++ }
	            else if (esize[id] != size[id]) { print "FAIL: msg/" id " is " size[id] " bytes, its envelope says " esize[id] " (" when ")"; bad++ }
	            n = split(rc[id], r, " ")
	            for (k = 1; k <= n; k++) print subj[id], r[k] > out
	        }
	        print "damaged", bad + 0
	    }' "$tmp/envs" "$tmp/msgs" "$tmp/subjects" "$tmp/envtext" "$tmp/mailq" > "$tmp/snap.out"
	grep -v '^damaged ' "$tmp/snap.out"
	damaged=$((damaged + $(sed -n 's/^damaged //p' "$tmp/snap.out")))
}

# tally PREFIX: over the wanted pairs of messages PREFIX*, the recipients
# never delivered and the extra copies: "lost dups"
tally() {
	awk -v p="$1" 'FILENAME == ARGV[1] { n[$1 " " $2]++; next }
	    index($1, p) == 1 { k = $1 " " $2; if (!(k in n)) lost++; else dups += n[k] - 1 }
	    END { print lost + 0, dups + 0 }' "$tmp/dlv" "$tmp/want"
}
: > "$tmp/want"

# ---- 1. kill -9 of the shim ----------------------------------------------
# The commit is seen independently of what the shim leaves behind: a
# watcher (inotify, stdlib Python) logs every name renamed into env/, so a
# message committed and then lost is not mistaken for one killed before
# its commit.  Only one shim runs at a time: new names belong to it.
start=$(now_ms)
cat > "$tmp/watch.py" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x80) < 0:  # IN_MOVED_TO
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
print("watching", flush=True)
while True:
    buf, i = os.read(fd, 65536), 0
    while i < len(buf):
        _, _, _, n = struct.unpack_from("iIII", buf, i)
        print(buf[i + 16:i + 16 + n].rstrip(b"\0").decode(), flush=True)
        i += 16 + n
PY
mkdir -p "$q/env"
python3 "$tmp/watch.py" "$q/env" > "$tmp/events" 2>&1 &
server_pids="$server_pids $!"
n=0
until grep -q '^watching' "$tmp/events"; do
	n=$((n + 1))
	[ $n -lt 200 ] && kill -0 $! 2>/dev/null || { echo "FAIL: the watcher did not start"; cat "$tmp/events"; exit 1; }
	sleep 0.05
done
# commits: sets $committed to the number of names renamed into env/ since
# the last call (a marker renamed in last makes sure the watcher has
# reported everything before it).  Not in $(...): it keeps its place.
nev=1 nmark=0
commits() {
	nmark=$((nmark + 1))
	: > "$tmp/mark"
	mv "$tmp/mark" "$q/env/.mark$nmark"
	_n=0
	until grep -q "^\.mark$nmark\$" "$tmp/events"; do
		_n=$((_n + 1))
		[ $_n -lt 500 ] || { echo "FAIL: the watcher stopped reporting" >&2; exit 1; }
		sleep 0.02
	done
	rm -f "$q/env/.mark$nmark"
	committed=$(sed -n "$((nev + 1)),\$p" "$tmp/events" | grep -c -v '^\.mark')
	nev=$(wc -l < "$tmp/events")
}
# Calibration: two runs nobody kills (their messages are checked too).
t=0
for k in 1 2; do
	make_msg "crash-cal$k" 26000
	echo "crash-cal$k a@example.org" >> "$tmp/want"
	t0=$(now_ms)
	$shim -C "$tmp/slow.conf" -f app@example.org a@example.org < "$tmp/m" 2> "$tmp/err"
	rc=$?
	t=$((t + $(now_ms) - t0))
	expect "an undisturbed shim run exits 0" 0 "$rc"
done
D=$((t * 11 / 20))
[ "$D" -ge 50 ] || D=50
echo "# a shim run (2 MB, slow sink) takes ~$((t / 2)) ms: kill delays 0..$D ms"

before=0 writing=0 renames=0 queued=0 window=0 after=0 finished=0 refused=0 lostnow=0 winpairs=0 unseen=0
commits
i=0
while [ $i -lt "$NS" ]; do
	i=$((i + 1))
	set -- $(draw "$i")
	# One trial in four aims at the first 30%: the spool write and commit.
	delay=$(awk -v f="$1" -v d="$D" -v i="$i" 'BEGIN { printf "%d", f * d * (i % 4 ? 1 : 0.3) }')
	ntmp=$(ls "$q/tmp" 2>/dev/null | wc -l)
	nmsgf=$(ls "$q/msg" 2>/dev/null | wc -l)
	lines=$(awk -v f="$2" 'BEGIN { printf "%d", 13000 + f * 26000 }')
	r=$(rcpts "$3" "$4")
	s=crash-s$i
	make_msg "$s" "$lines"
	$shim -C "$tmp/slow.conf" -f app@example.org $r < "$tmp/m" > /dev/null 2>&1 &
	cur=$!
	sleep "$(ms "$delay")"
	kill -9 "$cur" 2>/dev/null
	wait "$cur" 2>/dev/null
	rc=$?
	cur=""
	settle
	commits
	index_mail "$s"
	snapshot "$s"
	inq=$(grep -c "^$s " "$tmp/qsnap")
	srv=$(grep -c "^$s " "$tmp/dlv")
	both=$(awk -v s="$s" 'FILENAME == ARGV[1] { if ($1 == s) d[$1 " " $2] = 1; next }
	    ($1 " " $2) in d { n++ } END { print n + 0 }' "$tmp/dlv" "$tmp/qsnap")
	if [ "$rc" != 0 ] && [ "$rc" != 137 ]; then
		echo "# trial $s: the shim exited $rc"
		refused=$((refused + 1))
	fi
	if [ "$committed" = 0 ] && [ $((inq + srv)) -gt 0 ]; then
		echo "FAIL: $s is queued or delivered, but no commit was seen"
		unseen=$((unseen + 1))
	fi
	if [ "$rc" != 0 ] && [ "$committed" = 0 ]; then
		# Killed before the commit: where?
		if [ "$(ls "$q/tmp" | wc -l)" -gt "$ntmp" ]; then
			writing=$((writing + 1))
		elif [ "$(ls "$q/msg" | wc -l)" -gt "$nmsgf" ]; then
			renames=$((renames + 1))
		else
			before=$((before + 1))
		fi
		continue
	fi
	# Acknowledged: every recipient is at the server or still due.
	for a in $r; do
		echo "$s $a" >> "$tmp/want"
		if ! grep -q "^$s $a\( \|\$\)" "$tmp/dlv" "$tmp/qsnap"; then
			echo "FAIL: $s: <$a> neither delivered nor queued after the kill (exit $rc)"
			lostnow=$((lostnow + 1))
		fi
	done
	winpairs=$((winpairs + both))
	if [ "$rc" = 0 ]; then
		finished=$((finished + 1))
	elif [ "$both" -gt 0 ]; then
		window=$((window + 1))
		echo "# $s: delivered, still due to$(grep "^$s " "$tmp/qsnap" | cut -d ' ' -f 2 | tr '\n' ' ' | sed 's/^/ /')"
	elif [ "$srv" = 0 ]; then
		queued=$((queued + 1))
	else
		after=$((after + 1))
	fi
done
echo "# shim kills: $before before the spool, $writing while writing it, $renames between the message and envelope renames,"
echo "#   $queued after the commit and before the 250, $window between the 250 and the envelope update,"
echo "#   $after after the update; $finished finished first"
expect "shim trials: every message at the server or in the queue after its kill" 0 "$lostnow"
expect "shim trials: no damaged queue entry" 0 "$damaged"
expect "shim trials: nothing queued or delivered without a commit" 0 "$unseen"
expect "shim trials: no shim failed by itself" 0 "$refused"
echo "# $(ls "$q/env" | wc -l) messages queued; $(ls "$q/tmp" | wc -l) temporary and $(ls "$q/msg" | wc -l) message files"

$shim -C "$tmp/clean.conf" -q
expect "-q after the shim kills exits 0" 0 $?
settle
index_mail final1
expect "-q after the shim kills empties the queue" 0 "$(ls "$q/env" | wc -l)"
set -- $(tally crash-)
slost=$1 sdups=$2
acked=$(cut -d ' ' -f 1 "$tmp/want" | sort -u | grep -c '^crash-s')
echo "# shim: $NS trials, $acked acknowledged, $slost lost, duplicates: $sdups of $acked"
expect "shim trials: 0 lost" 0 "$slost"
expect "shim trials: duplicates only from kills between the 250 and the envelope update" "$winpairs" "$sdups"

echo "# (shim part: $((($(now_ms) - start) / 1000)) s)"

# ---- 2. kill -9 of the queue runner --------------------------------------
start=$(now_ms)
# Each round queues K messages (mode always), then a run over what is due
# (--queue-run) is killed after a random delay; what a kill left due is
# run again in the next round.  Messages with a deferred recipient wait
# (their retry time is a minute away) for the final clean -q.
nmsg=0
submit_round() {	# submit_round ROUND
	k=0
	while [ $k -lt $K ]; do
		k=$((k + 1))
		nmsg=$((nmsg + 1))
		set -- $(draw $((NS + NR + nmsg)))
		s=crash-r$nmsg
		make_msg "$s" $((500 + nmsg * 37 % 2500))
		r=$(rcpts "$3" "$4")
		if $shim -C "$tmp/always.conf" -f app@example.org $r < "$tmp/m" 2> "$tmp/err"; then
			for a in $r; do echo "$s $a" >> "$tmp/want"; done
		else
			echo "FAIL: $s not queued:"; sed 's/^/    /' "$tmp/err"
			nfail=$((nfail + 1))
		fi
	done
}
due() { cat "$q"/env/* 2>/dev/null | awk -v now="$(date +%s)" '$1 == "next" && $2 <= now { n++ } END { print n + 0 }'; }
submit_round 0
t0=$(now_ms)
$shim -C "$tmp/slow.conf" --queue-run
expect "an undisturbed runner exits 0" 0 $?
per=$((($(now_ms) - t0) / K))
settle
index_mail r0
echo "# the runner takes ~$per ms a message"

rlost=0 multi=0 rwin=0 rwinm=0 kills=0
j=0
while [ $j -lt "$NR" ]; do
	j=$((j + 1))
	submit_round "$j"
	n=$(due)
	set -- $(draw $((NS + j)))
	delay=$(awk -v f="$1" -v d=$((per * n * 11 / 10)) 'BEGIN { printf "%d", f * d }')
	$shim -C "$tmp/slow.conf" --queue-run > /dev/null 2>&1 &
	cur=$!
	sleep "$(ms "$delay")"
	kill -9 "$cur" 2>/dev/null
	wait "$cur" 2>/dev/null
	[ $? = 137 ] && kills=$((kills + 1))
	cur=""
	settle
	index_mail "r$j"
	snapshot "runner round $j"
	# Queued recipients that this round delivered: the kill's window.
	awk -v rd="r$j" 'FILENAME == ARGV[1] { if ($3 == rd) d[$1 " " $2] = 1; next }
	    { q[$1] = q[$1] " " $2 }
	    ($1 " " $2) in d { n++; m[$1] = 1 }
	    END { for (x in m) { k++; print "# run " rd ": " x " delivered, still due to" q[x] }
	        print n + 0, k + 0 }' "$tmp/dlv" "$tmp/qsnap" > "$tmp/w"
	grep '^#' "$tmp/w"
	set -- $(tail -n 1 "$tmp/w")
	wp=$1 wm=$2
	rwin=$((rwin + wp))
	rwinm=$((rwinm + wm))
	[ "$wm" -le 1 ] || { echo "FAIL: round $j: $wm messages delivered and still due"; multi=$((multi + 1)); }
	# Nothing queued may be missing.
	awk 'FILENAME == ARGV[1] { d[$1 " " $2] = 1; next }
	    FILENAME == ARGV[2] { d[$1 " " $2] = 1; next }
	    index($1, "crash-r") == 1 && !(($1 " " $2) in d) { print }' \
	    "$tmp/dlv" "$tmp/qsnap" "$tmp/want" > "$tmp/missing"
	if [ -s "$tmp/missing" ]; then
		echo "FAIL: round $j: neither delivered nor queued:"
		sed 's/^/    /' "$tmp/missing"
		rlost=$((rlost + 1))
	fi
done
echo "# runner: $NR runs, $kills killed mid-run; $rwin recipients delivered and still due after a kill"
expect "runner trials: no damaged queue entry" 0 "$damaged"
expect "runner trials: every recipient delivered or queued after each kill" 0 "$rlost"
expect "runner trials: a kill leaves at most the message in flight delivered and due" 0 "$multi"

$shim -C "$tmp/clean.conf" -q
expect "-q after the runner kills exits 0" 0 $?
settle
index_mail final2
expect "-q after the runner kills empties the queue" 0 "$(ls "$q/env" | wc -l)"
set -- $(tally crash-r)
echo "# runner: $nmsg messages, $1 lost, duplicates: $2 of $nmsg"
expect "runner trials: 0 lost" 0 "$1"
expect "runner trials: duplicates only from kills between the 250 and the envelope update" "$rwin" "$2"
expect "no message arrived cut" 0 "$cut"

echo "# (runner part: $((($(now_ms) - start) / 1000)) s)"
total=$((NS + NR))
dups=$((sdups + $2))
# The rate is reported, not asserted: how often a kill lands between the
# 250 and the envelope update depends on the machine's speed (a sanitizer
# build or a loaded CI host widens that window in time), and with a few
# dozen trials a bound on it fails by chance.  What is asserted above is
# exact: every duplicate comes from a kill in that window.
echo "# duplicates: $dups recipients, from $((window + rwinm)) of $total kills in the window between the 250 and the envelope update"
echo "# left over (swept after a day): $(ls "$q/tmp" | wc -l) temporary, $(ls "$q/msg" | wc -l) message files"

[ "$nfail" -eq 0 ]
