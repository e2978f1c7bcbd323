"""Serve a reference app over real loopback HTTP, in a background thread.

Why uvicorn in a thread: a server starts in milliseconds, shares nothing but the store, and
dies with its process, so no orphaned servers survive a crash. ``host.py`` can put these
threads in one child process, so that they do not share a core and the interpreter lock with
the client (off by default: ``pool.SERVERS_IN_CHILD`` says why).
The server binds port 0 and reports the port the kernel chose, so parallel sessions
(pytest-xdist workers) never collide.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import uvicorn

from revocation_contracts.model.contract import Contract
from revocation_contracts.reference.app import build_app
from revocation_contracts.reference.bugs import validate_bug_names
from revocation_contracts.reference.store import TokenStore

STARTUP_TIMEOUT = 10.0


class ReferenceServer:
    """A running reference server for one contract; use as a context manager or start/stop."""

    def __init__(
        self,
        contract: Contract,
        bugs: frozenset[str] = frozenset(),
        host: str = "127.0.0.1",
        front: Callable[[Any, TokenStore], Any] | None = None,
    ) -> None:
        """``front(app, store)``: an ASGI app to serve in front of the reference app, on the same
        store (the project's tests and benchmark put an OAuth token endpoint there)."""
        self.contract = contract
        self.bugs = validate_bug_names(bugs)
        self.store = TokenStore()
        self.host = host
        app = build_app(contract, self.store, self.bugs)
        config = uvicorn.Config(
            front(app, self.store) if front is not None else app,
            host=host,
            port=0,
            log_level="critical",
            access_log=False,
            lifespan="off",
            # Keep-alive connections from the suite stay open between examples.
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("reference server is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> ReferenceServer:
        self._thread = threading.Thread(target=self._server.run, name=f"reference-{self.contract.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.contract.name} reference server did not start")
            time.sleep(0.005)
        sockets = self._server.servers[0].sockets
        self.port = sockets[0].getsockname()[1]
        return self

    def request_stop(self) -> None:
        """Ask the server to exit without waiting; lets a pool stop many servers at once."""
        self._server.should_exit = True

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_TIMEOUT)
        self._thread = None

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
