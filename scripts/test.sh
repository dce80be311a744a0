#!/bin/sh
# The whole smtpgate test suite, as CI runs it:
#   1. bootstrap, build with -Werror, make check (Check unit tests, fuzz corpus replays);
#   2. a second build with ASan+UBSan, make check again;
#   3. each libFuzzer target for FUZZ_SECONDS (20 in CI, 30 by hand; set it higher for a long run), when clang has libFuzzer;
#   4. make distcheck;
#   5. the Debian packages: built, checked with lintian, installed in an
#      isolated root and used (tests/install/deb_install.sh);
#   6. scripts/demo.sh, the README's first command.
# Ends with one line "N passed, N failed, N skipped" counting Check cases and
# the other test programs; exits non-zero when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
JOBS=${JOBS:-2}
# CI has a time budget: 20 s a target there, 30 s by hand.
if [ "${CI:-}" = true ]; then FUZZ_SECONDS=${FUZZ_SECONDS:-20}; else FUZZ_SECONDS=${FUZZ_SECONDS:-30}; fi
passed=0 failed=0 skipped=0
log=$top/_build/test-suite-summary.txt
mkdir -p _build
: > "$log"

note() { printf '%s\n' "$*" | tee -a "$log"; }
fail() { failed=$((failed + 1)); note "FAIL: $*"; }
pass() { passed=$((passed + 1)); note "PASS: $*"; }

# count_shell LOG LABEL RESULT: a shell test's log has one "ok:" or
# "FAIL:" line per assertion; RESULT is PASS, SKIP or FAIL, how the
# script itself ended.
count_shell() {
	_lg=$1 _label=$2 _res=$3
	_n=$(grep -cE '^ok: ' "$_lg")
	_f=$(grep -cE '^FAIL: ' "$_lg")
	passed=$((passed + _n)); failed=$((failed + _f))
	note "$_res: $_label ($_n ok, $_f failed)"
	# Say which assertions failed, with the seed or numbers
	# the test printed, so a failure in CI can be read there.
	if [ "$_f" -gt 0 ]; then
		grep -E '^(FAIL: |# seed )' "$_lg" | head -n 20 | sed 's/^/    /' | tee -a "$log"
	fi
	if [ "$_res" != PASS ] && [ "$_f" -eq 0 ]; then
		fail "$_label exited non-zero"
		tail -n 30 "$_lg" 2>/dev/null | sed 's/^/    /'
	fi
}

# Count the results of one build's make check from its logs: a Check
# program's log says "Checks: N, Failures: F, Errors: E"; other programs
# count once by their .trs result.
count_results() {
	dir=$1 label=$2
	for trs in $(find "$dir/tests" -name '*.trs' | sort); do
		lg=${trs%.trs}.log
		name=${trs#"$dir"/}; name=${name%.trs}
		res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$lg" 2>/dev/null | tail -n 1)
		if [ -n "$line" ]; then
			n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
			f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
			e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
			passed=$((passed + n - f - e))
			failed=$((failed + f + e))
			note "$res: $label $name ($n cases, $((f + e)) failed)"
			# A Check program that crashed after its summary still fails.
			if [ "$res" != PASS ] && [ $((f + e)) -eq 0 ]; then
				fail "$label $name exited non-zero"
			fi
		elif grep -qE '^(ok|FAIL): ' "$lg" 2>/dev/null; then
			count_shell "$lg" "$label $name" "$res"
		elif [ "$res" = PASS ]; then
			pass "$label $name"
		elif [ "$res" = SKIP ]; then
			skipped=$((skipped + 1)); note "SKIP: $label $name"
		else
			fail "$label $name"
			tail -n 30 "$lg" 2>/dev/null
		fi
	done
}

build() {
	dir=$1; shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@") > "$dir.configure.log" 2>&1 || {
		cat "$dir.configure.log"; return 1; }
	(cd "$dir" && make -j"$JOBS" V=0) > "$dir.make.log" 2>&1 || {
		tail -n 60 "$dir.make.log"; return 1; }
}

