#!/usr/bin/env python3
"""Opens N keep-alive connections to a server, sends one request on each, reads its response,
then holds them idle (bench/run.py scenario "idle1k").

Usage: idle_conns.py HOST PORT COUNT PATH

Prints "ready OK" (OK = connections that got a complete 2xx response) once all are set up, then
waits until its stdin is closed; then prints "open N" (connections the server has not closed)
and exits, closing them all. Any failure is counted, never fatal: the caller reports the counts.
"""
import resource
import selectors
import socket
import sys
import time


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.done = False
        self.ok = False

    def on_data(self, data):
        """Feeds response bytes; True once the whole response (head + Content-Length) is in."""
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = self.buf[:end].decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if len(self.buf) - (end + 4) < length:
            return False
        parts = head[0].split(" ")
        self.ok = len(parts) > 1 and parts[1].startswith("2")
        return True


def main():
    host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    raise_nofile(count + 64)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    conns = []
    for _ in range(count):
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(request)
            s.setblocking(False)
            conns.append(Conn(s))
        except OSError:
            pass
    sel = selectors.DefaultSelector()
    for c in conns:
        sel.register(c.sock, selectors.EVENT_READ, c)
    pending = len(conns)
    deadline = time.time() + 30  # generous: only to never hang the benchmark
    while pending and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data or c.on_data(data):
                c.done = True
                sel.unregister(c.sock)
                pending -= 1
    print(f"ready {sum(1 for c in conns if c.ok)}", flush=True)
    sys.stdin.read()  # held idle until the caller closes our stdin
    still_open = 0
    for c in conns:
        try:
            # Nothing was asked, so anything readable means the server closed (b"") or sent
            # something unasked for: either way not a healthy idle connection.
            c.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:  # nothing to read: still open and idle
            still_open += 1
        except OSError:
            pass
        c.sock.close()
    print(f"open {still_open}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
