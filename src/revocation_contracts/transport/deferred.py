"""Session stand-ins that split one library call into "what would be sent" and "what came back".

Why (issue 21): the schema test's cases are sent by schemathesis (``Case.call``), which builds
the request, runs the hooks, and sends it on the session it is given, one at a time. Against a
target 150 ms away that chain of about a hundred round trips is the longest of the run. The
cases are independent, so they can be on the wire together, but ``Case.call`` cannot run in a
thread: it swaps the session's ``headers`` out and back while it sends (two threads doing that
on one session lose its headers) and builds requests with code that may import or compile.

So the main thread calls ``Case.call`` twice per case, and only the wire goes to threads:

- with a ``Capture``, which raises ``Captured`` holding the keyword arguments the library
  passes to ``Session.request``: exactly what it would have sent, nothing sent;
- those arguments go to the real session, side by side (``send``: a thread does no more than
  ``Session.request`` and reading the body, as the library's own transport does);
- with a ``Replay``, which hands the library the answer already received, after checking the
  library asked for the very same request (else ``ReplayMismatch``: the caller falls back).

Both stand-ins carry the real session's ``headers`` (the library merges them into the request),
no ``auth`` and no adapters, so what is captured is what the library would send on the real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


class Captured(Exception):  # not an error: the request the library would have sent
    """Raised by ``Capture.request``: ``kwargs`` are ``Session.request``'s keyword arguments."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__("request captured, not sent")
        self.kwargs = kwargs


class ReplayMismatch(Exception):
    """The library asked a ``Replay`` for another request than the one captured."""


class _StandIn:
    """What schemathesis' requests transport reads or sets on a session, besides ``request``."""

    def __init__(self, headers: Mapping[str, Any]) -> None:
        self.headers: Any = dict(headers)
        self.auth = None
        self.adapters: dict[str, Any] = {}
        self.max_redirects = 0


class Capture(_StandIn):
    """A session that sends nothing: its one request is raised as ``Captured``."""

    def request(self, **kwargs: Any) -> requests.Response:
        raise Captured(kwargs)


class Replay(_StandIn):
    """A session whose one request is answered by ``response``, if it is the ``expected`` one."""

    def __init__(self, headers: Mapping[str, Any], expected: dict[str, Any], response: requests.Response) -> None:
        super().__init__(headers)
        self._expected = expected
        self._response = response

    def request(self, **kwargs: Any) -> requests.Response:
        if kwargs != self._expected:
            raise ReplayMismatch("the replayed request differs from the captured one")
        return self._response


def send(session: requests.Session, kwargs: dict[str, Any]) -> requests.Response:
    """Send captured arguments on the real session and read the whole body (in a worker thread)."""
    response = session.request(**kwargs)
    response.content  # noqa: B018 - read here, on the wire's thread, as the library reads it
    return response


def stand_ins_fit(session: requests.Session) -> bool:
    """Whether captured requests are the ones the library would send on ``session`` (no auth)."""
    return session.auth is None
