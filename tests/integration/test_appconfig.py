"""A module reads its own configuration section through the IIS configuration API
(IAppHostAdminManager, src/admin): declared in <configSections>, typed by its schema file in
schema/ next to applicationHost.config, set at the top level, per site and per <location>, with
collections merged by add/remove/clear. The module (tests/modules/appconfig.cc) is written like
a Windows one: Windows.h, tchar.h, _bstr_t/_variant_t, smart pointers, events, a thread, a
critical section and ReportEvent. Also: CoCreateInstance of the admin manager, the HRESULTs of
bad calls, a bad value in the file, GL_CONFIGURATION_CHANGE after SIGHUP, and -t with a broken
schema file."""
import http.client
import os
import re
import signal
import tempfile
import time
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")

SCHEMA = """<!-- the module's schema, in IIS's configSchema format -->
<configSchema>
  <sectionSchema name="system.webServer/appConfig">
    <attribute name="message" type="string" defaultValue="default message" />
    <attribute name="enabled" type="bool" defaultValue="true" />
    <attribute name="limit" type="uint" defaultValue="42" />
    <attribute name="timeout" type="timeSpan" defaultValue="00:00:30" />
    <attribute name="mode" type="enum" defaultValue="Off">
      <enum name="Off" value="0" />
      <enum name="On" value="1" />
      <enum name="Auto" value="2" />
    </attribute>
    <element name="extra">
      <attribute name="flag" type="bool" defaultValue="false" />
    </element>
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true" />
      <attribute name="value" type="string" defaultValue="v" />
    </collection>
  </sectionSchema>
</configSchema>
"""

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <configSections>
    <sectionGroup name="system.webServer">
      <section name="appConfig" overrideModeDefault="Allow" />
    </sectionGroup>
  </configSections>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="root" />
          <virtualDirectory path="/vdir" physicalPath="other" />
        </application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port}:" /></bindings>
      </site>
      <site name="Beta" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="beta" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port2}:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
      <add name="AppConfig" image="{module}" />
    </globalModules>
    <modules>
      <add name="AppConfig" />
    </modules>
    <handlers>
      <add name="AppConfig" path="*" verb="GET" modules="AppConfig" />
    </handlers>
    <appConfig message="{message}" limit="{limit}" timeout="00:01:30" mode="Auto">
      <add name="a" value="1" />
      <add name="b" />
    </appConfig>
  </system.webServer>
  <location path="Default Web Site/sub">
    <system.webServer>
      <appConfig message="sub message" enabled="false">
        <remove name="b" />
        <add name="c" value="3" />
        <extra flag="true" />
      </appConfig>
    </system.webServer>
  </location>
  <location path="Default Web Site/sub/deep">
    <system.webServer>
      <appConfig>
        <clear />
        <add name="d" value="4" />
      </appConfig>
    </system.webServer>
  </location>
  <location path="Beta">
    <system.webServer>
      <appConfig message="beta message" mode="1" />
    </system.webServer>
  </location>
