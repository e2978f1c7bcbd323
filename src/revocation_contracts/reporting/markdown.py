"""The conformance report as Markdown (``--report report.md``), for a CI job summary or a PR comment."""

from __future__ import annotations

from collections.abc import Callable

from revocation_contracts.reporting.matrix import (
    SECTIONS,
    STATUS_HELP,
    STATUSES,
    Matrix,
    headline,
    numbered_details,
    status_label,
)


def render_markdown(matrix: Matrix, context: dict[str, str]) -> str:
    """A Markdown page: the matrix as a table, then numbered details with fenced curl commands."""
    contracts = matrix.contracts(tuple(context["contracts"].split(",")))
    numbered = numbered_details(matrix, contracts)
    anchors = {(row.check, contract): number for number, row, contract, _ in numbered}
    cell_text: Callable[[str], str] = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = [
        "# Revocation contract conformance",
        "",
        f"**{headline(matrix) or 'no contract tests ran'}**",
        "",
        f"- Target: {context['target']}",
    ]
    if context["bugs"]:
        out.append(f"- Planted bugs: {context['bugs']}")
    out += [
        f"- Baselines: {context['baselines']}",
        f"- Strict semantics: {context['strict']}",
        f"- Generated: {context['generated']} ({context['duration']}, exit status {context['exitstatus']})",
        "",
        "| Check | Clause | " + " | ".join(contracts) + " |",
        "|---|---|" + "---|" * len(contracts),
    ]
    for row in matrix.ordered_rows():
        cells = []
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None:
                cells.append("-")
                continue
            label = f"**{status_label(cell.status)}**" if cell.status in ("fail", "xpass") else cell.status
            number = anchors.get((row.check, contract))
            cells.append(f"{label} ({number})" if number is not None else label)
        out.append(f"| `{cell_text(row.check)}` | {cell_text(row.clause)} | " + " | ".join(cells) + " |")
    out += ["", "Legend: " + "; ".join(f"{status_label(status)}: {STATUS_HELP[status]}" for status in STATUSES)]
    for heading, statuses in SECTIONS:
        entries = [entry for entry in numbered if entry[3].status in statuses]
        if not entries:
            continue
        out += ["", f"## {heading}"]
        for number, row, contract, cell in entries:
            out += ["", f"### ({number}) {contract}: `{row.check}`", ""]
            if row.clause:
                out += [f"Clause: {row.clause}", ""]
            for detail in cell.details:
                out += [f"**{cell_text(detail.summary)}**", ""]
                if detail.subtest:
                    out += [f"Test: `{detail.subtest}`", ""]
                if detail.text:
                    out += [*_fenced(detail.text, "text"), ""]
                for command in detail.reproduce:
                    out += ["Reproduce:", "", *_fenced(command, "sh"), ""]
    return "\n".join(out).rstrip() + "\n"


def _fenced(text: str, language: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + language, text, fence]
