"""Gentleness primitives: Retry-After parsing (RFC 9110 10.2.3) and the rate limiter."""

import time
from email.utils import formatdate

from revocation_contracts.transport.session import DEFAULT_WAIT, MAX_WAIT, RateLimiter, retry_after_seconds


def test_retry_after_delta_seconds_and_bounds():
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("100000") == MAX_WAIT
    assert retry_after_seconds("-5") == 0.0
    assert retry_after_seconds(None) == DEFAULT_WAIT
    assert retry_after_seconds("soon") == DEFAULT_WAIT


def test_retry_after_http_date():
    in_three = formatdate(time.time() + 3, usegmt=True)
    assert 1.0 <= retry_after_seconds(in_three) <= 3.5


def test_rate_limiter_spaces_requests():
    limiter = RateLimiter(per_second=50)
    started = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - started >= 5 / 50 * 0.9


def test_rate_limit_is_one_budget_across_sessions_and_threads():
    """--rate-limit is global: the target's and the supply's sessions, and every thread, share it."""
    import threading

    from revocation_contracts.transport.session import new_session

    first, second = new_session(61.0), new_session(61.0)
    limiter = first.get_adapter("http://127.0.0.1/").limiter
    assert limiter is not None and limiter is second.get_adapter("https://127.0.0.1/").limiter
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [limiter.wait() for _ in range(3)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert time.monotonic() - started >= 11 * limiter.interval * 0.9


def test_rate_limit_is_shared_out_across_xdist_workers(monkeypatch):
    from revocation_contracts.transport.session import shared_limiter

    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    assert abs(shared_limiter(37.0).interval - 4 / 37.0) < 1e-9
