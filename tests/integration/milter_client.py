#!/usr/bin/env python3
"""A minimal milter-protocol client: speaks to a milter the way an MTA does.

    milter_client.py probe SOCKET        negotiate, then quit
    milter_client.py odd-macros SOCKET   negotiate, send a MAIL macro packet
                                         with an odd number of strings, then
                                         MAIL FROM (libmilter's
                                         smfi_getsymval reads past its
                                         table on such a list)
    milter_client.py rcpts SOCKET N LEN  negotiate, MAIL FROM, N recipients
                                         of LEN octets each (angle brackets
                                         included), then abort; prints how
                                         many were taken, refused with 4xx
                                         and with 5xx

SOCKET is a unix socket path.  Prints one line and exits 0 when the
milter answered as expected, 1 when it answered something else or
closed the connection, 3 when the connection itself failed (the line
then names the error, e.g. "connect: [Errno 13] Permission denied").
"""
import socket
import struct
import sys

SMFI_VERSION = 6
SMFIF_ALL = 0x1FF        # every action an MTA may offer
PROTO_FLAGS = 0          # every step, and a reply to each


def packet(cmd, data=b""):
    return struct.pack("!I", len(data) + 1) + cmd + data


def read_reply(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            raise EOFError("the milter closed the connection")
        head += chunk
    (n,) = struct.unpack("!I", head)
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            raise EOFError("the milter closed the connection")
        body += chunk
    return body[:1], body[1:]


def rcpts(s, n, length):
    """MAIL, then n RCPTs answered one by one, then abort and quit."""
    s.sendall(packet(b"M", b"<a@example.org>\0"))
    cmd, _ = read_reply(s)
    if cmd != b"c":
        print("MAIL answered %r" % cmd)
        return 1
    taken = temp = perm = 0
    for i in range(n):
        local = b"%d-" % i
        local += b"r" * max(1, length - len(local) - len(b"<@example.net>"))
        s.sendall(packet(b"R", b"<" + local + b"@example.net>\0"))
        cmd, data = read_reply(s)
        if cmd == b"c":
            taken += 1
        elif cmd == b"t" or (cmd == b"y" and data[:1] == b"4"):
            temp += 1
        elif cmd == b"r" or (cmd == b"y" and data[:1] == b"5"):
            perm += 1
        else:
            print("RCPT answered %r %r" % (cmd, data))
            return 1
    s.sendall(packet(b"A"))
    s.sendall(packet(b"Q"))
    print("rcpts: %d taken, %d 4xx, %d 5xx" % (taken, temp, perm))
    return 0


def main():
    modes = {"probe": 3, "odd-macros": 3, "rcpts": 5}
    if len(sys.argv) < 2 or modes.get(sys.argv[1]) != len(sys.argv):
        sys.stderr.write(__doc__)
        return 64
    mode, path = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(path)
    except OSError as e:
        print("connect: %s" % e)
        return 3
    try:
        s.sendall(packet(b"O", struct.pack("!III", SMFI_VERSION, SMFIF_ALL,
                                           PROTO_FLAGS)))
        cmd, _ = read_reply(s)
        if cmd != b"O":
            print("negotiation answered %r" % cmd)
            return 1
        if mode == "probe":
            s.sendall(packet(b"Q"))
            print("negotiated")
            return 0
        if mode == "rcpts":
            return rcpts(s, int(sys.argv[3]), int(sys.argv[4]))
        # A name, its value, and a name without a value; long enough that
        # what lies past the table is heap data, not a lucky NULL.
        strings = [b"{mail_addr}", b"a" * 150 + b"@example.org",
                   b"{" + b"m" * 150 + b"}"]
        s.sendall(packet(b"D", b"M" + b"\0".join(strings) + b"\0"))
        s.sendall(packet(b"M", b"<a@example.org>\0"))
        cmd, _ = read_reply(s)
        print("MAIL answered %r" % cmd)
        s.sendall(packet(b"Q"))
        return 0
    except (OSError, EOFError) as e:
        print("%s: %s" % (mode, e))
        return 1
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
