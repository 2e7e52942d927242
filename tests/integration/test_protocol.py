"""Item 5 of the operations work, with curl and raw sockets: ProtocolSupportModule
(<httpProtocol><customHeaders>/<redirectHeaders>/allowKeepAlive, <staticContent><clientCache>),
HttpRedirectionModule (<httpRedirect>) and DirectoryListingModule (<directoryBrowse>)."""
import http.client
import os
import re
import time
import unittest

import harness

FILES = {
    "hello.txt": "hello\n",
    "index.html": "<p>home</p>\n",
    "dir/a.txt": "a\n",
    "nocache/n.txt": "n\n",
    "exp/e.txt": "e\n",
    "nokeep/k.txt": "k\n",
    "old/a/b.txt": "old b\n",
    "old/web.config": "secret\n",
    "child/file.txt": "child file\n",
    "child/sub/deep.txt": "deep\n",
    "wild/x.txt": "x\n",
    "wild/x.php": "<?php ?>\n",
    "pub/a b.txt": "spaced\n",
    "pub/zeta.css": "z{}\n",
    "pub/.secret.txt": "dot\n",
    "pub/web.config": "secret\n",
    "pub/sub/inner.txt": "inner\n",
    "pub/withindex/index.html": "<p>index wins</p>\n",
    "pub/empty/.keep": "",
    "short/readme.txt": "readme\n",
    "emptydir/.keep": "",
}


def loc(path, body):
    return ('<location path="Site/%s"><system.webServer>%s</system.webServer></location>\n'
            % (path, body))


class Headers(harness.ConfigSiteTestCase):
    WEB = """
    <httpProtocol>
      <customHeaders>
        <add name="X-Frame-Options" value="SAMEORIGIN" />
        <add name="Strict-Transport-Security" value="max-age=31536000" />
      </customHeaders>
      <redirectHeaders><add name="X-Moved-By" value="httpserv" /></redirectHeaders>
    </httpProtocol>
    <staticContent>
      <clientCache cacheControlMode="UseMaxAge" cacheControlMaxAge="7.00:00:00" cacheControlCustom="public" />
    </staticContent>"""
    LOCATIONS = (
        loc("nocache", '<staticContent><clientCache cacheControlMode="DisableCache" setEtag="false" /></staticContent>')
        + loc("exp", '<staticContent><clientCache cacheControlMode="UseExpires" '
              'httpExpires="Fri, 01 Jan 2038 00:00:00 GMT" cacheControlCustom="" /></staticContent>')
        + loc("nokeep", '<httpProtocol allowKeepAlive="false" />'))

    FILES = FILES

    def test_custom_headers_on_every_response(self):
        for path, status in (("/hello.txt", 200), ("/missing.txt", 404), ("/web.config", 404),
                             ("/dir", 301)):
            r = self.get(path)
            self.assertEqual(r.status, status, path)
            self.assertEqual(r.header("X-Frame-Options"), "SAMEORIGIN", path)
            self.assertEqual(r.header("Strict-Transport-Security"), "max-age=31536000", path)
        # Inherited by the locations below.
        self.assertEqual(self.get("/nocache/n.txt").header("X-Frame-Options"), "SAMEORIGIN")

    def test_redirect_headers_only_on_redirects(self):
        r = self.get("/dir")
        self.assertEqual((r.status, r.header("Location")), (301, "/dir/"))
        self.assertEqual(r.header("X-Moved-By"), "httpserv")
        self.assertIsNone(self.get("/hello.txt").header("X-Moved-By"))
        self.assertIsNone(self.get("/missing.txt").header("X-Moved-By"))

    def test_max_age(self):
        r = self.get("/hello.txt")
        self.assertEqual(r.header("Cache-Control"), "max-age=604800, public")
        self.assertTrue(r.header("ETag"))
        # A revalidation keeps the policy; an error does not get it.
        r304 = self.get("/hello.txt", "-H", "If-None-Match: " + r.header("ETag"))
        self.assertEqual(r304.status, 304)
        self.assertEqual(r304.header("Cache-Control"), "max-age=604800, public")
        self.assertIsNone(self.get("/missing.txt").header("Cache-Control"))

    def test_disable_cache_and_no_etag(self):
        r = self.get("/nocache/n.txt")
        self.assertEqual((r.status, r.body), (200, b"n\n"))
        self.assertEqual(r.header("Cache-Control"), "no-cache, public")  # custom is inherited
        self.assertIsNone(r.header("ETag"))
        self.assertTrue(r.header("Last-Modified"))

    def test_client_cache_in_a_location_is_no_warning(self):
        self.assertNotIn("per site only", self.class_server.log_text())

    def test_expires(self):
        r = self.get("/exp/e.txt")
        self.assertEqual(r.header("Expires"), "Fri, 01 Jan 2038 00:00:00 GMT")
        self.assertIsNone(r.header("Cache-Control"))

    def test_allow_keep_alive_false_closes(self):
        port = self.class_server.port
        for path, closes in (("/nokeep/k.txt", True), ("/hello.txt", False)):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.will_close, closes, path)
            if closes:
                self.assertIn("close", (r.getheader("Connection") or "").lower())
            c.close()
        # The server really closes: a raw socket reads EOF after the response.
        with harness.Conn(port) as c:
            c.send(b"GET /nokeep/k.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            data = c.read_until_close(timeout=10)
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:60])
            self.assertTrue(data.endswith(b"k\n"))


