"""SIGHUP reloads the configuration (server/supervisor.h): a new worker process starts on the same
listening sockets with the re-read --config file; once it is ready the old one finishes its
in-flight requests and exits. A broken file, or a new worker that fails before it is ready,
leaves the old worker serving. No request is refused or lost across a reload."""
import os
import signal
import tempfile
import threading
import time
import unittest

import harness

MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")
TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Reload" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="{root}" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="127.0.0.1:{port}:" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
      <add name="AsyncModule" image="{async_so}" />
    </globalModules>
    <modules>
      <add name="AsyncModule" />
      <add name="StaticFileModule" />
    </modules>
    <handlers>
      <add name="Async" path="async" verb="GET" modules="AsyncModule" />
      <add name="Static" path="*" verb="GET, HEAD" modules="StaticFileModule" />
    </handlers>
  </system.webServer>
</configuration>
"""


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="httpserv-reload-")
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        for name in ("a", "b"):
            os.makedirs(os.path.join(self.dir, name))
            with open(os.path.join(self.dir, name, "which.txt"), "w") as f:
                f.write(name)
        self.port = harness.free_port()
        self.config = os.path.join(self.dir, "applicationHost.config")
        self.async_so = os.path.join(MODULE_DIR, "async.so")
        self.assertTrue(os.path.exists(self.async_so), self.async_so)
        self.write_config("a")

    def write_config(self, root, async_so=None, text=None):
        if text is None:
            text = CONFIG.format(root=root, port=self.port,
                                 async_so=async_so or self.async_so)
        tmp = self.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.config)

    def start(self):
        srv = harness.Server(self.dir, start=False, listen=[f"127.0.0.1:{self.port}"])
        srv.cmd = [harness.server_bin(), "--workers", "1", "--config", self.config]
        self.addCleanup(srv.close)
        srv.start()
        return srv

    def get(self, path, timeout=10):
        with harness.Conn(self.port, timeout=timeout) as c:
            c.send(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return c.read_response(timeout=timeout)

    def worker(self, srv, timeout=10):
        """The one worker process (the supervisor forks it just after logging its ports)."""
        deadline = time.monotonic() + timeout
        while True:
            kids = children(srv.proc.pid)
            if len(kids) == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self.assertEqual(len(kids), 1, kids)
        return kids[0]

    def get_until(self, body, timeout=5):
        """GET /which.txt until it answers `body`: for a moment after a reload completes the
        old worker may still accept (until it takes its SIGTERM), as with nginx."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.get("/which.txt")
            self.assertEqual(r.status, 200)
            if r.body == body or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self.assertEqual(r.body, body)

    def wait_for_single_worker(self, srv, not_pid, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kids = children(srv.proc.pid)
            if len(kids) == 1 and kids[0] != not_pid:
                return kids[0]
            time.sleep(0.02)
        self.fail(f"worker processes after the reload: {children(srv.proc.pid)}")

    def test_reload_applies_the_new_configuration(self):
        srv = self.start()
        self.assertEqual(self.get("/which.txt").body, b"a")
        first = self.worker(srv)
        self.write_config("b")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload complete: worker process \d+ serving; %d draining" % first,
                         timeout=10)
        srv.wait_for_log(r"replaced worker process %d exited with status 0" % first)
        second = self.wait_for_single_worker(srv, first)
        self.assertNotEqual(first, second)
        self.assertEqual(self.get("/which.txt").body, b"b")
        # A second reload works as well, and the server still stops cleanly.
        self.write_config("a")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload complete: worker process \d+ serving; %d draining" % second,
                         timeout=10)
        self.wait_for_single_worker(srv, second)
        self.assertEqual(self.get("/which.txt").body, b"a")
        self.assertEqual(srv.stop(), 0)

    def test_in_flight_requests_finish_on_the_old_worker(self):
        srv = self.start()
        first = self.worker(srv)
        # A slow request on a keep-alive connection: the old worker must finish it, and then
        # close the (now idle) connection rather than serve the next request on it.
        c = harness.Conn(self.port, timeout=10)
        self.addCleanup(c.close)
        c.send("GET /async?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)  # the request is in the module
        self.write_config("b")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload complete", timeout=10)
        # New connections get the new configuration while the old worker still works.
        self.get_until(b"b")
        self.assertIn(first, children(srv.proc.pid))
        r = c.read_response(timeout=10)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.has_token("Connection", "close"), r)
        self.assertEqual(c.read_until_close(timeout=5), b"")
        srv.wait_for_log(r"replaced worker process %d exited with status 0" % first)

    def test_no_request_fails_during_reloads(self):
        srv = self.start()
        stop = threading.Event()
        results = {"ok": 0, "bad": []}

        def load():
            while not stop.is_set():
                try:
                    r = self.get("/which.txt", timeout=5)
                    if r.status == 200 and r.body in (b"a", b"b"):
                        results["ok"] += 1
                    else:
                        results["bad"].append(repr(r))
                except Exception as e:  # noqa: BLE001 -- every failure is reported
                    results["bad"].append(repr(e))

        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i, root in enumerate(("b", "a", "b")):
                time.sleep(0.3)
                self.write_config(root)
                srv.signal(signal.SIGHUP)
                srv.wait_for_log(r"reload complete", timeout=10, count=i + 1)
            time.sleep(0.3)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)
        print(f"\nrequests across 3 reloads: {results['ok']} ok, {len(results['bad'])} failed")
        self.assertEqual(results["bad"], [])
        self.assertGreater(results["ok"], 0)
        self.assertEqual(self.get("/which.txt").body, b"b")

    def test_broken_configuration_keeps_the_old_worker(self):
        srv = self.start()
        first = self.worker(srv)
        self.write_config(None, text="<configuration><system.webServer><modules>")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"SIGHUP: configuration not reloaded, the old one stays", timeout=10)
        self.assertEqual(self.get("/which.txt").body, b"a")
        self.assertEqual(self.worker(srv), first)

    def test_new_worker_failing_at_startup_keeps_the_old_worker(self):
        srv = self.start()
        first = self.worker(srv)
        # The file parses, but its module's RegisterModule fails: only the new worker finds out.
        self.write_config("b", async_so=os.path.join(TEST_MODULE_DIR, "rm_fail.so"))
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload failed: the new worker process \d+ exited with status 1 before "
                         r"it was ready; the old configuration stays", timeout=10)
        self.assertEqual(self.get("/which.txt").body, b"a")
        self.assertEqual(self.worker(srv), first)
        # A later good reload still works.
        self.write_config("b")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload complete", timeout=10)
        self.get_until(b"b")

    def test_changed_listen_address_is_refused(self):
        srv = self.start()
        first = self.worker(srv)
        other = harness.free_port()
        text = CONFIG.format(root="b", port=other, async_so=self.async_so)
        self.write_config(None, text=text)
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"configuration not reloaded.*listening addresses", timeout=10)
        self.assertEqual(self.get("/which.txt").body, b"a")
        self.assertEqual(self.worker(srv), first)


if __name__ == "__main__":
    unittest.main()
