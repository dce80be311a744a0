#!/bin/sh
# lib/net + lib/tls against a real TLS server (openssl s_server): chain and
# host name verification, SNI, pinning, and the errors a user sees.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
probe=./tests/tools/net_probe
command -v openssl >/dev/null 2>&1 || { echo "openssl CLI missing"; exit 77; }
make_certs "$tmp/pki" || { echo "FAIL: cannot make certificates"; exit 1; }

port=$(pick_port 1)
start_server "$port" "$tmp/s_server.log" openssl s_server -www -accept "127.0.0.1:$port" \
    -cert "$tmp/pki/server.pem" -key "$tmp/pki/server.key" -naccept 100 ||
    { echo "FAIL: s_server did not start"; exit 1; }
self=$(pick_port 2)
start_server "$self" "$tmp/s_self.log" openssl s_server -www -accept "127.0.0.1:$self" \
    -cert "$tmp/pki/self.pem" -key "$tmp/pki/self.key" -naccept 100 ||
    { echo "FAIL: second s_server did not start"; exit 1; }
get='GET / HTTP/1.0\r\n\r\n'

$probe -i -n mail.test -c "$tmp/pki/ca.pem" -s "$get" 127.0.0.1 "$port" > "$tmp/out" 2>&1
expect "verified TLS with the right CA and name" 0 $?
expect_grep "data read over TLS" "line: HTTP/1.0 200" "$tmp/out"
expect_grep "session described as verified" "certificate verified" "$tmp/out"
expect_grep "TLS 1.2 or later" "tls: TLSv1\.[23]" "$tmp/out"

$probe -i -n 127.0.0.1 -c "$tmp/pki/ca.pem" -s "$get" 127.0.0.1 "$port" > "$tmp/out" 2>&1
expect "IP address verified against the IP SAN" 0 $?

$probe -i -n wrong.test -c "$tmp/pki/ca.pem" -s "$get" 127.0.0.1 "$port" > "$tmp/out" 2>&1
expect "wrong host name is refused" 3 $?
expect_grep "error names the expected name" "expected wrong.test" "$tmp/out"
expect_grep "error shows what the certificate holds" "names mail.test 127.0.0.1" "$tmp/out"

$probe -i -n mail.test -s "$get" 127.0.0.1 "$port" > "$tmp/out" 2>&1
expect "unknown CA refused with the system store" 3 $?
expect_grep "error says why" "unable to get local issuer" "$tmp/out"

$probe -i -n mail.test -c "$tmp/pki/ca.pem" -s "$get" 127.0.0.1 "$self" > "$tmp/out" 2>&1
expect "self-signed certificate refused" 3 $?
expect_grep "self-signed named" "self.signed" "$tmp/out"

$probe -i -k -n wrong.test -s "$get" 127.0.0.1 "$self" > "$tmp/out" 2>&1
expect "verification off accepts anything" 0 $?
expect_grep "described as not verified" "certificate not verified" "$tmp/out"

pin=$(openssl x509 -in "$tmp/pki/self.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
$probe -i -k -p "$pin" -n mail.test -s "$get" 127.0.0.1 "$self" > "$tmp/out" 2>&1
expect "matching sha256 pin accepted" 0 $?
expect_grep "pin reported" "pin matched" "$tmp/out"
$probe -i -k -p "$(echo "$pin" | tr 0-9a-f 1-9a-f0)" -n mail.test -s "$get" 127.0.0.1 "$self" > "$tmp/out" 2>&1
expect "wrong pin refused" 3 $?
expect_grep "pin mismatch shows both" "expected sha256:.*presented sha256:$pin" "$tmp/out"

old=$(pick_port 4)
if start_server "$old" "$tmp/s_old.log" openssl s_server -www -accept "127.0.0.1:$old" \
    -cert "$tmp/pki/server.pem" -key "$tmp/pki/server.key" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' -naccept 10; then
	$probe -i -n mail.test -c "$tmp/pki/ca.pem" -s "$get" 127.0.0.1 "$old" > "$tmp/out" 2>&1
	expect "a TLS 1.1-only server is refused (TLS 1.2 minimum)" 4 $?
	expect_grep "protocol version named" "protocol version" "$tmp/out"
else
	echo "FAIL: TLS 1.1 s_server did not start"; nfail=$((nfail + 1))
fi

closed=$(pick_port 3)
$probe -T 2000 127.0.0.1 "$closed" > "$tmp/out" 2>&1
expect "closed port is a connect error" 2 $?
expect_grep "connection refused named with the address" "127.0.0.1\[127.0.0.1\]:$closed: Connection refused" "$tmp/out"

# A TLS server waits for our ClientHello: reading plain text times out.
$probe -T 300 127.0.0.1 "$port" > "$tmp/out" 2>&1
expect "silent server times out" 5 $?
expect_grep "timeout named" "timed out after 300 ms" "$tmp/out"

$probe -T 2000 no-such-host.invalid 25 > "$tmp/out" 2>&1
expect "unresolvable host is a connect error" 2 $?
expect_grep "resolution failure named" "cannot resolve host name no-such-host.invalid" "$tmp/out"

[ "$nfail" -eq 0 ]
