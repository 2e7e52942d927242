#!/usr/bin/env python3
"""HTTP/2 and TLS benchmark: httpserv vs h2o vs nginx on this machine (part of `make bench`).

Scenarios (bench/README.md):
  h2c     h2load, 13-byte file, -c64 -m10, HTTP/2 with prior knowledge over cleartext
  h2tls   the same over TLS (ALPN h2)
  https1m wrk over HTTPS/1.1, the 1 MiB file, 16 connections (one client core)

Each server runs one worker pinned to CPU 0, the client pinned to CPU 1; rounds alternate the
servers (A B C A B C ...) after a warm-up and medians are reported, with req/s per server core
(req/s / the server's CPU share, from /proc) and the ratios of httpserv to the others. A
self-signed certificate is made for the run. Output: a Markdown table on stdout and in
bench/results/h2-latest.md.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as base  # noqa: E402  (bench/run.py: servers, CPU accounting, wrk parsing)


def h2load(url, conns, streams, seconds):
    cmd = ["taskset", "-c", "1", "h2load", "-t1", f"-c{conns}", f"-m{streams}", f"-D{seconds}",
           url]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s, ([\d.]+)(\w+)/s", out)
    ok = re.search(r"(\d+) succeeded, (\d+) failed, (\d+) errored", out)
    rps = float(m.group(1)) if m else 0.0
    errors = int(ok.group(2)) + int(ok.group(3)) if ok else -1
    return {"rps": rps, "errors": errors, "raw": out}


def wrk(url, conns, seconds):
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url]
    return base.parse_wrk(subprocess.run(cmd, capture_output=True, text=True).stdout)


def measure(server, scen, seconds, warmup):
    run = scen["run"]
    run(server, warmup)
    pids = server.pids()
    c0 = base.proc_cpu_seconds(pids)
    t0 = time.time()
    r = run(server, seconds)
    wall = time.time() - t0
    cpu = (base.proc_cpu_seconds(pids) - c0) / wall
    r["cpu"] = cpu
    r["per_core"] = r["rps"] / cpu if cpu > 0 else 0
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--httpserv", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scenarios", default="h2c,h2tls,h2tls1m,https1m")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="httpserv-h2bench-")
    www = os.path.join(work, "www")
    base.make_www(www)
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days",
                    "2", "-subj", "/CN=localhost"], check=True, capture_output=True)
    servers = []
    p, t = base.free_port(), base.free_port()
    s = base.Server("httpserv", [os.path.abspath(args.httpserv), "--root", www, "--listen",
                                 f"127.0.0.1:{p}", "--listen-tls", f"127.0.0.1:{t}",
                                 "--tls-cert", cert, "--tls-key", key, "--workers", "1",
                                 "--log-level", "warn"], p)
    s.tls = t
    servers.append(s)
    p, t = base.free_port(), base.free_port()
    conf = os.path.join(work, "h2o.conf")
    with open(conf, "w") as f:
        f.write(f"""user: {os.environ.get("USER") or "root"}
num-threads: 1
max-connections: 4096
pid-file: {work}/h2o.pid
error-log: {work}/h2o-error.log
hosts:
  default:
    listen: {{host: 127.0.0.1, port: {p}}}
    listen:
      host: 127.0.0.1
      port: {t}
      ssl: {{certificate-file: {cert}, key-file: {key}}}
    paths:
      /:
        file.dir: {www}
""")
    s = base.Server("h2o", ["h2o", "-c", conf], p)
    s.tls = t
    servers.append(s)
    p, t = base.free_port(), base.free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        user = "user root;" if os.geteuid() == 0 else ""
        f.write(f"""{user} worker_processes 1; daemon off; pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{ access_log off; sendfile on; keepalive_requests 100000000;
  http2_max_requests 100000000;
  open_file_cache max=1024 inactive=60s; open_file_cache_valid 1s;
  include /etc/nginx/mime.types;
  server {{ listen 127.0.0.1:{p} http2; root {www}; }}
  server {{ listen 127.0.0.1:{t} ssl http2; ssl_certificate {cert};
           ssl_certificate_key {key}; ssl_protocols TLSv1.2 TLSv1.3; root {www}; }} }}
""")
    s = base.Server("nginx", ["nginx", "-c", conf, "-e", f"{work}/nginx-error.log"], p)
    s.tls = t
    servers.append(s)

    all_scen = {
        "h2c": {"title": "h2c, hello.txt, h2load -c64 -m10",
                "run": lambda srv, sec: h2load(f"http://127.0.0.1:{srv.port}/hello.txt", 64, 10,
                                               sec)},
        "h2tls": {"title": "h2 over TLS, hello.txt, h2load -c64 -m10",
                  "run": lambda srv, sec: h2load(f"https://127.0.0.1:{srv.tls}/hello.txt", 64, 10,
                                                 sec)},
        "h2tls1m": {"title": "h2 over TLS, 1 MiB, h2load -c16 -m1",
                    "run": lambda srv, sec: h2load(f"https://127.0.0.1:{srv.tls}/1m.bin", 16, 1,
                                                   sec)},
        "https1m": {"title": "HTTPS/1.1, 1 MiB, wrk -c16",
                    "run": lambda srv, sec: wrk(f"https://127.0.0.1:{srv.tls}/1m.bin", 16, sec)},
    }
    keys = args.scenarios.split(",")
    results = {}
    try:
        for srv in servers:
            srv.start()
            if not base.wait_port(srv.tls):
                raise RuntimeError(f"{srv.name}: TLS port not open")
        for k in keys:
            for rnd in range(args.rounds):
                for srv in servers:
                    r = measure(srv, all_scen[k], args.seconds, args.warmup)
                    results.setdefault(k, {}).setdefault(srv.name, []).append(r)
                    print(f"  {k:8s} {srv.name:9s} round {rnd}: {r['rps']:>10.0f} req/s "
                          f"cpu {r['cpu']:.2f} errors {r['errors']}", file=sys.stderr)
    finally:
        for srv in servers:
            srv.stop()
    lines = ["| scenario | server | req/s | MB/s | server CPU | req/s per core | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    ratios = ["", "| scenario | httpserv / h2o (per core) | httpserv / nginx (per core) |",
              "|---|---:|---:|"]
    for k in keys:
        med = {}
        for name, rs in results.get(k, {}).items():
            med[name] = {f: statistics.median(r.get(f, 0) for r in rs)
                         for f in ("rps", "cpu", "per_core", "errors", "mbps")}
            m = med[name]
            lines.append(f"| {all_scen[k]['title']} | {name} | {m['rps']:.0f} | "
                         f"{m['mbps']:.0f} | {m['cpu']:.2f} | {m['per_core']:.0f} | "
                         f"{m['errors']:.0f} |")
        hs = med.get("httpserv", {}).get("per_core", 0)
        ratio = lambda other: (f"{hs / med[other]['per_core']:.2f}"
                               if med.get(other, {}).get("per_core") else "—")
        ratios.append(f"| {all_scen[k]['title']} | {ratio('h2o')} | {ratio('nginx')} |")
    load = open("/proc/loadavg").read().split()[:3]
    text = "\n".join(lines + ratios) + f"\n\nLoad average before the summary: {' '.join(load)}\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "h2-latest.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
