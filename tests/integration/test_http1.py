"""HTTP/1.x protocol behaviour: persistence, pipelining, HEAD, mandatory
headers, request limits and malformed requests."""

import re
import shutil
import time
import unittest

from harness import (IMF_FIXDATE_RE, Conn, Server, ServerTestCase,
                     build_request, make_docroot, parse_http_date)

HELLO = b"hello world\n"
GOOD = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"


def files():
    fs = {"hello.txt": HELLO}
    for i in range(10):
        fs["f%02d.txt" % i] = ("file number %02d\n" % i) * (i + 1)
    return fs


class Http1Base(ServerTestCase):
    server_args = []

    @classmethod
    def setUpClass(cls):
        cls.root = make_docroot(files())
        try:
            cls.class_server = Server(cls.root, args=cls.server_args)
        except BaseException:
            shutil.rmtree(cls.root, True)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.class_server:
            cls.class_server.close()
        shutil.rmtree(cls.root, True)

    def setUp(self):
        self.assertAlive()

    # -- shared assertions --------------------------------------------------
    def assertStdHeaders(self, r):
        date = r.header("Date")
        self.assertIsNotNone(date, "missing Date header: %r" % r)
        self.assertRegex(date, IMF_FIXDATE_RE)
        self.assertLess(abs(parse_http_date(date) - time.time()), 120,
                        "Date header far from now: %r" % date)
        server = r.header("Server")
        self.assertIsNotNone(server, "missing Server header: %r" % r)
        self.assertRegex(server, r"^httpserv(/\S+)?$")
        self.assertEqual(len(r.header_all("Date")), 1)
        self.assertEqual(len(r.header_all("Server")), 1)

    def assertErrorAndClose(self, raw, status, follow=GOOD, tolerate_reset=True,
                            timeout=5.0):
        """Send ``raw`` (+ a valid pipelined request); expect exactly one
        response with ``status`` and ``Connection: close``, then EOF without
        the pipelined request being answered."""
        c = self.connect(timeout=timeout)
        c.send(raw + follow, tolerate_reset=tolerate_reset)
        r = c.read_response(timeout=timeout)
        self.assertEqual(r.status, status, "request %r -> %r" % (raw[:200], r))
        self.assertTrue(r.has_token("Connection", "close"),
                        "%d without Connection: close: %r" % (status, r))
        self.assertStdHeaders(r)
        closed, rest = c.wait_closed(timeout)
        self.assertTrue(closed, "connection not closed after %d" % status)
        self.assertEqual(rest, b"", "data after %d (pipelined request must not "
                         "be answered): %r" % (status, rest[:200]))
        self.assertAlive()
        return r


