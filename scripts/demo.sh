#!/bin/sh
# Set-up and demo: install the packages, build smtpgate, and send a real
# message through smtpgate-sendmail to a local SMTP server that speaks
# STARTTLS and AUTH (tests/integration/smtpd.py, on 127.0.0.1 only), with a
# certificate made on the spot by the openssl CLI.  The server is stopped
# by PID when the demo ends, however it ends.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
autoreconf -fi
mkdir -p _build/demo
cd _build/demo
"$top/configure" -q
make -j2 V=0
shim=$(pwd)/sendmail-shim/smtpgate-sendmail

srcdir=$top
# shellcheck source=../tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
make_certs "$tmp/pki" > "$tmp/pki.log" 2>&1 || { cat "$tmp/pki.log"; exit 1; }
port=$(pick_port 7)
mkdir -p "$tmp/mail"
printf 'demo-password\n' > "$tmp/secret"
chmod 600 "$tmp/secret"
start_server "$port" "$tmp/server.out" python3 "$top/tests/integration/smtpd.py" \
    --port "$port" --tls starttls --cert "$tmp/pki/server.pem" \
    --key "$tmp/pki/server.key" --auth PLAIN,LOGIN --require-auth \
    --user demo@example.org --password demo-password --pipelining \
    --maildir "$tmp/mail" || { echo "demo: the local SMTP server did not start"; exit 1; }

cat > "$tmp/smtpgate.conf" <<CONF
[general]
hostname = demo.example.org

[relay local]
host = 127.0.0.1
port = $port
tls = starttls
tls_ca_file = $tmp/pki/ca.pem
username = demo@example.org
password_file = $tmp/secret

[message]
from = "smtpgate demo" <demo@example.org>
reply_to = "Help desk" <help@example.org>

[redirect]
enabled = yes
subject_prefix = [DEMO]

[report qa@example.org]

[queue]
dir = $tmp/queue
CONF

echo
echo "== smtpgate-sendmail --check-config"
"$shim" -C "$tmp/smtpgate.conf" --check-config
echo
echo "== sending one message with -v (the SMTP transcript; AUTH data is masked)"
printf 'To: customer@example.com\nSubject: Your invoice\n\nHello from the smtpgate demo.\n' |
    "$shim" -C "$tmp/smtpgate.conf" -v -t
echo
echo "== what the server received (redirect is on: customer@example.com went to qa@example.org)"
cat "$tmp"/mail/msg-* | tr -d '\r'
echo
echo "Built: $(pwd)/sendmail-shim/smtpgate-sendmail and $(pwd)/milter/smtpgate-milter"
echo "Next: scripts/test.sh runs the whole test suite."
