"""Before the first test: the configured token supply mints one grant and probes one token.

Why a gate: the semantic tests all start the same way, by minting a grant. A token endpoint
that refuses the grant (a 403 with an empty body because the server wants a scope, a client
not allowed the ``client_credentials`` grant, a ``--token-command`` that exits 2) would fail
every one of them for that single reason: dozens of identical errors, and exit 1 when the
endpoint also breaks a rule, where the user needs one line saying which option to change.
So when a supply is configured (``--token-command``, ``--token-endpoint``, the token endpoint
of ``--issuer``'s metadata, or the spec's ``token-supply`` block), the run starts with one
grant, minted for the first client, and one probe of each of its tokens; if either fails the
run ends before collection with that line and exit 7 (``runstatus.EXIT_TOKEN_SUPPLY``), JUnit
and ``--report`` carrying the reason (``RunStatus.end_before_tests``).

A probe that calls a token minted a moment ago dead is a failure too (the semantic tests'
own smoke check, ``semantics/run.py``, says the same): such a probe cannot tell a revoked token
from a live one, and every "a revoked token is dead" would pass for nothing.

The gate's grant is the suite's own: it is minted through the target's supply, which records
its tokens, so the pool revokes whichever is still live at the end of the session with the
other leftovers (``TargetPool.revoke_leftovers``), in this process. Under pytest-xdist it runs
once, in the controller (``suite.check_before_tests``), whose pool is closed at unconfigure.
"""

from __future__ import annotations

from revocation_contracts.pytest_plugin.pool import TargetPool
from revocation_contracts.pytest_plugin.preflight import PREFIX, PreflightFailure
from revocation_contracts.pytest_plugin.runstatus import EXIT_TOKEN_SUPPLY
from revocation_contracts.supply.tokens import TokenSupplyError

FAILED = "token supply failed before the tests: "
PROBE_HINT = "check how the suite probes tokens: --introspection-endpoint, --resource-url or --probe-command"


def run_supply_gate(pool: TargetPool) -> PreflightFailure | None:
    """Mint and probe once per distinct supply of the selected contracts; the first failure."""
    seen: set[str] = set()
    for contract in pool.settings.contracts():
        target = pool.get(contract)
        supply = target.tokens
        if supply is None or target.embedded:
            continue
        key = supply.describe or contract.name
        if key in seen:
            continue
        seen.add(key)
        client = target.credentials
        try:
            grant = supply.mint_fresh(client)
            for kind, token in grant.tokens.items() if supply.can_probe else ():
                if not supply.is_active(token):
                    message = f"the probe calls the {kind} of a grant minted a moment ago inactive; {PROBE_HINT}"
                    return PreflightFailure(f"{PREFIX}{FAILED}{message}", EXIT_TOKEN_SUPPLY)
        except TokenSupplyError as exc:
            message = pool.redactor(f"{FAILED}{exc}; {exc.hint}")
            return PreflightFailure(PREFIX + message, EXIT_TOKEN_SUPPLY)
    return None
