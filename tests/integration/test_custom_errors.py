"""The built-in CustomErrorModule (<httpErrors>), with curl.

Local requests get IIS's detailed page by default (errorMode DetailedLocalOnly; the test client
is local); errorMode="Custom" gives the configured pages — a file (with prefixLanguageFilePath
and Accept-Language), a URL of the site (ExecuteURL), a redirect — or the built-in short page;
existingResponse decides what happens to a module's own error body."""
import os
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR",
                                 os.path.join(harness.REPO, "build", "test_modules"))

FILES = {
    "hello.txt": "hello\n",
    "web.config": "secret\n",
    "README": "no extension\n",
    "emptydir/.keep.txt": "",
    "errors/404.html": "<h1>custom not found</h1>\n",
    "errors/hidden.html": "<h1>nothing to see</h1>\n",
    "errors/405.html": "<h1>method page</h1>\n",
    "custerr/en-US/403.htm": "<p>forbidden (en)</p>\n",
    "custerr/fr-FR/403.htm": "<p>interdit (fr)</p>\n",
}


class Detailed(harness.ServerTestCase):
    """The default, from the command line: local requests get the detailed page."""

    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot(FILES)
        cls.class_server = harness.Server(cls.root)

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def test_not_found(self):
        r = harness.curl(self.class_server.url("/missing.txt"))
        self.assertEqual(r.status, 404)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        body = r.body.decode()
        self.assertIn("<h3>HTTP Error 404.0 - Not Found</h3>", body)
        self.assertIn("Detailed Error Information", body)
        self.assertIn("Requested URL", body)
        self.assertIn("/missing.txt", body)
        self.assertIn(os.path.join(self.root, "missing.txt"), body)  # physical path
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))

    def test_substatus_names_the_module(self):
        body = harness.curl(self.class_server.url("/web.config")).body.decode()
        self.assertIn("HTTP Error 404.8 - Not Found", body)
        self.assertIn("hiddenSegment", body)
        self.assertIn("RequestFilteringModule", body)
        self.assertNotIn("secret", body)
        body = harness.curl(self.class_server.url("/README")).body.decode()
        self.assertIn("HTTP Error 404.3 - Not Found", body)
        self.assertIn("MIME map", body)
        body = harness.curl(self.class_server.url("/emptydir/")).body.decode()
        self.assertIn("HTTP Error 403.14 - Forbidden", body)

    def test_values_are_escaped(self):
        r = harness.curl(self.class_server.url("/%3Cb%3Ebold%22.txt"))
        self.assertEqual(r.status, 404)
        body = r.body.decode()
        self.assertNotIn("<b>bold", body)
        self.assertIn("&lt;b&gt;bold", body)

    def test_other_headers_stay(self):
        r = harness.curl(self.class_server.url("/hello.txt"), "-X", "DELETE")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        self.assertIn(b"HTTP Error 405.0", r.body)
        r = harness.curl(self.class_server.url("/hello.txt"), "-H", "Range: bytes=999-")
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("Content-Range"), "bytes */6")

    def test_head_gets_the_length_without_a_body(self):
        r = harness.curl(self.class_server.url("/missing.txt"), "-I")  # (-I: -o gets the head)
        self.assertEqual(r.status, 404)
        self.assertGreater(int(r.header("Content-Length")), 1000)
        self.assertNotIn(b"<html", r.body)

    def test_success_untouched(self):
        r = harness.curl(self.class_server.url("/hello.txt"))
        self.assertEqual((r.status, r.body, r.header("Content-Type")),
                         (200, b"hello\n", "text/plain"))


