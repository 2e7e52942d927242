"""Virtual hosts: several <site>s of one applicationHost.config, told apart by their bindings'
IP, port and host name (server/site_router.h), each with its own root directory, site id and
name (IHttpContext::GetSite, IHttpRequest::GetSiteId, INSTANCE_ID), modules enabled in its <location>, and requestLimits (maxUrl,
maxQueryString, maxAllowedContentLength) checked per site."""
import http.client
import os
import tempfile
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Alpha" id="7">
        <application path="/">
          <virtualDirectory path="/" physicalPath="alpha" />
          <virtualDirectory path="/assets" physicalPath="shared" />
        </application>
        <application path="/app"><virtualDirectory path="/" physicalPath="appdir" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="*:{port}:alpha.example" />
        </bindings>
      </site>
      <site name="Wild" id="8">
        <application path="/"><virtualDirectory path="/" physicalPath="wild" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="*:{port}:*.wild.example" />
        </bindings>
      </site>
      <site name="Fallback" id="9">
        <application path="/"><virtualDirectory path="/" physicalPath="fallback" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="127.0.0.1:{port}:" />
        </bindings>
      </site>
      <site name="Other Port" id="10">
        <application path="/"><virtualDirectory path="/" physicalPath="other" /></application>
        <bindings>
          <binding protocol="http" bindingInformation="127.0.0.1:{port2}:only.example" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
      <add name="Probe" image="{probe}" />
      <add name="HelloModule" image="{hello}" />
      <add name="EchoModule" image="{echo}" />
    </globalModules>
    <modules>
      <add name="Probe" />
    </modules>
    <handlers>
      <add name="Probe" path="probe" verb="GET" modules="Probe" />
      <add name="Static" path="*" verb="GET,HEAD,POST" modules="StaticFileModule" />
    </handlers>
    <security><requestFiltering>
      <requestLimits maxUrl="64" maxQueryString="16" />
    </requestFiltering></security>
  </system.webServer>
  <location path="Alpha">
    <system.webServer>
      <modules><add name="HelloModule" /></modules>
      <handlers><add name="Hello" path="hello" verb="GET" modules="HelloModule" /></handlers>
      <!-- allowDoubleEscaping: a file name with '%' in it ("a b%41.txt" below) is requested as
           "%2541", which IIS's default refuses (404.11). -->
      <security><requestFiltering allowDoubleEscaping="true">
        <requestLimits maxAllowedContentLength="10" maxQueryString="100" />
      </requestFiltering></security>
    </system.webServer>
  </location>
  <location path="Alpha/up">
    <system.webServer>
      <modules><add name="EchoModule" /></modules>
      <handlers><add name="Echo" path="*" verb="POST" modules="EchoModule" /></handlers>
      <security><requestFiltering>
        <requestLimits maxAllowedContentLength="1000" />
      </requestFiltering></security>
    </system.webServer>
  </location>
  <location path="Alpha/up/deeper">
    <system.webServer>
      <modules><remove name="EchoModule" /></modules>
    </system.webServer>
  </location>
