"""A pytest plugin the benchmark loads into every suite run it times (``-p _timing``).

Why a plugin and not just a stopwatch around the process: a wall time alone cannot say where
the time went. This plugin stamps the phases pytest goes through (plugin import, configure,
collection, the test loop, the first failure, teardown) with ``time.time()``, so ``run.py``
can subtract them from the moment it started the process. It also counts the HTTP requests
the suite sends, by wrapping ``GentleAdapter.send``: every request the suite makes, from
schemathesis, the explicit tests or the token supply, goes through that adapter
(``revocation_contracts.transport.session``), so the count needs no change to the suite.

With ``BENCH_COUNT_SERVER=1`` it also puts the benchmark's ``RequestCounter`` (ASGI middleware,
``_measure.py``) in front of each embedded reference server this process starts, so an
embedded run's requests are counted where they arrive, with the window between the first and
the last one.

It is inert unless ``BENCH_TIMING_OUT`` names a file; each process writes its own record
there (pytest-xdist workers append their worker id), and ``run.py`` reads and merges them.
Nothing here changes what the suite does or decides.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from typing import Any

import pytest

_IMPORTED = time.time()
_OUT = os.environ.get("BENCH_TIMING_OUT")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


class _Record:
    def __init__(self) -> None:
        self.stamps: dict[str, float] = {"plugin_imported": _IMPORTED}
        self.outcomes: Counter[str] = Counter()
        self.failed: list[str] = []
        self.collected = 0
        self.requests = 0
        self.servers: list[tuple[str, Any]] = []

    def stamp(self, name: str) -> None:
        self.stamps.setdefault(name, time.time())

    def dump(self) -> None:
        if not _OUT:
            return
        path = f"{_OUT}.{_WORKER}" if _WORKER else _OUT
        data = {
            "worker": _WORKER,
            "stamps": self.stamps,
            "outcomes": dict(self.outcomes),
            "failed": self.failed,
            "collected": self.collected,
            "requests": self.requests,
            "servers": [{"contract": name, **counter.snapshot()} for name, counter in self.servers],
        }
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle)


_record = _Record()


def _count_requests() -> None:
    """Wrap the suite's adapter so each request it sends is counted (once, however retried)."""
    from revocation_contracts.transport import session as transport

    original = transport.GentleAdapter.send
    if getattr(original, "_bench_counting", False):
        return

    def counting_send(self: Any, request: Any, **kwargs: Any) -> Any:
        _record.requests += 1
        return original(self, request, **kwargs)

    setattr(counting_send, "_bench_counting", True)  # noqa: B010 - a marker on a function object
    transport.GentleAdapter.send = counting_send


def _count_server_requests() -> None:
    """Wrap ``build_app`` so every embedded reference server counts what reaches it."""
    from _measure import RequestCounter

    from revocation_contracts.pytest_plugin import pool
    from revocation_contracts.reference import server as server_module

    pool.SERVERS_IN_CHILD = False  # counted here, in this process

    original = server_module.build_app

    def counted_app(contract: Any, *args: Any, **kwargs: Any) -> Any:
        counter = RequestCounter(original(contract, *args, **kwargs))
        _record.servers.append((contract.name, counter))
        return counter

    server_module.build_app = counted_app


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    _record.stamp("configure")
    if _OUT:
        _count_requests()
        if os.environ.get("BENCH_COUNT_SERVER") == "1":
            _count_server_requests()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _record.stamp("session_start")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    _record.stamp("collection_finish")
    _record.collected = len(session.items)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _record.stamp("first_report")
    if report.when == "call":
        _record.outcomes[report.outcome] += 1
    elif report.failed:
        _record.outcomes["error"] += 1
    elif report.skipped:
        _record.outcomes["skipped"] += 1
    if report.failed:
        _record.stamp("first_failure")
        if report.nodeid not in _record.failed:
            _record.failed.append(report.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    _record.stamp("session_finish")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # trylast: after the suite's own unconfigure has stopped the reference servers.
    _record.stamp("unconfigure_end")
    _record.dump()
