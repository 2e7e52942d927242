"""IHttpFileInfo, IHttpUrlInfo and IHttpCachePolicy as modules use them (tests/modules/info.cc)."""
import email.utils
import os
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
HELLO = b"hello world\n"


def so(name):
    path = os.path.join(TEST_MODULE_DIR, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"module not built: {path}")
    return path


class InfoCase(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot({"hello.txt": HELLO, "big.bin": b"B" * 300000})
        cls.class_server = harness.Server(cls.root, args=["--module", f"I={so('info')}"], start=False)
        cls.class_server.start()

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def get(self, target, headers=()):
        c = self.connect(timeout=10)
        return c.request("GET", target, [("Connection", "close")] + list(headers))

    def fields(self, body):
        out = {}
        for part in body.decode().split(" "):
            k, _, v = part.partition("=")
            out[k] = v
        return out


class FileInfo(InfoCase):
    def test_request_file_info_matches_the_file_and_the_static_response(self):
        static = self.get("/hello.txt")
        path = os.path.join(self.root, "hello.txt")
        st = os.stat(path)
        body = self.get("/hello.txt?file").body
        # The last-modified string has a space in it: take it out of the split.
        lm = static.header("Last-Modified")
        self.assertIn(f"lm={lm} ", body.decode())
        f = self.fields(body.replace(lm.encode(), b"LM"))
        self.assertEqual(f["size"], str(len(HELLO)))
        self.assertEqual(f["etag"], static.header("ETag"))  # the one the static file sends
        self.assertEqual(int(f["etaglen"]), len(static.header("ETag")))
        self.assertTrue(f["etag"].startswith('"') and f["etag"].endswith('"'))
        self.assertEqual(f["attr"], "0x20")  # FILE_ATTRIBUTE_ARCHIVE: a writable file
        self.assertEqual(f["handle"], "hello")
        self.assertEqual(f["buffer"], "hello")
        self.assertEqual(int(f["ft"]), int(st.st_mtime))
        self.assertEqual(f["changed"], "0")
        self.assertEqual(f["cache"], "1/4294967295")
        self.assertEqual(f["access"], "0x00000000")
        self.assertEqual(f["path"], path)

    def test_large_file_has_a_handle_but_no_buffer(self):
        body = self.get("/big.bin?file").body.decode()
        self.assertIn("size=300000 ", body)
        self.assertIn("handle=BBBBB", body)
        self.assertIn("buffer=(null)", body)

    def test_changed_file_gets_new_info(self):
        path = os.path.join(self.root, "changing.txt")
        with open(path, "wb") as fh:
            fh.write(b"first")
        before = self.get("/changing.txt?file").body.decode()
        self.assertIn("size=5 ", before)
        time.sleep(1.1)  # a different mtime second, hence a different ETag
        with open(path, "wb") as fh:
            fh.write(b"second!")
        after = self.get("/changing.txt?file").body.decode()
        self.assertIn("size=7 ", after)
        self.assertIn("handle=secon", after)
        self.assertNotEqual(before.split("etag=")[1].split()[0],
                            after.split("etag=")[1].split()[0])

    def test_no_file_info_for_a_missing_file_or_before_the_handler_is_mapped(self):
        self.assertEqual(self.get("/missing.txt?file").body, b"no file info")
        self.assertEqual(self.get("/hello.txt?file-early").body, b"early=null")

    def test_server_get_file_info(self):
        path = os.path.join(self.root, "hello.txt")
        self.assertEqual(self.get(f"/x?server={path}").body, b"hr=0x00000000 size=12")
        self.assertEqual(self.get(f"/x?server={self.root}/nope").body, b"hr=0x80070002")


class UrlInfo(InfoCase):
    def test_second_request_within_the_period_is_frequently_hit(self):
        self.assertEqual(self.get("/a/first?url").body, b"frequent=0 stored=0")
        self.assertEqual(self.get("/a/first?url").body, b"frequent=1 stored=1")
        self.assertEqual(self.get("/a/first?url").body, b"frequent=1 stored=2")
        # Another URL has its own count and its own container.
        self.assertEqual(self.get("/a/second?url").body, b"frequent=0 stored=0")


class UrlInfoConfigured(harness.ServerTestCase):
    def test_frequent_hit_threshold_from_the_configuration(self):
        root = self.tempdir({"hello.txt": HELLO})
        path = os.path.join(root, "applicationHost.config")
        with open(path, "w") as f:
            f.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost><sites><site name="S" id="1">
    <application path="/"><virtualDirectory path="/" physicalPath="{root}" /></application>
    <bindings><binding protocol="http" bindingInformation="127.0.0.1:8080:" /></bindings>
  </site></sites></system.applicationHost>
  <system.webServer>
    <globalModules><add name="I" image="{os.path.abspath(so('info'))}" /></globalModules>
    <modules><add name="I" /><add name="StaticFileModule" /></modules>
    <serverRuntime frequentHitThreshold="3" frequentHitTimePeriod="00:01:00" />
  </system.webServer>
</configuration>
""")
        srv = self.start_server(root=root, args=["--config", path])
        bodies = []
        for _ in range(3):
            c = self.connect(srv, timeout=10)
            bodies.append(c.request("GET", "/u?url", [("Connection", "close")]).body)
        self.assertEqual(bodies, [b"frequent=0 stored=0", b"frequent=0 stored=1",
                                  b"frequent=1 stored=2"])


class CachePolicy(InfoCase):
    def test_policy_keeps_what_modules_set(self):
        f = self.fields(self.get("/x?cache").body)
        self.assertEqual(f["initial"], "0")  # HttpCachePolicyNocache
        self.assertEqual(f["policy"], "2/60")  # HttpCachePolicyTimeToLive, 60 s
        self.assertEqual(f["headers"], "Accept-Language,User-Agent")
        self.assertEqual(f["query"], "page")
        self.assertEqual(f["comma"], "0x80070057")  # E_INVALIDARG: a name with ','
        self.assertEqual(f["nullvalue"], "0x80070057")
        self.assertEqual(f["user"], "0")
        self.assertEqual(f["force"], "1")
        self.assertEqual(f["kernel"], "0")


# IIS's own StaticFile handler entry (with DirectoryListingModule, a built-in here) and a
# script-like mapping with every IScriptMapInfo attribute set.
SCRIPT_MAP_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="{root}" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules><add name="I" image="{info}" /></globalModules>
    <modules>
      <add name="I" />
      <add name="StaticFileModule" />
      <add name="DefaultDocumentModule" />
      <add name="DirectoryListingModule" />
    </modules>
    <handlers>
      <add name="Script" path="*.script" verb="GET,POST" modules="I"
           scriptProcessor="/opt/engine.so" resourceType="File" requireAccess="Script"
           allowPathInfo="true" responseBufferLimit="1024" type="My.Handler" />
      <add name="StaticFile" path="*" verb="*"
           modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule"
           resourceType="Either" requireAccess="Read" />
    </handlers>
  </system.webServer>
</configuration>
"""


class ScriptMap(harness.ServerTestCase):
    """IHttpContext::GetScriptMap reports the handler entry that serves the request."""

    def setUp(self):
        root = self.tempdir({"hello.txt": HELLO, "dir/x.txt": b"x"})
        config = os.path.join(self.tempdir(), "applicationHost.config")
        with open(config, "w") as f:
            f.write(SCRIPT_MAP_CONFIG.replace("{root}", root).replace("{info}", so("info")))
        self.srv = self.start_server(root, args=["--config", config])

    def fields(self, target):
        r = self.connect(self.srv, timeout=10).request("GET", target, [("Connection", "close")])
        self.assertEqual(r.status, 200, r.body)
        return dict(p.partition("=")[::2] for p in r.body.decode().split(" "))

    def test_static_file_handler_has_the_documented_values(self):
        # IScriptMapInfo reference: a static file has requireAccess 1 (Read), resourceType 2
        # (Either) and modules "StaticFileModule,DefaultDocumentModule,DirectoryListingModule".
        f = self.fields("/hello.txt?scriptmap")
        self.assertEqual(f["name"], "StaticFile")
        self.assertEqual(f["path"], "*")
        self.assertEqual(f["verbs"], "*")
        self.assertEqual(f["modules"],
                         "StaticFileModule,DefaultDocumentModule,DirectoryListingModule(61)")
        self.assertEqual(f["processor"], "(0)")
        self.assertEqual(f["type"], "(0)")
        self.assertEqual((f["access"], f["resource"], f["star"]), ("1", "2", "1"))
        self.assertEqual((f["limit"], f["pathinfo"]), ("4194304", "0"))
        self.assertEqual((f["early"], f["same"]), ("null", "1"))

    def test_script_mapping_reports_every_attribute(self):
        f = self.fields("/a.script?scriptmap")
        self.assertEqual((f["name"], f["path"], f["verbs"]), ("Script", "*.script", "GET,POST"))
        self.assertEqual(f["modules"], "I(1)")
        self.assertEqual(f["processor"], "/opt/engine.so(14)")
        self.assertEqual(f["type"], "My.Handler(10)")
        self.assertEqual((f["access"], f["resource"], f["star"]), ("3", "0", "0"))
        self.assertEqual((f["limit"], f["pathinfo"]), ("1024", "1"))

    def test_directory_listing_module_is_the_static_handler(self):
        c = self.connect(self.srv, timeout=10)
        self.assertEqual(c.request("GET", "/hello.txt", [("Connection", "close")]).body, HELLO)
        r = self.connect(self.srv, timeout=10).request("GET", "/dir/", [("Connection", "close")])
        self.assertEqual(r.status, 403)  # directory browsing is off, as IIS's default


if __name__ == "__main__":
    unittest.main()
