"""Black-box test harness for the httpserv integration suite.

Stdlib only.  Provides:

* ``Server``       -- start/stop an httpserv process on an ephemeral port and
                      collect its stderr in a background thread.
* ``Conn``         -- a raw-socket client with a read buffer that can parse
                      HTTP/1.x responses (Content-Length / chunked / close
                      delimited), read until close, and detect closes.
* ``make_tree``    -- create a temporary docroot with given files.
* ``ServerTestCase`` -- unittest base class that cleans up servers and temp
                      dirs and prints the server log when a test fails.

The binary is taken from $HTTPSERV_BIN (set by CTest); when unset, the
default build location ``build/src/server/httpserv`` is used.
"""

import atexit
import email.utils
import hashlib
import os
import re
import shutil
import signal as _signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_BIN = os.path.join(REPO, "build", "src", "server", "httpserv")

LISTEN_RE = re.compile(r"listening on http://(?:127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):(\d+)")
TLS_LISTEN_RE = re.compile(
    r"listening on https://(?:127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):(\d+)")
H2C_LISTEN_RE = re.compile(
    r"listening on h2c://(?:127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):(\d+)")
IMF_FIXDATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} GMT$")


def server_bin():
    """Path of the httpserv binary; skips the test when it is unavailable."""
    path = os.environ.get("HTTPSERV_BIN")
    if path:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise AssertionError("HTTPSERV_BIN=%r is not an executable file" % path)
        return path
    if os.path.isfile(DEFAULT_BIN) and os.access(DEFAULT_BIN, os.X_OK):
        return DEFAULT_BIN
    raise unittest.SkipTest(
        "httpserv binary not found: set HTTPSERV_BIN or build to %s" % DEFAULT_BIN)


def curl_bin():
    path = shutil.which("curl")
    if not path:
        raise unittest.SkipTest("curl command-line client not installed")
    return path


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


def parse_http_date(value):
    return email.utils.parsedate_to_datetime(value).timestamp()


# ---------------------------------------------------------------------------
# Process management
# ---------------------------------------------------------------------------

class ServerStartError(AssertionError):
    pass


# Sanitizer builds (make test-asan / test-tsan): a report in the server's stderr fails the test
# that closes the server, even when the process survived it (or died after the last request), and
# close() stops the server with SIGTERM first so that LeakSanitizer gets to run at exit.
SANITIZER_REPORT_RE = re.compile(
    r"(ERROR|WARNING): (Address|Leak|Thread|UndefinedBehavior)Sanitizer|"
    r"SUMMARY: \w+Sanitizer| runtime error: ")
SANITIZED = any(os.environ.get(v) for v in ("ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"))


_LIVE_SERVERS = set()


@atexit.register
def _kill_leftover_servers():
    for srv in list(_LIVE_SERVERS):
        srv.close()


