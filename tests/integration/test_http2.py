"""HTTP/2: h2c with prior knowledge and by Upgrade, h2 over TLS (ALPN), settings, flow control,
files without copies, trailers, GOAWAY on shutdown, and every defence of docs/http2.md, each
with a hostile client (h2raw.py writes the frames) or a real one (curl, nghttp, h2load)."""

import hashlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import h2raw
import harness
from h2raw import H2Conn, frame, literal, indexed, request_block, settings
from harness import ServerTestCase, curl_bin

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")


def tool(name):
    path = shutil.which(name)
    if not path:
        raise unittest.SkipTest("%s not installed (Debian's nghttp2-client)" % name)
    return path


def send_and_read_to_close(port, data):
    """Sends data on a new connection and returns all it gets until the server closes."""
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        while True:
            try:
                b = s.recv(4096)
            except ConnectionResetError:
                break
            if not b:
                break
            got += b
    return got


class Http2Base(ServerTestCase):
    pki = None

    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="httpserv-h2-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out",
                        "cert.pem", "-days", "30", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost"], cwd=cls.pki, check=True,
                       capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, True)

    def start(self, files=None, extra=(), tls=False):
        root = self.tempdir(files or {"hello.txt": "hello world\n"})
        args = list(extra)
        if tls:
            args += ["--listen-tls", "127.0.0.1:0", "--tls-cert",
                     os.path.join(self.pki, "cert.pem"), "--tls-key",
                     os.path.join(self.pki, "key.pem")]
        srv = self.start_server(root, args=args)
        if tls:
            srv.tls_port = srv.tls_ports()[0]
        return srv

    def whole_frames(self, data):
        """The (type, payload) of each frame in data, which must hold whole frames only."""
        frames, at = [], 0
        while at + 9 <= len(data):
            n = int.from_bytes(data[at:at + 3], "big")
            frames.append((data[at + 3], data[at + 9:at + 9 + n]))
            at += 9 + n
        self.assertEqual(at, len(data), data)
        return frames

    def curl(self, *args):
        r = subprocess.run([curl_bin(), "-s", *args], capture_output=True, timeout=30)
        return r.stdout


