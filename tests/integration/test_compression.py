"""The built-in StaticCompressionModule and DynamicCompressionModule, with curl (which decodes
gzip and br with --compressed) and Python's gzip.

On by default (from --root and the embedded default): gzip and br for text types over
minFileSizeForComp, compressed copies of static files kept on disk (and found again by the next
process), Vary on every compressible response, weak ETags on compressed ones with 304s that
work, identity for ranges, HTTP/1.0 and proxies; module output compressed as it streams."""
import gzip
import os
import random
import subprocess
import threading
import unittest
import zlib

import harness

random.seed(7)
WORDS = ["alpha", "beta", "gamma", "delta", "server", "module", "request", "compression"]
TEXT = " ".join(random.choice(WORDS) for _ in range(12000)).encode()  # ~80 KB, compressible
SMALL = b"x" * 2000  # under minFileSizeForComp (2700)
PNG = bytes(random.getrandbits(8) for _ in range(10000))

FILES = {
    "big.txt": TEXT,
    "page.html": b"<html><body>" + b"<p>hello world</p>\n" * 400 + b"</body></html>",
    "small.txt": SMALL,
    "image.png": PNG,
    "plain/big.txt": TEXT,
}


def curl_decoded(url, accept, *args):
    """The body as decoded by curl, and the response's Content-Encoding."""
    r = harness.curl(url, "--compressed", "-H", "Accept-Encoding: " + accept, *args)
    return r


