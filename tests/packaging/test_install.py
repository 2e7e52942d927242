"""Packaging (issue 22, item 7): `cmake --install` with DESTDIR and with a prefix, what it
installs, the manual page rendered by man -l, a module built against the installed SDK with
pkg-config and served by the installed binary, and the systemd unit checked by
systemd-analyze. Needs HTTPSERV_BUILD_DIR (the configured, built tree) and runs the real tools."""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import harness  # noqa: E402

BUILD = os.environ.get("HTTPSERV_BUILD_DIR", os.path.join(REPO, "build"))

MODULE_SOURCE = r"""
// Built by the packaging test against the installed SDK only.
#define _WINSOCKAPI_
#include <windows.h>
#include <httpserv.h>
#include <new>

class SdkModule : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    static char body[] = "built against the installed SDK";
    IHttpResponse* r = ctx->GetResponse();
    r->SetHeader("X-Sdk", "installed", 9, TRUE);
    r->SetHeader("Content-Type", "text/plain", 10, TRUE);
    HTTP_DATA_CHUNK c;
    c.DataChunkType = HttpDataChunkFromMemory;
    c.FromMemory.pBuffer = body;
    c.FromMemory.BufferLength = sizeof(body) - 1;
    DWORD sent = 0;
    r->WriteEntityChunks(&c, 1, FALSE, FALSE, &sent);
    return RQ_NOTIFICATION_FINISH_REQUEST;
  }
};

class Factory : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** m, IModuleAllocator*) override {
    *m = new (std::nothrow) SdkModule;
    return *m != NULL ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override { delete this; }
};

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  return info->SetRequestNotifications(new Factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
"""


def run(cmd, env=None, cwd=None, timeout=120):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), p.returncode,
                                                         p.stdout[-4000:], p.stderr[-4000:]))
    return p


def help_flags():
    out = run([os.path.join(BUILD, "src", "server", "httpserv"), "--help"]).stdout
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+|-[a-z])\b", out)))


