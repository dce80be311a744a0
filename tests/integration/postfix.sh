# A private, throw-away Postfix for integration tests (sourced after lib.sh).
#
#   postfix_start [MILTER]     build and start an instance under $tmp/pf that
#                              relays everything to a capture server; MILTER
#                              ("inet:127.0.0.1:PORT", "unix:/path" or "/path")
#                              becomes smtpd_milters and non_smtpd_milters.
#   pf_send_smtp FROM RCPT... < msg          plain SMTP to $PF_PORT
#   pf_send_auth USER PASS FROM RCPT... < msg   AUTH PLAIN on $PF_SUB_PORT
#   pf_sendmail FROM RCPT... < msg           Postfix's sendmail (non_smtpd path)
#   pf_wait_delivered N [SECONDS]            wait for N files in $CAPTURE_DIR
#   pf_flush, pf_maillog [LINES]             flush the queue, show the log
#
# A recipient written in angle brackets ("<@a.example:b@c.example>") is
# sent exactly so; others go through smtplib's quoting.
# The pf_send_* clients print the last reply ("250 2.0.0 Ok: queued as ...",
# or the refusing reply prefixed with its stage, e.g. "AUTH 535 5.7.8 ...")
# and exit 0 when every recipient was accepted, 1 on a 5xx reply, 2 on a 4xx
# reply, 3 when the connection failed.  pf_sendmail exits as sendmail does.
#
# Variables: PF_DIR (the instance's top directory, $tmp/pf), PF_CONF (its
# config_directory, $PF_DIR/etc: give it to postfix -c, postqueue -c,
# postconf -c, sendmail -C), PF_MAILLOG; set by postfix_start: PF_PORT, PF_SUB_PORT, CAPTURE_PORT, CAPTURE_DIR, CAPTURE_LOG, PF_MAILLOG,
# PF_MASTER_PID.  SASL users: alice@example.org / $PF_ALICE_PW and
# bob@example.org / $PF_BOB_PW.  Lines in $PF_MAIN_EXTRA are appended to
# main.cf before the start; $PF_MAIL_MACROS is milter_mail_macros.  The
# capture server stores each message as
# smtpd.py does: "MAIL FROM:<...>" and "RCPT TO:<...>" lines, an empty line,
# then the data.
#
# Postfix must run as root (master binds, daemons setuid to mail_owner
# postfix); tests call pf_require first, which exits 77 if it can't.  One
# instance per test script.  Cleanup (pass or fail) stops the instance and
# waits for its master to exit before lib.sh's cleanup removes $tmp.

# shellcheck shell=sh disable=SC2154  # $tmp, $srcdir: lib.sh, make check
PF_DIR="$tmp/pf"
# Not $PF_DIR itself: "postfix check" wants everything under config_directory
# owned by root, and the queue and data directories are owned by postfix.
PF_CONF="$PF_DIR/etc"
PF_MAILLOG="$PF_DIR/maillog"
PF_ALICE_PW='alice-Secret1'
PF_BOB_PW='bob-Secret2'
PF_MASTER_PID=""
PF_MAIN_EXTRA="${PF_MAIN_EXTRA:-}"
[ -n "${PF_MAIL_MACROS:-}" ] ||
    PF_MAIL_MACROS='i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}'

