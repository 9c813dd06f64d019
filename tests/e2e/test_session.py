"""End-to-end tests of linking and the connection lifecycle (issue 5): wagate
and wasim as real processes on loopback. wasim plays WhatsApp and the phone;
its admin API "scans" the QR or "types" the pairing code."""
import base64
import os
import re
import shutil
import sqlite3
import time
import urllib.parse
import uuid

import pytest

from conftest import API_KEY, Wagate, Wasim
from http_client import request

AUTH = {"x-api-key": API_KEY}
PHONE = "15550100001"
OTHER_PHONE = "15550100002"


@pytest.fixture
def wasim(tmp_path):
    sim = Wasim(str(tmp_path / "wasim"))
    status, body = sim.admin("POST", "/admin/accounts", {"phone": PHONE, "name": "Alice"})
    assert status in (200, 201), body
    yield sim
    sim.kill()


def start_wagate(data_dir, sim, db=None, root_key=None, extra_env=None):
    env = {"WAGATE_WA_URL": sim.ws_url, "WAGATE_WA_ROOT_KEY": root_key or sim.root_key}
    env.update(extra_env or {})
    return Wagate(data_dir, env_overrides=env, db=db)


def status_of(w):
    return request(w.port, "GET", "/whatsapp/session/status", AUTH).json()


def wait_status(w, want, timeout=20):
    deadline = time.time() + timeout
    body = None
    while time.time() < deadline:
        body = status_of(w)
        if body["status"] == want:
            return body
        time.sleep(0.1)
    raise AssertionError(f"status never became {want}: last {body}\n{w.log()[-4000:]}")


def link_by_qr(w, sim):
    r = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
    assert r.status == 200, r.body
    body = r.json()
    assert body["status"] == "qr-ready", body
    assert body["qr"].startswith("https://wa.me/settings/linked_devices#")
    assert body["qrImage"].startswith("data:image/png;base64,")
    status, scanned = sim.admin("POST", f"/admin/accounts/{PHONE}/scan", {"qr": body["qr"]})
    assert status in (200, 201), scanned
    opened = wait_status(w, "open")
    assert opened["me"]["jid"].startswith(PHONE + ":"), opened
    assert opened["me"]["lid"].endswith("@lid"), opened
    return opened


def reconnect_lines(w):
    return [l for l in w.lines if "reconnecting in" in l]


def connecting_count(w):
    """Sockets wagate opened to WhatsApp so far (one log line each)."""
    return sum(1 for l in w.lines if re.search(r"session default: connecting to ", l))


def test_qr_link_then_restart_opens_with_stored_creds(tmp_path, wasim):
    data = str(tmp_path / "wagate")
    w = start_wagate(data, wasim)
    try:
        assert status_of(w)["status"] == "closed"
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
        body = r.json()
        assert body["status"] == "qr-ready", body
        assert body["expiresAt"].endswith("Z")
        # The same QR as JSON and as the picture itself.
        r = request(w.port, "GET", "/whatsapp/session/qr", AUTH)
        assert r.json()["qr"] == body["qr"]
        r = request(w.port, "GET", "/whatsapp/session/qr", {**AUTH, "accept": "image/png"})
        assert r.status == 200 and r.headers["content-type"] == "image/png"
        assert r.raw_body[:8] == b"\x89PNG\r\n\x1a\n"
        png = base64.b64decode(body["qrImage"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"

        status, scanned = wasim.admin("POST", f"/admin/accounts/{PHONE}/scan", {"qr": body["qr"]})
        assert status in (200, 201), scanned
        opened = wait_status(w, "open")
        device = opened["me"]["jid"]
        status, devices = wasim.admin("GET", f"/admin/accounts/{PHONE}/devices")
        assert any(str(d.get("id", d.get("device"))) == device.split(":")[1].split("@")[0]
                   for d in devices["devices"]), devices
        # connect on an open session answers at once with the account.
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH)
        assert r.json() == {"status": "open", "me": opened["me"]}
    finally:
        assert w.stop() == 0

    # Restart: the stored creds log in, no QR, no connect call needed.
    w = start_wagate(data, wasim)
    try:
        again = wait_status(w, "open")
        assert again["me"]["jid"] == device
        assert not any("qr-ready" in l for l in w.lines)
    finally:
        w.stop()


def test_pairing_code_link(tmp_path, wasim):
    w = start_wagate(str(tmp_path / "wagate"), wasim)
    try:
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH,
                    body={"phoneNumber": "+1 555 010 0001"}, timeout=30)
        body = r.json()
        assert body["status"] == "pairing", body
        assert re.fullmatch(r"[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}", body["pairingCode"])
        # A QR link cannot start while the code link runs.
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
        assert r.status == 409, r.body
        status, typed = wasim.admin("POST", f"/admin/accounts/{PHONE}/pairing-code",
                                    {"code": body["pairingCode"]})
        assert status in (200, 201), typed
        opened = wait_status(w, "open", timeout=30)
        assert opened["me"]["jid"].startswith(PHONE + ":")
    finally:
        w.stop()


