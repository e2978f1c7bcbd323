"""How a run ends when the problem is the target or the setup, not the contract.

Why a module of its own: users run the suite in someone else's CI against someone else's
server, and a red build must say who has to act. A broken contract belongs to the server's
team; an unreachable target or a failing token supply belongs to whoever configured the
job; a throttled target belongs to nobody and only needs a later run. So each gets one
clear line (never a traceback) and its own exit code, and only a broken contract is a test
*failure*: the others are reported as *errors* (setup problems) or, for throttling, as skips
with the reason ``target throttled: ...`` (RFC 7009 section 2.2.1: a 503 "may" come back
later; the project's rules: a 429 or 503 is never a contract failure on its own).

A run that had to fall back to one request at a time (the target failed requests sent beside
others and answered them alone: ``transport/flight.py``) passes or fails on its checks as
usual; the summary says so in a section of its own, and the test during which it happened
carries the line as the JUnit property ``revocation-one-at-a-time``.

A check that applies to the contract but could not run (no token supply, a supply that issues
no refresh token, no second client) leaves a hole in the verdict: the run is incomplete and does
not end green (exit 9) unless the user narrowed it to the check families that can run
(``--checks``); what could not run, and why, is the coverage summary's (``coverage.py``).

Exit codes. pytest owns 0 to 5; the suite adds 6 to 9. When several apply, the lowest
non-zero code of 1, 6, 7, 8, 9 wins: a contract failure outranks a setup problem, which
outranks throttling, which outranks an incomplete run.

====  =====================================================================================
0     every selected check ran and passed (or ``--dry-run`` printed its plan)
1     contract failures: the endpoint broke at least one rule
2     interrupted
3     internal error
4     usage error: unknown ``--spec``, malformed option, missing credentials
5     no tests collected
6     target problem: unreachable, DNS failure, TLS error, timeout, or not the endpoint
      (404 on the path, a redirect, a 405 or 501 to the documented method, a web page);
      found before the first test, or when the target stops answering during the run
7     token supply: discovery (``--issuer`` metadata unusable), minting at the token endpoint,
      a probe (introspection, the refresh grant, ``--resource-url``), or ``--token-command`` /
      ``--probe-command`` failed; found before the first test (one grant, one probe:
      ``supply_gate.py``) or during the run
8     throttled: nothing failed, but the target kept answering 429/503 after the bounded
      retries, so some checks did not run
9     incomplete: nothing failed, but checks that apply could not run (no token supply, the
      supply issues no refresh token, no second client); ``--checks`` narrows the run instead
====  =====================================================================================
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from revocation_contracts.pytest_plugin.names import (
    CHECK_PROPERTY,
    CONTRACT_PROPERTY,
    ONE_AT_A_TIME_PROPERTY,
    PREFLIGHT_NODEID,
    PROBLEM_ATTRIBUTE,
    STOP_ATTRIBUTE,
    TARGET,
    THROTTLED,
    TOKEN_SUPPLY,
)
from revocation_contracts.rules.outcomes import NotApplicable
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.errors import explain_request_error as explain_request_error  # re-exported
from revocation_contracts.transport.flight import FLIGHT
from revocation_contracts.transport.session import TargetThrottled, TargetThrottledStop, TargetUnreachable

EXIT_TARGET = 6
EXIT_TOKEN_SUPPLY = 7
EXIT_THROTTLED = 8
EXIT_INCOMPLETE = 9

# pytest.ExitCode values this module reasons about (kept as ints: the hook passes either).
_OK, _TESTS_FAILED, _INTERRUPTED, _NO_TESTS_COLLECTED = 0, 1, 2, 5

EXIT_CODES = {TARGET: EXIT_TARGET, TOKEN_SUPPLY: EXIT_TOKEN_SUPPLY, THROTTLED: EXIT_THROTTLED}


@dataclass(frozen=True)
class Problem:
    """Why a test could not judge the contract: a kind (which exit code) and one line.

    ``stops_run``: the session's breaker tripped (transport/session.py), so no later test
    could judge anything either, and the run ends after this test.
    """

    kind: str
    message: str
    stops_run: bool = False


def problem_of(exc: BaseException | None) -> Problem | None:
    """The Problem an exception raised in a test stands for, or None when it is a verdict.

    An exception group (hypothesis reports several distinct errors that way) is a Problem
    only when every member is one, of one kind; any real failure inside makes it a failure.
    """
    if exc is None:
        return None
    if isinstance(exc, BaseExceptionGroup):
        members = [problem_of(member) for member in exc.exceptions]
        kinds = {member.kind for member in members if member is not None}
        if None in members or len(kinds) != 1:
            return None
        stopping = next((member for member in members if member is not None and member.stops_run), None)
        return stopping or members[0]
    if isinstance(exc, TargetThrottled):
        return Problem(
            THROTTLED,
            f"target throttled: {exc}; run again later or pass a lower --rate-limit",
            stops_run=isinstance(exc, TargetThrottledStop),
        )
    if isinstance(exc, TargetUnreachable):
        request = getattr(exc.last, "request", None)
        last = (
            explain_request_error(exc.last, getattr(request, "method", None) or "request", request.url or "the target")
            if exc.last is not None and request is not None
            else str(exc.last)
        )
        return Problem(TARGET, f"target unreachable: {exc}, stopping the run; last: {last}", stops_run=True)
    if isinstance(exc, TokenSupplyError):
        return Problem(
            TOKEN_SUPPLY,
            f"token supply failed: {exc}; {exc.hint}",
        )
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        request = getattr(exc, "request", None)
        method = getattr(request, "method", None) or "request"
        url = getattr(request, "url", None) or "the target"
        return Problem(TARGET, "target stopped answering: " + explain_request_error(exc, method, url))
    return None


def skip_if_not_applicable(call: pytest.CallInfo[Any]) -> tuple[str, int, str, str] | None:
    """Turn the package's ``NotApplicable`` into pytest's skip, with the same reason; return
    the skip's location (where it was raised, pytest's frames and hidden ones left out, as
    pytest places a ``pytest.skip``) for the report, and its cause (why a check that applies
    could not run, for the coverage summary), or None for any other outcome.

    The one place a test's "does not apply" becomes pytest's: the layers below the plugin
    raise their own exception and know nothing of pytest (``rules/outcomes.py``).
    """
    excinfo = call.excinfo
    if excinfo is None or not isinstance(excinfo.value, NotApplicable):
        return None
    reason, cause = str(excinfo.value), excinfo.value.cause
    shown = [entry for entry in excinfo.traceback if not entry.ishidden(excinfo)] or list(excinfo.traceback)
    call.excinfo = pytest.CallInfo.from_call(lambda: pytest.skip(reason), call.when).excinfo
    return (str(shown[-1].path), shown[-1].lineno + 1, f"Skipped: {reason}", cause)


def mark_report(report: Any, call: pytest.CallInfo[Any], problem: Problem, item: pytest.Item) -> None:
    """Rewrite a failed report into what the Problem is: a skip, or an error of one line.

    A throttled check becomes a skip whose reason starts ``target throttled:``. Anything else
    becomes an error: a call-phase report is moved to the setup phase, because that is what
    every reporter (terminal, JUnit XML, the HTML report) files as an error rather than a
    failure, and a token or an answering target is the test's precondition, not its verdict.
    ``call.excinfo`` follows, so the runner does not open ``--pdb`` on a skip and no later
    hook re-renders a traceback from the original exception.
    """
    setattr(report, PROBLEM_ATTRIBUTE, problem.kind)
    if problem.stops_run:
        setattr(report, STOP_ATTRIBUTE, problem.message)
    if problem.kind == THROTTLED:
        report.outcome = "skipped"
        report.longrepr = (*_test_location(item), f"Skipped: {problem.message}")
        call.excinfo = pytest.CallInfo.from_call(lambda: pytest.skip(problem.message), call.when).excinfo
        return
    report.longrepr = problem.message
    if report.when == "call":
        report.when = "setup"
    if call.excinfo is not None and isinstance(call.excinfo.value, BaseExceptionGroup):
        first = call.excinfo.value.exceptions[0]
        if first.__traceback__ is not None:
            call.excinfo = pytest.ExceptionInfo.from_exception(first)


def _test_location(item: pytest.Item) -> tuple[str, int | None]:
    """Where the skipped test is, as pytest's own skips say it (a 1-based line, or none)."""
    path, line = item.reportinfo()[:2]
    if Path(path) != item.path:
        # schemathesis' lazy schema tests report the wrapper it generated; name the test file instead.
        return str(item.path), None
    return str(path), (line or 0) + 1


