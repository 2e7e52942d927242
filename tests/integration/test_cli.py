"""Command line interface, startup logging and signal handling."""

import os
import signal
import time
import unittest

from harness import (Conn, ServerTestCase, connect_refused_or_reset, free_port,
                     run_cli, server_bin)


class HelpAndCheck(ServerTestCase):
    def setUp(self):
        server_bin()  # skip early when the binary is missing
        self.root = self.tempdir({"hello.txt": "hello\n"})

    def test_help_long(self):
        p = run_cli(["--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--root", p.stdout)
        self.assertIn("--listen", p.stdout)

    def test_help_short(self):
        p = run_cli(["-h"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--root", p.stdout)

    def test_check_ok(self):
        p = run_cli(["-t", "--root", self.root, "--listen", "127.0.0.1:0"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK", p.stdout + p.stderr)

    def test_check_ok_all_options(self):
        p = run_cli(["-t", "--root", self.root, "--listen", "127.0.0.1:0",
                     "--listen", "127.0.0.1:0", "--workers", "2",
                     "--max-body-size", "1000", "--header-timeout", "0.5",
                     "--keepalive-timeout", "1.5", "--body-timeout", "2",
                     "--send-timeout", "3", "--shutdown-timeout", "0.25",
                     "--log-level", "debug"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK", p.stdout + p.stderr)

    def test_check_missing_root(self):
        missing = os.path.join(self.root, "does-not-exist")
        p = run_cli(["-t", "--root", missing, "--listen", "127.0.0.1:0"])
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertNotIn("configuration OK", p.stdout + p.stderr)
        self.assertTrue(p.stderr.strip(), "no error message on stderr")
        self.assertTrue("does-not-exist" in p.stderr or "root" in p.stderr.lower(),
                        "stderr does not name the problem: %r" % p.stderr)

    def test_check_root_is_a_file(self):
        f = os.path.join(self.root, "hello.txt")
        p = run_cli(["-t", "--root", f, "--listen", "127.0.0.1:0"])
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertTrue(p.stderr.strip(), "no error message on stderr")

    def test_check_bad_listen(self):
        p = run_cli(["-t", "--root", self.root, "--listen", "nonsense"])
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertTrue("nonsense" in p.stderr or "listen" in p.stderr.lower(),
                        "stderr does not name the problem: %r" % p.stderr)

    def test_check_bad_listen_port(self):
        for bad in ("127.0.0.1:99999", "127.0.0.1:abc"):
            with self.subTest(listen=bad):
                p = run_cli(["-t", "--root", self.root, "--listen", bad])
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertTrue(p.stderr.strip())

    def test_unknown_option(self):
        p = run_cli(["--root", self.root, "--no-such-option"])
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("no-such-option", p.stderr)

    def test_bad_root_without_check_fails(self):
        missing = os.path.join(self.root, "nope")
        p = run_cli(["--root", missing, "--listen", "127.0.0.1:0"], timeout=10)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stderr.strip())


TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
MODULE_DIR = os.environ.get("HTTPSERV_MODULE_DIR", "")


class ModuleOptions(ServerTestCase):
    """--module images: checked by -t, relative paths taken from the current directory, and no
    "listening on" line from a server whose module does not load."""

    def setUp(self):
        server_bin()
        self.root = self.tempdir({"hello.txt": "hello\n"})
        self.hello = os.path.join(MODULE_DIR, "hello.so")
        self.noexport = os.path.join(TEST_MODULE_DIR, "rm_noexport.so")
        for path in (self.hello, self.noexport):
            self.assertTrue(os.path.exists(path), path)

    def check(self, *modules, cwd=None, env=None):
        args = ["-t", "--root", self.root, "--listen", "127.0.0.1:0"]
        for m in modules:
            args += ["--module", m]
        return run_cli(args, cwd=cwd, env=env)

    def test_check_loads_modules(self):
        p = self.check("Hello=" + self.hello)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK", p.stdout)

    def test_check_missing_image_exits_2(self):
        missing = os.path.join(self.root, "no-such-module.so")
        p = self.check("Hello=" + self.hello, "Gone=" + missing)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertNotIn("configuration OK", p.stdout)
        self.assertIn("Gone", p.stderr)
        self.assertIn(missing, p.stderr)
        self.assertIn("cannot load", p.stderr)

    def test_check_image_without_register_module_exits_2(self):
        p = self.check("NoExport=" + self.noexport)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertNotIn("configuration OK", p.stdout)
        self.assertIn("NoExport", p.stderr)
        self.assertIn("no RegisterModule export", p.stderr)

    def test_relative_image_is_relative_to_the_current_directory(self):
        for image in ("hello.so", "./hello.so", "../%s/hello.so" % os.path.basename(MODULE_DIR)):
            with self.subTest(image=image):
                p = self.check("Hello=" + image, cwd=MODULE_DIR)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_bare_name_is_not_looked_up_in_the_library_path(self):
        # hello.so is on LD_LIBRARY_PATH but not in the current directory: not found.
        env = dict(os.environ, LD_LIBRARY_PATH=MODULE_DIR)
        p = self.check("Hello=hello.so", cwd=self.root, env=env)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(os.path.join(os.path.realpath(self.root), "hello.so"),
                      p.stderr.replace(self.root, os.path.realpath(self.root)))

    def test_relative_image_serves(self):
        srv = self.start_server(args=["--module", "Hello=hello.so"], cwd=MODULE_DIR)
        self.assertServes(srv, "/hello", b"Hello, World!")

    def test_no_listening_line_when_a_module_fails_to_load(self):
        missing = os.path.join(self.root, "no-such-module.so")
        for extra in ([], ["--no-supervisor"]):
            with self.subTest(extra=extra):
                p = run_cli(["--root", self.root, "--listen", "127.0.0.1:0",
                             "--module", "Gone=" + missing] + extra)
                self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertIn(missing, p.stderr)
                self.assertNotIn("listening on", p.stderr)

    def test_listening_is_logged_after_the_modules_load(self):
        srv = self.start_server(args=["--module", "Hello=" + self.hello])
        lines = srv.log_lines()
        loaded = [i for i, line in enumerate(lines) if "loaded module Hello" in line]
        listening = [i for i, line in enumerate(lines) if "listening on" in line]
        self.assertTrue(loaded and listening, srv.log_tail())
        self.assertLess(loaded[0], listening[0], srv.log_tail())


class Startup(ServerTestCase):
    def test_port_zero_logs_real_port_and_serves(self):
        srv = self.start_server()
        self.assertGreater(srv.port, 0)
        r = self.assertServes(srv, "/hello.txt", b"hello world\n")
        self.assertEqual(r.status, 200)
        for line in srv.log_lines():
            self.assertNotIn("\r", line.rstrip("\n"), "log line contains CR")

    def test_two_listeners_both_answer(self):
        srv = self.start_server(listen=["127.0.0.1:0", "127.0.0.1:0"])
        self.assertEqual(len(srv.ports), 2)
        self.assertNotEqual(srv.ports[0], srv.ports[1])
        for port in srv.ports:
            with Conn(port) as c:
                r = c.request("GET", "/hello.txt")
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, b"hello world\n")

    def test_multiple_workers(self):
        srv = self.start_server(workers=2)
        conns = [self.connect(srv) for _ in range(8)]
        for c in conns:
            c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        for c in conns:
            r = c.read_response()
            self.assertEqual((r.status, r.body), (200, b"hello world\n"))
        self.assertEqual(srv.stop(signal.SIGTERM, 15), 0)

    def test_log_levels_accepted(self):
        for level in ("info", "debug"):
            with self.subTest(level=level):
                srv = self.start_server(args=["--log-level", level])
                self.assertServes(srv)
                self.assertEqual(srv.stop(signal.SIGTERM, 15), 0)

    def test_quiet_log_levels_accepted(self):
        # at error/warn the "listening on" info line may be suppressed, so
        # use an explicit (just freed) port and poll for readiness
        for level in ("error", "warn"):
            with self.subTest(level=level):
                srv = self.start_server(args=["--log-level", level], wait_log=False,
                                        listen=["127.0.0.1:%d" % free_port()])
                self.assertServes(srv)
                self.assertEqual(srv.stop(signal.SIGTERM, 15), 0)
                self.assertNotRegex(srv.log_text(), r"(?m)\binfo\b.*listening on",
                                    "info lines logged at --log-level %s" % level)

    def test_decimal_timeouts_accepted(self):
        srv = self.start_server(args=["--header-timeout", "0.5",
                                      "--keepalive-timeout", "1.5",
                                      "--body-timeout", "0.75",
                                      "--send-timeout", "2.5",
                                      "--shutdown-timeout", "0.5"])
        self.assertServes(srv)


class Signals(ServerTestCase):
    def _stop_idle(self, sig):
        srv = self.start_server()
        self.assertServes(srv)
        t0 = time.monotonic()
        code = srv.stop(sig, 10)
        self.assertEqual(code, 0, srv.log_tail())
        self.assertLess(time.monotonic() - t0, 5.0, "idle server slow to stop")
        self.assertTrue(connect_refused_or_reset(srv.port, 1.0))

    def test_sigterm_exit_0(self):
        self._stop_idle(signal.SIGTERM)

    def test_sigint_exit_0(self):
        self._stop_idle(signal.SIGINT)

    def test_sigterm_with_idle_keepalive_connection(self):
        srv = self.start_server()
        c = self.connect(srv)
        r = c.request("GET", "/hello.txt")
        self.assertEqual(r.status, 200)
        t0 = time.monotonic()
        code = srv.stop(signal.SIGTERM, 10)
        self.assertEqual(code, 0, srv.log_tail())
        self.assertLess(time.monotonic() - t0, 5.0,
                        "idle keep-alive connection delayed shutdown")
        self.assertTrue(c.is_closed(2.0), "idle keep-alive connection not closed")

    def test_sigquit_exits_immediately(self):
        srv = self.start_server()
        self.assertServes(srv)
        c = self.connect(srv)
        self.assertEqual(c.request("GET", "/hello.txt").status, 200)
        t0 = time.monotonic()
        srv.signal(signal.SIGQUIT)
        code = srv.wait(5.0)
        self.assertIsNotNone(code, "server did not exit within 5s of SIGQUIT")
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertTrue(c.is_closed(2.0))


if __name__ == "__main__":
    unittest.main()
