"""HTTPS (--listen-tls): TLS 1.2/1.3 only, ALPN, SNI, resumption, client certificates, what
modules see (HTTPS, CERT_*, GetClientCertificate), large files, bad input. Real clients: Python's
ssl, curl and openssl s_client; certificates made by the openssl command at set-up."""

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import ServerTestCase, curl_bin

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    """A CA, server certificates for a.test and b.test (signed by it), a client certificate
    signed by it and a self-signed stranger."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
            "-subj", "/O=httpserv test/CN=Test CA", cwd=d)
    for name, sans in (("a", "DNS:a.test,DNS:*.a.test"), ("b", "DNS:b.test"),
                       ("client", None)):
        openssl("req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/O=httpserv test/CN=%s.test" % name, cwd=d)
        ext = os.path.join(d, name + ".ext")
        with open(ext, "w") as f:
            if sans:
                f.write("subjectAltName=%s\n" % sans)
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "30", "-extfile", ext, cwd=d)
    openssl("req", "-x509", *ec, "-keyout", "stranger.key", "-out", "stranger.pem",
            "-days", "30", "-subj", "/CN=stranger", cwd=d)


def client_ctx(alpn=None, cert=None, key=None, ca=None, max_version=None, min_version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca:
        ctx.load_verify_locations(ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if cert:
        ctx.load_cert_chain(cert, key)
    if max_version:
        ctx.maximum_version = max_version
    if min_version:
        ctx.minimum_version = min_version
    return ctx


def tls_get(port, path="/hello.txt", ctx=None, host="a.test", session=None, extra=b""):
    """One request over a fresh TLS connection: (response bytes, ssl socket facts)."""
    ctx = ctx or client_ctx()
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s = ctx.wrap_socket(raw, server_hostname=host, session=session)
    except BaseException:
        raw.close()
        raise
    with s:
        return _exchange(s, path, host, extra)


def _exchange(s, path, host, extra):
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() +
              b"\r\nConnection: close\r\n" + extra + b"\r\n")
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except (ssl.SSLZeroReturnError, ConnectionResetError):
            break
        if not b:
            break
        data += b
    facts = {"version": s.version(), "cipher": s.cipher(), "alpn": s.selected_alpn_protocol(),
             "session": s.session, "reused": s.session_reused,
             "peer": s.getpeercert(binary_form=True)}
    return data, facts


def body_of(data):
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


class TlsBase(ServerTestCase):
    pki = None

    @classmethod
    def setUpClass(cls):
        if not shutil.which("openssl"):
            raise unittest.SkipTest("openssl command not installed")
        cls.pki = tempfile.mkdtemp(prefix="httpserv-pki-")
        make_pki(cls.pki)

    @classmethod
    def tearDownClass(cls):
        if cls.pki:
            shutil.rmtree(cls.pki, True)

    def p(self, name):
        return os.path.join(self.pki, name)

    def start_tls(self, files=None, extra=(), certs=("a",), plain=True):
        root = self.tempdir(files or {"hello.txt": "hello world\n"})
        args = ["--listen-tls", "127.0.0.1:0"]
        for c in certs:
            args += ["--tls-cert", self.p(c + ".pem"), "--tls-key", self.p(c + ".key")]
        args += list(extra)
        srv = self.start_server(root, args=args, listen=None if plain else None)
        ports = srv.tls_ports()
        self.assertEqual(len(ports), 1, srv.log_tail())
        return srv, ports[0]


class TlsTest(TlsBase):

    def test_https_get_and_plain_beside_it(self):
        srv, port = self.start_tls()
        data, facts = tls_get(port)
        head, body = body_of(data)
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK"), head)
        self.assertEqual(body, b"hello world\n")
        self.assertEqual(facts["version"], "TLSv1.3")
        # The plain listener stays plain.
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        self.assertEqual(body_of(got)[1], b"hello world\n")

    def test_tls12_uses_ecdhe_aead_and_older_versions_are_refused(self):
        _, port = self.start_tls()
        _, facts = tls_get(port, ctx=client_ctx(max_version=ssl.TLSVersion.TLSv1_2))
        self.assertEqual(facts["version"], "TLSv1.2")
        name = facts["cipher"][0]
        self.assertTrue(name.startswith("ECDHE-") and ("GCM" in name or "CHACHA20" in name),
                        name)
        # A client that would speak TLS 1.1 (and lowers its own security level to be able to)
        # is refused by the server.
        old = client_ctx(max_version=ssl.TLSVersion.TLSv1_1,
                         min_version=ssl.TLSVersion.TLSv1)
        old.set_ciphers("ALL:@SECLEVEL=0")
        with self.assertRaises((ssl.SSLError, ConnectionResetError)):
            tls_get(port, ctx=old)

    def test_alpn_h2_http11_and_none(self):
        _, port = self.start_tls()
        _, facts = tls_get(port, ctx=client_ctx(alpn=["http/1.1"]))
        self.assertEqual(facts["alpn"], "http/1.1")
        # The server's preference: h2 when the client offers both, in either order.
        for offer in (["h2", "http/1.1"], ["http/1.1", "h2"]):
            ctx = client_ctx(alpn=offer)
            with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                 server_hostname="a.test") as s:
                self.assertEqual(s.selected_alpn_protocol(), "h2")
        # Nothing in common: no ALPN, and the connection speaks HTTP/1.1.
        data, facts = tls_get(port, ctx=client_ctx(alpn=["spdy/1"]))
        self.assertIsNone(facts["alpn"])
        self.assertEqual(body_of(data)[1], b"hello world\n")

    def test_sni_picks_the_certificate(self):
        _, port = self.start_tls(certs=("a", "b"))

        def cn(host):
            _, facts = tls_get(port, host=host)
            pem = ssl.DER_cert_to_PEM_cert(facts["peer"])
            out = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem.encode(),
                                 capture_output=True).stdout.decode()
            return out.strip()

        self.assertIn("CN = b.test", cn("b.test"))
        self.assertIn("CN = a.test", cn("a.test"))
        self.assertIn("CN = a.test", cn("www.a.test"))    # the wildcard
        self.assertIn("CN = a.test", cn("other.test"))    # unknown: the default
        # Verified by a client that trusts the CA and checks the name.
        data, _ = tls_get(port, host="b.test", ctx=client_ctx(ca=self.p("ca.pem")))
        self.assertEqual(body_of(data)[1], b"hello world\n")

    def test_session_resumption_with_tickets(self):
        _, port = self.start_tls()
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_ctx(max_version=version, min_version=version)
            _, first = tls_get(port, ctx=ctx)
            self.assertFalse(first["reused"])
            self.assertIsNotNone(first["session"])
            _, second = tls_get(port, ctx=ctx, session=first["session"])
            self.assertTrue(second["reused"], version)

    def test_keep_alive_and_pipelining_over_tls(self):
        _, port = self.start_tls()
        ctx = client_ctx()
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="a.test") as s:
            req = b"GET /hello.txt HTTP/1.1\r\nHost: a.test\r\n\r\n"
            s.sendall(req * 20 + b"GET /hello.txt HTTP/1.1\r\nHost: a.test\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while True:
                try:
                    b = s.recv(65536)
                except ssl.SSLZeroReturnError:
                    break
                if not b:
                    break
                data += b
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 21)
        self.assertEqual(data.count(b"hello world\n"), 21)

    def test_large_file_to_a_slow_reader(self):
        blob = os.urandom(3 * 1024 * 1024 + 12345)
        root = self.tempdir({})
        with open(os.path.join(root, "big.bin"), "wb") as f:
            f.write(blob)
        srv = self.start_server(root, args=["--listen-tls", "127.0.0.1:0", "--tls-cert",
                                            self.p("a.pem"), "--tls-key", self.p("a.key")])
        port = srv.tls_ports()[0]
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(20)
        raw.connect(("127.0.0.1", port))
        s = client_ctx().wrap_socket(raw, server_hostname="a.test")
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            try:
                b = s.recv(7000)
            except ssl.SSLZeroReturnError:
                break
            if not b:
                break
            data += b
            if len(data) < 200000:
                time.sleep(0.001)  # slow at first: the server must wait, not buffer
        s.close()
        head, body = body_of(data)
        self.assertIn(b"Content-Length: %d" % len(blob), head)
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(blob).hexdigest())
        # curl over HTTPS too.
        out = subprocess.run([curl_bin(), "-sk", "https://127.0.0.1:%d/big.bin" % port],
                             capture_output=True, timeout=30).stdout
        self.assertEqual(hashlib.sha256(out).hexdigest(), hashlib.sha256(blob).hexdigest())

    def test_plaintext_on_the_tls_port_is_refused_and_logged(self):
        srv, port = self.start_tls()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            try:
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    got += b
            except ConnectionResetError:
                pass
        self.assertNotIn(b"HTTP/1.1", got)
        srv.wait_for_log("TLS handshake failed")
        data, _ = tls_get(port)
        self.assertEqual(body_of(data)[1], b"hello world\n")

    def test_handshake_timeout(self):
        srv, port = self.start_tls(extra=["--header-timeout", "1"])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01")  # the start of a record, then nothing
            start = time.monotonic()
            self.assertEqual(s.recv(100), b"")
            self.assertLess(time.monotonic() - start, 9)

    def test_missing_or_bad_certificate_is_an_error_at_start(self):
        from harness import run_cli
        r = run_cli(["--listen-tls", "127.0.0.1:0", "--no-supervisor"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--tls-cert", r.stderr)
        r = run_cli(["--listen-tls", "127.0.0.1:0", "--tls-cert", self.p("a.pem"),
                     "--tls-key", self.p("b.key"), "--no-supervisor"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("does not match", r.stderr)

    def test_curl_https(self):
        _, port = self.start_tls()
        for flag, version in (("--http1.1", b"1.1"), ("--http2", b"2")):
            out = subprocess.run([curl_bin(), "-s", flag, "--cacert", self.p("ca.pem"),
                                  "--resolve", "a.test:%d:127.0.0.1" % port, "-w",
                                  "|%{http_version}", "https://a.test:%d/hello.txt" % port],
                                 capture_output=True, timeout=20)
            self.assertEqual(out.stdout, b"hello world\n|" + version, out.stderr)

    def test_openssl_s_client(self):
        _, port = self.start_tls()
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                            "-servername", "a.test", "-alpn", "http/1.1", "-quiet",
                            "-ign_eof"],
                           input=b"GET /hello.txt HTTP/1.1\r\nHost: a.test\r\n"
                                 b"Connection: close\r\n\r\n",
                           capture_output=True, timeout=20)
        self.assertIn(b"hello world", r.stdout, r.stderr)


TLS_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="A" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="{root}/a" /></application>
        <bindings>
          <binding protocol="https" bindingInformation="*:{tls}:a.test"
                   certificateFile="{pki}/a.pem" certificateKeyFile="{pki}/a.key" />
          <binding protocol="http" bindingInformation="*:{plain}:a.test" />
        </bindings>
      </site>
      <site name="B" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="{root}/b" /></application>
        <bindings>
          <binding protocol="https" bindingInformation="*:{tls}:b.test"
                   certificateFile="{pki}/b.pem" certificateKeyFile="{pki}/b.key"
                   clientCertificate="require" clientCertificateAuthorities="{pki}/ca.pem" />
          <binding protocol="https" bindingInformation="*:{tls}:iis.test" sslFlags="1"
                   certificateHash="0123456789abcdef0123456789abcdef01234567"
                   certificateStoreName="My" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
"""