class KeepAlive(Http1Base):
    def test_keepalive_default_http11(self):
        c = self.connect()
        for _ in range(3):
            r = c.request("GET", "/hello.txt")
            self.assertEqual((r.status, r.body), (200, HELLO))
            self.assertFalse(r.has_token("Connection", "close"), r)
            self.assertEqual(r.header("Content-Length"), str(len(HELLO)))
        self.assertFalse(c.is_closed(0.2))

    def test_many_sequential_requests_one_connection(self):
        c = self.connect()
        for i in range(200):
            r = c.request("GET", "/f%02d.txt" % (i % 10))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, ("file number %02d\n" % (i % 10)).encode() * (i % 10 + 1))

    def test_connection_close(self):
        c = self.connect()
        r = c.request("GET", "/hello.txt", [("Connection", "close")])
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertTrue(r.has_token("Connection", "close"), r)
        self.assertTrue(c.is_closed(3.0), "server did not close after Connection: close")

    def test_connection_close_case_insensitive(self):
        c = self.connect()
        r = c.request("GET", "/hello.txt", [("connection", "CLOSE")])
        self.assertEqual(r.status, 200)
        self.assertTrue(r.has_token("Connection", "close"), r)
        self.assertTrue(c.is_closed(3.0))

    def test_connection_close_with_trailing_whitespace(self):
        # RFC 9110 §5.5: trailing OWS is not part of the value; the pipelined request after a
        # "close<HTAB>" must not be served.
        for value in (b"close\t", b"close \t", b"foo, close\t, bar"):
            with self.subTest(value=value):
                c = self.connect()
                c.send(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: " + value +
                       b"\r\n\r\n" + GOOD)
                r = c.read_response()
                self.assertEqual((r.status, r.body), (200, HELLO))
                self.assertTrue(r.has_token("Connection", "close"), r)
                closed, rest = c.wait_closed(3.0)
                self.assertTrue(closed, "connection left open")
                self.assertEqual(rest, b"", "pipelined request answered after close")

    def test_http10_keepalive_with_trailing_tab(self):
        c = self.connect()
        c.send(b"GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\n")
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertTrue(r.has_token("Connection", "keep-alive"), r)
        r = c.request("GET", "/hello.txt", version="HTTP/1.0", host=None)
        self.assertEqual((r.status, r.body), (200, HELLO))

    def test_http10_closes_by_default(self):
        c = self.connect()
        r = c.request("GET", "/hello.txt", version="HTTP/1.0", host=None)
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertFalse(r.has_token("Connection", "keep-alive"), r)
        self.assertStdHeaders(r)
        self.assertTrue(c.is_closed(3.0), "HTTP/1.0 connection left open")

    def test_http10_keepalive(self):
        c = self.connect()
        for _ in range(2):
            r = c.request("GET", "/hello.txt", [("Connection", "keep-alive")],
                          version="HTTP/1.0", host=None)
            self.assertEqual((r.status, r.body), (200, HELLO))
            self.assertTrue(r.has_token("Connection", "keep-alive"), r)
            self.assertEqual(r.header("Content-Length"), str(len(HELLO)))
        self.assertFalse(c.is_closed(0.2), "HTTP/1.0 keep-alive connection closed")
        r = c.request("GET", "/hello.txt", version="HTTP/1.0", host=None)
        self.assertEqual(r.status, 200)
        self.assertTrue(c.is_closed(3.0))

    def test_http10_with_host_ok(self):
        c = self.connect()
        r = c.request("GET", "/hello.txt", version="HTTP/1.0", host="x")
        self.assertEqual(r.status, 200)

    def test_header_names_case_insensitive(self):
        c = self.connect()
        c.send(b"GET /hello.txt HTTP/1.1\r\nhOsT: x\r\nCONNECTION: close\r\n\r\n")
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertTrue(c.is_closed(3.0))

    def test_request_in_small_pieces(self):
        c = self.connect()
        raw = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n"
        for i in range(0, len(raw), 7):
            c.send(raw[i:i + 7])
            time.sleep(0.02)
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, HELLO))
        # one byte at a time, no pauses
        for b in raw:
            c.send(bytes([b]))
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, HELLO))


class Pipelining(Http1Base):
    def expected(self, i):
        return ("file number %02d\n" % (i % 10)).encode() * (i % 10 + 1)

    def test_50_pipelined_gets_in_one_write(self):
        c = self.connect(timeout=10)
        c.send(b"".join(build_request("GET", "/f%02d.txt" % (i % 10), host="x")
                        for i in range(50)))
        for i in range(50):
            r = c.read_response()
            self.assertEqual(r.status, 200, "response %d: %r" % (i, r))
            self.assertEqual(r.body, self.expected(i), "response %d out of order" % i)
        self.assertFalse(c.is_closed(0.2))
        # connection is still usable
        r = c.request("GET", "/hello.txt")
        self.assertEqual(r.body, HELLO)

    def test_pipelined_mixed_methods_and_statuses(self):
        reqs = []
        kinds = []
        for i in range(50):
            if i % 7 == 3:
                reqs.append(build_request("HEAD", "/f%02d.txt" % (i % 10)))
                kinds.append(("HEAD", i))
            elif i % 11 == 5:
                reqs.append(build_request("GET", "/missing-%d.txt" % i))
                kinds.append(("404", i))
            else:
                reqs.append(build_request("GET", "/f%02d.txt" % (i % 10)))
                kinds.append(("GET", i))
        reqs[-1] = build_request("GET", "/hello.txt", [("Connection", "close")])
        kinds[-1] = ("LAST", 49)
        c = self.connect(timeout=10)
        c.send(b"".join(reqs))
        for kind, i in kinds:
            r = c.read_response(head=(kind == "HEAD"))
            if kind == "HEAD":
                self.assertEqual(r.status, 200)
                self.assertEqual(r.header("Content-Length"), str(len(self.expected(i))))
            elif kind == "404":
                self.assertEqual(r.status, 404, "response %d" % i)
            elif kind == "GET":
                self.assertEqual((r.status, r.body), (200, self.expected(i)),
                                 "response %d" % i)
            else:
                self.assertEqual((r.status, r.body), (200, HELLO))
                self.assertTrue(r.has_token("Connection", "close"))
        closed, rest = c.wait_closed(3)
        self.assertTrue(closed)
        self.assertEqual(rest, b"")

    def test_pipelined_many_connections(self):
        conns = [self.connect(timeout=10) for _ in range(10)]
        for c in conns:
            c.send(b"".join(build_request("GET", "/f%02d.txt" % (i % 10))
                            for i in range(20)))
        for c in conns:
            for i in range(20):
                r = c.read_response()
                self.assertEqual(r.body, self.expected(i))


