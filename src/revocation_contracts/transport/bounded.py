"""Every request the suite sends is bounded: one total deadline, a body cap, no redirects, no cookies.

Why: users point the suite, holding real client secrets, at endpoints they do not control
(issue 10). A ``requests`` session out of the box trusts the server, and the runner's
environment, in five ways this module takes away:

- **Redirects.** ``requests`` follows a 3xx and, for 307/308, replays the body (the client
  secret, the token) to wherever ``Location`` points. ``BoundedSession`` never follows a
  redirect, whatever a caller passes as ``allow_redirects``: a 3xx is an answer to judge.
- **Time.** ``timeout=`` bounds each socket read, not the request: a server that drips one
  byte a second never trips it. Here a request has one total deadline (connect, headers and
  body together); when it passes, a watchdog thread shuts the request's socket down and the
  request fails with ``requests.exceptions.ReadTimeout``.
- **Memory.** ``response.content`` reads the whole body, and decompresses it whole: a 5 MB
  gzip bomb becomes 5 GB. Here the body is read, and gzip/deflate decoded, in chunks with a
  counter, up to ``BODY_CAP`` bytes; past it reading stops, the connection is dropped and
  the answer is judged as oversized (``OversizedAnswer``, clause ``PIN-answer-size``).
- **State.** A cookie jar sends the target's cookies back on every later request, hidden
  state between tests; ``BoundedSession``'s jar refuses every cookie.
- **Environment.** With ``trust_env`` on, ``requests`` adds the ``~/.netrc`` credentials of
  the target's host as HTTP Basic to every request that passes no ``auth=``, replacing the
  header the suite set itself (a request meant to carry no credentials, or another client's,
  would carry the runner's), and sends everything through ``HTTP(S)_PROXY``/``ALL_PROXY``.
  ``BoundedSession`` turns ``trust_env`` off; only the CA bundle variables
  (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) are still read, as ``requests`` reads them, so
  a private CA keeps working.

A connection cut mid-body or a body that cannot be decoded is a ``TargetCutOff``, a
``requests.exceptions.ConnectionError``: a target problem (exit 6), never a contract verdict.
"""

from __future__ import annotations

import contextlib
import heapq
import http.cookiejar
import os
import socket
import threading
import time
import zlib
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

BODY_CAP = 1024 * 1024
CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 10.0
OVERSIZED_CLAUSE = "PIN-answer-size"
# Only encodings this module decodes under the cap are offered (requests would add br/zstd).
ACCEPT_ENCODING = "gzip, deflate"


class TargetCutOff(requests.exceptions.ConnectionError):
    """The answer could not be read to its end: connection cut, malformed framing or encoding."""


class OversizedAnswer(AssertionError):
    """A verdict, not a transport problem: no revocation answer needs more than ``BODY_CAP`` bytes.

    Raised instead of returning the response, so no check judges a truncated body.
    """

    def __init__(self, method: str, url: str, cap: int) -> None:
        super().__init__(
            f"[{OVERSIZED_CLAUSE}] {method} {url} answered with a body of more than {cap // 1024} KiB "
            "(after decompression); the suite stopped reading it: no revocation answer is that large"
        )