</configuration>
"""


class VirtualHosts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="httpserv-vhosts-")
        d = cls.tmp.name
        for site in ("alpha", "wild", "fallback", "other", "shared", "appdir"):
            os.makedirs(os.path.join(d, site))
            with open(os.path.join(d, site, "who.txt"), "w") as f:
                f.write(site)
        os.makedirs(os.path.join(d, "shared", "sub"))
        with open(os.path.join(d, "shared", "a b%41.txt"), "w") as f:
            f.write("spaced")
        with open(os.path.join(d, "shared", "sub", "index.html"), "w") as f:
            f.write("sub index")
        probe = os.path.join(TEST_MODULE_DIR, "probe.so")
        hello = os.path.join(MODULE_DIR, "hello.so")
        echo = os.path.join(MODULE_DIR, "echo.so")
        for p in (probe, hello, echo):
            if not os.path.exists(p):
                raise AssertionError(f"module not built: {p}")
        cls.port, cls.port2 = harness.free_ports(2)
        path = os.path.join(d, "applicationHost.config")
        with open(path, "w") as f:
            f.write(CONFIG.format(port=cls.port, port2=cls.port2, probe=probe, hello=hello,
                                  echo=echo))
        # `listen` only tells the harness to wait for two "listening on" lines.
        cls.srv = harness.Server(d, start=False, listen=["127.0.0.1:1", "127.0.0.1:2"])
        cls.srv.cmd = [harness.server_bin(), "--workers", "1", "--config", path]
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.tmp.cleanup()

    def get(self, host, path, port=None, method="GET", body=None):
        c = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=10)
        try:
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            if host is not None:
                c.putheader("Host", host)
            if body is not None:
                c.putheader("Content-Length", str(len(body)))
            c.endheaders(body)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def test_listens_once_per_port(self):
        # "*:P:host" and "127.0.0.1:P:" share one socket on P (0.0.0.0), P2 has its own.
        self.assertEqual(sorted(self.srv.ports), sorted([self.port, self.port2]))
        self.assertIn("0.0.0.0:%d" % self.port, self.srv.log_text())

    def test_host_names_choose_the_site(self):
        self.assertEqual(self.get("alpha.example", "/who.txt"), (200, b"alpha"))
        self.assertEqual(self.get("ALPHA.example.:%d" % self.port, "/who.txt"), (200, b"alpha"))
        self.assertEqual(self.get("a.wild.example", "/who.txt"), (200, b"wild"))
        self.assertEqual(self.get("x.y.wild.example", "/who.txt"), (200, b"wild"))
        # "wild.example" itself is not under "*.wild.example": the IP binding takes it.
        self.assertEqual(self.get("wild.example", "/who.txt"), (200, b"fallback"))
        self.assertEqual(self.get("unknown.example", "/who.txt"), (200, b"fallback"))
        self.assertEqual(self.get("only.example", "/who.txt", port=self.port2), (200, b"other"))

    def test_no_matching_binding_is_400(self):
        status, _ = self.get("alpha.example", "/who.txt", port=self.port2)
        self.assertEqual(status, 400)
        self.srv.wait_for_log(r"no site is bound to host 'alpha.example'")

    def test_http10_without_host_takes_the_ip_binding(self):
        conn = harness.Conn(self.port, timeout=10)
        self.addCleanup(conn.close)
        conn.send(b"GET /who.txt HTTP/1.0\r\n\r\n")
        data = conn.read_until_close()
        self.assertTrue(data.startswith(b"HTTP/1.0 200") or data.startswith(b"HTTP/1.1 200"),
                        data)
        self.assertTrue(data.endswith(b"\r\n\r\nfallback"), data)

    def test_site_objects_name_the_site(self):
        status, body = self.get("alpha.example", "/probe")
        self.assertEqual(status, 200)
        self.assertIn(b"site=7:Alpha reqsite=7 instance=7 ", body)
        self.assertIn(b"app=/LM/W3SVC/7/ROOT", body)
        self.assertIn(os.path.join(self.tmp.name, "alpha").encode(), body)
        status, body = self.get("q.wild.example", "/probe")
        self.assertIn(b"site=8:Wild reqsite=8 instance=8 ", body)

    def test_modules_enabled_per_site(self):
        self.assertEqual(self.get("alpha.example", "/hello"), (200, b"Hello, World!"))
        # Elsewhere HelloModule is loaded but not enabled: /hello is a (missing) static file.
        status, _ = self.get("a.wild.example", "/hello")
        self.assertEqual(status, 404)

    def test_request_limits_per_site(self):
        long_path = "/" + "a" * 70
        self.assertEqual(self.get("alpha.example", long_path)[0], 404)  # maxUrl 64 (404.14)
        self.assertEqual(self.get("a.wild.example", long_path)[0], 404)
        self.srv.wait_for_log(r"over maxUrl 64")
        self.assertEqual(self.get("alpha.example", "/who.txt?" + "q" * 30), (200, b"alpha"))
        self.assertEqual(self.get("a.wild.example", "/who.txt?" + "q" * 30)[0], 404)  # 16
        self.srv.wait_for_log(r"over maxQueryString 16")
        self.assertEqual(self.get("a.wild.example", "/who.txt?" + "q" * 16), (200, b"wild"))
        # maxAllowedContentLength="10" for Alpha only.
        self.assertEqual(self.get("alpha.example", "/who.txt", method="POST",
                                  body=b"x" * 11)[0], 413)
        # Elsewhere the static handler answers (it does not take POST).
        self.assertNotEqual(self.get("a.wild.example", "/who.txt", method="POST",
                                     body=b"x" * 11)[0], 413)

    def test_location_below_a_site_root(self):
        # <location path="Alpha/up">: EchoModule enabled and mapped for POST, a larger body limit.
        def post(path, n):
            return self.get("alpha.example", path, method="POST", body=b"y" * n)
        self.assertEqual(post("/up/x", 500), (200, b"y" * 500))
        self.assertEqual(post("/up", 5), (200, b"y" * 5))
        self.assertEqual(post("/up/x", 1001)[0], 413)
        # Not below /up ("/upper"), or another site: Alpha's limit of 10, no echo.
        self.assertEqual(post("/upper", 11)[0], 413)
        self.assertNotEqual(self.get("a.wild.example", "/up/x", method="POST", body=b"z")[1],
                            b"z")
        # The deeper location removes EchoModule again (the longest matching prefix wins),
        # while inheriting /up's limit and handlers: the mapping names a disabled module.
        status, body = post("/up/deeper/x", 500)
        self.assertNotEqual(body, b"y" * 500)
        self.assertNotEqual(status, 413)
        # Inherited from the site root: the Hello handler and module still work below /up.
        self.assertEqual(self.get("alpha.example", "/up/hello"), (200, b"Hello, World!"))

    def test_virtual_directories(self):
        self.assertEqual(self.get("alpha.example", "/assets/who.txt"), (200, b"shared"))
        self.assertEqual(self.get("alpha.example", "/app/who.txt"), (200, b"appdir"))
        self.assertEqual(self.get("alpha.example", "/who.txt"), (200, b"alpha"))
        # Names that need encoding reach the file as they are ('%41' is not 'A').
        self.assertEqual(self.get("alpha.example", "/assets/a%20b%2541.txt"), (200, b"spaced"))
        self.assertEqual(self.get("alpha.example", "/assets/a%20bA.txt")[0], 404)
        self.assertEqual(self.get("alpha.example", "/assets/sub/"), (200, b"sub index"))
        # The directory redirect keeps the virtual directory in its Location.
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request("GET", "/assets/sub?x=1", headers={"Host": "alpha.example"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 301)
            self.assertEqual(r.getheader("Location"), "/assets/sub/?x=1")
            # So does the virtual directory itself, like every other directory.
            c.request("GET", "/assets?y=2", headers={"Host": "alpha.example"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 301)
            self.assertEqual(r.getheader("Location"), "/assets/?y=2")
        finally:
            c.close()
        r = harness.curl("http://127.0.0.1:%d/assets" % self.port, "-L", "-H", "Host: alpha.example")
        self.assertEqual(r.status, 403)  # followed to /assets/: no default document (403.14)
        # "/assetsX" is not under "/assets"; other sites do not have it.
        self.assertEqual(self.get("alpha.example", "/assetsX/who.txt")[0], 404)
        self.assertEqual(self.get("a.wild.example", "/assets/who.txt")[0], 404)
        # A traversal out of the virtual directory stays inside the site's URL space.
        self.assertEqual(self.get("alpha.example", "/assets/../who.txt"), (200, b"alpha"))


if __name__ == "__main__":
    unittest.main()
