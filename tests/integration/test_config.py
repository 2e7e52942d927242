"""httpserv --config FILE and -t --config FILE: an applicationHost.config-style file gives the
listen addresses (bindings), the document root (physicalPath, relative to the file), the native
modules (<globalModules> enabled in <modules>), the handler mappings, default documents, the MIME
map and the body-size limit. Requests no <handlers> mapping matches get 404."""
import http.client
import os
import re
import tempfile
import unittest

import harness

MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, "examples", "applicationHost.config")


def module(name):
    path = os.path.join(MODULE_DIR, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"sample module not built: {path}")
    return path


CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Test Site" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="content" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="127.0.0.1:{port}:" />
          <binding protocol="https" bindingInformation="127.0.0.1:{port2}:" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
      <add name="HelloModule" image="{hello}" />
      <add name="EchoModule" image="{echo}" />
    </globalModules>
    <modules>
      <add name="HelloModule" />
      <add name="EchoModule" />
      <add name="StaticFileModule" />
      <add name="DefaultDocumentModule" />
    </modules>
    <handlers>
      <add name="Hello" path="hello" verb="GET" modules="HelloModule" />
      <add name="Echo" path="echo" verb="POST" modules="EchoModule" />
      <add name="Static" path="*" verb="GET, HEAD" modules="StaticFileModule,DefaultDocumentModule" />
    </handlers>
    <defaultDocument enabled="true">
      <files>
        <clear />
        <add value="home.htm" />
      </files>
    </defaultDocument>
    <staticContent>
      <mimeMap fileExtension=".wibble" mimeType="application/x-wibble" />
    </staticContent>
    <security>
      <requestFiltering>
        <requestLimits maxAllowedContentLength="100" />
      </requestFiltering>
    </security>
  </system.webServer>
</configuration>
"""


class ConfigTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="httpserv-cfg-")
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name

    def write(self, text, name="applicationHost.config"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check(self, path, *extra):
        return harness.run_cli(["-t", "--config", path, *extra])


class ServeFromConfig(ConfigTestCase):
    def setUp(self):
        super().setUp()
        content = os.path.join(self.dir, "content")
        os.makedirs(os.path.join(content, "sub"))
        with open(os.path.join(content, "file.wibble"), "wb") as f:
            f.write(b"wibble")
        with open(os.path.join(content, "home.htm"), "wb") as f:
            f.write(b"home page")
        with open(os.path.join(content, "sub", "index.html"), "wb") as f:
            f.write(b"not a default document here")
        self.port, port2 = harness.free_ports(2)
        self.config = self.write(CONFIG.format(port=self.port, port2=port2,
                                               hello=module("hello"), echo=module("echo")))

    def start(self, args):
        # harness.Server always passes --root/--listen; run the binary directly instead.
        srv = harness.Server(self.dir, args=args, start=False)
        srv.cmd = [harness.server_bin(), "--workers", "1"] + list(args)
        self.addCleanup(srv.close)
        return srv

    def request(self, port, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(c.close)
        c.request(method, path, body=body)
        r = c.getresponse()
        return r, r.read()

    def check_site(self, port):
        r, body = self.request(port, "GET", "/hello")
        self.assertEqual((r.status, body), (200, b"Hello, World!"))
        r, body = self.request(port, "POST", "/echo", body=b"ping")
        self.assertEqual((r.status, body), (200, b"ping"))
        r, body = self.request(port, "GET", "/file.wibble")
        self.assertEqual((r.status, body), (200, b"wibble"))
        self.assertEqual(r.getheader("Content-Type"), "application/x-wibble")
        r, body = self.request(port, "GET", "/")  # defaultDocument: home.htm only (<clear/>)
        self.assertEqual((r.status, body), (200, b"home page"))
        r, _ = self.request(port, "GET", "/sub/")
        self.assertNotEqual(r.status, 200)
        # No mapping matches DELETE (nor GET /echo): 404 from the pipeline.
        r, _ = self.request(port, "DELETE", "/x")
        self.assertEqual(r.status, 404)
        r, _ = self.request(port, "GET", "/echo")
        self.assertEqual(r.status, 404)
        # requestLimits maxAllowedContentLength="100"
        r, _ = self.request(port, "POST", "/echo", body=b"x" * 101)
        self.assertEqual(r.status, 413)

    def test_bindings_from_config(self):
        srv = self.start(["--config", self.config])
        srv.listen = ["127.0.0.1:%d" % self.port]
        srv.start()
        self.assertEqual(srv.port, self.port)
        self.check_site(self.port)
        self.assertIn("https", srv.log_text())  # the https binding is skipped with a warning

    def test_listen_overrides_bindings(self):
        srv = self.start(["--config", self.config, "--listen", "127.0.0.1:0"])
        srv.start()
        self.assertNotEqual(srv.port, self.port)
        self.check_site(srv.port)

    def test_check_ok(self):
        p = self.check(self.config)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK", p.stdout)
        self.assertIn(os.path.join(self.dir, "content"), p.stdout)
        self.assertIn("warning", p.stderr)  # https binding


class CheckConfig(ConfigTestCase):
    def test_example_file(self):
        expected = os.path.join(REPO, "build", "modules")
        if os.path.realpath(MODULE_DIR) != os.path.realpath(expected):
            self.skipTest("examples/applicationHost.config names ../build/modules, but the "
                          f"modules were built in {MODULE_DIR}")
        p = self.check(EXAMPLE, "--listen", "127.0.0.1:0")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK", p.stdout)
        self.assertNotIn("error:", p.stderr)

    def test_syntax_error_has_file_and_line(self):
        path = self.write("<configuration>\n  <system.webServer>\n    <modules\n"
                          "</configuration>\n")
        p = self.check(path)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertNotIn("configuration OK", p.stdout)
        self.assertRegex(p.stderr, re.escape(path) + r":\d+: error:")

    def test_missing_module_image(self):
        missing = os.path.join(self.dir, "nope.so")
        path = self.write(CONFIG.format(**dict(zip(("port", "port2"), harness.free_ports(2))),
                                        hello=missing, echo=module("echo")))
        os.makedirs(os.path.join(self.dir, "content"))
        p = self.check(path)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertNotIn("configuration OK", p.stdout)
        self.assertIn("nope.so", p.stderr)
        self.assertIn("HelloModule", p.stderr)

    def test_unknown_module_in_modules(self):
        text = CONFIG.format(**dict(zip(("port", "port2"), harness.free_ports(2))),
                             hello=module("hello"), echo=module("echo"))
        text = text.replace('<add name="EchoModule" />', '<add name="NoSuchModule" />')
        path = self.write(text)
        os.makedirs(os.path.join(self.dir, "content"))
        p = self.check(path)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("NoSuchModule", p.stderr)
        self.assertRegex(p.stderr, re.escape(path) + r":\d+: error:")

    def test_no_site(self):
        path = self.write("<configuration><system.webServer/></configuration>\n")
        p = self.check(path)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("no <site> defined", p.stderr)

    def test_missing_file(self):
        p = self.check(os.path.join(self.dir, "absent.config"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("absent.config", p.stderr)


if __name__ == "__main__":
    unittest.main()
