#!/usr/bin/env python3
"""Protocol core vs Baileys 7 (issue 4): WABinary decode/encode and media
encrypt/decrypt, ours and Baileys' on the same inputs, in interleaved runs.

Runs RUNS rounds of [wa_binary_bench, baileys_binary_bench.mjs,
wa_crypto_bench (media rows), baileys_crypto_bench.mjs], takes the median of
each row's CPU time over the rounds (Google Benchmark's cpu_time; Node's
process.cpuUsage, all threads incl. GC), and writes
bench/results/wa_binary.json and bench/results/wa_media.json. The load
average before and after the runs goes into both files: other builds on the
machine move the numbers a lot.

Usage: bench/core_vs_baileys.py [--build build] [--runs 3]
Needs tests/interop/node_modules (npm ci there).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BINARY_ROWS = [
    ("EncodeMessageStanza", "BM_EncodeMessageStanza", "EncodeMessageStanza"),
    ("DecodeMessageStanza", "BM_DecodeMessageStanza", "DecodeMessageStanza"),
    ("DecodeMessageStanzaShared", "BM_DecodeMessageStanzaShared", "DecodeMessageStanza"),
    ("EncodeLargeBinary", "BM_EncodeLargeBinary", "EncodeLargeBinary"),
    ("DecodeLargeBinary", "BM_DecodeLargeBinary", "DecodeLargeBinary"),
    ("DecodeLargeBinaryShared", "BM_DecodeLargeBinaryShared", "DecodeLargeBinary"),
]
SIZE = 16 << 20
MEDIA_ROWS = [
    ("MediaEncrypt/16MiB", f"BM_MediaEncrypt/{SIZE}", f"media_encrypt/{SIZE}"),
    ("MediaEncryptStream/16MiB", f"BM_MediaEncryptStream/{SIZE}", f"media_encrypt/{SIZE}"),
    ("MediaDecrypt/16MiB", f"BM_MediaDecrypt/{SIZE}", f"media_decrypt_verified/{SIZE}"),
    ("MediaDecryptStream/16MiB", f"BM_MediaDecryptStream/{SIZE}", f"media_decrypt_verified/{SIZE}"),
]


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_json(cmd):
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def google_bench(binary, pattern):
    doc = run_json([binary, f"--benchmark_filter={pattern}", "--benchmark_format=json",
                    "--benchmark_min_time=1"])
    rows = {}
    for b in doc["benchmarks"]:
        ns = b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        rows[b["name"]] = {"ns": ns, "bytes_per_s": b.get("bytes_per_second")}
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build = os.path.join(ROOT, args.build)
    loads = [load()]
    samples = {}  # row name -> {"ours": [...], "baileys": [...]} in ns per op

    def add(name, side, ns):
        samples.setdefault(name, {"ours": [], "baileys": []})[side].append(ns)

    for _ in range(args.runs):
        ours = google_bench(os.path.join(build, "bench/wa_binary_bench"), ".")
        theirs = {b["name"]: b for b in run_json(
            ["node", "bench/baileys_binary_bench.mjs", "--min-seconds=1"])["benchmarks"]}
        for name, our_key, their_key in BINARY_ROWS:
            add(name, "ours", ours[our_key]["ns"])
            b = theirs[their_key]
            add(name, "baileys", b["node_bytes"] / b["mb_per_s_cpu"] * 1e3)
        ours = google_bench(os.path.join(build, "bench/wa_crypto_bench"), f"Media.*/{SIZE}")
        theirs = {r["name"]: r for r in run_json(["node", "bench/baileys_crypto_bench.mjs"])["results"]}
        for name, our_key, their_key in MEDIA_ROWS:
            add(name, "ours", ours[our_key]["ns"])
            add(name, "baileys", theirs[their_key]["cpu_ns_per_op"])
        loads.append(load())

    binary_bytes = {}
    baileys_doc = run_json(["node", "bench/baileys_binary_bench.mjs", "--min-seconds=0.1"])
    for b in baileys_doc["benchmarks"]:
        binary_bytes[b["name"]] = b["node_bytes"]
    date = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    machine = f"2 shared cores; load average (1 min) {min(loads):.1f}-{max(loads):.1f} during the runs"

    def rows(table, bytes_of):
        out = []
        for name, _, _ in table:
            ours = statistics.median(samples[name]["ours"])
            theirs = statistics.median(samples[name]["baileys"])
            n = bytes_of(name)
            out.append({
                "name": name,
                "ours_mb_per_s": round(n / ours * 1e3, 1),
                "ours_ns_per_op": round(ours),
                "baileys_mb_per_s": round(n / theirs * 1e3, 1),
                "baileys_ns_per_op": round(theirs),
                "ratio": round(theirs / ours, 2),
            })
        return out

    binary = {
        "benchmark": "WABinary encode/decode, bench/wa_binary_bench.cc vs bench/baileys_binary_bench.mjs",
        "inputs": "bench/data/wa_binary_inputs.json (message_stanza: 1923-byte <message> fan-out; "
                  "large_binary: 1 MiB <enc>)",
        "measure": f"median of {args.runs} interleaved runs (bench/core_vs_baileys.py); CPU time "
                   "(Node: process.cpuUsage, all threads incl. GC); MB/s of encoded node bytes",
        "date": date,
        "machine": machine,
        "baileys": baileys_doc["implementation"],
        "node": baileys_doc["node"],
        "results": rows(BINARY_ROWS,
                        lambda name: binary_bytes[dict((r[0], r[2]) for r in BINARY_ROWS)[name]]),
    }
    media = {
        "benchmark": "media encrypt/decrypt 16 MiB (AES-256-CBC + HMAC-SHA256 + SHA-256 of plain "
                     "and of ciphertext||mac), bench/wa_crypto_bench.cc vs bench/baileys_crypto_bench.mjs",
        "measure": f"median of {args.runs} interleaved runs (bench/core_vs_baileys.py); CPU time of "
                   "one thread (ours) / process.cpuUsage (Node); MB/s of plaintext (encrypt) or "
                   "encrypted bytes (decrypt), as each bench counts them",
        "date": date,
        "machine": machine,
        "baileys": baileys_doc["implementation"],
        "node": baileys_doc["node"],
        "results": rows(MEDIA_ROWS, lambda name: SIZE + (26 if "Decrypt" in name else 0)),
    }
    for path, doc in (("bench/results/wa_binary.json", binary), ("bench/results/wa_media.json", media)):
        with open(os.path.join(ROOT, path), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    for doc in (binary, media):
        for r in doc["results"]:
            print(f"{r['name']:28} ours {r['ours_mb_per_s']:>12} MB/s  baileys {r['baileys_mb_per_s']:>12} MB/s"
                  f"  ratio {r['ratio']}")
    print(machine)


if __name__ == "__main__":
    main()
