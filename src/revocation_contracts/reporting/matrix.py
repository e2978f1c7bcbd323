"""A conformance report as data: one cell per contract and check, worst outcome first.

Why apart from pytest: the report is built from test outcomes, but what it holds (statuses,
details, reproduction commands) and how it is rendered (``html.py``, ``markdown.py``) need
nothing of pytest; the pytest plugin (``pytest_plugin/reporting.py``) turns each test report
into one ``Matrix.add`` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Worst first: a cell shows the worst outcome of its reports (setup, call, teardown).
# "throttled" outranks "pass": a cell with throttled evidence was not fully judged (issue 10).
STATUSES = ("fail", "xpass", "warn", "xfail", "throttled", "pass", "skip")
STATUS_HELP = {
    "pass": "the endpoint meets the clause",
    "fail": "the endpoint breaks the clause (or the test could not run: setup error)",
    "warn": "a SHOULD or a pin is not met (a warning); fails only with --strict-semantics",
    "skip": "not applicable to this contract, or needs an option (the reason says which)",
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


@dataclass
class Cell:
    status: str
    details: list[Detail] = field(default_factory=list)


@dataclass
class Row:
    check: str
    clause: str
    location: tuple[str, int]
    cells: dict[str, Cell] = field(default_factory=dict)


class Matrix:
    """Outcomes by (check, contract), added in any order (pytest-xdist sends reports as they come)."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}

    def add(
        self,
        contract: str,
        check: str,
        clause: str,
        location: tuple[str, int],
        status: str,
        detail: Callable[[], Detail],
    ) -> None:
        """One outcome of ``check`` on ``contract``; ``detail`` is asked for only when the cell keeps it."""
        row = self.rows.setdefault(check, Row(check, clause, location))
        cell = row.cells.setdefault(contract, Cell(status))
        if STATUSES.index(status) < STATUSES.index(cell.status):
            cell.status = status
        if status != "pass" and len(cell.details) < MAX_DETAILS_PER_CELL:
            found = detail()
            if all(existing.summary != found.summary for existing in cell.details):
                cell.details.append(found)

    def ordered_rows(self) -> list[Row]:
        """Rows by module, then in file order, whatever order the reports came in (xdist)."""
        return sorted(self.rows.values(), key=lambda row: (row.check.partition("::")[0], row.location[1], row.check))

    def contracts(self, preferred: tuple[str, ...]) -> list[str]:
        seen = {contract for row in self.rows.values() for contract in row.cells}
        return [name for name in preferred if name in seen] + sorted(seen - set(preferred))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows.values():
            for cell in row.cells.values():
                counts[cell.status] += 1
        return counts


def status_label(status: str) -> str:
    return {"fail": "FAIL", "xpass": "XPASS"}.get(status, status)


SECTIONS = (
    ("Failures", ("fail", "xpass")),
    ("Warnings", ("warn",)),
    ("Known deviations (baseline)", ("xfail",)),
    ("Throttled", ("throttled",)),
    ("Skipped", ("skip",)),
)


def numbered_details(matrix: Matrix, contracts: list[str]) -> list[tuple[int, Row, str, Cell]]:
    """Non-passing cells with details, numbered in reading order: section by section, then table order."""
    numbered: list[tuple[int, Row, str, Cell]] = []
    for _, statuses in SECTIONS:
        for row in matrix.ordered_rows():
            for contract in contracts:
                cell = row.cells.get(contract)
                if cell is not None and cell.status in statuses and cell.details:
                    numbered.append((len(numbered) + 1, row, contract, cell))
    return numbered


def headline(matrix: Matrix) -> str:
    counts = matrix.counts()
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])