def mongo_db_uri():
    base = os.environ.get("WAGATE_TEST_MONGODB_URI")
    if not base:
        if os.environ.get("WAGATE_TEST_REQUIRE_MONGODB") == "1":
            pytest.fail("WAGATE_TEST_MONGODB_URI is not set")
        pytest.skip("no MongoDB-wire server (WAGATE_TEST_MONGODB_URI)")
    u = urllib.parse.urlsplit(base)
    name = "wagate_e2e_" + uuid.uuid4().hex[:8]
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, "")), name


def stored_counts(db):
    """(session records with creds, keys) of the default instance."""
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        try:
            sessions = con.execute(
                "SELECT COUNT(*) FROM whatsapp_sessions WHERE creds NOT IN ('', '{}')").fetchone()[0]
            keys = con.execute("SELECT COUNT(*) FROM whatsapp_keys").fetchone()[0]
            return sessions, keys
        finally:
            con.close()
    import pymongo
    client = pymongo.MongoClient(db, serverSelectionTimeoutMS=5000)
    try:
        d = client.get_default_database()
        sessions = d["whatsapp_sessions"].count_documents({"instanceName": "default"})
        keys = d["whatsapp_keys"].count_documents({"instanceName": "default"})
        return sessions, keys
    finally:
        client.close()


@pytest.mark.parametrize("backend", ["sqlite", "mongodb"])
def test_logout_unlinks_and_leaves_no_creds_or_keys(tmp_path, wasim, backend):
    data = str(tmp_path / "wagate")
    if backend == "sqlite":
        db = f"sqlite:{data}/wagate.db"
    else:
        db, _ = mongo_db_uri()
    w = start_wagate(data, wasim, db=db)
    try:
        opened = link_by_qr(w, wasim)
        sessions, keys = stored_counts(db)
        assert sessions == 1 and keys > 0, (sessions, keys)
        r = request(w.port, "POST", "/whatsapp/session/disconnect", AUTH, timeout=30)
        assert r.status == 200, r.body
        assert r.json()["status"] == "closed"
        assert stored_counts(db) == (0, 0)
        status = status_of(w)
        assert status["status"] == "closed" and status["me"] is None, status
        # Unlinked at the server too.
        device = opened["me"]["jid"].split(":")[1].split("@")[0]
        _, devices = wasim.admin("GET", f"/admin/accounts/{PHONE}/devices")
        assert all(str(d.get("id", d.get("device"))) != device for d in devices["devices"])
    finally:
        w.stop()


def test_disconnect_without_logout_keeps_the_link(tmp_path, wasim):
    data = str(tmp_path / "wagate")
    w = start_wagate(data, wasim)
    try:
        opened = link_by_qr(w, wasim)
        r = request(w.port, "POST", "/whatsapp/session/disconnect", AUTH, body={"logout": False})
        assert r.json()["status"] == "closed"
        time.sleep(1.5)
        assert status_of(w)["status"] == "closed"  # no reconnect by itself
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
        assert r.json() == {"status": "open", "me": opened["me"]}
    finally:
        w.stop()


