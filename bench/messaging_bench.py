#!/usr/bin/env python3
"""Messaging benchmark (issue 6): wagate against wasim, and the real Baileys 7
against the same wasim in the same run, for the side-by-side ratio.

Scenarios, each for wagate (SQLite, and a MongoDB-wire server when given)
and for Baileys:
  incoming  N messages queued at wasim while the companion is offline, then
            the companion connects: messages/s until wasim holds nothing
            unacknowledged for it (wagate acks only after storing: decrypt +
            store + publish; Baileys after decrypting and emitting upsert —
            it stores nothing, which favours it);
  send      REST POST /whatsapp/message/send/text under wrk (wagate), or
            sock.sendMessage with the same concurrency (Baileys): requests/s,
            p50 and p99 until the server's ack;
  send_open_loop  (wagate only) the same POST at a fixed rate (--send-rate)
            with bench/http_load: p50/p99/p99.9 from each request's scheduled
            time. wrk's closed loop measures the maximum throughput, and its
            percentiles follow from its concurrency (Little's law); a
            latency target at a rate needs the open loop;
  memory    RSS of the process, linked and idle, and at the end of the run.
Everything runs on this machine's cores, wasim included. JSON goes to
bench/results/messaging.json.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from conftest import API_KEY, Wagate, Wasim  # noqa: E402
from http_client import request  # noqa: E402

A, B, C = "15550100001", "15550100002", "15550100003"
# The chats of the many-chats send scenario: B and seven more simulated phones.
PEERS = [B] + ["1555010%04d" % (10 + i) for i in range(7)]
AUTH = {"x-api-key": API_KEY}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pending(sim, phone, device):
    status, body = sim.admin("GET", f"/admin/accounts/{phone}/pending")
    return body["pending"].get(f"{phone}:{device}@s.whatsapp.net", 0)


def queue(sim, sender, to, n, prefix):
    """n messages from the phone of `sender` to `to`, several senders at once."""
    errors = []

    def part(lo, hi):
        for i in range(lo, hi):
            status, body = sim.admin("POST", f"/admin/accounts/{sender}/send",
                                     {"to": to, "text": f"{prefix} {i}"})
            if status != 200:
                errors.append(body)
    threads = [threading.Thread(target=part, args=(k * n // 4, (k + 1) * n // 4)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(f"queueing failed: {errors[:3]}")


def cpu_s(pid):
    """User + system CPU seconds the process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_status(w, want, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if request(w.port, "GET", "/whatsapp/session/status", AUTH).json()["status"] == want:
            return
        time.sleep(0.02)
    sys.exit(f"wagate never became {want}:\n{w.log()[-3000:]}")


def run_wrk(port, duration, connections, body, bodies=None):
    env = dict(os.environ, WAGATE_BENCH_KEY=API_KEY, WAGATE_BENCH_BODY=body,
               WAGATE_BENCH_BODIES="\n".join(bodies or []))
    r = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
                        "-s", os.path.join(HERE, "wrk_report.lua"),
                        f"http://127.0.0.1:{port}/whatsapp/message/send/text"],
                       env=env, capture_output=True, text=True, timeout=duration + 60)
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    sys.exit("wrk gave no report:\n" + r.stdout + r.stderr)


def find_http_load(wagate, given):
    """bench/http_load of the build tree that holds the wagate binary."""
    if given:
        return given
    d = os.path.dirname(os.path.abspath(wagate))
    while d != os.path.dirname(d):
        if os.path.exists(os.path.join(d, "CMakeCache.txt")):
            path = os.path.join(d, "bench", "http_load")
            if os.path.exists(path):
                return path
            break
        d = os.path.dirname(d)
    sys.exit("bench/http_load not found next to the wagate build; build it "
             "(ninja -C build http_load) or pass --http-load")


