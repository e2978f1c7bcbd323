"""The conformance report as Markdown (``--report report.md``), for a CI job summary or a PR comment.

The same content in the same order as the HTML page (``page.py``): the run's facts, what was
not checked, the problems (each with its clause and links, expected, the masked response and
the masked request to reproduce it, once, and the tests that saw it), per-contract totals,
the matrix, the known deviations. Markdown has no filters and no folding: a CI summary is
read top-down, and the problems already come first.
"""

from __future__ import annotations

from revocation_contracts.reporting.matrix import STATUS_HELP, STATUSES, Row, status_label
from revocation_contracts.reporting.page import (
    NOTHING_UNCHECKED,
    Entry,
    Page,
    docs_url,
    rfc_url,
    same_evidence,
    short_test,
)
from revocation_contracts.rules.violation import Violation


def cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(page: Page) -> str:
    out = [*_header(page), *_notes(page), *_problems(page), *_totals(page), *_matrix(page), *_deviations(page)]
    return "\n".join(out).rstrip() + "\n"


def _header(page: Page) -> list[str]:
    info = page.info
    out = [
        "# Revocation contract conformance",
        "",
        f"**{page.verdict()}** Cells: {page.headline() or 'none'}.",
        "",
        f"- Command: `{info.command}`",
    ]
    if info.environment:
        out.append(f"- Environment: `{info.environment}`")
    out += [
        f"- Target: {info.target}",
        f"- Seed: {info.seed}",
        f"- Run: {info.generated}, {info.duration}, exit status {info.exitstatus}",
        f"- Versions: {info.versions}",
    ]
    if info.bugs:
        out.append(f"- Planted bugs: {info.bugs}")
    out += [f"- Baselines: {info.baselines}", f"- Strict semantics: {info.strict}"]
    return out


def _notes(page: Page) -> list[str]:
    if not page.notes:
        return ["", "## Not checked", "", NOTHING_UNCHECKED]
    cells = sum(note.cells() for note in page.notes)
    out = ["", f"## Not checked ({_count(cells, 'cell')}, {_count(len(page.notes), 'reason')})", ""]
    for note in page.notes:
        modules = sorted({check.partition("::")[0] for check in note.checks})
        what = "throttled" if note.status == "throttled" else "not run"
        count = note.cells()
        out.append(
            f"- **{note.reason}**: {count} check{'s' if count != 1 else ''} {what} on "
            f"{', '.join(note.contracts)} ({', '.join(modules)})"
        )
    return out


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _problems(page: Page) -> list[str]:
    out = ["", "## Problems, most severe first" if page.entries else "## Problems", ""]
    if not page.entries:
        return [*out, "None: no failure, no warning."]
    for entry in page.entries:
        out += _entry(page, entry)
    return out


def _clause_links(page: Page, clause: str) -> str:
    parts = []
    text = page.info.clause_texts.get(clause, "")
    if text:
        parts.append(text)
    if rfc_url(clause):
        parts.append(f"[RFC section]({rfc_url(clause)})")
    if docs_url(page.info, clause):
        parts.append(f"[rule documentation]({docs_url(page.info, clause)})")
    return " · ".join(parts)


def _entry(page: Page, entry: Entry) -> list[str]:
    count = len(entry.tests())
    clause = f" `{entry.clause}`" if entry.clause else ""
    out = [
        f"### {entry.number}. {status_label(entry.status).upper()} {entry.contract}{clause} {entry.title} "
        f"({count} test{'s' if count != 1 else ''})",
        "",
    ]
    if entry.clause and _clause_links(page, entry.clause):
        out += [_clause_links(page, entry.clause), ""]
    first = entry.first
    if first is not None:
        out += _evidence(first)
        out.append("Seen by:")
        out.append("")
        differing = []
        for finding in entry.findings:
            same = same_evidence(finding.violation, first)
            out.append(f"- `{short_test(finding.test)}`" + ("" if same else " (its own evidence below)"))
            if finding.violation.rerun:
                out.append(f"  rerun: `{finding.violation.rerun}`")
            if not same:
                differing.append(finding)
        out.append("")
        for finding in differing:
            out += [f"`{short_test(finding.test)}`:", "", *_evidence(finding.violation)]
    elif entry.cell is not None:
        for detail in entry.cell.details:
            if detail.text:
                out += [*_fenced(detail.text, "text"), ""]
            for command in detail.reproduce:
                out += [
                    "Request, to reproduce (your secrets as their $REVOKE_* variables):",
                    "",
                    *_fenced(command, "sh"),
                    "",
                ]
        tests = entry.tests()
        if tests:
            out += ["Seen by:", "", *(f"- `{short_test(test)}`" for test in tests), ""]
    return out


def _evidence(violation: Violation) -> list[str]:
    out = [f"- Expected: {cell_text(violation.expected)}", f"- Response: {cell_text(violation.actual)}", ""]
    if violation.reproduce:
        out += [
            "Request, to reproduce (your secrets as their $REVOKE_* variables):",
            "",
            *_fenced(violation.reproduce, "sh"),
            "",
        ]
    if violation.sequence:
        out += ["Request sequence (secrets masked):", "", *_fenced(violation.sequence, "text"), ""]
    return out


def _totals(page: Page) -> list[str]:
    shown = [status for status in STATUSES if page.matrix.counts()[status]]
    out = ["", "## Per contract", "", "| contract | " + " | ".join(map(status_label, shown)) + " |"]
    out.append("|---|" + "---|" * len(shown))
    for contract in page.contracts:
        counts = page.matrix.counts(contract)
        out.append(f"| {contract} | " + " | ".join(str(counts[status]) for status in shown) + " |")
    return out


def _matrix(page: Page) -> list[str]:
    contracts = page.contracts
    out = [
        "",
        "## Contracts x checks",
        "",
        "| Check | Clause | " + " | ".join(contracts) + " |",
        "|---|---|" + "---|" * len(contracts),
    ]
    for row in page.matrix.ordered_rows():
        cells = []
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None:
                cells.append("-")
                continue
            label = f"**{status_label(cell.status)}**" if cell.status in ("fail", "xpass") else cell.status
            anchor = page.links.get((row.check, contract))
            cells.append(f"{label} ({anchor})" if anchor else label)
        out.append(f"| `{cell_text(row.check)}` | {cell_text(_clause_column(row))} | " + " | ".join(cells) + " |")
    out += ["", "Legend: " + "; ".join(f"{status_label(status)}: {STATUS_HELP[status]}" for status in STATUSES)]
    return out


def _clause_column(row: Row) -> str:
    """The clauses the row's verdicts cite (``PIN-method-405``), else the test's own clause."""
    return ", ".join(row.violation_clauses()) or row.clause


def _deviations(page: Page) -> list[str]:
    if not page.deviations:
        return []
    out = ["", "## Known deviations (baseline)", ""]
    for number, row, contract, cell in page.deviations:
        out.append(f"- (d{number}) {contract}: `{row.check}`: " + "; ".join(detail.summary for detail in cell.details))
    return out


def _fenced(text: str, language: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + language, text, fence]
