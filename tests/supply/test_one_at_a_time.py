"""A target that fails under several requests at once gets them one at a time (``transport/flight.py``).

The server is the reference server with its OAuth face behind a ``CrowdGate``
(``crowd_gate.py``): every request that meets another in flight fails (a 500, or no answer
past the timeout), every request alone is answered correctly. The suite, side by side on,

- passes against it, and says in its summary and in JUnit XML that it fell back to one
  request at a time (the server did refuse requests: the fall-back was needed);
- against a token endpoint that fails even alone, still ends with the supply's exit code 7,
  after sending the failed request again a bounded number of times.

And, without any child process: a 5xx answered to a request alone is returned as it is on
the target's session (it is a verdict), sent again on the supply's; two requests at once
both know they overlapped, and after the fall-back they go one at a time.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.pytest_plugin.runstatus import ONE_AT_A_TIME_PROPERTY
from revocation_contracts.reference import ReferenceServer
from revocation_contracts.transport.flight import FLIGHT, Flight
from revocation_contracts.transport.session import new_session, tolerate_transient
from tests.planted.conftest import SuiteRun

from .conftest import CONTRACT_SUITE, Scripted, assert_threads_quiet, audited, run_contract_suite
from .crowd_gate import CrowdGate, with_crowd_gate
from .oauth_front import TOKEN_PATH, with_oauth_front
from .test_side_by_side import SECRETS, SEMANTICS, remote_args

FELL_BACK = "fell back to one request at a time"


def run_gated(workdir: Path, path: Path, *extra: str, **gate: object) -> tuple[SuiteRun, CrowdGate]:
    contract = load_contract("rfc7009")
    gates: list[CrowdGate] = []
    options, env = audited(workdir)
    front = with_crowd_gate(with_oauth_front(contract), gates, **gate)
    with ReferenceServer(contract, front=front) as server:
        run = run_contract_suite(
            workdir, *remote_args(server.base_url), *options, *extra, path=path, secrets=SECRETS, env=env, examples=3
        )
    assert_threads_quiet(workdir)
    return run, gates[0]


def fell_back_on(run: SuiteRun) -> list[str]:
    return [test for test, entries in run.properties.items() if any(n == ONE_AT_A_TIME_PROPERTY for n, _ in entries)]


def test_a_server_that_fails_crowded_requests_passes_one_at_a_time(tmp_path):
    run, gate = run_gated(tmp_path, CONTRACT_SUITE)
    assert gate.refused > 0, "the server never saw two requests at once: this test proves nothing"
    assert run.returncode == 0 and not run.failed and not run.errors, run.describe()
    assert FELL_BACK in run.output, run.describe()
    assert len(fell_back_on(run)) == 1, run.properties


def test_a_server_that_hangs_crowded_requests_passes_one_at_a_time(tmp_path):
    run, gate = run_gated(tmp_path, SEMANTICS, "--request-timeout", "2", hang=3.0)
    assert gate.refused > 0, "the server never saw two requests at once: this test proves nothing"
    assert run.returncode == 0 and not run.failed and not run.errors, run.describe()
    assert FELL_BACK in run.output, run.describe()


def test_a_token_endpoint_failing_alone_is_still_a_supply_error(tmp_path):
    run, gate = run_gated(tmp_path, SEMANTICS, "-k", "test_revoked_token_is_dead", always=frozenset({TOKEN_PATH}))
    assert run.returncode == 7, run.describe()
    assert "500" in run.output, run.describe()
    assert gate.refused >= 3, f"the failed mint was not sent again: {gate.refused} refusal(s)"


# -- the transport alone ----------------------------------------------------------------------


def test_a_5xx_alone_is_the_targets_answer_but_the_supplys_transient(scripted: Scripted) -> None:
    scripted.json("/revoke", {"error": "server_error"}, status=500)
    target = new_session()
    assert target.post(f"{scripted.url}/revoke", timeout=5).status_code == 500
    assert target.adapters["http://"].requests_sent == 1, "a 5xx alone was sent again on the target's session"  # type: ignore[attr-defined]
    supply = new_session()
    tolerate_transient(supply)
    assert supply.post(f"{scripted.url}/revoke", timeout=5).status_code == 500
    assert supply.adapters["http://"].requests_sent == 3  # type: ignore[attr-defined]


def test_overlapping_requests_know_it_and_go_one_at_a_time_after_the_fall_back() -> None:
    flight = Flight()
    inside = threading.Barrier(2)
    tickets = []

    def hold() -> None:
        with flight.slot() as ticket:
            tickets.append(ticket)
            inside.wait(timeout=5)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert [ticket.overlapped for ticket in tickets] == [True, True]
    assert flight.notice() is None
    flight.fall_back("500 from POST /token")
    assert "500 from POST /token" in (flight.unreported() or "") and flight.unreported() is None
    with flight.slot() as first:
        waiting = threading.Thread(target=lambda: flight.slot().__enter__())
        waiting.start()
        waiting.join(timeout=0.3)
        assert waiting.is_alive(), "a second request went on the wire beside the first after the fall-back"
    waiting.join(timeout=5)
    assert not first.overlapped


def test_a_5xx_beside_others_and_alone_again_is_judged_and_the_run_does_not_fall_back(scripted: Scripted) -> None:
    """A server whose 5xx is a real bug: the answer sent beside another is sent again alone,
    fails alone too, and is returned to be judged; the run goes on as it was."""
    scripted.json("/revoke", {"error": "server_error"}, status=500)
    scripted.delay = 0.5
    session = new_session()
    statuses: list[int] = []
    together = threading.Barrier(2)

    def revoke() -> None:
        together.wait(timeout=10)
        statuses.append(session.post(f"{scripted.url}/revoke", timeout=10).status_code)

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert statuses == [500, 500]
    assert scripted.hits == 4, "each request was not sent again alone exactly once"
    assert FLIGHT.why is None and not FLIGHT.alone


@pytest.mark.parametrize("status", [502, 500])
def test_the_summary_line_names_the_first_failure(status: int) -> None:
    flight = Flight()
    flight.fall_back(f"{status} from POST /oauth/token")
    flight.fall_back("no answer to POST /revoke (ReadTimeout)")
    notice = flight.notice() or ""
    assert f"first: {status} from POST /oauth/token" in notice and "2 request(s)" in notice
