#!/usr/bin/env python3
"""Smoke test of bench/http_load (ctest http_load_smoke): ~1 s at 200/s
against bench/http_load_server.py, which answers with Content-Length,
chunked and Connection: close responses after a 2 ms delay. Checks the JSON
report: everything scheduled completed, no errors, latencies that include
the server's delay and stay sane on a loaded machine.

Usage: test_http_load.py PATH/TO/http_load
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary = sys.argv[1]
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "http_load_server.py"), "--delay-ms", "2",
         "--lifetime-s", "20"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("PORT "), line
        port = int(line.split()[1])
        r = subprocess.run(
            [binary, "--url", f"http://127.0.0.1:{port}/send", "--rate", "200", "--duration", "1",
             "--warmup", "0.2", "--connections", "8", "--method", "POST",
             "--body", '{"to":"1","text":"a"}', "--body", '{"to":"2","text":"b"}',
             "--header", "x-api-key: test", "--timeout-ms", "2000", "--json"],
            capture_output=True, text=True, timeout=15)
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        print(json.dumps(report, indent=1))
        assert report["scheduled"] == 200, report
        assert report["completed"] == report["scheduled"], report
        assert report["ok"] == report["completed"], report
        for key in ("errors", "timeouts", "dropped"):
            assert report[key] == 0, (key, report)
        # Every 25th answer closed its connection: the pool reopened them.
        assert report["reconnects"] > 0, report
        lat = report["latency_ms"]
        assert 2.0 <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"], lat
        assert lat["max"] < 1000, lat
        assert 150 <= report["rate_achieved"] <= 210, report
        assert 0 < report["cpu_us_per_request"] < 5000, report
    finally:
        server.kill()
        server.wait()
    print("http_load smoke test: ok")


if __name__ == "__main__":
    main()
