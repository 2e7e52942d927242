"""Graceful shutdown (drain of in-flight responses, shutdown timeout) and
robustness against clients that vanish mid-response."""

import hashlib
import os
import signal
import time
import unittest

from harness import (Conn, ServerTestCase, build_request,
                     connect_refused_or_reset, make_sparse_file)

HELLO = b"hello world\n"


class GracefulShutdown(ServerTestCase):
    def setUp(self):
        self.root = self.tempdir({"hello.txt": HELLO})

    def _wait_refused(self, port, within=3.0):
        """Poll until new connections are refused/reset; returns seconds."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < within:
            if connect_refused_or_reset(port, 0.5) is True:
                return time.monotonic() - t0
            time.sleep(0.05)
        self.fail("new connections still accepted %.1fs after SIGTERM" % within)

    def _drain(self, sig):
        size = 16 * 1024 * 1024
        data = os.urandom(size)
        with open(os.path.join(self.root, "big.bin"), "wb") as f:
            f.write(data)
        srv = self.start_server(self.root, args=["--shutdown-timeout", "10",
                                                 "--send-timeout", "30"])
        c = self.connect(srv, rcvbuf=65536, timeout=15)
        c.send(build_request("GET", "/big.bin"))
        deadline = time.monotonic() + 5
        head = c.read_until(b"\r\n\r\n", deadline)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        self.assertIn(b"content-length: %d\r\n" % size, head.lower())
        got = bytearray(c.read_some(65536, timeout=5))
        while len(got) < 256 * 1024:
            got += c.read_some(65536, timeout=5)
        t_sig = time.monotonic()
        srv.signal(sig)
        self._wait_refused(srv.port)
        self.assertTrue(srv.alive(), "server exited before finishing the in-flight "
                        "response (exit %r)" % srv.proc.poll())
        # keep reading slowly for a while, then at full speed
        slow_until = time.monotonic() + 0.5
        while len(got) < size:
            chunk = c.read_some(65536, timeout=10)
            if not chunk:
                break
            got += chunk
            if time.monotonic() < slow_until:
                time.sleep(0.01)
        self.assertEqual(len(got), size, "response cut short by shutdown")
        self.assertEqual(hashlib.sha256(got).digest(), hashlib.sha256(data).digest())
        # the connection is now idle and must be closed
        self.assertTrue(c.is_closed(3.0), "connection left open after drain")
        code = srv.wait(12 - (time.monotonic() - t_sig))
        self.assertIsNotNone(code, "server did not exit after draining")
        self.assertEqual(code, 0)

    def test_sigterm_drains_in_flight_download(self):
        self._drain(signal.SIGTERM)

    def test_sigint_drains_in_flight_download(self):
        self._drain(signal.SIGINT)

    def test_shutdown_timeout_bounds_drain(self):
        make_sparse_file(os.path.join(self.root, "huge.bin"), 64 * 1024 * 1024)
        srv = self.start_server(self.root, args=["--shutdown-timeout", "1",
                                                 "--send-timeout", "30"])
        c = self.connect(srv, rcvbuf=16384)
        c.send(build_request("GET", "/huge.bin"))
        head = c.read_until(b"\r\n\r\n", time.monotonic() + 5)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        time.sleep(0.2)  # let the response stall on the full socket buffers
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        code = srv.wait(6)
        elapsed = time.monotonic() - t0
        self.assertIsNotNone(code, "server ignored --shutdown-timeout 1")
        self.assertEqual(code, 0)
        self.assertGreaterEqual(elapsed, 0.7, "in-flight response not given the "
                                "shutdown timeout to finish")
        self.assertLess(elapsed, 4.0)

    def test_idle_connections_closed_and_quick_exit(self):
        srv = self.start_server(self.root, args=["--shutdown-timeout", "10"])
        conns = [self.connect(srv) for _ in range(5)]
        for c in conns[:3]:
            self.assertEqual(c.request("GET", "/hello.txt").body, HELLO)
        t0 = time.monotonic()
        self.assertEqual(srv.stop(signal.SIGTERM, 10), 0)
        self.assertLess(time.monotonic() - t0, 3.0)
        for c in conns:
            self.assertTrue(c.is_closed(2.0))

    def test_new_connections_refused_after_shutdown(self):
        srv = self.start_server(self.root)
        port = srv.port
        self.assertEqual(srv.stop(signal.SIGTERM, 10), 0)
        self.assertTrue(connect_refused_or_reset(port, 1.0))


class AbruptClients(ServerTestCase):
    def setUp(self):
        self.root = self.tempdir({"hello.txt": HELLO})
        make_sparse_file(os.path.join(self.root, "big32.bin"), 32 * 1024 * 1024)
        self.srv = self.start_server(self.root)

    def _partial_download(self, rst):
        c = Conn(self.srv.port, timeout=5)
        try:
            c.send(build_request("GET", "/big32.bin"))
            got = 0
            while got < 64 * 1024:
                chunk = c.read_some(65536)
                self.assertTrue(chunk, "server closed early")
                got += len(chunk)
        finally:
            if rst:
                c.abort()
            else:
                c.close()

    def test_disconnect_mid_response(self):
        for _ in range(5):
            self._partial_download(rst=False)
            self.assertServes(self.srv, body=HELLO)

    def test_reset_mid_response(self):
        for _ in range(5):
            self._partial_download(rst=True)
            self.assertServes(self.srv, body=HELLO)

    def test_many_aborted_downloads_in_parallel(self):
        conns = []
        for i in range(10):
            c = Conn(self.srv.port, timeout=5, rcvbuf=16384)
            c.send(build_request("GET", "/big32.bin"))
            conns.append(c)
        for i, c in enumerate(conns):
            c.read_some(1024)
            if i % 2:
                c.abort()
            else:
                c.close()
        self.assertServes(self.srv, body=HELLO)

    def test_disconnect_with_pipelined_requests_outstanding(self):
        c = Conn(self.srv.port, timeout=5)
        c.send(build_request("GET", "/big32.bin") * 3 + build_request("GET", "/hello.txt"))
        c.read_some(4096)
        c.abort()
        self.assertServes(self.srv, body=HELLO)

    def test_disconnect_mid_request(self):
        for rst in (False, True):
            c = Conn(self.srv.port, timeout=5)
            c.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Partial: ")
            c.abort() if rst else c.close()
            c = Conn(self.srv.port, timeout=5)
            c.send(b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
            c.abort() if rst else c.close()
        self.assertServes(self.srv, body=HELLO)


if __name__ == "__main__":
    unittest.main()
