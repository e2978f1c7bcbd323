"""The reporting plugin: annotates contract tests, collects their outcomes, writes ``--report``.

Why built on test reports and not on a side channel: pytest already gives every outcome to
``pytest_runtest_logreport``, including, under pytest-xdist, the reports workers send to the
controller. So the conformance report reads exactly what the terminal and JUnit XML read,
after the same redaction. What a report alone does not carry (the contract, the check, the
clause from the ``clause`` marker, a schema test's API operation) is attached to each item at
collection as user properties; they travel with the report to the controller and also appear
in JUnit XML as ``<property>`` elements. The report itself is data (``reporting/matrix.py``,
filled by ``cells.py``), put in reading order by ``reporting/page.py`` with the run's facts
(``run_info.py``) and rendered by ``reporting/html.py`` or ``reporting/markdown.py``. What a pass
means (the test's first docstring sentence) rides on the call report as a plain attribute, so
it reaches the controller under pytest-xdist and stays out of JUnit XML.

The same plugin object applies ``--baseline`` files (``reporting/baseline.py``) at collection,
and it masks every report once more just before the reporters see it: pytest appends the
captured output after ``pytest_runtest_makereport``, where the plugin's first mask runs.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from revocation_contracts.pytest_plugin.cells import add_report
from revocation_contracts.pytest_plugin.names import (
    CHECK_PROPERTY,
    CHECKED_ATTRIBUTE,
    CLAUSE_PROPERTY,
    CONTRACT_PROPERTY,
    OPERATION_PROPERTY,
    contract_of,
    schema_operation_of,
)
from revocation_contracts.pytest_plugin.rerun import rerun_command
from revocation_contracts.pytest_plugin.run_info import run_info
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import Redactor, keeping, redact_report
from revocation_contracts.reporting.baseline import expected_failures
from revocation_contracts.reporting.html import render_html
from revocation_contracts.reporting.junit import refine_junit
from revocation_contracts.reporting.markdown import render_markdown
from revocation_contracts.reporting.matrix import Matrix
from revocation_contracts.reporting.page import build_page
from revocation_contracts.reporting.problems import Finding, group, render_problems
from revocation_contracts.rules.outcomes import (
    CLAUSE_MARKER,
    VIOLATION_PROPERTY,
    ContractFailure,
    collecting,
    commands_of,
    violations_in,
    violations_of,
)
from revocation_contracts.rules.violation import FAILURE, Violation, render_all

WARNINGS_KEY = pytest.StashKey[list[Violation]]()


def clause_of(item: pytest.Item) -> str | None:
    """The clause a test enforces, from its ``@pytest.mark.clause("...")`` marker."""
    marker = item.get_closest_marker(CLAUSE_MARKER)
    return str(marker.args[0]) if marker and marker.args else None


def register_reporting(config: pytest.Config, settings: Settings, redactor: Redactor) -> None:
    """Called from the plugin's ``pytest_configure``: attach the reporting plugin object."""
    report_paths: tuple[Path, ...] = ()
    if not hasattr(config, "workerinput"):  # xdist workers only send reports
        # Every --report given is written (an .html and an .md beside it, say), each once.
        report_paths = tuple(dict.fromkeys(Path(os.path.abspath(path)) for path in settings.reports))
    plugin = ReportingPlugin(settings, redactor, report_paths)
    xmlpath = config.getoption("xmlpath", None)
    if xmlpath and not hasattr(config, "workerinput"):  # resolved as pytest's junitxml resolves it
        plugin.junit_path = Path(os.path.normpath(os.path.abspath(os.path.expanduser(os.path.expandvars(xmlpath)))))
    config.pluginmanager.register(plugin, "revocation-contracts-reporting")


# What a problem names as its contract when the test that saw it has none (a test of the user's
# own that calls the suite's rules directly).
NO_CONTRACT = "(no contract)"


