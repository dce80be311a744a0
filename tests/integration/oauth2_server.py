#!/usr/bin/env python3
"""A scripted OAuth2 token and device-code endpoint for smtpgate's tests.

HTTPS on 127.0.0.1 only (python3 stdlib: http.server + ssl), with the
certificate and key given on the command line.  Two paths, both POST with
Content-Type application/x-www-form-urlencoded, as RFC 6749 and RFC 8628
and Microsoft's and Google's endpoints speak them:

  /token        grant_type=refresh_token: refresh_token, client_id,
                [client_secret], [scope]
                grant_type=urn:ietf:params:oauth:grant-type:device_code:
                device_code, client_id, [client_secret]
  /devicecode   client_id, scope: starts a device login

Its behaviour comes from KEY=VALUE settings: --set on the command line,
then --script FILE, which is read again at every request, so a test can
change the behaviour between steps without a restart.  Keys:

  client_id=ID        the client it knows (smtpgate-test); any other gets
                      400 invalid_client
  client_secret=S     a confidential client: a request without S (or with
                      another) gets 401 invalid_client.  Empty (the
                      default): a public client, no secret checked
  scope=SCOPE         when set, a request with another scope (or none)
                      gets 400 invalid_scope
  refresh=MODE        what a refresh_token grant gets:
                        valid          200; no refresh_token in the answer
                                       (Google); the old one stays valid
                        rotate         200 with a new refresh_token; the
                                       old one becomes invalid (Microsoft)
                        invalid_grant  400 invalid_grant, and the refresh
                                       token used is revoked for good
                        5xx            503 temporarily_unavailable
                        hang           reads the request, never answers
                                       (until the client hangs up)
                        slow           answers as valid after delay=N s
  delay=N             seconds for refresh=slow (5)
  refresh_tokens=A,B  refresh tokens valid from the start, besides the
                      ones it issues; any unknown one gets invalid_grant
  expires_in=N        the access tokens' expires_in (3600)
  expires_as=number|string
                      expires_in as a JSON number (default) or a string of
                      digits, as older Microsoft answers have it
  device=A,B,...      the answers to the successive polls of one device
                      code: pending (authorization_pending), slow_down,
                      ok, access_denied, expired_token, 5xx; the last one
                      repeats (ok)
  devicecode=ok|5xx|hang
                      what /devicecode itself does (ok)
  style=microsoft|google
                      the device answer's field names: verification_uri
                      and message (Microsoft, the default) or
                      verification_url (Google)
  interval=N          the device answer's interval (1)
  device_expires_in=N the device answer's expires_in (900)
  verification=URL    the URL to open (https://127.0.0.1:PORT/devicelogin)
  user_code=CODE      the user code to show (a random "ABCD-EFGH")

Issued access tokens are "at-<counter>-<random>", refresh tokens
"rt-<counter>-<random>", device codes "dc-...", user codes "ABCD-EFGH".
--issued FILE gets every access token, one a line, before the answer
leaves (smtpd.py --oauth-tokens reads it as the valid tokens).  --log FILE
gets one JSON line per request as it arrives (before any hang or delay):
t, path, method, content_type, grant_type, refresh_token, device_code,
client_id, client_secret (true/false: was one sent), scope, mode.  The
client never reads either file; tests count requests in the log.

It prints "listening on https://127.0.0.1:PORT" once it listens (and
writes --pid-file if asked), and runs until killed.
"""
import argparse
import json
import os
import random
import socket
import ssl
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULTS = {
    "client_id": "smtpgate-test",
    "client_secret": "",
    "scope": "",
    "refresh": "valid",
    "delay": "5",
    "refresh_tokens": "",
    "expires_in": "3600",
    "expires_as": "number",
    "device": "ok",
    "devicecode": "ok",
    "style": "microsoft",
    "interval": "1",
    "device_expires_in": "900",
    "verification": "",
    "user_code": "",
}
POLL_ERRORS = {
    "pending": "authorization_pending",
    "slow_down": "slow_down",
    "access_denied": "access_denied",
    "expired_token": "expired_token",
}

