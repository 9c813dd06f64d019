"""End-to-end messaging (issue 6): wagate linked to account A through wasim;
account B is a simulated phone (a real Signal device inside wasim) that
sends through wasim's admin API and records what it decrypted."""
import base64
import http.server
import json
import os
import signal
import sqlite3
import struct
import threading
import time
import zlib

import pytest

from conftest import API_KEY, Wagate, Wasim
from http_client import request

AUTH = {"x-api-key": API_KEY}
A = "15550100001"
B = "15550100002"
B_JID = B + "@s.whatsapp.net"


def png_bytes(w=64, h=48):
    """A small valid PNG (red gradient), made here so the test owns its bytes."""
    raw = b"".join(b"\x00" + b"".join(bytes((x * 4 % 256, 0, y * 5 % 256)) for x in range(w))
                   for y in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Files:
    """A loopback HTTP server for mediaUrl fetches."""

    def __init__(self, files):
        self.files = files

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = outer.files.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def files():
    f = Files({"/photo.png": png_bytes(), "/doc.pdf": b"%PDF-1.4\n" + os.urandom(20000)})
    yield f
    f.close()


def wait_for(what, check, timeout=20, progress=None):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    extra = f" ({progress()})" if progress else ""
    raise AssertionError(f"timed out waiting for {what}: {last!r}{extra}")


class Linked:
    """wasim with accounts A and B, and a wagate linked as a companion of A."""

    def __init__(self, tmp_path, extra_env=None):
        self.tmp_path = tmp_path
        self.sim = Wasim(str(tmp_path / "wasim"))
        for phone, name in ((A, "Alice"), (B, "Bob")):
            status, body = self.sim.admin("POST", "/admin/accounts", {"phone": phone, "name": name})
            assert status in (200, 201), body
        self.ca = tmp_path / "wasim-ca.pem"
        status, info = self.sim.admin("GET", "/admin/info")
        assert status == 200, info
        self.ca.write_text(info["mediaCaPem"])
        self.env = {"WAGATE_WA_URL": self.sim.ws_url, "WAGATE_WA_ROOT_KEY": self.sim.root_key,
                    "WAGATE_WA_CA_FILE": str(self.ca), "WAGATE_MEDIA_ALLOW_PRIVATE": "1",
                    **(extra_env or {})}
        self.data = str(tmp_path / "wagate")
        self.w = None
        self.start()
        r = request(self.w.port, "POST", "/whatsapp/session/connect", AUTH, timeout=30)
        qr = r.json()["qr"]
        status, body = self.sim.admin("POST", f"/admin/accounts/{A}/scan", {"qr": qr})
        assert status in (200, 201), body
        self.wait_open()

    def start(self):
        self.w = Wagate(self.data, env_overrides=self.env)

    def wait_open(self, timeout=30):
        wait_for("open", lambda: request(self.w.port, "GET", "/whatsapp/session/status", AUTH)
                 .json()["status"] == "open", timeout)

    def send_text(self, to, text, headers=None):
        return request(self.w.port, "POST", "/whatsapp/message/send/text", {**AUTH, **(headers or {})},
                       body={"to": to, "text": text}, timeout=60)

    def messages(self, jid, limit=500):
        r = request(self.w.port, "GET", f"/whatsapp/messages/{jid}?limit={limit}", AUTH)
        assert r.status == 200, r.body
        return r.json()["items"]

    def all_messages(self, jid):
        """Every stored message of the chat, newest first, page by page."""
        out, cursor = [], None
        while True:
            q = f"/whatsapp/messages/{jid}?limit=500" + (f"&before={cursor}" if cursor else "")
            r = request(self.w.port, "GET", q, AUTH)
            assert r.status == 200, r.body
            page = r.json()
            out += page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return out

    def phone_received(self, phone):
        status, body = self.sim.admin("GET", f"/admin/accounts/{phone}/received")
        assert status == 200, body
        return body

    def phone_send(self, phone, body):
        status, out = self.sim.admin("POST", f"/admin/accounts/{phone}/send", body)
        assert status in (200, 201), out
        return out["id"]

    def close(self):
        if self.w:
            self.w.kill()
        self.sim.kill()


@pytest.fixture
def linked(tmp_path):
    l = Linked(tmp_path)
    yield l
    l.close()


def test_text_both_ways_with_receipts(linked):
    r = linked.send_text(B, "hello Bob")
    assert r.status == 201, r.body
    sent = r.json()
    # "sent" once the server acked; a fast receipt may have moved it on already.
    assert sent["status"] in ("sent", "delivered", "read") and sent["fromMe"]
    assert sent["jid"] == B_JID
    got = wait_for("B receives", lambda: [m for m in linked.phone_received(B)["messages"]
                                           if m["id"] == sent["id"]])
    assert got[0]["text"] == "hello Bob"
    # B's phone receipts it: the stored status moves forward.
    wait_for("delivered", lambda: linked.messages(B_JID)[0]["status"] in ("delivered", "read"))

    # WhatsApp timestamps are whole seconds: a second later, Bob's reply is
    # the chat's last message.
    time.sleep(1.1)
    mid = linked.phone_send(B, {"to": A, "text": "hi from Bob"})
    items = wait_for("wagate stores", lambda: [m for m in linked.messages(B_JID) if m["id"] == mid])
    m = items[0]
    assert m["content"] == "hi from Bob" and m["type"] == "text" and not m["fromMe"]
    assert m["sender"] == B_JID and m["pushName"] == "Bob"
    chats = request(linked.w.port, "GET", "/whatsapp/chats", AUTH).json()
    chat = [c for c in chats if c["jid"] == B_JID][0]
    assert chat["unreadCount"] == 1 and chat["lastMessage"]["id"] == mid

    # Bob's number ↔ LID, learned from usync and his message, is in the
    # store (it outlives a restart), committed with the Signal state.
    con = sqlite3.connect(linked.w.db[len("sqlite:"):])
    try:
        rows = con.execute("SELECT id, value FROM whatsapp_keys WHERE type = 'lid-mapping'"
                           " AND id = ?", (B,)).fetchall()
    finally:
        con.close()
    assert len(rows) == 1 and rows[0][1], rows


def test_media_both_ways_bytes_match(linked, files):
    photo = png_bytes()
    r = request(linked.w.port, "POST", "/whatsapp/message/send/media", AUTH, timeout=60,
                body={"to": B, "mediaUrl": files.url("/photo.png"), "mediaType": "image",
                      "caption": "a photo"})
    assert r.status == 201, r.body
    sent = r.json()
    assert sent["type"] == "image" and sent["mimeType"] == "image/png"
    got = wait_for("B gets the image", lambda: [m for m in linked.phone_received(B)["messages"]
                                                 if m["id"] == sent["id"]])
    assert base64.b64decode(got[0]["data"]) == photo
    assert got[0].get("caption") == "a photo"
    # Our own copy is served at the message's URL.
    path = sent["content"].split("127.0.0.1:%d" % linked.w.port, 1)[1]
    served = request(linked.w.port, "GET", path, AUTH)
    assert served.status == 200 and served.raw_body == photo

    doc = os.urandom(30000)
    mid = linked.phone_send(B, {"to": A, "mediaType": "document", "data": base64.b64encode(doc).decode(),
                                "fileName": "notes.bin", "mimetype": "application/octet-stream"})
    item = wait_for("document stored", lambda: [m for m in linked.messages(B_JID) if m["id"] == mid])[0]
    assert item["type"] == "document" and item["fileName"] == "notes.bin" and item["size"] == len(doc)
    path = item["content"].split("127.0.0.1:%d" % linked.w.port, 1)[1]

    def fetched():
        r = request(linked.w.port, "GET", path, AUTH)
        return r if r.status == 200 else None
    served = wait_for("document downloaded", fetched)
    assert served.raw_body == doc
    # Downloaded: the message no longer carries a mediaError.
    listed = [m for m in linked.messages(B_JID) if m["id"] == mid][0]
    assert "mediaError" not in listed, listed
    part = request(linked.w.port, "GET", path, {**AUTH, "range": "bytes=100-199"})
    assert part.status == 206 and part.raw_body == doc[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(doc)}"


def test_idempotency_key_sends_once(linked):
    headers = {"idempotency-key": "order-42"}
    first = linked.send_text(B, "once", headers)
    again = linked.send_text(B, "once", headers)
    assert first.status == 201 and again.status == 201
    assert first.json()["id"] == again.json()["id"]
    other = linked.send_text(B, "different", headers)
    assert other.status == 409, other.body
    time.sleep(1)
    assert [m["text"] for m in linked.phone_received(B)["messages"]].count("once") == 1


def test_bad_sends_are_clear_4xx_and_send_nothing(linked, files):
    r = linked.send_text("15550109999", "anyone?")
    assert r.status == 404, r.body
    assert "not on WhatsApp" in r.json()["message"]
    r = linked.send_text(B, "x" * 70000)
    assert r.status in (400, 413), r.body

    def media(url, kind="image"):
        return request(linked.w.port, "POST", "/whatsapp/message/send/media", AUTH, timeout=60,
                       body={"to": B, "mediaUrl": url, "mediaType": kind})
    assert media(files.url("/missing.png")).status == 503
    r = media(files.url("/doc.pdf"))
    assert r.status == 400 and "application/pdf" in str(r.json()["message"]), r.body
    r = media(files.url("/photo.png"), "video")
    assert r.status == 400, r.body
    assert media("http://127.0.0.1:1/x.png").status == 503
    before = len(linked.phone_received(B)["messages"])
    time.sleep(0.5)
    assert len(linked.phone_received(B)["messages"]) == before


def test_private_media_urls_refused_and_size_limit(tmp_path, files):
    l = Linked(tmp_path, {"WAGATE_MEDIA_ALLOW_PRIVATE": "0", "WAGATE_MEDIA_MAX_BYTES": "10k"})
    try:
        r = request(l.w.port, "POST", "/whatsapp/message/send/media", AUTH, timeout=60,
                    body={"to": B, "mediaUrl": files.url("/photo.png"), "mediaType": "image"})
        assert r.status == 400 and "private" in str(r.json()["message"]), r.body
        l.w.stop()
        l.env["WAGATE_MEDIA_ALLOW_PRIVATE"] = "1"
        l.start()
        l.wait_open()
        r = request(l.w.port, "POST", "/whatsapp/message/send/media", AUTH, timeout=60,
                    body={"to": B, "mediaUrl": files.url("/doc.pdf"), "mediaType": "document"})
        assert r.status == 413, r.body
    finally:
        l.close()


def test_group_messages_both_ways(linked):
    status, group = linked.sim.admin("POST", "/admin/groups",
                                     {"subject": "Team", "participants": [A, B]})
    assert status in (200, 201), group
    gjid = group["jid"]
    mid = linked.phone_send(B, {"to": gjid, "text": "hello group"})
    item = wait_for("group message", lambda: [m for m in linked.messages(gjid) if m["id"] == mid])[0]
    assert item["sender"] == B_JID and item["content"] == "hello group"
    r = linked.send_text(gjid, "hi all")
    assert r.status == 201, r.body
    wait_for("B gets the group message", lambda: [m for m in linked.phone_received(B)["messages"]
                                                  if m["id"] == r.json()["id"]])


def test_burst_of_incoming_messages_none_lost_none_duplicated_in_order(linked):
    ids = [linked.phone_send(B, {"to": A, "text": f"burst {i}"}) for i in range(200)]
    items = wait_for("all stored", lambda: (lambda got: got if len(got) >= 200 else None)(
        [m for m in linked.messages(B_JID) if m["content"].startswith("burst ")]), timeout=60)
    assert len(items) == 200
    assert sorted(m["id"] for m in items) == sorted(ids)
    # Newest first, in arrival order.
    assert [m["content"] for m in reversed(items)] == [f"burst {i}" for i in range(200)]


def test_kill_9_mid_burst_loses_nothing(linked):
    n = 5000
    sender = threading.Thread(
        target=lambda: [linked.phone_send(B, {"to": A, "text": f"crash {i}"}) for i in range(n)])
    sender.start()
    wait_for("some stored", lambda: len([m for m in linked.messages(B_JID)
                                         if m["content"].startswith("crash ")]) > 100, timeout=60)
    os.kill(linked.w.proc.pid, signal.SIGKILL)
    linked.w.proc.wait(10)
    sender.join(120)
    linked.start()
    linked.wait_open()
    def stored():
        got = [m for m in linked.all_messages(B_JID) if m["content"].startswith("crash ")]
        return got if len(got) >= n else len(got)
    items = wait_for("all stored after the restart",
                     lambda: (lambda g: g if isinstance(g, list) else None)(stored()), timeout=180,
                     progress=lambda: f"stored {stored()!r:.40}, pending at wasim "
                                      f"{linked.sim.admin('GET', f'/admin/accounts/{A}/pending')[1]}")
    contents = [m["content"] for m in items]
    assert len(contents) == n and len(set(contents)) == n, (len(contents), len(set(contents)))
    # Signal sessions still decrypt after the crash.
    mid = linked.phone_send(B, {"to": A, "text": "after the crash"})
    wait_for("decrypts after restart", lambda: [m for m in linked.messages(B_JID) if m["id"] == mid])
