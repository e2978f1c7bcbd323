"""Real servers on loopback for the token-supply tests: Authlib, and a tiny scripted HTTP server.

The Authlib servers (``tests/libraries/authlib_server.py``) are the third-party OAuth server a
user meets; each runs in its own subprocess, bounded in time and stopped by its pid. The
scripted server answers fixed bodies for the failure cases a conforming Authlib never
produces (a metadata document that names another issuer, a token endpoint answering HTML).
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.libraries.authlib_server import CLIENTS, AuthlibServer
from tests.planted.conftest import SuiteRun, run_suite

from .thread_audit import AUDIT_ENV, describe, read_audit, unsafe

if TYPE_CHECKING:
    from revocation_contracts.pytest_plugin.pool import TargetPool
    from revocation_contracts.target import Target

SERVER_LIFETIME = 600.0
REPO = Path(__file__).resolve().parents[2]
CONTRACT_SUITE = REPO / "tests" / "contract"
AUDIT_FILE = "thread-audit.json"


def run_contract_suite(
    workdir: Path,
    *args: str,
    path: Path = CONTRACT_SUITE,
    secrets: Iterable[str],
    env: dict[str, str] | None = None,
    examples: int = 5,
    seed: int = 7,
) -> SuiteRun:
    """The rfc7009 contract suite in a child pytest (5 examples, seed 7; ``run_suite``);
    asserts that none of ``secrets`` reached its output or JUnit XML."""
    run = run_suite(
        workdir, ["rfc7009"], seed=seed, extra=["--max-examples", str(examples), *args], paths=[path], env=env
    )
    junit = (workdir / "junit.xml").read_text()
    for secret in secrets:
        assert secret not in run.output and secret not in junit, "a secret leaked into the output"
    return run


@pytest.fixture(scope="session")
def authlib() -> Iterator[AuthlibServer]:
    """Authlib with RFC 8414 metadata, introspection of both token types, no rotation."""
    with AuthlibServer(lifetime=SERVER_LIFETIME) as server:
        yield server


@pytest.fixture(scope="session")
def authlib_bare() -> Iterator[AuthlibServer]:
    """Authlib without metadata, rotating refresh tokens, introspection of access tokens only."""
    with AuthlibServer(
        "--no-metadata", "--rotate-refresh", "--introspect-access-only", lifetime=SERVER_LIFETIME
    ) as server:
        yield server


def audited(workdir: Path) -> tuple[list[str], dict[str, str]]:
    """Options and environment that load ``thread_audit.py`` into a child run (its file in ``workdir``)."""
    path = os.pathsep.join(part for part in (str(REPO), os.environ.get("PYTHONPATH", "")) if part)
    return ["-p", "tests.supply.thread_audit"], {"PYTHONPATH": path, AUDIT_ENV: str(workdir / AUDIT_FILE)}


def assert_threads_quiet(workdir: Path) -> None:
    """No thread but the main one imported, or compiled without the parse lock, in the audited run."""
    found = unsafe(read_audit(workdir / AUDIT_FILE))
    assert not found, "worker threads imported or compiled:\n" + describe(found)


def client_args(second: bool = True) -> list[str]:
    (first_id, (first_secret, _)), (second_id, (second_secret, _)) = CLIENTS.items()
    args = ["--client-id", first_id, "--client-secret", first_secret]
    if second:
        args += ["--second-client-id", second_id, "--second-client-secret", second_secret]
    return args


class Scripted:
    """A loopback HTTP server answering ``routes[path] = (status, content type, body)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.delay = 0.0  # seconds each answer takes (so that requests overlap)
        self.hits = 0
        routes = self.routes
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                scripted.hits += 1
                time.sleep(scripted.delay)
                status, media_type, body = routes.get(self.path.split("?")[0], (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.timer = threading.Timer(SERVER_LIFETIME, self.httpd.shutdown)
        self.timer.daemon = True
        self.timer.start()

    def json(self, path: str, document: object, status: int = 200) -> None:
        self.routes[path] = (status, "application/json", json.dumps(document).encode())

    def text(self, path: str, body: str, status: int = 200, media_type: str = "text/html") -> None:
        self.routes[path] = (status, media_type, body.encode())

    def stop(self) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def authlib_pool(authlib: AuthlibServer, token_command: str | None = None) -> tuple[TargetPool, Target]:
    """The rfc7009 target a session builds for Authlib's issuer (discovery applied), and its pool.

    Both registered clients; ``token_command`` mints instead of the built-in supply.
    """
    from revocation_contracts.pytest_plugin.pool import TargetPool
    from revocation_contracts.pytest_plugin.settings import Settings
    from revocation_contracts.redact import Redactor
    from revocation_contracts.supply.discovery import apply_discovery

    (a_id, (a_secret, _)), (b_id, (b_secret, _)) = CLIENTS.items()
    settings = Settings(
        specs=("rfc7009",), target_url=None, endpoint_path=None, client_id=a_id, client_secret=a_secret,
        second_client_id=b_id, second_client_secret=b_secret, token_command=token_command, probe_command=None,
        max_examples=5, request_timeout=5, rate_limit=None, strict=False, reference_bugs=frozenset(),
        issuer=authlib.url,
    )  # fmt: skip
    settings = dataclasses.replace(apply_discovery(settings))
    pool = TargetPool(settings, Redactor(a_secret, b_secret))
    return pool, pool.get(settings.contracts()[0])
