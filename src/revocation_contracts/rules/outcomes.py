"""Where verdicts go: failures raised, warnings collected, both recorded as data on the test.

Why a convention module: the terminal summary, JUnit XML and the conformance report need
the same facts about a test (the clause, failure/warning/pass, expected and actual, the
reproduction command), and the tests that produce them (schema, protocol, semantics) are
written apart. So every adapter ends here:

- a failure-level ``Violation`` is raised as ``ContractFailure`` (explicit, schema and
  semantic tests; it renders compactly, without pytest's source listing); inside the schema
  test a check raises it as a schemathesis failure carrying it (``checks.py``), which the
  schema test turns into a ``ContractFailure`` (``schema_run.py``);
- a precondition the target does not meet (no such token type, a blocked revocation, an
  example that does not fit the contract) is raised as ``NotApplicable``, the test's skip;
- a warning-level one goes to ``collect_warning``, into the sink the reporting plugin opens
  around each test call; under ``--strict-semantics`` the sink refuses it and the adapter
  fails instead;
- the reporting plugin (``pytest_plugin/reporting.py``) writes each test's violations as JSON into
  its ``user_properties`` (``VIOLATION_PROPERTY``), which pytest-xdist carries to the
  controller and JUnit XML prints as ``<property>`` elements. Readers use ``violations_of``.

Sinks are per thread: semantic properties that run side by side against a remote target
(``semantics/side_by_side.py``) collect their warnings in their own thread's sink, and the
test that owns them collects them again in the main thread's.

Why no pytest here: these are the package's own outcomes, so the layers below the plugin stay
usable (and testable) without a test runner; the plugin (``pytest_plugin/suite.py``) is the one
place that turns them into pytest's.
"""

from __future__ import annotations

import threading
import unittest
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from revocation_contracts.rules.violation import FAILURE, WARNING, Violation, render_all

CLAUSE_MARKER = "clause"
VIOLATION_PROPERTY = "revocation-violation"
REPRO_PROPERTY = "revocation-reproduce"
# A free-text remark on a test for JUnit and the report (e.g. what property 7 covered).
NOTE_PROPERTY = "revocation-note"
STRICT_NOTE = "a warning, failing because --strict-semantics is set"


class ContractFailure(AssertionError):
    """An explicit or semantic test's failure: the violations it carries, rendered compactly."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(render_all(violations))
        self.violations = violations


class NotApplicable(unittest.SkipTest):
    """The test does not apply to this target (the reason says why): a skip, never a verdict.

    A ``unittest.SkipTest``, the standard library's "skip this test", so Hypothesis re-raises it
    at once from inside a property (no shrinking, no falsifying example), as it did
    ``pytest.skip``; the plugin reports it as pytest's skip with the same reason and location.

    Raised while a test runs, it means a check that applies to the contract could not run here
    (what does not apply to a contract at all is decided at collection and never collected):
    ``cause`` names why, for the run's coverage summary (``reporting/coverage.py``), one of
    ``NOT_RUN_CAUSES``.
    """

    def __init__(self, reason: str, cause: str = "not-run") -> None:
        super().__init__(reason)
        self.cause = cause

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.cause))


# Why a check that applies could not run (``NotApplicable.cause``): no live tokens or probe to
# judge it with, a supply that issues none of a token type, blocked by an earlier failure, other.
NO_TOKEN_SUPPLY, SUPPLY_LACKS, BLOCKED, NOT_RUN = "no-token-supply", "supply-lacks", "blocked", "not-run"
NOT_RUN_CAUSES = (NO_TOKEN_SUPPLY, SUPPLY_LACKS, BLOCKED, NOT_RUN)


@dataclass
class WarningSink:
    """The warnings of one running test; ``strict`` makes every warning a failure instead."""

    strict: bool = False
    warnings: list[Violation] = field(default_factory=list)


class _ThreadSinks(threading.local):
    def __init__(self) -> None:
        self.stack: list[WarningSink] = []


_SINKS = _ThreadSinks()


@contextmanager
def collecting(strict: bool) -> Iterator[WarningSink]:
    """Open the sink for one test call (the reporting plugin does, around every test)."""
    sink = WarningSink(strict)
    _SINKS.stack.append(sink)
    try:
        yield sink
    finally:
        _SINKS.stack.remove(sink)


def strict_mode() -> bool:
    return bool(_SINKS.stack) and _SINKS.stack[-1].strict


def collect_warning(violation: Violation) -> bool:
    """Record a warning for the running test; False under strict mode (the caller fails)."""
    if strict_mode():
        return False
    if _SINKS.stack:
        # One entry per finding: a property meets the same warning in many examples.
        sink = _SINKS.stack[-1]
        key = (violation.clause, violation.title, violation.expected, violation.actual)
        if all((seen.clause, seen.title, seen.expected, seen.actual) != key for seen in sink.warnings):
            sink.warnings.append(violation)
    return True


def as_strict_failure(violation: Violation) -> Violation:
    return violation.as_strict_failure(STRICT_NOTE)


def settle(violations: list[Violation]) -> None:
    """The explicit-test verdict: raise the failures (strict warnings among them), keep the warnings."""
    __tracebackhide__ = True
    failures = [violation for violation in violations if violation.level == FAILURE]
    for violation in violations:
        if violation.level == WARNING and not collect_warning(violation):
            failures.append(as_strict_failure(violation))
    if failures:
        raise ContractFailure(failures)


def warn_should(clause: str, title: str, expected: str, actual: str, sequence: str = "") -> None:
    """An unmet SHOULD (RFC 2119, e.g. the RFC 7009 refresh cascade): a warning, or a failure
    under ``--strict-semantics``."""
    __tracebackhide__ = True
    settle([Violation(clause, WARNING, title, expected, actual, sequence=sequence)])


def violations_of(report_or_item: Any) -> list[Violation]:
    """The violations recorded on a report or item (failures and warnings), in order."""
    found = []
    for name, value in getattr(report_or_item, "user_properties", []):
        if name == VIOLATION_PROPERTY and isinstance(value, str):
            violation = Violation.from_json(value)
            if violation is not None:
                found.append(violation)
    return found


def commands_of(report_or_item: Any) -> list[str]:
    """The reproduction and rerun lines of the recorded violations (``Violation.commands``), which
    report masking keeps as rendered (``redact.keeping``)."""
    return [line for violation in violations_of(report_or_item) for line in violation.commands()]


def warnings_of(report_or_item: Any) -> list[Violation]:
    return [violation for violation in violations_of(report_or_item) if violation.level == WARNING]


def violations_in(error: BaseException | None) -> list[Violation]:
    """The violations an exception carries (``ContractFailure``, or a group of them)."""
    if error is None:
        return []
    carried = getattr(error, "violations", None)
    if isinstance(carried, list):
        return [violation for violation in carried if isinstance(violation, Violation)]
    single = getattr(error, "violation", None)
    if isinstance(single, Violation):
        return [single]
    if isinstance(error, BaseExceptionGroup):
        return [violation for inner in error.exceptions for violation in violations_in(inner)]
    return []
