"""Problems that are not contract verdicts: throttling, a failing token command, a target that
stops answering. Each is reported for what it is (a skip, or an error of one line) with its own
exit code, never as a contract failure and never as a pass."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable

import pytest
import requests

from revocation_contracts.pytest_plugin.runstatus import (
    EXIT_INCOMPLETE,
    EXIT_TARGET,
    EXIT_THROTTLED,
    EXIT_TOKEN_SUPPLY,
    ONE_AT_A_TIME_PROPERTY,
    TARGET,
    THROTTLED,
    TOKEN_SUPPLY,
    RunStatus,
    problem_of,
)
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.session import MAX_RETRIES, TargetThrottled

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer, assert_one_clear_line

ATTEMPTS = MAX_RETRIES + 1


def _throttled_run(pytester: pytest.Pytester, server: CannedServer, *selection: str) -> pytest.RunResult:
    return pytester.runpytest(
        *selection, "--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS, "--max-examples", "2", "-rs"
    )


def test_throttled_explicit_test_is_skipped_not_failed(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """A target that answers 429 (Retry-After: 0) to everything: retried, then reported as throttled."""
    server = canned_server(429, {"Retry-After": "0"})
    result = _throttled_run(pytester, server, f"{CONTRACT_SUITE / 'test_protocol.py'}::test_unknown_token_answer")
    assert result.ret == EXIT_THROTTLED
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*revocation-contracts: checks that could not judge the contract*",
            "1 check(s) skipped because the target kept answering 429/503 (throttled); "
            "first: test_unknown_token_answer[[]rfc7009[]]",
            f"SKIPPED [[]1[]] *test_protocol.py:*: target throttled: the target kept answering 429 after {ATTEMPTS} "
            "attempts (throttled or unavailable); run again later or pass a lower --rate-limit",
        ]
    )
    assert server.requests == ["POST /revoke"] * (1 + ATTEMPTS)  # the preflight probe, then the bounded retries
    assert_one_clear_line(result)


def test_throttled_schema_subtests_are_skipped_not_failed(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """The same through schemathesis: every generated case throttled, the schema test skipped."""
    server = canned_server(429, {"Retry-After": "0"})
    result = _throttled_run(pytester, server, str(CONTRACT_SUITE / "test_schema.py"))
    result.stdout.fnmatch_lines(
        [
            "*checks that could not judge the contract*",
            "1 check(s) skipped because the target kept answering 429/503 (throttled); "
            "first: test_schema_conformance[[]rfc7009-POST:/revoke[]]*",
        ]
    )
    assert "SUBFAILED" not in result.stdout.str()
    assert result.ret == EXIT_THROTTLED


def test_contract_failure_outranks_throttling(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """A throttled run with a real contract failure still exits 1: the failure outranks it."""
    pytester.makepyfile(
        test_mixed="""
        import pytest
        from revocation_contracts.transport.session import TargetThrottled

        def test_throttled(target):
            raise TargetThrottled(503, 4)

        def test_broken(target):
            assert False, "the contract is broken"
        """
    )
    server = canned_server(401)
    result = pytester.runpytest("--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS)
    assert result.ret == 1
    result.assert_outcomes(failed=1, skipped=1)


def _token_command_after_one(exit_code: int, stderr: str) -> str:
    """A token command that mints once (a file in the working directory remembers it), then fails."""
    script = (
        "import pathlib, sys; done = pathlib.Path('minted-once'); "
        f"done.exists() and (sys.stderr.write({stderr!r}), sys.exit({exit_code})); "
        'done.touch(); print(\'{"access_token": "rc-first-token-1a2b"}\')'
    )
    return shlex.join([sys.executable, "-c", script])


def test_failing_token_command_is_a_setup_error(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """A token command failing inside a test body is an error (not a failure), one line, exit 7.

    It mints once for the gate before the tests (supply_gate.py), then fails: the failure meets
    the test, not the gate (tests/plugin/test_supply_gate.py has the gate's own)."""
    pytester.makepyfile(
        test_mint="""
        def test_revoke_a_minted_token(target):
            grant = target.tokens.mint(target.credentials)
            target.client().revoke(grant.tokens["access_token"])
        """
    )
    server = canned_server(401)
    result = pytester.runpytest(
        "--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS,
        "--token-command", _token_command_after_one(3, "no grant for rc-secret-value-9f2e"),
        "--junitxml", "junit.xml",
    )  # fmt: skip
    assert result.ret == EXIT_TOKEN_SUPPLY
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_revoke_a_minted_token[[]rfc7009[]]*",
            "token supply failed: --token-command exited with 3; stderr: no grant for [[]REDACTED[]]; "
            "check --token-command / --probe-command by running them by hand",
            "1 check(s) could not run because the token supply failed; first: *",
        ]
    )
    assert "rc-secret-value-9f2e" not in result.stdout.str()
    assert_one_clear_line(result)
    junit = (pytester.path / "junit.xml").read_text()
    assert "<error " in junit
    assert "<failure " not in junit