</configuration>
"""

# The HRESULTs of the calls that must fail (appconfig.cc, "errors="): unknown property
# (ERROR_INVALID_INDEX), NULL name (E_INVALIDARG), undeclared section (ERROR_PATH_NOT_FOUND),
# bad path (ERROR_FILE_NOT_FOUND), get_Collection of a non-collection (S_OK, NULL).
ERRORS = "0x80070585,0x80070057,0x80070003,0x80070002,0x00000000,null"


def parse(body):
    out = {}
    for line in body.decode().splitlines():
        key, _, value = line.partition("=")
        out[key] = value
    return out


class AppConfigTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="httpserv-appconfig-")
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        for name in ("root", "other", "beta", "root/sub", "root/sub/deep"):
            os.makedirs(os.path.join(self.dir, name), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "schema"))
        with open(os.path.join(self.dir, "schema", "appconfig_schema.xml"), "w") as f:
            f.write(SCHEMA)
        self.module = os.path.join(TEST_MODULE_DIR, "appconfig.so")
        self.assertTrue(os.path.exists(self.module), self.module)
        self.port, self.port2 = harness.free_ports(2)
        self.config = os.path.join(self.dir, "applicationHost.config")

    def write_config(self, message="top message", limit="7"):
        text = CONFIG.format(port=self.port, port2=self.port2, module=self.module,
                             message=message, limit=limit)
        with open(self.config + ".new", "w") as f:
            f.write(text)
        os.rename(self.config + ".new", self.config)

    def start(self, supervised=False):
        srv = harness.Server(self.dir, start=False,
                             listen=[f"127.0.0.1:{self.port}", f"127.0.0.1:{self.port2}"])
        srv.cmd = [harness.server_bin(), "--workers", "2", "--config", self.config]
        if not supervised:
            srv.cmd.append("--no-supervisor")
        self.addCleanup(srv.close)
        srv.start()
        return srv

    def get(self, path, port=None):
        c = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=10)
        try:
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            self.assertEqual(r.status, 200, body)
            return parse(body)
        finally:
            c.close()

    def test_site_root_location_and_other_site(self):
        self.write_config()
        srv = self.start()
        root = self.get("/")
        self.assertEqual(root["metapath"], "MACHINE/WEBROOT/APPHOST/Default Web Site")
        self.assertEqual(root["vrpath"], os.path.join(self.dir, "root"))
        self.assertEqual(root["message"], "top message")
        self.assertEqual(root["enabled"], "11:-1")        # VT_BOOL, VARIANT_TRUE (default)
        self.assertEqual(root["limit"], "19:7")           # VT_UI4
        self.assertEqual(root["timeout"], "21:900000000")  # VT_UI8, 90 s in 100-ns ticks
        self.assertEqual(root["mode"], "3:2:Auto")        # VT_I4, the value; the string
        self.assertEqual(root["items"], "a=1,b=v")        # the schema default for b's value
        self.assertEqual(root["extra.flag"], "11:0")
        self.assertEqual(root["errors"], ERRORS)
        self.assertEqual(root["cocreate.message"], "top message")
        # IHttpServer2::GetMetadata(L"beta", L"/x"): site names compare case-insensitively; an
        # unknown site is ERROR_NOT_FOUND.
        self.assertEqual(root["server.metadata"], "MACHINE/WEBROOT/APPHOST/Beta,0x80070490")

        sub = self.get("/sub/page.html")
        self.assertEqual(sub["metapath"], "MACHINE/WEBROOT/APPHOST/Default Web Site/sub")
        self.assertEqual(sub["message"], "sub message")
        self.assertEqual(sub["enabled"], "11:0")
        self.assertEqual(sub["limit"], "19:7")            # inherited from the top level
        self.assertEqual(sub["items"], "a=1,c=3")
        self.assertEqual(sub["extra.flag"], "11:-1")
        self.assertEqual(sub["cocreate.message"], "top message")  # the site's own level

        deep = self.get("/sub/deep/x")
        self.assertEqual(deep["metapath"], "MACHINE/WEBROOT/APPHOST/Default Web Site/sub/deep")
        self.assertEqual(deep["message"], "sub message")
        self.assertEqual(deep["items"], "d=4")            # <clear/> dropped the inherited ones

        vdir = self.get("/vdir/file")
        self.assertEqual(vdir["metapath"], "MACHINE/WEBROOT/APPHOST/Default Web Site/vdir")
        self.assertEqual(vdir["vrpath"], os.path.join(self.dir, "other"))
        self.assertEqual(vdir["message"], "top message")

        beta = self.get("/", port=self.port2)
        self.assertEqual(beta["metapath"], "MACHINE/WEBROOT/APPHOST/Beta")
        self.assertEqual(beta["message"], "beta message")
        self.assertEqual(beta["mode"], "3:1:1")
        self.assertEqual(beta["cocreate.message"], "beta message")

        # One configuration object per metadata path: the second request finds it cached.
        self.assertEqual(self.get("/sub/other.html")["cached"], "1")
        self.assertEqual(self.get("/sub/")["cached"], "1")

        # The worker thread (events, critical section) did one work item per request.
        counters = [int(self.get("/")["counter"]) for _ in range(3)]
        self.assertEqual(counters[1], counters[0] + 1)
        self.assertEqual(counters[2], counters[0] + 2)

        # ReportEvent at RegisterModule, with the source name and the APPHOST-level value.
        srv.wait_for_log(r"AppConfigModule.*registered; apphost message=top message")

    def test_bad_value_is_an_hresult_and_a_log_line(self):
        self.write_config(limit="lots")
        srv = self.start()
        root = self.get("/")
        self.assertEqual(root["section"], "0x8007000D")  # ERROR_INVALID_DATA
        srv.wait_for_log(r"appConfig.*applicationHost\.config:\d+: <appConfig> limit: "
                         r"'lots' is not a number in 0\.\.4294967295")

    def test_undeclared_section_is_not_found(self):
        self.write_config()
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(re.sub(r"<configSections>.*?</configSections>", "", text, flags=re.S))
        self.start()
        self.assertEqual(self.get("/")["section"], "0x80070003")

    def test_reload_raises_configuration_change(self):
        self.write_config(message="before")
        srv = self.start(supervised=True)
        self.assertEqual(self.get("/")["message"], "before")
        self.write_config(message="after")
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"AppConfigModule.*configuration changed: MACHINE/WEBROOT/APPHOST",
                         timeout=10)
        deadline = time.monotonic() + 10
        while self.get("/")["message"] != "after":
            self.assertLess(time.monotonic(), deadline, "the reloaded configuration never served")
            time.sleep(0.05)
        # The first process never saw a change: it only drained.
        self.assertEqual(len(re.findall(r"configuration changed", srv.log_text())), 1)

    def test_check_reports_a_broken_schema(self):
        self.write_config()
        with open(os.path.join(self.dir, "schema", "broken.xml"), "w") as f:
            f.write("<configSchema><sectionSchema name=\"x/y\">"
                    "<attribute name=\"a\" type=\"float\"/></sectionSchema></configSchema>")
        r = harness.run_cli(["-t", "--config", self.config])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("broken.xml:1: error: attribute a: unknown type 'float'", r.stderr)


if __name__ == "__main__":
    unittest.main()
