"""How a test tells the reports which clause it enforces and when it only warns.

Why a convention module: the terminal summary, JUnit XML and the conformance report all
need the same three facts about a test (the clause, pass/fail/warn/skip, the reproduction
command), and the tests that produce them (schema, protocol, semantics) are written apart.
Everything travels on the test item: the ``clause`` marker names the clause; a SHOULD that
is not met is recorded by ``warn_should`` as a ``RevocationWarning`` (visible in pytest's
warnings summary) and as a ``revocation-warning`` user property (JUnit XML and the report).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

CLAUSE_MARKER = "clause"
WARNING_PROPERTY = "revocation-warning"
REPRO_PROPERTY = "revocation-reproduce"


class RevocationWarning(UserWarning):
    """A SHOULD clause the endpoint does not meet: reported, failing only under --strict-semantics."""


def clause_of(item: pytest.Item) -> str | None:
    """The clause a test enforces, from its ``@pytest.mark.clause("...")`` marker."""
    marker = item.get_closest_marker(CLAUSE_MARKER)
    return str(marker.args[0]) if marker and marker.args else None


def warn_should(request: Any, clause: str, message: str, *, strict: bool) -> None:
    """Report an unmet SHOULD; under ``--strict-semantics`` it fails the test instead."""
    __tracebackhide__ = True
    text = f"[{clause}] {message}"
    if strict:
        pytest.fail(f"{text} (a SHOULD, failing because --strict-semantics is set)", pytrace=False)
    request.node.user_properties.append((WARNING_PROPERTY, text))
    warnings.warn(RevocationWarning(text), stacklevel=2)


def warnings_of(report_or_item: Any) -> list[str]:
    return [value for name, value in getattr(report_or_item, "user_properties", []) if name == WARNING_PROPERTY]
