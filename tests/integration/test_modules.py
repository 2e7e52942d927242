"""IIS native modules end to end: the sample modules (modules/) loaded with --module into the
real binary, exercised over real sockets. Covers the request pipeline, WriteEntityChunks
(buffered, unbuffered async streaming), ReadEntityBody (async), PostCompletion from another
thread, RQ_SEND_RESPONSE filters, and module-load errors."""
import hashlib
import http.client
import os
import socket
import tempfile
import time
import unittest

import harness

MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")


def module(name):
    path = os.path.join(MODULE_DIR, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"sample module not built: {path}")
    return path


def stream_pattern(total):
    return bytes(ord("a") + (i % 26) for i in range(total))


class ModulesTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="httpserv-mod-")
        with open(os.path.join(cls.tmp.name, "hello.txt"), "wb") as f:
            f.write(b"Hello, World!")
        args = []
        for name, so in (("HelloModule", "hello"), ("EchoModule", "echo"),
                         ("StreamModule", "stream"), ("AsyncModule", "async"),
                         ("HeaderFilterModule", "header_filter")):
            args += ["--module", f"{name}={module(so)}"]
        cls.args = args

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def start(self, extra=()):
        srv = harness.Server(self.tmp.name, args=list(self.args) + list(extra))
        self.addCleanup(srv.close)
        return srv

    def get(self, srv, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        self.addCleanup(c.close)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r, r.read()


class SampleModules(ModulesTestCase):
    """With every sample loaded and enabled for every request (the --module quick start), the
    first handler that writes wins: the hello module answers everything."""

    def test_hello(self):
        srv = self.start()
        r, body = self.get(srv, "GET", "/anything")
        self.assertEqual(r.status, 200)
        self.assertEqual(body, b"Hello, World!")
        self.assertEqual(r.getheader("Content-Type"), "text/plain")
        self.assertEqual(r.getheader("Content-Length"), "13")

    def test_head_has_length_and_no_body(self):
        srv = self.start()
        r, body = self.get(srv, "HEAD", "/hello")
        self.assertEqual(r.status, 200)
        self.assertEqual(body, b"")
        self.assertEqual(r.getheader("Content-Length"), "13")

    def test_send_response_filter_adds_headers(self):
        srv = self.start()
        r, _ = self.get(srv, "GET", "/hello")
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        first = int(r.getheader("X-Request-Count"))
        r2, _ = self.get(srv, "GET", "/hello")
        self.assertGreater(int(r2.getheader("X-Request-Count")), first)

    def test_keepalive_and_pipelining_through_the_pipeline(self):
        srv = self.start()
        conn = srv.connect()
        req = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.send(req * 20)
        for _ in range(20):
            resp = conn.read_response()
            self.assertEqual((resp.status, resp.body), (200, b"Hello, World!"))


class OneModule(ModulesTestCase):
    """One handler module at a time, so each sample's own behaviour is visible."""

    def only(self, name, so, extra=()):
        srv = harness.Server(self.tmp.name, args=["--module", f"{name}={module(so)}",
                                                  *extra])
        self.addCleanup(srv.close)
        return srv

    def test_echo_small_body_and_content_type(self):
        srv = self.only("EchoModule", "echo")
        r, body = self.get(srv, "POST", "/echo", body=b"ping pong",
                           headers={"Content-Type": "application/x-test"})
        self.assertEqual(r.status, 200)
        self.assertEqual(body, b"ping pong")
        self.assertEqual(r.getheader("Content-Type"), "application/x-test")

    def test_echo_large_body(self):
        srv = self.only("EchoModule", "echo")
        payload = os.urandom(3 * 1024 * 1024 + 17)
        r, body = self.get(srv, "POST", "/echo", body=payload)
        self.assertEqual(r.status, 200)
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(payload).hexdigest())

    def test_echo_chunked_request_body(self):
        srv = self.only("EchoModule", "echo")
        conn = srv.connect()
        conn.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        resp = conn.read_response()
        self.assertEqual((resp.status, resp.body), (200, b"hello world"))

    def test_echo_empty_body(self):
        srv = self.only("EchoModule", "echo")
        r, body = self.get(srv, "POST", "/echo", body=b"")
        self.assertEqual((r.status, body), (200, b""))

    def test_stream_is_chunked_and_exact(self):
        srv = self.only("StreamModule", "stream")
        conn = srv.connect()
        conn.send(b"GET /stream?chunks=7&size=1000 HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = conn.read_response()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Transfer-Encoding"), "chunked")
        self.assertEqual(resp.body, stream_pattern(7000))

    def test_stream_http10_is_close_delimited(self):
        srv = self.only("StreamModule", "stream")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /stream?chunks=3&size=100 HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"200", head.split(b"\r\n")[0])
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(body, stream_pattern(300))

    def test_stream_large_with_slow_start_reader(self):
        srv = self.only("StreamModule", "stream")
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
        self.addCleanup(c.close)
        c.request("GET", "/stream?chunks=2000&size=65536")
        r = c.getresponse()
        time.sleep(0.3)  # let the server hit back-pressure before we read
        body = r.read()
        self.assertEqual(len(body), 2000 * 65536)
        self.assertEqual(body[:52], stream_pattern(52))

    def test_stream_client_disconnect_does_not_hurt(self):
        srv = self.only("StreamModule", "stream")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /stream?chunks=100000&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(65536)
        s.close()
        time.sleep(0.2)
        r, body = self.get(srv, "GET", "/stream?chunks=1&size=5")
        self.assertEqual((r.status, body), (200, b"abcde"))
        self.assertTrue(srv.alive())

    def test_async_completion_from_another_thread(self):
        srv = self.only("AsyncModule", "async")
        r, body = self.get(srv, "GET", "/async?ms=30")
        self.assertEqual(r.status, 200)
        self.assertTrue(body.startswith(b"async done after"), body)

    def test_sleep_sample(self):
        # Blocking in Sleep is the sample's whole point (tests/integration/test_blocking.py shows
        # what that does not stall); here: it answers, and caps what it is asked.
        srv = self.only("SleepModule", "sleep")
        r, body = self.get(srv, "GET", "/sleep?ms=20")
        self.assertEqual((r.status, body), (200, b"slept 20 ms"))
        self.assertEqual(r.getheader("Content-Type"), "text/plain")

    def test_async_pipelined_in_order(self):
        srv = self.only("AsyncModule", "async")
        conn = srv.connect()
        conn.send(b"".join(b"GET /async?ms=%d HTTP/1.1\r\nHost: x\r\n\r\n" % ms
                           for ms in (50, 5, 30, 1)))
        for ms in (50, 5, 30, 1):
            resp = conn.read_response()
            self.assertEqual(resp.status, 200)
            self.assertIn(b"after %d ms" % ms, resp.body)

    def test_static_files_behind_the_pipeline(self):
        # The built-in StaticFileModule's responses pass RQ_SEND_RESPONSE like a module's: the
        # header filter's headers are on files, on 404s and on 304s alike.
        srv = self.only("HeaderFilterModule", "header_filter")
        r, body = self.get(srv, "GET", "/hello.txt")
        self.assertEqual((r.status, body), (200, b"Hello, World!"))
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        self.assertEqual(r.getheader("Content-Length"), "13")
        first = int(r.getheader("X-Request-Count"))
        etag = r.getheader("ETag")
        self.assertIsNotNone(etag)
        r, body = self.get(srv, "GET", "/missing")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        r, body = self.get(srv, "GET", "/hello.txt", headers={"If-None-Match": etag})
        self.assertEqual((r.status, body), (304, b""))
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        self.assertGreater(int(r.getheader("X-Request-Count")), first)
        r, body = self.get(srv, "GET", "/hello.txt", headers={"Range": "bytes=0-4"})
        self.assertEqual((r.status, body), (206, b"Hello"))
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        # Targets that do not decode to a clean path are refused as without the pipeline.
        for bad in ("/%2e%2e/hello.txt", "/%zz", "/../hello.txt"):
            r, _ = self.get(srv, "GET", bad)
            self.assertEqual(r.status, 400, bad)