class Server:
    """An httpserv child process.

    Starts ``[HTTPSERV_BIN, --root ROOT, --listen 127.0.0.1:0, --workers N,
    *args]`` and waits until every listener has logged
    ``listening on http://127.0.0.1:PORT``.
    """

    def __init__(self, root, args=(), workers=1, listen=None,
                 start_timeout=10.0, start=True, wait_log=True, cwd=None):
        """wait_log=False: do not wait for the 'listening on' log lines (e.g.
        with --log-level error); ``listen`` must then give explicit ports and
        readiness is detected by polling connect()."""
        self.root = root
        self.wait_log = wait_log
        self.cwd = cwd  # the server's working directory (None: the test's)
        self.listen = list(listen) if listen else ["127.0.0.1:0"]
        cmd = [server_bin(), "--root", root]
        for addr in self.listen:
            cmd += ["--listen", addr]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        cmd += [str(a) for a in args]
        self.cmd = cmd
        self.proc = None
        self.ports = []
        self.port = None
        self._lines = []          # stderr lines
        self._out_lines = []      # stdout lines
        self._cond = threading.Condition()
        self._threads = []
        self._stderr_eof = False
        if start:
            self.start(start_timeout)

    # -- lifecycle ---------------------------------------------------------
    def start(self, timeout=10.0):
        if self.proc is not None and self.proc.poll() is None:
            # A second process would replace self.proc and outlive the test (nothing stops it).
            raise AssertionError("Server.start(): already running (pid %d); construct it with "
                                 "start=False to start it later" % self.proc.pid)
        self.proc = subprocess.Popen(
            self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, cwd=self.cwd)
        _LIVE_SERVERS.add(self)
        for stream, sink, is_err in ((self.proc.stderr, self._lines, True),
                                     (self.proc.stdout, self._out_lines, False)):
            t = threading.Thread(target=self._drain, args=(stream, sink, is_err),
                                 daemon=True)
            t.start()
            self._threads.append(t)
        if not self.wait_log:
            return self._start_by_polling(timeout)
        want = len(self.listen)
        deadline = time.monotonic() + timeout
        failure = None
        with self._cond:
            while True:
                ports = self._ports_locked()
                if len(ports) >= want:
                    break
                if self.proc.poll() is not None or self._stderr_eof:
                    # give the drain threads a moment to collect the tail
                    tail_deadline = time.monotonic() + 2.0
                    while not self._stderr_eof and time.monotonic() < tail_deadline:
                        self._cond.wait(0.05)
                    ports = self._ports_locked()
                    if len(ports) >= want:
                        break
                    failure = "exited with %r before listening" % self.proc.poll()
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    failure = "did not log 'listening on' within %.1fs" % timeout
                    break
                self._cond.wait(min(remaining, 0.1))
        if failure:
            self._fail_start(failure)
        self.ports = ports[:want]
        self.port = self.ports[0]
        return self

    def _start_by_polling(self, timeout):
        self.ports = [int(a.rsplit(":", 1)[1]) for a in self.listen]
        self.port = self.ports[0]
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                if self.proc.poll() is not None:
                    self._fail_start("exited with %r before listening"
                                     % self.proc.poll())
                try:
                    socket.create_connection(("127.0.0.1", port), 0.5).close()
                    break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    self._fail_start("port %d not accepting within %.1fs"
                                     % (port, timeout))
                time.sleep(0.02)
        return self

    def tls_ports(self, count=1, timeout=5.0):
        """Ports of the HTTPS listeners (--listen-tls), in order, once logged."""
        return self._logged_ports(TLS_LISTEN_RE, count, timeout)

    def h2c_ports(self, count=1, timeout=5.0):
        """Ports of the HTTP/2-only cleartext listeners (--listen-h2c), once logged."""
        return self._logged_ports(H2C_LISTEN_RE, count, timeout)

    def _logged_ports(self, regex, count, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                ports = [int(m.group(1)) for m in map(regex.search, self._lines) if m]
                if len(ports) >= count or time.monotonic() > deadline:
                    return ports
                self._cond.wait(0.05)

    def _ports_locked(self):
        ports = []
        for line in self._lines:
            m = LISTEN_RE.search(line)
            if m:
                ports.append(int(m.group(1)))
        return ports

    def _fail_start(self, why):
        self.close()
        raise ServerStartError(
            "httpserv %s\ncommand: %s\n--- stderr ---\n%s--- stdout ---\n%s"
            % (why, " ".join(self.cmd), "".join(self._lines),
               "".join(self._out_lines)))

    def _drain(self, stream, sink, is_err):
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace")
                with self._cond:
                    sink.append(line)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                if is_err:
                    self._stderr_eof = True
                self._cond.notify_all()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def wait(self, timeout):
        """Wait for exit; returns the exit code or None on timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=_signal.SIGTERM, timeout=15.0):
        """Send ``sig`` and wait for the exit; returns the exit code.

        Raises AssertionError (after SIGKILLing the process) when the server
        does not exit within ``timeout`` seconds.
        """
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(
                "httpserv did not exit within %.1fs after signal %s\n%s"
                % (timeout, _signal.Signals(sig).name, self.log_tail()))
        self._join()
        return code

    def close(self):
        """Kill the process if still running (SIGKILL; in sanitizer runs SIGTERM first) and
        reap it; raises AssertionError if its stderr holds a sanitizer report."""
        if self.proc is None:
            return
        if SANITIZED and self.proc.poll() is None:
            try:
                self.proc.send_signal(_signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        # The supervisor's worker process shares the session (start_new_session) and the
        # stderr pipe: kill whatever is left of the group, or the pipe never reaches EOF.
        try:
            os.killpg(self.proc.pid, _signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._join()

    def _join(self):
        _LIVE_SERVERS.discard(self)
        for t in self._threads:
            t.join(2)
        for s in (self.proc.stdout, self.proc.stderr):
            try:
                s.close()
            except Exception:
                pass
        self._check_sanitizer()

    def _check_sanitizer(self):
        if getattr(self, "_sanitizer_checked", False):
            return
        self._sanitizer_checked = True
        text = self.log_text()
        m = SANITIZER_REPORT_RE.search(text)
        if m:
            start = text.rfind("\n", 0, max(0, m.start() - 200)) + 1
            raise AssertionError(
                "sanitizer report in httpserv stderr (exit %r)\ncommand: %s\n%s"
                % (self.proc.poll(), " ".join(self.cmd), text[start:start + 12000]))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- helpers -----------------------------------------------------------
    def serving_pid(self):
        """The pid of the process that serves requests: the supervisor's worker process (its
        one child), or the server itself with --no-supervisor. Its /proc entries are the ones
        that tell memory and descriptors."""
        pid = self.proc.pid
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            return pid
        return kids[0] if len(kids) == 1 else pid

    def url(self, path="/", port=None):
        return "http://127.0.0.1:%d%s" % (port or self.port, path)

    def log_lines(self):
        with self._cond:
            return list(self._lines)

    def log_text(self):
        with self._cond:
            return "".join(self._lines)

    def stdout_text(self):
        with self._cond:
            return "".join(self._out_lines)

    def log_tail(self, n=40):
        lines = self.log_lines()
        return "--- httpserv stderr (last %d lines) ---\n%s" % (
            n, "".join(lines[-n:]))

    def wait_for_log(self, pattern, timeout=5.0, count=1):
        """Wait until ``count`` stderr lines match ``pattern``; returns the last match. Raises
        AssertionError (with the log's tail) when they do not appear within ``timeout``."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in (rx.search(line) for line in self._lines) if m]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stderr_eof:
                    break
                self._cond.wait(min(remaining, 0.1))
        raise AssertionError("%d log line(s) matching %r expected, %d seen\n%s"
                             % (count, pattern, len(found), self.log_tail()))

    def connect(self, **kw):
        return Conn(self.port, **kw)


def free_port():
    """An ephemeral port that was free a moment ago (only for the rare case
    where the server cannot report its port, e.g. --log-level error)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n):
    """n distinct free ports: all sockets stay bound until every port is chosen, so the kernel
    cannot hand the same port out twice (two bindings on one port are a config error)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def run_cli(args, timeout=10.0, cwd=None, env=None):
    """Run httpserv with ``args`` to completion; returns CompletedProcess."""
    p = subprocess.run([server_bin()] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, cwd=cwd, env=env, text=True, errors="replace")
    if SANITIZER_REPORT_RE.search(p.stderr):
        raise AssertionError("sanitizer report in httpserv stderr (exit %r)\nargs: %s\n%s"
                             % (p.returncode, " ".join(map(str, args)), p.stderr[:12000]))
    return p


# ---------------------------------------------------------------------------
# Configuration files and curl (the built-in modules' suites)

SITE_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="{site}" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="{root}" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:{port}:" /></bindings>
        {site_extra}
      </site>
      {sites_extra}
    </sites>
    {apphost_extra}
  </system.applicationHost>
  <system.webServer>
{web_server}
  </system.webServer>
{extra}
</configuration>
"""


def site_config(root, port, web_server="", extra="", site="Site", site_extra="",
                sites_extra="", apphost_extra=""):
    """One site serving ``root`` on 127.0.0.1:``port``, with ``web_server`` inside the top-level
    <system.webServer> and ``extra`` (e.g. <location>s) after it."""
    return SITE_CONFIG.format(root=root, port=port, web_server=web_server, extra=extra, site=site,
                              site_extra=site_extra, sites_extra=sites_extra,
                              apphost_extra=apphost_extra)


def config_server(directory, xml, args=(), workers=1, nports=1, start=True):
    """Writes ``xml`` (``{port}``, ``{port2}`` filled with free ports) to
    ``directory``/applicationHost.config and starts httpserv --config on it."""
    ports = free_ports(nports)
    names = {"port": ports[0]}
    if nports > 1:
        names["port2"] = ports[1]
    path = os.path.join(directory, "applicationHost.config")
    with open(path, "w") as f:
        f.write(xml.replace("{port}", str(ports[0])).replace(
            "{port2}", str(ports[1]) if nports > 1 else "{port2}"))
    srv = Server(directory, start=False, listen=["127.0.0.1:%d" % p for p in ports])
    srv.cmd = [server_bin(), "--workers", str(workers), "--config", path] + [str(a) for a in args]
    if start:
        srv.start()
    return srv


class CurlResponse:
    def __init__(self, status, headers, body, raw_headers):
        self.status = status
        self.headers = headers  # lower-case name -> last value
        self.all_headers = raw_headers  # [(name, value)] of the final response
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __repr__(self):
        return "<curl %d %r body[%d]=%r>" % (self.status, self.all_headers, len(self.body),
                                            self.body[:120])


def curl(url, *args, timeout=20):
    """Runs curl on ``url`` (extra ``args``: -H, -X, --compressed...); the final response's
    status, headers and body as received (not decoded unless --compressed is given)."""
    with tempfile.TemporaryDirectory(prefix="httpserv-curl-") as d:
        hfile = os.path.join(d, "h")
        bfile = os.path.join(d, "b")
        p = subprocess.run([curl_bin(), "-sS", "--max-time", str(timeout), "-D", hfile,
                            "-o", bfile] + [str(a) for a in args] + [url],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout + 10)
        if p.returncode != 0:
            raise AssertionError("curl %s failed (%d): %s" % (url, p.returncode,
                                                              p.stderr.decode(errors="replace")))
        with open(hfile, "rb") as f:
            head = f.read().decode("latin-1")
        body = b""
        if os.path.exists(bfile):  # curl creates no file for an empty body
            with open(bfile, "rb") as f:
                body = f.read()
    blocks = [b for b in head.split("\r\n\r\n") if b.strip()]
    lines = blocks[-1].split("\r\n")
    status = int(lines[0].split()[1])
    headers, raw = {}, []
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            raw.append((k.strip(), v.strip()))
            headers[k.strip().lower()] = v.strip()
    return CurlResponse(status, headers, body, raw)


# ---------------------------------------------------------------------------
# Raw HTTP client
# ---------------------------------------------------------------------------

class ConnectionClosed(AssertionError):
    """The peer closed the connection before a complete message arrived."""

    def __init__(self, msg, data=b""):
        super().__init__(msg)
        self.data = data


class ReadTimeout(AssertionError):
    def __init__(self, msg, data=b""):
        super().__init__(msg)
        self.data = data


class Response:
    def __init__(self, version, status, reason, headers, body, raw_head,
                 interim=()):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers        # list of (name, value)
        self.body = body
        self.raw_head = raw_head
        self.interim = list(interim)  # 1xx responses skipped before this one

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def has_header(self, name):
        return self.header(name) is not None

    def tokens(self, name):
        out = []
        for v in self.header_all(name):
            out += [t.strip().lower() for t in v.split(",") if t.strip()]
        return out

    def has_token(self, name, token):
        return token.lower() in self.tokens(name)

    def __repr__(self):
        return "<Response %s %d %r headers=%r body[%d]=%r>" % (
            self.version, self.status, self.reason, self.headers,
            len(self.body), self.body[:80])


def _to_bytes(data):
    if isinstance(data, str):
        return data.encode("latin-1")
    return bytes(data)


class Conn:
    """A raw TCP connection with an input buffer and HTTP response parsing."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0, rcvbuf=None,
                 sndbuf=None):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if sndbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect((host, port))
        except Exception:
            self.sock.close()
            raise
        self.buf = bytearray()
        self.eof = False
        self.reset = False

    # -- context manager ---------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def abort(self):
        """Close with SO_LINGER 0, i.e. send a TCP RST."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    # -- I/O ---------------------------------------------------------------
    def send(self, data, tolerate_reset=False):
        """sendall; with tolerate_reset, a peer that closes/resets while we are
        still sending is not an error (returns False instead)."""
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(_to_bytes(data))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            if not tolerate_reset:
                raise
            return False
        return True

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def _fill(self, deadline, size=65536):
        """Receive more bytes into the buffer.  Returns False on EOF/reset.

        Raises ReadTimeout when the deadline passes without data.
        """
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReadTimeout("timed out waiting for data", bytes(self.buf))
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(size)
        except socket.timeout:
            raise ReadTimeout("timed out waiting for data", bytes(self.buf))
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            self.eof = True
            self.reset = True
            return False
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _take(self, n):
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_until(self, delim, deadline, limit=1 << 20):
        while True:
            idx = self.buf.find(delim)
            if idx >= 0:
                return self._take(idx + len(delim))
            if len(self.buf) > limit:
                raise AssertionError("no %r within %d bytes" % (delim, limit))
            if not self._fill(deadline):
                raise ConnectionClosed(
                    "connection closed while waiting for %r (got %r)"
                    % (delim, bytes(self.buf[:200])), bytes(self.buf))

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline, max(65536, min(n - len(self.buf), 1 << 22))):
                raise ConnectionClosed(
                    "connection closed after %d of %d body bytes"
                    % (len(self.buf), n), bytes(self.buf))
        return self._take(n)

    def read_some(self, n, timeout=None):
        """Return up to n bytes (buffered first); b'' on EOF."""
        if not self.buf:
            self._fill(self._deadline(timeout), n)
        return self._take(n)

    def read_until_close(self, timeout=None):
        """Read everything until the peer closes; returns the bytes.

        Raises ReadTimeout (with .data) if the peer does not close in time.
        """
        deadline = self._deadline(timeout)
        while self._fill(deadline, 1 << 20):
            pass
        return self._take(len(self.buf))

    def wait_closed(self, timeout=None):
        """Returns (closed, data): whether the peer closed within timeout and
        every byte received meanwhile."""
        try:
            return True, self.read_until_close(timeout)
        except ReadTimeout as e:
            self._take(len(self.buf))
            return False, e.data

    def is_closed(self, timeout=0.5):
        """True if the peer has closed (EOF or RST) within ``timeout`` and sent
        no further bytes meanwhile.  Bytes that do arrive are left in buf."""
        if self.buf:
            return False
        try:
            self._fill(self._deadline(timeout))
        except ReadTimeout:
            return False
        return self.eof and not self.buf

    # -- HTTP --------------------------------------------------------------
    def request(self, method, target, headers=None, body=b"", version="HTTP/1.1",
                host="localhost", timeout=None, head=None):
        """Send one request and read its response."""
        self.send(build_request(method, target, headers, body, version, host))
        return self.read_response(head=(method == "HEAD") if head is None else head,
                                  timeout=timeout)

    def read_response(self, head=False, timeout=None, skip_interim=True):
        """Read one complete response.

        head=True: the response is to a HEAD request (no body).
        skip_interim: 1xx responses are collected in .interim and skipped.
        """
        deadline = self._deadline(timeout)
        interim = []
        while True:
            raw_head = self.read_until(b"\r\n\r\n", deadline)
            lines = raw_head[:-4].split(b"\r\n")
            m = re.match(rb"^(HTTP/\d\.\d) (\d{3})(?: (.*))?$", lines[0])
            if not m:
                raise AssertionError("bad status line %r" % lines[0])
            version = m.group(1).decode()
            status = int(m.group(2))
            reason = (m.group(3) or b"").decode("latin-1")
            headers = []
            for line in lines[1:]:
                if b":" not in line:
                    raise AssertionError("bad header line %r in %r" % (line, raw_head))
                k, v = line.split(b":", 1)
                if k != k.strip() or not k:
                    raise AssertionError("bad header name %r" % k)
                headers.append((k.decode("latin-1"), v.strip(b" \t").decode("latin-1")))
            if 100 <= status < 200 and skip_interim:
                interim.append(Response(version, status, reason, headers, b"",
                                        raw_head))
                continue
            break
        resp = Response(version, status, reason, headers, b"", raw_head, interim)
        if head or 100 <= status < 200 or status in (204, 304):
            return resp
        te = resp.tokens("transfer-encoding")
        if te:
            if te[-1] != "chunked":
                raise AssertionError("unsupported response transfer-encoding %r" % te)
            resp.body = self._read_chunked(deadline)
        elif resp.has_header("content-length"):
            cls = resp.header_all("content-length")
            if len(set(cls)) != 1 or not cls[0].isdigit():
                raise AssertionError("bad response Content-Length %r" % cls)
            resp.body = self.read_exact(int(cls[0]), deadline)
        else:
            resp.body = self.read_until_close(deadline - time.monotonic())
        return resp

    def _read_chunked(self, deadline):
        body = bytearray()
        while True:
            line = self.read_until(b"\r\n", deadline)
            size_s = line[:-2].split(b";", 1)[0].strip()
            size = int(size_s, 16)
            if size == 0:
                while True:  # trailers
                    t = self.read_until(b"\r\n", deadline)
                    if t == b"\r\n":
                        return bytes(body)
            body += self.read_exact(size, deadline)
            if self.read_exact(2, deadline) != b"\r\n":
                raise AssertionError("chunk not terminated by CRLF")


def build_request(method, target, headers=None, body=b"", version="HTTP/1.1",
                  host="localhost"):
    """Build request bytes.  ``headers`` is a list of (name, value) pairs or a
    dict; a Host header is added for HTTP/1.1 unless host is None or headers
    already contain one."""
    hdrs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    if host is not None and not any(k.lower() == "host" for k, _ in hdrs):
        hdrs.insert(0, ("Host", host))
    body = _to_bytes(body)
    out = "%s %s %s\r\n" % (method, target, version)
    for k, v in hdrs:
        out += "%s: %s\r\n" % (k, v)
    out += "\r\n"
    return out.encode("latin-1") + body


def parse_responses(data, head_flags=None):
    """Parse a byte string holding several complete responses (e.g. the
    output of read_until_close).  Returns (responses, leftover_bytes)."""
    c = _BufferConn(data)
    out = []
    i = 0
    while c.buf:
        head = bool(head_flags[i]) if head_flags and i < len(head_flags) else False
        try:
            out.append(c.read_response(head=head, timeout=0.1))
        except (ConnectionClosed, ReadTimeout):
            break
        i += 1
    return out, bytes(c.buf)


class _BufferConn(Conn):
    def __init__(self, data):  # pylint: disable=super-init-not-called
        self.timeout = 0.1
        self.buf = bytearray(data)
        self.eof = True
        self.reset = False
        self.sock = None

    def close(self):
        pass


def parse_multipart_byteranges(body, boundary):
    """Parse a multipart/byteranges body.  Returns a list of
    (headers_dict_lowercase, data)."""
    delim = b"--" + boundary.encode("latin-1")
    parts = []
    pos = body.find(delim)
    if pos < 0:
        raise AssertionError("boundary %r not found in body" % boundary)
    pos += len(delim)
    while True:
        if body[pos:pos + 2] == b"--":
            return parts
        if body[pos:pos + 2] != b"\r\n":
            raise AssertionError("boundary not followed by CRLF at %d" % pos)
        pos += 2
        hend = body.find(b"\r\n\r\n", pos)
        if hend < 0:
            raise AssertionError("unterminated part headers")
        hdrs = {}
        for line in body[pos:hend].split(b"\r\n"):
            if not line:
                continue
            k, v = line.split(b":", 1)
            hdrs[k.decode().strip().lower()] = v.decode().strip()
        pos = hend + 4
        m = re.match(r"^bytes (\d+)-(\d+)/(\d+)$", hdrs.get("content-range", ""))
        if not m:
            raise AssertionError("part without valid Content-Range: %r" % hdrs)
        n = int(m.group(2)) - int(m.group(1)) + 1
        data = body[pos:pos + n]
        pos += n
        if body[pos:pos + 2] != b"\r\n":
            raise AssertionError("part data not followed by CRLF")
        pos += 2
        if body[pos:pos + len(delim)] != delim:
            raise AssertionError("part not followed by boundary")
        pos += len(delim)
        parts.append((hdrs, data))


def connect_refused_or_reset(port, timeout=1.0):
    """Try one request on a new connection.  Returns True when the server
    refused/reset/closed it without answering, False when it answered, and
    None when it neither answered nor closed within ``timeout``."""
    try:
        c = Conn(port, timeout=timeout)
    except (ConnectionRefusedError, ConnectionResetError, socket.timeout, OSError):
        return True
    with c:
        try:
            c.send(build_request("GET", "/", [("Connection", "close")]))
        except OSError:
            return True
        try:
            data = c.read_until_close(timeout)
        except ReadTimeout:
            return None
        return not data.startswith(b"HTTP/")


# ---------------------------------------------------------------------------
# File system helpers
# ---------------------------------------------------------------------------

def make_tree(base, files):
    """Create files under ``base``.  ``files`` maps relative paths to bytes
    or str contents; a value of None creates a directory."""
    for rel, content in files.items():
        path = os.path.join(base, rel)
        if content is None:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
    return base


def make_docroot(files, parent=None):
    """Create a new temp dir holding ``files`` (see make_tree); returns its
    path.  The caller removes it (shutil.rmtree)."""
    base = tempfile.mkdtemp(prefix="httpserv-it-", dir=parent)
    return make_tree(base, files)


def make_sparse_file(path, size):
    with open(path, "wb") as f:
        f.truncate(size)


# ---------------------------------------------------------------------------
# unittest glue
# ---------------------------------------------------------------------------

class ServerTestCase(unittest.TestCase):
    """Base class: servers/tempdirs created through it are always cleaned up,
    and their stderr is printed when a test fails."""

    class_server = None

    def run(self, result=None):
        self._servers = []
        before = None
        if result is not None:
            before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            servers = list(self._servers)
            if type(self).class_server is not None:
                servers.append(type(self).class_server)
            for s in servers:
                sys.stderr.write("\n[%s] %s\n%s\n" % (self.id(), " ".join(s.cmd),
                                                      s.log_tail(60)))
        return out

    def start_server(self, root=None, args=(), **kw):
        if root is None:
            root = self.tempdir({"hello.txt": "hello world\n"})
        srv = Server(root, args=args, **kw)
        self._servers.append(srv)
        self.addCleanup(srv.close)
        return srv

    def tempdir(self, files=None):
        path = make_docroot(files or {})
        self.addCleanup(shutil.rmtree, path, True)
        return path

    def connect(self, srv=None, **kw):
        srv = srv or self.class_server
        c = Conn(srv.port, **kw)
        self.addCleanup(c.close)
        return c

    def assertAlive(self, srv=None):
        srv = srv or self.class_server
        self.assertTrue(srv.alive(), "server process died (exit %r)\n%s"
                        % (srv.proc.poll(), srv.log_tail()))

    def assertServes(self, srv=None, path="/hello.txt", body=None, timeout=5.0):
        """A fresh client gets a 200 for ``path`` within ``timeout``."""
        srv = srv or self.class_server
        self.assertAlive(srv)
        with Conn(srv.port, timeout=timeout) as c:
            r = c.request("GET", path, [("Connection", "close")], timeout=timeout)
        self.assertEqual(r.status, 200, r)
        if body is not None:
            self.assertEqual(r.body, body)
        return r


class ConfigSiteTestCase(ServerTestCase):
    """One server per class on a generated applicationHost.config: FILES in a fresh document
    root (prepare_root() may change it), WEB in the site's <system.webServer>, LOCATIONS after
    the site. get() fetches a path with curl."""

    FILES = {}
    WEB = ""
    LOCATIONS = ""

    @classmethod
    def prepare_root(cls, root):
        pass

    @classmethod
    def setUpClass(cls):
        cls.root = make_docroot(cls.FILES)
        cls.prepare_root(cls.root)
        cls.class_server = config_server(
            cls.root, site_config(cls.root, "{port}", cls.WEB, cls.LOCATIONS))

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        shutil.rmtree(cls.root, True)

    def get(self, path, *args):
        return curl(self.class_server.url(path), *args)
