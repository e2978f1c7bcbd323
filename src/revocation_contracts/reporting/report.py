"""Reports: one cell per contract and check, from pytest's own reports, as HTML or Markdown.

Why built on test reports and not on a side channel: pytest already gives every outcome to
``pytest_runtest_logreport``, including schemathesis' per-operation subtests and, under
pytest-xdist, the reports workers send to the controller. So the conformance report reads
exactly what the terminal and JUnit XML read, after the same redaction. What a report alone
does not carry (the contract, the check, the clause from the ``clause`` marker) is attached
to each item at collection as user properties; they travel with the report to the controller
and also appear in JUnit XML as ``<property>`` elements.

The same plugin object applies ``--baseline`` files (``baseline.py``) at collection, and it
masks every report once more just before the reporters see it: pytest's subtests append the
captured output after ``pytest_runtest_makereport``, where the plugin's first mask runs.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from revocation_contracts.model.contract import contract_of
from revocation_contracts.pytest_plugin.options import Settings
from revocation_contracts.pytest_plugin.runstatus import PROBLEM_ATTRIBUTE, THROTTLED
from revocation_contracts.pytest_plugin.subtest_ids import subtest_id
from revocation_contracts.redact import Redactor, redact_report
from revocation_contracts.reporting.baseline import xfail_marks
from revocation_contracts.rules.outcomes import (
    REPRO_PROPERTY,
    VIOLATION_PROPERTY,
    ContractFailure,
    clause_of,
    collecting,
    violations_in,
    violations_of,
    warnings_of,
)
from revocation_contracts.rules.violation import FAILURE, Violation

CONTRACT_PROPERTY = "revocation-contract"
CHECK_PROPERTY = "revocation-check"
CLAUSE_PROPERTY = "revocation-clause"

# Worst first: a cell shows the worst outcome of its reports (setup, call, teardown, subtests).
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
CURL = re.compile(r"(curl -X \S+ .*?)\s*$", re.MULTILINE)
EXCEPTION_PREFIX = re.compile(r"^[A-Za-z_][\w.]*: ")
SCHEMATHESIS_GROUP = re.compile(
    r"Schemathesis found \d+ distinct failures?\n(.*?)(?:\n[ |]*\(\d+ sub-exceptions?\)|\Z)", re.DOTALL
)
GUTTER = re.compile(r"^\s*\| ?")
MAX_DETAILS_PER_CELL = 5
WARNINGS_KEY = pytest.StashKey[list[Violation]]()


def register_reporting(config: pytest.Config, settings: Settings, redactor: Redactor) -> None:
    """Called from the plugin's ``pytest_configure``: attach the reporting plugin object."""
    report_path = None
    if settings.report and not hasattr(config, "workerinput"):  # xdist workers only send reports
        report_path = Path(os.path.abspath(settings.report))
    config.pluginmanager.register(ReportingPlugin(settings, redactor, report_path), "revocation-contracts-reporting")


@dataclass
class Detail:
    """What a reader needs about one non-passing outcome."""

    summary: str
    text: str = ""
    reproduce: list[str] = field(default_factory=list)
    subtest: str = ""  # an operation sub-test's id, as the terminal and JUnit XML name it


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
    """Outcomes by (check, contract), built from test reports in any order."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        self.rows: dict[str, Row] = {}
        self.redact = redact

    def add(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        contract, check = properties.get(CONTRACT_PROPERTY), properties.get(CHECK_PROPERTY)
        if not isinstance(contract, str) or not isinstance(check, str):
            return
        status = _status(report)
        if status is None:
            return
        location = (str(report.location[0]), int(report.location[1] or 0))  # (path, line of the test)
        row = self.rows.setdefault(check, Row(check, str(properties.get(CLAUSE_PROPERTY) or ""), location))
        cell = row.cells.setdefault(contract, Cell(status))
        if STATUSES.index(status) < STATUSES.index(cell.status):
            cell.status = status
        if status != "pass" and len(cell.details) < MAX_DETAILS_PER_CELL:
            detail = _detail(report, status, self.redact)
            detail.subtest = _subtest_name(subtest_id(report))
            if all(existing.summary != detail.summary for existing in cell.details):
                cell.details.append(detail)

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
    """``test_schema.py::test_schema_conformance[polar][POST:/v1/oauth2/revoke]``: the row's style."""
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
        return Detail(redact(summary), redact(text), [redact(command) for command in dict.fromkeys(commands)])
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
        if not commands:  # schemathesis' built-ins carry their curl line in their own rendering
            commands = CURL.findall(str(longrepr or ""))
        return Detail(redact(summary), redact(text), [redact(command) for command in dict.fromkeys(commands)])
    full = str(longrepr or "")
    crash = getattr(getattr(longrepr, "reprcrash", None), "message", None)
    text = _schemathesis_failures(full) or str(crash or full)
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


