"""One root cause, one problem: the violations of a run grouped by contract, clause and symptom.

Why: one planted echo of the token fails thirty tests, and each test's own text is right; the
reader still has to discover that they are one problem. Every surface that lists what went
wrong (the terminal summary, the report, JUnit) lists *problems* first, each with its clause,
expected and actual, and the tests that saw it. The exit code does not change: it still comes
from the tests.

What makes two verdicts one problem is on the ``Violation`` (``problem_clause``,
``problem_symptom``), set where the verdict is made: the rule's finding without where it was met.
A semantic property that fails on a wrong answer or an echoed secret carries the rule's finding
(``Violation.caused_by``), so Authlib's 401 to an unknown hint is one problem whether
``test_unsupported_hint`` or property 11 met it; a property that fails on its own claim (a token
still active) is listed under the claim, not under the token labels of its event; a title's
trailing note ("(--strict-semantics)") never splits a problem. Two symptoms under one clause (a
5xx and a wrong error body, both RFC6749-5.2) stay two problems.

The grouping is a pure function of the violations the tests recorded, so the terminal, the
HTML page and the Markdown summary cannot group differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from revocation_contracts.rules.violation import FAILURE, Level, Violation, symptom_of

__all__ = ["Finding", "Problem", "group", "render_problems", "symptom_of"]

# How many test ids a problem names before "+N more".
SHOWN_TESTS = 3


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
        """``polar [PIN-no-echo] Credential echoed (12 tests)``."""
        count = len(self.tests)
        return f"{self.contract} [{self.clause}] {self.symptom} ({count} test{'s' if count != 1 else ''})"

    def seen_by(self, shown: int = SHOWN_TESTS) -> str:
        """``test_protocol.py::test_x[polar], test_semantics.py::test_y[polar], +10 more``."""
        names = [_short(test) for test in self.tests]
        more = len(names) - shown
        return ", ".join(names[:shown]) + (f", +{more} more" if more > 0 else "")


def _short(nodeid: str) -> str:
    """``tests/contract/test_schema.py::test_x[polar-POST:/v1/oauth2/revoke]`` -> ``test_schema.py::...``:
    the module's directory dropped, never a ``/`` of the test's own id."""
    path, separator, name = nodeid.partition("::")
    return path.rsplit("/", 1)[-1] + separator + name


def group(findings: Iterable[Finding]) -> list[Problem]:
    """The problems of a run, failures first, then by how many tests saw each, then by contract."""
    grouped: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        violation = finding.violation
        key = (finding.contract, violation.problem_clause, violation.level, violation.problem_symptom)
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


def render_problems(problems: list[Problem]) -> list[str]:
    """The terminal's lines for ``problems``: per problem its level and headline, the first test's
    expected and got, and the tests that saw it (``FAILURE polar [PIN-no-echo] ...``: one line a
    CI log can be searched for)."""
    lines: list[str] = []
    for problem in problems:
        first = problem.first
        lines += [
            f"{problem.level.upper()} {problem.headline()}",
            f"  expected: {first.rendered_expected}",
            f"  got:      {first.rendered_actual}",
            f"  seen by:  {problem.seen_by()}",
        ]
    return lines