def test_untrusted_certificate_root_is_refused(tmp_path, wasim):
    wrong_root = "11" * 32
    w = start_wagate(str(tmp_path / "wagate"), wasim, root_key=wrong_root)
    try:
        r = request(w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
        assert r.status == 503, r.body
        assert "certificate" in r.json()["message"].lower(), r.body
        status = status_of(w)
        assert status["status"] == "closed"
        assert status["lastDisconnect"]["kind"] == "bad-server", status
        time.sleep(1.5)
        assert connecting_count(w) == 1, "a refused server must not be retried"
    finally:
        w.stop()


def test_device_removed_at_the_server_logs_out(tmp_path, wasim):
    data = str(tmp_path / "wagate")
    db = f"sqlite:{data}/wagate.db"
    w = start_wagate(data, wasim, db=db)
    try:
        opened = link_by_qr(w, wasim)
        device = opened["me"]["jid"].split(":")[1].split("@")[0]
        status, body = wasim.admin("DELETE", f"/admin/accounts/{PHONE}/devices/{device}")
        assert status in (200, 204), body
        closed = wait_status(w, "closed")
        assert closed["lastDisconnect"]["kind"] == "logged-out", closed
        assert closed["me"] is None
        assert stored_counts(db) == (0, 0)
    finally:
        w.stop()


def test_faults_lead_to_the_right_state_without_a_reconnect_storm(tmp_path, wasim):
    w = start_wagate(str(tmp_path / "wagate"), wasim)
    try:
        link_by_qr(w, wasim)
        base_attempts = connecting_count(w)

        # A dropped socket: one reconnect after a short backoff, open again.
        wasim.admin("POST", "/admin/faults", {"action": "drop"})
        wait_status(w, "connecting", timeout=10)
        wait_status(w, "open", timeout=15)
        assert connecting_count(w) - base_attempts == 1, reconnect_lines(w)

        # A server error: transient, backoff, open again.
        wasim.admin("POST", "/admin/faults", {"action": "stream-error", "code": 503})
        wait_status(w, "connecting", timeout=10)
        wait_status(w, "open", timeout=15)

        # The server refuses connections for 4 s: attempts back off (1, 2, 4 s…),
        # a handful at most, then the session opens again by itself.
        before = connecting_count(w)
        wasim.admin("POST", "/admin/faults", {"action": "refuse", "ms": 4000})
        wasim.admin("POST", "/admin/faults", {"action": "drop"})
        # The drop is noticed asynchronously: see the session leave "open"
        # before waiting for it to come back.
        wait_status(w, "connecting", timeout=10)
        wait_status(w, "open", timeout=30)
        attempts = connecting_count(w) - before
        assert 2 <= attempts <= 4, (attempts, reconnect_lines(w))

        # Latency on every frame: still open, still answering.
        wasim.admin("POST", "/admin/faults", {"action": "delay", "ms": 300})
        time.sleep(1)
        assert status_of(w)["status"] == "open"
        wasim.admin("POST", "/admin/faults", {"action": "delay", "ms": 0})

        # A restart of the simulator's listener: reconnect, open.
        wasim.admin("POST", "/admin/faults", {"action": "restart"})
        wait_status(w, "connecting", timeout=10)
        wait_status(w, "open", timeout=20)
    finally:
        w.stop()


def test_a_second_login_replaces_the_first_without_a_fight(tmp_path, wasim):
    data = str(tmp_path / "first")
    first = start_wagate(data, wasim)
    try:
        link_by_qr(first, wasim)
        first.stop()
        # The same creds in a second data dir: two wagates, one device.
        copy = str(tmp_path / "second")
        shutil.copytree(data, copy)
        first = start_wagate(data, wasim)
        wait_status(first, "open")
        second = start_wagate(copy, wasim)
        try:
            wait_status(second, "open")
            closed = wait_status(first, "closed")
            assert closed["lastDisconnect"]["kind"] == "replaced", closed
            time.sleep(2)
            assert status_of(first)["status"] == "closed"
            assert status_of(second)["status"] == "open"
        finally:
            second.stop()
    finally:
        first.stop()