class TlsConfigTest(TlsBase):
    """https bindings in applicationHost.config: a certificate per binding (SNI by its host),
    client certificates per binding, IIS's store-based bindings warned about and skipped."""

    def test_https_bindings(self):
        from harness import Server, server_bin, free_ports
        root = self.tempdir({"a/index.txt": "site a\n", "b/index.txt": "site b\n"})
        tls, plain = free_ports(2)
        path = os.path.join(root, "applicationHost.config")
        with open(path, "w") as f:
            f.write(TLS_CONFIG.format(root=root, pki=self.pki, tls=tls, plain=plain))
        srv = Server(root, start=False, listen=["127.0.0.1:1"])
        srv.cmd = [server_bin(), "--workers", "1", "--config", path]
        self._servers.append(srv)
        self.addCleanup(srv.close)
        srv.start()
        self.assertEqual(srv.tls_ports(), [tls])
        self.assertIn("certificateHash names a certificate in the Windows store", srv.log_text())
        data, _ = tls_get(tls, "/index.txt", host="a.test", ctx=client_ctx(ca=self.p("ca.pem")))
        self.assertEqual(body_of(data)[1], b"site a\n")
        # Site B wants a client certificate that chains to the CA: refused without one...
        with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
            data, _ = tls_get(tls, "/index.txt", host="b.test")
            if not data:
                raise ssl.SSLError("refused")
        # ...served with one, by site B (the binding's host chose both certificate and site).
        ctx = client_ctx(ca=self.p("ca.pem"), cert=self.p("client.pem"),
                         key=self.p("client.key"))
        data, _ = tls_get(tls, "/index.txt", host="b.test", ctx=ctx)
        self.assertEqual(body_of(data)[1], b"site b\n")
        # A connection made for site A (SNI a.test: no client certificate asked) cannot reach
        # site B by its Host: 421 Misdirected Request.
        data, _ = tls_get(tls, "/index.txt", host="a.test", ctx=client_ctx(ca=self.p("ca.pem")),
                          extra=b"")
        raw = socket.create_connection(("127.0.0.1", tls), timeout=10)
        with client_ctx(ca=self.p("ca.pem")).wrap_socket(raw, server_hostname="a.test") as s:
            s.sendall(b"GET /index.txt HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                try:
                    b = s.recv(65536)
                except ssl.SSLZeroReturnError:
                    break
                if not b:
                    break
                got += b
        self.assertTrue(got.startswith(b"HTTP/1.1 421 "), got[:100])
        # The http binding of site A stays plain.
        with socket.create_connection(("127.0.0.1", plain), timeout=5) as s:
            s.sendall(b"GET /index.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        self.assertEqual(body_of(got)[1], b"site a\n")


@unittest.skipUnless(TEST_MODULE_DIR, "HTTPSERV_TEST_MODULE_DIR not set")
class TlsModulesTest(TlsBase):
    """What IIS modules see of TLS (tests/modules/tlsinfo.cc)."""

    def start_info(self, extra=()):
        module = "TlsInfo=" + os.path.join(TEST_MODULE_DIR, "tlsinfo.so")
        return self.start_tls(extra=["--module", module, *extra])

    def info(self, port, ctx=None):
        data, _ = tls_get(port, "/tlsinfo", ctx=ctx)
        head, body = body_of(data)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), data)
        return dict(line.split("=", 1) for line in body.decode().splitlines() if "=" in line)

    def test_server_variables_over_https_and_http(self):
        srv, port = self.start_info()
        v = self.info(port)
        self.assertEqual(v["HTTPS"], "on")
        self.assertEqual(v["SERVER_PORT_SECURE"], "1")
        self.assertEqual(v["HTTP_VERSION"], "HTTP/1.1")
        self.assertIn("CN=a.test", v["HTTPS_SERVER_SUBJECT"])
        self.assertIn("CN=Test CA", v["HTTPS_SERVER_ISSUER"])
        self.assertIn(int(v["HTTPS_KEYSIZE"]), (128, 256))
        self.assertEqual(v["CERT_FLAGS"], "0")
        self.assertEqual(v["CERT_SUBJECT"], "")
        self.assertTrue(v["cooked"].startswith("https://a.test/tlsinfo"), v["cooked"])
        self.assertEqual(v["version"], "1.1")
        # Plain HTTP on the same server: off, lower case.
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"GET /tlsinfo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        plain = dict(l.split("=", 1) for l in body_of(got)[1].decode().splitlines() if "=" in l)
        self.assertEqual(plain["HTTPS"], "off")
        self.assertEqual(plain["SERVER_PORT_SECURE"], "0")
        self.assertTrue(plain["cooked"].startswith("http://x/"), plain["cooked"])
        self.assertTrue(plain["cert"].startswith("0x80070490"), plain["cert"])  # NOT_FOUND

    def test_client_certificate_accepted(self):
        _, port = self.start_info(["--tls-client-certs", "accept",
                                   "--tls-client-ca", self.p("ca.pem")])
        v = self.info(port, ctx=client_ctx(cert=self.p("client.pem"), key=self.p("client.key")))
        self.assertEqual(v["CERT_FLAGS"], "1")
        self.assertIn("CN=client.test", v["CERT_SUBJECT"])
        self.assertIn("CN=Test CA", v["CERT_ISSUER"])
        self.assertRegex(v["CERT_SERIALNUMBER"], r"^[0-9a-f]{2}(-[0-9a-f]{2})*$")
        self.assertRegex(v["CERT_COOKIE"], r"^[0-9a-f]{16}$")
        self.assertRegex(v["cert"], r"^0x00000000 negotiated=1 size=[1-9]\d* flags=0$")
        # A certificate the CA did not sign: accepted, flagged untrusted.
        v = self.info(port, ctx=client_ctx(cert=self.p("stranger.pem"),
                                           key=self.p("stranger.key")))
        self.assertEqual(v["CERT_FLAGS"], "3")
        self.assertTrue(v["cert"].endswith("flags=32"), v["cert"])
        # None at all: the request goes on without.
        v = self.info(port)
        self.assertEqual(v["CERT_FLAGS"], "0")
        self.assertTrue(v["cert"].startswith("0x80070490"), v["cert"])

    def test_client_certificate_required(self):
        srv, port = self.start_info(["--tls-client-certs", "require",
                                     "--tls-client-ca", self.p("ca.pem")])
        v = self.info(port, ctx=client_ctx(cert=self.p("client.pem"), key=self.p("client.key")))
        self.assertEqual(v["CERT_FLAGS"], "1")
        for ctx in (client_ctx(), client_ctx(cert=self.p("stranger.pem"),
                                             key=self.p("stranger.key"))):
            with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
                data, _ = tls_get(port, "/tlsinfo", ctx=ctx)
                if not data:  # TLS 1.3: the refusal arrives after the client's Finished
                    raise ssl.SSLError("refused")
        srv.wait_for_log("TLS handshake failed")


if __name__ == "__main__":
    unittest.main()
