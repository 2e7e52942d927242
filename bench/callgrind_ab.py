#!/usr/bin/env python3
"""Instructions per request, A/B, under valgrind's callgrind: a count that does not depend on the
machine's load (what wrk's req/s does), for changes too small for wrk to see on a shared VM.

    python3 bench/callgrind_ab.py --httpserv B --baseline A [--requests 5000] [--path /hello.txt]
                                  [--args '...'] [--httpserv-args '...']

Each binary serves a temp dir with hello.txt (13 bytes), one worker, no supervisor, under
`valgrind --tool=callgrind --separate-threads=yes`; a client sends N keep-alive requests one after
another on one connection, then the server stops (SIGTERM). The run is made with 0 and N requests,
and the worker thread's instructions (the thread with the most) are compared: (Ir(N) - Ir(0)) / N
is what one request costs it, start-up and shutdown excluded. Other threads (main, the blocking
monitor, the status listener) are reported apart: they run on timers, so their counts depend on
how long the run took."""
import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def drive(port, n, path):
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for _ in range(n):
            s.sendall(req)
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += s.recv(65536)
            head, _, body = buf.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)content-length: *(\d+)", head)
            want = int(m.group(1)) if m else 0
            while len(body) < want:
                body += s.recv(65536)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))


def threads_ir(outdir):
    """{thread number: instructions} from callgrind's per-thread files."""
    out = {}
    for f in glob.glob(os.path.join(outdir, "callgrind.out.*")):
        m = re.search(r"-(\d+)$", f)
        tid = int(m.group(1)) if m else 1
        with open(f) as fh:
            for line in fh:
                if line.startswith("summary:") or line.startswith("totals:"):
                    out[tid] = int(line.split()[1])
                    break
    return out


def run(binary, www, n, path, extra):
    outdir = tempfile.mkdtemp(prefix="httpserv-cg-")
    port = free_port()
    cmd = ["valgrind", "--tool=callgrind", "--separate-threads=yes",
           f"--callgrind-out-file={outdir}/callgrind.out.%p", binary, "--root", www,
           "--listen", f"127.0.0.1:{port}", "--workers", "1", "--no-supervisor",
           "--log-level", "warn"] + extra
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_port(port):
            raise RuntimeError("server did not start: " + " ".join(cmd))
        drive(port, n, path)
        p.send_signal(signal.SIGTERM)
        p.wait(120)
        return threads_ir(outdir)
    finally:
        if p.poll() is None:
            p.kill()
        shutil.rmtree(outdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--httpserv", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--path", default="/hello.txt")
    ap.add_argument("--args", default="", help="extra arguments for both")
    ap.add_argument("--httpserv-args", default="", help="extra arguments for --httpserv only")
    a = ap.parse_args()
    www = tempfile.mkdtemp(prefix="httpserv-cg-www-")
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("Hello, World!")
    results = {}
    try:
        for name, binary, extra in (
                ("baseline", a.baseline, shlex.split(a.args)),
                ("httpserv", a.httpserv, shlex.split(a.args) + shlex.split(a.httpserv_args))):
            zero = run(os.path.abspath(binary), www, 0, a.path, extra)
            full = run(os.path.abspath(binary), www, a.requests, a.path, extra)
            worker = max(full, key=lambda t: full[t] - zero.get(t, 0))
            per = (full[worker] - zero.get(worker, 0)) / a.requests
            others = sum(full.values()) - full[worker]
            results[name] = per
            print(f"{name:9s} worker thread: {per:10.0f} instructions/request "
                  f"(threads {sorted(full)}, others {others:,} Ir in all)", file=sys.stderr)
    finally:
        shutil.rmtree(www, ignore_errors=True)
    b, h = results["baseline"], results["httpserv"]
    print(f"| {a.path}, {a.requests} keep-alive requests | {b:.0f} | {h:.0f} | "
          f"{(h - b):+.0f} ({(h - b) / b:+.2%}) |")


if __name__ == "__main__":
    main()
