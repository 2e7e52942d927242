"""The built-in HttpLoggingModule: W3C extended access logs with IIS's fields, from curl's
requests, read back as text and by GoAccess (Debian's, --log-format=W3C).

--access-log FILE (command line, embedded default, --config override), <logFile> per site over
<siteDefaults> (directory, period, logExtFileFlags, customFields), <httpLogging dontLog
selectiveLogging> per location, lines on disk without a shutdown and all of them at one,
reopening on SIGUSR1 after a rename (logrotate), and a directory that cannot be written."""
import datetime
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import harness

DEFAULT_FIELDS = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
                  "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
FILES = {"hello.txt": "hello\n", "web.config": "secret\n", "README": "x\n",
         "sub/index.html": "<p>sub</p>\n", "quiet/q.txt": "q\n", "errs/e.txt": "e\n"}


def wait_for_lines(path, pred, count=1, timeout=10.0):
    """The log's request lines (fields split) once ``count`` of them satisfy ``pred``."""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        lines = read_entries(path)
        if sum(1 for e in lines if pred(e)) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError("%d matching line(s) not in %s within %.0fs; have:\n%s"
                         % (count, path, timeout, "\n".join(" ".join(e) for e in lines)))


def read_entries(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [l.split(" ") for l in text.split("\r\n") if l and not l.startswith("#")]


def directives(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [l for l in text.split("\r\n") if l.startswith("#")]


def goaccess(path, tmp):
    exe = shutil.which("goaccess")
    if exe is None:
        raise AssertionError("goaccess is not installed (scripts/deps.sh installs it)")
    out = os.path.join(tmp, "report.json")
    p = subprocess.run([exe, path, "--log-format=W3C", "--no-global-config", "-o", out],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise AssertionError("goaccess failed: %s" % p.stderr.decode(errors="replace"))
    with open(out) as f:
        return json.load(f)


class CommandLine(harness.ServerTestCase):
    """--root with --access-log: exactly that file, IIS's default fields."""

    def setUp(self):
        self.root = self.tempdir(FILES)
        self.tmp = self.tempdir()
        self.log = os.path.join(self.tmp, "access.log")
        self.srv = self.start_server(self.root, args=["--access-log", self.log], workers=2)

    def test_fields_and_values(self):
        url = self.srv.url
        harness.curl(url("/hello.txt?a=1&b=two"), "-A", "Mozilla/5.0 (X11; Linux) probe",
                     "-e", "http://ref.example/from here")
        harness.curl(url("/web.config"))
        harness.curl(url("/README"))
        harness.curl(url("/missing.txt"), "-X", "HEAD", "-I")
        entries = wait_for_lines(self.log, lambda e: True, count=4)
        d = directives(self.log)
        self.assertEqual(d[0], "#Software: httpserv 0.1.0")
        self.assertEqual(d[1], "#Version: 1.0")
        self.assertRegex(d[2], r"^#Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertEqual(d[3], "#Fields: " + DEFAULT_FIELDS)
        by_stem = {e[4]: e for e in entries}
        e = by_stem["/hello.txt"]
        self.assertEqual(len(e), 15, e)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.assertLessEqual(abs((datetime.date.fromisoformat(e[0]) - today).days), 1)
        self.assertRegex(e[1], r"^\d\d:\d\d:\d\d$")
        self.assertEqual(e[2], "127.0.0.1")
        self.assertEqual(e[3], "GET")
        self.assertEqual(e[5], "a=1&b=two")
        self.assertEqual(e[6], str(self.srv.port))
        self.assertEqual(e[7], "-")  # anonymous
        self.assertEqual(e[8], "127.0.0.1")
        self.assertEqual(e[9], "Mozilla/5.0+(X11;+Linux)+probe")
        self.assertEqual(e[10], "http://ref.example/from+here")
        self.assertEqual(e[11:14], ["200", "0", "0"])
        self.assertRegex(e[14], r"^\d+$")
        # Sub-statuses: request filtering's hidden segment, the MIME map's unknown extension.
        self.assertEqual(by_stem["/web.config"][11:13], ["404", "8"])
        self.assertEqual(by_stem["/README"][11:13], ["404", "3"])
        self.assertEqual(by_stem["/web.config"][5], "-")
        self.assertEqual(by_stem["/web.config"][10], "-")  # no Referer
        self.assertEqual(by_stem["/missing.txt"][3], "HEAD")

    def test_goaccess_reads_it(self):
        for path in ("/hello.txt", "/hello.txt", "/sub/", "/web.config", "/nope.txt"):
            harness.curl(self.srv.url(path), "-A", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")
        wait_for_lines(self.log, lambda e: True, count=5)
        report = goaccess(self.log, self.tmp)
        general = report["general"]
        self.assertEqual(general["total_requests"], 5, general)
        self.assertEqual(general["valid_requests"], 5, general)
        self.assertEqual(general["failed_requests"], 0, general)
        codes = {x["data"]: x["hits"]["count"] for x in report["status_codes"]["data"]}
        self.assertEqual(codes.get("2xx Success"), 3, codes)
        self.assertEqual(codes.get("4xx Client Errors"), 2, codes)
        browsers = json.dumps(report["browsers"])
        self.assertIn("Firefox", browsers)

    def test_everything_written_at_shutdown(self):
        c = self.srv.connect()
        for i in range(200):
            self.assertEqual(c.request("GET", "/hello.txt?n=%d" % i).status, 200)
        c.close()
        self.srv.stop(signal.SIGTERM)
        entries = read_entries(self.log)
        self.assertEqual(sorted(int(e[5][2:]) for e in entries), list(range(200)))

    def test_reopened_on_sigusr1(self):
        harness.curl(self.srv.url("/hello.txt?before"))
        wait_for_lines(self.log, lambda e: e[5] == "before")
        rotated = self.log + ".1"
        os.rename(self.log, rotated)  # what logrotate does, then USR1 to the supervisor
        os.kill(self.srv.proc.pid, signal.SIGUSR1)
        self.srv.wait_for_log("SIGUSR1: reopening the access logs")
        harness.curl(self.srv.url("/hello.txt?after"))
        # The new line may still go to the renamed file if it raced the reopen; the next ones
        # go to the new file.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not read_entries(self.log):
            harness.curl(self.srv.url("/hello.txt?after"))
            time.sleep(0.2)
        entries = wait_for_lines(self.log, lambda e: e[5] == "after")
        self.assertTrue(directives(self.log)[0].startswith("#Software"))
        self.assertTrue(all(e[5] != "before" for e in entries))
        self.assertEqual([e[5] for e in read_entries(rotated)][0], "before")


class EmbeddedDefault(harness.ServerTestCase):
    def test_embedded_default_logs_static_and_module_requests(self):
        tmp = self.tempdir()
        log = os.path.join(tmp, "embedded.log")
        srv = harness.Server(tmp, start=False)
        srv.cmd = [harness.server_bin(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--access-log", log]
        self._servers.append(srv)
        self.addCleanup(srv.close)
        srv.start()
        self.assertEqual(harness.curl(srv.url("/hello.txt")).status, 200)
        self.assertEqual(harness.curl(srv.url("/hello")).body, b"Hello, World!")
        entries = wait_for_lines(log, lambda e: True, count=2)
        self.assertEqual(sorted(e[4] for e in entries), ["/hello", "/hello.txt"])


class NoLogByDefault(harness.ServerTestCase):
    def test_nothing_logged_without_a_log_file(self):
        root = self.tempdir(FILES)
        srv = self.start_server(root)
        harness.curl(srv.url("/hello.txt"))
        self.assertEqual([n for n in os.listdir(root) if n.endswith(".log")], [])
        self.assertFalse(os.path.exists(os.path.join(root, "logs")))


class Configured(harness.ServerTestCase):
    SITE_EXTRA = """
        <logFile logExtFileFlags="Date, Time, ClientIP, UserName, SiteName, ComputerName, ServerIP,
                 Method, UriStem, UriQuery, HttpStatus, Win32Status, BytesSent, BytesRecv,
                 TimeTaken, ServerPort, UserAgent, Cookie, Referer, ProtocolVersion, Host,
                 HttpSubStatus" period="Hourly">
          <customFields>
            <add logFieldName="X-Forwarded-For" sourceName="X-Forwarded-For" sourceType="RequestHeader" />
            <add logFieldName="ContentType" sourceName="Content-Type" sourceType="ResponseHeader" />
            <add logFieldName="RemotePort" sourceName="REMOTE_PORT" sourceType="ServerVariable" />
          </customFields>
        </logFile>"""
    SITES_EXTRA = """<siteDefaults><logFile directory="logs" period="Daily" /></siteDefaults>"""
    LOCATIONS = """
  <location path="Site/quiet">
    <system.webServer><httpLogging dontLog="true" /></system.webServer>
  </location>
  <location path="Site/errs">
    <system.webServer><httpLogging selectiveLogging="LogError" /></system.webServer>
  </location>"""

    def test_site_log_file_fields_and_locations(self):
        root = self.tempdir(FILES)
        xml = harness.site_config(root, "{port}", extra=self.LOCATIONS,
                                  site_extra=self.SITE_EXTRA, sites_extra=self.SITES_EXTRA)
        srv = harness.config_server(root, xml)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        harness.curl(srv.url("/hello.txt?q=1"), "-H", "X-Forwarded-For: 203.0.113.9",
                     "-H", "Cookie: a=1; b=2", "-H", "Host: www.example.test")
        harness.curl(srv.url("/quiet/q.txt"))
        harness.curl(srv.url("/errs/e.txt"))
        harness.curl(srv.url("/errs/none.txt"))
        harness.curl(srv.url("/hello.txt?last"))
        # <directory> relative to the configuration file, W3SVC<id>, hourly name, "_x" for the
        # custom fields.
        now = datetime.datetime.now(datetime.timezone.utc)
        pattern = os.path.join(root, "logs", "W3SVC1", "u_ex*_x.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not glob.glob(pattern):
            time.sleep(0.05)
        files = glob.glob(pattern)
        self.assertEqual(len(files), 1, os.listdir(root))
        self.assertRegex(os.path.basename(files[0]), r"^u_ex\d{8}_x\.log$")
        self.assertIn(now.strftime("%y%m%d"), os.path.basename(files[0]))
        entries = wait_for_lines(files[0], lambda e: len(e) > 7 and e[7] == "last")
        fields = directives(files[0])[3].split(" ")[1:]
        self.assertEqual(fields, [
            "date", "time", "s-sitename", "s-computername", "s-ip", "cs-method", "cs-uri-stem",
            "cs-uri-query", "s-port", "cs-username", "c-ip", "cs-version", "cs(User-Agent)",
            "cs(Cookie)", "cs(Referer)", "cs-host", "sc-status", "sc-substatus",
            "sc-win32-status", "sc-bytes", "cs-bytes", "time-taken", "X-Forwarded-For",
            "ContentType", "RemotePort"])
        rows = [dict(zip(fields, e)) for e in entries]
        first = next(r for r in rows if r["cs-uri-query"] == "q=1")
        self.assertEqual(first["s-sitename"], "W3SVC1")
        self.assertEqual(first["cs-version"], "HTTP/1.1")
        self.assertEqual(first["cs-host"], "www.example.test")
        self.assertEqual(first["cs(Cookie)"], "a=1;+b=2")
        self.assertEqual(first["X-Forwarded-For"], "203.0.113.9")
        self.assertEqual(first["ContentType"], "text/plain")
        self.assertRegex(first["RemotePort"], r"^\d+$")
        self.assertGreater(int(first["sc-bytes"]), len("hello\n"))
        self.assertGreater(int(first["cs-bytes"]), 40)
        stems = [r["cs-uri-stem"] for r in rows]
        self.assertNotIn("/quiet/q.txt", stems)   # dontLog
        self.assertNotIn("/errs/e.txt", stems)    # LogError: a 200 is not logged
        self.assertIn("/errs/none.txt", stems)    # ...a 404 is

    def test_unwritable_directory_is_a_warning(self):
        root = self.tempdir(FILES)
        blocker = os.path.join(root, "not-a-dir")
        with open(blocker, "w") as f:
            f.write("x")
        xml = harness.site_config(root, "{port}",
                                  site_extra='<logFile directory="%s/logs" />' % blocker)
        srv = harness.config_server(root, xml)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        self.assertEqual(harness.curl(srv.url("/hello.txt")).status, 200)
        srv.wait_for_log(r"warn .*access log: cannot create directory")
        self.assertEqual(harness.curl(srv.url("/hello.txt")).status, 200)

    def test_access_log_option_overrides_with_several_sites(self):
        root = self.tempdir(FILES)
        os.makedirs(os.path.join(root, "other"))
        with open(os.path.join(root, "other", "o.txt"), "w") as f:
            f.write("o\n")
        other = """<site name="Other" id="7">
        <application path="/"><virtualDirectory path="/" physicalPath="%s/other" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port2}:" /></bindings>
      </site>""" % root
        log = os.path.join(root, "all.log")
        xml = harness.site_config(root, "{port}", sites_extra=other,
                                  site_extra='<logFile directory="ignored" />')
        srv = harness.config_server(root, xml, args=["--access-log", log], nports=2)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        harness.curl(srv.url("/hello.txt"))
        harness.curl(srv.url("/o.txt", port=srv.ports[1]))
        entries = wait_for_lines(log, lambda e: True, count=2)
        self.assertEqual(directives(log)[3], "#Fields: date time s-sitename " +
                         DEFAULT_FIELDS[len("date time "):])
        self.assertEqual(sorted(e[2] for e in entries), ["W3SVC1", "W3SVC7"])
        self.assertFalse(os.path.exists(os.path.join(root, "ignored")))


if __name__ == "__main__":
    unittest.main()
