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
        # Tests talk to loopback only: unless a test points wagate at wasim,
        # WhatsApp is a port where nothing listens.
        env.update({"WAGATE_API_KEY": API_KEY, "WAGATE_JWT_SECRET": JWT_SECRET,
                    "WAGATE_WA_URL": "ws://127.0.0.1:1/ws/chat"})
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


def wasim_bin():
    path = os.environ.get("WASIM_BIN")
    if not path or not os.path.exists(path):
        pytest.fail("WASIM_BIN must name the built wasim binary")
    return path


class Wasim:
    """One running wasim process; `info` is the JSON line it prints at start."""

    def __init__(self, data_dir=None, extra_args=()):
        args = [wasim_bin(), "--host", "127.0.0.1", "--ws-port", "0", "--admin-port", "0",
                "--media-port", "0", *extra_args]
        if data_dir:
            args += ["--data", data_dir]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.errors = []
        first = []
        ready = threading.Event()

        def pump_out():
            for line in self.proc.stdout:
                if not first:
                    first.append(line)
                    ready.set()
            ready.set()

        def pump_err():
            for line in self.proc.stderr:
                self.errors.append(line.rstrip("\n"))

        threading.Thread(target=pump_out, daemon=True).start()
        threading.Thread(target=pump_err, daemon=True).start()
        if not ready.wait(20) or not first:
            self.kill()
            raise AssertionError("wasim did not start:\n" + "\n".join(self.errors))
        self.info = json.loads(first[0])

    @property
    def ws_url(self):
        return self.info["wsUrl"]

    @property
    def root_key(self):
        return self.info["rootPublicKey"]

    def admin(self, method, path, body=None, timeout=30):
        import urllib.request
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.info["adminUrl"] + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None)

    def log(self):
        return "\n".join(self.errors)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