class Http2Test(Http2Base):

    # --- clients --------------------------------------------------------------------------

    def test_curl_prior_knowledge_upgrade_and_tls(self):
        srv = self.start(tls=True)
        url = "http://127.0.0.1:%d/hello.txt" % srv.port
        self.assertEqual(self.curl("--http2-prior-knowledge", "-w", "|%{http_version}", url),
                         b"hello world\n|2")
        self.assertEqual(self.curl("--http2", "-w", "|%{http_version}", url),
                         b"hello world\n|2")  # Upgrade: h2c
        self.assertEqual(self.curl("--http1.1", "-w", "|%{http_version}", url),
                         b"hello world\n|1.1")
        tls = "https://127.0.0.1:%d/hello.txt" % srv.tls_port
        self.assertEqual(self.curl("-k", "--http2", "-w", "|%{http_version}", tls),
                         b"hello world\n|2")

    def test_listen_h2c_speaks_only_http2(self):
        srv = self.start(extra=["--listen-h2c", "127.0.0.1:0"])
        port = srv.h2c_ports()[0]
        self.assertNotEqual(port, srv.port)
        url = "http://127.0.0.1:%d/hello.txt" % port
        self.assertEqual(self.curl("--http2-prior-knowledge", "-w", "|%{http_version}", url),
                         b"hello world\n|2")
        out = subprocess.run([tool("h2load"), "-n", "200", "-c", "2", "-m", "10", url],
                             capture_output=True, timeout=60, text=True).stdout
        self.assertIn("200 succeeded, 0 failed, 0 errored", out, out)
        # HTTP/1 (and so Upgrade) is not spoken there: an invalid preface is a connection error,
        # answered with the server's preface and a GOAWAY(PROTOCOL_ERROR) or a bare close, never
        # an HTTP/1 response.
        for request in (b"GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n",
                        b"INVALID CONNECTION PREFACE\r\n\r\n"):
            got = send_and_read_to_close(port, request)
            self.assertFalse(got.startswith(b"HTTP/"), got)
            codes = [int.from_bytes(p[4:8], "big") for t, p in self.whole_frames(got)
                     if t == h2raw.GOAWAY]
            self.assertTrue(all(c == 1 for c in codes), codes)  # PROTOCOL_ERROR
        # The plain port beside it still speaks HTTP/1.1 and h2c.
        plain = "http://127.0.0.1:%d/hello.txt" % srv.port
        self.assertEqual(self.curl("--http1.1", "-w", "|%{http_version}", plain),
                         b"hello world\n|1.1")
        self.assertEqual(self.curl("--http2-prior-knowledge", "-w", "|%{http_version}", plain),
                         b"hello world\n|2")
        root = self.tempdir({"a.txt": "a"})
        p = harness.run_cli(["--root", root, "--listen-h2c", "localhost:80", "-t"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--listen-h2c: 'localhost:80' is not ADDR:PORT", p.stderr)

    def test_listen_h2c_refuses_over_the_cap_with_goaway(self):
        srv = self.start(extra=["--listen-h2c", "127.0.0.1:0", "--workers", "1",
                                "--max-connections", "2"])
        port = srv.h2c_ports()[0]
        for _ in range(2):
            c = H2Conn(port)
            self.addCleanup(c.close)
            self.assertEqual(c.read_frame().type, h2raw.SETTINGS)
        got = send_and_read_to_close(port, h2raw.PREFACE + settings())
        # The server's preface (an empty SETTINGS), then GOAWAY(NO_ERROR) naming no stream.
        frames = self.whole_frames(got)
        self.assertEqual([t for t, _ in frames], [h2raw.SETTINGS, h2raw.GOAWAY], got)
        goaway = frames[1][1]
        self.assertEqual(int.from_bytes(goaway[0:4], "big"), 0)  # last stream id
        self.assertEqual(int.from_bytes(goaway[4:8], "big"), 0)  # NO_ERROR
        self.assertEqual(goaway[8:], b"server is too busy")

    def test_upgrade_with_a_body_stays_http1(self):
        srv = self.start()
        out = self.curl("--http2", "-w", "|%{http_version}", "--data-binary", "abc",
                        "http://127.0.0.1:%d/hello.txt" % srv.port)
        self.assertTrue(out.endswith(b"|1.1"), out)

    def test_first_settings_and_nghttp(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        f = c.read_frame()
        self.assertEqual(f.type, h2raw.SETTINGS)
        s = f.settings()
        self.assertEqual(s.get(3), 100)    # MAX_CONCURRENT_STREAMS, in the first SETTINGS
        self.assertEqual(s.get(4), 65536)  # INITIAL_WINDOW_SIZE
        self.assertEqual(s.get(9), 1)      # NO_RFC7540_PRIORITIES: RFC 9218
        out = subprocess.run([tool("nghttp"), "-n", "-s", "-m", "5",
                              "http://127.0.0.1:%d/hello.txt" % srv.port],
                             capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_h2load_many_streams(self):
        srv = self.start(tls=True)
        for url in ("http://127.0.0.1:%d/hello.txt" % srv.port,
                    "https://127.0.0.1:%d/hello.txt" % srv.tls_port):
            out = subprocess.run([tool("h2load"), "-n", "2000", "-c", "4", "-m", "50", url],
                                 capture_output=True, timeout=60, text=True).stdout
            self.assertIn("2000 succeeded, 0 failed, 0 errored", out, out)
            self.assertIn("status codes: 2000 2xx", out, out)

    def test_large_file_with_flow_control(self):
        blob = os.urandom(5 * 1024 * 1024 + 77)
        srv = self.start({"big.bin": ""}, tls=True)
        with open(os.path.join(srv.root, "big.bin"), "wb") as f:
            f.write(blob)
        tls = "https://127.0.0.1:%d/big.bin" % srv.tls_port
        for args in (["--http2-prior-knowledge", "http://127.0.0.1:%d/big.bin" % srv.port],
                     ["--http2-prior-knowledge", "--limit-rate", "4M",
                      "http://127.0.0.1:%d/big.bin" % srv.port],
                     ["-k", "--http2", tls], ["-k", "--http2", "--limit-rate", "4M", tls]):
            out = self.curl(*args)
            self.assertEqual(hashlib.sha256(out).hexdigest(), hashlib.sha256(blob).hexdigest())
        # Three streams at once on one TLS connection: their DATA frames (file pieces) are
        # interleaved and gathered into batches of records; each arrives whole.
        outs = [os.path.join(srv.root, "out%d" % i) for i in range(3)]
        args = ["-k", "--http2", "--parallel"]
        for o in outs:
            args += ["-o", o, tls]
        self.curl(*args)
        for o in outs:
            with open(o, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                                 hashlib.sha256(blob).hexdigest(), o)
        # A client with a small window it opens slowly: the response arrives whole.
        c = H2Conn(srv.port, initial=settings(initial_window_size=1000))
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/big.bin")))
        got = 0
        deadline = time.monotonic() + 60
        while got < len(blob) and time.monotonic() < deadline:
            f = c.read_frame()
            self.assertIsNotNone(f)
            if f.type == h2raw.DATA and f.stream == 1:
                got += len(f.payload)
                if f.payload:
                    inc = len(f.payload).to_bytes(4, "big")
                    c.send(frame(h2raw.WINDOW_UPDATE, 0, 1, inc) +
                           frame(h2raw.WINDOW_UPDATE, 0, 0, inc))
            self.assertNotEqual(f.type, h2raw.RST_STREAM)
        self.assertEqual(got, len(blob))

    # --- request validation: as HTTP/1 ------------------------------------------------------

    def test_invalid_authority_and_limits_answer_as_http1(self):
        srv = self.start(extra=["--max-body-size", "1000"])
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        # An authority the Host rules refuse (userinfo): 400, as an invalid Host on HTTP/1.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/hello.txt", authority="user@host")))
        self.assertEqual(c.response(1)[0], 400)
        # A header section over 100 fields: 431.
        many = [("x-f%d" % i, "v") for i in range(120)]
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 3,
                     request_block("/hello.txt", extra=many)))
        self.assertEqual(c.response(3)[0], 431)
        # A declared body over --max-body-size: 413.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS, 5,
                     request_block("/hello.txt", method="POST",
                                   extra=[("content-length", "5000")])))
        self.assertEqual(c.response(5)[0], 413)
        # A body without a length that grows over it: 413 too.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS, 7,
                     request_block("/hello.txt", method="POST")))
        c.send(frame(h2raw.DATA, 0, 7, b"x" * 1500))
        status, _, frames = c.response(7)
        # 405: the static file refused the POST before the body grew over the limit.
        self.assertIn(status, (413, 405), frames)
        # The connection still serves.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 9,
                     request_block("/hello.txt")))
        status, body, _ = c.response(9)
        self.assertEqual((status, body), (200, b"hello world\n"))
        # A path that is not UTF-8 once decoded, as on HTTP/1: 400.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 11,
                     request_block("/%C0%AF")))
        self.assertEqual(c.response(11)[0], 400)
        # Bytes no authority may hold (a space) make the request malformed (RFC 9113 §8.1.1):
        # nghttp2 resets the stream before any handler sees it.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 13,
                     request_block("/hello.txt", authority="bad host")))
        status, _, frames = c.response(13)
        self.assertTrue(status == 400 or any(f.type == h2raw.RST_STREAM for f in frames))

    # --- defences ---------------------------------------------------------------------------

    def assertCalmedDown(self, c, what, codes=(h2raw.ENHANCE_YOUR_CALM,)):
        g = c.goaway(timeout=15)
        if g is not None:
            self.assertIn(g.goaway_code(), codes, what)
        else:
            self.assertTrue(c.closed, what)

    def test_rapid_reset(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        burst = b""
        for i in range(500):
            sid = 1 + 2 * i
            burst += frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, sid,
                           request_block("/hello.txt"))
            burst += frame(h2raw.RST_STREAM, 0, sid, (8).to_bytes(4, "big"))  # CANCEL
        c.send(burst)
        # nghttp2's RST_STREAM rate limit answers INTERNAL_ERROR; ours ENHANCE_YOUR_CALM.
        self.assertCalmedDown(c, "Rapid Reset", (2, h2raw.ENHANCE_YOUR_CALM))
        self.assertEqual(self.curl("--http2-prior-knowledge",
                                   "http://127.0.0.1:%d/hello.txt" % srv.port), b"hello world\n")

    def test_continuation_flood(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, 0, 1, request_block("/hello.txt")))
        for i in range(50):
            if not c.send(frame(h2raw.CONTINUATION, 0, 1, literal("x-c%d" % i, "v"))):
                break
        g = c.goaway(timeout=15)
        self.assertTrue(g is not None or c.closed)
        self.assertEqual(self.curl("--http2-prior-knowledge",
                                   "http://127.0.0.1:%d/hello.txt" % srv.port), b"hello world\n")

    def test_hpack_bomb(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        # One 4000-byte field into the dynamic table, then 40 one-byte references to it: 160 KB
        # of decoded header list from a few hundred bytes.
        block = request_block("/hello.txt") + literal("x-bomb", "a" * 4000, index=True)
        block += indexed(62) * 40
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1, block))
        status, _, frames = c.response(1)
        self.assertTrue(status == 431 or any(f.type == h2raw.RST_STREAM for f in frames),
                        frames)
        self.assertEqual(self.curl("--http2-prior-knowledge",
                                   "http://127.0.0.1:%d/hello.txt" % srv.port), b"hello world\n")

    # --- stream states nghttp2 forgets (RFC 9113 §5.1, §5.1.1; h2spec 5.1/5, 8, 9, 11, 12 and
    # 5.1.1/2) ----------------------------------------------------------------------------------

    def goaway_code_after(self, srv, *frames):
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        for f in frames:
            if callable(f):
                f(c)
            else:
                c.send(f)
        g = c.goaway(timeout=10)
        self.assertIsNotNone(g, "no GOAWAY")
        return g.goaway_code()

    def test_frames_on_streams_the_client_closed(self):
        srv = self.start()
        get = frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                    request_block("/hello.txt"))
        opened = frame(h2raw.HEADERS, h2raw.END_HEADERS, 1,
                       request_block("/hello.txt", method="POST"))
        reset = frame(h2raw.RST_STREAM, 0, 1, (8).to_bytes(4, "big"))
        answered = lambda c: c.response(1)  # the stream is answered and gone
        STREAM_CLOSED, PROTOCOL_ERROR = 5, 1
        # DATA or HEADERS after the client's END_STREAM, once the stream is gone...
        self.assertEqual(self.goaway_code_after(srv, get, answered, frame(h2raw.DATA, 1, 1, b"x")),
                         STREAM_CLOSED)
        self.assertEqual(self.goaway_code_after(srv, get, answered, get), STREAM_CLOSED)
        # ... or while it is half-closed (the same bytes: no answer in between) ...
        self.assertEqual(self.goaway_code_after(srv, get + frame(h2raw.DATA, 1, 1, b"x")),
                         STREAM_CLOSED)
        # ... and after the client's RST_STREAM.
        self.assertEqual(self.goaway_code_after(srv, opened + reset + frame(h2raw.DATA, 0, 1,
                                                                            b"x")),
                         STREAM_CLOSED)
        self.assertEqual(self.goaway_code_after(srv, opened + reset + get), STREAM_CLOSED)
        # A stream id below one already opened.
        self.assertEqual(self.goaway_code_after(
            srv, frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 5,
                       request_block("/hello.txt")),
            frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 3,
                  request_block("/hello.txt"))), PROTOCOL_ERROR)
        # What stays allowed: trailers end a body, WINDOW_UPDATE and PRIORITY after the end,
        # and the connection serves on.
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(opened + frame(h2raw.DATA, 0, 1, b"abc") +
               frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     literal("x-trailer", "1")))
        status, _, _ = c.response(1)
        self.assertIsNotNone(status)
        c.send(frame(h2raw.WINDOW_UPDATE, 0, 1, (100).to_bytes(4, "big")) +
               frame(h2raw.PRIORITY, 0, 1, b"\x00\x00\x00\x00\x10") +
               frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 3,
                     request_block("/hello.txt")))
        self.assertEqual(c.response(3)[:2], (200, b"hello world\n"))

    def flood(self, frames, what):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(b"".join(frames))
        self.assertCalmedDown(c, what)
        self.assertEqual(self.curl("--http2-prior-knowledge",
                                   "http://127.0.0.1:%d/hello.txt" % srv.port), b"hello world\n")

    def test_settings_flood(self):
        self.flood([frame(h2raw.SETTINGS, 0, 0)] * 300, "SETTINGS flood")

    def test_ping_flood(self):
        self.flood([frame(h2raw.PING, 0, 0, b"12345678")] * 300, "PING flood")

    def test_priority_flood(self):
        self.flood([frame(h2raw.PRIORITY, 0, 1 + 2 * i, b"\x00\x00\x00\x00\x10")
                    for i in range(3000)], "PRIORITY flood")

    def test_empty_data_flood(self):
        opener = frame(h2raw.HEADERS, h2raw.END_HEADERS, 1,
                       request_block("/hello.txt", method="POST"))
        self.flood([opener] + [frame(h2raw.DATA, 0, 1)] * 300, "empty DATA flood")

    def test_zero_window_stall(self):
        srv = self.start({"big.bin": "b" * 200000}, extra=["--send-timeout", "1"])
        c = H2Conn(srv.port, initial=settings(initial_window_size=0))
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/big.bin")))
        frames = c.frames_until(lambda f: f.type == h2raw.RST_STREAM and f.stream == 1, 15)
        self.assertTrue(any(f.type == h2raw.RST_STREAM for f in frames), frames)
        self.assertFalse(any(f.type == h2raw.DATA and f.payload for f in frames))
        srv.wait_for_log("flow-control window stayed closed")

    def test_concurrent_streams_are_bounded(self):
        srv = self.start(extra=["--body-timeout", "30"])
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        # 130 requests whose bodies never come: the 101st and later are refused.
        burst = b"".join(frame(h2raw.HEADERS, h2raw.END_HEADERS, 1 + 2 * i,
                               request_block("/hello.txt", method="POST"))
                         for i in range(130))
        c.send(burst)
        frames = c.frames_until(lambda f: f.type == h2raw.RST_STREAM and f.stream == 259, 15)
        refused = [f for f in frames if f.type == h2raw.RST_STREAM and f.stream > 200]
        self.assertTrue(refused, frames[:5])
        self.assertIn(refused[0].rst_code(), (1, 7))  # PROTOCOL_ERROR or REFUSED_STREAM

    # --- lifecycle ----------------------------------------------------------------------------

    def test_goaway_on_reload(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/hello.txt")))
        self.assertEqual(c.response(1)[0], 200)
        srv.signal(signal.SIGHUP)  # a new server process; this one drains
        g = c.goaway(timeout=30)
        self.assertIsNotNone(g)
        self.assertEqual(g.goaway_code(), 0)
        self.assertEqual(self.curl("--http2-prior-knowledge",
                                   "http://127.0.0.1:%d/hello.txt" % srv.port), b"hello world\n")

    def test_goaway_on_graceful_shutdown(self):
        srv = self.start()
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/hello.txt")))
        self.assertEqual(c.response(1)[0], 200)
        srv.signal(signal.SIGTERM)
        g = c.goaway(timeout=15)
        self.assertIsNotNone(g)
        self.assertEqual(g.goaway_code(), 0)  # NO_ERROR
        self.assertEqual(srv.wait(15), 0)


@unittest.skipUnless(TEST_MODULE_DIR, "HTTPSERV_TEST_MODULE_DIR not set")
class Http2ModulesTest(Http2Base):
    """What IIS modules see over HTTP/2 (tests/modules/tlsinfo.cc), trailers, and a module's
    ResetStream against its ResetConnection (tests/modules/filter.cc)."""

    def test_reset_stream_is_not_reset_connection(self):
        module = "Filter=" + os.path.join(TEST_MODULE_DIR, "filter.so")
        srv = self.start(extra=["--module", module])
        c = H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                     request_block("/hello.txt?begin-resetstream")))
        _, _, frames = c.response(1)
        rst = [f for f in frames if f.type == h2raw.RST_STREAM and f.stream == 1]
        self.assertTrue(rst, frames)
        self.assertEqual(rst[0].rst_code(), 2)  # INTERNAL_ERROR
        # The connection goes on: the next stream is served.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 3,
                     request_block("/hello.txt")))
        status, body, _ = c.response(3)
        self.assertEqual((status, body), (200, b"hello world\n"))
        # ResetConnection takes the whole connection down.
        c.send(frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 5,
                     request_block("/hello.txt?begin-reset")))
        frames = c.frames_until(lambda f: False, timeout=10)
        self.assertTrue(c.closed)
        self.assertFalse(any(f.type == h2raw.DATA for f in frames), frames)

    def test_version_and_trailers(self):
        module = "TlsInfo=" + os.path.join(TEST_MODULE_DIR, "tlsinfo.so")
        srv = self.start(extra=["--module", module], tls=True)
        out = self.curl("--http2-prior-knowledge", "http://127.0.0.1:%d/tlsinfo" % srv.port)
        v = dict(l.split("=", 1) for l in out.decode().splitlines() if "=" in l)
        self.assertEqual(v["HTTP_VERSION"], "HTTP/2")
        self.assertEqual(v["version"], "2.0")
        self.assertEqual(v["HTTPS"], "off")
        out = self.curl("-k", "--http2", "https://127.0.0.1:%d/tlsinfo" % srv.tls_port)
        v = dict(l.split("=", 1) for l in out.decode().splitlines() if "=" in l)
        self.assertEqual((v["HTTP_VERSION"], v["HTTPS"]), ("HTTP/2", "on"))
        # SetTrailer: a trailer HEADERS frame after the body (nghttp prints it).
        out = subprocess.run([tool("nghttp"), "-nv", "http://127.0.0.1:%d/trailers" % srv.port],
                             capture_output=True, timeout=30, text=True).stdout
        self.assertIn("x-checksum: c0ffee", out)
        self.assertIn("trailer body", out.replace("\n", " ") + self.curl(
            "--http2-prior-knowledge", "http://127.0.0.1:%d/trailers" % srv.port).decode())


if __name__ == "__main__":
    unittest.main()
