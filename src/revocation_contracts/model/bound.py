"""Which contract a collected test is bound to: the one reading every layer uses.

Why here, at the bottom: the plugin parametrizes the suite's tests on ``CONTRACT_PARAM`` with
``Contract`` values, and the reports, the dry run and the contract suite's fixtures all ask a
collected item for its contract; the two copies of that question had begun to differ (one
took any object with a ``name``). Only duck-typed reads of the item: no pytest import.
"""

from __future__ import annotations

from typing import Any

from revocation_contracts.model.contract import Contract

# The argument the selected contracts are parametrized on (pytest_plugin/suite.py).
CONTRACT_PARAM = "revocation_contract_under_test"


def contract_of(item: Any) -> Contract | None:
    """The contract ``item`` (a collected pytest test) is parametrized with, or None."""
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get(CONTRACT_PARAM) if callspec is not None else None
    return value if isinstance(value, Contract) else None
