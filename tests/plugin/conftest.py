"""Fixtures of the plugin tests: loopback servers that misbehave in one way each (see loopback.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from .loopback import CannedServer


@pytest.fixture
def canned_server() -> Iterator[Callable[..., CannedServer]]:
    """A factory of loopback servers answering everything with (status, headers, body)."""
    servers: list[CannedServer] = []

    def start(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> CannedServer:
        server = CannedServer(status, headers or {}, body)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (in the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def uses_target(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester directory holding one test that asks for the target (builds it, sends nothing)."""
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    assert target.url\n")
    return pytester
