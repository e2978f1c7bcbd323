"""No false positives: the faithful reference servers pass the whole suite under five seeds.

A check that fires on a faithful server is as much a defect as one that never fires: users
would learn to ignore it. A server that does what its contract says must pass under every
seed; five Hypothesis seeds drive schemathesis and the semantic properties to different
generated requests for every bundled contract, and the whole ``tests/contract`` suite
(schema, protocol and semantics) must pass each time, with every semantic property run on
every contract it applies to, every skip saying why, and no warning (a faithful server meets
every SHOULD).

One child run per seed covers all of it (each test reads its own run): the semantic
properties' faithful twins and the whole-suite proof used to be separate runs of the same
servers under the same seeds.
"""

from __future__ import annotations

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES, load_contract
from revocation_contracts.semantics import PROPERTIES, Property

from .conftest import schema_test_id

SEEDS = (1, 7, 2024, 31337, 4_000_000_007)


def applies(prop: Property, name: str) -> bool:
    """Whether ``prop``'s test is collected for contract ``name`` (its contract-level reasons)."""
    return prop.not_applicable(load_contract(name)) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_faithful_servers_pass_whole_suite(contract_suite, seed: int):
    run = contract_suite(list(BUNDLED_NAMES), seed=seed)
    assert run.returncode == 0, f"the faithful servers failed under --hypothesis-seed={seed}: {run.describe()}"
    assert not run.failed and not run.errors, f"failed: {sorted(run.failed)}; errors: {sorted(run.errors)}"
    # The run did test something: every contract's schema test and protocol tests ran and passed ...
    for spec in BUNDLED_NAMES:
        for test_id in (
            schema_test_id(spec),
            f"test_protocol.py::test_unknown_token_answer[{spec}]",
        ):
            assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}"
    # ... and every semantic property on every contract it applies to.
    for prop in PROPERTIES:
        for spec in BUNDLED_NAMES:
            test_id = f"test_semantics.py::{prop.test}[{spec}]"
            if applies(prop, spec):
                assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}"
            else:  # not collected: the coverage summary says why instead of a skipped test
                assert test_id not in run.outcomes, f"{test_id}: {run.outcomes.get(test_id)}"
    # Nothing is skipped on the embedded servers: what does not apply was never collected, and
    # every check that applies ran (issue 18: the default run prints no skipped test).
    assert not run.with_outcome("skipped"), sorted(run.with_outcome("skipped"))
    assert " skipped" not in run.output and "revocation coverage" in run.output, run.output[-3000:]
    assert "revocation contract problems" not in run.output, "a faithful server met every SHOULD"
