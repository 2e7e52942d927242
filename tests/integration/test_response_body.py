"""The WriteEntityChunks contract (spec §5, §6; docs/iis-compat.md) proved with exact wire bytes.

The test module tests/modules/wec.cc runs a script from the query string (its header documents
the mini-language) and logs every call's HRESULT, *pcbSent, *pfCompletionExpected and each
completion's bytes/status/operation/IsConnected. Each test asserts both that trace and every
byte the client receives: status line, every header in order (the Date value normalised),
framing and body, on HTTP/1.1 and HTTP/1.0, with keep-alive and pipelining."""
import os
import re
import resource
import shutil
import socket
import tempfile
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")

S_OK = "0x00000000"
INVALID_PARAMETER = "0x80070057"   # HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)
INVALID_HANDLE = "0x80070006"      # HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)
NOT_SUPPORTED = "0x80070032"       # HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)
ARITHMETIC_OVERFLOW = "0x80070216"  # HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW)
INVALID_STATE = "0x8007139F"       # HRESULT_FROM_WIN32(ERROR_INVALID_STATE)
CONNECTION_ABORTED = "0x800704D4"  # HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED)
NOT_ENOUGH_MEMORY = "0x80070008"   # HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)

DATE_RE = re.compile(rb"\r\nDate: ([^\r\n]*)\r\n")
FILE_DATA = b"0123456789"


def wec_module():
    path = os.path.abspath(os.path.join(TEST_MODULE_DIR, "wec.so"))
    if not os.path.exists(path):
        raise AssertionError("test module not built: %s" % path)
    return path


def pattern(n):
    return bytes(ord("a") + (i % 26) for i in range(n))


def w(hr=S_OK, sent=0, exp=0, what="write"):
    return "%s hr=%s sent=%s exp=%s" % (what, hr, sent, exp)


def done(nbytes, hr=S_OK, conn=1, what="done"):
    return "%s bytes=%d hr=%s op=2 conn=%d" % (what, nbytes, hr, conn)


def head(status="200 OK", headers=(), framing=None, version="1.1", connection=None):
    """Expected response head bytes: Server (a default field of every IIS response, there
    before any module sets one), the module's headers in order, Date (normalised), the framing
    header and the connection header, as the session writes them."""
    out = "HTTP/%s %s\r\nServer: httpserv\r\n" % (version, status)
    for k, v in headers:
        out += "%s: %s\r\n" % (k, v)
    out += "Date: *\r\n"
    if framing is not None:
        out += framing + "\r\n"
    if connection is not None:
        out += "Connection: %s\r\n" % connection
    return (out + "\r\n").encode("latin-1")


def cl(n):
    return "Content-Length: %d" % n


TE = "Transfer-Encoding: chunked"


def chunked(*parts):
    out = b""
    for p in parts:
        out += b"%x\r\n%s\r\n" % (len(p), p)
    return out + b"0\r\n\r\n"


def request(ops, rid, method="GET", version="HTTP/1.1", close=True, headers=()):
    hdrs = list(headers)
    if close:
        hdrs.append(("Connection", "close"))
    target = "/wec?id=%s&ops=%s" % (rid, ops)
    return harness.build_request(method, target, hdrs, version=version,
                                 host="t" if version == "HTTP/1.1" else None)


