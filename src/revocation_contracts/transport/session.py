"""One gentle HTTP session per target: keep-alive, a rate limit, bounded 429/503 retries, a breaker.

Why an adapter and not a wrapper around each call: schemathesis sends its requests through
the ``requests.Session`` we hand it, and so do the explicit and semantic tests, the token
supply and the preflight. Mounting the policy on the session means every request the suite
makes, from every layer, is bounded (``bounded.py``: deadline, body cap, no redirects, no
cookies), throttled and retried the same way, and keep-alive connections are reused.

RFC 7009 section 2.2.1: a 503 means the token may still exist, and ``Retry-After`` may say
when to come back. A 429 is the same kind of answer from a rate limiter. Neither is a
contract failure on its own (docs/contracts.md); the suite waits (honouring ``Retry-After`` up to
``MAX_WAIT`` seconds per wait), retries a bounded number of times, and if the target still
refuses, raises TargetThrottled: the test is reported as throttled, never judged on it.

A request that fails while others are in flight is sent again alone, and the run goes on one
request at a time (``flight.py``); only failures one at a time reach the breaker.

Stated bounds (``Breaker``): three requests in a row without an answer (timeout, reset,
refused, cut mid-body) stop the run with exit 6, after at most 3 x ``--request-timeout``
(each sent again at most twice alone if it failed beside others);
waiting on 429/503 is capped per wait (``MAX_WAIT``) and in all (``--max-throttle-wait``,
default 60 s), and three throttled requests in a row, or the budget spent, stop the run
with exit 8.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from revocation_contracts.transport.bounded import BoundedAdapter, BoundedSession, TargetCutOff
from revocation_contracts.transport.errors import first_cause
from revocation_contracts.transport.flight import FLIGHT, PAUSE_ALONE, RETRIES_ALONE

THROTTLE_STATUSES = frozenset({429, 503})
# Answers that say the server failed (503 is throttling, above): judged when answered to a
# request alone, sent again alone when answered beside other requests (flight.py).
SERVER_ERRORS = frozenset(range(500, 600)) - THROTTLE_STATUSES
MAX_RETRIES = 3
MAX_WAIT = 10.0
DEFAULT_WAIT = 0.5
# The breaker: this many requests in a row unanswered (or throttled) stop the run.
BREAKER_LIMIT = 3
# Seconds one session may spend waiting on 429/503 answers in all (--max-throttle-wait).
THROTTLE_BUDGET = 60.0
THROTTLE_MARKER = "X-Revocation-Contracts-Throttled"


class TargetThrottled(Exception):
    """The target kept answering 429/503 after every retry; not a contract failure."""

    def __init__(self, status: int, attempts: int, detail: str = "") -> None:
        super().__init__(
            f"the target kept answering {status} after {attempts} attempts (throttled or unavailable){detail}"
        )
        self.status = status
        self.attempts = attempts


class RateLimiter:
    """Spaces requests at least ``1 / per_second`` apart, across threads."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


