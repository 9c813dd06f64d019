"""End-to-end tests of the real wagate binary over loopback HTTP (issue 2):
auth, NestJS error shapes, limits, chat order, pagination under concurrent
inserts, malformed input, and graceful shutdown with a request in flight."""
import os
import socket
import stat
import subprocess
import threading
import time

import pytest

from conftest import API_KEY, JWT_SECRET, Wagate, run_import
from http_client import build, make_jwt, now, read_response, request

AUTH = {"x-api-key": API_KEY}
ALICE = "15550100101@s.whatsapp.net"
BOB = "15550100102@s.whatsapp.net"
GROUP = "120363000000000001@g.us"


def msg(jid, mid, ts_ms, from_me=False, text=None):
    return {"message": {"id": mid, "jid": jid, "sender": jid, "fromMe": from_me, "type": "text",
                        "content": text or f"text {mid}", "timestamp": ts_ms,
                        "status": "sent" if from_me else "delivered"}}


def assert_nest_error(resp, status, error=None):
    assert resp.status == status, resp
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert body["statusCode"] == status
    assert isinstance(body["message"], (str, list)) and body["message"], body
    if error is not None:
        assert body["error"] == error, body
    return body


# ---------------------------------------------------------------- health & auth

def test_health_is_open(server):
    r = request(server.port, "GET", "/health")
    assert r.status == 200
    assert r.json() == {"status": "ok", "whatsapp": "closed", "store": "ok"}
    assert r.headers.get("x-request-id")


@pytest.mark.parametrize("headers", [
    {},
    {"x-api-key": "wrong-key"},
    {"x-api-key": API_KEY[:-1]},
    {"Authorization": "Bearer wrong"},
    {"Authorization": "Basic " + API_KEY},
    {"Authorization": "Bearer " + make_jwt(JWT_SECRET, {"sub": "x", "exp": now() - 3600})},
    {"Authorization": "Bearer " + make_jwt("another-secret", {"sub": "x", "exp": now() + 3600})},
    {"Authorization": "Bearer " + make_jwt(JWT_SECRET, {"sub": "x"})},  # exp is required
    {"Authorization": "Bearer " + make_jwt(JWT_SECRET, {"exp": now() + 3600}, alg="none")},
], ids=["none", "wrong-key", "prefix-of-key", "wrong-bearer", "basic", "expired-jwt",
        "jwt-wrong-secret", "jwt-without-exp", "jwt-alg-none"])
def test_bad_credentials_get_401(server, headers):
    for path in ("/whatsapp/chats", "/metrics", "/whatsapp/session/status",
                 "/docs/openapi.json"):
        assert_nest_error(request(server.port, "GET", path, headers), 401, "Unauthorized")


@pytest.mark.parametrize("headers", [
    AUTH,
    {"Authorization": "Bearer " + API_KEY},
    {"Authorization": "Bearer " + make_jwt(JWT_SECRET, {"sub": "ops", "exp": now() + 3600})},
], ids=["x-api-key", "bearer-key", "jwt"])
def test_good_credentials_pass(server, headers):
    r = request(server.port, "GET", "/whatsapp/chats", headers)
    assert r.status == 200, r
    assert r.json() == []


def test_generated_key_is_kept_private_and_printed_once(data_dir):
    w = Wagate(data_dir, env_overrides={"WAGATE_API_KEY": ""})
    try:
        key_file = os.path.join(data_dir, "api-key")
        assert os.path.exists(key_file), w.log()
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        key = open(key_file).read().strip()
        assert len(key) >= 32
        assert key in w.log()  # printed on the first start
        assert request(w.port, "GET", "/whatsapp/chats", {"x-api-key": key}).status == 200
        assert request(w.port, "GET", "/whatsapp/chats", AUTH).status == 401
    finally:
        assert w.stop() == 0
    w2 = Wagate(data_dir, env_overrides={"WAGATE_API_KEY": ""})
    try:
        assert key not in w2.log()  # not printed again
        assert request(w2.port, "GET", "/whatsapp/chats", {"x-api-key": key}).status == 200
    finally:
        w2.stop()


# ---------------------------------------------------------------- error shapes

def test_unknown_route_is_nest_404(server):
    body = assert_nest_error(request(server.port, "GET", "/nope", AUTH), 404, "Not Found")
    assert body["message"] == "Cannot GET /nope"


