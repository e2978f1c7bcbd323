"""Requests in flight: a target that fails under several at once gets them one at a time.

Why (issue 17): a local development server is not a load test. Against a remote target the
suite overlaps its round trips (properties side by side, grants minted ahead, probes side by
side, the main thread's own tests), so the target sees a handful of requests at once. A real
server on SQLite locked its database under that: its token endpoint answered 500 after 5 to
10 s, a property became a setup error, and the breaker stopped the run as "target
unreachable", although the server answered every request sent one at a time. Those failures
were the suite's doing, not the server's contract.

So every request the suite sends, from any session and any thread of the process, holds a
slot here while it is on the wire (``Flight.slot``), and each slot knows whether another
request was in flight at any moment of its own (``overlapped``). A request that got no answer
(timeout, reset, refused, cut mid-body) or a 5xx other than 503 while overlapped is not
judged: after a pause charged to ``--max-throttle-wait`` (like any wait on a throttled
target) it is sent again alone, with the wire to itself (``session.GentleAdapter``). If it is
answered alone, the target could not take the crowd, and the suite goes on one request at a
time for the rest of the run (``fall_back``). If it fails alone too, that failure is the
target's: it counts toward the breaker (exit 6), as a supply error (exit 7), or as the answer
a check judges, as a failure alone always did. So a server whose 5xx is a real bug is judged
on it, and never makes the run slower.

The switch is said once, in the terminal summary and as a JUnit property of the test during
which it happened (``pytest_plugin/runstatus.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Times the token supply's session sends a request again after a transient failure alone
# (a 5xx, a reset connection: ``session.tolerate_transient``).
RETRIES_ALONE = 2
# Seconds to pause before sending a failed request again (doubled each time).
PAUSE_ALONE = 1.0


class Ticket:
    """One request on the wire; ``overlapped`` once another was in flight beside it."""

    __slots__ = ("overlapped",)

    def __init__(self) -> None:
        self.overlapped = False


class Flight:
    """The process's requests in flight, and whether they go one at a time from now on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active: set[Ticket] = set()
        self._solo = False  # a request sent again alone is on the wire
        self._solo_waiting = 0  # requests waiting to be sent again alone (nothing new starts)
        self.alone = False
        self.why: str | None = None
        self.retried = 0
        self._reported = False

    @contextmanager
    def slot(self, *, solo: bool = False) -> Iterator[Ticket]:
        """Hold a slot while one request is on the wire. Once requests go one at a time, or for
        a ``solo`` request (one sent again after failing beside others), the wire is its alone:
        it waits until nothing else is in flight, and nothing starts beside it."""
        ticket = Ticket()
        with self._cond:
            self._solo_waiting += solo
            try:
                while self._solo or (self._solo_waiting and not solo) or ((self.alone or solo) and self._active):
                    self._cond.wait()
            finally:
                self._solo_waiting -= solo
            for other in self._active:
                other.overlapped = True
            ticket.overlapped = bool(self._active)
            self._active.add(ticket)
            self._solo = self._solo or solo
        try:
            yield ticket
        finally:
            with self._cond:
                self._active.discard(ticket)
                if solo:
                    self._solo = False
                self._cond.notify_all()

    def fall_back(self, why: str) -> None:
        """A request failed beside others and was answered alone: from now on one request at a
        time; ``why`` (the first such failure) is kept for the summary."""
        with self._cond:
            self.retried += 1
            if not self.alone:
                self.alone = True
                self.why = why

    def notice(self) -> str | None:
        """The one line saying the run fell back, or None if it did not."""
        if self.why is None:
            return None
        return (
            f"the target failed {self.retried} request(s) sent while others were in flight (first: {self.why}); "
            "the suite fell back to one request at a time and sent them again alone"
        )

    def unreported(self) -> str | None:
        """``notice``, the first time it is asked for after the fall-back; None otherwise."""
        with self._cond:
            if self.why is None or self._reported:
                return None
            self._reported = True
        return self.notice()


FLIGHT = Flight()
