#!/bin/sh
# bulk_copies against a real SMTP server (tests/integration/smtpd.py):
# ten shims started together, each mailing one student with the trainer
# in Cc under one X-Batch-ID, deliver exactly one copy to the trainer with
# "first", ten with "every"; batches by sender+Subject; the window; a
# damaged state file sends.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
shim=./sendmail-shim/smtpgate-sendmail
server="${srcdir:-.}/tests/integration/smtpd.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }

port=$(pick_port 71)
mkdir -p "$tmp/mail"
start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
    --maildir "$tmp/mail" --log "$tmp/log" ||
    { echo "FAIL: server did not start"; exit 1; }

# conf NAME [message] LINES...: a configuration with its own queue dir.
conf() {
	name=$1
	shift
	mkdir -p "$tmp/q-$name"
	{
		printf '[relay sink]\nhost = 127.0.0.1\nport = %s\ntls = none\nauth = none\n' "$port"
		printf '[queue]\ndir = %s\nmode = never\n[message]\n' "$tmp/q-$name"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$tmp/$name.conf"
}

# A fresh mailbox for the next round.
clear_mail() { rm -f "$tmp/mail"/msg-*; }
rcpts_to() { cat "$tmp/mail"/msg-* 2>/dev/null | grep -c "^RCPT TO:<$1>"; }
nmsgs() { ls "$tmp/mail" | grep -c '^msg-'; }

# send CONF N SUBJECT BATCH [extra header line]: student N's message;
# odd N with -t, even N with the recipients on the command line (then
# the Cc header says who is a copy).
send() {
	c=$1 i=$2 subj=$3 batch=$4 extra=${5:-}
	{
		printf 'From: app@school.example\nTo: student%s@example.net\n' "$i"
		printf 'Cc: Trainer <trainer@example.org>\nSubject: %s\n' "$subj"
		[ -n "$batch" ] && printf 'X-Batch-ID: %s\n' "$batch"
		[ -n "$extra" ] && printf '%s\n' "$extra"
		printf '\nReminder for student %s\n' "$i"
	} > "$tmp/in-$i"
	if [ $((i % 2)) = 1 ]; then
		$shim -C "$tmp/$c.conf" -f app@school.example -t < "$tmp/in-$i"
	else
		$shim -C "$tmp/$c.conf" -f app@school.example \
		    "student$i@example.net" trainer@example.org < "$tmp/in-$i"
	fi
}

# parallel CONF BATCH: ten senders at once; 0 when all ten exit 0.
parallel() {
	pids=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		send "$1" "$i" "Reminder" "$2" > "$tmp/out-$i" 2>&1 &
		pids="$pids $!"
	done
	bad=0
	for p in $pids; do
		wait "$p" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] || cat "$tmp"/out-*
	return "$bad"
}

students_all_served() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(rcpts_to "student$i@example.net")" = 1 ] || return 1
	done
}

# --- first: ten parallel senders, one batch --------------------------
conf first 'bulk_copies = first'
parallel first "course-7/2026-12-04"
expect "ten parallel senders all exit 0 (first)" 0 $?
expect "ten messages arrived (first)" 10 "$(nmsgs)"
expect "the trainer got exactly one copy of the batch" 1 "$(rcpts_to trainer@example.org)"
expect "every student got theirs (first)" 0 "$(students_all_served; echo $?)"
expect "every message still carries its Cc header" 10 \
    "$(grep -l '^Cc: Trainer <trainer@example.org>' "$tmp/mail"/msg-* | wc -l)"
expect "the state file is mode 0660" 660 "$(stat -c %a "$tmp/q-first/bulk.state")"

# A damaged state file forgets, which sends: the next message of the
# same batch gives the trainer a copy again.
printf '\001garbage\nzz 12\n' > "$tmp/q-first/bulk.state"
clear_mail
send first 11 "Reminder" "course-7/2026-12-04" > "$tmp/out" 2>&1
expect "a damaged state file: the message is sent" 0 $?
expect "a damaged state file errs towards sending the copy" 1 "$(rcpts_to trainer@example.org)"
send first 12 "Reminder" "course-7/2026-12-04" > "$tmp/out" 2>&1
expect "and the batch is remembered again afterwards" 1 "$(rcpts_to trainer@example.org)"