class WecCase(harness.ServerTestCase):
    """One server (the wec module on every request, a docroot with a 10-byte file) per class."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="httpserv-wec-")
        harness.make_tree(cls.root, {"ten.bin": FILE_DATA, "other.bin": b"OTHER", "sub": None})
        cls.file = os.path.join(cls.root, "ten.bin")
        cls.other = os.path.join(cls.root, "other.bin")
        cls.class_server = harness.Server(cls.root, args=cls.make_args())

    @classmethod
    def make_args(cls):
        return ["--module", "wec=" + wec_module()] + list(cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        shutil.rmtree(cls.root, True)

    def setUp(self):
        self.srv = type(self).class_server
        self.assertAlive(self.srv)

    # -- helpers -----------------------------------------------------------
    def normalise(self, data):
        """Replaces each Date value with '*' after checking it is an IMF-fixdate."""
        def sub(m):
            self.assertRegex(m.group(1).decode("latin-1"), harness.IMF_FIXDATE_RE)
            return b"\r\nDate: *\r\n"
        return DATE_RE.sub(sub, data)

    def exchange(self, data, timeout=10.0):
        """Sends the bytes in one send and returns everything received until the server closes."""
        with harness.Conn(self.srv.port, timeout=timeout) as c:
            c.send(data)
            closed, got = c.wait_closed(timeout)
        self.assertTrue(closed, "server did not close; got %r" % got[:300])
        return self.normalise(got)

    def trace(self, rid, timeout=10.0):
        m = self.srv.wait_for_log(r"wec id=%s trace=(.*?)\s*$" % re.escape(rid), timeout)
        self.assertIsNotNone(m, "no trace logged for id=%s" % rid)
        return m.group(1)

    def run_ops(self, ops, rid, expect_wire, expect_trace, **kw):
        got = self.exchange(request(ops, rid, **kw))
        self.assertEqual(got, expect_wire)
        self.assertEqual(self.trace(rid), " | ".join(expect_trace))


class Framing(WecCase):
    """§6.3: Content-Length when the whole body is known, chunked (1.1) or close-delimited (1.0)
    once headers go out early, no body for HEAD/204/304, module Content-Length enforced."""

    def test_buffered_default_computes_content_length(self):
        self.run_ops("hdr:Content-Type=text/plain;write:m=hel;write:m=lo", "buf",
                     head(headers=[("Content-Type", "text/plain")], framing=cl(5),
                          connection="close") + b"hello",
                     ["hdr hr=" + S_OK, w(sent=3), w(sent=2)])

    def test_buffered_http10_computes_content_length(self):
        self.run_ops("write:m=hello", "buf10",
                     head(framing=cl(5), version="1.0") + b"hello",
                     [w(sent=5)], version="HTTP/1.0", close=False)

    def test_empty_body(self):
        self.run_ops("sent;flush/l;sent", "empty", head(framing=cl(0), connection="close"),
                     ["sent=0", w(what="flush"), "sent=1"])

    def test_flush_more_data_then_more_is_chunked_on_http11(self):
        self.run_ops("write:m=abc;flush;sent;write:m=defgh", "fl11",
                     head(framing=TE, connection="close") + chunked(b"abc", b"defgh"),
                     [w(sent=3), w(sent=3, what="flush"), "sent=1", w(sent=5)])

    def test_flush_more_data_then_more_is_close_delimited_on_http10(self):
        # Even when the client asked for keep-alive: the body's end is the connection's end.
        self.run_ops("write:m=abc;flush;write:m=defgh", "fl10",
                     head(version="1.0") + b"abcdefgh",
                     [w(sent=3), w(sent=3, what="flush"), w(sent=5)],
                     version="HTTP/1.0", close=False, headers=[("Connection", "keep-alive")])

    def test_final_flush_is_content_length(self):
        # Flush(fMoreData=FALSE) as the first send: the whole body is known.
        self.run_ops("write:m=abc;flush/l", "flfinal",
                     head(framing=cl(3), connection="close") + b"abc",
                     [w(sent=3), w(sent=3, what="flush")])

    def test_flush_with_nothing_buffered_sends_headers(self):
        self.run_ops("flush;sent;write:m=x", "flempty",
                     head(framing=TE, connection="close") + chunked(b"x"),
                     [w(sent=0, what="flush"), "sent=1", w(sent=1)])

    def test_unbuffered_each_write_goes_out(self):
        self.run_ops("nobuf;write:m=ab;sent;write:m=cde", "nobuf",
                     head(framing=TE, connection="close") + chunked(b"ab", b"cde"),
                     [w(sent=2), "sent=1", w(sent=3)])

    def test_unbuffered_http10_is_close_delimited(self):
        self.run_ops("nobuf;write:m=ab;write:m=cde", "nobuf10",
                     head(version="1.0") + b"abcde", [w(sent=2), w(sent=3)],
                     version="HTTP/1.0", close=False)

    def test_unbuffered_single_last_write_has_content_length(self):
        self.run_ops("nobuf;write/l:m=abc", "nobuflast",
                     head(framing=cl(3), connection="close") + b"abc", [w(sent=3)])

    def test_write_over_4mib_flushes_implicitly(self):
        n = 4 * 1024 * 1024
        self.run_ops("write:r=%d;sent;write:m=tail" % n, "big",
                     head(framing=TE, connection="close") + chunked(pattern(n), b"tail"),
                     [w(sent=n), "sent=1", w(sent=4)])

    def test_last_write_over_4mib_is_one_content_length_send(self):
        n = 4 * 1024 * 1024 + 5
        self.run_ops("write/l:r=%d;sent;write:m=x" % n, "biglast",
                     head(framing=cl(n), connection="close") + pattern(n),
                     [w(sent=n), "sent=1", w(hr=INVALID_STATE)])

    def test_module_content_length_honoured(self):
        # Declared by the module: identity, even though a flush sent the head early.
        self.run_ops("hdr:Content-Length=5;write:m=hel;flush;write:m=lo", "clok",
                     head(framing=cl(5), connection="close") + b"hello",
                     ["hdr hr=" + S_OK, w(sent=3), w(sent=3, what="flush"), w(sent=2)])

    def assert_no_complete_response(self, data):
        """A reset connection: never a complete, well-framed response."""
        resps, _ = harness.parse_responses(data)
        self.assertEqual(resps, [], data[:300])

    def test_module_content_length_too_short_body_resets(self):
        got = self.exchange(request("hdr:Content-Length=10;write:m=hello", "clshort"))
        self.assert_no_complete_response(got)
        self.assertEqual(self.trace("clshort"), "hdr hr=%s | %s" % (S_OK, w(sent=5)))
        self.assertIsNotNone(self.srv.wait_for_log(r"shorter than its Content-Length \(5 < 10\)"))
        self.assertServes(self.srv, "/wec?ops=write:m=ok", b"ok")

    def test_module_content_length_too_long_body_resets(self):
        got = self.exchange(request("hdr:Content-Length=3;write:m=hello", "cllong"))
        self.assert_no_complete_response(got)
        self.assertIsNotNone(self.srv.wait_for_log(r"exceeds its Content-Length \(5 > 3\)"))
        self.assertServes(self.srv, "/wec?ops=write:m=ok", b"ok")

    def test_module_content_length_exceeded_after_flush_resets(self):
        got = self.exchange(request("hdr:Content-Length=3;write:m=ab;flush;write:m=cd",
                                    "cllong2"))
        self.assert_no_complete_response(got)
        self.assertServes(self.srv, "/wec?ops=write:m=ok", b"ok")

    def test_content_length_mismatch_keeps_earlier_pipelined_response(self):
        # The reset for the second response must not drop the first, complete one, still
        # queued unwritten in the same event batch (it did: the client got nothing).
        got = self.exchange(request("write:m=first", "plfirst", close=False)
                            + request("hdr:Content-Length=3;write:m=hello", "plbad"))
        # Nothing of the broken response leaves: its head was never written.
        self.assertEqual(got, head(framing=cl(5)) + b"first")
        got = self.exchange(request("write:m=first", "plfirst2", close=False)
                            + request("hdr:Content-Length=9;write:m=hello", "plbad2"))
        self.assertEqual(got, head(framing=cl(5)) + b"first")

    def test_head_computes_content_length_without_body(self):
        self.run_ops("write:m=hello", "head", head(framing=cl(5), connection="close"),
                     [w(sent=5)], method="HEAD")

    def test_head_keeps_module_content_length(self):
        self.run_ops("hdr:Content-Length=42;write:m=hello", "headcl",
                     head(framing=cl(42), connection="close"),
                     ["hdr hr=" + S_OK, w(sent=5)], method="HEAD")

    def test_head_flushed_early_has_no_framing_header(self):
        self.run_ops("write:m=abc;flush;write:m=def", "headfl", head(connection="close"),
                     [w(sent=3), w(sent=3, what="flush"), w(sent=3)], method="HEAD")

    def test_204_and_304_send_no_body(self):
        for code, reason in ((204, "No Content"), (304, "Not Modified")):
            with self.subTest(code=code):
                rid = "nobody%d" % code
                self.run_ops("status:%d;write:m=hello;flush;write:m=more" % code, rid,
                             head(status="%d %s" % (code, reason), connection="close"),
                             ["status hr=" + S_OK, w(sent=5), w(sent=5, what="flush"),
                              w(sent=4)])

    def test_write_after_final_data_is_invalid_state(self):
        # Buffered: fMoreData=FALSE marks the end even before anything was sent.
        # A later Flush(fMoreData=TRUE) sends it as the last send: it cannot reopen the body.
        self.run_ops("write/l:m=abc;write:m=def;flush;flush", "afterlast",
                     head(framing=cl(3), connection="close") + b"abc",
                     [w(sent=3), w(hr=INVALID_STATE), w(sent=3, what="flush"),
                      w(hr=INVALID_STATE, what="flush")])

    def test_write_after_final_send_is_invalid_state(self):
        self.run_ops("nobuf;write/l:m=abc;write:m=def;flush;byref:m=x", "aftersend",
                     head(framing=cl(3), connection="close") + b"abc",
                     [w(sent=3), w(hr=INVALID_STATE), w(hr=INVALID_STATE, what="flush"),
                      "byref hr=" + INVALID_STATE])

    def test_header_and_status_after_headers_sent_do_not_reach_the_wire(self):
        # Decision (spec §6.2/§9.3): accepted with S_OK (and a debug log), not sent.
        self.run_ops("write:m=abc;flush;hdr:X-Late=1;status:500;clear;write:m=def", "late",
                     head(framing=TE, connection="close") + chunked(b"abc", b"def"),
                     [w(sent=3), w(sent=3, what="flush"), "hdr hr=" + S_OK,
                      "status hr=" + S_OK, w(sent=3)])

    def test_clear_before_send_resets_headers_status_and_body(self):
        self.run_ops("status:404;hdr:X-A=1;write:m=junk;clear;write:m=ok", "clear",
                     head(framing=cl(2), connection="close") + b"ok",
                     ["status hr=" + S_OK, "hdr hr=" + S_OK, w(sent=4), w(sent=2)])

    def test_report_header_carries_the_trace(self):
        self.run_ops("write:m=ab;report;write:m=c", "report",
                     head(headers=[("X-Wec", w(sent=2))], framing=cl(3), connection="close")
                     + b"abc", [w(sent=2), w(sent=1)])


class BothVersions(WecCase):
    """The same scripts on HTTP/1.1 and HTTP/1.0: the framing each version gets."""

    def cases(self):
        f = self.file
        # (id, ops, method, status, HTTP/1.1 (framing, body), HTTP/1.0 (framing, body))
        return [
            ("buf", "write:m=hello", "GET", "200 OK", (cl(5), b"hello"), (cl(5), b"hello")),
            ("flush", "write:m=ab;flush;write:m=c", "GET", "200 OK",
             (TE, chunked(b"ab", b"c")), (None, b"abc")),
            ("nobuf", "nobuf;write/a:m=ab;write/a2:m=c;write/an:m=d", "GET", "200 OK",
             (TE, chunked(b"ab", b"c", b"d")), (None, b"abcd")),
            ("nobuflast", "nobuf;write/al:m=abc", "GET", "200 OK", (cl(3), b"abc"),
             (cl(3), b"abc")),
            ("modcl", "hdr:Content-Length=3;nobuf;write:m=ab;write:m=c", "GET", "200 OK",
             (cl(3), b"abc"), (cl(3), b"abc")),
            ("file", "write:f=%s,2,eof;flush/a;write:f=%s,0,2" % (f, f), "GET", "200 OK",
             (TE, chunked(b"23456789", b"01")), (None, b"2345678901")),
            ("head", "write:m=hello", "HEAD", "200 OK", (cl(5), b""), (cl(5), b"")),
            ("headfl", "write:m=ab;flush;write:m=c", "HEAD", "200 OK", (None, b""),
             (None, b"")),
            ("s204", "status:204;write:m=x;flush;write:m=y", "GET", "204 No Content",
             (None, b""), (None, b"")),
            ("s304", "status:304;nobuf;write:m=x", "GET", "304 Not Modified", (None, b""),
             (None, b"")),
        ]

    def test_http11_and_http10(self):
        for rid, ops, method, status, v11, v10 in self.cases():
            for version, (framing, body) in (("1.1", v11), ("1.0", v10)):
                with self.subTest(case=rid, version=version):
                    got = self.exchange(request(ops, "v%s%s" % (rid, version), method=method,
                                                version="HTTP/" + version,
                                                close=version == "1.1"))
                    self.assertEqual(got, head(status=status, framing=framing, version=version,
                                               connection="close" if version == "1.1" else None)
                                     + body)


class LateHeaderLog(WecCase):
    """The debug log line that goes with S_OK for header/status changes after the send."""

    server_args = ("--log-level", "debug")

    def test_late_changes_are_logged(self):
        self.run_ops("flush;hdr:X-Late=1;status:500;write:m=a", "latelog",
                     head(framing=TE, connection="close") + chunked(b"a"),
                     [w(what="flush"), "hdr hr=" + S_OK, "status hr=" + S_OK, w(sent=1)])
        self.assertIsNotNone(self.srv.wait_for_log(
            r"SetHeader\(X-Late\) after the headers were sent: not sent"))
        self.assertIsNotNone(self.srv.wait_for_log(
            r"SetStatus\(500\) after the headers were sent: not sent"))


class BufferLimit(WecCase):
    """responseBufferLimit from applicationHost.config: WriteEntityChunks flushes itself when the
    buffered bytes reach it (spec §6.2); 0 means unbuffered."""

    @classmethod
    def make_args(cls):
        cls.config = os.path.join(cls.root, "applicationHost.config")
        with open(cls.config, "w") as f:
            f.write("""<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="S" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="." /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:1:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules><add name="wec" image="%s" /></globalModules>
    <modules><add name="wec" /></modules>
    <handlers>
      <add name="Small" path="wec" verb="*" modules="wec" responseBufferLimit="8" />
      <add name="Zero" path="zero" verb="*" modules="wec" responseBufferLimit="0" />
    </handlers>
  </system.webServer>
