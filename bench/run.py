#!/usr/bin/env python3
"""Side-by-side HTTP benchmark: httpserv vs nginx vs h2o on this machine.

Each server runs one worker pinned to CPU 0; wrk runs pinned to CPU 1. Every scenario runs in
alternating rounds (A B C A B C ...) after a warm-up, and the medians are reported. Besides req/s
we report the server's CPU share over the run (from /proc/PID/stat) and req/s per server core
(req/s / CPU share): on tiny responses the load generator saturates first, so that is the fair
figure. Output: a Markdown table on stdout and in bench/results/latest.md (+ latest.json).

Scenario idle1k adds idle keep-alive connections (held by bench/idle_conns.py) beside the active
ones; scenario modules (httpserv only) compares the sample IIS modules with the static file
through the same pipeline. bench/README.md describes every scenario.
"""
import argparse
import json
import math
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TICK = os.sysconf("SC_CLK_TCK")
IDLE_HELPER = os.path.join(HERE, "idle_conns.py")
SCENARIOS = ("hello", "pipelined", "4k", "64k", "1m", "idle1k", "modules", "blocking", "logging",
             "compression")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_www(root):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "hello.txt"), "wb") as f:
        f.write(b"Hello, World!")
    for name, size in (("4k.bin", 4096), ("64k.bin", 65536), ("1m.bin", 1 << 20)):
        with open(os.path.join(root, name), "wb") as f:
            f.write(bytes((i * 131 + 7) & 0xFF for i in range(size)))
    # Scenario compression: 64 KiB of HTML that compresses like a real page (a table of varied
    # rows: gzip -6 makes about a tenth of it), not a run of one byte.
    rows = []
    i = 0
    while sum(len(r) for r in rows) < 65536:
        rows.append(f'<tr class="r{i % 7}"><td>{i}</td><td><a href="/item/{i * 7919 % 100003}">'
                    f'item {i * 31 % 997}</a></td><td>{(i * 2654435761) % 1000003 / 100:.2f}'
                    f'</td><td>{["new", "used", "refurbished", "sold"][i % 4]}</td></tr>\n')
        i += 1
    page = ("<!DOCTYPE html><html><head><title>catalog</title></head><body><table>\n"
            + "".join(rows))[:65536 - 24] + "</table></body></html>\n"
    with open(os.path.join(root, "page.html"), "w") as f:
        f.write(page)


def proc_cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total / TICK


def cpu_ticks():
    """(total, idle, steal) ticks of all CPUs, to flag noisy runs. Steal is time the hypervisor
    gave to other guests: on a shared host it starves server and load generator alike, which
    /proc/<pid> accounting cannot see."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    steal = parts[7] if len(parts) > 7 else 0
    return sum(parts), idle, steal


# A run loses more than this share of the two cores to the hypervisor: flagged and repeated.
MAX_STEAL = 0.05


def raise_nofile():
    """Soft descriptor limit up to the hard one: the idle scenario needs over 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    def __init__(self, name, argv, port, worker_pids_fn=None):
        self.name, self.argv, self.port = name, argv, port
        self.proc = None
        self.worker_pids_fn = worker_pids_fn

    def start(self):
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + self.argv,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=raise_nofile)
        if not wait_port(self.port):
            raise RuntimeError(f"{self.name} did not start: {' '.join(self.argv)}")

    def pids(self):
        # The whole process group (nginx and h2o fork workers).
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()] or [self.proc.pid]

    def _sum_proc_field(self, fname, field):
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/{fname}") as f:
                    m = re.search(field + r":\s+(\d+)", f.read())
                    total += int(m.group(1)) if m else 0
            except OSError:
                pass
        return total

    def rss_kb(self):
        return self._sum_proc_field("status", "VmRSS")

    def pss_kb(self):
        # Proportional set size: a page shared by k processes counts 1/k in each, so the sum over
        # the group (a supervisor or master and its worker share their libraries and much of
        # the heap they had before fork) is the memory the server really holds; the RSS sum
        # counts those pages once per process.
        return self._sum_proc_field("smaps_rollup", "Pss")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def run_wrk(port, path, conns, seconds, script=None, headers=()):
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    return parse_wrk(subprocess.run(cmd, capture_output=True, text=True).stdout)


