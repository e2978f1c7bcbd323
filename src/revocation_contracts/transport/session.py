"""One gentle HTTP session per target: keep-alive, a rate limit, bounded 429/503 retries.

Why an adapter and not a wrapper around each call: schemathesis sends its requests through
the ``requests.Session`` we hand it, and so do the explicit and semantic tests. Mounting the
policy on the session means every request the suite makes, from every layer, is throttled
and retried the same way, and keep-alive connections are reused across examples.

RFC 7009 section 2.2.1: a 503 means the token may still exist, and ``Retry-After`` may say
when to come back. A 429 is the same kind of answer from a rate limiter. Neither is a
contract failure on its own (CONTRACTS.md); the suite waits (honouring ``Retry-After`` up to
``MAX_WAIT`` seconds), retries a bounded number of times, and if the target still refuses,
the test reports the target as throttled instead of failing the contract.
"""

from __future__ import annotations

import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

THROTTLE_STATUSES = frozenset({429, 503})
MAX_RETRIES = 3
MAX_WAIT = 10.0
DEFAULT_WAIT = 0.5
THROTTLE_MARKER = "X-Revocation-Contracts-Throttled"


class TargetThrottled(Exception):
    """The target kept answering 429/503 after every retry; not a contract failure."""

    def __init__(self, status: int, attempts: int) -> None:
        super().__init__(f"the target kept answering {status} after {attempts} attempts (throttled or unavailable)")
        self.status = status


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


class GentleAdapter(HTTPAdapter):
    """Rate-limits every request and retries 429/503 answers a bounded number of times."""

    def __init__(self, rate_limit: float | None = None, max_retries_on_throttle: int = MAX_RETRIES) -> None:
        super().__init__(pool_connections=4, pool_maxsize=8)
        self.limiter = RateLimiter(rate_limit) if rate_limit else None
        self.max_retries_on_throttle = max_retries_on_throttle
        self.requests_sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.wait()
            self.requests_sent += 1
            response = super().send(request, **kwargs)
            if response.status_code not in THROTTLE_STATUSES or attempt >= self.max_retries_on_throttle:
                if response.status_code in THROTTLE_STATUSES:
                    # Set on the raw headers too: schemathesis rebuilds its response from those.
                    response.headers[THROTTLE_MARKER] = str(attempt + 1)
                    if response.raw is not None and hasattr(response.raw, "headers"):
                        response.raw.headers[THROTTLE_MARKER] = str(attempt + 1)
                return response
            attempt += 1
            time.sleep(retry_after_seconds(response.headers.get("Retry-After")))


def new_session(rate_limit: float | None = None) -> requests.Session:
    """A keep-alive session with the gentle adapter mounted for http and https."""
    session = requests.Session()
    adapter = GentleAdapter(rate_limit)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "revocation-contracts"
    return session


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
