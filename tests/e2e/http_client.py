"""A small HTTP client over raw sockets, so tests control exactly what is sent
(pipelining, partial bodies, oversized headers) — urllib hides all of that."""
import hmac
import base64
import hashlib
import json
import socket
import time


class Response:
    def __init__(self, status, headers, raw_body):
        self.status = status
        self.headers = headers
        self.raw_body = raw_body
        self.body = raw_body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


def read_response(sock, buf=b""):
    """Reads one HTTP/1.1 response (Content-Length bodies only); returns (resp, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before headers: %r" % buf[:200])
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside body")
        buf += chunk
    return Response(status, headers, buf[:n]), buf[n:]


def build(method, path, headers=None, body=None):
    headers = dict(headers or {})
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
        headers["Content-Length"] = str(len(data))
    elif method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = "0"
    headers.setdefault("Host", "127.0.0.1")
    req = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return req.encode() + b"\r\n" + data


def request(port, method, path, headers=None, body=None, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(build(method, path, headers, body))
        resp, _ = read_response(s)
        return resp


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(secret, claims, alg="HS256"):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing = f"{header}.{payload}".encode()
    if alg == "none":
        return f"{header}.{payload}."
    sig = hmac.new(secret.encode(), signing, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(sig)}"


def now():
    return int(time.time())
