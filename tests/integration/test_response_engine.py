"""The response engine's shared parts end to end: the fragment cache (IHttpServer methods and
FromFragmentCache[Ex] chunks, shared by all workers) and back-pressure (bounded memory for slow
readers, synchronous writes that never stall other connections, the output-backlog limit).

Drives tests/modules/bodyload.cc and the sample stream module (modules/stream) over raw
sockets and http.client. Nothing here asserts a duration: timeouts only detect hangs; the
latencies measured are printed for the record.
"""

import http.client
import os
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")


def so(directory, name):
    path = os.path.join(directory, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"module not built: {path}")
    return path


def pattern(total, start=0):
    return bytes(ord("a") + ((start + i) % 26) for i in range(total))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class EngineCase(harness.ServerTestCase):
    def start(self, *extra, workers=1, module="bodyload", directory=TEST_MODULE_DIR):
        args = ["--module", f"M={so(directory, module)}"] + list(extra)
        return self.start_server(args=args, workers=workers)

    def get(self, srv, path, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
        self.addCleanup(c.close)
        c.request("GET", path)
        r = c.getresponse()
        return r, r.read()


class FragmentCacheTest(EngineCase):
    def test_add_read_remove_and_send(self):
        srv = self.start()
        self.assertEqual(self.get(srv, "/frag?op=add&name=/f/1&data=Hello-fragment")[1],
                         b"hr=0x00000000")
        r, body = self.get(srv, "/frag?op=read&name=/f/1&cb=64")
        self.assertEqual(body, b"hr=0x00000000 copied=14 data=Hello-fragment")
        # Too small a buffer: nothing copied, ERROR_INSUFFICIENT_BUFFER, the size needed.
        r, body = self.get(srv, "/frag?op=read&name=/f/1&cb=4")
        self.assertEqual(body, b"hr=0x8007007A copied=14 data=")

        # FromFragmentCache between two memory chunks, buffered: one Content-Length body.
        r, body = self.get(srv, "/frag?op=send&name=/f/1&repeat=2")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Length"), str(len(body)))
        self.assertEqual(body, b"[Hello-fragmentHello-fragment]")
        # FromFragmentCacheEx ranges, buffered and unbuffered (one final send: Content-Length).
        self.assertEqual(self.get(srv, "/frag?op=send&name=/f/1&ex=6,4")[1], b"[frag]")
        r, body = self.get(srv, "/frag?op=send&name=/f/1&ex=6,eof&unbuffered=1")
        self.assertEqual(body, b"[fragment]")
        self.assertEqual(r.getheader("Content-Length"), "10")
        # A range past the fragment's end and a missing fragment are refused, not sent.
        r, body = self.get(srv, "/frag?op=send&name=/f/1&ex=10,5")
        self.assertEqual((r.status, body), (500, b"hr=0x80070057"))
        self.assertEqual(self.get(srv, "/frag?op=remove&name=/f/1")[1], b"hr=0x00000000")
        self.assertEqual(self.get(srv, "/frag?op=remove&name=/f/1")[1], b"hr=0x80070002")
        r, body = self.get(srv, "/frag?op=send&name=/f/1")
        self.assertEqual((r.status, body), (500, b"hr=0x80070003"))
        r, body = self.get(srv, "/frag?op=read&name=/f/1&cb=64")
        self.assertEqual(body, b"hr=0x80070003 copied=0 data=")

    def test_shared_by_all_workers(self):
        # With two workers, connections land on either (SO_REUSEPORT); every one must see the
        # fragment added through the first.
        srv = self.start(workers=2)
        self.assertEqual(self.get(srv, "/frag?op=add&name=shared&data=everywhere")[1],
                         b"hr=0x00000000")
        for _ in range(24):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("GET", "/frag?op=send&name=shared")
            self.assertEqual(c.getresponse().read(), b"[everywhere]")
            c.close()

    def test_size_limits_evict_and_refuse(self):
        srv = self.start("--fragment-cache-size", "20", "--fragment-max-entry", "12")
        for name in ("a", "b", "c"):
            self.assertEqual(self.get(srv, f"/frag?op=add&name={name}&data=12345678")[1],
                             b"hr=0x00000000")
        # 3 × 8 bytes > 20: the least recently used ("a") went.
        self.assertEqual(self.get(srv, "/frag?op=send&name=a")[0].status, 500)
        self.assertEqual(self.get(srv, "/frag?op=send&name=c")[1], b"[12345678]")
        # Larger than --fragment-max-entry: ERROR_NOT_ENOUGH_QUOTA.
        self.assertEqual(self.get(srv, "/frag?op=add&name=big&data=1234567890123")[1],
                         b"hr=0x80070718")
        # The counters are logged at shutdown.
        srv.stop()
        self.assertRegex(srv.log_text(), r"fragment cache: 2 entries, 16 of 20 bytes; 1 hits, "
                                         r"1 misses, 3 added, 0 replaced, 1 evicted, 0 removed, "
                                         r"1 refused")

    def test_cache_disabled(self):
        srv = self.start("--fragment-cache-size", "0")
        self.assertEqual(self.get(srv, "/frag?op=add&name=x&data=1")[1], b"hr=0x80070718")


class SuppressHeadersTest(EngineCase):
    def test_module_writes_its_own_head(self):
        # SuppressHeaders: the server sends no status line, headers or framing of its own,
        # only the module's bytes, and closes the connection after them.
        srv = self.start()
        for version in ("1.1", "1.0"):
            with harness.Conn(srv.port) as c:
                c.send(f"GET /raw HTTP/{version}\r\nHost: x\r\n\r\n")
                self.assertEqual(c.read_until_close(timeout=5),
                                 b"HTTP/1.1 299 Raw\r\nX-Raw: yes\r\nContent-Length: 2\r\n\r\nok")
        # The next connection is served normally.
        self.assertEqual(self.get(srv, "/frag?op=remove&name=x")[1], b"hr=0x80070002")


class BackPressureTest(EngineCase):
    def test_slow_reader_keeps_rss_flat(self):
        # 10 GiB offered by unbuffered async writes (the stream sample); the client reads about
        # 1 MiB/s. The server may only hold what is in flight: RSS must not grow with time.
        srv = self.start(module="stream", directory=MODULE_DIR)
        conn = harness.Conn(srv.port, timeout=10, rcvbuf=65536)
        self.addCleanup(conn.close)
        conn.send(b"GET /stream?chunks=10240&size=1048576 HTTP/1.1\r\nHost: x\r\n\r\n")
        samples = []
        received = 0
        start = time.monotonic()
        while time.monotonic() - start < 8.0:
            tick = time.monotonic()
            while time.monotonic() - tick < 0.25:
                chunk = conn.sock.recv(65536)
                self.assertTrue(chunk, "server closed the stream")
                received += len(chunk)
                time.sleep(0.05)
            samples.append(rss_kib(srv.serving_pid()))
        # After the first second (buffers filled), RSS stays within 2 MiB of where it was.
        steady = samples[4:]
        print(f"\nslow reader: received {received} bytes in 8 s; server RSS KiB {samples}")
        self.assertGreater(received, 1 << 20)
        self.assertLess(max(steady) - min(steady), 2048, samples)
        self.assertLess(max(samples), 64 * 1024, samples)
        # The server still serves others meanwhile.
        r, body = self.get(srv, "/stream?chunks=2&size=3")
        self.assertEqual(body, b"abcdef")

    def test_large_sync_write_does_not_stall_the_worker(self):
        # One worker; a client asks for an 8 MiB body written by ONE synchronous unbuffered call
        # and does not read. The call waits for the client, as under IIS, but its thread hands
        # the worker's loop over: the same worker goes on serving another connection.
        srv = self.start()
        size = 8 << 20
        slow = harness.Conn(srv.port, timeout=10, rcvbuf=32768)
        self.addCleanup(slow.close)
        slow.send(f"GET /bulk?size={size}&count=1&unbuffered=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)
        t0 = time.monotonic()
        r, body = self.get(srv, "/frag?op=read&name=none&cb=4", timeout=5)
        other_ms = (time.monotonic() - t0) * 1000
        print(f"\nanother connection on the same worker answered in {other_ms:.1f} ms "
              f"while an 8 MiB synchronous write was pending")
        self.assertEqual(body, b"hr=0x80070003 copied=0 data=")
        # Now the slow client reads everything: the exact body, chunked (unbuffered).
        resp = slow.read_response(timeout=20)
        self.assertEqual(resp.status, 200)
        self.assertEqual(len(resp.body), size)
        self.assertEqual(resp.body[:52], pattern(52))
        self.assertEqual(resp.body[-26:], pattern(26, size - 26))

    def test_sync_writes_wait_for_a_slow_reader_with_bounded_memory(self):
        # 64 synchronous 1 MiB writes from one notification to a client that does not read yet:
        # each write (unbuffered), or each flush of the 4 MiB buffer (buffered), waits until its
        # bytes are in the kernel, as under IIS. The worker's loop goes on meanwhile (another
        # connection is served) and memory stays bounded; then the whole body arrives.
        srv = self.start()
        base = rss_kib(srv.serving_pid())
        size, count = 1 << 20, 64
        for buffered in (False, True):
            slow = harness.Conn(srv.port, timeout=30, rcvbuf=32768)
            self.addCleanup(slow.close)
            q = "" if buffered else "&unbuffered=1"
            slow.send(f"GET /bulk?size={size}&count={count}{q} HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(1.0)
            r, body = self.get(srv, "/frag?op=read&name=none&cb=4", timeout=5)
            self.assertEqual(body, b"hr=0x80070003 copied=0 data=")
            grown = rss_kib(srv.serving_pid()) - base
            print(f"\nsync writes to a slow reader ({'buffered' if buffered else 'unbuffered'}): "
                  f"server RSS grew by {grown} KiB while {count} MiB were offered")
            self.assertNotEqual(srv.serving_pid(), srv.proc.pid, "RSS of the worker process")
            # ThreadSanitizer's shadow memory makes every allocation cost several times its size
            # in RSS; unbounded growth would still be far above this.
            limit = 24 * 1024 * (4 if os.environ.get("TSAN_OPTIONS") else 1)
            self.assertLess(grown, limit)
            resp = slow.read_response(timeout=60)
            self.assertEqual(resp.status, 200)
            self.assertEqual(len(resp.body), size * count)
            self.assertEqual(resp.body[-26:], pattern(26, size * count - 26))
            slow.close()
        self.assertNotIn("bulk: write", srv.log_text())  # no write failed
        self.assertTrue(srv.alive())

    def test_backlog_limit_is_configurable(self):
        srv = self.start("--max-response-backlog", str(40 << 20))
        r, body = self.get(srv, "/bulk?size=1048576&count=32&unbuffered=1", timeout=30)
        self.assertEqual(len(body), 32 << 20)
        self.assertEqual(body[-26:], pattern(26, (32 << 20) - 26))
        self.assertNotRegex(srv.log_text(), r"failed hr=")


if __name__ == "__main__":
    unittest.main()
