"""The pytest plugin: options, session state and fixtures; the logic lives elsewhere.

Registered through the ``pytest11`` entry point, so ``pytest tests/contract --spec polar``
works from the repository and the installed package alike. State lives in
``config.stash`` under typed keys. Every test that asks for the ``contract`` fixture is
parametrized over the selected contracts, so a CI log names the contract in each test id.
Users extend the suite the pytest-httpserver way: override ``target`` or ``contract_schema``
in their own conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from revocation_contracts.contract import Contract
from revocation_contracts.options import Settings, SettingsError, add_options, resolve_settings
from revocation_contracts.redact import Redactor

SETTINGS_KEY = pytest.StashKey[Settings]()
REDACTOR_KEY = pytest.StashKey[Redactor]()
POOL_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        settings = resolve_settings(config)
    except SettingsError as exc:
        raise pytest.UsageError(f"revocation-contracts: {exc}") from None
    config.stash[SETTINGS_KEY] = settings
    config.stash[REDACTOR_KEY] = Redactor(*settings.secrets())
    config.addinivalue_line("markers", "semantic: a revocation-semantics property (RFC 7009 section 2)")
    config.addinivalue_line("markers", "clause(text): the RFC or vendor-doc clause a contract test enforces")


def pytest_unconfigure(config: pytest.Config) -> None:
    pool = config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "contract" in metafunc.fixturenames:
        contracts = metafunc.config.stash[SETTINGS_KEY].contracts()
        metafunc.parametrize("contract", contracts, ids=[contract.name for contract in contracts], scope="session")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """Mask every known secret in failure text before any reporter (terminal, JUnit) sees it."""
    report = yield
    redactor = item.config.stash.get(REDACTOR_KEY, None)
    if redactor is not None and report.failed and report.longrepr is not None:
        report.longrepr = redactor(str(report.longrepr))
    if redactor is not None:
        report.sections = [(title, redactor(content)) for title, content in report.sections]
    return report


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
    from revocation_contracts.target import TargetPool

    pool = pytestconfig.stash.get(POOL_KEY, None)
    if pool is None:
        pool = TargetPool(pytestconfig.stash[SETTINGS_KEY], pytestconfig.stash[REDACTOR_KEY])
        pytestconfig.stash[POOL_KEY] = pool
    return pool.get(contract)


@pytest.fixture(scope="session")
def contract_schema(contract: Contract, revocation_settings: Settings, pytestconfig: pytest.Config) -> Any:
    """The contract's OpenAPI document as a schemathesis schema (for ``from_fixture``)."""
    from revocation_contracts.schema_suite import load_schema

    seed = pytestconfig.getoption("hypothesis_seed", default=None)
    return load_schema(contract, revocation_settings.max_examples, int(seed) if seed is not None else None)
