"""The status listener (--status-listen, <httpservStatus listen>): /metrics read with the Prometheus
client library's own text parser, counts checked against the requests the test sent; the module
thread pool, its queue, timeouts and crashes (counted across the supervisor's restart);
/status.json; the configuration element; --log-format json read with Python's json module.
The browser test of the /status page is test_status_page.py."""
import http.client
import json
import os
import re
import tempfile
import time
import unittest

import harness

# Debian's python3-prometheus-client (scripts/deps.sh), for Debian's python3 (the one ctest runs).
from prometheus_client.parser import text_string_to_metric_families

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
BODYLOAD = os.path.join(TEST_MODULE_DIR, "bodyload.so")
BLOCKING = os.path.join(TEST_MODULE_DIR, "blocking.so")
PROBE = os.path.join(TEST_MODULE_DIR, "pipeline_probe.so")
STATUS_RE = re.compile(r"status on http://127\.0\.0\.1:(\d+)/status")
SITE = "Default Web Site"


def status_port(srv):
    return int(srv.wait_for_log(STATUS_RE.pattern, timeout=10).group(1))


def get(port, path, host="x", method="GET", timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        c.putheader("Host", host)
        c.endheaders()
        r = c.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        c.close()


def scrape(port):
    """{(sample name, frozenset of labels): value} from /metrics, parsed by prometheus_client."""
    status, headers, body = get(port, "/metrics")
    assert status == 200, (status, body)
    assert headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    out = {}
    families = list(text_string_to_metric_families(body.decode("utf-8")))
    for fam in families:
        assert fam.name.startswith("httpserv_"), fam.name
        assert fam.documentation, f"{fam.name} has no HELP"
        assert fam.type in ("counter", "gauge"), (fam.name, fam.type)
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(metrics, name, **labels):
    return metrics.get((name, frozenset(labels.items())), 0)


def total(metrics, name):
    return sum(v for (n, _), v in metrics.items() if n == name)


def settled(port):
    """A scrape once no request is in flight. A request is counted when its pipeline ends, just
    after its last byte went out, so a client can see its response a moment before that."""
    return wait_until(lambda: (lambda m: m if value(m, "httpserv_requests_in_flight") == 0
                               else None)(scrape(port)), "no request in flight")


def wait_until(fn, what, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class Metrics(harness.ServerTestCase):
    def start(self, *extra, module=BODYLOAD):
        return self.start_server(args=["--module", f"M={module}", "--status-listen", "127.0.0.1:0",
                                       *extra], workers=2)

    def test_counts_match_the_requests_sent(self):
        srv = self.start()
        sport = status_port(srv)
        before = scrape(sport)
        # 200s through the module, the fragment cache's hits and misses, a 400 from the module,
        # and a malformed request that no site answers.
        for path in ("/frag?op=add&name=a&data=xyz", "/frag?op=read&name=a&cb=10",
                     "/frag?op=read&name=a&cb=10", "/frag?op=read&name=nope&cb=10"):
            get(srv.port, path)
        status, _, _ = get(srv.port, "/frag?op=bogus")
        self.assertEqual(status, 400)
        with harness.Conn(srv.port) as c:
            c.send(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
            self.assertEqual(c.read_response().status, 400)
        after = settled(sport)

        def delta(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        # Scrapes are not counted: the deltas are exactly what was sent.
        self.assertEqual(delta("httpserv_requests_total", site=SITE, status="200"), 4)
        self.assertEqual(delta("httpserv_requests_total", site=SITE, status="400"), 1)
        self.assertEqual(delta("httpserv_requests_total", site="", status="400"), 1)
        self.assertEqual(delta("httpserv_connections_accepted_total"), 6)
        self.assertEqual(value(after, "httpserv_requests_in_flight"), 0)
        self.assertEqual(delta("httpserv_fragment_cache_hits_total"), 2)
        self.assertEqual(delta("httpserv_fragment_cache_misses_total"), 1)
        self.assertEqual(value(after, "httpserv_fragment_cache_entries"), 1)
        self.assertEqual(value(after, "httpserv_fragment_cache_bytes"), 3)
        self.assertGreater(delta("httpserv_bytes_received_total"), 6 * len("GET / HTTP/1.1\r\n"))
        self.assertGreater(delta("httpserv_bytes_sent_total"), 6 * len("HTTP/1.1 200 OK\r\n"))
        self.assertEqual(value(after, "httpserv_build_info", version=value_label(after)), 1)
        # One sample per worker, and the fixed families.
        for w in ("0", "1"):
            self.assertIn(("httpserv_event_loop_lag_seconds", frozenset({("worker", w)})), after)
            self.assertIn(("httpserv_connections_active", frozenset({("worker", w)})), after)
            self.assertGreaterEqual(value(after, "httpserv_event_loop_threads", worker=w), 1)
        self.assertEqual(value(after, "httpserv_module_threads_limit"), 256)
        self.assertEqual(value(after, "httpserv_module_queue_limit"), 1000)
        self.assertEqual(value(after, "httpserv_module_crashes_total"), 0)
        self.assertGreater(value(after, "httpserv_process_start_time_seconds"), 1.6e9)

        # The same values as JSON, for the page.
        status, headers, body = get(sport, "/status.json")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json")
        data = json.loads(body)
        samples = data["metrics"]["httpserv_requests_total"]["samples"]
        self.assertIn({"labels": {"site": SITE, "status": "200"}, "value": 4}, samples)
        self.assertEqual(data["metrics"]["httpserv_requests_total"]["type"], "counter")
        alias = json.loads(get(sport, "/status?json")[2])  # the other spelling
        self.assertIn("httpserv_requests_total", alias["metrics"])

    def test_static_files_are_counted_on_the_direct_path(self):
        # No module: a cached static file is answered without the IIS pipeline
        # (server/direct_static.h), and counted all the same.
        srv = self.start_server(args=["--status-listen", "127.0.0.1:0"])
        sport = status_port(srv)
        for _ in range(5):
            self.assertEqual(get(srv.port, "/hello.txt")[2], b"hello world\n")
        status, _, _ = get(srv.port, "/nope.txt")
        self.assertEqual(status, 404)
        m = settled(sport)
        self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="200"), 5)
        self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="404"), 1)
        self.assertGreater(value(m, "httpserv_bytes_sent_total"), 5 * len("hello world\n"))

    def test_status_listener_refuses_what_it_does_not_serve(self):
        srv = self.start()
        sport = status_port(srv)
        self.assertEqual(get(sport, "/server-status")[0], 404)
        status, headers, _ = get(sport, "/metrics", method="POST")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET, HEAD")
        status, headers, body = get(sport, "/status")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn(b"/status.json", body)
        self.assertIn("connect-src 'self'", headers["content-security-policy"])
        # The serving port does not answer /metrics itself: the module gets it.
        self.assertEqual(get(srv.port, "/metrics")[0], 400)

    def test_module_thread_pool_queue_and_its_503s(self):
        # One module thread: a request blocked in the module holds it, the next waits in the
        # queue (length 1), the third gets 503 at once.
        srv = self.start("--max-threads", "1", "--queue-length", "1", module=BLOCKING)
        sport = status_port(srv)
        held = harness.Conn(srv.port, timeout=30)
        self.addCleanup(held.close)
        held.send(b"GET /wait?key=a&ms=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
        wait_until(lambda: value(scrape(sport), "httpserv_module_threads_busy") == 1,
                   "the module thread is busy")
        queued = harness.Conn(srv.port, timeout=30)
        self.addCleanup(queued.close)
        queued.send(b"GET /wait?key=b&ms=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        wait_until(lambda: value(scrape(sport), "httpserv_module_queue_length") == 1,
                   "a request waits for a thread")
        status, _, _ = get(srv.port, "/wait?key=c&ms=1")
        self.assertEqual(status, 503)
        m = scrape(sport)
        self.assertEqual(value(m, "httpserv_module_queue_full_total"), 1)
        self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="503"), 1)
        self.assertEqual(value(m, "httpserv_requests_in_flight"), 2)
        self.assertEqual(value(m, "httpserv_module_threads_limit"), 1)
        self.assertEqual(value(m, "httpserv_module_queue_limit"), 1)
        self.assertGreaterEqual(value(m, "httpserv_module_handoffs_total"), 1)
        self.assertGreaterEqual(value(m, "httpserv_module_threads"), 3)
        # The two held connections; the refused one is closed by the server after its 503.
        wait_until(lambda: total(scrape(sport), "httpserv_connections_active") == 2,
                   "two connections open")
        # Released (the module waits at most 10 s): both end, nothing is left in flight.
        self.assertEqual(held.read_response(timeout=30).body, b"timed out")
        self.assertEqual(queued.read_response(timeout=30).body, b"timed out")
        m = settled(sport)
        self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="200"), 2)
        self.assertEqual(value(m, "httpserv_module_threads_busy"), 0)

    def test_module_timeouts_are_counted(self):
        srv = self.start_server(args=["--module", f"Probe={PROBE}", "--status-listen",
                                      "127.0.0.1:0", "--request-timeout", "1"])
        sport = status_port(srv)
        self.assertEqual(get(srv.port, "/never", timeout=30)[0], 500)
        m = settled(sport)
        self.assertEqual(value(m, "httpserv_module_timeouts_total"), 1)
        self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="500"), 1)

    def test_crashes_are_counted_across_the_restart(self):
        srv = self.start()
        sport = status_port(srv)
        get(srv.port, "/frag?op=add&name=a&data=1")
        self.assertEqual(value(settled(sport), "httpserv_requests_total", site=SITE,
                               status="200"), 1)
        for n in (1, 2):
            with harness.Conn(srv.port, timeout=5) as c:
                c.send(b"GET /segv HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(c.read_until_close(timeout=5), b"")
            srv.wait_for_log(r"died on signal 11", timeout=10, count=n)
            # The supervisor kept the status socket: the new server process answers on it.
            m = wait_until(lambda: (lambda m: m if value(m, "httpserv_module_crashes_total") == n
                                    else None)(scrape(sport)), f"crash {n} counted")
            # The new process starts its own counts (Prometheus sees a counter reset).
            self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="200"), 0)
        self.assertEqual(srv.stop(), 0)

    def test_reload_keeps_the_status_socket(self):
        import signal
        srv = self.start()
        sport = status_port(srv)
        started = value(scrape(sport), "httpserv_process_start_time_seconds")
        get(srv.port, "/frag?op=add&name=a&data=1")
        time.sleep(1.1)  # the start time has a resolution of a second
        srv.signal(signal.SIGHUP)
        srv.wait_for_log(r"reload complete", timeout=20)
        srv.wait_for_log(r"replaced worker process \d+ exited", timeout=20)
        # The old process is gone; the new one answers on the same socket, with a fresh start
        # time and fresh counts.
        for _ in range(5):
            m = scrape(sport)
            self.assertGreater(value(m, "httpserv_process_start_time_seconds"), started)
            self.assertEqual(value(m, "httpserv_requests_total", site=SITE, status="200"), 0)
        self.assertEqual(srv.stop(), 0)

    def test_no_supervisor_binds_the_status_listener_itself(self):
        srv = self.start("--no-supervisor")
        sport = status_port(srv)
        get(srv.port, "/frag?op=add&name=a&data=1")
        self.assertEqual(value(settled(sport), "httpserv_requests_total", site=SITE,
                               status="200"), 1)
        self.assertEqual(srv.stop(), 0)


