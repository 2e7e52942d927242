"""The IIS execution model end to end: module code that blocks does not stall its worker.

The tests use one worker and make a blocked module wait for something only that same worker can
do (serve another request): if a blocked module held the worker, the test would deadlock (and
fail on a bounded wait), so no test depends on timing.
"""
import concurrent.futures
import http.client
import os
import threading
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")


def so(name):
    path = os.path.abspath(os.path.join(TEST_MODULE_DIR, name + ".so"))
    if not os.path.exists(path):
        raise AssertionError(f"module not built: {path}")
    return path


class BlockingCase(harness.ServerTestCase):
    def start(self, *extra, workers=1):
        root = self.tempdir({"hello.txt": "hello world\n"})
        return self.start_server(root=root, args=["--module", f"B={so('blocking')}"] + list(extra),
                                 workers=workers)

    def get(self, srv, path, timeout=30, method="GET", body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read(), dict(r.getheaders())
        finally:
            c.close()

    def in_background(self, srv, path, **kw):
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.addCleanup(pool.shutdown, wait=False)
        return pool.submit(self.get, srv, path, **kw)


class Blocking(BlockingCase):
    def test_blocked_module_does_not_stall_its_worker(self):
        srv = self.start()
        waiting = self.in_background(srv, "/wait?key=a")
        time.sleep(0.2)
        # The same (only) worker serves a static file and another module request meanwhile.
        status, body, _ = self.get(srv, "/hello.txt", timeout=10)
        self.assertEqual((status, body), (200, b"hello world\n"))
        status, body, _ = self.get(srv, "/signal?key=a", timeout=10)
        self.assertEqual(body, b"ok")
        self.assertEqual(waiting.result(timeout=20)[1], b"signalled")

    def test_blocking_requests_overlap(self):
        # 32 requests each block until all 32 are inside the module at once.
        srv = self.start()
        n = 32
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(self.get, srv, f"/barrier?n={n}") for _ in range(n)]
            bodies = [f.result(timeout=40)[1] for f in futures]
        self.assertEqual(bodies, [b"together"] * n)

    def test_sleeping_modules_and_a_static_file(self):
        # The scenario in miniature: Sleep(200) modules and a static file on one worker.
        srv = self.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=9) as pool:
            sleepers = [pool.submit(self.get, srv, "/block?ms=200") for _ in range(8)]
            status, body, _ = self.get(srv, "/hello.txt")
            self.assertEqual(body, b"hello world\n")
            self.assertEqual([f.result(timeout=20)[1] for f in sleepers], [b"slept 200"] * 8)

    def test_increment_thread_count_hands_off_at_once(self):
        # With a hand-off delay far longer than the test, only IncrementThreadCount can free the
        # worker for the /signal request the module waits for.
        srv = self.start("--handoff-ms", "3600000")
        waiting = self.in_background(srv, "/incthread?key=b")
        time.sleep(0.2)
        self.assertEqual(self.get(srv, "/signal?key=b", timeout=10)[1], b"ok")
        self.assertEqual(waiting.result(timeout=20)[1], b"signalled")

    def test_busy_threads_queue_then_503(self):
        # Two threads may block; two more requests wait for one; the fifth is refused with 503
        # (here every request passes the module, so every request needs a thread).
        srv = self.start("--max-threads", "2", "--queue-length", "2")
        blocked = [self.in_background(srv, f"/wait?key=q{i}&ms=2000") for i in range(2)]
        time.sleep(0.3)
        queued = [self.in_background(srv, "/block?ms=1") for _ in range(2)]
        time.sleep(0.3)
        status, body, headers = self.get(srv, "/block?ms=1", timeout=10)
        self.assertEqual(status, 503)
        self.assertEqual(headers.get("Retry-After"), "1")
        srv.wait_for_log(r"every module thread is busy \(2 blocked\) and 2 requests wait for one "
                         r"\(queueLength 2\): 503 with Retry-After")
        # The blocked requests end by themselves; the queued ones then run, in order.
        self.assertEqual([f.result(timeout=20)[1] for f in blocked], [b"timed out"] * 2)
        self.assertEqual([f.result(timeout=20)[1] for f in queued], [b"slept 1"] * 2)
        self.assertEqual(self.get(srv, "/hello.txt", timeout=10)[1], b"hello world\n")


CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <applicationPoolDefaults queueLength="{queue}" />
    </applicationPools>
    <sites>
      <site name="Blocking" id="3">
        <application path="/"><virtualDirectory path="/" physicalPath="{root}" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:8080:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules><add name="Blocking" image="{module}" /></globalModules>
    <modules><add name="Blocking" /><add name="StaticFileModule" /></modules>
    <serverRuntime uploadReadAheadSize="{readahead}" />
  </system.webServer>