class HeadAndHeaders(Http1Base):
    def test_head_same_headers_no_body(self):
        c = self.connect()
        get = c.request("GET", "/f03.txt")
        # HEAD followed by a GET in the same write: if HEAD carried a body,
        # the next status line would not parse.
        c.send(build_request("HEAD", "/f03.txt") + build_request("GET", "/hello.txt"))
        head = c.read_response(head=True)
        nxt = c.read_response()
        self.assertEqual(head.status, 200)
        self.assertEqual((nxt.status, nxt.body), (200, HELLO))
        self.assertEqual(head.header("Content-Length"), str(len(get.body)))
        for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified"):
            self.assertEqual(head.header(name), get.header(name), name)
        self.assertStdHeaders(head)

    def test_head_404(self):
        c = self.connect()
        c.send(build_request("HEAD", "/nope.txt") + build_request("GET", "/hello.txt"))
        r = c.read_response(head=True)
        self.assertEqual(r.status, 404)
        self.assertEqual(c.read_response().body, HELLO)

    def test_date_and_server_on_200(self):
        r = self.connect().request("GET", "/hello.txt")
        self.assertStdHeaders(r)
        self.assertEqual(r.header("Content-Length"), str(len(HELLO)))
        self.assertIsNone(r.header("Transfer-Encoding"))

    def test_date_and_server_on_404(self):
        r = self.connect().request("GET", "/nope")
        self.assertEqual(r.status, 404)
        self.assertStdHeaders(r)
        self.assertIsNotNone(r.header("Content-Length"))

    def test_date_and_server_on_400(self):
        r = self.assertErrorAndClose(b"GET /hello.txt HTTP/1.1\r\n\r\n", 400)
        self.assertStdHeaders(r)

    def test_status_line_format(self):
        c = self.connect()
        c.send(GOOD)
        line = c.read_until(b"\r\n", time.monotonic() + 5)
        self.assertRegex(line, rb"^HTTP/1\.1 200 [^\r\n]*\r\n$")


class Limits(Http1Base):
    def test_request_line_too_long_414(self):
        raw = b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        self.assertErrorAndClose(raw, 414)

    def test_request_line_very_long_414(self):
        raw = b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        self.assertErrorAndClose(raw, 414)

    def test_request_line_below_limit_ok(self):
        # ~7 KiB request line: the parser takes it, and the request reaches the site, whose
        # request filtering (IIS's maxQueryString, 2048) answers 404 (404.15) on the same
        # connection; a query within the limit is ignored by static files.
        c = self.connect()
        r = c.request("GET", "/hello.txt?" + "q" * 7000)
        self.assertEqual(r.status, 404)
        r = c.request("GET", "/hello.txt?" + "q" * 2000)
        self.assertEqual((r.status, r.body), (200, HELLO))
        # long multi-segment path (every segment < NAME_MAX) -> plain 404
        r = c.request("GET", "/" + "/".join(["s" * 200] * 15))
        self.assertEqual(r.status, 404)
        self.assertEqual(c.request("GET", "/hello.txt").status, 200)

    def test_header_section_too_large_431(self):
        hdrs = b"".join(b"X-Fill-%d: %s\r\n" % (i, b"a" * 4000) for i in range(10))
        raw = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n" + hdrs + b"\r\n"
        self.assertErrorAndClose(raw, 431)

    def test_header_section_huge_431(self):
        hdrs = b"".join(b"X-Fill-%d: %s\r\n" % (i, b"a" * 1000) for i in range(300))
        raw = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n" + hdrs + b"\r\n"
        self.assertErrorAndClose(raw, 431)

    def test_header_section_below_limit_ok(self):
        # 6 x 4000 bytes = ~24 KiB < 32 KiB
        hdrs = [("X-Fill-%d" % i, "a" * 4000) for i in range(6)]
        c = self.connect()
        r = c.request("GET", "/hello.txt", hdrs)
        self.assertEqual((r.status, r.body), (200, HELLO))

    def test_too_many_header_fields_431(self):
        hdrs = b"".join(b"X-H%d: v\r\n" % i for i in range(101))
        raw = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n" + hdrs + b"\r\n"
        self.assertErrorAndClose(raw, 431)

    def test_100_header_fields_ok(self):
        hdrs = [("X-H%d" % i, "v") for i in range(99)]  # + Host = 100
        c = self.connect()
        r = c.request("GET", "/hello.txt", hdrs)
        self.assertEqual((r.status, r.body), (200, HELLO))

    def test_default_max_body_size_413(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
               b"Content-Length: 30000001\r\n\r\n")
        r = self.assertErrorAndClose(raw, 413, follow=b"")
        self.assertEqual(r.interim, [])


