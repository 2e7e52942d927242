"""Modules see no difference: the sample IIS modules (the embedded default site) and the test
modules give the same response over HTTP/1.1, HTTP/1.1 over TLS, HTTP/2 with prior knowledge
(h2c) and HTTP/2 over TLS, fetched with curl. Status, body and the fields a module or the
pipeline sets are compared; the framing fields each protocol owns are not."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import Server, curl_bin, server_bin

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
COMPARED = ("content-type", "x-powered-by", "x-wec", "x-trailer-api", "content-length")
PROTOCOLS = ("h1", "h1-tls", "h2c", "h2-tls")


def parse_curl(raw):
    """curl -i -s output (the final response): (status, {field: value}, body)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    while head.startswith(b"HTTP/") and b" 100 " in head.split(b"\r\n")[0]:
        head, _, body = body.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        n, _, v = line.partition(":")
        fields[n.strip().lower()] = v.strip()
    return status, fields, body


class ProtocolParity(unittest.TestCase):
    srv = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="httpserv-proto-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out",
                        "cert.pem", "-days", "30", "-subj", "/CN=localhost"], cwd=cls.tmp,
                       check=True, capture_output=True)
        # The embedded default site (examples/site with the sample modules), plain and TLS.
        cls.srv = Server(cls.tmp, start=False, listen=["127.0.0.1:1"])
        cls.srv.cmd = [server_bin(), "--workers", "1", "--listen", "127.0.0.1:0",
                       "--listen-tls", "127.0.0.1:0", "--tls-cert",
                       os.path.join(cls.tmp, "cert.pem"), "--tls-key",
                       os.path.join(cls.tmp, "key.pem")]
        cls.srv.start()
        cls.tls_port = cls.srv.tls_ports()[0]

    @classmethod
    def tearDownClass(cls):
        if cls.srv:
            cls.srv.close()
        shutil.rmtree(cls.tmp, True)

    def fetch(self, proto, path, method="GET", body=None, port=None, tls_port=None):
        port = port or self.srv.port
        tls_port = tls_port or self.tls_port
        args = [curl_bin(), "-s", "-i", "-k", "-X", method]
        if method == "HEAD":
            args = [curl_bin(), "-s", "-i", "-k", "-I"]
        if proto == "h1":
            args += ["--http1.1", "http://127.0.0.1:%d%s" % (port, path)]
        elif proto == "h1-tls":
            args += ["--http1.1", "https://127.0.0.1:%d%s" % (tls_port, path)]
        elif proto == "h2c":
            args += ["--http2-prior-knowledge", "http://127.0.0.1:%d%s" % (port, path)]
        else:
            args += ["--http2", "https://127.0.0.1:%d%s" % (tls_port, path)]
        if body is not None:
            args += ["--data-binary", "@-", "-H", "Content-Type: application/x-test"]
        r = subprocess.run(args, input=body, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, "%s %s: %s" % (proto, path, r.stderr))
        return parse_curl(r.stdout)

    def same_everywhere(self, path, method="GET", body=None, **kw):
        results = {}
        for proto in PROTOCOLS:
            status, fields, data = self.fetch(proto, path, method, body, **kw)
            compared = {k: fields.get(k) for k in COMPARED}
            # The one legitimate difference: pages that name the request's own URL (the detailed
            # error page's "Requested URL") carry its scheme and port, so the body (and its
            # length, checked against what arrived first) are compared with the URL replaced.
            if method != "HEAD" and compared["content-length"] is not None:
                self.assertEqual(int(compared["content-length"]), len(data), proto)
            for scheme, port in (("http", kw.get("port") or self.srv.port),
                                 ("https", kw.get("tls_port") or self.tls_port)):
                data = data.replace(b"%s://127.0.0.1:%d/" % (scheme.encode(), port), b"URL/")
            if compared["content-length"] is not None and method != "HEAD":
                compared["content-length"] = str(len(data))
            results[proto] = (status, compared, hashlib.sha256(data).hexdigest(), len(data))
        first = results[PROTOCOLS[0]]
        for proto in PROTOCOLS[1:]:
            self.assertEqual(results[proto], first, "%s %s: %s differs from h1" %
                             (method, path, proto))
        return first

    def test_sample_modules(self):
        self.assertEqual(self.same_everywhere("/hello")[0], 200)
        self.assertEqual(self.same_everywhere("/hello.txt")[0], 200)
        self.assertEqual(self.same_everywhere("/hello.txt", method="HEAD")[0], 200)
        self.assertEqual(self.same_everywhere("/no/such/file")[0], 404)
        self.assertEqual(self.same_everywhere("/stream?chunks=50&size=1000")[3], 50000)
        self.assertEqual(self.same_everywhere("/async")[0], 200)
        self.assertEqual(self.same_everywhere("/sleep?ms=20")[0], 200)

    def test_request_bodies(self):
        body = os.urandom(200 * 1024)
        for path in ("/echo", "/echo?mode=sync"):
            status, _, digest, length = self.same_everywhere(path, "POST", body)
            self.assertEqual((status, length), (200, len(body)))
            self.assertEqual(digest, hashlib.sha256(body).hexdigest())
        self.assertEqual(self.same_everywhere("/echo", "POST", b"")[3], 0)


