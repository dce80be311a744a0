#!/bin/sh
# The Debian packages, built and installed for real, in an isolated root.
#
#   1. dpkg-buildpackage -us -uc -b on a clean copy of the tree (the files
#      git knows, as a clone has them), then lintian: no errors.
#   2. In a private mount and PID namespace with overlays on /etc /usr /var
#      /run /root /home /opt /srv (so every write vanishes with it and the
#      machine's own Postfix stays as it is): apt-get install ./smtpgate
#      replaces Postfix; with only a relay written into
#      /etc/smtpgate/smtpgate.conf, root, a user, www-data and cron's exact
#      command line send through /usr/sbin/sendmail and the mail arrives;
#      the user cannot read the secret; mailq, the queue timer's command,
#      remove and purge.
#   3. In a second namespace: smtpgate-milter installs beside Debian's
#      Postfix, which runs chrooted as Debian ships it and passes mail
#      through the packaged socket with the policy applied.
#
# Prints one "ok:" or "FAIL:" line per assertion (scripts/test.sh counts
# them).  Needs root, unshare, overlayfs, dpkg-buildpackage (debhelper),
# lintian and python3; skipped (exit 77) without them.
#
#   tests/install/deb_install.sh            all of it
#   DEB_DIR=DIR tests/install/deb_install.sh   use the .debs already in DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
srcdir=$top
. "$top/tests/integration/lib.sh"
server=$top/tests/integration/smtpd.py
self=$top/tests/install/deb_install.sh
OVERLAID="etc usr var run root home opt srv"

# ---- inside a namespace: the overlays ----------------------------------

# ns_enter SCRATCH: every directory a package touches becomes an overlay
# whose writes land in SCRATCH; maintainer scripts start no service and
# reach no systemd (there is none in here: systemd-analyze verify checks
# the units, and the tests start the programs by hand).
ns_enter() {
	S=$1
	mounted=""
	for d in $OVERLAID; do
		mkdir -p "$S/$d.up" "$S/$d.work"
		mount -t overlay "ovl-$d" \
		    -o "lowerdir=/$d,upperdir=$S/$d.up,workdir=$S/$d.work" "/$d" ||
		    { echo "FAIL: overlay on /$d"; exit 1; }
		mounted="/$d $mounted"
	done
	# A host with systemd as PID 1: its /run/systemd must not make the
	# maintainer scripts talk to it.
	mount -t tmpfs -o mode=755 ns-systemd /run/systemd 2>/dev/null ||
	    { mkdir -p /run/systemd && mount -t tmpfs -o mode=755 ns-systemd /run/systemd; }
	mounted="/run/systemd $mounted"
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
	export DEBIAN_FRONTEND=noninteractive
}

ns_leave() {
	for m in $mounted; do
		umount -l "$m" 2>/dev/null
	done
}

# is NAME WANT GOT: like expect, for values rather than exit codes.
is() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: got '$3', expected '$2'"
		nfail=$((nfail + 1))
	fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null; }

# count_mail: messages the relay has received.
count_mail() { ls "$tmp/mail" 2>/dev/null | grep -c '^msg-'; }