class Custom(harness.ConfigSiteTestCase):
    WEB = """
    <httpErrors errorMode="Custom">
      <error statusCode="404" path="errors/404.html" responseMode="File" />
      <error statusCode="404" subStatusCode="8" path="/errors/hidden.html" responseMode="ExecuteURL" />
      <error statusCode="403" prefixLanguageFilePath="custerr" path="403.htm" />
      <error statusCode="405" path="errors/405.html" />
      <error statusCode="501" path="https://status.example.test/down" responseMode="Redirect" />
      <error statusCode="412" path="errors/does-not-exist.html" />
    </httpErrors>"""

    FILES = FILES

    def test_file_page(self):
        r = self.get("/missing.txt")
        self.assertEqual((r.status, r.body), (404, b"<h1>custom not found</h1>\n"))
        self.assertEqual(r.header("Content-Type"), "text/html")
        self.assertNotIn(b"Detailed Error", r.body)

    def test_substatus_entry_and_execute_url(self):
        r = self.get("/web.config")
        self.assertEqual((r.status, r.body), (404, b"<h1>nothing to see</h1>\n"))

    def test_language_files(self):
        r = self.get("/emptydir/", "-H", "Accept-Language: fr-FR,fr;q=0.8")
        self.assertEqual((r.status, r.body), (403, b"<p>interdit (fr)</p>\n"))
        r = self.get("/emptydir/", "-H", "Accept-Language: de-DE")
        self.assertEqual((r.status, r.body), (403, b"<p>forbidden (en)</p>\n"))

    def test_headers_kept_with_the_page(self):
        r = self.get("/hello.txt", "-X", "DELETE")
        self.assertEqual((r.status, r.body), (405, b"<h1>method page</h1>\n"))
        self.assertEqual(r.header("Allow"), "GET, HEAD")

    def test_builtin_page_when_none_is_configured(self):
        r = self.get("/hello.txt", "-H", "Range: bytes=100-")
        self.assertEqual(r.status, 416)
        self.assertIn(b"416 - Range Not Satisfiable", r.body)
        self.assertNotIn(b"Detailed Error", r.body)

    def test_missing_page_file_falls_back_and_warns(self):
        etag = self.get("/hello.txt").header("ETag")
        r = self.get("/hello.txt", "-H", "If-Match: \"nope\"")
        self.assertEqual(r.status, 412)
        self.assertIn(b"412 - Precondition Failed", r.body)
        self.class_server.wait_for_log(r"custom error page .*does-not-exist\.html")
        self.assertTrue(etag)


class ExistingResponse(harness.ServerTestCase):
    """A module's own error body: Auto replaces it unless the module asked (fTrySkipCustomErrors,
    see test_response_engine), Replace always, PassThrough never."""

    def test_existing_response_modes(self):
        wec = os.path.abspath(os.path.join(TEST_MODULE_DIR, "wec.so"))
        self.assertTrue(os.path.exists(wec), wec)
        root = self.tempdir(FILES)
        for d in ("auto", "replace", "pass"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        web = """
    <globalModules><add name="Wec" image="%s" /></globalModules>
    <modules><add name="Wec" /></modules>
    <handlers>
      <add name="W" path="wec" verb="*" modules="Wec" />
      <add name="Static" path="*" verb="GET,HEAD" modules="StaticFileModule" />
    </handlers>
    <httpErrors errorMode="Detailed" />""" % wec
        locations = """
  <location path="Site/replace"><system.webServer><httpErrors existingResponse="Replace" /></system.webServer></location>
  <location path="Site/pass"><system.webServer><httpErrors existingResponse="PassThrough" /></system.webServer></location>"""
        srv = harness.config_server(root, harness.site_config(root, "{port}", web, locations))
        self._servers.append(srv)
        self.addCleanup(srv.close)
        ops = "?id=x&ops=status:500;write:m=modulebody"
        auto = harness.curl(srv.url("/auto/wec" + ops))
        replace = harness.curl(srv.url("/replace/wec" + ops))
        passed = harness.curl(srv.url("/pass/wec" + ops))
        self.assertEqual(auto.status, 500)
        self.assertIn(b"HTTP Error 500.0", auto.body)
        self.assertIn(b"HTTP Error 500.0", replace.body)
        self.assertEqual((passed.status, passed.body), (500, b"modulebody"))
        # PassThrough still replaces an error without a body.
        empty = harness.curl(srv.url("/pass/wec?id=y&ops=status:503"))
        self.assertEqual(empty.status, 503)
        self.assertIn(b"HTTP Error 503.0", empty.body)


if __name__ == "__main__":
    unittest.main()