class Redirect(harness.ConfigSiteTestCase):
    LOCATIONS = (
        loc("old", '<httpRedirect enabled="true" destination="http://example.test/new/" />')
        + loc("exact", '<httpRedirect enabled="true" destination="https://example.test/landing" '
              'exactDestination="true" httpResponseStatus="Permanent" />')
        + loc("child", '<httpRedirect enabled="true" destination="/hello.txt?from=child" '
              'exactDestination="true" childOnly="true" httpResponseStatus="PermRedirect" />')
        + loc("wild", '<httpRedirect enabled="true" httpResponseStatus="Temporary">'
              '<add wildcard="*.php" destination="/index.html$Q" />'
              '<add wildcard="/wild/legacy/*" destination="https://example.test/archive$S" />'
              '</httpRedirect>'))

    FILES = FILES

    def test_relative_to_destination(self):
        r = self.get("/old/a/b.txt?x=1&y=2")
        self.assertEqual(r.status, 302)
        self.assertEqual(r.header("Location"), "http://example.test/new/a/b.txt?x=1&y=2")
        self.assertIn(b"Object Moved", r.body)
        self.assertIn(b'HREF="http://example.test/new/a/b.txt?x=1&y=2"', r.body)
        self.assertEqual(self.get("/old").header("Location"), "http://example.test/new/")
        # Not a file that exists: redirected all the same.
        self.assertEqual(self.get("/old/nothing").header("Location"),
                         "http://example.test/new/nothing")

    def test_filtering_comes_first(self):
        r = self.get("/old/web.config")
        self.assertEqual(r.status, 404)
        self.assertIn(b"404.8", r.body)

    def test_exact_and_permanent(self):
        r = self.get("/exact/any/thing.txt?q=1")
        self.assertEqual((r.status, r.header("Location")), (301, "https://example.test/landing"))
        r = self.get("/exact/", "-I")
        self.assertEqual((r.status, r.header("Location")), (301, "https://example.test/landing"))

    def test_child_only(self):
        r = self.get("/child/file.txt")
        self.assertEqual((r.status, r.header("Location")), (308, "/hello.txt?from=child"))
        # Followed: the site's own file.
        r = self.get("/child/file.txt", "-L")
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        r = self.get("/child/sub/deep.txt")
        self.assertEqual((r.status, r.body), (200, b"deep\n"))

    def test_wildcards(self):
        r = self.get("/wild/x.php?a=1")
        self.assertEqual((r.status, r.header("Location")), (307, "/index.html?a=1"))
        r = self.get("/wild/legacy/2019/report.pdf")
        self.assertEqual((r.status, r.header("Location")),
                         (307, "https://example.test/archive/legacy/2019/report.pdf"))
        # No wildcard matches and no destination: served.
        r = self.get("/wild/x.txt")
        self.assertEqual((r.status, r.body), (200, b"x\n"))

    def test_elsewhere_untouched(self):
        r = self.get("/hello.txt")
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        self.assertIsNone(r.header("Location"))


class Browse(harness.ConfigSiteTestCase):
    LOCATIONS = (loc("pub", '<directoryBrowse enabled="true" />')
                 + loc("short", '<directoryBrowse enabled="true" showFlags="Date, LongDate, Size" />'))

    FILES = FILES

    @classmethod
    def prepare_root(cls, root):
        os.utime(os.path.join(root, "pub", "zeta.css"), (1700000000, 1700000000))

    def test_listing(self):
        r = self.get("/pub/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        body = r.body.decode()
        host = "127.0.0.1:%d" % self.class_server.port
        self.assertIn("<title>%s - /pub/</title>" % host, body)
        self.assertIn('<A HREF="/">[To Parent Directory]</A>', body)
        self.assertIn('<A HREF="/pub/a%20b.txt">a b.txt</A>', body)
        self.assertIn('&lt;dir&gt; <A HREF="/pub/sub/">sub</A>', body)
        # IIS's columns: date, time, size.
        self.assertRegex(body, r'11/14/2023 +10:13 PM +4 <A HREF="/pub/zeta.css">zeta.css</A>')
        # Sorted by name; dot files and request filtering's hidden segments are left out.
        self.assertLess(body.index("a b.txt"), body.index("zeta.css"))
        self.assertNotIn(".secret", body)
        self.assertNotIn("web.config", body)
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))

    def test_links_work(self):
        body = self.get("/pub/").body.decode()
        links = re.findall(r'HREF="([^"]+)"', body)
        self.assertIn("/pub/sub/", links)
        for link in links:
            r = self.get(link)
            self.assertEqual(r.status, 200, link)
        self.assertEqual(self.get("/pub/a%20b.txt").body, b"spaced\n")
        sub = self.get("/pub/sub/").body.decode()
        self.assertIn('<A HREF="/pub/">[To Parent Directory]</A>', sub)
        self.assertIn("inner.txt", sub)

    def test_default_document_wins(self):
        r = self.get("/pub/withindex/")
        self.assertEqual((r.status, r.body), (200, b"<p>index wins</p>\n"))

    def test_empty_directory_and_head(self):
        r = self.get("/pub/empty/")
        self.assertEqual(r.status, 200)
        self.assertIn(b"[To Parent Directory]", r.body)
        h = self.get("/pub/", "-I")
        self.assertEqual(h.status, 200)
        self.assertGreater(int(h.header("Content-Length")), 100)

    def test_show_flags(self):
        body = self.get("/short/").body.decode()
        self.assertRegex(body, r"day, [A-Z][a-z]+ \d+, \d{4} +7 <A HREF=\"/short/readme.txt\">readme</A>")
        self.assertNotIn(" AM ", body)
        self.assertNotIn(" PM ", body)

    def test_off_elsewhere(self):
        r = self.get("/emptydir/")
        self.assertEqual(r.status, 403)
        self.assertIn(b"403.14", r.body)
        r = self.get("/pub/", "-X", "POST")
        self.assertNotEqual(r.status, 200)

    def test_default_server_has_no_listing(self):
        srv = harness.Server(self.root)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        r = harness.curl(srv.url("/pub/"))
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    unittest.main()
