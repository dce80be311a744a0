#!/usr/bin/env python3
"""A scripted SMTP server for smtpgate's integration tests (stdlib only).

It listens on 127.0.0.1 only, speaks plain SMTP, STARTTLS or implicit TLS,
offers AUTH PLAIN/LOGIN/XOAUTH2/OAUTHBEARER against one user (with
--oauth-tokens FILE the bearer tokens are FILE's lines, as
oauth2_server.py --issued writes them; a refused XOAUTH2 ends in
Office 365's "535 5.7.3"), and can be
told to fail at any stage, inject a reply around STARTTLS, stall, or drop
the connection in the middle of DATA.  Every message it accepts is written
to --maildir as one file: "MAIL FROM:<...>" and "RCPT TO:<...>" lines, an
empty line, then the data exactly as received with dot-stuffing undone.
Every command line is appended to --log (AUTH payloads included, so tests
can check what the client really sent).  --slow-rcpt, --slow-data and
--slow-quit delay those replies so that crash tests can kill a client in
the middle of a transaction; after the --slow-data pause a message whose
client has hung up is not stored (a server that noticed the drop), and
one that is stored is renamed into place just before its 250.
--blackhole plays a firewall that drops the port: it listens but never
accepts, and fills its own accept queue so the kernel drops every other
client's SYN and their connect() times out.  It runs until killed.
"""
import argparse
import base64
import os
import select
import socket
import socketserver
import ssl
import sys
import threading
import time

lock = threading.Lock()
counter = [0]


def parse_fail(specs):
    """--fail stage[=arg]:CODE text  ->  {(stage, arg): reply}"""
    out = {}
    for spec in specs or []:
        key, reply = spec.split(":", 1)
        stage, _, arg = key.partition("=")
        out[(stage.lower(), arg.lower())] = reply.strip()
    return out


def oauth_parse(mech, data):
    """(user, bearer token) from an XOAUTH2 or OAUTHBEARER initial
    response; None for what is missing or malformed."""
    text = data.decode("utf-8", "replace")
    user = token = None
    if mech == "XOAUTH2":
        # user=U ^A auth=Bearer T ^A ^A
        if not text.endswith("\x01\x01"):
            return None, None
        fields = text[:-2].split("\x01")
    else:
        # RFC 7628: gs2-header "n,a=U," ^A key=value ^A ... ^A ^A
        head, sep, rest = text.partition("\x01")
        if not sep or not rest.endswith("\x01\x01"):
            return None, None
        h = head.split(",")
        if len(h) < 3 or h[0] not in ("n", "y"):
            return None, None
        for attr in h[1:-1]:
            if attr.startswith("a="):
                user = attr[2:].replace("=2C", ",").replace("=3D", "=")
        fields = rest[:-2].split("\x01")
    for f in fields:
        k, eq, v = f.partition("=")
        if not eq:
            return None, None
        if k == "user" and mech == "XOAUTH2":
            user = v
        elif k == "auth":
            scheme, _, t = v.partition(" ")
            if scheme.lower() == "bearer" and t and " " not in t:
                token = t
    return user, token


