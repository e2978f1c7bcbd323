"""A pytest test report, as one cell of the conformance report (``reporting/matrix.py``).

Why here and not in ``reporting/``: reading a report (its outcome, ``longrepr``, user
properties, the ``wasxfail`` and problem attributes) is knowing pytest; the matrix and its
renderers only see the status and the masked ``Detail`` this module gives them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from revocation_contracts.pytest_plugin.names import (
    CHECK_PROPERTY,
    CHECKED_ATTRIBUTE,
    CLAUSE_PROPERTY,
    CONTRACT_PROPERTY,
    OPERATION_PROPERTY,
    PROBLEM_ATTRIBUTE,
    THROTTLED,
)
from revocation_contracts.redact import keeping
from revocation_contracts.reporting.matrix import Detail, Matrix
from revocation_contracts.reporting.problems import Finding
from revocation_contracts.rules.outcomes import REPRO_PROPERTY, commands_of, violations_of, warnings_of
from revocation_contracts.rules.violation import FAILURE, Violation

CURL = re.compile(r"(curl -X \S+ .*?)\s*$", re.MULTILINE)
EXCEPTION_PREFIX = re.compile(r"^[A-Za-z_][\w.]*: ")


def add_report(matrix: Matrix, report: pytest.TestReport, redact: Callable[[str], str]) -> None:
    """Add one report of a contract test to ``matrix`` (others, and setup/teardown passes, are left out)."""
    properties = dict(report.user_properties)
    contract, check = properties.get(CONTRACT_PROPERTY), properties.get(CHECK_PROPERTY)
    if not isinstance(contract, str) or not isinstance(check, str):
        return
    status = _status(report)
    if status is None:
        return
    redact = keeping(redact, commands_of(report))  # reproductions stay runnable (redact.keeping)
    location = (str(report.location[0]), int(report.location[1] or 0))  # (path, line of the test)

    def detail() -> Detail:
        found = _detail(report, status, redact)
        if properties.get(OPERATION_PROPERTY):
            found.subtest = _subtest_name(report.nodeid)
        found.test = report.nodeid
        return found

    findings = []
    if status in ("fail", "warn") and report.when == "call":
        findings = [Finding(report.nodeid, contract, _masked(found, redact)) for found in violations_of(report)]
    checked = getattr(report, CHECKED_ATTRIBUTE, "")
    clause = str(properties.get(CLAUSE_PROPERTY) or "")
    matrix.add(contract, check, clause, location, status, detail, findings, checked if isinstance(checked, str) else "")


def _masked(violation: Violation, redact: Callable[[str], str]) -> Violation:
    """Every text of a violation masked once more (its request, sequence and answer included)."""
    return dataclasses.replace(
        violation,
        title=redact(violation.title),
        expected=redact(violation.expected),
        actual=redact(violation.actual),
        reproduce=redact(violation.reproduce),
        sequence=redact(violation.sequence),
    )


def _status(report: pytest.TestReport) -> str | None:
    if getattr(report, PROBLEM_ATTRIBUTE, None) == THROTTLED:
        return "throttled"
    if hasattr(report, "wasxfail"):
        return "xfail" if report.skipped else "xpass"
    if report.failed:
        if isinstance(report.longrepr, str) and report.longrepr.startswith("[XPASS(strict)]"):
            return "xpass"
        return "fail"
    if report.skipped:
        return "skip"
    if report.when != "call":
        return None
    return "warn" if warnings_of(report) else "pass"


def _subtest_name(nodeid: str | None) -> str:
    """``test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]``: the row's style."""
    if nodeid is None:
        return ""
    path, _, name = nodeid.rpartition("::")
    return f"{path.rsplit('/', 1)[-1]}::{name}"


def _detail(report: pytest.TestReport, status: str, redact: Callable[[str], str]) -> Detail:
    """Summary, message and reproduction commands of one outcome, masked once more for the report."""
    if status == "warn":
        warned = warnings_of(report)
        summary = "; ".join(violation.headline() for violation in warned)
        text = "\n\n".join(violation.render() for violation in warned)
        commands = [violation.reproduce for violation in warned if violation.reproduce]
        return Detail(
            redact(summary),
            redact(text),
            [redact(command) for command in dict.fromkeys(commands)],
            rerun=_rerun(warned),
        )
    if status == "xfail":
        return Detail(redact(f"expected failure: {report.wasxfail}"))
    if status == "throttled" and isinstance(report.longrepr, tuple):
        return Detail(redact(str(report.longrepr[2]).removeprefix("Skipped: ")))
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return Detail(redact(str(longrepr[2]).removeprefix("Skipped: ")))
    failed = [violation for violation in violations_of(report) if violation.level == FAILURE]
    if failed and report.when == "call":
        summary = "; ".join(violation.headline() for violation in failed)
        text = "\n\n".join(violation.render() for violation in failed)
        commands = [violation.reproduce for violation in failed if violation.reproduce]
        if not commands:  # a semantic property's request sequence holds its curl lines
            commands = CURL.findall(str(longrepr or ""))
        return Detail(
            redact(summary),
            redact(text),
            [redact(command) for command in dict.fromkeys(commands)],
            rerun=_rerun(failed),
        )
    full = str(longrepr or "")
    crash = getattr(getattr(longrepr, "reprcrash", None), "message", None)
    text = str(crash or full)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    titles = [line[2:] for line in lines if line.startswith("- ")]
    summary = "; ".join(titles) if titles else EXCEPTION_PREFIX.sub("", lines[0].strip()) if lines else status
    if report.when != "call":
        summary = f"error in {report.when}: {summary}"
    body = [line for line in (lines if titles else lines[1:]) if not _is_reproduction(line)]
    recorded = [value for name, value in report.user_properties if name == REPRO_PROPERTY and isinstance(value, str)]
    commands = recorded or CURL.findall(text) or CURL.findall(full)
    message = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    return Detail(redact(summary), redact(message), [redact(command) for command in dict.fromkeys(commands)])


def _rerun(violations: list[Violation]) -> str:
    """The test's rerun command (every violation of one test carries the same)."""
    return next((violation.rerun for violation in violations if violation.rerun), "")


def _is_reproduction(line: str) -> bool:
    stripped = line.strip()
    return "curl -X" in stripped or stripped in ("Reproduce with:", "reproduce:")