class TlsAndHttp2(harness.ServerTestCase):
    """Handshakes, resumptions and failures; HTTP/2 connections, streams, resets both ways."""

    def test_tls_and_http2_counters(self):
        import ssl
        import subprocess
        import h2raw
        from test_tls import client_ctx, tls_get
        pki = self.tempdir()
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out",
                        "cert.pem", "-days", "30", "-subj", "/CN=a.test"], cwd=pki, check=True,
                       capture_output=True)
        root = self.tempdir({"hello.txt": "hello world\n", "big.bin": "b" * 200000})
        srv = self.start_server(root, args=[
            "--listen-tls", "127.0.0.1:0", "--tls-cert", os.path.join(pki, "cert.pem"),
            "--tls-key", os.path.join(pki, "key.pem"), "--status-listen", "127.0.0.1:0",
            "--send-timeout", "1"])
        sport = status_port(srv)
        tls_port = srv.tls_ports()[0]
        before = scrape(sport)

        # Two full handshakes and one resumed (TLS 1.3 ticket), one that fails.
        ctx = client_ctx(alpn=["http/1.1"])
        data, first = tls_get(tls_port, ctx=ctx)
        self.assertIn(b"hello world", data)
        _, second = tls_get(tls_port, ctx=ctx, session=first["session"])
        self.assertTrue(second["reused"])
        tls_get(tls_port, ctx=client_ctx(alpn=["http/1.1"]))
        with harness.Conn(tls_port) as c:
            c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # plain text to a TLS port
            c.read_until_close(timeout=10)

        # HTTP/2: one h2c connection with two streams (nghttp), one over TLS (ALPN h2, curl), one the
        # client resets, one the server resets (a window that stays closed, --send-timeout).
        out = subprocess.run(["nghttp", "-n", "-s", f"http://127.0.0.1:{srv.port}/hello.txt",
                              f"http://127.0.0.1:{srv.port}/hello.txt?again"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.count(" 200 "), 2, out.stdout + out.stderr)
        out = subprocess.run([harness.curl_bin(), "-sk", "--http2",
                              f"https://127.0.0.1:{tls_port}/hello.txt"],
                             capture_output=True, timeout=30)
        self.assertEqual(out.stdout, b"hello world\n")
        c = h2raw.H2Conn(srv.port)
        self.addCleanup(c.close)
        c.send(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, 1,
                           h2raw.request_block("/hello.txt", method="POST")))
        c.send(h2raw.frame(h2raw.RST_STREAM, 0, 1, (8).to_bytes(4, "big")))  # CANCEL
        stalled = h2raw.H2Conn(srv.port, initial=h2raw.settings(initial_window_size=0))
        self.addCleanup(stalled.close)
        stalled.send(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS | h2raw.END_STREAM, 1,
                                 h2raw.request_block("/big.bin")))
        frames = stalled.frames_until(
            lambda f: f.type == h2raw.RST_STREAM and f.stream == 1, 15)
        self.assertTrue(any(f.type == h2raw.RST_STREAM for f in frames), frames)

        def delta(m, name):
            return value(m, name) - value(before, name)

        m = wait_until(lambda: (lambda m: m if delta(m, "httpserv_http2_resets_received_total")
                                >= 1 else None)(scrape(sport)), "the client's reset counted")
        self.assertEqual(delta(m, "httpserv_tls_handshakes_total"), 4)  # 3 + curl's
        self.assertEqual(delta(m, "httpserv_tls_resumptions_total"), 1)
        self.assertEqual(delta(m, "httpserv_tls_handshake_failures_total"), 1)
        self.assertEqual(delta(m, "httpserv_http2_connections_total"), 4)
        self.assertEqual(delta(m, "httpserv_http2_streams_total"), 5)
        self.assertEqual(delta(m, "httpserv_http2_resets_received_total"), 1)
        self.assertEqual(delta(m, "httpserv_http2_resets_sent_total"), 1)
        self.assertGreater(delta(m, "httpserv_bytes_sent_total"), 4 * len("hello world\n"))