def oauth_valid(path):
    """The access tokens the token endpoint issued: FILE's lines, read
    again at every AUTH (oauth2_server.py --issued appends to it)."""
    try:
        with open(path, encoding="utf-8") as f:
            return {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


class Session(socketserver.StreamRequestHandler):
    timeout = 60

    def setup(self):
        super().setup()
        o = self.server.opts
        self.tls = False
        if o.tls == "implicit":
            self.start_tls()

    def start_tls(self):
        o = self.server.opts
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(o.cert, o.key)
        self.request = ctx.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb", buffering=0)
        self.tls = True

    def send(self, text):
        self.wfile.write(text.encode("utf-8", "surrogateescape"))

    def reply(self, code_text):
        """Send a reply; a text with \\n becomes a multi-line reply."""
        code, _, rest = code_text.partition(" ")
        lines = rest.split("\\n") if rest else [""]
        out = ""
        for i, line in enumerate(lines):
            sep = "-" if i < len(lines) - 1 else " "
            out += code + sep + line + "\r\n"
        self.send(out)

    def log(self, line):
        o = self.server.opts
        if o.log:
            with lock, open(o.log, "a", encoding="utf-8", errors="surrogateescape") as f:
                f.write(line + "\n")

    def peer_gone(self):
        """True when the client has closed or reset its end."""
        try:
            r, _, _ = select.select([self.request], [], [], 0)
            return bool(r) and self.request.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def failure(self, stage, arg=""):
        f = self.server.fails
        return f.get((stage, arg.lower())) or f.get((stage, ""))

    def readline(self):
        line = self.rfile.readline(65536)
        if not line:
            raise EOFError
        return line.decode("utf-8", "surrogateescape").rstrip("\r\n")

    def ehlo_lines(self):
        o = self.server.opts
        lines = [o.name]
        if o.pipelining:
            lines.append("PIPELINING")
        if o.size:
            lines.append("SIZE %d" % o.size)
        lines += ["8BITMIME", "ENHANCEDSTATUSCODES", "DSN"]
        if o.smtputf8:
            lines.append("SMTPUTF8")
        if o.tls == "starttls" and not self.tls and not o.hide_starttls:
            lines.append("STARTTLS")
        if o.auth and (self.tls or o.auth_plaintext):
            lines.append("AUTH " + " ".join(o.auth.split(",")))
        return lines

    def check_auth(self, mech, data):
        o = self.server.opts
        if mech == "PLAIN":
            parts = data.split(b"\0")
            return len(parts) == 3 and parts[1].decode() == o.user and parts[2].decode() == o.password
        if mech in ("XOAUTH2", "OAUTHBEARER") and o.oauth_tokens:
            user, token = oauth_parse(mech, data)
            return user == o.user and token is not None and token in oauth_valid(o.oauth_tokens)
        if mech == "XOAUTH2":
            return data == ("user=%s\x01auth=Bearer %s\x01\x01" % (o.user, o.password)).encode()
        if mech == "OAUTHBEARER":
            return data.startswith(b"n,a=" + o.user.encode() + b",") and \
                ("auth=Bearer %s\x01\x01" % o.password).encode() in data
        return False

    def auth(self, args):
        o = self.server.opts
        words = args.split()
        mech = words[0].upper() if words else ""
        if not o.auth or mech not in o.auth.split(","):
            return self.reply("504 5.5.4 mechanism not available")
        fail = self.failure("auth")
        if mech == "LOGIN":
            self.reply("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.readline())
            self.log("AUTH-DATA " + user.decode("utf-8", "replace"))
            self.reply("334 UGFzc3dvcmQ6")
            pw = base64.b64decode(self.readline())
            self.log("AUTH-DATA " + pw.decode("utf-8", "replace"))
            ok = user.decode() == o.user and pw.decode() == o.password
        else:
            data = base64.b64decode(words[1]) if len(words) > 1 and words[1] != "=" else b""
            self.log("AUTH-DATA " + data.decode("utf-8", "replace").replace("\0", "\\0").replace("\x01", "^A"))
            ok = self.check_auth(mech, data)
            if not ok and mech in ("XOAUTH2", "OAUTHBEARER"):
                err = base64.b64encode(b'{"status":"401","schemes":"Bearer"}').decode()
                self.reply("334 " + err)
                self.log("AUTH-END " + self.readline())
        if fail:
            return self.reply(fail)
        if ok:
            self.authed = True
            return self.reply("235 2.7.0 Authentication successful")
        if mech == "XOAUTH2" and o.oauth_tokens:
            # What Office 365 answers to an expired or unknown token.
            return self.reply("535 5.7.3 Authentication unsuccessful")
        return self.reply("535 5.7.8 Authentication credentials invalid")

    def handle(self):
        o = self.server.opts
        self.authed = False
        if o.slow:
            time.sleep(o.slow)
        fail = self.failure("greeting")
        self.reply(fail or "220 %s ESMTP test server" % o.name)
        if fail:
            return
        sender, rcpts = None, []
        try:
            while True:
                line = self.readline()
                self.log(line)
                verb, _, args = line.partition(" ")
                verb = verb.upper()
                if verb == "EHLO":
                    fail = self.failure("ehlo")
                    if fail:
                        self.reply(fail)
                        continue
                    self.reply("250 " + "\\n".join(self.ehlo_lines()))
                elif verb == "HELO":
                    self.reply("250 " + o.name)
                elif verb == "STARTTLS" and o.tls == "starttls" and not self.tls:
                    if o.inject:
                        # A man in the middle's trick: a reply that arrives
                        # before the handshake and would be read after it.
                        self.send("220 2.0.0 Ready\r\n250-evil.example\r\n250 AUTH PLAIN\r\n")
                    else:
                        self.reply("220 2.0.0 Ready to start TLS")
                    self.start_tls()
                elif verb == "AUTH":
                    self.auth(args)
                elif verb == "MAIL":
                    if o.auth and o.require_auth and not self.authed:
                        self.reply("530 5.7.0 Authentication required")
                        continue
                    addr = args[5:].split(">")[0].lstrip("<") if args.upper().startswith("FROM:") else ""
                    fail = self.failure("mail", addr)
                    if fail:
                        self.reply(fail)
                        continue
                    sender, rcpts = line, []
                    self.log("MAIL-AT %.6f" % time.time())
                    self.reply("250 2.1.0 Ok")
                elif verb == "RCPT":
                    addr = args[3:].split(">")[0].lstrip("<") if args.upper().startswith("TO:") else ""
                    fail = self.failure("rcpt", addr)
                    if o.slow_rcpt:
                        time.sleep(o.slow_rcpt)
                    if sender is None:
                        self.reply("503 5.5.1 need MAIL first")
                    elif fail:
                        self.reply(fail)
                    else:
                        rcpts.append(line)
                        self.reply("250 2.1.5 Ok")
                elif verb == "DATA":
                    if not rcpts:
                        self.reply("554 5.5.1 no valid recipients")
                        continue
                    fail = self.failure("data")
                    if fail:
                        self.reply(fail)
                        continue
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    self.data(sender, rcpts)
                    sender, rcpts = None, []
                elif verb == "RSET":
                    sender, rcpts = None, []
                    self.reply("250 2.0.0 Ok")
                elif verb == "NOOP":
                    self.reply("250 2.0.0 Ok")
                elif verb == "QUIT":
                    if o.slow_quit:
                        time.sleep(o.slow_quit)
                    self.reply("221 2.0.0 Bye")
                    return
                else:
                    self.reply("502 5.5.2 command not recognized")
        except (EOFError, ConnectionError, ssl.SSLError, OSError):
            return

    def data(self, sender, rcpts):
        o = self.server.opts
        body = bytearray()
        while True:
            raw = self.rfile.readline(1 << 20)
            if not raw:
                raise EOFError
            if raw == b".\r\n":
                break
            if o.disconnect_in_data and len(body) > o.disconnect_in_data:
                self.request.close()
                raise EOFError
            if raw.startswith(b".."):
                raw = raw[1:]
            body += raw
        fail = self.failure("dot")
        if fail:
            self.reply(fail)
            return
        with lock:
            counter[0] += 1
            n = counter[0]
        if o.maildir:
            path = os.path.join(o.maildir, "msg-%d-%05d" % (os.getpid(), n))
            with open(path + ".tmp", "wb") as f:
                f.write((sender + "\n" + "\n".join(rcpts) + "\n\n").encode("utf-8", "surrogateescape"))
                f.write(bytes(body))
        if o.slow_data:
            # The slow part is done: only the rename and the 250 are left,
            # so a stored message is one whose client was there for it.
            time.sleep(o.slow_data)
            if self.peer_gone():
                if o.maildir:
                    os.unlink(path + ".tmp")
                raise EOFError
        if o.maildir:
            os.rename(path + ".tmp", path)
        self.reply("250 2.0.0 Ok: queued as T%05d" % n)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    # socketserver listens with a backlog of 5: with 50 clients at once
    # the kernel drops handshakes and some clients wait a minute for the
    # greeting.  MTAs listen with a backlog of 100 or more.
    request_queue_size = 128


def blackhole(port):
    """Listen with no room in the accept queue: SYNs are dropped."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(0)
    # Linux counts a queue of backlog 0 full after one connection; a
    # few more make sure, and their own SYNs may be dropped already.
    fillers = []
    for _ in range(3):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
        time.sleep(0.2)
    sys.stdout.write("blackhole on 127.0.0.1:%d\n" % port)
    sys.stdout.flush()
    while True:
        time.sleep(3600)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--hide-starttls", action="store_true")
    p.add_argument("--inject", action="store_true")
    p.add_argument("--auth", default="")
    p.add_argument("--auth-plaintext", action="store_true")
    p.add_argument("--require-auth", action="store_true")
    p.add_argument("--user", default="alice@example.org")
    p.add_argument("--password", default="secret")
    # XOAUTH2/OAUTHBEARER take any token listed in this file (one a line,
    # read again at each AUTH) for --user, instead of --password.
    p.add_argument("--oauth-tokens")
    p.add_argument("--fail", action="append")
    p.add_argument("--pipelining", action="store_true")
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("--slow", type=float, default=0)
    p.add_argument("--slow-rcpt", type=float, default=0)
    p.add_argument("--slow-data", type=float, default=0)
    p.add_argument("--slow-quit", type=float, default=0)
    p.add_argument("--disconnect-in-data", type=int, default=0)
    p.add_argument("--maildir")
    p.add_argument("--log")
    p.add_argument("--name", default="sink.test")
    p.add_argument("--blackhole", action="store_true")
    o = p.parse_args()
    if o.blackhole:
        blackhole(o.port)
    srv = Server(("127.0.0.1", o.port), Session)
    srv.opts = o
    srv.fails = parse_fail(o.fail)
    sys.stdout.write("listening on 127.0.0.1:%d\n" % o.port)
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
