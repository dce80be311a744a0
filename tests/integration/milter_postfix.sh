#!/bin/sh
# smtpgate-milter inside a real Postfix (tests/integration/postfix.sh): the
# milter on inet:127.0.0.1:PORT in smtpd_milters and non_smtpd_milters of
# a private Postfix that relays to the capture server.  Each policy is
# checked on what the capture server received (envelope and header) and on
# the SMTP replies: from_must_match_login reject and rewrite, Reply-To,
# redirect with adversarial recipients, exclude, bulk_copies = first,
# [rule NAME] recipients and [message] from on a message without From, the
# sendmail (non_smtpd) path, SIGHUP reload good and bad, fail-safe when the
# milter is killed, malformed messages, and a load run with the milter's
# memory flat.
#
# The policy of each case is loaded into the running milter by SIGHUP,
# so reload is exercised all along.  SMTPGATE_LONG=1 runs the load case
# with 2000 messages over 20 connections (300 over 10 otherwise).
#
# Postfix's MAIL macros here leave {auth_authen} out: the milter asks for
# it itself (smfi_setsymlist), and the login cases below depend on it.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
skip_in_distcheck
PF_MAIL_MACROS='i {mail_addr}'
# Clients on 127.0.0.1 are the remote clients of a real site: Postfix adds
# no missing From (or Date, Message-ID) to their mail, which is what lets
# the [message] from case see the milter add it.
PF_MAIN_EXTRA='local_header_rewrite_clients ='
. "${srcdir:-.}/tests/integration/postfix.sh"
pf_require
command -v smtp-source >/dev/null 2>&1 || { echo "SKIP: smtp-source missing"; exit 77; }
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }

milter=./milter/smtpgate-milter
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
MPORT=$(pick_port 43)
MCONF="$tmp/milter.conf"
MLOG="$tmp/milter.log"
MPID=""
t0=$(date +%s)

# ---- helpers ------------------------------------------------------------

# The part of every configuration the cases share; $1 is appended.
write_conf() {
	cat > "$MCONF.new" <<EOF
[general]
hostname = gate.test
domain = example.org

[relay main]
host = 127.0.0.1
port = 25
tls = none
username = noreply@example.org

[account bob@example.org]
username = bob@example.org
senders = bob@example.org, sales@example.org

[milter]
user = nobody
pid_file = $tmp/milter.pid

$1
EOF
	# The milter reads it again as nobody on SIGHUP.
	chmod 644 "$MCONF.new" && mv "$MCONF.new" "$MCONF"
}

