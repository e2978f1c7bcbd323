"""One root cause, one problem: the violations of a run grouped by contract, clause and symptom.

Why: one planted echo of the token fails thirty tests, and each test's own text is right; the
reader still has to discover that they are one problem. Every surface that lists what went
wrong (the terminal summary, the report, JUnit) lists *problems* first, each with its clause,
expected and actual, and the tests that saw it. The exit code does not change: it still comes
from the tests.

The grouping is a pure function of the violations the tests recorded, so the terminal, the
HTML page and the Markdown summary cannot group differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from revocation_contracts.rules.violation import FAILURE, Level, Violation

# A title's parenthesised note ("(--strict-semantics)", "(token in the body)") names where it
# was seen, not what broke.
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class Finding:
    """One violation as one test saw it."""

    test: str  # the test's node id
    contract: str
    violation: Violation


@dataclass(frozen=True)
class Problem:
    """Violations sharing a contract, a clause, a level and a symptom: one root cause."""

    contract: str
    clause: str
    level: Level
    symptom: str
    first: Violation  # the first test's violation: its expected, actual and reproduction
    tests: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.contract, self.clause, self.level, self.symptom)

    def headline(self) -> str:
        """``polar [PIN-no-echo] The response echoes the token (12 tests)``."""
        count = len(self.tests)
        return f"{self.contract} [{self.clause}] {self.symptom} ({count} test{'s' if count != 1 else ''})"


def symptom_of(violation: Violation) -> str:
    """What broke, without where it was seen: the title minus a trailing parenthesised note."""
    title = violation.title
    while True:
        shorter = _NOTE.sub("", title)
        if shorter == title or not shorter:
            return title
        title = shorter


def group(findings: Iterable[Finding]) -> list[Problem]:
    """The problems of a run, failures first, then by how many tests saw each, then by contract."""
    grouped: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        violation = finding.violation
        key = (finding.contract, violation.clause, violation.level, symptom_of(violation))
        grouped.setdefault(key, []).append(finding)
    problems = [
        Problem(
            contract=key[0],
            clause=key[1],
            level=members[0].violation.level,
            symptom=key[3],
            first=members[0].violation,
            tests=tuple(dict.fromkeys(member.test for member in members)),
        )
        for key, members in grouped.items()
    ]
    problems.sort(key=lambda problem: (problem.level != FAILURE, -len(problem.tests), problem.contract, problem.clause))
    return problems