def _schemathesis_failures(full: str) -> str | None:
    """The failure list of a schemathesis ``FailureGroup``, without the traceback's ``|`` gutter."""
    match = SCHEMATHESIS_GROUP.search(full)
    if match is None:
        return None
    return "\n".join(GUTTER.sub("", line) for line in match.group(1).splitlines())


def _is_reproduction(line: str) -> bool:
    stripped = line.strip()
    return "curl -X" in stripped or stripped in ("Reproduce with:", "reproduce:")


class ReportingPlugin:
    """Item annotation and baselines (every process); the conformance report (controller only)."""

    def __init__(self, settings: Settings, redactor: Redactor, report_path: Path | None) -> None:
        self.settings = settings
        self.redactor = redactor
        self.report_path = report_path
        self.matrix = Matrix(redactor)
        self.started = time.time()
        self.written: Path | None = None
        self.warnings: list[tuple[str, Violation]] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            contract = _contract_of(item)
            if contract is None:
                continue
            item.user_properties.append((CONTRACT_PROPERTY, contract))
            item.user_properties.append((CHECK_PROPERTY, _check_of(item, contract)))
            item.user_properties.append((CLAUSE_PROPERTY, clause_of(item) or ""))
            for mark in xfail_marks(self.settings.baselines, contract, item.nodeid):
                item.add_marker(mark)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        """Collect the test's warnings (``outcomes.collect_warning``) while it runs."""
        with collecting(self.settings.strict) as sink:
            try:
                return (yield)
            finally:
                item.stash[WARNINGS_KEY] = list(sink.warnings)

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """Write the test's violations into its reports as data; render ours compactly.

        Each violation becomes a JSON ``revocation-violation`` user property on the report
        (read by the report and the terminal summary, carried by pytest-xdist) and on the
        item, so the teardown report JUnit XML reads its properties from carries it too.
        Inner to the plugin's own wrapper, so its redaction still runs on what is set here.
        """
        report: pytest.TestReport = yield
        if call.when != "call":
            return report
        found = violations_in(call.excinfo.value) if call.excinfo is not None and report.failed else []
        warned = item.stash.get(WARNINGS_KEY, None)
        if warned is not None:
            del item.stash[WARNINGS_KEY]  # subtest reports come earlier: the test's own report takes them
            found = found + warned
        for violation in found:
            entry = (VIOLATION_PROPERTY, violation.to_json())
            report.user_properties.append(entry)
            item.user_properties.append(entry)
        if call.excinfo is not None and isinstance(call.excinfo.value, ContractFailure) and report.failed:
            report.longrepr = str(call.excinfo.value)
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redact_report(report, self.redactor)
        if report.when == "call":
            for violation in warnings_of(report):
                self.warnings.append((report.nodeid, violation))
        if self.report_path is not None:
            self.matrix.add(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.report_path is None:
            return
        renderer = render_markdown if self.report_path.suffix.lower() == ".md" else render_html
        text = renderer(self.matrix, self._context(int(session.exitstatus)))  # as remapped by runstatus
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.report_path.with_name(self.report_path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.report_path)
        self.written = self.report_path

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.warnings:
            terminalreporter.write_sep("=", f"revocation contract warnings ({len(self.warnings)})", yellow=True)
            for nodeid, violation in self.warnings:
                terminalreporter.write_line(self.redactor(f"WARNING {nodeid} {violation.headline()}"))
                terminalreporter.write_line(self.redactor(f"  expected: {violation.expected}"))
                terminalreporter.write_line(self.redactor(f"  got:      {violation.actual}"))
            strict = "failing" if self.settings.strict else "not failing; --strict-semantics makes them failures"
            terminalreporter.write_line(f"(SHOULD clauses and pins: {strict})")
        if self.written is not None:
            terminalreporter.write_sep("-", f"conformance report: {self.written}")

    def _context(self, exitstatus: int) -> dict[str, str]:
        settings = self.settings
        return {
            "target": _target(settings),
            "bugs": ", ".join(sorted(settings.reference_bugs)),
            "baselines": ", ".join(baseline.name for baseline in settings.baselines) or "none",
            "strict": "yes" if settings.strict else "no",
            "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime()),
            "duration": f"{time.time() - self.started:.1f} s",
            "exitstatus": str(exitstatus),
            "contracts": ",".join(settings.specs),
        }


def _contract_of(item: pytest.Item) -> str | None:
    contract = contract_of(item)
    return contract.name if contract is not None else None


def _check_of(item: pytest.Item, contract: str) -> str:
    """``test_protocol.py::test_x[GET]`` for ``test_x[polar-GET]``: the test id minus its contract."""
    module = item.nodeid.partition("::")[0].rsplit("/", 1)[-1]
    name = item.name
    base, bracket, ids = name.partition("[")
    ids = ids.removesuffix("]")
    if ids == contract:
        rest = ""
    elif ids.startswith(contract + "-"):
        rest = ids[len(contract) + 1 :]
    elif ids.endswith("-" + contract):
        rest = ids[: -len(contract) - 1]
    else:
        rest = ids.replace(f"-{contract}-", "-", 1) if bracket else ""
    return f"{module}::{base}[{rest}]" if rest else f"{module}::{base}"


def _target(settings: Settings) -> str:
    """The endpoint the run checked: the issuer's revocation endpoint when discovery gave it."""
    if not settings.target_url:
        return "embedded reference servers"
    endpoint = getattr(settings.metadata, "revocation_endpoint", None)
    if endpoint and endpoint.startswith(settings.target_url.rstrip("/")):
        return f"{_safe_url(endpoint)} (revocation_endpoint of --issuer {_safe_url(str(settings.issuer))})"
    return _safe_url(settings.target_url)


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=(parts.hostname or "") + (f":{parts.port}" if parts.port else ""))
    return urlunsplit(parts)


