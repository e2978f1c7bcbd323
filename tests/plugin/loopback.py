"""Loopback stand-ins for someone else's server: each misbehaves in exactly one way.

Every one binds 127.0.0.1 on a port the kernel picks, so the tests never leave the machine
and run in parallel (pytest-xdist) without colliding.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CONTRACT_SUITE = Path(__file__).resolve().parents[1] / "contract"


class CannedServer(ThreadingHTTPServer):
    """Answers every request, whatever the method or path, with one canned response; counts them."""

    daemon_threads = True

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.canned_headers, self.body = status, headers, body
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _CannedHandler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        """``METHOD /path`` of every request received, in order."""
        with self._lock:
            return [line for line, _, _ in self.received]

    def record(self, line: str, headers: dict[str, str], body: bytes) -> None:
        with self._lock:
            self.received.append((line, headers, body))


class _CannedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CannedServer

    def handle_one_request(self) -> None:
        # Every method, TRACE and QUERY included, gets the canned answer.
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record(f"{self.command} {self.path}", dict(self.headers), body)
        self.send_response(self.server.status)
        for name, value in self.server.canned_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass


CREDENTIALS = ("--client-id", "rc-client", "--client-secret", "rc-secret-value-9f2e")


def assert_one_clear_line(result: pytest.RunResult) -> None:
    """No traceback anywhere: a problem is one line, not a wall."""
    lines = result.outlines + result.errlines
    assert not any("Traceback" in line for line in lines)
    assert not any(line.lstrip().startswith('File "') or line.startswith(("E   ", ">   ")) for line in lines)
