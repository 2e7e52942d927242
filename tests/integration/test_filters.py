"""The static file handler and core's own responses as parts of the IIS response.

A response filter (tests/modules/filter.cc, written as IIS filters are) sees and changes static
files, core's errors, redirects, 304, 206 and 416 in RQ_SEND_RESPONSE and post-notifications,
exactly as it does a module's own response: what IIS's StaticFileModule allows.
"""
import os
import socket
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
HELLO = b"hello world\n"
BIG = bytes((i * 13) % 256 for i in range(300000))


def so(name):
    path = os.path.join(TEST_MODULE_DIR, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"module not built: {path}")
    return path


class FilterCase(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot({"hello.txt": HELLO, "big.bin": BIG,
                                         "dir/index.html": b"<p>index</p>\n"})
        cls.class_server = harness.Server(cls.root, args=["--module", f"F={so('filter')}"], start=False)
        cls.class_server.start()

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def req(self, target, headers=(), method="GET"):
        c = self.connect(timeout=10)
        return c.request(method, target, [("Connection", "close")] + list(headers))


class StaticThroughTheResponse(FilterCase):
    def test_headers_set_in_begin_request_stay_on_a_static_file(self):
        r = self.req("/hello.txt?begin-header")
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertEqual(r.header("X-Begin"), "1")
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertEqual(r.header("Content-Length"), str(len(HELLO)))

    def test_headers_set_in_begin_request_stay_on_core_errors(self):
        r = self.req("/missing.txt?begin-header")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.header("X-Begin"), "1")

    def test_filter_sees_the_file_as_a_file_chunk(self):
        for target, seen in (("/hello.txt", "200 1 f text/plain"),
                             ("/big.bin", "200 1 f application/octet-stream")):
            r = self.req(target + "?observe")
            self.assertEqual(r.header("X-Seen"), seen, target)
        r = self.req("/big.bin?observe")
        self.assertEqual(r.body, BIG)

    def test_filter_replaces_a_static_file(self):
        r = self.req("/big.bin?replace")
        self.assertEqual((r.status, r.body), (200, b"filtered 200"))
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertEqual(r.header("Content-Length"), "12")
        self.assertIsNone(r.header("ETag"))  # Clear(): status, headers and body, all of it

    def test_post_handler_rewrites_a_static_file(self):
        r = self.req("/hello.txt?post-rewrite")
        self.assertEqual((r.status, r.body), (200, b"rewritten 200"))
        self.assertEqual(r.header("Content-Type"), "text/plain")

    def test_flush_before_the_static_file(self):
        # The headers go out first (chunked: more is coming), then the file body follows.
        r = self.req("/big.bin?begin-flush")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Transfer-Encoding"), "chunked")
        self.assertEqual(r.body, BIG)

    def test_need_disconnect_before_a_static_file(self):
        c = self.connect(timeout=10)
        r = c.request("GET", "/hello.txt?begin-disconnect")
        self.assertEqual(r.body, HELLO)
        self.assertTrue(r.has_token("Connection", "close"))
        self.assertTrue(c.wait_closed(timeout=5))

    def test_disconnect_flag_from_send_response(self):
        c = self.connect(timeout=10)
        r = c.request("GET", "/hello.txt?send-disconnect")
        self.assertEqual(r.body, HELLO)
        self.assertTrue(c.wait_closed(timeout=5))

    def test_reset_connection_in_begin_request_sends_nothing(self):
        s = socket.create_connection(("127.0.0.1", self.class_server.port), timeout=5)
        self.addCleanup(s.close)
        s.sendall(b"GET /hello.txt?begin-reset HTTP/1.1\r\nHost: x\r\n\r\n")
        with self.assertRaises(ConnectionResetError):
            data = s.recv(4096)
            if data == b"":
                raise AssertionError("closed with a FIN, not a reset")
            raise AssertionError(f"response bytes after ResetConnection: {data!r}")
        self.assertServes(self.class_server)

    def test_server_header_is_the_modules_to_remove_or_replace(self):
        self.assertEqual(self.req("/hello.txt").header("Server"), "httpserv")
        self.assertIsNone(self.req("/hello.txt?no-server").header("Server"))
        self.assertIsNone(self.req("/missing?no-server").header("Server"))
        r = self.req("/hello.txt?own-server")
        self.assertEqual(r.header_all("Server"), ["hardened"])

    def test_server_is_a_default_header_from_the_start(self):
        # Microsoft's GetHeader sample reads Server in OnBeginRequest; its DeleteHeader sample
        # removes it there; ClearHeaders "adds a default set of headers" and Clear "resets the
        # headers to default values" (IIS native-code reference).
        r = self.req("/hello.txt?begin-get-server")
        self.assertEqual(r.header("X-Begin-Server"), "httpserv")
        self.assertEqual(r.header_all("Server"), ["httpserv"])
        self.assertIsNone(self.req("/hello.txt?begin-no-server").header("Server"))
        self.assertIsNone(self.req("/missing?begin-no-server").header("Server"))
        r = self.req("/hello.txt?begin-header&clear-headers")
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertEqual(r.header_all("Server"), ["httpserv"])
        self.assertIsNone(r.header("Content-Type"))
        self.assertIsNone(r.header("X-Begin"))
        r = self.req("/hello.txt?begin-no-server&clear")
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(r.header_all("Server"), ["httpserv"])

    def test_execution_stats_and_activity_id(self):
        r = self.req("/hello.txt?stats")
        self.assertEqual(r.header("X-Stats"), "1 F ok")  # RQ_BEGIN_REQUEST, module F
        ids = [self.req("/hello.txt?activity").header("X-Activity") for _ in range(2)]
        for i in ids:
            self.assertRegex(i, r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-"
                                r"[0-9A-F]{12}$")
        self.assertNotEqual(ids[0], ids[1])

    def test_suppressed_headers_send_the_file_as_it_is(self):
        c = self.connect(timeout=10)
        c.send(b"GET /hello.txt?suppress HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(c.read_until_close(timeout=5), HELLO)


class CoreResponsesThroughTheResponse(FilterCase):
    def test_directory_redirect(self):
        r = self.req("/dir?observe")
        self.assertEqual(r.status, 301)
        self.assertEqual(r.header("Location"), "/dir/?observe")
        self.assertEqual(r.header("X-Seen"), "301 1 m text/html")
        r = self.req("/dir?replace")
        self.assertEqual((r.status, r.body), (200, b"filtered 301"))

    def test_not_modified(self):
        etag = self.req("/hello.txt").header("ETag")
        r = self.req("/hello.txt?observe", [("If-None-Match", etag)])
        self.assertEqual(r.status, 304)
        self.assertEqual(r.header("X-Seen"), "304 0  -")  # no chunks, no Content-Type
        r = self.req("/hello.txt?replace", [("If-None-Match", etag)])
        self.assertEqual((r.status, r.body), (200, b"filtered 304"))

    def test_partial_content_and_unsatisfiable_range(self):
        r = self.req("/big.bin?observe", [("Range", "bytes=10-19")])
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, BIG[10:20])
        self.assertEqual(r.header("Content-Range"), f"bytes 10-19/{len(BIG)}")
        self.assertEqual(r.header("X-Seen"), "206 1 f application/octet-stream")
        r = self.req("/big.bin?observe", [("Range", "bytes=999999-")])
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("X-Seen")[:6], "416 0 ")
        r = self.req("/big.bin?replace", [("Range", "bytes=999999-")])
        self.assertEqual((r.status, r.body), (200, b"filtered 416"))

    def test_not_found_replaced(self):
        r = self.req("/nothing-here?replace")
        self.assertEqual((r.status, r.body), (200, b"filtered 404"))
        r = self.req("/nothing-here?observe")
        self.assertEqual(r.header("X-Seen"), "404 1 m text/html")


if __name__ == "__main__":
    unittest.main()
