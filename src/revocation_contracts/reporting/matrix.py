"""A conformance report as data: one cell per contract and check, worst outcome first.

Why apart from pytest: the report is built from test outcomes, but what it holds (statuses,
details, reproduction commands) and how it is rendered (``html.py``, ``markdown.py``) need
nothing of pytest; the pytest plugin (``pytest_plugin/reporting.py``) turns each test report
into one ``Matrix.add`` call. The matrix also keeps every violation a test recorded (masked), as
``problems.Finding``s: ``page.py`` groups them into the problems the report opens with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from revocation_contracts.reporting.problems import Finding

# Worst first: a cell shows the worst outcome of its reports (setup, call, teardown).
# "throttled" outranks "pass": a cell with throttled evidence was not fully judged (issue 10).
STATUSES = ("fail", "xpass", "warn", "xfail", "throttled", "pass", "skip")
STATUS_HELP = {
    "pass": "the endpoint meets the clause",
    "fail": "the endpoint breaks the clause (or the test could not run: setup error)",
    "warn": "a SHOULD or a pin is not met (a warning); fails only with --strict-semantics",
    "skip": "could not run here: needs an option or a token supply (the reason says which)",
    "throttled": "the target kept answering 429/503, so the check could not judge it: run again later",
    "xfail": "a known deviation listed in the --baseline file",
    "xpass": "a listed deviation no longer happens: remove it from the baseline (fails the run)",
}
MAX_DETAILS_PER_CELL = 5


@dataclass
class Detail:
    """What a reader needs about one non-passing outcome."""

    summary: str
    text: str = ""
    reproduce: list[str] = field(default_factory=list)
    subtest: str = ""  # a schema test's id (one per API operation), as the terminal and JUnit XML name it
    test: str = ""  # the test's node id: a failure or warning links to the problem that lists it
    rerun: str = ""  # the command that reruns the test with the same seed and options


@dataclass
class Cell:
    status: str
    details: list[Detail] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)  # the clauses its failures and warnings cite


@dataclass
class Row:
    check: str
    clause: str  # the test's marker clause: what it enforces when nothing broke
    location: tuple[str, int]
    cells: dict[str, Cell] = field(default_factory=dict)
    checked: str = ""  # what a pass means: the first line of the test's docstring

    def violation_clauses(self, contract: str | None = None) -> list[str]:
        """The clauses its verdicts cite (of one contract, or of all), in contract order, each once.

        The Clause column shows these when there are any: a warning about ``PIN-method-405``
        in a row whose test is marked ``PIN-method-refused`` says ``PIN-method-405``."""
        cells = [self.cells[contract]] if contract in self.cells else [] if contract else self.cells.values()
        return list(dict.fromkeys(clause for cell in cells for clause in cell.clauses))


class Matrix:
    """Outcomes by (check, contract), added in any order (pytest-xdist sends reports as they come)."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        # Every failure and warning a test recorded as a violation (masked), for ``problems.group``.
        self.findings: list[Finding] = []
        self._where: dict[str, tuple[str, int, str, str]] = {}  # a finding's test: (module, line, check, contract)

    def add(
        self,
        contract: str,
        check: str,
        clause: str,
        location: tuple[str, int],
        status: str,
        detail: Callable[[], Detail],
        findings: Iterable[Finding] = (),
        checked: str = "",
    ) -> None:
        """One outcome of ``check`` on ``contract``; ``detail`` is asked for only when the cell keeps it.

        ``findings`` are the outcome's violations (failures of a failed test, warnings of a passed
        one): every one is kept, since a problem lists every test that saw it."""
        row = self.rows.setdefault(check, Row(check, clause, location))
        row.checked = row.checked or checked
        cell = row.cells.setdefault(contract, Cell(status))
        if STATUSES.index(status) < STATUSES.index(cell.status):
            cell.status = status
        for finding in findings:
            self.findings.append(finding)
            self._where[finding.test] = (check.partition("::")[0], location[1], check, contract)
            if finding.violation.clause not in cell.clauses:
                cell.clauses.append(finding.violation.clause)
        if status != "pass" and len(cell.details) < MAX_DETAILS_PER_CELL:
            found = detail()
            if all(existing.summary != found.summary for existing in cell.details):
                cell.details.append(found)

    def ordered_findings(self) -> list[Finding]:
        """The findings in table order (module, line, test id), whatever order the reports came in:
        the first test of a problem, whose request the report shows, is the same with or without xdist."""
        return sorted(self.findings, key=lambda finding: (self._where[finding.test][:2], finding.test))

    def cell_of(self, test: str) -> tuple[str, str]:
        """The (check, contract) cell a finding's test belongs to."""
        _, _, check, contract = self._where[test]
        return check, contract

    def ordered_rows(self) -> list[Row]:
        """Rows by module, then in file order, whatever order the reports came in (xdist)."""
        return sorted(self.rows.values(), key=lambda row: (row.check.partition("::")[0], row.location[1], row.check))

    def contracts(self, preferred: tuple[str, ...]) -> list[str]:
        seen = {contract for row in self.rows.values() for contract in row.cells}
        return [name for name in preferred if name in seen] + sorted(seen - set(preferred))

    def counts(self, contract: str | None = None) -> dict[str, int]:
        """Cells per state, of every contract or of one."""
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows.values():
            for name, cell in row.cells.items():
                if contract is None or name == contract:
                    counts[cell.status] += 1
        return counts


def status_label(status: str) -> str:
    return {"fail": "FAIL", "xpass": "XPASS"}.get(status, status)
