#!/usr/bin/env python3
"""Idle memory of wagate (issue 6: one linked idle session <= 10 MiB RSS).

Starts wasim and wagate (SQLite), links wagate by QR, waits 3 s like
bench/messaging_bench.py, then prints one JSON object: VmRSS, RssAnon,
RssFile, and the resident KiB of every mapping grouped by path (anonymous
mappings as "[anon]", heap and stacks by their kernel names), largest first.
--unlinked measures a wagate that never connects (no wasim).

  python3 bench/idle_rss.py --wagate build/src/app/wagate --wasim build/sim/wasim
"""
import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))

from conftest import API_KEY, Wagate, Wasim  # noqa: E402
from http_client import request  # noqa: E402

PHONE = "15550100001"
AUTH = {"x-api-key": API_KEY}


def status_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads"):
                out[key] = int(rest.split()[0])
    return out


def smaps_by_path(pid):
    """Resident KiB per mapped path; the private-dirty part too (relocations,
    .data/.bss, heap), since file pages are shared with the page cache."""
    rss, dirty = {}, {}
    path = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                path = os.path.basename(head[5]) if len(head) > 5 else "[anon]"
            elif head[0] == "Rss:":
                rss[path] = rss.get(path, 0) + int(head[1])
            elif head[0] == "Private_Dirty:":
                dirty[path] = dirty.get(path, 0) + int(head[1])
    rows = sorted(rss.items(), key=lambda kv: -kv[1])
    return [{"path": p, "rss_kib": k, "dirty_kib": dirty.get(p, 0)} for p, k in rows if k > 0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wagate", required=True)
    ap.add_argument("--wasim")
    ap.add_argument("--unlinked", action="store_true")
    ap.add_argument("--settle", type=float, default=3.0)
    args = ap.parse_args()
    os.environ["WAGATE_BIN"] = os.path.abspath(args.wagate)
    if not args.unlinked:
        if not args.wasim:
            sys.exit("--wasim is needed unless --unlinked")
        os.environ["WASIM_BIN"] = os.path.abspath(args.wasim)
    with tempfile.TemporaryDirectory(prefix="wagate-idlerss-") as tmp:
        sim = None if args.unlinked else Wasim(os.path.join(tmp, "wasim"))
        w = None
        try:
            env = {}
            if sim:
                sim.admin("POST", "/admin/accounts", {"phone": PHONE, "name": "Alice"})
                env = {"WAGATE_WA_URL": sim.ws_url, "WAGATE_WA_ROOT_KEY": sim.root_key}
            w = Wagate(os.path.join(tmp, "wagate"), env_overrides=env)
            if sim:
                qr = request(w.port, "POST", "/whatsapp/session/connect", AUTH,
                             timeout=30).json()["qr"]
                sim.admin("POST", f"/admin/accounts/{PHONE}/scan", {"qr": qr})
                end = time.time() + 60
                while request(w.port, "GET", "/whatsapp/session/status",
                              AUTH).json()["status"] != "open":
                    if time.time() > end:
                        sys.exit("wagate never opened:\n" + w.log()[-3000:])
                    time.sleep(0.02)
            time.sleep(args.settle)
            out = {"linked": sim is not None, **status_kib(w.proc.pid),
                   "load_average": os.getloadavg(), "mappings": smaps_by_path(w.proc.pid)}
            print(json.dumps(out, indent=1))
        finally:
            if w:
                w.kill()
            if sim:
                sim.kill()


if __name__ == "__main__":
    main()
