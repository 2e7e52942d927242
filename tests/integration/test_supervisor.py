"""The supervising parent process: it keeps the listening sockets, restarts a worker process
that crashed (a module's SIGSEGV) and forwards stop signals. The restart gap is measured and
printed, never asserted."""

import os
import re
import signal
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


class SupervisorTest(harness.ServerTestCase):
    def start(self, *extra):
        module = os.path.join(TEST_MODULE_DIR, "bodyload.so")
        return self.start_server(args=["--module", f"M={module}", *extra])

    def fetch(self, srv, path, timeout=5):
        with harness.Conn(srv.port, timeout=timeout) as c:
            c.send(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return c.read_response(timeout=timeout)

    def test_crashed_worker_is_restarted_on_the_same_sockets(self):
        srv = self.start()
        self.assertEqual(self.fetch(srv, "/frag?op=remove&name=x").body, b"hr=0x80070002")
        first = children(srv.proc.pid)
        self.assertEqual(len(first), 1, "one worker process under the supervisor")
        # A module crashes the worker process: that request's connection just ends.
        with harness.Conn(srv.port, timeout=5) as c:
            c.send("GET /segv HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(c.read_until_close(timeout=5), b"")
        t0 = time.monotonic()
        # The listening socket never went away: a client connecting now waits in its queue
        # and is answered by the new worker process.
        r = self.fetch(srv, "/frag?op=remove&name=x", timeout=10)
        gap_ms = (time.monotonic() - t0) * 1000
        print(f"\nservice gap after a worker crash: {gap_ms:.1f} ms")
        self.assertEqual(r.body, b"hr=0x80070002")
        srv.wait_for_log(r"died on signal 11 \(Segmentation fault\).*restarting", timeout=5)
        second = children(srv.proc.pid)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(first, second)
        # Stop signals reach the new worker; everything exits cleanly.
        srv.proc.send_signal(signal.SIGTERM)
        self.assertEqual(srv.proc.wait(timeout=15), 0)
        self.assertFalse(os.path.exists(f"/proc/{second[0]}/status") and
                         "zombie" not in open(f"/proc/{second[0]}/status").read().lower())

    def test_no_supervisor_runs_one_process(self):
        srv = self.start("--no-supervisor")
        self.assertEqual(self.fetch(srv, "/frag?op=remove&name=x").body, b"hr=0x80070002")
        self.assertEqual(children(srv.proc.pid), [])


if __name__ == "__main__":
    unittest.main()