check_build() {
	dir=$1 label=$2; shift 2
	note "== $label build: configure $*"
	if ! build "$dir" "$@"; then
		fail "$label build"
		return
	fi
	failed_before=$failed
	check_rc=0
	(cd "$dir" && make -j"$JOBS" check V=0) > "$dir.check.log" 2>&1 ||
	    check_rc=$?
	count_results "$dir" "$label"
	grep -E '^(FAIL|ERROR|XPASS):' "$dir.check.log" | tee -a "$log"
	# make check that fails before any test runs (a test that does not
	# build) leaves no result to count: it is a failure all the same.
	if [ "$check_rc" -ne 0 ] && [ "$failed" -eq "$failed_before" ]; then
		fail "$label make check exited $check_rc without a failed test"
		tail -n 30 "$dir.check.log" | sed 's/^/    /' | tee -a "$log"
	fi
}

note "== bootstrap"
if ! autoreconf -fi > _build/autoreconf.log 2>&1; then
	cat _build/autoreconf.log
	fail "autoreconf"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 1
fi

check_build _build/werror werror --enable-werror
# The sanitizer build repeats the fault runs with fewer trials: what it
# adds is ASan and UBSan on the same paths, not more statistics.
SMTPGATE_CRASH_SHIM=${SMTPGATE_CRASH_SHIM:-16} SMTPGATE_CRASH_RUNNER=${SMTPGATE_CRASH_RUNNER:-8} \
    check_build _build/sanitizers sanitizers --enable-werror --enable-sanitizers

# Coverage-guided fuzzing for a bounded time per target.
fuzz_ok=no
if command -v clang >/dev/null 2>&1; then
	note "== fuzz build (clang, libFuzzer)"
	if build _build/fuzz CC=clang --enable-fuzzers; then
		fuzz_ok=yes
	else
		fail "fuzz build"
	fi
fi
targets=$(cd _build/werror 2>/dev/null && make -s fuzz-list)
for t in $targets; do
	if [ "$fuzz_ok" != yes ]; then
		skipped=$((skipped + 1)); note "SKIP: fuzz $t (no clang with libFuzzer)"
		continue
	fi
	corpus=_build/fuzz/corpus-$t
	rm -rf "$corpus"; mkdir -p "$corpus"
	cp tests/fuzz/corpus/"$t"/* "$corpus"/
	if (cd _build/fuzz && ./tests/fuzz/fuzz_"$t" -max_total_time="$FUZZ_SECONDS" \
	    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=crash-"$t"- "corpus-$t") > _build/fuzz-"$t".log 2>&1; then
		pass "fuzz $t ($(grep -o 'stat::number_of_executed_units: *[0-9]*' _build/fuzz-"$t".log | grep -o '[0-9]*$') runs in ${FUZZ_SECONDS}s)"
	else
		tail -n 40 _build/fuzz-"$t".log
		fail "fuzz $t (see _build/fuzz-$t.log and _build/fuzz/crash-$t-*)"
	fi
done

note "== make distcheck"
# The long integration tests (a private Postfix, the queue's fault runs)
# already ran in both builds above: the tarball's own check skips them.
if (cd _build/werror && make -j"$JOBS" distcheck V=0 SMTPGATE_DISTCHECK=1) > _build/distcheck.log 2>&1; then
	pass "make distcheck"
else
	tail -n 60 _build/distcheck.log
	fail "make distcheck"
fi

note "== the Debian packages: build, lintian, install in an isolated root"
# dpkg-buildpackage on a clean copy of the tree, then apt-get install in
# private mount namespaces with overlays: the machine's own Postfix, which
# the tests above use, stays as it is.
tests/install/deb_install.sh < /dev/null > _build/deb_install.log 2>&1
case $? in
0) res=PASS ;;
77) res=SKIP ;;
*) res=FAIL ;;
esac
if [ "$res" = SKIP ]; then
	skipped=$((skipped + 1))
	note "SKIP: tests/install/deb_install.sh ($(grep -m1 '^SKIP' _build/deb_install.log))"
else
	count_shell _build/deb_install.log tests/install/deb_install.sh "$res"
fi
grep -E '^# (package build|smtpgate.* install test|lintian):' _build/deb_install.log | tee -a "$log"

note "== the README's first command: scripts/demo.sh"
# It must exit 0 and show the message as the server got it, redirected.
if scripts/demo.sh < /dev/null > _build/demo.log 2>&1 &&
    grep -q '^X-Original-To: customer@example.com' _build/demo.log &&
    grep -q '^RCPT TO:<qa@example.org>' _build/demo.log; then
	pass "scripts/demo.sh sends its message"
else
	tail -n 30 _build/demo.log
	fail "scripts/demo.sh"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
