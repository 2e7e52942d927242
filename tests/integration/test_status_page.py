"""The live status page (/status) in a real headless browser: Debian's chromium, driven by
playwright-core (tests/browser, installed by scripts/deps.sh). The page must fill in its numbers,
show requests sent after it loaded without being reloaded, and run without a JavaScript error.
The screenshot is kept in the build tree ($HTTPSERV_ARTIFACT_DIR/status-page.png)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(os.path.dirname(HERE), "browser")
TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
ARTIFACTS = os.environ.get("HTTPSERV_ARTIFACT_DIR") or tempfile.gettempdir()
STATUS_RE = r"status on http://127\.0\.0\.1:(\d+)/status"
REQUESTS = 25


class StatusPage(harness.ServerTestCase):
    def test_numbers_change_live_in_chromium(self):
        node = shutil.which("node") or shutil.which("nodejs")
        self.assertIsNotNone(node, "node not installed (scripts/deps.sh installs nodejs)")
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        self.assertTrue(os.access(chromium, os.X_OK), f"{chromium} missing (scripts/deps.sh)")
        self.assertTrue(os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")),
                        "playwright-core missing: scripts/deps.sh runs npm ci in tests/browser")
        module = os.path.join(TEST_MODULE_DIR, "bodyload.so")
        srv = self.start_server(args=["--module", f"M={module}", "--status-listen",
                                      "127.0.0.1:0"], workers=2)
        sport = int(srv.wait_for_log(STATUS_RE, timeout=10).group(1))
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "status-page.png")
        if os.path.exists(shot):
            os.unlink(shot)
        p = subprocess.run(
            [node, os.path.join(BROWSER_DIR, "status_page.mjs"),
             f"http://127.0.0.1:{sport}/status",
             f"http://127.0.0.1:{srv.port}/frag?op=remove&name=x", str(REQUESTS), shot],
            cwd=BROWSER_DIR, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=150)
        self.assertEqual(p.returncode, 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        seen = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"\nstatus page: {seen['before']} -> {seen['after']} requests, "
              f"rate {seen['rate']}/s; screenshot {shot}")
        self.assertEqual(seen["title"], "httpserv status")
        self.assertEqual(seen["errors"], [])
        self.assertEqual(seen["navigations"], 1, "the page reloaded instead of updating itself")
        self.assertGreaterEqual(seen["after"], seen["before"] + REQUESTS)
        self.assertRegex(seen["state_after"], r"^updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
        self.assertNotEqual(seen["bytes_out"], "0 B")
        self.assertEqual([w[0] for w in seen["workers"]], ["0", "1"])
        for w in seen["workers"]:
            self.assertRegex(w[2], r"^\d+\.\d\d ms$")
        self.assertIn(["Default Web Site", "200", str(seen["after"])], seen["sites"])
        with open(shot, "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 10_000)


if __name__ == "__main__":
    unittest.main()
