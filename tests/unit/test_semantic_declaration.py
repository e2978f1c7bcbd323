"""A property is one declaration, and its tests point at it (``semantics/declaration.py``,
its decorators in ``pytest_plugin/properties.py``).

The contract suite finds a semantic test's property by the marker its decorator puts on it,
never by the test's name; the name still matters to the planted-bug proofs and the docs
(``Property.test``), so the decorators refuse a function whose name is not the property's.
"""

from __future__ import annotations

import pytest

from revocation_contracts.pytest_plugin.properties import drawn_plans, explicit_plans
from revocation_contracts.semantics import ALL_PROPERTIES, PROPERTIES
from revocation_contracts.semantics.properties import P1, P5, P10


def test_the_table_lists_each_property_once_with_its_own_test_and_bug() -> None:
    assert (*PROPERTIES, P10) == ALL_PROPERTIES
    for attribute in ("number", "test", "bug"):
        values = [getattr(prop, attribute) for prop in ALL_PROPERTIES]
        assert len(set(values)) == len(values), f"two properties share a {attribute}"
    assert [prop.number for prop in ALL_PROPERTIES] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10]


def test_a_drawn_plans_test_of_another_name_is_refused() -> None:
    def test_revoked_token_is_alive() -> None:
        pass

    with pytest.raises(TypeError, match="property 1's test is named test_revoked_token_is_dead"):
        drawn_plans(P1)(test_revoked_token_is_alive)


def test_an_explicit_plans_twin_must_carry_the_examples_suffix() -> None:
    def test_foreign_token_stays_active() -> None:  # the drawn test's name, not the twin's
        pass

    with pytest.raises(TypeError, match="test_foreign_token_stays_active_examples"):
        explicit_plans(P5)(test_foreign_token_stays_active)


def test_only_property_1_stands_on_a_state_machine_and_only_property_7_adds_a_note() -> None:
    assert [prop.number for prop in ALL_PROPERTIES if prop.machine is not None] == [1]
    assert all((prop.plans is None) == (prop.machine is not None) for prop in ALL_PROPERTIES)
    assert [prop.number for prop in ALL_PROPERTIES if prop.note is not None] == [7]


def test_what_never_applies_to_a_contract_is_a_fact_of_the_contract() -> None:
    """Collection reads ``not_applicable``: public clients rule out the cross-client property,
    a body-only contract the query-token one, an example that does not fit its contract itself;
    a contract that has what the property needs gets None (the test is collected)."""
    from revocation_contracts.model.contract import load_contract

    google, polar = load_contract("google"), load_contract("polar")
    assert "public" in (P5.not_applicable(google) or "")
    assert P5.not_applicable(polar) is None
    assert "token-in is the body" in (P10.not_applicable(polar) or "")
    assert P10.not_applicable(google) is None
    assert all(P1.not_applicable(contract) is None for contract in (google, polar))
    unfit = [case for case in P10.examples if P10.examples[case](google) is None]
    for case in unfit:
        assert P10.not_applicable(google, case) == f"example {case!r} does not apply to the google contract"