</configuration>
""" % wec_module())
        return ["--config", cls.config]

    def test_limit_reached_flushes_with_more_data(self):
        self.run_ops("write:m=12345;sent;write:m=6789;sent;write:m=0", "limit",
                     head(framing=TE, connection="close") + chunked(b"123456789", b"0"),
                     [w(sent=5), "sent=0", w(sent=4), "sent=1", w(sent=1)])

    def test_under_limit_stays_buffered(self):
        self.run_ops("write:m=1234567", "underlimit",
                     head(framing=cl(7), connection="close") + b"1234567", [w(sent=7)])

    def test_zero_limit_is_unbuffered(self):
        got = self.exchange(harness.build_request(
            "GET", "/zero?id=zero&ops=write:m=ab;sent;write:m=c", [("Connection", "close")]))
        self.assertEqual(got, head(framing=TE, connection="close") + chunked(b"ab", b"c"))
        self.assertEqual(self.trace("zero"), " | ".join([w(sent=2), "sent=1", w(sent=1)]))


class Completion(WecCase):
    """§6.4/§6.5: *pcbSent, *pfCompletionExpected and completion delivery (v1 OnAsyncCompletion,
    v2 callback), and the one-outstanding-operation rule."""

    def test_sync_reports_bytes(self):
        self.run_ops("write:m=hello+m=world", "sync",
                     head(framing=cl(10), connection="close") + b"helloworld", [w(sent=10)])

    def test_null_pcbsent_accepted(self):
        # DisableBuffering: what was buffered goes out with the next write, in one send.
        self.run_ops("write/p:m=hello;nobuf;write/pa:m=x", "nullsent",
                     head(framing=TE, connection="close") + chunked(b"hellox"),
                     [w(sent="-"), w(sent="-", exp=1), done(1)])

    def test_async_buffered_completes_inline(self):
        self.run_ops("write/a:m=hello;write/a2:m=!", "asyncbuf",
                     head(framing=cl(6), connection="close") + b"hello!",
                     [w(sent=5), w(sent=1)])

    def test_async_buffered_without_expected_pointer_posts_completion(self):
        self.run_ops("write/an:m=hello;write/an2:m=!", "asyncnull",
                     head(framing=cl(6), connection="close") + b"hello!",
                     [w(sent=5, exp="-"), done(5), w(sent=1, exp="-"), done(1, what="cb")])

    def test_unbuffered_async_completes_later_with_byte_count(self):
        self.run_ops("nobuf;write/a:m=hello;write/a2:m=abc+m=de;write/an:m=x", "asyncnobuf",
                     head(framing=TE, connection="close") + chunked(b"hello", b"abcde", b"x"),
                     [w(exp=1), done(5), w(exp=1), done(5, what="cb"), w(exp="-"), done(1)])

    def test_unbuffered_async_large_write(self):
        # Larger than the socket buffers: the completion waits until every byte is in the kernel.
        n = 3000000
        self.run_ops("nobuf;write/a:r=%d;write/a2:m=end" % n, "asyncbig",
                     head(framing=TE, connection="close") + chunked(pattern(n), b"end"),
                     [w(exp=1), done(n), w(exp=1), done(3, what="cb")])

    def test_async_flush_v1_and_v2(self):
        self.run_ops("write:m=abc;flush/a;write:m=de;flush/a2;write:m=f;flush/an", "asyncflush",
                     head(framing=TE, connection="close") + chunked(b"abc", b"de", b"f"),
                     [w(sent=3), w(exp=1, what="flush"), done(3), w(sent=2),
                      w(exp=1, what="flush"), done(2, what="cb"), w(sent=1),
                      w(exp="-", what="flush"), done(1)])

    def test_v2_with_null_callback_completes_like_v1(self):
        self.run_ops("nobuf;write/a0:m=ab;write/an0:m=c;write:m=d;flush/a0", "v2null",
                     head(framing=TE, connection="close") + chunked(b"ab", b"c", b"d"),
                     [w(exp=1), done(2), w(exp="-"), done(1), w(sent=1),
                      w(exp=1, what="flush"), done(0)])

    def test_async_final_flush(self):
        self.run_ops("write:m=abc;flush/al;write:m=x", "asyncfinal",
                     head(framing=cl(3), connection="close") + b"abc",
                     [w(sent=3), w(exp=1, what="flush"), done(3), w(hr=INVALID_STATE)])

    def test_second_async_operation_while_one_is_outstanding(self):
        self.run_ops("nobuf;write/ag:m=one;write/a:m=two;write:m=three;flush/a;wait;write:m=4",
                     "twoops",
                     head(framing=TE, connection="close") + chunked(b"one", b"4"),
                     [w(exp=1), w(hr=INVALID_STATE), w(hr=INVALID_STATE),
                      w(hr=INVALID_STATE, what="flush"), done(3), w(sent=1)])

    def test_sync_flush_while_async_outstanding_is_queued_behind(self):
        # Writes are refused while an async operation is in flight; a synchronous Flush (which
        # the end of the request also makes) is queued behind it.
        self.run_ops("write:m=buf;flush/ag;write:m=x;flush;wait;write:m=y", "syncflush",
                     head(framing=TE, connection="close") + chunked(b"buf", b"y"),
                     [w(sent=3), w(exp=1, what="flush"), w(hr=INVALID_STATE),
                      w(what="flush"), done(3), w(sent=1)])

    def test_long_sync_completing_stream_iterates(self):
        # 3000 async writes that complete inline (buffered): a module that recursed would
        # overflow nothing here, but the loop must also not lose a write.
        self.run_ops("write/a:m=a;stream/a:3000,1", "iterate",
                     head(framing=cl(3001), connection="close") + b"a" * 3001,
                     [w(sent=1), "stream done=3000"])

    def test_head_unbuffered_async_still_completes(self):
        # No body bytes on the wire, but every completion arrives with the bytes the module wrote.
        self.run_ops("nobuf;write/a:m=abc;write/a2:m=de;flush/a", "headasync",
                     head(connection="close"),
                     [w(exp=1), done(3), w(exp=1), done(2, what="cb"), w(exp=1, what="flush"),
                      done(0)], method="HEAD")

    def test_unbuffered_async_stream(self):
        n, size = 50, 1000
        self.run_ops("nobuf;stream/a2:%d,%d" % (n, size), "stream",
                     head(framing=TE, connection="close") + chunked(*[pattern(size)] * n),
                     ["stream done=%d" % n])


class BadInput(WecCase):
    """§6.1/§6.9: the documented HRESULT, and nothing else happens: the response still
    completes normally when the module then finishes."""

    def check_rejected(self, chunks, hr, rid):
        self.run_ops("write:m=A;write:%s;write/l:m=B" % chunks, rid,
                     head(framing=cl(2), connection="close") + b"AB",
                     [w(sent=1), w(hr=hr), w(sent=1)])

    def test_null_array(self):
        self.check_rejected("nullarray", INVALID_PARAMETER, "nullarray")

    def test_unknown_chunk_type(self):
        self.check_rejected("type=9", INVALID_PARAMETER, "type9")

    def test_null_buffer_with_length(self):
        self.check_rejected("null=5", INVALID_PARAMETER, "nullbuf")

    def test_bad_descriptors(self):
        for spec, rid in (("fd=-1", "fdneg"), ("closedfd", "fdclosed"),
                          ("dir=" + self.root, "fddir"), ("pipe", "fdpipe")):
            with self.subTest(spec=spec):
                self.check_rejected(spec, INVALID_HANDLE, rid)

    def test_range_past_eof(self):
        for spec, rid in (("f=%s,5,6" % self.file, "range1"),
                          ("f=%s,11,eof" % self.file, "range2"),
                          ("f=%s,11,0" % self.file, "range3")):
            with self.subTest(spec=spec):
                self.check_rejected(spec, INVALID_PARAMETER, rid)

    def test_trailer_chunk_types_not_supported(self):
        for t in (4, 5):
            with self.subTest(type=t):
                self.check_rejected("type=%d" % t, NOT_SUPPORTED, "trailer%d" % t)

    def test_bad_chunk_among_good_ones_writes_nothing(self):
        self.check_rejected("m=zz+type=9", INVALID_PARAMETER, "mixed")

    def test_rejected_last_write_does_not_end_the_response(self):
        self.run_ops("write:m=A;write/l:type=9;write/l:x=65535;write:m=B", "rejlast",
                     head(framing=cl(2), connection="close") + b"AB",
                     [w(sent=1), w(hr=INVALID_PARAMETER), w(hr=ARITHMETIC_OVERFLOW),
                      w(sent=1)])

    def test_zero_chunks_is_a_no_op(self):
        self.run_ops("write:m=ab;write:;write/a:;write:m=c", "zero",
                     head(framing=cl(3), connection="close") + b"abc",
                     [w(sent=2), w(), w(), w(sent=1)])

    def test_zero_chunks_honours_last_buffered(self):
        self.run_ops("write:m=ab;write/l:;write:m=c", "zerolast",
                     head(framing=cl(2), connection="close") + b"ab",
                     [w(sent=2), w(), w(hr=INVALID_STATE)])

    def test_zero_chunks_last_unbuffered_is_the_final_send(self):
        self.run_ops("nobuf;write:m=ab;write/l:;write:m=c", "zerolastnobuf",
                     head(framing=TE, connection="close") + chunked(b"ab"),
                     [w(sent=2), w(), w(hr=INVALID_STATE)])

    def test_chunk_cap(self):
        n = 65534
        self.run_ops("write:x=%d;write:m=y;byref:m=z;flush;write:m=y" % n, "cap",
                     head(framing=TE, connection="close") + chunked(b"x" * n, b"y"),
                     [w(sent=n), w(hr=ARITHMETIC_OVERFLOW), "byref hr=" + ARITHMETIC_OVERFLOW,
                      w(sent=n, what="flush"), w(sent=1)])

    def test_chunk_cap_in_one_call(self):
        self.check_rejected("x=65535", ARITHMETIC_OVERFLOW, "cap1")

    def test_byref_null_chunk(self):
        self.run_ops("byref:;write:m=ok", "byrefnull",
                     head(framing=cl(2), connection="close") + b"ok",
                     ["byref hr=" + INVALID_PARAMETER, w(sent=2)])


class OutOfDescriptors(harness.ServerTestCase):
    """A buffered file chunk the server cannot dup() (RLIMIT_NOFILE reached): the call fails with
    ERROR_NOT_ENOUGH_MEMORY and changes nothing, and the response still completes."""

    @unittest.skipIf(harness.SANITIZED, "the sanitizer runtimes need spare descriptors themselves "
                     "(UBSan's vptr check opens a pipe) and report bogus errors without them")
    def test_dup_failure_changes_nothing(self):
        root = self.tempdir({"ten.bin": FILE_DATA})
        srv = self.start_server(root, args=["--module", "wec=" + wec_module()])
        # One request first: the serving process (the supervisor's child) has finished starting
        # only once it answers, so its descriptors are all open by then.
        with harness.Conn(srv.port, timeout=10) as c:
            c.send(request("write:m=up", "warmup"))
            self.assertTrue(c.wait_closed(10)[0])
        pid = srv.serving_pid()
        # The server closes the warm-up connection after its lingering close: wait until the
        # descriptor table has been still for a moment.
        fds, deadline = None, time.monotonic() + 5
        while time.monotonic() < deadline:
            now = sorted(int(f) for f in os.listdir("/proc/%d/fd" % pid))
            if now == fds:
                break
            fds = now
            time.sleep(0.3)
        # Room for exactly two more descriptors: the accepted connection and the module's open().
        # They take the lowest free numbers (holes first), so the limit sits just above the
        # second one.
        free = sorted(set(range(max(fds) + 3)) - set(fds))
        limit = free[1] + 1
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
        data = request("write:m=A;write:m=X+f=%s+m=Y;write:m=B" % os.path.join(root, "ten.bin"),
                       "emfile")
        with harness.Conn(srv.port, timeout=10) as c:
            c.send(data)
            closed, got = c.wait_closed(10)
        self.assertTrue(closed)
        self.srv = srv
        self.assertEqual(WecCase.normalise(self, got),
                         head(framing=cl(2), connection="close") + b"AB")
        self.assertEqual(WecCase.trace(self, "emfile"), " | ".join(
            [w(sent=1), w(hr=NOT_ENOUGH_MEMORY), w(sent=1)]))
        self.assertIsNotNone(srv.wait_for_log(r"cannot duplicate a file descriptor"))


class Chunks(WecCase):
    """FromFileHandle (ranges, TO_EOF, the module's fd closed right after the call),
    WriteEntityChunkByReference positions, GetRawHttpResponse truncation."""

    def test_file_whole_range_and_to_eof_buffered(self):
        f = self.file
        self.run_ops("write:f=%s;write:f=%s,2,3;write:f=%s,7,eof;write:f=%s,10,eof" % (f, f, f, f),
                     "filebuf",
                     head(framing=cl(16), connection="close") + FILE_DATA + b"234789",
                     [w(sent=10), w(sent=3), w(sent=3), w(sent=0)])

    def test_module_closes_its_fd_after_each_call(self):
        # The module closes its descriptor right after each call, so the next open() gets the
        # same number back: only a server that dup()ed each one sends both files.
        self.run_ops("write:f=%s;write:f=%s;byref:f=%s,0,2;nobuf;write/a:f=%s,3,eof"
                     % (self.file, self.other, self.file, self.other), "dup",
                     head(framing=TE, connection="close")
                     + chunked(FILE_DATA + b"OTHER01" + b"ER"),
                     [w(sent=10), w(sent=5), "byref hr=" + S_OK, w(exp=1), done(2)])

    def test_file_unbuffered_sync_and_async(self):
        f = self.file
        self.run_ops("nobuf;write:f=%s,1,2;write/a:f=%s,5,eof+m=!;write/a2:f=%s" % (f, f, f),
                     "filenobuf",
                     head(framing=TE, connection="close")
                     + chunked(b"12", b"56789!", FILE_DATA),
                     [w(sent=2), w(exp=1), done(6), w(exp=1), done(10, what="cb")])

    def test_file_and_memory_in_one_call_then_flush(self):
        f = self.file
        self.run_ops("write:m=<+f=%s,0,4+m=>;flush/a;write:f=%s,8,eof" % (f, f), "filemix",
                     head(framing=TE, connection="close") + chunked(b"<0123>", b"89"),
                     [w(sent=6), w(exp=1, what="flush"), done(6), w(sent=2)])

    def test_by_reference_positions(self):
        self.run_ops("write:m=BB;byref/0:m=AA;byref:m=CC;byref/-1:m=DD;byref/1:m=ab", "byref",
                     head(framing=cl(10), connection="close") + b"AAabBBCCDD",
                     [w(sent=2)] + ["byref hr=" + S_OK] * 4)

    def test_by_reference_file(self):
        self.run_ops("byref:f=%s,3,2;byref/0:m=>" % self.file, "byreffile",
                     head(framing=cl(3), connection="close") + b">34",
                     ["byref hr=" + S_OK] * 2)

    def test_by_reference_unbuffered_goes_out(self):
        self.run_ops("nobuf;byref:m=ab;sent;write:m=c", "byrefnobuf",
                     head(framing=TE, connection="close") + chunked(b"ab", b"c"),
                     ["byref hr=" + S_OK, "sent=1", w(sent=1)])

    def test_raw_response_truncation(self):
        self.run_ops("write:m=aaa;write:m=bbb;write:m=ccc;trunc:1;write:m=zz", "trunc",
                     head(framing=cl(5), connection="close") + b"aaazz",
                     [w(sent=3)] * 3 + ["trunc count=3", w(sent=2)])

    def test_raw_response_truncation_of_to_eof_file(self):
        # The dropped chunk's length must be the resolved one, or the byte count goes wrong
        # (and the next write would flush early as if over the buffer limit).
        self.run_ops("write:m=aaa;write:f=%s;trunc:1;write:m=zz" % self.file, "trunceof",
                     head(framing=cl(5), connection="close") + b"aaazz",
                     [w(sent=3), w(sent=10), "trunc count=2", w(sent=2)])

    def test_raw_response_status_change_and_later_set_status(self):
        # The struct is live: a StatusCode written there is sent; a later SetStatus still wins.
        self.run_ops("rawstatus:202;write:m=a", "rawstatus",
                     head(status="202 Accepted", framing=cl(1), connection="close") + b"a",
                     ["trunc count=0", w(sent=1)])
        self.run_ops("rawstatus:202;status:201;write:m=a", "rawstatus2",
                     head(status="201 Created", framing=cl(1),
                          connection="close") + b"a",
                     ["trunc count=0", "status hr=" + S_OK, w(sent=1)])

    def test_raw_response_truncation_twice_and_clear(self):
        self.run_ops("write:m=aa;write:m=bb;trunc:1;trunc:1;clear;write:m=c;write:m=d", "trunc2",
                     head(framing=cl(2), connection="close") + b"cd",
                     [w(sent=2)] * 2 + ["trunc count=2", "trunc count=1", w(sent=1), w(sent=1)])

    def test_by_reference_index_past_the_end_appends(self):
        self.run_ops("write:m=A;byref/99:m=B;byref/1:m=-", "byrefclamp",
                     head(framing=cl(3), connection="close") + b"A-B",
                     [w(sent=1), "byref hr=" + S_OK, "byref hr=" + S_OK])

    def test_raw_response_truncation_to_zero(self):
        self.run_ops("write:m=aaa;trunc:0", "trunc0",
                     head(framing=cl(0), connection="close"), [w(sent=3), "trunc count=1"])


class Connections(WecCase):
    """Keep-alive and pipelining: every response framed so the next one can follow."""

    def test_keepalive_second_request_on_same_connection(self):
        with harness.Conn(self.srv.port, timeout=10) as c:
            c.send(request("write:m=one", "ka1", close=False))
            first = c.read_response()
            self.assertEqual(self.normalise(first.raw_head) + first.body,
                             head(framing=cl(3)) + b"one")
            c.send(request("nobuf;write:m=two;write:m=three", "ka2"))
            closed, rest = c.wait_closed(10)
        self.assertTrue(closed)
        self.assertEqual(self.normalise(rest),
                         head(framing=TE, connection="close") + chunked(b"two", b"three"))

    def test_pipelined_three_requests(self):
        data = (request("write:m=first", "p1", close=False)
                + request("write:m=se;flush/a;write:m=cond", "p2", close=False)
                + request("write:m=third", "p3", method="HEAD"))
        got = self.exchange(data)
        self.assertEqual(got, head(framing=cl(5)) + b"first"
                         + head(framing=TE) + chunked(b"se", b"cond")
                         + head(framing=cl(5), connection="close"))
        self.assertEqual(self.trace("p2"), " | ".join(
            [w(sent=2), w(exp=1, what="flush"), done(2), w(sent=4)]))

    def test_module_connection_close_ends_the_connection(self):
        # The module's own Connection/Transfer-Encoding headers are the server's business: it
        # closes after this response (so the pipelined second request is never answered).
        data = (request("hdr:Connection=close;hdr:Transfer-Encoding=chunked;write:m=a", "mc",
                        close=False)
                + request("write:m=never", "mc2", close=False))
        got = self.exchange(data)
        self.assertEqual(got, head(framing=cl(1), connection="close") + b"a")

    def test_need_disconnect_after_the_head_closes_after_this_response(self):
        # SetNeedDisconnect() once the head is out (keep-alive, chunked): the response ends
        # normally, then the connection closes; the pipelined request is never answered.
        data = (request("write:m=abc;flush;disconnect;write:m=def", "nd", close=False)
                + request("write:m=never", "nd2", close=False))
        got = self.exchange(data, timeout=5)
        self.assertEqual(got, head(framing=TE) + chunked(b"abc", b"def"))
        self.assertEqual(self.trace("nd"), " | ".join(
            [w(sent=3), w(sent=3, what="flush"), "disconnect", w(sent=3)]))
        self.assertNotIn("wec id=nd2 ", self.srv.log_text())

    def test_need_disconnect_before_the_head_says_close(self):
        data = (request("disconnect;write:m=abc", "nd3", close=False)
                + request("write:m=never", "nd4", close=False))
        got = self.exchange(data, timeout=5)
        self.assertEqual(got, head(framing=cl(3), connection="close") + b"abc")

    def test_pipelined_unbuffered_async_and_http10_keepalive(self):
        data = (request("nobuf;write/a:m=a;write/a2:m=b", "q1", close=False)
                + request("write:m=c", "q2", version="HTTP/1.0", close=False,
                          headers=[("Connection", "keep-alive")])
                + request("nobuf;write:m=d", "q3", version="HTTP/1.0", close=False,
                          headers=[("Connection", "keep-alive")]))
        got = self.exchange(data)
        self.assertEqual(got, head(framing=TE) + chunked(b"a", b"b")
                         + head(framing=cl(1), version="1.0", connection="keep-alive") + b"c"
                         + head(version="1.0") + b"d")


class Disconnect(WecCase):
    """A client that leaves mid-stream: the pending completion arrives with a failure status,
    IsConnected() is FALSE in it, and the server keeps serving."""

    def stream_then_reset(self, rid, flags):
        c = harness.Conn(self.srv.port, timeout=10, rcvbuf=4096)
        try:
            c.send(request("nobuf;stream/%s:100000,65536;write:m=x;flush" % flags, rid,
                           close=False))
            c.read_until(b"\r\n\r\n", time.monotonic() + 10)
            c.read_exact(1000, time.monotonic() + 10)
        finally:
            c.abort()
        trace = self.trace(rid, timeout=20)
        # Later calls fail at once with the same status (spec §6.9).
        self.assertRegex(trace, r"^stream done=\d+ \| %s$" % re.escape(" | ".join([
            done(0, hr=CONNECTION_ABORTED, conn=0, what="cb" if "2" in flags else "done"),
            w(hr=CONNECTION_ABORTED), w(hr=CONNECTION_ABORTED, what="flush")])))
        self.assertServes(self.srv, "/wec?ops=write:m=ok", b"ok")

    def test_reset_mid_stream_v1(self):
        self.stream_then_reset("disc1", "a")

    def test_reset_mid_stream_v2(self):
        self.stream_then_reset("disc2", "a2")

    def test_close_mid_stream(self):
        c = harness.Conn(self.srv.port, timeout=10, rcvbuf=4096)
        try:
            c.send(request("nobuf;stream/a:100000,65536", "disc3", close=False))
            c.read_until(b"\r\n\r\n", time.monotonic() + 10)
        finally:
            c.sock.shutdown(socket.SHUT_RDWR)
            c.close()
        trace = self.trace("disc3", timeout=20)
        self.assertRegex(trace, r"^stream done=\d+ \| %s$" % re.escape(
            done(0, hr=CONNECTION_ABORTED, conn=0)))
        self.assertServes(self.srv, "/wec?ops=write:m=ok", b"ok")


if __name__ == "__main__":
    unittest.main()