def test_malformed_json_is_400(server):
    r = request(server.port, "POST", "/whatsapp/message/send/text", AUTH, body=b'{"to": "1555')
    assert_nest_error(r, 400, "Bad Request")


def test_wrong_content_type_is_415(server):
    r = request(server.port, "POST", "/whatsapp/message/send/text",
                {**AUTH, "Content-Type": "text/plain"}, body=b"hello")
    assert_nest_error(r, 415, "Unsupported Media Type")


def test_body_over_limit_is_413(data_dir):
    w = Wagate(data_dir, extra_args=["--body-limit", "4k"])
    try:
        big = b'{"to":"15550100101","text":"' + b"x" * 8000 + b'"}'
        r = request(w.port, "POST", "/whatsapp/message/send/text", AUTH, body=big)
        assert_nest_error(r, 413, "Payload Too Large")
        # The server keeps serving.
        assert request(w.port, "GET", "/health").status == 200
    finally:
        w.stop()


def test_oversized_headers_are_refused(server):
    r = request(server.port, "GET", "/whatsapp/chats", {**AUTH, "X-Filler": "a" * 64 * 1024})
    assert_nest_error(r, 431)
    assert request(server.port, "GET", "/health").status == 200


def test_validation_errors_list_the_problem(server):
    r = request(server.port, "POST", "/whatsapp/message/send/text", AUTH,
                body={"to": "not a number", "text": ""})
    body = assert_nest_error(r, 400, "Bad Request")
    assert any("to" in m for m in body["message"]), body
    r = request(server.port, "GET", "/whatsapp/messages/" + ALICE + "?limit=0", AUTH)
    assert_nest_error(r, 400)
    r = request(server.port, "GET", "/whatsapp/messages/" + ALICE + "?limit=abc", AUTH)
    assert_nest_error(r, 400)
    r = request(server.port, "GET", "/whatsapp/messages/" + ALICE + "?before=%%%garbage", AUTH)
    assert_nest_error(r, 400)
    r = request(server.port, "GET", "/whatsapp/messages/not-a-jid", AUTH)
    assert_nest_error(r, 400)


def test_whatsapp_routes_say_why_when_not_linked(server):
    r = request(server.port, "POST", "/whatsapp/message/send/text", AUTH,
                body={"to": "15550100101", "text": "hi"})
    body = assert_nest_error(r, 409)
    assert "session/connect" in str(body["message"])
    # Nothing listens where the e2e fixture points WhatsApp: the attempt
    # fails at once and connect says why.
    r = request(server.port, "POST", "/whatsapp/session/connect", AUTH)
    body = assert_nest_error(r, 503)
    assert "WhatsApp connection failed" in str(body["message"])


# ---------------------------------------------------------------- data routes

def test_chats_most_recent_first(server, data_dir):
    run_import(server.db, [msg(ALICE, "A1", 1_700_000_001_000), msg(BOB, "B1", 1_700_000_003_000),
                           {**msg(GROUP, "G1", 1_700_000_002_000), "chatName": "Team",
                            "isGroup": True},
                           msg(ALICE, "A2", 1_700_000_004_000, from_me=True)])
    chats = request(server.port, "GET", "/whatsapp/chats", AUTH).json()
    assert [c["jid"] for c in chats] == [ALICE, BOB, GROUP]
    alice = chats[0]
    assert alice["unreadCount"] == 1
    assert alice["lastMessage"]["id"] == "A2" and alice["lastMessage"]["fromMe"] is True
    assert alice["updatedAt"] == "2023-11-14T22:13:24.000Z"
    assert chats[2]["isGroup"] is True and chats[2]["name"] == "Team"
    page = request(server.port, "GET", "/whatsapp/chats?limit=1&offset=1", AUTH).json()
    assert [c["jid"] for c in page] == [BOB]

    r = request(server.port, "POST", f"/whatsapp/messages/{ALICE}/read", AUTH)
    assert r.status in (200, 201), r
    chats = request(server.port, "GET", "/whatsapp/chats", AUTH).json()
    assert chats[0]["unreadCount"] == 0
    assert_nest_error(request(server.port, "POST", "/whatsapp/messages/15550100199@s.whatsapp.net/read",
                              AUTH), 404)