class RunStatus:
    """Counts the run's problems and picks the exit code; a plugin object the plugin registers.

    It reads reports in ``pytest_runtest_logreport``, which under pytest-xdist runs in the
    controller for every worker's reports, so the count is the whole run's.
    """

    def __init__(self) -> None:
        self.problems: Counter[str] = Counter()
        self.other_failures = 0
        self.first: dict[str, str] = {}
        self.planned: int | None = None
        self.stop: tuple[str, str] | None = None
        self.before_tests: tuple[str, int, str] | None = None
        self.one_at_a_time: str | None = None
        # Checks that apply could not run for a reason no other code states (set by coverage.py).
        self.incomplete = False

    def end_before_tests(self, message: str, exit_code: int, contract: str) -> None:
        """Discovery or the preflight condemned the run: end it at collection (see pytest_collection)."""
        self.before_tests = (message, exit_code, contract)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """End a run the preflight condemned, with the reason in every report.

        Here and not in ``pytest_sessionstart``: pytest only finishes a session (and so only
        writes JUnit XML and ``--report``) once it has started. The reason travels as one
        error report, ``revocation-contracts::preflight``, which every reporter records; the
        line also goes to stderr, as pytest prints an exit during start-up.
        """
        if self.before_tests is None:
            return
        message, exit_code, contract = self.before_tests
        properties = [(CONTRACT_PROPERTY, contract), (CHECK_PROPERTY, "preflight")]
        for when, outcome in (("setup", "failed"), ("teardown", "passed")):
            report = pytest.TestReport(
                nodeid=PREFLIGHT_NODEID,
                location=("revocation-contracts", None, "preflight"),
                keywords={},
                outcome=outcome,  # type: ignore[arg-type]
                longrepr=message if outcome == "failed" else None,
                when=when,  # type: ignore[arg-type]
                user_properties=properties,
            )
            session.config.hook.pytest_runtest_logreport(report=report)
        sys.stderr.write(f"Exit: {message}\n")
        pytest.exit(message, returncode=exit_code)

    def exit_status(self, status: int) -> int:
        """The session's exit code, given pytest's (see the table in the module docstring)."""
        if self.stop is not None and status in (_OK, _TESTS_FAILED, _INTERRUPTED):
            return _TESTS_FAILED if self.other_failures else EXIT_CODES[self.stop[0]]
        if self.planned is not None:
            return _OK if status == _NO_TESTS_COLLECTED and self.planned else status
        if status == _TESTS_FAILED and not self.other_failures:
            for kind in (TARGET, TOKEN_SUPPLY):
                if self.problems[kind]:
                    return EXIT_CODES[kind]
        if status == _OK and self.problems[THROTTLED]:
            return EXIT_THROTTLED
        if status == _OK and self.incomplete:
            return EXIT_INCOMPLETE
        return status

    def summary(self) -> list[str]:
        """Lines for the terminal summary, one per kind of problem seen."""
        labels = {
            TARGET: "could not run because the target stopped answering",
            TOKEN_SUPPLY: "could not run because the token supply failed",
            THROTTLED: "skipped because the target kept answering 429/503 (throttled)",
        }
        return [
            f"{count} check(s) {labels[kind]}; first: {self.first[kind]}"
            for kind, count in sorted(self.problems.items())
        ]

    def notes(self) -> list[str]:
        """Lines for the terminal summary about how the run went that are not problems."""
        line = self.one_at_a_time or FLIGHT.notice()
        return [line] if line else []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """Record, on the test during which it happened, that the run fell back to one request
        at a time: a user property, so JUnit XML shows it and pytest-xdist carries it to the
        controller's summary."""
        report = yield
        if call.when == "teardown":
            notice = FLIGHT.unreported()
            if notice is not None:
                report.user_properties.append((ONE_AT_A_TIME_PROPERTY, notice))
                item.user_properties.append((ONE_AT_A_TIME_PROPERTY, notice))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in getattr(report, "user_properties", ()):  # a report of ours may carry none
            if name == ONE_AT_A_TIME_PROPERTY and self.one_at_a_time is None:
                self.one_at_a_time = str(value)
        kind = getattr(report, PROBLEM_ATTRIBUTE, None)
        if kind is not None:
            self.problems[kind] += 1
            self.first.setdefault(kind, str(getattr(report, "head_line", None) or report.nodeid))
            stop = getattr(report, STOP_ATTRIBUTE, None)
            if stop and self.stop is None:
                self.stop = (kind, stop)
        elif report.failed:
            self.other_failures += 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        """After the test whose request tripped the breaker, end the run with its one line.

        After the test, not inside it: its report (an error or a throttled skip, with the
        reason) reaches every reporter first, JUnit and ``--report`` included. Through
        ``Session.shouldstop``, the way ``-x`` stops a run, and not ``pytest.exit``: pytest
        then interrupts the session after this test (exit code 2, which ``exit_status``
        maps), and under pytest-xdist the worker ends its loop cleanly and hands the reason
        to the controller, which shuts the other workers down; an exit inside a worker would
        read as a crash and file every test it still held as a failure.
        """
        result = yield
        if self.stop is not None and not item.session.shouldstop:
            item.session.shouldstop = f"revocation-contracts: {self.stop[1]}"
        return result

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        session.exitstatus = self.exit_status(int(session.exitstatus))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = self.summary()
        if lines:
            terminalreporter.section("revocation-contracts: checks that could not judge the contract", yellow=True)
            for line in lines:
                terminalreporter.write_line(line)
        notes = self.notes()
        if notes:
            terminalreporter.section("revocation-contracts: how the run went", yellow=True)
            for line in notes:
                terminalreporter.write_line(line)
