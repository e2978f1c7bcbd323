"""What the report says, in the order it says it, for both renderers (``html.py``, ``markdown.py``).

Why one model for two pages: the HTML page and the Markdown summary must tell the same story in
the same order, and a reader should meet the answer before the evidence:

1. the run itself: command line (secrets masked), seed, target, versions, duration, exit status;
2. hollow-pass notes: what was *not* checked and why (skipped and throttled cells grouped by
   their reason), so a green page that ran nothing says so before anything else;
3. the problems, most severe first, grouped by ``problems.group`` exactly as the terminal
   groups them (one root cause, one entry, listing every test that saw it), then failures no
   violation explains (a setup error, a strict XPASS);
4. per-contract totals, then the contracts x checks matrix, then the known deviations.

Clause ids link to the RFC section (rfc-editor.org, built from the id: ``RFC7009-2.2`` is
section 2.2 of RFC 7009, ``RFC6749-B`` its appendix B) and, when the rule documentation is at
hand, to its heading in ``docs/contracts.md`` (GitHub's anchor of ``### RFC7009-2.2`` is
``rfc7009-22``). The statement of each clause (``rules/clauses.py`` and the contracts' own
clauses, the registry that document is checked against) is in the page itself, so an offline
reader of a CI artifact still reads what each id means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from revocation_contracts.reporting.matrix import STATUSES, Cell, Matrix, Row
from revocation_contracts.reporting.problems import Finding, Problem, group
from revocation_contracts.rules.violation import FAILURE, Violation

RFC_CLAUSE = re.compile(r"^RFC(\d+)-(\d[\d.]*|[A-Z](?:\.[\d.]+)?)$")
# Problems shown open at the top of the page; the rest are one line each until opened.
OPEN_PROBLEMS = 3
# What "Not checked" says when every check that applies ran (checks that cannot apply to a
# contract are not collected at all: the terminal's coverage section lists them).
NOTHING_UNCHECKED = "Every check that applies to the selected contracts ran."
# Hollow-pass notes shown before the problems; the rest wait behind one line.
OPEN_NOTES = 3
# The states a note stands for: checks that ran nothing the reader can rely on.
HOLLOW = ("throttled", "skip")


@dataclass(frozen=True)
class RunInfo:
    """The facts about a run the report opens with, already masked and formatted by the plugin."""

    command: str
    target: str
    seed: str
    versions: str
    duration: str
    exitstatus: str
    generated: str
    contracts: tuple[str, ...]
    environment: str = ""  # the REVOKE_* variables the run read, secret values masked
    bugs: str = ""
    baselines: str = "none"
    strict: str = "no"
    clause_texts: Mapping[str, str] = field(default_factory=dict)
    docs: str = ""  # where docs/contracts.md is, relative to the report; "" when it is not at hand
    documented: frozenset[str] = frozenset()  # the clause ids that have a heading there


def rfc_url(clause: str) -> str:
    """``RFC7009-2.2`` -> rfc-editor.org's section 2.2 of RFC 7009; "" for a pin, doc or obs id."""
    match = RFC_CLAUSE.match(clause)
    if match is None:
        return ""
    number, section = match.groups()
    kind = "section" if section[0].isdigit() else "appendix"
    return f"https://www.rfc-editor.org/rfc/rfc{number}#{kind}-{section}"


def docs_anchor(clause: str) -> str:
    """GitHub's anchor of a ``### <clause>`` heading: lower case, punctuation but ``-`` and ``_`` dropped."""
    return re.sub(r"[^\w\- ]", "", clause.lower()).replace(" ", "-")


def docs_url(info: RunInfo, clause: str) -> str:
    return f"{info.docs}#{docs_anchor(clause)}" if info.docs and clause in info.documented else ""


@dataclass
class Note:
    """Checks that did not judge anything, for one reason: a coverage gap the reader must know of."""

    number: int
    reason: str
    status: str  # "skip" or "throttled"
    contracts: list[str]
    checks: list[str]

    def cells(self) -> int:
        return len(self.checks)


@dataclass
class Entry:
    """One entry of the problems list: a grouped problem, or one failure no violation explains."""

    number: int
    contract: str
    status: str  # the cell state it stands for: "fail", "xpass" or "warn"
    clause: str
    title: str
    problem: Problem | None = None
    findings: list[Finding] = field(default_factory=list)  # every test that saw it, its own violation each
    row: Row | None = None  # for a failure without a violation: its cell
    cell: Cell | None = None

    @property
    def first(self) -> Violation | None:
        return self.problem.first if self.problem is not None else None

    def tests(self) -> list[str]:
        if self.problem is not None:
            return list(self.problem.tests)
        return [detail.test for detail in self.cell.details if detail.test] if self.cell else []


