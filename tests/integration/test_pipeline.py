"""The rest of the IIS request pipeline, end to end with the test-only module
tests/modules/pipeline_probe.cc: global notifications (PRE_BEGIN_REQUEST, APPLICATION_START/STOP,
STOP_LISTENING, CONFIGURATION_CHANGE), RQ_MAP_PATH and IHttpContext::MapPath, RQ_READ_ENTITY,
RQ_CUSTOM_NOTIFICATION, and the request timeout for modules that never complete."""
import http.client
import os
import re
import tempfile
import unittest

import harness

PROBE = os.path.join(os.environ.get("HTTPSERV_TEST_MODULE_DIR", ""), "pipeline_probe.so")

ERROR_INSUFFICIENT_BUFFER = "0x8007007A"
ERROR_INVALID_PARAMETER = "0x80070057"
ERROR_ACCESS_DENIED = "0x80070005"
S_OK = "0x00000000"


class PipelineTestCase(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.path.exists(PROBE), PROBE)
        tmp = tempfile.TemporaryDirectory(prefix="httpserv-pipe-")
        self.addCleanup(tmp.cleanup)
        self.root = os.path.realpath(tmp.name)

    def start(self, *extra, modules=("Probe",)):
        args = []
        for name in modules:
            args += ["--module", f"{name}={PROBE}"]
        srv = harness.Server(self.root, args=args + list(extra))
        self.addCleanup(srv.close)
        return srv

    def get(self, srv, path, method="GET", body=None, headers=None, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
        self.addCleanup(c.close)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r, r.read().decode()

    def fields(self, text):
        return dict(kv.split("=", 1) for kv in text.split(" ") if "=" in kv)


class GlobalNotifications(PipelineTestCase):
    def test_application_start_stop_listening_stop_terminate_in_order(self):
        srv = self.start()
        r, _ = self.get(srv, "/x")
        self.assertEqual(r.status, 200)
        self.assertEqual(srv.stop(), 0)
        lines = srv.log_lines()

        def index(pattern):
            for i, line in enumerate(lines):
                if re.search(pattern, line):
                    return i
            self.fail(f"no log line matches {pattern!r}\n{srv.log_tail()}")

        start = index(r"pprobe\[Probe\]: GL_APPLICATION_START app=/LM/W3SVC/1/ROOT path=" +
                      re.escape(self.root) + r"$")
        listening = index(r"listening on http://")
        stop_listening = index(r"pprobe\[Probe\]: GL_STOP_LISTENING graceful=1")
        app_stop = index(r"pprobe\[Probe\]: GL_APPLICATION_STOP app=/LM/W3SVC/1/ROOT")
        terminate = index(r"pprobe\[Probe\]: (factory|global) Terminate")
        # The supervisor announces the bound sockets once its worker process serves: after
        # APPLICATION_START (which runs before the workers accept).
        self.assertLess(start, listening)
        self.assertLess(listening, stop_listening)
        self.assertLess(stop_listening, app_stop)
        self.assertLess(app_stop, terminate)
        # Each exactly once.
        for what in ("GL_APPLICATION_START", "GL_STOP_LISTENING", "GL_APPLICATION_STOP"):
            self.assertEqual(sum(what in line for line in lines), 1, what)

    def test_pre_begin_request_set_url_is_seen_by_the_pipeline(self):
        srv = self.start()
        r, body = self.get(srv, "/rewrite-me")
        self.assertEqual(r.status, 200)
        self.assertEqual(body, "url=/rewritten handled-by=Probe")
        r, body = self.get(srv, "/plain")
        self.assertEqual(body, "url=/plain handled-by=Probe")

    def test_pre_begin_request_handled_ends_request_and_stops_later_global_modules(self):
        # GFirst and GSecond are global-only; both subscribe to GL_PRE_BEGIN_REQUEST and the
        # first returns HANDLED for /global-handled.
        srv = self.start(modules=("GFirst", "GSecond", "Probe"))
        r, body = self.get(srv, "/global-handled")
        self.assertEqual(r.status, 403)
        self.assertEqual(body, "refused by GFirst")
        # Other requests still reach the request pipeline.
        r, body = self.get(srv, "/other")
        self.assertEqual(body, "url=/other handled-by=Probe")
        self.assertEqual(srv.stop(), 0)  # every log line is in once it has exited
        log = srv.log_text()
        self.assertIn("pprobe[GFirst]: PRE_BEGIN_REQUEST /global-handled", log)
        self.assertNotIn("pprobe[GSecond]: PRE_BEGIN_REQUEST", log)

    def test_configuration_change_reaches_global_modules(self):
        srv = self.start()
        r, body = self.get(srv, "/confchange")
        self.assertEqual(body, "notified")
        self.assertIsNotNone(
            srv.wait_for_log(r"pprobe\[Probe\]: GL_CONFIGURATION_CHANGE "
                             r"MACHINE/WEBROOT/APPHOST/probe$"), srv.log_tail())


class MapPath(PipelineTestCase):
    def test_two_call_size_pattern_in_bytes(self):
        srv = self.start()
        r, body = self.get(srv, "/mappath?/a/b.txt")
        f = self.fields(body)
        want = self.root + "/a/b.txt"
        need = str((len(want) + 1) * 4)  # bytes, NUL included, sizeof(WCHAR) == 4
        self.assertEqual(f["size_hr"], ERROR_INSUFFICIENT_BUFFER, body)
        self.assertEqual(f["need"], need, body)
        self.assertEqual(f["small_hr"], ERROR_INSUFFICIENT_BUFFER, body)
        self.assertEqual(f["small_need"], need, body)
        self.assertEqual(f["hr"], S_OK, body)
        self.assertEqual(f["cb"], need, body)
        self.assertEqual(f["path"], want, body)

    def test_request_physical_path_and_map_path_notifications(self):
        srv = self.start()
        r, body = self.get(srv, "/mappath?/x/./y/../z")
        f = self.fields(body)
        self.assertEqual(f["path"], self.root + "/x/z", body)
        self.assertEqual(f["physical"], self.root + "/mappath", body)
        self.assertEqual(f["cch"], str(len(self.root + "/mappath")), body)
        self.assertEqual(f["translated"], self.root + "/mappath", body)
        self.assertEqual(f["path_translated"], self.root + "/mappath", body)
        # RQ_MAP_PATH: the server's own mapping of the request URL (once, after
        # MAP_REQUEST_HANDLER), then each of the three MapPath calls.
        self.assertEqual(f["calls"], "4", body)
        self.assertEqual(
            f["mapped"],
            f"[/mappath->{self.root}/mappath]" + f"[/x/z->{self.root}/x/z]" * 3, body)

    def test_paths_never_escape_the_root(self):
        srv = self.start()
        for url in ("/../etc/passwd", "/a/../../etc", "relative", "/a\\b"):
            r, body = self.get(srv, "/mappath?" + url)
            f = self.fields(body)
            self.assertEqual(f["size_hr"], ERROR_INVALID_PARAMETER, (url, body))
            self.assertEqual(f["hr"], ERROR_INVALID_PARAMETER, (url, body))
            self.assertNotIn("etc", f["path"], (url, body))

    def test_on_map_path_may_move_the_mapping_beneath_the_root_only(self):
        srv = self.start()
        r, body = self.get(srv, "/mappath?/moved/f.txt")
        f = self.fields(body)
        self.assertEqual(f["outside_hr"], ERROR_ACCESS_DENIED, body)
        self.assertEqual(f["inside_hr"], S_OK, body)
        self.assertEqual(f["path"], self.root + "/elsewhere/f.txt", body)


class ReadEntity(PipelineTestCase):
    BODY = "hello read entity, a body longer than the module's 16-byte buffer"

    def test_without_change(self):
        srv = self.start()
        r, body = self.get(srv, "/echo", "POST", self.BODY)
        self.assertEqual(r.status, 200)
        self.assertEqual(body, self.BODY)

    def test_module_modifies_bytes_in_place(self):
        srv = self.start()
        r, body = self.get(srv, "/echo", "POST", self.BODY, {"X-Read-Entity": "upper"})
        self.assertEqual(body, self.BODY.upper())

    def test_module_replaces_with_more_data_than_the_reader_buffer(self):
        srv = self.start()
        r, body = self.get(srv, "/echo", "POST", self.BODY, {"X-Read-Entity": "double"})
        # Bytes that did not fit the reader's buffer are read next and not raised again.
        self.assertEqual(body, "".join(c * 2 for c in self.BODY))

    def test_chunked_body(self):
        srv = self.start()
        with harness.Conn(srv.port, timeout=10) as c:
            c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nX-Read-Entity: upper\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n3\r\nfgh\r\n0\r\n\r\n")
            resp = c.read_response(timeout=10)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, b"ABCDEFGH")


