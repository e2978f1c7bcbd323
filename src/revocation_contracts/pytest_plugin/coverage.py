"""Coverage as part of the verdict: what is collected, which families run, what could not run.

Why at collection: a check that cannot apply to a contract (no ``token_type_hint`` field,
public clients, the documented method probed as an undocumented one, an explicit example that
does not fit) is a fact of the contract, not of the run. Reported as a skip, it drowned the
skips that matter (no token supply, throttled) in noise. So a test declares when it does not
apply, as data read here: ``@pytest.mark.applies(why_not)`` (protocol tests) or its property's
``applies_to`` and examples (``properties.py`` adds the same marker to semantic tests), and the
items pytest generated for a contract it does not apply to are dropped as they are made
(``pytest_pycollect_makeitem``), so they are never collected, never counted, and their reasons
are kept for the coverage summary. Under pytest-xdist the workers collect; each hands its
reasons to the controller through ``workeroutput``.

``--checks`` selects check families: ``schema`` (the schema test), ``semantics`` (the property
tests, and every test that needs a live token from the supply: ``@pytest.mark.family``) and
``protocol`` (the rest). The others are deselected, as ``-k`` would, so the run's scope is
explicit: the summary states it and a narrowed run that ran all it selected exits 0.

At the end, ``reporting.coverage.Coverage`` (pure data) holds per contract what ran, what does
not apply and what could not run, grouped by cause; it is printed as "revocation coverage",
written as the JUnit testsuite property ``revocation-coverage`` and left in ``config.stash``
under ``names.COVERAGE_KEY`` for the report. A check that applies but could not run, for a
reason no other exit code states, makes the run incomplete: exit 9 (``runstatus.py``).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

import pytest

from revocation_contracts.compat import junit_global_property
from revocation_contracts.pytest_plugin.names import (
    APPLIES_MARKER,
    CAUSE_ATTRIBUTE,
    CONTRACT_PARAM,
    CONTRACT_PROPERTY,
    COVERAGE_KEY,
    COVERAGE_PROPERTY,
    FAMILY_MARKER,
    PROBLEM_ATTRIBUTE,
    SCHEMA_FIXTURE,
    contract_of,
)
from revocation_contracts.pytest_plugin.runstatus import RunStatus
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.reporting.coverage import FAMILIES, Coverage
from revocation_contracts.rules.outcomes import NOT_RUN, warnings_of

# The workeroutput key a pytest-xdist worker hands its not-collected checks to the controller by.
WORKER_OUTPUT = "revocation_not_applicable"
SEMANTIC_MARKER = "semantic"


def family_of(item: Any) -> str:
    """The check family of a collected test: its ``family`` marker, else schema for the schema
    test, semantics for a property test (the ``semantic`` marker), protocol for the rest."""
    marker = item.get_closest_marker(FAMILY_MARKER)
    if marker is not None and marker.args:
        return str(marker.args[0])
    if SCHEMA_FIXTURE in getattr(item, "fixturenames", ()):
        return "schema"
    return "semantics" if item.get_closest_marker(SEMANTIC_MARKER) is not None else "protocol"


def why_not_applicable(item: Any) -> str | None:
    """Why ``item`` (a test generated for one contract) never applies to it, or None."""
    contract = contract_of(item)
    if contract is None:
        return None
    params = {name: value for name, value in item.callspec.params.items() if name != CONTRACT_PARAM}
    for marker in item.iter_markers(APPLIES_MARKER):
        reason = marker.args[0](contract, **params)
        if reason is not None:
            return str(reason)
    return None


def check_name(item: Any, contract: str) -> str:
    """The check an item is, without its contract: ``test_x[GET]`` for ``test_x[polar-GET]``."""
    base, bracket, ids = item.name.partition("[")
    rest = [part for part in ids.removesuffix("]").split("-") if part] if bracket else []
    if rest[: len(contract.split("-"))] == contract.split("-"):
        rest = rest[len(contract.split("-")) :]
    return f"{base}[{'-'.join(rest)}]" if rest else base


class CoveragePlugin:
    """Collection-time applicability, ``--checks`` and the run's coverage; one per process."""

    def __init__(self, settings: Settings, runstatus: RunStatus) -> None:
        self.settings = settings
        self.runstatus = runstatus
        checks = settings.checks
        self.coverage = Coverage(checks or FAMILIES, narrowed=checks is not None)
        # (contract, check, reason) of what this process did not collect: a worker sends its own.
        self.dropped: list[tuple[str, str, str]] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_pycollect_makeitem(self, collector: Any, name: str, obj: object) -> Generator[None, Any, Any]:
        """Drop the tests generated for a contract they cannot apply to, keeping why."""
        made = yield
        if not isinstance(made, list):
            return made
        kept = []
        for item in made:
            reason = why_not_applicable(item) if isinstance(item, pytest.Item) else None
            if reason is None:
                kept.append(item)
                continue
            contract = contract_of(item)
            assert contract is not None
            self.dropped.append((contract.name, check_name(item, contract.name), reason))
            self.coverage.does_not_apply(contract.name, check_name(item, contract.name), reason)
        return kept

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """``--checks``: deselect the contract tests of the families not selected."""
        for item in items:
            contract = contract_of(item)
            if contract is not None:
                self.coverage.of(contract.name)  # the summary lists the contracts in collection order
        if self.settings.checks is None:
            return
        scope = self.coverage.scope
        deselected = [item for item in items if contract_of(item) is not None and family_of(item) not in scope]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            gone = set(deselected)
            items[:] = [item for item in items if item not in gone]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist's controller: take a worker's not-collected checks (the same in each)."""
        for contract, check, reason in json.loads(getattr(node, "workeroutput", {}).get(WORKER_OUTPUT, "[]")):
            self.coverage.does_not_apply(contract, check, reason)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(getattr(report, "user_properties", ()))
        contract = properties.get(CONTRACT_PROPERTY)
        if contract is None or report.when == "teardown":
            return
        kind = getattr(report, PROBLEM_ATTRIBUTE, None)
        if report.skipped and hasattr(report, "wasxfail"):
            self.coverage.outcome(contract, "xfailed")
        elif report.skipped or kind is not None:
            cause = kind or getattr(report, CAUSE_ATTRIBUTE, None) or NOT_RUN
            self.coverage.could_not_run(contract, cause, _reason(report))
            self.runstatus.incomplete = self.coverage.incomplete
        elif report.failed:
            self.coverage.outcome(contract, "failed" if report.when == "call" else "error")
        elif report.when == "call":
            self.coverage.outcome(contract, "warned" if warnings_of(report) else "passed")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            config.workeroutput[WORKER_OUTPUT] = json.dumps(self.dropped)  # type: ignore[attr-defined]
            return
        config.stash[COVERAGE_KEY] = self.coverage
        if self.coverage.contracts:
            junit_global_property(config.pluginmanager, COVERAGE_PROPERTY, self.coverage.to_json())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.coverage.contracts or self.settings.dry_run:
            return
        incomplete = self.coverage.incomplete
        terminalreporter.section("revocation coverage", yellow=incomplete, green=not incomplete)
        for line in self.coverage.lines():
            terminalreporter.write_line(line)
        if incomplete:
            terminalreporter.write_line(
                "checks that apply could not run (exit 9): give what they need, or narrow the run with --checks"
            )


def _reason(report: pytest.TestReport) -> str:
    """A skip's reason, or an error's first line (the Problem's message)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr).strip().splitlines()[0] if longrepr else report.nodeid
