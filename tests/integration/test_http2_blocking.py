"""The IIS execution model over HTTP/2: a module that blocks on one stream stalls neither the other
streams of its connection nor other connections, and synchronous ReadEntityBody and synchronous
unbuffered writes wait for what they need (request DATA, WINDOW_UPDATE) without holding the loop.

Every server here has one worker. As in test_blocking.py, a blocked module waits for something
only that same worker can do (serve another stream), so a module holding the worker would
deadlock the test into a bounded wait and fail it: no assertion depends on timing.
"""

import concurrent.futures
import os
import shutil
import subprocess
import tempfile
import unittest

import h2raw
from h2raw import H2Conn, frame, request_block, settings
from harness import Server, ServerTestCase, curl_bin, server_bin

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")


def get(c, stream, path):
    c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, stream,
                 request_block(path)))


def window_increment(f):
    return int.from_bytes(f.payload[:4], "big") & 0x7FFFFFFF


def collect(c, streams, windows=None, timeout=30):
    """{stream: (status, body)} for every stream in ``streams``, read until all have ended.
    WINDOW_UPDATE frames read meanwhile are added to ``windows`` (stream: window)."""
    pending = set(streams)
    out = {s: [None, b""] for s in streams}
    while pending:
        f = c.read_frame(timeout)
        if f is None:
            raise AssertionError("connection closed with streams %s unanswered" % sorted(pending))
        if f.type == h2raw.WINDOW_UPDATE and windows is not None and f.stream in windows:
            windows[f.stream] += window_increment(f)
        if f.stream not in out:
            continue
        if f.headers is not None and out[f.stream][0] is None:
            out[f.stream][0] = h2raw.status_of(f)
        elif f.type == h2raw.DATA:
            out[f.stream][1] += f.payload
            if f.payload:  # give the window back so long bodies flow
                inc = len(f.payload).to_bytes(4, "big")
                c.send(frame(h2raw.WINDOW_UPDATE, 0, 0, inc) +
                       frame(h2raw.WINDOW_UPDATE, 0, f.stream, inc))
        elif f.type == h2raw.RST_STREAM:
            raise AssertionError("stream %d reset (code %d)" % (f.stream, f.rst_code()))
        if f.flags & h2raw.END_STREAM and f.type in (h2raw.HEADERS, h2raw.DATA):
            pending.discard(f.stream)
    return {s: tuple(v) for s, v in out.items()}