class DestDir(unittest.TestCase):
    """DESTDIR=$tmp cmake --install build --prefix /usr: everything under $tmp/usr, /etc."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="httpserv-destdir-")
        env = dict(os.environ, DESTDIR=cls.tmp)
        run(["cmake", "--install", BUILD, "--prefix", "/usr"], env=env)
        cls.root = cls.tmp

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def test_layout(self):
        for p in ("/usr/sbin/httpserv", "/usr/share/man/man8/httpserv.8",
                  "/usr/lib/systemd/system/httpserv.service",
                  "/etc/httpserv/applicationHost.config", "/usr/share/httpserv/site/hello.txt",
                  "/usr/include/httpserv/httpserv.h", "/usr/include/httpserv/http.h",
                  "/usr/include/httpserv/compat/windows.h", "/usr/include/httpserv/compat/sal.h",
                  "/usr/lib/pkgconfig/httpserv.pc", "/usr/lib/cmake/httpserv/httpservConfig.cmake",
                  "/usr/lib/cmake/httpserv/HttpservModule.cmake"):
            self.assertTrue(os.path.isfile(self.path(p)), p)
        self.assertTrue(os.path.isdir(self.path("/etc/httpserv/schema")))
        mode = os.stat(self.path("/usr/sbin/httpserv")).st_mode
        self.assertTrue(mode & stat.S_IXUSR)
        # Nothing outside DESTDIR's prefix and /etc.
        top = sorted(os.listdir(self.root))
        self.assertEqual(top, ["etc", "usr"])

    def test_unit(self):
        with open(self.path("/usr/lib/systemd/system/httpserv.service")) as f:
            unit = f.read()
        self.assertIn("\nType=notify\n", unit)
        self.assertIn("\nExecReload=/bin/kill -HUP $MAINPID\n", unit)
        self.assertIn("\nExecStart=/usr/sbin/httpserv --config /etc/httpserv/applicationHost.config\n",
                      unit)
        self.assertIn("Documentation=man:httpserv(8)", unit)
        self.assertNotIn("@", unit)
        with open(self.path("/etc/httpserv/applicationHost.config")) as f:
            cfg = f.read()
        self.assertIn('physicalPath="/usr/share/httpserv/site"', cfg)

    def test_config_is_never_replaced(self):
        cfg = self.path("/etc/httpserv/applicationHost.config")
        with open(cfg, "a") as f:
            f.write("<!-- the operator's edit -->\n")
        run(["cmake", "--install", BUILD, "--prefix", "/usr"], env=dict(os.environ, DESTDIR=self.tmp))
        with open(cfg) as f:
            self.assertIn("the operator's edit", f.read())
        self.assertTrue(os.path.isfile(cfg + ".default"))

    def test_man_page_renders_and_describes_every_flag(self):
        env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
        p = subprocess.run(["man", "--warnings", "-l", self.path("/usr/share/man/man8/httpserv.8")],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.strip(), "", "groff warnings")
        # Hyphens and minus signs as the terminal shows them; no overstriking.
        page = re.sub(r".\x08", "", p.stdout)
        page = page.replace("\u2010", "-").replace("\u2212", "-")
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SIGNALS", "FILES",
                        "EXIT STATUS", "SEE ALSO"):
            self.assertRegex(page, r"(?m)^%s$" % section)
        self.assertIn("httpserv - HTTP server", page)
        flags = help_flags()
        self.assertIn("--access-log", flags)
        self.assertIn("--no-supervisor", flags)
        missing = [f for f in flags if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(f), page)]
        self.assertEqual(missing, [], "flags of httpserv --help the man page does not describe")
        for word in ("SIGHUP", "SIGUSR1", "READY=1", "RELOADING=1", "STOPPING=1"):
            self.assertIn(word, page)


class Prefix(harness.ServerTestCase):
    """cmake --install build --prefix $tmp: the installed tree is used as it is."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="httpserv-prefix-")
        cls.prefix = os.path.join(cls.tmp, "p")
        run(["cmake", "--install", BUILD, "--prefix", cls.prefix])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def test_module_builds_against_the_installed_sdk(self):
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, "lib", "pkgconfig"))
        env.pop("PKG_CONFIG_LIBDIR", None)
        cflags = run(["pkg-config", "--cflags", "httpserv"], env=env).stdout.split()
        ldflags = run(["pkg-config", "--variable=module_ldflags", "httpserv"], env=env).stdout.split()
        inc = os.path.join(self.prefix, "include", "httpserv")
        dirs = [os.path.normpath(f[2:]) for f in cflags if f.startswith("-I")]
        self.assertEqual(dirs, [os.path.join(inc, "compat"), inc])
        # Only the installed headers: nothing of the source tree is on the include path.
        src = os.path.join(self.tmp, "sdk_module.cpp")
        with open(src, "w") as f:
            f.write(MODULE_SOURCE)
        so = os.path.join(self.tmp, "sdk_module.so")
        run(["g++", "-shared", "-O1", "-o", so, src] + cflags + ldflags, cwd=self.tmp)
        exported = run(["nm", "-D", "--defined-only", so]).stdout
        self.assertIn("RegisterModule", exported)
        # Served by the installed binary.
        site = os.path.join(self.prefix, "share", "httpserv", "site")
        srv = harness.Server(site, args=["--module", "Sdk=" + so], start=False)
        srv.cmd[0] = os.path.join(self.prefix, "sbin", "httpserv")
        self._servers.append(srv)
        self.addCleanup(srv.close)
        srv.start()
        r = harness.curl(srv.url("/anything"))
        self.assertEqual((r.status, r.body), (200, b"built against the installed SDK"))
        self.assertEqual(r.header("X-Sdk"), "installed")

    def test_installed_configuration_serves(self):
        binary = os.path.join(self.prefix, "sbin", "httpserv")
        cfg = os.path.join(self.prefix, "etc", "httpserv", "applicationHost.config")
        p = run([binary, "-t", "-c", cfg])
        self.assertIn("configuration OK", p.stdout)
        # (--listen replaces the file's *:8080; --access-log its /var/log/httpserv.)
        log = os.path.join(self.tmp, "access.log")
        srv = harness.Server(self.prefix, start=False)
        srv.cmd = [binary, "-c", cfg, "--listen", "127.0.0.1:0", "--access-log", log]
        self._servers.append(srv)
        self.addCleanup(srv.close)
        srv.start()
        r = harness.curl(srv.url("/hello.txt"))
        self.assertEqual(r.status, 200)
        with open(os.path.join(self.prefix, "share", "httpserv", "site", "hello.txt"), "rb") as f:
            self.assertEqual(r.body, f.read())
        srv.stop()
        with open(log) as f:
            self.assertIn(" /hello.txt ", f.read())

    def test_unit_verifies(self):
        tool = shutil.which("systemd-analyze")
        if tool is None:
            self.skipTest("systemd-analyze is not installed")
        unit = os.path.join(self.prefix, "lib", "systemd", "system", "httpserv.service")
        env = dict(os.environ, MANPATH=os.path.join(self.prefix, "share", "man"))
        p = subprocess.run([tool, "verify", unit], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
