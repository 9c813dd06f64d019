"""Fixtures for end-to-end tests of the real wagate binary.

Each test gets its own wagate process on a free loopback port with its own
data directory; the process is stopped (SIGTERM, then SIGKILL after a bound)
at the end. WAGATE_BIN names the binary (ctest sets it).
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

import pytest

API_KEY = "e2e-test-key-0123456789abcdef"
JWT_SECRET = "e2e-jwt-secret-0123456789abcdef"


def wagate_bin():
    path = os.environ.get("WAGATE_BIN")
    if not path or not os.path.exists(path):
        pytest.fail("WAGATE_BIN must name the built wagate binary")
    return path


class Wagate:
    """One running wagate process."""

    def __init__(self, data_dir, extra_args=(), env_overrides=None, db=None):
        self.data_dir = data_dir
        self.db = db or f"sqlite:{data_dir}/wagate.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
        env.update({"WAGATE_API_KEY": API_KEY, "WAGATE_JWT_SECRET": JWT_SECRET})
        env.update(env_overrides or {})
        self.args = [wagate_bin(), "--host", "127.0.0.1", "--port", "0", "--db", self.db,
                     "--media-dir", f"{data_dir}/media", *extra_args]
        self.proc = subprocess.Popen(self.args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.port = None
        ready = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        if not ready.wait(30) or self.port is None:
            self.kill()
            raise AssertionError("wagate did not start:\n" + "\n".join(self.lines))

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def log(self):
        return "\n".join(self.lines)

    def stop(self, timeout=15):
        """SIGTERM and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("wagate did not stop within %ss after SIGTERM" % timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def data_dir():
    with tempfile.TemporaryDirectory(prefix="wagate-e2e-") as d:
        yield d


@pytest.fixture
def server(data_dir):
    w = Wagate(data_dir)
    yield w
    w.kill()


def run_import(db, lines, instance=None):
    """Seeds data through `wagate import`, the supported way (no HTTP write route)."""
    args = [wagate_bin(), "import", "--db", db]
    if instance:
        args += ["--instance", instance]
    args.append("-")
    text = "".join(json.dumps(l) + "\n" for l in lines)
    r = subprocess.run(args, input=text, text=True, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r