class _Deadline:
    """One request's deadline and the sockets to shut down when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.fired = False
        self.done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def fire(self) -> None:
        with self._lock:
            if self.done:  # the request ended: its sockets may serve another request now
                return
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wake any thread blocked reading ``sock``: its read sees end of stream."""
    # The plain socket's method: on a TLS socket, SSLSocket.shutdown would also drop its state.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread firing deadlines in order; cheaper than a timer thread per request."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._cond = threading.Condition()
        self._counter = 0
        self._thread: threading.Thread | None = None

    def add(self, deadline: _Deadline) -> None:
        with self._cond:
            self._counter += 1
            heapq.heappush(self._heap, (deadline.at, self._counter, deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="revocation-contracts-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                # Only an earlier deadline than the one the thread waits for needs it awake: waking it
                # for every request cost a thread switch each (0.9 s of a 20 s embedded run, issue 21).
                self._cond.notify()

    def discard(self, deadline: _Deadline) -> None:
        with deadline._lock:
            deadline.done = True
            deadline._sockets.clear()
        with self._cond:
            deadline.at = float("-inf")  # the thread drops it without firing (see _run)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, deadline = self._heap[0]
                now = time.monotonic()
                if deadline.at == float("-inf"):
                    heapq.heappop(self._heap)
                    continue
                if at > now:
                    self._cond.wait(at - now)
                    continue
                heapq.heappop(self._heap)
            deadline.fire()


_WATCHDOG = _Watchdog()
_current = threading.local()


def _watch_current(sock: socket.socket | None) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


if TYPE_CHECKING:
    # The mixin's base, for the type checker only: at run time it sits before a real connection class.
    _ConnectionBase = HTTPConnection
else:
    _ConnectionBase = object


class _Watched(_ConnectionBase):
    """Hands its socket to the running request's deadline, on connect and on every reuse
    (one mixin for the HTTP and the HTTPS connection: only their base differs)."""

    def connect(self) -> None:
        super().connect()
        _watch_current(self.sock)

    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


POOL_CLASSES = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def total_seconds(timeout: Any) -> float:
    """The one number a caller's ``timeout=`` stands for: a float, the larger of a pair, or the default."""
    if isinstance(timeout, tuple):
        numbers = [value for value in timeout if isinstance(value, int | float)]
        return float(max(numbers)) if numbers else DEFAULT_TIMEOUT
    if isinstance(timeout, int | float) and timeout > 0:
        return float(timeout)
    total = getattr(timeout, "total", None)
    return float(total) if isinstance(total, int | float) else DEFAULT_TIMEOUT


class _CappedDecoder:
    """Decodes gzip or deflate chunk by chunk, never producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        self._pending = b""

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to ``limit`` decoded bytes of ``data`` plus what earlier calls left over."""
        if self._zlib is None:
            return data
        out = bytearray()
        pending = self._pending + data
        while pending and len(out) < limit:
            try:
                out += self._zlib.decompress(pending, limit - len(out))
            except zlib.error:
                if self.encoding == "deflate" and not out and self._zlib.eof is False:
                    # Some servers send raw deflate without the zlib header (urllib3 accepts both).
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.encoding = "raw-deflate"
                    continue
                raise
            pending = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data
                # A gzip body may hold several members, one after the other.
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS) if rest and "gzip" in self.encoding else None
                pending = rest if self._zlib is not None else b""
                if self._zlib is None:
                    break
        self._pending = pending
        return bytes(out)


def read_capped(response: requests.Response, cap: int = BODY_CAP) -> None:
    """Read ``response``'s body into ``response.content``, decoded, at most ``cap`` bytes of it."""
    raw = response.raw
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    decoder = _CappedDecoder(encoding)
    body = bytearray()
    oversized = False
    try:
        for chunk in raw.stream(CHUNK, decode_content=False):
            body += decoder.feed(chunk, cap + 1 - len(body))
            if len(body) > cap:
                oversized = True
                break
    except (Urllib3Error, OSError, zlib.error, ValueError) as exc:
        response.close()
        message = f"the answer was cut off or malformed while reading its body: {exc}"
        raise TargetCutOff(message, response=response) from exc
    if oversized:
        response.close()  # drops the connection: the rest is never read
        request = response.request
        raise OversizedAnswer(str(request.method), str(request.url), cap)
    response._content = bytes(body)
    response._content_consumed = True  # type: ignore[attr-defined]
    response.close()  # body read to its end: the connection goes back to the pool


class BoundedAdapter(HTTPAdapter):
    """Sends one request under one total deadline and reads its body under the cap."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return self.send_bounded(request, **kwargs)

    def send_bounded(self, request: requests.PreparedRequest, timeout: Any = None, **kwargs: Any) -> requests.Response:
        seconds = total_seconds(timeout)
        deadline = _Deadline(seconds)
        _current.deadline = deadline
        _WATCHDOG.add(deadline)
        try:
            kwargs["stream"] = True
            response = HTTPAdapter.send(self, request, timeout=(seconds, seconds), **kwargs)
            read_capped(response)
        except requests.RequestException as exc:
            if deadline.fired:
                raise requests.exceptions.ReadTimeout(
                    f"no complete answer within {seconds:g}s (connect, headers and body)", request=request
                ) from exc
            raise
        finally:
            _current.deadline = None
            _WATCHDOG.discard(deadline)
        if deadline.fired:
            raise requests.exceptions.ReadTimeout(
                f"no complete answer within {seconds:g}s (connect, headers and body)", request=request
            )
        return response


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Accepts no cookie and returns none: no hidden state between requests."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


class BoundedSession(requests.Session):
    """A session that never follows a redirect, never keeps a cookie, and reads no ``.netrc`` or proxy."""

    def __init__(self) -> None:
        super().__init__()
        self.cookies = RequestsCookieJar(policy=_NoCookies())
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING
        self.trust_env = False
        ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if ca_bundle:
            self.verify = ca_bundle

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """No redirect is ever followed (``requests`` follows only what this returns)."""
        return None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)
