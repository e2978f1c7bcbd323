"""No false positives: the faithful reference servers pass the whole suite under several seeds.

A check that fires on a faithful server is as much a defect as one that never fires: users
would learn to ignore it. CONTRACTS.md says a server that does what it says must pass under
every seed; five different Hypothesis seeds drive schemathesis to different generated
requests for all five contracts, and the whole ``tests/contract`` suite (schema, protocol and
whatever else it holds) must pass each time.
"""

from __future__ import annotations

import pytest

SEEDS = (1, 7, 2024, 31337, 4_000_000_007)
# The first five contracts; okta, google and github are proven in test_vendor_contracts.py (CPU budget).
FIVE = ("polar", "voucherify", "mollie", "auth0", "rfc7009")


@pytest.mark.parametrize("seed", SEEDS)
def test_faithful_servers_pass_whole_suite(contract_suite, seed: int):
    run = contract_suite(list(FIVE), seed=seed)
    assert run.returncode == 0, f"the faithful servers failed under --hypothesis-seed={seed}: {run.describe()}"
    assert not run.failed and not run.errors, f"failed: {sorted(run.failed)}; errors: {sorted(run.errors)}"
    # The run did test something: every contract's schema test and protocol tests ran and passed.
    for spec in FIVE:
        for test_id in (
            f"test_schema.py::test_schema_conformance[{spec}]",
            f"test_protocol.py::test_unknown_token_answer[{spec}]",
        ):
            assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}"