def value_label(metrics):
    for (name, labels) in metrics:
        if name == "httpserv_build_info":
            return dict(labels)["version"]
    return None


CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Alpha" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="alpha" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port}:alpha.example" />
        </bindings>
      </site>
      <site name="Beta &amp; &quot;Co&quot;" id="2">
        <application path="/"><virtualDirectory path="/" physicalPath="beta" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port}:beta.example" />
        </bindings>
      </site>
    </sites>
    {status}
  </system.applicationHost>
</configuration>
"""


class ConfigAndJsonLog(harness.ServerTestCase):
    def write_config(self, status):
        d = self.tempdir({"alpha/who.txt": "alpha", "beta/who.txt": "beta"})
        port = harness.free_ports(1)[0]
        path = os.path.join(d, "applicationHost.config")
        with open(path, "w") as f:
            f.write(CONFIG.format(port=port, status=status))
        return d, path, port

    def test_config_element_sites_as_labels_and_json_log(self):
        d, path, port = self.write_config('<httpservStatus listen="127.0.0.1:0" />')
        srv = harness.Server(d, start=False, listen=[f"127.0.0.1:{port}"])
        srv.cmd = [harness.server_bin(), "--workers", "1", "--config", path,
                   "--log-format", "json"]
        self.addCleanup(srv.close)
        srv.start()
        sport = status_port(srv)
        self.assertEqual(get(port, "/who.txt", host="alpha.example")[2], b"alpha")
        self.assertEqual(get(port, "/who.txt", host="beta.example")[2], b"beta")
        self.assertEqual(get(port, "/who.txt", host="beta.example")[2], b"beta")
        # No site for this host (the router's 400), and a Host the session refuses itself (not
        # UTF-8): both counted under site "".
        self.assertEqual(get(port, "/who.txt", host="nope.example")[0], 400)
        with harness.Conn(port) as c:
            c.send(b'GET /who.txt HTTP/1.1\r\nHost: x\xff\xfe.example\r\n\r\n')
            self.assertEqual(c.read_response().status, 400)
        m = settled(sport)
        self.assertEqual(value(m, "httpserv_requests_total", site="Alpha", status="200"), 1)
        self.assertEqual(value(m, "httpserv_requests_total", site='Beta & "Co"', status="200"), 2)
        self.assertEqual(value(m, "httpserv_requests_total", site="", status="400"), 2)
        self.assertEqual(srv.stop(), 0)

        # Every stderr line is one JSON object (strict UTF-8), with time, level and message.
        lines = [l for l in srv.log_text().splitlines() if l.strip()]
        self.assertGreater(len(lines), 3)
        objects = []
        for line in lines:
            # The harness decoded stderr with errors="replace": a U+FFFD not written by the
            # server would show as such, but then json.loads below still parses; the server's
            # own replacement is checked in the message.
            obj = json.loads(line)
            self.assertRegex(obj["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(obj["level"], ("notice", "error", "warn", "info", "debug"))
            self.assertIsInstance(obj["message"], str)
            self.assertIsInstance(obj["thread"], str)
            objects.append(obj)
        self.assertTrue(any(o["message"].startswith("status on http://") for o in objects))
        host_line = [o for o in objects if "no site is bound to host" in o["message"]]
        self.assertEqual(len(host_line), 1, lines)
        self.assertIn("host 'nope.example'", host_line[0]["message"])
        self.assertEqual(host_line[0]["thread"], "w0")

    def test_json_log_fields_name_the_module(self):
        srv = self.start_server(args=["--module", f"Probe={PROBE}", "--request-timeout", "1",
                                      "--log-format", "json"])
        self.assertEqual(get(srv.port, "/never", timeout=30)[0], 500)
        self.assertEqual(srv.stop(), 0)
        objects = [json.loads(l) for l in srv.log_text().splitlines() if l.strip()]
        timeout = [o for o in objects if "did not complete" in o["message"]]
        self.assertEqual(len(timeout), 1)
        self.assertEqual(timeout[0]["level"], "error")
        self.assertEqual(timeout[0]["fields"], {"module": "Probe",
                                                "stage": "RQ_EXECUTE_REQUEST_HANDLER",
                                                "method": "GET", "url": "/never"})
        # Lines a module writes through HttpservLogWrite name it in "source".
        self.assertTrue(any(o.get("fields", {}).get("source") for o in objects), objects[:5])

    def test_bad_values_are_clear_errors(self):
        d, path, _ = self.write_config('<httpservStatus listen="nowhere" />')
        p = harness.run_cli(["--config", path, "-t"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("<httpservStatus listen>: 'nowhere' is not ADDR:PORT", p.stderr)
        d, path, _ = self.write_config('<httpservStatus listen="127.0.0.1:0" port="1" />')
        p = harness.run_cli(["--config", path, "-t"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"applicationHost.config:\d+: warning: .*port")
        root = self.tempdir({"a.txt": "a"})
        p = harness.run_cli(["--root", root, "--status-listen", "localhost:80", "-t"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--status-listen: 'localhost:80' is not ADDR:PORT", p.stderr)
        p = harness.run_cli(["--root", root, "--log-format", "xml", "-t"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--log-format: expected text or json, got 'xml'", p.stderr)
        p = harness.run_cli(["--root", root, "--listen", "127.0.0.1:8181", "--status-listen",
                             "127.0.0.1:8181", "-t"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("is also a serving address", p.stderr)
        p = harness.run_cli(["--help"])
        self.assertIn("--status-listen ADDR:PORT", p.stdout)
        self.assertIn("--log-format FORMAT", p.stdout)

    def test_command_line_wins_over_the_element(self):
        d, path, port = self.write_config('<httpservStatus listen="127.0.0.1:1" />')
        sport = harness.free_ports(1)[0]
        srv = harness.Server(d, start=False, listen=[f"127.0.0.1:{port}"])
        srv.cmd = [harness.server_bin(), "--workers", "1", "--config", path,
                   "--status-listen", f"127.0.0.1:{sport}"]
        self.addCleanup(srv.close)
        srv.start()
        self.assertEqual(status_port(srv), sport)
        self.assertEqual(get(sport, "/metrics")[0], 200)


if __name__ == "__main__":
    unittest.main()