def test_message_object_shape(server):
    run_import(server.db, [{"message": {
        "id": "3EB0SHAPE", "jid": GROUP, "sender": ALICE, "fromMe": False, "type": "image",
        "content": "http://127.0.0.1/whatsapp/media/x", "caption": "caf\u00e9",
        "mimeType": "image/jpeg", "fileName": "a.jpg", "size": 1234,
        "timestamp": "2023-11-14T22:13:20.000Z", "status": "delivered", "pushName": "Alice",
        "quotedId": "3EB0PREV"}}])
    r = request(server.port, "GET", f"/whatsapp/messages/{GROUP}", AUTH)
    assert r.status == 200, r
    body = r.json()
    assert body["nextCursor"] is None
    m = body["items"][0]
    for k, v in {"id": "3EB0SHAPE", "jid": GROUP, "sender": ALICE, "fromMe": False,
                 "type": "image", "caption": "caf\u00e9", "mimeType": "image/jpeg",
                 "fileName": "a.jpg", "size": 1234, "timestamp": "2023-11-14T22:13:20.000Z",
                 "status": "delivered", "pushName": "Alice", "quotedId": "3EB0PREV"}.items():
        assert m[k] == v, (k, m)
    assert isinstance(m["seq"], int) and m["seq"] > 0


def test_pagination_is_stable_while_messages_arrive(server):
    base = 1_700_000_000_000
    run_import(server.db, [msg(ALICE, f"old{i:04d}", base + i * 1000) for i in range(300)])

    stop = threading.Event()
    inserted = []

    def writer():
        # A second process writes newer messages while we page through.
        i = 0
        while not stop.is_set() and i < 40:
            batch = [msg(ALICE, f"new{i:04d}-{k}", base + 10_000_000 + i * 1000 + k)
                     for k in range(5)]
            run_import(server.db, batch)
            inserted.extend(batch)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    seen = []
    cursor = None
    try:
        first = request(server.port, "GET", f"/whatsapp/messages/{ALICE}?limit=40", AUTH).json()
        # Only the messages that existed when paging started are compared.
        seen = [m["id"] for m in first["items"] if m["id"].startswith("old")]
        cursor = first["nextCursor"]
        while cursor:
            time.sleep(0.01)
            r = request(server.port, "GET",
                        f"/whatsapp/messages/{ALICE}?limit=40&before={cursor}", AUTH)
            assert r.status == 200, r
            page = r.json()
            seen += [m["id"] for m in page["items"]]
            cursor = page["nextCursor"]
    finally:
        stop.set()
        t.join(120)
    olds = [s for s in seen if s.startswith("old")]
    assert len(olds) == len(set(olds)), "duplicates across pages"
    expected = [f"old{i:04d}" for i in range(299, -1, -1)]
    assert olds == expected[:len(olds)] and len(olds) >= 300 - 40
    assert inserted, "the concurrent writer inserted nothing"


# ---------------------------------------------------------------- docs & metrics

def test_openapi_describes_every_route(server):
    r = request(server.port, "GET", "/docs/openapi.json", AUTH)
    assert r.status == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for p, method in [("/whatsapp/session/connect", "post"), ("/whatsapp/session/status", "get"),
                      ("/whatsapp/session/qr", "get"), ("/whatsapp/session/disconnect", "post"),
                      ("/whatsapp/message/send/text", "post"),
                      ("/whatsapp/message/send/media", "post"), ("/whatsapp/chats", "get"),
                      ("/whatsapp/messages/{jid}", "get"), ("/whatsapp/messages/{jid}/read", "post"),
                      ("/whatsapp/media/{id}", "get"), ("/health", "get"), ("/metrics", "get")]:
        assert method in paths.get(p, {}), p


def test_metrics_count_requests_by_route_and_status(server):
    for _ in range(3):
        request(server.port, "GET", "/whatsapp/chats", AUTH)
    request(server.port, "GET", "/whatsapp/chats", {})
    text = request(server.port, "GET", "/metrics", AUTH).body
    lines = [l for l in text.splitlines() if l.startswith("wagate_http_requests_total{")]
    ok = [l for l in lines if 'route="/whatsapp/chats"' in l and 'status="200"' in l]
    unauth = [l for l in lines if 'route="/whatsapp/chats"' in l and 'status="401"' in l]
    assert ok and float(ok[0].rsplit(" ", 1)[1]) == 3, lines
    assert unauth and float(unauth[0].rsplit(" ", 1)[1]) == 1, lines
    assert "wagate_http_request_duration_seconds_bucket" in text


