"""A hostile revocation endpoint on loopback: every way a target can misbehave, one per path.

Run as ``python server.py RECORD_DIR LIFETIME``; it binds two ports on 127.0.0.1 (the
target and a *sink*, another host:port a redirect points to), prints ``PORT SINK_PORT``
on one line, and exits by itself after LIFETIME seconds (the tests also stop it by pid).
Raw sockets, not ``http.server``: most modes send what no HTTP library would.

The first path segment picks the mode and names the run: ``/drip.k3/revoke`` is the
``drip`` mode for run ``drip.k3``, so one server process serves a whole test module and
each test reads back only its own requests. Every request received, target and sink
alike, is appended raw to ``RECORD_DIR/<port>.log`` as one JSON line, so a test can prove
that no secret reached the sink and that no cookie ever came back.

Modes (``AFTER_ONE``: the first request of a run, the suite's preflight probe, gets a
plain 400 answer, so the misbehaviour meets the tests and not only the probe):

hang        after one answer, read each request and never answer
drip        after one answer, answer one byte per second, status line included
reset       after one answer, send headers and a tenth of the body, then a TCP reset
garbage     after one answer, bytes that are not HTTP
redirect    after one answer, 307 to the sink (which records what it receives)
gzip        200 with a gzip body that decodes to 5 GB (5 MB on the wire)
huge        200 with a 10 GiB body of spaces
basic_echo  200 that repeats the request's Authorization header in X-Echo-Authorization
html        after one answer, 200 text/html for everything (a page for the probe is a gate:
            tests/plugin/test_preflight.py)
error500    500 for everything
throttle429 429 for everything (no Retry-After)
busy503     503 for everything, Retry-After of a billion seconds
cookies     400 with a Set-Cookie on every answer
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
import time
import zlib
from pathlib import Path

AFTER_ONE = frozenset({"hang", "drip", "reset", "garbage", "redirect", "html"})
PLAIN_400 = b'{"error":"invalid_request"}'
COOKIE = "rc_hostile_session=rc-cookie-7d1e5b"


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()

    def record(self, raw: bytes) -> None:
        with self.lock, self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"raw": raw.decode("latin-1")}) + "\n")


def read_request(conn: socket.socket) -> tuple[bytes, str]:
    """The raw request (head and body) and its path; ``b""`` when the peer sent nothing."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data, ""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    return head + b"\r\n\r\n" + body, parts[1].decode("latin-1") if len(parts) > 1 else ""


def header_value(raw: bytes, wanted: str) -> str:
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == wanted.lower().encode():
            return value.strip().decode("latin-1")
    return ""


def answer(status: str, headers: dict[str, str], body: bytes = b"", length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers.items())]
    lines.append(f"Content-Length: {len(body) if length is None else length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def plain_400(extra: dict[str, str] | None = None) -> bytes:
    return answer("400 Bad Request", {"Content-Type": "application/json", **(extra or {})}, PLAIN_400)


def gzip_bomb_parts() -> tuple[bytes, bytes, int]:
    """A gzip header with a first block, a block to repeat, and how often (5 GB decoded in all)."""
    zeros = b"\0" * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head, block, 5000


class Hostile:
    def __init__(self, record_dir: Path) -> None:
        self.target = socket.create_server(("127.0.0.1", 0))
        self.sink = socket.create_server(("127.0.0.1", 0))
        self.port = self.target.getsockname()[1]
        self.sink_port = self.sink.getsockname()[1]
        self.records = {
            self.port: Recorder(record_dir / f"{self.port}.log"),
            self.sink_port: Recorder(record_dir / f"{self.sink_port}.log"),
        }
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.bomb = gzip_bomb_parts()

    def serve(self, listener: socket.socket) -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=self.handle, args=(conn, listener), daemon=True).start()

    def handle(self, conn: socket.socket, listener: socket.socket) -> None:
        try:
            raw, path = read_request(conn)
            if not raw:
                return
            self.records[listener.getsockname()[1]].record(raw)
            if listener is self.sink:
                conn.sendall(answer("200 OK", {}))
                return
            run = path.strip("/").split("/", 1)[0]
            mode = run.split(".", 1)[0]
            with self.lock:
                count = self.seen[run] = self.seen.get(run, 0) + 1
            if mode in AFTER_ONE and count == 1:
                conn.sendall(plain_400())
                return
            getattr(self, f"mode_{mode}", self.mode_unknown)(conn, raw, run)
        except OSError:
            pass  # the suite hung up, as it should past its deadline or the body cap
        finally:
            conn.close()

    def mode_unknown(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(answer("404 Not Found", {}))

    def mode_hang(self, conn: socket.socket, raw: bytes, run: str) -> None:
        while conn.recv(65536):
            pass

    def mode_drip(self, conn: socket.socket, raw: bytes, run: str) -> None:
        for byte in answer("200 OK", {"Content-Type": "application/json"}, b" " * 100000):
            conn.sendall(bytes([byte]))
            time.sleep(1.0)

    def mode_reset(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(answer("200 OK", {"Content-Type": "application/json"}, b'{"partial": ', length=1000))
        time.sleep(0.05)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def mode_garbage(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(b"\x00\xff\xfe GARBAGE \x1b[31m not http at all \r\n\r\n\x00" * 4)

    def mode_redirect(self, conn: socket.socket, raw: bytes, run: str) -> None:
        location = f"http://127.0.0.1:{self.sink_port}/{run}/revoke"
        conn.sendall(answer("307 Temporary Redirect", {"Location": location}))

    def mode_gzip(self, conn: socket.socket, raw: bytes, run: str) -> None:
        head, block, count = self.bomb
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        conn.sendall(answer("200 OK", headers, head, length=len(head) + count * len(block)))
        for _ in range(count):
            conn.sendall(block)

    def mode_huge(self, conn: socket.socket, raw: bytes, run: str) -> None:
        size, chunk = 10 * 1024**3, b" " * 65536
        conn.sendall(answer("200 OK", {"Content-Type": "application/json"}, length=size))
        for _ in range(size // len(chunk)):
            conn.sendall(chunk)

    def mode_basic_echo(self, conn: socket.socket, raw: bytes, run: str) -> None:
        echo = header_value(raw, "Authorization") or "none"
        conn.sendall(answer("200 OK", {"X-Echo-Authorization": echo}))

    def mode_html(self, conn: socket.socket, raw: bytes, run: str) -> None:
        page = b"<!doctype html><html><body><h1>Welcome</h1></body></html>"
        conn.sendall(answer("200 OK", {"Content-Type": "text/html; charset=utf-8"}, page))

    def mode_error500(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(answer("500 Internal Server Error", {"Content-Type": "text/plain"}, b"Internal Server Error"))

    def mode_throttle429(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(answer("429 Too Many Requests", {"Content-Type": "text/plain"}, b"slow down"))

    def mode_busy503(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(answer("503 Service Unavailable", {"Retry-After": "1000000000"}, b"come back much later"))

    def mode_cookies(self, conn: socket.socket, raw: bytes, run: str) -> None:
        conn.sendall(plain_400({"Set-Cookie": f"{COOKIE}; Path=/"}))


def main() -> None:
    record_dir, lifetime = Path(sys.argv[1]), float(sys.argv[2])
    server = Hostile(record_dir)
    for listener in (server.target, server.sink):
        threading.Thread(target=server.serve, args=(listener,), daemon=True).start()
    print(server.port, server.sink_port, flush=True)
    time.sleep(lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
