"""The package's ``NotApplicable`` is pytest's skip: the same outcome, reason and location.

Below the plugin nothing imports pytest (``tests/unit/test_layers.py``): a test that does not
apply raises ``rules.outcomes.NotApplicable`` and the plugin (``suite.py``'s makereport
wrapper) turns it into pytest's skip. The twin: a synthetic module raises it and, beside it,
``pytest.skip`` with the same reason; the terminal and JUnit XML must show both alike (the line
each was raised on), in a test body, a fixture and a Hypothesis property, where it must not be
shrunk or reported as a falsifying example.
"""

from __future__ import annotations

import re

import pytest

SYNTHETIC = """
import pytest
from hypothesis import given, settings, strategies as st
from revocation_contracts.rules.outcomes import NotApplicable

CALLS = []


def helper(reason):
    __tracebackhide__ = True
    raise NotApplicable(reason)


def test_ours(contract):
    helper("no refresh token to revoke")


def test_pytests(contract):
    pytest.skip("no refresh token to revoke")


@pytest.fixture
def needs_setup():
    raise NotApplicable("the contract has no token_type_hint field")


def test_in_setup(contract, needs_setup):
    pass


@settings(max_examples=50, database=None)
@given(st.integers())
def test_in_property(contract, value):
    CALLS.append(value)
    raise NotApplicable(f"blocked after {len(CALLS)} call(s)")
"""


def test_not_applicable_is_reported_as_pytest_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_na=SYNTHETIC)
    result = pytester.runpytest("-p", "no:cacheprovider", "--spec", "rfc7009", "-rs", "--junitxml=out.xml")
    result.assert_outcomes(skipped=4)
    lines = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    # The hidden helper is left out, as pytest leaves out its own skip(): both name the test's line.
    assert "SKIPPED [1] test_na.py:14: no refresh token to revoke" in lines, lines
    assert "SKIPPED [1] test_na.py:18: no refresh token to revoke" in lines, lines
    assert "SKIPPED [1] test_na.py:23: the contract has no token_type_hint field" in lines, lines
    assert "SKIPPED [1] test_na.py:34: blocked after 1 call(s)" in lines, lines  # re-raised at once
    junit = (pytester.path / "out.xml").read_text(encoding="utf-8")
    skipped = re.findall(r'<skipped type="pytest.skip" message="([^"]*)">([^<]*)</skipped>', junit)
    where = f"{pytester.path}/"
    assert [(message, text.replace(where, "")) for message, text in skipped] == [
        ("no refresh token to revoke", "test_na.py:14: no refresh token to revoke"),
        ("no refresh token to revoke", "test_na.py:18: no refresh token to revoke"),
        ("the contract has no token_type_hint field", "test_na.py:23: the contract has no token_type_hint field"),
        ("blocked after 1 call(s)", "test_na.py:34: blocked after 1 call(s)"),
    ]
    assert "Falsifying" not in result.stdout.str()