class SleepModuleOverHttp2(unittest.TestCase):
    """modules/sleep (the sample module that calls Sleep) on the embedded default site."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="httpserv-h2b-")
        cls.srv = Server(cls.tmp, start=False, listen=["127.0.0.1:1"])
        cls.srv.cmd = [server_bin(), "--workers", "1", "--listen", "127.0.0.1:0"]
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.tmp, True)

    def test_sleeping_streams_on_one_connection_and_others(self):
        c = H2Conn(self.srv.port, timeout=30)
        self.addCleanup(c.close)
        sleepers = list(range(1, 17, 2))  # 8 streams, each Sleep(200) in the module
        for s in sleepers:
            get(c, s, "/sleep?ms=200")
        # Meanwhile a static file on the same connection, and other connections (h2c and
        # HTTP/1.1 by curl) on the same single worker.
        get(c, 17, "/hello.txt")
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            h2 = pool.submit(subprocess.run, [curl_bin(), "-s", "--http2-prior-knowledge",
                                              "http://127.0.0.1:%d/sleep?ms=200" % self.srv.port],
                             capture_output=True, timeout=30)
            h1 = pool.submit(subprocess.run, [curl_bin(), "-s",
                                              "http://127.0.0.1:%d/hello.txt" % self.srv.port],
                             capture_output=True, timeout=30)
            got = collect(c, sleepers + [17])
            self.assertEqual(h2.result().stdout, b"slept 200 ms")
            self.assertIn(b"Hello", h1.result().stdout)
        for s in sleepers:
            self.assertEqual(got[s], (200, b"slept 200 ms"))
        self.assertEqual(got[17][0], 200)
        self.assertIn(b"Hello", got[17][1])


@unittest.skipUnless(TEST_MODULE_DIR, "HTTPSERV_TEST_MODULE_DIR not set")
class BlockingModuleOverHttp2(ServerTestCase):
    """tests/modules/blocking.cc over h2c streams of one connection."""

    def start(self, *extra):
        root = self.tempdir({"hello.txt": "hello world\n"})
        module = os.path.join(TEST_MODULE_DIR, "blocking.so")
        return self.start_server(root=root, args=["--module", "B=" + module] + list(extra),
                                 workers=1)

    def test_streams_of_one_connection_are_in_the_module_together(self):
        srv = self.start()
        c = H2Conn(srv.port, timeout=30)
        self.addCleanup(c.close)
        streams = list(range(1, 64, 2))  # 32 streams, all must be inside the module at once
        for s in streams:
            get(c, s, "/barrier?n=%d" % len(streams))
        got = collect(c, streams, timeout=40)
        self.assertEqual({got[s] for s in streams}, {(200, b"together")})

    def test_a_waiting_stream_is_woken_by_another_stream(self):
        srv = self.start()
        c = H2Conn(srv.port, timeout=30)
        self.addCleanup(c.close)
        get(c, 1, "/wait?key=h2")
        get(c, 3, "/hello.txt")
        self.assertEqual(collect(c, [3])[3], (200, b"hello world\n"))
        get(c, 5, "/signal?key=h2")
        got = collect(c, [1, 5])
        self.assertEqual((got[1], got[5]), ((200, b"signalled"), (200, b"ok")))

    def test_sync_read_waits_for_data_frames(self):
        srv = self.start()
        c = H2Conn(srv.port, timeout=30)
        self.addCleanup(c.close)
        # The server's first SETTINGS and its connection WINDOW_UPDATE give the windows.
        first = c.frames_until(lambda f: f.type == h2raw.WINDOW_UPDATE and f.stream == 0)
        window = {0: 65535 + window_increment(first[-1]),
                  1: [f for f in first if f.type == h2raw.SETTINGS][0].settings()[4]}
        body = bytes(range(256)) * 1024  # 256 KiB: more than the stream's window
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS, 1, request_block(
            "/read?buf=1000", method="POST", extra=[("content-length", str(len(body)))])))
        # The module now waits in ReadEntityBody(fAsync=FALSE) with no DATA sent: the
        # connection's other streams are served meanwhile.
        get(c, 3, "/hello.txt")
        self.assertEqual(collect(c, [3], window)[3], (200, b"hello world\n"))
        # Send the body as the windows allow (the server opens them as the module reads).
        sent = 0
        while sent < len(body):
            n = min(16384, window[0], window[1], len(body) - sent)
            if n == 0:
                f = c.read_frame(20)
                self.assertIsNotNone(f, "connection closed while sending the body")
                if f.type == h2raw.WINDOW_UPDATE:
                    window[f.stream] += window_increment(f)
                continue
            last = sent + n == len(body)
            c.send(frame(h2raw.DATA, h2raw.END_STREAM if last else 0, 1, body[sent:sent + n]))
            window[0] -= n
            window[1] -= n
            sent += n
        status, text = collect(c, [1])[1]
        self.assertEqual(status, 200)
        self.assertEqual(text.decode(), "remaining=%d bytes=%d sum=%d hr=0x00000000"
                         % (len(body), len(body), sum(body) % 2**32))

    def test_sync_write_waits_for_window_update(self):
        srv = self.start()
        # A 1000-byte stream window: the module's synchronous writes of 16 KiB each wait for
        # WINDOW_UPDATE frames, while another stream of the connection is served.
        c = H2Conn(srv.port, timeout=30, initial=settings(initial_window_size=1000))
        self.addCleanup(c.close)
        get(c, 1, "/syncwrite?n=4&size=16384")
        first = c.frames_until(lambda f: f.type == h2raw.DATA and f.stream == 1, timeout=20)
        self.assertEqual(len(first[-1].payload), 1000)
        get(c, 3, "/hello.txt")
        self.assertEqual(collect(c, [3])[3], (200, b"hello world\n"))
        # Open the window for the first frame; collect() opens it for each DATA frame after it.
        c.send(frame(h2raw.WINDOW_UPDATE, 0, 1, (1000).to_bytes(4, "big")))
        _, rest = collect(c, [1])[1]
        body = first[-1].payload + rest
        expect = b"".join(bytes([48 + i % 10]) * 16384 for i in range(4))
        self.assertEqual(len(body), len(expect))
        self.assertEqual(body, expect)


if __name__ == "__main__":
    unittest.main()