@dataclass
class Page:
    info: RunInfo
    matrix: Matrix
    contracts: list[str]
    notes: list[Note]
    entries: list[Entry]
    deviations: list[tuple[int, Row, str, Cell]]  # known deviations (xfail), numbered
    links: dict[tuple[str, str], str]  # (check, contract) -> the anchor its cell links to

    def headline(self) -> str:
        counts = self.matrix.counts()
        return ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])

    def verdict(self) -> str:
        """One sentence: how many problems, how many tests they broke, in how many contracts."""
        failing = [entry for entry in self.entries if entry.status != "warn"]
        warning = [entry for entry in self.entries if entry.status == "warn"]
        if not self.entries:
            return "No problem found." if self.matrix.rows else "No contract test ran."
        parts = []
        if failing:
            parts.append(f"{len(failing)} failing problem{'s' if len(failing) != 1 else ''}")
        if warning:
            parts.append(f"{len(warning)} warning{'s' if len(warning) != 1 else ''}")
        contracts = sorted({entry.contract for entry in self.entries})
        return f"{' and '.join(parts)} in {len(contracts)} contract{'s' if len(contracts) != 1 else ''}."


def build_page(matrix: Matrix, info: RunInfo) -> Page:
    contracts = matrix.contracts(info.contracts)
    links: dict[tuple[str, str], str] = {}
    notes = _notes(matrix, contracts, links)
    entries = _entries(matrix, contracts, links)
    deviations: list[tuple[int, Row, str, Cell]] = []
    for row in matrix.ordered_rows():
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is not None and cell.status == "xfail":
                deviations.append((len(deviations) + 1, row, contract, cell))
                links[(row.check, contract)] = f"d{len(deviations)}"
    return Page(info, matrix, contracts, notes, entries, deviations, links)


def _notes(matrix: Matrix, contracts: list[str], links: dict[tuple[str, str], str]) -> list[Note]:
    """Skipped and throttled cells grouped by reason, the reasons that left most cells unjudged first."""
    grouped: dict[tuple[str, str], Note] = {}
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in matrix.ordered_rows():
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None or cell.status not in HOLLOW:
                continue
            reason = cell.details[0].summary if cell.details else cell.status
            note = grouped.setdefault((cell.status, reason), Note(0, reason, cell.status, [], []))
            if contract not in note.contracts:
                note.contracts.append(contract)
            note.checks.append(row.check)
            members.setdefault((cell.status, reason), []).append((row.check, contract))
    ordered = sorted(grouped.items(), key=lambda item: (HOLLOW.index(item[0][0]), -item[1].cells(), item[0][1]))
    notes = []
    for number, (key, note) in enumerate(ordered, start=1):
        note.number = number
        notes.append(note)
        for member in members[key]:
            links[member] = f"n{number}"
    return notes


def _entries(matrix: Matrix, contracts: list[str], links: dict[tuple[str, str], str]) -> list[Entry]:
    """Grouped problems, failures first; failures without a violation after them; then warnings."""
    findings = matrix.ordered_findings()
    problems = group(findings)
    failures = [problem for problem in problems if problem.level == FAILURE]
    warnings = [problem for problem in problems if problem.level != FAILURE]
    entries: list[Entry] = []

    # Which problem each finding is in: ``group`` itself says, asked about the finding alone, so
    # what makes two verdicts one problem is decided in one place.
    members: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        members.setdefault(group([finding])[0].key, []).append(finding)

    def add_problem(problem: Problem) -> None:
        seen = members.get(problem.key, [])
        status = "fail" if problem.level == FAILURE else "warn"
        entry = Entry(len(entries) + 1, problem.contract, status, problem.clause, problem.symptom, problem, seen)
        entries.append(entry)
        for finding in seen:
            links.setdefault(matrix.cell_of(finding.test), f"p{entry.number}")

    for problem in failures:
        add_problem(problem)
    for row in matrix.ordered_rows():
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None or cell.status not in ("fail", "xpass") or (row.check, contract) in links:
                continue
            title = cell.details[0].summary if cell.details else cell.status
            entry = Entry(len(entries) + 1, contract, cell.status, "", title, row=row, cell=cell)
            entries.append(entry)
            links[(row.check, contract)] = f"p{entry.number}"
    for problem in warnings:
        add_problem(problem)
    return entries


def same_evidence(one: Violation, other: Violation) -> bool:
    """Whether two tests of one problem saw the same thing: the page then shows it once.

    The rerun command is left out: it names each test, so it always differs."""
    return (one.expected, one.actual, one.reproduce, one.sequence) == (
        other.expected,
        other.actual,
        other.reproduce,
        other.sequence,
    )


def short_test(nodeid: str) -> str:
    """``test_protocol.py::test_x[polar]`` for any path the suite was collected from."""
    path, sep, name = nodeid.partition("::")
    return f"{path.rsplit('/', 1)[-1]}{sep}{name}"
