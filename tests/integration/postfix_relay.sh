#!/bin/sh
# The private-Postfix harness (tests/integration/postfix.sh), no milter:
# mail in by plain SMTP, by submission with SASL AUTH and by Postfix's own
# sendmail all reaches the capture server with its envelope intact, a
# wrong password gets 535, and the instance stops without leftovers.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
. "${srcdir:-.}/tests/integration/postfix.sh"
pf_require

postfix_start ""	# no milter
expect "private Postfix started" 0 $?
[ -n "$PF_MASTER_PID" ] || { echo "FAIL: no master pid"; exit 1; }
echo "# smtpd $PF_PORT, submission $PF_SUB_PORT, capture $CAPTURE_PORT, master $PF_MASTER_PID"

# msg SUBJECT: a small message on stdout.
msg() { printf 'From: test@example.org\nSubject: %s\n\nbody of %s\n.leading dot\n' "$1" "$1"; }

msg "via smtp" | pf_send_smtp plain@example.org x1@example.net x2@example.net > "$tmp/out" 2>&1
expect "plain SMTP: accepted" 0 $?
expect_grep "plain SMTP: queued" "^250 2.0.0 Ok: queued as" "$tmp/out"

msg "no auth" | pf_send_auth "" "" anon@example.org y@example.net > "$tmp/out" 2>&1
expect "submission without AUTH: refused" 1 $?
expect_grep "submission without AUTH: 554 at RCPT" "^RCPT 554" "$tmp/out"

msg "via submission" | pf_send_auth alice@example.org "$PF_ALICE_PW" \
    alice@example.org y@example.net > "$tmp/out" 2>&1
expect "submission, alice, good password: accepted" 0 $?

msg "wrong password" | pf_send_auth alice@example.org "$PF_BOB_PW" \
    alice@example.org y@example.net > "$tmp/out" 2>&1
expect "submission, wrong password: refused" 1 $?
expect_grep "submission, wrong password: 535" "^AUTH 535 5.7.8" "$tmp/out"

msg "via submission bob" | pf_send_auth bob@example.org "$PF_BOB_PW" \
    bob@example.org z@example.net > "$tmp/out" 2>&1
expect "submission, bob, good password: accepted" 0 $?

msg "via sendmail" | pf_sendmail local@example.org w@example.net > "$tmp/out" 2>&1
expect "Postfix sendmail (maildrop, pickup): accepted" 0 $?

pf_wait_delivered 4 30
expect "four messages reach the capture server" 0 $?
expect "no more than four" 4 "$(pf_captured)"

# envelope SUBJECT: the envelope lines of the captured message with that
# subject, in $tmp/env (smtpd.py writes them above an empty line).
envelope() {
	f=$(grep -l "^Subject: $1.$" "$CAPTURE_DIR"/msg-* 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then
		sed '/^$/q' "$f" > "$tmp/env"
		sed '1,/^$/d' "$f" > "$tmp/body"
	else
		echo "(no captured message with Subject: $1)" > "$tmp/env"
		: > "$tmp/body"
	fi
}
rcpts() { grep -c '^RCPT TO:' "$tmp/env"; }

envelope "via smtp"
expect_grep "smtp: sender" "^MAIL FROM:<plain@example.org>" "$tmp/env"
expect_grep "smtp: first recipient" "^RCPT TO:<x1@example.net>" "$tmp/env"
expect_grep "smtp: second recipient" "^RCPT TO:<x2@example.net>" "$tmp/env"
expect "smtp: two recipients" 2 "$(rcpts)"
expect_grep "smtp: relayed by the private Postfix" "by postfix.test (Postfix) with ESMTP" "$tmp/body"
expect_grep "smtp: dot-stuffing undone end to end" "^\.leading dot" "$tmp/body"

envelope "via submission"
expect_grep "submission: sender" "^MAIL FROM:<alice@example.org>" "$tmp/env"
expect_grep "submission: recipient" "^RCPT TO:<y@example.net>" "$tmp/env"
expect "submission: one recipient" 1 "$(rcpts)"
expect_grep "submission: received with ESMTPA (AUTH, no TLS)" "with ESMTPA " "$tmp/body"

envelope "via submission bob"
expect_grep "submission bob: sender" "^MAIL FROM:<bob@example.org>" "$tmp/env"
expect_grep "submission bob: recipient" "^RCPT TO:<z@example.net>" "$tmp/env"

envelope "via sendmail"
expect_grep "sendmail: sender" "^MAIL FROM:<local@example.org>" "$tmp/env"
expect_grep "sendmail: recipient" "^RCPT TO:<w@example.net>" "$tmp/env"
expect "sendmail: one recipient" 1 "$(rcpts)"
expect_grep "sendmail: came through pickup, not smtpd" "by postfix.test (Postfix, from userid 0)" "$tmp/body"

expect_grep "maillog: alice authenticated with PLAIN" \
    "sasl_method=PLAIN, sasl_username=alice@example.org" "$PF_MAILLOG"
expect_grep "maillog: the wrong password was a SASL failure" \
    "SASL PLAIN authentication failed" "$PF_MAILLOG"
expect_nogrep "maillog: no fatal or panic" "fatal:\|panic:" "$PF_MAILLOG"

# Stop now (cleanup would too) to check that nothing is left behind.
master=$PF_MASTER_PID
pf_stop
[ -n "$(_pf_live "$master")" ]
expect "stop: master exited" 1 $?
# shellcheck disable=SC2046  # a list of pids
expect "stop: no process left in the instance's session" "" "$(_pf_live $(ps -o pid= --sid "$master"))"
port_in_use "$PF_PORT" || port_in_use "$PF_SUB_PORT"
expect "stop: ports closed" 1 $?

[ "$nfail" -eq 0 ]
