"""Hostile clients: minimum send and body rates, the per-worker connection cap and its 503
refusal, and many slow connections not delaying a fresh client. Durations are only used to
detect hangs; the latency a fresh client sees is printed for the record."""

import os
import resource
import socket
import time
import unittest

import harness

MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= want


class HostileClients(harness.ServerTestCase):
    def static_server(self, *args):
        root = self.tempdir({"hello.txt": "Hello, World!", "big.bin": b"z" * (8 << 20)})
        return self.start_server(root, args=list(args))

    def test_client_reading_too_slowly_is_dropped(self):
        # 8 MiB to a client that reads 100 bytes a second: well under --min-send-rate, though it
        # never stays silent long enough for the send timeout.
        srv = self.static_server("--min-send-rate", "2000", "--send-timeout", "120")
        c = harness.Conn(srv.port, timeout=30, rcvbuf=4096)
        self.addCleanup(c.close)
        c.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        start = time.monotonic()
        while time.monotonic() - start < 25 and "client reads too slowly" not in srv.log_text():
            try:
                c.sock.recv(100)
            except (ConnectionResetError, socket.timeout):
                break
            time.sleep(1)
        srv.wait_for_log(r"client reads too slowly", timeout=5)
        # What the client still has buffered, then the end: the connection is gone.
        c.sock.settimeout(5)
        ended = False
        try:
            while c.sock.recv(65536):
                pass
            ended = True
        except ConnectionResetError:
            ended = True
        except socket.timeout:
            pass
        self.assertTrue(ended, "the slow reader's connection is still open")
        # Everyone else is still served.
        with harness.Conn(srv.port) as c2:
            c2.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(c2.read_response(timeout=5).body, b"Hello, World!")

    def test_body_trickled_too_slowly_gets_408(self):
        echo = os.path.join(MODULE_DIR, "echo.so")
        srv = self.start_server(args=["--module", f"Echo={echo}", "--min-body-rate", "100",
                                      "--body-timeout", "120"])
        c = harness.Conn(srv.port, timeout=30)
        self.addCleanup(c.close)
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        got = b""
        start = time.monotonic()
        while time.monotonic() - start < 25:
            try:
                c.sock.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                break
            c.sock.settimeout(0.5)
            try:
                data = c.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            if not data:
                break
            got += data
        self.assertTrue(got.startswith(b"HTTP/1.1 408 "), got[:80])
        srv.wait_for_log(r"request body arrives too slowly", timeout=5)

    def test_connection_cap_refuses_with_503(self):
        srv = self.static_server("--max-connections", "8")
        held = []
        for _ in range(8):
            c = harness.Conn(srv.port, timeout=5)
            self.addCleanup(c.close)
            c.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(c.read_response(timeout=5).status, 200)
            held.append(c)
        extra = harness.Conn(srv.port, timeout=5)
        self.addCleanup(extra.close)
        extra.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", tolerate_reset=True)
        data = extra.read_until_close(timeout=5)
        self.assertTrue(data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), data[:80])
        self.assertIn(b"Retry-After: 1\r\n", data)
        srv.wait_for_log(r"connections open \(the maximum\): \d+ refused with 503", timeout=5)
        # Room again once a connection goes.
        held.pop().close()
        deadline = time.monotonic() + 5
        while True:
            c = harness.Conn(srv.port, timeout=5)
            self.addCleanup(c.close)
            c.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", tolerate_reset=True)
            try:
                r = c.read_response(timeout=5)
            except AssertionError:
                r = None
            if r is not None and r.status == 200:
                break
            self.assertLess(time.monotonic(), deadline, "no connection accepted after one closed")
            time.sleep(0.1)

    def test_many_slow_connections_do_not_delay_a_fresh_client(self):
        if not raise_nofile(1200):
            self.skipTest("cannot open 1,000 descriptors here")
        srv = self.static_server()
        slow = []
        for i in range(1000):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n")  # the head never ends
            slow.append(s)
        self.addCleanup(lambda: [s.close() for s in slow])
        for s in slow[::100]:
            s.sendall(b"X-Slow: 1\r\n")  # still trickling
        t0 = time.monotonic()
        with harness.Conn(srv.port, timeout=5) as c:
            c.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            r = c.read_response(timeout=5)
        ms = (time.monotonic() - t0) * 1000
        print(f"\nfresh client answered in {ms:.1f} ms beside 1,000 slow connections")
        self.assertEqual(r.body, b"Hello, World!")


if __name__ == "__main__":
    unittest.main()
