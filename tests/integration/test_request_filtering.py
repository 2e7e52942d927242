"""The built-in RequestFilteringModule and StaticFileModule's MIME rule, with curl.

On by default, with IIS's shipped rules, from the command line (--root) and from a configuration
file: hidden segments (web.config, bin, App_Data...), denied extensions (.config, .cs, .mdb...),
double escaping; only extensions in the MIME map are served (404.3). A configuration adds verbs,
sequences, header limits, filtering rules and allow-lists, <remove>s IIS's defaults, and can turn
the module off in <modules>. Sub-statuses are checked in the server's log line (the access log
suite checks sc-substatus)."""
import os
import tempfile
import unittest

import harness

FILES = {
    "hello.txt": "hello\n",
    "web.config": "<configuration>secret connection string</configuration>\n",
    "bin/app.txt": "binary dir\n",
    "App_Data/db.txt": "data\n",
    "code.cs": "class Secret {}\n",
    "db.mdb": "mdb\n",
    "README": "no extension\n",
    "blob.unknownext": "unknown\n",
    "data.bin": "bin file\n",
    "sub/index.html": "<p>sub</p>\n",
    "a b%41.txt": "percent\n",
    "inc/x.inc": "include\n",
}


def curl_status(url, *args):
    return harness.curl(url, *args).status


class Defaults(harness.ServerTestCase):
    """--root, no configuration: IIS's defaults."""

    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot(FILES)
        cls.class_server = harness.Server(cls.root)

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def url(self, path):
        return self.class_server.url(path)

    def refused(self, path, sub, *args):
        r = harness.curl(self.url(path), *args)
        self.assertEqual(r.status, 404, (path, r))
        self.assertNotIn(b"secret", r.body)
        if sub is not None:  # request filtering logs its refusals (404.3 is StaticFileModule's)
            self.class_server.wait_for_log(r"404\.%d" % sub)
        return r

    def test_served(self):
        r = harness.curl(self.url("/hello.txt"))
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        self.assertEqual(curl_status(self.url("/data.bin")), 200)  # .bin is in IIS's MIME map
        self.assertEqual(curl_status(self.url("/sub/")), 200)

    def test_hidden_segments(self):
        self.refused("/web.config", 8)
        self.refused("/WEB.CONFIG", 8)  # segments compare case-insensitively
        self.refused("/bin/app.txt", 8)
        self.refused("/app_data/db.txt", 8)
        self.refused("/sub/../web.config", 8, "--path-as-is")  # after normalisation
        self.refused("/%77eb.config", 8)  # once decoded

    def test_denied_extensions(self):
        self.refused("/code.cs", 7)
        self.refused("/db.mdb", 7)
        self.refused("/x.config/hello.txt", 7)  # on any segment

    def test_double_escaping(self):
        self.refused("/a%20b%2541.txt", 11)
        self.refused("/a+b.txt", 11)

    def test_mime_map(self):
        # StaticFileModule serves only what the MIME map lists (404.3).
        self.refused("/README", None)
        self.refused("/blob.unknownext", None)
        self.refused("/inc/x.inc", None)

    def test_other_verbs_are_not_refused_by_filtering(self):
        # No verb rule by default: the static handler answers 405 itself.
        self.assertEqual(curl_status(self.url("/hello.txt"), "-X", "DELETE"), 405)


