"""The decorators that tie a contract-suite test to its semantic property: the pytest-facing part.

Why here and not on ``Property``: the declaration (``semantics/declaration.py``) is data the
layers below the plugin use without a test runner; marks and parametrization are pytest's, so
they are applied here, at the composition root. ``@drawn_plans(P5)`` marks a test with its
property (the marker ``revocation_property``, read back by ``semantics.property_of``) and its
clause; ``@explicit_plans(P5)`` also makes one test per named explicit plan (``case``).
Both also carry the ``applies`` marker with the property's contract-level reasons
(``Property.not_applicable``), so the plugin never collects a property test, or a twin's
example, for a contract it cannot apply to (``coverage.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.names import APPLIES_MARKER
from revocation_contracts.rules.outcomes import CLAUSE_MARKER
from revocation_contracts.semantics.declaration import MARKER, Property

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def drawn_plans(prop: Property) -> Callable[[Decorated], Decorated]:
    """Mark a function as ``prop``'s test on drawn plans (it must be named ``prop.test``)."""

    def mark(function: Decorated) -> Decorated:
        prop.check_test_name(function, twin=False)
        return _marked(prop, function)

    return mark


def explicit_plans(prop: Property) -> Callable[[Decorated], Decorated]:
    """Mark a function as ``prop``'s twin on its named explicit plans, one test per ``case``
    (it must be named ``prop.test`` + ``_examples``)."""

    def mark(function: Decorated) -> Decorated:
        prop.check_test_name(function, twin=True)
        parametrized: Decorated = pytest.mark.parametrize("case", list(prop.examples))(function)
        return _marked(prop, parametrized)

    return mark


def _marked(prop: Property, function: Decorated) -> Decorated:
    def why_not(contract: Contract, case: str | None = None, **params: Any) -> str | None:
        return prop.not_applicable(contract, case)

    marked: Decorated = getattr(pytest.mark, CLAUSE_MARKER)(prop.clause)(getattr(pytest.mark, MARKER)(prop)(function))
    applies: Decorated = getattr(pytest.mark, APPLIES_MARKER).with_args(why_not)(marked)
    return applies