# Bcc: removed from the header as always, and still a copy.
clear_mail
send first 13 "Reminder" "bcc-batch" "Bcc: head@example.org" > /dev/null 2>&1
send first 15 "Reminder" "bcc-batch" "Bcc: head@example.org" > /dev/null 2>&1
expect "the Bcc recipient got one copy of its batch" 1 "$(rcpts_to head@example.org)"
expect_nogrep "no Bcc header on the wire" "^Bcc:" "$(ls "$tmp/mail"/msg-* | head -n 1)"

# A recipient who is in To on one message is never dropped from it.
clear_mail
printf 'To: trainer@example.org\nCc: trainer@example.org\nX-Batch-ID: course-7/2026-12-04\nSubject: x\n\nbody\n' |
    $shim -C "$tmp/first.conf" -f app@school.example -t > "$tmp/out" 2>&1
expect "To wins over Cc: the trainer as addressee gets it" 1 "$(rcpts_to trainer@example.org)"

# --- every (the default): ten copies -----------------------------------
clear_mail
conf every
parallel every "course-7/2026-12-04"
expect "ten parallel senders all exit 0 (every)" 0 $?
expect "bulk_copies = every: the trainer got ten copies" 10 "$(rcpts_to trainer@example.org)"
expect "every student got theirs (every)" 0 "$(students_all_served; echo $?)"
expect "every keeps no state file" no "$([ -e "$tmp/q-every/bulk.state" ] && echo yes || echo no)"

# --- batches by sender and Subject -------------------------------------
clear_mail
conf subject 'bulk_copies = first' 'bulk_match_subject = yes'
send subject 1 "Exam tomorrow" "" > /dev/null 2>&1
send subject 2 "Exam tomorrow" "" > /dev/null 2>&1
send subject 3 "Exam tomorrow" "" > /dev/null 2>&1
expect "same sender and Subject: one batch, one copy" 1 "$(rcpts_to trainer@example.org)"
send subject 4 "Room changed" "" > /dev/null 2>&1
expect "another Subject is its own batch" 2 "$(rcpts_to trainer@example.org)"
expect "all four students served" 4 "$(cat "$tmp/mail"/msg-* | grep -c '^RCPT TO:<student')"
clear_mail
conf nosubject 'bulk_copies = first'
send nosubject 1 "Exam tomorrow" "" > /dev/null 2>&1
send nosubject 2 "Exam tomorrow" "" > /dev/null 2>&1
expect "without the header nor bulk_match_subject: no batch" 2 "$(rcpts_to trainer@example.org)"

# --- the window --------------------------------------------------------
clear_mail
conf window 'bulk_copies = first' 'bulk_window = 2s'
send window 1 "Reminder" "w-1" > /dev/null 2>&1
send window 2 "Reminder" "w-1" > /dev/null 2>&1
expect "inside the window: one copy" 1 "$(rcpts_to trainer@example.org)"
sleep 3
send window 3 "Reminder" "w-1" > /dev/null 2>&1
expect "after the window: a new first copy" 2 "$(rcpts_to trainer@example.org)"

# --- a state file that cannot be used sends, with a warning -------------
clear_mail
conf broken 'bulk_copies = first'
: > "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/q-broken/bulk.state"
send broken 1 "Reminder" "b-1" > /dev/null 2>&1
send broken 3 "Reminder" "b-1" > "$tmp/out" 2>&1
expect "an unusable state file: the message is sent" 0 $?
expect "an unusable state file: every copy goes out" 2 "$(rcpts_to trainer@example.org)"
expect "the symbolic link was not followed" 0 "$(wc -c < "$tmp/elsewhere")"

[ "$nfail" -eq 0 ]