class EmbeddedDefault(unittest.TestCase):
    """`httpserv` without --root/--module serves examples/site and mounts the samples
    (--listen only moves it off port 8080)."""

    def test_site_and_samples(self):
        import re
        import subprocess
        proc = subprocess.Popen([harness.server_bin(), "--listen", "127.0.0.1:0", "--workers", "1"],
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.wait, 10)
        self.addCleanup(proc.terminate)
        port = None
        deadline = time.time() + 10
        while port is None and time.time() < deadline:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", proc.stderr.readline())
            port = int(m.group(1)) if m else None
        self.assertIsNotNone(port)

        def get(method, path, body=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request(method, path, body=body)
            r = c.getresponse()
            data = r.read()
            c.close()
            return r, data

        r, body = get("GET", "/hello.txt")
        self.assertEqual((r.status, body), (200, b"Hello, World!"))
        r, body = get("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<html", body)
        r, body = get("GET", "/hello")
        self.assertEqual((r.status, body), (200, b"Hello, World!"))
        self.assertEqual(r.getheader("X-Powered-By"), "httpserv-sample")
        r, body = get("POST", "/echo", b"round trip")
        self.assertEqual((r.status, body), (200, b"round trip"))
        r, body = get("GET", "/stream?chunks=3&size=4")
        self.assertEqual((r.status, body), (200, stream_pattern(12)))
        r, body = get("GET", "/async?ms=1")
        self.assertEqual(r.status, 200)


class ContextObjects(ModulesTestCase):
    """GetSite/GetApplication/GetUser/GetConnection and the module context container exist (real
    modules dereference them without checking)."""

    def test_environment_objects(self):
        probe = os.path.join(os.environ.get("HTTPSERV_TEST_MODULE_DIR", ""), "probe.so")
        self.assertTrue(os.path.exists(probe), probe)
        srv = harness.Server(self.tmp.name, args=["--module", f"Probe={probe}"])
        self.addCleanup(srv.close)
        r, body = self.get(srv, "GET", "/x")
        self.assertEqual(r.status, 200)
        text = body.decode()
        self.assertIn("site=1:Default Web Site reqsite=1 instance=1 ", text)
        self.assertIn("app=/LM/W3SVC/1/ROOT", text)
        self.assertIn("apppath=" + self.tmp.name, text)
        self.assertIn("user=[]", text)            # anonymous
        self.assertIn("connected=1", text)
        self.assertIn("store=0x00000000", text)    # S_OK
        self.assertIn("again=0x80070055", text)    # HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)
        self.assertIn("conncontainer=1", text)
        # GetRawHttpRequest: Host is a known header; the rest come as unknown headers, in order.
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        self.addCleanup(c.close)
        c.putrequest("GET", "/y", skip_accept_encoding=True)
        c.putheader("X-First", "one")
        c.putheader("Accept", "text/plain")  # known: not among the unknown ones
        c.putheader("x-second", "two, three")
        c.endheaders()
        text = c.getresponse().read().decode()
        self.assertIn("rawhost=127.0.0.1:%d" % srv.port, text)
        self.assertIn(" cooked=http://127.0.0.1:%d/y " % srv.port, text)
        self.assertIn(" location=http://127.0.0.1:%d/there " % srv.port, text)
        self.assertIn("unknown=3[X-First=one;x-second=two, three;X-Added-0=v;]", text)

    def test_urls_without_host_name_the_address_and_port(self):
        # HTTP/1.0 without Host: the cooked URL and a relative Redirect use the local address,
        # with brackets for IPv6 and the port when it is not 80.
        probe = os.path.join(os.environ.get("HTTPSERV_TEST_MODULE_DIR", ""), "probe.so")
        srv = harness.Server(self.tmp.name, args=["--module", f"Probe={probe}"],
                             listen=["127.0.0.1:0", "[::1]:0"])
        self.addCleanup(srv.close)
        for family, addr, authority in (
                (socket.AF_INET, "127.0.0.1", "127.0.0.1:%d" % srv.ports[0]),
                (socket.AF_INET6, "::1", "[::1]:%d" % srv.ports[1])):
            with self.subTest(authority=authority):
                port = int(authority.rsplit(":", 1)[1])
                with socket.socket(family, socket.SOCK_STREAM) as s:
                    s.settimeout(10)
                    s.connect((addr, port))
                    s.sendall(b"GET /z?q=1 HTTP/1.0\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                text = data.decode()
                self.assertIn(" rawhost= ", text)
                self.assertIn(" cooked=http://%s/z?q=1 " % authority, text)
                self.assertIn(" location=http://%s/there " % authority, text)


class LoadErrors(unittest.TestCase):
    def run_bad(self, spec):
        with tempfile.TemporaryDirectory() as root:
            p = harness.run_cli(["--root", root, "--listen", "127.0.0.1:0", "--module", spec],
                                timeout=10)
        return p

    def test_missing_image_is_named(self):
        p = self.run_bad("Missing=/nonexistent/mod.so")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("/nonexistent/mod.so", p.stderr)
        self.assertIn("Missing", p.stderr)

    def test_not_a_module(self):
        with tempfile.NamedTemporaryFile(suffix=".so") as f:
            f.write(b"not an ELF file")
            f.flush()
            p = self.run_bad(f"Junk={f.name}")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f.name, p.stderr)

    def test_bad_option_syntax(self):
        p = self.run_bad("no-equals-sign")
        self.assertEqual(p.returncode, 2)
        self.assertIn("NAME=PATH", p.stderr)

    def test_duplicate_name(self):
        with tempfile.TemporaryDirectory() as root:
            p = harness.run_cli(["--root", root, "--listen", "127.0.0.1:0",
                                 "--module", f"Dup={module('hello')}",
                                 "--module", f"Dup={module('echo')}"], timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Dup", p.stderr)


if __name__ == "__main__":
    unittest.main()