def parse_wrk(out):
    def grab(pattern, conv=float, default=0.0):
        m = re.search(pattern, out)
        return conv(m.group(1)) if m else default
    def lat(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return 0.0
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = grab(r"Non-2xx or 3xx responses: (\d+)", int, 0)
    size = grab(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", str, "0")
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", out)
    mbps = float(m.group(1)) * {"B": 1e-6, "KB": 1e-3, "MB": 1.0, "GB": 1e3}[m.group(2)] if m else 0
    p50, p99 = lat("50"), lat("99")
    if p99 < p50:
        # wrk's percentiles are not trustworthy with its Lua pipelining (it prints p99 as 0.00us
        # there): an impossible order is reported as no figure rather than as a fast one.
        p99 = float("nan")
    return {"rps": grab(r"Requests/sec:\s+([\d.]+)"), "mbps": mbps, "p50_ms": p50,
            "p99_ms": p99, "errors": errors + non2xx, "raw": out}


PIPELINE_LUA = """
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
  req = table.concat(r)
end
request = function() return req end
"""


def start_idle(port, count, path):
    """Starts the idle-connection helper (pinned with wrk) and waits until it holds `count`
    keep-alive connections, each after one request. Returns (process, connections ready)."""
    helper = subprocess.Popen(["taskset", "-c", "1", sys.executable, IDLE_HELPER, "127.0.0.1",
                               str(port), str(count), path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    line = helper.stdout.readline().split()
    ready = int(line[1]) if len(line) == 2 and line[0] == "ready" else 0
    return helper, ready


def stop_idle(helper):
    """Releases the idle connections; returns how many the server still had open."""
    try:
        out, _ = helper.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        helper.kill()
        out, _ = helper.communicate()
    m = re.search(r"^open (\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def measure(server, scen, seconds, warmup):
    helper = None
    if scen.get("idle"):
        # Held through warm-up and run: the active connections' latency is measured while the
        # server also carries the idle ones (and RSS below includes them).
        helper, ready = start_idle(server.port, scen["idle"], scen["path"])
    headers = scen.get("headers", ())
    run_wrk(server.port, scen["path"], scen["conns"], warmup, scen.get("script"), headers)
    pids = server.pids()
    c0 = proc_cpu_seconds(pids)
    tot0, idle0, steal0 = cpu_ticks()
    t0 = time.time()
    r = run_wrk(server.port, scen["path"], scen["conns"], seconds, scen.get("script"), headers)
    wall = time.time() - t0
    cpu = (proc_cpu_seconds(pids) - c0) / wall
    tot1, idle1, steal1 = cpu_ticks()
    busy_share = 1 - (idle1 - idle0) / max(1, tot1 - tot0)  # of both cores
    r["steal"] = (steal1 - steal0) / max(1, tot1 - tot0)
    # With the pipeline script wrk counts every response (it counts the requests in the
    # string the script returns), so no scaling is needed.
    r["cpu"] = cpu
    r["per_core"] = r["rps"] / cpu if cpu > 0 else 0
    r["rss_kb"] = server.rss_kb()
    r["pss_kb"] = server.pss_kb()
    if helper:
        r["idle_ready"] = ready
        r["idle_open"] = stop_idle(helper)
    # Both cores are expected busy (server + wrk); more than that means interference.
    r["noisy"] = (busy_share > 0.98 and cpu < 0.5) or r["steal"] > MAX_STEAL
    return r


def run_wrk_async(port, path, conns, seconds):
    """wrk in the background (pinned like run_wrk); result() parses it when it ends."""
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency",
           "--timeout", "10s", f"http://127.0.0.1:{port}{path}"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def measure_blocking(server, scen, seconds, warmup):
    """Scenario blocking: `scen['conns']` clients on a module that blocks (Sleep), and one client
    on a static file, at the same time on one worker. Returns a result per path."""
    for proc in (run_wrk_async(server.port, scen["path"], scen["conns"], warmup),
                 run_wrk_async(server.port, scen["static"], 1, warmup)):
        proc.communicate()
    pids = server.pids()
    c0 = proc_cpu_seconds(pids)
    t0 = time.time()
    procs = [run_wrk_async(server.port, scen["path"], scen["conns"], seconds),
             run_wrk_async(server.port, scen["static"], 1, seconds)]
    outs = [p.communicate()[0] for p in procs]
    wall = time.time() - t0
    cpu = (proc_cpu_seconds(pids) - c0) / wall
    results = []
    for out in outs:
        r = parse_wrk(out)
        r.update(cpu=cpu, per_core=r["rps"] / cpu if cpu > 0 else 0, rss_kb=server.rss_kb(),
                 pss_kb=server.pss_kb(), steal=0.0, noisy=False)
        results.append(r)
    return results


def check_modules(port):
    """The embedded default must serve the sample IIS module at /hello (modules built)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello", timeout=5) as resp:
            body = resp.read()
    except OSError as e:
        body = str(e).encode()
    if body != b"Hello, World!":
        raise RuntimeError("httpserv's embedded default does not serve the sample module at /hello "
                           f"(got {body[:80]!r}); are the modules built next to the binary?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--httpserv", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--retries", type=int, default=2,
                    help="repeats of a run flagged noisy (the cleaner attempt is kept)")
    ap.add_argument("--scenarios",
                    default="hello,pipelined,64k,1m,idle1k,modules,logging,compression",
                    help="comma-separated, from: " + ", ".join(SCENARIOS))
    ap.add_argument("--idle", type=int, default=1000,
                    help="idle keep-alive connections held in scenario idle1k (default 1000)")
    ap.add_argument("--stream-chunks", type=int, default=16,
                    help="writes per /stream response in scenario modules (default 16)")
    ap.add_argument("--stream-size", type=int, default=1024,
                    help="bytes per /stream write in scenario modules (default 1024)")
    ap.add_argument("--baseline", default=None,
                    help="another httpserv binary (e.g. main before a change), run side by side "
                         "as httpserv-base with the same arguments: an A/B of the same scenarios")
    ap.add_argument("--httpserv-args", default="",
                    help="extra arguments for --httpserv only (e.g. '--status-listen "
                         "127.0.0.1:0', which the baseline may not know)")
    ap.add_argument("--common-args", default="",
                    help="extra arguments for --httpserv and --baseline (e.g. '--module "
                         "HelloModule=build-release/modules/hello.so' for the IIS path)")
    ap.add_argument("--results", default="latest",
                    help="name of the report in bench/results/ (NAME.md, NAME.json)")
    ap.add_argument("--only-httpserv", action="store_true",
                    help="leave nginx and h2o out (with --baseline: a pure A/B)")
    args = ap.parse_args()
    keys = args.scenarios.split(",")
    for k in keys:
        if k not in SCENARIOS:
            ap.error(f"unknown scenario {k!r} (known: {', '.join(SCENARIOS)})")

    work = tempfile.mkdtemp(prefix="httpserv-bench-")
    www = os.path.join(work, "www")
    make_www(www)
    servers = []
    p = free_port()
    common = shlex.split(args.common_args)
    servers.append(Server("httpserv", [os.path.abspath(args.httpserv), "--root", www, "--listen",
                                       f"127.0.0.1:{p}", "--workers", "1", "--log-level", "warn"]
                          + common + shlex.split(args.httpserv_args), p))
    if args.baseline:
        p = free_port()
        servers.append(Server("httpserv-base", [os.path.abspath(args.baseline), "--root", www,
                                                "--listen", f"127.0.0.1:{p}", "--workers", "1",
                                                "--log-level", "warn"] + common, p))
    if shutil.which("nginx") and not args.only_httpserv:
        p = free_port()
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            user = "user root;" if os.geteuid() == 0 else ""  # workers must read our temp dir
            # keepalive_timeout as httpserv's default (120 s), so idle connections stay.
            f.write(f"""{user} worker_processes 1; daemon off; pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{ access_log off; sendfile on; keepalive_requests 100000000; keepalive_timeout 120s;
  open_file_cache max=1024 inactive=60s; open_file_cache_valid 1s;
  include /etc/nginx/mime.types;
  server {{ listen 127.0.0.1:{p}; root {www}; }} }}
""")
        servers.append(Server("nginx", ["nginx", "-c", conf, "-e", f"{work}/nginx-error.log"], p))
    if shutil.which("h2o") and not args.only_httpserv:
        p = free_port()
        conf = os.path.join(work, "h2o.conf")
        with open(conf, "w") as f:
            # As root h2o would switch to "nobody", who cannot read our private temp dir.
            # h2o's defaults would refuse the idle scenario: max-connections 1024, and idle
            # keep-alive connections closed after 10 s (http1-request-timeout); both raised to
            # what httpserv and nginx allow here.
            f.write(f"""user: {os.environ.get("USER") or "root"}
num-threads: 1
max-connections: 4096
http1-request-timeout: 120
pid-file: {work}/h2o.pid
error-log: {work}/h2o-error.log
listen: {{host: 127.0.0.1, port: {p}}}
hosts:
  default:
    paths:
      /:
        file.dir: {www}
""")
        servers.append(Server("h2o", ["h2o", "-c", conf], p))
    # Scenario "modules": httpserv's embedded default (examples/site, whose hello.txt is the same
    # 13 bytes, plus the sample modules and the header filter on every response), so the static
    # file and the modules go through the same IIS pipeline in the same process.
    # Scenario logging: the same server as "httpserv" with --access-log (IIS's default W3C
    # fields, buffered per thread, flushed by its own thread).
    logged = None
    if "logging" in keys:
        p = free_port()
        logged = Server("httpserv-log", [os.path.abspath(args.httpserv), "--root", www, "--listen",
                                         f"127.0.0.1:{p}", "--workers", "1", "--log-level", "warn",
                                         "--access-log", os.path.join(work, "access.log")], p)
    iis = None
    if "modules" in keys or "blocking" in keys or "compression" in keys:
        p = free_port()
        iis = Server("httpserv-iis", [os.path.abspath(args.httpserv), "--listen", f"127.0.0.1:{p}",
                                      "--workers", "1", "--log-level", "warn"], p)

    pipeline = os.path.join(work, "pipeline.lua")
    with open(pipeline, "w") as f:
        f.write(PIPELINE_LUA)
    stream = f"/stream?chunks={args.stream_chunks}&size={args.stream_size}"
    all_scenarios = {
        "hello": {"title": "hello.txt, c64", "path": "/hello.txt", "conns": 64},
        "pipelined": {"title": "hello.txt, c64, pipelined x16", "path": "/hello.txt", "conns": 64,
                      "script": pipeline},
        "4k": {"title": "4 KiB, c64", "path": "/4k.bin", "conns": 64},
        "64k": {"title": "64 KiB, c64", "path": "/64k.bin", "conns": 64},
        "1m": {"title": "1 MiB, c64", "path": "/1m.bin", "conns": 64},
        "idle1k": {"title": f"hello.txt, c64 + {args.idle} idle", "path": "/hello.txt",
                   "conns": 64, "idle": args.idle},
        "modules": {"conns": 64, "variants": [
            ("static", "IIS: static hello.txt, c64", "/hello.txt"),
            ("hello", "IIS: module /hello, c64", "/hello"),
            ("stream", f"IIS: module {stream}, c64", stream)]},
        # 32 clients on a module that blocks 200 ms in Sleep, one client on a static file, at
        # once, on one worker with default settings: the static client's latency and the
        # blocked requests' rate (ARCHITECTURE.md, "Threading model").
        # The access log's cost: the same file with the log off and on (two servers).
        "logging": {"conns": 64, "variants": [
            ("off", "hello.txt, c64, access log off", "/hello.txt", "httpserv"),
            ("on", "hello.txt, c64, --access-log", "/hello.txt", "httpserv-log")]},
        # Compression's cost: a 64 KiB HTML page as identity, gzip and br (static: the compressed
        # copy is made once and then sent from disk), and a module's output compressed while it
        # streams (dynamic: every response compressed anew).
        "compression": {"conns": 64, "variants": [
            ("identity", "64 KiB HTML, identity", "/page.html", "httpserv",
             ["Accept-Encoding: identity"]),
            ("gzip", "64 KiB HTML, gzip (static)", "/page.html", "httpserv",
             ["Accept-Encoding: gzip"]),
            ("br", "64 KiB HTML, br (static)", "/page.html", "httpserv", ["Accept-Encoding: br"]),
            ("d-identity", f"IIS: module {stream}, identity", stream, "httpserv-iis",
             ["Accept-Encoding: identity"]),
            ("d-gzip", f"IIS: module {stream}, gzip (dynamic)", stream, "httpserv-iis",
             ["Accept-Encoding: gzip"]),
            ("d-br", f"IIS: module {stream}, br (dynamic)", stream, "httpserv-iis",
             ["Accept-Encoding: br"])]},
        "blocking": {"conns": 32, "path": "/sleep?ms=200", "static": "/hello.txt",
                     "together": [("blocked", "IIS: module /sleep?ms=200, c32 (with 1 static)"),
                                  ("beside", "IIS: static hello.txt, c1 (with 32 blocking)")]},
    }
    scenarios = [(k, all_scenarios[k]) for k in keys]

    def runs_for(scen):
        """(result id, row title, server column, server, scenario) of every run in one round."""
        if "variants" in scen:
            # (id, title, path[, server name[, request headers]]); the embedded default by default.
            by_name = {s.name: s for s in servers + [x for x in (logged, iis) if x]}
            runs = []
            for v in scen["variants"]:
                server = by_name[v[3]] if len(v) > 3 else iis
                headers = v[4] if len(v) > 4 else ()
                runs.append((v[0], v[1], server.name, server,
                             dict(scen, path=v[2], headers=headers)))
            return runs
        if "together" in scen:
            return [(rid, title, "httpserv", iis, scen) for rid, title in scen["together"]]
        return [(s.name, scen["title"], s.name, s, scen) for s in servers]

    results = {}
    try:
        for s in servers + [x for x in (logged, iis) if x]:
            s.start()
        if iis:
            check_modules(iis.port)
        for key, scen in scenarios:
            for rnd in range(args.rounds):
                if "together" in scen:
                    both = measure_blocking(iis, scen, args.seconds, args.warmup)
                    for (rid, _), r in zip(scen["together"], both):
                        results.setdefault(key, {}).setdefault(rid, []).append(r)
                        print(f"  {key:10s} {rid:9s} round {rnd}: {r['rps']:>10.0f} req/s "
                              f"p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms errors "
                              f"{r['errors']}", file=sys.stderr)
                    continue
                for rid, _, _, server, sc in runs_for(scen):
                    r = measure(server, sc, args.seconds, args.warmup)
                    for _ in range(args.retries):
                        if not r["noisy"]:
                            break
                        print(f"  {key} {rid} round {rnd}: noisy (steal {r['steal']:.0%}), "
                              "repeating", file=sys.stderr)
                        again = measure(server, sc, args.seconds, args.warmup)
                        # Keep the cleaner of the two (a clean run first, then less steal), so a
                        # persistently noisy host still ends.
                        if (again["noisy"], again["steal"]) <= (r["noisy"], r["steal"]):
                            r = again
                    results.setdefault(key, {}).setdefault(rid, []).append(r)
                    extra = (f" idle {r['idle_ready']}/{r['idle_open']}" if "idle_open" in r
                             else "")
                    print(f"  {key:10s} {rid:9s} round {rnd}: {r['rps']:>10.0f} req/s "
                          f"cpu {r['cpu']:.2f} per-core {r['per_core']:>10.0f} "
                          f"p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms steal {r['steal']:.0%}"
                          f"{' NOISY' if r['noisy'] else ''}{extra}",
                          file=sys.stderr)
    finally:
        for s in servers + [x for x in (logged, iis) if x]:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)  # also when a server failed to start

    def ms(v):
        return "n/a" if math.isnan(v) else f"{v:.2f}"

    def med(key, rid, field):
        values = [r[field] for r in results[key][rid] if not math.isnan(r[field])]
        return statistics.median(values) if values else float("nan")

    names = [s.name for s in servers]
    allsteal = [r["steal"] for by_rid in results.values() for runs in by_rid.values()
                for r in runs] or [0.0]
    lines = [f"# httpserv benchmark — {time.strftime('%Y-%m-%d %H:%M')}",
             "",
             f"Machine: {os.cpu_count()} cores; servers pinned to CPU 0 (one worker each), wrk "
             f"(-t1) to CPU 1; {args.rounds} alternating rounds of {args.seconds} s after "
             f"{args.warmup} s warm-up; medians.",
             "",
             f"CPU time stolen by the hypervisor during the kept runs: median "
             f"{statistics.median(allsteal):.1%}, worst {max(allsteal):.1%}; runs still over "
             f"{MAX_STEAL:.0%} after {args.retries} repeats: {sum(s > MAX_STEAL for s in allsteal)}"
             f" of {len(allsteal)}.",
             "",
             "| scenario | server | req/s | MB/s | p50 ms | p99 ms | errors | server CPU | "
             "req/s per core | RSS MB | PSS MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, scen in scenarios:
        for rid, title, sname, _, _ in runs_for(scen):
            lines.append(f"| {title} | {sname} | {med(key, rid, 'rps'):.0f} | "
                         f"{med(key, rid, 'mbps'):.1f} | {med(key, rid, 'p50_ms'):.2f} | "
                         f"{ms(med(key, rid, 'p99_ms'))} | {med(key, rid, 'errors'):.0f} | "
                         f"{med(key, rid, 'cpu'):.2f} | {med(key, rid, 'per_core'):.0f} | "
                         f"{med(key, rid, 'rss_kb') / 1024:.1f} | "
                         f"{med(key, rid, 'pss_kb') / 1024:.1f} |")
    compared = [(k, sc) for k, sc in scenarios if "variants" not in sc and "together" not in sc]
    if len(names) > 1 and compared:
        lines += ["", "Ratios (httpserv / other; >1 means httpserv is ahead):", "",
                  "| scenario | vs | req/s | req/s per core | MB/s |", "|---|---|---:|---:|---:|"]
        for key, scen in compared:
            for n in names[1:]:
                def ratio(field):
                    b = med(key, n, field)
                    return med(key, "httpserv", field) / b if b else float("nan")
                lines.append(f"| {scen['title']} | {n} | {ratio('rps'):.2f} | "
                             f"{ratio('per_core'):.2f} | {ratio('mbps'):.2f} |")
    if "idle1k" in results:
        lines += ["", f"Idle connections in \"{all_scenarios['idle1k']['title']}\" (median of "
                  "the runs): set up with a 2xx response / still open when the run ended.", ""]
        lines.append("; ".join(f"{n} {med('idle1k', n, 'idle_ready'):.0f}/"
                               f"{med('idle1k', n, 'idle_open'):.0f}" for n in names) + ".")
    if "modules" in results:
        lines += ["", "IIS module paths relative to the static file through the same pipeline "
                  "(httpserv embedded default; >1 means faster than static):", "",
                  "| path | req/s | req/s per core | p99 latency (static / path) |",
                  "|---|---:|---:|---:|"]
        for vid, title, *_ in all_scenarios["modules"]["variants"][1:]:
            def rel(field, invert=False):
                a, b = med("modules", vid, field), med("modules", "static", field)
                if invert:
                    a, b = b, a
                return a / b if b else float("nan")
            lines.append(f"| {title} | {rel('rps'):.2f} | {rel('per_core'):.2f} | "
                         f"{rel('p99_ms', invert=True):.2f} |")
    if "logging" in results:
        on, off = med("logging", "on", "per_core"), med("logging", "off", "per_core")
        lines += ["", "Access log (hello.txt, c64): req/s per core with the log on / off = "
                  f"{on / off:.3f} (cost {(1 - on / off) * 100:.1f} % per core; req/s "
                  f"{med('logging', 'on', 'rps') / med('logging', 'off', 'rps'):.3f})."]
    if "compression" in results:
        lines += ["", "Compression relative to identity (>1 means more than identity):", "",
                  "| path | req/s | req/s per core | MB/s on the wire |", "|---|---:|---:|---:|"]
        for vid, title, *_ in all_scenarios["compression"]["variants"]:
            base = "identity" if not vid.startswith("d-") else "d-identity"
            if vid == base:
                continue
            def rel(field):
                b = med("compression", base, field)
                return med("compression", vid, field) / b if b else float("nan")
            lines.append(f"| {title} | {rel('rps'):.2f} | {rel('per_core'):.2f} | "
                         f"{rel('mbps'):.2f} |")
    table = "\n".join(lines) + "\n"
    print(table)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", args.results + ".md"), "w") as f:
        f.write(table)
    with open(os.path.join(HERE, "results", args.results + ".json"), "w") as f:
        json.dump({k: {n: [{x: (None if isinstance(y, float) and math.isnan(y) else y)
                      for x, y in r.items() if x != "raw"} for r in v]
                       for n, v in d.items()} for k, d in results.items()}, f, indent=1)


if __name__ == "__main__":
    main()