def run_open_loop(http_load, port, rate, duration, bodies, tmp, connections, wagate_pid):
    """POST send/text at `rate` requests/s, the bodies in turn (bench/http_load)."""
    body_file = os.path.join(tmp, "open-loop-bodies.txt")
    with open(body_file, "w") as f:
        f.write("\n".join(bodies) + "\n")
    warmup, timeout_ms = 1, 5000
    cpu0 = cpu_s(wagate_pid)
    r = subprocess.run([http_load, "--url", f"http://127.0.0.1:{port}/whatsapp/message/send/text",
                        "--rate", str(rate), "--duration", str(duration), "--warmup", str(warmup),
                        "--connections", str(connections), "--method", "POST",
                        "--header", f"x-api-key: {API_KEY}", "--body-file", body_file,
                        "--timeout-ms", str(timeout_ms), "--json"],
                       capture_output=True, text=True, timeout=warmup + duration + timeout_ms / 1000 + 30)
    cpu = cpu_s(wagate_pid) - cpu0
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        sys.exit("http_load gave no report:\n" + r.stdout + r.stderr)
    lat = rep["latency_ms"]
    return {
        "chats": len(set(bodies)), "rate_asked": rep["rate_asked"],
        "rate_achieved": rep["rate_achieved"], "completed": rep["completed"],
        "p50_ms": lat["p50"], "p90_ms": lat["p90"], "p99_ms": lat["p99"], "p999_ms": lat["p999"],
        "max_ms": lat["max"], "errors": rep["errors"], "timeouts": rep["timeouts"],
        "dropped": rep["dropped"], "queued_for_connection": rep["queued_for_connection"],
        "connections": connections,
        # The generator's own lateness (schedule to write): should stay small.
        "send_delay_p99_ms": rep["send_delay_ms"]["p99"],
        "loadgen_cpu_us_per_request": rep["cpu_us_per_request"],
        # Over the whole run, warm-up included.
        "wagate_cpu_us_per_request": round(cpu * 1e6 / max(1, rep["sent_with_warmup"]), 1),
    }


def bench_wagate(sim, backend, db, tmp, n, duration, connections, open_loop):
    data = os.path.join(tmp, f"wagate-{backend}")
    env = {"WAGATE_WA_URL": sim.ws_url, "WAGATE_WA_ROOT_KEY": sim.root_key}
    w = Wagate(data, env_overrides=env, db=db)
    try:
        qr = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30).json()["qr"]
        sim.admin("POST", f"/admin/accounts/{A}/scan", {"qr": qr})
        wait_status(w, "open")
        device = request(w.port, "GET", "/whatsapp/session/status", AUTH).json()["me"]["jid"]
        device = device.split(":")[1].split("@")[0]
        time.sleep(3)
        rss_idle = rss_kib(w.proc.pid)
        w.stop()

        queue(sim, B, A, n, f"in-{backend}")
        assert pending(sim, A, device) >= n
        t0 = time.monotonic()
        w = Wagate(data, env_overrides=env, db=db)
        peak = 0
        while pending(sim, A, device) > 0:
            peak = max(peak, rss_kib(w.proc.pid))
            if time.monotonic() - t0 > 600:
                sys.exit("wagate did not drain the queue in 600 s")
            time.sleep(0.05)
        drain = time.monotonic() - t0
        incoming_cpu = cpu_s(w.proc.pid)  # the process started with the drain
        wait_status(w, "open")
        body = json.dumps({"to": B, "text": "benchmark send"})
        run_wrk(w.port, 2, connections, body)  # warm-up: sessions, device lists
        cpu0 = (cpu_s(w.proc.pid), cpu_s(sim.proc.pid))
        rep = run_wrk(w.port, duration, connections, body)
        cpu1 = (cpu_s(w.proc.pid), cpu_s(sim.proc.pid))
        many = [json.dumps({"to": p, "text": "benchmark send"}) for p in PEERS]
        run_wrk(w.port, 2, connections, body, many)  # warm-up for the other chats
        rep_many = run_wrk(w.port, duration, connections, body, many)
        rss_after = rss_kib(w.proc.pid)
        # Open loop last, so the RSS above means what it meant before.
        rate, http_load, ol_connections = open_loop
        open_loop_results = [
            run_open_loop(http_load, w.port, rate, duration, bodies, tmp, ol_connections,
                          w.proc.pid)
            for bodies in ([body], many)
        ] if rate > 0 else []
        return {
            "backend": backend, "incoming_messages": n, "incoming_seconds": round(drain, 3),
            "incoming_per_s": round(n / drain, 1),
            "incoming_cpu_us_per_message": round(incoming_cpu * 1e6 / n, 1),
            "send_requests_per_s": round(rep["requests"] / (rep["duration_us"] / 1e6), 1),
            "send_p50_ms": rep["latency_us"]["p50"] / 1000, "send_p99_ms": rep["latency_us"]["p99"] / 1000,
            "send_errors": rep["errors_status"] + rep["errors_timeout"] + rep["errors_connect"],
            # CPU per send while wrk ran: less sensitive to other load than req/s.
            "send_cpu_us_per_request": round((cpu1[0] - cpu0[0]) * 1e6 / max(1, rep["requests"]), 1),
            "wasim_cpu_us_per_request": round((cpu1[1] - cpu0[1]) * 1e6 / max(1, rep["requests"]), 1),
            "send_chats": len(PEERS),
            "send_many_chats_per_s": round(rep_many["requests"] / (rep_many["duration_us"] / 1e6), 1),
            "send_many_chats_p50_ms": rep_many["latency_us"]["p50"] / 1000,
            "send_many_chats_p99_ms": rep_many["latency_us"]["p99"] / 1000,
            "send_many_chats_errors": rep_many["errors_status"] + rep_many["errors_timeout"] +
            rep_many["errors_connect"],
            "rss_idle_linked_kib": rss_idle, "rss_peak_incoming_kib": peak,
            "rss_after_send_kib": rss_after, "connections": connections,
            "send_open_loop": open_loop_results,
        }
    finally:
        w.kill()


