"""Overlapping the supply's round trips: grants minted ahead, tokens probed side by side.

Why: against a remote target every mint and every probe is one round trip, and a semantic
run needs a few hundred of each (bench/README.md, "Against a remote target"). Done one after
the other, at 50 ms RTT they alone cost more than the whole run may take (issue 12). Neither
changes what is checked:

- **Minted ahead.** A ``client_credentials`` or ``password`` grant (RFC 6749 sections 4.4,
  4.3) is a grant of its own, independent of every other, so the next few can be minted
  while a property works with the current one. ``MintAhead`` keeps up to ``depth`` mints in
  flight per client, hands them out in the order they were asked for, and raises a failed
  mint's error at the moment the property asks for that grant, exactly as a mint made then
  would have. Grants minted ahead and never handed out are still the suite's own tokens: the
  supply revokes them at the end with the rest (``drain``).
- **Probed side by side.** When a property asks about several tokens at one point (every
  bystander still alive, every revoked token dead), the probes do not depend on each other,
  so they go out together and are judged afterwards in the property's order.

The workers share the supply's keep-alive session (its adapter keeps 16 connections per
host), so ``depth`` plus a property's probes stay within it, and every request still passes
the session's rate limiter and breaker (``transport/session.py``): ``--rate-limit`` bounds
them all together.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from revocation_contracts.transport.client import Credentials

# Requests the supply has in flight at most (mints ahead plus probes); the adapter keeps 16.
WORKERS = 6
# Grants minted ahead per client. Each one left at the end costs a revocation, done concurrently.
DEPTH = 3

T = TypeVar("T")


class Overlap:
    """A small, lazily started thread pool shared by one supply's mints and probes."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], T]) -> Future[T]:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="revocation-contracts-supply")
            return self._executor.submit(work)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


class MintAhead(Generic[T]):
    """Per client, up to ``depth`` mints in flight, handed out first come first served."""

    def __init__(self, mint: Callable[[Credentials], T], overlap: Overlap, depth: int = DEPTH) -> None:
        self._mint = mint
        self.overlap = overlap
        self.depth = depth
        self._queues: dict[Credentials, deque[Future[T]]] = {}
        self._proven: set[Credentials] = set()
        self._lock = threading.Lock()

    def take(self, client: Credentials) -> T:
        """The oldest grant in flight for ``client`` (minting one now if none is), topping up behind it.

        Minting ahead starts only after a client's first mint succeeded, so a token endpoint
        that refuses or does not answer costs one request, not ``depth``.
        """
        with self._lock:
            queue = self._queues.setdefault(client, deque())
            future = queue.popleft() if queue else None
            if client in self._proven:
                self._top_up(client, queue)
        # None in flight (a client's first grant among them): minted here, in the caller's
        # thread, so the first request of its kind is the main thread's, never a worker's.
        result = future.result() if future is not None else self._mint(client)
        with self._lock:
            if client not in self._proven:
                self._proven.add(client)
                self._top_up(client, queue)
        return result

    def _top_up(self, client: Credentials, queue: deque[Future[T]]) -> None:
        while len(queue) < self.depth:
            queue.append(self.overlap.submit(lambda: self._mint(client)))

    def drain(self) -> Iterable[T]:
        """Wait for every grant still in flight and yield those that were minted (errors dropped)."""
        with self._lock:
            pending = [future for queue in self._queues.values() for future in queue]
            self._queues.clear()
        for future in pending:
            if future.cancelled():
                continue
            if future.exception() is None:
                yield future.result()
