"""The contract suite's pytest machinery: registered only in a run that asked for it.

``hooks.py`` (the entry point) calls ``start`` from ``pytest_configure`` when the run asked
for the suite (``activation.py``); ``start`` resolves the settings, registers the markers,
the run status and the reporting, then ``hooks.py`` registers this module as a plugin, so the
hooks and fixtures below exist in that run only. State lives in ``config.stash`` under typed keys.

The ``contract`` fixture is parametrized over the selected contracts, so a CI log names the
contract in each test id. The parametrization goes through a private argument that only this
plugin's ``contract`` fixture requests: a test whose ``contract`` comes from a fixture of its
own project's (a conftest's) does not request it and is left alone. Users extend the suite
the pytest-httpserver way: override ``target`` or ``contract_schema`` in their own conftest.

Around the tests: discovery, a preflight probe of ``--target-url`` and one grant from the
token supply before the first one and before any xdist worker starts (``check_before_tests``,
``preflight.py``, ``supply_gate.py``), ``--dry-run``
planning instead of running (``dryrun.py``), and the problems that are not contract
verdicts (throttling, an unreachable target, a failing token command) turned into skips
and one-line errors with their own exit codes (``runstatus.py``).
pytest-xdist works as is: every worker starts its own embedded servers on port 0, and the
preflight runs once, in the controller. The schema test is one pytest item per contract and API
operation, with an id the suite chooses (``test_schema_conformance[polar-POST:/v1/oauth2/revoke]``,
no space; ``names.schema_operation_of``).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.names import CAUSE_ATTRIBUTE, CONTRACT_PARAM, SCHEMA_FIXTURE
from revocation_contracts.pytest_plugin.options import SettingsError
from revocation_contracts.pytest_plugin.rerun import WORKER_SEED, choose_seed
from revocation_contracts.pytest_plugin.runstatus import RunStatus, mark_report, problem_of, skip_if_not_applicable
from revocation_contracts.pytest_plugin.settings import Settings, references, resolve_settings
from revocation_contracts.redact import Redactor, redact_report
from revocation_contracts.rules.outcomes import commands_of

SETTINGS_KEY = pytest.StashKey[Settings]()
REDACTOR_KEY = pytest.StashKey[Redactor]()
POOL_KEY = pytest.StashKey[Any]()
RUNSTATUS_KEY = pytest.StashKey[RunStatus]()
PLAN_KEY = pytest.StashKey[list[str]]()
PROGRESS_KEY = pytest.StashKey[Any]()
SEED_KEY = pytest.StashKey[int]()
PLUGIN_NAME = "revocation-contracts-suite"
# pytest options that only list things: no test runs, so the target is not probed.
LISTING_OPTIONS = ("collectonly", "showfixtures", "show_fixtures_per_test")
# pytest options that print and return before any session: nothing is discovered or probed.
INFO_OPTIONS = ("help", "version", "markers")
MARKERS = (
    "semantic: a revocation-semantics property (RFC 7009 section 2)",
    "clause(text): the RFC or vendor-doc clause a contract test enforces",
    "applies(why_not): why_not(contract, **params) says why a test never applies to a contract "
    "(then it is not collected for it), or None",
    "family(name): the check family (--checks) of a test outside its module's: schema, protocol, semantics",
)


def start(config: pytest.Config) -> None:
    """Resolve the settings (a bad one is one usage-error line) and register the suite's machinery
    (the caller, ``hooks.pytest_configure``, then registers this module as a plugin)."""
    try:
        settings = resolve_settings(config)
    except SettingsError as exc:
        raise pytest.UsageError(f"revocation-contracts: {exc}") from None
    config.stash[SETTINGS_KEY] = settings
    config.stash[SEED_KEY] = choose_seed(config)  # before Hypothesis' own pytest_configure reads it
    redactor = config.stash[REDACTOR_KEY] = Redactor(*settings.secrets())
    for value, variable in references(settings).items():
        redactor.refer(value, variable)
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    config.stash[RUNSTATUS_KEY] = RunStatus()
    config.pluginmanager.register(config.stash[RUNSTATUS_KEY], "revocation-contracts-runstatus")
    register_progress(config, settings)
    from revocation_contracts.pytest_plugin.coverage import CoveragePlugin

    coverage = CoveragePlugin(settings, config.stash[RUNSTATUS_KEY])
    config.pluginmanager.register(coverage, "revocation-contracts-coverage")
    if settings.dry_run and config.pluginmanager.hasplugin("xdist"):
        # A dry run runs nothing: plan in this process instead of starting workers (before xdist's trylast hook).
        config.option.dist = "no"
    check_before_tests(config)
    from revocation_contracts.pytest_plugin.reporting import register_reporting

    # After discovery: the report names the endpoint the metadata gave, not the options' target.
    register_reporting(config, config.stash[SETTINGS_KEY], config.stash[REDACTOR_KEY])


def register_progress(config: pytest.Config, settings: Settings) -> None:
    """The progress lines and the requests-and-time section (``progress.py``); its request
    counts are the session pool's, whenever there is one."""
    from revocation_contracts.pytest_plugin.progress import Progress

    def counts() -> dict[str, tuple[int, int]]:
        pool = config.stash.get(POOL_KEY, None)
        return pool.request_counts() if pool is not None else {}

    names = [contract.name for contract in settings.contracts()]
    progress = config.stash[PROGRESS_KEY] = Progress(config, names, counts)
    config.pluginmanager.register(progress, "revocation-contracts-progress")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Revoke the tokens the suite minted and left alive now, before the summary: the run's
    time then includes it and the terminal says what the pause is (``progress.py``)."""
    pool = session.config.stash.get(POOL_KEY, None)
    if pool is None:
        return
    progress = session.config.stash[PROGRESS_KEY]
    started = time.monotonic()
    found: list[int] = []

    def announce(count: int) -> None:
        found.append(count)
        progress.announce_leftovers(count)

    revoked = pool.revoke_leftovers(announce)
    if found:
        progress.revoked_leftovers(found[0], revoked, time.monotonic() - started)


def pytest_unconfigure(config: pytest.Config) -> None:
    pool = config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if CONTRACT_PARAM not in metafunc.fixturenames:
        return
    contracts = metafunc.config.stash[SETTINGS_KEY].contracts()
    ids = [contract.name for contract in contracts]
    if SCHEMA_FIXTURE in metafunc.fixturenames:
        # The schema test: one test per contract and API operation, named ``polar-POST:/v1/oauth2/revoke``.
        # Each contract has one operation, so the id carries it without a second parameter (which
        # would change how pytest orders the session's items).
        from revocation_contracts.rules.schema_suite import operation_id

        ids = [f"{contract.name}-{operation_id(contract)}" for contract in contracts]
    metafunc.parametrize(CONTRACT_PARAM, contracts, ids=ids, scope="session")


def check_before_tests(config: pytest.Config) -> None:
    """Discovery (``--issuer``), the preflight probe of the target and the token supply's gate
    (one grant, one probe: ``supply_gate.py``), before any test or worker.

    At configure time, not at session start: under pytest-xdist the controller starts its
    workers in ``pytest_sessionstart``, and a run ended there writes neither JUnit XML nor
    ``--report``. Here, before xdist's own (``trylast``) ``pytest_configure`` registers its
    scheduler, a condemned run is turned back into a one-process run (as ``--dry-run`` is), so
    no worker starts and the run ends at collection the same way with or without ``-n``, with
    the reason in every report (``RunStatus.end_before_tests``).
    Discovery runs in every process (each worker parametrizes its tests from the discovered
    endpoints); the preflight and the supply gate only in the controller or the single process.
    """
    settings = config.stash[SETTINGS_KEY]
    if any(config.getoption(name, False) for name in INFO_OPTIONS):
        return
    runstatus = config.stash[RUNSTATUS_KEY]
    failure: Any = None
    if settings.issuer is not None and not settings.dry_run:
        # --issuer: the metadata names the endpoints before collection parametrizes the tests.
        from revocation_contracts.pytest_plugin.preflight import PreflightFailure
        from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, EXIT_TOKEN_SUPPLY
        from revocation_contracts.supply.discovery import DiscoveryError, apply_discovery

        try:
            settings = config.stash[SETTINGS_KEY] = apply_discovery(settings)
        except DiscoveryError as exc:
            code = EXIT_TARGET if exc.unreachable else EXIT_TOKEN_SUPPLY
            failure = PreflightFailure(f"revocation-contracts: {exc}", code)
    listing_only = any(config.getoption(name, False) for name in LISTING_OPTIONS)
    quiet = settings.embedded or settings.dry_run or listing_only or hasattr(config, "workerinput")
    if failure is None and not quiet:
        from revocation_contracts.pytest_plugin.preflight import run_preflight

        failure = run_preflight(settings)
    # The supply gate only where live tokens are used: --checks without semantics needs none.
    needs_tokens = settings.checks is None or "semantics" in settings.checks
    if failure is None and not quiet and settings.target_url is not None and needs_tokens:
        failure = _check_token_supply(config)
    if failure is None:
        return
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.option.dist = "no"  # no worker starts: this process ends the run at collection
    runstatus.end_before_tests(failure.message, failure.exit_code, settings.specs[0])


def _check_token_supply(config: pytest.Config) -> Any:
    """The supply gate (``supply_gate.py``) on the session's pool: the tests of this process
    reuse its targets, and its grant is revoked with the other leftovers when the pool closes."""
    from revocation_contracts.pytest_plugin.pool import TargetPool
    from revocation_contracts.pytest_plugin.supply_gate import run_supply_gate

    pool = config.stash.get(POOL_KEY, None)
    if pool is None:
        pool = config.stash[POOL_KEY] = TargetPool(config.stash[SETTINGS_KEY], config.stash[REDACTOR_KEY])
    return run_supply_gate(pool)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--dry-run: plan from the tests that survived selection, then deselect them all."""
    settings = config.stash[SETTINGS_KEY]
    if not settings.dry_run:
        return
    from revocation_contracts.pytest_plugin.dryrun import plan

    config.stash[PLAN_KEY] = plan(items, settings, config.stash[REDACTOR_KEY])
    config.stash[RUNSTATUS_KEY].planned = len(items)
    if items:
        config.hook.pytest_deselected(items=list(items))
        items[:] = []


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash.get(SEED_KEY, None)
    return f"revocation-contracts: hypothesis seed {seed} (every failure prints the command that reruns it)"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker runs under the controller's seed (``rerun.choose_seed``)."""
    node.workerinput[WORKER_SEED] = node.config.stash.get(SEED_KEY, None)


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    return config.stash.get(PLAN_KEY, [])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Turn the package's ``NotApplicable`` into pytest's skip and problems that are not verdicts
    into skips or one-line errors (runstatus.py); then mask every known secret in the report
    before any reporter (terminal, JUnit) sees it."""
    skipped_at = skip_if_not_applicable(call)
    report = yield
    if skipped_at is not None and report.skipped:
        report.longrepr = skipped_at[:3]
        setattr(report, CAUSE_ATTRIBUTE, skipped_at[3])
    problem = problem_of(call.excinfo.value) if report.failed and call.excinfo is not None else None
    if problem is not None:
        mark_report(report, call, problem, item)
    redactor = item.config.stash.get(REDACTOR_KEY, None)
    if redactor is not None:
        redact_report(report, redactor, commands_of(report))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_exception_interact(
    node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any], report: Any
) -> Iterator[None]:
    """Mask again after pytest renders a failure from the exception, just before it is shown."""
    try:
        yield
    finally:
        redactor = node.config.stash.get(REDACTOR_KEY, None)
        if redactor is not None:
            redact_report(report, redactor, commands_of(report))


@pytest.fixture(scope="session")
def contract(revocation_contract_under_test: Contract) -> Contract:
    """The contract under test: one of the selected contracts (``--spec``), one per test id."""
    return revocation_contract_under_test


@pytest.fixture(scope="session")
def revocation_settings(pytestconfig: pytest.Config) -> Settings:
    """The resolved options of this session."""
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def redactor(pytestconfig: pytest.Config) -> Redactor:
    """Masks every secret the session knows of (client secrets, minted tokens)."""
    return pytestconfig.stash[REDACTOR_KEY]


@pytest.fixture(scope="session")
def target(contract: Contract, pytestconfig: pytest.Config) -> Any:
    """The endpoint under test for this contract; embedded reference server when no --target-url."""
    from revocation_contracts.pytest_plugin.pool import TargetPool

    pool = pytestconfig.stash.get(POOL_KEY, None)
    if pool is None:
        pool = TargetPool(pytestconfig.stash[SETTINGS_KEY], pytestconfig.stash[REDACTOR_KEY])
        pytestconfig.stash[POOL_KEY] = pool
    return pool.get(contract)


@pytest.fixture(scope="session")
def contract_schema(contract: Contract, revocation_settings: Settings, pytestconfig: pytest.Config, target: Any) -> Any:
    """The contract's OpenAPI document as a schemathesis schema (the schema test's)."""
    from revocation_contracts.rules.schema_suite import load_schema

    seed = pytestconfig.getoption("hypothesis_seed", default=None)
    seed_value = int(seed) if seed is not None else None
    return load_schema(contract, revocation_settings.max_examples, seed_value, target.credentials.client_id)