class Configured(harness.ServerTestCase):
    """Rules from a configuration file, per location."""

    WEB_SERVER = """
    <staticContent>
      <mimeMap fileExtension=".inc" mimeType="text/plain" />
    </staticContent>
    <security>
      <requestFiltering>
        <verbs allowUnlisted="false">
          <add verb="GET" allowed="true" />
          <add verb="HEAD" allowed="true" />
        </verbs>
        <hiddenSegments><remove segment="bin" /><add segment="private" /></hiddenSegments>
        <fileExtensions><add fileExtension=".inc" allowed="false" /></fileExtensions>
        <denyUrlSequences><add sequence="./" /><add sequence="~" /></denyUrlSequences>
        <denyQueryStringSequences><add sequence="&lt;script" /></denyQueryStringSequences>
        <alwaysAllowedQueryStrings><add queryString="q=%3Cscript" /></alwaysAllowedQueryStrings>
        <requestLimits><headerLimits><add header="X-Small" sizeLimit="8" /></headerLimits></requestLimits>
        <filteringRules>
          <filteringRule name="NoSqlInTxt" scanUrl="false" scanQueryString="true">
            <appliesTo><add fileExtension=".txt" /></appliesTo>
            <denyStrings><add string="drop table" /></denyStrings>
            <scanHeaders><add requestHeader="X-Probe" /></scanHeaders>
          </filteringRule>
        </filteringRules>
      </requestFiltering>
    </security>"""

    LOCATIONS = """
  <location path="Site/open">
    <system.webServer>
      <security><requestFiltering allowDoubleEscaping="true">
        <fileExtensions allowUnlisted="false"><add fileExtension=".txt" allowed="true" /></fileExtensions>
      </requestFiltering></security>
    </system.webServer>
  </location>
  <location path="Site/nofilter">
    <system.webServer>
      <modules><remove name="RequestFilteringModule" /></modules>
    </system.webServer>
  </location>"""

    @classmethod
    def setUpClass(cls):
        files = dict(FILES)
        files.update({"private/p.txt": "p\n", "open/a b%41.txt": "open percent\n",
                      "open/x.md": "md\n", "nofilter/web.config": "nf secret\n",
                      "nofilter/ok.txt": "ok\n"})
        cls.root = harness.make_docroot(files)
        cls.class_server = harness.config_server(
            cls.root, harness.site_config(cls.root, "{port}", cls.WEB_SERVER, cls.LOCATIONS))

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def status(self, path, *args):
        return curl_status(self.class_server.url(path), *args)

    def test_verbs(self):
        self.assertEqual(self.status("/hello.txt"), 200)
        self.assertEqual(self.status("/hello.txt", "-X", "POST"), 404)
        self.class_server.wait_for_log(r"404\.6")
        self.assertEqual(self.status("/hello.txt", "-X", "OPTIONS"), 404)

    def test_hidden_segments_changed(self):
        self.assertEqual(self.status("/bin/app.txt"), 200)  # <remove segment="bin">
        self.assertEqual(self.status("/private/p.txt"), 404)
        self.assertEqual(self.status("/web.config"), 404)  # inherited from IIS's defaults

    def test_extension_denied_even_when_mapped(self):
        # The MIME map serves .inc, request filtering denies it: filtering wins (404.7).
        self.assertEqual(self.status("/inc/x.inc"), 404)
        self.class_server.wait_for_log(r"404\.7")

    def test_url_sequences(self):
        self.assertEqual(self.status("/~hello.txt"), 404)
        self.class_server.wait_for_log(r"404\.5")

    def test_query_sequences(self):
        self.assertEqual(self.status("/hello.txt?q=%3Cscript%3E"), 404)  # decoded
        self.class_server.wait_for_log(r"404\.18")
        self.assertEqual(self.status("/hello.txt?q=%3Cscript"), 200)  # always allowed
        self.assertEqual(self.status("/hello.txt?q=fine"), 200)

    def test_header_limits(self):
        self.assertEqual(self.status("/hello.txt", "-H", "X-Small: 12345678"), 200)
        self.assertEqual(self.status("/hello.txt", "-H", "X-Small: 123456789"), 404)
        self.class_server.wait_for_log(r"404\.10")

    def test_filtering_rules(self):
        self.assertEqual(self.status("/hello.txt?x=DROP%20TABLE%20users"), 404)
        self.class_server.wait_for_log(r"404\.19")
        self.assertEqual(self.status("/hello.txt", "-H", "X-Probe: ;drop table x"), 404)
        self.assertEqual(self.status("/sub/?x=drop%20table"), 200)  # appliesTo .txt only

    def test_location_rules(self):
        # allowDoubleEscaping there; only .txt served (allowUnlisted="false").
        r = harness.curl(self.class_server.url("/open/a%20b%2541.txt"))
        self.assertEqual((r.status, r.body), (200, b"open percent\n"))
        self.assertEqual(self.status("/open/x.md"), 404)
        self.assertEqual(self.status("/a%20b%2541.txt"), 404)  # not outside it

    def test_module_removed_in_location(self):
        r = harness.curl(self.class_server.url("/nofilter/web.config"))
        # Filtering off there: the StaticFileModule's MIME rule still refuses .config (404.3).
        self.assertEqual(r.status, 404)
        self.assertNotIn(b"secret", r.body)
        self.assertEqual(self.status("/nofilter/ok.txt"), 200)


class MimeMapWildcards(harness.ServerTestCase):
    def test_star_and_dot_serve_unlisted_files(self):
        root = self.tempdir(FILES)
        web = """
    <staticContent>
      <mimeMap fileExtension=".*" mimeType="application/octet-stream" />
      <mimeMap fileExtension="." mimeType="text/plain" />
    </staticContent>"""
        srv = harness.config_server(root, harness.site_config(root, "{port}", web))
        self._servers.append(srv)
        self.addCleanup(srv.close)
        r = harness.curl(srv.url("/blob.unknownext"))
        self.assertEqual((r.status, r.header("Content-Type")), (200, "application/octet-stream"))
        r = harness.curl(srv.url("/README"))
        self.assertEqual((r.status, r.header("Content-Type"), r.body),
                         (200, "text/plain", b"no extension\n"))
        # Request filtering still applies to what the map would serve.
        self.assertEqual(curl_status(srv.url("/web.config")), 404)


class BadConfiguration(unittest.TestCase):
    def check(self, web, expect):
        with tempfile.TemporaryDirectory(prefix="httpserv-rf-") as d:
            path = os.path.join(d, "applicationHost.config")
            with open(path, "w") as f:
                f.write(harness.site_config(d, harness.free_port(), web))
            p = harness.run_cli(["-t", "--config", path])
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertRegex(p.stderr, expect)

    def test_bad_value_names_file_and_line(self):
        self.check("""
    <security><requestFiltering>
      <fileExtensions allowUnlisted="maybe" />
    </requestFiltering></security>""",
                   r"applicationHost\.config:\d+: error: <fileExtensions> allowUnlisted: "
                   r"'maybe' is not a boolean")

    def test_duplicate_of_an_inherited_default(self):
        # IIS's defaults are inherited: re-adding .config needs a <remove> first.
        self.check("""
    <security><requestFiltering>
      <fileExtensions><add fileExtension=".config" allowed="true" /></fileExtensions>
    </requestFiltering></security>""", r"cannot add duplicate collection entry")


if __name__ == "__main__":
    unittest.main()