# wait_mail N: until the relay has N messages (10 s at most).
wait_mail() {
	i=0
	while [ "$(count_mail)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# last_mail: the file of the newest message.
last_mail() { ls -t "$tmp"/mail/msg-* 2>/dev/null | head -n 1; }

# ---- inside namespace 1: the smtpgate package --------------------------

inside_mta() {
	debs=$1
	ns_enter "$2"
	trap 'ns_leave; cleanup' EXIT

	apt-get install -y -q "$debs"/smtpgate_*.deb "$debs"/smtpgate-common_*.deb \
	    > "$tmp/apt.log" 2>&1
	expect "apt-get install ./smtpgate_*.deb ./smtpgate-common_*.deb" 0 $?
	grep -E '^(E|W):|warning' "$tmp/apt.log" | sed 's/^/# apt: /'
	is "smtpgate is installed" "install ok installed" "$(installed smtpgate)"
	is "it replaced Postfix (in here only)" no \
	    "$(installed postfix | grep -q 'ok installed' && echo yes || echo no)"

	# What the package set up.
	is "system user smtpgate: no home, nologin" "/nonexistent /usr/sbin/nologin" \
	    "$(getent passwd smtpgate | awk -F: '{ print $6, $7 }')"
	is "user smtpgate is a system user" yes \
	    "$([ "$(id -u smtpgate)" -lt 1000 ] && echo yes)"
	is "group smtpgate exists" smtpgate "$(getent group smtpgate | cut -d: -f1)"
	is "the binary is setgid smtpgate" "2755 root smtpgate" \
	    "$(stat -c '%a %U %G' /usr/sbin/smtpgate-sendmail)"
	is "through dpkg-statoverride" "root smtpgate 2755 /usr/sbin/smtpgate-sendmail" \
	    "$(dpkg-statoverride --list /usr/sbin/smtpgate-sendmail)"
	for l in /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases; do
		is "$l is smtpgate-sendmail" /usr/sbin/smtpgate-sendmail "$(readlink -f "$l")"
	done
	conf=/etc/smtpgate/smtpgate.conf
	is "$conf: root's, 0644" "644 root root" "$(stat -c '%a %U %G' "$conf")"
	dpkg-query -W -f='${Conffiles}\n' smtpgate-common > "$tmp/cf"
	expect_grep "$conf is a conffile" "$conf" "$tmp/cf"
	is "/etc/smtpgate/secret: root:smtpgate 0750" "750 root smtpgate" \
	    "$(stat -c '%a %U %G' /etc/smtpgate/secret)"
	for d in /var/spool/smtpgate /var/spool/smtpgate/tmp /var/spool/smtpgate/msg \
	    /var/spool/smtpgate/env; do
		is "$d: root:smtpgate 2770" "2770 root smtpgate" "$(stat -c '%a %U %G' "$d")"
	done
	is "/var/lib/smtpgate/oauth2: root:smtpgate 2770" "2770 root smtpgate" \
	    "$(stat -c '%a %U %G' /var/lib/smtpgate/oauth2)"
	is "the queue timer is enabled" /lib/systemd/system/smtpgate-queue.timer \
	    "$(readlink /etc/systemd/system/timers.target.wants/smtpgate-queue.timer)"
	is "the queue service is not enabled on its own (the timer starts it)" no \
	    "$([ -e /etc/systemd/system/multi-user.target.wants/smtpgate-queue.service ] && echo yes || echo no)"
	is "cron's file has a name cron reads (no dot)" smtpgate-queue \
	    "$(ls /etc/cron.d | grep '^smtpgate' | grep -v '\.')"
	for m in man8/smtpgate-sendmail.8.gz man5/smtpgate.conf.5.gz man8/sendmail.8.gz \
	    man1/mailq.1.gz; do
		is "man page $m" yes "$([ -r "/usr/share/man/$m" ] && echo yes)"
	done
	if command -v systemd-analyze > /dev/null; then
		for u in smtpgate-queue.service smtpgate-queue.timer; do
			systemd-analyze verify "/lib/systemd/system/$u" > "$tmp/out" 2>&1
			expect "systemd-analyze verify $u" 0 $?
		done
	fi
	/usr/sbin/sendmail --check-config > "$tmp/out" 2>&1
	expect "the shipped configuration is valid" 0 $?

	# Only a relay, written into the shipped file: its [relay main].
	port=$(pick_port "$((seed + 1))")
	printf 'Relay-Secret-pw9\n' > /etc/smtpgate/secret/relay
	chown root:smtpgate /etc/smtpgate/secret/relay
	chmod 640 /etc/smtpgate/secret/relay
	sed -i -e '/^\[relay main\]/,/^$/{' \
	    -e "s/^host = .*/host = 127.0.0.1/" -e "s/^#port = .*/port = $port/" \
	    -e 's/^tls = .*/tls = none/' -e 's/^auth = .*/auth = plain/' \
	    -e 's/^#username = .*/username = relay@example.org/' \
	    -e 's|^#password_file = .*|password_file = /etc/smtpgate/secret/relay|' \
	    -e 's/^#allow_plaintext_auth = .*/allow_plaintext_auth = yes/' -e '}' "$conf"
	sed -n '/^\[relay main\]/,/^$/p' "$conf" | grep -v '^#' | sed 's/^/# conf: /'
	relay_up() {
		start_server "$port" "$tmp/server.out" python3 "$server" --port "$port" \
		    --auth PLAIN --auth-plaintext --require-auth --user relay@example.org \
		    --password Relay-Secret-pw9 --maildir "$tmp/mail" --log "$tmp/log" ||
		    { echo "FAIL: the relay did not start"; exit 1; }
		relay_pid=$_spid
	}
	relay_down() { kill "$relay_pid"; wait "$relay_pid" 2>/dev/null; }
	mkdir -p "$tmp/mail"
	chmod 755 "$tmp"
	relay_up

	usr=debu$$
	useradd -m -s /bin/sh "$usr" || { echo "FAIL: useradd"; exit 1; }

	# send NAME RCPT-IN-RELAY|- [runuser -u USER --] sendmail ARGS...
	# ("-": any recipient will do)
	n=0
	send() {
		name=$1 want=$2
		shift 2
		printf 'To: ops@example.org\nSubject: %s\n\nsent by %s\n' "$name" "$name" |
		    "$@" > "$tmp/out" 2>&1
		rc=$?
		expect "$name: sendmail exits 0" 0 $rc
		[ $rc -eq 0 ] || return 0
		n=$((n + 1))
		wait_mail $n
		is "$name: the message arrived" $n "$(count_mail)"
		f=$(last_mail)
		[ "$want" = - ] ||
		    expect_grep "$name: to $want" "^RCPT TO:<$want>" "${f:-/dev/null}"
		expect_grep "$name: its subject" "^Subject: $name" "${f:-/dev/null}"
	}
	send "root" ops@example.org /usr/sbin/sendmail ops@example.org
	send "a user" ops@example.org runuser -u "$usr" -- /usr/sbin/sendmail ops@example.org
	# PHP's mail() runs "sendmail -t -i" as the web server's user.
	send "www-data" ops@example.org runuser -u www-data -- /usr/sbin/sendmail -t -i
	# cron mails a job's output to the crontab's owner by name: with only
	# a relay written, the name gets the host's domain (/etc/mailname,
	# else the fully qualified host name), as Postfix and Exim do.  This
	# namespace has a host name of its own (unshare --uts).
	hostname app1.example.test
	send "cron as root" root@app1.example.test \
	    /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root
	f=$(last_mail)
	expect_grep "cron as root: From: qualified, comment kept" \
	    "^From: root@app1.example.test (CronDaemon)\|^From: CronDaemon <root@app1.example.test>" "${f:-/dev/null}"
	send "cron as a user" "$usr@app1.example.test" \
	    runuser -u "$usr" -- /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem "$usr"
	printf 'mail.example.test\n' > /etc/mailname
	send "cron as root, with /etc/mailname" root@mail.example.test \
	    /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root
	rm -f /etc/mailname
	# A host with no domain at all: refused, saying what to set.
	hostname vm
	printf 'Subject: x\n\nx\n' | /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root > "$tmp/out" 2>&1
	expect "a host without a domain: cron's root is refused (67)" 67 $?
	expect_grep "the refusal names the fix" "domain" "$tmp/out"
	hostname app1.example.test
	# The way smtpgate.conf(5) gives local names an address: the aliases
	# file (Debian's /etc/aliases) or [general] domain.
	printf 'root: ops@example.org\n' >> /etc/aliases
	sed -i 's|^#aliases = /etc/aliases|aliases = /etc/aliases|' "$conf"
	send "cron as root, root aliased" ops@example.org \
	    /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root
	sed -i 's|^#domain = example.org|domain = example.org|' "$conf"
	send "cron as a user, with a domain" "$usr@example.org" \
	    runuser -u "$usr" -- /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem "$usr"
	expect_grep "the relay saw the login" "AUTH-DATA" "$tmp/log"
	is "www-data's shell is nologin" /usr/sbin/nologin "$(getent passwd www-data | cut -d: -f7)"

	# The secret is the group's.
	runuser -u "$usr" -- cat /etc/smtpgate/secret/relay > "$tmp/out" 2>&1
	expect "a user cannot read the relay's secret" 1 $?
	runuser -u "$usr" -- ls /etc/smtpgate/secret > "$tmp/out" 2>&1
	expect "a user cannot list the secret directory" 2 $?
	runuser -u www-data -- cat /etc/smtpgate/secret/relay > "$tmp/out" 2>&1
	expect "www-data cannot read the relay's secret" 1 $?

	# The relay is down: the user's message waits in the queue; mailq
	# shows it to the user; the queue timer's command, as the timer's
	# user and group, sends it when the relay is back.
	# The first retry is a minute away: the timer's --queue-run sends
	# what is due, so make it due a second after.
	sed -i 's/^#retry = .*/retry = 1s/' "$conf"
	relay_down
	printf 'Subject: queued\n\nwaits\n' | runuser -u "$usr" -- /usr/sbin/sendmail ops@example.org > "$tmp/out" 2>&1
	expect "relay down: the user's message is queued (exit 0)" 0 $?
	id=$(ls /var/spool/smtpgate/env | head -n 1)
	is "one message in the queue" 1 "$(ls /var/spool/smtpgate/env | wc -l)"
	runuser -u "$usr" -- mailq > "$tmp/out" 2>&1
	expect "mailq works for the user" 0 $?
	expect_grep "mailq shows the user's message" "${id:-no-id}" "$tmp/out"
	mailq > "$tmp/out" 2>&1
	expect "mailq works for root" 0 $?
	runuser -u "$usr" -- cat "/var/spool/smtpgate/msg/$id" > /dev/null 2>&1
	expect "the user cannot read the queued file" 1 $?
	relay_up
	sleep 1.2
	# What smtpgate-queue.service runs: User=smtpgate Group=smtpgate.
	setpriv --reuid smtpgate --regid smtpgate --init-groups \
	    /usr/sbin/smtpgate-sendmail --queue-run > "$tmp/out" 2>&1
	expect "the timer's command (--queue-run as smtpgate:smtpgate) runs" 0 $?
	n=$((n + 1))
	wait_mail $n
	is "the queued message arrived" $n "$(count_mail)"
	is "the queue is empty" 0 "$(ls /var/spool/smtpgate/env | wc -l)"
	cron_cmd=$(sed -n 's/^\* \* \* \* \* smtpgate //p' /etc/cron.d/smtpgate-queue)
	runuser -u smtpgate -- sh -c "$cron_cmd" > "$tmp/out" 2>&1
	expect "cron's command runs as smtpgate" 0 $?
	is "cron's command prints nothing (cron would mail it)" "" "$(cat "$tmp/out")"

	# Remove keeps the queue; purge keeps queued mail and removes the rest.
	relay_down
	printf 'Subject: left\n\nkeep me\n' | /usr/sbin/sendmail ops@example.org > /dev/null 2>&1
	is "a message waits in the queue" 1 "$(ls /var/spool/smtpgate/env | wc -l)"
	apt-get remove -y -q smtpgate > "$tmp/apt.log" 2>&1
	expect "apt-get remove smtpgate" 0 $?
	is "remove keeps the queued message" 1 "$(ls /var/spool/smtpgate/env | wc -l)"
	is "remove keeps the secret" yes "$([ -f /etc/smtpgate/secret/relay ] && echo yes)"
	is "remove keeps the OAuth2 directory" yes \
	    "$([ -d /var/lib/smtpgate/oauth2 ] && echo yes)"
	dpkg --purge smtpgate smtpgate-common > "$tmp/apt.log" 2>&1
	expect "dpkg --purge smtpgate smtpgate-common" 0 $?
	expect_grep "purge says the queue holds mail" "still holds queued mail" "$tmp/apt.log"
	is "purge keeps the queued message" "1 1" \
	    "$(ls /var/spool/smtpgate/env | wc -l) $(ls /var/spool/smtpgate/msg | wc -l)"
	is "purge removes the configuration" no "$([ -e /etc/smtpgate ] && echo yes || echo no)"
	is "purge removes the OAuth2 tokens" no \
	    "$([ -e /var/lib/smtpgate ] && echo yes || echo no)"
	is "purge removes the statoverride" "" \
	    "$(dpkg-statoverride --list /usr/sbin/smtpgate-sendmail)"
	rm -f /var/spool/smtpgate/env/* /var/spool/smtpgate/msg/*
	apt-get install -y -q "$debs"/smtpgate_*.deb "$debs"/smtpgate-common_*.deb \
	    > "$tmp/apt.log" 2>&1
	expect "install again" 0 $?
	dpkg --purge smtpgate smtpgate-common > "$tmp/apt.log" 2>&1
	expect "purge again" 0 $?
	is "purge removes the empty queue" no "$([ -e /var/spool/smtpgate ] && echo yes || echo no)"

	userdel -r "$usr" 2>/dev/null
	[ "$nfail" -eq 0 ]	# 1: each failure has its FAIL line already
}

# ---- inside namespace 2: smtpgate-milter beside Debian's Postfix -------

inside_milter() {
	debs=$1
	ns_enter "$2"
	trap 'ns_leave; cleanup' EXIT

	apt-get install -y -q --no-remove "$debs"/smtpgate-milter_*.deb \
	    "$debs"/smtpgate-common_*.deb > "$tmp/apt.log" 2>&1
	expect "apt-get install --no-remove ./smtpgate-milter_*.deb: beside Postfix" 0 $?
	grep -E '^(E|W):|warning' "$tmp/apt.log" | sed 's/^/# apt: /'
	is "Postfix stays installed" "install ok installed" "$(installed postfix)"
	is "smtpgate (the MTA) is not pulled in" no \
	    "$(installed smtpgate | grep -q 'ok installed' && echo yes || echo no)"
	is "system user smtpgate-milter: no home, nologin" "/nonexistent /usr/sbin/nologin" \
	    "$(getent passwd smtpgate-milter | awk -F: '{ print $6, $7 }')"
	id -nG smtpgate-milter | tr ' ' '\n' > "$tmp/g"
	expect_nogrep "smtpgate-milter is not in group smtpgate" "^smtpgate$" "$tmp/g"
	id -nG postfix | tr ' ' '\n' > "$tmp/g"
	expect_grep "postfix is in group smtpgate-milter" "^smtpgate-milter$" "$tmp/g"
	sockdir=/var/spool/postfix/smtpgate
	is "$sockdir: smtpgate-milter's, 0750" "750 smtpgate-milter smtpgate-milter" \
	    "$(stat -c '%a %U %G' "$sockdir")"
	is "the milter's unit is enabled" /lib/systemd/system/smtpgate-milter.service \
	    "$(readlink /etc/systemd/system/multi-user.target.wants/smtpgate-milter.service)"
	conf=/etc/smtpgate/smtpgate.conf
	expect_grep "the shipped socket is in Postfix's chroot" \
	    "^socket = unix:$sockdir/milter.sock$" "$conf"
	is "man page smtpgate-milter(8)" yes \
	    "$([ -r /usr/share/man/man8/smtpgate-milter.8.gz ] && echo yes)"
	if command -v systemd-analyze > /dev/null; then
		systemd-analyze verify /lib/systemd/system/smtpgate-milter.service > "$tmp/out" 2>&1
		expect "systemd-analyze verify smtpgate-milter.service" 0 $?
	fi

	# The policy: redirect everything to a report address.
	sed -i -e '/^\[redirect\]/,/^\[/s/^enabled = no$/enabled = yes/' \
	    -e 's/^#\[report qa@example.org\]$/[report qa@example.org]/' \
	    -e '/^\[report qa@example.org\]/,/^\[/s/^#enabled = yes$/enabled = yes/' "$conf"

	# The milter as its unit starts it: ExecStartPre, then ExecStart, as
	# the unit's User= and Group= with that user's groups, no capability
	# (CapabilityBoundingSet= is empty) and no new privileges.
	unit=/lib/systemd/system/smtpgate-milter.service
	muser=$(sed -n 's/^User=//p' "$unit")
	mgroup=$(sed -n 's/^Group=//p' "$unit")
	is "the unit runs the milter as smtpgate-milter" "smtpgate-milter smtpgate-milter" \
	    "$muser $mgroup"
	is "the unit grants no capability" "" \
	    "$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")"
	pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
	start=$(sed -n 's/^ExecStart=//p' "$unit")
	# RuntimeDirectory=smtpgate, RuntimeDirectoryMode=0750, the User's.
	install -d -o "$muser" -g "$mgroup" -m 750 /run/smtpgate
	as_unit="setpriv --reuid $muser --regid $mgroup --init-groups
	    --bounding-set -all --inh-caps -all --no-new-privs"
	# shellcheck disable=SC2086
	$as_unit $pre > "$tmp/out" 2>&1
	expect "ExecStartPre ($pre) passes" 0 $?
	# Not through a function: $! must be the milter itself.
	# shellcheck disable=SC2086
	$as_unit $start > "$tmp/milter.log" 2>&1 &
	milter_pid=$!
	server_pids="$server_pids $milter_pid"
	i=0
	while [ ! -S "$sockdir/milter.sock" ] && [ $i -lt 100 ] &&
	    kill -0 "$milter_pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	is "the milter listens on $sockdir/milter.sock" yes \
	    "$([ -S "$sockdir/milter.sock" ] && echo yes)"
	sed 's/^/# milter: /' "$tmp/milter.log"
	is "the milter runs as smtpgate-milter" "$(id -u smtpgate-milter)" \
	    "$(ps -o uid= -p "$milter_pid" 2>/dev/null | tr -d ' ')"
	usr=debm$$
	useradd -M -s /bin/sh "$usr"
	# From /: the user may not be able to enter the source tree.
	(cd / && runuser -u "$usr" -- python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except PermissionError:
    sys.exit(13)
' "$sockdir/milter.sock")
	expect "a local user cannot connect to the milter" 13 $?

	# Debian's Postfix, chrooted as it ships (master.cf unchanged but
	# for the port), with the packaged snippet in main.cf.
	cport=$(pick_port "$((seed + 2))")
	pport=$(pick_port "$((seed + 3))")
	mkdir -p "$tmp/mail"
	start_server "$cport" "$tmp/capture.out" python3 "$server" --port "$cport" \
	    --maildir "$tmp/mail" --log "$tmp/clog" --name capture.test --smtputf8 ||
	    { echo "FAIL: the capture server did not start"; exit 1; }
	[ -f /etc/postfix/main.cf ] || cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
	is "master.cf runs smtpd chrooted" y \
	    "$(awk '$1 == "smtp" && $2 == "inet" { print $5 }' /etc/postfix/master.cf)"
	is "master.cf runs cleanup chrooted" y \
	    "$(awk '$1 == "cleanup" && $2 == "unix" { print $5 }' /etc/postfix/master.cf)"
	sed -i "s/^smtp      inet /$pport inet /" /etc/postfix/master.cf
	postconf -e "myhostname = postfix.test" "mydestination =" \
	    "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" \
	    "mynetworks = 127.0.0.0/8" "relayhost = [127.0.0.1]:$cport" \
	    "smtp_tls_security_level = none" "smtpd_tls_security_level = none" \
	    "smtpd_error_sleep_time = 0" "maillog_file = /var/log/postfix.log" \
	    "alias_maps =" "alias_database ="
	cat /usr/share/doc/smtpgate-milter/examples/postfix-main.cf >> /etc/postfix/main.cf
	expect_grep "the packaged snippet names the socket in the chroot" \
	    "^smtpd_milters = unix:smtpgate/milter.sock$" /etc/postfix/main.cf
	# What postfix.service's ExecStartPre does: copy the files the
	# chroot needs.
	/usr/lib/postfix/configure-instance.sh - > "$tmp/out" 2>&1
	postfix start > "$tmp/out" 2>&1
	expect "postfix start" 0 $?
	i=0
	while ! port_in_use "$pport" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

	python3 - "$pport" > "$tmp/out" 2>&1 <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.sendmail("app@example.org", ["customer@example.com"],
           "From: app@example.org\r\nTo: customer@example.com\r\n"
           "Subject: through smtpd\r\n\r\nhello\r\n")
s.quit()
EOF
	expect "a client sends through Postfix's chrooted smtpd" 0 $?
	printf 'From: app@example.org\nTo: other@example.com\nSubject: through sendmail\n\nhello\n' |
	    runuser -u "$usr" -- /usr/sbin/sendmail -i -f app@example.org other@example.com > "$tmp/out" 2>&1
	expect "a user sends through Postfix's sendmail (chrooted cleanup)" 0 $?
	postqueue -f > /dev/null 2>&1
	wait_mail 2
	is "both messages arrived" 2 "$(count_mail)"
	cat "$tmp"/mail/msg-* > "$tmp/all" 2>/dev/null || : > "$tmp/all"
	expect_grep "smtpd's message was redirected to the report address" \
	    "X-Original-To: customer@example.com" "$tmp/all"
	expect_grep "sendmail's message was redirected too" \
	    "X-Original-To: other@example.com" "$tmp/all"
	expect_grep "they went to the report address" "^RCPT TO:<qa@example.org>" "$tmp/all"
	expect_nogrep "nothing went to the original recipients" \
	    "^RCPT TO:<customer@example.com>\|^RCPT TO:<other@example.com>" "$tmp/all"
	expect_nogrep "Postfix reached the milter (no milter errors)" \
	    "milter.*\(Permission denied\|No such file\|can't connect\)" /var/log/postfix.log
	if [ "$nfail" -ne 0 ]; then
		tail -n 30 /var/log/postfix.log | sed 's/^/# postfix: /'
	fi
	postfix stop > /dev/null 2>&1
	kill "$milter_pid" 2>/dev/null
	wait "$milter_pid" 2>/dev/null
	userdel "$usr" 2>/dev/null

	dpkg --purge smtpgate-milter smtpgate-common > "$tmp/apt.log" 2>&1
	expect "dpkg --purge smtpgate-milter smtpgate-common" 0 $?
	is "purge removes the socket's directory" no \
	    "$([ -e "$sockdir" ] && echo yes || echo no)"
	is "Postfix is still installed after the purge" "install ok installed" "$(installed postfix)"
	[ "$nfail" -eq 0 ]	# 1: each failure has its FAIL line already
}

# In a PID namespace $$ is 1: the ports are spread by the caller's PID.
seed=$(( (${DEB_TEST_SEED:-$$} % 97) * 7 ))

case "${1:-}" in
--mta) inside_mta "$2" "$3"; exit ;;
--milter) inside_milter "$2" "$3"; exit ;;
esac

# ---- outside: build, lint, and run both namespaces ---------------------

for c in unshare dpkg-buildpackage dh lintian python3 apt-get setpriv runuser useradd; do
	command -v "$c" > /dev/null 2>&1 || { echo "SKIP: $c not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
case "$tmp" in
/etc/*|/usr/*|/var/*|/run/*|/root/*|/home/*|/opt/*|/srv/*)
	echo "SKIP: TMPDIR ($tmp) is under an overlaid directory"; exit 77 ;;
esac

work=${DEB_WORK:-$top/_build/deb}
if [ -n "${DEB_DIR:-}" ]; then
	debs=$DEB_DIR
else
	# A clean copy: the files git knows, as a fresh clone has them
	# (uncommitted edits included, build products left out).
	debs=$work
	rm -rf "$work"
	mkdir -p "$work/src"
	if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
		(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		    tar --null -T - -cf -) | tar -xf - -C "$work/src"
	else
		(cd "$top" && tar --exclude=./_build -cf - .) | tar -xf - -C "$work/src"
	fi
	# make check runs in the suite's own builds.
	t0=$(date +%s)
	(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=${JOBS:-2}" \
	    DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1
	expect "dpkg-buildpackage -us -uc -b (log: $work/build.log)" 0 $?
	echo "# package build: $(($(date +%s) - t0)) s"
	for p in smtpgate smtpgate-milter smtpgate-common; do
		is "package $p built" yes "$(ls "$work/${p}_"*.deb > /dev/null 2>&1 && echo yes)"
	done
	lintian --fail-on error --display-info \
	    "$work"/smtpgate_*.changes > "$work/lintian.log" 2>&1
	expect "lintian: no errors (log: $work/lintian.log)" 0 $?
	grep -E '^[EW]: ' "$work/lintian.log" | sed 's/^/# lintian: /'
fi
ls "$debs"/smtpgate_*.deb > /dev/null 2>&1 || { echo "FAIL: no packages in $debs"; exit 1; }

host_before=$(dpkg-query -W -f='${Status} ${Version}' postfix 2>/dev/null)
host_sendmail=$(readlink -f /usr/sbin/sendmail 2>/dev/null)

# ns MODE: one namespace, its own scratch directory.  It exits 0, or 1
# when an assertion failed (its FAIL line is printed), or otherwise when
# it could not run to its end (a timeout, a crash).
ns() {
	mkdir -p "$tmp/$1"
	t0=$(date +%s)
	DEB_TEST_SEED=$$ timeout 600 unshare --mount --propagation private --uts --pid --fork \
	    --kill-child --mount-proc sh "$self" "--$1" "$debs" "$tmp/$1"
	rc=$?
	echo "# $2 install test: $(($(date +%s) - t0)) s"
	case $rc in
	0) ;;
	1) nfail=$((nfail + 1)) ;;
	*) echo "FAIL: the $2 namespace did not run to its end: exit status $rc"
	   nfail=$((nfail + 1)) ;;
	esac
}
ns mta smtpgate
ns milter smtpgate-milter

is "the machine's Postfix is untouched" "$host_before" \
    "$(dpkg-query -W -f='${Status} ${Version}' postfix 2>/dev/null)"
is "the machine's /usr/sbin/sendmail is as it was" "$host_sendmail" \
    "$(readlink -f /usr/sbin/sendmail 2>/dev/null)"
is "no smtpgate package on the machine" "" \
    "$(dpkg-query -W -f='${Status}' smtpgate smtpgate-milter 2>/dev/null | grep 'ok installed')"
is "no smtpgate user on the machine" "" "$(getent passwd smtpgate smtpgate-milter)"
is "no /etc/smtpgate on the machine" no "$([ -e /etc/smtpgate ] && echo yes || echo no)"

[ "$nfail" -eq 0 ]