# wait_log PATTERN COUNT [FILE]: until PATTERN is on COUNT lines of the
# milter's log (10 s at most).
wait_log() {
	_i=0
	while [ "$(grep -c -- "$1" "${3:-$MLOG}")" -lt "$2" ]; do
		[ $_i -lt 100 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# use_conf TEXT: the running milter loads this policy (SIGHUP) and says so.
use_conf() {
	write_conf "$1"
	reload_milter
	if ! tail -n 1 "$tmp/reload" | grep -q "reloaded $MCONF"; then
		echo "FAIL: the milter did not reload $MCONF:"
		sed 's/^/    /' "$MLOG"
		nfail=$((nfail + 1))
	fi
}

# reload_milter: SIGHUP, and wait for the milter's verdict on the file;
# its log lines about the reload are in $tmp/reload.
reload_milter() {
	_n=$(grep -c "reloaded $MCONF\|reload of $MCONF" "$MLOG")
	_l=$(wc -l < "$MLOG")
	kill -HUP "$MPID"
	wait_log "reloaded $MCONF\|reload of $MCONF" $((_n + 1))
	sed "1,${_l}d" "$MLOG" > "$tmp/reload"
}

# start_milter LOGFILE [new]: start it on $MPORT, trying again when the
# port is taken in the meantime (other tests run too); with "new", on
# another port, before Postfix knows it.
start_milter() {
	_try=0
	while [ $_try -lt 10 ]; do
		_try=$((_try + 1))
		if start_server "$MPORT" "$1" "$milter" -c "$MCONF" -f \
		    -p "inet:$MPORT@127.0.0.1" > "$tmp/start.out"; then
			MPID=$_spid
			return 0
		fi
		if [ "${2:-}" = new ]; then
			MPORT=$(pick_port $((43 + _try * 7)))
		else
			sleep 0.5
		fi
	done
	cat "$tmp/start.out"
	return 1
}

milter_alive() {	# the milter process still runs (and is not a zombie)
	[ -n "$(_pf_live "$MPID")" ]
}

# send KIND ARGS... < message: pf_send_KIND, reply in $tmp/out; returns
# the client's status (0 accepted, 1 5xx, 2 4xx, 3 no connection).
send() {
	_k=$1
	shift
	"pf_send_$_k" "$@" > "$tmp/out" 2>&1
}

# captured TAG: the newest captured message whose Subject holds TAG, or "".
captured() {
	grep -l -a -- "^Subject:.*$1" "$CAPTURE_DIR"/msg-* 2>/dev/null | tail -n 1
}

# wait_tag TAG [SECONDS]: wait (flushing the queue) for the message with
# TAG, then split it: envelope in $tmp/env, header block in $tmp/hdr,
# body in $tmp/body.  Returns 1 if it never came.
wait_tag() {
	_end=$(($(date +%s) + ${2:-20})) _f=""
	while :; do
		_f=$(captured "$1")
		[ -z "$_f" ] || break
		if [ "$(date +%s)" -ge "$_end" ]; then
			echo "(no captured message with $1)" > "$tmp/env"
			: > "$tmp/hdr"
			: > "$tmp/body"
			return 1
		fi
		pf_flush
		sleep 0.2
	done
	sed '/^$/q' "$_f" | tr -d '\r' > "$tmp/env"
	sed '1,/^$/d' "$_f" | tr -d '\r' > "$tmp/data"
	sed '/^$/q' "$tmp/data" > "$tmp/hdr"
	sed '1,/^$/d' "$tmp/data" > "$tmp/body"
}

# delivered NAME TAG: the message with TAG reached the capture server.
delivered() {
	if wait_tag "$2" "${3:-20}"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: nothing with $2 at the capture server"
		pf_queue | sed 's/^/    /'
		pf_maillog 15
		nfail=$((nfail + 1))
	fi
}

# never_captured NAME TAG: no captured message has TAG anywhere.
never_captured() {
	if grep -l -a -q -- "$2" "$CAPTURE_DIR"/msg-* 2>/dev/null; then
		echo "FAIL: $1: a message with $2 was delivered:"
		grep -l -a -- "$2" "$CAPTURE_DIR"/msg-* | sed 's/^/    /'
		nfail=$((nfail + 1))
	else
		echo "ok: $1"
	fi
}

# expect_count NAME WANT PATTERN FILE: PATTERN is on exactly WANT lines.
expect_count() {
	_got=$(grep -c -a -- "$3" "$4")
	if [ "$_got" = "$2" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$3' on $_got lines, expected $2:"
		sed 's/^/    /' "$4"
		nfail=$((nfail + 1))
	fi
}

# rcpts_only NAME ADDR...: the envelope has exactly these recipients.
rcpts_only() {
	_name=$1
	shift
	# smtpd.py logs the whole command: drop ESMTP parameters (ORCPT).
	grep '^RCPT TO:' "$tmp/env" | sed 's/> .*/>/' | sort > "$tmp/rc.got"
	for _a in "$@"; do echo "RCPT TO:<$_a>"; done | sort > "$tmp/rc.want"
	if cmp -s "$tmp/rc.got" "$tmp/rc.want"; then
		echo "ok: $_name"
	else
		echo "FAIL: $_name: recipients differ (got, then wanted):"
		sed 's/^/    /' "$tmp/rc.got"
		echo "    --"
		sed 's/^/    /' "$tmp/rc.want"
		nfail=$((nfail + 1))
	fi
}

# Quiet queue: nothing of ours waits in Postfix.
expect_queue_empty() {
	pf_queue > "$tmp/q"
	if grep -q '^[0-9A-F]' "$tmp/q"; then
		echo "FAIL: $1: Postfix still holds mail:"
		sed 's/^/    /' "$tmp/q"
		nfail=$((nfail + 1))
	else
		echo "ok: $1"
	fi
}

# ---- start ----------------------------------------------------------------

write_conf ""
chmod 711 "$tmp"	# nobody must reach $MCONF
start_milter "$MLOG" new
expect "milter started, listening on inet:127.0.0.1:$MPORT" 0 $?
[ -n "$(_pf_live "$MPID")" ] || exit 1
expect "the milter runs as nobody after binding" nobody \
    "$(ps -o user= -p "$MPID" | tr -d ' ')"
postfix_start "inet:127.0.0.1:$MPORT"
expect "private Postfix started with the milter" 0 $?
[ -n "$PF_MASTER_PID" ] || { echo "FAIL: no master pid"; exit 1; }
echo "# smtpd $PF_PORT, submission $PF_SUB_PORT, capture $CAPTURE_PORT, milter $MPORT (pid $MPID), master $PF_MASTER_PID"

# ---- 1. from_must_match_login = reject ------------------------------------

use_conf "[message]
from_must_match_login = reject"

printf 'From: alice@example.org\nTo: x@example.net\nSubject: T1a envelope mismatch\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" eve@example.org x@example.net
expect "reject: alice with MAIL FROM eve is refused" 1 $?
expect_grep "reject: 550 5.7.1 naming sender and login" \
    "^550 5.7.1 <eve@example.org>: sender does not match login <alice@example.org>" "$tmp/out"

printf 'From: "Eve" <eve@example.org>\nTo: x@example.net\nSubject: T1b header mismatch\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" alice@example.org x@example.net
expect "reject: header From eve under alice's login is refused" 1 $?
expect_grep "reject: 550 5.7.1 names the From address and the login" \
    "^550 5.7.1 <eve@example.org>: From does not match login <alice@example.org>" "$tmp/out"

printf 'From: alice@example.org\nSender: eve@example.org\nTo: x@example.net\nSubject: T1c sender header\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" alice@example.org x@example.net
expect "reject: a Sender header of someone else is refused" 1 $?
expect_grep "reject: 550 5.7.1 for the Sender header" \
    "^550 5.7.1 <eve@example.org>: Sender does not match login" "$tmp/out"

printf 'From: "Alice" <alice@example.org>\nTo: x@example.net\nSubject: T1d alice as herself\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" alice@example.org x@example.net
expect "reject: alice sending as herself is accepted" 0 $?
delivered "reject: alice's own message is delivered" "T1d alice as herself"
expect_grep "reject: envelope sender unchanged" "^MAIL FROM:<alice@example.org>" "$tmp/env"
expect_grep "reject: From unchanged" '^From: "Alice" <alice@example.org>$' "$tmp/hdr"
rcpts_only "reject: recipient unchanged" x@example.net

printf 'From: Sales <sales@example.org>\nTo: x@example.net\nSubject: T1e bob as sales\n\nbody\n' |
    send auth bob@example.org "$PF_BOB_PW" sales@example.org x@example.net
expect "reject: bob may send as sales@ (his account's senders)" 0 $?
delivered "reject: bob's sales@ message is delivered" "T1e bob as sales"
expect_grep "reject: bob's envelope sender stays sales@" "^MAIL FROM:<sales@example.org>" "$tmp/env"

printf 'From: Sales <SALES@EXAMPLE.ORG>\nTo: x@example.net\nSubject: T1f bob as SALES\n\nbody\n' |
    send auth bob@example.org "$PF_BOB_PW" sales@Example.Org x@example.net
expect "reject: senders match with any case of the domain" 0 $?

printf 'From: Sales <sales@example.org>\nTo: x@example.net\nSubject: T1g alice as sales\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" sales@example.org x@example.net
expect "reject: alice may not send as sales@ (bob's account)" 1 $?
expect_grep "reject: alice as sales@: 550 5.7.1" \
    "^550 5.7.1 <sales@example.org>: sender does not match login <alice@example.org>" "$tmp/out"

printf 'From: alice@example.org\nTo: x@example.net\nSubject: T1h bob as alice\n\nbody\n' |
    send auth bob@example.org "$PF_BOB_PW" alice@example.org x@example.net
expect "reject: bob may not send as alice" 1 $?
expect_grep "reject: bob as alice: 550 names bob's login" \
    "^550 5.7.1 <alice@example.org>: sender does not match login <bob@example.org>" "$tmp/out"

never_captured "reject: no refused message reached the capture server" "T1[abcgh] "
expect_queue_empty "reject: nothing refused waits in the queue"

# ---- 2. from_must_match_login = rewrite -----------------------------------

use_conf "[message]
from_must_match_login = rewrite"

printf 'From: "Eve Example" <eve@example.org>\nTo: x@example.net\nSubject: T2a rewrite\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" eve@example.org x@example.net
expect "rewrite: eve under alice's login is accepted" 0 $?
delivered "rewrite: delivered" "T2a rewrite"
expect_grep "rewrite: envelope sender becomes the login" "^MAIL FROM:<alice@example.org>" "$tmp/env"
expect_grep "rewrite: From becomes the login, display name kept" \
    '^From: "\{0,1\}Eve Example"\{0,1\} <alice@example.org>$' "$tmp/hdr"
expect_count "rewrite: one From" 1 "^From:" "$tmp/hdr"
expect_grep "rewrite: Reply-To gets the original From" \
    '^Reply-To: "Eve Example" <eve@example.org>$' "$tmp/hdr"
expect_count "rewrite: one Reply-To" 1 "^Reply-To:" "$tmp/hdr"
expect_grep "rewrite: X-Original-From records the original From" \
    '^X-Original-From: "Eve Example" <eve@example.org>$' "$tmp/hdr"
rcpts_only "rewrite: recipient unchanged" x@example.net

printf 'From: Eve <eve@example.org>\nReply-To: <answers@example.net>\nTo: x@example.net\nSubject: T2b rewrite own reply-to\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" eve@example.org x@example.net
expect "rewrite: a message with its own Reply-To is accepted" 0 $?
delivered "rewrite: own Reply-To: delivered" "T2b rewrite own reply-to"
expect_grep "rewrite: own Reply-To kept" '^Reply-To: <answers@example.net>$' "$tmp/hdr"
expect_count "rewrite: still one Reply-To" 1 "^Reply-To:" "$tmp/hdr"
expect_grep "rewrite: From rewritten" '^From: Eve <alice@example.org>$' "$tmp/hdr"
expect_grep "rewrite: X-Original-From added" '^X-Original-From: Eve <eve@example.org>$' "$tmp/hdr"

printf 'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <eve@example.org>\nTo: x@example.net\nSubject: T2c rewrite encoded name\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" alice@example.org x@example.net
expect "rewrite: header-only mismatch with an encoded display name is accepted" 0 $?
delivered "rewrite: encoded name: delivered" "T2c rewrite encoded name"
expect_grep "rewrite: encoded display name kept on the login" \
    '^From: =?UTF-8?[QqBb]?.*?= <alice@example.org>$' "$tmp/hdr"
expect_grep "rewrite: Reply-To keeps the encoded name" \
    '^Reply-To: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <eve@example.org>$' "$tmp/hdr"

printf 'From: alice@example.org\nTo: x@example.net\nSubject: T2d rewrite nothing to do\n\nbody\n' |
    send auth alice@example.org "$PF_ALICE_PW" alice@example.org x@example.net
delivered "rewrite: a matching message is delivered" "T2d rewrite nothing to do"
expect_nogrep "rewrite: a matching message gets no X-Original-From" "^X-Original-From:" "$tmp/hdr"
expect_nogrep "rewrite: a matching message gets no Reply-To" "^Reply-To:" "$tmp/hdr"

# ---- 3. reply_to ------------------------------------------------------------

use_conf '[message]
reply_to = "Help desk" <help@example.org>
reply_to_mode = if-missing'

printf 'From: app@example.org\nTo: x@example.net\nSubject: T3a if-missing none\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "reply_to if-missing: accepted" 0 $?
delivered "reply_to if-missing: delivered" "T3a if-missing none"
expect_grep "reply_to if-missing: added when missing" '^Reply-To: "Help desk" <help@example.org>$' "$tmp/hdr"
expect_count "reply_to if-missing: exactly one Reply-To" 1 "^Reply-To:" "$tmp/hdr"

printf 'From: app@example.org\nReply-To: own@example.net\nTo: x@example.net\nSubject: T3b if-missing own\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "reply_to if-missing, own Reply-To: delivered" "T3b if-missing own"
expect_grep "reply_to if-missing: the message's own Reply-To kept" '^Reply-To: own@example.net$' "$tmp/hdr"
expect_count "reply_to if-missing: still exactly one Reply-To" 1 "^Reply-To:" "$tmp/hdr"

printf 'From: app@example.org\nReply-To: one@example.net\nReply-To: two@example.net\nTo: x@example.net\nSubject: T3c if-missing two\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "reply_to if-missing, two Reply-To: delivered" "T3c if-missing two"
expect_count "reply_to if-missing: two Reply-To become one" 1 "^Reply-To:" "$tmp/hdr"
expect_grep "reply_to if-missing: the first one stays" '^Reply-To: one@example.net$' "$tmp/hdr"

use_conf '[message]
reply_to = "Help desk" <help@example.org>
reply_to_mode = always'

printf 'From: app@example.org\nReply-To: own@example.net\nTo: x@example.net\nSubject: T3d always own\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "reply_to always: delivered" "T3d always own"
expect_grep "reply_to always: replaced" '^Reply-To: "Help desk" <help@example.org>$' "$tmp/hdr"
expect_count "reply_to always: exactly one Reply-To" 1 "^Reply-To:" "$tmp/hdr"

printf 'From: app@example.org\nReply-To: one@example.net\nTo: x@example.net\nReply-To: two@example.net\nSubject: T3e always two\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "reply_to always, two Reply-To: delivered" "T3e always two"
expect_grep "reply_to always: two become the configured one" '^Reply-To: "Help desk" <help@example.org>$' "$tmp/hdr"
expect_count "reply_to always: exactly one Reply-To of two" 1 "^Reply-To:" "$tmp/hdr"

printf 'From: app@example.org\nTo: x@example.net\nSubject: T3f always none\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "reply_to always, none: delivered" "T3f always none"
expect_count "reply_to always: added when missing, once" 1 '^Reply-To: "Help desk" <help@example.org>$' "$tmp/hdr"

use_conf '[message]
from_must_match_login = rewrite
reply_to = "Help desk" <help@example.org>
reply_to_mode = always'
printf 'From: Eve <eve@example.org>\nTo: x@example.net\nSubject: T3g rewrite and always\n\nbody\n' |
    send smtp eve@example.org x@example.net
delivered "reply_to always with rewrite: delivered" "T3g rewrite and always"
expect_grep "reply_to always with rewrite: From is the relay login" '^From: Eve <noreply@example.org>$' "$tmp/hdr"
expect_grep "reply_to always with rewrite: the configured Reply-To wins" '^Reply-To: "Help desk" <help@example.org>$' "$tmp/hdr"
expect_count "reply_to always with rewrite: exactly one Reply-To" 1 "^Reply-To:" "$tmp/hdr"
expect_grep "reply_to always with rewrite: X-Original-From" '^X-Original-From: Eve <eve@example.org>$' "$tmp/hdr"

# ---- 4. redirect ------------------------------------------------------------

redirect_conf='[redirect]
enabled = yes
subject_prefix = [TEST]
keep = @keep.example, boss@example.net

[report qa@example.org]

[report qa2@example.org]
enabled = yes

[report off@example.org]
enabled = no'
use_conf "$redirect_conf"

printf 'From: app@example.org\nTo: VICTIM@EXAMPLE.NET, user@keep.example\nCc: "a@b"@keep.example\nSubject: T4a redirect\n\nbody\n' |
    send smtp app@example.org VICTIM@EXAMPLE.NET '"a@b"@keep.example' \
    'a%victim.example@keep.example' 'victim!keep.example@keep.example' \
    hidden@example.net user@keep.example k2@KEEP.EXAMPLE Boss@example.net \
    qa@example.org off@example.org '"victim"@example.net' '"v ictim"@example.net' \
    localuser postmaster '<@relay.example:victim3@keep.example>' \
    '<@keep.example,@b.example:victim4@example.net>'
expect "redirect: accepted" 0 $?
delivered "redirect: delivered" "T4a redirect"
rcpts_only "redirect: only keep and the enabled reports (each once) remain" \
    qa@example.org qa2@example.org user@keep.example k2@KEEP.EXAMPLE Boss@example.net
expect_count "redirect: one X-Original-To per original recipient" 16 "^X-Original-To:" "$tmp/hdr"
for a in VICTIM@EXAMPLE.NET '"a@b"@keep.example' 'a%victim.example@keep.example' \
    'victim!keep.example@keep.example' hidden@example.net user@keep.example \
    k2@KEEP.EXAMPLE Boss@example.net qa@example.org off@example.org \
    victim@example.net '"v ictim"@example.net' localuser postmaster \
    victim3@keep.example victim4@example.net; do
	expect_count "redirect: X-Original-To: $a" 1 "^X-Original-To: $a\$" "$tmp/hdr"
done
expect_grep "redirect: subject prefixed" '^Subject: \[TEST\] T4a redirect$' "$tmp/hdr"
expect_nogrep "redirect: the switched-off report address gets nothing" "^RCPT TO:<off@" "$tmp/env"

printf 'From: app@example.org\nTo: x@example.net\nSubject: Re: [TEST] T4b reply\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "redirect: reply delivered" "T4b reply"
expect_grep "redirect: prefix not doubled on a reply" '^Subject: Re: \[TEST\] T4b reply$' "$tmp/hdr"
rcpts_only "redirect: reply goes to the reports" qa@example.org qa2@example.org

u8=$(printf 'j\303\274rgen@b\303\274ro.example')
printf 'From: app@example.org\nTo: %s\nSubject: T4d utf8\n\nbody\n' "$u8" |
    send smtp app@example.org "$u8" user@keep.example
st=$?
if grep -q "SMTPUTF8\|5.6.7\|not.*support" "$tmp/out" && [ $st -ne 0 ]; then
	echo "# skip: Postfix refused the SMTPUTF8 recipient: $(cat "$tmp/out")"
else
	expect "redirect: UTF-8 recipient with SMTPUTF8 accepted" 0 $st
	delivered "redirect: UTF-8 message delivered" "T4d utf8"
	rcpts_only "redirect: UTF-8 recipient redirected" qa@example.org qa2@example.org user@keep.example
	expect_count "redirect: UTF-8 recipient recorded" 1 "^X-Original-To: $u8\$" "$tmp/hdr"
fi

printf 'From: app@example.org\nTo: user@keep.example\nBcc: secret@example.net\nSubject: T4e bcc\n\nbody\n' |
    send smtp app@example.org user@keep.example secret@example.net bcc2@example.net
delivered "redirect: Bcc-only recipients: delivered" "T4e bcc"
rcpts_only "redirect: Bcc-only recipients redirected, To kept" \
    qa@example.org qa2@example.org user@keep.example
expect_count "redirect: Bcc-only recipients recorded" 1 "^X-Original-To: bcc2@example.net\$" "$tmp/hdr"

printf 'From: app@example.org\nTo: a@keep.example\nSubject: T4f all kept\n\nbody\n' |
    send smtp app@example.org a@keep.example B@keep.example
delivered "redirect: all kept: delivered" "T4f all kept"
rcpts_only "redirect: all kept: no report added" a@keep.example B@keep.example
expect_count "redirect: all kept: still recorded" 2 "^X-Original-To:" "$tmp/hdr"

printf 'From: app@example.org\nTo: x@example.net\nSubject: T4h folded\n\tsecond line\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "redirect: folded Subject: delivered" "T4h folded"
# Postfix gives the milter the value unfolded or folded: compare unfolded.
sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]/ /g' "$tmp/hdr" > "$tmp/hdr.unf"
expect_grep "redirect: folded Subject prefixed once, second line kept" \
    '^Subject: \[TEST\] T4h folded[[:space:]]\{1,\}second line$' "$tmp/hdr.unf"

never_captured "redirect: the switched-off report address never gets mail" "RCPT TO:<off@example.org>"
# Over every redirected message: no envelope recipient but the reports
# and plain addresses under keep.
for f in $(grep -l -a '^Subject:.*T4' "$CAPTURE_DIR"/msg-*); do
	sed '/^$/q' "$f" | grep '^RCPT TO:' | sed 's/> .*/>/'
done | grep -v -i -e '^RCPT TO:<qa2\{0,1\}@example.org>$' \
    -e '^RCPT TO:<[a-z0-9]*@keep.example>$' -e '^RCPT TO:<boss@example.net>$' > "$tmp/leaks"
expect_count "redirect: no recipient outside keep and the reports in any message" 0 . "$tmp/leaks"

use_conf '[redirect]
enabled = yes
[report qa@example.org]
enabled = no'
printf 'From: app@example.org\nTo: x@example.net\nSubject: T4g no report\n\nbody\n' |
    send smtp app@example.org x@example.net user@keep.example
expect "redirect without an enabled report: temporary failure" 2 $?
expect_grep "redirect without an enabled report: 451 4.7.1" "^451 4.7.1 redirect is on but no report" "$tmp/out"
never_captured "redirect without an enabled report: nothing delivered" "T4g no report"

# ---- 5. exclude ---------------------------------------------------------------

use_conf '[message]
exclude = robot@example.org, Spam@BlackHole.Example'

printf 'From: app@example.org\nTo: x@example.net\nSubject: T5a exclude\n\nbody\n' |
    send smtp app@example.org robot@example.org x@example.net spam@blackhole.example
expect "exclude: accepted" 0 $?
delivered "exclude: delivered" "T5a exclude"
rcpts_only "exclude: excluded recipients dropped" x@example.net

printf 'From: app@example.org\nTo: robot@example.org\nSubject: T5b only excluded\n\nbody\n' |
    send smtp app@example.org robot@EXAMPLE.ORG SPAM@blackhole.EXAMPLE
expect "exclude: a message left with no recipient is accepted (then dropped)" 0 $?
qid=$(sed -n 's/^250 .*queued as \([0-9A-F]*\).*/\1/p' "$tmp/out")
wait_log "status=discard" 1
expect "exclude: the milter logs the discard" 0 $?
expect_grep "exclude: the milter says why" "status=discard.*no-recipients-left" "$MLOG"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T5c sentinel\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "exclude: the next message is delivered" "T5c sentinel"
never_captured "exclude: the discarded message reached nobody" "T5b only excluded"
expect_grep "exclude: Postfix discarded it (maillog)" "${qid:-NOQID}: milter-discard" "$PF_MAILLOG"

# ---- 5b. bulk_copies = first --------------------------------------------------
# One batch, two messages: the second loses the Cc recipient, keeps its
# Cc header; the table is shared by smtpd and the sendmail path, survives
# a reload, and another batch gets its own copy.

bulk_conf='[message]
bulk_copies = first'
use_conf "$bulk_conf"
bulk_msg() {	# bulk_msg STUDENT BATCH TAG
	printf 'From: app@school.example\nTo: %s\nCc: Trainer <trainer@example.org>\nX-Batch-ID: %s\nSubject: %s\n\nbody\n' "$1" "$2" "$3"
}
bulk_msg s1@example.net course-1 "T5d bulk first" |
    send smtp app@school.example s1@example.net trainer@example.org
expect "bulk: the first message of the batch is accepted" 0 $?
delivered "bulk: the first message is delivered" "T5d bulk first"
rcpts_only "bulk: the first message keeps its Cc recipient" s1@example.net trainer@example.org
bulk_msg s2@example.net course-1 "T5e bulk second" |
    send smtp app@school.example s2@example.net trainer@example.org envonly@example.net
expect "bulk: the second message is accepted" 0 $?
delivered "bulk: the second message is delivered" "T5e bulk second"
rcpts_only "bulk: the second loses the Cc recipient, not the envelope-only one" \
    s2@example.net envonly@example.net
expect_grep "bulk: its Cc header stays as written" '^Cc: Trainer <trainer@example.org>$' "$tmp/hdr"
expect_grep "bulk: the milter logs the dropped copy" "bulk_copies_dropped=1" "$MLOG"
use_conf "$bulk_conf"
bulk_msg s3@example.net course-1 "T5f bulk sendmail" |
    pf_sendmail app@school.example s3@example.net trainer@example.org > "$tmp/out" 2>&1
expect "bulk: the third, through Postfix's sendmail after a reload, is accepted" 0 $?
delivered "bulk: the third is delivered" "T5f bulk sendmail"
rcpts_only "bulk: the batch is remembered across a reload and the non_smtpd path" s3@example.net
bulk_msg s4@example.net course-2 "T5g bulk other batch" |
    send smtp app@school.example s4@example.net trainer@example.org
delivered "bulk: another batch is delivered" "T5g bulk other batch"
rcpts_only "bulk: another batch gets its own first copy" s4@example.net trainer@example.org

# ---- 5c. [rule NAME] and [message] from (issue #13) ---------------------------

rules_conf='[message]
from = "Front Desk" <desk@example.org>

[rule class]
when_header = X-Mail-Context: class
add_cc = teacher@example.net
add_bcc = archive@example.net

[rule sales]
when_sender = sales@example.org
add_bcc = books@example.net'
use_conf "$rules_conf"

printf 'From: app@example.org\nTo: x@example.net\nx-mail-context: class\nSubject: T5r1 rule header\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "rule: a message matching when_header is accepted" 0 $?
delivered "rule: delivered" "T5r1 rule header"
rcpts_only "rule: add_cc and add_bcc added at the MTA (smfi_addrcpt)" \
    x@example.net teacher@example.net archive@example.net
expect_grep "rule: the added Cc is in the Cc header" '^Cc: teacher@example.net$' "$tmp/hdr"
expect_nogrep "rule: the added Bcc is not in the header" "archive" "$tmp/hdr"
expect_grep "rule: the milter logs the rule" "actions=.*rule=class(cc=1,bcc=1)" "$MLOG"

printf 'From: Sales <sales@example.org>\nTo: x@example.net\nCc: y@example.net\nSubject: T5r2 rule sender\n\nbody\n' |
    send auth bob@example.org "$PF_BOB_PW" sales@example.org x@example.net y@example.net
expect "rule: a message matching when_sender is accepted" 0 $?
delivered "rule: when_sender: delivered" "T5r2 rule sender"
rcpts_only "rule: when_sender adds its Bcc only" x@example.net y@example.net books@example.net
expect_grep "rule: the Cc header is as it was" '^Cc: y@example.net$' "$tmp/hdr"
expect_nogrep "rule: no Bcc in the header" "books" "$tmp/hdr"

printf 'From: app@example.org\nTo: x@example.net\nX-Mail-Context: classes\nSubject: T5r3 rule no match\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "rule: a message matching no rule is delivered" "T5r3 rule no match"
rcpts_only "rule: no rule, no recipient added" x@example.net

use_conf "$rules_conf
$redirect_conf"
printf 'From: app@example.org\nTo: x@example.net\nX-Mail-Context: class\nSubject: T5r4 rule redirect\n\nbody\n' |
    send smtp app@example.org x@example.net
delivered "rule and redirect: delivered" "T5r4 rule redirect"
rcpts_only "rule and redirect: the added recipients are redirected too" \
    qa@example.org qa2@example.org
expect_grep "rule and redirect: the added Cc is recorded" '^X-Original-To: teacher@example.net$' "$tmp/hdr"
expect_grep "rule and redirect: the added Bcc is recorded" '^X-Original-To: archive@example.net$' "$tmp/hdr"

# A message without From gets [message] from (smtpgate.conf(5)).  Postfix
# adds none itself for a remote client (see PF_MAIN_EXTRA above).
use_conf "$rules_conf"
printf 'To: x@example.net\nSubject: T5r5 no from\n\nbody\n' |
    send auth bob@example.org "$PF_BOB_PW" bob@example.org x@example.net
expect "[message] from: a message without From is accepted" 0 $?
delivered "[message] from: delivered" "T5r5 no from"
expect_grep "[message] from: the From is added" '^From: "Front Desk" <desk@example.org>$' "$tmp/hdr"
expect_count "[message] from: exactly one From" 1 "^From:" "$tmp/hdr"

# ---- 6. the non_smtpd path: Postfix's sendmail ------------------------------

use_conf "[message]
from_must_match_login = rewrite
reply_to = help@example.org
$redirect_conf"
nlines=$(wc -l < "$MLOG")

printf 'From: App <app@example.org>\nTo: real@example.net\nSubject: T6a sendmail\n\nbody\n' |
    pf_sendmail app@example.org real@example.net user@keep.example > "$tmp/out" 2>&1
expect "sendmail: accepted" 0 $?
delivered "sendmail: delivered through non_smtpd_milters" "T6a sendmail"
expect_grep "sendmail: came through pickup, not smtpd" "(Postfix, from userid 0)" "$tmp/hdr"
expect_grep "sendmail: login is the relay's username: envelope rewritten" \
    "^MAIL FROM:<noreply@example.org>" "$tmp/env"
expect_grep "sendmail: From rewritten to the relay login" '^From: App <noreply@example.org>$' "$tmp/hdr"
expect_grep "sendmail: X-Original-From" '^X-Original-From: App <app@example.org>$' "$tmp/hdr"
expect_count "sendmail: one Reply-To, the original From" 1 '^Reply-To:' "$tmp/hdr"
rcpts_only "sendmail: redirected" qa@example.org qa2@example.org user@keep.example
expect_grep "sendmail: X-Original-To" '^X-Original-To: real@example.net$' "$tmp/hdr"
expect_grep "sendmail: subject prefixed" '^Subject: \[TEST\] T6a sendmail$' "$tmp/hdr"
sed "1,${nlines}d" "$MLOG" > "$tmp/mlog6"
expect_grep "sendmail: the milter saw the sender without angle brackets, no login" \
    "from=<app@example.org>, nrcpt=2, login=no, status=accept" "$tmp/mlog6"

use_conf "[message]
from_must_match_login = reject"
printf 'From: Eve <eve@example.org>\nTo: x@example.net\nSubject: T6b sendmail reject\n\nbody\n' |
    pf_sendmail eve@example.org x@example.net > "$tmp/out" 2>&1
expect "sendmail, reject: sendmail itself accepts (maildrop)" 0 $?
wait_log "milter-reject: END-OF-MESSAGE.*5.7.1 <eve@example.org>: sender does not match login <noreply@example.org>" 1 "$PF_MAILLOG"
expect "sendmail, reject: refused at end of message with 5.7.1" 0 $?
# Postfix bounces it to eve@, through the relay: the capture server gets
# the bounce (MAIL FROM:<>) and never the message itself.
wait_tag "T6b sendmail reject" 20
expect_grep "sendmail, reject: the sender gets a bounce" "^MAIL FROM:<>" "$tmp/env"
rcpts_only "sendmail, reject: the bounce goes to eve" eve@example.org
for f in $(grep -l -a 'T6b sendmail reject' "$CAPTURE_DIR"/msg-*); do
	sed '/^$/q' "$f"
done > "$tmp/env6b"
expect_nogrep "sendmail, reject: the message itself never left" "^MAIL FROM:<eve" "$tmp/env6b"
expect_nogrep "non_smtpd and smtpd: nothing ever rejected at RCPT" "milter-reject: RCPT" "$PF_MAILLOG"

# ---- 7. SIGHUP reload -----------------------------------------------------------

use_conf '[redirect]
enabled = yes
subject_prefix = [ONE]
[report qa@example.org]'
printf 'From: app@example.org\nTo: x@example.net\nSubject: T7a\n\nbody\n' | send smtp app@example.org x@example.net
delivered "reload: first config applies" "T7a"
expect_grep "reload: prefix [ONE]" '^Subject: \[ONE\] T7a$' "$tmp/hdr"

use_conf '[redirect]
enabled = yes
subject_prefix = [TWO]
[report qa@example.org]'
printf 'From: app@example.org\nTo: x@example.net\nSubject: T7b\n\nbody\n' | send smtp app@example.org x@example.net
delivered "reload: after SIGHUP, delivered" "T7b"
expect_grep "reload: the next message follows the new config" '^Subject: \[TWO\] T7b$' "$tmp/hdr"

cat > "$MCONF" <<'EOF'
[redirect]
enabled = yes
subject_prefix = [BROKEN]
no_such_key = 1
[report qa@example.org]
EOF
reload_milter
expect_grep "reload: a broken config is reported" "reload of $MCONF failed" "$tmp/reload"
expect_grep "reload: the error names file:line" "$MCONF:4: .*no_such_key" "$tmp/reload"
milter_alive
expect "reload: the milter still runs after a broken config" 0 $?
printf 'From: app@example.org\nTo: x@example.net\nSubject: T7c\n\nbody\n' | send smtp app@example.org x@example.net
expect "reload: mail still accepted after a broken config" 0 $?
delivered "reload: delivered under the old policy" "T7c"
expect_grep "reload: the old policy stays in force" '^Subject: \[TWO\] T7c$' "$tmp/hdr"
rcpts_only "reload: old policy still redirects" qa@example.org

# ---- 8. fail-safe: the milter killed ----------------------------------------------

use_conf "$redirect_conf"	# a good file again, for the restart
kill -9 "$MPID"
wait "$MPID" 2>/dev/null
milter_alive
expect "fail-safe: milter killed" 1 $?
printf 'From: app@example.org\nTo: x@example.net\nSubject: T8a milter dead\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "fail-safe: smtpd mail gets a temporary failure" 2 $?
expect_grep "fail-safe: 451 4.7.1" "451 4.7.1" "$tmp/out"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T8b milter dead sendmail\n\nbody\n' |
    pf_sendmail app@example.org x@example.net > "$tmp/out" 2>&1
expect "fail-safe: sendmail mail is taken into maildrop" 0 $?
sleep 2
never_captured "fail-safe: nothing delivered while the milter is down" "T8[ab] "

start_milter "$tmp/milter2.log"
expect "fail-safe: milter restarted" 0 $?
MLOG="$tmp/milter2.log"
printf 'From: app@example.org\nTo: x@example.net\nSubject: T8c milter back\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "fail-safe: mail accepted again" 0 $?
delivered "fail-safe: delivered after the restart" "T8c milter back"
rcpts_only "fail-safe: policy applied after the restart" qa@example.org qa2@example.org
postkick -c "$PF_CONF" public pickup W 2>/dev/null
delivered "fail-safe: the waiting sendmail message goes out after the restart" "T8b milter dead sendmail" 30
rcpts_only "fail-safe: ... with the policy applied" qa@example.org qa2@example.org
never_captured "fail-safe: the refused smtpd message never arrives" "T8a milter dead"

# ---- 9. malformed messages ------------------------------------------------------

use_conf "[message]
from_must_match_login = rewrite
reply_to = help@example.org
$redirect_conf"

malformed() {	# NAME TAG: after a malformed message, the milter still works
	milter_alive
	expect "malformed $1: milter still running" 0 $?
	printf 'From: app@example.org\nTo: x@example.net\nSubject: %s next\n\nbody\n' "$2" |
	    send smtp app@example.org x@example.net
	expect "malformed $1: next message accepted" 0 $?
	delivered "malformed $1: next message delivered" "$2 next"
	rcpts_only "malformed $1: next message processed by the policy" qa@example.org qa2@example.org
}

# fate NAME TAG: a malformed message was accepted, and what reached the
# capture server went through the policy (redirected, prefixed, rewritten).
fate() {
	expect "malformed $1: accepted" 0 "$st"
	delivered "malformed $1: delivered" "$2"
	rcpts_only "malformed $1: redirected by the policy" qa@example.org qa2@example.org
	expect_grep "malformed $1: envelope rewritten" "^MAIL FROM:<noreply@example.org>" "$tmp/env"
	expect_count "malformed $1: one X-Original-To" 1 "^X-Original-To: x@example.net" "$tmp/hdr"
}

printf 'From: app@example.org\nTo: x@example.net\nSubject: T9a no colon\nThis header line has no colon\nX-After: y\n\nbody\n' |
    send smtp app@example.org x@example.net
st=$?
fate "header line without colon" "T9a no colon"
expect_grep "malformed header line without colon: subject prefixed" '^Subject: \[TEST\] T9a no colon$' "$tmp/hdr"
expect_grep "malformed header line without colon: the line is kept (Postfix makes it body)" \
    "^This header line has no colon$" "$tmp/body"
malformed "header line without colon" "T9a"

printf 'From: app@example.org\nTo: x@example.net\nX-Nul: a\000b\nSubject: T9b nul\n\nbo\000dy\n' |
    send smtp app@example.org x@example.net
st=$?
fate "NUL byte" "T9b nul"
expect_grep "malformed NUL byte: subject prefixed" '^Subject: \[TEST\] T9b nul$' "$tmp/hdr"
malformed "NUL byte" "T9b"

{
	printf 'From: app@example.org\nTo: x@example.net\nSubject: T9c big\nX-Big: start\n'
	i=0
	while [ $i -lt 1600 ]; do
		printf ' %s\n' "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
		i=$((i + 1))
	done
	printf '\nbody\n'
} > "$tmp/big.msg"
expect "malformed 100 KB header: the test message is over 100 KB" 0 \
    "$([ "$(wc -c < "$tmp/big.msg")" -gt 102400 ]; echo $?)" 
send smtp app@example.org x@example.net < "$tmp/big.msg"
st=$?
fate "100 KB header" "T9c big"
expect_grep "malformed 100 KB header: subject prefixed" '^Subject: \[TEST\] T9c big$' "$tmp/hdr"
malformed "100 KB header" "T9c"

# 8-bit: raw Latin-1 and UTF-8 in the Subject, UTF-8 (RFC 6532) in From.
printf 'From: J\303\251r\303\264me <app@example.org>\nTo: x@example.net\nSubject: T9d 8bit \303\251t\303\251 caf\351\n\nbody\n' |
    send smtp app@example.org x@example.net
st=$?
fate "8-bit header" "T9d 8bit"
# The kept display name may come back RFC 2047-encoded.
expect_grep "malformed 8-bit header: UTF-8 display name kept" \
    "$(printf '^From: \\(J\303\251r\303\264me\\|=?UTF-8?B?SsOpcsO0bWU=?=\\) <noreply@example.org>$')" "$tmp/hdr"
expect_grep "malformed 8-bit header: 8-bit Subject passed through, prefixed" \
    "$(printf '^Subject: \\[TEST\\] T9d 8bit \303\251t\303\251 caf\351$')" "$tmp/hdr"
malformed "8-bit header" "T9d"

# A From the policy must rewrite but cannot parse: refused, never passed.
printf 'From: <<<@@>>>\nTo: x@example.net\nSubject: T9e bad from\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "malformed unparsable From under rewrite: refused" 1 $?
expect_grep "malformed unparsable From: 550 5.7.1" "^550 5.7.1 cannot check the From header" "$tmp/out"
malformed "unparsable From" "T9e"
printf 'From: J\351r\364me <app@example.org>\nTo: x@example.net\nSubject: T9f latin1 from\n\nbody\n' |
    send smtp app@example.org x@example.net
expect "malformed Latin-1 (not UTF-8) From under rewrite: refused" 1 $?
expect_grep "malformed Latin-1 From: 550 5.7.1 names the reason" "^550 5.7.1 cannot check the From header.*UTF-8" "$tmp/out"
malformed "Latin-1 From" "T9f"
never_captured "malformed: the unparsable Froms never delivered" "T9[ef] [bl]"

# ---- 10. load ---------------------------------------------------------------------

if [ "${SMTPGATE_LONG:-0}" = 1 ]; then
	nload=2000 nsess=20 nwarm=200
else
	nload=300 nsess=10 nwarm=100
fi
use_conf "[message]
from_must_match_login = rewrite
reply_to = help@example.org
exclude = robot@example.org
$redirect_conf"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$MPID/status"; }
base=$(pf_captured)
tl=$(date +%s)
smtp-source -4 -d -s "$nsess" -m "$nwarm" -S "load warm-up" -f app@example.org \
    -t someone@example.net "127.0.0.1:$PF_PORT" > "$tmp/load1.out" 2>&1
expect "load: smtp-source warm-up ($nwarm messages) ran" 0 $?
pf_wait_delivered $((base + nwarm)) 120
expect "load: $nwarm messages delivered" 0 $?
rss1=$(rss)
smtp-source -4 -d -s "$nsess" -m $((nload - nwarm)) -S "load" -f app@example.org \
    -t someone@example.net "127.0.0.1:$PF_PORT" > "$tmp/load2.out" 2>&1
expect "load: smtp-source ($((nload - nwarm)) more over $nsess connections) ran" 0 $?
pf_wait_delivered $((base + nload)) 300
expect "load: all $nload messages delivered" 0 $?
rss2=$(rss)
expect "load: no more than $nload delivered" $((base + nload)) "$(pf_captured)"
echo "# load: $nload messages over $nsess connections in $(($(date +%s) - tl)) s; milter VmRSS ${rss1} kB after $nwarm, ${rss2} kB after $nload"
f=$(ls "$CAPTURE_DIR"/msg-* | tail -n 1)
expect_grep "load: the policy was applied to the load" "^RCPT TO:<qa@example.org>" "$f"
expect_nogrep "load: no load message to the real recipient" "^RCPT TO:<someone@" "$f"
# AddressSanitizer keeps freed memory in quarantine, so RSS says nothing
# about leaks there (LeakSanitizer checks those at exit instead).
if grep -q '__asan_init' ./milter/smtpgate-milter 2>/dev/null; then
	echo "# load: memory check skipped in the AddressSanitizer build"
elif [ -n "$rss1" ] && [ -n "$rss2" ] && [ $((rss2 - rss1)) -lt 2048 ]; then
	echo "ok: load: milter memory flat (grew $((rss2 - rss1)) kB from $nwarm to $nload messages)"
else
	echo "FAIL: load: milter memory grew from ${rss1:-?} kB to ${rss2:-?} kB"
	nfail=$((nfail + 1))
fi
milter_alive
expect "load: milter still running" 0 $?
nacc=$(grep -c "status=accept" "$MLOG")
[ "$nacc" -ge "$nload" ]
expect "load: the milter logged every message ($nacc accept lines)" 0 $?

# ---- end ------------------------------------------------------------------------

expect_nogrep "maillog: no fatal or panic" "fatal:\|panic:" "$PF_MAILLOG"
expect_nogrep "milter: no internal error logged" "libmilter refused\|without MAIL FROM" "$MLOG"

# The milter stops on SIGTERM like any daemon.  In the sanitizer build,
# LeakSanitizer then reports whatever the messages above left behind.
kill -TERM "$MPID"
wait "$MPID"
expect "the milter exits 0 on SIGTERM" 0 $?
expect_nogrep "milter: no sanitizer report" \
    "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$MLOG"
echo "# $(($(date +%s) - t0)) s"
[ "$nfail" -eq 0 ]
