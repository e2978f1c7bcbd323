"""The dry run's plan and the real run agree on where tokens are minted (supply/builtin.py ``mint_source``).

Why: the grant rules lived in the supply and again in ``--dry-run``'s plan, and had drifted: for
a vendor whose spec declares its own token supply (``x-revocation`` ``token-supply.mint``,
e.g. Voucherify's ``client_credentials`` at ``/v1/oauth/token``), ``--target-url`` alone
builds a supply that mints there, while the plan said "none: the semantic checks are
skipped"; and the plan ignored ``--refresh-token`` and the spec's grant. Both now read
``mint_source``; this test builds the real supply and the plan for the same options.
"""

from __future__ import annotations

import pytest
import requests

from revocation_contracts.model.contract import load_contract
from revocation_contracts.pytest_plugin.dryrun import _tokens
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import Redactor
from revocation_contracts.supply.builtin import build_supply

BASE = "http://127.0.0.1:9"  # never contacted: building a supply sends nothing

OPTION_SETS = {
    "target-url-alone": {},
    "refresh-seed": {"refresh_token": "seed-1"},
    "token-endpoint": {"token_endpoint": "/oauth/token"},
    "password-user": {"username": "alice", "password": "pw"},
}


def settings_for(spec: str, **options: str) -> Settings:
    return Settings(
        specs=(spec,), target_url=BASE, endpoint_path=None, client_id="rc-client", client_secret="rc-secret",
        second_client_id=None, second_client_secret=None, max_examples=5, request_timeout=5, rate_limit=None,
        strict=False, reference_bugs=frozenset(), **options,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("spec", ["voucherify", "polar", "auth0", "mollie", "rfc7009"])
def test_the_plan_names_the_supply_the_run_builds(spec: str, options: dict[str, str]) -> None:
    contract = load_contract(spec)
    settings = settings_for(spec, **options)
    with requests.Session() as session:
        supply = build_supply(settings, contract, BASE, None, session, 5, Redactor())
    line = _tokens(settings, contract)
    if supply is None:
        assert line.startswith("none:"), line
        return
    minter = supply.minter.settings  # type: ignore[attr-defined]
    assert line.startswith(f"minted at {minter.endpoint} with the {minter.grant} grant"), line


def test_a_vendors_own_supply_is_in_the_plan() -> None:
    """The drift this test caught: ``--target-url`` alone against Voucherify mints at its spec's endpoint."""
    contract = load_contract("voucherify")
    line = _tokens(settings_for("voucherify"), contract)
    assert line.startswith(f"minted at {BASE}/v1/oauth/token with the client_credentials grant"), line
