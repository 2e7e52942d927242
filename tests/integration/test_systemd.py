"""sd_notify (the installed unit is Type=notify): httpserv tells the service manager READY=1
once it serves, RELOADING=1 then READY=1 around a SIGHUP reload (a failed one too), and
STOPPING=1 when it stops. The test plays systemd: a datagram socket at $NOTIFY_SOCKET, with
SO_PASSCRED so the kernel says which process sent each message."""
import os
import signal
import socket
import struct
import tempfile
import unittest

import harness

CONFIG_ERROR = "<configuration><system.applicationHost><sites>"  # not XML that ends


class NotifySocket:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="httpserv-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(30)  # a missing message fails the test instead of hanging it

    def receive(self):
        """(fields dict, sender pid)."""
        data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(struct.calcsize("3i")))
        pid = None
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, _, _ = struct.unpack("3i", payload[:12])
        fields = dict(line.split("=", 1) for line in data.decode().split("\n") if "=" in line)
        return fields, pid

    def close(self):
        self.sock.close()
        harness.shutil.rmtree(self.dir, True)


def start_notified(srv, notify):
    old = os.environ.get("NOTIFY_SOCKET")
    os.environ["NOTIFY_SOCKET"] = notify.path
    try:
        srv.start()
    finally:
        if old is None:
            del os.environ["NOTIFY_SOCKET"]
        else:
            os.environ["NOTIFY_SOCKET"] = old


class Notify(harness.ServerTestCase):
    def setUp(self):
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)

    def expect(self, key, pid):
        fields, sender = self.notify.receive()
        self.assertEqual(fields.get(key), "1", fields)
        self.assertEqual(sender, pid, "sent by process %r, the main process is %r" % (sender, pid))
        return fields

    def test_supervised_ready_reload_stop(self):
        root = self.tempdir({"hello.txt": "hello\n"})
        srv = harness.config_server(root, harness.site_config(root, "{port}"), start=False)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        start_notified(srv, self.notify)
        main = srv.proc.pid
        ready = self.expect("READY", main)
        self.assertIn("http://127.0.0.1:%d" % srv.port, ready.get("STATUS", ""))
        self.assertEqual(harness.curl(srv.url("/hello.txt")).body, b"hello\n")

        srv.signal(signal.SIGHUP)
        reloading = self.expect("RELOADING", main)
        self.assertTrue(reloading.get("MONOTONIC_USEC", "").isdigit(), reloading)
        done = self.expect("READY", main)
        self.assertIn("reloaded", done.get("STATUS", ""))
        self.assertEqual(harness.curl(srv.url("/hello.txt")).status, 200)

        # A broken file: the reload fails, the service is ready again with the old one.
        cfg = os.path.join(root, "applicationHost.config")
        with open(cfg, "w") as f:
            f.write(CONFIG_ERROR)
        srv.signal(signal.SIGHUP)
        self.expect("RELOADING", main)
        failed = self.expect("READY", main)
        self.assertIn("reload failed", failed.get("STATUS", ""))
        self.assertEqual(harness.curl(srv.url("/hello.txt")).status, 200)

        srv.signal(signal.SIGTERM)
        self.expect("STOPPING", main)
        self.assertEqual(srv.wait(30), 0)

    def test_single_process(self):
        srv = harness.Server(self.tempdir({"a.txt": "a\n"}), args=["--no-supervisor"], start=False)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        start_notified(srv, self.notify)
        self.expect("READY", srv.proc.pid)
        self.assertEqual(harness.curl(srv.url("/a.txt")).body, b"a\n")
        srv.signal(signal.SIGTERM)
        self.expect("STOPPING", srv.proc.pid)
        self.assertEqual(srv.wait(30), 0)

    def test_a_server_that_cannot_start_is_never_ready(self):
        srv = harness.Server(self.tempdir(), args=["--module", "Missing=/nonexistent/x.so"],
                             start=False)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        with self.assertRaises(AssertionError):
            start_notified(srv, self.notify)
        self.assertNotEqual(srv.proc.wait(30), 0)
        # The process is gone: whatever it sent is queued already.
        self.notify.sock.setblocking(False)
        sent = []
        try:
            while True:
                sent.append(self.notify.receive()[0])
        except BlockingIOError:
            pass
        self.assertFalse(any("READY" in f for f in sent), sent)

if __name__ == "__main__":
    unittest.main()