</configuration>
"""


class Configured(BlockingCase):
    def start_configured(self, queue=1000, readahead=49152, *extra):
        root = self.tempdir({"hello.txt": "hello world\n"})
        path = os.path.join(root, "applicationHost.config")
        with open(path, "w") as f:
            f.write(CONFIG.format(queue=queue, root=root, module=so("blocking"),
                                  readahead=readahead))
        return self.start_server(root=root, args=["--config", path] + list(extra))

    def test_read_ahead_delays_the_first_notification_until_the_body(self):
        # With the read-ahead (the default), /signal runs only once its body is there, so a
        # /wait sent meanwhile times out; with uploadReadAheadSize="0" it runs at once.
        for readahead, expect in ((49152, b"timed out"), (0, b"signalled")):
            srv = self.start_configured(readahead=readahead)
            key = f"ra{readahead}"
            c = harness.Conn(srv.port, timeout=20)
            self.addCleanup(c.close)
            c.send(f"POST /signal?key={key} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
            self.assertEqual(self.get(srv, f"/wait?key={key}&ms=500")[1], expect)
            c.send(b"hello")
            self.assertEqual(c.read_response(timeout=10).body, b"ok")

    def test_queue_length_from_the_configuration(self):
        srv = self.start_configured(2, 49152, "--max-threads", "1")
        blocked = self.in_background(srv, "/wait?key=cq&ms=2000")
        time.sleep(0.3)
        queued = [self.in_background(srv, "/block?ms=1") for _ in range(2)]
        time.sleep(0.3)
        status, _, headers = self.get(srv, "/block?ms=1", timeout=10)
        self.assertEqual(status, 503)
        srv.wait_for_log(r"\(queueLength 2\): 503 with Retry-After")
        self.assertEqual(blocked.result(timeout=20)[1], b"timed out")
        self.assertEqual([f.result(timeout=20)[1] for f in queued], [b"slept 1"] * 2)


class SynchronousIo(BlockingCase):
    def test_read_entity_body_loop(self):
        srv = self.start()
        for size in (11, 1 << 20):
            data = bytes((i * 7) % 251 for i in range(size))
            status, body, _ = self.get(srv, "/read", method="POST", body=data)
            self.assertEqual(body.decode(), f"remaining={size} bytes={size} sum={sum(data) % 2**32}"
                             " hr=0x00000000")

    def test_read_entity_body_loop_chunked(self):
        srv = self.start()
        data = b"x" * 70000 + b"y" * 5
        c = harness.Conn(srv.port, timeout=20)
        self.addCleanup(c.close)
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (data[:1000], data[1000:]))
        c.send(b"POST /read?buf=1000 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunks + b"0\r\n\r\n")
        r = c.read_response(timeout=20)
        # The body was read ahead whole; still, the module sees bytes remaining (not zero).
        remaining, rest = r.body.decode().split(" ", 1)
        self.assertNotEqual(remaining, "remaining=0")
        self.assertEqual(rest, f"bytes={len(data)} sum={sum(data)} hr=0x00000000")

    def test_read_waits_for_a_slow_client(self):
        # The body arrives in pieces, 0.3 s apart: the synchronous read waits for each (it never
        # answers ERROR_IO_PENDING), while the worker serves others.
        srv = self.start()
        c = harness.Conn(srv.port, timeout=20)
        self.addCleanup(c.close)
        c.send(b"POST /read?buf=100 HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n")
        for i in range(3):
            time.sleep(0.3)
            c.send(b"a" * 20000)
            self.assertEqual(self.get(srv, "/hello.txt", timeout=10)[1], b"hello world\n")
        r = c.read_response(timeout=20)
        self.assertEqual(r.body, b"remaining=60000 bytes=60000 sum=5820000 hr=0x00000000")

    def test_read_of_a_client_that_goes_away_fails(self):
        srv = self.start("--body-timeout", "1")
        c = harness.Conn(srv.port, timeout=20)
        self.addCleanup(c.close)
        c.send(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        r = c.read_response(timeout=20)
        # The body timeout answers 408 for the request; the module's read fails.
        self.assertEqual(r.status, 408)
        self.assertServes(srv)

    def test_synchronous_unbuffered_writes_reuse_their_buffer(self):
        # Each write returns once its bytes are in the kernel: the module reuses the buffer at
        # once, and every block arrives intact, to a client that reads slowly.
        srv = self.start()
        n, size = 40, 100000
        c = harness.Conn(srv.port, timeout=30, rcvbuf=16384)
        self.addCleanup(c.close)
        c.send(f"GET /syncwrite?n={n}&size={size} HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        r = c.read_response(timeout=30)
        self.assertEqual(r.status, 200)
        expected = b"".join(bytes([ord("0") + i % 10]) * size for i in range(n))
        self.assertEqual(len(r.body), len(expected))
        self.assertEqual(r.body, expected)
        self.assertNotIn("failed", srv.log_text())


class Stress(BlockingCase):
    def test_blocking_disconnects_and_timeouts_at_once(self):
        # Sleeping modules, clients that vanish mid-request, bodies that never finish and normal
        # requests, all at once on one worker: everything answered or closed, nothing leaks,
        # the server keeps serving (the sanitizer builds check the rest).
        srv = self.start("--body-timeout", "1", "--max-threads", "16")
        stop = time.monotonic() + 4

        def sleeper():
            while time.monotonic() < stop:
                self.get(srv, "/block?ms=20", timeout=20)

        def vanisher():
            while time.monotonic() < stop:
                c = harness.Conn(srv.port, timeout=5)
                c.send(b"GET /block?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n")
                time.sleep(0.01)
                c.abort()

        def slow_body():
            while time.monotonic() < stop:
                c = harness.Conn(srv.port, timeout=5)
                try:
                    c.send(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
                    c.read_response(timeout=5)
                except AssertionError:
                    pass
                finally:
                    c.close()

        def reader():
            while time.monotonic() < stop:
                self.assertEqual(self.get(srv, "/hello.txt", timeout=20)[1], b"hello world\n")

        workers = [sleeper] * 6 + [vanisher] * 3 + [slow_body] * 3 + [reader] * 2
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for f in [pool.submit(w) for w in workers]:
                f.result(timeout=60)
        self.assertServes(srv)
        self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    unittest.main()