lock = threading.Lock()
state = {
    "counter": 0,
    "refresh": set(),    # refresh tokens it accepts
    "revoked": set(),    # refresh tokens that were valid once
    "devices": {},       # device_code -> polls answered so far
}


def parse_settings(lines, into, where):
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or key not in DEFAULTS:
            sys.stderr.write("%s:%d: unknown setting %r\n" % (where, n, line))
            continue
        into[key] = value.strip()


def settings(opts):
    s = dict(opts.base)
    if opts.script:
        try:
            with open(opts.script, encoding="utf-8") as f:
                parse_settings(f.read().splitlines(), s, opts.script)
        except FileNotFoundError:
            pass
    with lock:
        for t in s["refresh_tokens"].split(","):
            t = t.strip()
            if t and t not in state["revoked"]:
                state["refresh"].add(t)
    return s


def new_id(prefix):
    with lock:
        state["counter"] += 1
        n = state["counter"]
    r = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(16))
    return "%s-%d-%s" % (prefix, n, r)


def user_code():
    a = string.ascii_uppercase
    return "".join(random.choice(a) for _ in range(4)) + "-" + \
        "".join(random.choice(a) for _ in range(4))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "oauth2-test/1"
    timeout = 60

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def answer(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def error(self, status, code, desc, extra=None):
        self.answer(status, {"error": code, "error_description": desc}, extra)

    def hang(self):
        """Never answer: wait until the client gives up (or 10 minutes)."""
        self.close_connection = True
        sock = self.connection
        end = time.time() + 600
        while time.time() < end:
            try:
                sock.settimeout(1)
                if sock.recv(1) == b"":
                    return
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                return

    def record(self, entry):
        o = self.server.opts
        if o.log:
            with lock, open(o.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        self.close_connection = True
        self.error(405, "invalid_request", "POST only")

    def do_POST(self):
        o = self.server.opts
        s = settings(o)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        ctype = self.headers.get("Content-Type", "")
        form = {k: v[0] for k, v in urllib.parse.parse_qs(
            raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        path = urllib.parse.urlsplit(self.path).path
        self.form_scope = form.get("scope")
        grant = form.get("grant_type")
        if path == "/devicecode":
            mode = s["devicecode"]
        elif grant == DEVICE_GRANT:
            mode = "poll"
        else:
            mode = s["refresh"]
        self.record({
            "t": round(time.time(), 3),
            "path": path,
            "method": "POST",
            "content_type": ctype,
            "grant_type": grant,
            "refresh_token": form.get("refresh_token"),
            "device_code": form.get("device_code"),
            "client_id": form.get("client_id"),
            "client_secret": "client_secret" in form,
            "scope": form.get("scope"),
            "mode": mode,
        })
        if path not in ("/token", "/devicecode"):
            return self.error(404, "invalid_request", "no such endpoint")
        if ctype.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return self.error(400, "invalid_request",
                              "Content-Type must be application/x-www-form-urlencoded")
        if form.get("client_id") != s["client_id"]:
            return self.error(400, "invalid_client", "unknown client_id")
        if s["client_secret"] and form.get("client_secret") != s["client_secret"]:
            return self.error(401, "invalid_client", "client authentication failed")
        if path == "/devicecode":
            return self.devicecode(s, form)
        if grant == DEVICE_GRANT:
            return self.poll(s, form)
        if grant == "refresh_token":
            return self.refresh(s, form)
        return self.error(400, "unsupported_grant_type", "grant_type %r" % grant)

    def scope_ok(self, s, form):
        if s["scope"] and form.get("scope") != s["scope"]:
            self.error(400, "invalid_scope", "the scope is not %r" % s["scope"])
            return False
        return True

    def tokens(self, s, refresh):
        at = new_id("at")
        o = self.server.opts
        if o.issued:
            with lock, open(o.issued, "a", encoding="utf-8") as f:
                f.write(at + "\n")
                f.flush()
                os.fsync(f.fileno())
        exp = int(s["expires_in"])
        out = {"token_type": "Bearer",
               "scope": s["scope"] or self.form_scope or "https://mail.google.com/",
               "expires_in": str(exp) if s["expires_as"] == "string" else exp,
               "ext_expires_in": exp,
               "access_token": at}
        if refresh:
            rt = new_id("rt")
            with lock:
                state["refresh"].add(rt)
            out["refresh_token"] = rt
        return out

    def devicecode(self, s, form):
        mode = s["devicecode"]
        if mode == "5xx":
            return self.error(503, "temporarily_unavailable", "try later")
        if mode == "hang":
            return self.hang()
        if not self.scope_ok(s, form):
            return
        dc = new_id("dc")
        uc = s["user_code"] or user_code()
        with lock:
            state["devices"][dc] = 0
        url = s["verification"] or "https://127.0.0.1:%d/devicelogin" % self.server.server_port
        out = {"device_code": dc, "user_code": uc,
               "expires_in": int(s["device_expires_in"]),
               "interval": int(s["interval"])}
        if s["style"] == "google":
            out["verification_url"] = url
        else:
            out["verification_uri"] = url
            out["message"] = ("To sign in, use a web browser to open the page %s "
                              "and enter the code %s to authenticate." % (url, uc))
        self.answer(200, out)

    def poll(self, s, form):
        dc = form.get("device_code")
        with lock:
            n = state["devices"].get(dc)
            if n is not None:
                state["devices"][dc] = n + 1
        if n is None:
            return self.error(400, "invalid_grant", "unknown device_code")
        seq = [x.strip() for x in s["device"].split(",") if x.strip()] or ["ok"]
        step = seq[min(n, len(seq) - 1)]
        if step == "ok":
            with lock:
                del state["devices"][dc]
            return self.answer(200, self.tokens(s, True))
        if step == "5xx":
            return self.error(503, "temporarily_unavailable", "try later")
        if step in POLL_ERRORS:
            return self.error(400, POLL_ERRORS[step], "device flow: %s" % step)
        return self.error(500, "server_error", "bad device step %r" % step)

    def refresh(self, s, form):
        mode = s["refresh"]
        rt = form.get("refresh_token")
        if mode == "5xx":
            return self.error(503, "temporarily_unavailable", "try later")
        if mode == "hang":
            return self.hang()
        if mode == "slow":
            time.sleep(float(s["delay"]))
        with lock:
            known = rt in state["refresh"]
            if known and mode in ("invalid_grant", "rotate"):
                state["refresh"].discard(rt)
                state["revoked"].add(rt)
        if not known:
            return self.error(400, "invalid_grant",
                              "AADSTS70000: the provided refresh token is not valid")
        if mode == "invalid_grant":
            return self.error(400, "invalid_grant",
                              "AADSTS700082: the refresh token has expired due to inactivity")
        if not self.scope_ok(s, form):
            return
        if mode not in ("valid", "rotate", "slow"):
            return self.error(500, "server_error", "bad refresh mode %r" % mode)
        self.answer(200, self.tokens(s, mode == "rotate"))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that refused our certificate or hung up: one line.
        e = sys.exc_info()[1]
        sys.stderr.write("%s: %s: %s\n" % (client_address[0], type(e).__name__, e))


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True, help="server certificate (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    p.add_argument("--log", help="one JSON line per request")
    p.add_argument("--issued", help="every access token issued, one a line")
    p.add_argument("--script", help="KEY=VALUE settings, read at every request")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting before the script's (repeatable)")
    p.add_argument("--pid-file", help="write the PID here once listening")
    o = p.parse_args()
    o.base = dict(DEFAULTS)
    parse_settings(o.set, o.base, "--set")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(o.cert, o.key)
    srv = Server(("127.0.0.1", o.port), Handler)
    # The handshake happens in the request's thread: a client that
    # connects and stalls must not block accept() for the others.
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=False)
    srv.opts = o
    settings(o)
    if o.pid_file:
        with open(o.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stdout.write("listening on https://127.0.0.1:%d\n" % o.port)
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
