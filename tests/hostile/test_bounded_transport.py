"""The suite's session against the hostile server, in process: each bound proven on its own.

The child runs of ``test_hostile_targets.py`` show what a user sees; these show why, one
property per test, fast: a total deadline however slowly the target drips, a body cap
however much it sends or compresses, no redirect followed, no cookie kept, a breaker that
trips after three unanswered requests, throttling stopped within the stated wait.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from revocation_contracts.pytest_plugin.runstatus import explain_request_error
from revocation_contracts.transport.bounded import BODY_CAP, OversizedAnswer, TargetCutOff, _Deadline, _Watchdog
from revocation_contracts.transport.flight import RETRIES_ALONE
from revocation_contracts.transport.session import (
    BREAKER_LIMIT,
    TargetThrottled,
    TargetThrottledStop,
    TargetUnreachable,
    new_session,
    tolerate_transient,
)

from .harness import HostileServer

# Slack over the 1 s deadline for a loaded runner: thread wake-up, not another second of drip.
DEADLINE_SLACK = 1.5


def _answered_once(session: requests.Session, url: str) -> None:
    """The modes that misbehave after one answer: take the plain 400 first."""
    assert session.post(url, data=b"", timeout=2).status_code == 400


def test_a_drip_cannot_stretch_a_request_past_its_timeout(hostile: HostileServer) -> None:
    """One byte a second: each read succeeds, so only a total deadline ends the request."""
    url = hostile.url("drip.bounded") + "/revoke"
    with new_session() as session:
        _answered_once(session, url)
        started = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout, match="no complete answer within 1s"):
            session.post(url, data=b"token=x", timeout=1)
        assert time.monotonic() - started < 1 + DEADLINE_SLACK


def test_a_hang_times_out_and_three_in_a_row_trip_the_breaker(hostile: HostileServer) -> None:
    url = hostile.url("hang.bounded") + "/revoke"
    with new_session() as session:
        _answered_once(session, url)
        for _ in range(BREAKER_LIMIT):
            with pytest.raises(requests.exceptions.ReadTimeout):
                session.post(url, data=b"", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(TargetUnreachable) as caught:
            session.post(url, data=b"", timeout=0.5)
        assert time.monotonic() - started < 0.2, "a tripped breaker sends nothing"
        assert caught.value.failures == BREAKER_LIMIT


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("reset", "was cut before the answer was complete"),
        ("garbage", "answered with bytes that are not HTTP"),
    ],
)
def test_a_broken_answer_is_a_connection_error_with_one_line(hostile: HostileServer, mode: str, says: str) -> None:
    """Cut mid-body or not HTTP at all: a target problem (ConnectionError), never a verdict."""
    url = hostile.url(f"{mode}.bounded") + "/revoke"
    with new_session() as session:
        _answered_once(session, url)
        with pytest.raises(requests.exceptions.ConnectionError) as caught:
            session.post(url, data=b"", timeout=2)
    assert mode != "reset" or isinstance(caught.value, TargetCutOff)
    line = explain_request_error(caught.value, "POST", url)
    assert says in line
    assert "\n" not in line


def test_the_supplys_session_sends_a_reset_request_again_before_giving_up(hostile: HostileServer) -> None:
    """A token endpoint that resets the connection may be having a bad moment: the supply's
    session (``tolerate_transient``) sends the request again, twice, before the reset is its
    error; the target's session does not (test above)."""
    url = hostile.url("reset.supply") + "/token"
    with new_session() as session:
        tolerate_transient(session)
        _answered_once(session, url)
        adapter = session.get_adapter(url)
        sent = adapter.requests_sent  # type: ignore[attr-defined]
        with pytest.raises(TargetCutOff):
            session.post(url, data=b"", timeout=2)
        assert adapter.requests_sent - sent == 1 + RETRIES_ALONE  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["huge", "gzip"])
def test_a_body_past_the_cap_is_judged_oversized_without_reading_it(hostile: HostileServer, mode: str) -> None:
    """10 GiB of spaces, or 5 MB of gzip that decodes to 5 GB: read to 1 MiB, then judged."""
    url = hostile.url(f"{mode}.bounded") + "/revoke"
    with new_session() as session:
        started = time.monotonic()
        with pytest.raises(OversizedAnswer, match=r"\[PIN-answer-size\].*more than 1024 KiB"):
            session.post(url, data=b"", timeout=5)
        assert time.monotonic() - started < 3
    assert BODY_CAP == 1024 * 1024


def test_a_redirect_is_an_answer_and_nothing_reaches_the_sink(hostile: HostileServer) -> None:
    """Even when a caller asks requests to follow redirects: the 307 is returned, never replayed."""
    url = hostile.url("redirect.bounded") + "/revoke"
    with new_session() as session:
        _answered_once(session, url)
        body = b"token=rc-token-for-the-sink&client_secret=rc-secret-for-the-sink"
        response = session.post(url, data=body, headers={"Authorization": "Basic cmMtc2luaw=="}, allow_redirects=True)
    assert response.status_code == 307
    assert response.history == []
    assert hostile.received(hostile.sink_port, "redirect.bounded") == []


def test_a_targets_cookies_are_never_sent_back(hostile: HostileServer) -> None:
    url = hostile.url("cookies.bounded") + "/revoke"
    with new_session() as session:
        for _ in range(3):
            response = session.post(url, data=b"", timeout=2)
            assert "Set-Cookie" in response.headers
        assert len(session.cookies) == 0
    received = hostile.received(hostile.port, "cookies.bounded")
    assert len(received) == 3
    assert not any("\r\ncookie:" in raw.lower() for raw in received)


@pytest.mark.parametrize("mode", ["throttle429", "busy503"])
def test_throttling_forever_stops_within_the_wait_budget(hostile: HostileServer, mode: str) -> None:
    """429 forever, or 503 with a billion-second Retry-After: at most the budget is waited, then it stops."""
    url = hostile.url(f"{mode}.bounded") + "/revoke"
    budget = 0.5
    with new_session(throttle_budget=budget) as session:
        started = time.monotonic()
        with pytest.raises(TargetThrottled):
            session.post(url, data=b"", timeout=2)
        with pytest.raises(TargetThrottledStop, match="stopping the run"):
            session.post(url, data=b"", timeout=2)
        assert time.monotonic() - started < budget + 2.0


class _CountingCondition(threading.Condition):
    notified = 0

    def notify(self, n: int = 1) -> None:
        type(self).notified += 1
        super().notify(n)


def test_the_deadline_thread_is_woken_only_for_an_earlier_deadline() -> None:
    """One wake-up per request cost a thread switch each (issue 21); a later deadline needs none,
    an earlier one still fires on time."""
    watchdog = _Watchdog()
    watchdog._cond = _CountingCondition()
    late, later = _Deadline(60), _Deadline(120)
    watchdog.add(late)
    watchdog.add(later)
    assert _CountingCondition.notified == 1
    soon = _Deadline(0.2)
    watchdog.add(soon)
    assert _CountingCondition.notified == 2
    started = time.monotonic()
    while not soon.fired and time.monotonic() - started < 5:
        time.sleep(0.02)
    assert soon.fired and not late.fired
    for deadline in (late, later):
        watchdog.discard(deadline)
