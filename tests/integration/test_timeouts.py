"""Connection timeouts: header, keep-alive, body and send timeouts."""

import hashlib
import os
import socket
import time
import unittest

from harness import Conn, ServerTestCase, make_sparse_file, parse_responses

HELLO = b"hello world\n"
LONG = "30"


def server_side_state(server_port, client_port):
    """TCP state (int, see include/net/tcp_states.h) of the server's socket
    for the connection from ``client_port``, or None if it no longer exists.
    Returns False if /proc/net/tcp is unavailable."""
    try:
        with open("/proc/net/tcp") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if (int(local.split(":")[1], 16) == server_port
                and int(remote.split(":")[1], 16) == client_port):
            return int(state, 16)
    return None


TCP_ESTABLISHED = 1


class Timeouts(ServerTestCase):
    def server(self, **timeouts):
        args = []
        for name in ("header", "keepalive", "body", "send"):
            args += ["--%s-timeout" % name, str(timeouts.get(name, LONG))]
        root = self.tempdir({"hello.txt": HELLO})
        self.root = root
        return self.start_server(root, args=args)

    def assertTimely408(self, srv, partial, lo=0.3, hi=4.0):
        c = self.connect(srv)
        c.send(partial)
        t0 = time.monotonic()
        closed, data = c.wait_closed(hi + 2)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "connection not closed after %.1fs" % elapsed)
        self.assertGreaterEqual(elapsed, lo, "closed too early")
        self.assertLess(elapsed, hi, "closed too late")
        resps, rest = parse_responses(data)
        self.assertEqual(len(resps), 1, "expected one 408 response, got %r" % data[:300])
        self.assertEqual(rest, b"")
        self.assertEqual(resps[0].status, 408, resps[0])
        self.assertTrue(resps[0].has_token("Connection", "close"), resps[0])
        return resps[0]

    # -- header timeout ------------------------------------------------------
    def test_header_timeout_partial_headers(self):
        srv = self.server(header="0.5")
        self.assertTimely408(srv, b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n")
        self.assertServes(srv, body=HELLO)

    def test_header_timeout_partial_request_line(self):
        srv = self.server(header="0.5")
        self.assertTimely408(srv, b"GET /hel")

    def test_header_timeout_nothing_sent(self):
        srv = self.server(header="0.5")
        c = self.connect(srv)
        t0 = time.monotonic()
        closed, data = c.wait_closed(6)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "silent connection not closed")
        self.assertEqual(data, b"", "silent connection got bytes: %r" % data[:200])
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(elapsed, 4.0)

    def test_header_timeout_on_second_request(self):
        srv = self.server(header="0.5")
        c = self.connect(srv)
        self.assertEqual(c.request("GET", "/hello.txt").body, HELLO)
        c.send(b"GET /hello.txt HTTP/1.1\r\nHo")
        closed, data = c.wait_closed(5)
        self.assertTrue(closed)
        resps, _ = parse_responses(data)
        self.assertEqual([r.status for r in resps], [408], data[:300])

    # -- keep-alive timeout ----------------------------------------------------
    def test_keepalive_timeout_closes_idle_connection(self):
        srv = self.server(keepalive="0.5")
        c = self.connect(srv)
        r = c.request("GET", "/hello.txt")
        self.assertEqual((r.status, r.body), (200, HELLO))
        t0 = time.monotonic()
        closed, data = c.wait_closed(6)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "idle keep-alive connection not closed")
        self.assertEqual(data, b"", "bytes sent on idle close: %r" % data[:200])
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(elapsed, 4.0)
        self.assertServes(srv)

    def test_keepalive_connection_usable_before_timeout(self):
        srv = self.server(keepalive="3")
        c = self.connect(srv)
        for _ in range(3):
            self.assertEqual(c.request("GET", "/hello.txt").body, HELLO)
            time.sleep(0.3)

    # -- body timeout ------------------------------------------------------------
    def _body_stall(self, raw):
        srv = self.server(body="0.5")
        c = self.connect(srv)
        c.send(raw)
        t0 = time.monotonic()
        closed, data = c.wait_closed(6)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "stalled body: connection not closed after %.1fs"
                        % elapsed)
        self.assertLess(elapsed, 4.0)
        resps, rest = parse_responses(data)
        self.assertEqual(rest, b"", "unparseable bytes: %r" % rest[:200])
        for r in resps:
            self.assertIn(r.status, (200, 405, 408), r)
        self.assertServes(srv)

    def test_body_timeout_content_length(self):
        self._body_stall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 100\r\n\r\n0123456789")

    def test_body_timeout_post(self):
        self._body_stall(b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 100\r\n\r\n0123456789")

    def test_body_timeout_chunked(self):
        self._body_stall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n64\r\n0123456789")

    # -- send timeout --------------------------------------------------------------
    def test_send_timeout_disconnects_non_reader(self):
        srv = self.server(send="0.5")
        size = 64 * 1024 * 1024
        make_sparse_file(os.path.join(self.root, "huge.bin"), size)
        c = self.connect(srv, rcvbuf=16384)
        client_port = c.sock.getsockname()[1]
        c.send(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        # while the stalled response is pending, other clients are served
        t0 = time.monotonic()
        self.assertServes(srv, body=HELLO, timeout=2.0)
        self.assertLess(time.monotonic() - t0, 2.0)
        # wait until the server gives up on the connection
        deadline = time.monotonic() + 10
        state = server_side_state(srv.port, client_port)
        if state is False:
            time.sleep(3.0)  # no /proc/net/tcp: give the timeout ample time
        else:
            self.assertIsNotNone(state, "server-side socket not found")
            while time.monotonic() < deadline:
                state = server_side_state(srv.port, client_port)
                if state != TCP_ESTABLISHED:
                    break
                time.sleep(0.1)
            self.assertNotEqual(state, TCP_ESTABLISHED,
                                "server still holds the stalled connection open")
        # the client now drains what is buffered and must hit EOF/RST early
        total = 0
        c.sock.settimeout(5)
        try:
            while True:
                chunk = c.sock.recv(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
        self.assertLess(total, size, "whole response delivered: no send timeout")
        t0 = time.monotonic()
        self.assertServes(srv, body=HELLO, timeout=2.0)
        self.assertLess(time.monotonic() - t0, 1.0)

    # -- active transfers are not subject to idle timeouts ----------------------
    def test_slow_reader_not_cut_by_idle_timeouts(self):
        srv = self.server(header="0.5", keepalive="0.5", body="0.5", send="5")
        data = os.urandom(2 * 1024 * 1024)
        with open(os.path.join(self.root, "two.bin"), "wb") as f:
            f.write(data)
        c = self.connect(srv, rcvbuf=32768, timeout=10)
        c.send(b"GET /two.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        head_deadline = time.monotonic() + 5
        head = c.read_until(b"\r\n\r\n", head_deadline)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        got = bytearray()
        while len(got) < len(data):
            chunk = c.read_some(32768, timeout=5)
            if not chunk:
                break
            got += chunk
            time.sleep(0.02)
        self.assertEqual(hashlib.sha256(got).digest(), hashlib.sha256(data).digest())

    def test_idle_connections_do_not_block_others(self):
        srv = self.server()
        idle = [self.connect(srv) for _ in range(30)]
        partial = [self.connect(srv) for _ in range(10)]
        for c in partial:
            c.send(b"GET /hello.txt HTTP/1.1\r\n")
        t0 = time.monotonic()
        self.assertServes(srv, body=HELLO, timeout=2.0)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(len(idle), 30)


if __name__ == "__main__":
    unittest.main()
