"""Request targets with bytes >= 0x80: well-formed UTF-8 is accepted by default and reaches the
static file handler raw or percent-encoded; malformed or overlong UTF-8 (raw or percent-encoded)
is a 400 before any module runs; <requestFiltering allowHighBitCharacters="false"> (per site and
<location>) refuses every non-ASCII URL with 404 (IIS 404.12)."""
import os
import tempfile
import unittest

import harness

NAME = "caf\u00e9-\u65e5\u672c.txt".encode("utf-8")  # café-日本.txt
BODY = b"utf-8 named file\n"

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Main" id="3">
        <application path="/"><virtualDirectory path="/" physicalPath="content" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port}:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <handlers><add name="Static" path="*" verb="GET,HEAD" modules="StaticFileModule" /></handlers>
  </system.webServer>
  <location path="Main/ascii">
    <system.webServer>
      <security><requestFiltering allowHighBitCharacters="false" /></security>
    </system.webServer>
  </location>
</configuration>
"""


def quote(raw):
    return b"".join(b"%%%02X" % b if b >= 0x80 else bytes([b]) for b in raw)


class Utf8Base(unittest.TestCase):
    def raw_get(self, port, target, close=True):
        """Sends one GET with `target` as raw bytes; returns (response, closed afterwards)."""
        c = harness.Conn(port, timeout=10)
        self.addCleanup(c.close)
        c.send(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"
               + b"GET /plain.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        closed, rest = c.wait_closed(3.0) if r.status == 400 else (None, b"")
        return r, closed, rest


class DefaultServer(Utf8Base):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="httpserv-utf8-")
        root = cls.tmp.name
        with open(os.path.join(os.fsencode(root), NAME), "wb") as f:
            f.write(BODY)
        with open(os.path.join(root, "plain.txt"), "wb") as f:
            f.write(b"plain\n")
        cls.srv = harness.Server(root)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.tmp.cleanup()

    def test_utf8_file_name_raw_and_percent_encoded(self):
        for target in (b"/" + NAME, b"/" + quote(NAME), b"/" + quote(NAME).lower(),
                       b"/" + NAME + b"?q=\xe2\x82\xac"):
            with self.subTest(target=target):
                r, _, _ = self.raw_get(self.srv.port, target)
                self.assertEqual((r.status, r.body), (200, BODY), r)

    def test_missing_utf8_name_is_404(self):
        r, _, _ = self.raw_get(self.srv.port, "/\u00fcber.txt".encode("utf-8"))
        self.assertEqual(r.status, 404)

    def test_malformed_utf8_is_400_and_closes(self):
        for target in (b"/a\xc0\xafb", b"/caf\xe9.txt", b"/\xe2\x82", b"/\xed\xa0\x80",
                       b"/\xf4\x90\x80\x80", b"/\xff", b"/x?q=\xc3", b"/%C0%AF..%C0%AFplain.txt",
                       b"/%c0%ae%c0%ae/plain.txt", b"/%ED%A0%80", b"/%E2%82"):
            with self.subTest(target=target):
                r, closed, rest = self.raw_get(self.srv.port, target)
                self.assertEqual(r.status, 400, r)
                self.assertTrue(closed)
                self.assertEqual(rest, b"")  # the pipelined request is not served
        self.srv.wait_for_log(r"400 request target is not valid UTF-8")
        self.srv.wait_for_log(r"400 request path is not valid UTF-8 once decoded")


class AllowHighBitCharactersFalse(Utf8Base):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="httpserv-utf8cfg-")
        d = os.fsencode(cls.tmp.name)
        for sub in (b"content", b"content/ascii"):
            os.makedirs(os.path.join(d, sub))
            with open(os.path.join(d, sub, NAME), "wb") as f:
                f.write(BODY)
            with open(os.path.join(d, sub, b"plain.txt"), "wb") as f:
                f.write(b"plain\n")
        cls.port = harness.free_port()
        path = os.path.join(cls.tmp.name, "applicationHost.config")
        with open(path, "w") as f:
            f.write(CONFIG.format(port=cls.port))
        cls.srv = harness.Server(cls.tmp.name, start=False, listen=["127.0.0.1:1"])
        cls.srv.cmd = [harness.server_bin(), "--workers", "1", "--config", path]
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.tmp.cleanup()

    def test_refused_with_404_12_where_configured(self):
        for target in (b"/ascii/" + NAME, b"/ascii/" + quote(NAME),
                       b"/ascii/plain.txt?q=\xc3\xa9"):
            with self.subTest(target=target):
                r, _, _ = self.raw_get(self.port, target)
                self.assertEqual(r.status, 404, r)
        self.srv.wait_for_log(r"allowHighBitCharacters is false: 404\.12", count=3)

    def test_ascii_still_served_there(self):
        r, _, _ = self.raw_get(self.port, b"/ascii/plain.txt?q=%C3%A9")
        self.assertEqual((r.status, r.body), (200, b"plain\n"))

    def test_elsewhere_in_the_site_utf8_is_served(self):
        for target in (b"/" + NAME, b"/" + quote(NAME)):
            with self.subTest(target=target):
                r, _, _ = self.raw_get(self.port, target)
                self.assertEqual((r.status, r.body), (200, BODY), r)

    def test_malformed_is_still_400(self):
        r, closed, _ = self.raw_get(self.port, b"/ascii/%C0%AF")
        self.assertEqual(r.status, 400)
        self.assertTrue(closed)


if __name__ == "__main__":
    unittest.main()
