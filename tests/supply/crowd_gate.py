"""A server that cannot take two requests at once: the development server of issue 17, on loopback.

Why: a real server on SQLite locked its database under the suite's overlapped requests and
answered 500 (after seconds), while it answered every request sent one at a time. This ASGI
wrapper, put in front of the reference server with its OAuth face (``oauth_front.py``), does
the same on purpose: each request holds "the database" for ``WORK`` seconds, and a request
that arrives while another is held, and the one it disturbs, fail without doing anything
(a rolled-back transaction): a 500, or (``hang``) no answer until well past the client's
timeout. Alone, every request reaches the reference server and is answered correctly.

``always``: paths that fail even alone (a token endpoint that is really broken).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import JSONResponse

WORK = 0.01  # seconds a request holds the database


class _Request:
    __slots__ = ("disturbed",)

    def __init__(self) -> None:
        self.disturbed = False


class CrowdGate:
    """ASGI: one request at a time is served; the crowded ones fail (counted in ``refused``)."""

    def __init__(self, app: Any, *, hang: float | None = None, always: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.hang = hang
        self.always = always
        self.refused = 0
        self.served = 0
        self._held: set[_Request] = set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _Request()
        for other in self._held:
            other.disturbed = True
        request.disturbed = bool(self._held) or scope.get("path") in self.always
        self._held.add(request)
        try:
            await asyncio.sleep(WORK)
            if not request.disturbed:
                self.served += 1
                await self.app(scope, receive, send)
                return
        finally:
            self._held.discard(request)
        self.refused += 1
        if self.hang is not None:
            await asyncio.sleep(self.hang)  # the client has given up by now
        response = JSONResponse({"error": "server_error", "error_description": "database is locked"}, status_code=500)
        await response(scope, receive, send)


def with_crowd_gate(front: Any, gates: list[CrowdGate], **options: Any) -> Any:
    """A ``ReferenceServer`` ``front``: ``front``'s app behind a ``CrowdGate`` (appended to ``gates``)."""

    def build(app: Any, store: Any) -> Any:
        gate = CrowdGate(front(app, store), **options)
        gates.append(gate)
        return gate

    return build
