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