def test_session_status_is_closed(server):
    body = request(server.port, "GET", "/whatsapp/session/status", AUTH).json()
    assert body["status"] == "closed"
    assert body["instanceName"] == "default"


# ---------------------------------------------------------------- connection behaviour

def test_keep_alive_and_pipelining(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(build("GET", "/health") + build("GET", "/whatsapp/chats", AUTH) +
                  build("GET", "/nope", AUTH))
        r1, rest = read_response(s)
        r2, rest = read_response(s, rest)
        r3, rest = read_response(s, rest)
        assert [r1.status, r2.status, r3.status] == [200, 200, 404]
        s.sendall(build("GET", "/health"))
        r4, _ = read_response(s, rest)
        assert r4.status == 200


def test_graceful_shutdown_finishes_request_in_flight(server):
    body = b'{"pad":"' + b"x" * 1000 + b'"}'
    head = build("POST", f"/whatsapp/messages/{ALICE}/read", AUTH, body=body)
    split = len(head) - 500
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(head[:split])  # the request is in flight: half its body sent
        time.sleep(0.2)
        server.proc.send_signal(15)
        time.sleep(0.2)
        s.sendall(head[split:])
        resp, _ = read_response(s)
        assert resp.status in (200, 404), resp  # answered, not dropped
    assert server.proc.wait(15) == 0
    # New connections are refused once it is down.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)
    # The store was closed cleanly: SQLite checkpointed and removed its WAL.
    assert not os.path.exists(os.path.join(server.data_dir, "wagate.db-wal"))


def test_bad_configuration_exits_2(data_dir):
    for args, setting in [(["--port", "99999"], "PORT"), (["--log-format", "xml"], "LOG_FORMAT"),
                          (["--db", "postgres://x"], "DB"), (["--body-limit", "lots"], "BODY_LIMIT")]:
        r = subprocess.run([os.environ["WAGATE_BIN"], *args], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = [l for l in r.stderr.strip().splitlines() if l]
        # Named as the flag that was given (--log-format) or its variable.
        named = setting.lower().replace("_", "-") in lines[0] or ("WAGATE_" + setting) in lines[0]
        assert len(lines) == 1 and named, (args, r.stderr)
    r = subprocess.run([os.environ["WAGATE_BIN"]], capture_output=True, text=True, timeout=30,
                       env={"WAGATE_PORT": "http", "PATH": os.environ.get("PATH", "")})
    assert r.returncode == 2 and "WAGATE_PORT" in r.stderr, r.stderr


def test_help_lists_every_setting():
    r = subprocess.run([os.environ["WAGATE_BIN"], "--help"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0
    for name in ["WAGATE_HOST", "WAGATE_PORT", "WAGATE_API_KEY", "WAGATE_JWT_SECRET", "WAGATE_DB",
                 "WAGATE_MEDIA_DIR", "WAGATE_INSTANCE", "WAGATE_PUBLIC_URL", "WAGATE_LOG_LEVEL",
                 "WAGATE_LOG_FORMAT", "WAGATE_BODY_LIMIT", "WAGATE_CORS_ORIGINS",
                 "WAGATE_EVENTS_KEEP", "WAGATE_EVENTS_MAX_AGE"]:
        assert name in r.stdout, name


def test_mongodb_backend_serves_the_same_api(data_dir):
    uri = os.environ.get("WAGATE_TEST_MONGODB_URI")
    if not uri:
        if os.environ.get("WAGATE_TEST_REQUIRE_MONGODB"):
            pytest.fail("WAGATE_TEST_MONGODB_URI is not set but a MongoDB run is required")
        pytest.skip("WAGATE_TEST_MONGODB_URI not set: no MongoDB-wire server")
    db_uri = uri.rstrip("/") + "/wagate_e2e_" + os.urandom(4).hex()
    run_import(db_uri, [msg(ALICE, "A1", 1_700_000_001_000), msg(BOB, "B1", 1_700_000_002_000)])
    w = Wagate(data_dir, db=db_uri)
    try:
        assert request(w.port, "GET", "/health").json()["store"] == "ok"
        chats = request(w.port, "GET", "/whatsapp/chats", AUTH).json()
        assert [c["jid"] for c in chats] == [BOB, ALICE]
        page = request(w.port, "GET", f"/whatsapp/messages/{ALICE}", AUTH).json()
        assert [m["id"] for m in page["items"]] == ["A1"]
    finally:
        assert w.stop() == 0