class BodyLimit(Http1Base):
    server_args = ["--max-body-size", "1000"]

    def test_content_length_over_limit_answered_immediately(self):
        for method in ("GET", "POST"):
            with self.subTest(method=method):
                raw = (b"%s /hello.txt HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 1001\r\n\r\n" % method.encode())
                t0 = time.monotonic()
                # no body is sent: the server must not wait for it
                self.assertErrorAndClose(raw, 413, follow=b"")
                self.assertLess(time.monotonic() - t0, 3.0)

    def test_content_length_over_limit_with_body_sent(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
               b"Content-Length: 5000\r\n\r\n" + b"z" * 5000)
        self.assertErrorAndClose(raw, 413)

    def test_expect_100_continue_over_limit(self):
        c = self.connect()
        c.send(b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n"
               b"Expect: 100-continue\r\n\r\n")
        r = c.read_response(skip_interim=False)
        self.assertEqual(r.status, 413, "expected 413 and no 100 Continue: %r" % r)
        self.assertTrue(r.has_token("Connection", "close"))
        closed, rest = c.wait_closed(3)
        self.assertTrue(closed)
        self.assertEqual(rest, b"")

    def test_body_at_limit_accepted(self):
        c = self.connect()
        body = b"y" * 1000
        c.send(build_request("GET", "/hello.txt", [("Content-Length", "1000")], body)
               + GOOD)
        r1 = c.read_response()
        self.assertEqual((r1.status, r1.body), (200, HELLO))
        r2 = c.read_response()
        self.assertEqual((r2.status, r2.body), (200, HELLO))

    def test_chunked_over_limit_413(self):
        # A chunked body has no announced size; the server must either reject
        # it with 413 or refuse to read it at all (answer and close).  It must
        # never accept it and keep the connection going.
        chunks = b"".join(b"190\r\n" + b"c" * 400 + b"\r\n" for _ in range(5))  # 2000
        for method in ("GET", "POST"):
            with self.subTest(method=method):
                raw = (method.encode() + b" /hello.txt HTTP/1.1\r\nHost: x\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
                c = self.connect()
                c.send(raw + GOOD, tolerate_reset=True)
                r = c.read_response()
                self.assertIn(r.status, (413, 200, 405), r)
                self.assertTrue(r.has_token("Connection", "close"),
                                "over-limit chunked body accepted: %r" % r)
                closed, rest = c.wait_closed(3)
                self.assertTrue(closed)
                self.assertEqual(rest, b"")

    def test_chunked_within_limit_then_pipelined(self):
        body = b"5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n"
        c = self.connect()
        c.send(build_request("GET", "/hello.txt", [("Transfer-Encoding", "chunked")], body)
               + GOOD)
        r1 = c.read_response()
        self.assertEqual((r1.status, r1.body), (200, HELLO))
        if r1.has_token("Connection", "close"):
            # allowed: the server declines to keep the connection after a body
            closed, rest = c.wait_closed(3)
            self.assertTrue(closed)
            self.assertEqual(rest, b"")
            return
        r2 = c.read_response()
        self.assertEqual((r2.status, r2.body), (200, HELLO))


class Malformed(Http1Base):
    def test_transfer_encoding_unknown_501(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
               b"Transfer-Encoding: gzip\r\n\r\n")
        self.assertErrorAndClose(raw, 501)

    def test_transfer_encoding_chunked_not_last_400(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
               b"Transfer-Encoding: chunked, gzip\r\n\r\n")
        self.assertErrorAndClose(raw, 400)

    def test_content_length_and_transfer_encoding_400(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        self.assertErrorAndClose(raw, 400)

    def test_invalid_content_length_400(self):
        for value in (b"abc", b"1, 2", b"-1", b"1 2", b"0x10", b""):
            with self.subTest(content_length=value):
                raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: " + value + b"\r\n\r\n")
                self.assertErrorAndClose(raw, 400)

    def test_conflicting_content_length_headers_400(self):
        raw = (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
               b"Content-Length: 2\r\n\r\nab")
        self.assertErrorAndClose(raw, 400)

    def test_space_before_colon_400(self):
        for raw in (b"GET /hello.txt HTTP/1.1\r\nHost : x\r\n\r\n",
                    b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Test : 1\r\n\r\n"):
            with self.subTest(raw=raw):
                self.assertErrorAndClose(raw, 400)

    def test_header_without_colon_400(self):
        self.assertErrorAndClose(
            b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400)

    def test_bare_cr_400(self):
        self.assertErrorAndClose(
            b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Test: a\rb\r\n\r\n", 400)

    def test_obs_fold_400(self):
        for fold in (b" continued", b"\tcontinued"):
            with self.subTest(fold=fold):
                self.assertErrorAndClose(
                    b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Test: a\r\n"
                    + fold + b"\r\n\r\n", 400)

    def test_http_version_not_supported_505(self):
        for version in (b"HTTP/2.0", b"HTTP/3.0"):
            with self.subTest(version=version):
                self.assertErrorAndClose(
                    b"GET /hello.txt " + version + b"\r\nHost: x\r\n\r\n", 505)

    def test_bad_method_token_400(self):
        for line in (b"GE T /hello.txt HTTP/1.1", b"\x01GET /hello.txt HTTP/1.1",
                     b"G(ET /hello.txt HTTP/1.1"):
            with self.subTest(line=line):
                self.assertErrorAndClose(line + b"\r\nHost: x\r\n\r\n", 400)

    def test_malformed_request_line_400(self):
        for line in (b"GET /hello.txt HTTP/1.1 extra", b"GET",
                     b"GET /hello.txt", b"GET /hello.txt XTTP/1.1",
                     b"/hello.txt HTTP/1.1"):
            with self.subTest(line=line):
                self.assertErrorAndClose(line + b"\r\nHost: x\r\n\r\n", 400)

    def test_http11_without_host_400(self):
        self.assertErrorAndClose(b"GET /hello.txt HTTP/1.1\r\n\r\n", 400)

    def test_invalid_host_400(self):
        # RFC 9112 §3.2: 400 for an invalid Host; an empty value and a list are refused too.
        for host in (b"exa mple/evil", b"127.0.0.1:8080/path", b"", b"user@host", b"a, b",
                     b"a,b", b"host:80x", b"[::1", b"\xc3\xa9.example"):
            with self.subTest(host=host):
                self.assertErrorAndClose(
                    b"GET /hello.txt HTTP/1.1\r\nHost: " + host + b"\r\n\r\n", 400)
        self.assertErrorAndClose(b"GET /hello.txt HTTP/1.0\r\nHost: a b\r\n\r\n", 400)

    def test_valid_host_forms_served(self):
        for host in (b"example.com", b"example.com:8080", b"127.0.0.1", b"[::1]:80",
                     b"[2001:db8::1]", b"b%C3%BCcher.example", b"a "):
            with self.subTest(host=host):
                c = self.connect()
                c.send(b"GET /hello.txt HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
                r = c.read_response()
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.body, HELLO)

    def test_asterisk_form_only_for_options_400(self):
        for method in (b"GET", b"HEAD", b"DELETE"):
            with self.subTest(method=method):
                self.assertErrorAndClose(method + b" * HTTP/1.1\r\nHost: x\r\n\r\n", 400)
        self.assertErrorAndClose(b"OPTIONS *x HTTP/1.1\r\nHost: x\r\n\r\n", 400)
        c = self.connect()
        c.send(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertNotEqual(c.read_response().status, 400)

    def test_huge_method_400_and_unknown_method_501(self):
        self.assertErrorAndClose(b"A" * 100000 + b" /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                                 400)
        self.assertErrorAndClose(b"FOO /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", 501)

    def test_binary_garbage_400(self):
        self.assertErrorAndClose(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
                                 b"\r\n\r\n", 400)

    def test_server_survives_all_of_the_above(self):
        self.assertServes()


if __name__ == "__main__":
    unittest.main()