def test_token_supply_error_in_a_fixture_is_exit_7(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    pytester.makepyfile(
        test_fixture="""
        import pytest
        from revocation_contracts.supply.tokens import TokenSupplyError

        @pytest.fixture
        def grant(target):
            raise TokenSupplyError("--probe-command exited with 2 (0 = active, 1 = inactive)")

        def test_uses_grant(grant):
            pass
        """
    )
    server = canned_server(401)
    result = pytester.runpytest("--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS)
    assert result.ret == EXIT_TOKEN_SUPPLY
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*token supply failed: --probe-command exited with 2 (0 = active, 1 = inactive)*"])
    assert_one_clear_line(result)


def test_target_that_stops_answering_is_exit_6(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer], closed_port: int
) -> None:
    """Reachable at the preflight, gone during the run: one line per test, exit 6."""
    pytester.makepyfile(
        test_gone=f"""
        def test_request_after_the_target_went_away(target):
            target.session.post("http://127.0.0.1:{closed_port}/revoke", timeout=2)
        """
    )
    server = canned_server(401)
    result = pytester.runpytest("--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS)
    assert result.ret == EXIT_TARGET
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_request_after_the_target_went_away*",
            f"target stopped answering: connection refused by 127.0.0.1 (POST http://127.0.0.1:{closed_port}/revoke); "
            "check that the server is running and the port in --target-url",
        ]
    )
    assert_one_clear_line(result)


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def _connection_error() -> requests.ConnectionError:
    try:
        requests.get("http://127.0.0.1:9/", timeout=2)
    except requests.ConnectionError as exc:
        return exc
    raise AssertionError("port 9 answered")


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        pytest.param(TargetThrottled(429, 4), THROTTLED, id="throttled"),
        pytest.param(TokenSupplyError("--token-command exited with 1"), TOKEN_SUPPLY, id="token-supply"),
        pytest.param(ExceptionGroup("two", [TargetThrottled(429, 4), TargetThrottled(503, 4)]), THROTTLED, id="group"),
        pytest.param(ExceptionGroup("mixed", [TargetThrottled(429, 4), AssertionError("x")]), None, id="mixed-group"),
        pytest.param(
            ExceptionGroup("kinds", [TargetThrottled(429, 4), TokenSupplyError("x")]), None, id="two-kinds-group"
        ),
        pytest.param(AssertionError("[RFC 7009 2.2] expected 200"), None, id="contract-failure"),
        pytest.param(requests.HTTPError("418"), None, id="other-requests-error"),
    ],
)
def test_problem_of(exception: BaseException, kind: str | None) -> None:
    problem = problem_of(_raised(exception))
    assert (problem.kind if problem else None) == kind


def test_connection_errors_are_target_problems() -> None:
    problem = problem_of(_connection_error())
    assert problem is not None
    assert problem.kind == TARGET
    assert problem.message.startswith("target stopped answering: connection refused by 127.0.0.1 (GET http")


class _Report:
    def __init__(self, outcome: str, kind: str | None = None) -> None:
        self.outcome, self.nodeid = outcome, "test_x"
        self.failed = outcome == "failed"
        if kind:
            self.revocation_problem = kind


@pytest.mark.parametrize(
    ("pytest_status", "reports", "expected"),
    [
        pytest.param(0, [], 0, id="all-passed"),
        pytest.param(0, [("skipped", THROTTLED)], EXIT_THROTTLED, id="throttled"),
        pytest.param(1, [("failed", TOKEN_SUPPLY)], EXIT_TOKEN_SUPPLY, id="token-supply"),
        pytest.param(1, [("failed", TARGET), ("failed", TOKEN_SUPPLY)], EXIT_TARGET, id="target-outranks-token"),
        pytest.param(1, [("failed", TOKEN_SUPPLY), ("failed", None)], 1, id="failure-outranks-all"),
        pytest.param(1, [("skipped", THROTTLED), ("failed", None)], 1, id="failure-outranks-throttled"),
        pytest.param(2, [("failed", TARGET)], 2, id="interrupted-stays"),
        pytest.param(5, [], 5, id="nothing-collected-stays"),
    ],
)
def test_exit_status(pytest_status: int, reports: list[tuple[str, str | None]], expected: int) -> None:
    status = RunStatus()
    for outcome, kind in reports:
        status.pytest_runtest_logreport(_Report(outcome, kind))  # type: ignore[arg-type]
    assert status.exit_status(pytest_status) == expected


@pytest.mark.parametrize(
    ("pytest_status", "reports", "expected"),
    [
        pytest.param(0, [], EXIT_INCOMPLETE, id="incomplete"),
        pytest.param(0, [("skipped", THROTTLED)], EXIT_THROTTLED, id="throttled-outranks-incomplete"),
        pytest.param(1, [("failed", None)], 1, id="failure-outranks-incomplete"),
        pytest.param(1, [("failed", TOKEN_SUPPLY)], EXIT_TOKEN_SUPPLY, id="token-supply-outranks-incomplete"),
    ],
)
def test_exit_status_of_an_incomplete_run(
    pytest_status: int, reports: list[tuple[str, str | None]], expected: int
) -> None:
    """Checks that apply could not run (the coverage plugin sets ``incomplete``): exit 9, the
    lowest of the suite's codes to win."""
    status = RunStatus()
    status.incomplete = True
    for outcome, kind in reports:
        status.pytest_runtest_logreport(_Report(outcome, kind))  # type: ignore[arg-type]
    assert status.exit_status(pytest_status) == expected


def test_falling_back_to_one_request_at_a_time_is_a_note_not_a_problem() -> None:
    """A report carrying the fall-back line (transport/flight.py) reaches the summary's notes,
    once, and changes no exit code."""
    status = RunStatus()
    line = "the target failed 2 request(s) sent while others were in flight (first: 500 from POST /token)"
    report = _Report("passed")
    report.user_properties = [(ONE_AT_A_TIME_PROPERTY, line)]  # type: ignore[attr-defined]
    status.pytest_runtest_logreport(report)  # type: ignore[arg-type]
    status.pytest_runtest_logreport(report)  # type: ignore[arg-type]
    assert status.notes() == [line]
    assert status.summary() == []
    assert status.exit_status(0) == 0
