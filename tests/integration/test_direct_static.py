"""The direct path for static files (server/direct_static.h): once a file is in the open-file
cache, a request that no native module would see and that the built-in modules would leave
alone is answered without a pipeline. Nothing may tell the two paths apart, so every case sends
the same request several times (the first always takes the pipeline: its file is not cached
yet) and wants the same answer each time, and the built-in modules' work (request filtering,
Vary from static compression, the access log) on every one of them."""
import os
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
BIG_HTML = b"<p>compressible</p>\n" * 300  # over minFileSizeForComp (2,700 bytes)
FILES = {"hello.txt": "hello world\n", "big.html": BIG_HTML, "web.config": "<secret/>\n",
         "data.unknownext": "x\n", "dir/index.html": "<p>index</p>\n"}


def head_of(r):
    """What a client sees of a response but the Date field: status, fields in order, body."""
    return (r.status, [(k, v) for k, v in r.headers if k.lower() != "date"], r.body)


class DirectStatic(harness.ServerTestCase):
    def repeated(self, srv, target, headers=None, method="GET", times=4):
        c = self.connect(srv)
        return [head_of(c.request(method, target, headers)) for _ in range(times)]

    def assertSameEveryTime(self, answers):
        for a in answers[1:]:
            self.assertEqual(a, answers[0])
        return answers[0]

    def test_repeated_requests_get_the_same_answer(self):
        srv = self.start_server(self.tempdir(FILES))
        status, fields, body = self.assertSameEveryTime(self.repeated(srv, "/hello.txt"))
        self.assertEqual((status, body), (200, b"hello world\n"))
        self.assertEqual(fields[0], ("Server", "httpserv"))
        self.assertSameEveryTime(self.repeated(srv, "/hello.txt", method="HEAD"))
        status, _, body = self.assertSameEveryTime(self.repeated(srv, "/dir/"))
        self.assertEqual((status, body), (200, b"<p>index</p>\n"))

    def test_built_in_modules_still_act_on_every_request(self):
        srv = self.start_server(self.tempdir(FILES))
        # Request filtering (hidden segment 404.8, then not in the MIME map 404.3).
        for target in ("/web.config", "/data.unknownext"):
            status, _, _ = self.assertSameEveryTime(self.repeated(srv, target))
            self.assertEqual(status, 404, target)
        # Static compression: a compressible file names Accept-Encoding in Vary every time,
        # and is compressed for a client that asks, after identity answers.
        status, fields, body = self.assertSameEveryTime(self.repeated(srv, "/big.html"))
        self.assertEqual((status, body), (200, BIG_HTML))
        self.assertIn(("Vary", "Accept-Encoding"), fields)
        status, fields, _ = self.assertSameEveryTime(
            self.repeated(srv, "/big.html", [("Accept-Encoding", "gzip")]))
        self.assertIn(("Content-Encoding", "gzip"), fields)
        # Validators: a conditional request still gets its 304.
        c = self.connect(srv)
        etag = c.request("GET", "/hello.txt").header("ETag")
        for _ in range(3):
            self.assertEqual(c.request("GET", "/hello.txt", [("If-None-Match", etag)]).status, 304)

    def test_every_request_is_logged(self):
        root = self.tempdir(FILES)
        log = os.path.join(self.tempdir(), "access.log")
        srv = self.start_server(root, args=["--access-log", log])
        self.repeated(srv, "/hello.txt", [("User-Agent", "a b"), ("Referer", "http://x/")],
                      times=5)
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline:
            if os.path.exists(log):
                with open(log) as f:
                    lines = [ln for ln in f if not ln.startswith("#") and "/hello.txt" in ln]
            if len(lines) >= 5:
                break
            time.sleep(0.05)
        self.assertEqual(len(lines), 5, lines)
        # The same line each time (the first from the pipeline, the others without one), but
        # for date, time and time-taken.
        fields = [ln.split()[2:-1] for ln in lines]
        for f in fields[1:]:
            self.assertEqual(f, fields[0])
        self.assertIn("200", fields[0])

    def test_a_native_module_sees_every_request(self):
        path = os.path.join(TEST_MODULE_DIR, "filter.so")
        if not os.path.exists(path):
            raise AssertionError("module not built: %s" % path)
        srv = self.start_server(self.tempdir(FILES), args=["--module", "F=%s" % path])
        _, fields, _ = self.assertSameEveryTime(self.repeated(srv, "/hello.txt?begin-header"))
        self.assertIn(("X-Begin", "1"), fields)


if __name__ == "__main__":
    unittest.main()