class CustomNotification(PipelineTestCase):
    def test_request_level_subscribers_get_it_synchronously(self):
        srv = self.start()
        r, body = self.get(srv, "/custom")
        f = self.fields(body)
        self.assertEqual(f["custom"], "probe-type", body)
        self.assertEqual(f["hr"], S_OK, body)
        self.assertEqual(f["expected"], "0", body)
        self.assertEqual(f["null"], "0x80070057", body)  # E_INVALIDARG


class ConnectionObjects(PipelineTestCase):
    def test_connection_container_lives_across_keep_alive_requests(self):
        srv = self.start()
        with harness.Conn(srv.port, timeout=10) as c:
            for n in (1, 2, 3):
                resp = c.request("GET", "/conn")
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.body, b"conn-requests=%d connected=1" % n)
        with harness.Conn(srv.port, timeout=10) as c:  # a new connection starts afresh
            resp = c.request("GET", "/conn")
            self.assertEqual(resp.body, b"conn-requests=1 connected=1")
        self.assertIsNotNone(srv.wait_for_log(
            r"pprobe\[Probe\]: connection context cleaned up after 1 request", timeout=10),
            srv.log_tail())
        self.assertEqual(srv.stop(), 0)
        log = srv.log_text()
        # Once per connection, when it closes: NotifyDisconnect, then CleanupStoredContext.
        first = log.find("pprobe[Probe]: NotifyDisconnect after 3 request(s)")
        self.assertGreaterEqual(first, 0, srv.log_tail())
        self.assertGreater(log.find("connection context cleaned up after 3 request(s)"), first)
        self.assertEqual(log.count("NotifyDisconnect after"), 2, srv.log_tail())
        self.assertEqual(log.count("connection context cleaned up after"), 2, srv.log_tail())