# pf_require: skip the test (exit 77) when a private Postfix can't run here.
pf_require() {
	for _c in postfix postconf postqueue saslpasswd2 python3; do
		command -v "$_c" >/dev/null 2>&1 ||
		    [ -x "/usr/sbin/$_c" ] || { echo "SKIP: $_c not installed"; exit 77; }
	done
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: a private Postfix needs root"; exit 77; }
	getent passwd postfix >/dev/null || { echo "SKIP: no postfix user"; exit 77; }
	[ -e /usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so ] ||
	    ls /usr/lib/*/sasl2/libsasldb.so >/dev/null 2>&1 ||
	    { echo "SKIP: cyrus sasldb plugin (libsasl2-modules-db) missing"; exit 77; }
}

PATH="$PATH:/usr/sbin:/sbin"

postfix_cleanup() {
	pf_stop
	cleanup
}
trap postfix_cleanup EXIT
# dash runs no EXIT trap when an untrapped signal kills it, and a Postfix
# left running outlives the test: a closed output pipe (sh t.sh | head) or
# a hangup must exit through the trap too.  lib.sh already does INT, TERM.
trap 'exit 1' HUP
trap 'trap "" PIPE; exit 1' PIPE

# _pf_live PIDS...: those of PIDS still running.  A zombie counts as gone:
# once the master is gone its children go to PID 1, which may be slow to
# reap them (it is on the CI machines), and kill -0 succeeds on a zombie.
_pf_live() {
	[ $# -gt 0 ] || return 0
	ps -o pid=,stat= -p "$(echo "$@" | tr ' ' ,)" 2>/dev/null |
	    awk '$2 !~ /^Z/ { print $1 }'
}

# pf_stop: stop the instance and wait for its master and its children (all
# in the master's session: it calls setsid) to be gone.  "postfix stop"
# itself waits up to 5 seconds and then kills the master's process group;
# whatever still runs in the session after 15 seconds gets SIGKILL.
pf_stop() {
	[ -n "$PF_MASTER_PID" ] || return 0
	postfix -c "$PF_CONF" stop >/dev/null 2>&1
	_i=0
	while [ $_i -lt 150 ]; do
		# shellcheck disable=SC2046  # a list of pids
		_left=$(_pf_live $(ps -o pid= --sid "$PF_MASTER_PID" 2>/dev/null))
		[ -n "$_left" ] || break
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ -n "$_left" ]; then
		echo "pf_stop: killing what is left of the Postfix instance: $_left" >&2
		# shellcheck disable=SC2086
		kill -9 $_left 2>/dev/null
	fi
	PF_MASTER_PID=""
}

_pf_main_cf() {	# MILTER
	cat <<EOF
# Private Postfix instance for smtpgate's integration tests.
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
mydomain = test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$CAPTURE_PORT
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = yes
biff = no
append_dot_mydomain = no
maillog_file = $PF_MAILLOG
maillog_file_prefixes = $PF_DIR
# Cyrus SASL reads \$cyrus_sasl_config_path/\$smtpd_sasl_path.conf.
smtpd_sasl_type = cyrus
cyrus_sasl_config_path = $PF_CONF/sasl
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain =
smtpd_sasl_security_options = noanonymous
smtpd_tls_auth_only = no
broken_sasl_auth_clients = no
# Quick retries, so a test that makes a delivery fail on purpose can flush.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
EOF
	if [ -n "$1" ]; then
		cat <<EOF
smtpd_milters = $1
non_smtpd_milters = $1
milter_default_action = tempfail
milter_protocol = 6
milter_mail_macros = $PF_MAIL_MACROS
EOF
	fi
	[ -z "$PF_MAIN_EXTRA" ] || printf '%s\n' "$PF_MAIN_EXTRA"
}

_pf_master_cf() {
	cat <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
127.0.0.1:$PF_SUB_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# postfix_start [MILTER]
postfix_start() {
	CAPTURE_PORT=$(pick_port 40)
	PF_PORT=$(pick_port 41)
	PF_SUB_PORT=$(pick_port 42)
	CAPTURE_DIR="$tmp/captured"
	CAPTURE_LOG="$tmp/capture.log"
	_milter=${1:-}
	case $_milter in
	/*) _milter="unix:$_milter" ;;
	esac
	# The daemons run as postfix and open absolute paths under $tmp
	# (sasldb, smtpd.conf, milter sockets), so $tmp must be searchable.
	chmod 711 "$tmp"
	mkdir -p "$CAPTURE_DIR" "$PF_CONF/sasl" "$PF_DIR/queue" || return 1
	: > "$CAPTURE_LOG"
	start_server "$CAPTURE_PORT" "$tmp/capture.out" python3 \
	    "${srcdir:-.}/tests/integration/smtpd.py" --port "$CAPTURE_PORT" \
	    --maildir "$CAPTURE_DIR" --log "$CAPTURE_LOG" --smtputf8 \
	    --name capture.test ||
	    { echo "postfix_start: capture server did not start" >&2; return 1; }

	_pf_main_cf "$_milter" > "$PF_CONF/main.cf"
	_pf_master_cf > "$PF_CONF/master.cf"

	# SASL: a private sasldb that smtpd (running as postfix) can read.
	cat > "$PF_CONF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $PF_CONF/sasldb2
mech_list: PLAIN LOGIN
EOF
	if ! printf '%s' "$PF_ALICE_PW" |
	    saslpasswd2 -p -c -f "$PF_CONF/sasldb2" -u example.org alice ||
	    ! printf '%s' "$PF_BOB_PW" |
	    saslpasswd2 -p -c -f "$PF_CONF/sasldb2" -u example.org bob; then
		echo "postfix_start: saslpasswd2 failed" >&2
		return 1
	fi
	chgrp postfix "$PF_CONF/sasldb2" && chmod 640 "$PF_CONF/sasldb2" || return 1

	# "postfix start" runs "postfix check", which creates the queue and
	# data directories with their owners and modes (maildrop and public
	# group postdrop, for the setgid postdrop and postqueue).
	if ! postfix -c "$PF_CONF" start > "$PF_DIR/start.out" 2>&1; then
		echo "postfix_start: postfix start failed:" >&2
		cat "$PF_DIR/start.out" "$PF_MAILLOG" >&2 2>/dev/null
		return 1
	fi
	_i=0
	while [ $_i -lt 100 ]; do
		[ -n "$PF_MASTER_PID" ] ||
		    PF_MASTER_PID=$(tr -dc 0-9 < "$PF_DIR/queue/pid/master.pid" 2>/dev/null)
		[ -n "$PF_MASTER_PID" ] && port_in_use "$PF_PORT" &&
		    port_in_use "$PF_SUB_PORT" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "postfix_start: Postfix did not listen on $PF_PORT/$PF_SUB_PORT" >&2
	pf_maillog 30 >&2
	return 1
}

pf_maillog() {	# [LINES]: the end of the instance's log
	echo "--- maillog tail:"
	tail -n "${1:-40}" "$PF_MAILLOG" 2>/dev/null | sed 's/^/    /'
}

pf_flush() {
	postqueue -c "$PF_CONF" -f >/dev/null 2>&1
}

pf_queue() {	# the queue listing (mailq)
	postqueue -c "$PF_CONF" -p 2>/dev/null
}

pf_captured() {	# how many messages the capture server holds
	# shellcheck disable=SC2010  # smtpd.py names files msg-PID-N
	ls "$CAPTURE_DIR" | grep -c '^msg-'
}

# pf_wait_delivered N [SECONDS]: wait (flushing the queue each second)
# until the capture server holds N messages.
pf_wait_delivered() {
	_want=$1 _limit=${2:-30}
	_end=$(($(date +%s) + _limit)) _next=$(($(date +%s) + 1))
	while [ "$(pf_captured)" -lt "$_want" ]; do
		_now=$(date +%s)
		if [ "$_now" -ge "$_end" ]; then
			echo "pf_wait_delivered: $(pf_captured) of $_want messages after ${_limit}s" >&2
			pf_queue | sed 's/^/    /' >&2
			pf_maillog >&2
			return 1
		fi
		if [ "$_now" -ge "$_next" ]; then
			pf_flush
			_next=$((_now + 1))
		fi
		sleep 0.1
	done
}

# The SMTP client behind pf_send_smtp and pf_send_auth.
_pf_client_py='
import re, smtplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sender, rcpts = sys.argv[4], sys.argv[5:]
msg = re.sub(rb"\r?\n", b"\r\n", sys.stdin.buffer.read())
status = 0
def say(stage, code, text):
    global status
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    print(("%s %d %s" % (stage, code, text)).strip())
    if 400 <= code < 500:
        status = status or 2
    elif code >= 500 or code < 200:
        status = 1
try:
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=60)
    s.ehlo()
    if user:
        try:
            s.login(user, pw)
        except smtplib.SMTPAuthenticationError as e:
            say("AUTH", e.smtp_code, e.smtp_error)
            sys.exit(status)
    opts = [] if (sender + "".join(rcpts)).isascii() else ["SMTPUTF8"]
    code, text = s.mail(sender, opts)
    if code != 250:
        say("MAIL", code, text)
        sys.exit(status)
    ok = 0
    for r in rcpts:
        if r.startswith("<"):   # as is: smtplib would "fix" a source route
            code, text = s.docmd("RCPT", "TO:" + r)
        else:
            code, text = s.rcpt(r)
        if code in (250, 251):
            ok += 1
        else:
            say("RCPT", code, text)
    if ok:
        try:
            code, text = s.data(msg)
            say("", code, text)
        except smtplib.SMTPDataError as e:
            say("DATA", e.smtp_code, e.smtp_error)
    s.quit()
except smtplib.SMTPResponseException as e:
    say("SMTP", e.smtp_code, e.smtp_error)
except (OSError, smtplib.SMTPException) as e:
    print("connection: %s" % e)
    status = 3
sys.exit(status)
'

pf_send_smtp() {	# FROM RCPT... < message
	python3 -c "$_pf_client_py" "$PF_PORT" "" "" "$@"
}

pf_send_auth() {	# USER PASS FROM RCPT... < message
	python3 -c "$_pf_client_py" "$PF_SUB_PORT" "$@"
}

pf_sendmail() {	# FROM RCPT... < message
	_from=$1
	shift
	"$(postconf -c "$PF_CONF" -h sendmail_path)" -C "$PF_CONF" -i -f "$_from" -- "$@"
}