class ReportingPlugin:
    """Item annotation and baselines (every process); the conformance report (controller only)."""

    def __init__(self, settings: Settings, redactor: Redactor, report_paths: tuple[Path, ...]) -> None:
        self.settings = settings
        self.redactor = redactor
        self.report_paths = report_paths
        self.matrix = Matrix()
        self.started = time.time()
        self.written: list[Path] = []
        self.findings: list[Finding] = []
        self.junit_path: Path | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            contract = _contract_of(item)
            if contract is None:
                continue
            item.user_properties.append((CONTRACT_PROPERTY, contract))
            item.user_properties.append((CHECK_PROPERTY, _check_of(item, contract)))
            item.user_properties.append((CLAUSE_PROPERTY, clause_of(item) or ""))
            operation = schema_operation_of(item)
            if operation is not None:
                item.user_properties.append((OPERATION_PROPERTY, operation))
            for reason in expected_failures(self.settings.baselines, contract, item.nodeid):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))

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
            del item.stash[WARNINGS_KEY]  # the call report takes them
            found = found + warned
        if found:
            rerun = rerun_command(item.config, item.nodeid, item.name)
            found = [violation.with_rerun(self.redactor.mask_values(rerun)) for violation in found]
        for violation in found:
            entry = (VIOLATION_PROPERTY, violation.to_json())
            report.user_properties.append(entry)
            item.user_properties.append(entry)
        if call.excinfo is not None and isinstance(call.excinfo.value, ContractFailure) and report.failed:
            report.longrepr = render_all(found[: len(violations_in(call.excinfo.value))])
        checked = _checked(item)
        if checked:  # a plain attribute: pytest-xdist carries it to the controller, JUnit XML leaves it out
            setattr(report, CHECKED_ATTRIBUTE, checked)
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redact_report(report, self.redactor, commands_of(report))
        if report.when == "call" and not hasattr(report, "wasxfail"):  # a baseline's known deviation is no problem
            contract = dict(report.user_properties).get(CONTRACT_PROPERTY)
            for violation in violations_of(report):
                self.findings.append(Finding(report.nodeid, str(contract or NO_CONTRACT), violation))
        if self.report_paths:
            add_report(self.matrix, report, self.redactor)

    @pytest.hookimpl(trylast=True)  # after pytest's junitxml wrote its file
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.junit_path is not None:
            refine_junit(self.junit_path, CONTRACT_PROPERTY, group(self.findings))
        for path in self.report_paths:
            renderer = render_markdown if path.suffix.lower() == ".md" else render_html
            info = run_info(
                session.config,
                self.settings,
                self.redactor,
                target=_target(self.settings),
                started=self.started,
                exitstatus=int(session.exitstatus),  # as remapped by runstatus
                report=path,
            )
            text = renderer(build_page(self.matrix, info))
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)
            self.written.append(path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The run's problems, most severe first, right before pytest's short test summary (this
        hook runs inside pytest's own terminal-summary wrapper, after its failure texts). A warning's
        problem also shows its first test's reproduction and rerun: no failure text carries them."""
        problems = group(self.findings)
        if problems:
            failures = sum(problem.level == FAILURE for problem in problems)
            counts = f"{failures} failure{'s' if failures != 1 else ''}, {len(problems) - failures} warning"
            counts += "s" if len(problems) - failures != 1 else ""
            colour = {"red": True} if failures else {"yellow": True}
            terminalreporter.write_sep("=", f"revocation contract problems ({counts})", **colour)
            for problem in problems:
                for line in render_problems([problem]):
                    terminalreporter.write_line(self.redactor(line))
                first = problem.first
                if problem.level == FAILURE:
                    continue
                shown = keeping(self.redactor, first.commands())
                for line in first.reproduce.splitlines() if not first.sequence else []:
                    terminalreporter.write_line(shown(f"  reproduce: {line}"))
                if first.rerun:
                    terminalreporter.write_line(shown(f"  rerun: {first.rerun}"))
            if failures < len(problems):
                strict = "failing" if self.settings.strict else "not failing; --strict-semantics makes them failures"
                terminalreporter.write_line(f"(warnings are SHOULD clauses and pins: {strict})")
        for path in self.written:
            terminalreporter.write_sep("-", f"conformance report: {path}")


def _contract_of(item: pytest.Item) -> str | None:
    contract = contract_of(item)
    return contract.name if contract is not None else None


def _checked(item: pytest.Item) -> str:
    """What a pass of ``item`` means: its docstring's first sentence, on one line."""
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    return re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0]


def _check_of(item: pytest.Item, contract: str) -> str:
    """``test_protocol.py::test_x[GET]`` for ``test_x[polar-GET]``: the test id minus its contract
    (and, for the schema test, minus the contract's API operation: one row for every contract)."""
    module = item.nodeid.partition("::")[0].rsplit("/", 1)[-1]
    name = item.name
    operation = schema_operation_of(item)
    if operation is not None:
        name = name.replace(f"[{contract}-{operation}]", f"[{contract}]")
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