class ForeignThreads(PipelineTestCase):
    def test_calls_from_a_module_thread_run_on_the_request_thread(self):
        srv = self.start()
        for _ in range(3):
            r, body = self.get(srv, "/foreign")
            self.assertEqual(r.status, 201)
            self.assertEqual(r.reason, "Made Elsewhere")
            self.assertEqual(r.getheader("X-Foreign"), "yes")
            self.assertEqual(body, "method=GET hv=0x00000000 hs=0x00000000 hh=0x00000000")
        self.assertEqual(srv.stop(), 0)
        self.assertNotIn("foreign thread", srv.log_text())

    def test_call_from_a_thread_the_notification_waits_for_succeeds(self):
        # The notification blocks joining a thread that calls into its own request: the loop is
        # handed to another thread while the notification blocks, so the call gets its turn
        # (under IIS the notification's pool thread blocks and the call runs on the other one).
        srv = self.start()
        r, body = self.get(srv, "/foreign-blocked", timeout=30)
        self.assertEqual(r.status, 200)
        self.assertEqual(body, "hh=0x00000000")
        self.assertEqual(r.getheader("X-Late"), "1")
        r, body = self.get(srv, "/fine")
        self.assertEqual(body, "url=/fine handled-by=Probe")
        self.assertEqual(srv.stop(), 0)
        self.assertNotIn("foreign thread", srv.log_text())


class RequestTimeout(PipelineTestCase):
    def test_pending_forever_gives_500_and_disposes_the_module(self):
        srv = self.start("--request-timeout", "1")
        r, body = self.get(srv, "/never", timeout=30)
        self.assertEqual(r.status, 500)
        # The server is not stuck: the next request on a new connection is served.
        r, body = self.get(srv, "/fine")
        self.assertEqual(body, "url=/fine handled-by=Probe")
        self.assertEqual(srv.stop(), 0)  # every log line is in once it has exited
        log = srv.log_text()
        self.assertRegex(log, r"module Probe did not complete RQ_EXECUTE_REQUEST_HANDLER within "
                              r"1000 ms \(GET /never\): request ended with 500")
        cleaned = log.find("pprobe[Probe]: stored context cleaned up")
        disposed = log.find("pprobe[Probe]: disposed (/never)")
        self.assertGreaterEqual(cleaned, 0, srv.log_tail())
        self.assertGreater(disposed, cleaned, srv.log_tail())

    def test_pending_after_data_was_sent_resets_the_connection(self):
        srv = self.start("--request-timeout", "1")
        data = b""
        with harness.Conn(srv.port, timeout=30) as c:
            c.send(b"GET /never-after-data HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                while True:
                    got = c.sock.recv(65536)
                    if not got:
                        break
                    data += got
            except ConnectionResetError:
                pass
        # The head and the first chunk arrived; the message never ends (no last chunk).
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK\r\n"), data)
        self.assertIn(b"\r\n7\r\npartial\r\n", data)
        self.assertFalse(data.endswith(b"0\r\n\r\n"), data)
        self.assertIsNotNone(
            srv.wait_for_log(r"module Probe did not complete RQ_EXECUTE_REQUEST_HANDLER .*"
                             r"request ended with a connection reset"), srv.log_tail())

    def test_late_completion_is_dropped(self):
        srv = self.start("--request-timeout", "2")
        r, body = self.get(srv, "/late", timeout=30)
        self.assertEqual(r.status, 500)
        self.assertIsNotNone(
            srv.wait_for_log(r"late completion \(0x00000000, 7 bytes\) for a request that timed "
                             r"out in module Probe; dropped", timeout=20), srv.log_tail())
        r, body = self.get(srv, "/fine")
        self.assertEqual(body, "url=/fine handled-by=Probe")
        self.assertEqual(srv.stop(), 0)
        self.assertNotIn("must not happen", srv.log_text())

    def test_bad_value_is_refused(self):
        p = harness.run_cli(["--root", self.root, "--request-timeout", "0", "-t"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--request-timeout: expected seconds > 0, got '0'", p.stderr)


if __name__ == "__main__":
    unittest.main()