class StaticDefaults(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot(FILES)
        cls.cache = harness.tempfile.mkdtemp(prefix="httpserv-cache-")
        os.chmod(cls.cache, 0o700)
        # TMPDIR moves the default compression directory into this test's own space.
        cls.class_server = harness.Server(cls.root, start=False)
        cls._start_with_env(cls.class_server, {"TMPDIR": cls.cache})

    @staticmethod
    def _start_with_env(srv, env):
        old = os.environ.copy()
        os.environ.update(env)
        try:
            srv.start()
        finally:
            os.environ.clear()
            os.environ.update(old)

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)
        harness.shutil.rmtree(cls.cache, True)

    def url(self, path):
        return self.class_server.url(path)

    def test_gzip_and_br(self):
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, "gzip"))
        self.assertEqual(gzip.decompress(r.body), TEXT)
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))
        self.assertLess(len(r.body), len(TEXT) // 3)
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertTrue(r.header("ETag").startswith('W/"'), r.header("ETag"))
        r = curl_decoded(self.url("/big.txt"), "br")
        self.assertEqual((r.status, r.header("Content-Encoding"), r.body), (200, "br", TEXT))
        # Server preference when the client takes both equally: br.
        r = curl_decoded(self.url("/page.html"), "gzip, br")
        self.assertEqual(r.header("Content-Encoding"), "br")
        self.assertEqual(r.body, FILES["page.html"])
        # The copies are on disk, under the default directory (TMPDIR/httpserv-UID/compressed).
        d = os.path.join(self.cache, "httpserv-%d" % os.getuid(), "compressed")
        names = os.listdir(d)
        self.assertTrue(any(n.endswith(".gz") for n in names), names)
        self.assertTrue(any(n.endswith(".br") for n in names), names)

    def test_negotiation(self):
        def enc(accept):
            return harness.curl(self.url("/big.txt"), "-H",
                                "Accept-Encoding: " + accept).header("Content-Encoding")
        self.assertEqual(enc("gzip;q=0.5, br;q=0.1"), "gzip")
        self.assertEqual(enc("br;q=0, *"), "gzip")
        self.assertIsNone(enc("*;q=0"))
        self.assertIsNone(enc("identity"))
        self.assertIsNone(enc("zstd, compress"))
        self.assertEqual(enc("GZIP"), "gzip")

    def test_identity_responses_still_vary(self):
        r = harness.curl(self.url("/big.txt"))
        self.assertEqual((r.status, r.body), (200, TEXT))
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertFalse(r.header("ETag").startswith("W/"))
        # Not compressible: too small, or not a compressed type.
        for path, body in (("/small.txt", SMALL), ("/image.png", PNG)):
            r = harness.curl(self.url(path), "-H", "Accept-Encoding: gzip, br")
            self.assertEqual((r.status, r.body, r.header("Content-Encoding"), r.header("Vary")),
                             (200, body, None, None), path)

    def test_conditional_requests(self):
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip")
        weak = r.header("ETag")
        strong = weak[2:]
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip",
                         "-H", "If-None-Match: " + weak)
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(r.header("ETag"), weak)
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        r = harness.curl(self.url("/big.txt"), "-H", "If-None-Match: " + strong)
        self.assertEqual((r.status, r.header("ETag")), (304, strong))
        # If-Match compares strongly: the weak tag does not match.
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip",
                         "-H", "If-Match: " + weak)
        self.assertEqual(r.status, 412)

    def test_ranges_are_identity(self):
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip, br",
                         "-H", "Range: bytes=100-199")
        self.assertEqual((r.status, r.body), (206, TEXT[100:200]))
        self.assertIsNone(r.header("Content-Encoding"))
        weak = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip").header("ETag")
        # If-Range with the compressed copy's weak tag never matches: the whole file, identity.
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip",
                         "-H", "Range: bytes=0-9", "-H", "If-Range: " + weak)
        self.assertEqual((r.status, r.body, r.header("Content-Encoding")), (200, TEXT, None))

    def test_head(self):
        get = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip")
        head = harness.curl(self.url("/big.txt"), "-I", "-H", "Accept-Encoding: gzip")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.header("Content-Encoding"), "gzip")
        self.assertEqual(head.header("Content-Length"), get.header("Content-Length"))

    def test_http10_and_proxies_get_identity(self):
        r = harness.curl(self.url("/big.txt"), "--http1.0", "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.body, r.header("Content-Encoding")), (TEXT, None))
        r = harness.curl(self.url("/big.txt"), "-H", "Accept-Encoding: gzip", "-H",
                         "Via: 1.1 proxy")
        self.assertEqual((r.body, r.header("Content-Encoding")), (TEXT, None))

    def test_many_clients_at_once(self):
        results = []

        def fetch():
            results.append(harness.curl(self.url("/plain/big.txt"), "-H",
                                        "Accept-Encoding: gzip"))
        threads = [threading.Thread(target=fetch) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 8)
        for r in results:
            body = gzip.decompress(r.body) if r.header("Content-Encoding") == "gzip" else r.body
            self.assertEqual((r.status, body), (200, TEXT))


class Configured(harness.ServerTestCase):
    WEB = """
    <httpCompression directory="cache" minFileSizeForComp="100">
      <scheme name="deflate" staticCompressionLevel="9" />
      <!-- The first matching entry decides, and IIS's list ends with */* (off): take it out
           before adding. -->
      <staticTypes><remove mimeType="*/*" /><add mimeType="image/png" enabled="true" /></staticTypes>
    </httpCompression>"""
    LOCATIONS = """
  <location path="Site/plain">
    <system.webServer><urlCompression doStaticCompression="false" /></system.webServer>
  </location>"""

    def start(self, root):
        srv = harness.config_server(root, harness.site_config(root, "{port}", self.WEB,
                                                              self.LOCATIONS))
        self._servers.append(srv)
        self.addCleanup(srv.close)
        return srv

    def test_settings_and_the_disk_cache_across_processes(self):
        root = self.tempdir(FILES)
        srv = self.start(root)
        r = harness.curl(srv.url("/small.txt"), "-H", "Accept-Encoding: deflate")
        self.assertEqual(r.header("Content-Encoding"), "deflate")  # minFileSizeForComp="100"
        self.assertEqual(zlib.decompress(r.body), SMALL)
        r = harness.curl(srv.url("/plain/big.txt"), "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.body, r.header("Content-Encoding")), (TEXT, None))  # location off
        # The random PNG does not get smaller: sent as it is (and remembered as such).
        r = harness.curl(srv.url("/image.png"), "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.body, r.header("Content-Encoding")), (PNG, None))
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        r = harness.curl(srv.url("/big.txt"), "-H", "Accept-Encoding: br")
        self.assertEqual(r.header("Content-Encoding"), "br")
        cache = os.path.join(root, "cache")  # relative to the configuration file
        before = {n: os.stat(os.path.join(cache, n)).st_ino for n in os.listdir(cache)}
        self.assertTrue(any(n.endswith(".br") for n in before), before)
        srv.close()
        # A new process finds the copies (the same files, not made again).
        srv = self.start(root)
        r = curl_decoded(srv.url("/big.txt"), "br")
        self.assertEqual((r.header("Content-Encoding"), r.body), ("br", TEXT))
        after = {n: os.stat(os.path.join(cache, n)).st_ino for n in os.listdir(cache)}
        self.assertEqual({n: i for n, i in after.items() if n in before}, before)
        # A changed file gets a new copy, never the old one.
        changed = TEXT.replace(b"alpha", b"omega")
        with open(os.path.join(root, "big.txt"), "wb") as f:
            f.write(changed)
        os.utime(os.path.join(root, "big.txt"), (1, 1))
        deadline = harness.time.monotonic() + 10
        while harness.time.monotonic() < deadline:
            r = curl_decoded(srv.url("/big.txt"), "br")
            if r.body == changed:
                break
            harness.time.sleep(0.2)  # the open-file cache revalidates within its window
        self.assertEqual(r.body, changed)


class Dynamic(harness.ServerTestCase):
    """Module output: the embedded default's sample modules."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempfile.mkdtemp(prefix="httpserv-dyn-")
        cls.class_server = harness.Server(cls.tmp, start=False)
        cls.class_server.cmd = [harness.server_bin(), "--listen", "127.0.0.1:0", "--workers",
                                "1"]
        cls.class_server.start()

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.tmp, True)

    def test_streamed_output_is_compressed(self):
        url = self.class_server.url("/stream?chunks=8&size=1000")
        plain = harness.curl(url).body
        self.assertEqual(len(plain), 8000)
        r = harness.curl(url, "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, "gzip"))
        self.assertEqual(r.header("Transfer-Encoding"), "chunked")
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertEqual(gzip.decompress(r.body), plain)
        r = curl_decoded(url, "br")
        self.assertEqual((r.header("Content-Encoding"), r.body), ("br", plain))

    def test_small_and_head_responses_are_not(self):
        r = harness.curl(self.class_server.url("/hello"), "-H", "Accept-Encoding: gzip")
        self.assertEqual((r.body, r.header("Content-Encoding")), (b"Hello, World!", None))
        r = harness.curl(self.class_server.url("/stream?chunks=8&size=1000"), "-I",
                         "-H", "Accept-Encoding: gzip")
        self.assertIsNone(r.header("Content-Encoding"))

    def test_static_files_of_the_embedded_default(self):
        r = curl_decoded(self.class_server.url("/files/4k.bin"), "gzip")
        self.assertIsNone(r.header("Content-Encoding"))  # application/octet-stream
        self.assertEqual(len(r.body), 4096)


if __name__ == "__main__":
    unittest.main()
