"""The names the plugin's modules share: parameters, fixtures, report properties, problem kinds.

Why a module of its own, importing nothing of the plugin: the suite, the run status, the
reporting and the dry run all read these names, and each of them is imported by another;
kept here, below all of them, no two plugin modules import each other in a circle.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from revocation_contracts.model.contract import Contract

# The argument the selected contracts are parametrized on; only the suite's ``contract`` fixture requests it.
CONTRACT_PARAM = "revocation_contract_under_test"
# The schema test's fixture: a test that requests it is named after its contract's API operation too.
SCHEMA_FIXTURE = "contract_schema"

# The user properties (JUnit ``<property>``) every contract test carries, set at collection.
CONTRACT_PROPERTY = "revocation-contract"
CHECK_PROPERTY = "revocation-check"
CLAUSE_PROPERTY = "revocation-clause"
# The API operation of a schema test (``POST:/v1/oauth2/revoke``): one row, one test per operation.
OPERATION_PROPERTY = "revocation-operation"
# The user property on the test during which the run fell back to one request at a time
# (transport/flight.py), with the one line that says why.
ONE_AT_A_TIME_PROPERTY = "revocation-one-at-a-time"

# The kinds of problem that are not contract verdicts (runstatus.py), each with its exit code.
TARGET, TOKEN_SUPPLY, THROTTLED = "target", "token-supply", "throttled"
# The attribute a report carries when it stands for a Problem (plain, so it survives xdist).
PROBLEM_ATTRIBUTE = "revocation_problem"
# Set beside it, to the Problem's line, when the Problem stops the run.
STOP_ATTRIBUTE = "revocation_stop"
# The first line of a contract test's docstring, on its call report: what a pass means (the report's cells).
CHECKED_ATTRIBUTE = "revocation_checked"
PREFLIGHT_NODEID = "revocation-contracts::preflight"

# Collection-time applicability (pytest_plugin/coverage.py): ``@pytest.mark.applies(why_not)``,
# ``why_not(contract, **params)`` returning why the test never applies to that contract, or None;
# ``@pytest.mark.family("semantics")`` puts a test in another check family than its module's.
APPLIES_MARKER, FAMILY_MARKER = "applies", "family"
# The report attribute saying why a check that applies could not run (``NotApplicable.cause``).
CAUSE_ATTRIBUTE = "revocation_cause"
# The JUnit testsuite property holding the run's coverage as JSON (reporting/coverage.py).
COVERAGE_PROPERTY = "revocation-coverage"
# The run's coverage (a ``reporting.coverage.Coverage``), in ``config.stash`` once the session finished.
COVERAGE_KEY = pytest.StashKey[Any]()


def contract_of(item: Any) -> Contract | None:
    """The contract ``item`` (a collected test) is parametrized with, or None.

    The one place that asks (the reports, the dry run and the contract suite's fixtures all do;
    two copies had begun to differ: one took any object with a ``name``)."""
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get(CONTRACT_PARAM) if callspec is not None else None
    return value if isinstance(value, Contract) else None


def schema_operation_of(item: Any) -> str | None:
    """The API operation a schema test checks (``POST:/v1/oauth2/revoke``), None for other tests."""
    if SCHEMA_FIXTURE not in getattr(item, "fixturenames", ()):
        return None
    contract = contract_of(item)
    if contract is None:
        return None
    from revocation_contracts.rules.schema_suite import operation_id

    return operation_id(contract)


# The console script's name (pyproject.toml ``[project.scripts]``).
CONSOLE_SCRIPT = "revocation-contracts"


def console_script_ran() -> bool:
    """Whether this process is the console script, not ``pytest``: the report's command line and
    a failure's rerun line then show the script with its own arguments."""
    return Path(sys.argv[0]).name == CONSOLE_SCRIPT
