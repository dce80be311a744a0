#!/bin/sh
# Install the Debian 12 packages smtpgate needs to build and test.
# Run as root (or with sudo available).  Packages only: nothing else is downloaded.
set -eu

PACKAGES="gcc make autoconf automake libtool pkg-config check libssl-dev libmilter-dev
libcurl4-openssl-dev
debhelper dpkg-dev lintian git
clang libclang-rt-14-dev python3 openssl
postfix sasl2-bin libsasl2-modules miltertest"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
	    missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: apt-get not found; install these packages by hand:$missing" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get update -q
# The integration tests run their own private Postfix (tests/integration/
# postfix.sh).  Tell the postfix package not to configure a system mailer,
# so installing it asks nothing and leaves no system Postfix running.
if command -v debconf-set-selections >/dev/null 2>&1; then
	echo 'postfix postfix/main_mailer_type select No configuration' |
	    $SUDO debconf-set-selections
fi
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