@unittest.skipUnless(TEST_MODULE_DIR, "HTTPSERV_TEST_MODULE_DIR not set")
class TestModuleParity(ProtocolParity):
    """The test modules: wec's WriteEntityChunks scripts (buffered, unbuffered, async, files,
    flushes) and the trailer API."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="httpserv-proto-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out",
                        "cert.pem", "-days", "30", "-subj", "/CN=localhost"], cwd=cls.tmp,
                       check=True, capture_output=True)
        root = os.path.join(cls.tmp, "www")
        os.makedirs(root)
        with open(os.path.join(root, "ten.txt"), "w") as f:
            f.write("0123456789")
        cls.srv = Server(root, start=False, listen=["127.0.0.1:1"])
        cls.srv.cmd = [server_bin(), "--workers", "1", "--root", root, "--listen",
                       "127.0.0.1:0", "--listen-tls", "127.0.0.1:0", "--tls-cert",
                       os.path.join(cls.tmp, "cert.pem"), "--tls-key",
                       os.path.join(cls.tmp, "key.pem"),
                       "--module", "TlsInfo=" + os.path.join(TEST_MODULE_DIR, "tlsinfo.so"),
                       "--module", "wec=" + os.path.join(TEST_MODULE_DIR, "wec.so")]
        cls.srv.start()
        cls.tls_port = cls.srv.tls_ports()[0]

    def test_sample_modules(self):
        pass  # not loaded here

    def test_request_bodies(self):
        pass

    def test_wec_scripts(self):
        for ops in ("write:m=hello", "write/a:m=async+m=pieces",
                    "nobuf;write:m=one;write:m=two;flush", "hdr:X-A=1;write:m=x;report",
                    "nobuf;stream/a:20,3000", "write:m=a;flush;write:m=b", "status:204",
                    "hdr:Content-Length=5;write:m=fives"):
            status, fields, _, length = self.same_everywhere("/wec?ops=" + ops)
            self.assertLess(status, 500, ops)

    def test_trailer_api(self):
        for proto in PROTOCOLS:
            status, fields, body = self.fetch(proto, "/trailers")
            self.assertEqual(status, 200, proto)
            # SetTrailer twice (the second replaces), Content-Length refused, GetTrailer, delete.
            self.assertEqual(fields["x-trailer-api"],
                             "0x00000000 0x00000000 0x80070057 c0ffee 0x00000000 0x00000000 "
                             "0x80070490", proto)
            # The body, then the trailer (curl -i prints it after the body).
            self.assertTrue(body.startswith(b"trailer body"), (proto, body))
            self.assertIn(b"x-checksum: c0ffee", body.lower(), proto)

if __name__ == "__main__":
    unittest.main()
