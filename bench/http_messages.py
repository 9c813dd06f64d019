#!/usr/bin/env python3
"""Benchmark: GET /whatsapp/messages/:jid (50 items) with 100,000 stored
messages, driven by wrk over loopback, on SQLite and on a MongoDB-wire server
(FerretDB). Prints and writes JSON to bench/results/http_messages.json.

Usage: bench/http_messages.py --wagate build/src/app/wagate [--mongodb URI]
       [--messages 100000] [--duration 10] [--connections 32]
Both wagate and wrk run on this machine and share its cores; the numbers are
for comparing builds on the same machine, not absolute capacity.
"""
import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

API_KEY = "bench-key-0123456789abcdef0123456789"
CHATS = ["15550100%03d@s.whatsapp.net" % i for i in range(100, 110)]
HOT = CHATS[0]


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def seed(wagate, db, n):
    """100k messages: 60% in the hot chat, the rest spread over 9 others."""
    lines = []
    base = 1_700_000_000_000
    for i in range(n):
        jid = HOT if i % 10 < 6 else CHATS[1 + i % 9]
        lines.append(json.dumps({"message": {
            "id": "3EB0%012X" % i, "jid": jid, "sender": jid, "fromMe": i % 3 == 0,
            "type": "text", "content": "benchmark message number %d with some text" % i,
            "timestamp": base + i * 1000, "status": "delivered", "pushName": "Bench"}}))
    t0 = time.monotonic()
    r = subprocess.run([wagate, "import", "--db", db, "-"], input="\n".join(lines) + "\n",
                       text=True, capture_output=True)
    if r.returncode != 0:
        sys.exit("import failed: " + r.stderr)
    return time.monotonic() - t0


def start(wagate, db, data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    env.update({"WAGATE_API_KEY": API_KEY, "WAGATE_LOG_LEVEL": "warn"})
    p = subprocess.Popen([wagate, "--port", "0", "--db", db, "--media-dir", data_dir + "/media",
                          "--log-level", "info"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    port = None
    deadline = time.monotonic() + 30
    for line in p.stdout:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
        if time.monotonic() > deadline:
            break
    if port is None:
        p.kill()
        sys.exit("wagate did not start")
    # Keep draining the log so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p, port


def run_wrk(port, duration, connections, threads=2, timeout_s=2):
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, WAGATE_BENCH_KEY=API_KEY)
    url = f"http://127.0.0.1:{port}/whatsapp/messages/{HOT}?limit=50"
    r = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration,
                        "--timeout", "%ds" % timeout_s, "-s", os.path.join(here, "wrk_report.lua"),
                        url], env=env, capture_output=True, text=True,
                       timeout=duration + timeout_s + 60)
    line = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not line:
        sys.exit("wrk gave no report:\n" + r.stdout + r.stderr)
    rep = json.loads(line[-1])
    rep["requests_per_s"] = round(rep["requests"] / (rep["duration_us"] / 1e6), 1)
    return rep


def sequential_latency(port, count, timeout_s):
    """Times `count` single requests one after another (for slow backends,
    where a load generator would only measure its own time-outs)."""
    import urllib.request
    url = f"http://127.0.0.1:{port}/whatsapp/messages/{HOT}?limit=50"
    times = []
    for _ in range(count):
        req = urllib.request.Request(url, headers={"x-api-key": API_KEY})
        t0 = time.monotonic()
        with urllib.request.urlopen(req, timeout=timeout_s) as r:
            r.read()
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    return {"mode": "sequential", "requests": count,
            "latency_ms": {"min": round(times[0], 1), "p50": round(times[len(times) // 2], 1),
                           "max": round(times[-1], 1)},
            "requests_per_s": round(1000 / (sum(times) / len(times)), 3)}


def bench_backend(name, wagate, db, args, data_dir, connections, duration, timeout_s,
                  messages=None, sequential=0):
    messages = messages or args.messages
    seed_s = seed(wagate, db, messages)
    p, port = start(wagate, db, data_dir)
    try:
        time.sleep(1.0)
        idle = rss_kib(p.pid)
        if sequential:
            rep = sequential_latency(port, sequential, timeout_s)
        else:
            run_wrk(port, 2, connections, timeout_s=timeout_s)  # warm-up, not recorded
            rep = run_wrk(port, duration, connections, timeout_s=timeout_s)
        rep.update({"backend": name, "messages": messages, "seed_s": round(seed_s, 2),
                    "connections": connections, "duration_s": duration, "rss_idle_kib": idle,
                    "rss_after_kib": rss_kib(p.pid), "rss_peak_kib": rss_kib(p.pid, "VmHWM")})
        return rep
    finally:
        # A FerretDB query in flight may hold shutdown until its socket
        # timeout (see main), so the wait is long; wagate bounds it itself.
        p.send_signal(signal.SIGTERM)
        p.wait(timeout_s + 60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wagate", required=True)
    ap.add_argument("--mongodb", default=os.environ.get("WAGATE_TEST_MONGODB_URI"))
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--only", choices=["sqlite", "ferretdb"])
    ap.add_argument("--ferret-connections", type=int, default=2)
    ap.add_argument("--ferret-duration", type=int, default=20)
    ap.add_argument("--ferret-messages", type=int, default=10_000)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "http_messages.json"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="wagate-bench-") as d:
        if args.only != "ferretdb":
            results.append(bench_backend("sqlite", args.wagate, f"sqlite:{d}/wagate.db", args, d,
                                         args.connections, args.duration, 2))
            print(json.dumps(results[-1]), flush=True)
        if args.mongodb and args.only != "sqlite":
            # FerretDB 1.24's SQLite handler reads the whole collection and
            # sorts in Go (no index or sort pushdown), so one page over 100k
            # messages takes seconds: under wrk it only measures time-outs.
            # At full size it is timed with sequential requests (and a socket
            # timeout in the URI that lets such a query finish); a wrk run
            # uses a collection of --ferret-messages.
            def ferret_uri():
                return (args.mongodb.rstrip("/") + "/wagate_bench_" + os.urandom(4).hex() +
                        "?socketTimeoutMS=180000")
            results.append(bench_backend("ferretdb", args.wagate, ferret_uri(), args, d, 1, 0,
                                         180, sequential=3))
            print(json.dumps(results[-1]), flush=True)
            results.append(bench_backend("ferretdb", args.wagate, ferret_uri(), args, d,
                                         args.ferret_connections, args.ferret_duration, 30,
                                         messages=args.ferret_messages))
            print(json.dumps(results[-1]), flush=True)
    out = {"benchmark": "http_get_messages", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                   time.gmtime()),
           "machine": {"cores": os.cpu_count(), "kernel": platform.release()},
           "note": "wagate and wrk share the machine's cores", "results": results}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