def bench_baileys(sim, tmp, n, duration, connections):
    child = subprocess.Popen(
        ["node", os.path.join(HERE, "baileys_messaging.mjs")],
        env=dict(os.environ, WASIM_INFO=json.dumps(sim.info), BENCH_TMP=tmp, BENCH_PHONE=C,
                 BENCH_PEER=B, BENCH_PEERS=",".join(PEERS), BENCH_N=str(n), BENCH_DURATION=str(duration),
                 BENCH_CONCURRENCY=str(connections)),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:
            if not line.startswith("{"):
                sys.stderr.write("baileys: " + line)  # Baileys prints some notices itself
                continue
            msg = json.loads(line)
            if msg.get("state") == "offline":
                queue(sim, B, C, n, "in-baileys")
                child.stdin.write("go\n")
                child.stdin.flush()
            elif "result" in msg:
                return msg["result"]
        sys.exit("the Baileys benchmark ended without a result")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wagate", required=True)
    ap.add_argument("--wasim", required=True)
    ap.add_argument("--mongodb", help="a mongodb:// URI base for the MongoDB-wire run")
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--send-rate", type=float, default=2000,
                    help="requests/s of the open-loop send scenario (issue 6 target: 2,000; "
                    "0 skips it)")
    ap.add_argument("--send-connections", type=int, default=64,
                    help="keep-alive connections of the open-loop generator")
    ap.add_argument("--http-load", help="bench/http_load (default: next to the wagate build)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "messaging.json"))
    ap.add_argument("--skip-baileys", action="store_true",
                    help="wagate only, for quick iterations (no ratio; prints, writes nothing)")
    args = ap.parse_args()
    open_loop = (args.send_rate,
                 find_http_load(args.wagate, args.http_load) if args.send_rate > 0 else None,
                 args.send_connections)
    os.environ["WAGATE_BIN"] = args.wagate
    os.environ["WASIM_BIN"] = args.wasim
    with tempfile.TemporaryDirectory(prefix="wagate-msgbench-") as tmp:
        sim = Wasim(os.path.join(tmp, "wasim"))
        try:
            for phone, name in ((A, "Alice"), (B, "Bob"), (C, "Carol")):
                sim.admin("POST", "/admin/accounts", {"phone": phone, "name": name})
            for i, phone in enumerate(PEERS[1:]):
                sim.admin("POST", "/admin/accounts", {"phone": phone, "name": f"Peer {i}"})
            results = [bench_wagate(sim, "sqlite", f"sqlite:{tmp}/wagate.db", tmp, args.messages,
                                    args.duration, args.connections, open_loop)]
            if args.mongodb:
                uri = args.mongodb.rstrip("/") + "/wagate_msgbench_%d" % os.getpid()
                results.append(bench_wagate(sim, "mongodb", uri, tmp, args.messages,
                                            args.duration, args.connections, open_loop))
            if args.skip_baileys:
                print(json.dumps(results, indent=2))
                return
            baileys = bench_baileys(sim, tmp, args.messages, args.duration, args.connections)
        finally:
            sim.kill()
    w = results[0]
    ratios = {
        "incoming_x": round(w["incoming_per_s"] / baileys["incoming_per_s"], 2),
        "send_x": round(w["send_requests_per_s"] / baileys["send_per_s"], 2),
        "send_many_chats_x": round(w["send_many_chats_per_s"] / baileys["send_many_chats_per_s"], 2),
        "memory_idle_x": round(baileys["rss_idle_linked_kib"] / w["rss_idle_linked_kib"], 2),
    }
    out = {"benchmark": "messaging", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "load_average": os.getloadavg(), "messages": args.messages,
           "wagate": results, "baileys": baileys, "ratio_wagate_over_baileys": ratios,
           "note": "wagate, wasim, wrk and Node share this machine's 2 cores"}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