def _label(status: str) -> str:
    return {"fail": "FAIL", "xpass": "XPASS"}.get(status, status)


def _numbered_details(matrix: Matrix, contracts: list[str]) -> list[tuple[int, Row, str, Cell]]:
    """Non-passing cells with details, numbered in reading order: section by section, then table order."""
    numbered: list[tuple[int, Row, str, Cell]] = []
    for _, statuses in SECTIONS:
        for row in matrix.ordered_rows():
            for contract in contracts:
                cell = row.cells.get(contract)
                if cell is not None and cell.status in statuses and cell.details:
                    numbered.append((len(numbered) + 1, row, contract, cell))
    return numbered


def _headline(matrix: Matrix) -> str:
    counts = matrix.counts()
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])


SECTIONS = (
    ("Failures", ("fail", "xpass")),
    ("Warnings", ("warn",)),
    ("Known deviations (baseline)", ("xfail",)),
    ("Throttled", ("throttled",)),
    ("Skipped", ("skip",)),
)

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}h3{font-size:1rem;margin:1rem 0 .3rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;margin:.6rem 0 1rem}dl.meta dt{color:#57606a}
dl.meta dd{margin:0}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;
vertical-align:top}thead th{background:#f6f8fa;position:sticky;top:0}
tr.group th{background:#eef1f4;font-weight:600}td.clause{color:#57606a;font-size:.85rem;max-width:24rem}
td.check code{font-size:.85rem}td.st{text-align:center;font-weight:600;white-space:nowrap}
.st-pass{background:#dafbe1;color:#116329}.st-fail{background:#ffd8d3;color:#a40e26}.st-xpass{background:#ffd8d3;color:#a40e26}
.st-warn{background:#fff1c2;color:#7a4d00}.st-skip{background:#f2f3f5;color:#57606a}.st-xfail{background:#e6dcfd;color:#5a32a3}
.st-throttled{background:#fff1c2;color:#57606a}.st-none{color:#8c959f}td.st a{color:inherit}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;white-space:pre-wrap;word-break:break-all;
font-size:.82rem}
pre.repro{background:#0d1117;color:#e6edf3;border-color:#0d1117}
ul.legend{padding-left:1.2rem}ul.legend span{display:inline-block;min-width:3.5rem;text-align:center;font-weight:600}
"""


def render_html(matrix: Matrix, context: dict[str, str]) -> str:
    """A self-contained page: inline CSS, no scripts, no external assets, every value escaped."""
    e = html.escape
    contracts = matrix.contracts(tuple(context["contracts"].split(",")))
    numbered = _numbered_details(matrix, contracts)
    anchors = {(row.check, contract): number for number, row, contract, _ in numbered}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Revocation contract conformance</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>Revocation contract conformance</h1>",
        f"<p><strong>{e(_headline(matrix) or 'no contract tests ran')}</strong></p>",
        '<dl class="meta">',
    ]
    for key, title in (("target", "Target"), ("bugs", "Planted bugs"), ("baselines", "Baselines")):
        if context[key]:
            out.append(f"<dt>{title}</dt><dd>{e(context[key])}</dd>")
    out += [
        f"<dt>Strict semantics</dt><dd>{e(context['strict'])}</dd>",
        f"<dt>Generated</dt><dd>{e(context['generated'])} ({e(context['duration'])}, exit status "
        f"{e(context['exitstatus'])})</dd>",
        "</dl></header>",
        '<main><table><thead><tr><th scope="col">Check</th><th scope="col">Clause</th>',
    ]
    out += [f'<th scope="col">{e(contract)}</th>' for contract in contracts]
    out.append("</tr></thead><tbody>")
    group = None
    for row in matrix.ordered_rows():
        module, _, name = row.check.partition("::")
        if module != group:
            group = module
            out.append(f'<tr class="group"><th colspan="{len(contracts) + 2}">{e(module)}</th></tr>')
        out.append(f'<tr><td class="check"><code>{e(name)}</code></td><td class="clause">{e(row.clause)}</td>')
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None:
                out.append('<td class="st st-none" title="not run">&ndash;</td>')
                continue
            title = e(cell.details[0].summary, quote=True) if cell.details else e(STATUS_HELP[cell.status], quote=True)
            label = e(_label(cell.status))
            number = anchors.get((row.check, contract))
            content = f'<a href="#d{number}">{label}</a>' if number is not None else label
            out.append(f'<td class="st st-{cell.status}" title="{title}">{content}</td>')
        out.append("</tr>")
    out.append('</tbody></table><ul class="legend">')
    for status in STATUSES:
        out.append(f'<li><span class="st-{status}">{e(_label(status))}</span> {e(STATUS_HELP[status])}</li>')
    out.append("</ul>")
    for heading, statuses in SECTIONS:
        entries = [entry for entry in numbered if entry[3].status in statuses]
        if not entries:
            continue
        out.append(f"<section><h2>{e(heading)}</h2>")
        for number, row, contract, cell in entries:
            out.append(f'<article id="d{number}"><h3>{number}. {e(contract)} &middot; <code>{e(row.check)}</code></h3>')
            if row.clause:
                out.append(f"<p>Clause: {e(row.clause)}</p>")
            for detail in cell.details:
                out.append(f"<p><strong>{e(detail.summary)}</strong></p>")
                if detail.subtest:
                    out.append(f"<p>Sub-test: <code>{e(detail.subtest)}</code></p>")
                if detail.text:
                    out.append(f'<pre class="message">{e(detail.text)}</pre>')
                for command in detail.reproduce:
                    out.append(f'<p>Reproduce:</p><pre class="repro">{e(command)}</pre>')
            out.append("</article>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def render_markdown(matrix: Matrix, context: dict[str, str]) -> str:
    """A Markdown page: the matrix as a table, then numbered details with fenced curl commands."""
    contracts = matrix.contracts(tuple(context["contracts"].split(",")))
    numbered = _numbered_details(matrix, contracts)
    anchors = {(row.check, contract): number for number, row, contract, _ in numbered}
    cell_text: Callable[[str], str] = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = [
        "# Revocation contract conformance",
        "",
        f"**{_headline(matrix) or 'no contract tests ran'}**",
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
            label = f"**{_label(cell.status)}**" if cell.status in ("fail", "xpass") else cell.status
            number = anchors.get((row.check, contract))
            cells.append(f"{label} ({number})" if number is not None else label)
        out.append(f"| `{cell_text(row.check)}` | {cell_text(row.clause)} | " + " | ".join(cells) + " |")
    out += ["", "Legend: " + "; ".join(f"{_label(status)}: {STATUS_HELP[status]}" for status in STATUSES)]
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
                    out += [f"Sub-test: `{detail.subtest}`", ""]
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