_SHARED_LIMITERS: dict[float, RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(per_second: float) -> RateLimiter:
    """The process's one limiter for ``--rate-limit``: a global budget, not one per session.

    Every session of a run (the target's, the token supply's) and every thread in it (the
    supply's overlapped mints and probes, the end-of-session revocations) draw on the same
    budget; under pytest-xdist each worker process takes an equal share of it.
    """
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    share = per_second / max(int(workers), 1) if workers.isdigit() else per_second
    with _SHARED_LOCK:
        if per_second not in _SHARED_LIMITERS:
            _SHARED_LIMITERS[per_second] = RateLimiter(share)
        return _SHARED_LIMITERS[per_second]


def retry_after_seconds(value: str | None) -> float:
    """Seconds a ``Retry-After`` header asks for (delta or HTTP date), bounded by MAX_WAIT."""
    if not value:
        return DEFAULT_WAIT
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return DEFAULT_WAIT
    return min(max(seconds, 0.0), MAX_WAIT)


class TargetUnreachable(requests.exceptions.ConnectionError):
    """The session's breaker tripped: the target stopped answering, so the run stops (exit 6)."""

    def __init__(self, failures: int, last: BaseException | None) -> None:
        super().__init__(f"{failures} requests in a row got no answer")
        self.failures = failures
        self.last = last


class TargetThrottledStop(TargetThrottled):
    """Throttling did not end within the session's bounds, so the run stops (exit 8)."""


class Breaker:
    """Counts, across one session, requests in a row the target did not answer or only throttled.

    Why session-wide: a target that stopped answering makes every remaining test wait out its
    own timeout, and one that throttles forever makes each wait out its retries; both are
    one fact about the target, found after ``limit`` requests in a row. Once tripped, every
    later request fails at once (TargetUnreachable or TargetThrottledStop), and the plugin
    ends the run with one line. Any real answer resets the streaks.
    """

    def __init__(self, limit: int = BREAKER_LIMIT, throttle_budget: float = THROTTLE_BUDGET) -> None:
        self.limit = limit
        self.throttle_budget = throttle_budget
        self.failures = 0
        self.throttled = 0
        self.waited = 0.0
        self.last: BaseException | None = None
        self.stopped: Exception | None = None
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.stopped is not None:
            raise self.stopped

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            self.last = exc
            if self.failures >= self.limit and self.stopped is None:
                self.stopped = TargetUnreachable(self.failures, exc)

    def answered(self) -> None:
        with self._lock:
            self.failures = 0

    def wait_allowed(self, seconds: float) -> float:
        """How long this throttled answer may be waited on, from what is left of the budget."""
        with self._lock:
            allowed = min(seconds, max(self.throttle_budget - self.waited, 0.0))
            self.waited += allowed
            return allowed

    def throttled_answer(self, status: int, attempts: int) -> None:
        """A request stayed throttled after its retries; trips after ``limit`` or an empty budget."""
        with self._lock:
            self.throttled += 1
            spent = self.waited >= self.throttle_budget
            if (self.throttled >= self.limit or spent) and self.stopped is None:
                why = f"{self.throttled} requests in a row" if not spent else f"after {self.waited:g}s of waiting"
                self.stopped = TargetThrottledStop(status, attempts, f"; stopping the run ({why})")

    def unthrottled(self) -> None:
        with self._lock:
            self.throttled = 0


class GentleAdapter(BoundedAdapter):
    """Rate-limits every request, retries 429/503 answers a bounded number of times, and trips
    the session's breaker; each request is bounded in time and size (``bounded.py``).

    A final 429/503 is raised as TargetThrottled here, not returned: no caller can read a
    throttled answer as a verdict (a 429 as a 4xx refusal, a 503 as a server error).
    """

    def __init__(
        self,
        rate_limit: float | None = None,
        max_retries_on_throttle: int = MAX_RETRIES,
        breaker: Breaker | None = None,
    ) -> None:
        # Connections kept alive per host: the supply's overlap workers (6), the semantic
        # properties side by side (4 by default) and the main thread, with room to spare.
        super().__init__(pool_connections=4, pool_maxsize=16)
        self.limiter = shared_limiter(rate_limit) if rate_limit else None
        self.max_retries_on_throttle = max_retries_on_throttle
        self.breaker = breaker or Breaker()
        self.requests_sent = 0
        self.tolerate_transient = False

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        attempt = 0  # throttled answers retried
        again = 0  # transient failures sent again (the supply's session only)
        beside: str | None = None  # how it failed beside other requests, before being sent alone
        while True:
            self.breaker.check()
            if self.limiter is not None:
                self.limiter.wait()
            self.requests_sent += 1
            failure: requests.RequestException | None = None
            with FLIGHT.slot(solo=beside is not None) as ticket:
                try:
                    response = self.send_bounded(request, **kwargs)
                except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                    failure = exc
            if failure is not None or response.status_code in SERVER_ERRORS:
                what = (
                    f"no answer to {request.method} {_path(request)} ({type(failure).__name__})"
                    if failure is not None
                    else f"{response.status_code} from {request.method} {_path(request)}"
                )
                if ticket.overlapped and beside is None and self._pause(0):
                    beside = what  # sent again alone: only a failure alone is the target's
                    self._drop(response if failure is None else None)
                    continue
                transient = failure is None or _was_reset(failure)
                if self.tolerate_transient and transient and again < RETRIES_ALONE and self._pause(again):
                    again += 1
                    self._drop(response if failure is None else None)
                    continue
                if failure is not None:
                    self.breaker.failed(failure)
                    raise failure
            elif beside is not None:
                FLIGHT.fall_back(beside)  # failed beside others, answered alone: one at a time from now
                beside = None
            self.breaker.answered()
            status = response.status_code
            if status not in THROTTLE_STATUSES:
                self.breaker.unthrottled()
                return response
            if attempt >= self.max_retries_on_throttle:
                self.breaker.throttled_answer(status, attempt + 1)
                raise TargetThrottled(status, attempt + 1)
            attempt += 1
            time.sleep(self.breaker.wait_allowed(retry_after_seconds(response.headers.get("Retry-After"))))

    def _drop(self, response: requests.Response | None) -> None:
        """Forget a failed answer and the pooled connections: a server that failed may have
        dropped them without saying so (uvicorn does after an unhandled exception)."""
        if response is not None:
            response.close()
        self.poolmanager.clear()

    def _pause(self, again: int) -> bool:
        """Pause before sending a failed request again (``flight.py``): ``PAUSE_ALONE``, doubled
        each time, charged to ``--max-throttle-wait``; False once that budget is spent."""
        if self.breaker.waited >= self.breaker.throttle_budget:
            return False
        time.sleep(self.breaker.wait_allowed(PAUSE_ALONE * 2**again))
        return True


def tolerate_transient(session: requests.Session) -> None:
    """Let ``session`` send a request again after a 5xx or a reset connection, even alone.

    For sessions to endpoints that are not under test (the token endpoint, introspection, a
    protected resource): their transient failures are retried (bounded) before they become a
    supply setup error. Never for the endpoint under test, whose 5xx alone is a verdict."""
    for adapter in session.adapters.values():
        if isinstance(adapter, GentleAdapter):
            adapter.tolerate_transient = True


def _path(request: requests.PreparedRequest) -> str:
    """The request's URL without its query (which may carry a token)."""
    return str(request.url or "").split("?", 1)[0]


def _was_reset(exc: BaseException) -> bool:
    """Whether the connection was reset or cut (transient), rather than refused or timed out."""
    return any(
        first_cause(exc, kind) is not None
        for kind in (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, TargetCutOff)
    )


def new_session(
    rate_limit: float | None = None, throttle_budget: float = THROTTLE_BUDGET, retries: int = MAX_RETRIES
) -> requests.Session:
    """A keep-alive session, bounded (no redirects, no cookies, deadline, body cap), gentle adapter."""
    session = BoundedSession()
    adapter = GentleAdapter(rate_limit, retries, Breaker(throttle_budget=throttle_budget))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "revocation-contracts"
    return session


def requests_sent(session: requests.Session) -> int:
    """How many requests ``session`` sent (each throttled retry and each request sent again
    counts: they reach the server), for the run's summary; 0 for a session of another kind."""
    adapters = {id(adapter): adapter for adapter in session.adapters.values() if isinstance(adapter, GentleAdapter)}
    return sum(adapter.requests_sent for adapter in adapters.values())


def raise_if_throttled(response: Any) -> None:
    """Turn a final 429/503 into TargetThrottled, so it is never read as a contract verdict."""
    status = getattr(response, "status_code", None)
    if status not in THROTTLE_STATUSES:
        return
    headers = {str(name).lower(): value for name, value in response.headers.items()}
    attempts = headers.get(THROTTLE_MARKER.lower())
    if isinstance(attempts, list):
        attempts = attempts[0] if attempts else None
    if attempts is not None:
        raise TargetThrottled(status, int(attempts))
